//! The rotating check-in code (B30 ②, in person): the room's screen shows six digits that change
//! every [`CODE_PERIOD_SECONDS`]; a learner types them to check in or out. Being in the room is
//! what the code proves: one passed on in a chat or kept as a photo is soon refused.
//!
//! HMAC-SHA-256 over the session, the block and the time window, truncated as in RFC 4226.
//! HMAC is written out here (RFC 2104): the `hmac` crate this crate uses is built on `digest`
//! 0.11, the workspace's `sha2` on 0.10, and the two do not fit together.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::ValidationError;
use crate::access::constant_time_eq;
use crate::types::half_width_trimmed;

pub const CODE_PERIOD_SECONDS: i64 = 30;
/// Windows back from now in which a typed code is recognised as an old one (10 minutes), so
/// the learner is told it is stale rather than wrong.
const RECOGNISED_WINDOWS: i64 = 10 * 60 / CODE_PERIOD_SECONDS;

/// The code to show now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotatingCode {
    /// Six digits, zero padded.
    pub digits: String,
    /// When the screen should show the next code; this one is still accepted for one more
    /// period, for whoever is typing it.
    pub valid_until: OffsetDateTime,
}

pub fn rotating_code(
    secret: &[u8],
    session_id: &str,
    block: u32,
    at: OffsetDateTime,
) -> RotatingCode {
    let window = window_of(at);
    let valid_until = OffsetDateTime::from_unix_timestamp((window + 1) * CODE_PERIOD_SECONDS)
        .map_or(at, |t| t.to_offset(at.offset()));
    RotatingCode {
        digits: code_for_window(secret, session_id, block, window),
        valid_until,
    }
}

/// Accepts the code of the current window or the previous one (so a code is good for 30 to
/// 60 seconds). Full-width digits and spaces are accepted; the comparison is constant-time.
///
/// Codes: `attendance.code_expired` (the code of a window up to 10 minutes old),
/// `attendance.code_wrong` (anything else).
pub fn check_code(
    secret: &[u8],
    session_id: &str,
    block: u32,
    entered: &str,
    now: OffsetDateTime,
) -> Result<(), ValidationError> {
    let entered: String = half_width_trimmed(entered)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let now = window_of(now);
    let matches = |window: i64| {
        constant_time_eq(
            code_for_window(secret, session_id, block, window).as_bytes(),
            entered.as_bytes(),
        )
    };
    if entered.len() == 6 && entered.bytes().all(|b| b.is_ascii_digit()) {
        if matches(now) || matches(now - 1) {
            return Ok(());
        }
        if (2..=RECOGNISED_WINDOWS).any(|back| matches(now - back)) {
            return Err(ValidationError::new(
                "attendance.code_expired",
                "この確認コードは古くなっています（コードは30秒ごとに変わります）。写真や他の人から受け取ったコードは使えません。会場の画面に表示されている最新のコードを入力してください。",
                "This check-in code is out of date (codes change every 30 seconds), so a photo or a code passed on will not work. Please enter the code on the screen in the room now.",
            ));
        }
    }
    Err(ValidationError::new(
        "attendance.code_wrong",
        "確認コードが違います。会場の画面に表示されている6桁の数字を入力してください。",
        "That check-in code is not right. Please enter the six digits shown on the screen in the room.",
    ))
}

fn window_of(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(CODE_PERIOD_SECONDS)
}

/// Length-prefixed session id, block and window, so that no two inputs share a message.
fn code_for_window(secret: &[u8], session_id: &str, block: u32, window: i64) -> String {
    let mut message = Vec::with_capacity(session_id.len() + 20);
    message.extend_from_slice(&(session_id.len() as u64).to_be_bytes());
    message.extend_from_slice(session_id.as_bytes());
    message.extend_from_slice(&block.to_be_bytes());
    message.extend_from_slice(&window.to_be_bytes());
    let digest = hmac_sha256(secret, &message);
    let offset = usize::from(digest[31] & 0x0f);
    let word = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!("{:06}", word % 1_000_000)
}

/// RFC 2104 with SHA-256 (64-byte blocks).
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|k| k ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::datetime;

    const SECRET: &[u8] = b"room screen secret";
    const AT: OffsetDateTime = datetime!(2026-06-01 10:00:05 +9);

    fn check(entered: &str, now: OffsetDateTime) -> Result<(), &'static str> {
        check_code(SECRET, "s-1", 1, entered, now).map_err(|e| e.code)
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test cases 1, 2 and 6 (a key longer than the block).
        for (key, data, mac) in [
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
        ] {
            assert_eq!(hex::encode(hmac_sha256(&key, &data)), mac);
        }
    }

    #[test]
    fn b30_code_is_six_digits_until_the_window_ends() {
        let c = rotating_code(SECRET, "s-1", 1, AT);
        assert_eq!(c.digits.len(), 6);
        assert!(c.digits.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(c.valid_until, datetime!(2026-06-01 10:00:30 +9));
        let same = rotating_code(SECRET, "s-1", 1, datetime!(2026-06-01 10:00:29 +9));
        assert_eq!(same, c);
        assert_ne!(
            rotating_code(SECRET, "s-1", 1, c.valid_until).digits,
            c.digits
        );
    }

    #[test]
    fn b30_code_current_and_previous_window_pass() {
        let code = rotating_code(SECRET, "s-1", 1, AT).digits;
        assert_eq!(check(&code, AT), Ok(()));
        assert_eq!(check(&code, AT + Duration::seconds(30)), Ok(()));
        let full_width: String = code
            .chars()
            .map(|c| char::from_u32(u32::from(c) + 0xFEE0).unwrap())
            .collect();
        let spaced = format!(" {}　{} ", &full_width[..9], &full_width[9..]);
        assert_eq!(check(&spaced, AT), Ok(()));
    }

    #[test]
    fn b30_code_two_minutes_old_is_expired() {
        let code = rotating_code(SECRET, "s-1", 1, AT).digits;
        assert_eq!(
            check(&code, AT + Duration::minutes(2)),
            Err("attendance.code_expired")
        );
        assert_eq!(
            check(&code, AT + Duration::minutes(11)),
            Err("attendance.code_wrong")
        );
    }

    #[test]
    fn b30_code_of_another_block_or_session_or_wrong_fails() {
        let other_block = rotating_code(SECRET, "s-1", 2, AT).digits;
        let other_session = rotating_code(SECRET, "s-2", 1, AT).digits;
        let code = rotating_code(SECRET, "s-1", 1, AT).digits;
        for bad in [other_block, other_session] {
            if bad != code {
                assert_eq!(check(&bad, AT), Err("attendance.code_wrong"));
            }
        }
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert_eq!(check(&wrong, AT), Err("attendance.code_wrong"));
        assert_eq!(check("12345", AT), Err("attendance.code_wrong"));
        assert_eq!(check("", AT), Err("attendance.code_wrong"));
        let other_secret = check_code(b"another", "s-1", 1, &code, AT).unwrap_err();
        assert_eq!(other_secret.code, "attendance.code_wrong");
    }
}

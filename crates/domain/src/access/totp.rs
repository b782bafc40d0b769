//! Time-based one-time passwords (RFC 6238 over RFC 4226, HMAC-SHA-1, 6 digits, 30-second
//! steps): what authenticator apps (Google Authenticator, Microsoft Authenticator, IIJ SmartKey,
//! ...) compute. The secret's bytes and the time come in as parameters.

use super::constant_time_eq;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use std::fmt;

const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;
/// Steps accepted either side of now, for clocks that drift and codes typed slowly.
const SKEW_STEPS: i64 = 1;

/// A shared TOTP secret: 160 bits, as RFC 4226 recommends.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret([u8; 20]);

impl TotpSecret {
    pub fn from_bytes(bytes: [u8; 20]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// Base32 without padding (RFC 4648), as authenticator apps expect it typed or in a URI.
    pub fn base32(&self) -> String {
        base32(&self.0)
    }

    /// The `otpauth://` URI an authenticator app reads from a QR code.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let label = format!("{}:{}", percent_encode(issuer), percent_encode(account));
        format!(
            "otpauth://totp/{label}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            self.base32(),
            percent_encode(issuer)
        )
    }

    /// The code for the 30-second step holding `unix_seconds`.
    pub fn code_at(&self, unix_seconds: i64) -> String {
        self.code_for_step(unix_seconds.div_euclid(STEP_SECONDS))
    }

    fn code_for_step(&self, step: i64) -> String {
        let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&self.0) else {
            return String::new();
        };
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = usize::from(digest[19] & 0x0f);
        let word = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        format!("{:06}", word % 10u32.pow(DIGITS))
    }

    /// Checks a typed code at `unix_seconds`. Returns the step it matched, which the caller
    /// stores: a code whose step is not after `last_used_step` is refused, so an observed code
    /// cannot be replayed.
    pub fn verify(
        &self,
        typed: &str,
        unix_seconds: i64,
        last_used_step: Option<i64>,
    ) -> Option<i64> {
        let code: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now = unix_seconds.div_euclid(STEP_SECONDS);
        (now - SKEW_STEPS..=now + SKEW_STEPS)
            .filter(|step| last_used_step.is_none_or(|last| *step > last))
            .find(|step| constant_time_eq(self.code_for_step(*step).as_bytes(), code.as_bytes()))
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(***)")
    }
}

fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Percent-encodes everything but RFC 3986 unreserved characters (labels may be Japanese).
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 key, "12345678901234567890".
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(*b"12345678901234567890")
    }

    #[test]
    fn rfc_6238_test_vectors() {
        // The RFC lists 8-digit codes; 6 digits are their last six.
        for (t, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(rfc_secret().code_at(t), eight[2..], "T = {t}");
        }
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(rfc_secret().base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn verify_accepts_one_step_of_drift_and_refuses_replay() {
        let s = rfc_secret();
        let now = 1_234_567_890;
        let code = s.code_at(now);
        let step = s.verify(&code, now, None).unwrap();
        assert_eq!(s.verify(&code, now + 30, None), Some(step), "typed slowly");
        assert_eq!(s.verify(&code, now + 90, None), None, "too late");
        assert_eq!(s.verify(&code, now, Some(step)), None, "replayed");
        assert_eq!(
            s.verify(&format!("{} {}", &code[..3], &code[3..]), now, None),
            Some(step)
        );
        assert_eq!(s.verify("12345", now, None), None);
        assert_eq!(s.verify("abcdef", now, None), None);
    }

    #[test]
    fn otpauth_uri_names_issuer_and_account() {
        let uri = rfc_secret().otpauth_uri("Koshu", "hanako@example.jp");
        assert_eq!(
            uri,
            "otpauth://totp/Koshu:hanako%40example.jp?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Koshu&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(format!("{:?}", rfc_secret()), "TotpSecret(***)");
    }
}

//! The heartbeat ticket (B30 ②): what a remote learner's live page sends every 30 s instead of
//! its session cookie. It names the session and the learner and when it ends, signed with the
//! session's secret, so a beat is checked without reading the database (60,000 learners beat
//! 2,000 times a second) and cannot be forged from another site (no cookie rides on it).

use super::code::hmac_sha256;
use crate::ValidationError;
use crate::access::constant_time_eq;
use time::OffsetDateTime;

/// Whose beats a ticket carries, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub session_id: String,
    pub account_id: String,
    pub expires: OffsetDateTime,
}

fn unreadable() -> ValidationError {
    ValidationError::new(
        "heartbeat.ticket",
        "在席の記録を受け付けられません。受講のページを開き直してください。",
        "Presence cannot be recorded: open your course page again.",
    )
}

fn expired() -> ValidationError {
    ValidationError::new(
        "heartbeat.expired",
        "この回の在席記録の受付は終わりました。",
        "This session no longer records presence.",
    )
}

fn mac(secret: &[u8], session_id: &str, account_id: &str, expires: i64) -> String {
    hex::encode(hmac_sha256(
        secret,
        format!("beat|{session_id}|{account_id}|{expires}").as_bytes(),
    ))
}

/// `session.account.expires.mac`: session ids are slugs and account ids UUIDs, so `.` never
/// occurs in them.
pub fn issue_ticket(secret: &[u8], t: &Ticket) -> String {
    let expires = t.expires.unix_timestamp();
    format!(
        "{}.{}.{expires}.{}",
        t.session_id,
        t.account_id,
        mac(secret, &t.session_id, &t.account_id, expires)
    )
}

/// The session a ticket names, to find its secret; nothing is trusted until `verify_ticket`.
pub fn ticket_session(text: &str) -> Result<&str, ValidationError> {
    text.trim()
        .split('.')
        .next()
        .filter(|s| !s.is_empty())
        .ok_or_else(unreadable)
}

/// The ticket, when `secret` signed it and it has not expired at `now`.
pub fn verify_ticket(
    secret: &[u8],
    text: &str,
    now: OffsetDateTime,
) -> Result<Ticket, ValidationError> {
    let parts: Vec<&str> = text.trim().split('.').collect();
    let [session_id, account_id, expires, given] = parts.as_slice() else {
        return Err(unreadable());
    };
    let at: i64 = expires.parse().map_err(|_| unreadable())?;
    let wanted = mac(secret, session_id, account_id, at);
    if !constant_time_eq(wanted.as_bytes(), given.as_bytes()) {
        return Err(unreadable());
    }
    let expires = OffsetDateTime::from_unix_timestamp(at).map_err(|_| unreadable())?;
    if now > expires {
        return Err(expired());
    }
    Ok(Ticket {
        session_id: (*session_id).to_owned(),
        account_id: (*account_id).to_owned(),
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn ticket() -> Ticket {
        Ticket {
            session_id: "p-1-001".to_owned(),
            account_id: "01900000-0000-7000-8000-000000000001".to_owned(),
            expires: datetime!(2026-06-10 15:00 +09:00),
        }
    }

    #[test]
    fn b30_a_ticket_signed_with_the_sessions_secret_verifies_until_it_expires() {
        let text = issue_ticket(b"secret", &ticket());
        assert_eq!(ticket_session(&text).ok(), Some("p-1-001"));
        let read = verify_ticket(b"secret", &text, datetime!(2026-06-10 10:00 +09:00));
        assert_eq!(read.ok(), Some(ticket()));
        let late = verify_ticket(b"secret", &text, datetime!(2026-06-10 15:01 +09:00));
        assert_eq!(late.err().map(|e| e.code), Some("heartbeat.expired"));
    }

    #[test]
    fn b30_a_ticket_changed_or_signed_otherwise_is_refused() {
        let text = issue_ticket(b"secret", &ticket());
        let now = datetime!(2026-06-10 10:00 +09:00);
        let other = text.replace("000000000001", "000000000002");
        for bad in [other.as_str(), "p-1-001", "", "a.b.c.d"] {
            assert_eq!(
                verify_ticket(b"secret", bad, now).err().map(|e| e.code),
                Some("heartbeat.ticket")
            );
        }
        assert!(verify_ticket(b"another", &text, now).is_err());
    }
}

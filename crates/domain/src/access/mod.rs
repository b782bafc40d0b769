//! Who may do what (G01, G02): accounts' input rules, the second factor, sessions, rate limits,
//! organisations and the one authorization policy every handler asks.
//!
//! Pure like the rest of the domain: random bytes and the current time come in as parameters.

pub mod email;
pub mod next_path;
pub mod organisation;
pub mod password;
pub mod policy;
pub mod rate_limit;
pub mod session;
pub mod totp;

pub use email::Email;
pub use next_path::SafeNextPath;
pub use password::NewPassword;
pub use policy::{Action, Decision, MinistryRole, OrgRole, Principal, decide};

/// Compares secrets without revealing through timing how much of them matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

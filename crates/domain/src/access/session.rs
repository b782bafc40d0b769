//! How long a sign-in lasts. Sessions live in the database; these rules say when one ends.

use time::{Duration, OffsetDateTime};

/// Idle and absolute limits, and how often "last seen" is written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Ends after this long without a request.
    pub idle: Duration,
    /// Ends this long after sign-in, however active.
    pub absolute: Duration,
    /// "Last seen" is rewritten at most this often, so reading pages does not write each time.
    pub touch_every: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
            touch_every: Duration::minutes(1),
        }
    }
}

/// The state of a stored session at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Live { touch: bool },
    Expired,
}

impl SessionPolicy {
    pub fn state(
        &self,
        created_at: OffsetDateTime,
        last_seen_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> SessionState {
        if now - created_at >= self.absolute || now - last_seen_at >= self.idle {
            SessionState::Expired
        } else {
            SessionState::Live {
                touch: now - last_seen_at >= self.touch_every,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn idle_and_absolute_limits() {
        let p = SessionPolicy::default();
        let t0 = datetime!(2026-04-01 09:00 +09:00);
        assert_eq!(p.state(t0, t0, t0), SessionState::Live { touch: false });
        assert_eq!(
            p.state(t0, t0, t0 + Duration::minutes(5)),
            SessionState::Live { touch: true }
        );
        assert_eq!(
            p.state(t0, t0, t0 + Duration::minutes(30)),
            SessionState::Expired
        );
        let active = t0 + Duration::hours(12) - Duration::minutes(1);
        assert_eq!(
            p.state(t0, active, active),
            SessionState::Live { touch: false }
        );
        let later = t0 + Duration::hours(12);
        assert_eq!(p.state(t0, later, later), SessionState::Expired);
    }
}

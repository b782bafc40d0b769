//! Limits on guessing (G02): failed sign-ins, sign-ups and reset requests are counted per
//! account and per client address over a sliding window. The store counts; this decides.

use time::Duration;

/// At most `max` attempts of one kind for one key within `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

/// Requests with one API token (issue 14 item 3): a provider's system syncing its catalogue
/// needs far fewer; more is a loop gone wrong, which must not crowd out everyone else.
pub const API_PER_TOKEN: Limit = Limit {
    max: 300,
    window: Duration::minutes(1),
};

/// Reports about programmes from one address (issue 14 item 5): enough for a person, not for
/// a script that floods the ministry's list.
pub const REPORT_PER_ADDRESS: Limit = Limit {
    max: 10,
    window: Duration::hours(1),
};

/// Failed sign-ins for one account: five, then wait 15 minutes.
pub const LOGIN_PER_ACCOUNT: Limit = Limit {
    max: 5,
    window: Duration::minutes(15),
};
/// Failed sign-ins from one address, over any accounts.
pub const LOGIN_PER_ADDRESS: Limit = Limit {
    max: 20,
    window: Duration::minutes(15),
};
/// Sign-ups from one address.
pub const SIGNUP_PER_ADDRESS: Limit = Limit {
    max: 10,
    window: Duration::hours(1),
};
/// Password-reset requests from one address, and for one address typed in.
pub const RESET_PER_ADDRESS: Limit = Limit {
    max: 10,
    window: Duration::hours(1),
};
pub const RESET_PER_ACCOUNT: Limit = Limit {
    max: 3,
    window: Duration::hours(1),
};
/// Wrong second-factor codes in one sign-in.
pub const SECOND_FACTOR_PER_ACCOUNT: Limit = Limit {
    max: 5,
    window: Duration::minutes(15),
};

impl Limit {
    /// True when one more attempt is allowed, given how many were recorded within the window.
    pub fn allows(&self, recorded_in_window: u32) -> bool {
        recorded_in_window < self.max
    }

    /// Whole minutes to wait, rounded up, for the message.
    pub fn window_minutes(&self) -> i64 {
        self.window.whole_minutes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_failed_sign_in_is_refused() {
        assert!(LOGIN_PER_ACCOUNT.allows(4));
        assert!(!LOGIN_PER_ACCOUNT.allows(5));
        assert_eq!(LOGIN_PER_ACCOUNT.window_minutes(), 15);
    }
}

//! Who reviews an application and what they record (B35): the ministry's reviewers and the
//! external experts, an expert's declaration of any conflict of interest, and the reviewer's
//! finding per rule. Stored as their codes.

/// Whom the ministry asks to review an application. One person takes one role per
/// application (decision 38).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewRole {
    /// A reviewer of the ministry's staff.
    Reviewer,
    /// A registered external expert.
    Expert,
}

/// An external expert's declaration, made before they see anything of the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Declaration {
    NoConflict,
    /// The expert takes no part in this review.
    Conflict,
}

/// The reviewer's finding on one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewFinding {
    Met,
    NeedsRevision,
    NotMet,
}

macro_rules! codes {
    ($ty:ident { $($variant:ident => $code:literal, $ja:literal, $en:literal;)+ }) => {
        impl $ty {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub const fn code(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }

            pub const fn label_ja(self) -> &'static str {
                match self { $(Self::$variant => $ja),+ }
            }

            pub const fn label_en(self) -> &'static str {
                match self { $(Self::$variant => $en),+ }
            }
        }
    };
}

codes!(ReviewRole {
    Reviewer => "reviewer", "審査担当", "Reviewer";
    Expert => "expert", "外部有識者", "External expert";
});

codes!(Declaration {
    NoConflict => "none", "利害関係なし", "No conflict";
    Conflict => "conflict", "利害関係あり（閲覧不可）", "Conflict declared (no access)";
});

codes!(ReviewFinding {
    Met => "met", "適合", "Met";
    NeedsRevision => "revise", "要修正", "Needs revision";
    NotMet => "not_met", "不適合", "Not met";
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_none() {
        for r in ReviewRole::ALL {
            assert_eq!(ReviewRole::from_code(r.code()), Some(*r));
        }
        for d in Declaration::ALL {
            assert_eq!(Declaration::from_code(d.code()), Some(*d));
        }
        for f in ReviewFinding::ALL {
            assert_eq!(ReviewFinding::from_code(f.code()), Some(*f));
        }
        assert_eq!(ReviewRole::from_code("admin"), None);
        assert_eq!(Declaration::from_code(""), None);
        assert_eq!(ReviewFinding::from_code("MET"), None);
    }
}

//! The one mapping between the domain's enums and the codes stored in their columns: a code
//! read back that names no variant is `Corrupt`, never a default.

use crate::StoreError;
use koshu_domain::designation::lifecycle::{DesignationEnd, Outcome, Status};
use koshu_domain::designation::review::{Declaration, ReviewFinding, ReviewRole};

/// A domain enum stored as its stable code.
pub(crate) trait Coded: Sized {
    const WHAT: &'static str;
    fn from_code(code: &str) -> Option<Self>;
}

/// The variant `code` names, or `Corrupt` naming the column's meaning.
pub(crate) fn decode<T: Coded>(code: &str) -> Result<T, StoreError> {
    T::from_code(code).ok_or_else(|| StoreError::Corrupt(format!("{} {code:?}", T::WHAT)))
}

/// Each enum's own `from_code`, and what its column holds (for the error).
macro_rules! coded {
    ($($ty:ty => $what:literal),+ $(,)?) => {
        $(impl Coded for $ty {
            const WHAT: &'static str = $what;
            fn from_code(code: &str) -> Option<Self> {
                <$ty>::from_code(code)
            }
        })+
    };
}

coded!(
    Status => "application status",
    DesignationEnd => "designation end",
    Outcome => "decision outcome",
    ReviewRole => "review role",
    Declaration => "conflict declaration",
    ReviewFinding => "review finding",
);

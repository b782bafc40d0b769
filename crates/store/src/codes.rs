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

impl Coded for Status {
    const WHAT: &'static str = "application status";
    fn from_code(code: &str) -> Option<Self> {
        Status::from_code(code)
    }
}

impl Coded for DesignationEnd {
    const WHAT: &'static str = "designation end";
    fn from_code(code: &str) -> Option<Self> {
        DesignationEnd::from_code(code)
    }
}

impl Coded for Outcome {
    const WHAT: &'static str = "decision outcome";
    fn from_code(code: &str) -> Option<Self> {
        Outcome::from_code(code)
    }
}

impl Coded for ReviewRole {
    const WHAT: &'static str = "review role";
    fn from_code(code: &str) -> Option<Self> {
        ReviewRole::from_code(code)
    }
}

impl Coded for Declaration {
    const WHAT: &'static str = "conflict declaration";
    fn from_code(code: &str) -> Option<Self> {
        Declaration::from_code(code)
    }
}

impl Coded for ReviewFinding {
    const WHAT: &'static str = "review finding";
    fn from_code(code: &str) -> Option<Self> {
        ReviewFinding::from_code(code)
    }
}

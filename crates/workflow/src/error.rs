use koshu_domain::ValidationError;
use koshu_store::{Conflict, StoreError};

/// Why a use case did not happen. The web layer maps each kind once (400, 404, 409, 500).
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The input or the state breaks a rule; names the field and the rule.
    #[error("invalid: {0}")]
    Invalid(ValidationError),
    #[error("not found")]
    NotFound,
    /// The data changed under the use case (a concurrent move won); nothing was written.
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// `If-Match` or `If-None-Match` does not hold for the record as it is now (412).
    #[error("precondition failed")]
    PreconditionFailed,
    /// Anything else below: logged, never shown.
    #[error(transparent)]
    Store(StoreError),
    /// Stored data that cannot be turned back into the domain's types.
    #[error("stored data cannot be used: {0}")]
    Corrupt(String),
}

impl From<StoreError> for WorkflowError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(c) => Self::Conflict(c),
            other => Self::Store(other),
        }
    }
}

impl From<ValidationError> for WorkflowError {
    fn from(e: ValidationError) -> Self {
        Self::Invalid(e)
    }
}

impl From<koshu_domain::designation::lifecycle::IllegalTransition> for WorkflowError {
    fn from(e: koshu_domain::designation::lifecycle::IllegalTransition) -> Self {
        Self::Invalid(e.to_validation_error())
    }
}

impl From<serde_json::Error> for WorkflowError {
    fn from(e: serde_json::Error) -> Self {
        Self::Corrupt(e.to_string())
    }
}

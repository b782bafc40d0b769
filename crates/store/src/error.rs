use thiserror::Error;

/// What can go wrong below the web layer. Internal detail stays here and in the logs; the web
/// layer turns these into its own stable error codes.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("invalid database URL: {0}")]
    Config(sqlx::Error),
    #[error("DATABASE_URL must start with postgres://, postgresql:// or sqlite:")]
    UnsupportedUrl,
    #[error("object storage error: {0}")]
    Objects(#[from] object_store::Error),
    #[error("I/O error at {0}: {1}")]
    Io(String, std::io::Error),
    #[error("stored data cannot be read back: {0}")]
    Corrupt(String),
    /// The operation does not exist for the backend in use; names the operation.
    #[error("not supported by this backend: {0}")]
    Unsupported(&'static str),
    #[error("not found")]
    NotFound,
    /// The change collides with the stored data (see [`Conflict`]).
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// A write step of the unit of work failed earlier; nothing of it is committed.
    #[error("a write step failed earlier in this unit of work; nothing was committed")]
    Poisoned,
    /// A fault injected by a test at the named write step.
    #[error("injected fault at write step {0}")]
    Injected(String),
}

/// What a write collided with. The web layer shows each as a 409 (or as the form error that
/// explains it), never as a 500.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Conflict {
    /// The application's status is no longer the one the move starts from: someone else
    /// moved it first.
    #[error("the application's status changed meanwhile")]
    StatusChanged,
    /// The expert has declared already.
    #[error("the declaration was made already")]
    AlreadyDeclared,
    /// Another organisation has this 法人番号.
    #[error("the corporate number is registered already")]
    CorporateNumberTaken,
    /// The passkey is registered already (to this or another account).
    #[error("the passkey credential is registered already")]
    PasskeyTaken,
    /// The change would leave the organisation without an owner.
    #[error("the organisation would have no owner")]
    LastOwner,
    /// The record was saved by someone else since the revision the change was made on.
    #[error("the record was saved meanwhile")]
    RevisionChanged,
    /// The session day's attendance is sealed already.
    #[error("the day is sealed already")]
    AlreadySealed,
    /// The learner holds a place (or a place on the waiting list) in the session already.
    #[error("the learner is enrolled already")]
    AlreadyEnrolled,
    /// The board post is hidden already.
    #[error("the post is hidden already")]
    AlreadyHidden,
    /// The learner's completion is decided already: a change is a correction, with its reason.
    #[error("the completion is decided already")]
    AlreadyDecided,
    /// The learner's decision is no longer the one the correction was made on.
    #[error("the completion decision changed meanwhile")]
    DecisionChanged,
    /// The learner has answered the session's survey already (one answer each).
    #[error("the survey is answered already")]
    AlreadyAnswered,
    /// A survey's items can no longer change: answers have arrived.
    #[error("the survey has answers")]
    SurveyLocked,
    /// A survey's items changed since the page was drawn (another version, another save).
    #[error("the survey's items changed meanwhile")]
    SurveyChanged,
    /// The credential's status is no longer the one the change was made on, or it is
    /// revoked (final).
    #[error("the credential's status changed meanwhile")]
    CredentialChanged,
    /// An xAPI statement with this id is kept already and says something else.
    #[error("a different statement has this id")]
    StatementIdTaken,
    /// The xAPI document exists: a PUT over it needs If-Match or If-None-Match.
    #[error("the document exists")]
    DocumentExists,
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::Corrupt(e.to_string())
    }
}

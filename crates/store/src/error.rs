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
    /// The change breaks a rule of the stored data; names the rule (`last_owner`, ...).
    #[error("conflict: {0}")]
    Conflict(String),
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::Corrupt(e.to_string())
    }
}

//! Koshu's persistence. Handlers call `Store` methods; no SQL lives outside this crate.
//!
//! SQLite (a file in the data directory) is the embedded default; PostgreSQL is used when the
//! database URL says so. Files go to a local folder or an S3-compatible store.

pub mod accounts;
pub mod applications;
pub mod audit;
pub mod backup;
pub mod catalogue;
mod db;
mod error;
pub mod files;
pub mod jobs;
pub mod notices;
pub mod organisations;
pub mod outbox;
pub mod passkeys;
pub mod reviews;
#[cfg(feature = "testing")]
pub mod testing;

pub use db::{Backend, Db};
pub use error::StoreError;
pub use files::{Files, FilesConfig, S3Config, Secret};

/// The database and the file store together: everything the application persists.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    files: Files,
}

impl Store {
    /// Connects, and brings the schema up to date.
    pub async fn open(db: Db, files: Files) -> Result<Self, StoreError> {
        db.migrate().await?;
        Ok(Self { db, files })
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    pub async fn is_ready(&self) -> bool {
        self.db.ping().await
    }

    pub async fn close(&self) {
        self.db.close().await;
    }
}

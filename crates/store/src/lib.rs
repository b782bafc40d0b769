//! Koshu's persistence; no SQL lives outside this crate. Reads are `Store` methods; every
//! write is a method of a [`UnitOfWork`] (`Store::write`), committed once per use case.
//!
//! SQLite (a file in the data directory) is the embedded default; PostgreSQL is used when the
//! database URL says so. Files go to a local folder or an S3-compatible store.

pub mod accounts;
pub mod api_tokens;
pub mod applications;
pub mod audit;
pub mod backup;
pub mod board;
pub mod catalogue;
mod codes;
pub mod completion;
pub mod credentials;
mod db;
pub mod delivery;
mod error;
pub mod files;
pub mod holders;
pub mod jobs;
pub mod listings;
pub mod moderation;
pub mod notices;
pub mod organisations;
pub mod outbox;
pub mod passkeys;
pub mod progress;
pub mod reports;
pub mod retention;
pub mod reviews;
pub mod survey;
#[cfg(feature = "testing")]
pub mod testing;
mod unit;
pub mod xapi;

pub use db::{Backend, Db};
pub use error::{Conflict, StoreError};
pub use files::{Files, FilesConfig, S3Config, Secret};
pub use unit::{Faults, UnitOfWork};

/// The database and the file store together: everything the application persists.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    files: Files,
    faults: Faults,
}

impl Store {
    /// Connects, and brings the schema up to date.
    pub async fn open(db: Db, files: Files) -> Result<Self, StoreError> {
        db.migrate().await?;
        Ok(Self {
            db,
            files,
            faults: Faults::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// The database pool now: (connections open, of which idle).
    pub fn pool_connections(&self) -> (u32, usize) {
        db::on_db!(&self.db, pool => (pool.size(), pool.num_idle()))
    }

    pub async fn is_ready(&self) -> bool {
        self.db.ping().await
    }

    pub async fn close(&self) {
        self.db.close().await;
    }
}

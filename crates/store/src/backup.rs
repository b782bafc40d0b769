//! Online copies of the embedded database (G05, G06): `VACUUM INTO` writes a consistent
//! snapshot of a live WAL database without stopping its writers for longer than one page copy
//! at a time, and the snapshot is then read on its own to describe what it holds.

use crate::db::Db;
use crate::{Store, StoreError};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What a database snapshot holds, read from the snapshot itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFacts {
    /// The latest applied migration.
    pub schema_version: i64,
    /// The audit log's last entry (seq, hash); none while the log is empty.
    pub audit_head: Option<(i64, String)>,
    /// Rows per table, sqlx's own bookkeeping included.
    pub row_counts: BTreeMap<String, i64>,
    /// Every stored file the snapshot refers to: (id, SHA-256 of its bytes).
    pub files: Vec<(String, String)>,
}

impl Store {
    /// Writes a consistent copy of the SQLite database to `target`, which must not exist.
    /// PostgreSQL has its own tools (pg_dump, point-in-time recovery) and is refused.
    pub async fn snapshot_sqlite_into(&self, target: &Path) -> Result<(), StoreError> {
        let Db::Sqlite(pool) = &self.db else {
            return Err(StoreError::Unsupported(
                "an online SQLite snapshot (VACUUM INTO)",
            ));
        };
        let target = target.to_str().ok_or_else(|| {
            StoreError::Corrupt(format!("not a UTF-8 path: {}", target.display()))
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(pool)
            .await?;
        Ok(())
    }
}

/// The file of a `sqlite:` database URL; none for PostgreSQL (or an in-memory database).
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    if !url.starts_with("sqlite:") {
        return None;
    }
    let options = SqliteConnectOptions::from_str(url).ok()?;
    let file = options.get_filename();
    (!file.as_os_str().is_empty() && file != Path::new(":memory:")).then(|| file.to_owned())
}

/// Opens the SQLite file at `path` on its own, makes it a single self-contained file
/// (rollback journal, not WAL: a copy must not need a `-wal` beside it), checks its integrity
/// and reads what it holds.
pub async fn inspect_sqlite_file(path: &Path) -> Result<SnapshotFacts, StoreError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Delete);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let facts = read_facts(&mut conn).await;
    conn.close().await?;
    facts
}

async fn read_facts(conn: &mut SqliteConnection) -> Result<SnapshotFacts, StoreError> {
    let (integrity,): (String,) = sqlx::query_as("PRAGMA integrity_check(1)")
        .fetch_one(&mut *conn)
        .await?;
    if integrity != "ok" {
        return Err(StoreError::Corrupt(format!(
            "integrity check failed: {integrity}"
        )));
    }
    let (schema_version,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await?;
    let audit_head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(&mut *conn)
            .await?;
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut row_counts = BTreeMap::new();
    for (table,) in tables {
        // Table names come from sqlite_master, not from input; quoted as identifiers.
        let sql = format!("SELECT COUNT(*) FROM \"{}\"", table.replace('"', "\"\""));
        let (count,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *conn)
            .await?;
        row_counts.insert(table, count);
    }
    let files: Vec<(String, String)> =
        sqlx::query_as("SELECT id, sha256 FROM stored_files ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
    Ok(SnapshotFacts {
        schema_version,
        audit_head,
        row_counts,
        files,
    })
}

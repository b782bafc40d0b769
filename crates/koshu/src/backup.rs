//! `koshu backup` and `koshu restore` for the embedded configuration (SQLite and a local files
//! folder), G05/G06: an online copy while the server runs, and a restore that trusts nothing
//! it has not checked (every digest, the database's integrity, the audit chain, C07).
//! PostgreSQL and S3 have better tools of their own; the README says which.

use crate::config::{Config, FilesBackend};
use koshu_store::audit::AuditVerdict;
use koshu_store::backup::{SnapshotFacts, inspect_sqlite_file, sqlite_file};
use koshu_store::{FilesConfig, StoreError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

pub const MANIFEST: &str = "manifest.json";
pub const DATABASE: &str = "koshu.db";
const FILES: &str = "files";

/// What a backup holds and how to check it; written last, so a folder without it is not a
/// finished backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub koshu_version: String,
    /// When the copy was made (RFC 3339, UTC).
    pub created_at: String,
    /// The latest migration applied to the copied database.
    pub schema_version: i64,
    /// The audit log's last entry in the copy (C07); none if the log was empty.
    pub audit_head: Option<AuditHead>,
    /// Rows per table in the copied database.
    pub row_counts: BTreeMap<String, i64>,
    /// SHA-256 of every file of the backup, by its path inside the backup folder.
    pub sha256: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "koshu backup は組込み構成（SQLite とローカルのファイル）だけを複製します。PostgreSQL は pg_dump または PITR（WAL アーカイブ）で、S3 のファイルはバケットのバージョニングで保全してください（README「バックアップ」）。 / koshu backup copies the embedded configuration only (SQLite and local files): back up PostgreSQL with pg_dump or point-in-time recovery (WAL archiving) and S3 files with bucket versioning (README, \"Backups\")."
    )]
    NotEmbedded,
    #[error(
        "{0} は空ではありません。新しいか空のフォルダーを指定してください。 / {0} is not empty: give a new or empty folder."
    )]
    NotEmpty(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}: バックアップにありません。 / missing from the backup.")]
    Missing(String),
    #[error(
        "{file}: SHA-256 がマニフェストと一致しません。 / SHA-256 does not match the manifest (expected {expected}, found {found})."
    )]
    Digest {
        file: String,
        expected: String,
        found: String,
    },
    #[error(
        "{file}: 内容がデータベースの記録と一致しません。 / its bytes do not match the database's record (SHA-256 {expected} recorded, {found} found)."
    )]
    FileRecord {
        file: String,
        expected: String,
        found: String,
    },
    #[error("{file}: マニフェストを読めません。 / cannot read the manifest: {message}")]
    Manifest { file: PathBuf, message: String },
    #[error(
        "{file}: 復元したデータベースがマニフェストと一致しません。 / the restored database does not match the manifest: {message}"
    )]
    Mismatch { file: String, message: String },
    #[error("{DATABASE}: 監査ログが壊れています。 / the audit log is broken: {0}")]
    AuditBroken(String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The database file and the files folder of an embedded deployment, or why there are none.
fn embedded(config: &Config) -> Result<(PathBuf, PathBuf), BackupError> {
    let database = sqlite_file(&config.database_url()).ok_or(BackupError::NotEmbedded)?;
    match (config.files.backend, config.files_config()) {
        (FilesBackend::Local, FilesConfig::Local { dir }) => Ok((database, dir)),
        _ => Err(BackupError::NotEmbedded),
    }
}

/// A folder that is new, or empty: a backup or a restore never mixes with older contents.
fn ensure_empty(dir: &Path) -> Result<(), BackupError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(BackupError::NotEmpty(dir.to_owned())),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(io(dir))
        }
        Err(e) => Err(io(dir)(e)),
    }
}

/// Copies `from` to the new file `to` and returns the SHA-256 of the bytes written.
fn copy_hashing(from: &Path, to: &Path) -> Result<String, BackupError> {
    let mut source = std::fs::File::open(from).map_err(io(from))?;
    let mut target = std::fs::File::create_new(to).map_err(io(to))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let n = source.read(&mut buffer).map_err(io(from))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        target.write_all(&buffer[..n]).map_err(io(to))?;
    }
    target.sync_all().map_err(io(to))?;
    Ok(hex::encode(hasher.finalize()))
}

fn digest_of_file(path: &Path) -> Result<String, BackupError> {
    let mut file = std::fs::File::open(path).map_err(io(path))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(io(path))?;
    Ok(hex::encode(hasher.finalize()))
}

/// Makes a backup of the running (or stopped) embedded deployment in the new folder `dir`.
pub async fn backup(
    config: &Config,
    dir: &Path,
    now: OffsetDateTime,
) -> Result<Manifest, BackupError> {
    let (_, files_dir) = embedded(config)?;
    ensure_empty(dir)?;
    let store = crate::open_store(config).await?;
    let database = dir.join(DATABASE);
    let snapshot = store.snapshot_sqlite_into(&database).await;
    store.close().await;
    snapshot?;
    let facts = inspect_sqlite_file(&database).await?;
    let mut sha256 = BTreeMap::new();
    sha256.insert(DATABASE.to_owned(), digest_of_file(&database)?);
    // The files are copied after the database snapshot, on purpose: stored files are never
    // changed or removed, and their bytes are written before their record, so every file the
    // snapshot refers to already exists. Files added since are simply not in this backup.
    let copied = dir.join(FILES);
    std::fs::create_dir_all(&copied).map_err(io(&copied))?;
    for (id, recorded) in &facts.files {
        let name = format!("{FILES}/{id}");
        let found = copy_hashing(&files_dir.join(id), &dir.join(&name))?;
        if &found != recorded {
            return Err(BackupError::FileRecord {
                file: files_dir.join(id).display().to_string(),
                expected: recorded.clone(),
                found,
            });
        }
        sha256.insert(name, found);
    }
    let manifest = Manifest {
        koshu_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: now
            .to_offset(time::UtcOffset::UTC)
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| BackupError::Manifest {
                file: dir.join(MANIFEST),
                message: e.to_string(),
            })?,
        schema_version: facts.schema_version,
        audit_head: facts.audit_head.map(|(seq, hash)| AuditHead { seq, hash }),
        row_counts: facts.row_counts,
        sha256,
    };
    let path = dir.join(MANIFEST);
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| BackupError::Manifest {
        file: path.clone(),
        message: e.to_string(),
    })?;
    std::fs::write(&path, text + "\n").map_err(io(&path))?;
    Ok(manifest)
}

/// A path the manifest may name: the database, or one file directly inside `files/`. Anything
/// else (`..`, absolute paths, subfolders) would let a manifest write outside the target.
fn allowed_path(name: &str) -> bool {
    name == DATABASE
        || name.strip_prefix("files/").is_some_and(|id| {
            !id.is_empty() && id != "." && id != ".." && !id.contains(['/', '\\'])
        })
}

pub fn read_manifest(dir: &Path) -> Result<Manifest, BackupError> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    serde_json::from_str(&text).map_err(|e| BackupError::Manifest {
        file: path,
        message: e.to_string(),
    })
}

/// What a restore found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub files: usize,
    pub schema_version: i64,
    pub audit_entries: i64,
}

/// Checks the backup in `dir`, then restores it into the configured (new, empty) data folder
/// and verifies the result.
pub async fn restore(config: &Config, dir: &Path) -> Result<Restored, BackupError> {
    let (database, files_dir) = embedded(config)?;
    let manifest = read_manifest(dir)?;
    let manifest_path = dir.join(MANIFEST);
    if !manifest.sha256.contains_key(DATABASE) {
        return Err(BackupError::Missing(DATABASE.to_owned()));
    }
    // Every digest first: nothing is written from a backup that does not check out.
    for (name, expected) in &manifest.sha256 {
        if !allowed_path(name) {
            return Err(BackupError::Manifest {
                file: manifest_path,
                message: format!("{name} is not a path inside a backup"),
            });
        }
        let path = dir.join(name);
        if !path.is_file() {
            return Err(BackupError::Missing(name.clone()));
        }
        let found = digest_of_file(&path)?;
        if &found != expected {
            return Err(BackupError::Digest {
                file: name.clone(),
                expected: expected.clone(),
                found,
            });
        }
    }
    ensure_empty(&config.data_dir)?;
    ensure_empty(&files_dir)?;
    if let Some(parent) = database.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    // Copied with their digests computed again, so a backup changed after the check above is
    // still caught.
    let place = |name: &str, target: &Path| -> Result<(), BackupError> {
        let found = copy_hashing(&dir.join(name), target)?;
        match manifest.sha256.get(name) {
            Some(expected) if *expected == found => Ok(()),
            expected => Err(BackupError::Digest {
                file: name.to_owned(),
                expected: expected.cloned().unwrap_or_default(),
                found,
            }),
        }
    };
    for id in manifest
        .sha256
        .keys()
        .filter_map(|n| n.strip_prefix("files/"))
    {
        place(&format!("{FILES}/{id}"), &files_dir.join(id))?;
    }
    // The database is opened on a scratch copy: opening it as Koshu does turns on WAL, which
    // rewrites its header, and the restored file is to stay byte for byte what the manifest
    // lists. The scratch copy has the same digest, so what it shows holds for the restored one.
    let scratch = config.data_dir.join(".restore-check");
    std::fs::create_dir_all(&scratch).map_err(io(&scratch))?;
    let checked = check_database(config, &manifest, &scratch, &place).await;
    std::fs::remove_dir_all(&scratch).map_err(io(&scratch))?;
    let restored = checked?;
    place(DATABASE, &database)?;
    Ok(restored)
}

/// Copies the database into `scratch`, checks it against the manifest, opens it and verifies
/// the audit chain (C07).
async fn check_database(
    config: &Config,
    manifest: &Manifest,
    scratch: &Path,
    place: &impl Fn(&str, &Path) -> Result<(), BackupError>,
) -> Result<Restored, BackupError> {
    let copy = scratch.join(DATABASE);
    place(DATABASE, &copy)?;
    let facts = inspect_sqlite_file(&copy).await?;
    check_facts(manifest, &facts).map_err(|message| BackupError::Mismatch {
        file: DATABASE.to_owned(),
        message,
    })?;
    let mut on_copy = config.clone();
    on_copy.database_url = Some(crate::config::SecretUrl::new(format!(
        "sqlite://{}",
        copy.display()
    )));
    let store = crate::open_store(&on_copy).await?;
    let verdict = store.verify_audit_log().await;
    store.close().await;
    match verdict? {
        AuditVerdict::Intact { entries } => Ok(Restored {
            files: facts.files.len(),
            schema_version: facts.schema_version,
            audit_entries: entries,
        }),
        AuditVerdict::Broken(at) => Err(BackupError::AuditBroken(at.to_string())),
    }
}

/// The restored database holds what the manifest says was copied.
fn check_facts(manifest: &Manifest, facts: &SnapshotFacts) -> Result<(), String> {
    let head = facts
        .audit_head
        .clone()
        .map(|(seq, hash)| AuditHead { seq, hash });
    if head != manifest.audit_head {
        return Err(format!(
            "audit head {head:?}, the manifest says {:?}",
            manifest.audit_head
        ));
    }
    if facts.row_counts != manifest.row_counts {
        return Err(format!(
            "row counts {:?}, the manifest says {:?}",
            facts.row_counts, manifest.row_counts
        ));
    }
    if facts.schema_version != manifest.schema_version {
        return Err(format!(
            "schema version {}, the manifest says {}",
            facts.schema_version, manifest.schema_version
        ));
    }
    let missing: Vec<&String> = facts
        .files
        .iter()
        .map(|(id, _)| id)
        .filter(|id| !manifest.sha256.contains_key(&format!("{FILES}/{id}")))
        .collect();
    if !missing.is_empty() {
        return Err(format!("stored files not in the backup: {missing:?}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_names_only_paths_inside_the_backup() {
        for good in ["koshu.db", "files/0190a1b2-c3d4"] {
            assert!(allowed_path(good), "{good}");
        }
        for bad in [
            "../koshu.db",
            "/etc/passwd",
            "files/",
            "files/..",
            "files/a/b",
            "files/..\\x",
            "manifest.json",
        ] {
            assert!(!allowed_path(bad), "{bad}");
        }
    }
}

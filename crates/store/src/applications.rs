//! 特定講習 applications (B34): a working draft per application, editable by the provider, and
//! the versions it submitted, which are only ever inserted. A version holds the application and
//! the list of its documents (each an immutable stored file with its SHA-256) as they were, and
//! the digest of both.

use crate::audit::append_audit;
use crate::codes::decode;
use crate::db::on_db;
use crate::reviews::move_status;
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};
use koshu_domain::audit::{AuditEvent, digest_of};
use koshu_domain::designation::Application;
use koshu_domain::designation::lifecycle::Status;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// An application's working draft.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationRecord {
    pub id: String,
    pub organisation_id: String,
    pub title: String,
    pub draft: Application,
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// The newest submitted version's number, if any.
    pub latest_version: Option<i64>,
    pub status: Status,
}

/// A document attached to an application, as listed in a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedDocument {
    pub file_id: String,
    pub kind: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// A submitted version, never changed.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationVersion {
    pub application_id: String,
    pub version: i64,
    pub application: Application,
    pub documents: Vec<AttachedDocument>,
    pub digest: String,
    pub submitted_by: String,
    pub submitted_at: OffsetDateTime,
}

type DraftRow = (
    String,
    String,
    String,
    String,
    String,
    OffsetDateTime,
    OffsetDateTime,
    Option<i64>,
    String,
);

const DRAFT_COLUMNS: &str = "a.id, a.organisation_id, a.title, a.draft, a.created_by, a.created_at, a.updated_at, \
     (SELECT MAX(v.version) FROM application_versions v WHERE v.application_id = a.id), a.status";

fn draft_record(row: DraftRow) -> Result<ApplicationRecord, StoreError> {
    let (
        id,
        organisation_id,
        title,
        draft,
        created_by,
        created_at,
        updated_at,
        latest_version,
        status,
    ) = row;
    Ok(ApplicationRecord {
        draft: serde_json::from_str(&draft)?,
        id,
        organisation_id,
        title,
        created_by,
        created_at,
        updated_at,
        latest_version,
        status: decode(&status)?,
    })
}

type DocumentRow = (String, String, String, i64, String);

const ATTACHED_DOCUMENTS: &str = "SELECT f.id, af.kind, f.file_name, f.size_bytes, f.sha256 FROM application_files af JOIN stored_files f ON f.id = af.file_id WHERE af.application_id = $1 AND af.removed_at IS NULL ORDER BY af.added_at, f.id";

fn attached_document(row: DocumentRow) -> AttachedDocument {
    let (file_id, kind, file_name, size_bytes, sha256) = row;
    AttachedDocument {
        file_id,
        kind,
        file_name,
        size_bytes,
        sha256,
    }
}

type VersionRow = (String, i64, String, String, String, String, OffsetDateTime);

fn version_record(row: VersionRow) -> Result<ApplicationVersion, StoreError> {
    let (application_id, version, document, documents, digest, submitted_by, submitted_at) = row;
    Ok(ApplicationVersion {
        application: serde_json::from_str(&document)?,
        documents: serde_json::from_str(&documents)?,
        application_id,
        version,
        digest,
        submitted_by,
        submitted_at,
    })
}

/// The digest of a version: the application's JSON and the documents' list (with their
/// SHA-256), so that a changed file changes the digest as a changed field does.
pub fn version_digest(document: &str, documents: &str) -> String {
    digest_of(format!("{document}\n{documents}").as_bytes())
}

fn subject(id: &str) -> String {
    format!("application:{id}")
}

impl Store {
    pub async fn application(&self, id: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        let row: Option<DraftRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {DRAFT_COLUMNS} FROM applications a WHERE a.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(draft_record).transpose()
    }

    /// An organisation's applications, the most recently edited first.
    pub async fn applications_of(
        &self,
        organisation_id: &str,
    ) -> Result<Vec<ApplicationRecord>, StoreError> {
        let rows: Vec<DraftRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {DRAFT_COLUMNS} FROM applications a WHERE a.organisation_id = $1 ORDER BY a.updated_at DESC, a.id")))
                .bind(organisation_id)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(draft_record).collect()
    }

    /// The submitted versions, oldest first.
    pub async fn application_versions(
        &self,
        id: &str,
    ) -> Result<Vec<ApplicationVersion>, StoreError> {
        let rows: Vec<VersionRow> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT application_id, version, document, documents, digest, submitted_by, submitted_at FROM application_versions WHERE application_id = $1 ORDER BY version")
                .bind(id)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(version_record).collect()
    }

    pub async fn application_version(
        &self,
        id: &str,
        version: i64,
    ) -> Result<Option<ApplicationVersion>, StoreError> {
        let row: Option<VersionRow> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT application_id, version, document, documents, digest, submitted_by, submitted_at FROM application_versions WHERE application_id = $1 AND version = $2")
                .bind(id)
                .bind(version)
                .fetch_optional(pool)
                .await?
        });
        row.map(version_record).transpose()
    }

    /// The documents attached to the draft now, in the order they were added.
    pub async fn application_documents(
        &self,
        id: &str,
    ) -> Result<Vec<AttachedDocument>, StoreError> {
        let rows: Vec<DocumentRow> = on_db!(&self.db, pool => {
            sqlx::query_as(ATTACHED_DOCUMENTS).bind(id).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(attached_document).collect())
    }

    /// Whether the file was ever attached to the application (a version may still list it).
    pub async fn was_attached(&self, id: &str, file_id: &str) -> Result<bool, StoreError> {
        let (n,): (i64,) = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT COUNT(*) FROM application_files WHERE application_id = $1 AND file_id = $2")
                .bind(id)
                .bind(file_id)
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }
}

impl UnitOfWork {
    pub async fn create_application(
        &mut self,
        id: &str,
        organisation_id: &str,
        draft: &Application,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let doc = serde_json::to_string(draft)?;
        write_step!(self, "create_application", tx => {
            sqlx::query("INSERT INTO applications (id, organisation_id, title, draft, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)")
                .bind(id)
                .bind(organisation_id)
                .bind(&draft.course.name)
                .bind(&doc)
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let event = AuditEvent::new(now, actor, "application.create", subject(id))
                .with_digests(None, Some(digest_of(doc.as_bytes())));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Replaces the draft; audited with the digests before and after (nothing when unchanged).
    pub async fn save_draft(
        &mut self,
        id: &str,
        draft: &Application,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let doc = serde_json::to_string(draft)?;
        let after = digest_of(doc.as_bytes());
        write_step!(self, "save_draft", tx => {
            let before: Option<(String,)> = sqlx::query_as("SELECT draft FROM applications WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((before,)) = before else {
                return Err(StoreError::NotFound);
            };
            let before = digest_of(before.as_bytes());
            if before == after {
                return Ok(());
            }
            sqlx::query("UPDATE applications SET title = $2, draft = $3, updated_at = $4 WHERE id = $1")
                .bind(id)
                .bind(&draft.course.name)
                .bind(&doc)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let event = AuditEvent::new(now, actor, "application.edit", subject(id))
                .with_digests(Some(before), Some(after));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Submits `application` (the draft as the caller checked it, with the organisation's
    /// current details) with the documents attached now, as the next version.
    /// `m` is the status change submission makes (from draft or revision requested to
    /// submitted), as the domain's transition function decided it; written in the same
    /// transaction, and refused (`Conflict`) if the status moved meanwhile.
    pub async fn submit_application(
        &mut self,
        id: &str,
        application: &Application,
        m: crate::reviews::Move,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<ApplicationVersion, StoreError> {
        let document = serde_json::to_string(application)?;
        let now = koshu_domain::audit::truncate_to_micros(now);
        let (version, attached, digest) = write_step!(self, "submit_application", tx => {
            // Inside the unit: it sees documents this unit attached, and no other writer's.
            let rows: Vec<DocumentRow> = sqlx::query_as(ATTACHED_DOCUMENTS).bind(id).fetch_all(&mut *tx).await?;
            let attached: Vec<AttachedDocument> = rows.into_iter().map(attached_document).collect();
            let documents = serde_json::to_string(&attached)?;
            let digest = version_digest(&document, &documents);
            let (latest,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM application_versions WHERE application_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            let version = latest.unwrap_or(0) + 1;
            move_status!(tx, id, m);
            sqlx::query("INSERT INTO application_versions (application_id, version, document, documents, digest, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(id)
                .bind(version)
                .bind(&document)
                .bind(&documents)
                .bind(&digest)
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let event = AuditEvent::new(now, actor, "application.submit", format!("{}/version:{version}/{}->{}", subject(id), m.from, m.to))
                .with_digests(None, Some(digest.clone()));
            append_audit!(tx, event);
            Ok((version, attached, digest))
        })?;
        Ok(ApplicationVersion {
            application_id: id.to_owned(),
            version,
            application: application.clone(),
            documents: attached,
            digest,
            submitted_by: actor.to_owned(),
            submitted_at: now,
        })
    }

    /// Attaches a stored file to the draft.
    pub async fn attach_document(
        &mut self,
        id: &str,
        file_id: &str,
        kind: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "attach_document", tx => {
            sqlx::query("INSERT INTO application_files (application_id, file_id, kind, added_at) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(file_id)
                .bind(kind)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let event = AuditEvent::new(now, actor, "application.attach", format!("{}/file:{file_id}", subject(id)));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Takes a file off the draft; versions that listed it keep it.
    pub async fn detach_document(
        &mut self,
        id: &str,
        file_id: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "detach_document", tx => {
            let changed = sqlx::query("UPDATE application_files SET removed_at = $3 WHERE application_id = $1 AND file_id = $2 AND removed_at IS NULL")
                .bind(id)
                .bind(file_id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound);
            }
            let event = AuditEvent::new(now, actor, "application.detach", format!("{}/file:{file_id}", subject(id)));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Deletes a draft that was never submitted, with its attachments (the stored files stay,
    /// unreferenced: bytes are never deleted). A draft submitted meanwhile is a conflict.
    pub async fn delete_draft(
        &mut self,
        id: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "delete_draft", tx => {
            let draft: Option<(String,)> = sqlx::query_as("SELECT draft FROM applications WHERE id = $1 AND status = 'draft' AND NOT EXISTS (SELECT 1 FROM application_versions WHERE application_id = $1)")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((doc,)) = draft else {
                return Err(StoreError::Conflict(crate::Conflict::StatusChanged));
            };
            sqlx::query("DELETE FROM application_files WHERE application_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM applications WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let event = AuditEvent::new(now, actor, "application.delete", subject(id))
                .with_digests(Some(digest_of(doc.as_bytes())), None);
            append_audit!(tx, event);
            Ok(())
        })
    }
}

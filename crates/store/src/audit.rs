//! Appending to and verifying the hash-chained audit log (C07). The chain arithmetic lives in
//! `koshu_domain::audit`; this module only stores and reads entries.

use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};
use futures::TryStreamExt;
use koshu_domain::audit::{AuditEntry, AuditEvent, ChainBreak, ChainVerifier};
use time::OffsetDateTime;

/// Appends `$event` inside the open write transaction `$tx` and evaluates to its sequence
/// number. A macro rather than a function so the same text serves both backends' connections.
macro_rules! append_audit {
    ($tx:expr, $event:expr) => {{
        let head: Option<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(&mut *$tx)
            .await?;
        let entry = $event.chain_after(head.as_ref().map(|(seq, hash)| (*seq, hash.as_str())));
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, subject, before_digest, after_digest, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(entry.seq)
        .bind(entry.event.at)
        .bind(&entry.event.actor)
        .bind(&entry.event.action)
        .bind(&entry.event.subject)
        .bind(&entry.event.before_digest)
        .bind(&entry.event.after_digest)
        .bind(&entry.prev_hash)
        .bind(&entry.hash)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        )
        .bind(entry.seq)
        .bind(&entry.hash)
        .execute(&mut *$tx)
        .await?;
        entry.seq
    }};
}
pub(crate) use append_audit;

#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    at: OffsetDateTime,
    actor: String,
    action: String,
    subject: String,
    before_digest: Option<String>,
    after_digest: Option<String>,
    prev_hash: String,
    hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            seq: r.seq,
            event: AuditEvent {
                at: r.at,
                actor: r.actor,
                action: r.action,
                subject: r.subject,
                before_digest: r.before_digest,
                after_digest: r.after_digest,
            },
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// The result of checking the whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditVerdict {
    Intact { entries: i64 },
    Broken(ChainBreak),
}

macro_rules! select_entries {
    ($tail:literal) => {
        concat!("SELECT seq, at, actor, action, subject, before_digest, after_digest, prev_hash, hash FROM audit_log ", $tail)
    };
}

impl Store {
    /// Records an event in a unit of work of its own: for use cases whose only write is the
    /// audit entry (a sign-in, an export).
    pub async fn record_event(&self, event: AuditEvent) -> Result<i64, StoreError> {
        let mut unit = self.write().await?;
        let seq = unit.record_event(event).await?;
        unit.commit().await?;
        Ok(seq)
    }

    /// Walks the log in order, streaming, and reports the first break.
    pub async fn verify_audit_log(&self) -> Result<AuditVerdict, StoreError> {
        let mut verifier = ChainVerifier::default();
        let head: Option<(i64, String)> = on_db!(&self.db, pool => {
            let mut rows = sqlx::query_as::<_, AuditRow>(select_entries!("ORDER BY seq")).fetch(pool);
            while let Some(row) = rows.try_next().await? {
                if let Err(e) = verifier.check(&row.into()) {
                    return Ok(AuditVerdict::Broken(e));
                }
            }
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_optional(pool).await?
        });
        Ok(
            match verifier.finish(head.as_ref().map(|(s, h)| (*s, h.as_str()))) {
                Ok(entries) => AuditVerdict::Intact { entries },
                Err(e) => AuditVerdict::Broken(e),
            },
        )
    }

    /// The newest entries first, for the administrators' view.
    pub async fn recent_audit_entries(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> = on_db!(&self.db, pool => {
            sqlx::query_as(select_entries!("ORDER BY seq DESC LIMIT $1"))
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The entries about any of `subjects` (`listing:p-…`), newest first: a record's history.
    pub async fn audit_entries_about(
        &self,
        subjects: &[&str],
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut all = Vec::new();
        for subject in subjects {
            let rows: Vec<AuditRow> = on_db!(&self.db, pool => {
                sqlx::query_as(select_entries!("WHERE subject = $1 ORDER BY seq DESC LIMIT $2"))
                    .bind(*subject)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
            });
            all.extend(rows.into_iter().map(AuditEntry::from));
        }
        all.sort_by_key(|e| std::cmp::Reverse(e.seq));
        all.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(all)
    }
}

impl UnitOfWork {
    /// Records an event that changes no table of its own (sign-ins, exports, ...).
    pub async fn record_event(&mut self, event: AuditEvent) -> Result<i64, StoreError> {
        write_step!(self, "record_event", tx => {
            let seq = append_audit!(tx, event);
            Ok(seq)
        })
    }
}

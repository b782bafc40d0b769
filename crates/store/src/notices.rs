//! Notices about a designated course: changes (様式第3号; C03, C04) and abolition (様式第4号;
//! C05). A notice is filed before its effective date and applied on that date by a scheduled
//! job; both steps are audited.

use crate::audit::append_audit;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};
use koshu_domain::audit::{AuditEvent, digest_of};
use time::{Date, OffsetDateTime};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Notice {
    pub id: String,
    pub application_id: String,
    pub number: String,
    /// `change` or `abolition`.
    pub kind: String,
    pub document: String,
    pub items: String,
    pub measures: String,
    /// Why the provider changes or abolishes the course.
    pub reason: String,
    pub effective_on: Date,
    pub filed_at: OffsetDateTime,
    pub applied_at: Option<OffsetDateTime>,
}

/// A notice to file.
#[derive(Debug, Clone)]
pub struct NewNotice<'a> {
    pub id: &'a str,
    pub application_id: &'a str,
    pub number: &'a str,
    pub kind: &'a str,
    pub document: &'a str,
    pub items: &'a str,
    pub measures: &'a str,
    pub reason: &'a str,
    pub effective_on: Date,
}

const COLUMNS: &str = "id, application_id, number, kind, document, items, measures, reason, effective_on, filed_at, applied_at";

/// A notice with its course's title.
#[derive(sqlx::FromRow)]
struct TitledNotice {
    #[sqlx(flatten)]
    notice: Notice,
    title: String,
}

impl Store {
    pub async fn notice(&self, id: &str) -> Result<Option<Notice>, StoreError> {
        let row: Option<Notice> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM designation_notices WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row)
    }

    pub async fn notices_of(&self, application_id: &str) -> Result<Vec<Notice>, StoreError> {
        let rows: Vec<Notice> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM designation_notices WHERE application_id = $1 ORDER BY filed_at, id")))
                .bind(application_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows)
    }

    /// The newest `limit` notices of every course, with the course's title: what the ministry
    /// reads.
    pub async fn latest_notices(&self, limit: i64) -> Result<Vec<(Notice, String)>, StoreError> {
        let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("n.{c}")).collect();
        let sql = format!(
            "SELECT {}, a.title FROM designation_notices n JOIN applications a ON a.id = n.application_id ORDER BY n.filed_at DESC, n.id DESC LIMIT $1",
            columns.join(", ")
        );
        let rows: Vec<TitledNotice> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(|r| (r.notice, r.title)).collect())
    }
}

impl UnitOfWork {
    pub async fn file_notice(
        &mut self,
        n: &NewNotice<'_>,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "file_notice", tx => {
            sqlx::query("INSERT INTO designation_notices (id, application_id, number, kind, document, items, measures, reason, effective_on, filed_by, filed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .bind(n.id)
                .bind(n.application_id)
                .bind(n.number)
                .bind(n.kind)
                .bind(n.document)
                .bind(n.items)
                .bind(n.measures)
                .bind(n.reason)
                .bind(n.effective_on)
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let event = AuditEvent::new(now, actor, format!("designation.{}_filed", n.kind), format!("designation:{}/notice:{}", n.number, n.id))
                .with_digests(None, Some(digest_of(format!("{}\n{}\n{}\n{}", n.document, n.items, n.measures, n.reason).as_bytes())));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Marks a notice applied (once: `false` if it already was).
    pub async fn mark_notice_applied(
        &mut self,
        id: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        write_step!(self, "mark_notice_applied", tx => {
            let changed = sqlx::query("UPDATE designation_notices SET applied_at = $2 WHERE id = $1 AND applied_at IS NULL")
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Ok(false);
            }
            let event = AuditEvent::new(now, actor, "designation.notice_applied", format!("notice:{id}"));
            append_audit!(tx, event);
            Ok(true)
        })
    }
}

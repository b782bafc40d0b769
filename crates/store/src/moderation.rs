//! Moderation (issue 14 item 5): visitors' reports about a programme, and the ministry's
//! hiding of a programme. A hidden programme leaves the index like a removed one (its audit
//! entry is a `programme.` action, which the index follows); every step is audited.

use crate::audit::append_audit;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};
use koshu_domain::audit::AuditEvent;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Report {
    pub id: String,
    pub programme_id: String,
    pub reason: String,
    pub details: String,
    pub contact: String,
    pub received_at: OffsetDateTime,
    pub closed_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Hiding {
    pub programme_id: String,
    pub reason: String,
    pub hidden_at: OffsetDateTime,
}

impl Store {
    /// The reports, open ones first, newest first within each.
    pub async fn programme_reports(&self, limit: i64) -> Result<Vec<Report>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, programme_id, reason, details, contact, received_at, closed_at FROM programme_reports \
                 ORDER BY (closed_at IS NULL) DESC, received_at DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The reports about one programme, oldest first.
    pub async fn reports_about(&self, programme_id: &str) -> Result<Vec<Report>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, programme_id, reason, details, contact, received_at, closed_at FROM programme_reports \
                 WHERE programme_id = $1 ORDER BY received_at",
            )
            .bind(programme_id)
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn hiding(&self, programme_id: &str) -> Result<Option<Hiding>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as("SELECT programme_id, reason, hidden_at FROM programme_hidings WHERE programme_id = $1")
                .bind(programme_id)
                .fetch_optional(pool)
                .await?
        }))
    }
}

impl UnitOfWork {
    /// A visitor's report (the visitor is named by the client address's digest in the log).
    #[allow(
        clippy::too_many_arguments,
        reason = "one audited write, every part named"
    )]
    pub async fn report_programme(
        &mut self,
        id: &str,
        programme_id: &str,
        reason: &str,
        details: &str,
        contact: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "report_programme", tx => {
            sqlx::query(
                "INSERT INTO programme_reports (id, programme_id, reason, details, contact, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(programme_id)
            .bind(reason)
            .bind(details)
            .bind(contact)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(now, actor, "report.receive", format!("report:{id}"));
            append_audit!(tx, event);
            Ok(())
        })
    }

    pub async fn close_report(
        &mut self,
        id: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "close_report", tx => {
            let done = sqlx::query("UPDATE programme_reports SET closed_at = $1, closed_by = $2 WHERE id = $3 AND closed_at IS NULL")
                .bind(now)
                .bind(actor)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::NotFound);
            }
            let event = AuditEvent::new(now, actor, "report.close", format!("report:{id}"));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Hides the programme with `reason` (or, with `None`, shows it again).
    pub async fn hide_programme(
        &mut self,
        programme_id: &str,
        reason: Option<&str>,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "hide_programme", tx => {
            let action = match reason {
                Some(reason) => {
                    sqlx::query(
                        "INSERT INTO programme_hidings (programme_id, reason, hidden_by, hidden_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (programme_id) DO UPDATE SET reason = excluded.reason, hidden_by = excluded.hidden_by, hidden_at = excluded.hidden_at",
                    )
                    .bind(programme_id)
                    .bind(reason)
                    .bind(actor)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    "programme.hide"
                }
                None => {
                    let done = sqlx::query("DELETE FROM programme_hidings WHERE programme_id = $1")
                        .bind(programme_id)
                        .execute(&mut *tx)
                        .await?;
                    if done.rows_affected() != 1 {
                        return Err(StoreError::NotFound);
                    }
                    "programme.unhide"
                }
            };
            let event = AuditEvent::new(now, actor, action, format!("programme:{programme_id}"));
            append_audit!(tx, event);
            Ok(())
        })
    }
}

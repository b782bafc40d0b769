//! Outgoing mail. Every message is written here first, in the database, whatever delivers it:
//! the embedded default needs no mail server (administrators read the outbox), and with SMTP
//! configured a sender delivers what is unsent and records the result.

use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};
use time::OffsetDateTime;

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// An iCalendar file sent with it (`koshu.ics`): the dates of what the mail confirms.
    pub calendar: Option<String>,
}

/// A message as kept in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxEntry {
    pub id: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub calendar: Option<String>,
}

const COLUMNS: &str =
    "id, to_address, subject, body, created_at, sent_at, attempts, last_error, calendar";

impl Store {
    /// The newest messages first (ids are time-ordered UUIDv7).
    pub async fn outbox(&self, limit: i64, offset: i64) -> Result<Vec<OutboxEntry>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1 OFFSET $2")))
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?
        }))
    }

    pub async fn outbox_count(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT COUNT(*) FROM outbox").fetch_one(pool).await?
        });
        Ok(n)
    }

    /// Messages not yet delivered: the outbox's depth.
    pub async fn unsent_count(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").fetch_one(pool).await?
        });
        Ok(n)
    }

    /// Unsent messages that have been tried fewer than `max_attempts` times, oldest first.
    pub async fn unsent_mail(
        &self,
        max_attempts: i32,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM outbox WHERE sent_at IS NULL AND attempts < $1 ORDER BY id LIMIT $2"
            )))
            .bind(max_attempts)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Claims a message for one delivery attempt; `false` when another node claimed it first.
    pub async fn claim_mail(&self, id: &str, attempts_seen: i32) -> Result<bool, StoreError> {
        let changed = on_db!(&self.db, pool => {
            sqlx::query("UPDATE outbox SET attempts = attempts + 1 WHERE id = $1 AND attempts = $2 AND sent_at IS NULL")
                .bind(id)
                .bind(attempts_seen)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(changed == 1)
    }

    pub async fn mark_mail_sent(&self, id: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE outbox SET sent_at = $2, last_error = NULL WHERE id = $1")
                .bind(id)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn mark_mail_failed(&self, id: &str, error: &str) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query("UPDATE outbox SET last_error = $2 WHERE id = $1")
                .bind(id)
                .bind(error.chars().take(500).collect::<String>())
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

impl UnitOfWork {
    /// Queues a mail; it is sent (or shown to administrators) only if the unit commits.
    pub async fn enqueue_mail(
        &mut self,
        mail: &Mail,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        write_step!(self, "enqueue_mail", tx => {
            sqlx::query("INSERT INTO outbox (id, to_address, subject, body, created_at, attempts, calendar) VALUES ($1, $2, $3, $4, $5, 0, $6)")
                .bind(&id)
                .bind(&mail.to)
                .bind(&mail.subject)
                .bind(&mail.body)
                .bind(now)
                .bind(&mail.calendar)
                .execute(&mut *tx)
                .await?;
            Ok(id)
        })
    }
}

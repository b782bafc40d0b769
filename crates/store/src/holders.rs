//! The RISS holder's ledger (issue 18; F01–F03): the declared registration, the courses the
//! holder added, and the reminders sent. The rules are `koshu_domain::holder`'s; Koshu's own
//! completions are the holder's credentials (`credentials`).

use crate::audit::append_audit;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};
use koshu_domain::audit::{AuditEvent, digest_of};
use koshu_domain::holder::{CourseKind, Registration, Standing};
use koshu_domain::types::RissNumber;
use std::collections::BTreeSet;
use time::{Date, OffsetDateTime};

/// A holder's declared registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderLink {
    pub account_id: String,
    pub registration: Registration,
    pub linked_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    account_id: String,
    riss_number: String,
    registered_on: Date,
    renewed_on: Option<Date>,
    linked_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl TryFrom<LinkRow> for HolderLink {
    type Error = StoreError;
    fn try_from(r: LinkRow) -> Result<Self, StoreError> {
        let number = RissNumber::parse(&r.riss_number)
            .map_err(|_| StoreError::Corrupt(format!("holder {}: riss_number", r.account_id)))?;
        Ok(Self {
            registration: Registration {
                number,
                registered_on: r.registered_on,
                renewed_on: r.renewed_on,
            },
            account_id: r.account_id,
            linked_at: r.linked_at,
            updated_at: r.updated_at,
        })
    }
}

/// A course the holder added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolderCourse {
    pub id: String,
    pub account_id: String,
    pub kind: CourseKind,
    pub title: String,
    pub provider: String,
    pub completed_on: Date,
    /// `Verified` or `SelfReported` (a pasted credential is checked once, when added).
    pub standing: Standing,
    /// The pasted credential, as given.
    pub credential: Option<String>,
    /// The verification's outcome code for a pasted credential.
    pub verdict: Option<String>,
    /// An uploaded certificate.
    pub file_id: Option<String>,
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct CourseRow {
    id: String,
    account_id: String,
    kind: String,
    title: String,
    provider: String,
    completed_on: Date,
    standing: String,
    credential: Option<String>,
    verdict: Option<String>,
    file_id: Option<String>,
    created_at: OffsetDateTime,
}

fn standing_code(s: Standing) -> &'static str {
    match s {
        Standing::Verified => "verified",
        Standing::SelfReported => "self_reported",
        Standing::Withdrawn => "withdrawn",
    }
}

impl TryFrom<CourseRow> for HolderCourse {
    type Error = StoreError;
    fn try_from(r: CourseRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("holder course {}: {what}", r.id));
        let standing = match r.standing.as_str() {
            "verified" => Standing::Verified,
            "self_reported" => Standing::SelfReported,
            _ => return Err(corrupt("standing")),
        };
        Ok(Self {
            kind: CourseKind::from_code(&r.kind).ok_or_else(|| corrupt("kind"))?,
            standing,
            id: r.id,
            account_id: r.account_id,
            title: r.title,
            provider: r.provider,
            completed_on: r.completed_on,
            credential: r.credential,
            verdict: r.verdict,
            file_id: r.file_id,
            created_at: r.created_at,
        })
    }
}

const LINK: &str = "SELECT account_id, riss_number, registered_on, renewed_on, linked_at, updated_at FROM holder_links";

const COURSE: &str = "SELECT id, account_id, kind, title, provider, completed_on, standing, credential, verdict, \
     file_id, created_at FROM holder_courses";

impl Store {
    pub async fn holder_link(&self, account_id: &str) -> Result<Option<HolderLink>, StoreError> {
        let row: Option<LinkRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{LINK} WHERE account_id = $1")))
                .bind(account_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(HolderLink::try_from).transpose()
    }

    /// The holder whose calendar feed address carries the secret hashed to `token_hash`.
    pub async fn holder_by_calendar_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<HolderLink>, StoreError> {
        let row: Option<LinkRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{LINK} WHERE calendar_token_hash = $1")))
                .bind(token_hash)
                .fetch_optional(pool)
                .await?
        });
        row.map(HolderLink::try_from).transpose()
    }

    /// Every linked holder, by registration date (the registry's counts, the reminder sweep).
    pub async fn holder_links(&self) -> Result<Vec<HolderLink>, StoreError> {
        let rows: Vec<LinkRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{LINK} ORDER BY registered_on, account_id"
            )))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(HolderLink::try_from).collect()
    }

    /// The courses a holder added, oldest first.
    pub async fn holder_courses(&self, account_id: &str) -> Result<Vec<HolderCourse>, StoreError> {
        let rows: Vec<CourseRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{COURSE} WHERE account_id = $1 ORDER BY completed_on, id"
            )))
            .bind(account_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(HolderCourse::try_from).collect()
    }

    /// Every holder-added course (the registry's counts).
    pub async fn all_holder_courses(&self) -> Result<Vec<HolderCourse>, StoreError> {
        let rows: Vec<CourseRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{COURSE} ORDER BY account_id, completed_on, id")))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(HolderCourse::try_from).collect()
    }

    /// F01: the newest identity check (B30 ①) at which a course found the holder's number to
    /// match their learner profile, while the profile holds `number`: (session, checked at).
    pub async fn riss_confirmed_by_course(
        &self,
        account_id: &str,
        number: &str,
    ) -> Result<Option<(String, OffsetDateTime)>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT i.session_id, i.checked_at FROM identity_checks i \
                 JOIN learners l ON l.account_id = i.account_id \
                 WHERE i.account_id = $1 AND i.riss_result = 'matches' AND l.riss_number = $2 \
                 ORDER BY i.checked_at DESC LIMIT 1",
            )
            .bind(account_id)
            .bind(number)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The reminders mailed to a holder: (deadline, days before).
    pub async fn holder_reminders_sent(
        &self,
        account_id: &str,
    ) -> Result<BTreeSet<(Date, i64)>, StoreError> {
        let rows: Vec<(Date, i64)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT deadline, days_before FROM holder_reminders WHERE account_id = $1")
                .bind(account_id)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().collect())
    }
}

impl UnitOfWork {
    /// Links or updates the holder's registration. Changing the number or the dates keeps the
    /// reminders already sent: they were sent for deadlines, which the new dates may share.
    pub async fn save_holder_link(
        &mut self,
        account_id: &str,
        registration: &Registration,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "save_holder_link", tx => {
            sqlx::query(
                "INSERT INTO holder_links (account_id, riss_number, registered_on, renewed_on, linked_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) \
                 ON CONFLICT (account_id) DO UPDATE SET riss_number = excluded.riss_number, \
                 registered_on = excluded.registered_on, renewed_on = excluded.renewed_on, updated_at = excluded.updated_at",
            )
            .bind(account_id)
            .bind(registration.number.digits())
            .bind(registration.registered_on)
            .bind(registration.renewed_on)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let summary = format!("{}|{}|{:?}", registration.number, registration.registered_on, registration.renewed_on);
            let audit = AuditEvent::new(now, actor.to_owned(), "holder.link", format!("account:{account_id}"))
                .with_digests(None, Some(digest_of(summary.as_bytes())));
            append_audit!(tx, audit);
            Ok(())
        })
    }

    /// Sets (or replaces) the hash of the holder's calendar feed secret; false when the holder
    /// has no link.
    pub async fn set_holder_calendar_token(
        &mut self,
        account_id: &str,
        token_hash: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        write_step!(self, "set_holder_calendar_token", tx => {
            let changed = sqlx::query("UPDATE holder_links SET calendar_token_hash = $1 WHERE account_id = $2")
                .bind(token_hash)
                .bind(account_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 1 {
                let audit = AuditEvent::new(now, actor.to_owned(), "holder.calendar_token", format!("account:{account_id}"));
                append_audit!(tx, audit);
            }
            Ok(changed == 1)
        })
    }

    /// Removes the link and everything the holder added; answers the ids of the uploaded
    /// certificates whose records went, so their bytes can be removed after the commit.
    pub async fn remove_holder_link(
        &mut self,
        account_id: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<String>, StoreError> {
        write_step!(self, "remove_holder_link", tx => {
            let files: Vec<String> = sqlx::query_scalar(
                "SELECT file_id FROM holder_courses WHERE account_id = $1 AND file_id IS NOT NULL",
            )
            .bind(account_id)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM holder_courses WHERE account_id = $1")
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
            for id in &files {
                sqlx::query("DELETE FROM stored_files WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM holder_reminders WHERE account_id = $1")
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM holder_links WHERE account_id = $1")
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
            let audit = AuditEvent::new(now, actor.to_owned(), "holder.unlink", format!("account:{account_id}"));
            append_audit!(tx, audit);
            Ok(files)
        })
    }

    pub async fn add_holder_course(
        &mut self,
        course: &HolderCourse,
        actor: &str,
    ) -> Result<(), StoreError> {
        write_step!(self, "add_holder_course", tx => {
            sqlx::query(
                "INSERT INTO holder_courses (id, account_id, kind, title, provider, completed_on, standing, credential, verdict, file_id, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&course.id)
            .bind(&course.account_id)
            .bind(course.kind.code())
            .bind(&course.title)
            .bind(&course.provider)
            .bind(course.completed_on)
            .bind(standing_code(course.standing))
            .bind(&course.credential)
            .bind(&course.verdict)
            .bind(&course.file_id)
            .bind(course.created_at)
            .execute(&mut *tx)
            .await?;
            let summary = format!("{}|{}|{}|{}|{}", course.kind.code(), course.title, course.provider, course.completed_on, standing_code(course.standing));
            let audit = AuditEvent::new(course.created_at, actor.to_owned(), "holder.course_add", format!("holder_course:{}", course.id))
                .with_digests(None, Some(digest_of(summary.as_bytes())));
            append_audit!(tx, audit);
            Ok(())
        })
    }

    /// Removes one of the holder's own courses; answers its uploaded certificate's id (whose
    /// record went with it), or None when there was no such course of this holder.
    pub async fn remove_holder_course(
        &mut self,
        account_id: &str,
        course_id: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Option<String>>, StoreError> {
        write_step!(self, "remove_holder_course", tx => {
            let file: Option<Option<String>> = sqlx::query_scalar(
                "SELECT file_id FROM holder_courses WHERE id = $1 AND account_id = $2",
            )
            .bind(course_id)
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(file) = file else {
                return Ok(None);
            };
            sqlx::query("DELETE FROM holder_courses WHERE id = $1")
                .bind(course_id)
                .execute(&mut *tx)
                .await?;
            if let Some(id) = &file {
                sqlx::query("DELETE FROM stored_files WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            let audit = AuditEvent::new(now, actor.to_owned(), "holder.course_remove", format!("holder_course:{course_id}"));
            append_audit!(tx, audit);
            Ok(Some(file))
        })
    }

    /// Records a reminder as sent; false when it was sent already (by another node or an
    /// earlier try), so it is never mailed twice.
    pub async fn record_holder_reminder(
        &mut self,
        account_id: &str,
        deadline: Date,
        days_before: i64,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        write_step!(self, "record_holder_reminder", tx => {
            let inserted = sqlx::query(
                "INSERT INTO holder_reminders (account_id, deadline, days_before, sent_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (account_id, deadline, days_before) DO NOTHING",
            )
            .bind(account_id)
            .bind(deadline)
            .bind(days_before)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            Ok(inserted == 1)
        })
    }
}

//! Progress and follow-up (issue 16; B11, D04): what on-demand item pages reported, and the
//! follow-ups of stalled learners. Both are kept as they came: nothing here updates or
//! deletes. Whether a learner is stalled is the domain's (`d04_*`), recomputed from these.

use crate::audit::append_audit;
use crate::db::on_db;
use crate::delivery::{at_micros, micros, times_joined, times_split};
use crate::unit::{UnitOfWork, write_step};
use crate::{Store, StoreError};
use koshu_domain::audit::{AuditEvent, digest_of};
use koshu_domain::delivery::{
    Activity, ActivityKind, ContactMethod, FollowUpOutcome, StallSubject,
};
use std::collections::HashMap;
use time::OffsetDateTime;

/// One report of an item page, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressEvent {
    pub item_no: u32,
    pub activity: Activity,
}

/// A recorded follow-up of a stalled learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub id: String,
    pub session_id: String,
    pub account_id: String,
    pub subject: StallSubject,
    pub stalled_since: OffsetDateTime,
    pub method: ContactMethod,
    pub outcome: FollowUpOutcome,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct FollowUpRow {
    id: String,
    session_id: String,
    account_id: String,
    subject: String,
    stalled_since: OffsetDateTime,
    method: String,
    outcome: String,
    note: Option<String>,
    recorded_by: String,
    recorded_at: OffsetDateTime,
}

impl TryFrom<FollowUpRow> for FollowUp {
    type Error = StoreError;
    fn try_from(r: FollowUpRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("follow-up {}: {what}", r.id));
        Ok(Self {
            subject: StallSubject::from_code(&r.subject).ok_or_else(|| corrupt("subject"))?,
            method: ContactMethod::from_code(&r.method).ok_or_else(|| corrupt("method"))?,
            outcome: FollowUpOutcome::from_code(&r.outcome).ok_or_else(|| corrupt("outcome"))?,
            id: r.id,
            session_id: r.session_id,
            account_id: r.account_id,
            stalled_since: r.stalled_since,
            note: r.note,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
        })
    }
}

/// A follow-up to record.
#[derive(Debug, Clone, Copy)]
pub struct NewFollowUp<'a> {
    pub session_id: &'a str,
    pub account_id: &'a str,
    pub subject: StallSubject,
    pub stalled_since: OffsetDateTime,
    pub method: ContactMethod,
    pub outcome: FollowUpOutcome,
    pub note: Option<&'a str>,
}

impl Store {
    /// A session's item-page reports by account, each account's by item and time. Read as one
    /// row per account, item and kind with the times joined by the database, as heartbeats are
    /// (`Store::heartbeats`): an on-demand page reports every 30 s while it is open.
    pub async fn progress_events(
        &self,
        session_id: &str,
    ) -> Result<HashMap<String, Vec<ProgressEvent>>, StoreError> {
        let sql = format!(
            "SELECT account_id, item_no, kind, {} FROM progress_events WHERE session_id = $1 \
             GROUP BY account_id, item_no, kind",
            times_joined(self.backend())
        );
        let rows: Vec<(String, i64, String, String)> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(session_id)
                .fetch_all(pool)
                .await?
        });
        let mut by_account: HashMap<String, Vec<ProgressEvent>> = HashMap::new();
        for (account, item_no, kind, joined) in rows {
            let kind = ActivityKind::from_code(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("progress event kind {kind}")))?;
            let item_no = u32::try_from(item_no)
                .map_err(|_| StoreError::Corrupt(format!("progress event item {item_no}")))?;
            let events = by_account.entry(account).or_default();
            events.extend(times_split(&joined)?.into_iter().map(|us| ProgressEvent {
                item_no,
                activity: Activity {
                    kind,
                    at: at_micros(us),
                },
            }));
        }
        for events in by_account.values_mut() {
            events.sort_by_key(|e| (e.item_no, e.activity.at));
        }
        Ok(by_account)
    }

    /// A session's follow-ups, oldest first.
    pub async fn follow_ups(&self, session_id: &str) -> Result<Vec<FollowUp>, StoreError> {
        let rows: Vec<FollowUpRow> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, session_id, account_id, subject, stalled_since, method, outcome, note, recorded_by, recorded_at \
                 FROM follow_ups WHERE session_id = $1 ORDER BY recorded_at, id",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(FollowUp::try_from).collect()
    }
}

impl UnitOfWork {
    /// Appends one report of an item page. The learner's own start and finish are audited;
    /// the beats in between are too many to audit one by one, and say only that a page was open.
    pub async fn append_progress(
        &mut self,
        session_id: &str,
        account_id: &str,
        event: ProgressEvent,
    ) -> Result<(), StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        let at = event.activity.at;
        let kind = event.activity.kind;
        write_step!(self, "append_progress", tx => {
            sqlx::query(
                "INSERT INTO progress_events (id, session_id, account_id, item_no, kind, at_us) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(session_id)
            .bind(account_id)
            .bind(i64::from(event.item_no))
            .bind(kind.code())
            .bind(micros(at))
            .execute(&mut *tx)
            .await?;
            if kind != ActivityKind::Active {
                let summary = format!("{id}|{account_id}|{}|{}", event.item_no, kind.code());
                let audit = AuditEvent::new(at, format!("account:{account_id}"), "progress.record", format!("session:{session_id}"))
                    .with_digests(None, Some(digest_of(summary.as_bytes())));
                append_audit!(tx, audit);
            }
            Ok(())
        })
    }

    /// Records a follow-up, with its audit entry.
    pub async fn record_follow_up(
        &mut self,
        f: NewFollowUp<'_>,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        let summary = format!(
            "{id}|{}|{}|{}|{}|{}|{:?}",
            f.account_id,
            f.subject.code(),
            f.method.code(),
            f.outcome.code(),
            micros(f.stalled_since),
            f.note
        );
        write_step!(self, "record_follow_up", tx => {
            sqlx::query(
                "INSERT INTO follow_ups (id, session_id, account_id, subject, stalled_since, method, outcome, note, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&id)
            .bind(f.session_id)
            .bind(f.account_id)
            .bind(f.subject.code())
            .bind(f.stalled_since)
            .bind(f.method.code())
            .bind(f.outcome.code())
            .bind(f.note)
            .bind(actor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let audit = AuditEvent::new(now, actor, "progress.follow_up", format!("session:{}", f.session_id))
                .with_digests(None, Some(digest_of(summary.as_bytes())));
            append_audit!(tx, audit);
            Ok(id)
        })
    }
}

//! Delivery (issue 15; D01-D03, B19, B30, B32): learner profiles, sessions as delivered,
//! enrolments with their waiting list, identity checks, attendance evidence (append-only: no
//! method here updates or deletes an event), heartbeats, meeting-tool reports and the seals of
//! closed days. The rules are the domain's (`koshu_domain::delivery`); the workflow decides.

use crate::audit::append_audit;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Backend, Conflict, Store, StoreError};
use koshu_domain::audit::{AuditEvent, digest_of};
use koshu_domain::catalogue::quality::{DeliveredRecord, SATISFACTION_ITEM, SATISFIED_FROM_POINT};
use koshu_domain::delivery::{
    CancelledBy, DeliveryPlan, EnrolmentStatus, LearnerProfile, RissRegistration, seal_digest,
};
use koshu_domain::types::RissNumber;
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

/// A learner's profile as stored, with the address they are reached at.
#[derive(Debug, Clone, PartialEq)]
pub struct Learner {
    pub account_id: String,
    pub email: String,
    pub profile: LearnerProfile,
    pub consented_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct LearnerRow {
    account_id: String,
    email: String,
    name: String,
    name_kana: String,
    riss_number: Option<String>,
    riss_registered_on: Option<Date>,
    riss_on_credential: bool,
    consented_at: OffsetDateTime,
}

impl TryFrom<LearnerRow> for Learner {
    type Error = StoreError;
    fn try_from(r: LearnerRow) -> Result<Self, StoreError> {
        let riss = match (r.riss_number, r.riss_registered_on) {
            (Some(n), Some(on)) => Some(RissRegistration {
                number: RissNumber::parse(&n)
                    .map_err(|_| StoreError::Corrupt(format!("learner {}: riss", r.account_id)))?,
                registered_on: on,
            }),
            _ => None,
        };
        Ok(Self {
            profile: LearnerProfile {
                name: r.name,
                name_kana: r.name_kana,
                riss,
                riss_on_credential: r.riss_on_credential,
            },
            account_id: r.account_id,
            email: r.email,
            consented_at: r.consented_at,
        })
    }
}

const LEARNER: &str = "SELECT l.account_id, a.email, l.name, l.name_kana, l.riss_number, l.riss_registered_on, l.riss_on_credential, l.consented_at \
     FROM learners l JOIN accounts a ON a.id = l.account_id";

/// A catalogue session as its provider delivers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub session_id: String,
    pub programme_id: String,
    pub organisation_id: String,
    pub plan: DeliveryPlan,
    /// The key of the session's rotating check-in codes (hex).
    pub code_secret: String,
    pub revision: i64,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    session_id: String,
    programme_id: String,
    organisation_id: String,
    plan: String,
    code_secret: String,
    revision: i64,
    updated_at: OffsetDateTime,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = StoreError;
    fn try_from(r: DeliveryRow) -> Result<Self, StoreError> {
        Ok(Self {
            plan: serde_json::from_str(&r.plan)?,
            session_id: r.session_id,
            programme_id: r.programme_id,
            organisation_id: r.organisation_id,
            code_secret: r.code_secret,
            revision: r.revision,
            updated_at: r.updated_at,
        })
    }
}

const DELIVERY: &str = "SELECT session_id, programme_id, organisation_id, plan, code_secret, revision, updated_at FROM deliveries";

/// One learner's place in one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub id: String,
    pub session_id: String,
    pub account_id: String,
    pub status: EnrolmentStatus,
    pub queue_no: i64,
    pub offer_until: Option<OffsetDateTime>,
    pub cancelled_by: Option<CancelledBy>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct EnrolmentRow {
    id: String,
    session_id: String,
    account_id: String,
    status: String,
    queue_no: i64,
    offer_until: Option<OffsetDateTime>,
    cancelled_by: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl TryFrom<EnrolmentRow> for Enrolment {
    type Error = StoreError;
    fn try_from(r: EnrolmentRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("enrolment {}: {what}", r.id));
        let status = EnrolmentStatus::from_code(&r.status).ok_or_else(|| corrupt("status"))?;
        let cancelled_by = match r.cancelled_by.as_deref() {
            None => None,
            Some(code) => {
                Some(CancelledBy::from_code(code).ok_or_else(|| corrupt("cancelled_by"))?)
            }
        };
        Ok(Self {
            status,
            cancelled_by,
            id: r.id,
            session_id: r.session_id,
            account_id: r.account_id,
            queue_no: r.queue_no,
            offer_until: r.offer_until,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

const ENROLMENT: &str = "SELECT id, session_id, account_id, status, queue_no, offer_until, cancelled_by, created_at, updated_at FROM enrolments";

/// How a learner's identity was checked at the start of a session day (B30 ①).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IdentityCheck {
    pub id: String,
    pub session_id: String,
    pub account_id: String,
    pub day: Date,
    pub method: String,
    pub riss_result: String,
    pub note: Option<String>,
    pub checked_by: String,
    pub checked_at: OffsetDateTime,
}

/// One piece of attendance evidence, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttendanceEvent {
    pub id: String,
    pub session_id: String,
    pub account_id: String,
    pub block_no: i64,
    pub kind: String,
    pub at_us: i64,
    pub until_us: Option<i64>,
    pub source: String,
    pub reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: OffsetDateTime,
}

/// A participant report as uploaded; `rows` is the workflow's JSON of what was read.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ParticipantReportRecord {
    pub id: String,
    pub session_id: String,
    pub block_no: i64,
    pub tool: String,
    pub file_id: String,
    pub sha256: String,
    pub rows: String,
    pub uploaded_by: String,
    pub uploaded_at: OffsetDateTime,
}

/// A sealed session day.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Seal {
    pub session_id: String,
    pub day: Date,
    pub digest: String,
    pub entries: i64,
    pub sealed_by: String,
    pub sealed_at: OffsetDateTime,
}

pub use crate::jobs::micros;

/// The time a stored microsecond count stands for (every stored one is in range).
pub fn at_micros(us: i64) -> OffsetDateTime {
    crate::jobs::from_micros(us).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The evidence of a session day in canonical lines: identity checks, events and heartbeats,
/// each in a fixed order, so that the same records always give the same digest.
macro_rules! day_lines {
    ($c:expr, $session:expr, $day:expr, $from:expr, $to:expr) => {{
        let mut lines: Vec<String> = Vec::new();
        let checks: Vec<IdentityCheck> = sqlx::query_as(
            "SELECT id, session_id, account_id, day, method, riss_result, note, checked_by, checked_at \
             FROM identity_checks WHERE session_id = $1 AND day = $2 ORDER BY id",
        )
        .bind($session)
        .bind($day)
        .fetch_all(&mut *$c)
        .await?;
        for c in checks {
            lines.push(format!(
                "identity|{}|{}|{}|{}|{}|{}|{}",
                c.id, c.account_id, c.method, c.riss_result, c.note.unwrap_or_default(), c.checked_by, micros(c.checked_at)
            ));
        }
        let events: Vec<AttendanceEvent> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{EVENT} WHERE session_id = $1 AND at_us >= $2 AND at_us < $3 ORDER BY id"
        )))
        .bind($session)
        .bind($from)
        .bind($to)
        .fetch_all(&mut *$c)
        .await?;
        for e in events {
            lines.push(format!(
                "event|{}|{}|{}|{}|{}|{}|{}|{}|{}",
                e.id, e.account_id, e.block_no, e.kind, e.at_us,
                e.until_us.map(|u| u.to_string()).unwrap_or_default(),
                e.source, e.reason.unwrap_or_default(), e.recorded_by
            ));
        }
        let beats: Vec<(String, i64)> = sqlx::query_as(
            "SELECT account_id, at_us FROM heartbeats WHERE session_id = $1 AND at_us >= $2 AND at_us < $3 \
             ORDER BY account_id, at_us",
        )
        .bind($session)
        .bind($from)
        .bind($to)
        .fetch_all(&mut *$c)
        .await?;
        for (account, at) in beats {
            lines.push(format!("beat|{account}|{at}"));
        }
        lines
    }};
}

const EVENT: &str = "SELECT id, session_id, account_id, block_no, kind, at_us, until_us, source, reason, recorded_by, recorded_at FROM attendance_events";

/// The microsecond range of a day in Japan.
fn day_range(day: Date) -> (i64, i64) {
    let jst = time::macros::offset!(+9);
    let start = day.midnight().assume_offset(jst);
    (micros(start), micros(start + time::Duration::days(1)))
}

/// A delivered session's counts for A05; `$1` is the satisfaction item, `$2` its first
/// satisfied point. A decision counts
/// while no other supersedes it.
const DELIVERED: &str = "SELECT d.programme_id, d.session_id, \
    COALESCE((SELECT s.responses FROM session_surveys s WHERE s.session_id = d.session_id), 0) AS responses, \
    CAST(COALESCE((SELECT SUM(t.count) FROM survey_tallies t WHERE t.session_id = d.session_id AND t.item_id = $1 AND t.choice > 0), 0) AS BIGINT) AS satisfaction_answers, \
    CAST(COALESCE((SELECT SUM(t.count) FROM survey_tallies t WHERE t.session_id = d.session_id AND t.item_id = $1 AND t.choice >= $2), 0) AS BIGINT) AS satisfied, \
    CAST(COALESCE((SELECT SUM(t.count * t.choice) FROM survey_tallies t WHERE t.session_id = d.session_id AND t.item_id = $1), 0) AS BIGINT) AS satisfaction_points, \
    (SELECT COUNT(*) FROM completion_decisions c WHERE c.session_id = d.session_id AND c.outcome = 'completed' AND NOT EXISTS (SELECT 1 FROM completion_decisions n WHERE n.supersedes = c.id)) AS completed, \
    (SELECT COUNT(*) FROM completion_decisions c WHERE c.session_id = d.session_id AND c.outcome = 'not_completed' AND NOT EXISTS (SELECT 1 FROM completion_decisions n WHERE n.supersedes = c.id)) AS not_completed \
    FROM deliveries d";

#[derive(sqlx::FromRow)]
struct DeliveredRow {
    programme_id: String,
    session_id: String,
    responses: i64,
    satisfaction_answers: i64,
    satisfied: i64,
    satisfaction_points: i64,
    completed: i64,
    not_completed: i64,
}

impl DeliveredRow {
    fn record(self) -> Result<(String, DeliveredRecord), StoreError> {
        let n = |v: i64| {
            u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("delivered count {v}")))
        };
        Ok((
            self.programme_id,
            DeliveredRecord {
                session_id: self.session_id,
                responses: n(self.responses)?,
                satisfaction_answers: n(self.satisfaction_answers)?,
                satisfied: n(self.satisfied)?,
                satisfaction_points: n(self.satisfaction_points)?,
                completed: n(self.completed)?,
                not_completed: n(self.not_completed)?,
            },
        ))
    }
}

impl Store {
    pub async fn learner(&self, account_id: &str) -> Result<Option<Learner>, StoreError> {
        let row: Option<LearnerRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{LEARNER} WHERE l.account_id = $1")))
                .bind(account_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(Learner::try_from).transpose()
    }

    /// The learners of a session's enrolments (any status).
    pub async fn learners_of_session(&self, session_id: &str) -> Result<Vec<Learner>, StoreError> {
        let rows: Vec<LearnerRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{LEARNER} JOIN enrolments e ON e.account_id = l.account_id WHERE e.session_id = $1 ORDER BY e.queue_no"
            )))
            .bind(session_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(Learner::try_from).collect()
    }

    pub async fn delivery(&self, session_id: &str) -> Result<Option<Delivery>, StoreError> {
        let row: Option<DeliveryRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{DELIVERY} WHERE session_id = $1")))
                .bind(session_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(Delivery::try_from).transpose()
    }

    /// The sessions of a programme delivered on Koshu (they take applications here), each with
    /// what A05's quality signals count: its survey's answers and its current completion
    /// decisions. One read: the programme's page and the API call it on every view.
    pub async fn delivered_records(
        &self,
        programme_id: &str,
    ) -> Result<Vec<DeliveredRecord>, StoreError> {
        let rows: Vec<DeliveredRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{DELIVERED} WHERE d.programme_id = $3 ORDER BY d.session_id")))
                .bind(SATISFACTION_ITEM)
                .bind(i64::from(SATISFIED_FROM_POINT))
                .bind(programme_id)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|r| r.record().map(|(_, d)| d))
            .collect()
    }

    /// [`Self::delivered_records`] of every programme: (programme id, record), by programme.
    pub async fn all_delivered_records(
        &self,
    ) -> Result<Vec<(String, DeliveredRecord)>, StoreError> {
        let rows: Vec<DeliveredRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{DELIVERED} ORDER BY d.programme_id, d.session_id")))
                .bind(SATISFACTION_ITEM)
                .bind(i64::from(SATISFIED_FROM_POINT))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(DeliveredRow::record).collect()
    }

    /// An organisation's delivered sessions.
    pub async fn deliveries_of(&self, organisation_id: &str) -> Result<Vec<Delivery>, StoreError> {
        let rows: Vec<DeliveryRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{DELIVERY} WHERE organisation_id = $1 ORDER BY session_id"
            )))
            .bind(organisation_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(Delivery::try_from).collect()
    }

    /// Every delivered session, of every organisation (the retention schedule).
    pub async fn all_deliveries(&self) -> Result<Vec<Delivery>, StoreError> {
        let rows: Vec<DeliveryRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{DELIVERY} ORDER BY session_id")))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(Delivery::try_from).collect()
    }

    pub async fn enrolment(&self, id: &str) -> Result<Option<Enrolment>, StoreError> {
        let row: Option<EnrolmentRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{ENROLMENT} WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(Enrolment::try_from).transpose()
    }

    pub async fn enrolment_of(
        &self,
        session_id: &str,
        account_id: &str,
    ) -> Result<Option<Enrolment>, StoreError> {
        let row: Option<EnrolmentRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{ENROLMENT} WHERE session_id = $1 AND account_id = $2")))
                .bind(session_id)
                .bind(account_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(Enrolment::try_from).transpose()
    }

    /// A session's enrolments in the order people applied.
    pub async fn enrolments_of_session(
        &self,
        session_id: &str,
    ) -> Result<Vec<Enrolment>, StoreError> {
        let rows: Vec<EnrolmentRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{ENROLMENT} WHERE session_id = $1 ORDER BY queue_no")))
                .bind(session_id)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(Enrolment::try_from).collect()
    }

    /// A learner's enrolments, the newest first.
    pub async fn enrolments_of_account(
        &self,
        account_id: &str,
    ) -> Result<Vec<Enrolment>, StoreError> {
        let rows: Vec<EnrolmentRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{ENROLMENT} WHERE account_id = $1 ORDER BY created_at DESC")))
                .bind(account_id)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(Enrolment::try_from).collect()
    }

    /// A session's identity checks, oldest first (the newest per learner and day counts).
    pub async fn identity_checks(
        &self,
        session_id: &str,
    ) -> Result<Vec<IdentityCheck>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, session_id, account_id, day, method, riss_result, note, checked_by, checked_at \
                 FROM identity_checks WHERE session_id = $1 ORDER BY id",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// A session's attendance evidence, in time order.
    pub async fn attendance_events(
        &self,
        session_id: &str,
    ) -> Result<Vec<AttendanceEvent>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{EVENT} WHERE session_id = $1 ORDER BY at_us, id")))
                .bind(session_id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// A session's heartbeats between `from` and `to`, by account, each account's in time
    /// order (microseconds). Read as one row per account with the times joined by the database
    /// ([`times_joined`]): a day of 100 remote learners is 70,000 beats, and reading a row
    /// costs far more than parsing a number.
    pub async fn heartbeats(
        &self,
        session_id: &str,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<HashMap<String, Vec<i64>>, StoreError> {
        let sql = format!(
            "SELECT account_id, {} FROM heartbeats WHERE session_id = $1 AND at_us >= $2 AND at_us < $3 \
             GROUP BY account_id",
            times_joined(self.backend())
        );
        let rows: Vec<(String, String)> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(session_id)
                .bind(micros(from))
                .bind(micros(to))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(account, joined)| Ok((account, times_split(&joined)?)))
            .collect()
    }

    pub async fn participant_reports(
        &self,
        session_id: &str,
    ) -> Result<Vec<ParticipantReportRecord>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, session_id, block_no, tool, file_id, sha256, rows, uploaded_by, uploaded_at \
                 FROM participant_reports WHERE session_id = $1 ORDER BY uploaded_at DESC",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn seals(&self, session_id: &str) -> Result<Vec<Seal>, StoreError> {
        Ok(on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT session_id, day, digest, entries, sealed_by, sealed_at FROM attendance_seals \
                 WHERE session_id = $1 ORDER BY day",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// How many session days are sealed.
    pub async fn seal_count(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT COUNT(*) FROM attendance_seals").fetch_one(pool).await?
        });
        Ok(n)
    }

    /// Every sealed day whose evidence no longer gives its digest: (session, day). Run by
    /// `koshu audit verify` beside the chain (B19: a sealed record that changed is noticed).
    pub async fn broken_seals(&self) -> Result<Vec<(String, Date)>, StoreError> {
        let mut broken = Vec::new();
        on_db!(&self.db, pool => {
            let seals: Vec<Seal> = sqlx::query_as(
                "SELECT session_id, day, digest, entries, sealed_by, sealed_at FROM attendance_seals ORDER BY session_id, day",
            )
            .fetch_all(pool)
            .await?;
            let mut c = pool.acquire().await?;
            for s in seals {
                let (from, to) = day_range(s.day);
                let lines = day_lines!(c, &s.session_id, s.day, from, to);
                let digest = seal_digest(&lines);
                // The chain's copy counts: the table's could be rewritten with the records.
                let chained: Option<(Option<String>,)> = sqlx::query_as(
                    "SELECT after_digest FROM audit_log WHERE action = 'attendance.seal' AND subject = $1 ORDER BY seq LIMIT 1",
                )
                .bind(format!("session:{}:{}", s.session_id, s.day))
                .fetch_optional(&mut *c)
                .await?;
                if digest != s.digest || chained.and_then(|(d,)| d).as_deref() != Some(digest.as_str()) {
                    broken.push((s.session_id, s.day));
                }
            }
        });
        Ok(broken)
    }
}

/// A learner's new identity check.
#[derive(Debug, Clone)]
pub struct NewIdentityCheck<'a> {
    pub session_id: &'a str,
    pub account_id: &'a str,
    pub day: Date,
    pub method: &'a str,
    pub riss_result: &'a str,
    pub note: Option<&'a str>,
}

/// A piece of evidence to append.
#[derive(Debug, Clone)]
pub struct NewAttendanceEvent<'a> {
    pub session_id: &'a str,
    pub account_id: &'a str,
    pub block_no: u32,
    pub kind: &'a str,
    pub at: OffsetDateTime,
    pub until: Option<OffsetDateTime>,
    pub source: &'a str,
    pub reason: Option<&'a str>,
}

impl UnitOfWork {
    /// Writes a learner's profile (their consent to what providers see, recorded with it).
    pub async fn save_learner(
        &mut self,
        account_id: &str,
        profile: &LearnerProfile,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let number = profile.riss.as_ref().map(|r| r.number.digits().to_owned());
        let on = profile.riss.as_ref().map(|r| r.registered_on);
        let digest = digest_of(
            format!(
                "{}|{}|{number:?}|{on:?}|{}",
                profile.name, profile.name_kana, profile.riss_on_credential
            )
            .as_bytes(),
        );
        write_step!(self, "save_learner", tx => {
            sqlx::query(
                "INSERT INTO learners (account_id, name, name_kana, riss_number, riss_registered_on, riss_on_credential, consented_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                 ON CONFLICT (account_id) DO UPDATE SET name = excluded.name, name_kana = excluded.name_kana, \
                 riss_number = excluded.riss_number, riss_registered_on = excluded.riss_registered_on, \
                 riss_on_credential = excluded.riss_on_credential, updated_at = excluded.updated_at",
            )
            .bind(account_id)
            .bind(&profile.name)
            .bind(&profile.name_kana)
            .bind(&number)
            .bind(on)
            .bind(profile.riss_on_credential)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(now, format!("account:{account_id}"), "learner.save", format!("learner:{account_id}"))
                .with_digests(None, Some(digest));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Writes a session's delivery plan made on `revision` (0: a new one); returns the new
    /// revision. `Conflict::RevisionChanged` when it was saved since.
    pub async fn save_delivery(
        &mut self,
        delivery: &Delivery,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        let plan = serde_json::to_string(&delivery.plan)?;
        let digest = digest_of(plan.as_bytes());
        let capacity = i64::from(delivery.plan.capacity);
        let d = delivery;
        write_step!(self, "save_delivery", tx => {
            let changed = if d.revision == 0 {
                sqlx::query(
                    "INSERT INTO deliveries (session_id, programme_id, organisation_id, plan, capacity, code_secret, revision, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) ON CONFLICT (session_id) DO NOTHING",
                )
                .bind(&d.session_id)
                .bind(&d.programme_id)
                .bind(&d.organisation_id)
                .bind(&plan)
                .bind(capacity)
                .bind(&d.code_secret)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
            } else {
                sqlx::query(
                    "UPDATE deliveries SET plan = $1, capacity = $2, revision = revision + 1, updated_at = $3 \
                     WHERE session_id = $4 AND revision = $5",
                )
                .bind(&plan)
                .bind(capacity)
                .bind(now)
                .bind(&d.session_id)
                .bind(d.revision)
                .execute(&mut *tx)
                .await?
                .rows_affected()
            };
            if changed != 1 {
                return Err(StoreError::Conflict(Conflict::RevisionChanged));
            }
            let event = AuditEvent::new(now, actor, "delivery.save", format!("session:{}", d.session_id))
                .with_digests(None, Some(digest));
            append_audit!(tx, event);
            Ok(d.revision + 1)
        })
    }

    /// The session's enrolments as they stand inside this unit (which holds the write lock,
    /// so counting seats here and writing the new one cannot oversell).
    pub async fn enrolments_for_update(
        &mut self,
        session_id: &str,
    ) -> Result<Vec<Enrolment>, StoreError> {
        let rows: Vec<EnrolmentRow> = write_step!(self, "enrolments_for_update", tx => {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("{ENROLMENT} WHERE session_id = $1 ORDER BY queue_no")))
                .bind(session_id)
                .fetch_all(&mut *tx)
                .await?)
        })?;
        rows.into_iter().map(Enrolment::try_from).collect()
    }

    /// Writes an enrolment: a new one, or the learner's earlier one (cancelled or lapsed) made
    /// anew. `action` names the change for the audit log (`enrolment.enrol`, `.cancel`, …).
    pub async fn put_enrolment(
        &mut self,
        e: &Enrolment,
        action: &'static str,
        actor: &str,
    ) -> Result<(), StoreError> {
        let cancelled_by = e.cancelled_by.map(CancelledBy::code);
        let digest = digest_of(
            format!(
                "{}|{}|{}|{:?}",
                e.status.code(),
                e.queue_no,
                e.account_id,
                e.offer_until
            )
            .as_bytes(),
        );
        write_step!(self, "put_enrolment", tx => {
            sqlx::query(
                "INSERT INTO enrolments (id, session_id, account_id, status, queue_no, offer_until, cancelled_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (id) DO UPDATE SET status = excluded.status, queue_no = excluded.queue_no, \
                 offer_until = excluded.offer_until, cancelled_by = excluded.cancelled_by, updated_at = excluded.updated_at",
            )
            .bind(&e.id)
            .bind(&e.session_id)
            .bind(&e.account_id)
            .bind(e.status.code())
            .bind(e.queue_no)
            .bind(e.offer_until)
            .bind(cancelled_by)
            .bind(e.created_at)
            .bind(e.updated_at)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(e.updated_at, actor, action, format!("enrolment:{}", e.id))
                .with_digests(None, Some(digest));
            append_audit!(tx, event);
            Ok(())
        })
    }

    pub async fn record_identity_check(
        &mut self,
        check: &NewIdentityCheck<'_>,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        let c = check;
        let digest = digest_of(
            format!("{}|{}|{}|{}", c.account_id, c.day, c.method, c.riss_result).as_bytes(),
        );
        write_step!(self, "record_identity_check", tx => {
            sqlx::query(
                "INSERT INTO identity_checks (id, session_id, account_id, day, method, riss_result, note, checked_by, checked_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&id)
            .bind(c.session_id)
            .bind(c.account_id)
            .bind(c.day)
            .bind(c.method)
            .bind(c.riss_result)
            .bind(c.note)
            .bind(actor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(now, actor, "attendance.identity", format!("session:{}", c.session_id))
                .with_digests(None, Some(digest));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Appends evidence, with one audit entry naming what was recorded.
    pub async fn append_attendance(
        &mut self,
        events: &[NewAttendanceEvent<'_>],
        action: &'static str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let Some(first) = events.first() else {
            return Ok(());
        };
        let session = first.session_id.to_owned();
        let mut summary = String::new();
        write_step!(self, "append_attendance", tx => {
            for e in events {
                let id = uuid::Uuid::now_v7().to_string();
                let at = micros(e.at);
                let until = e.until.map(micros);
                summary.push_str(&format!("{id}|{}|{}|{}|{at}|{until:?};", e.account_id, e.block_no, e.kind));
                sqlx::query(
                    "INSERT INTO attendance_events (id, session_id, account_id, block_no, kind, at_us, until_us, source, reason, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&id)
                .bind(e.session_id)
                .bind(e.account_id)
                .bind(i64::from(e.block_no))
                .bind(e.kind)
                .bind(at)
                .bind(until)
                .bind(e.source)
                .bind(e.reason)
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let event = AuditEvent::new(now, actor, action, format!("session:{session}"))
                .with_digests(None, Some(digest_of(summary.as_bytes())));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Appends a batch of heartbeats in one statement per 300 rows; not audited one by one
    /// (the day's seal covers them).
    pub async fn insert_heartbeats(
        &mut self,
        beats: &[(&str, &str, OffsetDateTime)],
    ) -> Result<(), StoreError> {
        write_step!(self, "insert_heartbeats", tx => {
            for chunk in beats.chunks(300) {
                let mut sql = String::from("INSERT INTO heartbeats (session_id, account_id, at_us) VALUES ");
                for i in 0..chunk.len() {
                    if i > 0 {
                        sql.push(',');
                    }
                    sql.push_str(&format!("(${}, ${}, ${})", i * 3 + 1, i * 3 + 2, i * 3 + 3));
                }
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (session, account, at) in chunk {
                    q = q.bind(*session).bind(*account).bind(micros(*at));
                }
                q.execute(&mut *tx).await?;
            }
            Ok(())
        })
    }

    pub async fn save_participant_report(
        &mut self,
        r: &ParticipantReportRecord,
    ) -> Result<(), StoreError> {
        write_step!(self, "save_participant_report", tx => {
            sqlx::query(
                "INSERT INTO participant_reports (id, session_id, block_no, tool, file_id, sha256, rows, uploaded_by, uploaded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (id) DO UPDATE SET rows = excluded.rows",
            )
            .bind(&r.id)
            .bind(&r.session_id)
            .bind(r.block_no)
            .bind(&r.tool)
            .bind(&r.file_id)
            .bind(&r.sha256)
            .bind(&r.rows)
            .bind(&r.uploaded_by)
            .bind(r.uploaded_at)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(r.uploaded_at, &r.uploaded_by, "attendance.report", format!("session:{}", r.session_id))
                .with_digests(None, Some(r.sha256.clone()));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Seals a session day: the digest of its evidence, kept and put in the audit chain.
    /// `Conflict::AlreadySealed` when the day is sealed already.
    pub async fn seal_day(
        &mut self,
        session_id: &str,
        day: Date,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<Seal, StoreError> {
        let (from, to) = day_range(day);
        write_step!(self, "seal_day", tx => {
            let lines = day_lines!(tx, session_id, day, from, to);
            let seal = Seal {
                session_id: session_id.to_owned(),
                day,
                digest: seal_digest(&lines),
                entries: i64::try_from(lines.len()).unwrap_or(i64::MAX),
                sealed_by: actor.to_owned(),
                sealed_at: now,
            };
            let done = sqlx::query(
                "INSERT INTO attendance_seals (session_id, day, digest, entries, sealed_by, sealed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (session_id, day) DO NOTHING",
            )
            .bind(&seal.session_id)
            .bind(day)
            .bind(&seal.digest)
            .bind(seal.entries)
            .bind(actor)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done != 1 {
                return Err(StoreError::Conflict(Conflict::AlreadySealed));
            }
            let event = AuditEvent::new(now, actor, "attendance.seal", format!("session:{session_id}:{day}"))
                .with_digests(None, Some(seal.digest.clone()));
            append_audit!(tx, event);
            Ok(seal)
        })
    }
}

/// The SQL that joins a group's `at_us` into one text, comma-separated, in no set order.
pub(crate) fn times_joined(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "group_concat(at_us, ',')",
        Backend::Postgres => "string_agg(CAST(at_us AS TEXT), ',')",
    }
}

/// The times [`times_joined`] joined, sorted.
pub(crate) fn times_split(joined: &str) -> Result<Vec<i64>, StoreError> {
    let mut times = joined
        .split(',')
        .map(|t| {
            t.parse::<i64>()
                .map_err(|_| StoreError::Corrupt(format!("a time of {t:?} microseconds")))
        })
        .collect::<Result<Vec<i64>, StoreError>>()?;
    times.sort_unstable();
    Ok(times)
}

impl Store {
    /// The programme a catalogue session belongs to.
    pub async fn session_programme(&self, session_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT programme_id FROM sessions WHERE id = $1")
                .bind(session_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(p,)| p))
    }
}

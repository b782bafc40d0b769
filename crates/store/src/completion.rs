//! Completion (issue 16; B12, D05): a session's published criteria, the assessment results
//! recorded against them (append-only: no method here updates or deletes one; a correction is
//! a new row with its reason) and the decisions issued (immutable: a correction is a new
//! decision superseding the earlier one). The rules are the domain's
//! (`koshu_domain::delivery::completion`); the workflow decides.

use crate::audit::append_audit;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Conflict, Store, StoreError};
use koshu_domain::audit::{AuditEvent, digest_of};
use koshu_domain::delivery::completion::{
    CompletionCriteria, Mark, Outcome, Reason, RecordedResult,
};
use time::OffsetDateTime;

/// A session's criteria as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriteriaRecord {
    pub session_id: String,
    pub criteria: CompletionCriteria,
    pub revision: i64,
    pub updated_by: String,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct CriteriaRow {
    session_id: String,
    criteria: String,
    revision: i64,
    updated_by: String,
    updated_at: OffsetDateTime,
}

impl TryFrom<CriteriaRow> for CriteriaRecord {
    type Error = StoreError;
    fn try_from(r: CriteriaRow) -> Result<Self, StoreError> {
        Ok(Self {
            criteria: serde_json::from_str(&r.criteria)?,
            session_id: r.session_id,
            revision: r.revision,
            updated_by: r.updated_by,
            updated_at: r.updated_at,
        })
    }
}

const CRITERIA: &str =
    "SELECT session_id, criteria, revision, updated_by, updated_at FROM completion_criteria";

/// One assessment result as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRecord {
    pub id: String,
    pub session_id: String,
    pub account_id: String,
    pub result: RecordedResult,
    /// Set when the row corrects the earlier record of the same attempt.
    pub correction_reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct ResultRow {
    id: String,
    session_id: String,
    account_id: String,
    assessment: i64,
    attempt: i64,
    score: Option<i64>,
    levels: Option<String>,
    correction_reason: Option<String>,
    recorded_by: String,
    recorded_at: OffsetDateTime,
}

impl TryFrom<ResultRow> for ResultRecord {
    type Error = StoreError;
    fn try_from(r: ResultRow) -> Result<Self, StoreError> {
        let corrupt =
            |what: &str| StoreError::Corrupt(format!("assessment result {}: {what}", r.id));
        let mark = match (r.score, r.levels.as_deref()) {
            (Some(points), None) => Mark::Score {
                points: u32::try_from(points).map_err(|_| corrupt("score"))?,
            },
            (None, Some(levels)) => Mark::Levels {
                levels: serde_json::from_str(levels)?,
            },
            _ => return Err(corrupt("mark")),
        };
        Ok(Self {
            result: RecordedResult {
                assessment: u32::try_from(r.assessment).map_err(|_| corrupt("assessment"))?,
                attempt: u32::try_from(r.attempt).map_err(|_| corrupt("attempt"))?,
                mark,
            },
            id: r.id,
            session_id: r.session_id,
            account_id: r.account_id,
            correction_reason: r.correction_reason,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
        })
    }
}

const RESULT: &str = "SELECT id, session_id, account_id, assessment, attempt, score, levels, correction_reason, recorded_by, recorded_at FROM assessment_results";

/// A decision issued: the shape certificates (issue 17) and reports (issue 19) read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionRecord {
    pub id: String,
    pub session_id: String,
    pub account_id: String,
    pub outcome: Outcome,
    /// The hours achieved: minutes attended under the attendance rules.
    pub attended_minutes: u32,
    pub timetabled_minutes: u32,
    pub attendance_percent: u32,
    /// One per criterion, met or missed.
    pub reasons: Vec<Reason>,
    /// The criteria decided against.
    pub criteria: CompletionCriteria,
    /// The decision this one corrects.
    pub supersedes: Option<String>,
    pub correction_reason: Option<String>,
    pub decided_by: String,
    pub decided_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct DecisionRow {
    id: String,
    session_id: String,
    account_id: String,
    outcome: String,
    attended_minutes: i64,
    timetabled_minutes: i64,
    attendance_percent: i64,
    reasons: String,
    criteria: String,
    supersedes: Option<String>,
    correction_reason: Option<String>,
    decided_by: String,
    decided_at: OffsetDateTime,
}

impl TryFrom<DecisionRow> for CompletionRecord {
    type Error = StoreError;
    fn try_from(r: DecisionRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("completion {}: {what}", r.id));
        let minutes = |n: i64, what: &str| u32::try_from(n).map_err(|_| corrupt(what));
        Ok(Self {
            outcome: Outcome::from_code(&r.outcome).ok_or_else(|| corrupt("outcome"))?,
            attended_minutes: minutes(r.attended_minutes, "attended_minutes")?,
            timetabled_minutes: minutes(r.timetabled_minutes, "timetabled_minutes")?,
            attendance_percent: minutes(r.attendance_percent, "attendance_percent")?,
            reasons: serde_json::from_str(&r.reasons)?,
            criteria: serde_json::from_str(&r.criteria)?,
            id: r.id,
            session_id: r.session_id,
            account_id: r.account_id,
            supersedes: r.supersedes,
            correction_reason: r.correction_reason,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
        })
    }
}

const DECISION: &str = "SELECT d.id, d.session_id, d.account_id, d.outcome, d.attended_minutes, d.timetabled_minutes, d.attendance_percent, d.reasons, d.criteria, d.supersedes, d.correction_reason, d.decided_by, d.decided_at FROM completion_decisions d";

/// Only the decisions nothing supersedes.
const CURRENT: &str = "NOT EXISTS (SELECT 1 FROM completion_decisions n WHERE n.supersedes = d.id)";

impl Store {
    pub async fn completion_criteria(
        &self,
        session_id: &str,
    ) -> Result<Option<CriteriaRecord>, StoreError> {
        let row: Option<CriteriaRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{CRITERIA} WHERE session_id = $1")))
                .bind(session_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(CriteriaRecord::try_from).transpose()
    }

    /// The criteria of a programme's delivered sessions, for its public page: (session, criteria).
    pub async fn completion_criteria_of_programme(
        &self,
        programme_id: &str,
    ) -> Result<Vec<(String, CompletionCriteria)>, StoreError> {
        let rows: Vec<(String, String)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT c.session_id, c.criteria FROM completion_criteria c \
                 JOIN deliveries d ON d.session_id = c.session_id WHERE d.programme_id = $1",
            )
            .bind(programme_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(s, c)| Ok((s, serde_json::from_str(&c)?)))
            .collect()
    }

    /// A session's assessment results in the order they were recorded.
    pub async fn assessment_results(
        &self,
        session_id: &str,
    ) -> Result<Vec<ResultRecord>, StoreError> {
        let rows: Vec<ResultRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{RESULT} WHERE session_id = $1 ORDER BY recorded_at, id"
            )))
            .bind(session_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(ResultRecord::try_from).collect()
    }

    /// The current decision of each learner of a session who has one.
    pub async fn completions(&self, session_id: &str) -> Result<Vec<CompletionRecord>, StoreError> {
        let rows: Vec<DecisionRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{DECISION} WHERE d.session_id = $1 AND {CURRENT} ORDER BY d.decided_at, d.id"
            )))
            .bind(session_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(CompletionRecord::try_from).collect()
    }

    /// A learner's current decision for a session.
    pub async fn completion_of(
        &self,
        session_id: &str,
        account_id: &str,
    ) -> Result<Option<CompletionRecord>, StoreError> {
        let row: Option<DecisionRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{DECISION} WHERE d.session_id = $1 AND d.account_id = $2 AND {CURRENT}"
            )))
            .bind(session_id)
            .bind(account_id)
            .fetch_optional(pool)
            .await?
        });
        row.map(CompletionRecord::try_from).transpose()
    }

    /// Every decision issued to a learner for a session, the first first.
    pub async fn completion_history(
        &self,
        session_id: &str,
        account_id: &str,
    ) -> Result<Vec<CompletionRecord>, StoreError> {
        let rows: Vec<DecisionRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{DECISION} WHERE d.session_id = $1 AND d.account_id = $2 ORDER BY d.decided_at, d.id"
            )))
            .bind(session_id)
            .bind(account_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(CompletionRecord::try_from).collect()
    }
}

/// A result to append.
#[derive(Debug, Clone)]
pub struct NewResult<'a> {
    pub session_id: &'a str,
    pub account_id: &'a str,
    pub result: &'a RecordedResult,
    pub correction_reason: Option<&'a str>,
}

/// A decision to issue: the first (`supersedes` none) or a correction of the current one.
#[derive(Debug, Clone)]
pub struct NewCompletion<'a> {
    pub session_id: &'a str,
    pub account_id: &'a str,
    pub outcome: Outcome,
    pub attended_minutes: u32,
    pub timetabled_minutes: u32,
    pub attendance_percent: u32,
    pub reasons: &'a [Reason],
    pub criteria: &'a CompletionCriteria,
    pub supersedes: Option<&'a str>,
    pub correction_reason: Option<&'a str>,
}

impl UnitOfWork {
    /// Saves a session's criteria made on `revision` (0: the first); returns the new revision.
    /// `Conflict::RevisionChanged` when they were saved since.
    pub async fn save_completion_criteria(
        &mut self,
        session_id: &str,
        criteria: &CompletionCriteria,
        revision: i64,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<i64, StoreError> {
        let json = serde_json::to_string(criteria)?;
        let digest = digest_of(json.as_bytes());
        write_step!(self, "save_completion_criteria", tx => {
            let changed = if revision == 0 {
                sqlx::query(
                    "INSERT INTO completion_criteria (session_id, criteria, revision, updated_by, updated_at) \
                     VALUES ($1, $2, 1, $3, $4) ON CONFLICT (session_id) DO NOTHING",
                )
                .bind(session_id)
                .bind(&json)
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
            } else {
                sqlx::query(
                    "UPDATE completion_criteria SET criteria = $1, revision = revision + 1, updated_by = $2, updated_at = $3 \
                     WHERE session_id = $4 AND revision = $5",
                )
                .bind(&json)
                .bind(actor)
                .bind(now)
                .bind(session_id)
                .bind(revision)
                .execute(&mut *tx)
                .await?
                .rows_affected()
            };
            if changed != 1 {
                return Err(StoreError::Conflict(Conflict::RevisionChanged));
            }
            let event = AuditEvent::new(now, actor, "completion.criteria", format!("session:{session_id}"))
                .with_digests(None, Some(digest));
            append_audit!(tx, event);
            Ok(revision + 1)
        })
    }

    /// A learner's results for a session as they stand inside this unit (which holds the write
    /// lock, so that two results recorded at once cannot both be the same new attempt).
    pub async fn assessment_results_for_update(
        &mut self,
        session_id: &str,
        account_id: &str,
    ) -> Result<Vec<ResultRecord>, StoreError> {
        let rows: Vec<ResultRow> = write_step!(self, "assessment_results_for_update", tx => {
            Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{RESULT} WHERE session_id = $1 AND account_id = $2 ORDER BY recorded_at, id"
            )))
            .bind(session_id)
            .bind(account_id)
            .fetch_all(&mut *tx)
            .await?)
        })?;
        rows.into_iter().map(ResultRecord::try_from).collect()
    }

    /// Appends a result, audited; returns its id.
    pub async fn record_assessment_result(
        &mut self,
        r: &NewResult<'_>,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        let (score, levels) = match &r.result.mark {
            Mark::Score { points } => (Some(i64::from(*points)), None),
            Mark::Levels { levels } => (None, Some(serde_json::to_string(levels)?)),
        };
        let digest = digest_of(
            format!(
                "{id}|{}|{}|{}|{score:?}|{levels:?}|{:?}",
                r.account_id, r.result.assessment, r.result.attempt, r.correction_reason
            )
            .as_bytes(),
        );
        write_step!(self, "record_assessment_result", tx => {
            sqlx::query(
                "INSERT INTO assessment_results (id, session_id, account_id, assessment, attempt, score, levels, correction_reason, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&id)
            .bind(r.session_id)
            .bind(r.account_id)
            .bind(i64::from(r.result.assessment))
            .bind(i64::from(r.result.attempt))
            .bind(score)
            .bind(&levels)
            .bind(r.correction_reason)
            .bind(actor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let action = if r.correction_reason.is_some() { "completion.result_correct" } else { "completion.result" };
            let event = AuditEvent::new(now, actor, action, format!("session:{}", r.session_id))
                .with_digests(None, Some(digest));
            append_audit!(tx, event);
            Ok(id.clone())
        })
    }

    /// Issues a decision, audited; returns its id. The learner's current decision is read in
    /// the unit (which holds the write lock): a first decision when one exists already is
    /// `Conflict::AlreadyDecided`; a correction of a decision that is no longer the current
    /// one is `Conflict::DecisionChanged`.
    pub async fn issue_completion(
        &mut self,
        d: &NewCompletion<'_>,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        let reasons = serde_json::to_string(d.reasons)?;
        let criteria = serde_json::to_string(d.criteria)?;
        let digest = digest_of(
            format!(
                "{id}|{}|{}|{}|{}|{}|{reasons}|{:?}|{:?}",
                d.account_id,
                d.outcome.code(),
                d.attended_minutes,
                d.timetabled_minutes,
                d.attendance_percent,
                d.supersedes,
                d.correction_reason
            )
            .as_bytes(),
        );
        write_step!(self, "issue_completion", tx => {
            let current: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT d.id FROM completion_decisions d WHERE d.session_id = $1 AND d.account_id = $2 AND {CURRENT}"
            )))
            .bind(d.session_id)
            .bind(d.account_id)
            .fetch_optional(&mut *tx)
            .await?;
            match (current.as_ref().map(|(c,)| c.as_str()), d.supersedes) {
                (None, None) => {}
                (Some(_), None) => return Err(StoreError::Conflict(Conflict::AlreadyDecided)),
                (Some(c), Some(s)) if c == s => {}
                _ => return Err(StoreError::Conflict(Conflict::DecisionChanged)),
            }
            sqlx::query(
                "INSERT INTO completion_decisions (id, session_id, account_id, outcome, attended_minutes, timetabled_minutes, \
                 attendance_percent, reasons, criteria, supersedes, correction_reason, decided_by, decided_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(&id)
            .bind(d.session_id)
            .bind(d.account_id)
            .bind(d.outcome.code())
            .bind(i64::from(d.attended_minutes))
            .bind(i64::from(d.timetabled_minutes))
            .bind(i64::from(d.attendance_percent))
            .bind(&reasons)
            .bind(&criteria)
            .bind(d.supersedes)
            .bind(d.correction_reason)
            .bind(actor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let action = if d.supersedes.is_some() { "completion.correct" } else { "completion.confirm" };
            let event = AuditEvent::new(now, actor, action, format!("completion:{}:{}", d.session_id, d.account_id))
                .with_digests(None, Some(digest));
            append_audit!(tx, event);
            Ok(id.clone())
        })
    }
}

//! The implementation reports of designated courses (issue 19; E01): each submitted version
//! kept as submitted. The figures are the domain's, computed by the workflow from the records.

use crate::audit::append_audit;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Conflict, Store, StoreError};
use koshu_domain::audit::{AuditEvent, digest_of};
use koshu_domain::reports::{MonthlyFigures, ReportPeriod};
use time::OffsetDateTime;

/// A submitted version.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmittedReport {
    pub programme_id: String,
    pub period: String,
    pub version: i64,
    pub figures: MonthlyFigures,
    pub remarks: String,
    pub digest: String,
    pub submitted_by: String,
    pub submitted_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct ReportRow {
    programme_id: String,
    period: String,
    version: i64,
    figures: String,
    remarks: String,
    digest: String,
    submitted_by: String,
    submitted_at: OffsetDateTime,
}

impl TryFrom<ReportRow> for SubmittedReport {
    type Error = StoreError;
    fn try_from(r: ReportRow) -> Result<Self, StoreError> {
        Ok(Self {
            figures: serde_json::from_str(&r.figures)?,
            programme_id: r.programme_id,
            period: r.period,
            version: r.version,
            remarks: r.remarks,
            digest: r.digest,
            submitted_by: r.submitted_by,
            submitted_at: r.submitted_at,
        })
    }
}

const COLUMNS: &str =
    "programme_id, period, version, figures, remarks, digest, submitted_by, submitted_at";

/// What a version's digest is taken over: the figures' JSON, a line break, the remarks.
pub fn report_digest(figures_json: &str, remarks: &str) -> String {
    digest_of(format!("{figures_json}\n{remarks}").as_bytes())
}

impl Store {
    /// Every submitted version of a course's report for a period, the first first.
    pub async fn report_versions(
        &self,
        programme_id: &str,
        period: ReportPeriod,
    ) -> Result<Vec<SubmittedReport>, StoreError> {
        let rows: Vec<ReportRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM course_reports WHERE programme_id = $1 AND period = $2 ORDER BY version"
            )))
            .bind(programme_id)
            .bind(period.code())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(SubmittedReport::try_from).collect()
    }

    /// The latest submitted version of every course's every period (the ministry's totals).
    pub async fn latest_reports(&self) -> Result<Vec<SubmittedReport>, StoreError> {
        let rows: Vec<ReportRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM course_reports r WHERE r.version = \
                 (SELECT MAX(x.version) FROM course_reports x WHERE x.programme_id = r.programme_id AND x.period = r.period) \
                 ORDER BY r.period, r.programme_id"
            )))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(SubmittedReport::try_from).collect()
    }

    /// What a course has submitted, period by period.
    pub async fn report_submissions(
        &self,
        programme_id: &str,
    ) -> Result<Vec<ReportSubmission>, StoreError> {
        let rows: Vec<(String, String, i64, OffsetDateTime)> = on_db!(&self.db, pool => {
            sqlx::query_as(
                "SELECT programme_id, period, version, submitted_at FROM course_reports WHERE programme_id = $1",
            )
            .bind(programme_id)
            .fetch_all(pool)
            .await?
        });
        Ok(submissions(rows))
    }

    /// What every course has submitted, period by period (the ministry's view).
    pub async fn all_report_submissions(&self) -> Result<Vec<ReportSubmission>, StoreError> {
        let rows: Vec<(String, String, i64, OffsetDateTime)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT programme_id, period, version, submitted_at FROM course_reports")
                .fetch_all(pool)
                .await?
        });
        Ok(submissions(rows))
    }
}

/// A course's report for a period as submitted: its latest version and when the first arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSubmission {
    pub programme_id: String,
    pub period: String,
    pub latest: i64,
    pub first_submitted_at: OffsetDateTime,
}

/// Folds version rows into one submission per course and period, ordered by both.
fn submissions(rows: Vec<(String, String, i64, OffsetDateTime)>) -> Vec<ReportSubmission> {
    let mut out: Vec<ReportSubmission> = Vec::new();
    for (programme_id, period, version, at) in rows {
        match out
            .iter_mut()
            .find(|s| s.programme_id == programme_id && s.period == period)
        {
            Some(s) => {
                s.latest = s.latest.max(version);
                s.first_submitted_at = s.first_submitted_at.min(at);
            }
            None => out.push(ReportSubmission {
                programme_id,
                period,
                latest: version,
                first_submitted_at: at,
            }),
        }
    }
    out.sort_by(|a, b| (&a.programme_id, &a.period).cmp(&(&b.programme_id, &b.period)));
    out
}

/// A version to submit: the figures as computed now, on top of version `after` (the latest
/// the provider saw; 0 for none).
#[derive(Debug, Clone, Copy)]
pub struct NewReport<'a> {
    pub programme_id: &'a str,
    pub period: ReportPeriod,
    pub after: i64,
    pub figures: &'a MonthlyFigures,
    pub remarks: &'a str,
}

impl UnitOfWork {
    /// Writes the next version of the period's report; `Conflict::RevisionChanged` when another
    /// was submitted since the one the provider saw.
    pub async fn submit_report(
        &mut self,
        new: &NewReport<'_>,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<SubmittedReport, StoreError> {
        let NewReport {
            programme_id,
            period,
            after,
            figures,
            remarks,
        } = *new;
        let json = serde_json::to_string(figures)?;
        let digest = report_digest(&json, remarks);
        let period = period.code();
        let version = after + 1;
        write_step!(self, "submit_report", tx => {
            let (latest,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM course_reports WHERE programme_id = $1 AND period = $2")
                .bind(programme_id)
                .bind(&period)
                .fetch_one(&mut *tx)
                .await?;
            if latest.unwrap_or(0) != after {
                return Err(StoreError::Conflict(Conflict::RevisionChanged));
            }
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO course_reports ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            )))
            .bind(programme_id)
            .bind(&period)
            .bind(version)
            .bind(&json)
            .bind(remarks)
            .bind(&digest)
            .bind(actor)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| match e {
                // Submitted at the same moment by someone else: the same as submitted since.
                sqlx::Error::Database(db) if db.is_unique_violation() => {
                    StoreError::Conflict(Conflict::RevisionChanged)
                }
                e => e.into(),
            })?;
            let event = AuditEvent::new(now, actor, "report.submit", format!("report:{programme_id}:{period}:{version}"))
                .with_digests(None, Some(digest.clone()));
            append_audit!(tx, event);
            Ok(())
        })?;
        Ok(SubmittedReport {
            programme_id: programme_id.to_owned(),
            period,
            version,
            figures: figures.clone(),
            remarks: remarks.to_owned(),
            digest,
            submitted_by: actor.to_owned(),
            submitted_at: now,
        })
    }
}

impl UnitOfWork {
    /// Records that the reminder `kind` of a course's `period` was sent; false when it was
    /// already (the caller sends nothing then).
    pub async fn record_report_reminder(
        &mut self,
        programme_id: &str,
        period: ReportPeriod,
        kind: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        write_step!(self, "record_report_reminder", tx => {
            let inserted = sqlx::query(
                "INSERT INTO report_reminders (programme_id, period, kind, sent_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (programme_id, period, kind) DO NOTHING",
            )
            .bind(programme_id)
            .bind(period.code())
            .bind(kind)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            Ok(inserted == 1)
        })
    }
}

//! Scheduled work (effective dates, reminders): jobs kept in the database and claimed through
//! it, so that any number of server nodes can run them and no job is run by two at once.
//!
//! Design:
//! - A job is a row in `jobs` with a `kind` (which handler runs it), a JSON `payload` and the
//!   time it is due. Its status is `pending` (waiting), `running` (claimed), `done` or
//!   `failed` (gave up; the last error is kept).
//! - Claiming is one `UPDATE … RETURNING` that turns due `pending` rows into `running` rows
//!   owned by one worker. On PostgreSQL the rows are picked with `FOR UPDATE SKIP LOCKED`, so
//!   nodes claiming at the same moment take different rows without waiting for each other; on
//!   SQLite the claim runs in a `BEGIN IMMEDIATE` transaction, and SQLite has one writer at a
//!   time, so the second claimer sees the first one's rows as taken.
//! - A claim is a lease, not a lock held by a connection: if the worker dies, the job becomes
//!   claimable again once `lease_until_us` has passed. The runner keeps each handler shorter
//!   than the lease, so a live worker never loses its job to another node; a handler may
//!   still run twice if its node stops after the work and before `complete_job`, so handlers
//!   should be idempotent.
//! - A failure retries with exponential backoff ([`backoff`]) until [`MAX_ATTEMPTS`] claims;
//!   a job whose lease expired on its last attempt is given up the same way.
//! - `dedupe_key` (e.g. `reminder:application:42`) allows one pending job per key: scheduling
//!   again replaces that job's time and payload, which is how a moved date moves its reminder.
//! - Times that SQL compares (`run_at_us`, `lease_until_us`) are microseconds since the Unix
//!   epoch: SQLite keeps `OffsetDateTime` as RFC 3339 text, whose fraction has no fixed width
//!   and so does not sort. All time comes from the caller (the application's clock).

use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Backend, Store, StoreError};
use time::{Duration, OffsetDateTime};

/// Claims per job, the first run included, before it is given up as failed.
pub const MAX_ATTEMPTS: i64 = 5;

/// How long after its `attempts`-th failure a job runs again: 1 minute, then ×4 each time
/// (1, 4, 16, 64 minutes), at most 6 hours.
pub fn backoff(attempts: i64) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 10) - 1).unwrap_or(0);
    let minutes = 4_i64.saturating_pow(exponent).min(6 * 60);
    Duration::minutes(minutes)
}

/// A job to schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub run_at: OffsetDateTime,
    /// The handler's input, as JSON.
    pub payload: &'a str,
    /// At most one pending job per key: scheduling again with it replaces that job.
    pub dedupe_key: Option<&'a str>,
}

/// A job as handed to its handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub run_at: OffsetDateTime,
    pub payload: String,
    /// Claims so far, counting the current one.
    pub attempts: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Pending,
    Running,
    Done,
    Failed,
}

impl JobStatus {
    fn from_code(code: &str) -> Option<Self> {
        match code {
            "pending" => Some(Self::Pending),
            "running" => Some(Self::Running),
            "done" => Some(Self::Done),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A job with its state, for administrators and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub job: Job,
    pub status: JobStatus,
    pub dedupe_key: Option<String>,
    pub claimed_by: Option<String>,
    pub last_error: Option<String>,
    pub finished_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: String,
    kind: String,
    run_at_us: i64,
    payload: String,
    attempts: i64,
}

impl TryFrom<JobRow> for Job {
    type Error = StoreError;
    fn try_from(r: JobRow) -> Result<Self, StoreError> {
        Ok(Self {
            run_at: from_micros(r.run_at_us)
                .ok_or_else(|| StoreError::Corrupt(format!("job {}: run_at_us", r.id)))?,
            id: r.id,
            kind: r.kind,
            payload: r.payload,
            attempts: r.attempts,
        })
    }
}

#[derive(sqlx::FromRow)]
struct JobRecordRow {
    #[sqlx(flatten)]
    job: JobRow,
    status: String,
    dedupe_key: Option<String>,
    claimed_by: Option<String>,
    last_error: Option<String>,
    finished_at: Option<OffsetDateTime>,
}

const JOB_COLUMNS: &str = "id, kind, run_at_us, payload, attempts";

/// Errors are kept for people to read; a handler's whole backtrace is not.
const ERROR_CHARS: usize = 2000;

/// Microseconds since the Unix epoch: how the job and evidence tables keep time, so that both
/// databases compare times by value.
pub fn micros(t: OffsetDateTime) -> i64 {
    // Every OffsetDateTime (years ±9999) fits in i64 microseconds; saturating is unreachable.
    i64::try_from(t.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

pub fn from_micros(us: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1_000).ok()
}

fn duration_micros(d: Duration) -> i64 {
    i64::try_from(d.whole_microseconds()).unwrap_or(i64::MAX)
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

impl Store {
    /// Claims up to `limit` jobs due at `now` for `worker`, each at most once across all nodes
    /// (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: a single writer with an UPDATE … RETURNING
    /// guarded by the status, i.e. unclaimed or an expired lease). A claim is a lease: if the
    /// worker dies, the job is claimable again after `lease`. Oldest due first.
    pub async fn claim_due_jobs(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<Job>, StoreError> {
        let now_us = micros(now);
        let lease_until_us = now_us.saturating_add(duration_micros(lease));
        // The one difference between the backends: PostgreSQL lets concurrent claimers skip
        // each other's rows; SQLite needs no row locks, its write transaction is exclusive.
        let (begin, lock) = match self.db.backend() {
            Backend::Sqlite => ("BEGIN IMMEDIATE", ""),
            Backend::Postgres => ("BEGIN", "FOR UPDATE SKIP LOCKED"),
        };
        let give_up = format!(
            "UPDATE jobs SET status = 'failed', finished_at = $1, updated_at = $1, lease_until_us = NULL, \
             last_error = 'claimed by ' || claimed_by || ', never completed (lease expired on the last attempt)' \
             WHERE id IN (SELECT id FROM jobs WHERE status = 'running' AND lease_until_us <= $2 AND attempts >= $3 {lock})"
        );
        let claim = format!(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, claimed_by = $1, claimed_at = $2, \
             lease_until_us = $3, updated_at = $2 \
             WHERE id IN (SELECT id FROM jobs \
                 WHERE (status = 'pending' AND run_at_us <= $4) \
                    OR (status = 'running' AND lease_until_us <= $4 AND attempts < $5) \
                 ORDER BY run_at_us, id LIMIT $6 {lock}) \
             RETURNING {JOB_COLUMNS}"
        );
        let rows: Vec<JobRow> = on_db!(&self.db, pool => {
            let mut tx = pool.begin_with(begin).await?;
            sqlx::query(sqlx::AssertSqlSafe(give_up))
                .bind(now)
                .bind(now_us)
                .bind(MAX_ATTEMPTS)
                .execute(&mut *tx)
                .await?;
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(claim))
                .bind(worker)
                .bind(now)
                .bind(lease_until_us)
                .bind(now_us)
                .bind(MAX_ATTEMPTS)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            rows
        });
        let mut jobs = rows
            .into_iter()
            .map(Job::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        // RETURNING keeps no order.
        jobs.sort_by(|a, b| (a.run_at, &a.id).cmp(&(b.run_at, &b.id)));
        Ok(jobs)
    }

    /// Marks a claimed job done. A job no longer running (cancelled meanwhile) is left as is.
    pub async fn complete_job(&self, id: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        let mut unit = self.write().await?;
        unit.complete_job(id, now).await?;
        unit.commit().await
    }

    /// Records the failure; retries later with backoff (run_at = now + backoff(attempts)), gives
    /// up after [`MAX_ATTEMPTS`] attempts (status failed, error kept). When the job was
    /// scheduled again meanwhile under its dedupe key, the newer job replaces it and this one
    /// is removed. A job no longer running (cancelled meanwhile) is left as is.
    pub async fn fail_job(
        &self,
        id: &str,
        error: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let error: String = error.chars().take(ERROR_CHARS).collect();
        let row: Option<(String, i64)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT status, attempts FROM jobs WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        let Some((status, attempts)) = row else {
            // Cancelled while it ran.
            return Ok(());
        };
        if status != "running" {
            return Ok(());
        }
        // Each update is guarded by the attempt seen, as outbox claims are: should the lease
        // have passed to another worker meanwhile, its claim is not overwritten.
        if attempts >= MAX_ATTEMPTS {
            on_db!(&self.db, pool => {
                sqlx::query(
                    "UPDATE jobs SET status = 'failed', last_error = $3, finished_at = $4, updated_at = $4, \
                     lease_until_us = NULL WHERE id = $1 AND status = 'running' AND attempts = $2",
                )
                .bind(id)
                .bind(attempts)
                .bind(&error)
                .bind(now)
                .execute(pool)
                .await?;
            });
            return Ok(());
        }
        let run_at_us = micros(now).saturating_add(duration_micros(backoff(attempts)));
        let retried = on_db!(&self.db, pool => {
            sqlx::query(
                "UPDATE jobs SET status = 'pending', run_at_us = $3, last_error = $4, updated_at = $5, \
                 lease_until_us = NULL, claimed_by = NULL, claimed_at = NULL \
                 WHERE id = $1 AND status = 'running' AND attempts = $2",
            )
            .bind(id)
            .bind(attempts)
            .bind(run_at_us)
            .bind(&error)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        });
        match retried {
            Ok(_) => Ok(()),
            // Another pending job holds the dedupe key: it is the newer schedule and wins.
            Err(e) if is_unique_violation(&e) => {
                on_db!(&self.db, pool => {
                    sqlx::query("DELETE FROM jobs WHERE id = $1 AND status = 'running' AND attempts = $2")
                        .bind(id)
                        .bind(attempts)
                        .execute(pool)
                        .await?;
                });
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Jobs not finished (waiting or running), soonest first.
    pub async fn pending_jobs(&self) -> Result<Vec<Job>, StoreError> {
        let rows: Vec<JobRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE status IN ('pending', 'running') ORDER BY run_at_us, id"
            )))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(Job::try_from).collect()
    }

    /// One job with its state and last error, whatever its status.
    pub async fn job(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        let row: Option<JobRecordRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {JOB_COLUMNS}, status, dedupe_key, claimed_by, last_error, finished_at FROM jobs WHERE id = $1"
            )))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(|r| {
            let status = JobStatus::from_code(&r.status).ok_or_else(|| {
                StoreError::Corrupt(format!("job {}: status {}", r.job.id, r.status))
            })?;
            Ok(JobRecord {
                job: Job::try_from(r.job)?,
                status,
                dedupe_key: r.dedupe_key,
                claimed_by: r.claimed_by,
                last_error: r.last_error,
                finished_at: r.finished_at,
            })
        })
        .transpose()
    }
}

impl UnitOfWork {
    /// Marks a running job done. A handler calls it in the unit that makes its effects, so
    /// they and the completion are committed together and a retry never repeats them; the
    /// runner's own completion afterwards changes nothing.
    pub async fn complete_job(&mut self, id: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        write_step!(self, "complete_job", tx => {
            sqlx::query(
                "UPDATE jobs SET status = 'done', finished_at = $2, updated_at = $2, lease_until_us = NULL \
                 WHERE id = $1 AND status = 'running'",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }

    /// Schedules a job; with a dedupe_key already pending, replaces its run_at/payload instead
    /// (returns the id either way). The replaced job starts afresh: its kind is the new one,
    /// its attempts and error are cleared. A job of that key that is running is left to
    /// finish, and the new one is scheduled besides it.
    pub async fn schedule_job(
        &mut self,
        job: &NewJob<'_>,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        let new_id = uuid::Uuid::now_v7().to_string();
        let (id,): (String,) = write_step!(self, "schedule_job", tx => {
            Ok(
            sqlx::query_as(
                "INSERT INTO jobs (id, kind, payload, dedupe_key, status, run_at_us, attempts, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'pending', $5, 0, $6, $6) \
                 ON CONFLICT (dedupe_key) WHERE status = 'pending' DO UPDATE SET \
                 kind = excluded.kind, payload = excluded.payload, run_at_us = excluded.run_at_us, \
                 attempts = 0, last_error = NULL, updated_at = excluded.updated_at \
                 RETURNING id",
            )
            .bind(&new_id)
            .bind(job.kind)
            .bind(job.payload)
            .bind(job.dedupe_key)
            .bind(micros(job.run_at))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?)
        })?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn backoff_grows_by_four_and_is_capped() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(4));
        assert_eq!(backoff(4), Duration::minutes(64));
        assert_eq!(backoff(9), Duration::hours(6));
        assert_eq!(backoff(i64::MAX), Duration::hours(6));
        assert_eq!(backoff(0), Duration::minutes(1));
    }

    #[test]
    fn micros_round_trip_and_order() {
        let t = datetime!(2026-04-01 09:00:00.123456 +09:00);
        assert_eq!(from_micros(micros(t)), Some(t));
        assert!(micros(t) < micros(t + Duration::microseconds(1)));
    }
}

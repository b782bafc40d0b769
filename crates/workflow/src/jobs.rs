//! Running scheduled jobs (`koshu_store::jobs`): handlers registered by kind, and the loop
//! every `koshu serve` node runs.
//!
//! Every node runs the loop; the database hands each due job to one of them
//! (`Store::claim_due_jobs`), so adding nodes needs no coordination. Time comes from the
//! workflow's clock, so tests move a `FixedClock` and call [`run_due`] themselves.
//!
//! A handler is a use case: it gets the workflow and the job, applies what is still due and
//! completes the job in the same unit of work (`UnitOfWork::complete_job`), and answers
//! `Ok(Done)`, `Ok(AlreadyDone)` when it found its work done (a retry after the effects were
//! committed), or `Err` with a message (the job is retried with backoff, and given up after
//! `koshu_store::jobs::MAX_ATTEMPTS`, the message kept). It runs on its own task, so a panic
//! is a failure like any other, and is stopped after [`HANDLER_TIMEOUT`], which is shorter
//! than the claim's [`LEASE`]: while this node lives, no other node takes its job over.

use crate::Workflow;
use futures::future::BoxFuture;
use koshu_store::StoreError;
use koshu_store::jobs::Job;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

/// What a handler found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    /// It did the job's work.
    Done,
    /// The work had been done already (an earlier run committed it); nothing changed.
    AlreadyDone,
}

/// Runs one job; `Err` is the reason it failed, kept with the job.
pub type Handler =
    Arc<dyn Fn(Workflow, Job) -> BoxFuture<'static, Result<JobOutcome, String>> + Send + Sync>;

/// How long a claim holds before another node may take the job (its worker presumably died).
pub const LEASE: time::Duration = time::Duration::minutes(5);

/// How long a handler may run; shorter than [`LEASE`] with room for recording the result.
pub const HANDLER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(4 * 60);

/// Jobs run per pass at most, so that a pass ends and shutdown is heard; the rest wait for
/// the next pass (or another node).
const PER_PASS: usize = 20;

/// The handlers, by job kind.
#[derive(Clone, Default)]
pub struct Jobs {
    handlers: HashMap<&'static str, Handler>,
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<_> = self.handlers.keys().collect();
        kinds.sort();
        f.debug_struct("Jobs").field("kinds", &kinds).finish()
    }
}

impl Jobs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs jobs of `kind` with `handler` (replacing an earlier handler of that kind).
    pub fn on<F, Fut, E>(mut self, kind: &'static str, handler: F) -> Self
    where
        F: Fn(Workflow, Job) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<JobOutcome, E>> + Send + 'static,
        E: std::fmt::Display,
    {
        let handler = Arc::new(handler);
        let handler: Handler = Arc::new(move |wf, job| {
            let handler = Arc::clone(&handler);
            Box::pin(async move { handler(wf, job).await.map_err(|e| e.to_string()) })
        });
        self.handlers.insert(kind, handler);
        self
    }

    /// The kinds that have a handler, sorted.
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.handlers.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }
}

/// The application's jobs: what `koshu serve` runs, one `.on(kind, handler)` each.
pub fn registry() -> Jobs {
    use crate::designation as d;
    Jobs::new()
        .on(d::APPLY_CHANGE, d::apply_change)
        .on(d::ABOLISH, d::abolish)
        .on(d::EXPIRE, d::expire)
        .on(d::RENEWAL_REMINDER, d::remind_renewal)
        .on(crate::listings::FRESHNESS, crate::listings::remind_stale)
        .on(crate::delivery::OFFER_LAPSE, crate::delivery::lapse_offer)
        .on(crate::holders::REMINDERS, crate::holders::send_reminders)
        .on(
            crate::reports::REPORT_REMINDERS,
            crate::reports::send_reminders,
        )
        .on(
            crate::retention::RETENTION_PURGE,
            crate::retention::run_purge,
        )
}

/// The start of a day in Japan: when a notice dated that day takes effect.
pub fn start_of(day: time::Date) -> time::OffsetDateTime {
    day.midnight().assume_offset(crate::JST)
}

/// Schedules job `kind` for the start of `day` in Japan (when a date takes effect), one
/// pending job per `key`.
pub(crate) async fn schedule_on(
    unit: &mut koshu_store::UnitOfWork,
    kind: &str,
    day: time::Date,
    payload: &str,
    key: &str,
    now: time::OffsetDateTime,
) -> Result<(), StoreError> {
    unit.schedule_job(
        &koshu_store::jobs::NewJob {
            kind,
            run_at: start_of(day),
            payload,
            dedupe_key: Some(key),
        },
        now,
    )
    .await?;
    Ok(())
}

/// This process's name in `jobs.claimed_by`: host, process id and a random suffix (process
/// ids repeat across containers and restarts).
pub fn worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_owned());
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "{host}/{}/{}",
        std::process::id(),
        suffix.get(..8).unwrap_or(&suffix)
    )
}

/// Job runs by kind and outcome (`done`, `already_done`, `failed`), for `/metrics`.
const JOB_RUNS: &str = "koshu_jobs_total";

/// One pass: claim due jobs (time from the workflow's clock), run each handler, complete or fail it.
/// Returns how many ran. Tests call this directly with a FixedClock.
///
/// Jobs are claimed one at a time, each just before it runs: a claimed batch would hold the
/// last job's lease while the ones before it ran, and could lose it to another node.
pub async fn run_due(wf: &Workflow, jobs: &Jobs, worker: &str) -> Result<usize, StoreError> {
    let mut ran = 0;
    while ran < PER_PASS {
        let Some(job) = wf
            .store
            .claim_due_jobs(worker, wf.now(), LEASE, 1)
            .await?
            .pop()
        else {
            break;
        };
        ran += 1;
        let id = job.id.clone();
        let kind = job.kind.clone();
        let attempt = job.attempts;
        match run_one(wf, jobs, job).await {
            Ok(outcome) => {
                // A handler completes its job itself; this covers one that does not.
                wf.store.complete_job(&id, wf.now()).await?;
                let label = match outcome {
                    JobOutcome::Done => "done",
                    JobOutcome::AlreadyDone => "already_done",
                };
                metrics::counter!(JOB_RUNS, "kind" => kind.clone(), "outcome" => label)
                    .increment(1);
                match outcome {
                    JobOutcome::Done => {
                        tracing::info!(job_id = %id, kind = %kind, attempt, "job done")
                    }
                    JobOutcome::AlreadyDone => {
                        tracing::info!(job_id = %id, kind = %kind, attempt, "job found its work done already")
                    }
                }
            }
            Err(error) => {
                metrics::counter!(JOB_RUNS, "kind" => kind.clone(), "outcome" => "failed")
                    .increment(1);
                tracing::warn!(job_id = %id, kind = %kind, attempt, error = %error, "job failed");
                wf.store.fail_job(&id, &error, wf.now()).await?;
            }
        }
    }
    Ok(ran)
}

async fn run_one(wf: &Workflow, jobs: &Jobs, job: Job) -> Result<JobOutcome, String> {
    let Some(handler) = jobs.handlers.get(job.kind.as_str()) else {
        // Say which kinds this node knows: during a rolling upgrade an older node may claim a
        // newer kind; the retry will likely land on a newer node.
        return Err(format!(
            "no handler for job kind {:?} on this node (known: {})",
            job.kind,
            if jobs.handlers.is_empty() {
                "none".to_owned()
            } else {
                jobs.kinds().join(", ")
            }
        ));
    };
    let task = tokio::spawn(handler(wf.clone(), job));
    let abort = task.abort_handle();
    match tokio::time::timeout(HANDLER_TIMEOUT, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) if e.is_panic() => Err("the handler panicked".to_owned()),
        Ok(Err(e)) => Err(format!("the handler did not finish: {e}")),
        Err(_) => {
            abort.abort();
            Err(format!(
                "the handler ran longer than {} s and was stopped",
                HANDLER_TIMEOUT.as_secs()
            ))
        }
    }
}

/// The loop `koshu serve` runs: run_due every `every` (e.g. 30 s) until the shutdown signal.
/// A pass under way is finished first, so no claimed job is left to wait for its lease.
pub async fn run_forever(
    wf: Workflow,
    jobs: Jobs,
    worker: String,
    every: std::time::Duration,
    shutdown: impl Future<Output = ()>,
) {
    tracing::info!(worker = %worker, kinds = ?jobs.kinds(), "scheduled jobs runner started");
    let mut ticker = tokio::time::interval(every);
    // After a long pass, wait a whole period rather than running the missed ones back to back.
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = ticker.tick() => {}
        }
        if let Err(e) = run_due(&wf, &jobs, &worker).await {
            tracing::error!(error = %e, "running scheduled jobs failed");
        }
    }
    tracing::info!(worker = %worker, "scheduled jobs runner stopped");
}

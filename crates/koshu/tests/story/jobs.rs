//! Scheduled jobs: due at the clock's time, claimed by one worker only, retried with backoff,
//! taken over when a lease runs out, and one pending job per dedupe key.

use crate::app::{START, TestApp};
use koshu_store::jobs::{Job, JobStatus, MAX_ATTEMPTS, NewJob, backoff};
use koshu_workflow::jobs::{JobOutcome, Jobs, run_due};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use time::Duration;

/// Handlers that record the payloads they ran, in order.
fn recording(kind: &'static str) -> (Jobs, Arc<Mutex<Vec<String>>>) {
    let ran = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&ran);
    let jobs = Jobs::new().on(kind, move |_state, job: Job| {
        let seen = Arc::clone(&seen);
        async move {
            seen.lock().unwrap().push(job.payload);
            Ok::<_, String>(JobOutcome::Done)
        }
    });
    (jobs, ran)
}

fn job<'a>(kind: &'a str, run_at: time::OffsetDateTime, payload: &'a str) -> NewJob<'a> {
    NewJob {
        kind,
        run_at,
        payload,
        dedupe_key: None,
    }
}

pub async fn jobs_for_tomorrow_run_once_when_their_time_comes(app: TestApp) {
    let (jobs, ran) = recording("reminder");
    let tomorrow = START + Duration::days(1);
    let id = write_unit!(app, unit => unit.schedule_job(&job("reminder", tomorrow, r#"{"n":1}"#), START).await)
        .unwrap();

    // Two due today run in one pass, soonest first; tomorrow's waits.
    for (minutes, payload) in [(5, "today-b"), (10, "today-a")] {
        write_unit!(app, unit => unit.schedule_job(
                &job("reminder", START - Duration::minutes(minutes), payload),
                START,
            ).await)
        .unwrap();
    }
    assert_eq!(run_due(&app.state.workflow, &jobs, "w1").await.unwrap(), 2);
    assert_eq!(*ran.lock().unwrap(), vec!["today-a", "today-b"]);
    ran.lock().unwrap().clear();
    assert_eq!(run_due(&app.state.workflow, &jobs, "w1").await.unwrap(), 0);
    app.clock.set(tomorrow - Duration::seconds(1));
    assert_eq!(run_due(&app.state.workflow, &jobs, "w1").await.unwrap(), 0);
    assert!(ran.lock().unwrap().is_empty(), "nothing runs before run_at");

    app.clock.set(tomorrow + Duration::minutes(1));
    assert_eq!(run_due(&app.state.workflow, &jobs, "w1").await.unwrap(), 1);
    assert_eq!(*ran.lock().unwrap(), vec![r#"{"n":1}"#.to_owned()]);
    assert_eq!(run_due(&app.state.workflow, &jobs, "w1").await.unwrap(), 0);
    app.clock.set(tomorrow + Duration::days(30));
    assert_eq!(run_due(&app.state.workflow, &jobs, "w2").await.unwrap(), 0);
    assert_eq!(ran.lock().unwrap().len(), 1, "a done job never runs again");

    let record = app.store.job(&id).await.unwrap().unwrap();
    assert_eq!(record.status, JobStatus::Done);
    assert_eq!(record.job.attempts, 1);
    assert_eq!(record.job.run_at, tomorrow);
    assert_eq!(record.claimed_by.as_deref(), Some("w1"));
    assert!(app.store.pending_jobs().await.unwrap().is_empty());
}

pub async fn jobs_claimed_by_two_workers_at_once_go_to_one_each(app: TestApp) {
    let mut scheduled = HashSet::new();
    for i in 0..20 {
        let payload = format!(r#"{{"i":{i}}}"#);
        let at = START - Duration::minutes(i);
        scheduled.insert(
            write_unit!(app, unit => unit.schedule_job(&job("reminder", at, &payload), START).await)
                .unwrap(),
        );
    }
    let lease = Duration::minutes(5);
    let (a, b) = tokio::join!(
        app.store.claim_due_jobs("a", START, lease, 20),
        app.store.claim_due_jobs("b", START, lease, 20),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let a_ids: HashSet<_> = a.iter().map(|j| j.id.clone()).collect();
    let b_ids: HashSet<_> = b.iter().map(|j| j.id.clone()).collect();
    assert!(a_ids.is_disjoint(&b_ids), "a job was claimed twice");
    assert_eq!(a.len() + b.len(), 20);
    assert_eq!(&a_ids | &b_ids, scheduled);
    assert!(a.iter().chain(&b).all(|j| j.attempts == 1));
    // Oldest due first.
    assert!(a.windows(2).all(|w| w[0].run_at <= w[1].run_at));

    // Many small claims at once, from fresh jobs: still each job once.
    for i in 0..20 {
        let payload = format!(r#"{{"j":{i}}}"#);
        write_unit!(app, unit => unit.schedule_job(&job("reminder", START, &payload), START).await)
            .unwrap();
    }
    let claims = futures_join(&app, lease).await;
    let mut all = HashSet::new();
    for j in claims.into_iter().flatten() {
        assert!(all.insert(j.id), "a job was claimed twice");
    }
    assert_eq!(all.len(), 20);
    assert!(
        app.store
            .claim_due_jobs("e", START, lease, 20)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Four workers claiming five at a time, concurrently.
async fn futures_join(app: &TestApp, lease: Duration) -> Vec<Vec<Job>> {
    let (a, b, c, d) = tokio::join!(
        app.store.claim_due_jobs("a", START, lease, 5),
        app.store.claim_due_jobs("b", START, lease, 5),
        app.store.claim_due_jobs("c", START, lease, 5),
        app.store.claim_due_jobs("d", START, lease, 5),
    );
    vec![a.unwrap(), b.unwrap(), c.unwrap(), d.unwrap()]
}

pub async fn jobs_that_fail_are_retried_with_backoff_then_given_up(app: TestApp) {
    let tries = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&tries);
    let jobs = Jobs::new().on("flaky", move |_state, job: Job| {
        let counted = Arc::clone(&counted);
        async move {
            *counted.lock().unwrap() += 1;
            Err(format!("registry unreachable (attempt {})", job.attempts))
        }
    });
    let id = write_unit!(app, unit => unit.schedule_job(&job("flaky", START, "{}"), START).await)
        .unwrap();

    let mut now = START;
    for attempt in 1..=MAX_ATTEMPTS {
        assert_eq!(run_due(&app.state.workflow, &jobs, "w").await.unwrap(), 1);
        let record = app.store.job(&id).await.unwrap().unwrap();
        assert_eq!(record.job.attempts, attempt);
        assert_eq!(
            record.last_error.as_deref(),
            Some(format!("registry unreachable (attempt {attempt})").as_str())
        );
        if attempt == MAX_ATTEMPTS {
            assert_eq!(record.status, JobStatus::Failed);
            assert_eq!(record.finished_at, Some(now));
            break;
        }
        assert_eq!(record.status, JobStatus::Pending);
        assert_eq!(record.job.run_at, now + backoff(attempt));
        // Not before the backoff has passed.
        app.clock.set(now + backoff(attempt) - Duration::seconds(1));
        assert_eq!(run_due(&app.state.workflow, &jobs, "w").await.unwrap(), 0);
        now += backoff(attempt);
        app.clock.set(now);
    }
    assert_eq!(*tries.lock().unwrap(), MAX_ATTEMPTS);
    app.clock.set(now + Duration::days(7));
    assert_eq!(run_due(&app.state.workflow, &jobs, "w").await.unwrap(), 0);
    assert!(app.store.pending_jobs().await.unwrap().is_empty());
}

pub async fn jobs_without_a_handler_fail_with_a_clear_error(app: TestApp) {
    let (jobs, _) = recording("reminder");
    let id = write_unit!(app, unit => unit.schedule_job(&job("designation.effective", START, "{}"), START).await)
        .unwrap();
    assert_eq!(run_due(&app.state.workflow, &jobs, "w").await.unwrap(), 1);
    let record = app.store.job(&id).await.unwrap().unwrap();
    assert_eq!(
        record.status,
        JobStatus::Pending,
        "retried: another node may know it"
    );
    assert_eq!(
        record.last_error.as_deref(),
        Some(r#"no handler for job kind "designation.effective" on this node (known: reminder)"#)
    );

    // A handler that panics is a failure too, and the runner carries on.
    let jobs = Jobs::new().on("designation.effective", |_wf, _job| async {
        if true {
            panic!("bug in a handler");
        }
        Ok::<_, String>(JobOutcome::Done)
    });
    app.clock.set(START + backoff(1));
    assert_eq!(run_due(&app.state.workflow, &jobs, "w").await.unwrap(), 1);
    let record = app.store.job(&id).await.unwrap().unwrap();
    assert_eq!(record.last_error.as_deref(), Some("the handler panicked"));
    assert_eq!(record.job.attempts, 2);
}

pub async fn jobs_whose_lease_expired_are_claimable_again(app: TestApp) {
    let lease = Duration::minutes(10);
    let id =
        write_unit!(app, unit => unit.schedule_job(&job("reminder", START, "{}"), START).await)
            .unwrap();
    let claimed = app
        .store
        .claim_due_jobs("dies", START, lease, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    // Still claimed, not finished: listed as pending, and nobody else may take it.
    assert_eq!(app.store.pending_jobs().await.unwrap().len(), 1);
    let later = START + lease - Duration::seconds(1);
    assert!(
        app.store
            .claim_due_jobs("other", later, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let expired = START + lease;
    let again = app
        .store
        .claim_due_jobs("other", expired, lease, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, id);
    assert_eq!(again[0].attempts, 2);
    app.store.complete_job(&id, expired).await.unwrap();
    let record = app.store.job(&id).await.unwrap().unwrap();
    assert_eq!(record.status, JobStatus::Done);
    assert_eq!(record.claimed_by.as_deref(), Some("other"));

    // A job whose worker dies on every attempt is given up after the last one.
    let id =
        write_unit!(app, unit => unit.schedule_job(&job("reminder", expired, "{}"), expired).await)
            .unwrap();
    let mut now = expired;
    for _ in 0..MAX_ATTEMPTS {
        let claimed = app
            .store
            .claim_due_jobs("dies", now, lease, 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        now += lease;
    }
    assert!(
        app.store
            .claim_due_jobs("other", now, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let record = app.store.job(&id).await.unwrap().unwrap();
    assert_eq!(record.status, JobStatus::Failed);
    assert_eq!(record.job.attempts, MAX_ATTEMPTS);
    assert!(
        record
            .last_error
            .as_deref()
            .unwrap()
            .contains("claimed by dies, never completed")
    );
}

pub async fn jobs_keep_one_pending_job_per_dedupe_key(app: TestApp) {
    let key = "reminder:application:42";
    let first = write_unit!(app, unit => unit.schedule_job(
            &NewJob {
                kind: "reminder",
                run_at: START + Duration::days(10),
                payload: r#"{"v":1}"#,
                dedupe_key: Some(key),
            },
            START,
        ).await)
    .unwrap();
    let second = write_unit!(app, unit => unit.schedule_job(
            &NewJob {
                kind: "reminder",
                run_at: START + Duration::days(20),
                payload: r#"{"v":2}"#,
                dedupe_key: Some(key),
            },
            START + Duration::hours(1),
        ).await)
    .unwrap();
    assert_eq!(first, second, "the pending job is replaced, not duplicated");
    // Jobs without a key never replace each other.
    write_unit!(app, unit => unit.schedule_job(&job("other", START + Duration::days(5), "{}"), START).await)
        .unwrap();
    write_unit!(app, unit => unit.schedule_job(&job("other", START + Duration::days(5), "{}"), START).await)
        .unwrap();

    let pending = app.store.pending_jobs().await.unwrap();
    assert_eq!(pending.len(), 3);
    let keyed: Vec<_> = pending.iter().filter(|j| j.kind == "reminder").collect();
    assert_eq!(keyed.len(), 1);
    assert_eq!(keyed[0].id, first);
    assert_eq!(keyed[0].run_at, START + Duration::days(20));
    assert_eq!(keyed[0].payload, r#"{"v":2}"#);

    // While a keyed job runs, scheduling the key again queues a new job beside it; if the
    // running one then fails, the newer schedule wins and the old one is not retried.
    let (jobs, ran) = recording("reminder");
    let running = write_unit!(app, unit => unit.schedule_job(
            &NewJob {
                kind: "reminder",
                run_at: START,
                payload: r#"{"v":3}"#,
                dedupe_key: Some(key),
            },
            START,
        ).await)
    .unwrap();
    let claimed = app
        .store
        .claim_due_jobs("w", START, Duration::minutes(5), 1)
        .await
        .unwrap();
    assert_eq!(claimed[0].id, running);
    let newer = write_unit!(app, unit => unit.schedule_job(
            &NewJob {
                kind: "reminder",
                run_at: START + Duration::days(1),
                payload: r#"{"v":4}"#,
                dedupe_key: Some(key),
            },
            START,
        ).await)
    .unwrap();
    assert_ne!(newer, running);
    app.store.fail_job(&running, "boom", START).await.unwrap();
    assert!(app.store.job(&running).await.unwrap().is_none());
    app.clock.set(START + Duration::days(1));
    assert_eq!(run_due(&app.state.workflow, &jobs, "w").await.unwrap(), 1);
    assert_eq!(*ran.lock().unwrap(), vec![r#"{"v":4}"#.to_owned()]);
}

//! Heartbeats of remote learners (B30 ②, D03): the live session page beats every 30 s while
//! it is visible, and a gap becomes a "left" interval on the roster. At 60,000 learners that is
//! 2,000 beats a second, so beats are written in batches: one writer task takes every beat
//! waiting when it starts a unit, writes them in one transaction, and answers each beat only
//! once its batch is committed (a group commit: durable when acknowledged, and a batch grows
//! by itself while the previous one commits).
//!
//! Whether a learner may beat (enrolled, a block of the session live now) is read once a
//! minute per learner and session, not on every beat.

use crate::delivery::{CatalogueSession, catalogue_session};
use crate::{JST, Workflow, WorkflowError};
use koshu_domain::ValidationError;
use koshu_domain::delivery::EnrolmentStatus;
use koshu_store::StoreError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};
use tokio::sync::{mpsc, oneshot};

/// Beats taken into one batch at most.
const BATCH: usize = 4_000;

/// How long a learner's permission to beat is remembered.
const REMEMBER: Duration = Duration::minutes(1);

/// Beats count from a quarter of an hour before a block (people join early).
const EARLY: Duration = Duration::minutes(15);

struct Beat {
    session_id: String,
    account_id: String,
    at: OffsetDateTime,
    done: oneshot::Sender<bool>,
}

/// The batching writer; cheap to clone.
#[derive(Clone)]
pub struct Heartbeats {
    queue: mpsc::Sender<Beat>,
    allowed: Arc<Mutex<HashMap<(String, String), OffsetDateTime>>>,
}

impl std::fmt::Debug for Heartbeats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Heartbeats").finish_non_exhaustive()
    }
}

fn not_live() -> ValidationError {
    ValidationError::new(
        "heartbeat.not_live",
        "いま受講中のコマがありません（受講が確定した回の、開始15分前から終了までに記録されます）。",
        "No block of yours is live now: presence is recorded from 15 minutes before a block of a session you have a place in until its end.",
    )
}

impl Heartbeats {
    /// Starts the writer task on the current runtime.
    pub fn start(wf: &Workflow) -> Self {
        let (queue, beats) = mpsc::channel(BATCH * 4);
        tokio::spawn(write_batches(wf.clone(), beats));
        Self {
            queue,
            allowed: Arc::default(),
        }
    }

    /// Records that `account_id`'s live page of `session_id` is open and visible now; returns
    /// once the beat is committed.
    pub async fn beat(
        &self,
        wf: &Workflow,
        session_id: &str,
        account_id: &str,
    ) -> Result<(), WorkflowError> {
        let now = wf.now();
        let key = (session_id.to_owned(), account_id.to_owned());
        let remembered = self
            .allowed
            .lock()
            .map(|m| m.get(&key).is_some_and(|until| *until > now))
            .unwrap_or(false);
        if !remembered {
            if !may_beat(wf, session_id, account_id, now).await? {
                return Err(WorkflowError::Invalid(not_live()));
            }
            if let Ok(mut m) = self.allowed.lock() {
                // Forget the expired, so the map holds only the learners of live blocks.
                m.retain(|_, until| *until > now);
                m.insert(key, now + REMEMBER);
            }
        }
        let (done, committed) = oneshot::channel();
        let beat = Beat {
            session_id: session_id.to_owned(),
            account_id: account_id.to_owned(),
            at: now,
            done,
        };
        if self.queue.send(beat).await.is_err() || !committed.await.unwrap_or(false) {
            return Err(WorkflowError::Store(StoreError::Poisoned));
        }
        Ok(())
    }
}

async fn may_beat(
    wf: &Workflow,
    session_id: &str,
    account_id: &str,
    now: OffsetDateTime,
) -> Result<bool, WorkflowError> {
    let enrolled = wf
        .store
        .enrolment_of(session_id, account_id)
        .await?
        .is_some_and(|e| e.status == EnrolmentStatus::Enrolled);
    if !enrolled {
        return Ok(false);
    }
    let Some(delivery) = wf.store.delivery(session_id).await? else {
        return Ok(false);
    };
    let CatalogueSession { session, .. } = catalogue_session(wf, session_id).await?;
    Ok(!session.cancelled
        && delivery
            .plan
            .timetable
            .iter()
            .any(|b| now >= b.starts(JST) - EARLY && now <= b.ends(JST)))
}

async fn write_batches(wf: Workflow, mut beats: mpsc::Receiver<Beat>) {
    let mut batch = Vec::with_capacity(BATCH);
    while beats.recv_many(&mut batch, BATCH).await > 0 {
        let rows: Vec<(&str, &str, OffsetDateTime)> = batch
            .iter()
            .map(|b| (b.session_id.as_str(), b.account_id.as_str(), b.at))
            .collect();
        let written = async {
            let mut unit = wf.store.write().await?;
            unit.insert_heartbeats(&rows).await?;
            unit.commit().await
        }
        .await;
        if let Err(e) = &written {
            tracing::error!(error = %e, beats = batch.len(), "heartbeats not written");
        }
        metrics::counter!("koshu_heartbeats_total").increment(batch.len() as u64);
        for b in batch.drain(..) {
            // A page that stopped waiting (closed) needs no answer.
            let _ = b.done.send(written.is_ok());
        }
    }
}

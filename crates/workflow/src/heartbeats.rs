//! Heartbeats of remote learners (B30 ②, D03): the live session page beats every 30 s while
//! it is visible, and a gap becomes a "left" interval on the roster. At 60,000 learners that is
//! 2,000 beats a second, so beats are written in batches: one writer task takes every beat
//! waiting when it starts a unit, writes them in one transaction, and answers each beat only
//! once its batch is committed (a group commit: durable when acknowledged, and a batch grows
//! by itself while the previous one commits).
//!
//! Whether a beat counts is the ticket's to say (`koshu_domain::delivery::ticket`): the live
//! page of an enrolled learner carries one, signed with the session's secret, so a beat is
//! checked in memory; the secrets are read once per session.

use crate::{JST, Workflow, WorkflowError};
use koshu_domain::delivery::{Ticket, issue_ticket, ticket_session, verify_ticket};
use koshu_store::StoreError;
use koshu_store::delivery::Delivery;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

/// Beats taken into one batch at most.
const BATCH: usize = 4_000;

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
    /// Each session's secret, by session id, as read from its delivery.
    secrets: Arc<Mutex<HashMap<String, Arc<[u8]>>>>,
}

impl std::fmt::Debug for Heartbeats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Heartbeats").finish_non_exhaustive()
    }
}

/// The ticket for `account_id`'s live page of `delivery`: good until the session's last
/// block ends (beats outside the blocks count for nothing).
pub fn ticket(delivery: &Delivery, account_id: &str) -> Option<String> {
    let expires = delivery.plan.timetable.iter().map(|b| b.ends(JST)).max()?;
    Some(issue_ticket(
        delivery.code_secret.as_bytes(),
        &Ticket {
            session_id: delivery.session_id.clone(),
            account_id: account_id.to_owned(),
            expires,
        },
    ))
}

impl Heartbeats {
    /// Starts the writer task on the current runtime.
    pub fn start(wf: &Workflow) -> Self {
        let (queue, beats) = mpsc::channel(BATCH * 4);
        tokio::spawn(write_batches(wf.clone(), beats));
        Self {
            queue,
            secrets: Arc::default(),
        }
    }

    /// Records a beat of the live page that holds `ticket`; returns once it is committed.
    pub async fn beat(&self, wf: &Workflow, ticket: &str) -> Result<(), WorkflowError> {
        let session_id = ticket_session(ticket)?;
        let secret = self.secret(wf, session_id).await?;
        let now = wf.now();
        let Ticket {
            session_id,
            account_id,
            ..
        } = verify_ticket(&secret, ticket, now)?;
        let (done, committed) = oneshot::channel();
        let beat = Beat {
            session_id,
            account_id,
            at: now,
            done,
        };
        if self.queue.send(beat).await.is_err() || !committed.await.unwrap_or(false) {
            return Err(WorkflowError::Store(StoreError::Poisoned));
        }
        Ok(())
    }

    async fn secret(&self, wf: &Workflow, session_id: &str) -> Result<Arc<[u8]>, WorkflowError> {
        if let Some(s) = self
            .secrets
            .lock()
            .ok()
            .and_then(|m| m.get(session_id).cloned())
        {
            return Ok(s);
        }
        let delivery = wf
            .store
            .delivery(session_id)
            .await?
            .ok_or(WorkflowError::NotFound)?;
        let secret: Arc<[u8]> = Arc::from(delivery.code_secret.as_bytes());
        if let Ok(mut m) = self.secrets.lock() {
            m.insert(session_id.to_owned(), Arc::clone(&secret));
        }
        Ok(secret)
    }
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

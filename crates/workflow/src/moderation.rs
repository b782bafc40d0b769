//! Moderation (issue 14 item 5): a visitor reports a problem with a programme; the ministry
//! closes reports and hides a programme (its provider reads the reason) or shows it again.

use crate::{Workflow, WorkflowError};

pub const REASONS: [&str; 5] = ["outdated", "wrong", "broken_link", "inappropriate", "other"];

/// A visitor's report; `visitor` names them in the audit log without their address.
pub async fn report(
    wf: &Workflow,
    programme_id: &str,
    reason: &str,
    details: &str,
    contact: &str,
    visitor: &str,
) -> Result<(), WorkflowError> {
    let id = uuid::Uuid::now_v7().to_string();
    let mut unit = wf.store.write().await?;
    unit.report_programme(
        &id,
        programme_id,
        reason,
        details,
        contact,
        visitor,
        wf.now(),
    )
    .await?;
    unit.commit().await?;
    Ok(())
}

pub async fn close_report(wf: &Workflow, id: &str, actor: &str) -> Result<(), WorkflowError> {
    let mut unit = wf.store.write().await?;
    unit.close_report(id, actor, wf.now()).await?;
    unit.commit().await?;
    Ok(())
}

/// Hides the programme with `reason`, or shows it again with `None`.
pub async fn hide(
    wf: &Workflow,
    programme_id: &str,
    reason: Option<&str>,
    actor: &str,
) -> Result<(), WorkflowError> {
    let mut unit = wf.store.write().await?;
    unit.hide_programme(programme_id, reason, actor, wf.now())
        .await?;
    unit.commit().await?;
    Ok(())
}

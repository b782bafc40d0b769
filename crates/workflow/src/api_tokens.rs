//! API tokens of an organisation's own systems (issue 14 item 3): created by an owner (the
//! secret, made at the edge, is kept only as its digest) and revoked, each in one unit.

use crate::{Workflow, WorkflowError};
use koshu_store::api_tokens::NewApiToken;

pub async fn create(
    wf: &Workflow,
    token: &NewApiToken<'_>,
    actor: &str,
) -> Result<(), WorkflowError> {
    let mut unit = wf.store.write().await?;
    unit.create_api_token(token, actor, wf.now()).await?;
    unit.commit().await?;
    Ok(())
}

/// Revokes it at once: the next request with it is a 401.
pub async fn revoke(
    wf: &Workflow,
    organisation_id: &str,
    id: &str,
    actor: &str,
) -> Result<(), WorkflowError> {
    let mut unit = wf.store.write().await?;
    unit.revoke_api_token(organisation_id, id, actor, wf.now())
        .await?;
    unit.commit().await?;
    Ok(())
}

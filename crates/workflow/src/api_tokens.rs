//! API tokens of an organisation's own systems (issue 14 item 3): created by an owner (the
//! secret, made at the edge, is kept only as its digest) and revoked, each in one unit.

use crate::{Workflow, WorkflowError};
use koshu_domain::access::policy::TokenScope;
use koshu_store::api_tokens::NewApiToken;

/// A token just made: its id (an LRS client's user name) and its secret, which nothing
/// keeps but the digest and which is shown this once.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: String,
    pub secret: String,
}

/// Makes a token of the organisation that may do `scope` for `valid_for`.
pub async fn create(
    wf: &Workflow,
    organisation_id: &str,
    name: &str,
    scope: TokenScope,
    valid_for: time::Duration,
    actor: &str,
) -> Result<IssuedToken, WorkflowError> {
    let secret = format!("koshu_{}", hex::encode(crate::credentials::random::<32>()?));
    let id = uuid::Uuid::now_v7().to_string();
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    unit.create_api_token(
        &NewApiToken {
            id: &id,
            organisation_id,
            name,
            scope: scope.code(),
            secret_digest: &crate::holders::token_hash(&secret),
            hint: secret.get(..12).unwrap_or(&secret),
            expires_at: now + valid_for,
        },
        actor,
        now,
    )
    .await?;
    unit.commit().await?;
    Ok(IssuedToken { id, secret })
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

//! Provider organisations (B21, B24, B25): registration by the person who becomes its owner,
//! changes to its record, and staff joining by invitation.

use crate::{Workflow, WorkflowError, account_actor};
use koshu_domain::access::OrgRole;
use koshu_domain::access::organisation::Organisation;
use koshu_store::organisations::Registration;

/// Registers `org` with `owner` (an account id) as its first owner; returns the new id, or
/// `Err(CorporateNumberTaken)` as a value when the legal entity is registered already.
pub async fn register(
    wf: &Workflow,
    org: &Organisation,
    owner: &str,
) -> Result<(String, Registration), WorkflowError> {
    let id = uuid::Uuid::now_v7().to_string();
    let mut unit = wf.store.write().await?;
    let registration = unit
        .register_organisation(&id, org, owner, wf.now())
        .await?;
    if registration == Registration::Created {
        unit.commit().await?;
    }
    Ok((id, registration))
}

pub async fn update(
    wf: &Workflow,
    id: &str,
    org: &Organisation,
    actor: &str,
) -> Result<(), WorkflowError> {
    let mut unit = wf.store.write().await?;
    unit.update_organisation(id, org, actor, wf.now()).await?;
    unit.commit().await?;
    Ok(())
}

/// `account_id` joins the organisation's staff with `role` (an accepted invitation).
pub async fn join(
    wf: &Workflow,
    organisation_id: &str,
    account_id: &str,
    role: OrgRole,
) -> Result<(), WorkflowError> {
    let mut unit = wf.store.write().await?;
    unit.grant_membership(
        organisation_id,
        account_id,
        role,
        &account_actor(account_id),
        wf.now(),
    )
    .await?;
    unit.commit().await?;
    Ok(())
}

//! Provider organisations (B21, B24, B25): registration by the person who becomes its owner,
//! changes to its record, and its staff: invitations sent, resent and withdrawn, members
//! joining, and their roles.

use crate::mail::Queued;
use crate::{Workflow, WorkflowError, account_actor};
use koshu_domain::access::OrgRole;
use koshu_domain::access::organisation::Organisation;
use koshu_store::accounts::{NewToken, TokenPurpose};
use koshu_store::organisations::Registration;
use koshu_store::outbox::Mail;

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

/// An invitation accepted by the person it was sent to (`email`, signed in as `account_id`):
/// the link used up and the membership granted with the invitation's role, in one unit.
/// Returns the organisation, or `None` when the link is unknown, used, expired or another
/// person's: nothing changes then.
pub async fn accept_invitation(
    wf: &Workflow,
    token_hash: &str,
    account_id: &str,
    email: &str,
) -> Result<Option<String>, WorkflowError> {
    let now = wf.now();
    let peeked = wf
        .store
        .peek_token(token_hash, TokenPurpose::Invitation, now)
        .await?
        .filter(|t| t.email == email);
    let (Some(organisation_id), Some(role)) = (
        peeked.as_ref().and_then(|t| t.organisation_id.clone()),
        peeked.as_ref().and_then(|t| t.role),
    ) else {
        return Ok(None);
    };
    let mut unit = wf.store.write().await?;
    if unit
        .redeem_token(token_hash, TokenPurpose::Invitation, now)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    unit.grant_membership(
        &organisation_id,
        account_id,
        role,
        &account_actor(account_id),
        now,
    )
    .await?;
    unit.commit().await?;
    Ok(Some(organisation_id))
}

/// An invitation to join the staff: its link recorded and the mail that carries it queued,
/// in one unit (issue 13 item 17). With `replacing`, the invitation it replaces (a resend)
/// stops working in the same unit.
pub async fn invite(
    wf: &Workflow,
    token: &NewToken<'_>,
    mail: Mail,
    replacing: Option<&str>,
    actor: &str,
) -> Result<(), WorkflowError> {
    let organisation_id = token.organisation_id.ok_or(WorkflowError::NotFound)?;
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    if let Some(old) = replacing {
        unit.withdraw_invitation(organisation_id, old, actor, now)
            .await?;
    }
    unit.invite(token, actor, now).await?;
    let mut queued = Queued::default();
    queued.push(wf, &mut unit, mail).await?;
    unit.commit().await?;
    queued.log(wf);
    Ok(())
}

/// Withdraws an invitation not yet accepted: its link stops working.
pub async fn withdraw_invitation(
    wf: &Workflow,
    organisation_id: &str,
    invitation: &str,
    actor: &str,
) -> Result<(), WorkflowError> {
    let mut unit = wf.store.write().await?;
    unit.withdraw_invitation(organisation_id, invitation, actor, wf.now())
        .await?;
    unit.commit().await?;
    Ok(())
}

/// Changes a member's role; the last owner stays an owner (`Conflict::LastOwner`).
pub async fn change_role(
    wf: &Workflow,
    organisation_id: &str,
    account_id: &str,
    role: OrgRole,
    actor: &str,
) -> Result<(), WorkflowError> {
    let mut unit = wf.store.write().await?;
    unit.change_role(organisation_id, account_id, role, actor, wf.now())
        .await?;
    unit.commit().await?;
    Ok(())
}

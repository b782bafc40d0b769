//! Accounts (issue 11): the use cases of a person's own account that write more than one
//! thing, each in one unit.

use crate::mail::Queued;
use crate::{Workflow, WorkflowError};
use koshu_store::accounts::{NewAccount, NewToken, TokenPurpose};
use koshu_store::outbox::Mail;

/// A sign-up: the account, its verification link and the mail that carries it; or, when the
/// address has an account already, only the mail that says so (the page says the same either
/// way). All in one unit. `true` when the account was created.
pub async fn sign_up(
    wf: &Workflow,
    new: &NewAccount,
    link: &NewToken<'_>,
    verify: Mail,
    already_registered: Mail,
) -> Result<bool, WorkflowError> {
    let mut unit = wf.store.write().await?;
    let mut queued = Queued::default();
    let created = unit.create_account(new, wf.now()).await?;
    if created {
        unit.create_token(link).await?;
        queued.push(wf, &mut unit, verify).await?;
    } else {
        queued.push(wf, &mut unit, already_registered).await?;
    }
    unit.commit().await?;
    queued.log(wf);
    Ok(created)
}

/// A new verification link and the mail that carries it, in one unit.
pub async fn send_verification(
    wf: &Workflow,
    link: &NewToken<'_>,
    mail: Mail,
) -> Result<(), WorkflowError> {
    let mut unit = wf.store.write().await?;
    let mut queued = Queued::default();
    unit.create_token(link).await?;
    queued.push(wf, &mut unit, mail).await?;
    unit.commit().await?;
    queued.log(wf);
    Ok(())
}

/// A password reset from its mail link: the link used up, the new password set (every session
/// ended) and, since the link proves the mailbox, the address counted as verified, all or
/// nothing. `false` when the link is unknown, used or expired: nothing changes then.
pub async fn reset_password(
    wf: &Workflow,
    token_hash: &str,
    account_id: &str,
    password_hash: &str,
) -> Result<bool, WorkflowError> {
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    if unit
        .redeem_token(token_hash, TokenPurpose::ResetPassword, now)
        .await?
        .is_none()
    {
        return Ok(false);
    }
    unit.set_password(account_id, password_hash, now).await?;
    unit.mark_email_verified(account_id, now).await?;
    unit.commit().await?;
    Ok(true)
}

/// An address verified from its mail link: the link used up and the account's address
/// counted as verified, in one unit. `false` when the link is unknown, used or expired, or its
/// address has no account: nothing changes then.
pub async fn verify_email(wf: &Workflow, token_hash: &str) -> Result<bool, WorkflowError> {
    let now = wf.now();
    let Some(peeked) = wf
        .store
        .peek_token(token_hash, TokenPurpose::VerifyEmail, now)
        .await?
    else {
        return Ok(false);
    };
    let Ok(email) = koshu_domain::access::Email::parse(&peeked.email) else {
        return Ok(false);
    };
    let Some(account) = wf.store.account_by_email(&email).await? else {
        return Ok(false);
    };
    let mut unit = wf.store.write().await?;
    if unit
        .redeem_token(token_hash, TokenPurpose::VerifyEmail, now)
        .await?
        .is_none()
    {
        return Ok(false);
    }
    unit.mark_email_verified(&account.id, now).await?;
    unit.commit().await?;
    Ok(true)
}

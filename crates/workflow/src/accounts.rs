//! Accounts (issue 11): the use cases of a person's own account that write more than one
//! thing, each in one unit.

use crate::{Workflow, WorkflowError};
use koshu_store::accounts::TokenPurpose;

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

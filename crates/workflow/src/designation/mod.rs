//! The designation lifecycle (B35, B36, C01–C07): submission, review, decision, and the life
//! of a designated course, each one use case in one unit of work. Status changes are the
//! domain's [`Move`]s, written by the store only from the status they start from, so two
//! concurrent moves cannot both happen (the loser gets [`WorkflowError::Conflict`]).

mod notices;
mod review;

pub use notices::{
    ABOLISH, APPLY_CHANGE, EXPIRE, RENEWAL_REMINDER, abolish, apply_change, current_course, expire,
    file_abolition, file_change, remind_renewal, renew, start_of,
};
pub use review::{
    Decision, Submission, assign, decide, declare, designate, give_opinion, record_findings,
    revoke, submit,
};

use crate::{Workflow, WorkflowError};
use koshu_domain::designation::application::RevocationRecord;
use koshu_domain::designation::documents::DocumentKind;
use koshu_domain::designation::lifecycle::{Event, Move, Status};
use koshu_domain::designation::{Application, Rule, RuleContext, RuleKind, Verdict, evaluate};
use koshu_store::Conflict;
use koshu_store::applications::{ApplicationRecord, ApplicationVersion, AttachedDocument};
use koshu_store::organisations::OrganisationRecord;

/// The draft as the rules see it: with the organisation's current registered details.
pub fn as_checked(record: &ApplicationRecord, org: &OrganisationRecord) -> Application {
    let mut app = record.draft.clone();
    app.provider.organisation = Some(org.organisation.clone());
    app
}

/// The kinds of the attached documents, as rule B34 reads them.
pub fn kinds(documents: &[AttachedDocument]) -> Vec<DocumentKind> {
    documents
        .iter()
        .filter_map(|d| DocumentKind::from_code(&d.kind))
        .collect()
}

/// What the rules read besides the application: Koshu's record of revocations (B28) and the
/// kinds of the attached documents (B34).
struct RuleInputs {
    revocations: Vec<RevocationRecord>,
    documents: Vec<DocumentKind>,
}

impl RuleInputs {
    async fn load(wf: &Workflow, documents: Vec<DocumentKind>) -> Result<Self, WorkflowError> {
        Ok(Self {
            revocations: wf.store.revocations().await?,
            documents,
        })
    }

    /// The rules' context today.
    fn context<'a>(&'a self, wf: &'a Workflow) -> RuleContext<'a> {
        RuleContext {
            taxonomy: &wf.taxonomy,
            today: wf.today(),
            revocations: &self.revocations,
            documents: &self.documents,
        }
    }
}

/// Every rule's verdict on `app` today, with documents of these kinds attached.
pub async fn check(
    wf: &Workflow,
    app: &Application,
    documents: &[DocumentKind],
) -> Result<Vec<(&'static Rule, Verdict)>, WorkflowError> {
    let inputs = RuleInputs::load(wf, documents.to_vec()).await?;
    Ok(evaluate(app, &inputs.context(wf)))
}

/// How many rules the data decides fail: submission waits for these.
pub fn blocking(checks: &[(&'static Rule, Verdict)]) -> usize {
    checks
        .iter()
        .filter(|(rule, v)| rule.kind == RuleKind::DataDecided && matches!(v, Verdict::Fail(_)))
        .count()
}

/// The rules on a submitted version, with the documents it listed.
pub async fn check_version(
    wf: &Workflow,
    version: &ApplicationVersion,
) -> Result<Vec<(&'static Rule, Verdict)>, WorkflowError> {
    check(wf, &version.application, &kinds(&version.documents)).await
}

async fn application(wf: &Workflow, id: &str) -> Result<ApplicationRecord, WorkflowError> {
    wf.store
        .application(id)
        .await?
        .ok_or(WorkflowError::NotFound)
}

async fn organisation(wf: &Workflow, id: &str) -> Result<OrganisationRecord, WorkflowError> {
    wf.store
        .organisation(id)
        .await?
        .ok_or(WorkflowError::NotFound)
}

async fn latest_version(wf: &Workflow, id: &str) -> Result<ApplicationVersion, WorkflowError> {
    wf.store
        .application_versions(id)
        .await?
        .pop()
        .ok_or(WorkflowError::NotFound)
}

/// The move `event` makes from the application's status, or the 400 that says why not.
fn next(record: &ApplicationRecord, event: &Event) -> Result<Move, WorkflowError> {
    Ok(Move::of(record.status, event)?)
}

/// As [`next`], for a person who decided on a page drawn with status `seen`: if the status
/// has moved since, the decision was about something else, and nothing is done.
fn next_seen(
    record: &ApplicationRecord,
    event: &Event,
    seen: Option<Status>,
) -> Result<Move, WorkflowError> {
    if seen.is_some_and(|s| s != record.status) {
        return Err(WorkflowError::Conflict(Conflict::StatusChanged));
    }
    next(record, event)
}

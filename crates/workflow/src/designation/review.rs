//! From submission to decision (B35, B36, C01, C06), and revocation.

use super::{application, as_checked, check, latest_version, next, next_seen, organisation};
use crate::{Workflow, WorkflowError};
use koshu_domain::ValidationError;
use koshu_domain::catalogue::{Designation, ProgrammeWithSessions};
use koshu_domain::designation::application::RevocationReason;
use koshu_domain::designation::lifecycle::{
    DesignationEnd, DesignationPeriod, Event, Outcome, Status, designation_number,
};
use koshu_domain::designation::publish;
use koshu_domain::designation::review::{Declaration, ReviewRole};
use koshu_domain::types::FiscalYear;
use koshu_store::applications::ApplicationVersion;
use koshu_store::reviews::{EndOfDesignation, NewDecision, NewDesignation, RuleFinding};
use time::Date;

/// What submitting did.
#[derive(Debug)]
pub enum Submission {
    /// The next immutable version.
    Submitted(ApplicationVersion),
    /// Refused: this many rules the data decides are not met yet.
    Blocked { failing: usize },
}

/// Submits the draft (with the organisation's current details and the attached documents) as
/// the next version, if every rule the data decides is met (B01–B34).
pub async fn submit(wf: &Workflow, id: &str, actor: &str) -> Result<Submission, WorkflowError> {
    let record = application(wf, id).await?;
    let m = next(&record, &Event::Submit)?;
    let org = organisation(wf, &record.organisation_id).await?;
    let app = as_checked(&record, &org);
    let documents = wf.store.application_documents(id).await?;
    let failing = super::blocking(&check(wf, &app, &super::kinds(&documents)).await?);
    if failing > 0 {
        return Ok(Submission::Blocked { failing });
    }
    let mut unit = wf.store.write().await?;
    let version = unit
        .submit_application(id, &app, m, actor, wf.now())
        .await?;
    unit.commit().await?;
    Ok(Submission::Submitted(version))
}

/// Assigns a reviewer or an expert; the first reviewer starts the review. One person takes
/// one role per application (decision 38).
pub async fn assign(
    wf: &Workflow,
    id: &str,
    account_id: &str,
    role: ReviewRole,
    actor: &str,
) -> Result<(), WorkflowError> {
    let record = application(wf, id).await?;
    let account = wf.store.account(account_id).await?;
    let fits = match (role, &account) {
        (ReviewRole::Reviewer, Some(a)) => a.ministry_role.is_some(),
        (ReviewRole::Expert, Some(a)) => a.expert,
        _ => false,
    };
    if !fits {
        return Err(ValidationError::new(
            "review.assignee",
            "審査担当は経済産業省の担当者から、外部有識者は有識者として登録された人から選んでください。",
            "Choose a reviewer from the ministry's staff, or an expert from the registered experts.",
        )
        .for_field("account_id")
        .into());
    }
    let already = wf
        .store
        .assignments(id)
        .await?
        .into_iter()
        .find(|a| a.account_id == account_id);
    if already.is_some_and(|a| a.role != role) {
        return Err(ValidationError::new(
            "review.assigned_otherwise",
            "この人はこの申請に別の役割（審査担当または外部有識者）ですでに割り当てられています。",
            "This person is already assigned to this application in the other role (reviewer or expert).",
        )
        .for_field("account_id")
        .into());
    }
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    unit.assign(id, account_id, role, actor, now).await?;
    if role == ReviewRole::Reviewer && record.status == Status::Submitted {
        let m = next(&record, &Event::StartReview)?;
        unit.move_application(id, m, actor, now).await?;
    }
    unit.commit().await?;
    Ok(())
}

/// Records the reviewer's findings on the latest version, while under review.
pub async fn record_findings(
    wf: &Workflow,
    id: &str,
    findings: &[RuleFinding],
    actor: &str,
) -> Result<(), WorkflowError> {
    let record = application(wf, id).await?;
    if record.status != Status::UnderReview {
        return Err(ValidationError::new(
            "review.not_under_review",
            "審査中の申請にだけ所見を記録できます。先に審査担当を割り当ててください。",
            "Findings are recorded only while the application is under review. Assign a reviewer first.",
        )
        .into());
    }
    let version = latest_version(wf, id).await?;
    let mut unit = wf.store.write().await?;
    unit.record_findings(id, version.version, findings, actor, wf.now())
        .await?;
    unit.commit().await?;
    Ok(())
}

/// A decision that designates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    RequestRevision,
    Reject,
}

/// Requests a revision or rejects, with the reasons the applicant reads.
pub async fn decide(
    wf: &Workflow,
    id: &str,
    decision: Decision,
    reasons: &str,
    seen: Option<Status>,
    actor: &str,
) -> Result<(), WorkflowError> {
    let (event, outcome) = match decision {
        Decision::RequestRevision => (Event::RequestRevision, Outcome::Revise),
        Decision::Reject => (Event::Reject, Outcome::Reject),
    };
    let record = application(wf, id).await?;
    let m = next_seen(&record, &event, seen)?;
    let version = latest_version(wf, id).await?;
    let mut unit = wf.store.write().await?;
    unit.decide_application(
        &NewDecision {
            application_id: id,
            version: version.version,
            outcome,
            reasons,
            m,
        },
        None,
        actor,
        wf.now(),
    )
    .await?;
    unit.commit().await?;
    Ok(())
}

/// C01, B36: designates the latest version from `designated_on` for three years. In one
/// unit: the decision, the designation with the next number of its fiscal year, the renewal
/// reminder and expiry jobs, and the course published to the catalogue with its label.
/// Returns the designation number.
pub async fn designate(
    wf: &Workflow,
    id: &str,
    designated_on: Date,
    reasons: &str,
    seen: Option<Status>,
    actor: &str,
) -> Result<String, WorkflowError> {
    let record = application(wf, id).await?;
    let period = DesignationPeriod::from_designation_date(designated_on);
    let m = next_seen(&record, &Event::Designate { period }, seen)?;
    let org = organisation(wf, &record.organisation_id).await?;
    let version = latest_version(wf, id).await?;
    let provider = publish::provider_of(&org.organisation)?;
    let reasons = if reasons.trim().is_empty() {
        "募集等要領の要件を満たすため。"
    } else {
        reasons.trim()
    };
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    let fy = FiscalYear::of(designated_on)?;
    let sequence = unit.highest_designation_sequence(fy).await? + 1;
    let number = designation_number(designated_on, sequence)?;
    let programme = publish::programme_of(
        id,
        &version.application,
        &org.organisation,
        Designation {
            number: number.clone(),
            starts_on: period.starts_on,
            ends_on: period.ends_on,
        },
        &wf.taxonomy,
    )?;
    unit.decide_application(
        &NewDecision {
            application_id: id,
            version: version.version,
            outcome: Outcome::Designate,
            reasons,
            m,
        },
        Some(&NewDesignation {
            number: &number,
            programme_id: programme.id.as_str(),
            starts_on: period.starts_on,
            ends_on: period.ends_on,
        }),
        actor,
        now,
    )
    .await?;
    super::notices::schedule_period(&mut unit, id, period, now).await?;
    unit.upsert_provider(&provider, actor, now).await?;
    unit.upsert_programme(
        &ProgrammeWithSessions {
            programme,
            sessions: Vec::new(),
        },
        actor,
        now,
    )
    .await?;
    unit.commit().await?;
    Ok(number)
}

/// C06: revocation for one of the reasons of 5-3 (ア)–(オ), from `on` (today or earlier). The
/// course loses its label at once; a revocation under (オ) bars the provider's new
/// designations for 5 years (rule B28 reads Koshu's record).
pub async fn revoke(
    wf: &Workflow,
    id: &str,
    reason: RevocationReason,
    details: &str,
    on: Date,
    seen: Option<Status>,
    actor: &str,
) -> Result<(), WorkflowError> {
    let details = details.trim();
    if details.is_empty() {
        return Err(ValidationError::new(
            "review.revocation_details",
            "取消しの具体的な理由を入力してください。講座提供者に伝わります。",
            "Enter the details of the revocation; the provider reads them.",
        )
        .for_field("details")
        .into());
    }
    if on > wf.today() {
        return Err(ValidationError::new(
            "review.revoked_on",
            "取消日に将来の日付は指定できません。",
            "The revocation date cannot be in the future.",
        )
        .for_field("revoked_on")
        .into());
    }
    let record = application(wf, id).await?;
    let m = next_seen(&record, &Event::Revoke { reason, on }, seen)?;
    let designation = wf
        .store
        .designation_of(id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let unlabelled = unlabelled(wf, &designation.programme_id).await?;
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    unit.end_designation(
        &EndOfDesignation {
            number: &designation.number,
            ended_on: on,
            end: DesignationEnd::Revoked(reason),
            reasons: &format!("{} {}：{details}", reason.clause(), reason.label_ja()),
            m,
        },
        actor,
        now,
    )
    .await?;
    if let Some(item) = unlabelled {
        unit.upsert_programme(&item, actor, now).await?;
    }
    unit.commit().await?;
    Ok(())
}

/// The course stays in the catalogue as a programme, without the 特定講習 label: the programme
/// to write, if it still has the label (a retried job tells work left from work done by it).
/// Read before the unit opens: a unit reads nothing through the pool, which its own waiting
/// writers may be holding.
pub(super) async fn unlabelled(
    wf: &Workflow,
    programme_id: &str,
) -> Result<Option<ProgrammeWithSessions>, WorkflowError> {
    let Some(record) = wf.store.catalogue_record(programme_id).await? else {
        return Ok(None);
    };
    let mut item = record.item;
    Ok(item.programme.designation.take().map(|_| item))
}

/// An external expert's declaration (B35): no conflict opens the application to them; a
/// conflict takes them out of its review. Once only.
pub async fn declare(
    wf: &Workflow,
    id: &str,
    account_id: &str,
    declaration: Declaration,
) -> Result<(), WorkflowError> {
    // Declared already: `Conflict::AlreadyDeclared`, a 409 that says so.
    let mut unit = wf.store.write().await?;
    unit.declare_conflict(id, account_id, declaration, wf.now())
        .await?;
    unit.commit().await?;
    Ok(())
}

/// An expert's opinion on the latest version; giving it again replaces it.
pub async fn give_opinion(
    wf: &Workflow,
    id: &str,
    account_id: &str,
    opinion: &str,
) -> Result<(), WorkflowError> {
    let opinion = opinion.trim();
    if opinion.is_empty() {
        return Err(ValidationError::new(
            "review.opinion",
            "意見を入力してください。",
            "Enter your opinion.",
        )
        .for_field("opinion")
        .into());
    }
    let version = latest_version(wf, id).await?;
    let mut unit = wf.store.write().await?;
    unit.give_opinion(id, version.version, account_id, opinion, wf.now())
        .await?;
    unit.commit().await?;
    Ok(())
}

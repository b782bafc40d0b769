//! From submission to decision (B35, B36, C01, C06), and revocation.

use super::{application, as_checked, check, latest_version, next, next_seen, organisation};
use crate::mail::{Process, Queued, jst_time, recipients};
use crate::{Workflow, WorkflowError};
use koshu_domain::ValidationError;
use koshu_domain::catalogue::{Designation, ProgrammeWithSessions};
use koshu_domain::designation::application::RevocationReason;
use koshu_domain::designation::lifecycle::{
    DesignationEnd, DesignationPeriod, Event, Move, Outcome, Status, designation_number,
};
use koshu_domain::designation::publish;
use koshu_domain::designation::review::{Declaration, ReviewRole};
use koshu_domain::types::FiscalYear;
use koshu_domain::types::{date_en, date_ja};
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
    let owners = recipients::owners(wf, &record.organisation_id).await?;
    let ministry = recipients::ministry(wf, id).await?;
    // A resubmission goes back to the reviewer already assigned: the review resumes (issue
    // 13 item 4) rather than waiting to be taken again.
    let reviewing = wf
        .store
        .assignments(id)
        .await?
        .iter()
        .any(|a| a.role == ReviewRole::Reviewer);
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    let version = unit.submit_application(id, &app, m, actor, now).await?;
    if reviewing {
        let resume = Move::of(m.to, &Event::StartReview)?;
        unit.move_application(id, resume, actor, now).await?;
    }
    let mut queued = Queued::default();
    let (title, n, digest) = (&record.title, version.version, &version.digest);
    let at = jst_time(version.submitted_at);
    Process {
        subject: ("申請を受け付けました", "Application received"),
        ja: format!(
            "特定講習の申請「{title}」（第{n}版）を {at} に受け付けました。\n提出された版はこのまま保存され、変更されません。照合用のダイジェスト（SHA-256）：\n{digest}\n審査の結果は、このアドレスにお知らせします。"
        ),
        en: format!(
            "Your application \"{title}\" (version {n}) was received at {at} (JST). The submitted version is kept as it is; its digest (SHA-256) for comparison:\n{digest}\nThe result of the review will be sent to this address."
        ),
        path: format!("/applications/{id}/versions/{n}"),
    }
    .queue(wf, &mut unit, &mut queued, &owners)
    .await?;
    let provider = &org.organisation.name_ja;
    let (again_ja, again_en) = if n > 1 {
        (
            "修正版が再提出されました",
            "A revised application was submitted",
        )
    } else {
        ("申請が提出されました", "An application was submitted")
    };
    Process {
        subject: (again_ja, again_en),
        ja: format!("{provider}から特定講習の申請「{title}」（第{n}版）が提出されました（{at}）。"),
        en: format!("{provider} submitted \"{title}\" (version {n}) at {at} (JST)."),
        path: format!("/ministry/reviews/{id}"),
    }
    .queue(wf, &mut unit, &mut queued, &ministry)
    .await?;
    unit.commit().await?;
    queued.log(wf);
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
        (ReviewRole::Reviewer, Some(a)) => a
            .ministry_role
            .is_some_and(koshu_domain::access::MinistryRole::reviews_designations),
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
    let mut queued = Queued::default();
    let title = &record.title;
    let request = match role {
        ReviewRole::Expert => Some(Process {
            subject: (
                "特定講習の審査への意見照会",
                "Request for your opinion on an application",
            ),
            ja: format!(
                "特定講習の申請「{title}」について、外部有識者としてご意見をお願いします。\n申請内容を開く前に、申請者との利害関係の有無を申告してください（申告後に申請書と添付資料を閲覧できます）。"
            ),
            en: format!(
                "You are asked for your opinion, as an external expert, on the application \"{title}\". First declare whether you have a conflict of interest with the applicant; the application and its documents open after the declaration."
            ),
            path: format!("/reviews/{id}"),
        }),
        // Taking a review oneself needs no mail.
        ReviewRole::Reviewer if crate::account_actor(account_id) != actor => Some(Process {
            subject: ("審査担当に割り当てられました", "You were assigned a review"),
            ja: format!("特定講習の申請「{title}」の審査担当に割り当てられました。"),
            en: format!("You were assigned as reviewer of the application \"{title}\"."),
            path: format!("/ministry/reviews/{id}"),
        }),
        ReviewRole::Reviewer => None,
    };
    if let (Some(request), Some(account)) = (request, account) {
        request
            .queue(
                wf,
                &mut unit,
                &mut queued,
                &[account.email.as_str().to_owned()],
            )
            .await?;
    }
    unit.commit().await?;
    queued.log(wf);
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
    let owners = recipients::owners(wf, &record.organisation_id).await?;
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
    let (title, n) = (&record.title, version.version);
    let mail = match decision {
        Decision::RequestRevision => Process {
            subject: ("申請の修正のお願い", "Please revise your application"),
            ja: format!(
                "特定講習の申請「{title}」（第{n}版）について、経済産業省から修正の依頼があります。\n\n{reasons}\n\n申請書を修正し、再提出してください。"
            ),
            en: format!(
                "The ministry asks you to revise your application \"{title}\" (version {n}):\n\n{reasons}\n\nEdit the application and submit it again."
            ),
            path: format!("/applications/{id}"),
        },
        Decision::Reject => Process {
            subject: (
                "特定講習に指定しない旨の通知",
                "Your application was not designated",
            ),
            ja: format!(
                "特定講習の申請「{title}」（第{n}版）は、特定講習に指定しないこととなりました。\n\n理由：{reasons}\n\n通知書（PDF）は申請の画面から開けます。"
            ),
            en: format!(
                "Your application \"{title}\" (version {n}) was not designated as a specific course.\n\nReasons: {reasons}\n\nThe decision letter (PDF) is on the application's page."
            ),
            path: format!("/applications/{id}"),
        },
    };
    let mut queued = Queued::default();
    mail.queue(wf, &mut unit, &mut queued, &owners).await?;
    unit.commit().await?;
    queued.log(wf);
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
    let owners = recipients::owners(wf, &record.organisation_id).await?;
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
    let mut programme = publish::programme_of(
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
    // The monthly report's reminders start on the 1st after the period's first month.
    crate::reports::schedule_reminder(
        &mut unit,
        programme.id.as_str(),
        koshu_domain::reports::ReportMonth::of(period.starts_on)
            .next()
            .first_day(),
        now,
    )
    .await?;
    programme.provider =
        crate::listings::publishing_provider(&mut unit, &org.organisation, actor, now).await?;
    unit.upsert_programme(
        &ProgrammeWithSessions {
            programme,
            sessions: Vec::new(),
        },
        actor,
        now,
    )
    .await?;
    let title = &record.title;
    let (from_ja, to_ja) = (date_ja(period.starts_on), date_ja(period.ends_on));
    let (from_en, to_en) = (date_en(period.starts_on), date_en(period.ends_on));
    let mut queued = Queued::default();
    Process {
        subject: ("特定講習に指定されました", "Your course was designated"),
        ja: format!(
            "特定講習の申請「{title}」は、特定講習に指定されました。\n指定番号：{number}\n対象期間：{from_ja}から{to_ja}まで\n\n講座検索には対象期間の初日から「特定講習」として表示されます。指定通知書（PDF）は申請の画面から開けます。指定後の変更は、効力発生日の前に変更届（様式第3号）で届け出てください。"
        ),
        en: format!(
            "\"{title}\" was designated as a specific course.\nNumber: {number}\nPeriod: {from_en} to {to_en}\n\nThe catalogue shows it as designated from the first day of the period. The designation letter (PDF) is on the application's page. Notify any change before it takes effect (form 3)."
        ),
        path: format!("/applications/{id}"),
    }
    .queue(wf, &mut unit, &mut queued, &owners)
    .await?;
    unit.commit().await?;
    queued.log(wf);
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
    let owners = recipients::owners(wf, &record.organisation_id).await?;
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
    let (title, number) = (&record.title, &designation.number);
    let (clause, label) = (reason.clause(), reason.label_ja());
    let (on_ja, on_en) = (date_ja(on), date_en(on));
    let mut queued = Queued::default();
    Process {
        subject: ("特定講習の指定の取消し", "Your designation was revoked"),
        ja: format!(
            "特定講習「{title}」（{number}）の指定は、{on_ja}付けで取り消されました。\n理由：{clause} {label}\n{details}"
        ),
        en: format!(
            "The designation of \"{title}\" ({number}) was revoked as of {on_en}.\nReason: {clause}\n{details}"
        ),
        path: format!("/applications/{id}"),
    }
    .queue(wf, &mut unit, &mut queued, &owners)
    .await?;
    unit.commit().await?;
    queued.log(wf);
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

//! What happens to a designated course after the decision: change notices (様式第3号; C03,
//! C04) and abolition notices (様式第4号; C05), filed before their effective date and applied
//! on it by a scheduled job; the renewal reminder in the final year (C02) and a renewal
//! application started from the course as it stands; the end of the period (C01).
//!
//! Each job applies its effects and completes itself in one unit of work, so a retry after
//! any failure finds either nothing done (and does it all) or everything done (and says so).

use super::review::unlabelled;
use super::{RuleInputs, application, as_checked, kinds, next};
use crate::jobs::JobOutcome;
use crate::jobs::schedule_on;
use crate::mail::{Process, Queued, recipients};
use crate::{SYSTEM, Workflow, WorkflowError};
use koshu_domain::ValidationError;
use koshu_domain::access::OrgRole;
use koshu_domain::catalogue::{Designation, ProgrammeWithSessions};
use koshu_domain::designation::lifecycle::{
    ChangeVerdict, DesignationEnd, DesignationPeriod, Event, Status, assess_change,
};
use koshu_domain::designation::{Application, publish};
use koshu_domain::types::{date_en, date_ja};
use koshu_store::UnitOfWork;
use koshu_store::applications::ApplicationRecord;
use koshu_store::jobs::Job;
use koshu_store::notices::{NewNotice, Notice};
use koshu_store::reviews::{DesignationRecord, EndOfDesignation};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

pub const APPLY_CHANGE: &str = "designation.apply_change";
pub const ABOLISH: &str = "designation.abolish";
pub const EXPIRE: &str = "designation.expire";
pub const RENEWAL_REMINDER: &str = "designation.renewal_reminder";

#[derive(Debug, Serialize, Deserialize)]
struct NoticePayload {
    notice: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct ExpiryPayload {
    application: String,
}

pub use crate::jobs::start_of;

/// C03: a notice is filed before the day it takes effect.
fn ahead(wf: &Workflow, day: Date) -> Result<(), WorkflowError> {
    if day <= wf.today() {
        return Err(ValidationError::new(
            "notice.not_ahead",
            "届出は効力発生日より前に行います。明日以降の日付を入力してください。",
            "A notice is filed before it takes effect: enter a date from tomorrow on.",
        )
        .for_field("effective_on")
        .into());
    }
    Ok(())
}

/// The reason of a notice, which 様式第3号 and 第4号 ask for.
fn reason_of(reason: &str) -> Result<&str, WorkflowError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ValidationError::new(
            "notice.reason",
            "届出の理由を入力してください（様式第3号「変更の理由」、様式第4号「廃止の理由」）。",
            "Enter the reason for the notice (forms 3 and 4 ask for it).",
        )
        .for_field("reason")
        .into());
    }
    Ok(reason)
}

async fn designated(
    wf: &Workflow,
    id: &str,
    status: Status,
) -> Result<DesignationRecord, WorkflowError> {
    match wf.store.designation_of(id).await? {
        Some(d) if status == Status::Designated => Ok(d),
        _ => Err(ValidationError::new(
            "notice.not_designated",
            "変更届・廃止届は、特定講習に指定されている講習についてだけ提出できます。",
            "Change and abolition notices are for designated courses only.",
        )
        .into()),
    }
}

/// The course as it stands publicly: the designated version with every applied change.
pub async fn current_course(
    wf: &Workflow,
    id: &str,
    d: &DesignationRecord,
) -> Result<Application, WorkflowError> {
    let applied = wf
        .store
        .notices_of(id)
        .await?
        .into_iter()
        .rfind(|n| n.kind == "change" && n.applied_at.is_some());
    if let Some(n) = applied {
        return Ok(serde_json::from_str(&n.document)?);
    }
    wf.store
        .application_version(id, d.version)
        .await?
        .map(|v| v.application)
        .ok_or(WorkflowError::NotFound)
}

async fn schedule_notice(
    unit: &mut UnitOfWork,
    kind: &str,
    day: Date,
    notice_id: &str,
    now: OffsetDateTime,
) -> Result<(), WorkflowError> {
    let payload = serde_json::to_string(&NoticePayload {
        notice: notice_id.to_owned(),
    })?;
    schedule_on(
        unit,
        kind,
        day,
        &payload,
        &format!("notice:{notice_id}"),
        now,
    )
    .await?;
    Ok(())
}

/// C03, C04: a change notice for the edited draft, effective on `effective_on`; refused when
/// the course would no longer be the same course, or nothing changed.
pub async fn file_change(
    wf: &Workflow,
    id: &str,
    effective_on: Date,
    reason: &str,
    actor: &str,
) -> Result<(), WorkflowError> {
    ahead(wf, effective_on)?;
    let reason = reason_of(reason)?;
    let record = application(wf, id).await?;
    let d = designated(wf, id, record.status).await?;
    let org = super::organisation(wf, &record.organisation_id).await?;
    let current = current_course(wf, id, &d).await?;
    let proposed = as_checked(&record, &org);
    let documents = wf.store.application_documents(id).await?;
    let inputs = RuleInputs::load(wf, kinds(&documents)).await?;
    let items = match assess_change(&current, &proposed, &inputs.context(wf)) {
        ChangeVerdict::NewApplicationNeeded(finding) => {
            return Err(ValidationError::new(
                "notice.new_application_needed",
                format!(
                    "この変更は変更届では受け付けられません。講習の内容が同じ講習でなくなるため、新たな応募が必要です（C04）。{}",
                    finding.message_ja
                ),
                format!(
                    "This change cannot be notified: the course would no longer be the same course, so a new application is needed (C04). {}",
                    finding.message_en
                ),
            )
            .into());
        }
        ChangeVerdict::Acceptable { items } if items.is_empty() => {
            return Err(ValidationError::new(
                "notice.nothing_changed",
                "指定された内容から変わっていません。申請書の各項目を直してから届け出てください。",
                "Nothing differs from the designated course. Edit the application first.",
            )
            .into());
        }
        ChangeVerdict::Acceptable { items } => items,
    };
    let told = Told::load(wf, &record, &d).await?;
    let codes: Vec<&str> = items.iter().map(|i| i.code()).collect();
    let notice = Filed {
        kind: NoticeKind::Change,
        document: serde_json::to_string(&proposed)?,
        items: serde_json::to_string(&codes)?,
        measures: "",
        reason,
        effective_on,
    };
    file(wf, &told, &notice, actor).await
}

/// C05: an abolition notice, with the measures for learners in progress (様式第4号).
pub async fn file_abolition(
    wf: &Workflow,
    id: &str,
    effective_on: Date,
    measures: &str,
    reason: &str,
    actor: &str,
) -> Result<(), WorkflowError> {
    ahead(wf, effective_on)?;
    let reason = reason_of(reason)?;
    let measures = measures.trim();
    if measures.is_empty() {
        return Err(ValidationError::new(
            "notice.measures",
            "受講中の方への代替措置（振替受講、返金など）を入力してください（様式第4号）。",
            "Describe the measures for learners in progress (transfer, refund, ...).",
        )
        .for_field("measures")
        .into());
    }
    let record = application(wf, id).await?;
    let d = designated(wf, id, record.status).await?;
    let told = Told::load(wf, &record, &d).await?;
    let notice = Filed {
        kind: NoticeKind::Abolition,
        document: String::new(),
        items: "[]".to_owned(),
        measures,
        reason,
        effective_on,
    };
    file(wf, &told, &notice, actor).await
}

/// A notice as filed.
struct Filed<'a> {
    kind: NoticeKind,
    /// The course as it will be (a change), as JSON.
    document: String,
    /// The changed items' codes, as a JSON list.
    items: String,
    /// For learners in progress (an abolition).
    measures: &'a str,
    /// 変更の理由 / 廃止の理由.
    reason: &'a str,
    effective_on: Date,
}

/// Files `notice` in one unit: the notice, the job that applies it on its date, and the mails.
async fn file(
    wf: &Workflow,
    told: &Told,
    notice: &Filed<'_>,
    actor: &str,
) -> Result<(), WorkflowError> {
    let notice_id = uuid::Uuid::now_v7().to_string();
    let (code, job) = match notice.kind {
        NoticeKind::Change => ("change", APPLY_CHANGE),
        NoticeKind::Abolition => ("abolition", ABOLISH),
    };
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    unit.file_notice(
        &NewNotice {
            id: &notice_id,
            application_id: &told.id,
            number: &told.number,
            kind: code,
            document: &notice.document,
            items: &notice.items,
            measures: notice.measures,
            reason: notice.reason,
            effective_on: notice.effective_on,
        },
        actor,
        now,
    )
    .await?;
    schedule_notice(&mut unit, job, notice.effective_on, &notice_id, now).await?;
    let mut queued = Queued::default();
    notice_mails(
        wf,
        &mut unit,
        &mut queued,
        told,
        notice.kind,
        notice.effective_on,
    )
    .await?;
    unit.commit().await?;
    queued.log(wf);
    Ok(())
}

#[derive(Debug, Clone, Copy)]
enum NoticeKind {
    Change,
    Abolition,
}

/// The course a notice is about, and who hears of it: the provider's owners (a receipt) and
/// the ministry.
struct Told {
    id: String,
    title: String,
    number: String,
    owners: Vec<String>,
    ministry: Vec<String>,
}

impl Told {
    /// Read before the unit opens, as every read of a use case.
    async fn load(
        wf: &Workflow,
        record: &ApplicationRecord,
        d: &DesignationRecord,
    ) -> Result<Self, WorkflowError> {
        Ok(Self {
            id: record.id.clone(),
            title: record.title.clone(),
            number: d.number.clone(),
            owners: recipients::owners(wf, &record.organisation_id).await?,
            ministry: recipients::ministry(wf, &record.id).await?,
        })
    }
}

/// A filed notice: the receipt to the provider's owners, and the notice to the ministry.
async fn notice_mails(
    wf: &Workflow,
    unit: &mut UnitOfWork,
    queued: &mut Queued,
    told: &Told,
    kind: NoticeKind,
    effective_on: Date,
) -> Result<(), WorkflowError> {
    let (form_ja, form_en) = match kind {
        NoticeKind::Change => ("変更届（様式第3号）", "change notice (form 3)"),
        NoticeKind::Abolition => ("廃止届（様式第4号）", "abolition notice (form 4)"),
    };
    let (title, number, id) = (&told.title, &told.number, &told.id);
    let (on_ja, on_en) = (date_ja(effective_on), date_en(effective_on));
    Process {
        subject: ("届出を受け付けました", "Notice received"),
        ja: format!(
            "特定講習「{title}」（{number}）の{form_ja}を受け付けました。効力発生日：{on_ja}\nその日から講座検索の掲載内容に反映されます。"
        ),
        en: format!(
            "Your {form_en} for \"{title}\" ({number}) was received. It takes effect on {on_en}, when the catalogue shows it."
        ),
        path: format!("/applications/{id}"),
    }
    .queue(wf, unit, queued, &told.owners)
    .await?;
    Process {
        subject: (
            "特定講習の届出がありました",
            "A designated course filed a notice",
        ),
        ja: format!(
            "特定講習「{title}」（{number}）の{form_ja}が提出されました。効力発生日：{on_ja}"
        ),
        en: format!("A {form_en} was filed for \"{title}\" ({number}), effective {on_en}."),
        path: format!("/ministry/reviews/{id}"),
    }
    .queue(wf, unit, queued, &told.ministry)
    .await?;
    Ok(())
}

/// At designation: the reminder when the final year begins (C02) and the end of the period
/// the day after its last day (C01), in the designating unit.
pub(super) async fn schedule_period(
    unit: &mut UnitOfWork,
    application_id: &str,
    period: DesignationPeriod,
    now: OffsetDateTime,
) -> Result<(), WorkflowError> {
    let payload = serde_json::to_string(&ExpiryPayload {
        application: application_id.to_owned(),
    })?;
    let end = period.ends_on.next_day().unwrap_or(period.ends_on);
    for (kind, day, key) in [
        (
            RENEWAL_REMINDER,
            period.final_year_starts_on(),
            format!("renewal:{application_id}"),
        ),
        (EXPIRE, end, format!("expiry:{application_id}")),
    ] {
        schedule_on(unit, kind, day, &payload, &key, now).await?;
    }
    Ok(())
}

/// C02: in the final year, a renewal application starts from the course as it stands.
/// Returns the new application's id.
pub async fn renew(wf: &Workflow, id: &str, actor: &str) -> Result<String, WorkflowError> {
    let record = application(wf, id).await?;
    let d = designated(wf, id, record.status).await?;
    let period = DesignationPeriod {
        starts_on: d.starts_on,
        ends_on: d.ends_on,
    };
    if !period.in_final_year(wf.today()) {
        return Err(ValidationError::new(
            "notice.not_final_year",
            "更新の応募は、対象期間の最終年度に行います。",
            "Renewal is applied for in the final year of the designation.",
        )
        .into());
    }
    let mut draft = current_course(wf, id, &d).await?;
    draft.provider.organisation = None;
    let new_id = uuid::Uuid::now_v7().to_string();
    let mut unit = wf.store.write().await?;
    unit.create_application(&new_id, &record.organisation_id, &draft, actor, wf.now())
        .await?;
    unit.commit().await?;
    Ok(new_id)
}

// The jobs. Each reads what it needs, and in one unit applies the effects that are still
// due and completes itself.

/// A record a job needs is gone: the job fails with its reason kept.
fn gone(what: &str) -> WorkflowError {
    WorkflowError::Corrupt(format!("{what} is gone"))
}

async fn notice_of(wf: &Workflow, job: &Job) -> Result<Notice, WorkflowError> {
    let payload: NoticePayload = serde_json::from_str(&job.payload)?;
    wf.store
        .notice(&payload.notice)
        .await?
        .ok_or_else(|| gone("the notice"))
}

/// Commits `unit` with the job completed; `AlreadyDone` when `did_anything` is false.
async fn finish(
    wf: &Workflow,
    mut unit: UnitOfWork,
    job: &Job,
    did_anything: bool,
) -> Result<JobOutcome, WorkflowError> {
    unit.complete_job(&job.id, wf.now()).await?;
    unit.commit().await?;
    Ok(if did_anything {
        JobOutcome::Done
    } else {
        JobOutcome::AlreadyDone
    })
}

/// A change takes effect: the public course shows the application as notified.
pub async fn apply_change(wf: Workflow, job: Job) -> Result<JobOutcome, WorkflowError> {
    let notice = notice_of(&wf, &job).await?;
    if notice.applied_at.is_some() {
        let unit = wf.store.write().await?;
        return finish(&wf, unit, &job, false).await;
    }
    let d = wf
        .store
        .designation_of(&notice.application_id)
        .await?
        .ok_or_else(|| gone("the designation"))?;
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    // A designation that ended before the change took effect has no public course to change.
    if d.ended_on.is_none() {
        let proposed: Application = serde_json::from_str(&notice.document)?;
        let org = proposed
            .provider
            .organisation
            .clone()
            .ok_or_else(|| gone("the notice's organisation"))?;
        let mut programme = publish::programme_of(
            &notice.application_id,
            &proposed,
            &org,
            Designation {
                number: d.number.clone(),
                starts_on: d.starts_on,
                ends_on: d.ends_on,
            },
            &wf.taxonomy,
        )?;
        // The sessions are the provider's to keep (issue 14): a change of the course's facts
        // leaves them as they are.
        let sessions = unit
            .programme_for_update(programme.id.as_str())
            .await?
            .map(|p| p.sessions)
            .unwrap_or_default();
        programme.provider =
            crate::listings::publishing_provider(&mut unit, &org, SYSTEM, now).await?;
        unit.upsert_programme(
            &ProgrammeWithSessions {
                programme,
                sessions,
            },
            SYSTEM,
            now,
        )
        .await?;
    }
    unit.mark_notice_applied(&notice.id, SYSTEM, now).await?;
    finish(&wf, unit, &job, true).await
}

/// An abolition takes effect: the designation ends and the course leaves the catalogue (C05).
pub async fn abolish(wf: Workflow, job: Job) -> Result<JobOutcome, WorkflowError> {
    let notice = notice_of(&wf, &job).await?;
    let record = application(&wf, &notice.application_id).await?;
    let d = wf
        .store
        .designation_of(&record.id)
        .await?
        .ok_or_else(|| gone("the designation"))?;
    let listed = wf.store.catalogue_record(&d.programme_id).await?.is_some();
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    let mut did = false;
    let event = Event::Abolish {
        effective_on: notice.effective_on,
    };
    // Already revoked or expired: nothing is left to abolish.
    if let Ok(m) = next(&record, &event) {
        unit.end_designation(
            &EndOfDesignation {
                number: &notice.number,
                ended_on: notice.effective_on,
                end: DesignationEnd::Abolished,
                reasons: &notice.measures,
                m,
            },
            SYSTEM,
            now,
        )
        .await?;
        did = true;
    }
    // Abolished (now or before) but still listed: the course leaves the catalogue.
    let abolished = did || record.status == Status::Abolished;
    if abolished && listed {
        unit.remove_programme(&d.programme_id, SYSTEM, now).await?;
        did = true;
    }
    if notice.applied_at.is_none() {
        unit.mark_notice_applied(&notice.id, SYSTEM, now).await?;
        did = true;
    }
    finish(&wf, unit, &job, did).await
}

/// The period ends (C01): the course is no longer a 特定講習; it stays listed without the label.
pub async fn expire(wf: Workflow, job: Job) -> Result<JobOutcome, WorkflowError> {
    let payload: ExpiryPayload = serde_json::from_str(&job.payload)?;
    let record = application(&wf, &payload.application).await?;
    let unlabelled = match wf.store.designation_of(&record.id).await? {
        Some(d) => unlabelled(&wf, &d.programme_id).await?,
        None => None,
    };
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    let mut did = false;
    if let Ok(m) = next(&record, &Event::Expire) {
        unit.move_application(&record.id, m, SYSTEM, now).await?;
        did = true;
    }
    // Expired (now or before) but still labelled: take the label off. Abolished or revoked
    // courses were handled when they ended.
    if (did || record.status == Status::Expired)
        && let Some(item) = unlabelled
    {
        unit.upsert_programme(&item, SYSTEM, now).await?;
        did = true;
    }
    finish(&wf, unit, &job, did).await
}

/// C02: the final year has begun: the organisation's owners are told to renew.
pub async fn remind_renewal(wf: Workflow, job: Job) -> Result<JobOutcome, WorkflowError> {
    let payload: ExpiryPayload = serde_json::from_str(&job.payload)?;
    let record = application(&wf, &payload.application).await?;
    let Some(d) = wf
        .store
        .designation_of(&record.id)
        .await?
        .filter(|d| d.ended_on.is_none() && record.status == Status::Designated)
    else {
        let unit = wf.store.write().await?;
        return finish(&wf, unit, &job, false).await;
    };
    let owners: Vec<_> = wf
        .store
        .staff_of(&record.organisation_id)
        .await?
        .into_iter()
        .filter(|m| m.role == OrgRole::Owner)
        .collect();
    let ends_on = koshu_domain::types::date_ja_with_weekday(d.ends_on);
    let mut unit = wf.store.write().await?;
    let mut queued = Queued::default();
    for member in owners {
        let mail = crate::mail::renewal_due(
            &wf,
            member.email.as_str(),
            &record.title,
            &d.number,
            &ends_on,
            &record.id,
        );
        queued.push(&wf, &mut unit, mail).await?;
    }
    let outcome = finish(&wf, unit, &job, true).await?;
    queued.log(&wf);
    Ok(outcome)
}

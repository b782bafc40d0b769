//! What a provider files about a designated course (issue 6): a change notice (様式第3号;
//! C03, C04), which must come before its effective date and is refused when the course would
//! no longer be the same course, and an abolition notice (様式第4号; C05) with measures for
//! learners in progress. Each takes effect on its date through a scheduled job, which then
//! updates the public catalogue; the handlers are registered in [`crate::jobs::registry`].

use super::applications::{self, Need};
use super::reviews::as_move;
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::view::{self, PageCtx};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_domain::catalogue::Designation;
use koshu_domain::designation::lifecycle::{
    ChangeVerdict, DesignationPeriod, Event, Status, assess_change, transition,
};
use koshu_domain::designation::{Application, RuleContext, publish};
use koshu_store::applications::ApplicationRecord;
use koshu_store::jobs::{Job, NewJob};
use koshu_store::notices::{NewNotice, Notice};
use koshu_store::reviews::DesignationRecord;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

pub const APPLY_CHANGE: &str = "designation.apply_change";
pub const ABOLISH: &str = "designation.abolish";
pub const EXPIRE: &str = "designation.expire";
pub const RENEWAL_REMINDER: &str = "designation.renewal_reminder";
const SYSTEM: &str = "system:jobs";

#[derive(Debug, Serialize, Deserialize)]
struct NoticePayload {
    notice: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct ExpiryPayload {
    application: String,
}

/// The start of a day in Japan: when a notice dated that day takes effect.
pub fn start_of(day: Date) -> OffsetDateTime {
    day.midnight().assume_offset(view::JST)
}

fn parse_day(text: &str, field: &str) -> Result<Date, AppError> {
    Date::parse(
        text.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        ValidationError::new(
            "notice.effective_on",
            "効力発生日を 2026-04-01 の形で入力してください。",
            "Enter the effective date such as 2026-04-01.",
        )
        .for_field(field)
        .into()
    })
}

/// C03: a notice is filed before the day it takes effect.
fn ahead(state: &AppState, day: Date) -> Result<(), AppError> {
    if day <= view::today(state) {
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

async fn designated(
    state: &AppState,
    id: &str,
    status: &str,
) -> Result<DesignationRecord, AppError> {
    let designation = state.store.designation_of(id).await?;
    match designation {
        Some(d) if status == Status::Designated.code() => Ok(d),
        _ => Err(ValidationError::new(
            "notice.not_designated",
            "変更届・廃止届は、特定講習に指定されている講習についてだけ提出できます。",
            "Change and abolition notices are for designated courses only.",
        )
        .into()),
    }
}

/// The course as it stands publicly: the designated version with every applied change.
async fn current_course(
    state: &AppState,
    id: &str,
    d: &DesignationRecord,
) -> Result<Application, AppError> {
    let applied = state
        .store
        .notices_of(id)
        .await?
        .into_iter()
        .rfind(|n| n.kind == "change" && n.applied_at.is_some());
    if let Some(n) = applied {
        return serde_json::from_str(&n.document).map_err(AppError::internal);
    }
    state
        .store
        .application_version(id, d.version)
        .await?
        .map(|v| v.application)
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeInput {
    effective_on: String,
}

pub async fn file_change(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (record, org) = applications::load(&state, &auth, &id, Need::Submit).await?;
    let me = auth.require(Action::SubmitApplication(&record.organisation_id))?;
    let input: ChangeInput = super::forms::parse(&body)?;
    let effective_on = parse_day(&input.effective_on, "effective_on")?;
    ahead(&state, effective_on)?;
    let d = designated(&state, &id, &record.status).await?;
    let current = current_course(&state, &id, &d).await?;
    let proposed = applications::as_checked(&record, &org);
    let documents = state.store.application_documents(&id).await?;
    let revocations = applications::revocations(&state).await?;
    let ctx = RuleContext {
        taxonomy: &state.taxonomy,
        today: view::today(&state),
        revocations: &revocations,
        documents: &applications::kinds(&documents),
    };
    let items = match assess_change(&current, &proposed, &ctx) {
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
    let notice_id = uuid::Uuid::now_v7().to_string();
    let codes: Vec<&str> = items.iter().map(|i| i.code()).collect();
    let now = state.clock.now();
    let actor = format!("account:{}", me.account.id);
    state
        .store
        .file_notice(
            &NewNotice {
                id: &notice_id,
                application_id: &id,
                number: &d.number,
                kind: "change",
                document: &serde_json::to_string(&proposed).map_err(AppError::internal)?,
                items: &serde_json::to_string(&codes).map_err(AppError::internal)?,
                measures: "",
                effective_on,
            },
            &actor,
            now,
        )
        .await?;
    schedule(&state, APPLY_CHANGE, effective_on, &notice_id, now).await?;
    Ok(Redirect::to(&format!(
        "{}?done=change_filed",
        page.href(&format!("/applications/{id}"))
    ))
    .into_response())
}

async fn schedule(
    state: &AppState,
    kind: &str,
    day: Date,
    notice_id: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let payload = serde_json::to_string(&NoticePayload {
        notice: notice_id.to_owned(),
    })
    .map_err(AppError::internal)?;
    let key = format!("notice:{notice_id}");
    state
        .store
        .schedule_job(
            &NewJob {
                kind,
                run_at: start_of(day),
                payload: &payload,
                dedupe_key: Some(&key),
            },
            now,
        )
        .await?;
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AbolitionInput {
    effective_on: String,
    measures: String,
}

pub async fn file_abolition(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (record, _) = applications::load(&state, &auth, &id, Need::Submit).await?;
    let me = auth.require(Action::SubmitApplication(&record.organisation_id))?;
    let input: AbolitionInput = super::forms::parse(&body)?;
    let effective_on = parse_day(&input.effective_on, "effective_on")?;
    ahead(&state, effective_on)?;
    let measures = input.measures.trim();
    if measures.is_empty() {
        return Err(ValidationError::new(
            "notice.measures",
            "受講中の方への代替措置（振替受講、返金など）を入力してください（様式第4号）。",
            "Describe the measures for learners in progress (transfer, refund, ...).",
        )
        .for_field("measures")
        .into());
    }
    let d = designated(&state, &id, &record.status).await?;
    let notice_id = uuid::Uuid::now_v7().to_string();
    let now = state.clock.now();
    state
        .store
        .file_notice(
            &NewNotice {
                id: &notice_id,
                application_id: &id,
                number: &d.number,
                kind: "abolition",
                document: "",
                items: "[]",
                measures,
                effective_on,
            },
            &format!("account:{}", me.account.id),
            now,
        )
        .await?;
    schedule(&state, ABOLISH, effective_on, &notice_id, now).await?;
    Ok(Redirect::to(&format!(
        "{}?done=abolition_filed",
        page.href(&format!("/applications/{id}"))
    ))
    .into_response())
}

/// At designation: the reminder when the final year begins (C02) and the end of the period
/// the day after its last day (C01).
pub async fn schedule_period(
    state: &AppState,
    application_id: &str,
    period: DesignationPeriod,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    let payload = serde_json::to_string(&ExpiryPayload {
        application: application_id.to_owned(),
    })
    .map_err(AppError::internal)?;
    let end = period.ends_on.next_day().unwrap_or(period.ends_on);
    for (kind, day, key) in [
        (
            RENEWAL_REMINDER,
            period.final_year_starts_on(),
            format!("renewal:{application_id}"),
        ),
        (EXPIRE, end, format!("expiry:{application_id}")),
    ] {
        state
            .store
            .schedule_job(
                &NewJob {
                    kind,
                    run_at: start_of(day),
                    payload: &payload,
                    dedupe_key: Some(&key),
                },
                now,
            )
            .await?;
    }
    Ok(())
}

/// C02: the final year has begun: the organisation's owners are told to renew.
pub async fn remind_renewal(state: AppState, job: Job) -> Result<(), String> {
    let payload: ExpiryPayload = serde_json::from_str(&job.payload).map_err(failure)?;
    let (record, _) = application_of(&state, &payload.application).await?;
    let Some(d) = state
        .store
        .designation_of(&record.id)
        .await
        .map_err(failure)?
        .filter(|d| d.ended_on.is_none() && record.status == Status::Designated.code())
    else {
        return Ok(());
    };
    let ends_on = view::date(crate::lang::Lang::Ja, d.ends_on);
    for member in state
        .store
        .staff_of(&record.organisation_id)
        .await
        .map_err(failure)?
        .into_iter()
        .filter(|m| m.role == koshu_domain::access::OrgRole::Owner)
    {
        let mail = crate::mail::renewal_due(
            &state,
            member.email.as_str(),
            &record.title,
            &d.number,
            &ends_on,
            &record.id,
        );
        crate::mail::send(&state, mail)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// C02: in the final year, a renewal application starts from the course as it stands.
pub async fn renew(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (record, _) = applications::load(&state, &auth, &id, Need::Edit).await?;
    let me = auth.require(Action::EditApplications(&record.organisation_id))?;
    let d = designated(&state, &id, &record.status).await?;
    let period = DesignationPeriod {
        starts_on: d.starts_on,
        ends_on: d.ends_on,
    };
    if !period.in_final_year(view::today(&state)) {
        return Err(ValidationError::new(
            "notice.not_final_year",
            "更新の応募は、対象期間の最終年度に行います。",
            "Renewal is applied for in the final year of the designation.",
        )
        .into());
    }
    let mut draft = current_course(&state, &id, &d).await?;
    draft.provider.organisation = None;
    let new_id = uuid::Uuid::now_v7().to_string();
    state
        .store
        .create_application(
            &new_id,
            &record.organisation_id,
            &draft,
            &format!("account:{}", me.account.id),
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&page.href(&format!("/applications/{new_id}"))).into_response())
}

// The jobs.

fn failure(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The job's notice, unless it was applied already (a job may run again).
async fn pending_notice(state: &AppState, job: &Job) -> Result<Option<Notice>, String> {
    let payload: NoticePayload = serde_json::from_str(&job.payload).map_err(failure)?;
    let notice = state
        .store
        .notice(&payload.notice)
        .await
        .map_err(failure)?
        .ok_or("the notice is gone")?;
    Ok(notice.applied_at.is_none().then_some(notice))
}

async fn mark_applied(
    state: &AppState,
    notice: &Notice,
    now: OffsetDateTime,
) -> Result<(), String> {
    state
        .store
        .mark_notice_applied(&notice.id, SYSTEM, now)
        .await
        .map_err(failure)?;
    Ok(())
}

/// The application and its status, for a job.
async fn application_of(state: &AppState, id: &str) -> Result<(ApplicationRecord, Status), String> {
    let record = state
        .store
        .application(id)
        .await
        .map_err(failure)?
        .ok_or("the application is gone")?;
    let status = Status::from_code(&record.status).ok_or("unknown status")?;
    Ok((record, status))
}

/// A change takes effect: the public course shows the application as notified.
pub async fn apply_change(state: AppState, job: Job) -> Result<(), String> {
    let Some(notice) = pending_notice(&state, &job).await? else {
        return Ok(());
    };
    let d = state
        .store
        .designation_of(&notice.application_id)
        .await
        .map_err(failure)?
        .ok_or("the designation is gone")?;
    let now = state.clock.now();
    // A designation that ended before the change took effect has no public course to change.
    if d.ended_on.is_none() {
        let proposed: Application = serde_json::from_str(&notice.document).map_err(failure)?;
        let org = proposed
            .provider
            .organisation
            .clone()
            .ok_or("the notice has no organisation")?;
        let programme = publish::programme_of(
            &notice.application_id,
            &proposed,
            &org,
            Designation {
                number: d.number.clone(),
                starts_on: d.starts_on,
                ends_on: d.ends_on,
            },
            &state.taxonomy,
        )
        .map_err(|e| e.message_en)?;
        state
            .store
            .upsert_provider(
                &publish::provider_of(&org).map_err(|e| e.message_en)?,
                SYSTEM,
                now,
            )
            .await
            .map_err(failure)?;
        state
            .store
            .upsert_programme(
                &koshu_domain::catalogue::ProgrammeWithSessions {
                    programme,
                    sessions: Vec::new(),
                },
                SYSTEM,
                now,
            )
            .await
            .map_err(failure)?;
    }
    mark_applied(&state, &notice, now).await
}

/// An abolition takes effect: the designation ends and the course leaves the catalogue (C05).
pub async fn abolish(state: AppState, job: Job) -> Result<(), String> {
    let Some(notice) = pending_notice(&state, &job).await? else {
        return Ok(());
    };
    let now = state.clock.now();
    let (_, from) = application_of(&state, &notice.application_id).await?;
    let event = Event::Abolish {
        effective_on: notice.effective_on,
    };
    // Already revoked or expired: nothing is left to abolish.
    if let Ok(to) = transition(from, &event) {
        state
            .store
            .end_designation(
                &notice.number,
                notice.effective_on,
                "abolished",
                "abolish",
                &notice.measures,
                as_move(from, to, &event),
                SYSTEM,
                now,
            )
            .await
            .map_err(failure)?;
        if let Some(d) = state
            .store
            .designation_of(&notice.application_id)
            .await
            .map_err(failure)?
        {
            match state
                .store
                .remove_programme(&d.programme_id, SYSTEM, now)
                .await
            {
                Ok(()) | Err(koshu_store::StoreError::NotFound) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    }
    mark_applied(&state, &notice, now).await
}

/// The period ends (C01): the course is no longer a 特定講習; it stays listed without the label.
pub async fn expire(state: AppState, job: Job) -> Result<(), String> {
    let payload: ExpiryPayload = serde_json::from_str(&job.payload).map_err(failure)?;
    let (record, from) = application_of(&state, &payload.application).await?;
    let event = Event::Expire;
    let Ok(to) = transition(from, &event) else {
        // Abolished or revoked before the period ended: nothing to do.
        return Ok(());
    };
    let now = state.clock.now();
    state
        .store
        .move_application(&record.id, as_move(from, to, &event), SYSTEM, now)
        .await
        .map_err(failure)?;
    if let Some(d) = state
        .store
        .designation_of(&record.id)
        .await
        .map_err(failure)?
    {
        super::reviews::unpublish(&state, &d.programme_id, SYSTEM, now)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

//! Review and designation by the ministry (B35, B36, C01, C07): the queue, the workspace with
//! every rule's automatic verdict and the reviewer's finding, assignments of reviewers and
//! external experts, requests for revision, and the decision. External experts declare any
//! conflict of interest before they see anything, then give their opinion.
//!
//! Every status change goes through `lifecycle::transition`; an illegal move is a 400 naming
//! the current status, and every move is written with its audit entry.

use super::applications::{self, RuleRow};
use super::forms::{FormField, parse};
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_domain::catalogue::Designation;
use koshu_domain::catalogue::ProgrammeWithSessions;
use koshu_domain::designation::application::RevocationReason;
use koshu_domain::designation::lifecycle::{
    DesignationPeriod, Event, Status, designation_number, transition,
};
use koshu_domain::designation::{Verdict, publish};
use koshu_domain::types::FiscalYear;
use koshu_store::applications::{ApplicationRecord, ApplicationVersion};
use koshu_store::reviews::{Move, NewDesignation, RuleFinding};
use serde::Deserialize;
use time::Date;
use time::macros::format_description;

fn rendered(status: StatusCode, page: impl Template) -> Result<Response, AppError> {
    Ok((status, Html(page.render()?)).into_response())
}

fn status_of(record: &ApplicationRecord) -> Result<Status, AppError> {
    Status::from_code(&record.status)
        .ok_or_else(|| AppError::internal(koshu_store::StoreError::Corrupt(record.status.clone())))
}

/// The move `event` makes from the application's status, or the 400 that says why not.
pub(crate) fn next(
    record: &ApplicationRecord,
    event: &Event,
) -> Result<(Status, Status), AppError> {
    let from = status_of(record)?;
    let to = transition(from, event).map_err(|e| AppError::Invalid(e.to_validation_error()))?;
    Ok((from, to))
}

pub(crate) fn as_move<'a>(from: Status, to: Status, event: &'a Event) -> Move<'a> {
    Move {
        from: from.code(),
        to: to.code(),
        event: event.name(),
    }
}

async fn latest_version(state: &AppState, id: &str) -> Result<ApplicationVersion, AppError> {
    state
        .store
        .application_versions(id)
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

fn actor(auth: &crate::auth::SignedIn) -> String {
    format!("account:{}", auth.account.id)
}

// The queue.

struct QueueRow {
    href: String,
    title: String,
    provider: String,
    status: String,
    version: i64,
    submitted: String,
    waiting_days: i64,
    reviewers: String,
}

#[derive(Template)]
#[template(path = "review_queue.html")]
struct QueuePage {
    page: PageCtx,
    rows: Vec<QueueRow>,
    filters: Vec<(String, String, bool)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    status: String,
}

pub async fn queue(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AppError> {
    auth.require(Action::ReviewApplications)?;
    let shown = [
        Status::Submitted,
        Status::UnderReview,
        Status::RevisionRequested,
    ];
    let filter = shown.into_iter().find(|s| s.code() == q.status);
    let now = state.clock.now();
    let rows = state
        .store
        .review_queue(filter.map(Status::code))
        .await?
        .into_iter()
        .map(|e| QueueRow {
            href: page.href(&format!("/ministry/reviews/{}", e.application_id)),
            title: e.title,
            provider: e.organisation_name,
            status: Status::from_code(&e.status).map_or(e.status.clone(), |s| {
                page.t(s.label_ja(), s.label_en()).to_owned()
            }),
            version: e.latest_version,
            submitted: view::date_time(page.lang, e.submitted_at),
            waiting_days: (now - e.submitted_at).whole_days(),
            reviewers: if e.reviewers.is_empty() {
                page.t("未割当", "Not assigned").to_owned()
            } else {
                e.reviewers.join("、")
            },
        })
        .collect();
    let mut filters = vec![(
        page.href("/ministry/reviews"),
        page.t("すべて", "All").to_owned(),
        filter.is_none(),
    )];
    filters.extend(shown.into_iter().map(|s| {
        (
            format!("{}?status={}", page.href("/ministry/reviews"), s.code()),
            page.t(s.label_ja(), s.label_en()).to_owned(),
            filter == Some(s),
        )
    }));
    rendered(
        StatusCode::OK,
        QueuePage {
            page,
            rows,
            filters,
        },
    )
}

// The workspace.

struct FindingRow {
    rule: RuleRow,
    evidence: Vec<(String, String)>,
    finding: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "review_workspace.html")]
struct WorkspacePage {
    page: PageCtx,
    id: String,
    title: String,
    provider: String,
    status: String,
    status_code: &'static str,
    version: i64,
    digest: String,
    submitted: String,
    compare_href: Option<String>,
    assignments: Vec<(String, String, String)>,
    reviewer_options: Vec<(String, String)>,
    expert_options: Vec<(String, String)>,
    rows: Vec<FindingRow>,
    opinions: Vec<(String, i64, String)>,
    decisions: Vec<(i64, String, String, String)>,
    designation: Option<(String, String)>,
    fields: Vec<FormField>,
    /// The revocation form, for a designated course.
    revoke_fields: Vec<FormField>,
    general_errors: Vec<String>,
}

impl WorkspacePage {
    fn error_count(&self) -> usize {
        self.general_errors.len()
    }
}

pub(crate) fn outcome_label(page: &PageCtx, outcome: &str) -> String {
    match outcome {
        "revise" => page.t("修正依頼", "Revision requested"),
        "designate" => page.t("指定", "Designated"),
        "reject" => page.t("不指定", "Rejected"),
        "revoke" => page.t("取消し", "Revoked"),
        "abolish" => page.t("廃止", "Abolished"),
        other => other,
    }
    .to_owned()
}

/// The rules with the automatic verdict on `version` and what the reviewer found.
async fn finding_rows(
    state: &AppState,
    page: &PageCtx,
    id: &str,
    org_id: &str,
    version: &ApplicationVersion,
) -> Result<Vec<FindingRow>, AppError> {
    let checks = applications::check_version(state, version).await?;
    let found = state.store.findings(id, version.version).await?;
    let rules = applications::rule_rows(page, id, org_id, &checks);
    Ok(rules
        .into_iter()
        .zip(checks.iter())
        .map(|(rule, (_, verdict))| {
            let evidence = match verdict {
                Verdict::NeedsReview(e) => e
                    .items
                    .iter()
                    .map(|i| (i.field.clone(), i.value.clone()))
                    .collect(),
                _ => Vec::new(),
            };
            let mine = found.iter().find(|f| f.rule_id == rule.id);
            FindingRow {
                finding: mine.map(|f| f.finding.clone()).unwrap_or_default(),
                comment: mine.map(|f| f.comment.clone()).unwrap_or_default(),
                rule,
                evidence,
            }
        })
        .collect())
}

async fn workspace_page(
    state: &AppState,
    page: PageCtx,
    id: &str,
    errors: &[ValidationError],
) -> Result<WorkspacePage, AppError> {
    let record = state
        .store
        .application(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let org = state
        .store
        .organisation(&record.organisation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let version = latest_version(state, id).await?;
    let rows = finding_rows(state, &page, id, &org.id, &version).await?;
    let assignments = state.store.assignments(id).await?;
    let accounts = state.store.accounts().await?;
    let reviewer_options = accounts
        .iter()
        .filter(|a| a.ministry_role.is_some())
        .map(|a| {
            (
                a.id.clone(),
                format!("{}（{}）", a.display_name, a.email.as_str()),
            )
        })
        .collect();
    let expert_options = accounts
        .iter()
        .filter(|a| a.expert)
        .map(|a| {
            (
                a.id.clone(),
                format!("{}（{}）", a.display_name, a.email.as_str()),
            )
        })
        .collect();
    let status = status_of(&record)?;
    let designation = state
        .store
        .designation_of(id)
        .await?
        .map(|d| (d.number, view::date_span(page.lang, d.starts_on, d.ends_on)));
    let general = errors
        .iter()
        .map(|e| page.t(&e.message_ja, &e.message_en).to_owned())
        .collect();
    Ok(WorkspacePage {
        id: id.to_owned(),
        title: version.application.course.name.clone(),
        provider: org.organisation.name_ja.clone(),
        status: page.t(status.label_ja(), status.label_en()).to_owned(),
        status_code: status.code(),
        version: version.version,
        digest: version.digest.clone(),
        submitted: view::date_time(page.lang, version.submitted_at),
        compare_href: (version.version > 1).then(|| {
            page.href(&format!(
                "/applications/{id}/compare?from={}&to={}",
                version.version - 1,
                version.version
            ))
        }),
        assignments: assignments
            .into_iter()
            .map(|a| {
                let role = if a.role == "expert" {
                    page.t("外部有識者", "External expert")
                } else {
                    page.t("審査担当", "Reviewer")
                };
                let conflict = match (a.role.as_str(), a.conflict.as_deref()) {
                    ("expert", None) => page.t("利害関係の申告待ち", "Declaration pending"),
                    ("expert", Some("none")) => page.t("利害関係なし", "No conflict"),
                    ("expert", Some(_)) => {
                        page.t("利害関係あり（閲覧不可）", "Conflict declared (no access)")
                    }
                    _ => "",
                };
                (a.display_name, role.to_owned(), conflict.to_owned())
            })
            .collect(),
        reviewer_options,
        expert_options,
        rows,
        opinions: state
            .store
            .opinions(id)
            .await?
            .into_iter()
            .map(|o| (o.display_name, o.version, o.opinion))
            .collect(),
        decisions: state
            .store
            .decisions(id)
            .await?
            .into_iter()
            .map(|d| {
                (
                    d.version,
                    outcome_label(&page, &d.outcome),
                    d.reasons,
                    view::date_time(page.lang, d.decided_at),
                )
            })
            .collect(),
        designation,
        fields: vec![
            FormField::new(
                "designated_on",
                page.t("指定日", "Designation date"),
                "date",
            )
            .value(&view::today(state).to_string())
            .hint(page.t(
                "通常は4月1日。指定期間はこの日から3年間です（C01）。",
                "Normally 1 April. The designation runs 3 years from this day (C01).",
            )),
        ],
        revoke_fields: vec![
            FormField::new(
                "reason",
                page.t("取消しの理由（5-3）", "Reason (5-3)"),
                "select",
            )
            .options(
                RevocationReason::ALL
                    .into_iter()
                    .map(|r| {
                        (
                            r.code().to_owned(),
                            format!("{} {}", r.clause(), page.t(r.label_ja(), r.label_en())),
                        )
                    })
                    .collect(),
            ),
            FormField::new(
                "details",
                page.t(
                    "具体的な理由（講座提供者に伝わります）",
                    "Details (the provider reads them)",
                ),
                "textarea",
            ),
            FormField::new("revoked_on", page.t("取消日", "Revoked on"), "date")
                .value(&view::today(state).to_string()),
        ],
        general_errors: general,
        page,
    })
}

pub async fn workspace(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    auth.require(Action::ReviewApplications)?;
    let view = workspace_page(&state, page, &id, &[]).await?;
    rendered(StatusCode::OK, view)
}

fn back(page: &PageCtx, id: &str) -> Response {
    Redirect::to(&page.href(&format!("/ministry/reviews/{id}"))).into_response()
}

async fn record(state: &AppState, id: &str) -> Result<ApplicationRecord, AppError> {
    state.store.application(id).await?.ok_or(AppError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssignInput {
    account_id: String,
    role: String,
}

pub async fn assign(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ReviewApplications)?;
    let input: AssignInput = parse(&body)?;
    let application = record(&state, &id).await?;
    let account = state.store.account(&input.account_id).await?;
    let fits = match (input.role.as_str(), &account) {
        ("reviewer", Some(a)) => a.ministry_role.is_some(),
        ("expert", Some(a)) => a.expert,
        _ => false,
    };
    if !fits {
        let error = ValidationError::new(
            "review.assignee",
            "審査担当は経済産業省の担当者から、外部有識者は有識者として登録された人から選んでください。",
            "Choose a reviewer from the ministry's staff, or an expert from the registered experts.",
        )
        .for_field("account_id");
        let view = workspace_page(&state, page, &id, &[error]).await?;
        return rendered(StatusCode::BAD_REQUEST, view);
    }
    let now = state.clock.now();
    let added = state
        .store
        .assign(&id, &input.account_id, &input.role, &actor(me), now)
        .await?;
    let already = state
        .store
        .assignments(&id)
        .await?
        .into_iter()
        .find(|a| a.account_id == input.account_id);
    if !added && already.as_ref().is_some_and(|a| a.role != input.role) {
        let error = ValidationError::new(
            "review.assigned_otherwise",
            "この人はこの申請に別の役割（審査担当または外部有識者）ですでに割り当てられています。",
            "This person is already assigned to this application in the other role (reviewer or expert).",
        )
        .for_field("account_id");
        let view = workspace_page(&state, page, &id, &[error]).await?;
        return rendered(StatusCode::BAD_REQUEST, view);
    }
    // The first reviewer starts the review.
    if input.role == "reviewer" && application.status == Status::Submitted.code() {
        let event = Event::StartReview;
        let (from, to) = next(&application, &event)?;
        state
            .store
            .move_application(&id, as_move(from, to, &event), &actor(me), now)
            .await?;
    }
    Ok(back(&page, &id))
}

pub async fn save_findings(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ReviewApplications)?;
    let application = record(&state, &id).await?;
    if application.status != Status::UnderReview.code() {
        let error = ValidationError::new(
            "review.not_under_review",
            "審査中の申請にだけ所見を記録できます。先に審査担当を割り当ててください。",
            "Findings are recorded only while the application is under review. Assign a reviewer first.",
        );
        let view = workspace_page(&state, page, &id, &[error]).await?;
        return rendered(StatusCode::BAD_REQUEST, view);
    }
    let pairs: Vec<(String, String)> = parse(&body)?;
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let version = latest_version(&state, &id).await?;
    let mut findings = Vec::new();
    for rule in koshu_domain::designation::rules() {
        let finding = value(&format!("finding.{}", rule.id));
        if finding.is_empty() {
            continue;
        }
        if !matches!(finding.as_str(), "met" | "revise" | "not_met") {
            return Err(ValidationError::new(
                "review.finding",
                format!(
                    "{} の所見は「適合」「要修正」「不適合」から選んでください。",
                    rule.id
                ),
                format!("Choose met, needs revision or not met for {}.", rule.id),
            )
            .for_field(format!("finding.{}", rule.id))
            .into());
        }
        findings.push(RuleFinding {
            rule_id: rule.id.to_owned(),
            finding,
            comment: value(&format!("comment.{}", rule.id)),
        });
    }
    state
        .store
        .record_findings(
            &id,
            version.version,
            &findings,
            &actor(me),
            state.clock.now(),
        )
        .await?;
    Ok(back(&page, &id))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReasonsInput {
    reasons: String,
}

fn reasons_of(body: &Bytes) -> Result<String, AppError> {
    let input: ReasonsInput = parse(body)?;
    let reasons = input.reasons.trim();
    if reasons.is_empty() {
        return Err(ValidationError::new(
            "review.reasons",
            "理由を入力してください。申請者に伝わります。",
            "Enter the reasons; the applicant will read them.",
        )
        .for_field("reasons")
        .into());
    }
    Ok(reasons.to_owned())
}

async fn decide_without_designation(
    state: &AppState,
    me: &crate::auth::SignedIn,
    id: &str,
    event: Event,
    outcome: &str,
    reasons: &str,
) -> Result<(), AppError> {
    let application = record(state, id).await?;
    let (from, to) = next(&application, &event)?;
    let version = latest_version(state, id).await?;
    state
        .store
        .decide_application(
            id,
            version.version,
            outcome,
            reasons,
            as_move(from, to, &event),
            None,
            &actor(me),
            state.clock.now(),
        )
        .await?;
    Ok(())
}

pub async fn request_revision(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ReviewApplications)?;
    let reasons = reasons_of(&body)?;
    decide_without_designation(&state, me, &id, Event::RequestRevision, "revise", &reasons).await?;
    Ok(back(&page, &id))
}

pub async fn reject(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ReviewApplications)?;
    let reasons = reasons_of(&body)?;
    decide_without_designation(&state, me, &id, Event::Reject, "reject", &reasons).await?;
    Ok(back(&page, &id))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DesignateInput {
    designated_on: String,
    reasons: String,
}

pub async fn designate(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ReviewApplications)?;
    let input: DesignateInput = parse(&body)?;
    let designated_on = parse_date(&input.designated_on, "designated_on")?;
    let application = record(&state, &id).await?;
    let period = DesignationPeriod::from_designation_date(designated_on);
    let event = Event::Designate { period };
    let (from, to) = next(&application, &event)?;
    let org = state
        .store
        .organisation(&application.organisation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let version = latest_version(&state, &id).await?;
    let fy = FiscalYear::of(designated_on)?;
    let sequence = state.store.designations_since(fy.start()).await? + 1;
    let number = designation_number(
        designated_on,
        u32::try_from(sequence).map_err(AppError::internal)?,
    )?;
    let designation = Designation {
        number: number.clone(),
        starts_on: period.starts_on,
        ends_on: period.ends_on,
    };
    let programme = publish::programme_of(
        &id,
        &version.application,
        &org.organisation,
        designation,
        &state.taxonomy,
    )?;
    let provider = publish::provider_of(&org.organisation)?;
    let now = state.clock.now();
    let reasons = if input.reasons.trim().is_empty() {
        "募集等要領の要件を満たすため。".to_owned()
    } else {
        input.reasons.trim().to_owned()
    };
    state
        .store
        .decide_application(
            &id,
            version.version,
            "designate",
            &reasons,
            as_move(from, to, &event),
            Some(&NewDesignation {
                number: &number,
                programme_id: programme.id.as_str(),
                version: version.version,
                starts_on: period.starts_on,
                ends_on: period.ends_on,
            }),
            &actor(me),
            now,
        )
        .await?;
    super::notices::schedule_period(&state, &id, period, now).await?;
    // Published after the decision is recorded: the catalogue follows the audit feed.
    state
        .store
        .upsert_provider(&provider, &actor(me), now)
        .await?;
    state
        .store
        .upsert_programme(
            &ProgrammeWithSessions {
                programme,
                sessions: Vec::new(),
            },
            &actor(me),
            now,
        )
        .await?;
    Ok(back(&page, &id))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RevokeInput {
    reason: String,
    details: String,
    revoked_on: String,
}

/// C06: revocation by the ministry for one of the reasons of 5-3 (ア)–(オ). The course loses
/// its label at once; a revocation under (オ) bars the provider's new designations for 5 years
/// (rule B28 reads Koshu's record).
pub async fn revoke(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ReviewApplications)?;
    let input: RevokeInput = parse(&body)?;
    let reason = RevocationReason::from_code(&input.reason).ok_or_else(|| {
        ValidationError::new(
            "review.revocation_reason",
            "取消しの理由を 5-3 (ア)〜(オ) から選んでください。",
            "Choose the reason for revocation from 5-3 (a)–(e).",
        )
        .for_field("reason")
    })?;
    let details = input.details.trim();
    if details.is_empty() {
        return Err(ValidationError::new(
            "review.revocation_details",
            "取消しの具体的な理由を入力してください。講座提供者に伝わります。",
            "Enter the details of the revocation; the provider reads them.",
        )
        .for_field("details")
        .into());
    }
    let on = parse_date(&input.revoked_on, "revoked_on")?;
    if on > view::today(&state) {
        return Err(ValidationError::new(
            "review.revoked_on",
            "取消日に将来の日付は指定できません。",
            "The revocation date cannot be in the future.",
        )
        .for_field("revoked_on")
        .into());
    }
    let application = record(&state, &id).await?;
    let event = Event::Revoke { reason, on };
    let (from, to) = next(&application, &event)?;
    let designation = state
        .store
        .designation_of(&id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = state.clock.now();
    state
        .store
        .end_designation(
            &designation.number,
            on,
            &format!("revoked:{}", reason.code()),
            "revoke",
            &format!("{} {}：{details}", reason.clause(), reason.label_ja()),
            as_move(from, to, &event),
            &actor(me),
            now,
        )
        .await?;
    unpublish(&state, &designation.programme_id, &actor(me), now).await?;
    Ok(back(&page, &id))
}

/// The course stays in the catalogue as a programme, without the 特定講習 label.
pub(crate) async fn unpublish(
    state: &AppState,
    programme_id: &str,
    actor: &str,
    now: time::OffsetDateTime,
) -> Result<(), AppError> {
    if let Some(record) = state.store.catalogue_record(programme_id).await? {
        let mut item = record.item;
        item.programme.designation = None;
        state.store.upsert_programme(&item, actor, now).await?;
    }
    Ok(())
}

fn parse_date(text: &str, field: &str) -> Result<Date, AppError> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]")).map_err(|_| {
        ValidationError::new(
            "review.date",
            "日付を 2026-04-01 の形で入力してください。",
            "Enter the date such as 2026-04-01.",
        )
        .for_field(field)
        .into()
    })
}

// External experts.

struct ExpertRow {
    href: String,
    title: String,
    state: String,
}

#[derive(Template)]
#[template(path = "expert_reviews.html")]
struct ExpertListPage {
    page: PageCtx,
    rows: Vec<ExpertRow>,
}

pub async fn expert_list(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    if !me.principal.expert {
        return Err(AppError::Forbidden);
    }
    let rows = state
        .store
        .expert_assignments(&me.account.id)
        .await?
        .into_iter()
        .map(|(id, title, conflict)| ExpertRow {
            href: page.href(&format!("/reviews/{id}")),
            title,
            state: match conflict.as_deref() {
                None => page.t("利害関係の申告が必要です", "Declare any conflict first"),
                Some("none") => page.t("意見を述べられます", "You can give your opinion"),
                Some(_) => page.t(
                    "利害関係あり（閲覧できません）",
                    "Conflict declared (no access)",
                ),
            }
            .to_owned(),
        })
        .collect();
    rendered(StatusCode::OK, ExpertListPage { page, rows })
}

#[derive(Template)]
#[template(path = "expert_review.html")]
struct ExpertPage {
    page: PageCtx,
    id: String,
    title: String,
    /// Before the declaration only the declaration form is shown.
    declared: bool,
    version: i64,
    rows: Vec<FindingRow>,
    fields: Vec<FormField>,
    general_errors: Vec<String>,
}

impl ExpertPage {
    fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

/// The expert's assignment: `(assigned, conflict)`.
async fn expert_state(
    state: &AppState,
    id: &str,
    account_id: &str,
) -> Result<(bool, Option<String>), AppError> {
    let found = state
        .store
        .assignments(id)
        .await?
        .into_iter()
        .find(|a| a.account_id == account_id && a.role == "expert");
    Ok((found.is_some(), found.and_then(|a| a.conflict)))
}

async fn expert_page(
    state: &AppState,
    auth: &AuthContext,
    page: PageCtx,
    id: &str,
    errors: &[ValidationError],
) -> Result<ExpertPage, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    let (assigned, conflict) = expert_state(state, id, &me.account.id).await?;
    if conflict.is_none() {
        auth.require(Action::DeclareConflict { assigned })?;
        let record = record(state, id).await?;
        return Ok(ExpertPage {
            id: id.to_owned(),
            title: record.title,
            declared: false,
            version: 0,
            rows: Vec::new(),
            fields: vec![
                FormField::new(
                    "conflict",
                    page.t("利害関係の申告", "Conflict of interest"),
                    "radio",
                )
                .options(vec![
                    (
                        "none".to_owned(),
                        page.t(
                            "この申請者との間に利害関係はありません",
                            "I have no conflict of interest with this applicant",
                        )
                        .to_owned(),
                    ),
                    (
                        "conflict".to_owned(),
                        page.t(
                            "利害関係があります（この申請の審査には加わりません）",
                            "I have a conflict of interest (I will not take part)",
                        )
                        .to_owned(),
                    ),
                ]),
            ],
            general_errors: Vec::new(),
            page,
        });
    }
    auth.require(Action::ExpertReview {
        assigned,
        declared_no_conflict: conflict.as_deref() == Some("none"),
    })?;
    let record = record(state, id).await?;
    let org_id = record.organisation_id.clone();
    let version = latest_version(state, id).await?;
    let rows = finding_rows(state, &page, id, &org_id, &version).await?;
    let opinion = state
        .store
        .opinions(id)
        .await?
        .into_iter()
        .find(|o| o.account_id == me.account.id && o.version == version.version)
        .map(|o| o.opinion)
        .unwrap_or_default();
    let mut fields =
        vec![FormField::new("opinion", page.t("意見", "Opinion"), "textarea").value(&opinion)];
    let general = super::forms::attach_errors(&mut fields, &page, errors);
    Ok(ExpertPage {
        id: id.to_owned(),
        title: version.application.course.name.clone(),
        declared: true,
        version: version.version,
        rows,
        fields,
        general_errors: general,
        page,
    })
}

pub async fn expert_review(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let view = expert_page(&state, &auth, page, &id, &[]).await?;
    rendered(StatusCode::OK, view)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeclarationInput {
    conflict: String,
}

pub async fn declare(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    let (assigned, _) = expert_state(&state, &id, &me.account.id).await?;
    auth.require(Action::DeclareConflict { assigned })?;
    let input: DeclarationInput = parse(&body)?;
    if !matches!(input.conflict.as_str(), "none" | "conflict") {
        return Err(ValidationError::new(
            "review.conflict",
            "利害関係の有無を選んでください。",
            "Choose whether you have a conflict of interest.",
        )
        .for_field("conflict")
        .into());
    }
    state
        .store
        .declare_conflict(&id, &me.account.id, &input.conflict, state.clock.now())
        .await
        .map_err(|e| match e {
            koshu_store::StoreError::Conflict(_) => AppError::Invalid(ValidationError::new(
                "review.already_declared",
                "利害関係はすでに申告されています。",
                "The declaration has been made already.",
            )),
            other => other.into(),
        })?;
    let to = if input.conflict == "none" {
        format!("/reviews/{id}")
    } else {
        "/reviews".to_owned()
    };
    Ok(Redirect::to(&page.href(&to)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OpinionInput {
    opinion: String,
}

pub async fn give_opinion(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    let (assigned, conflict) = expert_state(&state, &id, &me.account.id).await?;
    auth.require(Action::ExpertReview {
        assigned,
        declared_no_conflict: conflict.as_deref() == Some("none"),
    })?;
    let input: OpinionInput = parse(&body)?;
    let opinion = input.opinion.trim();
    if opinion.is_empty() {
        let error = ValidationError::new(
            "review.opinion",
            "意見を入力してください。",
            "Enter your opinion.",
        )
        .for_field("opinion");
        let view = expert_page(&state, &auth, page, &id, &[error]).await?;
        return rendered(StatusCode::BAD_REQUEST, view);
    }
    let version = latest_version(&state, &id).await?;
    state
        .store
        .give_opinion(
            &id,
            version.version,
            &me.account.id,
            opinion,
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&page.href(&format!("/reviews/{id}"))).into_response())
}

// The public list of designated courses (B36).

struct DesignationRow {
    number: String,
    title: String,
    href: String,
    provider: String,
    period: String,
    state: String,
}

#[derive(Template)]
#[template(path = "designations.html")]
struct DesignationsPage {
    page: PageCtx,
    rows: Vec<DesignationRow>,
}

pub async fn designations(
    State(state): State<AppState>,
    page: PageCtx,
) -> Result<Response, AppError> {
    let today = view::today(&state);
    let mut rows = Vec::new();
    for d in state.store.all_designations().await? {
        let programme = state.store.catalogue_record(&d.programme_id).await?;
        let org = state.store.organisation(&d.organisation_id).await?;
        let ended = match d.end_reason.as_deref() {
            Some("abolished") => Some(page.t("廃止", "Abolished")),
            Some(r) if r.starts_with("revoked") => Some(page.t("取消し", "Revoked")),
            _ => None,
        };
        let state_label = match (ended, d.ended_on) {
            (Some(label), Some(on)) if on <= today => {
                format!("{label}（{}）", view::date(page.lang, on))
            }
            _ if d.ends_on < today => page.t("期間満了", "Expired").to_owned(),
            _ if d.starts_on > today => page.t("指定予定", "Starts later").to_owned(),
            _ => page.t("指定中", "Designated").to_owned(),
        };
        rows.push(DesignationRow {
            title: programme.as_ref().map_or_else(
                || d.programme_id.clone(),
                |p| p.item.programme.title_ja.clone(),
            ),
            href: page.href(&format!("/programmes/{}", d.programme_id)),
            provider: org.map(|o| o.organisation.name_ja).unwrap_or_default(),
            period: view::date_span(page.lang, d.starts_on, d.ends_on),
            state: state_label,
            number: d.number,
        });
    }
    rendered(StatusCode::OK, DesignationsPage { page, rows })
}

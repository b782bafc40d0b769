//! Review and designation by the ministry (B35, B36, C01, C07): the queue, the workspace with
//! every rule's automatic verdict and the reviewer's finding, assignments of reviewers and
//! external experts, requests for revision, and the decision. External experts declare any
//! conflict of interest before they see anything, then give their opinion.
//!
//! Handlers parse the form and call the use case in `koshu_workflow::designation`, which
//! decides with the domain and writes in one unit of work; an illegal move is a 400 naming the
//! current status, a move on an outdated page a 409.

use super::applications::{self, RuleRow};
use super::forms::{FormField, parse};
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::pages::rendered;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_domain::designation::Verdict;
use koshu_domain::designation::application::RevocationReason;
use koshu_domain::designation::lifecycle::{
    DesignationEnd, DesignationPeriod, EventKind, Outcome, Status,
};
use koshu_domain::designation::review::{Declaration, ReviewFinding, ReviewRole};
use koshu_domain::types::date_ja::parse_date;
use koshu_store::applications::{ApplicationRecord, ApplicationVersion};
use koshu_store::reviews::{QueueEntry, RuleFinding};
use koshu_workflow::WorkflowError;
use koshu_workflow::designation::{self, Decision};
use serde::Deserialize;
use time::Date;

/// A date field, read as people type it (2026-04-01, 2026/4/1, 2026年4月1日).
fn date_field(text: &str, field: &str) -> Result<Date, AppError> {
    Ok(parse_date(text).map_err(|e| e.for_field(field))?)
}

/// The status the form was drawn with: a decision on a page that is out of date is a
/// conflict, not a decision on what the reviewer did not see.
fn seen_status(text: &str) -> Option<Status> {
    Status::from_code(text.trim())
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

/// A change or abolition notice as the ministry's home lists it.
struct QueueNotice {
    href: String,
    title: String,
    number: String,
    form: &'static str,
    filed: String,
    effective: String,
    applied: bool,
}

#[derive(Template)]
#[template(path = "review_queue.html")]
struct QueuePage {
    page: PageCtx,
    rows: Vec<QueueRow>,
    /// (link, label, count, current)
    filters: Vec<(String, String, usize, bool)>,
    notices: Vec<QueueNotice>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    /// A status code, or `mine` for the applications the signed-in reviewer is assigned.
    status: String,
}

/// How many notices the ministry's home shows.
const NOTICES_SHOWN: i64 = 20;

/// The ministry's home (issue 13 item 1): applications waiting for a decision, by status and
/// the reviewer's own, and the latest change and abolition notices.
pub async fn queue(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ReviewApplications)?;
    let shown = [
        Status::Submitted,
        Status::UnderReview,
        Status::RevisionRequested,
    ];
    let all = state.store.review_queue().await?;
    let mine = |e: &QueueEntry| e.reviewers.iter().any(|(id, _)| *id == me.account.id);
    let status = shown.into_iter().find(|s| s.code() == q.status);
    let only_mine = q.status == "mine";
    let base = page.href("/ministry/reviews");
    let mut filters = vec![(
        base.clone(),
        page.t("すべて", "All").to_owned(),
        all.len(),
        status.is_none() && !only_mine,
    )];
    filters.push((
        format!("{base}?status=mine"),
        page.t("自分の担当", "Assigned to me").to_owned(),
        all.iter().filter(|e| mine(e)).count(),
        only_mine,
    ));
    filters.extend(shown.into_iter().map(|s| {
        (
            format!("{base}?status={}", s.code()),
            page.t(s.label_ja(), s.label_en()).to_owned(),
            all.iter().filter(|e| e.status == s).count(),
            status == Some(s),
        )
    }));
    let now = state.clock.now();
    let rows = all
        .into_iter()
        .filter(|e| status.is_none_or(|s| e.status == s) && (!only_mine || mine(e)))
        .map(|e| QueueRow {
            href: page.href(&format!("/ministry/reviews/{}", e.application_id)),
            title: e.title,
            provider: e.organisation_name,
            status: page.t(e.status.label_ja(), e.status.label_en()).to_owned(),
            version: e.latest_version,
            submitted: view::date_time(page.lang, e.submitted_at),
            waiting_days: (now - e.submitted_at).whole_days(),
            reviewers: if e.reviewers.is_empty() {
                page.t("未割当", "Not assigned").to_owned()
            } else {
                let names: Vec<&str> = e.reviewers.iter().map(|(_, n)| n.as_str()).collect();
                names.join("、")
            },
        })
        .collect();
    let notices = state
        .store
        .latest_notices(NOTICES_SHOWN)
        .await?
        .into_iter()
        .map(|(n, title)| QueueNotice {
            href: page.href(&format!("/ministry/reviews/{}", n.application_id)),
            title,
            form: if n.kind == "abolition" {
                page.t("廃止届（様式第4号）", "Abolition (form 4)")
            } else {
                page.t("変更届（様式第3号）", "Change (form 3)")
            },
            number: n.number,
            filed: view::date_time(page.lang, n.filed_at),
            effective: view::date(page.lang, n.effective_on),
            applied: n.applied_at.is_some(),
        })
        .collect();
    rendered(
        StatusCode::OK,
        QueuePage {
            page,
            rows,
            filters,
            notices,
        },
    )
}

// The workspace.

struct FindingRow {
    rule: RuleRow,
    evidence: Vec<(String, String)>,
    /// The finding shown is the previous version's.
    carried: bool,
    finding: &'static str,
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
    /// Drawn into every decision form, so that a decision on an outdated page is a 409.
    status_code: &'static str,
    /// The decisions `possible_events` allows now.
    can_decide: bool,
    can_revoke: bool,
    /// Why there are no decision buttons, when there are none.
    no_decision: &'static str,
    /// The findings shown are the previous version's.
    carried: bool,
    version: i64,
    digest: String,
    submitted: String,
    compare_href: Option<String>,
    files: applications::VersionFiles,
    assignments: Vec<(String, String, String)>,
    reviewer_options: Vec<(String, String)>,
    expert_options: Vec<(String, String)>,
    rows: Vec<FindingRow>,
    opinions: Vec<(String, i64, String)>,
    decisions: Vec<(i64, String, String, String)>,
    designation: Option<(String, String)>,
    notices: Vec<super::notices::NoticeRow>,
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

pub(crate) fn outcome_label(page: &PageCtx, outcome: Outcome) -> String {
    page.t(outcome.label_ja(), outcome.label_en()).to_owned()
}

/// The rules with the automatic verdict on `version` and what the reviewer found.
/// The rules with their findings on `version`; while none is recorded on a resubmitted
/// version, the previous version's findings are the starting point (issue 13 item 4),
/// marked as such. Returns the rows and whether they were carried forward.
async fn finding_rows(
    state: &AppState,
    page: &PageCtx,
    id: &str,
    org_id: &str,
    version: &ApplicationVersion,
) -> Result<(Vec<FindingRow>, bool), AppError> {
    let checks = applications::check_version(state, version).await?;
    let mut found = state.store.findings(id, version.version).await?;
    let carried = found.is_empty() && version.version > 1;
    if carried {
        found = state.store.findings(id, version.version - 1).await?;
    }
    let carried = carried && !found.is_empty();
    let rules = applications::rule_rows(page, id, org_id, &checks);
    let rows = rules
        .into_iter()
        .zip(checks.iter())
        .map(|(rule, (_, verdict))| {
            let evidence = match verdict {
                Verdict::NeedsReview(e) => e
                    .items
                    .iter()
                    .map(|i| (applications::field_name(page, &i.field), i.value.clone()))
                    .collect(),
                _ => Vec::new(),
            };
            let mine = found.iter().find(|f| f.rule_id == rule.id);
            FindingRow {
                finding: mine.map_or("", |f| f.finding.code()),
                comment: mine.map(|f| f.comment.clone()).unwrap_or_default(),
                carried: carried && mine.is_some(),
                rule,
                evidence,
            }
        })
        .collect();
    Ok((rows, carried))
}

/// Why the decision buttons are not shown, when they are not.
fn why_no_decision(page: &PageCtx, status: Status) -> &'static str {
    match status {
        Status::Submitted => page.t(
            "決定するには、まず審査担当を割り当ててください（審査中になります）。",
            "Assign a reviewer first: the decision buttons appear once the application is under review.",
        ),
        Status::RevisionRequested => page.t(
            "修正を依頼しています。申請者が再提出すると、審査を再開して決定できます。",
            "A revision was requested. Once the applicant resubmits, the review resumes and can be decided.",
        ),
        Status::Designated => page.t(
            "特定講習に指定済みです。以後の変更は変更届・廃止届によります。",
            "Designated. Later changes come as change or abolition notices.",
        ),
        Status::Rejected => page.t(
            "指定しないと決定済みです。",
            "Decided not to designate.",
        ),
        _ => page.t(
            "この申請は決定の対象ではありません。",
            "This application is not awaiting a decision.",
        ),
    }
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
    let (rows, carried) = finding_rows(state, &page, id, &org.id, &version).await?;
    let assignments = state.store.assignments(id).await?;
    let accounts = state.store.review_staff().await?;
    let reviewer_options = accounts
        .iter()
        .filter(|a| {
            a.ministry_role
                .is_some_and(koshu_domain::access::MinistryRole::reviews_designations)
        })
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
    let status = record.status;
    let possible = status.possible_events();
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
        can_decide: [
            EventKind::RequestRevision,
            EventKind::Designate,
            EventKind::Reject,
        ]
        .iter()
        .all(|k| possible.contains(k)),
        can_revoke: possible.contains(&EventKind::Revoke),
        no_decision: why_no_decision(&page, status),
        carried,
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
        files: applications::version_files(&page, &version),
        assignments: assignments
            .into_iter()
            .map(|a| {
                let role = page.t(a.role.label_ja(), a.role.label_en());
                let conflict = match (a.role, a.conflict) {
                    (ReviewRole::Expert, None) => {
                        page.t("利害関係の申告待ち", "Declaration pending")
                    }
                    (ReviewRole::Expert, Some(d)) => page.t(d.label_ja(), d.label_en()),
                    (ReviewRole::Reviewer, _) => "",
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
                    outcome_label(&page, d.outcome),
                    d.reasons,
                    view::date_time(page.lang, d.decided_at),
                )
            })
            .collect(),
        designation,
        notices: super::notices::rows(&page, state.store.notices_of(id).await?),
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
    let assigned = match ReviewRole::from_code(&input.role) {
        Some(role) => {
            designation::assign(&state.workflow, &id, &input.account_id, role, &actor(me)).await
        }
        None => Err(ValidationError::new(
            "review.role",
            "審査担当か外部有識者かを選んでください。",
            "Choose reviewer or expert.",
        )
        .for_field("role")
        .into()),
    };
    match assigned {
        Ok(()) => Ok(back(&page, &id)),
        Err(WorkflowError::Invalid(error)) => {
            let view = workspace_page(&state, page, &id, &[error]).await?;
            rendered(StatusCode::BAD_REQUEST, view)
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn save_findings(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ReviewApplications)?;
    let pairs: Vec<(String, String)> = parse(&body)?;
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut findings = Vec::new();
    for rule in koshu_domain::designation::rules() {
        let finding = value(&format!("finding.{}", rule.id));
        if finding.is_empty() {
            continue;
        }
        let Some(finding) = ReviewFinding::from_code(&finding) else {
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
        };
        findings.push(RuleFinding {
            rule_id: rule.id.to_owned(),
            finding,
            comment: value(&format!("comment.{}", rule.id)),
        });
    }
    match designation::record_findings(&state.workflow, &id, &findings, &actor(me)).await {
        Ok(()) => Ok(back(&page, &id)),
        Err(WorkflowError::Invalid(error)) => {
            let view = workspace_page(&state, page, &id, &[error]).await?;
            rendered(StatusCode::BAD_REQUEST, view)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReasonsInput {
    reasons: String,
    seen_status: String,
    /// `yes` once the person has seen the decision restated (issue 13 item 7).
    confirmed: String,
}

/// A decision restated before it is made: one click does not decide an application.
struct Confirmation {
    /// The path under `/ministry/reviews/{id}/` the confirmed form posts to.
    action: &'static str,
    decision: String,
    /// What the decision says, as (term, description).
    facts: Vec<(String, String)>,
    /// The fields sent again when confirmed.
    hidden: Vec<(&'static str, String)>,
    button: String,
    danger: bool,
}

#[derive(Template)]
#[template(path = "review_confirm.html")]
struct ConfirmPage {
    page: PageCtx,
    id: String,
    title: String,
    provider: String,
    version: i64,
    digest: String,
    c: Confirmation,
}

async fn confirm(
    state: &AppState,
    page: PageCtx,
    id: &str,
    c: Confirmation,
) -> Result<Response, AppError> {
    let record = record(state, id).await?;
    let org = state
        .store
        .organisation(&record.organisation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let version = latest_version(state, id).await?;
    rendered(
        StatusCode::OK,
        ConfirmPage {
            page,
            id: id.to_owned(),
            title: record.title,
            provider: org.organisation.name_ja,
            version: version.version,
            digest: version.digest,
            c,
        },
    )
}

fn reasons_of(input: &ReasonsInput) -> Result<&str, AppError> {
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
    Ok(reasons)
}

async fn decide(
    state: &AppState,
    auth: &AuthContext,
    page: &PageCtx,
    id: &str,
    body: &Bytes,
    decision: Decision,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ReviewApplications)?;
    let input: ReasonsInput = parse(body)?;
    let reasons = reasons_of(&input)?;
    if input.confirmed != "yes" {
        let (action, decision, button, danger) = match decision {
            Decision::RequestRevision => (
                "revision",
                page.t("修正を依頼する", "Request a revision"),
                page.t("この内容で修正を依頼する", "Send this request for revision"),
                false,
            ),
            Decision::Reject => (
                "reject",
                page.t("特定講習に指定しない", "Do not designate"),
                page.t("指定しないと決定する", "Decide not to designate"),
                true,
            ),
        };
        let c = Confirmation {
            action,
            decision: decision.to_owned(),
            facts: vec![(
                page.t(
                    "理由（申請者に伝わります）",
                    "Reasons (the applicant reads them)",
                )
                .to_owned(),
                reasons.to_owned(),
            )],
            hidden: vec![
                ("reasons", reasons.to_owned()),
                ("seen_status", input.seen_status.clone()),
            ],
            button: button.to_owned(),
            danger,
        };
        return confirm(state, page.clone(), id, c).await;
    }
    designation::decide(
        &state.workflow,
        id,
        decision,
        reasons,
        seen_status(&input.seen_status),
        &actor(me),
    )
    .await?;
    Ok(back(page, id))
}

pub async fn request_revision(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    decide(&state, &auth, &page, &id, &body, Decision::RequestRevision).await
}

pub async fn reject(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    decide(&state, &auth, &page, &id, &body, Decision::Reject).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DesignateInput {
    designated_on: String,
    reasons: String,
    seen_status: String,
    confirmed: String,
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
    let designated_on = date_field(&input.designated_on, "designated_on")?;
    if input.confirmed != "yes" {
        let period = DesignationPeriod::from_designation_date(designated_on);
        let reasons = match input.reasons.trim() {
            "" => page.t(
                "（記入なし：「募集等要領の要件を満たすため。」と記録されます）",
                "(none: recorded as meeting the guideline's requirements)",
            ),
            given => given,
        };
        let c = Confirmation {
            action: "designate",
            decision: page.t("特定講習に指定する", "Designate as 特定講習").to_owned(),
            facts: vec![
                (page.t("指定日", "Designation date").to_owned(), view::date(page.lang, designated_on)),
                (
                    page.t("対象期間", "Period").to_owned(),
                    view::date_span(page.lang, period.starts_on, period.ends_on),
                ),
                (page.t("指定番号", "Number").to_owned(), page.t("決定の時に、その年度の次の番号が付きます", "The next number of its fiscal year, given when decided").to_owned()),
                (page.t("理由", "Reasons").to_owned(), reasons.to_owned()),
                (
                    page.t("決定とともに行われること", "What the decision also does").to_owned(),
                    page.t("講座提供者への通知メール、指定通知書（PDF）、対象期間の初日からの講座検索への掲載、更新案内と期間満了の予定", "mails the provider, issues the designation letter (PDF), lists the course as designated from the first day of the period, and schedules the renewal reminder and the end of the period").to_owned(),
                ),
            ],
            hidden: vec![
                ("designated_on", input.designated_on.clone()),
                ("reasons", input.reasons.clone()),
                ("seen_status", input.seen_status.clone()),
            ],
            button: page.t("この内容で指定する", "Designate").to_owned(),
            danger: false,
        };
        return confirm(&state, page, &id, c).await;
    }
    designation::designate(
        &state.workflow,
        &id,
        designated_on,
        &input.reasons,
        seen_status(&input.seen_status),
        &actor(me),
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
    seen_status: String,
}

/// C06: revocation by the ministry for one of the reasons of 5-3 (ア)–(オ).
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
    let on = date_field(&input.revoked_on, "revoked_on")?;
    designation::revoke(
        &state.workflow,
        &id,
        reason,
        &input.details,
        on,
        seen_status(&input.seen_status),
        &actor(me),
    )
    .await?;
    Ok(back(&page, &id))
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
            state: match conflict {
                None => page.t("利害関係の申告が必要です", "Declare any conflict first"),
                Some(Declaration::NoConflict) => {
                    page.t("意見を述べられます", "You can give your opinion")
                }
                Some(Declaration::Conflict) => page.t(
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
    /// Who applies, so that the expert can judge a conflict: (name, 法人番号) of the lead
    /// entity and of every consortium member (B35).
    applicants: Vec<(String, String)>,
    version: i64,
    files: applications::VersionFiles,
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
) -> Result<(bool, Option<Declaration>), AppError> {
    let found = state
        .store
        .assignments(id)
        .await?
        .into_iter()
        .find(|a| a.account_id == account_id && a.role == ReviewRole::Expert);
    Ok((found.is_some(), found.and_then(|a| a.conflict)))
}

/// An expert may read an application's submitted versions once assigned and declared free
/// of any conflict (B35); otherwise the policy's refusal.
pub(crate) async fn require_declared_expert(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
) -> Result<(), AppError> {
    let me = auth.require(Action::ManageOwnAccount)?;
    let (assigned, conflict) = expert_state(state, id, &me.account.id).await?;
    auth.require(Action::ExpertReview {
        assigned,
        declared_no_conflict: conflict == Some(Declaration::NoConflict),
    })?;
    Ok(())
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
        let org = state
            .store
            .organisation(&record.organisation_id)
            .await?
            .ok_or(AppError::NotFound)?
            .organisation;
        let applicants = std::iter::once((org.name_ja.clone(), org.corporate_number.to_string()))
            .chain(
                org.consortium_members
                    .iter()
                    .map(|m| (m.name.clone(), m.corporate_number.to_string())),
            )
            .collect();
        return Ok(ExpertPage {
            id: id.to_owned(),
            title: record.title,
            declared: false,
            applicants,
            version: 0,
            files: applications::VersionFiles::default(),
            rows: Vec::new(),
            fields: vec![
                FormField::new(
                    "conflict",
                    page.t("利害関係の申告", "Conflict of interest"),
                    "radio",
                )
                .options(vec![
                    (
                        Declaration::NoConflict.code().to_owned(),
                        page.t(
                            "この申請者との間に利害関係はありません",
                            "I have no conflict of interest with this applicant",
                        )
                        .to_owned(),
                    ),
                    (
                        Declaration::Conflict.code().to_owned(),
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
        declared_no_conflict: conflict == Some(Declaration::NoConflict),
    })?;
    let record = record(state, id).await?;
    let org_id = record.organisation_id.clone();
    let version = latest_version(state, id).await?;
    let (rows, _) = finding_rows(state, &page, id, &org_id, &version).await?;
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
        applicants: Vec::new(),
        version: version.version,
        files: applications::version_files(&page, &version),
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
    let declaration = Declaration::from_code(&input.conflict).ok_or_else(|| {
        ValidationError::new(
            "review.conflict",
            "利害関係の有無を選んでください。",
            "Choose whether you have a conflict of interest.",
        )
        .for_field("conflict")
    })?;
    designation::declare(&state.workflow, &id, &me.account.id, declaration).await?;
    let to = match declaration {
        Declaration::Conflict => "/reviews".to_owned(),
        Declaration::NoConflict => format!("/reviews/{id}"),
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
        declared_no_conflict: conflict == Some(Declaration::NoConflict),
    })?;
    let input: OpinionInput = parse(&body)?;
    match designation::give_opinion(&state.workflow, &id, &me.account.id, &input.opinion).await {
        Ok(()) => Ok(Redirect::to(&page.href(&format!("/reviews/{id}"))).into_response()),
        Err(WorkflowError::Invalid(error)) => {
            let view = expert_page(&state, &auth, page, &id, &[error]).await?;
            rendered(StatusCode::BAD_REQUEST, view)
        }
        Err(other) => Err(other.into()),
    }
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
        let ended = d.end_reason.map(|end| match end {
            DesignationEnd::Abolished => page.t("廃止", "Abolished"),
            DesignationEnd::Revoked(_) => page.t("取消し", "Revoked"),
        });
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

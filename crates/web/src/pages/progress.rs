//! Progress against the standard learning time and the 要フォロー list (issue 16; B11, D04):
//! the staff's progress table and its CSV, the follow-up list (live by server-sent events,
//! and a plain page without JavaScript), recording a follow-up, and the learner's on-demand
//! item page. Each write is one use case of `koshu_workflow::progress`.

use super::delivery::{base, csv_download, organisation, own_session, periodic_events};
use super::forms::parse;
use super::learning::hm_at;
use super::rendered;
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::Event;
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_domain::delivery::{
    ActivityKind, ContactMethod, FollowUpOutcome, ItemMode, ItemProgress, PlanItem, Stall,
    StallReason, StallSubject, effective_curriculum,
};
use koshu_store::delivery::at_micros;
use koshu_workflow::progress::{self, FollowUpInput, Progress};
use serde::Deserialize;

/// How an item is taught, as the tables say: 第1・2コマ, or オンデマンド 6月1日〜6月9日.
fn mode_text(page: &PageCtx, item: &PlanItem) -> String {
    match &item.mode {
        ItemMode::Live { blocks } => {
            let list = blocks
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(page.t("・", ", "));
            format!("{}{list}{}", page.t("第", "Block "), page.t("コマ", ""))
        }
        ItemMode::OnDemand { from, due } => format!(
            "{} {}",
            page.t("オンデマンド", "On demand"),
            view::date_span(page.lang, *from, *due)
        ),
    }
}

/// `45 / 60分（75%）`.
fn minutes_text(page: &PageCtx, p: &ItemProgress) -> String {
    format!(
        "{} / {}{}（{}%）",
        p.achieved_minutes,
        p.standard_minutes,
        page.t("分", " min"),
        p.percent()
    )
}

fn status_text(page: &PageCtx, p: &ItemProgress) -> String {
    page.t(p.status.label_ja(), p.status.label_en()).to_owned()
}

struct ItemHead {
    title: String,
    mode: String,
    standard: String,
}

fn item_heads(page: &PageCtx, curriculum: &[PlanItem]) -> Vec<ItemHead> {
    curriculum
        .iter()
        .map(|i| ItemHead {
            title: i.title.clone(),
            mode: mode_text(page, i),
            standard: format!("{}{}", i.standard_minutes, page.t("分", " min")),
        })
        .collect()
}

fn learner_name(l: &progress::LearnerProgress) -> String {
    l.line
        .learner
        .as_ref()
        .map(|x| x.profile.name.clone())
        .unwrap_or_default()
}

struct ProgressRow {
    name: String,
    cells: Vec<(String, String)>,
    stalled: bool,
}

#[derive(Template)]
#[template(path = "delivery_progress.html")]
struct ProgressPage {
    page: PageCtx,
    title: String,
    base: String,
    at: String,
    items: Vec<ItemHead>,
    rows: Vec<ProgressRow>,
    lrs: LrsSetUp,
}

/// What the provider's LMS is told to send its statements about (issue 20 item 3), and the
/// actors of statements Koshu could not match to a learner of the session.
struct LrsSetUp {
    endpoint: String,
    tokens: String,
    session_iri: String,
    /// On-demand items: title and activity IRI.
    items: Vec<(String, String)>,
    /// Actor, how many statements, when the last came.
    unmatched: Vec<(String, i64, String)>,
}

pub async fn page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    let session = own_session(&state, &org, &session_id).await?;
    let p = progress::progress(&state.workflow, &session_id).await?;
    let rows = p
        .learners
        .iter()
        .map(|l| ProgressRow {
            name: learner_name(l),
            cells: l
                .items
                .iter()
                .map(|i| (minutes_text(&page, i), status_text(&page, i)))
                .collect(),
            stalled: !l.stalls.is_empty(),
        })
        .collect();
    let site = &state.settings.public_url;
    let lrs = LrsSetUp {
        endpoint: format!("{site}/xapi/"),
        tokens: page.href(&format!("/organisations/{}/tokens", org.id)),
        session_iri: koshu_domain::xapi::evidence::session_activity(site, &session_id),
        items: p
            .curriculum
            .iter()
            .filter(|i| matches!(i.mode, ItemMode::OnDemand { .. }))
            .map(|i| {
                (
                    i.title.clone(),
                    koshu_domain::xapi::evidence::item_activity(site, &session_id, i.number),
                )
            })
            .collect(),
        unmatched: state
            .store
            .unmatched_xapi_actors(&session_id)
            .await?
            .into_iter()
            .map(|u| (u.actor, u.statements, view::date_time(page.lang, u.last_at)))
            .collect(),
    };
    rendered(
        StatusCode::OK,
        ProgressPage {
            title: session.title().to_owned(),
            base: base(&org.id, &session_id),
            at: view::date_time(page.lang, p.at),
            items: item_heads(&page, &p.curriculum),
            rows,
            lrs,
            page,
        },
    )
}

pub async fn csv(
    State(state): State<AppState>,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    own_session(&state, &org, &session_id).await?;
    let p = progress::progress(&state.workflow, &session_id).await?;
    let header_row = [
        "氏名",
        "項目番号",
        "項目",
        "標準学習時間（分）",
        "学習時間（分）",
        "この時点の標準（分）",
        "状態",
    ];
    let rows: Vec<Vec<String>> = p
        .learners
        .iter()
        .flat_map(|l| {
            p.curriculum.iter().zip(&l.items).map(move |(item, i)| {
                vec![
                    learner_name(l),
                    item.number.to_string(),
                    item.title.clone(),
                    i.standard_minutes.to_string(),
                    i.achieved_minutes.to_string(),
                    i.expected_minutes.to_string(),
                    i.status.label_ja().to_owned(),
                ]
            })
        })
        .collect();
    Ok(csv_download(
        &format!("progress-{session_id}.csv"),
        &header_row,
        &rows,
    ))
}

// The 要フォロー list.

struct StallView {
    account: String,
    name: String,
    subject: String,
    subject_code: String,
    since: String,
    since_us: i64,
    reason: String,
    /// Unique within the page, for the form's ids.
    key: String,
}

fn stall_view(page: &PageCtx, p: &Progress, l: &progress::LearnerProgress, s: &Stall) -> StallView {
    let last = match s.reason {
        StallReason::Idle {
            last_activity: Some(at),
        } => format!(
            "（{} {}）",
            page.t("最後の記録", "last recorded"),
            hm_at(at)
        ),
        _ => String::new(),
    };
    let account = l.line.enrolment.account_id.clone();
    StallView {
        key: format!("{account}-{}", s.subject.code().replace(':', "-")),
        name: learner_name(l),
        subject: p.subject_title(s.subject),
        subject_code: s.subject.code(),
        since: view::date_time(page.lang, s.since),
        since_us: koshu_store::delivery::micros(s.since),
        reason: format!("{}{last}", page.t(&s.reason_ja(), &s.reason_en())),
        account,
    }
}

struct FollowUpView {
    name: String,
    subject: String,
    method: String,
    outcome: String,
    note: String,
    at: String,
}

#[derive(Template)]
#[template(path = "follow_up_list.html")]
struct FollowUpList {
    page: PageCtx,
    base: String,
    stalls: Vec<StallView>,
    can_run: bool,
    methods: Vec<(&'static str, String)>,
    outcomes: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "delivery_follow_up.html")]
struct FollowUpPage {
    page: PageCtx,
    title: String,
    base: String,
    at: String,
    count: usize,
    /// The list as the events stream sends it, rendered by its own template.
    list_html: String,
    history: Vec<FollowUpView>,
    notice: Option<String>,
    intro: String,
}

fn follow_up_list(page: &PageCtx, base: String, p: &Progress, can_run: bool) -> FollowUpList {
    FollowUpList {
        stalls: p
            .needing_follow_up()
            .into_iter()
            .map(|(l, s)| stall_view(page, p, l, s))
            .collect(),
        methods: ContactMethod::ALL
            .iter()
            .map(|m| (m.code(), page.t(m.label_ja(), m.label_en()).to_owned()))
            .collect(),
        outcomes: FollowUpOutcome::ALL
            .iter()
            .map(|o| (o.code(), page.t(o.label_ja(), o.label_en()).to_owned()))
            .collect(),
        page: page.clone(),
        base,
        can_run,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

pub async fn follow_up(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    let session = own_session(&state, &org, &session_id).await?;
    let p = progress::progress(&state.workflow, &session_id).await?;
    let can_run = auth.require(Action::RunDelivery(&org.id)).is_ok();
    let b = base(&org.id, &session_id);
    let mut history: Vec<FollowUpView> = p
        .learners
        .iter()
        .flat_map(|l| {
            l.follow_ups.iter().map(|f| FollowUpView {
                name: learner_name(l),
                subject: p.subject_title(f.subject),
                method: page.t(f.method.label_ja(), f.method.label_en()).to_owned(),
                outcome: page
                    .t(f.outcome.label_ja(), f.outcome.label_en())
                    .to_owned(),
                note: f.note.clone().unwrap_or_default(),
                at: view::date_time(page.lang, f.recorded_at),
            })
        })
        .collect();
    history.reverse();
    let pace = p.roster.delivery.plan.pace;
    let list = follow_up_list(&page, b.clone(), &p, can_run);
    rendered(
        StatusCode::OK,
        FollowUpPage {
            title: session.title().to_owned(),
            at: view::date_time(page.lang, p.at),
            count: list.stalls.len(),
            list_html: list.render().map_err(AppError::internal)?,
            base: b,
            history,
            notice: (q.done == "recorded").then(|| {
                page.t(
                    "フォローを記録しました。一覧から外れました。",
                    "The follow-up is recorded; the learner has left the list.",
                )
                .to_owned()
            }),
            intro: match page.lang {
                crate::lang::Lang::Ja => format!(
                    "実施中のコマで{}分間記録が途絶えた受講者、オンデマンドの項目で標準学習時間から{}%以上遅れた受講者を挙げます。フォローを記録すると一覧から外れ、記録は証跡として残ります。",
                    pace.idle_minutes, pace.behind_percent
                ),
                crate::lang::Lang::En => format!(
                    "Listed: learners with nothing recorded for {} minutes in a block under way, and learners behind the standard time by {}% or more on demand. Recording a follow-up takes them off the list; the record is kept as evidence.",
                    pace.idle_minutes, pace.behind_percent
                ),
            },
            page,
        },
    )
}

/// Server-sent events for the 要フォロー list: the list as HTML, and how many are on it,
/// every 15 seconds, so that a stall shows within a minute.
pub async fn follow_up_events(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    own_session(&state, &org, &session_id).await?;
    let can_run = auth.require(Action::RunDelivery(&org.id)).is_ok();
    let b = base(&org.id, &session_id);
    Ok(periodic_events(15, move || {
        let (state, page, session_id, b) =
            (state.clone(), page.clone(), session_id.clone(), b.clone());
        async move {
            let p = match progress::progress(&state.workflow, &session_id).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(error = %e, "follow-up events: progress not read");
                    return None;
                }
            };
            let list = follow_up_list(&page, b, &p, can_run);
            let count = list.stalls.len();
            let html = match list.render() {
                Ok(h) => h,
                Err(e) => {
                    tracing::warn!(error = %e, "follow-up events: list not rendered");
                    return None;
                }
            };
            Some(
                Event::default()
                    .event("follow-up")
                    .data(serde_json::json!({ "count": count, "html": html }).to_string()),
            )
        }
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowUpForm {
    account: String,
    subject: String,
    since: String,
    method: String,
    outcome: String,
    note: String,
}

fn choose(field: &str, ja: &str, en: &str) -> AppError {
    AppError::Invalid(ValidationError::new("follow_up.choose", ja, en).for_field(field))
}

pub async fn record_follow_up(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor) = organisation(&state, &auth, &id, true).await?;
    own_session(&state, &org, &session_id).await?;
    let form: FollowUpForm = parse(&body)?;
    let subject = StallSubject::from_code(&form.subject).ok_or_else(|| {
        choose(
            "subject",
            "フォローする対象を要フォロー一覧から選んでください。",
            "Please choose what to follow up from the list.",
        )
    })?;
    let since = form
        .since
        .trim()
        .parse::<i64>()
        .map(at_micros)
        .map_err(|_| {
            choose(
                "since",
                "フォローする対象を要フォロー一覧から選んでください。",
                "Please choose what to follow up from the list.",
            )
        })?;
    let method = ContactMethod::from_code(&form.method).ok_or_else(|| {
        choose(
            "method",
            "連絡の方法を選んでください。",
            "Please choose how you contacted the learner.",
        )
    })?;
    let outcome = FollowUpOutcome::from_code(&form.outcome).ok_or_else(|| {
        choose(
            "outcome",
            "結果を選んでください。",
            "Please choose what came of it.",
        )
    })?;
    progress::record_follow_up(
        &state.workflow,
        &session_id,
        &FollowUpInput {
            account_id: &form.account,
            subject,
            stalled_since: since,
            method,
            outcome,
            note: &form.note,
        },
        &actor,
    )
    .await?;
    Ok(Redirect::to(&page.href(&format!(
        "{}/follow-up?done=recorded",
        base(&org.id, &session_id)
    )))
    .into_response())
}

// The learner's on-demand item.

#[derive(Template)]
#[template(path = "learning_item.html")]
struct ItemPage {
    page: PageCtx,
    enrolment: String,
    number: u32,
    course: String,
    title: String,
    mode: String,
    material: Option<String>,
    progress: String,
    status: String,
    done: bool,
    notice: Option<String>,
}

/// The learner's own enrolment and its on-demand item, or why not.
async fn own_item(
    state: &AppState,
    auth: &AuthContext,
    enrolment_id: &str,
    item_text: &str,
) -> Result<(koshu_store::delivery::Enrolment, String, PlanItem), AppError> {
    let me = auth.require(Action::Learn)?;
    let e = state
        .store
        .enrolment(enrolment_id)
        .await?
        .filter(|e| e.account_id == me.account.id)
        .ok_or(AppError::NotFound)?;
    let d = state
        .store
        .delivery(&e.session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let number = item_text.parse::<u32>().map_err(|_| AppError::NotFound)?;
    let curriculum = effective_curriculum(&d.plan.curriculum, &d.plan.timetable);
    let item = progress::on_demand_item(&curriculum, number, state.clock.now())?.clone();
    Ok((e, me.account.id.clone(), item))
}

pub async fn item(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((enrolment_id, item_no)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let (e, account, item) = own_item(&state, &auth, &enrolment_id, &item_no).await?;
    let session =
        koshu_workflow::delivery::catalogue_session(&state.workflow, &e.session_id).await?;
    let p = progress::progress(&state.workflow, &e.session_id).await?;
    let mine = p
        .learners
        .iter()
        .find(|l| l.line.enrolment.account_id == account)
        .and_then(|l| {
            p.curriculum
                .iter()
                .zip(&l.items)
                .find(|(i, _)| i.number == item.number)
                .map(|(_, x)| *x)
        })
        .ok_or(AppError::NotFound)?;
    rendered(
        StatusCode::OK,
        ItemPage {
            enrolment: e.id.clone(),
            number: item.number,
            course: session.title().to_owned(),
            mode: mode_text(&page, &item),
            material: item.material.clone(),
            progress: minutes_text(&page, &mine),
            status: status_text(&page, &mine),
            done: mine.status == koshu_domain::delivery::ItemStatus::Done,
            title: item.title,
            notice: match q.done.as_str() {
                "start" => Some(page.t("開始を記録しました。", "Your start is recorded.")),
                "finish" => Some(page.t("完了を記録しました。", "Marked as done.")),
                _ => None,
            }
            .map(str::to_owned),
            page,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActivityForm {
    kind: String,
}

/// The item page's start and finish buttons (a redirect back), and its script's beats of use
/// (204).
pub async fn record_activity(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((enrolment_id, item_no)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (e, account, item) = own_item(&state, &auth, &enrolment_id, &item_no).await?;
    let form: ActivityForm = parse(&body)?;
    let kind = ActivityKind::from_code(&form.kind).ok_or_else(|| {
        choose(
            "kind",
            "開始か完了のボタンを押してください。",
            "Please press start or done.",
        )
    })?;
    progress::record_activity(&state.workflow, &e.id, &account, item.number, kind).await?;
    if kind == ActivityKind::Active {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(Redirect::to(&page.href(&format!(
        "/learning/{}/items/{}?done={}",
        e.id,
        item.number,
        kind.code()
    )))
    .into_response())
}

/// The learner's progress per item, for their enrolment page.
pub(crate) struct LearnerItem {
    pub title: String,
    pub mode: String,
    pub progress: String,
    pub status: String,
    /// The item page, for items on demand that are open.
    pub href: Option<String>,
}

pub(crate) async fn learner_items(
    state: &AppState,
    page: &PageCtx,
    enrolment_id: &str,
    roster: koshu_workflow::delivery::Roster,
    account_id: &str,
) -> Result<Vec<LearnerItem>, AppError> {
    let p = progress::progress_of(&state.workflow, roster).await?;
    let now = state.clock.now();
    let Some(mine) = p
        .learners
        .iter()
        .find(|l| l.line.enrolment.account_id == account_id)
    else {
        return Ok(Vec::new());
    };
    Ok(p.curriculum
        .iter()
        .zip(&mine.items)
        .map(|(item, x)| LearnerItem {
            title: item.title.clone(),
            mode: mode_text(page, item),
            progress: minutes_text(page, x),
            status: status_text(page, x),
            href: progress::on_demand_item(&p.curriculum, item.number, now)
                .ok()
                .map(|_| page.href(&format!("/learning/{enrolment_id}/items/{}", item.number))),
        })
        .collect())
}

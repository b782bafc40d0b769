//! The provider's side of delivery (issue 15; D01-D03, B19, B30, B32): setting a session up
//! (timetable, room, capacity, window, fee, audience, thresholds), the roster with its
//! exports, the identity check at the start, the venue's rotating code, the live attendance
//! page, meeting-tool reports, and sealing a day. Staff see only their own organisation's
//! sessions; every write is one use case of `koshu_workflow::delivery`.

use super::forms::{FormField, FormPage, parse};
use super::learning::{hm_at, presence_label, verdict_label};
use super::listings::owned;
use super::rendered;
use crate::AppState;
use crate::api::export::{CSV_TYPE, csv_record};
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_domain::delivery::{
    Audience, CancelledBy, DeliveryPlan, EnrolmentStatus, Pace, Thresholds, curriculum_text,
    d01_capacity_is_positive, d01_timetable_is_not_empty, parse_curriculum, parse_timetable,
    rotating_code, timetable_text,
};
use koshu_domain::types::{Yen, parse_date};
use koshu_store::organisations::OrganisationRecord;
use koshu_workflow::delivery::{self as delivery, CatalogueSession, IdentityMethod, RissResult};
use koshu_workflow::{JST, account_actor};
use serde::Deserialize;

/// The organisation, once staff may see (or, with `run`, act on) its deliveries.
pub(crate) async fn organisation(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
    run: bool,
) -> Result<(OrganisationRecord, String), AppError> {
    let me = auth.require(if run {
        Action::RunDelivery(id)
    } else {
        Action::ViewDelivery(id)
    })?;
    let actor = account_actor(&me.account.id);
    let org = state
        .store
        .organisation(id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((org, actor))
}

/// A published session of one of the organisation's programmes, or 404: another provider's
/// session is not found here.
pub(crate) async fn own_session(
    state: &AppState,
    org: &OrganisationRecord,
    session_id: &str,
) -> Result<CatalogueSession, AppError> {
    let session = delivery::catalogue_session(&state.workflow, session_id).await?;
    owned(state, org, session.programme.programme.id.as_str()).await?;
    Ok(session)
}

pub(crate) fn base(org: &str, session: &str) -> String {
    format!("/organisations/{org}/sessions/{session}")
}

/// When a block is, as its tables say: 2026年6月10日（水） 10:00〜12:00.
pub(crate) fn block_when(page: &PageCtx, b: &koshu_domain::delivery::Block) -> String {
    format!(
        "{} {:02}:{:02}〜{:02}:{:02}",
        view::date(page.lang, b.day),
        b.starts_at.hour(),
        b.starts_at.minute(),
        b.ends_at.hour(),
        b.ends_at.minute()
    )
}

/// Each block's number and when it is, for the pages' tables and choices.
fn block_labels(page: &PageCtx, timetable: &[koshu_domain::delivery::Block]) -> Vec<(u32, String)> {
    timetable
        .iter()
        .map(|b| (b.number, block_when(page, b)))
        .collect()
}

/// The block a form names, or the rule it breaks.
pub(crate) fn block_number(text: &str) -> Result<u32, AppError> {
    text.trim()
        .parse::<u32>()
        .map_err(|_| AppError::Invalid(delivery::no_such_block()))
}

// The list of the organisation's sessions.

struct SessionRow {
    title: String,
    dates: String,
    plan_href: String,
    roster_href: Option<String>,
    seats: String,
}

#[derive(Template)]
#[template(path = "deliveries.html")]
struct DeliveriesPage {
    page: PageCtx,
    org_name: String,
    org_href: String,
    rows: Vec<SessionRow>,
}

pub async fn list(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    let mut programmes = Vec::new();
    for l in state.store.listings_of(&org.id).await? {
        if let Some(p) = state.store.programme(l.item.programme.id.as_str()).await? {
            programmes.push(p);
        }
    }
    let provider = koshu_domain::designation::publish::provider_slug(&org.organisation)?;
    for pid in state.store.programme_ids_of(provider.as_str()).await? {
        if let Some(p) = state.store.programme(&pid).await?
            && p.programme.designation.is_some()
            && !programmes.iter().any(|q| q.programme.id == p.programme.id)
        {
            programmes.push(p);
        }
    }
    let mut rows = Vec::new();
    for p in &programmes {
        for s in p.sessions.iter().filter(|s| !s.cancelled) {
            let d = state.store.delivery(s.id.as_str()).await?;
            let b = base(&org.id, s.id.as_str());
            let seats = match &d {
                Some(d) => {
                    let held = state
                        .store
                        .enrolments_of_session(s.id.as_str())
                        .await?
                        .iter()
                        .filter(|e| e.status.holds_seat())
                        .count();
                    format!("{held} / {}", d.plan.capacity)
                }
                None => page.t("未設定", "Not set up").to_owned(),
            };
            rows.push(SessionRow {
                title: p.programme.title_ja.clone(),
                dates: view::date_span(page.lang, s.starts_on, s.ends_on),
                plan_href: page.href(&format!("{b}/delivery")),
                roster_href: d.map(|_| page.href(&format!("{b}/roster"))),
                seats,
            });
        }
    }
    rendered(
        StatusCode::OK,
        DeliveriesPage {
            org_name: org.organisation.name_ja.clone(),
            org_href: page.href(&format!("/organisations/{}", org.id)),
            page,
            rows,
        },
    )
}

// The plan.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PlanForm {
    timetable: String,
    venue: String,
    online_room: String,
    capacity: String,
    opens_on: String,
    closes_on: String,
    fee: String,
    audience: String,
    gap_minutes: String,
    late_grace_minutes: String,
    early_leave_grace_minutes: String,
    min_presence_percent: String,
    offer_hours: String,
    curriculum: String,
    idle_minutes: String,
    behind_percent: String,
    revision: String,
}

impl PlanForm {
    fn of(plan: &DeliveryPlan, revision: i64) -> Self {
        let t = &plan.thresholds;
        Self {
            timetable: timetable_text(&plan.timetable),
            venue: plan.venue.clone().unwrap_or_default(),
            online_room: plan.online_room.clone().unwrap_or_default(),
            capacity: plan.capacity.to_string(),
            opens_on: plan.opens_at.to_offset(JST).date().to_string(),
            closes_on: plan.closes_at.to_offset(JST).date().to_string(),
            fee: plan.fee.amount().to_string(),
            audience: plan.audience.code().to_owned(),
            gap_minutes: t.gap_minutes.to_string(),
            late_grace_minutes: t.late_grace_minutes.to_string(),
            early_leave_grace_minutes: t.early_leave_grace_minutes.to_string(),
            min_presence_percent: t.min_presence_percent.to_string(),
            offer_hours: plan.offer_hours.to_string(),
            curriculum: curriculum_text(&plan.curriculum),
            idle_minutes: plan.pace.idle_minutes.to_string(),
            behind_percent: plan.pace.behind_percent.to_string(),
            revision: revision.to_string(),
        }
    }

    /// A new plan starts from the catalogue's session: its venue and capacity, applications
    /// open from today until its deadline (or the day before it starts).
    fn new_for(session: &CatalogueSession, today: time::Date) -> Self {
        let s = &session.session;
        let t = Thresholds::default();
        Self {
            venue: s.venue.clone().unwrap_or_default(),
            capacity: s.capacity.map(|c| c.to_string()).unwrap_or_default(),
            opens_on: today.to_string(),
            closes_on: s
                .application_deadline
                .or_else(|| s.starts_on.previous_day())
                .map(|d| d.to_string())
                .unwrap_or_default(),
            audience: Audience::Public.code().to_owned(),
            gap_minutes: t.gap_minutes.to_string(),
            late_grace_minutes: t.late_grace_minutes.to_string(),
            early_leave_grace_minutes: t.early_leave_grace_minutes.to_string(),
            min_presence_percent: t.min_presence_percent.to_string(),
            offer_hours: koshu_domain::delivery::DEFAULT_OFFER_HOURS.to_string(),
            idle_minutes: Pace::default().idle_minutes.to_string(),
            behind_percent: Pace::default().behind_percent.to_string(),
            revision: "0".to_owned(),
            ..Self::default()
        }
    }

    /// The plan, or each field's problem.
    fn plan(&self) -> Result<DeliveryPlan, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut number = |field: &str, text: &str| -> u32 {
            match text.trim().parse::<u32>() {
                Ok(n) => n,
                Err(_) => {
                    errors.push(
                        ValidationError::new(
                            "number.format",
                            "0以上の整数で入力してください。",
                            "Enter a whole number, 0 or more.",
                        )
                        .for_field(field),
                    );
                    0
                }
            }
        };
        let capacity = number("capacity", &self.capacity);
        let thresholds = Thresholds {
            gap_minutes: number("gap_minutes", &self.gap_minutes),
            late_grace_minutes: number("late_grace_minutes", &self.late_grace_minutes),
            early_leave_grace_minutes: number(
                "early_leave_grace_minutes",
                &self.early_leave_grace_minutes,
            ),
            min_presence_percent: number("min_presence_percent", &self.min_presence_percent),
        };
        let offer_hours = number("offer_hours", &self.offer_hours);
        // Left empty, the pace is the default one (a plan saved before issue 16 has none).
        let default = Pace::default();
        let pace = Pace {
            idle_minutes: match self.idle_minutes.trim() {
                "" => default.idle_minutes,
                text => number("idle_minutes", text),
            },
            behind_percent: match self.behind_percent.trim() {
                "" => default.behind_percent,
                text => number("behind_percent", text),
            },
        };
        let curriculum = parse_curriculum(&self.curriculum).unwrap_or_else(|e| {
            errors.push(e);
            Vec::new()
        });
        let timetable = parse_timetable(&self.timetable).unwrap_or_else(|e| {
            errors.push(e);
            Vec::new()
        });
        // Said with the other fields' problems, not in a second round after them.
        if let Err(e) = d01_capacity_is_positive(capacity) {
            errors.push(e.for_field("capacity"));
        }
        if !errors
            .iter()
            .any(|e| e.field.as_deref() == Some("timetable"))
            && let Err(e) = d01_timetable_is_not_empty(&timetable)
        {
            errors.push(e.for_field("timetable"));
        }
        let mut day = |field: &str, text: &str| {
            parse_date(text)
                .map_err(|e| errors.push(e.for_field(field)))
                .ok()
        };
        let opens = day("opens_on", &self.opens_on);
        let closes = day("closes_on", &self.closes_on);
        let fee = Yen::parse(&self.fee).unwrap_or_else(|e| {
            errors.push(e.for_field("fee"));
            Yen::ZERO
        });
        let audience = Audience::from_code(&self.audience).unwrap_or_else(|| {
            errors.push(
                ValidationError::new(
                    "audience.choose",
                    "申込みできる人を選んでください。",
                    "Choose who may apply.",
                )
                .for_field("audience"),
            );
            Audience::Public
        });
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        match (opens, closes) {
            (Some(o), Some(c)) if errors.is_empty() => Ok(DeliveryPlan {
                timetable,
                venue: text(&self.venue),
                online_room: text(&self.online_room),
                capacity,
                opens_at: o.midnight().assume_offset(JST),
                // Open to the end of the day named.
                closes_at: c.midnight().assume_offset(JST) + time::Duration::days(1)
                    - time::Duration::seconds(1),
                fee,
                audience,
                thresholds,
                offer_hours,
                curriculum,
                pace,
            }),
            _ => Err(errors),
        }
    }
}

/// The domain names the window and thresholds by the plan's fields; the form's are these.
fn form_field(e: ValidationError) -> ValidationError {
    let field = match e.field.as_deref() {
        Some("opens_at") => "opens_on",
        Some("closes_at") => "closes_on",
        Some("thresholds") => "gap_minutes",
        _ => return e,
    };
    e.for_field(field)
}

fn plan_page(
    page: PageCtx,
    org: &OrganisationRecord,
    session: &CatalogueSession,
    form: &PlanForm,
    errors: &[ValidationError],
) -> FormPage {
    let s = &session.session;
    let b = base(&org.id, s.id.as_str());
    let mut f = FormPage::new(
        page.clone(),
        &format!(
            "{}：{} {}",
            page.t("開催回の実施設定", "Delivering a session"),
            session.title(),
            view::date_span(page.lang, s.starts_on, s.ends_on)
        ),
        &format!("{b}/delivery"),
        page.t("保存する", "Save"),
    );
    f.intro.push(
        page.t(
            "時間割、会場またはオンラインの参加先、定員、申込期間、受講料を設定すると、この回の申込みを受け付けます。特定講習は、社外の方も申し込めるようにする必要があります（B32）。",
            "Once the timetable, venue or online room, capacity, application window and fee are set, the session takes applications. A 特定講習 must be open to people outside the provider (B32).",
        )
        .to_owned(),
    );
    let n = |name: &str, label: &str, value: &str, hint: &str| {
        FormField::new(name, label, "number")
            .value(value)
            .hint(hint)
    };
    f.fields = vec![
        FormField::new("timetable", page.t("時間割", "Timetable"), "textarea")
            .value(&form.timetable)
            .hint(page.t(
                "1行に1コマ：日付 開始-終了 内容（例：2026-06-10 10:00-12:00 インシデント対応の基礎）。出欠はコマごとに記録します。",
                "One block a line: date start-end content (for example 2026-06-10 10:00-12:00 Incident response basics). Attendance is taken per block.",
            )),
        FormField::new("venue", page.t("会場", "Venue"), "text")
            .value(&form.venue)
            .optional()
            .hint(page.t("会場で実施する場合（住所、部屋）", "For sessions at a venue: address and room")),
        FormField::new("online_room", page.t("オンラインの参加先（URL）", "Online room (URL)"), "url")
            .value(&form.online_room)
            .optional()
            .hint(page.t(
                "オンラインで実施する場合。受講が確定した方にだけ表示します。",
                "For online sessions; shown only to learners with a confirmed place.",
            )),
        n("capacity", page.t("定員", "Capacity"), &form.capacity, ""),
        FormField::new("opens_on", page.t("申込開始日", "Applications open"), "date").value(&form.opens_on),
        FormField::new("closes_on", page.t("申込締切日", "Applications close"), "date")
            .value(&form.closes_on)
            .hint(page.t("この日の終わりまで受け付けます。", "Open until the end of this day.")),
        FormField::new("fee", page.t("受講料（税込）", "Fee (tax included)"), "text")
            .value(&form.fee)
            .hint(page.t("例：77,000（無料なら 0）", "For example 77,000 (0 if free)")),
        FormField::new("audience", page.t("申込みできる人", "Who may apply"), "radio")
            .value(&form.audience)
            .options(
                Audience::ALL
                    .iter()
                    .map(|a| (a.code().to_owned(), page.t(a.label_ja(), a.label_en()).to_owned()))
                    .collect(),
            ),
        n(
            "gap_minutes",
            page.t("離席とみなす間隔（分）", "Minutes without presence that count as leaving"),
            &form.gap_minutes,
            page.t(
                "オンラインの在席記録（30秒ごと）がこの時間途切れると離席として記録します（1〜60）。",
                "When a remote learner's presence (recorded every 30 s) stops for this long, it counts as leaving (1-60).",
            ),
        )
        .heading(page.t("出席の基準（受講者に公開します）", "Attendance rules (published to learners)")),
        n("late_grace_minutes", page.t("遅刻とみなさない時間（分）", "Minutes late that still count as on time"), &form.late_grace_minutes, ""),
        n("early_leave_grace_minutes", page.t("早退とみなさない時間（分）", "Minutes early that still count as staying"), &form.early_leave_grace_minutes, ""),
        n("min_presence_percent", page.t("出席に必要な在席の割合（%）", "Share of the block one must be present (%)"), &form.min_presence_percent, ""),
        n(
            "offer_hours",
            page.t("繰り上げの確認期限（時間）", "Hours to confirm a seat offered from the waiting list"),
            &form.offer_hours,
            page.t(
                "期限までに確定がなければ次の方に回します。開始の直前は確認なしで繰り上げます。",
                "Unconfirmed by then, the seat goes to the next in line; just before the start, seats are given without asking.",
            ),
        ),
        FormField::new("curriculum", page.t("カリキュラム（標準学習時間）", "Curriculum (standard learning time)"), "textarea")
            .value(&form.curriculum)
            .optional()
            .heading(page.t("進捗と停滞の検知（B11）", "Progress and stalled learners (B11)"))
            .hint(page.t(
                "1行に1項目：標準学習時間（分） コマ番号 題目（例：90 1,2 インシデント対応演習）。オンデマンドの項目はコマ番号の代わりに期間と、教材のURLを最後に（例：60 2026-06-01〜2026-06-09 事前学習 https://lms.example.jp/c/1）。空欄なら、時間割の各コマを1項目として進捗を測ります。",
                "One item a line: standard minutes, block numbers, title (for example 90 1,2 Incident response exercise). An on-demand item gives its period instead of blocks, and its material's address last (for example 60 2026-06-01~2026-06-09 Preparation https://lms.example.jp/c/1). Left empty, each block of the timetable is one item.",
            )),
        n(
            "idle_minutes",
            page.t("停滞とみなす無操作の時間（分）", "Minutes without activity that count as stalled"),
            &form.idle_minutes,
            page.t(
                "実施中のコマで、この時間、在席・入室の記録がない受講者を要フォローに挙げます（1〜120）。",
                "In a block under way, a learner with no presence recorded for this long is listed for follow-up (1-120).",
            ),
        )
        .optional(),
        n(
            "behind_percent",
            page.t("遅れとみなす割合（%）", "Share behind the standard time that counts as stalled (%)"),
            &form.behind_percent,
            page.t(
                "オンデマンドの項目で、期間の経過に対する標準学習時間から、この割合以上遅れた受講者を要フォローに挙げます（1〜100）。",
                "On demand, a learner behind the time the period so far expects by this share of the standard time is listed for follow-up (1-100).",
            ),
        )
        .optional(),
        FormField::new("revision", "", "hidden").value(&form.revision).optional(),
    ];
    f.links.push((
        page.t("開催回の一覧へ", "All sessions").to_owned(),
        page.href(&format!("/organisations/{}/deliveries", org.id)),
    ));
    if form.revision != "0" {
        f.links.push((
            page.t("受講者名簿へ", "Roster").to_owned(),
            page.href(&format!("{b}/roster")),
        ));
    }
    let errors: Vec<ValidationError> = errors.iter().cloned().map(form_field).collect();
    f.with_errors(&errors)
}

pub async fn plan_form(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, true).await?;
    let session = own_session(&state, &org, &session_id).await?;
    let form = match state.store.delivery(&session_id).await? {
        Some(d) => PlanForm::of(&d.plan, d.revision),
        None => PlanForm::new_for(&session, view::today(&state)),
    };
    rendered(StatusCode::OK, plan_page(page, &org, &session, &form, &[]))
}

pub async fn save_plan(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor) = organisation(&state, &auth, &id, true).await?;
    let session = own_session(&state, &org, &session_id).await?;
    let form: PlanForm = parse(&body)?;
    let revision = form.revision.trim().parse::<i64>().unwrap_or(0);
    let saved = match form.plan() {
        Ok(plan) => {
            delivery::save_plan(&state.workflow, &org.id, &session, plan, revision, &actor).await?
        }
        Err(errors) => Err(errors),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(
            &page.href(&format!("{}/roster?done=saved", base(&org.id, &session_id))),
        )
        .into_response()),
        Err(errors) => rendered(
            StatusCode::UNPROCESSABLE_ENTITY,
            plan_page(page, &org, &session, &form, &errors),
        ),
    }
}

// The roster.

struct RosterRow {
    enrolment: String,
    queue_no: i64,
    name: String,
    kana: String,
    email: String,
    riss: String,
    status: String,
    applied: String,
    may_cancel: bool,
}

#[derive(Template)]
#[template(path = "delivery_roster.html")]
struct RosterPage {
    page: PageCtx,
    title: String,
    dates: String,
    base: String,
    org_href: String,
    org_name: String,
    rows: Vec<RosterRow>,
    held: usize,
    capacity: u32,
    waiting: usize,
    can_run: bool,
    blocks: Vec<(u32, String)>,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
    day: String,
}

fn done_notice(page: &PageCtx, done: &str) -> Option<String> {
    Some(
        match done {
            "saved" => page.t("実施設定を保存しました。", "The delivery is saved."),
            "cancelled" => page.t(
                "申込みを取り消しました。キャンセル待ちの方がいれば繰り上げました。",
                "The application is cancelled; the waiting list moved up.",
            ),
            "checked" => page.t(
                "本人確認を記録しました。",
                "The identity check is recorded.",
            ),
            "marked" => page.t("出欠を記録しました。", "Attendance is recorded."),
            "sealed" => page.t(
                "この日の出欠を確定（封印）しました。",
                "The day's attendance is sealed.",
            ),
            "imported" => page.t("参加レポートを取り込みました。", "The report is imported."),
            "matched" => page.t("受講者に対応付けました。", "The row is matched."),
            _ => return None,
        }
        .to_owned(),
    )
}

pub(crate) fn riss_text(l: Option<&koshu_store::delivery::Learner>) -> String {
    l.and_then(|l| l.profile.riss.as_ref())
        .map(|r| r.number.to_string())
        .unwrap_or_default()
}

pub async fn roster(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    let session = own_session(&state, &org, &session_id).await?;
    let d = state
        .store
        .delivery(&session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let learners = state.store.learners_of_session(&session_id).await?;
    let enrolments = state.store.enrolments_of_session(&session_id).await?;
    let rows: Vec<RosterRow> = enrolments
        .iter()
        .map(|e| {
            let l = learners.iter().find(|l| l.account_id == e.account_id);
            RosterRow {
                enrolment: e.id.clone(),
                queue_no: e.queue_no,
                name: l.map(|l| l.profile.name.clone()).unwrap_or_default(),
                kana: l.map(|l| l.profile.name_kana.clone()).unwrap_or_default(),
                email: l.map(|l| l.email.clone()).unwrap_or_default(),
                riss: riss_text(l),
                status: page.t(e.status.label_ja(), e.status.label_en()).to_owned(),
                applied: view::date_time(page.lang, e.created_at),
                may_cancel: matches!(
                    e.status,
                    EnrolmentStatus::Enrolled | EnrolmentStatus::Waiting | EnrolmentStatus::Offered
                ),
            }
        })
        .collect();
    let can_run = auth.require(Action::RunDelivery(&org.id)).is_ok();
    rendered(
        StatusCode::OK,
        RosterPage {
            title: session.title().to_owned(),
            dates: view::date_span(
                page.lang,
                session.session.starts_on,
                session.session.ends_on,
            ),
            base: base(&org.id, &session_id),
            org_href: page.href(&format!("/organisations/{}/deliveries", org.id)),
            org_name: org.organisation.name_ja.clone(),
            held: enrolments.iter().filter(|e| e.status.holds_seat()).count(),
            waiting: enrolments
                .iter()
                .filter(|e| e.status == EnrolmentStatus::Waiting)
                .count(),
            capacity: d.plan.capacity,
            blocks: block_labels(&page, &d.plan.timetable),
            notice: done_notice(&page, &q.done),
            can_run,
            rows,
            page,
        },
    )
}

/// The roster as a table: header and rows, as the CSV and the workbook carry it.
async fn roster_table(
    state: &AppState,
    session_id: &str,
) -> Result<(Vec<&'static str>, Vec<Vec<String>>), AppError> {
    let learners = state.store.learners_of_session(session_id).await?;
    let rows = state
        .store
        .enrolments_of_session(session_id)
        .await?
        .iter()
        .map(|e| {
            let l = learners.iter().find(|l| l.account_id == e.account_id);
            vec![
                e.queue_no.to_string(),
                l.map(|l| l.profile.name.clone()).unwrap_or_default(),
                l.map(|l| l.profile.name_kana.clone()).unwrap_or_default(),
                l.map(|l| l.email.clone()).unwrap_or_default(),
                l.and_then(|l| l.profile.riss.as_ref())
                    .map(|r| r.number.digits().to_owned())
                    .unwrap_or_default(),
                l.and_then(|l| l.profile.riss.as_ref())
                    .map(|r| r.registered_on.to_string())
                    .unwrap_or_default(),
                e.status.label_ja().to_owned(),
                view::date_time(crate::lang::Lang::Ja, e.created_at),
            ]
        })
        .collect();
    Ok((
        vec![
            "申込順",
            "氏名",
            "氏名（カナ）",
            "メールアドレス",
            "登録番号",
            "登録日",
            "状態",
            "申込日時",
        ],
        rows,
    ))
}

pub async fn roster_csv(
    State(state): State<AppState>,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    own_session(&state, &org, &session_id).await?;
    let (header_row, rows) = roster_table(&state, &session_id).await?;
    Ok(csv_download(
        &format!("roster-{session_id}.csv"),
        &header_row,
        &rows,
    ))
}

/// A table as a CSV download that Excel opens as it is.
pub(crate) fn csv_download<S: AsRef<str>>(
    name: &str,
    header_row: &[S],
    rows: &[Vec<String>],
) -> Response {
    // A byte-order mark, so that Excel in Japan opens the UTF-8 as UTF-8.
    let mut csv = String::from("\u{feff}");
    csv.push_str(&csv_record(header_row));
    for r in rows {
        csv.push_str(&csv_record(r));
    }
    download(CSV_TYPE, name, csv.into_bytes())
}

pub async fn roster_xlsx(
    State(state): State<AppState>,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    own_session(&state, &org, &session_id).await?;
    let (header_row, rows) = roster_table(&state, &session_id).await?;
    let bytes = koshu_forms::table::workbook("受講者名簿", &header_row, &rows)
        .map_err(AppError::internal)?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("roster-{session_id}.xlsx"),
        bytes,
    ))
}

/// A file to save; it holds someone's records, so it is never cached.
pub(crate) fn download(content_type: &'static str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

pub async fn cancel_enrolment(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id, enrolment)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let (org, actor) = organisation(&state, &auth, &id, true).await?;
    own_session(&state, &org, &session_id).await?;
    let e = state
        .store
        .enrolment(&enrolment)
        .await?
        .filter(|e| e.session_id == session_id)
        .ok_or(AppError::NotFound)?;
    delivery::cancel(&state.workflow, &e.id, CancelledBy::Provider, &actor).await?;
    Ok(Redirect::to(&page.href(&format!(
        "{}/roster?done=cancelled",
        base(&org.id, &session_id)
    )))
    .into_response())
}

// The identity check (B30 ①).

struct CheckRow {
    account: String,
    name: String,
    kana: String,
    riss: String,
    checked: Option<String>,
}

#[derive(Template)]
#[template(path = "delivery_checkin.html")]
struct CheckInPage {
    page: PageCtx,
    title: String,
    base: String,
    day: String,
    day_label: String,
    days: Vec<(String, String)>,
    rows: Vec<CheckRow>,
    notice: Option<String>,
}

/// The session day asked for, else today when the session meets today, else its first day.
fn chosen_day(d: &koshu_store::delivery::Delivery, asked: &str, today: time::Date) -> time::Date {
    let days: Vec<time::Date> = d.plan.timetable.iter().map(|b| b.day).collect();
    parse_date(asked)
        .ok()
        .filter(|a| days.contains(a))
        .or_else(|| days.iter().copied().find(|d| *d == today))
        .or_else(|| days.first().copied())
        .unwrap_or(today)
}

fn method_label(page: &PageCtx, code: &str) -> String {
    match IdentityMethod::from_code(code) {
        Some(IdentityMethod::PhotoId) => page.t("写真付き身分証明書", "Photo ID"),
        Some(IdentityMethod::Video) => page.t("ビデオ通話で身分証明書を確認", "Photo ID on video"),
        None => code,
    }
    .to_owned()
}

fn riss_label(page: &PageCtx, code: &str) -> String {
    match RissResult::from_code(code) {
        Some(RissResult::Matches) => page.t("登録番号一致", "RISS number matches"),
        Some(RissResult::Differs) => page.t("登録番号不一致", "RISS number differs"),
        Some(RissResult::NotRegistered) => page.t("登録セキスペではない", "Not a RISS"),
        None => code,
    }
    .to_owned()
}

pub async fn check_in_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, true).await?;
    let session = own_session(&state, &org, &session_id).await?;
    let roster = delivery::roster(&state.workflow, &session_id).await?;
    let day = chosen_day(&roster.delivery, &q.day, view::today(&state));
    let mut days: Vec<time::Date> = roster
        .delivery
        .plan
        .timetable
        .iter()
        .map(|b| b.day)
        .collect();
    days.dedup();
    let rows = roster
        .lines
        .iter()
        .filter(|l| l.enrolment.status == EnrolmentStatus::Enrolled)
        .map(|l| CheckRow {
            account: l.enrolment.account_id.clone(),
            name: l
                .learner
                .as_ref()
                .map(|x| x.profile.name.clone())
                .unwrap_or_default(),
            kana: l
                .learner
                .as_ref()
                .map(|x| x.profile.name_kana.clone())
                .unwrap_or_default(),
            riss: riss_text(l.learner.as_ref()),
            checked: l.identity.iter().find(|c| c.day == day).map(|c| {
                format!(
                    "{}・{}（{}）",
                    method_label(&page, &c.method),
                    riss_label(&page, &c.riss_result),
                    hm_at(c.checked_at)
                )
            }),
        })
        .collect();
    rendered(
        StatusCode::OK,
        CheckInPage {
            title: session.title().to_owned(),
            base: base(&org.id, &session_id),
            day: day.to_string(),
            day_label: view::date(page.lang, day),
            days: days
                .iter()
                .map(|d| (d.to_string(), view::date(page.lang, *d)))
                .collect(),
            rows,
            notice: done_notice(&page, &q.done),
            page,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IdentityForm {
    account: String,
    day: String,
    method: String,
    riss: String,
    note: String,
}

pub async fn check_identity(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor) = organisation(&state, &auth, &id, true).await?;
    own_session(&state, &org, &session_id).await?;
    let form: IdentityForm = parse(&body)?;
    let choose = |field: &str, ja: &str, en: &str| {
        AppError::Invalid(
            ValidationError::new("identity.choose", ja.to_owned(), en.to_owned()).for_field(field),
        )
    };
    let method = IdentityMethod::from_code(&form.method).ok_or_else(|| {
        choose(
            "method",
            "本人確認の方法を選んでください。",
            "Choose how identity was checked.",
        )
    })?;
    let riss = RissResult::from_code(&form.riss).ok_or_else(|| {
        choose(
            "riss",
            "登録番号の照合結果を選んでください。",
            "Choose what comparing the RISS number gave.",
        )
    })?;
    let day = parse_date(&form.day).map_err(|e| AppError::Invalid(e.for_field("day")))?;
    let note = Some(form.note.trim()).filter(|n| !n.is_empty());
    delivery::check_identity(
        &state.workflow,
        &session_id,
        &form.account,
        day,
        method,
        riss,
        note,
        &actor,
    )
    .await?;
    Ok(Redirect::to(&page.href(&format!(
        "{}/check-in?day={day}&done=checked",
        base(&org.id, &session_id)
    )))
    .into_response())
}

// The venue's rotating code.

#[derive(Template)]
#[template(path = "delivery_code.html")]
struct CodePage {
    page: PageCtx,
    title: String,
    block: u32,
    when: String,
    digits: String,
    valid_until: String,
    qr_svg: String,
    /// This page, for showing the current code without JavaScript.
    current: String,
    back: String,
}

pub async fn code(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id, block)): Path<(String, String, u32)>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, true).await?;
    let session = own_session(&state, &org, &session_id).await?;
    let d = state
        .store
        .delivery(&session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let b = d
        .plan
        .timetable
        .iter()
        .find(|b| b.number == block)
        .ok_or(AppError::NotFound)?;
    let code = rotating_code(
        d.code_secret.as_bytes(),
        &session_id,
        block,
        state.clock.now(),
    );
    let url = format!(
        "{}/sessions/{session_id}/check-in?block={block}&code={}",
        state.settings.public_url, code.digits
    );
    let qr_svg = qrcode::QrCode::new(url.as_bytes())
        .map_err(AppError::internal)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(280, 280)
        .build();
    let mut res = rendered(
        StatusCode::OK,
        CodePage {
            title: session.title().to_owned(),
            block,
            when: block_when(&page, b),
            digits: code.digits,
            valid_until: hm_at(code.valid_until),
            qr_svg,
            current: page.href(&format!(
                "{}/blocks/{block}/code",
                base(&org.id, &session_id)
            )),
            back: page.href(&format!("{}/attendance", base(&org.id, &session_id))),
            page,
        },
    )?;
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

// Live attendance, staff marks and seals.

struct BlockCell {
    verdict: String,
    detail: String,
}

struct AttendanceRow {
    account: String,
    name: String,
    identity: bool,
    presence: String,
    blocks: Vec<BlockCell>,
}

struct DayView {
    day: String,
    label: String,
    sealed: Option<String>,
}

#[derive(Template)]
#[template(path = "delivery_attendance.html")]
struct AttendancePage {
    page: PageCtx,
    title: String,
    base: String,
    blocks: Vec<(u32, String)>,
    rows: Vec<AttendanceRow>,
    days: Vec<DayView>,
    can_run: bool,
    now: String,
    notice: Option<String>,
}

fn interval_text(i: &koshu_domain::delivery::Interval) -> String {
    format!("{}–{}", hm_at(i.from), hm_at(i.to))
}

pub async fn attendance(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    let session = own_session(&state, &org, &session_id).await?;
    let roster = delivery::roster(&state.workflow, &session_id).await?;
    let plan = &roster.delivery.plan;
    let today = view::today(&state);
    let now = state.clock.now();
    let rows = roster
        .lines
        .iter()
        .filter(|l| l.enrolment.status == EnrolmentStatus::Enrolled)
        .map(|l| AttendanceRow {
            account: l.enrolment.account_id.clone(),
            name: l
                .learner
                .as_ref()
                .map(|x| x.profile.name.clone())
                .unwrap_or_default(),
            identity: l.identity.iter().any(|c| c.day == today),
            presence: presence_label(&page, &l.presence),
            blocks: l
                .blocks
                .iter()
                .zip(&plan.timetable)
                .map(|(a, b)| {
                    let mut detail = Vec::new();
                    if !a.present.is_empty() {
                        detail.push(format!(
                            "{} {}",
                            page.t("在席", "present"),
                            a.present
                                .iter()
                                .map(interval_text)
                                .collect::<Vec<_>>()
                                .join("、")
                        ));
                    }
                    if a.late_minutes > 0 {
                        detail.push(format!(
                            "{} {}{}",
                            page.t("遅刻", "late"),
                            a.late_minutes,
                            page.t("分", " min")
                        ));
                    }
                    if a.early_leave_minutes > 0 {
                        detail.push(format!(
                            "{} {}{}",
                            page.t("早退", "left early"),
                            a.early_leave_minutes,
                            page.t("分", " min")
                        ));
                    }
                    if !a.left.is_empty() {
                        detail.push(format!(
                            "{} {}",
                            page.t("離席", "left"),
                            a.left
                                .iter()
                                .map(interval_text)
                                .collect::<Vec<_>>()
                                .join("、")
                        ));
                    }
                    BlockCell {
                        // A block under way has no verdict yet: what it will be depends on
                        // the rest of it.
                        verdict: if now < b.starts(JST) {
                            page.t("開始前", "Not started").to_owned()
                        } else if now < b.ends(JST) {
                            page.t("実施中", "Under way").to_owned()
                        } else {
                            verdict_label(&page, a.verdict)
                        },
                        detail: detail.join(" / "),
                    }
                })
                .collect(),
        })
        .collect();
    let mut days: Vec<time::Date> = plan.timetable.iter().map(|b| b.day).collect();
    days.dedup();
    let can_run = auth.require(Action::RunDelivery(&org.id)).is_ok();
    rendered(
        StatusCode::OK,
        AttendancePage {
            title: session.title().to_owned(),
            base: base(&org.id, &session_id),
            blocks: block_labels(&page, &plan.timetable),
            days: days
                .iter()
                .map(|d| DayView {
                    day: d.to_string(),
                    label: view::date(page.lang, *d),
                    sealed: roster.seals.iter().find(|s| s.day == *d).map(|s| {
                        format!(
                            "{}（{}）",
                            view::date_time(page.lang, s.sealed_at),
                            s.digest
                        )
                    }),
                })
                .collect(),
            now: hm_at(state.clock.now()),
            notice: done_notice(&page, &q.done),
            can_run,
            rows,
            page,
        },
    )
}

/// Server-sent events for the attendance page: each learner's presence every 5 seconds.
pub async fn attendance_events(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    own_session(&state, &org, &session_id).await?;
    Ok(periodic_events(5, move || {
        let (state, page, session_id) = (state.clone(), page.clone(), session_id.clone());
        async move {
            let rows: Vec<serde_json::Value> =
                match delivery::roster(&state.workflow, &session_id).await {
                    Ok(r) => r
                        .lines
                        .iter()
                        .filter(|l| l.enrolment.status == EnrolmentStatus::Enrolled)
                        .map(|l| {
                            serde_json::json!({
                                "id": l.enrolment.account_id,
                                "presence": presence_label(&page, &l.presence),
                            })
                        })
                        .collect(),
                    Err(e) => {
                        tracing::warn!(error = %e, "attendance events: roster not read");
                        return None;
                    }
                };
            Some(
                Event::default()
                    .event("presence")
                    .data(serde_json::Value::Array(rows).to_string()),
            )
        }
    }))
}

/// Server-sent events: `next`'s event at once, then every `seconds`, until it gives none
/// (an error, logged by `next`: the browser reconnects).
pub(crate) fn periodic_events<F, Fut>(seconds: u64, next: F) -> Response
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Option<Event>> + Send + 'static,
{
    let stream = futures::stream::unfold((true, next), move |(first, next)| async move {
        if !first {
            tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
        }
        let event = next().await?;
        Some((Ok::<_, std::convert::Infallible>(event), (false, next)))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MarkForm {
    account: String,
    block: String,
    present: String,
    reason: String,
}

pub async fn mark(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor) = organisation(&state, &auth, &id, true).await?;
    own_session(&state, &org, &session_id).await?;
    let form: MarkForm = parse(&body)?;
    let block = block_number(&form.block)?;
    delivery::mark(
        &state.workflow,
        &session_id,
        &form.account,
        block,
        form.present != "false",
        &form.reason,
        &actor,
    )
    .await?;
    Ok(Redirect::to(&page.href(&format!(
        "{}/attendance?done=marked",
        base(&org.id, &session_id)
    )))
    .into_response())
}

pub async fn seal(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id, day)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let (org, actor) = organisation(&state, &auth, &id, true).await?;
    own_session(&state, &org, &session_id).await?;
    let day = parse_date(&day).map_err(|e| AppError::Invalid(e.for_field("day")))?;
    delivery::seal_day(&state.workflow, &session_id, day, &actor).await?;
    Ok(Redirect::to(&page.href(&format!(
        "{}/attendance?done=sealed",
        base(&org.id, &session_id)
    )))
    .into_response())
}

// Meeting-tool reports.

struct UnmatchedRow {
    index: usize,
    name: String,
    email: String,
    times: String,
}

struct ReportView {
    id: String,
    tool: String,
    block: i64,
    uploaded: String,
    sha256: String,
    rows: usize,
    unmatched: Vec<UnmatchedRow>,
}

#[derive(Template)]
#[template(path = "delivery_reports.html")]
struct ReportsPage {
    page: PageCtx,
    title: String,
    base: String,
    blocks: Vec<(u32, String)>,
    learners: Vec<(String, String)>,
    reports: Vec<ReportView>,
    errors: Vec<String>,
    notice: Option<String>,
}

async fn reports_page(
    state: &AppState,
    page: PageCtx,
    org: &OrganisationRecord,
    session_id: &str,
    errors: Vec<String>,
    done: &str,
) -> Result<ReportsPage, AppError> {
    let session = own_session(state, org, session_id).await?;
    let d = state
        .store
        .delivery(session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let learners = delivery::enrolled_learners(&state.workflow, session_id).await?;
    let mut reports = Vec::new();
    for r in state.store.participant_reports(session_id).await? {
        let all: Vec<delivery::ReportRow> =
            serde_json::from_str(&r.rows).map_err(AppError::internal)?;
        let unmatched = delivery::unmatched(&r)?
            .into_iter()
            .map(|(index, row)| UnmatchedRow {
                index,
                name: row.name,
                email: row.email.unwrap_or_default(),
                times: format!(
                    "{}–{}",
                    hm_at(koshu_store::delivery::at_micros(row.joined_us)),
                    hm_at(koshu_store::delivery::at_micros(row.left_us))
                ),
            })
            .collect();
        reports.push(ReportView {
            tool: koshu_forms::participants::MeetingTool::from_code(&r.tool)
                .map(|t| t.label().to_owned())
                .unwrap_or(r.tool.clone()),
            block: r.block_no,
            uploaded: view::date_time(page.lang, r.uploaded_at),
            sha256: r.sha256,
            rows: all.len(),
            unmatched,
            id: r.id,
        });
    }
    Ok(ReportsPage {
        title: session.title().to_owned(),
        base: base(&org.id, session_id),
        blocks: block_labels(&page, &d.plan.timetable),
        learners: learners
            .iter()
            .map(|l| {
                (
                    l.account_id.clone(),
                    format!("{}（{}）", l.profile.name, l.email),
                )
            })
            .collect(),
        reports,
        errors,
        notice: done_notice(&page, done),
        page,
    })
}

pub async fn reports(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, true).await?;
    let p = reports_page(&state, page, &org, &session_id, Vec::new(), &q.done).await?;
    rendered(StatusCode::OK, p)
}

pub async fn import_report(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let (org, actor) = organisation(&state, &auth, &id, true).await?;
    own_session(&state, &org, &session_id).await?;
    let (block, file) = report_upload(form).await;
    let Some(block) = block else {
        return refused(&state, page, &org, &session_id, &delivery::no_such_block()).await;
    };
    let Some((name, bytes)) = file else {
        let e = ValidationError::new(
            "participants.file",
            "参加レポートのファイルを選んでください。",
            "Choose the report file.",
        )
        .for_field("report");
        return refused(&state, page, &org, &session_id, &e).await;
    };
    match delivery::import_report(&state.workflow, &session_id, block, &name, bytes, &actor).await {
        Ok(_) => Ok(Redirect::to(&page.href(&format!(
            "{}/reports?done=imported",
            base(&org.id, &session_id)
        )))
        .into_response()),
        Err(koshu_workflow::WorkflowError::Invalid(e)) => {
            refused(&state, page, &org, &session_id, &e).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The reports page again, saying why the upload was refused (422): nothing was imported.
async fn refused(
    state: &AppState,
    page: PageCtx,
    org: &OrganisationRecord,
    session_id: &str,
    e: &ValidationError,
) -> Result<Response, AppError> {
    let message = page.t(&e.message_ja, &e.message_en).to_owned();
    let p = reports_page(state, page, org, session_id, vec![message], "").await?;
    rendered(StatusCode::UNPROCESSABLE_ENTITY, p)
}

/// The block chosen and the file of the upload form.
async fn report_upload(
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> (Option<u32>, Option<(String, Bytes)>) {
    let Ok(mut form) = form else {
        return (None, None);
    };
    let (mut block, mut file) = (None, None);
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("block") => block = field.text().await.ok().and_then(|t| t.trim().parse().ok()),
            Some("report") => {
                let name = field.file_name().unwrap_or("report.csv").trim().to_owned();
                file = field
                    .bytes()
                    .await
                    .ok()
                    .filter(|b| !b.is_empty())
                    .map(|b| (name, b));
            }
            _ => {}
        }
    }
    (block, file)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MatchForm {
    row: String,
    account: String,
}

pub async fn match_row(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id, report)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor) = organisation(&state, &auth, &id, true).await?;
    own_session(&state, &org, &session_id).await?;
    let form: MatchForm = parse(&body)?;
    let row = form.row.parse::<usize>().map_err(|_| AppError::NotFound)?;
    delivery::match_row(
        &state.workflow,
        &session_id,
        &report,
        row,
        &form.account,
        &actor,
    )
    .await?;
    Ok(Redirect::to(&page.href(&format!(
        "{}/reports?done=matched",
        base(&org.id, &session_id)
    )))
    .into_response())
}

// The QR code's landing page: the learner confirms the code they scanned.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScanQuery {
    block: String,
    code: String,
}

pub async fn scanned(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(session_id): Path<String>,
    Query(q): Query<ScanQuery>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Learn)?;
    let e = state
        .store
        .enrolment_of(&session_id, &me.account.id)
        .await?
        .filter(|e| e.status == EnrolmentStatus::Enrolled)
        .ok_or(AppError::NotFound)?;
    let mut f = FormPage::new(
        page.clone(),
        page.t("入室・退室の記録", "Check in or out"),
        &format!("/learning/{}/check-in", e.id),
        page.t("記録する", "Record"),
    );
    f.intro.push(
        page.t(
            "読み取った番号で記録します。番号は30秒ごとに変わるため、すぐに送信してください。",
            "The code you scanned is filled in; it changes every 30 seconds, so send it now.",
        )
        .to_owned(),
    );
    f.fields = vec![
        FormField::new("block", "", "hidden").value(&q.block),
        FormField::new("code", page.t("番号", "Code"), "text").value(&q.code),
        FormField::new("direction", page.t("記録", "Record"), "radio")
            .value("in")
            .options(vec![
                ("in".to_owned(), page.t("入室", "Check in").to_owned()),
                ("out".to_owned(), page.t("退室", "Check out").to_owned()),
            ]),
    ];
    rendered(StatusCode::OK, f)
}

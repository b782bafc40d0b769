//! The learner's side of delivery (issue 15; D01-D03, B30, B32): the profile a provider sees,
//! applying for a session (anyone signed in), one's applications with the waiting list, the
//! seat offered from it, cancelling, the calendar file, and the live session page: the code
//! shown at the venue, and the heartbeat of a remote learner's open page.

use super::delivery::block_when;
use super::forms::{FormField, FormPage, parse};
use super::rendered;
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_domain::delivery::{
    CONSENT_EN, CONSENT_JA, CancelledBy, EnrolmentStatus, LearnerProfile, Presence, Verdict,
};
use koshu_store::delivery::{Delivery, Enrolment};
use koshu_workflow::delivery::{self as delivery, CatalogueSession, Direction};
use koshu_workflow::{JST, account_actor};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    name: String,
    name_kana: String,
    riss_number: String,
    riss_registered_on: String,
    riss_on_credential: String,
    consent: String,
}

impl ProfileForm {
    fn of(profile: Option<&LearnerProfile>) -> Self {
        let Some(p) = profile else {
            return Self::default();
        };
        Self {
            name: p.name.clone(),
            name_kana: p.name_kana.clone(),
            riss_number: p
                .riss
                .as_ref()
                .map(|r| r.number.digits().to_owned())
                .unwrap_or_default(),
            riss_registered_on: p
                .riss
                .as_ref()
                .map(|r| r.registered_on.to_string())
                .unwrap_or_default(),
            riss_on_credential: if p.riss_on_credential { "true" } else { "" }.to_owned(),
            consent: "true".to_owned(),
        }
    }

    /// The profile, or every problem; the consent box must be ticked.
    fn profile(&self, today: time::Date) -> Result<LearnerProfile, Vec<ValidationError>> {
        let parsed = LearnerProfile::parse(
            &self.name,
            &self.name_kana,
            &self.riss_number,
            &self.riss_registered_on,
            today,
        )
        .map(|p| p.with_riss_on_credential(self.riss_on_credential == "true"));
        let mut errors = parsed.as_ref().err().cloned().unwrap_or_default();
        if self.consent != "true" {
            errors.push(
                ValidationError::new(
                    "learner.consent",
                    "提供者に伝わる情報を確認し、同意してください。",
                    "Read what the provider will see, and agree to it.",
                )
                .for_field("consent"),
            );
        }
        match parsed {
            Ok(p) if errors.is_empty() => Ok(p),
            _ => Err(errors),
        }
    }
}

fn profile_fields(page: &PageCtx, form: &ProfileForm) -> Vec<FormField> {
    vec![
        FormField::new("name", page.t("氏名", "Name"), "text")
            .value(&form.name)
            .autocomplete("name")
            .hint(page.t(
                "本人確認書類と同じ表記で入力してください。",
                "As written on your identity document.",
            )),
        FormField::new(
            "name_kana",
            page.t("氏名（カナ）", "Name in katakana"),
            "text",
        )
        .value(&form.name_kana)
        .hint(page.t("例：ジョウホウ タロウ", "For example ジョウホウ タロウ")),
        FormField::new(
            "riss_number",
            page.t("登録セキスペの登録番号", "RISS registration number"),
            "text",
        )
        .value(&form.riss_number)
        .optional()
        .heading(page.t(
            "情報処理安全確保支援士（登録セキスペ）の方",
            "If you are a Registered Information Security Specialist",
        ))
        .hint(page.t(
            "6桁の数字（例：012345）。講習の開始時に登録証と照合します。",
            "Six digits (for example 012345); compared with your certificate at the start.",
        )),
        FormField::new(
            "riss_registered_on",
            page.t(
                "登録日（または直近の更新日）",
                "Registration (or last renewal) date",
            ),
            "date",
        )
        .value(&form.riss_registered_on)
        .optional(),
        FormField::new(
            "riss_on_credential",
            page.t(
                "修了証（デジタル修了証とPDF）に登録番号を記載する",
                "Print my registration number on certificates (digital and PDF)",
            ),
            "checkbox",
        )
        .value(&form.riss_on_credential)
        .optional()
        .hint(page.t(
            "記載すると、修了証を見せた相手に登録番号が伝わります。記載しなくても修了証は有効です。",
            "Whoever you show the certificate to then sees the number; certificates are valid without it.",
        )),
        FormField::new(
            "consent",
            page.t(
                "上記の情報と受講の記録が講座の提供者に伝わることに同意します",
                "I agree that the provider sees this information and my attendance records",
            ),
            "checkbox",
        )
        .value(&form.consent)
        .heading(page.t("提供者に伝わる情報", "What the provider sees"))
        .hint(page.t(CONSENT_JA, CONSENT_EN)),
    ]
}

// The profile.

fn profile_page(page: PageCtx, form: &ProfileForm, errors: &[ValidationError]) -> FormPage {
    let mut f = FormPage::new(
        page.clone(),
        page.t("受講者情報", "Learner profile"),
        "/account/learner",
        page.t("保存する", "Save"),
    );
    f.intro.push(
        page.t(
            "講座に申し込むと、ここに入力した情報が講座の提供者に伝わります。",
            "When you apply for a session, the provider sees what you enter here.",
        )
        .to_owned(),
    );
    f.fields = profile_fields(&page, form);
    f.links.push((
        page.t("受講一覧へ", "My courses").to_owned(),
        page.href("/learning"),
    ));
    f.with_errors(errors)
}

pub async fn profile_form(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Learn)?;
    let learner = state.store.learner(&me.account.id).await?;
    let form = ProfileForm::of(learner.as_ref().map(|l| &l.profile));
    rendered(StatusCode::OK, profile_page(page, &form, &[]))
}

pub async fn save_profile(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Learn)?;
    let form: ProfileForm = parse(&body)?;
    match form.profile(view::today(&state)) {
        Err(errors) => rendered(
            StatusCode::UNPROCESSABLE_ENTITY,
            profile_page(page, &form, &errors),
        ),
        Ok(profile) => {
            delivery::save_profile(&state.workflow, &me.account.id, &profile).await?;
            Ok(Redirect::to(&page.href("/learning?done=profile")).into_response())
        }
    }
}

// Applying.

/// What a session's page says about it to someone about to apply.
fn facts(
    page: &PageCtx,
    session: &CatalogueSession,
    d: &Delivery,
    seats_left: u32,
) -> Vec<(String, String)> {
    let s = &session.session;
    let plan = &d.plan;
    let mut facts = vec![
        (
            page.t("講座", "Programme").to_owned(),
            session.title().to_owned(),
        ),
        (
            page.t("日程", "Dates").to_owned(),
            view::date_span(page.lang, s.starts_on, s.ends_on),
        ),
        (
            page.t("会場・参加先", "Where").to_owned(),
            plan.venue
                .clone()
                .unwrap_or_else(|| page.t("オンライン", "Online").to_owned()),
        ),
        (
            page.t("受講料", "Fee").to_owned(),
            match page.lang {
                crate::lang::Lang::Ja => plan.fee.ja(),
                crate::lang::Lang::En => plan.fee.en(),
            },
        ),
        (
            page.t("定員", "Capacity").to_owned(),
            format!(
                "{}{}（{}{}）",
                plan.capacity,
                page.t("名", ""),
                page.t("残り", "seats left: "),
                seats_left
            ),
        ),
        (
            page.t("申込期間", "Applications").to_owned(),
            format!(
                "{} 〜 {}",
                view::date_time(page.lang, plan.opens_at),
                view::date_time(page.lang, plan.closes_at)
            ),
        ),
    ];
    for b in &plan.timetable {
        facts.push((
            format!("{}{}", page.t("時間割 ", "Block "), b.number),
            format!("{} {}", block_when(page, b), b.items),
        ));
    }
    facts
}

async fn seats_left(state: &AppState, d: &Delivery) -> Result<u32, AppError> {
    let held = state
        .store
        .enrolments_of_session(&d.session_id)
        .await?
        .iter()
        .filter(|e| e.status.holds_seat())
        .count();
    Ok(d.plan
        .capacity
        .saturating_sub(u32::try_from(held).unwrap_or(u32::MAX)))
}

async fn delivered(
    state: &AppState,
    session_id: &str,
) -> Result<(CatalogueSession, Delivery), AppError> {
    let session = delivery::catalogue_session(&state.workflow, session_id).await?;
    let d = state
        .store
        .delivery(session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((session, d))
}

async fn enrol_page(
    state: &AppState,
    page: PageCtx,
    session_id: &str,
    form: &ProfileForm,
    errors: &[ValidationError],
) -> Result<FormPage, AppError> {
    let (session, d) = delivered(state, session_id).await?;
    let left = seats_left(state, &d).await?;
    let mut f = FormPage::new(
        page.clone(),
        &format!("{}：{}", page.t("受講の申込み", "Apply"), session.title()),
        &format!("/sessions/{session_id}/enrol"),
        if left > 0 {
            page.t("申し込む", "Apply")
        } else {
            page.t("キャンセル待ちで申し込む", "Join the waiting list")
        },
    );
    f.intro.push(
        page.t(
            "どなたでも申し込めます。満席のときはキャンセル待ちになり、席が空くと申込み順にメールでお知らせします。",
            "Anyone may apply. When the session is full you join the waiting list, and people are told by mail in the order they applied when a seat frees.",
        )
        .to_owned(),
    );
    f.facts = facts(&page, &session, &d, left);
    // B12: the criteria are read before one applies.
    f.facts
        .extend(super::completion::enrolment_facts(state, page.lang, session_id).await?);
    f.fields = profile_fields(&page, form);
    f.links.push((
        page.t("講座のページに戻る", "Back to the programme")
            .to_owned(),
        page.href(&format!(
            "/programmes/{}",
            session.programme.programme.id.as_str()
        )),
    ));
    Ok(f.with_errors(errors))
}

pub async fn enrol_form(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(session_id): Path<String>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Learn)?;
    let learner = state.store.learner(&me.account.id).await?;
    let form = ProfileForm::of(learner.as_ref().map(|l| &l.profile));
    let f = enrol_page(&state, page, &session_id, &form, &[]).await?;
    rendered(StatusCode::OK, f)
}

pub async fn enrol(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(session_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Learn)?;
    let form: ProfileForm = parse(&body)?;
    let profile = match form.profile(view::today(&state)) {
        Ok(p) => p,
        Err(errors) => {
            let f = enrol_page(&state, page, &session_id, &form, &errors).await?;
            return rendered(StatusCode::UNPROCESSABLE_ENTITY, f);
        }
    };
    let enrolment = delivery::enrol(
        &state.workflow,
        &session_id,
        &me.account.id,
        me.account.email.as_str(),
        Some(&profile),
    )
    .await?;
    Ok(
        Redirect::to(&page.href(&format!("/learning/{}?done=applied", enrolment.id)))
            .into_response(),
    )
}

// One's applications.

struct Row {
    href: String,
    title: String,
    dates: String,
    status: String,
}

#[derive(Template)]
#[template(path = "learning.html")]
struct LearningPage {
    page: PageCtx,
    rows: Vec<Row>,
    has_profile: bool,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

fn done_notice(page: &PageCtx, done: &str) -> Option<String> {
    Some(
        match done {
            "profile" => page.t("受講者情報を保存しました。", "Your profile is saved."),
            "applied" => page.t(
                "申し込みました。確認のメールを送りました。",
                "You have applied; a confirmation is on its way by mail.",
            ),
            "cancelled" => page.t("申込みを取り消しました。", "Your application is cancelled."),
            "confirmed" => page.t("受講が確定しました。", "Your place is confirmed."),
            "checked" => page.t("記録しました。", "Recorded."),
            _ => return None,
        }
        .to_owned(),
    )
}

fn status_label(page: &PageCtx, e: &Enrolment) -> String {
    let label = page.t(e.status.label_ja(), e.status.label_en()).to_owned();
    match (e.status, e.offer_until) {
        (EnrolmentStatus::Offered, Some(until)) => format!(
            "{label}（{}{}）",
            view::date_time(page.lang, until),
            page.t("まで", " at the latest")
        ),
        _ => label,
    }
}

/// Where a waiting learner stands in line: 1 is next.
async fn waiting_position(state: &AppState, e: &Enrolment) -> Result<usize, AppError> {
    Ok(state
        .store
        .enrolments_of_session(&e.session_id)
        .await?
        .iter()
        .filter(|w| w.status == EnrolmentStatus::Waiting && w.queue_no <= e.queue_no)
        .count())
}

pub async fn list(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    axum::extract::Query(q): axum::extract::Query<Done>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Learn)?;
    let mut rows = Vec::new();
    for e in state.store.enrolments_of_account(&me.account.id).await? {
        let Ok(session) = delivery::catalogue_session(&state.workflow, &e.session_id).await else {
            continue;
        };
        rows.push(Row {
            href: page.href(&format!("/learning/{}", e.id)),
            title: session.title().to_owned(),
            dates: view::date_span(
                page.lang,
                session.session.starts_on,
                session.session.ends_on,
            ),
            status: status_label(&page, &e),
        });
    }
    let has_profile = state.store.learner(&me.account.id).await?.is_some();
    rendered(
        StatusCode::OK,
        LearningPage {
            notice: done_notice(&page, &q.done),
            page,
            rows,
            has_profile,
        },
    )
}

/// The signed-in learner's own enrolment, or 404 (another's is not theirs to see).
pub(crate) async fn own(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
) -> Result<(Enrolment, String), AppError> {
    let me = auth.require(Action::Learn)?;
    let e = state
        .store
        .enrolment(id)
        .await?
        .filter(|e| e.account_id == me.account.id)
        .ok_or(AppError::NotFound)?;
    Ok((e, me.account.id.clone()))
}

struct BlockView {
    number: u32,
    when: String,
    items: String,
    /// Open for check-in now.
    live: bool,
    verdict: Option<String>,
}

#[derive(Template)]
#[template(path = "learning_enrolment.html")]
struct EnrolmentPage {
    page: PageCtx,
    id: String,
    title: String,
    facts: Vec<(String, String)>,
    status: String,
    offered: bool,
    may_cancel: bool,
    enrolled: bool,
    /// Learners may take part remotely (an online room): the page beats.
    remote: bool,
    /// Learners may be at a venue: the page takes the code shown there.
    in_person: bool,
    room: Option<String>,
    blocks: Vec<BlockView>,
    /// A block is live: the page beats (remote) and takes the venue's code (in person).
    live: bool,
    /// What the live page of a remote learner beats with.
    ticket: String,
    presence: String,
    /// Progress per curriculum item against its standard time (D04).
    items: Vec<super::progress::LearnerItem>,
    /// The completion criteria and the learner's own decision (issue 16, B12).
    completion: Option<super::completion::LearnerSection>,
    /// The learner's certificate for this session: (id, status).
    credential: Option<(String, String)>,
    notice: Option<String>,
    /// The end-of-course survey (issue 16), for a learner with a place.
    survey: Option<super::survey::SurveyLink>,
}

pub async fn show(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Done>,
) -> Result<Response, AppError> {
    let (e, account) = own(&state, &auth, &id).await?;
    let (session, d) = delivered(&state, &e.session_id).await?;
    let left = seats_left(&state, &d).await?;
    let now = state.clock.now();
    let roster = delivery::roster(&state.workflow, &e.session_id).await?;
    let line = roster
        .lines
        .iter()
        .find(|l| l.enrolment.account_id == account);
    let enrolled = e.status == EnrolmentStatus::Enrolled;
    let blocks: Vec<BlockView> = d
        .plan
        .timetable
        .iter()
        .enumerate()
        .map(|(i, b)| BlockView {
            number: b.number,
            when: block_when(&page, b),
            items: b.items.clone(),
            live: enrolled
                && now >= b.starts(JST) - time::Duration::minutes(30)
                && now <= b.ends(JST),
            // The verdict once the block is over, with the minutes present it rests on.
            verdict: line
                .and_then(|l| l.blocks.get(i))
                .filter(|_| now > b.ends(JST))
                .map(|a| {
                    format!(
                        "{}（{} {}{}）",
                        verdict_label(&page, a.verdict),
                        page.t("在席", "present"),
                        a.present_minutes,
                        page.t("分", " min")
                    )
                }),
        })
        .collect();
    let presence = line
        .map(|l| presence_label(&page, &l.presence))
        .unwrap_or_default();
    let survey = if enrolled {
        Some(super::survey::link_for(&state, &page, &e).await?)
    } else {
        None
    };
    rendered(
        StatusCode::OK,
        EnrolmentPage {
            id: e.id.clone(),
            title: session.title().to_owned(),
            facts: facts(&page, &session, &d, left),
            status: match e.status {
                EnrolmentStatus::Waiting => format!(
                    "{}（{}{}）",
                    status_label(&page, &e),
                    waiting_position(&state, &e).await?,
                    page.t("番目", " in line")
                ),
                _ => status_label(&page, &e),
            },
            offered: e.status == EnrolmentStatus::Offered,
            may_cancel: matches!(
                e.status,
                EnrolmentStatus::Enrolled | EnrolmentStatus::Waiting | EnrolmentStatus::Offered
            ),
            enrolled,
            remote: d.plan.online_room.is_some(),
            in_person: d.plan.venue.is_some(),
            room: d.plan.online_room.clone().filter(|_| enrolled),
            live: blocks.iter().any(|b| b.live),
            ticket: koshu_workflow::heartbeats::ticket(&d, &account).unwrap_or_default(),
            blocks,
            presence,
            items: if enrolled {
                super::progress::learner_items(&state, &page, &e.id, roster, &account).await?
            } else {
                Vec::new()
            },
            completion: super::completion::learner_section(&state, page.lang, &e).await?,
            credential: super::credentials::for_enrolment(&state, &page, &e.session_id, &account)
                .await?,
            notice: done_notice(&page, &q.done),
            survey,
            page,
        },
    )
}

pub(crate) fn verdict_label(page: &PageCtx, v: Verdict) -> String {
    page.t(v.label_ja(), v.label_en()).to_owned()
}

pub(crate) fn presence_label(page: &PageCtx, p: &Presence) -> String {
    match p {
        Presence::NotArrived => page.t("未入室", "Not arrived").to_owned(),
        Presence::Present { since } => format!(
            "{}（{}{}）",
            page.t("在席", "Present"),
            hm_at(*since),
            page.t("から", " on")
        ),
        Presence::Left { since } => format!(
            "{}（{}{}）",
            page.t("離席", "Left"),
            hm_at(*since),
            page.t("から", " on")
        ),
    }
}

/// A moment's clock time in Japan, to the second: when someone left matters to the minute.
pub(crate) fn hm_at(t: time::OffsetDateTime) -> String {
    let l = t.to_offset(JST);
    format!("{:02}:{:02}:{:02}", l.hour(), l.minute(), l.second())
}

pub async fn cancel(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (e, account) = own(&state, &auth, &id).await?;
    delivery::cancel(
        &state.workflow,
        &e.id,
        CancelledBy::Learner,
        &account_actor(&account),
    )
    .await?;
    Ok(Redirect::to(&page.href(&format!("/learning/{id}?done=cancelled"))).into_response())
}

pub async fn confirm(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (e, account) = own(&state, &auth, &id).await?;
    delivery::confirm_offer(&state.workflow, &e.id, &account_actor(&account)).await?;
    Ok(Redirect::to(&page.href(&format!("/learning/{id}?done=confirmed"))).into_response())
}

pub async fn calendar(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (e, _) = own(&state, &auth, &id).await?;
    if e.status != EnrolmentStatus::Enrolled {
        return Err(AppError::NotFound);
    }
    let (session, d) = delivered(&state, &e.session_id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"koshu.ics\"",
            ),
        ],
        delivery::calendar(&state.workflow, &d, &session, &e),
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CheckInForm {
    block: String,
    code: String,
    direction: String,
}

pub async fn check_in(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (e, account) = own(&state, &auth, &id).await?;
    let form: CheckInForm = parse(&body)?;
    let block = super::delivery::block_number(&form.block)?;
    let direction = if form.direction == "out" {
        Direction::Out
    } else {
        Direction::In
    };
    delivery::check_in(
        &state.workflow,
        &e.session_id,
        &account,
        block,
        &form.code,
        direction,
    )
    .await?;
    Ok(Redirect::to(&page.href(&format!("/learning/{id}?done=checked"))).into_response())
}

/// The live page's beat (`delivery.js`): the body is the page's heartbeat ticket, sent without
/// cookies; 204 once recorded.
pub async fn heartbeat(State(state): State<AppState>, body: Bytes) -> Result<Response, AppError> {
    let ticket = std::str::from_utf8(&body).unwrap_or("");
    state.heartbeats.beat(&state.workflow, ticket).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

//! A provider's own programmes in the catalogue (issue 14): the list, the programme form (every
//! catalogue field, A02, A04), the management page (state, preview, sessions, history) and the
//! session form. Handlers parse the form into the domain's text types, call one use case of
//! `koshu_workflow::listings`, and render; the index is caught up at once, so a published
//! programme is in search by the time the provider looks.
//!
//! A designated 特定講習's programme appears here too: its facts are locked (a change notice
//! changes them), its sessions are edited like any other.

use super::forms::{FormField, FormPage};
use super::rendered;
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_domain::catalogue::listing::{
    ListingMove, ListingState, ProgrammeText, SessionChange, SessionText, a_month_later,
    next_session_id,
};
use koshu_domain::catalogue::{ProgrammeWithSessions, Provider, Slug};
use koshu_domain::designation::publish::{provider_of, provider_slug, reach};
use koshu_store::organisations::OrganisationRecord;
use koshu_workflow::{account_actor, listings};
use std::collections::HashMap;

/// The form's pairs, with repeated names (checkboxes) kept in order.
struct Pairs(HashMap<String, Vec<String>>);

impl Pairs {
    fn parse(body: &[u8]) -> Result<Self, AppError> {
        let pairs: Vec<(String, String)> = super::forms::parse(body)?;
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            map.entry(k).or_default().push(v);
        }
        Ok(Self(map))
    }

    fn one(&self, name: &str) -> String {
        self.0
            .get(name)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0.get(name).cloned().unwrap_or_default()
    }

    fn programme(&self) -> ProgrammeText {
        let one = |n: &str| self.one(n);
        ProgrammeText {
            title_ja: one("title_ja"),
            title_en: one("title_en"),
            summary_ja: one("summary_ja"),
            summary_en: one("summary_en"),
            purpose_ja: one("purpose_ja"),
            goals_ja: one("goals_ja"),
            skills_ja: one("skills_ja"),
            prerequisites_ja: one("prerequisites_ja"),
            layers: self.all("layers"),
            audiences: self.all("audiences"),
            itss_fields: self.all("itss_fields"),
            syllabus_items: one("syllabus_items"),
            kind: one("kind"),
            difficulty: one("difficulty"),
            format: one("format"),
            language: one("language"),
            duration_ja: one("duration_ja"),
            duration_en: one("duration_en"),
            total_hours: one("total_hours"),
            frequency_ja: one("frequency_ja"),
            fee_type: one("fee_type"),
            fee_yen: one("fee_yen"),
            fee_max_yen: one("fee_max_yen"),
            fee_note_ja: one("fee_note_ja"),
            eligibility_ja: one("eligibility_ja"),
            eligibility_en: one("eligibility_en"),
            url: one("url"),
            accessibility_ja: one("accessibility_ja"),
            inquiry_ja: one("inquiry_ja"),
            complaint_ja: one("complaint_ja"),
        }
    }

    fn session(&self) -> SessionText {
        SessionText {
            starts_on: self.one("starts_on"),
            ends_on: self.one("ends_on"),
            prefecture: self.one("prefecture"),
            city: self.one("city"),
            venue: self.one("venue"),
            online: self.one("online") == "true",
            capacity: self.one("capacity"),
            seats_left: self.one("seats_left"),
            application_deadline: self.one("application_deadline"),
            note_ja: self.one("note_ja"),
        }
    }
}

/// The organisation, once `action` on it is allowed.
async fn organisation(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
    edit: bool,
) -> Result<OrganisationRecord, AppError> {
    auth.require(if edit {
        Action::EditProgrammes(id)
    } else {
        Action::ViewProgrammes(id)
    })?;
    state
        .store
        .organisation(id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The organisation for a change to its listings, and who makes it (for the audit log).
async fn editor(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
) -> Result<(OrganisationRecord, String), AppError> {
    let me = auth.require(Action::EditProgrammes(id))?;
    let actor = account_actor(&me.account.id);
    Ok((organisation(state, auth, id, true).await?, actor))
}

/// A programme of the organisation: its own listing, or its designated 特定講習.
pub(crate) enum Owned {
    Listing(koshu_store::listings::Listing),
    Designated(ProgrammeWithSessions),
}

impl Owned {
    fn item(&self) -> &ProgrammeWithSessions {
        match self {
            Self::Listing(l) => &l.item,
            Self::Designated(item) => item,
        }
    }
}

pub(crate) async fn owned(
    state: &AppState,
    org: &OrganisationRecord,
    programme: &str,
) -> Result<Owned, AppError> {
    if let Some(l) = state.store.listing(programme).await? {
        return if l.organisation_id == org.id {
            Ok(Owned::Listing(l))
        } else {
            Err(AppError::NotFound)
        };
    }
    let ours = provider_slug(&org.organisation)?;
    match state.store.programme(programme).await? {
        Some(item) if item.programme.designation.is_some() && item.programme.provider == ours => {
            Ok(Owned::Designated(item))
        }
        _ => Err(AppError::NotFound),
    }
}

fn base(org: &str) -> String {
    format!("/organisations/{org}/programmes")
}

/// After a change: the index caught up, and back to the programme's page saying what was done.
async fn done(
    state: &AppState,
    page: &PageCtx,
    org: &OrganisationRecord,
    programme: &str,
    what: &str,
) -> Result<Response, AppError> {
    super::catch_up_index(state).await;
    Ok(Redirect::to(&format!(
        "{}?done={what}",
        page.href(&format!("{}/{programme}", base(&org.id)))
    ))
    .into_response())
}

// The list.

struct Row {
    href: String,
    title: String,
    state: String,
    sessions: usize,
    next: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "listings.html")]
struct ListPage {
    page: PageCtx,
    org_name: String,
    org_href: String,
    new_href: String,
    upload_href: String,
    can_edit: bool,
    rows: Vec<Row>,
    notice: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListQuery {
    done: String,
    created: usize,
    updated: usize,
    unchanged: usize,
}

fn next_session(page: &PageCtx, item: &ProgrammeWithSessions, today: time::Date) -> String {
    item.sessions
        .iter()
        .filter(|s| !s.cancelled && s.starts_on >= today)
        .map(|s| s.starts_on)
        .min()
        .map_or_else(
            || page.t("予定なし", "None planned").to_owned(),
            |d| view::date(page.lang, d),
        )
}

pub async fn list(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(org_id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let org = organisation(&state, &auth, &org_id, false).await?;
    let today = view::today(&state);
    let mut rows: Vec<Row> = Vec::new();
    let ours = provider_slug(&org.organisation)?;
    for id in state.store.programme_ids_of(ours.as_str()).await? {
        if let Some(item) = state.store.programme(&id).await?
            && let Some(d) = &item.programme.designation
        {
            rows.push(Row {
                href: page.href(&format!("{}/{id}", base(&org.id))),
                title: item.programme.title_ja.clone(),
                state: format!(
                    "{}（{}）",
                    page.t("特定講習", "Designated 特定講習"),
                    d.number
                ),
                sessions: item.sessions.len(),
                next: next_session(&page, &item, today),
                updated: String::new(),
            });
        }
    }
    for l in state.store.listings_of(&org.id).await? {
        rows.push(Row {
            href: page.href(&format!("{}/{}", base(&org.id), l.item.programme.id)),
            title: l.item.programme.title_ja.clone(),
            state: page.t(l.state.label_ja(), l.state.label_en()).to_owned(),
            sessions: l.item.sessions.len(),
            next: next_session(&page, &l.item, today),
            updated: view::date_time(page.lang, l.updated_at),
        });
    }
    let view = ListPage {
        org_name: org.organisation.name_ja.clone(),
        org_href: page.href(&format!("/organisations/{}", org.id)),
        new_href: page.href(&format!("{}/new", base(&org.id))),
        upload_href: page.href(&format!("{}/upload", base(&org.id))),
        can_edit: auth.require(Action::EditProgrammes(&org.id)).is_ok(),
        rows,
        notice: (q.done == "uploaded").then(|| {
            if page.lang.is_en() {
                format!(
                    "The file is applied: {} listed, {} updated, {} unchanged.",
                    q.created, q.updated, q.unchanged
                )
            } else {
                format!(
                    "ファイルを反映しました（新規 {}件、更新 {}件、変更なし {}件）。",
                    q.created, q.updated, q.unchanged
                )
            }
        }),
        page,
    };
    rendered(StatusCode::OK, view)
}

// The programme form.

fn term_options(page: &PageCtx, terms: &[koshu_domain::taxonomy::Term]) -> Vec<(String, String)> {
    terms
        .iter()
        .map(|t| (t.code.clone(), t.label.pick(page.lang.is_en()).to_owned()))
        .collect()
}

fn programme_fields(state: &AppState, page: &PageCtx, t: &ProgrammeText) -> Vec<FormField> {
    let tx = &state.taxonomy;
    let tr = |ja: &str, en: &str| page.t(ja, en).to_owned();
    // A field with its label and value, optional unless `.required` is kept by the caller.
    let field = |name: &str, (ja, en): (&str, &str), kind: &'static str, value: &str| {
        FormField::new(name, &tr(ja, en), kind)
            .value(value)
            .optional()
    };
    let required = |mut f: FormField| {
        f.required = true;
        f
    };
    let choices =
        |name: &str, label: (&str, &str), terms: Vec<(String, String)>, values: &[String]| {
            let mut f = field(name, label, "checkboxes", "").options(terms);
            f.selected = values.to_vec();
            f
        };
    let one_of = |name: &str, label: (&str, &str), kind: &'static str, value: &str, options| {
        required(field(name, label, kind, value).options(options))
    };
    let itss = tx
        .itss_fields()
        .iter()
        .map(|f| (f.code.clone(), f.label.pick(page.lang.is_en()).to_owned()))
        .collect();
    let or = |value: &'static str, given: &str| {
        if given.is_empty() {
            value.to_owned()
        } else {
            given.to_owned()
        }
    };
    vec![
        required(field("title_ja", ("講座名", "Title"), "text", &t.title_ja))
            .heading(&tr("講座の概要", "The programme")),
        field(
            "title_en",
            ("講座名（英語）", "Title in English"),
            "text",
            &t.title_en,
        ),
        required(field(
            "summary_ja",
            ("概要", "Summary"),
            "textarea",
            &t.summary_ja,
        ))
        .hint(&tr(
            "検索結果に表示される2〜3文の説明。",
            "Two or three sentences, shown in search results.",
        )),
        field(
            "summary_en",
            ("概要（英語）", "Summary in English"),
            "textarea",
            &t.summary_en,
        ),
        field("purpose_ja", ("目的", "Purpose"), "textarea", &t.purpose_ja),
        field(
            "goals_ja",
            ("到達目標（1行に1つ）", "Goals (one a line)"),
            "textarea",
            &t.goals_ja,
        ),
        field(
            "skills_ja",
            (
                "修得できる知識・技能（1行に1つ）",
                "Knowledge and skills gained (one a line)",
            ),
            "textarea",
            &t.skills_ja,
        )
        .hint(&tr(
            "公開するには、目的・到達目標・修得できる知識・技能のいずれかが必要です（A04）。",
            "To publish, give the purpose, the goals or the skills (A04).",
        )),
        field(
            "prerequisites_ja",
            ("前提知識・経験", "Prerequisites"),
            "textarea",
            &t.prerequisites_ja,
        ),
        choices(
            "layers",
            ("対象とする人材層", "Target layers"),
            term_options(page, tx.layers()),
            &t.layers,
        )
        .heading(&tr(
            "分類（探す人が見つけられるように）",
            "Classification (so that people find it)",
        ))
        .hint(&tr(
            "人材層か対象者を1つ以上選んでください（A02）。",
            "Choose at least one layer or audience (A02).",
        )),
        choices(
            "audiences",
            ("対象者", "Audiences"),
            term_options(page, tx.audiences()),
            &t.audiences,
        ),
        choices(
            "itss_fields",
            ("ITSS+ セキュリティ領域", "ITSS+ security fields"),
            itss,
            &t.itss_fields,
        ),
        field(
            "syllabus_items",
            (
                "情報処理安全確保支援士シラバスの項目（該当する場合）",
                "RISS syllabus items (where relevant)",
            ),
            "text",
            &t.syllabus_items,
        )
        .hint(&tr(
            "項目番号を読点かコンマで区切って（例：3-1、3-8）。",
            "Item numbers separated by commas (e.g. 3-1, 3-8).",
        )),
        one_of(
            "kind",
            ("種別", "Kind"),
            "select",
            &t.kind,
            term_options(page, tx.kinds()),
        ),
        one_of(
            "difficulty",
            ("難易度", "Level"),
            "select",
            &t.difficulty,
            term_options(page, tx.difficulties()),
        ),
        one_of(
            "format",
            ("形式", "Format"),
            "select",
            &t.format,
            term_options(page, tx.formats()),
        ),
        one_of(
            "language",
            ("言語", "Language"),
            "radio",
            &or("ja", &t.language),
            vec![
                ("ja".into(), tr("日本語", "Japanese")),
                ("en".into(), tr("英語", "English")),
            ],
        ),
        field(
            "duration_ja",
            (
                "期間・時間（例：2日間、全6時間）",
                "Duration (e.g. two days)",
            ),
            "text",
            &t.duration_ja,
        )
        .heading(&tr("期間と費用", "Duration and fee")),
        field(
            "duration_en",
            ("期間・時間（英語）", "Duration in English"),
            "text",
            &t.duration_en,
        ),
        field(
            "total_hours",
            ("総時間数（例：6.5、6時間30分）", "Total hours (e.g. 6.5)"),
            "text",
            &t.total_hours,
        ),
        field(
            "frequency_ja",
            ("実施頻度（例：毎月、年2回）", "Frequency (e.g. monthly)"),
            "text",
            &t.frequency_ja,
        ),
        one_of(
            "fee_type",
            ("費用", "Fee"),
            "radio",
            &or("free", &t.fee_type),
            vec![
                ("free".into(), tr("無料", "Free")),
                ("fixed".into(), tr("定額", "A fixed amount")),
                ("range".into(), tr("金額に幅がある", "A range")),
                (
                    "conditional".into(),
                    tr("条件による（説明を下に）", "Depends (explained below)"),
                ),
                ("undisclosed".into(), tr("公表していない", "Not disclosed")),
            ],
        ),
        field(
            "fee_yen",
            (
                "金額（定額）・下限（範囲）",
                "Amount (fixed) or lowest (range)",
            ),
            "text",
            &t.fee_yen,
        )
        .hint(&tr(
            "例：77,000、¥77,000、77000円（税込）",
            "E.g. 77,000 or ¥77,000 (tax included)",
        )),
        field(
            "fee_max_yen",
            ("上限（範囲）", "Highest (range)"),
            "text",
            &t.fee_max_yen,
        ),
        field(
            "fee_note_ja",
            (
                "費用の説明（条件による場合）",
                "How the fee is set (if it depends)",
            ),
            "textarea",
            &t.fee_note_ja,
        ),
        field(
            "eligibility_ja",
            ("対象・参加条件", "Who may apply"),
            "textarea",
            &t.eligibility_ja,
        )
        .heading(&tr(
            "申し込む前に知っておくこと",
            "What learners need to know before applying",
        )),
        field(
            "eligibility_en",
            ("対象・参加条件（英語）", "Who may apply, in English"),
            "textarea",
            &t.eligibility_en,
        ),
        field(
            "url",
            ("講座のページ（URL）", "The programme's web page (URL)"),
            "url",
            &t.url,
        ),
        field(
            "accessibility_ja",
            (
                "配慮事項（障害のある方への対応など）",
                "Accessibility arrangements",
            ),
            "textarea",
            &t.accessibility_ja,
        ),
        field(
            "inquiry_ja",
            ("問合せ先（公開）", "Inquiries (published)"),
            "textarea",
            &t.inquiry_ja,
        )
        .hint(&tr(
            "窓口の名称とメールアドレスか電話番号。公開するには必要です（A04）。",
            "The desk's name and an e-mail address or phone number; needed to publish (A04).",
        )),
        field(
            "complaint_ja",
            ("苦情の受付先（公開）", "Complaints (published)"),
            "textarea",
            &t.complaint_ja,
        ),
    ]
}

fn programme_form(
    state: &AppState,
    page: PageCtx,
    title: &str,
    action: &str,
    text: &ProgrammeText,
    errors: &[ValidationError],
) -> FormPage {
    let mut form = FormPage::new(page.clone(), title, action, page.t("保存する", "Save"));
    form.intro.push(
        page.t(
            "保存しただけでは公開されません（公開中の講座は、保存するとすぐに公開ページに反映されます）。公開は講座の管理画面から行います。",
            "Saving does not publish a draft (a published programme shows the change at once). Publish from the programme's page.",
        )
        .to_owned(),
    );
    form.fields = programme_fields(state, &page, text);
    form.with_errors(errors)
}

pub async fn new_form(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(org_id): Path<String>,
) -> Result<Response, AppError> {
    let org = organisation(&state, &auth, &org_id, true).await?;
    // The organisation's published desks, as its registration gives them (B24).
    let desks = &org.organisation.responsible;
    let text = ProgrammeText {
        inquiry_ja: reach(&desks.inquiry_desk),
        complaint_ja: reach(&desks.complaints_desk),
        ..ProgrammeText::default()
    };
    let form = programme_form(
        &state,
        page.clone(),
        page.t("講座を登録する", "List a programme"),
        &base(&org.id),
        &text,
        &[],
    );
    rendered(StatusCode::OK, form)
}

pub async fn create(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(org_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor) = editor(&state, &auth, &org_id).await?;
    let text = Pairs::parse(&body)?.programme();
    let refused = |errors: &[ValidationError]| {
        rendered(
            StatusCode::BAD_REQUEST,
            programme_form(
                &state,
                page.clone(),
                page.t("講座を登録する", "List a programme"),
                &base(&org.id),
                &text,
                errors,
            ),
        )
    };
    let id = listings::new_programme_id();
    let programme = match text.parse(id, provider_slug(&org.organisation)?) {
        Ok(p) => p,
        Err(errors) => return refused(&errors),
    };
    match listings::create(&state.workflow, &org.id, programme, &actor).await? {
        Ok(id) => Ok(Redirect::to(&format!(
            "{}?done=created",
            page.href(&format!("{}/{id}", base(&org.id)))
        ))
        .into_response()),
        Err(errors) => refused(&errors),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RevisionQuery {
    /// The revision the form was drawn from: a save of an older one is a conflict.
    revision: i64,
    done: String,
    /// A session to copy into the new session form, a month later.
    copy: String,
}

pub async fn edit_form(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((org_id, programme)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let org = organisation(&state, &auth, &org_id, true).await?;
    let Owned::Listing(l) = owned(&state, &org, &programme).await? else {
        return Err(designated_facts_locked());
    };
    let form = programme_form(
        &state,
        page.clone(),
        page.t("講座の内容を編集する", "Edit the programme"),
        &format!("{}/{programme}/edit?revision={}", base(&org.id), l.revision),
        &ProgrammeText::of(&l.item.programme),
        &[],
    );
    rendered(StatusCode::OK, form)
}

fn designated_facts_locked() -> AppError {
    AppError::Invalid(ValidationError::new(
        "listing.designated",
        "特定講習の内容は、変更届（様式第3号）で変更します。開催日程はこの画面で編集できます。",
        "A designated course's facts change through a change notice (様式第3号); its sessions are edited here.",
    ))
}

pub async fn update(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((org_id, programme)): Path<(String, String)>,
    Query(q): Query<RevisionQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor) = editor(&state, &auth, &org_id).await?;
    let Owned::Listing(l) = owned(&state, &org, &programme).await? else {
        return Err(designated_facts_locked());
    };
    let text = Pairs::parse(&body)?.programme();
    let refused = |errors: &[ValidationError]| {
        rendered(
            StatusCode::BAD_REQUEST,
            programme_form(
                &state,
                page.clone(),
                page.t("講座の内容を編集する", "Edit the programme"),
                &format!("{}/{programme}/edit?revision={}", base(&org.id), q.revision),
                &text,
                errors,
            ),
        )
    };
    let parsed = match text.parse(
        l.item.programme.id.clone(),
        l.item.programme.provider.clone(),
    ) {
        Ok(p) => p,
        Err(errors) => return refused(&errors),
    };
    match listings::save(&state.workflow, parsed, q.revision, &actor).await? {
        Ok(_) => done(&state, &page, &org, &programme, "saved").await,
        Err(errors) => refused(&errors),
    }
}

// The management page.

struct SessionView {
    date: String,
    place: String,
    seats: String,
    deadline: String,
    cancelled: bool,
    edit: String,
    copy: String,
    cancel: String,
    /// Setting up its applications and attendance (issue 15): once the session is public.
    delivery: Option<String>,
}

/// One entry of the programme's history.
struct Change {
    at: String,
    what: String,
    who: String,
}

#[derive(Template)]
#[template(path = "listing.html")]
struct ManagePage {
    page: PageCtx,
    title: String,
    list_href: String,
    state: String,
    /// `None` for a designated course.
    state_code: Option<&'static str>,
    designation: Option<String>,
    revision: i64,
    can_edit: bool,
    editable: bool,
    public_href: Option<String>,
    preview_href: String,
    edit_href: Option<String>,
    new_session_href: String,
    moves: Vec<(String, String, bool)>,
    notice: Option<String>,
    /// The ministry hid it from the catalogue: its reason.
    hidden: Option<String>,
    problems: Vec<String>,
    sessions: Vec<SessionView>,
    history: Vec<Change>,
}

fn change_label(page: &PageCtx, action: &str) -> String {
    match action {
        "listing.create" => page.t("登録（下書き）", "Listed as a draft"),
        "listing.save" => page.t("内容の保存", "Saved"),
        "listing.publish" => page.t("公開", "Published"),
        "listing.unpublish" => page.t("非公開にした", "Unpublished"),
        "listing.withdraw" => page.t("掲載終了", "Withdrawn"),
        "listing.sessions" | "programme.upsert" => page.t(
            "開催日程・公開内容の更新",
            "Sessions or public content updated",
        ),
        "programme.remove" => page.t("公開ページから削除", "Taken out of the catalogue"),
        _ => page.t("変更", "Changed"),
    }
    .to_owned()
}

async fn manage_page(
    state: &AppState,
    auth: &AuthContext,
    page: PageCtx,
    org: &OrganisationRecord,
    owned: &Owned,
    notice: Option<String>,
    problems: &[ValidationError],
) -> Result<ManagePage, AppError> {
    let item = owned.item();
    let p = &item.programme;
    let here = format!("{}/{}", base(&org.id), p.id);
    let can_edit = auth.require(Action::EditProgrammes(&org.id)).is_ok();
    let (state_label, state_code, revision, editable, public) = match owned {
        Owned::Listing(l) => (
            page.t(l.state.label_ja(), l.state.label_en()).to_owned(),
            Some(l.state.code()),
            l.revision,
            l.state.editable(),
            l.state == ListingState::Published,
        ),
        Owned::Designated(_) => (
            page.t("公開中", "Published").to_owned(),
            None,
            0,
            true,
            true,
        ),
    };
    let moves = match owned {
        Owned::Listing(l) if can_edit => [
            (
                ListingMove::Publish,
                "publish",
                page.t("公開する", "Publish"),
                false,
            ),
            (
                ListingMove::Unpublish,
                "unpublish",
                page.t("非公開にする", "Unpublish"),
                false,
            ),
            (
                ListingMove::Withdraw,
                "withdraw",
                page.t("掲載を終了する", "Withdraw"),
                true,
            ),
        ]
        .into_iter()
        .filter(|(m, ..)| l.state.after(*m).is_ok())
        .map(|(_, code, label, danger)| {
            (
                page.href(&format!("{here}/{code}?revision={revision}")),
                label.to_owned(),
                danger,
            )
        })
        .collect(),
        _ => Vec::new(),
    };
    let sessions = item
        .sessions
        .iter()
        .map(|s| {
            let place = match (s.online, s.prefecture) {
                (true, Some(pref)) => format!(
                    "{} / {}",
                    state.taxonomy.prefecture(pref).name.pick(page.lang.is_en()),
                    page.t("オンライン", "Online")
                ),
                (true, None) => page.t("オンライン", "Online").to_owned(),
                (false, Some(pref)) => state
                    .taxonomy
                    .prefecture(pref)
                    .name
                    .pick(page.lang.is_en())
                    .to_owned(),
                (false, None) => String::new(),
            };
            let venue = [s.city.as_deref(), s.venue.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            SessionView {
                date: view::date_span(page.lang, s.starts_on, s.ends_on),
                place: [place, venue]
                    .into_iter()
                    .filter(|x| !x.is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
                seats: match (s.capacity, s.seats_left) {
                    (Some(c), Some(l)) => format!("{l} / {c}"),
                    (Some(c), None) => c.to_string(),
                    (None, Some(l)) => l.to_string(),
                    (None, None) => "—".into(),
                },
                deadline: s
                    .application_deadline
                    .map_or_else(|| "—".into(), |d| view::date(page.lang, d)),
                cancelled: s.cancelled,
                edit: page.href(&format!("{here}/sessions/{}", s.id)),
                copy: page.href(&format!("{here}/sessions/new?copy={}", s.id)),
                cancel: page.href(&format!("{here}/sessions/{}/cancel", s.id)),
                delivery: (public && !s.cancelled).then(|| {
                    page.href(&format!(
                        "/organisations/{}/sessions/{}/delivery",
                        org.id, s.id
                    ))
                }),
            }
        })
        .collect();
    let subjects = [format!("listing:{}", p.id), format!("programme:{}", p.id)];
    let subjects: Vec<&str> = subjects.iter().map(String::as_str).collect();
    let mut history = Vec::new();
    for e in state.store.audit_entries_about(&subjects, 50).await? {
        let who = match e.event.actor.strip_prefix("account:") {
            Some(id) => state
                .store
                .account(id)
                .await?
                .map_or_else(|| e.event.actor.clone(), |a| a.display_name),
            None => page.t("システム", "System").to_owned(),
        };
        history.push(Change {
            at: view::date_time(page.lang, e.event.at),
            what: change_label(&page, &e.event.action),
            who,
        });
    }
    let problems = problems
        .iter()
        .map(|e| {
            let text = page.t(&e.message_ja, &e.message_en);
            match e.field.as_deref().map(|f| field_label(&page, f)) {
                Some(label) => format!("{label}：{text}"),
                None => text.to_owned(),
            }
        })
        .collect();
    let hidden = state.store.hiding(p.id.as_str()).await?.map(|h| {
        format!(
            "{}（{}）",
            h.reason,
            view::date_time(page.lang, h.hidden_at)
        )
    });
    Ok(ManagePage {
        hidden,
        title: p.title_ja.clone(),
        list_href: page.href(&base(&org.id)),
        state: state_label,
        state_code,
        designation: p.designation.as_ref().map(|d| {
            format!(
                "{}（{}）",
                d.number,
                view::date_span(page.lang, d.starts_on, d.ends_on)
            )
        }),
        revision,
        can_edit,
        editable,
        public_href: public.then(|| page.href(&format!("/programmes/{}", p.id))),
        preview_href: page.href(&format!("{here}/preview")),
        edit_href: matches!(owned, Owned::Listing(_)).then(|| page.href(&format!("{here}/edit"))),
        new_session_href: page.href(&format!("{here}/sessions/new")),
        moves,
        notice,
        problems,
        sessions,
        history,
        page,
    })
}

/// A field as the programme form labels it (`sessions[0].ends_on` as the session's end date).
fn field_label(page: &PageCtx, field: &str) -> String {
    let (prefix, name) = match field.split_once("].") {
        Some((s, name)) => {
            let n = s
                .trim_start_matches("sessions[")
                .parse::<usize>()
                .map_or(0, |n| n + 1);
            (
                if page.lang.is_en() {
                    format!("Session {n}: ")
                } else {
                    format!("開催回{n}：")
                },
                name,
            )
        }
        None => (String::new(), field.split('[').next().unwrap_or(field)),
    };
    let label = match name {
        "title_ja" => page.t("講座名", "Title"),
        "summary_ja" => page.t("概要", "Summary"),
        "purpose_ja" => page.t("目的", "Purpose"),
        "layers" => page.t("対象とする人材層", "Target layers"),
        "audiences" => page.t("対象者", "Audiences"),
        "itss_fields" => page.t("ITSS+ セキュリティ領域", "ITSS+ security fields"),
        "syllabus_items" => page.t("シラバスの項目", "Syllabus items"),
        "kind" => page.t("種別", "Kind"),
        "difficulty" => page.t("難易度", "Level"),
        "format" => page.t("形式", "Format"),
        "duration_ja" => page.t("期間・時間", "Duration"),
        "fee" | "fee_yen" | "fee_max_yen" => page.t("費用", "Fee"),
        "url" => page.t("講座のページ", "Web page"),
        "inquiry_ja" => page.t("問合せ先", "Inquiries"),
        "starts_on" => page.t("開始日", "Start date"),
        "ends_on" => page.t("終了日", "End date"),
        "prefecture" => page.t("都道府県", "Prefecture"),
        "seats_left" => page.t("残席数", "Seats left"),
        "application_deadline" => page.t("申込締切", "Application deadline"),
        _ => page.t("項目", "A field"),
    };
    format!("{prefix}{label}")
}

pub async fn show(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((org_id, programme)): Path<(String, String)>,
    Query(q): Query<RevisionQuery>,
) -> Result<Response, AppError> {
    let org = organisation(&state, &auth, &org_id, false).await?;
    let owned = owned(&state, &org, &programme).await?;
    let notice = match q.done.as_str() {
        "created" => Some(page.t(
            "下書きとして登録しました。開催日程を加え、プレビューで確かめてから公開してください。",
            "Listed as a draft. Add sessions, check the preview, then publish.",
        )),
        "saved" => Some(page.t("保存しました。", "Saved.")),
        "publish" => Some(page.t(
            "公開しました。講座検索に表示されます。",
            "Published: it is in the catalogue's search now.",
        )),
        "unpublish" => Some(page.t(
            "非公開にしました。公開ページと検索から外れました。",
            "Unpublished: it has left the public pages and search.",
        )),
        "withdraw" => Some(page.t("掲載を終了しました。", "Withdrawn.")),
        "session" => Some(page.t("開催日程を保存しました。", "The session is saved.")),
        "cancelled" => Some(page.t(
            "開催回を中止にしました。公開ページには「中止」と表示されます。",
            "The session is cancelled: the public page shows it as cancelled.",
        )),
        _ => None,
    }
    .map(str::to_owned);
    let view = manage_page(&state, &auth, page, &org, &owned, notice, &[]).await?;
    rendered(StatusCode::OK, view)
}

pub async fn preview(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((org_id, programme)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let org = organisation(&state, &auth, &org_id, false).await?;
    let owned = owned(&state, &org, &programme).await?;
    let item = owned.item().clone();
    let updated_on = match &owned {
        Owned::Listing(l) => l.updated_at.to_offset(koshu_workflow::JST).date(),
        Owned::Designated(_) => view::today(&state),
    };
    let provider: Provider = provider_of(&org.organisation)?;
    let listing = koshu_search::Listing {
        programme: item.programme,
        provider_name_ja: provider.name_ja,
        provider_name_en: provider.name_en,
        provider_url: provider.url,
        sessions: item.sessions,
        updated_on,
    };
    let back = page.href(&format!("{}/{programme}", base(&org.id)));
    let view = super::programme_page(&state, page, &listing, Some(back), &[], &[]);
    rendered(StatusCode::OK, view)
}

/// Publish, unpublish or withdraw, from the management page.
pub async fn change_state(
    state: AppState,
    auth: AuthContext,
    page: PageCtx,
    org_id: String,
    programme: String,
    revision: i64,
    m: ListingMove,
) -> Result<Response, AppError> {
    let (org, actor) = editor(&state, &auth, &org_id).await?;
    let owned = owned(&state, &org, &programme).await?;
    if !matches!(owned, Owned::Listing(_)) {
        return Err(designated_facts_locked());
    }
    match listings::change_state(&state.workflow, &programme, revision, m, &actor).await? {
        Ok(_) => {
            let what = match m {
                ListingMove::Publish => "publish",
                ListingMove::Unpublish => "unpublish",
                ListingMove::Withdraw => "withdraw",
            };
            done(&state, &page, &org, &programme, what).await
        }
        Err(errors) => {
            let view = manage_page(&state, &auth, page, &org, &owned, None, &errors).await?;
            rendered(StatusCode::BAD_REQUEST, view)
        }
    }
}

macro_rules! move_handler {
    ($name:ident, $move:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            auth: AuthContext,
            page: PageCtx,
            Path((org_id, programme)): Path<(String, String)>,
            Query(q): Query<RevisionQuery>,
        ) -> Result<Response, AppError> {
            change_state(state, auth, page, org_id, programme, q.revision, $move).await
        }
    };
}

move_handler!(publish, ListingMove::Publish);
move_handler!(unpublish, ListingMove::Unpublish);
move_handler!(withdraw, ListingMove::Withdraw);

// Sessions.

fn session_fields(state: &AppState, page: &PageCtx, t: &SessionText) -> Vec<FormField> {
    let tr = |ja: &str, en: &str| page.t(ja, en).to_owned();
    let field = |name: &str, (ja, en): (&str, &str), kind: &'static str, value: &str| {
        FormField::new(name, &tr(ja, en), kind)
            .value(value)
            .optional()
    };
    let mut prefectures = vec![(
        String::new(),
        tr("（会場なし・オンラインのみ）", "(no venue: online only)"),
    )];
    prefectures.extend(
        state
            .taxonomy
            .prefectures()
            .iter()
            .map(|p| (p.code.code(), p.name.pick(page.lang.is_en()).to_owned())),
    );
    let mut starts = field("starts_on", ("開始日", "Start date"), "date", &t.starts_on);
    starts.required = true;
    vec![
        starts,
        field(
            "ends_on",
            ("終了日（1日のみなら空欄）", "End date (empty for one day)"),
            "date",
            &t.ends_on,
        ),
        field(
            "prefecture",
            ("会場の都道府県", "Venue: prefecture"),
            "select",
            &t.prefecture,
        )
        .options(prefectures),
        field("city", ("市区町村", "City"), "text", &t.city),
        field("venue", ("会場名", "Venue"), "text", &t.venue),
        field(
            "online",
            ("オンラインで参加できる", "Can be attended online"),
            "checkbox",
            if t.online { "true" } else { "" },
        ),
        field("capacity", ("定員", "Places"), "number", &t.capacity),
        field(
            "seats_left",
            ("残席数", "Seats left"),
            "number",
            &t.seats_left,
        )
        .hint(&tr(
            "0 にすると満席として表示され、「受付中」の検索から外れます。",
            "0 shows the session as full and takes it out of the 'open' search.",
        )),
        field(
            "application_deadline",
            ("申込締切", "Application deadline"),
            "date",
            &t.application_deadline,
        ),
        field(
            "note_ja",
            ("備考（公開）", "Note (published)"),
            "textarea",
            &t.note_ja,
        ),
    ]
}

fn session_form(
    state: &AppState,
    page: PageCtx,
    title: &str,
    action: &str,
    text: &SessionText,
    errors: &[ValidationError],
) -> FormPage {
    let mut form = FormPage::new(page.clone(), title, action, page.t("保存する", "Save"));
    form.fields = session_fields(state, &page, text);
    form.with_errors(errors)
}

pub async fn new_session_form(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((org_id, programme)): Path<(String, String)>,
    Query(q): Query<RevisionQuery>,
) -> Result<Response, AppError> {
    let org = organisation(&state, &auth, &org_id, true).await?;
    let owned = owned(&state, &org, &programme).await?;
    let item = owned.item();
    let text = match item.sessions.iter().find(|s| s.id.as_str() == q.copy) {
        Some(s) => {
            let id = next_session_id(&item.programme.id, &item.sessions)?;
            SessionText::of(&a_month_later(s, id))
        }
        None => SessionText::default(),
    };
    let title = if q.copy.is_empty() {
        page.t("開催回を追加する", "Add a session")
    } else {
        page.t(
            "開催回を追加する（1か月後の同じ内容から）",
            "Add a session (copied, a month later)",
        )
    };
    let form = session_form(
        &state,
        page.clone(),
        title,
        &format!("{}/{programme}/sessions/new", base(&org.id)),
        &text,
        &[],
    );
    rendered(StatusCode::OK, form)
}

/// Applies one session change through the use case for the programme's kind.
async fn change_session(
    state: &AppState,
    owned: &Owned,
    change: SessionChange,
    actor: &str,
) -> Result<Result<Slug, Vec<ValidationError>>, AppError> {
    let id = owned.item().programme.id.as_str();
    Ok(match owned {
        Owned::Listing(_) => listings::change_session(&state.workflow, id, change, actor).await?,
        Owned::Designated(_) => {
            listings::change_designated_session(&state.workflow, id, change, actor).await?
        }
    })
}

async fn save_session(
    state: AppState,
    auth: AuthContext,
    page: PageCtx,
    org_id: String,
    programme: String,
    session: Option<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor) = editor(&state, &auth, &org_id).await?;
    let owned = owned(&state, &org, &programme).await?;
    let text = Pairs::parse(&body)?.session();
    let action = match &session {
        Some(s) => format!("{}/{programme}/sessions/{s}", base(&org.id)),
        None => format!("{}/{programme}/sessions/new", base(&org.id)),
    };
    let title = match session {
        Some(_) => page.t("開催回を編集する", "Edit the session"),
        None => page.t("開催回を追加する", "Add a session"),
    };
    let refused = |errors: &[ValidationError]| {
        rendered(
            StatusCode::BAD_REQUEST,
            session_form(&state, page.clone(), title, &action, &text, errors),
        )
    };
    let programme_id = owned.item().programme.id.clone();
    let id = match &session {
        Some(s) => Slug::parse(s).map_err(|_| AppError::NotFound)?,
        // Given anew when it is added.
        None => next_session_id(&programme_id, &owned.item().sessions)?,
    };
    let parsed = match text.parse(id, programme_id) {
        Ok(s) => s,
        Err(errors) => return refused(&errors),
    };
    let change = match session {
        Some(_) => SessionChange::Edit(parsed),
        None => SessionChange::Add(parsed),
    };
    match change_session(&state, &owned, change, &actor).await? {
        Ok(_) => done(&state, &page, &org, &programme, "session#sessions").await,
        Err(errors) => refused(&errors),
    }
}

pub async fn add_session(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((org_id, programme)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    save_session(state, auth, page, org_id, programme, None, body).await
}

pub async fn edit_session_form(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((org_id, programme, session)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let org = organisation(&state, &auth, &org_id, true).await?;
    let owned = owned(&state, &org, &programme).await?;
    let s = owned
        .item()
        .sessions
        .iter()
        .find(|s| s.id.as_str() == session)
        .ok_or(AppError::NotFound)?;
    let form = session_form(
        &state,
        page.clone(),
        page.t("開催回を編集する", "Edit the session"),
        &format!("{}/{programme}/sessions/{session}", base(&org.id)),
        &SessionText::of(s),
        &[],
    );
    rendered(StatusCode::OK, form)
}

pub async fn edit_session(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((org_id, programme, session)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    save_session(state, auth, page, org_id, programme, Some(session), body).await
}

pub async fn cancel_session(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((org_id, programme, session)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let (org, actor) = editor(&state, &auth, &org_id).await?;
    let owned = owned(&state, &org, &programme).await?;
    let id = Slug::parse(&session).map_err(|_| AppError::NotFound)?;
    match change_session(&state, &owned, SessionChange::Cancel(id), &actor).await? {
        Ok(_) => done(&state, &page, &org, &programme, "cancelled#sessions").await,
        Err(errors) => {
            let view = manage_page(&state, &auth, page, &org, &owned, None, &errors).await?;
            rendered(StatusCode::BAD_REQUEST, view)
        }
    }
}

// The spreadsheet upload (issue 14 item 2): a template, a check that names every problem by
// sheet, row and column, then the whole file applied at once or not at all.

struct UploadProblem {
    sheet: String,
    row: String,
    column: String,
    message: String,
}

#[derive(Template)]
#[template(path = "listings_upload.html")]
struct UploadPage {
    page: PageCtx,
    org_name: String,
    list_href: String,
    action: String,
    apply_action: String,
    template_xlsx: String,
    template_csv: String,
    fields: Vec<FormField>,
    general_errors: Vec<String>,
    problems: Vec<UploadProblem>,
    /// After a check without problems: what applying does, and the kept file to apply.
    summary: Option<(listings::UploadSummary, String)>,
}

impl UploadPage {
    fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

fn upload_page(
    page: PageCtx,
    org: &OrganisationRecord,
    errors: &[ValidationError],
    problems: Vec<UploadProblem>,
    summary: Option<(listings::UploadSummary, String)>,
) -> UploadPage {
    let here = format!("{}/upload", base(&org.id));
    let mut fields = vec![
        FormField::new("file", page.t("記入したファイル（Excel または CSV）", "The filled file (Excel or CSV)"), "file").hint(page.t(
            "テンプレートに記入した .xlsx（講座と開催回）か .csv（講座のみ）。まず内容を確認し、問題がなければ反映します。",
            "The template filled in, as .xlsx (programmes and sessions) or .csv (programmes only). It is checked first; apply it once nothing is wrong.",
        )),
    ];
    let general = super::forms::attach_errors(&mut fields, &page, errors);
    UploadPage {
        org_name: org.organisation.name_ja.clone(),
        list_href: page.href(&base(&org.id)),
        action: page.href(&here),
        apply_action: page.href(&format!("{here}/apply")),
        template_xlsx: page.href(&format!("{here}/template.xlsx")),
        template_csv: page.href(&format!("{here}/template.csv")),
        fields,
        general_errors: general,
        problems,
        summary,
        page,
    }
}

pub async fn upload_form(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(org_id): Path<String>,
) -> Result<Response, AppError> {
    let org = organisation(&state, &auth, &org_id, true).await?;
    rendered(
        StatusCode::OK,
        upload_page(page, &org, &[], Vec::new(), None),
    )
}

pub async fn template_xlsx(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(org_id): Path<String>,
) -> Result<Response, AppError> {
    organisation(&state, &auth, &org_id, true).await?;
    let taxonomy = std::sync::Arc::clone(&state.taxonomy);
    let bytes = tokio::task::spawn_blocking(move || koshu_forms::catalogue::template(&taxonomy))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename*=UTF-8''%E8%AC%9B%E5%BA%A7%E7%99%BB%E9%8C%B2%E3%83%86%E3%83%B3%E3%83%97%E3%83%AC%E3%83%BC%E3%83%88.xlsx",
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn template_csv(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(org_id): Path<String>,
) -> Result<Response, AppError> {
    organisation(&state, &auth, &org_id, true).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename*=UTF-8''%E8%AC%9B%E5%BA%A7%E7%99%BB%E9%8C%B2%E3%83%86%E3%83%B3%E3%83%97%E3%83%AC%E3%83%BC%E3%83%88.csv",
            ),
        ],
        koshu_forms::catalogue::template_csv(),
    )
        .into_response())
}

/// The file read and checked: the programmes to write, or every problem by cell.
async fn check_upload(
    state: &AppState,
    page: &PageCtx,
    org: &OrganisationRecord,
    name: &str,
    bytes: &[u8],
    apply: bool,
    actor: &str,
) -> Result<Result<listings::UploadSummary, Vec<UploadProblem>>, AppError> {
    use koshu_forms::catalogue::{
        SHEET_PROGRAMMES, SHEET_SESSIONS, column_of, read_csv, read_xlsx,
    };
    let taxonomy = std::sync::Arc::clone(&state.taxonomy);
    let csv = name.to_ascii_lowercase().ends_with(".csv");
    let owned = bytes.to_vec();
    let read = tokio::task::spawn_blocking(move || {
        if csv {
            read_csv(&owned, &taxonomy)
        } else {
            read_xlsx(&owned, &taxonomy)
        }
    })
    .await
    .map_err(AppError::internal)?;
    let cell = |sheet: &str, row: u32, column: String, ja: &str, en: &str| UploadProblem {
        sheet: sheet.to_owned(),
        row: if row == 0 {
            String::new()
        } else {
            row.to_string()
        },
        column,
        message: page.t(ja, en).to_owned(),
    };
    let rows = match read {
        Ok(rows) => rows,
        Err(problems) => {
            return Ok(Err(problems
                .into_iter()
                .map(|p| cell(&p.sheet, p.row, p.column, &p.message_ja, &p.message_en))
                .collect()));
        }
    };
    let provider = provider_slug(&org.organisation)?;
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for r in &rows {
        let id = listings::uploaded_programme_id(&org.id, &r.key);
        let programme = match r.text.parse(id.clone(), provider.clone()) {
            Ok(p) => p,
            Err(errors) => {
                for e in errors {
                    let field = e.field.clone().unwrap_or_default();
                    problems.push(cell(
                        SHEET_PROGRAMMES,
                        r.row,
                        column_of(SHEET_PROGRAMMES, &field),
                        &e.message_ja,
                        &e.message_en,
                    ));
                }
                continue;
            }
        };
        let mut sessions = Vec::new();
        for (n, s) in r.sessions.iter().enumerate() {
            let sid = Slug::parse(&format!("{id}-{:03}", n + 1)).map_err(AppError::Invalid)?;
            match s.text.parse(sid, id.clone()) {
                Ok(session) => sessions.push(session),
                Err(errors) => {
                    for e in errors {
                        let field = e.field.clone().unwrap_or_default();
                        problems.push(cell(
                            SHEET_SESSIONS,
                            s.row,
                            column_of(SHEET_SESSIONS, &field),
                            &e.message_ja,
                            &e.message_en,
                        ));
                    }
                }
            }
        }
        items.push(listings::Uploaded {
            item: ProgrammeWithSessions {
                programme,
                sessions,
            },
            publish: r.publish,
        });
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    match listings::upload(&state.workflow, &org.id, &items, apply, actor).await? {
        Ok(summary) => Ok(Ok(summary)),
        Err(errors) => Ok(Err(errors
            .into_iter()
            .map(|(i, e)| {
                let field = e.field.clone().unwrap_or_default();
                let r = &rows[i];
                // A session's field: `sessions[n].ends_on`, on the 開催回 sheet.
                match field
                    .strip_prefix("sessions[")
                    .and_then(|f| f.split_once("]."))
                {
                    Some((n, f)) => {
                        let row = n
                            .parse::<usize>()
                            .ok()
                            .and_then(|n| r.sessions.get(n))
                            .map_or(0, |s| s.row);
                        cell(
                            SHEET_SESSIONS,
                            row,
                            column_of(SHEET_SESSIONS, f),
                            &e.message_ja,
                            &e.message_en,
                        )
                    }
                    None => cell(
                        SHEET_PROGRAMMES,
                        r.row,
                        column_of(SHEET_PROGRAMMES, &field),
                        &e.message_ja,
                        &e.message_en,
                    ),
                }
            })
            .collect())),
    }
}

pub async fn upload(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(org_id): Path<String>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let (org, actor) = editor(&state, &auth, &org_id).await?;
    let file = super::forms::uploaded_file(form, "file").await;
    let Some((name, bytes)) = file else {
        let error = ValidationError::new(
            "upload.file",
            "記入したファイル（.xlsx か .csv）を選んでください。",
            "Choose the filled file (.xlsx or .csv).",
        )
        .for_field("file");
        return rendered(
            StatusCode::BAD_REQUEST,
            upload_page(page, &org, &[error], Vec::new(), None),
        );
    };
    match check_upload(&state, &page, &org, &name, &bytes, false, &actor).await? {
        Err(problems) => rendered(
            StatusCode::BAD_REQUEST,
            upload_page(page, &org, &[], problems, None),
        ),
        Ok(summary) => {
            let kept = listings::keep_upload(&state.workflow, &name, bytes, &actor).await?;
            rendered(
                StatusCode::OK,
                upload_page(page, &org, &[], Vec::new(), Some((summary, kept.id))),
            )
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    file: String,
}

pub async fn apply_upload(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(org_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor) = editor(&state, &auth, &org_id).await?;
    let form: ApplyForm = super::forms::parse(&body)?;
    let (file, bytes) = state
        .store
        .open_file(&form.file)
        .await
        .map_err(|_| AppError::NotFound)?;
    // Only the person who uploaded it applies it.
    if file.created_by != actor {
        return Err(AppError::NotFound);
    }
    match check_upload(&state, &page, &org, &file.file_name, &bytes, true, &actor).await? {
        Err(problems) => rendered(
            StatusCode::BAD_REQUEST,
            upload_page(page, &org, &[], problems, None),
        ),
        Ok(s) => {
            super::catch_up_index(&state).await;
            Ok(Redirect::to(&format!(
                "{}?done=uploaded&created={}&updated={}&unchanged={}",
                page.href(&base(&org.id)),
                s.created,
                s.updated,
                s.unchanged
            ))
            .into_response())
        }
    }
}

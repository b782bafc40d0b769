//! The pages people read. Each handler gathers data, shapes it into a view, renders a template.

pub mod account;
pub mod admin;
pub mod applications;
pub mod board;
pub mod completion;
pub mod credentials;
pub mod delivery;
pub mod forms;
pub mod holder;
mod json_ld;
pub mod learning;
pub mod listings;
pub mod moderation;
pub mod notices;
pub mod organisations;
pub mod passkeys;
pub mod progress;
pub mod provider;
pub mod registry;
pub mod reports;
pub mod reviews;
pub mod search;
pub mod sessions;
pub mod survey;
pub mod vc_api;

use crate::AppState;
use crate::auth::AuthContext;
use crate::error::{AppError, ErrorBody};
use crate::lang::{Lang, PagePath};
use crate::view::{self, Labels, PageCtx};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use koshu_domain::catalogue::Slug;
use koshu_domain::catalogue::listing::a05_information_may_be_stale;
use koshu_domain::catalogue::quality::{DeliveredRecord, QualitySignals, a05_quality_signals};
use koshu_domain::catalogue::search::Facet;
use koshu_domain::delivery::survey::MIN_RESPONSES;

type PageResult = Result<Html<String>, AppError>;

/// Follows the catalogue's change feed now, after a write that changes what is public, so the
/// person's next search sees it; the background follower would within a second anyway.
pub(crate) async fn catch_up_index(state: &AppState) {
    if let Err(e) = state.catalogue.catch_up().await {
        tracing::warn!(error = %e, "catalogue index not caught up after a change");
    }
}

/// A rendered page with its status.
pub(crate) fn rendered(
    status: axum::http::StatusCode,
    page: impl Template,
) -> Result<Response, AppError> {
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    page: PageCtx,
    title: &'a str,
    error: &'a ErrorBody,
    /// Where the up-to-date page is, after a conflict.
    reload: Option<String>,
}

impl<'a> ErrorPage<'a> {
    pub fn new(
        lang: Lang,
        path: &PagePath,
        auth: Option<&AuthContext>,
        title: &'a str,
        error: &'a ErrorBody,
    ) -> Self {
        Self {
            page: PageCtx::new(lang, path, auth),
            title,
            error,
            reload: None,
        }
    }

    pub fn with_reload(mut self, reload: Option<String>) -> Self {
        self.reload = reload;
        self
    }

    fn message(&self) -> &str {
        self.page.t(&self.error.message_ja, &self.error.message_en)
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

pub struct EntryLink {
    label: String,
    href: String,
    count: usize,
}

pub struct EntryGroup {
    heading: &'static str,
    links: Vec<EntryLink>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: PageCtx,
    programme_total: usize,
    session_total: usize,
    groups: Vec<EntryGroup>,
}

/// English where it exists, Japanese otherwise.
fn pick_opt(lang: Lang, ja: &str, en: Option<&str>) -> String {
    match (lang, en) {
        (Lang::En, Some(en)) if !en.is_empty() => en.to_owned(),
        _ => ja.to_owned(),
    }
}

/// The front door: a search box and ways in by level, audience and field (NISC①: everyone
/// finds what fits their level), each with how many programmes it leads to.
pub async fn home(State(state): State<AppState>, lang: Lang, page: PageCtx) -> PageResult {
    let index = state.catalogue.index();
    let all = index
        .search(
            &koshu_search::SearchRequest {
                page: 1,
                ..Default::default()
            },
            view::today(&state),
        )
        .map_err(AppError::internal)?;
    let session_total = index.all().iter().map(|l| l.sessions.len()).sum();
    let groups = [
        (
            Facet::Layer,
            lang.pick("立場・レベルから探す", "By role and level"),
        ),
        (Facet::Difficulty, lang.pick("難易度から探す", "By level")),
        (Facet::Audience, lang.pick("対象者から探す", "By audience")),
        (
            Facet::Field,
            lang.pick("ITSS+ セキュリティ領域から探す", "By ITSS+ field"),
        ),
        (Facet::Kind, lang.pick("施策の種別から探す", "By kind")),
    ]
    .into_iter()
    .map(|(facet, heading)| {
        let counts = all.facets.get(&facet);
        let codes: Vec<String> = match facet {
            Facet::Layer => state
                .taxonomy
                .layers()
                .iter()
                .map(|t| t.code.clone())
                .collect(),
            Facet::Difficulty => state
                .taxonomy
                .difficulties()
                .iter()
                .map(|t| t.code.clone())
                .collect(),
            Facet::Audience => state
                .taxonomy
                .audiences()
                .iter()
                .map(|t| t.code.clone())
                .collect(),
            Facet::Field => state
                .taxonomy
                .itss_fields()
                .iter()
                .map(|f| f.code.clone())
                .collect(),
            _ => state
                .taxonomy
                .kinds()
                .iter()
                .map(|t| t.code.clone())
                .collect(),
        };
        let links = codes
            .into_iter()
            .filter_map(|code| {
                let count = *counts?.get(&code)?;
                Some(EntryLink {
                    label: search::value_label(&state.taxonomy, facet, &code, lang),
                    href: page.href(&format!("/search?{}={code}", facet.param())),
                    count,
                })
            })
            .collect();
        EntryGroup { heading, links }
    })
    .filter(|g| !g.links.is_empty())
    .collect();
    Ok(Html(
        HomePage {
            programme_total: all.total,
            session_total,
            groups,
            page,
        }
        .render()?,
    ))
}

struct SessionRow {
    date: String,
    /// Called off by the provider: still listed, marked 中止.
    cancelled: bool,
    place: String,
    venue: String,
    note: String,
    /// Where to apply, when the session takes applications on Koshu (issue 15).
    enrol_href: Option<String>,
    /// The completion criteria it publishes (issue 16, B12), one line each.
    criteria: Vec<String>,
}

#[derive(Template)]
#[template(path = "programme.html")]
pub(crate) struct ProgrammePage {
    page: PageCtx,
    /// A provider's preview: where the provider returns to.
    preview: Option<String>,
    /// A05: no session ahead and no change for a year: the last update, as the page says it.
    stale_since: Option<String>,
    report_href: String,
    title: String,
    provider: String,
    summary: String,
    purpose: String,
    goals: Vec<String>,
    skills: Vec<String>,
    prerequisites: String,
    layers: String,
    audiences: String,
    fields: String,
    syllabus: Vec<String>,
    kind: String,
    format: String,
    difficulty: String,
    duration: String,
    /// `ja` where an English page shows the Japanese duration (none in English exists).
    duration_lang: Option<&'static str>,
    hours: Option<String>,
    frequency: Option<String>,
    fee: String,
    eligibility: String,
    eligibility_lang: Option<&'static str>,
    url: Option<String>,
    inquiry: Option<String>,
    complaint: Option<String>,
    accessibility: Option<String>,
    /// 出典: the publisher and year of the source document, never the editor's note.
    citation: Option<String>,
    sessions: Vec<SessionRow>,
    sessions_have_notes: bool,
    provider_href: String,
    /// When the programme is a designated 特定講習.
    designation: Option<DesignationView>,
    /// A05: its track record, when it has been held.
    quality: Option<QualityView>,
    json_ld: String,
}

/// A05's quality signals as the page says them.
struct QualityView {
    last_held: Option<String>,
    /// Sessions delivered on Koshu: the figures, or why they are not shown yet, and how they
    /// are computed.
    on_koshu: Option<KoshuRecord>,
}

struct KoshuRecord {
    completion: Option<String>,
    satisfaction: Option<String>,
    /// Fewer than five answers: what the page says instead of the figures.
    waiting: Option<String>,
    method: String,
}

impl QualityView {
    /// Something for the list of facts (else the page has only the sentences).
    fn has_facts(&self) -> bool {
        self.last_held.is_some()
            || self
                .on_koshu
                .as_ref()
                .is_some_and(|k| k.completion.is_some() || k.satisfaction.is_some())
    }

    fn new(lang: Lang, q: &QualitySignals, delivered: bool) -> Option<Self> {
        let last_held = q.last_held_on.map(|d| view::date(lang, d));
        let on_koshu = delivered.then(|| {
            let (from, to) = (view::date(lang, q.from), view::date(lang, q.to));
            let f = q.figures.as_ref();
            KoshuRecord {
                completion: f.map(|f| match f.completion_percent {
                    Some(p) => lang
                        .pick(
                            &format!("{p}%（判定を受けた{}人のうち修了した人の割合）", f.decided),
                            &format!("{p}% of the {} learners decided were completed", f.decided),
                        )
                        .to_owned(),
                    None => lang.pick("修了の判定はまだありません", "Nobody has been decided yet").to_owned(),
                }),
                satisfaction: f.and_then(|f| {
                    let (p, mean) = (f.satisfied_percent?, f.satisfaction_mean_tenths?);
                    let mean = format!("{}.{}", mean / 10, mean % 10);
                    Some(lang.pick(
                        &format!("{p}%（「満足」「やや満足」と答えた割合。回答{}件、5段階の平均 {mean}）", f.satisfaction_answers),
                        &format!("{p}% satisfied or somewhat satisfied ({} answers; mean {mean} of 5)", f.satisfaction_answers),
                    ).to_owned())
                }),
                waiting: f.is_none().then(|| {
                    let n = q.responses;
                    lang.pick(
                        &format!("修了率と満足度は、アンケートの回答が{MIN}件以上になってから表示します（この期間の回答は{n}件）。", MIN = MIN_RESPONSES),
                        &format!("The completion rate and satisfaction are shown once the survey has {MIN_RESPONSES} answers ({n} in this period so far)."),
                    ).to_owned()
                }),
                method: lang.pick(
                    &format!("{from}から{to}までの12か月に終わった、Koshu で実施された回（{}回）の記録から計算しています。修了率は修了の判定を受けた受講者のうち「修了」の割合、満足度は修了時アンケートの「講習の目的に対する満足度」に答えた人のうち「満足」「やや満足」を選んだ割合です（どちらも小数点以下切り捨て）。", q.sessions),
                    &format!("Computed from the records of the sessions run on Koshu that ended in the 12 months from {from} to {to} ({} sessions): the completion rate is the share of the learners decided who were completed, satisfaction the share of those who answered the end-of-course survey's \u{201c}satisfaction with the course against its purpose\u{201d} who chose satisfied or somewhat satisfied (both rounded down).", q.sessions),
                ).to_owned(),
            }
        });
        (last_held.is_some() || on_koshu.is_some()).then_some(Self {
            last_held,
            on_koshu,
        })
    }
}

impl ProgrammePage {
    /// Some session takes applications on Koshu: the table gets a column for them.
    fn sessions_take_applications(&self) -> bool {
        self.sessions.iter().any(|s| s.enrol_href.is_some())
    }

    /// Some session publishes completion criteria: the table gets a column for them.
    fn sessions_have_criteria(&self) -> bool {
        self.sessions.iter().any(|s| !s.criteria.is_empty())
    }
}

struct DesignationView {
    /// The label within the period, or from when it applies; nothing after.
    badge: Option<view::DesignationBadge>,
    number: String,
    period: String,
    list_href: String,
}

/// A text that exists in Japanese and maybe in English, in the page's language, with `ja`
/// when an English page has to show the Japanese.
fn in_lang(lang: Lang, ja: &str, en: Option<&str>) -> (String, Option<&'static str>) {
    match (lang, en.filter(|e| !e.is_empty())) {
        (Lang::En, Some(en)) => (en.to_owned(), None),
        (Lang::En, None) if !ja.is_empty() => (ja.to_owned(), Some("ja")),
        _ => (ja.to_owned(), None),
    }
}

pub async fn programme(
    State(state): State<AppState>,
    page: PageCtx,
    Path(id): Path<String>,
) -> PageResult {
    // Read from this node's catalogue snapshot, which follows every write within a second
    // (ARCHITECTURE.md, decision 25): no database round trip per page view.
    let id = Slug::parse(&id).map_err(|_| AppError::NotFound)?;
    let listing = state
        .catalogue
        .index()
        .get(id.as_str())
        .ok_or(AppError::NotFound)?;
    // One indexed read: which sessions take applications here (issue 15), with what A05's
    // quality signals count.
    let delivered = state.store.delivered_records(id.as_str()).await?;
    // And what each publishes as its completion criteria (issue 16, B12): one more.
    let criteria = state
        .store
        .completion_criteria_of_programme(id.as_str())
        .await?;
    Ok(Html(
        programme_page(&state, page, &listing, None, &delivered, &criteria).render()?,
    ))
}

/// The public page of a programme; with `preview` (the provider's page to return to), the
/// page of a programme not published as it stands, marked as a preview.
pub(crate) fn programme_page(
    state: &AppState,
    page: PageCtx,
    listing: &koshu_search::Listing,
    preview: Option<String>,
    delivered: &[DeliveredRecord],
    criteria: &[(
        String,
        koshu_domain::delivery::completion::CompletionCriteria,
    )],
) -> ProgrammePage {
    let lang = page.lang;
    let labels = Labels {
        taxonomy: &state.taxonomy,
        lang,
    };
    let p = &listing.programme;
    let today = view::today(state);
    let sessions = listing
        .sessions
        .iter()
        .map(|s| {
            let prefecture = s.prefecture.map(|code| {
                state
                    .taxonomy
                    .prefecture(code)
                    .name
                    .pick(lang.is_en())
                    .to_owned()
            });
            let place = match (s.online, prefecture) {
                (true, Some(pref)) => format!("{pref} / {}", lang.pick("オンライン", "Online")),
                (true, None) => lang.pick("オンライン", "Online").to_owned(),
                (false, Some(pref)) => pref,
                (false, None) => String::new(),
            };
            SessionRow {
                date: view::date_span(lang, s.starts_on, s.ends_on),
                cancelled: s.cancelled,
                place,
                venue: [s.city.as_deref(), s.venue.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" "),
                note: s.note_ja.clone().unwrap_or_default(),
                // A session that is over takes no applications: no link to a closed form.
                enrol_href: (!s.cancelled
                    && s.ends_on >= today
                    && delivered.iter().any(|d| d.session_id == s.id.as_str()))
                .then(|| page.href(&format!("/sessions/{}/enrol", s.id))),
                criteria: criteria
                    .iter()
                    .find(|(id, _)| !s.cancelled && id == s.id.as_str())
                    .map(|(_, c)| completion::criteria_lines(lang, c))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let json_ld = json_ld::course(
        p,
        &listing.provider_name_ja,
        listing.provider_url.as_deref(),
        &listing.sessions,
        &state.taxonomy,
    );
    let designation = p.designation.as_ref().map(|d| DesignationView {
        badge: view::designation_badge(lang, d, today),
        number: d.number.clone(),
        period: view::date_span(lang, d.starts_on, d.ends_on),
        list_href: page.href("/designations"),
    });
    let (duration, duration_lang) = in_lang(lang, &p.duration_ja, p.duration_en.as_deref());
    let (eligibility, eligibility_lang) =
        in_lang(lang, &p.eligibility_ja, p.eligibility_en.as_deref());
    let stale_since = a05_information_may_be_stale(&listing.sessions, listing.updated_on, today)
        .then(|| view::date(lang, listing.updated_on));
    let quality = QualityView::new(
        lang,
        &a05_quality_signals(&listing.sessions, delivered, today),
        !delivered.is_empty(),
    );
    ProgrammePage {
        stale_since,
        quality,
        report_href: page.href(&format!("/programmes/{}/report", p.id)),
        provider_href: page.href(&format!("/providers/{}", p.provider)),
        designation,
        json_ld,
        title: pick_opt(lang, &p.title_ja, p.title_en.as_deref()),
        provider: pick_opt(
            lang,
            &listing.provider_name_ja,
            listing.provider_name_en.as_deref(),
        ),
        summary: pick_opt(lang, &p.summary_ja, p.summary_en.as_deref()),
        purpose: p.purpose_ja.clone(),
        goals: p.goals_ja.clone(),
        skills: p.skills_ja.clone(),
        prerequisites: p.prerequisites_ja.clone(),
        layers: labels.join(&p.layers, Labels::layer),
        audiences: labels.join(&p.audiences, Labels::audience),
        fields: labels.join(&p.itss_fields, Labels::itss_field),
        syllabus: p
            .syllabus_items
            .iter()
            .map(|c| labels.syllabus_item(c))
            .collect(),
        kind: labels.kind(&p.kind),
        format: labels.format(&p.format),
        difficulty: labels.difficulty(&p.difficulty),
        duration,
        duration_lang,
        hours: p
            .total_hours
            .map(|h| if lang.is_en() { h.en() } else { h.ja() }),
        frequency: p.frequency_ja.clone(),
        fee: view::fee(lang, &p.fee),
        eligibility,
        eligibility_lang,
        url: p.url.clone(),
        inquiry: p.inquiry_ja.clone(),
        complaint: p.complaint_ja.clone(),
        accessibility: p.accessibility_ja.clone(),
        citation: p
            .citation
            .as_ref()
            .map(|c| if lang.is_en() { c.en() } else { c.ja() }),
        sessions_have_notes: listing.sessions.iter().any(|s| s.note_ja.is_some()),
        sessions,
        preview,
        page,
    }
}

#[derive(Template)]
#[template(path = "accessibility.html")]
struct AccessibilityPage {
    page: PageCtx,
}

pub async fn accessibility(page: PageCtx) -> PageResult {
    Ok(Html(AccessibilityPage { page }.render()?))
}

const STYLESHEET: &str = include_str!("../../static/koshu.css");
/// Scripts: passkeys need the browser's WebAuthn API; every other page works without it.
const PASSKEY_SCRIPT: &str = include_str!("../../static/passkey.js");
/// Heartbeats of a remote learner's live page, and the staff's roster following presence.
const DELIVERY_SCRIPT: &str = include_str!("../../static/delivery.js");

/// Static assets, embedded in the binary. Names carry no version, so caching is short.
pub async fn static_file(Path(file): Path<String>) -> Result<Response, AppError> {
    match file.as_str() {
        "koshu.css" => Ok((
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            STYLESHEET,
        )
            .into_response()),
        "passkey.js" => Ok((
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            PASSKEY_SCRIPT,
        )
            .into_response()),
        "delivery.js" => Ok((
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            DELIVERY_SCRIPT,
        )
            .into_response()),
        _ => Err(AppError::NotFound),
    }
}

//! The search page (A03): free text plus facets with counts, sorting, pagination, highlighted
//! matches, and what to drop when nothing matches. All state is in the URL (GET).

use super::{PageResult, pick_opt};
use crate::AppState;
use crate::error::AppError;
use crate::lang::Lang;
use crate::search_params::{self, to_query};
use crate::view::{self, Labels, PageCtx};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use koshu_domain::catalogue::search::{Facet, FeeBand, Filters, Sort};
use koshu_domain::prefecture::Prefecture;
use koshu_domain::taxonomy::Taxonomy;
use koshu_search::{Listing, SearchHit, SearchResults};
use time::Date;

pub struct HitView {
    pub(super) href: String,
    pub(super) title_html: String,
    pub(super) excerpt_html: String,
    /// `ja` where an English page shows Japanese text (no English version exists).
    pub(super) title_lang: Option<&'static str>,
    pub(super) excerpt_lang: Option<&'static str>,
    pub(super) provider: String,
    pub(super) kind: String,
    pub(super) format: String,
    pub(super) difficulty: String,
    pub(super) fee: String,
    pub(super) next: String,
    pub(super) designation: Option<view::DesignationBadge>,
}

/// A card's title and excerpt as HTML (escaped, `<mark>` around matches), in Japanese and,
/// where the programme has them, English.
pub struct CardText {
    pub title_ja: String,
    pub excerpt_ja: String,
    pub title_en: Option<String>,
    pub excerpt_en: Option<String>,
}

impl CardText {
    /// Without matches to mark: the whole summary.
    pub fn plain(p: &koshu_domain::catalogue::Programme) -> Self {
        let english = |t: &Option<String>| t.as_deref().filter(|t| !t.is_empty()).map(view::escape);
        Self {
            title_ja: view::escape(&p.title_ja),
            excerpt_ja: view::escape(&p.summary_ja),
            title_en: english(&p.title_en),
            excerpt_en: english(&p.summary_en),
        }
    }
}

pub struct OptionView {
    id: String,
    value: String,
    label: String,
    count: usize,
    checked: bool,
}

pub struct SubGroup {
    label: Option<String>,
    options: Vec<OptionView>,
}

pub struct GroupView {
    param: &'static str,
    legend: &'static str,
    open: bool,
    groups: Vec<SubGroup>,
}

pub struct LinkView {
    label: String,
    href: String,
    current: bool,
}

pub struct RelaxView {
    label: String,
    count: usize,
    href: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    page: PageCtx,
    text: String,
    sort: &'static str,
    total: usize,
    first: usize,
    last: usize,
    hits: Vec<HitView>,
    facets: Vec<GroupView>,
    active: Vec<LinkView>,
    sorts: Vec<LinkView>,
    pages: Vec<LinkView>,
    prev: Option<String>,
    next: Option<String>,
    relaxations: Vec<RelaxView>,
    clear_href: String,
    /// The public list of designations, linked from the 特定講習 facet.
    designations_href: String,
}

pub fn facet_legend(facet: Facet, lang: Lang) -> &'static str {
    match facet {
        Facet::Layer => lang.pick("人材層", "Layer"),
        Facet::Audience => lang.pick("対象者", "Audience"),
        Facet::Difficulty => lang.pick("難易度", "Level"),
        Facet::Field => lang.pick("ITSS+ セキュリティ領域", "ITSS+ field"),
        Facet::Subject => lang.pick("支援士シラバスの科目", "RISS syllabus subject"),
        Facet::Item => lang.pick("支援士シラバスの項目", "RISS syllabus item"),
        Facet::Kind => lang.pick("施策の種別", "Kind"),
        Facet::Format => lang.pick("実施形態", "Format"),
        Facet::Prefecture => lang.pick("開催都道府県", "Prefecture"),
        Facet::Month => lang.pick("開催月", "Month"),
        Facet::Fee => lang.pick("費用", "Fee"),
        Facet::Designated => lang.pick("特定講習", "Designated courses"),
        Facet::Open => lang.pick("申込受付", "Open for application"),
    }
}

/// The label of one facet value, in the page's language.
pub fn value_label(taxonomy: &Taxonomy, facet: Facet, code: &str, lang: Lang) -> String {
    let labels = Labels { taxonomy, lang };
    match facet {
        Facet::Layer => labels.layer(code),
        Facet::Audience => labels.audience(code),
        Facet::Difficulty => labels.difficulty(code),
        Facet::Field => labels.itss_field(code),
        Facet::Subject => taxonomy.subject(code).map_or_else(
            || code.to_owned(),
            |s| format!("{code} {}", s.label.pick(lang.is_en())),
        ),
        Facet::Item => labels.syllabus_item(code),
        Facet::Kind => labels.kind(code),
        Facet::Format => labels.format(code),
        Facet::Prefecture => Prefecture::from_code(code).map_or_else(
            |_| code.to_owned(),
            |p| taxonomy.prefecture(p).name.pick(lang.is_en()).to_owned(),
        ),
        Facet::Month => view::month(lang, code),
        Facet::Fee => FeeBand::from_code(code).map_or_else(
            || code.to_owned(),
            |b| lang.pick(b.label_ja(), b.label_en()).to_owned(),
        ),
        Facet::Designated => lang
            .pick("特定講習のみ", "Designated courses only")
            .to_owned(),
        Facet::Open => lang
            .pick("受付中の日程がある", "Has sessions open for application")
            .to_owned(),
    }
}

/// The order values are offered in: the reference data's order, months by date.
fn ordered_values(taxonomy: &Taxonomy, facet: Facet, counts: Vec<&String>) -> Vec<String> {
    let order: Vec<String> = match facet {
        Facet::Layer => taxonomy.layers().iter().map(|t| t.code.clone()).collect(),
        Facet::Audience => taxonomy
            .audiences()
            .iter()
            .map(|t| t.code.clone())
            .collect(),
        Facet::Difficulty => taxonomy
            .difficulties()
            .iter()
            .map(|t| t.code.clone())
            .collect(),
        Facet::Field => taxonomy
            .itss_fields()
            .iter()
            .map(|f| f.code.clone())
            .collect(),
        Facet::Subject => taxonomy.subjects().iter().map(|s| s.code.clone()).collect(),
        Facet::Item => taxonomy
            .syllabus_items()
            .iter()
            .map(|i| i.code.clone())
            .collect(),
        Facet::Kind => taxonomy.kinds().iter().map(|t| t.code.clone()).collect(),
        Facet::Format => taxonomy.formats().iter().map(|t| t.code.clone()).collect(),
        Facet::Prefecture => Prefecture::all().map(|p| p.code()).collect(),
        Facet::Fee => FeeBand::ALL.iter().map(|b| b.code().to_owned()).collect(),
        Facet::Month | Facet::Designated | Facet::Open => {
            let mut v: Vec<String> = counts.into_iter().cloned().collect();
            v.sort();
            return v;
        }
    };
    order.into_iter().filter(|c| counts.contains(&c)).collect()
}

fn facet_groups(
    state: &AppState,
    lang: Lang,
    results: &SearchResults,
    filters: &Filters,
) -> Vec<GroupView> {
    let taxonomy = &state.taxonomy;
    Facet::ALL
        .into_iter()
        .filter_map(|facet| {
            let counts = results.facets.get(&facet)?;
            let mut present: Vec<&String> = counts.keys().collect();
            let selected: Vec<String> = filters.selected(facet).to_vec();
            present.extend(selected.iter().filter(|s| !counts.contains_key(*s)));
            let mut values = ordered_values(taxonomy, facet, present);
            // Offered even when no course is designated yet: a RISS holder looks here, and
            // the group explains the obligation and links the public list.
            if facet == Facet::Designated && values.is_empty() {
                values.push("true".to_owned());
            }
            if values.is_empty() {
                return None;
            }
            let option = |code: &String| OptionView {
                id: format!("f-{}-{code}", facet.param()),
                value: code.clone(),
                label: value_label(taxonomy, facet, code, lang),
                count: counts.get(code).copied().unwrap_or(0),
                checked: filters.is_selected(facet, code),
            };
            let groups = if facet == Facet::Prefecture {
                taxonomy
                    .regions()
                    .iter()
                    .filter_map(|region| {
                        let options: Vec<OptionView> = values
                            .iter()
                            .filter(|code| {
                                Prefecture::from_code(code)
                                    .is_ok_and(|p| taxonomy.prefecture(p).region == region.code)
                            })
                            .map(option)
                            .collect();
                        (!options.is_empty()).then(|| SubGroup {
                            label: Some(region.label.pick(lang.is_en()).to_owned()),
                            options,
                        })
                    })
                    .collect()
            } else {
                vec![SubGroup {
                    label: None,
                    options: values.iter().map(option).collect(),
                }]
            };
            Some(GroupView {
                param: facet.param(),
                legend: facet_legend(facet, lang),
                open: !selected.is_empty(),
                groups,
            })
        })
        .collect()
}

pub fn hit_view(state: &AppState, ctx: &PageCtx, hit: &SearchHit, today: Date) -> HitView {
    card(
        state,
        ctx,
        &hit.listing,
        CardText {
            title_ja: hit.title_html.clone(),
            excerpt_ja: hit.excerpt_html.clone(),
            title_en: hit.title_en_html.clone(),
            excerpt_en: hit.excerpt_en_html.clone(),
        },
        hit.next_session,
        today,
    )
}

/// A programme as a card in a list, in the page's language: an English page shows the
/// English title and summary where they exist, else the Japanese marked as such.
pub fn card(
    state: &AppState,
    ctx: &PageCtx,
    listing: &Listing,
    text: CardText,
    next: Option<Date>,
    today: Date,
) -> HitView {
    let lang = ctx.lang;
    let labels = Labels {
        taxonomy: &state.taxonomy,
        lang,
    };
    let p = &listing.programme;
    let in_lang = |ja: String, en: Option<String>| match (lang, en) {
        (Lang::En, Some(en)) => (en, None),
        (Lang::En, None) => (ja, Some("ja")),
        (Lang::Ja, _) => (ja, None),
    };
    let (title_html, title_lang) = in_lang(text.title_ja, text.title_en);
    let (excerpt_html, excerpt_lang) = in_lang(text.excerpt_ja, text.excerpt_en);
    HitView {
        href: ctx.href(&format!("/programmes/{}", p.id)),
        title_html,
        excerpt_html,
        title_lang,
        excerpt_lang,
        provider: pick_opt(
            lang,
            &listing.provider_name_ja,
            listing.provider_name_en.as_deref(),
        ),
        kind: labels.kind(&p.kind),
        format: labels.format(&p.format),
        difficulty: labels.difficulty(&p.difficulty),
        fee: view::fee(lang, &p.fee),
        next: next.map_or_else(
            || lang.pick("予定なし", "None scheduled").to_owned(),
            |d| view::date(lang, d),
        ),
        designation: p
            .designation
            .as_ref()
            .and_then(|d| view::designation_badge(lang, d, today)),
    }
}

pub async fn search(
    State(state): State<AppState>,
    lang: Lang,
    ctx: PageCtx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let req = search_params::parse(&pairs, &state.taxonomy)?;
    let today = view::today(&state);
    let results = state
        .catalogue
        .index()
        .search(&req, today)
        .map_err(AppError::internal)?;
    let link = |filters: &Filters, sort: Sort, page: usize| {
        let q = to_query(&req.text, filters, sort, page);
        ctx.href(&if q.is_empty() {
            "/search".to_owned()
        } else {
            format!("/search?{q}")
        })
    };
    let active = req
        .filters
        .iter()
        .map(|(facet, code)| LinkView {
            label: format!(
                "{}: {}",
                facet_legend(facet, lang),
                value_label(&state.taxonomy, facet, code, lang)
            ),
            href: link(&req.filters.without(facet, code), req.sort, 1),
            current: false,
        })
        .collect();
    let sorts = Sort::ALL
        .into_iter()
        .map(|s| LinkView {
            label: match s {
                Sort::Relevance => lang.pick("関連度順", "Relevance"),
                Sort::NextSession => lang.pick("開催日が近い順", "Next session"),
                Sort::Fee => lang.pick("費用が安い順", "Lowest fee"),
                Sort::Title => lang.pick("名称順", "Title"),
            }
            .to_owned(),
            href: link(&req.filters, s, 1),
            current: s == req.sort,
        })
        .collect();
    let window = results.page.saturating_sub(3).max(1)..=(results.page + 3).min(results.pages);
    let pages = window
        .map(|n| LinkView {
            label: n.to_string(),
            href: link(&req.filters, req.sort, n),
            current: n == results.page,
        })
        .collect();
    let relaxations = results
        .relaxations
        .iter()
        .map(|r| RelaxView {
            label: format!(
                "{}: {}",
                facet_legend(r.facet, lang),
                value_label(&state.taxonomy, r.facet, &r.code, lang)
            ),
            count: r.count,
            href: link(&req.filters.without(r.facet, &r.code), req.sort, 1),
        })
        .collect();
    let first = if results.total == 0 {
        0
    } else {
        (results.page - 1) * koshu_domain::catalogue::search::PAGE_SIZE + 1
    };
    let page = SearchPage {
        text: req.text.clone(),
        sort: req.sort.code(),
        total: results.total,
        first,
        last: first + results.hits.len().saturating_sub(1),
        hits: results
            .hits
            .iter()
            .map(|h| hit_view(&state, &ctx, h, today))
            .collect(),
        facets: facet_groups(&state, lang, &results, &req.filters),
        active,
        sorts,
        pages,
        prev: (results.page > 1).then(|| link(&req.filters, req.sort, results.page - 1)),
        next: (results.page < results.pages)
            .then(|| link(&req.filters, req.sort, results.page + 1)),
        relaxations,
        clear_href: ctx.href("/search"),
        designations_href: ctx.href("/designations"),
        page: ctx,
    };
    Ok(Html(page.render()?))
}

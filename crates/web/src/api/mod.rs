//! The public catalogue API (A06): read-only JSON under `/api/v1/`, bulk exports (CSV, JSON
//! Lines), the OpenAPI 3.1 document at `/api/openapi.json`, and a server-rendered reference at
//! `/api` (`/en/api`). No authentication: everything here is public catalogue data.
//!
//! The search endpoint takes exactly the search page's parameters (`crate::search_params`), so
//! a search page's address becomes an API call by changing the path. Errors are the shared
//! `AppError`; `render_errors` gives them the JSON body (`dto::Error`) for paths under `/api/`.

pub mod doc;
pub mod dto;
pub(crate) mod export;
pub mod providers;
mod reference;

use crate::AppState;
use crate::error::AppError;
use crate::routes::Routes;
use crate::search_params;
use crate::view;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use koshu_domain::ValidationError;
use koshu_domain::catalogue::Slug;
use koshu_domain::catalogue::search::PAGE_SIZE;
use koshu_domain::prefecture::Prefecture;
use koshu_domain::types::parse_date;
use tower_http::set_header::SetResponseHeaderLayer;

/// Sessions per page of `GET /api/v1/sessions`.
pub const SESSIONS_PER_PAGE: usize = 100;
const MAX_PAGE: usize = search_params::MAX_PAGE;

/// Every API route, plus the reference page.
pub fn routes() -> Routes {
    let data = Routes::new()
        .get("/api/openapi.json", openapi_json)
        .get("/api/v1/programmes", list_programmes)
        .get("/api/v1/programmes/{id}", get_programme)
        .get("/api/v1/sessions", list_sessions)
        .get("/api/v1/taxonomy", get_taxonomy)
        .get(
            "/api/v1/export/programmes.csv",
            export::export_programmes_csv,
        )
        .get(
            "/api/v1/export/programmes.jsonl",
            export::export_programmes_jsonl,
        );
    // Public, read-only data without credentials: any site may read it from a browser.
    let data = Routes {
        router: data.router.layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        )),
        table: data.table,
    };
    // Providers' own systems, with an API token of the organisation (issue 14 item 3).
    let programmes = "/api/v1/providers/{organisation}/programmes";
    let providers = Routes::new()
        .get(programmes, providers::list)
        .token_write("POST", programmes, post(providers::create))
        .get(
            "/api/v1/providers/{organisation}/programmes/{programme}",
            providers::get_one,
        )
        .token_write(
            "PUT",
            "/api/v1/providers/{organisation}/programmes/{programme}",
            put(providers::replace),
        )
        .token_write(
            "POST",
            "/api/v1/providers/{organisation}/programmes/{programme}/{action}",
            post(providers::change_state),
        )
        .token_write(
            "POST",
            "/api/v1/providers/{organisation}/programmes/{programme}/sessions",
            post(providers::add_session),
        )
        .token_write(
            "PUT",
            "/api/v1/providers/{organisation}/programmes/{programme}/sessions/{session}",
            put(providers::replace_session),
        )
        .token_write(
            "POST",
            "/api/v1/providers/{organisation}/programmes/{programme}/sessions/{session}/cancel",
            post(providers::cancel_session),
        );
    Routes::new()
        .get("/api", reference::api_reference)
        .merge(data)
        .merge(providers)
}

/// Query pairs in order, repeated names kept. Malformed encoding is a 400 like any bad value.
fn query_pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, AppError> {
    serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| {
        AppError::Invalid(ValidationError::new(
            "query.format",
            "URLのクエリ文字列を読み取れませんでした。",
            "The query string could not be read.",
        ))
    })
}

/// Search programmes
///
/// The search page's parameters and rules: free text, facets, sorting and pages of 20.
/// Repeated values of one parameter are alternatives (any of them); different parameters must
/// all hold. Unknown parameters are ignored; an unknown value is a 400 naming the parameter.
#[utoipa::path(
    get,
    path = "/api/v1/programmes",
    tag = "catalogue",
    extensions(
        ("x-summary-ja" = json!("講座を検索する")),
        ("x-description-ja" = json!("検索ページと同じパラメーター・規則で講座を検索します（1ページ20件）。同じパラメーターの繰り返しは「いずれか」、異なるパラメーターは「すべて」を満たすものに絞り込みます。未知のパラメーターは無視し、使えない値はそのパラメーター名を示して 400 を返します。"))
    ),
    params(
        ("q" = Option<String>, Query, max_length = 200,
            description = "Keywords (at most 200 characters): programmes containing every word, best match first.",
            extensions(("x-description-ja" = json!("キーワード（200文字以内）。空白で区切ったすべての語を含む講座を、関連度の高い順に返します。")))),
        ("layer" = Option<Vec<String>>, Query, explode,
            description = "Layer code (`layers` in the taxonomy).",
            extensions(("x-description-ja" = json!("人材層のコード（参照データの layers）。")))),
        ("audience" = Option<Vec<String>>, Query, explode,
            description = "Audience code (`audiences`).",
            extensions(("x-description-ja" = json!("対象者のコード（audiences）。")))),
        ("difficulty" = Option<Vec<String>>, Query, explode,
            description = "Level code (`difficulties`).",
            extensions(("x-description-ja" = json!("難易度のコード（difficulties）。")))),
        ("field" = Option<Vec<String>>, Query, explode,
            description = "ITSS+ field code (`itss_fields`).",
            extensions(("x-description-ja" = json!("ITSS+ セキュリティ領域のコード（itss_fields）。")))),
        ("subject" = Option<Vec<String>>, Query, explode,
            description = "RISS syllabus subject code (`syllabus_subjects`).",
            extensions(("x-description-ja" = json!("支援士シラバスの科目コード（syllabus_subjects）。")))),
        ("item" = Option<Vec<String>>, Query, explode,
            description = "RISS syllabus item code (`syllabus_items`).",
            extensions(("x-description-ja" = json!("支援士シラバスの項目コード（syllabus_items）。")))),
        ("kind" = Option<Vec<String>>, Query, explode,
            description = "Programme kind code (`kinds`).",
            extensions(("x-description-ja" = json!("施策の種別のコード（kinds）。")))),
        ("format" = Option<Vec<String>>, Query, explode,
            description = "Delivery format code (`formats`).",
            extensions(("x-description-ja" = json!("実施形態のコード（formats）。")))),
        ("prefecture" = Option<Vec<String>>, Query, explode,
            description = "JIS X 0401 code (01–47) of a prefecture with a session.",
            extensions(("x-description-ja" = json!("開催都道府県の JIS X 0401 コード（01〜47）。")))),
        ("month" = Option<Vec<String>>, Query, explode,
            description = "A month with a session, YYYY-MM.",
            extensions(("x-description-ja" = json!("開催月（YYYY-MM）。")))),
        ("fee" = Option<Vec<String>>, Query, explode,
            description = "Fee band by the lowest amount a learner may pay (`fee_bands`).",
            extensions(("x-description-ja" = json!("受講者が支払う最低額による費用帯（fee_bands）。")))),
        ("designated" = Option<String>, Query,
            description = "`true`: designated courses (特定講習) only.",
            extensions(("x-description-ja" = json!("true で特定講習のみ。")))),
        ("open" = Option<String>, Query,
            description = "`true`: only programmes with a session open for application today (JST).",
            extensions(("x-description-ja" = json!("true で、今日（日本時間）申込を受け付けている日程があるものに限ります。")))),
        ("sort" = Option<String>, Query,
            description = "Order: `relevance` (default; without keywords, soonest session first), `next` (soonest session), `fee` (lowest fee), `title`.",
            extensions(("x-description-ja" = json!("並び順：relevance（既定。キーワードがなければ開催日が近い順）、next（開催日が近い順）、fee（費用が安い順）、title（名称順）。")))),
        ("page" = Option<usize>, Query, minimum = 1, maximum = 10000,
            description = "Page number, from 1; 20 programmes per page.",
            extensions(("x-description-ja" = json!("ページ番号（1から。1ページ20件）。")))),
    ),
    responses(
        (status = 200, description = "A page of results with facet counts.", body = dto::ProgrammeSearchResults),
        (status = 400, description = "A parameter has a value that cannot be used; `field` names it.", body = dto::Error),
        (status = 500, description = "Internal error; quote `request_id`.", body = dto::Error),
    )
)]
pub async fn list_programmes(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<dto::ProgrammeSearchResults>, AppError> {
    let pairs = query_pairs(query.as_deref())?;
    let req = search_params::parse(&pairs, &state.taxonomy)?;
    let results = state
        .catalogue
        .index()
        .search(&req, view::today(&state))
        .map_err(AppError::internal)?;
    let items = results
        .hits
        .iter()
        .map(|hit| {
            let l = &hit.listing;
            dto::ProgrammeSummary::new(
                &l.programme,
                &l.provider_name_ja,
                l.provider_name_en.as_deref(),
                hit.next_session,
            )
        })
        .collect();
    let facets = results
        .facets
        .iter()
        .map(|(facet, counts)| (facet.param().to_owned(), counts.clone()))
        .collect();
    let relaxations = results
        .relaxations
        .iter()
        .map(|r| dto::Relaxation {
            param: r.facet.param().to_owned(),
            code: r.code.clone(),
            count: r.count,
        })
        .collect();
    Ok(Json(dto::ProgrammeSearchResults {
        total: results.total,
        page: results.page,
        pages: results.pages,
        per_page: PAGE_SIZE,
        items,
        facets,
        relaxations,
    }))
}

/// One programme in full
///
/// Every field of the catalogue record, its provider, and all its sessions (past ones too).
#[utoipa::path(
    get,
    path = "/api/v1/programmes/{id}",
    tag = "catalogue",
    extensions(
        ("x-summary-ja" = json!("講座の詳細")),
        ("x-description-ja" = json!("講座の全項目、実施者、すべての開催回（過去の回を含む）を返します。"))
    ),
    params(
        ("id" = String, Path, pattern = "^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$",
            description = "Programme id, e.g. `cyder-a-fy2021`.",
            extensions(("x-description-ja" = json!("講座ID（例：cyder-a-fy2021）。")))),
    ),
    responses(
        (status = 200, description = "The programme.", body = dto::ProgrammeDetail),
        (status = 404, description = "No programme has this id.", body = dto::Error),
        (status = 500, description = "Internal error; quote `request_id`.", body = dto::Error),
    )
)]
pub async fn get_programme(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<dto::ProgrammeDetail>, AppError> {
    let id = Slug::parse(&id).map_err(|_| AppError::NotFound)?;
    let item = state
        .store
        .programme(id.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let provider = state
        .store
        .provider(item.programme.provider.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let delivered = state.store.delivered_records(id.as_str()).await?;
    Ok(Json(dto::ProgrammeDetail::new(
        &item.programme,
        &provider,
        &item.sessions,
        &delivered,
        &state.taxonomy,
        view::today(&state),
    )))
}

/// The parameters of `GET /api/v1/sessions`, parsed at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFilter {
    pub from: time::Date,
    pub to: Option<time::Date>,
    pub prefectures: Vec<Prefecture>,
    pub programme: Option<Slug>,
    pub page: usize,
}

impl SessionFilter {
    pub fn parse(pairs: &[(String, String)], today: time::Date) -> Result<Self, ValidationError> {
        let mut f = Self {
            from: today,
            to: None,
            prefectures: Vec::new(),
            programme: None,
            page: 1,
        };
        let mut from_given = false;
        for (name, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            match name.as_str() {
                "from" => {
                    f.from = parse_date(value).map_err(|e| e.for_field("from"))?;
                    from_given = true;
                }
                "to" => f.to = Some(parse_date(value).map_err(|e| e.for_field("to"))?),
                "prefecture" => {
                    let p = Prefecture::from_code(value).map_err(|e| e.for_field("prefecture"))?;
                    if !f.prefectures.contains(&p) {
                        f.prefectures.push(p);
                    }
                }
                "programme" => {
                    f.programme = Some(Slug::parse(value).map_err(|e| e.for_field("programme"))?)
                }
                "page" => {
                    f.page = value
                        .parse::<usize>()
                        .ok()
                        .filter(|p| (1..=MAX_PAGE).contains(p))
                        .ok_or_else(|| {
                            ValidationError::new(
                                "sessions.page",
                                format!("ページ番号（page）は 1〜{MAX_PAGE} の整数です（指定値:「{value}」）。"),
                                format!("The page number (page) is a whole number from 1 to {MAX_PAGE} (got \"{value}\")."),
                            )
                            .for_field("page")
                        })?;
                }
                _ => {}
            }
        }
        koshu_domain::types::date_range::check_listing_range(f.from, from_given, f.to)?;
        Ok(f)
    }
}

/// Sessions across the catalogue
///
/// Every session starting between `from` and `to`, soonest first, 100 per page.
#[utoipa::path(
    get,
    path = "/api/v1/sessions",
    tag = "catalogue",
    extensions(
        ("x-summary-ja" = json!("開催日程の一覧")),
        ("x-description-ja" = json!("from から to までに始まる全講座の開催回を、開始日の早い順に返します（1ページ100件）。"))
    ),
    params(
        ("from" = Option<String>, Query, format = Date,
            description = "Sessions starting on or after this date (YYYY-MM-DD); default today in JST.",
            extensions(("x-description-ja" = json!("この日以降に始まる開催（YYYY-MM-DD）。既定は今日（日本時間）。")))),
        ("to" = Option<String>, Query, format = Date,
            description = "Sessions starting on or before this date (YYYY-MM-DD); not before `from`.",
            extensions(("x-description-ja" = json!("この日までに始まる開催（YYYY-MM-DD）。from より前の日付は指定できません。")))),
        ("prefecture" = Option<Vec<String>>, Query, explode,
            description = "JIS X 0401 prefecture code (01–47); repeat for several.",
            extensions(("x-description-ja" = json!("開催都道府県の JIS X 0401 コード（01〜47）。繰り返し指定できます。")))),
        ("programme" = Option<String>, Query,
            description = "Only the sessions of this programme (its id).",
            extensions(("x-description-ja" = json!("この講座（ID）の開催のみ。")))),
        ("page" = Option<usize>, Query, minimum = 1, maximum = 10000,
            description = "Page number, from 1; 100 sessions per page.",
            extensions(("x-description-ja" = json!("ページ番号（1から。1ページ100件）。")))),
    ),
    responses(
        (status = 200, description = "A page of sessions.", body = dto::SessionList),
        (status = 400, description = "A parameter has a value that cannot be used, or `to` is before `from`; `field` names it.", body = dto::Error),
    )
)]
pub async fn list_sessions(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<dto::SessionList>, AppError> {
    let pairs = query_pairs(query.as_deref())?;
    let filter = SessionFilter::parse(&pairs, view::today(&state))?;
    let listings = state.catalogue.index().all();
    let mut matching: Vec<_> = listings
        .iter()
        .filter(|l| {
            filter
                .programme
                .as_ref()
                .is_none_or(|id| l.programme.id == *id)
        })
        .flat_map(|l| l.sessions.iter().map(move |s| (l.as_ref(), s)))
        .filter(|(_, s)| s.starts_on >= filter.from && filter.to.is_none_or(|to| s.starts_on <= to))
        .filter(|(_, s)| {
            filter.prefectures.is_empty()
                || s.prefecture
                    .is_some_and(|p| filter.prefectures.contains(&p))
        })
        .collect();
    matching.sort_by(|a, b| {
        (a.1.starts_on, a.0.programme.id.as_str(), a.1.id.as_str()).cmp(&(
            b.1.starts_on,
            b.0.programme.id.as_str(),
            b.1.id.as_str(),
        ))
    });
    let total = matching.len();
    let items = matching
        .iter()
        .skip((filter.page - 1) * SESSIONS_PER_PAGE)
        .take(SESSIONS_PER_PAGE)
        .map(|(l, s)| {
            dto::SessionListItem::new(s, &l.programme, &l.provider_name_ja, &state.taxonomy)
        })
        .collect();
    Ok(Json(dto::SessionList {
        total,
        page: filter.page,
        pages: total.div_ceil(SESSIONS_PER_PAGE).max(1),
        per_page: SESSIONS_PER_PAGE,
        items,
    }))
}

/// Reference data
///
/// The vocabularies every code in the API refers to — ITSS+ fields, the RISS syllabus
/// (別表2), 別表1, layers, audiences, kinds, formats, difficulties, regions, prefectures and
/// fee bands — with Japanese and English labels and their sources.
#[utoipa::path(
    get,
    path = "/api/v1/taxonomy",
    tag = "reference",
    extensions(
        ("x-summary-ja" = json!("参照データ")),
        ("x-description-ja" = json!("API のコードが指す語彙（ITSS+ 分野、支援士シラバス（別表2）、別表1、人材層、対象者、種別、実施形態、難易度、地方、都道府県、費用帯）を、日本語・英語の名称と出典つきで返します。"))
    ),
    responses(
        (status = 200, description = "The reference data.", body = dto::TaxonomyDoc),
    )
)]
pub async fn get_taxonomy(State(state): State<AppState>) -> Json<dto::TaxonomyDoc> {
    Json(dto::TaxonomyDoc::new(&state.taxonomy))
}

/// This document
///
/// The OpenAPI 3.1 description of this API.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "reference",
    extensions(
        ("x-summary-ja" = json!("この API の OpenAPI 文書")),
        ("x-description-ja" = json!("この API を記述した OpenAPI 3.1 文書です。"))
    ),
    responses(
        (status = 200, description = "The OpenAPI document.", content_type = "application/json"),
    )
)]
pub async fn openapi_json(State(state): State<AppState>) -> Response {
    match doc::document(&state.taxonomy) {
        Ok(doc) => Json(doc).into_response(),
        Err(e) => AppError::internal(e).into_response(),
    }
}

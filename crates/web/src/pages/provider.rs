//! A provider's page: who they are and every programme they offer (A01).

use super::search::{CardText, HitView, card};
use super::{PageResult, pick_opt};
use crate::AppState;
use crate::error::AppError;
use crate::lang::Lang;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use koshu_domain::catalogue::Slug;

#[derive(Template)]
#[template(path = "provider.html")]
struct ProviderPage {
    page: PageCtx,
    name: String,
    kind: &'static str,
    corporate_number: Option<String>,
    url: Option<String>,
    /// 出典: the publisher and year of the source document, never the editor's note.
    citation: Option<String>,
    hits: Vec<HitView>,
}

pub async fn provider(
    State(state): State<AppState>,
    lang: Lang,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> PageResult {
    let id = Slug::parse(&id).map_err(|_| AppError::NotFound)?;
    let provider = state
        .store
        .provider(id.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let today = view::today(&state);
    let mut listings: Vec<_> = state
        .catalogue
        .index()
        .all()
        .into_iter()
        .filter(|l| l.programme.provider == provider.id)
        .collect();
    listings.sort_by(|a, b| a.programme.title_ja.cmp(&b.programme.title_ja));
    let hits = listings
        .iter()
        .map(|l| {
            let next = l
                .sessions
                .iter()
                .map(|s| s.starts_on)
                .filter(|d| *d >= today)
                .min();
            card(&state, &ctx, l, CardText::plain(&l.programme), next, today)
        })
        .collect();
    let page = ProviderPage {
        name: pick_opt(lang, &provider.name_ja, provider.name_en.as_deref()),
        kind: lang.pick(provider.kind.label_ja(), provider.kind.label_en()),
        corporate_number: provider.corporate_number.as_ref().map(ToString::to_string),
        url: provider.url.clone(),
        citation: provider
            .citation
            .as_ref()
            .map(|c| if lang.is_en() { c.en() } else { c.ja() }),
        hits,
        page: ctx,
    };
    Ok(Html(page.render()?))
}

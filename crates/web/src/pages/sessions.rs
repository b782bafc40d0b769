//! Upcoming sessions by month, filterable by prefecture and dates (A03 "sessions by date and
//! prefecture"). Sessions come from the catalogue index's snapshot, like search results.

use super::{PageResult, pick_opt};
use crate::AppState;
use crate::error::AppError;
use crate::lang::Lang;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use koshu_domain::ValidationError;
use koshu_domain::catalogue::search::month_code;
use koshu_domain::prefecture::Prefecture;
use koshu_domain::types::parse_date;
use time::Date;

pub const PER_PAGE: usize = 50;

/// The sessions view's parameters, parsed at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionQuery {
    pub from: Date,
    pub to: Option<Date>,
    pub prefecture: Option<Prefecture>,
    pub page: usize,
}

impl SessionQuery {
    pub fn parse(pairs: &[(String, String)], today: Date) -> Result<Self, ValidationError> {
        let mut q = Self {
            from: today,
            to: None,
            prefecture: None,
            page: 1,
        };
        let mut from_given = false;
        for (name, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            match name.as_str() {
                "from" => {
                    q.from = parse_date(value).map_err(|e| e.for_field("from"))?;
                    from_given = true;
                }
                "to" => q.to = Some(parse_date(value).map_err(|e| e.for_field("to"))?),
                "prefecture" => {
                    q.prefecture =
                        Some(Prefecture::from_code(value).map_err(|e| e.for_field("prefecture"))?)
                }
                "page" => {
                    q.page = value.parse().ok().filter(|p: &usize| (1..=10_000).contains(p)).ok_or_else(|| {
                        ValidationError::new(
                            "sessions.page",
                            format!("ページ番号（page）は 1〜10000 の整数です（指定値:「{value}」）。"),
                            format!("The page number (page) is a whole number from 1 to 10000 (got \"{value}\")."),
                        )
                        .for_field("page")
                    })?;
                }
                _ => {}
            }
        }
        koshu_domain::types::date_range::check_listing_range(q.from, from_given, q.to)?;
        Ok(q)
    }

    fn to_query(&self, page: usize) -> String {
        let mut pairs: Vec<(&str, String)> = vec![("from", self.from.to_string())];
        if let Some(to) = self.to {
            pairs.push(("to", to.to_string()));
        }
        if let Some(p) = self.prefecture {
            pairs.push(("prefecture", p.code()));
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

struct Row {
    date: String,
    programme: String,
    href: String,
    place: String,
    provider: String,
    seats: String,
}

struct MonthGroup {
    heading: String,
    rows: Vec<Row>,
}

struct PrefOption {
    code: String,
    name: String,
    selected: bool,
}

struct RegionOption {
    name: String,
    prefectures: Vec<PrefOption>,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    page: PageCtx,
    from: String,
    to: String,
    regions: Vec<RegionOption>,
    total: usize,
    months: Vec<MonthGroup>,
    prev: Option<String>,
    next: Option<String>,
    earliest: Option<String>,
    page_number: usize,
    pages: usize,
}

pub async fn sessions(
    State(state): State<AppState>,
    lang: Lang,
    ctx: PageCtx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let today = view::today(&state);
    let query = SessionQuery::parse(&pairs, today)?;
    let listings = state.catalogue.index().all();
    let mut matching: Vec<(&koshu_search::Listing, &koshu_domain::catalogue::Session)> = listings
        .iter()
        .flat_map(|l| l.sessions.iter().map(move |s| (l.as_ref(), s)))
        .filter(|(_, s)| s.starts_on >= query.from && query.to.is_none_or(|to| s.starts_on <= to))
        .filter(|(_, s)| query.prefecture.is_none_or(|p| s.prefecture == Some(p)))
        .collect();
    matching.sort_by(|a, b| {
        a.1.starts_on
            .cmp(&b.1.starts_on)
            .then_with(|| a.0.programme.title_ja.cmp(&b.0.programme.title_ja))
    });
    let total = matching.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let mut months: Vec<MonthGroup> = Vec::new();
    for (listing, s) in matching
        .iter()
        .skip((query.page - 1) * PER_PAGE)
        .take(PER_PAGE)
    {
        let heading = view::month(lang, &month_code(s.starts_on));
        let place = match (s.prefecture, s.online) {
            (Some(p), online) => {
                let name = state
                    .taxonomy
                    .prefecture(p)
                    .name
                    .pick(lang.is_en())
                    .to_owned();
                let city = s.city.clone().unwrap_or_default();
                let online = if online {
                    format!(" / {}", lang.pick("オンライン", "Online"))
                } else {
                    String::new()
                };
                format!("{name} {city}{online}")
            }
            (None, _) => lang.pick("オンライン", "Online").to_owned(),
        };
        let row = Row {
            date: view::date_span(lang, s.starts_on, s.ends_on),
            programme: pick_opt(
                lang,
                &listing.programme.title_ja,
                listing.programme.title_en.as_deref(),
            ),
            href: ctx.href(&format!("/programmes/{}", listing.programme.id)),
            place,
            provider: pick_opt(
                lang,
                &listing.provider_name_ja,
                listing.provider_name_en.as_deref(),
            ),
            seats: match (s.seats_left, s.capacity) {
                (Some(left), _) => left.to_string(),
                (None, Some(cap)) => format!("{} {cap}", lang.pick("定員", "capacity")),
                (None, None) => "—".to_owned(),
            },
        };
        match months.last_mut() {
            Some(m) if m.heading == heading => m.rows.push(row),
            _ => months.push(MonthGroup {
                heading,
                rows: vec![row],
            }),
        }
    }
    let earliest = (total == 0)
        .then(|| {
            listings
                .iter()
                .flat_map(|l| l.sessions.iter().map(|s| s.starts_on))
                .min()
        })
        .flatten()
        .filter(|d| *d < query.from)
        .map(|d| {
            ctx.href(&format!(
                "/sessions?{}",
                SessionQuery {
                    from: d,
                    to: None,
                    prefecture: query.prefecture,
                    page: 1
                }
                .to_query(1)
            ))
        });
    let regions = state
        .taxonomy
        .regions()
        .iter()
        .map(|r| RegionOption {
            name: r.label.pick(lang.is_en()).to_owned(),
            prefectures: state
                .taxonomy
                .prefectures_in_region(&r.code)
                .map(|p| PrefOption {
                    code: p.code.code(),
                    name: p.name.pick(lang.is_en()).to_owned(),
                    selected: query.prefecture == Some(p.code),
                })
                .collect(),
        })
        .collect();
    let link = |page: usize| ctx.href(&format!("/sessions?{}", query.to_query(page)));
    let view = SessionsPage {
        from: query.from.to_string(),
        to: query.to.map(|d| d.to_string()).unwrap_or_default(),
        regions,
        total,
        months,
        prev: (query.page > 1).then(|| link(query.page - 1)),
        next: (query.page < pages).then(|| link(query.page + 1)),
        earliest,
        page_number: query.page,
        pages,
        page: ctx,
    };
    Ok(Html(view.render().map_err(AppError::from)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search_params::pairs;
    use time::macros::date;

    #[test]
    fn defaults_to_today_and_names_bad_parameters() {
        let today = date!(2026 - 04 - 01);
        assert_eq!(SessionQuery::parse(&[], today).unwrap().from, today);
        let q = SessionQuery::parse(&pairs(&[("from", "2021/7/1"), ("prefecture", "13")]), today)
            .unwrap();
        assert_eq!(
            (q.from, q.prefecture.map(|p| p.code())),
            (date!(2021 - 07 - 01), Some("13".to_owned()))
        );
        for (name, value) in [
            ("from", "yesterday"),
            ("to", "2026-02-30"),
            ("prefecture", "0"),
            ("page", "0"),
        ] {
            assert_eq!(
                SessionQuery::parse(&pairs(&[(name, value)]), today)
                    .unwrap_err()
                    .field
                    .as_deref(),
                Some(name)
            );
        }
        let reversed = SessionQuery::parse(
            &pairs(&[("from", "2026-05-01"), ("to", "2026-04-01")]),
            today,
        )
        .unwrap_err();
        assert_eq!(
            (reversed.code, reversed.field.as_deref()),
            ("date_range.order", Some("to"))
        );
        // Only `to`, before today: nothing starts in that range, which is no mistake.
        let past = SessionQuery::parse(&pairs(&[("to", "2000-01-01")]), today).unwrap();
        assert_eq!(past.to, Some(date!(2000 - 01 - 01)));
    }
}

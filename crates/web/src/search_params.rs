//! Search parameters, parsed at the edge into a `SearchRequest`. The page and the API share
//! them, so a link can be turned into an API call by changing the path. A bad value is a 400
//! that names the parameter and the rule.

use koshu_domain::ValidationError;
use koshu_domain::catalogue::search::{Facet, FeeBand, Filters, Sort};
use koshu_domain::prefecture::Prefecture;
use koshu_domain::taxonomy::Taxonomy;
use koshu_search::SearchRequest;

pub const MAX_TEXT_CHARS: usize = 200;
pub const MAX_PAGE: usize = 10_000;

fn invalid(param: &str, code: &'static str, ja: String, en: String) -> ValidationError {
    ValidationError::new(code, ja, en).for_field(param)
}

fn unknown_value(param: &str, value: &str, what_ja: &str, what_en: &str) -> ValidationError {
    invalid(
        param,
        "search.unknown_value",
        format!("「{value}」は{what_ja}（{param}）として指定できない値です。"),
        format!("\"{value}\" is not a valid {what_en} ({param})."),
    )
}

fn is_month(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && matches!(value[5..].parse::<u8>(), Ok(1..=12))
}

/// Checks one facet value against the reference data.
fn check(taxonomy: &Taxonomy, facet: Facet, value: &str) -> Result<String, ValidationError> {
    let param = facet.param();
    let known = match facet {
        Facet::Layer => taxonomy.layer(value).is_some(),
        Facet::Audience => taxonomy.audience(value).is_some(),
        Facet::Difficulty => taxonomy.difficulty(value).is_some(),
        Facet::Field => taxonomy.itss_field(value).is_some(),
        Facet::Subject => taxonomy.subject(value).is_some(),
        Facet::Item => taxonomy.syllabus_item(value).is_some(),
        Facet::Kind => taxonomy.kind(value).is_some(),
        Facet::Format => taxonomy.format(value).is_some(),
        Facet::Prefecture => {
            return Prefecture::from_code(value)
                .map(|p| p.code())
                .map_err(|e| e.for_field(param));
        }
        Facet::Month => {
            return if is_month(value) {
                Ok(value.to_owned())
            } else {
                Err(invalid(
                    param,
                    "search.month_format",
                    format!(
                        "開催月（{param}）は 2026-04 の形式で指定してください（指定値:「{value}」）。"
                    ),
                    format!("The month ({param}) must look like 2026-04 (got \"{value}\")."),
                ))
            };
        }
        Facet::Fee => FeeBand::from_code(value).is_some(),
        Facet::Designated | Facet::Open => {
            return if matches!(value, "true" | "1" | "on") {
                Ok("true".to_owned())
            } else {
                Err(invalid(
                    param,
                    "search.flag",
                    format!("{param} には true を指定してください（指定値:「{value}」）。"),
                    format!("{param} takes the value true (got \"{value}\")."),
                ))
            };
        }
    };
    if known {
        Ok(value.to_owned())
    } else {
        let (ja, en) = match facet {
            Facet::Layer => ("人材層", "layer"),
            Facet::Audience => ("対象者", "audience"),
            Facet::Difficulty => ("難易度", "level"),
            Facet::Field => ("ITSS+ 分野", "ITSS+ field"),
            Facet::Subject => ("シラバスの科目", "syllabus subject"),
            Facet::Item => ("シラバスの項目", "syllabus item"),
            Facet::Kind => ("施策の種別", "programme kind"),
            Facet::Format => ("実施形態", "format"),
            _ => ("費用帯", "fee band"),
        };
        Err(unknown_value(param, value, ja, en))
    }
}

/// Parses query pairs. Unknown parameters are ignored (tracking tags and the like).
pub fn parse(
    pairs: &[(String, String)],
    taxonomy: &Taxonomy,
) -> Result<SearchRequest, ValidationError> {
    let mut req = SearchRequest {
        page: 1,
        ..SearchRequest::default()
    };
    let mut filters = Filters::default();
    for (name, value) in pairs {
        match name.as_str() {
            "q" => {
                if value.chars().count() > MAX_TEXT_CHARS {
                    return Err(invalid(
                        "q",
                        "search.q_too_long",
                        format!("キーワード（q）は{MAX_TEXT_CHARS}文字以内で入力してください。"),
                        format!("Keywords (q) must be at most {MAX_TEXT_CHARS} characters."),
                    ));
                }
                req.text = value.trim().to_owned();
            }
            "sort" => {
                req.sort = Sort::from_code(value).ok_or_else(|| {
                    invalid(
                        "sort",
                        "search.sort",
                        format!("並び順（sort）は relevance, next, fee, title のいずれかです（指定値:「{value}」）。"),
                        format!("The sort order (sort) is one of relevance, next, fee, title (got \"{value}\")."),
                    )
                })?;
            }
            "page" => {
                req.page = value.parse::<usize>().ok().filter(|p| (1..=MAX_PAGE).contains(p)).ok_or_else(|| {
                    invalid(
                        "page",
                        "search.page",
                        format!("ページ番号（page）は 1〜{MAX_PAGE} の整数です（指定値:「{value}」）。"),
                        format!("The page number (page) is a whole number from 1 to {MAX_PAGE} (got \"{value}\")."),
                    )
                })?;
            }
            other => {
                if let Some(facet) = Facet::from_param(other)
                    && !value.is_empty()
                {
                    filters.select(facet, check(taxonomy, facet, value)?);
                }
            }
        }
    }
    req.filters = filters;
    Ok(req)
}

/// The query string for a request (without `page` when it is 1), for links that change one thing.
pub fn to_query(text: &str, filters: &Filters, sort: Sort, page: usize) -> String {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    if !text.is_empty() {
        pairs.push(("q", text));
    }
    for (facet, value) in filters.iter() {
        pairs.push((facet.param(), value));
    }
    if sort != Sort::Relevance {
        pairs.push(("sort", sort.code()));
    }
    let page = page.to_string();
    if page != "1" {
        pairs.push(("page", &page));
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// Query pairs as the `Query` extractor gives them, for tests of parameter parsing.
#[cfg(test)]
pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy() -> Taxonomy {
        Taxonomy::embedded().unwrap()
    }

    #[test]
    fn valid_parameters_become_a_request() {
        let req = parse(
            &pairs(&[
                ("q", " 攻撃 "),
                ("field", "sec_monitoring"),
                ("difficulty", "intro"),
                ("prefecture", "13"),
                ("sort", "fee"),
                ("page", "2"),
                ("utm_source", "x"),
            ]),
            &taxonomy(),
        )
        .unwrap();
        assert_eq!(req.text, "攻撃");
        assert!(req.filters.is_selected(Facet::Field, "sec_monitoring"));
        assert!(req.filters.is_selected(Facet::Prefecture, "13"));
        assert!(req.filters.is_selected(Facet::Difficulty, "intro"));
        assert_eq!((req.sort, req.page), (Sort::Fee, 2));
    }

    #[test]
    fn each_bad_value_names_its_parameter() {
        let t = taxonomy();
        for (name, value, code) in [
            ("field", "hacking", "search.unknown_value"),
            ("difficulty", "expert", "search.unknown_value"),
            ("prefecture", "48", "prefecture.jis_code"),
            ("month", "2026-13", "search.month_format"),
            ("fee", "cheap", "search.unknown_value"),
            ("open", "yes", "search.flag"),
            ("sort", "price", "search.sort"),
            ("page", "0", "search.page"),
        ] {
            let e = parse(&pairs(&[(name, value)]), &t).unwrap_err();
            assert_eq!(
                (e.field.as_deref(), e.code),
                (Some(name), code),
                "{name}={value}"
            );
        }
        let long = "あ".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            parse(&pairs(&[("q", &long)]), &t).unwrap_err().code,
            "search.q_too_long"
        );
    }

    #[test]
    fn query_strings_round_trip() {
        let t = taxonomy();
        let req = parse(
            &pairs(&[
                ("q", "インシデント対応"),
                ("prefecture", "27"),
                ("month", "2026-05"),
            ]),
            &t,
        )
        .unwrap();
        let query = to_query(&req.text, &req.filters, req.sort, 3);
        let back: Vec<(String, String)> = serde_urlencoded::from_str(&query).unwrap();
        let again = parse(&back, &t).unwrap();
        assert_eq!(
            (again.text, again.filters, again.page),
            (req.text, req.filters, 3)
        );
    }
}

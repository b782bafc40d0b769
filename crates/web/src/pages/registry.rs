//! The registry's view (issue 18 item 6; F02, G01): IPA's registrars and Koshu's administrators
//! see how the linked 登録セキスペ stand, by outlook and by registration cohort, and the
//! 特定講習 completions issued on Koshu per month, as a page, a CSV and a workbook. Counts
//! only: no holder is named or linked to anywhere here.

use super::delivery::{csv_download, download};
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::lang::Lang;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use koshu_domain::access::Action;
use koshu_domain::holder::{AT_RISK_DAYS, Outlook};
use koshu_forms::table::{Sheet, workbook_of};
use koshu_workflow::holders::{Registry, registry};
use time::Date;

use super::applications::forms::XLSX;

/// One of the three tables as every output draws it: the first cell of each row is its
/// heading, the others are counts (and, in the outlook table, the share in %).
struct Table {
    /// The workbook's sheet name and the CSV's 集計 column.
    name: &'static str,
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    /// The 合計 row.
    total: Vec<String>,
}

impl Table {
    /// Columns after the first hold numbers.
    fn number_columns(&self) -> Vec<usize> {
        (1..self.header.len()).collect()
    }
}

struct Tables {
    as_of: Date,
    holders: usize,
    outlook: Table,
    /// The outlook table's bars, row by row.
    bars: Vec<u32>,
    cohorts: Table,
    completions: Table,
}

fn month(lang: Lang, (year, month): (i32, u8)) -> String {
    view::month(lang, &format!("{year}-{month:02}"))
}

/// The share `part` of `whole` in %, to one decimal (rounded half up); empty when there is
/// no whole.
fn share(part: usize, whole: usize) -> String {
    match (part * 1000 + whole / 2).checked_div(whole) {
        Some(tenths) => format!("{}.{}", tenths / 10, tenths % 10),
        None => String::new(),
    }
}

/// A bar's length out of 200 (as the survey's bars): the table beside it carries the exact share.
pub(crate) fn bar(part: usize, whole: usize) -> u32 {
    (part * 200 + whole / 2)
        .checked_div(whole)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0)
}

fn tables(lang: Lang, as_of: Date, r: &Registry) -> Tables {
    let en = lang.is_en();
    let t = |ja: &'static str, en: &'static str| lang.pick(ja, en);
    let count = |o: &Outlook| r.by_outlook.get(o).copied().unwrap_or(0);
    let outlook = Table {
        name: t("見通し別", "By outlook"),
        header: vec![
            t("見通し", "Outlook"),
            t("人数", "Holders"),
            t("割合（%）", "Share (%)"),
        ],
        rows: Outlook::ALL
            .iter()
            .map(|o| {
                vec![
                    o.label(en).to_owned(),
                    count(o).to_string(),
                    share(count(o), r.holders),
                ]
            })
            .collect(),
        total: vec![
            t("合計", "Total").to_owned(),
            r.holders.to_string(),
            share(r.holders, r.holders),
        ],
    };

    let mut cohort_header = vec![t("登録月", "Registered in")];
    cohort_header.extend(Outlook::ALL.iter().map(|o| o.label(en)));
    cohort_header.push(t("計", "All"));
    let mut column_totals = [0; Outlook::ALL.len()];
    let cohort_rows = r
        .by_cohort
        .iter()
        .map(|(&cohort, counts)| {
            let mut row = vec![match lang {
                Lang::Ja => format!("{}登録", month(lang, cohort)),
                Lang::En => month(lang, cohort),
            }];
            for (i, o) in Outlook::ALL.iter().enumerate() {
                let n = counts.get(o).copied().unwrap_or(0);
                column_totals[i] += n;
                row.push(n.to_string());
            }
            row.push(counts.values().sum::<usize>().to_string());
            row
        })
        .collect();
    let mut cohort_total = vec![t("合計", "Total").to_owned()];
    cohort_total.extend(column_totals.iter().map(ToString::to_string));
    cohort_total.push(column_totals.iter().sum::<usize>().to_string());
    let cohorts = Table {
        name: t("登録月別", "By registration cohort"),
        header: cohort_header,
        rows: cohort_rows,
        total: cohort_total,
    };

    let (all, linked) = r
        .completions_by_month
        .values()
        .fold((0, 0), |(a, l), (all, linked)| (a + all, l + linked));
    let completions = Table {
        name: t("月別の特定講習修了", "Completions by month"),
        header: vec![
            t("発行月", "Month issued"),
            t("特定講習の修了", "Designated-course completions"),
            t(
                "うち講習台帳を連携した登録セキスペ",
                "of which to linked holders",
            ),
        ],
        rows: r
            .completions_by_month
            .iter()
            .map(|(&m, (all, linked))| vec![month(lang, m), all.to_string(), linked.to_string()])
            .collect(),
        total: vec![
            t("合計", "Total").to_owned(),
            all.to_string(),
            linked.to_string(),
        ],
    };
    Tables {
        as_of,
        holders: r.holders,
        bars: Outlook::ALL
            .iter()
            .map(|o| bar(count(o), r.holders))
            .collect(),
        outlook,
        cohorts,
        completions,
    }
}

async fn load(state: &AppState, auth: &AuthContext, lang: Lang) -> Result<Tables, AppError> {
    auth.require(Action::ViewHolderRegistry)?;
    let r = registry(&state.workflow).await?;
    Ok(tables(lang, view::today(state), &r))
}

/// What each outlook means, as the page explains it.
fn definitions(page: &PageCtx) -> Vec<(&'static str, String)> {
    let en = page.lang.is_en();
    Outlook::ALL
        .iter()
        .map(|&o| {
            let meaning = match (o, page.lang) {
                (Outlook::OnTrack, Lang::Ja) => format!(
                    "修了していない講習がないか、その期限がどれも{AT_RISK_DAYS}日より先です。"
                ),
                (Outlook::OnTrack, Lang::En) => format!(
                    "Every course is done, or each one still to do is due more than {AT_RISK_DAYS} days from today."
                ),
                (Outlook::AtRisk, Lang::Ja) => format!(
                    "修了していない講習のどれかの期限が{AT_RISK_DAYS}日以内です。"
                ),
                (Outlook::AtRisk, Lang::En) => format!(
                    "A course still to do is due within {AT_RISK_DAYS} days."
                ),
                (Outlook::Overdue, Lang::Ja) => {
                    "講習を修了しないまま期限を過ぎたものがあります。".to_owned()
                }
                (Outlook::Overdue, Lang::En) => {
                    "A deadline passed without the course being done.".to_owned()
                }
                (Outlook::PeriodEnded, Lang::Ja) => "入力された登録期間が終わっています。更新して更新日が未入力なのか、登録が失効したのかは Koshu には分かりません。".to_owned(),
                (Outlook::PeriodEnded, Lang::En) => "The period entered has ended: Koshu cannot tell whether the holder renewed and has not entered the renewal date, or the registration lapsed.".to_owned(),
            };
            (o.label(en), meaning)
        })
        .collect()
}

struct OutlookRow {
    cells: Vec<String>,
    /// Out of 200.
    bar: u32,
}

/// A table of the page below its heading, or what to say when it has no row.
struct Section {
    id: &'static str,
    heading: &'static str,
    caption: &'static str,
    empty: &'static str,
    table: Table,
}

#[derive(Template)]
#[template(path = "registry_holders.html")]
struct RegistryPage {
    page: PageCtx,
    count_line: String,
    definitions: Vec<(&'static str, String)>,
    outlook_header: Vec<&'static str>,
    outlook_rows: Vec<OutlookRow>,
    outlook_total: Vec<String>,
    sections: Vec<Section>,
    csv: String,
    xlsx: String,
}

pub async fn holders(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
) -> Result<Response, AppError> {
    let t = load(&state, &auth, page.lang).await?;
    let outlook_rows = t
        .outlook
        .rows
        .into_iter()
        .zip(t.bars)
        .map(|(cells, bar)| OutlookRow { cells, bar })
        .collect();
    Ok(Html(
        RegistryPage {
            count_line: match page.lang {
                Lang::Ja => format!(
                    "{}時点：講習台帳を連携した登録セキスペ {}人",
                    view::date(page.lang, t.as_of),
                    t.holders
                ),
                Lang::En => format!(
                    "As of {}: {} holders have linked their course ledger",
                    view::date(page.lang, t.as_of),
                    t.holders
                ),
            },
            definitions: definitions(&page),
            outlook_header: t.outlook.header,
            outlook_rows,
            outlook_total: t.outlook.total,
            sections: vec![
                Section {
                    id: "by-cohort",
                    heading: page.t("登録月別", "By registration cohort"),
                    caption: page.t(
                        "登録月別・見通し別の人数",
                        "Holders by registration cohort and outlook",
                    ),
                    empty: page.t(
                        "講習台帳を連携した登録セキスペはまだいません。",
                        "No holder has linked their ledger yet.",
                    ),
                    table: t.cohorts,
                },
                Section {
                    id: "completions",
                    heading: page.t("月別の特定講習修了", "Designated-course completions by month"),
                    caption: page.t(
                        "講座が Koshu で報告した特定講習の修了（発行月別）",
                        "Completions of designated courses (特定講習) reported on Koshu, by month of issue",
                    ),
                    empty: page.t(
                        "Koshu で発行された特定講習の修了証はまだありません。",
                        "No certificate of a designated course (特定講習) has been issued on Koshu yet.",
                    ),
                    table: t.completions,
                },
            ],
            csv: page.href("/registry/holders.csv"),
            xlsx: page.href("/registry/holders.xlsx"),
            page,
        }
        .render()?,
    )
    .into_response())
}

/// The three tables as one CSV (one table, as CSV has): a row per figure, named by its table,
/// its group (cohort or month) and its item, so that a spreadsheet's filter or pivot reads it;
/// totals are left to the reader.
pub async fn holders_csv(
    State(state): State<AppState>,
    auth: AuthContext,
    lang: Lang,
) -> Result<Response, AppError> {
    let t = load(&state, &auth, lang).await?;
    let en = lang.is_en();
    let header = [
        lang.pick("集計", "Table"),
        lang.pick("区分", "Group"),
        lang.pick("項目", "Item"),
        lang.pick("件数", "Count"),
        lang.pick("割合（%）", "Share (%)"),
    ];
    let figure = |table: &Table, group: &str, item: &str, count: &str, share: &str| {
        [table.name, group, item, count, share]
            .map(str::to_owned)
            .to_vec()
    };
    let mut rows: Vec<Vec<String>> = t
        .outlook
        .rows
        .iter()
        .map(|r| figure(&t.outlook, "", &r[0], &r[1], &r[2]))
        .collect();
    for r in &t.cohorts.rows {
        for (o, n) in Outlook::ALL.iter().zip(&r[1..]) {
            rows.push(figure(&t.cohorts, &r[0], o.label(en), n, ""));
        }
    }
    for r in &t.completions.rows {
        for (item, n) in t.completions.header[1..].iter().zip(&r[1..]) {
            rows.push(figure(&t.completions, &r[0], item, n, ""));
        }
    }
    Ok(csv_download(
        &format!("koshu-registry-{}.csv", t.as_of),
        &header,
        &rows,
    ))
}

/// The three tables as the page shows them, a sheet each, with their 合計 rows.
pub async fn holders_xlsx(
    State(state): State<AppState>,
    auth: AuthContext,
    lang: Lang,
) -> Result<Response, AppError> {
    let t = load(&state, &auth, lang).await?;
    let with_total = |table: &Table| {
        let mut rows = table.rows.clone();
        rows.push(table.total.clone());
        rows
    };
    let tables = [&t.outlook, &t.cohorts, &t.completions];
    let rows: Vec<Vec<Vec<String>>> = tables.iter().map(|table| with_total(table)).collect();
    let numbers: Vec<Vec<usize>> = tables.iter().map(|table| table.number_columns()).collect();
    let sheets: Vec<Sheet<'_>> = tables
        .iter()
        .zip(&rows)
        .zip(&numbers)
        .map(|((table, rows), numbers)| Sheet {
            name: table.name,
            header: &table.header,
            rows,
            numbers,
        })
        .collect();
    let title = match lang {
        Lang::Ja => format!("登録セキスペの集計（{}時点）", view::date(lang, t.as_of)),
        Lang::En => format!(
            "Registered specialists, as of {}",
            view::date(lang, t.as_of)
        ),
    };
    let bytes = workbook_of(&title, &sheets).map_err(AppError::internal)?;
    Ok(download(
        XLSX,
        &format!("koshu-registry-{}.xlsx", t.as_of),
        bytes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn shares_round_half_up_to_one_decimal_and_need_a_whole() {
        assert_eq!(share(1, 3), "33.3");
        assert_eq!(share(2, 3), "66.7");
        assert_eq!(share(1, 8), "12.5");
        assert_eq!(share(3, 3), "100.0");
        assert_eq!(share(0, 0), "");
        assert_eq!(bar(1, 4), 50);
        assert_eq!(bar(2, 3), 133);
        assert_eq!(bar(0, 0), 0);
    }

    #[test]
    fn every_cohort_has_every_outlook_and_the_totals_add_up() {
        let mut r = Registry {
            holders: 3,
            ..Registry::default()
        };
        r.by_outlook.insert(Outlook::OnTrack, 2);
        r.by_outlook.insert(Outlook::Overdue, 1);
        r.by_cohort
            .entry((2018, 10))
            .or_default()
            .insert(Outlook::OnTrack, 2);
        r.by_cohort
            .entry((2024, 4))
            .or_default()
            .insert(Outlook::Overdue, 1);
        r.completions_by_month.insert((2026, 4), (5, 2));
        let t = tables(Lang::Ja, date!(2026 - 05 - 01), &r);
        assert_eq!(t.outlook.rows[0], ["順調", "2", "66.7"]);
        assert_eq!(t.outlook.rows[1], ["期限が近い", "0", "0.0"]);
        assert_eq!(t.outlook.total, ["合計", "3", "100.0"]);
        assert_eq!(t.bars, [133, 0, 67, 0]);
        assert_eq!(
            t.cohorts.rows[0],
            ["2018年10月登録", "2", "0", "0", "0", "2"]
        );
        assert_eq!(t.cohorts.total, ["合計", "2", "0", "1", "0", "3"]);
        assert_eq!(t.completions.rows, [["2026年4月", "5", "2"]]);
        let en = tables(Lang::En, date!(2026 - 05 - 01), &r);
        assert_eq!(en.cohorts.rows[1][0], "April 2024");
        assert_eq!(en.completions.rows[0][0], "April 2026");
    }
}

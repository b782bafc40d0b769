//! The 「特定講習」実施状況報告書（月次）as a workbook and a PDF (issue 19; E01), and its rows,
//! which the web page shows too: one list of what the report counts, in both languages.

use koshu_domain::reports::MonthlyFigures;

use crate::FormsError;
use crate::pdf::{Layout, MARGIN_X, render};
use crate::table::{Sheet, workbook_of};

/// A figure: a count, a share in whole percent, a mean in tenths, or none (not shown yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    Count(u32),
    Percent(Option<u32>),
    Tenths(Option<u32>),
}

impl Figure {
    /// As a cell or a line says it: `5`, `66`, `4.2`, or `—`.
    pub fn text(&self) -> String {
        match *self {
            Self::Count(n) | Self::Percent(Some(n)) => n.to_string(),
            Self::Tenths(Some(t)) => format!("{}.{}", t / 10, t % 10),
            Self::Percent(None) | Self::Tenths(None) => "—".to_owned(),
        }
    }
}

/// One line of the report: what it counts, the figure, and the session page whose records it
/// counts (`roster`, `attendance`, …), if one does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub ja: &'static str,
    pub en: &'static str,
    pub figure: Figure,
    pub records: Option<&'static str>,
}

/// The report's lines, in the order of the form.
pub fn rows(f: &MonthlyFigures) -> Vec<Row> {
    let row = |ja, en, figure, records| Row {
        ja,
        en,
        figure,
        records,
    };
    let count = |n: u32| Figure::Count(n);
    let sessions = u32::try_from(f.sessions.len()).unwrap_or(u32::MAX);
    vec![
        row("開催回数", "Sessions held", count(sessions), None),
        row(
            "受講者数（受講確定）",
            "Learners with a place",
            count(f.enrolled),
            Some("roster"),
        ),
        row(
            "本人確認を行った受講者数",
            "Learners whose identity was checked",
            count(f.identity_checked),
            Some("check-in"),
        ),
        row(
            "出席者数（いずれかのコマに出席）",
            "Learners present in a block",
            count(f.attended),
            Some("attendance"),
        ),
        row(
            "途中で離席した受講者数",
            "Learners who left mid-course",
            count(f.left_mid_course),
            Some("attendance"),
        ),
        row(
            "　うちフォローした受講者数",
            "  of them followed up",
            count(f.left_followed_up),
            Some("follow-up"),
        ),
        row(
            "進捗が停滞した受講者数",
            "Learners who stalled",
            count(f.stalled),
            Some("follow-up"),
        ),
        row(
            "　うちフォローした受講者数",
            "  of them followed up",
            count(f.stalled_followed_up),
            Some("follow-up"),
        ),
        row(
            "修了者数",
            "Completed",
            count(f.completed),
            Some("completion"),
        ),
        row(
            "未修了者数",
            "Not completed",
            count(f.not_completed),
            Some("completion"),
        ),
        row(
            "修了率（%）",
            "Completion rate (%)",
            Figure::Percent(f.completion_percent),
            Some("completion"),
        ),
        row(
            "アンケート回答数",
            "Survey answers",
            count(f.survey_responses),
            Some("survey"),
        ),
        row(
            "アンケート回答率（%）",
            "Survey response rate (%)",
            Figure::Percent(f.survey_response_percent),
            Some("survey"),
        ),
        row(
            "満足度（%、回答5件以上）",
            "Satisfied or somewhat satisfied (%, from 5 answers)",
            Figure::Percent(f.satisfied_percent),
            Some("survey"),
        ),
        row(
            "満足度の平均（5段階）",
            "Mean satisfaction, 1 to 5 (from 5 answers)",
            Figure::Tenths(f.satisfaction_mean_tenths),
            Some("survey"),
        ),
        row(
            "苦情等の件数",
            "Problems reported (complaints)",
            count(f.complaints),
            None,
        ),
        row(
            "変更届の提出件数",
            "Change notices filed",
            count(f.changes),
            None,
        ),
    ]
}

/// What the documents print besides the figures.
#[derive(Debug, Clone, Copy)]
pub struct ReportDocument<'a> {
    /// 「特定講習」実施状況報告書（月次） or （年度）.
    pub form: &'a str,
    pub course: &'a str,
    pub number: &'a str,
    pub provider: &'a str,
    /// 2026年3月, 2025年度.
    pub month: &'a str,
    /// 第2版（2026年4月1日提出）, or that it is not submitted and computed from the records.
    pub version: &'a str,
    pub digest: Option<&'a str>,
    pub remarks: &'a str,
    /// Each session's dates and place, as the page prints them.
    pub sessions: &'a [(String, String)],
    pub figures: &'a MonthlyFigures,
}

/// The report's first table (what it is, then each figure, the remarks and the digest), as
/// the workbook's first sheet and the CSV hold it: (item, figure).
pub fn summary(d: &ReportDocument<'_>) -> Vec<Vec<String>> {
    let mut lines: Vec<Vec<String>> = [
        ("講習名", d.course),
        ("指定番号", d.number),
        ("講座提供者", d.provider),
        ("対象期間", d.month),
        ("版", d.version),
    ]
    .iter()
    .map(|(k, v)| vec![(*k).to_owned(), (*v).to_owned()])
    .collect();
    lines.extend(
        rows(d.figures)
            .iter()
            .map(|r| vec![r.ja.trim_start().to_owned(), r.figure.text()]),
    );
    lines.push(vec!["備考".to_owned(), d.remarks.to_owned()]);
    if let Some(digest) = d.digest {
        lines.push(vec![
            "ダイジェスト（SHA-256）".to_owned(),
            digest.to_owned(),
        ]);
    }
    lines
}

/// The report as a workbook: 実施状況 (item, figure; the figures as numbers), 開催回, and
/// 修了者の登録番号 (as text, keeping their zeros).
pub fn workbook(d: &ReportDocument<'_>) -> Result<Vec<u8>, FormsError> {
    let figures = summary(d);
    let sessions: Vec<Vec<String>> = d
        .sessions
        .iter()
        .zip(&d.figures.sessions)
        .map(|((dates, place), s)| {
            vec![
                dates.clone(),
                place.clone(),
                s.enrolled.to_string(),
                s.attended.to_string(),
                s.completed.to_string(),
            ]
        })
        .collect();
    let numbers: Vec<Vec<String>> = d
        .figures
        .completed_riss_numbers
        .iter()
        .map(|n| vec![n.clone()])
        .collect();
    workbook_of(
        &format!(
            "「特定講習」実施状況報告書（月次）{}：{}",
            d.month, d.course
        ),
        &[
            Sheet {
                name: "実施状況",
                header: &["項目", "数"],
                rows: &figures,
                numbers: &[1],
            },
            Sheet {
                name: "開催回",
                header: &["開催日", "場所・形式", "受講者", "出席者", "修了者"],
                rows: &sessions,
                numbers: &[2, 3, 4],
            },
            Sheet {
                name: "修了者の登録番号",
                header: &["登録番号"],
                rows: &numbers,
                numbers: &[],
            },
        ],
    )
}

/// The report as an A4 PDF.
pub fn pdf(d: &ReportDocument<'_>) -> Result<Vec<u8>, FormsError> {
    let mut l = Layout::new();
    l.text_line(MARGIN_X, d.form, 14.0);
    l.gap(8.0);
    l.labelled("講習名", d.course);
    l.labelled("指定番号", d.number);
    l.labelled("講座提供者", d.provider);
    l.labelled("対象期間", d.month);
    l.labelled("版", d.version);
    l.gap(6.0);
    l.section("実施状況");
    for r in rows(d.figures) {
        l.labelled(r.ja.trim_start(), &r.figure.text());
    }
    l.text_line(
        MARGIN_X,
        "満足度は修了時アンケートの「講習の目的に対する満足度」に「満足」「やや満足」と答えた割合。",
        9.0,
    );
    l.gap(6.0);
    l.section("開催回");
    if d.sessions.is_empty() {
        l.labelled("開催回", "この期間に最終日を迎えた開催回はありません。");
    }
    for ((dates, place), s) in d.sessions.iter().zip(&d.figures.sessions) {
        l.labelled(
            dates,
            &format!(
                "{place}　受講者 {}人・出席者 {}人・修了者 {}人",
                s.enrolled, s.attended, s.completed
            ),
        );
    }
    l.gap(6.0);
    l.section("修了者の登録番号");
    let numbers = if d.figures.completed_riss_numbers.is_empty() {
        "なし".to_owned()
    } else {
        d.figures.completed_riss_numbers.join("、")
    };
    l.labelled("登録番号", &numbers);
    l.labelled(
        "備考",
        if d.remarks.is_empty() {
            "なし"
        } else {
            d.remarks
        },
    );
    if let Some(digest) = d.digest {
        l.labelled("ダイジェスト（SHA-256）", digest);
    }
    render(
        l.finish(),
        format!(
            "「特定講習」実施状況報告書（月次）{}：{}",
            d.month, d.course
        ),
    )
}

/// One designated course's line of the ministry's overview: its standing in each month shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewLine {
    pub course: String,
    pub number: String,
    pub provider: String,
    /// One per month shown: 受領（…）, 未提出（…）, or `—` before the course's period.
    pub cells: Vec<String>,
}

/// The ministry's view of every designated course's reports, as the page shows it.
#[derive(Debug, Clone, Copy)]
pub struct Overview<'a> {
    /// When it was made (2026年12月4日).
    pub made_on: &'a str,
    /// The filters applied, as a sentence (講座提供者：すべて、分野：すべて、直近6か月).
    pub filters: &'a str,
    /// Reports by standing: (受領, 3).
    pub counts: &'a [(String, usize)],
    /// The months shown, newest first (2026年12月).
    pub months: &'a [String],
    pub lines: &'a [OverviewLine],
    /// Per month: (month, reports received, learners, completions, completion rate text).
    pub totals: &'a [(String, usize, u32, u32, String)],
}

/// Months a grid of the overview holds: the course column and these fit the page.
const MONTHS_PER_GRID: usize = 6;

/// The overview as an A4 PDF: the counts by standing, the course × month grids (six months
/// each), and the month totals as a table with a bar of completions per month.
pub fn overview_pdf(o: &Overview<'_>) -> Result<Vec<u8>, FormsError> {
    use crate::form::{Column, Table, Value};
    let mut l = Layout::new();
    l.text_line(MARGIN_X, "「特定講習」実施状況報告の状況", 14.0);
    l.gap(8.0);
    l.labelled("作成日", o.made_on);
    l.labelled("条件", o.filters);
    l.gap(6.0);
    l.section("報告書の件数（表示した月）");
    for (label, n) in o.counts {
        l.labelled(label, &format!("{n}件"));
    }
    l.gap(6.0);
    let column = |header: &str, width: f64| Column {
        field: "",
        header: header.to_owned(),
        width,
    };
    for (part, months) in o.months.chunks(MONTHS_PER_GRID).enumerate() {
        l.section(&format!(
            "講習×月（{}〜{}）",
            months.last().map_or("", String::as_str),
            months.first().map_or("", String::as_str)
        ));
        let mut columns = vec![column("講習・指定番号・講座提供者", 36.0)];
        columns.extend(months.iter().map(|m| column(m, 13.0)));
        let rows = o
            .lines
            .iter()
            .enumerate()
            .map(|(n, line)| {
                let mut cells = vec![Value::Text(format!(
                    "{}\n{}\n{}",
                    line.course, line.number, line.provider
                ))];
                cells.extend(
                    line.cells
                        .iter()
                        .skip(part * MONTHS_PER_GRID)
                        .take(months.len())
                        .map(|c| Value::Text(c.clone())),
                );
                (format!("line[{n}]"), cells)
            })
            .collect();
        l.table(&Table {
            list: "",
            columns,
            rows,
        });
    }
    l.section("月別の合計（受領した報告書の最新の版から）");
    let totals = o
        .totals
        .iter()
        .enumerate()
        .map(|(n, (month, reports, enrolled, completed, rate))| {
            (
                format!("total[{n}]"),
                vec![
                    Value::Text(month.clone()),
                    Value::Count(u32::try_from(*reports).unwrap_or(u32::MAX)),
                    Value::Count(*enrolled),
                    Value::Count(*completed),
                    Value::Text(rate.clone()),
                ],
            )
        })
        .collect();
    l.table(&Table {
        list: "",
        columns: vec![
            column("対象月", 16.0),
            column("受領した報告書", 14.0),
            column("受講者数", 12.0),
            column("修了者数", 12.0),
            column("修了率（%）", 12.0),
        ],
        rows: totals,
    });
    completions_chart(&mut l, o.totals);
    render(l.finish(), "「特定講習」実施状況報告の状況".to_owned())
}

/// Completions per month as horizontal bars, the oldest month first, each labelled with its
/// month and count (the table above holds the same figures).
fn completions_chart(l: &mut Layout, totals: &[(String, usize, u32, u32, String)]) {
    use crate::pdf::{CONTENT_W, line_height};
    const LABEL: f32 = 90.0;
    const SIZE: f32 = 8.0;
    l.section("修了者数の推移");
    let most = totals.iter().map(|t| t.3).max().unwrap_or(0).max(1);
    let row = line_height(SIZE) + 4.0;
    let room = CONTENT_W - LABEL - 40.0;
    for (month, _, _, completed, _) in totals.iter().rev() {
        l.ensure(row);
        let top = l.y;
        l.text(MARGIN_X, top + SIZE + 1.0, SIZE, month);
        // Counts are small; f32 holds them exactly.
        #[allow(clippy::cast_precision_loss)]
        let width = room * (*completed as f32) / (most as f32);
        if *completed > 0 {
            l.blocks(vec![[MARGIN_X + LABEL, top + 2.0, width, row - 4.0]]);
        }
        l.text(
            MARGIN_X + LABEL + width + 4.0,
            top + SIZE + 1.0,
            SIZE,
            &format!("{completed}人"),
        );
        l.y += row;
    }
}

//! Issue 19's acceptance: the monthly implementation report's Excel opens in openpyxl with the
//! same figures (as numbers), and its PDF read back with pdftotext has them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use koshu_domain::reports::{MonthlyFigures, SessionLine};
use koshu_forms::report::{ReportDocument, pdf, rows, workbook};
use time::macros::date;

fn figures() -> MonthlyFigures {
    MonthlyFigures {
        sessions: vec![SessionLine {
            session_id: "p-001".to_owned(),
            first_day: date!(2026 - 11 - 27),
            last_day: date!(2026 - 11 - 27),
            place: "霞が関研修室／オンライン".to_owned(),
            enrolled: 6,
            attended: 5,
            completed: 2,
        }],
        enrolled: 6,
        identity_checked: 5,
        attended: 5,
        left_mid_course: 1,
        left_followed_up: 1,
        stalled: 3,
        stalled_followed_up: 1,
        completed: 2,
        not_completed: 1,
        completion_percent: Some(66),
        completed_riss_numbers: vec!["第012345号".to_owned()],
        survey_responses: 5,
        survey_response_percent: Some(83),
        satisfied_percent: Some(80),
        satisfaction_mean_tenths: Some(42),
        complaints: 1,
        changes: 0,
    }
}

fn document<'a>(f: &'a MonthlyFigures, sessions: &'a [(String, String)]) -> ReportDocument<'a> {
    ReportDocument {
        form: "「特定講習」実施状況報告書（月次）",
        course: "実践インシデント対応演習",
        number: "特講2026-001",
        provider: "株式会社サイバー研修",
        month: "2026年11月",
        version: "第1版（2026年12月1日提出）",
        digest: Some("0f3a"),
        remarks: "特記事項なし",
        sessions,
        figures: f,
    }
}

const SCRIPT: &str = r#"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print(wb.sheetnames)
ws = wb["実施状況"]
for r in range(2, ws.max_row + 1):
    value = ws.cell(r, 2).value
    print(f"{ws.cell(r, 1).value}\t{type(value).__name__}\t{value}")
print(wb["修了者の登録番号"].cell(2, 1).value)
print(wb["開催回"].cell(2, 3).value)
"#;

#[test]
#[cfg_attr(
    not(koshu_openpyxl),
    ignore = "python3 with openpyxl not found: python3 -m pip install openpyxl"
)]
fn openpyxl_reads_the_reports_figures_as_numbers() {
    let f = figures();
    let sessions = [("2026年11月27日（金）".to_owned(), "霞が関研修室".to_owned())];
    let xlsx = workbook(&document(&f, &sessions)).unwrap();
    let text = support::python_on(SCRIPT, &xlsx, "report.xlsx");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "['実施状況', '開催回', '修了者の登録番号']");
    assert!(
        lines.contains(&"講習名\tstr\t実践インシデント対応演習"),
        "{text}"
    );
    for r in rows(&f) {
        let label = r.ja.trim_start();
        let line = lines
            .iter()
            .find(|l| l.starts_with(&format!("{label}\t")))
            .unwrap_or_else(|| panic!("{label} not in:\n{text}"));
        let value = r.figure.text();
        let kind = if value.contains('.') { "float" } else { "int" };
        assert_eq!(*line, format!("{label}\t{kind}\t{value}"), "{text}");
    }
    assert!(lines.contains(&"第012345号"), "{text}");
    assert_eq!(
        lines[lines.len() - 1],
        "6",
        "the session's learners, a number"
    );
}

#[test]
#[cfg_attr(
    not(koshu_pdftotext),
    ignore = "pdftotext not found: apt-get install poppler-utils"
)]
fn the_reports_pdf_has_its_figures() {
    let f = figures();
    let sessions = [("2026年11月27日（金）".to_owned(), "霞が関研修室".to_owned())];
    let bytes = pdf(&document(&f, &sessions)).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let text = support::pdf_text(&bytes);
    for expected in [
        "「特定講習」実施状況報告書（月次）",
        "実践インシデント対応演習",
        "特講2026-001",
        "2026年11月",
        "第012345号",
        "受講者 6人・出席者 5人・修了者 2人",
        "特記事項なし",
    ] {
        assert!(text.contains(expected), "{expected} not in:\n{text}");
    }
    for r in rows(&f) {
        let line = text
            .lines()
            .find(|l| l.contains(r.ja.trim_start()))
            .unwrap_or_else(|| panic!("{} not in:\n{text}", r.ja));
        assert!(
            line.trim_end().ends_with(&r.figure.text()),
            "{}: {line}",
            r.ja
        );
    }
}

#[test]
#[cfg_attr(
    not(koshu_pdftotext),
    ignore = "pdftotext not found: apt-get install poppler-utils"
)]
fn the_ministrys_overview_pdf_has_every_course_month_and_total() {
    use koshu_forms::report::{Overview, OverviewLine, overview_pdf};
    let months: Vec<String> = (1..=12).rev().map(|m| format!("2026年{m}月")).collect();
    let lines = vec![
        OverviewLine {
            course: "実践インシデント対応演習".to_owned(),
            number: "特講2026-001".to_owned(),
            provider: "株式会社サンプル".to_owned(),
            cells: (0..12)
                .map(|i| {
                    if i == 0 {
                        "集計中".to_owned()
                    } else {
                        "受領".to_owned()
                    }
                })
                .collect(),
        },
        OverviewLine {
            course: "制御システム防護".to_owned(),
            number: "特講2026-002".to_owned(),
            provider: "一般社団法人テスト".to_owned(),
            cells: (0..12)
                .map(|i| {
                    if i == 1 {
                        "未提出・期限超過".to_owned()
                    } else {
                        "—".to_owned()
                    }
                })
                .collect(),
        },
    ];
    let totals: Vec<(String, usize, u32, u32, String)> = months
        .iter()
        .enumerate()
        .map(|(i, m)| (m.clone(), 1, 10 + i as u32, 7 + i as u32, "70".to_owned()))
        .collect();
    let counts = vec![("受領".to_owned(), 11), ("未提出・期限超過".to_owned(), 1)];
    let bytes = overview_pdf(&Overview {
        made_on: "2026年12月4日",
        filters: "講座提供者：すべて、ITSS+ の分野：すべて、直近12か月",
        counts: &counts,
        months: &months,
        lines: &lines,
        totals: &totals,
    })
    .unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let text = support::pdf_text(&bytes);
    for expected in [
        "「特定講習」実施状況報告の状況",
        "直近12か月",
        "特講2026-001",
        "特講2026-002",
        "一般社団法人テスト",
        "未提出・期限超過",
        "講習×月（2026年7月〜2026年12月）",
        "講習×月（2026年1月〜2026年6月）",
        "修了者数の推移",
        "18人",
    ] {
        assert!(text.contains(expected), "{expected} not in:\n{text}");
    }
    // Each month's totals on one line of the table: month, reports, learners, completions.
    for (month, reports, enrolled, completed, _) in &totals {
        assert!(
            text.lines().any(|l| {
                let words: Vec<&str> = l.split_whitespace().collect();
                words.first() == Some(&month.as_str())
                    && words.contains(&reports.to_string().as_str())
                    && words.contains(&enrolled.to_string().as_str())
                    && words.contains(&completed.to_string().as_str())
            }),
            "{month}'s totals not on one line:\n{text}"
        );
    }
}

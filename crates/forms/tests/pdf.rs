//! Acceptance (e): the PDF is a PDF, and its text (extracted by poppler's pdftotext) holds the
//! course name and the form names in Japanese.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use koshu_domain::designation::{RuleContext, evaluate, fixtures};
use koshu_domain::taxonomy::Taxonomy;
use support::pdf_text;
use time::macros::date;

#[test]
#[cfg_attr(
    not(koshu_pdftotext),
    ignore = "pdftotext not found: apt-get install poppler-utils"
)]
fn a_decision_letter_names_the_course_the_outcome_and_the_designation() {
    let pdf = koshu_forms::pdf::decision_letter(&koshu_forms::pdf::DecisionLetter {
        date: "2026年4月1日",
        addressee: "株式会社サイバー研修",
        course: "実践インシデント対応演習",
        version: 2,
        outcome: "指定",
        reasons: "募集等要領の要件を満たすため。",
        designation: Some(("特講2026-001", "2026年4月1日〜2029年3月31日")),
    })
    .unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf);
    for expected in [
        "株式会社サイバー研修",
        "審査結果について（通知）",
        "実践インシデント対応演習",
        "第2版",
        "特講2026-001",
        "2029年3月31日",
        "経済産業省",
    ] {
        assert!(text.contains(expected), "{expected} not in:\n{text}");
    }
}

#[test]
#[cfg_attr(
    not(koshu_pdftotext),
    ignore = "pdftotext not found: apt-get install poppler-utils"
)]
fn pdf_has_japanese_text_and_page_numbers() {
    let today = date!(2026 - 04 - 01);
    let app = fixtures::complete_application(today);
    let taxonomy = Taxonomy::embedded().unwrap();
    let ctx = RuleContext {
        taxonomy: &taxonomy,
        today,
        revocations: &[],
        documents: &koshu_domain::designation::DocumentKind::ALL,
    };
    let checks = evaluate(&app, &ctx);
    let pdf = koshu_forms::pdf::application(&app, &checks, &taxonomy).unwrap();
    assert!(pdf.starts_with(b"%PDF"));

    let text = pdf_text(&pdf);
    for expected in [
        "特定講習 応募書類",
        app.course.name.as_str(),
        "様式第1号",
        "様式第2号",
        "株式会社サイバー研修",
        "SIEM を用いたログ分析演習",
        "高橋誠",
        "チェックリスト（総括表）",
        "B28",
    ] {
        assert!(
            text.contains(expected),
            "{expected} not in the PDF text:\n{text}"
        );
    }
    let pages = text.matches('\u{c}').count();
    assert!(pages >= 3, "expected several pages, got {pages}");
    assert!(text.contains(&format!("1 / {pages}")), "page numbers");
}

/// Issue 13 item 6: 様式第3号 names the filer, the course, the date, the items, the reason and
/// each field before and after; 様式第4号 the reason and the measures for learners.
#[test]
#[cfg_attr(
    not(koshu_pdftotext),
    ignore = "pdftotext not found: apt-get install poppler-utils"
)]
fn change_and_abolition_notices_print_as_forms_3_and_4() {
    use koshu_forms::notice::{Notice, NoticeKind};
    let items = vec!["講習の名称（届出必須）".to_owned()];
    let changes = vec![(
        "講習名".to_owned(),
        "実践インシデント対応演習".to_owned(),
        "実践インシデント対応演習（上級）".to_owned(),
    )];
    let change = Notice {
        kind: NoticeKind::Change,
        filed_on: "2026年4月10日（金）",
        provider: "株式会社サイバー研修",
        address: "東京都千代田区霞が関1-3-1",
        representative: "代表取締役 研修 太郎",
        number: "特講2026-001",
        course: "実践インシデント対応演習",
        effective_on: "2026年5月1日（金）",
        items: &items,
        changes: &changes,
        reason: "上級者向けに改めるため",
        measures: "",
    };
    let text = pdf_text(&koshu_forms::pdf::notice(&change).unwrap());
    for expected in [
        "様式第3号",
        "特定講習 変更届",
        "株式会社サイバー研修",
        "特講2026-001",
        "2026年5月1日",
        "講習の名称（届出必須）",
        "上級者向けに改めるため",
        "変更後：実践インシデント対応演習（上級）",
    ] {
        assert!(text.contains(expected), "{expected} not in:\n{text}");
    }
    let abolition = Notice {
        kind: NoticeKind::Abolition,
        items: &[],
        changes: &[],
        reason: "講座体系の見直し",
        measures: "同内容の別講座へ無償で振り替えます。",
        ..change
    };
    let text = pdf_text(&koshu_forms::pdf::notice(&abolition).unwrap());
    for expected in [
        "様式第4号",
        "特定講習 廃止届",
        "講座体系の見直し",
        "無償で振り替えます",
    ] {
        assert!(text.contains(expected), "{expected} not in:\n{text}");
    }
    let xlsx = koshu_forms::export::notice(&abolition).unwrap();
    assert!(xlsx.starts_with(b"PK"), "a workbook");
}

/// Issue 13 item 16: the checklists name fields as the forms label them, never by their
/// paths, for a draft that fails many rules (each naming its fields) and for a complete one.
#[test]
#[cfg_attr(
    not(koshu_pdftotext),
    ignore = "pdftotext not found: apt-get install poppler-utils"
)]
fn the_checklists_name_fields_by_their_labels() {
    let today = date!(2026 - 04 - 01);
    let taxonomy = Taxonomy::embedded().unwrap();
    let mut failing = fixtures::complete_application(today);
    failing.course.goals.clear();
    failing.curriculum[0].minutes = 0;
    failing.instructors[0].facilitation_record.clear();
    failing.reporting.commits_to_monthly_and_annual_reports = false;
    failing.outsourcing.answer = None;
    for (failing, app) in [
        (false, fixtures::complete_application(today)),
        (true, failing),
    ] {
        let ctx = RuleContext {
            taxonomy: &taxonomy,
            today,
            revocations: &[],
            documents: &[],
        };
        let checks = evaluate(&app, &ctx);
        let text = pdf_text(&koshu_forms::pdf::application(&app, &checks, &taxonomy).unwrap());
        let checklist = &text[text.find("チェックリスト（総括表）").unwrap()..];
        for path in [
            "course.goals",
            "curriculum[0]",
            "instructors[0]",
            "reporting.commits",
            "outsourcing.answer",
            "documents",
            "provider.",
        ] {
            assert!(!checklist.contains(path), "{path} in:\n{checklist}");
        }
        if failing {
            assert!(
                checklist.contains("到達目標"),
                "named by its label:\n{checklist}"
            );
        }
        // 様式第2号 names the ITSS+ fields, not their codes (issue 13 item 16).
        assert!(!text.contains("sec_monitoring"), "a code in:\n{text}");
    }
}

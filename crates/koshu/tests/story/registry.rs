//! The registry's view (issue 18 item 6; F02, G01): IPA's registrar counts the linked holders
//! by outlook and by registration cohort, and the 特定講習 completions by month, on the page, in
//! the CSV and in the workbook, in Japanese and English; nobody else opens it, and no holder is
//! named anywhere in it.

use crate::accounts::{sign_up, signed_in};
use crate::app::TestApp;
use crate::credentials::{confirm, ready_to_confirm};
use crate::designation::{a_reviewer, ministry_person};
use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use koshu_domain::access::{Email, MinistryRole};
use koshu_domain::holder::Registration;
use koshu_domain::types::RissNumber;
use koshu_workflow::holders::link_registration;
use time::Date;
use time::macros::{date, datetime};

async fn link(app: &TestApp, account: &str, number: &str, registered: Date, renewed: Option<Date>) {
    let registration = Registration {
        number: RissNumber::parse(number).unwrap(),
        registered_on: registered,
        renewed_on: renewed,
    };
    link_registration(&app.state.workflow, account, &registration)
        .await
        .unwrap();
}

/// The cells after the heading of the table row headed `heading`.
fn row(html: &str, heading: &str) -> Vec<String> {
    let start = html
        .find(&format!("<th scope=\"row\">{heading}</th>"))
        .unwrap_or_else(|| panic!("no row {heading}: {html}"));
    let rest = &html[start..];
    let end = rest.find("</tr>").unwrap();
    rest[..end]
        .split("<td class=\"number\">")
        .skip(1)
        .map(|cell| cell[..cell.find("</td>").unwrap()].to_owned())
        .collect()
}

/// The cells of `sheet`'s row whose first cell is `heading`, as text.
fn sheet_row(xlsx: &[u8], sheet: &str, heading: &str) -> Vec<String> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    let found = range
        .rows()
        .find(|r| r.first() == Some(&Data::String(heading.to_owned())))
        .unwrap_or_else(|| panic!("no row {heading} in {sheet}"));
    found[1..]
        .iter()
        .map(|c| match c {
            Data::Float(n) => format!("{n}"),
            other => other.to_string(),
        })
        .collect()
}

/// Every cell of every sheet, one a line.
fn all_cells(xlsx: &[u8]) -> String {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let mut text = String::new();
    for (_, range) in book.worksheets() {
        for cell in range.rows().flatten() {
            text.push_str(&cell.to_string());
            text.push('\n');
        }
    }
    text
}

pub async fn the_registry_counts_holders_by_outlook_and_cohort_and_completions_by_month(
    app: TestApp,
) {
    // 青井 finishes a 特定講習 on 2026-06-10 and has not linked a ledger yet.
    let ready = ready_to_confirm(&app).await;
    crate::holder::designate(&app, &ready.session).await;
    let mut staff = ready.staff;
    confirm(&app, &mut staff, &ready.marks, &ready.session).await;

    // Four holders link, each a different outlook on 2026-07-15 (no course in any ledger):
    // registered 2026-04-01, year 1's online course is due 2027-03-31: on track;
    // registered 2025-10-01, it is due 2026-09-30, 77 days away: at risk;
    // registered 2024-10-01, year 1's was due 2025-09-30: overdue;
    // registered 2019-10-01, renewed 2022-10-01, the period ended 2025-09-30: its cohort is 2019.
    let holders = [
        (
            "登録 一郎",
            "ichiro@example.jp",
            "100001",
            date!(2026 - 04 - 01),
            None,
        ),
        (
            "登録 二郎",
            "jiro@example.jp",
            "100002",
            date!(2025 - 10 - 01),
            None,
        ),
        (
            "登録 三郎",
            "saburo@example.jp",
            "100003",
            date!(2024 - 10 - 01),
            None,
        ),
        (
            "登録 四郎",
            "shiro@example.jp",
            "100004",
            date!(2019 - 10 - 01),
            Some(date!(2022 - 10 - 01)),
        ),
    ];
    let mut ids = Vec::new();
    for (name, email, number, registered, renewed) in holders {
        let id = sign_up(&app, name, email).await;
        link(&app, &id, number, registered, renewed).await;
        ids.push(id);
    }
    app.clock.set(datetime!(2026-07-15 10:00 +09:00));
    let registrar = ministry_person(
        &app,
        "登録 事務",
        "registrar@ipa.example.jp",
        Some(MinistryRole::Registrar),
        false,
    )
    .await;
    let mut b = signed_in(&app, &registrar).await;

    let page = b.get("/registry/holders").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("2026年7月15日（水）時点：講習台帳を連携した登録セキスペ 4人"),
        "{}",
        page.body
    );
    for outlook in [
        "順調",
        "期限が近い",
        "期限超過",
        "期間終了（更新日の入力待ち）",
    ] {
        assert_eq!(row(&page.body, outlook), ["1", "25.0"], "{outlook}");
    }
    assert_eq!(
        row(&page.body, "合計"),
        ["4", "100.0"],
        "the first 合計 is the outlooks'"
    );
    assert_eq!(row(&page.body, "2019年10月登録"), ["0", "0", "0", "1", "1"]);
    assert_eq!(row(&page.body, "2025年10月登録"), ["0", "1", "0", "0", "1"]);
    // The completion is counted; its learner has no ledger linked.
    assert_eq!(row(&page.body, "2026年6月"), ["1", "0"]);
    assert!(
        page.body.contains("自己申告"),
        "how the figures are computed"
    );
    assert!(page.body.contains("個々の登録セキスペの情報"));

    // 青井 links (registered 2025-10-01): the practical course is met by the 特定講習, but the
    // year's online course is due within 90 days.
    let aoi = app
        .store
        .account_by_email(&Email::parse("aoi@example.jp").unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    link(&app, &aoi, "012345", date!(2025 - 10 - 01), None).await;
    let page = b.get("/registry/holders").await;
    assert_eq!(row(&page.body, "期限が近い"), ["2", "40.0"]);
    assert_eq!(row(&page.body, "順調"), ["1", "20.0"]);
    assert_eq!(row(&page.body, "2025年10月登録"), ["0", "2", "0", "0", "2"]);
    assert_eq!(row(&page.body, "2026年6月"), ["1", "1"]);
    assert_eq!(row(&page.body, "2026年4月登録"), ["1", "0", "0", "0", "1"]);

    // The same figures as CSV (UTF-8 with a byte-order mark), a row per figure.
    let (status, csv) = b.get_bytes("/registry/holders.csv").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.starts_with("\u{feff}集計,区分,項目,件数,割合（%）\r\n"),
        "{csv}"
    );
    for line in [
        "見通し別,,順調,1,20.0",
        "見通し別,,期限が近い,2,40.0",
        "見通し別,,期限超過,1,20.0",
        "見通し別,,期間終了（更新日の入力待ち）,1,20.0",
        "登録月別,2025年10月登録,期限が近い,2,",
        "登録月別,2019年10月登録,期間終了（更新日の入力待ち）,1,",
        "登録月別,2024年10月登録,期限超過,1,",
        "月別の特定講習修了,2026年6月,特定講習の修了,1,",
        "月別の特定講習修了,2026年6月,うち講習台帳を連携した登録セキスペ,1,",
    ] {
        assert!(csv.contains(&format!("{line}\r\n")), "{line}: {csv}");
    }
    // 4 outlooks, 4 cohorts × 4 outlooks, 1 month × 2 counts, and the header.
    assert_eq!(csv.lines().count(), 1 + 4 + 16 + 2, "{csv}");

    // And as a workbook: the three tables, counts as numbers, with their totals.
    let (status, xlsx) = b.get_bytes("/registry/holders.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sheet_row(&xlsx, "見通し別", "期限が近い"), ["2", "40"]);
    assert_eq!(sheet_row(&xlsx, "見通し別", "合計"), ["5", "100"]);
    assert_eq!(
        sheet_row(&xlsx, "登録月別", "2025年10月登録"),
        ["0", "2", "0", "0", "2"]
    );
    assert_eq!(
        sheet_row(&xlsx, "登録月別", "合計"),
        ["1", "2", "1", "1", "5"]
    );
    assert_eq!(
        sheet_row(&xlsx, "月別の特定講習修了", "2026年6月"),
        ["1", "1"]
    );

    // In English, page and files alike.
    let english = b.get("/en/registry/holders").await;
    assert_eq!(english.status, StatusCode::OK);
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(
        english
            .body
            .contains("As of 15 July 2026: 5 holders have linked their course ledger"),
        "{}",
        english.body
    );
    assert_eq!(row(&english.body, "At risk"), ["2", "40.0"]);
    assert_eq!(
        row(&english.body, "October 2025"),
        ["0", "2", "0", "0", "2"]
    );
    assert_eq!(row(&english.body, "June 2026"), ["1", "1"]);
    assert!(english.body.contains("href=\"/en/registry/holders.csv\""));
    let (_, csv_en) = b.get_bytes("/en/registry/holders.csv").await;
    let csv_en = String::from_utf8(csv_en).unwrap();
    assert!(csv_en.starts_with("\u{feff}Table,Group,Item,Count,Share (%)\r\n"));
    assert!(
        csv_en.contains("By outlook,,At risk,2,40.0\r\n"),
        "{csv_en}"
    );
    let (_, xlsx_en) = b.get_bytes("/en/registry/holders.xlsx").await;
    assert_eq!(sheet_row(&xlsx_en, "By outlook", "On track"), ["1", "20"]);

    // Counts only: no name, number or address of any holder, on the page or in the files.
    let xlsx_text = all_cells(&xlsx);
    assert!(xlsx_text.contains("2019年10月登録"), "{xlsx_text}");
    for text in [&page.body, &english.body, &csv, &xlsx_text] {
        for (name, email, number, ..) in &holders {
            assert!(!text.contains(name) && !text.contains(email) && !text.contains(number));
        }
        assert!(!text.contains("青井") && !text.contains("012345"));
    }

    // The registrar's header leads here, and not to the ministry's review work; the reviewer's
    // does not lead here, and a holder, a reviewer and the file addresses are refused.
    let home = b.get("/").await;
    assert!(home.body.contains("href=\"/registry/holders\""));
    assert!(!home.body.contains("href=\"/ministry/reviews\""));
    assert_eq!(
        b.get("/ministry/reviews").await.status,
        StatusCode::FORBIDDEN
    );
    let reviewer = a_reviewer(&app).await;
    let mut r = signed_in(&app, &reviewer).await;
    assert!(!r.get("/").await.body.contains("/registry/holders"));
    let mut holder = signed_in(&app, &ids[1]).await;
    for path in [
        "/registry/holders",
        "/registry/holders.csv",
        "/registry/holders.xlsx",
    ] {
        assert_eq!(r.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            holder.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
}

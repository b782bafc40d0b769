//! Acceptance (c): a workbook edited with bad cells gives one error per bad cell, each naming
//! the sheet, cell, field path and rule code, all reported at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use koshu_forms::import::{self, ImportError};

fn key(e: &ImportError) -> (&str, &str, &str, &str) {
    (&e.sheet, &e.cell, &e.field, e.code)
}

#[test]
fn every_bad_cell_is_reported_with_sheet_cell_field_and_code() {
    let xlsx = support::export(&support::complete());
    let minutes = support::entry_cell(
        &xlsx,
        "カリキュラム",
        "curriculum",
        "curriculum[1]",
        "minutes",
    );
    let method = support::entry_cell(
        &xlsx,
        "カリキュラム",
        "curriculum",
        "curriculum[2]",
        "method",
    );
    let riss = support::entry_cell(
        &xlsx,
        "講師・監修者",
        "instructors",
        "instructors[0]",
        "riss_number",
    );
    let corp = support::scalar_cell(
        &xlsx,
        "様式第1号（総括票）",
        "provider.organisation.corporate_number",
    );
    let edited = support::edit(&xlsx, 3, &[(&minutes, "九十分"), (&method, "講演")]);
    let edited = support::edit(&edited, 4, &[(&riss, "12-345")]);
    let edited = support::edit(&edited, 1, &[(&corp, "6010001008846")]);

    let errors = import::workbook(&edited).unwrap_err();
    let mut got: Vec<_> = errors.iter().map(key).collect();
    got.sort_unstable();
    let mut want = vec![
        (
            "カリキュラム",
            minutes.as_str(),
            "curriculum[1].minutes",
            "number.format",
        ),
        (
            "カリキュラム",
            method.as_str(),
            "curriculum[2].method",
            "choice.unknown",
        ),
        (
            "講師・監修者",
            riss.as_str(),
            "instructors[0].riss_number",
            "riss_number.format",
        ),
        (
            "様式第1号（総括票）",
            corp.as_str(),
            "provider.organisation.corporate_number",
            "corporate_number.check_digit",
        ),
    ];
    want.sort_unstable();
    assert_eq!(got, want, "{errors:#?}");
    for e in &errors {
        assert!(!e.message_ja.is_empty() && !e.message_en.is_empty());
    }
    let method_error = errors.iter().find(|e| e.code == "choice.unknown").unwrap();
    assert!(method_error.message_ja.contains("講演"));
    assert!(
        method_error.message_ja.contains("講義（座学）"),
        "lists the choices"
    );
}

/// What people type instead of the exported forms still reads: 令和 dates, full-width digits,
/// a RISS number that Excel turned into a number, codes instead of labels, ✓ for a tick.
#[test]
fn other_spellings_people_type_are_read() {
    let app = support::complete();
    let xlsx = support::export(&app);
    let minutes = support::entry_cell(
        &xlsx,
        "カリキュラム",
        "curriculum",
        "curriculum[0]",
        "minutes",
    );
    let method = support::entry_cell(
        &xlsx,
        "カリキュラム",
        "curriculum",
        "curriculum[0]",
        "method",
    );
    let tick = support::entry_cell(
        &xlsx,
        "カリキュラム",
        "curriculum",
        "curriculum[0]",
        "opportunities.learn_from_experts",
    );
    let start = support::scalar_cell(&xlsx, "様式第1号（総括票）", "provider.business_started_on");
    let edited = support::edit(
        &xlsx,
        3,
        &[(&minutes, "６０"), (&method, "lecture"), (&tick, "✓")],
    );
    let started = app.provider.business_started_on.unwrap();
    let typed = format!(
        "{}/{}/{}",
        started.year(),
        u8::from(started.month()),
        started.day()
    );
    let edited = support::edit(&edited, 1, &[(&start, &typed)]);
    assert_eq!(import::workbook(&edited).unwrap(), app);
}

#[test]
fn a_missing_sheet_and_a_deleted_row_are_reported() {
    let xlsx = support::export(&support::complete());
    let name = support::scalar_cell(&xlsx, "様式第2号（個票）", "course.name");
    let row = name.trim_start_matches('C');
    // Overwrite the row's key: the importer no longer finds `course.name`.
    let edited = support::edit(&xlsx, 2, &[(&format!("A{row}"), "course.nmae")]);
    let errors = import::workbook(&edited).unwrap_err();
    let codes: Vec<_> = errors.iter().map(|e| (e.code, e.field.as_str())).collect();
    assert!(codes.contains(&("row.missing", "course.name")), "{codes:?}");
    assert!(
        codes.contains(&("row.unknown_key", "course.nmae")),
        "{codes:?}"
    );

    let renamed = support::edit_file(&xlsx, "xl/workbook.xml", |xml| {
        xml.replace("name=\"教材\"", "name=\"教材一覧\"")
    });
    let errors = import::workbook(&renamed).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0].sheet.as_str(), errors[0].code),
        ("教材", "sheet.missing")
    );
}

#[test]
fn limits_give_errors() {
    let too_big = vec![0_u8; import::MAX_INPUT_BYTES + 1];
    assert_eq!(
        import::workbook(&too_big).unwrap_err()[0].code,
        "file.too_large"
    );
    assert_eq!(
        import::workbook(b"not a zip").unwrap_err()[0].code,
        "file.not_xlsx"
    );

    // A zip bomb: 101 MB of zeros packs into about 100 KB.
    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    bomb.start_file(
        "xl/sharedStrings.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    let zeros = vec![0_u8; 1024 * 1024];
    for _ in 0..101 {
        std::io::Write::write_all(&mut bomb, &zeros).unwrap();
    }
    let bomb = bomb.finish().unwrap().into_inner();
    assert!(bomb.len() < import::MAX_INPUT_BYTES);
    assert_eq!(
        import::workbook(&bomb).unwrap_err()[0].code,
        "file.too_large_unpacked"
    );

    // 1,001 curriculum items: the first 1,000 are read, and the excess is an error.
    let mut app = support::complete();
    let item = app.curriculum[0].clone();
    app.curriculum = vec![item; import::MAX_LIST_ENTRIES + 1];
    let errors = import::workbook(&support::export(&app)).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, "list.too_many");
    assert_eq!(errors[0].sheet, "カリキュラム");
}

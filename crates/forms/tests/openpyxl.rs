//! Acceptance (d): an independent reader (Python's openpyxl) sees the Japanese text intact.
//! Reported as ignored, with the reason, when openpyxl is missing (build.rs), unless
//! KOSHU_TEST_REQUIRE_OPENPYXL=1, which makes that a build error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

const SCRIPT: &str = r#"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print(wb.sheetnames == ["様式第1号（総括票）", "様式第2号（個票）", "カリキュラム", "講師・監修者", "教材", "チェックリスト（総括表）", "チェックリスト（個票）"])
def row_of(ws, key):
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)
course = wb["様式第2号（個票）"]
print(course.cell(row_of(course, "course.name"), 3).value)
cur = wb["カリキュラム"]
fields = [c.value for c in cur[row_of(cur, "fields:curriculum")]]
print(cur.cell(row_of(cur, "curriculum[1]"), fields.index("title") + 1).value)
print(cur.column_dimensions["A"].hidden, cur.freeze_panes)
summary = wb["様式第1号（総括票）"]
started = summary.cell(row_of(summary, "provider.business_started_on"), 3)
print(started.value.date().isoformat(), started.number_format)
"#;

#[test]
#[cfg_attr(
    not(koshu_openpyxl),
    ignore = "python3 with openpyxl not found: python3 -m pip install openpyxl"
)]
fn openpyxl_reads_the_japanese_text() {
    let app = support::complete();
    let xlsx = support::export(&app);
    let text = support::python_on(SCRIPT, &xlsx, "application.xlsx");
    let lines: Vec<&str> = text.lines().collect();
    let started = app.provider.business_started_on.unwrap();
    assert_eq!(
        lines,
        [
            "True",
            app.course.name.as_str(),
            app.curriculum[1].title.as_str(),
            "True A4",
            &format!("{started} yyyy\"年\"m\"月\"d\"日\""),
        ]
    );
}

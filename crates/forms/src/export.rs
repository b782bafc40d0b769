//! The application as one Excel workbook (see the crate documentation for the layout).

use koshu_domain::designation::{Application, Rule, Verdict};
use koshu_domain::taxonomy::Taxonomy;
use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Workbook, Worksheet, XlsxError,
};
use time::Date;

use crate::FormsError;
use crate::form::{self, Body, Row, Sheet, Table, Value};
use crate::keys;
use crate::labels;

/// Rows below the last entry of a list that still offer the drop-down lists, so that a person
/// adding an entry gets them too.
const SPARE_ROWS: u32 = 100;

/// The workbook: 様式第1号, 様式第2号, カリキュラム, 講師・監修者, 教材 and the two checklists.
///
/// `checks` are the rules' verdicts as [`koshu_domain::designation::evaluate`] returns them;
/// each goes on the 総括表 or the 個票 checklist (see the crate documentation).
pub fn workbook(
    app: &Application,
    checks: &[(&'static Rule, Verdict)],
    taxonomy: &Taxonomy,
) -> Result<Vec<u8>, FormsError> {
    let mut wb = Workbook::new();
    let title = if app.course.name.is_empty() {
        "特定講習 応募書類".to_owned()
    } else {
        format!("特定講習 応募書類：{}", app.course.name)
    };
    wb.set_properties(&DocProperties::new().set_title(title));
    let styles = Styles::new();
    for sheet in form::sheets(app, checks, taxonomy) {
        let ws = wb.add_worksheet();
        write_sheet(ws, &sheet, &styles)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// 様式第3号 or 第4号 as a workbook of one sheet: the filer, the notice's rows under 「記」,
/// and for a change each field before and after.
pub fn notice(n: &crate::notice::Notice<'_>) -> Result<Vec<u8>, FormsError> {
    let mut wb = Workbook::new();
    wb.set_properties(&DocProperties::new().set_title(format!("{}：{}", n.kind.title(), n.course)));
    let st = Styles::new();
    let ws = wb.add_worksheet();
    ws.set_name(n.kind.form())?;
    ws.set_paper_size(9); // A4
    for (col, width) in [(0, 30.0), (1, 50.0), (2, 50.0)] {
        ws.set_column_width(col, width)?;
    }
    ws.write_string(0, 0, n.kind.form())?;
    ws.write_string(1, 0, n.filed_on)?;
    ws.write_string(2, 0, "経済産業大臣　殿")?;
    let mut r = 4;
    for (label, value) in [
        ("届出者（名称）", n.provider),
        ("所在地", n.address),
        ("代表者の役職・氏名", n.representative),
    ] {
        ws.write_string_with_format(r, 0, label, &st.label)?;
        ws.write_string_with_format(r, 1, value, &st.text)?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, n.kind.title(), &st.title)?;
    ws.write_string(r + 1, 0, n.lead())?;
    ws.write_string_with_format(r + 2, 0, "記", &st.section)?;
    r += 3;
    for (label, value) in n.rows() {
        ws.write_string_with_format(r, 0, label, &st.label)?;
        ws.merge_range(r, 1, r, 2, &value, &st.text)?;
        r += 1;
    }
    if !n.changes.is_empty() {
        r += 1;
        for (col, h) in ["変更の内容", "変更前", "変更後"].iter().enumerate() {
            ws.write_string_with_format(r, col_num(col)?, *h, &st.header)?;
        }
        r += 1;
        for (field, before, after) in n.changes {
            ws.write_string_with_format(r, 0, field, &st.label)?;
            ws.write_string_with_format(r, 1, before, &st.text)?;
            ws.write_string_with_format(r, 2, after, &st.text)?;
            r += 1;
        }
    }
    Ok(wb.save_to_buffer()?)
}

struct Styles {
    title: Format,
    header: Format,
    section: Format,
    label: Format,
    text: Format,
    number: Format,
    money: Format,
    date: Format,
    note: Format,
    key: Format,
}

impl Styles {
    fn new() -> Self {
        let cell = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        Self {
            title: Format::new().set_bold().set_font_size(14),
            header: cell
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0x00DD_EBF7)),
            section: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0x00F2_F2F2))
                .set_border_bottom(FormatBorder::Thin),
            label: cell.clone().set_background_color(Color::RGB(0x00FA_FAFA)),
            // Text, so that 012345 keeps its leading zero when a person retypes it.
            text: cell.clone().set_num_format("@"),
            number: cell.clone().set_num_format("0"),
            money: cell.clone().set_num_format("#,##0\"円\";▲#,##0\"円\""),
            date: cell.clone().set_num_format("yyyy\"年\"m\"月\"d\"日\""),
            note: cell.set_font_color(Color::RGB(0x0059_5959)),
            key: Format::new().set_font_color(Color::RGB(0x0080_8080)),
        }
    }
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet, st: &Styles) -> Result<(), FormsError> {
    ws.set_name(sheet.name)?;
    ws.set_paper_size(9); // A4
    ws.set_column_width(0, 28)?;
    ws.set_column_hidden(0)?;
    ws.write_string_with_format(0, 0, keys::TITLE, &st.key)?;
    ws.write_string_with_format(0, 1, &sheet.title, &st.title)?;
    match &sheet.body {
        Body::Form(rows) => {
            for (col, width) in [(1, 36.0), (2, 60.0), (3, 40.0)] {
                ws.set_column_width(col, width)?;
            }
            for col in 4..16 {
                ws.set_column_width(col, 14)?;
            }
            ws.write_string_with_format(1, 0, keys::HEADER, &st.key)?;
            for (col, h) in [(1, "項目"), (2, "記入欄"), (3, "備考")] {
                ws.write_string_with_format(1, col, h, &st.header)?;
            }
            ws.set_freeze_panes(2, 0)?;
            let mut r = 2;
            for row in rows {
                r = write_row(ws, r, row, st)?;
            }
        }
        Body::List(table) => {
            for (i, c) in table.columns.iter().enumerate() {
                ws.set_column_width(col_num(i + 1)?, c.width)?;
            }
            let next = write_table(ws, 1, table, st)?;
            ws.set_freeze_panes(3, 0)?;
            ws.set_landscape();
            add_choice_lists(ws, table, 3, next + SPARE_ROWS)?;
        }
    }
    Ok(())
}

/// Writes one row (or, for a table, several) from row `r`; returns the next free row.
fn write_row(ws: &mut Worksheet, r: u32, row: &Row, st: &Styles) -> Result<u32, FormsError> {
    match row {
        Row::Section(title) => {
            ws.write_string_with_format(r, 0, keys::SECTION, &st.key)?;
            ws.write_string_with_format(r, 1, title, &st.section)?;
            for col in 2..4 {
                ws.write_blank(r, col, &st.section)?;
            }
            Ok(r + 1)
        }
        Row::Field(f) => {
            ws.write_string_with_format(r, 0, f.key, &st.key)?;
            ws.write_string_with_format(r, 1, f.label, &st.label)?;
            write_value(ws, r, 2, &f.value, st)?;
            let note = match (f.note.is_empty(), f.hint.is_empty()) {
                (false, false) => format!("{}\n{}", f.note, f.hint),
                (true, _) => f.hint.clone(),
                (false, true) => f.note.clone(),
            };
            ws.write_string_with_format(r, 3, note, &st.note)?;
            if let Some(choices) = choices_for(f.key) {
                ws.add_data_validation(r, 2, r, 2, &list_validation(&choices)?)?;
            }
            Ok(r + 1)
        }
        Row::Table(t) => {
            let next = write_table(ws, r, t, st)?;
            add_choice_lists(ws, t, r + 2, next)?;
            Ok(next)
        }
    }
}

/// A table from row `r`: the hidden row of field names, the headers, then one row per entry.
fn write_table(ws: &mut Worksheet, r: u32, t: &Table, st: &Styles) -> Result<u32, FormsError> {
    ws.write_string_with_format(r, 0, format!("{}{}", keys::FIELDS, t.list), &st.key)?;
    ws.write_string_with_format(r + 1, 0, keys::HEADER, &st.key)?;
    for (i, c) in t.columns.iter().enumerate() {
        let col = col_num(i + 1)?;
        ws.write_string(r, col, c.field)?;
        ws.write_string_with_format(r + 1, col, &c.header, &st.header)?;
    }
    ws.set_row_hidden(r)?;
    let mut row = r + 2;
    for (key, cells) in &t.rows {
        ws.write_string_with_format(row, 0, key, &st.key)?;
        for (i, v) in cells.iter().enumerate() {
            write_value(ws, row, col_num(i + 1)?, v, st)?;
        }
        row += 1;
    }
    Ok(row)
}

fn write_value(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    v: &Value,
    st: &Styles,
) -> Result<(), FormsError> {
    match v {
        Value::Count(n) => {
            ws.write_number_with_format(r, c, f64::from(*n), &st.number)?;
        }
        // Amounts beyond 2^53 yen would lose digits as an Excel number; they are not real.
        #[allow(clippy::cast_precision_loss)]
        Value::Money(n) => {
            ws.write_number_with_format(r, c, *n as f64, &st.money)?;
        }
        Value::Date(Some(d)) => {
            ws.write_datetime_with_format(r, c, &excel_date(*d)?, &st.date)?;
        }
        Value::Date(None) => {
            ws.write_blank(r, c, &st.date)?;
        }
        Value::Text(_) | Value::YesNo(_) | Value::Tick(_) => {
            ws.write_string_with_format(r, c, v.display(), &st.text)?;
        }
    }
    Ok(())
}

fn excel_date(d: Date) -> Result<ExcelDateTime, FormsError> {
    let year = u16::try_from(d.year()).map_err(|_| FormsError::Date(d))?;
    Ok(ExcelDateTime::from_ymd(year, u8::from(d.month()), d.day())?)
}

fn col_num(i: usize) -> Result<u16, FormsError> {
    u16::try_from(i).map_err(|_| FormsError::TooManyColumns)
}

/// The drop-down choices for a labelled row, by its key.
fn choices_for(key: &str) -> Option<Vec<&'static str>> {
    match key {
        "course.target_persona" => Some(labels::all(labels::PERSONAS)),
        "delivery.format" => Some(labels::all(labels::FORMATS)),
        "assessment.kind" => Some(labels::all(labels::ASSESSMENTS)),
        "outsourcing.answer" => Some(labels::all(labels::OUTSOURCING)),
        "certificate.form" => Some(labels::all(labels::CERTIFICATES)),
        "provider.organisation.privacy.kind" => Some(labels::all(labels::PRIVACY)),
        "assessment.explained_before_course"
        | "survey.includes_ministry_items"
        | "reporting.commits_to_monthly_and_annual_reports"
        | "enrolment.open_to_outsiders" => Some(vec!["はい", "いいえ"]),
        _ => None,
    }
}

/// The drop-down choices for a table column, by its list and field name.
fn column_choices(list: &str, field: &str) -> Option<Vec<&'static str>> {
    match (list, field) {
        ("curriculum", "method") => Some(labels::all(labels::METHODS)),
        ("instructors", "role") => Some(labels::all(labels::ROLES)),
        ("instructors", "affiliation") => Some(labels::all(labels::AFFILIATIONS)),
        ("materials", "copyright.kind") => Some(labels::all(labels::COPYRIGHTS)),
        ("checks", _) => None,
        (_, f)
            if f.starts_with("opportunities.")
                || f.starts_with("oversees.")
                || f.starts_with("not_applicable.")
                || matches!(
                    f,
                    "declares_not_disqualified" | "is_exercise" | "includes_model_answers"
                ) =>
        {
            Some(vec!["○"])
        }
        _ => None,
    }
}

fn add_choice_lists(
    ws: &mut Worksheet,
    t: &Table,
    first: u32,
    last: u32,
) -> Result<(), FormsError> {
    if last <= first {
        return Ok(());
    }
    for (i, c) in t.columns.iter().enumerate() {
        if let Some(choices) = column_choices(t.list, c.field) {
            let col = col_num(i + 1)?;
            ws.add_data_validation(first, col, last - 1, col, &list_validation(&choices)?)?;
        }
    }
    Ok(())
}

/// A drop-down that still accepts other input: the importer, not Excel, says what is wrong,
/// and it also reads codes and other spellings.
fn list_validation(choices: &[&str]) -> Result<DataValidation, XlsxError> {
    Ok(DataValidation::new()
        .allow_list_strings(choices)?
        .set_error_style(rust_xlsxwriter::DataValidationErrorStyle::Information))
}

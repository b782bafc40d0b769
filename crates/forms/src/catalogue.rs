//! The provider's catalogue spreadsheet (issue 14 item 2): a template to fill in Excel (the
//! sheets 講座 and 開催回, and コード一覧 listing every code and its name) or as CSV (講座 only),
//! and a filled file read back into programmes and sessions as people typed them, every
//! problem named by sheet, row and column. The rules are the domain's, checked by the caller.
//!
//! Each programme row has a 管理番号 of the provider's choosing: it identifies the programme
//! across uploads, so uploading the same file again finds the same programmes. Codes may be
//! written as codes (`practitioner`) or as their Japanese names (実務者・技術者層), several in
//! one cell separated by 、 or a line break.

use crate::FormsError;
use crate::import::{MAX_INPUT_BYTES, Raw, check_zip, not_xlsx};
use calamine::{Data, Reader, Xlsx};
use koshu_domain::catalogue::listing::{ProgrammeText, SessionText};
use koshu_domain::taxonomy::Taxonomy;
use rust_xlsxwriter::{Format, Workbook};
use std::collections::HashMap;
use std::io::Cursor;

pub const SHEET_PROGRAMMES: &str = "講座";
pub const SHEET_SESSIONS: &str = "開催回";
pub const SHEET_CODES: &str = "コード一覧";

/// A column: its header as the template writes it, and the field it fills.
struct Column {
    header: &'static str,
    field: &'static str,
}

const fn col(header: &'static str, field: &'static str) -> Column {
    Column { header, field }
}

const KEY: &str = "key";
const PUBLISH: &str = "publish";

const PROGRAMME_COLUMNS: &[Column] = &[
    col("管理番号（必須・任意の英数字）", KEY),
    col("講座名", "title_ja"),
    col("講座名（英語）", "title_en"),
    col("概要", "summary_ja"),
    col("概要（英語）", "summary_en"),
    col("目的", "purpose_ja"),
    col("到達目標（1行に1つ）", "goals_ja"),
    col("修得できる知識・技能（1行に1つ）", "skills_ja"),
    col("前提知識・経験", "prerequisites_ja"),
    col("対象とする人材層", "layers"),
    col("対象者", "audiences"),
    col("ITSS+ セキュリティ領域", "itss_fields"),
    col("シラバスの項目", "syllabus_items"),
    col("種別", "kind"),
    col("難易度", "difficulty"),
    col("形式", "format"),
    col("言語（ja／en）", "language"),
    col("期間・時間", "duration_ja"),
    col("期間・時間（英語）", "duration_en"),
    col("総時間数", "total_hours"),
    col("実施頻度", "frequency_ja"),
    col("費用の種類", "fee_type"),
    col("金額・下限（円）", "fee_yen"),
    col("上限（円）", "fee_max_yen"),
    col("費用の説明", "fee_note_ja"),
    col("対象・参加条件", "eligibility_ja"),
    col("対象・参加条件（英語）", "eligibility_en"),
    col("講座のページ（URL）", "url"),
    col("配慮事項", "accessibility_ja"),
    col("問合せ先", "inquiry_ja"),
    col("苦情の受付先", "complaint_ja"),
    col("公開する（はい／いいえ）", PUBLISH),
];

const SESSION_COLUMNS: &[Column] = &[
    col("管理番号（講座シートの）", KEY),
    col("開始日", "starts_on"),
    col("終了日", "ends_on"),
    col("都道府県", "prefecture"),
    col("市区町村", "city"),
    col("会場", "venue"),
    col("オンライン（はい／いいえ）", "online"),
    col("定員", "capacity"),
    col("残席数", "seats_left"),
    col("申込締切", "application_deadline"),
    col("備考", "note_ja"),
];

const FEE_TYPES: [(&str, &str); 5] = [
    ("free", "無料"),
    ("fixed", "定額"),
    ("range", "金額に幅がある"),
    ("conditional", "条件による"),
    ("undisclosed", "公表していない"),
];

/// A programme as a row gave it, with its sessions' rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedProgramme {
    pub key: String,
    /// The row (1-based, as Excel numbers it).
    pub row: u32,
    pub text: ProgrammeText,
    pub publish: bool,
    pub sessions: Vec<UploadedSession>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedSession {
    pub row: u32,
    pub text: SessionText,
}

/// A problem at a cell: `row` 1-based, `column` as Excel names it with its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetProblem {
    pub sheet: String,
    pub row: u32,
    pub column: String,
    pub code: &'static str,
    pub message_ja: String,
    pub message_en: String,
}

fn letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// The headers of `sheet` (講座 or 開催回) in order, as the template writes them.
pub fn headers(sheet: &str) -> Vec<&'static str> {
    let columns = if sheet == SHEET_SESSIONS {
        SESSION_COLUMNS
    } else {
        PROGRAMME_COLUMNS
    };
    columns.iter().map(|c| c.header).collect()
}

/// Where `field` of `sheet` is, as a person finds it: `B（講座名）`.
pub fn column_of(sheet: &str, field: &str) -> String {
    let columns = if sheet == SHEET_SESSIONS {
        SESSION_COLUMNS
    } else {
        PROGRAMME_COLUMNS
    };
    columns
        .iter()
        .position(|c| c.field == field)
        .map_or_else(String::new, |i| {
            format!("{}（{}）", letter(i), columns[i].header)
        })
}

/// The codes and names a person may write, by field.
fn vocabularies(tx: &Taxonomy) -> Vec<(&'static str, Vec<(String, String)>)> {
    let terms = |t: &[koshu_domain::taxonomy::Term]| {
        t.iter()
            .map(|t| (t.code.clone(), t.label.ja.clone()))
            .collect::<Vec<_>>()
    };
    vec![
        ("layers", terms(tx.layers())),
        ("audiences", terms(tx.audiences())),
        (
            "itss_fields",
            tx.itss_fields()
                .iter()
                .map(|f| (f.code.clone(), f.label.ja.clone()))
                .collect(),
        ),
        ("kind", terms(tx.kinds())),
        ("difficulty", terms(tx.difficulties())),
        ("format", terms(tx.formats())),
        (
            "fee_type",
            FEE_TYPES
                .iter()
                .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
                .collect(),
        ),
        (
            "language",
            vec![("ja".into(), "日本語".into()), ("en".into(), "英語".into())],
        ),
        (
            "prefecture",
            tx.prefectures()
                .iter()
                .map(|p| (p.code.code(), p.name.ja.clone()))
                .collect(),
        ),
    ]
}

/// The template: headers, column widths, and the codes sheet.
pub fn template(tx: &Taxonomy) -> Result<Vec<u8>, FormsError> {
    let mut wb = Workbook::new();
    let header = Format::new().set_bold().set_background_color(0x00DD_EBF7);
    for (name, columns) in [
        (SHEET_PROGRAMMES, PROGRAMME_COLUMNS),
        (SHEET_SESSIONS, SESSION_COLUMNS),
    ] {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        for (i, c) in columns.iter().enumerate() {
            let col = u16::try_from(i).map_err(|_| FormsError::TooManyColumns)?;
            ws.write_string_with_format(0, col, c.header, &header)?;
            ws.set_column_width(col, 18)?;
        }
        ws.set_freeze_panes(1, 1)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name(SHEET_CODES)?;
    for (i, h) in ["項目", "コード", "名称（どちらで書いても読めます）"]
        .iter()
        .enumerate()
    {
        let col = u16::try_from(i).map_err(|_| FormsError::TooManyColumns)?;
        ws.write_string_with_format(0, col, *h, &header)?;
    }
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 22)?;
    ws.set_column_width(2, 40)?;
    let mut row = 1u32;
    for (field, entries) in vocabularies(tx) {
        let label = PROGRAMME_COLUMNS
            .iter()
            .chain(SESSION_COLUMNS)
            .find(|c| c.field == field)
            .map_or(field, |c| c.header);
        for (code, name) in entries {
            ws.write_string(row, 0, label)?;
            ws.write_string(row, 1, &code)?;
            ws.write_string(row, 2, &name)?;
            row += 1;
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// The CSV template (講座 only): UTF-8 with a BOM, so that Excel opens it as Japanese text.
pub fn template_csv() -> String {
    let headers: Vec<String> = PROGRAMME_COLUMNS.iter().map(|c| quote(c.header)).collect();
    format!("\u{feff}{}\r\n", headers.join(","))
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A sheet as rows of cell texts (row 1 the headers), whatever the file.
type Grid = Vec<Vec<String>>;

fn problem(
    sheet: &str,
    row: u32,
    column: String,
    code: &'static str,
    ja: String,
    en: String,
) -> SheetProblem {
    SheetProblem {
        sheet: sheet.to_owned(),
        row,
        column,
        code,
        message_ja: ja,
        message_en: en,
    }
}

fn file_problem(
    code: &'static str,
    ja: impl Into<String>,
    en: impl Into<String>,
) -> Vec<SheetProblem> {
    vec![problem("", 0, String::new(), code, ja.into(), en.into())]
}

fn grid_of(xlsx: &mut Xlsx<Cursor<&[u8]>>, sheet: &str) -> Result<Option<Grid>, Vec<SheetProblem>> {
    if !xlsx.sheet_names().iter().any(|n| n == sheet) {
        return Ok(None);
    }
    let range = xlsx.worksheet_range(sheet).map_err(|e| {
        file_problem(
            "file.not_xlsx",
            format!("シート「{sheet}」を読めません。"),
            format!("The sheet \"{sheet}\" cannot be read: {e}"),
        )
    })?;
    let mut problems = Vec::new();
    let mut grid = Vec::new();
    for (r, cells) in range.rows().enumerate() {
        let mut row = Vec::new();
        for (c, d) in cells.iter().enumerate() {
            match crate::import::text(&Raw::from_data(d)) {
                Ok(t) => row.push(t),
                Err(p) => {
                    problems.push(problem(
                        sheet,
                        u32::try_from(r + 1).unwrap_or(u32::MAX),
                        letter(c),
                        p.code,
                        p.ja,
                        p.en,
                    ));
                    row.push(String::new());
                }
            }
        }
        grid.push(row);
    }
    if matches!(range.get_value((0, 0)), Some(Data::Empty) | None) && grid.is_empty() {
        return Ok(Some(Vec::new()));
    }
    if problems.is_empty() {
        Ok(Some(grid))
    } else {
        Err(problems)
    }
}

/// Reads a filled workbook; every problem of the file is named, none of its rows is lost.
pub fn read_xlsx(bytes: &[u8], tx: &Taxonomy) -> Result<Vec<UploadedProgramme>, Vec<SheetProblem>> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(file_problem(
            "file.too_large",
            format!(
                "ファイルが大きすぎます（{}MBまで）。",
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
            format!(
                "The file is too large (at most {} MB).",
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
        ));
    }
    let as_sheet = |e: Vec<crate::import::ImportError>| {
        e.into_iter()
            .map(|e| problem("", 0, String::new(), e.code, e.message_ja, e.message_en))
            .collect::<Vec<_>>()
    };
    check_zip(bytes).map_err(as_sheet)?;
    let mut xlsx = Xlsx::new(Cursor::new(bytes)).map_err(|e| as_sheet(not_xlsx(&e.to_string())))?;
    let programmes = grid_of(&mut xlsx, SHEET_PROGRAMMES)?.ok_or_else(|| {
        file_problem(
            "sheet.missing",
            format!("シート「{SHEET_PROGRAMMES}」がありません。テンプレートに記入したファイルを選んでください。"),
            format!("There is no sheet \"{SHEET_PROGRAMMES}\". Choose the template, filled in."),
        )
    })?;
    let sessions = grid_of(&mut xlsx, SHEET_SESSIONS)?.unwrap_or_default();
    read_grids(&programmes, &sessions, tx)
}

/// Reads a filled CSV of the 講座 sheet (UTF-8, or Shift_JIS as Excel in Japan saves it).
pub fn read_csv(bytes: &[u8], tx: &Taxonomy) -> Result<Vec<UploadedProgramme>, Vec<SheetProblem>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}').to_owned(),
        Err(_) => {
            let (t, _, bad) = encoding_rs::SHIFT_JIS.decode(bytes);
            if bad {
                return Err(file_problem(
                    "csv.encoding",
                    "CSV の文字コードを読めません。UTF-8 か Shift_JIS で保存してください。",
                    "The CSV's encoding cannot be read: save it as UTF-8 or Shift_JIS.",
                ));
            }
            t.into_owned()
        }
    };
    let grid = parse_csv(&text, ',').ok_or_else(|| {
        file_problem(
            "csv.format",
            "CSV を読めません（閉じていない引用符があります）。",
            "The CSV cannot be read (a quote is not closed).",
        )
    })?;
    read_grids(&grid, &Vec::new(), tx)
}

/// RFC 4180: fields separated by `delimiter` (a comma; a tab in Teams' reports), quoted with
/// `"` (doubled inside) where they hold the delimiter, quotes or line breaks; `None` when a
/// quote is left open.
pub(crate) fn parse_csv(text: &str, delimiter: char) -> Option<Grid> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, c) if c == delimiter => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n' | '\r') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Some(rows)
}

/// Each column's index by its field, from the header row; the headers that do not belong.
fn header_map(
    sheet: &str,
    grid: &Grid,
    columns: &[Column],
    problems: &mut Vec<SheetProblem>,
) -> HashMap<&'static str, usize> {
    let headers = grid.first().cloned().unwrap_or_default();
    let mut map = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        if h.is_empty() {
            continue;
        }
        match columns.iter().find(|c| c.header == h) {
            Some(c) => {
                map.insert(c.field, i);
            }
            None => problems.push(problem(
                sheet,
                1,
                letter(i),
                "column.unknown",
                format!("見出し「{h}」はテンプレートにない列です。テンプレートの見出しのまま使ってください。"),
                format!("The heading \"{h}\" is not one of the template's: keep the template's headings."),
            )),
        }
    }
    for c in columns {
        if !map.contains_key(c.field) {
            problems.push(problem(
                sheet,
                1,
                String::new(),
                "column.missing",
                format!("列「{}」がありません。", c.header),
                format!("The column \"{}\" is missing.", c.header),
            ));
        }
    }
    map
}

/// A code written as its code or its Japanese name, as the code.
fn resolve(vocab: &[(String, String)], written: &str) -> String {
    let w = written.trim();
    vocab
        .iter()
        .find(|(code, name)| code == w || name == w)
        .map_or_else(|| w.to_owned(), |(code, _)| code.clone())
}

fn split_codes(s: &str) -> Vec<String> {
    s.split(['、', ',', '，', '\n', '／', '/'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

fn yes(s: &str) -> Option<bool> {
    match s.trim() {
        "" | "いいえ" | "no" | "FALSE" | "false" | "×" => Some(false),
        "はい" | "yes" | "TRUE" | "true" | "○" | "〇" => Some(true),
        _ => None,
    }
}

fn read_grids(
    programmes: &Grid,
    sessions: &Grid,
    tx: &Taxonomy,
) -> Result<Vec<UploadedProgramme>, Vec<SheetProblem>> {
    let mut problems = Vec::new();
    let vocab: HashMap<&str, Vec<(String, String)>> = vocabularies(tx).into_iter().collect();
    let pcol = header_map(
        SHEET_PROGRAMMES,
        programmes,
        PROGRAMME_COLUMNS,
        &mut problems,
    );
    let scol = if sessions.is_empty() {
        HashMap::new()
    } else {
        header_map(SHEET_SESSIONS, sessions, SESSION_COLUMNS, &mut problems)
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let cell = |row: &[String], cols: &HashMap<&str, usize>, field: &str| {
        cols.get(field)
            .and_then(|i| row.get(*i))
            .map_or_else(String::new, |s| s.trim().to_owned())
    };
    let flag_problem = |sheet: &str, row: u32, field: &str| {
        problem(
            sheet,
            row,
            column_of(sheet, field),
            "cell.yes_no",
            "「はい」か「いいえ」で記入してください。".into(),
            "Enter はい (yes) or いいえ (no).".into(),
        )
    };
    let mut out: Vec<UploadedProgramme> = Vec::new();
    for (r, row) in programmes.iter().enumerate().skip(1) {
        let n = u32::try_from(r + 1).unwrap_or(u32::MAX);
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |f: &str| cell(row, &pcol, f);
        let key = get(KEY);
        if key.is_empty() {
            problems.push(problem(
                SHEET_PROGRAMMES,
                n,
                column_of(SHEET_PROGRAMMES, KEY),
                "row.key",
                "管理番号を記入してください（同じ講座を次の取り込みでも見分けるために使います）。"
                    .into(),
                "Give the row a 管理番号 (it identifies the programme in later uploads).".into(),
            ));
            continue;
        }
        if out.iter().any(|p| p.key == key) {
            problems.push(problem(
                SHEET_PROGRAMMES,
                n,
                column_of(SHEET_PROGRAMMES, KEY),
                "row.duplicate_key",
                format!("管理番号「{key}」が重複しています。"),
                format!("The 管理番号 \"{key}\" appears more than once."),
            ));
            continue;
        }
        let Some(publish) = yes(&get(PUBLISH)) else {
            problems.push(flag_problem(SHEET_PROGRAMMES, n, PUBLISH));
            continue;
        };
        let list = |f: &str| {
            split_codes(&get(f))
                .iter()
                .map(|c| resolve(&vocab[f], c))
                .collect::<Vec<_>>()
        };
        let one = |f: &str| resolve(&vocab[f], &get(f));
        let text = ProgrammeText {
            title_ja: get("title_ja"),
            title_en: get("title_en"),
            summary_ja: get("summary_ja"),
            summary_en: get("summary_en"),
            purpose_ja: get("purpose_ja"),
            goals_ja: get("goals_ja"),
            skills_ja: get("skills_ja"),
            prerequisites_ja: get("prerequisites_ja"),
            layers: list("layers"),
            audiences: list("audiences"),
            itss_fields: list("itss_fields"),
            syllabus_items: get("syllabus_items"),
            kind: one("kind"),
            difficulty: one("difficulty"),
            format: one("format"),
            language: one("language"),
            duration_ja: get("duration_ja"),
            duration_en: get("duration_en"),
            total_hours: get("total_hours"),
            frequency_ja: get("frequency_ja"),
            fee_type: one("fee_type"),
            fee_yen: get("fee_yen"),
            fee_max_yen: get("fee_max_yen"),
            fee_note_ja: get("fee_note_ja"),
            eligibility_ja: get("eligibility_ja"),
            eligibility_en: get("eligibility_en"),
            url: get("url"),
            accessibility_ja: get("accessibility_ja"),
            inquiry_ja: get("inquiry_ja"),
            complaint_ja: get("complaint_ja"),
        };
        out.push(UploadedProgramme {
            key,
            row: n,
            text,
            publish,
            sessions: Vec::new(),
        });
    }
    for (r, row) in sessions.iter().enumerate().skip(1) {
        let n = u32::try_from(r + 1).unwrap_or(u32::MAX);
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |f: &str| cell(row, &scol, f);
        let key = get(KEY);
        let Some(programme) = out.iter_mut().find(|p| p.key == key) else {
            problems.push(problem(
                SHEET_SESSIONS,
                n,
                column_of(SHEET_SESSIONS, KEY),
                "row.unknown_key",
                format!("管理番号「{key}」の講座が講座シートにありません。"),
                format!("No programme on the 講座 sheet has the 管理番号 \"{key}\"."),
            ));
            continue;
        };
        let Some(online) = yes(&get("online")) else {
            problems.push(flag_problem(SHEET_SESSIONS, n, "online"));
            continue;
        };
        programme.sessions.push(UploadedSession {
            row: n,
            text: SessionText {
                starts_on: get("starts_on"),
                ends_on: get("ends_on"),
                prefecture: resolve(&vocab["prefecture"], &get("prefecture")),
                city: get("city"),
                venue: get("venue"),
                online,
                capacity: get("capacity"),
                seats_left: get("seats_left"),
                application_deadline: get("application_deadline"),
                note_ja: get("note_ja"),
            },
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_commas_quotes_and_line_breaks_are_read() {
        let grid = parse_csv("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",x,\r\n", ',').unwrap();
        assert_eq!(
            grid,
            [vec!["a", "b,c", "say \"hi\""], vec!["two\nlines", "x", ""]]
        );
        assert!(parse_csv("\"open", ',').is_none());
    }

    #[test]
    fn codes_are_read_as_codes_or_names() {
        let tx = Taxonomy::embedded().unwrap();
        let vocab: HashMap<&str, Vec<(String, String)>> = vocabularies(&tx).into_iter().collect();
        let layer = &tx.layers()[0];
        assert_eq!(resolve(&vocab["layers"], &layer.label.ja), layer.code);
        assert_eq!(resolve(&vocab["layers"], &layer.code), layer.code);
        assert_eq!(resolve(&vocab["prefecture"], "大阪府"), "27");
        assert_eq!(resolve(&vocab["fee_type"], "無料"), "free");
        assert_eq!(
            resolve(&vocab["kind"], "不明"),
            "不明",
            "left for the rules to name"
        );
    }

    #[test]
    fn the_template_reads_back_as_no_programme_and_the_csv_template_as_its_headers() {
        let tx = Taxonomy::embedded().unwrap();
        let xlsx = template(&tx).unwrap();
        assert_eq!(read_xlsx(&xlsx, &tx).unwrap(), vec![]);
        assert_eq!(read_csv(template_csv().as_bytes(), &tx).unwrap(), vec![]);
        assert_eq!(column_of(SHEET_PROGRAMMES, "title_ja"), "B（講座名）");
        assert_eq!(column_of(SHEET_SESSIONS, "ends_on"), "C（終了日）");
    }
}

//! A filled workbook back into an application.
//!
//! The importer finds each value by the keys the exporter wrote (hidden column A, and the
//! hidden field-name row above each table), not by position, so rows added inside a table or
//! tables grown downwards still read. It parses every cell into the model's types and reports
//! every problem, each with its sheet, cell, field path and a stable code; it never stops at
//! the first. The checklist sheets are output only and are not read.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Cursor, Read};

use calamine::{Data, Range, Reader, Xlsx};
use koshu_domain::ValidationError;
use koshu_domain::access::Email;
use koshu_domain::access::organisation::{
    ConsortiumMember, Contact, Organisation, PrivacyAssurance, ResponsiblePersons,
};
use koshu_domain::designation::Application;
use koshu_domain::designation::application::{
    AnnualNetIncome, CopyrightBasis, CurriculumItem, DisqualificationDeclaration,
    DisqualificationItem, Instructor, Material, NetIncome, Opportunities, OutsourcedTask,
    SupervisionScope, Supervisor,
};
use koshu_domain::types::{CorporateNumber, FiscalYear, RissNumber, Yen, parse_date};
use time::{Date, Duration, Month};

use crate::form::{
    CONTACT_KEYS, SHEET_COURSE, SHEET_CURRICULUM, SHEET_MATERIALS, SHEET_PEOPLE, SHEET_SUMMARY,
    declaration_field,
};
use crate::keys;
use crate::labels::{self, Choice, CopyrightKind, PrivacyKind, Role};

/// Largest workbook accepted, in bytes.
pub const MAX_INPUT_BYTES: usize = 10 * 1024 * 1024;
/// Largest total size of the files inside the workbook once unpacked: refuses a small file
/// that would unpack to gigabytes.
pub const MAX_UNPACKED_BYTES: u64 = 100 * 1024 * 1024;
/// Most entries read from one list (curriculum items, instructors, …).
pub const MAX_LIST_ENTRIES: usize = 1_000;
/// Most rows read from one sheet.
pub const MAX_SHEET_ROWS: usize = 5_000;
/// Most columns read from one sheet.
pub const MAX_SHEET_COLUMNS: usize = 64;
// The longest text a cell may hold: what the web form takes (the domain's bound on stored
// text), so that an imported draft can be saved again from the web.
use koshu_domain::types::text::MAX_TEXT_CHARS;

/// One problem of an imported workbook. `cell` is empty for a problem of the whole file or of
/// a missing row; `field` is the field path (`curriculum[2].minutes`) or empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub sheet: String,
    /// `"B12"`.
    pub cell: String,
    pub field: String,
    /// Stable code: `number.format`, `riss_number.format`, `sheet.missing`, …
    pub code: &'static str,
    pub message_ja: String,
    pub message_en: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}!{} {}: {} ({})",
            self.sheet, self.cell, self.field, self.message_en, self.code
        )
    }
}

impl std::error::Error for ImportError {}

/// A rule a cell breaks, before it is placed.
pub(crate) struct Problem {
    pub(crate) code: &'static str,
    pub(crate) ja: String,
    pub(crate) en: String,
}

impl Problem {
    fn new(code: &'static str, ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code,
            ja: ja.into(),
            en: en.into(),
        }
    }
}

impl From<ValidationError> for Problem {
    fn from(e: ValidationError) -> Self {
        Self {
            code: e.code,
            ja: e.message_ja,
            en: e.message_en,
        }
    }
}

fn file_error(
    code: &'static str,
    ja: impl Into<String>,
    en: impl Into<String>,
) -> Vec<ImportError> {
    vec![ImportError {
        sheet: String::new(),
        cell: String::new(),
        field: String::new(),
        code,
        message_ja: ja.into(),
        message_en: en.into(),
    }]
}

/// Reads a workbook made by [`crate::export::workbook`] (and filled by a person) into an
/// application, or returns every problem found.
pub fn workbook(bytes: &[u8]) -> Result<Application, Vec<ImportError>> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(file_error(
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
    check_zip(bytes)?;
    let mut xlsx = Xlsx::new(Cursor::new(bytes)).map_err(|e| not_xlsx(&e.to_string()))?;
    let mut errors = Vec::new();
    let mut read = |name: &'static str| match read_sheet(&mut xlsx, name) {
        Ok(sheet) => sheet,
        Err(e) => {
            errors.extend(e);
            Sheet::absent(name)
        }
    };
    let mut summary = read(SHEET_SUMMARY);
    let mut course = read(SHEET_COURSE);
    let mut curriculum = read(SHEET_CURRICULUM);
    let mut people = read(SHEET_PEOPLE);
    let mut materials = read(SHEET_MATERIALS);

    let mut app = Application::default();
    read_provider(&mut summary, &mut app);
    read_course(&mut course, &mut app);
    app.curriculum = read_curriculum(&mut curriculum);
    read_people(&mut people, &mut app);
    app.materials = read_materials(&mut materials);
    for sheet in [summary, course, curriculum, people, materials] {
        errors.extend(sheet.finish());
    }
    if errors.is_empty() {
        Ok(app)
    } else {
        Err(errors)
    }
}

pub(crate) fn not_xlsx(detail: &str) -> Vec<ImportError> {
    file_error(
        "file.not_xlsx",
        "Excel ブック（.xlsx）として読めません。Koshu から書き出した様式に記入して保存したファイルを選んでください。",
        format!(
            "This is not a readable Excel workbook (.xlsx): {detail}. Choose the form exported from Koshu, filled in and saved."
        ),
    )
}

/// Refuses what is not a zip archive, a damaged one, and one that unpacks to more than any
/// form holds. Every entry is unpacked to its end, because only there does the zip reader
/// compare the checksum: calamine stops reading XML at its closing tag, so a damaged byte in a
/// sheet would otherwise be imported as different text. The budget counts the bytes actually
/// unpacked, not the sizes the archive declares.
pub(crate) fn check_zip(bytes: &[u8]) -> Result<(), Vec<ImportError>> {
    let too_large = || {
        file_error(
            "file.too_large_unpacked",
            format!(
                "ファイルの展開後の大きさが上限（{}MB）を超えています。",
                MAX_UNPACKED_BYTES / (1024 * 1024)
            ),
            format!(
                "The workbook unpacks to more than {} MB.",
                MAX_UNPACKED_BYTES / (1024 * 1024)
            ),
        )
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_xlsx(&e.to_string()))?;
    let mut budget = MAX_UNPACKED_BYTES;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| not_xlsx(&e.to_string()))?;
        let read = io::copy(&mut entry.take(budget + 1), &mut io::sink())
            .map_err(|e| not_xlsx(&e.to_string()))?;
        budget = budget.checked_sub(read).ok_or_else(too_large)?;
    }
    Ok(())
}

// --- Cells ---------------------------------------------------------------------------------------

/// A cell's content as read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw {
    Empty,
    Text(String),
    Int(i64),
    Number(f64),
    Bool(bool),
    /// A number formatted as a date: the Excel serial day.
    Serial(f64),
    Error(String),
}

impl Raw {
    pub(crate) fn from_data(d: &Data) -> Self {
        match d {
            Data::Empty => Self::Empty,
            Data::String(s) if s.is_empty() => Self::Empty,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Self::Text(s.clone()),
            Data::Int(i) => Self::Int(*i),
            Data::Float(f) => Self::Number(*f),
            Data::Bool(b) => Self::Bool(*b),
            Data::DateTime(dt) => Self::Serial(dt.as_f64()),
            Data::Error(e) => Self::Error(e.to_string()),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Self::Empty => true,
            Self::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone)]
struct Cell {
    /// `"C12"`.
    at: String,
    raw: Raw,
}

pub(crate) fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", letters.into_iter().collect::<String>(), row + 1)
}

// --- Sheets --------------------------------------------------------------------------------------

/// A labelled row: the value cell (column C).
#[derive(Debug)]
struct Scalar {
    cell: Cell,
}

/// One entry of a table: its cells by field name.
#[derive(Debug, Default)]
struct Entry {
    cells: HashMap<String, Cell>,
}

impl Entry {
    fn is_empty(&self) -> bool {
        self.cells.values().all(|c| c.raw.is_empty())
    }
}

#[derive(Debug, Default)]
struct Table {
    /// The columns' field names in order (from the hidden field-name row).
    fields: Vec<String>,
    /// Where the field-name row is, for messages.
    at: String,
    entries: Vec<Entry>,
}

/// A sheet read into its keyed rows and tables, plus the problems found so far.
#[derive(Debug)]
struct Sheet {
    name: &'static str,
    /// Whether the sheet was found: a missing sheet is reported once, not per row.
    present: bool,
    scalars: HashMap<String, Scalar>,
    tables: HashMap<String, Table>,
    errors: Vec<ImportError>,
}

fn read_sheet(
    xlsx: &mut Xlsx<Cursor<&[u8]>>,
    name: &'static str,
) -> Result<Sheet, Vec<ImportError>> {
    let sheet_error = |code, ja: String, en: String| {
        vec![ImportError {
            sheet: name.to_owned(),
            cell: String::new(),
            field: String::new(),
            code,
            message_ja: ja,
            message_en: en,
        }]
    };
    if !xlsx.sheet_names().iter().any(|n| n == name) {
        return Err(sheet_error(
            "sheet.missing",
            format!("シート「{name}」がありません。シート名を変えずに保存してください。"),
            format!("The sheet \"{name}\" is missing. Keep the sheet names as exported."),
        ));
    }
    let range: Range<Data> = xlsx.worksheet_range(name).map_err(|e| {
        sheet_error(
            "sheet.unreadable",
            format!("シート「{name}」を読めません。"),
            format!("The sheet \"{name}\" cannot be read: {e}."),
        )
    })?;
    if range.height() > MAX_SHEET_ROWS || range.width() > MAX_SHEET_COLUMNS {
        return Err(sheet_error(
            "sheet.too_large",
            format!(
                "シート「{name}」の行または列が多すぎます（{MAX_SHEET_ROWS}行・{MAX_SHEET_COLUMNS}列まで）。"
            ),
            format!(
                "The sheet \"{name}\" has too many rows or columns (at most {MAX_SHEET_ROWS} rows and {MAX_SHEET_COLUMNS} columns)."
            ),
        ));
    }
    Ok(Sheet::from_range(name, &range))
}

impl Sheet {
    fn absent(name: &'static str) -> Self {
        Self {
            name,
            present: false,
            scalars: HashMap::new(),
            tables: HashMap::new(),
            errors: Vec::new(),
        }
    }

    /// Sorts the rows by their key in column A (see the crate documentation).
    fn from_range(name: &'static str, range: &Range<Data>) -> Self {
        let mut sheet = Self {
            present: true,
            ..Self::absent(name)
        };
        let (Some((r0, _)), Some((r1, c1))) = (range.start(), range.end()) else {
            return sheet;
        };
        let raw = |r: u32, c: u32| range.get_value((r, c)).map_or(Raw::Empty, Raw::from_data);
        let mut current: Option<String> = None;
        for r in r0..=r1 {
            let key = match raw(r, 0) {
                Raw::Text(s) => s.trim().to_owned(),
                Raw::Empty => String::new(),
                other => format!("{other:?}"),
            };
            if key == keys::TITLE || key == keys::HEADER {
                continue;
            }
            if key == keys::SECTION {
                current = None;
                continue;
            }
            if let Some(list) = key.strip_prefix(keys::FIELDS) {
                let fields = (1..=c1)
                    .map(|c| match raw(r, c) {
                        Raw::Text(s) => s.trim().to_owned(),
                        _ => String::new(),
                    })
                    .collect();
                if sheet.tables.contains_key(list) {
                    sheet.error(
                        &cell_name(r, 0),
                        list,
                        "table.duplicate",
                        format!("表「{list}」が2回あります。"),
                        format!("The table \"{list}\" appears twice."),
                    );
                }
                sheet.tables.insert(
                    list.to_owned(),
                    Table {
                        fields,
                        at: cell_name(r, 0),
                        entries: Vec::new(),
                    },
                );
                current = Some(list.to_owned());
                continue;
            }
            // A table's entries: keyed `list[i]` (or `supervisor`) as exported, or unkeyed
            // because a person inserted the row.
            let entry_key = key.is_empty() || key.contains('[') || key == "supervisor";
            match (&current, entry_key) {
                (Some(list), true) => sheet.push_entry(list, r, &raw),
                (None, true) => {
                    let has_content = (1..=c1).any(|c| !raw(r, c).is_empty());
                    if has_content {
                        sheet.error(
                            &cell_name(r, 1),
                            &key,
                            "row.unknown",
                            "この行がどの項目か分かりません。様式の行を削除・移動せず、表の中に行を追加してください。",
                            "This row belongs to no field or table. Add rows inside a table and do not move the form's rows.",
                        );
                    }
                }
                (_, false) => {
                    current = None;
                    let cell = Cell {
                        at: cell_name(r, 2),
                        raw: raw(r, 2),
                    };
                    if sheet.scalars.insert(key.clone(), Scalar { cell }).is_some() {
                        sheet.error(
                            &cell_name(r, 0),
                            &key,
                            "row.duplicate",
                            "同じ項目の行が2つあります。",
                            "This field has two rows.",
                        );
                    }
                }
            }
        }
        sheet
    }

    fn push_entry(&mut self, list: &str, r: u32, raw: &impl Fn(u32, u32) -> Raw) {
        let Some(table) = self.tables.get_mut(list) else {
            return;
        };
        let mut entry = Entry::default();
        for (i, field) in table.fields.iter().enumerate() {
            if field.is_empty() {
                continue;
            }
            let c = u32::try_from(i + 1).unwrap_or(u32::MAX);
            entry.cells.insert(
                field.clone(),
                Cell {
                    at: cell_name(r, c),
                    raw: raw(r, c),
                },
            );
        }
        if entry.is_empty() {
            return;
        }
        if table.entries.len() == MAX_LIST_ENTRIES {
            let at = cell_name(r, 1);
            self.error(
                &at,
                list,
                "list.too_many",
                format!("表の行が多すぎます（{MAX_LIST_ENTRIES}行まで）。これ以降の行は読みません。"),
                format!("The table has too many rows (at most {MAX_LIST_ENTRIES}); the rest is not read."),
            );
        }
        if table_len(self, list) < MAX_LIST_ENTRIES
            && let Some(table) = self.tables.get_mut(list)
        {
            table.entries.push(entry);
        }
    }

    fn error(
        &mut self,
        cell: &str,
        field: &str,
        code: &'static str,
        ja: impl Into<String>,
        en: impl Into<String>,
    ) {
        self.errors.push(ImportError {
            sheet: self.name.to_owned(),
            cell: cell.to_owned(),
            field: field.to_owned(),
            code,
            message_ja: ja.into(),
            message_en: en.into(),
        });
    }

    fn problem(&mut self, cell: &str, field: &str, p: Problem) {
        self.error(cell, field, p.code, p.ja, p.en);
    }

    /// The value cell of the labelled row `key`; reports a missing row.
    fn take_cell(&mut self, key: &str) -> Option<Cell> {
        match self.scalars.remove(key) {
            Some(s) => Some(s.cell),
            None => {
                if self.present {
                    self.error(
                        "",
                        key,
                        "row.missing",
                        format!("項目「{key}」の行がありません。様式の行を削除しないでください。"),
                        format!("The row for \"{key}\" is missing. Do not delete the form's rows."),
                    );
                }
                None
            }
        }
    }

    /// Parses `cell` as the field `path`; reports a problem and gives `None` when it breaks a rule.
    fn parse<T>(
        &mut self,
        cell: &Cell,
        path: &str,
        parse: impl FnOnce(&Raw) -> Result<T, Problem>,
    ) -> Option<T> {
        match parse(&cell.raw) {
            Ok(v) => Some(v),
            Err(p) => {
                self.problem(&cell.at, path, p);
                None
            }
        }
    }

    fn take<T>(&mut self, key: &str, parse: impl FnOnce(&Raw) -> Result<T, Problem>) -> Option<T> {
        let cell = self.take_cell(key)?;
        self.parse(&cell, key, parse)
    }

    fn text(&mut self, key: &str) -> String {
        self.take(key, text).unwrap_or_default()
    }

    fn count(&mut self, key: &str) -> u32 {
        self.take(key, count).unwrap_or_default()
    }

    fn flag(&mut self, key: &str) -> bool {
        self.take(key, flag).unwrap_or_default()
    }

    fn date(&mut self, key: &str) -> Option<Date> {
        self.take(key, date).flatten()
    }

    fn fee(&mut self, key: &str) -> Option<Yen> {
        self.take(key, fee).flatten()
    }

    fn choice<T: Copy>(&mut self, key: &str, table: &[Choice<T>]) -> Option<T> {
        self.take(key, |r| choice(r, table)).flatten()
    }

    /// The entries of table `list`; reports a missing table and columns it does not know or
    /// lacks (`expected` are its field names).
    fn table(&mut self, list: &str, expected: &[&str]) -> Vec<Entry> {
        let Some(table) = self.tables.remove(list) else {
            if self.present {
                self.error(
                    "",
                    list,
                    "table.missing",
                    format!("表「{list}」の見出し行がありません。様式の行を削除しないでください。"),
                    format!("The header rows of the table \"{list}\" are missing. Do not delete the form's rows."),
                );
            }
            return Vec::new();
        };
        for f in &table.fields {
            if !f.is_empty() && !expected.contains(&f.as_str()) {
                self.error(
                    &table.at,
                    &format!("{list}[].{f}"),
                    "column.unknown",
                    format!("表「{list}」に知らない列「{f}」があります。"),
                    format!("The table \"{list}\" has an unknown column \"{f}\"."),
                );
            }
        }
        for f in expected {
            if !table.fields.iter().any(|x| x == f) {
                self.error(
                    &table.at,
                    &format!("{list}[].{f}"),
                    "column.missing",
                    format!("表「{list}」に列「{f}」がありません。列を削除しないでください。"),
                    format!(
                        "The table \"{list}\" lacks the column \"{f}\". Do not delete columns."
                    ),
                );
            }
        }
        table.entries
    }

    /// Parses field `field` of an entry as `path`; a missing column was reported already.
    fn cell<T>(
        &mut self,
        e: &Entry,
        field: &str,
        path: &str,
        parse: impl FnOnce(&Raw) -> Result<T, Problem>,
    ) -> Option<T> {
        let cell = e.cells.get(field)?;
        self.parse(cell, path, parse)
    }

    /// Reports each of `fields` that is filled although it does not apply (`why_ja`/`why_en`).
    fn reject_filled(
        &mut self,
        e: &Entry,
        fields: &[&str],
        prefix: &str,
        why_ja: &str,
        why_en: &str,
    ) {
        for f in fields {
            if let Some(c) = e.cells.get(*f)
                && !c.raw.is_empty()
            {
                let at = c.at.clone();
                self.error(
                    &at,
                    &format!("{prefix}.{f}"),
                    "cell.not_applicable",
                    format!("この欄は{why_ja}には記入しません。"),
                    format!("This cell does not apply to {why_en}; leave it empty."),
                );
            }
        }
    }

    /// Problems not yet reported: rows whose key no field has.
    fn finish(mut self) -> Vec<ImportError> {
        let mut leftovers: Vec<(String, Scalar)> = self.scalars.drain().collect();
        leftovers.sort_by(|a, b| a.1.cell.at.cmp(&b.1.cell.at));
        for (key, s) in leftovers {
            self.error(
                &s.cell.at,
                &key,
                "row.unknown_key",
                format!("「{key}」という項目はありません。列Aのキーを変更しないでください。"),
                format!("There is no field \"{key}\". Do not change the keys in column A."),
            );
        }
        let mut tables: Vec<(String, Table)> = self.tables.drain().collect();
        tables.sort_by(|a, b| a.0.cmp(&b.0));
        for (list, t) in tables {
            self.error(
                &t.at,
                &list,
                "table.unknown",
                format!("「{list}」という表はありません。"),
                format!("There is no table \"{list}\"."),
            );
        }
        self.errors
    }
}

fn table_len(sheet: &Sheet, list: &str) -> usize {
    sheet.tables.get(list).map_or(0, |t| t.entries.len())
}

// --- Values --------------------------------------------------------------------------------------

pub(crate) fn text(raw: &Raw) -> Result<String, Problem> {
    let s = match raw {
        Raw::Empty => String::new(),
        Raw::Text(s) => s.clone(),
        Raw::Int(i) => i.to_string(),
        Raw::Number(f) => number_text(*f),
        Raw::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Raw::Serial(f) => serial_date(*f).map_or_else(|_| number_text(*f), |d| d.to_string()),
        Raw::Error(e) => return Err(cell_error(e)),
    };
    if s.chars().count() > MAX_TEXT_CHARS {
        return Err(Problem::new(
            "text.too_long",
            format!("{MAX_TEXT_CHARS}文字以内で記入してください。"),
            format!("Use at most {MAX_TEXT_CHARS} characters."),
        ));
    }
    Ok(s)
}

/// A whole number without `.0`; other numbers as Rust prints them.
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

fn cell_error(e: &str) -> Problem {
    Problem::new(
        "cell.error",
        format!("セルがエラー（{e}）になっています。値を記入してください。"),
        format!("The cell holds an error ({e}). Enter a value."),
    )
}

/// A whole number from a number cell or from digits (full-width, with `,` or a unit allowed).
fn whole_number(raw: &Raw) -> Result<Option<i128>, Problem> {
    let not_a_number = || {
        Problem::new(
            "number.format",
            "数値（整数）を記入してください。",
            "Enter a whole number.",
        )
    };
    match raw {
        Raw::Empty => Ok(None),
        Raw::Int(i) => Ok(Some(i128::from(*i))),
        Raw::Number(f) | Raw::Serial(f) => {
            if f.fract() == 0.0 && f.abs() < 1e18 {
                // Checked above: whole and far inside i128.
                #[allow(clippy::cast_possible_truncation)]
                Ok(Some(*f as i128))
            } else {
                Err(not_a_number())
            }
        }
        Raw::Text(s) => {
            let s: String = s
                .trim()
                .chars()
                .map(half_width)
                .filter(|c| !matches!(c, ',' | '円' | '人' | '分' | '年' | ' '))
                .collect();
            let (negative, digits) = match s.strip_prefix(['-', '▲', '△']) {
                Some(rest) => (true, rest),
                None => (false, s.as_str()),
            };
            if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(not_a_number());
            }
            let n: i128 = digits.parse().map_err(|_| not_a_number())?;
            Ok(Some(if negative { -n } else { n }))
        }
        Raw::Bool(_) => Err(not_a_number()),
        Raw::Error(e) => Err(cell_error(e)),
    }
}

fn half_width(c: char) -> char {
    match c {
        '０'..='９' | '－' | '，' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        'ー' | '−' => '-',
        _ => c,
    }
}

/// One curriculum item's minutes, at most `CurriculumItem::MAX_MINUTES` (so that no row can
/// make the total absurd, issue 12 finding 8).
fn item_minutes(raw: &Raw) -> Result<u32, Problem> {
    let minutes = count(raw)?;
    let max = CurriculumItem::MAX_MINUTES;
    if minutes > max {
        return Err(Problem::new(
            "number.range",
            format!("1項目の時間は{max}分以下で記入してください。"),
            format!("One item can be at most {max} minutes."),
        ));
    }
    Ok(minutes)
}

fn count(raw: &Raw) -> Result<u32, Problem> {
    match whole_number(raw)? {
        None => Ok(0),
        Some(n) => u32::try_from(n).map_err(|_| {
            Problem::new(
                "number.range",
                format!("0以上{}以下の整数を記入してください。", u32::MAX),
                format!("Enter a whole number from 0 to {}.", u32::MAX),
            )
        }),
    }
}

/// The largest amount accepted: exact in an Excel number.
const MAX_YEN: i128 = 9_007_199_254_740_991;

fn money(raw: &Raw) -> Result<i64, Problem> {
    match whole_number(raw)? {
        None => Err(Problem::new(
            "number.required",
            "金額を記入してください（損失は負の数）。",
            "Enter the amount (a loss as a negative number).",
        )),
        Some(n) if (-MAX_YEN..=MAX_YEN).contains(&n) => i64::try_from(n).map_err(|_| money_range()),
        Some(_) => Err(money_range()),
    }
}

/// A fee: whole yen, not negative; blank when not stated.
fn fee(raw: &Raw) -> Result<Option<Yen>, Problem> {
    match whole_number(raw)? {
        None => Ok(None),
        Some(n) => u64::try_from(n)
            .ok()
            .filter(|n| i128::from(*n) <= MAX_YEN)
            .map(|n| Some(Yen::new(n)))
            .ok_or_else(|| {
                Problem::new(
                    "fee.range",
                    "受講費用は0以上の円単位の金額で記入してください（未定は空欄）。",
                    "Enter the fee as whole yen of 0 or more (blank when not decided).",
                )
            }),
    }
}

fn money_range() -> Problem {
    Problem::new(
        "number.range",
        "金額が大きすぎます。",
        "The amount is too large.",
    )
}

fn flag(raw: &Raw) -> Result<bool, Problem> {
    let unknown = || {
        Problem::new(
            "flag.format",
            "「はい」「いいえ」、または「○」か空欄で記入してください。",
            "Enter はい (yes) or いいえ (no), or ○ or nothing.",
        )
    };
    match raw {
        Raw::Empty => Ok(false),
        Raw::Bool(b) => Ok(*b),
        Raw::Int(1) => Ok(true),
        Raw::Int(0) => Ok(false),
        Raw::Number(f) if *f == 1.0 => Ok(true),
        Raw::Number(f) if *f == 0.0 => Ok(false),
        Raw::Text(s) => match s.trim().to_lowercase().as_str() {
            "○" | "◯" | "〇" | "●" | "✓" | "✔" | "レ" | "はい" | "有" | "あり" | "true" | "yes"
            | "y" | "1" => Ok(true),
            "" | "×" | "✕" | "いいえ" | "無" | "なし" | "false" | "no" | "n" | "0" | "-" | "ー"
            | "－" | "―" => Ok(false),
            _ => Err(unknown()),
        },
        Raw::Error(e) => Err(cell_error(e)),
        _ => Err(unknown()),
    }
}

/// Excel's day 0 is 1899-12-30 for every serial after 1900-02-28 (its fictitious 1900-02-29 is
/// serial 60); earlier serials are refused, no form holds such dates.
fn serial_date(serial: f64) -> Result<Date, Problem> {
    let out_of_range = || {
        Problem::new(
            "date.range",
            "1900年3月1日から9999年12月31日までの日付を記入してください。",
            "Enter a date from 1 March 1900 to 31 December 9999.",
        )
    };
    if !(61.0..=2_958_465.0).contains(&serial) {
        return Err(out_of_range());
    }
    let epoch = Date::from_calendar_date(1899, Month::December, 30).map_err(|_| out_of_range())?;
    // Range checked above; any time of day is dropped.
    #[allow(clippy::cast_possible_truncation)]
    let days = serial.floor() as i64;
    epoch
        .checked_add(Duration::days(days))
        .ok_or_else(out_of_range)
}

fn date(raw: &Raw) -> Result<Option<Date>, Problem> {
    match raw {
        Raw::Empty => Ok(None),
        Raw::Serial(f) | Raw::Number(f) => serial_date(*f).map(Some),
        #[allow(clippy::cast_precision_loss)]
        Raw::Int(i) => serial_date(*i as f64).map(Some),
        Raw::Text(s) => {
            // An ISO date-time (`2026-04-01T00:00:00`) as some tools write it: its date.
            let s = s.trim();
            let day = match s.split_once('T') {
                Some((d, _)) if d.len() == 10 => d,
                _ => s,
            };
            Ok(Some(parse_date(day)?))
        }
        Raw::Bool(_) => Err(Problem::new(
            "date.format",
            "日付を 2026年4月1日 または 2026-04-01 の形で記入してください。",
            "Enter a date as 2026年4月1日 or 2026-04-01.",
        )),
        Raw::Error(e) => Err(cell_error(e)),
    }
}

fn choice<T: Copy>(raw: &Raw, table: &[Choice<T>]) -> Result<Option<T>, Problem> {
    let s = text(raw)?;
    if s.trim().is_empty() {
        return Ok(None);
    }
    labels::parse(table, &s).map(Some).ok_or_else(|| {
        Problem::new(
            "choice.unknown",
            format!(
                "「{s}」は選択肢にありません。次から選んでください：{}",
                labels::options(table)
            ),
            format!(
                "\"{s}\" is not one of the choices: {}",
                labels::options(table)
            ),
        )
    })
}

fn required<T>(v: Option<T>) -> Result<T, Problem> {
    v.ok_or_else(|| {
        Problem::new(
            "choice.required",
            "選択肢から選んでください。",
            "Choose one of the options.",
        )
    })
}

/// A RISS number; a number cell gets back the leading zeros Excel drops (12345 → 012345).
fn riss(raw: &Raw) -> Result<Option<RissNumber>, Problem> {
    let s = match raw {
        Raw::Int(_) | Raw::Number(_) => match whole_number(raw)? {
            Some(n) if (0..1_000_000).contains(&n) => format!("{n:06}"),
            _ => text(raw)?,
        },
        _ => text(raw)?,
    };
    if s.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(RissNumber::parse(&s)?))
}

fn corporate(raw: &Raw) -> Result<CorporateNumber, Problem> {
    Ok(CorporateNumber::parse(&text(raw)?)?)
}

fn email(raw: &Raw) -> Result<Option<Email>, Problem> {
    let s = text(raw)?;
    if s.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(Email::parse(&s)?))
}

/// Optional text: empty is `None`.
fn optional(raw: &Raw) -> Result<Option<String>, Problem> {
    let s = text(raw)?;
    Ok((!s.is_empty()).then_some(s))
}

/// Codes one per line (also separated by commas or spaces, as people type them).
fn codes(raw: &Raw) -> Result<Vec<String>, Problem> {
    Ok(text(raw)?
        .split(['\n', ',', '、', '，', ' ', '　'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Items one per line.
fn lines(raw: &Raw) -> Result<Vec<String>, Problem> {
    Ok(text(raw)?
        .lines()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect())
}

// --- 様式第1号 -----------------------------------------------------------------------------------

const ORG: &str = "provider.organisation";

fn read_provider(s: &mut Sheet, app: &mut Application) {
    let key = |k: &str| format!("{ORG}.{k}");
    let mut cells: HashMap<String, Cell> = HashMap::new();
    let mut keys: Vec<String> = [
        "name_ja",
        "name_en",
        "corporate_number",
        "address",
        "representative",
        "privacy.kind",
        "privacy.number",
        "privacy.valid_until",
        "privacy.url",
    ]
    .iter()
    .map(|k| key(k))
    .collect();
    keys.extend(CONTACT_KEYS.iter().flatten().map(|k| (*k).to_owned()));
    for k in keys {
        if let Some(c) = s.take_cell(&k) {
            cells.insert(k, c);
        }
    }
    let members = s.table(&key("consortium_members"), &["name", "corporate_number"]);
    // A registered organisation is present as soon as anything of it is filled.
    let present = cells.values().any(|c| !c.raw.is_empty()) || !members.is_empty();
    if present {
        app.provider.organisation = read_organisation(s, &cells, &members);
    }
    app.provider.desks_published_at = s.text("provider.desks_published_at");
    app.provider.business_started_on = s.date("provider.business_started_on");
    let net = s.table("provider.net_income", &["fiscal_year", "net_income"]);
    app.provider.net_income = net
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let p = format!("provider.net_income[{i}]");
            let fy = s.cell(e, "fiscal_year", &format!("{p}.fiscal_year"), |r| {
                Ok(Some(FiscalYear::parse(&text(r)?)?))
            });
            let amount = s.cell(e, "net_income", &format!("{p}.net_income"), |r| {
                money(r).map(Some)
            });
            Some(AnnualNetIncome {
                fiscal_year: fy??,
                net_income: NetIncome(amount??),
            })
        })
        .collect();
    app.track_record.last_delivered_on = s.date("track_record.last_delivered_on");
    app.track_record.learners = s.count("track_record.learners");
    app.track_record.evidence_document = s.text("track_record.evidence_document");
    let mut fields = vec!["corporate_number"];
    fields.extend(
        DisqualificationItem::ALL
            .iter()
            .map(|i| declaration_field(*i)),
    );
    let declarations = s.table("provider.declarations", &fields);
    app.provider.declarations = declarations
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let p = format!("provider.declarations[{i}]");
            let corporate_number = s
                .cell(
                    e,
                    "corporate_number",
                    &format!("{p}.corporate_number"),
                    text,
                )
                .unwrap_or_default()
                .trim()
                .to_owned();
            let not_applicable = DisqualificationItem::ALL
                .iter()
                .filter(|item| {
                    let f = declaration_field(**item);
                    s.cell(e, f, &format!("{p}.{f}"), flag).unwrap_or_default()
                })
                .copied()
                .collect();
            DisqualificationDeclaration {
                corporate_number,
                not_applicable,
            }
        })
        .collect();
}

/// Parses the labelled row `key` from the cells taken earlier (a missing row was reported).
fn parse_in<T>(
    s: &mut Sheet,
    cells: &HashMap<String, Cell>,
    key: &str,
    parse: impl FnOnce(&Raw) -> Result<T, Problem>,
) -> Option<T> {
    cells.get(key).and_then(|c| s.parse(c, key, parse))
}

/// Parses every part before combining, so that each problem is reported.
fn read_organisation(
    s: &mut Sheet,
    cells: &HashMap<String, Cell>,
    members: &[Entry],
) -> Option<Organisation> {
    let k = |f: &str| format!("{ORG}.{f}");
    let name_ja = parse_in(s, cells, &k("name_ja"), text);
    let name_en = parse_in(s, cells, &k("name_en"), optional);
    let corporate_number = parse_in(s, cells, &k("corporate_number"), corporate);
    let address = parse_in(s, cells, &k("address"), text);
    let representative = parse_in(s, cells, &k("representative"), text);
    let contacts: Vec<Option<Contact>> = CONTACT_KEYS
        .iter()
        .map(|keys| {
            let name = parse_in(s, cells, keys[0], text);
            let email = parse_in(s, cells, keys[1], email);
            let phone = parse_in(s, cells, keys[2], optional);
            Some(Contact {
                name: name?,
                email: email?,
                phone: phone?,
            })
        })
        .collect();
    let privacy = read_privacy(s, cells);
    let consortium_members: Vec<Option<ConsortiumMember>> = members
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let p = format!("{ORG}.consortium_members[{i}]");
            let name = s.cell(e, "name", &format!("{p}.name"), text);
            let number = s.cell(
                e,
                "corporate_number",
                &format!("{p}.corporate_number"),
                corporate,
            );
            Some(ConsortiumMember {
                name: name?,
                corporate_number: number?,
            })
        })
        .collect();
    let [
        course_manager,
        enrolment_admin,
        inquiry_desk,
        complaints_desk,
    ]: [Option<Contact>; 4] = contacts.try_into().ok()?;
    Some(Organisation {
        name_ja: name_ja?,
        name_en: name_en?,
        corporate_number: corporate_number?,
        address: address?,
        representative: representative?,
        responsible: ResponsiblePersons {
            course_manager: course_manager?,
            enrolment_admin: enrolment_admin?,
            inquiry_desk: inquiry_desk?,
            complaints_desk: complaints_desk?,
        },
        privacy: privacy?,
        consortium_members: consortium_members.into_iter().collect::<Option<Vec<_>>>()?,
    })
}

fn read_privacy(s: &mut Sheet, cells: &HashMap<String, Cell>) -> Option<PrivacyAssurance> {
    let k = |f: &str| format!("{ORG}.privacy.{f}");
    let kind = parse_in(s, cells, &k("kind"), |r| {
        required(choice(r, labels::PRIVACY)?)
    })?;
    let certified = matches!(kind, PrivacyKind::PrivacyMark | PrivacyKind::Isms);
    // Only what the kind uses is parsed; the rest must be empty (reported below).
    let (number, valid_until, url) = if certified {
        let number = parse_in(s, cells, &k("number"), text);
        let valid_until = parse_in(s, cells, &k("valid_until"), |r| {
            date(r)?.ok_or_else(|| {
                Problem::new(
                    "date.required",
                    "認証の有効期限を記入してください。",
                    "Enter the certification's expiry date.",
                )
            })
        });
        (number, valid_until, None)
    } else {
        (None, None, parse_in(s, cells, &k("url"), text))
    };
    let not_for = |s: &mut Sheet, f: &str, what_ja: &str, what_en: &str| {
        if let Some(c) = cells.get(&k(f))
            && !c.raw.is_empty()
        {
            s.error(
                &c.at,
                &k(f),
                "cell.not_applicable",
                format!("この欄は{what_ja}には記入しません。"),
                format!("This cell does not apply to {what_en}; leave it empty."),
            );
        }
    };
    match kind {
        PrivacyKind::PrivacyMark | PrivacyKind::Isms => {
            not_for(s, "url", "認証の場合", "a certification");
            let (number, valid_until) = (number?, valid_until?);
            Some(if kind == PrivacyKind::Isms {
                PrivacyAssurance::Isms {
                    number,
                    valid_until,
                }
            } else {
                PrivacyAssurance::PrivacyMark {
                    number,
                    valid_until,
                }
            })
        }
        PrivacyKind::Policy => {
            not_for(
                s,
                "number",
                "プライバシーポリシーの場合",
                "a privacy policy",
            );
            not_for(
                s,
                "valid_until",
                "プライバシーポリシーの場合",
                "a privacy policy",
            );
            Some(PrivacyAssurance::Policy { url: url? })
        }
    }
}

// --- 様式第2号 -----------------------------------------------------------------------------------

fn read_course(s: &mut Sheet, app: &mut Application) {
    let c = &mut app.course;
    c.name = s.text("course.name");
    c.purpose = s.text("course.purpose");
    c.target_persona = s.choice("course.target_persona", labels::PERSONAS);
    c.level4_explanation = s.text("course.level4_explanation");
    c.itss_fields = s.take("course.itss_fields", codes).unwrap_or_default();
    c.goals = s.text("course.goals");
    c.knowledge_and_skills = s.text("course.knowledge_and_skills");
    c.prerequisites = s.text("course.prerequisites");
    c.publication_plan = s.text("course.publication_plan");

    let d = &mut app.delivery;
    d.format = s
        .take("delivery.format", |r| required(choice(r, labels::FORMATS)?))
        .unwrap_or_default();
    d.standard_learning_time = s.text("delivery.standard_learning_time");
    d.progress_tracking = s.text("delivery.progress_tracking");
    d.achievement_measurement = s.text("delivery.achievement_measurement");
    d.stall_detection_and_follow_up = s.text("delivery.stall_detection_and_follow_up");

    let a = &mut app.assessment;
    a.kind = s.choice("assessment.kind", labels::ASSESSMENTS);
    a.process = s.text("assessment.process");
    a.criteria = s.text("assessment.criteria");
    a.pass_mark = s.text("assessment.pass_mark");
    a.published_at = s.text("assessment.published_at");
    a.explained_before_course = s.flag("assessment.explained_before_course");
    app.certificate.form = s.choice("certificate.form", labels::CERTIFICATES);
    app.certificate.description = s.text("certificate.description");

    let v = &mut app.survey;
    v.includes_ministry_items = s.flag("survey.includes_ministry_items");
    v.provider_items = s.take("survey.provider_items", lines).unwrap_or_default();
    v.latest_results_summary = s.text("survey.latest_results_summary");
    v.latest_results_document = s.text("survey.latest_results_document");
    v.review_process = s.text("survey.review_process");
    v.improvement_record = s.text("survey.improvement_record");

    app.substitute_arrangement = s.text("substitute_arrangement");
    let asst = &mut app.assistants;
    asst.learners_per_assistant = s.count("assistants.learners_per_assistant");
    asst.selection_criteria = s.text("assistants.selection_criteria");
    asst.selection_process = s.text("assistants.selection_process");
    asst.number_at_start = s.count("assistants.number_at_start");

    let p = &mut app.plan;
    p.plan_do_check_act = s.text("plan.plan_do_check_act");
    p.start = s.text("plan.start");
    p.structure = s.text("plan.structure");
    p.method = s.text("plan.method");
    p.publications = s.text("plan.publications");
    p.two_way_communication = s.text("plan.two_way_communication");
    p.attendance_history = s.text("plan.attendance_history");

    let em = &mut app.emergency;
    em.risk_document = s.text("emergency.risk_document");
    em.procedures_document = s.text("emergency.procedures_document");
    em.last_reviewed_on = s.date("emergency.last_reviewed_on");
    em.review_cycle = s.text("emergency.review_cycle");

    let f = &mut app.facilities;
    f.venue = s.text("facilities.venue");
    f.equipment = s.text("facilities.equipment");
    f.remote_systems = s.text("facilities.remote_systems");
    f.other = s.text("facilities.other");

    app.outsourcing.answer = s.choice("outsourcing.answer", labels::OUTSOURCING);
    let tasks = s.table(
        "outsourcing.tasks",
        &["task", "contractor", "quality_assurance"],
    );
    app.outsourcing.tasks = tasks
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let p = format!("outsourcing.tasks[{i}]");
            let mut t = |f: &str| s.cell(e, f, &format!("{p}.{f}"), text).unwrap_or_default();
            OutsourcedTask {
                task: t("task"),
                contractor: t("contractor"),
                quality_assurance: t("quality_assurance"),
            }
        })
        .collect();

    app.attendance_controls.identity_and_riss_verification =
        s.text("attendance_controls.identity_and_riss_verification");
    app.attendance_controls.leaving_prevention = s.text("attendance_controls.leaving_prevention");
    let rp = &mut app.reporting;
    rp.commits_to_monthly_and_annual_reports =
        s.flag("reporting.commits_to_monthly_and_annual_reports");
    rp.records_kept_years = s.count("reporting.records_kept_years");
    rp.responsible = s.text("reporting.responsible");
    let en = &mut app.enrolment;
    en.open_to_outsiders = s.flag("enrolment.open_to_outsiders");
    en.schedule_published_at = s.text("enrolment.schedule_published_at");
    en.how_to_apply = s.text("enrolment.how_to_apply");
    en.capacity = s.count("enrolment.capacity");
    en.fee = s.fee("enrolment.fee");
    app.accessibility.reasonable_accommodation = s.text("accessibility.reasonable_accommodation");
}

// --- Lists ---------------------------------------------------------------------------------------

fn read_curriculum(s: &mut Sheet) -> Vec<CurriculumItem> {
    let entries = s.table(
        "curriculum",
        &[
            "title",
            "minutes",
            "method",
            "syllabus_items",
            "opportunities.learn_from_experts",
            "opportunities.think_together",
            "opportunities.try_in_practice",
        ],
    );
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let p = |f: &str| format!("curriculum[{i}].{f}");
            let flag_of = |s: &mut Sheet, f: &str| s.cell(e, f, &p(f), flag).unwrap_or_default();
            let opportunities = Opportunities {
                learn_from_experts: flag_of(s, "opportunities.learn_from_experts"),
                think_together: flag_of(s, "opportunities.think_together"),
                try_in_practice: flag_of(s, "opportunities.try_in_practice"),
            };
            CurriculumItem {
                title: s.cell(e, "title", &p("title"), text).unwrap_or_default(),
                minutes: s
                    .cell(e, "minutes", &p("minutes"), item_minutes)
                    .unwrap_or_default(),
                method: s
                    .cell(e, "method", &p("method"), |r| {
                        required(choice(r, labels::METHODS)?)
                    })
                    .unwrap_or_default(),
                syllabus_items: s
                    .cell(e, "syllabus_items", &p("syllabus_items"), codes)
                    .unwrap_or_default(),
                opportunities,
            }
        })
        .collect()
}

const INSTRUCTOR_ONLY: [&str; 5] = [
    "riss_number",
    "equivalence",
    "external_learners_taught",
    "facilitation_record",
    "affiliation",
];
const SUPERVISOR_ONLY: [&str; 5] = [
    "oversees.programme",
    "oversees.materials",
    "oversees.instructors",
    "oversees.completion_assessment",
    "oversees.course_evaluation",
];

fn read_people(s: &mut Sheet, app: &mut Application) {
    let mut fields = vec![
        "role",
        "name",
        "practical_experience",
        "declares_not_disqualified",
    ];
    fields.extend(INSTRUCTOR_ONLY);
    fields.extend(SUPERVISOR_ONLY);
    let entries = s.table("instructors", &fields);
    for e in &entries {
        // A row without a role is an instructor: the common case when a person adds one.
        let role = e
            .cells
            .get("role")
            .cloned()
            .and_then(|c| {
                let path = format!("instructors[{}].role", app.instructors.len());
                s.parse(&c, &path, |r| choice(r, labels::ROLES))
            })
            .flatten()
            .unwrap_or(Role::Instructor);
        if role == Role::Supervisor {
            s.reject_filled(
                e,
                &INSTRUCTOR_ONLY,
                "supervisor",
                "監修者",
                "the supervisor",
            );
            let sup = read_supervisor(s, e);
            if app.supervisor.is_some() {
                let at = e
                    .cells
                    .get("role")
                    .map(|c| c.at.clone())
                    .unwrap_or_default();
                s.error(
                    &at,
                    "supervisor",
                    "supervisor.duplicate",
                    "監修者は1名です。2人目の監修者の行を削除してください。",
                    "There is one supervisor; remove the second supervisor's row.",
                );
            } else {
                app.supervisor = Some(sup);
            }
        } else {
            let k = app.instructors.len();
            let prefix = format!("instructors[{k}]");
            s.reject_filled(e, &SUPERVISOR_ONLY, &prefix, "講師", "an instructor");
            let p = |f: &str| format!("{prefix}.{f}");
            let ins = Instructor {
                name: s.cell(e, "name", &p("name"), text).unwrap_or_default(),
                riss_number: s.cell(e, "riss_number", &p("riss_number"), riss).flatten(),
                equivalence: s
                    .cell(e, "equivalence", &p("equivalence"), text)
                    .unwrap_or_default(),
                practical_experience: s
                    .cell(e, "practical_experience", &p("practical_experience"), text)
                    .unwrap_or_default(),
                external_learners_taught: s
                    .cell(
                        e,
                        "external_learners_taught",
                        &p("external_learners_taught"),
                        count,
                    )
                    .unwrap_or_default(),
                facilitation_record: s
                    .cell(e, "facilitation_record", &p("facilitation_record"), text)
                    .unwrap_or_default(),
                affiliation: s
                    .cell(e, "affiliation", &p("affiliation"), |r| {
                        choice(r, labels::AFFILIATIONS)
                    })
                    .flatten(),
                is_substitute: role == Role::Substitute,
                declares_not_disqualified: s
                    .cell(
                        e,
                        "declares_not_disqualified",
                        &p("declares_not_disqualified"),
                        flag,
                    )
                    .unwrap_or_default(),
            };
            app.instructors.push(ins);
        }
    }
}

fn read_supervisor(s: &mut Sheet, e: &Entry) -> Supervisor {
    let p = |f: &str| format!("supervisor.{f}");
    let flag_of = |s: &mut Sheet, f: &str| s.cell(e, f, &p(f), flag).unwrap_or_default();
    let oversees = SupervisionScope {
        programme: flag_of(s, "oversees.programme"),
        materials: flag_of(s, "oversees.materials"),
        instructors: flag_of(s, "oversees.instructors"),
        completion_assessment: flag_of(s, "oversees.completion_assessment"),
        course_evaluation: flag_of(s, "oversees.course_evaluation"),
    };
    Supervisor {
        name: s.cell(e, "name", &p("name"), text).unwrap_or_default(),
        practical_experience: s
            .cell(e, "practical_experience", &p("practical_experience"), text)
            .unwrap_or_default(),
        oversees,
        declares_not_disqualified: flag_of(s, "declares_not_disqualified"),
    }
}

fn read_materials(s: &mut Sheet) -> Vec<Material> {
    let entries = s.table(
        "materials",
        &[
            "title",
            "document",
            "copyright.kind",
            "copyright.evidence_document",
            "copyright.usage",
            "copyright.supplement",
            "is_exercise",
            "includes_model_answers",
        ],
    );
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let prefix = format!("materials[{i}]");
            let p = |f: &str| format!("{prefix}.{f}");
            let t = |s: &mut Sheet, f: &str| s.cell(e, f, &p(f), text).unwrap_or_default();
            let kind = s
                .cell(e, "copyright.kind", &p("copyright.kind"), |r| {
                    choice(r, labels::COPYRIGHTS)
                })
                .flatten();
            let (unused, what_ja, what_en): (&[&str], &str, &str) = match kind {
                None => (
                    &[
                        "copyright.evidence_document",
                        "copyright.usage",
                        "copyright.supplement",
                    ],
                    "著作権の扱いが空欄の場合",
                    "a material without a copyright basis",
                ),
                Some(CopyrightKind::Own) => (
                    &[
                        "copyright.evidence_document",
                        "copyright.usage",
                        "copyright.supplement",
                    ],
                    "自社著作の教材",
                    "the provider's own material",
                ),
                Some(CopyrightKind::Licensed) => (
                    &["copyright.usage", "copyright.supplement"],
                    "承諾を受けた教材",
                    "a licensed material",
                ),
                Some(CopyrightKind::Commercial) => (
                    &["copyright.evidence_document"],
                    "市販教材",
                    "a commercial material",
                ),
            };
            s.reject_filled(e, unused, &prefix, what_ja, what_en);
            let copyright = match kind {
                None => None,
                Some(CopyrightKind::Own) => Some(CopyrightBasis::Own),
                Some(CopyrightKind::Licensed) => Some(CopyrightBasis::Licensed {
                    evidence_document: t(s, "copyright.evidence_document"),
                }),
                Some(CopyrightKind::Commercial) => Some(CopyrightBasis::Commercial {
                    usage: t(s, "copyright.usage"),
                    supplement: t(s, "copyright.supplement"),
                }),
            };
            Material {
                title: t(s, "title"),
                document: t(s, "document"),
                copyright,
                is_exercise: s
                    .cell(e, "is_exercise", &p("is_exercise"), flag)
                    .unwrap_or_default(),
                includes_model_answers: s
                    .cell(
                        e,
                        "includes_model_answers",
                        &p("includes_model_answers"),
                        flag,
                    )
                    .unwrap_or_default(),
            }
        })
        .collect()
}

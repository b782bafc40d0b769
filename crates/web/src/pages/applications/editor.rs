//! One section of the application as a form, and back. The application is handled as JSON so
//! that one table ([`super::schema`]) can address every field by its path; each value is
//! turned into its type here (numbers, dates, RISS numbers, codes), and every field that
//! cannot be read is reported with its name, all at once.
//!
//! A section is first written as form pairs (`name → value`), whether it comes from the
//! stored draft or from what the person sent; the page is drawn from pairs only, so a form
//! with mistakes comes back exactly as typed.

use super::schema::{CodeSource, Field, Kind, List, Section};
use crate::pages::forms::{FormField, field_id};
use crate::view::PageCtx;
use koshu_domain::ValidationError;
use koshu_domain::taxonomy::Taxonomy;
use koshu_domain::types::text::{TextKind, check_text};
use koshu_domain::types::{FiscalYear, RissNumber, Yen};
use serde_json::{Map, Value};
use std::collections::HashMap;
use time::Date;
use time::macros::format_description;

/// Rows a list may have; more is not a course anyone applies with.
const MAX_ROWS: usize = 300;

/// Form pairs by name; a name may repeat (a group of boxes).
#[derive(Debug, Default, Clone)]
pub struct Pairs(HashMap<String, Vec<String>>);

impl Pairs {
    pub fn from_form(pairs: Vec<(String, String)>) -> Self {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            map.entry(k).or_default().push(v);
        }
        Self(map)
    }

    fn one(&self, name: &str) -> &str {
        self.0
            .get(name)
            .and_then(|v| v.first())
            .map_or("", String::as_str)
    }

    fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map_or(&[], Vec::as_slice)
    }

    fn put(&mut self, name: String, value: String) {
        self.0.entry(name).or_default().push(value);
    }

    /// How many rows the form drew for `list`; `None` when the post does not say (a form
    /// always does), which must not be read as "no rows".
    fn rows(&self, list: &List) -> Option<usize> {
        self.one(&rows_name(list))
            .trim()
            .parse::<usize>()
            .ok()
            .map(|n| n.min(MAX_ROWS + 2))
    }

    fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

fn rows_name(list: &List) -> String {
    format!("{}._rows", list.path)
}

fn row_name(list: &List, i: usize, field: &str) -> String {
    format!("{}[{i}].{field}", list.path)
}

// JSON paths.

fn get<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

fn set(value: &mut Value, path: &str, new: Value) {
    let mut here = value;
    let mut keys = path.split('.').peekable();
    while let Some(key) = keys.next() {
        if !here.is_object() {
            *here = Value::Object(Map::new());
        }
        let Value::Object(map) = here else {
            return;
        };
        if keys.peek().is_none() {
            map.insert(key.to_owned(), new);
            return;
        }
        here = map.entry(key.to_owned()).or_insert(Value::Null);
    }
}

// Stored value → form text.

fn text_of(kind: Kind, value: Option<&Value>) -> (String, Vec<String>) {
    let value = value.unwrap_or(&Value::Null);
    let plain = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    match kind {
        Kind::Lines => (
            value
                .as_array()
                .map(|a| a.iter().map(plain).collect::<Vec<_>>().join("\n"))
                .unwrap_or_default(),
            Vec::new(),
        ),
        Kind::SyllabusCodes => (
            value
                .as_array()
                .map(|a| a.iter().map(plain).collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
            Vec::new(),
        ),
        Kind::Codes(_) => (
            String::new(),
            value
                .as_array()
                .map(|a| a.iter().map(plain).collect())
                .unwrap_or_default(),
        ),
        // Zero is what an untouched count holds: show it empty, as it was never entered.
        Kind::Number { .. } => (
            value
                .as_u64()
                .filter(|n| *n > 0)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            Vec::new(),
        ),
        Kind::Check => (
            if value.as_bool() == Some(true) {
                "true".into()
            } else {
                String::new()
            },
            Vec::new(),
        ),
        Kind::Date => (
            serde_json::from_value::<Date>(value.clone())
                .ok()
                .map(|d| d.to_string())
                .unwrap_or_default(),
            Vec::new(),
        ),
        Kind::FiscalYear => (
            serde_json::from_value::<FiscalYear>(value.clone())
                .ok()
                .map(|fy| fy.start().year().to_string())
                .unwrap_or_default(),
            Vec::new(),
        ),
        Kind::Text
        | Kind::Textarea
        | Kind::Money
        | Kind::Yen
        | Kind::Choice { .. }
        | Kind::Riss => (plain(value), Vec::new()),
    }
}

fn put_field(pairs: &mut Pairs, name: String, field: &Field, value: Option<&Value>) {
    let (text, selected) = text_of(field.kind, value);
    if matches!(field.kind, Kind::Codes(_)) {
        for s in selected {
            pairs.put(name.clone(), s);
        }
    } else if !text.is_empty() || sent_when_empty(field.kind) {
        pairs.put(name, text);
    }
}

/// Whether a browser sends the field even when it is empty: every input but boxes and radio
/// buttons (which send nothing unless chosen).
fn sent_when_empty(kind: Kind) -> bool {
    !matches!(
        kind,
        Kind::Check | Kind::Codes(_) | Kind::Choice { radio: true, .. }
    )
}

/// The fields a post of `section` lacks although its form always sends them; a hand-made or
/// truncated post is refused instead of erasing what it does not carry (issue 12 finding 7).
fn missing_fields(section: &Section, pairs: &Pairs) -> Vec<ValidationError> {
    let mut missing = Vec::new();
    let incomplete = |path: &str, ja: &str, en: &str| {
        invalid(
            path,
            "application.form_incomplete",
            format!(
                "送信された内容に「{ja}」の欄がありません。ページを開き直して、もう一度保存してください。何も変更していません。"
            ),
            format!(
                "What was sent has no \"{en}\" field. Open the page again and save once more; nothing was changed."
            ),
        )
    };
    for field in section.fields {
        if sent_when_empty(field.kind) && !pairs.has(field.path) {
            missing.push(incomplete(field.path, field.ja, field.en));
        }
    }
    for list in section.lists {
        if pairs.rows(list).is_none() {
            missing.push(incomplete(&rows_name(list), list.ja, list.en));
        }
    }
    missing
}

/// Empty rows the form carries beyond each list, so that a person adds several rows (curriculum
/// items, instructors) in one save (issue 13 item 17); rows left empty are dropped.
const BLANK_ROWS: usize = 3;

/// The section's part of `draft` as form pairs, with [`BLANK_ROWS`] empty rows at the end of
/// each list.
pub fn to_pairs(section: &Section, draft: &Value) -> Pairs {
    let mut pairs = Pairs::default();
    for field in section.fields {
        put_field(
            &mut pairs,
            field.path.to_owned(),
            field,
            get(draft, field.path),
        );
    }
    for list in section.lists {
        let rows = get(draft, list.path)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, row) in rows.iter().enumerate() {
            for field in list.fields {
                put_field(
                    &mut pairs,
                    row_name(list, i, field.path),
                    field,
                    get(row, field.path),
                );
            }
        }
        pairs.put(rows_name(list), (rows.len() + BLANK_ROWS).to_string());
    }
    pairs
}

// Form text → value.

fn invalid(name: &str, code: &'static str, ja: String, en: String) -> ValidationError {
    ValidationError::new(code, ja, en).for_field(name)
}

fn parse_field(
    field: &Field,
    name: &str,
    pairs: &Pairs,
    taxonomy: &Taxonomy,
) -> Result<Value, ValidationError> {
    let raw = pairs.one(name).trim();
    let (ja, en) = (field.ja, field.en);
    match field.kind {
        Kind::Text => check_text(raw, TextKind::Line)
            .map(|()| Value::String(raw.to_owned()))
            .map_err(|e| e.for_field(name)),
        Kind::Textarea => check_text(raw, TextKind::Multiline)
            .map(|()| Value::String(raw.to_owned()))
            .map_err(|e| e.for_field(name)),
        Kind::Lines => check_text(raw, TextKind::Multiline)
            .map_err(|e| e.for_field(name))
            .map(|()| {
                Value::Array(
                    raw.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(|l| Value::String(l.to_owned()))
                        .collect(),
                )
            }),
        Kind::Check => Ok(Value::Bool(pairs.one(name) == "true")),
        Kind::Number { max } => {
            let digits = normalise_number(raw);
            if digits.is_empty() {
                return Ok(Value::from(0u32));
            }
            match digits.parse::<u32>() {
                Ok(n) if n <= max => Ok(Value::from(n)),
                Ok(_) => Err(invalid(
                    name,
                    "application.number_range",
                    format!("「{ja}」は{max}以下で入力してください。"),
                    format!("\"{en}\" can be at most {max}."),
                )),
                Err(_) => Err(invalid(
                    name,
                    "application.number",
                    format!("「{ja}」は0以上の整数で入力してください（例：90）。"),
                    format!("Enter \"{en}\" as a whole number of 0 or more (such as 90)."),
                )),
            }
        }
        Kind::Money => {
            let text = normalise_number(raw);
            let (negative, digits) = match text.strip_prefix(['▲', '△', '-', '−']) {
                Some(rest) => (true, rest.trim_end_matches('円')),
                None => (false, text.trim_end_matches('円')),
            };
            digits
                .parse::<i64>()
                .ok()
                .filter(|_| !digits.is_empty())
                .map(|n| Value::from(if negative { -n } else { n }))
                .ok_or_else(|| {
                    invalid(
                        name,
                        "application.money",
                        format!(
                            "「{ja}」は円単位の金額で入力してください。損失は ▲ を付けます（例：▲1,200,000）。"
                        ),
                        format!(
                            "Enter \"{en}\" in yen; mark a loss with ▲ (such as ▲1,200,000)."
                        ),
                    )
                })
        }
        Kind::Yen => {
            if raw.is_empty() {
                return Ok(Value::Null);
            }
            Yen::parse(raw)
                .map(|y| Value::from(y.amount()))
                .map_err(|e| e.for_field(name))
        }
        Kind::Date => {
            if raw.is_empty() {
                return Ok(Value::Null);
            }
            Date::parse(raw, format_description!("[year]-[month]-[day]"))
                .ok()
                .and_then(|d| serde_json::to_value(d).ok())
                .ok_or_else(|| {
                    invalid(
                        name,
                        "application.date",
                        format!("「{ja}」は 2026-04-01 の形の日付で入力してください。"),
                        format!("Enter \"{en}\" as a date such as 2026-04-01."),
                    )
                })
        }
        Kind::Choice {
            options, optional, ..
        } => {
            if raw.is_empty() && optional {
                return Ok(Value::Null);
            }
            match options.iter().find(|(code, _, _)| *code == raw) {
                Some((code, _, _)) => Ok(Value::String((*code).to_owned())),
                None => Err(invalid(
                    name,
                    "application.choice",
                    format!("「{ja}」を選択肢から選んでください。"),
                    format!("Choose \"{en}\" from the list."),
                )),
            }
        }
        Kind::Codes(source) => {
            let allowed: Vec<String> = match source {
                CodeSource::Betsuhyo1Fields => taxonomy
                    .betsuhyo1_fields()
                    .map(|f| f.code.clone())
                    .collect(),
                CodeSource::Disqualifications => super::schema::disqualification_options(false)
                    .into_iter()
                    .map(|(code, _)| code)
                    .collect(),
            };
            let chosen = pairs.all(name);
            match chosen.iter().find(|c| !allowed.contains(c)) {
                Some(bad) => Err(invalid(
                    name,
                    "application.choice",
                    format!("「{ja}」に選べない値（{bad}）があります。"),
                    format!("\"{en}\" has a value that cannot be chosen ({bad})."),
                )),
                // Kept in the order of the options, whatever order the browser sent.
                None => Ok(Value::Array(
                    allowed
                        .into_iter()
                        .filter(|a| chosen.contains(a))
                        .map(Value::String)
                        .collect(),
                )),
            }
        }
        Kind::SyllabusCodes => {
            let normal = normalise_code(raw);
            let codes: Vec<&str> = normal
                .split([',', '、', ' ', '　', ';'])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            let unknown: Vec<&str> = codes
                .iter()
                .copied()
                .filter(|c| taxonomy.syllabus_item(c).is_none())
                .collect();
            if unknown.is_empty() {
                let mut unique: Vec<Value> = Vec::new();
                for c in codes {
                    let v = Value::String(c.to_owned());
                    if !unique.contains(&v) {
                        unique.push(v);
                    }
                }
                Ok(Value::Array(unique))
            } else {
                let list = unknown.join(", ");
                Err(invalid(
                    name,
                    "application.syllabus_item",
                    format!("「{ja}」の {list} は別表2の項目番号ではありません（例：1-1、3-8）。"),
                    format!(
                        "In \"{en}\", {list} is not an item number of 別表2 (such as 1-1 or 3-8)."
                    ),
                ))
            }
        }
        Kind::Riss => {
            if raw.is_empty() {
                return Ok(Value::Null);
            }
            RissNumber::parse(raw)
                .map_err(|e| e.for_field(name))
                .and_then(|n| {
                    serde_json::to_value(n).map_err(|_| {
                        invalid(
                            name,
                            "application.riss_number",
                            format!("「{ja}」を読み取れませんでした。"),
                            format!("\"{en}\" could not be read."),
                        )
                    })
                })
        }
        Kind::FiscalYear => FiscalYear::parse(raw)
            .map_err(|e| e.for_field(name))
            .map(|fy| Value::from(fy.start().year())),
    }
}

/// Full-width digits and commas as people type them in Japanese.
fn normalise_number(raw: &str) -> String {
    raw.chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
            ',' | '，' | ' ' | '　' => None,
            'ー' | '－' => Some('-'),
            c => Some(c),
        })
        .collect()
}

/// Full-width digits and dashes in item numbers (３－８), separators kept.
fn normalise_code(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            'ー' | '－' | '‐' | '−' => '-',
            c => c,
        })
        .collect()
}

/// A row the person left empty: nothing typed, nothing ticked.
fn row_is_blank(list: &List, i: usize, pairs: &Pairs) -> bool {
    list.fields.iter().all(|field| {
        let name = row_name(list, i, field.path);
        match field.kind {
            // A select always sends something; it does not make a row.
            Kind::Choice { radio: false, .. } => true,
            _ => pairs.all(&name).iter().all(|v| v.trim().is_empty()),
        }
    })
}

/// Writes what the form says into `draft` (the whole application as JSON). Every problem is
/// returned, each naming its field; `draft` is then only partly updated and must not be saved.
pub fn apply(
    section: &Section,
    pairs: &Pairs,
    draft: &mut Value,
    taxonomy: &Taxonomy,
) -> Vec<ValidationError> {
    let mut errors = missing_fields(section, pairs);
    if !errors.is_empty() {
        return errors;
    }
    for field in section.fields {
        match parse_field(field, field.path, pairs, taxonomy) {
            Ok(v) => set(draft, field.path, v),
            Err(e) => errors.push(e),
        }
    }
    for list in section.lists {
        let old = get(draft, list.path)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let rows = pairs.rows(list).unwrap_or(0);
        // The form always carries its empty rows beyond the list.
        if rows > MAX_ROWS + BLANK_ROWS {
            errors.push(invalid(
                list.path,
                "application.too_many_rows",
                format!("「{}」は{MAX_ROWS}行までです。", list.ja),
                format!("\"{}\" can have at most {MAX_ROWS} rows.", list.en),
            ));
            continue;
        }
        let mut kept = Vec::new();
        for i in 0..rows {
            if pairs.one(&row_name(list, i, "_remove")) == "true" || row_is_blank(list, i, pairs) {
                continue;
            }
            let mut row = old
                .get(i)
                .cloned()
                .unwrap_or_else(|| Value::Object(Map::new()));
            for field in list.fields {
                match parse_field(field, &row_name(list, i, field.path), pairs, taxonomy) {
                    Ok(v) => set(&mut row, field.path, v),
                    Err(e) => errors.push(e),
                }
            }
            normalise_row(list, &mut row);
            kept.push(row);
        }
        set(draft, list.path, Value::Array(kept));
    }
    normalise_supervisor(section, draft);
    errors
}

/// The copyright basis is a tagged value: only the fields of the chosen kind belong to it.
fn normalise_row(list: &List, row: &mut Value) {
    if list.path != "materials" {
        return;
    }
    let text = |key: &str| {
        get(row, &format!("copyright.{key}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let basis = match text("kind").as_str() {
        "own" => serde_json::json!({ "kind": "own" }),
        "licensed" => serde_json::json!({
            "kind": "licensed",
            "evidence_document": text("evidence_document"),
        }),
        "commercial" => serde_json::json!({
            "kind": "commercial",
            "usage": text("usage"),
            "supplement": text("supplement"),
        }),
        _ => Value::Null,
    };
    set(row, "copyright", basis);
}

/// No supervisor named and nothing said about one: there is none.
fn normalise_supervisor(section: &Section, draft: &mut Value) {
    if section.slug != "people" {
        return;
    }
    let empty = |key: &str| {
        get(draft, &format!("supervisor.{key}"))
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    };
    let any_box = get(draft, "supervisor.oversees")
        .and_then(Value::as_object)
        .is_some_and(|m| m.values().any(|v| v.as_bool() == Some(true)))
        || get(draft, "supervisor.declares_not_disqualified").and_then(Value::as_bool)
            == Some(true);
    if empty("name") && empty("practical_experience") && !any_box {
        set(draft, "supervisor", Value::Null);
    }
}

// Pairs → fields to draw.

/// One row of a list, ready to draw.
#[derive(Debug)]
pub struct Row {
    pub legend: String,
    pub fields: Vec<FormField>,
    /// The name of the row's "remove" box; empty for the new row.
    pub remove: String,
    pub remove_id: String,
}

#[derive(Debug)]
pub struct ListView {
    pub legend: String,
    pub anchor: String,
    pub rows_name: String,
    pub rows: usize,
    pub items: Vec<Row>,
}

fn form_field(
    field: &Field,
    name: &str,
    pairs: &Pairs,
    page: &PageCtx,
    taxonomy: &Taxonomy,
) -> FormField {
    let label = page.t(field.ja, field.en);
    let (kind, options): (&'static str, Vec<(String, String)>) = match field.kind {
        Kind::Text | Kind::Riss | Kind::FiscalYear | Kind::SyllabusCodes => ("text", vec![]),
        Kind::Money | Kind::Yen => ("text", vec![]),
        Kind::Textarea | Kind::Lines => ("textarea", vec![]),
        Kind::Number { .. } => ("number", vec![]),
        Kind::Check => ("checkbox", vec![]),
        Kind::Date => ("date", vec![]),
        Kind::Choice {
            options,
            optional,
            radio,
        } => {
            let mut opts: Vec<(String, String)> = Vec::new();
            if optional && !radio {
                opts.push((
                    String::new(),
                    page.t("（未選択）", "(not chosen)").to_owned(),
                ));
            }
            opts.extend(
                options
                    .iter()
                    .map(|(code, ja, en)| ((*code).to_owned(), page.t(ja, en).to_owned())),
            );
            (if radio { "radio" } else { "select" }, opts)
        }
        Kind::Codes(CodeSource::Betsuhyo1Fields) => (
            "checkboxes",
            taxonomy
                .betsuhyo1_fields()
                .map(|f| (f.code.clone(), f.label.pick(page.lang.is_en()).to_owned()))
                .collect(),
        ),
        Kind::Codes(CodeSource::Disqualifications) => (
            "checkboxes",
            super::schema::disqualification_options(page.lang.is_en()),
        ),
    };
    let mut out = FormField::new(name, label, kind)
        .value(pairs.one(name))
        .hint(page.t(field.hint_ja, field.hint_en))
        .options(options)
        .optional();
    out.selected = pairs.all(name).to_vec();
    out
}

/// The section's fields and lists as drawn from `pairs`, with `errors` on their fields.
pub fn view(
    section: &Section,
    pairs: &Pairs,
    page: &PageCtx,
    taxonomy: &Taxonomy,
    errors: &[ValidationError],
) -> (Vec<FormField>, Vec<ListView>, Vec<String>) {
    let mut fields: Vec<FormField> = section
        .fields
        .iter()
        .map(|f| form_field(f, f.path, pairs, page, taxonomy))
        .collect();
    let mut lists: Vec<ListView> = section
        .lists
        .iter()
        .map(|list| {
            let rows = pairs
                .rows(list)
                .unwrap_or(0)
                .clamp(1, MAX_ROWS + BLANK_ROWS);
            let items = (0..rows)
                .map(|i| {
                    // Empty to the end: rows to add, not rows to remove.
                    let fresh = (i..rows).all(|j| row_is_blank(list, j, pairs));
                    Row {
                        legend: if fresh {
                            if page.lang.is_en() {
                                format!("{} {} (new: fill it in to add it)", list.row_en, i + 1)
                            } else {
                                format!(
                                    "{} {}（新しい行：入力すると追加されます）",
                                    list.row_ja,
                                    i + 1
                                )
                            }
                        } else {
                            format!("{} {}", page.t(list.row_ja, list.row_en), i + 1)
                        },
                        fields: list
                            .fields
                            .iter()
                            .map(|f| {
                                form_field(f, &row_name(list, i, f.path), pairs, page, taxonomy)
                            })
                            .collect(),
                        remove: if fresh {
                            String::new()
                        } else {
                            row_name(list, i, "_remove")
                        },
                        remove_id: field_id(&row_name(list, i, "_remove")),
                    }
                })
                .collect();
            ListView {
                legend: page.t(list.ja, list.en).to_owned(),
                anchor: format!("list-{}", list.path.replace('.', "-")),
                rows_name: rows_name(list),
                rows,
                items,
            }
        })
        .collect();
    // Each error on its field; those on no field (a list's row limit) go to the top.
    let mut general = Vec::new();
    for e in errors {
        let message = page.t(&e.message_ja, &e.message_en).to_owned();
        let target = e.field.as_deref().unwrap_or("");
        let slot = fields
            .iter_mut()
            .chain(
                lists
                    .iter_mut()
                    .flat_map(|l| l.items.iter_mut().flat_map(|r| r.fields.iter_mut())),
            )
            .find(|f| f.name == target);
        match slot {
            Some(f) if f.error.is_none() => f.error = Some(message),
            Some(_) => {}
            None => general.push(message),
        }
    }
    (fields, lists, general)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::pages::applications::schema;
    use koshu_domain::designation::Application;

    fn taxonomy() -> Taxonomy {
        Taxonomy::embedded().unwrap()
    }

    fn pairs(list: &[(&str, &str)]) -> Pairs {
        Pairs::from_form(
            list.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    /// What the browser sends for `section` of an empty draft, with `changes` typed in.
    fn filled(section: &Section, changes: &[(&str, &str)]) -> Pairs {
        let empty = serde_json::to_value(Application::default()).unwrap();
        let mut form = to_pairs(section, &empty);
        for (k, v) in changes {
            form.0.insert((*k).to_owned(), vec![(*v).to_owned()]);
        }
        form
    }

    /// Issue 12 finding 7: a post that lacks fields its form always sends erased them.
    #[test]
    fn a_post_without_the_sections_fields_changes_nothing() {
        let today = Date::from_calendar_date(2026, time::Month::April, 1).unwrap();
        let app = koshu_domain::designation::fixtures::complete_application(today);
        let saved = serde_json::to_value(&app).unwrap();
        for (slug, post) in [
            ("curriculum", pairs(&[])),
            ("curriculum", pairs(&[("curriculum._rows", "-5")])),
            ("course", pairs(&[("course.name", "名前だけ")])),
        ] {
            let section = schema::section(slug).unwrap();
            let mut draft = saved.clone();
            let errors = apply(section, &post, &mut draft, &taxonomy());
            assert!(!errors.is_empty(), "{slug}: {post:?}");
            assert!(
                errors
                    .iter()
                    .all(|e| e.code == "application.form_incomplete")
            );
            assert_eq!(draft, saved, "{slug}: nothing changed");
        }
        // The form as drawn, sent back unchanged, is complete.
        let section = schema::section("course").unwrap();
        let mut draft = saved.clone();
        assert!(apply(section, &to_pairs(section, &saved), &mut draft, &taxonomy()).is_empty());
        assert_eq!(draft, saved);
    }

    #[test]
    fn every_section_round_trips_the_complete_application() {
        let today = Date::from_calendar_date(2026, time::Month::April, 1).unwrap();
        let app = koshu_domain::designation::fixtures::complete_application(today);
        let json = serde_json::to_value(&app).unwrap();
        for section in schema::SECTIONS {
            let mut draft = json.clone();
            let errors = apply(section, &to_pairs(section, &json), &mut draft, &taxonomy());
            assert!(errors.is_empty(), "{}: {errors:?}", section.slug);
            let back: Application = serde_json::from_value(draft).unwrap();
            assert_eq!(back, app, "section {}", section.slug);
        }
    }

    /// Issue 13 item 17: the form of an empty curriculum carries three empty rows, and all
    /// three filled in one save are kept.
    #[test]
    fn several_rows_are_added_in_one_save() {
        let section = schema::section("curriculum").unwrap();
        let mut changes = Vec::new();
        let titles = ["講義", "演習", "討議"];
        let names: Vec<[String; 3]> = (0..3)
            .map(|i| {
                [
                    format!("curriculum[{i}].title"),
                    format!("curriculum[{i}].minutes"),
                    format!("curriculum[{i}].method"),
                ]
            })
            .collect();
        for (i, [title, minutes, method]) in names.iter().enumerate() {
            changes.push((title.as_str(), titles[i]));
            changes.push((minutes.as_str(), "60"));
            changes.push((method.as_str(), "lecture"));
        }
        let form = filled(section, &changes);
        assert_eq!(form.one("curriculum._rows"), "3");
        let mut draft = serde_json::to_value(Application::default()).unwrap();
        let errors = apply(section, &form, &mut draft, &taxonomy());
        assert!(errors.is_empty(), "{errors:?}");
        let app: Application = serde_json::from_value(draft).unwrap();
        let kept: Vec<&str> = app.curriculum.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(kept, titles);
        // Saved, the form draws them with three more empty rows.
        let again = to_pairs(section, &serde_json::to_value(&app).unwrap());
        assert_eq!(again.one("curriculum._rows"), "6");
    }

    #[test]
    fn curriculum_rows_are_added_removed_and_checked() {
        let section = schema::section("curriculum").unwrap();
        let mut draft = serde_json::to_value(Application::default()).unwrap();
        let form = pairs(&[
            ("curriculum._rows", "3"),
            ("curriculum[0].title", "インシデント対応演習"),
            ("curriculum[0].minutes", "１８０"),
            ("curriculum[0].method", "simulated_exercise"),
            ("curriculum[0].syllabus_items", "3-1、3-8"),
            ("curriculum[0].opportunities.try_in_practice", "true"),
            ("curriculum[1].title", "消す項目"),
            ("curriculum[1].method", "lecture"),
            ("curriculum[1]._remove", "true"),
            ("curriculum[2].method", "lecture"),
        ]);
        let errors = apply(section, &form, &mut draft, &taxonomy());
        assert!(errors.is_empty(), "{errors:?}");
        let app: Application = serde_json::from_value(draft).unwrap();
        assert_eq!(
            app.curriculum.len(),
            1,
            "the removed and the empty row are gone"
        );
        let item = &app.curriculum[0];
        assert_eq!(item.minutes, 180);
        assert_eq!(item.syllabus_items, ["3-1", "3-8"]);
        assert!(item.opportunities.try_in_practice);

        let bad = pairs(&[
            ("curriculum._rows", "1"),
            ("curriculum[0].title", "x"),
            ("curriculum[0].minutes", "九十"),
            ("curriculum[0].method", "lecture"),
            ("curriculum[0].syllabus_items", "3-1, 9-9"),
        ]);
        let mut draft = serde_json::to_value(Application::default()).unwrap();
        let errors = apply(section, &bad, &mut draft, &taxonomy());
        let fields: Vec<_> = errors.iter().map(|e| e.field.clone().unwrap()).collect();
        assert_eq!(
            fields,
            ["curriculum[0].minutes", "curriculum[0].syllabus_items"]
        );
        assert!(errors[1].message_ja.contains("9-9"));
    }

    /// Issue 12 finding 8: rows of 4294967295 and 361 minutes once showed 合計 6時間00分.
    #[test]
    fn an_item_longer_than_its_bound_is_refused_naming_the_row() {
        let section = schema::section("curriculum").unwrap();
        let max = koshu_domain::designation::application::CurriculumItem::MAX_MINUTES;
        let form = |first: &str| {
            pairs(&[
                ("curriculum._rows", "2"),
                ("curriculum[0].title", "演習"),
                ("curriculum[0].minutes", first),
                ("curriculum[0].method", "lecture"),
                ("curriculum[1].title", "講義"),
                ("curriculum[1].minutes", "361"),
                ("curriculum[1].method", "lecture"),
            ])
        };
        for too_long in ["4294967295", &(max + 1).to_string()] {
            let mut draft = serde_json::to_value(Application::default()).unwrap();
            let errors = apply(section, &form(too_long), &mut draft, &taxonomy());
            assert_eq!(errors.len(), 1, "{too_long}: {errors:?}");
            assert_eq!(errors[0].field.as_deref(), Some("curriculum[0].minutes"));
            assert_eq!(errors[0].code, "application.number_range");
            assert!(errors[0].message_ja.contains(&max.to_string()));
        }
        let mut draft = serde_json::to_value(Application::default()).unwrap();
        let errors = apply(section, &form(&max.to_string()), &mut draft, &taxonomy());
        assert!(errors.is_empty(), "{errors:?}");
        let app: Application = serde_json::from_value(draft).unwrap();
        assert_eq!(app.total_minutes(), u64::from(max) + 361);
    }

    #[test]
    fn losses_are_read_with_the_triangle_and_dates_and_numbers_are_checked() {
        let section = schema::section("provider").unwrap();
        let mut draft = serde_json::to_value(Application::default()).unwrap();
        let form = filled(
            section,
            &[
                ("provider.business_started_on", "2010-04-01"),
                ("provider.net_income._rows", "2"),
                ("provider.net_income[0].fiscal_year", "2024年度"),
                ("provider.net_income[0].net_income", "▲1,200,000"),
                ("provider.net_income[1].fiscal_year", "2025"),
                ("provider.net_income[1].net_income", "300,000円"),
            ],
        );
        assert!(apply(section, &form, &mut draft, &taxonomy()).is_empty());
        let app: Application = serde_json::from_value(draft).unwrap();
        assert_eq!(app.provider.net_income[0].net_income.0, -1_200_000);
        assert_eq!(app.provider.net_income[1].net_income.0, 300_000);

        let bad = filled(
            section,
            &[
                ("provider.business_started_on", "2010/13/01"),
                ("provider.net_income._rows", "1"),
                ("provider.net_income[0].fiscal_year", "昨年"),
                ("provider.net_income[0].net_income", "たくさん"),
            ],
        );
        let mut draft = serde_json::to_value(Application::default()).unwrap();
        let codes: Vec<_> = apply(section, &bad, &mut draft, &taxonomy())
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(codes.len(), 3, "{codes:?}");
        assert_eq!(codes[0], "application.date");
        assert_eq!(codes[2], "application.money");
    }

    #[test]
    fn a_one_line_field_refuses_line_breaks_a_text_area_keeps_them() {
        let section = schema::section("course").unwrap();
        let mut draft = serde_json::to_value(Application::default()).unwrap();
        let form = filled(
            section,
            &[("course.name", "実践\n演習"), ("course.goals", "一\n二")],
        );
        let errors = apply(section, &form, &mut draft, &taxonomy());
        let of = |field: &str| {
            errors
                .iter()
                .filter(|e| e.field.as_deref() == Some(field))
                .map(|e| e.code)
                .collect::<Vec<_>>()
        };
        assert_eq!(of("course.name"), ["text.control_character"]);
        assert!(of("course.goals").is_empty(), "{errors:?}");
    }
}

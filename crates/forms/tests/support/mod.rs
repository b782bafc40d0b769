//! Shared by the integration tests: an exported workbook, where its cells are, and editing them
//! the way a person would; the text pdftotext reads from a PDF.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::io::{Cursor, Read, Write};

use calamine::{Data, Reader, Xlsx};
use koshu_domain::designation::{Application, RuleContext, evaluate, fixtures};
use koshu_domain::taxonomy::Taxonomy;
use time::macros::date;

pub fn complete() -> Application {
    fixtures::complete_application(date!(2026 - 04 - 01))
}

pub fn export(app: &Application) -> Vec<u8> {
    let taxonomy = Taxonomy::embedded().unwrap();
    let ctx = RuleContext {
        taxonomy: &taxonomy,
        today: date!(2026 - 04 - 01),
        revocations: &[],
        documents: &koshu_domain::designation::DocumentKind::ALL,
    };
    let checks = evaluate(app, &ctx);
    koshu_forms::export::workbook(app, &checks, &taxonomy).unwrap()
}

fn name(row: u32, col: u32) -> String {
    let letter = char::from(b'A' + u8::try_from(col).unwrap());
    format!("{letter}{}", row + 1)
}

fn key_at(range: &calamine::Range<Data>, row: u32) -> String {
    match range.get_value((row, 0)) {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    }
}

/// The value cell of the labelled row `key`: `"C12"`.
pub fn scalar_cell(xlsx: &[u8], sheet: &str, key: &str) -> String {
    let mut wb = Xlsx::new(Cursor::new(xlsx)).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    let row = (0..range.height() as u32)
        .find(|r| key_at(&range, *r) == key)
        .unwrap_or_else(|| panic!("no row {key}"));
    name(row, 2)
}

/// The cell of `field` in the entry keyed `entry` (`curriculum[1]`) of table `list`.
pub fn entry_cell(xlsx: &[u8], sheet: &str, list: &str, entry: &str, field: &str) -> String {
    let mut wb = Xlsx::new(Cursor::new(xlsx)).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    let rows = 0..range.height() as u32;
    let fields_row = rows
        .clone()
        .find(|r| key_at(&range, *r) == format!("fields:{list}"))
        .unwrap();
    let col = (1..range.width() as u32)
        .find(|c| range.get_value((fields_row, *c)) == Some(&Data::String(field.to_owned())))
        .unwrap();
    let row = rows.clone().find(|r| key_at(&range, *r) == entry).unwrap();
    name(row, col)
}

/// The workbook with the given cells of sheet number `sheet` (1-based, in export order) set to
/// text, as a person typing into them would leave it.
pub fn edit(xlsx: &[u8], sheet: usize, cells: &[(&str, &str)]) -> Vec<u8> {
    edit_file(
        xlsx,
        &format!("xl/worksheets/sheet{sheet}.xml"),
        |mut xml| {
            for (cell, text) in cells {
                xml = set_inline(&xml, cell, text);
            }
            xml
        },
    )
}

/// The workbook with the XML file `path` changed by `change`.
pub fn edit_file(xlsx: &[u8], path: &str, change: impl FnOnce(String) -> String) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut change = Some(change);
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let name = file.name().unwrap().into_owned();
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        if name == path
            && let Some(change) = change.take()
        {
            content = change(String::from_utf8(content).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&content).unwrap();
    }
    assert!(change.is_none(), "no {path} in the workbook");
    out.finish().unwrap().into_inner()
}

fn set_inline(xml: &str, cell: &str, text: &str) -> String {
    let start = xml
        .find(&format!("<c r=\"{cell}\""))
        .unwrap_or_else(|| panic!("no cell {cell}"));
    let open_end = start + xml[start..].find('>').unwrap();
    let end = if xml[..open_end].ends_with('/') {
        open_end + 1
    } else {
        start + xml[start..].find("</c>").unwrap() + 4
    };
    format!(
        "{}<c r=\"{cell}\" t=\"inlineStr\"><is><t>{text}</t></is></c>{}",
        &xml[..start],
        &xml[end..]
    )
}

/// The text pdftotext reads from `pdf` (build.rs found the tool; a failure here is a failure).
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// What Python prints running `script` on `bytes` saved as `name` (its first argument).
pub fn python_on(script: &str, bytes: &[u8], name: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .env("PYTHONIOENCODING", "utf-8")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

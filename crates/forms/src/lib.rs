//! 様式 documents: an application (様式第1号 総括票, 様式第2号 個票 with the instructors' and
//! supervisor's CVs, and the two checklists) as an Excel workbook and as a PDF, and a filled
//! workbook back into an application.
//!
//! - [`export::workbook`] writes one `.xlsx`; [`import::workbook`] reads it back, after a
//!   person has filled it, into an [`Application`](koshu_domain::designation::Application),
//!   or returns every problem as an [`import::ImportError`] (sheet, cell, field path, code).
//! - [`pdf::application`] writes an A4 PDF with the same content, in IPAexGothic.
//! - [`certificate`] makes what a learner takes away from a completion: the certificate PDF,
//!   badge images, and Open Badges baking of the credential into them.
//!
//! # The workbook
//!
//! | sheet | content |
//! |---|---|
//! | 様式第1号（総括票） | the provider: organisation and 法人番号, consortium members, responsible persons and desks (B24), personal-data protection (B25), business start, net income per 年度, the course's 開講実績, 欠格事由 declarations |
//! | 様式第2号（個票） | the course: description, persona, fields, goals, delivery, assessment, certificate, survey, substitutes and assistants, plan ①〜⑦, emergencies, facilities, outsourcing, attendance controls, reporting, enrolment, accessibility |
//! | カリキュラム | one row per curriculum item |
//! | 講師・監修者 | one row per instructor (substitutes marked in 区分) and one for the supervisor |
//! | 教材 | one row per material |
//! | チェックリスト（総括表） / （個票） | each rule with its clause, title, automatic verdict (適合／不適合／要審査) and what to fix or judge; output only |
//!
//! Column A is hidden and holds each row's key, which is what the importer goes by:
//! - a field path (`course.name`, `provider.organisation.corporate_number`): a labelled row,
//!   label in B, value in C, notes and choices in D;
//! - `fields:LIST` (`fields:curriculum`): a hidden row naming the field of each column of the
//!   table below it (an empty name marks a column shown only to people, such as 別表2 labels);
//!   the visible header row (`header`) follows, then one row per entry keyed `LIST[i]`;
//! - `title`, `header`, `section`: for people only.
//!
//! A row a person inserts inside a table has no key and is read as an entry of that table;
//! an entry with every cell empty is skipped. Values are written as people read them
//! (labels, はい／いいえ, ○, dates shown as 2026年4月1日 but stored as Excel dates, amounts as
//! numbers) and read back from those or from other common spellings (see [`import`]).
//!
//! Each rule goes on the checklist of the form that holds the facts it reads: B21–B26 and B28
//! (the provider's facts and the 開講実績 in 様式第1号) on the 総括表, every other rule on the 個票,
//! including B15, B27, B29 and B30, which the guideline files under 3-2(8) but which differ
//! from course to course.

pub mod archive;
pub mod calendar;
pub mod catalogue;
pub mod certificate;
pub mod csv;
pub mod export;
mod form;
pub mod import;
mod labels;
pub mod notice;
pub mod participants;
pub mod pdf;
pub mod report;
pub mod table;

use time::Date;

/// What can go wrong making a workbook, a PDF or a badge image, or reading a credential out of
/// an image. Building from a valid application fails only on values no form can hold (a text
/// longer than Excel's 32,767 characters, a year before 0); a certificate, only on an address
/// too long for a QR code; reading an image, on a damaged or malformed file.
#[derive(Debug, thiserror::Error)]
pub enum FormsError {
    #[error("Excel: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("PDF: {0}")]
    Pdf(String),
    #[error("the date {0} cannot be written to Excel")]
    Date(Date),
    #[error("a table has more columns than a sheet can hold")]
    TooManyColumns,
    #[error("QR code: {0}")]
    QrCode(String),
    /// Not a PNG, damaged (a chunk's CRC), or its baked credential malformed.
    #[error("PNG: {0}")]
    Png(String),
    /// No `<svg>` root, or markup left unterminated.
    #[error("SVG: {0}")]
    Svg(String),
    #[error("zip: {0}")]
    Zip(String),
}

/// The keys in hidden column A that are not field paths.
mod keys {
    /// The sheet's title row.
    pub(crate) const TITLE: &str = "title";
    /// A row of visible column headers.
    pub(crate) const HEADER: &str = "header";
    /// A section heading.
    pub(crate) const SECTION: &str = "section";
    /// Prefix of the hidden row that names the fields of a table's columns: `fields:curriculum`.
    pub(crate) const FIELDS: &str = "fields:";
}

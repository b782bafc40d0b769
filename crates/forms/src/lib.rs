//! 様式 documents: an application (様式第1号 総括票, 様式第2号 個票 with the instructors' and
//! supervisor's CVs, and the two checklists) as an Excel workbook and as a PDF, and a filled
//! workbook back into an application.

pub mod export;
mod form;
pub mod import;
mod labels;
pub mod pdf;

use time::Date;

/// What can go wrong making a workbook or a PDF. Building from a valid application fails only
/// on values no form can hold (a text longer than Excel's 32,767 characters, a year before 0).
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

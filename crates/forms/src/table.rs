//! A list people keep in Excel (a session's roster) as a workbook of one sheet: a bold header
//! row, frozen, each column as wide as its longest value, text cells as text (a 登録番号 keeps
//! its leading zeros).

use rust_xlsxwriter::{DocProperties, Format, Workbook};

use crate::FormsError;

/// The sheet `name` with `header` and `rows`.
pub fn workbook(name: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, FormsError> {
    let mut wb = Workbook::new();
    wb.set_properties(&DocProperties::new().set_title(name));
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (c, h) in header.iter().enumerate() {
        let col = u16::try_from(c).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, col, *h, &bold)?;
        let widest = rows
            .iter()
            .filter_map(|r| r.get(c))
            .map(|v| width(v))
            .chain([width(h)])
            .max()
            .unwrap_or(8);
        ws.set_column_width(
            col,
            f64::from(u32::try_from(widest).unwrap_or(60).min(60)) + 2.0,
        )?;
    }
    for (r, row) in rows.iter().enumerate() {
        let line = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            ws.write_string_with_format(line, u16::try_from(c).unwrap_or(u16::MAX), v, &text)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(wb.save_to_buffer()?)
}

/// Columns as Excel counts them: a full-width character takes two.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};

    #[test]
    fn a_roster_reads_back_cell_for_cell_with_leading_zeros() {
        let rows = vec![vec![
            "1".to_owned(),
            "情報 太郎".to_owned(),
            "012345".to_owned(),
        ]];
        let bytes =
            workbook("受講者名簿", &["申込順", "氏名", "登録番号"], &rows).unwrap_or_default();
        let mut xlsx: Xlsx<_> =
            Xlsx::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
        let range = xlsx
            .worksheet_range("受講者名簿")
            .unwrap_or_else(|e| panic!("{e}"));
        let cells: Vec<String> = range
            .rows()
            .nth(1)
            .unwrap_or(&[])
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(cells, ["1", "情報 太郎", "012345"]);
    }
}

//! Lists people keep in Excel (a session's roster, the registry's counts) as workbooks: each
//! sheet a bold header row, frozen, each column as wide as its longest value, text cells as
//! text (a 登録番号 keeps its leading zeros) and counts as numbers (so that they add up).

use rust_xlsxwriter::{DocProperties, Format, Workbook};

use crate::FormsError;

/// One sheet: its name, header row and rows; the columns listed in `numbers` hold counts.
#[derive(Debug, Clone, Copy)]
pub struct Sheet<'a> {
    pub name: &'a str,
    pub header: &'a [&'a str],
    pub rows: &'a [Vec<String>],
    pub numbers: &'a [usize],
}

/// The sheet `name` with `header` and `rows`, every cell text.
pub fn workbook(name: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, FormsError> {
    workbook_of(
        name,
        &[Sheet {
            name,
            header,
            rows,
            numbers: &[],
        }],
    )
}

/// A workbook titled `title` with `sheets` in order.
pub fn workbook_of(title: &str, sheets: &[Sheet<'_>]) -> Result<Vec<u8>, FormsError> {
    let mut wb = Workbook::new();
    wb.set_properties(&DocProperties::new().set_title(title));
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sheet.name)?;
        for (c, h) in sheet.header.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string_with_format(0, col, *h, &bold)?;
            let widest = sheet
                .rows
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
        for (r, row) in sheet.rows.iter().enumerate() {
            let line = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, v) in row.iter().enumerate() {
                let col = u16::try_from(c).unwrap_or(u16::MAX);
                match v.parse::<f64>() {
                    Ok(n) if sheet.numbers.contains(&c) => ws.write_number(line, col, n)?,
                    _ => ws.write_string_with_format(line, col, v, &text)?,
                };
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// Columns as Excel counts them: a full-width character takes two.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

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

    #[test]
    fn sheets_keep_their_order_and_counts_are_numbers() {
        let outlook = vec![vec!["順調".to_owned(), "3".to_owned(), "60.0".to_owned()]];
        let months = vec![vec!["2026年4月".to_owned(), "2".to_owned()]];
        let bytes = workbook_of(
            "集計",
            &[
                Sheet {
                    name: "見通し別",
                    header: &["見通し", "人数", "割合（%）"],
                    rows: &outlook,
                    numbers: &[1, 2],
                },
                Sheet {
                    name: "月別",
                    header: &["月", "件数"],
                    rows: &months,
                    numbers: &[1],
                },
            ],
        )
        .unwrap_or_default();
        let mut xlsx: Xlsx<_> =
            Xlsx::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(xlsx.sheet_names(), ["見通し別", "月別"]);
        let range = xlsx
            .worksheet_range("見通し別")
            .unwrap_or_else(|e| panic!("{e}"));
        let row = range.rows().nth(1).unwrap_or(&[]);
        assert_eq!(row[0], Data::String("順調".to_owned()));
        assert_eq!(row[1], Data::Float(3.0));
        assert_eq!(row[2], Data::Float(60.0));
        let range = xlsx
            .worksheet_range("月別")
            .unwrap_or_else(|e| panic!("{e}"));
        let row = range.rows().nth(1).unwrap_or(&[]);
        assert_eq!(row[0], Data::String("2026年4月".to_owned()));
        assert_eq!(row[1], Data::Float(2.0));
    }
}

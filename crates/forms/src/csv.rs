//! CSV as Excel in Japan opens it: UTF-8 with a byte order mark (without it Excel reads the
//! Japanese as Shift_JIS), RFC 4180 quoting, and formulas defused.

use std::borrow::Cow;

/// Put first in a CSV file, so that Excel reads it as UTF-8.
pub const BOM: &str = "\u{feff}";

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, with
/// quotes doubled. A field that a spreadsheet would run as a formula (starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) gets a leading apostrophe, so that an imported title
/// can never execute in the reader's spreadsheet; the JSON Lines export keeps every value as is.
pub fn csv_field(value: &str) -> Cow<'_, str> {
    let guarded: Cow<'_, str> = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", guarded.replace('"', "\"\"")))
    } else {
        guarded
    }
}

/// One CSV record, with the CRLF line end RFC 4180 prescribes.
pub fn csv_record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_fields_are_left_alone() {
        assert_eq!(csv_field("CYDER Aコース"), "CYDER Aコース");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted() {
        assert_eq!(
            csv_field("演習、初級, 中級"),
            "\"演習、初級, 中級\"",
            "an ASCII comma needs quotes; 、 does not"
        );
        assert_eq!(
            csv_field("「実践」\"ハンズオン\""),
            "\"「実践」\"\"ハンズオン\"\"\""
        );
        assert_eq!(csv_field("一行目\n二行目"), "\"一行目\n二行目\"");
        assert_eq!(csv_field("a\r\nb"), "\"a\r\nb\"");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("-1"), "'-1");
        assert_eq!(csv_field("2026-04-01"), "2026-04-01");
    }

    #[test]
    fn records_end_with_crlf() {
        assert_eq!(csv_record(&["a", "b,c", "d"]), "a,\"b,c\",d\r\n");
    }

    #[test]
    fn a_record_reads_back_with_a_csv_parser() {
        // A minimal RFC 4180 reader, independent of the writer above.
        fn parse(line: &str) -> Vec<String> {
            let mut fields = vec![String::new()];
            let mut quoted = false;
            let mut chars = line.trim_end_matches("\r\n").chars().peekable();
            while let Some(c) = chars.next() {
                match (c, quoted) {
                    ('"', true) if chars.peek() == Some(&'"') => {
                        chars.next();
                        fields.last_mut().unwrap().push('"');
                    }
                    ('"', _) => quoted = !quoted,
                    (',', false) => fields.push(String::new()),
                    (c, _) => fields.last_mut().unwrap().push(c),
                }
            }
            fields
        }
        let values = ["x", "講座, \"入門\"", "改行\nあり", ""];
        assert_eq!(parse(&csv_record(&values)), values);
    }
}

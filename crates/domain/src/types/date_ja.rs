//! How dates are shown to and read from users. Every date the web layer shows goes through here.

use time::{Date, Month, Weekday};

use super::normalize::{all_ascii_digits, half_width_trimmed};
use crate::error::ValidationError;

/// `2026年4月1日`
pub fn date_ja(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day())
}

/// `令和8年4月1日`, `令和元年5月1日`, `平成31年4月30日`: the era date (令和 from 2019-05-01, 平成
/// from 1989-01-08), as Japanese forms and IPA's tables also give it. Earlier days: 西暦.
pub fn date_wareki(d: Date) -> String {
    let (era, first_year) = if d >= time::macros::date!(2019 - 05 - 01) {
        ("令和", 2019)
    } else if d >= time::macros::date!(1989 - 01 - 08) {
        ("平成", 1989)
    } else {
        return date_ja(d);
    };
    let year = match d.year() - first_year + 1 {
        1 => "元".to_owned(),
        n => n.to_string(),
    };
    format!("{era}{year}年{}月{}日", u8::from(d.month()), d.day())
}

/// `1 April 2026`
pub fn date_en(d: Date) -> String {
    format!("{} {} {}", d.day(), d.month(), d.year())
}

/// The one-character Japanese weekday: `月`, `火`, `水`, `木`, `金`, `土`, `日`.
pub fn weekday_ja(d: Date) -> &'static str {
    match d.weekday() {
        Weekday::Monday => "月",
        Weekday::Tuesday => "火",
        Weekday::Wednesday => "水",
        Weekday::Thursday => "木",
        Weekday::Friday => "金",
        Weekday::Saturday => "土",
        Weekday::Sunday => "日",
    }
}

/// `2026年4月1日（水）` (full-width parentheses).
pub fn date_ja_with_weekday(d: Date) -> String {
    format!("{}（{}）", date_ja(d), weekday_ja(d))
}

/// Reads `2026-04-01`, `2026/4/1` or `2026年4月1日` (full-width digits and surrounding whitespace
/// accepted; the year has four digits, month and day one or two).
///
/// Errors: `date.format` (not one of these shapes), `date.invalid` (no such day, e.g. 2026-02-30).
pub fn parse_date(input: &str) -> Result<Date, ValidationError> {
    let s = half_width_trimmed(input);
    let (y, m, d) = split_date(&s).ok_or_else(format_error)?;
    let ok = y.len() == 4
        && (1..=2).contains(&m.len())
        && (1..=2).contains(&d.len())
        && [y, m, d].iter().all(|p| all_ascii_digits(p));
    if !ok {
        return Err(format_error());
    }
    let year: i32 = y.parse().map_err(|_| format_error())?;
    let month: u8 = m.parse().map_err(|_| format_error())?;
    let day: u8 = d.parse().map_err(|_| format_error())?;
    let month = Month::try_from(month).map_err(|_| invalid_error(&s))?;
    Date::from_calendar_date(year, month, day).map_err(|_| invalid_error(&s))
}

/// Splits into (year, month, day) text by the `-`, `/` or `年月日` shape.
fn split_date(s: &str) -> Option<(&str, &str, &str)> {
    if let Some(rest) = s.strip_suffix('日') {
        let (y, rest) = rest.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        return Some((y.trim(), m.trim(), d.trim()));
    }
    for sep in ['-', '/'] {
        let mut parts = s.split(sep);
        if let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        {
            return Some((y, m, d));
        }
    }
    None
}

fn format_error() -> ValidationError {
    ValidationError::new(
        "date.format",
        "日付の形式が正しくありません。「2026-04-01」「2026/4/1」「2026年4月1日」のように年（4桁）・月・日を入力してください。",
        "The date is not in a recognised format. Please enter the year (four digits), month and day, such as 2026-04-01, 2026/4/1 or 2026年4月1日.",
    )
}

fn invalid_error(input: &str) -> ValidationError {
    ValidationError::new(
        "date.invalid",
        format!("「{input}」という日付は存在しません。月と日を確認してください。"),
        format!("There is no such date as \"{input}\". Please check the month and day."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn formats() {
        let d = date!(2026 - 04 - 01);
        assert_eq!(date_ja(d), "2026年4月1日");
        assert_eq!(date_en(d), "1 April 2026");
        assert_eq!(weekday_ja(d), "水");
        assert_eq!(date_ja_with_weekday(d), "2026年4月1日（水）");
        assert_eq!(date_ja(date!(2026 - 12 - 31)), "2026年12月31日");
        assert_eq!(date_wareki(date!(2026 - 04 - 01)), "令和8年4月1日");
        assert_eq!(date_wareki(date!(2019 - 05 - 01)), "令和元年5月1日");
        assert_eq!(date_wareki(date!(2019 - 04 - 30)), "平成31年4月30日");
        assert_eq!(date_wareki(date!(1989 - 01 - 08)), "平成元年1月8日");
        assert_eq!(date_en(date!(2026 - 12 - 31)), "31 December 2026");
        let week: Vec<&str> = (0..7)
            .map(|i| weekday_ja(date!(2026 - 03 - 30) + time::Duration::days(i)))
            .collect();
        assert_eq!(week, ["月", "火", "水", "木", "金", "土", "日"]);
    }

    #[test]
    fn parses_accepted_forms() {
        let d = date!(2026 - 04 - 01);
        for input in [
            "2026-04-01",
            "2026-4-1",
            "2026/4/1",
            "2026/04/01",
            "2026年4月1日",
            "2026年04月01日",
            "2026年 4月 1日",
            "２０２６年４月１日",
            "２０２６／４／１",
            "  2026-04-01\n",
        ] {
            assert_eq!(parse_date(input).unwrap(), d, "{input}");
        }
        assert_eq!(parse_date("2028-02-29").unwrap(), date!(2028 - 02 - 29));
    }

    #[test]
    fn rejects_bad_shapes_with_format() {
        for input in [
            "",
            "2026",
            "2026-04",
            "2026-04-01-01",
            "26-04-01",
            "02026-04-01",
            "2026-004-01",
            "2026-04-001",
            "2026/04-01",
            "2026.04.01",
            "20260401",
            "2026年4月1",
            "2026年4月日",
            "令和8年4月1日",
            "April 1, 2026",
            "2026-0a-01",
            "-2026-04-01",
            "2026-+4-01",
        ] {
            assert_eq!(
                parse_date(input).unwrap_err().code,
                "date.format",
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_nonexistent_days_with_invalid() {
        for input in [
            "2026-02-30",
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-04-00",
            "2026年2月30日",
        ] {
            let e = parse_date(input).unwrap_err();
            assert_eq!(e.code, "date.invalid", "{input}");
        }
        assert!(
            parse_date("2026-02-30")
                .unwrap_err()
                .message_ja
                .contains("2026-02-30")
        );
    }

    proptest! {
        #[test]
        fn display_forms_round_trip(days in 0i32..(366 * 500)) {
            let d = date!(1900 - 01 - 01) + time::Duration::days(i64::from(days));
            prop_assert_eq!(parse_date(&date_ja(d)).unwrap(), d);
            prop_assert_eq!(parse_date(&d.to_string()).unwrap(), d);
            prop_assert!(date_ja_with_weekday(d).starts_with(&date_ja(d)));
        }
    }
}

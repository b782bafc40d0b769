//! 年度: the Japanese fiscal year, 1 April to 31 March of the next calendar year.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month};

use super::normalize::{all_ascii_digits, half_width_trimmed};
use crate::error::ValidationError;

/// A fiscal year (年度) named by the calendar year in which it starts: 2026年度 runs from
/// 2026-04-01 to 2027-03-31. Always within [`FiscalYear::MIN_YEAR`]..=[`FiscalYear::MAX_YEAR`].
///
/// Displays as `2026年度`; [`FiscalYear::en`] gives `FY2026`, [`FiscalYear::wareki`] `令和8年度`.
/// Serializes as the integer year; deserializes from an integer or any string `parse` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalYear(i32);

/// First fiscal year of 令和 (令和元年度).
const REIWA_START: i32 = 2019;
/// First fiscal year of 平成 (平成元年度).
const HEISEI_START: i32 = 1989;

impl FiscalYear {
    /// 平成元年度.
    pub const MIN_YEAR: i32 = 1989;
    pub const MAX_YEAR: i32 = 2200;

    /// Error: `fiscal_year.range` outside 1989..=2200.
    pub fn new(year: i32) -> Result<Self, ValidationError> {
        if (Self::MIN_YEAR..=Self::MAX_YEAR).contains(&year) {
            Ok(Self(year))
        } else {
            Err(range_error())
        }
    }

    /// The fiscal year containing `date`: 2027-03-31 → 2026年度, 2026-04-01 → 2026年度.
    ///
    /// Error: `fiscal_year.range` for dates outside 1989-04-01..=2201-03-31.
    pub fn of(date: Date) -> Result<Self, ValidationError> {
        let year = if date.month() >= Month::April {
            date.year()
        } else {
            date.year() - 1
        };
        Self::new(year)
    }

    /// Parses `2026`, `2026年度`, `FY2026` (also `FY 2026`, `fy2026`), `令和8年度`, `令和元年度` and
    /// `平成30年度` (`年度` optional); full-width characters accepted.
    ///
    /// Errors: `fiscal_year.format`, `fiscal_year.range`.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = half_width_trimmed(input);
        let (body, had_suffix) = match s.strip_suffix("年度") {
            Some(body) => (body.trim_end(), true),
            None => (s.as_str(), false),
        };
        if let Some(n) = body.strip_prefix("令和") {
            return Self::new(era_year(n.trim(), REIWA_START, None)?);
        }
        if let Some(n) = body.strip_prefix("平成") {
            // 平成31年度 (= 令和元年度, FY2019) is still in common use.
            return Self::new(era_year(n.trim(), HEISEI_START, Some(31))?);
        }
        let has_fy = body.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("fy"));
        let digits = match body.get(2..) {
            Some(_) if has_fy && had_suffix => return Err(format_error()),
            Some(n) if has_fy => n.trim_start(),
            _ => body,
        };
        if !all_ascii_digits(digits) {
            return Err(format_error());
        }
        // All digits: a failure here is a number too large to be a year.
        let year: i32 = digits.parse().map_err(|_| range_error())?;
        Self::new(year)
    }

    /// The calendar year in which this fiscal year starts.
    pub const fn year(self) -> i32 {
        self.0
    }

    /// 1 April of [`FiscalYear::year`].
    pub fn start(self) -> Date {
        // Cannot fail: the year is within 1989..=2200.
        Date::from_calendar_date(self.0, Month::April, 1).unwrap_or(Date::MIN)
    }

    /// 31 March of the following calendar year (inclusive end).
    pub fn end(self) -> Date {
        // Cannot fail: the year is within 1989..=2200.
        Date::from_calendar_date(self.0 + 1, Month::March, 31).unwrap_or(Date::MAX)
    }

    pub fn contains(self, date: Date) -> bool {
        self.start() <= date && date <= self.end()
    }

    /// Error: `fiscal_year.range` after 2200年度.
    pub fn next(self) -> Result<Self, ValidationError> {
        Self::new(self.0 + 1)
    }

    /// Error: `fiscal_year.range` before 1989年度.
    pub fn prev(self) -> Result<Self, ValidationError> {
        Self::new(self.0 - 1)
    }

    /// `2026年度` (same as `Display`).
    pub fn ja(self) -> String {
        format!("{}年度", self.0)
    }

    /// `FY2026`
    pub fn en(self) -> String {
        format!("FY{}", self.0)
    }

    /// `令和8年度`, `令和元年度`, `平成30年度`, `平成元年度`.
    pub fn wareki(self) -> String {
        let (era, start) = if self.0 >= REIWA_START {
            ("令和", REIWA_START)
        } else {
            ("平成", HEISEI_START)
        };
        match self.0 - start + 1 {
            1 => format!("{era}元年度"),
            n => format!("{era}{n}年度"),
        }
    }
}

/// `元` or a positive number of at most 3 digits, turned into the Gregorian year.
fn era_year(n: &str, era_start: i32, last: Option<i32>) -> Result<i32, ValidationError> {
    let n = if n == "元" {
        1
    } else if all_ascii_digits(n) && n.len() <= 3 {
        n.parse::<i32>().map_err(|_| format_error())?
    } else {
        return Err(format_error());
    };
    if n == 0 {
        return Err(format_error());
    }
    if last.is_some_and(|last| n > last) {
        return Err(range_error());
    }
    Ok(era_start + n - 1)
}

fn format_error() -> ValidationError {
    ValidationError::new(
        "fiscal_year.format",
        "年度の形式が正しくありません。「2026」「2026年度」「FY2026」「令和8年度」のように入力してください。",
        "The fiscal year is not in a recognised format. Please enter it like 2026, 2026年度, FY2026 or 令和8年度.",
    )
}

fn range_error() -> ValidationError {
    ValidationError::new(
        "fiscal_year.range",
        "年度は1989年度（平成元年度）から2200年度までの範囲で入力してください。",
        "The fiscal year must be between FY1989 and FY2200.",
    )
}

impl FromStr for FiscalYear {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}年度", self.0)
    }
}

impl Serialize for FiscalYear {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i32(self.0)
    }
}

impl<'de> Deserialize<'de> for FiscalYear {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FiscalYearVisitor)
    }
}

struct FiscalYearVisitor;

impl Visitor<'_> for FiscalYearVisitor {
    type Value = FiscalYear;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a fiscal year such as 2026 or \"令和8年度\"")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FiscalYear, E> {
        let year = i32::try_from(v).map_err(|_| E::custom(range_error()))?;
        FiscalYear::new(year).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FiscalYear, E> {
        let year = i32::try_from(v).map_err(|_| E::custom(range_error()))?;
        FiscalYear::new(year).map_err(E::custom)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<FiscalYear, E> {
        FiscalYear::parse(v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn fy(y: i32) -> FiscalYear {
        FiscalYear::new(y).unwrap()
    }

    #[test]
    fn of_follows_april_to_march() {
        assert_eq!(FiscalYear::of(date!(2027 - 03 - 31)).unwrap(), fy(2026));
        assert_eq!(FiscalYear::of(date!(2026 - 04 - 01)).unwrap(), fy(2026));
        assert_eq!(FiscalYear::of(date!(2026 - 03 - 31)).unwrap(), fy(2025));
        assert_eq!(FiscalYear::of(date!(2026 - 12 - 31)).unwrap(), fy(2026));
        assert_eq!(FiscalYear::of(date!(2027 - 01 - 01)).unwrap(), fy(2026));
        assert_eq!(FiscalYear::of(date!(1989 - 04 - 01)).unwrap(), fy(1989));
        assert_eq!(FiscalYear::of(date!(2201 - 03 - 31)).unwrap(), fy(2200));
        assert_eq!(
            FiscalYear::of(date!(1989 - 03 - 31)).unwrap_err().code,
            "fiscal_year.range"
        );
        assert_eq!(
            FiscalYear::of(date!(2201 - 04 - 01)).unwrap_err().code,
            "fiscal_year.range"
        );
    }

    #[test]
    fn bounds_and_neighbours() {
        let y = fy(2026);
        assert_eq!(y.start(), date!(2026 - 04 - 01));
        assert_eq!(y.end(), date!(2027 - 03 - 31));
        assert_eq!(fy(2027).end(), date!(2028 - 03 - 31));
        assert!(y.contains(date!(2026 - 04 - 01)));
        assert!(y.contains(date!(2027 - 03 - 31)));
        assert!(!y.contains(date!(2026 - 03 - 31)));
        assert!(!y.contains(date!(2027 - 04 - 01)));
        assert_eq!(y.next().unwrap(), fy(2027));
        assert_eq!(y.prev().unwrap(), fy(2025));
        assert_eq!(fy(2200).next().unwrap_err().code, "fiscal_year.range");
        assert_eq!(fy(1989).prev().unwrap_err().code, "fiscal_year.range");
        assert!(fy(2025) < fy(2026));
        assert_eq!(y.year(), 2026);
    }

    #[test]
    fn parses_accepted_forms() {
        for input in [
            "2026",
            "2026年度",
            "2026 年度",
            "FY2026",
            "FY 2026",
            "fy2026",
            "Fy2026",
            "令和8年度",
            "令和8",
            "令和 8 年度",
            "令和８年度",
            "２０２６年度",
            "ＦＹ２０２６",
            " 2026\n",
        ] {
            assert_eq!(FiscalYear::parse(input).unwrap(), fy(2026), "{input}");
        }
        assert_eq!(FiscalYear::parse("令和元年度").unwrap(), fy(2019));
        assert_eq!(FiscalYear::parse("令和1年度").unwrap(), fy(2019));
        assert_eq!(FiscalYear::parse("平成31年度").unwrap(), fy(2019));
        assert_eq!(FiscalYear::parse("平成30年度").unwrap(), fy(2018));
        assert_eq!(FiscalYear::parse("平成元年度").unwrap(), fy(1989));
        assert_eq!(FiscalYear::parse("1989").unwrap(), fy(1989));
        assert_eq!(FiscalYear::parse("2200年度").unwrap(), fy(2200));
    }

    #[test]
    fn rejects_with_precise_codes() {
        for input in [
            "",
            "年度",
            "FY",
            "FY2026年度",
            "2026年",
            "2026-27",
            "２０２６ａ",
            "-2026",
            "令和",
            "令和0年度",
            "令和年度",
            "令和八年度",
            "令和1000年度",
            "昭和60年度",
            "R8",
            "2026.0",
            "20 26",
        ] {
            assert_eq!(
                FiscalYear::parse(input).unwrap_err().code,
                "fiscal_year.format",
                "{input}"
            );
        }
        for input in [
            "1988",
            "2201",
            "26",
            "0",
            "99999999999",
            "平成32年度",
            "令和183年度",
        ] {
            assert_eq!(
                FiscalYear::parse(input).unwrap_err().code,
                "fiscal_year.range",
                "{input}"
            );
        }
        assert_eq!(FiscalYear::new(1988).unwrap_err().code, "fiscal_year.range");
    }

    #[test]
    fn display_forms() {
        assert_eq!(fy(2026).to_string(), "2026年度");
        assert_eq!(fy(2026).ja(), "2026年度");
        assert_eq!(fy(2026).en(), "FY2026");
        assert_eq!(fy(2026).wareki(), "令和8年度");
        assert_eq!(fy(2019).wareki(), "令和元年度");
        assert_eq!(fy(2020).wareki(), "令和2年度");
        assert_eq!(fy(2018).wareki(), "平成30年度");
        assert_eq!(fy(1989).wareki(), "平成元年度");
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct P {
        y: FiscalYear,
    }

    #[test]
    fn serde_integer_and_strings() {
        assert_eq!(toml::from_str::<P>("y = 2026").unwrap().y, fy(2026));
        assert_eq!(
            toml::from_str::<P>("y = \"令和8年度\"").unwrap().y,
            fy(2026)
        );
        assert_eq!(
            toml::to_string(&P { y: fy(2026) }).unwrap().trim(),
            "y = 2026"
        );
        for (bad, code) in [
            ("y = 1988", "fiscal_year.range"),
            ("y = -1", "fiscal_year.range"),
            ("y = 9999999999", "fiscal_year.range"),
            ("y = \"令和0年度\"", "fiscal_year.format"),
            ("y = 2026.0", "invalid type"),
        ] {
            let err = toml::from_str::<P>(bad).unwrap_err().to_string();
            assert!(err.contains(code), "{bad}: {err}");
        }
    }

    proptest! {
        #[test]
        fn of_contains_the_date(days in 0i64..=((2201 - 1989) * 366)) {
            let d = date!(1989 - 04 - 01) + time::Duration::days(days);
            match FiscalYear::of(d) {
                Ok(y) => {
                    prop_assert!(y.contains(d));
                    prop_assert!(y.start() <= d && d <= y.end());
                    prop_assert_eq!(y.start().month(), Month::April);
                    prop_assert_eq!(y.start().day(), 1);
                    if let Ok(next) = y.next() {
                        prop_assert_eq!(y.end().next_day(), Some(next.start()));
                    }
                    prop_assert!(!y.contains(y.start().previous_day().unwrap()));
                    prop_assert!(!y.contains(y.end().next_day().unwrap()));
                    prop_assert_eq!(FiscalYear::of(y.start()).unwrap(), y);
                    prop_assert_eq!(FiscalYear::of(y.end()).unwrap(), y);
                }
                Err(e) => {
                    prop_assert!(d > date!(2201 - 03 - 31));
                    prop_assert_eq!(e.code, "fiscal_year.range");
                }
            }
        }

        #[test]
        fn display_forms_round_trip(year in 1989i32..=2200) {
            let y = fy(year);
            prop_assert_eq!(FiscalYear::parse(&y.to_string()).unwrap(), y);
            prop_assert_eq!(FiscalYear::parse(&y.en()).unwrap(), y);
            prop_assert_eq!(FiscalYear::parse(&y.wareki()).unwrap(), y);
            prop_assert_eq!(FiscalYear::parse(&y.year().to_string()).unwrap(), y);
        }
    }
}

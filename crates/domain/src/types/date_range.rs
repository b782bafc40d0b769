//! An inclusive range of calendar days, such as a course's 実施期間.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;

use super::date_ja::{date_en, date_ja, parse_date};
use super::normalize::half_width_trimmed;
use crate::error::ValidationError;

/// Days from `start` to `end`, both included; `end` is never before `start`.
///
/// Displays in Japanese as `2026年4月1日〜2026年6月30日` (a one-day range shows one date).
/// Serializes as `"2026-04-01..2026-06-30"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DateRange {
    start: Date,
    end: Date,
}

impl DateRange {
    /// Error: `date_range.order` if `end` is before `start`.
    pub fn new(start: Date, end: Date) -> Result<Self, ValidationError> {
        if end < start {
            return Err(order_error(start, end));
        }
        Ok(Self { start, end })
    }

    /// The range of one day.
    pub const fn single(day: Date) -> Self {
        Self {
            start: day,
            end: day,
        }
    }

    /// Parses `2026-04-01..2026-06-30`, `2026-04-01/2026-06-30`, `2026/4/1/2026/6/30`,
    /// `2026年4月1日〜2026年6月30日` (`~` and `～` also separate), or one date for a one-day range.
    /// Each date is read by [`parse_date`].
    ///
    /// Errors: `date_range.format`, `date_range.order`, and `date.format` / `date.invalid` for
    /// a date that cannot be read.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = half_width_trimmed(input);
        if s.is_empty() {
            return Err(format_error());
        }
        for sep in ["..", "〜", "~"] {
            if let Some((a, b)) = s.split_once(sep) {
                return Self::new(parse_date(a)?, parse_date(b)?);
            }
        }
        let single = parse_date(&s);
        if let Ok(day) = single {
            return Ok(Self::single(day));
        }
        // `/` separates the two dates but may also be inside them: try every `/`.
        let splits: Vec<(Result<Date, ValidationError>, Result<Date, ValidationError>)> = s
            .match_indices('/')
            .map(|(i, _)| (parse_date(&s[..i]), parse_date(&s[i + 1..])))
            .collect();
        if let Some((Ok(a), Ok(b))) = splits.iter().find(|(a, b)| a.is_ok() && b.is_ok()) {
            return Self::new(*a, *b);
        }
        if let Some((a, b)) = splits
            .into_iter()
            .find(|(a, b)| shaped_like_date(a) && shaped_like_date(b))
        {
            return Self::new(a?, b?);
        }
        match single {
            Err(e) if e.code == "date.invalid" => Err(e),
            _ => Err(format_error()),
        }
    }

    pub const fn start(&self) -> Date {
        self.start
    }

    pub const fn end(&self) -> Date {
        self.end
    }

    pub fn contains(&self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }

    /// Number of days, both ends included (a one-day range has 1).
    pub fn days(&self) -> u32 {
        let whole = (self.end - self.start).whole_days() + 1;
        u32::try_from(whole).unwrap_or(u32::MAX)
    }

    /// True when the two ranges share at least one day.
    pub fn overlaps(&self, other: &DateRange) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    /// `2026年4月1日〜2026年6月30日` or `2026年4月1日` (same as `Display`).
    pub fn ja(&self) -> String {
        if self.start == self.end {
            date_ja(self.start)
        } else {
            format!("{}〜{}", date_ja(self.start), date_ja(self.end))
        }
    }

    /// `1 April 2026 – 30 June 2026` or `1 April 2026`.
    pub fn en(&self) -> String {
        if self.start == self.end {
            date_en(self.start)
        } else {
            format!("{} – {}", date_en(self.start), date_en(self.end))
        }
    }

    /// `2026-04-01..2026-06-30`, the machine form (also for one-day ranges).
    pub fn iso(&self) -> String {
        format!("{}..{}", iso_date(self.start), iso_date(self.end))
    }
}

fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Read as a date, or shaped like one but naming a day that does not exist.
fn shaped_like_date(r: &Result<Date, ValidationError>) -> bool {
    match r {
        Ok(_) => true,
        Err(e) => e.code == "date.invalid",
    }
}

fn format_error() -> ValidationError {
    ValidationError::new(
        "date_range.format",
        "期間の形式が正しくありません。「2026-04-01..2026-06-30」や「2026年4月1日〜2026年6月30日」のように、開始日と終了日を入力してください。",
        "The period is not in a recognised format. Please enter a start and an end date, such as 2026-04-01..2026-06-30.",
    )
}

fn order_error(start: Date, end: Date) -> ValidationError {
    ValidationError::new(
        "date_range.order",
        format!(
            "終了日（{}）が開始日（{}）より前になっています。終了日は開始日と同じ日かそれより後の日にしてください。",
            date_ja(end),
            date_ja(start)
        ),
        format!(
            "The end date ({}) is before the start date ({}). The end date must be on or after the start date.",
            date_en(end),
            date_en(start)
        ),
    )
}

impl FromStr for DateRange {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for DateRange {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<DateRange> for String {
    fn from(r: DateRange) -> Self {
        r.iso()
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.ja())
    }
}

/// A listing of what starts from `from` (given, or today by default) up to `to`. Error:
/// `date_range.order` (on `to`) when both were given and `to` is earlier; with `from` left to
/// its default, an earlier `to` is an empty listing, not a mistake (a schema-valid request, as
/// schemathesis found).
pub fn check_listing_range(
    from: Date,
    from_given: bool,
    to: Option<Date>,
) -> Result<(), ValidationError> {
    if from_given && to.is_some_and(|to| to < from) {
        return Err(ValidationError::new(
            "date_range.order",
            "終了日（to）が開始日（from）より前です。",
            "The end date (to) is before the start date (from).",
        )
        .for_field("to"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn r(a: Date, b: Date) -> DateRange {
        DateRange::new(a, b).unwrap()
    }

    fn code(s: &str) -> &'static str {
        DateRange::parse(s).unwrap_err().code
    }

    #[test]
    fn parses_accepted_forms() {
        let q1 = r(date!(2026 - 04 - 01), date!(2026 - 06 - 30));
        for input in [
            "2026-04-01..2026-06-30",
            "2026-04-01/2026-06-30",
            "2026-04-01 .. 2026-06-30",
            "2026/4/1/2026/6/30",
            "2026/4/1..2026/6/30",
            "2026-04-01/2026/6/30",
            "2026/4/1/2026-06-30",
            "2026年4月1日〜2026年6月30日",
            "2026年4月1日～2026年6月30日",
            "2026-04-01~2026-06-30",
            "２０２６－０４－０１．．２０２６－０６－３０",
        ] {
            assert_eq!(DateRange::parse(input).unwrap(), q1, "{input}");
        }
        let day = DateRange::single(date!(2026 - 04 - 01));
        for input in [
            "2026-04-01",
            "2026/4/1",
            "2026年4月1日",
            "2026-04-01..2026-04-01",
        ] {
            assert_eq!(DateRange::parse(input).unwrap(), day, "{input}");
        }
    }

    #[test]
    fn rejects_with_precise_codes() {
        assert_eq!(code("2026-06-30..2026-04-01"), "date_range.order");
        assert_eq!(code("2026/6/30/2026/4/1"), "date_range.order");
        assert_eq!(code("2026年6月30日〜2026年4月1日"), "date_range.order");
        assert_eq!(code(""), "date_range.format");
        assert_eq!(code("next spring"), "date_range.format");
        assert_eq!(code("2026-04-01 2026-06-30"), "date_range.format");
        assert_eq!(code("2026/4/1/2026/6"), "date_range.format");
        assert_eq!(code("2026-04-01..x"), "date.format");
        assert_eq!(code("..2026-06-30"), "date.format");
        assert_eq!(code("2026-04-01..2026-02-30"), "date.invalid");
        assert_eq!(code("2026-04-01/2026-02-30"), "date.invalid");
        assert_eq!(code("2026/4/1/2026/2/30"), "date.invalid");
        assert_eq!(code("2026-02-30"), "date.invalid");
        let e = DateRange::parse("2026-06-30..2026-04-01").unwrap_err();
        assert!(e.message_ja.contains("2026年4月1日") && e.message_ja.contains("2026年6月30日"));
        assert_eq!(
            DateRange::new(date!(2026 - 04 - 02), date!(2026 - 04 - 01))
                .unwrap_err()
                .code,
            "date_range.order"
        );
    }

    #[test]
    fn queries() {
        let q1 = r(date!(2026 - 04 - 01), date!(2026 - 06 - 30));
        assert_eq!(q1.start(), date!(2026 - 04 - 01));
        assert_eq!(q1.end(), date!(2026 - 06 - 30));
        assert_eq!(q1.days(), 91);
        assert_eq!(DateRange::single(date!(2026 - 04 - 01)).days(), 1);
        assert!(q1.contains(date!(2026 - 04 - 01)));
        assert!(q1.contains(date!(2026 - 06 - 30)));
        assert!(!q1.contains(date!(2026 - 03 - 31)));
        assert!(!q1.contains(date!(2026 - 07 - 01)));
        let q2 = r(date!(2026 - 07 - 01), date!(2026 - 09 - 30));
        assert!(!q1.overlaps(&q2) && !q2.overlaps(&q1));
        let edge = r(date!(2026 - 06 - 30), date!(2026 - 07 - 01));
        assert!(q1.overlaps(&edge) && edge.overlaps(&q2) && q1.overlaps(&q1));
    }

    #[test]
    fn display_forms() {
        let q1 = r(date!(2026 - 04 - 01), date!(2026 - 06 - 30));
        assert_eq!(q1.to_string(), "2026年4月1日〜2026年6月30日");
        assert_eq!(q1.en(), "1 April 2026 – 30 June 2026");
        assert_eq!(q1.iso(), "2026-04-01..2026-06-30");
        let day = DateRange::single(date!(2026 - 04 - 01));
        assert_eq!(day.to_string(), "2026年4月1日");
        assert_eq!(day.en(), "1 April 2026");
        assert_eq!(day.iso(), "2026-04-01..2026-04-01");
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct P {
        period: DateRange,
    }

    #[test]
    fn serde_goes_through_validation() {
        let p: P = toml::from_str("period = \"2026-04-01..2026-06-30\"").unwrap();
        assert_eq!(p.period, r(date!(2026 - 04 - 01), date!(2026 - 06 - 30)));
        assert_eq!(
            toml::to_string(&p).unwrap().trim(),
            "period = \"2026-04-01..2026-06-30\""
        );
        let err = toml::from_str::<P>("period = \"2026-06-30..2026-04-01\"").unwrap_err();
        assert!(err.to_string().contains("date_range.order"), "{err}");
    }

    fn day() -> impl Strategy<Value = Date> {
        (0i64..(366 * 300)).prop_map(|n| date!(1900 - 01 - 01) + time::Duration::days(n))
    }

    proptest! {
        #[test]
        fn order_invariant_and_round_trip(a in day(), b in day()) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let range = DateRange::new(lo, hi).unwrap();
            prop_assert!(range.start() <= range.end());
            prop_assert!(range.contains(lo) && range.contains(hi));
            prop_assert_eq!(i64::from(range.days()), (hi - lo).whole_days() + 1);
            prop_assert_eq!(DateRange::parse(&range.to_string()).unwrap(), range);
            prop_assert_eq!(DateRange::parse(&range.iso()).unwrap(), range);
            prop_assert_eq!(DateRange::parse(&format!("{}/{}", date_ja(lo), date_ja(hi))).unwrap(), range);
            if lo != hi {
                prop_assert_eq!(DateRange::new(hi, lo).unwrap_err().code, "date_range.order");
                prop_assert_eq!(DateRange::parse(&format!("{}..{}", iso_date(hi), iso_date(lo))).unwrap_err().code, "date_range.order");
                prop_assert_eq!(DateRange::parse(&format!("{hi}/{lo}")).unwrap_err().code, "date_range.order");
            }
        }

        #[test]
        fn overlap_is_symmetric_and_matches_shared_days(a in day(), b in day(), c in day(), d in day()) {
            let x = DateRange::new(a.min(b), a.max(b)).unwrap();
            let y = DateRange::new(c.min(d), c.max(d)).unwrap();
            prop_assert_eq!(x.overlaps(&y), y.overlaps(&x));
            let shared = x.start().max(y.start()) <= x.end().min(y.end());
            prop_assert_eq!(x.overlaps(&y), shared);
        }
    }
}

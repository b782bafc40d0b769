//! Course hours: a non-negative duration in steps of 30 minutes.

use std::fmt;
use std::iter::Sum;
use std::ops::Add;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::normalize::{all_ascii_digits, half_width_trimmed};
use crate::error::ValidationError;

/// A non-negative duration in half-hour steps, stored as a count of half hours.
///
/// Displays in Japanese (`5時間30分`, `6時間`, `30分`, `0時間`); [`Hours::en`] gives `5 h 30 min`.
/// Serializes as a number of hours (`6` or `5.5`); deserializes from such a number or from any
/// string [`Hours::parse`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hours(u32);

const HOUR_UNITS: &[&str] = &["時間", "hours", "hour", "hrs", "hr", "h"];
const MINUTE_UNITS: &[&str] = &["minutes", "minute", "mins", "min", "分", "m"];

impl Hours {
    pub const ZERO: Hours = Hours(0);

    /// Parses decimal hours (`6`, `6.0`, `6.5`), `H:MM` (`5:30`) and unit forms (`5時間30分`,
    /// `5時間`, `5時間半`, `30分`, `90分`, `5 h 30 min`). Full-width characters are accepted.
    ///
    /// Errors: `hours.half_hour_step` (a valid duration that is not a multiple of 30 minutes),
    /// `hours.format` (negative or unreadable), `hours.range` (too large).
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = half_width_trimmed(input).to_lowercase();
        if s.starts_with(['-', '−', '▲', '△']) {
            return Err(negative_error());
        }
        let minutes = if let Some((h, m)) = s.split_once(':') {
            colon_minutes(h.trim(), m.trim())?
        } else if s.contains(|c: char| c.is_alphabetic()) {
            unit_minutes(&s)?
        } else {
            decimal_hours_minutes(&s)?
        };
        Self::from_total_minutes(minutes)
    }

    pub const fn from_half_hours(half_hours: u32) -> Self {
        Self(half_hours)
    }

    pub const fn half_hours(self) -> u32 {
        self.0
    }

    /// Error: `hours.half_hour_step` unless `minutes` is a multiple of 30.
    pub fn from_minutes(minutes: u32) -> Result<Self, ValidationError> {
        Self::from_total_minutes(u64::from(minutes))
    }

    pub const fn as_minutes(self) -> u64 {
        self.0 as u64 * 30
    }

    /// Whole hours, dropping a trailing half hour.
    pub const fn whole_hours(self) -> u32 {
        self.0 / 2
    }

    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Self)
    }

    /// `5時間30分`, `6時間`, `30分`, `0時間` (same as `Display`).
    pub fn ja(self) -> String {
        let (h, half) = (self.0 / 2, self.0 % 2 == 1);
        match (h, half) {
            (0, true) => "30分".to_owned(),
            (h, true) => format!("{h}時間30分"),
            (h, false) => format!("{h}時間"),
        }
    }

    /// `5 h 30 min`, `6 h`, `30 min`, `0 h`.
    pub fn en(self) -> String {
        let (h, half) = (self.0 / 2, self.0 % 2 == 1);
        match (h, half) {
            (0, true) => "30 min".to_owned(),
            (h, true) => format!("{h} h 30 min"),
            (h, false) => format!("{h} h"),
        }
    }

    /// Decimal hours for form fields: `5.5`, `6`.
    pub fn decimal(self) -> String {
        if self.0 % 2 == 1 {
            format!("{}.5", self.0 / 2)
        } else {
            (self.0 / 2).to_string()
        }
    }

    fn from_total_minutes(minutes: u64) -> Result<Self, ValidationError> {
        if !minutes.is_multiple_of(30) {
            return Err(step_error());
        }
        u32::try_from(minutes / 30)
            .map(Self)
            .map_err(|_| range_error())
    }
}

/// `H:MM` with exactly two minute digits below 60.
fn colon_minutes(h: &str, m: &str) -> Result<u64, ValidationError> {
    if !all_ascii_digits(h) || m.len() != 2 || !all_ascii_digits(m) {
        return Err(format_error());
    }
    let m: u64 = m.parse().map_err(|_| format_error())?;
    if m >= 60 {
        return Err(format_error());
    }
    Ok(whole_number(h)?.saturating_mul(60).saturating_add(m))
}

/// `6`, `6.0`, `6.5`, `6.50` → minutes; `6.25` is a half-hour-step error.
fn decimal_hours_minutes(s: &str) -> Result<u64, ValidationError> {
    let (int, frac) = match s.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (s, None),
    };
    let hours = whole_number(int)?;
    let extra = match frac {
        None => 0,
        Some(frac) if !all_ascii_digits(frac) => return Err(format_error()),
        Some(frac) => match frac.trim_end_matches('0') {
            "" => 0,
            "5" => 30,
            // Any other fraction of an hour is not a multiple of 30 minutes.
            _ => return Err(step_error()),
        },
    };
    Ok(hours.saturating_mul(60).saturating_add(extra))
}

/// `5時間30分`, `5時間`, `5時間半`, `1.5時間`, `30分`, `5 h 30 min` (input already lower-cased).
fn unit_minutes(s: &str) -> Result<u64, ValidationError> {
    let (number, rest) = leading_number(s);
    if number.is_empty() {
        return Err(format_error());
    }
    if let Some(after) = strip_unit(rest, HOUR_UNITS) {
        let hours = decimal_hours_minutes(number)?;
        if after.is_empty() {
            return Ok(hours);
        }
        if number.contains('.') {
            return Err(format_error());
        }
        if after == "半" {
            return Ok(hours.saturating_add(30));
        }
        let (m, rest) = leading_number(after);
        if strip_unit(rest, MINUTE_UNITS) != Some("") {
            return Err(format_error());
        }
        let m = whole_number(m)?;
        if m >= 60 {
            return Err(format_error());
        }
        return Ok(hours.saturating_add(m));
    }
    match strip_unit(rest, MINUTE_UNITS) {
        Some("") => whole_number(number),
        _ => Err(format_error()),
    }
}

/// Splits off the leading run of digits and dots; the remainder is left-trimmed.
fn leading_number(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, rest) = s.split_at(end);
    (number, rest.trim_start())
}

/// The remainder after one of `units` (tried in order), left-trimmed.
fn strip_unit<'a>(s: &'a str, units: &[&str]) -> Option<&'a str> {
    units
        .iter()
        .find_map(|u| s.strip_prefix(u))
        .map(str::trim_start)
}

/// A run of ASCII digits; too many for a u64 is a range error.
fn whole_number(s: &str) -> Result<u64, ValidationError> {
    if !all_ascii_digits(s) {
        return Err(format_error());
    }
    s.parse().map_err(|_| range_error())
}

fn format_error() -> ValidationError {
    ValidationError::new(
        "hours.format",
        "時間の形式が正しくありません。「6」「6.5」「5:30」「5時間30分」のように、0以上の時間を入力してください。",
        "The hours are not in a recognised format. Please enter a non-negative duration such as 6, 6.5, 5:30 or 5時間30分.",
    )
}

fn negative_error() -> ValidationError {
    ValidationError::new(
        "hours.format",
        "時間に負の値は入力できません。0以上の時間を入力してください。",
        "Hours cannot be negative. Please enter a duration of zero or more.",
    )
}

fn step_error() -> ValidationError {
    ValidationError::new(
        "hours.half_hour_step",
        "時間は30分単位で入力してください（例：5時間30分、5.5、5:30）。",
        "Hours must be given in steps of 30 minutes (for example 5.5, 5:30 or 5 h 30 min).",
    )
}

fn range_error() -> ValidationError {
    ValidationError::new(
        "hours.range",
        "時間が大きすぎます。正しい時間を入力してください。",
        "The number of hours is too large. Please check the value.",
    )
}

impl FromStr for Hours {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.ja())
    }
}

/// Saturates at the largest representable value (far beyond any real duration);
/// use [`Hours::checked_add`] to detect that.
impl Add for Hours {
    type Output = Hours;
    fn add(self, other: Hours) -> Hours {
        Hours(self.0.saturating_add(other.0))
    }
}

impl Sum for Hours {
    fn sum<I: Iterator<Item = Hours>>(iter: I) -> Hours {
        iter.fold(Hours::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Hours> for Hours {
    fn sum<I: Iterator<Item = &'a Hours>>(iter: I) -> Hours {
        iter.copied().sum()
    }
}

impl Serialize for Hours {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.is_multiple_of(2) {
            serializer.serialize_u32(self.0 / 2)
        } else {
            serializer.serialize_f64(f64::from(self.0) / 2.0)
        }
    }
}

impl<'de> Deserialize<'de> for Hours {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(HoursVisitor)
    }
}

struct HoursVisitor;

impl Visitor<'_> for HoursVisitor {
    type Value = Hours;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a non-negative number of hours in steps of 0.5, or a string such as \"5時間30分\"",
        )
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Hours, E> {
        v.checked_mul(60)
            .ok_or_else(range_error)
            .and_then(Hours::from_total_minutes)
            .map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Hours, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::custom(negative_error())),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Hours, E> {
        if v.is_nan() {
            return Err(E::custom(format_error()));
        }
        if v < 0.0 {
            return Err(E::custom(negative_error()));
        }
        if v.is_infinite() {
            return Err(E::custom(range_error()));
        }
        let halves = v * 2.0;
        if halves.fract() != 0.0 {
            return Err(E::custom(step_error()));
        }
        if halves > f64::from(u32::MAX) {
            return Err(E::custom(range_error()));
        }
        // Checked above: a whole number in 0..=u32::MAX.
        Ok(Hours(halves as u32))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Hours, E> {
        Hours::parse(v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(s: &str) -> Hours {
        Hours::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn code(s: &str) -> &'static str {
        Hours::parse(s).unwrap_err().code
    }

    #[test]
    fn parses_accepted_forms() {
        let cases: &[(&str, u32)] = &[
            ("6", 12),
            ("6.0", 12),
            ("6.00", 12),
            ("6.5", 13),
            ("6.50", 13),
            ("5.5", 11),
            ("0", 0),
            ("0.5", 1),
            ("5:30", 11),
            ("5:00", 10),
            ("0:30", 1),
            ("12:30", 25),
            ("5時間30分", 11),
            ("5時間", 10),
            ("5時間半", 11),
            ("30分", 1),
            ("90分", 3),
            ("0分", 0),
            ("1.5時間", 3),
            ("5 時間 30 分", 11),
            ("5 h 30 min", 11),
            ("5h30m", 11),
            ("6 h", 12),
            ("6 hours", 12),
            ("30 min", 1),
            ("30 minutes", 1),
            ("５時間３０分", 11),
            ("６．５", 13),
            ("５：３０", 11),
            ("  7 ", 14),
        ];
        for &(input, half) in cases {
            assert_eq!(h(input).half_hours(), half, "{input}");
        }
    }

    #[test]
    fn rejects_off_step_minutes() {
        for input in [
            "6.25",
            "6.3",
            "6.75",
            "5:15",
            "5:45",
            "5:01",
            "5時間15分",
            "45分",
            "1 h 10 min",
            "0.1",
        ] {
            assert_eq!(code(input), "hours.half_hour_step", "{input}");
        }
        assert_eq!(
            Hours::from_minutes(45).unwrap_err().code,
            "hours.half_hour_step"
        );
    }

    #[test]
    fn rejects_negatives_and_garbage() {
        for input in [
            "",
            " ",
            "-1",
            "-0.5",
            "−1",
            "▲1",
            "abc",
            "6.",
            ".5",
            "6.5.0",
            "5:3",
            "5:300",
            ":30",
            "5:60",
            "5:90",
            "5時間60分",
            "5時間90分",
            "5時間30",
            "時間",
            "分",
            "30分5時間",
            "1.5時間30分",
            "1.5分",
            "5日",
            "5 30",
            "6e1",
            "1,000",
            "+5",
        ] {
            assert_eq!(code(input), "hours.format", "{input}");
        }
        assert!(
            Hours::parse("-1")
                .unwrap_err()
                .message_ja
                .contains("負の値")
        );
    }

    #[test]
    fn rejects_too_large() {
        assert_eq!(code("2147483648"), "hours.range");
        assert_eq!(code("99999999999999999999999"), "hours.range");
        assert_eq!(h("2147483647.5").half_hours(), u32::MAX);
    }

    #[test]
    fn minutes_conversions() {
        assert_eq!(Hours::from_minutes(90).unwrap(), Hours::from_half_hours(3));
        assert_eq!(Hours::from_minutes(0).unwrap(), Hours::ZERO);
        assert_eq!(Hours::from_half_hours(11).as_minutes(), 330);
        assert_eq!(
            Hours::from_half_hours(u32::MAX).as_minutes(),
            u64::from(u32::MAX) * 30
        );
        assert_eq!(Hours::from_half_hours(11).whole_hours(), 5);
    }

    #[test]
    fn display_forms() {
        assert_eq!(h("5.5").to_string(), "5時間30分");
        assert_eq!(h("6").to_string(), "6時間");
        assert_eq!(h("0.5").to_string(), "30分");
        assert_eq!(Hours::ZERO.to_string(), "0時間");
        assert_eq!(h("5.5").ja(), "5時間30分");
        assert_eq!(h("5.5").en(), "5 h 30 min");
        assert_eq!(h("6").en(), "6 h");
        assert_eq!(h("0.5").en(), "30 min");
        assert_eq!(Hours::ZERO.en(), "0 h");
        assert_eq!(h("5.5").decimal(), "5.5");
        assert_eq!(h("6").decimal(), "6");
    }

    #[test]
    fn arithmetic_and_order() {
        assert_eq!(h("5.5") + h("0.5"), h("6"));
        assert_eq!(
            [h("1"), h("2.5"), h("0.5")].into_iter().sum::<Hours>(),
            h("4")
        );
        assert_eq!([h("1"), h("2.5")].iter().sum::<Hours>(), h("3.5"));
        assert_eq!(Vec::<Hours>::new().into_iter().sum::<Hours>(), Hours::ZERO);
        assert!(h("5.5") < h("6"));
        assert_eq!(Hours::from_half_hours(u32::MAX).checked_add(h("0.5")), None);
        assert_eq!(
            Hours::from_half_hours(u32::MAX) + h("0.5"),
            Hours::from_half_hours(u32::MAX)
        );
        assert_eq!(h("6").checked_sub(h("0.5")), Some(h("5.5")));
        assert_eq!(h("0.5").checked_sub(h("6")), None);
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct P {
        h: Hours,
    }

    #[test]
    fn serde_numbers_and_strings() {
        assert_eq!(toml::from_str::<P>("h = 6").unwrap().h, h("6"));
        assert_eq!(toml::from_str::<P>("h = 6.5").unwrap().h, h("6.5"));
        assert_eq!(
            toml::from_str::<P>("h = \"5時間30分\"").unwrap().h,
            h("5.5")
        );
        assert_eq!(toml::to_string(&P { h: h("6") }).unwrap().trim(), "h = 6");
        assert_eq!(
            toml::to_string(&P { h: h("6.5") }).unwrap().trim(),
            "h = 6.5"
        );
        for (bad, code) in [
            ("h = -1", "hours.format"),
            ("h = -0.5", "hours.format"),
            ("h = 6.25", "hours.half_hour_step"),
            ("h = \"5:15\"", "hours.half_hour_step"),
            ("h = nan", "hours.format"),
            ("h = inf", "hours.range"),
            ("h = 1e12", "hours.range"),
            ("h = 9223372036854775807", "hours.range"),
            ("h = true", "invalid type"),
        ] {
            let err = toml::from_str::<P>(bad).unwrap_err().to_string();
            assert!(err.contains(code), "{bad}: {err}");
        }
    }

    proptest! {
        #[test]
        fn display_forms_round_trip(half in any::<u32>()) {
            let x = Hours::from_half_hours(half);
            prop_assert_eq!(Hours::parse(&x.to_string()).unwrap(), x);
            prop_assert_eq!(Hours::parse(&x.en()).unwrap(), x);
            prop_assert_eq!(Hours::parse(&x.decimal()).unwrap(), x);
            if let Ok(m) = u32::try_from(x.as_minutes()) {
                prop_assert_eq!(Hours::from_minutes(m).unwrap(), x);
            }
        }

        #[test]
        fn serde_round_trips(half in any::<u32>()) {
            let p = P { h: Hours::from_half_hours(half) };
            let text = toml::to_string(&p).unwrap();
            prop_assert_eq!(toml::from_str::<P>(&text).unwrap(), p);
        }

        #[test]
        fn sum_adds_half_hours(halves in proptest::collection::vec(0u32..10_000, 0..50)) {
            let total: Hours = halves.iter().map(|&n| Hours::from_half_hours(n)).sum();
            prop_assert_eq!(total.half_hours(), halves.iter().sum::<u32>());
            prop_assert_eq!(total.as_minutes(), halves.iter().map(|&n| u64::from(n) * 30).sum::<u64>());
        }
    }
}

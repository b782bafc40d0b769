//! Amounts of money: non-negative whole yen (fees, prices).

use std::fmt;
use std::iter::Sum;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::normalize::{all_ascii_digits, half_width_trimmed};
use crate::error::ValidationError;

/// A non-negative amount in whole yen.
///
/// Displays as `¥77,000`; [`Yen::ja`] gives `77,000円`. Serializes as an integer; deserializes
/// from a non-negative integer or any string [`Yen::parse`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Yen(u64);

const NEGATIVE_SIGNS: [char; 4] = ['-', '−', '▲', '△'];

impl Yen {
    pub const ZERO: Yen = Yen(0);

    pub const fn new(amount: u64) -> Self {
        Self(amount)
    }

    /// Parses `77000`, `77,000`, `¥77,000`, `￥77,000`, `77,000円` (full-width digits and
    /// surrounding whitespace accepted; commas must group by three).
    ///
    /// Errors: `yen.negative`, `yen.format` (anything else that is not a whole amount),
    /// `yen.range` (too large).
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = half_width_trimmed(input);
        if s.starts_with(NEGATIVE_SIGNS) {
            return Err(negative_error());
        }
        let body = s
            .strip_prefix(['¥', '￥', '\\'])
            .map_or(s.as_str(), str::trim_start);
        let body = body.strip_suffix('円').map_or(body, str::trim_end);
        if body.starts_with(NEGATIVE_SIGNS) {
            return Err(negative_error());
        }
        let digits = if body.contains(',') {
            ungroup(body)?
        } else {
            body.to_owned()
        };
        if !all_ascii_digits(&digits) {
            return Err(format_error());
        }
        // All digits: a failure here is a number too large.
        digits.parse().map(Self).map_err(|_| range_error())
    }

    pub const fn amount(self) -> u64 {
        self.0
    }

    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Self)
    }

    pub fn checked_mul(self, times: u64) -> Option<Self> {
        self.0.checked_mul(times).map(Self)
    }

    /// `77,000円`
    pub fn ja(self) -> String {
        format!("{}円", group(self.0))
    }

    /// `¥77,000` (same as `Display`).
    pub fn en(self) -> String {
        format!("¥{}", group(self.0))
    }
}

/// `77,000` → `77000`; the first group has 1–3 digits, every later group exactly 3.
fn ungroup(s: &str) -> Result<String, ValidationError> {
    let mut groups = s.split(',');
    let first = groups.next().unwrap_or_default();
    if !(1..=3).contains(&first.len()) {
        return Err(format_error());
    }
    let mut out = first.to_owned();
    for g in groups {
        if g.len() != 3 {
            return Err(format_error());
        }
        out.push_str(g);
    }
    Ok(out)
}

/// `77000` → `77,000`
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn format_error() -> ValidationError {
    ValidationError::new(
        "yen.format",
        "金額の形式が正しくありません。「77000」「77,000」「¥77,000」「77,000円」のように、円単位の整数で入力してください。",
        "The amount is not in a recognised format. Please enter whole yen, such as 77000, 77,000, ¥77,000 or 77,000円.",
    )
}

fn negative_error() -> ValidationError {
    ValidationError::new(
        "yen.negative",
        "金額にマイナスの値は入力できません。0円以上の金額を入力してください。",
        "The amount cannot be negative. Please enter 0 yen or more.",
    )
}

fn range_error() -> ValidationError {
    ValidationError::new(
        "yen.range",
        "金額が大きすぎます。金額を確認してください。",
        "The amount is too large. Please check the value.",
    )
}

impl FromStr for Yen {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Yen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en())
    }
}

/// Saturates at `u64::MAX` yen, far beyond any real amount; fold with [`Yen::checked_add`]
/// to detect that.
impl Sum for Yen {
    fn sum<I: Iterator<Item = Yen>>(iter: I) -> Yen {
        Yen(iter.fold(0u64, |acc, y| acc.saturating_add(y.0)))
    }
}

impl<'a> Sum<&'a Yen> for Yen {
    fn sum<I: Iterator<Item = &'a Yen>>(iter: I) -> Yen {
        iter.copied().sum()
    }
}

impl Serialize for Yen {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for Yen {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(YenVisitor)
    }
}

struct YenVisitor;

impl Visitor<'_> for YenVisitor {
    type Value = Yen;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative whole number of yen, or a string such as \"77,000円\"")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Yen, E> {
        Ok(Yen(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Yen, E> {
        u64::try_from(v)
            .map(Yen)
            .map_err(|_| E::custom(negative_error()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Yen, E> {
        Yen::parse(v).map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> &'static str {
        Yen::parse(s).unwrap_err().code
    }

    #[test]
    fn parses_accepted_forms() {
        for input in [
            "77000",
            "77,000",
            "¥77,000",
            "￥77,000",
            "\\77,000",
            "¥ 77,000",
            "77,000円",
            "77000円",
            "77,000 円",
            "¥77,000円",
            "７７，０００円",
            "￥７７０００",
            " 77000 ",
        ] {
            assert_eq!(Yen::parse(input).unwrap(), Yen::new(77_000), "{input}");
        }
        assert_eq!(Yen::parse("0").unwrap(), Yen::ZERO);
        assert_eq!(Yen::parse("0円").unwrap(), Yen::ZERO);
        assert_eq!(Yen::parse("1,234,567").unwrap().amount(), 1_234_567);
        assert_eq!(
            Yen::parse("18,446,744,073,709,551,615").unwrap().amount(),
            u64::MAX
        );
    }

    #[test]
    fn rejects_with_precise_codes() {
        for input in [
            "-1",
            "-77,000",
            "−500",
            "▲500",
            "△500",
            "¥-500",
            "-¥500",
            "－５００円",
            "-0",
        ] {
            assert_eq!(code(input), "yen.negative", "{input}");
        }
        for input in [
            "",
            "円",
            "¥",
            "abc",
            "77.000",
            "77000.5",
            "77000.0",
            "7,7000",
            "77,00",
            ",77,000",
            "77,000,",
            "1234,567",
            "77 000",
            "+77000",
            "$77000",
            "77000ドル",
            "7.7万円",
            "77,000円円",
            "¥¥77000",
            "1e5",
        ] {
            assert_eq!(code(input), "yen.format", "{input}");
        }
        assert_eq!(code("18446744073709551616"), "yen.range");
    }

    #[test]
    fn display_forms() {
        assert_eq!(Yen::new(77_000).to_string(), "¥77,000");
        assert_eq!(Yen::new(77_000).ja(), "77,000円");
        assert_eq!(Yen::new(77_000).en(), "¥77,000");
        assert_eq!(Yen::ZERO.to_string(), "¥0");
        assert_eq!(Yen::new(999).to_string(), "¥999");
        assert_eq!(Yen::new(1_000).to_string(), "¥1,000");
        assert_eq!(Yen::new(1_234_567).ja(), "1,234,567円");
        assert_eq!(
            Yen::new(u64::MAX).to_string(),
            "¥18,446,744,073,709,551,615"
        );
    }

    #[test]
    fn arithmetic_and_order() {
        assert_eq!(Yen::new(1).checked_add(Yen::new(2)), Some(Yen::new(3)));
        assert_eq!(Yen::new(u64::MAX).checked_add(Yen::new(1)), None);
        assert_eq!(Yen::new(1).checked_sub(Yen::new(2)), None);
        assert_eq!(Yen::new(3).checked_mul(4), Some(Yen::new(12)));
        assert_eq!(
            [Yen::new(1_000), Yen::new(500)].into_iter().sum::<Yen>(),
            Yen::new(1_500)
        );
        assert_eq!(
            [Yen::new(1_000), Yen::new(500)].iter().sum::<Yen>(),
            Yen::new(1_500)
        );
        assert_eq!(
            [Yen::new(u64::MAX), Yen::new(1)].into_iter().sum::<Yen>(),
            Yen::new(u64::MAX)
        );
        assert!(Yen::new(999) < Yen::new(1_000));
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct P {
        fee: Yen,
    }

    #[test]
    fn serde_integer_and_strings() {
        assert_eq!(
            toml::from_str::<P>("fee = 77000").unwrap().fee,
            Yen::new(77_000)
        );
        assert_eq!(
            toml::from_str::<P>("fee = \"77,000円\"").unwrap().fee,
            Yen::new(77_000)
        );
        assert_eq!(
            toml::to_string(&P {
                fee: Yen::new(77_000)
            })
            .unwrap()
            .trim(),
            "fee = 77000"
        );
        for (bad, code) in [
            ("fee = -1", "yen.negative"),
            ("fee = \"-1\"", "yen.negative"),
            ("fee = \"7,7000\"", "yen.format"),
            ("fee = 77000.0", "invalid type"),
        ] {
            let err = toml::from_str::<P>(bad).unwrap_err().to_string();
            assert!(err.contains(code), "{bad}: {err}");
        }
    }

    proptest! {
        #[test]
        fn display_round_trips(n in any::<u64>()) {
            let y = Yen::new(n);
            prop_assert_eq!(Yen::parse(&y.to_string()).unwrap(), y);
            prop_assert_eq!(Yen::parse(&y.ja()).unwrap(), y);
            prop_assert_eq!(Yen::parse(&n.to_string()).unwrap(), y);
            prop_assert_eq!(y.to_string().replace([',', '¥'], ""), n.to_string());
        }

        #[test]
        fn sum_matches_checked_fold(amounts in proptest::collection::vec(0u64..10_000_000, 0..50)) {
            let ys: Vec<Yen> = amounts.iter().copied().map(Yen::new).collect();
            let checked = ys.iter().try_fold(Yen::ZERO, |acc, y| acc.checked_add(*y));
            prop_assert_eq!(checked, Some(ys.iter().sum::<Yen>()));
            prop_assert_eq!(ys.iter().sum::<Yen>().amount(), amounts.iter().sum::<u64>());
        }
    }
}

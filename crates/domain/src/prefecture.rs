//! Prefectures (都道府県) as JIS X 0401 codes.
//!
//! Why a newtype over the number alone: the code is the stable key stored with sessions and
//! sent over the API, and a value of this type is always a real prefecture (01〜47), so code
//! that holds one never re-checks it. Names, regions and capitals are reference data
//! (`reference/prefectures.toml`), looked up through [`crate::taxonomy::Taxonomy::prefecture`].

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ValidationError;

/// A prefecture, by its JIS X 0401 code (1 = 北海道 … 13 = 東京都 … 47 = 沖縄県).
///
/// Serialised as the two-digit code string (`"13"`), the form used in the standard and in
/// public data sets; ordered by code, which is the customary north-to-south order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Prefecture(u8);

impl Prefecture {
    /// How many prefectures JIS X 0401 defines.
    pub const COUNT: usize = 47;

    /// The prefecture with this JIS number, if it is one of 1〜47.
    pub const fn from_number(number: u8) -> Option<Self> {
        if number >= 1 && number as usize <= Self::COUNT {
            Some(Self(number))
        } else {
            None
        }
    }

    /// Parses a code as people write it: `"01"`〜`"47"`, or `"1"`〜`"9"` without the zero.
    ///
    /// Like the other parsers of the crate (`types`), full-width digits (`１３`) and surrounding
    /// whitespace are accepted, because Japanese users paste them; signs, inner spaces and a
    /// third digit are not.
    pub fn from_code(code: &str) -> Result<Self, ValidationError> {
        let mut digits = code.trim().chars().map(|c| match c {
            '0'..='9' => c.to_digit(10),
            '０'..='９' => Some(u32::from(c) - u32::from('０')),
            _ => None,
        });
        let number = match (digits.next(), digits.next(), digits.next()) {
            (Some(Some(d)), None, None) => Some(d),
            (Some(Some(t)), Some(Some(d)), None) => Some(t * 10 + d),
            _ => None,
        };
        number
            .and_then(|n| u8::try_from(n).ok())
            .and_then(Self::from_number)
            .ok_or_else(invalid_code)
    }

    /// The JIS number, 1〜47.
    pub const fn number(self) -> u8 {
        self.0
    }

    /// The two-digit JIS code, e.g. `"13"`.
    pub fn code(self) -> String {
        format!("{:02}", self.0)
    }

    /// All 47 prefectures in code order.
    pub fn all() -> impl Iterator<Item = Self> {
        (1..=47).map(Self)
    }

    /// Position in a 47-element table ordered by code; always below [`Self::COUNT`].
    pub(crate) const fn index(self) -> usize {
        self.0 as usize - 1
    }
}

fn invalid_code() -> ValidationError {
    ValidationError::new(
        "prefecture.jis_code",
        "都道府県コードは JIS X 0401 の 01〜47 で指定してください。",
        "A prefecture must be given as its JIS X 0401 code, 01 to 47.",
    )
}

impl fmt::Display for Prefecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

impl FromStr for Prefecture {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_code(s)
    }
}

impl Serialize for Prefecture {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for Prefecture {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A visitor rather than `String::deserialize`: accepts borrowed and owned strings
        // alike without allocating.
        struct CodeVisitor;

        impl Visitor<'_> for CodeVisitor {
            type Value = Prefecture;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JIS X 0401 prefecture code \"01\"..\"47\"")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Prefecture, E> {
                Prefecture::from_code(v).map_err(|e| E::custom(e.message_en))
            }
        }

        deserializer.deserialize_str(CodeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_two_digit_and_bare_codes() {
        assert_eq!(Prefecture::from_code("13").map(Prefecture::number), Ok(13));
        assert_eq!(Prefecture::from_code("01").map(Prefecture::number), Ok(1));
        assert_eq!(Prefecture::from_code("1").map(Prefecture::number), Ok(1));
        assert_eq!(Prefecture::from_code("9").map(Prefecture::number), Ok(9));
        assert_eq!(Prefecture::from_code("47").map(Prefecture::number), Ok(47));
        assert_eq!("40".parse::<Prefecture>().map(Prefecture::number), Ok(40));
        assert_eq!(
            Prefecture::from_code("１３").map(Prefecture::number),
            Ok(13)
        );
        assert_eq!(
            Prefecture::from_code(" 07\u{3000}").map(Prefecture::number),
            Ok(7)
        );
    }

    #[test]
    fn rejects_codes_outside_jis() {
        for bad in [
            "00", "0", "48", "99", "ab", "", " ", "1a", "+1", "1 3", "013", "０", "４８", "-1",
        ] {
            let err = Prefecture::from_code(bad).expect_err(bad);
            assert_eq!(err.code, "prefecture.jis_code", "{bad:?}");
            assert!(err.message_ja.contains("01〜47"));
            assert!(err.field.is_none());
        }
    }

    #[test]
    fn displays_and_serialises_as_two_digits() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct Row {
            prefecture: Prefecture,
        }
        let tokyo = Prefecture::from_number(13).expect("13");
        assert_eq!(tokyo.to_string(), "13");
        assert_eq!(Prefecture::from_number(1).expect("1").to_string(), "01");
        let text = toml::to_string(&Row { prefecture: tokyo }).expect("serialise");
        assert_eq!(text.trim(), r#"prefecture = "13""#);
        let back: Row = toml::from_str(&text).expect("deserialise");
        assert_eq!(back.prefecture, tokyo);
        assert!(toml::from_str::<Row>(r#"prefecture = "48""#).is_err());
        assert!(toml::from_str::<Row>("prefecture = 13").is_err());
    }

    #[test]
    fn all_lists_47_in_order() {
        let all: Vec<_> = Prefecture::all().collect();
        assert_eq!(all.len(), Prefecture::COUNT);
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(all.first().map(|p| p.code()), Some("01".to_owned()));
        assert_eq!(all.last().map(|p| p.code()), Some("47".to_owned()));
    }

    proptest! {
        #[test]
        fn every_jis_number_round_trips_through_code(n in 1u8..=47) {
            let p = Prefecture::from_number(n).expect("in range");
            prop_assert_eq!(p.number(), n);
            prop_assert_eq!(p.code().len(), 2);
            prop_assert_eq!(Prefecture::from_code(&p.code()), Ok(p));
            prop_assert_eq!(Prefecture::from_code(&n.to_string()), Ok(p));
            prop_assert_eq!(p.index(), usize::from(n) - 1);
        }

        #[test]
        fn numbers_outside_jis_are_rejected(n in prop_oneof![Just(0u8), 48u8..=u8::MAX]) {
            prop_assert!(Prefecture::from_number(n).is_none());
            prop_assert!(Prefecture::from_code(&n.to_string()).is_err());
        }
    }
}

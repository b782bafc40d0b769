//! 法人番号 (corporate number): 13 digits, the leftmost being a check digit over the other 12.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::normalize::{all_ascii_digits, half_width_trimmed};
use crate::error::ValidationError;

/// A 法人番号 whose check digit has been verified. Always 13 ASCII digits.
///
/// The check digit (leftmost) equals 9 − (Σ Pn×Qn mod 9), where Pn is the n-th digit of the
/// 12-digit base counted from the right and Qn is 1 for odd n and 2 for even n.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CorporateNumber(String);

impl CorporateNumber {
    /// Parses user input: 13 digits (full-width digits and surrounding whitespace are accepted).
    ///
    /// Errors: `corporate_number.digits` (a character other than a digit),
    /// `corporate_number.length` (not 13 digits), `corporate_number.check_digit`.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = half_width_trimmed(input);
        if !s.is_empty() && !all_ascii_digits(&s) {
            return Err(digits_error());
        }
        let len = s.chars().count();
        if len != 13 {
            return Err(length_error(len));
        }
        let (check, base) = s.split_at(1);
        let expected = Self::check_digit_for_base(base)?;
        if check.as_bytes().first().map(|b| b - b'0') != Some(expected) {
            return Err(check_digit_error());
        }
        Ok(Self(s))
    }

    /// Builds the number from its 12-digit base by computing the check digit.
    pub fn from_base(base: &str) -> Result<Self, ValidationError> {
        let base = half_width_trimmed(base);
        let check = Self::check_digit_for_base(&base)?;
        Ok(Self(format!("{check}{base}")))
    }

    /// The check digit (1..=9) for a 12-digit base.
    ///
    /// Errors: `corporate_number.digits`, or `corporate_number.length` if `base` is not 12 digits.
    pub fn check_digit_for_base(base: &str) -> Result<u8, ValidationError> {
        if !base.is_empty() && !all_ascii_digits(base) {
            return Err(digits_error());
        }
        if base.len() != 12 {
            return Err(base_length_error(base.chars().count()));
        }
        let sum: u32 = base
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| {
                let p = u32::from(b - b'0');
                // n = i + 1: odd n weighs 1, even n weighs 2.
                if i % 2 == 0 { p } else { p * 2 }
            })
            .sum();
        // sum % 9 is in 0..=8, so the result is in 1..=9 and fits a u8.
        Ok(9 - (sum % 9) as u8)
    }

    /// The 13 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The leftmost digit, the check digit (1..=9).
    pub fn check_digit(&self) -> u8 {
        self.0.as_bytes().first().map_or(0, |b| b - b'0')
    }

    /// The 12-digit base (everything after the check digit).
    pub fn base(&self) -> &str {
        self.0.get(1..).unwrap_or_default()
    }
}

fn digits_error() -> ValidationError {
    ValidationError::new(
        "corporate_number.digits",
        "法人番号は数字（0〜9）のみで入力してください。ハイフンや空白などの記号は含めないでください。",
        "A corporate number consists of the digits 0–9 only. Please remove hyphens, spaces and other characters.",
    )
}

fn length_error(len: usize) -> ValidationError {
    ValidationError::new(
        "corporate_number.length",
        format!("法人番号は13桁の数字です。入力された番号は{len}桁です。桁数を確認してください。"),
        format!(
            "A corporate number has exactly 13 digits, but {len} were entered. Please check the number."
        ),
    )
}

fn base_length_error(len: usize) -> ValidationError {
    ValidationError::new(
        "corporate_number.length",
        format!(
            "法人番号の基礎番号（検査用数字を除く部分）は12桁の数字です。入力された番号は{len}桁です。"
        ),
        format!(
            "The base of a corporate number (without the check digit) has exactly 12 digits, but {len} were entered."
        ),
    )
}

fn check_digit_error() -> ValidationError {
    ValidationError::new(
        "corporate_number.check_digit",
        "法人番号の検査用数字（先頭1桁）が一致しません。先頭1桁は、残り12桁の各数字に右から交互に1と2を掛けた合計を9で割った余りを9から引いた値になります。法人番号を確認してください。",
        "The check digit (first digit) of the corporate number does not match. It must equal 9 minus the remainder, divided by 9, of the sum of the other 12 digits weighted 1 and 2 alternately from the right. Please check the number.",
    )
}

impl FromStr for CorporateNumber {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for CorporateNumber {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CorporateNumber> for String {
    fn from(n: CorporateNumber) -> Self {
        n.0
    }
}

impl AsRef<str> for CorporateNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CorporateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(input: &str) -> &'static str {
        CorporateNumber::parse(input).unwrap_err().code
    }

    #[test]
    fn taxonomy_valid_examples() {
        for n in [
            "1180301018771",
            "4000012090001",
            "5010001008846",
            "7123456789012",
        ] {
            let parsed = CorporateNumber::parse(n).unwrap();
            assert_eq!(parsed.as_str(), n);
            assert_eq!(parsed.to_string(), n);
            assert_eq!(CorporateNumber::from_base(&n[1..]).unwrap(), parsed);
        }
    }

    #[test]
    fn taxonomy_invalid_examples() {
        assert_eq!(code("6010001008846"), "corporate_number.check_digit");
        assert_eq!(code("1010001008896"), "corporate_number.check_digit");
    }

    #[test]
    fn check_digit_message_names_the_rule() {
        let e = CorporateNumber::parse("6010001008846").unwrap_err();
        assert!(e.message_ja.contains("検査用数字"));
        assert!(e.message_ja.contains('9'));
        assert!(e.message_en.contains("check digit"));
        assert!(e.field.is_none());
    }

    #[test]
    fn accepts_full_width_and_whitespace() {
        let n = CorporateNumber::parse("　５０１０００１００８８４６ ").unwrap();
        assert_eq!(n.as_str(), "5010001008846");
        assert_eq!(n.check_digit(), 5);
        assert_eq!(n.base(), "010001008846");
        assert_eq!(
            " 1180301018771\n"
                .parse::<CorporateNumber>()
                .unwrap()
                .as_str(),
            "1180301018771"
        );
    }

    #[test]
    fn rejects_with_precise_codes() {
        assert_eq!(code(""), "corporate_number.length");
        assert_eq!(code("   "), "corporate_number.length");
        assert_eq!(code("501000100884"), "corporate_number.length");
        assert_eq!(code("50100010088460"), "corporate_number.length");
        assert_eq!(code("5-0100-0100-8846"), "corporate_number.digits");
        assert_eq!(code("5010001 008846"), "corporate_number.digits");
        assert_eq!(code("501000100884a"), "corporate_number.digits");
        assert_eq!(code("-501000100884"), "corporate_number.digits");
        assert_eq!(
            code("５０１０００１００８８４Ａ"),
            "corporate_number.digits"
        );
        assert_eq!(code("٥٠١٠٠٠١٠٠٨٨٤٦"), "corporate_number.digits");
    }

    #[test]
    fn base_validation() {
        assert_eq!(
            CorporateNumber::check_digit_for_base("010001008846").unwrap(),
            5
        );
        assert_eq!(
            CorporateNumber::check_digit_for_base("01000100884")
                .unwrap_err()
                .code,
            "corporate_number.length"
        );
        assert_eq!(
            CorporateNumber::from_base("01000100884x").unwrap_err().code,
            "corporate_number.digits"
        );
    }

    #[test]
    fn serde_goes_through_validation() {
        #[derive(Debug, Deserialize, Serialize)]
        struct P {
            n: CorporateNumber,
        }
        let p: P = toml::from_str("n = \"5010001008846\"").unwrap();
        assert_eq!(p.n.as_str(), "5010001008846");
        assert_eq!(toml::to_string(&p).unwrap().trim(), "n = \"5010001008846\"");
        let err = toml::from_str::<P>("n = \"6010001008846\"").unwrap_err();
        assert!(
            err.to_string().contains("corporate_number.check_digit"),
            "{err}"
        );
        assert!(toml::from_str::<P>("n = 5010001008846").is_err());
    }

    proptest! {
        #[test]
        fn computed_check_digit_is_the_only_valid_one(base in "[0-9]{12}") {
            let check = CorporateNumber::check_digit_for_base(&base).unwrap();
            prop_assert!((1..=9).contains(&check));
            let valid = format!("{check}{base}");
            let parsed = CorporateNumber::parse(&valid).unwrap();
            prop_assert_eq!(parsed.as_str(), valid.as_str());
            for other in 0..=9u8 {
                if other != check {
                    let e = CorporateNumber::parse(&format!("{other}{base}")).unwrap_err();
                    prop_assert_eq!(e.code, "corporate_number.check_digit");
                }
            }
        }
    }
}

//! 登録番号 of a 登録セキスペ (Registered Information Security Specialist): six digits, shown as
//! 第NNNNNN号.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::normalize::{all_ascii_digits, half_width_trimmed};
use crate::error::ValidationError;

/// A RISS registration number: exactly six digits, leading zeros significant.
///
/// Displays as `第012345号`; serializes as the bare digits `"012345"`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RissNumber(String);

impl RissNumber {
    /// Parses `012345`, `０１２３４５` or the display form `第012345号` (surrounding whitespace
    /// allowed). Error: `riss_number.format`.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = half_width_trimmed(input);
        let digits = match s.strip_prefix('第') {
            Some(rest) => rest.strip_suffix('号').ok_or_else(format_error)?.trim(),
            None => s.as_str(),
        };
        if digits.len() != 6 || !all_ascii_digits(digits) {
            return Err(format_error());
        }
        Ok(Self(digits.to_owned()))
    }

    /// The six digits, e.g. `"012345"`.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

fn format_error() -> ValidationError {
    ValidationError::new(
        "riss_number.format",
        "登録番号は6桁の数字で入力してください（例：012345 または 第012345号）。先頭の0も省略しないでください。",
        "A registration number has exactly six digits (for example 012345 or 第012345号). Please keep any leading zeros.",
    )
}

impl FromStr for RissNumber {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for RissNumber {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RissNumber> for String {
    fn from(n: RissNumber) -> Self {
        n.0
    }
}

impl fmt::Display for RissNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第{}号", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_plain_full_width_and_display_forms() {
        for input in [
            "012345",
            "０１２３４５",
            "第012345号",
            "第０１２３４５号",
            "第 012345 号",
            "  012345\t",
            "　第012345号　",
        ] {
            let n = RissNumber::parse(input).unwrap();
            assert_eq!(n.digits(), "012345", "{input}");
            assert_eq!(n.to_string(), "第012345号");
        }
        assert_eq!("999999".parse::<RissNumber>().unwrap().digits(), "999999");
    }

    #[test]
    fn rejects_with_format_code() {
        for input in [
            "",
            "12345",
            "1234567",
            "01234a",
            "012-345",
            "012 345",
            "第012345",
            "012345号",
            "第12345号",
            "-12345",
            "No.012345",
        ] {
            let e = RissNumber::parse(input).unwrap_err();
            assert_eq!(e.code, "riss_number.format", "{input}");
        }
    }

    #[test]
    fn serde_uses_digits_and_validates() {
        #[derive(Debug, Deserialize, Serialize)]
        struct P {
            n: RissNumber,
        }
        let p: P = toml::from_str("n = \"第012345号\"").unwrap();
        assert_eq!(toml::to_string(&p).unwrap().trim(), "n = \"012345\"");
        assert!(toml::from_str::<P>("n = \"12345\"").is_err());
    }

    proptest! {
        #[test]
        fn display_round_trips(d in "[0-9]{6}") {
            let n = RissNumber::parse(&d).unwrap();
            prop_assert_eq!(RissNumber::parse(&n.to_string()).unwrap(), n);
        }
    }
}

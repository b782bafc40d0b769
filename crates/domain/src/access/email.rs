//! E-mail addresses as account names.

use crate::ValidationError;
use crate::types::half_width_trimmed;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An e-mail address, trimmed and lower-cased, so that one mailbox is one account whatever case
/// it was typed in. Checked for shape only; delivery proves the rest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Error: `email.format`.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = Self::normalise(input);
        let ok = s.len() <= 254
            && s.split_once('@').is_some_and(|(local, domain)| {
                (1..=64).contains(&local.len())
                    && local.bytes().all(is_local_part_byte)
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
                    && domain
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            })
            && s.chars().all(|c| c.is_ascii_graphic());
        if ok {
            Ok(Self(s))
        } else {
            Err(ValidationError::new(
                "email.format",
                "メールアドレスの形式が正しくありません（例：taro@example.jp）。半角英数字で入力してください。",
                "This is not an e-mail address (for example taro@example.jp).",
            ))
        }
    }

    /// What an address typed in any width and case is compared as: the key of its account,
    /// and of its sign-in limit (G02), whether or not it parses.
    pub fn normalise(input: &str) -> String {
        half_width_trimmed(input).to_lowercase()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`, which a password must not contain.
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or(self.0.as_str(), |(l, _)| l)
    }
}

/// The characters of an unquoted local part (RFC 5322 `atext` and dots); quoted forms and
/// markup such as `<script>` are refused. Dots may repeat: older Japanese mobile addresses
/// have `..`.
fn is_local_part_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b)
}

impl TryFrom<String> for Email {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> Self {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(
            Email::parse("  Taro.Yamada@Example.JP ").unwrap().as_str(),
            "taro.yamada@example.jp"
        );
        assert_eq!(
            Email::parse("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ")
                .unwrap()
                .as_str(),
            "taro@example.jp"
        );
        assert_eq!(Email::parse("a+b@ipa.go.jp").unwrap().local_part(), "a+b");
        assert!(Email::parse("taro..yamada.@docomo.ne.jp").is_ok());
        assert_eq!(Email::normalise(" ｒｌ1＠Example.jp"), "rl1@example.jp");
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "",
            "taro",
            "taro@",
            "@example.jp",
            "taro@localhost",
            "taro@example..jp",
            "taro@exa mple.jp",
            "ta ro@example.jp",
            "太郎@example.jp",
            "a@b@example.jp",
            "<script>@example.jp",
            "\"taro\"@example.jp",
            "ta(ro)@example.jp",
            "taro,jiro@example.jp",
        ] {
            assert_eq!(Email::parse(bad).unwrap_err().code, "email.format", "{bad}");
        }
    }
}

//! Password rules for new passwords (G02). Length over composition rules, as current guidance
//! (NIST SP 800-63B, NISC's 「インターネットの安全・安心ハンドブック」) recommends; the commonest
//! passwords and the account's own address are refused.

use crate::ValidationError;
use crate::access::Email;
use std::fmt;

pub const MIN_CHARS: usize = 10;
pub const MAX_CHARS: usize = 128;

/// Passwords that appear at the top of every leaked-password list, and site-specific guesses.
const COMMON: &[&str] = &[
    "1234567890",
    "0123456789",
    "1111111111",
    "password12",
    "password123",
    "password1234",
    "passw0rd12",
    "qwertyuiop",
    "1q2w3e4r5t",
    "qwerty1234",
    "iloveyou12",
    "abcdefghij",
    "abcd123456",
    "koshu12345",
    "koshukoshu",
    "security12",
    "sekisupe12",
];

/// A password someone chose, checked against the rules; never stored as it is.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    /// Errors: `password.too_short`, `password.too_long`, `password.common`,
    /// `password.contains_email`.
    pub fn parse(input: &str, email: &Email) -> Result<Self, ValidationError> {
        Self::check_without_address(input)?;
        let lower = input.to_lowercase();
        let local = email.local_part();
        if local.chars().count() >= 4 && lower.contains(local) {
            return Err(ValidationError::new(
                "password.contains_email",
                "パスワードにメールアドレスを含めないでください。",
                "A password must not contain your e-mail address.",
            ));
        }
        Ok(Self(input.to_owned()))
    }

    /// Every rule but `password.contains_email`: for a form whose address is wrong too, so
    /// that all its problems are reported at once.
    pub fn check_without_address(input: &str) -> Result<(), ValidationError> {
        let chars = input.chars().count();
        if chars < MIN_CHARS {
            return Err(ValidationError::new(
                "password.too_short",
                format!(
                    "パスワードは{MIN_CHARS}文字以上にしてください（現在{chars}文字）。覚えやすい長い文を使うのがおすすめです。"
                ),
                format!(
                    "A password needs at least {MIN_CHARS} characters (this one has {chars}). A long phrase you can remember works well."
                ),
            ));
        }
        if chars > MAX_CHARS {
            return Err(ValidationError::new(
                "password.too_long",
                format!("パスワードは{MAX_CHARS}文字以内にしてください。"),
                format!("A password has at most {MAX_CHARS} characters."),
            ));
        }
        let lower = input.to_lowercase();
        let one_char_repeated = input.chars().all(|c| input.starts_with(c));
        if one_char_repeated || COMMON.contains(&lower.as_str()) {
            return Err(ValidationError::new(
                "password.common",
                "このパスワードはよく使われており、推測されやすいため使えません。",
                "This password is too common and easy to guess.",
            ));
        }
        Ok(())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("hanako.sato@example.jp").unwrap()
    }

    #[test]
    fn a_long_phrase_passes() {
        let p = NewPassword::parse("春はあけぼの やうやう白く", &email()).unwrap();
        assert_eq!(p.expose(), "春はあけぼの やうやう白く");
        assert_eq!(format!("{p:?}"), "NewPassword(***)");
    }

    #[test]
    fn each_rule_has_its_code() {
        let e = email();
        assert_eq!(
            NewPassword::parse("short", &e).unwrap_err().code,
            "password.too_short"
        );
        assert_eq!(
            NewPassword::parse(&"x".repeat(129), &e).unwrap_err().code,
            "password.too_long"
        );
        assert_eq!(
            NewPassword::parse("Password123", &e).unwrap_err().code,
            "password.common"
        );
        assert_eq!(
            NewPassword::parse("aaaaaaaaaaaa", &e).unwrap_err().code,
            "password.common"
        );
        assert_eq!(
            NewPassword::parse("my-Hanako.Sato-pass", &e)
                .unwrap_err()
                .code,
            "password.contains_email"
        );
        // Ten characters exactly is enough; the count is of characters, not bytes.
        assert!(NewPassword::parse("情報処理安全確保支援士", &e).is_ok());
    }
}

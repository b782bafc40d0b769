//! The one shape in which the domain says "this input breaks a rule".
//!
//! Every parse and every rule failure carries a stable `code` (clients and tests match on it),
//! the rule in Japanese and in English, and, once the edge knows it, the name of the field.
//! The web layer maps this type to HTML and JSON in one place each.

use std::fmt;

/// An input that breaks a named rule. Messages are complete sentences shown to users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Stable, dotted identifier such as `corporate_number.check_digit`.
    pub code: &'static str,
    /// The form field or parameter at fault, filled in at the edge (`None` inside the domain).
    pub field: Option<String>,
    pub message_ja: String,
    pub message_en: String,
}

impl ValidationError {
    pub fn new(
        code: &'static str,
        message_ja: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            code,
            field: None,
            message_ja: message_ja.into(),
            message_en: message_en.into(),
        }
    }

    /// Names the field this error belongs to; the edge calls this once it knows the name.
    #[must_use]
    pub fn for_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {} ({})", self.message_en, self.code),
            None => write!(f, "{} ({})", self.message_en, self.code),
        }
    }
}

impl std::error::Error for ValidationError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_field_and_code() {
        let e = ValidationError::new("x.rule", "規則違反です。", "Breaks the rule.").for_field("x");
        assert_eq!(e.to_string(), "x: Breaks the rule. (x.rule)");
        assert_eq!(e.field.as_deref(), Some("x"));
    }
}

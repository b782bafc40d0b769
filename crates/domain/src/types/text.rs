//! Text as typed into a form. Control characters are refused at the edge: PostgreSQL cannot
//! store NUL, and the others break the pages, headers, logs and documents the text goes into.

use crate::ValidationError;

/// What a text field may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// One line (a name, a title): no control character at all, tab and line breaks included.
    Line,
    /// Several lines (a description, a list): line breaks and tabs, no other control character.
    Multiline,
}

/// Error: `text.control_character`, without a field (the edge names it). Controls are C0,
/// DEL and C1 (Unicode category Cc).
pub fn check_controls(input: &str, kind: TextKind) -> Result<(), ValidationError> {
    let allowed = |c: char| kind == TextKind::Multiline && matches!(c, '\n' | '\r' | '\t');
    match input.chars().find(|c| c.is_control() && !allowed(*c)) {
        None => Ok(()),
        Some(c) => {
            let code = format!("U+{:04X}", u32::from(c));
            let (ja, en) = match kind {
                TextKind::Line => (
                    format!(
                        "改行・タブなどの制御文字（{code}）は使えません。1行で入力してください。"
                    ),
                    format!(
                        "Control characters such as line breaks and tabs ({code}) cannot be used; write it on one line."
                    ),
                ),
                TextKind::Multiline => (
                    format!(
                        "使えない制御文字（{code}）が含まれています。改行とタブのほかは使えません。"
                    ),
                    format!(
                        "It contains a control character ({code}); only line breaks and tabs can be used."
                    ),
                ),
            };
            Err(ValidationError::new("text.control_character", ja, en))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_holds_no_control_character() {
        assert!(check_controls("山田 太郎　(Taro)", TextKind::Line).is_ok());
        for bad in [
            "a\0b",
            "a\nb",
            "a\rb",
            "a\tb",
            "a\u{7f}",
            "a\u{85}",
            "\u{1b}[31m",
        ] {
            let e = check_controls(bad, TextKind::Line).unwrap_err();
            assert_eq!(e.code, "text.control_character", "{bad:?}");
        }
        let e = check_controls("x\0", TextKind::Line).unwrap_err();
        assert!(e.message_en.contains("U+0000"), "{}", e.message_en);
    }

    #[test]
    fn several_lines_hold_breaks_and_tabs_only() {
        assert!(check_controls("一行目\r\n二行目\tタブ", TextKind::Multiline).is_ok());
        for bad in ["a\0b", "a\u{7f}", "a\u{9f}", "\u{8}"] {
            assert!(check_controls(bad, TextKind::Multiline).is_err(), "{bad:?}");
        }
    }
}

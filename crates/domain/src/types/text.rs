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

/// The longest one-line text a field holds (a name, a title, an address), in characters.
pub const MAX_LINE_CHARS: usize = 300;
/// The longest text of several lines (a description, a plan), in characters: about ten
/// pages of a form.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// Error: `text.control_character` or `text.too_long`, without a field (the edge names it).
/// Every stored text passes this: nothing reaches the database unbounded (issue 12 item 9).
/// The lines of a text that hold something, trimmed (a list typed one item a line).
pub fn non_empty_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn check_text(input: &str, kind: TextKind) -> Result<(), ValidationError> {
    check_controls(input, kind)?;
    let max = match kind {
        TextKind::Line => MAX_LINE_CHARS,
        TextKind::Multiline => MAX_TEXT_CHARS,
    };
    let n = input.chars().count();
    if n > max {
        return Err(ValidationError::new(
            "text.too_long",
            format!("{max}文字以内で入力してください（いまは{n}文字です）。"),
            format!("Use at most {max} characters ({n} now)."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_bounded_by_its_kind() {
        assert!(check_text(&"あ".repeat(MAX_LINE_CHARS), TextKind::Line).is_ok());
        let e = check_text(&"あ".repeat(MAX_LINE_CHARS + 1), TextKind::Line).unwrap_err();
        assert_eq!(e.code, "text.too_long");
        assert!(e.message_ja.contains("300文字以内"), "{}", e.message_ja);
        assert!(check_text(&"a".repeat(MAX_TEXT_CHARS), TextKind::Multiline).is_ok());
        assert!(check_text(&"a".repeat(MAX_TEXT_CHARS + 1), TextKind::Multiline).is_err());
        assert_eq!(
            check_text("a\0", TextKind::Multiline).unwrap_err().code,
            "text.control_character"
        );
    }

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

//! Shared input clean-up for the newtypes: Japanese users paste full-width characters.

/// Maps full-width ASCII variants (U+FF01..=U+FF5E, e.g. `０`, `：`, `．`, `，`, `－`) to their ASCII
/// forms and the ideographic space (U+3000) to a space, then trims surrounding whitespace.
/// Everything else is left as it is, so each parser still decides what it accepts.
pub(crate) fn half_width_trimmed(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// True when `s` is non-empty and made only of ASCII digits.
pub(crate) fn all_ascii_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_full_width_and_trims() {
        assert_eq!(
            half_width_trimmed("\u{3000}０１２：３０．５，－ "),
            "012:30.5,-"
        );
        assert_eq!(half_width_trimmed("ＦＹ２０２６"), "FY2026");
        assert_eq!(half_width_trimmed("第１号"), "第1号");
    }

    #[test]
    fn digits_only() {
        assert!(all_ascii_digits("0123"));
        assert!(!all_ascii_digits(""));
        assert!(!all_ascii_digits("12a"));
        assert!(!all_ascii_digits("１"));
    }
}

//! Japanese text arrives in many widths: ＣＹＤＥＲ, ｲﾝｼﾃﾞﾝﾄ, Ｗｅｂ. NFKC plus lower case makes
//! them one form; the index folds each character the same way (`tokenize`).

use unicode_normalization::UnicodeNormalization;

/// NFKC and lower case, for query text.
pub fn normalize(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_case_are_folded() {
        assert_eq!(normalize("ＣＹＤＥＲ"), "cyder");
        assert_eq!(normalize("ｲﾝｼﾃﾞﾝﾄ対応"), "インシデント対応");
        assert_eq!(normalize("SecHack365"), "sechack365");
    }
}

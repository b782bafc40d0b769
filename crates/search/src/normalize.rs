//! Japanese text arrives in many widths: ＣＹＤＥＲ, ｲﾝｼﾃﾞﾝﾄ, Ｗｅｂ. NFKC plus lower case makes
//! them one form. As a token filter it keeps the offsets of the original text, so highlights
//! land on the characters the visitor sees.

use std::mem;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;

/// NFKC and lower case, for query text (the index applies the same per token).
pub fn normalize(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).collect()
}

#[derive(Clone, Debug)]
pub struct Normalize;

impl TokenFilter for Normalize {
    type Tokenizer<T: Tokenizer> = NormalizeFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> NormalizeFilter<T> {
        NormalizeFilter {
            tokenizer,
            buffer: String::new(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct NormalizeFilter<T> {
    tokenizer: T,
    buffer: String,
}

impl<T: Tokenizer> Tokenizer for NormalizeFilter<T> {
    type TokenStream<'a> = NormalizeStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        NormalizeStream {
            tail: self.tokenizer.token_stream(text),
            buffer: &mut self.buffer,
        }
    }
}

#[derive(Debug)]
pub struct NormalizeStream<'a, T> {
    tail: T,
    buffer: &'a mut String,
}

impl<T: TokenStream> TokenStream for NormalizeStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if token.text.is_ascii() {
            token.text.make_ascii_lowercase();
        } else {
            self.buffer.clear();
            self.buffer
                .extend(token.text.nfkc().flat_map(char::to_lowercase));
            mem::swap(&mut token.text, self.buffer);
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
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

//! How text becomes index terms (ARCHITECTURE.md, decision 14). Japanese is written without
//! spaces and no dictionary is shipped, so a run of Japanese (kana, kanji, punctuation) is
//! indexed as its character uni- and bigrams: 対応, 攻撃 and parts of words match. A Latin word
//! is one term, and so is a number: CISO matches CISO only, not the c, i, s and o of other
//! words; SecHack365 is `sechack` and `365`. Every character is folded first (NFKC, lower
//! case: ＣＹＤＥＲ, ｲﾝｼﾃﾞﾝﾄ), while offsets stay those of the original text, so highlights land
//! on the characters the visitor sees.

use std::ops::Range;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// How a folded character takes part in terms.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    /// Everything else that is not a space: kana, kanji, symbols. Indexed as n-grams.
    Gram,
    Space,
}

fn class(c: char) -> Class {
    if c.is_ascii_alphabetic() {
        Class::Letter
    } else if c.is_ascii_digit() {
        Class::Digit
    } else if c.is_whitespace() {
        Class::Space
    } else {
        Class::Gram
    }
}

/// The folded characters of `text`, each with the bytes of the original it comes from. A
/// character and the marks that follow it (ﾃﾞ, か゛) are folded together, so that NFKC can
/// compose them into one (デ).
fn folded(text: &str) -> Vec<(char, Range<usize>)> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let mut unit = String::new();
    while let Some((start, c)) = chars.next() {
        unit.clear();
        unit.push(c);
        let mut end = start + c.len_utf8();
        while let Some(&(at, next)) = chars.peek() {
            if !is_voicing_mark(next) {
                break;
            }
            unit.push(next);
            end = at + next.len_utf8();
            chars.next();
        }
        out.extend(
            unit.nfkc()
                .flat_map(char::to_lowercase)
                .map(|f| (f, start..end)),
        );
    }
    out
}

/// Marks that NFKC joins to the character before them: combining marks and the half-width
/// (ﾞ ﾟ) and spacing (゛ ゜) voicing marks.
fn is_voicing_mark(c: char) -> bool {
    is_combining_mark(c) || matches!(c, '\u{FF9E}' | '\u{FF9F}' | '\u{309B}' | '\u{309C}')
}

/// Every term of `text` with its byte range in `text`: whole Latin words and numbers, and the
/// uni- and bigrams of each run of other characters.
pub fn terms(text: &str) -> Vec<(String, Range<usize>)> {
    let chars = folded(text);
    let mut out = Vec::with_capacity(chars.len() * 2);
    let mut i = 0;
    while i < chars.len() {
        let kind = class(chars[i].0);
        let mut j = i + 1;
        while j < chars.len() && class(chars[j].0) == kind {
            j += 1;
        }
        let run = &chars[i..j];
        match kind {
            Class::Space => {}
            Class::Letter | Class::Digit => {
                out.push((
                    run.iter().map(|(c, _)| *c).collect(),
                    run[0].1.start..run[run.len() - 1].1.end,
                ));
            }
            Class::Gram => {
                for (k, (c, range)) in run.iter().enumerate() {
                    out.push((c.to_string(), range.clone()));
                    if let Some((next, next_range)) = run.get(k + 1) {
                        out.push(([*c, *next].iter().collect(), range.start..next_range.end));
                    }
                }
            }
        }
        i = j;
    }
    out
}

/// A Latin part cut into its terms: letters and digits apart (`sechack365` → `sechack`, `365`).
pub fn word_terms(part: &str) -> Vec<String> {
    terms(part).into_iter().map(|(t, _)| t).collect()
}

/// The tokenizer registered for every text field.
#[derive(Clone, Copy, Debug, Default)]
pub struct CatalogueTokenizer;

impl Tokenizer for CatalogueTokenizer {
    type TokenStream<'a> = Tokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        let tokens: Vec<Token> = terms(text)
            .into_iter()
            .enumerate()
            .map(|(position, (text, range))| Token {
                offset_from: range.start,
                offset_to: range.end,
                position,
                text,
                position_length: 1,
            })
            .collect();
        Tokens {
            rest: tokens.into_iter(),
            current: Token::default(),
        }
    }
}

#[derive(Debug)]
pub struct Tokens {
    rest: std::vec::IntoIter<Token>,
    current: Token,
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        match self.rest.next() {
            Some(token) => {
                self.current = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        terms(text).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn latin_words_and_numbers_are_whole_terms() {
        assert_eq!(texts("CISO 向け"), ["ciso", "向", "向け", "け"]);
        assert_eq!(texts("SecHack365"), ["sechack", "365"]);
        assert_eq!(texts("ＣＹＤＥＲ"), ["cyder"]);
        assert_eq!(
            texts("Webアプリ"),
            ["web", "ア", "アプ", "プ", "プリ", "リ"]
        );
    }

    #[test]
    fn japanese_is_cut_into_uni_and_bigrams_with_original_offsets() {
        let t = terms("ｲﾝｼﾃﾞﾝﾄ");
        let grams: Vec<&str> = t.iter().map(|(t, _)| t.as_str()).collect();
        assert!(
            grams.contains(&"デ") && grams.contains(&"シデ"),
            "{grams:?}"
        );
        let text = "ｲﾝｼﾃﾞﾝﾄ";
        let (_, de) = t.iter().find(|(t, _)| t == "デ").unwrap();
        assert_eq!(&text[de.clone()], "ﾃﾞ");
        assert_eq!(texts("対応 攻撃"), ["対", "対応", "応", "攻", "攻撃", "撃"]);
    }
}

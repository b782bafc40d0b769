//! Baking an Open Badges credential into an SVG image and reading it back.
//!
//! Open Badges 3.0 §5.3.2 ("SVG"): the `<svg>` tag gets `xmlns:openbadges` with the value
//! `https://purl.imsglobal.org/ob/v3p0`, and directly after it an `<openbadges:credential>`
//! element holds the credential's JSON in CDATA (or, for a VC-JWT, a `verify` attribute with the
//! compact JWS); there MUST be only one such element. The markup is read by a small tokenizer
//! (comments, CDATA, declarations and quoted attribute values skipped properly) rather than by
//! searching for the tag's text, so a tag inside a comment is not taken for the credential.

use crate::FormsError;

/// The namespace the specification gives the `openbadges` prefix.
pub(super) const NAMESPACE: &str = "https://purl.imsglobal.org/ob/v3p0";
const ELEMENT: &str = "openbadges:credential";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind<'a> {
    /// A start tag: its name, the text between the name and `>` or `/>`, and whether it is
    /// empty (`<x/>`).
    Open {
        name: &'a str,
        attrs: &'a str,
        empty: bool,
    },
    Close(&'a str),
    CData(&'a str),
    Text(&'a str),
    /// Comments, processing instructions, declarations.
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    start: usize,
    end: usize,
    kind: Kind<'a>,
}

/// The markup of `s` token by token; `Err` on markup left unterminated, after which nothing
/// more is read.
struct Tokens<'a> {
    s: &'a str,
    pos: usize,
}

fn tokens(s: &str) -> Tokens<'_> {
    Tokens { s, pos: 0 }
}

/// The end of a tag starting at `from` (just after its `>`), quoted `>` skipped.
fn tag_end(s: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s[from..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(from + i + 1),
            _ => {}
        }
    }
    None
}

/// The end of a `<!DOCTYPE …>` declaration, its internal subset in brackets included.
fn declaration_end(s: &str, from: usize) -> Option<usize> {
    let mut depth = 0u32;
    let mut quote = None;
    for (i, c) in s[from..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '[') => depth += 1,
            (None, ']') => depth = depth.saturating_sub(1),
            (None, '>') if depth == 0 => return Some(from + i + 1),
            _ => {}
        }
    }
    None
}

fn tag_name(inner: &str) -> (&str, &str) {
    let end = inner
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(inner.len());
    inner.split_at(end)
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Result<Token<'a>, ()>;

    fn next(&mut self) -> Option<Self::Item> {
        let (s, start) = (self.s, self.pos);
        let rest = s.get(start..).filter(|r| !r.is_empty())?;
        let found = if !rest.starts_with('<') {
            let end = rest.find('<').map_or(s.len(), |i| start + i);
            Some((end, Kind::Text(&s[start..end])))
        } else if let Some(body) = rest.strip_prefix("<!--") {
            body.find("-->").map(|i| (start + 4 + i + 3, Kind::Other))
        } else if let Some(body) = rest.strip_prefix("<![CDATA[") {
            body.find("]]>")
                .map(|i| (start + 9 + i + 3, Kind::CData(&body[..i])))
        } else if rest.starts_with("<?") {
            rest.find("?>").map(|i| (start + i + 2, Kind::Other))
        } else if rest.starts_with("<!") {
            declaration_end(s, start).map(|end| (end, Kind::Other))
        } else if let Some(body) = rest.strip_prefix("</") {
            body.find('>')
                .map(|i| (start + 2 + i + 1, Kind::Close(tag_name(&body[..i]).0)))
        } else {
            tag_end(s, start).map(|end| {
                let inner = &s[start + 1..end - 1];
                let (inner, empty) = match inner.strip_suffix('/') {
                    Some(inner) => (inner, true),
                    None => (inner, false),
                };
                let (name, attrs) = tag_name(inner);
                (end, Kind::Open { name, attrs, empty })
            })
        };
        match found {
            Some((end, kind)) => {
                self.pos = end;
                Some(Ok(Token { start, end, kind }))
            }
            None => {
                self.pos = s.len();
                Some(Err(()))
            }
        }
    }
}

/// The value of attribute `name` in a start tag's attribute text, entities decoded.
fn attribute(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start();
        let eq = rest.find('=')?;
        let key = rest[..eq].trim();
        let after = rest[eq + 1..].trim_start();
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let close = after[1..].find(quote)?;
        if key == name {
            return Some(decode_entities(&after[1..=close]));
        }
        rest = &after[close + 2..];
    }
}

/// Character data with XML's predefined entities and character references decoded; anything
/// else is kept as written.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').and_then(|semi| {
            let c = match &rest[1..semi] {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                name => name
                    .strip_prefix("#x")
                    .map(|h| u32::from_str_radix(h, 16))
                    .or_else(|| name.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Text escaped for XML character data and attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The byte ranges of every `<openbadges:credential>` element (start tag to end tag) from
/// `tokens`, or `None` when one is left unclosed.
fn credential_elements(tokens: &[Token<'_>]) -> Option<Vec<(usize, usize, usize)>> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(t) = tokens.get(i) {
        if let Kind::Open { name, empty, .. } = t.kind
            && name == ELEMENT
        {
            if empty {
                out.push((i, i, t.end));
            } else {
                let close = tokens[i + 1..]
                    .iter()
                    .position(|c| c.kind == Kind::Close(ELEMENT))?
                    + i
                    + 1;
                out.push((i, close, tokens[close].end));
                i = close;
            }
        }
        i += 1;
    }
    Some(out)
}

/// Bakes `credential_json` into `svg` (Open Badges 3.0 §5.3.2.1): declares the `openbadges`
/// namespace on the `<svg>` tag and puts the JSON in CDATA in an `<openbadges:credential>`
/// element directly after it, replacing any credential element the image already held. A
/// `]]>` in the JSON is split across two CDATA sections, which [`unbake_svg`] joins again.
///
/// Errors: the text has no `<svg>` root element or its markup is left unterminated.
pub fn bake_svg(svg: &str, credential_json: &str) -> Result<String, FormsError> {
    let broken = || FormsError::Svg("the SVG markup is not well formed".to_owned());
    let tokens = tokens(svg)
        .collect::<Result<Vec<_>, ()>>()
        .map_err(|()| broken())?;
    let root = tokens
        .iter()
        .find(|t| matches!(t.kind, Kind::Open { .. }))
        .filter(|t| matches!(t.kind, Kind::Open { name: "svg", .. }))
        .ok_or_else(|| FormsError::Svg("the document's root element is not <svg>".to_owned()))?;
    let Kind::Open { attrs, empty, .. } = root.kind else {
        return Err(broken());
    };
    let old = credential_elements(&tokens).ok_or_else(broken)?;

    let mut out = String::with_capacity(svg.len() + credential_json.len() + 120);
    out.push_str(&svg[..root.end - if empty { 2 } else { 1 }]);
    if attribute(attrs, "xmlns:openbadges").is_none() {
        out.push_str(&format!(r#" xmlns:openbadges="{NAMESPACE}""#));
    }
    out.push('>');
    out.push_str("<openbadges:credential><![CDATA[");
    out.push_str(&credential_json.replace("]]>", "]]]]><![CDATA[>"));
    out.push_str("]]></openbadges:credential>");
    if empty {
        out.push_str("</svg>");
    }
    let mut at = root.end;
    for (open, _, end) in old {
        out.push_str(&svg[at..tokens[open].start]);
        at = end;
    }
    out.push_str(&svg[at..]);
    Ok(out)
}

/// The credential baked into `svg` (Open Badges 3.0 §5.3.2.2): the first
/// `<openbadges:credential>` element's `verify` attribute (a VC-JWT) or its content (CDATA
/// sections joined, other text with entities decoded, indentation dropped). `None` when the
/// image holds no credential or its markup breaks off before the element is closed.
pub fn unbake_svg(svg: &str) -> Option<String> {
    // The tokens up to the first broken piece of markup: a credential element before it can
    // still be read.
    let tokens: Vec<_> = tokens(svg).map_while(Result::ok).collect();
    let (open, close, _) = *credential_elements(&tokens)?.first()?;
    if let Kind::Open { attrs, .. } = tokens[open].kind
        && let Some(jws) = attribute(attrs, "verify").filter(|v| !v.is_empty())
    {
        return Some(jws);
    }
    let mut text = String::new();
    for t in &tokens[open + 1..close] {
        match t.kind {
            Kind::CData(data) => text.push_str(data),
            Kind::Text(data) if !data.trim().is_empty() => text.push_str(&decode_entities(data)),
            _ => {}
        }
    }
    Some(text).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_skip_comments_cdata_declarations_and_quoted_brackets() {
        let s = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b>">]><!-- <x> --><svg a=">" b='/>'><![CDATA[<y>]]>t</svg>"#;
        let kinds: Vec<_> = tokens(s).map(|t| t.map(|t| t.kind)).collect();
        assert_eq!(
            kinds,
            [
                Ok(Kind::Other),
                Ok(Kind::Other),
                Ok(Kind::Other),
                Ok(Kind::Open {
                    name: "svg",
                    attrs: r#" a=">" b='/>'"#,
                    empty: false
                }),
                Ok(Kind::CData("<y>")),
                Ok(Kind::Text("t")),
                Ok(Kind::Close("svg")),
            ]
        );
        assert!(matches!(tokens("<svg a='>").last(), Some(Err(()))));
    }

    #[test]
    fn entities_and_attributes() {
        assert_eq!(
            decode_entities("a&lt;b&#x41;&#66;&amp;&bogus;&"),
            "a<bAB&&bogus;&"
        );
        assert_eq!(
            attribute(r#" x="1" verify='a&amp;b' "#, "verify").as_deref(),
            Some("a&b")
        );
        assert_eq!(attribute(r#" x="1""#, "verify"), None);
        assert_eq!(
            escape(r#"<a & "b">'"#),
            "&lt;a &amp; &quot;b&quot;&gt;&apos;"
        );
    }
}

//! `multipart/mixed` as xAPI uses it (statements with their attachments' raw data): read a
//! request's parts, and write a response's. Parts are bounded by the request's body limit.

use axum::http::HeaderMap;

/// One part: its headers (names lower-cased) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Part {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The boundary of a `multipart/mixed` content type, or `None` if it is not one.
pub fn boundary(headers: &HeaderMap) -> Option<String> {
    let value = headers
        .get(axum::http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    let mut params = value.split(';');
    if !params
        .next()?
        .trim()
        .eq_ignore_ascii_case("multipart/mixed")
    {
        return None;
    }
    params.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The parts of a body, or `None` when it is not well formed.
pub fn parse(body: &[u8], boundary: &str) -> Option<Vec<Part>> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut at = find(body, &delimiter, 0)? + delimiter.len();
    let mut parts = Vec::new();
    loop {
        if body.get(at..at + 2) == Some(b"--") {
            return Some(parts);
        }
        // The rest of the delimiter line.
        at = find(body, b"\r\n", at)? + 2;
        let headers_end = find(body, b"\r\n\r\n", at);
        let (headers, body_start) = match headers_end {
            Some(end) if body.get(at..at + 2).is_none_or(|b| b != b"\r\n") => {
                (body.get(at..end)?, end + 4)
            }
            _ => (&[][..], at + 2),
        };
        let headers = std::str::from_utf8(headers)
            .ok()?
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(|line| {
                let (name, value) = line.split_once(':')?;
                Some((name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            })
            .collect::<Option<Vec<_>>>()?;
        let mut next = delimiter.clone();
        next.splice(0..0, *b"\r\n");
        let end = find(body, &next, body_start)?;
        parts.push(Part {
            headers,
            body: body.get(body_start..end)?.to_vec(),
        });
        at = end + next.len();
    }
}

/// A body of `parts` under `boundary`.
pub fn write(parts: &[Part], boundary: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        for (name, value) in &part.headers {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&part.body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_body_reads_back_as_its_parts() {
        let parts = vec![
            Part {
                headers: vec![("content-type".into(), "application/json".into())],
                body: b"[{\"a\":1}]".to_vec(),
            },
            Part {
                headers: vec![
                    ("content-type".into(), "text/plain".into()),
                    ("x-experience-api-hash".into(), "abc".into()),
                ],
                body: b"line one\r\nline two".to_vec(),
            },
        ];
        let body = write(&parts, "b0undary");
        assert_eq!(parse(&body, "b0undary"), Some(parts));
    }

    #[test]
    fn a_body_without_its_closing_delimiter_is_refused() {
        let body = b"--b\r\ncontent-type: text/plain\r\n\r\nunfinished";
        assert_eq!(parse(body, "b"), None);
    }
}

//! Where to go after signing in (G02): the `next` a sign-in link carries is typed by whoever
//! made the link, so only a path on this site is followed, never another host.

/// A same-site absolute path such as `/applications/42?tab=rules`: one leading `/` (not `//`
/// or `/\`, which browsers read as another host), and only visible ASCII without `\`.
/// Control characters and whitespace are refused too: browsers drop a tab or newline from a
/// URL (`/<TAB>/evil.example` becomes `//evil.example`), and a header cannot carry them.
/// Paths this site makes are percent-encoded, so they are always ASCII.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeNextPath(String);

/// Longer than any path this site makes; a `Location` header stays small.
const MAX_LEN: usize = 2000;

impl SafeNextPath {
    /// `None` when `input` is not a same-site path; the caller falls back to its default page.
    pub fn parse(input: &str) -> Option<Self> {
        let b = input.as_bytes();
        let ok = b.len() <= MAX_LEN
            && b.first() == Some(&b'/')
            && !matches!(b.get(1), Some(b'/' | b'\\'))
            && b.iter().all(|c| c.is_ascii_graphic() && *c != b'\\');
        ok.then(|| Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_on_this_site_are_followed() {
        for good in [
            "/",
            "/account",
            "/en/applications/0193-ab?tab=rules#b24",
            "/search?q=%E6%94%BB%E6%92%83&prefecture=27",
        ] {
            assert_eq!(SafeNextPath::parse(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn other_hosts_and_unsafe_characters_are_refused() {
        for bad in [
            "",
            "account",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n",
            "/\0",
            "/\u{7f}",
            "/\r\nSet-Cookie:x=1",
            "/a b",
            "/a\\b",
            "/\u{85}",
            "/\u{3000}",
            "/攻撃",
        ] {
            assert_eq!(SafeNextPath::parse(bad), None, "{bad:?}");
        }
        assert_eq!(SafeNextPath::parse(&format!("/{}", "a".repeat(2000))), None);
    }
}

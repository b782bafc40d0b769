//! Sealing a day's attendance (B19): the history is kept, and the digest of the day's events
//! goes into the audit chain ([`crate::audit`]), so a record edited or removed afterwards no
//! longer matches the seal.

use crate::audit::digest_of;

/// SHA-256 (hex) of the lines, each ended by a newline: the digest `sha256sum` gives for the
/// same lines in a file, so anyone can recompute it from an export. A backslash or a newline
/// inside a line is escaped (`\\`, `\n`) first, so no two lists share a text.
pub fn seal_digest(lines: &[String]) -> String {
    let mut text = String::new();
    for line in lines {
        text.push_str(&line.replace('\\', "\\\\").replace('\n', "\\n"));
        text.push('\n');
    }
    digest_of(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn b19_seal_is_sha256sum_of_the_lines() {
        assert_eq!(
            seal_digest(&lines(&["a", "b"])),
            "911169ddaaf146aff539f58c26c489af3b892dff0fe283c1c264c65ae5aa59a2"
        );
        assert_eq!(
            seal_digest(&[]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn b19_seal_changes_with_any_edit() {
        let day = seal_digest(&lines(&["a", "b"]));
        assert_ne!(seal_digest(&lines(&["b", "a"])), day);
        assert_ne!(seal_digest(&lines(&["a"])), day);
        assert_ne!(seal_digest(&lines(&["a\nb"])), day);
        assert_ne!(seal_digest(&lines(&["a", "b", ""])), day);
        assert_ne!(
            seal_digest(&lines(&["a\\nb"])),
            seal_digest(&lines(&["a\nb"]))
        );
    }
}

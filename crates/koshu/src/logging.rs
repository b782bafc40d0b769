//! Log lines for people. Values typed into the site (a display name, an address, a mail body)
//! reach the log as fields; a line break in one would start a forged line of its own, and an
//! escape sequence would drive the reader's terminal (G05, C07). Every control character in
//! a field is written escaped, so one event is always one line.

use std::fmt::Write as _;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format::{self, FormatFields};

/// The field formatter of the human log: `message key=value ...`, each control character as
/// `\n`, `\r`, `\t` or `\u{1b}`.
pub fn escaped_fields() -> impl for<'w> FormatFields<'w> + Send + Sync + 'static {
    format::debug_fn(|w, field, value| {
        let text = escape_controls(&format!("{value:?}"));
        if field.name() == "message" {
            w.write_str(&text)
        } else {
            write!(w, "{field}={text}")
        }
    })
    .delimited(" ")
}

fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_field_with_a_line_break_stays_on_its_line() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .fmt_fields(escaped_fields())
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let name = "山田\n2026-04-01T00:00:00Z  INFO forged: admin signed in";
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(to = %name, body = name, "mail queued\u{1b}[2J");
        });
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(log.lines().count(), 1, "{log}");
        assert!(
            log.contains(r"to=山田\n2026-04-01T00:00:00Z  INFO forged"),
            "{log}"
        );
        assert!(log.contains(r#"body="山田\n2026"#), "{log}");
        assert!(log.contains(r"mail queued\u{1b}[2J"), "{log}");
    }
}

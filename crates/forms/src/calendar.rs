//! iCalendar files (RFC 5545) that go with a mail whose dates matter (an enrolment's blocks), and
//! the RISS holder's deadline feed. `METHOD:PUBLISH`, since the reader keeps the dates rather
//! than answering a meeting invitation.

use time::macros::format_description;
use time::{Date, OffsetDateTime};

/// When an entry is: a timed block, or a whole day (a deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Timed {
        starts: OffsetDateTime,
        ends: OffsetDateTime,
    },
    AllDay(Date),
}

/// One dated entry: a block of a session, a holder's deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// Stable across resends, so a calendar updates the entry instead of adding another.
    pub uid: String,
    pub when: When,
    pub summary: String,
    pub location: Option<String>,
    pub description: String,
    pub url: Option<String>,
}

/// The file's text, CRLF line ends, long lines folded as the RFC asks.
pub fn ics(events: &[CalendarEvent], stamp: OffsetDateTime) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Koshu//Koshu//JA".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
    ];
    for e in events {
        lines.push("BEGIN:VEVENT".to_owned());
        lines.push(format!("UID:{}", escape(&e.uid)));
        lines.push(format!("DTSTAMP:{}", utc(stamp)));
        match e.when {
            When::Timed { starts, ends } => {
                lines.push(format!("DTSTART:{}", utc(starts)));
                lines.push(format!("DTEND:{}", utc(ends)));
            }
            When::AllDay(day) => {
                // DTEND is exclusive: the next day.
                lines.push(format!("DTSTART;VALUE=DATE:{}", ymd(day)));
                lines.push(format!(
                    "DTEND;VALUE=DATE:{}",
                    ymd(day.next_day().unwrap_or(day))
                ));
            }
        }
        lines.push(format!("SUMMARY:{}", escape(&e.summary)));
        if let Some(l) = &e.location {
            lines.push(format!("LOCATION:{}", escape(l)));
        }
        lines.push(format!("DESCRIPTION:{}", escape(&e.description)));
        if let Some(u) = &e.url {
            lines.push(format!("URL:{u}"));
        }
        lines.push("END:VEVENT".to_owned());
    }
    lines.push("END:VCALENDAR".to_owned());
    lines.iter().map(|l| fold(l) + "\r\n").collect()
}

fn utc(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_default()
}

fn ymd(day: Date) -> String {
    day.format(format_description!("[year][month][day]"))
        .unwrap_or_default()
}

/// TEXT values: backslash, semicolon and comma escaped, line breaks as `\n`.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Lines longer than 75 octets continue on the next line after a space, never inside a
/// character (Japanese text is three octets a character).
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn event() -> CalendarEvent {
        CalendarEvent {
            uid: "e-1-1@koshu".to_owned(),
            when: When::Timed {
                starts: datetime!(2026-06-10 10:00 +09:00),
                ends: datetime!(2026-06-10 12:00 +09:00),
            },
            summary: "標的型攻撃への初動対応演習（第1部）".to_owned(),
            location: Some("霞が関研修室, 3階".to_owned()),
            description: "受付で本人確認をします。\n写真付きの身分証明書をお持ちください。"
                .repeat(3),
            url: Some("https://koshu.test/learn/s-1".to_owned()),
        }
    }

    #[test]
    fn an_enrolment_calendar_has_its_blocks_in_utc_with_escaped_text() {
        let text = ics(&[event()], datetime!(2026-06-01 00:00 UTC));
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.contains("METHOD:PUBLISH\r\n"));
        assert!(text.contains("DTSTART:20260610T010000Z\r\n"));
        assert!(text.contains("DTEND:20260610T030000Z\r\n"));
        assert!(text.contains("LOCATION:霞が関研修室\\, 3階\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        // Unfolded, the description is the text with its line breaks escaped.
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains("DESCRIPTION:受付で本人確認をします。\\n写真付き"));
    }

    #[test]
    fn a_deadline_is_a_whole_day_with_an_exclusive_end() {
        let deadline = CalendarEvent {
            when: When::AllDay(time::macros::date!(2024 - 08 - 01)),
            location: None,
            ..event()
        };
        let text = ics(&[deadline], datetime!(2026-06-01 00:00 UTC));
        assert!(text.contains("DTSTART;VALUE=DATE:20240801\r\n"));
        assert!(text.contains("DTEND;VALUE=DATE:20240802\r\n"));
        assert!(!text.contains("LOCATION"));
    }

    #[test]
    fn every_line_fits_in_75_octets_and_no_character_is_split() {
        let text = ics(&[event()], datetime!(2026-06-01 00:00 UTC));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
    }
}

//! The timetable as a provider types it: one block a line, `2026-06-10 10:00-12:00 内容`. A
//! textarea of lines works without JavaScript, pastes from a spreadsheet, and reads back as it
//! was written.

use super::plan::Block;
use crate::ValidationError;
use crate::types::normalize::half_width_trimmed;
use crate::types::parse_date;
use time::Time;

fn line_error(line: usize) -> ValidationError {
    ValidationError::new(
        "timetable.line",
        format!(
            "時間割の{line}行目を読めません。「2026-06-10 10:00-12:00 内容」の形で、1行に1コマずつ書いてください。"
        ),
        format!(
            "Line {line} of the timetable cannot be read: write one block a line, as \"2026-06-10 10:00-12:00 content\"."
        ),
    )
    .for_field("timetable")
}

fn time_of(s: &str) -> Option<Time> {
    let (h, m) = s.split_once(':')?;
    Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

/// Reads the blocks, numbered in the order written; blank lines are skipped. Dates as
/// `parse_date` reads them (2026-06-10, 2026/6/10, 2026年6月10日); times `10:00-12:00`, also
/// with `〜` or `~` and full-width digits. Soundness (order, overlap, dates) is
/// `d01_timetable_is_sound`'s.
pub fn parse_timetable(text: &str) -> Result<Vec<Block>, ValidationError> {
    let mut blocks = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = half_width_trimmed(raw).replace(['〜', '~', '～'], "-");
        if line.is_empty() {
            continue;
        }
        let mut parts = line.splitn(3, char::is_whitespace);
        let (Some(day), Some(times)) = (parts.next(), parts.next()) else {
            return Err(line_error(i + 1));
        };
        let items = parts.next().unwrap_or("").trim().to_owned();
        let day = parse_date(day).map_err(|_| line_error(i + 1))?;
        let (from, to) = times.split_once('-').ok_or_else(|| line_error(i + 1))?;
        let (Some(starts_at), Some(ends_at)) = (time_of(from), time_of(to)) else {
            return Err(line_error(i + 1));
        };
        blocks.push(Block {
            number: u32::try_from(blocks.len() + 1).unwrap_or(u32::MAX),
            day,
            starts_at,
            ends_at,
            items,
        });
    }
    Ok(blocks)
}

/// The blocks as `parse_timetable` reads them.
pub fn timetable_text(blocks: &[Block]) -> String {
    blocks
        .iter()
        .map(|b| {
            format!(
                "{} {:02}:{:02}-{:02}:{:02} {}",
                b.day,
                b.starts_at.hour(),
                b.starts_at.minute(),
                b.ends_at.hour(),
                b.ends_at.minute(),
                b.items
            )
            .trim_end()
            .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, time};

    #[test]
    fn d01_a_typed_timetable_reads_as_numbered_blocks_and_back() {
        let text =
            "2026-06-10 10:00-12:00 インシデント対応の基礎\n\n２０２６/6/10　13:00〜17:00 演習\n";
        let blocks = parse_timetable(text).unwrap_or_default();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1].number, 2);
        assert_eq!(blocks[1].day, date!(2026 - 06 - 10));
        assert_eq!(blocks[1].starts_at, time!(13:00));
        assert_eq!(blocks[1].ends_at, time!(17:00));
        assert_eq!(blocks[1].items, "演習");
        assert_eq!(parse_timetable(&timetable_text(&blocks)).ok(), Some(blocks));
    }

    #[test]
    fn d01_a_line_that_is_not_a_block_is_refused_with_its_number() {
        let e = parse_timetable("2026-06-10 10:00-12:00\n6月10日 午前").err();
        assert_eq!(e.as_ref().map(|e| e.code), Some("timetable.line"));
        assert!(e.is_some_and(|e| e.message_ja.contains("2行目")));
        assert!(parse_timetable("2026-06-10 25:00-26:00").is_err());
    }
}

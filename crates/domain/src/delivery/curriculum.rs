//! The curriculum as a provider types it on the delivery plan, one item a line:
//! `90 1,2 インシデント対応演習` (standard minutes, the blocks that teach it, the title) or
//! `60 2026-06-01〜2026-06-09 事前学習 https://…` (on demand within those dates, the material's
//! address last, when it is elsewhere). Like the timetable, a
//! textarea of lines works without JavaScript and pastes from a spreadsheet.

use super::progress::{ItemMode, PlanItem};
use crate::ValidationError;
use crate::types::normalize::half_width_trimmed;
use crate::types::parse_date;

fn line_error(line: usize) -> ValidationError {
    ValidationError::new(
        "curriculum.line",
        format!(
            "カリキュラムの{line}行目を読めません。「90 1,2 題目」（標準学習時間の分、コマ番号、題目）または「60 2026-06-01〜2026-06-09 題目」（オンデマンドの期間）の形で、1行に1項目ずつ書いてください。"
        ),
        format!(
            "Line {line} of the curriculum cannot be read: write one item a line, as \"90 1,2 title\" (standard minutes, block numbers, title) or \"60 2026-06-01~2026-06-09 title\" (on demand within those dates)."
        ),
    )
    .for_field("curriculum")
}

fn mode_of(s: &str) -> Option<ItemMode> {
    if let Some((from, due)) = s.split_once("..") {
        return Some(ItemMode::OnDemand {
            from: parse_date(from).ok()?,
            due: parse_date(due).ok()?,
        });
    }
    let list = s.trim_start_matches('第').trim_end_matches("コマ");
    let blocks = list
        .split([',', '、'])
        .map(|n| n.trim().parse::<u32>().ok())
        .collect::<Option<Vec<u32>>>()?;
    Some(ItemMode::Live { blocks })
}

/// Reads the items, numbered in the order written; blank lines are skipped. Minutes may carry
/// 分; blocks may be written 第1,2コマ; the period's dates are joined by 〜, ~ or `..`.
/// Soundness (blocks exist, periods within the session) is `d04_curriculum_is_sound`'s.
pub fn parse_curriculum(text: &str) -> Result<Vec<PlanItem>, ValidationError> {
    let mut items = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        // Only the minutes and the place are normalised: the title is kept as typed.
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let mut parts = line.splitn(3, char::is_whitespace);
        let (Some(minutes), Some(place), Some(title)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(line_error(i + 1));
        };
        let place = half_width_trimmed(place).replace(['〜', '~', '～'], "..");
        let standard_minutes = half_width_trimmed(minutes)
            .trim_end_matches('分')
            .parse()
            .map_err(|_| line_error(i + 1))?;
        let mode = mode_of(&place).ok_or_else(|| line_error(i + 1))?;
        let title = title.trim();
        let (title, material) = match title.rsplit_once(char::is_whitespace) {
            Some((t, url)) if url.starts_with("http://") || url.starts_with("https://") => {
                (t.trim(), Some(url.to_owned()))
            }
            _ => (title, None),
        };
        items.push(PlanItem {
            number: u32::try_from(items.len() + 1).unwrap_or(u32::MAX),
            standard_minutes,
            mode,
            title: title.to_owned(),
            material,
        });
    }
    Ok(items)
}

/// The items as `parse_curriculum` reads them.
pub fn curriculum_text(items: &[PlanItem]) -> String {
    items
        .iter()
        .map(|item| {
            let place = match &item.mode {
                ItemMode::Live { blocks } => blocks
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
                ItemMode::OnDemand { from, due } => format!("{from}〜{due}"),
            };
            let line = format!("{} {place} {}", item.standard_minutes, item.title);
            match &item.material {
                Some(url) => format!("{line} {url}"),
                None => line,
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn d04_a_typed_curriculum_reads_as_numbered_items_and_back() {
        let text = "90分 第1,2コマ インシデント対応演習\n\n６０ 2026/6/1〜2026/6/9 事前学習：ログ分析 https://lms.example.jp/c/1\n";
        let items = parse_curriculum(text).unwrap_or_default();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].standard_minutes, 90);
        assert_eq!(items[0].mode, ItemMode::Live { blocks: vec![1, 2] });
        assert_eq!(items[1].number, 2);
        assert_eq!(
            items[1].mode,
            ItemMode::OnDemand {
                from: date!(2026 - 06 - 01),
                due: date!(2026 - 06 - 09)
            }
        );
        assert_eq!(items[1].title, "事前学習：ログ分析");
        assert_eq!(
            items[1].material.as_deref(),
            Some("https://lms.example.jp/c/1")
        );
        assert_eq!(items[0].material, None);
        assert_eq!(parse_curriculum(&curriculum_text(&items)).ok(), Some(items));
    }

    #[test]
    fn d04_a_line_that_is_not_an_item_is_refused_with_its_number() {
        let e = parse_curriculum("90 1 演習\n九十分 1 演習").err();
        assert_eq!(e.as_ref().map(|e| e.code), Some("curriculum.line"));
        assert!(e.is_some_and(|e| e.message_ja.contains("2行目")));
        assert!(parse_curriculum("90 一 演習").is_err());
        assert!(parse_curriculum("90 1").is_err());
    }
}

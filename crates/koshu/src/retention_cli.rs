//! `koshu retention` and `koshu export` (issue 19 item 5; E02): what they print. The commands
//! are in `cli.rs`; the work is the workflow's (`koshu_workflow::retention`).

use koshu_domain::types::date_ja;
use koshu_store::retention::Purge;
use koshu_workflow::retention::{PlannedPurge, ScheduledSession};
use std::collections::BTreeMap;
use std::fmt::Write;
use time::Date;

/// `koshu retention schedule`: one line per delivered session.
pub fn schedule_lines(sessions: &[ScheduledSession], today: Date) -> String {
    let mut out = String::new();
    if sessions.is_empty() {
        out.push_str("koshu: no delivered session yet / 実施された回はまだありません\n");
        return out;
    }
    for s in sessions {
        let standing = match &s.purged {
            Some(p) => format!("purged {} / 消去済み", p.purged_at.date()),
            None if s.due(today) => "due now / 消去期限を過ぎています".to_owned(),
            None => "kept / 保存中".to_owned(),
        };
        let _ = writeln!(
            out,
            "{}  {}  {}  最終日 {}  消去予定日 {} ({})  {standing}",
            s.session_id,
            s.programme_id,
            s.fiscal_year.ja(),
            date_ja(s.last_day),
            date_ja(s.purge_from),
            s.purge_from,
        );
    }
    out
}

fn counts(rows: &BTreeMap<String, i64>) -> String {
    rows.iter()
        .filter(|(_, n)| **n > 0)
        .map(|(table, n)| format!("{table} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `koshu retention purge --dry-run`.
pub fn dry_run_lines(planned: &[PlannedPurge]) -> String {
    let mut out = String::new();
    for p in planned {
        let _ = writeln!(
            out,
            "{}  {}  {}  would remove / 消去対象: {}",
            p.session.session_id,
            p.session.programme_id,
            p.session.fiscal_year.ja(),
            or_none(counts(&p.rows)),
        );
    }
    let _ = writeln!(
        out,
        "koshu: dry run: {} session(s) past their retention; nothing was changed / 試行のみ: {} 回分、何も変更していません。",
        planned.len(),
        planned.len()
    );
    out
}

/// `koshu retention purge`.
pub fn purge_lines(purged: &[Purge]) -> String {
    let mut out = String::new();
    for p in purged {
        let _ = writeln!(
            out,
            "{}  {}年度  removed / 消去: {}",
            p.session_id,
            p.fiscal_year,
            or_none(counts(&p.removed)),
        );
    }
    let _ = writeln!(
        out,
        "koshu: {} session(s) purged, each recorded in the audit log / {} 回分を消去し、監査ログに記録しました。",
        purged.len(),
        purged.len()
    );
    out
}

fn or_none(text: String) -> String {
    if text.is_empty() {
        "nothing / なし".to_owned()
    } else {
        text
    }
}

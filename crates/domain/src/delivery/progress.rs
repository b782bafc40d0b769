//! Progress against the standard learning time, and stalled learners (B11, D04).
//!
//! A session's curriculum is a list of items, each with its standard time, taught either in
//! timetabled blocks (live) or on demand within a period. Time on task counts presence: in a
//! block, the attendance intervals (D03); on demand, the runs of activity beats the item page
//! sends while it is open and in use. Clicks do not count as time.
//!
//! "Stalled" is decided here, from the recorded events and the course's pace, at a moment:
//! in a running block, no activity for `idle_minutes`; on demand, behind the standard time by
//! `behind_percent` of it. A stall has the moment it began, so a follow-up recorded after that
//! moment takes the learner off the list until a new stall begins.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::attendance::{BlockAttendance, Evidence, Interval, Verdict, merge_intervals};
use super::plan::Block;
use crate::ValidationError;
use crate::types::date_ja;
use crate::types::text::{TextKind, check_text};

/// How often an open item page reports that it is in use.
pub const ACTIVITY_PERIOD: Duration = Duration::seconds(30);

/// A silence longer than this between activity beats ends a run of time on task: the page was
/// closed, hidden, or left unused.
pub const ACTIVITY_GAP: Duration = Duration::minutes(2);

/// The longest standard time one item may have, as for the application's curriculum.
pub const MAX_ITEM_MINUTES: u32 = 100 * 60;

/// Where an item is taught.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ItemMode {
    /// In these blocks of the timetable (numbers).
    Live { blocks: Vec<u32> },
    /// On demand, from the start of `from` to the end of `due` (Japanese dates).
    OnDemand { from: Date, due: Date },
}

/// One item of the curriculum as delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    /// 1-based, in the order written.
    pub number: u32,
    pub standard_minutes: u32,
    pub mode: ItemMode,
    pub title: String,
    /// Where an on-demand item's material is (the provider's LMS, a video), if elsewhere.
    #[serde(default)]
    pub material: Option<String>,
}

/// The course's pace: when a learner counts as stalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pace {
    /// No activity for this long in a running block.
    pub idle_minutes: u32,
    /// Behind the expected time on task by this share of the item's standard time.
    pub behind_percent: u32,
}

impl Default for Pace {
    fn default() -> Self {
        Self {
            idle_minutes: 10,
            behind_percent: 25,
        }
    }
}

/// Codes: `pace.idle_range` (1 to 120 minutes), `pace.behind_range` (1 to 100 percent).
pub fn d04_pace_is_sound(p: &Pace) -> Result<(), ValidationError> {
    if !(1..=120).contains(&p.idle_minutes) {
        return Err(ValidationError::new(
            "pace.idle_range",
            "停滞とみなす無操作の時間は1分から120分の間で指定してください。",
            "Please set the idle time counted as stalled to between 1 and 120 minutes.",
        )
        .for_field("idle_minutes"));
    }
    if !(1..=100).contains(&p.behind_percent) {
        return Err(ValidationError::new(
            "pace.behind_range",
            "遅れとみなす割合は1から100（％）の間で指定してください。",
            "Please set the share behind the standard time to between 1 and 100 percent.",
        )
        .for_field("behind_percent"));
    }
    Ok(())
}

fn item_error(code: &'static str, ja: String, en: String) -> ValidationError {
    ValidationError::new(code, ja, en).for_field("curriculum")
}

/// D04: each item has a standard time of 1 minute to 100 hours; a live item names blocks the
/// timetable has; an on-demand period begins no later than it ends, and ends within the
/// session; titles are within the text limits.
///
/// Codes: `curriculum.minutes`, `curriculum.no_such_block`, `curriculum.period`,
/// `curriculum.material` (an address that is not https), `text.*`.
pub fn d04_curriculum_is_sound(
    items: &[PlanItem],
    timetable: &[Block],
    ends_on: Date,
) -> Result<(), ValidationError> {
    for item in items {
        let n = item.number;
        if !(1..=MAX_ITEM_MINUTES).contains(&item.standard_minutes) {
            return Err(item_error(
                "curriculum.minutes",
                format!(
                    "カリキュラムの{n}番目の標準学習時間は1分から6000分の間で入力してください。"
                ),
                format!("Item {n} of the curriculum needs a standard time of 1 to 6,000 minutes."),
            ));
        }
        match &item.mode {
            ItemMode::Live { blocks } => {
                if let Some(b) = blocks
                    .iter()
                    .find(|b| !timetable.iter().any(|t| t.number == **b))
                {
                    return Err(item_error(
                        "curriculum.no_such_block",
                        format!("カリキュラムの{n}番目にある第{b}コマは時間割にありません。"),
                        format!(
                            "Item {n} of the curriculum names block {b}, which the timetable does not have."
                        ),
                    ));
                }
            }
            ItemMode::OnDemand { from, due } => {
                if from > due || *due > ends_on {
                    return Err(item_error(
                        "curriculum.period",
                        format!(
                            "カリキュラムの{n}番目の受講期間は、開始日を期限以前に、期限を開催最終日（{}）以前にしてください。",
                            date_ja(ends_on)
                        ),
                        format!(
                            "Item {n} of the curriculum: its period must begin no later than it ends, and end by the session's last day."
                        ),
                    ));
                }
            }
        }
        check_text(&item.title, TextKind::Line)?;
        if item
            .material
            .as_deref()
            .is_some_and(|m| !m.starts_with("https://") || m.chars().any(char::is_whitespace))
        {
            return Err(item_error(
                "curriculum.material",
                format!("カリキュラムの{n}番目の教材のURLは https:// で始めてください。"),
                format!(
                    "Item {n} of the curriculum: its material's address must begin with https://."
                ),
            ));
        }
    }
    Ok(())
}

/// The curriculum progress is measured against: the items typed, or, when none are, one live
/// item per block with the block's length as its standard time.
pub fn effective_curriculum(items: &[PlanItem], timetable: &[Block]) -> Vec<PlanItem> {
    if !items.is_empty() {
        return items.to_vec();
    }
    timetable
        .iter()
        .map(|b| PlanItem {
            number: b.number,
            standard_minutes: whole_minutes(
                PrimitiveDateTime::new(b.day, b.ends_at)
                    - PrimitiveDateTime::new(b.day, b.starts_at),
            ),
            mode: ItemMode::Live {
                blocks: vec![b.number],
            },
            title: if b.items.is_empty() {
                format!("第{}コマ", b.number)
            } else {
                b.items.clone()
            },
            material: None,
        })
        .collect()
}

/// What an item page reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// The learner began the item (a button: works without JavaScript).
    Start,
    /// The page is open, visible and in use (sent every [`ACTIVITY_PERIOD`] by its script).
    Active,
    /// The learner marked the item done.
    Finish,
}

impl ActivityKind {
    pub const ALL: [Self; 3] = [Self::Start, Self::Active, Self::Finish];

    pub const fn code(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Active => "active",
            Self::Finish => "finish",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One recorded report of an item page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub kind: ActivityKind,
    pub at: OffsetDateTime,
}

/// D04, time on task on demand: reports at most [`ACTIVITY_GAP`] apart form one run, from the
/// first to the last, and the last covers one [`ACTIVITY_PERIOD`] (it was sent while the page
/// was in use). A report alone (a start without the script) counts that one period.
pub fn d04_time_on_task(activities: &[Activity]) -> Vec<Interval> {
    let mut at: Vec<OffsetDateTime> = activities.iter().map(|a| a.at).collect();
    at.sort();
    let mut runs: Vec<Interval> = Vec::new();
    for t in at {
        match runs.last_mut() {
            Some(r) if t - r.to <= ACTIVITY_GAP => r.to = t,
            _ => runs.push(Interval { from: t, to: t }),
        }
    }
    let runs = runs
        .into_iter()
        .map(|r| Interval {
            from: r.from,
            to: r.to + ACTIVITY_PERIOD,
        })
        .collect();
    merge_intervals(runs, Duration::ZERO)
}

/// D04, a duration of use reported by another system (an LMS's xAPI `result.duration`):
/// the beats a page in use would have sent through it, ending when it was reported, so that
/// `d04_time_on_task` counts it as it counts the item page's own. Bounded by `at_most` (an
/// item's standard time: more would count for nothing).
pub fn d04_beats_of_reported_use(
    ended: OffsetDateTime,
    used: Duration,
    at_most: Duration,
) -> Vec<OffsetDateTime> {
    let used = used.clamp(Duration::ZERO, at_most.max(Duration::ZERO));
    let mut beats = Vec::new();
    let mut at = ended - used;
    while at < ended {
        beats.push(at);
        at += ACTIVITY_PERIOD;
    }
    beats
}

/// Where a learner stands on an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    NotStarted,
    InProgress,
    Done,
    /// A live item whose blocks are over without the learner attending them.
    Missed,
}

impl ItemStatus {
    pub const fn code(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Missed => "missed",
        }
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::NotStarted => "未着手",
            Self::InProgress => "学習中",
            Self::Done => "完了",
            Self::Missed => "未受講",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::NotStarted => "Not started",
            Self::InProgress => "In progress",
            Self::Done => "Done",
            Self::Missed => "Missed",
        }
    }
}

/// One learner's progress on one item at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemProgress {
    pub item: u32,
    pub standard_minutes: u32,
    /// Time on task counted towards the item, at most its standard time.
    pub achieved_minutes: u32,
    /// What the standard time expects by the moment: the share of the item's time (its blocks,
    /// or its period) already past.
    pub expected_minutes: u32,
    pub status: ItemStatus,
    pub last_activity: Option<OffsetDateTime>,
}

impl ItemProgress {
    /// The achieved share of the standard time, in whole percent.
    pub fn percent(&self) -> u32 {
        share_percent(self.achieved_minutes, self.standard_minutes)
    }
}

fn share_percent(part: u32, whole: u32) -> u32 {
    if whole == 0 {
        return 100;
    }
    u32::try_from(u64::from(part) * 100 / u64::from(whole)).unwrap_or(100)
}

fn whole_minutes(d: Duration) -> u32 {
    u32::try_from(d.whole_minutes().max(0)).unwrap_or(u32::MAX)
}

/// `standard × part / whole`, rounded down, at most `standard`.
fn prorated(standard: u32, part: Duration, whole: Duration) -> u32 {
    let whole = whole.whole_seconds();
    if whole <= 0 {
        return standard;
    }
    let part = part.whole_seconds().clamp(0, whole);
    u32::try_from(i64::from(standard) * part / whole).unwrap_or(standard)
}

/// A verdict that counts the block as taken.
const fn took_block(v: Verdict) -> bool {
    matches!(v, Verdict::Attended | Verdict::Late | Verdict::LeftEarly)
}

/// D04, a live item: presence in its blocks counts as time on task, in proportion to the
/// blocks' length (an item sharing a block with another gets its share of the presence). Done
/// once every block is over and was taken (D03: attended, late or left early).
pub fn d04_live_progress(
    item: &PlanItem,
    blocks: &[(&Block, &BlockAttendance)],
    now: OffsetDateTime,
    offset: UtcOffset,
) -> ItemProgress {
    let total: Duration = blocks
        .iter()
        .map(|(b, _)| b.ends(offset) - b.starts(offset))
        .sum();
    let present: Duration = blocks
        .iter()
        .flat_map(|(_, a)| a.present.iter().map(Interval::duration))
        .sum();
    let elapsed: Duration = blocks
        .iter()
        .map(|(b, _)| (now.min(b.ends(offset)) - b.starts(offset)).max(Duration::ZERO))
        .sum();
    let over = blocks.iter().all(|(b, _)| now >= b.ends(offset));
    let status = if over && blocks.iter().all(|(_, a)| took_block(a.verdict)) {
        ItemStatus::Done
    } else if present > Duration::ZERO && !over {
        ItemStatus::InProgress
    } else if over {
        ItemStatus::Missed
    } else {
        ItemStatus::NotStarted
    };
    ItemProgress {
        item: item.number,
        standard_minutes: item.standard_minutes,
        achieved_minutes: prorated(item.standard_minutes, present, total),
        expected_minutes: prorated(item.standard_minutes, elapsed, total),
        status,
        last_activity: blocks
            .iter()
            .filter_map(|(_, a)| a.present.last().map(|i| i.to))
            .max(),
    }
}

/// The start of `from` and the end of `due`, in `offset`.
fn period(from: Date, due: Date, offset: UtcOffset) -> (OffsetDateTime, OffsetDateTime) {
    (
        PrimitiveDateTime::new(from, Time::MIDNIGHT).assume_offset(offset),
        PrimitiveDateTime::new(due, Time::MIDNIGHT).assume_offset(offset) + Duration::DAY,
    )
}

/// D04, an on-demand item: time on task from the item page's reports (`d04_time_on_task`),
/// expected in proportion to the period past. Done when the learner marked it done.
pub fn d04_on_demand_progress(
    item: &PlanItem,
    from: Date,
    due: Date,
    activities: &[Activity],
    now: OffsetDateTime,
    offset: UtcOffset,
) -> ItemProgress {
    let (opens, closes) = period(from, due, offset);
    let past: Vec<Activity> = activities.iter().filter(|a| a.at <= now).copied().collect();
    let on_task: Duration = d04_time_on_task(&past).iter().map(Interval::duration).sum();
    let achieved = whole_minutes(on_task).min(item.standard_minutes);
    let status = if past.iter().any(|a| a.kind == ActivityKind::Finish) {
        ItemStatus::Done
    } else if past.is_empty() {
        ItemStatus::NotStarted
    } else {
        ItemStatus::InProgress
    };
    ItemProgress {
        item: item.number,
        standard_minutes: item.standard_minutes,
        achieved_minutes: achieved,
        expected_minutes: prorated(item.standard_minutes, now - opens, closes - opens),
        status,
        last_activity: past.iter().map(|a| a.at).max(),
    }
}

/// What a stall is about: a running block, or an item on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StallSubject {
    Block { number: u32 },
    Item { number: u32 },
}

impl StallSubject {
    /// The stable code a follow-up is recorded under: `block:3`, `item:2`.
    pub fn code(&self) -> String {
        match self {
            Self::Block { number } => format!("block:{number}"),
            Self::Item { number } => format!("item:{number}"),
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        let (kind, n) = code.split_once(':')?;
        let number = n.parse().ok()?;
        match kind {
            "block" => Some(Self::Block { number }),
            "item" => Some(Self::Item { number }),
            _ => None,
        }
    }
}

/// Why a learner is stalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum StallReason {
    /// In a running block: nothing recorded since `last_activity` (none at all: `None`).
    Idle {
        last_activity: Option<OffsetDateTime>,
    },
    /// On demand: `achieved` minutes on task where the standard time expects `expected`.
    Behind { achieved: u32, expected: u32 },
}

/// A stalled learner, from the moment the stall began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stall {
    pub subject: StallSubject,
    pub since: OffsetDateTime,
    pub reason: StallReason,
}

impl Stall {
    pub fn reason_ja(&self) -> String {
        match self.reason {
            StallReason::Idle {
                last_activity: None,
            } => "開始後、参加の記録がありません".to_owned(),
            StallReason::Idle {
                last_activity: Some(_),
            } => "一定時間、受講の記録が途絶えています".to_owned(),
            StallReason::Behind { achieved, expected } => {
                format!("学習時間 {achieved}分（この時点の標準 {expected}分）")
            }
        }
    }

    pub fn reason_en(&self) -> String {
        match self.reason {
            StallReason::Idle {
                last_activity: None,
            } => "Nothing recorded since the block began".to_owned(),
            StallReason::Idle {
                last_activity: Some(_),
            } => "Nothing recorded for a while".to_owned(),
            StallReason::Behind { achieved, expected } => {
                format!("{achieved} minutes on task (the standard expects {expected} by now)")
            }
        }
    }
}

/// D04, live: a learner in the block `[from, to)` running at `now` is stalled when nothing
/// was recorded for `idle_minutes` (since the block began, if nothing at all). A learner
/// checked in and not out is in the room; one marked absent by staff is known about.
pub fn d04_idle_in_block(
    block: u32,
    from: OffsetDateTime,
    to: OffsetDateTime,
    evidence: &[Evidence],
    now: OffsetDateTime,
    pace: &Pace,
) -> Option<Stall> {
    if now < from || now >= to || evidence.contains(&Evidence::StaffAbsent) {
        return None;
    }
    let mut sorted: Vec<&Evidence> = evidence
        .iter()
        .filter(|e| e.at().is_some_and(|at| at <= now))
        .collect();
    sorted.sort_by_key(|e| e.at());
    let mut checked_in = false;
    let mut last: Option<OffsetDateTime> = None;
    for e in sorted {
        let moment = match *e {
            Evidence::CheckIn { at } => {
                checked_in = true;
                at
            }
            Evidence::CheckOut { at } => {
                checked_in = false;
                at
            }
            Evidence::Heartbeat { at } => at,
            Evidence::Interval { to, .. } | Evidence::StaffPresent { to, .. } => to.min(now),
            Evidence::StaffAbsent => continue,
        };
        last = Some(last.map_or(moment, |l| l.max(moment)));
    }
    if checked_in {
        return None;
    }
    let since =
        last.map_or(from, |l| l.max(from)) + Duration::minutes(i64::from(pace.idle_minutes));
    (now >= since).then_some(Stall {
        subject: StallSubject::Block { number: block },
        since,
        reason: StallReason::Idle {
            last_activity: last,
        },
    })
}

/// D04, on demand: a learner not done with an open item is stalled once the time the standard
/// expects is ahead of their time on task by `behind_percent` of the standard time. The stall
/// began when the expectation crossed that line (it moves on as the learner works). Once the
/// period is over there is nothing left to follow up live: the item is simply not done.
pub fn d04_behind_on_demand(
    progress: &ItemProgress,
    from: Date,
    due: Date,
    now: OffsetDateTime,
    offset: UtcOffset,
    pace: &Pace,
) -> Option<Stall> {
    if progress.status == ItemStatus::Done || progress.standard_minutes == 0 {
        return None;
    }
    let (opens, closes) = period(from, due, offset);
    if now >= closes {
        return None;
    }
    let standard = i64::from(progress.standard_minutes);
    // Minutes the expectation must reach: what was achieved plus the allowed lag.
    let line =
        i64::from(progress.achieved_minutes) * 100 + standard * i64::from(pace.behind_percent);
    if line > standard * 100 {
        return None;
    }
    let span = (closes - opens).whole_seconds();
    let since = opens + Duration::seconds(span * line / (standard * 100));
    (now >= since).then_some(Stall {
        subject: StallSubject::Item {
            number: progress.item,
        },
        since,
        reason: StallReason::Behind {
            achieved: progress.achieved_minutes,
            expected: progress.expected_minutes,
        },
    })
}

/// How staff reached a stalled learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactMethod {
    Chat,
    Mail,
    Phone,
    InPerson,
    Other,
}

impl ContactMethod {
    pub const ALL: [Self; 5] = [
        Self::Chat,
        Self::Mail,
        Self::Phone,
        Self::InPerson,
        Self::Other,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Mail => "mail",
            Self::Phone => "phone",
            Self::InPerson => "in_person",
            Self::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::Chat => "チャット・会議ツールで声かけ",
            Self::Mail => "メール",
            Self::Phone => "電話",
            Self::InPerson => "会場で声かけ",
            Self::Other => "その他",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Chat => "Chat or the meeting tool",
            Self::Mail => "E-mail",
            Self::Phone => "Phone",
            Self::InPerson => "In person at the venue",
            Self::Other => "Other",
        }
    }
}

/// What came of a follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpOutcome {
    /// Back at work (a connection problem, a question answered, ...).
    Resumed,
    /// Will catch up later (on demand), with a plan agreed.
    WillCatchUp,
    /// Could not be reached.
    Unreachable,
    /// Absent or withdrawing, as the learner said.
    Absent,
    Other,
}

impl FollowUpOutcome {
    pub const ALL: [Self; 5] = [
        Self::Resumed,
        Self::WillCatchUp,
        Self::Unreachable,
        Self::Absent,
        Self::Other,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Self::Resumed => "resumed",
            Self::WillCatchUp => "will_catch_up",
            Self::Unreachable => "unreachable",
            Self::Absent => "absent",
            Self::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::Resumed => "受講を再開した",
            Self::WillCatchUp => "後日取り戻す（予定を確認）",
            Self::Unreachable => "連絡がつかない",
            Self::Absent => "欠席・辞退の連絡",
            Self::Other => "その他",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Resumed => "Resumed",
            Self::WillCatchUp => "Will catch up (plan agreed)",
            Self::Unreachable => "Could not be reached",
            Self::Absent => "Absent or withdrawing",
            Self::Other => "Other",
        }
    }
}

/// A follow-up as the list needs it: what it was about and when it was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUpMark {
    pub subject: StallSubject,
    pub at: OffsetDateTime,
}

/// D04: a stall stays on the 要フォロー list until a follow-up about it is recorded at or
/// after the moment it began; a later stall of the same learner is a new one.
pub fn d04_needs_follow_up(stall: &Stall, follow_ups: &[FollowUpMark]) -> bool {
    !follow_ups
        .iter()
        .any(|f| f.subject == stall.subject && f.at >= stall.since)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    const JST: UtcOffset = time::macros::offset!(+9);

    fn block() -> Block {
        Block {
            number: 1,
            day: date!(2026 - 06 - 10),
            starts_at: time!(10:00),
            ends_at: time!(12:00),
            items: "演習".to_owned(),
        }
    }

    fn live(blocks: Vec<u32>) -> PlanItem {
        PlanItem {
            number: 1,
            standard_minutes: 120,
            mode: ItemMode::Live { blocks },
            title: "演習".to_owned(),
            material: None,
        }
    }

    fn on_demand(minutes: u32) -> PlanItem {
        PlanItem {
            number: 2,
            standard_minutes: minutes,
            mode: ItemMode::OnDemand {
                from: date!(2026 - 06 - 01),
                due: date!(2026 - 06 - 10),
            },
            title: "事前学習".to_owned(),
            material: Some("https://lms.example.jp/course/1".to_owned()),
        }
    }

    fn beats(from: OffsetDateTime, count: i64) -> Vec<Activity> {
        (0..count)
            .map(|i| Activity {
                kind: ActivityKind::Active,
                at: from + ACTIVITY_PERIOD * i32::try_from(i).unwrap_or(0),
            })
            .collect()
    }

    #[test]
    fn d04_a_sound_curriculum_passes_and_each_fault_is_named() {
        let t = [block()];
        let end = date!(2026 - 06 - 10);
        assert!(d04_curriculum_is_sound(&[live(vec![1]), on_demand(60)], &t, end).is_ok());
        let code = |items: &[PlanItem]| {
            d04_curriculum_is_sound(items, &t, end)
                .err()
                .map(|e| e.code)
        };
        assert_eq!(code(&[live(vec![2])]), Some("curriculum.no_such_block"));
        assert_eq!(code(&[on_demand(0)]), Some("curriculum.minutes"));
        let mut late = on_demand(60);
        late.mode = ItemMode::OnDemand {
            from: date!(2026 - 06 - 01),
            due: date!(2026 - 06 - 11),
        };
        assert_eq!(code(&[late]), Some("curriculum.period"));
        let mut plain = on_demand(60);
        plain.material = Some("http://lms.example.jp/".to_owned());
        assert_eq!(code(&[plain]), Some("curriculum.material"));
    }

    #[test]
    fn d04_pace_within_range_passes_and_outside_is_refused() {
        assert!(d04_pace_is_sound(&Pace::default()).is_ok());
        let idle = Pace {
            idle_minutes: 0,
            ..Pace::default()
        };
        assert_eq!(
            d04_pace_is_sound(&idle).err().map(|e| e.code),
            Some("pace.idle_range")
        );
        let behind = Pace {
            behind_percent: 101,
            ..Pace::default()
        };
        assert_eq!(
            d04_pace_is_sound(&behind).err().map(|e| e.code),
            Some("pace.behind_range")
        );
    }

    #[test]
    fn d04_without_typed_items_each_block_is_an_item_of_its_length() {
        let items = effective_curriculum(&[], &[block()]);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].standard_minutes, 120);
        assert_eq!(items[0].mode, ItemMode::Live { blocks: vec![1] });
        assert_eq!(effective_curriculum(&[on_demand(60)], &[block()]).len(), 1);
    }

    #[test]
    fn d04_time_on_task_counts_runs_of_beats_not_clicks() {
        let from = datetime!(2026-06-05 20:00 +9);
        // Ten minutes of beats, a half-hour away, then one more beat.
        let mut a = beats(from, 21);
        a.push(Activity {
            kind: ActivityKind::Active,
            at: from + Duration::minutes(40),
        });
        let runs = d04_time_on_task(&a);
        assert_eq!(runs.len(), 2);
        let total: Duration = runs.iter().map(Interval::duration).sum();
        assert_eq!(total, Duration::minutes(10) + ACTIVITY_PERIOD * 2);
        // Many clicks at one moment are one period, not many.
        let clicks = vec![
            Activity {
                kind: ActivityKind::Start,
                at: from
            };
            50
        ];
        let one: Duration = d04_time_on_task(&clicks)
            .iter()
            .map(Interval::duration)
            .sum();
        assert_eq!(one, ACTIVITY_PERIOD);
    }

    #[test]
    fn d04_on_demand_progress_is_measured_against_the_period_past() {
        let item = on_demand(100);
        let (from, due) = (date!(2026 - 06 - 01), date!(2026 - 06 - 10));
        // Halfway through the ten days, with 20 minutes on task.
        let now = datetime!(2026-06-06 00:00 +9);
        let a = beats(datetime!(2026-06-02 20:00 +9), 40);
        let p = d04_on_demand_progress(&item, from, due, &a, now, JST);
        assert_eq!(p.achieved_minutes, 20);
        assert_eq!(p.expected_minutes, 50);
        assert_eq!(p.status, ItemStatus::InProgress);
        assert_eq!(p.percent(), 20);
        let mut done = a.clone();
        done.push(Activity {
            kind: ActivityKind::Finish,
            at: datetime!(2026-06-02 21:00 +9),
        });
        let d = d04_on_demand_progress(&item, from, due, &done, now, JST);
        assert_eq!(d.status, ItemStatus::Done);
        assert_eq!(
            d04_on_demand_progress(&item, from, due, &[], now, JST).status,
            ItemStatus::NotStarted
        );
    }

    #[test]
    fn d04_live_progress_counts_presence_in_the_blocks() {
        let b = block();
        let attended = BlockAttendance {
            present: vec![Interval {
                from: b.starts(JST),
                to: b.starts(JST) + Duration::minutes(60),
            }],
            left: Vec::new(),
            arrived_at: Some(b.starts(JST)),
            late_minutes: 0,
            early_leave_minutes: 60,
            present_minutes: 60,
            verdict: Verdict::Incomplete,
        };
        let during = d04_live_progress(
            &live(vec![1]),
            &[(&b, &attended)],
            b.starts(JST) + Duration::minutes(90),
            JST,
        );
        assert_eq!((during.achieved_minutes, during.expected_minutes), (60, 90));
        assert_eq!(during.status, ItemStatus::InProgress);
        let after = d04_live_progress(&live(vec![1]), &[(&b, &attended)], b.ends(JST), JST);
        assert_eq!(after.status, ItemStatus::Missed);
        let full = BlockAttendance {
            verdict: Verdict::Attended,
            ..attended
        };
        assert_eq!(
            d04_live_progress(&live(vec![1]), &[(&b, &full)], b.ends(JST), JST).status,
            ItemStatus::Done
        );
    }

    #[test]
    fn d04_a_learner_idle_past_the_threshold_is_stalled_and_one_beating_is_not() {
        let b = block();
        let (from, to) = (b.starts(JST), b.ends(JST));
        let pace = Pace::default();
        let last = from + Duration::minutes(20);
        let e = [Evidence::Heartbeat { at: last }];
        // Nine minutes after the last beat: not yet; eleven: stalled since ten.
        assert_eq!(
            d04_idle_in_block(1, from, to, &e, last + Duration::minutes(9), &pace),
            None
        );
        let s = d04_idle_in_block(1, from, to, &e, last + Duration::minutes(11), &pace);
        assert_eq!(s.map(|s| s.since), Some(last + Duration::minutes(10)));
        assert_eq!(
            s.map(|s| s.subject),
            Some(StallSubject::Block { number: 1 })
        );
        // On pace: a beat every 30 seconds up to now.
        let now = from + Duration::minutes(30);
        let on_pace: Vec<Evidence> = (0..60)
            .map(|i| Evidence::Heartbeat {
                at: from + HEARTBEAT * i,
            })
            .collect();
        assert_eq!(d04_idle_in_block(1, from, to, &on_pace, now, &pace), None);
        // Nothing at all: stalled from the start plus the idle time.
        let none = d04_idle_in_block(1, from, to, &[], from + Duration::minutes(10), &pace);
        assert_eq!(none.map(|s| s.since), Some(from + Duration::minutes(10)));
        // Checked in and in the room; marked absent; the block not running: never.
        let room = [Evidence::CheckIn { at: from }];
        assert_eq!(d04_idle_in_block(1, from, to, &room, now, &pace), None);
        assert_eq!(
            d04_idle_in_block(1, from, to, &[Evidence::StaffAbsent], now, &pace),
            None
        );
        assert_eq!(d04_idle_in_block(1, from, to, &[], to, &pace), None);
    }

    const HEARTBEAT: Duration = super::super::attendance::HEARTBEAT_PERIOD;

    #[test]
    fn d04_behind_on_demand_begins_when_the_lag_reaches_the_threshold() {
        let item = on_demand(100);
        let (from, due) = (date!(2026 - 06 - 01), date!(2026 - 06 - 10));
        let pace = Pace::default();
        // No time on task: behind once a quarter of the period is past (2.5 days).
        let now = datetime!(2026-06-04 00:00 +9);
        let p = d04_on_demand_progress(&item, from, due, &[], now, JST);
        let s = d04_behind_on_demand(&p, from, due, now, JST, &pace);
        assert_eq!(s.map(|s| s.since), Some(datetime!(2026-06-03 12:00 +9)));
        // On pace: 40 minutes on task by 30 % of the period.
        let early = datetime!(2026-06-04 00:00 +9);
        let worked = beats(datetime!(2026-06-02 20:00 +9), 80);
        let q = d04_on_demand_progress(&item, from, due, &worked, early, JST);
        assert_eq!(d04_behind_on_demand(&q, from, due, early, JST, &pace), None);
        let mut finished = worked.clone();
        finished.push(Activity {
            kind: ActivityKind::Finish,
            at: datetime!(2026-06-03 00:00 +9),
        });
        let late = datetime!(2026-06-12 00:00 +9);
        let d = d04_on_demand_progress(&item, from, due, &finished, late, JST);
        assert_eq!(d04_behind_on_demand(&d, from, due, late, JST, &pace), None);
        // Over, and not done: not a stall to follow up any more.
        let undone = d04_on_demand_progress(&item, from, due, &[], late, JST);
        assert_eq!(
            d04_behind_on_demand(&undone, from, due, late, JST, &pace),
            None
        );
    }

    #[test]
    fn d04_a_follow_up_after_the_stall_began_takes_it_off_the_list() {
        let since = datetime!(2026-06-10 10:30 +9);
        let stall = Stall {
            subject: StallSubject::Block { number: 1 },
            since,
            reason: StallReason::Idle {
                last_activity: None,
            },
        };
        assert!(d04_needs_follow_up(&stall, &[]));
        let before = FollowUpMark {
            subject: stall.subject,
            at: since - Duration::minutes(1),
        };
        let other = FollowUpMark {
            subject: StallSubject::Block { number: 2 },
            at: since,
        };
        assert!(d04_needs_follow_up(&stall, &[before, other]));
        let after = FollowUpMark {
            subject: stall.subject,
            at: since + Duration::minutes(1),
        };
        assert!(!d04_needs_follow_up(&stall, &[after]));
        assert_eq!(
            StallSubject::from_code("item:3"),
            Some(StallSubject::Item { number: 3 })
        );
        assert_eq!(
            StallSubject::from_code(&stall.subject.code()),
            Some(stall.subject)
        );
        assert_eq!(StallSubject::from_code("room:1"), None);
    }

    #[test]
    fn d04_a_reported_duration_counts_as_the_use_it_reports() {
        let ended = datetime!(2026-06-01 21:00 UTC);
        let beats = d04_beats_of_reported_use(ended, Duration::minutes(10), Duration::hours(1));
        let mut activities: Vec<Activity> = beats
            .iter()
            .map(|&at| Activity {
                kind: ActivityKind::Active,
                at,
            })
            .collect();
        activities.push(Activity {
            kind: ActivityKind::Finish,
            at: ended,
        });
        let on_task: Duration = d04_time_on_task(&activities)
            .iter()
            .map(Interval::duration)
            .sum();
        assert_eq!(on_task, Duration::minutes(10) + ACTIVITY_PERIOD);
    }

    #[test]
    fn d04_a_reported_duration_beyond_the_standard_time_or_below_zero_is_bounded() {
        let ended = datetime!(2026-06-01 21:00 UTC);
        assert_eq!(
            d04_beats_of_reported_use(ended, Duration::hours(9), Duration::minutes(2)).len(),
            4
        );
        assert!(
            d04_beats_of_reported_use(ended, Duration::minutes(-5), Duration::hours(1)).is_empty()
        );
    }
}

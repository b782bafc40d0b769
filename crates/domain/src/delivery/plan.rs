//! A session as it will be delivered (D01): its timetable, room, capacity, enrolment window,
//! fee, audience (D02, B32) and attendance thresholds.

use serde::{Deserialize, Serialize};
use time::macros::offset;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::attendance::{Thresholds, thresholds_are_sound};
use super::progress::{Pace, PlanItem, d04_curriculum_is_sound, d04_pace_is_sound};
use crate::ValidationError;
use crate::types::text::{TextKind, check_text};
use crate::types::{Yen, date_ja};

/// JST, the offset timetables are read in where no offset is given (Koshu's sessions are
/// held in Japan, online ones too).
pub const SESSION_OFFSET: UtcOffset = offset!(+9);

/// How long a learner promoted from the waiting list has to confirm, by default.
pub const DEFAULT_OFFER_HOURS: u32 = 48;

/// One timetabled block of teaching: attendance is taken per block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// 1-based, in time order.
    pub number: u32,
    pub day: Date,
    pub starts_at: Time,
    /// On the same day: no block runs past midnight.
    pub ends_at: Time,
    /// The curriculum items covered, as free text.
    pub items: String,
}

impl Block {
    pub fn starts(&self, offset: UtcOffset) -> OffsetDateTime {
        PrimitiveDateTime::new(self.day, self.starts_at).assume_offset(offset)
    }

    pub fn ends(&self, offset: UtcOffset) -> OffsetDateTime {
        PrimitiveDateTime::new(self.day, self.ends_at).assume_offset(offset)
    }
}

/// Who may enrol (D02, B32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Public,
    /// The provider's own staff only; never for a 特定講習 (B32).
    OwnStaff,
}

impl Audience {
    pub const ALL: [Self; 2] = [Self::Public, Self::OwnStaff];

    /// The stable code, equal to the serde name.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::OwnStaff => "own_staff",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::Public => "一般公開（どなたでも申込み可）",
            Self::OwnStaff => "自社職員限定",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Public => "Open to the public",
            Self::OwnStaff => "Own staff only",
        }
    }
}

/// How a session is delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryPlan {
    pub timetable: Vec<Block>,
    /// 会場, for sessions in person.
    pub venue: Option<String>,
    /// The meeting URL, for online sessions.
    pub online_room: Option<String>,
    pub capacity: u32,
    /// Enrolment is open from `opens_at` until, not including, `closes_at`.
    pub opens_at: OffsetDateTime,
    pub closes_at: OffsetDateTime,
    pub fee: Yen,
    pub audience: Audience,
    #[serde(default)]
    pub thresholds: Thresholds,
    /// Hours a learner promoted from the waiting list has to confirm.
    #[serde(default = "default_offer_hours")]
    pub offer_hours: u32,
    /// The curriculum as delivered, with standard times (D04); empty: one item per block.
    #[serde(default)]
    pub curriculum: Vec<PlanItem>,
    /// When a learner counts as stalled (B11, D04).
    #[serde(default)]
    pub pace: Pace,
}

fn default_offer_hours() -> u32 {
    DEFAULT_OFFER_HOURS
}

impl DeliveryPlan {
    /// When the earliest block starts, if there is one.
    pub fn first_start(&self, offset: UtcOffset) -> Option<OffsetDateTime> {
        self.timetable.iter().map(|b| b.starts(offset)).min()
    }

    /// The last day taught, if there is a block: the day the session counts in its reports
    /// and its fiscal year (E01, E02).
    pub fn last_day(&self) -> Option<Date> {
        self.timetable.iter().map(|b| b.day).max()
    }
}

/// D01: a session is taught in at least one block.
pub fn d01_timetable_is_not_empty(blocks: &[Block]) -> Result<(), ValidationError> {
    if blocks.is_empty() {
        return Err(ValidationError::new(
            "timetable.empty",
            "時間割に少なくとも1コマを入力してください。",
            "Please add at least one block to the timetable.",
        ));
    }
    Ok(())
}

/// D01: at least one block; each ends after it starts, on a day within the session's dates;
/// none overlaps another (one may start as another ends); numbered 1..n in time order; items
/// within the text limits.
///
/// Codes: `timetable.empty`, `timetable.block_order`, `timetable.outside_dates`,
/// `timetable.overlap`, `timetable.numbering`, `text.*`.
pub fn d01_timetable_is_sound(
    blocks: &[Block],
    starts_on: Date,
    ends_on: Date,
) -> Result<(), ValidationError> {
    d01_timetable_is_not_empty(blocks)?;
    for b in blocks {
        if b.starts_at >= b.ends_at {
            return Err(ValidationError::new(
                "timetable.block_order",
                format!(
                    "第{}コマの終了時刻が開始時刻より後になるようにしてください（日をまたぐコマは2つに分けてください）。",
                    b.number
                ),
                format!(
                    "Block {} must end after it starts; split a block that runs past midnight in two.",
                    b.number
                ),
            ));
        }
        if b.day < starts_on || b.day > ends_on {
            return Err(ValidationError::new(
                "timetable.outside_dates",
                format!(
                    "第{}コマの日付（{}）が開催期間（{}〜{}）の外です。日付を確認してください。",
                    b.number,
                    date_ja(b.day),
                    date_ja(starts_on),
                    date_ja(ends_on)
                ),
                format!(
                    "Block {} falls outside the session's dates; please check its day.",
                    b.number
                ),
            ));
        }
        check_text(&b.items, TextKind::Multiline)?;
    }
    let mut sorted: Vec<&Block> = blocks.iter().collect();
    sorted.sort_by_key(|b| (b.day, b.starts_at));
    for (earlier, later) in sorted.iter().zip(sorted.iter().skip(1)) {
        if later.day == earlier.day && later.starts_at < earlier.ends_at {
            return Err(ValidationError::new(
                "timetable.overlap",
                format!(
                    "第{}コマと第{}コマの時間が重なっています。時刻を確認してください。",
                    earlier.number, later.number
                ),
                format!(
                    "Blocks {} and {} overlap; please check their times.",
                    earlier.number, later.number
                ),
            ));
        }
    }
    if sorted
        .iter()
        .zip(1u32..)
        .any(|(b, expected)| b.number != expected)
    {
        return Err(ValidationError::new(
            "timetable.numbering",
            "コマ番号は、時間の早い順に1から順に付けてください。",
            "Please number the blocks 1, 2, 3, … in time order.",
        ));
    }
    Ok(())
}

/// D01: an online session needs its meeting URL (https only: it carries the learners), a
/// session in person its venue.
///
/// Codes: `room.online_missing`, `room.online_https`, `room.venue_missing`, `text.*`.
pub fn d01_room_is_given(
    venue: Option<&str>,
    online_room: Option<&str>,
    online: bool,
) -> Result<(), ValidationError> {
    fn given(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    if online {
        let Some(url) = given(online_room) else {
            return Err(ValidationError::new(
                "room.online_missing",
                "オンライン開催の場合は、受講者が参加するURL（https://〜）を入力してください。",
                "For an online session, please enter the URL learners join (https://…).",
            ));
        };
        check_text(url, TextKind::Line)?;
        let host = url.strip_prefix("https://").unwrap_or_default();
        if host.is_empty() || url.contains(char::is_whitespace) {
            return Err(ValidationError::new(
                "room.online_https",
                "参加URLは「https://」で始まり、空白を含まない形で入力してください。",
                "Please enter the join URL starting with https:// and without spaces.",
            ));
        }
    } else {
        let Some(venue) = given(venue) else {
            return Err(ValidationError::new(
                "room.venue_missing",
                "会場で開催する場合は、会場の名称と所在地を入力してください。",
                "For a session in person, please enter the venue's name and address.",
            ));
        };
        check_text(venue, TextKind::Line)?;
    }
    Ok(())
}

/// D01: a session has at least one seat. Code: `capacity.zero`.
pub fn d01_capacity_is_positive(capacity: u32) -> Result<(), ValidationError> {
    if capacity == 0 {
        return Err(ValidationError::new(
            "capacity.zero",
            "定員は1名以上にしてください。",
            "Please set the capacity to at least one learner.",
        ));
    }
    Ok(())
}

/// D01: enrolment opens before it closes, and closes no later than the first block starts.
///
/// Codes: `enrolment_window.order`, `enrolment_window.after_start`.
pub fn d01_window_is_before_start(
    opens_at: OffsetDateTime,
    closes_at: OffsetDateTime,
    first_block_start: OffsetDateTime,
) -> Result<(), ValidationError> {
    if opens_at >= closes_at {
        return Err(ValidationError::new(
            "enrolment_window.order",
            "申込受付の開始日時は、締切日時より前にしてください。",
            "Please make enrolment open before it closes.",
        ));
    }
    if closes_at > first_block_start {
        return Err(ValidationError::new(
            "enrolment_window.after_start",
            "申込受付の締切は、最初のコマの開始日時以前にしてください。",
            "Please close enrolment no later than the start of the first block.",
        ));
    }
    Ok(())
}

/// B32 (D02): a 特定講習 is open to the public; it cannot be kept to the provider's own staff.
/// Code: `audience.own_staff_only`.
pub fn b32_enrolment_is_open(designated: bool, audience: Audience) -> Result<(), ValidationError> {
    if designated && audience == Audience::OwnStaff {
        return Err(ValidationError::new(
            "audience.own_staff_only",
            "特定講習は一般に公開する必要があり、自社職員に限定することはできません。受講対象を「一般公開」にしてください。",
            "A designated course (特定講習) must be open to the public and cannot be kept to the provider's own staff; please set the audience to public.",
        ));
    }
    Ok(())
}

/// D01: every rule above, each error naming its field (`timetable`, `venue` or `online_room`,
/// `capacity`, `opens_at` or `closes_at`, `audience`, `thresholds`). The window is checked
/// only against a timetable that has a block.
pub fn d01_plan_is_sound(
    plan: &DeliveryPlan,
    starts_on: Date,
    ends_on: Date,
    online: bool,
    designated: bool,
    offset: UtcOffset,
) -> Result<(), Vec<ValidationError>> {
    let room_field = if online { "online_room" } else { "venue" };
    let window = plan.first_start(offset).map_or(Ok(()), |first| {
        d01_window_is_before_start(plan.opens_at, plan.closes_at, first).map_err(|e| {
            let field = if e.code == "enrolment_window.order" {
                "opens_at"
            } else {
                "closes_at"
            };
            e.for_field(field)
        })
    });
    let errors: Vec<ValidationError> = [
        d01_timetable_is_sound(&plan.timetable, starts_on, ends_on)
            .map_err(|e| e.for_field("timetable")),
        d01_room_is_given(plan.venue.as_deref(), plan.online_room.as_deref(), online)
            .map_err(|e| e.for_field(room_field)),
        d01_capacity_is_positive(plan.capacity).map_err(|e| e.for_field("capacity")),
        window,
        b32_enrolment_is_open(designated, plan.audience).map_err(|e| e.for_field("audience")),
        thresholds_are_sound(&plan.thresholds).map_err(|e| e.for_field("thresholds")),
        d04_curriculum_is_sound(&plan.curriculum, &plan.timetable, ends_on),
        d04_pace_is_sound(&plan.pace),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    pub(crate) fn block(number: u32, day: Date, from: Time, to: Time) -> Block {
        Block {
            number,
            day,
            starts_at: from,
            ends_at: to,
            items: "インシデント対応演習".to_owned(),
        }
    }

    /// Two blocks on 2026-06-01, enrolment open through May.
    pub(crate) fn plan() -> DeliveryPlan {
        let day = date!(2026 - 06 - 01);
        DeliveryPlan {
            timetable: vec![
                block(1, day, time!(10:00), time!(12:00)),
                block(2, day, time!(13:00), time!(17:00)),
            ],
            venue: Some("東京都千代田区霞が関1-3-1 会議室A".to_owned()),
            online_room: None,
            capacity: 20,
            opens_at: datetime!(2026-05-01 09:00 +9),
            closes_at: datetime!(2026-05-31 17:00 +9),
            fee: Yen::new(77_000),
            audience: Audience::Public,
            thresholds: Thresholds::default(),
            offer_hours: DEFAULT_OFFER_HOURS,
            curriculum: Vec::new(),
            pace: Pace::default(),
        }
    }

    const ON: Date = date!(2026 - 06 - 01);

    fn timetable_code(blocks: &[Block]) -> &'static str {
        d01_timetable_is_sound(blocks, ON, date!(2026 - 06 - 02))
            .unwrap_err()
            .code
    }

    #[test]
    fn d01_timetable_is_sound_passes() {
        let mut blocks = plan().timetable;
        blocks.push(block(3, date!(2026 - 06 - 02), time!(09:00), time!(10:00)));
        blocks.swap(0, 2);
        assert!(d01_timetable_is_sound(&blocks, ON, date!(2026 - 06 - 02)).is_ok());
        // Touching blocks do not overlap.
        let touching = [
            block(1, ON, time!(10:00), time!(11:00)),
            block(2, ON, time!(11:00), time!(12:00)),
        ];
        assert!(d01_timetable_is_sound(&touching, ON, ON).is_ok());
    }

    #[test]
    fn d01_timetable_is_sound_fails() {
        assert_eq!(timetable_code(&[]), "timetable.empty");
        assert_eq!(
            timetable_code(&[block(1, ON, time!(12:00), time!(10:00))]),
            "timetable.block_order"
        );
        assert_eq!(
            timetable_code(&[block(1, date!(2026 - 06 - 03), time!(10:00), time!(11:00))]),
            "timetable.outside_dates"
        );
        assert_eq!(
            timetable_code(&[
                block(1, ON, time!(10:00), time!(11:00)),
                block(2, ON, time!(10:30), time!(12:00)),
            ]),
            "timetable.overlap"
        );
        assert_eq!(
            timetable_code(&[
                block(2, ON, time!(10:00), time!(11:00)),
                block(1, ON, time!(11:00), time!(12:00)),
            ]),
            "timetable.numbering"
        );
        assert_eq!(
            timetable_code(&[block(2, ON, time!(10:00), time!(11:00))]),
            "timetable.numbering"
        );
    }

    #[test]
    fn d01_room_is_given_passes() {
        assert!(d01_room_is_given(Some("会議室A"), None, false).is_ok());
        assert!(d01_room_is_given(None, Some("https://zoom.us/j/123"), true).is_ok());
    }

    #[test]
    fn d01_room_is_given_fails() {
        let code = |v, r, online| d01_room_is_given(v, r, online).unwrap_err().code;
        assert_eq!(code(None, Some("https://x"), false), "room.venue_missing");
        assert_eq!(code(Some("  "), None, false), "room.venue_missing");
        assert_eq!(code(Some("会議室A"), None, true), "room.online_missing");
        assert_eq!(
            code(None, Some("http://zoom.us/j/1"), true),
            "room.online_https"
        );
        assert_eq!(code(None, Some("https://"), true), "room.online_https");
        assert_eq!(code(None, Some("https://a b"), true), "room.online_https");
    }

    #[test]
    fn d01_capacity_is_positive_passes_and_fails() {
        assert!(d01_capacity_is_positive(1).is_ok());
        assert_eq!(
            d01_capacity_is_positive(0).unwrap_err().code,
            "capacity.zero"
        );
    }

    #[test]
    fn d01_window_is_before_start_passes_and_fails() {
        let start = datetime!(2026-06-01 10:00 +9);
        let open = datetime!(2026-05-01 09:00 +9);
        assert!(d01_window_is_before_start(open, start, start).is_ok());
        assert_eq!(
            d01_window_is_before_start(start, open, start)
                .unwrap_err()
                .code,
            "enrolment_window.order"
        );
        assert_eq!(
            d01_window_is_before_start(open, start + time::Duration::minutes(1), start)
                .unwrap_err()
                .code,
            "enrolment_window.after_start"
        );
    }

    #[test]
    fn b32_enrolment_is_open_passes_and_fails() {
        assert!(b32_enrolment_is_open(true, Audience::Public).is_ok());
        assert!(b32_enrolment_is_open(false, Audience::OwnStaff).is_ok());
        assert_eq!(
            b32_enrolment_is_open(true, Audience::OwnStaff)
                .unwrap_err()
                .code,
            "audience.own_staff_only"
        );
    }

    #[test]
    fn d01_plan_is_sound_passes() {
        assert!(d01_plan_is_sound(&plan(), ON, ON, false, true, SESSION_OFFSET).is_ok());
    }

    #[test]
    fn d01_plan_is_sound_fails_naming_each_field() {
        let mut p = plan();
        p.capacity = 0;
        p.audience = Audience::OwnStaff;
        p.closes_at = datetime!(2026-06-01 10:30 +9);
        p.thresholds.gap_minutes = 0;
        let errors = d01_plan_is_sound(&p, ON, ON, true, true, SESSION_OFFSET).unwrap_err();
        let fields: Vec<&str> = errors.iter().filter_map(|e| e.field.as_deref()).collect();
        assert_eq!(
            fields,
            [
                "online_room",
                "capacity",
                "closes_at",
                "audience",
                "thresholds"
            ]
        );
        p.timetable.clear();
        p.opens_at = p.closes_at;
        let errors = d01_plan_is_sound(&p, ON, ON, false, false, SESSION_OFFSET).unwrap_err();
        let fields: Vec<&str> = errors.iter().filter_map(|e| e.field.as_deref()).collect();
        assert_eq!(fields, ["timetable", "capacity", "thresholds"]);
    }

    #[test]
    fn audience_codes_round_trip() {
        for a in Audience::ALL {
            assert_eq!(Audience::from_code(a.code()), Some(a));
        }
        assert_eq!(Audience::from_code("staff"), None);
    }

    #[test]
    fn block_times_take_the_offset() {
        let b = &plan().timetable[0];
        assert_eq!(b.starts(SESSION_OFFSET), datetime!(2026-06-01 10:00 +9));
        assert_eq!(b.ends(UtcOffset::UTC), datetime!(2026-06-01 12:00 UTC));
    }
}

//! Attendance (B30 ②, D03): one pure function turns what was recorded during a block into who
//! was present when, who left, and the block's verdict. The records themselves are kept as they
//! came (B19); this is recomputed from them, so a changed threshold never rewrites history.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::ValidationError;

/// How often a remote learner's page sends a heartbeat.
pub const HEARTBEAT_PERIOD: Duration = Duration::seconds(30);

/// A span of time, `from` inclusive and `to` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
}

impl Interval {
    pub fn duration(&self) -> Duration {
        (self.to - self.from).max(Duration::ZERO)
    }

    /// The part inside `[from, to)`, if it is not empty.
    fn clipped(self, from: OffsetDateTime, to: OffsetDateTime) -> Option<Self> {
        let i = Self {
            from: self.from.max(from),
            to: self.to.min(to),
        };
        (i.from < i.to).then_some(i)
    }
}

/// Sorts and merges intervals that overlap or are at most `tolerance` apart, so that the
/// reconnects a Zoom or Teams report lists become one stay. Reversed intervals are dropped;
/// empty ones are kept as moments (a check-in with nothing after it yet).
pub fn merge_intervals(mut v: Vec<Interval>, tolerance: Duration) -> Vec<Interval> {
    v.retain(|i| i.from <= i.to);
    v.sort_by_key(|i| (i.from, i.to));
    let mut out: Vec<Interval> = Vec::with_capacity(v.len());
    for i in v {
        match out.last_mut() {
            Some(last) if i.from <= last.to.saturating_add(tolerance) => {
                last.to = last.to.max(i.to);
            }
            _ => out.push(i),
        }
    }
    out
}

/// What turns evidence into a verdict; set per course by the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// A silence (no heartbeat, or out between a check-out and a check-in) longer than this is
    /// leaving; a shorter one is a network blip or a step outside, and counts as present.
    pub gap_minutes: u32,
    pub late_grace_minutes: u32,
    pub early_leave_grace_minutes: u32,
    /// The share of the block a learner must be present for. 90 by default: a reconnect or a
    /// short break should not fail a whole block; a provider who needs every minute sets 100.
    pub min_presence_percent: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            gap_minutes: 5,
            late_grace_minutes: 5,
            early_leave_grace_minutes: 5,
            min_presence_percent: 90,
        }
    }
}

/// Codes: `thresholds.gap_range` (1 to 60 minutes), `thresholds.grace_range` (at most 60
/// minutes), `thresholds.percent_range` (at most 100).
pub fn thresholds_are_sound(t: &Thresholds) -> Result<(), ValidationError> {
    if !(1..=60).contains(&t.gap_minutes) {
        return Err(ValidationError::new(
            "thresholds.gap_range",
            "離席とみなす間隔は1分から60分の間で指定してください。",
            "Please set the gap counted as leaving to between 1 and 60 minutes.",
        ));
    }
    if t.late_grace_minutes > 60 || t.early_leave_grace_minutes > 60 {
        return Err(ValidationError::new(
            "thresholds.grace_range",
            "遅刻・早退の猶予は60分以内で指定してください。",
            "Please set the grace for arriving late and leaving early to 60 minutes or less.",
        ));
    }
    if t.min_presence_percent > 100 {
        return Err(ValidationError::new(
            "thresholds.percent_range",
            "必要な出席割合は0から100（％）の間で指定してください。",
            "Please set the required share of presence to between 0 and 100 percent.",
        ));
    }
    Ok(())
}

/// One record about one learner in one block, as it was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// In person, with the rotating code ([`super::code`]).
    CheckIn {
        at: OffsetDateTime,
    },
    CheckOut {
        at: OffsetDateTime,
    },
    /// Remote: the course page sends one every [`HEARTBEAT_PERIOD`].
    Heartbeat {
        at: OffsetDateTime,
    },
    /// A stay imported from a meeting tool's report.
    Interval {
        from: OffsetDateTime,
        to: OffsetDateTime,
    },
    /// Staff vouching for presence (the reason is kept with the record, elsewhere).
    StaffPresent {
        from: OffsetDateTime,
        to: OffsetDateTime,
    },
    /// Staff marking the learner absent for the whole block: overrides everything else.
    StaffAbsent,
}

impl Evidence {
    /// The moment the record is ordered by: its start for spans, none for [`Evidence::StaffAbsent`]
    /// (it is about the whole block).
    pub fn at(&self) -> Option<OffsetDateTime> {
        match *self {
            Self::CheckIn { at } | Self::CheckOut { at } | Self::Heartbeat { at } => Some(at),
            Self::Interval { from, .. } | Self::StaffPresent { from, .. } => Some(from),
            Self::StaffAbsent => None,
        }
    }
}

/// A block's outcome for one learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Attended,
    Late,
    LeftEarly,
    /// Present for less than [`Thresholds::min_presence_percent`] of the block.
    Incomplete,
    Absent,
    /// B30 ①: present, but identity and RISS number were not checked, so not marked present.
    IdentityNotChecked,
}

impl Verdict {
    pub const ALL: [Self; 6] = [
        Self::Attended,
        Self::Late,
        Self::LeftEarly,
        Self::Incomplete,
        Self::Absent,
        Self::IdentityNotChecked,
    ];

    /// The stable code, equal to the serde name.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Attended => "attended",
            Self::Late => "late",
            Self::LeftEarly => "left_early",
            Self::Incomplete => "incomplete",
            Self::Absent => "absent",
            Self::IdentityNotChecked => "identity_not_checked",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.code() == code)
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::Attended => "出席",
            Self::Late => "遅刻",
            Self::LeftEarly => "早退",
            Self::Incomplete => "受講時間不足",
            Self::Absent => "欠席",
            Self::IdentityNotChecked => "本人確認未了",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Attended => "Attended",
            Self::Late => "Late",
            Self::LeftEarly => "Left early",
            Self::Incomplete => "Not present long enough",
            Self::Absent => "Absent",
            Self::IdentityNotChecked => "Identity not checked",
        }
    }
}

/// One learner's block, computed from the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockAttendance {
    /// Sorted, disjoint, inside the block.
    pub present: Vec<Interval>,
    /// The silences between arrival and the last presence longer than the gap threshold.
    pub left: Vec<Interval>,
    pub arrived_at: Option<OffsetDateTime>,
    pub late_minutes: u32,
    pub early_leave_minutes: u32,
    pub present_minutes: u32,
    pub verdict: Verdict,
}

/// D03: the attendance of one learner in the block `[block_from, block_to)`.
///
/// - Heartbeats at most `gap_minutes` apart form one stay from the first beat to the last; a
///   longer silence is leaving, from the beat before it to the beat after it, at their exact
///   times. The last beat of all also covers one [`HEARTBEAT_PERIOD`] (it was sent while the
///   learner was there, and no later beat was missed).
/// - A check-in opens a stay and a check-out closes it; one still open lasts to the block's end.
/// - Imported and staff-present intervals are added as they are.
/// - Stays at most `gap_minutes` apart are merged, then everything is clipped to the block.
/// - Minutes are whole minutes rounded down; the presence share is compared in seconds.
///
/// Verdict, first that applies: `Absent` (no presence, or [`Evidence::StaffAbsent`]);
/// `IdentityNotChecked` (B30 ①: the rest is still computed, for the record); `Incomplete`;
/// `Late`; `LeftEarly`; `Attended`.
pub fn d03_block_attendance(
    block_from: OffsetDateTime,
    block_to: OffsetDateTime,
    identity_checked: bool,
    evidence: &[Evidence],
    thresholds: &Thresholds,
) -> BlockAttendance {
    let gap = Duration::minutes(i64::from(thresholds.gap_minutes));
    let present: Vec<Interval> = if evidence.contains(&Evidence::StaffAbsent) {
        Vec::new()
    } else {
        let spans = spans(evidence, block_to, gap, |last| {
            last.saturating_add(HEARTBEAT_PERIOD)
        });
        merge_intervals(spans, gap)
            .into_iter()
            .filter_map(|i| i.clipped(block_from, block_to))
            .collect()
    };
    let left = present
        .iter()
        .zip(present.iter().skip(1))
        .map(|(a, b)| Interval {
            from: a.to,
            to: b.from,
        })
        .collect();
    let arrived_at = present.first().map(|i| i.from);
    let late_minutes = arrived_at.map_or(0, |a| whole_minutes(a - block_from));
    let early_leave_minutes = present.last().map_or(0, |i| whole_minutes(block_to - i.to));
    let present_total: Duration = present.iter().map(Interval::duration).sum();
    let block_total = (block_to - block_from).max(Duration::ZERO);
    let too_short = i128::from(present_total.whole_seconds()) * 100
        < i128::from(thresholds.min_presence_percent) * i128::from(block_total.whole_seconds());
    let verdict = if present.is_empty() {
        Verdict::Absent
    } else if !identity_checked {
        Verdict::IdentityNotChecked
    } else if too_short {
        Verdict::Incomplete
    } else if late_minutes > thresholds.late_grace_minutes {
        Verdict::Late
    } else if early_leave_minutes > thresholds.early_leave_grace_minutes {
        Verdict::LeftEarly
    } else {
        Verdict::Attended
    };
    BlockAttendance {
        present,
        left,
        arrived_at,
        late_minutes,
        early_leave_minutes,
        present_minutes: whole_minutes(present_total),
        verdict,
    }
}

/// Where a learner is now, for the live roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Presence {
    NotArrived,
    Present { since: OffsetDateTime },
    Left { since: OffsetDateTime },
}

/// D03, live: from the evidence recorded up to `now`. A learner whose last heartbeat is more
/// than `gap_minutes` old has left since that beat; one who checked out has left since then.
/// Staff marking absent shows as not arrived.
pub fn d03_currently_present(
    evidence: &[Evidence],
    now: OffsetDateTime,
    thresholds: &Thresholds,
) -> Presence {
    if evidence.contains(&Evidence::StaffAbsent) {
        return Presence::NotArrived;
    }
    let gap = Duration::minutes(i64::from(thresholds.gap_minutes));
    let past: Vec<Evidence> = evidence
        .iter()
        .filter(|e| e.at().is_some_and(|at| at <= now))
        .copied()
        .collect();
    let spans = spans(
        &past,
        now,
        gap,
        |last| {
            if now - last <= gap { now } else { last }
        },
    )
    .into_iter()
    .map(|i| Interval {
        from: i.from,
        to: i.to.min(now),
    })
    .collect();
    match merge_intervals(spans, gap).last() {
        None => Presence::NotArrived,
        Some(i) if i.to >= now => Presence::Present { since: i.from },
        Some(i) => Presence::Left { since: i.to },
    }
}

/// The stays the evidence records, unmerged. An open check-in lasts to `open_until`; the last
/// heartbeat run ends at `last_run_end(last beat)`, every other run at its last beat.
fn spans(
    evidence: &[Evidence],
    open_until: OffsetDateTime,
    gap: Duration,
    last_run_end: impl Fn(OffsetDateTime) -> OffsetDateTime,
) -> Vec<Interval> {
    let mut sorted: Vec<&Evidence> = evidence.iter().collect();
    sorted.sort_by_key(|e| e.at());
    let mut spans = Vec::new();
    let mut checked_in: Option<OffsetDateTime> = None;
    let mut run: Option<Interval> = None;
    for e in sorted {
        match *e {
            Evidence::CheckIn { at } => {
                checked_in.get_or_insert(at);
            }
            Evidence::CheckOut { at } => {
                if let Some(from) = checked_in.take() {
                    spans.push(Interval { from, to: at });
                }
            }
            Evidence::Heartbeat { at } => match &mut run {
                Some(r) if at - r.to <= gap => r.to = at,
                _ => spans.extend(run.replace(Interval { from: at, to: at })),
            },
            Evidence::Interval { from, to } | Evidence::StaffPresent { from, to } => {
                spans.push(Interval { from, to });
            }
            Evidence::StaffAbsent => {}
        }
    }
    if let Some(from) = checked_in {
        spans.push(Interval {
            from,
            to: open_until.max(from),
        });
    }
    if let Some(r) = run {
        spans.push(Interval {
            from: r.from,
            to: last_run_end(r.to),
        });
    }
    spans
}

fn whole_minutes(d: Duration) -> u32 {
    u32::try_from(d.whole_minutes().max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const FROM: OffsetDateTime = datetime!(2026-04-01 10:00 +9);
    const TO: OffsetDateTime = datetime!(2026-04-01 11:00 +9);

    fn at(minutes: i64) -> OffsetDateTime {
        FROM + Duration::minutes(minutes)
    }

    fn attend(evidence: &[Evidence]) -> BlockAttendance {
        d03_block_attendance(FROM, TO, true, evidence, &Thresholds::default())
    }

    fn stay(from: i64, to: i64) -> Evidence {
        Evidence::Interval {
            from: at(from),
            to: at(to),
        }
    }

    fn in_out(check_in: i64, check_out: Option<i64>) -> Vec<Evidence> {
        let mut v = vec![Evidence::CheckIn { at: at(check_in) }];
        v.extend(check_out.map(|m| Evidence::CheckOut { at: at(m) }));
        v
    }

    fn beats(from: OffsetDateTime, to: OffsetDateTime) -> Vec<Evidence> {
        let mut v = Vec::new();
        let mut t = from;
        while t <= to {
            v.push(Evidence::Heartbeat { at: t });
            t += HEARTBEAT_PERIOD;
        }
        v
    }

    #[test]
    fn merge_joins_reconnects_within_tolerance() {
        let i = |a, b| Interval {
            from: at(a),
            to: at(b),
        };
        let merged = merge_intervals(
            vec![i(30, 40), i(0, 10), i(11, 20), i(5, 8), i(50, 45)],
            Duration::minutes(1),
        );
        assert_eq!(merged, [i(0, 20), i(30, 40)]);
        assert_eq!(
            merge_intervals(vec![i(0, 10), i(12, 20)], Duration::ZERO).len(),
            2
        );
    }

    #[test]
    fn thresholds_default_is_sound_and_bounds_are_checked() {
        assert!(thresholds_are_sound(&Thresholds::default()).is_ok());
        let t = |gap, grace, pct| Thresholds {
            gap_minutes: gap,
            late_grace_minutes: grace,
            early_leave_grace_minutes: 0,
            min_presence_percent: pct,
        };
        assert!(thresholds_are_sound(&t(60, 60, 100)).is_ok());
        let code = |t| thresholds_are_sound(&t).unwrap_err().code;
        assert_eq!(code(t(0, 5, 90)), "thresholds.gap_range");
        assert_eq!(code(t(61, 5, 90)), "thresholds.gap_range");
        assert_eq!(code(t(5, 61, 90)), "thresholds.grace_range");
        assert_eq!(code(t(5, 5, 101)), "thresholds.percent_range");
    }

    #[test]
    fn d03_attended_within_the_graces() {
        let a = attend(&in_out(2, Some(57)));
        assert_eq!((a.late_minutes, a.early_leave_minutes), (2, 3));
        assert_eq!(a.present_minutes, 55);
        assert_eq!(a.verdict, Verdict::Attended);
        assert_eq!(a.arrived_at, Some(at(2)));
    }

    #[test]
    fn d03_late_beyond_the_grace_and_not_within_it() {
        assert_eq!(attend(&in_out(6, None)).verdict, Verdict::Late);
        assert_eq!(attend(&in_out(5, None)).verdict, Verdict::Attended);
        // 5 min 59 s is 5 whole minutes: within the grace.
        let a = attend(&[Evidence::CheckIn {
            at: at(5) + Duration::seconds(59),
        }]);
        assert_eq!((a.late_minutes, a.verdict), (5, Verdict::Attended));
    }

    #[test]
    fn d03_left_early_beyond_the_grace_and_not_within_it() {
        assert_eq!(attend(&in_out(0, Some(54))).verdict, Verdict::LeftEarly);
        assert_eq!(attend(&in_out(0, Some(55))).verdict, Verdict::Attended);
    }

    #[test]
    fn d03_incomplete_below_the_share_and_not_at_it() {
        // Out for 7 minutes: 53 of 60 is under 90 %.
        let mut v = in_out(0, Some(20));
        v.extend(in_out(27, None));
        let a = attend(&v);
        assert_eq!(a.verdict, Verdict::Incomplete);
        assert_eq!(
            a.left,
            [Interval {
                from: at(20),
                to: at(27)
            }]
        );
        // Out for 6 minutes: 54 of 60 is 90 %.
        let mut v = in_out(0, Some(20));
        v.extend(in_out(26, None));
        assert_eq!(attend(&v).verdict, Verdict::Attended);
        // Out for 4 minutes: within the gap threshold, not leaving at all.
        let mut v = in_out(0, Some(20));
        v.extend(in_out(24, None));
        let a = attend(&v);
        assert_eq!((a.present_minutes, a.left.len()), (60, 0));
    }

    #[test]
    fn d03_absent_without_presence_or_when_staff_says_so() {
        assert_eq!(attend(&[]).verdict, Verdict::Absent);
        assert_eq!(attend(&in_out(-30, Some(-5))).verdict, Verdict::Absent);
        let mut v = in_out(0, None);
        assert_eq!(attend(&v).verdict, Verdict::Attended);
        v.push(Evidence::StaffAbsent);
        let a = attend(&v);
        assert_eq!((a.verdict, a.present.len()), (Verdict::Absent, 0));
    }

    #[test]
    fn b30_identity_not_checked_is_never_present() {
        let v = in_out(0, None);
        let a = d03_block_attendance(FROM, TO, false, &v, &Thresholds::default());
        assert_eq!(a.verdict, Verdict::IdentityNotChecked);
        assert_eq!(a.present_minutes, 60, "still computed, for the record");
        let a = d03_block_attendance(FROM, TO, false, &[], &Thresholds::default());
        assert_eq!(a.verdict, Verdict::Absent);
    }

    #[test]
    fn d03_staff_and_imported_intervals_are_unioned() {
        let a = attend(&[
            stay(-5, 20),
            stay(21, 40),
            Evidence::StaffPresent {
                from: at(40),
                to: at(60),
            },
        ]);
        assert_eq!(a.present, [Interval { from: FROM, to: TO }]);
        assert_eq!(a.verdict, Verdict::Attended);
    }

    #[test]
    fn d03_a_seven_minute_gap_in_heartbeats_is_one_left_interval() {
        let gap_from = datetime!(2026-04-01 10:20:30 +9);
        let gap_to = datetime!(2026-04-01 10:27:30 +9);
        let mut v = beats(FROM, gap_from);
        v.extend(beats(gap_to, datetime!(2026-04-01 10:59:30 +9)));
        let a = attend(&v);
        assert_eq!(
            a.left,
            [Interval {
                from: gap_from,
                to: gap_to
            }]
        );
        assert_eq!(
            a.present,
            [
                Interval {
                    from: FROM,
                    to: gap_from
                },
                Interval {
                    from: gap_to,
                    to: TO
                }
            ]
        );
        assert_eq!(a.present_minutes, 53);
        assert_eq!(a.verdict, Verdict::Incomplete);
    }

    #[test]
    fn d03_live_roster() {
        let t = Thresholds::default();
        let now = at(30);
        assert_eq!(d03_currently_present(&[], now, &t), Presence::NotArrived);
        assert_eq!(
            d03_currently_present(&in_out(40, None), now, &t),
            Presence::NotArrived,
            "future evidence is not yet known"
        );
        assert_eq!(
            d03_currently_present(&in_out(1, None), now, &t),
            Presence::Present { since: at(1) }
        );
        assert_eq!(
            d03_currently_present(&in_out(1, Some(28)), now, &t),
            Presence::Left { since: at(28) }
        );
        assert_eq!(
            d03_currently_present(&beats(at(0), at(26)), now, &t),
            Presence::Present { since: at(0) }
        );
        assert_eq!(
            d03_currently_present(&beats(at(0), at(24)), now, &t),
            Presence::Left { since: at(24) }
        );
        let mut v = in_out(1, None);
        v.push(Evidence::StaffAbsent);
        assert_eq!(d03_currently_present(&v, now, &t), Presence::NotArrived);
    }

    #[test]
    fn verdict_codes_round_trip() {
        for v in Verdict::ALL {
            assert_eq!(Verdict::from_code(v.code()), Some(v));
        }
        assert_eq!(Verdict::from_code("present"), None);
    }

    fn evidence() -> impl Strategy<Value = Evidence> {
        // Seconds from 30 minutes before the block to 30 minutes after it.
        let t = || (-1800i64..5400).prop_map(|s| FROM + Duration::seconds(s));
        prop_oneof![
            t().prop_map(|at| Evidence::CheckIn { at }),
            t().prop_map(|at| Evidence::CheckOut { at }),
            t().prop_map(|at| Evidence::Heartbeat { at }),
            (t(), t()).prop_map(|(from, to)| Evidence::Interval { from, to }),
            (t(), t()).prop_map(|(from, to)| Evidence::StaffPresent { from, to }),
        ]
    }

    fn intervals() -> impl Strategy<Value = Vec<Evidence>> {
        prop::collection::vec(
            (-1800i64..5400, 0i64..1800).prop_map(|(s, len)| Evidence::Interval {
                from: FROM + Duration::seconds(s),
                to: FROM + Duration::seconds(s + len),
            }),
            0..12,
        )
    }

    proptest! {
        #[test]
        fn d03_present_and_left_are_disjoint_and_inside_the_block(
            v in prop::collection::vec(evidence(), 0..40),
            gap in 1u32..=60,
        ) {
            let t = Thresholds { gap_minutes: gap, ..Thresholds::default() };
            let a = d03_block_attendance(FROM, TO, true, &v, &t);
            let mut all: Vec<Interval> = a.present.iter().chain(&a.left).copied().collect();
            all.sort_by_key(|i| i.from);
            for i in &all {
                prop_assert!(FROM <= i.from && i.from < i.to && i.to <= TO, "{i:?}");
            }
            for w in all.windows(2) {
                prop_assert!(w[0].to <= w[1].from, "{w:?}");
            }
            prop_assert!(a.present_minutes <= 60);
            prop_assert_eq!(a.present.is_empty(), a.verdict == Verdict::Absent);
        }

        #[test]
        fn d03_more_evidence_never_means_less_presence(v in intervals(), more in intervals()) {
            let t = Thresholds::default();
            let before = d03_block_attendance(FROM, TO, true, &v, &t).present_minutes;
            let all: Vec<Evidence> = v.iter().chain(&more).copied().collect();
            let after = d03_block_attendance(FROM, TO, true, &all, &t).present_minutes;
            prop_assert!(before <= after, "{before} > {after}");
        }

        #[test]
        fn merged_intervals_are_sorted_and_apart(v in intervals(), tol in 0i64..600) {
            let v: Vec<Interval> = v.into_iter().filter_map(|e| match e {
                Evidence::Interval { from, to } => Some(Interval { from, to }),
                _ => None,
            }).collect();
            let tolerance = Duration::seconds(tol);
            let m = merge_intervals(v, tolerance);
            for w in m.windows(2) {
                prop_assert!(w[0].to + tolerance < w[1].from, "{w:?}");
            }
        }
    }
}

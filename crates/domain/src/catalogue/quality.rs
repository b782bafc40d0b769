//! A05's quality signals (issue 19 item 4): what a visitor can trust about how a programme has
//! gone, from Koshu's own records. Over the last 12 months: the share of learners decided 修了,
//! and the share satisfied in the end-of-course survey, shown only from
//! [`MIN_RESPONSES`](crate::delivery::survey::MIN_RESPONSES) answers on (B08: fewer would point
//! at people, and say little); and the last day a session was held.

use time::Date;

use super::Session;
use crate::delivery::survey::b08_results_may_be_shown;
use crate::designation::rules::anniversary;

/// The ministry's survey item the satisfaction figure reads: 「講習の目的に対する満足度」, five
/// points from 不満 (1) to 満足 (5).
pub const SATISFACTION_ITEM: &str = "m1";
/// The points that count as satisfied: やや満足 and 満足.
pub const SATISFIED_FROM_POINT: u32 = 4;

/// What Koshu recorded of one delivered session: its survey's counts and its current completion
/// decisions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveredRecord {
    pub session_id: String,
    /// Learners who answered the survey.
    pub responses: u32,
    /// Answers to [`SATISFACTION_ITEM`]; of them, how many chose やや満足 or 満足; their points
    /// added up.
    pub satisfaction_answers: u32,
    pub satisfied: u32,
    pub satisfaction_points: u32,
    pub completed: u32,
    pub not_completed: u32,
}

/// The signals of one programme on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualitySignals {
    /// The 12 months counted, both days included; `to` is today.
    pub from: Date,
    pub to: Date,
    /// Sessions held in them that have Koshu's records.
    pub sessions: u32,
    pub responses: u32,
    /// `None` until the sessions counted have [`MIN_RESPONSES`] survey answers between them.
    ///
    /// [`MIN_RESPONSES`]: crate::delivery::survey::MIN_RESPONSES
    pub figures: Option<Figures>,
    /// The last day of the latest session held (not cancelled), Koshu's or not.
    pub last_held_on: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// Learners with a completion decision, and the share of them decided 修了 (whole percent,
    /// rounded down); no share while nobody is decided.
    pub decided: u32,
    pub completion_percent: Option<u32>,
    /// Answers to the satisfaction item, the share of them やや満足 or 満足 (whole percent, rounded
    /// down) and their mean in tenths of a point (42 is 4.2), rounded half up.
    pub satisfaction_answers: u32,
    pub satisfied_percent: Option<u32>,
    pub satisfaction_mean_tenths: Option<u32>,
}

/// A05: the quality signals of a programme with these catalogue `sessions`, of which Koshu
/// delivered `delivered`, on `today`. A session counts when it is not cancelled and its last
/// day is within the 12 months that end today (a session still running is not counted yet).
pub fn a05_quality_signals(
    sessions: &[Session],
    delivered: &[DeliveredRecord],
    today: Date,
) -> QualitySignals {
    let from = anniversary(today.next_day().unwrap_or(today), -1);
    let held: Vec<&Session> = sessions
        .iter()
        .filter(|s| !s.cancelled && s.ends_on <= today)
        .collect();
    let counted: Vec<&DeliveredRecord> = delivered
        .iter()
        .filter(|d| {
            held.iter()
                .any(|s| s.id.as_str() == d.session_id && s.ends_on >= from)
        })
        .collect();
    let sum = |f: fn(&DeliveredRecord) -> u32| counted.iter().map(|d| f(d)).sum::<u32>();
    let responses = sum(|d| d.responses);
    let figures = b08_results_may_be_shown(responses).ok().map(|()| {
        let (completed, decided) = (sum(|d| d.completed), sum(|d| d.completed + d.not_completed));
        let answers = sum(|d| d.satisfaction_answers);
        let points = sum(|d| d.satisfaction_points);
        Figures {
            decided,
            completion_percent: percent(completed, decided),
            satisfaction_answers: answers,
            satisfied_percent: percent(sum(|d| d.satisfied), answers),
            satisfaction_mean_tenths: (answers > 0)
                .then(|| (points * 20 + answers) / (answers * 2)),
        }
    });
    QualitySignals {
        from,
        to: today,
        sessions: u32::try_from(counted.len()).unwrap_or(u32::MAX),
        responses,
        figures,
        last_held_on: held.iter().map(|s| s.ends_on).max(),
    }
}

/// `part` of `whole` in whole percent, rounded down; none of nothing.
pub(crate) fn percent(part: u32, whole: u32) -> Option<u32> {
    (whole > 0).then(|| part.saturating_mul(100) / whole)
}

/// The mean of `answers` points adding up to `points`, in tenths rounded half up.
pub(crate) fn mean_tenths(points: u32, answers: u32) -> Option<u32> {
    (answers > 0).then(|| (points * 20 + answers) / (answers * 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Slug;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 04);

    fn session(n: u32, ends_on: Date, cancelled: bool) -> Session {
        Session {
            id: Slug::parse(&format!("p-{n:03}")).unwrap(),
            programme: Slug::parse("p").unwrap(),
            starts_on: ends_on,
            ends_on,
            prefecture: None,
            city: None,
            venue: None,
            online: true,
            capacity: None,
            seats_left: None,
            application_deadline: None,
            note_ja: None,
            cancelled,
        }
    }

    /// `responses` answers, all to the satisfaction item, `satisfied` of them 5 and the rest 2;
    /// `completed` of `decided` decided 修了.
    fn record(
        n: u32,
        responses: u32,
        satisfied: u32,
        completed: u32,
        decided: u32,
    ) -> DeliveredRecord {
        DeliveredRecord {
            session_id: format!("p-{n:03}"),
            responses,
            satisfaction_answers: responses,
            satisfied,
            satisfaction_points: satisfied * 5 + (responses - satisfied) * 2,
            completed,
            not_completed: decided - completed,
        }
    }

    #[test]
    fn a05_quality_signals_shows_figures_from_five_answers_within_the_year() {
        let sessions = [
            session(1, date!(2025 - 12 - 05), false),
            session(2, date!(2026 - 11 - 27), false),
            // Outside the year: its answers do not count.
            session(3, date!(2025 - 12 - 04), false),
        ];
        let delivered = [
            record(1, 2, 2, 2, 3),
            record(2, 3, 2, 3, 3),
            record(3, 9, 0, 0, 9),
        ];
        let signals = a05_quality_signals(&sessions, &delivered, TODAY);
        assert_eq!((signals.from, signals.to), (date!(2025 - 12 - 05), TODAY));
        assert_eq!((signals.sessions, signals.responses), (2, 5));
        assert_eq!(signals.last_held_on, Some(date!(2026 - 11 - 27)));
        let figures = signals.figures.expect("five answers");
        assert_eq!((figures.decided, figures.completion_percent), (6, Some(83)));
        assert_eq!(figures.satisfied_percent, Some(80));
        // (4 × 5 + 1 × 2) / 5 = 4.4.
        assert_eq!(figures.satisfaction_mean_tenths, Some(44));
    }

    #[test]
    fn a05_quality_signals_shows_no_figures_below_five_answers() {
        let sessions = [session(1, date!(2026 - 11 - 27), false)];
        let signals = a05_quality_signals(&sessions, &[record(1, 4, 4, 4, 4)], TODAY);
        assert_eq!(signals.responses, 4);
        assert_eq!(signals.figures, None);
        assert_eq!(signals.last_held_on, Some(date!(2026 - 11 - 27)));
    }

    #[test]
    fn a05_quality_signals_leaves_out_cancelled_and_unfinished_sessions() {
        let sessions = [
            session(1, date!(2026 - 11 - 27), true),
            session(2, date!(2026 - 12 - 10), false),
            session(3, date!(2026 - 06 - 01), false),
        ];
        let delivered = [
            record(1, 5, 5, 5, 5),
            record(2, 5, 5, 5, 5),
            record(3, 5, 0, 0, 0),
        ];
        let signals = a05_quality_signals(&sessions, &delivered, TODAY);
        assert_eq!(signals.last_held_on, Some(date!(2026 - 06 - 01)));
        assert_eq!((signals.sessions, signals.responses), (1, 5));
        let figures = signals.figures.unwrap();
        assert_eq!(figures.completion_percent, None, "nobody decided yet");
        assert_eq!(figures.satisfied_percent, Some(0));
        assert_eq!(figures.satisfaction_mean_tenths, Some(20));
        assert_eq!(a05_quality_signals(&[], &[], TODAY).last_held_on, None);
    }

    #[test]
    fn a05_quality_signals_year_of_a_leap_day() {
        let signals = a05_quality_signals(&[], &[], date!(2028 - 02 - 29));
        assert_eq!(signals.from, date!(2027 - 03 - 01));
    }
}

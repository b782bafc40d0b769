//! E01: the monthly 「特定講習」実施状況報告書 (3-2(9)), computed from what Koshu recorded of a
//! designated course's sessions, never typed in. A session belongs to the month its last day
//! falls in (its completions are decided then). The workflow gathers each session's facts from
//! the roster, progress, completion and survey records; this module adds them up.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::ValidationError;
use crate::catalogue::quality::{mean_tenths, percent};
use crate::delivery::survey::b08_results_may_be_shown;
use crate::types::FiscalYear;

/// A calendar month, `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ReportMonth {
    pub year: i32,
    pub month: Month,
}

impl ReportMonth {
    pub fn of(day: Date) -> Self {
        Self {
            year: day.year(),
            month: day.month(),
        }
    }

    /// `2026-11`; anything else names the field and the form it wants.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let invalid = || {
            ValidationError::new(
                "report.month",
                "月は 2026-11 の形で指定してください。",
                "Give the month as 2026-11.",
            )
            .for_field("month")
        };
        let (y, m) = text.trim().split_once('-').ok_or_else(invalid)?;
        let year: i32 = y.parse().map_err(|_| invalid())?;
        let month: u8 = m.parse().map_err(|_| invalid())?;
        if y.len() != 4 || m.len() != 2 {
            return Err(invalid());
        }
        let month = Month::try_from(month).map_err(|_| invalid())?;
        Ok(Self { year, month })
    }

    pub fn code(&self) -> String {
        format!("{:04}-{:02}", self.year, u8::from(self.month))
    }

    pub fn first_day(&self) -> Date {
        Date::from_calendar_date(self.year, self.month, 1).unwrap_or(Date::MIN)
    }

    pub fn last_day(&self) -> Date {
        self.next().first_day().previous_day().unwrap_or(Date::MAX)
    }

    pub fn next(&self) -> Self {
        match self.month {
            Month::December => Self {
                year: self.year + 1,
                month: Month::January,
            },
            m => Self {
                year: self.year,
                month: m.next(),
            },
        }
    }

    pub fn contains(&self, day: Date) -> bool {
        Self::of(day) == *self
    }

    pub fn previous(&self) -> Self {
        Self::of(self.first_day().previous_day().unwrap_or(Date::MIN))
    }
}

/// What a report covers: a month (月次), or a fiscal year, April to March (年度).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReportPeriod {
    Month(ReportMonth),
    Year(FiscalYear),
}

impl ReportPeriod {
    /// `2026-11` (a month) or `fy2026` (2026年度); anything else names the field.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        match text.trim().strip_prefix("fy") {
            Some(year) => year
                .parse::<i32>()
                .ok()
                .and_then(|y| FiscalYear::new(y).ok())
                .map(Self::Year)
                .ok_or_else(|| {
                    ValidationError::new(
                        "report.year",
                        "年度は fy2026 の形で指定してください。",
                        "Give the fiscal year as fy2026.",
                    )
                    .for_field("period")
                }),
            None => ReportMonth::parse(text).map(Self::Month),
        }
    }

    pub fn code(&self) -> String {
        match self {
            Self::Month(m) => m.code(),
            Self::Year(y) => format!("fy{}", y.year()),
        }
    }

    pub fn first_day(&self) -> Date {
        match self {
            Self::Month(m) => m.first_day(),
            Self::Year(y) => y.start(),
        }
    }

    pub fn last_day(&self) -> Date {
        match self {
            Self::Month(m) => m.last_day(),
            Self::Year(y) => y.end(),
        }
    }

    pub fn contains(&self, day: Date) -> bool {
        self.first_day() <= day && day <= self.last_day()
    }

    /// 2026年11月 or 2026年度.
    pub fn label_ja(&self) -> String {
        match self {
            Self::Month(m) => format!("{}年{}月", m.year, u8::from(m.month)),
            Self::Year(y) => y.ja(),
        }
    }

    /// November 2026 or FY2026.
    pub fn label_en(&self) -> String {
        match self {
            Self::Month(m) => format!("{} {}", m.month, m.year),
            Self::Year(y) => y.en(),
        }
    }

    /// The form's name: （月次） or （年度）.
    pub fn form_ja(&self) -> &'static str {
        match self {
            Self::Month(_) => "「特定講習」実施状況報告書（月次）",
            Self::Year(_) => "「特定講習」実施状況報告書（年度）",
        }
    }
}

/// 「年度」: the annual report is due at the end of May after the fiscal year.
pub const ANNUAL_DUE: (Month, u8) = (Month::May, 31);

/// E01: the day a report is due: a month's on `monthly_due_day` of the next month, a fiscal
/// year's at the end of the following May.
pub fn e01_due_on(period: ReportPeriod, monthly_due_day: u8) -> Date {
    match period {
        ReportPeriod::Month(m) => e01_monthly_due_on(m, monthly_due_day),
        ReportPeriod::Year(y) => {
            Date::from_calendar_date(y.year() + 1, ANNUAL_DUE.0, ANNUAL_DUE.1).unwrap_or(Date::MAX)
        }
    }
}

/// 「月次」: a month's report is due on this day of the following month, unless configured.
pub const DEFAULT_MONTHLY_DUE_DAY: u8 = 10;

/// E01: the day the report of `month` is due: day `due_day` (1–28) of the following month.
pub fn e01_monthly_due_on(month: ReportMonth, due_day: u8) -> Date {
    let next = month.next();
    Date::from_calendar_date(next.year, next.month, due_day.clamp(1, 28)).unwrap_or(Date::MAX)
}

/// Reminders about the last month's report go on the 1st (it can be submitted now) and this
/// many days before its due day (it is due soon), while it is not submitted.
pub const REMIND_DAYS_BEFORE_DUE: u8 = 3;

/// What a reminder says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportReminder {
    /// The month is over: its report can be submitted, by its due day.
    Ready,
    /// Its due day is [`REMIND_DAYS_BEFORE_DUE`] days away.
    DueSoon,
}

impl ReportReminder {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::DueSoon => "due_soon",
        }
    }
}

/// The day of the month the due-soon reminder goes, if it is after the 1st.
fn due_soon_day(due_day: u8) -> Option<u8> {
    due_day
        .clamp(1, 28)
        .checked_sub(REMIND_DAYS_BEFORE_DUE)
        .filter(|d| *d > 1)
}

/// E01: the reminder `today` is for, about the previous month's report.
pub fn e01_reminder_of_day(today: Date, due_day: u8) -> Option<ReportReminder> {
    match today.day() {
        1 => Some(ReportReminder::Ready),
        d if Some(d) == due_soon_day(due_day) => Some(ReportReminder::DueSoon),
        _ => None,
    }
}

/// E01: the next day after `today` a reminder may go.
pub fn e01_next_reminder_day(today: Date, due_day: u8) -> Date {
    let this = ReportMonth::of(today);
    let soon = due_soon_day(due_day)
        .and_then(|d| Date::from_calendar_date(this.year, this.month, d).ok())
        .filter(|d| *d > today);
    soon.unwrap_or_else(|| this.next().first_day())
}

/// Where a month's report stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The month is not over: nothing to submit yet.
    InProgress,
    /// Over, not submitted, not yet due.
    Open { due_on: Date },
    /// Its first version arrived on `on`, after `due_on` when `late`.
    Received { on: Date, late: bool },
    /// Past its due day with nothing submitted.
    Missing { due_on: Date },
}

impl Standing {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InProgress => "in_progress",
            Self::Open { .. } => "open",
            Self::Received { late: false, .. } => "received",
            Self::Received { late: true, .. } => "late",
            Self::Missing { .. } => "missing",
        }
    }

    /// The ministry chases a report that is missing.
    pub fn may_be_chased(&self) -> bool {
        matches!(self, Self::Missing { .. })
    }
}

/// E01: where the report of `period` stands on `today`, from the day its first version was
/// submitted (a correction does not make a report late), and its due day.
pub fn e01_report_standing(
    period: ReportPeriod,
    first_submitted_on: Option<Date>,
    due_on: Date,
    today: Date,
) -> Standing {
    match first_submitted_on {
        Some(on) => Standing::Received {
            on,
            late: on > due_on,
        },
        None if today <= period.last_day() => Standing::InProgress,
        None if today <= due_on => Standing::Open { due_on },
        None => Standing::Missing { due_on },
    }
}

/// One enrolled learner of a session, as the records show them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LearnerFacts {
    pub identity_checked: bool,
    /// Marked present in at least one block.
    pub attended: bool,
    /// Left in the middle of a block (a silence longer than the gap threshold, or a check-out).
    pub left_mid_course: bool,
    /// Stalled (a stall now, or one followed up).
    pub stalled: bool,
    /// Staff recorded a follow-up for them.
    pub followed_up: bool,
    /// The current completion decision: 修了 (`Some(true)`), 未修了, or none yet.
    pub completed: Option<bool>,
    /// The registration number, for a learner who gave one.
    pub riss_number: Option<String>,
}

/// One session of the month, with its learners and its survey's count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFacts {
    pub session_id: String,
    pub first_day: Date,
    pub last_day: Date,
    /// Where it is held, as the report prints it (venue and/or online).
    pub place: String,
    pub learners: Vec<LearnerFacts>,
    pub survey_responses: u32,
    /// Answers to the satisfaction item, of them やや満足 or 満足, and their points added up.
    pub satisfaction: (u32, u32, u32),
}

/// A session's line in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionLine {
    pub session_id: String,
    pub first_day: Date,
    pub last_day: Date,
    pub place: String,
    pub enrolled: u32,
    pub attended: u32,
    pub completed: u32,
}

/// The report's figures: what a submitted version freezes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyFigures {
    pub sessions: Vec<SessionLine>,
    pub enrolled: u32,
    pub identity_checked: u32,
    pub attended: u32,
    pub left_mid_course: u32,
    pub left_followed_up: u32,
    pub stalled: u32,
    pub stalled_followed_up: u32,
    pub completed: u32,
    pub not_completed: u32,
    /// 修了 of those decided, whole percent rounded down.
    pub completion_percent: Option<u32>,
    /// The completers' registration numbers (IPA records the holders' courses from them).
    pub completed_riss_numbers: Vec<String>,
    pub survey_responses: u32,
    /// Responses of those enrolled, whole percent rounded down.
    pub survey_response_percent: Option<u32>,
    /// From five responses on only (B08): やや満足・満足 of the answers, and the mean in tenths.
    pub satisfied_percent: Option<u32>,
    pub satisfaction_mean_tenths: Option<u32>,
    /// Problems with the course reported by visitors in the month.
    pub complaints: u32,
    /// Change notices (様式第3号) filed in the month.
    pub changes: u32,
}

/// E01: the month's figures from its sessions' facts and the month's complaints and changes.
pub fn e01_monthly_figures(
    sessions: &[SessionFacts],
    complaints: u32,
    changes: u32,
) -> MonthlyFigures {
    let mut f = MonthlyFigures {
        complaints,
        changes,
        ..MonthlyFigures::default()
    };
    let count = |learners: &[LearnerFacts], test: fn(&LearnerFacts) -> bool| {
        u32::try_from(learners.iter().filter(|l| test(l)).count()).unwrap_or(u32::MAX)
    };
    let (mut answers, mut satisfied, mut points) = (0, 0, 0);
    for s in sessions {
        let l = &s.learners;
        f.sessions.push(SessionLine {
            session_id: s.session_id.clone(),
            first_day: s.first_day,
            last_day: s.last_day,
            place: s.place.clone(),
            enrolled: count(l, |_| true),
            attended: count(l, |x| x.attended),
            completed: count(l, |x| x.completed == Some(true)),
        });
        f.enrolled += count(l, |_| true);
        f.identity_checked += count(l, |x| x.identity_checked);
        f.attended += count(l, |x| x.attended);
        f.left_mid_course += count(l, |x| x.left_mid_course);
        f.left_followed_up += count(l, |x| x.left_mid_course && x.followed_up);
        f.stalled += count(l, |x| x.stalled);
        f.stalled_followed_up += count(l, |x| x.stalled && x.followed_up);
        f.completed += count(l, |x| x.completed == Some(true));
        f.not_completed += count(l, |x| x.completed == Some(false));
        f.completed_riss_numbers.extend(
            l.iter()
                .filter(|x| x.completed == Some(true))
                .filter_map(|x| x.riss_number.clone()),
        );
        f.survey_responses += s.survey_responses;
        answers += s.satisfaction.0;
        satisfied += s.satisfaction.1;
        points += s.satisfaction.2;
    }
    f.completed_riss_numbers.sort();
    f.completion_percent = percent(f.completed, f.completed + f.not_completed);
    f.survey_response_percent = percent(f.survey_responses, f.enrolled);
    if b08_results_may_be_shown(f.survey_responses).is_ok() {
        f.satisfied_percent = percent(satisfied, answers);
        f.satisfaction_mean_tenths = mean_tenths(points, answers);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn learner(attended: bool, completed: Option<bool>, riss: Option<&str>) -> LearnerFacts {
        LearnerFacts {
            identity_checked: attended,
            attended,
            completed,
            riss_number: riss.map(str::to_owned),
            ..LearnerFacts::default()
        }
    }

    fn session(learners: Vec<LearnerFacts>, responses: u32) -> SessionFacts {
        SessionFacts {
            session_id: "p-001".to_owned(),
            first_day: date!(2026 - 11 - 27),
            last_day: date!(2026 - 11 - 27),
            place: "東京都".to_owned(),
            learners,
            survey_responses: responses,
            satisfaction: (responses, responses.saturating_sub(1), responses * 4),
        }
    }

    #[test]
    fn report_month_parses_and_rolls_over() {
        let m = ReportMonth::parse("2026-12").unwrap();
        assert_eq!(m.code(), "2026-12");
        assert_eq!(m.last_day(), date!(2026 - 12 - 31));
        assert_eq!(m.next().code(), "2027-01");
        assert_eq!(
            ReportMonth::parse("2028-02").unwrap().last_day(),
            date!(2028 - 02 - 29)
        );
        for bad in ["2026-13", "2026-1", "26-01", "2026/01", ""] {
            assert_eq!(
                ReportMonth::parse(bad).unwrap_err().field.as_deref(),
                Some("month"),
                "{bad}"
            );
        }
    }

    #[test]
    fn report_periods_are_months_or_fiscal_years() {
        let fy = ReportPeriod::parse("fy2025").unwrap();
        assert_eq!(
            (fy.first_day(), fy.last_day()),
            (date!(2025 - 04 - 01), date!(2026 - 03 - 31))
        );
        assert_eq!(
            (fy.code(), fy.label_ja()),
            ("fy2025".to_owned(), "2025年度".to_owned())
        );
        assert!(fy.contains(date!(2026 - 03 - 25)) && !fy.contains(date!(2026 - 04 - 01)));
        assert_eq!(e01_due_on(fy, 10), date!(2026 - 05 - 31));
        let m = ReportPeriod::parse("2026-03").unwrap();
        assert_eq!(
            (m.label_ja(), e01_due_on(m, 10)),
            ("2026年3月".to_owned(), date!(2026 - 04 - 10))
        );
        assert_eq!(
            ReportPeriod::parse("fy20x").unwrap_err().field.as_deref(),
            Some("period")
        );
    }

    #[test]
    fn e01_monthly_due_on_is_the_due_day_of_the_next_month() {
        let december = ReportMonth::parse("2026-12").unwrap();
        assert_eq!(e01_monthly_due_on(december, 10), date!(2027 - 01 - 10));
        assert_eq!(
            e01_monthly_due_on(december, 31),
            date!(2027 - 01 - 28),
            "clamped"
        );
    }

    #[test]
    fn e01_reminders_go_on_the_first_and_three_days_before_the_due_day() {
        assert_eq!(
            e01_reminder_of_day(date!(2026 - 12 - 01), 10),
            Some(ReportReminder::Ready)
        );
        assert_eq!(
            e01_reminder_of_day(date!(2026 - 12 - 07), 10),
            Some(ReportReminder::DueSoon)
        );
        assert_eq!(e01_reminder_of_day(date!(2026 - 12 - 08), 10), None);
        assert_eq!(
            e01_next_reminder_day(date!(2026 - 12 - 01), 10),
            date!(2026 - 12 - 07)
        );
        assert_eq!(
            e01_next_reminder_day(date!(2026 - 12 - 07), 10),
            date!(2027 - 01 - 01)
        );
        assert_eq!(
            e01_next_reminder_day(date!(2026 - 11 - 20), 10),
            date!(2026 - 12 - 01)
        );
        // Due on the 3rd: only the reminder of the 1st.
        assert_eq!(e01_reminder_of_day(date!(2026 - 12 - 02), 3), None);
        assert_eq!(
            e01_next_reminder_day(date!(2026 - 12 - 01), 3),
            date!(2027 - 01 - 01)
        );
        assert_eq!(
            ReportMonth::parse("2026-01").unwrap().previous().code(),
            "2025-12"
        );
    }

    #[test]
    fn e01_report_standing_passes_on_time_and_fails_late_or_missing() {
        let m = ReportPeriod::parse("2026-11").unwrap();
        let due = date!(2026 - 12 - 10);
        let on = |submitted, today| e01_report_standing(m, submitted, due, today);
        assert_eq!(on(None, date!(2026 - 11 - 30)), Standing::InProgress);
        assert_eq!(
            on(None, date!(2026 - 12 - 10)),
            Standing::Open { due_on: due }
        );
        assert_eq!(
            on(None, date!(2026 - 12 - 11)),
            Standing::Missing { due_on: due }
        );
        let in_time = on(Some(date!(2026 - 12 - 10)), date!(2026 - 12 - 20));
        assert_eq!(in_time.code(), "received");
        let late = on(Some(date!(2026 - 12 - 11)), date!(2026 - 12 - 20));
        assert_eq!(late.code(), "late");
        assert!(on(None, date!(2026 - 12 - 11)).may_be_chased() && !late.may_be_chased());
    }

    #[test]
    fn e01_monthly_figures_add_up_the_sessions() {
        let mut left = learner(true, Some(false), None);
        left.left_mid_course = true;
        left.followed_up = true;
        let mut stalled = learner(false, None, None);
        stalled.stalled = true;
        let sessions = [
            session(
                vec![
                    learner(true, Some(true), Some("第012345号")),
                    learner(true, Some(true), None),
                    left,
                ],
                3,
            ),
            session(
                vec![learner(true, Some(true), Some("第000001号")), stalled],
                2,
            ),
        ];
        let f = e01_monthly_figures(&sessions, 1, 2);
        assert_eq!((f.enrolled, f.identity_checked, f.attended), (5, 4, 4));
        assert_eq!((f.left_mid_course, f.left_followed_up), (1, 1));
        assert_eq!((f.stalled, f.stalled_followed_up), (1, 0));
        assert_eq!(
            (f.completed, f.not_completed, f.completion_percent),
            (3, 1, Some(75))
        );
        assert_eq!(f.completed_riss_numbers, ["第000001号", "第012345号"]);
        assert_eq!(
            (f.survey_responses, f.survey_response_percent),
            (5, Some(100))
        );
        // Three of five satisfied is 60 %; the mean of 4 points each is 4.0.
        assert_eq!(
            (f.satisfied_percent, f.satisfaction_mean_tenths),
            (Some(60), Some(40))
        );
        assert_eq!((f.complaints, f.changes), (1, 2));
        assert_eq!(f.sessions[1].enrolled, 2);
    }

    #[test]
    fn e01_monthly_figures_hold_back_satisfaction_below_five_answers() {
        let f = e01_monthly_figures(&[session(vec![learner(true, None, None)], 4)], 0, 0);
        assert_eq!(f.survey_responses, 4);
        assert_eq!(
            (f.satisfied_percent, f.satisfaction_mean_tenths),
            (None, None)
        );
        assert_eq!(f.completion_percent, None, "nobody decided");
        assert_eq!(e01_monthly_figures(&[], 0, 0).survey_response_percent, None);
    }
}

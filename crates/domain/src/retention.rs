//! How long the records of a course's delivery are kept (E02; B31: 「報告事項についての問い合わせに
//! 応じられるよう、3年間情報の保管を行うこと」).
//!
//! A session belongs to the fiscal year (年度) of its last day, the year its report counts it
//! in. Its learners' personal data is kept for three years after that fiscal year ends, and is
//! purged from 1 April of the year after: a session held in 2026年度 (ending 31 March 2027) is
//! kept until 31 March 2030 and purged from 1 April 2030. What is purged and what stays is the
//! store's list (`koshu_store::retention`); the submitted reports and the anonymous survey
//! tallies always stay.

use crate::types::FiscalYear;
use time::Date;

/// Years the records are kept after the fiscal year they belong to (B31).
pub const RETENTION_YEARS: i32 = 3;

/// The fiscal year a session's records belong to: that of its last day. `None` for a day
/// outside the fiscal years Koshu names (before 1989年度 or after 2200年度).
pub fn fiscal_year_of_session(last_day: Date) -> Option<FiscalYear> {
    FiscalYear::of(last_day).ok()
}

/// E02: the first day on which the personal data of a session whose last day is `last_day`
/// may be purged: 1 April, [`RETENTION_YEARS`] years after the end of its fiscal year. `None`
/// when the day has no fiscal year (such a session is never purged by the schedule).
pub fn e02_purge_from(last_day: Date) -> Option<Date> {
    let year = fiscal_year_of_session(last_day)?;
    // The end of the fiscal year plus three years is 31 March; the purge is the day after.
    Date::from_calendar_date(year.year() + 1 + RETENTION_YEARS, time::Month::April, 1).ok()
}

/// E02: whether a session whose last day is `last_day` is past its retention on `today`.
pub fn e02_retention_has_ended(last_day: Date, today: Date) -> bool {
    e02_purge_from(last_day).is_some_and(|from| today >= from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_session_is_kept_three_years_after_its_fiscal_year() {
        // 2026年度 ends on 31 March 2027; kept until 31 March 2030.
        assert_eq!(
            e02_purge_from(date!(2026 - 11 - 27)),
            Some(date!(2030 - 04 - 01))
        );
        // A session ending in March belongs to the fiscal year before.
        assert_eq!(
            e02_purge_from(date!(2027 - 03 - 31)),
            Some(date!(2030 - 04 - 01))
        );
        assert_eq!(
            e02_purge_from(date!(2027 - 04 - 01)),
            Some(date!(2031 - 04 - 01))
        );
    }

    #[test]
    fn e02_retention_has_ended_from_the_first_of_april_after_three_years() {
        let held = date!(2026 - 11 - 27);
        assert!(!e02_retention_has_ended(held, date!(2030 - 03 - 31)));
        assert!(e02_retention_has_ended(held, date!(2030 - 04 - 01)));
        assert!(e02_retention_has_ended(held, date!(2031 - 01 - 01)));
    }

    #[test]
    fn a_day_without_a_fiscal_year_is_never_purged_by_the_schedule() {
        assert_eq!(e02_purge_from(date!(1980 - 05 - 01)), None);
        assert!(!e02_retention_has_ended(
            date!(1980 - 05 - 01),
            date!(2030 - 04 - 01)
        ));
    }
}

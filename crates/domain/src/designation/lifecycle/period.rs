//! The 対象期間 of a designation (5-1, C01, C02) and its number.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::designation::rules::anniversary;
use crate::error::ValidationError;
use crate::types::FiscalYear;

/// C01: a designation runs 3 years from its date: `ends_on` = the day before the 3rd
/// anniversary.
///
/// 「対象となった日（原則4月1日）から3年間」 counts the designation day itself, so the usual
/// 1 April designation covers exactly three fiscal years (2026-04-01 to 2029-03-31); a
/// 29 February start ends on the last day of February (see [`anniversary`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesignationPeriod {
    pub starts_on: Date,
    /// Inclusive.
    pub ends_on: Date,
}

/// Years of a designation (5-1).
const YEARS: i32 = 3;

/// Day before `day`; `day` itself only at `Date::MIN`, which no anniversary reaches.
fn day_before(day: Date) -> Date {
    day.previous_day().unwrap_or(day)
}

impl DesignationPeriod {
    pub fn from_designation_date(starts_on: Date) -> Self {
        Self {
            starts_on,
            ends_on: day_before(anniversary(starts_on, YEARS)),
        }
    }

    pub fn contains(&self, day: Date) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }

    /// C02: the renewal window is the final year of the period (from the 2nd anniversary to
    /// `ends_on`): 「最終年度の応募期間内に、新規案件と同様の手続」 (5-1 留意点②).
    pub fn in_final_year(&self, day: Date) -> bool {
        self.final_year_starts_on() <= day && day <= self.ends_on
    }

    /// The 2nd anniversary of `starts_on` (1 March for a 29 February start, the day after the
    /// second year ends).
    pub fn final_year_starts_on(&self) -> Date {
        anniversary(self.starts_on, YEARS - 1)
    }
}

/// Largest sequence that fits the 3 digits of the number.
const MAX_SEQUENCE: u32 = 999;

/// The designation number: "特講" + fiscal year of the designation date + "-" + 3-digit
/// sequence, e.g. "特講2026-001".
///
/// Errors: `designation_number.sequence` unless `1..=999`; `fiscal_year.range` for a date
/// outside 1989年度..=2200年度.
/// The sequence of `number` if it is a designation number of fiscal year `fy` (`特講2026-007`
/// → 7 for 2026年度), else `None`.
pub fn designation_sequence(number: &str, fy: FiscalYear) -> Option<u32> {
    let rest = number.strip_prefix("特講")?;
    let (year, sequence) = rest.split_once('-')?;
    (year.parse::<i32>().ok()? == fy.year() && sequence.len() == 3)
        .then(|| sequence.parse().ok())
        .flatten()
}

pub fn designation_number(designated_on: Date, sequence: u32) -> Result<String, ValidationError> {
    if !(1..=MAX_SEQUENCE).contains(&sequence) {
        return Err(ValidationError::new(
            "designation_number.sequence",
            format!("指定番号の連番は1から{MAX_SEQUENCE}までです（{sequence}）。"),
            format!("The designation sequence must be 1 to {MAX_SEQUENCE} (got {sequence})."),
        ));
    }
    let fy = FiscalYear::of(designated_on)?;
    Ok(format!("特講{}-{sequence:03}", fy.year()))
}

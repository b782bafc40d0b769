//! The public catalogue (requirements A01, A02, A04): providers, their programmes and the
//! sessions of each programme.
//!
//! Codes (ITSS+ fields, audiences, formats, ...) are checked against the `Taxonomy` when a
//! programme is built from input, so a `Programme` only ever holds known codes.

pub mod import;
pub mod listing;
pub mod quality;
pub mod search;

use crate::ValidationError;
use crate::prefecture::Prefecture;
use crate::types::{CorporateNumber, FiscalYear, Hours, Yen};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;

/// A stable, URL-safe identifier: lowercase ASCII letters, digits and hyphens, 1 to 64 long.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let ok = (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::new(
                "slug.format",
                "識別子は半角英小文字・数字・ハイフンの1〜64文字で、ハイフンで始まったり終わったりしないでください。",
                "An identifier is 1 to 64 lowercase letters, digits and hyphens, not starting or ending with a hyphen.",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> Self {
        s.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kinds of body that run programmes (A01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Ministry,
    Agency,
    Company,
    University,
    Association,
    Other,
}

impl ProviderKind {
    /// The stable code, as stored and used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ministry => "ministry",
            Self::Agency => "agency",
            Self::Company => "company",
            Self::University => "university",
            Self::Association => "association",
            Self::Other => "other",
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Ministry => "府省庁",
            Self::Agency => "独立行政法人・公的機関",
            Self::Company => "企業",
            Self::University => "大学・教育機関",
            Self::Association => "団体",
            Self::Other => "その他",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Ministry => "Ministry",
            Self::Agency => "Public agency",
            Self::Company => "Company",
            Self::University => "University",
            Self::Association => "Association",
            Self::Other => "Other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    pub id: Slug,
    pub name_ja: String,
    pub name_en: Option<String>,
    pub kind: ProviderKind,
    pub corporate_number: Option<CorporateNumber>,
    pub url: Option<String>,
    /// Where the facts of this record come from (demo and imported data name their source):
    /// the editor's note, not shown on public pages.
    pub source: Option<String>,
    /// The source as a visitor is told it.
    #[serde(default)]
    pub citation: Option<Citation>,
}

/// Whose published document a record's facts come from, as a visitor may be told it: the
/// publisher and the fiscal year (出典：総務省資料（令和3年度）). The record's `source` keeps
/// the editor's note (file, passage, judgement calls), which is for the data, not the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    pub publisher_ja: String,
    pub publisher_en: String,
    /// The fiscal year (年度) the document is of.
    pub fiscal_year: FiscalYear,
}

impl Citation {
    /// 「総務省資料（令和3年度）」
    pub fn ja(&self) -> String {
        format!("{}資料（{}）", self.publisher_ja, self.fiscal_year.wareki())
    }

    /// "Ministry of Internal Affairs and Communications (FY2021)"
    pub fn en(&self) -> String {
        format!("{} ({})", self.publisher_en, self.fiscal_year.en())
    }
}

/// What taking part costs (A02). Conditions such as "free for public bodies" are common.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Fee {
    Free,
    Fixed { yen: Yen },
    Range { min_yen: Yen, max_yen: Yen },
    Conditional { note_ja: String },
    Undisclosed,
}

impl Fee {
    /// The lowest and highest amount a learner may pay, where the fee says so.
    pub fn bounds(&self) -> Option<(Yen, Yen)> {
        match self {
            Self::Free => Some((Yen::ZERO, Yen::ZERO)),
            Self::Fixed { yen } => Some((*yen, *yen)),
            Self::Range { min_yen, max_yen } => Some((*min_yen, *max_yen)),
            Self::Conditional { .. } | Self::Undisclosed => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Ja,
    En,
}

/// A programme as published in the catalogue. Codes are taxonomy codes, checked on input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Programme {
    pub id: Slug,
    pub provider: Slug,
    pub title_ja: String,
    pub title_en: Option<String>,
    pub summary_ja: String,
    pub summary_en: Option<String>,
    pub purpose_ja: String,
    pub goals_ja: Vec<String>,
    pub skills_ja: Vec<String>,
    pub prerequisites_ja: String,
    pub layers: Vec<String>,
    pub audiences: Vec<String>,
    pub itss_fields: Vec<String>,
    pub syllabus_items: Vec<String>,
    pub kind: String,
    pub difficulty: String,
    pub format: String,
    pub duration_ja: String,
    /// The duration in English, where there is one (a designated course's is generated).
    #[serde(default)]
    pub duration_en: Option<String>,
    pub total_hours: Option<Hours>,
    pub frequency_ja: Option<String>,
    pub fee: Fee,
    pub language: Language,
    pub eligibility_ja: String,
    #[serde(default)]
    pub eligibility_en: Option<String>,
    pub url: Option<String>,
    pub accessibility_ja: Option<String>,
    pub inquiry_ja: Option<String>,
    pub complaint_ja: Option<String>,
    /// The editor's note on where the facts come from: for the data, not public pages.
    pub source: Option<String>,
    /// The source as a visitor is told it.
    #[serde(default)]
    pub citation: Option<Citation>,
    /// Set while the programme is a designated 特定講習 (filled by the designation workflow).
    #[serde(default)]
    pub designation: Option<Designation>,
}

/// A METI designation as 情報処理安全確保支援士『特定講習』: its number and period (C01).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Designation {
    pub number: String,
    pub starts_on: Date,
    pub ends_on: Date,
}

/// Where a designation stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesignationPhase {
    /// Decided, but its period has not begun: the course may not carry the label yet.
    Upcoming,
    /// Within its period: the course carries the label (section 6, C01).
    InForce,
    /// Past its period (the expiry job removes the designation; until then, no label).
    Ended,
}

impl Designation {
    /// The phase on `today` (a Japanese date); both ends of the period are in force.
    pub fn phase(&self, today: Date) -> DesignationPhase {
        if today < self.starts_on {
            DesignationPhase::Upcoming
        } else if today > self.ends_on {
            DesignationPhase::Ended
        } else {
            DesignationPhase::InForce
        }
    }

    pub fn in_force(&self, today: Date) -> bool {
        self.phase(today) == DesignationPhase::InForce
    }
}

/// The label the guideline prescribes for designated courses (section 6).
pub const DESIGNATED_LABEL: &str = "情報処理安全確保支援士『特定講習』";

/// One run of a programme: a date (or date range) and a place, or online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: Slug,
    pub programme: Slug,
    pub starts_on: Date,
    pub ends_on: Date,
    pub prefecture: Option<Prefecture>,
    pub city: Option<String>,
    pub venue: Option<String>,
    pub online: bool,
    pub capacity: Option<u32>,
    /// As published by the provider until enrolment on Koshu counts it.
    #[serde(default)]
    pub seats_left: Option<u32>,
    #[serde(default)]
    pub application_deadline: Option<Date>,
    pub note_ja: Option<String>,
    /// Called off by the provider: still shown, as cancelled, so that nobody who planned on it
    /// is left wondering (issue 14); never upcoming or open.
    #[serde(default)]
    pub cancelled: bool,
}

/// A programme together with its sessions: the unit that is written and audited together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeWithSessions {
    pub programme: Programme,
    pub sessions: Vec<Session>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_accepts_lowercase_digits_hyphens() {
        assert_eq!(
            Slug::parse("cyder-a-fy2021").unwrap().as_str(),
            "cyder-a-fy2021"
        );
    }

    #[test]
    fn slug_rejects_other_characters() {
        for bad in ["", "Cyder", "a_b", "-a", "a-", "日本", &"a".repeat(65)] {
            assert_eq!(Slug::parse(bad).unwrap_err().code, "slug.format", "{bad}");
        }
    }

    #[test]
    fn c01_a_designation_is_in_force_only_within_its_period() {
        let d = Designation {
            number: "特講2027-001".into(),
            starts_on: time::macros::date!(2027 - 04 - 01),
            ends_on: time::macros::date!(2030 - 03 - 31),
        };
        let phase = |day| d.phase(day);
        assert_eq!(
            phase(time::macros::date!(2027 - 03 - 31)),
            DesignationPhase::Upcoming
        );
        assert_eq!(
            phase(time::macros::date!(2027 - 04 - 01)),
            DesignationPhase::InForce
        );
        assert_eq!(
            phase(time::macros::date!(2030 - 03 - 31)),
            DesignationPhase::InForce
        );
        assert_eq!(
            phase(time::macros::date!(2030 - 04 - 01)),
            DesignationPhase::Ended
        );
    }

    #[test]
    fn a_citation_names_the_publisher_and_the_fiscal_year() {
        let c = Citation {
            publisher_ja: "総務省".into(),
            publisher_en: "Ministry of Internal Affairs and Communications".into(),
            fiscal_year: FiscalYear::new(2021).unwrap(),
        };
        assert_eq!(c.ja(), "総務省資料（令和3年度）");
        assert_eq!(
            c.en(),
            "Ministry of Internal Affairs and Communications (FY2021)"
        );
    }

    #[test]
    fn fee_bounds() {
        assert_eq!(Fee::Free.bounds(), Some((Yen::ZERO, Yen::ZERO)));
        assert_eq!(Fee::Undisclosed.bounds(), None);
    }
}

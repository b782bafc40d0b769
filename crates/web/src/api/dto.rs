//! What the public API sends: plain data shapes, each with its JSON Schema (`ToSchema`), built
//! from domain values. They are the API's contract, kept apart from the domain types so that
//! the domain can change without changing what clients see. Dates are `YYYY-MM-DD` strings,
//! money is whole yen, codes are taxonomy codes (`GET /api/v1/taxonomy` gives their labels).
//!
//! Every object denies unknown fields, so its schema says `additionalProperties: false` and the
//! story tests, which validate responses against the served document, notice any drift.

use koshu_domain::catalogue::quality::{DeliveredRecord, QualitySignals, a05_quality_signals};
use koshu_domain::catalogue::search::FeeBand;
use koshu_domain::catalogue::{self as domain, DESIGNATED_LABEL};
use koshu_domain::taxonomy::{self as tax, Taxonomy};
use serde::Serialize;
use std::collections::BTreeMap;
use time::Date;
use utoipa::ToSchema;

/// `YYYY-MM-DD`, the form the API uses for every date.
pub fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The path of a programme's page on Koshu (prefix `/en` for English).
pub fn programme_path(id: &str) -> String {
    format!("/programmes/{id}")
}

/// A name in Japanese and English.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub ja: String,
    pub en: String,
}

impl From<&tax::Label> for Label {
    fn from(l: &tax::Label) -> Self {
        Self {
            ja: l.ja.clone(),
            en: l.en.clone(),
        }
    }
}

/// What taking part costs. `type` says which of the other fields are present.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fee {
    /// No charge.
    Free,
    /// One amount, in yen.
    Fixed { yen: u64 },
    /// Depends on the course or the participant, between two amounts in yen.
    Range { min_yen: u64, max_yen: u64 },
    /// Depends on conditions stated in Japanese (e.g. free for public bodies).
    Conditional { note_ja: String },
    /// The provider does not publish the fee.
    Undisclosed,
}

impl From<&domain::Fee> for Fee {
    fn from(fee: &domain::Fee) -> Self {
        match fee {
            domain::Fee::Free => Self::Free,
            domain::Fee::Fixed { yen } => Self::Fixed { yen: yen.amount() },
            domain::Fee::Range { min_yen, max_yen } => Self::Range {
                min_yen: min_yen.amount(),
                max_yen: max_yen.amount(),
            },
            domain::Fee::Conditional { note_ja } => Self::Conditional {
                note_ja: note_ja.clone(),
            },
            domain::Fee::Undisclosed => Self::Undisclosed,
        }
    }
}

/// A METI designation as 情報処理安全確保支援士『特定講習』.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Designation {
    /// The designation number.
    pub number: String,
    #[schema(format = Date)]
    pub starts_on: String,
    #[schema(format = Date)]
    pub ends_on: String,
    /// The label the guideline prescribes: 情報処理安全確保支援士『特定講習』.
    pub label: String,
}

impl From<&domain::Designation> for Designation {
    fn from(d: &domain::Designation) -> Self {
        Self {
            number: d.number.clone(),
            starts_on: iso_date(d.starts_on),
            ends_on: iso_date(d.ends_on),
            label: DESIGNATED_LABEL.to_owned(),
        }
    }
}

/// Who runs a programme, as lists show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderRef {
    pub id: String,
    pub name_ja: String,
    pub name_en: Option<String>,
}

/// The kind of body that runs programmes.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Ministry,
    Agency,
    Company,
    University,
    Association,
    Other,
}

impl From<domain::ProviderKind> for ProviderKind {
    fn from(k: domain::ProviderKind) -> Self {
        match k {
            domain::ProviderKind::Ministry => Self::Ministry,
            domain::ProviderKind::Agency => Self::Agency,
            domain::ProviderKind::Company => Self::Company,
            domain::ProviderKind::University => Self::University,
            domain::ProviderKind::Association => Self::Association,
            domain::ProviderKind::Other => Self::Other,
        }
    }
}

/// A provider in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub id: String,
    pub name_ja: String,
    pub name_en: Option<String>,
    pub kind: ProviderKind,
    /// The 13-digit corporate number (法人番号).
    #[schema(pattern = "^[0-9]{13}$")]
    pub corporate_number: Option<String>,
    /// The provider's own web site.
    pub url: Option<String>,
    /// Where the facts of this record come from.
    pub source: Option<String>,
}

impl From<&domain::Provider> for Provider {
    fn from(p: &domain::Provider) -> Self {
        Self {
            id: p.id.to_string(),
            name_ja: p.name_ja.clone(),
            name_en: p.name_en.clone(),
            kind: p.kind.into(),
            corporate_number: p.corporate_number.as_ref().map(|c| c.as_str().to_owned()),
            url: p.url.clone(),
            source: p.source.clone(),
        }
    }
}

/// A programme as search results list it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeSummary {
    pub id: String,
    /// The path of the programme's page on Koshu.
    pub url: String,
    pub title_ja: String,
    pub title_en: Option<String>,
    pub summary_ja: String,
    pub summary_en: Option<String>,
    pub provider: ProviderRef,
    /// Kind code (see `kinds` in the taxonomy).
    pub kind: String,
    /// Delivery format code (see `formats`).
    pub format: String,
    /// Difficulty code (see `difficulties`).
    pub difficulty: String,
    /// Layer codes (see `layers`).
    pub layers: Vec<String>,
    /// Audience codes (see `audiences`).
    pub audiences: Vec<String>,
    /// ITSS+ field codes (see `itss_fields`).
    pub itss_fields: Vec<String>,
    /// RISS syllabus item codes (see `syllabus_items`).
    pub syllabus_items: Vec<String>,
    pub fee: Fee,
    /// The first session starting today (JST) or later.
    #[schema(format = Date)]
    pub next_session: Option<String>,
    /// Present while the programme is a designated 特定講習.
    pub designation: Option<Designation>,
}

impl ProgrammeSummary {
    pub fn new(
        p: &domain::Programme,
        provider_name_ja: &str,
        provider_name_en: Option<&str>,
        next_session: Option<Date>,
    ) -> Self {
        Self {
            id: p.id.to_string(),
            url: programme_path(p.id.as_str()),
            title_ja: p.title_ja.clone(),
            title_en: p.title_en.clone(),
            summary_ja: p.summary_ja.clone(),
            summary_en: p.summary_en.clone(),
            provider: ProviderRef {
                id: p.provider.to_string(),
                name_ja: provider_name_ja.to_owned(),
                name_en: provider_name_en.map(str::to_owned),
            },
            kind: p.kind.clone(),
            format: p.format.clone(),
            difficulty: p.difficulty.clone(),
            layers: p.layers.clone(),
            audiences: p.audiences.clone(),
            itss_fields: p.itss_fields.clone(),
            syllabus_items: p.syllabus_items.clone(),
            fee: (&p.fee).into(),
            next_session: next_session.map(iso_date),
            designation: p.designation.as_ref().map(Designation::from),
        }
    }
}

/// One run of a programme: dates and a place, or online.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Session {
    pub id: String,
    #[schema(format = Date)]
    pub starts_on: String,
    #[schema(format = Date)]
    pub ends_on: String,
    /// JIS X 0401 prefecture code, `01`〜`47`.
    #[schema(pattern = "^(0[1-9]|[1-3][0-9]|4[0-7])$")]
    pub prefecture: Option<String>,
    pub prefecture_name_ja: Option<String>,
    pub city: Option<String>,
    pub venue: Option<String>,
    /// Whether the session can be joined online.
    pub online: bool,
    pub capacity: Option<u32>,
    /// Seats left as published by the provider.
    pub seats_left: Option<u32>,
    #[schema(format = Date)]
    pub application_deadline: Option<String>,
    pub note_ja: Option<String>,
}

impl Session {
    pub fn new(s: &domain::Session, taxonomy: &Taxonomy) -> Self {
        Self {
            id: s.id.to_string(),
            starts_on: iso_date(s.starts_on),
            ends_on: iso_date(s.ends_on),
            prefecture: s.prefecture.map(|p| p.code()),
            prefecture_name_ja: s.prefecture.map(|p| taxonomy.prefecture(p).name.ja.clone()),
            city: s.city.clone(),
            venue: s.venue.clone(),
            online: s.online,
            capacity: s.capacity,
            seats_left: s.seats_left,
            application_deadline: s.application_deadline.map(iso_date),
            note_ja: s.note_ja.clone(),
        }
    }
}

/// The language a programme is taught in.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Ja,
    En,
}

/// A programme in full, with its provider and every session. Also the shape of each line of
/// the JSON Lines export.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeDetail {
    pub id: String,
    /// The path of the programme's page on Koshu (as in `ProgrammeSummary`).
    pub url: String,
    pub provider: Provider,
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
    /// Total hours of instruction, in steps of half an hour.
    #[schema(minimum = 0, multiple_of = 0.5)]
    pub total_hours: Option<f64>,
    pub frequency_ja: Option<String>,
    pub fee: Fee,
    pub language: Language,
    pub eligibility_ja: String,
    /// The provider's own page for the programme (the `url` of the catalogue record).
    pub official_url: Option<String>,
    pub accessibility_ja: Option<String>,
    pub inquiry_ja: Option<String>,
    pub complaint_ja: Option<String>,
    /// Where the facts of this record come from.
    pub source: Option<String>,
    pub designation: Option<Designation>,
    /// The first session starting today (JST) or later.
    #[schema(format = Date)]
    pub next_session: Option<String>,
    pub sessions: Vec<Session>,
    pub quality: Quality,
}

/// A05's quality signals: how the programme has gone, from Koshu's records. The figures are
/// `null` until the sessions counted have 5 survey answers between them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Quality {
    /// The first and last day (today, JST) of the 12 months counted.
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub to: String,
    /// Sessions run on Koshu that ended in those months.
    pub sessions_counted: u32,
    /// End-of-course survey answers from those sessions.
    pub survey_responses: u32,
    /// Of the learners with a completion decision, the share completed (whole percent,
    /// rounded down).
    #[schema(minimum = 0, maximum = 100)]
    pub completion_rate_percent: Option<u32>,
    /// Learners with a completion decision (with the figures only).
    pub completions_decided: Option<u32>,
    /// Of the answers to the satisfaction item (m1, 「講習の目的に対する満足度」), the share
    /// satisfied or somewhat satisfied (whole percent, rounded down).
    #[schema(minimum = 0, maximum = 100)]
    pub satisfaction_percent: Option<u32>,
    /// Their mean on the scale of 1 to 5, to one decimal.
    #[schema(minimum = 1, maximum = 5)]
    pub satisfaction_mean: Option<f64>,
    /// The last day of the latest session held (not cancelled), on Koshu or not.
    #[schema(format = Date)]
    pub last_held_on: Option<String>,
    /// How the figures are computed.
    pub method_ja: String,
    pub method_en: String,
}

impl From<&QualitySignals> for Quality {
    fn from(q: &QualitySignals) -> Self {
        let f = q.figures.as_ref();
        Self {
            from: iso_date(q.from),
            to: iso_date(q.to),
            sessions_counted: q.sessions,
            survey_responses: q.responses,
            completion_rate_percent: f.and_then(|f| f.completion_percent),
            completions_decided: f.map(|f| f.decided),
            satisfaction_percent: f.and_then(|f| f.satisfied_percent),
            satisfaction_mean: f
                .and_then(|f| f.satisfaction_mean_tenths)
                .map(|t| f64::from(t) / 10.0),
            last_held_on: q.last_held_on.map(iso_date),
            method_ja: "from から to までの12か月に終わった、Koshu で実施された回の記録から計算します。修了率は修了の判定を受けた受講者のうち「修了」の割合、満足度は修了時アンケートの「講習の目的に対する満足度」に答えた人のうち「満足」「やや満足」を選んだ割合（どちらも小数点以下切り捨て）で、回答が5件以上になるまでは null です。".to_owned(),
            method_en: "Computed from the records of the sessions run on Koshu that ended in the 12 months from `from` to `to`: the completion rate is the share of the learners decided who were completed, satisfaction the share of those who answered the end-of-course survey's satisfaction item who chose satisfied or somewhat satisfied (both rounded down); both are null until there are 5 answers.".to_owned(),
        }
    }
}

impl ProgrammeDetail {
    pub fn new(
        p: &domain::Programme,
        provider: &domain::Provider,
        sessions: &[domain::Session],
        delivered: &[DeliveredRecord],
        taxonomy: &Taxonomy,
        today: Date,
    ) -> Self {
        Self {
            quality: (&a05_quality_signals(sessions, delivered, today)).into(),
            id: p.id.to_string(),
            url: programme_path(p.id.as_str()),
            provider: provider.into(),
            title_ja: p.title_ja.clone(),
            title_en: p.title_en.clone(),
            summary_ja: p.summary_ja.clone(),
            summary_en: p.summary_en.clone(),
            purpose_ja: p.purpose_ja.clone(),
            goals_ja: p.goals_ja.clone(),
            skills_ja: p.skills_ja.clone(),
            prerequisites_ja: p.prerequisites_ja.clone(),
            layers: p.layers.clone(),
            audiences: p.audiences.clone(),
            itss_fields: p.itss_fields.clone(),
            syllabus_items: p.syllabus_items.clone(),
            kind: p.kind.clone(),
            difficulty: p.difficulty.clone(),
            format: p.format.clone(),
            duration_ja: p.duration_ja.clone(),
            total_hours: p.total_hours.map(|h| f64::from(h.half_hours()) / 2.0),
            frequency_ja: p.frequency_ja.clone(),
            fee: (&p.fee).into(),
            language: match p.language {
                domain::Language::Ja => Language::Ja,
                domain::Language::En => Language::En,
            },
            eligibility_ja: p.eligibility_ja.clone(),
            official_url: p.url.clone(),
            accessibility_ja: p.accessibility_ja.clone(),
            inquiry_ja: p.inquiry_ja.clone(),
            complaint_ja: p.complaint_ja.clone(),
            source: p.source.clone(),
            designation: p.designation.as_ref().map(Designation::from),
            next_session: next_session(sessions, today).map(iso_date),
            sessions: sessions.iter().map(|s| Session::new(s, taxonomy)).collect(),
        }
    }
}

/// The first session starting on or after `today`.
pub fn next_session(sessions: &[domain::Session], today: Date) -> Option<Date> {
    sessions
        .iter()
        .map(|s| s.starts_on)
        .filter(|d| *d >= today)
        .min()
}

/// A filter that, dropped alone, would give results when nothing matched.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Relaxation {
    /// The search parameter.
    pub param: String,
    /// The value to drop.
    pub code: String,
    /// How many programmes match without it.
    pub count: usize,
}

/// One page of programme search results with facet counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeSearchResults {
    /// How many programmes match, on all pages.
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub per_page: usize,
    pub items: Vec<ProgrammeSummary>,
    /// For each search parameter, how many programmes each value would give; each facet is
    /// counted as if its own selection were not made yet.
    pub facets: BTreeMap<String, BTreeMap<String, usize>>,
    /// When nothing matches: which single filter to drop, and what that would give.
    pub relaxations: Vec<Relaxation>,
}

/// A session in the catalogue-wide list, with its programme.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionListItem {
    pub id: String,
    /// The programme's id.
    pub programme: String,
    pub programme_title_ja: String,
    pub programme_title_en: Option<String>,
    /// The path of the programme's page on Koshu.
    pub programme_url: String,
    pub provider_name_ja: String,
    #[schema(format = Date)]
    pub starts_on: String,
    #[schema(format = Date)]
    pub ends_on: String,
    #[schema(pattern = "^(0[1-9]|[1-3][0-9]|4[0-7])$")]
    pub prefecture: Option<String>,
    pub prefecture_name_ja: Option<String>,
    pub city: Option<String>,
    pub venue: Option<String>,
    pub online: bool,
    pub capacity: Option<u32>,
    pub seats_left: Option<u32>,
    #[schema(format = Date)]
    pub application_deadline: Option<String>,
    pub note_ja: Option<String>,
}

impl SessionListItem {
    pub fn new(
        s: &domain::Session,
        p: &domain::Programme,
        provider_name_ja: &str,
        taxonomy: &Taxonomy,
    ) -> Self {
        let s = Session::new(s, taxonomy);
        Self {
            id: s.id,
            programme: p.id.to_string(),
            programme_title_ja: p.title_ja.clone(),
            programme_title_en: p.title_en.clone(),
            programme_url: programme_path(p.id.as_str()),
            provider_name_ja: provider_name_ja.to_owned(),
            starts_on: s.starts_on,
            ends_on: s.ends_on,
            prefecture: s.prefecture,
            prefecture_name_ja: s.prefecture_name_ja,
            city: s.city,
            venue: s.venue,
            online: s.online,
            capacity: s.capacity,
            seats_left: s.seats_left,
            application_deadline: s.application_deadline,
            note_ja: s.note_ja,
        }
    }
}

/// One page of sessions, soonest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionList {
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub per_page: usize,
    pub items: Vec<SessionListItem>,
}

/// An error. `code` is stable; the messages are for people; `field` names the parameter at
/// fault; quote `request_id` when asking about an error.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Error {
    /// Stable identifier such as `search.unknown_value` or `not_found`.
    pub code: String,
    pub message_ja: String,
    pub message_en: String,
    /// The parameter at fault, when there is one.
    pub field: Option<String>,
    pub request_id: Option<String>,
    /// Every problem, when a body breaks several rules (the first is the error's own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<Problem>>,
}

/// One of several problems in a body.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    pub code: String,
    pub message_ja: String,
    pub message_en: String,
    /// The field at fault (`title_ja`, `sessions[0].ends_on`).
    pub field: Option<String>,
}

/// A coded term with its labels.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub code: String,
    pub label: Label,
}

impl From<&tax::Term> for Term {
    fn from(t: &tax::Term) -> Self {
        Self {
            code: t.code.clone(),
            label: (&t.label).into(),
        }
    }
}

/// One of the 17 ITSS+ (security) fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItssField {
    pub code: String,
    /// Position in the ITSS+ figure, 1〜17.
    pub number: u8,
    pub label: Label,
    /// Column of the figure: `other`, `digital` or `security`.
    pub group: String,
    /// Layer code.
    pub layer: String,
    /// Whether people in this field do security on top of another main job (プラス・セキュリティ).
    pub plus_security: bool,
    pub source: String,
}

/// A subject (科目) of the RISS syllabus (別表2).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyllabusSubject {
    pub code: String,
    pub label: Label,
}

/// An item (項目) of the RISS syllabus.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyllabusItem {
    pub code: String,
    /// The subject's code.
    pub subject: String,
    pub label: Label,
    /// May only be taught together with another item of the same subject.
    pub combine_only: bool,
}

/// A row of 別表1: a field a 特定講習 may choose and the syllabus subject it maps to.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Betsuhyo1Entry {
    pub layer: String,
    pub field: String,
    pub subject: String,
    /// Example tasks (関連タスク例).
    pub tasks: Label,
}

/// A prefecture.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Prefecture {
    /// JIS X 0401 code, `01`〜`47`.
    #[schema(pattern = "^(0[1-9]|[1-3][0-9]|4[0-7])$")]
    pub code: String,
    pub name: Label,
    /// Region code.
    pub region: String,
    pub capital: Label,
}

/// Where a reference data file comes from.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataSource {
    pub file: String,
    #[schema(format = Date)]
    pub version: String,
    pub source: String,
}

/// The reference data every code in the API refers to, each list in its source's order.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyDoc {
    pub sources: Vec<DataSource>,
    pub itss_fields: Vec<ItssField>,
    pub syllabus_subjects: Vec<SyllabusSubject>,
    pub syllabus_items: Vec<SyllabusItem>,
    pub betsuhyo1: Vec<Betsuhyo1Entry>,
    pub layers: Vec<Term>,
    pub audiences: Vec<Term>,
    pub kinds: Vec<Term>,
    pub formats: Vec<Term>,
    pub difficulties: Vec<Term>,
    pub regions: Vec<Term>,
    pub prefectures: Vec<Prefecture>,
    /// The fee bands of the `fee` search parameter.
    pub fee_bands: Vec<Term>,
}

impl TaxonomyDoc {
    pub fn new(t: &Taxonomy) -> Self {
        let terms = |list: &[tax::Term]| list.iter().map(Term::from).collect();
        Self {
            sources: t
                .sources()
                .iter()
                .map(|s| DataSource {
                    file: s.file.to_owned(),
                    version: iso_date(s.version),
                    source: s.source.clone(),
                })
                .collect(),
            itss_fields: t
                .itss_fields()
                .iter()
                .map(|f| ItssField {
                    code: f.code.clone(),
                    number: f.number,
                    label: (&f.label).into(),
                    group: f.group.code().to_owned(),
                    layer: f.layer.clone(),
                    plus_security: f.plus_security,
                    source: f.source.clone(),
                })
                .collect(),
            syllabus_subjects: t
                .subjects()
                .iter()
                .map(|s| SyllabusSubject {
                    code: s.code.clone(),
                    label: (&s.label).into(),
                })
                .collect(),
            syllabus_items: t
                .syllabus_items()
                .iter()
                .map(|i| SyllabusItem {
                    code: i.code.clone(),
                    subject: i.subject.clone(),
                    label: (&i.label).into(),
                    combine_only: i.combine_only,
                })
                .collect(),
            betsuhyo1: t
                .betsuhyo1()
                .iter()
                .map(|e| Betsuhyo1Entry {
                    layer: e.layer.clone(),
                    field: e.field.clone(),
                    subject: e.subject.clone(),
                    tasks: (&e.tasks).into(),
                })
                .collect(),
            layers: terms(t.layers()),
            audiences: terms(t.audiences()),
            kinds: terms(t.kinds()),
            formats: terms(t.formats()),
            difficulties: terms(t.difficulties()),
            regions: terms(t.regions()),
            prefectures: t
                .prefectures()
                .iter()
                .map(|p| Prefecture {
                    code: p.code.code(),
                    name: (&p.name).into(),
                    region: p.region.clone(),
                    capital: (&p.capital).into(),
                })
                .collect(),
            fee_bands: FeeBand::ALL
                .iter()
                .map(|b| Term {
                    code: b.code().to_owned(),
                    label: Label {
                        ja: b.label_ja().to_owned(),
                        en: b.label_en().to_owned(),
                    },
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_are_iso() {
        assert_eq!(iso_date(date!(2021 - 07 - 05)), "2021-07-05");
    }

    #[test]
    fn fee_keeps_the_domain_shape() {
        let domain_fee = domain::Fee::Range {
            min_yen: koshu_domain::types::Yen::parse("1000").unwrap(),
            max_yen: koshu_domain::types::Yen::parse("5000").unwrap(),
        };
        assert_eq!(
            serde_json::to_value(Fee::from(&domain_fee)).unwrap(),
            serde_json::to_value(&domain_fee).unwrap()
        );
    }
}

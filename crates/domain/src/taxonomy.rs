//! Reference data (`docs/taxonomy.md`): the 17 ITSS+ fields, the RISS syllabus (別表2), the
//! field→subject table (別表1), target layers and audiences, catalogue terms and prefectures.
//!
//! Why data files and not enums: these vocabularies are published by ministries and revised
//! by them; keeping them as TOML under `crates/domain/reference/`, each with a `version` and a
//! `source`, makes a revision a reviewable data change with its provenance beside it. The files
//! are embedded with `include_str!`, so the domain stays free of I/O and the binary carries
//! its own data. [`Taxonomy::embedded`] parses and cross-checks them once at start-up; the
//! application then hands the one `Taxonomy` to whoever needs it (there is no global).
//!
//! Codes (`sec_audit`, `3-8`, `kanto`, …) are the stable keys stored with programmes and
//! sessions. Labels may be corrected freely; codes must never be renamed once data uses them.

use std::collections::HashSet;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::format_description;

use crate::prefecture::Prefecture;

/// A name in both languages of the product (G03: Japanese first, English second).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub ja: String,
    pub en: String,
}

impl Label {
    /// The label in the reader's language: English when `english`, else Japanese.
    pub fn pick(&self, english: bool) -> &str {
        if english { &self.en } else { &self.ja }
    }
}

/// The column of the ITSS+ figure (経⑥) a field sits in.
///
/// An enum, unlike the layers and audiences, because the three columns are the structure of
/// the figure itself rather than a list that grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldGroup {
    /// その他: management, business domains, legal.
    Other,
    /// デジタル（IT／IoT／OT）.
    Digital,
    /// セキュリティ: the security specialists.
    Security,
}

impl FieldGroup {
    /// The code used in the data files: `other`, `digital` or `security`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Other => "other",
            Self::Digital => "digital",
            Self::Security => "security",
        }
    }

    /// The figure's heading, in Japanese or English.
    pub const fn label(self, english: bool) -> &'static str {
        match (self, english) {
            (Self::Other, false) => "その他",
            (Self::Other, true) => "Other",
            (Self::Digital, false) => "デジタル",
            (Self::Digital, true) => "Digital",
            (Self::Security, false) => "セキュリティ",
            (Self::Security, true) => "Security",
        }
    }
}

/// One of the 17 ITSS+（セキュリティ領域） fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItssField {
    pub code: String,
    /// Position in the figure, 1〜17.
    pub number: u8,
    pub label: Label,
    pub group: FieldGroup,
    /// Code of the human-resource layer (see [`Taxonomy::layer`]).
    pub layer: String,
    /// Whether the field's people do security on top of another main job (プラス・セキュリティ).
    pub plus_security: bool,
    /// Where the entry, and in particular its layer, comes from.
    pub source: String,
}

/// A subject (科目) of the RISS level-4 syllabus, 別表2: `"1"`〜`"4"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyllabusSubject {
    pub code: String,
    pub label: Label,
}

/// An item (項目) of the syllabus, e.g. `"3-8"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyllabusItem {
    pub code: String,
    /// Code of the subject the item belongs to.
    pub subject: String,
    pub label: Label,
    /// （※1）: may only be taught together with another item of the same subject (B06).
    pub combine_only: bool,
}

/// A row of 別表1: a field a 特定講習 may choose and the syllabus subject it maps to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Betsuhyo1Entry {
    /// Layer code; agrees with the field's layer (checked at load).
    pub layer: String,
    /// ITSS+ field code.
    pub field: String,
    /// Syllabus subject code.
    pub subject: String,
    /// The table's example tasks (関連タスク例).
    pub tasks: Label,
}

/// A coded term of a flat vocabulary: a layer, an audience, a programme kind, a delivery
/// format, a difficulty or a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    pub code: String,
    pub label: Label,
}

/// A prefecture's reference data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrefectureInfo {
    pub code: Prefecture,
    pub name: Label,
    /// Region code (see [`Taxonomy::region`]).
    pub region: String,
    /// The seat of the prefectural government.
    pub capital: Label,
}

/// Words a visitor may type for what the catalogue writes otherwise (`synonyms.toml`): a query
/// word equal to one of `words` also matches any of `means` (A03).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Synonym {
    pub words: Vec<String>,
    pub means: Vec<String>,
    /// Why these words mean the same here: the label or seed passage relied on.
    pub source: String,
}

/// Provenance of one embedded data file, for an "about the data" page and for exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSource {
    /// File name under `crates/domain/reference/`.
    pub file: &'static str,
    pub version: Date,
    /// The document and slide or table the data was taken from.
    pub source: String,
}

/// Why the embedded reference data could not be loaded. Names the file and the problem.
///
/// Only a broken build can produce one (the data is compiled in), so the application
/// reports it and refuses to start; the tests make sure the shipped data never does.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceDataError {
    #[error("reference/{file}: {source}")]
    Syntax {
        file: &'static str,
        source: toml::de::Error,
    },
    #[error("reference/{file}: version {version:?} is not a YYYY-MM-DD date")]
    Version { file: &'static str, version: String },
    #[error(
        "reference/{file}: {what} code {code:?} is not lowercase ASCII letters, digits, '_' or '-'"
    )]
    BadCode {
        file: &'static str,
        what: &'static str,
        code: String,
    },
    #[error("reference/{file}: {what} {code:?} has an empty label")]
    EmptyLabel {
        file: &'static str,
        what: &'static str,
        code: String,
    },
    #[error("reference/{file}: {what} code {code:?} appears more than once")]
    Duplicate {
        file: &'static str,
        what: &'static str,
        code: String,
    },
    #[error("reference/{file}: {what} {code:?} refers to unknown {target} {missing:?}")]
    UnknownReference {
        file: &'static str,
        what: &'static str,
        code: String,
        target: &'static str,
        missing: String,
    },
    #[error("reference/{file}: expected {expected} {what}, found {found}")]
    Count {
        file: &'static str,
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("reference/{file}: {problem}")]
    Inconsistent { file: &'static str, problem: String },
}

/// All reference data, typed and cross-checked. Lists keep the order of the data files,
/// which is the order the sources present them in and the order the UI shows.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    sources: Vec<DataSource>,
    fields: Vec<ItssField>,
    subjects: Vec<SyllabusSubject>,
    items: Vec<SyllabusItem>,
    betsuhyo1: Vec<Betsuhyo1Entry>,
    layers: Vec<Term>,
    audiences: Vec<Term>,
    kinds: Vec<Term>,
    formats: Vec<Term>,
    difficulties: Vec<Term>,
    regions: Vec<Term>,
    synonyms: Vec<Synonym>,
    /// Indexed by `Prefecture::index` (code − 1): checked at load, so lookup cannot miss.
    prefectures: Box<[PrefectureInfo; Prefecture::COUNT]>,
}

/// The number of ITSS+ fields (経⑥: 「17分野に整理」).
const ITSS_FIELD_COUNT: usize = 17;

const ITSS_FIELDS: &str = "itss_fields.toml";
const SYLLABUS: &str = "syllabus.toml";
const BETSUHYO1: &str = "betsuhyo1.toml";
const AUDIENCES: &str = "audiences.toml";
const CATALOGUE_TERMS: &str = "catalogue_terms.toml";
const PREFECTURES: &str = "prefectures.toml";
const SYNONYMS: &str = "synonyms.toml";

/// The text of the data files; separate from parsing so tests can feed broken variants.
#[derive(Debug, Clone, Copy)]
struct Files<'a> {
    itss_fields: &'a str,
    syllabus: &'a str,
    betsuhyo1: &'a str,
    audiences: &'a str,
    catalogue_terms: &'a str,
    prefectures: &'a str,
    synonyms: &'a str,
}

const EMBEDDED: Files<'static> = Files {
    itss_fields: include_str!("../reference/itss_fields.toml"),
    syllabus: include_str!("../reference/syllabus.toml"),
    betsuhyo1: include_str!("../reference/betsuhyo1.toml"),
    audiences: include_str!("../reference/audiences.toml"),
    catalogue_terms: include_str!("../reference/catalogue_terms.toml"),
    prefectures: include_str!("../reference/prefectures.toml"),
    synonyms: include_str!("../reference/synonyms.toml"),
};

impl Taxonomy {
    /// Parses and cross-checks the data files compiled into the binary.
    pub fn embedded() -> Result<Self, ReferenceDataError> {
        Self::load(EMBEDDED)
    }

    /// Provenance (file, version, source) of every data file, in a fixed order.
    pub fn sources(&self) -> &[DataSource] {
        &self.sources
    }

    // --- ITSS+ fields and the syllabus -------------------------------------------------

    /// The 17 ITSS+ fields in figure order.
    pub fn itss_fields(&self) -> &[ItssField] {
        &self.fields
    }

    pub fn itss_field(&self, code: &str) -> Option<&ItssField> {
        self.fields.iter().find(|f| f.code == code)
    }

    /// The 4 syllabus subjects.
    pub fn subjects(&self) -> &[SyllabusSubject] {
        &self.subjects
    }

    pub fn subject(&self, code: &str) -> Option<&SyllabusSubject> {
        self.subjects.iter().find(|s| s.code == code)
    }

    /// Every syllabus item, subject by subject.
    pub fn syllabus_items(&self) -> &[SyllabusItem] {
        &self.items
    }

    pub fn syllabus_item(&self, code: &str) -> Option<&SyllabusItem> {
        self.items.iter().find(|i| i.code == code)
    }

    /// The items of one subject, in order; empty for an unknown subject.
    pub fn items_of_subject(&self, subject: &str) -> impl Iterator<Item = &SyllabusItem> {
        self.items.iter().filter(move |i| i.subject == subject)
    }

    /// The rows of 別表1, in table order.
    pub fn betsuhyo1(&self) -> &[Betsuhyo1Entry] {
        &self.betsuhyo1
    }

    /// The fields a 特定講習 may choose (B03), in 別表1 order.
    pub fn betsuhyo1_fields(&self) -> impl Iterator<Item = &ItssField> {
        // Load guarantees every 別表1 field exists and appears once, so nothing is dropped.
        self.betsuhyo1
            .iter()
            .filter_map(|e| self.itss_field(&e.field))
    }

    /// The syllabus subjects 別表1 maps a field to (B04); empty for a field outside 別表1.
    pub fn subjects_for_field(&self, field: &str) -> impl Iterator<Item = &str> {
        self.betsuhyo1
            .iter()
            .filter(move |e| e.field == field)
            .map(|e| e.subject.as_str())
    }

    // --- Who a programme is for -----------------------------------------------------------

    /// 経営層, 戦略マネジメント層, 実務者・技術者層.
    pub fn layers(&self) -> &[Term] {
        &self.layers
    }

    pub fn layer(&self, code: &str) -> Option<&Term> {
        find_term(&self.layers, code)
    }

    pub fn audiences(&self) -> &[Term] {
        &self.audiences
    }

    pub fn audience(&self, code: &str) -> Option<&Term> {
        find_term(&self.audiences, code)
    }

    // --- Catalogue terms --------------------------------------------------------------

    /// 施策の種別.
    pub fn kinds(&self) -> &[Term] {
        &self.kinds
    }

    pub fn kind(&self, code: &str) -> Option<&Term> {
        find_term(&self.kinds, code)
    }

    /// 実施形態.
    pub fn formats(&self) -> &[Term] {
        &self.formats
    }

    pub fn format(&self, code: &str) -> Option<&Term> {
        find_term(&self.formats, code)
    }

    /// 難易度, easiest first.
    pub fn difficulties(&self) -> &[Term] {
        &self.difficulties
    }

    pub fn difficulty(&self, code: &str) -> Option<&Term> {
        find_term(&self.difficulties, code)
    }

    /// Position of a difficulty from the easiest (0), so "this level or above" filters can
    /// compare levels without knowing the codes.
    pub fn difficulty_rank(&self, code: &str) -> Option<usize> {
        self.difficulties.iter().position(|t| t.code == code)
    }

    // --- Places -----------------------------------------------------------------------

    /// The eight regions, north to south.
    pub fn regions(&self) -> &[Term] {
        &self.regions
    }

    pub fn region(&self, code: &str) -> Option<&Term> {
        find_term(&self.regions, code)
    }

    /// The 47 prefectures in code order.
    pub fn prefectures(&self) -> &[PrefectureInfo] {
        &self.prefectures[..]
    }

    /// A prefecture's data; infallible because a `Prefecture` is always 1〜47 and the table
    /// was checked to hold exactly 01〜47 in order.
    pub fn prefecture(&self, prefecture: Prefecture) -> &PrefectureInfo {
        &self.prefectures[prefecture.index()]
    }

    /// Finds a prefecture by name: `東京都`, `東京` (without 都/府/県), or `Tokyo` (any case).
    /// Surrounding whitespace is ignored. 北海道 is only found as 北海道.
    pub fn prefecture_by_name(&self, name: &str) -> Option<Prefecture> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        self.prefectures
            .iter()
            .find(|p| {
                p.name.ja == name
                    || short_name(&p.name.ja) == name
                    || p.name.en.eq_ignore_ascii_case(name)
            })
            .map(|p| p.code)
    }

    /// The prefectures of a region, in code order; empty for an unknown region.
    pub fn prefectures_in_region(&self, region: &str) -> impl Iterator<Item = &PrefectureInfo> {
        self.prefectures.iter().filter(move |p| p.region == region)
    }

    // --- Search ------------------------------------------------------------------------

    /// The search's synonyms, in file order.
    pub fn synonyms(&self) -> &[Synonym] {
        &self.synonyms
    }

    // --- Loading ----------------------------------------------------------------------

    fn load(files: Files<'_>) -> Result<Self, ReferenceDataError> {
        let raw_fields: RawItssFields = parse(ITSS_FIELDS, files.itss_fields)?;
        let raw_syllabus: RawSyllabus = parse(SYLLABUS, files.syllabus)?;
        let raw_betsuhyo1: RawBetsuhyo1 = parse(BETSUHYO1, files.betsuhyo1)?;
        let raw_audiences: RawAudiences = parse(AUDIENCES, files.audiences)?;
        let raw_terms: RawCatalogueTerms = parse(CATALOGUE_TERMS, files.catalogue_terms)?;
        let raw_prefectures: RawPrefectures = parse(PREFECTURES, files.prefectures)?;
        let raw_synonyms: RawSynonyms = parse(SYNONYMS, files.synonyms)?;

        let sources = vec![
            data_source(ITSS_FIELDS, raw_fields.version, raw_fields.source)?,
            data_source(SYLLABUS, raw_syllabus.version, raw_syllabus.source)?,
            data_source(BETSUHYO1, raw_betsuhyo1.version, raw_betsuhyo1.source)?,
            data_source(AUDIENCES, raw_audiences.version, raw_audiences.source)?,
            data_source(CATALOGUE_TERMS, raw_terms.version, raw_terms.source)?,
            data_source(PREFECTURES, raw_prefectures.version, raw_prefectures.source)?,
            data_source(SYNONYMS, raw_synonyms.version, raw_synonyms.source)?,
        ];

        // Vocabularies first: the other files refer to them.
        let layers = terms(AUDIENCES, "layer", raw_audiences.layers)?;
        let audiences = terms(AUDIENCES, "audience", raw_audiences.audiences)?;
        let kinds = terms(CATALOGUE_TERMS, "kind", raw_terms.kinds)?;
        let formats = terms(CATALOGUE_TERMS, "format", raw_terms.formats)?;
        let difficulties = terms(CATALOGUE_TERMS, "difficulty", raw_terms.difficulties)?;
        let regions = terms(PREFECTURES, "region", raw_prefectures.regions)?;

        let fields = itss_fields(raw_fields.fields, &layers)?;
        let (subjects, items) = syllabus(raw_syllabus.subjects)?;
        let betsuhyo1 = betsuhyo1(raw_betsuhyo1.entries, &layers, &fields, &subjects)?;
        let prefectures = prefectures(raw_prefectures.prefectures, &regions)?;
        let synonyms = synonyms(raw_synonyms.synonyms)?;

        Ok(Self {
            sources,
            fields,
            subjects,
            items,
            betsuhyo1,
            layers,
            audiences,
            kinds,
            formats,
            difficulties,
            regions,
            synonyms,
            prefectures,
        })
    }
}

fn find_term<'a>(terms: &'a [Term], code: &str) -> Option<&'a Term> {
    terms.iter().find(|t| t.code == code)
}

/// `東京都` → `東京`, `京都府` → `京都`, `神奈川県` → `神奈川`; `北海道` stays whole, since
/// nobody calls it 北海.
fn short_name(name_ja: &str) -> &str {
    name_ja.strip_suffix(['都', '府', '県']).unwrap_or(name_ja)
}

// --- File shapes ------------------------------------------------------------------------
// Private mirrors of the TOML; `deny_unknown_fields` turns a misspelt key into a load error
// instead of a silently missing value.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItssFields {
    version: String,
    source: String,
    fields: Vec<RawItssField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItssField {
    code: String,
    number: u8,
    label_ja: String,
    label_en: String,
    group: FieldGroup,
    layer: String,
    plus_security: bool,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSyllabus {
    version: String,
    source: String,
    subjects: Vec<RawSubject>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubject {
    code: String,
    label_ja: String,
    label_en: String,
    items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    code: String,
    label_ja: String,
    label_en: String,
    #[serde(default)]
    combine_only: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBetsuhyo1 {
    version: String,
    source: String,
    entries: Vec<RawBetsuhyo1Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBetsuhyo1Entry {
    layer: String,
    field: String,
    subject: String,
    tasks_ja: String,
    tasks_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAudiences {
    version: String,
    source: String,
    layers: Vec<RawTerm>,
    audiences: Vec<RawTerm>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogueTerms {
    version: String,
    source: String,
    kinds: Vec<RawTerm>,
    formats: Vec<RawTerm>,
    difficulties: Vec<RawTerm>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrefectures {
    version: String,
    source: String,
    regions: Vec<RawTerm>,
    prefectures: Vec<RawPrefecture>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSynonyms {
    version: String,
    source: String,
    synonyms: Vec<RawSynonym>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSynonym {
    words: Vec<String>,
    means: Vec<String>,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerm {
    code: String,
    label_ja: String,
    label_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrefecture {
    code: String,
    name_ja: String,
    name_en: String,
    region: String,
    capital_ja: String,
    capital_en: String,
}

// --- Conversion and integrity checks ----------------------------------------------------

fn parse<T: DeserializeOwned>(file: &'static str, text: &str) -> Result<T, ReferenceDataError> {
    toml::from_str(text).map_err(|source| ReferenceDataError::Syntax { file, source })
}

fn data_source(
    file: &'static str,
    version: String,
    source: String,
) -> Result<DataSource, ReferenceDataError> {
    let version = Date::parse(&version, format_description!("[year]-[month]-[day]"))
        .map_err(|_| ReferenceDataError::Version { file, version })?;
    if source.trim().is_empty() {
        return Err(ReferenceDataError::Inconsistent {
            file,
            problem: "the top-level source is empty".to_owned(),
        });
    }
    Ok(DataSource {
        file,
        version,
        source,
    })
}

/// Codes end up in URLs, query strings and database columns: keep them to one plain alphabet.
fn check_code(
    file: &'static str,
    what: &'static str,
    code: &str,
) -> Result<(), ReferenceDataError> {
    let plain = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
    if !code.is_empty() && code.chars().all(plain) {
        Ok(())
    } else {
        Err(ReferenceDataError::BadCode {
            file,
            what,
            code: code.to_owned(),
        })
    }
}

fn label(
    file: &'static str,
    what: &'static str,
    code: &str,
    ja: String,
    en: String,
) -> Result<Label, ReferenceDataError> {
    if ja.trim().is_empty() || en.trim().is_empty() {
        return Err(ReferenceDataError::EmptyLabel {
            file,
            what,
            code: code.to_owned(),
        });
    }
    Ok(Label { ja, en })
}

fn check_unique<'a>(
    file: &'static str,
    what: &'static str,
    codes: impl IntoIterator<Item = &'a str>,
) -> Result<(), ReferenceDataError> {
    let mut seen = HashSet::new();
    for code in codes {
        if !seen.insert(code) {
            return Err(ReferenceDataError::Duplicate {
                file,
                what,
                code: code.to_owned(),
            });
        }
    }
    Ok(())
}

fn terms(
    file: &'static str,
    what: &'static str,
    raw: Vec<RawTerm>,
) -> Result<Vec<Term>, ReferenceDataError> {
    let terms = raw
        .into_iter()
        .map(|t| {
            check_code(file, what, &t.code)?;
            let label = label(file, what, &t.code, t.label_ja, t.label_en)?;
            Ok(Term {
                code: t.code,
                label,
            })
        })
        .collect::<Result<Vec<_>, ReferenceDataError>>()?;
    if terms.is_empty() {
        return Err(ReferenceDataError::Count {
            file,
            what,
            expected: 1,
            found: 0,
        });
    }
    check_unique(file, what, terms.iter().map(|t| t.code.as_str()))?;
    Ok(terms)
}

fn itss_fields(
    raw: Vec<RawItssField>,
    layers: &[Term],
) -> Result<Vec<ItssField>, ReferenceDataError> {
    const WHAT: &str = "ITSS+ field";
    if raw.len() != ITSS_FIELD_COUNT {
        return Err(ReferenceDataError::Count {
            file: ITSS_FIELDS,
            what: "ITSS+ fields",
            expected: ITSS_FIELD_COUNT,
            found: raw.len(),
        });
    }
    let mut fields = Vec::with_capacity(raw.len());
    for (expected, f) in (1u8..).zip(raw) {
        check_code(ITSS_FIELDS, WHAT, &f.code)?;
        // The number is the figure position people cite ("field 12"); it must match the order.
        if f.number != expected {
            return Err(ReferenceDataError::Inconsistent {
                file: ITSS_FIELDS,
                problem: format!(
                    "field {:?} has number {}, expected {expected}",
                    f.code, f.number
                ),
            });
        }
        if find_term(layers, &f.layer).is_none() {
            return Err(unknown(ITSS_FIELDS, WHAT, &f.code, "layer", &f.layer));
        }
        let label = label(ITSS_FIELDS, WHAT, &f.code, f.label_ja, f.label_en)?;
        fields.push(ItssField {
            code: f.code,
            number: f.number,
            label,
            group: f.group,
            layer: f.layer,
            plus_security: f.plus_security,
            source: f.source,
        });
    }
    check_unique(ITSS_FIELDS, WHAT, fields.iter().map(|f| f.code.as_str()))?;
    Ok(fields)
}

fn syllabus(
    raw: Vec<RawSubject>,
) -> Result<(Vec<SyllabusSubject>, Vec<SyllabusItem>), ReferenceDataError> {
    let mut subjects = Vec::with_capacity(raw.len());
    let mut items = Vec::new();
    for s in raw {
        check_code(SYLLABUS, "subject", &s.code)?;
        if s.items.is_empty() {
            return Err(ReferenceDataError::Inconsistent {
                file: SYLLABUS,
                problem: format!("subject {:?} has no items", s.code),
            });
        }
        for i in s.items {
            check_code(SYLLABUS, "item", &i.code)?;
            // Item codes are "<subject>-<n>" in the guideline; a mismatch means a misplaced item.
            let in_subject = i
                .code
                .strip_prefix(s.code.as_str())
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if !in_subject {
                return Err(ReferenceDataError::Inconsistent {
                    file: SYLLABUS,
                    problem: format!("item {:?} is listed under subject {:?}", i.code, s.code),
                });
            }
            let label = label(SYLLABUS, "item", &i.code, i.label_ja, i.label_en)?;
            items.push(SyllabusItem {
                code: i.code,
                subject: s.code.clone(),
                label,
                combine_only: i.combine_only,
            });
        }
        let label = label(SYLLABUS, "subject", &s.code, s.label_ja, s.label_en)?;
        subjects.push(SyllabusSubject {
            code: s.code,
            label,
        });
    }
    check_unique(
        SYLLABUS,
        "subject",
        subjects.iter().map(|s| s.code.as_str()),
    )?;
    check_unique(SYLLABUS, "item", items.iter().map(|i| i.code.as_str()))?;
    Ok((subjects, items))
}

fn betsuhyo1(
    raw: Vec<RawBetsuhyo1Entry>,
    layers: &[Term],
    fields: &[ItssField],
    subjects: &[SyllabusSubject],
) -> Result<Vec<Betsuhyo1Entry>, ReferenceDataError> {
    const WHAT: &str = "別表1 entry for field";
    if raw.is_empty() {
        return Err(ReferenceDataError::Count {
            file: BETSUHYO1,
            what: "entries",
            expected: 1,
            found: 0,
        });
    }
    let mut entries = Vec::with_capacity(raw.len());
    for e in raw {
        let Some(field) = fields.iter().find(|f| f.code == e.field) else {
            return Err(unknown(BETSUHYO1, WHAT, &e.field, "ITSS+ field", &e.field));
        };
        if !subjects.iter().any(|s| s.code == e.subject) {
            return Err(unknown(
                BETSUHYO1,
                WHAT,
                &e.field,
                "syllabus subject",
                &e.subject,
            ));
        }
        if find_term(layers, &e.layer).is_none() {
            return Err(unknown(BETSUHYO1, WHAT, &e.field, "layer", &e.layer));
        }
        // 別表1 states the layer of these fields; itss_fields.toml must not contradict it.
        if field.layer != e.layer {
            return Err(ReferenceDataError::Inconsistent {
                file: BETSUHYO1,
                problem: format!(
                    "field {:?} is in layer {:?} here but {:?} in {ITSS_FIELDS}",
                    e.field, e.layer, field.layer
                ),
            });
        }
        let tasks = label(BETSUHYO1, WHAT, &e.field, e.tasks_ja, e.tasks_en)?;
        entries.push(Betsuhyo1Entry {
            layer: e.layer,
            field: e.field,
            subject: e.subject,
            tasks,
        });
    }
    // One row per field, as in the table: a second row would be an editing slip.
    check_unique(BETSUHYO1, "field", entries.iter().map(|e| e.field.as_str()))?;
    Ok(entries)
}

fn prefectures(
    raw: Vec<RawPrefecture>,
    regions: &[Term],
) -> Result<Box<[PrefectureInfo; Prefecture::COUNT]>, ReferenceDataError> {
    const WHAT: &str = "prefecture";
    let mut list = Vec::with_capacity(raw.len());
    for (number, p) in (1u8..).zip(raw) {
        // Strictly "01".."47" in order: the table is indexed by code.
        let code = Prefecture::from_code(&p.code)
            .ok()
            .filter(|c| c.number() == number && c.code() == p.code)
            .ok_or_else(|| ReferenceDataError::Inconsistent {
                file: PREFECTURES,
                problem: format!(
                    "prefecture number {number} has code {:?}, expected {number:02}",
                    p.code
                ),
            })?;
        if find_term(regions, &p.region).is_none() {
            return Err(unknown(PREFECTURES, WHAT, &p.code, "region", &p.region));
        }
        let name = label(PREFECTURES, WHAT, &p.code, p.name_ja, p.name_en)?;
        let capital = label(
            PREFECTURES,
            "capital of prefecture",
            &p.code,
            p.capital_ja,
            p.capital_en,
        )?;
        list.push(PrefectureInfo {
            code,
            name,
            region: p.region,
            capital,
        });
    }
    // Names are looked up by `prefecture_by_name`, so they must be unambiguous too.
    check_unique(
        PREFECTURES,
        "prefecture name",
        list.iter().map(|p| p.name.ja.as_str()),
    )?;
    check_unique(
        PREFECTURES,
        "prefecture short name",
        list.iter().map(|p| short_name(&p.name.ja)),
    )?;
    check_unique(
        PREFECTURES,
        "prefecture English name",
        list.iter().map(|p| p.name.en.as_str()),
    )?;
    let found = list.len();
    list.try_into().map_err(|_| ReferenceDataError::Count {
        file: PREFECTURES,
        what: "prefectures",
        expected: Prefecture::COUNT,
        found,
    })
}

/// Every entry has words, what they mean and why; a word belongs to one entry only, so what
/// a query word expands to never depends on the order of the file.
fn synonyms(raw: Vec<RawSynonym>) -> Result<Vec<Synonym>, ReferenceDataError> {
    let mut list = Vec::with_capacity(raw.len());
    for (n, e) in (1usize..).zip(raw) {
        let blank = |v: &[String]| v.is_empty() || v.iter().any(|w| w.trim().is_empty());
        let problem = if blank(&e.words) {
            Some("has no words, or an empty one")
        } else if blank(&e.means) {
            Some("says nothing the words mean, or an empty word")
        } else if e.source.trim().is_empty() {
            Some("does not say why (source)")
        } else if e.means.iter().any(|m| e.words.contains(m)) {
            Some("means one of its own words")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(ReferenceDataError::Inconsistent {
                file: SYNONYMS,
                problem: format!("entry {n} {problem}"),
            });
        }
        list.push(Synonym {
            words: e.words,
            means: e.means,
            source: e.source,
        });
    }
    check_unique(
        SYNONYMS,
        "word",
        list.iter().flat_map(|e| e.words.iter().map(String::as_str)),
    )?;
    Ok(list)
}

fn unknown(
    file: &'static str,
    what: &'static str,
    code: &str,
    target: &'static str,
    missing: &str,
) -> ReferenceDataError {
    ReferenceDataError::UnknownReference {
        file,
        what,
        code: code.to_owned(),
        target,
        missing: missing.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy() -> Taxonomy {
        match Taxonomy::embedded() {
            Ok(t) => t,
            Err(e) => panic!("embedded reference data must load: {e}"),
        }
    }

    fn codes<'a>(iter: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        iter.into_iter().collect()
    }

    #[test]
    fn embedded_data_loads_with_provenance() {
        let t = taxonomy();
        let files: Vec<_> = t.sources().iter().map(|s| s.file).collect();
        assert_eq!(
            files,
            [
                ITSS_FIELDS,
                SYLLABUS,
                BETSUHYO1,
                AUDIENCES,
                CATALOGUE_TERMS,
                PREFECTURES,
                SYNONYMS
            ]
        );
        for s in t.sources() {
            assert!(!s.source.is_empty(), "{}", s.file);
            assert!(s.version.year() >= 2025, "{}", s.file);
        }
        assert!(t.sources()[1].source.contains("別表2"));
        assert!(t.sources()[2].source.contains("別表1"));
        assert!(t.sources()[5].source.contains("JIS X 0401"));
    }

    #[test]
    fn itss_fields_are_the_17_of_the_figure_in_order() {
        let t = taxonomy();
        assert_eq!(
            codes(t.itss_fields().iter().map(|f| f.code.as_str())),
            [
                "exec_board",
                "risk_mgmt",
                "digital_mgmt",
                "sec_mgmt",
                "biz_strategy",
                "biz_operations",
                "legal",
                "dx_strategy",
                "dx_architecture",
                "dx_development",
                "dx_operations",
                "vuln_assessment",
                "sec_monitoring",
                "sec_research",
                "system_audit",
                "sec_audit",
                "sec_governance",
            ]
        );
        for (n, f) in (1u8..).zip(t.itss_fields()) {
            assert_eq!(f.number, n);
            let expected_group = match n {
                1..=7 => FieldGroup::Other,
                8..=11 => FieldGroup::Digital,
                _ => FieldGroup::Security,
            };
            assert_eq!(f.group, expected_group, "{}", f.code);
            // The current data: the non-specialist columns are プラス・セキュリティ.
            assert_eq!(
                f.plus_security,
                f.group != FieldGroup::Security,
                "{}",
                f.code
            );
            assert!(t.layer(&f.layer).is_some());
        }
        let arch = t.itss_field("dx_architecture").expect("field 9");
        assert_eq!(arch.label.ja, "デジタルシステムアーキテクチャ");
        assert_eq!(arch.label.pick(true), "Digital system architecture");
        assert_eq!(
            t.itss_field("exec_board").map(|f| f.layer.as_str()),
            Some("executive")
        );
        assert_eq!(
            t.itss_field("sec_mgmt").map(|f| f.label.ja.as_str()),
            Some("セキュリティ経営（CISO）")
        );
        assert!(t.itss_field("nope").is_none());
    }

    #[test]
    fn syllabus_matches_betsuhyo2() {
        let t = taxonomy();
        assert_eq!(
            codes(t.subjects().iter().map(|s| s.code.as_str())),
            ["1", "2", "3", "4"]
        );
        let counts: Vec<usize> = t
            .subjects()
            .iter()
            .map(|s| t.items_of_subject(&s.code).count())
            .collect();
        assert_eq!(counts, [7, 8, 11, 4]);
        assert_eq!(t.syllabus_items().len(), 30);
        assert_eq!(
            t.subject("1").map(|s| s.label.ja.as_str()),
            Some("情報セキュリティマネジメントの推進又は支援に関すること")
        );
        assert_eq!(
            t.subject("4").map(|s| s.label.ja.as_str()),
            Some("情報セキュリティインシデント管理の推進又は支援に関すること")
        );
        let item = t.syllabus_item("3-4").expect("3-4");
        assert_eq!(item.subject, "3");
        assert_eq!(item.label.ja, "セキュリティ監視並びにログの取得及び分析");
        assert_eq!(
            t.syllabus_item("3-10").map(|i| i.label.ja.as_str()),
            Some("サプライチェーンの情報セキュリティの推進")
        );
        assert!(t.syllabus_item("3-12").is_none());
        assert!(t.syllabus_item("5-1").is_none());
        assert_eq!(t.items_of_subject("9").count(), 0);
        let items_of_3: Vec<_> = t.items_of_subject("3").map(|i| i.code.as_str()).collect();
        assert_eq!(items_of_3.first(), Some(&"3-1"));
        assert_eq!(items_of_3.last(), Some(&"3-11"));
    }

    #[test]
    fn r_b06_combine_only_items_are_exactly_those_marked_1() {
        let t = taxonomy();
        let marked: Vec<_> = t
            .syllabus_items()
            .iter()
            .filter(|i| i.combine_only)
            .map(|i| i.code.as_str())
            .collect();
        assert_eq!(marked, ["1-7", "3-3", "3-7", "3-8", "3-9", "3-11"]);
    }

    #[test]
    fn r_b03_b04_betsuhyo1_maps_nine_fields_to_subjects() {
        let t = taxonomy();
        assert_eq!(t.betsuhyo1().len(), 9);
        let fields: Vec<_> = t.betsuhyo1_fields().map(|f| f.label.ja.as_str()).collect();
        assert_eq!(
            fields,
            [
                "デジタルシステムストラテジー",
                "セキュリティ監査",
                "セキュリティ統括",
                "デジタルシステムアーキテクチャ",
                "デジタルプロダクト開発",
                "デジタルプロダクト運用",
                "脆弱性診断・ペネトレーションテスト",
                "セキュリティ監視・運用",
                "セキュリティ調査分析・研究開発",
            ]
        );
        let subjects_of = |field: &str| t.subjects_for_field(field).collect::<Vec<_>>();
        assert_eq!(subjects_of("vuln_assessment"), ["3"]);
        assert_eq!(subjects_of("sec_research"), ["4"]);
        assert_eq!(subjects_of("sec_audit"), ["1"]);
        assert_eq!(subjects_of("dx_strategy"), ["1"]);
        assert_eq!(subjects_of("dx_architecture"), ["2"]);
        assert_eq!(subjects_of("sec_monitoring"), ["3"]);
        // Fields outside 別表1 cannot be chosen for a 特定講習.
        assert!(subjects_of("system_audit").is_empty());
        assert!(subjects_of("exec_board").is_empty());
        assert!(subjects_of("unknown").is_empty());

        let layers: Vec<_> = t.betsuhyo1().iter().map(|e| e.layer.as_str()).collect();
        assert_eq!(layers[..3], ["strategic"; 3]);
        assert_eq!(layers[3..], ["practitioner"; 6]);
        assert!(t.betsuhyo1()[6].tasks.ja.starts_with("脆弱性診断"));
    }

    #[test]
    fn layers_audiences_and_catalogue_terms() {
        let t = taxonomy();
        let pairs = |terms: &[Term]| {
            terms
                .iter()
                .map(|x| (x.code.clone(), x.label.ja.clone()))
                .collect::<Vec<_>>()
        };
        let owned = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            pairs(t.layers()),
            owned(&[
                ("executive", "経営層"),
                ("strategic", "戦略マネジメント層"),
                ("practitioner", "実務者・技術者層"),
            ])
        );
        assert_eq!(
            pairs(t.audiences()),
            owned(&[
                ("general", "一般・個人"),
                ("children", "子ども"),
                ("working_age", "中間層（働く世代）"),
                ("seniors", "シニア"),
                ("sme", "中小企業"),
                ("youth", "若年層（学生等）"),
                ("regional", "地域"),
                ("educators", "教える人・普及啓発の担い手"),
                ("public_sector", "国・地方公共団体等"),
                ("critical_infrastructure", "重要インフラ事業者"),
                ("enterprise", "企業・団体の従業員"),
                ("riss", "登録セキスペ"),
            ])
        );
        assert_eq!(
            pairs(t.kinds()),
            owned(&[
                ("plus_security", "人材育成（プラス・セキュリティ）"),
                (
                    "security_management",
                    "人材育成（セキュリティマネジメント）"
                ),
                ("security_technology", "人材育成（セキュリティ技術）"),
                ("awareness", "普及啓発"),
            ])
        );
        assert_eq!(
            pairs(t.formats()),
            owned(&[
                ("in_person", "集合"),
                ("online", "オンライン（ライブ）"),
                ("hybrid", "ハイブリッド"),
                ("on_demand", "オンデマンド"),
            ])
        );
        assert_eq!(
            pairs(t.difficulties()),
            owned(&[
                ("intro", "入門"),
                ("beginner", "初級"),
                ("intermediate", "中級"),
                ("semi_advanced", "準上級"),
                ("advanced", "上級"),
            ])
        );
        assert_eq!(t.difficulty_rank("intro"), Some(0));
        assert_eq!(t.difficulty_rank("advanced"), Some(4));
        assert!(t.difficulty_rank("intermediate") < t.difficulty_rank("semi_advanced"));
        assert_eq!(t.difficulty_rank("expert"), None);
        assert_eq!(
            t.layer("strategic").map(|l| l.label.pick(true)),
            Some("Strategic management")
        );
        assert!(t.audience("riss").is_some());
        assert!(t.kind("awareness").is_some());
        assert!(t.format("hybrid").is_some());
        assert!(t.difficulty("beginner").is_some());
        assert!(t.layer("Executive").is_none(), "codes are case-sensitive");
        assert!(t.audience("").is_none());
    }

    #[test]
    fn prefectures_follow_jis_x_0401() {
        let t = taxonomy();
        assert_eq!(t.prefectures().len(), 47);
        assert_eq!(t.regions().len(), 8);
        for (p, info) in Prefecture::all().zip(t.prefectures()) {
            assert_eq!(info.code, p);
            assert_eq!(t.prefecture(p), info);
            assert!(t.region(&info.region).is_some());
        }
        let pref = |n: u8| t.prefecture(Prefecture::from_number(n).expect("valid"));
        let tokyo = pref(13);
        assert_eq!(
            (tokyo.name.ja.as_str(), tokyo.name.en.as_str()),
            ("東京都", "Tokyo")
        );
        assert_eq!(tokyo.region, "kanto");
        let okinawa = pref(47);
        assert_eq!(
            (okinawa.name.ja.as_str(), okinawa.region.as_str()),
            ("沖縄県", "kyushu_okinawa")
        );
        assert_eq!(okinawa.capital.ja, "那覇市");
        let hokkaido = pref(1);
        assert_eq!(
            (hokkaido.name.ja.as_str(), hokkaido.region.as_str()),
            ("北海道", "hokkaido")
        );
        assert_eq!(pref(26).name.ja, "京都府");
        assert_eq!(pref(27).name.ja, "大阪府");
        assert_eq!(
            pref(24).region,
            "kinki",
            "三重県 is 近畿 in the eight-region division"
        );

        let per_region: Vec<usize> = t
            .regions()
            .iter()
            .map(|r| t.prefectures_in_region(&r.code).count())
            .collect();
        assert_eq!(per_region, [1, 6, 7, 9, 7, 5, 4, 8]);
        assert_eq!(per_region.iter().sum::<usize>(), 47);
        assert_eq!(t.prefectures_in_region("atlantis").count(), 0);
        let shikoku: Vec<_> = t
            .prefectures_in_region("shikoku")
            .map(|p| p.name.ja.as_str())
            .collect();
        assert_eq!(shikoku, ["徳島県", "香川県", "愛媛県", "高知県"]);
    }

    #[test]
    fn prefecture_by_name_accepts_full_short_and_english_names() {
        let t = taxonomy();
        let code = |name: &str| t.prefecture_by_name(name).map(Prefecture::number);
        assert_eq!(code("東京都"), Some(13));
        assert_eq!(code("東京"), Some(13));
        assert_eq!(code(" 東京都　"), Some(13));
        assert_eq!(code("京都府"), Some(26));
        assert_eq!(code("京都"), Some(26));
        assert_eq!(code("大阪"), Some(27));
        assert_eq!(code("神奈川"), Some(14));
        assert_eq!(code("北海道"), Some(1));
        assert_eq!(code("沖縄県"), Some(47));
        assert_eq!(code("tokyo"), Some(13));
        assert_eq!(code("Hokkaido"), Some(1));
        assert_eq!(code("北海"), None);
        assert_eq!(code("東京府"), None);
        assert_eq!(code("都"), None);
        assert_eq!(code(""), None);
        assert_eq!(code("   "), None);
        // Every prefecture is found by its own names.
        for p in t.prefectures() {
            assert_eq!(t.prefecture_by_name(&p.name.ja), Some(p.code));
            assert_eq!(t.prefecture_by_name(short_name(&p.name.ja)), Some(p.code));
            assert_eq!(t.prefecture_by_name(&p.name.en), Some(p.code));
        }
    }

    #[test]
    fn labels_pick_the_language() {
        let l = Label {
            ja: "中級".to_owned(),
            en: "Intermediate".to_owned(),
        };
        assert_eq!(l.pick(false), "中級");
        assert_eq!(l.pick(true), "Intermediate");
        assert_eq!(FieldGroup::Security.label(false), "セキュリティ");
        assert_eq!(FieldGroup::Digital.code(), "digital");
    }

    // --- Broken data is reported, not panicked on ----------------------------------------

    /// Replaces exactly one occurrence, so a test cannot pass because its edit missed.
    fn replaced(text: &str, from: &str, to: &str) -> String {
        assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
        text.replacen(from, to, 1)
    }

    macro_rules! broken {
        ($file:ident, $from:expr, $to:expr) => {{
            let text = replaced(EMBEDDED.$file, $from, $to);
            let mut files = EMBEDDED;
            files.$file = &text;
            Taxonomy::load(files)
                .map(|_| ())
                .expect_err("broken data must not load")
        }};
    }

    #[test]
    fn unknown_betsuhyo1_field_or_subject_is_reported() {
        let err = broken!(
            betsuhyo1,
            r#"field = "sec_research""#,
            r#"field = "sec_reserch""#
        );
        assert!(matches!(
            &err,
            ReferenceDataError::UnknownReference { file: BETSUHYO1, target: "ITSS+ field", missing, .. }
                if missing == "sec_reserch"
        ));
        assert!(
            err.to_string().starts_with("reference/betsuhyo1.toml: "),
            "{err}"
        );

        let err = broken!(
            betsuhyo1,
            "field = \"sec_research\"\nsubject = \"4\"",
            "field = \"sec_research\"\nsubject = \"5\""
        );
        assert!(matches!(
            err,
            ReferenceDataError::UnknownReference {
                target: "syllabus subject",
                ..
            }
        ));
    }

    #[test]
    fn betsuhyo1_layer_must_agree_with_the_field() {
        let err = broken!(
            betsuhyo1,
            "layer = \"strategic\"\nfield = \"sec_audit\"",
            "layer = \"practitioner\"\nfield = \"sec_audit\""
        );
        assert!(
            matches!(
                err,
                ReferenceDataError::Inconsistent {
                    file: BETSUHYO1,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn duplicate_codes_are_reported() {
        let err = broken!(catalogue_terms, r#"code = "hybrid""#, r#"code = "online""#);
        assert!(matches!(
            &err,
            ReferenceDataError::Duplicate { file: CATALOGUE_TERMS, what: "format", code } if code == "online"
        ));
        let err = broken!(syllabus, r#"code = "2-8""#, r#"code = "2-7""#);
        assert!(
            matches!(err, ReferenceDataError::Duplicate { what: "item", .. }),
            "{err}"
        );
    }

    #[test]
    fn misplaced_item_and_bad_codes_are_reported() {
        let err = broken!(syllabus, r#"code = "4-4""#, r#"code = "3-12""#);
        assert!(
            matches!(err, ReferenceDataError::Inconsistent { file: SYLLABUS, .. }),
            "{err}"
        );
        let err = broken!(audiences, r#"code = "sme""#, r#"code = "SME""#);
        assert!(matches!(err, ReferenceDataError::BadCode { .. }), "{err}");
    }

    #[test]
    fn prefecture_table_must_be_complete_and_ordered() {
        let err = broken!(
            prefectures,
            r#"region = "kyushu_okinawa"
capital_ja = "那覇市""#,
            r#"region = "okinawa"
capital_ja = "那覇市""#
        );
        assert!(
            matches!(
                err,
                ReferenceDataError::UnknownReference {
                    target: "region",
                    ..
                }
            ),
            "{err}"
        );

        let err = broken!(prefectures, r#"code = "13""#, r#"code = "14""#);
        assert!(
            matches!(
                err,
                ReferenceDataError::Inconsistent {
                    file: PREFECTURES,
                    ..
                }
            ),
            "{err}"
        );

        let err = broken!(prefectures, r#"code = "09""#, r#"code = "9""#);
        assert!(
            matches!(err, ReferenceDataError::Inconsistent { .. }),
            "{err}"
        );

        let start = EMBEDDED
            .prefectures
            .find("[[prefectures]]\ncode = \"47\"")
            .expect("Okinawa");
        let text = &EMBEDDED.prefectures[..start];
        let files = Files {
            prefectures: text,
            ..EMBEDDED
        };
        let err = Taxonomy::load(files).map(|_| ()).expect_err("46 only");
        assert!(
            matches!(
                err,
                ReferenceDataError::Count {
                    expected: 47,
                    found: 46,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a03_synonyms_say_what_visitors_mean_and_why() {
        let t = taxonomy();
        let means = |word: &str| {
            t.synonyms()
                .iter()
                .find(|e| e.words.iter().any(|w| w == word))
                .map(|e| e.means.clone())
        };
        assert_eq!(means("初心者"), Some(vec!["入門".into(), "初級".into()]));
        assert_eq!(means("役員"), Some(vec!["経営層".into()]));
        assert_eq!(means("入門"), None, "one direction only");
        // What a synonym leads to is a label the catalogue shows, so it can be found.
        assert_eq!(
            t.difficulty("intro").map(|d| d.label.ja.as_str()),
            Some("入門")
        );
        assert_eq!(
            t.layer("executive").map(|l| l.label.ja.as_str()),
            Some("経営層")
        );
        assert!(t.synonyms().iter().all(|e| !e.source.trim().is_empty()));
    }

    #[test]
    fn synonym_entries_are_checked() {
        let err = broken!(synonyms, r#"words = ["エンジニア"]"#, r#"words = ["役員"]"#);
        assert!(
            matches!(
                err,
                ReferenceDataError::Duplicate {
                    file: SYNONYMS,
                    what: "word",
                    ..
                }
            ),
            "{err}"
        );
        let err = broken!(synonyms, r#"means = ["技術者"]"#, r#"means = []"#);
        assert!(
            matches!(err, ReferenceDataError::Inconsistent { file: SYNONYMS, .. }),
            "{err}"
        );
        let err = broken!(
            synonyms,
            r#"means = ["技術者"]"#,
            r#"means = ["エンジニア"]"#
        );
        assert!(err.to_string().contains("its own words"), "{err}");
        let err = broken!(
            synonyms,
            "source = \"人材層の表示名は「実務者・技術者層」（audiences.toml, 経⑥）\"",
            "source = \" \""
        );
        assert!(err.to_string().contains("why"), "{err}");
    }

    #[test]
    fn field_count_order_and_layer_are_checked() {
        let err = broken!(itss_fields, "number = 17", "number = 18");
        assert!(
            matches!(
                err,
                ReferenceDataError::Inconsistent {
                    file: ITSS_FIELDS,
                    ..
                }
            ),
            "{err}"
        );
        let err = broken!(
            itss_fields,
            "group = \"other\"\nlayer = \"executive\"\nplus_security = true\nsource = \"000 経⑥ ITSS+ 図; 層は経⑥組織図の読み",
            "group = \"other\"\nlayer = \"board\"\nplus_security = true\nsource = \"000 経⑥ ITSS+ 図; 層は経⑥組織図の読み"
        );
        assert!(
            matches!(
                err,
                ReferenceDataError::UnknownReference {
                    target: "layer",
                    ..
                }
            ),
            "{err}"
        );
        let cut = EMBEDDED.itss_fields.rfind("[[fields]]").expect("a field");
        let text = &EMBEDDED.itss_fields[..cut];
        let files = Files {
            itss_fields: text,
            ..EMBEDDED
        };
        let err = Taxonomy::load(files).map(|_| ()).expect_err("16 only");
        assert!(
            matches!(
                err,
                ReferenceDataError::Count {
                    expected: 17,
                    found: 16,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn syntax_version_and_unknown_keys_are_reported() {
        let err = broken!(
            audiences,
            r#"version = "2026-11-22""#,
            r#"version = "2026-13-01""#
        );
        assert!(
            matches!(
                err,
                ReferenceDataError::Version {
                    file: AUDIENCES,
                    ..
                }
            ),
            "{err}"
        );
        let err = broken!(
            catalogue_terms,
            "[[kinds]]\ncode = \"awareness\"",
            "[[kinds]]\ncod = \"awareness\""
        );
        assert!(
            matches!(
                err,
                ReferenceDataError::Syntax {
                    file: CATALOGUE_TERMS,
                    ..
                }
            ),
            "{err}"
        );
        let err = broken!(
            syllabus,
            "label_en = \"Backup\"",
            "label_en = \"Backup\"\ncombine = true"
        );
        assert!(
            matches!(err, ReferenceDataError::Syntax { file: SYLLABUS, .. }),
            "{err}"
        );
        let err = broken!(
            betsuhyo1,
            "tasks_en = \"Security audit, reporting and advice, etc.\"",
            "tasks_en = \" \""
        );
        assert!(
            matches!(err, ReferenceDataError::EmptyLabel { .. }),
            "{err}"
        );
    }
}

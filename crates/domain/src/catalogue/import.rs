//! The catalogue exchange format: providers and programmes (with sessions) as TOML, as used by
//! the demo data and `koshu import`. Parsing checks every code against the taxonomy and reports
//! every problem at once, each naming the record and field at fault.

use super::{
    Citation, Fee, Language, Programme, ProgrammeWithSessions, Provider, ProviderKind, Session,
    Slug, listing,
};
use crate::ValidationError;
use crate::prefecture::Prefecture;
use crate::taxonomy::Taxonomy;
use crate::types::{CorporateNumber, Hours, Yen};
use serde::Deserialize;
use std::collections::HashSet;
use time::{Date, Month};

/// A validated catalogue, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    pub providers: Vec<Provider>,
    pub programmes: Vec<ProgrammeWithSessions>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvidersFile {
    #[serde(default)]
    provider: Vec<ProviderInput>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderInput {
    id: String,
    name_ja: String,
    name_en: Option<String>,
    kind: ProviderKind,
    corporate_number: Option<String>,
    url: Option<String>,
    source: Option<String>,
    citation: Option<Citation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgrammesFile {
    #[serde(default)]
    programme: Vec<ProgrammeInput>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum FeeInput {
    Free,
    Fixed { yen: u64 },
    Range { min_yen: u64, max_yen: u64 },
    Conditional { note_ja: String },
    Undisclosed,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgrammeInput {
    id: String,
    provider: String,
    title_ja: String,
    title_en: Option<String>,
    summary_ja: String,
    summary_en: Option<String>,
    #[serde(default)]
    purpose_ja: String,
    #[serde(default)]
    goals_ja: Vec<String>,
    #[serde(default)]
    skills_ja: Vec<String>,
    #[serde(default)]
    prerequisites_ja: String,
    #[serde(default)]
    layers: Vec<String>,
    #[serde(default)]
    audiences: Vec<String>,
    #[serde(default)]
    itss_fields: Vec<String>,
    #[serde(default)]
    syllabus_items: Vec<String>,
    kind: String,
    difficulty: String,
    format: String,
    #[serde(default)]
    duration_ja: String,
    duration_en: Option<String>,
    total_hours: Option<f64>,
    frequency_ja: Option<String>,
    fee: FeeInput,
    language: Language,
    #[serde(default)]
    eligibility_ja: String,
    eligibility_en: Option<String>,
    url: Option<String>,
    accessibility_ja: Option<String>,
    inquiry_ja: Option<String>,
    complaint_ja: Option<String>,
    source: Option<String>,
    citation: Option<Citation>,
    #[serde(default)]
    session: Vec<SessionInput>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionInput {
    starts_on: toml::value::Datetime,
    ends_on: Option<toml::value::Datetime>,
    prefecture: Option<String>,
    city: Option<String>,
    venue: Option<String>,
    #[serde(default)]
    online: bool,
    capacity: Option<u32>,
    seats_left: Option<u32>,
    application_deadline: Option<toml::value::Datetime>,
    note_ja: Option<String>,
    #[serde(default)]
    cancelled: bool,
}

/// Collects errors under a path such as `programme[cyder-a].itss_fields[0]`.
#[derive(Default)]
struct Errors(Vec<ValidationError>);

impl Errors {
    fn push(&mut self, path: String, e: ValidationError) {
        self.0.push(e.for_field(path));
    }

    fn take<T>(
        &mut self,
        path: impl FnOnce() -> String,
        r: Result<T, ValidationError>,
    ) -> Option<T> {
        r.map_err(|e| self.push(path(), e)).ok()
    }
}

fn unknown_code(list: &str, code: &str) -> ValidationError {
    ValidationError::new(
        "taxonomy.unknown_code",
        format!("「{code}」は{list}の参照データにないコードです。"),
        format!("\"{code}\" is not a code in the {list} reference data."),
    )
}

fn file_error(file: &str, e: &toml::de::Error) -> ValidationError {
    ValidationError::new(
        "import.syntax",
        format!("{file} を読み取れません: {}", e.message()),
        format!("{file} cannot be read: {}", e.message()),
    )
    .for_field(file.to_owned())
}

/// Parses and checks a providers file and a programmes file together.
pub fn parse_catalogue(
    providers_toml: &str,
    programmes_toml: &str,
    taxonomy: &Taxonomy,
) -> Result<Catalogue, Vec<ValidationError>> {
    let providers: ProvidersFile =
        toml::from_str(providers_toml).map_err(|e| vec![file_error("providers.toml", &e)])?;
    let programmes: ProgrammesFile =
        toml::from_str(programmes_toml).map_err(|e| vec![file_error("programmes.toml", &e)])?;

    let mut errors = Errors::default();
    let providers: Vec<Provider> = providers
        .provider
        .into_iter()
        .filter_map(|p| provider(p, &mut errors))
        .collect();
    let known: HashSet<&str> = providers.iter().map(|p| p.id.as_str()).collect();
    let mut seen = HashSet::new();
    let mut checked = Vec::new();
    for input in programmes.programme {
        let at = format!("programme[{}]", input.id);
        if !seen.insert(input.id.clone()) {
            errors.push(at.clone(), duplicate(&input.id));
        }
        if !known.contains(input.provider.as_str()) {
            errors.push(
                format!("{at}.provider"),
                unknown_code("provider", &input.provider),
            );
        }
        if let Some(p) = programme(input, taxonomy, &mut errors) {
            checked.push(p);
        }
    }
    let mut provider_ids = HashSet::new();
    for p in &providers {
        if !provider_ids.insert(p.id.as_str()) {
            errors.push(format!("provider[{}]", p.id), duplicate(p.id.as_str()));
        }
    }
    if errors.0.is_empty() {
        Ok(Catalogue {
            providers,
            programmes: checked,
        })
    } else {
        Err(errors.0)
    }
}

fn duplicate(id: &str) -> ValidationError {
    ValidationError::new(
        "import.duplicate_id",
        format!("識別子「{id}」が重複しています。"),
        format!("The identifier \"{id}\" appears more than once."),
    )
}

/// A citation names its publisher in both languages: pages print it as 出典.
fn check_citation(at: &str, citation: Option<&Citation>, errors: &mut Errors) {
    for (name, value) in citation.into_iter().flat_map(|c| {
        [
            ("publisher_ja", &c.publisher_ja),
            ("publisher_en", &c.publisher_en),
        ]
    }) {
        if value.trim().is_empty() {
            errors.push(
                format!("{at}.citation.{name}"),
                ValidationError::new(
                    "citation.publisher",
                    "出典の発行者を日本語と英語で入力してください。",
                    "Give the publisher of the source in Japanese and in English.",
                ),
            );
        }
    }
}

fn provider(p: ProviderInput, errors: &mut Errors) -> Option<Provider> {
    let at = format!("provider[{}]", p.id);
    check_citation(&at, p.citation.as_ref(), errors);
    let id = errors.take(|| format!("{at}.id"), Slug::parse(&p.id));
    let corporate_number = match p.corporate_number {
        Some(n) => Some(errors.take(
            || format!("{at}.corporate_number"),
            n.parse::<CorporateNumber>(),
        )?),
        None => None,
    };
    Some(Provider {
        id: id?,
        name_ja: p.name_ja,
        name_en: p.name_en,
        kind: p.kind,
        corporate_number,
        url: p.url,
        source: p.source,
        citation: p.citation,
    })
}

fn programme(
    p: ProgrammeInput,
    tx: &Taxonomy,
    errors: &mut Errors,
) -> Option<ProgrammeWithSessions> {
    let at = format!("programme[{}]", p.id);
    let before = errors.0.len();
    let id = errors.take(|| format!("{at}.id"), Slug::parse(&p.id));
    let provider = errors.take(|| format!("{at}.provider"), Slug::parse(&p.provider));
    check_citation(&at, p.citation.as_ref(), errors);
    let total_hours = match p.total_hours {
        Some(h) => errors.take(
            || format!("{at}.total_hours"),
            h.to_string().parse::<Hours>(),
        ),
        None => None,
    };
    let sessions: Vec<Session> = match &id {
        Some(pid) => p
            .session
            .into_iter()
            .enumerate()
            .filter_map(|(i, s)| session(s, pid, i, &at, errors))
            .collect(),
        None => Vec::new(),
    };
    let programme = Programme {
        id: id?,
        provider: provider?,
        title_ja: p.title_ja,
        title_en: p.title_en,
        summary_ja: p.summary_ja,
        summary_en: p.summary_en,
        purpose_ja: p.purpose_ja,
        goals_ja: p.goals_ja,
        skills_ja: p.skills_ja,
        prerequisites_ja: p.prerequisites_ja,
        layers: p.layers,
        audiences: p.audiences,
        itss_fields: p.itss_fields,
        syllabus_items: p.syllabus_items,
        kind: p.kind,
        difficulty: p.difficulty,
        format: p.format,
        duration_ja: p.duration_ja,
        duration_en: p.duration_en,
        total_hours,
        frequency_ja: p.frequency_ja,
        fee: fee(p.fee),
        language: p.language,
        eligibility_ja: p.eligibility_ja,
        eligibility_en: p.eligibility_en,
        url: p.url,
        accessibility_ja: p.accessibility_ja,
        inquiry_ja: p.inquiry_ja,
        complaint_ja: p.complaint_ja,
        source: p.source,
        citation: p.citation,
        designation: None,
    };
    // The rules every programme is held to, however it arrives (A02).
    for e in listing::a02_programme_is_classified(&programme, tx) {
        let field = e.field.clone().unwrap_or_default();
        errors.push(format!("{at}.{field}"), e);
    }
    if errors.0.len() > before {
        return None;
    }
    Some(ProgrammeWithSessions {
        programme,
        sessions,
    })
}

fn fee(f: FeeInput) -> Fee {
    match f {
        FeeInput::Free => Fee::Free,
        FeeInput::Fixed { yen } => Fee::Fixed { yen: Yen::new(yen) },
        FeeInput::Range { min_yen, max_yen } => Fee::Range {
            min_yen: Yen::new(min_yen),
            max_yen: Yen::new(max_yen),
        },
        FeeInput::Conditional { note_ja } => Fee::Conditional { note_ja },
        FeeInput::Undisclosed => Fee::Undisclosed,
    }
}

fn toml_date(d: &toml::value::Datetime) -> Result<Date, ValidationError> {
    let invalid = || {
        ValidationError::new(
            "date.format",
            "日付は 2026-04-01 の形式で指定してください。",
            "Give dates as 2026-04-01.",
        )
    };
    match (d.date, d.time, d.offset) {
        (Some(date), None, None) => {
            let month = Month::try_from(date.month).map_err(|_| invalid())?;
            Date::from_calendar_date(i32::from(date.year), month, date.day).map_err(|_| invalid())
        }
        _ => Err(invalid()),
    }
}

fn session(
    s: SessionInput,
    programme: &Slug,
    index: usize,
    at: &str,
    errors: &mut Errors,
) -> Option<Session> {
    let at = format!("{at}.session[{index}]");
    let starts_on = errors.take(|| format!("{at}.starts_on"), toml_date(&s.starts_on));
    let ends_on = match &s.ends_on {
        Some(d) => errors.take(|| format!("{at}.ends_on"), toml_date(d)),
        None => starts_on,
    };
    let prefecture = match &s.prefecture {
        Some(code) => {
            Some(errors.take(|| format!("{at}.prefecture"), Prefecture::from_code(code))?)
        }
        None => None,
    };
    let application_deadline = match &s.application_deadline {
        Some(d) => Some(errors.take(|| format!("{at}.application_deadline"), toml_date(d))?),
        None => None,
    };
    let (starts_on, ends_on) = (starts_on?, ends_on?);
    // Position-based ids keep repeated imports of the same file idempotent.
    let id = Slug::parse(&format!("{programme}-{:03}", index + 1)).ok()?;
    let session = Session {
        id,
        programme: programme.clone(),
        starts_on,
        ends_on,
        prefecture,
        city: s.city,
        venue: s.venue,
        online: s.online,
        capacity: s.capacity,
        seats_left: s.seats_left,
        application_deadline,
        note_ja: s.note_ja,
        cancelled: s.cancelled,
    };
    let problems = listing::a02_session_has_dates_and_a_place(&session);
    let fine = problems.is_empty();
    for e in problems {
        let field = e.field.clone().unwrap_or_default();
        errors.push(format!("{at}.{field}"), e);
    }
    fine.then_some(session)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVIDERS: &str = r#"
[[provider]]
id = "nict"
name_ja = "国立研究開発法人情報通信研究機構"
kind = "agency"
"#;

    fn programme_toml(extra: &str, session: &str) -> String {
        format!(
            r#"
[[programme]]
id = "cyder-a"
provider = "nict"
title_ja = "CYDER Aコース"
summary_ja = "演習"
layers = ["practitioner"]
itss_fields = ["sec_monitoring"]
syllabus_items = ["4-3"]
kind = "security_technology"
difficulty = "beginner"
format = "in_person"
fee = {{ type = "free" }}
language = "ja"
{extra}
[[programme.session]]
{session}
"#
        )
    }

    fn taxonomy() -> Taxonomy {
        Taxonomy::embedded().unwrap()
    }

    #[test]
    fn parses_a_valid_catalogue() {
        let cat = parse_catalogue(
            PROVIDERS,
            &programme_toml(
                "",
                "starts_on = 2021-07-20\nprefecture = \"13\"\ncity = \"東京\"",
            ),
            &taxonomy(),
        )
        .unwrap();
        assert_eq!(cat.providers.len(), 1);
        let p = &cat.programmes[0];
        assert_eq!(p.sessions[0].id.as_str(), "cyder-a-001");
        assert_eq!(p.sessions[0].ends_on, p.sessions[0].starts_on);
    }

    #[test]
    fn names_every_unknown_code_with_its_path() {
        let toml = programme_toml("", "starts_on = 2021-07-20\nprefecture = \"48\"")
            .replace("sec_monitoring", "hacking");
        let errs = parse_catalogue(PROVIDERS, &toml, &taxonomy()).unwrap_err();
        let fields: Vec<_> = errs
            .iter()
            .map(|e| (e.field.clone().unwrap_or_default(), e.code))
            .collect();
        assert!(
            fields.contains(&(
                "programme[cyder-a].itss_fields[0]".into(),
                "taxonomy.unknown_code"
            )),
            "{fields:?}"
        );
        assert!(
            fields.contains(&(
                "programme[cyder-a].session[0].prefecture".into(),
                "prefecture.jis_code"
            )),
            "{fields:?}"
        );
    }

    #[test]
    fn rejects_unknown_keys_and_sessions_without_place() {
        let errs = parse_catalogue(
            PROVIDERS,
            &programme_toml("colour = \"red\"", "starts_on = 2021-07-20"),
            &taxonomy(),
        )
        .unwrap_err();
        assert_eq!(errs[0].code, "import.syntax");
        let errs = parse_catalogue(
            PROVIDERS,
            &programme_toml("", "starts_on = 2021-07-20"),
            &taxonomy(),
        )
        .unwrap_err();
        assert_eq!(errs[0].code, "session.place");
    }

    #[test]
    fn a_citation_is_read_and_its_publisher_required() {
        let cited =
            "citation = { publisher_ja = \"総務省\", publisher_en = \"MIC\", fiscal_year = 2021 }";
        let cat = parse_catalogue(
            PROVIDERS,
            &programme_toml(cited, "online = true\nstarts_on = 2021-07-20"),
            &taxonomy(),
        )
        .unwrap();
        let citation = cat.programmes[0].programme.citation.as_ref().unwrap();
        assert_eq!(citation.ja(), "総務省資料（令和3年度）");
        let errs = parse_catalogue(
            PROVIDERS,
            &programme_toml(
                &cited.replace("\"MIC\"", "\" \""),
                "online = true\nstarts_on = 2021-07-20",
            ),
            &taxonomy(),
        )
        .unwrap_err();
        assert_eq!(
            (errs[0].code, errs[0].field.as_deref()),
            (
                "citation.publisher",
                Some("programme[cyder-a].citation.publisher_en")
            )
        );
    }

    #[test]
    fn rejects_an_unknown_provider_and_bad_corporate_number() {
        let providers = PROVIDERS.replace(
            "kind = \"agency\"",
            "kind = \"agency\"\ncorporate_number = \"6010001008846\"",
        );
        let errs = parse_catalogue(
            &providers,
            &programme_toml("", "online = true\nstarts_on = 2021-07-20"),
            &taxonomy(),
        )
        .unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.code == "corporate_number.check_digit"),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.field.as_deref() == Some("programme[cyder-a].provider")),
            "{errs:?}"
        );
    }
}

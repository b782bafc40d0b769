//! What a programme must hold to be listed (A02) and to be published (A04), and a provider's
//! own listing of it (issue 14): its life from draft to published, unpublished and withdrawn.
//! The importer, the provider's editor, the spreadsheet and the API all check with these
//! functions, so a programme is held to the same rules however it arrives.

use super::{Fee, Language, Programme, Session, Slug};
use crate::ValidationError;
use crate::prefecture::Prefecture;
use crate::taxonomy::Taxonomy;
use crate::types::date_ja::parse_date;
use crate::types::text::{TextKind, check_text};
use crate::types::{Hours, Yen};
use serde::{Deserialize, Serialize};
use time::{Date, Month};

fn unknown_code(list: &str, code: &str) -> ValidationError {
    ValidationError::new(
        "taxonomy.unknown_code",
        format!("「{code}」は{list}の参照データにないコードです。"),
        format!("\"{code}\" is not a code in the {list} reference data."),
    )
}

/// Whether a code is in one of the reference data's lists.
type KnownCode<'a> = &'a dyn Fn(&str) -> bool;

fn required(field: &str, ja: &str, en: &str) -> ValidationError {
    ValidationError::new(
        "programme.required",
        format!("{ja}を入力してください。"),
        format!("Give the {en}."),
    )
    .for_field(field)
}

/// A02: a programme is classified so that a person finds what fits their level: a title and
/// a summary, at least one target (a layer or an audience), and every code (layers, audiences, ITSS+ fields,
/// syllabus items, kind, level, format) known to the reference data; a fee range in order;
/// every text bounded. Errors name the field relative to the programme (`layers[1]`).
pub fn a02_programme_is_classified(p: &Programme, tx: &Taxonomy) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    if p.title_ja.trim().is_empty() {
        errors.push(required("title_ja", "講座名", "programme's title"));
    }
    if p.summary_ja.trim().is_empty() {
        errors.push(required("summary_ja", "概要", "summary"));
    }
    // The target is a layer (経営層, 実務者・技術者層, …) or an audience (一般・個人, 中小企業,
    // 若年層, …): awareness programmes for the public have no layer.
    if p.layers.is_empty() && p.audiences.is_empty() {
        errors.push(
            ValidationError::new(
                "programme.target",
                "対象とする人材層か対象者を1つ以上選んでください。",
                "Choose at least one target layer or audience.",
            )
            .for_field("layers"),
        );
    }
    let lists: [(&str, &[String], KnownCode<'_>); 4] = [
        ("layers", &p.layers, &|c| tx.layer(c).is_some()),
        ("audiences", &p.audiences, &|c| tx.audience(c).is_some()),
        ("itss_fields", &p.itss_fields, &|c| {
            tx.itss_field(c).is_some()
        }),
        ("syllabus_items", &p.syllabus_items, &|c| {
            tx.syllabus_item(c).is_some()
        }),
    ];
    for (name, codes, known) in lists {
        for (i, code) in codes.iter().enumerate() {
            if !known(code) {
                errors.push(unknown_code(name, code).for_field(format!("{name}[{i}]")));
            }
        }
    }
    for (name, code, known) in [
        ("kind", &p.kind, tx.kind(&p.kind).is_some()),
        (
            "difficulty",
            &p.difficulty,
            tx.difficulty(&p.difficulty).is_some(),
        ),
        ("format", &p.format, tx.format(&p.format).is_some()),
    ] {
        if !known {
            errors.push(unknown_code(name, code).for_field(name));
        }
    }
    if let Fee::Range { min_yen, max_yen } = p.fee
        && min_yen > max_yen
    {
        errors.push(
            ValidationError::new(
                "fee.range_order",
                "受講料の下限が上限を超えています。",
                "The lower bound of the fee is above its upper bound.",
            )
            .for_field("fee"),
        );
    }
    for (name, text, kind) in texts(p) {
        if let Err(e) = check_text(text, kind) {
            errors.push(e.for_field(name));
        }
    }
    errors
}

/// Every text of a programme, with its field name and kind.
fn texts(p: &Programme) -> Vec<(String, &str, TextKind)> {
    use TextKind::{Line, Multiline};
    let mut all: Vec<(String, &str, TextKind)> = vec![
        ("title_ja".into(), p.title_ja.as_str(), Line),
        ("summary_ja".into(), &p.summary_ja, Multiline),
        ("purpose_ja".into(), &p.purpose_ja, Multiline),
        ("prerequisites_ja".into(), &p.prerequisites_ja, Multiline),
        ("duration_ja".into(), &p.duration_ja, Line),
        ("eligibility_ja".into(), &p.eligibility_ja, Multiline),
    ];
    for (name, value, kind) in [
        ("title_en", &p.title_en, Line),
        ("summary_en", &p.summary_en, Multiline),
        ("duration_en", &p.duration_en, Line),
        ("frequency_ja", &p.frequency_ja, Line),
        ("eligibility_en", &p.eligibility_en, Multiline),
        ("url", &p.url, Line),
        ("accessibility_ja", &p.accessibility_ja, Multiline),
        ("inquiry_ja", &p.inquiry_ja, Multiline),
        ("complaint_ja", &p.complaint_ja, Multiline),
    ] {
        if let Some(v) = value {
            all.push((name.into(), v, kind));
        }
    }
    for (name, lines) in [("goals_ja", &p.goals_ja), ("skills_ja", &p.skills_ja)] {
        for (i, line) in lines.iter().enumerate() {
            all.push((format!("{name}[{i}]"), line, Line));
        }
    }
    if let Fee::Conditional { note_ja } = &p.fee {
        all.push(("fee".into(), note_ja, Multiline));
    }
    all
}

/// A04: a programme a provider publishes tells a learner what they need before applying: on
/// top of A02, what it is for or what one learns, how long it takes, and whom to ask
/// (3-2(1)-3, (10)); a link, when given, is a web address.
pub fn a04_programme_page_is_complete(p: &Programme) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    if p.purpose_ja.trim().is_empty() && p.goals_ja.is_empty() && p.skills_ja.is_empty() {
        errors.push(
            ValidationError::new(
                "programme.goals",
                "目的・到達目標・修得できる知識のいずれかを入力してください。",
                "Give the purpose, the goals or the skills gained.",
            )
            .for_field("purpose_ja"),
        );
    }
    if p.duration_ja.trim().is_empty() && p.total_hours.is_none() {
        errors.push(
            ValidationError::new(
                "programme.duration",
                "期間・時間（例：2日間、全6時間）か総時間数を入力してください。",
                "Give the duration (e.g. two days) or the total hours.",
            )
            .for_field("duration_ja"),
        );
    }
    if p.inquiry_ja.as_deref().is_none_or(|s| s.trim().is_empty()) {
        errors.push(required(
            "inquiry_ja",
            "問合せ先",
            "inquiry contact learners can write to",
        ));
    }
    if let Some(url) = &p.url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        errors.push(
            ValidationError::new(
                "programme.url",
                "講座の URL は https:// か http:// で始めてください。",
                "The programme's address starts with https:// or http://.",
            )
            .for_field("url"),
        );
    }
    errors
}

/// A02 (dates, region): a session ends on or after its start, is held in a prefecture or
/// online, has no more seats left than places, closes applications by its last day, and its
/// texts are bounded. Errors name the field relative to the session (`ends_on`).
pub fn a02_session_has_dates_and_a_place(s: &Session) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    if s.ends_on < s.starts_on {
        errors.push(
            ValidationError::new(
                "date_range.order",
                "終了日が開始日より前です。",
                "The end date is before the start date.",
            )
            .for_field("ends_on"),
        );
    }
    if s.prefecture.is_none() && !s.online {
        errors.push(
            ValidationError::new(
                "session.place",
                "会場の都道府県を指定するか、オンライン開催としてください。",
                "Give the venue's prefecture, or mark the session as online.",
            )
            .for_field("prefecture"),
        );
    }
    if let (Some(capacity), Some(left)) = (s.capacity, s.seats_left)
        && left > capacity
    {
        errors.push(
            ValidationError::new(
                "session.seats_left",
                "残席数が定員を超えています。",
                "Seats left exceed the capacity.",
            )
            .for_field("seats_left"),
        );
    }
    if s.application_deadline.is_some_and(|d| d > s.ends_on) {
        errors.push(
            ValidationError::new(
                "session.deadline",
                "申込締切は最終日までの日付にしてください。",
                "The application deadline is on or before the last day.",
            )
            .for_field("application_deadline"),
        );
    }
    for (name, value, kind) in [
        ("city", &s.city, TextKind::Line),
        ("venue", &s.venue, TextKind::Line),
        ("note_ja", &s.note_ja, TextKind::Multiline),
    ] {
        if let Some(v) = value
            && let Err(e) = check_text(v, kind)
        {
            errors.push(e.for_field(name));
        }
    }
    errors
}

/// The id for a new session of `programme`: the programme's id and the next number after
/// those in use (`p-…-004`), so ids are never reused within a programme.
pub fn next_session_id(programme: &Slug, sessions: &[Session]) -> Result<Slug, ValidationError> {
    let prefix = format!("{programme}-");
    let last = sessions
        .iter()
        .filter_map(|s| s.id.as_str().strip_prefix(&prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    Slug::parse(&format!("{prefix}{:03}", last + 1))
}

/// "Same course, next month": `s` a calendar month later (the 31st becomes the month's last
/// day), its deadline moved alike, all seats open again, not cancelled.
pub fn a_month_later(s: &Session, id: Slug) -> Session {
    let later = |d: Date| {
        let (year, month) = match d.month() {
            Month::December => (d.year() + 1, Month::January),
            m => (d.year(), m.next()),
        };
        let day = d.day().min(month.length(year));
        Date::from_calendar_date(year, month, day).unwrap_or(d)
    };
    Session {
        id,
        starts_on: later(s.starts_on),
        ends_on: later(s.ends_on),
        application_deadline: s.application_deadline.map(later),
        seats_left: s.capacity,
        cancelled: false,
        ..s.clone()
    }
}

/// One change to a programme's sessions, applied to the sessions as they are when it is
/// written (so two people editing different sessions do not undo each other).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionChange {
    /// A new session; its id is given when it is applied.
    Add(Session),
    /// New facts for the session of the same id.
    Edit(Session),
    /// The session of this id is called off (it stays listed, as cancelled).
    Cancel(Slug),
}

fn no_such_session(id: &Slug) -> ValidationError {
    ValidationError::new(
        "session.not_found",
        format!("開催回「{id}」はありません。ページを再読み込みしてください。"),
        format!("There is no session \"{id}\". Reload the page."),
    )
}

/// The sessions after `change`; the new or edited session is checked (A02). Returns the id of
/// the session changed with the sessions.
pub fn apply_session_change(
    sessions: &[Session],
    programme: &Slug,
    change: SessionChange,
) -> Result<(Slug, Vec<Session>), Vec<ValidationError>> {
    let mut all = sessions.to_vec();
    let (id, changed) = match change {
        SessionChange::Add(mut s) => {
            s.id = next_session_id(programme, sessions).map_err(|e| vec![e])?;
            s.programme = programme.clone();
            all.push(s.clone());
            (s.id.clone(), Some(s))
        }
        SessionChange::Edit(mut s) => {
            let at = all
                .iter()
                .position(|o| o.id == s.id)
                .ok_or_else(|| vec![no_such_session(&s.id)])?;
            s.programme = programme.clone();
            all[at] = s.clone();
            (s.id.clone(), Some(s))
        }
        SessionChange::Cancel(id) => {
            let s = all
                .iter_mut()
                .find(|o| o.id == id)
                .ok_or_else(|| vec![no_such_session(&id)])?;
            s.cancelled = true;
            (id, None)
        }
    };
    if let Some(s) = changed {
        let errors = a02_session_has_dates_and_a_place(&s);
        if !errors.is_empty() {
            return Err(errors);
        }
    }
    all.sort_by(|a, b| (a.starts_on, a.id.as_str()).cmp(&(b.starts_on, b.id.as_str())));
    Ok((id, all))
}

/// A programme as people type it: a form, a spreadsheet row or an API body gives every field
/// as text (lists as one item a line, codes as chosen). [`ProgrammeText::parse`] turns it into
/// a [`Programme`], naming each field it cannot read; the rules then check what it says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ProgrammeText {
    pub title_ja: String,
    pub title_en: String,
    pub summary_ja: String,
    pub summary_en: String,
    pub purpose_ja: String,
    /// One goal a line.
    pub goals_ja: String,
    /// One item a line.
    pub skills_ja: String,
    pub prerequisites_ja: String,
    pub layers: Vec<String>,
    pub audiences: Vec<String>,
    pub itss_fields: Vec<String>,
    /// Codes separated by commas, 、 or spaces (`3-1、3-8`).
    pub syllabus_items: String,
    pub kind: String,
    pub difficulty: String,
    pub format: String,
    pub language: String,
    pub duration_ja: String,
    pub duration_en: String,
    pub total_hours: String,
    pub frequency_ja: String,
    /// `free`, `fixed`, `range`, `conditional` or `undisclosed`.
    pub fee_type: String,
    /// The amount (fixed) or the lowest (range), as people write it (¥77,000, 77000円).
    pub fee_yen: String,
    pub fee_max_yen: String,
    pub fee_note_ja: String,
    pub eligibility_ja: String,
    pub eligibility_en: String,
    pub url: String,
    pub accessibility_ja: String,
    pub inquiry_ja: String,
    pub complaint_ja: String,
}

fn optional(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn lines_of(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn codes_of(s: &str) -> Vec<String> {
    s.split([',', '、', '，', ' ', '　', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

impl ProgrammeText {
    /// The text of `p`, as its form shows it.
    pub fn of(p: &Programme) -> Self {
        let (fee_type, fee_yen, fee_max_yen, fee_note_ja) = match &p.fee {
            Fee::Free => ("free", String::new(), String::new(), String::new()),
            Fee::Fixed { yen } => (
                "fixed",
                yen.amount().to_string(),
                String::new(),
                String::new(),
            ),
            Fee::Range { min_yen, max_yen } => (
                "range",
                min_yen.amount().to_string(),
                max_yen.amount().to_string(),
                String::new(),
            ),
            Fee::Conditional { note_ja } => {
                ("conditional", String::new(), String::new(), note_ja.clone())
            }
            Fee::Undisclosed => ("undisclosed", String::new(), String::new(), String::new()),
        };
        let text = |o: &Option<String>| o.clone().unwrap_or_default();
        Self {
            title_ja: p.title_ja.clone(),
            title_en: text(&p.title_en),
            summary_ja: p.summary_ja.clone(),
            summary_en: text(&p.summary_en),
            purpose_ja: p.purpose_ja.clone(),
            goals_ja: p.goals_ja.join("\n"),
            skills_ja: p.skills_ja.join("\n"),
            prerequisites_ja: p.prerequisites_ja.clone(),
            layers: p.layers.clone(),
            audiences: p.audiences.clone(),
            itss_fields: p.itss_fields.clone(),
            syllabus_items: p.syllabus_items.join(", "),
            kind: p.kind.clone(),
            difficulty: p.difficulty.clone(),
            format: p.format.clone(),
            language: match p.language {
                Language::Ja => "ja".into(),
                Language::En => "en".into(),
            },
            duration_ja: p.duration_ja.clone(),
            duration_en: text(&p.duration_en),
            total_hours: p.total_hours.map(Hours::decimal).unwrap_or_default(),
            frequency_ja: text(&p.frequency_ja),
            fee_type: fee_type.into(),
            fee_yen,
            fee_max_yen,
            fee_note_ja,
            eligibility_ja: p.eligibility_ja.clone(),
            eligibility_en: text(&p.eligibility_en),
            url: text(&p.url),
            accessibility_ja: text(&p.accessibility_ja),
            inquiry_ja: text(&p.inquiry_ja),
            complaint_ja: text(&p.complaint_ja),
        }
    }

    /// The programme `id` of provider `provider` this text describes, or every field that
    /// cannot be read (a number, an amount, a choice), each named. The rules (A02, A04) are
    /// checked separately.
    pub fn parse(&self, id: Slug, provider: Slug) -> Result<Programme, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut take = |field: &str, r: Result<Yen, ValidationError>| {
            r.map_err(|e| errors.push(e.for_field(field))).ok()
        };
        let fee = match self.fee_type.trim() {
            "free" => Some(Fee::Free),
            "fixed" => take("fee_yen", Yen::parse(&self.fee_yen)).map(|yen| Fee::Fixed { yen }),
            "range" => {
                let min = take("fee_yen", Yen::parse(&self.fee_yen));
                let max = take("fee_max_yen", Yen::parse(&self.fee_max_yen));
                min.zip(max)
                    .map(|(min_yen, max_yen)| Fee::Range { min_yen, max_yen })
            }
            "conditional" => Some(Fee::Conditional {
                note_ja: self.fee_note_ja.trim().to_owned(),
            }),
            "undisclosed" => Some(Fee::Undisclosed),
            _ => {
                errors.push(
                    ValidationError::new(
                        "fee.type",
                        "費用の種類（無料・定額・範囲・条件による・非公開）を選んでください。",
                        "Choose the kind of fee (free, fixed, range, conditional, not disclosed).",
                    )
                    .for_field("fee_type"),
                );
                None
            }
        };
        let total_hours = match optional(&self.total_hours) {
            Some(h) => Hours::parse(&h)
                .map_err(|e| errors.push(e.for_field("total_hours")))
                .ok(),
            None => None,
        };
        let language = match self.language.trim() {
            "" | "ja" => Some(Language::Ja),
            "en" => Some(Language::En),
            _ => {
                errors.push(
                    ValidationError::new(
                        "programme.language",
                        "言語は日本語（ja）か英語（en）を選んでください。",
                        "Choose Japanese (ja) or English (en) as the language.",
                    )
                    .for_field("language"),
                );
                None
            }
        };
        let (Some(fee), Some(language)) = (fee, language) else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Programme {
            id,
            provider,
            title_ja: self.title_ja.trim().to_owned(),
            title_en: optional(&self.title_en),
            summary_ja: self.summary_ja.trim().to_owned(),
            summary_en: optional(&self.summary_en),
            purpose_ja: self.purpose_ja.trim().to_owned(),
            goals_ja: lines_of(&self.goals_ja),
            skills_ja: lines_of(&self.skills_ja),
            prerequisites_ja: self.prerequisites_ja.trim().to_owned(),
            layers: self.layers.clone(),
            audiences: self.audiences.clone(),
            itss_fields: self.itss_fields.clone(),
            syllabus_items: codes_of(&self.syllabus_items),
            kind: self.kind.trim().to_owned(),
            difficulty: self.difficulty.trim().to_owned(),
            format: self.format.trim().to_owned(),
            duration_ja: self.duration_ja.trim().to_owned(),
            duration_en: optional(&self.duration_en),
            total_hours,
            frequency_ja: optional(&self.frequency_ja),
            fee,
            language,
            eligibility_ja: self.eligibility_ja.trim().to_owned(),
            eligibility_en: optional(&self.eligibility_en),
            url: optional(&self.url),
            accessibility_ja: optional(&self.accessibility_ja),
            inquiry_ja: optional(&self.inquiry_ja),
            complaint_ja: optional(&self.complaint_ja),
            source: None,
            citation: None,
            designation: None,
        })
    }
}

/// A session as people type it (dates as 2027-01-20 or 2027年1月20日; numbers as text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct SessionText {
    pub starts_on: String,
    /// Empty: the same day.
    pub ends_on: String,
    /// A prefecture code (`13`), or empty.
    pub prefecture: String,
    pub city: String,
    pub venue: String,
    pub online: bool,
    pub capacity: String,
    pub seats_left: String,
    pub application_deadline: String,
    pub note_ja: String,
}

impl SessionText {
    pub fn of(s: &Session) -> Self {
        let text = |o: &Option<String>| o.clone().unwrap_or_default();
        let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        Self {
            starts_on: s.starts_on.to_string(),
            ends_on: s.ends_on.to_string(),
            prefecture: s.prefecture.map(|p| p.code()).unwrap_or_default(),
            city: text(&s.city),
            venue: text(&s.venue),
            online: s.online,
            capacity: number(s.capacity),
            seats_left: number(s.seats_left),
            application_deadline: s
                .application_deadline
                .map(|d| d.to_string())
                .unwrap_or_default(),
            note_ja: text(&s.note_ja),
        }
    }

    /// The session `id` of `programme` (its id is given anew when it is added), or every
    /// field that cannot be read, each named.
    pub fn parse(&self, id: Slug, programme: Slug) -> Result<Session, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut date = |field: &str, text: &str| match optional(text) {
            Some(t) => parse_date(&t)
                .map_err(|e| errors.push(e.for_field(field)))
                .ok(),
            None => None,
        };
        let starts_on = date("starts_on", &self.starts_on);
        let ends_on = date("ends_on", &self.ends_on);
        let application_deadline = date("application_deadline", &self.application_deadline);
        let mut number = |field: &str, text: &str| match optional(text) {
            Some(t) => crate::types::half_width_trimmed(&t)
                .parse::<u32>()
                .map_err(|_| {
                    errors.push(
                        ValidationError::new(
                            "number.format",
                            "0以上の整数で入力してください。",
                            "Give a whole number, 0 or more.",
                        )
                        .for_field(field),
                    );
                })
                .ok(),
            None => None,
        };
        let capacity = number("capacity", &self.capacity);
        let seats_left = number("seats_left", &self.seats_left);
        let prefecture = match optional(&self.prefecture) {
            Some(code) => Prefecture::from_code(&code)
                .map_err(|e| errors.push(e.for_field("prefecture")))
                .ok(),
            None => None,
        };
        if self.starts_on.trim().is_empty() {
            errors.push(
                ValidationError::new(
                    "session.starts_on",
                    "開始日を入力してください。",
                    "Give the start date.",
                )
                .for_field("starts_on"),
            );
        }
        let Some(starts_on) = starts_on else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Session {
            id,
            programme,
            starts_on,
            ends_on: ends_on.unwrap_or(starts_on),
            prefecture,
            city: optional(&self.city),
            venue: optional(&self.venue),
            online: self.online,
            capacity,
            seats_left,
            application_deadline,
            note_ja: optional(&self.note_ja),
            cancelled: false,
        })
    }
}

/// A05: a programme with no session ahead and no change for a year may be out of date: the
/// visitor is told so with its last update (issue 14 item 4), and its provider is reminded.
pub fn a05_information_may_be_stale(sessions: &[Session], updated_on: Date, today: Date) -> bool {
    today >= a05_stale_from(sessions, updated_on)
}

/// The day a programme saved on `updated_on` becomes stale if nothing changes: a year after
/// the save, or the day after its last session ends, whichever is later.
pub fn a05_stale_from(sessions: &[Session], updated_on: Date) -> Date {
    let year_later = crate::designation::rules::anniversary(updated_on, 1);
    sessions
        .iter()
        .filter(|s| !s.cancelled)
        .filter_map(|s| s.ends_on.next_day())
        .fold(year_later, Date::max)
}

/// Where a provider's own listing stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingState {
    /// Being written; never public.
    Draft,
    /// In the public catalogue: every save is public at once.
    Published,
    /// Taken out of the catalogue for now; it can be published again.
    Unpublished,
    /// Ended (掲載終了): out of the catalogue for good, kept as the provider's record.
    Withdrawn,
}

/// What a provider does to a listing's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingMove {
    Publish,
    Unpublish,
    Withdraw,
}

impl ListingState {
    pub const ALL: [Self; 4] = [
        Self::Draft,
        Self::Published,
        Self::Unpublished,
        Self::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Unpublished => "unpublished",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Draft => "下書き",
            Self::Published => "公開中",
            Self::Unpublished => "非公開",
            Self::Withdrawn => "掲載終了",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Published => "Published",
            Self::Unpublished => "Unpublished",
            Self::Withdrawn => "Withdrawn",
        }
    }

    /// A withdrawn listing is the provider's record of what was listed: it is not edited.
    pub fn editable(self) -> bool {
        self != Self::Withdrawn
    }

    /// The state after `m`, or the error that names why it is not allowed now.
    pub fn after(self, m: ListingMove) -> Result<Self, ValidationError> {
        match (self, m) {
            (Self::Draft | Self::Unpublished, ListingMove::Publish) => Ok(Self::Published),
            (Self::Published, ListingMove::Unpublish) => Ok(Self::Unpublished),
            (Self::Draft | Self::Published | Self::Unpublished, ListingMove::Withdraw) => {
                Ok(Self::Withdrawn)
            }
            _ => Err(ValidationError::new(
                "listing.state",
                format!("「{}」の講座にはこの操作はできません。", self.label_ja()),
                format!(
                    "This cannot be done to a programme that is {}.",
                    self.label_en().to_lowercase()
                ),
            )),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use time::macros::date;

    pub(crate) fn programme() -> Programme {
        Programme {
            id: Slug::parse("p-1").unwrap(),
            provider: Slug::parse("corp-1").unwrap(),
            title_ja: "インシデント対応入門".into(),
            title_en: None,
            summary_ja: "初動対応を演習で学ぶ。".into(),
            summary_en: None,
            purpose_ja: "初動対応ができるようになる。".into(),
            goals_ja: vec![],
            skills_ja: vec![],
            prerequisites_ja: String::new(),
            layers: vec!["practitioner".into()],
            audiences: vec![],
            itss_fields: vec![],
            syllabus_items: vec![],
            kind: "security_technology".into(),
            difficulty: "beginner".into(),
            format: "in_person".into(),
            duration_ja: "1日".into(),
            duration_en: None,
            total_hours: None,
            frequency_ja: None,
            fee: Fee::Free,
            language: Language::Ja,
            eligibility_ja: String::new(),
            eligibility_en: None,
            url: None,
            accessibility_ja: None,
            inquiry_ja: Some("研修事務局 info@example.jp".into()),
            complaint_ja: None,
            source: None,
            citation: None,
            designation: None,
        }
    }

    pub(crate) fn session() -> Session {
        Session {
            id: Slug::parse("p-1-001").unwrap(),
            programme: Slug::parse("p-1").unwrap(),
            starts_on: date!(2027 - 01 - 20),
            ends_on: date!(2027 - 01 - 21),
            prefecture: Some(Prefecture::from_code("13").unwrap()),
            city: None,
            venue: None,
            online: false,
            capacity: Some(30),
            seats_left: Some(10),
            application_deadline: Some(date!(2027 - 01 - 10)),
            note_ja: None,
            cancelled: false,
        }
    }

    fn codes(errors: &[ValidationError]) -> Vec<(&'static str, String)> {
        errors
            .iter()
            .map(|e| (e.code, e.field.clone().unwrap_or_default()))
            .collect()
    }

    #[test]
    fn a02_a_classified_programme_passes() {
        let tx = Taxonomy::embedded().unwrap();
        assert_eq!(a02_programme_is_classified(&programme(), &tx), vec![]);
    }

    #[test]
    fn a02_unknown_codes_no_layer_and_no_title_fail_naming_the_field() {
        let tx = Taxonomy::embedded().unwrap();
        let mut p = programme();
        p.title_ja = " ".into();
        p.layers = vec![];
        p.audiences = vec![];
        p.itss_fields = vec!["sec_monitoring".into(), "no_such_field".into()];
        p.format = "carrier_pigeon".into();
        p.fee = Fee::Range {
            min_yen: Yen::new(5),
            max_yen: Yen::new(1),
        };
        assert_eq!(
            codes(&a02_programme_is_classified(&p, &tx)),
            [
                ("programme.required", "title_ja".into()),
                ("programme.target", "layers".into()),
                ("taxonomy.unknown_code", "itss_fields[1]".into()),
                ("taxonomy.unknown_code", "format".into()),
                ("fee.range_order", "fee".into()),
            ]
        );
    }

    #[test]
    fn a04_a_complete_page_passes() {
        assert_eq!(a04_programme_page_is_complete(&programme()), vec![]);
    }

    #[test]
    fn a04_a_page_without_goals_duration_inquiry_or_with_a_bad_link_fails() {
        let mut p = programme();
        p.purpose_ja.clear();
        p.duration_ja.clear();
        p.inquiry_ja = None;
        p.url = Some("javascript:alert(1)".into());
        assert_eq!(
            codes(&a04_programme_page_is_complete(&p)),
            [
                ("programme.goals", "purpose_ja".into()),
                ("programme.duration", "duration_ja".into()),
                ("programme.required", "inquiry_ja".into()),
                ("programme.url", "url".into()),
            ]
        );
    }

    #[test]
    fn a02_a_session_with_dates_and_a_place_passes() {
        assert_eq!(a02_session_has_dates_and_a_place(&session()), vec![]);
    }

    #[test]
    fn a02_a_session_out_of_order_nowhere_overbooked_or_closing_late_fails() {
        let mut s = session();
        s.ends_on = date!(2027 - 01 - 19);
        s.prefecture = None;
        s.seats_left = Some(31);
        s.application_deadline = Some(date!(2027 - 01 - 25));
        assert_eq!(
            codes(&a02_session_has_dates_and_a_place(&s)),
            [
                ("date_range.order", "ends_on".into()),
                ("session.place", "prefecture".into()),
                ("session.seats_left", "seats_left".into()),
                ("session.deadline", "application_deadline".into()),
            ]
        );
    }

    #[test]
    fn a_session_copied_a_month_later_moves_its_dates_and_opens_its_seats() {
        let mut s = session();
        s.starts_on = date!(2027 - 01 - 31);
        s.ends_on = date!(2027 - 01 - 31);
        s.application_deadline = Some(date!(2027 - 01 - 24));
        s.cancelled = true;
        let id = next_session_id(&s.programme, std::slice::from_ref(&s)).unwrap();
        assert_eq!(id.as_str(), "p-1-002");
        let copy = a_month_later(&s, id);
        assert_eq!(
            copy.starts_on,
            date!(2027 - 02 - 28),
            "the month's last day"
        );
        assert_eq!(copy.application_deadline, Some(date!(2027 - 02 - 24)));
        assert_eq!(copy.seats_left, Some(30));
        assert!(!copy.cancelled);
        let december = Session {
            starts_on: date!(2027 - 12 - 10),
            ends_on: date!(2027 - 12 - 10),
            ..session()
        };
        assert_eq!(
            a_month_later(&december, december.id.clone()).starts_on,
            date!(2028 - 01 - 10)
        );
    }

    #[test]
    fn session_changes_add_edit_and_cancel_by_id() {
        let programme = Slug::parse("p-1").unwrap();
        let first = session();
        let (added, all) = apply_session_change(
            std::slice::from_ref(&first),
            &programme,
            SessionChange::Add(Session {
                starts_on: date!(2027 - 01 - 05),
                ends_on: date!(2027 - 01 - 05),
                application_deadline: None,
                ..session()
            }),
        )
        .unwrap();
        assert_eq!(added.as_str(), "p-1-002");
        assert_eq!(all[0].id, added, "in date order");
        let (_, all) =
            apply_session_change(&all, &programme, SessionChange::Cancel(added.clone())).unwrap();
        assert!(all[0].cancelled && !all[1].cancelled);
        let wrong = Session {
            ends_on: date!(2026 - 12 - 01),
            ..first.clone()
        };
        let errors =
            apply_session_change(&all, &programme, SessionChange::Edit(wrong)).unwrap_err();
        assert_eq!(errors[0].code, "date_range.order");
        let gone = Slug::parse("p-1-009").unwrap();
        let errors =
            apply_session_change(&all, &programme, SessionChange::Cancel(gone)).unwrap_err();
        assert_eq!(errors[0].code, "session.not_found");
    }

    #[test]
    fn a_programme_and_a_session_read_back_from_their_text() {
        let mut p = programme();
        p.goals_ja = vec!["初動を判断できる".into(), "報告を書ける".into()];
        p.syllabus_items = vec!["3-1".into(), "3-8".into()];
        p.fee = Fee::Range {
            min_yen: Yen::new(5_000),
            max_yen: Yen::new(77_000),
        };
        p.total_hours = Some(Hours::parse("6.5").unwrap());
        let text = ProgrammeText::of(&p);
        assert_eq!(text.parse(p.id.clone(), p.provider.clone()).unwrap(), p);
        let s = session();
        let text = SessionText::of(&s);
        assert_eq!(text.parse(s.id.clone(), s.programme.clone()).unwrap(), s);
    }

    #[test]
    fn unreadable_text_is_refused_naming_each_field() {
        let p = programme();
        let text = ProgrammeText {
            fee_type: "fixed".into(),
            fee_yen: "七万円".into(),
            total_hours: "six".into(),
            language: "fr".into(),
            ..ProgrammeText::of(&p)
        };
        let errors = text.parse(p.id.clone(), p.provider.clone()).unwrap_err();
        assert_eq!(
            errors
                .iter()
                .map(|e| e.field.clone().unwrap())
                .collect::<Vec<_>>(),
            ["fee_yen", "total_hours", "language"]
        );
        let text = SessionText {
            starts_on: "2027/13/40".into(),
            capacity: "-3".into(),
            prefecture: "99".into(),
            ..SessionText::default()
        };
        let errors = text.parse(session().id, session().programme).unwrap_err();
        assert_eq!(
            errors
                .iter()
                .map(|e| e.field.clone().unwrap())
                .collect::<Vec<_>>(),
            ["starts_on", "capacity", "prefecture"]
        );
        let errors = SessionText::default()
            .parse(session().id, session().programme)
            .unwrap_err();
        assert_eq!(errors[0].code, "session.starts_on");
    }

    #[test]
    fn a05_a_programme_is_stale_a_year_after_its_update_with_nothing_ahead() {
        let saved = date!(2026 - 04 - 01);
        assert!(!a05_information_may_be_stale(
            &[],
            saved,
            date!(2027 - 03 - 31)
        ));
        assert!(a05_information_may_be_stale(
            &[],
            saved,
            date!(2027 - 04 - 01)
        ));
        // A session ahead keeps it fresh until the day after it ends.
        let ahead = Session {
            starts_on: date!(2027 - 06 - 01),
            ends_on: date!(2027 - 06 - 02),
            ..session()
        };
        let sessions = std::slice::from_ref(&ahead);
        assert!(!a05_information_may_be_stale(
            sessions,
            saved,
            date!(2027 - 06 - 02)
        ));
        assert!(a05_information_may_be_stale(
            sessions,
            saved,
            date!(2027 - 06 - 03)
        ));
        // ... unless it was called off.
        let off = Session {
            cancelled: true,
            ..ahead
        };
        assert!(a05_information_may_be_stale(
            &[off],
            saved,
            date!(2027 - 04 - 01)
        ));
    }

    #[test]
    fn listing_moves_follow_the_states() {
        use ListingMove::{Publish, Unpublish, Withdraw};
        use ListingState::{Draft, Published, Unpublished, Withdrawn};
        assert_eq!(Draft.after(Publish).unwrap(), Published);
        assert_eq!(Published.after(Unpublish).unwrap(), Unpublished);
        assert_eq!(Unpublished.after(Publish).unwrap(), Published);
        assert_eq!(Published.after(Withdraw).unwrap(), Withdrawn);
        for (state, m) in [
            (Draft, Unpublish),
            (Published, Publish),
            (Withdrawn, Publish),
            (Withdrawn, Withdraw),
        ] {
            assert_eq!(state.after(m).unwrap_err().code, "listing.state");
        }
        assert!(!Withdrawn.editable() && Unpublished.editable());
    }
}

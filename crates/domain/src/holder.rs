//! The 登録セキスペ's obligations (issue 18; F01–F03): the registration a holder declares, the
//! 3-year period it gives, the courses that period asks for and their deadlines, whether the
//! holder is on track, and when to remind them.
//!
//! Sources: the METI guideline, section 2 (①オンライン講習 毎年1回, ②実践講習 3年に1回, the
//! 3-year registration since the 2020 reform), and IPA's 講習 and 更新 pages as issue 18 cites
//! them: courses are finished, and the renewal applied for, 60 days before the registration
//! ends; IPA's worked example (registered 2018-10-01, renewed 2021-10-01: apply by 2024-08-01
//! with online ×3 and practical ×1) is the first row of the table test below.
//!
//! Where the sources leave a case open, the reading taken is named here and shown on the page
//! (see [`OPEN_CASES`]) rather than decided silently.
//!
//! Pure: the registration, the courses and today come in as parameters.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

use crate::ValidationError;
use crate::catalogue::{Programme, Session};
use crate::designation::documents::FileType;
use crate::types::text::{TextKind, check_controls};
use crate::types::{RissNumber, date_ja, parse_date};

/// A registration lasts this many years from its 登録日 or 更新日.
pub const PERIOD_YEARS: i32 = 3;
/// Courses are finished and the renewal applied for this many days before the registration ends.
pub const DAYS_BEFORE_EXPIRY: i64 = 60;
/// Mail goes out this many days before each unmet deadline (issue 18 item 5), largest first.
pub const REMINDER_DAYS: [i64; 3] = [180, 90, 30];
/// An unmet obligation this close to its deadline puts the holder at risk.
pub const AT_RISK_DAYS: i64 = 90;
/// The register opened with the registrations of 2017年4月1日.
pub const FIRST_REGISTRATION: Date = time::macros::date!(2017 - 04 - 01);

/// The cases the sources leave open, and the reading Koshu takes, as the ledger page states them.
pub const OPEN_CASES: [(&str, &str); 3] = [
    (
        "期限日当日に修了した講習は、期限内に修了したものとして数えます（「までに」は当日を含むと読んでいます）。",
        "A course finished on the deadline day counts as finished in time (we read 'by' as including the day).",
    ),
    (
        "3年目の更新申請期限の翌日から有効期限までに修了した講習は、今の期間にも次の期間にも数えていません。",
        "A course finished after the third year's deadline but before the registration ends counts for neither this period nor the next.",
    ),
    (
        "2020年の制度改正より前の登録の経過措置はここにある資料に載っていないため、登録日から3年ごとの期間として計算しています。IPAの早見表と違う場合はIPAの案内に従ってください。",
        "Transitional rules for registrations made before the 2020 reform are not in the sources here; periods are counted in 3-year steps from the registration date. Where IPA's table differs, follow IPA.",
    ),
];

/// What a holder declares (F01). Koshu cannot see IPA's register, so this is self-declared
/// until a course's identity check (B30 ①) matched the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub number: RissNumber,
    /// 登録日.
    pub registered_on: Date,
    /// The last 更新日, if the registration was renewed.
    pub renewed_on: Option<Date>,
}

impl Registration {
    /// Reads the link form. Every error names its field (`riss_number`, `registered_on`,
    /// `renewed_on`). Codes: `riss_number.format`, `date.*`, the codes of
    /// [`f01_registration_date`] and [`f01_renewal_date`].
    pub fn parse(
        number: &str,
        registered_on: &str,
        renewed_on: &str,
        today: Date,
    ) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let number = RissNumber::parse(number).map_err(|e| errors.push(e.for_field("riss_number")));
        let registered = parse_date(registered_on)
            .and_then(|d| f01_registration_date(d, today).map(|()| d))
            .map_err(|e| errors.push(e.for_field("registered_on")));
        let renewed = match renewed_on.trim() {
            "" => Ok(None),
            text => parse_date(text).map(Some),
        }
        .and_then(|renewed| match (renewed, &registered) {
            (Some(r), Ok(reg)) => f01_renewal_date(*reg, r, today).map(|()| Some(r)),
            (renewed, _) => Ok(renewed),
        })
        .map_err(|e| errors.push(e.for_field("renewed_on")));
        match (number, registered, renewed) {
            (Ok(number), Ok(registered_on), Ok(renewed_on)) => Ok(Self {
                number,
                registered_on,
                renewed_on,
            }),
            _ => Err(errors),
        }
    }
}

/// F01: a 登録日 is the 1st of April or of October (IPA registers twice a year), not before
/// the register opened and not in the future.
///
/// Codes: `holder.registered_on_day`, `holder.registered_on_before_register`,
/// `holder.registered_on_future`.
pub fn f01_registration_date(registered_on: Date, today: Date) -> Result<(), ValidationError> {
    if registered_on > today {
        return Err(ValidationError::new(
            "holder.registered_on_future",
            "登録日に未来の日付は入力できません。",
            "The registration date cannot be in the future.",
        ));
    }
    if registered_on < FIRST_REGISTRATION {
        return Err(ValidationError::new(
            "holder.registered_on_before_register",
            format!(
                "登録日は{}以降の日付です（登録セキスペの登録はこの日に始まりました）。",
                date_ja(FIRST_REGISTRATION)
            ),
            "The registration date is on or after 1 April 2017, when the register opened.",
        ));
    }
    if registered_on.day() != 1 || !matches!(registered_on.month(), Month::April | Month::October) {
        return Err(ValidationError::new(
            "holder.registered_on_day",
            "登録日は4月1日か10月1日です。登録証に記載された登録年月日を入力してください。",
            "The registration date is 1 April or 1 October; please enter the date on your registration certificate.",
        ));
    }
    Ok(())
}

/// F01: a 更新日 falls on a 3-year step from the 登録日 (a renewed registration starts the day
/// after the last one ends), and is not in the future.
///
/// Codes: `holder.renewed_on_future`, `holder.renewed_on_step`.
pub fn f01_renewal_date(
    registered_on: Date,
    renewed_on: Date,
    today: Date,
) -> Result<(), ValidationError> {
    if renewed_on > today {
        return Err(ValidationError::new(
            "holder.renewed_on_future",
            "更新日に未来の日付は入力できません。",
            "The renewal date cannot be in the future.",
        ));
    }
    let steps = renewed_on.year() - registered_on.year();
    let on_step =
        steps > 0 && steps % PERIOD_YEARS == 0 && add_years(registered_on, steps) == renewed_on;
    if !on_step {
        return Err(ValidationError::new(
            "holder.renewed_on_step",
            format!(
                "更新日は登録日から3年ごとの日付です（登録日が{}なら{}、{}、…）。",
                date_ja(registered_on),
                date_ja(add_years(registered_on, PERIOD_YEARS)),
                date_ja(add_years(registered_on, 2 * PERIOD_YEARS)),
            ),
            "The renewal date falls in 3-year steps from the registration date.",
        ));
    }
    Ok(())
}

/// The same day `years` later (29 February becomes 1 March).
fn add_years(d: Date, years: i32) -> Date {
    let year = d.year() + years;
    d.replace_year(year)
        .unwrap_or_else(|_| Date::from_calendar_date(year, Month::March, 1).unwrap_or(d))
}

/// A registration period: 3 years from its start, the last day included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub starts_on: Date,
    /// 有効期限: the last day of the registration.
    pub expires_on: Date,
    /// 更新申請期限: courses finished and the renewal applied for by this day.
    pub apply_by: Date,
}

/// F02: the period the declared registration is in: from the last 更新日 (or the 登録日) for 3
/// years; courses and the renewal application are due 60 days before it ends.
pub fn f02_registration_period(registration: &Registration) -> Period {
    let starts_on = registration
        .renewed_on
        .unwrap_or(registration.registered_on);
    let expires_on = add_years(starts_on, PERIOD_YEARS) - Duration::DAY;
    Period {
        starts_on,
        expires_on,
        apply_by: expires_on - Duration::days(DAYS_BEFORE_EXPIRY),
    }
}

/// The days in which a course meets an obligation, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub opens_on: Date,
    /// The deadline.
    pub closes_on: Date,
}

impl Window {
    /// The deadline day itself counts (the first of [`OPEN_CASES`]).
    pub fn contains(self, day: Date) -> bool {
        self.opens_on <= day && day <= self.closes_on
    }
}

/// F02: the online course once in each year of the period: year `n` (1–3) runs from the
/// period's anniversary; the third ends at the renewal deadline, not at the year's end.
pub fn f02_online_course_window(period: Period, year: u8) -> Window {
    let n = i32::from(year.clamp(1, 3)) - 1;
    let year_end = add_years(period.starts_on, n + 1) - Duration::DAY;
    Window {
        opens_on: add_years(period.starts_on, n),
        closes_on: year_end.min(period.apply_by),
    }
}

/// F02: one practical course (IPA's 実践講習 or a 特定講習) in the period, by the renewal deadline.
pub fn f02_practical_course_window(period: Period) -> Window {
    Window {
        opens_on: period.starts_on,
        closes_on: period.apply_by,
    }
}

/// What a course is, as far as the obligations go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CourseKind {
    /// IPA's オンライン講習 (the yearly one).
    IpaOnline,
    /// IPA's 実践講習.
    IpaPractical,
    /// A 特定講習 designated by METI.
    Specific,
    /// Any other course: kept in the ledger, meets no obligation.
    Other,
}

impl CourseKind {
    pub const ALL: [Self; 4] = [
        Self::IpaOnline,
        Self::IpaPractical,
        Self::Specific,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::IpaOnline => "ipa_online",
            Self::IpaPractical => "ipa_practical",
            Self::Specific => "specific",
            Self::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (Self::IpaOnline, false) => "IPA オンライン講習",
            (Self::IpaOnline, true) => "IPA online course",
            (Self::IpaPractical, false) => "IPA 実践講習",
            (Self::IpaPractical, true) => "IPA practical course",
            (Self::Specific, false) => "特定講習",
            (Self::Specific, true) => "Designated practical course (特定講習)",
            (Self::Other, false) => "その他の講習（義務講習に数えない）",
            (Self::Other, true) => "Other course (not a mandatory course)",
        }
    }

    /// F02: the obligation a course of this kind can meet.
    pub fn meets(self) -> Option<Duty> {
        match self {
            Self::IpaOnline => Some(Duty::Online),
            Self::IpaPractical | Self::Specific => Some(Duty::Practical),
            Self::Other => None,
        }
    }
}

/// How far a ledger entry is established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Its credential verifies and names this holder.
    Verified,
    /// The holder's word, with or without an uploaded certificate.
    SelfReported,
    /// Its credential was suspended or revoked: shown, not counted.
    Withdrawn,
}

/// A course in the ledger, as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Course {
    /// The ledger entry's id, so the page links the course that met an obligation.
    pub reference: String,
    pub kind: CourseKind,
    pub completed_on: Date,
    pub standing: Standing,
}

/// The longest course title or provider name a holder may enter, in characters.
pub const MAX_COURSE_TEXT: usize = 200;

/// A course as the holder enters it (F03), before its evidence is looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseEntry {
    pub kind: CourseKind,
    pub title: String,
    pub provider: String,
    pub completed_on: Date,
}

impl CourseEntry {
    /// Reads the form. Every error names its field (`kind`, `title`, `provider`,
    /// `completed_on`). Codes: `holder.kind_unknown`, `holder.title_required`,
    /// `holder.provider_required`, `holder.text_too_long`, `holder.completed_on_future`,
    /// `text.control_character`, `date.*`.
    pub fn parse(
        kind: &str,
        title: &str,
        provider: &str,
        completed_on: &str,
        today: Date,
    ) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let kind = CourseKind::from_code(kind.trim())
            .ok_or_else(|| {
                ValidationError::new(
                    "holder.kind_unknown",
                    "講習の種類を選んでください（IPA オンライン講習、IPA 実践講習、特定講習、その他）。",
                    "Choose the kind of course (IPA online, IPA practical, designated 特定講習, other).",
                )
            })
            .map_err(|e| errors.push(e.for_field("kind")));
        let title = course_text(title, "holder.title_required", "講習名", "the course title")
            .map_err(|e| errors.push(e.for_field("title")));
        let provider = course_text(
            provider,
            "holder.provider_required",
            "実施者",
            "who ran the course",
        )
        .map_err(|e| errors.push(e.for_field("provider")));
        let completed_on = parse_date(completed_on)
            .and_then(|d| {
                if d > today {
                    Err(ValidationError::new(
                        "holder.completed_on_future",
                        "修了日に未来の日付は入力できません。修了してから登録してください。",
                        "The completion date cannot be in the future; add the course once finished.",
                    ))
                } else {
                    Ok(d)
                }
            })
            .map_err(|e| errors.push(e.for_field("completed_on")));
        match (kind, title, provider, completed_on) {
            (Ok(kind), Ok(title), Ok(provider), Ok(completed_on)) => Ok(Self {
                kind,
                title,
                provider,
                completed_on,
            }),
            _ => Err(errors),
        }
    }
}

fn course_text(
    input: &str,
    code: &'static str,
    name_ja: &str,
    name_en: &str,
) -> Result<String, ValidationError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(ValidationError::new(
            code,
            format!("{name_ja}を入力してください。"),
            format!("Please enter {name_en}."),
        ));
    }
    check_controls(text, TextKind::Line)?;
    if text.chars().count() > MAX_COURSE_TEXT {
        return Err(ValidationError::new(
            "holder.text_too_long",
            format!("{name_ja}は{MAX_COURSE_TEXT}文字以内で入力してください。"),
            format!("Please keep {name_en} to {MAX_COURSE_TEXT} characters or fewer."),
        ));
    }
    Ok(text.to_owned())
}

/// F03: an uploaded 修了証 is a PDF or an image (PNG, JPEG) by its content, named as such;
/// answers the media type it is kept and served as.
///
/// Codes: `holder.evidence_type`, `holder.evidence_name`.
pub fn f03_evidence_file(name: &str, bytes: &[u8]) -> Result<&'static str, ValidationError> {
    let found = match FileType::of(bytes) {
        Some(t @ (FileType::Pdf | FileType::Png | FileType::Jpeg)) => t,
        _ => {
            return Err(ValidationError::new(
                "holder.evidence_type",
                format!(
                    "修了証として添付できるのは PDF か画像（PNG・JPEG）です。「{name}」の中身はそのどれでもありません。"
                ),
                format!(
                    "A certificate can be a PDF or an image (PNG, JPEG); \"{name}\" is none of these."
                ),
            ));
        }
    };
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !found.extensions().contains(&extension.as_str()) {
        return Err(ValidationError::new(
            "holder.evidence_name",
            format!(
                "「{name}」の中身は{}ですが、拡張子が合っていません（.{} にしてください）。",
                found.label_ja(),
                found.extensions().join("、.")
            ),
            format!(
                "\"{name}\" is {} but its name does not end in .{}.",
                found.label_en(),
                found.extensions().join(" or .")
            ),
        ));
    }
    Ok(match found {
        FileType::Pdf => "application/pdf",
        FileType::Png => "image/png",
        _ => "image/jpeg",
    })
}

/// The two kinds of obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    Online,
    Practical,
}

/// One obligation of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "duty", rename_all = "snake_case")]
pub enum Obligation {
    /// The online course of year 1, 2 or 3.
    Online {
        year: u8,
    },
    Practical,
}

impl Obligation {
    pub fn code(self) -> String {
        match self {
            Self::Online { year } => format!("online_{year}"),
            Self::Practical => "practical".to_owned(),
        }
    }

    pub fn label(self, en: bool) -> String {
        match (self, en) {
            (Self::Online { year }, false) => format!("オンライン講習（{year}年目）"),
            (Self::Online { year }, true) => format!("Online course (year {year})"),
            (Self::Practical, false) => "実践講習（IPA 実践講習または特定講習）".to_owned(),
            (Self::Practical, true) => {
                "Practical course (IPA's or a designated 特定講習)".to_owned()
            }
        }
    }

    fn duty(self) -> Duty {
        match self {
            Self::Online { .. } => Duty::Online,
            Self::Practical => Duty::Practical,
        }
    }
}

/// Where an obligation stands today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Met by the course `by`, finished on `on`.
    Met { by: String, on: Date },
    /// Its window is open and it is not met yet.
    Due,
    /// Its window opens later.
    NotYetOpen,
    /// Its deadline passed without a course.
    Overdue,
}

impl State {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Met { .. } => "met",
            Self::Due => "due",
            Self::NotYetOpen => "not_yet_open",
            Self::Overdue => "overdue",
        }
    }
}

/// An obligation, its window and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub obligation: Obligation,
    pub window: Window,
    pub state: State,
}

/// The holder's period and its obligations as of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub period: Period,
    /// Online years 1–3, then the practical course.
    pub items: Vec<Item>,
}

/// F02: each obligation of the period with the course that meets it: the earliest counted
/// course of the right kind inside its window; one course meets one obligation at most.
pub fn f02_obligations(registration: &Registration, courses: &[Course], today: Date) -> Ledger {
    let period = f02_registration_period(registration);
    let mut counted: Vec<&Course> = courses
        .iter()
        .filter(|c| c.standing != Standing::Withdrawn)
        .collect();
    counted.sort_by(|a, b| (a.completed_on, &a.reference).cmp(&(b.completed_on, &b.reference)));
    let mut used = BTreeSet::new();
    let obligations = [
        Obligation::Online { year: 1 },
        Obligation::Online { year: 2 },
        Obligation::Online { year: 3 },
        Obligation::Practical,
    ];
    let items = obligations
        .into_iter()
        .map(|obligation| {
            let window = match obligation {
                Obligation::Online { year } => f02_online_course_window(period, year),
                Obligation::Practical => f02_practical_course_window(period),
            };
            let found = counted.iter().find(|c| {
                c.kind.meets() == Some(obligation.duty())
                    && window.contains(c.completed_on)
                    && !used.contains(&c.reference)
            });
            let state = match found {
                Some(c) => {
                    used.insert(c.reference.clone());
                    State::Met {
                        by: c.reference.clone(),
                        on: c.completed_on,
                    }
                }
                None if today < window.opens_on => State::NotYetOpen,
                None if today > window.closes_on => State::Overdue,
                None => State::Due,
            };
            Item {
                obligation,
                window,
                state,
            }
        })
        .collect();
    Ledger { period, items }
}

/// How a holder stands, as the registry counts them (issue 18 item 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outlook {
    /// Nothing unmet is within [`AT_RISK_DAYS`] of its deadline.
    OnTrack,
    /// Something unmet is due within [`AT_RISK_DAYS`].
    AtRisk,
    /// A deadline passed without a course.
    Overdue,
    /// The declared period has ended: the holder renewed (and should enter the 更新日) or the
    /// registration lapsed; Koshu cannot tell which.
    PeriodEnded,
}

impl Outlook {
    pub const ALL: [Self; 4] = [
        Self::OnTrack,
        Self::AtRisk,
        Self::Overdue,
        Self::PeriodEnded,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::OnTrack => "on_track",
            Self::AtRisk => "at_risk",
            Self::Overdue => "overdue",
            Self::PeriodEnded => "period_ended",
        }
    }

    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (Self::OnTrack, false) => "順調",
            (Self::OnTrack, true) => "On track",
            (Self::AtRisk, false) => "期限が近い",
            (Self::AtRisk, true) => "At risk",
            (Self::Overdue, false) => "期限超過",
            (Self::Overdue, true) => "Overdue",
            (Self::PeriodEnded, false) => "期間終了（更新日の入力待ち）",
            (Self::PeriodEnded, true) => "Period ended (renewal date not entered)",
        }
    }
}

/// F02: the holder's outlook today.
pub fn f02_outlook(ledger: &Ledger, today: Date) -> Outlook {
    if today > ledger.period.expires_on {
        return Outlook::PeriodEnded;
    }
    let unmet = || {
        ledger
            .items
            .iter()
            .filter(|i| !matches!(i.state, State::Met { .. }))
    };
    if unmet().any(|i| i.state == State::Overdue) {
        Outlook::Overdue
    } else if unmet().any(|i| (i.window.closes_on - today).whole_days() <= AT_RISK_DAYS) {
        Outlook::AtRisk
    } else {
        Outlook::OnTrack
    }
}

/// A reminder to send: the deadline, how many days before it, and what is still unmet then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub deadline: Date,
    pub days_before: i64,
    pub unmet: Vec<Obligation>,
}

/// The unmet deadlines still ahead (today included), each with the obligations due on it.
fn open_deadlines(ledger: &Ledger, today: Date) -> Vec<(Date, Vec<Obligation>)> {
    let mut by_day: Vec<(Date, Vec<Obligation>)> = Vec::new();
    for item in &ledger.items {
        let deadline = item.window.closes_on;
        if matches!(item.state, State::Met { .. }) || deadline < today {
            continue;
        }
        match by_day.iter_mut().find(|(d, _)| *d == deadline) {
            Some((_, list)) => list.push(item.obligation),
            None => by_day.push((deadline, vec![item.obligation])),
        }
    }
    by_day.sort_by_key(|(d, _)| *d);
    by_day
}

/// F03: the reminders due today. For each unmet deadline, only the nearest threshold already
/// reached is sent (a holder who links 20 days before gets the 30-day mail, not three at once),
/// and never one that `sent` holds (deadline, days before). A met obligation has none.
pub fn f03_reminders_due(
    ledger: &Ledger,
    today: Date,
    sent: &BTreeSet<(Date, i64)>,
) -> Vec<Reminder> {
    open_deadlines(ledger, today)
        .into_iter()
        .filter_map(|(deadline, unmet)| {
            let days_left = (deadline - today).whole_days();
            let nearest = REMINDER_DAYS
                .into_iter()
                .filter(|&n| days_left <= n)
                .min()?;
            let already = sent.iter().any(|&(d, n)| d == deadline && n <= nearest);
            (!already).then_some(Reminder {
                deadline,
                days_before: nearest,
                unmet,
            })
        })
        .collect()
}

/// F03: the next day a reminder falls due after today's are sent, for the scheduled job.
pub fn f03_next_reminder_day(
    ledger: &Ledger,
    today: Date,
    sent: &BTreeSet<(Date, i64)>,
) -> Option<Date> {
    open_deadlines(ledger, today)
        .into_iter()
        .flat_map(|(deadline, _)| {
            REMINDER_DAYS
                .into_iter()
                .map(move |n| (deadline, n, deadline - Duration::days(n)))
        })
        .filter(|&(deadline, n, day)| {
            day > today && !sent.iter().any(|&(d, m)| d == deadline && m <= n)
        })
        .map(|(_, _, day)| day)
        .min()
}

/// F02: a catalogue session that would meet the practical obligation: a 特定講習 whose
/// designation covers the whole session, still taking applications today (not cancelled, the
/// application deadline, or else the first day, not passed), and finished by `apply_by`.
pub fn f02_session_meets_practical(
    programme: &Programme,
    session: &Session,
    today: Date,
    apply_by: Date,
) -> bool {
    let designated = programme
        .designation
        .as_ref()
        .is_some_and(|d| d.starts_on <= session.starts_on && session.ends_on <= d.ends_on);
    let open = match session.application_deadline {
        Some(deadline) => today <= deadline,
        None => today < session.starts_on,
    };
    designated && open && !session.cancelled && session.ends_on <= apply_by
}

/// The registration cohort the registry groups holders by: 2018年10月 for 2018-10-01.
pub fn cohort(registration: &Registration) -> (i32, u8) {
    (
        registration.registered_on.year(),
        u8::from(registration.registered_on.month()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn registration(registered_on: Date, renewed_on: Option<Date>) -> Registration {
        Registration {
            number: RissNumber::parse("012345").unwrap(),
            registered_on,
            renewed_on,
        }
    }

    fn course(reference: &str, kind: CourseKind, completed_on: Date) -> Course {
        Course {
            reference: reference.to_owned(),
            kind,
            completed_on,
            standing: Standing::Verified,
        }
    }

    fn states(ledger: &Ledger) -> Vec<&'static str> {
        ledger.items.iter().map(|i| i.state.code()).collect()
    }

    /// The table test issue 18 asks for: IPA's worked example, a holder registered on an April
    /// 1, one renewed twice, and courses finished on the deadline day.
    #[test]
    fn f02_periods_and_deadlines_table() {
        struct Row {
            name: &'static str,
            registered_on: Date,
            renewed_on: Option<Date>,
            expires_on: Date,
            apply_by: Date,
            online: [(Date, Date); 3],
        }
        let rows = [
            Row {
                name: "IPA's worked example: registered 2018-10-01, renewed 2021-10-01",
                registered_on: date!(2018 - 10 - 01),
                renewed_on: Some(date!(2021 - 10 - 01)),
                expires_on: date!(2024 - 09 - 30),
                apply_by: date!(2024 - 08 - 01),
                online: [
                    (date!(2021 - 10 - 01), date!(2022 - 09 - 30)),
                    (date!(2022 - 10 - 01), date!(2023 - 09 - 30)),
                    (date!(2023 - 10 - 01), date!(2024 - 08 - 01)),
                ],
            },
            Row {
                name: "registered on an April 1, never renewed",
                registered_on: date!(2025 - 04 - 01),
                renewed_on: None,
                expires_on: date!(2028 - 03 - 31),
                apply_by: date!(2028 - 01 - 31),
                online: [
                    (date!(2025 - 04 - 01), date!(2026 - 03 - 31)),
                    (date!(2026 - 04 - 01), date!(2027 - 03 - 31)),
                    (date!(2027 - 04 - 01), date!(2028 - 01 - 31)),
                ],
            },
            Row {
                name: "renewed twice: 2018-10-01, 2021-10-01, 2024-10-01",
                registered_on: date!(2018 - 10 - 01),
                renewed_on: Some(date!(2024 - 10 - 01)),
                expires_on: date!(2027 - 09 - 30),
                apply_by: date!(2027 - 08 - 01),
                online: [
                    (date!(2024 - 10 - 01), date!(2025 - 09 - 30)),
                    (date!(2025 - 10 - 01), date!(2026 - 09 - 30)),
                    (date!(2026 - 10 - 01), date!(2027 - 08 - 01)),
                ],
            },
        ];
        for row in rows {
            let period = f02_registration_period(&registration(row.registered_on, row.renewed_on));
            assert_eq!(period.expires_on, row.expires_on, "{}", row.name);
            assert_eq!(period.apply_by, row.apply_by, "{}", row.name);
            for (year, (opens, closes)) in (1..=3).zip(row.online) {
                let w = f02_online_course_window(period, year);
                assert_eq!(
                    (w.opens_on, w.closes_on),
                    (opens, closes),
                    "{} year {year}",
                    row.name
                );
            }
            assert_eq!(
                f02_practical_course_window(period),
                Window {
                    opens_on: period.starts_on,
                    closes_on: row.apply_by
                },
                "{}",
                row.name
            );
        }
    }

    #[test]
    fn f02_ipa_worked_example_four_courses_meet_everything() {
        let reg = registration(date!(2018 - 10 - 01), Some(date!(2021 - 10 - 01)));
        let courses = [
            course("a", CourseKind::IpaOnline, date!(2022 - 01 - 15)),
            course("b", CourseKind::IpaOnline, date!(2023 - 02 - 01)),
            course("c", CourseKind::IpaOnline, date!(2024 - 03 - 10)),
            course("d", CourseKind::Specific, date!(2023 - 07 - 20)),
        ];
        let ledger = f02_obligations(&reg, &courses, date!(2024 - 08 - 01));
        assert_eq!(states(&ledger), ["met", "met", "met", "met"]);
        assert_eq!(
            f02_outlook(&ledger, date!(2024 - 08 - 01)),
            Outlook::OnTrack
        );
    }

    #[test]
    fn f02_a_course_on_the_deadline_day_counts_the_next_day_does_not() {
        let reg = registration(date!(2018 - 10 - 01), Some(date!(2021 - 10 - 01)));
        let on_the_day = [course("p", CourseKind::IpaPractical, date!(2024 - 08 - 01))];
        let ledger = f02_obligations(&reg, &on_the_day, date!(2024 - 08 - 02));
        assert_eq!(ledger.items[3].state.code(), "met");
        let a_day_late = [course("p", CourseKind::IpaPractical, date!(2024 - 08 - 02))];
        let ledger = f02_obligations(&reg, &a_day_late, date!(2024 - 08 - 02));
        assert_eq!(ledger.items[3].state, State::Overdue);
        assert_eq!(
            f02_outlook(&ledger, date!(2024 - 08 - 02)),
            Outlook::Overdue
        );
    }

    #[test]
    fn f02_one_course_meets_one_obligation_and_other_courses_none() {
        let reg = registration(date!(2025 - 04 - 01), None);
        let courses = [
            course("a", CourseKind::IpaOnline, date!(2025 - 06 - 01)),
            // A second online course in the same year does not carry into year 2.
            course("b", CourseKind::IpaOnline, date!(2025 - 07 - 01)),
            course("c", CourseKind::Other, date!(2025 - 08 - 01)),
            // Before the period: belongs to the one before.
            course("d", CourseKind::Specific, date!(2025 - 03 - 31)),
        ];
        let ledger = f02_obligations(&reg, &courses, date!(2025 - 09 - 01));
        assert_eq!(
            states(&ledger),
            ["met", "not_yet_open", "not_yet_open", "due"]
        );
        assert_eq!(
            ledger.items[0].state,
            State::Met {
                by: "a".into(),
                on: date!(2025 - 06 - 01)
            }
        );
    }

    #[test]
    fn f02_withdrawn_credentials_do_not_count_self_reported_ones_do() {
        let reg = registration(date!(2025 - 04 - 01), None);
        let mut revoked = course("r", CourseKind::Specific, date!(2025 - 06 - 01));
        revoked.standing = Standing::Withdrawn;
        let ledger = f02_obligations(&reg, &[revoked], date!(2025 - 09 - 01));
        assert_eq!(ledger.items[3].state, State::Due);
        let mut own_word = course("s", CourseKind::IpaPractical, date!(2025 - 06 - 01));
        own_word.standing = Standing::SelfReported;
        let ledger = f02_obligations(&reg, &[own_word], date!(2025 - 09 - 01));
        assert_eq!(ledger.items[3].state.code(), "met");
    }

    #[test]
    fn f02_outlook_at_risk_within_90_days_and_period_ended() {
        let reg = registration(date!(2025 - 04 - 01), None);
        let ledger = f02_obligations(&reg, &[], date!(2025 - 12 - 31));
        // Year 1's online course is due 2026-03-31: 90 days away.
        assert_eq!(f02_outlook(&ledger, date!(2025 - 12 - 31)), Outlook::AtRisk);
        assert_eq!(
            f02_outlook(&ledger, date!(2025 - 12 - 30)),
            Outlook::OnTrack
        );
        let ledger = f02_obligations(&reg, &[], date!(2028 - 04 - 01));
        assert_eq!(
            f02_outlook(&ledger, date!(2028 - 04 - 01)),
            Outlook::PeriodEnded
        );
    }

    #[test]
    fn f01_registration_and_renewal_dates() {
        let today = date!(2026 - 12 - 02);
        assert!(f01_registration_date(date!(2018 - 10 - 01), today).is_ok());
        assert!(f01_registration_date(date!(2017 - 04 - 01), today).is_ok());
        let code = |r: Result<(), ValidationError>| r.unwrap_err().code;
        assert_eq!(
            code(f01_registration_date(date!(2018 - 10 - 02), today)),
            "holder.registered_on_day"
        );
        assert_eq!(
            code(f01_registration_date(date!(2016 - 10 - 01), today)),
            "holder.registered_on_before_register"
        );
        assert_eq!(
            code(f01_registration_date(date!(2027 - 04 - 01), today)),
            "holder.registered_on_future"
        );
        let reg = date!(2018 - 10 - 01);
        assert!(f01_renewal_date(reg, date!(2021 - 10 - 01), today).is_ok());
        assert!(f01_renewal_date(reg, date!(2024 - 10 - 01), today).is_ok());
        for wrong in [
            date!(2018 - 10 - 01),
            date!(2020 - 10 - 01),
            date!(2021 - 04 - 01),
        ] {
            assert_eq!(
                code(f01_renewal_date(reg, wrong, today)),
                "holder.renewed_on_step",
                "{wrong}"
            );
        }
        assert_eq!(
            code(f01_renewal_date(reg, date!(2027 - 10 - 01), today)),
            "holder.renewed_on_future"
        );
    }

    #[test]
    fn registration_parse_names_each_field() {
        let today = date!(2026 - 12 - 02);
        let ok = Registration::parse("０１２３４５", "2018/10/1", "2021年10月1日", today).unwrap();
        assert_eq!(ok.renewed_on, Some(date!(2021 - 10 - 01)));
        let errors = Registration::parse("12345", "2018-10-05", "2019-10-01", today).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_deref().unwrap()).collect();
        assert_eq!(fields, ["riss_number", "registered_on"]);
        let errors = Registration::parse("012345", "2018-10-01", "2019-10-01", today).unwrap_err();
        assert_eq!(errors[0].field.as_deref(), Some("renewed_on"));
        assert_eq!(errors[0].code, "holder.renewed_on_step");
    }

    fn sent(items: &[(Date, i64)]) -> BTreeSet<(Date, i64)> {
        items.iter().copied().collect()
    }

    #[test]
    fn f03_reminders_at_180_90_30_days_once_each_and_none_once_met() {
        let reg = registration(date!(2025 - 04 - 01), None);
        let deadline = date!(2026 - 03 - 31);
        let ledger = f02_obligations(&reg, &[], date!(2025 - 10 - 01));
        // 2025-10-02 is 180 days before 2026-03-31.
        assert!(f03_reminders_due(&ledger, date!(2025 - 10 - 01), &sent(&[])).is_empty());
        assert_eq!(
            f03_next_reminder_day(&ledger, date!(2025 - 10 - 01), &sent(&[])),
            Some(date!(2025 - 10 - 02))
        );
        let due = f03_reminders_due(&ledger, date!(2025 - 10 - 02), &sent(&[]));
        assert_eq!(
            due,
            [Reminder {
                deadline,
                days_before: 180,
                unmet: vec![Obligation::Online { year: 1 }]
            }]
        );
        let after_180 = sent(&[(deadline, 180)]);
        assert!(f03_reminders_due(&ledger, date!(2025 - 10 - 03), &after_180).is_empty());
        assert_eq!(
            f03_next_reminder_day(&ledger, date!(2025 - 10 - 02), &after_180),
            Some(date!(2025 - 12 - 31))
        );
        let due = f03_reminders_due(&ledger, date!(2025 - 12 - 31), &after_180);
        assert_eq!(due[0].days_before, 90);
        let after_90 = sent(&[(deadline, 180), (deadline, 90)]);
        assert_eq!(
            f03_next_reminder_day(&ledger, date!(2025 - 12 - 31), &after_90),
            Some(date!(2026 - 03 - 01))
        );
        // Met: nothing more for that deadline; the next one is year 2's, 180 days before.
        let met = [course("a", CourseKind::IpaOnline, date!(2026 - 01 - 10))];
        let ledger = f02_obligations(&reg, &met, date!(2026 - 01 - 10));
        assert!(f03_reminders_due(&ledger, date!(2026 - 03 - 01), &after_90).is_empty());
        assert_eq!(
            f03_next_reminder_day(&ledger, date!(2026 - 01 - 10), &after_90),
            Some(date!(2026 - 10 - 02))
        );
    }

    #[test]
    fn f03_a_late_link_gets_only_the_nearest_reminder() {
        let reg = registration(date!(2025 - 04 - 01), None);
        let ledger = f02_obligations(&reg, &[], date!(2026 - 03 - 11));
        let due = f03_reminders_due(&ledger, date!(2026 - 03 - 11), &sent(&[]));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].days_before, 30);
        let after = sent(&[(date!(2026 - 03 - 31), 30)]);
        assert!(f03_reminders_due(&ledger, date!(2026 - 03 - 12), &after).is_empty());
    }

    #[test]
    fn f03_the_last_deadline_gathers_the_third_online_course_and_the_practical() {
        let reg = registration(date!(2018 - 10 - 01), Some(date!(2021 - 10 - 01)));
        let ledger = f02_obligations(&reg, &[], date!(2024 - 07 - 01));
        let due = f03_reminders_due(&ledger, date!(2024 - 07 - 01), &sent(&[]));
        assert_eq!(
            due,
            [Reminder {
                deadline: date!(2024 - 08 - 01),
                days_before: 90,
                unmet: vec![Obligation::Online { year: 3 }, Obligation::Practical]
            }]
        );
    }

    #[test]
    fn f02_only_open_designated_sessions_before_the_deadline_meet_the_practical() {
        use crate::catalogue::Designation;
        use crate::catalogue::listing::tests::{programme, session};
        // The sample session runs 2027-01-20..21, applications until 2027-01-10.
        let mut designated = programme();
        designated.designation = Some(Designation {
            number: "2026-001".into(),
            starts_on: date!(2026 - 04 - 01),
            ends_on: date!(2029 - 03 - 31),
        });
        let s = session();
        let today = date!(2026 - 12 - 02);
        let apply_by = date!(2027 - 08 - 01);
        assert!(f02_session_meets_practical(
            &designated,
            &s,
            today,
            apply_by
        ));
        assert!(
            !f02_session_meets_practical(&programme(), &s, today, apply_by),
            "not designated"
        );
        assert!(
            !f02_session_meets_practical(&designated, &s, date!(2027 - 01 - 11), apply_by),
            "applications closed"
        );
        assert!(
            !f02_session_meets_practical(&designated, &s, today, date!(2027 - 01 - 20)),
            "ends after the deadline"
        );
        let cancelled = Session {
            cancelled: true,
            ..s.clone()
        };
        assert!(!f02_session_meets_practical(
            &designated,
            &cancelled,
            today,
            apply_by
        ));
        let mut ending = designated.clone();
        if let Some(d) = ending.designation.as_mut() {
            d.ends_on = date!(2027 - 01 - 20);
        }
        assert!(
            !f02_session_meets_practical(&ending, &s, today, apply_by),
            "designation ends mid-session"
        );
    }

    #[test]
    fn a_course_entry_names_each_field_and_refuses_the_future() {
        let today = date!(2026 - 12 - 02);
        let ok = CourseEntry::parse(
            "ipa_online",
            " オンライン講習 ",
            "IPA",
            "2026年6月1日",
            today,
        )
        .unwrap();
        assert_eq!(
            (ok.kind, ok.title.as_str()),
            (CourseKind::IpaOnline, "オンライン講習")
        );
        let errors = CourseEntry::parse("x", "", "IPA", "2026-12-03", today).unwrap_err();
        let got: Vec<_> = errors
            .iter()
            .map(|e| (e.field.as_deref().unwrap(), e.code))
            .collect();
        assert_eq!(
            got,
            [
                ("kind", "holder.kind_unknown"),
                ("title", "holder.title_required"),
                ("completed_on", "holder.completed_on_future")
            ]
        );
    }

    #[test]
    fn f03_evidence_is_a_pdf_or_an_image_named_as_such() {
        assert_eq!(
            f03_evidence_file("修了証.pdf", b"%PDF-1.7 ...").unwrap(),
            "application/pdf"
        );
        assert_eq!(
            f03_evidence_file("scan.JPG", &[0xFF, 0xD8, 0xFF, 0xE0]).unwrap(),
            "image/jpeg"
        );
        assert_eq!(
            f03_evidence_file("修了証.png", b"%PDF-1.7")
                .unwrap_err()
                .code,
            "holder.evidence_name"
        );
        assert_eq!(
            f03_evidence_file("notes.txt", b"just text")
                .unwrap_err()
                .code,
            "holder.evidence_type"
        );
    }
}

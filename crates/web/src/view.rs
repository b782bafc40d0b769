//! Turning domain values into the text people read: dates as 2026年4月1日, money as ¥77,000,
//! taxonomy codes as their labels, in the page's language.

use crate::auth::AuthContext;
use crate::lang::{Lang, PagePath};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use koshu_domain::access::{MinistryRole, Principal};
use koshu_domain::catalogue::{DESIGNATED_LABEL, Designation, DesignationPhase, Fee};
use koshu_domain::taxonomy::Taxonomy;
use koshu_domain::types::date_ja;
use std::convert::Infallible;
use time::Date;

/// What the shared layout needs to know about the page being shown: its language and
/// address, who is signed in, and the CSRF token its forms carry.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub lang: Lang,
    pub ja_href: String,
    pub en_href: String,
    /// The signed-in person's display name.
    pub account: Option<String>,
    /// The header's links to the signed-in person's work, by role (the public links are in
    /// the layout): (path in the page's language, label).
    pub work: Vec<(String, &'static str)>,
    pub csrf: String,
}

impl PageCtx {
    pub fn new(lang: Lang, path: &PagePath, auth: Option<&AuthContext>) -> Self {
        Self {
            lang,
            ja_href: path.in_lang(Lang::Ja),
            en_href: path.in_lang(Lang::En),
            account: auth
                .and_then(|a| a.viewer.as_ref())
                .map(|v| v.account.display_name.clone()),
            work: auth
                .and_then(|a| a.viewer.as_ref())
                .map(|v| work_links(lang, &v.principal))
                .unwrap_or_default(),
            csrf: auth.map(|a| a.csrf.clone()).unwrap_or_default(),
        }
    }

    /// A link to `path` in the page's own language.
    pub fn href(&self, path: &str) -> String {
        PagePath(path.to_owned()).in_lang(self.lang)
    }

    /// `href` of a path a template formats (`page.link("/learning/{}"|format(id))`).
    pub fn link(&self, path: String) -> String {
        PagePath(path).in_lang(self.lang)
    }

    pub fn t<'a>(&self, ja: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(ja, en)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageCtx {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let lang = Lang::from_request_parts(parts, state).await?;
        let path = PagePath::from_request_parts(parts, state).await?;
        Ok(Self::new(
            lang,
            &path,
            parts.extensions.get::<AuthContext>(),
        ))
    }
}

/// Where each role's work is (issue 13 item 1): the provider's organisation, the ministry's
/// review queue and administration, IPA's registry of holders, the expert's requests.
fn work_links(lang: Lang, p: &Principal) -> Vec<(String, &'static str)> {
    let link = |path: &str, ja: &'static str, en: &'static str| {
        (PagePath(path.to_owned()).in_lang(lang), lang.pick(ja, en))
    };
    let mut links = vec![
        link("/learning", "受講", "My courses"),
        link("/holder", "講習台帳", "Course ledger"),
    ];
    match p.memberships.as_slice() {
        [] => {}
        [(org, _)] => links.push(link(
            &format!("/organisations/{org}"),
            "自組織",
            "My organisation",
        )),
        _ => links.push(link("/account#organisations", "自組織", "My organisations")),
    }
    if p.ministry_role
        .is_some_and(MinistryRole::reviews_designations)
    {
        links.push(link("/ministry/reviews", "審査", "Reviews"));
        links.push(link("/ministry/organisations", "講座提供者", "Providers"));
        links.push(link("/ministry/reports", "掲載内容の報告", "Reports"));
        links.push(link(
            "/ministry/course-reports",
            "実施状況報告",
            "Course reports",
        ));
    }
    if p.ministry_role == Some(MinistryRole::Administrator) {
        links.push(link("/admin/accounts", "アカウント管理", "Accounts"));
        links.push(link("/admin/outbox", "送信メール", "Outgoing mail"));
        links.push(link(
            "/admin/survey-items",
            "アンケート項目",
            "Survey items",
        ));
    }
    if matches!(
        p.ministry_role,
        Some(MinistryRole::Registrar | MinistryRole::Administrator)
    ) {
        links.push(link(
            "/registry/holders",
            "登録セキスペの集計",
            "Registered specialists",
        ));
    }
    if p.expert {
        links.push(link("/reviews", "意見照会", "Opinion requests"));
    }
    links
}

/// Percent-encodes `s` for a query string value.
pub fn url_encode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)])
        .map(|q| q[2..].to_owned())
        .unwrap_or_default()
}

pub fn date(lang: Lang, d: Date) -> String {
    match lang {
        Lang::Ja => date_ja::date_ja_with_weekday(d),
        Lang::En => date_ja::date_en(d),
    }
}

/// A moment as people in Japan read it: 2026年4月1日（水） 09:30 / 1 April 2026 09:30 (JST).
pub fn date_time(lang: Lang, t: time::OffsetDateTime) -> String {
    let local = t.to_offset(JST);
    format!(
        "{} {:02}:{:02}",
        date(lang, local.date()),
        local.hour(),
        local.minute()
    )
}

pub fn date_span(lang: Lang, from: Date, to: Date) -> String {
    if from == to {
        date(lang, from)
    } else {
        format!("{} – {}", date(lang, from), date(lang, to))
    }
}

pub fn fee(lang: Lang, fee: &Fee) -> String {
    match fee {
        Fee::Free => lang.pick("無料", "Free").to_owned(),
        Fee::Fixed { yen } => yen.to_string(),
        Fee::Range { min_yen, max_yen } => format!("{min_yen} – {max_yen}"),
        Fee::Conditional { note_ja } => note_ja.clone(),
        Fee::Undisclosed => lang.pick("要問合せ", "Ask the provider").to_owned(),
    }
}

/// What a designated programme shows about its designation on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignationBadge {
    pub text: String,
    /// Within the period: the prescribed label. Before it: when the designation begins.
    pub in_force: bool,
}

/// The guideline's label may be shown only within the designation period (section 6, C01);
/// before it, the page says from when; after it, nothing (the expiry job removes the record).
pub fn designation_badge(lang: Lang, d: &Designation, today: Date) -> Option<DesignationBadge> {
    match d.phase(today) {
        DesignationPhase::InForce => Some(DesignationBadge {
            text: DESIGNATED_LABEL.to_owned(),
            in_force: true,
        }),
        DesignationPhase::Upcoming => Some(DesignationBadge {
            text: match lang {
                Lang::Ja => format!("指定予定（{}から）", date_ja(d.starts_on)),
                Lang::En => format!(
                    "To be designated as {DESIGNATED_LABEL} (from {})",
                    date_ja::date_en(d.starts_on)
                ),
            },
            in_force: false,
        }),
        DesignationPhase::Ended => None,
    }
}

/// Labels for taxonomy codes, with the code itself as a fallback that should never show.
pub struct Labels<'a> {
    pub taxonomy: &'a Taxonomy,
    pub lang: Lang,
}

impl Labels<'_> {
    fn pick(&self, label: Option<&koshu_domain::taxonomy::Label>, code: &str) -> String {
        label.map_or_else(|| code.to_owned(), |l| l.pick(self.lang.is_en()).to_owned())
    }

    pub fn kind(&self, code: &str) -> String {
        self.pick(self.taxonomy.kind(code).map(|t| &t.label), code)
    }

    pub fn format(&self, code: &str) -> String {
        self.pick(self.taxonomy.format(code).map(|t| &t.label), code)
    }

    pub fn difficulty(&self, code: &str) -> String {
        self.pick(self.taxonomy.difficulty(code).map(|t| &t.label), code)
    }

    pub fn layer(&self, code: &str) -> String {
        self.pick(self.taxonomy.layer(code).map(|t| &t.label), code)
    }

    pub fn audience(&self, code: &str) -> String {
        self.pick(self.taxonomy.audience(code).map(|t| &t.label), code)
    }

    pub fn itss_field(&self, code: &str) -> String {
        self.pick(self.taxonomy.itss_field(code).map(|f| &f.label), code)
    }

    pub fn syllabus_item(&self, code: &str) -> String {
        let label = self.pick(self.taxonomy.syllabus_item(code).map(|i| &i.label), code);
        format!("{code} {label}")
    }

    /// Labels of several codes as one phrase: 「A、B」 or "A, B".
    pub fn join(&self, codes: &[String], f: impl Fn(&Self, &str) -> String) -> String {
        codes
            .iter()
            .map(|c| f(self, c))
            .collect::<Vec<_>>()
            .join(self.lang.pick("、", ", "))
    }
}

/// Japan Standard Time: dates people see and "today" are Japanese dates.
pub const JST: time::UtcOffset = time::macros::offset!(+9);

pub fn today(state: &crate::AppState) -> Date {
    state.clock.now().to_offset(JST).date()
}

/// A month code `2026-04` as 2026年4月 / April 2026.
pub fn month(lang: Lang, code: &str) -> String {
    let parsed = code.split_once('-').and_then(|(y, m)| {
        Some((
            y.parse::<i32>().ok()?,
            time::Month::try_from(m.parse::<u8>().ok()?).ok()?,
        ))
    });
    match (parsed, lang) {
        (Some((y, m)), Lang::Ja) => format!("{y}年{}月", u8::from(m)),
        (Some((y, m)), Lang::En) => format!("{m} {y}"),
        (None, _) => code.to_owned(),
    }
}

/// Escapes text for HTML built outside a template (highlighted excerpts).
pub fn escape(text: &str) -> String {
    askama::filters::escape(text, askama::filters::Html)
        .map(|s| s.to_string())
        .unwrap_or_default()
}

/// Where a paginated list is, for the `pagination.html` links: this page (from 1), how many
/// there are, and the addresses of the previous and next ones.
#[derive(Debug, Clone)]
pub struct Paging {
    pub current: i64,
    pub pages: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Paging {
    /// `link(n)` is the address of page `n`.
    pub fn new(current: i64, pages: i64, link: impl Fn(i64) -> String) -> Self {
        Self {
            prev: (current > 1).then(|| link(current - 1)),
            next: (current < pages).then(|| link(current + 1)),
            current,
            pages,
        }
    }
}

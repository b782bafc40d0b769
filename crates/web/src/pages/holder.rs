//! The RISS holder's ledger (issue 18; F01–F03): linking the registration, the dashboard (the
//! period's timeline, what is left, the courses with their evidence, designated courses that
//! would meet the practical obligation), adding and removing courses, the deadline calendar
//! (a download, and a secret feed address for calendar apps), and the holder's export.

use super::delivery::{csv_download, download};
use super::forms::{FormField, FormPage, parse};
use super::rendered;
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_domain::holder::{
    CourseKind, OPEN_CASES, Outlook, Registration, Standing, State as ItemState,
    f02_session_meets_practical,
};
use koshu_domain::prefecture::Prefecture;
use koshu_domain::types::{date_ja, date_wareki};
use koshu_workflow::holders::{self, CourseForm, Evidence, HolderView, Source};
use serde::Deserialize;
use time::Date;

/// 2024年8月1日（令和6年8月1日） / 1 August 2024: both calendars, as IPA's tables give dates.
fn both_calendars(page: &PageCtx, d: Date) -> String {
    if page.lang.is_en() {
        view::date(page.lang, d)
    } else {
        format!("{}（{}）", date_ja(d), date_wareki(d))
    }
}

// Linking.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    riss_number: String,
    registered_on: String,
    renewed_on: String,
}

fn link_page(page: PageCtx, form: &LinkForm, errors: &[ValidationError], linked: bool) -> FormPage {
    let mut f = FormPage::new(
        page.clone(),
        page.t("登録セキスペの登録情報", "Your RISS registration"),
        "/holder/link",
        page.t("保存する", "Save"),
    );
    f.intro.push(
        page.t(
            "登録番号と登録日を入力すると、今の登録期間に受ける講習とその期限を計算し、Koshu で修了した特定講習を自動で台帳に載せます。",
            "Enter your number and registration date: Koshu works out the courses your current period asks for and their deadlines, and puts the designated courses you finish on Koshu in your ledger.",
        )
        .to_owned(),
    );
    f.intro.push(
        page.t(
            "Koshu は IPA の登録簿を見られないため、入力内容は自己申告として扱います。講習の本人確認で登録番号が一致すると「講習で確認済み」と表示します。",
            "Koshu cannot see IPA's register, so what you enter is self-declared; once a course's identity check matches your number, it shows as confirmed by a course.",
        )
        .to_owned(),
    );
    f.fields = vec![
        FormField::new(
            "riss_number",
            page.t("登録番号", "Registration number"),
            "text",
        )
        .value(&form.riss_number)
        .hint(page.t(
            "6桁の数字（例：012345）。登録証に記載されています。",
            "Six digits (for example 012345), as on your registration certificate.",
        )),
        FormField::new("registered_on", page.t("登録日", "Registration date"), "date")
            .value(&form.registered_on)
            .hint(page.t(
                "登録証の登録年月日（4月1日か10月1日）。例：2018-10-01",
                "The registration date on your certificate (1 April or 1 October), for example 2018-10-01.",
            )),
        FormField::new(
            "renewed_on",
            page.t("直近の更新日", "Last renewal date"),
            "date",
        )
        .value(&form.renewed_on)
        .optional()
        .hint(page.t(
            "更新したことがある場合だけ。登録日から3年ごとの日付です（例：2021-10-01）。",
            "Only if you have renewed: it falls in 3-year steps from the registration date (for example 2021-10-01).",
        )),
    ];
    f.links.push((
        page.t(
            if linked {
                "台帳に戻る"
            } else {
                "受講一覧へ"
            },
            if linked {
                "Back to the ledger"
            } else {
                "My courses"
            },
        )
        .to_owned(),
        page.href(if linked { "/holder" } else { "/learning" }),
    ));
    f.with_errors(errors)
}

/// `GET /holder/link`: the form, filled with the link (or, before one, the learner profile's
/// number).
pub async fn link_form(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Learn)?;
    let link = state.store.holder_link(&me.account.id).await?;
    let form = match &link {
        Some(l) => LinkForm {
            riss_number: l.registration.number.digits().to_owned(),
            registered_on: l.registration.registered_on.to_string(),
            renewed_on: l
                .registration
                .renewed_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
        },
        None => LinkForm {
            riss_number: state
                .store
                .learner(&me.account.id)
                .await?
                .and_then(|l| l.profile.riss)
                .map(|r| r.number.digits().to_owned())
                .unwrap_or_default(),
            ..LinkForm::default()
        },
    };
    rendered(StatusCode::OK, link_page(page, &form, &[], link.is_some()))
}

/// `POST /holder/link`.
pub async fn link(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Learn)?;
    let form: LinkForm = parse(&body)?;
    match Registration::parse(
        &form.riss_number,
        &form.registered_on,
        &form.renewed_on,
        view::today(&state),
    ) {
        Err(errors) => {
            let linked = state.store.holder_link(&me.account.id).await?.is_some();
            rendered(
                StatusCode::UNPROCESSABLE_ENTITY,
                link_page(page, &form, &errors, linked),
            )
        }
        Ok(registration) => {
            holders::link_registration(&state.workflow, &me.account.id, &registration).await?;
            Ok(Redirect::to(&page.href("/holder?done=linked")).into_response())
        }
    }
}

/// `POST /holder/unlink`: removes the link and what the holder added, once confirmed.
pub async fn unlink(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    body: Bytes,
) -> Result<Response, AppError> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Confirm {
        confirm: String,
    }
    let me = auth.require(Action::Learn)?;
    let input: Confirm = parse(&body)?;
    if input.confirm != "yes" {
        return Err(ValidationError::new(
            "holder.unlink_confirm",
            "削除する場合は「登録情報と追加した講習を削除することを確認しました」にチェックを入れてください。",
            "To remove the link, tick the box confirming that the registration and the courses you added are deleted.",
        )
        .for_field("confirm")
        .into());
    }
    holders::unlink(&state.workflow, &me.account.id).await?;
    Ok(Redirect::to(&page.href("/holder?done=unlinked")).into_response())
}

// The dashboard.

struct ItemRow {
    label: String,
    window: String,
    deadline: String,
    state: String,
    state_code: &'static str,
    met_by: Option<(String, String)>,
}

struct CourseRow {
    completed_on: String,
    title: String,
    provider: String,
    kind: String,
    counts: bool,
    standing: String,
    /// (label, href) of the credential's verification page or the uploaded certificate.
    evidence: Option<(String, String)>,
    remove: Option<String>,
}

struct SessionRow {
    title: String,
    href: String,
    dates: String,
    place: String,
    designation: String,
}

#[derive(Template)]
#[template(path = "holder.html")]
struct Dashboard {
    page: PageCtx,
    notice: Option<String>,
    linked: bool,
    facts: Vec<(String, String)>,
    confirmed: bool,
    outlook: String,
    outlook_code: &'static str,
    outlook_text: String,
    left: Vec<String>,
    items: Vec<ItemRow>,
    courses: Vec<CourseRow>,
    sessions: Vec<SessionRow>,
    field_options: Vec<(String, String)>,
    prefecture_options: Vec<(String, String)>,
    field: String,
    prefecture: String,
    next_reminder: Option<String>,
    reminders_sent: Vec<String>,
    feed_url: Option<String>,
    open_cases: Vec<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DashboardQuery {
    done: String,
    field: String,
    prefecture: String,
    feed: String,
}

fn state_label(page: &PageCtx, state: &ItemState) -> String {
    match state {
        ItemState::Met { on, .. } => format!(
            "{}（{}）",
            page.t("修了済み", "Done"),
            view::date(page.lang, *on)
        ),
        ItemState::Due => page.t("受講期間中・未修了", "Due, not done yet").to_owned(),
        ItemState::NotYetOpen => page.t("受講期間前", "Not open yet").to_owned(),
        ItemState::Overdue => page.t("期限超過", "Overdue").to_owned(),
    }
}

fn outlook_text(page: &PageCtx, view: &HolderView) -> String {
    match view.outlook {
        Outlook::OnTrack => page
            .t(
                "今の期限に間に合うように進んでいます。",
                "You are on course for your deadlines.",
            )
            .to_owned(),
        Outlook::AtRisk => page
            .t(
                "90日以内に期限を迎える未修了の講習があります。",
                "A course not yet done is due within 90 days.",
            )
            .to_owned(),
        Outlook::Overdue => page
            .t(
                "期限までに修了していない講習があります。更新できない可能性があるため、IPA の案内を確認してください。",
                "A deadline has passed without a course; you may not be able to renew. Check IPA's guidance.",
            )
            .to_owned(),
        Outlook::PeriodEnded => page
            .t(
                "入力された登録期間は終わっています。更新した場合は、登録情報の「直近の更新日」を入力してください。",
                "The period you entered has ended. If you renewed, enter the last renewal date in your registration.",
            )
            .to_owned(),
    }
}

fn course_rows(page: &PageCtx, view: &HolderView) -> Vec<CourseRow> {
    let counted: Vec<&str> = view
        .ledger
        .items
        .iter()
        .filter_map(|i| match &i.state {
            ItemState::Met { by, .. } => Some(by.as_str()),
            _ => None,
        })
        .collect();
    view.entries
        .iter()
        .map(|e| {
            let standing = match (e.standing, &e.source) {
                (Standing::Verified, Source::Koshu { .. }) => page
                    .t("検証済み（Koshu の修了証）", "Verified (Koshu certificate)")
                    .to_owned(),
                (Standing::Verified, _) => page
                    .t(
                        "検証済み（修了証の署名を確認）",
                        "Verified (certificate signature checked)",
                    )
                    .to_owned(),
                (Standing::SelfReported, _) => page.t("自己申告", "Self-reported").to_owned(),
                (Standing::Withdrawn, _) => page
                    .t(
                        "数えていません（修了証が停止または取り消し）",
                        "Not counted (certificate suspended or revoked)",
                    )
                    .to_owned(),
            };
            let (evidence, remove) = match &e.source {
                Source::Koshu {
                    verification_url, ..
                } => (
                    Some((
                        page.t("修了証の検証ページ", "Certificate verification page")
                            .to_owned(),
                        verification_url.clone(),
                    )),
                    None,
                ),
                Source::Added(c) => (
                    c.file_id.as_ref().map(|_| {
                        (
                            page.t("添付した修了証", "Attached certificate").to_owned(),
                            page.link(format!("/holder/courses/{}/evidence", c.id)),
                        )
                    }),
                    Some(page.link(format!("/holder/courses/{}/remove", c.id))),
                ),
            };
            CourseRow {
                completed_on: view::date(page.lang, e.completed_on),
                title: e.title.clone(),
                provider: e.provider.clone(),
                kind: e.kind.label(page.lang.is_en()).to_owned(),
                counts: counted.contains(&e.reference.as_str()),
                standing,
                evidence,
                remove,
            }
        })
        .collect()
}

/// Designated sessions that would meet the practical obligation in time, soonest first.
fn practical_sessions(
    state: &AppState,
    page: &PageCtx,
    view: &HolderView,
    field: &str,
    prefecture: Option<Prefecture>,
) -> Vec<SessionRow> {
    let practical_met = view.ledger.items.iter().any(|i| {
        i.obligation == koshu_domain::holder::Obligation::Practical
            && matches!(i.state, ItemState::Met { .. })
    });
    if practical_met {
        return Vec::new();
    }
    let today = view::today(state);
    let apply_by = view.ledger.period.apply_by;
    let mut rows: Vec<(Date, SessionRow)> = Vec::new();
    for listing in state.catalogue.index().all() {
        let p = &listing.programme;
        if !field.is_empty() && !p.itss_fields.iter().any(|f| f == field) {
            continue;
        }
        for s in &listing.sessions {
            if prefecture.is_some() && s.prefecture != prefecture && !s.online {
                continue;
            }
            if !f02_session_meets_practical(p, s, today, apply_by) {
                continue;
            }
            let place = match (s.online, s.prefecture) {
                (true, _) => page.t("オンライン", "Online").to_owned(),
                (false, Some(pref)) => state
                    .taxonomy
                    .prefecture(pref)
                    .name
                    .pick(page.lang.is_en())
                    .to_owned(),
                (false, None) => String::new(),
            };
            rows.push((
                s.starts_on,
                SessionRow {
                    title: page
                        .lang
                        .pick(&p.title_ja, p.title_en.as_deref().unwrap_or(&p.title_ja))
                        .to_owned(),
                    href: page.link(format!("/programmes/{}", p.id)),
                    dates: view::date_span(page.lang, s.starts_on, s.ends_on),
                    place,
                    designation: p
                        .designation
                        .as_ref()
                        .map(|d| d.number.clone())
                        .unwrap_or_default(),
                },
            ));
        }
    }
    rows.sort_by_key(|(starts, _)| *starts);
    rows.into_iter().take(20).map(|(_, r)| r).collect()
}

/// `GET /holder`: the dashboard, or the invitation to link before a registration is known.
pub async fn dashboard(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Query(q): Query<DashboardQuery>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Learn)?;
    let notice = match q.done.as_str() {
        "linked" => Some(page.t("登録情報を保存しました。", "Your registration is saved.")),
        "unlinked" => Some(page.t(
            "登録情報と追加した講習を削除しました。",
            "Your registration and the courses you added are deleted.",
        )),
        "added" => Some(page.t(
            "講習を台帳に追加しました。",
            "The course is in your ledger.",
        )),
        "removed" => Some(page.t("講習を台帳から削除しました。", "The course is removed.")),
        _ => None,
    }
    .map(str::to_owned);
    let field_options: Vec<(String, String)> = std::iter::once((
        String::new(),
        page.t("すべての分野", "All fields").to_owned(),
    ))
    .chain(
        state
            .taxonomy
            .itss_fields()
            .iter()
            .map(|f| (f.code.clone(), f.label.pick(page.lang.is_en()).to_owned())),
    )
    .collect();
    let prefecture_options: Vec<(String, String)> =
        std::iter::once((String::new(), page.t("すべての地域", "Anywhere").to_owned()))
            .chain(
                state
                    .taxonomy
                    .prefectures()
                    .iter()
                    .map(|p| (p.code.code(), p.name.pick(page.lang.is_en()).to_owned())),
            )
            .collect();
    let Some(view) = holders::view(&state.workflow, &me.account.id).await? else {
        return rendered(
            StatusCode::OK,
            Dashboard {
                page,
                notice,
                linked: false,
                facts: Vec::new(),
                confirmed: false,
                outlook: String::new(),
                outlook_code: "",
                outlook_text: String::new(),
                left: Vec::new(),
                items: Vec::new(),
                courses: Vec::new(),
                sessions: Vec::new(),
                field_options,
                prefecture_options,
                field: String::new(),
                prefecture: String::new(),
                next_reminder: None,
                reminders_sent: Vec::new(),
                feed_url: None,
                open_cases: Vec::new(),
            },
        );
    };
    let en = page.lang.is_en();
    let r = &view.link.registration;
    let period = view.ledger.period;
    let mut facts = vec![
        (
            page.t("登録番号", "Registration number").to_owned(),
            r.number.to_string(),
        ),
        (
            page.t("登録日", "Registration date").to_owned(),
            both_calendars(&page, r.registered_on),
        ),
    ];
    if let Some(renewed) = r.renewed_on {
        facts.push((
            page.t("直近の更新日", "Last renewal").to_owned(),
            both_calendars(&page, renewed),
        ));
    }
    facts.push((
        page.t("今の登録期間", "Current period").to_owned(),
        format!(
            "{} 〜 {}",
            both_calendars(&page, period.starts_on),
            both_calendars(&page, period.expires_on)
        ),
    ));
    facts.push((
        page.t(
            "講習の修了と更新申請の期限",
            "Courses done and renewal applied for by",
        )
        .to_owned(),
        both_calendars(&page, period.apply_by),
    ));
    let items: Vec<ItemRow> = view
        .ledger
        .items
        .iter()
        .map(|i| ItemRow {
            label: i.obligation.label(en),
            window: format!(
                "{} 〜 {}",
                view::date(page.lang, i.window.opens_on),
                view::date(page.lang, i.window.closes_on)
            ),
            deadline: both_calendars(&page, i.window.closes_on),
            state: state_label(&page, &i.state),
            state_code: i.state.code(),
            met_by: match &i.state {
                ItemState::Met { by, .. } => view.entry(by).map(|e| {
                    (
                        e.title.clone(),
                        match &e.source {
                            Source::Koshu {
                                verification_url, ..
                            } => verification_url.clone(),
                            Source::Added(_) => "#courses".to_owned(),
                        },
                    )
                }),
                _ => None,
            },
        })
        .collect();
    let left = view
        .ledger
        .items
        .iter()
        .filter(|i| matches!(i.state, ItemState::Due | ItemState::NotYetOpen))
        .map(|i| {
            format!(
                "{}{}{}",
                i.obligation.label(en),
                page.t("：", ": "),
                if en {
                    format!("by {}", view::date(page.lang, i.window.closes_on))
                } else {
                    format!("{}まで", both_calendars(&page, i.window.closes_on))
                }
            )
        })
        .collect();
    let prefecture = Prefecture::from_code(q.prefecture.trim()).ok();
    let field = state
        .taxonomy
        .itss_field(q.field.trim())
        .map(|f| f.code.clone())
        .unwrap_or_default();
    let sessions = practical_sessions(&state, &page, &view, &field, prefecture);
    let feed_url =
        (q.feed.len() == 48 && q.feed.bytes().all(|b| b.is_ascii_hexdigit())).then(|| {
            format!(
                "{}/holder/calendar/{}.ics",
                state.settings.public_url, q.feed
            )
        });
    rendered(
        StatusCode::OK,
        Dashboard {
            notice,
            linked: true,
            facts,
            confirmed: view.confirmed_by_course.is_some(),
            outlook: view.outlook.label(en).to_owned(),
            outlook_code: view.outlook.code(),
            outlook_text: outlook_text(&page, &view),
            left,
            items,
            courses: course_rows(&page, &view),
            sessions,
            field_options,
            prefecture_options,
            field,
            prefecture: prefecture.map(Prefecture::code).unwrap_or_default(),
            next_reminder: view.next_reminder.map(|d| view::date(page.lang, d)),
            reminders_sent: view
                .reminders_sent
                .iter()
                .rev()
                .map(|(deadline, days)| {
                    if en {
                        format!("{days} days before {}", view::date(page.lang, *deadline))
                    } else {
                        format!("{}の{days}日前", view::date(page.lang, *deadline))
                    }
                })
                .collect(),
            feed_url,
            open_cases: OPEN_CASES
                .iter()
                .map(|(ja, en_text)| page.t(ja, en_text))
                .collect(),
            page,
        },
    )
}

// Adding courses.

fn course_page(
    page: PageCtx,
    form: &CourseForm,
    pasted: &str,
    errors: &[ValidationError],
) -> FormPage {
    let mut f = FormPage::new(
        page.clone(),
        page.t("講習を台帳に追加", "Add a course to your ledger"),
        "/holder/courses/new",
        page.t("追加する", "Add"),
    );
    f.multipart = true;
    f.intro.push(
        page.t(
            "IPA のオンライン講習・実践講習や、Koshu 以外で受けた特定講習を追加できます。Koshu で修了した特定講習は自動で載るため、追加は不要です。",
            "Add IPA's online and practical courses, or designated courses taken elsewhere. Designated courses finished on Koshu appear by themselves.",
        )
        .to_owned(),
    );
    f.intro.push(
        page.t(
            "デジタル修了証（JSON、またはバッジ画像 PNG・SVG）を添付するか貼り付けると、署名を検証し、あなた宛てなら「検証済み」になります。その場合、講習名・実施者・修了日は修了証の記載を使います。PDF や画像の修了証は保存され、「自己申告」として数えます。",
            "Attach or paste a digital certificate (JSON, or a PNG or SVG badge): its signature is checked, and if it names you the course is verified, with the title, provider and date the certificate states. A PDF or image certificate is kept, and the course counts as self-reported.",
        )
        .to_owned(),
    );
    let kinds = CourseKind::ALL
        .iter()
        .map(|k| (k.code().to_owned(), k.label(page.lang.is_en()).to_owned()))
        .collect();
    f.fields = vec![
        FormField::new("kind", page.t("講習の種類", "Kind of course"), "radio")
            .options(kinds)
            .value(&form.kind),
        FormField::new("title", page.t("講習名", "Course title"), "text")
            .value(&form.title)
            .hint(page.t(
                "例：2026年度 オンライン講習",
                "For example: FY2026 online course",
            )),
        FormField::new("provider", page.t("実施者", "Provider"), "text")
            .value(&form.provider)
            .hint(page.t("例：IPA（情報処理推進機構）", "For example: IPA")),
        FormField::new("completed_on", page.t("修了日", "Completion date"), "date")
            .value(&form.completed_on),
        FormField::new("file", page.t("修了証のファイル", "Certificate file"), "file")
            .optional()
            .heading(page.t("修了の証拠", "Evidence"))
            .hint(page.t(
                "PDF、画像（PNG・JPEG）、デジタル修了証（JSON・バッジ画像 PNG・SVG）。20MBまで。",
                "A PDF, an image (PNG, JPEG), or a digital certificate (JSON, PNG or SVG badge); up to 20 MB.",
            )),
        FormField::new(
            "credential",
            page.t("またはデジタル修了証の内容を貼り付け", "Or paste a digital certificate"),
            "textarea",
        )
        .value(pasted)
        .optional(),
    ];
    f.links.push((
        page.t("台帳に戻る", "Back to the ledger").to_owned(),
        page.href("/holder"),
    ));
    f.with_errors(errors)
}

/// `GET /holder/courses/new`.
pub async fn new_course_form(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Learn)?;
    if state.store.holder_link(&me.account.id).await?.is_none() {
        return Ok(Redirect::to(&page.href("/holder/link")).into_response());
    }
    rendered(
        StatusCode::OK,
        course_page(page, &CourseForm::default(), "", &[]),
    )
}

/// `POST /holder/courses/new` (multipart): the fields, a file, or a pasted credential.
pub async fn add_course(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Learn)?;
    let mut input = CourseForm::default();
    let mut pasted = String::new();
    let mut file = None;
    if let Ok(mut form) = form {
        while let Ok(Some(field)) = form.next_field().await {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "file" {
                let file_name = field.file_name().unwrap_or("").trim().to_owned();
                if let Ok(bytes) = field.bytes().await
                    && !bytes.is_empty()
                {
                    file = Some((file_name, bytes));
                }
                continue;
            }
            let text = field.text().await.unwrap_or_default();
            match name.as_str() {
                "kind" => input.kind = text,
                "title" => input.title = text,
                "provider" => input.provider = text,
                "completed_on" => input.completed_on = text,
                "credential" => pasted = text,
                _ => {}
            }
        }
    }
    let evidence = match (file, pasted.trim()) {
        (Some((name, bytes)), _) => Evidence::File { name, bytes },
        (None, "") => Evidence::None,
        (None, text) => Evidence::Credential(text.to_owned()),
    };
    match holders::add_course(&state.workflow, &me.account.id, &input, evidence).await? {
        Ok(_) => Ok(Redirect::to(&page.href("/holder?done=added#courses")).into_response()),
        Err(errors) => rendered(
            StatusCode::UNPROCESSABLE_ENTITY,
            course_page(page, &input, &pasted, &errors),
        ),
    }
}

/// `POST /holder/courses/{id}/remove`.
pub async fn remove_course(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Learn)?;
    holders::remove_course(&state.workflow, &me.account.id, &id).await?;
    Ok(Redirect::to(&page.href("/holder?done=removed#courses")).into_response())
}

/// `GET /holder/courses/{id}/evidence`: the holder's own uploaded certificate.
pub async fn evidence(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Learn)?;
    let (name, media, bytes) = holders::evidence_file(&state.workflow, &me.account.id, &id).await?;
    let media: &'static str = match media.as_str() {
        "application/pdf" => "application/pdf",
        "image/png" => "image/png",
        _ => "image/jpeg",
    };
    let safe_name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(download(media, &safe_name, bytes.to_vec()))
}

// The calendar and the export.

async fn own_view(state: &AppState, auth: &AuthContext) -> Result<HolderView, AppError> {
    let me = auth.require(Action::Learn)?;
    holders::view(&state.workflow, &me.account.id)
        .await?
        .ok_or(AppError::NotFound)
}

const ICS_TYPE: &str = "text/calendar; charset=utf-8";

/// `GET /holder/deadlines.ics`: the deadlines, to import once.
pub async fn deadlines_ics(
    State(state): State<AppState>,
    auth: AuthContext,
) -> Result<Response, AppError> {
    let view = own_view(&state, &auth).await?;
    let text = holders::deadline_calendar(&state.workflow, &view, state.workflow.now());
    Ok(download(ICS_TYPE, "riss-deadlines.ics", text.into_bytes()))
}

/// `POST /holder/calendar`: a new secret feed address (the old one stops working).
pub async fn new_feed(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Learn)?;
    let token = holders::new_calendar_token(&state.workflow, &me.account.id).await?;
    Ok(Redirect::to(&page.href(&format!("/holder?feed={token}#calendar"))).into_response())
}

/// `GET /holder/calendar/{token}.ics`: the feed calendar apps fetch, without signing in; the
/// secret in the address is the permission.
pub async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let text = holders::calendar_feed(&state.workflow, token).await?;
    Ok((
        [
            (header::CONTENT_TYPE, ICS_TYPE),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        text,
    )
        .into_response())
}

/// `GET /holder/export.json`: everything Koshu keeps about the ledger.
pub async fn export_json(
    State(state): State<AppState>,
    auth: AuthContext,
) -> Result<Response, AppError> {
    let view = own_view(&state, &auth).await?;
    let json = serde_json::to_vec_pretty(&holders::export(&view)).map_err(AppError::internal)?;
    Ok(download("application/json", "riss-ledger.json", json))
}

/// `GET /holder/export.csv`: the courses and the obligations, for Excel.
pub async fn export_csv(
    State(state): State<AppState>,
    auth: AuthContext,
) -> Result<Response, AppError> {
    let view = own_view(&state, &auth).await?;
    let export = holders::export(&view);
    let header_row = [
        "区分 / section",
        "項目 / item",
        "開始日 / opens",
        "期限・修了日 / deadline or date",
        "状態 / state",
        "実施者 / provider",
        "確認 / verification",
    ];
    let mut rows: Vec<Vec<String>> = export
        .obligations
        .iter()
        .map(|o| {
            vec![
                "obligation".to_owned(),
                o.obligation.clone(),
                o.opens_on.to_string(),
                o.deadline.to_string(),
                o.state.to_owned(),
                String::new(),
                o.met_by.clone().unwrap_or_default(),
            ]
        })
        .collect();
    rows.extend(export.courses.iter().map(|c| {
        vec![
            format!("course:{}", c.kind),
            c.title.clone(),
            String::new(),
            c.completed_on.to_string(),
            match c.standing {
                Standing::Verified => "verified",
                Standing::SelfReported => "self_reported",
                Standing::Withdrawn => "withdrawn",
            }
            .to_owned(),
            c.provider.clone(),
            c.verification.clone().unwrap_or_default(),
        ]
    }));
    Ok(csv_download("riss-ledger.csv", &header_row, &rows))
}

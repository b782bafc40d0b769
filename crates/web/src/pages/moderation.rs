//! Moderation (issue 14 item 5): a visitor reports a problem with a programme from its page,
//! no account needed (counted per address); the ministry reads the reports, closes them, and
//! hides a programme with a reason its provider reads, or shows it again.

use super::account::{MessagePage, attempt, take_attempts};
use super::forms::{FormField, FormPage, parse};
use super::rendered;
use crate::AppState;
use crate::auth::{AuthContext, ClientAddr, token_digest};
use crate::error::AppError;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_domain::access::rate_limit::REPORT_PER_ADDRESS;
use koshu_domain::types::text::{TextKind, check_text};
use koshu_workflow::moderation::{self, REASONS};
use serde::Deserialize;

fn reason_label(page: &PageCtx, code: &str) -> String {
    match code {
        "outdated" => page.t("情報が古い", "Out of date"),
        "wrong" => page.t("内容に誤りがある", "Wrong"),
        "broken_link" => page.t("リンクが切れている", "Broken link"),
        "inappropriate" => page.t("不適切な内容", "Inappropriate"),
        _ => page.t("その他", "Other"),
    }
    .to_owned()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    reason: String,
    details: String,
    contact: String,
}

fn report_page(
    page: PageCtx,
    id: &str,
    title: &str,
    form: &ReportForm,
    errors: &[ValidationError],
) -> FormPage {
    let mut f = FormPage::new(
        page.clone(),
        &format!(
            "{}：{title}",
            page.t("掲載内容の問題を報告する", "Report a problem")
        ),
        &format!("/programmes/{id}/report"),
        page.t("報告する", "Send the report"),
    );
    f.intro.push(
        page.t(
            "講座の情報に誤りや古い内容、不適切な内容があれば教えてください。経済産業省の担当者が確認し、必要なら講座提供者に修正を求めるか、掲載を止めます。ログインは不要です。",
            "Tell us if this programme's information is wrong, out of date or inappropriate. The ministry checks each report and asks the provider to correct it, or stops showing it. No account is needed.",
        )
        .to_owned(),
    );
    f.fields = vec![
        FormField::new(
            "reason",
            page.t("どのような問題ですか", "What is wrong"),
            "radio",
        )
        .value(&form.reason)
        .options(
            REASONS
                .iter()
                .map(|r| ((*r).to_owned(), reason_label(&page, r)))
                .collect(),
        ),
        FormField::new("details", page.t("詳しい内容", "Details"), "textarea").value(&form.details),
        FormField::new(
            "contact",
            page.t(
                "返信先のメールアドレス（返信が必要な場合）",
                "Your e-mail, if you would like an answer",
            ),
            "email",
        )
        .value(&form.contact)
        .optional(),
    ];
    f.links.push((
        page.t("講座のページに戻る", "Back to the programme")
            .to_owned(),
        page.href(&format!("/programmes/{id}")),
    ));
    f.with_errors(errors)
}

/// The public programme's title, or 404: only what is listed can be reported.
fn listed_title(state: &AppState, id: &str) -> Result<String, AppError> {
    state
        .catalogue
        .index()
        .get(id)
        .map(|l| l.programme.title_ja.clone())
        .ok_or(AppError::NotFound)
}

pub async fn report_form(
    State(state): State<AppState>,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let title = listed_title(&state, &id)?;
    rendered(
        StatusCode::OK,
        report_page(page, &id, &title, &ReportForm::default(), &[]),
    )
}

pub async fn report(
    State(state): State<AppState>,
    page: PageCtx,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let title = listed_title(&state, &id)?;
    let form: ReportForm = parse(&body)?;
    let mut errors = Vec::new();
    if !REASONS.contains(&form.reason.as_str()) {
        errors.push(
            ValidationError::new(
                "report.reason",
                "どのような問題かを選んでください。",
                "Choose what is wrong.",
            )
            .for_field("reason"),
        );
    }
    if form.details.trim().is_empty() {
        errors.push(
            ValidationError::new(
                "report.details",
                "詳しい内容を書いてください。",
                "Say what is wrong.",
            )
            .for_field("details"),
        );
    } else if let Err(e) = check_text(&form.details, TextKind::Multiline) {
        errors.push(e.for_field("details"));
    }
    let contact = form.contact.trim();
    if !contact.is_empty()
        && let Err(e) = koshu_domain::access::Email::parse(contact)
    {
        errors.push(e.for_field("contact"));
    }
    if !errors.is_empty() {
        return rendered(
            StatusCode::BAD_REQUEST,
            report_page(page, &id, &title, &form, &errors),
        );
    }
    take_attempts(&state, &[attempt("report", &addr, REPORT_PER_ADDRESS)]).await?;
    // The log names the visitor by a digest of the address, never the address itself.
    let visitor = format!("visitor:{}", &token_digest(&addr)[..16]);
    moderation::report(
        &state.workflow,
        &id,
        &form.reason,
        form.details.trim(),
        contact,
        &visitor,
    )
    .await?;
    let mut done = MessagePage::new(
        &page,
        page.t("ご報告ありがとうございます", "Thank you for the report"),
        page.t(
            "経済産業省の担当者が確認します。",
            "The ministry will look into it.",
        ),
    );
    done.links.push((
        page.t("講座のページに戻る", "Back to the programme")
            .to_owned(),
        page.href(&format!("/programmes/{id}")),
    ));
    rendered(StatusCode::OK, done)
}

struct ReportRow {
    received: String,
    programme: String,
    programme_href: String,
    reason: String,
    details: String,
    contact: String,
    open: bool,
    close: String,
    hidden: Option<String>,
    hide: String,
    unhide: String,
}

#[derive(Template)]
#[template(path = "ministry_reports.html")]
struct ReportsPage {
    page: PageCtx,
    rows: Vec<ReportRow>,
}

pub async fn reports(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
) -> Result<Response, AppError> {
    auth.require(Action::ReviewApplications)?;
    let mut rows = Vec::new();
    for r in state.store.programme_reports(200).await? {
        let title = state
            .store
            .programme(&r.programme_id)
            .await?
            .map_or_else(|| r.programme_id.clone(), |p| p.programme.title_ja);
        let hidden = state.store.hiding(&r.programme_id).await?.map(|h| h.reason);
        rows.push(ReportRow {
            received: view::date_time(page.lang, r.received_at),
            programme: title,
            programme_href: page.href(&format!("/programmes/{}", r.programme_id)),
            reason: reason_label(&page, &r.reason),
            details: r.details,
            contact: r.contact,
            open: r.closed_at.is_none(),
            close: page.href(&format!("/ministry/reports/{}/close", r.id)),
            hidden,
            hide: page.href(&format!("/ministry/programmes/{}/hide", r.programme_id)),
            unhide: page.href(&format!("/ministry/programmes/{}/unhide", r.programme_id)),
        });
    }
    rendered(StatusCode::OK, ReportsPage { page, rows })
}

pub async fn close_report(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ReviewApplications)?;
    moderation::close_report(
        &state.workflow,
        &id,
        &koshu_workflow::account_actor(&me.account.id),
    )
    .await?;
    Ok(Redirect::to(&page.href("/ministry/reports")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HideForm {
    reason: String,
}

pub async fn hide(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ReviewApplications)?;
    let form: HideForm = parse(&body)?;
    let reason = form.reason.trim();
    if reason.is_empty() {
        return Err(AppError::Invalid(
            ValidationError::new(
                "hide.reason",
                "非表示にする理由を書いてください（講座提供者に表示されます）。",
                "Give the reason for hiding it (its provider reads it).",
            )
            .for_field("reason"),
        ));
    }
    state
        .store
        .programme(&id)
        .await?
        .ok_or(AppError::NotFound)?;
    moderation::hide(
        &state.workflow,
        &id,
        Some(reason),
        &koshu_workflow::account_actor(&me.account.id),
    )
    .await?;
    super::catch_up_index(&state).await;
    Ok(Redirect::to(&page.href("/ministry/reports")).into_response())
}

pub async fn unhide(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let me = auth.require(Action::ReviewApplications)?;
    moderation::hide(
        &state.workflow,
        &id,
        None,
        &koshu_workflow::account_actor(&me.account.id),
    )
    .await?;
    super::catch_up_index(&state).await;
    Ok(Redirect::to(&page.href("/ministry/reports")).into_response())
}

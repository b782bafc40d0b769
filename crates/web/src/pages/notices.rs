//! What a provider files about a designated course: a change notice (様式第3号; C03, C04) and
//! an abolition notice (様式第4号; C05), and a renewal application in the final year (C02).
//! The use cases, and the jobs that apply the notices on their dates, are in
//! `koshu_workflow::designation`.

use super::applications::{self, Need};
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::view::{self, PageCtx};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::access::Action;
use koshu_domain::designation::ChangeItem;
use koshu_domain::types::date_ja::parse_date;
use koshu_store::notices::Notice;
use koshu_workflow::{account_actor, designation};
use serde::Deserialize;

/// A filed notice as a row of the tables of notices (`notices_table.html`, on the provider's
/// application and the ministry's workspace).
pub struct NoticeRow {
    pub kind: String,
    pub effective: String,
    /// The items changed, or the measures for learners of an abolition.
    pub what: String,
    pub reason: String,
    pub state: String,
    /// The notice as 様式第3号 or 第4号: (PDF, workbook).
    pub forms: (String, String),
}

/// The changed items of a notice (its JSON list of codes) by their labels; those that must
/// always be notified (C03) marked as such.
pub fn item_labels(page: &PageCtx, items: &str) -> Vec<String> {
    serde_json::from_str::<Vec<String>>(items)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| ChangeItem::from_code(c))
        .map(|i| {
            let label = page.t(i.label_ja(), i.label_en());
            if i.must_notify() {
                format!("{label}{}", page.t("（届出必須）", " (must be notified)"))
            } else {
                label.to_owned()
            }
        })
        .collect()
}

pub fn rows(page: &PageCtx, notices: Vec<Notice>) -> Vec<NoticeRow> {
    notices
        .into_iter()
        .map(|n| {
            let kind = if n.kind == "change" {
                page.t("変更届（様式第3号）", "Change notice (様式第3号)")
            } else {
                page.t("廃止届（様式第4号）", "Abolition notice (様式第4号)")
            };
            let what = if n.kind == "change" {
                item_labels(page, &n.items).join("、")
            } else {
                n.measures.clone()
            };
            let state = if n.applied_at.is_some() {
                page.t("反映済み", "In effect")
            } else {
                page.t("効力発生待ち", "Waiting for its date")
            };
            let form = page.href(&format!(
                "/applications/{}/notices/{}/form",
                n.application_id, n.id
            ));
            NoticeRow {
                kind: kind.to_owned(),
                effective: view::date(page.lang, n.effective_on),
                what,
                reason: n.reason,
                state: state.to_owned(),
                forms: (format!("{form}.pdf"), format!("{form}.xlsx")),
            }
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeInput {
    effective_on: String,
    reason: String,
}

fn done(page: &PageCtx, id: &str, what: &str) -> Response {
    Redirect::to(&format!(
        "{}?done={what}",
        page.href(&format!("/applications/{id}"))
    ))
    .into_response()
}

pub async fn file_change(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (record, _) = applications::load(&state, &auth, &id, Need::Submit).await?;
    let me = auth.require(Action::SubmitApplication(&record.organisation_id))?;
    let input: ChangeInput = super::forms::parse(&body)?;
    let effective_on = parse_date(&input.effective_on).map_err(|e| e.for_field("effective_on"))?;
    designation::file_change(
        &state.workflow,
        &id,
        effective_on,
        &input.reason,
        &account_actor(&me.account.id),
    )
    .await?;
    Ok(done(&page, &id, "change_filed"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AbolitionInput {
    effective_on: String,
    measures: String,
    reason: String,
}

pub async fn file_abolition(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (record, _) = applications::load(&state, &auth, &id, Need::Submit).await?;
    let me = auth.require(Action::SubmitApplication(&record.organisation_id))?;
    let input: AbolitionInput = super::forms::parse(&body)?;
    let effective_on = parse_date(&input.effective_on).map_err(|e| e.for_field("effective_on"))?;
    designation::file_abolition(
        &state.workflow,
        &id,
        effective_on,
        &input.measures,
        &input.reason,
        &account_actor(&me.account.id),
    )
    .await?;
    Ok(done(&page, &id, "abolition_filed"))
}

/// C02: in the final year, a renewal application starts from the course as it stands.
pub async fn renew(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (record, _) = applications::load(&state, &auth, &id, Need::Edit).await?;
    let me = auth.require(Action::EditApplications(&record.organisation_id))?;
    let new_id = designation::renew(&state.workflow, &id, &account_actor(&me.account.id)).await?;
    Ok(Redirect::to(&page.href(&format!("/applications/{new_id}"))).into_response())
}

//! What a provider files about a designated course: a change notice (様式第3号; C03, C04) and
//! an abolition notice (様式第4号; C05), and a renewal application in the final year (C02).
//! The use cases, and the jobs that apply the notices on their dates, are in
//! `koshu_workflow::designation`.

use super::applications::{self, Need};
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::view::PageCtx;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::access::Action;
use koshu_domain::types::date_ja::parse_date;
use koshu_workflow::{account_actor, designation};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeInput {
    effective_on: String,
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

//! The write API for providers' own systems (issue 14 item 3): an organisation's programmes
//! and sessions under `/api/v1/providers/{organisation}/…`, with an API token of that
//! organisation (`Authorization: Bearer …`; read or write scope; counted per token).
//!
//! Writes are the same use cases as the provider's pages (`koshu_workflow::listings`), held to
//! the same rules. A programme carries its revision as the `ETag`; a change needs it back in
//! `If-Match` (428 without, 412 when it is stale). A POST may carry an `Idempotency-Key`: sent
//! again with the same request, it gets the first answer, and nothing happens twice.

use crate::AppState;
use crate::auth::token_digest;
use crate::error::AppError;
use crate::pages::account::take_attempts;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::policy::{TokenScope, token_allows};
use koshu_domain::access::rate_limit::API_PER_TOKEN;
use koshu_domain::catalogue::Slug;
use koshu_domain::catalogue::listing::{
    ListingMove, ProgrammeText, SessionChange, SessionText, next_session_id,
};
use koshu_domain::designation::publish::provider_slug;
use koshu_store::accounts::Attempt;
use koshu_store::api_tokens::{ApiToken, Idempotent, KeptResponse};
use koshu_store::listings::Listing;
use koshu_workflow::listings;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// The token of the request, once it may act on `organisation` with `needs`.
async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    organisation: &str,
    needs: TokenScope,
) -> Result<ApiToken, AppError> {
    token_for(state, headers, Some(organisation), needs).await
}

/// The token of the request, once it may act with `needs` on `organisation`, or on its own
/// organisation when none is named (the VC-API issues as the token's organisation).
pub(crate) async fn token_for(
    state: &AppState,
    headers: &HeaderMap,
    organisation: Option<&str>,
    needs: TokenScope,
) -> Result<ApiToken, AppError> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(AppError::TokenRequired)?;
    let token = state
        .store
        .api_token_by_digest(&token_digest(secret), state.clock.now())
        .await?
        .ok_or(AppError::TokenRequired)?;
    let scope = TokenScope::from_code(&token.scope).ok_or(AppError::TokenRequired)?;
    let organisation = organisation.unwrap_or(&token.organisation_id);
    if !token_allows(scope, &token.organisation_id, organisation, needs) {
        return Err(AppError::Forbidden);
    }
    take_attempts(
        state,
        &[Attempt {
            kind: "api.token",
            key: &token.id,
            limit: API_PER_TOKEN,
        }],
    )
    .await?;
    Ok(token)
}

/// A listing as the API gives it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingBody {
    /// The programme's id in the catalogue (`/api/v1/programmes/{id}` once published).
    id: String,
    /// `draft`, `published`, `unpublished` or `withdrawn`.
    state: String,
    /// Counts saves; the `ETag` is this number in quotes.
    revision: i64,
    programme: ProgrammeText,
    sessions: Vec<SessionBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionBody {
    id: String,
    cancelled: bool,
    #[serde(flatten)]
    session: SessionText,
}

fn body_of(l: &Listing) -> ListingBody {
    ListingBody {
        id: l.item.programme.id.to_string(),
        state: l.state.code().to_owned(),
        revision: l.revision,
        programme: ProgrammeText::of(&l.item.programme),
        sessions: l
            .item
            .sessions
            .iter()
            .map(|s| SessionBody {
                id: s.id.to_string(),
                cancelled: s.cancelled,
                session: SessionText::of(s),
            })
            .collect(),
    }
}

fn etag(revision: i64) -> String {
    format!("\"{revision}\"")
}

/// An answer of the API: kept whole for an idempotent replay.
struct Reply {
    status: StatusCode,
    body: String,
    etag: Option<String>,
    location: Option<String>,
}

impl Reply {
    fn of(status: StatusCode, l: &Listing, location: Option<String>) -> Result<Self, AppError> {
        Ok(Self {
            status,
            body: serde_json::to_string(&body_of(l)).map_err(AppError::internal)?,
            etag: Some(etag(l.revision)),
            location,
        })
    }

    fn into_response(self) -> Response {
        let mut res = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            self.body,
        )
            .into_response();
        for (name, value) in [(header::ETAG, self.etag), (header::LOCATION, self.location)] {
            if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                res.headers_mut().insert(name, v);
            }
        }
        res
    }
}

/// Runs `work` once per `Idempotency-Key` of the token (when the request carries one): a
/// request sent again gets the first answer.
async fn once<F>(
    state: &AppState,
    token: &ApiToken,
    headers: &HeaderMap,
    request: &[&[u8]],
    work: F,
) -> Result<Response, AppError>
where
    F: Future<Output = Result<Reply, AppError>>,
{
    let Some(key) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
    else {
        return Ok(work.await?.into_response());
    };
    if key.len() > 255 {
        return Err(AppError::Invalid(
            ValidationError::new(
                "idempotency.format",
                "Idempotency-Key は255文字以内にしてください。",
                "An Idempotency-Key has at most 255 characters.",
            )
            .for_field("Idempotency-Key"),
        ));
    }
    let mut digest = Sha256::new();
    for part in request {
        digest.update(part);
        digest.update([0]);
    }
    let digest = hex::encode(digest.finalize());
    match state
        .store
        .reserve_idempotency_key(&token.id, key, &digest, state.clock.now())
        .await?
    {
        Idempotent::Reserved => {}
        Idempotent::InProgress => return Err(AppError::IdempotencyKeyInProgress),
        Idempotent::Mismatch => return Err(AppError::IdempotencyKeyReused),
        Idempotent::Replay(kept) => {
            return Ok(Reply {
                status: StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK),
                body: kept.body,
                etag: kept.etag,
                location: kept.location,
            }
            .into_response());
        }
    }
    match work.await {
        Ok(reply) => {
            let kept = KeptResponse {
                status: reply.status.as_u16(),
                body: reply.body.clone(),
                etag: reply.etag.clone(),
                location: reply.location.clone(),
            };
            state
                .store
                .keep_idempotent_response(&token.id, key, &kept)
                .await?;
            Ok(reply.into_response())
        }
        Err(e) => {
            // Nothing was done: the key is free for the corrected request.
            state.store.release_idempotency_key(&token.id, key).await?;
            Err(e)
        }
    }
}

/// The revision `If-Match` names: 428 without it.
fn if_match(headers: &HeaderMap) -> Result<i64, AppError> {
    let value = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .ok_or(AppError::PreconditionRequired)?;
    value
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map_err(|_| AppError::PreconditionFailed)
}

/// A body as JSON of type `T`, or the 400 that says where it is wrong.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| {
        AppError::Invalid(ValidationError::new(
            "body.format",
            format!(
                "本文を JSON として読み取れませんでした（{}行{}列）。",
                e.line(),
                e.column()
            ),
            format!(
                "The body could not be read as JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        ))
    })
}

fn rules(errors: Vec<ValidationError>) -> AppError {
    AppError::Rules(errors)
}

/// The organisation's listing `programme`.
async fn listing(
    state: &AppState,
    organisation: &str,
    programme: &str,
) -> Result<Listing, AppError> {
    state
        .store
        .listing(programme)
        .await?
        .filter(|l| l.organisation_id == organisation)
        .ok_or(AppError::NotFound)
}

/// A use case's outcome: the refused rules as a 400, a stale revision as a 412.
fn checked<T>(
    outcome: Result<listings::Checked<T>, koshu_workflow::WorkflowError>,
) -> Result<T, AppError> {
    match outcome {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(errors)) => Err(rules(errors)),
        Err(koshu_workflow::WorkflowError::Conflict(koshu_store::Conflict::RevisionChanged)) => {
            Err(AppError::PreconditionFailed)
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn actor(token: &ApiToken) -> String {
    format!("api_token:{}", token.id)
}

/// List the organisation's programmes
///
/// Every programme the organisation lists, drafts included, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/providers/{organisation}/programmes",
    tag = "providers",
    params(("organisation" = String, Path, description = "The organisation's id in Koshu.")),
    security(("token" = [])),
    responses(
        (status = 200, description = "The programmes", body = Vec<ListingBody>),
        (status = 401, description = "No valid token", body = super::dto::Error),
        (status = 403, description = "A token of another organisation", body = super::dto::Error),
        (status = 429, description = "Too many requests with this token", body = super::dto::Error),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(organisation): Path<String>,
) -> Result<Response, AppError> {
    caller(&state, &headers, &organisation, TokenScope::Read).await?;
    let all: Vec<ListingBody> = state
        .store
        .listings_of(&organisation)
        .await?
        .iter()
        .map(body_of)
        .collect();
    Ok(Json(all).into_response())
}

/// Get one programme
#[utoipa::path(
    get,
    path = "/api/v1/providers/{organisation}/programmes/{programme}",
    tag = "providers",
    params(
        ("organisation" = String, Path, description = "The organisation's id in Koshu."),
        ("programme" = String, Path, description = "The programme's id."),
    ),
    security(("token" = [])),
    responses(
        (status = 200, description = "The programme; its revision is the ETag", body = ListingBody),
        (status = 401, description = "No valid token", body = super::dto::Error),
        (status = 403, description = "A token of another organisation", body = super::dto::Error),
        (status = 404, description = "No such programme of this organisation", body = super::dto::Error),
        (status = 429, description = "Too many requests with this token", body = super::dto::Error),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((organisation, programme)): Path<(String, String)>,
) -> Result<Response, AppError> {
    caller(&state, &headers, &organisation, TokenScope::Read).await?;
    let l = listing(&state, &organisation, &programme).await?;
    Ok(Reply::of(StatusCode::OK, &l, None)?.into_response())
}

/// List a programme (a draft)
///
/// Checked as the provider's form is (A02); publish it with `…/publish`. With an
/// `Idempotency-Key`, sending it again answers as the first time and lists nothing twice.
#[utoipa::path(
    post,
    path = "/api/v1/providers/{organisation}/programmes",
    tag = "providers",
    params(
        ("organisation" = String, Path, description = "The organisation's id in Koshu."),
        ("Idempotency-Key" = Option<String>, Header, description = "Any unique string (at most 255 characters)."),
    ),
    request_body = ProgrammeText,
    security(("token" = [])),
    responses(
        (status = 201, description = "Listed as a draft", body = ListingBody),
        (status = 400, description = "The rules it breaks, each with its field", body = super::dto::Error),
        (status = 401, description = "No valid token", body = super::dto::Error),
        (status = 403, description = "A read token, or one of another organisation", body = super::dto::Error),
        (status = 409, description = "The first request with this Idempotency-Key is still being answered", body = super::dto::Error),
        (status = 422, description = "The Idempotency-Key was used for another request", body = super::dto::Error),
        (status = 429, description = "Too many requests with this token", body = super::dto::Error),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(organisation): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let token = caller(&state, &headers, &organisation, TokenScope::Write).await?;
    let path = format!("/api/v1/providers/{organisation}/programmes");
    once(
        &state,
        &token,
        &headers,
        &[b"POST", path.as_bytes(), &body],
        async {
            let text: ProgrammeText = json_body(&body)?;
            let org = state
                .store
                .organisation(&organisation)
                .await?
                .ok_or(AppError::NotFound)?;
            let programme = text
                .parse(
                    listings::new_programme_id(),
                    provider_slug(&org.organisation)?,
                )
                .map_err(rules)?;
            let id = checked(
                listings::create(&state.workflow, &org.id, programme, &actor(&token)).await,
            )?;
            let l = listing(&state, &organisation, id.as_str()).await?;
            Reply::of(StatusCode::CREATED, &l, Some(format!("{path}/{id}")))
        },
    )
    .await
}

/// Replace a programme's facts
///
/// The whole programme, as `GET` gives its `programme`; `If-Match` with the ETag you read. A
/// published programme is public with the change at once, so it must stay publishable.
#[utoipa::path(
    put,
    path = "/api/v1/providers/{organisation}/programmes/{programme}",
    tag = "providers",
    params(
        ("organisation" = String, Path, description = "The organisation's id in Koshu."),
        ("programme" = String, Path, description = "The programme's id."),
        ("If-Match" = String, Header, description = "The ETag of the revision the change was made on."),
    ),
    request_body = ProgrammeText,
    security(("token" = [])),
    responses(
        (status = 200, description = "Saved; the new revision is the ETag", body = ListingBody),
        (status = 400, description = "The rules it breaks, each with its field", body = super::dto::Error),
        (status = 401, description = "No valid token", body = super::dto::Error),
        (status = 403, description = "A read token, or one of another organisation", body = super::dto::Error),
        (status = 404, description = "No such programme of this organisation", body = super::dto::Error),
        (status = 412, description = "Changed since the ETag you sent: read it again", body = super::dto::Error),
        (status = 428, description = "No If-Match", body = super::dto::Error),
        (status = 429, description = "Too many requests with this token", body = super::dto::Error),
    )
)]
pub async fn replace(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((organisation, programme)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let token = caller(&state, &headers, &organisation, TokenScope::Write).await?;
    let current = listing(&state, &organisation, &programme).await?;
    let revision = if_match(&headers)?;
    let text: ProgrammeText = json_body(&body)?;
    let parsed = text
        .parse(
            current.item.programme.id.clone(),
            current.item.programme.provider.clone(),
        )
        .map_err(rules)?;
    checked(listings::save(&state.workflow, parsed, revision, &actor(&token)).await)?;
    crate::pages::catch_up_index(&state).await;
    let l = listing(&state, &organisation, &programme).await?;
    Ok(Reply::of(StatusCode::OK, &l, None)?.into_response())
}

/// Publish, unpublish or withdraw a programme
///
/// `action` is `publish` (every rule a public programme must meet is checked: A02, A04),
/// `unpublish` or `withdraw` (for good); `If-Match` with the ETag you read.
#[utoipa::path(
    post,
    path = "/api/v1/providers/{organisation}/programmes/{programme}/{action}",
    tag = "providers",
    params(
        ("organisation" = String, Path, description = "The organisation's id in Koshu."),
        ("programme" = String, Path, description = "The programme's id."),
        ("action" = String, Path, description = "`publish`, `unpublish` or `withdraw`."),
        ("If-Match" = String, Header, description = "The ETag of the revision the change was made on."),
        ("Idempotency-Key" = Option<String>, Header, description = "Any unique string (at most 255 characters)."),
    ),
    security(("token" = [])),
    responses(
        (status = 200, description = "Done; the new revision is the ETag", body = ListingBody),
        (status = 400, description = "Not allowed in its state, or the rules publishing needs", body = super::dto::Error),
        (status = 401, description = "No valid token", body = super::dto::Error),
        (status = 403, description = "A read token, or one of another organisation", body = super::dto::Error),
        (status = 404, description = "No such programme or action", body = super::dto::Error),
        (status = 409, description = "The first request with this Idempotency-Key is still being answered", body = super::dto::Error),
        (status = 412, description = "Changed since the ETag you sent: read it again", body = super::dto::Error),
        (status = 422, description = "The Idempotency-Key was used for another request", body = super::dto::Error),
        (status = 428, description = "No If-Match", body = super::dto::Error),
        (status = 429, description = "Too many requests with this token", body = super::dto::Error),
    )
)]
pub async fn change_state(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((organisation, programme, action)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let token = caller(&state, &headers, &organisation, TokenScope::Write).await?;
    let m = match action.as_str() {
        "publish" => ListingMove::Publish,
        "unpublish" => ListingMove::Unpublish,
        "withdraw" => ListingMove::Withdraw,
        _ => return Err(AppError::NotFound),
    };
    listing(&state, &organisation, &programme).await?;
    let revision = if_match(&headers)?;
    let path = format!("/api/v1/providers/{organisation}/programmes/{programme}/{action}");
    let tag = revision.to_string();
    once(
        &state,
        &token,
        &headers,
        &[b"POST", path.as_bytes(), tag.as_bytes()],
        async {
            checked(
                listings::change_state(&state.workflow, &programme, revision, m, &actor(&token))
                    .await,
            )?;
            crate::pages::catch_up_index(&state).await;
            let l = listing(&state, &organisation, &programme).await?;
            Reply::of(StatusCode::OK, &l, None)
        },
    )
    .await
}

/// Add a session
///
/// Its id is given by Koshu. `If-Match` with the programme's ETag.
#[utoipa::path(
    post,
    path = "/api/v1/providers/{organisation}/programmes/{programme}/sessions",
    tag = "providers",
    params(
        ("organisation" = String, Path, description = "The organisation's id in Koshu."),
        ("programme" = String, Path, description = "The programme's id."),
        ("If-Match" = String, Header, description = "The ETag of the revision the change was made on."),
        ("Idempotency-Key" = Option<String>, Header, description = "Any unique string (at most 255 characters)."),
    ),
    request_body = SessionText,
    security(("token" = [])),
    responses(
        (status = 201, description = "Added; the programme with its new revision as the ETag", body = ListingBody),
        (status = 400, description = "The rules it breaks, each with its field", body = super::dto::Error),
        (status = 401, description = "No valid token", body = super::dto::Error),
        (status = 403, description = "A read token, or one of another organisation", body = super::dto::Error),
        (status = 404, description = "No such programme of this organisation", body = super::dto::Error),
        (status = 409, description = "The first request with this Idempotency-Key is still being answered", body = super::dto::Error),
        (status = 412, description = "Changed since the ETag you sent: read it again", body = super::dto::Error),
        (status = 422, description = "The Idempotency-Key was used for another request", body = super::dto::Error),
        (status = 428, description = "No If-Match", body = super::dto::Error),
        (status = 429, description = "Too many requests with this token", body = super::dto::Error),
    )
)]
pub async fn add_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((organisation, programme)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let token = caller(&state, &headers, &organisation, TokenScope::Write).await?;
    let current = listing(&state, &organisation, &programme).await?;
    let revision = if_match(&headers)?;
    let path = format!("/api/v1/providers/{organisation}/programmes/{programme}/sessions");
    once(
        &state,
        &token,
        &headers,
        &[b"POST", path.as_bytes(), &body],
        async {
            let text: SessionText = json_body(&body)?;
            let id = next_session_id(&current.item.programme.id, &current.item.sessions)?;
            let session = text
                .parse(id, current.item.programme.id.clone())
                .map_err(rules)?;
            session_change(
                &state,
                &token,
                &current,
                revision,
                SessionChange::Add(session),
            )
            .await?;
            let l = listing(&state, &organisation, &programme).await?;
            Reply::of(StatusCode::CREATED, &l, None)
        },
    )
    .await
}

/// A session change made on `revision` (the listing's ETag).
async fn session_change(
    state: &AppState,
    token: &ApiToken,
    current: &Listing,
    revision: i64,
    change: SessionChange,
) -> Result<Slug, AppError> {
    if revision != current.revision {
        return Err(AppError::PreconditionFailed);
    }
    let done = checked(
        listings::change_session(
            &state.workflow,
            current.item.programme.id.as_str(),
            change,
            &actor(token),
        )
        .await,
    )?;
    crate::pages::catch_up_index(state).await;
    Ok(done)
}

/// Replace a session
#[utoipa::path(
    put,
    path = "/api/v1/providers/{organisation}/programmes/{programme}/sessions/{session}",
    tag = "providers",
    params(
        ("organisation" = String, Path, description = "The organisation's id in Koshu."),
        ("programme" = String, Path, description = "The programme's id."),
        ("session" = String, Path, description = "The session's id."),
        ("If-Match" = String, Header, description = "The ETag of the revision the change was made on."),
    ),
    request_body = SessionText,
    security(("token" = [])),
    responses(
        (status = 200, description = "Saved; the programme with its new revision as the ETag", body = ListingBody),
        (status = 400, description = "The rules it breaks, each with its field", body = super::dto::Error),
        (status = 401, description = "No valid token", body = super::dto::Error),
        (status = 403, description = "A read token, or one of another organisation", body = super::dto::Error),
        (status = 404, description = "No such programme or session", body = super::dto::Error),
        (status = 412, description = "Changed since the ETag you sent: read it again", body = super::dto::Error),
        (status = 428, description = "No If-Match", body = super::dto::Error),
        (status = 429, description = "Too many requests with this token", body = super::dto::Error),
    )
)]
pub async fn replace_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((organisation, programme, session)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let token = caller(&state, &headers, &organisation, TokenScope::Write).await?;
    let current = listing(&state, &organisation, &programme).await?;
    let id = Slug::parse(&session).map_err(|_| AppError::NotFound)?;
    if !current.item.sessions.iter().any(|s| s.id == id) {
        return Err(AppError::NotFound);
    }
    let revision = if_match(&headers)?;
    let text: SessionText = json_body(&body)?;
    let parsed = text
        .parse(id, current.item.programme.id.clone())
        .map_err(rules)?;
    session_change(
        &state,
        &token,
        &current,
        revision,
        SessionChange::Edit(parsed),
    )
    .await?;
    let l = listing(&state, &organisation, &programme).await?;
    Ok(Reply::of(StatusCode::OK, &l, None)?.into_response())
}

/// Cancel a session
///
/// It stays listed, as cancelled (中止).
#[utoipa::path(
    post,
    path = "/api/v1/providers/{organisation}/programmes/{programme}/sessions/{session}/cancel",
    tag = "providers",
    params(
        ("organisation" = String, Path, description = "The organisation's id in Koshu."),
        ("programme" = String, Path, description = "The programme's id."),
        ("session" = String, Path, description = "The session's id."),
        ("If-Match" = String, Header, description = "The ETag of the revision the change was made on."),
        ("Idempotency-Key" = Option<String>, Header, description = "Any unique string (at most 255 characters)."),
    ),
    security(("token" = [])),
    responses(
        (status = 200, description = "Cancelled; the programme with its new revision as the ETag", body = ListingBody),
        (status = 401, description = "No valid token", body = super::dto::Error),
        (status = 403, description = "A read token, or one of another organisation", body = super::dto::Error),
        (status = 404, description = "No such programme or session", body = super::dto::Error),
        (status = 409, description = "The first request with this Idempotency-Key is still being answered", body = super::dto::Error),
        (status = 412, description = "Changed since the ETag you sent: read it again", body = super::dto::Error),
        (status = 422, description = "The Idempotency-Key was used for another request", body = super::dto::Error),
        (status = 428, description = "No If-Match", body = super::dto::Error),
        (status = 429, description = "Too many requests with this token", body = super::dto::Error),
    )
)]
pub async fn cancel_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((organisation, programme, session)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let token = caller(&state, &headers, &organisation, TokenScope::Write).await?;
    let current = listing(&state, &organisation, &programme).await?;
    let id = Slug::parse(&session).map_err(|_| AppError::NotFound)?;
    if !current.item.sessions.iter().any(|s| s.id == id) {
        return Err(AppError::NotFound);
    }
    let revision = if_match(&headers)?;
    let path = format!(
        "/api/v1/providers/{organisation}/programmes/{programme}/sessions/{session}/cancel"
    );
    let tag = revision.to_string();
    once(
        &state,
        &token,
        &headers,
        &[b"POST", path.as_bytes(), tag.as_bytes()],
        async {
            session_change(
                &state,
                &token,
                &current,
                revision,
                SessionChange::Cancel(id.clone()),
            )
            .await?;
            let l = listing(&state, &organisation, &programme).await?;
            Reply::of(StatusCode::OK, &l, None)
        },
    )
    .await
}

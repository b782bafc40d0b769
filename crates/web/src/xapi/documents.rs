//! The document resources (State, Activity Profile, Agent Profile) with their ETag
//! concurrency, and the Activities and Agents resources.

use super::statements::{agent_param, http_date};
use super::{LrsClient, MAX_DOCUMENT_BYTES, Params, media_type, parameter_error, reads};
use crate::AppState;
use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, on};
use koshu_domain::xapi::{self, XapiVersion};
use koshu_store::xapi::DocumentKey;
use koshu_workflow::xapi::{DocumentWrite, Preconditions, PutPrecondition, SentDocument};
use serde_json::{Value, json};

/// Which document resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    State,
    ActivityProfile,
    AgentProfile,
}

impl Resource {
    fn kind(self) -> &'static str {
        match self {
            Self::State => "state",
            Self::ActivityProfile => "activity_profile",
            Self::AgentProfile => "agent_profile",
        }
    }

    /// The parameter naming one document.
    fn id_param(self) -> &'static str {
        match self {
            Self::State => "stateId",
            Self::ActivityProfile | Self::AgentProfile => "profileId",
        }
    }

    fn known(self) -> &'static [&'static str] {
        match self {
            Self::State => &["activityId", "agent", "registration", "stateId", "since"],
            Self::ActivityProfile => &["activityId", "profileId", "since"],
            Self::AgentProfile => &["agent", "profileId", "since"],
        }
    }

    /// When a PUT must name the document it replaces, by version.
    fn put_precondition(self, version: XapiVersion) -> PutPrecondition {
        match (self, version) {
            (_, XapiVersion::V2_0_0) => PutPrecondition::WhenExists,
            (Self::State, XapiVersion::V1_0_3) => PutPrecondition::Optional,
            (_, XapiVersion::V1_0_3) => PutPrecondition::Always,
        }
    }
}

/// GET, HEAD, PUT, POST and DELETE of one document resource.
pub fn router(resource: Resource) -> MethodRouter<AppState> {
    use axum::routing::MethodFilter;
    let filter = MethodFilter::GET
        .or(MethodFilter::HEAD)
        .or(MethodFilter::PUT)
        .or(MethodFilter::POST)
        .or(MethodFilter::DELETE);
    on(
        filter,
        move |State(state): State<AppState>,
              client: LrsClient,
              method: Method,
              headers: HeaderMap,
              RawQuery(query): RawQuery,
              body: Bytes| async move {
            document(
                &state,
                &client,
                resource,
                &method,
                &headers,
                query.as_deref(),
                body,
            )
            .await
        },
    )
    .layer(axum::extract::DefaultBodyLimit::max(MAX_DOCUMENT_BYTES))
}

/// The keys a request names, checked.
struct Address {
    activity_id: String,
    agent: String,
    registration: String,
}

fn address(resource: Resource, params: &Params) -> Result<Address, AppError> {
    let activity_id = match resource {
        Resource::AgentProfile => String::new(),
        _ => {
            let id = params.required("activityId")?;
            if !xapi::is_iri(id) {
                return Err(parameter_error(
                    "activityId",
                    "xapi.parameter.iri",
                    "IRI で指定してください。",
                    "Give an IRI.",
                ));
            }
            id.to_owned()
        }
    };
    let agent = match resource {
        Resource::ActivityProfile => String::new(),
        _ => agent_param(params.required("agent")?)?,
    };
    let registration = match params.get("registration") {
        None => String::new(),
        Some(r) if xapi::is_uuid(r) => r.to_ascii_lowercase(),
        Some(_) => {
            return Err(parameter_error(
                "registration",
                "xapi.parameter.uuid",
                "UUID で指定してください。",
                "Give a UUID.",
            ));
        }
    };
    Ok(Address {
        activity_id,
        agent,
        registration,
    })
}

fn preconditions(headers: &HeaderMap) -> Preconditions {
    let unquote = |v: &str| {
        v.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_owned()
    };
    Preconditions {
        if_match: headers
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(unquote),
        if_none_match: headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() == "*"),
    }
}

fn quoted(etag: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("\"{etag}\"")).ok()
}

async fn document(
    state: &AppState,
    client: &LrsClient,
    resource: Resource,
    method: &Method,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Bytes,
) -> Result<Response, AppError> {
    let params = Params::parse(query, resource.known())?;
    let at = address(resource, &params)?;
    let key = DocumentKey {
        organisation_id: &client.organisation_id,
        kind: resource.kind(),
        activity_id: &at.activity_id,
        agent: &at.agent,
        registration: &at.registration,
    };
    let id_param = resource.id_param();
    let document_id = params.get(id_param);
    if reads(method) {
        let Some(id) = document_id else {
            let since = params
                .get("since")
                .map(|s| {
                    xapi::parse_timestamp(s).ok_or_else(|| {
                        parameter_error(
                            "since",
                            "xapi.parameter.timestamp",
                            "ISO 8601 の日時で指定してください。",
                            "Give an ISO 8601 timestamp.",
                        )
                    })
                })
                .transpose()?;
            let ids = state.store.xapi_document_ids(&key, since).await?;
            return Ok(axum::Json(ids).into_response());
        };
        if params.get("since").is_some() {
            return Err(parameter_error(
                "since",
                "xapi.parameter.combination",
                &format!("since は {id_param} と一緒に使えません。"),
                &format!("since cannot be used with {id_param}."),
            ));
        }
        let found = state
            .store
            .xapi_document(&key, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut res = (
            [(header::CONTENT_TYPE, found.content_type.clone())],
            found.content,
        )
            .into_response();
        if let Some(tag) = quoted(&found.etag) {
            res.headers_mut().insert(header::ETAG, tag);
        }
        if let Ok(v) = HeaderValue::from_str(&http_date(found.updated)) {
            res.headers_mut().insert(header::LAST_MODIFIED, v);
        }
        return Ok(res);
    }
    if params.get("since").is_some() {
        return Err(parameter_error(
            "since",
            "xapi.parameter.unknown",
            "since は取得（GET）でだけ使えます。",
            "since is for GET only.",
        ));
    }
    let preconditions = preconditions(headers);
    if *method == Method::DELETE {
        if document_id.is_none() && resource != Resource::State {
            params.required(id_param)?;
        }
        koshu_workflow::xapi::delete_documents(&state.workflow, &key, document_id, &preconditions)
            .await?;
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let id = params.required(id_param)?;
    let write = if *method == Method::POST {
        DocumentWrite::Merge
    } else {
        DocumentWrite::Replace
    };
    let content_type = match media_type(headers) {
        t if t.is_empty() => "application/octet-stream".to_owned(),
        t => t,
    };
    let etag = koshu_workflow::xapi::write_document(
        &state.workflow,
        &key,
        SentDocument {
            document_id: id,
            content_type: &content_type,
            content: body.to_vec(),
            write,
        },
        &preconditions,
        resource.put_precondition(client.version),
    )
    .await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Some(tag) = quoted(&etag) {
        res.headers_mut().insert(header::ETAG, tag);
    }
    Ok(res)
}

/// The Activities resource: the activity with the latest definition a statement gave it.
pub(super) async fn activity(
    State(state): State<AppState>,
    client: LrsClient,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let params = Params::parse(query.as_deref(), &["activityId"])?;
    let id = params.required("activityId")?;
    if !xapi::is_iri(id) {
        return Err(parameter_error(
            "activityId",
            "xapi.parameter.iri",
            "IRI で指定してください。",
            "Give an IRI.",
        ));
    }
    let mut activity = json!({"objectType": "Activity", "id": id});
    if let Some(definition) = state
        .store
        .xapi_activity(&client.organisation_id, id)
        .await?
    {
        activity["definition"] = serde_json::from_str(&definition).map_err(AppError::internal)?;
    }
    Ok(axum::Json(activity).into_response())
}

/// The Agents resource: the person an agent's identifier names, as Koshu knows it.
pub(super) async fn person(
    _client: LrsClient,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let params = Params::parse(query.as_deref(), &["agent"])?;
    let raw = params.required("agent")?;
    agent_param(raw)?;
    let agent: Value = serde_json::from_str(raw).map_err(AppError::internal)?;
    let mut person = json!({"objectType": "Person"});
    for key in ["name", "mbox", "mbox_sha1sum", "openid", "account"] {
        if let Some(value) = agent.get(key) {
            person[key] = json!([value]);
        }
    }
    Ok(axum::Json(person).into_response())
}

//! The Statement Resource: POST (one or many, JSON or multipart/mixed with attachments), PUT
//! (one, under its id), GET (one by id or voided id, or filtered with `more` pages).

use super::multipart::{self, Part};
use super::{LrsClient, Params, media_type, parameter_error};
use crate::AppState;
use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use koshu_domain::ValidationError;
use koshu_domain::xapi;
use koshu_store::xapi::{KeptStatement, StatementQuery};
use koshu_workflow::xapi::{AttachmentData, Sender};
use serde_json::{Value, json};
use std::collections::HashSet;
use time::OffsetDateTime;

/// The most statements one request may carry; more is a 400 that says so.
pub const MAX_BATCH: usize = 1_000;
/// The most statements one page of GET returns (also what `limit=0` means).
const MAX_PAGE: u32 = 500;

const CONSISTENT_THROUGH: HeaderName =
    HeaderName::from_static("x-experience-api-consistent-through");
const HASH: &str = "x-experience-api-hash";

fn invalid(code: &'static str, field: &str, ja: &str, en: &str) -> AppError {
    AppError::Invalid(ValidationError::new(code, ja, en).for_field(field))
}

/// The statements and attachments of a POST or PUT body.
fn read_body(headers: &HeaderMap, body: &[u8]) -> Result<(Value, Vec<AttachmentData>), AppError> {
    let media = media_type(headers);
    if media == "application/json" {
        return Ok((parse_json(body)?, Vec::new()));
    }
    let Some(boundary) = multipart::boundary(headers) else {
        return Err(invalid(
            "xapi.content_type",
            "Content-Type",
            "ステートメントは application/json か multipart/mixed で送ってください。",
            "Send statements as application/json or multipart/mixed.",
        ));
    };
    let parts = multipart::parse(body, &boundary).ok_or_else(|| {
        invalid(
            "xapi.multipart.format",
            "body",
            "multipart/mixed の本文を読み取れませんでした（境界や改行 CRLF を確かめてください）。",
            "The multipart/mixed body could not be read (check its boundary and CRLF line ends).",
        )
    })?;
    let mut parts = parts.into_iter();
    let first = parts.next().filter(|p| {
        p.header("content-type")
            .and_then(|t| t.split(';').next())
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    });
    let Some(first) = first else {
        return Err(invalid(
            "xapi.multipart.statements",
            "body",
            "multipart/mixed の最初の部分は application/json のステートメントにしてください。",
            "The first part of multipart/mixed must be the statements, as application/json.",
        ));
    };
    let statements = parse_json(&first.body)?;
    let attachments = parts
        .map(|part| {
            let sha2 = part.header(HASH).ok_or_else(|| {
                invalid(
                    "xapi.multipart.hash",
                    HASH,
                    "添付の部分には X-Experience-API-Hash ヘッダーが必要です。",
                    "Each attachment part needs an X-Experience-API-Hash header.",
                )
            })?;
            let binary = part
                .header("content-transfer-encoding")
                .is_some_and(|e| e.eq_ignore_ascii_case("binary"));
            if !binary {
                return Err(invalid(
                    "xapi.multipart.encoding",
                    "Content-Transfer-Encoding",
                    "添付の部分には Content-Transfer-Encoding: binary が必要です。",
                    "Each attachment part needs Content-Transfer-Encoding: binary.",
                ));
            }
            Ok(AttachmentData {
                sha2: sha2.to_owned(),
                content_type: part
                    .header("content-type")
                    .unwrap_or("application/octet-stream")
                    .to_owned(),
                content: part.body,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok((statements, attachments))
}

fn parse_json(body: &[u8]) -> Result<Value, AppError> {
    serde_json::from_slice(body).map_err(|e| {
        invalid(
            "xapi.json",
            "body",
            &format!(
                "本文を JSON として読み取れませんでした（{}行{}列）。",
                e.line(),
                e.column()
            ),
            &format!(
                "The body could not be read as JSON (line {}, column {}).",
                e.line(),
                e.column()
            ),
        )
    })
}

fn sender(client: &LrsClient) -> Sender<'_> {
    Sender {
        organisation_id: &client.organisation_id,
        authority: &client.authority,
        version: client.version,
    }
}

/// POST: one statement or an array of them; answers their ids.
pub(super) async fn post(
    State(state): State<AppState>,
    client: LrsClient,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, AppError> {
    Params::parse(query.as_deref(), &[])?;
    let (statements, attachments) = read_body(&headers, &body)?;
    let statements = match statements {
        Value::Array(all) => all,
        one @ Value::Object(_) => vec![one],
        _ => {
            return Err(invalid(
                "xapi.statement",
                "body",
                "ステートメント（オブジェクト）か、その配列を送ってください。",
                "Send a statement (an object) or an array of them.",
            ));
        }
    };
    if statements.len() > MAX_BATCH {
        return Err(invalid(
            "xapi.batch.too_many",
            "body",
            &format!("一度に送れるステートメントは{MAX_BATCH}件までです。分けて送ってください。"),
            &format!("At most {MAX_BATCH} statements go in one request: send them in parts."),
        ));
    }
    let ids = koshu_workflow::xapi::store_statements(
        &state.workflow,
        &sender(&client),
        statements,
        attachments,
    )
    .await?;
    Ok(axum::Json(ids).into_response())
}

/// PUT: one statement under the `statementId` it names.
pub(super) async fn put(
    State(state): State<AppState>,
    client: LrsClient,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, AppError> {
    let params = Params::parse(query.as_deref(), &["statementId"])?;
    let id = params.required("statementId")?;
    if !xapi::is_uuid(id) {
        return Err(parameter_error(
            "statementId",
            "xapi.parameter.uuid",
            "UUID で指定してください。",
            "Give a UUID.",
        ));
    }
    let (mut statement, attachments) = read_body(&headers, &body)?;
    let Some(object) = statement.as_object_mut() else {
        return Err(invalid(
            "xapi.statement",
            "body",
            "PUT ではステートメントを一つ（オブジェクト）送ってください。",
            "PUT takes one statement (an object).",
        ));
    };
    match object.get("id").and_then(Value::as_str) {
        Some(given) if !given.eq_ignore_ascii_case(id) => {
            return Err(invalid(
                "xapi.statement.id_mismatch",
                "id",
                "本文の id が statementId と違います。",
                "The body's id differs from statementId.",
            ));
        }
        _ => {
            object.insert("id".into(), Value::String(id.to_owned()));
        }
    }
    koshu_workflow::xapi::store_statements(
        &state.workflow,
        &sender(&client),
        vec![statement],
        attachments,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

const FILTERS: [&str; 15] = [
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "cursor",
];

/// How statements are returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Exact,
    Ids,
    Canonical,
}

fn flag(params: &Params, name: &str) -> Result<bool, AppError> {
    match params.get(name) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(parameter_error(
            name,
            "xapi.parameter.boolean",
            "true か false で指定してください。",
            "Give true or false.",
        )),
    }
}

fn timestamp(params: &Params, name: &str) -> Result<Option<i64>, AppError> {
    params
        .get(name)
        .map(|v| {
            xapi::parse_timestamp(v)
                .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX))
                .ok_or_else(|| {
                    parameter_error(
                        name,
                        "xapi.parameter.timestamp",
                        "ISO 8601 の日時で指定してください。",
                        "Give an ISO 8601 timestamp.",
                    )
                })
        })
        .transpose()
}

fn iri(params: &Params, name: &str) -> Result<Option<String>, AppError> {
    params
        .get(name)
        .map(|v| {
            if xapi::is_iri(v) {
                Ok(v.to_owned())
            } else {
                Err(parameter_error(
                    name,
                    "xapi.parameter.iri",
                    "IRI で指定してください。",
                    "Give an IRI.",
                ))
            }
        })
        .transpose()
}

/// The `agent` parameter, as the identifier the store matches.
pub(super) fn agent_param(value: &str) -> Result<String, AppError> {
    let agent: Value = serde_json::from_str(value).map_err(|_| {
        parameter_error(
            "agent",
            "xapi.parameter.agent",
            "エージェントを JSON で指定してください。",
            "Give the agent as JSON.",
        )
    })?;
    xapi::validate_agent_param(&agent).map_err(|e| AppError::Invalid(e.for_field("agent")))?;
    xapi::agent_ifi(&agent).ok_or_else(|| {
        parameter_error(
            "agent",
            "xapi.parameter.agent",
            "エージェントには識別子が一つだけ必要です。",
            "The agent needs exactly one identifier.",
        )
    })
}

/// A time as HTTP dates are written (`Last-Modified`).
pub(super) fn http_date(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The reader's languages from `Accept-Language`, most preferred first.
fn languages(headers: &HeaderMap) -> Vec<String> {
    let Some(value) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Vec::new();
    };
    let mut weighted: Vec<(String, f32)> = value
        .split(',')
        .filter_map(|item| {
            let mut bits = item.split(';');
            let tag = bits.next()?.trim();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                .unwrap_or(1.0);
            (!tag.is_empty() && tag != "*").then(|| (tag.to_owned(), q))
        })
        .collect();
    weighted.sort_by(|a, b| b.1.total_cmp(&a.1));
    weighted.into_iter().map(|(t, _)| t).collect()
}

fn formatted(
    kept: &KeptStatement,
    format: Format,
    languages: &[String],
) -> Result<Value, AppError> {
    let mut statement: Value = serde_json::from_str(&kept.body).map_err(AppError::internal)?;
    match format {
        Format::Exact => {}
        Format::Ids => xapi::format_ids(&mut statement),
        Format::Canonical => xapi::format_canonical(&mut statement, languages),
    }
    Ok(statement)
}

/// GET: one statement (`statementId`, `voidedStatementId`) or a page of them. Every answer,
/// an error too, says how far the store is consistent (`X-Experience-API-Consistent-Through`):
/// statements are readable once kept, so up to now.
pub(super) async fn get(
    State(state): State<AppState>,
    client: LrsClient,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let now = state.clock.now();
    let mut res = match read(&state, &client, &headers, query.as_deref(), now).await {
        Ok(res) => res,
        Err(e) => e.into_response(),
    };
    if let Ok(v) = HeaderValue::from_str(&rfc3339(now)) {
        res.headers_mut().insert(CONSISTENT_THROUGH, v);
    }
    res
}

async fn read(
    state: &AppState,
    client: &LrsClient,
    headers: &HeaderMap,
    query: Option<&str>,
    now: OffsetDateTime,
) -> Result<Response, AppError> {
    let params = Params::parse(query, &FILTERS)?;
    let format = match params.get("format") {
        None | Some("exact") => Format::Exact,
        Some("ids") => Format::Ids,
        Some("canonical") => Format::Canonical,
        Some(_) => {
            return Err(parameter_error(
                "format",
                "xapi.parameter.format",
                "ids、exact、canonical のどれかで指定してください。",
                "Give ids, exact or canonical.",
            ));
        }
    };
    let with_attachments = flag(&params, "attachments")?;
    let languages = languages(headers);
    let single = match (params.get("statementId"), params.get("voidedStatementId")) {
        (Some(_), Some(_)) => {
            return Err(parameter_error(
                "voidedStatementId",
                "xapi.parameter.combination",
                "statementId と voidedStatementId は一緒に使えません。",
                "statementId and voidedStatementId cannot be used together.",
            ));
        }
        (Some(id), None) => Some((id, false)),
        (None, Some(id)) => Some((id, true)),
        (None, None) => None,
    };
    if let Some((id, voided)) = single {
        let name = if voided {
            "voidedStatementId"
        } else {
            "statementId"
        };
        if let Some((other, _)) = params
            .pairs()
            .iter()
            .find(|(n, _)| !matches!(n.as_str(), "attachments" | "format") && n != name)
        {
            return Err(parameter_error(
                other,
                "xapi.parameter.combination",
                "statementId（voidedStatementId）と一緒に使えるのは attachments と format だけです。",
                "With statementId (or voidedStatementId), only attachments and format may be given.",
            ));
        }
        let kept = state
            .store
            .xapi_statement(&client.organisation_id, &id.to_ascii_lowercase())
            .await?
            .filter(|s| s.voided == voided)
            .ok_or(AppError::NotFound)?;
        let statement = formatted(&kept, format, &languages)?;
        let stored = OffsetDateTime::from_unix_timestamp_nanos(i128::from(kept.stored_us) * 1000)
            .unwrap_or(now);
        let mut res = answer(state, client, statement, with_attachments).await?;
        if let Ok(v) = HeaderValue::from_str(&http_date(stored)) {
            res.headers_mut().insert(header::LAST_MODIFIED, v);
        }
        return Ok(res);
    }
    let limit = match params.get("limit").map(str::parse::<u32>) {
        None | Some(Ok(0)) => MAX_PAGE,
        Some(Ok(n)) => n.min(MAX_PAGE),
        Some(Err(_)) => {
            return Err(parameter_error(
                "limit",
                "xapi.parameter.limit",
                "0 以上の整数で指定してください。",
                "Give a whole number, 0 or more.",
            ));
        }
    };
    let registration = match params.get("registration") {
        Some(r) if !xapi::is_uuid(r) => {
            return Err(parameter_error(
                "registration",
                "xapi.parameter.uuid",
                "UUID で指定してください。",
                "Give a UUID.",
            ));
        }
        r => r.map(str::to_ascii_lowercase),
    };
    let after = match params.get("cursor") {
        None => None,
        Some(c) => Some(
            c.split_once('_')
                .and_then(|(us, id)| Some((us.parse().ok()?, id.to_owned())))
                .ok_or_else(|| {
                    parameter_error(
                        "cursor",
                        "xapi.parameter.cursor",
                        "more の URL をそのまま使ってください。",
                        "Use the more URL as given.",
                    )
                })?,
        ),
    };
    let query = StatementQuery {
        agent: params.get("agent").map(agent_param).transpose()?,
        related_agents: flag(&params, "related_agents")?,
        verb: iri(&params, "verb")?,
        activity: iri(&params, "activity")?,
        related_activities: flag(&params, "related_activities")?,
        registration,
        since_us: timestamp(&params, "since")?,
        until_us: timestamp(&params, "until")?,
        ascending: flag(&params, "ascending")?,
        after,
        limit: limit + 1,
    };
    let mut found = state
        .store
        .xapi_statements(&client.organisation_id, &query)
        .await?;
    let more = if found.len() > limit as usize {
        found.truncate(limit as usize);
        found.last().map(|last| {
            let mut pairs: Vec<(String, String)> = params
                .pairs()
                .iter()
                .filter(|(n, _)| n != "cursor")
                .cloned()
                .collect();
            pairs.push(("cursor".into(), format!("{}_{}", last.stored_us, last.id)));
            format!(
                "/xapi/statements?{}",
                serde_urlencoded::to_string(&pairs).unwrap_or_default()
            )
        })
    } else {
        None
    };
    let statements = found
        .iter()
        .map(|s| formatted(s, format, &languages))
        .collect::<Result<Vec<_>, _>>()?;
    let result = json!({"statements": statements, "more": more.unwrap_or_default()});
    answer(state, client, result, with_attachments).await
}

/// The digests of the attachments a statement (or a page of them) names.
fn attachment_digests(value: &Value, into: &mut Vec<String>) {
    let statements: Vec<&Value> = match value.get("statements").and_then(Value::as_array) {
        Some(all) => all.iter().collect(),
        None => vec![value],
    };
    let mut seen: HashSet<String> = into.iter().cloned().collect();
    for statement in statements {
        for attachment in statement
            .get("attachments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(sha2) = attachment.get("sha2").and_then(Value::as_str)
                && seen.insert(sha2.to_ascii_lowercase())
            {
                into.push(sha2.to_ascii_lowercase());
            }
        }
    }
}

/// The body as JSON, or, with `attachments=true`, as multipart/mixed with the attachments'
/// raw data after it.
async fn answer(
    state: &AppState,
    client: &LrsClient,
    body: Value,
    with_attachments: bool,
) -> Result<Response, AppError> {
    if !with_attachments {
        return Ok(axum::Json(body).into_response());
    }
    let mut digests = Vec::new();
    attachment_digests(&body, &mut digests);
    let found = state
        .store
        .xapi_attachments(&client.organisation_id, &digests)
        .await?;
    let mut parts = vec![Part {
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }];
    parts.extend(found.into_iter().map(|(sha2, content_type, content)| Part {
        headers: vec![
            ("Content-Type".into(), content_type),
            ("Content-Transfer-Encoding".into(), "binary".into()),
            ("X-Experience-API-Hash".into(), sha2),
        ],
        body: content,
    }));
    let boundary = format!("koshu-{}", uuid::Uuid::new_v4().simple());
    Ok((
        [(
            header::CONTENT_TYPE,
            format!("multipart/mixed; boundary={boundary}"),
        )],
        multipart::write(&parts, &boundary),
    )
        .into_response())
}

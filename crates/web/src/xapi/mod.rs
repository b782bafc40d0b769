//! The xAPI Learning Record Store at `/xapi/` (issue 20): providers' LMSs send statements
//! with an LRS credential of their organisation (an API token of scope `xapi`, sent as HTTP
//! Basic auth: the token's id as user name, its secret as password), and read back only
//! their own organisation's records. Every request but the About resource names the xAPI
//! version it speaks; every response says the version answered.

mod documents;
pub mod multipart;
mod statements;

use crate::error::AppError;
use crate::routes::Routes;
use crate::{AppState, auth};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use koshu_domain::ValidationError;
use koshu_domain::access::policy::{TokenScope, token_allows};
use koshu_domain::xapi::XapiVersion;
use serde_json::{Value, json};

/// `X-Experience-API-Version`.
pub const VERSION_HEADER: HeaderName = HeaderName::from_static("x-experience-api-version");

/// The bound on one request's body (statements with their attachments): beyond it, a 413.
pub const MAX_STATEMENTS_BYTES: usize = 16 * 1024 * 1024;
/// The bound on one document (State, Activity Profile, Agent Profile).
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// The LRS client of a request: its organisation, its credential and the version it speaks.
#[derive(Debug, Clone)]
pub struct LrsClient {
    pub organisation_id: String,
    pub version: XapiVersion,
    /// The `authority` of the statements it sends: the credential, as an agent.
    pub authority: Value,
}

pub fn routes() -> Routes {
    let lrs = Routes::new()
        .lrs(
            &["GET", "POST", "PUT"],
            "/xapi/statements",
            get(statements::get)
                .post(statements::post)
                .put(statements::put)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_STATEMENTS_BYTES)),
        )
        .lrs(
            &["GET", "POST", "PUT", "DELETE"],
            "/xapi/activities/state",
            documents::router(documents::Resource::State),
        )
        .lrs(
            &["GET", "POST", "PUT", "DELETE"],
            "/xapi/activities/profile",
            documents::router(documents::Resource::ActivityProfile),
        )
        .lrs(
            &["GET", "POST", "PUT", "DELETE"],
            "/xapi/agents/profile",
            documents::router(documents::Resource::AgentProfile),
        )
        .lrs(&["GET"], "/xapi/activities", get(documents::activity))
        .lrs(&["GET"], "/xapi/agents", get(documents::person));
    let all = lrs.get("/xapi/about", about);
    Routes {
        router: all.router.layer(axum::middleware::from_fn(versioned)),
        table: all.table,
    }
}

/// The headers a request in the alternate syntax may carry as form fields.
const FORM_HEADERS: [&str; 6] = [
    "authorization",
    "x-experience-api-version",
    "content-type",
    "content-length",
    "if-match",
    "if-none-match",
];

/// An error answered before routing, where the error pages do not reach: its JSON body is
/// written here.
fn alternate_error(en: &str, ja: &str) -> Response {
    let error = AppError::Invalid(
        ValidationError::new("xapi.alternate_syntax", ja, en).for_field("method"),
    );
    let mut res = (error.status(), axum::Json(error.body(None))).into_response();
    res.headers_mut().insert(
        VERSION_HEADER,
        HeaderValue::from_static(XapiVersion::V1_0_3.header_value()),
    );
    res
}

/// xAPI 1.0.3's alternate request syntax (Communication 1.3), for clients that can only
/// POST a form: `POST /xapi/…?method=PUT` with the headers, the parameters and the body
/// (`content`) as form fields is answered as the request it stands for. Runs before
/// routing, so the request is routed by the method it stands for.
pub(crate) async fn alternate_syntax(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/xapi/") {
        return next.run(req).await;
    }
    let method = match req
        .uri()
        .query()
        .map(serde_urlencoded::from_str::<Vec<(String, String)>>)
    {
        Some(Ok(pairs))
            if *req.method() == Method::POST && pairs.iter().any(|(n, _)| n == "method") =>
        {
            match pairs.as_slice() {
                [(_, m)] => m.clone(),
                _ => {
                    return alternate_error(
                        "With method, every other parameter goes in the form body.",
                        "method を使うときは、ほかのパラメーターはすべてフォームの本文に入れてください。",
                    );
                }
            }
        }
        _ => return next.run(req).await,
    };
    let Ok(method) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else {
        return alternate_error(
            "method is GET, PUT, POST or DELETE.",
            "method は GET、PUT、POST、DELETE のどれかです。",
        );
    };
    if !matches!(
        method,
        Method::GET | Method::PUT | Method::POST | Method::DELETE
    ) || media_type(req.headers()) != "application/x-www-form-urlencoded"
    {
        return alternate_error(
            "The alternate syntax is a form (application/x-www-form-urlencoded) standing for GET, PUT, POST or DELETE.",
            "代替の要求形式は、GET・PUT・POST・DELETE を表すフォーム（application/x-www-form-urlencoded）です。",
        );
    }
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_STATEMENTS_BYTES).await else {
        return alternate_error(
            "The form is larger than the LRS takes in one request.",
            "フォームが、一度の要求で受け取れる大きさを超えています。",
        );
    };
    let Ok(fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return alternate_error(
            "The form body could not be read.",
            "フォームの本文を読み取れませんでした。",
        );
    };
    // The request's own headers stand, but for what the form says: its body's type and
    // length are the form's, not the content's.
    let mut headers = parts.headers.clone();
    headers.remove(header::CONTENT_TYPE);
    headers.remove(header::CONTENT_LENGTH);
    let mut params = Vec::new();
    let mut content = String::new();
    for (name, value) in fields {
        let lower = name.to_ascii_lowercase();
        if FORM_HEADERS.contains(&lower.as_str()) {
            if let (Ok(name), Ok(value)) =
                (HeaderName::try_from(lower), HeaderValue::try_from(value))
                && name != header::CONTENT_LENGTH
            {
                headers.insert(name, value);
            }
        } else if name == "content" {
            content = value;
        } else {
            params.push((name, value));
        }
    }
    // The form's content is JSON unless the form says otherwise (statements, and most
    // documents, are).
    if !content.is_empty() && !headers.contains_key(header::CONTENT_TYPE) {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    let mut rebuilt = Request::builder().method(method);
    if let Some(all) = rebuilt.headers_mut() {
        *all = headers;
    }
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
    let uri = if query.is_empty() {
        parts.uri.path().to_owned()
    } else {
        format!("{}?{query}", parts.uri.path())
    };
    let Ok(mut rebuilt) = rebuilt.uri(uri).body(axum::body::Body::from(content)) else {
        return alternate_error(
            "The form's fields do not make a request.",
            "フォームの項目から要求を組み立てられませんでした。",
        );
    };
    if XapiVersion::from_header(
        rebuilt
            .headers()
            .get(VERSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default(),
    ) == Some(XapiVersion::V2_0_0)
    {
        return alternate_error(
            "xAPI 2.0 has no alternate request syntax.",
            "xAPI 2.0 には代替の要求形式はありません。",
        );
    }
    *rebuilt.extensions_mut() = parts.extensions;
    next.run(rebuilt).await
}

/// The About resource: the versions spoken. Needs no credential.
async fn about() -> Response {
    axum::Json(json!({
        "version": ["1.0.3", "2.0.0"],
        "extensions": {},
    }))
    .into_response()
}

fn version_error(code: &'static str, ja: &str, en: &str) -> AppError {
    AppError::Invalid(ValidationError::new(code, ja, en).for_field("X-Experience-API-Version"))
}

/// The version the request speaks: required of every resource but About.
fn requested_version(headers: &HeaderMap, path: &str) -> Result<XapiVersion, AppError> {
    match headers.get(VERSION_HEADER).map(HeaderValue::to_str) {
        None if path == "/xapi/about" => Ok(XapiVersion::V2_0_0),
        None => Err(version_error(
            "xapi.version.missing",
            "X-Experience-API-Version ヘッダーで xAPI のバージョン（2.0.0 または 1.0.3）を指定してください。",
            "Name the xAPI version (2.0.0 or 1.0.3) in the X-Experience-API-Version header.",
        )),
        Some(value) => value
            .ok()
            .and_then(XapiVersion::from_header)
            .ok_or_else(|| {
                version_error(
                    "xapi.version.unsupported",
                    "この LRS が扱う xAPI のバージョンは 2.0.0 と 1.0.3 です。",
                    "This LRS speaks xAPI 2.0.0 and 1.0.3.",
                )
            }),
    }
}

/// Checks that a credential is sent (a request without one is a 401 whatever it speaks; the
/// handler checks the credential itself) and the version header, and sets the version on
/// the response, errors included.
async fn versioned(mut req: Request, next: Next) -> Response {
    let open = req.uri().path() == "/xapi/about";
    let version = if open || req.headers().contains_key(header::AUTHORIZATION) {
        requested_version(req.headers(), req.uri().path())
    } else {
        Err(AppError::LrsCredentialsRequired)
    };
    let answered = version.as_ref().map_or(XapiVersion::V2_0_0, |v| *v);
    let mut res = match version {
        Ok(v) => {
            req.extensions_mut().insert(v);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    };
    res.headers_mut().insert(
        VERSION_HEADER,
        HeaderValue::from_static(answered.header_value()),
    );
    res
}

/// The Basic credentials of a request: user name and password.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let (user, password) = String::from_utf8(decoded)
        .ok()?
        .split_once(':')
        .map(|(u, p)| (u.to_owned(), p.to_owned()))?;
    Some((user, password))
}

/// The LRS credential a request is sent with; without a live one, a 401.
impl FromRequestParts<AppState> for LrsClient {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let version = parts
            .extensions
            .get::<XapiVersion>()
            .copied()
            .unwrap_or(XapiVersion::V2_0_0);
        let (key, secret) =
            basic_credentials(&parts.headers).ok_or(AppError::LrsCredentialsRequired)?;
        let token = state
            .store
            .api_token_by_digest(&auth::token_digest(&secret), state.clock.now())
            .await?
            .filter(|t| t.id == key)
            .ok_or(AppError::LrsCredentialsRequired)?;
        let scope = TokenScope::from_code(&token.scope).ok_or(AppError::LrsCredentialsRequired)?;
        if !token_allows(
            scope,
            &token.organisation_id,
            &token.organisation_id,
            TokenScope::Xapi,
        ) {
            return Err(AppError::Forbidden);
        }
        let authority = json!({
            "objectType": "Agent",
            "name": token.name,
            "account": {"homePage": state.settings.public_url, "name": token.id},
        });
        Ok(Self {
            organisation_id: token.organisation_id,
            version,
            authority,
        })
    }
}

/// A request's query parameters, refused when one is not among those the resource knows or
/// comes twice.
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn parse(query: Option<&str>, known: &[&str]) -> Result<Self, AppError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
            .map_err(|_| {
                AppError::Invalid(ValidationError::new(
                    "xapi.parameter.format",
                    "クエリー文字列を読み取れませんでした。",
                    "The query string could not be read.",
                ))
            })?;
        for (n, (name, _)) in pairs.iter().enumerate() {
            if !known.contains(&name.as_str()) {
                return Err(parameter_error(
                    name,
                    "xapi.parameter.unknown",
                    "この資源では使えないパラメーターです。",
                    "This resource does not take this parameter.",
                ));
            }
            if pairs.iter().skip(n + 1).any(|(other, _)| other == name) {
                return Err(parameter_error(
                    name,
                    "xapi.parameter.repeated",
                    "同じパラメーターが二度あります。",
                    "The parameter is given twice.",
                ));
            }
        }
        Ok(Self(pairs))
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn required(&self, name: &str) -> Result<&str, AppError> {
        self.get(name).ok_or_else(|| {
            parameter_error(
                name,
                "xapi.parameter.required",
                "必須のパラメーターです。",
                "This parameter is required.",
            )
        })
    }

    /// The pairs, for building a `more` link.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.0
    }
}

pub(crate) fn parameter_error(name: &str, code: &'static str, ja: &str, en: &str) -> AppError {
    AppError::Invalid(ValidationError::new(code, ja, en).for_field(name))
}

/// The request's content type without its parameters, lower-cased.
pub(crate) fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Whether the method only reads (HEAD answers as GET without the body).
pub(crate) fn reads(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
}

//! Cross-cutting HTTP behaviour: error rendering, security headers.

use crate::AppState;
use crate::auth::AuthContext;
use crate::error::{AppError, PendingError};
use crate::lang::{Lang, PagePath};
use crate::page_cache::{Encoding, PageCache};
use crate::pages::ErrorPage;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tower_http::request_id::RequestId;

/// Gives every error response its body: JSON for the API (or a client that asks for JSON),
/// otherwise an HTML page in the request's language. The one place errors become bodies.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let lang = req.extensions().get::<Lang>().copied().unwrap_or_default();
    let page = req
        .extensions()
        .get::<PagePath>()
        .cloned()
        .unwrap_or_else(|| PagePath("/".into()));
    let wants_json = req.uri().path().starts_with("/api/")
        || req.uri().path().starts_with("/xapi/")
        || crate::pages::vc_api::is_vc_api(req.uri().path())
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"));
    let auth = req.extensions().get::<AuthContext>().cloned();
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .map(str::to_owned);

    let res = next.run(req).await;
    let error = match res.extensions().get::<PendingError>() {
        Some(PendingError(e)) => Arc::clone(e),
        None if res.status() == StatusCode::METHOD_NOT_ALLOWED => {
            Arc::new(AppError::MethodNotAllowed)
        }
        None => return res,
    };
    if let AppError::Internal(cause) = error.as_ref() {
        tracing::error!(request_id = request_id.as_deref().unwrap_or("-"), error = %cause, "request failed");
    }
    let status = error.status();
    let body = error.body(request_id);
    // A person who must sign in or set up a second factor is taken there, and back after.
    let redirect = match error.as_ref() {
        AppError::SignInRequired if !wants_json => Some(format!(
            "{}?next={}",
            PagePath("/login".into()).in_lang(lang),
            crate::view::url_encode(&page.in_lang(lang))
        )),
        AppError::SecondFactorRequired if !wants_json => {
            Some(PagePath("/account/two-factor".into()).in_lang(lang))
        }
        _ => None,
    };
    if let Some(to) = redirect {
        return axum::response::Redirect::to(&to).into_response();
    }
    let mut out = if wants_json {
        (status, axum::Json(&body)).into_response()
    } else {
        // A conflict came from a form whose page is out of date: the action's parent path.
        let reload = (status == StatusCode::CONFLICT)
            .then(|| page.0.rsplit_once('/').map(|(parent, _)| parent.to_owned()))
            .flatten()
            .filter(|parent| !parent.is_empty())
            .map(|parent| PagePath(parent).in_lang(lang));
        let page = ErrorPage::new(lang, &page, auth.as_ref(), error.title(lang), &body)
            .with_reload(reload);
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "error page failed to render");
                (status, body.message_en).into_response()
            }
        }
    };
    // Keep headers such as Allow from the original response.
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

/// A path whose percent-escapes do not decode to UTF-8 (`/programmes/%FF`) names no page: a
/// 404 through `AppError`, rendered as every other error, before a handler's `Path` extractor
/// would answer it in plain text.
pub async fn undecodable_path(req: Request, next: Next) -> Response {
    if decodes_to_utf8(req.uri().path()) {
        next.run(req).await
    } else {
        AppError::NotFound.into_response()
    }
}

fn decodes_to_utf8(path: &str) -> bool {
    let b = path.as_bytes();
    let hex = |c: u8| char::from(c).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(0));
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&out).is_ok()
}

/// Paths whose pages are about the person asking (or carry their tokens), signed in or not.
const PERSONAL_PREFIXES: &[&str] = &[
    "/account",
    "/learning",
    "/holder",
    "/organisations",
    "/applications",
    "/ministry",
    "/admin",
    "/reviews",
    "/login",
    "/signup",
    "/logout",
    "/password",
    "/verify-email",
    "/invitations",
    "/xapi",
];

/// `Cache-Control: private, no-store` on every personal response: the pages and downloads
/// under [`PERSONAL_PREFIXES`], and any page drawn for a signed-in viewer (the header names
/// them). No shared cache or browser history keeps them (G02). Runs inside `auth::context`,
/// around error rendering, so error pages are covered too.
pub async fn personal_no_store(req: Request, next: Next) -> Response {
    let signed_in = req
        .extensions()
        .get::<AuthContext>()
        .is_some_and(|a| a.viewer.is_some());
    let personal_path = is_personal_path(req.uri().path());
    let mut res = next.run(req).await;
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if personal_path || (signed_in && is_page) {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    res
}

/// How long a browser or a shared cache (a CDN) keeps a public page or API read before asking
/// again, and how long a CDN may go on serving it while it asks (issue 21 item 2).
const PUBLIC_CACHE_CONTROL: &str = "public, max-age=60, stale-while-revalidate=300";
/// A page carrying a form bound to this visitor's CSRF cookie: this browser's alone.
const VISITOR_CACHE_CONTROL: &str = "private, no-cache";

/// Strong validators and shared caching for what anyone may read: an anonymous GET of a
/// page or API document that no handler marked otherwise gets an `ETag` (a digest of the
/// body), `Cache-Control: public`, and a 304 when `If-None-Match` already has it. A page
/// with a form holds the visitor's CSRF token, so it stays private. Runs inside
/// `auth::context` (which then sets no cookie on a public response) and around
/// [`personal_no_store`], whose header it leaves alone.
///
/// Such a page, when it is text or JSON and not a text search, is kept rendered and compressed
/// in the page cache ([`crate::page_cache`]) and served from there until something is written;
/// a write through this node clears the cache when it succeeds.
pub async fn public_caching(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let pages = state.catalogue.pages();
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        // Learning records change no public page: an LMS's stream of statements leaves the
        // kept pages as they are.
        let changes_pages = !is_lrs_path(req.uri().path());
        let res = next.run(req).await;
        if changes_pages && (res.status().is_success() || res.status().is_redirection()) {
            pages.clear();
        }
        return res;
    }
    let visitor_token = req
        .extensions()
        .get::<AuthContext>()
        .filter(|a| a.viewer.is_none())
        .map(|a| a.csrf.clone());
    let readable_by_anyone =
        !req.headers().contains_key(header::AUTHORIZATION) && !is_personal_path(req.uri().path());
    let Some(visitor_token) = visitor_token.filter(|_| readable_by_anyone) else {
        return next.run(req).await;
    };
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let held = |digest: &str| {
        if_none_match
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| tag_held(v, digest))
    };
    let encoding = Encoding::preferred(req.headers());
    let key = (*req.method() == Method::GET)
        .then(|| {
            let english = req.extensions().get::<Lang>().is_some_and(|l| l.is_en());
            let address = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
            PageCache::key(english, address)
        })
        .flatten();
    let now = state.clock.now();
    if let Some(entry) = key.as_deref().and_then(|k| pages.get(k, now)) {
        metrics::counter!(PAGE_CACHE, "outcome" => "hit").increment(1);
        let held = held(&entry.digest).is_some();
        return entry.response(encoding, held, PUBLIC_CACHE_CONTROL, "hit");
    }
    let generation = pages.generation();
    let res = next.run(req).await;
    let headers = res.headers();
    if res.status() != StatusCode::OK
        || headers.contains_key(header::CACHE_CONTROL)
        || headers.contains_key(header::ETAG)
        || headers.contains_key(header::SET_COOKIE)
        // Only a body already whole in memory (a rendered page, a JSON document), never a stream.
        || axum::body::HttpBody::size_hint(res.body()).exact().is_none()
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return AppError::Internal("a rendered body could not be read".into()).into_response();
    };
    let visitors_own = !visitor_token.is_empty()
        && bytes
            .windows(visitor_token.len())
            .any(|w| w == visitor_token.as_bytes());
    if visitors_own {
        parts.headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(VISITOR_CACHE_CONTROL),
        );
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    }
    if let Some(key) = key
        && PageCache::keeps(parts.headers.get(header::CONTENT_TYPE))
    {
        metrics::counter!(PAGE_CACHE, "outcome" => "miss").increment(1);
        let entry = pages.put(key, generation, parts.headers, bytes, now);
        let held = held(&entry.digest).is_some();
        return entry.response(encoding, held, PUBLIC_CACHE_CONTROL, "miss");
    }
    let digest = hex::encode(&Sha256::digest(&bytes)[..16]);
    parts.headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(PUBLIC_CACHE_CONTROL),
    );
    if let Some(held) = held(&digest)
        && let Ok(held) = HeaderValue::from_str(&held)
    {
        // The client's copy is current: the tag it holds names its encoding as well.
        parts.headers.insert(header::ETAG, held);
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        parts
            .headers
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        parts.status = StatusCode::NOT_MODIFIED;
        return Response::from_parts(parts, axum::body::Body::empty());
    }
    if let Ok(tag) = HeaderValue::from_str(&format!("\"{digest}\"")) {
        parts.headers.insert(header::ETAG, tag);
        parts.extensions.insert(DigestTag);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Serves a kept page before anything else runs (issue 21 item 4): a GET without a session
/// cookie or credentials, whose language and address have a fresh entry in the page cache, is
/// answered here with the security headers every response carries, skipping the language
/// rewrite, the request id, the trace span, the bounds, sign-in and compression, which a kept
/// page needs none of. Anything else goes on to [`public_caching`], which keeps the pages.
pub async fn serve_kept(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if *req.method() != Method::GET
        || req.headers().contains_key(header::AUTHORIZATION)
        || crate::auth::cookie(req.headers(), crate::auth::SESSION_COOKIE).is_some()
    {
        return next.run(req).await;
    }
    let (lang, path) = crate::lang::language_of(req.uri().path());
    if is_personal_path(path) {
        return next.run(req).await;
    }
    let address = match req.uri().query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    };
    let pages = state.catalogue.pages();
    let Some(entry) =
        PageCache::key(lang.is_en(), &address).and_then(|key| pages.get(&key, state.clock.now()))
    else {
        return next.run(req).await;
    };
    metrics::counter!(PAGE_CACHE, "outcome" => "hit").increment(1);
    let held = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| tag_held(v, &entry.digest))
        .is_some();
    let mut res = entry.response(
        Encoding::preferred(req.headers()),
        held,
        PUBLIC_CACHE_CONTROL,
        "hit",
    );
    let headers = res.headers_mut();
    for (name, value) in security_headers() {
        headers.insert(name, value);
    }
    if state.settings.secure_cookies {
        let (name, value) = strict_transport_security();
        headers.insert(name, value);
    }
    res
}

/// Pages served from the rendered-page cache (`hit`) or rendered and kept (`miss`).
const PAGE_CACHE: &str = "koshu_page_cache_total";

/// The entity tag of `If-None-Match` (a list, or `*`) that names the body with `digest`, in
/// whichever encoding [`etag_names_its_encoding`] gave it; weak comparison, as RFC 9110
/// 13.1.2 asks of `If-None-Match`.
fn tag_held(if_none_match: &str, digest: &str) -> Option<String> {
    if if_none_match.trim() == "*" {
        return Some(format!("\"{digest}\""));
    }
    if_none_match
        .split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .find(|t| {
            let Some(inner) = t.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
                return false;
            };
            let named = ENCODING_SUFFIXES
                .iter()
                .find_map(|suffix| inner.strip_suffix(suffix))
                .unwrap_or(inner);
            named == digest
        })
        .map(str::to_owned)
}

/// Marks an `ETag` that [`public_caching`] made from the body: only such a tag takes the
/// encoding. A handler's own tag (a status list's, an API revision that `If-Match` sends back)
/// stays as the handler compares it.
#[derive(Debug, Clone, Copy)]
struct DigestTag;

/// What [`etag_names_its_encoding`] appends for each content coding the server applies.
const ENCODING_SUFFIXES: [&str; 2] = ["-br", "-gzip"];

/// A strong `ETag` names one representation (RFC 9110 8.8.3), and the compressed body is
/// another one: its encoding joins the tag, as Apache's mod_deflate does. Runs outside the
/// compression layer; [`tag_held`] reads the suffix back.
pub fn etag_names_its_encoding<B>(mut res: Response<B>) -> Response<B> {
    if res.extensions().get::<DigestTag>().is_none() {
        return res;
    }
    let encoding = res
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(encoding) = encoding else {
        return res;
    };
    let tag = res
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .filter(|t| t.starts_with('"') && t.ends_with('"') && t.len() >= 2)
        .map(|t| format!("\"{}-{encoding}\"", &t[1..t.len() - 1]));
    if let Some(tag) = tag
        && ENCODING_SUFFIXES.contains(&format!("-{encoding}").as_str())
        && let Ok(tag) = HeaderValue::from_str(&tag)
    {
        res.headers_mut().insert(header::ETAG, tag);
    }
    res
}

fn is_lrs_path(path: &str) -> bool {
    path == "/xapi" || path.starts_with("/xapi/")
}

fn is_personal_path(path: &str) -> bool {
    PERSONAL_PREFIXES.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// For a site served over HTTPS: browsers use nothing else for a year (G02).
pub fn strict_transport_security() -> (header::HeaderName, HeaderValue) {
    (
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000"),
    )
}

/// Headers every response carries. The CSP allows no inline script or style at all.
pub fn security_headers() -> [(header::HeaderName, HeaderValue); 6] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
            ),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
        (
            header::HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decode_to_utf8_or_name_no_page() {
        assert!(decodes_to_utf8("/programmes/cyder-a-fy2021"));
        assert!(decodes_to_utf8("/search/%E6%94%BB%E6%92%83"));
        assert!(decodes_to_utf8("/a%2"), "a stray % is kept as it is");
        assert!(!decodes_to_utf8("/programmes/%FF"));
        assert!(!decodes_to_utf8("/api/v1/programmes/%E6%94"));
    }

    #[test]
    fn personal_paths_are_whole_segments() {
        for p in [
            "/account",
            "/account/two-factor",
            "/login/second-factor",
            "/applications/01/edit/course",
            "/ministry/reviews",
        ] {
            assert!(is_personal_path(p), "{p}");
        }
        for p in [
            "/",
            "/programmes/cyder",
            "/accounts-news",
            "/api/v1/programmes",
            "/static/site.css",
        ] {
            assert!(!is_personal_path(p), "{p}");
        }
    }
}

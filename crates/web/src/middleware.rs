//! Cross-cutting HTTP behaviour: error rendering, security headers.

use crate::auth::AuthContext;
use crate::error::{AppError, PendingError};
use crate::lang::{Lang, PagePath};
use crate::pages::ErrorPage;
use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
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

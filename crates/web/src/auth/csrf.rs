//! Cross-site request forgery protection for every state-changing request: the browser's
//! own statement of where the request comes from (`Sec-Fetch-Site`, else `Origin`) must be
//! this site, and the form must carry the token from this visitor's CSRF cookie (for browsers
//! that send neither header, and as a second line).

use super::{AuthContext, SiteScheme};
use crate::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use koshu_domain::access::constant_time_eq;

/// Form bodies larger than this are refused before they are read.
pub const MAX_FORM_BYTES: usize = 1024 * 1024;
/// File uploads (documents, workbooks) may be this large.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// Marks a route that takes file uploads (`Routes::upload`): only there is a body read up to
/// [`MAX_UPLOAD_BYTES`]; every other route refuses a body over [`MAX_FORM_BYTES`], whatever
/// its content type (issue 12 item 16).
#[derive(Debug, Clone, Copy)]
pub struct UploadRoute;

pub async fn check(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let scheme = req.extensions().get::<SiteScheme>().map(|s| s.0);
    if !same_origin(req.headers(), scheme) {
        return AppError::CrossSite.into_response();
    }
    // The session's token when signed in, else the visitor's cookie (`auth::context`).
    let expected = req
        .extensions()
        .get::<AuthContext>()
        .map(|c| c.csrf.clone());
    let (parts, body) = req.into_parts();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let boundary = multer::parse_boundary(&content_type).ok();
    let upload = parts.extensions.get::<UploadRoute>().is_some();
    let limit = if boundary.is_some() && upload {
        MAX_UPLOAD_BYTES
    } else {
        MAX_FORM_BYTES
    };
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return AppError::PayloadTooLarge.into_response(),
    };
    let sent = if is_form {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v))
    } else if let Some(boundary) = boundary {
        multipart_token(bytes.clone(), boundary).await
    } else {
        parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let valid = match (expected, sent) {
        (Some(expected), Some(sent)) => {
            !expected.is_empty() && constant_time_eq(expected.as_bytes(), sent.as_bytes())
        }
        _ => false,
    };
    if !valid {
        return AppError::CsrfTokenMismatch.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The `csrf` field of a multipart form (an upload): forms put it first, so the file after it
/// is not parsed here.
async fn multipart_token(bytes: axum::body::Bytes, boundary: String) -> Option<String> {
    let stream = futures::stream::once(async move { Ok::<_, std::convert::Infallible>(bytes) });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("csrf") {
            return field.text().await.ok();
        }
    }
    None
}

/// True unless the browser says the request comes from another site. An `Origin` must have
/// the site's scheme as well as its host: `http://` pages of the same host are another origin.
fn same_origin(headers: &HeaderMap, scheme: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            let origin_host = origin
                .split_once("://")
                .filter(|(s, _)| Some(*s) == scheme)
                .map(|(_, h)| h);
            matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn the_browser_says_where_a_request_comes_from() {
        let http = Some("http");
        let site = |pairs: &[(&'static str, &'static str)]| same_origin(&headers(pairs), http);
        assert!(site(&[("sec-fetch-site", "same-origin")]));
        assert!(site(&[("sec-fetch-site", "none")]));
        assert!(!site(&[("sec-fetch-site", "cross-site")]));
        assert!(!site(&[("sec-fetch-site", "same-site")]));
        assert!(site(&[
            ("origin", "http://koshu.example.jp"),
            ("host", "koshu.example.jp")
        ]));
        assert!(!site(&[
            ("origin", "https://evil.example"),
            ("host", "koshu.example.jp")
        ]));
        assert!(!site(&[("origin", "null"), ("host", "koshu.example.jp")]));
        assert!(site(&[]), "old browsers: the token decides");
    }

    #[test]
    fn an_origin_of_another_scheme_is_another_site() {
        let h = headers(&[
            ("origin", "http://koshu.example.jp"),
            ("host", "koshu.example.jp"),
        ]);
        assert!(!same_origin(&h, Some("https")));
        let h = headers(&[
            ("origin", "https://koshu.example.jp"),
            ("host", "koshu.example.jp"),
        ]);
        assert!(same_origin(&h, Some("https")));
        assert!(!same_origin(&h, Some("http")));
        assert!(!same_origin(&h, None), "unknown scheme: refused");
    }
}

//! `/metrics` in Prometheus' text format (issue 12 item 15; G05): requests by route and status
//! with their latency, scheduled job runs by outcome, the outbox's depth, the database pool and
//! the catalogue index's lag. Not public: served only when a token is configured, to a scraper
//! that sends it as `Authorization: Bearer <token>`.

use crate::AppState;
use crate::error::AppError;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use std::time::Instant;

const REQUESTS: &str = "koshu_http_requests_total";
const LATENCY: &str = "koshu_http_request_duration_seconds";

/// The process's recorder, installed on first use. One per process: every app built in it
/// (the tests build many) records into the same one.
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let buckets = [
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ];
            let installed = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(LATENCY.to_owned()), &buckets)
                .and_then(PrometheusBuilder::install_recorder);
            match installed {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

/// Counts each request under its route (the pattern, never the path: ids would make every
/// request a series of its own) and status, and records how long it took.
pub async fn record(req: Request, next: Next) -> Response {
    if handle().is_none() {
        return next.run(req).await;
    }
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(LATENCY, "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

/// The scrape. Without a configured token there are no metrics here (404); with one, a
/// request without it is 401.
pub async fn scrape(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (Some(expected), Some(handle)) = (state.settings.metrics_token.as_deref(), handle()) else {
        return Err(AppError::NotFound);
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Compared as digests: equal lengths, so the comparison says nothing of the token's.
    if Sha256::digest(given.as_bytes()) != Sha256::digest(expected.as_bytes()) {
        return Ok((
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
            "a metrics token is required\n",
        )
            .into_response());
    }
    let (open, idle) = state.store.pool_connections();
    metrics::gauge!("koshu_db_pool_connections", "state" => "idle").set(idle as f64);
    metrics::gauge!("koshu_db_pool_connections", "state" => "in_use")
        .set(f64::from(open).max(idle as f64) - idle as f64);
    metrics::gauge!("koshu_outbox_unsent").set(state.store.unsent_count().await? as f64);
    metrics::gauge!("koshu_catalogue_index_lag_entries")
        .set(state.catalogue.lag().await.map_err(AppError::internal)? as f64);
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response())
}

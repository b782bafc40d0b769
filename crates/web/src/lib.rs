//! Koshu's HTTP face: server-rendered pages that work without JavaScript, in Japanese and
//! English, and the JSON API. Handlers are thin: they parse input, call the store and the
//! domain, and fill a template.

mod api;
pub mod catalogue_sync;
pub mod clock;
pub mod error;
pub mod lang;
mod middleware;
mod pages;
mod search_params;
mod view;

use axum::Router;
use axum::http::{HeaderName, StatusCode};
use axum::routing::get;
use catalogue_sync::CatalogueSync;
use clock::Clock;
use koshu_domain::taxonomy::Taxonomy;
use koshu_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// What every handler may use.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub taxonomy: Arc<Taxonomy>,
    pub clock: Arc<dyn Clock>,
    pub catalogue: Arc<CatalogueSync>,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application as one service: routes, error pages, and the HTTP layers.
pub fn app(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(pages::home))
        .route("/search", get(pages::search::search))
        .route("/sessions", get(pages::sessions::sessions))
        .route("/providers/{id}", get(pages::provider::provider))
        .route("/programmes/{id}", get(pages::programme))
        .route("/accessibility", get(pages::accessibility))
        .route("/static/{file}", get(pages::static_file))
        .route("/healthz", get(health))
        .route("/readyz", get(ready))
        .merge(api::routes())
        .fallback(pages::not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(middleware::render_errors));

    // The language prefix is removed before routing, so one route table serves both languages.
    let localized = ServiceBuilder::new()
        .map_request(lang::select_language)
        .service(routes);

    let mut router = Router::new().fallback_service(localized);
    for (name, value) in middleware::security_headers() {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::extract::Request| {
                let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
            .layer(CompressionLayer::new()),
    )
}

/// Liveness: the process answers.
async fn health() -> &'static str {
    "ok"
}

/// Readiness: the database answers too.
async fn ready(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (StatusCode, &'static str) {
    if state.store.is_ready().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

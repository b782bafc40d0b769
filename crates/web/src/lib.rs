//! Koshu's HTTP face: server-rendered pages that work without JavaScript, in Japanese and
//! English, and the JSON API. Handlers are thin: they parse input, call one use case of the
//! workflow (or read the store), and fill a template.

mod api;
pub mod auth;
pub mod catalogue_sync;
pub mod error;
pub mod lang;
pub mod mail;
mod metrics;
mod middleware;
pub mod page_cache;
mod pages;
mod routes;
mod search_params;
mod view;
mod xapi;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::http::{HeaderName, StatusCode};
use catalogue_sync::CatalogueSync;
use koshu_domain::taxonomy::Taxonomy;
use koshu_store::Store;
use koshu_workflow::Workflow;
use koshu_workflow::clock::Clock;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower_http::compression::{CompressionLayer, CompressionLevel};
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
    pub settings: Arc<WebSettings>,
    /// The use cases, over the same store, reference data and clock.
    pub workflow: Workflow,
    /// Remote learners' heartbeats, written in batches (issue 15).
    pub heartbeats: koshu_workflow::heartbeats::Heartbeats,
}

impl AppState {
    /// Starts the heartbeat writer: call it on the runtime that serves.
    pub fn new(
        store: Store,
        taxonomy: Arc<Taxonomy>,
        clock: Arc<dyn Clock>,
        catalogue: Arc<CatalogueSync>,
        settings: WebSettings,
    ) -> Self {
        let workflow = Workflow {
            store: store.clone(),
            taxonomy: Arc::clone(&taxonomy),
            clock: Arc::clone(&clock),
            settings: Arc::new(koshu_workflow::Settings {
                public_url: settings.public_url.clone(),
                smtp: settings.smtp,
                master_key: settings.master_key.clone(),
                report_due_day: settings.report_due_day,
            }),
        };
        Self {
            store,
            taxonomy,
            clock,
            catalogue,
            settings: Arc::new(settings),
            heartbeats: koshu_workflow::heartbeats::Heartbeats::start(&workflow),
            workflow,
        }
    }
}

/// How the site is reached from outside.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// The address people use, without a trailing slash: links in mail point here.
    pub public_url: String,
    /// Cookies carry `Secure` when the public address is HTTPS.
    pub secure_cookies: bool,
    /// An SMTP server delivers the outbox. Without one, each mail is also written whole to the
    /// log, so that the embedded default can be used without a mail server.
    pub smtp: bool,
    /// WebAuthn for this site's address; `None` when the address is an IP address, which
    /// browsers do not accept as a relying party (use a host name such as `localhost`).
    pub passkeys: Option<Arc<webauthn_rs::Webauthn>>,
    /// The token a Prometheus scraper sends to read `/metrics`; without one, there are none.
    pub metrics_token: Option<String>,
    /// Requests served at once; one more is answered 503 with `Retry-After` at once, rather
    /// than queued behind the others until every one of them times out.
    pub max_concurrent_requests: usize,
    /// Seals the providers' certificate-signing keys (D06).
    pub master_key: Option<Arc<koshu_credentials::keys::MasterKey>>,
    /// The day of the following month a monthly implementation report is due.
    pub report_due_day: u8,
}

/// Enough for the 2-core machines this runs on (bench/RESULTS.md): a page takes a few ms.
pub const MAX_CONCURRENT_REQUESTS: usize = 256;

impl WebSettings {
    pub fn new(public_url: &str, smtp: bool) -> Self {
        let public_url = public_url.trim_end_matches('/').to_owned();
        let passkeys = auth::passkey::relying_party(&public_url).map(Arc::new);
        Self {
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            smtp,
            passkeys,
            metrics_token: None,
            max_concurrent_requests: MAX_CONCURRENT_REQUESTS,
            master_key: None,
            report_due_day: koshu_domain::reports::DEFAULT_MONTHLY_DUE_DAY,
        }
    }

    /// Monthly reports fall due on this day of the following month.
    #[must_use]
    pub fn with_report_due_day(mut self, day: u8) -> Self {
        self.report_due_day = day;
        self
    }

    /// Signs certificates with keys sealed under `key`.
    #[must_use]
    pub fn with_master_key(mut self, key: koshu_credentials::keys::MasterKey) -> Self {
        self.master_key = Some(Arc::new(key));
        self
    }

    /// Serves `/metrics` to a scraper that sends `token`.
    #[must_use]
    pub fn with_metrics_token(mut self, token: Option<String>) -> Self {
        self.metrics_token = token.filter(|t| !t.is_empty());
        self
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route as (method, path), in the order they are registered. The role × route test
/// compares its table with this list, so a route cannot be added without a row there.
pub fn route_table() -> Vec<(&'static str, &'static str)> {
    routes::all().table
}

/// The whole application as one service: routes, error pages, and the HTTP layers.
pub fn app(state: AppState) -> Router {
    let routes = routes::all()
        .router
        .fallback(pages::not_found)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(metrics::record))
        .layer(axum::middleware::from_fn(middleware::undecodable_path))
        .layer(axum::middleware::from_fn(middleware::render_errors))
        .layer(axum::middleware::from_fn(middleware::personal_no_store))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::public_caching,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::context,
        ));

    // The language prefix is removed before routing, so one route table serves both languages.
    let localized = ServiceBuilder::new()
        .map_request(lang::select_language)
        .layer(axum::middleware::from_fn(xapi::alternate_syntax))
        .service(routes);

    let mut router = Router::new().fallback_service(localized);
    for (name, value) in middleware::security_headers() {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    if state.settings.secure_cookies {
        let (name, value) = middleware::strict_transport_security();
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router.layer(
        ServiceBuilder::new()
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                middleware::serve_kept,
            ))
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::extract::Request| {
                let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(HandleErrorLayer::new(|_: tower::BoxError| async { overloaded() }))
            .layer(LoadShedLayer::new())
            // Global: one bound however many services the router makes of this layer.
            .layer(GlobalConcurrencyLimitLayer::new(state.settings.max_concurrent_requests))
            .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
            // Pages are compressed per response, so the fastest level: brotli's default
            // (quality 11) costs milliseconds a page, and even quality 4 was half the CPU of
            // a programme page (bench/RESULTS.md).
            .map_response(middleware::etag_names_its_encoding)
            .layer(CompressionLayer::new().quality(CompressionLevel::Fastest)),
    )
}

/// Beyond the bound on concurrent requests: come back shortly (issue 12 item 16).
fn overloaded() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (axum::http::header::RETRY_AFTER, "5"),
            (axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8"),
        ],
        "ただいま混み合っています。数秒後にもう一度お試しください。\nKoshu is busy. Please try again in a few seconds.\n",
    )
        .into_response()
}

/// Liveness: the process answers.
pub(crate) async fn health() -> &'static str {
    "ok"
}

/// Readiness: the database answers too.
pub(crate) async fn ready(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (StatusCode, &'static str) {
    if state.store.is_ready().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

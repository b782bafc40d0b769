//! The application under test.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use koshu_store::{Db, Files, FilesConfig, Store};
use koshu_web::{AppState, app};
use koshu_workflow::clock::FixedClock;
use std::sync::Arc;
use time::OffsetDateTime;
use time::macros::datetime;
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub store: Store,
    pub state: AppState,
    pub clock: Arc<FixedClock>,
    pub database_url: String,
    _dir: tempfile::TempDir,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as text (invalid UTF-8 replaced); [`Self::bytes`] as sent.
    pub body: String,
    pub bytes: Vec<u8>,
}

/// The token the test scraper reads `/metrics` with.
pub const METRICS_TOKEN: &str = "test-metrics-token";

/// A fixed "now" for every story; stories move it when time matters.
pub const START: OffsetDateTime = datetime!(2026-04-01 09:00 +09:00);

impl TestApp {
    /// The embedded default: SQLite and a local folder.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("koshu.db").display());
        let files = FilesConfig::Local {
            dir: dir.path().join("files"),
        };
        Self::start(url, files, dir).await
    }

    /// At scale: PostgreSQL and S3-compatible storage, chosen by configuration only.
    pub async fn postgres() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = koshu_store::testing::fresh_postgres_database()
            .await
            .unwrap_or_else(|e| panic!("throwaway PostgreSQL: {e}"));
        #[cfg(koshu_s3)]
        let files = FilesConfig::S3(
            koshu_store::testing::fresh_s3_bucket().unwrap_or_else(|e| panic!("throwaway S3: {e}")),
        );
        #[cfg(not(koshu_s3))]
        let files = FilesConfig::Local {
            dir: dir.path().join("files"),
        };
        Self::start(url, files, dir).await
    }

    async fn start(database_url: String, files: FilesConfig, dir: tempfile::TempDir) -> Self {
        let db = Db::connect(&database_url, 4).await.unwrap();
        let files = Files::open(&files).unwrap();
        let store = Store::open(db, files).await.unwrap();
        let clock = Arc::new(FixedClock::new(START));
        let state = koshu::app_state(
            store.clone(),
            clock.clone(),
            koshu_web::WebSettings::new("http://koshu.test", false)
                .with_metrics_token(Some(METRICS_TOKEN.to_owned()))
                .with_master_key(test_master_key()),
        )
        .await
        .unwrap();
        let router = app(state.clone());
        Self {
            router,
            store,
            state,
            clock,
            database_url,
            _dir: dir,
        }
    }

    /// Runs the jobs due now and counts them, less the monthly report reminders among them
    /// (issue 19): every designated course has one pending, and the stories of other jobs
    /// count only theirs.
    pub async fn run_due_jobs(&self) -> usize {
        let now = self.clock_now();
        let reminders = self
            .store
            .pending_jobs()
            .await
            .unwrap()
            .iter()
            .filter(|j| j.kind == koshu_workflow::reports::REPORT_REMINDERS && j.run_at <= now)
            .count();
        let ran = koshu_workflow::jobs::run_due(
            &self.state.workflow,
            &koshu_workflow::jobs::registry(),
            "test",
        )
        .await
        .unwrap();
        ran - reminders
    }

    pub fn clock_now(&self) -> OffsetDateTime {
        use koshu_workflow::clock::Clock;
        self.clock.now()
    }

    /// Loads the demo catalogue as the seeds give it (the stories count its programmes and
    /// sessions), and lets the index follow, as a running server would. The demo's sample
    /// sessions dated from today are a story of their own.
    pub async fn load_demo(&self) -> koshu::catalogue_import::ImportSummary {
        use koshu::catalogue_import::{DEMO_PROGRAMMES, DEMO_PROVIDERS, import_catalogue};
        let taxonomy = koshu::taxonomy().unwrap();
        let summary = import_catalogue(
            &self.store,
            &taxonomy,
            DEMO_PROVIDERS,
            DEMO_PROGRAMMES,
            "system:demo",
            START,
        )
        .await
        .unwrap();
        self.state.catalogue.catch_up().await.unwrap();
        summary
    }

    /// The whole demo as `koshu serve --demo` loads it: the catalogue, the sample application
    /// and the sample provider's designated course with its deliveries; returns the sample
    /// provider's organisation.
    pub async fn load_sample_provider(&self) -> koshu_store::organisations::OrganisationRecord {
        self.load_demo().await;
        koshu::demo_application::load_sample_application(&self.store, START)
            .await
            .unwrap();
        koshu::demo_delivery::load_sample_delivery(&self.state.workflow, START)
            .await
            .unwrap();
        koshu::demo_application::sample_organisation(&self.store)
            .await
            .unwrap()
            .unwrap()
    }

    /// The designation of the demo's sample provider's course, from [`Self::load_sample_provider`].
    pub async fn sample_designation(
        &self,
        org: &koshu_store::organisations::OrganisationRecord,
    ) -> koshu_store::reviews::DesignationRecord {
        self.store
            .all_designations()
            .await
            .unwrap()
            .into_iter()
            .find(|d| d.organisation_id == org.id)
            .unwrap()
    }

    /// Imports one free online programme of the demo's provider `nict`, as `koshu import`
    /// would; the search index follows on the next `catch_up`.
    pub async fn import_programme(&self, id: &str, title_ja: &str, summary_ja: &str) {
        use koshu::catalogue_import::{DEMO_PROVIDERS, import_catalogue};
        let programmes = format!(
            r#"
[[programme]]
id = "{id}"
provider = "nict"
title_ja = '{title_ja}'
summary_ja = '{summary_ja}'
layers = ["practitioner"]
kind = "security_technology"
difficulty = "intro"
format = "online"
fee = {{ type = "free" }}
language = "ja"
"#
        );
        let taxonomy = koshu::taxonomy().unwrap();
        import_catalogue(
            &self.store,
            &taxonomy,
            DEMO_PROVIDERS,
            &programmes,
            "cli",
            START,
        )
        .await
        .unwrap();
    }

    pub async fn request(&self, req: Request<Body>) -> TestResponse {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// The status and the body's bytes (downloads).
    pub async fn request_bytes(&self, req: Request<Body>) -> (StatusCode, Vec<u8>) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, bytes.to_vec())
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// Runs raw SQL against the test database, as an intruder with database access would.
    pub async fn tamper(&self, sql: &'static str) {
        if self.database_url.starts_with("sqlite:") {
            let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&self.database_url)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        } else {
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&self.database_url)
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    }
}

/// A fixed master key: stories that read a sealed key back use the same one.
pub fn test_master_key() -> koshu_credentials::keys::MasterKey {
    koshu_credentials::keys::MasterKey::from_hex(&"5e".repeat(32)).unwrap()
}

//! The application under test.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use koshu_store::{Db, Files, FilesConfig, Store};
use koshu_web::clock::FixedClock;
use koshu_web::{AppState, app};
use std::sync::Arc;
use time::OffsetDateTime;
use time::macros::datetime;
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub store: Store,
    pub database_url: String,
    _dir: tempfile::TempDir,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

/// A fixed "now" for every story; stories move it when time matters.
pub const START: OffsetDateTime = datetime!(2026-04-01 09:00 +09:00);

impl TestApp {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("koshu.db").display());
        Self::start(url, dir).await
    }

    pub async fn postgres() -> Self {
        let url = koshu_store::testing::fresh_postgres_database()
            .await
            .unwrap_or_else(|e| panic!("throwaway PostgreSQL: {e}"));
        Self::start(url, tempfile::tempdir().unwrap()).await
    }

    async fn start(database_url: String, dir: tempfile::TempDir) -> Self {
        let db = Db::connect(&database_url, 4).await.unwrap();
        let files = Files::open(&FilesConfig::Local {
            dir: dir.path().join("files"),
        })
        .unwrap();
        let store = Store::open(db, files).await.unwrap();
        let clock = Arc::new(FixedClock::new(START));
        let taxonomy = koshu::taxonomy().unwrap();
        let router = app(AppState {
            store: store.clone(),
            taxonomy,
            clock,
        });
        Self {
            router,
            store,
            database_url,
            _dir: dir,
        }
    }

    pub async fn load_demo(&self) -> koshu::catalogue_import::ImportSummary {
        let taxonomy = koshu::taxonomy().unwrap();
        koshu::catalogue_import::load_demo(&self.store, &taxonomy, START)
            .await
            .unwrap()
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
        }
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

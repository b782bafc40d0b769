//! The foundation (issue: workspace, storage, server, demo catalogue, audit log).

use crate::app::{START, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bytes::Bytes;
use koshu::catalogue_import::{DEMO_PROGRAMMES, DEMO_PROVIDERS};
use koshu_store::audit::AuditVerdict;

/// Counted from the files' text, independently of the parser.
fn tables_in(toml: &str, header: &str) -> usize {
    toml.lines().filter(|l| l.trim() == header).count()
}

pub async fn demo_catalogue_is_served_in_japanese_and_english(app: TestApp) {
    let summary = app.load_demo().await;
    let providers = tables_in(DEMO_PROVIDERS, "[[provider]]");
    let programmes = tables_in(DEMO_PROGRAMMES, "[[programme]]");
    assert_eq!(summary.created, providers + programmes);

    let counts = app.store.catalogue_counts().await.unwrap();
    assert_eq!(counts.programmes as usize, programmes);
    assert_eq!(
        counts.sessions as usize,
        tables_in(DEMO_PROGRAMMES, "[[programme.session]]")
    );
    assert!(
        counts.sessions >= 100,
        "the CYDER FY2021 schedule alone has about 100 sessions"
    );

    let home = app.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains(r#"<html lang="ja">"#));
    assert!(home.body.contains(&format!("官民の {programmes} 件")));
    assert!(
        home.body.contains(r#"href="/search?layer=executive""#),
        "a way in for executives"
    );
    assert!(
        home.body.contains(r#"href="/en/""#),
        "language switch to English"
    );

    let ja = app.get("/search").await;
    assert_eq!(ja.status, StatusCode::OK);
    assert!(ja.body.contains("CYDER"));
    assert!(ja.body.contains("SecHack365"));
    assert!(ja.body.contains(r#"href="/programmes/"#));
    assert!(
        ja.body.contains(r#"href="/en/search""#),
        "the switch keeps the page"
    );

    let en = app.get("/en/search").await;
    assert_eq!(en.status, StatusCode::OK);
    assert!(en.body.contains(r#"<html lang="en">"#));
    assert!(
        en.body.contains(r#"href="/en/programmes/"#),
        "links stay in English"
    );
    assert!(
        en.body.contains(r#"href="/search""#),
        "language switch back to Japanese"
    );
    assert!(en.body.contains("Find programmes"));
}

pub async fn demo_load_is_idempotent(app: TestApp) {
    let first = app.load_demo().await;
    let audit_after_first = match app.store.verify_audit_log().await.unwrap() {
        AuditVerdict::Intact { entries } => entries,
        broken => panic!("{broken:?}"),
    };
    assert_eq!(
        audit_after_first as usize, first.created,
        "one audit entry per record written"
    );
    let counts = app.store.catalogue_counts().await.unwrap();

    let second = app.load_demo().await;
    assert_eq!((second.created, second.updated), (0, 0));
    assert_eq!(second.unchanged, first.created);
    assert_eq!(app.store.catalogue_counts().await.unwrap(), counts);
    assert_eq!(
        app.store.verify_audit_log().await.unwrap(),
        AuditVerdict::Intact {
            entries: audit_after_first
        }
    );
}

pub async fn audit_log_names_the_first_tampered_entry(app: TestApp) {
    app.load_demo().await;
    assert!(matches!(
        app.store.verify_audit_log().await.unwrap(),
        AuditVerdict::Intact { .. }
    ));

    app.tamper("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3")
        .await;
    let verdict = app.store.verify_audit_log().await.unwrap();
    assert_eq!(
        verdict,
        AuditVerdict::Broken(koshu_domain::audit::ChainBreak::Altered { seq: 3 })
    );
}

pub async fn files_keep_their_name_and_bytes(app: TestApp) {
    let bytes = Bytes::from_static("受講者アンケート集計\n満足度,4.5\n".as_bytes());
    let saved = app
        .store
        .save_file(
            "アンケート結果 2026年度.csv",
            "text/csv",
            bytes.clone(),
            "cli",
            START,
        )
        .await
        .unwrap();
    assert_ne!(
        saved.id, saved.file_name,
        "objects are stored under generated keys"
    );

    let (file, read) = app.store.open_file(&saved.id).await.unwrap();
    assert_eq!(read, bytes);
    assert_eq!(file.file_name, "アンケート結果 2026年度.csv");
    assert_eq!(file, saved);
    assert_eq!(
        app.store.verify_audit_log().await.unwrap(),
        AuditVerdict::Intact { entries: 1 }
    );
    assert!(matches!(
        app.store.open_file("no-such-file").await,
        Err(koshu_store::StoreError::NotFound)
    ));
}

pub async fn errors_are_pages_or_json_with_stable_codes(app: TestApp) {
    let page = app.get("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.body.contains("ページが見つかりません"));
    assert!(page.body.contains("not_found"));

    let page_en = app.get("/en/no/such/page").await;
    assert!(page_en.body.contains("Page not found"));
    assert!(page_en.body.contains(r#"<html lang="en">"#));

    let api = app.get("/api/v1/nothing").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(json["code"], "not_found");
    assert!(
        json["message_ja"]
            .as_str()
            .unwrap()
            .contains("見つかりません")
    );
    assert!(json["message_en"].as_str().unwrap().contains("not found"));
    assert!(json["request_id"].is_string());

    let wrong_method = app
        .request(Request::post("/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.body.contains("method_not_allowed"));

    let missing = app.get("/programmes/no-such-programme").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

pub async fn health_readiness_and_security_headers(app: TestApp) {
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(
        (ready.status, ready.body.as_str()),
        (StatusCode::OK, "ready")
    );

    let home = app.get("/").await;
    let csp = home.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(home.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(home.headers.contains_key(header::REFERRER_POLICY));
    assert!(home.headers.contains_key("x-request-id"));

    let css = app.get("/static/koshu.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );

    let gzip = app
        .request(
            Request::get("/static/koshu.css")
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(gzip.headers[header::CONTENT_ENCODING], "gzip");
}

pub async fn programme_page_shows_sessions_with_japanese_dates(app: TestApp) {
    app.load_demo().await;
    let listings = app.store.list_programmes().await.unwrap();
    let cyder_a = listings
        .iter()
        .filter(|l| l.programme.title_ja.contains("CYDER") && l.session_count > 0)
        .max_by_key(|l| l.session_count)
        .expect("a CYDER course with sessions");
    let id = cyder_a.programme.id.as_str();
    let first = cyder_a.first_session.unwrap();

    let page = app.get(&format!("/programmes/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let date_ja = format!(
        "{}年{}月{}日",
        first.year(),
        u8::from(first.month()),
        first.day()
    );
    assert!(
        page.body.contains(&date_ja),
        "expected {date_ja} on the page"
    );
    assert!(page.body.contains("<caption>"));
    assert!(
        page.body
            .contains(&format!("全{}回", cyder_a.session_count))
    );

    let en = app.get(&format!("/en/programmes/{id}")).await;
    assert_eq!(en.status, StatusCode::OK);
    assert!(en.body.contains(&first.year().to_string()));
    assert!(
        en.body
            .contains(&format!("{} sessions", cyder_a.session_count))
    );
}

/// Issue 14 item 7: the demo's seeds are all of 2021, so the demo adds a few sessions dated
/// from today, marked as samples: the portal shows upcoming and open sessions as in use. A
/// second load the same day changes nothing; a load on a later day moves them on.
pub async fn the_demo_adds_sample_sessions_dated_from_today(app: TestApp) {
    let taxonomy = koshu::taxonomy().unwrap();
    let load = |now| koshu::catalogue_import::load_demo(&app.store, &taxonomy, now);
    load(START).await.unwrap();
    app.state.catalogue.catch_up().await.unwrap();
    let item = app
        .store
        .programme("ipa-riss-practical-a")
        .await
        .unwrap()
        .unwrap();
    let samples: Vec<_> = item
        .sessions
        .iter()
        .filter(|s| {
            s.note_ja
                .as_deref()
                .is_some_and(|n| n.contains("（サンプル）"))
        })
        .collect();
    assert_eq!(samples.len(), 3);
    assert_eq!(
        samples[0].starts_on,
        time::macros::date!(2026 - 04 - 22),
        "three weeks from the day it is loaded"
    );
    let sessions = app.get("/sessions").await;
    assert!(sessions.body.contains("2026年4月22日"), "{}", sessions.body);
    let open = app.get("/search?open=true").await;
    assert!(
        open.body
            .contains("href=\"/programmes/ipa-riss-practical-a\"")
    );
    let page = app.get("/programmes/meti-regional-secunity").await;
    assert!(page.body.contains("デモ用の架空の日程です"));
    assert!(page.body.contains("大阪府"));

    let again = load(START).await.unwrap();
    assert_eq!(
        (again.created, again.updated),
        (0, 0),
        "the same day: unchanged"
    );
    let later = load(START + time::Duration::days(30)).await.unwrap();
    assert_eq!(
        later.updated, 3,
        "the three programmes with samples move on"
    );
    let item = app
        .store
        .programme("ipa-riss-practical-a")
        .await
        .unwrap()
        .unwrap();
    assert!(
        item.sessions
            .iter()
            .any(|s| s.starts_on == time::macros::date!(2026 - 05 - 22))
    );
}

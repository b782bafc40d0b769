//! What a black-box test of Koshu found (issue 12; G01, G02, G05, C07), each kept fixed: where
//! sign-in may send a browser, rate limits that hold under any spelling and in parallel,
//! control characters refused at the edge, caching of personal pages, HSTS, error bodies for
//! paths that do not decode, and query parameters as the OpenAPI document describes them.

use crate::accounts::{
    Browser, PASSWORD, location, organisation_fields, register_organisation, set_up_two_factor,
    sign_up, signed_in,
};
use crate::app::TestApp;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use koshu_web::{AppState, WebSettings};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

/// Sends every request at once, as parallel clients would; the statuses in any order.
async fn all_at_once(app: &TestApp, requests: Vec<Request<Body>>) -> Vec<StatusCode> {
    let mut set = tokio::task::JoinSet::new();
    for req in requests {
        let router = app.router.clone();
        set.spawn(async move { router.oneshot(req).await.unwrap().status() });
    }
    set.join_all().await
}

async fn audited(app: &TestApp, action: &str) -> usize {
    app.store
        .recent_audit_entries(500)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event.action == action)
        .count()
}

pub async fn sign_in_goes_only_to_paths_on_this_site(app: TestApp) {
    sign_up(&app, "宛先 太郎", "next@example.jp").await;
    let sign_in = async |next: &str| {
        let mut b = Browser::new(&app);
        let res = b
            .post(
                &format!("/login?next={next}"),
                &[("email", "next@example.jp"), ("password", PASSWORD)],
            )
            .await;
        (res.status, location(&res).to_owned())
    };
    assert_eq!(
        sign_in("/account/two-factor").await,
        (StatusCode::SEE_OTHER, "/account/two-factor".to_owned())
    );
    // A tab, a newline or a backslash makes a browser read another host; control characters
    // cannot go into a header at all. Each goes to the account page instead (G02).
    for next in [
        "/%09/evil.example",
        "//evil.example",
        "/%5Cevil.example",
        "https://evil.example",
        "/%0A",
        "/%00",
        "/%7F",
        "/%0d%0aSet-Cookie:x=1",
    ] {
        assert_eq!(
            sign_in(next).await,
            (StatusCode::SEE_OTHER, "/account".to_owned()),
            "{next}"
        );
    }
}

pub async fn every_spelling_of_an_address_shares_its_sign_in_limit(app: TestApp) {
    sign_up(&app, "制限 一郎", "rl1@example.jp").await;
    let mut b = Browser::new(&app);
    for _ in 0..5 {
        let res = b
            .post(
                "/login",
                &[("email", "rl1@example.jp"), ("password", "wrong password!")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    // The account is looked up by its normalised address; so is its limit (G02).
    for spelling in [
        "ｒｌ１@example.jp",
        " RL1@EXAMPLE.JP ",
        "ｒｌ１＠ｅｘａｍｐｌｅ．ｊｐ",
    ] {
        let res = b
            .post("/login", &[("email", spelling), ("password", PASSWORD)])
            .await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{spelling}");
    }
}

pub async fn parallel_wrong_passwords_and_codes_are_each_counted(app: TestApp) {
    sign_up(&app, "並列 花子", "parallel@example.jp").await;
    let mut b = Browser::new(&app);
    let mut requests = Vec::new();
    for _ in 0..30 {
        requests.push(
            b.form_request(
                "/login",
                &[
                    ("email", "parallel@example.jp"),
                    ("password", "wrong password!"),
                ],
            )
            .await,
        );
    }
    let statuses = all_at_once(&app, requests).await;
    let count = |s: StatusCode| statuses.iter().filter(|x| **x == s).count();
    // Five reach the password check; the others are refused before it (G02).
    assert_eq!(count(StatusCode::UNAUTHORIZED), 5, "{statuses:?}");
    assert_eq!(count(StatusCode::TOO_MANY_REQUESTS), 25, "{statuses:?}");
    assert_eq!(audited(&app, "auth.sign_in_failed").await, 5);

    // The same for second-factor codes, in one half-finished sign-in.
    let id = sign_up(&app, "並列 次郎", "codes@example.jp").await;
    let mut owner = signed_in(&app, &id).await;
    set_up_two_factor(&mut owner).await;
    let mut b = Browser::new(&app);
    let res = b
        .post(
            "/login",
            &[("email", "codes@example.jp"), ("password", PASSWORD)],
        )
        .await;
    assert!(location(&res).starts_with("/login/second-factor"));
    let mut requests = Vec::new();
    for _ in 0..30 {
        requests.push(
            b.form_request("/login/second-factor", &[("code", "0000000")])
                .await,
        );
    }
    let statuses = all_at_once(&app, requests).await;
    let count = |s: StatusCode| statuses.iter().filter(|x| **x == s).count();
    assert_eq!(count(StatusCode::UNAUTHORIZED), 5, "{statuses:?}");
    assert_eq!(count(StatusCode::TOO_MANY_REQUESTS), 25, "{statuses:?}");
    assert_eq!(audited(&app, "auth.second_factor_failed").await, 5);
}

pub async fn control_characters_in_text_fields_are_refused_naming_the_field(app: TestApp) {
    // NUL cannot be stored by PostgreSQL and must not be by SQLite: a 400 naming the field.
    let mut b = Browser::new(&app);
    let res = b
        .post(
            "/signup",
            &[
                ("display_name", "山田\0太郎"),
                ("email", "nul@example.jp"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert!(
        res.body.contains("<code>display_name</code>"),
        "{}",
        res.body
    );
    assert!(res.body.contains("text.control_character"));
    let email = koshu_domain::access::Email::parse("nul@example.jp").unwrap();
    assert!(app.store.account_by_email(&email).await.unwrap().is_none());
    // A name is one line: a tab or line break is refused on the form, by field.
    let res = b
        .post(
            "/signup",
            &[
                ("display_name", "山田\n太郎"),
                ("email", "tab@example.jp"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("id=\"f-display_name-error\""));
    assert!(res.body.contains("1行で入力してください"));

    let owner = sign_up(&app, "提供 太郎", "owner@nul.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    for (name, on_form) in [
        ("株式会社\0サイバー研修", false),
        ("株式会社\nサイバー研修", true),
    ] {
        let mut fields = organisation_fields("5010001008846");
        fields.retain(|(k, _)| *k != "name_ja");
        fields.push(("name_ja", name.to_owned()));
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = b.post("/organisations/new", &pairs).await;
        assert_eq!(
            res.status,
            StatusCode::BAD_REQUEST,
            "{name:?}: {}",
            res.body
        );
        if on_form {
            assert!(res.body.contains("id=\"f-name_ja-error\""));
        } else {
            assert!(res.body.contains("<code>name_ja</code>"));
        }
    }
    let org = register_organisation(&mut b, "5010001008846").await;
    let res = b
        .post(
            &format!("/organisations/{org}/applications"),
            &[("name", "実践\0演習")],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert!(res.body.contains("<code>name</code>"));
    // Every stored text is bounded, and the bound is named with the field (issue 12 item 9).
    let long = "東".repeat(koshu_domain::types::text::MAX_TEXT_CHARS + 1);
    let mut fields = organisation_fields("7010001008844");
    fields.retain(|(k, _)| *k != "address");
    fields.push(("address", long));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = b.post("/organisations/new", &pairs).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert!(res.body.contains("<code>address</code>"), "{}", res.body);
    assert!(res.body.contains("10000文字以内"));
    assert!(res.body.contains("text.too_long"));
}

pub async fn personal_pages_are_not_cached_and_https_is_strict(app: TestApp) {
    let no_store = |res: &crate::app::TestResponse| {
        res.headers
            .get(header::CACHE_CONTROL)
            .is_some_and(|v| v == "private, no-store")
    };
    // Anonymous: the sign-in and account pages are personal, the catalogue is not.
    for path in [
        "/login",
        "/en/signup",
        "/account",
        "/password/forgot",
        "/invitations/accept",
        "/learning",
        "/holder/export.json",
    ] {
        assert!(no_store(&app.get(path).await), "{path}");
    }
    assert!(!no_store(&app.get("/").await));
    // Signed in: every page names the viewer; static files stay cacheable.
    let id = sign_up(&app, "私的 三郎", "private@example.jp").await;
    let mut b = signed_in(&app, &id).await;
    for path in ["/", "/account", "/en/account/two-factor", "/no-such-page"] {
        let res = b.get(path).await;
        assert!(no_store(&res), "{path}: {:?}", res.headers);
    }
    assert!(!no_store(&b.get("/static/koshu.css").await));

    // HSTS only where the public address is HTTPS.
    assert!(
        !app.get("/")
            .await
            .headers
            .contains_key(header::STRICT_TRANSPORT_SECURITY)
    );
    let https = koshu_web::app(AppState {
        settings: Arc::new(WebSettings::new("https://koshu.test", false)),
        ..app.state.clone()
    });
    let res = https
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(
        res.headers()[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000"
    );
}

pub async fn paths_that_do_not_decode_are_error_pages(app: TestApp) {
    app.load_demo().await;
    let api = app.get("/api/v1/programmes/%FF").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    let body: Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(body["code"], "not_found");
    let page = app.get("/programmes/%FF").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.body.contains("ページが見つかりません"),
        "{}",
        page.body
    );
    let en = app.get("/en/programmes/%E6%94").await;
    assert_eq!(en.status, StatusCode::NOT_FOUND);
    assert!(en.body.contains("Page not found"));
}

pub async fn query_parameters_are_accepted_as_the_document_says(app: TestApp) {
    app.load_demo().await;
    let doc: Value = serde_json::from_str(&app.get("/api/openapi.json").await.body).unwrap();
    let accepts = |path: &str, name: &str, value: &str| {
        let schema = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{path} {name}"))["schema"]
            .clone();
        let instance = if schema["type"] == "array" {
            json!([value])
        } else {
            json!(value)
        };
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
            .is_valid(&instance)
    };
    // Empty is "no filter", as the pages' forms send it; the document says so too.
    for (path, name, value, status) in [
        ("/api/v1/programmes", "layer", "", StatusCode::OK),
        ("/api/v1/programmes", "month", "", StatusCode::OK),
        ("/api/v1/programmes", "prefecture", "", StatusCode::OK),
        ("/api/v1/programmes", "designated", "", StatusCode::OK),
        (
            "/api/v1/programmes",
            "layer",
            "nope",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/programmes",
            "month",
            "2026-13",
            StatusCode::BAD_REQUEST,
        ),
        ("/api/v1/programmes", "sort", "", StatusCode::BAD_REQUEST),
        ("/api/v1/sessions", "to", "", StatusCode::OK),
        ("/api/v1/sessions", "from", "", StatusCode::OK),
        (
            "/api/v1/sessions",
            "to",
            "2026-02-30",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let res = app.get(&format!("{path}?{name}={value}")).await;
        assert_eq!(res.status, status, "{path}?{name}={value}: {}", res.body);
        assert_eq!(
            accepts(path, name, value),
            status == StatusCode::OK,
            "the document on {path}?{name}={value}"
        );
    }
    // Dates the wrong way round are a 400 naming `to`, and the document says so.
    let res = app
        .get("/api/v1/sessions?from=2026-05-01&to=2026-04-01")
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_str::<Value>(&res.body).unwrap()["field"],
        "to"
    );
    let described = doc["paths"]["/api/v1/sessions"]["get"]["responses"]["400"]["description"]
        .as_str()
        .unwrap();
    assert!(described.contains("`to` is before `from`"), "{described}");
}

/// Issue 12 item 15: `/metrics` is read with the token only, and counts requests by route
/// (the pattern, not the path), with the outbox, pool and index gauges.
pub async fn metrics_are_scraped_with_the_token_and_count_routes(app: TestApp) {
    let scrape = |token: Option<&str>| {
        let mut req = Request::get("/metrics");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        req.body(Body::empty()).unwrap()
    };
    assert_eq!(
        app.request(scrape(None)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.request(scrape(Some("guess"))).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/programmes/no-such-programme").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/search?q=%E6%BC%94%E7%BF%92").await.status,
        StatusCode::OK
    );
    let res = app.request(scrape(Some(crate::app::METRICS_TOKEN))).await;
    assert_eq!(res.status, StatusCode::OK);
    let body = res.body;
    assert!(
        body.contains(r#"koshu_http_requests_total{method="GET",route="/search",status="200"}"#),
        "{body}"
    );
    assert!(
        body.contains(r#"route="/programmes/{id}",status="404""#),
        "the pattern, not the id"
    );
    assert!(!body.contains("no-such-programme"));
    assert!(body.contains("koshu_http_request_duration_seconds_bucket{"));
    for gauge in [
        "koshu_outbox_unsent",
        "koshu_db_pool_connections{state=\"idle\"}",
        "koshu_catalogue_index_lag_entries",
    ] {
        assert!(body.contains(gauge), "{gauge}");
    }
    // Without a configured token there is nothing at /metrics.
    let state = AppState {
        settings: Arc::new(WebSettings::new("http://koshu.test", false)),
        ..app.state.clone()
    };
    let bare = koshu_web::app(state)
        .oneshot(scrape(Some(crate::app::METRICS_TOKEN)))
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::NOT_FOUND);
}

/// Issue 12 item 16: beyond the bound on concurrent requests the answer is an immediate 503
/// with `Retry-After`, not a queue. (A bound of 0 is every request beyond it.)
pub async fn requests_beyond_the_bound_are_told_to_retry(app: TestApp) {
    let mut settings = WebSettings::new("http://koshu.test", false);
    settings.max_concurrent_requests = 0;
    let state = AppState {
        settings: Arc::new(settings),
        ..app.state.clone()
    };
    let res = koshu_web::app(state)
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()[header::RETRY_AFTER], "5");
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("混み合っています"));
    assert_eq!(
        app.get("/").await.status,
        StatusCode::OK,
        "the bound of the app under test"
    );
}

/// Issue 12 item 16: a body is read up to the limit of its route: 1 MiB for forms everywhere,
/// whatever the content type says, and 20 MiB only where files are uploaded.
pub async fn bodies_are_bounded_by_their_route(app: TestApp) {
    let owner = sign_up(&app, "上限 確認", "limit@example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let big = vec![b'a'; 1536 * 1024];
    let refused = b.post_file("/login", &[], ("file", "big.bin", &big)).await;
    assert_eq!(
        refused.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "a form route reads 1 MiB"
    );
    let org = register_organisation(&mut b, "5010001008846").await;
    let id = crate::applications::new_application(&mut b, &org, "上限の確認").await;
    let mut pdf = crate::applications::sample_pdf("教材.pdf");
    pdf.extend_from_slice(&big);
    let uploaded = b
        .post_file(
            &format!("/applications/{id}/documents"),
            &[("kind", "materials")],
            ("file", "教材.pdf", &pdf),
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    // A file's name is one bounded line too (issue 12 item 9): it goes into headers.
    let long = format!(
        "{}.pdf",
        "名".repeat(koshu_domain::types::text::MAX_LINE_CHARS)
    );
    let named = b
        .post_file(
            &format!("/applications/{id}/documents"),
            &[("kind", "materials")],
            ("file", &long, &crate::applications::sample_pdf("x")),
        )
        .await;
    assert_eq!(named.status, StatusCode::BAD_REQUEST);
    assert!(named.body.contains("300文字以内"), "{}", named.body);
}

/// Issue 21 item 2: what anyone may read carries a strong validator per representation and a
/// CDN's Cache-Control; a change gives a new tag; a personal page never has either.
pub async fn public_pages_carry_strong_validators_and_personal_ones_never_do(app: TestApp) {
    let import =
        |title: &'static str| app.import_programme("cache-seminar", title, "検証のための講座。");
    import("キャッシュ検証講座").await;
    app.state.catalogue.catch_up().await.unwrap();
    let get = |path: &str, headers: &[(header::HeaderName, &str)]| {
        let mut req = Request::get(path);
        for (name, value) in headers {
            req = req.header(name, *value);
        }
        app.request(req.body(Body::empty()).unwrap())
    };
    let etag = |res: &crate::app::TestResponse| {
        res.headers
            .get(header::ETAG)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let public = "public, max-age=60, stale-while-revalidate=300";

    let page = "/programmes/cache-seminar";
    let plain = get(page, &[]).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.body.contains("キャッシュ検証講座"));
    assert_eq!(plain.headers[header::CACHE_CONTROL], public);
    let tag = etag(&plain);
    assert!(tag.starts_with('"') && tag.len() == 34, "strong: {tag}");
    // A shared cache must not hand one visitor's cookie to the next.
    assert!(!plain.headers.contains_key(header::SET_COOKIE));
    let again = get(page, &[(header::IF_NONE_MATCH, &tag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(etag(&again), tag);
    // Each encoding is its own representation, and each tag revalidates itself.
    let mut tags = vec![tag.clone()];
    for encoding in ["br", "gzip"] {
        let res = get(page, &[(header::ACCEPT_ENCODING, encoding)]).await;
        assert_eq!(res.headers[header::CONTENT_ENCODING], encoding);
        let named = etag(&res);
        assert_eq!(named, format!("{}-{encoding}\"", &tag[..tag.len() - 1]));
        let again = get(
            page,
            &[
                (header::ACCEPT_ENCODING, encoding),
                (header::IF_NONE_MATCH, &format!("\"other\", W/{named}")),
            ],
        )
        .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{encoding}");
        assert_eq!(etag(&again), named);
        tags.push(named);
    }
    let english = get(&format!("/en{page}"), &[]).await;
    assert_eq!(english.headers[header::CACHE_CONTROL], public);
    assert!(!tags.contains(&etag(&english)));
    // API reads are public too.
    let api = get("/api/v1/programmes/cache-seminar", &[]).await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(api.headers[header::CACHE_CONTROL], public);
    assert!(!etag(&api).is_empty());

    // Changed: the old tag no longer matches, and the new page is served.
    import("キャッシュ検証講座（改訂）").await;
    app.state.catalogue.catch_up().await.unwrap();
    let changed = get(page, &[(header::IF_NONE_MATCH, &tag)]).await;
    assert_eq!(changed.status, StatusCode::OK);
    assert!(changed.body.contains("キャッシュ検証講座（改訂）"));
    assert_ne!(etag(&changed), tag);

    // A page with a form holds this visitor's CSRF token: private, and the cookie is set.
    let form = get(&format!("{page}/report"), &[]).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.headers[header::CACHE_CONTROL], "private, no-cache");
    assert!(!form.headers.contains_key(header::ETAG));
    assert!(form.headers.contains_key(header::SET_COOKIE));

    // Personal pages, signed in or not, are never public and never validated.
    let id = sign_up(&app, "私的 四郎", "private4@example.jp").await;
    let org = register_organisation(&mut signed_in(&app, &id).await, "5010001008846").await;
    let mut b = signed_in(&app, &id).await;
    for path in [
        page.to_owned(),
        "/account".to_owned(),
        format!("/organisations/{org}/applications"),
        "/api/v1/programmes/cache-seminar".to_owned(),
    ] {
        let res = b.get(&path).await;
        let cache = res.headers.get(header::CACHE_CONTROL);
        assert!(
            cache.is_none_or(|v| !v.to_str().unwrap().starts_with("public")),
            "{path}: {cache:?}"
        );
        if path != "/api/v1/programmes/cache-seminar" {
            assert_eq!(
                res.headers[header::CACHE_CONTROL],
                "private, no-store",
                "{path}"
            );
            assert!(!res.headers.contains_key(header::ETAG), "{path}");
        }
    }
    for path in ["/account", "/login", "/applications/x"] {
        let res = get(path, &[(header::IF_NONE_MATCH, "*")]).await;
        assert_ne!(res.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(!res.headers.contains_key(header::ETAG), "{path}");
    }
}

/// Issue 21 item 1: an anonymous visitor's programme page is rendered once and then served from
/// the page cache, already compressed, in each encoding and language; a change made through
/// the store (as another node, or `koshu import`, would make it) is shown after the next round
/// of the change feed that every node follows every 500 ms, in both languages, and the old tag
/// no longer matches; a write through this node clears the cache at once; a text search and
/// personal pages are never kept.
pub async fn rendered_pages_are_kept_until_the_change_feed_moves(app: TestApp) {
    let import =
        |title: &'static str| app.import_programme("kept-seminar", title, "キャッシュの確認。");
    import("保存ページ検証講座").await;
    app.state.catalogue.catch_up().await.unwrap();
    let get = |path: String, encoding: &'static str, held: Option<String>| {
        let mut req = Request::get(path).header(header::ACCEPT_ENCODING, encoding);
        if let Some(tag) = held {
            req = req.header(header::IF_NONE_MATCH, tag);
        }
        app.request(req.body(Body::empty()).unwrap())
    };
    let cache = |res: &crate::app::TestResponse| {
        res.headers
            .get("x-cache")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let tag =
        |res: &crate::app::TestResponse| res.headers[header::ETAG].to_str().unwrap().to_owned();
    let text_of = |res: &crate::app::TestResponse| {
        let mut out = String::new();
        match res
            .headers
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap())
        {
            Some("gzip") => {
                std::io::Read::read_to_string(
                    &mut flate2::read::GzDecoder::new(&res.bytes[..]),
                    &mut out,
                )
                .unwrap();
            }
            Some(other) => panic!("decoded here: gzip and identity only, not {other}"),
            None => out = res.body.clone(),
        }
        out
    };

    let mut tags = Vec::new();
    for (prefix, title_words) in [("", "保存ページ検証講座"), ("/en", "保存ページ検証講座")]
    {
        let path = format!("{prefix}/programmes/kept-seminar");
        let first = get(path.clone(), "gzip", None).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(cache(&first), "miss", "{path}");
        assert!(text_of(&first).contains(title_words));
        for encoding in ["gzip", "br", "identity"] {
            let hit = get(path.clone(), encoding, None).await;
            assert_eq!(cache(&hit), "hit", "{path} {encoding}");
            assert_eq!(
                hit.headers[header::CACHE_CONTROL],
                "public, max-age=60, stale-while-revalidate=300"
            );
            assert_eq!(hit.headers[header::VARY], "accept-encoding");
            let expected = match encoding {
                "identity" => None,
                other => Some(other),
            };
            assert_eq!(
                hit.headers
                    .get(header::CONTENT_ENCODING)
                    .map(|v| v.to_str().unwrap()),
                expected,
                "{path} {encoding}"
            );
            if encoding != "br" {
                assert_eq!(text_of(&hit), text_of(&first), "{path} {encoding}");
            }
            let again = get(path.clone(), encoding, Some(tag(&hit))).await;
            assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path} {encoding}");
            tags.push((path.clone(), encoding, tag(&hit)));
        }
    }

    // Changed through the store: the next round of the feed clears the cache on this node, as
    // on every other; both languages show the change, and no old tag matches.
    import("保存ページ検証講座（改訂）").await;
    assert_eq!(
        cache(&get("/programmes/kept-seminar".into(), "gzip", None).await),
        "hit",
        "until the feed is read"
    );
    app.state.catalogue.catch_up().await.unwrap();
    for (path, encoding, old) in &tags {
        let res = get(path.clone(), encoding, Some(old.clone())).await;
        assert_eq!(res.status, StatusCode::OK, "{path} {encoding}");
        assert_ne!(tag(&res), *old);
        if *encoding != "br" {
            assert!(
                text_of(&res).contains("保存ページ検証講座（改訂）"),
                "{path} {encoding}"
            );
        }
    }

    // A write through this node (a visitor's report about the page) clears it at once.
    let mut visitor = Browser::new(&app);
    let sent = visitor
        .post(
            "/programmes/kept-seminar/report",
            &[
                ("reason", "wrong"),
                ("details", "日程が違います。"),
                ("contact", ""),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(
        cache(&get("/programmes/kept-seminar".into(), "gzip", None).await),
        "miss"
    );

    // Never kept: a text search, and anything personal.
    let search = get("/search?q=%E4%BF%9D%E5%AD%98".into(), "gzip", None).await;
    assert_eq!(search.status, StatusCode::OK);
    assert_eq!(cache(&search), "");
    let id = sign_up(&app, "私的 五郎", "private5@example.jp").await;
    let org = register_organisation(&mut signed_in(&app, &id).await, "5010001008846").await;
    let mut b = signed_in(&app, &id).await;
    for path in [
        "/programmes/kept-seminar".to_owned(),
        "/account".to_owned(),
        format!("/organisations/{org}/applications"),
    ] {
        for _ in 0..2 {
            let res = b.get(&path).await;
            assert_eq!(res.status, StatusCode::OK, "{path}");
            assert_eq!(cache(&res), "", "{path}");
            assert_eq!(
                res.headers[header::CACHE_CONTROL],
                "private, no-store",
                "{path}"
            );
        }
    }
}

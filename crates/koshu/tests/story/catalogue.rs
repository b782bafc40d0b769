//! The public catalogue: Japanese search, facets, the index following writes (issue 3, A02–A03).

use crate::app::{START, TestApp};
use axum::http::StatusCode;
use koshu::catalogue_import::{DEMO_PROVIDERS, import_catalogue};
use koshu_domain::audit::AuditEvent;
use time::macros::datetime;

/// The programme ids on a search page, in order.
fn ids(body: &str) -> Vec<String> {
    body.split(r#"<h3><a href="/programmes/"#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

fn url(q: &str) -> String {
    format!(
        "/search?{}",
        serde_urlencoded::to_string([("q", q)]).unwrap()
    )
}

pub async fn japanese_search_finds_the_expected_programmes(app: TestApp) {
    app.load_demo().await;
    for (q, expected) in [
        ("ペネトレーション", &["nisc-ctf-2021"][..]),
        (
            "インシデント対応",
            &[
                "cyder-a-fy2021",
                "cyder-online-a-fy2021",
                "ipa-riss-practical-a",
            ][..],
        ),
        (
            "経営",
            &[
                "cumot-cybersecurity-management-strategy",
                "icscoe-strategic-management-seminar",
                "nisc-strategic-management-seminar-2021",
            ][..],
        ),
        (
            "CYDER",
            &[
                "cyder-a-fy2021",
                "cyder-b1-fy2021",
                "cyder-b2-fy2021",
                "cyder-c-fy2021",
                "cyder-online-a-fy2021",
            ][..],
        ),
        (
            "大阪",
            &["cyder-a-fy2021", "cyder-b1-fy2021", "cyder-b2-fy2021"][..],
        ),
        ("攻撃", &["cyder-a-fy2021", "sechack365"][..]),
        ("ｃｙｄｅｒ", &["cyder-a-fy2021"][..]),
    ] {
        let page = app.get(&url(q)).await;
        assert_eq!(page.status, StatusCode::OK, "{q}");
        let found = ids(&page.body);
        for id in expected {
            assert!(
                found.iter().any(|f| f == id),
                "{q}: expected {id} in {found:?}"
            );
        }
        assert!(
            !found.iter().any(|f| f == "security-action" && q == "大阪"),
            "{q}: {found:?}"
        );
    }
    let marked = app.get(&url("攻撃")).await;
    assert!(
        marked.body.contains("<mark>攻撃</mark>"),
        "matches are highlighted"
    );
    let cyder = app.get(&url("CYDER")).await;
    assert_eq!(
        ids(&cyder.body)[..5]
            .iter()
            .filter(|id| id.starts_with("cyder-"))
            .count(),
        5,
        "titles outrank mentions"
    );
}

/// Counted from the demo file's text, independently of the parser and the index.
fn programmes_with_sessions_in(prefecture: &str) -> usize {
    let line = format!("prefecture = \"{prefecture}\"");
    koshu::catalogue_import::DEMO_PROGRAMMES
        .split("[[programme]]")
        .skip(1)
        .filter(|p| p.contains(&line))
        .count()
}

pub async fn facet_counts_are_right(app: TestApp) {
    app.load_demo().await;
    // Osaka (27) hosts sessions of CYDER A, B-1 and B-2; counted independently from the files.
    let page = app.get("/search?prefecture=27").await;
    assert_eq!(ids(&page.body).len(), 3);
    assert!(page.body.contains("3件中 1〜3件を表示"));
    assert!(
        page.body
            .contains(r#"id="f-prefecture-27" name="prefecture" value="27" checked"#)
    );
    // Other prefectures stay countable while Osaka is chosen, with counts taken from the file.
    for (code, name) in [("13", "東京都"), ("47", "沖縄県")] {
        let expected = programmes_with_sessions_in(code);
        assert!(expected > 0);
        let option =
            format!(r#"for="f-prefecture-{code}">{name} <span class="count">({expected})</span>"#);
        assert!(page.body.contains(&option), "{option}");
    }
    // Two facets together: CYDER in Osaka at the intermediate level.
    let both = app
        .get("/search?q=CYDER&prefecture=27&difficulty=intermediate")
        .await;
    assert_eq!(
        both.status,
        StatusCode::OK,
        "unknown parameters are ignored"
    );
    let fields = app
        .get("/search?prefecture=27&kind=security_technology")
        .await;
    assert_eq!(ids(&fields.body).len(), 3);
}

pub async fn nothing_found_says_which_filter_to_drop(app: TestApp) {
    app.load_demo().await;
    let page = app.get("/search?q=SecHack365&prefecture=27").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("該当する講座はありません"));
    assert!(
        page.body.contains("「開催都道府県: 大阪府」を外す（1件）"),
        "guidance names the filter and the count"
    );
    let en = app.get("/en/search?q=SecHack365&prefecture=27").await;
    assert!(en.body.contains("Remove “Prefecture: Osaka”"),);
}

pub async fn an_invalid_filter_is_a_400_naming_the_parameter(app: TestApp) {
    let page = app.get("/search?field=hacking").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("<code>field</code>"));
    assert!(page.body.contains("「hacking」は"));
    let month = app.get("/en/search?month=2026-13").await;
    assert_eq!(month.status, StatusCode::BAD_REQUEST);
    assert!(month.body.contains("must look like 2026-04"));
}

pub async fn open_sessions_depend_on_today(app: TestApp) {
    app.load_demo().await;
    // On 2026-04-01 every FY2021 session is past.
    let now = app.get("/search?open=true").await;
    assert!(now.body.contains("該当する講座はありません"));
    // On 1 July 2021 the CYDER A sessions from 20 July onwards are open.
    app.clock.set(datetime!(2021-07-01 09:00 +09:00));
    let then = app.get("/search?open=true&sort=next").await;
    let found = ids(&then.body);
    assert_eq!(
        found.first().map(String::as_str),
        Some("cyder-a-fy2021"),
        "soonest first: {found:?}"
    );
}

pub async fn the_index_follows_writes_and_reindex_requests(app: TestApp) {
    app.load_demo().await;
    assert!(ids(&app.get(&url("量子暗号")).await.body).is_empty());
    let taxonomy = koshu::taxonomy().unwrap();
    let programmes = r#"
[[programme]]
id = "quantum-crypto-seminar"
provider = "nict"
title_ja = "量子暗号入門セミナー"
summary_ja = "量子暗号の基礎を学ぶ。"
kind = "security_technology"
difficulty = "intro"
format = "online"
fee = { type = "free" }
language = "ja"
"#;
    import_catalogue(
        &app.store,
        &taxonomy,
        DEMO_PROVIDERS,
        programmes,
        "cli",
        START,
    )
    .await
    .unwrap();
    // What a running server's follower does every half second.
    assert_eq!(app.state.catalogue.catch_up().await.unwrap(), 1);
    assert_eq!(
        ids(&app.get(&url("量子暗号")).await.body),
        ["quantum-crypto-seminar"]
    );

    // `koshu reindex` records a request; every follower rebuilds from the database.
    app.store
        .record_event(AuditEvent::new(
            START,
            "cli",
            "search.reindex",
            "search:catalogue",
        ))
        .await
        .unwrap();
    let rebuilt = app.state.catalogue.catch_up().await.unwrap();
    assert_eq!(
        rebuilt as i64,
        app.store.catalogue_counts().await.unwrap().programmes
    );
    assert_eq!(
        ids(&app.get(&url("量子暗号")).await.body),
        ["quantum-crypto-seminar"]
    );
}

pub async fn sessions_view_groups_by_month_and_filters_by_prefecture(app: TestApp) {
    app.load_demo().await;
    // In 2026 every demo session is past: the page says so and offers the past ones.
    let now = app.get("/sessions").await;
    assert_eq!(now.status, StatusCode::OK);
    assert!(now.body.contains("この条件に合う開催予定はありません"));
    assert!(now.body.contains("過去の開催も含めて表示する"));

    app.clock.set(datetime!(2021-07-01 09:00 +09:00));
    let july = app.get("/sessions").await;
    assert!(
        july.body.contains(r#"<h2 id="month-1">2021年7月</h2>"#),
        "grouped by month"
    );
    let tokyo = app.get("/sessions?prefecture=13&to=2022-03-31").await;
    let rows = tokyo.body.matches("<tr><td>").count();
    let expected = koshu::catalogue_import::DEMO_PROGRAMMES
        .matches("prefecture = \"13\"")
        .count();
    assert_eq!(
        rows, expected,
        "every Tokyo session of FY2021, one row each"
    );
    assert!(!tokyo.body.contains("大阪府 "), "no other prefecture");

    let bad = app.get("/sessions?from=2021-02-30").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("<code>from</code>"));
}

pub async fn provider_page_lists_its_programmes(app: TestApp) {
    app.load_demo().await;
    let page = app.get("/providers/nict").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("国立研究開発法人情報通信研究機構"));
    for id in ["cyder-a-fy2021", "sechack365"] {
        assert!(
            page.body.contains(&format!(r#"href="/programmes/{id}""#)),
            "{id}"
        );
    }
    assert!(
        !page.body.contains(r#"href="/programmes/security-action""#),
        "another provider's programme"
    );
    let programme = app.get("/programmes/cyder-a-fy2021").await;
    assert!(
        programme.body.contains(r#"<a href="/providers/nict">"#),
        "the programme links its provider"
    );
    assert_eq!(
        app.get("/providers/nobody").await.status,
        StatusCode::NOT_FOUND
    );
}

pub async fn programme_page_carries_course_json_ld(app: TestApp) {
    app.load_demo().await;
    let page = app.get("/programmes/cyder-a-fy2021").await;
    let script = page
        .body
        .split(r#"<script type="application/ld+json">"#)
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .unwrap();
    let course: serde_json::Value = serde_json::from_str(script).unwrap();
    assert_eq!(course["@type"], "Course");
    assert_eq!(
        course["provider"]["name"],
        "国立研究開発法人情報通信研究機構"
    );
    let instances = course["hasCourseInstance"].as_array().unwrap();
    let sessions = app
        .store
        .programme("cyder-a-fy2021")
        .await
        .unwrap()
        .unwrap()
        .sessions;
    assert_eq!(instances.len(), sessions.len());
    assert_eq!(instances[0]["courseMode"], "onsite");
    assert_eq!(instances[0]["startDate"], sessions[0].starts_on.to_string());
    assert_eq!(instances[0]["location"]["address"]["addressCountry"], "JP");
}

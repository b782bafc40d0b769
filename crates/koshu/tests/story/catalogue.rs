//! The public catalogue: Japanese search, facets, the index following writes (issue 3, A02–A03).

use crate::app::{START, TestApp};
use axum::http::StatusCode;
use koshu::catalogue_import::DEMO_PROVIDERS;
use koshu_domain::audit::AuditEvent;
use std::collections::BTreeSet;
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
    assert_eq!(both.status, StatusCode::OK);
    let mut found = ids(&both.body);
    found.sort();
    assert_eq!(found, ["cyder-b1-fy2021", "cyder-b2-fy2021"]);
    assert_eq!(
        app.get("/search?prefecture=27&colour=red").await.status,
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
    app.import_programme(
        "quantum-crypto-seminar",
        "量子暗号入門セミナー",
        "量子暗号の基礎を学ぶ。",
    )
    .await;
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

/// Every programme id a query gives, through every page of the API.
async fn all_ids(app: &TestApp, query: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut page = 1;
    loop {
        let res = app
            .get(&format!("/api/v1/programmes?{query}&page={page}"))
            .await;
        assert_eq!(res.status, StatusCode::OK, "{query}: {}", res.body);
        let body: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        for item in body["items"].as_array().unwrap() {
            found.insert(item["id"].as_str().unwrap().to_owned());
        }
        if page >= body["pages"].as_u64().unwrap() {
            return found;
        }
        page += 1;
    }
}

fn q(text: &str) -> String {
    serde_urlencoded::to_string([("q", text)]).unwrap()
}

/// The demo programmes as (id, the TOML of the record), read from the file's text: counts
/// below come from here, independently of the parser and the index.
fn demo_records() -> Vec<(String, String)> {
    koshu::catalogue_import::DEMO_PROGRAMMES
        .split("[[programme]]")
        .skip(1)
        .map(|record| {
            let id = record
                .lines()
                .find_map(|l| l.strip_prefix("id = \""))
                .and_then(|rest| rest.strip_suffix('"'))
                .unwrap()
                .to_owned();
            (id, record.to_owned())
        })
        .collect()
}

fn demo_ids_where(test: impl Fn(&str) -> bool) -> BTreeSet<String> {
    demo_records()
        .into_iter()
        .filter(|(_, record)| test(record))
        .map(|(id, _)| id)
        .collect()
}

pub async fn search_understands_levels_synonyms_and_latin_words(app: TestApp) {
    app.load_demo().await;
    // 初心者 is nowhere in the catalogue: it finds what is 入門 or 初級 (A02, A03).
    let beginners = demo_ids_where(|r| {
        r.contains("difficulty = \"intro\"") || r.contains("difficulty = \"beginner\"")
    });
    assert!(beginners.len() > 11);
    let found = all_ids(&app, &q("初心者")).await;
    assert!(found.is_superset(&beginners), "{found:?}");
    for id in found.difference(&beginners) {
        let page = app.get(&format!("/programmes/{id}")).await.body;
        assert!(page.contains("入門") || page.contains("初級"), "{id}");
    }
    assert_eq!(all_ids(&app, &q("初学者")).await, found);

    // 経営者 and 役員 find the programmes for executives, tagged 経営層 as the seeds say.
    let executives = demo_ids_where(|r| {
        r.lines()
            .any(|l| l.starts_with("layers = ") && l.contains("\"executive\""))
    });
    for id in [
        "security-action",
        "icscoe-strategic-management-seminar",
        "cumot-cybersecurity-management-strategy",
    ] {
        assert!(executives.contains(id), "{id} is for executives");
    }
    for word in ["経営者", "役員", "取締役"] {
        let found = all_ids(&app, &q(word)).await;
        assert!(found.is_superset(&executives), "{word}: {found:?}");
    }

    // A Latin word matches as a whole word: CISO only where the programme says CISO (here
    // through the ITSS+ field セキュリティ経営（CISO）), no longer 26 of 34 on its letters.
    let ciso = all_ids(&app, &q("CISO")).await;
    assert!(!ciso.is_empty());
    for (id, _) in demo_records() {
        let page = app.get(&format!("/programmes/{id}")).await.body;
        assert_eq!(
            ciso.contains(&id),
            page.to_lowercase().contains("ciso"),
            "{id}: found by CISO exactly when its page says CISO"
        );
    }
}

pub async fn the_level_facet_counts_each_level(app: TestApp) {
    app.load_demo().await;
    let page = app.get("/search").await;
    let api: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/programmes").await.body).unwrap();
    let taxonomy = koshu::taxonomy().unwrap();
    let mut offered = 0;
    for level in taxonomy.difficulties() {
        let expected = demo_ids_where(|r| r.contains(&format!("difficulty = \"{}\"", level.code)));
        if expected.is_empty() {
            assert!(
                !page
                    .body
                    .contains(&format!("f-difficulty-{}\"", level.code))
            );
            continue;
        }
        offered += expected.len();
        let option = format!(
            r#"for="f-difficulty-{}">{} <span class="count">({})</span>"#,
            level.code,
            level.label.ja,
            expected.len()
        );
        assert!(page.body.contains(&option), "{option}");
        assert_eq!(
            api["facets"]["difficulty"][&level.code],
            expected.len(),
            "{}",
            level.code
        );
        assert_eq!(
            all_ids(&app, &format!("difficulty={}", level.code)).await,
            expected,
            "{}",
            level.code
        );
    }
    assert_eq!(
        offered,
        demo_records().len(),
        "every programme has one level"
    );
    // Alternatives within the facet, with the other facets (A03).
    let two = all_ids(
        &app,
        "difficulty=intro&difficulty=semi_advanced&prefecture=13",
    )
    .await;
    let expected = demo_ids_where(|r| {
        (r.contains("difficulty = \"intro\"") || r.contains("difficulty = \"semi_advanced\""))
            && r.contains("prefecture = \"13\"")
    });
    assert!(!expected.is_empty());
    assert_eq!(two, expected);
    let home = app.get("/").await;
    let intro = demo_ids_where(|r| r.contains("difficulty = \"intro\"")).len();
    assert!(
        home.body.contains(&format!(
            r#"<a href="/search?difficulty=intro">入門 <span class="count">({intro})</span></a>"#
        )),
        "the front door offers the levels"
    );
    let en = app.get("/en/search?difficulty=intermediate").await;
    assert!(
        en.body.contains("Level: Intermediate"),
        "the active filter is named"
    );
}

pub async fn public_pages_carry_no_internal_notes(app: TestApp) {
    app.load_demo().await;
    let mut paths: Vec<String> = [
        "/",
        "/search",
        "/search?page=2",
        "/sessions",
        "/sessions?from=2021-04-01&to=2022-03-31",
        "/designations",
    ]
    .iter()
    .map(|p| (*p).to_owned())
    .collect();
    for (id, _) in demo_records() {
        paths.push(format!("/programmes/{id}"));
    }
    for provider in DEMO_PROVIDERS
        .lines()
        .filter_map(|l| l.strip_prefix("id = \""))
    {
        paths.push(format!("/providers/{}", provider.trim_end_matches('"')));
    }
    let english: Vec<String> = paths.iter().map(|p| format!("/en{p}")).collect();
    for path in paths.iter().chain(&english) {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        // The editor's notes (seed file, lines, judgement calls) belong to the data.
        for note in ["000_", "003_", ".txt", "シード", "編集判断", "l.20"] {
            assert!(!page.body.contains(note), "{path} shows {note:?}");
        }
    }
    // What a visitor is told instead: the publisher and the year of the source.
    let ja = app.get("/programmes/cyder-a-fy2021").await;
    assert!(ja.body.contains("出典：総務省資料（令和3年度）"));
    let en = app.get("/en/programmes/cyder-a-fy2021").await;
    assert!(
        en.body
            .contains("Source: Ministry of Internal Affairs and Communications (FY2021)")
    );
    let provider = app.get("/providers/ipa").await;
    assert!(provider.body.contains("出典：経済産業省資料（令和3年度）"));
}

/// A designated course in the catalogue as the designation workflow publishes it
/// (`publish::programme_of`), designated for three years from `starts_on`. Its id.
async fn publish_designated(app: &TestApp, starts_on: time::Date) -> String {
    use koshu_domain::catalogue::{Designation, ProgrammeWithSessions};
    use koshu_domain::designation::publish;
    let taxonomy = koshu::taxonomy().unwrap();
    let application = koshu_domain::designation::fixtures::complete_application(START.date());
    let org = application.provider.organisation.clone().unwrap();
    let designation = Designation {
        number: "特講2027-001".into(),
        starts_on,
        ends_on: starts_on.replace_year(starts_on.year() + 3).unwrap() - time::Duration::days(1),
    };
    let programme = publish::programme_of(
        "01900000-0000-7000-8000-00000000c001",
        &application,
        &org,
        designation,
        &taxonomy,
    )
    .unwrap();
    let id = programme.id.to_string();
    write_unit!(app, unit => unit.upsert_provider(&publish::provider_of(&org).unwrap(), "test", START).await)
        .unwrap();
    write_unit!(app, unit => unit.upsert_programme(
            &ProgrammeWithSessions {
                programme,
                sessions: Vec::new(),
            },
            "test",
            START,
        ).await)
    .unwrap();
    app.state.catalogue.catch_up().await.unwrap();
    id
}

const LABEL_BADGE: &str = r#"<p class="badge">情報処理安全確保支援士『特定講習』</p>"#;

pub async fn the_designated_label_waits_for_the_designation_period(app: TestApp) {
    // Designated on 1 April 2026 for a period from 1 April 2027 (section 6, C01).
    let id = publish_designated(&app, time::macros::date!(2027 - 04 - 01)).await;
    let path = format!("/programmes/{id}");
    let before = app.get(&path).await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(before.body.contains("指定予定（2027年4月1日から）"));
    assert!(
        !before.body.contains(LABEL_BADGE),
        "no label before the period"
    );
    let card = app.get("/search?q=%E6%BC%94%E7%BF%92").await;
    assert!(card.body.contains(&format!("/programmes/{id}")));
    assert!(card.body.contains("指定予定（2027年4月1日から）"));
    assert!(!card.body.contains(LABEL_BADGE));
    let only = app.get("/search?designated=true").await;
    assert!(
        only.body.contains("該当する講座はありません"),
        "not yet a 特定講習"
    );
    let en = app.get(&format!("/en{path}")).await;
    assert!(
        en.body
            .contains("To be designated as 情報処理安全確保支援士『特定講習』 (from 1 April 2027)")
    );

    // Within the period: the label, on the page, the card and in the facet.
    app.clock.set(datetime!(2027-04-01 00:05 +09:00));
    let within = app.get(&path).await;
    assert!(within.body.contains(LABEL_BADGE));
    assert!(!within.body.contains("指定予定"));
    let only = app.get("/search?designated=true").await;
    assert_eq!(ids(&only.body), std::slice::from_ref(&id));
    assert!(only.body.contains(LABEL_BADGE));
}

pub async fn designated_courses_link_the_public_list_and_explain_the_obligation(app: TestApp) {
    app.load_demo().await;
    // From every page's header, and the 特定講習 facet even before any course is designated.
    let home = app.get("/").await;
    assert!(
        home.body
            .contains(r#"<a href="/designations">特定講習の一覧</a>"#)
    );
    let search = app.get("/search").await;
    assert!(search.body.contains(r#"name="designated" value="true""#));
    for page in [&search, &app.get("/designations").await] {
        assert!(page.body.contains("登録セキスペは3年ごとの更新までに、毎年のオンライン講習と、期間中に1回の実践講習（IPAの実践講習または特定講習）を受ける必要があります。"));
        assert!(
            page.body
                .contains(r#"href="https://www.ipa.go.jp/jinzai/riss/""#)
        );
    }
    assert!(
        search
            .body
            .contains(r#"<p><a href="/designations">特定講習の一覧（指定期間・履歴）</a></p>"#)
    );
    let en = app.get("/en/designations").await;
    assert!(
        en.body
            .contains("Registered Information Security Specialists (RISS) must")
    );
    // And from every designated programme.
    let id = publish_designated(&app, time::macros::date!(2026 - 04 - 01)).await;
    let page = app.get(&format!("/programmes/{id}")).await;
    assert!(
        page.body
            .contains(r#"(<a href="/designations">特定講習の一覧</a>)"#)
    );
}

pub async fn english_pages_show_english_text(app: TestApp) {
    app.load_demo().await;
    let cyder = app
        .store
        .programme("cyder-a-fy2021")
        .await
        .unwrap()
        .unwrap()
        .programme;
    let summary_en = cyder.summary_en.unwrap();
    let opening: String = summary_en.chars().take(40).collect();
    let opening_ja: String = cyder.summary_ja.chars().take(20).collect();
    for path in ["/en/search?q=CYDER", "/en/providers/nict"] {
        let page = app.get(path).await;
        assert!(page.body.contains(&opening), "{path}: the English summary");
        assert!(
            !page.body.contains(&opening_ja),
            "{path}: not the Japanese one"
        );
    }
    let marked = app.get("/en/search?q=exercise").await;
    assert!(
        marked.body.contains("<mark>exercise</mark>"),
        "matches marked in English"
    );
    // The phrases Koshu writes for a designated course are in English on English pages.
    let id = publish_designated(&app, time::macros::date!(2026 - 04 - 01)).await;
    // Its own text exists in Japanese only, and the card says so.
    let card = app.get("/en/search?designated=true").await;
    assert!(
        card.body.contains(r#"<p class="excerpt" lang="ja">"#),
        "{}",
        card.body
    );
    let en = app.get(&format!("/en/programmes/{id}")).await;
    assert!(
        en.body.contains("6 hours 15 minutes in total"),
        "{}",
        en.body
    );
    assert!(en.body.contains("Open to people outside the provider"));
    for japanese in ["全6時間", "事業者の関係者以外も受講できます"] {
        assert!(!en.body.contains(japanese), "{japanese}");
    }
    let ja = app.get(&format!("/programmes/{id}")).await;
    assert!(ja.body.contains("全6時間15分"));
    assert!(ja.body.contains("事業者の関係者以外も受講できます"));
}

//! Providers list their own programmes (issue 14; A01, A02, A04): through the web form, as a
//! draft first; published when the page tells a learner what they need (and found by search
//! at once); sessions added, copied a month later, edited and cancelled; unpublished,
//! republished and withdrawn; every change in the programme's history. A designated
//! 特定講習's sessions are edited the same way, its facts stay the designation's.

use crate::accounts::{Browser, location, register_organisation, sign_up, signed_in};
use crate::app::{START, TestApp};
use crate::designation::CORPORATE_NUMBER;
use axum::http::StatusCode;

/// The programme form as a provider fills it: every field a learner needs (A02, A04).
fn programme_form<'a>(title: &'a str, inquiry: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title_ja", title),
        (
            "summary_ja",
            "標的型攻撃の初動対応を、模擬環境での演習で身につけます。",
        ),
        (
            "purpose_ja",
            "インシデントの初動を自組織で判断できるようになる。",
        ),
        ("goals_ja", "初動の手順を説明できる\n関係者への報告を書ける"),
        ("layers", "practitioner"),
        ("layers", "strategic"),
        ("audiences", "sme"),
        ("itss_fields", "sec_monitoring"),
        ("syllabus_items", "3-1、3-8"),
        ("kind", "security_technology"),
        ("difficulty", "beginner"),
        ("format", "in_person"),
        ("language", "ja"),
        ("duration_ja", "1日（6時間）"),
        ("total_hours", "6"),
        ("fee_type", "fixed"),
        ("fee_yen", "¥33,000"),
        ("inquiry_ja", inquiry),
    ]
}

fn session_form<'a>(starts_on: &'a str, deadline: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("starts_on", starts_on),
        ("ends_on", ""),
        ("prefecture", "13"),
        ("city", "千代田区"),
        ("venue", "霞が関研修室"),
        ("capacity", "30"),
        ("seats_left", "12"),
        ("application_deadline", deadline),
        ("note_ja", ""),
    ]
}

/// A's draft listing with one session, made through the pages by `owner`: (programme, session).
pub async fn a_draft_with_a_session(app: &TestApp, org: &str, owner: &str) -> (String, String) {
    let mut b = signed_in(app, owner).await;
    let created = b
        .post(
            &format!("/organisations/{org}/programmes"),
            &programme_form("権限確認の講座", "研修事務局 info@example.jp"),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let manage = location(&created).split('?').next().unwrap().to_owned();
    let programme = manage.rsplit('/').next().unwrap().to_owned();
    let added = b
        .post(
            &format!("{manage}/sessions/new"),
            &session_form("2026-06-10", "2026-06-01"),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let session = format!("{programme}-001");
    (programme, session)
}

/// The search page for 標的型攻撃 (the story's programme's words); the words found are marked,
/// so callers look for the programme's link.
async fn search(app: &TestApp) -> String {
    let res = Browser::new(app)
        .get("/search?q=%E6%A8%99%E7%9A%84%E5%9E%8B%E6%94%BB%E6%92%83")
        .await;
    assert_eq!(res.status, StatusCode::OK);
    res.body
}

pub async fn a_provider_lists_publishes_and_keeps_a_programme_up_to_date(app: TestApp) {
    let owner = sign_up(&app, "掲載 花子", "owner@provider.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, CORPORATE_NUMBER).await;
    let home = b.get(&format!("/organisations/{org}")).await;
    assert!(
        home.body
            .contains(&format!("/organisations/{org}/programmes"))
    );
    let list = format!("/organisations/{org}/programmes");
    assert!(
        b.get(&list)
            .await
            .body
            .contains("まだ掲載している講座はありません")
    );
    // The form starts from the organisation's registered desks (B24).
    let new = b.get(&format!("{list}/new")).await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(new.body.contains("研修事務局"), "{}", new.body);

    // Nothing typed: each field named with its rule, nothing stored.
    let empty = b.post(&list, &[("fee_type", "free")]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    for field in [
        "f-title_ja-error",
        "f-summary_ja-error",
        "f-layers-error",
        "f-kind-error",
    ] {
        assert!(empty.body.contains(field), "{field}: {}", empty.body);
    }
    assert!(
        empty
            .body
            .contains("対象とする人材層か対象者を1つ以上選んでください")
    );
    let unreadable = b
        .post(&list, &[("fee_type", "fixed"), ("fee_yen", "七万円")])
        .await;
    assert!(unreadable.body.contains("f-fee_yen-error"));

    // A draft without an inquiry contact is listed, but not published (A04).
    let title = "標的型攻撃 初動対応演習";
    let created = b.post(&list, &programme_form(title, "")).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let manage = location(&created).split('?').next().unwrap().to_owned();
    let id = manage.rsplit('/').next().unwrap().to_owned();
    let link = format!("href=\"/programmes/{id}\"");
    let page = b.get(location(&created)).await;
    assert!(page.body.contains("下書きとして登録しました"));
    assert!(!search(&app).await.contains(&link), "a draft is not public");
    assert_eq!(
        Browser::new(&app)
            .get(&format!("/programmes/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let refused = b.post(&format!("{manage}/publish?revision=1"), &[]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("問合せ先"), "{}", refused.body);
    assert!(!search(&app).await.contains(&link));

    // The preview shows the page as it will be.
    let preview = b.get(&format!("{manage}/preview")).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("これはプレビューです"));
    assert!(preview.body.contains("33,000"));

    // Edited on a stale revision: a conflict, nothing saved.
    let mut form = programme_form(title, "研修事務局 info@provider.example.jp");
    let stale = b.post(&format!("{manage}/edit?revision=7"), &form).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let saved = b.post(&format!("{manage}/edit?revision=1"), &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let published = b.post(&format!("{manage}/publish?revision=2"), &[]).await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    // Found by search as soon as the provider looks (the handler catches the index up).
    let found = search(&app).await;
    assert!(found.contains(&link), "{found}");
    let public = Browser::new(&app).get(&format!("/programmes/{id}")).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(
        public
            .body
            .contains("インシデントの初動を自組織で判断できるようになる")
    );

    // Sessions: a bad one named; one added; copied a month later; the first cancelled.
    let backwards = b
        .post(
            &format!("{manage}/sessions/new"),
            &[
                ("starts_on", "2026-06-10"),
                ("ends_on", "2026-06-09"),
                ("prefecture", "13"),
            ],
        )
        .await;
    assert_eq!(backwards.status, StatusCode::BAD_REQUEST);
    assert!(
        backwards.body.contains("f-ends_on-error"),
        "{}",
        backwards.body
    );
    let added = b
        .post(
            &format!("{manage}/sessions/new"),
            &session_form("2026-06-10", "2026-06-01"),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let first = format!("{id}-001");
    let copy = b.get(&format!("{manage}/sessions/new?copy={first}")).await;
    assert!(copy.body.contains("value=\"2026-07-10\""), "{}", copy.body);
    assert!(
        copy.body.contains("value=\"2026-07-01\""),
        "the deadline moves too"
    );
    let copied = b
        .post(
            &format!("{manage}/sessions/new"),
            &session_form("2026-07-10", "2026-07-01"),
        )
        .await;
    assert_eq!(copied.status, StatusCode::SEE_OTHER);
    let cancelled = b
        .post(&format!("{manage}/sessions/{first}/cancel"), &[])
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.body
    );
    let public = Browser::new(&app).get(&format!("/programmes/{id}")).await;
    assert!(public.body.contains("2026年6月10日"));
    assert!(
        public.body.contains("中止"),
        "a cancelled session stays listed as such"
    );
    assert!(public.body.contains("2026年7月10日"));
    let item = app.store.programme(&id).await.unwrap().unwrap();
    assert_eq!(item.sessions.len(), 2);
    assert!(item.sessions[0].cancelled && !item.sessions[1].cancelled);
    // The open filter counts the July session only.
    let open = Browser::new(&app)
        .get("/search?q=%E6%A8%99%E7%9A%84%E5%9E%8B&open=true")
        .await;
    assert!(open.body.contains(&link), "{}", open.body);

    // Unpublished: out of search and the public page; published again; withdrawn for good.
    let revision = app.store.listing(&id).await.unwrap().unwrap().revision;
    let hidden = b
        .post(&format!("{manage}/unpublish?revision={revision}"), &[])
        .await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER, "{}", hidden.body);
    assert!(!search(&app).await.contains(&link));
    assert_eq!(
        Browser::new(&app)
            .get(&format!("/programmes/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let again = b
        .post(&format!("{manage}/publish?revision={}", revision + 1), &[])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(search(&app).await.contains(&link));
    let withdrawn = b
        .post(&format!("{manage}/withdraw?revision={}", revision + 2), &[])
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    assert!(!search(&app).await.contains(&link));
    form[0] = ("title_ja", "終了後の編集");
    let after = b
        .post(&format!("{manage}/edit?revision={}", revision + 3), &form)
        .await;
    assert_eq!(after.status, StatusCode::BAD_REQUEST, "{}", after.body);
    assert!(after.body.contains("掲載を終了した講座は編集できません"));

    // Every change is in its history, and in the audit log.
    let page = b.get(&manage).await;
    for what in [
        "登録（下書き）",
        "内容の保存",
        "公開",
        "非公開にした",
        "掲載終了",
        "掲載 花子",
    ] {
        assert!(page.body.contains(what), "{what}: {}", page.body);
    }
    let listed = b.get(&list).await;
    assert!(listed.body.contains(title) && listed.body.contains("掲載終了"));
    let audit = app.store.recent_audit_entries(100).await.unwrap();
    assert!(audit.iter().any(|e| e.event.action == "listing.publish"));
    assert!(matches!(
        app.store.verify_audit_log().await.unwrap(),
        koshu_store::audit::AuditVerdict::Intact { .. }
    ));
}

/// A designated 特定講習's sessions are the provider's to keep up to date; its facts are the
/// designation's (a change notice changes them, and keeps the sessions).
pub async fn a_designated_courses_sessions_are_edited_and_its_facts_stay_locked(app: TestApp) {
    use crate::designation::{Submitted, a_reviewer, submitted_with_documents};
    let Submitted {
        mut provider,
        org,
        id,
        ..
    } = submitted_with_documents(&app).await;
    let reviewer = a_reviewer(&app).await;
    let mut ministry = signed_in(&app, &reviewer).await;
    let workspace = format!("/ministry/reviews/{id}");
    ministry
        .post(
            &format!("{workspace}/assign"),
            &[("account_id", &reviewer), ("role", "reviewer")],
        )
        .await;
    let done = ministry
        .post(
            &format!("{workspace}/designate"),
            &[("designated_on", "2026-04-01"), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let programme = app
        .store
        .designation_of(&id)
        .await
        .unwrap()
        .unwrap()
        .programme_id;
    let list = provider
        .get(&format!("/organisations/{org}/programmes"))
        .await;
    assert!(list.body.contains("特講2026-001"), "{}", list.body);
    let manage = format!("/organisations/{org}/programmes/{programme}");
    let page = provider.get(&manage).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("変更届（様式第3号）で変更します"));
    assert!(!page.body.contains("/publish?"), "no publishing controls");
    let locked = provider.get(&format!("{manage}/edit")).await;
    assert_eq!(locked.status, StatusCode::BAD_REQUEST);
    let added = provider
        .post(
            &format!("{manage}/sessions/new"),
            &session_form("2026-09-01", "2026-08-20"),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let public = Browser::new(&app)
        .get(&format!("/programmes/{programme}"))
        .await;
    assert!(public.body.contains("2026年9月1日"), "{}", public.body);
    assert!(public.body.contains("情報処理安全確保支援士『特定講習』"));
    let item = app.store.programme(&programme).await.unwrap().unwrap();
    assert!(
        item.programme.designation.is_some(),
        "the facts are untouched"
    );

    // A change notice applied on its date keeps the sessions.
    let mut complete = app.store.application(&id).await.unwrap().unwrap().draft;
    complete.course.name = "実践インシデント対応演習（改）".into();
    write_unit!(app, unit => unit.save_draft(&id, &complete, "test", app.clock_now()).await)
        .unwrap();
    let filed = provider
        .post(
            &format!("/applications/{id}/changes"),
            &[("effective_on", "2026-05-01"), ("reason", "名称の変更")],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    app.clock
        .set(time::macros::datetime!(2026-05-01 09:00 +09:00));
    assert_eq!(app.run_due_jobs().await, 1);
    let item = app.store.programme(&programme).await.unwrap().unwrap();
    assert_eq!(item.programme.title_ja, "実践インシデント対応演習（改）");
    assert_eq!(item.sessions.len(), 1, "the change kept the session");
}

/// Issue 14 item 4 (A05): a published programme with nothing ahead and no change for a year
/// says its information may be out of date, with its last update, and its owner is reminded
/// once; one with a session ahead is not stale until the day after it.
pub async fn a_programme_left_alone_for_a_year_says_so_and_its_provider_is_reminded_once(
    app: TestApp,
) {
    let owner = sign_up(&app, "放置 太郎", "owner@provider.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, CORPORATE_NUMBER).await;
    let list = format!("/organisations/{org}/programmes");
    let created = b
        .post(
            &list,
            &programme_form("放置された講座", "研修事務局 info@example.jp"),
        )
        .await;
    let manage = location(&created).split('?').next().unwrap().to_owned();
    let id = manage.rsplit('/').next().unwrap().to_owned();
    let published = b.post(&format!("{manage}/publish?revision=1"), &[]).await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let jobs = koshu_workflow::jobs::registry();
    let run = || koshu_workflow::jobs::run_due(&app.state.workflow, &jobs, "test");
    let reminders = || async {
        app.store
            .outbox(500, 0)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.subject.contains("講座情報の更新のお願い"))
            .count()
    };
    let notice = "情報が更新されていない可能性があります";

    app.clock
        .set(time::macros::datetime!(2027-03-31 09:00 +09:00));
    assert_eq!(run().await.unwrap(), 0, "not a year yet");
    let page = Browser::new(&app).get(&format!("/programmes/{id}")).await;
    assert!(!page.body.contains(notice));

    app.clock
        .set(time::macros::datetime!(2027-04-01 09:00 +09:00));
    assert_eq!(run().await.unwrap(), 1);
    assert_eq!(reminders().await, 1);
    let page = Browser::new(&app).get(&format!("/programmes/{id}")).await;
    assert!(page.body.contains(notice), "{}", page.body);
    assert!(page.body.contains("最終更新：2026年4月1日"));
    let en = Browser::new(&app)
        .get(&format!("/en/programmes/{id}"))
        .await;
    assert!(en.body.contains("This information may be out of date"));
    app.clock
        .set(time::macros::datetime!(2027-05-01 09:00 +09:00));
    assert_eq!(run().await.unwrap(), 0);
    assert_eq!(reminders().await, 1, "once");

    // A session ahead keeps the programme fresh: adding one clears the notice. (A year on,
    // the owner signs in again.)
    let mut b = signed_in(&app, &owner).await;
    let added = b
        .post(
            &format!("{manage}/sessions/new"),
            &session_form("2027-06-10", "2027-06-01"),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = Browser::new(&app).get(&format!("/programmes/{id}")).await;
    assert!(!page.body.contains(notice));
    // ... until a year after that save, the session long past: reminded again, once.
    app.clock
        .set(time::macros::datetime!(2028-05-01 09:00 +09:00));
    assert_eq!(run().await.unwrap(), 1);
    assert_eq!(reminders().await, 2);
}

/// Sends one API request as a provider's system would.
pub async fn api(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: &str,
) -> crate::app::TestResponse {
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    app.request(req.body(axum::body::Body::from(body.to_owned())).unwrap())
        .await
}

/// An API token created on the organisation's page by its owner; its value, shown once.
pub async fn a_token(b: &mut Browser<'_>, org: &str, name: &str, scope: &str) -> String {
    let res = b
        .post(
            &format!("/organisations/{org}/tokens"),
            &[("name", name), ("scope", scope), ("days", "90")],
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let start = res.body.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
    res.body[start..start + 70].to_owned()
}

const PROGRAMME_JSON: &str = r#"{
  "title_ja": "API で登録した演習",
  "summary_ja": "講座管理システムから登録した、インシデント対応の演習。",
  "purpose_ja": "初動を判断できるようになる。",
  "layers": ["practitioner"],
  "kind": "security_technology",
  "difficulty": "beginner",
  "format": "online",
  "duration_ja": "半日",
  "fee_type": "free",
  "inquiry_ja": "研修事務局 info@example.jp"
}"#;

/// Issue 14 item 3: a provider's own system lists, updates and publishes a programme and its
/// sessions through the API with a token of its organisation; the token is scoped, revocable
/// and counted; POSTs are idempotent by key; stale writes get 412.
pub async fn a_providers_system_publishes_through_the_api_with_a_token(app: TestApp) {
    let owner = sign_up(&app, "連携 一郎", "owner@provider.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, CORPORATE_NUMBER).await;
    let other_owner = sign_up(&app, "他社 花子", "owner@other.example.jp").await;
    let mut other = signed_in(&app, &other_owner).await;
    let other_org = register_organisation(&mut other, "4000012090001").await;
    let page = b.get(&format!("/organisations/{org}/tokens")).await;
    assert_eq!(page.status, StatusCode::OK);
    let write = a_token(&mut b, &org, "講座管理システム", "write").await;
    let read = a_token(&mut b, &org, "集計", "read").await;
    assert!(write.starts_with("koshu_") && write != read);
    let listed = b.get(&format!("/organisations/{org}/tokens")).await;
    assert!(
        !listed.body.contains(&write),
        "the value is never shown again"
    );
    assert!(
        listed.body.contains(&write[..12]),
        "its start tells it apart"
    );

    let programmes = format!("/api/v1/providers/{org}/programmes");
    // No token, a read token, another organisation's path: refused.
    let none = api(&app, "POST", &programmes, None, &[], PROGRAMME_JSON).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert!(
        none.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    assert!(none.body.contains("\"code\":\"auth.token\""));
    let read_only = api(&app, "POST", &programmes, Some(&read), &[], PROGRAMME_JSON).await;
    assert_eq!(read_only.status, StatusCode::FORBIDDEN);
    let elsewhere = api(
        &app,
        "GET",
        &format!("/api/v1/providers/{other_org}/programmes"),
        Some(&write),
        &[],
        "",
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    // A cookie does not authenticate the API.
    assert_eq!(b.get(&programmes).await.status, StatusCode::UNAUTHORIZED);

    // Bad bodies: every rule named with its field.
    let bad = api(
        &app,
        "POST",
        &programmes,
        Some(&write),
        &[],
        r#"{"fee_type": "free"}"#,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    let body: serde_json::Value = serde_json::from_str(&bad.body).unwrap();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"title_ja") && fields.contains(&"layers"),
        "{fields:?}"
    );
    let unknown = api(
        &app,
        "POST",
        &programmes,
        Some(&write),
        &[],
        r#"{"colour": "red"}"#,
    )
    .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.body.contains("body.format"));

    // Created once, whatever the retries.
    let key = [("idempotency-key", "sync-2026-04-01-001")];
    let first = api(
        &app,
        "POST",
        &programmes,
        Some(&write),
        &key,
        PROGRAMME_JSON,
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.headers["etag"], "\"1\"");
    let location = first.headers["location"].to_str().unwrap().to_owned();
    let again = api(
        &app,
        "POST",
        &programmes,
        Some(&write),
        &key,
        PROGRAMME_JSON,
    )
    .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body, "the first answer, replayed");
    assert_eq!(again.headers["location"].to_str().unwrap(), location);
    assert_eq!(app.store.listings_of(&org).await.unwrap().len(), 1);
    let reused = api(
        &app,
        "POST",
        &programmes,
        Some(&write),
        &key,
        &PROGRAMME_JSON.replace("半日", "1日"),
    )
    .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let created: serde_json::Value = serde_json::from_str(&first.body).unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    // The answers are as the OpenAPI document describes them.
    let contract = crate::api::Contract::fetch(&app).await;
    let json =
        |r: &crate::app::TestResponse| serde_json::from_str::<serde_json::Value>(&r.body).unwrap();
    let template = "/api/v1/providers/{organisation}/programmes";
    contract.check_op("post", template, 201, "application/json", &json(&first));
    contract.check_op("post", template, 400, "application/json", &json(&bad));
    contract.check_op("post", template, 401, "application/json", &json(&none));
    contract.check_op("post", template, 403, "application/json", &json(&read_only));
    contract.check_op("post", template, 422, "application/json", &json(&reused));
    assert_eq!(location, format!("{programmes}/{id}"));

    // Changed with If-Match: required, and a stale one is a 412 that changes nothing.
    let renamed = PROGRAMME_JSON.replace("API で登録した演習", "API で更新した演習");
    let missing = api(&app, "PUT", &location, Some(&write), &[], &renamed).await;
    assert_eq!(missing.status, StatusCode::PRECONDITION_REQUIRED);
    let stale = api(
        &app,
        "PUT",
        &location,
        Some(&write),
        &[("if-match", "\"0\"")],
        &renamed,
    )
    .await;
    assert_eq!(
        stale.status,
        StatusCode::PRECONDITION_FAILED,
        "{}",
        stale.body
    );
    let saved = api(
        &app,
        "PUT",
        &location,
        Some(&write),
        &[("if-match", "\"1\"")],
        &renamed,
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.headers["etag"], "\"2\"");
    let replayed_stale = api(
        &app,
        "PUT",
        &location,
        Some(&write),
        &[("if-match", "\"1\"")],
        &renamed,
    )
    .await;
    assert_eq!(replayed_stale.status, StatusCode::PRECONDITION_FAILED);

    // A session, then published: in search at once.
    let session =
        r#"{"starts_on": "2026-06-10", "prefecture": "13", "capacity": "30", "seats_left": "30"}"#;
    let added = api(
        &app,
        "POST",
        &format!("{location}/sessions"),
        Some(&write),
        &[("if-match", "\"2\"")],
        session,
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(added.headers["etag"], "\"3\"");
    let published = api(
        &app,
        "POST",
        &format!("{location}/publish"),
        Some(&write),
        &[("if-match", "\"3\""), ("idempotency-key", "publish-1")],
        "",
    )
    .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    assert!(published.body.contains("\"state\":\"published\""));
    let found = Browser::new(&app)
        .get("/search?q=API%E3%81%A7%E6%9B%B4%E6%96%B0")
        .await;
    assert!(
        found.body.contains(&format!("href=\"/programmes/{id}\"")),
        "{}",
        found.body
    );
    let public = app.get(&format!("/api/v1/programmes/{id}")).await;
    assert_eq!(public.status, StatusCode::OK);
    // Read with the read token; the session cancelled with the write one.
    let got = api(&app, "GET", &location, Some(&read), &[], "").await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.headers["etag"], "\"4\"");
    let cancelled = api(
        &app,
        "POST",
        &format!("{location}/sessions/{id}-001/cancel"),
        Some(&write),
        &[("if-match", "\"4\"")],
        "",
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert!(cancelled.body.contains("\"cancelled\":true"));
    // The audit log names the token as the actor.
    let audit = app.store.recent_audit_entries(50).await.unwrap();
    assert!(audit.iter().any(|e| e.event.action == "listing.publish" && e.event.actor.starts_with("api_token:")));

    // Revoked on the page: 401 from then on.
    let tokens = app.store.api_tokens_of(&org).await.unwrap();
    let write_id = &tokens.iter().find(|t| t.scope == "write").unwrap().id;
    assert!(
        tokens.iter().any(|t| t.last_used_at.is_some()),
        "last use is shown"
    );
    let revoked = b
        .post(
            &format!("/organisations/{org}/tokens/{write_id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let after = api(&app, "GET", &programmes, Some(&write), &[], "").await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    // Another organisation's owner cannot revoke ours, nor see our tokens.
    assert_eq!(
        other
            .get(&format!("/organisations/{org}/tokens"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Counted per token: beyond the limit, 429 until the minute passes.
    let mut limited = None;
    for n in 0..=koshu_domain::access::rate_limit::API_PER_TOKEN.max {
        let res = api(&app, "GET", &programmes, Some(&read), &[], "").await;
        if res.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(n);
            break;
        }
    }
    assert!(limited.is_some(), "the limit is reached");
    app.clock.set(START + time::Duration::minutes(2));
    assert_eq!(
        api(&app, "GET", &programmes, Some(&read), &[], "")
            .await
            .status,
        StatusCode::OK
    );
}

/// A workbook as a provider fills the template: 講座 rows (each a map of header to value) and
/// 開催回 rows.
fn workbook(programmes: &[&[(&str, &str)]], sessions: &[&[(&str, &str)]]) -> Vec<u8> {
    use koshu_forms::catalogue::{SHEET_PROGRAMMES, SHEET_SESSIONS, headers};
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in [(SHEET_PROGRAMMES, programmes), (SHEET_SESSIONS, sessions)] {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        let heads = headers(name);
        for (c, h) in heads.iter().enumerate() {
            ws.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (h, v) in *row {
                let c = heads
                    .iter()
                    .position(|x| x.starts_with(h))
                    .unwrap_or_else(|| panic!("{h}"));
                ws.write_string(u32::try_from(r + 1).unwrap(), u16::try_from(c).unwrap(), *v)
                    .unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

const GOOD_ROW: &[(&str, &str)] = &[
    ("管理番号", "K-001"),
    ("講座名", "表計算で登録した演習"),
    ("概要", "講座の一覧表から一括で登録した、ログ分析の演習。"),
    ("目的", "ログから攻撃の痕跡を見つけられるようになる。"),
    ("対象とする人材層", "実務者・技術者層"),
    ("種別", "security_technology"),
    ("難易度", "初級"),
    ("形式", "集合"),
    ("期間・時間", "1日"),
    ("費用の種類", "定額"),
    ("金額・下限（円）", "¥22,000"),
    ("問合せ先", "研修事務局 info@example.jp"),
    ("公開する", "はい"),
];

/// Issue 14 item 2: a spreadsheet with one bad row applies nothing and names the row, the
/// column and the rule; fixed, it is checked, then applied at once (programmes listed and
/// published, sessions from the 開催回 sheet), found by search; uploaded again, it changes
/// nothing; a CSV of the 講座 sheet works the same way.
pub async fn a_spreadsheet_is_checked_then_applied_all_at_once(app: TestApp) {
    let owner = sign_up(&app, "一括 次郎", "owner@provider.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, CORPORATE_NUMBER).await;
    let upload = format!("/organisations/{org}/programmes/upload");
    let page = b.get(&upload).await;
    assert_eq!(page.status, StatusCode::OK);
    let (status, template) = b.get_bytes(&format!("{upload}/template.xlsx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(template.starts_with(b"PK"));
    let csv = b.get(&format!("{upload}/template.csv")).await;
    assert!(csv.body.starts_with("\u{feff}管理番号"), "{}", csv.body);

    // One bad row (an unknown kind, no summary): nothing applied, the row and column named.
    let bad_row: &[(&str, &str)] = &[
        ("管理番号", "K-002"),
        ("講座名", "不備のある講座"),
        ("対象とする人材層", "practitioner"),
        ("種別", "ふしぎな種別"),
        ("難易度", "beginner"),
        ("形式", "online"),
        ("費用の種類", "free"),
        ("公開する", "いいえ"),
    ];
    let sessions: &[&[(&str, &str)]] = &[&[
        ("管理番号", "K-001"),
        ("開始日", "2026-06-20"),
        ("都道府県", "大阪府"),
        ("オンライン", "いいえ"),
        ("定員", "20"),
    ]];
    let file = workbook(&[GOOD_ROW, bad_row], sessions);
    let checked = b
        .post_file(&upload, &[], ("file", "講座.xlsx", &file))
        .await;
    assert_eq!(checked.status, StatusCode::BAD_REQUEST, "{}", checked.body);
    for shown in [
        "何も反映していません",
        "<th scope=\"row\">3</th>",
        "N（種別）",
        "参照データにないコード",
        "D（概要）",
    ] {
        assert!(checked.body.contains(shown), "{shown}: {}", checked.body);
    }
    assert!(app.store.listings_of(&org).await.unwrap().is_empty());

    // Fixed: checked, nothing applied yet; then applied.
    let fixed_row: &[(&str, &str)] = &[
        ("管理番号", "K-002"),
        ("講座名", "下書きで置く講座"),
        ("概要", "あとで公開する講座。"),
        ("対象とする人材層", "practitioner"),
        ("種別", "security_technology"),
        ("難易度", "beginner"),
        ("形式", "online"),
        ("費用の種類", "free"),
        ("公開する", "いいえ"),
    ];
    let file = workbook(&[GOOD_ROW, fixed_row], sessions);
    let checked = b
        .post_file(&upload, &[], ("file", "講座.xlsx", &file))
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert!(
        checked.body.contains("新しく登録する講座：2"),
        "{}",
        checked.body
    );
    assert!(checked.body.contains("公開する講座：1"));
    assert!(
        app.store.listings_of(&org).await.unwrap().is_empty(),
        "a check applies nothing"
    );
    let start =
        checked.body.find("name=\"file\" value=\"").unwrap() + "name=\"file\" value=\"".len();
    let kept = checked.body[start..start + 36].to_owned();
    // Only its uploader applies it.
    let stranger = sign_up(&app, "他社 三郎", "owner@other.example.jp").await;
    let mut other = signed_in(&app, &stranger).await;
    let their_org = register_organisation(&mut other, "4000012090001").await;
    let stolen = other
        .post(
            &format!("/organisations/{their_org}/programmes/upload/apply"),
            &[("file", &kept)],
        )
        .await;
    assert_eq!(stolen.status, StatusCode::NOT_FOUND);
    let applied = b.post(&format!("{upload}/apply"), &[("file", &kept)]).await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    let list = b.get(location(&applied)).await;
    assert!(
        list.body.contains("ファイルを反映しました（新規 2件"),
        "{}",
        list.body
    );
    let listed = app.store.listings_of(&org).await.unwrap();
    assert_eq!(listed.len(), 2);
    let published = listed
        .iter()
        .find(|l| l.item.programme.title_ja == "表計算で登録した演習")
        .unwrap();
    let id = published.item.programme.id.to_string();
    assert_eq!(published.item.sessions.len(), 1);
    assert_eq!(
        published.item.programme.layers,
        ["practitioner"],
        "a name read as its code"
    );
    let found = Browser::new(&app)
        .get("/search?q=%E8%A1%A8%E8%A8%88%E7%AE%97")
        .await;
    assert!(
        found.body.contains(&format!("href=\"/programmes/{id}\"")),
        "{}",
        found.body
    );
    let public = Browser::new(&app).get(&format!("/programmes/{id}")).await;
    assert!(public.body.contains("2026年6月20日") && public.body.contains("大阪府"));
    assert!(public.body.contains("22,000"));

    // The same file again: nothing changes, nothing is recorded.
    let audit = app.store.recent_audit_entries(500).await.unwrap().len();
    let again = b
        .post_file(&upload, &[], ("file", "講座.xlsx", &file))
        .await;
    assert!(again.body.contains("変更のない講座：2"), "{}", again.body);
    let start = again.body.find("name=\"file\" value=\"").unwrap() + "name=\"file\" value=\"".len();
    let kept = again.body[start..start + 36].to_owned();
    let reapplied = b.post(&format!("{upload}/apply"), &[("file", &kept)]).await;
    assert_eq!(reapplied.status, StatusCode::SEE_OTHER);
    let after: Vec<_> = app.store.recent_audit_entries(500).await.unwrap();
    assert!(
        after[..after.len() - audit]
            .iter()
            .all(|e| !e.event.action.starts_with("listing.")
                && !e.event.action.starts_with("programme.")),
        "no listing or programme written again"
    );

    // A CSV of the 講座 sheet.
    let heads = koshu_forms::catalogue::headers(koshu_forms::catalogue::SHEET_PROGRAMMES);
    let value = |h: &str| {
        [
            ("管理番号", "C-1"),
            ("講座名", "CSVで登録した講座"),
            ("概要", "CSV から登録した、カンマ, を含む概要。"),
            ("目的", "目的"),
            ("対象とする人材層", "経営層"),
            ("種別", "security_management"),
            ("難易度", "intro"),
            ("形式", "online"),
            ("期間・時間", "2時間"),
            ("費用の種類", "free"),
            ("問合せ先", "事務局"),
            ("公開する", "はい"),
        ]
        .iter()
        .find(|(k, _)| h.starts_with(k))
        .map_or(String::new(), |(_, v)| format!("\"{v}\""))
    };
    let line: Vec<String> = heads.iter().map(|h| value(h)).collect();
    let csv = format!("{}\r\n{}\r\n", heads.join(","), line.join(","));
    let checked = b
        .post_file(&upload, &[], ("file", "講座.csv", csv.as_bytes()))
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    let start =
        checked.body.find("name=\"file\" value=\"").unwrap() + "name=\"file\" value=\"".len();
    let kept = checked.body[start..start + 36].to_owned();
    let applied = b.post(&format!("{upload}/apply"), &[("file", &kept)]).await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER);
    let found = Browser::new(&app).get("/search?q=CSV").await;
    assert!(
        found.body.contains("CSVで登録した講座")
            || found.body.contains("<mark>CSV</mark>で登録した講座"),
        "{}",
        found.body
    );
}

/// Issue 14 item 5: a visitor reports a problem from the programme's page (no account,
/// counted per address); the ministry reads it, hides the programme with a reason its provider
/// reads (out of search and its page), closes the report and shows it again; all audited.
pub async fn a_reported_programme_is_hidden_by_the_ministry_with_a_reason(app: TestApp) {
    let owner = sign_up(&app, "通報 四郎", "owner@provider.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, CORPORATE_NUMBER).await;
    let created = b
        .post(
            &format!("/organisations/{org}/programmes"),
            &programme_form("標的型攻撃の怪しい講座", "研修事務局 info@example.jp"),
        )
        .await;
    let manage = location(&created).split('?').next().unwrap().to_owned();
    let id = manage.rsplit('/').next().unwrap().to_owned();
    b.post(&format!("{manage}/publish?revision=1"), &[]).await;
    let link = format!("href=\"/programmes/{id}\"");

    let mut visitor = Browser::new(&app);
    let page = visitor.get(&format!("/programmes/{id}")).await;
    assert!(page.body.contains(&format!("/programmes/{id}/report")));
    let report = format!("/programmes/{id}/report");
    assert_eq!(visitor.get(&report).await.status, StatusCode::OK);
    let empty = visitor.post(&report, &[]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("f-reason-error") && empty.body.contains("f-details-error"));
    let sent = visitor
        .post(
            &report,
            &[
                ("reason", "wrong"),
                ("details", "受講料が公式サイトと違います。"),
                ("contact", ""),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("ご報告ありがとうございます"));
    let mut limited = false;
    for _ in 0..koshu_domain::access::rate_limit::REPORT_PER_ADDRESS.max {
        let res = visitor
            .post(
                &report,
                &[
                    ("reason", "other"),
                    ("details", "同じ内容の繰り返し"),
                    ("contact", ""),
                ],
            )
            .await;
        limited |= res.status == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(limited, "reports are counted per address");

    let reviewer = crate::designation::a_reviewer(&app).await;
    let mut ministry = signed_in(&app, &reviewer).await;
    let reports = ministry.get("/ministry/reports").await;
    assert_eq!(reports.status, StatusCode::OK);
    assert!(reports.body.contains("受講料が公式サイトと違います。"));
    let no_reason = ministry
        .post(
            &format!("/ministry/programmes/{id}/hide"),
            &[("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let hidden = ministry
        .post(
            &format!("/ministry/programmes/{id}/hide"),
            &[("reason", "受講料の表示が事実と異なるため。")],
        )
        .await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER, "{}", hidden.body);
    assert_eq!(
        Browser::new(&app)
            .get(&format!("/programmes/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(!search(&app).await.contains(&link));
    let provider_page = b.get(&manage).await;
    assert!(
        provider_page
            .body
            .contains("受講料の表示が事実と異なるため。"),
        "{}",
        provider_page.body
    );
    let open = app.store.programme_reports(10).await.unwrap();
    let first = open.iter().find(|r| r.reason == "wrong").unwrap();
    let closed = ministry
        .post(&format!("/ministry/reports/{}/close", first.id), &[])
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    assert!(
        ministry
            .get("/ministry/reports")
            .await
            .body
            .contains("対応済み")
    );
    let shown = ministry
        .post(&format!("/ministry/programmes/{id}/unhide"), &[])
        .await;
    assert_eq!(shown.status, StatusCode::SEE_OTHER);
    assert_eq!(
        Browser::new(&app)
            .get(&format!("/programmes/{id}"))
            .await
            .status,
        StatusCode::OK
    );
    assert!(search(&app).await.contains(&link));
    let audit = app.store.recent_audit_entries(200).await.unwrap();
    for action in [
        "report.receive",
        "report.close",
        "programme.hide",
        "programme.unhide",
    ] {
        assert!(audit.iter().any(|e| e.event.action == action), "{action}");
    }
}

/// An organisation the operator's catalogue already lists (imported with its 法人番号 under an
/// id of its own) publishes under that provider, not a second one: found on the provider's
/// page. (Publishing made a second provider with the same 法人番号, refused by the database:
/// a 500, found by the keyboard test.)
pub async fn a_provider_already_in_the_catalogue_publishes_under_its_listed_name(app: TestApp) {
    app.load_demo().await;
    let listed = app
        .store
        .provider_with_corporate_number("4000012090001")
        .await
        .unwrap()
        .expect("a demo provider with this 法人番号");
    let owner = sign_up(&app, "既存 五郎", "owner@listed.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, "4000012090001").await;
    let created = b
        .post(
            &format!("/organisations/{org}/programmes"),
            &programme_form("既存の提供者の新しい演習", "窓口 info@example.jp"),
        )
        .await;
    let manage = location(&created).split('?').next().unwrap().to_owned();
    let id = manage.rsplit('/').next().unwrap().to_owned();
    let published = b.post(&format!("{manage}/publish?revision=1"), &[]).await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let item = app.store.programme(&id).await.unwrap().unwrap();
    assert_eq!(item.programme.provider, listed.id);
    let page = Browser::new(&app)
        .get(&format!("/providers/{}", listed.id))
        .await;
    assert!(
        page.body.contains("既存の提供者の新しい演習"),
        "{}",
        page.body
    );
}

//! Providers list their own programmes (issue 14; A01, A02, A04): through the web form, as a
//! draft first; published when the page tells a learner what they need (and found by search
//! at once); sessions added, copied a month later, edited and cancelled; unpublished,
//! republished and withdrawn; every change in the programme's history. A designated
//! 特定講習's sessions are edited the same way, its facts stay the designation's.

use crate::accounts::{Browser, location, register_organisation, sign_up, signed_in};
use crate::app::TestApp;
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
    let jobs = koshu_workflow::jobs::registry();
    assert_eq!(
        koshu_workflow::jobs::run_due(&app.state.workflow, &jobs, "test")
            .await
            .unwrap(),
        1
    );
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
        .post(&list, &programme_form("放置された講座", "研修事務局 info@example.jp"))
        .await;
    let manage = location(&created).split('?').next().unwrap().to_owned();
    let id = manage.rsplit('/').next().unwrap().to_owned();
    let published = b.post(&format!("{manage}/publish?revision=1"), &[]).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
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
    let en = Browser::new(&app).get(&format!("/en/programmes/{id}")).await;
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

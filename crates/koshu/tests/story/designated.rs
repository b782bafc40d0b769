//! A designated course's life after the decision (C01, C02, C05): abolished on its date, and
//! renewed in its final year or expired after three years, each by the scheduled jobs.

use crate::accounts::{Browser, location, register_organisation, sign_up, signed_in};
use crate::app::TestApp;
use crate::applications::{attach_required_documents, complete_for, new_application};
use crate::designation::{CORPORATE_NUMBER, ministry_person};
use axum::http::StatusCode;
use koshu_domain::access::MinistryRole;

/// A designated course, made through the pages: (application, owner, programme).
async fn designated_course(app: &TestApp) -> (String, String, String) {
    let owner = sign_up(app, "廃止 太郎", "owner@closing.example.jp").await;
    let mut provider = signed_in(app, &owner).await;
    let org = register_organisation(&mut provider, CORPORATE_NUMBER).await;
    let id = new_application(&mut provider, &org, "閉講予定の演習").await;
    let complete = complete_for(CORPORATE_NUMBER, "閉講予定の演習");
    write_unit!(app, unit => unit.save_draft(&id, &complete, "test", app.clock_now()).await)
        .unwrap();
    attach_required_documents(&mut provider, &id, &complete).await;
    provider
        .post(&format!("/applications/{id}/submit"), &[])
        .await;
    let reviewer = ministry_person(
        app,
        "審査 五郎",
        "reviewer5@meti.example.jp",
        Some(MinistryRole::Reviewer),
        false,
    )
    .await;
    let mut ministry = signed_in(app, &reviewer).await;
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
    (id, owner, programme)
}

pub async fn an_abolished_course_leaves_the_catalogue_on_its_date(app: TestApp) {
    let (id, owner, programme) = designated_course(&app).await;
    let mut provider = signed_in(&app, &owner).await;
    let abolition = format!("/applications/{id}/abolition");
    let bare = provider
        .post(
            &abolition,
            &[("effective_on", "2026-10-01"), ("measures", " ")],
        )
        .await;
    assert_eq!(
        bare.status,
        StatusCode::BAD_REQUEST,
        "measures are required"
    );
    let filed = provider
        .post(
            &abolition,
            &[
                ("effective_on", "2026-10-01"),
                (
                    "measures",
                    "受講中の方は同内容の別講座へ無償で振り替えます。",
                ),
                ("reason", "講座体系の見直しのため"),
            ],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    app.state.catalogue.catch_up().await.unwrap();
    let path = format!("/programmes/{programme}");
    assert_eq!(Browser::new(&app).get(&path).await.status, StatusCode::OK);
    app.clock
        .set(time::macros::datetime!(2026-10-01 00:30 +09:00));
    assert_eq!(app.run_due_jobs().await, 1);
    app.state.catalogue.catch_up().await.unwrap();
    assert_eq!(
        app.store
            .application(&id)
            .await
            .unwrap()
            .map(|a| a.status.code()),
        Some("abolished")
    );
    assert_eq!(
        Browser::new(&app).get(&path).await.status,
        StatusCode::NOT_FOUND
    );
    let list = Browser::new(&app).get("/designations").await;
    assert!(
        list.body.contains("廃止"),
        "the public list keeps the history"
    );
    let page = signed_in(&app, &owner)
        .await
        .get(&format!("/applications/{id}"))
        .await;
    assert!(
        page.body
            .contains("受講中の方は同内容の別講座へ無償で振り替えます。")
    );
}

pub async fn a_designation_is_renewed_in_its_final_year_and_expires_after_three(app: TestApp) {
    let (id, owner, programme) = designated_course(&app).await;
    let renewal = format!("/applications/{id}/renewal");
    // Before the final year: no reminder, and no renewal yet (C02).
    app.clock
        .set(time::macros::datetime!(2028-03-31 12:00 +09:00));
    assert_eq!(app.run_due_jobs().await, 0);
    let mut provider = signed_in(&app, &owner).await;
    let early = provider.post(&renewal, &[]).await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST);
    // The final year: the owners are reminded, and the renewal starts from the current course.
    app.clock
        .set(time::macros::datetime!(2028-04-01 00:10 +09:00));
    assert_eq!(app.run_due_jobs().await, 1);
    let mails = app.store.outbox(50, 0).await.unwrap();
    assert!(
        mails
            .iter()
            .any(|m| m.to_address == "owner@closing.example.jp"
                && m.subject.contains("更新")
                && m.body.contains("2029年3月31日"))
    );
    let mut provider = signed_in(&app, &owner).await;
    let page = provider.get(&format!("/applications/{id}")).await;
    assert!(page.body.contains("更新の申請書を作る"));
    let renewed = provider.post(&renewal, &[]).await;
    assert_eq!(renewed.status, StatusCode::SEE_OTHER, "{}", renewed.body);
    let new_id = location(&renewed)
        .strip_prefix("/applications/")
        .unwrap()
        .to_owned();
    let copy = app.store.application(&new_id).await.unwrap().unwrap();
    assert_eq!(
        copy.status,
        koshu_domain::designation::lifecycle::Status::Draft
    );
    assert_eq!(copy.draft.course.name, "閉講予定の演習");
    assert_eq!(
        copy.draft.curriculum.len(),
        complete_for(CORPORATE_NUMBER, "x").curriculum.len()
    );
    // The period ends: the day after its last day the course is no longer a 特定講習.
    app.clock
        .set(time::macros::datetime!(2029-03-31 23:00 +09:00));
    assert_eq!(app.run_due_jobs().await, 0);
    app.clock
        .set(time::macros::datetime!(2029-04-01 00:10 +09:00));
    assert_eq!(app.run_due_jobs().await, 1);
    assert_eq!(
        app.store
            .application(&id)
            .await
            .unwrap()
            .map(|a| a.status.code()),
        Some("expired")
    );
    app.state.catalogue.catch_up().await.unwrap();
    let public = Browser::new(&app)
        .get(&format!("/programmes/{programme}"))
        .await;
    assert_eq!(public.status, StatusCode::OK, "still listed");
    assert!(!public.body.contains("情報処理安全確保支援士『特定講習』"));
    assert!(
        Browser::new(&app)
            .get("/designations")
            .await
            .body
            .contains("期間満了")
    );
}

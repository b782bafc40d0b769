//! Review and designation (issue 6; B35, B36, C01, C07): a provider applies, the reviewer
//! asks for a revision, the provider resubmits and the changes are shown, an external expert
//! declares no conflict and gives an opinion (another declares a conflict and loses access),
//! the reviewer designates, and the course appears in public search with its label and period.

use crate::accounts::{
    Browser, location, register_organisation, set_up_two_factor, sign_up, signed_in,
};
use crate::app::{START, TestApp};
use crate::applications::{attach_required_documents, complete_for, new_application};
use axum::http::StatusCode;
use koshu_domain::access::MinistryRole;
use koshu_domain::designation::Application;
use koshu_store::audit::AuditVerdict;

pub const CORPORATE_NUMBER: &str = "5010001008846";

pub async fn ministry_person(
    app: &TestApp,
    name: &str,
    email: &str,
    role: Option<MinistryRole>,
    expert: bool,
) -> String {
    let id = sign_up(app, name, email).await;
    app.store
        .set_ministry_roles(&id, role, expert, "test", START)
        .await
        .unwrap();
    set_up_two_factor(&mut signed_in(app, &id).await).await;
    id
}

/// The ministry's reviewer of the stories: 審査 一郎, with a second factor.
pub async fn a_reviewer(app: &TestApp) -> String {
    ministry_person(
        app,
        "審査 一郎",
        "reviewer@meti.example.jp",
        Some(MinistryRole::Reviewer),
        false,
    )
    .await
}

/// A provider's complete application with its documents, submitted as version 1.
pub struct Submitted<'a> {
    pub provider: Browser<'a>,
    pub owner: String,
    pub org: String,
    pub id: String,
    pub complete: Application,
}

pub async fn submitted_with_documents(app: &TestApp) -> Submitted<'_> {
    let owner = sign_up(app, "申請 花子", "owner@provider.example.jp").await;
    let mut provider = signed_in(app, &owner).await;
    let org = register_organisation(&mut provider, CORPORATE_NUMBER).await;
    let id = new_application(&mut provider, &org, "実践インシデント対応演習").await;
    let complete = complete_for(CORPORATE_NUMBER, "実践インシデント対応演習");
    write_unit!(app, unit => unit.save_draft(&id, &complete, "test", app.clock_now()).await)
        .unwrap();
    attach_required_documents(&mut provider, &id, &complete).await;
    let submitted = provider
        .post(&format!("/applications/{id}/submit"), &[])
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    Submitted {
        provider,
        owner,
        org,
        id,
        complete,
    }
}

pub async fn an_application_is_reviewed_revised_and_designated(app: TestApp) {
    let Submitted {
        mut provider,
        owner,
        org,
        id,
        mut complete,
    } = submitted_with_documents(&app).await;
    // Submitted: not again until the ministry asks.
    let twice = provider
        .post(&format!("/applications/{id}/submit"), &[])
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);

    // The reviewer finds it in the queue and takes it.
    let reviewer = a_reviewer(&app).await;
    let mut ministry = signed_in(&app, &reviewer).await;
    let queue = ministry.get("/ministry/reviews").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.body.contains("実践インシデント対応演習"));
    assert!(queue.body.contains("未割当"));
    let workspace = format!("/ministry/reviews/{id}");
    let early = ministry
        .post(
            &format!("{workspace}/revision"),
            &[("reasons", "早すぎる"), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(
        early.status,
        StatusCode::BAD_REQUEST,
        "not under review yet"
    );
    assert!(
        early.body.contains("応募済み"),
        "names the status: {}",
        early.body
    );
    let taken = ministry
        .post(
            &format!("{workspace}/assign"),
            &[("account_id", &reviewer), ("role", "reviewer")],
        )
        .await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
    assert_eq!(
        app.store
            .application(&id)
            .await
            .unwrap()
            .map(|a| a.status.code()),
        Some("under_review")
    );
    let page = ministry.get(&workspace).await;
    assert!(page.body.contains("審査中"));
    assert!(page.body.contains("name=\"finding.B02\""));

    // Findings and a request for revision, which the provider reads.
    let saved = ministry
        .post(
            &format!("{workspace}/findings"),
            &[
                ("finding.B01", "met"),
                ("finding.B02", "revise"),
                (
                    "comment.B02",
                    "レベル4相当である根拠を具体的に記載してください。",
                ),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let no_reason = ministry
        .post(&format!("{workspace}/revision"), &[("reasons", " ")])
        .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let revise = ministry
        .post(
            &format!("{workspace}/revision"),
            &[
                ("reasons", "B02 の記載を補ってください。"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(revise.status, StatusCode::SEE_OTHER);
    let seen = provider.get(&format!("/applications/{id}")).await;
    assert!(seen.body.contains("修正依頼"));
    assert!(seen.body.contains("B02 の記載を補ってください。"));
    assert!(
        seen.body
            .contains("レベル4相当である根拠を具体的に記載してください。")
    );

    // The provider revises and resubmits: version 2, and the reviewer sees what changed.
    complete.course.level4_explanation =
        "ITSS レベル4の「セキュリティ監視・運用」タスクを、演習環境で自ら遂行できる水準まで扱う。"
            .into();
    write_unit!(app, unit => unit.save_draft(&id, &complete, "test", app.clock_now()).await)
        .unwrap();
    let resubmitted = provider
        .post(&format!("/applications/{id}/submit"), &[])
        .await;
    assert_eq!(
        resubmitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        resubmitted.body
    );
    assert_eq!(
        location(&resubmitted),
        format!("/applications/{id}/versions/2")
    );
    let page = ministry.get(&workspace).await;
    assert!(
        page.body
            .contains(&format!("/applications/{id}/compare?from=1&#38;to=2")),
        "{}",
        page.body
    );
    let changes = ministry
        .get(&format!("/applications/{id}/compare?from=1&to=2"))
        .await;
    assert_eq!(
        changes.status,
        StatusCode::OK,
        "the ministry reads submitted versions"
    );
    assert!(
        changes.body.contains("ITSSレベル4相当である理由"),
        "the field by its label: {}",
        changes.body
    );
    assert!(
        !changes.body.contains("course.level4_explanation"),
        "never its path"
    );
    let back = ministry
        .post(
            &format!("{workspace}/assign"),
            &[("account_id", &reviewer), ("role", "reviewer")],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.store
            .application(&id)
            .await
            .unwrap()
            .map(|a| a.status.code()),
        Some("under_review")
    );

    // Two experts: one declares no conflict and gives an opinion, one declares a conflict.
    let expert = ministry_person(&app, "有識 三郎", "expert@univ.example.jp", None, true).await;
    let conflicted =
        ministry_person(&app, "有識 四郎", "expert2@univ.example.jp", None, true).await;
    for who in [&expert, &conflicted] {
        let asked = ministry
            .post(
                &format!("{workspace}/assign"),
                &[("account_id", who), ("role", "expert")],
            )
            .await;
        assert_eq!(asked.status, StatusCode::SEE_OTHER);
    }
    // One person, one role: a reviewer who is also an expert advises or reviews, not both.
    let dual = ministry_person(
        &app,
        "兼務 六郎",
        "dual@meti.example.jp",
        Some(MinistryRole::Reviewer),
        true,
    )
    .await;
    let as_expert = ministry
        .post(
            &format!("{workspace}/assign"),
            &[("account_id", &dual), ("role", "expert")],
        )
        .await;
    assert_eq!(as_expert.status, StatusCode::SEE_OTHER);
    let both = ministry
        .post(
            &format!("{workspace}/assign"),
            &[("account_id", &dual), ("role", "reviewer")],
        )
        .await;
    assert_eq!(both.status, StatusCode::BAD_REQUEST, "one person, one role");
    assert!(both.body.contains("別の役割"));
    let wrong = ministry
        .post(
            &format!("{workspace}/assign"),
            &[("account_id", &owner), ("role", "expert")],
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::BAD_REQUEST,
        "the provider is not an expert"
    );
    let mut e = signed_in(&app, &expert).await;
    let before = e.get(&format!("/reviews/{id}")).await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(before.body.contains("name=\"conflict\""));
    assert!(
        !before.body.contains("B01"),
        "nothing shown before the declaration"
    );
    let declared = e
        .post(
            &format!("/reviews/{id}/declaration"),
            &[("conflict", "none")],
        )
        .await;
    assert_eq!(declared.status, StatusCode::SEE_OTHER);
    let after = e.get(&format!("/reviews/{id}")).await;
    assert!(after.body.contains("B01"));
    let opinion = e
        .post(
            &format!("/reviews/{id}/opinion"),
            &[("opinion", "演習の比率が高く、実践的で妥当と考えます。")],
        )
        .await;
    assert_eq!(opinion.status, StatusCode::SEE_OTHER);
    let mut c = signed_in(&app, &conflicted).await;
    c.post(
        &format!("/reviews/{id}/declaration"),
        &[("conflict", "conflict")],
    )
    .await;
    assert_eq!(
        c.get(&format!("/reviews/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        c.post(&format!("/reviews/{id}/opinion"), &[("opinion", "x")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let page = ministry.get(&workspace).await;
    assert!(
        page.body
            .contains("演習の比率が高く、実践的で妥当と考えます。")
    );
    assert!(page.body.contains("利害関係あり（閲覧不可）"));

    // Designation: number and period (C01), in the public catalogue with the label.
    let designated = ministry
        .post(
            &format!("{workspace}/designate"),
            &[("designated_on", "2026-04-01"), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(
        designated.status,
        StatusCode::SEE_OTHER,
        "{}",
        designated.body
    );
    let d = app.store.designation_of(&id).await.unwrap().unwrap();
    assert_eq!(d.number, "特講2026-001");
    assert_eq!(d.ends_on.to_string(), "2029-03-31");
    let again = ministry
        .post(
            &format!("{workspace}/designate"),
            &[("designated_on", "2026-04-01"), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::BAD_REQUEST,
        "an illegal move is refused"
    );
    app.state.catalogue.catch_up().await.unwrap();
    let found = Browser::new(&app).get("/search?designated=true").await;
    assert!(
        found.body.contains("実践インシデント対応演習"),
        "{}",
        found.body
    );
    let public = Browser::new(&app)
        .get(&format!("/programmes/{}", d.programme_id))
        .await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("情報処理安全確保支援士『特定講習』"));
    // The application's own purpose and fee (issue 13 item 13), not its skills under 目的.
    assert!(
        public.body.contains("現場で主導できる登録セキスペを育てる"),
        "{}",
        public.body
    );
    assert!(public.body.contains("¥77,000"));
    assert!(public.body.contains("まだ開催日程が登録されていません"));
    assert!(public.body.contains("特講2026-001"));
    assert!(public.body.contains("2029年3月31日"));
    let list = Browser::new(&app).get("/designations").await;
    assert!(list.body.contains("特講2026-001"));
    assert!(list.body.contains("指定中"));
    let mine = provider.get(&format!("/applications/{id}")).await;
    assert!(mine.body.contains("特講2026-001"));
    let letter = provider
        .get_bytes(&format!("/applications/{id}/decision.pdf"))
        .await;
    assert_eq!(letter.0, StatusCode::OK);
    assert!(letter.1.starts_with(b"%PDF"), "the decision letter");

    // A change of name (C03): filed before its date, public on that date through the job.
    let renamed = "実践インシデント対応演習（上級）";
    complete.course.name = renamed.into();
    write_unit!(app, unit => unit.save_draft(&id, &complete, "test", app.clock_now()).await)
        .unwrap();
    let changes = format!("/applications/{id}/changes");
    let today = provider
        .post(
            &changes,
            &[
                ("effective_on", "2026-04-01"),
                ("reason", "上級者向けに改める"),
            ],
        )
        .await;
    assert_eq!(
        today.status,
        StatusCode::BAD_REQUEST,
        "filed before it takes effect"
    );
    let filed = provider
        .post(
            &changes,
            &[
                ("effective_on", "2026-05-01"),
                ("reason", "上級者向けに改める"),
            ],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let page = provider.get(&format!("/applications/{id}")).await;
    assert!(
        page.body.contains("講習の名称（届出必須）"),
        "the changed item is named, marked as one that must be notified"
    );
    assert!(page.body.contains("効力発生待ち"));
    assert_eq!(app.run_due_jobs().await, 0, "not before its date");
    app.state.catalogue.catch_up().await.unwrap();
    let public = Browser::new(&app)
        .get(&format!("/programmes/{}", d.programme_id))
        .await;
    assert!(!public.body.contains(renamed));
    app.clock
        .set(time::macros::datetime!(2026-05-01 09:00 +09:00));
    assert_eq!(app.run_due_jobs().await, 1);
    app.state.catalogue.catch_up().await.unwrap();
    let public = Browser::new(&app)
        .get(&format!("/programmes/{}", d.programme_id))
        .await;
    assert!(
        public.body.contains(renamed),
        "the public page follows on the date"
    );
    assert!(public.body.contains("特講2026-001"));

    // A curriculum change that drops the total below 6 hours is not a change (C04).
    let mut provider = signed_in(&app, &owner).await;
    let mut shorter = complete.clone();
    for item in &mut shorter.curriculum {
        item.minutes = 30;
    }
    write_unit!(app, unit => unit.save_draft(&id, &shorter, "test", app.clock_now()).await)
        .unwrap();
    let refused = provider
        .post(
            &changes,
            &[("effective_on", "2026-06-01"), ("reason", "演習を短縮する")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("新たな応募が必要です"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("B01"));

    // Revocation under (オ), a year later: the label goes at once, and the provider's new
    // application fails B28 until five years have passed (C06).
    app.clock
        .set(time::macros::datetime!(2027-06-01 10:00 +09:00));
    let mut ministry = signed_in(&app, &reviewer).await;
    provider = signed_in(&app, &owner).await;
    let future = ministry
        .post(
            &format!("{workspace}/revoke"),
            &[
                ("reason", "misconduct"),
                ("details", "x"),
                ("revoked_on", "2027-06-02"),
            ],
        )
        .await;
    assert_eq!(future.status, StatusCode::BAD_REQUEST, "not dated ahead");
    let revoked = ministry
        .post(
            &format!("{workspace}/revoke"),
            &[
                ("reason", "misconduct"),
                ("details", "受講者の本人確認を行わずに修了を認定していた。"),
                ("revoked_on", "2027-06-01"),
            ],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    assert_eq!(
        app.store
            .application(&id)
            .await
            .unwrap()
            .map(|a| a.status.code()),
        Some("revoked")
    );
    let twice = ministry
        .post(
            &format!("{workspace}/revoke"),
            &[
                ("reason", "misconduct"),
                ("details", "x"),
                ("revoked_on", "2027-06-01"),
            ],
        )
        .await;
    assert_eq!(
        twice.status,
        StatusCode::BAD_REQUEST,
        "a revoked course cannot be revoked"
    );
    app.state.catalogue.catch_up().await.unwrap();
    let public = Browser::new(&app)
        .get(&format!("/programmes/{}", d.programme_id))
        .await;
    assert!(!public.body.contains("情報処理安全確保支援士『特定講習』"));
    assert!(
        Browser::new(&app)
            .get("/designations")
            .await
            .body
            .contains("取消し")
    );
    let second = new_application(&mut provider, &org, "新しい演習講習").await;
    let next = complete_for(CORPORATE_NUMBER, "新しい演習講習");
    write_unit!(app, unit => unit.save_draft(&second, &next, "test", app.clock_now()).await)
        .unwrap();
    let b28 = |body: &str| {
        let start = body.find("id=\"rule-B28\"").unwrap();
        let row = &body[start..];
        row[..row.find("</tr>").unwrap()].to_owned()
    };
    let page = provider.get(&format!("/applications/{second}")).await;
    assert!(
        b28(&page.body).contains("status-fail"),
        "{}",
        b28(&page.body)
    );
    for (day, bars) in [
        (time::macros::datetime!(2032-05-31 09:00 +09:00), true),
        (time::macros::datetime!(2032-06-01 09:00 +09:00), false),
    ] {
        app.clock.set(day);
        let mut later = signed_in(&app, &owner).await;
        let page = later.get(&format!("/applications/{second}")).await;
        assert_eq!(
            b28(&page.body).contains("status-fail"),
            bars,
            "{day}: {}",
            b28(&page.body)
        );
    }

    // Every move was audited, and the log is intact (C07).
    let actions: Vec<String> = app
        .store
        .recent_audit_entries(300)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    for action in [
        "application.submit",
        "application.start_review",
        "application.request_revision",
        "application.designate",
        "application.revoke",
        "designation.change_filed",
        "designation.notice_applied",
        "review.declare_none",
        "review.declare_conflict",
        "review.opinion",
        "review.findings",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} audited");
    }
    assert!(matches!(
        app.store.verify_audit_log().await.unwrap(),
        AuditVerdict::Intact { .. }
    ));
}

/// B34, B35 (issue 12 finding 5, issue 13 item 3): the reviewer opens every document of the
/// submitted version from the workspace, an expert only once assigned and declared free of
/// conflict, and nobody outside the review or the provider at all.
pub async fn reviewers_and_declared_experts_open_the_submitted_documents(app: TestApp) {
    let Submitted { org, id, .. } = submitted_with_documents(&app).await;
    let version = app
        .store
        .application_version(&id, 1)
        .await
        .unwrap()
        .unwrap();
    assert!(version.documents.len() >= 3, "{:?}", version.documents);

    let reviewer = a_reviewer(&app).await;
    let expert = ministry_person(&app, "外部 有識者", "expert@univ.example.jp", None, true).await;
    let mut ministry = signed_in(&app, &reviewer).await;
    let workspace = ministry.get(&format!("/ministry/reviews/{id}")).await;
    let prefix = format!("/applications/{id}/versions/1/documents/");
    for document in &version.documents {
        let href = format!("{prefix}{}", document.file_id);
        assert!(workspace.body.contains(&href), "the workspace links {href}");
        let (status, bytes) = ministry.get_bytes(&href).await;
        assert_eq!(status, StatusCode::OK, "{href}");
        assert_eq!(
            bytes,
            crate::applications::sample_pdf(&document.file_name),
            "the bytes as uploaded"
        );
    }
    let first = format!("{prefix}{}", version.documents[0].file_id);
    let page = ministry
        .get(&format!("/applications/{id}/versions/1"))
        .await;
    assert!(page.body.contains(&first), "the version page links it too");
    assert_eq!(
        ministry
            .get(&format!("{prefix}not-in-this-version"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Another provider: never.
    let other = sign_up(&app, "他社 次郎", "owner@other.example.jp").await;
    let mut other = signed_in(&app, &other).await;
    register_organisation(&mut other, "4000012090001").await;
    assert_eq!(other.get(&first).await.status, StatusCode::FORBIDDEN);

    // The expert: not before being assigned and declaring no conflict.
    let mut expert_browser = signed_in(&app, &expert).await;
    assert_eq!(
        expert_browser.get(&first).await.status,
        StatusCode::FORBIDDEN
    );
    let assigned = ministry
        .post(
            &format!("/ministry/reviews/{id}/assign"),
            &[("account_id", &expert), ("role", "expert")],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    assert_eq!(
        expert_browser.get(&first).await.status,
        StatusCode::FORBIDDEN
    );
    // Issue 13 item 5: the declaration page names who applies, to judge a conflict by.
    let declaration = expert_browser.get(&format!("/reviews/{id}")).await;
    let org_name = app
        .store
        .organisation(&org)
        .await
        .unwrap()
        .unwrap()
        .organisation
        .name_ja;
    assert!(declaration.body.contains("申請者"), "{}", declaration.body);
    assert!(declaration.body.contains(&org_name), "{}", declaration.body);
    assert!(declaration.body.contains(CORPORATE_NUMBER));
    assert!(
        !declaration.body.contains(&first),
        "nothing of the application yet"
    );
    let declared = expert_browser
        .post(
            &format!("/reviews/{id}/declaration"),
            &[("conflict", "none")],
        )
        .await;
    assert_eq!(declared.status, StatusCode::SEE_OTHER, "{}", declared.body);
    let again = expert_browser
        .post(
            &format!("/reviews/{id}/declaration"),
            &[("conflict", "conflict")],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "once only: {}",
        again.body
    );
    assert!(again.body.contains("この申告はすでに行われています"));
    let review = expert_browser.get(&format!("/reviews/{id}")).await;
    assert!(review.body.contains(&first), "the expert's page links it");
    let (status, bytes) = expert_browser.get_bytes(&first).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        bytes,
        crate::applications::sample_pdf(&version.documents[0].file_name)
    );
    // ... and the version's forms as PDF, which the expert opens from there too.
    let forms = format!("/applications/{id}/forms.pdf?version=1");
    assert!(review.body.contains(&forms.replace('&', "&amp;")));
    let (status, pdf) = expert_browser.get_bytes(&forms).await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF"));
}

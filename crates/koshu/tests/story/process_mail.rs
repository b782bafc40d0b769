//! Process mails (issue 13 item 2): each party hears of each step of a designation, queued
//! in the outbox by the step's own unit of work, in Japanese with English below, with the
//! link to act on.

use crate::accounts::signed_in;
use crate::app::TestApp;
use crate::designation::{Submitted, a_reviewer, ministry_person, submitted_with_documents};
use axum::http::StatusCode;
use koshu_domain::access::MinistryRole;
use koshu_store::outbox::OutboxEntry;

/// The mails to `to` so far, oldest first, but the sign-up's address verification.
async fn mails_to(app: &TestApp, to: &str) -> Vec<OutboxEntry> {
    let mut mails: Vec<_> = app
        .store
        .outbox(500, 0)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.to_address == to && !m.body.contains("/verify-email"))
        .collect();
    mails.reverse();
    mails
}

/// The one mail to `to` whose subject contains `subject`.
async fn the_mail(app: &TestApp, to: &str, subject: &str) -> OutboxEntry {
    let mut found: Vec<_> = mails_to(app, to)
        .await
        .into_iter()
        .filter(|m| m.subject.contains(subject))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one mail to {to} about {subject}: {found:?}"
    );
    found.remove(0)
}

pub async fn each_party_is_mailed_at_each_step_of_a_designation(app: TestApp) {
    let admin = ministry_person(
        &app,
        "管理 一子",
        "admin@meti.example.jp",
        Some(MinistryRole::Administrator),
        false,
    )
    .await;
    let Submitted {
        mut provider,
        owner,
        id,
        mut complete,
        ..
    } = submitted_with_documents(&app).await;
    let owner_mail = app.store.account(&owner).await.unwrap().unwrap().email;
    let owner_mail = owner_mail.as_str();

    // Submission: a receipt with the version's digest to the owner, a notice to the ministry.
    let receipt = the_mail(&app, owner_mail, "申請を受け付けました").await;
    let version = app.store.application_versions(&id).await.unwrap().remove(0);
    assert!(receipt.body.contains(&version.digest), "{}", receipt.body);
    assert!(receipt.body.contains("（第1版）"));
    assert!(receipt.subject.contains("Application received"));
    assert!(
        receipt
            .body
            .contains(&format!("/applications/{id}/versions/1"))
    );
    let notice = the_mail(&app, "admin@meti.example.jp", "申請が提出されました").await;
    assert!(notice.body.contains(&format!("/ministry/reviews/{id}")));

    // A reviewer is assigned by the administrator: told; a revision is requested: the owner
    // reads the reasons.
    let reviewer = a_reviewer(&app).await;
    let workspace = format!("/ministry/reviews/{id}");
    let mut administrator = signed_in(&app, &admin).await;
    let assigned = administrator
        .post(
            &format!("{workspace}/assign"),
            &[("account_id", &reviewer), ("role", "reviewer")],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    the_mail(
        &app,
        "reviewer@meti.example.jp",
        "審査担当に割り当てられました",
    )
    .await;
    let mut ministry = signed_in(&app, &reviewer).await;
    let restated = ministry
        .post(
            &format!("{workspace}/revision"),
            &[("reasons", "B02 の記載を補ってください。")],
        )
        .await;
    assert_eq!(restated.status, StatusCode::OK);
    assert!(restated.body.contains("この内容で修正を依頼する"));
    assert!(restated.body.contains("B02 の記載を補ってください。"));
    assert_eq!(
        mails_to(&app, owner_mail).await.len(),
        1,
        "only the receipt so far"
    );
    let saved = ministry
        .post(
            &format!("{workspace}/findings"),
            &[
                ("finding.B01", "met"),
                ("finding.B02", "revise"),
                ("comment.B02", "レベル4相当である根拠を具体的に。"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let revise = ministry
        .post(
            &format!("{workspace}/revision"),
            &[
                ("reasons", "B02 の記載を補ってください。"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(revise.status, StatusCode::SEE_OTHER, "{}", revise.body);
    let asked = the_mail(&app, owner_mail, "修正のお願い").await;
    assert!(asked.body.contains("B02 の記載を補ってください。"));
    assert!(asked.body.contains("Please revise") || asked.subject.contains("Please revise"));

    let waiting = ministry.get(&workspace).await;
    assert!(
        waiting
            .body
            .contains("修正を依頼しています。申請者が再提出すると"),
        "says why there is nothing to decide"
    );

    // Resubmission: the assigned reviewer hears of it (not every ministry account).
    complete.course.level4_explanation =
        "ITSS レベル4の「セキュリティ監視・運用」タスクを、演習環境で自ら遂行できる水準まで扱う。"
            .into();
    write_unit!(app, unit => unit.save_draft(&id, &complete, "test", app.clock_now()).await)
        .unwrap();
    let resubmitted = provider
        .post(&format!("/applications/{id}/submit"), &[])
        .await;
    assert_eq!(resubmitted.status, StatusCode::SEE_OTHER);
    the_mail(&app, "reviewer@meti.example.jp", "再提出").await;
    assert!(
        mails_to(&app, "admin@meti.example.jp")
            .await
            .iter()
            .all(|m| !m.subject.contains("再提出")),
        "a reviewer is assigned: the resubmission goes to them"
    );
    assert_eq!(
        mails_to(&app, owner_mail).await.len(),
        3,
        "two receipts, one request"
    );

    // The expert is asked, and told to declare first.
    let expert = ministry_person(&app, "有識 三郎", "expert@univ.example.jp", None, true).await;
    let request = ministry
        .post(
            &format!("{workspace}/assign"),
            &[("account_id", &expert), ("role", "expert")],
        )
        .await;
    assert_eq!(request.status, StatusCode::SEE_OTHER);
    let asked = the_mail(&app, "expert@univ.example.jp", "意見照会").await;
    assert!(asked.body.contains("利害関係"));
    assert!(asked.body.contains(&format!("/reviews/{id}")));
    assert!(
        mails_to(&app, "reviewer@meti.example.jp")
            .await
            .iter()
            .all(|m| !m.subject.contains("割り当てられました") || m.body.contains("審査担当")),
        "taking a review oneself sends nothing new"
    );
    assert_eq!(
        mails_to(&app, "reviewer@meti.example.jp").await.len(),
        2,
        "assigned by the administrator, then the resubmission"
    );

    // One click restates the decision and decides nothing (issue 13 item 7).
    let restated = ministry
        .post(
            &format!("{workspace}/designate"),
            &[("designated_on", "2026-04-01")],
        )
        .await;
    assert_eq!(restated.status, StatusCode::OK, "{}", restated.body);
    assert!(restated.body.contains("決定の確認"));
    assert!(
        restated.body.contains("2029年3月31日"),
        "the period is restated"
    );
    assert!(restated.body.contains("name=\"confirmed\" value=\"yes\""));
    assert!(app.store.designation_of(&id).await.unwrap().is_none());
    assert!(
        mails_to(&app, owner_mail)
            .await
            .iter()
            .all(|m| !m.subject.contains("指定されました"))
    );

    // Designation: the number and period.
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
    let told = the_mail(&app, owner_mail, "指定されました").await;
    assert!(told.body.contains("特講2026-001"));
    assert!(told.body.contains("2026年4月1日から2029年3月31日まで"));
    assert!(told.body.contains("1 April 2026") || told.body.contains("2026"));

    // A change notice: a receipt to the owner, the notice to the reviewer.
    complete.course.name = "実践インシデント対応演習（上級）".into();
    write_unit!(app, unit => unit.save_draft(&id, &complete, "test", app.clock_now()).await)
        .unwrap();
    let filed = provider
        .post(
            &format!("/applications/{id}/changes"),
            &[
                ("effective_on", "2026-05-01"),
                ("reason", "上級者向けに改める"),
            ],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let receipt = the_mail(&app, owner_mail, "届出を受け付けました").await;
    assert!(receipt.body.contains("変更届（様式第3号）"));
    assert!(receipt.body.contains("2026年5月1日"));
    the_mail(&app, "reviewer@meti.example.jp", "届出がありました").await;
    // The ministry reads it on its home and in the course's workspace (issue 13 item 6).
    let home = ministry.get("/ministry/reviews").await;
    assert!(home.body.contains("特定講習の届出"), "{}", home.body);
    assert!(home.body.contains("変更届（様式第3号）"));
    assert!(home.body.contains("効力発生待ち"));
    let page = ministry.get(&workspace).await;
    assert!(
        page.body.contains("講習の名称（届出必須）"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("上級者向けに改める"),
        "the reason is recorded"
    );
    let notice = &app.store.notices_of(&id).await.unwrap()[0];
    let form = format!("/applications/{id}/notices/{}/form", notice.id);
    assert!(page.body.contains(&form), "the workspace links 様式第3号");
    for (who, b) in [("ministry", &mut ministry), ("provider", &mut provider)] {
        let (status, pdf) = b.get_bytes(&format!("{form}.pdf")).await;
        assert_eq!(status, StatusCode::OK, "{who}");
        assert!(pdf.starts_with(b"%PDF"), "{who}");
        let (status, xlsx) = b.get_bytes(&format!("{form}.xlsx")).await;
        assert_eq!(status, StatusCode::OK, "{who}");
        assert!(xlsx.starts_with(b"PK"), "{who}");
    }
    let no_reason = provider
        .post(
            &format!("/applications/{id}/abolition"),
            &[("effective_on", "2026-06-01"), ("measures", "振替受講")],
        )
        .await;
    assert_eq!(
        no_reason.status,
        StatusCode::BAD_REQUEST,
        "the reason is asked for"
    );
    assert!(no_reason.body.contains("届出の理由を入力してください"));

    // Revocation: the owner reads the clause and the details.
    let revoked = ministry
        .post(
            &format!("{workspace}/revoke"),
            &[
                ("reason", "not_as_applied"),
                ("details", "講師の経歴に虚偽の記載があった。"),
                ("revoked_on", "2026-04-01"),
            ],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    let told = the_mail(&app, owner_mail, "取消し").await;
    assert!(told.body.contains("講師の経歴に虚偽の記載があった。"));
    assert!(told.body.contains("特講2026-001"));
}

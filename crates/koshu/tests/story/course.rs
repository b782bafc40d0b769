//! A course from enrolment to completion (issue 16's acceptance): the provider publishes the
//! curriculum with standard times and the completion criteria; two learners apply; one does the
//! on-demand preparation, both attend the day (one only half of it); staff record their
//! scores; 修了 is refused without the survey and without the attendance share, each refusal
//! naming the criterion missed; the learner answers the survey on its page, and the decision is
//! issued with its reasons, which the learner reads on their own page with their progress.

use crate::accounts::{sign_up, signed_in};
use crate::app::TestApp;
use crate::completion::{assessment_page, attends, criteria_form, pairs};
use crate::delivery::{a_delivered_session, apply, profile};
use crate::progress::with_curriculum;
use axum::http::StatusCode;
use time::Duration;
use time::macros::datetime;

const CURRICULUM: &str =
    "60 2026-06-01〜2026-06-09 事前学習：ログの読み方\n120 1 インシデント対応の基礎\n120 2 演習";

/// The ministry's items of the survey answered (no provider items in this session).
fn survey_answers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("answers.m1", "5"),
        ("answers.m2", "4"),
        ("answers.m3", "4"),
        ("answers.m4", "5"),
        ("answers.m5", "2"),
        ("answers.m6", "4"),
        ("answers.m7", "演習が実務に近かった"),
        ("answers.m8", ""),
    ]
}

pub async fn a_learner_goes_from_enrolment_to_completion_with_progress_a_score_and_the_survey(
    app: TestApp,
) {
    let (org, owner, session) = a_delivered_session(&app, "10").await;
    let base = format!("/organisations/{org}/sessions/{session}");
    let mut staff = signed_in(&app, &owner).await;
    let plan = staff
        .post(
            &format!("{base}/delivery"),
            &with_curriculum(CURRICULUM, "1"),
        )
        .await;
    assert_eq!(plan.status, StatusCode::SEE_OTHER, "{}", plan.body);
    let criteria = staff
        .post(
            &format!("{base}/completion/criteria"),
            &pairs(&criteria_form("1")),
        )
        .await;
    assert_eq!(criteria.status, StatusCode::SEE_OTHER, "{}", criteria.body);

    // Published before enrolment; two apply.
    let aoi = sign_up(&app, "青井", "aoi@example.jp").await;
    let mut a = signed_in(&app, &aoi).await;
    let before = a.get(&format!("/sessions/{session}/enrol")).await.body;
    assert!(before.contains("修了アンケートへの回答"), "{before}");
    let aoi_page = apply(&mut a, &session, &profile("青井 葵", "アオイ アオイ", "")).await;
    let ban = sign_up(&app, "番", "ban@example.jp").await;
    let ban_page = apply(
        &mut signed_in(&app, &ban).await,
        &session,
        &profile("番 健", "バン ケン", ""),
    )
    .await;

    // Progress: she does the preparation on demand, 20 minutes and done.
    app.clock.set(datetime!(2026-06-02 20:00 +09:00));
    let mut a = signed_in(&app, &aoi).await;
    let item = format!("{aoi_page}/items/1");
    assert_eq!(
        a.post(&item, &[("kind", "start")]).await.status,
        StatusCode::SEE_OTHER
    );
    for n in 1..40 {
        app.clock
            .set(datetime!(2026-06-02 20:00 +09:00) + Duration::seconds(30 * n));
        assert_eq!(
            a.post(&item, &[("kind", "active")]).await.status,
            StatusCode::NO_CONTENT
        );
    }
    assert_eq!(
        a.post(&item, &[("kind", "finish")]).await.status,
        StatusCode::SEE_OTHER
    );

    // Attendance: the day, she both blocks, he only the first (2 of 4 hours).
    app.clock.set(datetime!(2026-06-10 09:40 +09:00));
    let mut staff = signed_in(&app, &owner).await;
    attends(&mut staff, &base, &aoi, &["1", "2"]).await;
    attends(&mut staff, &base, &ban, &["1"]).await;

    // The day is over: scores recorded, both pass the test and the rubric.
    app.clock.set(datetime!(2026-06-10 15:30 +09:00));
    let mut staff = signed_in(&app, &owner).await;
    let aoi_marks = assessment_page(&app, &base, &session, &aoi).await;
    let ban_marks = assessment_page(&app, &base, &session, &ban).await;
    for page in [&aoi_marks, &ban_marks] {
        let score = staff
            .post(page, &[("assessment", "1"), ("score", "85")])
            .await;
        assert_eq!(score.status, StatusCode::SEE_OTHER, "{}", score.body);
        let rubric = staff
            .post(
                page,
                &[("assessment", "2"), ("levels[0]", "A"), ("levels[1]", "B")],
            )
            .await;
        assert_eq!(rubric.status, StatusCode::SEE_OTHER, "{}", rubric.body);
    }

    // 修了 is refused without the survey, naming it and nothing else.
    let refused = staff
        .post(&format!("{aoi_marks}/confirm"), &[("outcome", "completed")])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("アンケートが未回答です"),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains("出席率"), "{}", refused.body);

    // Both answer the survey on its page; its page then says only that it is answered.
    for (who, page) in [(&aoi, &aoi_page), (&ban, &ban_page)] {
        let mut l = signed_in(&app, who).await;
        let form = l.get(&format!("{page}/survey")).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let sent = l.post(&format!("{page}/survey"), &survey_answers()).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let after = l.get(&format!("{page}/survey")).await.body;
        assert!(after.contains("回答済み"), "{after}");
        assert!(
            !after.contains("演習が実務に近かった"),
            "answers are never shown back"
        );
    }

    // Without the attendance share, 修了 is still refused, naming the share.
    let short = staff
        .post(&format!("{ban_marks}/confirm"), &[("outcome", "completed")])
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.body.contains("出席率 50%（基準 80% 以上）"),
        "{}",
        short.body
    );
    assert!(
        !short.body.contains("アンケートが未回答です"),
        "{}",
        short.body
    );

    // With everything met, she completes; the decision stands with its reasons and hours.
    let issued = staff
        .post(&format!("{aoi_marks}/confirm"), &[("outcome", "completed")])
        .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.body);
    let decisions = app.store.completions(&session).await.unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].attended_minutes, 240);
    let mine = signed_in(&app, &aoi).await.get(&aoi_page).await.body;
    for shown in [
        "修了",
        "修了テスト 85点（合格 70点以上）",
        "出席率 100%（基準 80% 以上）",
        "事前学習：ログの読み方",
        "20 / 60分",
        "完了",
    ] {
        assert!(mine.contains(shown), "{shown}: {mine}");
    }
    // His page shows his own record and nothing of hers.
    let his = signed_in(&app, &ban).await.get(&ban_page).await.body;
    assert!(!his.contains("青井"), "{his}");
    assert!(his.contains("0 / 60分"), "{his}");
}

//! Completion (issue 16 items 3 and 7; B12, D05): the provider publishes the criteria before
//! enrolment (a test, a rubric, the attendance share, re-assessment, the survey); learners
//! attend; staff record scores and rubric levels; the decision is computed with its reasons and
//! confirmed; 修了 is refused without the survey and without the attendance share, naming the
//! criterion; an issued decision never changes, a correction supersedes it with a reason; each
//! learner sees only their own.

use crate::accounts::{Browser, sign_up, signed_in};
use crate::app::TestApp;
use crate::delivery::{a_delivered_session, apply, enrolment_page, mail_to, profile};
use axum::http::StatusCode;
use koshu_domain::delivery::completion::Outcome;
use time::macros::datetime;

/// A test out of 100 passing at 70 and a rubric of two criteria passing at B; 80 % attendance;
/// `attempts` attempts at each assessment.
pub fn criteria_form(attempts: &str) -> Vec<(&'static str, String)> {
    let s = |v: &str| v.to_owned();
    vec![
        ("assessments[0].kind", s("test")),
        ("assessments[0].name", s("修了テスト")),
        ("assessments[0].max_score", s("100")),
        ("assessments[0].pass_score", s("70")),
        ("assessments[1].kind", s("rubric")),
        ("assessments[1].name", s("成果発表")),
        ("assessments[1].levels", s("A,B,C,D")),
        ("assessments[1].pass_level", s("B")),
        ("assessments[1].criteria", s("課題の把握\n提案の具体性")),
        ("assessments[2].kind", s("none")),
        ("min_attendance_percent", s("80")),
        (
            "reassessment",
            s(if attempts == "1" { "none" } else { "allowed" }),
        ),
        ("max_attempts", s(attempts)),
        ("revision", s("0")),
    ]
}

pub fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A session set up for delivery with the completion criteria saved through the pages:
/// (organisation, owner, session).
async fn a_session_with_criteria(app: &TestApp, attempts: &str) -> (String, String, String) {
    let (org, owner, session) = a_delivered_session(app, "10").await;
    let mut staff = signed_in(app, &owner).await;
    let saved = staff
        .post(
            &format!("/organisations/{org}/sessions/{session}/completion/criteria"),
            &pairs(&criteria_form(attempts)),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    (org, owner, session)
}

/// Staff check `who`'s identity on the day and mark them present in `blocks`.
pub async fn attends(staff: &mut Browser<'_>, base: &str, who: &str, blocks: &[&str]) {
    let checked = staff
        .post(
            &format!("{base}/check-in"),
            &[
                ("account", who),
                ("day", "2026-06-10"),
                ("method", "photo_id"),
                ("riss", "not_registered"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(checked.status, StatusCode::SEE_OTHER, "{}", checked.body);
    for block in blocks {
        let marked = staff
            .post(
                &format!("{base}/marks"),
                &[
                    ("account", who),
                    ("block", block),
                    ("present", "true"),
                    ("reason", "受付で確認"),
                ],
            )
            .await;
        assert_eq!(marked.status, StatusCode::SEE_OTHER, "{}", marked.body);
    }
}

async fn survey_answered(app: &TestApp, session: &str, who: &str) {
    let recorded =
        write_unit!(app, unit => unit.record_survey_submission(session, who).await).unwrap();
    assert!(recorded);
}

/// The staff's assessment page of `who` in the session.
pub async fn assessment_page(app: &TestApp, base: &str, session: &str, who: &str) -> String {
    let enrolment = enrolment_page(app, session, who).await;
    let id = enrolment.rsplit('/').next().unwrap();
    format!("{base}/completion/enrolments/{id}")
}

async fn record(
    staff: &mut Browser<'_>,
    page: &str,
    fields: &[(&str, &str)],
) -> crate::app::TestResponse {
    staff.post(page, fields).await
}

pub async fn a_learner_completes_against_published_criteria_and_the_decision_stands(app: TestApp) {
    let (org, owner, session) = a_delivered_session(&app, "10").await;
    let base = format!("/organisations/{org}/sessions/{session}");
    let mut staff = signed_in(&app, &owner).await;

    // Sent empty, the criteria form names each field at fault; nothing is published.
    let empty = staff
        .post(&format!("{base}/completion/criteria"), &[("revision", "0")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "f-assessments-0-kind-error",
        "f-min_attendance_percent-error",
    ] {
        assert!(empty.body.contains(field), "{field}: {}", empty.body);
    }
    // A pass score above the maximum and a rubric whose pass level is not one of its levels.
    let mut wrong = criteria_form("2");
    wrong[3].1 = "120".to_owned();
    wrong[7].1 = "E".to_owned();
    let refused = staff
        .post(&format!("{base}/completion/criteria"), &pairs(&wrong))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("f-assessments-0-pass_score-error"));
    assert!(refused.body.contains("f-assessments-1-criteria-error"));
    assert!(
        app.store
            .completion_criteria(&session)
            .await
            .unwrap()
            .is_none()
    );
    let saved = staff
        .post(
            &format!("{base}/completion/criteria"),
            &pairs(&criteria_form("2")),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // Published before enrolment (B12): on the programme's public page, next to the session,
    // and on the enrolment page before one applies.
    let programme = session.trim_end_matches("-001");
    let public = Browser::new(&app)
        .get(&format!("/programmes/{programme}"))
        .await;
    assert!(
        public.body.contains("修了テスト：100点満点で70点以上"),
        "{}",
        public.body
    );
    assert!(public.body.contains("出席：時間割の80%以上"));
    let english = Browser::new(&app)
        .get(&format!("/en/programmes/{programme}"))
        .await;
    assert!(
        english.body.contains("修了テスト: 70 or more out of 100"),
        "{}",
        english.body
    );
    let aoi = sign_up(&app, "青井", "aoi@example.jp").await;
    let mut a = signed_in(&app, &aoi).await;
    let before = a.get(&format!("/sessions/{session}/enrol")).await;
    assert!(before.body.contains("修了の基準"), "{}", before.body);
    assert!(
        before.body.contains(
            "成果発表（ルーブリック、段階 A・B・C・D）：課題の把握 B以上、提案の具体性 B以上"
        ),
        "{}",
        before.body
    );
    assert!(before.body.contains("修了アンケートへの回答"));
    assert!(before.body.contains("各評価を2回まで"));
    let aoi_page = apply(&mut a, &session, &profile("青井 葵", "アオイ アオイ", "")).await;
    let ban = sign_up(&app, "番", "ban@example.jp").await;
    apply(
        &mut signed_in(&app, &ban).await,
        &session,
        &profile("番 健", "バン ケン", ""),
    )
    .await;
    let chika = sign_up(&app, "千佳", "chika@example.jp").await;
    apply(
        &mut signed_in(&app, &chika).await,
        &session,
        &profile("千葉 千佳", "チバ チカ", ""),
    )
    .await;

    // Before the session starts, nothing is assessed.
    let aoi_marks = assessment_page(&app, &base, &session, &aoi).await;
    let early = record(
        &mut staff,
        &aoi_marks,
        &[("assessment", "1"), ("score", "90")],
    )
    .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.body.contains("始まってから"), "{}", early.body);

    // The day: Aoi and Ban attend both blocks, Chika the first only (2 of 4 hours).
    app.clock.set(datetime!(2026-06-10 09:40 +09:00));
    let mut staff = signed_in(&app, &owner).await;
    attends(&mut staff, &base, &aoi, &["1", "2"]).await;
    attends(&mut staff, &base, &ban, &["1", "2"]).await;
    attends(&mut staff, &base, &chika, &["1"]).await;
    survey_answered(&app, &session, &aoi).await;
    survey_answered(&app, &session, &chika).await;

    app.clock.set(datetime!(2026-06-10 15:30 +09:00));
    let mut staff = signed_in(&app, &owner).await;
    // Once started, the criteria cannot change, and the page says why.
    let locked = staff
        .post(
            &format!("{base}/completion/criteria"),
            &pairs(&{
                let mut c = criteria_form("2");
                c.last_mut().unwrap().1 = "1".to_owned();
                c
            }),
        )
        .await;
    assert_eq!(locked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(locked.body.contains("変更できません"), "{}", locked.body);
    assert_eq!(
        app.store
            .completion_criteria(&session)
            .await
            .unwrap()
            .unwrap()
            .revision,
        1
    );
    // The assessment form sent empty names the score.
    let empty = record(&mut staff, &aoi_marks, &[("assessment", "1")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("f-score-error"), "{}", empty.body);
    // Aoi fails the test, is re-assessed (two attempts allowed) and passes; once passed, there
    // is no third.
    for (score, status) in [("58", StatusCode::SEE_OTHER), ("85", StatusCode::SEE_OTHER)] {
        let res = record(
            &mut staff,
            &aoi_marks,
            &[("assessment", "1"), ("score", score), ("entry", "new")],
        )
        .await;
        assert_eq!(res.status, status, "{}", res.body);
    }
    let third = record(
        &mut staff,
        &aoi_marks,
        &[("assessment", "1"), ("score", "95"), ("entry", "new")],
    )
    .await;
    assert_eq!(third.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(third.body.contains("合格しています"), "{}", third.body);
    let levels = |a: &'static str, b: &'static str| {
        vec![
            ("assessment", "2"),
            ("levels[0]", a),
            ("levels[1]", b),
            ("entry", "new"),
        ]
    };
    // A rubric sent with one criterion unmarked names it.
    let half = record(
        &mut staff,
        &aoi_marks,
        &[("assessment", "2"), ("levels[0]", "A")],
    )
    .await;
    assert_eq!(half.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(half.body.contains("f-levels-1-error"), "{}", half.body);
    let ok = record(&mut staff, &aoi_marks, &levels("A", "B")).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let ban_marks = assessment_page(&app, &base, &session, &ban).await;
    let chika_marks = assessment_page(&app, &base, &session, &chika).await;
    for (page, score, a, b) in [(&ban_marks, "75", "B", "B"), (&chika_marks, "90", "A", "A")] {
        let s = record(&mut staff, page, &[("assessment", "1"), ("score", score)]).await;
        assert_eq!(s.status, StatusCode::SEE_OTHER, "{}", s.body);
        let r = record(&mut staff, page, &levels(a, b)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }

    // The computed decisions, with their reasons, before anything is issued.
    let page = staff.get(&format!("{base}/completion")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for reason in [
        "修了テスト 85点（合格 70点以上）・2回目",
        "アンケートが未回答です",
        "出席率 50%（基準 80% 以上）",
        "受講時間 4時間／4時間",
    ] {
        assert!(page.body.contains(reason), "{reason}: {}", page.body);
    }

    // 修了 is refused without the survey, and without the attendance share, each naming it.
    let ban_confirm = format!("{ban_marks}/confirm");
    let no_survey = staff.post(&ban_confirm, &[("outcome", "completed")]).await;
    assert_eq!(no_survey.status, StatusCode::BAD_REQUEST);
    assert!(
        no_survey.body.contains("アンケートが未回答です"),
        "{}",
        no_survey.body
    );
    assert!(!no_survey.body.contains("出席率"), "only what is missed");
    let short = staff
        .post(
            &format!("{chika_marks}/confirm"),
            &[("outcome", "completed")],
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.body.contains("出席率 50%（基準 80% 以上）"),
        "{}",
        short.body
    );
    assert!(app.store.completions(&session).await.unwrap().is_empty());

    // Aoi's 修了 is issued: the decision, its audit entry and her mail, at every step or not
    // at all.
    let snapshot = || async {
        let s = &app.store;
        format!(
            "{:?}\noutbox {}\naudit {}",
            s.completions(&session).await.unwrap(),
            s.outbox_count().await.unwrap(),
            s.audit_head().await.unwrap()
        )
    };
    let steps = crate::workflow::post_through_faults(
        &app,
        &mut staff,
        &format!("{aoi_marks}/confirm"),
        &[("outcome", "completed")],
        snapshot,
    )
    .await;
    assert!(steps >= 3, "decision and audit, mail, commit: {steps}");
    let issued = app
        .store
        .completion_of(&session, &aoi)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(issued.outcome, Outcome::Completed);
    assert_eq!(
        (
            issued.attended_minutes,
            issued.timetabled_minutes,
            issued.attendance_percent
        ),
        (240, 240, 100),
        "the hours achieved are part of the record"
    );
    assert!(issued.reasons.iter().all(|r| r.met));
    let mail = mail_to(&app, "aoi@example.jp", "修了判定のお知らせ").await;
    assert!(mail.body.contains("修了判定は「修了」"), "{}", mail.body);
    assert!(mail.body.contains("○ 修了テスト 85点"), "{}", mail.body);
    assert!(mail.body.contains("Completed"), "{}", mail.body);
    // A second confirm of the same state is a conflict.
    let twice = staff
        .post(&format!("{aoi_marks}/confirm"), &[("outcome", "completed")])
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // Ban's 未修了 is issued with its reasons; he answers the survey late; the correction is a
    // new decision with its reason, superseding the first, which stays as it was.
    let not = staff
        .post(&ban_confirm, &[("outcome", "not_completed")])
        .await;
    assert_eq!(not.status, StatusCode::SEE_OTHER, "{}", not.body);
    let first = app
        .store
        .completion_of(&session, &ban)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.outcome, Outcome::NotCompleted);
    assert!(
        mail_to(&app, "ban@example.jp", "修了判定のお知らせ")
            .await
            .body
            .contains("× アンケートが未回答です")
    );
    let nothing_new = staff
        .post(
            &format!("{ban_marks}/correct"),
            &[("supersedes", &first.id), ("reason", "確認のため")],
        )
        .await;
    assert_eq!(nothing_new.status, StatusCode::CONFLICT, "nothing changed");
    let unchanged = staff.get(&ban_marks).await.body;
    assert!(unchanged.contains("確定した判定と同じです"), "{unchanged}");
    assert!(!unchanged.contains("id=\"correction-reason\""));
    survey_answered(&app, &session, &ban).await;
    assert!(
        staff
            .get(&ban_marks)
            .await
            .body
            .contains("id=\"correction-reason\""),
        "the records give another decision now: the correction form"
    );
    let no_reason = staff
        .post(
            &format!("{ban_marks}/correct"),
            &[("supersedes", &first.id), ("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    assert!(no_reason.body.contains("訂正の理由"), "{}", no_reason.body);
    assert!(
        no_reason.body.contains("<code>reason</code>"),
        "the field is named"
    );
    let snapshot = || async {
        let s = &app.store;
        format!(
            "{:?}\noutbox {}\naudit {}",
            s.completion_history(&session, &ban).await.unwrap(),
            s.outbox_count().await.unwrap(),
            s.audit_head().await.unwrap()
        )
    };
    let steps = crate::workflow::post_through_faults(
        &app,
        &mut staff,
        &format!("{ban_marks}/correct"),
        &[
            ("supersedes", &first.id),
            ("reason", "アンケートの回答を確認したため"),
        ],
        snapshot,
    )
    .await;
    assert!(steps >= 3, "{steps}");
    let history = app.store.completion_history(&session, &ban).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0], first, "the first decision is unchanged");
    assert_eq!(history[1].supersedes.as_deref(), Some(first.id.as_str()));
    assert_eq!(
        history[1].correction_reason.as_deref(),
        Some("アンケートの回答を確認したため")
    );
    let current = app
        .store
        .completion_of(&session, &ban)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (current.outcome, &current.id),
        (Outcome::Completed, &history[1].id)
    );
    // A correction made on the superseded decision is stale.
    let stale = staff
        .post(
            &format!("{ban_marks}/correct"),
            &[("supersedes", &first.id), ("reason", "再確認")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(app.store.completions(&session).await.unwrap().len(), 2);

    // A result is corrected with its reason as a new record; the earlier one stays.
    let corrected = record(
        &mut staff,
        &aoi_marks,
        &[
            ("assessment", "1"),
            ("score", "88"),
            ("entry", "correction"),
            ("reason", "転記の誤り"),
        ],
    )
    .await;
    assert_eq!(
        corrected.status,
        StatusCode::SEE_OTHER,
        "{}",
        corrected.body
    );
    let results: Vec<_> = app
        .store
        .assessment_results(&session)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.account_id == aoi && r.result.assessment == 1)
        .map(|r| (r.result.attempt, r.correction_reason))
        .collect();
    assert_eq!(
        results,
        [(1, None), (2, None), (2, Some("転記の誤り".to_owned()))]
    );

    // The decisions as CSV, for Excel: the hours achieved and the reasons.
    let (status, csv) = staff.get_bytes(&format!("{base}/completion.csv")).await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("\u{feff}氏名,氏名（カナ）"), "{csv}");
    assert!(csv.contains("青井 葵"), "{csv}");
    assert!(
        csv.contains(",100,240,240,88点（2回目）,課題の把握 A・提案の具体性 B,回答済み,修了,"),
        "{csv}"
    );
    assert!(csv.contains("未確定"), "Chika's is not issued: {csv}");

    // Each learner sees their own decision with its reasons, and only their own.
    let mut a = signed_in(&app, &aoi).await;
    let mine = a.get(&aoi_page).await;
    assert!(mine.body.contains("修了判定"), "{}", mine.body);
    assert!(
        mine.body
            .contains("修了テスト 85点（合格 70点以上）・2回目")
    );
    assert!(mine.body.contains("受講時間"));
    let ban_page = enrolment_page(&app, &session, &ban).await;
    assert_eq!(a.get(&ban_page).await.status, StatusCode::NOT_FOUND);
    let mut b = signed_in(&app, &ban).await;
    let his = b.get(&ban_page).await.body;
    assert!(his.contains("アンケートの回答を確認したため"), "{his}");
    assert!(!his.contains("修了テスト 85点"), "not Aoi's");
    // Learners do not reach the staff's pages.
    assert_eq!(
        b.get(&format!("{base}/completion")).await.status,
        StatusCode::FORBIDDEN
    );

    // Certificates follow the decisions (issue 17): Ban's correction to 修了 issued his; Aoi's
    // corrected score corrects her decision, which issues a new certificate and revokes the
    // one it supersedes, with the reason, in the same unit.
    let aoi_first = app
        .store
        .completion_of(&session, &aoi)
        .await
        .unwrap()
        .unwrap();
    let fixed = staff
        .post(
            &format!("{aoi_marks}/correct"),
            &[
                ("supersedes", &aoi_first.id),
                ("reason", "転記の誤りを訂正"),
            ],
        )
        .await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER, "{}", fixed.body);
    let certificates = app.store.credentials_of_session(&session).await.unwrap();
    let of = |who: &str| -> Vec<_> {
        certificates
            .iter()
            .filter(|c| c.account_id == who)
            .collect()
    };
    assert_eq!(of(&ban).len(), 1);
    let aois = of(&aoi);
    assert_eq!(aois.len(), 2);
    use koshu_store::credentials::CredentialStatus;
    assert_eq!(aois[0].status, CredentialStatus::Revoked);
    assert!(
        aois[0]
            .status_reason
            .as_deref()
            .unwrap_or("")
            .contains("転記の誤りを訂正")
    );
    assert_eq!(aois[1].status, CredentialStatus::Active);
    let revoked = Browser::new(&app)
        .get(&format!("/verify/{}", aois[0].id))
        .await;
    assert!(revoked.body.contains("取消し"), "{}", revoked.body);
    assert!(matches!(
        app.store.verify_audit_log().await.unwrap(),
        koshu_store::audit::AuditVerdict::Intact { .. }
    ));
}

/// Where the criteria allow no re-assessment, a second attempt is refused saying so; where
/// they allow two, the third is.
pub async fn reassessment_is_allowed_only_where_the_criteria_say_so(app: TestApp) {
    let (org, owner, session) = a_session_with_criteria(&app, "1").await;
    let base = format!("/organisations/{org}/sessions/{session}");
    let learner = sign_up(&app, "再 評価", "again@example.jp").await;
    apply(
        &mut signed_in(&app, &learner).await,
        &session,
        &profile("再 評価", "サイ ヒョウカ", ""),
    )
    .await;
    // Still before the start: the criteria change to allow two attempts, then back to none.
    let mut staff = signed_in(&app, &owner).await;
    let mut two = criteria_form("2");
    two.last_mut().unwrap().1 = "1".to_owned();
    let changed = staff
        .post(&format!("{base}/completion/criteria"), &pairs(&two))
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let mut none = criteria_form("1");
    none.last_mut().unwrap().1 = "1".to_owned();
    let stale = staff
        .post(&format!("{base}/completion/criteria"), &pairs(&none))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "made on revision 1");
    none.last_mut().unwrap().1 = "2".to_owned();
    let back = staff
        .post(&format!("{base}/completion/criteria"), &pairs(&none))
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);

    app.clock.set(datetime!(2026-06-10 15:30 +09:00));
    let mut staff = signed_in(&app, &owner).await;
    let marks = assessment_page(&app, &base, &session, &learner).await;
    let first = record(&mut staff, &marks, &[("assessment", "1"), ("score", "40")]).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let again = record(
        &mut staff,
        &marks,
        &[("assessment", "1"), ("score", "90"), ("entry", "new")],
    )
    .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("再評価を行いません"), "{}", again.body);
    // A correction is not a re-assessment: it needs its reason, and is taken.
    let no_reason = record(
        &mut staff,
        &marks,
        &[
            ("assessment", "1"),
            ("score", "45"),
            ("entry", "correction"),
        ],
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason.body.contains("f-reason-error"),
        "{}",
        no_reason.body
    );
    let fixed = record(
        &mut staff,
        &marks,
        &[
            ("assessment", "1"),
            ("score", "45"),
            ("entry", "correction"),
            ("reason", "採点の誤り"),
        ],
    )
    .await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER, "{}", fixed.body);
    let page = staff.get(&marks).await;
    assert!(
        page.body.contains("修了テスト 45点（合格 70点以上）"),
        "{}",
        page.body
    );
    assert!(page.body.contains("採点の誤り"));
}

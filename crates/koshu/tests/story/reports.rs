//! The monthly implementation report (issue 19 item 1; E01): the demo's designated course
//! delivered last week (in March, the story's START being 1 April) reports figures equal to
//! counts made here from the store; the provider submits it with remarks as version 1 with
//! its digest; a later change in the records leaves version 1 as it was and shows on the page;
//! a submission on a stale version is a 409, a correction is version 2; the month under way
//! cannot be submitted yet.

use crate::accounts::{set_up_two_factor, sign_up, signed_in};
use crate::app::{START, TestApp};
use axum::http::StatusCode;
use koshu_domain::access::MinistryRole;
use koshu_domain::delivery::EnrolmentStatus;
use koshu_domain::delivery::completion::Outcome;
use koshu_domain::reports::ReportPeriod;
use koshu_store::reports::report_digest;
use time::macros::datetime;

pub async fn a_month_of_delivery_is_reported_from_the_records_and_submitted_as_versions(
    app: TestApp,
) {
    let org = app.load_sample_provider().await;
    let wf = &app.state.workflow;
    let designation = app.sample_designation(&org).await;
    let programme = designation.programme_id.clone();
    let march = ReportPeriod::parse("2026-03").unwrap();

    // Counted here, independently, from the store: the sessions whose last day is in March.
    let march_sessions: Vec<String> = app
        .store
        .deliveries_of(&org.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| {
            d.programme_id == programme
                && d.plan
                    .timetable
                    .iter()
                    .map(|b| b.day)
                    .max()
                    .is_some_and(|day| march.contains(day))
        })
        .map(|d| d.session_id)
        .collect();
    assert_eq!(march_sessions.len(), 1, "last week's session");
    let session = &march_sessions[0];
    let enrolled = app
        .store
        .enrolments_of_session(session)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.status == EnrolmentStatus::Enrolled)
        .count();
    let checked: std::collections::BTreeSet<String> = app
        .store
        .identity_checks(session)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.account_id)
        .collect();
    let decisions = app.store.completions(session).await.unwrap();
    let completed = decisions
        .iter()
        .filter(|c| c.outcome == Outcome::Completed)
        .count();
    let responses = app.store.session_survey(session).await.unwrap().responses;

    let report = koshu_workflow::reports::report(wf, &programme, march)
        .await
        .unwrap();
    let f = &report.figures;
    assert!(report.due, "March is over on 1 April");
    assert_eq!(f.sessions.len(), 1);
    assert_eq!(f.enrolled as usize, enrolled);
    assert_eq!(f.identity_checked as usize, checked.len());
    assert_eq!(f.attended, 5, "the five present all day; the sixth absent");
    assert_eq!(f.completed as usize, completed);
    assert_eq!((f.completed + f.not_completed) as usize, decisions.len());
    assert_eq!(f.completion_percent, Some(66));
    assert_eq!(f.completed_riss_numbers, ["第012345号"]);
    assert_eq!(f.survey_responses, responses);
    assert_eq!(f.survey_response_percent, Some(83));
    assert_eq!(
        (f.satisfied_percent, f.satisfaction_mean_tenths),
        (Some(80), Some(42))
    );
    assert_eq!((f.complaints, f.changes), (0, 0));

    // The provider's staff find it from the organisation's page and see it, each figure linking
    // to the records it counts.
    let staff = sign_up(&app, "報告 担当", "reports@sample.example.jp").await;
    write_unit!(app, unit => unit.grant_membership(&org.id, &staff, koshu_domain::access::OrgRole::Editor, "cli", START).await)
        .unwrap();
    let mut b = signed_in(&app, &staff).await;
    let org_page = b.get(&format!("/organisations/{}", org.id)).await;
    let list_href = format!("/organisations/{}/reports", org.id);
    assert!(org_page.body.contains(&format!("href=\"{list_href}\"")));
    let list = b.get(&list_href).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body.contains("2026年3月") && list.body.contains("未提出（提出期限 2026年4月10日"),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("集計中"),
        "April is under way: {}",
        list.body
    );
    let path = format!("{list_href}/{programme}/2026-03");
    let page = b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let completion = format!(
        "href=\"/organisations/{}/sessions/{session}/completion\"",
        org.id
    );
    let survey = format!(
        "href=\"/organisations/{}/sessions/{session}/survey\"",
        org.id
    );
    for words in [
        completion.as_str(),
        survey.as_str(),
        "第012345号",
        "<td class=\"number\">66</td>",
        "この内容で提出する",
    ] {
        assert!(page.body.contains(words), "{words}: {}", page.body);
    }

    // As files: Excel, PDF and CSV (before submission, the figures computed now).
    for (file, kind) in [
        (
            "report.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("report.pdf", "application/pdf"),
        ("report.csv", "text/csv"),
    ] {
        let res = b.get(&format!("{path}/{file}")).await;
        assert_eq!(res.status, StatusCode::OK, "{file}");
        let content_type = res.headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .unwrap();
        assert!(content_type.starts_with(kind), "{file}: {content_type}");
    }
    let csv = b.get(&format!("{path}/report.csv")).await.body;
    assert!(
        csv.contains("修了者数,2") && csv.contains("未提出（"),
        "{csv}"
    );

    // The reminder scheduled at designation runs on 1 April: March's report can be submitted.
    // Its record, its mail, its completion and its next day are one unit: a fault at any step
    // leaves nothing, and a second run of the same job sends nothing more.
    let run_jobs = async || {
        koshu_workflow::jobs::run_due(wf, &koshu_workflow::jobs::registry(), "test")
            .await
            .unwrap()
    };
    let reminders = async |subject: &str| {
        app.store
            .outbox(500, 0)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.to_address == "sample-provider@example.jp" && m.subject.contains(subject))
            .map(|m| m.body)
            .collect::<Vec<_>>()
    };
    let job = crate::workflow::pending(
        &app.store.pending_jobs().await.unwrap(),
        koshu_workflow::reports::REPORT_REMINDERS,
    );
    let steps = crate::workflow::run_through_faults(
        &app,
        &job,
        koshu_workflow::reports::send_reminders,
        || async {
            let pending: Vec<String> = app
                .store
                .pending_jobs()
                .await
                .unwrap()
                .into_iter()
                .filter(|j| j.kind == koshu_workflow::reports::REPORT_REMINDERS)
                .map(|j| format!("{} {}", j.id, j.run_at))
                .collect();
            format!("{:?} {pending:?}", reminders("提出できます").await)
        },
    )
    .await;
    assert!(
        steps >= 3,
        "record, mail, completion and next day: {steps} steps"
    );
    run_jobs().await;
    let ready = reminders("実施状況報告書（月次）を提出できます").await;
    assert_eq!(ready.len(), 1);
    assert!(
        ready[0].contains("2026年3月分") && ready[0].contains("2026年4月10日"),
        "{}",
        ready[0]
    );

    // Submitted with remarks: version 1, its digest over the figures and the remarks.
    let remarks = "3月は1回開催しました。";
    let res = b.post(&path, &[("remarks", remarks), ("after", "0")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let versions = app.store.report_versions(&programme, march).await.unwrap();
    assert_eq!(versions.len(), 1);
    let v1 = versions[0].clone();
    assert_eq!((v1.version, v1.remarks.as_str()), (1, remarks));
    assert_eq!(v1.figures, *f);
    assert_eq!(
        v1.digest,
        report_digest(&serde_json::to_string(&v1.figures).unwrap(), remarks)
    );
    let page = b.get(&format!("{path}?done=submitted")).await;
    assert!(page.body.contains("報告書を提出しました") && page.body.contains(&v1.digest));
    assert!(
        page.body.contains("<td>報告 担当</td>"),
        "the submitter by name: {}",
        page.body
    );
    assert!(
        b.get(&list_href)
            .await
            .body
            .contains("受領（2026年4月1日（水）・第1版）")
    );

    // The records change afterwards (a visitor reports a problem with the course in March):
    // version 1 stays as it was; the page says the records moved on.
    write_unit!(app, unit => unit.report_programme("report-1", &programme, "wrong", "日程が違う", "", "anonymous", START - time::Duration::days(3)).await)
        .unwrap();
    let now = koshu_workflow::reports::report(wf, &programme, march)
        .await
        .unwrap();
    assert_eq!(now.figures.complaints, 1);
    assert_eq!(
        app.store.report_versions(&programme, march).await.unwrap()[0],
        v1,
        "a submitted version never changes"
    );
    assert!(b.get(&path).await.body.contains("記録が変わっています"));

    // Submitting on the version already superseded is a conflict; a correction is version 2.
    let stale = b
        .post(&path, &[("remarks", "二重送信"), ("after", "0")])
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let corrected = b
        .post(
            &path,
            &[("remarks", "苦情1件を反映しました。"), ("after", "1")],
        )
        .await;
    assert_eq!(
        corrected.status,
        StatusCode::SEE_OTHER,
        "{}",
        corrected.body
    );
    let versions = app.store.report_versions(&programme, march).await.unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].figures.complaints, 1);
    assert_eq!(versions[0], v1);

    // A form that does not say which version was seen is refused, naming the field.
    let garbled = b.post(&path, &[("remarks", ""), ("after", "x")]).await;
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST, "{}", garbled.body);
    assert!(garbled.body.contains("report.after"), "{}", garbled.body);
    assert_eq!(
        app.store
            .report_versions(&programme, march)
            .await
            .unwrap()
            .len(),
        2
    );

    // April is under way: its report waits for the month's end, and says so.
    let april = format!("{list_href}/{programme}/2026-04");
    let early = b.post(&april, &[("remarks", ""), ("after", "0")]).await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST, "{}", early.body);
    assert!(
        early.body.contains("翌月1日から提出できます"),
        "{}",
        early.body
    );
    assert!(
        app.store
            .report_versions(&programme, ReportPeriod::parse("2026-04").unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    // 7 April, March submitted: no reminder. April not submitted: on 1 May it can be, on 7 May
    // it is due soon (the run of 1 May, delayed to the 2nd, still says its own); each once.
    app.clock.set(datetime!(2026-04-07 09:00 +09:00));
    run_jobs().await;
    assert!(reminders("提出期限が近づいています").await.is_empty());
    app.clock.set(datetime!(2026-05-02 09:00 +09:00));
    run_jobs().await;
    let ready = reminders("を提出できます").await;
    assert_eq!(ready.len(), 2, "March's, then April's: {ready:?}");
    assert!(ready.iter().any(|m| m.contains("2026年4月分")));
    app.clock.set(datetime!(2026-05-07 09:00 +09:00));
    run_jobs().await;
    assert_eq!(run_jobs().await, 0, "the next is on 1 June");
    let soon = reminders("提出期限が近づいています").await;
    assert_eq!(soon.len(), 1, "{soon:?}");
    assert!(
        soon[0].contains("2026年4月分") && soon[0].contains("2026年5月10日"),
        "{}",
        soon[0]
    );
    // On 11 May, past April's due day (the 10th): the ministry's view shows March received on
    // time and April missing; a chase mails the provider's owners; April submitted then is
    // received late, and can no longer be chased.
    app.clock.set(datetime!(2026-05-11 10:00 +09:00));
    let reviewer = sign_up(&app, "審査 担当", "reviewer@meti.example.jp").await;
    app.store
        .set_ministry_roles(
            &reviewer,
            Some(MinistryRole::Reviewer),
            false,
            "test",
            app.clock_now(),
        )
        .await
        .unwrap();
    set_up_two_factor(&mut signed_in(&app, &reviewer).await).await;
    let mut m = signed_in(&app, &reviewer).await;
    let view = m.get("/ministry/course-reports").await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    assert!(view.body.contains("受領（2026年4月1日"), "{}", view.body);
    assert!(
        view.body
            .contains("未提出・期限超過（提出期限 2026年5月10日"),
        "{}",
        view.body
    );
    let april_ministry = format!("/ministry/course-reports/{programme}/2026-04");
    let page = m.get(&april_ministry).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("提出を求めるメールを送る") && !page.body.contains("この内容で提出する")
    );
    let chased = m.post(&format!("{april_ministry}/chase"), &[]).await;
    assert_eq!(chased.status, StatusCode::SEE_OTHER, "{}", chased.body);
    let mails = app.store.outbox(200, 0).await.unwrap();
    assert!(mails.iter().any(|e| {
        e.to_address == "sample-provider@example.jp"
            && e.subject.contains("実施状況報告書の提出のお願い")
            && e.body
                .contains("2026年4月分の「特定講習」実施状況報告書（月次）")
    }));
    let mut b = signed_in(&app, &staff).await;
    let late = b.post(&april, &[("remarks", ""), ("after", "0")]).await;
    assert_eq!(late.status, StatusCode::SEE_OTHER, "{}", late.body);
    let view = m.get("/ministry/course-reports").await;
    assert!(
        view.body.contains("期限後に受領（2026年5月11日"),
        "{}",
        view.body
    );
    let received = m.get(&format!("{april_ministry}/report.csv")).await;
    assert_eq!(received.status, StatusCode::OK);
    assert!(
        received.body.contains("第1版（2026年5月11日"),
        "{}",
        received.body
    );
    // The totals across courses, month by month, from what was received (March: one report,
    // six learners, two completed), with the filters: by provider, by field, a year of months.
    let march_total = "<th scope=\"row\">2026年3月</th><td class=\"number\">1</td><td class=\"number\">6</td><td class=\"number\">2</td><td class=\"number\">66</td>";
    assert!(view.body.contains(march_total), "{}", view.body);
    let by_provider = m
        .get(&format!("/ministry/course-reports?provider={}", org.id))
        .await;
    assert!(
        by_provider.body.contains(march_total) && by_provider.body.contains("特講2025-001"),
        "{} {}",
        by_provider.status,
        by_provider.body
    );
    let by_field = m.get("/ministry/course-reports?field=sec_monitoring").await;
    assert!(by_field.body.contains("特講2025-001"), "{}", by_field.body);
    let none = m.get("/ministry/course-reports?field=legal").await;
    assert!(
        none.body.contains("条件に合う講習はありません") && !none.body.contains(march_total),
        "{}",
        none.body
    );
    let csv = m
        .get(&format!("/ministry/course-reports.csv?provider={}", org.id))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.starts_with('\u{feff}')
            && csv.body.contains("特講2025-001")
            && csv.body.contains("期限後に受領（2026年5月11日"),
        "{}",
        csv.body
    );
    let xlsx = m.get("/ministry/course-reports.xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(
        xlsx.headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let pdf = m.get("/ministry/course-reports.pdf?months=12").await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(
        pdf.headers[axum::http::header::CONTENT_TYPE],
        "application/pdf"
    );
    assert!(pdf.body.starts_with("%PDF"));
    let year = m.get("/ministry/course-reports?months=12").await;
    assert!(
        year.body.contains("<th scope=\"col\">2025年6月</th>"),
        "{}",
        year.body
    );
    let again = m.post(&format!("{april_ministry}/chase"), &[]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);

    // The annual report of 2025年度 (April 2025 to March 2026, due 31 May): the same session,
    // the same figures; submitted on 11 May, received.
    let fy2025 = format!("{list_href}/{programme}/fy2025");
    let annual = b.get(&fy2025).await;
    assert_eq!(annual.status, StatusCode::OK, "{}", annual.body);
    assert!(
        annual
            .body
            .contains("「特定講習」実施状況報告書（年度）：2025年度")
            && annual.body.contains("未提出（提出期限 2026年5月31日"),
        "{}",
        annual.body
    );
    let year =
        koshu_workflow::reports::report(wf, &programme, ReportPeriod::parse("fy2025").unwrap())
            .await
            .unwrap();
    assert_eq!(year.figures.sessions, now.figures.sessions);
    assert_eq!(year.figures.completed, now.figures.completed);
    let sent = b
        .post(&fy2025, &[("remarks", "年度の報告"), ("after", "0")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let list = b.get(&list_href).await.body;
    assert!(
        list.contains("2025年度") && list.contains("2026年度"),
        "{list}"
    );
    assert!(list.contains("受領（2026年5月11日"), "{list}");
    let pdf = b.get(&format!("{fy2025}/report.pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);

    // A course that is not designated, or a month that is not one, is not found.
    assert_eq!(
        b.get(&format!("{list_href}/{programme}/2026-13"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

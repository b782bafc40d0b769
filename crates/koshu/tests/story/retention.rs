//! Retention (issue 19 item 5; E02, B31): the demo's designated course was delivered last week
//! (March 2026, so 2025年度; the story's START is 1 April 2026). Its March report is submitted.
//! An export for an inquiry holds the course's and one learner's records. With the clock moved
//! to 1 April 2029 (three years after 2025年度 ended), the dry run lists what would go and
//! changes nothing; the purge job (through a fault at every write step) removes the session's
//! personal data and keeps the report, the survey's tallies and the issued certificate; a
//! second run purges nothing; the sessions of 2026年度 are untouched; the audit log verifies.

use crate::accounts::{sign_up, signed_in};
use crate::app::{START, TestApp};
use axum::http::StatusCode;
use koshu_domain::reports::ReportPeriod;
use koshu_workflow::retention::{self, RETENTION_PURGE};
use std::collections::BTreeMap;
use std::io::Read;
use time::macros::{date, datetime};

/// The files of an export, by name.
fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            (file.name().unwrap().into_owned(), text)
        })
        .collect()
}

/// The data rows of an exported CSV (the header and the byte order mark left out).
fn data_rows(csv: &str) -> usize {
    csv.trim_start_matches('\u{feff}')
        .lines()
        .count()
        .saturating_sub(1)
}

pub async fn personal_data_is_purged_three_years_after_its_fiscal_year_and_the_reports_remain(
    app: TestApp,
) {
    let org = app.load_sample_provider().await;
    let wf = &app.state.workflow;
    let programme = app.sample_designation(&org).await.programme_id;
    let deliveries: Vec<_> = app
        .store
        .deliveries_of(&org.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.programme_id == programme)
        .collect();
    let (held, later): (Vec<_>, Vec<_>) = deliveries
        .iter()
        .partition(|d| d.plan.last_day().unwrap() < date!(2026 - 04 - 01));
    assert_eq!(held.len(), 1, "last week's session, in 2025年度");
    assert!(!later.is_empty(), "today's and later sessions, in 2026年度");
    let session = held[0].session_id.clone();

    // The schedule: each fiscal year's purge is a job, due on 1 April three years after it.
    let schedule = retention::schedule(wf).await.unwrap();
    let line = schedule.iter().find(|s| s.session_id == session).unwrap();
    assert_eq!(
        (line.fiscal_year.year(), line.purge_from),
        (2025, date!(2029 - 04 - 01))
    );
    let jobs = app.store.pending_jobs().await.unwrap();
    let purge_days: Vec<_> = jobs
        .iter()
        .filter(|j| j.kind == RETENTION_PURGE)
        .map(|j| j.run_at)
        .collect();
    assert!(purge_days.contains(&datetime!(2029-04-01 00:00 +09:00)));
    assert!(purge_days.contains(&datetime!(2030-04-01 00:00 +09:00)));

    // Counted here from the store: what the session holds about its learners.
    let enrolments = app.store.enrolments_of_session(&session).await.unwrap();
    let attendance = app.store.attendance_events(&session).await.unwrap();
    let checks = app.store.identity_checks(&session).await.unwrap();
    let decisions = app.store.completions(&session).await.unwrap();
    let credentials = app.store.credentials_of_session(&session).await.unwrap();
    let survey = app.store.session_survey(&session).await.unwrap();
    assert!(!enrolments.is_empty() && !attendance.is_empty() && !checks.is_empty());
    assert!(
        !credentials.is_empty(),
        "the demo issued a certificate on this session"
    );

    // March's report is submitted while the records are whole.
    let march = ReportPeriod::parse("2026-03").unwrap();
    koshu_workflow::reports::submit(wf, &programme, march, 0, "3月分", "test")
        .await
        .unwrap();
    let submitted = app.store.report_versions(&programme, march).await.unwrap();
    assert_eq!(submitted.len(), 1);

    // An inquiry: everything held about the course, and about one learner.
    let course = unzip(
        &retention::export_course(wf, &programme, "cli")
            .await
            .unwrap(),
    );
    assert_eq!(data_rows(&course["enrolments.csv"]), {
        let mut all = 0;
        for d in &deliveries {
            all += app
                .store
                .enrolments_of_session(&d.session_id)
                .await
                .unwrap()
                .len();
        }
        all
    });
    assert!(course["course_reports.csv"].contains("3月分"));
    assert!(course.contains_key("enrolments.json") && course.contains_key("manifest.json"));
    assert!(
        !course["deliveries.csv"].contains(&held[0].code_secret),
        "no secret is exported"
    );
    let learner = &enrolments[0].account_id;
    let person = unzip(&retention::export_learner(wf, learner, "cli").await.unwrap());
    assert_eq!(data_rows(&person["accounts.csv"]), 1);
    assert!(
        !person["accounts.csv"].contains("argon2"),
        "no password hash"
    );
    assert!(data_rows(&person["enrolments.csv"]) >= 1);
    assert!(data_rows(&person["audit_log.csv"]) >= 1);
    let exports = app
        .store
        .recent_audit_entries(20)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action.starts_with("export."))
        .count();
    assert_eq!(exports, 2, "each export is audited");

    // The day before the purge: nothing is due.
    app.clock.set(datetime!(2029-03-31 23:00 +09:00));
    assert!(retention::dry_run(wf).await.unwrap().is_empty());

    // 1 April 2029: the dry run lists the session with what would go, and changes nothing.
    app.clock.set(datetime!(2029-04-01 09:00 +09:00));
    let planned = retention::dry_run(wf).await.unwrap();
    assert_eq!(planned.len(), 1, "{planned:?}");
    assert_eq!(planned[0].session.session_id, session);
    assert_eq!(planned[0].rows["enrolments"] as usize, enrolments.len());
    assert_eq!(
        planned[0].rows["attendance_events"] as usize,
        attendance.len()
    );
    assert_eq!(planned[0].rows["identity_checks"] as usize, checks.len());
    assert_eq!(
        planned[0].rows["completion_decisions"] as usize,
        decisions.len() - credentials.len(),
        "the decisions a certificate rests on are kept"
    );
    assert_eq!(
        app.store.enrolments_of_session(&session).await.unwrap(),
        enrolments
    );

    // The job, through a fault at every write step: all of the session's purge or none of it.
    let job = crate::workflow::pending(
        &app.store
            .pending_jobs()
            .await
            .unwrap()
            .into_iter()
            .filter(|j| j.run_at <= app.clock_now())
            .collect::<Vec<_>>(),
        RETENTION_PURGE,
    );
    let snapshot = || async {
        format!(
            "{} {} {} {:?}",
            app.store
                .enrolments_of_session(&session)
                .await
                .unwrap()
                .len(),
            app.store.attendance_events(&session).await.unwrap().len(),
            app.store.completions(&session).await.unwrap().len(),
            app.store.retention_purges().await.unwrap(),
        )
    };
    let steps =
        crate::workflow::run_through_faults(&app, &job, retention::run_purge, snapshot).await;
    assert!(steps >= 2, "the purge, the job's completion: {steps} steps");

    // Gone: the learners' records of the session.
    assert!(
        app.store
            .enrolments_of_session(&session)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.store
            .attendance_events(&session)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.store
            .identity_checks(&session)
            .await
            .unwrap()
            .is_empty()
    );
    let counts = app.store.personal_data_counts(&session).await.unwrap();
    assert!(counts.values().all(|n| *n == 0), "{counts:?}");
    let purges = app.store.retention_purges().await.unwrap();
    assert_eq!(purges.len(), 1);
    assert_eq!(purges[0].removed["enrolments"] as usize, enrolments.len());

    // Kept: the submitted report, the survey's tallies, the certificate and its decision.
    assert_eq!(
        app.store.report_versions(&programme, march).await.unwrap(),
        submitted
    );
    assert_eq!(
        app.store.session_survey(&session).await.unwrap().responses,
        survey.responses
    );
    assert_eq!(
        app.store.credentials_of_session(&session).await.unwrap(),
        credentials
    );
    assert_eq!(
        app.store.completions(&session).await.unwrap().len(),
        credentials.len()
    );
    // 2026年度's sessions are kept until 1 April 2030.
    for d in &later {
        let n = app.store.personal_data_counts(&d.session_id).await.unwrap();
        assert_eq!(
            n["enrolments"] as usize,
            app.store
                .enrolments_of_session(&d.session_id)
                .await
                .unwrap()
                .len()
        );
    }
    assert!(
        retention::schedule(wf)
            .await
            .unwrap()
            .iter()
            .any(|s| s.fiscal_year.year() == 2026 && s.purged.is_none())
    );

    // A second run purges nothing; the audit log has the purge and verifies.
    assert!(retention::purge_due(wf, "cli").await.unwrap().is_empty());
    let audited = app
        .store
        .recent_audit_entries(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| {
            e.event.action == "retention.purge" && e.event.subject == format!("session:{session}")
        })
        .count();
    assert_eq!(audited, 1);
    crate::workflow::audit_intact(&app).await;

    // The report's page says what happened, and a new version cannot be made from what is left.
    let staff = sign_up(&app, "保存 担当", "retention@sample.example.jp").await;
    write_unit!(app, unit => unit.grant_membership(&org.id, &staff, koshu_domain::access::OrgRole::Editor, "cli", START).await)
        .unwrap();
    let mut b = signed_in(&app, &staff).await;
    let path = format!("/organisations/{}/reports/{programme}/2026-03", org.id);
    let page = b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("2029年4月1日") && page.body.contains("保存期間"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("訂正版（第"), "{}", page.body);
    let refused = b.post(&path, &[("remarks", ""), ("after", "1")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("report.purged"), "{}", refused.body);
    // Run as the scheduler runs it (claimed, then completed with nothing left to purge).
    koshu_workflow::jobs::run_due(wf, &koshu_workflow::jobs::registry(), "test")
        .await
        .unwrap();
    assert!(app.store.retention_purges().await.unwrap().len() == 1);
    let due_purges = app
        .store
        .pending_jobs()
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == RETENTION_PURGE && j.run_at <= app.clock_now())
        .count();
    assert_eq!(due_purges, 0, "the purge job is done");
    assert!(
        retention::dry_run(wf).await.unwrap().is_empty(),
        "nothing is left to purge"
    );
}

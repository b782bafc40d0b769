//! One use case, one unit of work (issue 11; C01, C05, C06, C07): a failure at any write step
//! of designate, revoke, apply-change, abolish or expire leaves the data untouched and the
//! audit log intact, and trying again completes it; concurrent designations get consecutive
//! numbers; a decision on an outdated page is a 409.

use crate::accounts::{Browser, register_organisation, sign_up, signed_in};
use crate::app::TestApp;
use crate::applications::complete_for;
use crate::designation::a_reviewer;
use axum::http::StatusCode;
use koshu_domain::designation::lifecycle::{Event, Move, Status};
use koshu_store::audit::AuditVerdict;
use koshu_store::jobs::Job;
use koshu_workflow::designation as d;
use koshu_workflow::jobs::JobOutcome;
use time::macros::{date, datetime};

const CORPORATE_NUMBER: &str = "5010001008846";

/// A new application of organisation `org`, submitted and under review.
async fn add_under_review(app: &TestApp, org: &str, name: &str) -> String {
    let organisation = app.store.organisation(org).await.unwrap().unwrap();
    let id = uuid::Uuid::now_v7().to_string();
    let draft = complete_for(CORPORATE_NUMBER, name);
    let mut checked = draft.clone();
    checked.provider.organisation = Some(organisation.organisation);
    let now = app.clock_now();
    let submit = Move::of(Status::Draft, &Event::Submit).unwrap();
    let start = Move::of(Status::Submitted, &Event::StartReview).unwrap();
    write_unit!(app, unit => async {
        unit.create_application(&id, org, &draft, "test", now).await?;
        unit.submit_application(&id, &checked, submit, "test", now).await?;
        unit.move_application(&id, start, "test", now).await
    }
    .await)
    .unwrap();
    id
}

/// A provider with `n` applications under review, and a reviewer (account id).
async fn under_review(app: &TestApp, n: usize) -> (Vec<String>, String) {
    let owner = sign_up(app, "申請 花子", "owner@provider.example.jp").await;
    let org = register_organisation(&mut signed_in(app, &owner).await, CORPORATE_NUMBER).await;
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(add_under_review(app, &org, &format!("実践演習 第{}期", i + 1)).await);
    }
    let reviewer = a_reviewer(app).await;
    (ids, reviewer)
}

/// Everything a designation use case writes, as one comparable text.
async fn snapshot(app: &TestApp, id: &str) -> String {
    let s = &app.store;
    let record = s.application(id).await.unwrap().unwrap();
    let programme = s
        .catalogue_record(&format!("tokko-{id}"))
        .await
        .unwrap()
        .map(|r| (r.item.programme.title_ja, r.item.programme.designation));
    let jobs: Vec<_> = s
        .pending_jobs()
        .await
        .unwrap()
        .into_iter()
        .map(|j| (j.kind, j.run_at, j.payload))
        .collect();
    let notices: Vec<_> = s
        .notices_of(id)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.kind, n.applied_at))
        .collect();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{programme:?}\n{jobs:?}\n{notices:?}\noutbox {}\naudit {}",
        record.status,
        record.draft.course.name,
        s.designation_of(id).await.unwrap(),
        s.decisions(id).await.unwrap(),
        s.outbox_count().await.unwrap(),
        s.audit_head().await.unwrap(),
    )
}

pub async fn audit_intact(app: &TestApp) {
    assert!(matches!(
        app.store.verify_audit_log().await.unwrap(),
        AuditVerdict::Intact { .. }
    ));
}

/// Posts `fields` to `path` with the n-th write step failing, for n = 1, 2, … until the post
/// succeeds: each failure must leave `id`'s data as it was. Returns how many steps failed.
async fn post_through_every_fault(
    app: &TestApp,
    b: &mut Browser<'_>,
    id: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> u64 {
    post_through_faults(app, b, path, fields, || snapshot(app, id)).await
}

/// As `post_through_every_fault`, with what must stay as it was given by `snapshot`.
pub async fn post_through_faults<F, Fut>(
    app: &TestApp,
    b: &mut Browser<'_>,
    path: &str,
    fields: &[(&str, &str)],
    snapshot: F,
) -> u64
where
    F: Fn() -> Fut,
    Fut: Future<Output = String>,
{
    let before = snapshot().await;
    for step in 1.. {
        app.store.faults().fail_at_step(step);
        let res = b.post(path, fields).await;
        app.store.faults().disarm();
        if res.status == StatusCode::SEE_OTHER {
            return step - 1;
        }
        assert_eq!(
            res.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            res.body
        );
        assert!(!res.body.contains("injected"), "the cause is not shown");
        assert_eq!(snapshot().await, before, "after a fault at step {step}");
        audit_intact(app).await;
    }
    unreachable!()
}

/// Runs the job's handler with the n-th write step failing, n = 1, 2, … until it succeeds;
/// each failure leaves the data as it was. Then a second run finds its work done.
async fn run_through_every_fault<F, Fut>(app: &TestApp, id: &str, job: &Job, handler: F) -> u64
where
    F: Fn(koshu_workflow::Workflow, Job) -> Fut,
    Fut: Future<Output = Result<JobOutcome, koshu_workflow::WorkflowError>>,
{
    run_through_faults(app, job, handler, || snapshot(app, id)).await
}

/// As `run_through_every_fault`, with what must stay as it was given by `snapshot`.
pub async fn run_through_faults<F, Fut, S, SFut>(
    app: &TestApp,
    job: &Job,
    handler: F,
    snapshot: S,
) -> u64
where
    F: Fn(koshu_workflow::Workflow, Job) -> Fut,
    Fut: Future<Output = Result<JobOutcome, koshu_workflow::WorkflowError>>,
    S: Fn() -> SFut,
    SFut: Future<Output = String>,
{
    let before = snapshot().await;
    let wf = &app.state.workflow;
    for step in 1.. {
        app.store.faults().fail_at_step(step);
        let ran = handler(wf.clone(), job.clone()).await;
        app.store.faults().disarm();
        match ran {
            Ok(outcome) => {
                assert_eq!(outcome, JobOutcome::Done);
                let after = snapshot().await;
                assert_ne!(after, before);
                assert!(
                    matches!(
                        handler(wf.clone(), job.clone()).await,
                        Ok(JobOutcome::AlreadyDone)
                    ),
                    "a retry after the work was committed says so"
                );
                assert_eq!(snapshot().await, after, "and changes nothing");
                audit_intact(app).await;
                return step - 1;
            }
            Err(error) => {
                let error = format!("{error:?}");
                assert!(error.contains("Injected"), "{error}");
                assert_eq!(snapshot().await, before, "after a fault at step {step}");
                audit_intact(app).await;
            }
        }
    }
    unreachable!()
}

pub fn pending(jobs: &[Job], kind: &str) -> Job {
    jobs.iter()
        .find(|j| j.kind == kind)
        .cloned()
        .unwrap_or_else(|| panic!("no pending {kind} job in {jobs:?}"))
}

pub async fn designation_and_revocation_are_all_or_nothing_at_every_step(app: TestApp) {
    let (ids, reviewer) = under_review(&app, 1).await;
    let id = &ids[0];
    let mut ministry = signed_in(&app, &reviewer).await;
    let workspace = format!("/ministry/reviews/{id}");
    let steps = post_through_every_fault(
        &app,
        &mut ministry,
        id,
        &format!("{workspace}/designate"),
        &[("designated_on", "2026-04-01"), ("confirmed", "yes")],
    )
    .await;
    // The decision with its designation and number, two jobs, the provider, the programme,
    // the commit: each of them was made to fail once.
    assert!(steps >= 6, "designate took {steps} steps");
    let designation = app.store.designation_of(id).await.unwrap().unwrap();
    assert_eq!(designation.number, "特講2026-001");
    let published = app.store.catalogue_record(&designation.programme_id).await;
    assert!(
        published
            .unwrap()
            .unwrap()
            .item
            .programme
            .designation
            .is_some()
    );
    // The renewal reminder and the expiry, and the monthly report's first reminder.
    assert_eq!(app.store.pending_jobs().await.unwrap().len(), 3);

    let steps = post_through_every_fault(
        &app,
        &mut ministry,
        id,
        &format!("{workspace}/revoke"),
        &[
            ("reason", "misconduct"),
            ("details", "報告の虚偽"),
            ("revoked_on", "2026-04-01"),
        ],
    )
    .await;
    assert!(steps >= 3, "revoke took {steps} steps");
    let record = app.store.application(id).await.unwrap().unwrap();
    assert_eq!(record.status, Status::Revoked);
    let listed = app.store.catalogue_record(&designation.programme_id).await;
    assert!(
        listed
            .unwrap()
            .unwrap()
            .item
            .programme
            .designation
            .is_none()
    );
    audit_intact(&app).await;
}

/// A designated course with a pending change of name, as its provider filed it.
async fn designated(app: &TestApp) -> (String, String) {
    let (ids, reviewer) = under_review(app, 1).await;
    let id = ids[0].clone();
    let mut ministry = signed_in(app, &reviewer).await;
    let res = ministry
        .post(
            &format!("/ministry/reviews/{id}/designate"),
            &[("designated_on", "2026-04-01"), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    (id, reviewer)
}

pub async fn notice_and_expiry_jobs_are_all_or_nothing_and_finish_on_retry(app: TestApp) {
    let wf = &app.state.workflow;
    // A change of name, applied on its date.
    let (id, _) = designated(&app).await;
    let mut draft = app.store.application(&id).await.unwrap().unwrap().draft;
    draft.course.name = "実践演習（改称）".into();
    write_unit!(app, unit => unit.save_draft(&id, &draft, "test", app.clock_now()).await).unwrap();
    d::file_change(wf, &id, date!(2026 - 07 - 01), "社名の変更", "test")
        .await
        .unwrap();
    let job = pending(&app.store.pending_jobs().await.unwrap(), d::APPLY_CHANGE);
    app.clock.set(datetime!(2026-07-01 00:05 +09:00));
    let steps = run_through_every_fault(&app, &id, &job, d::apply_change).await;
    assert!(steps >= 4, "apply-change took {steps} steps");
    let renamed = app
        .store
        .catalogue_record(&format!("tokko-{id}"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(renamed.item.programme.title_ja, "実践演習（改称）");

    // Abolition on its date: the designation ends and the course leaves the catalogue.
    d::file_abolition(
        wf,
        &id,
        date!(2026 - 09 - 01),
        "振替受講を案内します。",
        "事業の見直し",
        "test",
    )
    .await
    .unwrap();
    let job = pending(&app.store.pending_jobs().await.unwrap(), d::ABOLISH);
    app.clock.set(datetime!(2026-09-01 00:05 +09:00));
    let steps = run_through_every_fault(&app, &id, &job, d::abolish).await;
    assert!(steps >= 4, "abolish took {steps} steps");
    let record = app.store.application(&id).await.unwrap().unwrap();
    assert_eq!(record.status, Status::Abolished);
    assert!(
        app.store
            .catalogue_record(&format!("tokko-{id}"))
            .await
            .unwrap()
            .is_none()
    );
    // The runner, which has not run it yet, finds the work done and completes the job.
    let ran = koshu_workflow::jobs::run_due(wf, &koshu_workflow::jobs::registry(), "w").await;
    assert!(ran.unwrap() >= 1);
    assert!(
        app.store
            .pending_jobs()
            .await
            .unwrap()
            .iter()
            .all(|j| j.kind != d::ABOLISH)
    );
}

pub async fn expiry_is_all_or_nothing_and_finishes_on_retry(app: TestApp) {
    let (id, _) = designated(&app).await;
    let job = pending(&app.store.pending_jobs().await.unwrap(), d::EXPIRE);
    app.clock.set(datetime!(2029-04-01 00:05 +09:00));
    let steps = run_through_every_fault(&app, &id, &job, d::expire).await;
    assert!(steps >= 3, "expire took {steps} steps");
    let record = app.store.application(&id).await.unwrap().unwrap();
    assert_eq!(record.status, Status::Expired);
    let listed = app
        .store
        .catalogue_record(&format!("tokko-{id}"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        listed.item.programme.designation.is_none(),
        "the label is off"
    );
}

pub async fn designations_at_once_get_consecutive_numbers_per_fiscal_year(app: TestApp) {
    let (ids, reviewer) = under_review(&app, 9).await;
    let (this_year, next_year) = ids.split_at(8);
    let mut browsers = Vec::new();
    for _ in this_year {
        let mut b = signed_in(&app, &reviewer).await;
        b.get("/").await;
        browsers.push(b);
    }
    let posts = browsers
        .iter_mut()
        .zip(this_year)
        .map(|(b, id)| async move {
            b.post(
                &format!("/ministry/reviews/{id}/designate"),
                &[("designated_on", "2026-04-01"), ("confirmed", "yes")],
            )
            .await
        });
    for res in futures::future::join_all(posts).await {
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let mut numbers = Vec::new();
    for id in this_year {
        numbers.push(app.store.designation_of(id).await.unwrap().unwrap().number);
    }
    numbers.sort();
    let expected: Vec<String> = (1..=8).map(|n| format!("特講2026-{n:03}")).collect();
    assert_eq!(numbers, expected);
    // The next fiscal year starts again at 001.
    let mut b = signed_in(&app, &reviewer).await;
    let res = b
        .post(
            &format!("/ministry/reviews/{}/designate", next_year[0]),
            &[("designated_on", "2027-04-01"), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let number = app
        .store
        .designation_of(&next_year[0])
        .await
        .unwrap()
        .unwrap()
        .number;
    assert_eq!(number, "特講2027-001");
    audit_intact(&app).await;
}

pub async fn a_decision_on_an_outdated_page_is_a_409(app: TestApp) {
    let (ids, reviewer) = under_review(&app, 1).await;
    let id = &ids[0];
    let workspace = format!("/ministry/reviews/{id}");
    let mut first = signed_in(&app, &reviewer).await;
    let mut second = signed_in(&app, &reviewer).await;
    let page = second.get(&workspace).await;
    assert!(
        page.body
            .contains(r#"name="seen_status" value="under_review""#)
    );
    // Another reviewer asks for a revision while the page stays open.
    let revise = first
        .post(
            &format!("{workspace}/revision"),
            &[
                ("reasons", "B02 を補ってください。"),
                ("seen_status", "under_review"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(revise.status, StatusCode::SEE_OTHER, "{}", revise.body);
    let stale = second
        .post(
            &format!("{workspace}/designate"),
            &[
                ("designated_on", "2026-04-01"),
                ("seen_status", "under_review"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(
        stale.body.contains("他の操作で変わりました"),
        "{}",
        stale.body
    );
    assert!(
        stale.body.contains(&format!(r#"href="{workspace}""#)),
        "offers the up-to-date page: {}",
        stale.body
    );
    assert!(app.store.designation_of(id).await.unwrap().is_none());
    let record = app.store.application(id).await.unwrap().unwrap();
    assert_eq!(record.status, Status::RevisionRequested);

    // Two decisions at the same moment: one wins, the other is told, never a 5xx.
    let org = app.store.organisations().await.unwrap().remove(0).id;
    let id = &add_under_review(&app, &org, "実践演習 追加").await;
    let mut a = signed_in(&app, &reviewer).await;
    let mut b = signed_in(&app, &reviewer).await;
    a.get("/").await;
    b.get("/").await;
    let path = format!("/ministry/reviews/{id}/designate");
    let fields = [
        ("designated_on", "2026-04-01"),
        ("seen_status", "under_review"),
        ("confirmed", "yes"),
    ];
    let (ra, rb) = futures::join!(a.post(&path, &fields), b.post(&path, &fields));
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(
        statuses[0],
        StatusCode::SEE_OTHER,
        "{} / {}",
        ra.body,
        rb.body
    );
    assert!(
        matches!(statuses[1], StatusCode::CONFLICT | StatusCode::BAD_REQUEST),
        "{statuses:?}"
    );
}

/// The provider of `under_review`'s applications, signed in.
async fn the_provider(app: &TestApp) -> Browser<'_> {
    let email = koshu_domain::access::Email::parse("owner@provider.example.jp").unwrap();
    let owner = app.store.account_by_email(&email).await.unwrap().unwrap();
    signed_in(app, &owner.id).await
}

/// The use cases this session's mails and moves made longer (issue 11): a revision request
/// with its mail, a resubmission that resumes the review and mails both sides, and a change
/// notice with its job and mails: a failure at any step leaves everything as it was.
pub async fn revision_resubmission_and_notice_are_all_or_nothing_at_every_step(app: TestApp) {
    let (ids, reviewer) = under_review(&app, 1).await;
    let id = &ids[0];
    let mut ministry = signed_in(&app, &reviewer).await;
    ministry
        .post(
            &format!("/ministry/reviews/{id}/assign"),
            &[("account_id", &reviewer), ("role", "reviewer")],
        )
        .await;
    let steps = post_through_every_fault(
        &app,
        &mut ministry,
        id,
        &format!("/ministry/reviews/{id}/revision"),
        &[("reasons", "B02 を補ってください。"), ("confirmed", "yes")],
    )
    .await;
    assert!(steps >= 2, "the decision and its mail: {steps} steps");

    let mut provider = the_provider(&app).await;
    let draft = app.store.application(id).await.unwrap().unwrap().draft;
    crate::applications::attach_required_documents(&mut provider, id, &draft).await;
    let steps = post_through_every_fault(
        &app,
        &mut provider,
        id,
        &format!("/applications/{id}/submit"),
        &[],
    )
    .await;
    assert!(
        steps >= 4,
        "version, resumed review, two mails: {steps} steps"
    );
    let record = app.store.application(id).await.unwrap().unwrap();
    assert_eq!(record.status, Status::UnderReview, "the review resumed");

    let res = ministry
        .post(
            &format!("/ministry/reviews/{id}/designate"),
            &[("designated_on", "2026-04-01"), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let mut renamed = app.store.application(id).await.unwrap().unwrap().draft;
    renamed.course.name = "実践演習（改称）".into();
    write_unit!(app, unit => unit.save_draft(id, &renamed, "test", app.clock_now()).await).unwrap();
    let steps = post_through_every_fault(
        &app,
        &mut provider,
        id,
        &format!("/applications/{id}/changes"),
        &[("effective_on", "2026-07-01"), ("reason", "名称の変更")],
    )
    .await;
    assert!(steps >= 4, "notice, job, two mails: {steps} steps");
    assert_eq!(app.store.notices_of(id).await.unwrap().len(), 1);
    audit_intact(&app).await;
}

/// Resending an invitation withdraws the old link, records the new one and queues its mail:
/// a failure at any step leaves the old invitation working and nothing else written.
pub async fn resending_an_invitation_is_all_or_nothing_at_every_step(app: TestApp) {
    let owner = sign_up(&app, "招待 花子", "owner@invite.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, CORPORATE_NUMBER).await;
    let sent = b
        .post(
            &format!("/organisations/{org}/staff"),
            &[("email", "new@invite.example.jp"), ("role", "editor")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    let pending = |app: &TestApp| {
        let (store, org, now) = (app.store.clone(), org.clone(), app.clock_now());
        async move { store.pending_invitations(&org, now).await.unwrap() }
    };
    let old = pending(&app).await.remove(0);
    let state = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            (
                store.outbox_count().await.unwrap(),
                store.audit_head().await.unwrap(),
            )
        }
    };
    let before = (pending(&app).await, state(&app).await);
    let resend = format!("/organisations/{org}/invitations/{}/resend", old.id);
    for step in 1.. {
        app.store.faults().fail_at_step(step);
        let res = b.post(&resend, &[]).await;
        app.store.faults().disarm();
        if res.status == StatusCode::SEE_OTHER {
            assert!(step > 3, "withdraw, link, audit, mail: {step} steps");
            break;
        }
        assert_eq!(
            res.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            res.body
        );
        assert_eq!(
            (pending(&app).await, state(&app).await),
            before,
            "after a fault at step {step}"
        );
        audit_intact(&app).await;
    }
    let now = pending(&app).await;
    assert_eq!(now.len(), 1);
    assert_ne!(now[0].id, old.id, "a new link replaced the old one");
}

/// Issue 11: a password reset from its mail link uses the link up, sets the password, ends
/// every session and counts the address verified in one unit: a failure at any step leaves
/// the old password, the sessions and a link that still works (before, the link was used up
/// first, in a transaction of its own, so a later failure left the person with neither).
pub async fn a_password_reset_is_all_or_nothing_at_every_step(app: TestApp) {
    let id = sign_up(&app, "再設定 五郎", "goro@example.jp").await;
    let mut elsewhere = signed_in(&app, &id).await;
    let mut b = Browser::new(&app);
    b.post("/password/forgot", &[("email", "goro@example.jp")])
        .await;
    let token = crate::accounts::token_from_mail(&app, "goro@example.jp", "/password/reset").await;
    let before = app.store.account(&id).await.unwrap().unwrap().password_hash;
    let reset = format!("/password/reset?token={token}");
    for step in 1.. {
        app.store.faults().fail_at_step(step);
        let res = b
            .post(&reset, &[("password", "a brand new pass phrase")])
            .await;
        app.store.faults().disarm();
        if res.status == StatusCode::OK {
            assert!(
                step > 3,
                "link, password, verification, commit: {step} steps"
            );
            break;
        }
        assert_eq!(
            res.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            res.body
        );
        assert_eq!(
            app.store.account(&id).await.unwrap().unwrap().password_hash,
            before,
            "after a fault at step {step}"
        );
        assert_eq!(
            elsewhere.get("/account").await.status,
            StatusCode::OK,
            "still signed in after a fault at step {step}"
        );
        let form = b.get(&reset).await;
        assert!(
            form.body.contains("name=\"password\""),
            "the link still works after step {step}"
        );
        audit_intact(&app).await;
    }
    assert_ne!(
        app.store.account(&id).await.unwrap().unwrap().password_hash,
        before
    );
    assert_eq!(
        elsewhere.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "signed out everywhere"
    );
    let used = b
        .post(&reset, &[("password", "yet another pass phrase")])
        .await;
    assert_eq!(used.status, StatusCode::BAD_REQUEST, "the link works once");
}

/// Issue 11: a sign-up writes the account, its verification link and the mail that carries
/// it in one unit: a failure at any step leaves no account, no link and no mail, so signing up
/// again works (before, a failure after the account was written left it without a link, and a
/// second try was told the address was taken).
pub async fn a_sign_up_is_all_or_nothing_at_every_step(app: TestApp) {
    let mut b = Browser::new(&app);
    let form = [
        ("display_name", "登録 六郎"),
        ("email", "rokuro@example.jp"),
        ("password", "a long pass phrase for the story"),
    ];
    let email = koshu_domain::access::Email::parse("rokuro@example.jp").unwrap();
    let before = (
        app.store.outbox_count().await.unwrap(),
        app.store.audit_head().await.unwrap(),
    );
    for step in 1.. {
        app.store.faults().fail_at_step(step);
        let res = b.post("/signup", &form).await;
        app.store.faults().disarm();
        if res.status == StatusCode::OK {
            assert!(step > 3, "account, link, mail, commit: {step} steps");
            break;
        }
        assert_eq!(
            res.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            res.body
        );
        assert!(
            app.store.account_by_email(&email).await.unwrap().is_none(),
            "no account after a fault at step {step}"
        );
        assert_eq!(
            (
                app.store.outbox_count().await.unwrap(),
                app.store.audit_head().await.unwrap()
            ),
            before,
            "no mail, nothing recorded after a fault at step {step}"
        );
        audit_intact(&app).await;
    }
    assert!(app.store.account_by_email(&email).await.unwrap().is_some());
    let link = crate::accounts::token_from_mail(&app, "rokuro@example.jp", "/verify-email").await;
    assert_eq!(link.len(), 64, "the verification mail carries its link");
}

/// Verifying an address uses up its link and marks the address verified; accepting an
/// invitation uses up its link and grants the membership: each all or nothing at every step
/// (before, a failure after the link was used left it spent and the work undone).
pub async fn verification_and_invitation_are_all_or_nothing_at_every_step(app: TestApp) {
    let mut b = Browser::new(&app);
    let signed = b
        .post(
            "/signup",
            &[
                ("display_name", "確認 七子"),
                ("email", "nanako@example.jp"),
                ("password", "a long pass phrase for the story"),
            ],
        )
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    let email = koshu_domain::access::Email::parse("nanako@example.jp").unwrap();
    let token = crate::accounts::token_from_mail(&app, "nanako@example.jp", "/verify-email").await;
    let verified = || async {
        let a = app.store.account_by_email(&email).await.unwrap().unwrap();
        format!(
            "{} {}",
            a.email_verified,
            app.store.audit_head().await.unwrap()
        )
    };
    let before = verified().await;
    for step in 1.. {
        app.store.faults().fail_at_step(step);
        let res = b.get(&format!("/verify-email?token={token}")).await;
        app.store.faults().disarm();
        if res.status == StatusCode::OK {
            assert!(step > 2, "link, address, commit: {step} steps");
            break;
        }
        assert_eq!(
            res.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            res.body
        );
        assert_eq!(verified().await, before, "after a fault at step {step}");
        audit_intact(&app).await;
    }
    assert!(
        app.store
            .account_by_email(&email)
            .await
            .unwrap()
            .unwrap()
            .email_verified
    );

    let owner = sign_up(&app, "招待 八郎", "owner@provider.example.jp").await;
    let mut o = signed_in(&app, &owner).await;
    let org = register_organisation(&mut o, CORPORATE_NUMBER).await;
    let invited = o
        .post(
            &format!("/organisations/{org}/staff"),
            &[("email", "nanako@example.jp"), ("role", "editor")],
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let token =
        crate::accounts::token_from_mail(&app, "nanako@example.jp", "/invitations/accept").await;
    let member = app
        .store
        .account_by_email(&email)
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut n = signed_in(&app, &member).await;
    let staff = || async {
        format!(
            "{:?} {}",
            app.store
                .staff_of(&org)
                .await
                .unwrap()
                .iter()
                .map(|m| m.role)
                .collect::<Vec<_>>(),
            app.store.audit_head().await.unwrap()
        )
    };
    let steps = post_through_faults(
        &app,
        &mut n,
        &format!("/invitations/accept?token={token}"),
        &[],
        staff,
    )
    .await;
    assert!(steps >= 2, "link, membership: {steps}");
    assert!(n.get(&format!("/organisations/{org}")).await.status == StatusCode::OK);
}

/// Issue 14 under issue 11's rule: publishing a listing writes the listing, the provider, the
/// programme and the freshness job; applying a spreadsheet writes every programme of it. A
/// failure at any step of either leaves the listing, the catalogue, the jobs and the audit log
/// as they were.
pub async fn publishing_and_uploading_are_all_or_nothing_at_every_step(app: TestApp) {
    let owner = sign_up(&app, "公開 七郎", "owner@publish.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, CORPORATE_NUMBER).await;
    let (programme, _) = crate::listings::a_draft_with_a_session(&app, &org, &owner).await;
    let snapshot = |app: &TestApp| {
        let (store, id) = (app.store.clone(), programme.clone());
        async move {
            let l = store.listing(&id).await.unwrap().unwrap();
            (
                l.state.code(),
                l.revision,
                store.programme(&id).await.unwrap().is_some(),
                store.pending_jobs().await.unwrap().len(),
                store.audit_head().await.unwrap(),
            )
        }
    };
    let before = snapshot(&app).await;
    let revision = before.1;
    let publish =
        format!("/organisations/{org}/programmes/{programme}/publish?revision={revision}");
    for step in 1.. {
        app.store.faults().fail_at_step(step);
        let res = b.post(&publish, &[]).await;
        app.store.faults().disarm();
        if res.status == StatusCode::SEE_OTHER {
            assert!(
                step > 4,
                "listing, provider, programme, job, commit: {step} steps"
            );
            break;
        }
        assert_eq!(
            res.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            res.body
        );
        assert_eq!(snapshot(&app).await, before, "after a fault at step {step}");
        audit_intact(&app).await;
    }
    let after = snapshot(&app).await;
    assert_eq!((after.0, after.2), ("published", true));

    // A CSV of two programmes, checked, then applied through faults: both or neither.
    let heads = koshu_forms::catalogue::headers(koshu_forms::catalogue::SHEET_PROGRAMMES);
    let row = |key: &str, title: &str| {
        heads
            .iter()
            .map(|h| {
                let v = [
                    ("管理番号", key),
                    ("講座名", title),
                    ("概要", "一括で登録する講座。"),
                    ("対象とする人材層", "practitioner"),
                    ("種別", "security_technology"),
                    ("難易度", "beginner"),
                    ("形式", "online"),
                    ("費用の種類", "free"),
                    ("公開する", "いいえ"),
                ]
                .iter()
                .find(|(k, _)| h.starts_with(k))
                .map_or("", |(_, v)| v);
                v.to_owned()
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let csv = format!(
        "{}\r\n{}\r\n{}\r\n",
        heads.join(","),
        row("U-1", "一括その1"),
        row("U-2", "一括その2")
    );
    let upload = format!("/organisations/{org}/programmes/upload");
    let checked = b
        .post_file(&upload, &[], ("file", "講座.csv", csv.as_bytes()))
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    let start =
        checked.body.find("name=\"file\" value=\"").unwrap() + "name=\"file\" value=\"".len();
    let kept = checked.body[start..start + 36].to_owned();
    let count = |app: &TestApp| {
        let (store, org) = (app.store.clone(), org.clone());
        async move {
            (
                store.listings_of(&org).await.unwrap().len(),
                store.audit_head().await.unwrap(),
            )
        }
    };
    let before = count(&app).await;
    for step in 1.. {
        app.store.faults().fail_at_step(step);
        let res = b.post(&format!("{upload}/apply"), &[("file", &kept)]).await;
        app.store.faults().disarm();
        if res.status == StatusCode::SEE_OTHER {
            assert!(step > 2, "two listings, commit: {step} steps");
            break;
        }
        assert_eq!(
            res.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            res.body
        );
        assert_eq!(count(&app).await, before, "after a fault at step {step}");
        audit_intact(&app).await;
    }
    assert_eq!(count(&app).await.0, before.0 + 2);
}

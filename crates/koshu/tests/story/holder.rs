//! The RISS holder's ledger (issue 18; F01–F03): a holder links their number, finishes a
//! 特定講習 on Koshu and finds it in the ledger verified by its credential, the practical
//! obligation met; adds IPA's online course with a certificate; reminder mails go at the right
//! dates and stop once the course is done; the calendar, the feed and the export; nobody else
//! sees any of it; removing the link removes what the holder added.

use crate::accounts::{Browser, location, sign_up, signed_in};
use crate::app::TestApp;
use crate::credentials::{confirm, ready_to_confirm};
use crate::workflow::{pending, post_through_faults, run_through_faults};
use axum::http::StatusCode;
use koshu_domain::catalogue::Designation;
use koshu_store::outbox::OutboxEntry;
use serde_json::Value;
use time::macros::{date, datetime};

/// The course of `session` becomes a 特定講習 for 2026年度〜2028年度, with a later session
/// that takes applications until 2026年11月1日.
pub(crate) async fn designate(app: &TestApp, session: &str) {
    let delivery = app.store.delivery(session).await.unwrap().unwrap();
    let mut item = app
        .store
        .programme(&delivery.programme_id)
        .await
        .unwrap()
        .unwrap();
    item.programme.designation = Some(Designation {
        number: "特講2026-007".into(),
        starts_on: date!(2026 - 04 - 01),
        ends_on: date!(2029 - 03 - 31),
    });
    let mut later = item.sessions[0].clone();
    later.id = koshu_domain::catalogue::Slug::parse(&format!("{}-11", later.id)).unwrap();
    later.starts_on = date!(2026 - 11 - 10);
    later.ends_on = date!(2026 - 11 - 10);
    later.application_deadline = Some(date!(2026 - 11 - 01));
    item.sessions.push(later);
    write_unit!(app, unit => unit.upsert_programme(&item, "test", app.clock_now()).await).unwrap();
    app.state.catalogue.catch_up().await.unwrap();
}

async fn run_jobs(app: &TestApp) -> usize {
    koshu_workflow::jobs::run_due(
        &app.state.workflow,
        &koshu_workflow::jobs::registry(),
        "test",
    )
    .await
    .unwrap()
}

async fn reminders_to(app: &TestApp, to: &str) -> Vec<OutboxEntry> {
    app.store
        .outbox(200, 0)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.to_address == to && m.subject.contains("講習の期限まであと"))
        .collect()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

pub async fn a_holder_links_completes_a_designated_course_and_is_reminded_until_done(app: TestApp) {
    let ready = ready_to_confirm(&app).await;
    designate(&app, &ready.session).await;
    let mut learner = ready.learner;
    let mut staff = ready.staff;

    // Before a link: what the ledger is for, and the learner profile's number offered.
    let empty = learner.get("/holder").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("登録情報を入力する"), "{}", empty.body);
    let form = learner.get("/holder/link").await;
    assert!(form.body.contains("value=\"012345\""), "{}", form.body);

    // Bad input names the field and the rule.
    let bad = learner
        .post(
            "/holder/link",
            &[
                ("riss_number", "012345"),
                ("registered_on", "2025-10-05"),
                ("renewed_on", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("登録日は4月1日か10月1日です"),
        "{}",
        bad.body
    );

    // F01: linked on 2026-06-10, registered 2025-10-01: the period ends 2028-09-30.
    let linked = learner
        .post(
            "/holder/link",
            &[
                ("riss_number", "012345"),
                ("registered_on", "2025-10-01"),
                ("renewed_on", ""),
            ],
        )
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);
    let page = learner.get("/holder").await;
    for text in [
        "2025年10月1日（令和7年10月1日）",
        "2028年9月30日（令和10年9月30日）",
        "2028年8月1日（令和10年8月1日）",
        "順調",
        "自己申告",
        "特講2026-007",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }

    // A course's identity check that matched the number confirms the link.
    let aoi = learner_id(&app).await;
    let matched = staff
        .post(
            &format!("{}/check-in", ready.base),
            &[
                ("account", aoi.as_str()),
                ("day", "2026-06-10"),
                ("method", "photo_id"),
                ("riss", "matches"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(matched.status, StatusCode::SEE_OTHER, "{}", matched.body);
    let page = learner.get("/holder").await;
    assert!(page.body.contains("講習で確認済み"), "{}", page.body);

    // The first reminder: year 1's online course is due 2026-09-30, 112 days away, so the
    // 180-day mail goes now, once.
    assert_eq!(run_jobs(&app).await, 1);
    let sent = reminders_to(&app, "aoi@example.jp").await;
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].subject.contains("あと180日（2026年9月30日）"),
        "{}",
        sent[0].subject
    );
    assert!(
        sent[0].body.contains("オンライン講習（1年目）"),
        "{}",
        sent[0].body
    );
    assert!(
        sent[0]
            .calendar
            .as_deref()
            .is_some_and(|c| c.contains("DTSTART;VALUE=DATE:20260930")),
        "the deadline in the mail's calendar"
    );
    assert_eq!(run_jobs(&app).await, 0, "nothing more today");

    // F03: the 特定講習 finished on Koshu appears, verified by its credential.
    let credential = confirm(&app, &mut staff, &ready.marks, &ready.session).await;
    let page = learner.get("/holder").await;
    assert!(
        page.body.contains("検証済み（Koshu の修了証）"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("/verify/{credential}")));
    let export = learner.get("/holder/export.json").await;
    assert_eq!(export.status, StatusCode::OK);
    let export = json(&export.body);
    let practical = export["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["obligation"] == "practical")
        .unwrap()
        .clone();
    assert_eq!(practical["state"], "met", "{export}");
    assert_eq!(practical["met_by"], format!("koshu:{credential}"));
    assert!(
        !page.body.contains("class=\"session-list\""),
        "no more suggestions once the practical is done"
    );

    // The 90-day reminder on 2026-07-02 names only what is left.
    app.clock.set(datetime!(2026-07-02 00:10 +09:00));
    assert_eq!(run_jobs(&app).await, 1);
    let sent = reminders_to(&app, "aoi@example.jp").await;
    assert_eq!(sent.len(), 2);
    let ninety = sent
        .iter()
        .find(|m| m.subject.contains("あと90日"))
        .unwrap();
    assert!(ninety.body.contains("オンライン講習（1年目）"));

    // IPA's online course, with its PDF certificate, self-reported.
    app.clock.set(datetime!(2026-07-05 10:00 +09:00));
    let mut learner = signed_in(&app, &learner_id(&app).await).await;
    let added = learner
        .post_file(
            "/holder/courses/new",
            &[
                ("kind", "ipa_online"),
                ("title", "2026年度 オンライン講習"),
                ("provider", "IPA"),
                ("completed_on", "2026-07-05"),
            ],
            ("file", "修了証.pdf", b"%PDF-1.7 certificate"),
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = learner.get("/holder").await;
    assert!(page.body.contains("2026年度 オンライン講習"));
    assert!(page.body.contains("順調"), "{}", page.body);
    let course_id = learner_courses(&app).await[0].id.clone();
    let (status, pdf) = learner
        .get_bytes(&format!("/holder/courses/{course_id}/evidence"))
        .await;
    assert_eq!(
        (status, pdf.as_slice()),
        (StatusCode::OK, &b"%PDF-1.7 certificate"[..])
    );

    // Met: the 30-day reminder for 2026-09-30 never goes; the next is year 2's, 180 days
    // before 2027-09-30.
    app.clock.set(datetime!(2026-08-31 00:10 +09:00));
    assert_eq!(run_jobs(&app).await, 0);
    assert_eq!(reminders_to(&app, "aoi@example.jp").await.len(), 2);
    app.clock.set(datetime!(2027-04-03 00:10 +09:00));
    // The listing's freshness reminder falls due too (a year without change).
    assert!(run_jobs(&app).await >= 1);
    let sent = reminders_to(&app, "aoi@example.jp").await;
    assert_eq!(sent.len(), 3);
    assert!(
        sent.iter()
            .any(|m| m.subject.contains("あと180日（2027年9月30日）"))
    );

    // The calendar: a download, and a secret feed for calendar apps.
    let mut learner = signed_in(&app, &learner_id(&app).await).await;
    let (status, ics) = learner.get_bytes("/holder/deadlines.ics").await;
    assert_eq!(status, StatusCode::OK);
    let ics = String::from_utf8(ics).unwrap();
    assert!(ics.contains("DTSTART;VALUE=DATE:20270930"), "{ics}");
    assert!(
        !ics.contains("DTSTART;VALUE=DATE:20260930"),
        "met: not a deadline any more"
    );
    assert!(
        ics.contains("DTSTART;VALUE=DATE:20280801"),
        "the renewal application deadline"
    );
    let made = learner.post("/holder/calendar", &[]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let token = location(&made)
        .split("feed=")
        .nth(1)
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_owned();
    let shown = learner.get(&format!("/holder?feed={token}")).await;
    assert!(
        shown
            .body
            .contains(&format!("/holder/calendar/{token}.ics"))
    );
    let feed = Browser::new(&app)
        .get(&format!("/holder/calendar/{token}.ics"))
        .await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.body.contains("BEGIN:VCALENDAR"));
    let wrong = Browser::new(&app)
        .get(&format!("/holder/calendar/{}.ics", "0".repeat(48)))
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);

    // Nobody else sees the holder's data.
    let other = sign_up(&app, "赤井", "akai@example.jp").await;
    let mut other = signed_in(&app, &other).await;
    let theirs = other.get("/holder").await;
    assert!(!theirs.body.contains("012345"));
    let (status, _) = other
        .get_bytes(&format!("/holder/courses/{course_id}/evidence"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let removed = other
        .post(&format!("/holder/courses/{course_id}/remove"), &[])
        .await;
    assert_eq!(removed.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.get("/holder/export.json").await.status,
        StatusCode::NOT_FOUND
    );

    // The CSV opens in Excel: a byte-order mark and both kinds of row.
    let (status, csv) = learner.get_bytes("/holder/export.csv").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(
        csv.contains("course:specific") && csv.contains("course:ipa_online"),
        "{csv}"
    );

    // Removing the link needs the box ticked, then removes what the holder added and its file.
    let refused = learner.post("/holder/unlink", &[]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("チェックを入れてください"));
    let gone = learner.post("/holder/unlink", &[("confirm", "yes")]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert!(
        app.store
            .holder_link(&learner_id(&app).await)
            .await
            .unwrap()
            .is_none()
    );
    assert!(learner_courses(&app).await.is_empty());
    let page = learner.get("/holder").await;
    assert!(page.body.contains("登録情報を入力する"));
    assert_eq!(
        app.store
            .credentials_of_session(&ready.session)
            .await
            .unwrap()
            .len(),
        1,
        "the provider's certificate stays"
    );
}

async fn learner_id(app: &TestApp) -> String {
    let email = koshu_domain::access::Email::parse("aoi@example.jp").unwrap();
    app.store
        .account_by_email(&email)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn learner_courses(app: &TestApp) -> Vec<koshu_store::holders::HolderCourse> {
    app.store
        .holder_courses(&learner_id(app).await)
        .await
        .unwrap()
}

pub async fn a_pasted_credential_is_verified_only_when_it_names_the_holder(app: TestApp) {
    let ready = ready_to_confirm(&app).await;
    let mut staff = ready.staff;
    let credential = confirm(&app, &mut staff, &ready.marks, &ready.session).await;
    let document = app
        .store
        .credential(&credential)
        .await
        .unwrap()
        .unwrap()
        .document;

    // The learner's own Koshu credential is in their ledger already.
    let mut learner = ready.learner;
    learner
        .post(
            "/holder/link",
            &[
                ("riss_number", "012345"),
                ("registered_on", "2025-10-01"),
                ("renewed_on", ""),
            ],
        )
        .await;
    let again = learner
        .post_file(
            "/holder/courses/new",
            &[("kind", "other"), ("credential", &document)],
            ("file", "", b""),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.body.contains("台帳に自動で載っています"),
        "{}",
        again.body
    );

    // Someone else pasting it: it verifies but names another address, so it is only their word
    // and needs the fields; with them, it is kept as self-reported with the reason.
    let other = sign_up(&app, "赤井", "akai@example.jp").await;
    let mut other = signed_in(&app, &other).await;
    other
        .post(
            "/holder/link",
            &[
                ("riss_number", "054321"),
                ("registered_on", "2024-04-01"),
                ("renewed_on", ""),
            ],
        )
        .await;
    let missing = other
        .post_file(
            "/holder/courses/new",
            &[("kind", "specific"), ("credential", &document)],
            ("file", "", b""),
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing.body.contains("講習名を入力してください"),
        "{}",
        missing.body
    );
    let kept = other
        .post_file(
            "/holder/courses/new",
            &[
                ("kind", "specific"),
                ("title", "演習"),
                ("provider", "実施会社"),
                ("completed_on", "2026-06-10"),
                ("credential", &document),
            ],
            ("file", "", b""),
        )
        .await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.body);
    let email = koshu_domain::access::Email::parse("akai@example.jp").unwrap();
    let akai = app
        .store
        .account_by_email(&email)
        .await
        .unwrap()
        .unwrap()
        .id;
    let courses = app.store.holder_courses(&akai).await.unwrap();
    assert_eq!(
        courses[0].standing,
        koshu_domain::holder::Standing::SelfReported
    );
    assert_eq!(courses[0].verdict.as_deref(), Some("not_this_holder"));

    // A file that is neither a certificate nor a credential is refused, naming the field.
    let text = other
        .post_file(
            "/holder/courses/new",
            &[
                ("kind", "ipa_online"),
                ("title", "オンライン講習"),
                ("provider", "IPA"),
                ("completed_on", "2026-06-01"),
            ],
            ("file", "notes.txt", b"not a certificate"),
        )
        .await;
    assert_eq!(text.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text.body.contains("PDF か画像"), "{}", text.body);
}

async fn link_state(app: &TestApp, account: &str) -> String {
    let link = app.store.holder_link(account).await.unwrap();
    let jobs: Vec<(String, String)> = app
        .store
        .pending_jobs()
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == koshu_workflow::holders::REMINDERS)
        .map(|j| (j.run_at.to_string(), j.payload))
        .collect();
    format!("{link:?} {jobs:?}")
}

async fn reminder_state(app: &TestApp, account: &str, to: &str) -> String {
    let sent = app.store.holder_reminders_sent(account).await.unwrap();
    let mails = reminders_to(app, to).await.len();
    format!("{sent:?} {mails}")
}

pub async fn linking_and_reminding_are_all_or_nothing_at_every_step(app: TestApp) {
    app.clock.set(datetime!(2026-06-10 09:00 +09:00));
    let aoi = sign_up(&app, "青井", "aoi@example.jp").await;
    let mut b = signed_in(&app, &aoi).await;
    // The link and its reminder job are one unit.
    let steps = post_through_faults(
        &app,
        &mut b,
        "/holder/link",
        &[
            ("riss_number", "012345"),
            ("registered_on", "2025-10-01"),
            ("renewed_on", ""),
        ],
        || link_state(&app, &aoi),
    )
    .await;
    assert!(steps >= 2, "the link and the job: {steps} steps");
    // The 180-day reminder: its record, its mail and the job's next day are one unit.
    let job = pending(
        &app.store.pending_jobs().await.unwrap(),
        koshu_workflow::holders::REMINDERS,
    );
    let steps = run_through_faults(&app, &job, koshu_workflow::holders::send_reminders, || {
        reminder_state(&app, &aoi, "aoi@example.jp")
    })
    .await;
    assert!(
        steps >= 3,
        "record, mail, completion and next day: {steps} steps"
    );
    assert_eq!(reminders_to(&app, "aoi@example.jp").await.len(), 1);
}

/// Issue 18 item 7 (privacy): a provider sees a learner's RISS number only for its own
/// enrolments. The course's staff find it on the roster and its CSV; another provider's
/// staff, trying the session's learner pages under their own organisation or under the
/// course's, get nothing that carries it.
pub async fn a_provider_sees_a_riss_number_only_for_its_own_enrolments(app: TestApp) {
    let (org, owner, session) = crate::delivery::a_delivered_session(&app, "10").await;
    let aoi = sign_up(&app, "青井", "aoi@example.jp").await;
    let mut learner = signed_in(&app, &aoi).await;
    crate::delivery::apply(
        &mut learner,
        &session,
        &crate::delivery::profile("青井 葵", "アオイ アオイ", "012345"),
    )
    .await;
    let base = format!("/organisations/{org}/sessions/{session}");
    let mut staff = signed_in(&app, &owner).await;
    for page in ["roster", "roster.csv"] {
        let res = staff.get(&format!("{base}/{page}")).await;
        assert_eq!(res.status, StatusCode::OK, "{page}: {}", res.body);
        assert!(res.body.contains("012345"), "{page}: {}", res.body);
    }

    // The learner also links the number in their ledger, so a leak there would show.
    app.clock.set(datetime!(2026-06-10 09:00 +09:00));
    let linked = signed_in(&app, &aoi)
        .await
        .post(
            "/holder/link",
            &[
                ("riss_number", "012345"),
                ("registered_on", "2025-10-01"),
                ("renewed_on", ""),
            ],
        )
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.body);

    let other = sign_up(&app, "他社 太郎", "owner@other.example.jp").await;
    let mut them = signed_in(&app, &other).await;
    let other_org = crate::accounts::register_organisation(&mut them, "4000012090001").await;
    for page in [
        "roster",
        "roster.csv",
        "roster.xlsx",
        "completion",
        "completion.csv",
        "progress.csv",
    ] {
        let theirs = them
            .get(&format!(
                "/organisations/{other_org}/sessions/{session}/{page}"
            ))
            .await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{page}");
        assert!(!theirs.body.contains("012345"), "{page}: {}", theirs.body);
        let not_member = them.get(&format!("{base}/{page}")).await;
        assert_eq!(not_member.status, StatusCode::FORBIDDEN, "{page}");
        assert!(
            !not_member.body.contains("012345"),
            "{page}: {}",
            not_member.body
        );
    }
    // Nor does the learner's ledger reach them: they have none of their own to export.
    let ledger = them.get("/holder/export.json").await;
    assert_eq!(ledger.status, StatusCode::NOT_FOUND);
    assert!(!ledger.body.contains("012345"), "{}", ledger.body);
}

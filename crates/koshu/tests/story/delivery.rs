//! Delivery (issue 15; D01-D03, B19, B30, B32): a provider sets a published session up, members
//! of the public apply, fill it and wait; a cancellation promotes the next in line by mail;
//! staff check identities and RISS numbers; learners check in with the venue's rotating code
//! (an old one is refused); a remote learner's heartbeats show the minutes they left; the day
//! is sealed and the seal proves the records unchanged, until someone changes them.

use crate::accounts::{Browser, location, register_organisation, sign_up, signed_in};
use crate::app::{START, TestApp};
use crate::designation::CORPORATE_NUMBER;
use crate::listings::a_draft_with_a_session;
use axum::http::StatusCode;
use koshu_store::outbox::OutboxEntry;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// Two blocks on 10 June 2026, at a venue and online (hybrid).
pub const TIMETABLE: &str =
    "2026-06-10 10:00-12:00 インシデント対応の基礎\n2026-06-10 13:00-15:00 演習";

pub fn plan_form<'a>(capacity: &'a str, revision: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("timetable", TIMETABLE),
        ("venue", "霞が関研修室（東京都千代田区）"),
        ("online_room", "https://meet.example.jp/r/incident"),
        ("capacity", capacity),
        ("opens_on", "2026-04-01"),
        ("closes_on", "2026-06-09"),
        ("fee", "33,000"),
        ("audience", "public"),
        ("gap_minutes", "5"),
        ("late_grace_minutes", "5"),
        ("early_leave_grace_minutes", "5"),
        ("min_presence_percent", "90"),
        ("offer_hours", "48"),
        ("revision", revision),
    ]
}

/// A provider with a published programme whose session is set up for `capacity` learners:
/// (organisation, owner's account, session).
pub async fn a_delivered_session(app: &TestApp, capacity: &str) -> (String, String, String) {
    let owner = sign_up(app, "実施 花子", "owner@provider.example.jp").await;
    let org = register_organisation(&mut signed_in(app, &owner).await, CORPORATE_NUMBER).await;
    let (programme, session) = a_draft_with_a_session(app, &org, &owner).await;
    publish_and_deliver(app, &org, &owner, &programme, &session, capacity).await;
    (org, owner, session)
}

/// Publishes the draft `programme` (made by `a_draft_with_a_session`) and sets its `session`
/// up for `capacity` learners, through the pages, as `owner`.
pub async fn publish_and_deliver(
    app: &TestApp,
    org: &str,
    owner: &str,
    programme: &str,
    session: &str,
    capacity: &str,
) {
    let mut b = signed_in(app, owner).await;
    let published = b
        .post(
            &format!("/organisations/{org}/programmes/{programme}/publish?revision=2"),
            &[],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let saved = b
        .post(
            &format!("/organisations/{org}/sessions/{session}/delivery"),
            &plan_form(capacity, "0"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

pub fn profile<'a>(name: &'a str, kana: &'a str, riss: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("name_kana", kana),
        ("riss_number", riss),
        (
            "riss_registered_on",
            if riss.is_empty() { "" } else { "2025-10-01" },
        ),
        ("consent", "true"),
    ]
}

/// `who` applies through the pages; returns their enrolment's page.
pub async fn apply(b: &mut Browser<'_>, session: &str, form: &[(&str, &str)]) -> String {
    let res = b.post(&format!("/sessions/{session}/enrol"), form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    location(&res).split('?').next().unwrap().to_owned()
}

pub async fn mail_to(app: &TestApp, to: &str, subject: &str) -> OutboxEntry {
    app.store
        .outbox(200, 0)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.to_address == to && m.subject.contains(subject))
        .unwrap_or_else(|| panic!("no mail to {to} about {subject}"))
}

pub async fn the_public_enrols_waits_and_is_promoted_and_attendance_is_recorded_and_sealed(
    app: TestApp,
) {
    let (org, owner, session) = a_delivered_session(&app, "2").await;
    let staff_base = format!("/organisations/{org}/sessions/{session}");

    // The programme's public page links the session's application (B32).
    let programme = session.trim_end_matches("-001");
    let public = Browser::new(&app)
        .get(&format!("/programmes/{programme}"))
        .await;
    assert!(
        public
            .body
            .contains(&format!("href=\"/sessions/{session}/enrol\"")),
        "{}",
        public.body
    );

    // Anyone signed in applies (B32): the page shows the session's facts and what the provider
    // will see.
    let aoi = sign_up(&app, "青井", "aoi@example.jp").await;
    let mut a = signed_in(&app, &aoi).await;
    let page = a.get(&format!("/sessions/{session}/enrol")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("33,000円"), "{}", page.body);
    assert!(page.body.contains("残り2"), "{}", page.body);
    assert!(page.body.contains("2026年6月10日"));
    // Nothing ticked, a kana in kanji: each field named, nothing stored.
    let refused = a
        .post(
            &format!("/sessions/{session}/enrol"),
            &[
                ("name", "青井 葵"),
                ("name_kana", "青井"),
                ("riss_number", "12345"),
                ("riss_registered_on", "2025-10-01"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "f-name_kana-error",
        "f-riss_number-error",
        "f-consent-error",
    ] {
        assert!(refused.body.contains(field), "{field}: {}", refused.body);
    }
    assert!(app.store.learner(&aoi).await.unwrap().is_none());
    let aoi_page = apply(
        &mut a,
        &session,
        &profile("青井 葵", "アオイ アオイ", "012345"),
    )
    .await;
    let confirmed = mail_to(&app, "aoi@example.jp", "受講が確定しました").await;
    let ics = confirmed.calendar.expect("the mail carries the dates");
    assert!(ics.contains("DTSTART:20260610T010000Z"), "{ics}");
    assert!(ics.contains("DTSTART:20260610T040000Z"), "{ics}");
    // Applying twice is a conflict, not a second place.
    let again = a
        .post(
            &format!("/sessions/{session}/enrol"),
            &profile("青井 葵", "アオイ アオイ", "012345"),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    let ben = sign_up(&app, "番", "ban@example.jp").await;
    let mut bb = signed_in(&app, &ben).await;
    apply(&mut bb, &session, &profile("番 健", "バン ケン", "")).await;
    mail_to(&app, "ban@example.jp", "受講が確定しました").await;

    // The third waits, and is told their place in line.
    let chika = sign_up(&app, "千佳", "chika@example.jp").await;
    let mut c = signed_in(&app, &chika).await;
    let full = c.get(&format!("/sessions/{session}/enrol")).await;
    assert!(
        full.body.contains("キャンセル待ちで申し込む"),
        "{}",
        full.body
    );
    let chika_page = apply(&mut c, &session, &profile("千葉 千佳", "チバ チカ", "")).await;
    let waiting = mail_to(&app, "chika@example.jp", "キャンセル待ち").await;
    assert!(waiting.body.contains("1番目"), "{}", waiting.body);
    assert!(
        c.get(&chika_page)
            .await
            .body
            .contains("キャンセル待ち（1番目）")
    );

    // The provider's roster, in the order people applied, and as Excel and CSV.
    let mut staff = signed_in(&app, &owner).await;
    let roster = staff.get(&format!("{staff_base}/roster")).await;
    assert_eq!(roster.status, StatusCode::OK, "{}", roster.body);
    assert!(roster.body.contains("第012345号"), "{}", roster.body);
    assert!(roster.body.contains("受講確定 2 / 2"), "{}", roster.body);
    let (status, csv) = staff.get_bytes(&format!("{staff_base}/roster.csv")).await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("\u{feff}申込順,氏名"), "{csv}");
    assert!(
        csv.contains("1,青井 葵,アオイ　アオイ,aoi@example.jp,012345,2025-10-01,受講確定"),
        "{csv}"
    );
    let (status, xlsx) = staff.get_bytes(&format!("{staff_base}/roster.xlsx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(xlsx.starts_with(b"PK"));

    // The first cancels: the seat is offered to the third by mail, who takes it.
    let cancelled = a.post(&format!("{aoi_page}/cancel"), &[]).await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.body
    );
    let offer = mail_to(&app, "chika@example.jp", "席が空きました").await;
    assert!(offer.body.contains(&chika_page), "{}", offer.body);
    assert!(c.get(&chika_page).await.body.contains("繰り上げ確認待ち"));
    let taken = c.post(&format!("{chika_page}/confirm"), &[]).await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
    assert!(
        mail_to(&app, "chika@example.jp", "受講が確定しました")
            .await
            .calendar
            .is_some()
    );
    let (status, ics) = c.get_bytes(&format!("{chika_page}/calendar.ics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(ics).unwrap().contains("BEGIN:VEVENT"));

    // The day. Staff check identity first (B30 ①): nobody is marked present without it.
    app.clock.set(datetime!(2026-06-10 09:40 +09:00));
    // Everyone signs in again on the day (April's sessions have expired).
    let mut staff = signed_in(&app, &owner).await;
    let mut bb = signed_in(&app, &ben).await;
    let unchecked = staff
        .post(
            &format!("{staff_base}/marks"),
            &[
                ("account", &chika),
                ("block", "1"),
                ("present", "true"),
                ("reason", "受付で確認"),
            ],
        )
        .await;
    assert_eq!(unchecked.status, StatusCode::BAD_REQUEST);
    assert!(
        unchecked.body.contains("本人確認が済んでいない"),
        "{}",
        unchecked.body
    );
    let desk = staff.get(&format!("{staff_base}/check-in")).await;
    assert_eq!(desk.status, StatusCode::OK, "{}", desk.body);
    assert!(desk.body.contains("番 健") && desk.body.contains("千葉 千佳"));
    assert!(
        !desk.body.contains("青井 葵"),
        "a cancelled learner is not at the desk"
    );
    for (who, method, riss) in [
        (&ben, "photo_id", "not_registered"),
        (&chika, "video", "not_registered"),
    ] {
        let checked = staff
            .post(
                &format!("{staff_base}/check-in"),
                &[
                    ("account", who),
                    ("day", "2026-06-10"),
                    ("method", method),
                    ("riss", riss),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(checked.status, StatusCode::SEE_OTHER, "{}", checked.body);
    }
    assert!(
        staff
            .get(&format!("{staff_base}/check-in"))
            .await
            .body
            .contains("確認済み")
    );

    // In person: the code on the venue's screen now works; one shown 2 minutes ago is refused.
    app.clock.set(datetime!(2026-06-10 09:55 +09:00));
    let screen = staff.get(&format!("{staff_base}/blocks/1/code")).await;
    assert_eq!(screen.status, StatusCode::OK, "{}", screen.body);
    assert!(screen.body.contains("<svg"), "the screen shows a QR code");
    let delivery = app.store.delivery(&session).await.unwrap().unwrap();
    let code_at = |t: OffsetDateTime| {
        koshu_domain::delivery::rotating_code(delivery.code_secret.as_bytes(), &session, 1, t)
            .digits
    };
    let now_code = code_at(app.clock_now());
    assert!(screen.body.contains(&now_code));
    let ben_page = enrolment_page(&app, &session, &ben).await;
    let old = bb
        .post(
            &format!("{ben_page}/check-in"),
            &[
                ("block", "1"),
                ("code", &code_at(app.clock_now() - Duration::minutes(2))),
                ("direction", "in"),
            ],
        )
        .await;
    assert_eq!(old.status, StatusCode::BAD_REQUEST);
    assert!(
        old.body.contains("f-code") || old.body.contains("番号"),
        "{}",
        old.body
    );
    let ok = bb
        .post(
            &format!("{ben_page}/check-in"),
            &[("block", "1"), ("code", &now_code), ("direction", "in")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    app.clock.set(datetime!(2026-06-10 11:58 +09:00));
    let mut bb = signed_in(&app, &ben).await;
    let out = bb
        .post(
            &format!("{ben_page}/check-in"),
            &[
                ("block", "1"),
                ("code", &code_at(app.clock_now())),
                ("direction", "out"),
            ],
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);

    // Remote: beats every 30 s from 10:00, none from 10:20 to 10:27, then on until 12:00.
    // Her live page carries the ticket it beats with (no cookie goes with a beat).
    app.clock.set(datetime!(2026-06-10 10:00 +09:00));
    let live_page = signed_in(&app, &chika).await.get(&chika_page).await.body;
    let ticket = ticket_of(&live_page);
    let mut t = datetime!(2026-06-10 10:00 +09:00);
    while t <= datetime!(2026-06-10 12:00 +09:00) {
        if t <= datetime!(2026-06-10 10:20 +09:00) || t >= datetime!(2026-06-10 10:27 +09:00) {
            app.clock.set(t);
            let beat = beat(&app, &ticket).await;
            assert_eq!(beat.status, StatusCode::NO_CONTENT, "{t}: {}", beat.body);
        }
        t += Duration::seconds(30);
    }
    // A forged or altered ticket records nothing.
    let forged = beat(&app, &ticket.replace(&chika, &ben)).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    // Live, at 10:26, she shows as left since her last beat (more than 5 minutes ago).
    app.clock.set(datetime!(2026-06-10 10:26 +09:00));
    let mut staff = signed_in(&app, &owner).await;
    let live = staff.get(&format!("{staff_base}/attendance")).await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.body);
    assert!(live.body.contains("離席（10:20:00から）"), "{}", live.body);
    let events = staff
        .first_chunk(&format!("{staff_base}/attendance/events"))
        .await;
    assert!(
        events.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    assert!(
        events.body.starts_with("event: presence"),
        "{}",
        events.body
    );
    assert!(
        events.body.contains("離席（10:20:00から）"),
        "{}",
        events.body
    );

    // After the day: the left interval at the right clock times, and the verdicts.
    app.clock.set(datetime!(2026-06-10 15:10 +09:00));
    let mut staff = signed_in(&app, &owner).await;
    let mut c = signed_in(&app, &chika).await;
    let mut bb = signed_in(&app, &ben).await;
    let after = staff.get(&format!("{staff_base}/attendance")).await;
    // Ben checked in at 09:55 and out at 11:58: 2 minutes early, within the grace.
    assert!(after.body.contains("早退 2分"), "{}", after.body);
    assert!(
        after.body.contains("離席 10:20:00–10:27:00"),
        "{}",
        after.body
    );
    // Her page shows her own verdicts: block 1 attended (94 % present), block 2 absent.
    let mine = c.get(&chika_page).await.body;
    assert!(
        mine.contains("<td>出席（在席 113分）</td>") && mine.contains("<td>欠席（在席 0分）</td>"),
        "{mine}"
    );

    // The day is sealed; the audit chain and the seal verify; a later change is found.
    let sealed = staff
        .post(&format!("{staff_base}/days/2026-06-10/seal"), &[])
        .await;
    assert_eq!(sealed.status, StatusCode::SEE_OTHER, "{}", sealed.body);
    assert!(
        staff
            .get(&format!("{staff_base}/attendance"))
            .await
            .body
            .contains("確定済み")
    );
    let twice = staff
        .post(&format!("{staff_base}/days/2026-06-10/seal"), &[])
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(matches!(
        app.store.verify_audit_log().await.unwrap(),
        koshu_store::audit::AuditVerdict::Intact { .. }
    ));
    assert!(app.store.broken_seals().await.unwrap().is_empty());
    // A check-in after the seal is refused; a correction by staff is a new entry with a reason.
    let late = bb
        .post(
            &format!("{ben_page}/check-in"),
            &[("block", "2"), ("code", "000000"), ("direction", "out")],
        )
        .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    app.tamper("DELETE FROM heartbeats WHERE at_us = (SELECT MAX(at_us) FROM heartbeats)")
        .await;
    assert_eq!(
        app.store.broken_seals().await.unwrap(),
        vec![(session.clone(), time::macros::date!(2026 - 06 - 10))]
    );
}

/// The heartbeat ticket on a live page.
pub fn ticket_of(page: &str) -> String {
    let start = page.find("data-ticket=\"").expect("a live page beats") + "data-ticket=\"".len();
    page[start..start + page[start..].find('"').unwrap()].to_owned()
}

/// One beat as the live page's script sends it: the ticket, no cookie.
pub async fn beat(app: &TestApp, ticket: &str) -> crate::app::TestResponse {
    app.request(
        axum::http::Request::post("/heartbeat")
            .header("content-type", "text/plain")
            .header("sec-fetch-site", "same-origin")
            .body(axum::body::Body::from(ticket.to_owned()))
            .unwrap(),
    )
    .await
}

/// The page of `account`'s enrolment in `session`.
pub async fn enrolment_page(app: &TestApp, session: &str, account: &str) -> String {
    let e = app
        .store
        .enrolment_of(session, account)
        .await
        .unwrap()
        .unwrap();
    format!("/learning/{}", e.id)
}

/// Fifty people apply at once for ten seats: ten get one, forty wait, nobody gets a 5xx.
pub async fn fifty_at_once_for_ten_seats_never_oversell(app: TestApp) {
    let (_, _, session) = a_delivered_session(&app, "10").await;
    let mut browsers = Vec::new();
    for i in 0..50 {
        let id = format!("learner-{i:02}");
        let email = koshu_domain::access::Email::parse(&format!("l{i}@example.jp")).unwrap();
        app.store
            .create_account(
                &koshu_store::accounts::NewAccount {
                    id: id.clone(),
                    email: email.clone(),
                    display_name: format!("受講者{i}"),
                    password_hash: "unused".to_owned(),
                },
                app.clock_now(),
            )
            .await
            .unwrap();
        app.store
            .mark_email_verified(&id, app.clock_now())
            .await
            .unwrap();
        browsers.push(signed_in(&app, &id).await);
    }
    let mut requests = Vec::new();
    for (i, b) in browsers.iter_mut().enumerate() {
        let kana = format!("ジュコウシャ{}", "ア".repeat(i % 5 + 1));
        let form = [
            ("name".to_owned(), format!("受講者 {i}")),
            ("name_kana".to_owned(), kana),
            ("consent".to_owned(), "true".to_owned()),
        ];
        let fields: Vec<(&str, &str)> =
            form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        requests.push(
            b.form_request(&format!("/sessions/{session}/enrol"), &fields)
                .await,
        );
    }
    let answers = futures::future::join_all(requests.into_iter().map(|r| app.request(r))).await;
    for a in &answers {
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    }
    let enrolments = app.store.enrolments_of_session(&session).await.unwrap();
    let count = |s| enrolments.iter().filter(|e| e.status == s).count();
    use koshu_domain::delivery::EnrolmentStatus as S;
    assert_eq!((count(S::Enrolled), count(S::Waiting)), (10, 40));
    let mut queue: Vec<i64> = enrolments.iter().map(|e| e.queue_no).collect();
    queue.sort_unstable();
    assert_eq!(
        queue,
        (1..=50).collect::<Vec<_>>(),
        "one place in line each"
    );
}

/// Teams' attendance report as it downloads: UTF-16LE with a byte-order mark, tab-separated,
/// in sections.
fn teams_report(rows: &[(&str, &str, &str, &str)]) -> Vec<u8> {
    let mut text = String::from(
        "1. Summary\nMeeting title\tインシデント対応演習\nAttended participants\t2\nStart time\t6/10/26, 9:58:00 AM\nEnd time\t6/10/26, 12:01:00 PM\n\n2. Participants\nName\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n",
    );
    for (name, email, join, leave) in rows {
        text.push_str(&format!(
            "{name}\t{join}\t{leave}\t2h\t{email}\t{email}\tAttendee\n"
        ));
    }
    text.push_str(
        "\n3. In-Meeting Activities\nName\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n",
    );
    for (name, email, join, leave) in rows {
        text.push_str(&format!("{name}\t{join}\t{leave}\t1h\t{email}\tAttendee\n"));
    }
    let mut bytes = vec![0xff, 0xfe];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

/// 青井 葵, 番 健 and 千葉 千佳 sign up and apply for `session`, in that order; their accounts.
pub async fn enrol_three(app: &TestApp, session: &str) -> Vec<String> {
    let mut learners = Vec::new();
    for (name, kana, email) in [
        ("青井 葵", "アオイ アオイ", "aoi@example.jp"),
        ("番 健", "バン ケン", "ban@example.jp"),
        ("千葉 千佳", "チバ チカ", "chika@example.jp"),
    ] {
        let id = sign_up(app, name, email).await;
        apply(
            &mut signed_in(app, &id).await,
            session,
            &profile(name, kana, ""),
        )
        .await;
        learners.push(id);
    }
    learners
}

/// Zoom, Teams and BigBlueButton reports of block 1: reconnects merge into one stay, rows match
/// learners by e-mail, the others wait to be matched by hand; a file missing a column is
/// refused with the column's name and changes nothing.
pub async fn meeting_reports_give_merged_stays_and_list_whom_they_do_not_know(app: TestApp) {
    let (org, owner, session) = a_delivered_session(&app, "3").await;
    let base = format!("/organisations/{org}/sessions/{session}");
    let learners = enrol_three(&app, &session).await;
    app.clock.set(datetime!(2026-06-10 13:00 +09:00));
    let mut staff = signed_in(&app, &owner).await;

    // A plan sent empty names every field at fault in one answer, nothing saved.
    let empty = staff
        .post(&format!("{base}/delivery"), &[("revision", "1")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "f-timetable-error",
        "f-capacity-error",
        "f-opens_on-error",
        "f-fee-error",
    ] {
        assert!(empty.body.contains(field), "{field}: {}", empty.body);
    }

    // Zoom, with the meeting's preamble: Aoi reconnects once, a guest nobody knows joins.
    let zoom = "\u{feff}Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\r\n\
        812 3456 7890,インシデント対応演習,06/10/2026 09:58:00 AM,06/10/2026 12:01:00 PM,host@provider.example.jp,123,3\r\n\r\n\
        Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent\r\n\
        青井 葵,AOI@example.jp,06/10/2026 09:59:00 AM,06/10/2026 10:40:00 AM,41,No,Y\r\n\
        青井 葵,aoi@example.jp,06/10/2026 10:40:30 AM,06/10/2026 12:00:00 PM,80,No,Y\r\n\
        iPhone,,06/10/2026 10:05:00 AM,06/10/2026 11:30:00 AM,85,Yes,Y\r\n";
    let res = staff
        .post_file(
            &format!("{base}/reports"),
            &[("block", "1")],
            ("report", "participants.csv", zoom.as_bytes()),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = staff.get(&format!("{base}/reports")).await;
    assert!(page.body.contains("Zoom"), "{}", page.body);
    assert!(
        page.body.contains("iPhone"),
        "the unknown row waits to be matched"
    );
    let aoi_stays: Vec<_> = app
        .store
        .attendance_events(&session)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.account_id == learners[0])
        .collect();
    assert_eq!(aoi_stays.len(), 1, "the reconnect merged: {aoi_stays:?}");
    let stay = &aoi_stays[0];
    assert_eq!(
        koshu_store::delivery::at_micros(stay.at_us),
        datetime!(2026-06-10 09:59 +09:00)
    );
    assert_eq!(
        koshu_store::delivery::at_micros(stay.until_us.unwrap()),
        datetime!(2026-06-10 12:00 +09:00)
    );
    // The file is kept with its digest.
    let report = app
        .store
        .participant_reports(&session)
        .await
        .unwrap()
        .remove(0);
    let (file, bytes) = app.store.open_file(&report.file_id).await.unwrap();
    assert_eq!(bytes.as_ref(), zoom.as_bytes());
    assert_eq!(file.sha256, report.sha256);

    // Staff match the guest to Chika: her stay is recorded from the row.
    let matched = staff
        .post(
            &format!("{base}/reports/{}/match", report.id),
            &[("row", "2"), ("account", &learners[2])],
        )
        .await;
    assert_eq!(matched.status, StatusCode::SEE_OTHER, "{}", matched.body);
    assert!(
        !staff
            .get(&format!("{base}/reports"))
            .await
            .body
            .contains("<th scope=\"row\">iPhone")
    );
    assert!(
        app.store
            .attendance_events(&session)
            .await
            .unwrap()
            .iter()
            .any(|e| e.account_id == learners[2] && e.source == format!("report:{}", report.id))
    );

    // Teams, UTF-16 and tab-separated: Ban's two joins in section 3 merge.
    let teams = teams_report(&[
        (
            "番 健",
            "ban@example.jp",
            "6/10/26, 9:58:10 AM",
            "6/10/26, 10:30:00 AM",
        ),
        (
            "番 健",
            "ban@example.jp",
            "6/10/26, 10:30:20 AM",
            "6/10/26, 12:00:00 PM",
        ),
        (
            "外部 参加者",
            "someone@else.example.jp",
            "6/10/26, 10:00:00 AM",
            "6/10/26, 10:10:00 AM",
        ),
    ]);
    let res = staff
        .post_file(
            &format!("{base}/reports"),
            &[("block", "1")],
            ("report", "meetingAttendanceReport.csv", &teams),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = staff.get(&format!("{base}/reports")).await;
    assert!(
        page.body.contains("Microsoft Teams") && page.body.contains("外部 参加者"),
        "{}",
        page.body
    );
    let ban: Vec<_> = app
        .store
        .attendance_events(&session)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.account_id == learners[1])
        .collect();
    assert_eq!(ban.len(), 1, "{ban:?}");

    // BigBlueButton's learning dashboard: matched by e-mail where it has one.
    let bbb = "Name,Email,Moderator,Activity Score,Talk Time,Webcam Time,Messages,Emojis,Raise Hands,Join,Left,Duration,Status\n\
        千葉 千佳,chika@example.jp,false,3,00:01:00,00:00:00,2,0,1,2026-06-10 10:00:00,2026-06-10 11:55:00,01:55:00,Offline\n";
    let res = staff
        .post_file(
            &format!("{base}/reports"),
            &[("block", "1")],
            ("report", "learning-dashboard.csv", bbb.as_bytes()),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    // A Zoom file without its leave column: refused by name, nothing imported.
    let before = app.store.attendance_events(&session).await.unwrap().len();
    let reports_before = app.store.participant_reports(&session).await.unwrap().len();
    let broken = "Name (Original Name),User Email,Join Time,Duration (Minutes)\r\n青井 葵,aoi@example.jp,06/10/2026 09:59:00 AM,41\r\n";
    let res = staff
        .post_file(
            &format!("{base}/reports"),
            &[("block", "1")],
            ("report", "participants.csv", broken.as_bytes()),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Leave Time"), "{}", res.body);
    assert_eq!(
        app.store.attendance_events(&session).await.unwrap().len(),
        before
    );
    assert_eq!(
        app.store.participant_reports(&session).await.unwrap().len(),
        reports_before
    );

    // Another provider's staff do not find this session.
    let other = sign_up(&app, "他社 太郎", "owner@other.example.jp").await;
    let mut o = signed_in(&app, &other).await;
    let other_org = register_organisation(&mut o, "4000012090001").await;
    let theirs = o
        .get(&format!(
            "/organisations/{other_org}/sessions/{session}/roster"
        ))
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let not_member = o.get(&format!("{base}/roster")).await;
    assert_eq!(not_member.status, StatusCode::FORBIDDEN);
}

/// Everything the enrolment use cases write, as one comparable text.
async fn delivery_snapshot(app: &TestApp, session: &str) -> String {
    let s = &app.store;
    let enrolments: Vec<_> = s
        .enrolments_of_session(session)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.account_id, e.status, e.queue_no, e.offer_until))
        .collect();
    let learners = s.learners_of_session(session).await.unwrap().len();
    let jobs: Vec<_> = s
        .pending_jobs()
        .await
        .unwrap()
        .into_iter()
        .map(|j| (j.kind, j.run_at, j.payload))
        .collect();
    format!(
        "{enrolments:?}\nlearners {learners}\n{jobs:?}\nevents {}\nreports {}\noutbox {}\naudit {}",
        s.attendance_events(session).await.unwrap().len(),
        s.participant_reports(session).await.unwrap().len(),
        s.outbox_count().await.unwrap(),
        s.audit_head().await.unwrap(),
    )
}

/// Applying (profile, place, mail), cancelling (the cancellation, the promotion, its lapse
/// job, two mails), an offer's lapse (the next promoted, the job done) and a report's import
/// (the report, its stays) each leave everything as it was after a failure at any write step,
/// and trying again completes them.
pub async fn enrolment_promotion_lapse_and_import_are_all_or_nothing_at_every_step(app: TestApp) {
    use crate::workflow::{pending, post_through_faults, run_through_faults};
    let (org, owner, session) = a_delivered_session(&app, "1").await;
    let snapshot = || delivery_snapshot(&app, &session);
    let mut people = Vec::new();
    for (name, kana, email) in [
        ("青井 葵", "アオイ アオイ", "aoi@example.jp"),
        ("番 健", "バン ケン", "ban@example.jp"),
        ("千葉 千佳", "チバ チカ", "chika@example.jp"),
    ] {
        let id = sign_up(&app, name, email).await;
        let mut b = signed_in(&app, &id).await;
        let steps = post_through_faults(
            &app,
            &mut b,
            &format!("/sessions/{session}/enrol"),
            &profile(name, kana, ""),
            snapshot,
        )
        .await;
        assert!(steps >= 4, "profile, places, enrolment, mail: {steps}");
        people.push((id, b));
    }
    // The first has the seat; cancelling offers it to the second, at every step or not at all.
    let aoi_page = enrolment_page(&app, &session, &people[0].0).await;
    let steps = post_through_faults(
        &app,
        &mut people[0].1,
        &format!("{aoi_page}/cancel"),
        &[],
        snapshot,
    )
    .await;
    assert!(steps >= 5, "{steps}");
    let offered = app
        .store
        .enrolment_of(&session, &people[1].0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        offered.status,
        koshu_domain::delivery::EnrolmentStatus::Offered
    );

    // Unanswered, the offer lapses on its deadline and goes to the third.
    app.clock
        .set(offered.offer_until.unwrap() + Duration::minutes(1));
    let job = pending(
        &app.store.pending_jobs().await.unwrap(),
        koshu_workflow::delivery::OFFER_LAPSE,
    );
    let steps =
        run_through_faults(&app, &job, koshu_workflow::delivery::lapse_offer, snapshot).await;
    assert!(steps >= 4, "{steps}");
    let statuses: Vec<_> = app
        .store
        .enrolments_of_session(&session)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.status.code())
        .collect();
    assert_eq!(statuses, ["cancelled", "lapsed", "offered"]);
    mail_to(&app, "ban@example.jp", "期限が過ぎました").await;

    // The third takes the seat; a report of the day is imported whole or not at all.
    let chika_page = enrolment_page(&app, &session, &people[2].0).await;
    let mut c = signed_in(&app, &people[2].0).await;
    assert_eq!(
        c.post(&format!("{chika_page}/confirm"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    app.clock.set(datetime!(2026-06-10 13:00 +09:00));
    let mut staff = signed_in(&app, &owner).await;
    let zoom = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\r\n\
        千葉 千佳,chika@example.jp,06/10/2026 10:00:00 AM,06/10/2026 12:00:00 PM,120\r\n";
    // The file is kept first, in a unit of its own (as every upload is): after a failure
    // later it is an unreferenced file, never a report without its stays.
    let imported = || async {
        let s = &app.store;
        format!(
            "events {:?}\nreports {}",
            s.attendance_events(&session).await.unwrap(),
            s.participant_reports(&session).await.unwrap().len()
        )
    };
    let before = imported().await;
    for step in 1.. {
        app.store.faults().fail_at_step(step);
        let res = staff
            .post_file(
                &format!("/organisations/{org}/sessions/{session}/reports"),
                &[("block", "1")],
                ("report", "participants.csv", zoom.as_bytes()),
            )
            .await;
        app.store.faults().disarm();
        if res.status == StatusCode::SEE_OTHER {
            assert!(step > 2, "file, report and stays are separate steps");
            break;
        }
        assert_eq!(
            res.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            res.body
        );
        assert_eq!(imported().await, before, "after a fault at step {step}");
        assert!(matches!(
            app.store.verify_audit_log().await.unwrap(),
            koshu_store::audit::AuditVerdict::Intact { .. }
        ));
    }
    assert_eq!(
        app.store.attendance_events(&session).await.unwrap().len(),
        1
    );
}

/// The demo's sample delivery: the sample provider's hybrid course runs today and in three
/// weeks; a visitor applies to the later one (a seat is left) and, made the provider's staff,
/// sees today's roster, desk and live attendance with the sample learners. Loaded twice, it
/// stays as it was.
pub async fn the_demo_delivers_a_sample_course_anyone_can_try(app: TestApp) {
    app.load_demo().await;
    koshu::demo_application::load_sample_application(&app.store, START)
        .await
        .unwrap();
    let wf = &app.state.workflow;
    assert!(
        koshu::demo_delivery::load_sample_delivery(wf, START)
            .await
            .unwrap()
    );
    assert!(
        !koshu::demo_delivery::load_sample_delivery(wf, START)
            .await
            .unwrap()
    );
    app.state.catalogue.catch_up().await.unwrap();
    let org = koshu::demo_application::sample_organisation(&app.store)
        .await
        .unwrap()
        .unwrap();
    let sessions: Vec<String> = app
        .store
        .deliveries_of(&org.id)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.session_id)
        .collect();
    assert_eq!(sessions.len(), 3);
    let (today, later, past) = (&sessions[0], &sessions[1], &sessions[2]);

    let visitor = sign_up(&app, "見学 者", "visitor@example.jp").await;
    let mut v = signed_in(&app, &visitor).await;
    let programme = later.trim_end_matches("-002");
    let page = v.get(&format!("/programmes/{programme}")).await;
    assert!(
        page.body.contains(&format!("/sessions/{later}/enrol")),
        "{}",
        page.body
    );
    let mine = apply(&mut v, later, &profile("見学 者", "ケンガク シャ", "")).await;
    assert!(v.get(&mine).await.body.contains("受講確定"));

    // As the provider's staff (`koshu accounts sample-staff`), today's session.
    write_unit!(app, unit => unit.grant_membership(&org.id, &visitor, koshu_domain::access::OrgRole::Editor, "cli", START).await)
        .unwrap();
    let base = format!("/organisations/{}/sessions/{today}", org.id);
    let roster = v.get(&format!("{base}/roster")).await;
    assert_eq!(roster.status, StatusCode::OK, "{}", roster.body);
    assert!(roster.body.contains("（サンプル）青井 葵") && roster.body.contains("第012345号"));
    let live = v.get(&format!("{base}/attendance")).await;
    assert!(
        live.body.contains("離席 00:19:30–00:27:00"),
        "{}",
        live.body
    );
    assert!(
        live.body.contains("実施中") && live.body.contains("開始前"),
        "no verdict before a block ends"
    );
    assert!(
        v.get(&format!("{base}/check-in"))
            .await
            .body
            .contains("確認済み")
    );
    assert_eq!(
        v.get(&format!("{base}/blocks/1/code")).await.status,
        StatusCode::OK
    );
    // Last week's day is over and sealed; its seal verifies.
    let sealed = v
        .get(&format!(
            "/organisations/{}/sessions/{past}/attendance",
            org.id
        ))
        .await;
    assert!(sealed.body.contains("確定済み"), "{}", sealed.body);
    assert!(sealed.body.contains("<td>出席"), "{}", sealed.body);
    assert!(app.store.broken_seals().await.unwrap().is_empty());
    // Issue 16: progress against the standard time, and who needs a follow-up. The first did
    // the preparation; the second did ten minutes and was followed up by mail; the third did
    // nothing and is listed.
    let progress = v.get(&format!("{base}/progress")).await;
    assert!(
        progress.body.contains("60 / 60分（100%）") && progress.body.contains("10 / 60分"),
        "{}",
        progress.body
    );
    let follow_up = v.get(&format!("{base}/follow-up")).await.body;
    let list = &follow_up[follow_up.find("follow-up-region").unwrap()..];
    let list = &list[..list.find("</section>").unwrap()];
    assert!(list.contains("事前学習：ログの読み方"), "{list}");
    assert!(!list.contains("（サンプル）青井 葵"), "{list}");
    assert!(
        follow_up.contains("当日の朝までに受講するとの返信"),
        "{follow_up}"
    );
    // And assessed (issue 16): two completed, the absent one not, each with the reasons.
    let decided = v
        .get(&format!(
            "/organisations/{}/sessions/{past}/completion",
            org.id
        ))
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.body);
    assert!(
        decided.body.contains("修了テスト 88点（合格 70点以上）"),
        "{}",
        decided.body
    );
    assert!(decided.body.contains("修了テスト 未受験（合格 70点以上）"));
    assert!(decided.body.contains("アンケートが未回答です"));
    let outcomes: Vec<_> = app
        .store
        .completions(past)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.outcome, d.attended_minutes))
        .collect();
    use koshu_domain::delivery::completion::Outcome;
    assert_eq!(
        outcomes,
        [
            (Outcome::Completed, 1379),
            (Outcome::Completed, 1379),
            (Outcome::NotCompleted, 0)
        ]
    );
    // Its two completers have certificates, listed for the staff and valid for anyone.
    let certificates = app.store.credentials_of_session(past).await.unwrap();
    assert_eq!(certificates.len(), 2);
    let listed = v
        .get(&format!(
            "/organisations/{}/sessions/{past}/credentials",
            org.id
        ))
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let public = Browser::new(&app)
        .get(&format!("/verify/{}", certificates[0].id))
        .await;
    assert!(
        public.body.contains("有効な修了証です。"),
        "{}",
        public.body
    );
    // Five of its six learners answered its survey: the results show, with an improvement.
    let results = v
        .get(&format!("/organisations/{}/sessions/{past}/survey", org.id))
        .await;
    assert_eq!(results.status, StatusCode::OK, "{}", results.body);
    assert!(
        results.body.contains("回答 5件（受講確定 6名）"),
        "{}",
        results.body
    );
    assert!(
        results
            .body
            .contains("演習が短く、最後まで終わらなかった。")
    );
    assert!(results.body.contains("3週間後の回から演習を60分に延ばし"));

    // The course is a 特定講習, designated through the ministry's use case two weeks ago: the
    // public list and its page say so, with its track record (A05: five answers, two of the
    // three decided completed).
    let designations = v.get("/designations").await;
    assert!(
        designations
            .body
            .contains("（サンプル）ハイブリッド型インシデント初動対応演習"),
        "{}",
        designations.body
    );
    let page = Browser::new(&app)
        .get(&format!("/programmes/{programme}"))
        .await;
    assert!(
        page.body.contains("情報処理安全確保支援士『特定講習』"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("66%（判定を受けた3人のうち修了した人の割合）"),
        "{}",
        page.body
    );
    assert!(page.body.contains("回答5件"), "{}", page.body);
    assert!(
        !page.body.contains(&format!("/sessions/{past}/enrol")),
        "last week's session takes no applications"
    );
    // Its certificates name the designation: the linked holder who completed has the
    // practical course met, verified; the registry counts both completers this month.
    let ledger = koshu_workflow::holders::view(wf, "demo-learner-1")
        .await
        .unwrap()
        .unwrap();
    let course = ledger
        .entries
        .iter()
        .find(|e| e.kind == koshu_domain::holder::CourseKind::Specific)
        .expect("the designated course in the ledger");
    assert_eq!(course.standing, koshu_domain::holder::Standing::Verified);
    let practical = ledger.ledger.items.last().unwrap();
    assert_eq!(practical.state.code(), "met", "{practical:?}");
    let registry = koshu_workflow::holders::registry(wf).await.unwrap();
    let month = START.to_offset(koshu_workflow::JST).date();
    assert_eq!(
        registry.completions_by_month[&(month.year(), u8::from(month.month()))],
        (2, 1)
    );
    // The provider's own seminar, not designated, is listed too.
    assert!(
        app.store
            .listings_of(&org.id)
            .await
            .unwrap()
            .iter()
            .any(|l| l.item.programme.title_ja.contains("入門セミナー")
                && l.item.programme.designation.is_none())
    );
}

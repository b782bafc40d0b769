//! Progress and stalled learners (issue 16; B11, D04): a provider types the curriculum with
//! standard times; a learner works through an on-demand item while another does nothing and
//! falls behind; in the live block one beats on pace and one goes quiet. The quiet one is on
//! the 要フォロー list once the idle time has passed (not before), leaves it when staff record
//! a follow-up, and comes back when a new stall begins; the one on pace never appears.

use crate::accounts::{sign_up, signed_in};
use crate::app::TestApp;
use crate::delivery::{a_delivered_session, apply, beat, plan_form, profile, ticket_of};
use axum::http::StatusCode;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const CURRICULUM: &str = "120 1 インシデント対応の基礎\n120 2 演習\n60 2026-06-01〜2026-06-09 事前学習：ログの読み方 https://lms.example.jp/c/1";

/// The plan form of the delivery story, with a curriculum and a pace.
pub fn with_curriculum<'a>(curriculum: &'a str, revision: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut form = plan_form("5", revision);
    form.extend([
        ("curriculum", curriculum),
        ("idle_minutes", "10"),
        ("behind_percent", "25"),
    ]);
    form
}

/// The value of the hidden `since` of the follow-up form for `account`'s `subject`.
fn since_of(page: &str, account: &str, subject: &str) -> String {
    let at = page
        .find(&format!("name=\"account\" value=\"{account}\""))
        .unwrap_or_else(|| panic!("no follow-up form for {account}: {page}"));
    let rest = &page[at..];
    assert!(
        rest.contains(&format!("name=\"subject\" value=\"{subject}\"")),
        "{rest}"
    );
    let start = rest.find("name=\"since\" value=\"").unwrap() + "name=\"since\" value=\"".len();
    rest[start..start + rest[start..].find('"').unwrap()].to_owned()
}

/// The part of the follow-up page that lists who needs one now.
fn list_of(page: &str) -> &str {
    let from = page
        .find("class=\"follow-up-region\"")
        .expect("the list region");
    let to = page[from..].find("</section>").unwrap();
    &page[from..from + to]
}

pub async fn beats_from(app: &TestApp, ticket: &str, from: OffsetDateTime, to: OffsetDateTime) {
    let mut t = from;
    while t <= to {
        app.clock.set(t);
        assert_eq!(beat(app, ticket).await.status, StatusCode::NO_CONTENT);
        t += Duration::seconds(30);
    }
}

pub async fn stalled_learners_are_listed_live_and_leave_the_list_when_followed_up(app: TestApp) {
    let (org, owner, session) = a_delivered_session(&app, "5").await;
    let staff_base = format!("/organisations/{org}/sessions/{session}");
    let mut staff = signed_in(&app, &owner).await;

    // A curriculum naming a block the timetable lacks is refused, the field and rule named.
    let wrong = staff
        .post(
            &format!("{staff_base}/delivery"),
            &with_curriculum("90 3 存在しないコマ", "1"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("f-curriculum-error"), "{}", wrong.body);
    assert!(
        wrong.body.contains("第3コマは時間割にありません"),
        "{}",
        wrong.body
    );
    let saved = staff
        .post(
            &format!("{staff_base}/delivery"),
            &with_curriculum(CURRICULUM, "1"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let form = staff.get(&format!("{staff_base}/delivery")).await.body;
    assert!(form.contains("事前学習：ログの読み方"), "{form}");

    let aoi = sign_up(&app, "青井", "aoi@example.jp").await;
    let mut a = signed_in(&app, &aoi).await;
    let aoi_page = apply(&mut a, &session, &profile("青井 葵", "アオイ アオイ", "")).await;
    let ban = sign_up(&app, "番", "ban@example.jp").await;
    let mut b = signed_in(&app, &ban).await;
    let ban_page = apply(&mut b, &session, &profile("番 健", "バン ケン", "")).await;
    let aoi_item = format!("{aoi_page}/items/3");

    // Before its period the item cannot be learnt; a live item has no item page.
    let early = a.get(&aoi_item).await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST, "{}", early.body);
    assert!(early.body.contains("受講期間前"), "{}", early.body);
    app.clock.set(datetime!(2026-06-01 20:00 +09:00));
    let mut a = signed_in(&app, &aoi).await;
    assert_eq!(
        a.get(&format!("{aoi_page}/items/1")).await.status,
        StatusCode::BAD_REQUEST
    );
    // Another learner's item page is not found.
    let mut b = signed_in(&app, &ban).await;
    assert_eq!(b.get(&aoi_item).await.status, StatusCode::NOT_FOUND);

    // On demand: she starts, her page reports use every 30 s for an hour, and she finishes.
    let item = a.get(&aoi_item).await;
    assert_eq!(item.status, StatusCode::OK, "{}", item.body);
    assert!(item.body.contains("https://lms.example.jp/c/1"));
    assert!(
        item.body.contains("JavaScript"),
        "the no-script path says what is missing"
    );
    let started = a.post(&aoi_item, &[("kind", "start")]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let mut t = datetime!(2026-06-01 20:00:30 +09:00);
    while t < datetime!(2026-06-01 21:00 +09:00) {
        app.clock.set(t);
        let used = a.post(&aoi_item, &[("kind", "active")]).await;
        assert_eq!(used.status, StatusCode::NO_CONTENT, "{}", used.body);
        t += Duration::seconds(30);
    }
    let finished = a.post(&aoi_item, &[("kind", "finish")]).await;
    assert_eq!(finished.status, StatusCode::SEE_OTHER);
    // Clicks are not time: fifty starts at one moment add nothing.
    for _ in 0..50 {
        a.post(&aoi_item, &[("kind", "start")]).await;
    }
    let done = a.get(&aoi_item).await.body;
    assert!(
        done.contains("60 / 60分（100%）") && done.contains("完了"),
        "{done}"
    );
    let bad = a.post(&aoi_item, &[("kind", "skip")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // Three days into the nine, he has done nothing: behind by more than a quarter.
    app.clock.set(datetime!(2026-06-04 00:00 +09:00));
    let mut staff = signed_in(&app, &owner).await;
    let page = staff.get(&format!("{staff_base}/follow-up")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let list = list_of(&page.body);
    assert!(list.contains("番 健：事前学習：ログの読み方"), "{list}");
    assert!(list.contains("学習時間 0分"), "{list}");
    assert!(!list.contains("青井 葵"), "on pace, never listed: {list}");
    let progress = staff.get(&format!("{staff_base}/progress")).await;
    assert_eq!(progress.status, StatusCode::OK, "{}", progress.body);
    assert!(
        progress.body.contains("60 / 60分（100%）"),
        "{}",
        progress.body
    );
    let (status, csv) = staff.get_bytes(&format!("{staff_base}/progress.csv")).await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains("青井 葵,3,事前学習：ログの読み方,60,60,"),
        "{csv}"
    );
    // The follow-up: by mail, he will catch up; he leaves the list, the record stays.
    let since = since_of(&page.body, &ban, "item:3");
    let empty = staff
        .post(
            &format!("{staff_base}/follow-up"),
            &[
                ("account", &ban),
                ("subject", "item:3"),
                ("since", &since),
                ("method", ""),
                ("outcome", "will_catch_up"),
            ],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("連絡の方法"), "{}", empty.body);
    // Recorded through a failure at each write step: nothing half-applied, then once.
    let steps = crate::workflow::post_through_faults(
        &app,
        &mut staff,
        &format!("{staff_base}/follow-up"),
        &[
            ("account", &ban),
            ("subject", "item:3"),
            ("since", &since),
            ("method", "mail"),
            ("outcome", "will_catch_up"),
            ("note", "週末に受講予定とのこと"),
        ],
        || async { format!("{:?}", app.store.follow_ups(&session).await.unwrap()) },
    )
    .await;
    assert!(
        steps >= 1,
        "the follow-up and its audit entry are one step at least"
    );
    assert_eq!(app.store.follow_ups(&session).await.unwrap().len(), 1);
    let after = staff.get(&format!("{staff_base}/follow-up")).await.body;
    assert!(!list_of(&after).contains("番 健"), "{after}");
    assert!(after.contains("週末に受講予定とのこと"), "kept as evidence");

    // The live block: she beats on pace; he beats five minutes and goes quiet.
    app.clock.set(datetime!(2026-06-10 10:00 +09:00));
    let aoi_ticket = ticket_of(&signed_in(&app, &aoi).await.get(&aoi_page).await.body);
    let ban_ticket = ticket_of(&signed_in(&app, &ban).await.get(&ban_page).await.body);
    beats_from(
        &app,
        &ban_ticket,
        datetime!(2026-06-10 10:00 +09:00),
        datetime!(2026-06-10 10:05 +09:00),
    )
    .await;
    beats_from(
        &app,
        &aoi_ticket,
        datetime!(2026-06-10 10:00 +09:00),
        datetime!(2026-06-10 10:14 +09:00),
    )
    .await;
    // Idle nine minutes: not yet.
    let mut staff = signed_in(&app, &owner).await;
    let nine = staff.get(&format!("{staff_base}/follow-up")).await.body;
    assert!(!list_of(&nine).contains("番 健"), "{nine}");
    // Idle eleven (N + 1) minutes: listed, in the page and in the live stream.
    beats_from(
        &app,
        &aoi_ticket,
        datetime!(2026-06-10 10:14:30 +09:00),
        datetime!(2026-06-10 10:16 +09:00),
    )
    .await;
    let eleven = staff.get(&format!("{staff_base}/follow-up")).await.body;
    let list = list_of(&eleven);
    assert!(list.contains("番 健：第1コマ"), "{list}");
    assert!(
        list.contains("10:05:00"),
        "the last record is named: {list}"
    );
    assert!(!list.contains("青井 葵"), "{list}");
    let events = staff
        .first_chunk(&format!("{staff_base}/follow-up/events"))
        .await;
    assert!(
        events.body.starts_with("event: follow-up"),
        "{}",
        events.body
    );
    assert!(events.body.contains("番 健"), "{}", events.body);
    assert!(!events.body.contains("青井 葵"), "{}", events.body);
    let since = since_of(&eleven, &ban, "block:1");
    let recorded = staff
        .post(
            &format!("{staff_base}/follow-up"),
            &[
                ("account", &ban),
                ("subject", "block:1"),
                ("since", &since),
                ("method", "chat"),
                ("outcome", "resumed"),
                ("note", "接続が切れていた"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    assert!(!list_of(&staff.get(&format!("{staff_base}/follow-up")).await.body).contains("番 健"));
    // He comes back, then goes quiet again: a new stall, listed again.
    beats_from(
        &app,
        &ban_ticket,
        datetime!(2026-06-10 10:20 +09:00),
        datetime!(2026-06-10 10:25 +09:00),
    )
    .await;
    app.clock.set(datetime!(2026-06-10 10:36 +09:00));
    let mut staff = signed_in(&app, &owner).await;
    let again = staff.get(&format!("{staff_base}/follow-up")).await.body;
    assert!(list_of(&again).contains("番 健：第1コマ"), "{again}");

    // Her own page shows her progress per item against the standard time.
    let mine = signed_in(&app, &aoi).await.get(&aoi_page).await.body;
    assert!(mine.contains("進捗（標準学習時間に対して）"), "{mine}");
    assert!(mine.contains("60 / 60分（100%）"), "{mine}");
    // Follow-ups are evidence in the audit chain, which verifies.
    assert!(matches!(
        app.store.verify_audit_log().await.unwrap(),
        koshu_store::audit::AuditVerdict::Intact { .. }
    ));
}

//! Sample delivery for the demo (issue 15), beside the sample application: the sample
//! provider's hybrid course, designated a 特定講習 two weeks ago through the ministry's use case
//! (so that the catalogue's 特定講習 facet, the designations list, the holders' suggestions,
//! certificates naming the designation and the registry's completions all have one), has a
//! session running today (three sample
//! learners enrolled, their identities checked, one checked in at the venue and one beating
//! remotely with a gap), one in three weeks with a seat left, and last week's, attended and
//! sealed, whose end-of-course survey five of its six learners answered (so that its results
//! show) with an improvement recorded from them. A person trying Koshu can apply, get the mail
//! with its calendar file, and (as the provider's staff, `koshu accounts sample-staff`) see the
//! roster, the desk, the venue's code, live attendance, progress and the 要フォロー list,
//! today's board (an announcement, an answered question, an anonymous one and a hidden one),
//! last week's survey results and completion decisions. The provider also lists a seminar of
//! its own, not designated, in five weeks (issue 14). Marked （サンプル）; loading it twice
//! changes nothing.

use crate::demo_application::{SampleError, designate_sample_course, sample_organisation};
use koshu_domain::catalogue::listing::{ListingMove, ProgrammeText, SessionChange, SessionText};
use koshu_domain::catalogue::{Session, Slug, listing::next_session_id};
use koshu_domain::delivery::completion::{
    Assessment, CompletionCriteria, Mark, Outcome, Scale, d05_criteria_are_sound,
};
use koshu_domain::delivery::{
    Activity, ActivityKind, Audience, ContactMethod, DeliveryPlan, EnrolmentStatus,
    FollowUpOutcome, ItemMode, LearnerProfile, Pace, PlanItem, StallSubject, Thresholds,
};
use koshu_domain::holder::Registration;
use koshu_domain::types::Yen;
use koshu_store::accounts::NewAccount;
use koshu_store::delivery::{Enrolment, NewAttendanceEvent, NewIdentityCheck};
use koshu_store::progress::{NewFollowUp, ProgressEvent};
use koshu_workflow::holders;
use koshu_workflow::{JST, Workflow, WorkflowError, board, completion, delivery, listings};
use time::{Duration, OffsetDateTime, Time};

const ACTOR: &str = "system:demo";
const TITLE: &str = "（サンプル）ハイブリッド型インシデント初動対応演習";
const SEMINAR: &str = "（サンプル）経営層のためのサイバーセキュリティ入門セミナー";

#[derive(Debug, thiserror::Error)]
pub enum SampleDeliveryError {
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error(transparent)]
    Store(#[from] koshu_store::StoreError),
    #[error(transparent)]
    Designation(#[from] SampleError),
    #[error("the sample is not valid: {0}")]
    Invalid(String),
}

fn invalid(errors: &[koshu_domain::ValidationError]) -> SampleDeliveryError {
    SampleDeliveryError::Invalid(
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// The seminar the sample provider lists itself (not a 特定講習).
fn seminar_text() -> ProgrammeText {
    let s = |t: &str| t.to_owned();
    ProgrammeText {
        title_ja: s(SEMINAR),
        summary_ja: s(
            "サイバー攻撃による経営上のリスクと、経営として備えるべきことを半日で学びます。デモ用のサンプルです。",
        ),
        purpose_ja: s("自組織のセキュリティ対策に経営として関われるようになる。"),
        goals_ja: s("サイバー攻撃による経営上のリスクを説明できる\n対策の優先順位を判断できる"),
        layers: vec![s("executive")],
        audiences: vec![s("sme")],
        itss_fields: vec![s("sec_governance")],
        syllabus_items: s("1-1"),
        kind: s("plus_security"),
        difficulty: s("intro"),
        format: s("online"),
        language: s("ja"),
        duration_ja: s("半日（3時間）"),
        total_hours: s("3"),
        fee_type: s("fixed"),
        fee_yen: s("11,000"),
        inquiry_ja: s("（サンプル）研修事務局 training@sample.example.jp"),
        ..ProgrammeText::default()
    }
}

/// The seminar listed, with one online session in five weeks, and published (A01, A02).
async fn list_sample_seminar(
    wf: &Workflow,
    org: &koshu_store::organisations::OrganisationRecord,
    today: time::Date,
) -> Result<(), SampleDeliveryError> {
    let id = listings::new_programme_id();
    let provider = koshu_domain::designation::publish::provider_slug(&org.organisation)
        .map_err(|e| SampleDeliveryError::Invalid(e.to_string()))?;
    let programme = seminar_text()
        .parse(id.clone(), provider)
        .map_err(|e| invalid(&e))?;
    listings::create(wf, &org.id, programme, ACTOR)
        .await?
        .map_err(|e| invalid(&e))?;
    let session_id =
        next_session_id(&id, &[]).map_err(|e| SampleDeliveryError::Invalid(e.to_string()))?;
    let session = SessionText {
        starts_on: (today + Duration::weeks(5)).to_string(),
        prefecture: "13".to_owned(),
        online: true,
        capacity: "100".to_owned(),
        ..SessionText::default()
    }
    .parse(session_id, id.clone())
    .map_err(|e| invalid(&e))?;
    listings::change_session(wf, id.as_str(), SessionChange::Add(session), ACTOR)
        .await?
        .map_err(|e| invalid(&e))?;
    let revision = wf
        .store
        .listing(id.as_str())
        .await?
        .map_or(0, |l| l.revision);
    listings::change_state(wf, id.as_str(), revision, ListingMove::Publish, ACTOR)
        .await?
        .map_err(|e| invalid(&e))?;
    Ok(())
}

/// The demo's learners: (id, address, name, kana, RISS number).
const LEARNERS: [(&str, &str, &str, &str, &str); 3] = [
    (
        "demo-learner-1",
        "aoi@sample.example.jp",
        "（サンプル）青井 葵",
        "アオイ アオイ",
        "012345",
    ),
    (
        "demo-learner-2",
        "ban@sample.example.jp",
        "（サンプル）番 健",
        "バン ケン",
        "",
    ),
    (
        "demo-learner-3",
        "chika@sample.example.jp",
        "（サンプル）千葉 千佳",
        "チバ チカ",
        "",
    ),
];

/// Loads the sample; `true` when it was created now.
pub async fn load_sample_delivery(
    wf: &Workflow,
    now: OffsetDateTime,
) -> Result<bool, SampleDeliveryError> {
    let Some(org) = sample_organisation(&wf.store).await? else {
        return Ok(false);
    };
    if !wf.store.deliveries_of(&org.id).await?.is_empty() {
        return Ok(false);
    }
    let today = now.to_offset(JST).date();
    // Designated two weeks ago: last week's session was within the period.
    let id = designate_sample_course(wf, TITLE, today - Duration::weeks(2)).await?;
    let mut added: Vec<Session> = Vec::new();
    // Today's, one in three weeks, and last week's (over, and sealed).
    let days = [
        today,
        today + Duration::weeks(3),
        today - Duration::weeks(1),
    ];
    for (starts, capacity) in days.iter().zip(["20", "3", "20"]) {
        let text = SessionText {
            starts_on: starts.to_string(),
            prefecture: "13".to_owned(),
            city: "千代田区".to_owned(),
            venue: "（サンプル）霞が関研修室".to_owned(),
            online: true,
            capacity: capacity.to_owned(),
            ..SessionText::default()
        };
        let session_id = next_session_id(&id, &added)
            .map_err(|e| SampleDeliveryError::Invalid(e.to_string()))?;
        let session = text
            .parse(session_id, id.clone())
            .map_err(|e| invalid(&e))?;
        listings::change_designated_session(
            wf,
            id.as_str(),
            SessionChange::Add(session.clone()),
            ACTOR,
        )
        .await?
        .map_err(|e| invalid(&e))?;
        added.push(session);
    }
    let sessions: Vec<Slug> = added.into_iter().map(|s| s.id).collect();

    for (i, (session_id, &day)) in sessions.iter().zip(&days).enumerate() {
        let block = |n: u32, from: Time, to: Time, items: &str| koshu_domain::delivery::Block {
            number: n,
            day,
            starts_at: from,
            ends_at: to,
            items: items.to_owned(),
        };
        let plan = DeliveryPlan {
            timetable: vec![
                block(
                    1,
                    Time::MIDNIGHT,
                    time::macros::time!(12:00),
                    "インシデント対応の基礎（講義）",
                ),
                block(
                    2,
                    time::macros::time!(13:00),
                    time::macros::time!(23:59),
                    "初動対応の演習",
                ),
            ],
            venue: Some("（サンプル）霞が関研修室（東京都千代田区）".to_owned()),
            online_room: Some("https://meet.sample.example.jp/r/incident".to_owned()),
            capacity: if i == 1 { 3 } else { 20 },
            opens_at: (today - Duration::weeks(2)).midnight().assume_offset(JST),
            closes_at: (day - Duration::days(1)).midnight().assume_offset(JST)
                + Duration::hours(23),
            fee: Yen::parse("77,000").map_err(|e| SampleDeliveryError::Invalid(e.to_string()))?,
            audience: Audience::Public,
            thresholds: Thresholds::default(),
            offer_hours: 48,
            // Preparation on demand in the week before, then the two blocks (D04).
            curriculum: vec![
                PlanItem {
                    number: 1,
                    standard_minutes: 60,
                    mode: ItemMode::OnDemand {
                        from: day - Duration::weeks(1),
                        due: day,
                    },
                    title: "事前学習：ログの読み方".to_owned(),
                    material: Some("https://lms.sample.example.jp/c/log-basics".to_owned()),
                },
                PlanItem {
                    number: 2,
                    standard_minutes: 120,
                    mode: ItemMode::Live { blocks: vec![1] },
                    title: "インシデント対応の基礎（講義）".to_owned(),
                    material: None,
                },
                PlanItem {
                    number: 3,
                    standard_minutes: 180,
                    mode: ItemMode::Live { blocks: vec![2] },
                    title: "初動対応の演習".to_owned(),
                    material: None,
                },
            ],
            pace: Pace::default(),
        };
        let session = delivery::catalogue_session(wf, session_id.as_str()).await?;
        delivery::save_plan(wf, &org.id, &session, plan, 0, ACTOR)
            .await?
            .map_err(|e| invalid(&e))?;
    }
    if let Some(past) = sessions.get(2) {
        past_session_learners(wf, past.as_str(), now).await?;
    }
    enrol_sample_learners(wf, &sessions, now).await?;
    if let Some(today) = sessions.first() {
        post_sample_board(wf, &org.id, today.as_str()).await?;
    }
    if let Some(past) = sessions.get(2) {
        answer_sample_survey(wf, past.as_str(), now).await?;
        complete_last_weeks_session(wf, past.as_str()).await?;
        link_sample_holders(wf).await?;
    }
    list_sample_seminar(wf, &org, today).await?;
    Ok(true)
}

/// Three sample learners are 登録セキスペ who linked their registration (issue 18): one
/// registered in 2025, one whose first year passed without the online course, one whose
/// declared period has ended; the holders' registry counts them.
async fn link_sample_holders(wf: &Workflow) -> Result<(), SampleDeliveryError> {
    let today = wf.today();
    for (id, number, registered, renewed) in [
        ("demo-learner-1", "012345", "2025-10-01", ""),
        ("demo-learner-4", "023456", "2024-04-01", ""),
        ("demo-learner-5", "034567", "2018-10-01", "2021-10-01"),
    ] {
        let registration =
            Registration::parse(number, registered, renewed, today).map_err(|e| invalid(&e))?;
        holders::link_registration(wf, id, &registration).await?;
    }
    Ok(())
}

/// Today's board (D08): an announcement, a question answered, one asked anonymously, and one
/// hidden with its reason, each through its use case (so with its mails) as the provider's
/// owner and the sample learners.
async fn post_sample_board(
    wf: &Workflow,
    organisation_id: &str,
    session_id: &str,
) -> Result<(), SampleDeliveryError> {
    let staff = wf
        .store
        .staff_of(organisation_id)
        .await?
        .into_iter()
        .find(|m| m.role == koshu_domain::access::OrgRole::Owner)
        .ok_or_else(|| SampleDeliveryError::Invalid("the sample provider has no owner".into()))?
        .account_id;
    board::announce(
        wf,
        session_id,
        &staff,
        "（サンプル）午後の演習は13時から始めます。オンラインの方は12時50分までに参加先に入室してください。",
    )
    .await?;
    let asked = board::ask(
        wf,
        session_id,
        LEARNERS[0].0,
        "（サンプル）午前の講義資料はどこからダウンロードできますか。",
        false,
    )
    .await?;
    board::answer(
        wf,
        session_id,
        &asked,
        &staff,
        "（サンプル）受講者ページの「オンラインの参加先」に資料の置き場所を掲示しています。",
    )
    .await?;
    board::ask(
        wf,
        session_id,
        LEARNERS[1].0,
        "（サンプル）演習の途中で回線が切れた場合、出席はどう扱われますか。",
        true,
    )
    .await?;
    let hidden = board::ask(
        wf,
        session_id,
        LEARNERS[2].0,
        "（サンプル）同じ班の方へ：090-0000-0000 に連絡してください。",
        false,
    )
    .await?;
    board::hide(
        wf,
        session_id,
        &hidden,
        &staff,
        "（サンプル）個人の連絡先が含まれているため",
    )
    .await?;
    Ok(())
}

/// Last week's session assessed (issue 16, B12): its criteria (a test out of 100 passing at
/// 70, 80 % attendance, no re-assessment), the two who attended answered the survey and passed,
/// the third, absent, took no test; the decisions issued through the use cases, with their
/// reasons (two 修了, one 未修了). The criteria are written as they stood before the session,
/// which has started since, so not through `save_criteria`.
async fn complete_last_weeks_session(
    wf: &Workflow,
    session: &str,
) -> Result<(), SampleDeliveryError> {
    let criteria = CompletionCriteria {
        assessments: vec![Assessment {
            name: "修了テスト".to_owned(),
            scale: Scale::Test {
                max_score: 100,
                pass_score: 70,
            },
        }],
        min_attendance_percent: 80,
        max_attempts: 1,
        credential_valid_years: Some(3),
    };
    d05_criteria_are_sound(&criteria).map_err(|e| invalid(&e))?;
    let mut unit = wf.store.write().await?;
    unit.save_completion_criteria(session, &criteria, 0, ACTOR, wf.now())
        .await?;
    unit.commit().await?;
    for ((id, ..), points) in LEARNERS[..2].iter().zip([88, 76]) {
        completion::record_result(
            wf,
            session,
            id,
            &completion::ResultEntry {
                assessment: 1,
                mark: Mark::Score { points },
                correction: None,
            },
            ACTOR,
        )
        .await?;
    }
    for ((id, ..), outcome) in LEARNERS.iter().zip([
        Outcome::Completed,
        Outcome::Completed,
        Outcome::NotCompleted,
    ]) {
        completion::confirm(wf, session, id, outcome, ACTOR).await?;
    }
    Ok(())
}

/// A sample learner's account (nobody signs in as one) and profile: (id, address, name,
/// kana, RISS number).
async fn sample_learner(
    unit: &mut koshu_store::UnitOfWork,
    (id, email, name, kana, riss): (&str, &str, &str, &str, &str),
    applied: OffsetDateTime,
) -> Result<(), SampleDeliveryError> {
    let email = koshu_domain::access::Email::parse(email)
        .map_err(|e| SampleDeliveryError::Invalid(e.to_string()))?;
    unit.create_account(
        &NewAccount {
            id: id.to_owned(),
            email,
            display_name: name.to_owned(),
            // Not a hash of any password: nobody signs in as a sample learner.
            password_hash: "!".to_owned(),
        },
        applied,
    )
    .await?;
    let registered = if riss.is_empty() { "" } else { "2025-10-01" };
    let profile = LearnerProfile::parse(name, kana, riss, registered, applied.date())
        .map_err(|e| invalid(&e))?;
    unit.save_learner(id, &profile, applied).await?;
    Ok(())
}

/// The sample learners applied last week: all three to today's session, two to the later one.
/// Written as they stand (the application window has closed today), with the day's identity
/// checks, a check-in at the venue and a remote learner's beats with a gap.
async fn enrol_sample_learners(
    wf: &Workflow,
    sessions: &[Slug],
    now: OffsetDateTime,
) -> Result<(), SampleDeliveryError> {
    let applied = now - Duration::weeks(1);
    let mut unit = wf.store.write().await?;
    for (n, (id, email, name, kana, riss)) in LEARNERS.iter().enumerate() {
        sample_learner(&mut unit, (id, email, name, kana, riss), applied).await?;
        for (s, session) in sessions.iter().enumerate() {
            if s == 1 && n == 2 {
                continue;
            }
            let queue_no = i64::try_from(n + 1).unwrap_or(0);
            unit.put_enrolment(
                &Enrolment {
                    id: uuid::Uuid::now_v7().to_string(),
                    session_id: session.as_str().to_owned(),
                    account_id: (*id).to_owned(),
                    status: EnrolmentStatus::Enrolled,
                    queue_no,
                    offer_until: None,
                    cancelled_by: None,
                    created_at: applied,
                    updated_at: applied,
                },
                "enrolment.enrol",
                ACTOR,
            )
            .await?;
        }
    }
    let today = sessions
        .first()
        .ok_or_else(|| SampleDeliveryError::Invalid("no session".into()))?
        .as_str();
    let day = now.to_offset(JST).date();
    for (id, _, _, _, riss) in &LEARNERS[..2] {
        unit.record_identity_check(
            &NewIdentityCheck {
                session_id: today,
                account_id: id,
                day,
                method: "photo_id",
                riss_result: if riss.is_empty() {
                    "not_registered"
                } else {
                    "matches"
                },
                note: None,
            },
            ACTOR,
            now,
        )
        .await?;
    }
    let start = day.midnight().assume_offset(JST);
    unit.append_attendance(
        &[NewAttendanceEvent {
            session_id: today,
            account_id: LEARNERS[0].0,
            block_no: 1,
            kind: "check_in",
            at: start + Duration::minutes(1),
            until: None,
            source: "code",
            reason: None,
        }],
        "attendance.check",
        ACTOR,
        now,
    )
    .await?;
    // Beats every 30 s from the block's start until now, but for seven minutes.
    let mut beats = Vec::new();
    let mut t = start;
    while t <= now && t < start + Duration::hours(12) {
        let gap = t >= start + Duration::minutes(20) && t < start + Duration::minutes(27);
        if !gap {
            beats.push((today, LEARNERS[1].0, t));
        }
        t += Duration::seconds(30);
    }
    unit.insert_heartbeats(&beats).await?;
    // The preparation on demand: the first did it all four days ago; the second ten minutes
    // six days ago, and was followed up by mail; the third not at all (on the 要フォロー list).
    let prep = |kind: ActivityKind, at: OffsetDateTime| ProgressEvent {
        item_no: 1,
        activity: Activity { kind, at },
    };
    let worked = [(LEARNERS[0].0, 4, 60), (LEARNERS[1].0, 6, 10)];
    for (learner, days_ago, minutes) in worked {
        let from = start - Duration::days(days_ago) + Duration::hours(20);
        unit.append_progress(today, learner, prep(ActivityKind::Start, from))
            .await?;
        for beat in 1..minutes * 2 {
            unit.append_progress(
                today,
                learner,
                prep(ActivityKind::Active, from + Duration::seconds(30 * beat)),
            )
            .await?;
        }
        if minutes == 60 {
            unit.append_progress(
                today,
                learner,
                prep(ActivityKind::Finish, from + Duration::minutes(60)),
            )
            .await?;
        }
    }
    unit.record_follow_up(
        NewFollowUp {
            session_id: today,
            account_id: LEARNERS[1].0,
            subject: StallSubject::Item { number: 1 },
            stalled_since: start - Duration::days(4),
            method: ContactMethod::Mail,
            outcome: FollowUpOutcome::WillCatchUp,
            note: Some("（サンプル）当日の朝までに受講するとの返信"),
        },
        ACTOR,
        start - Duration::days(2),
    )
    .await?;
    // Last week's day: two more checked and present all day (with the three of
    // `past_session_learners`), one absent; then sealed.
    if let Some(past) = sessions.get(2) {
        let day = day - Duration::weeks(1);
        for (id, _, _, _, riss) in &LEARNERS[..2] {
            let riss_result = if riss.is_empty() {
                "not_registered"
            } else {
                "matches"
            };
            present_all_day(&mut unit, past.as_str(), id, riss_result, day).await?;
        }
        unit.seal_day(past.as_str(), day, ACTOR, now).await?;
    }
    unit.commit().await?;
    Ok(())
}

// The end-of-course survey (issue 16): last week's session had three more learners, present
// all day; five of its six learners answered, and the provider recorded an improvement.

/// Last week's other learners: (id, address, name, kana).
const PAST_LEARNERS: [(&str, &str, &str, &str); 3] = [
    (
        "demo-learner-4",
        "dan@sample.example.jp",
        "（サンプル）団 大輔",
        "ダン ダイスケ",
    ),
    (
        "demo-learner-5",
        "eri@sample.example.jp",
        "（サンプル）江里 恵",
        "エリ メグミ",
    ),
    (
        "demo-learner-6",
        "fuji@sample.example.jp",
        "（サンプル）藤 文香",
        "フジ フミカ",
    ),
];

/// Enrols last week's other learners, checked and present all day (before the day is sealed,
/// so that the seal covers them).
async fn past_session_learners(
    wf: &Workflow,
    past: &str,
    now: OffsetDateTime,
) -> Result<(), SampleDeliveryError> {
    let applied = now - Duration::weeks(2);
    let day = now.to_offset(JST).date() - Duration::weeks(1);
    let mut unit = wf.store.write().await?;
    for (n, (id, email, name, kana)) in PAST_LEARNERS.iter().enumerate() {
        sample_learner(&mut unit, (id, email, name, kana, ""), applied).await?;
        unit.put_enrolment(
            &Enrolment {
                id: uuid::Uuid::now_v7().to_string(),
                session_id: past.to_owned(),
                account_id: (*id).to_owned(),
                status: EnrolmentStatus::Enrolled,
                queue_no: i64::try_from(LEARNERS.len() + n + 1).unwrap_or(0),
                offer_until: None,
                cancelled_by: None,
                created_at: applied,
                updated_at: applied,
            },
            "enrolment.enrol",
            ACTOR,
        )
        .await?;
        present_all_day(&mut unit, past, id, "not_registered", day).await?;
    }
    unit.commit().await?;
    Ok(())
}

/// A learner of a past `day` of `session`: identity checked at its start, marked present by
/// staff through both blocks.
async fn present_all_day(
    unit: &mut koshu_store::UnitOfWork,
    session: &str,
    account: &str,
    riss_result: &str,
    day: time::Date,
) -> Result<(), SampleDeliveryError> {
    let start = day.midnight().assume_offset(JST);
    unit.record_identity_check(
        &NewIdentityCheck {
            session_id: session,
            account_id: account,
            day,
            method: "photo_id",
            riss_result,
            note: None,
        },
        ACTOR,
        start,
    )
    .await?;
    let stay = |block: u32, from: Duration, to: Duration| NewAttendanceEvent {
        session_id: session,
        account_id: account,
        block_no: block,
        kind: "staff_present",
        at: start + from,
        until: Some(start + to),
        source: "staff",
        reason: Some("（サンプル）会場で確認"),
    };
    unit.append_attendance(
        &[
            stay(1, Duration::ZERO, Duration::hours(12)),
            stay(2, Duration::hours(13), Duration::minutes(23 * 60 + 59)),
        ],
        "attendance.mark",
        ACTOR,
        start,
    )
    .await?;
    Ok(())
}

/// The answers of the five learners present last week, through the learner's own use case, and
/// the improvement the provider made from them.
async fn answer_sample_survey(
    wf: &Workflow,
    past: &str,
    now: OffsetDateTime,
) -> Result<(), SampleDeliveryError> {
    // m1-m4 and m6 on the scale of 1 to 5, m5 the difficulty (1-3), m7 what to improve.
    let answers: [(&str, [&str; 6], &str); 5] = [
        (
            LEARNERS[0].0,
            ["5", "4", "4", "5", "2", "4"],
            "演習の時間をもう少し長くしてほしい。",
        ),
        (
            LEARNERS[1].0,
            ["4", "4", "3", "5", "3", "3"],
            "オンライン参加の音声が聞き取りにくい時間があった。",
        ),
        (PAST_LEARNERS[0].0, ["5", "5", "4", "5", "2", "4"], ""),
        (
            PAST_LEARNERS[1].0,
            ["3", "3", "3", "4", "3", "2"],
            "演習の前に手順の資料がほしい。",
        ),
        (
            PAST_LEARNERS[2].0,
            ["4", "4", "4", "4", "2", "4"],
            "演習が短く、最後まで終わらなかった。",
        ),
    ];
    for (account, points, text) in answers {
        let enrolment =
            wf.store.enrolment_of(past, account).await?.ok_or_else(|| {
                SampleDeliveryError::Invalid(format!("{account} is not enrolled"))
            })?;
        let mut given: std::collections::BTreeMap<String, String> =
            ["m1", "m2", "m3", "m4", "m5", "m6"]
                .iter()
                .zip(points)
                .map(|(item, p)| (format!("answers.{item}"), p.to_owned()))
                .collect();
        given.insert("answers.m7".to_owned(), text.to_owned());
        koshu_workflow::survey::answer(wf, &enrolment, &given)
            .await?
            .map_err(|e| invalid(&e))?;
    }
    koshu_workflow::survey::record_improvement(
        wf,
        past,
        "（サンプル）5件中3件が、演習の時間が足りない・手順の資料がほしいと回答した。",
        "（サンプル）3週間後の回から演習を60分に延ばし、手順の資料を前日に配布する。",
        &now.to_offset(JST).date().to_string(),
        ACTOR,
    )
    .await?
    .map_err(|e| invalid(&e))?;
    Ok(())
}

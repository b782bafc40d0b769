//! Delivery (issue 15; D01-D03, B19, B30, B32): a session as its provider runs it, the people
//! who enrol in it, and the evidence that they attended. Each use case is one unit of work:
//! an enrolment and its mail, a cancellation and the promotion it causes, an identity check,
//! a check-in, a report with the intervals it gives, a day's seal.
//!
//! Seats are counted inside the unit that takes one: units are serialised by the store (one
//! writer at a time), so concurrent enrolments never oversell.

use crate::jobs::JobOutcome;
use crate::listings::Checked;
use crate::mail::{Queued, SIGNATURE, jst_time, link};
use crate::{JST, Workflow, WorkflowError};
use koshu_domain::ValidationError;
use koshu_domain::catalogue::{ProgrammeWithSessions, Session};
use koshu_domain::delivery::{
    Block, BlockAttendance, CancelledBy, DeliveryPlan, EnrolmentStatus, Evidence, Interval,
    LearnerProfile, Presence, Promotion, check_code, d01_may_cancel, d01_place, d01_plan_is_sound,
    d01_promotion, d02_enrolment_window, d03_block_attendance, d03_currently_present,
    merge_intervals,
};
use koshu_forms::calendar::{CalendarEvent, When, ics};
use koshu_store::UnitOfWork;
use koshu_store::delivery::{
    AttendanceEvent, Delivery, Enrolment, IdentityCheck, Learner, NewAttendanceEvent,
    NewIdentityCheck, ParticipantReportRecord, Seal, at_micros,
};
use koshu_store::outbox::Mail;
use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

/// The job that lapses an unanswered offer of a seat and offers it to the next in line.
pub const OFFER_LAPSE: &str = "delivery.offer_lapse";

/// A session of the catalogue with the programme it belongs to.
#[derive(Debug, Clone)]
pub struct CatalogueSession {
    pub programme: ProgrammeWithSessions,
    pub session: Session,
}

impl CatalogueSession {
    pub fn designated(&self) -> bool {
        self.programme.programme.designation.is_some()
    }

    pub fn title(&self) -> &str {
        &self.programme.programme.title_ja
    }
}

/// The published session `session_id`, or `NotFound`.
pub async fn catalogue_session(
    wf: &Workflow,
    session_id: &str,
) -> Result<CatalogueSession, WorkflowError> {
    let programme_id = wf
        .store
        .session_programme(session_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let programme = wf
        .store
        .programme(&programme_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let session = programme
        .sessions
        .iter()
        .find(|s| s.id.as_str() == session_id)
        .cloned()
        .ok_or(WorkflowError::NotFound)?;
    Ok(CatalogueSession { programme, session })
}

/// Saves a learner's profile and their consent to what providers see.
pub async fn save_profile(
    wf: &Workflow,
    account_id: &str,
    profile: &LearnerProfile,
) -> Result<(), WorkflowError> {
    let mut unit = wf.store.write().await?;
    unit.save_learner(account_id, profile, wf.now()).await?;
    unit.commit().await?;
    Ok(())
}

/// A new check-in code secret: 244 random bits from two v4 UUIDs, hex.
fn new_code_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Sets up or changes how `session` is delivered by organisation `organisation_id` (D01,
/// B32), made on `revision` (0 for the first plan). Seats a larger capacity frees go to the
/// waiting list in order. Returns the new revision.
pub async fn save_plan(
    wf: &Workflow,
    organisation_id: &str,
    session: &CatalogueSession,
    plan: DeliveryPlan,
    revision: i64,
    actor: &str,
) -> Result<Checked<i64>, WorkflowError> {
    let s = &session.session;
    if let Err(errors) = d01_plan_is_sound(
        &plan,
        s.starts_on,
        s.ends_on,
        s.online,
        session.designated(),
        JST,
    ) {
        return Ok(Err(errors));
    }
    let current = wf.store.delivery(s.id.as_str()).await?;
    let delivery = Delivery {
        session_id: s.id.as_str().to_owned(),
        programme_id: session.programme.programme.id.as_str().to_owned(),
        organisation_id: organisation_id.to_owned(),
        code_secret: current
            .as_ref()
            .map_or_else(new_code_secret, |d| d.code_secret.clone()),
        plan,
        revision,
        updated_at: wf.now(),
    };
    let learners = wf.store.learners_of_session(s.id.as_str()).await?;
    let mut unit = wf.store.write().await?;
    let next = unit.save_delivery(&delivery, actor, wf.now()).await?;
    if let Some(last_day) = delivery.plan.last_day() {
        crate::retention::schedule_purge(&mut unit, last_day, wf.now()).await?;
    }
    let mut queued = Queued::default();
    let enrolments = unit.enrolments_for_update(s.id.as_str()).await?;
    promote(
        wf,
        &mut unit,
        &mut queued,
        &delivery,
        session,
        enrolments,
        &learners,
    )
    .await?;
    unit.commit().await?;
    queued.log(wf);
    Ok(Ok(next))
}

fn unavailable() -> ValidationError {
    ValidationError::new(
        "enrolment.unavailable",
        "この回は申込みを受け付けていません（中止、または申込みの準備ができていません）。",
        "This session does not take applications (it is cancelled, or not set up for them).",
    )
}

fn profile_missing() -> ValidationError {
    ValidationError::new(
        "learner.profile_missing",
        "申し込むには、氏名（漢字・カナ）を入力し、提供者に伝わる情報に同意してください。",
        "To apply, enter your name (kanji and kana) and agree to what the provider will see.",
    )
    .for_field("name")
}

/// The delivery of a published, not cancelled session, or why one cannot apply to it.
async fn open_session(
    wf: &Workflow,
    session_id: &str,
) -> Result<(Delivery, CatalogueSession), WorkflowError> {
    let session = catalogue_session(wf, session_id).await?;
    let delivery = wf
        .store
        .delivery(session_id)
        .await?
        .ok_or_else(|| WorkflowError::Invalid(unavailable()))?;
    if session.session.cancelled {
        return Err(WorkflowError::Invalid(unavailable()));
    }
    Ok((delivery, session))
}

/// D01, D02, B32: anyone signed in applies; a free seat is theirs, else they wait in line.
/// `profile`, when given, is saved in the same unit (the enrolment form carries it).
pub async fn enrol(
    wf: &Workflow,
    session_id: &str,
    account_id: &str,
    email: &str,
    profile: Option<&LearnerProfile>,
) -> Result<Enrolment, WorkflowError> {
    let (delivery, session) = open_session(wf, session_id).await?;
    let now = wf.now();
    d02_enrolment_window(&delivery.plan, now)?;
    if profile.is_none() && wf.store.learner(account_id).await?.is_none() {
        return Err(WorkflowError::Invalid(profile_missing()));
    }
    let mut unit = wf.store.write().await?;
    if let Some(p) = profile {
        unit.save_learner(account_id, p, now).await?;
    }
    let enrolments = unit.enrolments_for_update(session_id).await?;
    let earlier = enrolments.iter().find(|e| e.account_id == account_id);
    if earlier.is_some_and(|e| {
        matches!(
            e.status,
            EnrolmentStatus::Enrolled | EnrolmentStatus::Waiting | EnrolmentStatus::Offered
        )
    }) {
        return Err(WorkflowError::Conflict(
            koshu_store::Conflict::AlreadyEnrolled,
        ));
    }
    let status = d01_place(delivery.plan.capacity, seats_held(&enrolments));
    let enrolment = Enrolment {
        id: earlier.map_or_else(|| uuid::Uuid::now_v7().to_string(), |e| e.id.clone()),
        session_id: session_id.to_owned(),
        account_id: account_id.to_owned(),
        status,
        queue_no: enrolments.iter().map(|e| e.queue_no).max().unwrap_or(0) + 1,
        offer_until: None,
        cancelled_by: None,
        created_at: earlier.map_or(now, |e| e.created_at),
        updated_at: now,
    };
    let actor = crate::account_actor(account_id);
    unit.put_enrolment(&enrolment, "enrolment.enrol", &actor)
        .await?;
    let mut queued = Queued::default();
    let mail = if status == EnrolmentStatus::Enrolled {
        seat_mail(wf, email, &delivery, &session, &enrolment)
    } else {
        let ahead = enrolments
            .iter()
            .filter(|e| e.status == EnrolmentStatus::Waiting)
            .count()
            + 1;
        waiting_mail(wf, email, &session, ahead)
    };
    queued.push(wf, &mut unit, mail).await?;
    unit.commit().await?;
    queued.log(wf);
    Ok(enrolment)
}

fn seats_held(enrolments: &[Enrolment]) -> u32 {
    u32::try_from(enrolments.iter().filter(|e| e.status.holds_seat()).count()).unwrap_or(u32::MAX)
}

/// Fills free seats from the waiting list, in order of application (D01): an offer with a
/// deadline to confirm, or the seat itself when the session is too close for one. Each
/// promoted learner gets a mail; an offer's lapse is scheduled.
async fn promote(
    wf: &Workflow,
    unit: &mut UnitOfWork,
    queued: &mut Queued,
    delivery: &Delivery,
    session: &CatalogueSession,
    mut enrolments: Vec<Enrolment>,
    learners: &[Learner],
) -> Result<(), WorkflowError> {
    let now = wf.now();
    enrolments.sort_by_key(|e| e.queue_no);
    while seats_held(&enrolments) < delivery.plan.capacity {
        let Some(next) = enrolments
            .iter_mut()
            .find(|e| e.status == EnrolmentStatus::Waiting)
        else {
            break;
        };
        let email = learners
            .iter()
            .find(|l| l.account_id == next.account_id)
            .map(|l| l.email.clone())
            .unwrap_or_default();
        next.updated_at = now;
        let mail = match d01_promotion(&delivery.plan, now) {
            Promotion::Offer { until } => {
                next.status = EnrolmentStatus::Offered;
                next.offer_until = Some(until);
                unit.schedule_job(
                    &koshu_store::jobs::NewJob {
                        kind: OFFER_LAPSE,
                        run_at: until,
                        payload: &serde_json::to_string(&OfferPayload {
                            enrolment: next.id.clone(),
                        })?,
                        dedupe_key: Some(&format!("offer:{}", next.id)),
                    },
                    now,
                )
                .await?;
                offer_mail(wf, &email, session, next, until)
            }
            Promotion::Seat => {
                next.status = EnrolmentStatus::Enrolled;
                next.offer_until = None;
                seat_mail(wf, &email, delivery, session, next)
            }
        };
        unit.put_enrolment(next, "enrolment.promote", crate::SYSTEM)
            .await?;
        if !email.is_empty() {
            queued.push(wf, unit, mail).await?;
        }
    }
    Ok(())
}

#[derive(Debug, Serialize, Deserialize)]
struct OfferPayload {
    enrolment: String,
}

/// What a cancellation, a confirmation or a lapse starts from: the enrolment, its session,
/// and the learners of the session (for the mails of those promoted).
struct Context {
    enrolment: Enrolment,
    delivery: Delivery,
    session: CatalogueSession,
    learners: Vec<Learner>,
}

async fn context(wf: &Workflow, enrolment_id: &str) -> Result<Context, WorkflowError> {
    let enrolment = wf
        .store
        .enrolment(enrolment_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let session = catalogue_session(wf, &enrolment.session_id).await?;
    let delivery = wf
        .store
        .delivery(&enrolment.session_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let learners = wf.store.learners_of_session(&enrolment.session_id).await?;
    Ok(Context {
        enrolment,
        delivery,
        session,
        learners,
    })
}

/// The enrolment as it stands in `unit`; `Conflict::StatusChanged` when it moved since it
/// was read (a second click, the provider at the same moment).
fn current(enrolments: &[Enrolment], read: &Enrolment) -> Result<Enrolment, WorkflowError> {
    enrolments
        .iter()
        .find(|e| e.id == read.id && e.status == read.status)
        .cloned()
        .ok_or(WorkflowError::Conflict(
            koshu_store::Conflict::StatusChanged,
        ))
}

/// The enrolment's learner, or the provider, cancels it; a seat it held goes to the next in
/// line in the same unit.
pub async fn cancel(
    wf: &Workflow,
    enrolment_id: &str,
    by: CancelledBy,
    actor: &str,
) -> Result<Enrolment, WorkflowError> {
    let cx = context(wf, enrolment_id).await?;
    d01_may_cancel(cx.enrolment.status)?;
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    let mut enrolments = unit.enrolments_for_update(&cx.enrolment.session_id).await?;
    let mut cancelled = current(&enrolments, &cx.enrolment)?;
    cancelled.status = EnrolmentStatus::Cancelled;
    cancelled.cancelled_by = Some(by);
    cancelled.offer_until = None;
    cancelled.updated_at = now;
    unit.put_enrolment(&cancelled, "enrolment.cancel", actor)
        .await?;
    for e in &mut enrolments {
        if e.id == cancelled.id {
            *e = cancelled.clone();
        }
    }
    let mut queued = Queued::default();
    if let Some(l) = cx
        .learners
        .iter()
        .find(|l| l.account_id == cancelled.account_id)
    {
        let mail = cancelled_mail(wf, &l.email, &cx.session, by);
        queued.push(wf, &mut unit, mail).await?;
    }
    promote(
        wf,
        &mut unit,
        &mut queued,
        &cx.delivery,
        &cx.session,
        enrolments,
        &cx.learners,
    )
    .await?;
    unit.commit().await?;
    queued.log(wf);
    Ok(cancelled)
}

fn offer_over() -> ValidationError {
    ValidationError::new(
        "enrolment.offer_over",
        "繰り上げの確認期限を過ぎました。席は次の方に回りました。",
        "The time to confirm the offered seat has passed; it went to the next person in line.",
    )
}

/// The learner takes the seat they were offered, before its deadline.
pub async fn confirm_offer(
    wf: &Workflow,
    enrolment_id: &str,
    actor: &str,
) -> Result<Enrolment, WorkflowError> {
    let cx = context(wf, enrolment_id).await?;
    let now = wf.now();
    if cx.enrolment.status != EnrolmentStatus::Offered
        || cx.enrolment.offer_until.is_some_and(|until| now > until)
    {
        return Err(WorkflowError::Invalid(offer_over()));
    }
    let mut unit = wf.store.write().await?;
    let enrolments = unit.enrolments_for_update(&cx.enrolment.session_id).await?;
    let mut taken = current(&enrolments, &cx.enrolment)?;
    taken.status = EnrolmentStatus::Enrolled;
    taken.offer_until = None;
    taken.updated_at = now;
    unit.put_enrolment(&taken, "enrolment.confirm", actor)
        .await?;
    let mut queued = Queued::default();
    if let Some(l) = cx
        .learners
        .iter()
        .find(|l| l.account_id == taken.account_id)
    {
        let mail = seat_mail(wf, &l.email, &cx.delivery, &cx.session, &taken);
        queued.push(wf, &mut unit, mail).await?;
    }
    unit.commit().await?;
    queued.log(wf);
    Ok(taken)
}

/// Job: an offer not confirmed by its deadline lapses, and the seat is offered to the next
/// in line. Finds its work done when the offer was confirmed or cancelled meanwhile.
pub async fn lapse_offer(
    wf: Workflow,
    job: koshu_store::jobs::Job,
) -> Result<JobOutcome, WorkflowError> {
    let payload: OfferPayload = serde_json::from_str(&job.payload)?;
    let cx = context(&wf, &payload.enrolment).await?;
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    let mut enrolments = unit.enrolments_for_update(&cx.enrolment.session_id).await?;
    let Some(offered) = enrolments
        .iter_mut()
        .find(|e| e.id == payload.enrolment && e.status == EnrolmentStatus::Offered)
    else {
        unit.complete_job(&job.id, now).await?;
        unit.commit().await?;
        return Ok(JobOutcome::AlreadyDone);
    };
    offered.status = EnrolmentStatus::Lapsed;
    offered.offer_until = None;
    offered.updated_at = now;
    let lapsed = offered.clone();
    unit.put_enrolment(&lapsed, "enrolment.lapse", crate::SYSTEM)
        .await?;
    let mut queued = Queued::default();
    if let Some(l) = cx
        .learners
        .iter()
        .find(|l| l.account_id == lapsed.account_id)
    {
        let mail = lapsed_mail(&wf, &l.email, &cx.session);
        queued.push(&wf, &mut unit, mail).await?;
    }
    promote(
        &wf,
        &mut unit,
        &mut queued,
        &cx.delivery,
        &cx.session,
        enrolments,
        &cx.learners,
    )
    .await?;
    unit.complete_job(&job.id, now).await?;
    unit.commit().await?;
    queued.log(&wf);
    Ok(JobOutcome::Done)
}

// Mails. Each names the course and the session's dates; a confirmed seat carries the blocks as
// an iCalendar file.

pub(crate) fn session_dates(session: &CatalogueSession) -> String {
    let s = &session.session;
    if s.starts_on == s.ends_on {
        koshu_domain::types::date_ja_with_weekday(s.starts_on)
    } else {
        format!(
            "{}〜{}",
            koshu_domain::types::date_ja_with_weekday(s.starts_on),
            koshu_domain::types::date_ja_with_weekday(s.ends_on)
        )
    }
}

pub(crate) fn learner_mail(
    wf: &Workflow,
    to: &str,
    subject: (&str, &str),
    ja: &str,
    en: &str,
    calendar: Option<String>,
) -> Mail {
    let url = link(wf, "/learning");
    Mail {
        to: to.to_owned(),
        subject: format!("【Koshu】{} / {}", subject.0, subject.1),
        body: format!("{ja}\n\n{url}\n\n---\n\n{en}\n\n{url}\n{SIGNATURE}"),
        calendar,
    }
}

/// The blocks of the session as calendar entries.
pub fn calendar(
    wf: &Workflow,
    delivery: &Delivery,
    session: &CatalogueSession,
    enrolment: &Enrolment,
) -> String {
    let plan = &delivery.plan;
    let n = plan.timetable.len();
    let place = plan.venue.clone().or_else(|| plan.online_room.clone());
    let events: Vec<CalendarEvent> = plan
        .timetable
        .iter()
        .map(|b| CalendarEvent {
            uid: format!("{}-{}@koshu", enrolment.id, b.number),
            when: When::Timed {
                starts: b.starts(JST),
                ends: b.ends(JST),
            },
            summary: format!("{}（{}/{n}）", session.title(), b.number),
            location: place.clone(),
            description: format!(
                "{}\n受付で本人確認をします（登録セキスペの方は登録番号も確認します）。/ Your identity (and RISS number) is checked at the start.",
                b.items
            ),
            url: Some(link(wf, &format!("/learning/{}", enrolment.id))),
        })
        .collect();
    ics(&events, wf.now())
}

fn seat_mail(
    wf: &Workflow,
    to: &str,
    delivery: &Delivery,
    session: &CatalogueSession,
    enrolment: &Enrolment,
) -> Mail {
    let title = session.title();
    let dates = session_dates(session);
    let place = delivery
        .plan
        .venue
        .clone()
        .or_else(|| delivery.plan.online_room.clone())
        .unwrap_or_default();
    learner_mail(
        wf,
        to,
        ("受講が確定しました", "Your place is confirmed"),
        &format!(
            "「{title}」（{dates}）の受講が確定しました。\n会場・参加先：{place}\n受講料：{}\n当日は開始時に本人確認（登録セキスペの方は登録番号の確認）を行います。\n日程は添付の予定表（koshu.ics）でカレンダーに追加できます。",
            delivery.plan.fee.ja()
        ),
        &format!(
            "Your place in \"{title}\" ({dates}) is confirmed.\nWhere: {place}\nFee: {}\nYour identity (and RISS number) is checked at the start. The attached koshu.ics puts the dates in your calendar.",
            delivery.plan.fee.en()
        ),
        Some(calendar(wf, delivery, session, enrolment)),
    )
}

fn waiting_mail(wf: &Workflow, to: &str, session: &CatalogueSession, position: usize) -> Mail {
    let title = session.title();
    let dates = session_dates(session);
    learner_mail(
        wf,
        to,
        (
            "キャンセル待ちで受け付けました",
            "You are on the waiting list",
        ),
        &format!(
            "「{title}」（{dates}）は満席のため、キャンセル待ち（{position}番目）で受け付けました。\n席が空くと、申込み順にメールでお知らせします。"
        ),
        &format!(
            "\"{title}\" ({dates}) is full: you are number {position} on the waiting list.\nWhen a seat frees, people are told by mail in the order they applied."
        ),
        None,
    )
}

fn offer_mail(
    wf: &Workflow,
    to: &str,
    session: &CatalogueSession,
    enrolment: &Enrolment,
    until: OffsetDateTime,
) -> Mail {
    let title = session.title();
    let dates = session_dates(session);
    let by = jst_time(until);
    let url = link(wf, &format!("/learning/{}", enrolment.id));
    learner_mail(
        wf,
        to,
        (
            "席が空きました：受講の確認をお願いします",
            "A seat is free: please confirm",
        ),
        &format!(
            "「{title}」（{dates}）に空きが出ました。{by}までに次のページで受講を確定してください。期限を過ぎると、席は次の方に回ります。\n{url}"
        ),
        &format!(
            "A seat in \"{title}\" ({dates}) is free for you. Confirm it on the page below by {by} (Japan time); after that it goes to the next person in line.\n{url}"
        ),
        None,
    )
}

fn cancelled_mail(wf: &Workflow, to: &str, session: &CatalogueSession, by: CancelledBy) -> Mail {
    let title = session.title();
    let dates = session_dates(session);
    let (ja, en) = match by {
        CancelledBy::Learner => (
            format!("「{title}」（{dates}）の申込みを取り消しました。"),
            format!("Your application for \"{title}\" ({dates}) is cancelled."),
        ),
        CancelledBy::Provider => (
            format!(
                "「{title}」（{dates}）の申込みは、講座の提供者により取り消されました。詳しくは提供者の問合せ窓口にお尋ねください。"
            ),
            format!(
                "The provider cancelled your application for \"{title}\" ({dates}). Please ask the provider's inquiry desk for details."
            ),
        ),
    };
    learner_mail(
        wf,
        to,
        ("申込みを取り消しました", "Application cancelled"),
        &ja,
        &en,
        None,
    )
}

fn lapsed_mail(wf: &Workflow, to: &str, session: &CatalogueSession) -> Mail {
    let title = session.title();
    learner_mail(
        wf,
        to,
        (
            "繰り上げの確認期限が過ぎました",
            "The offered seat has lapsed",
        ),
        &format!(
            "「{title}」の空席の確認期限が過ぎたため、席は次の方に回りました。改めて申し込むことができます。"
        ),
        &format!(
            "The time to confirm the free seat in \"{title}\" has passed and it went to the next person in line. You may apply again."
        ),
        None,
    )
}

// Attendance.

fn not_enrolled() -> ValidationError {
    ValidationError::new(
        "attendance.not_enrolled",
        "この回の受講が確定している方だけが出席を記録できます。",
        "Only learners with a confirmed place in this session can record attendance.",
    )
}

/// A block number that names no block of the timetable (or is no number).
pub fn no_such_block() -> ValidationError {
    ValidationError::new(
        "attendance.block",
        "時間割にないコマです。",
        "There is no such block in the timetable.",
    )
    .for_field("block")
}

/// The session's delivery, or `NotFound`: a session not set up takes no attendance.
pub(crate) async fn delivery_of(
    wf: &Workflow,
    session_id: &str,
) -> Result<Delivery, WorkflowError> {
    wf.store
        .delivery(session_id)
        .await?
        .ok_or(WorkflowError::NotFound)
}

fn block_of(delivery: &Delivery, number: u32) -> Result<&Block, WorkflowError> {
    delivery
        .plan
        .timetable
        .iter()
        .find(|b| b.number == number)
        .ok_or_else(|| WorkflowError::Invalid(no_such_block()))
}

/// The learner's confirmed place in the session, or the use case's `refusal` of anyone else.
pub(crate) async fn enrolled(
    wf: &Workflow,
    session_id: &str,
    account_id: &str,
    refusal: fn() -> ValidationError,
) -> Result<Enrolment, WorkflowError> {
    wf.store
        .enrolment_of(session_id, account_id)
        .await?
        .filter(|e| e.status == EnrolmentStatus::Enrolled)
        .ok_or_else(|| WorkflowError::Invalid(refusal()))
}

/// How an identity was checked (B30 ①).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityMethod {
    /// A photo ID at the venue: 運転免許証, マイナンバーカード, パスポート, …
    PhotoId,
    /// The ID shown to the camera, for remote learners.
    Video,
}

impl IdentityMethod {
    pub fn code(self) -> &'static str {
        match self {
            Self::PhotoId => "photo_id",
            Self::Video => "video",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "photo_id" => Some(Self::PhotoId),
            "video" => Some(Self::Video),
            _ => None,
        }
    }
}

/// What comparing the RISS number gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RissResult {
    /// The number on the 登録証 (or IPA's register) is the one registered here.
    Matches,
    Differs,
    /// The learner is not a 登録セキスペ.
    NotRegistered,
}

impl RissResult {
    pub fn code(self) -> &'static str {
        match self {
            Self::Matches => "matches",
            Self::Differs => "differs",
            Self::NotRegistered => "not_registered",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "matches" => Some(Self::Matches),
            "differs" => Some(Self::Differs),
            "not_registered" => Some(Self::NotRegistered),
            _ => None,
        }
    }
}

fn not_a_session_day() -> ValidationError {
    ValidationError::new(
        "attendance.day",
        "この日はこの回の開催日ではありません。",
        "This session does not meet on that day.",
    )
    .for_field("day")
}

/// B30 ①: staff record that they checked a learner's identity (and RISS number) on a day of
/// the session.
#[allow(clippy::too_many_arguments, reason = "one check, every part named")]
pub async fn check_identity(
    wf: &Workflow,
    session_id: &str,
    account_id: &str,
    day: Date,
    method: IdentityMethod,
    riss: RissResult,
    note: Option<&str>,
    actor: &str,
) -> Result<(), WorkflowError> {
    let delivery = delivery_of(wf, session_id).await?;
    if !delivery.plan.timetable.iter().any(|b| b.day == day) {
        return Err(WorkflowError::Invalid(not_a_session_day()));
    }
    enrolled(wf, session_id, account_id, not_enrolled).await?;
    let mut unit = wf.store.write().await?;
    unit.record_identity_check(
        &NewIdentityCheck {
            session_id,
            account_id,
            day,
            method: method.code(),
            riss_result: riss.code(),
            note,
        },
        actor,
        wf.now(),
    )
    .await?;
    unit.commit().await?;
    Ok(())
}

fn sealed() -> ValidationError {
    ValidationError::new(
        "attendance.sealed",
        "この日の出欠は確定（封印）済みです。訂正は運営者が理由を付けて記録します。",
        "This day's attendance is sealed; staff record corrections, with a reason.",
    )
}

fn outside_block() -> ValidationError {
    ValidationError::new(
        "attendance.outside_block",
        "このコマの受付時間外です（開始30分前から終了まで）。",
        "This block does not take check-ins now (from 30 minutes before its start to its end).",
    )
}

/// Whether the learner enters or leaves the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
}

/// B30 ②, D03: a signed-in learner enters the code shown at the venue for a block; a code
/// shown more than a minute ago (a photo, yesterday's) is refused.
pub async fn check_in(
    wf: &Workflow,
    session_id: &str,
    account_id: &str,
    block: u32,
    code: &str,
    direction: Direction,
) -> Result<(), WorkflowError> {
    let delivery = delivery_of(wf, session_id).await?;
    let b = block_of(&delivery, block)?;
    let now = wf.now();
    if now < b.starts(JST) - Duration::minutes(30) || now > b.ends(JST) {
        return Err(WorkflowError::Invalid(outside_block()));
    }
    enrolled(wf, session_id, account_id, not_enrolled).await?;
    if wf
        .store
        .seals(session_id)
        .await?
        .iter()
        .any(|s| s.day == b.day)
    {
        return Err(WorkflowError::Invalid(sealed()));
    }
    check_code(
        delivery.code_secret.as_bytes(),
        session_id,
        block,
        code,
        now,
    )
    .map_err(|e| WorkflowError::Invalid(e.for_field("code")))?;
    let mut unit = wf.store.write().await?;
    unit.append_attendance(
        &[NewAttendanceEvent {
            session_id,
            account_id,
            block_no: block,
            kind: match direction {
                Direction::In => "check_in",
                Direction::Out => "check_out",
            },
            at: now,
            until: None,
            source: "code",
            reason: None,
        }],
        "attendance.check",
        &crate::account_actor(account_id),
        now,
    )
    .await?;
    unit.commit().await?;
    Ok(())
}

fn reason_missing() -> ValidationError {
    ValidationError::new(
        "attendance.reason",
        "記録の理由を入力してください（例：受付で確認、コード入力の不具合）。",
        "Give the reason for the record (for example: seen at reception, the code did not work).",
    )
    .for_field("reason")
}

fn identity_first() -> ValidationError {
    ValidationError::new(
        "attendance.identity_not_checked",
        "本人確認が済んでいない受講者は出席にできません。先に本人確認を記録してください。",
        "A learner whose identity has not been checked cannot be marked present: record the check first.",
    )
}

/// Staff mark a learner present for a whole block, or absent, with the reason; also a
/// correction after the day is sealed (a new entry, B19). Present needs the day's identity
/// check (B30 ①).
pub async fn mark(
    wf: &Workflow,
    session_id: &str,
    account_id: &str,
    block: u32,
    present: bool,
    reason: &str,
    actor: &str,
) -> Result<(), WorkflowError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(WorkflowError::Invalid(reason_missing()));
    }
    let delivery = delivery_of(wf, session_id).await?;
    let b = block_of(&delivery, block)?;
    enrolled(wf, session_id, account_id, not_enrolled).await?;
    if present
        && !wf
            .store
            .identity_checks(session_id)
            .await?
            .iter()
            .any(|c| c.account_id == account_id && c.day == b.day)
    {
        return Err(WorkflowError::Invalid(identity_first()));
    }
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    unit.append_attendance(
        &[NewAttendanceEvent {
            session_id,
            account_id,
            block_no: block,
            kind: if present {
                "staff_present"
            } else {
                "staff_absent"
            },
            at: b.starts(JST),
            until: present.then(|| b.ends(JST)),
            source: "staff",
            reason: Some(reason),
        }],
        "attendance.mark",
        actor,
        now,
    )
    .await?;
    unit.commit().await?;
    Ok(())
}

fn not_over() -> ValidationError {
    ValidationError::new(
        "attendance.day_not_over",
        "この日のコマがすべて終わってから確定（封印）してください。",
        "Seal a day once all its blocks have ended.",
    )
    .for_field("day")
}

/// B19: closes a session day; its evidence's digest goes into the audit chain, so that a
/// later change to it is noticed (`koshu audit verify`).
pub async fn seal_day(
    wf: &Workflow,
    session_id: &str,
    day: Date,
    actor: &str,
) -> Result<Seal, WorkflowError> {
    let delivery = delivery_of(wf, session_id).await?;
    let last_end = delivery
        .plan
        .timetable
        .iter()
        .filter(|b| b.day == day)
        .map(|b| b.ends(JST))
        .max()
        .ok_or_else(|| WorkflowError::Invalid(not_a_session_day()))?;
    if wf.now() < last_end {
        return Err(WorkflowError::Invalid(not_over()));
    }
    let mut unit = wf.store.write().await?;
    let seal = unit.seal_day(session_id, day, actor, wf.now()).await?;
    unit.commit().await?;
    Ok(seal)
}

// Meeting-tool reports (D03 evidence from the tools providers use).

/// A row of a report as kept: what the file said, and the learner it was matched to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRow {
    pub name: String,
    pub email: Option<String>,
    pub joined_us: i64,
    pub left_us: i64,
    pub account_id: Option<String>,
}

/// The learners with a confirmed place in the session: whom reports match and staff mark.
pub async fn enrolled_learners(
    wf: &Workflow,
    session_id: &str,
) -> Result<Vec<Learner>, WorkflowError> {
    let enrolled: Vec<String> = wf
        .store
        .enrolments_of_session(session_id)
        .await?
        .into_iter()
        .filter(|e| e.status == EnrolmentStatus::Enrolled)
        .map(|e| e.account_id)
        .collect();
    Ok(wf
        .store
        .learners_of_session(session_id)
        .await?
        .into_iter()
        .filter(|l| enrolled.contains(&l.account_id))
        .collect())
}

/// Reconnects within a minute are one stay.
const RECONNECT: Duration = Duration::minutes(1);

fn intervals_of<'a>(rows: impl Iterator<Item = &'a ReportRow>) -> Vec<Interval> {
    merge_intervals(
        rows.map(|r| Interval {
            from: at_micros(r.joined_us),
            to: at_micros(r.left_us),
        })
        .collect(),
        RECONNECT,
    )
}

/// Reads a Zoom, Teams or BigBlueButton participant report for a block, keeps the file, and
/// records each matched learner's merged stays; unmatched rows stay listed for staff to match.
/// A file that cannot be read changes nothing. Returns the report's id.
pub async fn import_report(
    wf: &Workflow,
    session_id: &str,
    block: u32,
    file_name: &str,
    bytes: bytes::Bytes,
    actor: &str,
) -> Result<String, WorkflowError> {
    let delivery = delivery_of(wf, session_id).await?;
    block_of(&delivery, block)?;
    let report = koshu_forms::participants::read_report(&bytes, JST)
        .map_err(|e| WorkflowError::Invalid(e.for_field("report")))?;
    let learners = enrolled_learners(wf, session_id).await?;
    let rows: Vec<ReportRow> = report
        .rows
        .iter()
        .map(|r| ReportRow {
            name: r.name.clone(),
            email: r.email.clone(),
            joined_us: koshu_store::delivery::micros(r.joined),
            left_us: koshu_store::delivery::micros(r.left),
            account_id: r.email.as_ref().and_then(|email| {
                learners
                    .iter()
                    .find(|l| l.email.eq_ignore_ascii_case(email))
                    .map(|l| l.account_id.clone())
            }),
        })
        .collect();
    let file = wf
        .store
        .save_file(file_name, "text/csv", bytes, actor, wf.now())
        .await?;
    let id = uuid::Uuid::now_v7().to_string();
    let record = ParticipantReportRecord {
        id: id.clone(),
        session_id: session_id.to_owned(),
        block_no: i64::from(block),
        tool: report.tool.code().to_owned(),
        file_id: file.id,
        sha256: file.sha256,
        rows: serde_json::to_string(&rows)?,
        uploaded_by: actor.to_owned(),
        uploaded_at: wf.now(),
    };
    let mut unit = wf.store.write().await?;
    unit.save_participant_report(&record).await?;
    record_stays(wf, &mut unit, session_id, block, &id, &rows, actor).await?;
    unit.commit().await?;
    Ok(id)
}

/// The merged stays of each matched learner in `rows`, as interval evidence.
async fn record_stays(
    wf: &Workflow,
    unit: &mut UnitOfWork,
    session_id: &str,
    block: u32,
    report_id: &str,
    rows: &[ReportRow],
    actor: &str,
) -> Result<(), WorkflowError> {
    let source = format!("report:{report_id}");
    let mut accounts: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.account_id.as_deref())
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    let mut events = Vec::new();
    for account in accounts {
        for i in intervals_of(
            rows.iter()
                .filter(|r| r.account_id.as_deref() == Some(account)),
        ) {
            events.push(NewAttendanceEvent {
                session_id,
                account_id: account,
                block_no: block,
                kind: "interval",
                at: i.from,
                until: Some(i.to),
                source: &source,
                reason: None,
            });
        }
    }
    unit.append_attendance(&events, "attendance.report", actor, wf.now())
        .await?;
    Ok(())
}

/// The rows of a report that matched nobody, with their index in the report.
pub fn unmatched(
    record: &ParticipantReportRecord,
) -> Result<Vec<(usize, ReportRow)>, WorkflowError> {
    let rows: Vec<ReportRow> = serde_json::from_str(&record.rows)?;
    Ok(rows
        .into_iter()
        .enumerate()
        .filter(|(_, r)| r.account_id.is_none())
        .collect())
}

/// Staff match an unmatched row (and every other unmatched row of the same name) to an
/// enrolled learner; their stays are recorded from it.
pub async fn match_row(
    wf: &Workflow,
    session_id: &str,
    report_id: &str,
    row: usize,
    account_id: &str,
    actor: &str,
) -> Result<(), WorkflowError> {
    let mut record = wf
        .store
        .participant_reports(session_id)
        .await?
        .into_iter()
        .find(|r| r.id == report_id)
        .ok_or(WorkflowError::NotFound)?;
    enrolled(wf, session_id, account_id, not_enrolled).await?;
    let mut rows: Vec<ReportRow> = serde_json::from_str(&record.rows)?;
    let name = rows
        .get(row)
        .filter(|r| r.account_id.is_none())
        .map(|r| r.name.clone())
        .ok_or(WorkflowError::Conflict(
            koshu_store::Conflict::RevisionChanged,
        ))?;
    let mut newly = Vec::new();
    for r in &mut rows {
        if r.account_id.is_none() && r.name == name {
            r.account_id = Some(account_id.to_owned());
            newly.push(r.clone());
        }
    }
    record.rows = serde_json::to_string(&rows)?;
    let block = u32::try_from(record.block_no).unwrap_or(0);
    let mut unit = wf.store.write().await?;
    unit.save_participant_report(&record).await?;
    record_stays(wf, &mut unit, session_id, block, report_id, &newly, actor).await?;
    unit.commit().await?;
    Ok(())
}

// The roster: everything staff see of a session, computed from the records.

/// One learner's line.
#[derive(Debug, Clone)]
pub struct RosterLine {
    pub enrolment: Enrolment,
    pub learner: Option<Learner>,
    /// The newest identity check of each session day.
    pub identity: Vec<IdentityCheck>,
    /// One per block of the timetable, in its order (empty unless enrolled).
    pub blocks: Vec<BlockAttendance>,
    pub presence: Presence,
    /// The evidence of the block under way (from a quarter of an hour before it), if one is.
    pub current: Vec<Evidence>,
}

/// A session's roster at a moment.
#[derive(Debug, Clone)]
pub struct Roster {
    pub delivery: Delivery,
    pub lines: Vec<RosterLine>,
    pub seals: Vec<Seal>,
    pub events: Vec<AttendanceEvent>,
}

fn evidence_of(e: &AttendanceEvent) -> Option<Evidence> {
    let at = at_micros(e.at_us);
    let until = e.until_us.map(at_micros);
    Some(match (e.kind.as_str(), until) {
        ("check_in", _) => Evidence::CheckIn { at },
        ("check_out", _) => Evidence::CheckOut { at },
        ("interval", Some(to)) => Evidence::Interval { from: at, to },
        ("staff_present", Some(to)) => Evidence::StaffPresent { from: at, to },
        ("staff_absent", _) => Evidence::StaffAbsent,
        _ => return None,
    })
}

/// Heartbeats count from a quarter of an hour before a block (people join early).
const EARLY: Duration = Duration::minutes(15);

/// The roster at `now`: each enrolment, its learner, identity checks, and the attendance of
/// each block decided by the domain from the evidence (D03).
pub async fn roster(wf: &Workflow, session_id: &str) -> Result<Roster, WorkflowError> {
    let delivery = delivery_of(wf, session_id).await?;
    let enrolments = wf.store.enrolments_of_session(session_id).await?;
    let learners = wf.store.learners_of_session(session_id).await?;
    let checks = wf.store.identity_checks(session_id).await?;
    let events = wf.store.attendance_events(session_id).await?;
    let plan = &delivery.plan;
    let (from, to) = (
        plan.timetable.iter().map(|b| b.starts(JST)).min(),
        plan.timetable.iter().map(|b| b.ends(JST)).max(),
    );
    let beats = match (from, to) {
        (Some(f), Some(t)) => wf.store.heartbeats(session_id, f - EARLY, t).await?,
        _ => std::collections::HashMap::new(),
    };
    let now = wf.now();
    let lines = enrolments
        .into_iter()
        .map(|enrolment| {
            let account = enrolment.account_id.clone();
            let mine: Vec<&AttendanceEvent> =
                events.iter().filter(|e| e.account_id == account).collect();
            let my_beats: Vec<OffsetDateTime> = beats
                .get(&account)
                .map(|times| times.iter().map(|at| at_micros(*at)).collect())
                .unwrap_or_default();
            let mut identity: Vec<IdentityCheck> = Vec::new();
            for c in checks.iter().filter(|c| c.account_id == account) {
                identity.retain(|k| k.day != c.day);
                identity.push(c.clone());
            }
            let enrolled = enrolment.status == EnrolmentStatus::Enrolled;
            let blocks = if enrolled {
                plan.timetable
                    .iter()
                    .map(|b| {
                        let evidence = block_evidence(b, &mine, &my_beats);
                        d03_block_attendance(
                            b.starts(JST),
                            b.ends(JST),
                            identity.iter().any(|c| c.day == b.day),
                            &evidence,
                            &plan.thresholds,
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let current: Vec<Evidence> = match plan
                .timetable
                .iter()
                .find(|b| now >= b.starts(JST) - EARLY && now <= b.ends(JST))
            {
                Some(b) => block_evidence(b, &mine, &my_beats),
                None => Vec::new(),
            };
            RosterLine {
                learner: learners.iter().find(|l| l.account_id == account).cloned(),
                identity,
                blocks,
                presence: d03_currently_present(&current, now, &plan.thresholds),
                current,
                enrolment,
            }
        })
        .collect();
    Ok(Roster {
        seals: wf.store.seals(session_id).await?,
        delivery,
        lines,
        events,
    })
}

fn block_evidence(
    b: &Block,
    events: &[&AttendanceEvent],
    beats: &[OffsetDateTime],
) -> Vec<Evidence> {
    let (from, to) = (b.starts(JST) - EARLY, b.ends(JST));
    events
        .iter()
        .filter(|e| e.block_no == i64::from(b.number))
        .filter_map(|e| evidence_of(e))
        .chain(
            beats
                .iter()
                .filter(|at| **at >= from && **at <= to)
                .map(|at| Evidence::Heartbeat { at: *at }),
        )
        .collect()
}

//! Progress against the standard learning time and the 要フォロー list (issue 16; B11, D04).
//! Progress is recomputed at a moment from the attendance evidence (live items) and the item
//! pages' reports (on demand); the domain decides who is stalled; a follow-up is one unit.

use crate::delivery::{Roster, RosterLine, roster};
use crate::{JST, Workflow, WorkflowError};
use koshu_domain::ValidationError;
use koshu_domain::delivery::{
    Activity, ActivityKind, Block, ContactMethod, EnrolmentStatus, FollowUpMark, FollowUpOutcome,
    ItemMode, ItemProgress, PlanItem, Stall, StallSubject, d04_behind_on_demand, d04_idle_in_block,
    d04_live_progress, d04_needs_follow_up, d04_on_demand_progress, effective_curriculum,
};
use koshu_domain::types::text::{TextKind, check_text};
use koshu_store::progress::{FollowUp, NewFollowUp, ProgressEvent};
use time::{OffsetDateTime, PrimitiveDateTime, Time};

/// One learner's progress on every item, and their stalls now.
#[derive(Debug, Clone)]
pub struct LearnerProgress {
    pub line: RosterLine,
    pub items: Vec<ItemProgress>,
    /// Stalls not yet followed up.
    pub stalls: Vec<Stall>,
    /// What was recorded about this learner, oldest first.
    pub follow_ups: Vec<FollowUp>,
}

/// A session's progress at a moment.
#[derive(Debug, Clone)]
pub struct Progress {
    pub roster: Roster,
    pub curriculum: Vec<PlanItem>,
    /// Enrolled learners only, in the roster's order.
    pub learners: Vec<LearnerProgress>,
    pub at: OffsetDateTime,
}

impl Progress {
    /// The 要フォロー list: every stall not followed up, the longest-standing first.
    pub fn needing_follow_up(&self) -> Vec<(&LearnerProgress, &Stall)> {
        let mut list: Vec<(&LearnerProgress, &Stall)> = self
            .learners
            .iter()
            .flat_map(|l| l.stalls.iter().map(move |s| (l, s)))
            .collect();
        list.sort_by_key(|(_, s)| s.since);
        list
    }

    /// What a stall is about, as the list names it.
    pub fn subject_title(&self, subject: StallSubject) -> String {
        match subject {
            StallSubject::Block { number } => {
                let items = self
                    .roster
                    .delivery
                    .plan
                    .timetable
                    .iter()
                    .find(|b| b.number == number)
                    .map(|b| b.items.clone())
                    .unwrap_or_default();
                format!("第{number}コマ {items}").trim_end().to_owned()
            }
            StallSubject::Item { number } => self
                .curriculum
                .iter()
                .find(|i| i.number == number)
                .map(|i| i.title.clone())
                .unwrap_or_default(),
        }
    }
}

fn item_progress(
    item: &PlanItem,
    timetable: &[Block],
    line: &RosterLine,
    events: &[Activity],
    now: OffsetDateTime,
) -> ItemProgress {
    match &item.mode {
        ItemMode::Live { blocks } => {
            let pairs: Vec<_> = timetable
                .iter()
                .zip(&line.blocks)
                .filter(|(b, _)| blocks.contains(&b.number))
                .collect();
            d04_live_progress(item, &pairs, now, JST)
        }
        ItemMode::OnDemand { from, due } => {
            d04_on_demand_progress(item, *from, *due, events, now, JST)
        }
    }
}

/// Every enrolled learner's progress and stalls at the workflow's now.
pub async fn progress(wf: &Workflow, session_id: &str) -> Result<Progress, WorkflowError> {
    let roster = roster(wf, session_id).await?;
    progress_of(wf, roster).await
}

/// The same, from a roster the caller has already computed at the workflow's now.
pub async fn progress_of(wf: &Workflow, roster: Roster) -> Result<Progress, WorkflowError> {
    let session_id = roster.delivery.session_id.clone();
    let session_id = session_id.as_str();
    let events = wf.store.progress_events(session_id).await?;
    let follow_ups = wf.store.follow_ups(session_id).await?;
    let now = wf.now();
    let plan = &roster.delivery.plan;
    let curriculum = effective_curriculum(&plan.curriculum, &plan.timetable);
    let running = plan
        .timetable
        .iter()
        .find(|b| now >= b.starts(JST) && now < b.ends(JST));
    let learners = roster
        .lines
        .iter()
        .filter(|l| l.enrolment.status == EnrolmentStatus::Enrolled)
        .map(|line| {
            let account = &line.enrolment.account_id;
            let learners_events = events.get(account.as_str()).map_or(&[][..], Vec::as_slice);
            let mine = |item: u32| -> Vec<Activity> {
                learners_events
                    .iter()
                    .filter(|e| e.item_no == item)
                    .map(|e| e.activity)
                    .collect()
            };
            let items: Vec<ItemProgress> = curriculum
                .iter()
                .map(|item| item_progress(item, &plan.timetable, line, &mine(item.number), now))
                .collect();
            let mut stalls: Vec<Stall> = running
                .and_then(|b| {
                    d04_idle_in_block(
                        b.number,
                        b.starts(JST),
                        b.ends(JST),
                        &line.current,
                        now,
                        &plan.pace,
                    )
                })
                .into_iter()
                .collect();
            for (item, p) in curriculum.iter().zip(&items) {
                if let ItemMode::OnDemand { from, due } = item.mode {
                    stalls.extend(d04_behind_on_demand(p, from, due, now, JST, &plan.pace));
                }
            }
            let mine: Vec<FollowUp> = follow_ups
                .iter()
                .filter(|f| &f.account_id == account)
                .cloned()
                .collect();
            let marks: Vec<FollowUpMark> = mine
                .iter()
                .map(|f| FollowUpMark {
                    subject: f.subject,
                    at: f.recorded_at,
                })
                .collect();
            stalls.retain(|s| d04_needs_follow_up(s, &marks));
            LearnerProgress {
                line: line.clone(),
                items,
                stalls,
                follow_ups: mine,
            }
        })
        .collect();
    Ok(Progress {
        curriculum,
        learners,
        at: now,
        roster,
    })
}

fn no_such_item() -> ValidationError {
    ValidationError::new(
        "progress.no_such_item",
        "この講習にその項目はありません。受講ページの一覧から選んでください。",
        "The course has no such item: please choose one from your course page.",
    )
    .for_field("item")
}

fn not_on_demand() -> ValidationError {
    ValidationError::new(
        "progress.not_on_demand",
        "この項目は時間割のコマで学ぶもので、オンデマンドの記録はありません（出席が記録されます）。",
        "This item is taught in timetabled blocks: your attendance there is what counts.",
    )
    .for_field("item")
}

fn not_open_yet() -> ValidationError {
    ValidationError::new(
        "progress.not_open",
        "この項目はまだ受講期間前です。期間の開始日から学べます。",
        "This item is not open yet: it opens on the first day of its period.",
    )
    .for_field("item")
}

fn not_enrolled_here() -> ValidationError {
    ValidationError::new(
        "progress.not_enrolled",
        "受講が確定している方だけが記録できます。",
        "Only learners with a confirmed seat can record progress.",
    )
}

/// The on-demand item `number` of a session, or why it cannot be learnt now.
pub fn on_demand_item(
    curriculum: &[PlanItem],
    number: u32,
    now: OffsetDateTime,
) -> Result<&PlanItem, ValidationError> {
    let item = curriculum
        .iter()
        .find(|i| i.number == number)
        .ok_or_else(no_such_item)?;
    let ItemMode::OnDemand { from, .. } = item.mode else {
        return Err(not_on_demand());
    };
    if now < PrimitiveDateTime::new(from, Time::MIDNIGHT).assume_offset(JST) {
        return Err(not_open_yet());
    }
    Ok(item)
}

/// Whether the learner's events already mark item `item_no` done: a second finish, from the
/// item page or an LMS, changes nothing.
pub(crate) fn finished(events: &[ProgressEvent], item_no: u32) -> bool {
    events
        .iter()
        .any(|e| e.item_no == item_no && e.activity.kind == ActivityKind::Finish)
}

/// D04: an on-demand item page reports a start, a beat of use, or a finish, for the learner
/// of `enrolment_id`. A second finish changes nothing.
pub async fn record_activity(
    wf: &Workflow,
    enrolment_id: &str,
    account_id: &str,
    item_no: u32,
    kind: ActivityKind,
) -> Result<(), WorkflowError> {
    let enrolment = wf
        .store
        .enrolment(enrolment_id)
        .await?
        .filter(|e| e.account_id == account_id)
        .ok_or(WorkflowError::NotFound)?;
    if enrolment.status != EnrolmentStatus::Enrolled {
        return Err(WorkflowError::Invalid(not_enrolled_here()));
    }
    let delivery = wf
        .store
        .delivery(&enrolment.session_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let now = wf.now();
    let curriculum = effective_curriculum(&delivery.plan.curriculum, &delivery.plan.timetable);
    on_demand_item(&curriculum, item_no, now)?;
    if kind == ActivityKind::Finish
        && wf
            .store
            .progress_events(&enrolment.session_id)
            .await?
            .get(account_id)
            .is_some_and(|events| finished(events, item_no))
    {
        return Ok(());
    }
    let mut unit = wf.store.write().await?;
    unit.append_progress(
        &enrolment.session_id,
        account_id,
        ProgressEvent {
            item_no,
            activity: Activity { kind, at: now },
        },
    )
    .await?;
    unit.commit().await?;
    Ok(())
}

/// What staff recorded when they followed a stalled learner up.
#[derive(Debug, Clone)]
pub struct FollowUpInput<'a> {
    pub account_id: &'a str,
    pub subject: StallSubject,
    pub stalled_since: OffsetDateTime,
    pub method: ContactMethod,
    pub outcome: FollowUpOutcome,
    pub note: &'a str,
}

fn not_a_learner() -> ValidationError {
    ValidationError::new(
        "follow_up.not_enrolled",
        "この回の受講者ではありません。要フォロー一覧から選んでください。",
        "This person is not a learner of the session: please choose from the follow-up list.",
    )
    .for_field("account")
}

/// B11, D04: staff record how they followed a stall up and what came of it; the stall leaves
/// the 要フォロー list. Kept as evidence, with its audit entry, in one unit.
pub async fn record_follow_up(
    wf: &Workflow,
    session_id: &str,
    input: &FollowUpInput<'_>,
    actor: &str,
) -> Result<(), WorkflowError> {
    let note = input.note.trim();
    check_text(note, TextKind::Multiline)
        .map_err(|e| WorkflowError::Invalid(e.for_field("note")))?;
    wf.store
        .enrolment_of(session_id, input.account_id)
        .await?
        .filter(|e| e.status == EnrolmentStatus::Enrolled)
        .ok_or_else(|| WorkflowError::Invalid(not_a_learner()))?;
    let mut unit = wf.store.write().await?;
    unit.record_follow_up(
        NewFollowUp {
            session_id,
            account_id: input.account_id,
            subject: input.subject,
            stalled_since: input.stalled_since,
            method: input.method,
            outcome: input.outcome,
            note: Some(note).filter(|n| !n.is_empty()),
        },
        actor,
        wf.now(),
    )
    .await?;
    unit.commit().await?;
    Ok(())
}

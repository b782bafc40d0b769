//! The end-of-course survey (issue 16 item 4; B08, D07): Koshu's administrators keep the
//! ministry's items (a new version each time), the provider adds its own for a session until the
//! first answer, learners answer once each in the session's window, and the provider reads the
//! results in aggregate from five answers on and records what it improved.
//!
//! An answer is one unit of work: the record that the learner answered (who, nothing else) and
//! the answer itself, as counts and shuffled texts that every answer rewrites whole (who and
//! what are never written together in one row, nor with a time or an order).

use std::collections::BTreeMap;

use crate::listings::Checked;
use crate::{JST, Workflow, WorkflowError};
use koshu_domain::ValidationError;
use koshu_domain::delivery::EnrolmentStatus;
use koshu_domain::delivery::survey::{
    ItemRow, Results, SessionSurvey, b08_improvement_is_complete, b08_results, d07_add_texts,
    d07_answers_are_complete, d07_item_set_is_sound, d07_survey_is_open, d07_survey_window,
    parse_item_rows, tally_cells, tally_marks, text_items,
};
use koshu_store::Conflict;
use koshu_store::delivery::Enrolment;
use time::OffsetDateTime;

/// An index below `n`, from the operating system's randomness (a v4 UUID's 122 random bits;
/// the bias of the modulo is nil at a list's size).
fn random_index(n: usize) -> usize {
    let bound = u128::try_from(n.max(1)).unwrap_or(u128::MAX);
    usize::try_from(uuid::Uuid::new_v4().as_u128() % bound).unwrap_or(0)
}

/// A session's survey and the revision of its provider's items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedSurvey {
    pub survey: SessionSurvey,
    pub revision: i64,
}

/// The session's survey: the ministry's items of the version its first answer pinned (the one
/// in force until then), and the provider's own.
pub async fn session_survey(
    wf: &Workflow,
    session_id: &str,
) -> Result<LoadedSurvey, WorkflowError> {
    let record = wf.store.session_survey(session_id).await?;
    let set = wf.store.survey_item_set(record.ministry_version).await?;
    if record.ministry_version.is_some() && set.is_none() {
        return Err(WorkflowError::Corrupt(format!(
            "survey of {session_id}: pinned item set missing"
        )));
    }
    Ok(LoadedSurvey {
        survey: SessionSurvey {
            ministry_version: set.as_ref().map(|s| s.version),
            ministry_items: set.map(|s| s.items).unwrap_or_default(),
            provider_items: record.provider_items,
            responses: record.responses,
        },
        revision: record.revision,
    })
}

fn unchanged() -> ValidationError {
    ValidationError::new(
        "survey_items.unchanged",
        "項目が現在の版と同じです。変更してから保存してください。",
        "The items are the same as the current version's; change something first.",
    )
    .for_field("items")
}

/// Adds the next version of the ministry's items, typed in rows, on top of `based_on` (the
/// version the page showed; `Conflict::SurveyChanged` when another came since). Sessions that
/// have answers keep the version they pinned. Returns the new version.
pub async fn add_ministry_items(
    wf: &Workflow,
    based_on: u32,
    rows: &[ItemRow],
    actor: &str,
) -> Result<Checked<u32>, WorkflowError> {
    let items = match parse_item_rows(rows, "m") {
        Ok(items) => items,
        Err(errors) => return Ok(Err(errors)),
    };
    if let Err(errors) = d07_item_set_is_sound(&items, 1) {
        return Ok(Err(errors));
    }
    let current = wf.store.survey_item_set(None).await?;
    if current.as_ref().map_or(0, |s| s.version) != based_on {
        return Err(WorkflowError::Conflict(Conflict::SurveyChanged));
    }
    if current.is_some_and(|s| s.items == items) {
        return Ok(Err(vec![unchanged()]));
    }
    let version = based_on + 1;
    let mut unit = wf.store.write().await?;
    unit.add_survey_item_set(version, &items, actor, wf.now())
        .await?;
    unit.commit().await?;
    Ok(Ok(version))
}

/// Saves the provider's own items of a session's survey, typed in rows, made on `revision`;
/// refused (`Conflict::SurveyLocked`) once an answer has arrived. Returns the new revision.
pub async fn save_provider_items(
    wf: &Workflow,
    session_id: &str,
    revision: i64,
    rows: &[ItemRow],
    actor: &str,
) -> Result<Checked<i64>, WorkflowError> {
    let loaded = session_survey(wf, session_id).await?;
    if loaded.survey.locked() {
        return Err(WorkflowError::Conflict(Conflict::SurveyLocked));
    }
    let items = match parse_item_rows(rows, "p") {
        Ok(items) => items,
        Err(errors) => return Ok(Err(errors)),
    };
    if let Err(errors) = d07_item_set_is_sound(&items, 0) {
        return Ok(Err(errors));
    }
    let mut unit = wf.store.write().await?;
    let next = unit
        .save_session_survey_items(session_id, &items, revision, actor, wf.now())
        .await?;
    unit.commit().await?;
    Ok(Ok(next))
}

/// Where a learner stands with a session's survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LearnerSurvey {
    /// Only learners with a confirmed place answer.
    NotEnrolled,
    Answered,
    /// Why it does not take answers now (not yet, or closed), as the rule says it.
    Unavailable(ValidationError),
    Open {
        closes: OffsetDateTime,
        survey: Box<SessionSurvey>,
    },
}

fn not_enrolled() -> ValidationError {
    ValidationError::new(
        "survey.not_enrolled",
        "修了アンケートには、この回の受講が確定した方だけが回答できます。",
        "Only learners with a confirmed place in this session answer its end-of-course survey.",
    )
}

fn no_items() -> ValidationError {
    ValidationError::new(
        "survey.no_items",
        "この回のアンケートにはまだ項目がありません。",
        "This session's survey has no items yet.",
    )
}

/// The learner's survey of their enrolment's session, and whether they may answer now.
pub async fn learner_survey(
    wf: &Workflow,
    enrolment: &Enrolment,
) -> Result<LearnerSurvey, WorkflowError> {
    if wf
        .store
        .survey_submitted(&enrolment.session_id, &enrolment.account_id)
        .await?
    {
        return Ok(LearnerSurvey::Answered);
    }
    if enrolment.status != EnrolmentStatus::Enrolled {
        return Ok(LearnerSurvey::NotEnrolled);
    }
    let delivery = wf
        .store
        .delivery(&enrolment.session_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    if let Err(e) = d07_survey_is_open(&delivery.plan, wf.now(), JST) {
        return Ok(LearnerSurvey::Unavailable(e));
    }
    let loaded = session_survey(wf, &enrolment.session_id).await?;
    if loaded.survey.items().is_empty() {
        return Ok(LearnerSurvey::Unavailable(no_items()));
    }
    let closes = d07_survey_window(&delivery.plan, JST).map_or_else(|| wf.now(), |(_, c)| c);
    Ok(LearnerSurvey::Open {
        closes,
        survey: Box::new(loaded.survey),
    })
}

/// D07, B08: the learner answers their session's survey, once: `given` is the form
/// (`answers.<item>` → value). In one unit: the record that they answered, the answer counted
/// into every count of the session, and its texts put into reshuffled lists.
pub async fn answer(
    wf: &Workflow,
    enrolment: &Enrolment,
    given: &BTreeMap<String, String>,
) -> Result<Checked<()>, WorkflowError> {
    let session = enrolment.session_id.as_str();
    let account = enrolment.account_id.as_str();
    if wf.store.survey_submitted(session, account).await? {
        return Err(WorkflowError::Conflict(Conflict::AlreadyAnswered));
    }
    if enrolment.status != EnrolmentStatus::Enrolled {
        return Err(WorkflowError::Invalid(not_enrolled()));
    }
    let delivery = wf
        .store
        .delivery(session)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    d07_survey_is_open(&delivery.plan, wf.now(), JST)?;
    let loaded = session_survey(wf, session).await?;
    let items = loaded.survey.items();
    if items.is_empty() {
        return Err(WorkflowError::Invalid(no_items()));
    }
    let answers = match d07_answers_are_complete(&items, given) {
        Ok(a) => a,
        Err(errors) => return Ok(Err(errors)),
    };
    let actor = crate::account_actor(account);
    let mut unit = wf.store.write().await?;
    if !unit.record_survey_submission(session, account).await? {
        return Err(WorkflowError::Conflict(Conflict::AlreadyAnswered));
    }
    let before = unit
        .count_survey_response(
            session,
            loaded.survey.ministry_version,
            loaded.revision,
            &actor,
            wf.now(),
        )
        .await?;
    if before == 0 {
        unit.open_survey_counts(session, &tally_cells(&items), &text_items(&items))
            .await?;
    }
    unit.add_to_survey_tallies(session, &tally_marks(&items, &answers))
        .await?;
    let lists = unit.survey_texts_for_update(session).await?;
    let lists = d07_add_texts(lists, &answers, &mut random_index);
    unit.put_survey_texts(session, &lists).await?;
    unit.commit().await?;
    Ok(Ok(()))
}

/// B08: the session's results as the provider may see them: nothing but the number of answers
/// below five, aggregates from five on (free texts shuffled for each reading).
pub async fn results(
    wf: &Workflow,
    session_id: &str,
) -> Result<(LoadedSurvey, Results), WorkflowError> {
    let loaded = session_survey(wf, session_id).await?;
    let responses = loaded.survey.responses;
    let (tallies, texts) = if responses >= koshu_domain::delivery::survey::MIN_RESPONSES {
        (
            wf.store.survey_tallies(session_id).await?,
            wf.store.survey_texts(session_id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let results = b08_results(
        &loaded.survey.items(),
        responses,
        &tallies,
        &texts,
        &mut random_index,
    );
    Ok((loaded, results))
}

/// B08 (PDCA): the provider records what the results showed, what it changed, and when.
pub async fn record_improvement(
    wf: &Workflow,
    session_id: &str,
    finding: &str,
    change: &str,
    changed_on: &str,
    actor: &str,
) -> Result<Checked<String>, WorkflowError> {
    let improvement = match b08_improvement_is_complete(finding, change, changed_on) {
        Ok(i) => i,
        Err(errors) => return Ok(Err(errors)),
    };
    let mut unit = wf.store.write().await?;
    let id = unit
        .record_survey_improvement(session_id, &improvement, actor, wf.now())
        .await?;
    unit.commit().await?;
    Ok(Ok(id))
}

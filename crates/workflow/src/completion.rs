//! Completion (issue 16 item 3; B12, D05): a session publishes its criteria before it starts;
//! staff record each learner's results (re-assessment where the criteria allow it); the
//! decision 修了 / 未修了 is computed from the results, the roster's attendance and the survey
//! (`koshu_domain::delivery::completion::b12_decision`), confirmed by staff, mailed to the
//! learner, and never changed: a correction is a new decision with its reason.
//!
//! Each write is one unit of work with its audit entry (and, for a decision, its mail).

use crate::delivery::{CatalogueSession, delivery_of, enrolled, learner_mail, session_dates};
use crate::listings::Checked;
use crate::mail::Queued;
use crate::{JST, Workflow, WorkflowError};
use koshu_domain::ValidationError;
use koshu_domain::delivery::EnrolmentStatus;
use koshu_domain::delivery::completion::{
    AttendedMinutes, CompletionCriteria, Decision, Mark, Outcome, RecordedResult, assessment,
    b12_decision, counting_result, d05_attended_minutes, d05_criteria_are_sound, d05_mark_fits,
    d05_next_attempt, minutes_en, minutes_ja,
};
use koshu_domain::designation::application::CompletionAssessment;
use koshu_store::completion::{
    CompletionRecord, CriteriaRecord, NewCompletion, NewResult, ResultRecord,
};
use koshu_store::delivery::{Delivery, Enrolment, Learner};
use koshu_store::outbox::Mail;
use time::OffsetDateTime;

fn locked(starts: OffsetDateTime) -> ValidationError {
    let at = crate::mail::jst_time(starts);
    ValidationError::new(
        "completion.criteria_locked",
        format!(
            "この回は{at}に始まったため、修了の基準は変更できません。受講者には申込みの前に公表した基準で評価します（B12）。"
        ),
        format!(
            "This session started on {at} (Japan time), so its completion criteria can no longer change: learners are assessed against the criteria published before they applied (B12)."
        ),
    )
}

/// B12, D05: saves the session's completion criteria, made on `revision` (0 for the first),
/// while its first block has not started. Returns the new revision, or every problem.
pub async fn save_criteria(
    wf: &Workflow,
    session_id: &str,
    criteria: &CompletionCriteria,
    revision: i64,
    actor: &str,
) -> Result<Checked<i64>, WorkflowError> {
    let delivery = delivery_of(wf, session_id).await?;
    if let Err(errors) = d05_criteria_are_sound(criteria) {
        return Ok(Err(errors));
    }
    if let Some(starts) = delivery.plan.first_start(JST)
        && wf.now() >= starts
    {
        return Err(WorkflowError::Invalid(locked(starts)));
    }
    let mut unit = wf.store.write().await?;
    let next = unit
        .save_completion_criteria(session_id, criteria, revision, actor, wf.now())
        .await?;
    unit.commit().await?;
    Ok(Ok(next))
}

/// The refusal of what needs a session's criteria before it has any.
pub fn no_criteria() -> ValidationError {
    ValidationError::new(
        "completion.no_criteria",
        "この回の修了の基準がまだ設定されていません。先に修了の基準を公表してください。",
        "This session has no completion criteria yet: publish them first.",
    )
}

fn not_started() -> ValidationError {
    ValidationError::new(
        "completion.not_started",
        "評価の結果は、この回が始まってから記録できます。",
        "Results can be recorded once the session has started.",
    )
}

fn not_enrolled() -> ValidationError {
    ValidationError::new(
        "completion.not_enrolled",
        "この回の受講が確定している受講者だけを評価できます。",
        "Only learners with a confirmed place in this session are assessed.",
    )
}

fn reason_missing(code: &'static str) -> ValidationError {
    ValidationError::new(
        code,
        "訂正の理由を入力してください（例：採点の誤り、転記の誤り）。訂正は理由とともに記録に残ります。",
        "Give the reason for the correction (for example: a marking or copying mistake); it is kept with the record.",
    )
    .for_field("reason")
}

/// What a result form sends: a new result, or the correction of the latest one.
#[derive(Debug, Clone)]
pub struct ResultEntry<'a> {
    pub assessment: u32,
    pub mark: Mark,
    /// The reason, when the entry corrects the latest recorded attempt.
    pub correction: Option<&'a str>,
}

async fn criteria_of(wf: &Workflow, session_id: &str) -> Result<CriteriaRecord, WorkflowError> {
    wf.store
        .completion_criteria(session_id)
        .await?
        .ok_or_else(|| WorkflowError::Invalid(no_criteria()))
}

/// D05, B12: records a learner's result of one assessment once the session has started: the
/// next attempt (a re-assessment only after a fail, within the attempts the criteria allow), or
/// with a reason a correction of the latest attempt (a new row; the earlier one stays).
/// Returns the attempt recorded.
pub async fn record_result(
    wf: &Workflow,
    session_id: &str,
    account_id: &str,
    entry: &ResultEntry<'_>,
    actor: &str,
) -> Result<u32, WorkflowError> {
    let delivery = delivery_of(wf, session_id).await?;
    let criteria = criteria_of(wf, session_id).await?.criteria;
    if delivery
        .plan
        .first_start(JST)
        .is_none_or(|starts| wf.now() < starts)
    {
        return Err(WorkflowError::Invalid(not_started()));
    }
    enrolled(wf, session_id, account_id, not_enrolled).await?;
    let a = assessment(&criteria, entry.assessment)?;
    let field = match entry.mark {
        Mark::Score { .. } => "score",
        Mark::Levels { .. } => "levels",
    };
    d05_mark_fits(a, &entry.mark).map_err(|e| e.for_field(field))?;
    let correction = match entry.correction.map(str::trim) {
        Some("") => {
            return Err(WorkflowError::Invalid(reason_missing(
                "completion.result_reason",
            )));
        }
        other => other,
    };
    let mut unit = wf.store.write().await?;
    let mine: Vec<RecordedResult> = unit
        .assessment_results_for_update(session_id, account_id)
        .await?
        .into_iter()
        .map(|r| r.result)
        .collect();
    let attempt = match correction {
        Some(_) => counting_result(&mine, entry.assessment)
            .map(|r| r.attempt)
            .ok_or_else(|| {
                ValidationError::new(
                    "completion.nothing_to_correct",
                    format!("{}の結果はまだ記録されていません。訂正ではなく、新しい結果として記録してください。", a.name),
                    format!("No result of \"{}\" is recorded yet: record it as a new result, not a correction.", a.name),
                )
                .for_field("entry")
            })?,
        None => d05_next_attempt(&criteria, entry.assessment, &mine)
            .map_err(|e| e.for_field("assessment"))?,
    };
    let result = RecordedResult {
        assessment: entry.assessment,
        attempt,
        mark: entry.mark.clone(),
    };
    unit.record_assessment_result(
        &NewResult {
            session_id,
            account_id,
            result: &result,
            correction_reason: correction,
        },
        actor,
        wf.now(),
    )
    .await?;
    unit.commit().await?;
    Ok(attempt)
}

/// One learner's completion as it stands: the minutes attended, the results recorded, whether
/// the survey is answered, the decision computed from them, and the one issued.
#[derive(Debug, Clone)]
pub struct LearnerCompletion {
    pub enrolment: Enrolment,
    pub learner: Option<Learner>,
    pub minutes: AttendedMinutes,
    /// Theirs, in the order recorded.
    pub results: Vec<ResultRecord>,
    pub survey_answered: bool,
    /// None until the session has criteria.
    pub computed: Option<Decision>,
    pub issued: Option<CompletionRecord>,
}

impl LearnerCompletion {
    /// Whether the computed decision says what the issued one says.
    pub fn issued_as_computed(&self) -> bool {
        match (&self.computed, &self.issued) {
            (Some(c), Some(i)) => same(c, i),
            _ => false,
        }
    }
}

fn same(computed: &Decision, issued: &CompletionRecord) -> bool {
    computed.outcome == issued.outcome
        && computed.minutes.attended == issued.attended_minutes
        && computed.minutes.timetabled == issued.timetabled_minutes
        && computed.reasons == issued.reasons
}

/// A session's completion: its criteria and each enrolled learner's line.
#[derive(Debug, Clone)]
pub struct SessionCompletion {
    pub delivery: Delivery,
    pub criteria: Option<CriteriaRecord>,
    pub learners: Vec<LearnerCompletion>,
    /// Every block has ended: decisions may be issued.
    pub over: bool,
    /// The first block has started: the criteria are fixed.
    pub started: bool,
}

impl SessionCompletion {
    pub fn learner(&self, account_id: &str) -> Option<&LearnerCompletion> {
        self.learners
            .iter()
            .find(|l| l.enrolment.account_id == account_id)
    }
}

/// B12, D05: computes each enrolled learner's decision with `b12_decision` from the stored
/// results, the roster's attendance (the blocks' d03 verdicts) and whether they answered the
/// survey, beside the decision issued to them. Writes nothing.
pub async fn decide(wf: &Workflow, session_id: &str) -> Result<SessionCompletion, WorkflowError> {
    let roster = crate::delivery::roster(wf, session_id).await?;
    let criteria = wf.store.completion_criteria(session_id).await?;
    let results = wf.store.assessment_results(session_id).await?;
    let issued = wf.store.completions(session_id).await?;
    let plan = &roster.delivery.plan;
    let now = wf.now();
    let mut learners = Vec::new();
    for line in roster
        .lines
        .into_iter()
        .filter(|l| l.enrolment.status == EnrolmentStatus::Enrolled)
    {
        let account = line.enrolment.account_id.clone();
        let mine: Vec<ResultRecord> = results
            .iter()
            .filter(|r| r.account_id == account)
            .cloned()
            .collect();
        let minutes = d05_attended_minutes(&plan.timetable, &line.blocks);
        let survey_answered = wf.store.survey_submitted(session_id, &account).await?;
        let computed = criteria.as_ref().map(|c| {
            let recorded: Vec<RecordedResult> = mine.iter().map(|r| r.result.clone()).collect();
            b12_decision(&c.criteria, &recorded, minutes, survey_answered)
        });
        learners.push(LearnerCompletion {
            issued: issued.iter().find(|d| d.account_id == account).cloned(),
            enrolment: line.enrolment,
            learner: line.learner,
            minutes,
            results: mine,
            survey_answered,
            computed,
        });
    }
    Ok(SessionCompletion {
        over: plan
            .timetable
            .iter()
            .map(|b| b.ends(JST))
            .max()
            .is_some_and(|end| now >= end),
        started: plan.first_start(JST).is_some_and(|start| now >= start),
        criteria,
        delivery: roster.delivery,
        learners,
    })
}

fn not_over() -> ValidationError {
    ValidationError::new(
        "completion.not_over",
        "修了判定は、この回のコマがすべて終わってから確定できます。",
        "Completion is decided once every block of the session has ended.",
    )
}

fn criteria_not_met(d: &Decision) -> ValidationError {
    let missed: Vec<&str> = d.missed().map(|r| r.ja.as_str()).collect();
    let missed_en: Vec<&str> = d.missed().map(|r| r.en.as_str()).collect();
    ValidationError::new(
        "completion.criteria_not_met",
        format!(
            "修了にできません。満たしていない基準：{}",
            missed.join("／")
        ),
        format!(
            "This learner cannot be completed; criteria not met: {}",
            missed_en.join("; ")
        ),
    )
}

fn all_met() -> ValidationError {
    ValidationError::new(
        "completion.all_met",
        "この受講者は修了の基準をすべて満たしているため、未修了にはできません。ページを再読み込みして判定を確認してください。",
        "This learner meets every completion criterion, so cannot be not completed: reload the page to see the decision.",
    )
}

/// What a decision use case starts from: the session's completion, its catalogue session and
/// the learner's line, once the session is over and has criteria.
async fn decided_line(
    wf: &Workflow,
    session_id: &str,
    account_id: &str,
) -> Result<(SessionCompletion, CatalogueSession, LearnerCompletion), WorkflowError> {
    let sc = decide(wf, session_id).await?;
    let session = crate::delivery::catalogue_session(wf, session_id).await?;
    if sc.criteria.is_none() {
        return Err(WorkflowError::Invalid(no_criteria()));
    }
    if !sc.over {
        return Err(WorkflowError::Invalid(not_over()));
    }
    let line = sc
        .learner(account_id)
        .cloned()
        .ok_or_else(|| WorkflowError::Invalid(not_enrolled()))?;
    Ok((sc, session, line))
}

/// B12: staff confirm the decision computed for a learner, as `expected` (what the page
/// showed): 修了 only when every criterion is met (else refused, naming the missed ones). The
/// decision, its audit entry and the learner's mail with its reasons are one unit; a second
/// confirm is `Conflict::AlreadyDecided`. Returns the decision's id.
pub async fn confirm(
    wf: &Workflow,
    session_id: &str,
    account_id: &str,
    expected: Outcome,
    actor: &str,
) -> Result<String, WorkflowError> {
    let (sc, session, line) = decided_line(wf, session_id, account_id).await?;
    if line.issued.is_some() {
        return Err(WorkflowError::Conflict(
            koshu_store::Conflict::AlreadyDecided,
        ));
    }
    let Some(decision) = &line.computed else {
        return Err(WorkflowError::Invalid(no_criteria()));
    };
    match (expected, decision.outcome) {
        (Outcome::Completed, Outcome::NotCompleted) => {
            return Err(WorkflowError::Invalid(criteria_not_met(decision)));
        }
        (Outcome::NotCompleted, Outcome::Completed) => {
            return Err(WorkflowError::Invalid(all_met()));
        }
        _ => {}
    }
    issue(wf, &sc, &session, &line, decision, None, actor).await
}

/// B12: a correction: the decision computed now, issued with `reason` as a new decision that
/// supersedes `supersedes` (the current one the page showed; otherwise
/// `Conflict::DecisionChanged`). When nothing it was decided from has changed, there is nothing
/// to correct: `Conflict::AlreadyDecided`. Returns the new decision's id.
pub async fn correct(
    wf: &Workflow,
    session_id: &str,
    account_id: &str,
    supersedes: &str,
    reason: &str,
    actor: &str,
) -> Result<String, WorkflowError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(WorkflowError::Invalid(reason_missing(
            "completion.correction_reason",
        )));
    }
    let (sc, session, line) = decided_line(wf, session_id, account_id).await?;
    let Some(current) = &line.issued else {
        return Err(WorkflowError::Invalid(ValidationError::new(
            "completion.not_decided",
            "この受講者の修了判定はまだ確定していません。訂正ではなく、確定してください。",
            "This learner's completion is not decided yet: confirm it rather than correct it.",
        )));
    };
    if current.id != supersedes {
        return Err(WorkflowError::Conflict(
            koshu_store::Conflict::DecisionChanged,
        ));
    }
    let Some(decision) = &line.computed else {
        return Err(WorkflowError::Invalid(no_criteria()));
    };
    if same(decision, current) {
        return Err(WorkflowError::Conflict(
            koshu_store::Conflict::AlreadyDecided,
        ));
    }
    issue(
        wf,
        &sc,
        &session,
        &line,
        decision,
        Some((supersedes, reason)),
        actor,
    )
    .await
}

/// Writes the decision and queues the learner's mail, in one unit.
async fn issue(
    wf: &Workflow,
    sc: &SessionCompletion,
    session: &CatalogueSession,
    line: &LearnerCompletion,
    decision: &Decision,
    correction: Option<(&str, &str)>,
    actor: &str,
) -> Result<String, WorkflowError> {
    let criteria = sc
        .criteria
        .as_ref()
        .map(|c| &c.criteria)
        .ok_or_else(|| WorkflowError::Invalid(no_criteria()))?;
    let mut unit = wf.store.write().await?;
    let id = unit
        .issue_completion(
            &NewCompletion {
                session_id: &sc.delivery.session_id,
                account_id: &line.enrolment.account_id,
                outcome: decision.outcome,
                attended_minutes: decision.minutes.attended,
                timetabled_minutes: decision.minutes.timetabled,
                attendance_percent: decision.minutes.percent(),
                reasons: &decision.reasons,
                criteria,
                supersedes: correction.map(|(s, _)| s),
                correction_reason: correction.map(|(_, r)| r),
            },
            actor,
            wf.now(),
        )
        .await?;
    let now = wf.now();
    if let Some((superseded, reason)) = correction {
        let reason = format!("修了判定の訂正により置き換え（理由：{reason}）");
        crate::credentials::revoke_superseded_in(wf, &mut unit, superseded, &reason, actor, now)
            .await?;
    }
    let mut credential = None;
    if let (Outcome::Completed, Some(learner)) = (decision.outcome, &line.learner) {
        let completed = crate::credentials::Completed {
            decision_id: &id,
            organisation_id: &sc.delivery.organisation_id,
            session,
            learner,
            attended_minutes: decision.minutes.attended,
            timetabled_minutes: decision.minutes.timetabled,
            criteria,
        };
        credential =
            Some(crate::credentials::issue_in(wf, &mut unit, completed, actor, now).await?);
    }
    let mut queued = Queued::default();
    if let Some(l) = &line.learner {
        let mail = decision_mail(
            wf,
            &l.email,
            session,
            decision,
            correction.map(|(_, r)| r),
            credential.as_deref(),
        );
        queued.push(wf, &mut unit, mail).await?;
    }
    unit.commit().await?;
    queued.log(wf);
    Ok(id)
}

fn decision_mail(
    wf: &Workflow,
    to: &str,
    session: &CatalogueSession,
    d: &Decision,
    correction: Option<&str>,
    credential: Option<&str>,
) -> Mail {
    let (certificate_ja, certificate_en) = match credential {
        Some(id) => {
            let url = crate::credentials::verification_url(wf, id);
            (
                format!(
                    "\n\n修了証を発行しました。受講のページから、デジタル修了証（Open Badges）とPDFを受け取れます。誰でも次のページで確認できます：{url}"
                ),
                format!(
                    "\n\nYour certificate is issued: take the digital badge (Open Badges) and the PDF from your learning page. Anyone can verify it at {url}"
                ),
            )
        }
        None => (String::new(), String::new()),
    };
    let title = session.title();
    let dates = session_dates(session);
    let mark = |met: bool| if met { "○" } else { "×" };
    let reasons_ja: Vec<String> = d
        .reasons
        .iter()
        .map(|r| format!("{} {}", mark(r.met), r.ja))
        .collect();
    let reasons_en: Vec<String> = d
        .reasons
        .iter()
        .map(|r| format!("{} {}", if r.met { "Met:" } else { "Not met:" }, r.en))
        .collect();
    let (corrected_ja, corrected_en) = match correction {
        Some(reason) => (
            format!("先にお知らせした判定を訂正しました（理由：{reason}）。\n"),
            format!("This corrects the decision you were told earlier (reason: {reason}).\n"),
        ),
        None => (String::new(), String::new()),
    };
    learner_mail(
        wf,
        to,
        ("修了判定のお知らせ", "Your completion decision"),
        &format!(
            "{corrected_ja}「{title}」（{dates}）の修了判定は「{}」です。\n受講時間：{}（時間割 {}）\n\n{}{certificate_ja}",
            d.outcome.label_ja(),
            minutes_ja(d.minutes.attended),
            minutes_ja(d.minutes.timetabled),
            reasons_ja.join("\n")
        ),
        &format!(
            "{corrected_en}Your completion decision for \"{title}\" ({dates}): {}.\nHours attended: {} (of {} timetabled)\n\n{}{certificate_en}",
            d.outcome.label_en(),
            minutes_en(d.minutes.attended),
            minutes_en(d.minutes.timetabled),
            reasons_en.join("\n")
        ),
        None,
    )
}

/// What the designated application says of its assessment (B12 as designated), where the
/// session's programme is a 特定講習: the course as it stands, with every applied change.
pub async fn designated_assessment(
    wf: &Workflow,
    session: &CatalogueSession,
) -> Result<Option<CompletionAssessment>, WorkflowError> {
    let Some(d) = &session.programme.programme.designation else {
        return Ok(None);
    };
    let Some(record) = wf
        .store
        .all_designations()
        .await?
        .into_iter()
        .find(|r| r.number == d.number)
    else {
        return Ok(None);
    };
    let course = crate::designation::current_course(wf, &record.application_id, &record).await?;
    Ok(Some(course.assessment))
}

//! The implementation reports of a designated course, monthly and annual (issue 19; E01, 3-2(9)):
//! its figures computed from the records whenever it is read, and submitted by the provider
//! with remarks as an immutable version with its digest; a correction is the next version.

use crate::jobs::JobOutcome;
use crate::mail::{Process, Queued, recipients};
use crate::{JST, Workflow, WorkflowError};
use koshu_domain::ValidationError;
use koshu_domain::catalogue::ProgrammeWithSessions;
use koshu_domain::delivery::attendance::Verdict;
use koshu_domain::delivery::completion::Outcome;
use koshu_domain::reports::{
    LearnerFacts, MonthlyFigures, ReportMonth, ReportPeriod, ReportReminder, SessionFacts,
    Standing, e01_due_on, e01_monthly_due_on, e01_monthly_figures, e01_next_reminder_day,
    e01_reminder_of_day, e01_report_standing,
};
use koshu_domain::types::{FiscalYear, date_ja};
use koshu_store::UnitOfWork;
use koshu_store::reports::{NewReport, ReportSubmission, SubmittedReport};
use koshu_store::reviews::DesignationRecord;

/// Remarks longer than this are refused.
pub const MAX_REMARKS: usize = 4000;

/// A course's report for a month or a fiscal year, as it stands now.
#[derive(Debug, Clone)]
pub struct CourseReport {
    pub programme: ProgrammeWithSessions,
    pub designation: DesignationRecord,
    pub period: ReportPeriod,
    /// Computed from the records now.
    pub figures: MonthlyFigures,
    /// Submitted versions, the first first.
    pub versions: Vec<SubmittedReport>,
    /// The period is over: the report may be submitted.
    pub due: bool,
    /// Where it stands today, against its due day.
    pub standing: Standing,
    /// The day its sessions' personal data was purged after the retention period (E02), if
    /// it was: the figures computed now no longer count them, and only the submitted versions
    /// say what happened.
    pub purged_on: Option<time::Date>,
}

impl CourseReport {
    pub fn latest(&self) -> Option<&SubmittedReport> {
        self.versions.last()
    }

    /// The records have changed since the latest version was submitted.
    pub fn changed_since_submitted(&self) -> bool {
        self.latest().is_some_and(|v| v.figures != self.figures)
    }
}

/// The designation of a programme (the latest, if it was renewed), or not found: only a
/// designated course reports.
async fn designation_of(
    wf: &Workflow,
    programme_id: &str,
) -> Result<DesignationRecord, WorkflowError> {
    wf.store
        .all_designations()
        .await?
        .into_iter()
        .filter(|d| d.programme_id == programme_id)
        .max_by_key(|d| d.starts_on)
        .ok_or(WorkflowError::NotFound)
}

/// The last day a designated course has reports for, as of today: its end (or its early
/// end) or today, whichever comes first.
fn reported_until(designation: &DesignationRecord, today: time::Date) -> time::Date {
    designation
        .ended_on
        .unwrap_or(designation.ends_on)
        .min(today)
}

/// The months a designated course reports for up to today: from the month its period starts
/// to the current one (whose report waits for the month's end), newest first.
pub fn months_of(designation: &DesignationRecord, today: time::Date) -> Vec<ReportMonth> {
    let end = reported_until(designation, today);
    let mut months = Vec::new();
    let mut m = ReportMonth::of(designation.starts_on);
    while m.first_day() <= end {
        months.push(m);
        m = m.next();
    }
    months.reverse();
    months
}

/// The fiscal years a designated course reports for up to today, newest first.
pub fn years_of(designation: &DesignationRecord, today: time::Date) -> Vec<ReportPeriod> {
    let end = reported_until(designation, today);
    let (Ok(first), Ok(last)) = (FiscalYear::of(designation.starts_on), FiscalYear::of(end)) else {
        return Vec::new();
    };
    (first.year()..=last.year())
        .rev()
        .filter_map(|y| FiscalYear::new(y).ok().map(ReportPeriod::Year))
        .collect()
}

/// Where the report of `period` stands today, its first version (if any) submitted at `first`.
fn standing_on(
    wf: &Workflow,
    period: ReportPeriod,
    first: Option<time::OffsetDateTime>,
) -> Standing {
    e01_report_standing(
        period,
        first.map(|t| t.to_offset(JST).date()),
        e01_due_on(period, wf.settings.report_due_day),
        wf.today(),
    )
}

/// Where `period` stands for a course that has made these submissions.
pub fn standing(wf: &Workflow, period: ReportPeriod, submitted: &[ReportSubmission]) -> Standing {
    let code = period.code();
    let first = submitted
        .iter()
        .find(|s| s.period == code)
        .map(|s| s.first_submitted_at);
    standing_on(wf, period, first)
}

/// The report of `programme_id` for `period`, computed now.
pub async fn report(
    wf: &Workflow,
    programme_id: &str,
    period: ReportPeriod,
) -> Result<CourseReport, WorkflowError> {
    let designation = designation_of(wf, programme_id).await?;
    let programme = wf
        .store
        .programme(programme_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let (figures, purged_on) = figures(wf, &designation, period).await?;
    let versions = wf.store.report_versions(programme_id, period).await?;
    let first = versions.first().map(|v| v.submitted_at);
    Ok(CourseReport {
        programme,
        designation,
        period,
        figures,
        versions,
        due: wf.today() > period.last_day(),
        standing: standing_on(wf, period, first),
        purged_on,
    })
}

/// The period's figures from the records, and the day its sessions were purged, if they were.
async fn figures(
    wf: &Workflow,
    designation: &DesignationRecord,
    period: ReportPeriod,
) -> Result<(MonthlyFigures, Option<time::Date>), WorkflowError> {
    let programme_id = designation.programme_id.as_str();
    let survey = wf.store.delivered_records(programme_id).await?;
    let purges = wf.store.retention_purges().await?;
    let mut purged_on = None;
    let mut sessions = Vec::new();
    let deliveries = wf.store.deliveries_of(&designation.organisation_id).await?;
    for d in deliveries.iter().filter(|d| d.programme_id == programme_id) {
        let days = d.plan.timetable.iter().map(|b| b.day);
        let (Some(first_day), Some(last_day)) = (days.clone().min(), days.max()) else {
            continue;
        };
        if !period.contains(last_day) {
            continue;
        }
        if let Some(p) = purges.iter().find(|p| p.session_id == d.session_id) {
            let day = p.purged_at.to_offset(JST).date();
            purged_on = Some(purged_on.map_or(day, |d: time::Date| d.min(day)));
        }
        let progress = crate::progress::progress(wf, &d.session_id).await?;
        let decisions = wf.store.completions(&d.session_id).await?;
        let learners = progress
            .learners
            .iter()
            .map(|l| {
                let account = &l.line.enrolment.account_id;
                let completed = decisions
                    .iter()
                    .find(|c| &c.account_id == account)
                    .map(|c| c.outcome == Outcome::Completed);
                LearnerFacts {
                    identity_checked: !l.line.identity.is_empty(),
                    attended: l.line.blocks.iter().any(|b| {
                        matches!(
                            b.verdict,
                            Verdict::Attended | Verdict::Late | Verdict::LeftEarly
                        )
                    }),
                    left_mid_course: l.line.blocks.iter().any(|b| !b.left.is_empty()),
                    stalled: !l.stalls.is_empty() || !l.follow_ups.is_empty(),
                    followed_up: !l.follow_ups.is_empty(),
                    completed,
                    riss_number: l
                        .line
                        .learner
                        .as_ref()
                        .and_then(|x| x.profile.riss.as_ref())
                        .map(|r| r.number.to_string()),
                }
            })
            .collect();
        let counts = survey.iter().find(|r| r.session_id == d.session_id);
        let place = match (&d.plan.venue, &d.plan.online_room) {
            (Some(v), Some(_)) => format!("{v}／オンライン"),
            (Some(v), None) => v.clone(),
            (None, _) => "オンライン".to_owned(),
        };
        sessions.push(SessionFacts {
            session_id: d.session_id.clone(),
            first_day,
            last_day,
            place,
            learners,
            survey_responses: counts.map_or(0, |c| c.responses),
            satisfaction: counts.map_or((0, 0, 0), |c| {
                (c.satisfaction_answers, c.satisfied, c.satisfaction_points)
            }),
        });
    }
    sessions.sort_by(|a, b| (a.first_day, &a.session_id).cmp(&(b.first_day, &b.session_id)));
    let in_period = |t: time::OffsetDateTime| period.contains(t.to_offset(JST).date());
    let complaints = wf
        .store
        .reports_about(programme_id)
        .await?
        .iter()
        .filter(|r| in_period(r.received_at))
        .count();
    let changes = wf
        .store
        .notices_of(&designation.application_id)
        .await?
        .iter()
        .filter(|n| n.kind == "change" && in_period(n.filed_at))
        .count();
    let figures = e01_monthly_figures(
        &sessions,
        u32::try_from(complaints).unwrap_or(u32::MAX),
        u32::try_from(changes).unwrap_or(u32::MAX),
    );
    Ok((figures, purged_on))
}

/// Submits the period's report as it is computed now, with the provider's remarks, on top of
/// version `after` (the latest the provider saw); returns the version written. Refused before
/// the period is over; a conflict when another version was submitted meanwhile.
pub async fn submit(
    wf: &Workflow,
    programme_id: &str,
    period: ReportPeriod,
    after: i64,
    remarks: &str,
    actor: &str,
) -> Result<SubmittedReport, WorkflowError> {
    let report = report(wf, programme_id, period).await?;
    if !report.due {
        let (ja, en) = match period {
            ReportPeriod::Month(_) => (
                "この月はまだ終わっていません。報告書は翌月1日から提出できます。",
                "The month is not over yet: its report can be submitted from the 1st of the next month.",
            ),
            ReportPeriod::Year(_) => (
                "この年度はまだ終わっていません。年度の報告書は翌年度の4月1日から提出できます。",
                "The fiscal year is not over yet: its report can be submitted from 1 April.",
            ),
        };
        return Err(ValidationError::new("report.not_over", ja, en).into());
    }
    if report.purged_on.is_some() {
        return Err(ValidationError::new(
            "report.purged",
            "この期間の受講者の個人データは保存期間を過ぎて消去したため、記録から報告書を作り直すことはできません。提出した版が記録です。",
            "The personal data of this period's learners was purged after the retention period: a report can no longer be made from the records. The submitted versions are the record.",
        )
        .into());
    }
    let remarks = remarks.trim();
    if remarks.chars().count() > MAX_REMARKS {
        return Err(ValidationError::new(
            "report.remarks_too_long",
            format!("備考は{MAX_REMARKS}文字以内で入力してください。"),
            format!("Keep the remarks within {MAX_REMARKS} characters."),
        )
        .for_field("remarks")
        .into());
    }
    let mut unit = wf.store.write().await?;
    let submitted = unit
        .submit_report(
            &NewReport {
                programme_id,
                period,
                after,
                figures: &report.figures,
                remarks,
            },
            actor,
            wf.now(),
        )
        .await?;
    unit.commit().await?;
    Ok(submitted)
}

/// The ministry asks the provider's owners, by mail, for a report that is missing.
pub async fn chase(
    wf: &Workflow,
    programme_id: &str,
    period: ReportPeriod,
) -> Result<(), WorkflowError> {
    let designation = designation_of(wf, programme_id).await?;
    let submitted = wf.store.report_submissions(programme_id).await?;
    let Standing::Missing { due_on } = standing(wf, period, &submitted) else {
        return Err(ValidationError::new(
            "report.not_missing",
            "この報告書は未提出ではない（提出済み、または提出期限前）ため、督促できません。",
            "This report is not missing (it was submitted, or is not due yet): there is nothing to chase.",
        )
        .into());
    };
    let title = wf
        .store
        .programme(programme_id)
        .await?
        .map(|p| p.programme.title_ja)
        .unwrap_or_default();
    let owners = recipients::owners(wf, &designation.organisation_id).await?;
    let (ja_period, en_period, form) = (period.label_ja(), period.label_en(), period.form_ja());
    let due = date_ja(due_on);
    let mut unit = wf.store.write().await?;
    let mut queued = Queued::default();
    Process {
        subject: (
            "実施状況報告書の提出のお願い",
            "Your implementation report is missing",
        ),
        ja: format!(
            "特定講習「{title}」（指定番号 {}）の{ja_period}分の{form}が、提出期限の{due}を過ぎても提出されていません。記録から作成された報告書を確認し、提出してください。",
            designation.number
        ),
        en: format!(
            "The implementation report of \"{title}\" ({}) for {en_period} was due on {due_on} and has not been submitted. Please review the report computed from your records and submit it.",
            designation.number
        ),
        path: format!(
            "/organisations/{}/reports/{programme_id}/{}",
            designation.organisation_id,
            period.code()
        ),
    }
    .queue(wf, &mut unit, &mut queued, &owners)
    .await?;
    unit.commit().await?;
    queued.log(wf);
    Ok(())
}

/// The job that reminds a designated course's owners of the last month's report (E01): on the
/// 1st, and a few days before its due day, while it is not submitted.
pub const REPORT_REMINDERS: &str = "report.reminders";

#[derive(serde::Serialize, serde::Deserialize)]
struct ReminderPayload {
    programme: String,
}

/// Schedules (or moves, one pending per course) the course's next report reminder for `day`.
pub(crate) async fn schedule_reminder(
    unit: &mut UnitOfWork,
    programme_id: &str,
    day: time::Date,
    now: time::OffsetDateTime,
) -> Result<(), WorkflowError> {
    let payload = serde_json::to_string(&ReminderPayload {
        programme: programme_id.to_owned(),
    })?;
    crate::jobs::schedule_on(
        unit,
        REPORT_REMINDERS,
        day,
        &payload,
        &format!("report-reminder:{programme_id}"),
        now,
    )
    .await?;
    Ok(())
}

/// The reminder job: mails the owners when the last month's report is open (not submitted,
/// not yet due) on a reminder day, then moves itself to the next one while the designation's
/// months still have reports to come. The mail, the job's completion and the next one are
/// one unit, so a retry never mails twice.
pub async fn send_reminders(
    wf: Workflow,
    job: koshu_store::jobs::Job,
) -> Result<JobOutcome, WorkflowError> {
    let payload: ReminderPayload = serde_json::from_str(&job.payload)?;
    let today = wf.today();
    let due_day = wf.settings.report_due_day;
    let designation = match designation_of(&wf, &payload.programme).await {
        Ok(d) => Some(d),
        Err(WorkflowError::NotFound) => None,
        Err(e) => return Err(e),
    };
    let Some(designation) = designation else {
        let mut unit = wf.store.write().await?;
        unit.complete_job(&job.id, wf.now()).await?;
        unit.commit().await?;
        return Ok(JobOutcome::AlreadyDone);
    };
    // The day it was scheduled for says which reminder it is (a run delayed past that day
    // still sends it, while the report is open).
    let day = job.run_at.to_offset(JST).date();
    let month = ReportMonth::of(day).previous();
    let submitted = wf.store.report_submissions(&payload.programme).await?;
    let open = months_of(&designation, today).contains(&month)
        && matches!(
            standing(&wf, ReportPeriod::Month(month), &submitted),
            Standing::Open { .. }
        );
    let reminder = e01_reminder_of_day(day, due_day).filter(|_| open);
    let mail = match reminder {
        Some(reminder) => Some((
            reminder,
            reminder_mail(&wf, &designation, &payload.programme, month, reminder).await?,
            recipients::owners(&wf, &designation.organisation_id).await?,
        )),
        None => None,
    };
    let mut unit = wf.store.write().await?;
    let mut queued = Queued::default();
    let mut mailed = false;
    if let Some((reminder, mail, owners)) = mail
        && unit
            .record_report_reminder(
                &payload.programme,
                ReportPeriod::Month(month),
                reminder.code(),
                wf.now(),
            )
            .await?
    {
        mail.queue(&wf, &mut unit, &mut queued, &owners).await?;
        mailed = true;
    }
    unit.complete_job(&job.id, wf.now()).await?;
    let last = ReportMonth::of(designation.ended_on.unwrap_or(designation.ends_on));
    let next = e01_next_reminder_day(today, due_day);
    if next <= e01_monthly_due_on(last, due_day) {
        schedule_reminder(&mut unit, &payload.programme, next, wf.now()).await?;
    }
    unit.commit().await?;
    queued.log(&wf);
    // Nothing due, or sent by an earlier run: the job only moved itself on.
    Ok(if mailed {
        JobOutcome::Done
    } else {
        JobOutcome::AlreadyDone
    })
}

/// The reminder's mail about `month`'s report of the course.
async fn reminder_mail(
    wf: &Workflow,
    designation: &DesignationRecord,
    programme_id: &str,
    month: ReportMonth,
    reminder: ReportReminder,
) -> Result<Process<'static>, WorkflowError> {
    let title = wf
        .store
        .programme(programme_id)
        .await?
        .map(|p| p.programme.title_ja)
        .unwrap_or_default();
    let due_on = e01_monthly_due_on(month, wf.settings.report_due_day);
    let (due, number) = (date_ja(due_on), &designation.number);
    let period = ReportPeriod::Month(month);
    let (ja_month, en_month) = (period.label_ja(), period.label_en());
    let (subject, ja, en) = match reminder {
        ReportReminder::Ready => (
            (
                "実施状況報告書（月次）を提出できます",
                "Your monthly implementation report can be submitted",
            ),
            format!(
                "特定講習「{title}」（指定番号 {number}）の{ja_month}分の実施状況報告書（月次）を、記録から作成しました。内容を確認し、備考を添えて{due}までに提出してください。"
            ),
            format!(
                "The monthly implementation report of \"{title}\" ({number}) for {en_month} has been computed from your records. Review it and submit it, with any remarks, by {due_on}."
            ),
        ),
        ReportReminder::DueSoon => (
            (
                "実施状況報告書（月次）の提出期限が近づいています",
                "Your monthly implementation report is due soon",
            ),
            format!(
                "特定講習「{title}」（指定番号 {number}）の{ja_month}分の実施状況報告書（月次）の提出期限は{due}です。まだ提出されていません。"
            ),
            format!(
                "The monthly implementation report of \"{title}\" ({number}) for {en_month} is due on {due_on} and has not been submitted yet."
            ),
        ),
    };
    Ok(Process {
        subject,
        ja,
        en,
        path: format!(
            "/organisations/{}/reports/{programme_id}/{}",
            designation.organisation_id,
            month.code()
        ),
    })
}

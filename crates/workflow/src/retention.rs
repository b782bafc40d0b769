//! Retention (issue 19 item 5; E02, B31): the schedule of every delivered session, the purge
//! of the personal data whose three years are over (a dry run first, each purge audited), the
//! job that runs it, and the exports that answer an inquiry or a disclosure request.
//!
//! The rule is `koshu_domain::retention`; what is purged and what is written out is the store's
//! inventory, `koshu_store::retention`.

use crate::jobs::JobOutcome;
use crate::{Workflow, WorkflowError};
use koshu_domain::audit::{AuditEvent, digest_of};
use koshu_domain::retention::{e02_purge_from, e02_retention_has_ended, fiscal_year_of_session};
use koshu_domain::types::FiscalYear;
use koshu_forms::archive::Entry;
use koshu_forms::csv::{BOM, csv_record};
use koshu_store::UnitOfWork;
use koshu_store::delivery::Delivery;
use koshu_store::retention::{
    AUDIT_COLUMNS, COURSE_RECORDS, PERSON_RECORDS, Purge, SESSION_PERSONAL_DATA, SESSION_RECORDS,
    Table, TextRows, person_column,
};
use std::collections::BTreeMap;
use time::Date;

/// The job that purges, from 1 April, the sessions of the fiscal year whose three years ended
/// the day before (and any earlier session still held). One pending per fiscal year, scheduled
/// whenever a session of that year is planned.
pub const RETENTION_PURGE: &str = "retention.purge";

/// Who the scheduled purge is in the audit log.
pub const PURGE_ACTOR: &str = "system:retention";

/// A delivered session as the schedule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledSession {
    pub session_id: String,
    pub programme_id: String,
    pub organisation_id: String,
    pub last_day: Date,
    pub fiscal_year: FiscalYear,
    /// The first day its personal data may be purged.
    pub purge_from: Date,
    /// Its purge, once done.
    pub purged: Option<Purge>,
}

impl ScheduledSession {
    /// Past its retention on `today` and not purged yet.
    pub fn due(&self, today: Date) -> bool {
        self.purged.is_none() && e02_retention_has_ended(self.last_day, today)
    }
}

/// Every delivered session with a timetable, the soonest to be purged first. A session
/// without a block has no last day, hence no fiscal year, and holds no attendance to purge.
pub async fn schedule(wf: &Workflow) -> Result<Vec<ScheduledSession>, WorkflowError> {
    let purges = wf.store.retention_purges().await?;
    let mut sessions: Vec<ScheduledSession> = wf
        .store
        .all_deliveries()
        .await?
        .into_iter()
        .filter_map(|d| scheduled(d, &purges))
        .collect();
    sessions.sort_by(|a, b| (a.purge_from, &a.session_id).cmp(&(b.purge_from, &b.session_id)));
    Ok(sessions)
}

fn scheduled(d: Delivery, purges: &[Purge]) -> Option<ScheduledSession> {
    let last_day = d.plan.last_day()?;
    Some(ScheduledSession {
        fiscal_year: fiscal_year_of_session(last_day)?,
        purge_from: e02_purge_from(last_day)?,
        purged: purges
            .iter()
            .find(|p| p.session_id == d.session_id)
            .cloned(),
        last_day,
        session_id: d.session_id,
        programme_id: d.programme_id,
        organisation_id: d.organisation_id,
    })
}

/// A session the purge would take now, with the rows it would remove by table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedPurge {
    pub session: ScheduledSession,
    pub rows: BTreeMap<String, i64>,
}

/// The dry run: what a purge today would remove, and nothing written.
pub async fn dry_run(wf: &Workflow) -> Result<Vec<PlannedPurge>, WorkflowError> {
    let today = wf.today();
    let mut planned = Vec::new();
    for session in schedule(wf).await?.into_iter().filter(|s| s.due(today)) {
        let rows = wf.store.personal_data_counts(&session.session_id).await?;
        planned.push(PlannedPurge { session, rows });
    }
    Ok(planned)
}

/// Purges every session past its retention today, one unit per session (each wholly or not at
/// all; a failure stops the run and leaves the rest for the next), and removes the bytes of
/// their stored files once each unit has committed. Returns what was purged; a second run
/// the same day purges nothing.
pub async fn purge_due(wf: &Workflow, actor: &str) -> Result<Vec<Purge>, WorkflowError> {
    purge(wf, actor, None).await
}

/// [`purge_due`]; with `job`, the last unit also completes that job (its own unit when
/// nothing is due), so the job is done exactly when its work is.
async fn purge(wf: &Workflow, actor: &str, job: Option<&str>) -> Result<Vec<Purge>, WorkflowError> {
    let today = wf.today();
    let due: Vec<ScheduledSession> = schedule(wf)
        .await?
        .into_iter()
        .filter(|s| s.due(today))
        .collect();
    if due.is_empty()
        && let Some(job) = job
    {
        let mut unit = wf.store.write().await?;
        unit.complete_job(job, wf.now()).await?;
        unit.commit().await?;
    }
    let mut purged = Vec::new();
    let last = due.len().saturating_sub(1);
    for (i, session) in due.into_iter().enumerate() {
        let mut unit = wf.store.write().await?;
        let done = unit
            .purge_session(&session.session_id, session.fiscal_year, actor, wf.now())
            .await?;
        if i == last
            && let Some(job) = job
        {
            unit.complete_job(job, wf.now()).await?;
        }
        unit.commit().await?;
        let Some(done) = done else { continue };
        wf.store.remove_objects(&done.file_ids).await;
        tracing::info!(
            session_id = %session.session_id,
            fiscal_year = session.fiscal_year.year(),
            rows = done.removed.values().sum::<i64>(),
            "personal data purged after its retention (E02)"
        );
        purged.push(Purge {
            session_id: session.session_id,
            fiscal_year: session.fiscal_year.year(),
            removed: done.removed,
            purged_by: actor.to_owned(),
            purged_at: wf.now(),
        });
    }
    Ok(purged)
}

#[derive(serde::Serialize, serde::Deserialize)]
struct PurgePayload {
    fiscal_year: i32,
}

/// Schedules the purge of the fiscal year a session whose last day is `last_day` belongs to
/// (one pending job per fiscal year; planning another session of it changes nothing).
pub(crate) async fn schedule_purge(
    unit: &mut UnitOfWork,
    last_day: Date,
    now: time::OffsetDateTime,
) -> Result<(), WorkflowError> {
    let (Some(year), Some(day)) = (fiscal_year_of_session(last_day), e02_purge_from(last_day))
    else {
        return Ok(());
    };
    let payload = serde_json::to_string(&PurgePayload {
        fiscal_year: year.year(),
    })?;
    crate::jobs::schedule_on(
        unit,
        RETENTION_PURGE,
        day,
        &payload,
        &format!("retention-purge:{}", year.year()),
        now,
    )
    .await?;
    Ok(())
}

/// The purge job: purges what is due (its own fiscal year's sessions, and any earlier one
/// still held) and completes with the last purge. Each session's purge is its own unit and a
/// session purged already is skipped, so a retry after a failure purges the rest and nothing
/// twice.
pub async fn run_purge(
    wf: Workflow,
    job: koshu_store::jobs::Job,
) -> Result<JobOutcome, WorkflowError> {
    let purged = purge(&wf, PURGE_ACTOR, Some(&job.id)).await?;
    Ok(if purged.is_empty() {
        JobOutcome::AlreadyDone
    } else {
        JobOutcome::Done
    })
}

/// One table written out: its file stem, columns and rows.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Written {
    name: String,
    columns: Vec<&'static str>,
    rows: TextRows,
}

impl Written {
    fn of(table: &Table, rows: TextRows) -> Self {
        Self {
            name: table.name.to_owned(),
            columns: table.columns.to_vec(),
            rows,
        }
    }
}

/// Appends `rows` to the table of that name (a course's sessions, one after another).
fn add(written: &mut Vec<Written>, table: &Table, rows: TextRows) {
    match written.iter_mut().find(|w| w.name == table.name) {
        Some(w) => w.rows.extend(rows),
        None => written.push(Written::of(table, rows)),
    }
}

/// Everything held about one course (a programme id): its catalogue record and designations,
/// its submitted reports, and every session's records including its learners' personal data,
/// as a zip ([`archive`]). The export is audited with the zip's digest. `NotFound` for an
/// unknown programme.
pub async fn export_course(
    wf: &Workflow,
    programme_id: &str,
    actor: &str,
) -> Result<Vec<u8>, WorkflowError> {
    let programme = wf
        .store
        .programme(programme_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let designations: Vec<serde_json::Value> = wf
        .store
        .all_designations()
        .await?
        .into_iter()
        .filter(|d| d.programme_id == programme_id)
        .map(|d| {
            serde_json::json!({
                "number": d.number,
                "application_id": d.application_id,
                "organisation_id": d.organisation_id,
                "starts_on": d.starts_on.to_string(),
                "ends_on": d.ends_on.to_string(),
                "ended_on": d.ended_on.map(|e| e.to_string()),
            })
        })
        .collect();
    let mut written = Vec::new();
    for table in COURSE_RECORDS {
        let rows = wf.store.rows_where(table, table.key, programme_id).await?;
        add(&mut written, table, rows);
    }
    let sessions: Vec<String> = wf
        .store
        .all_deliveries()
        .await?
        .into_iter()
        .filter(|d| d.programme_id == programme_id)
        .map(|d| d.session_id)
        .collect();
    for session in &sessions {
        for table in SESSION_RECORDS.iter().chain(SESSION_PERSONAL_DATA) {
            let rows = wf.store.rows_where(table, table.key, session).await?;
            add(&mut written, table, rows);
        }
    }
    let manifest = serde_json::json!({
        "export": "course",
        "programme_id": programme_id,
        "title": programme.programme.title_ja,
        "sessions": sessions,
        "designations": designations,
        "programme": programme,
    });
    let zip = archive(wf, manifest, &written)?;
    audited(
        wf,
        &zip,
        actor,
        "export.course",
        format!("programme:{programme_id}"),
    )
    .await?;
    Ok(zip)
}

/// Everything held about one person (an account id): their account without its secrets,
/// learner profile, memberships, holder ledger and certificates, every session's records of
/// them, and the audit entries by or about them; audited like [`export_course`]. `NotFound`
/// for an unknown account.
pub async fn export_learner(
    wf: &Workflow,
    account_id: &str,
    actor: &str,
) -> Result<Vec<u8>, WorkflowError> {
    wf.store
        .account(account_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let mut written = Vec::new();
    for table in PERSON_RECORDS {
        let rows = wf.store.rows_where(table, table.key, account_id).await?;
        add(&mut written, table, rows);
    }
    for table in SESSION_PERSONAL_DATA {
        if let Some(column) = person_column(table) {
            let rows = wf.store.rows_where(table, column, account_id).await?;
            add(&mut written, table, rows);
        }
    }
    written.push(Written {
        name: "audit_log".to_owned(),
        columns: AUDIT_COLUMNS.to_vec(),
        rows: wf.store.audit_entries_of_account(account_id).await?,
    });
    let manifest = serde_json::json!({
        "export": "learner",
        "account_id": account_id,
    });
    let zip = archive(wf, manifest, &written)?;
    audited(
        wf,
        &zip,
        actor,
        "export.learner",
        format!("account:{account_id}"),
    )
    .await?;
    Ok(zip)
}

/// Records who exported what, with the digest of what they were given.
async fn audited(
    wf: &Workflow,
    zip: &[u8],
    actor: &str,
    action: &str,
    subject: String,
) -> Result<(), WorkflowError> {
    let event =
        AuditEvent::new(wf.now(), actor, action, subject).with_digests(None, Some(digest_of(zip)));
    wf.store.record_event(event).await?;
    Ok(())
}

/// The zip: `manifest.json` (what this is, when it was made, the row count of each table), and
/// each table twice: as CSV for a spreadsheet (UTF-8 with a byte order mark, a header of
/// column names, NULL as empty) and as JSON (a list of objects, NULL as null).
fn archive(
    wf: &Workflow,
    mut manifest: serde_json::Value,
    written: &[Written],
) -> Result<Vec<u8>, WorkflowError> {
    let files: serde_json::Map<String, serde_json::Value> = written
        .iter()
        .map(|w| (w.name.clone(), w.rows.len().into()))
        .collect();
    if let Some(object) = manifest.as_object_mut() {
        object.insert(
            "generated_at".to_owned(),
            wf.now()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
                .into(),
        );
        object.insert("rows".to_owned(), files.into());
        object.insert(
            "retention".to_owned(),
            "E02: personal data is kept for 3 years after the fiscal year of the session's last day, then purged; submitted reports and survey tallies are kept.".into(),
        );
    }
    let mut entries = vec![Entry {
        name: "manifest.json".to_owned(),
        bytes: serde_json::to_vec_pretty(&manifest)?,
    }];
    for w in written {
        let mut csv = String::from(BOM);
        csv.push_str(&csv_record(&w.columns));
        for row in &w.rows {
            let fields: Vec<&str> = row.iter().map(|v| v.as_deref().unwrap_or("")).collect();
            csv.push_str(&csv_record(&fields));
        }
        entries.push(Entry {
            name: format!("{}.csv", w.name),
            bytes: csv.into_bytes(),
        });
        // The same rows with every value exact (the CSV defuses what a spreadsheet would run).
        let objects: Vec<serde_json::Map<String, serde_json::Value>> = w
            .rows
            .iter()
            .map(|row| {
                w.columns
                    .iter()
                    .zip(row)
                    .map(|(c, v)| ((*c).to_owned(), v.clone().into()))
                    .collect()
            })
            .collect();
        entries.push(Entry {
            name: format!("{}.json", w.name),
            bytes: serde_json::to_vec_pretty(&objects)?,
        });
    }
    let made = wf.now().to_offset(crate::JST);
    koshu_forms::archive::zip(
        &entries,
        time::PrimitiveDateTime::new(made.date(), made.time()),
    )
    .map_err(|e| WorkflowError::Corrupt(e.to_string()))
}

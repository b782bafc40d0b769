//! The RISS holder's ledger (issue 18; F01–F03): linking the registration, the courses that
//! count (Koshu's own completions, verified by their credentials, and courses the holder adds
//! with evidence), the obligations and outlook the domain computes from them, the reminder
//! job, the calendar feed, the export, and the registry's aggregates.

use crate::credentials::{issued_to, verification_url, verify_credential};
use crate::jobs::JobOutcome;
use crate::listings::Checked;
use crate::mail::{Queued, SIGNATURE, link};
use crate::{JST, Workflow, WorkflowError, account_actor};
use bytes::Bytes;
use koshu_credentials::achievement::hashed_email;
use koshu_credentials::status::Status;
use koshu_domain::ValidationError;
use koshu_domain::holder::{
    Course, CourseEntry, CourseKind, Ledger, Outlook, Registration, Standing, f02_obligations,
    f02_outlook, f03_evidence_file, f03_next_reminder_day, f03_reminders_due,
};
use koshu_domain::types::{date_en, date_ja, date_wareki};
use koshu_forms::calendar::{CalendarEvent, When, ics};
use koshu_store::holders::{HolderCourse, HolderLink};
use koshu_store::outbox::Mail;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use time::{Date, OffsetDateTime};

/// The job that mails a holder's reminders (issue 18 item 5); one pending per holder.
pub const REMINDERS: &str = "holder.reminders";

/// Where a ledger entry comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A completion on Koshu: its credential, checked now, and where anyone verifies it.
    Koshu {
        credential_id: String,
        verification_url: String,
        /// The verification's outcome code (`verified`, `revoked`, …).
        verdict: String,
    },
    /// A course the holder added.
    Added(HolderCourse),
}

/// One course in the ledger.
#[derive(Debug, Clone)]
pub struct Entry {
    /// `koshu:<credential>` or the added course's id: what an obligation's `by` names.
    pub reference: String,
    pub kind: CourseKind,
    pub title: String,
    pub provider: String,
    pub completed_on: Date,
    pub standing: Standing,
    pub source: Source,
}

impl Entry {
    fn course(&self) -> Course {
        Course {
            reference: self.reference.clone(),
            kind: self.kind,
            completed_on: self.completed_on,
            standing: self.standing,
        }
    }
}

/// Everything the holder's dashboard shows.
#[derive(Debug, Clone)]
pub struct HolderView {
    pub link: HolderLink,
    /// A course's identity check matched the number: (session, when).
    pub confirmed_by_course: Option<(String, OffsetDateTime)>,
    /// Newest first.
    pub entries: Vec<Entry>,
    pub ledger: Ledger,
    pub outlook: Outlook,
    pub reminders_sent: BTreeSet<(Date, i64)>,
    pub next_reminder: Option<Date>,
}

impl HolderView {
    pub fn entry(&self, reference: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.reference == reference)
    }
}

/// The holder's Koshu completions: each credential is verified now (signature, status list,
/// dates); one that does not verify is shown as withdrawn and not counted.
async fn koshu_entries(wf: &Workflow, account_id: &str) -> Result<Vec<Entry>, WorkflowError> {
    let mut entries = Vec::new();
    for issued in issued_to(wf, account_id).await? {
        let verdict = verify_credential(wf, &issued.document).await?;
        let standing = if verdict.verified() {
            Standing::Verified
        } else {
            Standing::Withdrawn
        };
        let kind = if issued.claims.designation.is_some() {
            CourseKind::Specific
        } else {
            CourseKind::Other
        };
        entries.push(Entry {
            reference: format!("koshu:{}", issued.stored.id),
            kind,
            title: issued.claims.course.clone(),
            provider: issued.claims.issuer.name.clone(),
            completed_on: issued.stored.issued_at.to_offset(JST).date(),
            standing,
            source: Source::Koshu {
                verification_url: verification_url(wf, &issued.stored.id),
                credential_id: issued.stored.id,
                verdict: verdict.code().to_owned(),
            },
        });
    }
    Ok(entries)
}

fn added_entry(c: HolderCourse) -> Entry {
    Entry {
        reference: c.id.clone(),
        kind: c.kind,
        title: c.title.clone(),
        provider: c.provider.clone(),
        completed_on: c.completed_on,
        standing: c.standing,
        source: Source::Added(c),
    }
}

/// F01–F03: the holder's dashboard, or None before they link a registration.
pub async fn view(wf: &Workflow, account_id: &str) -> Result<Option<HolderView>, WorkflowError> {
    let Some(link) = wf.store.holder_link(account_id).await? else {
        return Ok(None);
    };
    let mut entries = koshu_entries(wf, account_id).await?;
    entries.extend(
        wf.store
            .holder_courses(account_id)
            .await?
            .into_iter()
            .map(added_entry),
    );
    entries.sort_by(|a, b| (b.completed_on, &b.reference).cmp(&(a.completed_on, &a.reference)));
    let today = wf.today();
    let courses: Vec<Course> = entries.iter().map(Entry::course).collect();
    let ledger = f02_obligations(&link.registration, &courses, today);
    let reminders_sent = wf.store.holder_reminders_sent(account_id).await?;
    let confirmed_by_course = wf
        .store
        .riss_confirmed_by_course(account_id, link.registration.number.digits())
        .await?;
    Ok(Some(HolderView {
        outlook: f02_outlook(&ledger, today),
        next_reminder: f03_next_reminder_day(&ledger, today, &reminders_sent),
        link,
        confirmed_by_course,
        entries,
        ledger,
        reminders_sent,
    }))
}

#[derive(Serialize, Deserialize)]
struct ReminderPayload {
    account: String,
}

/// Moves the holder's reminder job to the next day one falls due (or today, when one is due
/// now); with nothing ahead, the job that is pending runs once more and finds nothing.
async fn schedule_reminders(
    wf: &Workflow,
    unit: &mut koshu_store::UnitOfWork,
    account_id: &str,
    next: Option<Date>,
) -> Result<(), WorkflowError> {
    let Some(day) = next else {
        return Ok(());
    };
    let payload = serde_json::to_string(&ReminderPayload {
        account: account_id.to_owned(),
    })?;
    crate::jobs::schedule_on(
        unit,
        REMINDERS,
        day,
        &payload,
        &format!("holder-reminders:{account_id}"),
        wf.now(),
    )
    .await?;
    Ok(())
}

/// A change a use case is about to make to the holder's courses.
enum Change<'a> {
    Nothing,
    Add(&'a HolderCourse),
    Remove(&'a str),
}

/// The day the holder's reminder job should next run once `change` is committed (today when
/// a reminder is due now). Read before the unit opens: a unit holds the write lock.
async fn next_reminder(
    wf: &Workflow,
    account_id: &str,
    registration: &Registration,
    change: Change<'_>,
) -> Result<Option<Date>, WorkflowError> {
    let mut courses: Vec<Course> = koshu_entries(wf, account_id)
        .await?
        .iter()
        .map(Entry::course)
        .collect();
    courses.extend(
        wf.store
            .holder_courses(account_id)
            .await?
            .into_iter()
            .filter(|c| !matches!(change, Change::Remove(id) if id == c.id))
            .map(|c| added_entry(c).course()),
    );
    if let Change::Add(c) = change {
        courses.push(added_entry(c.clone()).course());
    }
    let today = wf.today();
    let ledger = f02_obligations(registration, &courses, today);
    let sent = wf.store.holder_reminders_sent(account_id).await?;
    Ok(if f03_reminders_due(&ledger, today, &sent).is_empty() {
        f03_next_reminder_day(&ledger, today, &sent)
    } else {
        Some(today)
    })
}

/// F01: links (or corrects) the holder's registration, and schedules their reminders.
pub async fn link_registration(
    wf: &Workflow,
    account_id: &str,
    registration: &Registration,
) -> Result<(), WorkflowError> {
    let actor = account_actor(account_id);
    let next = next_reminder(wf, account_id, registration, Change::Nothing).await?;
    let mut unit = wf.store.write().await?;
    unit.save_holder_link(account_id, registration, &actor, wf.now())
        .await?;
    schedule_reminders(wf, &mut unit, account_id, next).await?;
    unit.commit().await?;
    Ok(())
}

/// Privacy (issue 18 item 7): removes the link, the courses the holder added with their
/// uploaded certificates, and the reminders; Koshu's own credentials stay (they are the
/// provider's records). The pending reminder job finds no link and ends.
pub async fn unlink(wf: &Workflow, account_id: &str) -> Result<(), WorkflowError> {
    let actor = account_actor(account_id);
    let mut unit = wf.store.write().await?;
    let files = unit
        .remove_holder_link(account_id, &actor, wf.now())
        .await?;
    unit.commit().await?;
    wf.store.remove_objects(&files).await;
    Ok(())
}

/// The evidence a holder gives with a course.
#[derive(Debug)]
pub enum Evidence {
    None,
    /// A credential's JSON, pasted or read from a baked badge.
    Credential(String),
    /// A certificate's file (PDF or image).
    File {
        name: String,
        bytes: Bytes,
    },
}

/// F03: what a pasted credential establishes: verified when it verifies and names the holder's
/// address; otherwise the course is the holder's word, with the verdict kept.
struct CredentialFinding {
    standing: Standing,
    verdict: String,
    /// The course as the credential states it, when it verified.
    stated: Option<(String, String, Date, bool)>,
}

async fn examine_credential(
    wf: &Workflow,
    email: &str,
    document: &Value,
) -> Result<CredentialFinding, WorkflowError> {
    let verdict = verify_credential(wf, document).await?;
    let Some(claims) = verdict.claims.clone().filter(|_| verdict.verified()) else {
        return Ok(CredentialFinding {
            standing: Standing::SelfReported,
            verdict: verdict.code().to_owned(),
            stated: None,
        });
    };
    if hashed_email(email, &claims.email_salt) != claims.email_hash {
        return Ok(CredentialFinding {
            standing: Standing::SelfReported,
            verdict: "not_this_holder".to_owned(),
            stated: None,
        });
    }
    let completed_on = OffsetDateTime::parse(
        &claims.valid_from,
        &time::format_description::well_known::Rfc3339,
    )
    .map(|t| t.to_offset(JST).date())
    .map_err(|_| WorkflowError::Corrupt("credential validFrom".to_owned()))?;
    Ok(CredentialFinding {
        standing: Standing::Verified,
        verdict: verdict.code().to_owned(),
        stated: Some((
            claims.course.clone(),
            claims.issuer.name.clone(),
            completed_on,
            claims.designation.is_some(),
        )),
    })
}

/// A credential Koshu issued to this holder is in the ledger already.
async fn already_in_ledger(
    wf: &Workflow,
    account_id: &str,
    document: &Value,
) -> Result<Option<ValidationError>, WorkflowError> {
    let Some(id) = document.get("id").and_then(Value::as_str) else {
        return Ok(None);
    };
    let own = issued_to(wf, account_id)
        .await?
        .iter()
        .any(|i| verification_url(wf, &i.stored.id) == id);
    Ok(own.then(|| {
        ValidationError::new(
            "holder.credential_in_ledger",
            "この修了証は Koshu で修了した講習のもので、台帳に自動で載っています。",
            "This certificate is from a course completed on Koshu; it is in your ledger already.",
        )
        .for_field("credential")
    }))
}

/// The form's fields as typed, read by [`CourseEntry::parse`] unless a verified credential
/// states them.
#[derive(Debug, Clone, Default)]
pub struct CourseForm {
    pub kind: String,
    pub title: String,
    pub provider: String,
    pub completed_on: String,
}

/// F03: adds a course to the holder's ledger, or answers every problem with the input. A
/// credential (pasted, or inside an uploaded badge) that verifies and names the holder makes it
/// verified, and what it states wins over the form; a credential Koshu issued to this holder is
/// in the ledger already and is refused. A certificate file is stored first, in a unit of its
/// own (as applications' documents are), then the course and its reminders in one.
pub async fn add_course(
    wf: &Workflow,
    account_id: &str,
    form: &CourseForm,
    evidence: Evidence,
) -> Result<Checked<String>, WorkflowError> {
    let link = wf
        .store
        .holder_link(account_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let account = wf
        .store
        .account(account_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let actor = account_actor(account_id);
    // A baked badge or a credential file is read as a pasted credential.
    let evidence = match evidence {
        Evidence::File { name, bytes } => {
            match koshu_forms::certificate::credential_in_file(&bytes) {
                Ok(text) if serde_json::from_str::<Value>(&text).is_ok() => {
                    Evidence::Credential(text)
                }
                _ => Evidence::File { name, bytes },
            }
        }
        other => other,
    };
    let (credential_text, finding) = match &evidence {
        Evidence::Credential(text) => {
            let Ok(document) = serde_json::from_str::<Value>(text) else {
                return Ok(Err(vec![
                    ValidationError::new(
                        "holder.credential_json",
                        "貼り付けた修了証は JSON として読めません。修了証の JSON をそのまま貼り付けてください。",
                        "The pasted credential is not valid JSON; paste the credential's JSON as it is.",
                    )
                    .for_field("credential"),
                ]));
            };
            if let Some(e) = already_in_ledger(wf, account_id, &document).await? {
                return Ok(Err(vec![e]));
            }
            let finding = examine_credential(wf, account.email.as_str(), &document).await?;
            (Some(text.clone()), Some(finding))
        }
        _ => (None, None),
    };
    let mut errors = Vec::new();
    let entry = match finding.as_ref().and_then(|f| f.stated.clone()) {
        Some((title, provider, completed_on, designated)) => Some(CourseEntry {
            kind: if designated {
                CourseKind::Specific
            } else {
                CourseKind::from_code(form.kind.trim()).unwrap_or(CourseKind::Other)
            },
            title,
            provider,
            completed_on,
        }),
        None => CourseEntry::parse(
            &form.kind,
            &form.title,
            &form.provider,
            &form.completed_on,
            wf.today(),
        )
        .map_err(|e| errors.extend(e))
        .ok(),
    };
    let file = match evidence {
        Evidence::File { name, bytes } => {
            match koshu_domain::types::text::check_text(
                &name,
                koshu_domain::types::text::TextKind::Line,
            )
            .and_then(|()| f03_evidence_file(&name, &bytes))
            {
                Ok(media) => Some((name, media, bytes)),
                Err(e) => {
                    errors.push(e.for_field("file"));
                    None
                }
            }
        }
        _ => None,
    };
    let Some(entry) = entry.filter(|_| errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let now = wf.now();
    let file_id = match file {
        Some((name, media, bytes)) => Some(
            wf.store
                .save_file(&name, media, bytes, &actor, now)
                .await?
                .id,
        ),
        None => None,
    };
    let course = HolderCourse {
        id: uuid::Uuid::now_v7().to_string(),
        account_id: account_id.to_owned(),
        kind: entry.kind,
        title: entry.title,
        provider: entry.provider,
        completed_on: entry.completed_on,
        standing: finding
            .as_ref()
            .map_or(Standing::SelfReported, |f| f.standing),
        credential: credential_text,
        verdict: finding.map(|f| f.verdict),
        file_id,
        created_at: now,
    };
    let next = next_reminder(wf, account_id, &link.registration, Change::Add(&course)).await?;
    let mut unit = wf.store.write().await?;
    unit.add_holder_course(&course, &actor).await?;
    schedule_reminders(wf, &mut unit, account_id, next).await?;
    unit.commit().await?;
    Ok(Ok(course.id))
}

/// Removes one of the holder's own courses (and its uploaded certificate).
pub async fn remove_course(
    wf: &Workflow,
    account_id: &str,
    course_id: &str,
) -> Result<(), WorkflowError> {
    let link = wf
        .store
        .holder_link(account_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let actor = account_actor(account_id);
    // Reminders for a deadline the course had met may be due again.
    let next = next_reminder(
        wf,
        account_id,
        &link.registration,
        Change::Remove(course_id),
    )
    .await?;
    let mut unit = wf.store.write().await?;
    let file = unit
        .remove_holder_course(account_id, course_id, &actor, wf.now())
        .await?
        .ok_or(WorkflowError::NotFound)?;
    schedule_reminders(wf, &mut unit, account_id, next).await?;
    unit.commit().await?;
    wf.store
        .remove_objects(&file.into_iter().collect::<Vec<_>>())
        .await;
    Ok(())
}

/// An uploaded certificate of the holder's own course: (name, media type, bytes).
pub async fn evidence_file(
    wf: &Workflow,
    account_id: &str,
    course_id: &str,
) -> Result<(String, String, Bytes), WorkflowError> {
    let course = wf
        .store
        .holder_courses(account_id)
        .await?
        .into_iter()
        .find(|c| c.id == course_id)
        .ok_or(WorkflowError::NotFound)?;
    let file_id = course.file_id.ok_or(WorkflowError::NotFound)?;
    let (file, bytes) = wf.store.open_file(&file_id).await?;
    Ok((file.file_name, file.content_type, bytes))
}

/// F03: mails the reminders due today for the job's holder, each recorded so that it never
/// goes twice, and moves the job to the next one. A holder who unlinked gets nothing.
pub async fn send_reminders(
    wf: Workflow,
    job: koshu_store::jobs::Job,
) -> Result<JobOutcome, WorkflowError> {
    let payload: ReminderPayload = serde_json::from_str(&job.payload)?;
    let today = wf.today();
    let view = view(&wf, &payload.account).await?;
    let account = wf.store.account(&payload.account).await?;
    let mut unit = wf.store.write().await?;
    let (Some(view), Some(account)) = (view, account) else {
        unit.complete_job(&job.id, wf.now()).await?;
        unit.commit().await?;
        return Ok(JobOutcome::AlreadyDone);
    };
    let mut queued = Queued::default();
    let mut mailed = false;
    let mut sent = view.reminders_sent.clone();
    for reminder in f03_reminders_due(&view.ledger, today, &view.reminders_sent) {
        if unit
            .record_holder_reminder(
                &payload.account,
                reminder.deadline,
                reminder.days_before,
                wf.now(),
            )
            .await?
        {
            let mail = reminder_mail(&wf, account.email.as_str(), &view, &reminder);
            queued.push(&wf, &mut unit, mail).await?;
            mailed = true;
        }
        sent.insert((reminder.deadline, reminder.days_before));
    }
    unit.complete_job(&job.id, wf.now()).await?;
    let next = f03_next_reminder_day(&view.ledger, today, &sent);
    schedule_reminders(&wf, &mut unit, &payload.account, next).await?;
    unit.commit().await?;
    queued.log(&wf);
    // Nothing due (met since, or sent by an earlier run): the job only moved itself on.
    Ok(if mailed {
        JobOutcome::Done
    } else {
        JobOutcome::AlreadyDone
    })
}

fn reminder_mail(
    wf: &Workflow,
    to: &str,
    view: &HolderView,
    reminder: &koshu_domain::holder::Reminder,
) -> Mail {
    let ja: Vec<String> = reminder
        .unmet
        .iter()
        .map(|o| format!("・{}", o.label(false)))
        .collect();
    let en: Vec<String> = reminder
        .unmet
        .iter()
        .map(|o| format!("- {}", o.label(true)))
        .collect();
    let deadline = reminder.deadline;
    Mail {
        to: to.to_owned(),
        subject: format!(
            "【Koshu】講習の期限まであと{}日（{}） / {} days to your course deadline",
            reminder.days_before,
            date_ja(deadline),
            reminder.days_before
        ),
        body: format!(
            "登録セキスペ（登録番号 {number}）の義務講習の期限が近づいています。\n\n\
             期限：{deadline_ja}（{wareki}）\n\
             まだ修了していない講習：\n{ja}\n\n\
             修了済みの講習が台帳にない場合は、台帳に追加すると、この期限のお知らせは止まります。\n\
             台帳：{url}\n\n\
             Your mandatory course deadline as a registered specialist is {deadline_en}.\n\
             Not yet finished:\n{en}\n\
             Add a finished course to your ledger and these reminders stop: {url}\n{SIGNATURE}",
            number = view.link.registration.number,
            deadline_ja = date_ja(deadline),
            wareki = date_wareki(deadline),
            deadline_en = date_en(deadline),
            ja = ja.join("\n"),
            en = en.join("\n"),
            url = link(wf, "/holder"),
        ),
        calendar: Some(deadline_calendar(wf, view, wf.now())),
    }
}

/// The holder's deadlines as a calendar: each unmet obligation's deadline, the renewal
/// application deadline and the registration's end (issue 18 item 4: the .ics feed).
pub fn deadline_calendar(wf: &Workflow, view: &HolderView, stamp: OffsetDateTime) -> String {
    let number = view.link.registration.number.digits();
    let url = link(wf, "/holder");
    let mut events: Vec<CalendarEvent> = view
        .ledger
        .items
        .iter()
        .filter(|i| !matches!(i.state, koshu_domain::holder::State::Met { .. }))
        .map(|i| CalendarEvent {
            uid: format!(
                "holder-{number}-{}-{}@koshu",
                view.ledger.period.starts_on,
                i.obligation.code()
            ),
            when: When::AllDay(i.window.closes_on),
            summary: format!(
                "{}の期限 / {} deadline",
                i.obligation.label(false),
                i.obligation.label(true)
            ),
            location: None,
            description: format!(
                "{}までに修了してください。/ Finish it by {}.",
                date_ja(i.window.closes_on),
                date_en(i.window.closes_on)
            ),
            url: Some(url.clone()),
        })
        .collect();
    let period = view.ledger.period;
    for (key, day, ja, en) in [
        (
            "apply",
            period.apply_by,
            "登録セキスペ 更新申請期限",
            "RISS renewal application deadline",
        ),
        (
            "expires",
            period.expires_on,
            "登録セキスペ 登録の有効期限",
            "RISS registration ends",
        ),
    ] {
        events.push(CalendarEvent {
            uid: format!("holder-{number}-{}-{key}@koshu", period.starts_on),
            when: When::AllDay(day),
            summary: format!("{ja} / {en}"),
            location: None,
            description: format!(
                "{}（{}） / {}",
                date_ja(day),
                date_wareki(day),
                date_en(day)
            ),
            url: Some(url.clone()),
        });
    }
    ics(&events, stamp)
}

/// What is kept of a secret token: its SHA-256, hex (as the web layer digests it).
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Makes (or replaces) the secret address of the holder's calendar feed and answers the
/// secret; only its hash is kept, so a lost address is replaced, never shown again.
pub async fn new_calendar_token(wf: &Workflow, account_id: &str) -> Result<String, WorkflowError> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)
        .map_err(|e| WorkflowError::Corrupt(format!("no randomness: {e}")))?;
    let token = hex::encode(bytes);
    let mut unit = wf.store.write().await?;
    if !unit
        .set_holder_calendar_token(
            account_id,
            &token_hash(&token),
            &account_actor(account_id),
            wf.now(),
        )
        .await?
    {
        return Err(WorkflowError::NotFound);
    }
    unit.commit().await?;
    Ok(token)
}

/// The calendar feed behind a secret address (calendar apps fetch it without signing in).
pub async fn calendar_feed(wf: &Workflow, token: &str) -> Result<String, WorkflowError> {
    let link = wf
        .store
        .holder_by_calendar_token(&token_hash(token))
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let view = view(wf, &link.account_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    Ok(deadline_calendar(wf, &view, wf.now()))
}

/// Privacy (issue 18 item 7): everything Koshu keeps about the holder's ledger, as JSON.
#[derive(Debug, Serialize)]
pub struct Export {
    pub riss_number: String,
    pub registered_on: Date,
    pub renewed_on: Option<Date>,
    pub linked_at: String,
    pub confirmed_by_course: bool,
    pub period: koshu_domain::holder::Period,
    pub outlook: &'static str,
    pub obligations: Vec<ExportObligation>,
    pub courses: Vec<ExportCourse>,
    pub reminders_sent: Vec<(Date, i64)>,
}

#[derive(Debug, Serialize)]
pub struct ExportObligation {
    pub obligation: String,
    pub opens_on: Date,
    pub deadline: Date,
    pub state: &'static str,
    pub met_by: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ExportCourse {
    pub reference: String,
    pub kind: &'static str,
    pub title: String,
    pub provider: String,
    pub completed_on: Date,
    pub standing: Standing,
    /// `koshu` for a completion on Koshu, `added` for one the holder added.
    pub source: &'static str,
    pub verification: Option<String>,
    pub credential: Option<Value>,
}

pub fn export(view: &HolderView) -> Export {
    let r = &view.link.registration;
    Export {
        riss_number: r.number.digits().to_owned(),
        registered_on: r.registered_on,
        renewed_on: r.renewed_on,
        linked_at: view
            .link
            .linked_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        confirmed_by_course: view.confirmed_by_course.is_some(),
        period: view.ledger.period,
        outlook: view.outlook.code(),
        obligations: view
            .ledger
            .items
            .iter()
            .map(|i| ExportObligation {
                obligation: i.obligation.code(),
                opens_on: i.window.opens_on,
                deadline: i.window.closes_on,
                state: i.state.code(),
                met_by: match &i.state {
                    koshu_domain::holder::State::Met { by, .. } => Some(by.clone()),
                    _ => None,
                },
            })
            .collect(),
        courses: view
            .entries
            .iter()
            .map(|e| {
                let (source, verification, credential) = match &e.source {
                    Source::Koshu {
                        verification_url, ..
                    } => ("koshu", Some(verification_url.clone()), None),
                    Source::Added(c) => (
                        "added",
                        c.verdict.clone(),
                        c.credential
                            .as_deref()
                            .and_then(|t| serde_json::from_str(t).ok()),
                    ),
                };
                ExportCourse {
                    reference: e.reference.clone(),
                    kind: e.kind.code(),
                    title: e.title.clone(),
                    provider: e.provider.clone(),
                    completed_on: e.completed_on,
                    standing: e.standing,
                    source,
                    verification,
                    credential,
                }
            })
            .collect(),
        reminders_sent: view.reminders_sent.iter().copied().collect(),
    }
}

/// The registry's aggregates (issue 18 item 6): never an individual holder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    pub holders: usize,
    pub by_outlook: BTreeMap<Outlook, usize>,
    /// (year, month of 登録日) → holders by outlook.
    pub by_cohort: BTreeMap<(i32, u8), BTreeMap<Outlook, usize>>,
    /// (year, month) → 特定講習 completions issued on Koshu: (all learners, linked holders).
    pub completions_by_month: BTreeMap<(i32, u8), (usize, usize)>,
}

/// The registry's counts today, from every holder's ledger. Koshu credentials count by their
/// stored status here (verifying every signature for every holder is the dashboard's job).
pub async fn registry(wf: &Workflow) -> Result<Registry, WorkflowError> {
    let today = wf.today();
    let links = wf.store.holder_links().await?;
    let linked: BTreeSet<&str> = links.iter().map(|l| l.account_id.as_str()).collect();
    let mut courses: BTreeMap<String, Vec<Course>> = BTreeMap::new();
    for c in wf.store.all_holder_courses().await? {
        let account = c.account_id.clone();
        courses
            .entry(account)
            .or_default()
            .push(added_entry(c).course());
    }
    let mut registry = Registry::default();
    for stored in wf.store.all_credentials().await? {
        let document: Value = serde_json::from_str(&stored.document)?;
        let designated = koshu_credentials::achievement::Claims::read(&document)
            .map(|c| c.designation.is_some())
            .unwrap_or(false);
        if !designated || stored.status == Status::Revoked {
            continue;
        }
        let issued = stored.issued_at.to_offset(JST).date();
        let month = registry
            .completions_by_month
            .entry((issued.year(), u8::from(issued.month())))
            .or_default();
        month.0 += 1;
        if linked.contains(stored.account_id.as_str()) {
            month.1 += 1;
            let standing = if stored.status == Status::Active {
                Standing::Verified
            } else {
                Standing::Withdrawn
            };
            courses
                .entry(stored.account_id.clone())
                .or_default()
                .push(Course {
                    reference: format!("koshu:{}", stored.id),
                    kind: CourseKind::Specific,
                    completed_on: issued,
                    standing,
                });
        }
    }
    for l in &links {
        let ledger = f02_obligations(
            &l.registration,
            courses.get(&l.account_id).map_or(&[][..], Vec::as_slice),
            today,
        );
        let outlook = f02_outlook(&ledger, today);
        registry.holders += 1;
        *registry.by_outlook.entry(outlook).or_default() += 1;
        *registry
            .by_cohort
            .entry(koshu_domain::holder::cohort(&l.registration))
            .or_default()
            .entry(outlook)
            .or_default() += 1;
    }
    Ok(registry)
}

//! The LRS's use cases (issue 20): statements sent by a provider's LMS are checked by the
//! domain and kept in one unit per request (a batch is kept whole or not at all), and the
//! State, Activity Profile and Agent Profile documents are written under their ETags.

use crate::{Workflow, WorkflowError};
use koshu_domain::ValidationError;
use koshu_domain::access::Email;
use koshu_domain::delivery::{
    Activity, ActivityKind, EnrolmentStatus, d04_beats_of_reported_use, effective_curriculum,
};
use koshu_domain::xapi::evidence::Learner;
use koshu_domain::xapi::{self, XapiVersion};
use koshu_store::Conflict;
use koshu_store::delivery::Delivery;
use koshu_store::progress::ProgressEvent;
use koshu_store::xapi::{Document, DocumentKey, NewStatement};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use time::OffsetDateTime;

/// Who sends: the organisation whose records these are and the credential's authority agent.
#[derive(Debug, Clone)]
pub struct Sender<'a> {
    pub organisation_id: &'a str,
    pub authority: &'a Value,
    pub version: XapiVersion,
}

/// An attachment's raw data as it came in a multipart/mixed part.
#[derive(Debug, Clone)]
pub struct AttachmentData {
    /// `X-Experience-API-Hash`: the SHA-2 of the content, hex.
    pub sha2: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

fn invalid(code: &'static str, field: &str, ja: &str, en: &str) -> WorkflowError {
    WorkflowError::Invalid(ValidationError::new(code, ja, en).for_field(field))
}

/// A rule error of statement `n`, its field put under `statements[n]`.
fn in_statement(n: usize) -> impl Fn(ValidationError) -> WorkflowError {
    move |e| {
        let field = e.field.clone().unwrap_or_default();
        WorkflowError::Invalid(e.for_field(format!("statements[{n}].{field}")))
    }
}

/// Keeps the statements of one request (POST of one or many, or PUT of one with its id), in
/// one unit, and returns their ids in the order sent. A statement already kept under its id
/// is accepted again when it says the same thing and refused (409) when it does not.
pub async fn store_statements(
    wf: &Workflow,
    sender: &Sender<'_>,
    statements: Vec<Value>,
    attachments: Vec<AttachmentData>,
) -> Result<Vec<String>, WorkflowError> {
    let now = wf.now();
    let stored = now
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| WorkflowError::Corrupt(e.to_string()))?;
    let stored_us = i64::try_from(now.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX);
    let mut ready = Vec::with_capacity(statements.len());
    // Each statement as its sender wrote it (normalised, with its id), before the LRS adds
    // stored, authority, version and a missing timestamp: a repeat is compared with this.
    let mut as_sent = Vec::with_capacity(statements.len());
    let mut ids = HashSet::new();
    // Every attachment named may come with its data; those without fileUrl must.
    let mut named = HashSet::new();
    let mut wanted = HashSet::new();
    for (n, mut statement) in statements.into_iter().enumerate() {
        xapi::validate_statement(&statement, sender.version).map_err(in_statement(n))?;
        check_signatures(&statement, &attachments).map_err(in_statement(n))?;
        xapi::normalize_statement(&mut statement);
        let Some(object) = statement.as_object_mut() else {
            continue;
        };
        let id = match object.get("id").and_then(Value::as_str) {
            Some(id) => id.to_ascii_lowercase(),
            None => uuid::Uuid::new_v4().to_string(),
        };
        if !ids.insert(id.clone()) {
            return Err(invalid(
                "xapi.statement.id_repeated",
                &format!("statements[{n}].id"),
                "同じ id のステートメントが一つの要求に二つあります。",
                "Two statements in one request have the same id.",
            ));
        }
        object.insert("id".into(), Value::String(id.clone()));
        let sent = Value::Object(object.clone());
        object.insert("stored".into(), Value::String(stored.clone()));
        object.insert("authority".into(), sender.authority.clone());
        object
            .entry("timestamp")
            .or_insert_with(|| Value::String(stored.clone()));
        object.entry("version").or_insert_with(|| {
            Value::String(
                match sender.version {
                    XapiVersion::V1_0_3 => "1.0.0",
                    XapiVersion::V2_0_0 => "2.0.0",
                }
                .into(),
            )
        });
        for attachment in object
            .get("attachments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(sha2) = attachment.get("sha2").and_then(Value::as_str) {
                named.insert(sha2.to_ascii_lowercase());
                if attachment.get("fileUrl").is_none() {
                    wanted.insert(sha2.to_ascii_lowercase());
                }
            }
        }
        ready.push((id, statement));
        as_sent.push(sent);
    }
    let mut sent = HashSet::new();
    for (n, part) in attachments.iter().enumerate() {
        if !xapi::attachment_matches(&part.sha2, &part.content) {
            return Err(invalid(
                "xapi.attachment.hash",
                &format!("attachments[{n}]"),
                "添付データの内容が X-Experience-API-Hash のハッシュと一致しません。",
                "An attachment's content does not match its X-Experience-API-Hash.",
            ));
        }
        if !named.contains(&part.sha2.to_ascii_lowercase()) {
            return Err(invalid(
                "xapi.attachment.unused",
                &format!("attachments[{n}]"),
                "どのステートメントの attachments にもない添付データが送られました。",
                "An attachment was sent that no statement's attachments names.",
            ));
        }
        sent.insert(part.sha2.to_ascii_lowercase());
    }
    if let Some(missing) = wanted.iter().find(|sha2| !sent.contains(*sha2)) {
        return Err(invalid(
            "xapi.attachment.missing",
            "attachments",
            &format!("fileUrl のない添付（sha2 {missing}）のデータが送られていません。"),
            &format!("The data of an attachment without fileUrl (sha2 {missing}) was not sent."),
        ));
    }

    let evidence = evidence_of(wf, sender.organisation_id, &ready, now).await?;

    let mut unit = wf.store.write().await?;
    let mut kept = Vec::with_capacity(ready.len());
    for (n, (((id, statement), evidence), sent)) in
        ready.iter().zip(&evidence).zip(&as_sent).enumerate()
    {
        kept.push(id.clone());
        if let Some(existing) = unit.xapi_statement(sender.organisation_id, id).await? {
            let earlier: Value = serde_json::from_str(&existing.body)
                .map_err(|e| WorkflowError::Corrupt(e.to_string()))?;
            if xapi::same_statement(&earlier, sent) {
                continue;
            }
            return Err(WorkflowError::Conflict(Conflict::StatementIdTaken));
        }
        let index = xapi::statement_index(statement);
        if let Some(target) = &index.voids {
            let target_voids = match unit.xapi_statement(sender.organisation_id, target).await? {
                Some(t) => t.voids.is_some(),
                None => ready
                    .iter()
                    .any(|(other, s)| other == target && xapi::statement_index(s).voids.is_some()),
            };
            if target_voids {
                return Err(invalid(
                    "xapi.statement.void_voiding",
                    &format!("statements[{n}].object.id"),
                    "取り消し（voided）のステートメントは取り消せません。",
                    "A voiding statement cannot itself be voided.",
                ));
            }
        }
        let direct = index
            .actor
            .iter()
            .chain(&index.object_agent)
            .cloned()
            .collect();
        let agents = tagged(&index.related_agents, direct);
        let activities = tagged(
            &index.related_activities,
            index.activity.iter().cloned().collect(),
        );
        let body = statement.to_string();
        unit.insert_xapi_statement(
            sender.organisation_id,
            &NewStatement {
                id,
                body: &body,
                stored_us,
                actor: index.actor.as_deref(),
                verb: &index.verb,
                activity: index.activity.as_deref(),
                registration: index.registration.as_deref(),
                voids: index.voids.as_deref(),
                target: index.statement_ref.as_deref(),
                agents: &agents,
                activities: &activities,
            },
        )
        .await?;
        if let Some(target) = &index.voids {
            unit.void_xapi_statement(sender.organisation_id, target)
                .await?;
        }
        match evidence {
            Some(Evidence::Progress {
                session_id,
                account_id,
                events,
            }) => {
                for event in events {
                    unit.append_progress(session_id, account_id, *event).await?;
                }
            }
            Some(Evidence::Unmatched {
                session_id,
                actor,
                at,
            }) => {
                unit.note_unmatched_xapi_actor(session_id, actor, *at)
                    .await?;
            }
            None => {}
        }
        if let (Some(activity), Some(definition)) =
            (&index.activity, statement.pointer("/object/definition"))
        {
            let merged = match unit.xapi_activity(sender.organisation_id, activity).await? {
                Some(earlier) => {
                    let earlier: Value = serde_json::from_str(&earlier)
                        .map_err(|e| WorkflowError::Corrupt(e.to_string()))?;
                    xapi::merge_definition(&earlier, definition)
                }
                None => definition.clone(),
            };
            unit.keep_xapi_activity(sender.organisation_id, activity, &merged.to_string())
                .await?;
        }
    }
    for part in &attachments {
        unit.keep_xapi_attachment(
            sender.organisation_id,
            &part.sha2.to_ascii_lowercase(),
            &part.content_type,
            &part.content,
        )
        .await?;
    }
    unit.commit().await?;
    Ok(kept)
}

/// What a statement adds to the delivery records of a session of the sender's.
#[derive(Debug, Clone)]
enum Evidence {
    /// Progress of an enrolled learner on an on-demand item: the statement's event, after
    /// the beats of the use it reports.
    Progress {
        session_id: String,
        account_id: String,
        events: Vec<ProgressEvent>,
    },
    /// A statement about the session whose actor is not one of its learners.
    Unmatched {
        session_id: String,
        actor: String,
        at: OffsetDateTime,
    },
}

/// Issue 20 item 3 (D04, B11): what each statement gives as evidence, read before the unit
/// opens. A statement about a Koshu activity of another organisation's session gives none.
async fn evidence_of(
    wf: &Workflow,
    organisation_id: &str,
    statements: &[(String, Value)],
    now: OffsetDateTime,
) -> Result<Vec<Option<Evidence>>, WorkflowError> {
    let mut deliveries: HashMap<String, Option<Delivery>> = HashMap::new();
    let mut finished: HashMap<String, HashMap<String, Vec<ProgressEvent>>> = HashMap::new();
    let mut out = Vec::with_capacity(statements.len());
    for (_, statement) in statements {
        let Some(found) = xapi::evidence::evidence_of(statement, &wf.settings.public_url, now)
        else {
            out.push(None);
            continue;
        };
        let session_id = found.activity.session_id.clone();
        if !deliveries.contains_key(&session_id) {
            let delivery = wf
                .store
                .delivery(&session_id)
                .await?
                .filter(|d| d.organisation_id == organisation_id);
            deliveries.insert(session_id.clone(), delivery);
        }
        let Some(Some(delivery)) = deliveries.get(&session_id) else {
            out.push(None);
            continue;
        };
        let account = match &found.learner {
            Some(Learner::Email(address)) => match Email::parse(address) {
                Ok(email) => wf.store.account_by_email(&email).await?,
                Err(_) => None,
            },
            Some(Learner::Account(id)) => wf.store.account(id).await?,
            None => None,
        };
        let enrolled = match &account {
            Some(a) => wf
                .store
                .enrolment_of(&session_id, &a.id)
                .await?
                .filter(|e| e.status == EnrolmentStatus::Enrolled)
                .map(|_| a.id.clone()),
            None => None,
        };
        let Some(account_id) = enrolled else {
            out.push(Some(Evidence::Unmatched {
                session_id,
                actor: found.actor,
                at: found.at,
            }));
            continue;
        };
        let curriculum = effective_curriculum(&delivery.plan.curriculum, &delivery.plan.timetable);
        let on_demand = found
            .activity
            .item_no
            .and_then(|n| crate::progress::on_demand_item(&curriculum, n, found.at).ok());
        let Some(item) = on_demand else {
            out.push(None);
            continue;
        };
        let item_no = item.number;
        let standard = time::Duration::minutes(i64::from(item.standard_minutes));
        if !finished.contains_key(&session_id) {
            finished.insert(
                session_id.clone(),
                wf.store.progress_events(&session_id).await?,
            );
        }
        let done = finished
            .get(&session_id)
            .and_then(|all| all.get(&account_id))
            .is_some_and(|events| crate::progress::finished(events, item_no));
        if done && found.kind == ActivityKind::Finish {
            out.push(None);
            continue;
        }
        let event = ProgressEvent {
            item_no,
            activity: Activity {
                kind: found.kind,
                at: found.at,
            },
        };
        if found.kind == ActivityKind::Finish
            && let Some(all) = finished.get_mut(&session_id)
        {
            all.entry(account_id.clone()).or_default().push(event);
        }
        let reported = found.duration.map_or_else(Vec::new, |used| {
            d04_beats_of_reported_use(found.at, used, standard)
        });
        let mut events: Vec<ProgressEvent> = reported
            .into_iter()
            .map(|at| ProgressEvent {
                item_no,
                activity: Activity {
                    kind: ActivityKind::Active,
                    at,
                },
            })
            .collect();
        events.push(event);
        out.push(Some(Evidence::Progress {
            session_id,
            account_id,
            events,
        }));
    }
    Ok(out)
}

/// Checks the JWS of each signature attachment of the statement against its data.
fn check_signatures(
    statement: &Value,
    attachments: &[AttachmentData],
) -> Result<(), ValidationError> {
    let signatures = statement
        .get("attachments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|a| a.get("usageType").and_then(Value::as_str) == Some(xapi::SIGNATURE_USAGE))
        .filter_map(|a| a.get("sha2").and_then(Value::as_str));
    for sha2 in signatures {
        if let Some(part) = attachments
            .iter()
            .find(|p| p.sha2.eq_ignore_ascii_case(sha2))
        {
            xapi::check_signature(statement, &part.content)?;
        }
    }
    Ok(())
}

/// Each of `all`, flagged when it is in `direct`.
fn tagged(all: &[String], direct: HashSet<String>) -> Vec<(String, bool)> {
    let mut seen = HashSet::new();
    let mut out: Vec<(String, bool)> = all
        .iter()
        .filter(|a| seen.insert((*a).clone()))
        .map(|a| (a.clone(), direct.contains(a)))
        .collect();
    out.extend(
        direct
            .into_iter()
            .filter(|d| !seen.contains(d))
            .map(|d| (d, true)),
    );
    out
}

/// The preconditions a document write came with.
#[derive(Debug, Clone, Default)]
pub struct Preconditions {
    /// `If-Match`: the ETag the writer last saw (unquoted), or `*`.
    pub if_match: Option<String>,
    /// `If-None-Match: *`: only when there is no document yet.
    pub if_none_match: bool,
}

/// How a document is written: PUT replaces it, POST merges JSON objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentWrite {
    Replace,
    Merge,
}

/// A document as a PUT or POST sends it.
#[derive(Debug, Clone)]
pub struct SentDocument<'a> {
    pub document_id: &'a str,
    pub content_type: &'a str,
    pub content: Vec<u8>,
    pub write: DocumentWrite,
}

/// The ETag of a document's content: its SHA-1, hex, as xAPI 1.0.3 asks.
pub fn document_etag(content: &[u8]) -> String {
    hex::encode(<sha1::Sha1 as sha1::Digest>::digest(content))
}

/// When a PUT must say which document it replaces (`If-Match`) or that there is none yet
/// (`If-None-Match: *`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutPrecondition {
    /// Never (the State resource of xAPI 1.0.3).
    Optional,
    /// Over a document that exists (xAPI 2.0): a 409 without one.
    WhenExists,
    /// Always (the profiles of xAPI 1.0.3): a 409 over a document that exists, a 400 for a
    /// new one.
    Always,
}

fn check_preconditions(
    existing: Option<&Document>,
    preconditions: &Preconditions,
) -> Result<(), WorkflowError> {
    if let Some(tag) = &preconditions.if_match {
        let held = existing.is_some_and(|d| tag == "*" || *tag == d.etag);
        if !held {
            return Err(WorkflowError::PreconditionFailed);
        }
    }
    if preconditions.if_none_match && existing.is_some() {
        return Err(WorkflowError::PreconditionFailed);
    }
    Ok(())
}

fn json_object(content: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice(content) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// Writes a document at `key` and returns its new ETag. A PUT without `If-Match` or
/// `If-None-Match` is refused as `precondition` says; a precondition that does not hold is a
/// 412. A POST merges the top-level properties of two JSON objects and refuses anything else.
pub async fn write_document(
    wf: &Workflow,
    key: &DocumentKey<'_>,
    sent: SentDocument<'_>,
    preconditions: &Preconditions,
    precondition: PutPrecondition,
) -> Result<String, WorkflowError> {
    let SentDocument {
        document_id,
        content_type,
        content,
        write,
    } = sent;
    let now = wf.now();
    let unconditional = preconditions.if_match.is_none() && !preconditions.if_none_match;
    let mut unit = wf.store.write().await?;
    let existing = unit.xapi_document(key, document_id).await?;
    check_preconditions(existing.as_ref(), preconditions)?;
    let (content_type, content) = match (write, existing) {
        (DocumentWrite::Replace, Some(_))
            if unconditional && precondition != PutPrecondition::Optional =>
        {
            return Err(WorkflowError::Conflict(Conflict::DocumentExists));
        }
        (DocumentWrite::Replace, None)
            if unconditional && precondition == PutPrecondition::Always =>
        {
            return Err(invalid(
                "xapi.document.precondition",
                "If-None-Match",
                "新しい文書を PUT で作るときは If-None-Match: * を付けてください（xAPI 1.0.3）。",
                "To create a document by PUT, send If-None-Match: * (xAPI 1.0.3).",
            ));
        }
        (DocumentWrite::Merge, Some(earlier)) => {
            let (Some(mut merged), Some(update)) = (
                is_json(&earlier.content_type)
                    .then(|| json_object(&earlier.content))
                    .flatten(),
                is_json(content_type)
                    .then(|| json_object(&content))
                    .flatten(),
            ) else {
                return Err(invalid(
                    "xapi.document.merge",
                    "body",
                    "POST で結合できるのは JSON オブジェクトどうしだけです。PUT で置き換えてください。",
                    "POST merges JSON objects only; replace the document with PUT.",
                ));
            };
            merged.extend(update);
            (
                "application/json".to_owned(),
                Value::Object(merged).to_string().into_bytes(),
            )
        }
        (DocumentWrite::Merge, None)
            if is_json(content_type) && json_object(&content).is_none() =>
        {
            return Err(invalid(
                "xapi.document.merge",
                "body",
                "POST で送る JSON の文書はオブジェクトにしてください。",
                "A JSON document sent by POST must be an object.",
            ));
        }
        _ => (content_type.to_owned(), content),
    };
    let etag = document_etag(&content);
    unit.put_xapi_document(
        key,
        &Document {
            document_id: document_id.to_owned(),
            content_type,
            content,
            etag: etag.clone(),
            updated: now,
        },
    )
    .await?;
    unit.commit().await?;
    Ok(etag)
}

/// Deletes the document with this id at `key`, or all there when `None`, under `If-Match`
/// when given.
pub async fn delete_documents(
    wf: &Workflow,
    key: &DocumentKey<'_>,
    document_id: Option<&str>,
    preconditions: &Preconditions,
) -> Result<(), WorkflowError> {
    let mut unit = wf.store.write().await?;
    if let Some(id) = document_id {
        let existing = unit.xapi_document(key, id).await?;
        check_preconditions(existing.as_ref(), preconditions)?;
    }
    unit.delete_xapi_documents(key, document_id).await?;
    unit.commit().await?;
    Ok(())
}

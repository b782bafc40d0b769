//! Certificates (issue 17; D06, B13): the Open Badges 3.0 credential issued with a completion
//! decision, in the decision's own unit of work; suspension, reinstatement and revocation, each
//! re-signing the issuer's status list in the same unit; key rotation; and the verdict on any
//! credential, with Koshu's own issuers resolved from the store (nothing is fetched).

use crate::mail::{Queued, link};
use crate::{JST, Workflow, WorkflowError};
use koshu_credentials::achievement::{
    Alignment, Claims, Designation, IssuerProfile, hashed_email, xsd_datetime,
};
use koshu_credentials::canonical::Contexts;
use koshu_credentials::keys::{self, MasterKey, PublishedKey, SigningKey};
use koshu_credentials::proof;
use koshu_credentials::status::{self, Bitstring, ENTRIES};
use koshu_credentials::verify::{self, Resolver, Verdict};
use koshu_domain::ValidationError;
use koshu_domain::delivery::completion::{CompletionCriteria, describe, minutes_en};
use koshu_domain::types::date_ja;
use koshu_store::UnitOfWork;
use koshu_store::credentials::{
    CredentialStatus, IssuerKey, NewCredential, StatusListRecord, StoredCredential,
};
use koshu_store::delivery::Learner;
use koshu_store::outbox::Mail;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use time::OffsetDateTime;

/// The `did:web` of an organisation: its DID document is served at `/issuers/{id}/did.json`.
pub fn issuer_did(wf: &Workflow, organisation_id: &str) -> Result<String, WorkflowError> {
    keys::did_web(&wf.settings.public_url, &["issuers", organisation_id])
        .map_err(|e| WorkflowError::Corrupt(e.to_string()))
}

/// The address of an organisation's status list `number` (1, 2, …).
pub fn status_list_url(wf: &Workflow, organisation_id: &str, number: u64) -> String {
    link(wf, &format!("/status/{organisation_id}/{number}"))
}

/// A credential's id: the page anyone opens to verify it (and the QR code's target).
pub fn verification_url(wf: &Workflow, credential_id: &str) -> String {
    link(wf, &format!("/verify/{credential_id}"))
}

fn master_key(wf: &Workflow) -> Result<&MasterKey, WorkflowError> {
    wf.settings.master_key.as_deref().ok_or_else(|| {
        WorkflowError::Invalid(ValidationError::new(
            "credential.no_master_key",
            "修了証に署名する鍵（マスターキー）が設定されていないため、修了証を発行できません。管理者に連絡してください。",
            "No master key is configured to sign certificates, so none can be issued: contact the administrator.",
        ))
    })
}

pub(crate) fn random<const N: usize>() -> Result<[u8; N], WorkflowError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| WorkflowError::Corrupt(format!("no randomness: {e}")))?;
    Ok(bytes)
}

fn corrupt(e: koshu_credentials::CredentialError) -> WorkflowError {
    WorkflowError::Corrupt(e.to_string())
}

/// A new key for `organisation_id`, sealed under the master key, named after the ones before.
fn new_key(
    wf: &Workflow,
    organisation_id: &str,
    existing: &[IssuerKey],
    now: OffsetDateTime,
) -> Result<(IssuerKey, SigningKey), WorkflowError> {
    let signing = SigningKey::from_bytes(&random::<32>()?);
    let id = uuid::Uuid::now_v7().to_string();
    let sealed = master_key(wf)?
        .seal(&signing, random::<12>()?, &id)
        .map_err(corrupt)?;
    let key = IssuerKey {
        fragment: format!("key-{}", existing.len() + 1),
        public_multibase: keys::public_multibase(&signing.verifying_key()),
        sealed_private: hex::encode(sealed),
        organisation_id: organisation_id.to_owned(),
        created_at: now,
        retired_at: None,
        id,
    };
    Ok((key, signing))
}

fn open(wf: &Workflow, key: &IssuerKey) -> Result<SigningKey, WorkflowError> {
    let sealed = hex::decode(&key.sealed_private)
        .map_err(|_| WorkflowError::Corrupt(format!("issuer key {}: sealed key", key.id)))?;
    master_key(wf)?.unseal(&sealed, &key.id).map_err(corrupt)
}

/// The key that signs for `organisation_id` now, created (and audited) in `unit` on first use.
pub(crate) async fn signing_key(
    wf: &Workflow,
    unit: &mut UnitOfWork,
    organisation_id: &str,
    now: OffsetDateTime,
) -> Result<(String, SigningKey), WorkflowError> {
    let existing = unit.issuer_keys(organisation_id).await?;
    let did = issuer_did(wf, organisation_id)?;
    if let Some(current) = existing.iter().rev().find(|k| k.retired_at.is_none()) {
        return Ok((format!("{did}#{}", current.fragment), open(wf, current)?));
    }
    let (key, signing) = new_key(wf, organisation_id, &existing, now)?;
    unit.add_issuer_key(&key, None, "system:credentials")
        .await?;
    Ok((format!("{did}#{}", key.fragment), signing))
}

/// Re-signs status list `number` of the organisation from the statuses `unit` sees.
async fn sign_status_list(
    wf: &Workflow,
    unit: &mut UnitOfWork,
    organisation_id: &str,
    number: u64,
    now: OffsetDateTime,
) -> Result<(), WorkflowError> {
    let first = (number - 1) * u64::from(ENTRIES);
    let statuses = unit
        .list_statuses(organisation_id, first, u64::from(ENTRIES))
        .await?;
    let bits = Bitstring::with(statuses.into_iter().map(|(seq, s)| {
        let index = u32::try_from(seq - first).unwrap_or(u32::MAX);
        (index, s)
    }))
    .and_then(|b| b.encode())
    .map_err(corrupt)?;
    let url = status_list_url(wf, organisation_id, number);
    let did = issuer_did(wf, organisation_id)?;
    let valid_from = xsd_datetime(now).map_err(corrupt)?;
    let unsigned = status::list_credential(&url, &did, &valid_from, &bits);
    let (method, key) = signing_key(wf, unit, organisation_id, now).await?;
    let signed =
        proof::sign(&Contexts::default(), &unsigned, &key, &method, now).map_err(corrupt)?;
    let document = signed.to_string();
    unit.put_status_list(&StatusListRecord {
        organisation_id: organisation_id.to_owned(),
        number: i64::try_from(number).unwrap_or(i64::MAX),
        etag: format!("\"{}\"", hex::encode(Sha256::digest(document.as_bytes()))),
        document,
        updated_at: now,
    })
    .await?;
    Ok(())
}

/// What a completion credential is issued from: the decision as it is being written.
#[derive(Debug, Clone, Copy)]
pub struct Completed<'a> {
    pub decision_id: &'a str,
    pub organisation_id: &'a str,
    pub session: &'a crate::delivery::CatalogueSession,
    pub learner: &'a Learner,
    pub attended_minutes: u32,
    pub timetabled_minutes: u32,
    pub criteria: &'a CompletionCriteria,
}

fn hours(minutes: u32) -> f64 {
    // Quarter hours: what the certificate and the credit fields say.
    (f64::from(minutes) / 15.0).floor() * 0.25
}

/// D06, B13: signs and keeps the credential of a completion, in the decision's `unit`.
/// Returns the credential's id.
pub(crate) async fn issue_in(
    wf: &Workflow,
    unit: &mut UnitOfWork,
    c: Completed<'_>,
    actor: &str,
    now: OffsetDateTime,
) -> Result<String, WorkflowError> {
    let id = uuid::Uuid::now_v7().to_string();
    let seq = unit.next_credential_seq(c.organisation_id).await?;
    let number = seq / u64::from(ENTRIES) + 1;
    let index = u32::try_from(seq % u64::from(ENTRIES)).unwrap_or(0);
    let claims = claims_of(wf, &c, &id, number, index, now).await?;
    let (method, key) = signing_key(wf, unit, c.organisation_id, now).await?;
    let signed = proof::sign(
        &Contexts::default(),
        &claims.credential(),
        &key,
        &method,
        now,
    )
    .map_err(corrupt)?;
    let document = signed.to_string();
    unit.add_credential(
        NewCredential {
            id: &id,
            organisation_id: c.organisation_id,
            session_id: c.session.session.id.as_str(),
            account_id: &c.learner.account_id,
            decision_id: c.decision_id,
            seq,
            document: &document,
        },
        actor,
        now,
    )
    .await?;
    if index == 0 {
        // The first credential of a list: the list starts, every entry active.
        sign_status_list(wf, unit, c.organisation_id, number, now).await?;
    }
    Ok(id)
}

async fn claims_of(
    wf: &Workflow,
    c: &Completed<'_>,
    id: &str,
    list_number: u64,
    index: u32,
    now: OffsetDateTime,
) -> Result<Claims, WorkflowError> {
    let programme = &c.session.programme.programme;
    let session = &c.session.session;
    let organisation = wf
        .store
        .organisation(c.organisation_id)
        .await?
        .ok_or(WorkflowError::NotFound)?
        .organisation;
    let provider_url = link(wf, &format!("/providers/{}", programme.provider.as_str()));
    let mut fields: Vec<Alignment> = programme
        .itss_fields
        .iter()
        .filter_map(|code| wf.taxonomy.itss_field(code))
        .map(|f| Alignment {
            target_type: "ext:ITSSPlusField".to_owned(),
            name: f.label.ja.clone(),
            code: Some(f.code.clone()),
            description: Some(f.label.en.clone()),
            url: Some(link(wf, &format!("/search?field={}", f.code))),
        })
        .collect();
    fields.extend(
        programme
            .syllabus_items
            .iter()
            .filter_map(|code| wf.taxonomy.syllabus_item(code))
            .map(|i| Alignment {
                target_type: "ext:SyllabusItem".to_owned(),
                name: i.label.ja.clone(),
                code: Some(i.code.clone()),
                description: Some(i.label.en.clone()),
                url: Some(link(wf, &format!("/search?syllabus={}", i.code))),
            }),
    );
    let designation = programme.designation.as_ref().map(|d| Designation {
        number: d.number.clone(),
        period: format!("{}〜{}", date_ja(d.starts_on), date_ja(d.ends_on)),
        url: link(wf, "/designations"),
    });
    let salt = hex::encode(random::<16>()?);
    let title_en = programme.title_en.as_deref().unwrap_or(&programme.title_ja);
    // The statement ends with its own full stop: "Co., Ltd." must not end in two.
    let provider_en = organisation
        .name_en
        .as_deref()
        .unwrap_or(&organisation.name_ja)
        .trim_end_matches('.');
    let designated_en = programme
        .designation
        .as_ref()
        .map(|d| {
            format!(
                " The course is a Specified Course (特定講習) designated by the Minister of Economy, Trade and Industry, No. {}, for {} to {}.",
                d.number, d.starts_on, d.ends_on
            )
        })
        .unwrap_or_default();
    let criteria = describe(c.criteria);
    let criteria_ja: Vec<&str> = criteria.iter().map(|(ja, _)| ja.as_str()).collect();
    let criteria_en: Vec<&str> = criteria.iter().map(|(_, en)| en.as_str()).collect();
    let start = session.starts_on.midnight().assume_offset(JST);
    let valid_until = c
        .criteria
        .credential_valid_years
        .and_then(|y| {
            now.replace_year(now.year() + i32::try_from(y).unwrap_or(0))
                .ok()
        })
        .map(xsd_datetime)
        .transpose()
        .map_err(corrupt)?;
    Ok(Claims {
        id: verification_url(wf, id),
        issuer: IssuerProfile {
            id: issuer_did(wf, c.organisation_id)?,
            name: organisation.name_ja.clone(),
            url: provider_url,
        },
        achievement_id: link(
            wf,
            &format!("/programmes/{}#achievement", programme.id.as_str()),
        ),
        course: programme.title_ja.clone(),
        course_description: programme.summary_ja.clone(),
        statement_en: format!(
            "Certificate of completion: \u{201c}{title_en}\u{201d}, completed with {} attended of {} timetabled, issued by {provider_en}.{designated_en}",
            minutes_en(c.attended_minutes),
            minutes_en(c.timetabled_minutes),
        ),
        criteria: format!("{}\n\n{}", criteria_ja.join("\n"), criteria_en.join("\n")),
        course_hours: hours(c.timetabled_minutes),
        hours_earned: hours(c.attended_minutes),
        fields,
        designation,
        learner_name: c.learner.profile.name.clone(),
        email_hash: hashed_email(&c.learner.email, &salt),
        email_salt: salt,
        riss_number: c
            .learner
            .profile
            .riss
            .as_ref()
            .filter(|_| c.learner.profile.riss_on_credential)
            .map(|r| r.number.digits().to_owned()),
        activity_start: xsd_datetime(start).map_err(corrupt)?,
        activity_end: xsd_datetime(now).map_err(corrupt)?,
        valid_from: xsd_datetime(now).map_err(corrupt)?,
        valid_until,
        status: Some(status::entry(
            &status_list_url(wf, c.organisation_id, list_number),
            index,
        )),
    })
}

/// Revokes, in `unit`, the learner's credential issued on decision `decision_id` (a correction
/// superseded it), re-signing the list. Nothing when that decision had none.
pub(crate) async fn revoke_superseded_in(
    wf: &Workflow,
    unit: &mut UnitOfWork,
    decision_id: &str,
    reason: &str,
    actor: &str,
    now: OffsetDateTime,
) -> Result<Option<StoredCredential>, WorkflowError> {
    let Some(old) = wf.store.credential_of_decision(decision_id).await? else {
        return Ok(None);
    };
    if old.status == CredentialStatus::Revoked {
        return Ok(None);
    }
    unit.set_credential_status(
        &old.id,
        old.status,
        CredentialStatus::Revoked,
        reason,
        actor,
        now,
    )
    .await?;
    sign_status_list(wf, unit, &old.organisation_id, list_number(&old), now).await?;
    Ok(Some(old))
}

fn list_number(c: &StoredCredential) -> u64 {
    c.seq / u64::from(ENTRIES) + 1
}

/// What staff may do to a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    Suspend,
    Reinstate,
    Revoke,
}

impl StatusChange {
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "suspend" => Some(Self::Suspend),
            "reinstate" => Some(Self::Reinstate),
            "revoke" => Some(Self::Revoke),
            _ => None,
        }
    }

    fn target(self) -> CredentialStatus {
        match self {
            Self::Suspend => CredentialStatus::Suspended,
            Self::Reinstate => CredentialStatus::Active,
            Self::Revoke => CredentialStatus::Revoked,
        }
    }
}

/// D06: suspends, reinstates or revokes a credential, from the status the page showed
/// (`expected`), with a reason: the status, the re-signed list, the audit entry and the
/// learner's mail are one unit. A revoked credential is final (`Conflict::CredentialChanged`).
pub async fn change_status(
    wf: &Workflow,
    credential_id: &str,
    change: StatusChange,
    expected: CredentialStatus,
    reason: &str,
    actor: &str,
) -> Result<(), WorkflowError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(WorkflowError::Invalid(
            ValidationError::new(
                "credential.reason_required",
                "理由を入力してください。受講者への通知と監査記録に残ります。",
                "Give the reason: the learner is told it, and the audit log keeps it.",
            )
            .for_field("reason"),
        ));
    }
    let credential = wf
        .store
        .credential(credential_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let legal = matches!(
        (expected, change),
        (
            CredentialStatus::Active,
            StatusChange::Suspend | StatusChange::Revoke
        ) | (
            CredentialStatus::Suspended,
            StatusChange::Reinstate | StatusChange::Revoke
        )
    );
    if !legal {
        return Err(WorkflowError::Conflict(
            koshu_store::Conflict::CredentialChanged,
        ));
    }
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    unit.set_credential_status(
        &credential.id,
        expected,
        change.target(),
        reason,
        actor,
        now,
    )
    .await?;
    sign_status_list(
        wf,
        &mut unit,
        &credential.organisation_id,
        list_number(&credential),
        now,
    )
    .await?;
    let mut queued = Queued::default();
    if let Some(learner) = wf.store.learner(&credential.account_id).await? {
        let mail = status_mail(wf, &learner.email, &credential, change.target(), reason)?;
        queued.push(wf, &mut unit, mail).await?;
    }
    unit.commit().await?;
    queued.log(wf);
    Ok(())
}

fn status_mail(
    wf: &Workflow,
    to: &str,
    credential: &StoredCredential,
    to_status: CredentialStatus,
    reason: &str,
) -> Result<Mail, WorkflowError> {
    let claims = Claims::read(&serde_json::from_str(&credential.document)?).map_err(corrupt)?;
    let status = to_status;
    let url = verification_url(wf, &credential.id);
    Ok(crate::delivery::learner_mail(
        wf,
        to,
        (
            "修了証の状態が変わりました",
            "Your certificate's status changed",
        ),
        &format!(
            "「{}」の修了証は「{}」になりました。\n理由：{reason}\n\n確認：{url}",
            claims.course,
            status.label_ja()
        ),
        &format!(
            "Your certificate for \"{}\" is now {}.\nReason: {reason}\n\nCheck it: {url}",
            claims.course,
            status.label_en().to_lowercase()
        ),
        None,
    ))
}

/// Retires the organisation's signing key and makes a new one (`koshu keys rotate`). The
/// old key stays in the DID document: what it signed still verifies. Returns the new key.
pub async fn rotate_key(
    wf: &Workflow,
    organisation_id: &str,
    actor: &str,
) -> Result<IssuerKey, WorkflowError> {
    wf.store
        .organisation(organisation_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    let existing = unit.issuer_keys(organisation_id).await?;
    let current = existing
        .iter()
        .rev()
        .find(|k| k.retired_at.is_none())
        .map(|k| k.id.clone());
    let (key, _) = new_key(wf, organisation_id, &existing, now)?;
    unit.add_issuer_key(&key, current.as_deref(), actor).await?;
    unit.commit().await?;
    Ok(key)
}

/// The DID document of an organisation: every key it ever had. None before its first key.
pub async fn did_document(
    wf: &Workflow,
    organisation_id: &str,
) -> Result<Option<Value>, WorkflowError> {
    let keys = wf.store.issuer_keys(organisation_id).await?;
    if keys.is_empty() {
        return Ok(None);
    }
    let published: Vec<PublishedKey> = keys
        .into_iter()
        .map(|k| PublishedKey {
            fragment: k.fragment,
            public_multibase: k.public_multibase,
        })
        .collect();
    Ok(Some(keys::did_document(
        &issuer_did(wf, organisation_id)?,
        &published,
    )))
}

/// Koshu's own issuers and lists, loaded before the (synchronous) check runs.
#[derive(Debug, Default)]
struct Known {
    dids: HashMap<String, Value>,
    lists: HashMap<String, Value>,
}

impl Resolver for Known {
    fn did_document(&self, did: &str) -> Option<Value> {
        self.dids.get(did).cloned()
    }
    fn status_list(&self, url: &str) -> Option<Value> {
        self.lists.get(url).cloned()
    }
}

/// D06: the verdict on a credential, as anyone may ask: the signature (issuers of this site
/// and `did:key` only: nothing is fetched), the status from this site's signed lists, and the
/// validity dates now.
pub async fn verify_credential(
    wf: &Workflow,
    credential: &Value,
) -> Result<Verdict, WorkflowError> {
    verify_credential_with(wf, &Contexts::default(), credential).await
}

/// [`verify_credential`] reading the JSON-LD contexts `contexts` knows (the VC-API endpoints
/// add the W3C examples context).
pub async fn verify_credential_with(
    wf: &Workflow,
    contexts: &Contexts,
    credential: &Value,
) -> Result<Verdict, WorkflowError> {
    let mut known = Known::default();
    let issuer = match credential.get("issuer") {
        Some(Value::String(id)) => Some(id.as_str()),
        Some(p) => p.get("id").and_then(Value::as_str),
        None => None,
    };
    let own = keys::did_web(&wf.settings.public_url, &["issuers", ""]).map_err(corrupt)?;
    if let Some(org) = issuer.and_then(|i| i.strip_prefix(&own))
        && !org.is_empty()
        && !org.contains([':', '#', '/'])
        && let Some(doc) = did_document(wf, org).await?
    {
        known.dids.insert(issuer_did(wf, org)?, doc);
    }
    if let Ok(Some(entry)) = status::entry_of(credential) {
        let prefix = link(wf, "/status/");
        if let Some(rest) = entry.list_url.strip_prefix(&prefix)
            && let Some((org, number)) = rest.split_once('/')
            && let Ok(number) = number.parse::<i64>()
            && let Some(list) = wf.store.status_list(org, number).await?
        {
            known.lists.insert(
                entry.list_url.clone(),
                serde_json::from_str(&list.document)?,
            );
        }
    }
    Ok(verify::verify(contexts, credential, &known, wf.now()))
}

/// A credential and what it says, as kept.
#[derive(Debug, Clone)]
pub struct Issued {
    pub stored: StoredCredential,
    pub document: Value,
    pub claims: Claims,
}

impl Issued {
    fn of(stored: StoredCredential) -> Result<Self, WorkflowError> {
        let document: Value = serde_json::from_str(&stored.document)?;
        let claims = Claims::read(&document).map_err(corrupt)?;
        Ok(Self {
            stored,
            document,
            claims,
        })
    }
}

pub async fn issued(wf: &Workflow, credential_id: &str) -> Result<Issued, WorkflowError> {
    let stored = wf
        .store
        .credential(credential_id)
        .await?
        .ok_or(WorkflowError::NotFound)?;
    Issued::of(stored)
}

/// A learner's credentials, newest first.
pub async fn issued_to(wf: &Workflow, account_id: &str) -> Result<Vec<Issued>, WorkflowError> {
    wf.store
        .credentials_of_account(account_id)
        .await?
        .into_iter()
        .map(Issued::of)
        .collect()
}

/// A session's credentials.
pub async fn issued_in(wf: &Workflow, session_id: &str) -> Result<Vec<Issued>, WorkflowError> {
    wf.store
        .credentials_of_session(session_id)
        .await?
        .into_iter()
        .map(Issued::of)
        .collect()
}

/// What became of a 特定講習 designation a certificate names, as of today (the verification
/// page states it beside what the certificate says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesignationToday {
    InForce {
        ends_on: time::Date,
    },
    NotYet {
        starts_on: time::Date,
    },
    Expired {
        on: time::Date,
    },
    Abolished {
        on: time::Date,
    },
    Revoked {
        on: time::Date,
    },
    /// No designation with that number is on record here.
    Unknown,
}

pub async fn designation_today(
    wf: &Workflow,
    number: &str,
) -> Result<DesignationToday, WorkflowError> {
    let today = wf.now().to_offset(JST).date();
    let Some(d) = wf
        .store
        .all_designations()
        .await?
        .into_iter()
        .filter(|d| d.number == number)
        .max_by_key(|d| d.version)
    else {
        return Ok(DesignationToday::Unknown);
    };
    use koshu_domain::designation::lifecycle::DesignationEnd;
    Ok(match (d.ended_on, d.end_reason) {
        (Some(on), Some(DesignationEnd::Revoked(_))) if on <= today => {
            DesignationToday::Revoked { on }
        }
        (Some(on), Some(DesignationEnd::Abolished)) if on <= today => {
            DesignationToday::Abolished { on }
        }
        _ if today > d.ends_on => DesignationToday::Expired { on: d.ends_on },
        _ if today < d.starts_on => DesignationToday::NotYet {
            starts_on: d.starts_on,
        },
        _ => DesignationToday::InForce { ends_on: d.ends_on },
    })
}

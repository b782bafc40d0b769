//! The `OpenBadgeCredential` Koshu issues on a completion decision (D06, B13), and the claims
//! read back from one: what the verification page, the PDF and the holder's ledger show is
//! read from the credential as issued, never from today's records.

use crate::CredentialError;
use crate::canonical::{CREDENTIALS_V2, OPEN_BADGES_V3};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `identityType` of the RISS registration number (an extension term, as OB 3.0 allows).
pub const RISS_IDENTITY_TYPE: &str = "ext:RISSRegistrationNumber";
/// `targetType` of the alignment that states the 特定講習 designation.
pub const DESIGNATION_TARGET: &str = "ext:TokuteiKoshu";

/// An `xsd:dateTime` as credentials carry it: UTC, whole seconds.
pub fn xsd_datetime(at: OffsetDateTime) -> Result<String, CredentialError> {
    at.replace_nanosecond(0)
        .ok()
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&Rfc3339).ok())
        .ok_or_else(|| {
            CredentialError::Malformed(format!("{at} cannot be written as xsd:dateTime"))
        })
}

/// `identityHash` of an e-mail address: `sha256$` and the hex SHA-256 of address and salt.
pub fn hashed_email(email: &str, salt: &str) -> String {
    let digest = Sha256::digest(format!("{}{salt}", email.trim().to_lowercase()).as_bytes());
    format!("sha256${}", hex::encode(digest))
}

/// The issuer as the credential names it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IssuerProfile {
    /// `did:web:…`, the controller of the signing key.
    pub id: String,
    pub name: String,
    pub url: String,
}

/// One thing the achievement is aligned to: an ITSS+ field, a syllabus item, the designation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Alignment {
    pub target_type: String,
    pub name: String,
    pub code: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
}

/// The 特定講習 designation, where the course is designated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Designation {
    pub number: String,
    /// As the designation notice gives it, e.g. 2026年4月1日〜2029年3月31日.
    pub period: String,
    pub url: String,
}

/// Everything a completion credential says.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Claims {
    /// The credential's id: its verification page.
    pub id: String,
    pub issuer: IssuerProfile,
    pub achievement_id: String,
    pub course: String,
    pub course_description: String,
    /// The English statement of the credential (its `description`), for readers of English.
    pub statement_en: String,
    pub criteria: String,
    /// The course's hours (`creditsAvailable`) and the hours the learner attended
    /// (`creditsEarned`).
    pub course_hours: f64,
    pub hours_earned: f64,
    pub fields: Vec<Alignment>,
    pub designation: Option<Designation>,
    /// The learner's name as issued.
    pub learner_name: String,
    /// `hashed_email` of the learner's address.
    pub email_hash: String,
    pub email_salt: String,
    /// Only with the learner's consent.
    pub riss_number: Option<String>,
    pub activity_start: String,
    pub activity_end: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub status: Option<Value>,
}

impl Claims {
    /// The unsigned credential.
    pub fn credential(&self) -> Value {
        let mut identifiers = vec![
            json!({"type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
                   "identityHash": self.email_hash, "salt": self.email_salt}),
            json!({"type": "IdentityObject", "identityType": "name", "hashed": false,
                   "identityHash": self.learner_name}),
        ];
        if let Some(riss) = &self.riss_number {
            identifiers.push(
                json!({"type": "IdentityObject", "identityType": RISS_IDENTITY_TYPE,
                                    "hashed": false, "identityHash": riss}),
            );
        }
        let mut alignments: Vec<Value> = Vec::new();
        let mut other_identifiers: Vec<Value> = Vec::new();
        if let Some(d) = &self.designation {
            alignments.push(alignment_json(&Alignment {
                target_type: DESIGNATION_TARGET.to_owned(),
                name: format!("特定講習 {}", d.number),
                code: Some(d.number.clone()),
                description: Some(format!("指定期間 {}", d.period)),
                url: Some(d.url.clone()),
            }));
            other_identifiers.push(json!({"type": "IdentifierEntry", "identifier": d.number,
                                          "identifierType": "identifier"}));
        }
        alignments.extend(self.fields.iter().map(alignment_json));
        let field_names: Vec<&str> = self
            .fields
            .iter()
            .filter(|a| a.target_type == "ext:ITSSPlusField")
            .map(|a| a.name.as_str())
            .collect();
        let mut achievement = json!({
            "id": self.achievement_id,
            "type": ["Achievement"],
            "achievementType": "CertificateOfCompletion",
            "name": self.course,
            "description": self.course_description,
            "inLanguage": "ja",
            "criteria": {"narrative": self.criteria},
            "creditsAvailable": self.course_hours,
            "creator": issuer_json(&self.issuer),
        });
        if !field_names.is_empty() {
            achievement["fieldOfStudy"] = Value::String(field_names.join("、"));
        }
        if !alignments.is_empty() {
            achievement["alignment"] = Value::Array(alignments);
        }
        if !other_identifiers.is_empty() {
            achievement["otherIdentifier"] = Value::Array(other_identifiers);
        }
        let mut credential = json!({
            "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
            "id": self.id,
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": format!("修了証：{}", self.course),
            "description": self.statement_en,
            "issuer": issuer_json(&self.issuer),
            "validFrom": self.valid_from,
            "awardedDate": self.valid_from,
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": identifiers,
                "activityStartDate": self.activity_start,
                "activityEndDate": self.activity_end,
                "creditsEarned": self.hours_earned,
                "achievement": achievement,
            },
            // No `credentialSchema`: its type `1EdTechJsonSchemaValidator2019` is defined by
            // neither context, so each JSON-LD processor signs a different IRI for it (sophia
            // x-string:///…, pyld its default base, jsonld.js refuses in safe mode) and the
            // credential would verify only in Koshu. The schema still applies (it is optional).
        });
        if let Some(until) = &self.valid_until {
            credential["validUntil"] = Value::String(until.clone());
        }
        if let Some(status) = &self.status {
            credential["credentialStatus"] = status.clone();
        }
        credential
    }

    /// Reads the claims of a credential Koshu issued (or one shaped like it).
    pub fn read(credential: &Value) -> Result<Self, CredentialError> {
        let text = |pointer: &str| -> Result<String, CredentialError> {
            credential
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| CredentialError::Malformed(format!("{pointer} is missing")))
        };
        let optional = |pointer: &str| {
            credential
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let number = |pointer: &str| {
            credential
                .pointer(pointer)
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
        };
        let issuer = match credential.get("issuer") {
            Some(Value::String(id)) => IssuerProfile {
                id: id.clone(),
                name: id.clone(),
                url: String::new(),
            },
            Some(profile) => IssuerProfile {
                id: text("/issuer/id")?,
                name: profile
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                url: profile
                    .get("url")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            },
            None => return Err(CredentialError::Malformed("issuer is missing".to_owned())),
        };
        let identifiers = credential
            .pointer("/credentialSubject/identifier")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let identity = |kind: &str| {
            identifiers
                .iter()
                .find(|i| i.get("identityType").and_then(Value::as_str) == Some(kind))
        };
        let identity_text = |kind: &str, name: &str| {
            identity(kind)
                .and_then(|i| i.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let alignments: Vec<Alignment> = credential
            .pointer("/credentialSubject/achievement/alignment")
            .and_then(Value::as_array)
            .map(|items| items.iter().map(read_alignment).collect())
            .unwrap_or_default();
        let designation = alignments
            .iter()
            .find(|a| a.target_type == DESIGNATION_TARGET)
            .map(|a| Designation {
                number: a.code.clone().unwrap_or_default(),
                period: a
                    .description
                    .as_deref()
                    .map(|d| d.trim_start_matches("指定期間 ").to_owned())
                    .unwrap_or_default(),
                url: a.url.clone().unwrap_or_default(),
            });
        Ok(Self {
            id: text("/id")?,
            issuer,
            achievement_id: optional("/credentialSubject/achievement/id").unwrap_or_default(),
            course: text("/credentialSubject/achievement/name")?,
            course_description: optional("/credentialSubject/achievement/description")
                .unwrap_or_default(),
            statement_en: optional("/description").unwrap_or_default(),
            criteria: optional("/credentialSubject/achievement/criteria/narrative")
                .unwrap_or_default(),
            course_hours: number("/credentialSubject/achievement/creditsAvailable"),
            hours_earned: number("/credentialSubject/creditsEarned"),
            fields: alignments
                .into_iter()
                .filter(|a| a.target_type != DESIGNATION_TARGET)
                .collect(),
            designation,
            learner_name: identity_text("name", "identityHash").unwrap_or_default(),
            email_hash: identity_text("emailAddress", "identityHash").unwrap_or_default(),
            email_salt: identity_text("emailAddress", "salt").unwrap_or_default(),
            riss_number: identity_text(RISS_IDENTITY_TYPE, "identityHash"),
            activity_start: optional("/credentialSubject/activityStartDate").unwrap_or_default(),
            activity_end: optional("/credentialSubject/activityEndDate").unwrap_or_default(),
            valid_from: text("/validFrom")?,
            valid_until: optional("/validUntil"),
            status: credential.get("credentialStatus").cloned(),
        })
    }
}

fn issuer_json(issuer: &IssuerProfile) -> Value {
    json!({"id": issuer.id, "type": ["Profile"], "name": issuer.name, "url": issuer.url})
}

fn alignment_json(a: &Alignment) -> Value {
    let mut out = json!({"type": ["Alignment"], "targetType": a.target_type, "targetName": a.name});
    let targets = [
        ("targetCode", &a.code),
        ("targetDescription", &a.description),
        ("targetUrl", &a.url),
    ];
    for (name, value) in targets {
        if let Some(v) = value {
            out[name] = Value::String(v.clone());
        }
    }
    out
}

fn read_alignment(item: &Value) -> Alignment {
    let field = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_owned);
    Alignment {
        target_type: field("targetType").unwrap_or_default(),
        name: field("targetName").unwrap_or_default(),
        code: field("targetCode"),
        description: field("targetDescription"),
        url: field("targetUrl"),
    }
}

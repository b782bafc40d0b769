//! The verdict on a credential: its signature, that the signing key belongs to the issuer it
//! names, its status in the issuer's list, and its validity dates today. What the
//! verification page, `koshu verify` and `POST /credentials/verify` show.

use crate::CredentialError;
use crate::achievement::Claims;
use crate::canonical::Contexts;
use crate::keys;
use crate::proof;
use crate::status::{self, Status};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Where DID documents and status lists come from: Koshu answers for its own issuers from its
/// store; nothing is fetched.
pub trait Resolver {
    /// The DID document of a `did:web` identifier, if known.
    fn did_document(&self, did: &str) -> Option<Value>;
    /// The signed status list credential at `url`, if known.
    fn status_list(&self, url: &str) -> Option<Value>;
}

/// Whether the proofs hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    Valid { verification_method: String },
    Invalid { reason: String },
}

/// What the credential's status entry says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusCheck {
    NoStatus,
    Known(Status),
    /// The list could not be had or read: the verdict is not "verified".
    Unavailable {
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    NotYetValid,
    Valid,
    Expired,
}

impl Validity {
    pub fn code(self) -> &'static str {
        match self {
            Self::NotYetValid => "not_yet_valid",
            Self::Valid => "valid",
            Self::Expired => "expired",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Verdict {
    pub signature: SignatureCheck,
    pub status: StatusCheck,
    pub validity: Validity,
    /// None when the credential does not read as a Koshu-shaped credential.
    pub claims: Option<Claims>,
}

impl Verdict {
    /// Signature good, not suspended or revoked, within its validity dates.
    pub fn verified(&self) -> bool {
        matches!(self.signature, SignatureCheck::Valid { .. })
            && matches!(
                self.status,
                StatusCheck::NoStatus | StatusCheck::Known(Status::Active)
            )
            && self.validity == Validity::Valid
    }

    /// A stable code for the overall outcome, most serious first.
    pub fn code(&self) -> &'static str {
        match (&self.signature, &self.status, self.validity) {
            (SignatureCheck::Invalid { .. }, _, _) => "invalid_signature",
            (_, StatusCheck::Known(Status::Revoked), _) => "revoked",
            (_, StatusCheck::Known(Status::Suspended), _) => "suspended",
            (_, StatusCheck::Unavailable { .. }, _) => "status_unavailable",
            (_, _, Validity::Expired) => "expired",
            (_, _, Validity::NotYetValid) => "not_yet_valid",
            _ => "verified",
        }
    }

    /// The outcome as a person reads it, in Japanese.
    pub fn label_ja(&self) -> &'static str {
        match self.code() {
            "invalid_signature" => "署名が無効（発行後に変更されたか、別の鍵で署名）",
            "revoked" => "取消し",
            "suspended" => "一時停止",
            "status_unavailable" => "状態を確認できません",
            "expired" => "有効期限切れ",
            "not_yet_valid" => "有効期間の開始前",
            _ => "有効（検証済み）",
        }
    }

    /// The outcome as a person reads it, in English.
    pub fn label_en(&self) -> &'static str {
        match self.code() {
            "invalid_signature" => {
                "Invalid signature (changed after issue, or signed by another key)"
            }
            "revoked" => "Revoked",
            "suspended" => "Suspended",
            "status_unavailable" => "Status unavailable",
            "expired" => "Expired",
            "not_yet_valid" => "Not yet valid",
            _ => "Verified",
        }
    }
}

/// Parses the text someone pasted or uploaded; a clear error when it is not a JSON object.
pub fn parse(text: &str) -> Result<Value, CredentialError> {
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| CredentialError::NotJson(e.to_string()))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(CredentialError::Malformed(
            "a credential is a JSON object".to_owned(),
        ))
    }
}

fn issuer_id(credential: &Value) -> Option<&str> {
    party_id(credential, "issuer")
}

/// The id of a party a document names (`issuer`, `holder`): a string, or an object's `id`.
fn party_id<'a>(document: &'a Value, name: &str) -> Option<&'a str> {
    match document.get(name) {
        Some(Value::String(id)) => Some(id),
        Some(profile) => profile.get("id").and_then(Value::as_str),
        None => None,
    }
}

/// The DID document a verification method is found in.
fn document_of(method: &str, resolver: &dyn Resolver) -> Result<Value, String> {
    let did = method.split('#').next().unwrap_or(method);
    if let Some(multibase) = did.strip_prefix("did:key:") {
        let key = keys::parse_public_multibase(multibase).map_err(|e| e.to_string())?;
        return Ok(keys::did_key_document(&key));
    }
    resolver
        .did_document(did)
        .ok_or_else(|| format!("the issuer {did} is not known to this verifier"))
}

/// Checks every proof: the key must be an assertion method of the issuer's own DID document.
pub fn check_signature(
    contexts: &Contexts,
    credential: &Value,
    resolver: &dyn Resolver,
) -> SignatureCheck {
    let Some(issuer) = issuer_id(credential) else {
        return SignatureCheck::Invalid {
            reason: "the credential names no issuer".to_owned(),
        };
    };
    check_proofs(
        contexts,
        credential,
        resolver,
        &proof::Purpose::ASSERTION,
        Some(("issuer", issuer)),
    )
}

/// Checks a presentation's own proofs (not its credentials'): `authentication` by a key of the
/// `holder` (when it names one), bound to the verifier's `challenge` and `domain` when given.
pub fn check_presentation(
    contexts: &Contexts,
    presentation: &Value,
    resolver: &dyn Resolver,
    challenge: Option<&str>,
    domain: Option<&str>,
) -> SignatureCheck {
    let purpose = proof::Purpose {
        name: "authentication",
        challenge,
        domain,
    };
    check_proofs(
        contexts,
        presentation,
        resolver,
        &purpose,
        party_id(presentation, "holder").map(|h| ("holder", h)),
    )
}

/// Every proof of `document` for `purpose`, by a key its DID document lists under that
/// purpose and, when `controller` is given (its role and id), controlled by it.
fn check_proofs(
    contexts: &Contexts,
    document: &Value,
    resolver: &dyn Resolver,
    purpose: &proof::Purpose<'_>,
    controller: Option<(&str, &str)>,
) -> SignatureCheck {
    let invalid = |reason: String| SignatureCheck::Invalid { reason };
    let proofs = match proof::proofs_for(document, purpose.name) {
        Ok(p) => p,
        Err(e) => return invalid(e.to_string()),
    };
    let mut methods = Vec::new();
    for p in &proofs {
        for (name, wanted) in [("challenge", purpose.challenge), ("domain", purpose.domain)] {
            if let Some(wanted) = wanted
                && p.field(name) != Some(wanted)
            {
                return invalid(format!(
                    "the proof's {name} is not the one this verifier gave"
                ));
            }
        }
        let document_of_key = match document_of(&p.verification_method, resolver) {
            Ok(d) => d,
            Err(reason) => return invalid(reason),
        };
        let method =
            match keys::find_method_for(&document_of_key, &p.verification_method, purpose.name) {
                Ok(m) => m,
                Err(e) => return invalid(e.to_string()),
            };
        if let Some((role, controller)) = controller
            && method.controller != controller
        {
            return invalid(format!(
                "the key is controlled by {}, not by the {role} {controller}",
                method.controller
            ));
        }
        match proof::verify_with(contexts, document, p, &method.key) {
            Ok(true) => methods.push(method.id),
            Ok(false) => return invalid("the signature does not match the document: it was changed after it was signed, or signed by another key".to_owned()),
            Err(e) => return invalid(e.to_string()),
        }
    }
    SignatureCheck::Valid {
        verification_method: methods.join(" "),
    }
}

/// The credential's status, from its issuer's signed list.
pub fn check_status(
    contexts: &Contexts,
    credential: &Value,
    resolver: &dyn Resolver,
) -> StatusCheck {
    let unavailable = |reason: String| StatusCheck::Unavailable { reason };
    let entry = match status::entry_of(credential) {
        Ok(Some(e)) => e,
        Ok(None) => return StatusCheck::NoStatus,
        Err(e) => return unavailable(e.to_string()),
    };
    let Some(list) = resolver.status_list(&entry.list_url) else {
        return unavailable(format!("the status list {} cannot be had", entry.list_url));
    };
    if issuer_id(&list) != issuer_id(credential) {
        return unavailable("the status list is not the credential issuer's".to_owned());
    }
    if let SignatureCheck::Invalid { reason } = check_signature(contexts, &list, resolver) {
        return unavailable(format!("the status list's signature: {reason}"));
    }
    match status::bits_of(&list).and_then(|bits| bits.get(entry.index)) {
        Ok(s) => StatusCheck::Known(s),
        Err(e) => unavailable(e.to_string()),
    }
}

/// Where `now` falls against `validFrom` and `validUntil`.
pub fn check_validity(credential: &Value, now: OffsetDateTime) -> Validity {
    let at = |name: &str| {
        credential
            .get(name)
            .and_then(Value::as_str)
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
    };
    if at("validFrom").is_some_and(|from| now < from) {
        Validity::NotYetValid
    } else if at("validUntil").is_some_and(|until| now >= until) {
        Validity::Expired
    } else {
        Validity::Valid
    }
}

/// The whole verdict.
pub fn verify(
    contexts: &Contexts,
    credential: &Value,
    resolver: &dyn Resolver,
    now: OffsetDateTime,
) -> Verdict {
    Verdict {
        signature: check_signature(contexts, credential, resolver),
        status: check_status(contexts, credential, resolver),
        validity: check_validity(credential, now),
        claims: Claims::read(credential).ok(),
    }
}

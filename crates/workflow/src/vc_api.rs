//! The W3C VC-API (issue 17 item 6): a credential a provider's system sends is checked against
//! the VC Data Model 2.0, signed with its organisation's key (as its `did:web`, or as the
//! `did:key` of the same key for the W3C test suites) and audited; credentials and
//! presentations from anyone are verified as the verification page does, with the W3C
//! examples context besides Koshu's own. Nothing is fetched.

use crate::{Workflow, WorkflowError};
use koshu_credentials::CredentialError;
use koshu_credentials::canonical::{CREDENTIALS_V2, Contexts};
use koshu_credentials::keys;
use koshu_credentials::proof;
use koshu_credentials::verify::{self, Resolver, SignatureCheck, Verdict};
use koshu_domain::ValidationError;
use koshu_domain::audit::{AuditEvent, digest_of};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Which identifier of the organisation signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// `did:web:HOST:issuers:ORG#key-N`, resolved from this site's DID document.
    DidWeb,
    /// `did:key` of the organisation's current key: resolvable from itself, as the W3C test
    /// suites need (they resolve no `did:web` of a test server).
    DidKey,
}

impl Identity {
    /// From `options.issuer` (`did:web`, `did:key`), or else from the `issuer` the credential
    /// names: a `did:key` is signed as one.
    pub fn choose(option: Option<&str>, credential: &Value) -> Result<Self, ValidationError> {
        match option {
            None => Ok(match party(credential, "issuer") {
                Some(id) if id.starts_with("did:key:") => Self::DidKey,
                _ => Self::DidWeb,
            }),
            Some("did:web") => Ok(Self::DidWeb),
            Some("did:key") => Ok(Self::DidKey),
            Some(_) => Err(ValidationError::new(
                "vc_api.issuer_option",
                "options.issuer は \"did:web\" か \"did:key\" を指定してください。",
                "options.issuer is \"did:web\" or \"did:key\".",
            )
            .for_field("options.issuer")),
        }
    }
}

/// The contexts a VC-API document may use.
pub fn contexts() -> Contexts {
    Contexts::w3c_examples()
}

/// The id of a party a document names (`issuer`, `holder`): a string, or an object's `id`.
fn party<'a>(document: &'a Value, name: &str) -> Option<&'a str> {
    match document.get(name) {
        Some(Value::String(id)) => Some(id),
        Some(object) => object.get("id").and_then(Value::as_str),
        None => None,
    }
}

fn invalid(code: &'static str, field: &str, ja: &str, en: &str) -> ValidationError {
    ValidationError::new(code, ja, en).for_field(format!("credential.{field}"))
}

/// A URL or URN: a scheme, a colon, something after it.
fn is_url(text: &str) -> bool {
    text.split_once(':').is_some_and(|(scheme, rest)| {
        !rest.is_empty()
            && scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    }) && !text.contains(char::is_whitespace)
}

fn date_time(credential: &Value, name: &str) -> Result<Option<OffsetDateTime>, ValidationError> {
    match credential.get(name) {
        None => Ok(None),
        Some(Value::String(text)) => OffsetDateTime::parse(text, &Rfc3339)
            .map(Some)
            .map_err(|_| bad_date(name)),
        Some(_) => Err(bad_date(name)),
    }
}

fn bad_date(name: &str) -> ValidationError {
    invalid(
        "vc_api.date_time",
        name,
        &format!("{name} は時差つきの日時（例 2026-06-10T09:00:00Z）で書いてください。"),
        &format!(
            "{name} is a date and time with its offset (XML Schema dateTimeStamp, e.g. 2026-06-10T09:00:00Z)."
        ),
    )
}

/// What the VC Data Model 2.0 requires of a credential before it is signed, each refusal
/// naming its field. The issuer is checked when it is known (`check_issuer`).
pub fn check_unsigned(credential: &Value) -> Result<(), ValidationError> {
    if !credential.is_object() {
        return Err(ValidationError::new(
            "vc_api.not_object",
            "credential は JSON のオブジェクトで送ってください。",
            "credential is a JSON object.",
        )
        .for_field("credential"));
    }
    let contexts: Vec<Option<&str>> = match credential.get("@context") {
        Some(Value::String(s)) => vec![Some(s.as_str())],
        Some(Value::Array(items)) => items.iter().map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if contexts.first() != Some(&Some(CREDENTIALS_V2)) {
        return Err(invalid(
            "vc_api.context",
            "@context",
            &format!("@context の最初は {CREDENTIALS_V2} にしてください。"),
            &format!("@context starts with {CREDENTIALS_V2}."),
        ));
    }
    let types: Vec<Option<&str>> = match credential.get("type") {
        Some(Value::String(s)) => vec![Some(s.as_str())],
        Some(Value::Array(items)) => items.iter().map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.contains(&Some("VerifiableCredential")) || types.contains(&None) {
        return Err(invalid(
            "vc_api.type",
            "type",
            "type には文字列で VerifiableCredential を含めてください。",
            "type is a string or strings, VerifiableCredential among them.",
        ));
    }
    if let Some(id) = credential.get("id")
        && !id.as_str().is_some_and(is_url)
    {
        return Err(invalid(
            "vc_api.id",
            "id",
            "id は URL にしてください。",
            "id is a URL.",
        ));
    }
    let subjects: Vec<&Value> = match credential.get("credentialSubject") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let empty = |s: &&Value| s.as_object().is_none_or(serde_json::Map::is_empty);
    if subjects.is_empty() || subjects.iter().any(empty) {
        return Err(invalid(
            "vc_api.subject",
            "credentialSubject",
            "credentialSubject には、空でないオブジェクトを1つ以上書いてください。",
            "credentialSubject is one or more objects, none empty.",
        ));
    }
    if credential.get("issuer").is_some() && !party(credential, "issuer").is_some_and(is_url) {
        return Err(invalid(
            "vc_api.issuer",
            "issuer",
            "issuer は URL か、URL の id を持つオブジェクトにしてください。",
            "issuer is a URL, or an object whose id is a URL.",
        ));
    }
    let from = date_time(credential, "validFrom")?;
    let until = date_time(credential, "validUntil")?;
    if let (Some(from), Some(until)) = (from, until)
        && until < from
    {
        return Err(invalid(
            "vc_api.valid_until",
            "validUntil",
            "validUntil は validFrom より後にしてください。",
            "validUntil is after validFrom.",
        ));
    }
    if credential.get("proof").is_some() {
        return Err(invalid(
            "vc_api.proof",
            "proof",
            "署名済みの credential は発行できません。proof を除いて送ってください。",
            "The credential is signed already: send it without its proof.",
        ));
    }
    if let Some(status) = credential.get("credentialStatus") {
        let entries: Vec<&Value> = match status {
            Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        if entries.is_empty()
            || entries
                .iter()
                .any(|e| e.get("type").and_then(Value::as_str).is_none())
        {
            return Err(invalid(
                "vc_api.status",
                "credentialStatus",
                "credentialStatus は type を持つオブジェクトにしてください。",
                "credentialStatus is an object with a type.",
            ));
        }
    }
    Ok(())
}

/// The credential with `issuer` set to `did` (kept as an object when it was one), or the
/// refusal when it names another issuer.
fn with_issuer(credential: &Value, did: &str) -> Result<Value, ValidationError> {
    let mut out = credential.clone();
    match party(credential, "issuer") {
        None => out["issuer"] = Value::String(did.to_owned()),
        Some(named) if named == did => {}
        Some(named) => {
            return Err(invalid(
                "vc_api.issuer_mismatch",
                "issuer",
                &format!("issuer が {named} ですが、このトークンの組織は {did} として署名します。"),
                &format!("issuer is {named}, but this token's organisation signs as {did}."),
            ));
        }
    }
    Ok(out)
}

/// A signing failure that is the request's fault: a context that is not kept here, or
/// JSON-LD that does not expand.
fn refused(e: CredentialError) -> WorkflowError {
    match e {
        CredentialError::UnknownContext(url) => WorkflowError::Invalid(invalid(
            "credential.unknown_context",
            "@context",
            &format!("@context の {url} はこのサイトにありません。取得はしません。"),
            &format!("The @context {url} is not kept here, and contexts are never fetched."),
        )),
        other => WorkflowError::Invalid(invalid(
            "credential.json_ld",
            "@context",
            &format!("JSON-LD として処理できません：{other}"),
            &format!("It cannot be processed as JSON-LD: {other}"),
        )),
    }
}

/// D06: signs `credential` for the organisation (`POST /credentials/issue`), with its current
/// key (made on first use), as `identity`. The signature's audit entry names the actor and
/// the digest of what was signed; nothing else is kept.
pub async fn issue(
    wf: &Workflow,
    organisation_id: &str,
    credential: &Value,
    identity: Identity,
    actor: &str,
) -> Result<Value, WorkflowError> {
    check_unsigned(credential).map_err(WorkflowError::Invalid)?;
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    let (web_method, key) =
        crate::credentials::signing_key(wf, &mut unit, organisation_id, now).await?;
    let (did, method) = match identity {
        Identity::DidWeb => (
            crate::credentials::issuer_did(wf, organisation_id)?,
            web_method,
        ),
        Identity::DidKey => keys::did_key(&key.verifying_key()),
    };
    let unsigned = with_issuer(credential, &did).map_err(WorkflowError::Invalid)?;
    let signed = proof::sign(&contexts(), &unsigned, &key, &method, now).map_err(refused)?;
    let event = AuditEvent::new(
        now,
        actor,
        "credential.sign",
        format!("organisation:{organisation_id}"),
    )
    .with_digests(None, Some(digest_of(signed.to_string().as_bytes())));
    unit.record_event(event).await?;
    unit.commit().await?;
    Ok(signed)
}

/// The verdict on any credential (`POST /credentials/verify`).
pub async fn verify_credential(
    wf: &Workflow,
    credential: &Value,
) -> Result<Verdict, WorkflowError> {
    crate::credentials::verify_credential_with(wf, &contexts(), credential).await
}

/// Only keys that name themselves (`did:key`): a holder is nobody this site knows.
struct SelfNamed;

impl Resolver for SelfNamed {
    fn did_document(&self, _: &str) -> Option<Value> {
        None
    }
    fn status_list(&self, _: &str) -> Option<Value> {
        None
    }
}

/// The verdict on a presentation (`POST /presentations/verify`): its own proof, if it has one
/// (required when the verifier gave a challenge), and each credential it carries.
#[derive(Debug, Clone)]
pub struct PresentationVerdict {
    /// None when the presentation is not signed (and no challenge asked for a signature).
    pub proof: Option<SignatureCheck>,
    pub credentials: Vec<Verdict>,
}

impl PresentationVerdict {
    pub fn verified(&self) -> bool {
        !matches!(self.proof, Some(SignatureCheck::Invalid { .. }))
            && self.credentials.iter().all(Verdict::verified)
    }
}

/// What a presentation must be before anything in it is checked.
pub fn check_presentation(presentation: &Value) -> Result<Vec<Value>, ValidationError> {
    let field = |name: &str| format!("verifiablePresentation.{name}");
    if !presentation.is_object() {
        return Err(ValidationError::new(
            "vc_api.not_object",
            "verifiablePresentation は JSON のオブジェクトで送ってください。",
            "verifiablePresentation is a JSON object.",
        )
        .for_field("verifiablePresentation"));
    }
    let types: Vec<Option<&str>> = match presentation.get("type") {
        Some(Value::String(s)) => vec![Some(s.as_str())],
        Some(Value::Array(items)) => items.iter().map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.contains(&Some("VerifiablePresentation")) {
        return Err(ValidationError::new(
            "vc_api.type",
            "type には VerifiablePresentation を含めてください。",
            "type includes VerifiablePresentation.",
        )
        .for_field(field("type")));
    }
    let credentials: Vec<Value> = match presentation.get("verifiableCredential") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
    };
    if credentials.iter().any(|c| !c.is_object()) {
        return Err(ValidationError::new(
            "vc_api.presented_credential",
            "verifiableCredential の各要素は、署名された credential のオブジェクトにしてください。",
            "Each verifiableCredential is a signed credential, as a JSON object.",
        )
        .for_field(field("verifiableCredential")));
    }
    Ok(credentials)
}

pub async fn verify_presentation(
    wf: &Workflow,
    presentation: &Value,
    challenge: Option<&str>,
    domain: Option<&str>,
) -> Result<PresentationVerdict, WorkflowError> {
    let credentials = check_presentation(presentation).map_err(WorkflowError::Invalid)?;
    let signed = presentation.get("proof").is_some();
    let proof = (signed || challenge.is_some()).then(|| {
        verify::check_presentation(&contexts(), presentation, &SelfNamed, challenge, domain)
    });
    let mut verdicts = Vec::with_capacity(credentials.len());
    for c in &credentials {
        verdicts.push(verify_credential(wf, c).await?);
    }
    Ok(PresentationVerdict {
        proof,
        credentials: verdicts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn good() -> Value {
        json!({
            "@context": [CREDENTIALS_V2, "https://www.w3.org/ns/credentials/examples/v2"],
            "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
            "type": ["VerifiableCredential", "ExampleCredential"],
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner", "name": "x"},
        })
    }

    fn field_of(credential: &Value) -> Option<String> {
        check_unsigned(credential).err().and_then(|e| e.field)
    }

    #[test]
    fn a_data_model_credential_may_be_signed() {
        assert_eq!(check_unsigned(&good()), Ok(()));
        let mut with_issuer = good();
        with_issuer["issuer"] = json!({"id": "did:key:z6Mk", "name": "x"});
        assert_eq!(check_unsigned(&with_issuer), Ok(()));
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let cases: [(&str, Value, &str); 9] = [
            (
                "@context",
                json!(["https://example.org/other"]),
                "credential.@context",
            ),
            ("type", json!(["ExampleCredential"]), "credential.type"),
            ("id", json!("not a url"), "credential.id"),
            (
                "credentialSubject",
                json!({}),
                "credential.credentialSubject",
            ),
            ("issuer", json!(42), "credential.issuer"),
            ("validFrom", json!("2026-01-01"), "credential.validFrom"),
            (
                "validUntil",
                json!("2025-01-01T00:00:00Z"),
                "credential.validUntil",
            ),
            (
                "proof",
                json!({"type": "DataIntegrityProof"}),
                "credential.proof",
            ),
            (
                "credentialStatus",
                json!({"id": "urn:x"}),
                "credential.credentialStatus",
            ),
        ];
        for (name, value, field) in cases {
            let mut c = good();
            c[name] = value;
            assert_eq!(field_of(&c).as_deref(), Some(field), "{name}");
        }
        let mut no_subject = good();
        no_subject
            .as_object_mut()
            .map(|o| o.remove("credentialSubject"));
        assert_eq!(
            field_of(&no_subject).as_deref(),
            Some("credential.credentialSubject")
        );
        assert_eq!(field_of(&json!([1])).as_deref(), Some("credential"));
    }

    #[test]
    fn the_issuer_is_filled_in_or_must_be_the_signer() {
        let did = "did:web:koshu.example:issuers:o";
        assert_eq!(
            with_issuer(&good(), did).map(|c| c["issuer"].clone()),
            Ok(json!(did))
        );
        let mut named = good();
        named["issuer"] = json!({"id": did, "name": "n"});
        assert_eq!(with_issuer(&named, did), Ok(named.clone()));
        named["issuer"] = json!("did:web:elsewhere.example");
        assert_eq!(
            with_issuer(&named, did)
                .err()
                .and_then(|e| e.field)
                .as_deref(),
            Some("credential.issuer")
        );
    }

    #[test]
    fn the_identity_follows_the_option_or_the_issuer_named() {
        let mut c = good();
        assert_eq!(Identity::choose(None, &c), Ok(Identity::DidWeb));
        c["issuer"] = json!("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");
        assert_eq!(Identity::choose(None, &c), Ok(Identity::DidKey));
        assert_eq!(Identity::choose(Some("did:web"), &c), Ok(Identity::DidWeb));
        assert_eq!(
            Identity::choose(Some("did:key"), &good()),
            Ok(Identity::DidKey)
        );
        assert!(Identity::choose(Some("did:ion"), &c).is_err());
    }

    #[test]
    fn a_presentation_carries_credential_objects() {
        let vp = json!({"@context": [CREDENTIALS_V2], "type": "VerifiablePresentation",
                        "verifiableCredential": [good()]});
        assert_eq!(check_presentation(&vp).map(|c| c.len()), Ok(1));
        let bad = json!({"type": ["VerifiablePresentation"], "verifiableCredential": ["x"]});
        assert_eq!(
            check_presentation(&bad)
                .err()
                .and_then(|e| e.field)
                .as_deref(),
            Some("verifiablePresentation.verifiableCredential")
        );
        assert!(check_presentation(&json!({"type": "Other"})).is_err());
    }
}

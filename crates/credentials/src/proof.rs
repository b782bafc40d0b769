//! `DataIntegrityProof` with the `eddsa-rdfc-2022` cryptosuite (W3C vc-di-eddsa §3.3):
//! the proof configuration and the document are canonicalised with RDFC-1.0, hashed with
//! SHA-256 each, and the concatenation `hash(config) || hash(document)` is signed with Ed25519.

use crate::CredentialError;
use crate::canonical::Contexts;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";

/// What `hash(config) || hash(document)` is made of: kept apart so a test vector can check
/// each step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashInput {
    pub canonical_config: String,
    pub canonical_document: String,
}

impl HashInput {
    pub fn combined_hash(&self) -> Vec<u8> {
        let mut out = Sha256::digest(self.canonical_config.as_bytes()).to_vec();
        out.extend(Sha256::digest(self.canonical_document.as_bytes()));
        out
    }
}

fn proofs_of(document: &Value) -> Vec<Value> {
    match document.get("proof") {
        Some(Value::Array(items)) => items.clone(),
        Some(proof @ Value::Object(_)) => vec![proof.clone()],
        _ => Vec::new(),
    }
}

/// The unsecured document (no `proof`) and the proof configuration (the proof without
/// `proofValue`, with the document's `@context`), canonicalised.
pub fn hash_input(
    contexts: &Contexts,
    document: &Value,
    proof: &Value,
) -> Result<HashInput, CredentialError> {
    let mut unsecured = document.clone();
    let object = unsecured
        .as_object_mut()
        .ok_or_else(|| CredentialError::Malformed("a credential is a JSON object".to_owned()))?;
    object.remove("proof");
    let mut config = proof.clone();
    let config_object = config
        .as_object_mut()
        .ok_or_else(|| CredentialError::Malformed("a proof is a JSON object".to_owned()))?;
    config_object.remove("proofValue");
    if let Some(context) = object.get("@context") {
        config_object.insert("@context".to_owned(), context.clone());
    }
    Ok(HashInput {
        canonical_config: contexts.canonical_nquads(&config)?,
        canonical_document: contexts.canonical_nquads(&unsecured)?,
    })
}

/// Adds a proof by `key` to `document` (a credential without one), as `proof: [ … ]`, the
/// array form Open Badges' schema requires.
pub fn sign(
    contexts: &Contexts,
    document: &Value,
    key: &SigningKey,
    verification_method: &str,
    created: OffsetDateTime,
) -> Result<Value, CredentialError> {
    sign_for(
        contexts,
        document,
        key,
        verification_method,
        created,
        &Purpose::ASSERTION,
    )
}

/// What a proof is for: `assertionMethod` (an issuer's credential), or `authentication` (a
/// holder's presentation, bound to the verifier's `challenge` and `domain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purpose<'a> {
    pub name: &'a str,
    pub challenge: Option<&'a str>,
    pub domain: Option<&'a str>,
}

impl Purpose<'_> {
    pub const ASSERTION: Purpose<'static> = Purpose {
        name: "assertionMethod",
        challenge: None,
        domain: None,
    };
}

/// [`sign`] for any purpose.
pub fn sign_for(
    contexts: &Contexts,
    document: &Value,
    key: &SigningKey,
    verification_method: &str,
    created: OffsetDateTime,
    purpose: &Purpose<'_>,
) -> Result<Value, CredentialError> {
    let created = created
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&Rfc3339).ok())
        .ok_or_else(|| {
            CredentialError::Malformed("the proof's time cannot be written".to_owned())
        })?;
    let mut proof = json!({
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": purpose.name,
    });
    for (name, value) in [("challenge", purpose.challenge), ("domain", purpose.domain)] {
        if let Some(v) = value {
            proof[name] = Value::String(v.to_owned());
        }
    }
    let signature = key.sign(&hash_input(contexts, document, &proof)?.combined_hash());
    proof["proofValue"] = Value::String(format!(
        "z{}",
        bs58::encode(signature.to_bytes()).into_string()
    ));
    let mut signed = document.clone();
    signed["proof"] = Value::Array(vec![proof]);
    Ok(signed)
}

/// One proof of a document, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    pub verification_method: String,
    pub created: Option<String>,
    value: Value,
}

impl Proof {
    /// A text field of the proof (`challenge`, `domain`, …).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.value.get(name).and_then(Value::as_str)
    }
}

/// The document's proofs of this cryptosuite, with the purpose `assertionMethod`; any other
/// proof is refused rather than skipped, so a credential cannot pass on a proof nobody checked.
pub fn proofs(document: &Value) -> Result<Vec<Proof>, CredentialError> {
    proofs_for(document, Purpose::ASSERTION.name)
}

/// [`proofs`] with the purpose `purpose` (`authentication` for a presentation).
pub fn proofs_for(document: &Value, purpose: &str) -> Result<Vec<Proof>, CredentialError> {
    let all = proofs_of(document);
    if all.is_empty() {
        return Err(CredentialError::Malformed(
            "the document has no proof".to_owned(),
        ));
    }
    all.into_iter()
        .map(|p| {
            let field = |name: &str| p.get(name).and_then(Value::as_str);
            if field("type") != Some("DataIntegrityProof")
                || field("cryptosuite") != Some(CRYPTOSUITE)
            {
                return Err(CredentialError::Malformed(format!(
                    "only DataIntegrityProof with {CRYPTOSUITE} is accepted"
                )));
            }
            if field("proofPurpose") != Some(purpose) {
                return Err(CredentialError::Malformed(format!(
                    "the proof's purpose must be {purpose}"
                )));
            }
            let method = field("verificationMethod").ok_or_else(|| {
                CredentialError::Malformed("the proof has no verificationMethod".to_owned())
            })?;
            Ok(Proof {
                verification_method: method.to_owned(),
                created: field("created").map(str::to_owned),
                value: p.clone(),
            })
        })
        .collect()
}

/// Whether `proof` of `document` is a valid signature by `key`.
pub fn verify_with(
    contexts: &Contexts,
    document: &Value,
    proof: &Proof,
    key: &VerifyingKey,
) -> Result<bool, CredentialError> {
    let Some(value) = proof.value.get("proofValue").and_then(Value::as_str) else {
        return Ok(false);
    };
    let Some(bytes) = value
        .strip_prefix('z')
        .and_then(|b| bs58::decode(b).into_vec().ok())
    else {
        return Ok(false);
    };
    let Ok(bytes) = <[u8; 64]>::try_from(bytes.as_slice()) else {
        return Ok(false);
    };
    let input = hash_input(contexts, document, &proof.value)?;
    Ok(key
        .verify(&input.combined_hash(), &Signature::from_bytes(&bytes))
        .is_ok())
}

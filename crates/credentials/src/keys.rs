//! Issuer keys: Ed25519 as Multikey (`z6Mk…`), `did:key` and `did:web` identifiers and DID
//! documents, and the private key sealed under the master key the configuration gives.

use crate::CredentialError;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
pub use ed25519_dalek::{SigningKey, VerifyingKey};
use serde_json::{Value, json};

/// The multicodec prefix of an Ed25519 public key (0xed, as a varint).
const ED25519_PUB: [u8; 2] = [0xed, 0x01];
const DID_CONTEXT: &str = "https://www.w3.org/ns/did/v1";
const MULTIKEY_CONTEXT: &str = "https://w3id.org/security/multikey/v1";

/// An Ed25519 public key as `publicKeyMultibase`: base58btc (`z`) of the multicodec key.
pub fn public_multibase(key: &VerifyingKey) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(key.as_bytes());
    format!("z{}", bs58::encode(bytes).into_string())
}

/// Reads a `publicKeyMultibase` of an Ed25519 key.
pub fn parse_public_multibase(text: &str) -> Result<VerifyingKey, CredentialError> {
    let body = text
        .strip_prefix('z')
        .ok_or_else(|| CredentialError::Key("not base58btc multibase (no z prefix)".to_owned()))?;
    let bytes = bs58::decode(body)
        .into_vec()
        .map_err(|e| CredentialError::Key(e.to_string()))?;
    let raw = bytes
        .strip_prefix(&ED25519_PUB)
        .ok_or_else(|| CredentialError::Key("not an Ed25519 public key".to_owned()))?;
    let raw: [u8; 32] = raw
        .try_into()
        .map_err(|_| CredentialError::Key("an Ed25519 key is 32 bytes".to_owned()))?;
    VerifyingKey::from_bytes(&raw).map_err(|e| CredentialError::Key(e.to_string()))
}

/// `did:key` of a public key, and its one verification method's id.
pub fn did_key(key: &VerifyingKey) -> (String, String) {
    let mb = public_multibase(key);
    (format!("did:key:{mb}"), format!("did:key:{mb}#{mb}"))
}

/// The `did:web` identifier of a path on a host (`https://host:8080/providers/x` →
/// `did:web:host%3A8080:providers:x`), per the did:web method: the port's colon is encoded.
pub fn did_web(public_url: &str, path: &[&str]) -> Result<String, CredentialError> {
    let host = public_url
        .strip_prefix("https://")
        .or_else(|| public_url.strip_prefix("http://"))
        .ok_or_else(|| CredentialError::Key(format!("not an http(s) address: {public_url}")))?
        .trim_end_matches('/');
    if host.is_empty() || host.contains('/') {
        return Err(CredentialError::Key(format!(
            "did:web needs a bare host, not {public_url}"
        )));
    }
    let mut did = format!("did:web:{}", host.replace(':', "%3A"));
    for segment in path {
        did.push(':');
        did.push_str(segment);
    }
    Ok(did)
}

/// One key of an issuer, as its DID document lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedKey {
    /// The fragment: `key-1`, `key-2`, …
    pub fragment: String,
    pub public_multibase: String,
}

/// The DID document of a `did:web` issuer: every key it ever had, each an assertion method,
/// so that credentials signed before a rotation still verify.
pub fn did_document(did: &str, keys: &[PublishedKey]) -> Value {
    let methods: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({
                "id": format!("{did}#{}", k.fragment),
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": k.public_multibase,
            })
        })
        .collect();
    let refs: Vec<Value> = keys
        .iter()
        .map(|k| Value::String(format!("{did}#{}", k.fragment)))
        .collect();
    json!({
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": refs,
    })
}

/// The DID document `did:key` resolves to: its one key both asserts (signs credentials) and
/// authenticates (signs presentations), as the did:key method says.
pub fn did_key_document(key: &VerifyingKey) -> Value {
    let (did, method) = did_key(key);
    let mb = public_multibase(key);
    let mut document = did_document(
        &did,
        &[PublishedKey {
            fragment: mb.clone(),
            public_multibase: mb,
        }],
    );
    document["authentication"] = json!([method]);
    document
}

/// A verification method found in a DID document: its controller and key.
#[derive(Debug, Clone)]
pub struct VerificationMethod {
    pub id: String,
    pub controller: String,
    pub key: VerifyingKey,
}

/// Finds `method_id` among the document's verification methods allowed to assert.
pub fn find_method(
    document: &Value,
    method_id: &str,
) -> Result<VerificationMethod, CredentialError> {
    find_method_for(document, method_id, "assertionMethod")
}

/// Finds `method_id` among the document's verification methods of `relationship`
/// (`assertionMethod`, `authentication`).
pub fn find_method_for(
    document: &Value,
    method_id: &str,
    relationship: &str,
) -> Result<VerificationMethod, CredentialError> {
    let asserts = document
        .get(relationship)
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter().any(|m| {
                m.as_str() == Some(method_id)
                    || m.get("id").and_then(Value::as_str) == Some(method_id)
            })
        });
    if !asserts {
        return Err(CredentialError::Key(format!(
            "{method_id} is not listed under {relationship} in its DID document"
        )));
    }
    let method = document
        .get("verificationMethod")
        .and_then(Value::as_array)
        .and_then(|ms| {
            ms.iter()
                .find(|m| m.get("id").and_then(Value::as_str) == Some(method_id))
        })
        .ok_or_else(|| CredentialError::Key(format!("{method_id} is not in its DID document")))?;
    let text = |name: &str| {
        method
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| CredentialError::Key(format!("{method_id} has no {name}")))
    };
    Ok(VerificationMethod {
        id: method_id.to_owned(),
        controller: text("controller")?.to_owned(),
        key: parse_public_multibase(text("publicKeyMultibase")?)?,
    })
}

/// The master key sealing issuers' private keys: 32 bytes, given by configuration as 64 hex
/// digits, never stored.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(…)")
    }
}

impl MasterKey {
    pub fn from_hex(text: &str) -> Result<Self, CredentialError> {
        let bytes = hex::decode(text.trim()).map_err(|_| {
            CredentialError::Key("the master key must be 64 hexadecimal digits".to_owned())
        })?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| {
            CredentialError::Key(
                "the master key must be 64 hexadecimal digits (32 bytes)".to_owned(),
            )
        })?;
        Ok(Self(bytes))
    }

    /// Seals a private key: `nonce (12 bytes) || AES-256-GCM ciphertext`, bound to `label`
    /// (the key's id) so a sealed key cannot be swapped onto another row.
    pub fn seal(
        &self,
        key: &SigningKey,
        nonce: [u8; 12],
        label: &str,
    ) -> Result<Vec<u8>, CredentialError> {
        let cipher = Aes256Gcm::new_from_slice(&self.0).map_err(|_| CredentialError::Unseal)?;
        let sealed = cipher
            .encrypt(
                &Nonce::from(nonce),
                aes_gcm::aead::Payload {
                    msg: key.as_bytes(),
                    aad: label.as_bytes(),
                },
            )
            .map_err(|_| CredentialError::Unseal)?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(out)
    }

    pub fn unseal(&self, sealed: &[u8], label: &str) -> Result<SigningKey, CredentialError> {
        let (nonce, body) = sealed.split_at_checked(12).ok_or(CredentialError::Unseal)?;
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| CredentialError::Unseal)?;
        let cipher = Aes256Gcm::new_from_slice(&self.0).map_err(|_| CredentialError::Unseal)?;
        let plain = cipher
            .decrypt(
                &Nonce::from(nonce),
                aes_gcm::aead::Payload {
                    msg: body,
                    aad: label.as_bytes(),
                },
            )
            .map_err(|_| CredentialError::Unseal)?;
        let bytes: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| CredentialError::Unseal)?;
        Ok(SigningKey::from_bytes(&bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_w3c_test_key_reads_back_as_its_multibase() -> Result<(), CredentialError> {
        let key = parse_public_multibase("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")?;
        assert_eq!(
            public_multibase(&key),
            "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
        );
        assert!(parse_public_multibase("6MkrJVnaZ").is_err());
        assert!(parse_public_multibase("z111").is_err());
        Ok(())
    }

    #[test]
    fn did_web_encodes_the_port() -> Result<(), CredentialError> {
        assert_eq!(
            did_web("http://127.0.0.1:8080", &["providers", "org-1"])?,
            "did:web:127.0.0.1%3A8080:providers:org-1"
        );
        assert_eq!(
            did_web("https://koshu.example/", &[])?,
            "did:web:koshu.example"
        );
        assert!(did_web("koshu.example", &[]).is_err());
        assert!(did_web("https://koshu.example/sub", &[]).is_err());
        Ok(())
    }

    #[test]
    fn a_sealed_key_opens_only_with_its_master_key_and_label() -> Result<(), CredentialError> {
        let master = MasterKey::from_hex(&"11".repeat(32))?;
        let key = SigningKey::from_bytes(&[7; 32]);
        let sealed = master.seal(&key, [1; 12], "key-a")?;
        assert!(
            !sealed.windows(32).any(|w| w == key.as_bytes()),
            "never in clear"
        );
        assert_eq!(master.unseal(&sealed, "key-a")?.as_bytes(), key.as_bytes());
        assert_eq!(
            master.unseal(&sealed, "key-b").err(),
            Some(CredentialError::Unseal)
        );
        let other = MasterKey::from_hex(&"22".repeat(32))?;
        assert_eq!(
            other.unseal(&sealed, "key-a").err(),
            Some(CredentialError::Unseal)
        );
        assert!(MasterKey::from_hex("abc").is_err());
        Ok(())
    }

    #[test]
    fn a_retired_key_stays_in_the_did_document() -> Result<(), CredentialError> {
        let old = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let new = SigningKey::from_bytes(&[2; 32]).verifying_key();
        let did = "did:web:koshu.example:providers:p";
        let doc = did_document(
            did,
            &[
                PublishedKey {
                    fragment: "key-1".into(),
                    public_multibase: public_multibase(&old),
                },
                PublishedKey {
                    fragment: "key-2".into(),
                    public_multibase: public_multibase(&new),
                },
            ],
        );
        let found = find_method(&doc, &format!("{did}#key-1"))?;
        assert_eq!(found.controller, did);
        assert_eq!(found.key, old);
        assert!(find_method(&doc, &format!("{did}#key-3")).is_err());
        Ok(())
    }
}

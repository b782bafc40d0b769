//! The W3C eddsa-rdfc-2022 test vector (vc-di-eddsa §A.1), reproduced step by step and byte
//! for byte: canonical document, canonical proof configuration, combined hash, signature.

use koshu_credentials::CredentialError;
use koshu_credentials::canonical::Contexts;
use koshu_credentials::keys;
use koshu_credentials::proof;
use koshu_credentials::verify::{self, Resolver, SignatureCheck};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const SIGNED: &str = include_str!("vectors/signedDataInt.json");
const KEY_PAIR: &str = include_str!("vectors/keyPair.json");

fn contexts() -> Contexts {
    Contexts::default().with(
        "https://www.w3.org/ns/credentials/examples/v2",
        include_str!("vectors/examples-v2.jsonld"),
    )
}

fn json(text: &str) -> Result<Value, CredentialError> {
    serde_json::from_str(text).map_err(|e| CredentialError::NotJson(e.to_string()))
}

/// The vector's private key: multibase of the multicodec `ed25519-priv` (0x1300) seed.
fn signing_key() -> Result<ed25519_dalek::SigningKey, CredentialError> {
    let pair = json(KEY_PAIR)?;
    let text = pair["privateKeyMultibase"].as_str().unwrap_or_default();
    let bytes = bs58::decode(text.trim_start_matches('z'))
        .into_vec()
        .map_err(|e| CredentialError::Key(e.to_string()))?;
    let seed: [u8; 32] = bytes
        .strip_prefix(&[0x80, 0x26])
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| CredentialError::Key("not an ed25519-priv multikey".to_owned()))?;
    Ok(ed25519_dalek::SigningKey::from_bytes(&seed))
}

struct Nobody;
impl Resolver for Nobody {
    fn did_document(&self, _: &str) -> Option<Value> {
        None
    }
    fn status_list(&self, _: &str) -> Option<Value> {
        None
    }
}

#[test]
fn each_step_of_the_vector_is_reproduced() -> Result<(), CredentialError> {
    let signed = json(SIGNED)?;
    let proof_value = &signed["proof"];
    let input = proof::hash_input(&contexts(), &signed, proof_value)?;
    assert_eq!(
        input.canonical_document,
        include_str!("vectors/canonDocDataInt.txt")
    );
    assert_eq!(
        input.canonical_config,
        include_str!("vectors/proofCanonDataInt.txt")
    );
    assert_eq!(
        hex::encode(input.combined_hash()),
        include_str!("vectors/combinedHashDataInt.txt").trim()
    );
    Ok(())
}

#[test]
fn signing_the_vector_gives_its_signature_byte_for_byte() -> Result<(), CredentialError> {
    let signed = json(SIGNED)?;
    let key = signing_key()?;
    let pair = json(KEY_PAIR)?;
    assert_eq!(
        keys::public_multibase(&key.verifying_key()),
        pair["publicKeyMultibase"].as_str().unwrap_or_default()
    );
    let mut unsigned = signed.clone();
    if let Some(o) = unsigned.as_object_mut() {
        o.remove("proof");
    }
    let created = OffsetDateTime::parse(
        signed["proof"]["created"].as_str().unwrap_or_default(),
        &Rfc3339,
    )
    .map_err(|e| CredentialError::Malformed(e.to_string()))?;
    let method = signed["proof"]["verificationMethod"]
        .as_str()
        .unwrap_or_default();
    let ours = proof::sign(&contexts(), &unsigned, &key, method, created)?;
    assert_eq!(
        ours["proof"][0]["proofValue"].as_str().unwrap_or_default(),
        include_str!("vectors/sigBTC58DataInt.txt").trim()
    );
    assert_eq!(ours["proof"][0], signed["proof"]);
    Ok(())
}

/// The vector's issuer does not control its key, so only the proof is checked here; Koshu's
/// own verdict also requires the key's controller to be the issuer.
#[test]
fn the_vector_verifies_and_one_changed_character_does_not() -> Result<(), CredentialError> {
    let key = signing_key()?.verifying_key();
    let check = |text: &str| -> Result<bool, CredentialError> {
        let doc = json(text)?;
        let proofs = proof::proofs(&doc)?;
        proof::verify_with(&contexts(), &doc, &proofs[0], &key)
    };
    assert!(check(SIGNED)?);
    assert!(!check(
        &SIGNED.replace("The School of Examples", "The School of Exampler")
    )?);
    assert!(!check(
        &SIGNED.replace("2023-01-01T00:00:00Z", "2023-01-01T00:00:01Z")
    )?);
    let signed = json(SIGNED)?;
    assert!(matches!(
        verify::check_signature(&contexts(), &signed, &Nobody),
        SignatureCheck::Invalid { reason } if reason.contains("not by the issuer")
    ));
    Ok(())
}

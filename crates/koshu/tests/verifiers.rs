//! Issue 17's acceptance: a credential verifies in two independent verifiers and validates
//! against 1EdTech's Open Badges 3.0 JSON Schema. The verifiers live in `tests/verifiers/`:
//! `verify.py` (pyld + cryptography, written from the vc-di-eddsa specification),
//! `verify.mjs` (Digital Bazaar's jsonld-signatures + eddsa-rdfc-2022 cryptosuite) and
//! `schema.py` (jsonschema, draft 2019-09, against
//! `crates/credentials/contexts/achievementcredential.schema.json`, 1EdTech's file). Both verifiers read
//! their JSON-LD contexts from local copies and refuse every other URL.
//!
//! Needs python3 with pyld, cryptography, jsonschema, rfc3339-validator and
//! `tests/verifiers/node_modules` (`npm ci --prefix tests/verifiers`); `build.rs` sets
//! `cfg(koshu_verifiers)` when they are there, otherwise these tests are ignored with the reason
//! (and with KOSHU_TEST_REQUIRE_VERIFIERS=1, as in CI, the build fails instead).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use independent::{independent_verdicts, one_character_changed_at, verdicts_with};
use koshu_credentials::achievement::{
    Alignment, Claims, Designation, IssuerProfile, hashed_email, xsd_datetime,
};
use koshu_credentials::canonical::Contexts;
use koshu_credentials::keys::{self, PublishedKey, SigningKey};
use koshu_credentials::proof;
use koshu_credentials::status::{self, Bitstring, Status};
use serde_json::Value;
use time::macros::datetime;

mod independent;

/// The W3C vc-di-eddsa 1.0 test vector for eddsa-rdfc-2022
/// (TestVectors/eddsa-rdfc-2022/signedDataInt.json, w3c/vc-di-eddsa at abb673e).
const W3C_VECTOR: &str =
    include_str!("../../../tests/verifiers/fixtures/w3c-eddsa-rdfc-2022-signed.json");

/// The W3C vector uses the VC examples context, a test fixture only: the verifiers load it
/// when told to, never by default.
const EXAMPLES_CONTEXT: &str = "https://www.w3.org/ns/credentials/examples/v2=tests/verifiers/fixtures/credentials-examples-v2.jsonld";

/// The credential's JSON text with one character changed where `needle` first occurs (its last
/// character replaced), parsed again: what a person editing the file would produce.
fn one_character_changed(text: &str, needle: &str) -> Value {
    let at = text
        .find(needle)
        .expect("the text to change is in the credential")
        + needle.len()
        - 1;
    let old = text[at..].chars().next().unwrap();
    let new = if old == 'x' { 'y' } else { 'x' };
    let changed = format!("{}{new}{}", &text[..at], &text[at + old.len_utf8()..]);
    serde_json::from_str(&changed).unwrap()
}

fn w3c_vector() -> Value {
    serde_json::from_str(W3C_VECTOR).unwrap()
}

/// The vector's issuer is a URL, not its key's controller, so it is checked as a proof alone.
const VECTOR_OPTIONS: &[&str] = &["--proof-only", "--context", EXAMPLES_CONTEXT];

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn the_w3c_eddsa_rdfc_2022_vector_verifies_in_both_verifiers() {
    let verdicts = verdicts_with(&w3c_vector(), &[], VECTOR_OPTIONS);
    assert!(verdicts.both_verified(), "{verdicts:#?}");
}

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn the_w3c_vector_with_one_character_changed_fails_in_both_verifiers() {
    for needle in [
        "The School of Examples",
        "2023-01-01T00:00:00Z",
        "AlumniCredential",
    ] {
        let tampered = one_character_changed(W3C_VECTOR, needle);
        let verdicts = verdicts_with(&tampered, &[], VECTOR_OPTIONS);
        assert!(verdicts.neither_verified(), "{needle}: {verdicts:#?}");
    }
    // The proof's own fields are signed too.
    let tampered = one_character_changed(W3C_VECTOR, "2023-02-24T23:36:38Z");
    let verdicts = verdicts_with(&tampered, &[], VECTOR_OPTIONS);
    assert!(verdicts.neither_verified(), "{verdicts:#?}");
}

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn a_key_whose_controller_is_not_the_issuer_fails_in_both_verifiers() {
    // The vector's issuer (https://vc.example/issuers/5678) does not control its did:key.
    let verdicts = verdicts_with(&w3c_vector(), &[], &["--context", EXAMPLES_CONTEXT]);
    assert!(verdicts.neither_verified(), "{verdicts:#?}");
    for verdict in [&verdicts.python, &verdicts.javascript] {
        let error = verdict.error.as_deref().unwrap();
        assert!(error.contains("issuer"), "{error}");
    }
}

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn the_verifiers_load_no_context_from_the_network() {
    // Without the local copy of the examples context, both refuse rather than fetch it.
    let verdicts = verdicts_with(&w3c_vector(), &[], &["--proof-only"]);
    assert!(verdicts.neither_verified(), "{verdicts:#?}");
    for verdict in [&verdicts.python, &verdicts.javascript] {
        let error = verdict.error.as_deref().unwrap();
        assert!(
            error.contains("refused to load https://www.w3.org/ns/credentials/examples/v2"),
            "{error}"
        );
    }
}

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn the_schema_rejects_a_credential_that_is_not_an_open_badge() {
    let verdicts = verdicts_with(&w3c_vector(), &[], VECTOR_OPTIONS);
    assert!(!verdicts.schema.valid);
    // The examples context, no achievement, a lone proof object: each named with its path.
    for expected in [
        "/@context/1",
        "/credentialSubject: 'achievement' is a required",
        "/proof",
    ] {
        assert!(
            verdicts
                .schema
                .errors
                .iter()
                .any(|e| e.starts_with(expected)),
            "{expected} not in {:#?}",
            verdicts.schema.errors
        );
    }
}

/// The provider's did:web, as Koshu names its issuers.
fn provider_did() -> String {
    keys::did_web(HOST, &["providers", "org-1"]).unwrap()
}

const HOST: &str = "https://koshu.example";

/// A completion credential as `koshu-credentials` builds it, with every optional claim present
/// (designation, ITSS+ field, RISS number, validUntil, status entry).
fn completion_claims() -> Claims {
    let did = provider_did();
    Claims {
        id: format!("{HOST}/credentials/0193a0b0-0000-7000-8000-000000000001"),
        issuer: IssuerProfile {
            id: did,
            name: "株式会社サンプル".into(),
            url: format!("{HOST}/providers/org-1"),
        },
        achievement_id: format!("{HOST}/programmes/security#achievement"),
        course: "セキュリティ実践講座".into(),
        course_description: "インシデント対応の演習を含む実践講座".into(),
        statement_en: "Certificate of completion: “Security Practice Course” (12.5 hours), issued by Example Co., Ltd.".into(),
        criteria: "出席率90%以上、確認テスト合格、アンケート回答".into(),
        course_hours: 12.5,
        hours_earned: 12.0,
        fields: vec![Alignment {
            target_type: "ext:ITSSPlusField".into(),
            name: "インシデント対応".into(),
            code: Some("incident-response".into()),
            description: None,
            url: Some(format!("{HOST}/search?field=incident-response")),
        }],
        designation: Some(Designation {
            number: "第2026-001号".into(),
            period: "2026年4月1日〜2029年3月31日".into(),
            url: format!("{HOST}/designations/d-1"),
        }),
        learner_name: "山田 太郎".into(),
        email_hash: hashed_email("taro@example.jp", "00ff11ee"),
        email_salt: "00ff11ee".into(),
        riss_number: Some("012345".into()),
        activity_start: "2026-06-09T00:00:00Z".into(),
        activity_end: "2026-06-10T09:00:00Z".into(),
        valid_from: xsd_datetime(datetime!(2026-06-10 09:00 UTC)).unwrap(),
        valid_until: Some("2029-06-10T09:00:00Z".into()),
        status: Some(status::entry(&format!("{HOST}/status/org-1/1"), 42)),
    }
}

/// The provider's keys, oldest first: `key-1`, `key-2`, …
fn provider_keys(count: u8) -> Vec<(String, SigningKey)> {
    (1..=count)
        .map(|n| (format!("key-{n}"), SigningKey::from_bytes(&[n; 32])))
        .collect()
}

/// The provider's DID document as `koshu-credentials` publishes it: every key it ever had.
fn provider_did_document(keys: &[(String, SigningKey)]) -> Value {
    let published: Vec<PublishedKey> = keys
        .iter()
        .map(|(fragment, key)| PublishedKey {
            fragment: fragment.clone(),
            public_multibase: keys::public_multibase(&key.verifying_key()),
        })
        .collect();
    keys::did_document(&provider_did(), &published)
}

/// `document` signed by `koshu-credentials` with the provider's key `fragment`.
fn signed_by(document: &Value, fragment: &str, key: &SigningKey) -> Value {
    signed(document, &format!("{}#{fragment}", provider_did()), key)
}

/// `document` signed by `koshu-credentials` for the verification method `method`.
fn signed(document: &Value, method: &str, key: &SigningKey) -> Value {
    proof::sign(
        &Contexts::default(),
        document,
        key,
        method,
        datetime!(2026-06-10 09:00:05 UTC),
    )
    .unwrap()
}

fn issued_completion_credential() -> (Value, Value) {
    let keys = provider_keys(1);
    let (fragment, key) = &keys[0];
    (
        signed_by(&completion_claims().credential(), fragment, key),
        provider_did_document(&keys),
    )
}

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn a_credential_koshu_issues_verifies_in_both_verifiers_and_passes_the_schema() {
    let (credential, did_document) = issued_completion_credential();
    let verdicts = independent_verdicts(&credential, &[did_document]);
    assert!(verdicts.both_verified(), "{verdicts:#?}");
    assert!(verdicts.schema.valid, "{:#?}", verdicts.schema.errors);
}

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn a_credential_koshu_issues_with_one_character_changed_fails_in_both_verifiers() {
    let (credential, did_document) = issued_completion_credential();
    for pointer in [
        "/credentialSubject/identifier/1/identityHash",
        "/credentialSubject/creditsEarned",
        "/credentialSubject/achievement/otherIdentifier/0/identifier",
        "/validUntil",
        "/issuer/name",
    ] {
        let tampered = one_character_changed_at(&credential, pointer);
        let verdicts = independent_verdicts(&tampered, std::slice::from_ref(&did_document));
        assert!(verdicts.neither_verified(), "{pointer}: {verdicts:#?}");
    }
}

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn after_a_rotation_both_verifiers_accept_old_and_new_credentials_and_refuse_a_withdrawn_key() {
    let keys = provider_keys(2);
    let old = signed_by(&completion_claims().credential(), &keys[0].0, &keys[0].1);
    let new = signed_by(&completion_claims().credential(), &keys[1].0, &keys[1].1);
    let after_rotation = provider_did_document(&keys);
    for credential in [&old, &new] {
        let verdicts = independent_verdicts(credential, std::slice::from_ref(&after_rotation));
        assert!(verdicts.both_verified(), "{verdicts:#?}");
    }
    // Had the old key been dropped from the DID document, its credentials would fail.
    let without_old_key = provider_did_document(&keys[1..]);
    let verdicts = independent_verdicts(&old, &[without_old_key]);
    assert!(verdicts.neither_verified(), "{verdicts:#?}");
}

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn a_key_of_another_issuer_fails_in_both_verifiers() {
    // Signed by a did:key that is not the credential's issuer (did:web of the provider).
    let key = SigningKey::from_bytes(&[9; 32]);
    let (_, method) = keys::did_key(&key.verifying_key());
    let credential = signed(&completion_claims().credential(), &method, &key);
    let verdicts = independent_verdicts(&credential, &[]);
    assert!(verdicts.neither_verified(), "{verdicts:#?}");
}

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn a_did_key_issuer_verifies_in_both_verifiers() {
    // The VC-API test suites' option: the issuer is a did:key, which both resolve themselves.
    let key = SigningKey::from_bytes(&[8; 32]);
    let (did, method) = keys::did_key(&key.verifying_key());
    let mut claims = completion_claims();
    claims.issuer.id = did;
    let credential = signed(&claims.credential(), &method, &key);
    let verdicts = independent_verdicts(&credential, &[]);
    assert!(verdicts.both_verified(), "{verdicts:#?}");
}

#[test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
fn the_status_list_koshu_signs_verifies_in_both_verifiers() {
    let keys = provider_keys(1);
    let list_url = format!("{HOST}/status/org-1/1");
    let bits = Bitstring::with([(42, Status::Revoked), (7, Status::Suspended)])
        .unwrap()
        .encode()
        .unwrap();
    let list = status::list_credential(&list_url, &provider_did(), "2026-06-10T09:00:00Z", &bits);
    let signed = signed_by(&list, &keys[0].0, &keys[0].1);
    let did_document = provider_did_document(&keys);
    let verdicts = independent_verdicts(&signed, std::slice::from_ref(&did_document));
    assert!(verdicts.both_verified(), "{verdicts:#?}");
    // A list whose bits were swapped after signing (a revocation undone) fails in both.
    let mut forged = signed;
    forged["credentialSubject"]["encodedList"] =
        Value::String(Bitstring::default().encode().unwrap());
    let verdicts = independent_verdicts(&forged, &[did_document]);
    assert!(verdicts.neither_verified(), "{verdicts:#?}");
}

#[test]
fn the_completion_credential_has_no_term_the_contexts_leave_undefined() {
    // An undefined term becomes a relative IRI, which each JSON-LD processor resolves its own
    // way (sophia against x-string:///, pyld against its default base, jsonld.js refuses in safe
    // mode): the signature would then verify only where it was made. Checked on the canonical
    // form Koshu signs, so it fails here even where the independent verifiers are not installed.
    let (credential, _) = issued_completion_credential();
    let mut unsecured = credential;
    unsecured.as_object_mut().unwrap().remove("proof");
    let nquads = Contexts::default().canonical_nquads(&unsecured).unwrap();
    let relative: Vec<&str> = nquads
        .lines()
        .filter(|l| l.contains("<x-string:"))
        .collect();
    assert!(relative.is_empty(), "{relative:#?}");
}

//! A completion credential as Koshu issues it: signed by the provider's did:web key, checked
//! against its status list and its dates; a change of one character, a suspension, a
//! revocation and the end of its validity each change the verdict; a rotated key still
//! verifies what it signed.

use ed25519_dalek::SigningKey;
use koshu_credentials::CredentialError;
use koshu_credentials::achievement::{
    Alignment, Claims, Designation, IssuerProfile, hashed_email, xsd_datetime,
};
use koshu_credentials::canonical::Contexts;
use koshu_credentials::keys::{self, PublishedKey};
use koshu_credentials::proof;
use koshu_credentials::status::{self, Bitstring, Status};
use koshu_credentials::verify::{self, Resolver, SignatureCheck, StatusCheck, Validity};
use serde_json::Value;
use time::macros::datetime;

const HOST: &str = "https://koshu.example";
const LIST: &str = "https://koshu.example/status/org-1/1";

fn did() -> String {
    keys::did_web(HOST, &["providers", "org-1"]).unwrap_or_default()
}

fn claims(index: u32) -> Claims {
    Claims {
        id: format!("{HOST}/credentials/c-{index}"),
        issuer: IssuerProfile {
            id: did(),
            name: "株式会社サンプル".into(),
            url: format!("{HOST}/providers/org-1"),
        },
        achievement_id: format!("{HOST}/programmes/p-1#achievement"),
        course: "セキュリティ実践講座".into(),
        course_description: "インシデント対応の演習".into(),
        statement_en: "Certificate of completion: Security Practice Course (12 hours)".into(),
        criteria: "出席率90%以上".into(),
        course_hours: 12.0,
        hours_earned: 11.5,
        fields: vec![Alignment {
            target_type: "ext:ITSSPlusField".into(),
            name: "インシデント対応".into(),
            code: Some("incident".into()),
            description: None,
            url: Some(format!("{HOST}/search?field=incident")),
        }],
        designation: Some(Designation {
            number: "第2026-001号".into(),
            period: "2026年4月1日〜2029年3月31日".into(),
            url: format!("{HOST}/designations/d-1"),
        }),
        learner_name: "山田 太郎".into(),
        email_hash: hashed_email("taro@example.jp", "00ff"),
        email_salt: "00ff".into(),
        riss_number: Some("012345".into()),
        activity_start: "2026-06-09T00:00:00Z".into(),
        activity_end: "2026-06-10T09:00:00Z".into(),
        valid_from: xsd_datetime(datetime!(2026-06-10 09:00 UTC)).unwrap_or_default(),
        valid_until: Some("2029-06-10T09:00:00Z".into()),
        status: Some(status::entry(LIST, index)),
    }
}

struct Issuer {
    keys: Vec<(String, SigningKey)>,
    statuses: Vec<(u32, Status)>,
}

impl Issuer {
    fn new() -> Self {
        Self {
            keys: vec![("key-1".into(), SigningKey::from_bytes(&[1; 32]))],
            statuses: Vec::new(),
        }
    }

    fn sign(&self, doc: &Value) -> Result<Value, CredentialError> {
        let (fragment, key) = self.keys.last().ok_or(CredentialError::Unseal)?;
        proof::sign(
            &Contexts::default(),
            doc,
            key,
            &format!("{}#{fragment}", did()),
            datetime!(2026-06-10 09:00 UTC),
        )
    }

    fn issue(&self, index: u32) -> Result<Value, CredentialError> {
        self.sign(&claims(index).credential())
    }
}

impl Resolver for Issuer {
    fn did_document(&self, asked: &str) -> Option<Value> {
        let published: Vec<PublishedKey> = self
            .keys
            .iter()
            .map(|(f, k)| PublishedKey {
                fragment: f.clone(),
                public_multibase: keys::public_multibase(&k.verifying_key()),
            })
            .collect();
        (asked == did()).then(|| keys::did_document(&did(), &published))
    }

    fn status_list(&self, url: &str) -> Option<Value> {
        let bits = Bitstring::with(self.statuses.clone()).ok()?.encode().ok()?;
        let list = status::list_credential(url, &did(), "2026-06-10T09:00:00Z", &bits);
        self.sign(&list).ok()
    }
}

#[test]
fn an_issued_credential_verifies_with_every_claim() -> Result<(), CredentialError> {
    let issuer = Issuer::new();
    let credential = issuer.issue(7)?;
    let verdict = verify::verify(
        &Contexts::default(),
        &credential,
        &issuer,
        datetime!(2026-07-01 00:00 UTC),
    );
    assert!(verdict.verified(), "{verdict:?}");
    assert_eq!(verdict.code(), "verified");
    let claims = verdict.claims.ok_or(CredentialError::Unseal)?;
    assert_eq!(claims, self::claims(7));
    Ok(())
}

#[test]
fn one_changed_character_fails() -> Result<(), CredentialError> {
    let issuer = Issuer::new();
    let text = issuer.issue(7)?.to_string().replace("11.5", "12.5");
    let tampered: Value =
        serde_json::from_str(&text).map_err(|e| CredentialError::NotJson(e.to_string()))?;
    let verdict = verify::verify(
        &Contexts::default(),
        &tampered,
        &issuer,
        datetime!(2026-07-01 00:00 UTC),
    );
    assert_eq!(verdict.code(), "invalid_signature");
    Ok(())
}

#[test]
fn suspension_revocation_and_expiry_each_show() -> Result<(), CredentialError> {
    let mut issuer = Issuer::new();
    let credential = issuer.issue(7)?;
    let at = datetime!(2026-07-01 00:00 UTC);
    issuer.statuses = vec![(7, Status::Suspended)];
    let verdict = verify::verify(&Contexts::default(), &credential, &issuer, at);
    assert_eq!((verdict.code(), verdict.verified()), ("suspended", false));
    issuer.statuses = vec![(7, Status::Revoked), (8, Status::Active)];
    assert_eq!(
        verify::verify(&Contexts::default(), &credential, &issuer, at).code(),
        "revoked"
    );
    issuer.statuses.clear();
    let later = verify::verify(
        &Contexts::default(),
        &credential,
        &issuer,
        datetime!(2029-06-10 09:00 UTC),
    );
    assert_eq!(
        (later.validity, later.code()),
        (Validity::Expired, "expired")
    );
    let early = verify::check_validity(&credential, datetime!(2026-06-10 08:59 UTC));
    assert_eq!(early, Validity::NotYetValid);
    Ok(())
}

#[test]
fn a_status_list_that_cannot_be_had_or_is_forged_is_not_a_pass() -> Result<(), CredentialError> {
    struct NoLists(Issuer);
    impl Resolver for NoLists {
        fn did_document(&self, d: &str) -> Option<Value> {
            self.0.did_document(d)
        }
        fn status_list(&self, _: &str) -> Option<Value> {
            None
        }
    }
    struct Forged(Issuer);
    impl Resolver for Forged {
        fn did_document(&self, d: &str) -> Option<Value> {
            self.0.did_document(d)
        }
        fn status_list(&self, url: &str) -> Option<Value> {
            let mut list = self.0.status_list(url)?;
            list["credentialSubject"]["encodedList"] =
                Value::String(Bitstring::default().encode().ok()?);
            Some(list)
        }
    }
    let mut issuer = Issuer::new();
    let credential = issuer.issue(7)?;
    let at = datetime!(2026-07-01 00:00 UTC);
    let verdict = verify::verify(
        &Contexts::default(),
        &credential,
        &NoLists(Issuer::new()),
        at,
    );
    assert!(matches!(verdict.status, StatusCheck::Unavailable { .. }));
    assert!(!verdict.verified());
    issuer.statuses = vec![(7, Status::Revoked)];
    let verdict = verify::verify(&Contexts::default(), &credential, &Forged(issuer), at);
    assert_eq!(verdict.code(), "status_unavailable");
    Ok(())
}

#[test]
fn after_a_rotation_old_credentials_verify_and_new_ones_use_the_new_key()
-> Result<(), CredentialError> {
    let mut issuer = Issuer::new();
    let old = issuer.issue(1)?;
    issuer
        .keys
        .push(("key-2".into(), SigningKey::from_bytes(&[2; 32])));
    let new = issuer.issue(2)?;
    let at = datetime!(2026-07-01 00:00 UTC);
    for (credential, key) in [(&old, "key-1"), (&new, "key-2")] {
        let verdict = verify::verify(&Contexts::default(), credential, &issuer, at);
        assert!(verdict.verified(), "{verdict:?}");
        assert!(
            matches!(&verdict.signature, SignatureCheck::Valid { verification_method } if verification_method.ends_with(key))
        );
    }
    Ok(())
}

#[test]
fn a_key_not_controlled_by_the_issuer_is_refused() -> Result<(), CredentialError> {
    let issuer = Issuer::new();
    let stranger = SigningKey::from_bytes(&[9; 32]);
    let (_, method) = keys::did_key(&stranger.verifying_key());
    let forged = proof::sign(
        &Contexts::default(),
        &claims(3).credential(),
        &stranger,
        &method,
        datetime!(2026-06-10 09:00 UTC),
    )?;
    let verdict = verify::verify(
        &Contexts::default(),
        &forged,
        &issuer,
        datetime!(2026-07-01 00:00 UTC),
    );
    assert!(
        matches!(verdict.signature, SignatureCheck::Invalid { reason } if reason.contains("not by the issuer"))
    );
    Ok(())
}

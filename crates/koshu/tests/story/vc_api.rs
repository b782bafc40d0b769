//! The W3C VC-API (issue 17 item 6): a provider's system signs credentials with an API token
//! of its organisation, as its `did:web` or as a `did:key`; anyone verifies credentials and
//! presentations, Koshu's certificates with their status and dates; every answer is the one
//! the OpenAPI document gives, and bad input is a 400 naming the field, never a 500.

use crate::accounts::{register_organisation, sign_up, signed_in};
use crate::api::Contract;
use crate::app::{START, TestApp, TestResponse};
use crate::listings::{a_token, api};
use axum::http::StatusCode;
use koshu_credentials::keys::{self, SigningKey};
use koshu_credentials::proof::{self, Purpose};
use koshu_store::credentials::CredentialStatus;
use koshu_workflow::credentials::{StatusChange, change_status};
use koshu_workflow::vc_api::{self, Identity};
use serde_json::{Value, json};
use time::macros::datetime;

fn json_of(res: &TestResponse) -> Value {
    serde_json::from_str(&res.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", res.body))
}

/// A credential as the W3C test suites send one.
fn example() -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://www.w3.org/ns/credentials/examples/v2"],
        "id": "urn:uuid:6a1676b8-b51f-11ed-937b-d76685a20ff5",
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "degree": {"type": "ExampleBachelorDegree", "name": "Bachelor of Science and Arts"}
        }
    })
}

/// POSTs `body` to a VC-API path, checks the answer against the document, returns it.
async fn post(
    app: &TestApp,
    contract: &Contract,
    path: &str,
    token: Option<&str>,
    body: &Value,
    status: StatusCode,
) -> Value {
    let res = api(
        app,
        "POST",
        path,
        token,
        &[("accept", "text/html")],
        &body.to_string(),
    )
    .await;
    assert_eq!(res.status, status, "{path}: {}", res.body);
    let answer = json_of(&res);
    contract.check_op("post", path, status.as_u16(), "application/json", &answer);
    answer
}

/// The field a 400 names.
fn field(answer: &Value) -> &str {
    answer["field"].as_str().unwrap_or("")
}

pub async fn a_providers_system_issues_and_anyone_verifies_through_the_vc_api(app: TestApp) {
    let contract = Contract::fetch(&app).await;
    let owner = sign_up(&app, "連携 一郎", "owner@provider.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, "5010001008846").await;
    let write = a_token(&mut b, &org, "修了証システム", "write").await;
    let read = a_token(&mut b, &org, "集計", "read").await;
    let issue = |credential: Value| json!({"credential": credential});

    // Issuing takes a write token of the organisation; errors are JSON even to a browser.
    let none = post(
        &app,
        &contract,
        "/credentials/issue",
        None,
        &issue(example()),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(none["code"], "auth.token");
    let read_only = post(
        &app,
        &contract,
        "/credentials/issue",
        Some(&read),
        &issue(example()),
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(read_only["code"], "auth.forbidden");

    // As the organisation's did:web, key-1 (made on first use): the issuer is filled in.
    let did = format!("did:web:koshu.test:issuers:{org}");
    let web = post(
        &app,
        &contract,
        "/credentials/issue",
        Some(&write),
        &issue(example()),
        StatusCode::CREATED,
    )
    .await;
    let web = web["verifiableCredential"].clone();
    assert_eq!(web["issuer"], did);
    let proof = &web["proof"][0];
    assert_eq!(proof["type"], "DataIntegrityProof");
    assert_eq!(proof["cryptosuite"], "eddsa-rdfc-2022");
    assert_eq!(proof["proofPurpose"], "assertionMethod");
    assert_eq!(proof["verificationMethod"], format!("{did}#key-1"));
    assert!(proof["proofValue"].as_str().unwrap().starts_with('z'));
    assert_eq!(
        web["credentialSubject"],
        example()["credentialSubject"],
        "as sent"
    );

    // As a did:key: by the option, or by naming it; the same key as key-1.
    let document = koshu_workflow::credentials::did_document(&app.state.workflow, &org)
        .await
        .unwrap()
        .unwrap();
    let key1 = document["verificationMethod"][0]["publicKeyMultibase"]
        .as_str()
        .unwrap();
    let did_key = format!("did:key:{key1}");
    let by_option = post(
        &app,
        &contract,
        "/credentials/issue",
        Some(&write),
        &json!({"credential": example(), "options": {"issuer": "did:key"}}),
        StatusCode::CREATED,
    )
    .await["verifiableCredential"]
        .clone();
    assert_eq!(by_option["issuer"], did_key);
    assert_eq!(
        by_option["proof"][0]["verificationMethod"],
        format!("{did_key}#{key1}")
    );
    let mut named = example();
    named["issuer"] = json!({"id": did_key, "name": "連携テスト"});
    let by_name = post(
        &app,
        &contract,
        "/credentials/issue",
        Some(&write),
        &issue(named),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(by_name["verifiableCredential"]["issuer"]["id"], did_key);

    // Each broken rule is a 400 naming its field; nothing is signed.
    let signed_before = signatures(&app).await;
    let mut cases: Vec<(Value, &str)> = Vec::new();
    for (name, value, expected) in [
        ("validFrom", json!("2026-01-01"), "credential.validFrom"),
        (
            "issuer",
            json!("did:web:elsewhere.example"),
            "credential.issuer",
        ),
        (
            "@context",
            json!([
                "https://www.w3.org/ns/credentials/v2",
                "https://example.org/ctx"
            ]),
            "credential.@context",
        ),
        ("type", json!("ExampleDegreeCredential"), "credential.type"),
        (
            "proof",
            json!([{"type": "DataIntegrityProof"}]),
            "credential.proof",
        ),
    ] {
        let mut c = example();
        c[name] = value;
        cases.push((issue(c), expected));
    }
    cases.push((json!({"credentials": example()}), "credential"));
    cases.push((
        json!({"credential": example(), "options": {"issuer": "did:ion"}}),
        "options.issuer",
    ));
    cases.push((
        json!({"credential": example(), "options": {"issuer": 7}}),
        "options",
    ));
    cases.push((json!({"credential": example(), "options": []}), "options"));
    for (body, expected) in cases {
        let refused = post(
            &app,
            &contract,
            "/credentials/issue",
            Some(&write),
            &body,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(field(&refused), expected, "{body}");
        assert!(refused["message_ja"].is_string() && refused["message_en"].is_string());
    }
    let not_json = api(&app, "POST", "/credentials/issue", Some(&write), &[], "{").await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    assert_eq!(json_of(&not_json)["code"], "body.format");
    assert_eq!(
        signatures(&app).await,
        signed_before,
        "nothing signed when refused"
    );
    assert_eq!(signed_before, 3, "each signature is in the audit log");

    // Verified, all three; one character changed, not (400, the same result).
    for vc in [&web, &by_option, &by_name["verifiableCredential"]] {
        let ok = post(
            &app,
            &contract,
            "/credentials/verify",
            None,
            &json!({"verifiableCredential": vc}),
            StatusCode::OK,
        )
        .await;
        assert_eq!(ok["verified"], true);
        assert_eq!(ok["verdict"]["code"], "verified");
        assert_eq!(ok["checks"], json!(["proof", "validity"]));
        assert_eq!(ok["errors"], json!([]));
        assert_eq!(ok["claims"], Value::Null, "not a Koshu certificate");
    }
    let mut changed = web.clone();
    changed["credentialSubject"]["degree"]["name"] = json!("Bachelor of Science and Art");
    let bad = post(
        &app,
        &contract,
        "/credentials/verify",
        None,
        &json!({"verifiableCredential": changed}),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(bad["verified"], false);
    assert_eq!(bad["verdict"]["code"], "invalid_signature");
    assert_eq!(bad["errors"][0]["check"], "proof");
    assert_eq!(
        bad["verdict"]["label_ja"]
            .as_str()
            .map(|l| l.starts_with("署名が無効")),
        Some(true)
    );

    // A presentation signed by its holder (a did:key) for this verifier's challenge.
    let holder = SigningKey::from_bytes(&[9; 32]);
    let (holder_did, holder_method) = keys::did_key(&holder.verifying_key());
    let unsigned = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder_did,
        "verifiableCredential": [web],
    });
    let sign = |vp: &Value, challenge: &str| {
        proof::sign_for(
            &vc_api::contexts(),
            vp,
            &holder,
            &holder_method,
            START,
            &Purpose {
                name: "authentication",
                challenge: Some(challenge),
                domain: Some("koshu.test"),
            },
        )
        .unwrap()
    };
    let vp = sign(&unsigned, "c-20260401");
    let options = json!({"challenge": "c-20260401", "domain": "koshu.test"});
    let ok = post(
        &app,
        &contract,
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": vp, "options": options}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(ok["verified"], true);
    assert_eq!(ok["checks"], json!(["proof"]));
    assert_eq!(ok["credentialResults"][0]["verified"], true);
    // Another challenge, an unsigned presentation where one is asked for, a changed
    // credential inside, the holder's key not the holder's: each refused, saying where.
    let replayed = post(
        &app,
        &contract,
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": vp, "options": {"challenge": "c-other"}}),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(replayed["errors"][0]["check"], "proof");
    assert!(
        replayed["errors"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("challenge")
    );
    let unsigned_asked = post(
        &app,
        &contract,
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": unsigned, "options": {"challenge": "c-20260401"}}),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(unsigned_asked["verified"], false);
    let plain = post(
        &app,
        &contract,
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": unsigned}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(plain["checks"], json!([]), "no proof, none asked for");
    let mut inside = unsigned.clone();
    inside["verifiableCredential"] = json!([changed]);
    let inside = post(
        &app,
        &contract,
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": sign(&inside, "c-1"), "options": {"challenge": "c-1"}}),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        inside["errors"],
        json!([]),
        "the presentation's own proof holds"
    );
    assert_eq!(
        inside["credentialResults"][0]["verdict"]["code"],
        "invalid_signature"
    );
    let mut someone_else = unsigned.clone();
    someone_else["holder"] = json!("did:example:someone-else");
    let impostor = post(
        &app,
        &contract,
        "/presentations/verify",
        None,
        &json!({"verifiablePresentation": sign(&someone_else, "c-2")}),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        impostor["errors"][0]["message_en"]
            .as_str()
            .unwrap()
            .contains("controlled by")
    );

    // Whatever is sent, a 400 naming what is wrong: never a 500.
    for (path, body, expected) in [
        ("/credentials/verify", json!({}), "verifiableCredential"),
        (
            "/credentials/verify",
            json!({"verifiableCredential": "eyJhbGciOi"}),
            "verifiableCredential",
        ),
        (
            "/credentials/verify",
            json!({"verifiableCredential": {}, "options": 1}),
            "options",
        ),
        (
            "/presentations/verify",
            json!({"verifiablePresentation": [vp]}),
            "verifiablePresentation",
        ),
        (
            "/presentations/verify",
            json!({"verifiablePresentation": {"type": "Other"}}),
            "verifiablePresentation.type",
        ),
        (
            "/presentations/verify",
            json!({"verifiablePresentation": {"type": "VerifiablePresentation", "verifiableCredential": [1]}}),
            "verifiablePresentation.verifiableCredential",
        ),
        (
            "/presentations/verify",
            json!({"verifiablePresentation": vp, "options": {"challenge": 5}}),
            "options",
        ),
    ] {
        let refused = post(&app, &contract, path, None, &body, StatusCode::BAD_REQUEST).await;
        assert_eq!(field(&refused), expected, "{path} {body}");
    }
    for junk in [
        json!({"verifiableCredential": {"proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofPurpose": "assertionMethod", "verificationMethod": "did:key:z6MkInvalid#x", "proofValue": "zzz"}, "issuer": "did:key:z6MkInvalid"}}),
        json!({"verifiableCredential": {"@context": [{"@vocab": "urn:x#"}], "issuer": 5, "proof": []}}),
        json!({"verifiableCredential": {"credentialStatus": {"type": "BitstringStatusListEntry", "statusListCredential": "https://elsewhere.example/1", "statusListIndex": "x"}}}),
    ] {
        let res = post(
            &app,
            &contract,
            "/credentials/verify",
            None,
            &junk,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(res["verified"], false, "{junk}");
    }
}

/// The audit entries of VC-API signatures.
async fn signatures(app: &TestApp) -> usize {
    app.store
        .recent_audit_entries(1000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event.action == "credential.sign")
        .count()
}

/// Koshu's own certificates, verified through the VC-API as the verification page verifies
/// them: active with its claims, then expired, suspended, revoked.
pub async fn koshu_certificates_verify_through_the_vc_api_with_status_and_dates(app: TestApp) {
    let contract = Contract::fetch(&app).await;
    app.load_sample_provider().await;
    let wf = &app.state.workflow;
    let issued = koshu_workflow::credentials::issued_to(wf, "demo-learner-1")
        .await
        .unwrap();
    let certificate = issued[0].document.clone();
    let body = json!({"verifiableCredential": certificate});
    let verify = async |status: StatusCode| {
        post(&app, &contract, "/credentials/verify", None, &body, status).await
    };

    let ok = verify(StatusCode::OK).await;
    assert_eq!(ok["verified"], true);
    assert_eq!(
        ok["checks"],
        json!(["proof", "credentialStatus", "validity"])
    );
    assert_eq!(ok["claims"]["learner_name"], "（サンプル）青井 葵");
    assert_eq!(
        ok["claims"]["riss_number"],
        Value::Null,
        "printed only with consent"
    );
    assert!(
        ok["claims"]["course"]
            .as_str()
            .unwrap()
            .contains("インシデント初動対応演習")
    );
    assert!(ok["claims"]["hours_earned"].as_f64().unwrap() > 0.0);

    // Three years on, past validUntil.
    app.clock.set(datetime!(2029-04-02 09:00 +09:00));
    let expired = verify(StatusCode::BAD_REQUEST).await;
    assert_eq!(expired["verdict"]["code"], "expired");
    assert_eq!(expired["verdict"]["label_ja"], "有効期限切れ");
    assert_eq!(expired["errors"][0]["check"], "validity");
    app.clock.set(START);

    let id = &issued[0].stored.id;
    change_status(
        wf,
        id,
        StatusChange::Suspend,
        CredentialStatus::Active,
        "確認中",
        "test",
    )
    .await
    .unwrap();
    let suspended = verify(StatusCode::BAD_REQUEST).await;
    assert_eq!(suspended["verdict"]["code"], "suspended");
    assert_eq!(suspended["verdict"]["label_ja"], "一時停止");
    assert_eq!(suspended["errors"][0]["check"], "credentialStatus");
    change_status(
        wf,
        id,
        StatusChange::Revoke,
        CredentialStatus::Suspended,
        "不正受講",
        "test",
    )
    .await
    .unwrap();
    let revoked = verify(StatusCode::BAD_REQUEST).await;
    assert_eq!(revoked["verdict"]["code"], "revoked");
    assert_eq!(revoked["verdict"]["label_ja"], "取消し");
    assert_eq!(
        revoked["claims"]["learner_name"], "（サンプル）青井 葵",
        "still read"
    );
}

/// The first signature of an organisation makes its key: the key, its audit entry and the
/// signature's are one unit, at every step.
pub async fn issuing_is_all_or_nothing_at_every_step(app: TestApp) {
    let owner = sign_up(&app, "連携 一郎", "owner@provider.example.jp").await;
    let org = register_organisation(&mut signed_in(&app, &owner).await, "5010001008846").await;
    let wf = &app.state.workflow;
    let snapshot = async || {
        let keys = app.store.issuer_keys(&org).await.unwrap().len();
        format!("{keys} key(s), {} signature(s)", signatures(&app).await)
    };
    let before = snapshot().await;
    for step in 1.. {
        app.store.faults().fail_at_step(step);
        let signed = vc_api::issue(wf, &org, &example(), Identity::DidWeb, "test").await;
        app.store.faults().disarm();
        match signed {
            Ok(vc) => {
                assert!(step > 2, "the key and the signature are written apart");
                assert_eq!(snapshot().await, "1 key(s), 1 signature(s)");
                assert_eq!(
                    vc_api::verify_credential(wf, &vc).await.unwrap().code(),
                    "verified"
                );
                break;
            }
            Err(e) => {
                assert!(format!("{e:?}").contains("Injected"), "{e:?}");
                assert_eq!(snapshot().await, before, "after a fault at step {step}");
                crate::workflow::audit_intact(&app).await;
            }
        }
    }
}

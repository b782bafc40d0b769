//! Passkeys as a second factor (issue 4, G02), with a software authenticator written here from
//! the WebAuthn specification (P-256 key, "none" attestation, CBOR by hand), independent of
//! the library the server uses. The browser test does the same with Chromium's own virtual
//! authenticator.

use crate::accounts::{Browser, PASSWORD, location, sign_up};
use crate::app::{START, TestApp};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use koshu_domain::access::MinistryRole;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The test app's public address (`http://koshu.test`): the relying party.
const ORIGIN: &str = "http://koshu.test";
const RP_ID: &str = "koshu.test";

struct SoftAuthenticator {
    key: SigningKey,
    credential_id: Vec<u8>,
    counter: u32,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The header of a CBOR item of major type `major` with length or value `n`.
fn cbor_head(major: u8, n: usize) -> Vec<u8> {
    let m = major << 5;
    match n {
        0..=23 => vec![m | u8::try_from(n).unwrap()],
        24..=255 => vec![m | 24, u8::try_from(n).unwrap()],
        _ => {
            let mut v = vec![m | 25];
            v.extend_from_slice(&u16::try_from(n).unwrap().to_be_bytes());
            v
        }
    }
}

fn cbor_bytes(b: &[u8]) -> Vec<u8> {
    let mut v = cbor_head(2, b.len());
    v.extend_from_slice(b);
    v
}

fn cbor_text(s: &str) -> Vec<u8> {
    let mut v = cbor_head(3, s.len());
    v.extend_from_slice(s.as_bytes());
    v
}

impl SoftAuthenticator {
    fn new(seed: u8) -> Self {
        Self {
            key: SigningKey::from_slice(&[seed; 32]).unwrap(),
            credential_id: vec![seed; 16],
            counter: 0,
        }
    }

    /// The COSE_Key of the public key: {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}.
    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_sec1_point(false);
        let mut v = vec![0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21];
        v.extend(cbor_bytes(point.x().unwrap()));
        v.push(0x22);
        v.extend(cbor_bytes(point.y().unwrap()));
        v
    }

    fn authenticator_data(&mut self, attested: bool) -> Vec<u8> {
        self.counter += 1;
        let mut data = Sha256::digest(RP_ID.as_bytes()).to_vec();
        // User present and verified; attested credential data follows at registration.
        data.push(if attested { 0x45 } else { 0x05 });
        data.extend_from_slice(&self.counter.to_be_bytes());
        if attested {
            data.extend_from_slice(&[0; 16]);
            data.extend_from_slice(
                &u16::try_from(self.credential_id.len())
                    .unwrap()
                    .to_be_bytes(),
            );
            data.extend_from_slice(&self.credential_id);
            data.extend(self.cose_key());
        }
        data
    }

    fn client_data(kind: &str, options: &Value) -> Vec<u8> {
        json!({
            "type": kind,
            "challenge": options["publicKey"]["challenge"],
            "origin": ORIGIN,
            "crossOrigin": false,
        })
        .to_string()
        .into_bytes()
    }

    /// `navigator.credentials.create()`: the credential as `passkey.js` sends it.
    fn create(&mut self, options: &Value) -> Value {
        assert_eq!(options["publicKey"]["rp"]["id"], RP_ID);
        let auth_data = self.authenticator_data(true);
        let mut attestation = vec![0xa3];
        attestation.extend(cbor_text("fmt"));
        attestation.extend(cbor_text("none"));
        attestation.extend(cbor_text("attStmt"));
        attestation.push(0xa0);
        attestation.extend(cbor_text("authData"));
        attestation.extend(cbor_bytes(&auth_data));
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&attestation),
                "clientDataJSON": b64(&Self::client_data("webauthn.create", options)),
            },
            "extensions": {},
        })
    }

    /// `navigator.credentials.get()`: an assertion signed over the authenticator data and the
    /// hash of the client data.
    fn get(&mut self, options: &Value) -> Value {
        let auth_data = self.authenticator_data(false);
        let client_data = Self::client_data("webauthn.get", options);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&signed);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": null,
            },
            "extensions": {},
        })
    }
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

async fn register_passkey(b: &mut Browser<'_>, authenticator: &mut SoftAuthenticator, name: &str) {
    let options = b.post_json("/account/passkeys/options", &json!({})).await;
    assert_eq!(options.status, StatusCode::OK, "{}", options.body);
    let credential = authenticator.create(&json_of(&options.body));
    let done = b
        .post_json(
            "/account/passkeys",
            &json!({ "name": name, "credential": credential }),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(
        json_of(&done.body)["redirect"],
        "/account/two-factor?done=passkey-added"
    );
}

async fn sign_in_with_password(b: &mut Browser<'_>, email: &str) {
    let res = b
        .post("/login", &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        location(&res).starts_with("/login/second-factor"),
        "{}",
        location(&res)
    );
}

async fn passkey_step(
    b: &mut Browser<'_>,
    authenticator: &mut SoftAuthenticator,
    next: &str,
) -> crate::app::TestResponse {
    let options = b.post_json("/login/passkey/options", &json!({})).await;
    assert_eq!(options.status, StatusCode::OK, "{}", options.body);
    let assertion = authenticator.get(&json_of(&options.body));
    b.post_json(&format!("/login/passkey?next={next}"), &assertion)
        .await
}

pub async fn a_passkey_is_a_second_factor(app: TestApp) {
    let email = "passkey@example.jp";
    let id = sign_up(&app, "鍵 花子", email).await;
    let mut b = Browser::new(&app);
    let res = b
        .post("/login", &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&res), "/account", "no second factor yet");
    let page = b.get("/account/two-factor").await;
    assert!(page.body.contains("id=\"passkey-register\""));

    // Registering: the name is required; then the authenticator's credential is kept.
    let options = b.post_json("/account/passkeys/options", &json!({})).await;
    let mut laptop = SoftAuthenticator::new(7);
    let credential = laptop.create(&json_of(&options.body));
    let nameless = b
        .post_json(
            "/account/passkeys",
            &json!({ "name": " ", "credential": credential }),
        )
        .await;
    assert_eq!(nameless.status, StatusCode::BAD_REQUEST);
    let error = json_of(&nameless.body);
    assert_eq!(error["code"], "passkey.name");
    assert_eq!(error["field"], "name");
    let mut laptop = SoftAuthenticator::new(7);
    register_passkey(&mut b, &mut laptop, "仕事用ノートPC").await;
    let page = b.get("/account/two-factor?done=passkey-added").await;
    assert!(page.body.contains("仕事用ノートPC"));
    assert!(page.body.contains("パスキーを登録しました"));
    // The same authenticator cannot be registered twice.
    let mut again = SoftAuthenticator::new(7);
    let options = b.post_json("/account/passkeys/options", &json!({})).await;
    let twice = b
        .post_json(
            "/account/passkeys",
            &json!({ "name": "もう一度", "credential": again.create(&json_of(&options.body)) }),
        )
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST, "{}", twice.body);
    assert_eq!(json_of(&twice.body)["code"], "passkey.already_registered");

    // Signing in now asks for the passkey (the only factor: no code form).
    b.post("/logout", &[]).await;
    sign_in_with_password(&mut b, email).await;
    let step = b.get("/login/second-factor?next=/account").await;
    assert!(step.body.contains("id=\"passkey-sign-in\""));
    assert!(!step.body.contains("name=\"code\""));
    assert_eq!(
        b.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "not signed in before the passkey"
    );
    // An assertion by another key is refused.
    let mut stranger = SoftAuthenticator::new(9);
    stranger.credential_id = laptop.credential_id.clone();
    let refused = passkey_step(&mut b, &mut stranger, "/account").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(json_of(&refused.body)["code"], "passkey.refused");
    // The registered authenticator signs in, and goes where the person was going.
    let ok = passkey_step(&mut b, &mut laptop, "/account").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(json_of(&ok.body)["redirect"], "/account");
    assert_eq!(b.get("/account").await.status, StatusCode::OK);
    // A challenge answers once: the same assertion again finds no ceremony.
    b.post("/logout", &[]).await;
    sign_in_with_password(&mut b, email).await;
    let options = b.post_json("/login/passkey/options", &json!({})).await;
    let assertion = laptop.get(&json_of(&options.body));
    let first = b.post_json("/login/passkey", &assertion).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    b.post("/logout", &[]).await;
    sign_in_with_password(&mut b, email).await;
    let replay = b.post_json("/login/passkey", &assertion).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    assert_eq!(json_of(&replay.body)["code"], "passkey.expired");

    // A passkey satisfies a reviewer's second factor; the last one cannot be removed.
    app.store
        .set_ministry_roles(&id, Some(MinistryRole::Reviewer), false, "cli", START)
        .await
        .unwrap();
    let mut b = Browser::new(&app);
    sign_in_with_password(&mut b, email).await;
    let ok = passkey_step(&mut b, &mut laptop, "/ministry/organisations").await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(
        b.get("/ministry/organisations").await.status,
        StatusCode::OK
    );
    let passkeys = app.store.passkeys_of(&id).await.unwrap();
    assert_eq!(passkeys.len(), 1);
    assert!(passkeys[0].last_used_at.is_some());
    let remove = format!("/account/passkeys/{}/delete", passkeys[0].id);
    assert_eq!(b.post(&remove, &[]).await.status, StatusCode::FORBIDDEN);
    // With a second passkey, either can go.
    let mut phone = SoftAuthenticator::new(11);
    register_passkey(&mut b, &mut phone, "スマートフォン").await;
    let removed = b.post(&remove, &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        location(&removed),
        "/account/two-factor?done=passkey-removed"
    );
    assert_eq!(app.store.passkeys_of(&id).await.unwrap().len(), 1);

    let actions: Vec<String> = app
        .store
        .recent_audit_entries(200)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "account.passkey_add")
            .count(),
        2
    );
    assert!(actions.iter().any(|a| a == "account.passkey_remove"));
    assert!(actions.iter().any(|a| a == "auth.second_factor_failed"));
}

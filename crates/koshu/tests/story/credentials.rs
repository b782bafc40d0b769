//! Certificates (issue 17; D06, B13): confirming a learner as 修了 issues their signed Open
//! Badges credential in the same unit; the learner takes it away as JSON, a baked PNG and SVG
//! and a PDF; anyone verifies it with no sign-in, by its address, an upload or a paste; a
//! changed character fails; suspension, reinstatement, revocation and expiry each show on the
//! page and in the JSON; the status list is signed and cached with an ETag.

use crate::accounts::{Browser, sign_up, signed_in};
use crate::app::TestApp;
use crate::completion::{assessment_page, attends, criteria_form, pairs};
use crate::delivery::{a_delivered_session, apply, mail_to};
use crate::independent::{independent_verdicts, one_character_changed_at};
use crate::workflow::post_through_faults;
use axum::http::{StatusCode, header};
use koshu_credentials::achievement::Claims;
use koshu_store::credentials::CredentialStatus;
use serde_json::Value;
use time::macros::datetime;

pub(crate) struct Completed<'a> {
    pub staff: Browser<'a>,
    pub learner: Browser<'a>,
    pub org: String,
    pub session: String,
    pub base: String,
    pub marks: String,
}

/// A session with criteria (certificates valid 3 years), one learner who attended, passed
/// both assessments and answered the survey, ready to be confirmed; they gave their RISS
/// number and agreed to its printing.
pub(crate) async fn ready_to_confirm(app: &TestApp) -> Completed<'_> {
    let (org, owner, session) = a_delivered_session(app, "10").await;
    let base = format!("/organisations/{org}/sessions/{session}");
    let mut staff = signed_in(app, &owner).await;
    let mut form = criteria_form("1");
    form.push(("credential_valid_years", "3".to_owned()));
    let saved = staff
        .post(&format!("{base}/completion/criteria"), &pairs(&form))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let aoi = sign_up(app, "青井", "aoi@example.jp").await;
    let mut learner = signed_in(app, &aoi).await;
    apply(
        &mut learner,
        &session,
        &[
            ("name", "青井 葵"),
            ("name_kana", "アオイ アオイ"),
            ("riss_number", "012345"),
            ("riss_registered_on", "2025-10-01"),
            ("riss_on_credential", "true"),
            ("consent", "true"),
        ],
    )
    .await;
    app.clock.set(datetime!(2026-06-10 09:40 +09:00));
    let mut staff = signed_in(app, &owner).await;
    attends(&mut staff, &base, &aoi, &["1", "2"]).await;
    let answered =
        write_unit!(app, unit => unit.record_survey_submission(&session, &aoi).await).unwrap();
    assert!(answered);
    app.clock.set(datetime!(2026-06-10 15:30 +09:00));
    let mut staff = signed_in(app, &owner).await;
    let marks = assessment_page(app, &base, &session, &aoi).await;
    for fields in [
        vec![("assessment", "1"), ("score", "90")],
        vec![("assessment", "2"), ("levels[0]", "A"), ("levels[1]", "A")],
    ] {
        let res = staff.post(&marks, &fields).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let learner = signed_in(app, &aoi).await;
    Completed {
        staff,
        learner,
        org,
        session,
        base,
        marks,
    }
}

/// Staff confirm the learner as 修了; returns the certificate's id.
pub(crate) async fn confirm(
    app: &TestApp,
    staff: &mut Browser<'_>,
    marks: &str,
    session: &str,
) -> String {
    let confirmed = staff
        .post(&format!("{marks}/confirm"), &[("outcome", "completed")])
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    app.store.credentials_of_session(session).await.unwrap()[0]
        .id
        .clone()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

async fn verdict(app: &TestApp, id: &str) -> Value {
    let res = Browser::new(app)
        .get(&format!("/verify/{id}/verdict.json"))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    json(&res.body)
}

pub async fn a_completed_learner_takes_a_certificate_anyone_verifies(app: TestApp) {
    let Completed {
        mut staff,
        mut learner,
        org,
        session,
        base,
        marks,
    } = ready_to_confirm(&app).await;
    let confirmed = staff
        .post(&format!("{marks}/confirm"), &[("outcome", "completed")])
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );

    // Issued with the decision, frozen as issued.
    let issued = app.store.credentials_of_session(&session).await.unwrap();
    assert_eq!(issued.len(), 1);
    let credential = &issued[0];
    let document = json(&credential.document);
    let claims = Claims::read(&document).unwrap();
    assert_eq!(claims.learner_name, "青井 葵");
    assert_eq!(claims.hours_earned, 4.0);
    assert_eq!(claims.riss_number.as_deref(), Some("012345"));
    assert_eq!(
        claims.issuer.id,
        format!("did:web:koshu.test:issuers:{org}")
    );
    assert_eq!(claims.valid_until.as_deref(), Some("2029-06-10T06:30:00Z"));
    assert_eq!(document["proof"][0]["cryptosuite"], "eddsa-rdfc-2022");
    let id = credential.id.clone();
    let url = format!("http://koshu.test/verify/{id}");
    assert_eq!(claims.id, url);
    let mail = mail_to(&app, "aoi@example.jp", "修了判定のお知らせ").await;
    assert!(mail.body.contains(&url), "{}", mail.body);

    // The learner's page and what they take away.
    let enrolment = learner.get("/learning").await;
    assert_eq!(enrolment.status, StatusCode::OK);
    let page = learner.get(&format!("/learning/credentials/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for text in [
        "青井 葵",
        "4時間",
        "012345",
        "certificate.pdf",
        "badge.png",
        "badge.svg",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    let (status, downloaded) = learner
        .get_bytes(&format!("/learning/credentials/{id}/credential.json"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        downloaded,
        credential.document.as_bytes(),
        "exactly as issued"
    );
    let (status, pdf) = learner
        .get_bytes(&format!("/learning/credentials/{id}/certificate.pdf"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF"));
    let (_, again) = learner
        .get_bytes(&format!("/learning/credentials/{id}/certificate.pdf"))
        .await;
    assert_eq!(
        pdf, again,
        "made from the frozen credential, it reads the same"
    );
    let (_, png) = learner
        .get_bytes(&format!("/learning/credentials/{id}/badge.png"))
        .await;
    assert_eq!(
        koshu_forms::certificate::unbake_png(&png)
            .unwrap()
            .as_deref(),
        Some(credential.document.as_str())
    );
    let (_, svg) = learner
        .get_bytes(&format!("/learning/credentials/{id}/badge.svg"))
        .await;
    let svg = String::from_utf8(svg).unwrap();
    assert_eq!(
        koshu_forms::certificate::unbake_svg(&svg).as_deref(),
        Some(credential.document.as_str())
    );
    // Another learner cannot download it.
    let other = sign_up(&app, "番", "ban@example.jp").await;
    let mut ban = signed_in(&app, &other).await;
    let refused = ban
        .get(&format!("/learning/credentials/{id}/credential.json"))
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    // Anyone verifies it, signed in or not, in both languages.
    let mut anyone = Browser::new(&app);
    let public = anyone.get(&format!("/verify/{id}")).await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.body);
    assert!(
        public.body.contains("有効な修了証です。"),
        "{}",
        public.body
    );
    assert!(public.body.contains("青井 葵"));
    let english = anyone.get(&format!("/en/verify/{id}")).await;
    assert!(
        english.body.contains("This certificate is valid."),
        "{}",
        english.body
    );
    let v = verdict(&app, &id).await;
    assert_eq!(
        (v["verified"].as_bool(), v["verdict"].as_str()),
        (Some(true), Some("verified"))
    );
    assert_eq!(v["claims"]["hoursEarned"], 4.0);

    // The issuer's DID document names the key's controller as the issuer.
    let did = anyone.get(&format!("/issuers/{org}/did.json")).await;
    assert_eq!(did.status, StatusCode::OK);
    let did = json(&did.body);
    assert_eq!(
        did["verificationMethod"][0]["controller"],
        claims.issuer.id.as_str()
    );
    // The status list is signed, cached, and answers 304 to its ETag.
    let list_url = document["credentialStatus"]["statusListCredential"]
        .as_str()
        .unwrap();
    let list_path = list_url.trim_start_matches("http://koshu.test");
    let list = anyone.get(list_path).await;
    assert_eq!(list.status, StatusCode::OK);
    let etag = list
        .headers
        .get(header::ETAG)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        list.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    assert!(json(&list.body)["proof"][0]["proofValue"].is_string());
    let req = axum::http::Request::get(list_path)
        .header(header::IF_NONE_MATCH, &etag)
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.request(req).await.status, StatusCode::NOT_MODIFIED);
    // A verifier that accepts gzip gets the list's own tag back, and its 304 too.
    let gzip = |tag: Option<&str>| {
        let mut req = axum::http::Request::get(list_path).header(header::ACCEPT_ENCODING, "gzip");
        if let Some(tag) = tag {
            req = req.header(header::IF_NONE_MATCH, tag);
        }
        app.request(req.body(axum::body::Body::empty()).unwrap())
    };
    let compressed = gzip(None).await;
    assert_eq!(compressed.headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(compressed.headers[header::ETAG], etag.as_str());
    assert_eq!(gzip(Some(&etag)).await.status, StatusCode::NOT_MODIFIED);

    // Uploaded or pasted: the same verdict; one changed character fails.
    let uploaded = anyone
        .post_file("/verify", &[], ("file", "badge.png", &png))
        .await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.body);
    assert!(
        uploaded.body.contains("有効な修了証です。"),
        "{}",
        uploaded.body
    );
    let tampered = credential.document.replace("青井 葵", "青井 奏");
    let pasted = anyone
        .post_file("/verify", &[("credential", &tampered)], ("file", "", b""))
        .await;
    assert_eq!(pasted.status, StatusCode::OK, "{}", pasted.body);
    assert!(
        pasted.body.contains("この修了証は検証できません"),
        "{}",
        pasted.body
    );
    let nonsense = anyone
        .post_file("/verify", &[("credential", "not json")], ("file", "", b""))
        .await;
    assert_eq!(nonsense.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        nonsense.body.contains("修了証として読めません"),
        "{}",
        nonsense.body
    );

    // Suspended, reinstated, revoked: the page, the JSON and the learner's mail say so.
    let change = |change: &'static str, expected: &'static str, reason: &'static str| {
        vec![
            ("change", change),
            ("expected", expected),
            ("reason", reason),
        ]
    };
    let status_path = format!("{base}/credentials/{id}/status");
    let no_reason = staff
        .post(&status_path, &change("suspend", "active", " "))
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason.body.contains("理由を入力してください"),
        "{}",
        no_reason.body
    );
    let suspended = staff
        .post(
            &status_path,
            &change("suspend", "active", "本人確認の再確認中"),
        )
        .await;
    assert_eq!(
        suspended.status,
        StatusCode::SEE_OTHER,
        "{}",
        suspended.body
    );
    assert!(
        anyone
            .get(&format!("/verify/{id}"))
            .await
            .body
            .contains("一時停止")
    );
    assert_eq!(verdict(&app, &id).await["verdict"], "suspended");
    let changed = anyone.get(list_path).await;
    assert_ne!(
        changed.headers[header::ETAG].to_str().unwrap(),
        etag,
        "a new list, a new ETag"
    );
    let told = mail_to(&app, "aoi@example.jp", "修了証の状態が変わりました").await;
    assert!(told.body.contains("本人確認の再確認中"), "{}", told.body);
    let reinstated = staff
        .post(
            &status_path,
            &change("reinstate", "suspended", "確認できました"),
        )
        .await;
    assert_eq!(reinstated.status, StatusCode::SEE_OTHER);
    assert_eq!(verdict(&app, &id).await["verdict"], "verified");
    let revoked = staff
        .post(
            &status_path,
            &change("revoke", "active", "受講記録の誤りが判明"),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let page = anyone.get(&format!("/verify/{id}")).await.body;
    assert!(page.contains("この修了証は取消しされています。"), "{page}");
    let v = verdict(&app, &id).await;
    assert_eq!(
        (v["verdict"].as_str(), v["status"]["state"].as_str()),
        (Some("revoked"), Some("revoked"))
    );
    // Final: a second revocation, or a reinstatement, is a conflict.
    let again = staff
        .post(&status_path, &change("reinstate", "suspended", "やり直し"))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let list = staff.get(&format!("{base}/credentials")).await;
    assert!(list.body.contains("受講記録の誤りが判明"), "{}", list.body);
    assert_eq!(
        app.store.credential(&id).await.unwrap().unwrap().status,
        CredentialStatus::Revoked
    );
}

pub async fn a_certificate_expires_on_its_valid_until(app: TestApp) {
    let Completed {
        mut staff,
        session,
        marks,
        ..
    } = ready_to_confirm(&app).await;
    let id = confirm(&app, &mut staff, &marks, &session).await;
    app.clock.set(datetime!(2029-06-10 15:29 +09:00));
    assert_eq!(verdict(&app, &id).await["verdict"], "verified");
    app.clock.set(datetime!(2029-06-10 15:30 +09:00));
    assert_eq!(verdict(&app, &id).await["verdict"], "expired");
    let page = Browser::new(&app).get(&format!("/verify/{id}")).await.body;
    assert!(page.contains("有効期限切れ"), "{page}");
}

/// The decision, its credential, the new status list and the mail are one unit: a failure at
/// any step leaves none of them.
pub async fn confirming_issues_the_certificate_all_or_nothing(app: TestApp) {
    let Completed {
        mut staff,
        session,
        marks,
        ..
    } = ready_to_confirm(&app).await;
    let store = app.store.clone();
    let s = session.clone();
    let snapshot = || {
        let store = store.clone();
        let s = s.clone();
        async move {
            format!(
                "{:?}|{:?}|outbox {}|audit {}",
                store.completions(&s).await.unwrap().len(),
                store.credentials_of_session(&s).await.unwrap().len(),
                store.outbox_count().await.unwrap(),
                store.audit_head().await.unwrap(),
            )
        }
    };
    let steps = post_through_faults(
        &app,
        &mut staff,
        &format!("{marks}/confirm"),
        &[("outcome", "completed")],
        snapshot,
    )
    .await;
    assert!(steps >= 4, "decision, key, credential, list, mail: {steps}");
    assert_eq!(
        app.store
            .credentials_of_session(&session)
            .await
            .unwrap()
            .len(),
        1
    );
}

/// A status change, the re-signed list, its audit entry and the learner's mail are one unit;
/// so are a key rotation's new key and the old one's retirement.
pub async fn status_changes_and_rotations_are_all_or_nothing(app: TestApp) {
    let Completed {
        mut staff,
        org,
        session,
        base,
        marks,
        ..
    } = ready_to_confirm(&app).await;
    let id = confirm(&app, &mut staff, &marks, &session).await;
    let store = app.store.clone();
    let (o, c) = (org.clone(), id.clone());
    let snapshot = || {
        let (store, o, c) = (store.clone(), o.clone(), c.clone());
        async move {
            format!(
                "{:?}|{:?}|{:?}|outbox {}|audit {}",
                store.credential(&c).await.unwrap().map(|x| x.status),
                store.status_list(&o, 1).await.unwrap().map(|l| l.etag),
                store.issuer_keys(&o).await.unwrap(),
                store.outbox_count().await.unwrap(),
                store.audit_head().await.unwrap(),
            )
        }
    };
    let steps = post_through_faults(
        &app,
        &mut staff,
        &format!("{base}/credentials/{id}/status"),
        &[
            ("change", "suspend"),
            ("expected", "active"),
            ("reason", "確認中"),
        ],
        snapshot,
    )
    .await;
    assert!(steps >= 3, "status, list, mail: {steps}");
    assert_eq!(verdict(&app, &id).await["verdict"], "suspended");

    let before = snapshot().await;
    let wf = &app.state.workflow;
    for step in 1.. {
        app.store.faults().fail_at_step(step);
        let rotated = koshu_workflow::credentials::rotate_key(wf, &org, "test").await;
        app.store.faults().disarm();
        if rotated.is_ok() {
            break;
        }
        assert_eq!(snapshot().await, before, "after a fault at step {step}");
    }
    let keys = app.store.issuer_keys(&org).await.unwrap();
    assert_eq!(keys.len(), 2);
    assert!(keys[0].retired_at.is_some() && keys[1].retired_at.is_none());
    assert_eq!(
        verdict(&app, &id).await["verdict"],
        "suspended",
        "the old key still verifies"
    );
}

/// Issue 17's acceptance on the certificate exactly as Koshu issued it on a completion
/// decision and serves it (the learner's download, the issuer's DID document, the status list):
/// it verifies in both independent verifiers (pyld + cryptography; Digital Bazaar's stack) and
/// validates against the Open Badges schema; with one character changed it fails in both. The
/// credential's content does not depend on the backend, so SQLite alone is enough.
#[tokio::test]
#[cfg_attr(
    not(koshu_verifiers),
    ignore = "the independent verifiers are not installed: python3 -m pip install pyld cryptography jsonschema rfc3339-validator; npm ci --prefix tests/verifiers"
)]
async fn an_issued_certificate_verifies_in_both_independent_verifiers() {
    let app = TestApp::sqlite().await;
    let Completed {
        mut staff,
        mut learner,
        org,
        session,
        marks,
        ..
    } = ready_to_confirm(&app).await;
    let id = confirm(&app, &mut staff, &marks, &session).await;
    let (status, downloaded) = learner
        .get_bytes(&format!("/learning/credentials/{id}/credential.json"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let credential: Value = serde_json::from_slice(&downloaded).unwrap();
    let mut anyone = Browser::new(&app);
    let did_document = json(&anyone.get(&format!("/issuers/{org}/did.json")).await.body);

    let verdicts = independent_verdicts(&credential, std::slice::from_ref(&did_document));
    assert!(verdicts.both_verified(), "{verdicts:#?}");
    assert!(verdicts.schema.valid, "{:#?}", verdicts.schema.errors);
    for pointer in [
        "/credentialSubject/identifier/1/identityHash",
        "/credentialSubject/creditsEarned",
    ] {
        let tampered = one_character_changed_at(&credential, pointer);
        let verdicts = independent_verdicts(&tampered, std::slice::from_ref(&did_document));
        assert!(verdicts.neither_verified(), "{pointer}: {verdicts:#?}");
    }

    // The status list it points to is itself a credential both verify.
    let list_path = credential["credentialStatus"]["statusListCredential"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://koshu.test")
        .to_owned();
    let list = json(&anyone.get(&list_path).await.body);
    let verdicts = independent_verdicts(&list, &[did_document]);
    assert!(verdicts.both_verified(), "{verdicts:#?}");
}

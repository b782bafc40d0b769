//! Issue 20: the xAPI Learning Record Store. A provider's LMS sends statements with its
//! organisation's LRS credential and reads back its own records only; statements are checked,
//! kept whole per request and never changed; documents follow their ETags.

use crate::accounts::{Browser, register_organisation, sign_up, signed_in};
use crate::app::{TestApp, TestResponse};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// An LRS client's credential: the Basic auth user name (key) and password (secret).
pub struct Credential {
    pub key: String,
    pub secret: String,
}

impl Credential {
    fn header(&self) -> String {
        let pair = format!("{}:{}", self.key, self.secret);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }
}

fn between<'a>(text: &'a str, after: &str, before: &str) -> &'a str {
    let start = text.find(after).unwrap() + after.len();
    let end = start + text[start..].find(before).unwrap();
    &text[start..end]
}

/// A learning-records token made on the organisation's token page by its owner: the page
/// shows the endpoint, the key and the secret this once.
pub async fn lrs_credential(b: &mut Browser<'_>, org: &str) -> Credential {
    let res = b
        .post(
            &format!("/organisations/{org}/tokens"),
            &[("name", "Moodle"), ("scope", "xapi"), ("days", "90")],
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    assert!(res.body.contains("/xapi/</code>"), "the endpoint is shown");
    Credential {
        key: between(&res.body, "ユーザー名（キー）</dt><dd><code>", "</code>").to_owned(),
        secret: between(&res.body, "<code class=\"secret\">", "</code>").to_owned(),
    }
}

/// A request to the LRS with the credential, in xAPI 2.0.0.
pub async fn lrs(
    app: &TestApp,
    method: &str,
    path: &str,
    credential: &Credential,
    content_type: &str,
    body: Vec<u8>,
) -> TestResponse {
    lrs_with(
        app,
        method,
        path,
        credential,
        &[("content-type", content_type)],
        body,
    )
    .await
}

pub async fn lrs_with(
    app: &TestApp,
    method: &str,
    path: &str,
    credential: &Credential,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> TestResponse {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", credential.header());
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("x-experience-api-version"))
    {
        req = req.header("x-experience-api-version", "2.0.0");
    }
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    app.request(req.body(Body::from(body)).unwrap()).await
}

pub fn statement(verb: &str, activity: &str, learner: &str) -> Value {
    json!({
        "actor": {"objectType": "Agent", "name": "受講 者", "mbox": format!("mailto:{learner}")},
        "verb": {"id": verb, "display": {"ja-JP": "完了", "en-US": "completed"}},
        "object": {"objectType": "Activity", "id": activity,
                   "definition": {"name": {"ja-JP": "演習"}}}
    })
}

const COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
const ATTEMPTED: &str = "http://adlnet.gov/expapi/verbs/attempted";
const ACTIVITY: &str = "https://lms.example.jp/course/7/item/1";

async fn post_json(app: &TestApp, credential: &Credential, body: &Value) -> TestResponse {
    lrs(
        app,
        "POST",
        "/xapi/statements",
        credential,
        "application/json",
        body.to_string().into_bytes(),
    )
    .await
}

async fn get_json(app: &TestApp, credential: &Credential, path: &str) -> (StatusCode, Value) {
    let res = lrs(app, "GET", path, credential, "application/json", Vec::new()).await;
    let body = serde_json::from_str(&res.body).unwrap_or(Value::Null);
    (res.status, body)
}

fn ids_of(result: &Value) -> Vec<String> {
    result["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

fn query(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

/// The Statement Resource's MUST behaviours that matter most, and isolation between providers.
pub async fn an_lms_sends_statements_and_reads_back_only_its_own(app: TestApp) {
    let owner = sign_up(&app, "学習 記録", "owner@lms.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, "7010001008844").await;
    let credential = lrs_credential(&mut b, &org).await;
    let other_owner = sign_up(&app, "他社 花子", "owner@other-lms.example.jp").await;
    let mut other = signed_in(&app, &other_owner).await;
    let other_org = register_organisation(&mut other, "4000012090001").await;
    let other_credential = lrs_credential(&mut other, &other_org).await;

    // The About resource needs no credential; everything else does, and says which scheme.
    let about = app.get("/xapi/about").await;
    assert_eq!(about.status, StatusCode::OK);
    assert!(about.body.contains("2.0.0") && about.body.contains("1.0.3"));
    let anonymous = app
        .request(
            Request::get("/xapi/statements")
                .header("x-experience-api-version", "2.0.0")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert!(
        anonymous.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    // The version is required and answered.
    let unversioned = lrs_with(
        &app,
        "GET",
        "/xapi/statements",
        &credential,
        &[("x-experience-api-version", "0.9")],
        Vec::new(),
    )
    .await;
    assert_eq!(unversioned.status, StatusCode::BAD_REQUEST);
    assert!(unversioned.body.contains("xapi.version.unsupported"));
    assert_eq!(unversioned.headers["x-experience-api-version"], "2.0.0");

    // POST one and a batch: ids come back in order; a statement without an id gets one.
    let first = post_json(
        &app,
        &credential,
        &statement(COMPLETED, ACTIVITY, "a@example.jp"),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let first_id: Vec<String> = serde_json::from_str(&first.body).unwrap();
    let batch: Vec<Value> = (0..5)
        .map(|n| statement(ATTEMPTED, &format!("{ACTIVITY}/{n}"), "b@example.jp"))
        .collect();
    let kept = post_json(&app, &credential, &Value::Array(batch)).await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    let batch_ids: Vec<String> = serde_json::from_str(&kept.body).unwrap();
    assert_eq!(batch_ids.len(), 5);

    // An invalid statement names the property and the rule; nothing of its batch is kept.
    let mut broken = statement(COMPLETED, ACTIVITY, "c@example.jp");
    broken["verb"]["id"] = json!("not an iri");
    let refused = post_json(
        &app,
        &credential,
        &json!([statement(COMPLETED, ACTIVITY, "c@example.jp"), broken]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let error: Value = serde_json::from_str(&refused.body).unwrap();
    assert!(
        error["field"]
            .as_str()
            .unwrap()
            .starts_with("statements[1].verb"),
        "{error}"
    );
    assert!(!error["message_ja"].as_str().unwrap().is_empty());
    let (_, by_c) = get_json(
        &app,
        &credential,
        &format!(
            "/xapi/statements?{}",
            query(&[("agent", r#"{"mbox":"mailto:c@example.jp"}"#)])
        ),
    )
    .await;
    assert!(ids_of(&by_c).is_empty(), "the batch was refused whole");

    // PUT under a chosen id: 204; the same again is accepted, another statement under it 409.
    let chosen = "5f1e6b2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
    let put = |body: Value| {
        let app = &app;
        let credential = &credential;
        async move {
            lrs(
                app,
                "PUT",
                &format!("/xapi/statements?statementId={chosen}"),
                credential,
                "application/json",
                body.to_string().into_bytes(),
            )
            .await
        }
    };
    let s = statement(COMPLETED, ACTIVITY, "d@example.jp");
    assert_eq!(put(s.clone()).await.status, StatusCode::NO_CONTENT);
    // Sent again a minute later (the LRS stamped the first with its own stored time and
    // timestamp): the same statement, accepted.
    app.clock.set(app.clock_now() + time::Duration::minutes(1));
    assert_eq!(put(s.clone()).await.status, StatusCode::NO_CONTENT);
    let other_statement = statement(ATTEMPTED, ACTIVITY, "d@example.jp");
    let conflict = put(other_statement).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.body);

    // GET one: as kept, with stored, authority and version set by the LRS.
    let (status, one) = get_json(
        &app,
        &credential,
        &format!("/xapi/statements?statementId={chosen}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["id"], chosen);
    assert_eq!(one["version"], "2.0.0");
    assert!(one["stored"].is_string());
    assert_eq!(one["authority"]["account"]["name"], credential.key.as_str());

    // Filters: agent, verb, activity; related_activities finds it in the context too.
    let (_, completed) = get_json(
        &app,
        &credential,
        &format!("/xapi/statements?{}", query(&[("verb", COMPLETED)])),
    )
    .await;
    let mut found = ids_of(&completed);
    found.sort();
    let mut expected = vec![first_id[0].clone(), chosen.to_owned()];
    expected.sort();
    assert_eq!(found, expected);
    let (_, by_activity) = get_json(
        &app,
        &credential,
        &format!(
            "/xapi/statements?{}",
            query(&[("activity", &format!("{ACTIVITY}/3"))])
        ),
    )
    .await;
    assert_eq!(ids_of(&by_activity), vec![batch_ids[3].clone()]);
    let mut in_context = statement(COMPLETED, "https://lms.example.jp/quiz/9", "e@example.jp");
    in_context["context"] = json!({"contextActivities": {"parent": [{"id": ACTIVITY}]},
                                   "registration": "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"});
    let in_context_id: Vec<String> =
        serde_json::from_str(&post_json(&app, &credential, &in_context).await.body).unwrap();
    let (_, related) = get_json(
        &app,
        &credential,
        &format!(
            "/xapi/statements?{}",
            query(&[("activity", ACTIVITY), ("related_activities", "true")])
        ),
    )
    .await;
    assert!(ids_of(&related).contains(&in_context_id[0]));
    let (_, registration) = get_json(
        &app,
        &credential,
        "/xapi/statements?registration=6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    )
    .await;
    assert_eq!(ids_of(&registration), in_context_id);

    // limit and more: pages of two, newest first, every statement once.
    let mut seen = Vec::new();
    let mut next = "/xapi/statements?limit=2".to_owned();
    loop {
        let (status, page) = get_json(&app, &credential, &next).await;
        assert_eq!(status, StatusCode::OK);
        let ids = ids_of(&page);
        assert!(ids.len() <= 2);
        seen.extend(ids);
        match page["more"].as_str().unwrap() {
            "" => break,
            more => next = more.to_owned(),
        }
    }
    assert_eq!(seen.len(), 8, "{seen:?}");
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 8);
    // A GET says how far the store is consistent, errors included.
    let misused = lrs(
        &app,
        "GET",
        "/xapi/statements?LIMIT=1",
        &credential,
        "application/json",
        Vec::new(),
    )
    .await;
    assert_eq!(misused.status, StatusCode::BAD_REQUEST);
    assert!(
        misused
            .headers
            .contains_key("x-experience-api-consistent-through")
    );

    // Voiding: the voided statement is gone from statementId and the lists, found by
    // voidedStatementId; a voiding statement cannot be voided.
    let voiding = json!({
        "actor": {"mbox": "mailto:admin@lms.example.jp"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": batch_ids[0]}
    });
    let voided = post_json(&app, &credential, &voiding).await;
    assert_eq!(voided.status, StatusCode::OK, "{}", voided.body);
    let voiding_id: Vec<String> = serde_json::from_str(&voided.body).unwrap();
    let (gone, _) = get_json(
        &app,
        &credential,
        &format!("/xapi/statements?statementId={}", batch_ids[0]),
    )
    .await;
    assert_eq!(gone, StatusCode::NOT_FOUND);
    let (kept_voided, v) = get_json(
        &app,
        &credential,
        &format!("/xapi/statements?voidedStatementId={}", batch_ids[0]),
    )
    .await;
    assert_eq!(kept_voided, StatusCode::OK);
    assert_eq!(v["id"], batch_ids[0].as_str());
    let void_voiding = json!({
        "actor": {"mbox": "mailto:admin@lms.example.jp"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": voiding_id[0]}
    });
    assert_eq!(
        post_json(&app, &credential, &void_voiding).await.status,
        StatusCode::BAD_REQUEST
    );

    // Attachments in multipart/mixed: kept by SHA-2 and returned with attachments=true.
    let data = "受講記録の添付".as_bytes();
    let sha2 = hex::encode(Sha256::digest(data));
    let mut with_attachment = statement(COMPLETED, ACTIVITY, "f@example.jp");
    with_attachment["attachments"] = json!([{
        "usageType": "http://id.tincanapi.com/attachment/supporting_media",
        "display": {"ja-JP": "記録"},
        "contentType": "text/plain",
        "length": data.len(),
        "sha2": sha2,
    }]);
    let multipart = |part_hash: &str| {
        let mut body = format!(
            "--b0\r\nContent-Type: application/json\r\n\r\n{with_attachment}\r\n--b0\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {part_hash}\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n--b0--\r\n");
        body
    };
    let wrong_hash = lrs(
        &app,
        "POST",
        "/xapi/statements",
        &credential,
        "multipart/mixed; boundary=b0",
        multipart(&"0".repeat(64)),
    )
    .await;
    assert_eq!(
        wrong_hash.status,
        StatusCode::BAD_REQUEST,
        "{}",
        wrong_hash.body
    );
    let attached = lrs(
        &app,
        "POST",
        "/xapi/statements",
        &credential,
        "multipart/mixed; boundary=b0",
        multipart(&sha2),
    )
    .await;
    assert_eq!(attached.status, StatusCode::OK, "{}", attached.body);
    let attached_id: Vec<String> = serde_json::from_str(&attached.body).unwrap();
    let back = lrs(
        &app,
        "GET",
        &format!(
            "/xapi/statements?statementId={}&attachments=true",
            attached_id[0]
        ),
        &credential,
        "application/json",
        Vec::new(),
    )
    .await;
    assert_eq!(back.status, StatusCode::OK);
    assert!(
        back.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("multipart/mixed")
    );
    assert!(back.body.contains("受講記録の添付"));
    assert!(
        back.body
            .contains(&format!("X-Experience-API-Hash: {sha2}"))
    );

    // Provider B's credential reads none of A's statements, and A's ids are free for B.
    let (status, _) = get_json(
        &app,
        &other_credential,
        &format!("/xapi/statements?statementId={chosen}"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, all_of_b) = get_json(&app, &other_credential, "/xapi/statements").await;
    assert!(ids_of(&all_of_b).is_empty());
    let (_, activity_of_b) = get_json(
        &app,
        &other_credential,
        &format!("/xapi/activities?{}", query(&[("activityId", ACTIVITY)])),
    )
    .await;
    assert!(
        activity_of_b.get("definition").is_none(),
        "B knows nothing of A's activity"
    );

    // Bounds: more than a batch may hold is refused, saying how many may go.
    let too_many: Vec<Value> = (0..1001)
        .map(|_| statement(ATTEMPTED, ACTIVITY, "g@example.jp"))
        .collect();
    let refused = post_json(&app, &credential, &Value::Array(too_many)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("xapi.batch.too_many"));
    let huge = vec![b' '; 17 * 1024 * 1024];
    let too_large = lrs(
        &app,
        "POST",
        "/xapi/statements",
        &credential,
        "application/json",
        huge,
    )
    .await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);

    // A revoked credential is refused at once.
    let tokens = b.get(&format!("/organisations/{org}/tokens")).await;
    let end = tokens.body.find("/revoke\"").unwrap() + "/revoke".len();
    let start = tokens.body[..end].rfind("action=\"").unwrap() + "action=\"".len();
    let revoke = tokens.body[start..end].to_owned();
    assert_eq!(b.post(&revoke, &[]).await.status, StatusCode::SEE_OTHER);
    let (status, _) = get_json(&app, &credential, "/xapi/statements").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// The State, Activity Profile and Agent Profile resources keep documents under ETags:
/// stale writes get 412, blind overwrites 409, POST merges JSON; the Activities resource
/// merges what statements said of an activity.
pub async fn documents_follow_their_etags_and_activities_merge_their_definitions(app: TestApp) {
    let owner = sign_up(&app, "学習 記録", "owner@lms.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, "7010001008844").await;
    let credential = lrs_credential(&mut b, &org).await;
    let agent = r#"{"objectType":"Agent","mbox":"mailto:a@example.jp"}"#;
    let state = format!(
        "/xapi/activities/state?{}",
        query(&[
            ("activityId", ACTIVITY),
            ("agent", agent),
            ("stateId", "bookmark")
        ])
    );
    let write = |method: &'static str,
                 path: String,
                 headers: Vec<(&'static str, String)>,
                 body: &'static str| {
        let app = &app;
        let credential = &credential;
        async move {
            let mut all: Vec<(&str, &str)> = vec![("content-type", "application/json")];
            all.extend(headers.iter().map(|(n, v)| (*n, v.as_str())));
            lrs_with(
                app,
                method,
                &path,
                credential,
                &all,
                body.as_bytes().to_vec(),
            )
            .await
        }
    };
    let created = write("PUT", state.clone(), vec![], r#"{"page": 3}"#).await;
    assert_eq!(created.status, StatusCode::NO_CONTENT, "{}", created.body);
    let etag = created.headers["etag"].to_str().unwrap().to_owned();
    // A blind PUT over it: 409, naming what to send; a stale If-Match: 412; nothing changes.
    let blind = write("PUT", state.clone(), vec![], r#"{"page": 4}"#).await;
    assert_eq!(blind.status, StatusCode::CONFLICT);
    assert!(blind.body.contains("If-Match"));
    let stale = write(
        "PUT",
        state.clone(),
        vec![("if-match", "\"0000\"".into())],
        r#"{"page": 4}"#,
    )
    .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let only_new = write(
        "PUT",
        state.clone(),
        vec![("if-none-match", "*".into())],
        r#"{"page": 4}"#,
    )
    .await;
    assert_eq!(only_new.status, StatusCode::PRECONDITION_FAILED);
    let read = lrs(
        &app,
        "GET",
        &state,
        &credential,
        "application/json",
        Vec::new(),
    )
    .await;
    assert_eq!(read.body, r#"{"page": 3}"#);
    assert_eq!(read.headers["etag"].to_str().unwrap(), etag);
    // With the current ETag the write goes through; POST merges JSON objects.
    let replaced = write(
        "PUT",
        state.clone(),
        vec![("if-match", etag.clone())],
        r#"{"page": 4}"#,
    )
    .await;
    assert_eq!(replaced.status, StatusCode::NO_CONTENT);
    let merged = write("POST", state.clone(), vec![], r#"{"score": 80}"#).await;
    assert_eq!(merged.status, StatusCode::NO_CONTENT);
    let read: Value = serde_json::from_str(
        &lrs(
            &app,
            "GET",
            &state,
            &credential,
            "application/json",
            Vec::new(),
        )
        .await
        .body,
    )
    .unwrap();
    assert_eq!(read, json!({"page": 4, "score": 80}));
    // The ids at an address, then a delete of them all.
    let all_states = format!(
        "/xapi/activities/state?{}",
        query(&[("activityId", ACTIVITY), ("agent", agent)])
    );
    let ids: Value = serde_json::from_str(
        &lrs(
            &app,
            "GET",
            &all_states,
            &credential,
            "application/json",
            Vec::new(),
        )
        .await
        .body,
    )
    .unwrap();
    assert_eq!(ids, json!(["bookmark"]));
    assert_eq!(
        lrs(
            &app,
            "DELETE",
            &all_states,
            &credential,
            "application/json",
            Vec::new()
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        lrs(
            &app,
            "GET",
            &state,
            &credential,
            "application/json",
            Vec::new()
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // The profiles keep their own documents, a binary one as sent.
    let profile = format!(
        "/xapi/activities/profile?{}",
        query(&[("activityId", ACTIVITY), ("profileId", "syllabus")])
    );
    let sent = lrs(
        &app,
        "PUT",
        &profile,
        &credential,
        "application/pdf",
        b"%PDF-1.7 ...".to_vec(),
    )
    .await;
    assert_eq!(sent.status, StatusCode::NO_CONTENT);
    let got = lrs(
        &app,
        "GET",
        &profile,
        &credential,
        "application/json",
        Vec::new(),
    )
    .await;
    assert_eq!(got.headers["content-type"], "application/pdf");
    assert_eq!(got.bytes, b"%PDF-1.7 ...");
    let merge_binary = lrs(
        &app,
        "POST",
        &profile,
        &credential,
        "application/json",
        br#"{"a":1}"#.to_vec(),
    )
    .await;
    assert_eq!(
        merge_binary.status,
        StatusCode::BAD_REQUEST,
        "a PDF cannot be merged into"
    );
    let agent_profile = format!(
        "/xapi/agents/profile?{}",
        query(&[("agent", agent), ("profileId", "prefs")])
    );
    assert_eq!(
        write("PUT", agent_profile.clone(), vec![], r#"{"lang":"ja"}"#)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let person: Value = serde_json::from_str(
        &lrs(
            &app,
            "GET",
            &format!("/xapi/agents?{}", query(&[("agent", agent)])),
            &credential,
            "application/json",
            Vec::new(),
        )
        .await
        .body,
    )
    .unwrap();
    assert_eq!(person["objectType"], "Person");
    assert_eq!(person["mbox"], json!(["mailto:a@example.jp"]));

    // Two statements name the activity in two languages: the Activities resource has both.
    let mut english = statement(COMPLETED, ACTIVITY, "a@example.jp");
    english["object"]["definition"] = json!({"name": {"en-US": "Exercise"}});
    post_json(
        &app,
        &credential,
        &statement(COMPLETED, ACTIVITY, "a@example.jp"),
    )
    .await;
    post_json(&app, &credential, &english).await;
    let (_, activity) = get_json(
        &app,
        &credential,
        &format!("/xapi/activities?{}", query(&[("activityId", ACTIVITY)])),
    )
    .await;
    assert_eq!(
        activity["definition"]["name"],
        json!({"ja-JP": "演習", "en-US": "Exercise"})
    );
}

/// A batch of statements with attachments is kept whole or not at all, whichever of its
/// writes fails.
pub async fn a_batch_is_kept_whole_or_not_at_all_at_every_step(app: TestApp) {
    let owner = sign_up(&app, "学習 記録", "owner@lms.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, "7010001008844").await;
    let credential = lrs_credential(&mut b, &org).await;
    let mut voiding_target = statement(ATTEMPTED, ACTIVITY, "a@example.jp");
    voiding_target["id"] = json!("1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e");
    assert_eq!(
        post_json(&app, &credential, &voiding_target).await.status,
        StatusCode::OK
    );
    let batch = json!([
        statement(COMPLETED, ACTIVITY, "b@example.jp"),
        statement(COMPLETED, &format!("{ACTIVITY}/2"), "c@example.jp"),
        {
            "actor": {"mbox": "mailto:admin@lms.example.jp"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
            "object": {"objectType": "StatementRef", "id": "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"}
        }
    ]);
    let snapshot = || async {
        let all = app
            .store
            .xapi_statements(
                &org,
                &koshu_store::xapi::StatementQuery {
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let definition = app.store.xapi_activity(&org, ACTIVITY).await.unwrap();
        format!(
            "{:?} {definition:?}",
            all.iter().map(|s| (&s.id, s.voided)).collect::<Vec<_>>()
        )
    };
    let before = snapshot().await;
    for step in 1.. {
        app.store.faults().fail_at_step(step);
        let res = post_json(&app, &credential, &batch).await;
        app.store.faults().disarm();
        if res.status == StatusCode::OK {
            assert_ne!(snapshot().await, before);
            assert!(step > 3, "the batch wrote in several steps");
            return;
        }
        assert_eq!(
            res.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            res.body
        );
        assert!(
            !res.body.contains("Injected"),
            "the cause is logged, not shown"
        );
        assert_eq!(snapshot().await, before, "after a fault at step {step}");
    }
}

/// Issue 20 item 3: the session's progress page tells the LMS what to send; statements about
/// an on-demand item by a learner (matched by mbox) count as that learner's progress on it
/// for staff, as the item page's own reports do; other actors are listed, unmatched; another
/// organisation's credential cannot write into the session.
pub async fn statements_from_an_lms_show_up_as_progress_of_the_learner(app: TestApp) {
    use crate::delivery::{a_delivered_session, apply, profile};
    use crate::progress::with_curriculum;
    use time::macros::datetime;
    let (org, owner, session) = a_delivered_session(&app, "5").await;
    let base = format!("/organisations/{org}/sessions/{session}");
    let mut staff = signed_in(&app, &owner).await;
    let curriculum = "120 1 インシデント対応の基礎\n60 2026-06-01〜2026-06-09 事前学習：ログの読み方 https://lms.example.jp/c/1";
    let saved = staff
        .post(
            &format!("{base}/delivery"),
            &with_curriculum(curriculum, "1"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let credential = lrs_credential(&mut staff, &org).await;
    let aoi = sign_up(&app, "青井", "aoi@example.jp").await;
    apply(
        &mut signed_in(&app, &aoi).await,
        &session,
        &profile("青井 葵", "アオイ アオイ", ""),
    )
    .await;
    let ban = sign_up(&app, "番", "ban@example.jp").await;
    apply(
        &mut signed_in(&app, &ban).await,
        &session,
        &profile("番 健", "バン ケン", ""),
    )
    .await;

    // The page gives the endpoint and the IRI of the on-demand item.
    let page = staff.get(&format!("{base}/progress")).await;
    assert_eq!(page.status, StatusCode::OK);
    let at = page
        .body
        .find("/items/2</code>")
        .unwrap_or_else(|| panic!("{}", page.body));
    let iri = page.body
        [page.body[..at].rfind("<code>").unwrap() + "<code>".len()..at + "/items/2".len()]
        .to_owned();
    assert!(
        iri.ends_with(&format!("/xapi/activities/sessions/{session}/items/2")),
        "{iri}"
    );
    assert!(page.body.contains("/xapi/</code>"));

    // Her LMS reports a launch, use every minute for ten minutes, and completion.
    let sent = |verb: &str, learner: &str| {
        json!({
            "actor": {"objectType": "Agent", "mbox": format!("mailto:{learner}")},
            "verb": {"id": format!("http://adlnet.gov/expapi/verbs/{verb}"), "display": {"en-US": verb}},
            "object": {"objectType": "Activity", "id": iri}
        })
    };
    let start = datetime!(2026-06-01 20:00 +09:00);
    for minute in 0..=10 {
        app.clock.set(start + time::Duration::minutes(minute));
        let verb = match minute {
            0 => "launched",
            10 => "completed",
            _ => "progressed",
        };
        let res = post_json(&app, &credential, &sent(verb, "aoi@example.jp")).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    }
    // His LMS reports only the end, with the twenty minutes he spent (cmi5's duration).
    let mut with_duration = sent("completed", "ban@example.jp");
    with_duration["result"] = json!({"completion": true, "duration": "PT20M"});
    assert_eq!(
        post_json(&app, &credential, &with_duration).await.status,
        StatusCode::OK
    );
    // Someone the session does not know.
    post_json(&app, &credential, &sent("launched", "stranger@example.jp")).await;
    // Another provider's credential, about this session: kept in its own LRS, no evidence here.
    let other_owner = sign_up(&app, "他社 花子", "owner@other-lms.example.jp").await;
    let mut other = signed_in(&app, &other_owner).await;
    let other_org = register_organisation(&mut other, "4000012090001").await;
    let other_credential = lrs_credential(&mut other, &other_org).await;
    post_json(
        &app,
        &other_credential,
        &sent("launched", "intruder@example.jp"),
    )
    .await;

    app.clock.set(datetime!(2026-06-01 21:00 +09:00));
    let mut staff = signed_in(&app, &owner).await;
    let page = staff.get(&format!("{base}/progress")).await;
    assert!(
        page.body.contains("<th scope=\"row\">青井 葵"),
        "{}",
        page.body
    );
    let row = between(&page.body, "<th scope=\"row\">青井 葵", "</tr>");
    assert!(row.contains("10 / 60分"), "{row}");
    assert!(row.contains("完了"), "{row}");
    let row = between(&page.body, "<th scope=\"row\">番 健", "</tr>");
    assert!(row.contains("20 / 60分"), "{row}");
    assert!(row.contains("完了"), "{row}");
    let unmatched = between(&page.body, "照合できなかった送り手", "</table>");
    assert!(
        unmatched.contains("mbox:mailto:stranger@example.jp"),
        "{unmatched}"
    );
    assert!(!unmatched.contains("intruder"), "{unmatched}");
    // The same completion sent twice is kept once in the LRS and counts once.
    let (_, all) = get_json(
        &app,
        &credential,
        &format!("/xapi/statements?{}", query(&[("activity", &iri)])),
    )
    .await;
    assert_eq!(ids_of(&all).len(), 13);
}

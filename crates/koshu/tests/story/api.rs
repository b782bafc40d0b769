//! The public catalogue API (A06): JSON that matches its own OpenAPI document, errors that name
//! the parameter, bulk exports for spreadsheets and programs, and a reference page.

use crate::app::{TestApp, TestResponse};
use axum::http::{StatusCode, header};
use koshu::catalogue_import::DEMO_PROGRAMMES;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn json_of(res: &TestResponse) -> Value {
    serde_json::from_str(&res.body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", &res.body[..res.body.len().min(300)]))
}

fn content_type(res: &TestResponse) -> &str {
    res.headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The served OpenAPI document, and the paths it documents.
pub struct Contract {
    pub doc: Value,
}

/// Where the providers' endpoints are (their story checks them against the document).
const PROVIDERS_API: &str = "/api/v1/providers/";

impl Contract {
    pub async fn fetch(app: &TestApp) -> Self {
        let res = app.get("/api/openapi.json").await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(content_type(&res).starts_with("application/json"));
        let doc = json_of(&res);
        assert_eq!(doc["openapi"], "3.1.0");
        Self { doc }
    }

    /// The schema of one response (`x-item-schema` for JSON Lines), with the document's
    /// components beside it so that `#/components/schemas/...` resolves inside the document.
    fn schema(&self, method: &str, path: &str, status: u16, media: &str) -> Value {
        let content =
            &self.doc["paths"][path][method]["responses"][status.to_string()]["content"][media];
        let schema = if content["x-item-schema"].is_object() {
            &content["x-item-schema"]
        } else {
            &content["schema"]
        };
        assert!(schema.is_object(), "{path} {status} {media}: no schema");
        let mut root = schema.clone();
        root["components"] = self.doc["components"].clone();
        root
    }

    /// Checks `body` against the response schema of `GET path` (a documented path template).
    fn check(&self, path: &str, status: u16, media: &str, body: &Value) {
        self.check_op("get", path, status, media, body);
    }

    /// Checks `body` against the response schema of `method path`.
    pub fn check_op(&self, method: &str, path: &str, status: u16, media: &str, body: &Value) {
        let schema = self.schema(method, path, status, media);
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{path} {status}: schema does not compile: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{path} {status}: the body breaks the schema:\n{}",
            errors.join("\n")
        );
    }

    /// Every documented (path, status) with a JSON body of the public, read-only API.
    fn json_responses(&self) -> BTreeSet<(String, u16)> {
        let mut out = BTreeSet::new();
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            if path.starts_with(PROVIDERS_API) {
                continue;
            }
            let Some(responses) = item["get"]["responses"].as_object() else {
                continue; // a POST-only path (the VC-API): its story checks it
            };
            for (status, r) in responses {
                if r["content"]["application/json"]["schema"].is_object() {
                    out.insert((path.clone(), status.parse().unwrap()));
                }
            }
        }
        out
    }
}

pub async fn api_responses_validate_against_the_openapi_document(app: TestApp) {
    app.load_demo().await;
    let contract = Contract::fetch(&app).await;
    let mut checked: BTreeSet<(String, u16)> = BTreeSet::new();
    let mut call = async |template: &str, url: &str, status: StatusCode| -> Value {
        let res = app.get(url).await;
        assert_eq!(res.status, status, "{url}: {}", res.body);
        assert!(content_type(&res).starts_with("application/json"), "{url}");
        let body = json_of(&res);
        contract.check(template, status.as_u16(), "application/json", &body);
        checked.insert((template.to_owned(), status.as_u16()));
        body
    };

    // Search: everything, a filtered page, and nothing found (with what to drop).
    let all = call("/api/v1/programmes", "/api/v1/programmes", StatusCode::OK).await;
    let programmes = app.store.catalogue_counts().await.unwrap().programmes;
    assert_eq!(all["total"], programmes);
    assert_eq!(all["per_page"], 20);
    assert_eq!(all["items"].as_array().unwrap().len(), 20);
    let facet_params: Vec<&String> = all["facets"].as_object().unwrap().keys().collect();
    for param in [
        "layer",
        "difficulty",
        "field",
        "prefecture",
        "month",
        "fee",
        "open",
    ] {
        assert!(facet_params.iter().any(|p| *p == param), "{param}");
    }
    // The level facet (A02): its values are the document's enum, its counts the results.
    let levels = call(
        "/api/v1/programmes",
        "/api/v1/programmes?difficulty=semi_advanced",
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        levels["total"],
        all["facets"]["difficulty"]["semi_advanced"]
    );
    let documented = contract.doc["paths"]["/api/v1/programmes"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "difficulty")
        .map(|p| p["schema"]["items"]["enum"].clone())
        .unwrap();
    for code in levels["facets"]["difficulty"].as_object().unwrap().keys() {
        assert!(
            documented.as_array().unwrap().contains(&json!(code)),
            "{code}"
        );
    }
    let osaka = call(
        "/api/v1/programmes",
        "/api/v1/programmes?prefecture=27&sort=title",
        StatusCode::OK,
    )
    .await;
    assert_eq!(osaka["total"], 3, "as on the search page");
    assert_eq!(osaka["facets"]["prefecture"]["27"], 3);
    let first = &osaka["items"][0];
    assert_eq!(
        first["url"],
        format!("/programmes/{}", first["id"].as_str().unwrap())
    );
    let none = call(
        "/api/v1/programmes",
        "/api/v1/programmes?q=SecHack365&prefecture=27",
        StatusCode::OK,
    )
    .await;
    assert_eq!(none["total"], 0);
    assert_eq!(
        none["relaxations"],
        json!([{"param": "prefecture", "code": "27", "count": 1}])
    );
    call(
        "/api/v1/programmes",
        "/api/v1/programmes?prefecture=99",
        StatusCode::BAD_REQUEST,
    )
    .await;

    // Every programme in full: all the fee shapes and optional fields of the demo.
    let mut page = 1;
    loop {
        let list = app.get(&format!("/api/v1/programmes?page={page}")).await;
        let list = json_of(&list);
        for item in list["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap();
            let detail = call(
                "/api/v1/programmes/{id}",
                &format!("/api/v1/programmes/{id}"),
                StatusCode::OK,
            )
            .await;
            assert_eq!(detail["id"], id);
            assert_eq!(detail["fee"], item["fee"], "{id}");
            assert_eq!(detail["provider"]["id"], item["provider"]["id"], "{id}");
        }
        if list["page"] == list["pages"] {
            break;
        }
        page += 1;
    }
    let cyder = call(
        "/api/v1/programmes/{id}",
        "/api/v1/programmes/cyder-a-fy2021",
        StatusCode::OK,
    )
    .await;
    let stored = app
        .store
        .programme("cyder-a-fy2021")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        cyder["sessions"].as_array().unwrap().len(),
        stored.sessions.len()
    );
    assert_eq!(
        cyder["sessions"][0]["starts_on"],
        stored.sessions[0].starts_on.to_string()
    );
    assert_eq!(
        cyder["provider"]["name_ja"],
        "国立研究開発法人情報通信研究機構"
    );
    call(
        "/api/v1/programmes/{id}",
        "/api/v1/programmes/no-such-programme",
        StatusCode::NOT_FOUND,
    )
    .await;

    // Sessions across the catalogue, soonest first.
    let sessions = call(
        "/api/v1/sessions",
        "/api/v1/sessions?from=2021-04-01",
        StatusCode::OK,
    )
    .await;
    let starts: Vec<&str> = sessions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["starts_on"].as_str().unwrap())
        .collect();
    assert!(!starts.is_empty());
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "sorted by date");
    call(
        "/api/v1/sessions",
        "/api/v1/sessions?from=2021-02-30",
        StatusCode::BAD_REQUEST,
    )
    .await;

    let taxonomy = call("/api/v1/taxonomy", "/api/v1/taxonomy", StatusCode::OK).await;
    assert_eq!(taxonomy["itss_fields"].as_array().unwrap().len(), 17);
    assert_eq!(taxonomy["prefectures"].as_array().unwrap().len(), 47);

    // Each line of the JSON Lines export is the documented item.
    let lines = app.get("/api/v1/export/programmes.jsonl").await;
    for line in lines.body.lines() {
        contract.check(
            "/api/v1/export/programmes.jsonl",
            200,
            "application/x-ndjson",
            &serde_json::from_str(line).unwrap(),
        );
    }

    // Nothing documented with a JSON body was left out, except server errors.
    let missing: Vec<_> = contract
        .json_responses()
        .into_iter()
        .filter(|(_, status)| *status != 500)
        .filter(|r| !checked.contains(r))
        .collect();
    assert!(missing.is_empty(), "not exercised: {missing:?}");
}

pub async fn an_invalid_api_filter_is_a_400_naming_the_parameter(app: TestApp) {
    app.load_demo().await;
    for (url, field, code) in [
        (
            "/api/v1/programmes?prefecture=99",
            "prefecture",
            "prefecture.jis_code",
        ),
        (
            "/en/api/v1/programmes?field=hacking",
            "field",
            "search.unknown_value",
        ),
        ("/api/v1/programmes?page=0", "page", "search.page"),
        ("/api/v1/sessions?from=2021-02-30", "from", "date.invalid"),
        (
            "/api/v1/sessions?prefecture=48",
            "prefecture",
            "prefecture.jis_code",
        ),
        (
            "/api/v1/sessions?from=2021-05-01&to=2021-04-01",
            "to",
            "date_range.order",
        ),
    ] {
        let res = app.get(url).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{url}");
        assert!(content_type(&res).starts_with("application/json"), "{url}");
        let body = json_of(&res);
        assert_eq!(body["field"], field, "{url}: {body}");
        assert_eq!(body["code"], code, "{url}: {body}");
        assert!(body["message_ja"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(body["request_id"].is_string(), "{url}");
    }
    // Only `to`, earlier than the default `from` (today): an empty listing, not a 400
    // (a schema-valid request; schemathesis found it, issue 12 item 17).
    let past = app.get("/api/v1/sessions?to=2000-01-01").await;
    assert_eq!(past.status, StatusCode::OK, "{}", past.body);
    assert_eq!(json_of(&past)["items"].as_array().map(Vec::len), Some(0));
    let unknown = app.get("/api/v1/programmes/no-such-programme").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(json_of(&unknown)["code"], "not_found");
    // Public data: any site may read it from a browser.
    let taxonomy = app.get("/api/v1/taxonomy").await;
    assert_eq!(
        taxonomy
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .unwrap(),
        "*"
    );
}

/// Records of a CSV text (RFC 4180), read independently of the writer.
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = vec![String::new()];
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                record.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => record.push(String::new()),
            ('\r', false) if chars.peek() == Some(&'\n') => {}
            ('\n', false) => records.push(std::mem::replace(&mut record, vec![String::new()])),
            (c, _) => record.last_mut().unwrap().push(c),
        }
    }
    assert_eq!(record, [""], "the file ends with a line break");
    records
}

pub async fn csv_export_opens_in_excel_with_a_japanese_header(app: TestApp) {
    app.load_demo().await;
    let taxonomy = koshu::taxonomy().unwrap();
    let tricky = "演習, \"実践\" コース";
    app.import_programme("tricky-title", tricky, "引用符とカンマを含む名称。")
        .await;

    let res = app.get("/api/v1/export/programmes.csv").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(content_type(&res), "text/csv; charset=utf-8");
    let disposition = res.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"koshu-programmes-")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let text = res
        .body
        .strip_prefix('\u{feff}')
        .expect("UTF-8 byte order mark first");
    let records = csv_records(text);
    assert_eq!(
        records[0],
        [
            "ID",
            "講座名",
            "実施者",
            "種別",
            "形式",
            "難易度",
            "費用",
            "対象者",
            "ITSS+分野",
            "開催回数",
            "次回開催日",
            "URL"
        ]
    );
    let rows = &records[1..];
    let programmes = app.store.catalogue_counts().await.unwrap().programmes;
    assert_eq!(rows.len() as i64, programmes, "one row per programme");
    assert!(
        rows.iter().all(|r| r.len() == 12),
        "12 columns in every row"
    );

    let row = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
    let quoted = row("tricky-title");
    assert_eq!(quoted[1], tricky, "read back exactly");
    assert!(
        text.contains("\"演習, \"\"実践\"\" コース\""),
        "quoted, quotes doubled"
    );
    assert_eq!(quoted[6], "無料");

    let cyder = row("cyder-a-fy2021");
    assert_eq!(cyder[2], "国立研究開発法人情報通信研究機構");
    let stored = app
        .store
        .programme("cyder-a-fy2021")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        cyder[3],
        taxonomy.kind(&stored.programme.kind).unwrap().label.ja,
        "labels, not codes"
    );
    assert_eq!(
        cyder[5],
        taxonomy
            .difficulty(&stored.programme.difficulty)
            .unwrap()
            .label
            .ja
    );
    assert_eq!(cyder[9], stored.sessions.len().to_string());
    assert_eq!(cyder[10], "", "every demo session is before 2026-04-01");
    assert_eq!(cyder[11], "/programmes/cyder-a-fy2021");
}

pub async fn jsonl_export_has_one_programme_per_line(app: TestApp) {
    app.load_demo().await;
    let res = app.get("/api/v1/export/programmes.jsonl").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(content_type(&res), "application/x-ndjson");
    assert!(
        res.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=")
    );
    let lines: Vec<Value> = res
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let programmes = app.store.catalogue_counts().await.unwrap().programmes;
    assert_eq!(lines.len() as i64, programmes);
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "by id, each once");
    let sessions: usize = lines
        .iter()
        .map(|l| l["sessions"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        sessions as i64,
        app.store.catalogue_counts().await.unwrap().sessions
    );
    // The same object as the detail endpoint.
    let line = lines.iter().find(|l| l["id"] == "sechack365").unwrap();
    let detail = json_of(&app.get("/api/v1/programmes/sechack365").await);
    assert_eq!(*line, detail);
    assert_eq!(
        DEMO_PROGRAMMES.matches("[[programme]]").count() as i64,
        programmes
    );
}

pub async fn sessions_api_filters_by_prefecture_and_programme(app: TestApp) {
    app.load_demo().await;
    // Default `from` is today (JST): in 2026 every demo session is past.
    let now = json_of(&app.get("/api/v1/sessions").await);
    assert_eq!(now["total"], 0);

    let url = "/api/v1/sessions?from=2000-01-01&prefecture=13&prefecture=27";
    let both = json_of(&app.get(url).await);
    let expected = ["13", "27"]
        .iter()
        .map(|p| {
            DEMO_PROGRAMMES
                .matches(&format!("prefecture = \"{p}\""))
                .count()
        })
        .sum::<usize>();
    assert_eq!(both["total"], expected, "every Tokyo and Osaka session");
    for s in both["items"].as_array().unwrap() {
        assert!(s["prefecture"] == "13" || s["prefecture"] == "27", "{s}");
        assert!(s["programme_title_ja"].is_string());
    }

    let one = json_of(
        &app.get("/api/v1/sessions?from=2000-01-01&programme=cyder-a-fy2021")
            .await,
    );
    let stored = app
        .store
        .programme("cyder-a-fy2021")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(one["total"], stored.sessions.len());
    assert!(
        one["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["programme"] == "cyder-a-fy2021")
    );
    assert_eq!(one["per_page"], 100);
}

pub async fn api_reference_page_renders_in_japanese_and_english(app: TestApp) {
    app.load_demo().await;
    let contract = Contract::fetch(&app).await;
    let ja = app.get("/api").await;
    assert_eq!(ja.status, StatusCode::OK);
    assert!(content_type(&ja).starts_with("text/html"));
    assert!(ja.body.contains(r#"<html lang="ja">"#));
    assert!(ja.body.contains("<h1>公開API"));
    assert!(ja.body.contains(
        "<caption id=\"op-list_programmes-params\">GET /api/v1/programmes のパラメーター</caption>"
    ));
    assert!(
        ja.body
            .contains(r#"<th scope="row"><code>prefecture</code></th>"#)
    );
    assert!(ja.body.contains("講座を検索する"), "Japanese summaries");
    for (path, item) in contract.doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let op = format!("{} {path}</code>", method.to_uppercase());
            assert!(ja.body.contains(&op), "{op}");
        }
    }
    for link in [
        r#"href="/api/openapi.json""#,
        r#"href="/api/v1/export/programmes.csv""#,
        r#"href="/api/v1/export/programmes.jsonl""#,
        r##"href="#schema-ProgrammeDetail""##,
    ] {
        assert!(ja.body.contains(link), "{link}");
    }
    // The example for one programme uses a real id, which answers.
    let example = ja
        .body
        .split(r#"<a href="/api/v1/programmes/"#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    let res = app.get(&format!("/api/v1/programmes/{example}")).await;
    assert_eq!(res.status, StatusCode::OK, "{example}");

    let en = app.get("/en/api").await;
    assert_eq!(en.status, StatusCode::OK);
    assert!(en.body.contains(r#"<html lang="en">"#));
    assert!(en.body.contains("<h1>Public API"));
    assert!(en.body.contains("Parameters of GET /api/v1/programmes"));
    assert!(en.body.contains("Search programmes"));
    assert!(!en.body.contains("講座を検索する"));

    // Linked from every page's footer, in the page's language.
    assert!(app.get("/").await.body.contains(r#"<a href="/api">"#));
    assert!(app.get("/en/").await.body.contains(r#"<a href="/en/api">"#));
}

//! The OpenAPI 3.1 document. Paths, parameters and schemas come from the handlers'
//! `#[utoipa::path]` and the DTOs' `ToSchema`; what depends on the reference data (the codes a
//! parameter accepts) is filled in from the `Taxonomy` when the document is served, so the
//! document never lists a code the server would reject, nor misses one it accepts.

use super::dto;
use koshu_domain::catalogue::search::{FeeBand, Sort};
use koshu_domain::prefecture::Prefecture;
use koshu_domain::taxonomy::Taxonomy;
use serde_json::{Map, Value, json};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Koshu catalogue API",
        description = "Public data of the Koshu cybersecurity training catalogue (search, programmes, sessions, reference data, bulk exports; no authentication), the providers' endpoints that list their own programmes (an API token of the organisation), and the W3C VC-API for certificates. Errors are `Error` objects with a stable `code`. / Koshu サイバーセキュリティ講座カタログの公開データ（検索、講座、開催日程、参照データ、一括ダウンロード。認証不要）、講座提供者が自組織の講座を登録・更新する API（組織の API トークンが必要）、修了証の W3C VC-API。誤りは安定した `code` を持つ `Error` で返します。",
    ),
    paths(
        super::list_programmes,
        super::get_programme,
        super::list_sessions,
        super::export::export_programmes_csv,
        super::export::export_programmes_jsonl,
        super::get_taxonomy,
        super::openapi_json,
        super::providers::list,
        super::providers::create,
        super::providers::get_one,
        super::providers::replace,
        super::providers::change_state,
        super::providers::add_session,
        super::providers::replace_session,
        super::providers::cancel_session,
        crate::pages::vc_api::issue,
        crate::pages::vc_api::verify_credential,
        crate::pages::vc_api::verify_presentation,
    ),
    components(schemas(dto::Error, dto::Problem)),
    modifiers(&TokenScheme),
    tags(
        (name = "catalogue", description = "Programmes and sessions / 講座と開催日程"),
        (name = "export", description = "Bulk downloads / 一括ダウンロード"),
        (name = "reference", description = "Reference data and this document / 参照データとこの文書"),
        (name = "providers", description = "A provider's own programmes, with an API token of the organisation (created by an owner on the organisation's page) / 講座提供者が自組織の講座を登録・更新する API（組織のページで管理者が発行する API トークンを使用）"),
        (name = "vc-api", description = "W3C VC-API: certificates (Open Badges 3.0, eddsa-rdfc-2022) issued with an API token of the organisation, and credentials and presentations verified for anyone / W3C VC-API：組織の API トークンによる修了証（Open Badges 3.0、eddsa-rdfc-2022）の発行と、誰でも使える資格情報・提示の検証"),
    )
)]
struct ApiDoc;

/// The bearer token the providers' endpoints take.
struct TokenScheme;

impl utoipa::Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token of the organisation: `Authorization: Bearer koshu_…`. / 組織の API トークン。"))
                    .build(),
            ),
        );
    }
}

/// The Koshu path of a component schema, as `$ref` writes it.
pub const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

fn string_enum(values: impl IntoIterator<Item = String>) -> Value {
    json!({ "type": "string", "enum": values.into_iter().collect::<Vec<_>>() })
}

/// A filter's codes, or the empty value: an HTML form sends `layer=` for "any", and the pages
/// and the API share their parameters, so empty means no filter.
fn filter_enum(values: impl IntoIterator<Item = String>) -> Value {
    string_enum(values.into_iter().chain([String::new()]))
}

/// A date, or empty (no bound), as the sessions page's form sends it.
fn optional_date() -> Value {
    json!({ "anyOf": [
        { "type": "string", "format": "date" },
        { "type": "string", "const": "" },
    ] })
}

fn repeatable(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

/// The schema of each query parameter whose values are fixed, by parameter name.
fn parameter_schemas(t: &Taxonomy) -> Vec<(&'static str, Value)> {
    let codes = |list: &[koshu_domain::taxonomy::Term]| {
        list.iter().map(|x| x.code.clone()).collect::<Vec<_>>()
    };
    vec![
        ("layer", repeatable(filter_enum(codes(t.layers())))),
        ("audience", repeatable(filter_enum(codes(t.audiences())))),
        (
            "difficulty",
            repeatable(string_enum(codes(t.difficulties()))),
        ),
        (
            "field",
            repeatable(filter_enum(t.itss_fields().iter().map(|f| f.code.clone()))),
        ),
        (
            "subject",
            repeatable(filter_enum(t.subjects().iter().map(|s| s.code.clone()))),
        ),
        (
            "item",
            repeatable(filter_enum(
                t.syllabus_items().iter().map(|i| i.code.clone()),
            )),
        ),
        ("kind", repeatable(filter_enum(codes(t.kinds())))),
        ("format", repeatable(filter_enum(codes(t.formats())))),
        (
            "prefecture",
            repeatable(filter_enum(Prefecture::all().map(Prefecture::code))),
        ),
        (
            "month",
            repeatable(json!({ "type": "string", "pattern": "^([0-9]{4}-(0[1-9]|1[0-2]))?$" })),
        ),
        (
            "fee",
            repeatable(filter_enum(
                FeeBand::ALL.iter().map(|b| b.code().to_owned()),
            )),
        ),
        ("designated", filter_enum(["true".to_owned()])),
        ("open", filter_enum(["true".to_owned()])),
        ("from", optional_date()),
        ("to", optional_date()),
        ("sort", {
            let mut s = string_enum(Sort::ALL.iter().map(|s| s.code().to_owned()));
            if let Some(o) = s.as_object_mut() {
                o.insert("default".into(), json!(Sort::default().code()));
            }
            s
        }),
    ]
}

fn operations_mut(doc: &mut Value) -> impl Iterator<Item = (&String, &mut Map<String, Value>)> {
    doc.get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.iter_mut())
        .filter_map(|(path, item)| Some((path, item.as_object_mut()?)))
        .flat_map(|(path, item)| {
            item.iter_mut()
                .filter_map(move |(_, op)| Some((path, op.as_object_mut()?)))
        })
}

/// The paths in the order the handlers are declared above (the JSON object sorts its keys).
pub fn path_order() -> Vec<String> {
    ApiDoc::openapi().paths.paths.keys().cloned().collect()
}

/// The whole document, as served at `/api/openapi.json`.
pub fn document(taxonomy: &Taxonomy) -> Result<Value, serde_json::Error> {
    let mut doc = serde_json::to_value(ApiDoc::openapi())?;
    let schemas = parameter_schemas(taxonomy);
    for (path, op) in operations_mut(&mut doc) {
        if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
            for param in params.iter_mut().filter_map(Value::as_object_mut) {
                if param.get("in").and_then(Value::as_str) != Some("query") {
                    continue;
                }
                let name = param.get("name").and_then(Value::as_str).unwrap_or("");
                if let Some((_, schema)) = schemas.iter().find(|(n, _)| *n == name) {
                    if schema.get("type").and_then(Value::as_str) == Some("array") {
                        param.insert("style".into(), json!("form"));
                        param.insert("explode".into(), json!(true));
                    }
                    param.insert("schema".into(), schema.clone());
                }
            }
        }
        // JSON Lines: each line is one `ProgrammeDetail` (3.1 has no field for this; 3.2's
        // `itemSchema` does), so the item schema goes in an extension the reference page reads.
        if path.ends_with(".jsonl")
            && let Some(media) = op
                .get_mut("responses")
                .and_then(|r| r.get_mut("200"))
                .and_then(|r| r.get_mut("content"))
                .and_then(|c| c.get_mut(super::export::JSONL_TYPE))
                .and_then(Value::as_object_mut)
        {
            media.insert(
                "x-item-schema".into(),
                json!({ "$ref": format!("{SCHEMA_REF_PREFIX}ProgrammeDetail") }),
            );
        }
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        document(&Taxonomy::embedded().unwrap()).unwrap()
    }

    #[test]
    fn is_openapi_3_1_with_every_endpoint() {
        let doc = doc();
        assert_eq!(doc["openapi"], "3.1.0");
        for path in [
            "/api/v1/programmes",
            "/api/v1/programmes/{id}",
            "/api/v1/sessions",
            "/api/v1/taxonomy",
            "/api/v1/export/programmes.csv",
            "/api/v1/export/programmes.jsonl",
            "/api/openapi.json",
        ] {
            assert!(doc["paths"][path]["get"].is_object(), "{path}");
        }
        for schema in [
            "ProgrammeSearchResults",
            "ProgrammeDetail",
            "SessionList",
            "TaxonomyDoc",
            "Error",
        ] {
            assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
        }
    }

    #[test]
    fn fixed_parameters_list_the_codes_the_server_accepts() {
        let doc = doc();
        let params = doc["paths"]["/api/v1/programmes"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let param = |name: &str| {
            params
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("{name}"))
        };
        let fields = param("field")["schema"]["items"]["enum"]
            .as_array()
            .unwrap();
        assert_eq!(fields.len(), 17 + 1, "the codes, and empty for no filter");
        assert_eq!(fields.last(), Some(&json!("")));
        assert!(fields.contains(&json!("sec_monitoring")));
        assert_eq!(param("field")["explode"], true);
        assert_eq!(
            param("difficulty")["schema"]["items"]["enum"],
            json!([
                "intro",
                "beginner",
                "intermediate",
                "semi_advanced",
                "advanced"
            ])
        );
        let prefectures = param("prefecture")["schema"]["items"]["enum"]
            .as_array()
            .unwrap();
        assert_eq!(prefectures.len(), 47 + 1);
        assert_eq!(prefectures[0], "01");
        assert_eq!(
            param("sort")["schema"]["enum"],
            json!(["relevance", "next", "fee", "title"])
        );
        assert!(param("q")["x-description-ja"].is_string());
    }
}

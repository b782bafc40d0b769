//! The API reference page (`/api`, `/en/api`): the served OpenAPI document, rendered as HTML
//! that works without JavaScript (the CSP allows no inline script, so no Swagger UI). It reads
//! the same JSON that `/api/openapi.json` serves, so the page cannot drift from the document.

use super::doc::{self, SCHEMA_REF_PREFIX};
use crate::AppState;
use crate::error::AppError;
use crate::lang::Lang;
use crate::view::PageCtx;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use serde_json::Value;

struct ParamView {
    name: String,
    location: String,
    required: bool,
    kind: String,
    constraints: String,
    values: Vec<String>,
    description: String,
}

struct ResponseView {
    status: String,
    description: String,
    media: String,
    /// A component schema's name, linked to its section.
    schema: Option<String>,
    /// The schema describes each line (JSON Lines), not the whole body.
    per_line: bool,
}

struct EndpointView {
    anchor: String,
    method: String,
    path: String,
    summary: String,
    description: String,
    params: Vec<ParamView>,
    responses: Vec<ResponseView>,
    example: Option<String>,
}

struct FieldView {
    name: String,
    kind: String,
    required: bool,
    description: String,
}

struct SchemaView {
    name: String,
    description: String,
    fields: Vec<FieldView>,
    /// For a tagged union: each variant's tag and fields.
    variants: Vec<FieldView>,
    values: Vec<String>,
}

#[derive(Template)]
#[template(path = "api.html")]
struct ApiPage {
    page: PageCtx,
    title: String,
    version: String,
    openapi: String,
    endpoints: Vec<EndpointView>,
    schemas: Vec<SchemaView>,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_owned()
}

/// The text in the page's language: the `x-…-ja` extension on Japanese pages, when present.
fn localized(v: &Value, key: &str, lang: Lang) -> String {
    match (lang, v.get(format!("x-{key}-ja")).and_then(Value::as_str)) {
        (Lang::Ja, Some(ja)) => ja.to_owned(),
        _ => text(v, key),
    }
}

fn ref_name(v: &Value) -> Option<String> {
    v.get("$ref")
        .and_then(Value::as_str)
        .map(|r| r.strip_prefix(SCHEMA_REF_PREFIX).unwrap_or(r).to_owned())
}

/// A schema as a short, language-neutral type: `string (date) | null`, `Session[]`,
/// `map<string, integer>`.
fn type_text(s: &Value) -> String {
    if let Some(name) = ref_name(s) {
        return name;
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(list) = s.get(key).and_then(Value::as_array) {
            return list.iter().map(type_text).collect::<Vec<_>>().join(" | ");
        }
    }
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.is_empty() {
        return "any".to_owned();
    }
    types
        .into_iter()
        .map(|t| match t {
            "array" => format!("{}[]", s.get("items").map_or("any".to_owned(), type_text)),
            "object" => match s.get("additionalProperties") {
                Some(inner) if inner.is_object() => format!("map<string, {}>", type_text(inner)),
                _ => "object".to_owned(),
            },
            "null" => "null".to_owned(),
            other => match s.get("format").and_then(Value::as_str) {
                Some(format) => format!("{other} ({format})"),
                None => other.to_owned(),
            },
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The codes a parameter takes; the empty value (no filter) is not a code to list.
fn enum_values(s: &Value) -> Vec<String> {
    s.get("enum")
        .or_else(|| s.get("items").and_then(|i| i.get("enum")))
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .filter(|v| !v.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn constraints(s: &Value, lang: Lang) -> String {
    let mut out = Vec::new();
    let num = |k: &str| s.get(k).and_then(Value::as_f64);
    match (num("minimum"), num("maximum")) {
        (Some(lo), Some(hi)) => out.push(format!("{lo}–{hi}")),
        (Some(lo), None) => out.push(format!("≥ {lo}")),
        (None, Some(hi)) => out.push(format!("≤ {hi}")),
        (None, None) => {}
    }
    if let Some(n) = num("maxLength") {
        out.push(if lang.is_en() {
            format!("at most {n} characters")
        } else {
            format!("{n}文字以内")
        });
    }
    let pattern = s
        .get("pattern")
        .or_else(|| s.get("items").and_then(|i| i.get("pattern")));
    if let Some(p) = pattern.and_then(Value::as_str) {
        out.push(format!("/{p}/"));
    }
    out.join(", ")
}

fn params(op: &Value, lang: Lang) -> Vec<ParamView> {
    op.get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let schema = p.get("schema").cloned().unwrap_or(Value::Null);
            let repeat = p.get("explode").and_then(Value::as_bool) == Some(true)
                && schema.get("type").and_then(Value::as_str) == Some("array");
            ParamView {
                name: text(p, "name"),
                location: text(p, "in"),
                required: p.get("required").and_then(Value::as_bool) == Some(true),
                kind: if repeat {
                    let item = schema.get("items").map_or("string".to_owned(), type_text);
                    format!("{item} ({})", lang.pick("繰り返し可", "repeatable"))
                } else {
                    type_text(&schema)
                },
                constraints: constraints(&schema, lang),
                values: enum_values(&schema),
                description: localized(p, "description", lang),
            }
        })
        .collect()
}

/// Status descriptions for Japanese pages (the document's are in English).
fn status_ja(status: &str) -> Option<&'static str> {
    match status {
        "200" => Some("成功。"),
        "400" => Some(
            "パラメーターに使えない値があるか、組み合わせが正しくありません（to が from より前など）。field がそのパラメーターを示します。",
        ),
        "404" => Some("指定したIDの講座はありません。"),
        "500" => Some("内部エラー。request_id をお知らせください。"),
        _ => None,
    }
}

fn responses(op: &Value, lang: Lang) -> Vec<ResponseView> {
    op.get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(status, r)| {
            let content = r.get("content").and_then(Value::as_object);
            let (media, body) = content
                .and_then(|c| c.iter().next())
                .map_or((String::new(), &Value::Null), |(m, b)| (m.clone(), b));
            let item = body.get("x-item-schema").and_then(ref_name);
            let schema = item
                .clone()
                .or_else(|| body.get("schema").and_then(ref_name));
            let description = match (lang, status_ja(status)) {
                (Lang::Ja, Some(ja)) => ja.to_owned(),
                _ => text(r, "description"),
            };
            ResponseView {
                status: status.clone(),
                description,
                media,
                schema,
                per_line: item.is_some(),
            }
        })
        .collect()
}

fn endpoints(doc: &Value, lang: Lang, sample_id: Option<&str>) -> Vec<EndpointView> {
    let mut out = Vec::new();
    let mut paths: Vec<(&String, &Value)> = doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .collect();
    let order = doc::path_order();
    paths.sort_by_key(|(path, _)| order.iter().position(|p| p == *path));
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if !op.is_object() {
                continue;
            }
            let example = match (method.as_str(), sample_id) {
                ("get", _) if !path.contains('{') => Some(path.clone()),
                ("get", Some(id)) => Some(path.replace("{id}", id)),
                _ => None,
            };
            out.push(EndpointView {
                anchor: format!("op-{}", text(op, "operationId")),
                method: method.to_uppercase(),
                path: path.clone(),
                summary: localized(op, "summary", lang),
                description: localized(op, "description", lang),
                params: params(op, lang),
                responses: responses(op, lang),
                example,
            });
        }
    }
    out
}

fn fields(schema: &Value, skip: Option<&str>) -> Vec<FieldView> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(name, _)| Some(name.as_str()) != skip)
        .map(|(name, s)| FieldView {
            name: name.clone(),
            kind: type_text(s),
            required: required.contains(&name.as_str()),
            description: text(s, "description"),
        })
        .collect()
}

fn schemas(doc: &Value) -> Vec<SchemaView> {
    let all = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_object);
    all.into_iter()
        .flatten()
        .map(|(name, s)| {
            // A tagged union (`Fee`): one row per variant, named by its tag.
            let variants = s
                .get("oneOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|v| {
                    let tag = v
                        .get("properties")
                        .and_then(|p| p.get("type"))
                        .map(enum_values)
                        .and_then(|vs| vs.into_iter().next());
                    let rest = fields(v, Some("type"))
                        .into_iter()
                        .map(|f| format!("{}: {}", f.name, f.kind))
                        .collect::<Vec<_>>()
                        .join(", ");
                    FieldView {
                        name: tag.map_or_else(|| type_text(v), |t| format!("type = {t}")),
                        kind: rest,
                        required: true,
                        description: text(v, "description"),
                    }
                })
                .collect();
            SchemaView {
                name: name.clone(),
                description: text(s, "description"),
                fields: fields(s, None),
                variants,
                values: enum_values(s),
            }
        })
        .collect()
}

pub async fn api_reference(
    State(state): State<AppState>,
    lang: Lang,
    page: PageCtx,
) -> Result<Html<String>, AppError> {
    let doc = doc::document(&state.taxonomy).map_err(AppError::internal)?;
    let sample_id = state
        .catalogue
        .index()
        .all()
        .iter()
        .map(|l| l.programme.id.to_string())
        .min();
    let info = doc.get("info").cloned().unwrap_or(Value::Null);
    let page = ApiPage {
        page,
        title: text(&info, "title"),
        version: text(&info, "version"),
        openapi: text(&doc, "openapi"),
        endpoints: endpoints(&doc, lang, sample_id.as_deref()),
        schemas: schemas(&doc),
    };
    Ok(Html(page.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_read_briefly() {
        assert_eq!(
            type_text(&json!({"type": ["string", "null"], "format": "date"})),
            "string (date) | null"
        );
        assert_eq!(
            type_text(&json!({"type": "array", "items": {"$ref": "#/components/schemas/Session"}})),
            "Session[]"
        );
        assert_eq!(
            type_text(&json!({"type": "object", "additionalProperties": {"type": "integer"}})),
            "map<string, integer>"
        );
        assert_eq!(
            type_text(
                &json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Designation"}]})
            ),
            "null | Designation"
        );
    }
}

//! Bulk exports of the whole catalogue (A06), read from the database (the source of truth):
//! CSV for spreadsheets (UTF-8 with a byte order mark so that Excel reads the Japanese, a
//! Japanese header, labels rather than codes) and JSON Lines with one `ProgrammeDetail` per line.

use super::dto::{self, iso_date, programme_path};
use crate::AppState;
use crate::error::AppError;
use crate::lang::Lang;
use crate::view::{self, Labels};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use koshu_domain::catalogue::Provider;
use koshu_domain::catalogue::quality::DeliveredRecord;
use koshu_store::catalogue::CatalogueRecord;
use std::collections::HashMap;

use koshu_forms::csv::BOM;
pub use koshu_forms::csv::csv_record;

pub const CSV_TYPE: &str = "text/csv; charset=utf-8";
pub const JSONL_TYPE: &str = "application/x-ndjson";

/// The CSV header, in column order.
pub const CSV_HEADER: [&str; 12] = [
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
    "URL",
];

async fn records(state: &AppState) -> Result<Vec<CatalogueRecord>, AppError> {
    let mut records = state.store.catalogue_records().await?;
    records.sort_by(|a, b| a.item.programme.id.cmp(&b.item.programme.id));
    Ok(records)
}

fn attachment(content_type: &'static str, name: String, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// All programmes as CSV
///
/// One row per programme, for spreadsheets: UTF-8 with a byte order mark, a Japanese header
/// (ID, 講座名, 実施者, 種別, 形式, 難易度, 費用, 対象者, ITSS+分野, 開催回数, 次回開催日, URL),
/// Japanese labels rather than codes, RFC 4180 quoting.
#[utoipa::path(
    get,
    path = "/api/v1/export/programmes.csv",
    tag = "export",
    extensions(
        ("x-summary-ja" = json!("全講座の CSV")),
        ("x-description-ja" = json!("表計算ソフト向けに、1講座1行で出力します。UTF-8（BOM付き）、日本語の見出し行（ID, 講座名, 実施者, 種別, 形式, 難易度, 費用, 対象者, ITSS+分野, 開催回数, 次回開催日, URL）、コードではなく日本語の名称、RFC 4180 の引用符規則。"))
    ),
    responses(
        (status = 200, description = "The CSV file, as an attachment.", content_type = "text/csv", body = String),
        (status = 500, description = "Internal error; quote `request_id`.", body = dto::Error),
    )
)]
pub async fn export_programmes_csv(State(state): State<AppState>) -> Result<Response, AppError> {
    let today = view::today(&state);
    let labels = Labels {
        taxonomy: &state.taxonomy,
        lang: Lang::Ja,
    };
    let mut out = String::from(BOM);
    out.push_str(&csv_record(&CSV_HEADER));
    for CatalogueRecord {
        item,
        provider_name_ja: provider_ja,
        ..
    } in records(&state).await?
    {
        let p = &item.programme;
        out.push_str(&csv_record(&[
            p.id.to_string(),
            p.title_ja.clone(),
            provider_ja,
            labels.kind(&p.kind),
            labels.format(&p.format),
            labels.difficulty(&p.difficulty),
            view::fee(Lang::Ja, &p.fee),
            labels.join(&p.audiences, Labels::audience),
            labels.join(&p.itss_fields, Labels::itss_field),
            item.sessions.len().to_string(),
            dto::next_session(&item.sessions, today)
                .map(iso_date)
                .unwrap_or_default(),
            programme_path(p.id.as_str()),
        ]));
    }
    Ok(attachment(
        CSV_TYPE,
        format!("koshu-programmes-{}.csv", iso_date(today)),
        out,
    ))
}

/// All programmes as JSON Lines
///
/// One `ProgrammeDetail` per line (the same object as `GET /api/v1/programmes/{id}`), ordered
/// by id.
#[utoipa::path(
    get,
    path = "/api/v1/export/programmes.jsonl",
    tag = "export",
    extensions(
        ("x-summary-ja" = json!("全講座の JSON Lines")),
        ("x-description-ja" = json!("1行に1講座の ProgrammeDetail（GET /api/v1/programmes/{id} と同じ形）を、ID順に出力します。"))
    ),
    responses(
        (status = 200, description = "One JSON object per line, as an attachment.", content_type = "application/x-ndjson", body = String),
        (status = 500, description = "Internal error; quote `request_id`.", body = dto::Error),
    )
)]
pub async fn export_programmes_jsonl(State(state): State<AppState>) -> Result<Response, AppError> {
    let today = view::today(&state);
    let mut providers: HashMap<String, Provider> = HashMap::new();
    let mut delivered: HashMap<String, Vec<DeliveredRecord>> = HashMap::new();
    for (programme, record) in state.store.all_delivered_records().await? {
        delivered.entry(programme).or_default().push(record);
    }
    let mut out = String::new();
    for CatalogueRecord { item, .. } in records(&state).await? {
        let id = item.programme.provider.as_str();
        if !providers.contains_key(id) {
            let provider = state.store.provider(id).await?.ok_or_else(|| {
                AppError::internal(std::io::Error::other(format!(
                    "provider {id} of programme {} is missing",
                    item.programme.id
                )))
            })?;
            providers.insert(id.to_owned(), provider);
        }
        let Some(provider) = providers.get(id) else {
            continue;
        };
        let line = dto::ProgrammeDetail::new(
            &item.programme,
            provider,
            &item.sessions,
            delivered
                .get(item.programme.id.as_str())
                .map_or(&[], Vec::as_slice),
            &state.taxonomy,
            today,
        );
        out.push_str(&serde_json::to_string(&line).map_err(AppError::internal)?);
        out.push('\n');
    }
    Ok(attachment(
        JSONL_TYPE,
        format!("koshu-programmes-{}.jsonl", iso_date(today)),
        out,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_has_a_column_per_field() {
        assert_eq!(csv_record(&CSV_HEADER).matches(',').count(), 11);
    }
}

//! The documents of an application (4-2; B34): upload with what each is for, download, take
//! off the draft. Files are immutable once stored, so a submitted version keeps the exact
//! bytes it listed even after the draft lets a file go.

use super::{Need, load, rendered};
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::pages::forms::FormField;
use crate::view::PageCtx;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_domain::access::policy::{Decision, decide};
use koshu_domain::designation::DocumentKind;

struct DocumentRow {
    name: String,
    kind: String,
    size: String,
    sha256: String,
    href: String,
    remove: String,
}

#[derive(Template)]
#[template(path = "application_documents.html")]
struct DocumentsPage {
    page: PageCtx,
    id: String,
    title: String,
    rows: Vec<DocumentRow>,
    /// Required kinds not attached yet.
    missing: Vec<String>,
    can_edit: bool,
    fields: Vec<FormField>,
    general_errors: Vec<String>,
    notice: Option<String>,
}

impl DocumentsPage {
    fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

fn size(bytes: i64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} B"),
    }
}

async fn documents_page(
    state: &AppState,
    auth: &AuthContext,
    page: PageCtx,
    id: &str,
    kind: &str,
    errors: &[ValidationError],
) -> Result<DocumentsPage, AppError> {
    let (record, _) = load(state, auth, id, Need::View).await?;
    let me = auth.require(Action::ViewApplications(&record.organisation_id))?;
    let can_edit = decide(
        Some(&me.principal),
        Action::EditApplications(&record.organisation_id),
    ) == Decision::Allow;
    let attached = state.store.application_documents(id).await?;
    let label = |code: &str| {
        DocumentKind::from_code(code).map_or_else(
            || code.to_owned(),
            |k| page.t(k.label_ja(), k.label_en()).to_owned(),
        )
    };
    let rows = attached
        .iter()
        .map(|d| DocumentRow {
            name: d.file_name.clone(),
            kind: label(&d.kind),
            size: size(d.size_bytes),
            sha256: d.sha256.chars().take(16).collect(),
            href: page.href(&format!("/applications/{id}/documents/{}", d.file_id)),
            remove: page.href(&format!(
                "/applications/{id}/documents/{}/remove",
                d.file_id
            )),
        })
        .collect();
    let missing = DocumentKind::ALL
        .into_iter()
        .filter(|k| k.required_for(&record.draft) && !attached.iter().any(|d| d.kind == k.code()))
        .map(|k| page.t(k.label_ja(), k.label_en()).to_owned())
        .collect();
    let options = DocumentKind::ALL
        .into_iter()
        .map(|k| {
            (
                k.code().to_owned(),
                page.t(k.label_ja(), k.label_en()).to_owned(),
            )
        })
        .collect();
    let mut fields = vec![
        FormField::new("kind", page.t("書類の種類", "What it is"), "select")
            .value(kind)
            .options(options),
        FormField::new("file", page.t("ファイル", "File"), "file").hint(page.t(
            "PDF、Word、Excel、PowerPoint、画像など。1ファイル20MBまで。",
            "PDF, Word, Excel, PowerPoint, images, ... Up to 20 MB per file.",
        )),
    ];
    let general = crate::pages::forms::attach_errors(&mut fields, &page, errors);
    Ok(DocumentsPage {
        id: id.to_owned(),
        title: record.title,
        rows,
        missing,
        can_edit,
        fields,
        general_errors: general,
        notice: None,
        page,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

pub async fn list(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let notice = match q.done.as_str() {
        "uploaded" => Some(page.t("書類を添付しました。", "The document is attached.")),
        "removed" => Some(page.t(
            "書類を外しました（提出済みの版には残ります）。",
            "The document is taken off (submitted versions keep it).",
        )),
        _ => None,
    }
    .map(str::to_owned);
    let mut view = documents_page(&state, &auth, page, &id, "", &[]).await?;
    view.notice = notice;
    rendered(StatusCode::OK, view)
}

fn upload_error(field: &str, code: &'static str, ja: &str, en: &str) -> ValidationError {
    ValidationError::new(code, ja, en).for_field(field)
}

pub async fn upload(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let (record, _) = load(&state, &auth, &id, Need::Edit).await?;
    let me = auth.require(Action::EditApplications(&record.organisation_id))?;
    let unreadable = || {
        AppError::from(upload_error(
            "file",
            "upload.format",
            "送信された内容を読み取れませんでした。もう一度お試しください。",
            "The upload could not be read. Please try again.",
        ))
    };
    // Permission first: what was sent is looked at only for someone who may send it.
    let mut form = form.map_err(|_| unreadable())?;
    let mut kind = String::new();
    let mut file: Option<(String, axum::body::Bytes)> = None;
    while let Some(field) = form.next_field().await.map_err(|_| unreadable())? {
        match field.name() {
            Some("kind") => kind = field.text().await.map_err(|_| unreadable())?,
            Some("file") => {
                // The browser's content type is not trusted: the content says what it is.
                let name = field.file_name().unwrap_or("").trim().to_owned();
                let bytes = field.bytes().await.map_err(|_| unreadable())?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    let mut errors = Vec::new();
    let chosen = DocumentKind::from_code(&kind);
    if chosen.is_none() {
        errors.push(upload_error(
            "kind",
            "upload.kind",
            "書類の種類を選んでください。",
            "Choose what the document is.",
        ));
    }
    let file = file.filter(|(name, bytes)| !name.is_empty() && !bytes.is_empty());
    if file.is_none() {
        errors.push(upload_error(
            "file",
            "upload.file",
            "添付するファイルを選んでください（空のファイルは添付できません）。",
            "Choose a file to attach (an empty file cannot be attached).",
        ));
    }
    let (Some(kind), Some((name, bytes))) = (chosen, file) else {
        let view = documents_page(&state, &auth, page, &id, &kind, &errors).await?;
        return rendered(StatusCode::BAD_REQUEST, view);
    };
    let attached = koshu_workflow::applications::attach_document(
        &state.workflow,
        &id,
        kind,
        (&name, bytes),
        &koshu_workflow::account_actor(&me.account.id),
    )
    .await;
    if let Err(koshu_workflow::WorkflowError::Invalid(error)) = attached {
        let view = documents_page(&state, &auth, page, &id, kind.code(), &[error]).await?;
        return rendered(StatusCode::BAD_REQUEST, view);
    }
    attached?;
    Ok(Redirect::to(&format!(
        "{}?done=uploaded",
        page.href(&format!("/applications/{id}/documents"))
    ))
    .into_response())
}

/// `attachment; filename*=UTF-8''…`: Japanese file names survive the download.
pub(super) fn content_disposition(name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename*=UTF-8''{encoded}")
}

pub async fn download(
    State(state): State<AppState>,
    auth: AuthContext,
    Path((id, file_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    load(&state, &auth, &id, Need::View).await?;
    if !state.store.was_attached(&id, &file_id).await? {
        return Err(AppError::NotFound);
    }
    let (file, bytes) = state.store.open_file(&file_id).await?;
    Ok(attachment(&file.file_name, bytes))
}

/// A document of a submitted version (B34, B35): for the provider's staff and the ministry's
/// reviewers, and for an assigned external expert who declared no conflict.
pub async fn version_document(
    State(state): State<AppState>,
    auth: AuthContext,
    Path((id, number, file_id)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    load(&state, &auth, &id, Need::ViewVersion).await?;
    let number = number.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let version = state
        .store
        .application_version(&id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let listed = version
        .documents
        .iter()
        .find(|d| d.file_id == file_id)
        .ok_or(AppError::NotFound)?;
    let (_, bytes) = state.store.open_file(&listed.file_id).await?;
    Ok(attachment(&listed.file_name, bytes))
}

/// A file handed out for download, never cached.
fn attachment(name: &str, bytes: axum::body::Bytes) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_DISPOSITION, content_disposition(name)),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

pub async fn remove(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((id, file_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (record, _) = load(&state, &auth, &id, Need::Edit).await?;
    let me = auth.require(Action::EditApplications(&record.organisation_id))?;
    koshu_workflow::applications::detach_document(
        &state.workflow,
        &id,
        &file_id,
        &koshu_workflow::account_actor(&me.account.id),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "{}?done=removed",
        page.href(&format!("/applications/{id}/documents"))
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_file_names_are_percent_encoded_for_the_download() {
        assert_eq!(
            content_disposition("財務諸表 2025.pdf"),
            "attachment; filename*=UTF-8''%E8%B2%A1%E5%8B%99%E8%AB%B8%E8%A1%A8%202025.pdf"
        );
        assert_eq!(size(2048), "2 KB");
        assert_eq!(size(3 * 1024 * 1024), "3.0 MB");
    }
}

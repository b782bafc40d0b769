//! The application as the ministry's forms (様式第1号, 様式第2号 and the two checklists): an
//! Excel workbook or a PDF of the draft or of a submitted version, and a filled workbook read
//! back into the draft, every problem named by sheet and cell.

use super::{Need, as_checked, kinds, load, rendered};
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
use koshu_domain::designation::Application;
use koshu_domain::designation::application::{DisqualificationDeclaration, DisqualificationItem};
use koshu_domain::designation::lifecycle::Outcome;
use koshu_forms::import::ImportError;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct VersionQuery {
    /// A submitted version; the draft when absent.
    version: String,
}

/// The application to print, and the document kinds attached to it then.
async fn printed(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
    version: &str,
) -> Result<
    (
        Application,
        Vec<koshu_domain::designation::DocumentKind>,
        String,
    ),
    AppError,
> {
    let need = if version.is_empty() {
        Need::View
    } else {
        Need::ViewVersion
    };
    let (record, org) = load(state, auth, id, need).await?;
    if version.is_empty() {
        let documents = state.store.application_documents(id).await?;
        return Ok((as_checked(&record, &org), kinds(&documents), "draft".into()));
    }
    let number = version.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let v = state
        .store
        .application_version(id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((v.application, kinds(&v.documents), format!("v{number}")))
}

/// `attachment; filename*=UTF-8''…` with the course name, as people save it.
fn attachment(course: &str, suffix: &str, extension: &str) -> String {
    let base: String = course
        .chars()
        .filter(|c| !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .take(60)
        .collect();
    let name = format!("{}_特定講習応募様式_{suffix}.{extension}", base.trim());
    super::documents::content_disposition(&name)
}

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub(crate) const PDF: &str = "application/pdf";

/// A file to save, never cached: it holds an application's contents.
fn download(media: &'static str, disposition: String, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, media.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, koshu_forms::FormsError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

pub async fn workbook(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, AppError> {
    let (app, documents, suffix) = printed(&state, &auth, &id, &q.version).await?;
    let disposition = attachment(&app.course.name, &suffix, "xlsx");
    let checks = koshu_workflow::designation::check(&state.workflow, &app, &documents).await?;
    let bytes =
        blocking(move || koshu_forms::export::workbook(&app, &checks, &state.taxonomy)).await?;
    Ok(download(XLSX, disposition, bytes))
}

/// 記入例: the workbook filled with a worked example (a fictitious hybrid course that meets
/// every rule) under this draft's title and for this organisation, so a provider sees what
/// each cell expects; importing it starts a complete draft to adapt.
pub async fn example_workbook(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (record, org) = load(&state, &auth, &id, Need::Edit).await?;
    let mut app =
        koshu_domain::designation::fixtures::complete_application(crate::view::today(&state));
    app.course.name.clone_from(&record.title);
    let organisation = &org.organisation;
    app.provider.declarations = std::iter::once(&organisation.corporate_number)
        .chain(
            organisation
                .consortium_members
                .iter()
                .map(|m| &m.corporate_number),
        )
        .map(|number| DisqualificationDeclaration {
            corporate_number: number.as_str().to_owned(),
            not_applicable: DisqualificationItem::ALL.to_vec(),
        })
        .collect();
    app.provider.organisation = Some(organisation.clone());
    let disposition = attachment(&record.title, "記入例", "xlsx");
    let checks = koshu_workflow::designation::check(&state.workflow, &app, &[]).await?;
    let bytes =
        blocking(move || koshu_forms::export::workbook(&app, &checks, &state.taxonomy)).await?;
    Ok(download(XLSX, disposition, bytes))
}

pub async fn pdf(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, AppError> {
    let (app, documents, suffix) = printed(&state, &auth, &id, &q.version).await?;
    let disposition = attachment(&app.course.name, &suffix, "pdf");
    let checks = koshu_workflow::designation::check(&state.workflow, &app, &documents).await?;
    let bytes =
        blocking(move || koshu_forms::pdf::application(&app, &checks, &state.taxonomy)).await?;
    Ok(download(PDF, disposition, bytes))
}

// Reading a filled workbook back.

struct ImportRow {
    sheet: String,
    cell: String,
    field: String,
    message: String,
}

#[derive(Template)]
#[template(path = "application_import.html")]
struct ImportPage {
    page: PageCtx,
    id: String,
    title: String,
    fields: Vec<FormField>,
    general_errors: Vec<String>,
    problems: Vec<ImportRow>,
}

impl ImportPage {
    fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

async fn import_page(
    state: &AppState,
    auth: &AuthContext,
    page: PageCtx,
    id: &str,
    errors: &[ValidationError],
    problems: &[ImportError],
) -> Result<ImportPage, AppError> {
    let (record, _) = load(state, auth, id, Need::Edit).await?;
    let mut fields = vec![
        FormField::new("workbook", page.t("記入した様式（Excel）", "The filled workbook (Excel)"), "file").hint(
            page.t(
                "この画面の「様式（Excel）」でダウンロードしたファイルに記入したもの（.xlsx、10MBまで）。取り込むと、下書きの内容が置き換わります。",
                "A file downloaded here as \"Forms (Excel)\" and filled in (.xlsx, up to 10 MB). Importing replaces the draft's contents.",
            ),
        ),
    ];
    let general = crate::pages::forms::attach_errors(&mut fields, &page, errors);
    Ok(ImportPage {
        id: id.to_owned(),
        title: record.title,
        fields,
        general_errors: general,
        problems: problems
            .iter()
            .map(|p| ImportRow {
                sheet: p.sheet.clone(),
                cell: p.cell.clone(),
                field: super::field_name(&page, &p.field),
                message: page.t(&p.message_ja, &p.message_en).to_owned(),
            })
            .collect(),
        page,
    })
}

pub async fn import_form(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let view = import_page(&state, &auth, page, &id, &[], &[]).await?;
    rendered(StatusCode::OK, view)
}

pub async fn import(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let (record, _) = load(&state, &auth, &id, Need::Edit).await?;
    let me = auth.require(Action::EditApplications(&record.organisation_id))?;
    let unreadable = || {
        ValidationError::new(
            "upload.file",
            "取り込む様式（.xlsx）を選んでください。",
            "Choose the workbook (.xlsx) to import.",
        )
        .for_field("workbook")
    };
    let Some((_, bytes)) = crate::pages::forms::uploaded_file(form, "workbook").await else {
        let view = import_page(&state, &auth, page, &id, &[unreadable()], &[]).await?;
        return rendered(StatusCode::BAD_REQUEST, view);
    };
    let read = tokio::task::spawn_blocking(move || koshu_forms::import::workbook(&bytes))
        .await
        .map_err(AppError::internal)?;
    let mut imported = match read {
        Ok(app) => app,
        Err(problems) => {
            let summary = ValidationError::new(
                "import.problems",
                format!(
                    "様式に{}件の問題があるため、取り込みませんでした。下の一覧のシートとセルを直して、もう一度取り込んでください。",
                    problems.len()
                ),
                format!(
                    "The workbook has {} problems, so nothing was imported. Fix the cells listed below and import it again.",
                    problems.len()
                ),
            );
            let view = import_page(&state, &auth, page, &id, &[summary], &problems).await?;
            return rendered(StatusCode::BAD_REQUEST, view);
        }
    };
    // The organisation's registered record is the truth for its details, not a workbook.
    imported.provider.organisation = None;
    koshu_workflow::applications::save_draft(
        &state.workflow,
        &id,
        &imported,
        &koshu_workflow::account_actor(&me.account.id),
    )
    .await?;
    // The draft takes the workbook's course name as its title: say so (issue 13 item 17).
    let done = if imported.course.name == record.title {
        "imported"
    } else {
        "imported_renamed"
    };
    Ok(Redirect::to(&format!(
        "{}?done={done}",
        page.href(&format!("/applications/{id}"))
    ))
    .into_response())
}

/// The ministry's letter on its latest decision (B35), for the provider and the ministry.
pub async fn decision_letter(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (record, org) = load(&state, &auth, &id, Need::ViewSubmitted).await?;
    let decision = state
        .store
        .decisions(&id)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let designation = match decision.outcome {
        Outcome::Designate => state.store.designation_of(&id).await?.map(|d| {
            (
                d.number,
                crate::view::date_span(crate::lang::Lang::Ja, d.starts_on, d.ends_on),
            )
        }),
        _ => None,
    };
    let date = crate::view::date(
        crate::lang::Lang::Ja,
        decision.decided_at.to_offset(crate::view::JST).date(),
    );
    let ja = PageCtx {
        lang: crate::lang::Lang::Ja,
        ..page
    };
    let outcome = crate::pages::reviews::outcome_label(&ja, decision.outcome);
    let course = record.title.clone();
    let addressee = org.organisation.name_ja.clone();
    let reasons = decision.reasons.clone();
    let version = decision.version;
    let bytes = blocking(move || {
        koshu_forms::pdf::decision_letter(&koshu_forms::pdf::DecisionLetter {
            date: &date,
            addressee: &addressee,
            course: &course,
            version,
            outcome: &outcome,
            reasons: &reasons,
            designation: designation.as_ref().map(|(n, p)| (n.as_str(), p.as_str())),
        })
    })
    .await?;
    let disposition = super::documents::content_disposition(&format!(
        "審査結果通知_{}.pdf",
        record.title.chars().take(60).collect::<String>()
    ));
    Ok(download(PDF, disposition, bytes))
}

/// 様式第3号 (変更届) or 第4号 (廃止届) of one filed notice, as PDF or workbook: for the
/// provider's staff and the ministry (issue 13 item 6).
pub async fn notice_pdf(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((id, notice)): Path<(String, String)>,
) -> Result<Response, AppError> {
    notice_form(&state, &auth, page, &id, &notice, Printed::Pdf).await
}

pub async fn notice_workbook(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((id, notice)): Path<(String, String)>,
) -> Result<Response, AppError> {
    notice_form(&state, &auth, page, &id, &notice, Printed::Workbook).await
}

#[derive(Debug, Clone, Copy)]
enum Printed {
    Pdf,
    Workbook,
}

async fn notice_form(
    state: &AppState,
    auth: &AuthContext,
    page: PageCtx,
    id: &str,
    notice_id: &str,
    printed: Printed,
) -> Result<Response, AppError> {
    use koshu_forms::notice::{Notice, NoticeKind};
    let (record, org) = load(state, auth, id, Need::ViewSubmitted).await?;
    let notice = state
        .store
        .notice(notice_id)
        .await?
        .filter(|n| n.application_id == id)
        .ok_or(AppError::NotFound)?;
    // The forms are the ministry's, in Japanese whatever the page's language.
    let ja = PageCtx {
        lang: crate::lang::Lang::Ja,
        ..page
    };
    let kind = if notice.kind == "abolition" {
        NoticeKind::Abolition
    } else {
        NoticeKind::Change
    };
    let changes = match kind {
        NoticeKind::Change => {
            let before = course_before(state, id, &notice).await?;
            let after: Application =
                serde_json::from_str(&notice.document).map_err(AppError::internal)?;
            super::diff::fields(&before, &after)
                .into_iter()
                .map(|c| (super::field_name(&ja, &c.path), c.before, c.after))
                .collect()
        }
        NoticeKind::Abolition => Vec::new(),
    };
    let items = crate::pages::notices::item_labels(&ja, &notice.items);
    let date = |d| crate::view::date(crate::lang::Lang::Ja, d);
    let filed_on = date(notice.filed_at.to_offset(crate::view::JST).date());
    let effective_on = date(notice.effective_on);
    let o = org.organisation;
    let (course, number, reason, measures) =
        (record.title, notice.number, notice.reason, notice.measures);
    let name = format!(
        "{}_{}",
        kind.form(),
        course.chars().take(60).collect::<String>()
    );
    let make = move |p: Printed| {
        let n = Notice {
            kind,
            filed_on: &filed_on,
            provider: &o.name_ja,
            address: &o.address,
            representative: &o.representative,
            number: &number,
            course: &course,
            effective_on: &effective_on,
            items: &items,
            changes: &changes,
            reason: &reason,
            measures: &measures,
        };
        match p {
            Printed::Pdf => koshu_forms::pdf::notice(&n),
            Printed::Workbook => koshu_forms::export::notice(&n),
        }
    };
    let bytes = blocking(move || make(printed)).await?;
    let (media, extension) = match printed {
        Printed::Pdf => (PDF, "pdf"),
        Printed::Workbook => (XLSX, "xlsx"),
    };
    let disposition = super::documents::content_disposition(&format!("{name}.{extension}"));
    Ok(download(media, disposition, bytes))
}

/// The course as it stood when `notice` was filed: the last change applied before it, else
/// the designated version.
async fn course_before(
    state: &AppState,
    id: &str,
    notice: &koshu_store::notices::Notice,
) -> Result<Application, AppError> {
    let earlier = state
        .store
        .notices_of(id)
        .await?
        .into_iter()
        .filter(|n| n.kind == "change" && n.filed_at < notice.filed_at)
        .rfind(|n| n.applied_at.is_some_and(|at| at <= notice.filed_at));
    if let Some(n) = earlier {
        return serde_json::from_str(&n.document).map_err(AppError::internal);
    }
    let d = state
        .store
        .designation_of(id)
        .await?
        .ok_or(AppError::NotFound)?;
    state
        .store
        .application_version(id, d.version)
        .await?
        .map(|v| v.application)
        .ok_or(AppError::NotFound)
}

//! The provider's 特定講習 applications (issue 5; B01–B34): drafts written section by section,
//! the self-check of every rule with links to the fields that fix it, submission as an
//! immutable version, and the comparison of versions.

mod diff;
pub mod documents;
pub mod editor;
pub mod forms;
pub mod schema;

use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::pages::forms::{FormField, parse};
pub(crate) use crate::pages::rendered;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use editor::{ListView, Pairs};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_domain::designation::application::DisqualificationDeclaration;
use koshu_domain::designation::lifecycle::Status;
use koshu_domain::designation::review::ReviewFinding;
use koshu_domain::designation::{Application, Problem, RuleKind, Verdict};
use koshu_store::applications::{ApplicationRecord, ApplicationVersion};
use koshu_store::organisations::OrganisationRecord;
use koshu_workflow::designation::{self, Submission};
use koshu_workflow::{WorkflowError, account_actor};
use serde::Deserialize;

/// What a page does with an application, and so what the policy must allow.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Need {
    View,
    /// What follows a submission (decision letters, notices): the provider's staff, and the
    /// ministry that reviews it.
    ViewSubmitted,
    /// A submitted version's contents and documents: as `ViewSubmitted`, and an assigned
    /// external expert who declared no conflict (B35).
    ViewVersion,
    Edit,
    Submit,
}

impl Need {
    fn action(self, org: &str) -> Action<'_> {
        match self {
            Self::View | Self::ViewSubmitted | Self::ViewVersion => Action::ViewApplications(org),
            Self::Edit => Action::EditApplications(org),
            Self::Submit => Action::SubmitApplication(org),
        }
    }
}

/// The application with its organisation, once `need` is allowed on that organisation.
pub(crate) async fn load(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
    need: Need,
) -> Result<(ApplicationRecord, OrganisationRecord), AppError> {
    let record = state
        .store
        .application(id)
        .await?
        .ok_or(AppError::NotFound)?;
    match (auth.require(need.action(&record.organisation_id)), need) {
        (Ok(_), _) => {}
        (Err(AppError::Forbidden), Need::ViewSubmitted) => {
            auth.require(Action::ReviewApplications)?;
        }
        (Err(AppError::Forbidden), Need::ViewVersion) => {
            if auth.require(Action::ReviewApplications).is_err() {
                crate::pages::reviews::require_declared_expert(state, auth, id).await?;
            }
        }
        (Err(e), _) => return Err(e),
    }
    let org = state
        .store
        .organisation(&record.organisation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((record, org))
}

pub(crate) use koshu_workflow::designation::{as_checked, blocking, kinds};

/// The rules on a submitted version, with the documents it listed and Koshu's revocations.
pub(crate) async fn check_version(
    state: &AppState,
    version: &ApplicationVersion,
) -> Result<Vec<(&'static koshu_domain::designation::Rule, Verdict)>, AppError> {
    Ok(designation::check_version(&state.workflow, version).await?)
}

// The organisation's list of applications.

struct ListRow {
    href: String,
    title: String,
    updated: String,
    version: String,
}

#[derive(Template)]
#[template(path = "applications.html")]
struct ApplicationsPage {
    page: PageCtx,
    org_id: String,
    org_name: String,
    rows: Vec<ListRow>,
    can_create: bool,
    fields: Vec<FormField>,
    general_errors: Vec<String>,
    /// What the last action did (a draft deleted).
    notice: Option<String>,
}

impl ApplicationsPage {
    fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

async fn applications_page(
    state: &AppState,
    auth: &AuthContext,
    page: PageCtx,
    org_id: &str,
    name: &str,
    errors: &[ValidationError],
) -> Result<ApplicationsPage, AppError> {
    let me = auth.require(Action::ViewApplications(org_id))?;
    let org = state
        .store
        .organisation(org_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = state
        .store
        .applications_of(org_id)
        .await?
        .into_iter()
        .map(|a| ListRow {
            href: page.href(&format!("/applications/{}", a.id)),
            title: if a.title.is_empty() {
                page.t("（講習名未入力）", "(no course name yet)")
                    .to_owned()
            } else {
                a.title
            },
            updated: view::date_time(page.lang, a.updated_at),
            version: a.latest_version.map_or_else(
                || page.t("未提出", "Not submitted").to_owned(),
                |v| format!("{} {v}", page.t("第", "Version")) + page.t("版", ""),
            ),
        })
        .collect();
    let can_create =
        koshu_domain::access::policy::decide(Some(&me.principal), Action::EditApplications(org_id))
            == koshu_domain::access::policy::Decision::Allow;
    let mut fields = vec![
        FormField::new("name", page.t("講習名", "Course name"), "text")
            .value(name)
            .hint(page.t("後から変更できます。", "You can change it later.")),
    ];
    let general = crate::pages::forms::attach_errors(&mut fields, &page, errors);
    Ok(ApplicationsPage {
        org_id: org.id,
        org_name: org.organisation.name_ja,
        rows,
        can_create,
        fields,
        notice: None,
        general_errors: general,
        page,
    })
}

pub async fn list(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(org_id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let mut view = applications_page(&state, &auth, page, &org_id, "", &[]).await?;
    view.notice = (q.done == "deleted").then(|| {
        view.page
            .t("下書きを削除しました。", "The draft was deleted.")
            .to_owned()
    });
    rendered(StatusCode::OK, view)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewApplication {
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(org_id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::EditApplications(&org_id))?;
    let input: NewApplication = parse(&body)?;
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        let error = ValidationError::new(
            "application.name",
            "講習名を200文字以内で入力してください。",
            "Enter the course name (at most 200 characters).",
        )
        .for_field("name");
        let view = applications_page(&state, &auth, page, &org_id, name, &[error]).await?;
        return rendered(StatusCode::BAD_REQUEST, view);
    }
    let mut draft = Application::default();
    draft.course.name = name.to_owned();
    let id = koshu_workflow::applications::create(
        &state.workflow,
        &org_id,
        &draft,
        &account_actor(&me.account.id),
    )
    .await?;
    Ok(Redirect::to(&page.href(&format!("/applications/{id}"))).into_response())
}

// The application: sections, self-check, submission, versions.

struct SectionLink {
    href: String,
    title: String,
    /// Data-decided rules failing on this section's fields.
    problems: usize,
}

pub(crate) struct FieldLink {
    pub(crate) label: String,
    pub(crate) href: String,
}

pub(crate) struct ProblemView {
    pub(crate) message: String,
    pub(crate) links: Vec<FieldLink>,
}

pub(crate) struct RuleRow {
    pub(crate) id: &'static str,
    pub(crate) clause: &'static str,
    pub(crate) title: &'static str,
    pub(crate) judgement: bool,
    /// `pass`, `fail` or `review`: the class and the words shown.
    pub(crate) status: &'static str,
    pub(crate) status_label: String,
    pub(crate) summary: String,
    pub(crate) problems: Vec<ProblemView>,
}

struct VersionRow {
    version: i64,
    href: String,
    submitted: String,
    digest: String,
    compare_href: Option<String>,
}

#[derive(Template)]
#[template(path = "application.html")]
struct ApplicationPage {
    page: PageCtx,
    id: String,
    title: String,
    org_id: String,
    org_name: String,
    updated: String,
    sections: Vec<SectionLink>,
    rules: Vec<RuleRow>,
    passed: usize,
    failed: usize,
    review: usize,
    blocking: usize,
    can_edit: bool,
    can_submit: bool,
    versions: Vec<VersionRow>,
    notice: Option<String>,
    general_errors: Vec<String>,
    /// Where the application stands (lifecycle status label).
    status: String,
    /// Submission is possible from this status (a draft, or sent back for revision).
    can_resubmit: bool,
    /// A draft never submitted, which an editor may delete.
    can_delete: bool,
    /// The ministry's decisions: version, outcome, reasons.
    decisions: Vec<(i64, String, String)>,
    /// After a decision: the reviewer's findings that ask for something (rule, finding, comment).
    findings: Vec<(String, String, String)>,
    designation: Option<(String, String)>,
    /// Filed change and abolition notices.
    notices: Vec<super::notices::NoticeRow>,
    /// Today, as the default of date inputs.
    today: String,
    /// The designation is in its final year: a renewal can start (C02).
    renewal_due: bool,
}

impl ApplicationPage {
    fn error_count(&self) -> usize {
        self.general_errors.len()
    }
}

/// A field path as people read it (issue 13 item 16): its label, else its section's name.
pub(crate) fn field_name(page: &PageCtx, path: &str) -> String {
    schema::label(path, page.lang.is_en())
        .or_else(|| schema::locate(path).map(|(s, _)| page.t(s.ja, s.en).to_owned()))
        .unwrap_or_else(|| {
            page.t("申請書の項目", "A field of the application")
                .to_owned()
        })
}

fn field_links(page: &PageCtx, app_id: &str, org_id: &str, problem: &Problem) -> Vec<FieldLink> {
    problem
        .fields
        .iter()
        .map(|path| match schema::locate(path) {
            _ if path == "documents" => FieldLink {
                label: page.t("提出書類", "Documents").to_owned(),
                href: page.href(&format!("/applications/{app_id}/documents")),
            },
            Some((section, anchor)) => FieldLink {
                label: match schema::label(path, page.lang.is_en()) {
                    Some(field) => format!("{}：{field}", page.t(section.ja, section.en)),
                    None => page.t(section.ja, section.en).to_owned(),
                },
                href: format!(
                    "{}#{anchor}",
                    page.href(&format!("/applications/{app_id}/edit/{}", section.slug))
                ),
            },
            None => FieldLink {
                label: schema::label(path, page.lang.is_en())
                    .unwrap_or_else(|| page.t("組織情報", "Organisation details").to_owned()),
                href: page.href(&format!("/organisations/{org_id}/edit")),
            },
        })
        .collect()
}

pub(crate) fn rule_rows(
    page: &PageCtx,
    app_id: &str,
    org_id: &str,
    checks: &[(&'static koshu_domain::designation::Rule, Verdict)],
) -> Vec<RuleRow> {
    checks
        .iter()
        .map(|(rule, verdict)| {
            let (status, status_label, summary, problems) = match verdict {
                Verdict::Pass => ("pass", page.t("適合", "Met"), String::new(), Vec::new()),
                Verdict::Fail(finding) => (
                    "fail",
                    page.t("要修正", "To fix"),
                    page.t(&finding.message_ja, &finding.message_en).to_owned(),
                    finding
                        .problems
                        .iter()
                        .map(|p| ProblemView {
                            message: page.t(&p.message_ja, &p.message_en).to_owned(),
                            links: field_links(page, app_id, org_id, p),
                        })
                        .collect(),
                ),
                Verdict::NeedsReview(evidence) => (
                    "review",
                    page.t("審査で確認", "For the reviewer"),
                    page.t(&evidence.message_ja, &evidence.message_en)
                        .to_owned(),
                    Vec::new(),
                ),
            };
            RuleRow {
                id: rule.id,
                clause: rule.clause,
                title: page.t(rule.title_ja, rule.title_en),
                judgement: rule.kind == RuleKind::Judgement,
                status,
                status_label: status_label.to_owned(),
                summary,
                problems,
            }
        })
        .collect()
}

async fn application_page(
    state: &AppState,
    auth: &AuthContext,
    page: PageCtx,
    id: &str,
) -> Result<ApplicationPage, AppError> {
    let (record, org) = load(state, auth, id, Need::View).await?;
    let me = auth.require(Action::ViewApplications(&record.organisation_id))?;
    let allowed = |a| {
        koshu_domain::access::policy::decide(Some(&me.principal), a)
            == koshu_domain::access::policy::Decision::Allow
    };
    let app = as_checked(&record, &org);
    let documents = state.store.application_documents(id).await?;
    let checks = designation::check(&state.workflow, &app, &kinds(&documents)).await?;
    let rules = rule_rows(&page, id, &org.id, &checks);
    let sections = schema::SECTIONS
        .iter()
        .map(|s| SectionLink {
            href: page.href(&format!("/applications/{id}/edit/{}", s.slug)),
            title: page.t(s.ja, s.en).to_owned(),
            problems: checks
                .iter()
                .filter_map(|(_, v)| match v {
                    Verdict::Fail(f) => Some(f),
                    _ => None,
                })
                .flat_map(|f| f.problems.iter().flat_map(|p| p.fields.iter()))
                .filter(|path| schema::locate(path).is_some_and(|(sec, _)| sec.slug == s.slug))
                .count(),
        })
        .collect();
    let versions = state.store.application_versions(id).await?;
    let versions = versions
        .iter()
        .map(|v| VersionRow {
            version: v.version,
            href: page.href(&format!("/applications/{id}/versions/{}", v.version)),
            submitted: view::date_time(page.lang, v.submitted_at),
            digest: v.digest.chars().take(16).collect(),
            compare_href: (v.version > 1).then(|| {
                page.href(&format!(
                    "/applications/{id}/compare?from={}&to={}",
                    v.version - 1,
                    v.version
                ))
            }),
        })
        .collect();
    let count = |s: &str| rules.iter().filter(|r| r.status == s).count();
    let status = record.status;
    let decided = !matches!(
        status,
        Status::Draft | Status::Submitted | Status::UnderReview
    );
    let decisions = state
        .store
        .decisions(id)
        .await?
        .into_iter()
        .map(|d| {
            let outcome = crate::pages::reviews::outcome_label(&page, d.outcome);
            (d.version, outcome, d.reasons)
        })
        .collect();
    let findings = match (decided, record.latest_version) {
        (true, Some(v)) => state
            .store
            .findings(id, v)
            .await?
            .into_iter()
            .filter(|f| f.finding != ReviewFinding::Met)
            .map(|f| {
                let label = page.t(f.finding.label_ja(), f.finding.label_en());
                (f.rule_id, label.to_owned(), f.comment)
            })
            .collect(),
        _ => Vec::new(),
    };
    let designated = state.store.designation_of(id).await?;
    let renewal_due = status == Status::Designated
        && designated.as_ref().is_some_and(|d| {
            koshu_domain::designation::DesignationPeriod {
                starts_on: d.starts_on,
                ends_on: d.ends_on,
            }
            .in_final_year(view::today(state))
        });
    let designation =
        designated.map(|d| (d.number, view::date_span(page.lang, d.starts_on, d.ends_on)));
    let notices = super::notices::rows(&page, state.store.notices_of(id).await?);
    Ok(ApplicationPage {
        renewal_due,
        notices,
        today: view::today(state).to_string(),
        status: page.t(status.label_ja(), status.label_en()).to_owned(),
        can_resubmit: matches!(status, Status::Draft | Status::RevisionRequested),
        can_delete: status == Status::Draft
            && record.latest_version.is_none()
            && allowed(Action::EditApplications(&record.organisation_id)),
        decisions,
        findings,
        designation,
        passed: count("pass"),
        failed: count("fail"),
        review: count("review"),
        blocking: blocking(&checks),
        can_edit: allowed(Action::EditApplications(&record.organisation_id)),
        can_submit: allowed(Action::SubmitApplication(&record.organisation_id)),
        id: record.id,
        title: record.title,
        org_id: org.id,
        org_name: org.organisation.name_ja,
        updated: view::date_time(page.lang, record.updated_at),
        sections,
        rules,
        versions,
        notice: None,
        general_errors: Vec::new(),
        page,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

pub async fn show(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let notice = match q.done.as_str() {
        "saved" => Some(page.t("保存しました。", "Saved.").to_owned()),
        "change_filed" => Some(
            page.t(
                "変更届を受け付けました。効力発生日に公開情報へ反映されます。",
                "The change notice is filed. The public page changes on its effective date.",
            )
            .to_owned(),
        ),
        "abolition_filed" => Some(
            page.t(
                "廃止届を受け付けました。効力発生日に講座の一覧から外れます。",
                "The abolition notice is filed. The course leaves the catalogue on its effective date.",
            )
            .to_owned(),
        ),
        "imported" => Some(
            page.t(
                "様式（Excel）から取り込みました。自己点検の結果を確認してください。",
                "Imported from the workbook. Check the self-check below.",
            )
            .to_owned(),
        ),
        _ => None,
    };
    let mut view = application_page(&state, &auth, page, &id).await?;
    view.notice = if q.done == "imported_renamed" {
        Some(format!(
            "{}「{}」{}",
            view.page.t(
                "様式（Excel）から取り込みました。申請書の名前は様式の講習名に合わせて",
                "Imported from the workbook. The application is now named after the workbook's course name, ",
            ),
            view.title,
            view.page.t(
                "になりました。自己点検の結果を確認してください。",
                ". Check the self-check below.",
            ),
        ))
    } else {
        notice
    };
    rendered(StatusCode::OK, view)
}

pub async fn submit(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (record, _) = load(&state, &auth, &id, Need::Submit).await?;
    let me = auth.require(Action::SubmitApplication(&record.organisation_id))?;
    let submitted = designation::submit(&state.workflow, &id, &account_actor(&me.account.id)).await;
    let message = match submitted {
        Ok(Submission::Submitted(version)) => {
            return Ok(Redirect::to(
                &page.href(&format!("/applications/{id}/versions/{}", version.version)),
            )
            .into_response());
        }
        // Only a draft or an application sent back for revision can be submitted.
        Err(WorkflowError::Invalid(v)) => page.t(&v.message_ja, &v.message_en).to_owned(),
        Err(other) => return Err(other.into()),
        Ok(Submission::Blocked { failing }) => {
            if page.lang.is_en() {
                format!(
                    "The application cannot be submitted yet: {failing} rules decided by the data are not met. Fix the items marked \"To fix\" below."
                )
            } else {
                format!(
                    "まだ提出できません。データで判定する要件のうち{failing}件を満たしていません。下の「要修正」の項目を直してください。"
                )
            }
        }
    };
    let mut view = application_page(&state, &auth, page, &id).await?;
    view.general_errors = vec![message];
    rendered(StatusCode::BAD_REQUEST, view)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteInput {
    confirm: String,
}

/// Deletes a draft never submitted, once the person has ticked that it cannot be undone.
pub async fn delete(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (record, _) = load(&state, &auth, &id, Need::Edit).await?;
    let me = auth.require(Action::EditApplications(&record.organisation_id))?;
    let input: DeleteInput = parse(&body)?;
    if input.confirm != "yes" {
        let mut view = application_page(&state, &auth, page, &id).await?;
        view.general_errors =
            vec![view
            .page
            .t(
                "削除するには「元に戻せないことを確認しました」にチェックを入れてください。",
                "To delete, tick that you understand it cannot be undone.",
            )
            .to_owned()];
        return rendered(StatusCode::BAD_REQUEST, view);
    }
    koshu_workflow::applications::delete_draft(
        &state.workflow,
        &id,
        &account_actor(&me.account.id),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "{}?done=deleted",
        page.href(&format!(
            "/organisations/{}/applications",
            record.organisation_id
        ))
    ))
    .into_response())
}

// One section of the draft.

#[derive(Template)]
#[template(path = "application_section.html")]
struct SectionPage {
    page: PageCtx,
    id: String,
    app_title: String,
    title: String,
    intro: String,
    action: String,
    fields: Vec<FormField>,
    lists: Vec<ListView>,
    general_errors: Vec<String>,
    nav: Vec<(String, String, bool)>,
    notice: Option<String>,
    /// The curriculum's totals, shown on its section.
    totals: Option<String>,
}

impl SectionPage {
    fn error_count(&self) -> usize {
        self.general_errors.len()
            + self.fields.iter().filter(|f| f.error.is_some()).count()
            + self
                .lists
                .iter()
                .flat_map(|l| l.items.iter().flat_map(|r| r.fields.iter()))
                .filter(|f| f.error.is_some())
                .count()
    }

    /// Every field with an error, the lists' rows included, for the summary at the top.
    fn all_fields(&self) -> Vec<&FormField> {
        self.fields
            .iter()
            .chain(
                self.lists
                    .iter()
                    .flat_map(|l| l.items.iter().flat_map(|r| r.fields.iter())),
            )
            .collect()
    }
}

fn curriculum_totals(page: &PageCtx, app: &Application) -> String {
    let minutes = app.total_minutes();
    let practical = app
        .curriculum
        .iter()
        .filter(|i| i.method.is_practical())
        .count();
    let hours = format!("{}時間{:02}分", minutes / 60, minutes % 60);
    if page.lang.is_en() {
        format!(
            "In all: {} h {:02} min; {practical} of {} items practical.",
            minutes / 60,
            minutes % 60,
            app.curriculum.len()
        )
    } else {
        format!(
            "合計 {hours}、{}項目のうち実習等 {practical}項目。",
            app.curriculum.len()
        )
    }
}

fn section_page(
    state: &AppState,
    page: PageCtx,
    record: &ApplicationRecord,
    section: &'static schema::Section,
    pairs: &Pairs,
    errors: &[ValidationError],
    notice: Option<String>,
) -> SectionPage {
    let (fields, lists, general) = editor::view(section, pairs, &page, &state.taxonomy, errors);
    let nav = schema::SECTIONS
        .iter()
        .map(|s| {
            (
                page.href(&format!("/applications/{}/edit/{}", record.id, s.slug)),
                page.t(s.ja, s.en).to_owned(),
                s.slug == section.slug,
            )
        })
        .collect();
    SectionPage {
        id: record.id.clone(),
        app_title: record.title.clone(),
        title: page.t(section.ja, section.en).to_owned(),
        intro: page.t(section.intro_ja, section.intro_en).to_owned(),
        action: page.href(&format!(
            "/applications/{}/edit/{}",
            record.id, section.slug
        )),
        fields,
        lists,
        general_errors: general,
        nav,
        notice,
        totals: (section.slug == "curriculum").then(|| curriculum_totals(&page, &record.draft)),
        page,
    }
}

pub async fn edit_section(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((id, slug)): Path<(String, String)>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let (record, org) = load(&state, &auth, &id, Need::Edit).await?;
    let section = schema::section(&slug).ok_or(AppError::NotFound)?;
    let mut shown = record.draft.clone();
    // The declarations start with the registered entities' 法人番号, not retyped (issue 13
    // item 17); nothing is saved until the person saves the section.
    if shown.provider.declarations.is_empty() {
        let o = &org.organisation;
        shown.provider.declarations = std::iter::once(o.corporate_number.to_string())
            .chain(
                o.consortium_members
                    .iter()
                    .map(|m| m.corporate_number.to_string()),
            )
            .map(|corporate_number| DisqualificationDeclaration {
                corporate_number,
                not_applicable: Vec::new(),
            })
            .collect();
    }
    let draft = serde_json::to_value(&shown).map_err(AppError::internal)?;
    let pairs = editor::to_pairs(section, &draft);
    let notice = (q.done == "saved").then(|| page.t("保存しました。", "Saved.").to_owned());
    let view = section_page(&state, page, &record, section, &pairs, &[], notice);
    rendered(StatusCode::OK, view)
}

pub async fn save_section(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((id, slug)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (record, _) = load(&state, &auth, &id, Need::Edit).await?;
    let me = auth.require(Action::EditApplications(&record.organisation_id))?;
    let section = schema::section(&slug).ok_or(AppError::NotFound)?;
    let pairs: Vec<(String, String)> = parse(&body)?;
    let pairs = Pairs::from_form(pairs);
    let mut draft = serde_json::to_value(&record.draft).map_err(AppError::internal)?;
    let errors = editor::apply(section, &pairs, &mut draft, &state.taxonomy);
    if !errors.is_empty() {
        let view = section_page(&state, page, &record, section, &pairs, &errors, None);
        return rendered(StatusCode::BAD_REQUEST, view);
    }
    let draft: Application = serde_json::from_value(draft).map_err(AppError::internal)?;
    koshu_workflow::applications::save_draft(
        &state.workflow,
        &id,
        &draft,
        &account_actor(&me.account.id),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "{}?done=saved",
        page.href(&format!("/applications/{id}/edit/{slug}"))
    ))
    .into_response())
}

// Versions.

#[derive(Template)]
#[template(path = "application_version.html")]
struct VersionPage {
    page: PageCtx,
    id: String,
    title: String,
    version: i64,
    submitted: String,
    submitted_by: String,
    digest: String,
    files: VersionFiles,
    rules: Vec<RuleRow>,
    compare_href: Option<String>,
}

/// The documents a version lists, as (link, file name, kind as people read it, SHA-256).
/// A submitted version's files as the version page, the workspace and the expert's page show
/// them: each attached document, and each material (B18) with the attached file it names.
#[derive(Default)]
pub(crate) struct VersionFiles {
    pub documents: Vec<DocumentLink>,
    pub materials: Vec<MaterialLink>,
}

pub(crate) struct DocumentLink {
    pub href: String,
    pub name: String,
    pub kind: String,
    pub sha256: String,
}

pub(crate) struct MaterialLink {
    pub title: String,
    pub document: String,
    /// The attached file of that name (with or without its extension), when there is one.
    pub href: Option<String>,
}

pub(crate) fn version_files(page: &PageCtx, v: &ApplicationVersion) -> VersionFiles {
    let documents: Vec<DocumentLink> = v
        .documents
        .iter()
        .map(|d| {
            let kind = koshu_domain::designation::DocumentKind::from_code(&d.kind).map_or_else(
                || d.kind.clone(),
                |k| page.t(k.label_ja(), k.label_en()).to_owned(),
            );
            DocumentLink {
                href: page.href(&format!(
                    "/applications/{}/versions/{}/documents/{}",
                    v.application_id, v.version, d.file_id
                )),
                name: d.file_name.clone(),
                kind,
                sha256: d.sha256.clone(),
            }
        })
        .collect();
    let materials = v
        .application
        .materials
        .iter()
        .map(|m| {
            let named = m.document.trim();
            let href = documents
                .iter()
                .find(|d| {
                    !named.is_empty()
                        && (d.name == named
                            || d.name
                                .rsplit_once('.')
                                .is_some_and(|(stem, _)| stem == named))
                })
                .map(|d| d.href.clone());
            MaterialLink {
                title: m.title.clone(),
                document: m.document.clone(),
                href,
            }
        })
        .collect();
    VersionFiles {
        documents,
        materials,
    }
}

async fn version_of(
    state: &AppState,
    id: &str,
    version: i64,
) -> Result<ApplicationVersion, AppError> {
    state
        .store
        .application_version(id, version)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn version(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((id, number)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (record, org) = load(&state, &auth, &id, Need::ViewSubmitted).await?;
    let number = number.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let v = version_of(&state, &id, number).await?;
    let submitter = state
        .store
        .account(v.submitted_by.trim_start_matches("account:"))
        .await?
        .map_or_else(|| v.submitted_by.clone(), |a| a.display_name);
    let checks = check_version(&state, &v).await?;
    let view = VersionPage {
        rules: rule_rows(&page, &id, &org.id, &checks),
        id,
        title: v.application.course.name.clone(),
        version: v.version,
        submitted: view::date_time(page.lang, v.submitted_at),
        submitted_by: submitter,
        digest: v.digest.clone(),
        files: version_files(&page, &v),
        compare_href: (v.version > 1).then(|| {
            page.href(&format!(
                "/applications/{}/compare?from={}&to={}",
                record.id,
                v.version - 1,
                v.version
            ))
        }),
        page,
    };
    rendered(StatusCode::OK, view)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CompareQuery {
    from: String,
    to: String,
}

/// A version number from the query, or the error that names the parameter.
fn version_param(name: &str, value: &str) -> Result<i64, AppError> {
    value.trim().parse::<i64>().map_err(|_| {
        ValidationError::new(
            "application.compare_version",
            format!("比較する版の番号（{name}）を数字で指定してください。"),
            format!("Give the version number to compare ({name}) as a number."),
        )
        .for_field(name)
        .into()
    })
}

#[derive(Template)]
#[template(path = "application_compare.html")]
struct ComparePage {
    page: PageCtx,
    id: String,
    title: String,
    from: i64,
    to: i64,
    changes: Vec<diff::Change>,
    documents: Vec<diff::Change>,
}

pub async fn compare(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<CompareQuery>,
) -> Result<Response, AppError> {
    let (record, _) = load(&state, &auth, &id, Need::ViewSubmitted).await?;
    let (from, to) = (version_param("from", &q.from)?, version_param("to", &q.to)?);
    let (a, b) = (
        version_of(&state, &id, from).await?,
        version_of(&state, &id, to).await?,
    );
    let changes = diff::fields(&a.application, &b.application)
        .into_iter()
        .map(|c| diff::Change {
            path: field_name(&page, &c.path),
            ..c
        })
        .collect();
    let view = ComparePage {
        changes,
        documents: diff::documents(&a.documents, &b.documents),
        id,
        title: record.title,
        from,
        to,
        page,
    };
    rendered(StatusCode::OK, view)
}

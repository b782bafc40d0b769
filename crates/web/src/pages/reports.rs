//! The provider's implementation reports (issue 19 item 1; E01): each designated course's
//! months with where each stands, and a month's report computed from the records, every
//! figure linking to the pages it counts, submitted with remarks as an immutable version.

use super::delivery::organisation;
use super::forms::parse;
use super::listings::{Owned, owned};
use super::rendered;
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::reports::{MonthlyFigures, ReportMonth, ReportPeriod, Standing};
use koshu_workflow::reports::{self as reports, CourseReport};
use serde::Deserialize;

fn base(org: &str) -> String {
    format!("/organisations/{org}/reports")
}

/// Where a report stands, as the lists say it: with its due day, when it arrived, and the
/// latest version.
fn standing_text(
    page: &PageCtx,
    period: ReportPeriod,
    standing: Standing,
    latest: Option<i64>,
) -> String {
    let date = |d| view::date(page.lang, d);
    let version = latest.map_or_else(String::new, |v| {
        format!("{}{v}{}", page.t("・第", ", version "), page.t("版", ""))
    });
    match standing {
        Standing::InProgress => match period {
            ReportPeriod::Month(_) => page.t(
                "集計中（翌月1日から提出できます）",
                "In progress (can be submitted from the 1st of next month)",
            ),
            ReportPeriod::Year(_) => page.t(
                "集計中（年度が終わった4月1日から提出できます）",
                "In progress (can be submitted from 1 April, after the fiscal year)",
            ),
        }
        .to_owned(),
        Standing::Open { due_on } => format!(
            "{}{}{}",
            page.t("未提出（提出期限 ", "Not submitted (due "),
            date(due_on),
            page.t("）", ")")
        ),
        Standing::Received { on, late: false } => format!(
            "{}{}{version}{}",
            page.t("受領（", "Received ("),
            date(on),
            page.t("）", ")")
        ),
        Standing::Received { on, late: true } => format!(
            "{}{}{version}{}",
            page.t("期限後に受領（", "Received late ("),
            date(on),
            page.t("）", ")")
        ),
        Standing::Missing { due_on } => format!(
            "{}{}{}",
            page.t("未提出・期限超過（提出期限 ", "Missing: past its due day ("),
            date(due_on),
            page.t("）", ")")
        ),
    }
}

/// 2026年11月, 2026年度 (or in English).
fn period_label(page: &PageCtx, period: ReportPeriod) -> String {
    if page.lang.is_en() {
        period.label_en()
    } else {
        period.label_ja()
    }
}

struct PeriodRow {
    /// 2026年11月 or 2026年度.
    period: String,
    /// A fiscal year's report (年度), not a month's.
    annual: bool,
    href: String,
    /// 提出済み（第2版）, 未提出, 集計中.
    status: String,
    overdue: bool,
}

struct CourseRows {
    title: String,
    number: String,
    months: Vec<PeriodRow>,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    page: PageCtx,
    org_name: String,
    org_href: String,
    courses: Vec<CourseRows>,
}

/// Every designated course of the organisation with its months, newest first.
pub async fn list(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    let today = view::today(&state);
    let mut courses = Vec::new();
    for d in state.store.all_designations().await? {
        if d.organisation_id != org.id {
            continue;
        }
        let Some(p) = state.store.programme(&d.programme_id).await? else {
            continue;
        };
        let submitted = state.store.report_submissions(&d.programme_id).await?;
        // The months, newest first, then the fiscal years (年度).
        let periods = reports::months_of(&d, today)
            .into_iter()
            .map(ReportPeriod::Month)
            .chain(reports::years_of(&d, today));
        let months = periods
            .map(|m| {
                let code = m.code();
                let latest = submitted
                    .iter()
                    .find(|s| s.period == code)
                    .map(|s| s.latest);
                let standing = reports::standing(&state.workflow, m, &submitted);
                PeriodRow {
                    period: period_label(&page, m),
                    annual: matches!(m, ReportPeriod::Year(_)),
                    href: page.href(&format!("{}/{}/{code}", base(&org.id), d.programme_id)),
                    status: standing_text(&page, m, standing, latest),
                    overdue: matches!(standing, Standing::Missing { .. }),
                }
            })
            .collect();
        courses.push(CourseRows {
            title: p.programme.title_ja.clone(),
            number: d.number.clone(),
            months,
        });
    }
    rendered(
        StatusCode::OK,
        ReportsPage {
            org_name: org.organisation.name_ja.clone(),
            org_href: page.href(&format!("/organisations/{}", org.id)),
            page,
            courses,
        },
    )
}

/// One line of the figures: what it counts, the count, and where its records are.
struct FigureRow {
    label: String,
    value: String,
    href: Option<String>,
}

struct SessionRow {
    dates: String,
    place: String,
    enrolled: u32,
    attended: u32,
    completed: u32,
    /// The provider's roster of it; the ministry has no access to it.
    roster_href: Option<String>,
}

struct VersionRow {
    version: i64,
    submitted_at: String,
    submitted_by: String,
    remarks: String,
    digest: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    page: PageCtx,
    org_name: String,
    list_href: String,
    title: String,
    number: String,
    month: String,
    /// The form's name: 「特定講習」実施状況報告書（月次） or （年度）.
    form: &'static str,
    sessions: Vec<SessionRow>,
    figures: Vec<FigureRow>,
    riss_numbers: Vec<String>,
    versions: Vec<VersionRow>,
    due: bool,
    changed: bool,
    /// When the period's personal data was purged (E02), as the reader reads a date.
    purged_on: Option<String>,
    latest: i64,
    /// Where it stands against its due day.
    standing: String,
    /// The provider submits; the ministry reads, and may chase a missing report.
    action: Option<String>,
    chase: Option<String>,
    /// Where `report.xlsx`, `report.pdf` and `report.csv` are.
    files: String,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

/// The month's figures as rows (the form's own, `koshu_forms::report::rows`), each linking to
/// the session page whose records it counts (one session: its page; several: the session list
/// above).
fn figure_rows(page: &PageCtx, org: &str, f: &MonthlyFigures) -> Vec<FigureRow> {
    let only = (f.sessions.len() == 1).then(|| &f.sessions[0].session_id);
    koshu_forms::report::rows(f)
        .into_iter()
        .map(|r| FigureRow {
            label: page.t(r.ja, r.en).to_owned(),
            value: r.figure.text(),
            href: match (r.records, only) {
                (Some(tail), Some(s)) => {
                    Some(page.href(&format!("/organisations/{org}/sessions/{s}/{tail}")))
                }
                (Some(_), None) => Some("#sessions".to_owned()),
                (None, _) => None,
            },
        })
        .collect()
}

/// Who the page is for: the provider's staff, or the ministry (no form; a chase when missing).
enum Reader {
    Provider,
    Ministry,
}

/// Who submitted each version, by name (the audit keeps the account).
async fn submitters(
    state: &AppState,
    report: &CourseReport,
) -> Result<Vec<(String, String)>, AppError> {
    let mut names = Vec::new();
    for v in &report.versions {
        let name = match v.submitted_by.strip_prefix("account:") {
            Some(id) => state
                .store
                .account(id)
                .await?
                .map_or_else(|| v.submitted_by.clone(), |a| a.display_name),
            None => v.submitted_by.clone(),
        };
        names.push((v.submitted_by.clone(), name));
    }
    Ok(names)
}

async fn render_report(
    state: &AppState,
    page: PageCtx,
    org: &koshu_store::organisations::OrganisationRecord,
    report: &CourseReport,
    reader: Reader,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let names = submitters(state, report).await?;
    rendered(
        StatusCode::OK,
        report_page(page, org, report, reader, &names, notice),
    )
}

fn report_page(
    page: PageCtx,
    org: &koshu_store::organisations::OrganisationRecord,
    report: &CourseReport,
    reader: Reader,
    names: &[(String, String)],
    notice: Option<String>,
) -> ReportPage {
    let f = &report.figures;
    let code = report.period.code();
    let programme = report.programme.programme.id.as_str();
    ReportPage {
        org_name: org.organisation.name_ja.clone(),
        list_href: page.href(&match reader {
            Reader::Provider => base(&org.id),
            Reader::Ministry => MINISTRY.to_owned(),
        }),
        title: report.programme.programme.title_ja.clone(),
        number: report.designation.number.clone(),
        month: period_label(&page, report.period),
        form: if page.lang.is_en() {
            match report.period {
                ReportPeriod::Month(_) => "Monthly implementation report",
                ReportPeriod::Year(_) => "Annual implementation report",
            }
        } else {
            report.period.form_ja()
        },
        sessions: f
            .sessions
            .iter()
            .map(|s| SessionRow {
                dates: view::date_span(page.lang, s.first_day, s.last_day),
                place: s.place.clone(),
                enrolled: s.enrolled,
                attended: s.attended,
                completed: s.completed,
                roster_href: matches!(reader, Reader::Provider).then(|| {
                    page.href(&format!(
                        "/organisations/{}/sessions/{}/roster",
                        org.id, s.session_id
                    ))
                }),
            })
            .collect(),
        figures: figure_rows(&page, &org.id, f)
            .into_iter()
            .map(|mut r| {
                if matches!(reader, Reader::Ministry) {
                    r.href = None;
                }
                r
            })
            .collect(),
        riss_numbers: f.completed_riss_numbers.clone(),
        versions: report
            .versions
            .iter()
            .rev()
            .map(|v| VersionRow {
                version: v.version,
                submitted_at: view::date_time(page.lang, v.submitted_at),
                submitted_by: names
                    .iter()
                    .find(|(actor, _)| *actor == v.submitted_by)
                    .map_or_else(|| v.submitted_by.clone(), |(_, name)| name.clone()),
                remarks: v.remarks.clone(),
                digest: v.digest.clone(),
            })
            .collect(),
        due: report.due,
        changed: report.changed_since_submitted() && report.purged_on.is_none(),
        purged_on: report.purged_on.map(|d| view::date(page.lang, d)),
        latest: report.latest().map_or(0, |v| v.version),
        standing: standing_text(
            &page,
            report.period,
            report.standing,
            report.latest().map(|v| v.version),
        ),
        action: matches!(reader, Reader::Provider)
            .then(|| page.href(&format!("{}/{programme}/{code}", base(&org.id)))),
        chase: (matches!(reader, Reader::Ministry) && report.standing.may_be_chased())
            .then(|| page.href(&format!("{MINISTRY}/{programme}/{code}/chase"))),
        files: match reader {
            Reader::Provider => format!("{}/{programme}/{code}", base(&org.id)),
            Reader::Ministry => format!("{MINISTRY}/{programme}/{code}"),
        },
        notice,
        page,
    }
}

/// The organisation, once its staff may see (or, with `run`, submit) the reports of
/// `programme`, one of its designated courses; anything else is not found.
async fn designated_course(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
    programme: &str,
    run: bool,
) -> Result<(koshu_store::organisations::OrganisationRecord, String), AppError> {
    let (org, actor) = organisation(state, auth, id, run).await?;
    match owned(state, &org, programme).await? {
        Owned::Designated(_) => Ok((org, actor)),
        Owned::Listing(_) => Err(AppError::NotFound),
    }
}

fn period_of(text: &str) -> Result<ReportPeriod, AppError> {
    ReportPeriod::parse(text).map_err(|_| AppError::NotFound)
}

/// The course's report for one month, as computed now, with its submitted versions.
pub async fn show(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, programme, month)): Path<(String, String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let (org, _) = designated_course(&state, &auth, &id, &programme, false).await?;
    let report = reports::report(&state.workflow, &programme, period_of(&month)?).await?;
    let notice = (q.done == "submitted").then(|| {
        page.t(
            "報告書を提出しました。提出した版は変更されません。訂正するときは、次の版として提出してください。",
            "The report was submitted. A submitted version never changes: submit a correction as the next version.",
        )
        .to_owned()
    });
    render_report(&state, page, &org, &report, Reader::Provider, notice).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SubmitInput {
    remarks: String,
    /// The latest version the provider saw (0 for none).
    after: String,
}

/// Submits the month's report with the remarks, as the next version.
pub async fn submit(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, programme, month)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor) = designated_course(&state, &auth, &id, &programme, true).await?;
    let period = period_of(&month)?;
    let input: SubmitInput = parse(&body)?;
    // The form carries the version its reader saw; anything but a count was not our form.
    let after = input.after.trim().parse::<i64>().map_err(|_| {
        AppError::Invalid(
            koshu_domain::ValidationError::new(
                "report.after",
                "どの版を見て提出したかが分かりません。報告書のページを開き直してから提出してください。",
                "The form does not say which version you saw: reopen the report and submit again.",
            )
            .for_field("after"),
        )
    })?;
    reports::submit(
        &state.workflow,
        &programme,
        period,
        after,
        &input.remarks,
        &actor,
    )
    .await?;
    Ok(Redirect::to(&page.href(&format!(
        "{}/{programme}/{}?done=submitted",
        base(&org.id),
        period.code()
    )))
    .into_response())
}

// The ministry's view (issue 19 item 3): every designated course's months at a glance, each
// report as submitted, and a chase for a missing one.

const MINISTRY: &str = "/ministry/course-reports";
/// Months shown side by side: the last half year.
const MONTHS_SHOWN: usize = 6;

struct CourseLine {
    title: String,
    provider: String,
    number: String,
    /// One per month shown (newest first): (text, code, href); none before the designation.
    cells: Vec<Option<(String, &'static str, String)>>,
}

/// A month across the courses shown, from the reports received.
struct TotalRow {
    month: String,
    reports: usize,
    enrolled: u32,
    completed: u32,
    rate: String,
    /// The completions' bar, out of 200, against the month with the most.
    bar: u32,
}

/// The view's filters, from the query: an organisation id, an ITSS+ field code, and `12` for
/// a year of months instead of six. A value that matches no course shows none, and the page
/// says so.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MinistryFilter {
    provider: String,
    field: String,
    months: String,
}

#[derive(Template)]
#[template(path = "ministry_course_reports.html")]
struct MinistryReportsPage {
    page: PageCtx,
    months: Vec<String>,
    lines: Vec<CourseLine>,
    counts: Vec<(String, usize)>,
    totals: Vec<TotalRow>,
    /// The filters' choices: (organisation id, name), (field code, label).
    providers: Vec<(String, String)>,
    fields: Vec<(String, String)>,
    twelve: bool,
    filter: MinistryFilter,
    /// The filters as a query string, for the downloads.
    query: String,
}

/// Every designated course × the last six months: received, late, missing, not yet due.
pub async fn ministry(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Query(q): Query<MinistryFilter>,
) -> Result<Response, AppError> {
    auth.require(koshu_domain::access::Action::ReviewApplications)?;
    rendered(StatusCode::OK, ministry_view(&state, page, q).await?)
}

/// The view as CSV (the course × month table), Excel (that table and the totals) or PDF (the
/// counts, the table, the totals and their chart), with the filters the page had.
pub async fn ministry_export(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    asked: axum::extract::MatchedPath,
    Query(q): Query<MinistryFilter>,
) -> Result<Response, AppError> {
    use super::applications::forms::XLSX;
    use super::delivery::{csv_download, download};
    auth.require(koshu_domain::access::Action::ReviewApplications)?;
    let today = view::today(&state);
    let v = ministry_view(&state, page, q).await?;
    let mut header = vec![
        "講習".to_owned(),
        "指定番号".to_owned(),
        "講座提供者".to_owned(),
    ];
    header.extend(v.months.iter().cloned());
    let rows: Vec<Vec<String>> = v
        .lines
        .iter()
        .map(|l| {
            let mut row = vec![l.title.clone(), l.number.clone(), l.provider.clone()];
            row.extend(l.cells.iter().map(|c| {
                c.as_ref()
                    .map_or_else(|| "—".to_owned(), |(text, ..)| text.clone())
            }));
            row
        })
        .collect();
    let name = format!("koshu-course-reports-{today}");
    if asked.as_str().ends_with(".csv") {
        return Ok(csv_download(&format!("{name}.csv"), &header, &rows));
    }
    if asked.as_str().ends_with(".pdf") {
        return overview_pdf(&v, today, &name);
    }
    let totals: Vec<Vec<String>> = v
        .totals
        .iter()
        .map(|t| {
            vec![
                t.month.clone(),
                t.reports.to_string(),
                t.enrolled.to_string(),
                t.completed.to_string(),
                t.rate.clone(),
            ]
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let bytes = koshu_forms::table::workbook_of(
        "「特定講習」実施状況報告の状況",
        &[
            koshu_forms::table::Sheet {
                name: "講習×月",
                header: &header,
                rows: &rows,
                numbers: &[],
            },
            koshu_forms::table::Sheet {
                name: "月別の合計",
                header: &[
                    "対象月",
                    "受領した報告書",
                    "受講者数",
                    "修了者数",
                    "修了率（%）",
                ],
                rows: &totals,
                numbers: &[1, 2, 3, 4],
            },
        ],
    )
    .map_err(AppError::internal)?;
    Ok(download(XLSX, &format!("{name}.xlsx"), bytes))
}

/// The ministry's view as a PDF, in Japanese as the other exports are.
fn overview_pdf(
    v: &MinistryReportsPage,
    today: time::Date,
    name: &str,
) -> Result<Response, AppError> {
    use super::applications::forms::PDF;
    use super::delivery::download;
    let provider = v
        .providers
        .iter()
        .find(|(id, _)| *id == v.filter.provider)
        .map_or("すべて", |(_, n)| n.as_str());
    let field = v
        .fields
        .iter()
        .find(|(code, _)| *code == v.filter.field)
        .map_or("すべて", |(_, label)| label.as_str());
    let filters = format!(
        "講座提供者：{provider}、ITSS+ の分野：{field}、直近{}か月",
        v.months.len()
    );
    let lines: Vec<koshu_forms::report::OverviewLine> = v
        .lines
        .iter()
        .map(|l| koshu_forms::report::OverviewLine {
            course: l.title.clone(),
            number: l.number.clone(),
            provider: l.provider.clone(),
            cells: l
                .cells
                .iter()
                .map(|c| {
                    c.as_ref()
                        .map_or_else(|| "—".to_owned(), |(text, ..)| text.clone())
                })
                .collect(),
        })
        .collect();
    let totals: Vec<(String, usize, u32, u32, String)> = v
        .totals
        .iter()
        .map(|t| {
            (
                t.month.clone(),
                t.reports,
                t.enrolled,
                t.completed,
                t.rate.clone(),
            )
        })
        .collect();
    let bytes = koshu_forms::report::overview_pdf(&koshu_forms::report::Overview {
        made_on: &koshu_domain::types::date_ja(today),
        filters: &filters,
        counts: &v.counts,
        months: &v.months,
        lines: &lines,
        totals: &totals,
    })
    .map_err(AppError::internal)?;
    Ok(download(PDF, &format!("{name}.pdf"), bytes))
}

/// Every designated course (as filtered) × the months shown, and the totals.
async fn ministry_view(
    state: &AppState,
    page: PageCtx,
    q: MinistryFilter,
) -> Result<MinistryReportsPage, AppError> {
    let today = view::today(state);
    let shown = if q.months == "12" { 12 } else { MONTHS_SHOWN };
    let mut months = vec![ReportMonth::of(today)];
    while months.len() < shown {
        let last = months[months.len() - 1];
        months.push(ReportMonth::of(
            last.first_day().previous_day().unwrap_or(last.first_day()),
        ));
    }
    let submitted = state.store.all_report_submissions().await?;
    let received = state.store.latest_reports().await?;
    let mut lines = Vec::new();
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    let mut providers: Vec<(String, String)> = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut included: Vec<String> = Vec::new();
    for d in state.store.all_designations().await? {
        let Some(p) = state.store.programme(&d.programme_id).await? else {
            continue;
        };
        let provider = state
            .store
            .organisation(&d.organisation_id)
            .await?
            .map(|o| o.organisation.name_ja)
            .unwrap_or_default();
        if !providers.iter().any(|(id, _)| *id == d.organisation_id) {
            providers.push((d.organisation_id.clone(), provider.clone()));
        }
        for f in &p.programme.itss_fields {
            if !fields.contains(f) {
                fields.push(f.clone());
            }
        }
        let wanted = (q.provider.is_empty() || q.provider == d.organisation_id)
            && (q.field.is_empty() || p.programme.itss_fields.contains(&q.field));
        if !wanted {
            continue;
        }
        included.push(d.programme_id.clone());
        let own: Vec<_> = submitted
            .iter()
            .filter(|s| s.programme_id == d.programme_id)
            .cloned()
            .collect();
        let reported = reports::months_of(&d, today);
        let cells = months
            .iter()
            .map(|m| {
                reported.contains(m).then(|| {
                    let standing =
                        reports::standing(&state.workflow, ReportPeriod::Month(*m), &own);
                    let latest = own.iter().find(|s| s.period == m.code()).map(|s| s.latest);
                    match counts.iter_mut().find(|(c, _)| *c == standing.code()) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((standing.code(), 1)),
                    }
                    (
                        standing_text(&page, ReportPeriod::Month(*m), standing, latest),
                        standing.code(),
                        page.href(&format!("{MINISTRY}/{}/{}", d.programme_id, m.code())),
                    )
                })
            })
            .collect();
        lines.push(CourseLine {
            title: p.programme.title_ja,
            provider,
            number: d.number,
            cells,
        });
    }
    let label = |code: &str| match code {
        "received" => page.t("受領", "Received"),
        "late" => page.t("期限後に受領", "Received late"),
        "missing" => page.t("未提出・期限超過", "Missing"),
        "open" => page.t("提出期限前", "Not yet due"),
        _ => page.t("集計中", "In progress"),
    };
    let counts = ["received", "late", "missing", "open", "in_progress"]
        .iter()
        .map(|code| {
            (
                label(code).to_owned(),
                counts
                    .iter()
                    .find(|(c, _)| c == code)
                    .map_or(0, |(_, n)| *n),
            )
        })
        .collect();
    // Across the courses shown, month by month, from the reports as received (their latest
    // versions): what the chart draws and its table says.
    let totals: Vec<TotalRow> = months
        .iter()
        .map(|m| {
            let code = m.code();
            let of_month: Vec<_> = received
                .iter()
                .filter(|r| r.period == code && included.contains(&r.programme_id))
                .collect();
            let sum =
                |f: fn(&MonthlyFigures) -> u32| of_month.iter().map(|r| f(&r.figures)).sum::<u32>();
            let (completed, decided) =
                (sum(|f| f.completed), sum(|f| f.completed + f.not_completed));
            TotalRow {
                month: view::month(page.lang, &code),
                reports: of_month.len(),
                enrolled: sum(|f| f.enrolled),
                completed,
                rate: koshu_forms::report::Figure::Percent(
                    (decided > 0).then(|| completed * 100 / decided),
                )
                .text(),
                bar: 0,
            }
        })
        .collect();
    let most = totals.iter().map(|t| t.completed).max().unwrap_or(0);
    let totals = totals
        .into_iter()
        .map(|mut t| {
            t.bar = super::registry::bar(
                usize::try_from(t.completed).unwrap_or(0),
                usize::try_from(most).unwrap_or(0),
            );
            t
        })
        .collect();
    let field_label = |code: &str| {
        state.taxonomy.itss_field(code).map_or_else(
            || code.to_owned(),
            |f| f.label.pick(page.lang.is_en()).to_owned(),
        )
    };
    let query = serde_urlencoded::to_string([
        ("provider", q.provider.as_str()),
        ("field", q.field.as_str()),
        ("months", q.months.as_str()),
    ])
    .unwrap_or_default();
    Ok(MinistryReportsPage {
        months: months
            .iter()
            .map(|m| view::month(page.lang, &m.code()))
            .collect(),
        lines,
        counts,
        totals,
        providers,
        fields: fields.iter().map(|f| (f.clone(), field_label(f))).collect(),
        twelve: shown == 12,
        filter: q,
        query,
        page,
    })
}

/// A course's month as the ministry reads it: the figures now, the versions submitted.
pub async fn ministry_report(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((programme, month)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    auth.require(koshu_domain::access::Action::ReviewApplications)?;
    let report = reports::report(&state.workflow, &programme, period_of(&month)?).await?;
    let org = state
        .store
        .organisation(&report.designation.organisation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let notice = (q.done == "chased").then(|| {
        page.t(
            "講座提供者の管理者に、提出を求めるメールを送りました。",
            "The provider's owners were mailed to submit the report.",
        )
        .to_owned()
    });
    render_report(&state, page, &org, &report, Reader::Ministry, notice).await
}

/// Mails the provider's owners for a missing report.
pub async fn chase(
    State(state): State<AppState>,
    auth: AuthContext,
    page: PageCtx,
    Path((programme, month)): Path<(String, String)>,
) -> Result<Response, AppError> {
    auth.require(koshu_domain::access::Action::ReviewApplications)?;
    let period = period_of(&month)?;
    reports::chase(&state.workflow, &programme, period).await?;
    Ok(Redirect::to(&page.href(&format!(
        "{MINISTRY}/{programme}/{}?done=chased",
        period.code()
    )))
    .into_response())
}

// The report as a file (issue 19 item 3): Excel, PDF and CSV, for the provider and the
// ministry alike. What was submitted (the latest version), or, before any, the figures as
// computed now, said so.

/// Serves `report.xlsx`, `report.pdf` or `report.csv` of `report`, by the path it was asked at.
fn report_file(
    today: time::Date,
    asked: &str,
    org: &koshu_store::organisations::OrganisationRecord,
    report: &CourseReport,
) -> Result<Response, AppError> {
    use super::applications::forms::{PDF, XLSX};
    use super::delivery::{csv_download, download};
    let latest = report.latest();
    let figures = latest.map_or(&report.figures, |v| &v.figures);
    let version = match latest {
        Some(v) => format!(
            "第{}版（{}提出）",
            v.version,
            view::date_time(crate::lang::Lang::Ja, v.submitted_at)
        ),
        None => format!(
            "未提出（{}時点の記録から計算）",
            view::date(crate::lang::Lang::Ja, today)
        ),
    };
    let sessions: Vec<(String, String)> = figures
        .sessions
        .iter()
        .map(|s| {
            (
                view::date_span(crate::lang::Lang::Ja, s.first_day, s.last_day),
                s.place.clone(),
            )
        })
        .collect();
    let month = report.period.label_ja();
    let doc = koshu_forms::report::ReportDocument {
        form: report.period.form_ja(),
        course: &report.programme.programme.title_ja,
        number: &report.designation.number,
        provider: &org.organisation.name_ja,
        month: &month,
        version: &version,
        digest: latest.map(|v| v.digest.as_str()),
        remarks: latest.map_or("", |v| v.remarks.as_str()),
        sessions: &sessions,
        figures,
    };
    let name = format!(
        "koshu-report-{}-{}",
        report.designation.number,
        report.period.code()
    );
    if asked.ends_with(".xlsx") {
        let bytes = koshu_forms::report::workbook(&doc).map_err(AppError::internal)?;
        Ok(download(XLSX, &format!("{name}.xlsx"), bytes))
    } else if asked.ends_with(".pdf") {
        let bytes = koshu_forms::report::pdf(&doc).map_err(AppError::internal)?;
        Ok(download(PDF, &format!("{name}.pdf"), bytes))
    } else {
        Ok(csv_download(
            &format!("{name}.csv"),
            &["項目", "数"],
            &koshu_forms::report::summary(&doc),
        ))
    }
}

/// The provider's copy of a month's report as a file.
pub async fn provider_file(
    State(state): State<AppState>,
    auth: AuthContext,
    asked: axum::extract::MatchedPath,
    Path((id, programme, month)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let (org, _) = designated_course(&state, &auth, &id, &programme, false).await?;
    let report = reports::report(&state.workflow, &programme, period_of(&month)?).await?;
    report_file(view::today(&state), asked.as_str(), &org, &report)
}

/// The ministry's copy of a month's report as a file.
pub async fn ministry_file(
    State(state): State<AppState>,
    auth: AuthContext,
    asked: axum::extract::MatchedPath,
    Path((programme, month)): Path<(String, String)>,
) -> Result<Response, AppError> {
    auth.require(koshu_domain::access::Action::ReviewApplications)?;
    let report = reports::report(&state.workflow, &programme, period_of(&month)?).await?;
    let org = state
        .store
        .organisation(&report.designation.organisation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    report_file(view::today(&state), asked.as_str(), &org, &report)
}

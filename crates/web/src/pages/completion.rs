//! Completion (issue 16 item 3; B12, D05), the staff's side: a session's criteria (published
//! on its enrolment page and its programme's page, fixed once it starts), each learner's
//! results, the decision computed from them with its reasons, confirming and correcting it,
//! and the decisions as CSV. The learner's own decision is a section of their enrolment's page
//! (`learner_section`). Every write is one use case of `koshu_workflow::completion`.

use super::delivery::{base, csv_download, organisation, own_session, riss_text};
use super::forms::{FormField, FormPage, attach_errors, parse};
use super::rendered;
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::lang::Lang;
use crate::view::{self, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_domain::delivery::completion::{
    Assessment, CompletionCriteria, Decision, Mark, Outcome, Reason, RecordedResult, Scale,
    counting_result, d05_criteria_suggested_by, describe, minutes_en, minutes_ja, parse_rubric,
    rubric_text,
};
use koshu_domain::designation::application::{AssessmentKind, CompletionAssessment};
use koshu_store::completion::{CompletionRecord, ResultRecord};
use koshu_store::delivery::Enrolment;
use koshu_store::organisations::OrganisationRecord;
use koshu_workflow::WorkflowError;
use koshu_workflow::completion::{self as completion, LearnerCompletion, ResultEntry};
use koshu_workflow::delivery::CatalogueSession;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Assessments the criteria form offers; the domain allows more than a form needs.
const SLOTS: usize = 3;

fn t(lang: Lang, ja: &str, en: &str) -> String {
    lang.pick(ja, en).to_owned()
}

/// The criteria as learners read them, in the page's language (B12).
pub(crate) fn criteria_lines(lang: Lang, c: &CompletionCriteria) -> Vec<String> {
    describe(c)
        .into_iter()
        .map(|(ja, en)| if lang.is_en() { en } else { ja })
        .collect()
}

/// What the enrolment page says of completion before one applies: the criteria, or that the
/// provider has not published them yet.
pub(crate) async fn enrolment_facts(
    state: &AppState,
    lang: Lang,
    session_id: &str,
) -> Result<Vec<(String, String)>, AppError> {
    let term = t(lang, "修了の基準", "Completion criteria");
    Ok(match state.store.completion_criteria(session_id).await? {
        Some(c) => vec![(
            term,
            criteria_lines(lang, &c.criteria).join(lang.pick("。", ". ")),
        )],
        None => vec![(
            term,
            t(
                lang,
                "提供者がまだ公表していません。",
                "Not published by the provider yet.",
            ),
        )],
    })
}

fn reason_text(lang: Lang, r: &Reason) -> String {
    if lang.is_en() {
        r.en.clone()
    } else {
        r.ja.clone()
    }
}

/// A decision as the pages show it: outcome, hours and reasons (met or missed).
pub(crate) struct DecisionView {
    pub(crate) outcome: String,
    pub(crate) completed: bool,
    pub(crate) hours: String,
    pub(crate) reasons: Vec<(bool, String)>,
}

impl DecisionView {
    fn of(
        lang: Lang,
        outcome: Outcome,
        attended: u32,
        timetabled: u32,
        reasons: &[Reason],
    ) -> Self {
        Self {
            outcome: lang.pick(outcome.label_ja(), outcome.label_en()).to_owned(),
            completed: outcome == Outcome::Completed,
            hours: hours(lang, attended, timetabled),
            reasons: reasons
                .iter()
                .map(|r| (r.met, reason_text(lang, r)))
                .collect(),
        }
    }

    fn computed(lang: Lang, d: &Decision) -> Self {
        Self::of(
            lang,
            d.outcome,
            d.minutes.attended,
            d.minutes.timetabled,
            &d.reasons,
        )
    }

    fn issued(lang: Lang, d: &CompletionRecord) -> Self {
        Self::of(
            lang,
            d.outcome,
            d.attended_minutes,
            d.timetabled_minutes,
            &d.reasons,
        )
    }
}

fn hours(lang: Lang, attended: u32, timetabled: u32) -> String {
    if lang.is_en() {
        format!("{} of {}", minutes_en(attended), minutes_en(timetabled))
    } else {
        format!("{}／{}", minutes_ja(attended), minutes_ja(timetabled))
    }
}

/// The learner's own completion, for their enrolment's page: the published criteria and the
/// decision issued to them, with its reasons.
pub(crate) struct LearnerSection {
    pub(crate) criteria: Vec<String>,
    pub(crate) decision: Option<DecisionView>,
    pub(crate) decided: String,
    pub(crate) corrected: Option<String>,
}

pub(crate) async fn learner_section(
    state: &AppState,
    lang: Lang,
    e: &Enrolment,
) -> Result<Option<LearnerSection>, AppError> {
    let criteria = state.store.completion_criteria(&e.session_id).await?;
    let issued = state
        .store
        .completion_of(&e.session_id, &e.account_id)
        .await?;
    if criteria.is_none() && issued.is_none() {
        return Ok(None);
    }
    Ok(Some(LearnerSection {
        criteria: criteria
            .map(|c| criteria_lines(lang, &c.criteria))
            .unwrap_or_default(),
        decided: issued
            .as_ref()
            .map(|d| view::date_time(lang, d.decided_at))
            .unwrap_or_default(),
        corrected: issued.as_ref().and_then(|d| d.correction_reason.clone()),
        decision: issued.as_ref().map(|d| DecisionView::issued(lang, d)),
    }))
}

// The criteria form.

/// The form as pairs, by field name: drawn from the criteria and read back the same way.
#[derive(Debug, Default)]
struct CriteriaForm(BTreeMap<String, String>);

fn slot(i: usize, name: &str) -> String {
    format!("assessments[{i}].{name}")
}

impl CriteriaForm {
    fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }

    fn set(&mut self, name: String, value: impl Into<String>) {
        self.0.insert(name, value.into());
    }

    fn of(c: &CompletionCriteria, revision: i64) -> Self {
        let mut f = Self::default();
        for (i, a) in c.assessments.iter().enumerate().take(SLOTS) {
            f.set(slot(i, "name"), &a.name);
            match &a.scale {
                Scale::Test {
                    max_score,
                    pass_score,
                } => {
                    f.set(slot(i, "kind"), "test");
                    f.set(slot(i, "max_score"), max_score.to_string());
                    f.set(slot(i, "pass_score"), pass_score.to_string());
                }
                Scale::Rubric(r) => {
                    let (levels, pass, criteria) = rubric_text(r);
                    f.set(slot(i, "kind"), "rubric");
                    f.set(slot(i, "levels"), levels);
                    f.set(slot(i, "pass_level"), pass);
                    f.set(slot(i, "criteria"), criteria);
                }
            }
        }
        f.set(
            "min_attendance_percent".to_owned(),
            c.min_attendance_percent.to_string(),
        );
        f.set(
            "reassessment".to_owned(),
            if c.max_attempts > 1 {
                "allowed"
            } else {
                "none"
            },
        );
        if c.max_attempts > 1 {
            f.set("max_attempts".to_owned(), c.max_attempts.to_string());
        }
        if let Some(years) = c.credential_valid_years {
            f.set("credential_valid_years".to_owned(), years.to_string());
        }
        f.set("revision".to_owned(), revision.to_string());
        f
    }

    /// A first form: a test to fill in, no re-assessment.
    fn new_blank() -> Self {
        let mut f = Self::default();
        f.set(slot(0, "kind"), "test");
        f.set(slot(0, "name"), "修了テスト");
        f.set(slot(0, "max_score"), "100");
        f.set("reassessment".to_owned(), "none");
        f.set("revision".to_owned(), "0");
        f
    }

    /// The criteria, or each field's problem. Unused slots are left out; errors name the
    /// form's fields.
    fn criteria(&self) -> Result<CompletionCriteria, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let number = |field: &str, errors: &mut Vec<ValidationError>| -> u32 {
            self.get(field).trim().parse::<u32>().unwrap_or_else(|_| {
                errors.push(
                    ValidationError::new(
                        "number.format",
                        "0以上の整数で入力してください。",
                        "Enter a whole number, 0 or more.",
                    )
                    .for_field(field),
                );
                0
            })
        };
        let mut assessments = Vec::new();
        let mut slots = Vec::new();
        for i in 0..SLOTS {
            let name = self.get(&slot(i, "name")).trim().to_owned();
            let scale = match self.get(&slot(i, "kind")) {
                "test" => Scale::Test {
                    max_score: number(&slot(i, "max_score"), &mut errors),
                    pass_score: number(&slot(i, "pass_score"), &mut errors),
                },
                "rubric" => match parse_rubric(
                    self.get(&slot(i, "levels")),
                    self.get(&slot(i, "pass_level")),
                    self.get(&slot(i, "criteria")),
                ) {
                    Ok(r) => Scale::Rubric(r),
                    Err(e) => {
                        errors.push(e.for_field(slot(i, "criteria")));
                        continue;
                    }
                },
                _ => continue,
            };
            assessments.push(Assessment { name, scale });
            slots.push(i);
        }
        let min_attendance_percent = number("min_attendance_percent", &mut errors);
        let max_attempts = match self.get("reassessment") {
            "allowed" => {
                let n = number("max_attempts", &mut errors);
                if n < 2
                    && !errors
                        .iter()
                        .any(|e| e.field.as_deref() == Some("max_attempts"))
                {
                    errors.push(
                        ValidationError::new(
                            "completion.attempts_allowed",
                            "再評価ありの場合は、受験できる回数（最初の受験を含む）を2回以上にしてください。",
                            "With re-assessment, allow at least 2 attempts (the first included).",
                        )
                        .for_field("max_attempts"),
                    );
                }
                n
            }
            _ => 1,
        };
        let credential_valid_years = match self.get("credential_valid_years").trim() {
            "" => None,
            _ => Some(number("credential_valid_years", &mut errors)),
        };
        let criteria = CompletionCriteria {
            assessments,
            min_attendance_percent,
            max_attempts,
            credential_valid_years,
        };
        // The rules too, on what could be read: a form sent empty names every field at fault
        // at once. A field unreadable already keeps that problem.
        if let Err(rules) = koshu_domain::delivery::completion::d05_criteria_are_sound(&criteria) {
            for e in rules.into_iter().map(|e| form_field(e, &slots)) {
                if !errors.iter().any(|k| k.field == e.field) {
                    errors.push(e);
                }
            }
        }
        if errors.is_empty() {
            Ok(criteria)
        } else {
            Err(errors)
        }
    }
}

/// The domain names assessments by their place among those set; the form by its slot.
fn form_field(e: ValidationError, slots: &[usize]) -> ValidationError {
    let Some(field) = e.field.clone() else {
        return e;
    };
    if field == "assessments" {
        return e.for_field(slot(0, "kind"));
    }
    for (j, s) in slots.iter().enumerate() {
        let prefix = format!("assessments[{j}].");
        if let Some(rest) = field.strip_prefix(&prefix) {
            return e.for_field(slot(*s, rest));
        }
    }
    e
}

fn kind_label(page: &PageCtx, kind: Option<AssessmentKind>) -> String {
    match kind {
        Some(AssessmentKind::Test) => page.t("修了テスト", "Completion test"),
        Some(AssessmentKind::Presentation) => page.t("成果発表", "Presentation"),
        None => page.t("（記載なし）", "(not stated)"),
    }
    .to_owned()
}

fn criteria_page(
    page: PageCtx,
    session: &CatalogueSession,
    org_id: &str,
    form: &CriteriaForm,
    designated: Option<&CompletionAssessment>,
    started: bool,
    errors: &[ValidationError],
) -> FormPage {
    let s = &session.session;
    let b = base(org_id, s.id.as_str());
    let mut f = FormPage::new(
        page.clone(),
        &format!(
            "{}：{} {}",
            page.t("修了の基準", "Completion criteria"),
            session.title(),
            view::date_span(page.lang, s.starts_on, s.ends_on)
        ),
        &format!("{b}/completion/criteria"),
        page.t("保存して公表する", "Save and publish"),
    );
    f.intro.push(page.t(
        "保存すると、この回の申込みページと講座のページに公表します。受講者は申し込む前に基準を確認できます（B12）。最初のコマが始まった後は変更できません。",
        "Once saved, the criteria are published on the session's enrolment page and the programme's page, so that learners read them before applying (B12). They cannot change once the first block starts.",
    ).to_owned());
    f.intro.push(page.t(
        "修了には、どの回でも修了アンケートへの回答が必要です（回答の内容は評価に使いません）。",
        "Every session requires the end-of-course survey to be answered for completion (what is answered is not assessed).",
    ).to_owned());
    if started {
        f.notice = Some(
            page.t(
                "この回は始まっているため、修了の基準は変更できません。",
                "This session has started: its completion criteria can no longer change.",
            )
            .to_owned(),
        );
    }
    if let Some(a) = designated {
        f.intro.push(page.t(
            "特定講習として指定された申請書の修了評価の記載です（参考）。新しく設定するときの初期値はこの記載から作りました。内容を確認してから保存してください。",
            "What the designated application says of the assessment (for reference); a first set of criteria was drawn from it. Check it before saving.",
        ).to_owned());
        f.facts = vec![
            (
                page.t("申請書：評価の方法", "Application: method")
                    .to_owned(),
                kind_label(&page, a.kind),
            ),
            (
                page.t("申請書：評価の進め方", "Application: process")
                    .to_owned(),
                a.process.clone(),
            ),
            (
                page.t("申請書：修了認定の基準", "Application: criteria")
                    .to_owned(),
                a.criteria.clone(),
            ),
            (
                page.t("申請書：合格基準", "Application: pass mark")
                    .to_owned(),
                a.pass_mark.clone(),
            ),
        ];
    }
    let mut fields = Vec::new();
    for i in 0..SLOTS {
        let n = i + 1;
        let mut kinds = vec![
            (
                "test".to_owned(),
                page.t("修了テスト（点数）", "Test (a score)").to_owned(),
            ),
            (
                "rubric".to_owned(),
                page.t(
                    "成果発表など（ルーブリック）",
                    "Presentation or similar (a rubric)",
                )
                .to_owned(),
            ),
        ];
        if i > 0 {
            kinds.insert(
                0,
                ("none".to_owned(), page.t("使わない", "Not used").to_owned()),
            );
        }
        let mut kind = FormField::new(&slot(i, "kind"), page.t("評価の種類", "Kind"), "radio")
            .value(if form.get(&slot(i, "kind")).is_empty() && i > 0 {
                "none"
            } else {
                form.get(&slot(i, "kind"))
            })
            .options(kinds)
            .heading(&format!("{}{n}", page.t("評価", "Assessment ")));
        if i > 0 {
            kind = kind.optional();
        }
        // Every detail is optional on its own: which are needed depends on the kind.
        let detail = |name: &str, label: &str, kind: &'static str, hint: &str| {
            FormField::new(&slot(i, name), label, kind)
                .value(form.get(&slot(i, name)))
                .optional()
                .hint(hint)
        };
        fields.extend([
            kind,
            detail("name", page.t("名称", "Name"), "text", page.t("例：修了テスト、成果発表", "For example: completion test, presentation")),
            detail("max_score", page.t("満点", "Maximum score"), "number", page.t("テストの場合", "For a test")),
            detail("pass_score", page.t("合格点（この点数以上で合格）", "Pass score (this or more passes)"), "number", page.t("テストの場合", "For a test")),
            detail("levels", page.t("ルーブリックの段階（良い順）", "Rubric levels, best first"), "text", page.t("ルーブリックの場合。例：A,B,C,D", "For a rubric, for example A,B,C,D")),
            detail("pass_level", page.t("合格の段階（全観点共通）", "Pass level (every criterion)"), "text", page.t("この段階以上で合格。例：B", "This level or better passes, for example B")),
            detail(
                "criteria",
                page.t("ルーブリックの観点", "Rubric criteria"),
                "textarea",
                page.t(
                    "1行に1つ。観点ごとに合格の段階が違うときは、行の最後に書きます（例：提案の具体性 A）。",
                    "One a line; a criterion with a pass level of its own ends with it (for example: Concreteness of the proposal A).",
                ),
            ),
        ]);
    }
    fields.extend([
        FormField::new(
            "min_attendance_percent",
            page.t("必要な出席率（%）", "Attendance required (%)"),
            "number",
        )
        .value(form.get("min_attendance_percent"))
        .heading(page.t("出席", "Attendance"))
        .hint(page.t(
            "時間割の時間のうち、出席の基準（コマごとの出欠）で出席となった時間の割合（0〜100）。",
            "The share of the timetable attended under the attendance rules (block by block), 0-100.",
        )),
        FormField::new("reassessment", page.t("再評価", "Re-assessment"), "radio")
            .value(form.get("reassessment"))
            .options(vec![
                ("none".to_owned(), page.t("行わない", "None").to_owned()),
                (
                    "allowed".to_owned(),
                    page.t("不合格の場合に行う", "After a fail").to_owned(),
                ),
            ])
            .heading(page.t("再評価", "Re-assessment")),
        FormField::new(
            "max_attempts",
            page.t("受験できる回数（最初の受験を含む）", "Attempts allowed (the first included)"),
            "number",
        )
        .value(form.get("max_attempts"))
        .optional()
        .hint(page.t("再評価を行う場合。例：2", "With re-assessment, for example 2")),
        FormField::new(
            "credential_valid_years",
            page.t("修了証の有効期間（年）", "Certificate valid for (years)"),
            "number",
        )
        .value(form.get("credential_valid_years"))
        .optional()
        .heading(page.t("修了証", "Certificate"))
        .hint(page.t(
            "空欄なら無期限です。例：3（修了日から3年間）",
            "Leave empty for no end; for example 3 (three years from completion)",
        )),
        FormField::new("revision", "", "hidden")
            .value(form.get("revision"))
            .optional(),
    ]);
    f.fields = fields;
    f.links.push((
        page.t("修了判定へ戻る", "Back to completion").to_owned(),
        page.href(&format!("{b}/completion")),
    ));
    f.with_errors(errors)
}

pub async fn criteria_form(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, true).await?;
    let session = own_session(&state, &org, &session_id).await?;
    let criteria = state.store.completion_criteria(&session_id).await?;
    let designated = completion::designated_assessment(&state.workflow, &session).await?;
    let form = match (&criteria, &designated) {
        (Some(c), _) => CriteriaForm::of(&c.criteria, c.revision),
        (None, Some(a)) => CriteriaForm::of(&d05_criteria_suggested_by(a), 0),
        (None, None) => CriteriaForm::new_blank(),
    };
    let f = criteria_page(
        page,
        &session,
        &org.id,
        &form,
        designated.as_ref(),
        delivered_started(&state, &session_id).await?,
        &[],
    );
    rendered(StatusCode::OK, f)
}

pub async fn save_criteria(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor) = organisation(&state, &auth, &id, true).await?;
    let session = own_session(&state, &org, &session_id).await?;
    let pairs: Vec<(String, String)> = parse(&body)?;
    let form = CriteriaForm(pairs.into_iter().collect());
    let revision = form.get("revision").trim().parse::<i64>().unwrap_or(0);
    let errors = match form.criteria() {
        Err(errors) => errors,
        Ok(criteria) => {
            match completion::save_criteria(
                &state.workflow,
                &session_id,
                &criteria,
                revision,
                &actor,
            )
            .await
            {
                Ok(Ok(_)) => {
                    return Ok(Redirect::to(&page.href(&format!(
                        "{}/completion?done=criteria",
                        base(&org.id, &session_id)
                    )))
                    .into_response());
                }
                Ok(Err(errors)) => errors,
                Err(WorkflowError::Invalid(e)) => vec![e],
                Err(e) => return Err(e.into()),
            }
        }
    };
    let designated = completion::designated_assessment(&state.workflow, &session).await?;
    let started = delivered_started(&state, &session_id).await?;
    let f = criteria_page(
        page,
        &session,
        &org.id,
        &form,
        designated.as_ref(),
        started,
        &errors,
    );
    rendered(StatusCode::UNPROCESSABLE_ENTITY, f)
}

async fn delivered_started(state: &AppState, session_id: &str) -> Result<bool, AppError> {
    let d = state
        .store
        .delivery(session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(d.plan
        .first_start(koshu_workflow::JST)
        .is_some_and(|s| state.clock.now() >= s))
}

// The completion page: every learner's line.

/// The result that counts for each assessment, in a few words.
fn marks(lang: Lang, criteria: &CompletionCriteria, results: &[ResultRecord]) -> Vec<String> {
    let recorded: Vec<RecordedResult> = results.iter().map(|r| r.result.clone()).collect();
    (1u32..)
        .zip(&criteria.assessments)
        .map(|(n, a)| match counting_result(&recorded, n) {
            None => t(lang, "未受験", "Not taken"),
            Some(r) => {
                let mark = mark_text(lang, a, &r.mark);
                match (r.attempt, lang.is_en()) {
                    (1, _) => mark,
                    (n, false) => format!("{mark}（{n}回目）"),
                    (n, true) => format!("{mark} (attempt {n})"),
                }
            }
        })
        .collect()
}

fn mark_text(lang: Lang, a: &Assessment, mark: &Mark) -> String {
    match (&a.scale, mark) {
        (_, Mark::Score { points }) => format!("{points}{}", lang.pick("点", " points")),
        (Scale::Rubric(r), Mark::Levels { levels }) => r
            .criteria
            .iter()
            .zip(levels)
            .map(|(k, l)| format!("{} {l}", k.name))
            .collect::<Vec<_>>()
            .join(lang.pick("・", ", ")),
        (_, Mark::Levels { levels }) => levels.join(","),
    }
}

struct LearnerRow {
    name: String,
    kana: String,
    href: String,
    enrolment: String,
    attendance: String,
    hours: String,
    marks: Vec<String>,
    survey: bool,
    computed: Option<DecisionView>,
    issued: Option<String>,
    /// The outcome a confirm button issues, with its label, when one may.
    confirm: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "delivery_completion.html")]
struct CompletionPage {
    page: PageCtx,
    title: String,
    dates: String,
    base: String,
    criteria: Vec<String>,
    assessments: Vec<String>,
    rows: Vec<LearnerRow>,
    can_run: bool,
    started: bool,
    over: bool,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
    assessment: String,
}

fn done_notice(page: &PageCtx, done: &str) -> Option<String> {
    Some(
        match done {
            "criteria" => page.t(
                "修了の基準を保存し、公表しました。",
                "The completion criteria are saved and published.",
            ),
            "recorded" => page.t("結果を記録しました。", "The result is recorded."),
            "confirmed" => page.t(
                "修了判定を確定し、受講者にメールで知らせました。",
                "The decision is issued and the learner told by mail.",
            ),
            "corrected" => page.t(
                "修了判定を訂正し、受講者にメールで知らせました。",
                "The decision is corrected and the learner told by mail.",
            ),
            _ => return None,
        }
        .to_owned(),
    )
}

fn confirm_button(page: &PageCtx, outcome: Outcome) -> (String, String) {
    (
        outcome.code().to_owned(),
        match outcome {
            Outcome::Completed => page.t("修了として確定する", "Issue as completed"),
            Outcome::NotCompleted => page.t("未修了として確定する", "Issue as not completed"),
        }
        .to_owned(),
    )
}

fn issued_text(page: &PageCtx, d: &CompletionRecord) -> String {
    let mut s = format!(
        "{}（{}）",
        page.t(d.outcome.label_ja(), d.outcome.label_en()),
        view::date_time(page.lang, d.decided_at)
    );
    if d.supersedes.is_some() {
        s.push_str(page.t("・訂正あり", ", corrected"));
    }
    s
}

pub async fn page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    let session = own_session(&state, &org, &session_id).await?;
    let sc = completion::decide(&state.workflow, &session_id).await?;
    let can_run = auth.require(Action::RunDelivery(&org.id)).is_ok();
    let b = base(&org.id, &session_id);
    let lang = page.lang;
    let rows = sc
        .learners
        .iter()
        .map(|l| LearnerRow {
            name: l
                .learner
                .as_ref()
                .map(|x| x.profile.name.clone())
                .unwrap_or_default(),
            kana: l
                .learner
                .as_ref()
                .map(|x| x.profile.name_kana.clone())
                .unwrap_or_default(),
            href: page.href(&format!("{b}/completion/enrolments/{}", l.enrolment.id)),
            enrolment: l.enrolment.id.clone(),
            attendance: format!("{}%", l.minutes.percent()),
            hours: hours(lang, l.minutes.attended, l.minutes.timetabled),
            marks: sc
                .criteria
                .as_ref()
                .map(|c| marks(lang, &c.criteria, &l.results))
                .unwrap_or_default(),
            survey: l.survey_answered,
            computed: l.computed.as_ref().map(|d| DecisionView::computed(lang, d)),
            issued: l.issued.as_ref().map(|d| issued_text(&page, d)),
            confirm: l
                .computed
                .as_ref()
                .filter(|_| can_run && sc.over && l.issued.is_none())
                .map(|d| confirm_button(&page, d.outcome)),
        })
        .collect();
    rendered(
        StatusCode::OK,
        CompletionPage {
            title: session.title().to_owned(),
            dates: view::date_span(lang, session.session.starts_on, session.session.ends_on),
            base: b,
            criteria: sc
                .criteria
                .as_ref()
                .map(|c| criteria_lines(lang, &c.criteria))
                .unwrap_or_default(),
            assessments: sc
                .criteria
                .as_ref()
                .map(|c| {
                    c.criteria
                        .assessments
                        .iter()
                        .map(|a| a.name.clone())
                        .collect()
                })
                .unwrap_or_default(),
            rows,
            can_run,
            started: sc.started,
            over: sc.over,
            notice: done_notice(&page, &q.done),
            page,
        },
    )
}

/// The decisions as the CSV carries them: one line per enrolled learner, the current decision
/// (empty until issued).
pub async fn csv(
    State(state): State<AppState>,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    own_session(&state, &org, &session_id).await?;
    let sc = completion::decide(&state.workflow, &session_id).await?;
    let assessments: Vec<String> = sc
        .criteria
        .as_ref()
        .map(|c| {
            c.criteria
                .assessments
                .iter()
                .map(|a| a.name.clone())
                .collect()
        })
        .unwrap_or_default();
    let mut header: Vec<String> = [
        "氏名",
        "氏名（カナ）",
        "メールアドレス",
        "登録番号",
        "出席率（%）",
        "出席時間（分）",
        "時間割（分）",
    ]
    .map(str::to_owned)
    .to_vec();
    header.extend(assessments.iter().cloned());
    header.extend(
        [
            "アンケート",
            "判定",
            "判定日時",
            "判定者",
            "理由",
            "訂正の理由",
        ]
        .map(str::to_owned),
    );
    let mut names = BTreeMap::new();
    let mut rows = Vec::new();
    for l in &sc.learners {
        let learner = l.learner.as_ref();
        let mut row = vec![
            learner.map(|x| x.profile.name.clone()).unwrap_or_default(),
            learner
                .map(|x| x.profile.name_kana.clone())
                .unwrap_or_default(),
            learner.map(|x| x.email.clone()).unwrap_or_default(),
            learner
                .and_then(|x| x.profile.riss.as_ref())
                .map(|r| r.number.digits().to_owned())
                .unwrap_or_default(),
        ];
        let issued = l.issued.as_ref();
        // The issued decision's hours where there is one: what the record says.
        let (attended, timetabled, percent) = match issued {
            Some(d) => (
                d.attended_minutes,
                d.timetabled_minutes,
                d.attendance_percent,
            ),
            None => (
                l.minutes.attended,
                l.minutes.timetabled,
                l.minutes.percent(),
            ),
        };
        row.extend([
            percent.to_string(),
            attended.to_string(),
            timetabled.to_string(),
        ]);
        if let Some(c) = &sc.criteria {
            row.extend(marks(Lang::Ja, &c.criteria, &l.results));
        }
        row.push(
            if l.survey_answered {
                "回答済み"
            } else {
                "未回答"
            }
            .to_owned(),
        );
        match issued {
            Some(d) => {
                let by = decided_by(&state, &mut names, &d.decided_by).await?;
                row.extend([
                    d.outcome.label_ja().to_owned(),
                    view::date_time(Lang::Ja, d.decided_at),
                    by,
                    d.reasons
                        .iter()
                        .map(|r| format!("{}{}", if r.met { "○" } else { "×" }, r.ja))
                        .collect::<Vec<_>>()
                        .join("／"),
                    d.correction_reason.clone().unwrap_or_default(),
                ]);
            }
            None => row.extend([
                "未確定".to_owned(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]),
        }
        rows.push(row);
    }
    Ok(csv_download(
        &format!("completion-{session_id}.csv"),
        &header,
        &rows,
    ))
}

/// Who decided, by their name (the record keeps the actor as the audit log names them).
async fn decided_by(
    state: &AppState,
    names: &mut BTreeMap<String, String>,
    actor: &str,
) -> Result<String, AppError> {
    if let Some(n) = names.get(actor) {
        return Ok(n.clone());
    }
    let name = match actor.strip_prefix("account:") {
        Some(id) => state
            .store
            .account(id)
            .await?
            .map_or_else(|| actor.to_owned(), |a| a.display_name),
        None => actor.to_owned(),
    };
    names.insert(actor.to_owned(), name.clone());
    Ok(name)
}

// One learner: results, the assessment form, confirming and correcting.

struct ResultRow {
    assessment: String,
    attempt: u32,
    mark: String,
    recorded: String,
    correction: Option<String>,
}

struct HistoryRow {
    outcome: String,
    decided: String,
    by: String,
    correction: Option<String>,
}

#[derive(Template)]
#[template(path = "delivery_assessment.html")]
struct AssessmentPage {
    page: PageCtx,
    title: String,
    name: String,
    base: String,
    enrolment: String,
    facts: Vec<(String, String)>,
    /// Each assessment: its label, the page recording it, and whether it is this one.
    assessments: Vec<(String, String, bool)>,
    results: Vec<ResultRow>,
    /// The record form: where it posts, its fields and their errors.
    action: String,
    fields: Vec<FormField>,
    general_errors: Vec<String>,
    has_criteria: bool,
    computed: Option<DecisionView>,
    confirm: Option<(String, String)>,
    issued: Option<DecisionView>,
    issued_id: String,
    /// The records say now what the issued decision says: there is nothing to correct.
    as_issued: bool,
    history: Vec<HistoryRow>,
    over: bool,
    notice: Option<String>,
}

impl AssessmentPage {
    /// Every field error and general error, for the summary at the top.
    fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

/// What a learner's pages start from: the organisation (once its staff may run delivery), the
/// actor, the session, and the session's enrolment `enrolment` (another session's is 404).
async fn session_enrolment(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
    session_id: &str,
    enrolment: &str,
) -> Result<(OrganisationRecord, String, CatalogueSession, Enrolment), AppError> {
    let (org, actor) = organisation(state, auth, id, true).await?;
    let session = own_session(state, &org, session_id).await?;
    let e = state
        .store
        .enrolment(enrolment)
        .await?
        .filter(|e| e.session_id == session_id)
        .ok_or(AppError::NotFound)?;
    Ok((org, actor, session, e))
}

/// The session's completion and the learner's line in it (404 unless enrolled).
async fn learner_line(
    state: &AppState,
    session_id: &str,
    e: &Enrolment,
) -> Result<(completion::SessionCompletion, LearnerCompletion), AppError> {
    let sc = completion::decide(&state.workflow, session_id).await?;
    let line = sc
        .learner(&e.account_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    Ok((sc, line))
}

/// The record form's fields for assessment `number` of the criteria, with the values sent.
fn record_fields(
    page: &PageCtx,
    number: u32,
    a: &Assessment,
    line: &LearnerCompletion,
    sent: &BTreeMap<String, String>,
) -> Vec<FormField> {
    let value = |name: &str| sent.get(name).map_or("", String::as_str);
    let recorded: Vec<RecordedResult> = line.results.iter().map(|r| r.result.clone()).collect();
    let last = counting_result(&recorded, number);
    let mut fields = vec![FormField::new("assessment", "", "hidden").value(&number.to_string())];
    match &a.scale {
        Scale::Test { max_score, .. } => fields.push(
            FormField::new(
                "score",
                &format!("{}{}", a.name, page.t("の点数", ": score")),
                "number",
            )
            .value(value("score"))
            .hint(&format!(
                "{}{max_score}{}",
                page.t("0〜", "From 0 to "),
                page.t("点", "")
            )),
        ),
        Scale::Rubric(r) => {
            for (k, criterion) in r.criteria.iter().enumerate() {
                let name = format!("levels[{k}]");
                fields.push(
                    FormField::new(&name, &criterion.name, "radio")
                        .value(value(&name))
                        .options(r.levels.iter().map(|l| (l.clone(), l.clone())).collect())
                        .hint(&format!(
                            "{}{}{}",
                            page.t("合格：", "Pass: "),
                            criterion.pass_level,
                            page.t("以上", " or better")
                        )),
                );
            }
        }
    }
    let attempt = |what_ja: &str, what_en: &str, n: u32| {
        if page.lang.is_en() {
            format!("{what_en} (attempt {n})")
        } else {
            format!("{what_ja}（{n}回目）")
        }
    };
    let next = last.map_or(1, |r| r.attempt + 1);
    let mut entries = vec![(
        "new".to_owned(),
        attempt("新しい結果", "A new result", next),
    )];
    if let Some(r) = last {
        entries.push((
            "correction".to_owned(),
            attempt(
                "記録済みの結果の訂正",
                "A correction of the recorded result",
                r.attempt,
            ),
        ));
        fields.push(
            FormField::new("entry", page.t("記録の種類", "What this is"), "radio")
                .value(if value("entry").is_empty() {
                    "new"
                } else {
                    value("entry")
                })
                .options(entries),
        );
        fields.push(
            FormField::new(
                "reason",
                page.t("訂正の理由", "Reason for the correction"),
                "text",
            )
            .value(value("reason"))
            .optional()
            .hint(page.t(
                "訂正の場合に入力します。元の記録も理由とともに残ります。",
                "For a correction; the earlier record stays, with the reason.",
            )),
        );
    } else {
        fields.push(FormField::new("entry", "", "hidden").value("new"));
    }
    fields
}

#[allow(
    clippy::too_many_arguments,
    reason = "the page and what it shows, each named"
)]
async fn assessment_page(
    state: &AppState,
    page: PageCtx,
    org_id: &str,
    session: &CatalogueSession,
    sc: &completion::SessionCompletion,
    line: &LearnerCompletion,
    number: u32,
    sent: &BTreeMap<String, String>,
    errors: &[ValidationError],
    done: &str,
) -> Result<AssessmentPage, AppError> {
    let lang = page.lang;
    let b = base(org_id, session.session.id.as_str());
    let here = format!("{b}/completion/enrolments/{}", line.enrolment.id);
    let criteria = sc.criteria.as_ref().map(|c| &c.criteria);
    let name = line
        .learner
        .as_ref()
        .map(|l| l.profile.name.clone())
        .unwrap_or_default();
    let mut facts = vec![
        (
            t(lang, "氏名（カナ）", "Name in katakana"),
            line.learner
                .as_ref()
                .map(|l| l.profile.name_kana.clone())
                .unwrap_or_default(),
        ),
        (
            t(lang, "登録番号", "RISS number"),
            riss_text(line.learner.as_ref()),
        ),
        (
            t(lang, "出席率", "Attendance"),
            format!("{}%", line.minutes.percent()),
        ),
        (
            t(lang, "受講時間", "Hours attended"),
            hours(lang, line.minutes.attended, line.minutes.timetabled),
        ),
        (
            t(lang, "アンケート", "Survey"),
            t(
                lang,
                if line.survey_answered {
                    "回答済み"
                } else {
                    "未回答"
                },
                if line.survey_answered {
                    "Answered"
                } else {
                    "Not answered"
                },
            ),
        ),
    ];
    facts.retain(|(_, v)| !v.is_empty());
    let results = line
        .results
        .iter()
        .map(|r| {
            let a = criteria.and_then(|c| {
                koshu_domain::delivery::completion::assessment(c, r.result.assessment).ok()
            });
            ResultRow {
                assessment: a.map_or_else(|| r.result.assessment.to_string(), |a| a.name.clone()),
                attempt: r.result.attempt,
                mark: a.map_or_else(String::new, |a| mark_text(lang, a, &r.result.mark)),
                recorded: view::date_time(lang, r.recorded_at),
                correction: r.correction_reason.clone(),
            }
        })
        .collect();
    let (assessments, mut fields) = match criteria {
        Some(c) => {
            let links = (1u32..)
                .zip(&c.assessments)
                .map(|(n, a)| {
                    (
                        a.name.clone(),
                        page.href(&format!("{here}?assessment={n}")),
                        n == number,
                    )
                })
                .collect();
            let fields = koshu_domain::delivery::completion::assessment(c, number)
                .map(|a| record_fields(&page, number, a, line, sent))
                .unwrap_or_default();
            (links, fields)
        }
        None => (Vec::new(), Vec::new()),
    };
    let general_errors = attach_errors(&mut fields, &page, errors);
    let mut names = BTreeMap::new();
    let mut history = Vec::new();
    for d in state
        .store
        .completion_history(&sc.delivery.session_id, &line.enrolment.account_id)
        .await?
    {
        history.push(HistoryRow {
            outcome: t(lang, d.outcome.label_ja(), d.outcome.label_en()),
            decided: view::date_time(lang, d.decided_at),
            by: decided_by(state, &mut names, &d.decided_by).await?,
            correction: d.correction_reason.clone(),
        });
    }
    Ok(AssessmentPage {
        title: session.title().to_owned(),
        name,
        base: b,
        enrolment: line.enrolment.id.clone(),
        facts,
        assessments,
        results,
        action: page.href(&here),
        fields,
        general_errors,
        has_criteria: criteria.is_some(),
        computed: line
            .computed
            .as_ref()
            .map(|d| DecisionView::computed(lang, d)),
        confirm: line
            .computed
            .as_ref()
            .filter(|_| sc.over && line.issued.is_none())
            .map(|d| confirm_button(&page, d.outcome)),
        issued: line.issued.as_ref().map(|d| DecisionView::issued(lang, d)),
        issued_id: line
            .issued
            .as_ref()
            .map(|d| d.id.clone())
            .unwrap_or_default(),
        as_issued: line.issued_as_computed(),
        history,
        over: sc.over,
        notice: done_notice(&page, done),
        page,
    })
}

pub async fn learner(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id, enrolment)): Path<(String, String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let (org, _, session, e) =
        session_enrolment(&state, &auth, &id, &session_id, &enrolment).await?;
    let (sc, line) = learner_line(&state, &session_id, &e).await?;
    let number = q.assessment.trim().parse::<u32>().unwrap_or(1);
    let p = assessment_page(
        &state,
        page,
        &org.id,
        &session,
        &sc,
        &line,
        number,
        &BTreeMap::new(),
        &[],
        &q.done,
    )
    .await?;
    rendered(StatusCode::OK, p)
}

fn choose_level() -> ValidationError {
    ValidationError::new(
        "completion.level_required",
        "段階を選んでください。",
        "Choose a level.",
    )
}

/// The mark the form sends for assessment `a`, or each field's problem.
fn sent_mark(
    a: &Assessment,
    sent: &BTreeMap<String, String>,
) -> Result<Mark, Vec<ValidationError>> {
    match &a.scale {
        Scale::Test { .. } => sent
            .get("score")
            .map(|s| s.trim())
            .and_then(|s| s.parse::<u32>().ok())
            .map(|points| Mark::Score { points })
            .ok_or_else(|| {
                vec![
                    ValidationError::new(
                        "completion.score_required",
                        "点数を0以上の整数で入力してください。",
                        "Enter the score as a whole number, 0 or more.",
                    )
                    .for_field("score"),
                ]
            }),
        Scale::Rubric(r) => {
            let mut levels = Vec::new();
            let mut errors = Vec::new();
            for k in 0..r.criteria.len() {
                let name = format!("levels[{k}]");
                match sent.get(&name).filter(|l| !l.is_empty()) {
                    Some(l) => levels.push(l.clone()),
                    None => errors.push(choose_level().for_field(name)),
                }
            }
            if errors.is_empty() {
                Ok(Mark::Levels { levels })
            } else {
                Err(errors)
            }
        }
    }
}

pub async fn record(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id, enrolment)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor, session, e) =
        session_enrolment(&state, &auth, &id, &session_id, &enrolment).await?;
    let (sc, line) = learner_line(&state, &session_id, &e).await?;
    let pairs: Vec<(String, String)> = parse(&body)?;
    let sent: BTreeMap<String, String> = pairs.into_iter().collect();
    let number = sent
        .get("assessment")
        .and_then(|n| n.trim().parse::<u32>().ok())
        .unwrap_or(1);
    let criteria = sc
        .criteria
        .as_ref()
        .ok_or_else(|| AppError::Invalid(completion::no_criteria()))?;
    let a = koshu_domain::delivery::completion::assessment(&criteria.criteria, number)?;
    let errors = match sent_mark(a, &sent) {
        Err(errors) => errors,
        Ok(mark) => {
            let correction = (sent.get("entry").map(String::as_str) == Some("correction"))
                .then(|| sent.get("reason").map_or("", String::as_str));
            let entry = ResultEntry {
                assessment: number,
                mark,
                correction,
            };
            match completion::record_result(
                &state.workflow,
                &session_id,
                &line.enrolment.account_id,
                &entry,
                &actor,
            )
            .await
            {
                Ok(_) => {
                    return Ok(Redirect::to(&page.href(&format!(
                        "{}/completion/enrolments/{enrolment}?assessment={number}&done=recorded",
                        base(&org.id, &session_id)
                    )))
                    .into_response());
                }
                Err(WorkflowError::Invalid(e)) => vec![record_field(e)],
                Err(e) => return Err(e.into()),
            }
        }
    };
    let p = assessment_page(
        &state, page, &org.id, &session, &sc, &line, number, &sent, &errors, "",
    )
    .await?;
    rendered(StatusCode::UNPROCESSABLE_ENTITY, p)
}

/// The use case names the mark and the attempt as a whole; the form by its fields.
fn record_field(e: ValidationError) -> ValidationError {
    match e.field.as_deref() {
        Some("levels") => e.for_field("levels[0]"),
        Some("assessment") => ValidationError { field: None, ..e },
        _ => e,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    outcome: String,
}

pub async fn confirm(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id, enrolment)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor, _, e) = session_enrolment(&state, &auth, &id, &session_id, &enrolment).await?;
    let form: ConfirmForm = parse(&body)?;
    let outcome = Outcome::from_code(&form.outcome).ok_or_else(|| {
        AppError::Invalid(
            ValidationError::new(
                "completion.outcome",
                "確定する判定（修了または未修了）を選んでください。",
                "Choose the decision to issue: completed or not completed.",
            )
            .for_field("outcome"),
        )
    })?;
    completion::confirm(&state.workflow, &session_id, &e.account_id, outcome, &actor).await?;
    Ok(Redirect::to(&page.href(&format!(
        "{}/completion?done=confirmed",
        base(&org.id, &session_id)
    )))
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CorrectForm {
    supersedes: String,
    reason: String,
}

pub async fn correct(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id, enrolment)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor, _, e) = session_enrolment(&state, &auth, &id, &session_id, &enrolment).await?;
    let form: CorrectForm = parse(&body)?;
    completion::correct(
        &state.workflow,
        &session_id,
        &e.account_id,
        form.supersedes.trim(),
        &form.reason,
        &actor,
    )
    .await?;
    Ok(Redirect::to(&page.href(&format!(
        "{}/completion/enrolments/{enrolment}?done=corrected",
        base(&org.id, &session_id)
    )))
    .into_response())
}

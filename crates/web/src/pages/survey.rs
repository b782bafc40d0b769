//! The end-of-course survey (issue 16 item 4; B08, D07): the learner's form (once, in the
//! session's window, with how the answers are kept apart from them), the provider's results
//! (nothing but the count below five answers), its own items and its improvements, and the
//! administrator's versions of the ministry's items. Every write is one use case of
//! `koshu_workflow::survey`.

use std::collections::BTreeMap;

use super::delivery::{base, csv_download, organisation, own_session};
use super::forms::{FormField, attach_errors, parse};
use super::learning::own;
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
use koshu_domain::delivery::survey::{
    ItemKind, ItemResult, ItemRow, MIN_RESPONSES, Results, SessionSurvey, SurveyItem,
};
use koshu_store::delivery::Enrolment;
use koshu_workflow::delivery::CatalogueSession;
use koshu_workflow::survey::{self as survey, LearnerSurvey};
use koshu_workflow::{JST, account_actor};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

fn en(page: &PageCtx) -> bool {
    page.lang == Lang::En
}

/// The items' set, as a page names where they come from.
fn ministry_heading(page: &PageCtx, version: Option<u32>) -> String {
    match version {
        Some(v) => format!(
            "{}{v}{}",
            page.t(
                "経済産業省の項目（Koshu の管理者が管理する項目セット 第",
                "The ministry's items (the set Koshu's administrators keep, version "
            ),
            page.t("版）", ")")
        ),
        None => page
            .t("経済産業省の項目", "The ministry's items")
            .to_owned(),
    }
}

// The learner's form.

/// How the answers are kept, as the learner's page says it (B08, D07).
fn privacy_points(page: &PageCtx) -> Vec<String> {
    [
        (
            "あなたが回答したこと（修了の判定に使います）と、回答の内容は、別々に保存します。両者を結び付ける番号・日時・順番は、どちらにも記録しません。",
            "That you answered (completion needs it) and what you answered are stored apart. Neither holds a number, a time or an order that would join them.",
        ),
        (
            "選択した回答は、この回の項目・選択肢ごとの件数に足し込み、回答が届くたびにすべての件数を書き直します。自由記述は項目ごとに1つのリストにまとめ、回答が届くたびに並べ替えます。あなた1人分の回答という記録はどこにも残りません。",
            "Your choices are added to this session's count for each item and option, and every count is rewritten whenever an answer arrives. Free texts go into one list per item, reshuffled at every answer. No record of your answer as one person's exists anywhere.",
        ),
        (
            "講座の提供者には、回答が5件以上集まってから、項目ごとの集計（件数・割合・平均）と、順番を入れ替えた自由記述だけを表示します。4件以下のうちは件数だけです。",
            "The provider sees only totals per item (counts, shares, means) and the free texts in shuffled order, and only once five or more have answered; until then, only how many.",
        ),
        (
            "限界：1件の回答の前と後のデータベース（バックアップなど）を比べられる人には、その1件の内容が分かります（最初の回答なら、後の1つで足ります）。集計の表示を1件の回答の前後で見比べ、その間に誰が回答したかを知っている人も同じです。自由記述には、名前など、あなただと分かることを書かないでください。",
            "The limit: someone who can compare the database (a backup, say) from before and after one answer can see that one answer (for the first answer, the copy after it is enough); so can someone who compares the totals before and after one answer and knows who answered in between. Do not write your name or anything that identifies you in the free texts.",
        ),
        (
            "回答は1人1回です。送った回答は、変更することも、あとで表示することもできません。",
            "You answer once. An answer sent cannot be changed, nor shown to you again.",
        ),
    ]
    .iter()
    .map(|(ja, en)| page.t(ja, en).to_owned())
    .collect()
}

/// One form field per item, drawn from what was sent (`given`).
fn answer_fields(
    page: &PageCtx,
    survey: &SessionSurvey,
    given: &BTreeMap<String, String>,
) -> Vec<FormField> {
    let en = en(page);
    let mut fields = Vec::new();
    for (n, item) in survey.items().into_iter().enumerate() {
        let name = item.field();
        let value = given.get(&name).cloned().unwrap_or_default();
        let label = format!("{}. {}", n + 1, item.question.in_lang(en));
        let mut f = match &item.kind {
            ItemKind::Text => FormField::new(&name, &label, "textarea").hint(page.t(
                "自由にお書きください。名前など、あなただと分かることは書かないでください。",
                "Write freely; leave out your name and anything else that identifies you.",
            )),
            kind => {
                let mut options: Vec<(String, String)> = Vec::new();
                if !item.required {
                    options.push((String::new(), page.t("回答しない", "No answer").to_owned()));
                }
                let scale = matches!(kind, ItemKind::Scale { .. });
                for (c, l) in kind.choices().iter().zip(1u32..) {
                    let text = if scale {
                        format!("{l} {}", c.in_lang(en))
                    } else {
                        c.in_lang(en).to_owned()
                    };
                    options.push((l.to_string(), text));
                }
                let f = FormField::new(&name, &label, "radio").options(options);
                if scale {
                    f.hint(page.t(
                        "1（最も低い）から5（最も高い）の5段階です。",
                        "Five points, from 1 (lowest) to 5 (highest).",
                    ))
                } else {
                    f
                }
            }
        }
        .value(&value);
        if !item.required {
            f = f.optional();
        }
        if n == 0 && !survey.ministry_items.is_empty() {
            f = f.heading(&ministry_heading(page, survey.ministry_version));
        }
        if n == survey.ministry_items.len() && !survey.provider_items.is_empty() {
            f = f.heading(page.t("講座の提供者の項目", "The provider's own items"));
        }
        fields.push(f);
    }
    fields
}

#[derive(Template)]
#[template(path = "learning_survey.html")]
struct LearnerSurveyPage {
    page: PageCtx,
    title: String,
    enrolment_href: String,
    action: String,
    /// Why there is no form now (answered, not enrolled, not yet, closed).
    message: Option<String>,
    answered: bool,
    closes: String,
    privacy: Vec<String>,
    fields: Vec<FormField>,
    general_errors: Vec<String>,
    notice: Option<String>,
}

impl LearnerSurveyPage {
    fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

async fn learner_page(
    state: &AppState,
    page: PageCtx,
    e: &Enrolment,
    given: &BTreeMap<String, String>,
    errors: &[ValidationError],
    done: &str,
) -> Result<LearnerSurveyPage, AppError> {
    let session =
        koshu_workflow::delivery::catalogue_session(&state.workflow, &e.session_id).await?;
    let mut view = LearnerSurveyPage {
        title: session.title().to_owned(),
        enrolment_href: page.href(&format!("/learning/{}", e.id)),
        action: page.href(&format!("/learning/{}/survey", e.id)),
        message: None,
        answered: false,
        closes: String::new(),
        privacy: privacy_points(&page),
        fields: Vec::new(),
        general_errors: Vec::new(),
        notice: (done == "answered").then(|| {
            page.t(
                "回答を受け付けました。ご協力ありがとうございました。",
                "Your answer is in. Thank you.",
            )
            .to_owned()
        }),
        page,
    };
    match survey::learner_survey(&state.workflow, e).await? {
        LearnerSurvey::Answered => view.answered = true,
        LearnerSurvey::NotEnrolled => {
            view.message = Some(
                view.page
                    .t(
                        "修了アンケートには、この回の受講が確定した方だけが回答できます。",
                        "Only learners with a confirmed place in this session answer its survey.",
                    )
                    .to_owned(),
            );
        }
        LearnerSurvey::Unavailable(why) => {
            view.message = Some(view.page.t(&why.message_ja, &why.message_en).to_owned());
        }
        LearnerSurvey::Open { closes, survey } => {
            view.closes = view::date_time(view.page.lang, closes);
            let mut fields = answer_fields(&view.page, &survey, given);
            view.general_errors = attach_errors(&mut fields, &view.page, errors);
            view.fields = fields;
        }
    }
    Ok(view)
}

pub async fn learner_form(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(id): Path<String>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let (e, _) = own(&state, &auth, &id).await?;
    let view = learner_page(&state, page, &e, &BTreeMap::new(), &[], &q.done).await?;
    rendered(StatusCode::OK, view)
}

pub async fn answer(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (e, _) = own(&state, &auth, &id).await?;
    let pairs: Vec<(String, String)> = parse(&body)?;
    let given: BTreeMap<String, String> = pairs
        .into_iter()
        .filter(|(k, _)| k.starts_with("answers."))
        .collect();
    match survey::answer(&state.workflow, &e, &given).await? {
        Ok(()) => Ok(
            Redirect::to(&page.href(&format!("/learning/{id}/survey?done=answered")))
                .into_response(),
        ),
        Err(errors) => {
            let view = learner_page(&state, page, &e, &given, &errors, "").await?;
            rendered(StatusCode::BAD_REQUEST, view)
        }
    }
}

/// What the learner's enrolment page says of the survey, with its link.
#[derive(Debug, Clone)]
pub struct SurveyLink {
    pub href: String,
    pub state: String,
    /// It takes the learner's answer now.
    pub open: bool,
}

/// The survey's line on the learner's enrolment page: answered, open until when, or why not.
pub async fn link_for(
    state: &AppState,
    page: &PageCtx,
    e: &Enrolment,
) -> Result<SurveyLink, AppError> {
    let (text, open) = match survey::learner_survey(&state.workflow, e).await? {
        LearnerSurvey::Answered => (page.t("回答済み", "Answered").to_owned(), false),
        LearnerSurvey::NotEnrolled => (
            page.t(
                "受講が確定した方が回答します。",
                "Learners with a confirmed place answer it.",
            )
            .to_owned(),
            false,
        ),
        LearnerSurvey::Unavailable(why) => {
            (page.t(&why.message_ja, &why.message_en).to_owned(), false)
        }
        LearnerSurvey::Open { closes, .. } => (
            format!(
                "{}{}{}",
                page.t("回答を受け付けています（", "Open for your answer until "),
                view::date_time(page.lang, closes),
                page.t("まで）", "")
            ),
            true,
        ),
    };
    Ok(SurveyLink {
        href: page.href(&format!("/learning/{}/survey", e.id)),
        state: text,
        open,
    })
}

// The provider's results.

struct ChoiceRow {
    label: String,
    count: u32,
    percent: String,
    /// The bar's length out of 200.
    bar: u32,
}

struct ItemView {
    id: String,
    /// How many answered it, and how many did not.
    summary: String,
    number: usize,
    question: String,
    source: String,
    is_text: bool,
    rows: Vec<ChoiceRow>,
    mean: Option<String>,
    texts: Vec<String>,
}

fn percent(p: f64) -> String {
    format!("{p:.1}")
}

fn item_views(page: &PageCtx, survey: &SessionSurvey, results: &[ItemResult]) -> Vec<ItemView> {
    let en = en(page);
    results
        .iter()
        .enumerate()
        .map(|(i, r)| ItemView {
            summary: match (page.lang, r.unanswered) {
                (Lang::Ja, 0) => format!("回答 {}件", r.answered),
                (Lang::Ja, n) => format!("回答 {}件、無回答 {n}件", r.answered),
                (Lang::En, 0) => format!("answers: {}", r.answered),
                (Lang::En, n) => format!("answers: {}, no answer: {n}", r.answered),
            },
            id: r.item.id.clone(),
            number: i + 1,
            question: r.item.question.in_lang(en).to_owned(),
            source: if i < survey.ministry_items.len() {
                page.t("経済産業省の項目", "Ministry item")
            } else {
                page.t("提供者の項目", "Provider's item")
            }
            .to_owned(),
            is_text: matches!(r.item.kind, ItemKind::Text),
            rows: r
                .counts
                .iter()
                .map(|c| ChoiceRow {
                    label: c.label.in_lang(en).to_owned(),
                    count: c.count,
                    percent: percent(c.percent),
                    // Rounded to whole units of 200: the table carries the exact share.
                    bar: u32::try_from((c.percent * 2.0).round() as i64)
                        .unwrap_or(0)
                        .min(200),
                })
                .collect(),
            mean: r.mean.map(|m| format!("{m:.2}")),
            texts: r.texts.clone(),
        })
        .collect()
}

struct ImprovementRow {
    changed_on: String,
    finding: String,
    change: String,
    recorded: String,
}

#[derive(Template)]
#[template(path = "delivery_survey.html")]
struct ResultsPage {
    page: PageCtx,
    title: String,
    dates: String,
    base: String,
    org_href: String,
    org_name: String,
    /// How many have answered, of how many with a place.
    count_line: String,
    /// Below five answers: how many more before anything is shown.
    withheld: Option<String>,
    items: Vec<ItemView>,
    ministry: String,
    own_items: usize,
    locked: bool,
    can_run: bool,
    improvements: Vec<ImprovementRow>,
    fields: Vec<FormField>,
    general_errors: Vec<String>,
    notice: Option<String>,
}

impl ResultsPage {
    fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ImprovementForm {
    finding: String,
    change: String,
    changed_on: String,
}

fn improvement_fields(page: &PageCtx, form: &ImprovementForm) -> Vec<FormField> {
    vec![
        FormField::new(
            "finding",
            page.t("結果から分かったこと", "What the results showed"),
            "textarea",
        )
        .value(&form.finding)
        .hint(page.t(
            "例：演習の時間が足りないという回答が多かった。",
            "For example: many answers said the exercise was too short.",
        )),
        FormField::new(
            "change",
            page.t("行った（行う）改善", "What was (or will be) changed"),
            "textarea",
        )
        .value(&form.change)
        .hint(page.t(
            "例：次回から演習を30分延長し、事前資料を配布する。",
            "For example: from the next session, the exercise runs 30 minutes longer and materials go out beforehand.",
        )),
        FormField::new("changed_on", page.t("改善の日付", "Date of the change"), "date")
            .value(&form.changed_on),
    ]
}

/// The results page of `(organisation, session)`, with the improvement form as typed.
async fn results_page(
    state: &AppState,
    page: PageCtx,
    auth: &AuthContext,
    (org_id, session_id): (&str, &str),
    form: &ImprovementForm,
    errors: &[ValidationError],
    done: &str,
) -> Result<ResultsPage, AppError> {
    let (org, _) = organisation(state, auth, org_id, false).await?;
    let session = own_session(state, &org, session_id).await?;
    state
        .store
        .delivery(session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (loaded, results) = survey::results(&state.workflow, session_id).await?;
    let enrolled = state
        .store
        .enrolments_of_session(session_id)
        .await?
        .iter()
        .filter(|e| e.status == koshu_domain::delivery::EnrolmentStatus::Enrolled)
        .count();
    let (more_needed, items) = match &results {
        Results::Withheld { more_needed, .. } => (Some(*more_needed), Vec::new()),
        Results::Shown { items, .. } => (None, item_views(&page, &loaded.survey, items)),
    };
    let improvements = state
        .store
        .survey_improvements(session_id)
        .await?
        .into_iter()
        .map(|i| ImprovementRow {
            changed_on: view::date(page.lang, i.changed_on),
            finding: i.finding,
            change: i.change_made,
            recorded: view::date(page.lang, i.recorded_at.to_offset(JST).date()),
        })
        .collect();
    let can_run = auth.require(Action::RunDelivery(&org.id)).is_ok();
    let mut fields = improvement_fields(&page, form);
    let general_errors = attach_errors(&mut fields, &page, errors);
    let notice = match done {
        "items" => Some(page.t("独自の項目を保存しました。", "Your own items are saved.")),
        "improvement" => Some(page.t("改善を記録しました。", "The improvement is recorded.")),
        _ => None,
    }
    .map(str::to_owned);
    let s = &session.session;
    Ok(ResultsPage {
        title: session.title().to_owned(),
        dates: view::date_span(page.lang, s.starts_on, s.ends_on),
        base: base(&org.id, session_id),
        org_href: page.href(&format!("/organisations/{}/deliveries", org.id)),
        org_name: org.organisation.name_ja.clone(),
        count_line: match page.lang {
            Lang::Ja => format!("回答 {}件（受講確定 {enrolled}名）", loaded.survey.responses),
            Lang::En => format!(
                "Answers: {} (learners with a place: {enrolled})",
                loaded.survey.responses
            ),
        },
        withheld: more_needed.map(|more| match page.lang {
            Lang::Ja => format!(
                "あと {more} 件で表示されます。回答が{MIN_RESPONSES}件以上になるまでは、回答者が分からないよう件数だけを表示します。"
            ),
            Lang::En => format!(
                "The results are shown after {more} more answer(s). Until {MIN_RESPONSES} have answered, only the count is shown, so that no answer points at a person."
            ),
        }),
        items,
        ministry: ministry_heading(&page, loaded.survey.ministry_version),
        own_items: loaded.survey.provider_items.len(),
        locked: loaded.survey.locked(),
        can_run,
        improvements,
        fields,
        general_errors,
        notice,
        page,
    })
}

pub async fn results(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    let view = results_page(
        &state,
        page,
        &auth,
        (&id, &session_id),
        &ImprovementForm::default(),
        &[],
        &q.done,
    )
    .await?;
    rendered(StatusCode::OK, view)
}

pub async fn results_csv(
    State(state): State<AppState>,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    own_session(&state, &org, &session_id).await?;
    let (loaded, results) = survey::results(&state.workflow, &session_id).await?;
    let header_row = [
        "番号",
        "区分",
        "質問",
        "形式",
        "選択肢・回答",
        "件数",
        "割合（%）",
        "平均",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    match results {
        Results::Withheld {
            responses,
            more_needed,
        } => {
            rows.push(vec![
                String::new(),
                String::new(),
                format!("回答数 {responses} 件：あと {more_needed} 件で集計を表示します"),
            ]);
        }
        Results::Shown { responses, items } => {
            let ministry = loaded.survey.ministry_items.len();
            for (i, r) in items.iter().enumerate() {
                let head = |choice: String, count: String, share: String, mean: String| {
                    vec![
                        (i + 1).to_string(),
                        if i < ministry {
                            "経済産業省"
                        } else {
                            "提供者"
                        }
                        .to_owned(),
                        r.item.question.ja.clone(),
                        ItemKind::label_ja(r.item.kind.code()).to_owned(),
                        choice,
                        count,
                        share,
                        mean,
                    ]
                };
                for c in &r.counts {
                    rows.push(head(
                        c.label.ja.clone(),
                        c.count.to_string(),
                        percent(c.percent),
                        String::new(),
                    ));
                }
                for t in &r.texts {
                    rows.push(head(t.clone(), String::new(), String::new(), String::new()));
                }
                rows.push(head(
                    "無回答".to_owned(),
                    r.unanswered.to_string(),
                    String::new(),
                    String::new(),
                ));
                if let Some(m) = r.mean {
                    rows.push(head(
                        "平均（1〜5）".to_owned(),
                        String::new(),
                        String::new(),
                        format!("{m:.2}"),
                    ));
                }
            }
            rows.push(vec![
                String::new(),
                String::new(),
                format!("回答数 {responses} 件"),
            ]);
        }
    }
    Ok(csv_download(
        &format!("survey-{session_id}.csv"),
        &header_row,
        &rows,
    ))
}

pub async fn record_improvement(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor) = organisation(&state, &auth, &id, true).await?;
    own_session(&state, &org, &session_id).await?;
    let form: ImprovementForm = parse(&body)?;
    match survey::record_improvement(
        &state.workflow,
        &session_id,
        &form.finding,
        &form.change,
        &form.changed_on,
        &actor,
    )
    .await?
    {
        Ok(_) => Ok(Redirect::to(&page.href(&format!(
            "{}/survey?done=improvement#improvements",
            base(&org.id, &session_id)
        )))
        .into_response()),
        Err(errors) => {
            let view =
                results_page(&state, page, &auth, (&id, &session_id), &form, &errors, "").await?;
            rendered(StatusCode::UNPROCESSABLE_ENTITY, view)
        }
    }
}

// Item sets: the provider's own for a session, the ministry's versions.

/// One item as a table row shows it.
struct ItemLine {
    number: usize,
    question: String,
    kind: String,
    options: String,
    required: bool,
}

struct SetView {
    caption: String,
    items: Vec<ItemLine>,
}

fn set_view(page: &PageCtx, caption: String, items: &[SurveyItem]) -> SetView {
    let en = en(page);
    SetView {
        caption,
        items: items
            .iter()
            .enumerate()
            .map(|(i, item)| ItemLine {
                number: i + 1,
                question: item.question.in_lang(en).to_owned(),
                kind: page
                    .t(
                        ItemKind::label_ja(item.kind.code()),
                        ItemKind::label_en(item.kind.code()),
                    )
                    .to_owned(),
                options: item
                    .kind
                    .choices()
                    .iter()
                    .map(|c| c.in_lang(en))
                    .collect::<Vec<_>>()
                    .join(" / "),
                required: item.required,
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "survey_items.html")]
struct ItemsPage {
    page: PageCtx,
    title: String,
    intro: Vec<String>,
    back: (String, String),
    /// The form, when the items may change: where it posts and its button.
    action: Option<String>,
    submit: String,
    form_heading: String,
    fields: Vec<FormField>,
    general_errors: Vec<String>,
    sets_heading: String,
    sets: Vec<SetView>,
    notice: Option<String>,
}

impl ItemsPage {
    fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

/// One field of an item's row: its name, label (ja, en), kind, value and hint (ja, en).
type RowField<'a> = (
    &'static str,
    (&'static str, &'static str),
    &'static str,
    &'a str,
    (&'static str, &'static str),
);

/// The rows of an item form as typed (`remove` ticked keeps its row, blank, so that the rows'
/// numbers and their errors stay in step), and the form's other fields.
struct TypedRows {
    rows: Vec<(ItemRow, bool)>,
    others: BTreeMap<String, String>,
}

impl TypedRows {
    fn of(items: &[SurveyItem]) -> Self {
        let mut rows: Vec<(ItemRow, bool)> =
            items.iter().map(|i| (ItemRow::of(i), false)).collect();
        rows.push((ItemRow::blank(), false));
        Self {
            rows,
            others: BTreeMap::new(),
        }
    }

    fn parse(body: &[u8]) -> Result<Self, AppError> {
        let pairs: Vec<(String, String)> = parse(body)?;
        let mut rows: BTreeMap<usize, (ItemRow, bool)> = BTreeMap::new();
        let mut others = BTreeMap::new();
        for (key, value) in pairs {
            let Some((i, field)) = key
                .strip_prefix("items[")
                .and_then(|k| k.split_once("]."))
                .and_then(|(i, f)| Some((i.parse::<usize>().ok()?, f.to_owned())))
            else {
                others.insert(key, value);
                continue;
            };
            // A form draws at most MAX_ITEMS rows and one more; anything far beyond is no form
            // of ours, and must not make a long list of rows.
            if i > 4 * koshu_domain::delivery::survey::MAX_ITEMS {
                return Err(AppError::Invalid(
                    ValidationError::new(
                        "survey_items.rows",
                        format!(
                            "項目は{}個までです。",
                            koshu_domain::delivery::survey::MAX_ITEMS
                        ),
                        format!(
                            "At most {} items.",
                            koshu_domain::delivery::survey::MAX_ITEMS
                        ),
                    )
                    .for_field("items"),
                ));
            }
            let (row, remove) = rows.entry(i).or_default();
            match field.as_str() {
                "question_ja" => row.question_ja = value,
                "question_en" => row.question_en = value,
                "kind" => row.kind = value,
                "options_ja" => row.options_ja = value,
                "options_en" => row.options_en = value,
                "required" => row.required = value == "true",
                "remove" => *remove = value == "true",
                _ => {}
            }
        }
        let last = rows.keys().next_back().copied().map_or(0, |n| n + 1);
        Ok(Self {
            rows: (0..last)
                .map(|i| rows.remove(&i).unwrap_or_default())
                .collect(),
            others,
        })
    }

    /// The rows the items are read from: a removed row counts as blank.
    fn items(&self) -> Vec<ItemRow> {
        self.rows
            .iter()
            .map(|(row, remove)| {
                if *remove {
                    ItemRow::default()
                } else {
                    row.clone()
                }
            })
            .collect()
    }

    fn fields(&self, page: &PageCtx) -> Vec<FormField> {
        let kinds: Vec<(String, String)> = ItemKind::CODES
            .iter()
            .map(|c| {
                (
                    (*c).to_owned(),
                    page.t(ItemKind::label_ja(c), ItemKind::label_en(c))
                        .to_owned(),
                )
            })
            .collect();
        let mut fields = Vec::new();
        let n = self.rows.len();
        for (i, (row, remove)) in self.rows.iter().enumerate() {
            let added = i + 1 == n && row.is_blank();
            let heading = if added {
                page.t("項目を追加する", "Add an item").to_owned()
            } else {
                format!("{}{}", page.t("項目 ", "Item "), i + 1)
            };
            let tick = |on: bool| if on { "true" } else { "" };
            // Field, label, kind, value, hint; a question (but the new row's) and its kind are required.
            let row_fields: [RowField<'_>; 6] = [
                (
                    "question_ja",
                    ("質問（日本語）", "Question (Japanese)"),
                    "text",
                    &row.question_ja,
                    if added {
                        (
                            "空欄のままなら、項目は追加しません。",
                            "Left empty, no item is added.",
                        )
                    } else {
                        ("", "")
                    },
                ),
                (
                    "question_en",
                    ("質問（英語）", "Question (English)"),
                    "text",
                    &row.question_en,
                    (
                        "空欄なら英語のページにも日本語で表示します。",
                        "Left empty, the English pages show the Japanese.",
                    ),
                ),
                (
                    "kind",
                    ("回答の形式", "How it is answered"),
                    "select",
                    &row.kind,
                    ("", ""),
                ),
                (
                    "options_ja",
                    (
                        "選択肢（日本語、1行に1つ）",
                        "Options (Japanese, one a line)",
                    ),
                    "textarea",
                    &row.options_ja,
                    (
                        "5段階評価は、低い順（1）から高い順（5）に5つの段階の名前を書きます。選択式は2〜10個。自由記述では使いません。",
                        "For a five-point scale, name its five points from the lowest (1) to the highest (5); a single choice takes 2 to 10 options; free text takes none.",
                    ),
                ),
                (
                    "options_en",
                    ("選択肢（英語、1行に1つ）", "Options (English, one a line)"),
                    "textarea",
                    &row.options_en,
                    (
                        "日本語と同じ数だけ、または空欄。",
                        "As many as the Japanese ones, or none.",
                    ),
                ),
                (
                    "required",
                    ("回答を必須にする", "Answer required"),
                    "checkbox",
                    tick(row.required),
                    ("", ""),
                ),
            ];
            for (field, (ja, en), kind, value, (hint_ja, hint_en)) in row_fields {
                let mut f = FormField::new(&format!("items[{i}].{field}"), page.t(ja, en), kind)
                    .value(value)
                    .hint(page.t(hint_ja, hint_en));
                if field == "question_ja" {
                    f = f.heading(&heading);
                }
                if !((field == "question_ja" && !added) || field == "kind") {
                    f = f.optional();
                }
                if kind == "select" {
                    f = f.options(kinds.clone());
                }
                fields.push(f);
            }
            if !added {
                fields.push(
                    FormField::new(
                        &format!("items[{i}].remove"),
                        page.t("この項目を削除する", "Remove this item"),
                        "checkbox",
                    )
                    .value(tick(*remove))
                    .optional(),
                );
            }
        }
        fields
    }
}

fn hidden(name: &str, value: &str) -> FormField {
    FormField::new(name, "", "hidden").value(value).optional()
}

/// The provider's page of its own items for one session.
async fn provider_items_page(
    state: &AppState,
    page: PageCtx,
    org_id: &str,
    session: &CatalogueSession,
    typed: Option<&TypedRows>,
    revision: Option<&str>,
    errors: &[ValidationError],
) -> Result<ItemsPage, AppError> {
    let session_id = session.session.id.as_str();
    let loaded = survey::session_survey(&state.workflow, session_id).await?;
    let s = &loaded.survey;
    let base = base(org_id, session_id);
    let mut intro = vec![page
        .t(
            "経済産業省の項目に加えて、この回だけの独自の項目を設けられます。最初の回答が届くと、項目は変更できなくなります（集計を合わせるため）。",
            "Beside the ministry's items you may ask your own questions for this session. Once the first answer arrives, the items can no longer change (so that the counts add up).",
        )
        .to_owned()];
    let mut sets = vec![set_view(
        &page,
        ministry_heading(&page, s.ministry_version),
        &s.ministry_items,
    )];
    let (action, fields, general_errors) = if s.locked() {
        intro.push(
            page.t(
                "この回のアンケートにはすでに回答が届いているため、項目は変更できません。",
                "Answers to this session's survey have arrived, so its items can no longer change.",
            )
            .to_owned(),
        );
        sets.push(set_view(
            &page,
            page.t("講座の提供者の項目", "The provider's own items")
                .to_owned(),
            &s.provider_items,
        ));
        (None, Vec::new(), Vec::new())
    } else {
        let fresh = TypedRows::of(&s.provider_items);
        let typed = typed.unwrap_or(&fresh);
        let mut fields = typed.fields(&page);
        let revision = revision.map_or_else(|| loaded.revision.to_string(), str::to_owned);
        fields.push(hidden("revision", &revision));
        let general = attach_errors(&mut fields, &page, errors);
        (
            Some(page.href(&format!("{base}/survey/items"))),
            fields,
            general,
        )
    };
    Ok(ItemsPage {
        title: format!(
            "{}：{}",
            page.t("アンケートの独自の項目", "Your own survey items"),
            session.title()
        ),
        intro,
        back: (
            page.t("アンケートの結果へ", "Survey results").to_owned(),
            page.href(&format!("{base}/survey")),
        ),
        action,
        submit: page.t("独自の項目を保存する", "Save your items").to_owned(),
        form_heading: page.t("独自の項目", "Your own items").to_owned(),
        fields,
        general_errors,
        sets_heading: page
            .t("この回で使う項目", "The items this session uses")
            .to_owned(),
        sets,
        notice: None,
        page,
    })
}

pub async fn items_form(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, true).await?;
    let session = own_session(&state, &org, &session_id).await?;
    state
        .store
        .delivery(&session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let view = provider_items_page(&state, page, &org.id, &session, None, None, &[]).await?;
    rendered(StatusCode::OK, view)
}

pub async fn save_items(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, actor) = organisation(&state, &auth, &id, true).await?;
    let session = own_session(&state, &org, &session_id).await?;
    state
        .store
        .delivery(&session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let typed = TypedRows::parse(&body)?;
    let revision_text = typed.others.get("revision").cloned().unwrap_or_default();
    let revision = revision_text.trim().parse::<i64>().unwrap_or(0);
    match survey::save_provider_items(
        &state.workflow,
        &session_id,
        revision,
        &typed.items(),
        &actor,
    )
    .await?
    {
        Ok(_) => Ok(Redirect::to(
            &page.href(&format!("{}/survey?done=items", base(&org.id, &session_id))),
        )
        .into_response()),
        Err(errors) => {
            let view = provider_items_page(
                &state,
                page,
                &org.id,
                &session,
                Some(&typed),
                Some(&revision_text),
                &errors,
            )
            .await?;
            rendered(StatusCode::UNPROCESSABLE_ENTITY, view)
        }
    }
}

/// The administrator's page: every version of the ministry's items, and the next one to add.
async fn admin_page(
    state: &AppState,
    page: PageCtx,
    typed: Option<&TypedRows>,
    based_on: Option<&str>,
    errors: &[ValidationError],
    done: &str,
) -> Result<ItemsPage, AppError> {
    let sets = state.store.survey_item_sets().await?;
    let current = sets.first();
    let next = current.map_or(1, |s| s.version + 1);
    let fresh = TypedRows::of(current.map(|s| s.items.as_slice()).unwrap_or_default());
    let typed = typed.unwrap_or(&fresh);
    let mut fields = typed.fields(&page);
    let based = based_on.map_or_else(
        || current.map_or(0, |s| s.version).to_string(),
        str::to_owned,
    );
    fields.push(hidden("based_on", &based));
    let general_errors = attach_errors(&mut fields, &page, errors);
    let views = sets
        .iter()
        .map(|s| {
            let by = if s.created_by.starts_with("system:") {
                page.t(
                    "Koshu の初期値（募集等要領 3-2(1)-4 のポイントから）",
                    "Koshu's starting set (from the points of guideline 3-2(1)-4)",
                )
                .to_owned()
            } else {
                view::date(page.lang, s.created_at.to_offset(JST).date())
            };
            set_view(
                &page,
                format!(
                    "{}{}{}（{by}）{}",
                    page.t("第", "Version "),
                    s.version,
                    page.t("版", ""),
                    if Some(s.version) == current.map(|c| c.version) {
                        page.t("：現在の版", ": in force")
                    } else {
                        ""
                    }
                ),
                &s.items,
            )
        })
        .collect();
    Ok(ItemsPage {
        title: page
            .t("修了アンケートの項目（経済産業省の項目）", "End-of-course survey items (the ministry's)")
            .to_owned(),
        intro: vec![
            page.t(
                "特定講習の修了アンケート（B08、募集等要領 3-2(1)-4）に含める項目です。Koshu の管理者が管理する項目セットで、経済産業省の正式な様式そのものではありません。様式が示されたら、それに合わせて新しい版を追加してください。",
                "These are the items every 特定講習's end-of-course survey includes (B08, guideline 3-2(1)-4). It is the set Koshu's administrators keep, not the ministry's official form itself: when the ministry publishes its items, add a version that follows them.",
            )
            .to_owned(),
            page.t(
                "変更は新しい版として追加され、前の版は残ります。各回のアンケートは、最初の回答が届いた時点の版を使い続けます。",
                "A change is added as a new version and the earlier ones stay. Each session's survey keeps the version in force when its first answer arrived.",
            )
            .to_owned(),
        ],
        back: (
            page.t("アカウント管理へ", "Accounts").to_owned(),
            page.href("/admin/accounts"),
        ),
        action: Some(page.href("/admin/survey-items")),
        submit: format!(
            "{}{next}{}",
            page.t("第", "Add version "),
            page.t("版として追加する", "")
        ),
        form_heading: format!(
            "{}{next}{}",
            page.t("新しい版（第", "A new version ("),
            page.t("版）を追加する", ")")
        ),
        fields,
        general_errors,
        sets_heading: page.t("これまでの版", "Every version").to_owned(),
        sets: views,
        notice: (done == "added").then(|| {
            page.t("新しい版を追加しました。", "The new version is added.")
                .to_owned()
        }),
        page,
    })
}

pub async fn admin_items(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Query(q): Query<Done>,
) -> Result<Response, AppError> {
    auth.require(Action::Administer)?;
    let view = admin_page(&state, page, None, None, &[], &q.done).await?;
    rendered(StatusCode::OK, view)
}

pub async fn add_admin_items(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    body: Bytes,
) -> Result<Response, AppError> {
    let me = auth.require(Action::Administer)?;
    let typed = TypedRows::parse(&body)?;
    let based_text = typed.others.get("based_on").cloned().unwrap_or_default();
    let based_on = based_text.trim().parse::<u32>().unwrap_or(0);
    match survey::add_ministry_items(
        &state.workflow,
        based_on,
        &typed.items(),
        &account_actor(&me.account.id),
    )
    .await?
    {
        Ok(_) => Ok(Redirect::to(&page.href("/admin/survey-items?done=added")).into_response()),
        Err(errors) => {
            let view =
                admin_page(&state, page, Some(&typed), Some(&based_text), &errors, "").await?;
            rendered(StatusCode::UNPROCESSABLE_ENTITY, view)
        }
    }
}

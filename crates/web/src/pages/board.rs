//! A session's board (issue 16; D08, B19 ⑥): the learner's (`/learning/{enrolment}/board`:
//! announcements, questions and answers, and the form to ask, by name or not) and the staff's
//! (`/organisations/{id}/sessions/{session}/board`: announcing, answering, hiding with a
//! reason). What each viewer sees of a post is the domain's `d08_author_shown`; every write is
//! one use case of `koshu_workflow::board`.

use super::delivery::{base, organisation, own_session};
use super::forms::{FormField, FormPage, parse};
use super::learning::own;
use super::rendered;
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::AppError;
use crate::view::{self, PageCtx, Paging};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use koshu_domain::ValidationError;
use koshu_domain::access::Action;
use koshu_domain::delivery::{
    ANONYMOUS_EN, ANONYMOUS_JA, AuthorShown, Authorship, EnrolmentStatus, PostKind, Viewer,
    d08_author_shown, d08_may_answer,
};
use koshu_store::board::BoardPost;
use koshu_store::organisations::OrganisationRecord;
use koshu_workflow::WorkflowError;
use koshu_workflow::board::{self as board, BoardPage};
use koshu_workflow::delivery::CatalogueSession;
use serde::Deserialize;

/// One post as a viewer sees it.
struct PostView {
    id: String,
    /// 質問：匿名の受講者, 回答：実施 花子（講師・運営）, …
    heading: String,
    when: String,
    /// None: hidden from this viewer, who sees only that a post was hidden here.
    body: Option<String>,
    /// For the staff: that the post is hidden, why, by whom and when.
    hidden: Option<String>,
    answer_href: Option<String>,
    hide_href: Option<String>,
}

struct ThreadView {
    post: PostView,
    answers: Vec<PostView>,
}

/// Who looks, and where the staff's actions go (`None` for a learner or a viewer).
struct Looking<'a> {
    viewer: Viewer<'a>,
    actions: Option<String>,
}

fn post_view(
    page: &PageCtx,
    looking: &Looking<'_>,
    p: &BoardPost,
    thread_hidden: bool,
) -> PostView {
    let hidden = p.hidden.is_some() || thread_hidden;
    let shown = d08_author_shown(
        looking.viewer,
        Authorship {
            kind: p.kind,
            author_id: &p.author_id,
            anonymous: p.anonymous,
            hidden,
        },
    );
    let own = matches!(looking.viewer, Viewer::Learner { account_id } if account_id == p.author_id);
    let author = match shown {
        AuthorShown::Anonymous => page.t(ANONYMOUS_JA, ANONYMOUS_EN).to_owned(),
        AuthorShown::Name | AuthorShown::Hidden => p.author_name.clone(),
    };
    let mut notes = Vec::new();
    if own {
        notes.push(page.t("あなた", "you"));
    }
    if p.kind.by_staff() {
        notes.push(page.t("講師・運営", "instructors and staff"));
    }
    if p.kind == PostKind::Question && p.anonymous && (own || looking.viewer == Viewer::Staff) {
        notes.push(page.t("他の受講者には匿名で表示", "anonymous to other learners"));
    }
    let note = match (notes.is_empty(), page.lang) {
        (true, _) => String::new(),
        (false, crate::lang::Lang::Ja) => format!("（{}）", notes.join("・")),
        (false, crate::lang::Lang::En) => format!(" ({})", notes.join(", ")),
    };
    let base = looking.actions.as_deref();
    PostView {
        heading: format!(
            "{}{}{author}{note}",
            page.t(p.kind.label_ja(), p.kind.label_en()),
            page.t("：", ": ")
        ),
        when: view::date_time(page.lang, p.posted_at),
        body: (shown != AuthorShown::Hidden).then(|| p.body.clone()),
        hidden: p.hidden.as_ref().map(|h| {
            format!(
                "{}{}（{}、{}）",
                page.t("非表示にした投稿です。理由：", "Hidden. Reason: "),
                h.reason,
                h.by_name,
                view::date_time(page.lang, h.at)
            )
        }),
        answer_href: base
            .filter(|_| p.kind == PostKind::Question && !hidden)
            .map(|b| page.href(&format!("{b}/board/posts/{}/answer", p.id))),
        hide_href: base
            .filter(|_| p.hidden.is_none())
            .map(|b| page.href(&format!("{b}/board/posts/{}/hide", p.id))),
        id: p.id.clone(),
    }
}

/// The page's threads as `looking` sees them: announcements, then questions. Learners see a
/// hidden question's thread as one line.
fn threads(
    page: &PageCtx,
    looking: &Looking<'_>,
    b: &BoardPage,
) -> (Vec<ThreadView>, Vec<ThreadView>) {
    let mut announcements = Vec::new();
    let mut questions = Vec::new();
    for t in &b.threads {
        let post = post_view(page, looking, &t.post, false);
        let covered = post.body.is_none();
        let view = ThreadView {
            answers: if covered {
                Vec::new()
            } else {
                t.answers
                    .iter()
                    .map(|a| post_view(page, looking, a, t.post.hidden.is_some()))
                    .collect()
            },
            post,
        };
        match t.post.kind {
            PostKind::Announcement => announcements.push(view),
            _ => questions.push(view),
        }
    }
    (announcements, questions)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BoardQuery {
    page: String,
    done: String,
}

impl BoardQuery {
    /// The page asked for (1 when none is); a page that is no number is out of range.
    fn number(&self) -> i64 {
        if self.page.is_empty() {
            1
        } else {
            self.page.trim().parse().unwrap_or(0)
        }
    }
}

fn done_notice(page: &PageCtx, done: &str) -> Option<String> {
    Some(
        match done {
            "asked" => page.t(
                "質問を投稿しました。講師・運営者にメールで知らせました。回答があるとメールでお知らせします。",
                "Your question is posted and the staff are told by mail; you will get a mail when it is answered.",
            ),
            "announced" => page.t(
                "お知らせを投稿し、受講が確定しているすべての方にメールで送りました。",
                "The announcement is posted and mailed to every learner with a confirmed place.",
            ),
            "answered" => page.t(
                "回答を投稿し、質問した方にメールで知らせました。",
                "The answer is posted and the asker is told by mail.",
            ),
            "hidden" => page.t(
                "投稿を非表示にし、投稿した方に理由をメールで知らせました。",
                "The post is hidden and its author is told the reason by mail.",
            ),
            _ => return None,
        }
        .to_owned(),
    )
}

fn body_field(page: &PageCtx, label: &str, value: &str) -> FormField {
    FormField::new("body", label, "textarea")
        .value(value)
        .hint(page.t(
            "10,000文字まで。改行できます。",
            "Up to 10,000 characters; line breaks are kept.",
        ))
}

// The learner's board.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AskForm {
    body: String,
    anonymous: String,
}

#[derive(Template)]
#[template(path = "board_learner.html")]
struct LearnerBoard {
    page: PageCtx,
    title: String,
    enrolment_href: String,
    action: String,
    announcements: Vec<ThreadView>,
    questions: Vec<ThreadView>,
    paging: Paging,
    fields: Vec<FormField>,
    general_errors: Vec<String>,
    notice: Option<String>,
}

impl LearnerBoard {
    fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

/// The signed-in learner's place, when it is a confirmed one (the board is for those), and the
/// session it is in.
async fn learner_place(
    state: &AppState,
    auth: &AuthContext,
    enrolment: &str,
) -> Result<(koshu_store::delivery::Enrolment, CatalogueSession), AppError> {
    let (e, _) = own(state, auth, enrolment).await?;
    if e.status != EnrolmentStatus::Enrolled {
        return Err(AppError::Forbidden);
    }
    let session =
        koshu_workflow::delivery::catalogue_session(&state.workflow, &e.session_id).await?;
    Ok((e, session))
}

#[allow(clippy::too_many_arguments, reason = "one page, every part named")]
async fn learner_board_page(
    state: &AppState,
    page: PageCtx,
    enrolment: &koshu_store::delivery::Enrolment,
    session: &CatalogueSession,
    number: i64,
    form: &AskForm,
    errors: &[ValidationError],
    done: &str,
) -> Result<LearnerBoard, AppError> {
    let b = board::board_page(&state.workflow, &enrolment.session_id, number).await?;
    let looking = Looking {
        viewer: Viewer::Learner {
            account_id: &enrolment.account_id,
        },
        actions: None,
    };
    let (announcements, questions) = threads(&page, &looking, &b);
    let path = format!("/learning/{}/board", enrolment.id);
    let mut fields = vec![
        body_field(&page, page.t("質問", "Your question"), &form.body),
        FormField::new(
            "anonymous",
            page.t(
                "名前を他の受講者に表示しない",
                "Do not show my name to other learners",
            ),
            "checkbox",
        )
        .value(&form.anonymous)
        .hint(page.t(
            "他の受講者には「匿名の受講者」と表示されます。講師・運営者には、いつも名前が表示されます。",
            "Other learners see it as from an anonymous learner; the instructors and staff always see your name.",
        )),
    ];
    let general_errors = super::forms::attach_errors(&mut fields, &page, errors);
    Ok(LearnerBoard {
        title: session.title().to_owned(),
        enrolment_href: page.href(&format!("/learning/{}", enrolment.id)),
        action: page.href(&path),
        paging: Paging::new(b.page, b.pages, |n| page.href(&format!("{path}?page={n}"))),
        notice: done_notice(&page, done),
        announcements,
        questions,
        fields,
        general_errors,
        page,
    })
}

pub async fn learner_board(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(enrolment): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let (e, session) = learner_place(&state, &auth, &enrolment).await?;
    let p = learner_board_page(
        &state,
        page,
        &e,
        &session,
        q.number(),
        &AskForm::default(),
        &[],
        &q.done,
    )
    .await?;
    rendered(StatusCode::OK, p)
}

pub async fn ask(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path(enrolment): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (e, session) = learner_place(&state, &auth, &enrolment).await?;
    let form: AskForm = parse(&body)?;
    match board::ask(
        &state.workflow,
        &e.session_id,
        &e.account_id,
        &form.body,
        form.anonymous == "true",
    )
    .await
    {
        Ok(_) => Ok(
            Redirect::to(&page.href(&format!("/learning/{}/board?done=asked", e.id)))
                .into_response(),
        ),
        Err(WorkflowError::Invalid(error)) => {
            let p = learner_board_page(&state, page, &e, &session, 1, &form, &[error], "").await?;
            rendered(StatusCode::UNPROCESSABLE_ENTITY, p)
        }
        Err(other) => Err(other.into()),
    }
}

// The staff's board.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostForm {
    body: String,
}

#[derive(Template)]
#[template(path = "board_staff.html")]
struct StaffBoard {
    page: PageCtx,
    title: String,
    base: String,
    can_run: bool,
    announcements: Vec<ThreadView>,
    questions: Vec<ThreadView>,
    paging: Paging,
    fields: Vec<FormField>,
    general_errors: Vec<String>,
    notice: Option<String>,
}

impl StaffBoard {
    fn error_count(&self) -> usize {
        self.general_errors.len() + self.fields.iter().filter(|f| f.error.is_some()).count()
    }
}

#[allow(clippy::too_many_arguments, reason = "one page, every part named")]
async fn staff_board_page(
    state: &AppState,
    page: PageCtx,
    auth: &AuthContext,
    org: &OrganisationRecord,
    session: &CatalogueSession,
    number: i64,
    form: &PostForm,
    errors: &[ValidationError],
    done: &str,
) -> Result<StaffBoard, AppError> {
    let session_id = session.session.id.as_str();
    state
        .store
        .delivery(session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let b = board::board_page(&state.workflow, session_id, number).await?;
    let can_run = auth.require(Action::RunDelivery(&org.id)).is_ok();
    let base = base(&org.id, session_id);
    let looking = Looking {
        viewer: Viewer::Staff,
        actions: can_run.then(|| base.clone()),
    };
    let (announcements, questions) = threads(&page, &looking, &b);
    let mut fields = vec![body_field(
        &page,
        page.t("お知らせ", "Announcement"),
        &form.body,
    )];
    let general_errors = super::forms::attach_errors(&mut fields, &page, errors);
    let path = format!("{base}/board");
    Ok(StaffBoard {
        title: session.title().to_owned(),
        paging: Paging::new(b.page, b.pages, |n| page.href(&format!("{path}?page={n}"))),
        notice: done_notice(&page, done),
        base,
        can_run,
        announcements,
        questions,
        fields,
        general_errors,
        page,
    })
}

pub async fn staff_board(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, false).await?;
    let session = own_session(&state, &org, &session_id).await?;
    let p = staff_board_page(
        &state,
        page,
        &auth,
        &org,
        &session,
        q.number(),
        &PostForm::default(),
        &[],
        &q.done,
    )
    .await?;
    rendered(StatusCode::OK, p)
}

pub async fn announce(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, _) = organisation(&state, &auth, &id, true).await?;
    let session = own_session(&state, &org, &session_id).await?;
    let me = auth.require(Action::RunDelivery(&org.id))?;
    let form: PostForm = parse(&body)?;
    match board::announce(&state.workflow, &session_id, &me.account.id, &form.body).await {
        Ok(_) => Ok(Redirect::to(&page.href(&format!(
            "{}/board?done=announced",
            base(&org.id, &session_id)
        )))
        .into_response()),
        Err(WorkflowError::Invalid(error)) => {
            let p = staff_board_page(&state, page, &auth, &org, &session, 1, &form, &[error], "")
                .await?;
            rendered(StatusCode::UNPROCESSABLE_ENTITY, p)
        }
        Err(other) => Err(other.into()),
    }
}

/// A post of the session's board and what staff are told about it before they act on it.
async fn staff_post(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
    session_id: &str,
    post_id: &str,
) -> Result<(OrganisationRecord, CatalogueSession, BoardPost), AppError> {
    let (org, _) = organisation(state, auth, id, true).await?;
    let session = own_session(state, &org, session_id).await?;
    let post = state
        .store
        .board_post(post_id)
        .await?
        .filter(|p| p.session_id == session_id)
        .ok_or(AppError::NotFound)?;
    Ok((org, session, post))
}

/// The post restated on the page that acts on it.
fn post_facts(page: &PageCtx, p: &BoardPost) -> Vec<(String, String)> {
    let looking = Looking {
        viewer: Viewer::Staff,
        actions: None,
    };
    let v = post_view(page, &looking, p, false);
    vec![
        (page.t("投稿", "Post").to_owned(), v.heading),
        (page.t("日時", "Posted").to_owned(), v.when),
        (page.t("本文", "Text").to_owned(), p.body.clone()),
    ]
}

/// A page that acts on one post (`act`: `answer` or `hide`): the post restated, what acting
/// does, the field, and the way back.
#[allow(clippy::too_many_arguments, reason = "one page, every part named")]
fn post_page(
    page: &PageCtx,
    org: &OrganisationRecord,
    session: &CatalogueSession,
    post: &BoardPost,
    act: &str,
    (title, submit, intro): (&str, &str, &str),
    field: FormField,
    errors: &[ValidationError],
) -> FormPage {
    let b = base(&org.id, session.session.id.as_str());
    let mut f = FormPage::new(
        page.clone(),
        &format!("{title}{}{}", page.t("：", ": "), session.title()),
        &format!("{b}/board/posts/{}/{act}", post.id),
        submit,
    );
    f.intro.push(intro.to_owned());
    f.facts = post_facts(page, post);
    f.fields = vec![field];
    f.links.push((
        page.t("質問・お知らせへ戻る", "Back to the board")
            .to_owned(),
        page.href(&format!("{b}/board")),
    ));
    f.with_errors(errors)
}

fn answer_page(
    page: &PageCtx,
    org: &OrganisationRecord,
    session: &CatalogueSession,
    question: &BoardPost,
    form: &PostForm,
    errors: &[ValidationError],
) -> FormPage {
    post_page(
        page,
        org,
        session,
        question,
        "answer",
        (
            page.t("質問に回答する", "Answer a question"),
            page.t("回答する", "Answer"),
            page.t(
                "回答は受講が確定しているすべての方に表示され、質問した方にはメールで知らせます。",
                "The answer is shown to every learner with a confirmed place, and the asker is told by mail.",
            ),
        ),
        body_field(page, page.t("回答", "Answer"), &form.body),
        errors,
    )
}

pub async fn answer_form(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id, post)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let (org, session, question) = staff_post(&state, &auth, &id, &session_id, &post).await?;
    let role = auth
        .viewer
        .as_ref()
        .and_then(|v| v.principal.role_in(&org.id));
    d08_may_answer(role, question.kind, question.hidden.is_some())?;
    let f = answer_page(&page, &org, &session, &question, &PostForm::default(), &[]);
    rendered(StatusCode::OK, f)
}

pub async fn answer(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id, post)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, session, question) = staff_post(&state, &auth, &id, &session_id, &post).await?;
    let me = auth.require(Action::RunDelivery(&org.id))?;
    let form: PostForm = parse(&body)?;
    match board::answer(
        &state.workflow,
        &session_id,
        &post,
        &me.account.id,
        &form.body,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&page.href(&format!(
            "{}/board?done=answered",
            base(&org.id, &session_id)
        )))
        .into_response()),
        Err(WorkflowError::Invalid(error)) if error.field.is_some() => {
            let f = answer_page(&page, &org, &session, &question, &form, &[error]);
            rendered(StatusCode::UNPROCESSABLE_ENTITY, f)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HideForm {
    reason: String,
}

fn hide_page(
    page: &PageCtx,
    org: &OrganisationRecord,
    session: &CatalogueSession,
    post: &BoardPost,
    form: &HideForm,
    errors: &[ValidationError],
) -> FormPage {
    post_page(
        page,
        org,
        session,
        post,
        "hide",
        (
            page.t("投稿を非表示にする", "Hide a post"),
            page.t("非表示にする", "Hide"),
            page.t(
                "非表示にした投稿は、受講者には「非表示にされた投稿」とだけ表示されます（質問なら、その回答も）。投稿は削除されず記録として残り、理由は投稿した方にメールで知らせます。",
                "Learners then see only that a post was hidden here (for a question, its answers too). The post is not deleted but kept on record, and its author is told the reason by mail.",
            ),
        ),
        FormField::new("reason", page.t("理由", "Reason"), "text")
            .value(&form.reason)
            .hint(page.t(
                "例：個人情報が含まれているため。投稿した方に伝わります。",
                "For example: it contains personal information. The author is told.",
            )),
        errors,
    )
}

pub async fn hide_form(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id, post)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let (org, session, post) = staff_post(&state, &auth, &id, &session_id, &post).await?;
    if post.hidden.is_some() {
        return Err(AppError::Conflict(koshu_store::Conflict::AlreadyHidden));
    }
    let f = hide_page(&page, &org, &session, &post, &HideForm::default(), &[]);
    rendered(StatusCode::OK, f)
}

pub async fn hide(
    State(state): State<AppState>,
    page: PageCtx,
    auth: AuthContext,
    Path((id, session_id, post_id)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (org, session, post) = staff_post(&state, &auth, &id, &session_id, &post_id).await?;
    let me = auth.require(Action::RunDelivery(&org.id))?;
    let form: HideForm = parse(&body)?;
    match board::hide(
        &state.workflow,
        &session_id,
        &post_id,
        &me.account.id,
        &form.reason,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(
            &page.href(&format!("{}/board?done=hidden", base(&org.id, &session_id))),
        )
        .into_response()),
        Err(WorkflowError::Invalid(error)) => {
            let f = hide_page(&page, &org, &session, &post, &form, &[error]);
            rendered(StatusCode::UNPROCESSABLE_ENTITY, f)
        }
        Err(other) => Err(other.into()),
    }
}

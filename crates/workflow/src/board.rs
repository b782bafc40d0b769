//! A session's board (issue 16; D08, B19 ⑥): the staff announce to every enrolled learner,
//! learners ask (by name or as 匿名の受講者 to the other learners), the staff answer, and the
//! staff hide a post with a reason. Each use case is one unit of work: the post (or its hiding)
//! with its audit entry, and the mails it causes, all or nothing.

use crate::delivery::{CatalogueSession, catalogue_session, delivery_of, enrolled, session_dates};
use crate::mail::{Process, Queued};
use crate::{Workflow, WorkflowError, account_actor};
use koshu_domain::ValidationError;
use koshu_domain::access::OrgRole;
use koshu_domain::delivery::{
    EnrolmentStatus, PostKind, d08_body_is_within_limits, d08_may_answer, d08_reason_is_given,
};
use koshu_store::board::{BoardPost, NewBoardPost};
use koshu_store::delivery::Enrolment;

/// Threads (announcements and questions) on one page of a board.
pub const THREADS_PER_PAGE: i64 = 20;

/// An announcement, or a question with its answers (oldest first).
#[derive(Debug, Clone)]
pub struct Thread {
    pub post: BoardPost,
    pub answers: Vec<BoardPost>,
}

/// One page of a board.
#[derive(Debug, Clone)]
pub struct BoardPage {
    pub threads: Vec<Thread>,
    /// This page, from 1.
    pub page: i64,
    pub pages: i64,
}

/// Page `page` (from 1) of the session's board: announcements first, then questions with
/// their answers, the newest first. Everything is there, hidden posts included: what a viewer
/// sees of each post is the domain's `d08_author_shown`.
pub async fn board_page(
    wf: &Workflow,
    session_id: &str,
    page: i64,
) -> Result<BoardPage, WorkflowError> {
    let total = wf.store.board_threads(session_id).await?;
    let pages = ((total + THREADS_PER_PAGE - 1) / THREADS_PER_PAGE).max(1);
    if !(1..=pages).contains(&page) {
        return Err(WorkflowError::Invalid(
            ValidationError::new(
                "page.range",
                format!("ページ番号（page）は 1〜{pages} の整数です。"),
                format!("The page number (page) is a whole number from 1 to {pages}."),
            )
            .for_field("page"),
        ));
    }
    let (top, answers) = wf
        .store
        .board_page(session_id, THREADS_PER_PAGE, (page - 1) * THREADS_PER_PAGE)
        .await?;
    let threads = top
        .into_iter()
        .map(|post| Thread {
            answers: answers
                .iter()
                .filter(|a| a.question_id.as_deref() == Some(post.id.as_str()))
                .cloned()
                .collect(),
            post,
        })
        .collect();
    Ok(BoardPage {
        threads,
        page,
        pages,
    })
}

fn body_of(text: &str) -> Result<String, WorkflowError> {
    d08_body_is_within_limits(text).map_err(|e| WorkflowError::Invalid(e.for_field("body")))
}

fn not_enrolled() -> ValidationError {
    ValidationError::new(
        "board.not_enrolled",
        "質問・お知らせは、この回の受講が確定している方だけが使えます。",
        "The board is for learners with a confirmed place in this session.",
    )
}

/// The learner's confirmed place in the session, or why they may not use its board.
pub async fn enrolled_in(
    wf: &Workflow,
    session_id: &str,
    account_id: &str,
) -> Result<Enrolment, WorkflowError> {
    enrolled(wf, session_id, account_id, not_enrolled).await
}

/// The post `post_id` of the session's board, or `NotFound`.
async fn post_of(
    wf: &Workflow,
    session_id: &str,
    post_id: &str,
) -> Result<BoardPost, WorkflowError> {
    wf.store
        .board_post(post_id)
        .await?
        .filter(|p| p.session_id == session_id)
        .ok_or(WorkflowError::NotFound)
}

fn learner_board(enrolment_id: &str) -> String {
    format!("/learning/{enrolment_id}/board")
}

fn staff_board(organisation_id: &str, session_id: &str) -> String {
    format!("/organisations/{organisation_id}/sessions/{session_id}/board")
}

/// "「講座」（2026年6月10日（水））": which session a mail is about.
fn which(session: &CatalogueSession) -> String {
    format!("「{}」（{}）", session.title(), session_dates(session))
}

/// The staff announce to every learner with a confirmed place: the post and a mail to each of
/// them, with the link to their board. Returns the post's id.
pub async fn announce(
    wf: &Workflow,
    session_id: &str,
    author_id: &str,
    body: &str,
) -> Result<String, WorkflowError> {
    let body = body_of(body)?;
    delivery_of(wf, session_id).await?;
    let session = catalogue_session(wf, session_id).await?;
    let enrolments = wf.store.enrolments_of_session(session_id).await?;
    let learners = wf.store.learners_of_session(session_id).await?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    unit.add_board_post(
        &NewBoardPost {
            id: &id,
            session_id,
            kind: PostKind::Announcement,
            question_id: None,
            author_id,
            anonymous: false,
            body: &body,
        },
        &account_actor(author_id),
        now,
    )
    .await?;
    let mut queued = Queued::default();
    let title = session.title();
    let mail = |enrolment: &str| Process {
        subject: ("講座からのお知らせ", "An announcement from your course"),
        ja: format!(
            "{}の講師・運営者からお知らせです。\n\n{body}",
            which(&session)
        ),
        en: format!(
            "The instructors and staff of \"{title}\" ({}) have posted the announcement above; it is also on the session's board.",
            session.session.starts_on
        ),
        path: learner_board(enrolment),
    };
    for e in enrolments
        .iter()
        .filter(|e| e.status == EnrolmentStatus::Enrolled)
    {
        if let Some(l) = learners.iter().find(|l| l.account_id == e.account_id) {
            mail(&e.id)
                .queue(wf, &mut unit, &mut queued, std::slice::from_ref(&l.email))
                .await?;
        }
    }
    unit.commit().await?;
    queued.log(wf);
    Ok(id)
}

/// A learner with a confirmed place asks; `anonymous` keeps their name from the other learners
/// (never from the staff). The staff who run the session's delivery are mailed. Returns the
/// post's id.
pub async fn ask(
    wf: &Workflow,
    session_id: &str,
    account_id: &str,
    body: &str,
    anonymous: bool,
) -> Result<String, WorkflowError> {
    let body = body_of(body)?;
    let delivery = delivery_of(wf, session_id).await?;
    enrolled_in(wf, session_id, account_id).await?;
    let session = catalogue_session(wf, session_id).await?;
    let name = wf
        .store
        .learner(account_id)
        .await?
        .map(|l| l.profile.name)
        .unwrap_or_default();
    let staff: Vec<String> = wf
        .store
        .staff_of(&delivery.organisation_id)
        .await?
        .into_iter()
        .filter(|m| m.role >= OrgRole::Editor)
        .map(|m| m.email.as_str().to_owned())
        .collect();
    let id = uuid::Uuid::now_v7().to_string();
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    unit.add_board_post(
        &NewBoardPost {
            id: &id,
            session_id,
            kind: PostKind::Question,
            question_id: None,
            author_id: account_id,
            anonymous,
            body: &body,
        },
        &account_actor(account_id),
        now,
    )
    .await?;
    let (shown_ja, shown_en) = if anonymous {
        (
            "（他の受講者には「匿名の受講者」と表示されます）",
            " (other learners see it as from an anonymous learner)",
        )
    } else {
        ("", "")
    };
    let mut queued = Queued::default();
    Process {
        subject: ("受講者から質問がありました", "A learner has asked a question"),
        ja: format!(
            "{}の質問・お知らせに、{name}さんから質問がありました{shown_ja}。\n\n{body}\n\n回答は次のページから行えます。",
            which(&session)
        ),
        en: format!(
            "{name} has asked the question above on the board of \"{}\" ({}){shown_en}. Answer it from the page below.",
            session.title(),
            session.session.starts_on
        ),
        path: staff_board(&delivery.organisation_id, session_id),
    }
    .queue(wf, &mut unit, &mut queued, &staff)
    .await?;
    unit.commit().await?;
    queued.log(wf);
    Ok(id)
}

/// The staff answer a question (`d08_may_answer`); the asker is mailed. Returns the answer's id.
pub async fn answer(
    wf: &Workflow,
    session_id: &str,
    question_id: &str,
    account_id: &str,
    body: &str,
) -> Result<String, WorkflowError> {
    let delivery = delivery_of(wf, session_id).await?;
    let question = post_of(wf, session_id, question_id).await?;
    let role = wf
        .store
        .staff_of(&delivery.organisation_id)
        .await?
        .into_iter()
        .find(|m| m.account_id == account_id)
        .map(|m| m.role);
    d08_may_answer(role, question.kind, question.hidden.is_some())?;
    let body = body_of(body)?;
    let session = catalogue_session(wf, session_id).await?;
    let asker = wf.store.account(&question.author_id).await?;
    let asker_place = wf
        .store
        .enrolment_of(session_id, &question.author_id)
        .await?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    unit.add_board_post(
        &NewBoardPost {
            id: &id,
            session_id,
            kind: PostKind::Answer,
            question_id: Some(question_id),
            author_id: account_id,
            anonymous: false,
            body: &body,
        },
        &account_actor(account_id),
        now,
    )
    .await?;
    let mut queued = Queued::default();
    if let (Some(asker), Some(place)) = (asker, asker_place) {
        Process {
            subject: ("質問に回答がありました", "Your question has been answered"),
            ja: format!(
                "{}で、あなたの質問に講師・運営者から回答がありました。\n\n{body}",
                which(&session)
            ),
            en: format!(
                "The instructors and staff of \"{}\" ({}) have answered your question; the answer is above and on the session's board.",
                session.title(),
                session.session.starts_on
            ),
            path: learner_board(&place.id),
        }
        .queue(wf, &mut unit, &mut queued, &[asker.email.as_str().to_owned()])
        .await?;
    }
    unit.commit().await?;
    queued.log(wf);
    Ok(id)
}

/// The first words of a post, to say in a mail which one it was.
fn excerpt(body: &str) -> String {
    const CHARS: usize = 60;
    let line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > CHARS {
        format!("{}…", line.chars().take(CHARS).collect::<String>())
    } else {
        line
    }
}

/// The staff hide a post with the reason (`d08_reason_is_given`): kept, with who hid it and
/// when, and its author is told why by mail. `Conflict::AlreadyHidden` when it is hidden.
pub async fn hide(
    wf: &Workflow,
    session_id: &str,
    post_id: &str,
    account_id: &str,
    reason: &str,
) -> Result<(), WorkflowError> {
    let delivery = delivery_of(wf, session_id).await?;
    let post = post_of(wf, session_id, post_id).await?;
    let reason =
        d08_reason_is_given(reason).map_err(|e| WorkflowError::Invalid(e.for_field("reason")))?;
    if post.hidden.is_some() {
        return Err(WorkflowError::Conflict(
            koshu_store::Conflict::AlreadyHidden,
        ));
    }
    let session = catalogue_session(wf, session_id).await?;
    let author = wf.store.account(&post.author_id).await?;
    let path = if post.kind.by_staff() {
        Some(staff_board(&delivery.organisation_id, session_id))
    } else {
        wf.store
            .enrolment_of(session_id, &post.author_id)
            .await?
            .map(|e| learner_board(&e.id))
    };
    let now = wf.now();
    let mut unit = wf.store.write().await?;
    unit.hide_board_post(
        post_id,
        &reason,
        account_id,
        &account_actor(account_id),
        now,
    )
    .await?;
    let mut queued = Queued::default();
    if let (Some(author), Some(path)) = (author, path) {
        let posted = crate::mail::jst_time(post.posted_at);
        let words = excerpt(&post.body);
        Process {
            subject: ("投稿が非表示になりました", "Your post has been hidden"),
            ja: format!(
                "{}の質問・お知らせで、あなたの投稿（{posted}）を講座の提供者が非表示にしました。受講者には表示されません。\n理由：{reason}\n投稿：{words}",
                which(&session)
            ),
            en: format!(
                "The provider of \"{}\" ({}) has hidden your post of {posted} (Japan time) on the session's board; learners no longer see it.\nReason: {reason}\nPost: {words}",
                session.title(),
                session.session.starts_on
            ),
            path,
        }
        .queue(wf, &mut unit, &mut queued, &[author.email.as_str().to_owned()])
        .await?;
    }
    unit.commit().await?;
    queued.log(wf);
    Ok(())
}

//! A session's board (issue 16; D08, B19 ⑥): announcements, questions and answers. Posts are
//! appended and never changed but for their hiding (who, when, why: written once), so the
//! board is its own record of what was said; each write is audited.

use crate::audit::append_audit;
use crate::db::on_db;
use crate::unit::{UnitOfWork, write_step};
use crate::{Conflict, Store, StoreError};
use koshu_domain::audit::{AuditEvent, digest_of};
use koshu_domain::delivery::PostKind;
use time::OffsetDateTime;

/// A post as stored, with the names of who wrote it and who hid it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardPost {
    pub id: String,
    pub session_id: String,
    pub kind: PostKind,
    /// The question an answer answers.
    pub question_id: Option<String>,
    pub author_id: String,
    /// The learner's name as on the roster, else the account's display name.
    pub author_name: String,
    pub anonymous: bool,
    pub body: String,
    pub posted_at: OffsetDateTime,
    pub hidden: Option<PostHiding>,
}

/// Why and by whom a post was hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostHiding {
    pub by: String,
    pub by_name: String,
    pub at: OffsetDateTime,
    pub reason: String,
}

#[derive(sqlx::FromRow)]
struct PostRow {
    id: String,
    session_id: String,
    kind: String,
    question_id: Option<String>,
    author_id: String,
    author_name: String,
    anonymous: bool,
    body: String,
    posted_at: OffsetDateTime,
    hidden_by: Option<String>,
    hidden_by_name: Option<String>,
    hidden_at: Option<OffsetDateTime>,
    hidden_reason: Option<String>,
}

impl TryFrom<PostRow> for BoardPost {
    type Error = StoreError;
    fn try_from(r: PostRow) -> Result<Self, StoreError> {
        let kind = PostKind::from_code(&r.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("board post {}: kind", r.id)))?;
        let hidden = match (r.hidden_by, r.hidden_at, r.hidden_reason) {
            (Some(by), Some(at), Some(reason)) => Some(PostHiding {
                by,
                by_name: r.hidden_by_name.unwrap_or_default(),
                at,
                reason,
            }),
            (None, None, None) => None,
            _ => return Err(StoreError::Corrupt(format!("board post {}: hiding", r.id))),
        };
        Ok(Self {
            id: r.id,
            session_id: r.session_id,
            kind,
            question_id: r.question_id,
            author_id: r.author_id,
            author_name: r.author_name,
            anonymous: r.anonymous,
            body: r.body,
            posted_at: r.posted_at,
            hidden,
        })
    }
}

const POST: &str = "SELECT p.id, p.session_id, p.kind, p.question_id, p.author_id, \
     COALESCE(l.name, a.display_name) AS author_name, p.anonymous, p.body, p.posted_at, \
     p.hidden_by, h.display_name AS hidden_by_name, p.hidden_at, p.hidden_reason \
     FROM board_posts p JOIN accounts a ON a.id = p.author_id \
     LEFT JOIN learners l ON l.account_id = p.author_id \
     LEFT JOIN accounts h ON h.id = p.hidden_by";

/// The posts a page of a board starts threads with: announcements first, then questions,
/// the newest first (ids are time-ordered UUIDv7).
const TOP: &str = "SELECT id FROM board_posts WHERE session_id = $1 AND kind <> 'answer' \
     ORDER BY CASE kind WHEN 'announcement' THEN 0 ELSE 1 END, id DESC LIMIT $2 OFFSET $3";

impl Store {
    pub async fn board_post(&self, id: &str) -> Result<Option<BoardPost>, StoreError> {
        let row: Option<PostRow> = on_db!(&self.db, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{POST} WHERE p.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(BoardPost::try_from).transpose()
    }

    /// One page of a session's board: its announcements and questions in board order, and the
    /// answers to those questions, oldest first.
    pub async fn board_page(
        &self,
        session_id: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<BoardPost>, Vec<BoardPost>), StoreError> {
        let (top, answers): (Vec<PostRow>, Vec<PostRow>) = on_db!(&self.db, pool => {
            let top = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{POST} WHERE p.id IN ({TOP}) \
                 ORDER BY CASE p.kind WHEN 'announcement' THEN 0 ELSE 1 END, p.id DESC"
            )))
            .bind(session_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let answers = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{POST} WHERE p.question_id IN ({TOP}) ORDER BY p.id"
            )))
            .bind(session_id)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            (top, answers)
        });
        let posts = |rows: Vec<PostRow>| {
            rows.into_iter()
                .map(BoardPost::try_from)
                .collect::<Result<Vec<_>, _>>()
        };
        Ok((posts(top)?, posts(answers)?))
    }

    /// How many announcements and questions a session's board holds (what its pages count).
    pub async fn board_threads(&self, session_id: &str) -> Result<i64, StoreError> {
        let (n,): (i64,) = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT COUNT(*) FROM board_posts WHERE session_id = $1 AND kind <> 'answer'")
                .bind(session_id)
                .fetch_one(pool)
                .await?
        });
        Ok(n)
    }
}

/// A post to append.
#[derive(Debug, Clone)]
pub struct NewBoardPost<'a> {
    pub id: &'a str,
    pub session_id: &'a str,
    pub kind: PostKind,
    pub question_id: Option<&'a str>,
    pub author_id: &'a str,
    pub anonymous: bool,
    pub body: &'a str,
}

impl UnitOfWork {
    /// Appends a post, audited as `board.<kind>` with the digest of its text.
    pub async fn add_board_post(
        &mut self,
        post: &NewBoardPost<'_>,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let p = post;
        let digest = digest_of(
            format!(
                "{}|{}|{:?}|{}|{}",
                p.kind.code(),
                p.author_id,
                p.question_id,
                p.anonymous,
                p.body
            )
            .as_bytes(),
        );
        write_step!(self, "add_board_post", tx => {
            sqlx::query(
                "INSERT INTO board_posts (id, session_id, kind, question_id, author_id, anonymous, body, posted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(p.id)
            .bind(p.session_id)
            .bind(p.kind.code())
            .bind(p.question_id)
            .bind(p.author_id)
            .bind(p.anonymous)
            .bind(p.body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let event = AuditEvent::new(now, actor, format!("board.{}", p.kind.code()), format!("board_post:{}", p.id))
                .with_digests(None, Some(digest));
            append_audit!(tx, event);
            Ok(())
        })
    }

    /// Hides a post: who (`by`, an account), when and why, on the post, once.
    /// `Conflict::AlreadyHidden` when it is hidden already.
    pub async fn hide_board_post(
        &mut self,
        id: &str,
        reason: &str,
        by: &str,
        actor: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        write_step!(self, "hide_board_post", tx => {
            let done = sqlx::query(
                "UPDATE board_posts SET hidden_by = $1, hidden_at = $2, hidden_reason = $3 \
                 WHERE id = $4 AND hidden_at IS NULL",
            )
            .bind(by)
            .bind(now)
            .bind(reason)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done != 1 {
                return Err(StoreError::Conflict(Conflict::AlreadyHidden));
            }
            let event = AuditEvent::new(now, actor, "board.hide", format!("board_post:{id}"))
                .with_digests(None, Some(digest_of(reason.as_bytes())));
            append_audit!(tx, event);
            Ok(())
        })
    }
}

//! Two-way communication per session (D08, B19 ⑥): the staff's announcements, the learners'
//! questions and the staff's answers, on one board per session.
//!
//! A learner may ask without showing their name to the other learners; the staff always see
//! who asked (they answer, and they moderate). Staff hide a post with a reason: the post stays
//! as evidence, learners see that something was hidden, never what. Learners do not reply in a
//! thread: a learner whose question the answer did not settle asks again (see
//! [`d08_may_answer`]).

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::access::OrgRole;
use crate::types::text::{TextKind, check_text};

/// What a post is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostKind {
    /// From the staff to every learner of the session.
    Announcement,
    /// From a learner.
    Question,
    /// From the staff, to a question.
    Answer,
}

impl PostKind {
    pub const ALL: [Self; 3] = [Self::Announcement, Self::Question, Self::Answer];

    /// The stable code, equal to the serde name.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Announcement => "announcement",
            Self::Question => "question",
            Self::Answer => "answer",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::Announcement => "お知らせ",
            Self::Question => "質問",
            Self::Answer => "回答",
        }
    }

    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Announcement => "Announcement",
            Self::Question => "Question",
            Self::Answer => "Answer",
        }
    }

    /// Written by the staff (announcements and answers) rather than by a learner.
    pub const fn by_staff(self) -> bool {
        !matches!(self, Self::Question)
    }
}

/// D08: the text of a post, trimmed; not empty, and within the bounds of every stored text
/// (`check_text`). Codes: `board.body_required`, `text.too_long`, `text.control_character`.
pub fn d08_body_is_within_limits(input: &str) -> Result<String, ValidationError> {
    let body = input.trim();
    if body.is_empty() {
        return Err(ValidationError::new(
            "board.body_required",
            "本文を入力してください。",
            "Please write the text of the post.",
        ));
    }
    check_text(body, TextKind::Multiline)?;
    Ok(body.to_owned())
}

/// D08: a post is hidden only with the reason, which its author is told and the staff see
/// beside it. One line. Codes: `board.reason_required`, `text.too_long`,
/// `text.control_character`.
pub fn d08_reason_is_given(input: &str) -> Result<String, ValidationError> {
    let reason = input.trim();
    if reason.is_empty() {
        return Err(ValidationError::new(
            "board.reason_required",
            "非表示にする理由を入力してください。投稿した人にメールで伝わり、記録として残ります。",
            "Please give the reason for hiding the post: its author is told it by mail, and it is kept on record.",
        ));
    }
    check_text(reason, TextKind::Line)?;
    Ok(reason.to_owned())
}

/// D08: who answers, and what. The staff of the session's organisation who run its delivery
/// (editors and owners: its instructors and secretariat) answer a question that is not hidden.
/// A viewer reads the board; a learner asks, and does not reply in a thread: every reply is
/// then the provider's, the thread keeps one asker and the name (or not) they chose, and the
/// board does not become a conversation among learners that staff would have to moderate as
/// it happens. A learner the answer did not help asks again.
///
/// Codes: `board.learner_answer`, `board.viewer_answer`, `board.not_a_question`,
/// `board.question_hidden`.
pub fn d08_may_answer(
    role: Option<OrgRole>,
    target: PostKind,
    target_hidden: bool,
) -> Result<(), ValidationError> {
    match role {
        None => {
            return Err(ValidationError::new(
                "board.learner_answer",
                "回答できるのは講座の提供者の講師・運営者です。回答で分からなかったことは、新しい質問として投稿してください。",
                "Answers come from the provider's instructors and staff. If an answer did not settle your question, please ask a new one.",
            ));
        }
        Some(OrgRole::Viewer) => {
            return Err(ValidationError::new(
                "board.viewer_answer",
                "閲覧者は回答できません。回答は編集者または管理者が行います。",
                "Viewers cannot answer; editors and owners do.",
            ));
        }
        Some(OrgRole::Editor | OrgRole::Owner) => {}
    }
    if target != PostKind::Question {
        return Err(ValidationError::new(
            "board.not_a_question",
            "回答できるのは受講者の質問だけです。",
            "Only a learner's question can be answered.",
        ));
    }
    if target_hidden {
        return Err(ValidationError::new(
            "board.question_hidden",
            "非表示にした質問には回答できません。",
            "A hidden question cannot be answered.",
        ));
    }
    Ok(())
}

/// Who is looking at the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer<'a> {
    /// The provider's staff (they answer and moderate).
    Staff,
    /// A learner of the session.
    Learner { account_id: &'a str },
}

/// What the display rule needs to know of a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authorship<'a> {
    pub kind: PostKind,
    pub author_id: &'a str,
    /// The asker chose not to show their name to other learners.
    pub anonymous: bool,
    /// The post, or the question it answers, is hidden.
    pub hidden: bool,
}

/// How a post's author appears to a viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorShown {
    /// By name.
    Name,
    /// As 匿名の受講者.
    Anonymous,
    /// Not at all: the post is hidden (learners see only that something was hidden here).
    Hidden,
}

/// D08: how the author of a post is shown to `viewer`. The staff always see the name, hidden
/// posts included (with the reason, elsewhere). Learners see nothing of a hidden post or of an
/// answer to a hidden question; of the others, the staff by name, an anonymous asker as
/// 匿名の受講者 unless it is their own question, and everyone else by name.
pub fn d08_author_shown(viewer: Viewer<'_>, post: Authorship<'_>) -> AuthorShown {
    match viewer {
        Viewer::Staff => AuthorShown::Name,
        Viewer::Learner { .. } if post.hidden => AuthorShown::Hidden,
        Viewer::Learner { account_id }
            if post.kind == PostKind::Question
                && post.anonymous
                && post.author_id != account_id =>
        {
            AuthorShown::Anonymous
        }
        Viewer::Learner { .. } => AuthorShown::Name,
    }
}

/// How an anonymous asker is shown.
pub const ANONYMOUS_JA: &str = "匿名の受講者";
/// English version of [`ANONYMOUS_JA`].
pub const ANONYMOUS_EN: &str = "A learner (anonymous)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_their_codes() {
        for k in PostKind::ALL {
            assert_eq!(PostKind::from_code(k.code()), Some(k));
        }
        assert_eq!(PostKind::from_code("reply"), None);
        assert!(PostKind::Answer.by_staff() && !PostKind::Question.by_staff());
    }

    #[test]
    fn d08_a_body_is_trimmed_and_kept() {
        assert_eq!(
            d08_body_is_within_limits("  資料はどこですか？\n2ページ目です。 ").unwrap(),
            "資料はどこですか？\n2ページ目です。"
        );
        assert!(d08_body_is_within_limits(&"あ".repeat(10_000)).is_ok());
    }

    #[test]
    fn d08_an_empty_or_unbounded_body_is_refused() {
        for empty in ["", "  \n\u{3000}"] {
            assert_eq!(
                d08_body_is_within_limits(empty).unwrap_err().code,
                "board.body_required"
            );
        }
        assert_eq!(
            d08_body_is_within_limits(&"あ".repeat(10_001))
                .unwrap_err()
                .code,
            "text.too_long"
        );
        assert_eq!(
            d08_body_is_within_limits("a\u{0}b").unwrap_err().code,
            "text.control_character"
        );
    }

    #[test]
    fn d08_a_reason_is_one_line_and_required() {
        assert_eq!(
            d08_reason_is_given(" 個人情報を含むため ").unwrap(),
            "個人情報を含むため"
        );
        let e = d08_reason_is_given(" ").unwrap_err();
        assert_eq!(e.code, "board.reason_required");
        assert!(e.message_ja.contains("理由") && e.message_en.contains("reason"));
        assert_eq!(
            d08_reason_is_given("一行目\n二行目").unwrap_err().code,
            "text.control_character"
        );
        assert_eq!(
            d08_reason_is_given(&"あ".repeat(301)).unwrap_err().code,
            "text.too_long"
        );
    }

    #[test]
    fn d08_editors_and_owners_answer_a_visible_question() {
        for role in [OrgRole::Editor, OrgRole::Owner] {
            assert_eq!(
                d08_may_answer(Some(role), PostKind::Question, false),
                Ok(())
            );
        }
    }

    #[test]
    fn d08_nobody_else_answers_and_nothing_else_is_answered() {
        let code = |r: Result<(), ValidationError>| r.unwrap_err().code;
        assert_eq!(
            code(d08_may_answer(None, PostKind::Question, false)),
            "board.learner_answer"
        );
        assert_eq!(
            code(d08_may_answer(
                Some(OrgRole::Viewer),
                PostKind::Question,
                false
            )),
            "board.viewer_answer"
        );
        for target in [PostKind::Announcement, PostKind::Answer] {
            assert_eq!(
                code(d08_may_answer(Some(OrgRole::Owner), target, false)),
                "board.not_a_question"
            );
        }
        assert_eq!(
            code(d08_may_answer(
                Some(OrgRole::Editor),
                PostKind::Question,
                true
            )),
            "board.question_hidden"
        );
    }

    fn question<'a>(author_id: &'a str, anonymous: bool, hidden: bool) -> Authorship<'a> {
        Authorship {
            kind: PostKind::Question,
            author_id,
            anonymous,
            hidden,
        }
    }

    #[test]
    fn d08_staff_always_see_who_wrote_it() {
        for (anonymous, hidden) in [(false, false), (true, false), (true, true)] {
            assert_eq!(
                d08_author_shown(Viewer::Staff, question("aoi", anonymous, hidden)),
                AuthorShown::Name
            );
        }
    }

    #[test]
    fn d08_other_learners_see_an_anonymous_asker_as_anonymous() {
        let ban = Viewer::Learner { account_id: "ban" };
        assert_eq!(
            d08_author_shown(ban, question("aoi", true, false)),
            AuthorShown::Anonymous
        );
        assert_eq!(
            d08_author_shown(ban, question("aoi", false, false)),
            AuthorShown::Name
        );
        // The asker sees their own question as theirs.
        let aoi = Viewer::Learner { account_id: "aoi" };
        assert_eq!(
            d08_author_shown(aoi, question("aoi", true, false)),
            AuthorShown::Name
        );
        // Only a question is anonymous: the staff's posts carry their name.
        let answer = Authorship {
            kind: PostKind::Answer,
            author_id: "staff",
            anonymous: true,
            hidden: false,
        };
        assert_eq!(d08_author_shown(ban, answer), AuthorShown::Name);
    }

    #[test]
    fn d08_learners_see_nothing_of_a_hidden_post_not_even_their_own() {
        for viewer in ["aoi", "ban"] {
            let v = Viewer::Learner { account_id: viewer };
            assert_eq!(
                d08_author_shown(v, question("aoi", false, true)),
                AuthorShown::Hidden
            );
        }
        let hidden_answer = Authorship {
            kind: PostKind::Answer,
            author_id: "staff",
            anonymous: false,
            hidden: true,
        };
        assert_eq!(
            d08_author_shown(Viewer::Learner { account_id: "aoi" }, hidden_answer),
            AuthorShown::Hidden
        );
    }
}

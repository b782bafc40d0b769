-- Two-way communication per session (issue 16; D08, B19 6): the staff's announcements, the
-- learners' questions and the staff's answers. Append-only: a post is never changed or deleted;
-- hiding it records who hid it, when and why on the post itself, and learners then see only
-- that something was hidden. Kept in step with the other backend's file of the same name: same
-- tables, columns and meaning; only the column types differ.
CREATE TABLE board_posts (
    -- UUIDv7: ordered by time.
    id             TEXT    NOT NULL PRIMARY KEY,
    session_id     TEXT    NOT NULL REFERENCES deliveries (session_id),
    -- 'announcement', 'question' or 'answer'.
    kind           TEXT    NOT NULL,
    -- The question an answer answers; none for the others.
    question_id    TEXT    REFERENCES board_posts (id),
    author_id      TEXT    NOT NULL REFERENCES accounts (id),
    -- A question whose asker other learners see as 匿名の受講者 (the staff always see who).
    anonymous      INTEGER NOT NULL,
    body           TEXT    NOT NULL,
    posted_at      TEXT    NOT NULL,
    -- Set once, all three together, when the staff hide the post.
    hidden_by      TEXT    REFERENCES accounts (id),
    hidden_at      TEXT,
    hidden_reason  TEXT
);
-- A board's page: announcements first, then questions, the newest first.
CREATE INDEX board_posts_by_session ON board_posts (session_id, kind, posted_at);
CREATE INDEX board_posts_by_question ON board_posts (question_id);

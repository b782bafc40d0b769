-- Completion (issue 16; B12, D05): the criteria a session publishes before enrolment, the
-- assessment results recorded against them (append-only: a correction is a new row with its
-- reason), and the decisions issued (immutable: a correction is a new decision that supersedes
-- the earlier one, with its reason). Kept in step with the other backend's file of the same
-- name: same tables, columns and meaning; only the column types differ.

-- A session's completion criteria (JSON of koshu_domain::delivery::completion::
-- CompletionCriteria), published on its pages; changed only until its first block starts.
CREATE TABLE completion_criteria (
    session_id  TEXT    NOT NULL PRIMARY KEY REFERENCES deliveries (session_id),
    criteria    TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    updated_by  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

-- Each result as it was recorded. Of an assessment's latest attempt, the last row counts.
CREATE TABLE assessment_results (
    id                 TEXT    NOT NULL PRIMARY KEY,
    session_id         TEXT    NOT NULL REFERENCES deliveries (session_id),
    account_id         TEXT    NOT NULL REFERENCES accounts (id),
    -- The assessment's number in the criteria (1-based) and the attempt (1 is the first).
    assessment         INTEGER NOT NULL,
    attempt            INTEGER NOT NULL,
    -- A test's score; NULL for a rubric.
    score              INTEGER,
    -- A rubric's levels, one per criterion in its order (JSON array); NULL for a test.
    levels             TEXT,
    -- Why this row corrects the earlier record of the same attempt; NULL for a first record.
    correction_reason  TEXT,
    recorded_by        TEXT    NOT NULL,
    recorded_at        TEXT    NOT NULL
);
CREATE INDEX assessment_results_by_session ON assessment_results (session_id, account_id, recorded_at);

-- The decisions issued, never changed. The current one of a learner and session is the one no
-- other supersedes: one first decision each (the partial index) and each decision superseded
-- at most once (UNIQUE supersedes) make that exactly one. Certificates and reports read it:
-- outcome, hours achieved, attendance share, when, by whom, and why.
CREATE TABLE completion_decisions (
    id                  TEXT    NOT NULL PRIMARY KEY,
    session_id          TEXT    NOT NULL REFERENCES deliveries (session_id),
    account_id          TEXT    NOT NULL REFERENCES accounts (id),
    -- 'completed' (修了) or 'not_completed' (未修了).
    outcome             TEXT    NOT NULL,
    -- The hours achieved: the minutes attended under the attendance rules, of those timetabled.
    attended_minutes    INTEGER NOT NULL,
    timetabled_minutes  INTEGER NOT NULL,
    -- The share attended, whole percent rounded down.
    attendance_percent  INTEGER NOT NULL,
    -- One reason per criterion, met or missed, in Japanese and English (JSON).
    reasons             TEXT    NOT NULL,
    -- The criteria decided against, as they were (JSON).
    criteria            TEXT    NOT NULL,
    supersedes          TEXT    UNIQUE REFERENCES completion_decisions (id),
    correction_reason   TEXT,
    decided_by          TEXT    NOT NULL,
    decided_at          TEXT    NOT NULL
);
CREATE UNIQUE INDEX completion_decisions_first ON completion_decisions (session_id, account_id)
    WHERE supersedes IS NULL;
CREATE INDEX completion_decisions_by_session ON completion_decisions (session_id, account_id);

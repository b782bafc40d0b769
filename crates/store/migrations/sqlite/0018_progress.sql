-- Progress and follow-up (issue 16; B11, D04). Kept in step with the other backend's file of
-- the same name: same tables, columns and meaning; only the column types differ.

-- What an on-demand item's page reported: 'start' and 'finish' (the learner's buttons) and
-- 'active' (every 30 s while the page is open, visible and in use). Time on task is computed
-- from these; they are kept as they came.
CREATE TABLE progress_events (
    id          TEXT    NOT NULL PRIMARY KEY,
    session_id  TEXT    NOT NULL REFERENCES deliveries (session_id),
    account_id  TEXT    NOT NULL REFERENCES accounts (id),
    item_no     INTEGER    NOT NULL,
    kind        TEXT    NOT NULL,
    at_us       INTEGER    NOT NULL
);
CREATE INDEX progress_events_by_session ON progress_events (session_id, account_id, item_no, at_us);

-- A follow-up of a stalled learner, kept as evidence (B11): what the stall was about
-- ('block:3', 'item:2') and when it began, how the learner was contacted and the outcome.
CREATE TABLE follow_ups (
    id             TEXT    NOT NULL PRIMARY KEY,
    session_id     TEXT    NOT NULL REFERENCES deliveries (session_id),
    account_id     TEXT    NOT NULL REFERENCES accounts (id),
    subject        TEXT    NOT NULL,
    stalled_since  TEXT     NOT NULL,
    method         TEXT    NOT NULL,
    outcome        TEXT    NOT NULL,
    note           TEXT,
    recorded_by    TEXT    NOT NULL,
    recorded_at    TEXT     NOT NULL
);
CREATE INDEX follow_ups_by_session ON follow_ups (session_id, account_id, recorded_at);

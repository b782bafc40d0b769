-- Moderation (issue 14 item 5): problems visitors report on a programme's page, and the
-- programmes the ministry hides from the catalogue with a reason its provider reads.
-- Kept in step with the other backend's file of the same name.
CREATE TABLE programme_reports (
    id            TEXT NOT NULL PRIMARY KEY,
    programme_id  TEXT NOT NULL,
    -- 'outdated', 'wrong', 'broken_link', 'inappropriate' or 'other'.
    reason        TEXT NOT NULL,
    details       TEXT NOT NULL,
    -- Where the visitor may be answered, if they said.
    contact       TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    closed_at     TEXT,
    closed_by     TEXT
);
CREATE INDEX programme_reports_open ON programme_reports (closed_at, received_at);
CREATE TABLE programme_hidings (
    programme_id  TEXT NOT NULL PRIMARY KEY,
    reason        TEXT NOT NULL,
    hidden_by     TEXT NOT NULL,
    hidden_at     TEXT NOT NULL
);

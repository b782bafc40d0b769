-- Scheduled work (effective dates, reminders): jobs claimed through the database, so that any
-- number of server nodes may run them and none runs one twice. Keep in step with
-- ../postgres/0006_jobs.sql: same tables, columns and meaning.
CREATE TABLE jobs (
    id              TEXT    NOT NULL PRIMARY KEY,
    -- Which handler runs it (koshu_web::jobs::registry).
    kind            TEXT    NOT NULL,
    -- The handler's input, JSON.
    payload         TEXT    NOT NULL,
    -- At most one pending job per key: scheduling again replaces it.
    dedupe_key      TEXT,
    -- 'pending' (waiting for run_at), 'running' (claimed, see lease_until_us), 'done',
    -- 'failed' (gave up; last_error says why) or 'cancelled'.
    status          TEXT    NOT NULL,
    -- When it is due, and until when a claim holds: microseconds since the Unix epoch, so both
    -- databases compare them by value (as auth_attempts.at_us; TEXT times do not sort).
    run_at_us       INTEGER NOT NULL,
    lease_until_us  INTEGER,
    -- Claims so far, counting the current one.
    attempts        INTEGER NOT NULL DEFAULT 0,
    claimed_by      TEXT,
    claimed_at      TEXT,
    last_error      TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    finished_at     TEXT
);
CREATE UNIQUE INDEX jobs_pending_by_dedupe_key ON jobs (dedupe_key) WHERE status = 'pending';
CREATE INDEX jobs_due ON jobs (status, run_at_us);

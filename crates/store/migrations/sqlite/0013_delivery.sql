-- Delivery (issue 15; D01-D03, B19, B30, B32): learners, sessions as delivered, enrolments with
-- a waiting list, identity checks, attendance evidence (append-only), heartbeats, meeting-tool
-- reports, and the seals of closed days. Kept in step with the other backend's file of the same
-- name: same tables, columns and meaning; only the column types differ.

-- A signed-up person's learner profile: what a provider sees of them once they enrol.
CREATE TABLE learners (
    account_id          TEXT    NOT NULL PRIMARY KEY REFERENCES accounts (id),
    name                TEXT    NOT NULL,
    name_kana           TEXT    NOT NULL,
    -- 登録セキスペ only: the six digits and the registration (or last renewal) date.
    riss_number         TEXT,
    riss_registered_on  TEXT,
    consented_at        TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);

-- A catalogue session as the provider delivers it: the plan (timetable, room, capacity, window,
-- fee, audience, thresholds) as JSON, and the secret its rotating check-in codes come from.
CREATE TABLE deliveries (
    session_id       TEXT    NOT NULL PRIMARY KEY,
    programme_id     TEXT    NOT NULL,
    organisation_id  TEXT    NOT NULL REFERENCES organisations (id),
    plan             TEXT    NOT NULL,
    capacity         INTEGER NOT NULL,
    code_secret      TEXT    NOT NULL,
    revision         INTEGER NOT NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE INDEX deliveries_by_organisation ON deliveries (organisation_id);
-- A programme's page links the sessions that take applications.
CREATE INDEX deliveries_by_programme ON deliveries (programme_id);

-- One per learner and session. `queue_no` orders applications: the waiting list is served in it.
CREATE TABLE enrolments (
    id            TEXT    NOT NULL PRIMARY KEY,
    session_id    TEXT    NOT NULL REFERENCES deliveries (session_id),
    account_id    TEXT    NOT NULL REFERENCES accounts (id),
    -- 'enrolled', 'waiting', 'offered', 'cancelled' or 'lapsed'.
    status        TEXT    NOT NULL,
    queue_no      INTEGER NOT NULL,
    offer_until   TEXT,
    -- 'learner' or 'provider', when cancelled.
    cancelled_by  TEXT,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (session_id, account_id)
);
CREATE INDEX enrolments_by_account ON enrolments (account_id);
CREATE INDEX enrolments_by_session ON enrolments (session_id, status, queue_no);

-- B30 1: identity and RISS number checked, per session day; the newest check counts.
CREATE TABLE identity_checks (
    id           TEXT    NOT NULL PRIMARY KEY,
    session_id   TEXT    NOT NULL REFERENCES deliveries (session_id),
    account_id   TEXT    NOT NULL REFERENCES accounts (id),
    day          TEXT    NOT NULL,
    -- How identity was checked: 'photo_id', 'video' (remote), ...
    method       TEXT    NOT NULL,
    -- 'matches', 'differs' or 'not_registered' (the learner holds no RISS registration).
    riss_result  TEXT    NOT NULL,
    note         TEXT,
    checked_by   TEXT    NOT NULL,
    checked_at   TEXT    NOT NULL
);
CREATE INDEX identity_checks_by_session ON identity_checks (session_id, day, account_id);

-- Attendance evidence, append-only (B19): check-in and check-out by code, staff marks, intervals
-- from meeting-tool reports. A correction is a new entry with its reason. Times in microseconds
-- since the Unix epoch, so both databases compare them by value.
CREATE TABLE attendance_events (
    id           TEXT    NOT NULL PRIMARY KEY,
    session_id   TEXT    NOT NULL REFERENCES deliveries (session_id),
    account_id   TEXT    NOT NULL REFERENCES accounts (id),
    block_no     INTEGER NOT NULL,
    -- 'check_in', 'check_out', 'interval', 'staff_present', 'staff_absent'.
    kind         TEXT    NOT NULL,
    at_us        INTEGER NOT NULL,
    until_us     INTEGER,
    -- 'code', 'staff' or 'report:<id>'.
    source       TEXT    NOT NULL,
    reason       TEXT,
    recorded_by  TEXT    NOT NULL,
    recorded_at  TEXT    NOT NULL
);
CREATE INDEX attendance_events_by_session ON attendance_events (session_id, account_id, at_us);

-- A remote learner's live session page beats every 30 s while visible (B30 2). Narrow, because
-- there are many: 60,000 learners beat 2,000 times a second.
CREATE TABLE heartbeats (
    session_id  TEXT    NOT NULL,
    account_id  TEXT    NOT NULL,
    at_us       INTEGER NOT NULL
);
CREATE INDEX heartbeats_by_session ON heartbeats (session_id, account_id, at_us);

-- A participant report from Zoom, Teams or BigBlueButton: the file is in the object store
-- (its SHA-256 here); `rows` holds what was read, each row with the learner it was matched to.
CREATE TABLE participant_reports (
    id           TEXT    NOT NULL PRIMARY KEY,
    session_id   TEXT    NOT NULL REFERENCES deliveries (session_id),
    block_no     INTEGER NOT NULL,
    tool         TEXT    NOT NULL,
    file_id      TEXT    NOT NULL REFERENCES stored_files (id),
    sha256       TEXT    NOT NULL,
    rows         TEXT    NOT NULL,
    uploaded_by  TEXT    NOT NULL,
    uploaded_at  TEXT    NOT NULL
);
CREATE INDEX participant_reports_by_session ON participant_reports (session_id, uploaded_at);

-- A closed session day: the digest of its evidence, also in the audit chain.
CREATE TABLE attendance_seals (
    session_id  TEXT    NOT NULL REFERENCES deliveries (session_id),
    day         TEXT    NOT NULL,
    digest      TEXT    NOT NULL,
    entries     INTEGER NOT NULL,
    sealed_by   TEXT    NOT NULL,
    sealed_at   TEXT    NOT NULL,
    PRIMARY KEY (session_id, day)
);

-- A mail may carry an iCalendar file (an enrolment's dates, to put in one's calendar).
ALTER TABLE outbox ADD COLUMN calendar TEXT;

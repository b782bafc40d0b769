-- Notices about a designated course (issue 6): changes (様式第3号; C03, C04) and abolition
-- (様式第4号; C05). Filed before they take effect; a scheduled job applies each on its
-- effective date. Kept in step with the other backend's file of the same name.
CREATE TABLE designation_notices (
    id              TEXT NOT NULL PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    number          TEXT NOT NULL REFERENCES designations (number),
    -- 'change' or 'abolition'.
    kind            TEXT NOT NULL,
    -- For a change: the application as it will be (JSON); empty for an abolition.
    document        TEXT NOT NULL,
    -- For a change: the changed items (JSON list of ChangeItem codes).
    items           TEXT NOT NULL,
    -- For an abolition: the measures for learners in progress.
    measures        TEXT NOT NULL,
    effective_on    TEXT NOT NULL,
    filed_by        TEXT NOT NULL,
    filed_at        TEXT NOT NULL,
    applied_at      TEXT
);
CREATE INDEX designation_notices_by_application ON designation_notices (application_id, filed_at);

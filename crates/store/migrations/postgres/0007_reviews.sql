-- Review and designation (issue 6; B35, B36, C01–C07). Kept in step with the other backend's
-- file of the same name.

-- Where each application stands: koshu_domain::designation::lifecycle::Status, moved only by
-- its transition function.
ALTER TABLE applications ADD COLUMN status TEXT NOT NULL DEFAULT 'draft';

-- Who reviews an application: ministry reviewers and external experts. An expert declares any
-- conflict of interest before seeing anything (conflict: NULL = not yet declared).
CREATE TABLE review_assignments (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    role            TEXT NOT NULL,
    assigned_by     TEXT NOT NULL,
    assigned_at     TIMESTAMPTZ NOT NULL,
    conflict        TEXT,
    declared_at     TIMESTAMPTZ,
    PRIMARY KEY (application_id, account_id)
);

-- The reviewer's finding per rule, for one version (met / revise / not_met, with a comment).
CREATE TABLE review_findings (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    version         BIGINT NOT NULL,
    rule_id         TEXT NOT NULL,
    finding         TEXT NOT NULL,
    comment         TEXT NOT NULL,
    recorded_by     TEXT NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application_id, version, rule_id)
);

-- An external expert's opinion on one version.
CREATE TABLE expert_opinions (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    version         BIGINT NOT NULL,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    opinion         TEXT NOT NULL,
    given_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application_id, version, account_id)
);

-- What the ministry decided on a version: a request for revision, a designation or a
-- rejection, with its reasons. Only inserted.
CREATE TABLE review_decisions (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    version         BIGINT NOT NULL,
    outcome         TEXT NOT NULL,
    reasons         TEXT NOT NULL,
    decided_by      TEXT NOT NULL,
    decided_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application_id, version, outcome)
);

-- Designated courses (C01): number, period, and the catalogue programme that shows them.
CREATE TABLE designations (
    number          TEXT NOT NULL PRIMARY KEY,
    application_id  TEXT NOT NULL UNIQUE REFERENCES applications (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    programme_id    TEXT NOT NULL,
    version         BIGINT NOT NULL,
    starts_on       DATE NOT NULL,
    ends_on         DATE NOT NULL,
    designated_at   TIMESTAMPTZ NOT NULL,
    -- Set when the designation ends early: abolition (C05) or revocation (C06).
    ended_on        DATE,
    end_reason      TEXT
);
CREATE INDEX designations_by_organisation ON designations (organisation_id);

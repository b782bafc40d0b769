-- Providers list their own programmes (issue 14): the provider's working copy of each, with
-- its state, beside the public catalogue tables, which hold only what is published; and
-- sessions a provider has called off, which stay listed as cancelled.
-- Kept in step with the other backend's file of the same name.
ALTER TABLE sessions ADD COLUMN cancelled BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE listings (
    programme_id     TEXT        NOT NULL PRIMARY KEY,
    organisation_id  TEXT        NOT NULL REFERENCES organisations (id),
    -- 'draft', 'published', 'unpublished' or 'withdrawn'.
    state            TEXT        NOT NULL,
    -- The programme with its sessions (JSON), as the provider last saved it.
    doc              TEXT        NOT NULL,
    -- Counts saves: a save made on an older revision is refused (409, or 412 with If-Match).
    revision         BIGINT      NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX listings_by_organisation ON listings (organisation_id, updated_at);
-- A record's history (a programme's changes, shown to its provider) is read by subject.
CREATE INDEX audit_log_by_subject ON audit_log (subject, seq);

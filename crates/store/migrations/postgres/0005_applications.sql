-- 特定講習 applications (issue 5; B34): the working draft of each, and its submitted versions,
-- which are never changed. Kept in step with the other backend's file of the same name.
CREATE TABLE applications (
    id               TEXT NOT NULL PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    -- The course name, kept for lists; the draft document is the truth.
    title            TEXT NOT NULL,
    -- koshu_domain::designation::Application as JSON.
    draft            TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX applications_by_organisation ON applications (organisation_id, updated_at);

-- A submitted version: the application and the list of its documents as they were, with the
-- SHA-256 of both. Rows are only ever inserted.
CREATE TABLE application_versions (
    application_id   TEXT NOT NULL REFERENCES applications (id),
    version          BIGINT NOT NULL,
    document         TEXT NOT NULL,
    documents        TEXT NOT NULL,
    digest           TEXT NOT NULL,
    submitted_by     TEXT NOT NULL,
    submitted_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application_id, version)
);

-- Files attached to an application (materials, financial statements, ...). The file itself is
-- immutable in stored_files; removing it from the draft leaves earlier versions intact.
CREATE TABLE application_files (
    application_id   TEXT NOT NULL REFERENCES applications (id),
    file_id          TEXT NOT NULL REFERENCES stored_files (id),
    -- What the file is for: a code of koshu_domain::designation::documents::DocumentKind.
    kind             TEXT NOT NULL,
    added_at         TIMESTAMPTZ NOT NULL,
    removed_at       TIMESTAMPTZ,
    PRIMARY KEY (application_id, file_id)
);

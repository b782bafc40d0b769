-- Foundation: audit log, catalogue, stored files. Keep in step with ../sqlite/0001_foundation.sql:
-- same tables, columns and meaning; only the column types differ.

CREATE TABLE audit_log (
    seq            BIGINT  PRIMARY KEY,
    at             TIMESTAMPTZ NOT NULL,
    actor          TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    subject        TEXT    NOT NULL,
    before_digest  TEXT,
    after_digest   TEXT,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL
);

-- The last entry, recorded apart from the log so that removing entries from its end is noticed.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   BIGINT  NOT NULL,
    hash  TEXT    NOT NULL
);

CREATE TABLE providers (
    id                TEXT PRIMARY KEY,
    name_ja           TEXT NOT NULL,
    name_en           TEXT,
    kind              TEXT NOT NULL,
    corporate_number  TEXT UNIQUE,
    doc               TEXT NOT NULL,
    digest            TEXT NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);

-- `doc` holds the whole programme; the other columns are projections of it for filtering.
CREATE TABLE programmes (
    id           TEXT PRIMARY KEY,
    provider_id  TEXT NOT NULL REFERENCES providers (id),
    title_ja     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    format       TEXT NOT NULL,
    difficulty   TEXT NOT NULL,
    fee_min_yen  BIGINT,
    fee_max_yen  BIGINT,
    doc          TEXT NOT NULL,
    digest       TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX programmes_by_provider ON programmes (provider_id);

CREATE TABLE programme_tags (
    programme_id  TEXT NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    facet         TEXT NOT NULL,
    code          TEXT NOT NULL,
    PRIMARY KEY (programme_id, facet, code)
);
CREATE INDEX programme_tags_by_code ON programme_tags (facet, code);

CREATE TABLE sessions (
    id            TEXT    PRIMARY KEY,
    programme_id  TEXT    NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    starts_on     DATE    NOT NULL,
    ends_on       DATE    NOT NULL,
    prefecture    TEXT,
    city          TEXT,
    venue         TEXT,
    online        BOOLEAN NOT NULL,
    capacity      INTEGER,
    note_ja       TEXT
);
CREATE INDEX sessions_by_start ON sessions (starts_on);
CREATE INDEX sessions_by_programme ON sessions (programme_id, position);

-- Files live in the object store under `id`; the original name and type are kept here.
CREATE TABLE stored_files (
    id            TEXT    PRIMARY KEY,
    file_name     TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size_bytes    BIGINT  NOT NULL,
    sha256        TEXT    NOT NULL,
    created_by    TEXT    NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

-- The xAPI Learning Record Store (issue 20): statements sent by providers' LMSs with their
-- LRS credentials (api_tokens of scope 'xapi'), kept per organisation: one provider never
-- reads another's. Kept in step with the other backend's file of the same name.

-- A statement as the LRS returns it (`body`, JSON with stored, authority and version set),
-- immutable once kept, with the columns the filters of GET statements read. `stored_us` is
-- when it was kept (microseconds since the epoch); statements are listed by it, then by id.
CREATE TABLE xapi_statements (
    organisation_id  TEXT    NOT NULL REFERENCES organisations (id),
    id               TEXT    NOT NULL,
    stored_us        BIGINT  NOT NULL,
    actor            TEXT,
    verb             TEXT    NOT NULL,
    activity         TEXT,
    registration     TEXT,
    -- The statement id this one voids (a voiding statement), the statement its object
    -- refers to (a StatementRef, voiding or not), and whether this one is voided.
    voids            TEXT,
    target           TEXT,
    voided           BOOLEAN NOT NULL DEFAULT FALSE,
    body             TEXT    NOT NULL,
    PRIMARY KEY (organisation_id, id)
);
CREATE INDEX xapi_statements_by_stored ON xapi_statements (organisation_id, stored_us, id);
CREATE INDEX xapi_statements_by_target ON xapi_statements (organisation_id, target);

-- Every agent and activity a statement names (related_agents, related_activities), and its
-- actor and object alone (`direct`: the `agent` and `activity` filters without related_*).
CREATE TABLE xapi_statement_agents (
    organisation_id  TEXT    NOT NULL,
    statement_id     TEXT    NOT NULL,
    agent            TEXT    NOT NULL,
    direct           BOOLEAN NOT NULL,
    PRIMARY KEY (organisation_id, statement_id, agent),
    FOREIGN KEY (organisation_id, statement_id) REFERENCES xapi_statements (organisation_id, id)
);
CREATE INDEX xapi_statement_agents_by_agent ON xapi_statement_agents (organisation_id, agent);
CREATE TABLE xapi_statement_activities (
    organisation_id  TEXT    NOT NULL,
    statement_id     TEXT    NOT NULL,
    activity         TEXT    NOT NULL,
    direct           BOOLEAN NOT NULL,
    PRIMARY KEY (organisation_id, statement_id, activity),
    FOREIGN KEY (organisation_id, statement_id) REFERENCES xapi_statements (organisation_id, id)
);
CREATE INDEX xapi_statement_activities_by_activity ON xapi_statement_activities (organisation_id, activity);

-- Attachments' raw data by SHA-2, sent in multipart/mixed with the statements that name it.
CREATE TABLE xapi_attachments (
    organisation_id  TEXT    NOT NULL REFERENCES organisations (id),
    sha2             TEXT    NOT NULL,
    content_type     TEXT    NOT NULL,
    content          BYTEA   NOT NULL,
    PRIMARY KEY (organisation_id, sha2)
);

-- The latest definition of each activity seen in a statement (the Activities resource).
CREATE TABLE xapi_activities (
    organisation_id  TEXT    NOT NULL REFERENCES organisations (id),
    id               TEXT    NOT NULL,
    definition       TEXT    NOT NULL,
    PRIMARY KEY (organisation_id, id)
);

-- The State, Activity Profile and Agent Profile documents: `kind` is 'state',
-- 'activity_profile' or 'agent_profile'; the keys a kind does not use are ''.
CREATE TABLE xapi_documents (
    organisation_id  TEXT    NOT NULL REFERENCES organisations (id),
    kind             TEXT    NOT NULL,
    activity_id      TEXT    NOT NULL,
    agent            TEXT    NOT NULL,
    registration     TEXT    NOT NULL,
    document_id      TEXT    NOT NULL,
    content_type     TEXT    NOT NULL,
    content          BYTEA   NOT NULL,
    etag             TEXT    NOT NULL,
    updated          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organisation_id, kind, activity_id, agent, registration, document_id)
);

-- Statements about a Koshu session's activities whose actor Koshu could not match to an
-- enrolled learner (issue 20 item 3): listed for the session's staff, by actor, with how
-- many came and when the last did. Personal data of the session (retention, E02).
CREATE TABLE xapi_unmatched (
    session_id   TEXT    NOT NULL REFERENCES deliveries (session_id),
    actor        TEXT    NOT NULL,
    statements   BIGINT  NOT NULL,
    last_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, actor)
);

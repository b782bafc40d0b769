-- API tokens for providers' own systems (issue 14 item 3): an organisation's owner creates
-- them; the secret is shown once and kept only as its SHA-256. And the responses to POSTs
-- sent with an Idempotency-Key, so that a retried request gets the first answer.
-- Kept in step with the other backend's file of the same name.
CREATE TABLE api_tokens (
    id               TEXT NOT NULL PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    name             TEXT NOT NULL,
    -- 'read' or 'write'.
    scope            TEXT NOT NULL,
    secret_digest    TEXT NOT NULL UNIQUE,
    -- The secret's first characters, to tell tokens apart on the page.
    hint             TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    last_used_at     TEXT,
    revoked_at       TEXT
);
CREATE INDEX api_tokens_by_organisation ON api_tokens (organisation_id, created_at);
CREATE TABLE idempotency_keys (
    token_id        TEXT    NOT NULL REFERENCES api_tokens (id),
    key             TEXT    NOT NULL,
    -- The request it was first sent with (method, path, body): reusing a key for another
    -- request is refused.
    request_digest  TEXT    NOT NULL,
    -- 0 while the first request is being answered.
    status          INTEGER NOT NULL,
    body            TEXT    NOT NULL,
    etag            TEXT,
    location        TEXT,
    created_at      TEXT    NOT NULL,
    PRIMARY KEY (token_id, key)
);

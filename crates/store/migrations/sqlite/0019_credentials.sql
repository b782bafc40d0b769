-- Credentials (issue 17; D06, B13): issuers' keys, the Open Badges 3.0 credentials issued on
-- completion decisions, and the signed status lists. Kept in step with the other backend's
-- file of the same name: same tables, columns and meaning; only the column types differ.

-- An organisation's Ed25519 keys. The private key is sealed (AES-256-GCM) under the master key
-- the configuration gives and never stored in clear. A rotated key is retired, never deleted:
-- its DID document keeps listing it so that what it signed still verifies.
CREATE TABLE issuer_keys (
    id                TEXT    NOT NULL PRIMARY KEY,
    organisation_id   TEXT    NOT NULL REFERENCES organisations (id),
    -- The DID URL fragment: key-1, key-2, ...
    fragment          TEXT    NOT NULL,
    public_multibase  TEXT    NOT NULL,
    -- hex of nonce || ciphertext, bound to this row's id.
    sealed_private    TEXT    NOT NULL,
    created_at        TEXT     NOT NULL,
    retired_at        TEXT,
    UNIQUE (organisation_id, fragment)
);

-- A credential as issued: the signed JSON is frozen here and never regenerated; pages, the
-- PDF and the images are made from it. Its status is the one thing that changes, with the
-- reason, in the audit log too.
CREATE TABLE credentials (
    id                 TEXT    NOT NULL PRIMARY KEY,
    organisation_id    TEXT    NOT NULL REFERENCES organisations (id),
    session_id         TEXT    NOT NULL REFERENCES deliveries (session_id),
    account_id         TEXT    NOT NULL REFERENCES accounts (id),
    -- The completion decision it was issued on; one credential per decision.
    decision_id        TEXT    NOT NULL UNIQUE REFERENCES completion_decisions (id),
    -- The organisation's running number of credentials: list (seq / 131072 + 1), index (seq % 131072).
    seq                INTEGER    NOT NULL,
    document           TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    status_reason      TEXT,
    status_changed_at  TEXT,
    issued_at          TEXT     NOT NULL,
    UNIQUE (organisation_id, seq)
);
CREATE INDEX credentials_by_account ON credentials (account_id, issued_at);
CREATE INDEX credentials_by_session ON credentials (session_id, account_id);

-- Each organisation's signed Bitstring Status List credentials, re-signed in the same unit as
-- any status change, so that what is served is always a signed, whole list (and its ETag).
CREATE TABLE status_lists (
    organisation_id  TEXT    NOT NULL REFERENCES organisations (id),
    number           INTEGER    NOT NULL,
    document         TEXT    NOT NULL,
    etag             TEXT    NOT NULL,
    updated_at       TEXT     NOT NULL,
    PRIMARY KEY (organisation_id, number)
);

-- Whether the learner agrees to their RISS registration number appearing on certificates.
ALTER TABLE learners ADD COLUMN riss_on_credential INTEGER NOT NULL DEFAULT 0;

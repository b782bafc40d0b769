-- Accounts, sign-in sessions, organisations and outgoing mail (issue 4; G01, G02, B21, B24, B25).
-- Keep in step with ../postgres/0003_accounts.sql: same tables, columns and meaning.

CREATE TABLE accounts (
    id                 TEXT    PRIMARY KEY,
    email              TEXT    NOT NULL UNIQUE,
    display_name       TEXT    NOT NULL,
    password_hash      TEXT    NOT NULL,
    email_verified_at  TEXT,
    -- The TOTP secret (hex); enabled once a code from it was confirmed.
    totp_secret        TEXT,
    totp_enabled_at    TEXT,
    totp_last_step     INTEGER,
    ministry_role      TEXT,
    expert             INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT    NOT NULL
);

-- One-time recovery codes for a lost authenticator, stored as SHA-256 digests.
CREATE TABLE recovery_codes (
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash   TEXT NOT NULL,
    used_at     TEXT,
    PRIMARY KEY (account_id, code_hash)
);

-- Server-side sessions; the cookie holds a random token, the table only its SHA-256 digest.
CREATE TABLE web_sessions (
    token_hash    TEXT NOT NULL PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- 'second_factor' between password and code; 'full' once signed in.
    stage         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    user_agent    TEXT
);
CREATE INDEX web_sessions_by_account ON web_sessions (account_id);

-- Single-use links sent by mail (address verification, password reset, staff invitation).
CREATE TABLE account_tokens (
    token_hash  TEXT NOT NULL PRIMARY KEY,
    purpose     TEXT NOT NULL,
    email       TEXT NOT NULL,
    -- For invitations: the organisation and the role offered.
    organisation_id TEXT,
    role        TEXT,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

-- Attempts counted for rate limits, by kind and key (an address typed in, or a client address).
CREATE TABLE auth_attempts (
    kind  TEXT NOT NULL,
    key   TEXT NOT NULL,
    -- Microseconds since the Unix epoch: compared by value in both databases.
    at_us INTEGER NOT NULL
);
CREATE INDEX auth_attempts_by_key ON auth_attempts (kind, key, at_us);

-- Every mail the system sends, kept as sent: the embedded default delivers nowhere else.
CREATE TABLE outbox (
    id          TEXT    PRIMARY KEY,
    to_address  TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    sent_at     TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE INDEX outbox_unsent ON outbox (sent_at, created_at);

CREATE TABLE organisations (
    id                TEXT PRIMARY KEY,
    corporate_number  TEXT NOT NULL UNIQUE,
    name_ja           TEXT NOT NULL,
    doc               TEXT NOT NULL,
    digest            TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE TABLE memberships (
    organisation_id  TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    account_id       TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (organisation_id, account_id)
);
CREATE INDEX memberships_by_account ON memberships (account_id);

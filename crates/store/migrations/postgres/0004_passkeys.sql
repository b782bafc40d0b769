-- WebAuthn passkeys, a second factor beside TOTP (issue 4, G02).
CREATE TABLE passkeys (
    id            TEXT NOT NULL PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The authenticator's credential id (base64url); one account only.
    credential_id TEXT NOT NULL UNIQUE,
    -- The person's own label ("YubiKey", "MacBook").
    name          TEXT NOT NULL,
    -- webauthn-rs's Passkey (public key, counter) as JSON.
    credential    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ
);
CREATE INDEX passkeys_by_account ON passkeys (account_id);

-- A ceremony in progress: the challenge state between the browser's two requests, kept on the
-- server (never in the browser) and bound to the sign-in session that started it.
CREATE TABLE webauthn_ceremonies (
    session_hash  TEXT NOT NULL REFERENCES web_sessions (token_hash) ON DELETE CASCADE,
    -- 'register' or 'authenticate'.
    kind          TEXT NOT NULL,
    state         TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_hash, kind)
);

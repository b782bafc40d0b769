-- The RISS holder's ledger (issue 18; F01-F03): the registration a holder declares, the
-- courses they add themselves (Koshu's own completions are read from `credentials`), and the
-- reminders sent. Kept in step with the other backend's file of the same name: same tables,
-- columns and meaning; only the column types differ.

-- F01: one declared registration per account. Self-declared: Koshu cannot see IPA's register.
-- Removing the link deletes this row, the holder's courses and reminders.
CREATE TABLE holder_links (
    account_id           TEXT    NOT NULL PRIMARY KEY REFERENCES accounts (id),
    riss_number          TEXT    NOT NULL,
    registered_on        DATE    NOT NULL,
    renewed_on           DATE,
    -- SHA-256 (hex) of the secret in the holder's calendar feed address; null until made.
    calendar_token_hash  TEXT    UNIQUE,
    linked_at            TIMESTAMPTZ    NOT NULL,
    updated_at           TIMESTAMPTZ    NOT NULL
);
-- The registry counts holders by registration cohort.
CREATE INDEX holder_links_by_cohort ON holder_links (registered_on);

-- F03: a course the holder added: IPA's online or practical course, a 特定講習 taken elsewhere,
-- or another course. Evidence is a pasted credential (kept as given, with the verdict it got)
-- or an uploaded certificate in the object store, or none.
CREATE TABLE holder_courses (
    id             TEXT    NOT NULL PRIMARY KEY,
    account_id     TEXT    NOT NULL REFERENCES accounts (id),
    -- 'ipa_online', 'ipa_practical', 'specific' or 'other'.
    kind           TEXT    NOT NULL,
    title          TEXT    NOT NULL,
    provider       TEXT    NOT NULL,
    completed_on   DATE    NOT NULL,
    -- 'verified' (its credential verifies and names the holder) or 'self_reported'.
    standing       TEXT    NOT NULL,
    credential     TEXT,
    -- The verification's outcome code when a credential was pasted (verified, revoked, ...).
    verdict        TEXT,
    file_id        TEXT    REFERENCES stored_files (id),
    created_at     TIMESTAMPTZ    NOT NULL
);
CREATE INDEX holder_courses_by_account ON holder_courses (account_id, completed_on);

-- F03: each reminder mailed, one per deadline and threshold, so none goes twice.
CREATE TABLE holder_reminders (
    account_id   TEXT    NOT NULL REFERENCES accounts (id),
    deadline     DATE    NOT NULL,
    days_before  BIGINT  NOT NULL,
    sent_at      TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (account_id, deadline, days_before)
);

-- Retention (issue 19 item 5; E02, B31): a session whose learners' personal data was purged
-- after its three years, with how many rows of each table went (anonymous counts, kept with
-- the submitted reports and the survey tallies). One row per session: a second purge finds
-- it and does nothing. Kept in step with the other backend's file of the same name.
CREATE TABLE retention_purges (
    session_id   TEXT    NOT NULL PRIMARY KEY REFERENCES deliveries (session_id),
    -- The fiscal year the session belongs to (that of its last day), e.g. 2026.
    fiscal_year  INTEGER NOT NULL,
    -- {"enrolments": 12, ...}: the rows removed, by table.
    removed      TEXT    NOT NULL,
    purged_by    TEXT    NOT NULL,
    purged_at    TIMESTAMPTZ    NOT NULL
);

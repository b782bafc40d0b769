-- The implementation reports of designated courses (issue 19; E01, 3-2(9)): each submitted
-- version as it was submitted, never changed. A correction is the next version. Kept in step
-- with the other backend's file of the same name: same tables, columns and meaning; only the
-- column types differ.
CREATE TABLE course_reports (
    programme_id  TEXT    NOT NULL,
    -- The month reported, '2026-11'.
    period        TEXT    NOT NULL,
    version       BIGINT  NOT NULL,
    -- The figures computed from the records at submission (JSON), and the provider's remarks.
    figures       TEXT    NOT NULL,
    remarks       TEXT    NOT NULL,
    -- SHA-256 (hex) of the figures and remarks, as the receipt quotes it.
    digest        TEXT    NOT NULL,
    submitted_by  TEXT    NOT NULL,
    submitted_at  TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (programme_id, period, version)
);

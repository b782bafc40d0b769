-- The report reminders sent (issue 19 item 2): one per course, period and kind, so that a job
-- run twice (a retry, or two nodes after a lease ran out) never mails the same reminder twice.
-- Kept in step with the other backend's file of the same name.
CREATE TABLE report_reminders (
    programme_id  TEXT    NOT NULL,
    -- The report's period, '2026-11'.
    period        TEXT    NOT NULL,
    -- 'ready' (it can be submitted) or 'due_soon'.
    kind          TEXT    NOT NULL,
    sent_at       TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (programme_id, period, kind)
);

-- The end-of-course survey (issue 16; B08, D07): who has answered a session's survey. This
-- table says only that: no time, no order, nothing of the answers, which are kept apart with
-- nothing joining them to a learner. Completion (B12) requires a row here. Kept in step with
-- the other backend's file of the same name.
CREATE TABLE survey_submissions (
    session_id  TEXT NOT NULL REFERENCES deliveries (session_id),
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (session_id, account_id)
);

-- The end-of-course survey (issue 16 item 4; B08, D07): the ministry's item set as Koshu's
-- administrators keep it (versioned), each session's own items and the version it pinned, the
-- answers, and the provider's improvements. Kept in step with the other backend's file of the
-- same name: same tables, columns and meaning; only the column types differ.
--
-- Anonymity by construction: nothing here names a learner, dates an answer or orders answers.
-- There is no row per answer. Per session there is a count per item and choice, and every answer
-- rewrites every count of its session in one statement (so no count's last change, nor
-- PostgreSQL's xmin, tells which choices came together), and one list of free texts per item,
-- rewritten reshuffled on every answer (so neither the list's order nor positions across items
-- say anything). Who answered is `survey_submissions` (0014), which holds nothing of the answers.

-- The ministry's items (「特定講習」受講者アンケート) as Koshu's administrators keep them: a new
-- version is a new row, never a change to an old one. `items` is the JSON of the items.
CREATE TABLE survey_item_sets (
    version     BIGINT  NOT NULL PRIMARY KEY,
    items       TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- A session's survey: the provider's own items (JSON; fixed once an answer has arrived), the
-- ministry's version pinned by the first answer (NULL until then), and how many have answered.
-- No time: the audit log says who changed the items and when.
CREATE TABLE session_surveys (
    session_id        TEXT    NOT NULL PRIMARY KEY REFERENCES deliveries (session_id),
    provider_items    TEXT    NOT NULL,
    ministry_version  BIGINT  REFERENCES survey_item_sets (version),
    responses         BIGINT  NOT NULL,
    revision          BIGINT  NOT NULL
);

-- How many chose each choice (1-based) of each scale or choice item; choice 0 counts those who
-- left an optional item unanswered. Every cell of a session is made by its first answer.
CREATE TABLE survey_tallies (
    session_id  TEXT    NOT NULL REFERENCES deliveries (session_id),
    item_id     TEXT    NOT NULL,
    choice      BIGINT  NOT NULL,
    count       BIGINT  NOT NULL,
    PRIMARY KEY (session_id, item_id, choice)
);

-- The free-text answers of one item: a JSON list, shuffled whole at every answer.
CREATE TABLE survey_texts (
    session_id  TEXT    NOT NULL REFERENCES deliveries (session_id),
    item_id     TEXT    NOT NULL,
    answers     TEXT    NOT NULL,
    PRIMARY KEY (session_id, item_id)
);

-- B08 (PDCA): what the results showed, what the provider changed, and when; by its staff.
CREATE TABLE survey_improvements (
    id           TEXT    NOT NULL PRIMARY KEY,
    session_id   TEXT    NOT NULL REFERENCES deliveries (session_id),
    finding      TEXT    NOT NULL,
    change_made  TEXT    NOT NULL,
    changed_on   DATE    NOT NULL,
    recorded_by  TEXT    NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX survey_improvements_by_session ON survey_improvements (session_id, changed_on);

-- Version 1, from the points of 募集等要領 3-2(1)-4 (満足度: 講習の目的, スキルの修得状況,
-- 目標への到達度; 講師に対する評価; 改善点). Koshu's starting set, not the ministry's official form.
INSERT INTO survey_item_sets (version, items, created_by, created_at) VALUES (1, '[{"id":"m1","question":{"ja":"講習の目的に対する満足度","en":"How satisfied are you with the course against its stated purpose?"},"kind":"scale","points":[{"ja":"不満","en":"Dissatisfied"},{"ja":"やや不満","en":"Somewhat dissatisfied"},{"ja":"どちらともいえない","en":"Neither"},{"ja":"やや満足","en":"Somewhat satisfied"},{"ja":"満足","en":"Satisfied"}],"required":true},{"id":"m2","question":{"ja":"スキルの修得状況（講習で扱った知識・技能を修得できましたか）","en":"Did you acquire the knowledge and skills the course covered?"},"kind":"scale","points":[{"ja":"修得できなかった","en":"Not acquired"},{"ja":"あまり修得できなかった","en":"Mostly not acquired"},{"ja":"どちらともいえない","en":"Neither"},{"ja":"おおむね修得できた","en":"Mostly acquired"},{"ja":"修得できた","en":"Acquired"}],"required":true},{"id":"m3","question":{"ja":"目標への到達度（講習の到達目標に達しましたか）","en":"Did you reach the course''s stated goals?"},"kind":"scale","points":[{"ja":"到達しなかった","en":"Not reached"},{"ja":"あまり到達しなかった","en":"Mostly not reached"},{"ja":"どちらともいえない","en":"Neither"},{"ja":"おおむね到達した","en":"Mostly reached"},{"ja":"到達した","en":"Reached"}],"required":true},{"id":"m4","question":{"ja":"講師に対する評価","en":"How do you rate the instructors?"},"kind":"scale","points":[{"ja":"悪い","en":"Poor"},{"ja":"やや悪い","en":"Somewhat poor"},{"ja":"どちらともいえない","en":"Neither"},{"ja":"やや良い","en":"Somewhat good"},{"ja":"良い","en":"Good"}],"required":true},{"id":"m5","question":{"ja":"講習の難易度","en":"How difficult was the course?"},"kind":"choice","options":[{"ja":"易しすぎた","en":"Too easy"},{"ja":"ちょうどよかった","en":"About right"},{"ja":"難しすぎた","en":"Too hard"}],"required":true},{"id":"m6","question":{"ja":"受講環境（会場・オンライン環境・教材）の満足度","en":"How satisfied are you with the learning environment (venue, online setup, materials)?"},"kind":"scale","points":[{"ja":"不満","en":"Dissatisfied"},{"ja":"やや不満","en":"Somewhat dissatisfied"},{"ja":"どちらともいえない","en":"Neither"},{"ja":"やや満足","en":"Somewhat satisfied"},{"ja":"満足","en":"Satisfied"}],"required":true},{"id":"m7","question":{"ja":"講習の改善点（内容・方法・受講環境など）","en":"What should be improved (content, methods, environment)?"},"kind":"text","required":false},{"id":"m8","question":{"ja":"講習の良かった点","en":"What was good about the course?"},"kind":"text","required":false}]', 'system:koshu', '2025-09-22T00:00:00+09:00');

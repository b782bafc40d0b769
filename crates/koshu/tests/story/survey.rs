//! The end-of-course survey (issue 16 item 4; B08, D07): the provider adds its own items, the
//! learners with a place answer once each in the session's window, the provider sees nothing
//! but the count until five have answered and then the totals, and records an improvement; the
//! administrator keeps versions of the ministry's items, and a session keeps the version its
//! first answer pinned. What is stored names no learner, holds no time and keeps no order.

use crate::accounts::{Browser, set_up_two_factor, sign_up, signed_in};
use crate::app::TestApp;
use crate::delivery::{a_delivered_session, profile};
use axum::http::StatusCode;
use koshu_domain::access::MinistryRole;
use time::macros::datetime;

/// The last block of `delivery::TIMETABLE` has started: the survey is open.
const OPEN: time::OffsetDateTime = datetime!(2026-06-10 13:30 +09:00);

/// A learner who applied for `session`: (account, enrolment's page).
async fn learner(app: &TestApp, session: &str, n: usize) -> (String, String) {
    let name = format!("受講 {n}号");
    let id = sign_up(app, &name, &format!("learner{n}@example.jp")).await;
    let mut b = signed_in(app, &id).await;
    let res = b
        .post(
            &format!("/sessions/{session}/enrol"),
            &profile(&name, "ジュコウ シャ", ""),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = crate::accounts::location(&res)
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    (id, page)
}

/// A full answer: the ministry's items (m1-m4 and m6 scales, m5 a choice, m7 and m8 texts),
/// then the provider's p1 (a choice) and p2 (a text).
fn answers<'a>(scale: &'a str, text: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("answers.m1", scale),
        ("answers.m2", "4"),
        ("answers.m3", "4"),
        ("answers.m4", "5"),
        ("answers.m5", "2"),
        ("answers.m6", "3"),
        ("answers.m7", text),
        ("answers.m8", ""),
        ("answers.p1", "1"),
        ("answers.p2", ""),
    ]
}

/// The provider's own items: a choice and an optional text.
fn own_items() -> Vec<(&'static str, &'static str)> {
    vec![
        ("items[0].question_ja", "演習の量"),
        ("items[0].question_en", "Amount of exercise"),
        ("items[0].kind", "choice"),
        ("items[0].options_ja", "少ない\nちょうどよい\n多い"),
        ("items[0].options_en", "Too little\nRight\nToo much"),
        ("items[0].required", "true"),
        ("items[1].question_ja", "次に受けたい講座"),
        ("items[1].kind", "text"),
        ("items[2].question_ja", ""),
        ("items[2].kind", "scale"),
        ("revision", "0"),
    ]
}

pub async fn the_survey_is_answered_once_and_shown_only_from_five_answers(app: TestApp) {
    let (org, owner, session) = a_delivered_session(&app, "10").await;
    let staff_base = format!("/organisations/{org}/sessions/{session}");
    let mut staff = signed_in(&app, &owner).await;
    let mut people = Vec::new();
    for n in 1..=7 {
        people.push(learner(&app, &session, n).await);
    }
    // The staff's pages link the survey; the provider adds its own items before any answer.
    let roster = staff.get(&format!("{staff_base}/roster")).await;
    assert!(
        roster
            .body
            .contains(&format!("href=\"{staff_base}/survey\""))
    );
    let items = staff.get(&format!("{staff_base}/survey/items")).await;
    assert_eq!(items.status, StatusCode::OK, "{}", items.body);
    assert!(
        items.body.contains("講習の目的に対する満足度"),
        "the ministry's items shown"
    );
    let bad = staff
        .post(
            &format!("{staff_base}/survey/items"),
            &[
                ("items[0].question_ja", "4段階"),
                ("items[0].kind", "scale"),
                ("items[0].options_ja", "1\n2\n3\n4"),
                ("revision", "0"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("f-items-0-options_ja-error"),
        "{}",
        bad.body
    );
    let saved = staff
        .post(&format!("{staff_base}/survey/items"), &own_items())
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // Before the last block starts the survey waits, and says from when.
    let (first, first_page) = &people[0];
    let mut b1 = signed_in(&app, first).await;
    let waiting = b1.get(&format!("{first_page}/survey")).await;
    assert_eq!(waiting.status, StatusCode::OK, "{}", waiting.body);
    assert!(
        waiting
            .body
            .contains("最後のコマが始まる2026年6月10日から回答できます"),
        "{}",
        waiting.body
    );
    let early = b1
        .post(&format!("{first_page}/survey"), &answers("5", ""))
        .await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST, "{}", early.body);
    assert!(early.body.contains("survey.not_yet"), "{}", early.body);

    app.clock.set(OPEN);
    // Signed in again: the sessions of April have expired.
    let mut b1 = signed_in(&app, first).await;
    let mut staff = signed_in(&app, &owner).await;
    // The enrolment page links the open survey; the form says how the answers are kept.
    let mine = b1.get(first_page).await;
    assert!(
        mine.body.contains(&format!("href=\"{first_page}/survey\"")),
        "{}",
        mine.body
    );
    let form = b1.get(&format!("{first_page}/survey")).await;
    assert!(form.body.contains("別々に保存します"), "{}", form.body);
    assert!(
        form.body.contains("name=\"answers.p1\""),
        "the provider's item"
    );
    assert!(form.body.contains("1 不満"), "a scale's labelled points");
    // A required item missing: 400, the item named in each language, nothing stored.
    let mut missing = answers("5", "");
    missing.retain(|(k, _)| *k != "answers.m1");
    let refused = b1.post(&format!("{first_page}/survey"), &missing).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused
            .body
            .contains("「講習の目的に対する満足度」に回答してください")
    );
    assert!(
        refused.body.contains("f-answers-m1-error"),
        "{}",
        refused.body
    );
    let refused_en = b1.post(&format!("/en{first_page}/survey"), &missing).await;
    assert_eq!(refused_en.status, StatusCode::BAD_REQUEST);
    assert!(
        refused_en
            .body
            .contains("Please answer &#34;How satisfied are you with the course against its stated purpose?&#34; (required)"),
        "{}",
        refused_en.body
    );
    assert!(!app.store.survey_submitted(&session, first).await.unwrap());

    // Four answers: the provider sees how many, and nothing else.
    let points = ["5", "5", "4", "3", "5"];
    for (i, (id, page)) in people.iter().take(4).enumerate() {
        let mut b = signed_in(&app, id).await;
        let text = format!("改善点その{}", i + 1);
        let res = b
            .post(&format!("{page}/survey"), &answers(points[i], &text))
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let after = b.get(&format!("{page}/survey?done=answered")).await;
        assert!(after.body.contains("回答済み"), "{}", after.body);
        assert!(!after.body.contains(&text), "an answer is never shown back");
        assert!(
            !after
                .body
                .contains("<form method=\"post\" action=\"/learning")
        );
    }
    let four = staff.get(&format!("{staff_base}/survey")).await;
    assert_eq!(four.status, StatusCode::OK, "{}", four.body);
    assert!(four.body.contains("回答 4件"), "{}", four.body);
    assert!(
        four.body.contains("あと 1 件で表示されます"),
        "{}",
        four.body
    );
    assert!(!four.body.contains("改善点その"), "no text below five");
    assert!(
        !four.body.contains("<caption>講習の目的"),
        "no totals below five"
    );
    let (status, csv) = staff.get_bytes(&format!("{staff_base}/survey.csv")).await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains("回答数 4 件") && !csv.contains("満足,"),
        "{csv}"
    );
    // A05 (issue 19 item 4): the programme's public page and the API show no completion rate
    // or satisfaction below five answers, and say so.
    app.state.catalogue.catch_up().await.unwrap();
    let programme = session.rsplit_once('-').unwrap().0.to_owned();
    let record = quality_shown(&app, &programme).await;
    assert!(
        record.contains("アンケートの回答が5件以上になってから表示します（この期間の回答は4件）"),
        "{record}"
    );
    assert!(!record.contains("満足度（過去12か月）") && !record.contains("修了率（"));
    assert!(record.contains("最終実施日"), "{record}");
    let quality = api_quality(&app, &programme).await;
    assert_eq!(quality["survey_responses"], 4);
    assert_eq!(quality["satisfaction_percent"], serde_json::Value::Null);
    assert_eq!(quality["completion_rate_percent"], serde_json::Value::Null);
    assert_eq!(quality["last_held_on"], "2026-06-10");

    // The fifth: the totals, with the counts of each choice.
    let (fifth, fifth_page) = &people[4];
    let mut b5 = signed_in(&app, fifth).await;
    let res = b5
        .post(&format!("{fifth_page}/survey"), &answers("5", ""))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let five = staff.get(&format!("{staff_base}/survey")).await;
    assert!(five.body.contains("回答 5件"), "{}", five.body);
    assert!(!five.body.contains("件で表示されます"));
    for (label, count, share) in [
        ("満足", 3, "60.0"),
        ("やや満足", 1, "20.0"),
        ("どちらともいえない", 1, "20.0"),
        ("不満", 0, "0.0"),
    ] {
        let row = format!(
            "<th scope=\"row\">{label}</th><td class=\"number\">{count}</td><td class=\"number\">{share}</td>"
        );
        assert!(five.body.contains(&row), "{row}\n{}", five.body);
    }
    assert!(
        five.body.contains("<strong>4.40</strong>"),
        "the mean of m1"
    );
    assert!(
        five.body
            .contains("<th scope=\"row\">少ない</th><td class=\"number\">5</td>"),
        "the provider's item: {}",
        five.body
    );
    for n in 1..=4 {
        assert!(five.body.contains(&format!("改善点その{n}")));
    }
    let (_, csv) = staff.get_bytes(&format!("{staff_base}/survey.csv")).await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("満足,3,60.0"), "{csv}");
    assert!(csv.contains("回答数 5 件"), "{csv}");
    // From five: satisfaction (four of five answered 満足 or やや満足; the mean 4.4) on the page and
    // in the API; no decision yet, and the page says so.
    let record = quality_shown(&app, &programme).await;
    assert!(
        record.contains("80%（「満足」「やや満足」と答えた割合。回答5件、5段階の平均 4.4）"),
        "{record}"
    );
    assert!(record.contains("修了の判定はまだありません"), "{record}");
    assert!(!record.contains("件以上になってから表示します"));
    let quality = api_quality(&app, &programme).await;
    assert_eq!(quality["survey_responses"], 5);
    assert_eq!(quality["satisfaction_percent"], 80);
    assert_eq!(quality["satisfaction_mean"], 4.4);
    assert_eq!(quality["completions_decided"], 0);
    assert_eq!(quality["completion_rate_percent"], serde_json::Value::Null);

    // One answer each: a second is a 409 that says so, and counts nothing.
    let again = b5
        .post(&format!("{fifth_page}/survey"), &answers("1", "二回目"))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("回答済みです"), "{}", again.body);
    assert_eq!(
        app.store.session_survey(&session).await.unwrap().responses,
        5
    );
    assert!(app.store.survey_submitted(&session, fifth).await.unwrap());

    // Another learner's enrolment is not theirs to answer for.
    let (sixth, sixth_page) = &people[5];
    let mut b6 = signed_in(&app, sixth).await;
    let other = b6
        .post(&format!("{first_page}/survey"), &answers("1", ""))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // A learner whose place is cancelled answers no more.
    let (seventh, seventh_page) = &people[6];
    let mut b7 = signed_in(&app, seventh).await;
    assert_eq!(
        b7.post(&format!("{seventh_page}/cancel"), &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let cancelled = b7
        .post(&format!("{seventh_page}/survey"), &answers("1", ""))
        .await;
    assert_eq!(cancelled.status, StatusCode::BAD_REQUEST);
    assert!(
        cancelled.body.contains("survey.not_enrolled"),
        "{}",
        cancelled.body
    );

    // Answers have arrived: the items are fixed, and the page says so.
    let locked = staff
        .post(&format!("{staff_base}/survey/items"), &own_items())
        .await;
    assert_eq!(locked.status, StatusCode::CONFLICT);
    let items = staff.get(&format!("{staff_base}/survey/items")).await;
    assert!(
        items.body.contains("項目は変更できません"),
        "{}",
        items.body
    );
    assert!(!items.body.contains("name=\"items[0].question_ja\""));

    // B08 PDCA: what the results showed, what was changed, when.
    let empty = staff
        .post(&format!("{staff_base}/survey/improvements"), &[])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["f-finding-error", "f-change-error", "f-changed_on-error"] {
        assert!(empty.body.contains(field), "{field}");
    }
    let recorded = staff
        .post(
            &format!("{staff_base}/survey/improvements"),
            &[
                ("finding", "演習の時間が足りないという回答が多い"),
                ("change", "次回から演習を30分延長する"),
                ("changed_on", "2026-06-20"),
            ],
        )
        .await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let page = staff.get(&format!("{staff_base}/survey")).await;
    assert!(page.body.contains("次回から演習を30分延長する"));
    assert!(page.body.contains("2026年6月20日"));

    // Thirty days after the last block the survey closes.
    app.clock.set(datetime!(2026-07-10 15:01 +09:00));
    let mut b6 = signed_in(&app, sixth).await;
    let late = b6
        .post(&format!("{sixth_page}/survey"), &answers("4", ""))
        .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert!(late.body.contains("survey.closed"), "{}", late.body);
    assert!(!app.store.survey_submitted(&session, sixth).await.unwrap());
}

/// The track-record section of a programme's public page (A05).
async fn quality_shown(app: &TestApp, programme: &str) -> String {
    let page = app.get(&format!("/programmes/{programme}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let from = page.body.find("id=\"record\"").expect("a track record");
    let record = &page.body[from..];
    record[..record.find("<h2").unwrap_or(record.len())].to_owned()
}

/// The `quality` of the programme in the API.
async fn api_quality(app: &TestApp, programme: &str) -> serde_json::Value {
    let res = app.get(&format!("/api/v1/programmes/{programme}")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    serde_json::from_str::<serde_json::Value>(&res.body).unwrap()["quality"].clone()
}

/// Every column name and value of every row of every table whose name has `survey` in it, as
/// one JSON object per row, in the order a plain scan gives them.
async fn survey_tables(app: &TestApp) -> Vec<(String, Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    if app.database_url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(&app.database_url).await.unwrap();
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%survey%' ORDER BY name",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        for (table,) in tables {
            let columns: Vec<(String,)> =
                sqlx::query_as("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                    .bind(&table)
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            let columns: Vec<String> = columns.into_iter().map(|(c,)| c).collect();
            let object = columns
                .iter()
                .map(|c| format!("'{c}', \"{c}\""))
                .collect::<Vec<_>>()
                .join(", ");
            let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT json_object({object}) FROM \"{table}\""
            )))
            .fetch_all(&pool)
            .await
            .unwrap();
            out.push((table, columns, rows.into_iter().map(|(r,)| r).collect()));
        }
    } else {
        let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_name LIKE '%survey%' ORDER BY 1",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        for (table,) in tables {
            let columns: Vec<(String,)> = sqlx::query_as(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(&table)
            .fetch_all(&pool)
            .await
            .unwrap();
            let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT row_to_json(t)::text FROM \"{table}\" t"
            )))
            .fetch_all(&pool)
            .await
            .unwrap();
            out.push((
                table,
                columns.into_iter().map(|(c,)| c).collect(),
                rows.into_iter().map(|(r,)| r).collect(),
            ));
        }
    }
    out
}

/// Columns that hold a time, allowed only where no answer is: when an administrator added a
/// version of the items, and when provider staff recorded an improvement.
const STAFF_TIMES: &[(&str, &str)] = &[
    ("survey_item_sets", "created_at"),
    ("survey_improvements", "changed_on"),
    ("survey_improvements", "recorded_at"),
];

fn looks_like_a_time(column: &str) -> bool {
    [
        "_at", "_on", "time", "date", "_us", "seq", "order", "position",
    ]
    .iter()
    .any(|w| column.contains(w))
}

/// A date or time as text (2026-06-10, 2026/06/10, 13:30:00) anywhere in a value.
fn holds_a_time(value: &str) -> bool {
    let b = value.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    b.windows(10).any(|w| {
        digits(&w[..4])
            && matches!(w[4], b'-' | b'/')
            && digits(&w[5..7])
            && w[7] == w[4]
            && digits(&w[8..])
    }) || b.windows(8).any(|w| {
        digits(&w[..2]) && w[2] == b':' && digits(&w[3..5]) && w[5] == b':' && digits(&w[6..])
    })
}

pub async fn the_stored_answers_name_no_learner_and_keep_no_time_or_order(app: TestApp) {
    let (_, _, session) = a_delivered_session(&app, "10").await;
    let mut people = Vec::new();
    for n in 1..=6 {
        people.push(learner(&app, &session, n).await);
    }
    let mut personal: Vec<String> = Vec::new();
    for (id, _) in &people {
        let l = app.store.learner(id).await.unwrap().unwrap();
        personal.extend([
            id.clone(),
            l.email.clone(),
            l.profile.name.clone(),
            l.profile.name_kana.clone(),
        ]);
    }
    app.clock.set(OPEN);
    let texts: Vec<String> = (1..=6).map(|n| format!("自由記述その{n}")).collect();
    let mut snapshots = Vec::new();
    let mut rows_after_first = None;
    for (i, (id, page)) in people.iter().enumerate() {
        let mut b = signed_in(&app, id).await;
        let res = b
            .post(
                &format!("{page}/survey"),
                &answers(["1", "2", "3", "4", "5", "5"][i], &texts[i]),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let tables = survey_tables(&app).await;
        for (table, columns, rows) in &tables {
            if table == "survey_submissions" {
                // Who answered, by design, and nothing else: no time, no order, no answer.
                assert_eq!(columns, &["session_id", "account_id"], "{table}");
                continue;
            }
            for c in columns {
                assert!(
                    !looks_like_a_time(c) || STAFF_TIMES.contains(&(table.as_str(), c.as_str())),
                    "{table}.{c} would date or order answers"
                );
            }
            for row in rows {
                for p in &personal {
                    assert!(!row.contains(p.as_str()), "{table} holds {p}: {row}");
                }
                if !STAFF_TIMES.iter().any(|(t, _)| t == table) {
                    assert!(!holds_a_time(row), "{table} holds a time: {row}");
                }
            }
        }
        // No row per answer: the first answer makes every row there will be.
        let counts: Vec<(String, usize)> = tables
            .iter()
            .filter(|(t, _, _)| t == "survey_tallies" || t == "survey_texts")
            .map(|(t, _, r)| (t.clone(), r.len()))
            .collect();
        match &rows_after_first {
            None => rows_after_first = Some(counts),
            Some(first) => assert_eq!(&counts, first, "rows do not grow with answers"),
        }
        let list = app
            .store
            .survey_texts(&session)
            .await
            .unwrap()
            .into_iter()
            .find(|(item, _)| item == "m7")
            .unwrap()
            .1;
        let mut sorted = list.clone();
        sorted.sort();
        let mut sent = texts[..=i].to_vec();
        sent.sort();
        assert_eq!(sorted, sent, "every text kept, once");
        snapshots.push(list);
    }
    // The list is reshuffled at every answer: that every one of six lists came out in the
    // order sent has a chance of 1 in 2·6·24·120·720.
    assert!(
        snapshots
            .iter()
            .skip(1)
            .any(|list| list.as_slice() != &texts[..list.len()]),
        "the texts keep the order they came in: {snapshots:?}"
    );
    // The counts of the first item: one answer of each point, and 5 twice.
    let tallies = app.store.survey_tallies(&session).await.unwrap();
    let m1: Vec<u32> = tallies
        .iter()
        .filter(|(item, _, _)| item == "m1")
        .map(|(_, _, n)| *n)
        .collect();
    assert_eq!(m1, [0, 1, 1, 1, 1, 2], "choice 0 (no answer), then 1 to 5");
    // PostgreSQL marks each row with the transaction that last wrote it: every count and list
    // of the session carries the last answer's, so none tells which answer changed it.
    if !app.database_url.starts_with("sqlite:") {
        let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
        let writers: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT xmin::text FROM survey_tallies WHERE session_id = $1 \
             UNION SELECT DISTINCT xmin::text FROM survey_texts WHERE session_id = $1",
        )
        .bind(&session)
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(writers.len(), 1, "{writers:?}");
    }
}

/// An answer writes the submission, the count (with its audit entry), the cells (the first
/// time), the counts, the lists: after a failure at any step nothing of it is there, and trying
/// again completes it.
pub async fn an_answer_is_all_or_nothing_at_every_step(app: TestApp) {
    use crate::workflow::post_through_faults;
    let (_, _, session) = a_delivered_session(&app, "10").await;
    let mut people = Vec::new();
    for n in 1..=2 {
        people.push(learner(&app, &session, n).await);
    }
    app.clock.set(OPEN);
    let snapshot = || async {
        let s = &app.store;
        let mut submitted = Vec::new();
        for (id, _) in &people {
            submitted.push(s.survey_submitted(&session, id).await.unwrap());
        }
        let mut texts = s.survey_texts(&session).await.unwrap();
        for (_, list) in &mut texts {
            list.sort();
        }
        format!(
            "{submitted:?}\n{:?}\n{:?}\n{texts:?}",
            s.session_survey(&session).await.unwrap(),
            s.survey_tallies(&session).await.unwrap(),
        )
    };
    let mut steps = Vec::new();
    for (id, page) in &people {
        let mut b = signed_in(&app, id).await;
        steps.push(
            post_through_faults(
                &app,
                &mut b,
                &format!("{page}/survey"),
                &answers("4", "資料を事前に"),
                snapshot,
            )
            .await,
        );
    }
    assert!(
        steps[0] >= 7,
        "submission, count, cells, counts, lists read and written, commit: {steps:?}"
    );
    assert_eq!(steps[1], steps[0] - 1, "the cells are made once: {steps:?}");
    assert_eq!(
        app.store.session_survey(&session).await.unwrap().responses,
        2
    );
}

pub async fn the_administrator_keeps_versions_of_the_ministry_items(app: TestApp) {
    let admin = sign_up(&app, "管理 者", "admin@meti.example.jp").await;
    app.store
        .set_ministry_roles(
            &admin,
            Some(MinistryRole::Administrator),
            false,
            "test",
            app.clock_now(),
        )
        .await
        .unwrap();
    set_up_two_factor(&mut signed_in(&app, &admin).await).await;
    let mut a = signed_in(&app, &admin).await;
    let page = a.get("/admin/survey-items").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("正式な様式そのものではありません"));
    assert!(page.body.contains("第1版") && page.body.contains("現在の版"));
    assert!(
        page.body.contains("href=\"/admin/survey-items\""),
        "the header links it"
    );
    // Version 1, from 3-2(1)-4, is sound as stored.
    let v1 = app.store.survey_item_set(Some(1)).await.unwrap().unwrap();
    assert!(koshu_domain::delivery::survey::d07_item_set_is_sound(&v1.items, 1).is_ok());
    let questions: Vec<&str> = v1.items.iter().map(|i| i.question.ja.as_str()).collect();
    for wanted in [
        "講習の目的に対する満足度",
        "スキルの修得状況",
        "目標への到達度",
        "講師に対する評価",
        "講習の改善点",
    ] {
        assert!(
            questions.iter().any(|q| q.starts_with(wanted)),
            "{wanted}: {questions:?}"
        );
    }

    // A session answered under version 1 keeps it when version 2 comes.
    let (_, _, session) = a_delivered_session(&app, "10").await;
    let (id, enrolment) = learner(&app, &session, 1).await;
    let (_, _, fresh) = {
        // Another provider's session, not answered yet: the version in force.
        let owner = sign_up(&app, "別 提供者", "other@provider.example.jp").await;
        let org = crate::accounts::register_organisation(
            &mut signed_in(&app, &owner).await,
            "4000012090001",
        )
        .await;
        let (programme, session) =
            crate::listings::a_draft_with_a_session(&app, &org, &owner).await;
        crate::delivery::publish_and_deliver(&app, &org, &owner, &programme, &session, "5").await;
        (org, owner, session)
    };
    app.clock.set(OPEN);
    let mut b = signed_in(&app, &id).await;
    let mut first = answers("5", "");
    first.retain(|(k, _)| !k.starts_with("answers.p"));
    let res = b.post(&format!("{enrolment}/survey"), &first).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    // The form holds version 1's items and an empty row; a new item is typed into it.
    assert!(
        page.body.contains("name=\"items[8].question_ja\""),
        "eight items and one more"
    );
    let mut form: Vec<(String, String)> = Vec::new();
    for (i, item) in v1.items.iter().enumerate() {
        let row = koshu_domain::delivery::survey::ItemRow::of(item);
        form.extend([
            (format!("items[{i}].question_ja"), row.question_ja),
            (format!("items[{i}].question_en"), row.question_en),
            (format!("items[{i}].kind"), row.kind),
            (format!("items[{i}].options_ja"), row.options_ja),
            (format!("items[{i}].options_en"), row.options_en),
            (
                format!("items[{i}].required"),
                if row.required { "true" } else { "" }.to_owned(),
            ),
        ]);
    }
    form.extend([
        (
            "items[8].question_ja".to_owned(),
            "講習を他の人に勧めたいか".to_owned(),
        ),
        ("items[8].kind".to_owned(), "scale".to_owned()),
        (
            "items[8].options_ja".to_owned(),
            "勧めない\nあまり勧めない\nどちらともいえない\nやや勧める\n勧める".to_owned(),
        ),
        ("items[8].required".to_owned(), "true".to_owned()),
        ("based_on".to_owned(), "1".to_owned()),
    ]);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut a = signed_in(&app, &admin).await;
    let mut broken = fields.clone();
    broken.retain(|(k, _)| *k != "items[0].options_ja");
    broken.push(("items[0].options_ja", "1\n2"));
    let refused = a.post("/admin/survey-items", &broken).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("f-items-0-options_ja-error"),
        "{}",
        refused.body
    );
    let added = a.post("/admin/survey-items", &fields).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let v2 = app.store.survey_item_set(None).await.unwrap().unwrap();
    assert_eq!((v2.version, v2.items.len()), (2, 9));
    // The page was drawn on version 1: a second post of it is a conflict, not version 3.
    assert_eq!(
        a.post("/admin/survey-items", &fields).await.status,
        StatusCode::CONFLICT
    );

    let answered = koshu_workflow::survey::session_survey(&app.state.workflow, &session)
        .await
        .unwrap();
    assert_eq!(answered.survey.ministry_version, Some(1));
    assert_eq!(answered.survey.ministry_items.len(), 8);
    let unanswered = koshu_workflow::survey::session_survey(&app.state.workflow, &fresh)
        .await
        .unwrap();
    assert_eq!(unanswered.survey.ministry_version, Some(2));
    // Nobody but an administrator keeps them.
    let mut visitor = Browser::new(&app);
    assert_eq!(
        visitor.get("/admin/survey-items").await.status,
        StatusCode::SEE_OTHER
    );
    let mut learner_b = signed_in(&app, &id).await;
    assert_eq!(
        learner_b.get("/admin/survey-items").await.status,
        StatusCode::FORBIDDEN
    );
}

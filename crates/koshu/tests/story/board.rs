//! A session's board (issue 16; D08, B19 ⑥): the staff announce and every learner with a
//! confirmed place is mailed and reads it; a learner asks without showing their name, which the
//! other learners then do not see and the staff do; the staff answer and the asker is mailed;
//! a post hidden with its reason disappears for learners and stays, with the reason, for the
//! staff. Nobody without a confirmed place in the session reads or writes on its board, and an
//! announcement is posted with all its mails or not at all.

use crate::accounts::{sign_up, signed_in};
use crate::app::{START, TestApp};
use crate::delivery::{
    a_delivered_session, apply, enrol_three, mail_to, profile, publish_and_deliver,
};
use crate::listings::a_draft_with_a_session;
use axum::http::StatusCode;
use koshu_domain::delivery::PostKind;
use koshu_store::board::BoardPost;

/// Every post of the session's board, in board order, answers after the threads.
async fn posts(app: &TestApp, session: &str) -> Vec<BoardPost> {
    let (mut top, answers) = app.store.board_page(session, 1000, 0).await.unwrap();
    top.extend(answers);
    top
}

/// The post whose text starts with `words`.
async fn post(app: &TestApp, session: &str, words: &str) -> BoardPost {
    posts(app, session)
        .await
        .into_iter()
        .find(|p| p.body.starts_with(words))
        .unwrap_or_else(|| panic!("no post {words}"))
}

async fn outbox_count_to(app: &TestApp, to: &str) -> usize {
    app.store
        .outbox(500, 0)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.to_address == to)
        .count()
}

pub async fn staff_announce_learners_ask_anonymously_staff_answer_and_hide_with_a_reason(
    app: TestApp,
) {
    let (org, owner, session) = a_delivered_session(&app, "2").await;
    let staff_board = format!("/organisations/{org}/sessions/{session}/board");
    // The same provider's other session, with a learner of its own.
    let (other_programme, other_session) = a_draft_with_a_session(&app, &org, &owner).await;
    publish_and_deliver(&app, &org, &owner, &other_programme, &other_session, "5").await;

    let mut people = Vec::new();
    for (name, kana, email, to) in [
        ("青井 葵", "アオイ アオイ", "aoi@example.jp", &session),
        ("番 健", "バン ケン", "ban@example.jp", &session),
        ("千葉 千佳", "チバ チカ", "chika@example.jp", &session),
        ("出井 大", "デイ ダイ", "dai@example.jp", &other_session),
    ] {
        let id = sign_up(&app, name, email).await;
        let mut b = signed_in(&app, &id).await;
        let page = apply(&mut b, to, &profile(name, kana, "")).await;
        people.push((id, b, format!("{page}/board")));
    }
    let [aoi, ban, chika, dai] = people.try_into().ok().unwrap();
    let (aoi_id, mut a, aoi_board) = aoi;
    let (_, mut bb, ban_board) = ban;
    let (_, mut c, chika_board) = chika;
    let (dai_id, mut d, dai_board) = dai;

    // The learner's enrolment page links the board; the staff's pages link theirs.
    let enrolment = a.get(aoi_board.trim_end_matches("/board")).await;
    assert!(
        enrolment.body.contains(&format!("href=\"{aoi_board}\"")),
        "{}",
        enrolment.body
    );
    let mut staff = signed_in(&app, &owner).await;
    let roster = staff
        .get(&format!("/organisations/{org}/sessions/{session}/roster"))
        .await;
    assert!(roster.body.contains(&format!("href=\"{staff_board}\"")));
    let empty = staff.get(&staff_board).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert!(empty.body.contains("このページに質問はありません"));

    // An announcement sent empty names its field, in each language; nothing is posted.
    let refused = staff.post(&staff_board, &[("body", "  ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("f-body-error") && refused.body.contains("本文を入力してください"),
        "{}",
        refused.body
    );
    let refused = staff
        .post(&format!("/en{staff_board}"), &[("body", "")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Please write the text of the post"));
    assert!(posts(&app, &session).await.is_empty());

    // Announced: both learners with a place are mailed with the link to their own board, and
    // read it there; the one waiting and the other session's learner are not.
    let unconcerned = (
        outbox_count_to(&app, "chika@example.jp").await,
        outbox_count_to(&app, "dai@example.jp").await,
    );
    let announced = staff
        .post(
            &staff_board,
            &[("body", "明日は9時50分までに受付をお済ませください。")],
        )
        .await;
    assert_eq!(
        announced.status,
        StatusCode::SEE_OTHER,
        "{}",
        announced.body
    );
    for (to, board) in [
        ("aoi@example.jp", &aoi_board),
        ("ban@example.jp", &ban_board),
    ] {
        let mail = mail_to(&app, to, "講座からのお知らせ").await;
        assert!(mail.body.contains("9時50分までに受付"), "{}", mail.body);
        assert!(mail.body.contains(board.as_str()), "{}", mail.body);
        assert!(mail.body.contains("\n---\n"), "Japanese, then English");
    }
    for (b, board) in [(&mut a, &aoi_board), (&mut bb, &ban_board)] {
        let view = b.get(board).await.body;
        assert!(view.contains("9時50分までに受付"), "{view}");
        assert!(view.contains("お知らせ：実施 花子（講師・運営）"), "{view}");
    }
    assert_eq!(
        (
            outbox_count_to(&app, "chika@example.jp").await,
            outbox_count_to(&app, "dai@example.jp").await,
        ),
        unconcerned,
        "the one waiting and the other session's learner get no mail"
    );

    // Nobody without a place in the session reads or writes on its board: the one waiting is
    // refused hers, the other session's learner does not find another's, and his own board is
    // his session's.
    assert_eq!(c.get(&chika_board).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        c.post(&chika_board, &[("body", "席はありますか。")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(d.get(&aoi_board).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        d.post(&aoi_board, &[("body", "こちらの回の質問です。")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let his = d.get(&dai_board).await;
    assert_eq!(his.status, StatusCode::OK, "{}", his.body);
    assert!(
        !his.body.contains("9時50分"),
        "another session's announcement"
    );
    assert!(posts(&app, &other_session).await.is_empty());
    assert!(matches!(
        koshu_workflow::board::ask(&app.state.workflow, &session, &dai_id, "x", false).await,
        Err(koshu_workflow::WorkflowError::Invalid(e)) if e.code == "board.not_enrolled"
    ));

    // Aoi asks without her name; an empty question is refused by its field first.
    let empty = a
        .post(&aoi_board, &[("body", ""), ("anonymous", "true")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("f-body-error"), "{}", empty.body);
    assert!(
        empty
            .body
            .contains("name=\"anonymous\" value=\"true\" checked"),
        "the box stays as it was ticked: {}",
        empty.body
    );
    let asked = a
        .post(
            &aoi_board,
            &[
                ("body", "資料20ページの図の意味を教えてください。"),
                ("anonymous", "true"),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let to_staff = mail_to(
        &app,
        "owner@provider.example.jp",
        "受講者から質問がありました",
    )
    .await;
    assert!(
        to_staff.body.contains("青井 葵") && to_staff.body.contains("匿名"),
        "the staff are told who asked: {}",
        to_staff.body
    );
    assert!(to_staff.body.contains(&staff_board));
    // Ban asks by name.
    let named = bb
        .post(&ban_board, &[("body", "休憩は何分ありますか。")])
        .await;
    assert_eq!(named.status, StatusCode::SEE_OTHER, "{}", named.body);

    // Ban sees her question as from 匿名の受講者, never her name; she sees it as hers; the
    // staff see who asked.
    let bans_view = bb.get(&ban_board).await.body;
    assert!(bans_view.contains("資料20ページの図"), "{bans_view}");
    assert!(bans_view.contains("質問：匿名の受講者"), "{bans_view}");
    assert!(!bans_view.contains("青井"), "{bans_view}");
    let en = bb.get(&format!("/en{ban_board}")).await.body;
    assert!(en.contains("Question: A learner (anonymous)"), "{en}");
    let aois_view = a.get(&aoi_board).await.body;
    assert!(
        aois_view.contains("質問：青井 葵（あなた・他の受講者には匿名で表示）"),
        "{aois_view}"
    );
    assert!(
        aois_view.contains("質問：番 健"),
        "a named question: {aois_view}"
    );
    let staff_view = staff.get(&staff_board).await.body;
    assert!(
        staff_view.contains("質問：青井 葵（他の受講者には匿名で表示）"),
        "{staff_view}"
    );

    // The staff answer her question; an empty answer names its field; she is mailed.
    let question = post(&app, &session, "資料20ページ").await;
    let answer_page = format!("{staff_board}/posts/{}/answer", question.id);
    assert_eq!(staff.get(&answer_page).await.status, StatusCode::OK);
    let empty = staff.post(&answer_page, &[("body", "")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("f-body-error"), "{}", empty.body);
    let answered = staff
        .post(
            &answer_page,
            &[("body", "図は攻撃の流れを左から順に示しています。")],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    let to_aoi = mail_to(&app, "aoi@example.jp", "質問に回答がありました").await;
    assert!(
        to_aoi.body.contains("攻撃の流れを左から順に"),
        "{}",
        to_aoi.body
    );
    assert!(to_aoi.body.contains(&aoi_board), "{}", to_aoi.body);
    let bans_view = bb.get(&ban_board).await.body;
    assert!(bans_view.contains("攻撃の流れを左から順に"), "{bans_view}");
    // A learner does not answer, not even in her own thread (she asks again instead).
    let learner_answer = koshu_workflow::board::answer(
        &app.state.workflow,
        &session,
        &question.id,
        &aoi_id,
        "自己解決しました。",
    )
    .await;
    assert!(
        matches!(&learner_answer, Err(koshu_workflow::WorkflowError::Invalid(e)) if e.code == "board.learner_answer"),
        "{learner_answer:?}"
    );

    // Ban's question is hidden: without a reason it is refused naming the field, in each
    // language; with one, he is told why, learners see only that something was hidden, and
    // the staff still read it with the reason.
    let named = post(&app, &session, "休憩は何分").await;
    let hide = format!("{staff_board}/posts/{}/hide", named.id);
    assert_eq!(staff.get(&hide).await.status, StatusCode::OK);
    let no_reason = staff.post(&hide, &[("reason", " ")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason.body.contains("f-reason-error")
            && no_reason
                .body
                .contains("非表示にする理由を入力してください"),
        "{}",
        no_reason.body
    );
    let no_reason = staff.post(&format!("/en{hide}"), &[("reason", "")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason.body.contains("f-reason-error")
            && no_reason
                .body
                .contains("Please give the reason for hiding the post"),
        "{}",
        no_reason.body
    );
    assert!(post(&app, &session, "休憩は何分").await.hidden.is_none());
    let hidden = staff
        .post(&hide, &[("reason", "日程表に記載済みの内容のため")])
        .await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER, "{}", hidden.body);
    let to_ban = mail_to(&app, "ban@example.jp", "投稿が非表示になりました").await;
    assert!(
        to_ban.body.contains("理由：日程表に記載済みの内容のため")
            && to_ban.body.contains("休憩は何分"),
        "{}",
        to_ban.body
    );
    for (b, board) in [(&mut a, &aoi_board), (&mut bb, &ban_board)] {
        let view = b.get(board).await.body;
        assert!(!view.contains("休憩は何分"), "{view}");
        assert!(view.contains("非表示にされた投稿"), "{view}");
    }
    let staff_view = staff.get(&staff_board).await.body;
    assert!(
        staff_view.contains("休憩は何分")
            && staff_view.contains("非表示にした投稿です。理由：日程表に記載済みの内容のため"),
        "{staff_view}"
    );
    // Kept as evidence: the post is there with who hid it and when; hiding it again is a
    // conflict, and a hidden question takes no answer.
    let kept = post(&app, &session, "休憩は何分").await;
    let hiding = kept.hidden.expect("hidden");
    assert_eq!((hiding.by.as_str(), hiding.at), (owner.as_str(), START));
    assert_eq!(
        staff.post(&hide, &[("reason", "再度")]).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        staff
            .get(&format!("{staff_board}/posts/{}/answer", named.id))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert!(matches!(
        app.store.verify_audit_log().await.unwrap(),
        koshu_store::audit::AuditVerdict::Intact { .. }
    ));

    // Twenty-one threads make two pages; a page beyond them is refused by its parameter.
    for n in 0..18 {
        koshu_workflow::board::announce(&app.state.workflow, &session, &owner, &format!("連絡{n}"))
            .await
            .unwrap();
    }
    let first = a.get(&aoi_board).await.body;
    assert!(
        first.contains("rel=\"next\"") && first.contains("1 / 2"),
        "{first}"
    );
    let second = a.get(&format!("{aoi_board}?page=2")).await.body;
    assert!(
        second.contains("資料20ページ"),
        "the oldest thread is on page 2: {second}"
    );
    assert_eq!(
        a.get(&format!("{aoi_board}?page=3")).await.status,
        StatusCode::BAD_REQUEST
    );
}

/// Everything an announcement writes, as one comparable text.
async fn board_snapshot(app: &TestApp, session: &str) -> String {
    format!(
        "{:?}\noutbox {}\naudit {}",
        posts(app, session)
            .await
            .into_iter()
            .map(|p| (p.kind, p.body))
            .collect::<Vec<(PostKind, String)>>(),
        app.store.outbox_count().await.unwrap(),
        app.store.audit_head().await.unwrap(),
    )
}

/// An announcement to three learners is the post and three mails: after a failure at any write
/// step nothing of it is there, and trying again posts it with every mail.
pub async fn an_announcement_and_its_mails_are_all_or_nothing_at_every_step(app: TestApp) {
    use crate::workflow::post_through_faults;
    let (org, owner, session) = a_delivered_session(&app, "3").await;
    enrol_three(&app, &session).await;
    let mut staff = signed_in(&app, &owner).await;
    let steps = post_through_faults(
        &app,
        &mut staff,
        &format!("/organisations/{org}/sessions/{session}/board"),
        &[("body", "会場の入口が変わりました。")],
        || board_snapshot(&app, &session),
    )
    .await;
    assert_eq!(steps, 5, "the post, three mails and the commit");
    assert_eq!(posts(&app, &session).await.len(), 1);
    for to in ["aoi@example.jp", "ban@example.jp", "chika@example.jp"] {
        mail_to(&app, to, "講座からのお知らせ").await;
    }
}

/// The demo's live session today has a board with an announcement, an answered question, an
/// anonymous question and a hidden post, as its provider's staff see it.
pub async fn the_demo_board_shows_each_kind_of_post(app: TestApp) {
    let org = app.load_sample_provider().await;
    let today = app.store.deliveries_of(&org.id).await.unwrap()[0]
        .session_id
        .clone();
    let visitor = sign_up(&app, "見学 者", "visitor@example.jp").await;
    write_unit!(app, unit => unit.grant_membership(&org.id, &visitor, koshu_domain::access::OrgRole::Editor, "cli", START).await)
        .unwrap();
    let mut v = signed_in(&app, &visitor).await;
    let board = v
        .get(&format!("/organisations/{}/sessions/{today}/board", org.id))
        .await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.body);
    for words in [
        "お知らせ：サンプル講座提供者（講師・運営）",
        "午前の講義資料",
        "回答：サンプル講座提供者（講師・運営）",
        "（他の受講者には匿名で表示）",
        "非表示にした投稿です。理由：（サンプル）個人の連絡先が含まれているため",
    ] {
        assert!(board.body.contains(words), "{words}: {}", board.body);
    }
    let kinds: Vec<PostKind> = posts(&app, &today).await.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            PostKind::Announcement,
            PostKind::Question,
            PostKind::Question,
            PostKind::Question,
            PostKind::Answer
        ]
    );
}

//! The portal as each role meets it (issue 13): every role finds its work from the header.

use crate::accounts::{Browser, register_organisation, sign_up, signed_in};
use crate::app::TestApp;
use crate::designation::{a_reviewer, ministry_person};
use koshu_domain::access::MinistryRole;

/// The links of the header's "your work" navigation on `/`.
async fn work_links(b: &mut Browser<'_>) -> String {
    let home = b.get("/").await;
    match home.body.find("class=\"work-nav\"") {
        Some(start) => {
            let nav = &home.body[start..];
            nav[..nav.find("</nav>").unwrap()].to_owned()
        }
        None => String::new(),
    }
}

pub async fn each_role_finds_its_work_in_the_header(app: TestApp) {
    assert_eq!(
        work_links(&mut Browser::new(&app)).await,
        "",
        "visitors have no work menu"
    );

    let owner = sign_up(&app, "提供 花子", "owner@provider.example.jp").await;
    let mut provider = signed_in(&app, &owner).await;
    // Everyone signed in may learn (issue 15): their courses are their first work.
    let links = work_links(&mut provider).await;
    assert!(links.contains("href=\"/learning\""), "{links}");
    assert!(
        !links.contains("/organisations/"),
        "no organisation yet: {links}"
    );
    let org = register_organisation(&mut provider, "5010001008846").await;
    let links = work_links(&mut provider).await;
    assert!(
        links.contains(&format!("href=\"/organisations/{org}\"")),
        "{links}"
    );
    assert!(links.contains("自組織"));
    assert!(!links.contains("/ministry/reviews"));

    let reviewer = a_reviewer(&app).await;
    let links = work_links(&mut signed_in(&app, &reviewer).await).await;
    assert!(links.contains("href=\"/ministry/reviews\""), "{links}");
    assert!(links.contains("href=\"/ministry/organisations\""));
    assert!(
        !links.contains("/admin/accounts"),
        "administration is the administrator's"
    );

    let admin = ministry_person(
        &app,
        "管理 一子",
        "admin@meti.example.jp",
        Some(MinistryRole::Administrator),
        false,
    )
    .await;
    let mut administrator = signed_in(&app, &admin).await;
    let links = work_links(&mut administrator).await;
    assert!(links.contains("href=\"/admin/accounts\""), "{links}");
    assert!(links.contains("href=\"/admin/outbox\""));
    let account = administrator.get("/en/account").await;
    assert!(
        account.body.contains("href=\"/en/ministry/reviews\""),
        "the account page links the queue too"
    );

    let expert = ministry_person(&app, "有識 三郎", "expert@univ.example.jp", None, true).await;
    let mut e = signed_in(&app, &expert).await;
    let links = work_links(&mut e).await;
    assert!(links.contains("href=\"/reviews\""), "{links}");
    assert!(!links.contains("/ministry/reviews"));
    let english = e.get("/en/").await;
    assert!(english.body.contains("href=\"/en/reviews\""));
    assert!(english.body.contains("Opinion requests"));

    // The ministry's home counts its work, and the reviewer's own.
    let queue = signed_in(&app, &reviewer)
        .await
        .get("/ministry/reviews")
        .await;
    assert!(queue.body.contains("自分の担当（0）"), "{}", queue.body);
    assert!(queue.body.contains("すべて（0）"));
}

/// The text a person reads on `html`: tags, attributes, scripts and styles taken out.
fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        out.push(' ');
        rest = &rest[start..];
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Every `segment.segment` in `text` whose first segment is a field of the application: a
/// raw field path (`course.target_persona`, `curriculum[0].minutes`).
fn raw_paths(text: &str) -> Vec<String> {
    let top: Vec<String> =
        match serde_json::to_value(koshu_domain::designation::Application::default()) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        };
    let is_word = |c: char| c.is_ascii_lowercase() || c == '_';
    let mut found = Vec::new();
    for (i, _) in text.match_indices(['.', '[']) {
        let before: String = text[..i]
            .chars()
            .rev()
            .take_while(|c| is_word(*c))
            .collect();
        let first: String = before.chars().rev().collect();
        let start = i - first.len();
        // Not a path: part of an address (owner@provider.example.jp, https://…/course.html).
        let in_address = text[..start].ends_with(['@', '/', '.', '-']);
        // A sentence that ends with a field's name (`… of the course.`) is no path.
        let continues = text[i + 1..].starts_with(|c: char| is_word(c) || c.is_ascii_digit());
        if top.contains(&first) && !in_address && continues {
            let end = text[i..]
                .find(|c: char| !(is_word(c) || c.is_ascii_digit() || "[].".contains(c)))
                .map_or(text.len(), |e| i + e);
            found.push(text[start..end].to_owned());
        }
    }
    found
}

/// Issue 13 item 16: the pages of an application show fields by their labels, never their
/// paths: the self-check of an empty draft (every rule failing, each with its links), the
/// submitted version, the reviewer's workspace with its evidence, and the comparison of two
/// versions, in both languages.
pub async fn no_page_of_an_application_shows_a_raw_field_path(app: TestApp) {
    use crate::applications::new_application;
    use crate::designation::{Submitted, submitted_with_documents};
    let Submitted {
        mut provider,
        org,
        id,
        mut complete,
        ..
    } = submitted_with_documents(&app).await;
    let empty = new_application(&mut provider, &org, "空の申請").await;
    let reviewer = a_reviewer(&app).await;
    let mut ministry = signed_in(&app, &reviewer).await;
    let workspace = format!("/ministry/reviews/{id}");
    ministry
        .post(
            &format!("{workspace}/assign"),
            &[("account_id", &reviewer), ("role", "reviewer")],
        )
        .await;
    ministry
        .post(
            &format!("{workspace}/revision"),
            &[
                ("reasons", "講師の記載を補ってください。"),
                ("confirmed", "yes"),
            ],
        )
        .await;
    complete.instructors[0].facilitation_record = "演習の進行を10回担当".into();
    complete.course.level4_explanation = "レベル4の根拠を補った。".into();
    write_unit!(app, unit => unit.save_draft(&id, &complete, "test", app.clock_now()).await)
        .unwrap();
    let resubmitted = provider
        .post(&format!("/applications/{id}/submit"), &[])
        .await;
    assert_eq!(
        resubmitted.status,
        axum::http::StatusCode::SEE_OTHER,
        "{}",
        resubmitted.body
    );

    let mut wrong = Vec::new();
    for prefix in ["", "/en"] {
        for (who, path) in [
            ("provider", format!("/applications/{empty}")),
            ("provider", format!("/applications/{id}")),
            ("provider", format!("/applications/{id}/versions/2")),
            ("ministry", workspace.clone()),
            (
                "ministry",
                format!("/applications/{id}/compare?from=1&to=2"),
            ),
        ] {
            let b = if who == "provider" {
                &mut provider
            } else {
                &mut ministry
            };
            let res = b.get(&format!("{prefix}{path}")).await;
            assert_eq!(res.status, axum::http::StatusCode::OK, "{prefix}{path}");
            let paths = raw_paths(&visible_text(&res.body));
            if !paths.is_empty() {
                wrong.push(format!("{prefix}{path}: {paths:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The test sees paths where they are: the edit form's field names are paths.
    let form = provider
        .get(&format!("/applications/{empty}/edit/course"))
        .await;
    assert!(!raw_paths(&form.body).is_empty());
}

/// Issue 13 item 17: a draft never submitted can be deleted, once the person ticks that it
/// cannot be undone; a submitted application cannot.
pub async fn a_draft_is_deleted_and_a_submitted_application_is_not(app: TestApp) {
    use crate::applications::new_application;
    use crate::designation::{Submitted, submitted_with_documents};
    let Submitted {
        mut provider,
        org,
        id: submitted,
        ..
    } = submitted_with_documents(&app).await;
    let draft = new_application(&mut provider, &org, "削除する下書き").await;
    let page = provider.get(&format!("/applications/{draft}")).await;
    assert!(page.body.contains("この下書きを削除する"));
    let unticked = provider
        .post(&format!("/applications/{draft}/delete"), &[])
        .await;
    assert_eq!(unticked.status, axum::http::StatusCode::BAD_REQUEST);
    assert!(unticked.body.contains("元に戻せないことを確認しました"));
    assert!(app.store.application(&draft).await.unwrap().is_some());
    let deleted = provider
        .post(
            &format!("/applications/{draft}/delete"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(
        deleted.status,
        axum::http::StatusCode::SEE_OTHER,
        "{}",
        deleted.body
    );
    assert!(app.store.application(&draft).await.unwrap().is_none());
    let to = crate::accounts::location(&deleted).to_owned();
    let list = provider.get(&to).await;
    assert!(list.body.contains("下書きを削除しました"));
    assert!(!list.body.contains("削除する下書き"));
    let audit = app.store.recent_audit_entries(50).await.unwrap();
    assert!(audit.iter().any(|e| e.event.action == "application.delete"));
    // Submitted once: part of the ministry's record, never deleted.
    let page = provider.get(&format!("/applications/{submitted}")).await;
    assert!(!page.body.contains("この下書きを削除する"));
    let refused = provider
        .post(
            &format!("/applications/{submitted}/delete"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status, axum::http::StatusCode::BAD_REQUEST);
    assert!(
        refused
            .body
            .contains("提出したことのある申請は削除できません")
    );
    assert!(app.store.application(&submitted).await.unwrap().is_some());
}

/// Issue 13 item 17: an owner sees the invitations waiting, sends one again (the old link
/// stops working), withdraws one, and changes members' roles; the last owner stays one.
pub async fn an_owner_manages_invitations_and_roles(app: TestApp) {
    use crate::accounts::{location, token_from_mail};
    use axum::http::StatusCode;
    let owner = sign_up(&app, "山田 太郎", "owner@cyber.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, "5010001008846").await;
    let staff = format!("/organisations/{org}/staff");
    for (email, role) in [
        ("editor@cyber.example.jp", "editor"),
        ("viewer@cyber.example.jp", "viewer"),
    ] {
        let sent = b.post(&staff, &[("email", email), ("role", role)]).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    }
    let page = b.get(&staff).await;
    assert!(page.body.contains("承諾待ちの招待"));
    assert!(page.body.contains("editor@cyber.example.jp"));
    let waiting = app
        .store
        .pending_invitations(&org, app.clock_now())
        .await
        .unwrap();
    assert_eq!(waiting.len(), 2);
    let editor_invite = waiting
        .iter()
        .find(|i| i.email == "editor@cyber.example.jp")
        .unwrap();
    let first = token_from_mail(&app, "editor@cyber.example.jp", "/invitations/accept").await;
    let resend = format!(
        "/organisations/{org}/invitations/{}/resend",
        editor_invite.id
    );
    assert!(
        page.body.contains(&resend),
        "the page offers to send it again"
    );
    let resent = b.post(&resend, &[]).await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER, "{}", resent.body);
    let back = b.get(location(&resent)).await;
    assert!(back.body.contains("送り直しました"));
    let second = token_from_mail(&app, "editor@cyber.example.jp", "/invitations/accept").await;
    assert_ne!(first, second, "a new link");
    let editor = sign_up(&app, "編集 花子", "editor@cyber.example.jp").await;
    let mut e = signed_in(&app, &editor).await;
    let old = e.get(&format!("/invitations/accept?token={first}")).await;
    assert_eq!(
        old.status,
        StatusCode::BAD_REQUEST,
        "the old link stops working"
    );
    let accepted = e
        .post(&format!("/invitations/accept?token={second}"), &[])
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);

    // Withdrawn: the viewer's link stops working, and it leaves the list.
    let viewer_invite = app
        .store
        .pending_invitations(&org, app.clock_now())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(viewer_invite.email, "viewer@cyber.example.jp");
    let viewer_link = token_from_mail(&app, "viewer@cyber.example.jp", "/invitations/accept").await;
    let withdrawn = b
        .post(
            &format!(
                "/organisations/{org}/invitations/{}/withdraw",
                viewer_invite.id
            ),
            &[],
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    assert!(
        app.store
            .pending_invitations(&org, app.clock_now())
            .await
            .unwrap()
            .is_empty()
    );
    let viewer = sign_up(&app, "閲覧 次郎", "viewer@cyber.example.jp").await;
    let refused = signed_in(&app, &viewer)
        .await
        .get(&format!("/invitations/accept?token={viewer_link}"))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);

    // Roles: the editor becomes an owner; the first owner may then step down, the last not.
    let role = |account: &str| format!("/organisations/{org}/staff/{account}/role");
    let by_editor = e.post(&role(&owner), &[("role", "viewer")]).await;
    assert_eq!(
        by_editor.status,
        StatusCode::FORBIDDEN,
        "only owners manage staff"
    );
    let last = b.post(&role(&owner), &[("role", "editor")]).await;
    assert_eq!(last.status, StatusCode::CONFLICT, "{}", last.body);
    assert!(last.body.contains("管理者が1人以上必要です"));
    let promoted = b.post(&role(&editor), &[("role", "owner")]).await;
    assert_eq!(promoted.status, StatusCode::SEE_OTHER);
    let stepped_down = b.post(&role(&owner), &[("role", "editor")]).await;
    assert_eq!(stepped_down.status, StatusCode::SEE_OTHER);
    let members = app.store.staff_of(&org).await.unwrap();
    let role_of = |id: &str| members.iter().find(|m| m.account_id == id).unwrap().role;
    assert_eq!(role_of(&editor), koshu_domain::access::OrgRole::Owner);
    assert_eq!(role_of(&owner), koshu_domain::access::OrgRole::Editor);
}

/// Issue 13 item 17: an invitation opened while signed out keeps its place through sign-in,
/// sign-up, the verification mail and the sign-in after it.
pub async fn an_invitation_keeps_its_place_through_sign_up(app: TestApp) {
    use crate::accounts::{PASSWORD, location, token_from_mail};
    use axum::http::StatusCode;
    let owner = sign_up(&app, "山田 太郎", "owner@cyber.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, "5010001008846").await;
    let sent = b
        .post(
            &format!("/organisations/{org}/staff"),
            &[("email", "new@cyber.example.jp"), ("role", "editor")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    let token = token_from_mail(&app, "new@cyber.example.jp", "/invitations/accept").await;
    let invitation = format!("/invitations/accept?token={token}");

    let mut stranger = Browser::new(&app);
    let asked = stranger.get(&invitation).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let login = location(&asked).to_owned();
    assert!(login.starts_with("/login?next="), "{login}");
    let next = login.trim_start_matches("/login?next=").to_owned();
    let page = stranger.get(&login).await;
    let signup = format!("/signup?next={next}");
    assert!(
        page.body.contains(&signup.replace('&', "&#38;")) || page.body.contains(&signup),
        "{}",
        page.body
    );
    let created = stranger
        .post(
            &signup,
            &[
                ("display_name", "新任 三郎"),
                ("email", "new@cyber.example.jp"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let mails = app.store.outbox(50, 0).await.unwrap();
    let verify = mails
        .iter()
        .find(|m| m.to_address == "new@cyber.example.jp" && m.body.contains("/verify-email"))
        .unwrap();
    assert!(
        verify.body.contains(&format!("&next={next}")),
        "{}",
        verify.body
    );
    let start = verify.body.find("/verify-email?").unwrap();
    let end = verify.body[start..].find(char::is_whitespace).unwrap() + start;
    let verified = stranger.get(&verify.body[start..end]).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert!(
        verified.body.contains(&format!("/login?next={next}")),
        "{}",
        verified.body
    );
    let signed = stranger
        .post(
            &format!("/login?next={next}"),
            &[("email", "new@cyber.example.jp"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    assert_eq!(location(&signed), invitation, "back at the invitation");
}

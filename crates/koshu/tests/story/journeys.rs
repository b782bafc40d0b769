//! The portal as each role meets it (issue 13): every role finds its work from the header.

use crate::accounts::{Browser, register_organisation, sign_up, signed_in};
use crate::app::TestApp;
use crate::designation::ministry_person;
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
    assert_eq!(work_links(&mut provider).await, "", "no role yet");
    let org = register_organisation(&mut provider, "5010001008846").await;
    let links = work_links(&mut provider).await;
    assert!(
        links.contains(&format!("href=\"/organisations/{org}\"")),
        "{links}"
    );
    assert!(links.contains("自組織"));
    assert!(!links.contains("/ministry/reviews"));

    let reviewer = ministry_person(
        &app,
        "審査 一郎",
        "reviewer@meti.example.jp",
        Some(MinistryRole::Reviewer),
        false,
    )
    .await;
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

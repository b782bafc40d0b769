//! A provider writes a 特定講習 application (issue 5; B01–B34): the self-check names every
//! rule with its clause and links to the fields; submission waits until the rules the data
//! decides are met; a submitted version never changes, and two versions can be compared.

use crate::accounts::{Browser, location, register_organisation, sign_up, signed_in};
use crate::app::{START, TestApp};
use axum::http::StatusCode;
use koshu_domain::designation::Application;
use koshu_domain::designation::application::{DisqualificationDeclaration, DisqualificationItem};
use koshu_domain::designation::fixtures::complete_application;
use koshu_domain::designation::lifecycle::{Event, Move, Status};

const CORPORATE_NUMBER: &str = "5010001008846";

/// A complete application (the domain's fixture) for the organisation with this 法人番号.
pub fn complete_for(corporate_number: &str, name: &str) -> Application {
    let mut complete = complete_application(START.date());
    complete.course.name = name.into();
    complete.provider.declarations = vec![DisqualificationDeclaration {
        corporate_number: corporate_number.into(),
        not_applicable: DisqualificationItem::ALL.to_vec(),
    }];
    complete.provider.organisation = None;
    complete
}

/// The bytes uploaded as document `name`: a PDF (by its signature, as B34 checks) that
/// names itself.
pub fn sample_pdf(name: &str) -> Vec<u8> {
    format!("%PDF-1.7\n% {name}\n").into_bytes()
}

/// Attaches a file of every kind the application needs (B34), through the upload form.
pub async fn attach_required_documents(b: &mut Browser<'_>, id: &str, app: &Application) {
    for kind in koshu_domain::designation::DocumentKind::ALL {
        if kind.required_for(app) {
            let name = format!("{}.pdf", kind.label_ja());
            let res = b
                .post_file(
                    &format!("/applications/{id}/documents"),
                    &[("kind", kind.code())],
                    ("file", &name, &sample_pdf(&name)),
                )
                .await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        }
    }
}

/// Starts an application through the provider's form; returns its id.
pub async fn new_application(b: &mut Browser<'_>, org: &str, name: &str) -> String {
    let res = b
        .post(
            &format!("/organisations/{org}/applications"),
            &[("name", name)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    location(&res)
        .strip_prefix("/applications/")
        .unwrap()
        .to_owned()
}

pub async fn a_provider_writes_checks_submits_and_compares_an_application(app: TestApp) {
    let owner = sign_up(&app, "申請 太郎", "owner@provider.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, CORPORATE_NUMBER).await;

    // An empty name is refused with the field named; a name starts the draft.
    let nameless = b
        .post(
            &format!("/organisations/{org}/applications"),
            &[("name", " ")],
        )
        .await;
    assert_eq!(nameless.status, StatusCode::BAD_REQUEST);
    assert!(
        nameless
            .body
            .contains("講習名を200文字以内で入力してください")
    );
    let id = new_application(&mut b, &org, "実践インシデント対応演習").await;
    let list = b.get(&format!("/organisations/{org}/applications")).await;
    assert!(list.body.contains("実践インシデント対応演習"));

    // The self-check lists every rule with its clause, and links each problem to its field.
    let page = b.get(&format!("/applications/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for rule in koshu_domain::designation::rules() {
        assert!(
            page.body.contains(&format!("id=\"rule-{}\"", rule.id)),
            "{} missing",
            rule.id
        );
        assert!(page.body.contains(rule.clause), "{} clause", rule.id);
    }
    assert!(page.body.contains(&format!(
        "href=\"/applications/{id}/edit/curriculum#list-curriculum\""
    )));
    let early = b.post(&format!("/applications/{id}/submit"), &[]).await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST);
    assert!(early.body.contains("まだ提出できません"));

    // The curriculum form: a wrong number and an unknown syllabus item are named, as typed.
    let path = format!("/applications/{id}/edit/curriculum");
    let form = b.get(&path).await;
    assert!(form.body.contains("name=\"curriculum[0].title\""));
    let bad = b
        .post(
            &path,
            &[
                ("curriculum._rows", "1"),
                ("curriculum[0].title", "初動対応"),
                ("curriculum[0].minutes", "九十"),
                ("curriculum[0].method", "lecture"),
                ("curriculum[0].syllabus_items", "3-1, 9-9"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body
            .contains("「時間（分）」は0以上の整数で入力してください")
    );
    assert!(bad.body.contains("9-9 は別表2の項目番号ではありません"));
    assert!(bad.body.contains("value=\"九十\""), "kept as typed");
    assert!(bad.body.contains("href=\"#f-curriculum-0-minutes\""));

    // Fill the rest as a complete application would be, declarations for this 法人.
    let complete = complete_for(CORPORATE_NUMBER, "実践インシデント対応演習");
    write_unit!(app, unit => unit.save_draft(&id, &complete, "test", app.clock_now()).await)
        .unwrap();
    // B34: the documents of 4-2. A file without a kind is refused, naming the field.
    let docs = format!("/applications/{id}/documents");
    let page = b.get(&format!("/applications/{id}")).await;
    assert!(
        page.body.contains("まだ提出できません"),
        "documents missing"
    );
    assert_eq!(
        page.body
            .matches("「直近2期の財務諸表」を添付してください")
            .count(),
        1,
        "each problem said once, with its link (issue 13 item 17)"
    );
    let kindless = b
        .post_file(
            &docs,
            &[("kind", "")],
            ("file", "財務諸表.pdf", b"%PDF-1.7"),
        )
        .await;
    assert_eq!(kindless.status, StatusCode::BAD_REQUEST);
    assert!(kindless.body.contains("書類の種類を選んでください"));
    // The title says the page is an error (issue 12 item 13), and the summary takes focus.
    assert!(
        kindless.body.contains("<title>エラー："),
        "{}",
        kindless.body
    );
    assert!(kindless.body.contains("id=\"error-summary\" autofocus"));
    // The content decides what a file is (B34; issue 13 item 15).
    for (name, bytes) in [
        ("malware.exe", &b"MZ\x90\x00\x03\x00\x00\x00"[..]),
        ("教材.pdf", &b"MZ\x90\x00\x03\x00\x00\x00"[..]),
    ] {
        let refused = b
            .post_file(&docs, &[("kind", "materials")], ("file", name, bytes))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{name}");
        assert!(
            refused.body.contains("として添付できるのは PDF"),
            "names the rule: {}",
            refused.body
        );
        assert!(refused.body.contains(name));
    }
    assert!(
        app.store
            .application_documents(&id)
            .await
            .unwrap()
            .is_empty()
    );
    attach_required_documents(&mut b, &id, &complete).await;
    let listed = b.get(&docs).await;
    assert!(listed.body.contains("必要な書類はすべて添付されています"));
    let attached = app.store.application_documents(&id).await.unwrap();
    let statement = &attached[0];
    let download = b.get(&format!("{docs}/{}", statement.file_id)).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(
        download.body.as_bytes(),
        sample_pdf("直近2期の財務諸表.pdf")
    );
    assert!(
        download.headers[axum::http::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename*=UTF-8''%E7%9B%B4")
    );
    let page = b.get(&format!("/applications/{id}")).await;
    assert!(
        !page.body.contains("まだ提出できません"),
        "every data-decided rule is met: {}",
        page.body
    );
    // The forms: the workbook read back is the same application; a broken one is refused
    // with its problems listed, and nothing changes.
    let xlsx = b.get_bytes(&format!("/applications/{id}/forms.xlsx")).await;
    assert_eq!(xlsx.0, StatusCode::OK);
    assert!(xlsx.1.starts_with(b"PK"), "a zip (xlsx)");
    let pdf = b.get_bytes(&format!("/applications/{id}/forms.pdf")).await;
    assert!(pdf.1.starts_with(b"%PDF"));
    let before = app.store.application(&id).await.unwrap().unwrap().draft;
    let broken = b
        .post_file(
            &format!("/applications/{id}/import"),
            &[],
            ("workbook", "様式.xlsx", b"this is not a workbook"),
        )
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert!(
        broken.body.contains("取り込みませんでした"),
        "{}",
        broken.body
    );
    assert_eq!(
        app.store.application(&id).await.unwrap().unwrap().draft,
        before
    );
    let imported = b
        .post_file(
            &format!("/applications/{id}/import"),
            &[],
            ("workbook", "様式.xlsx", &xlsx.1),
        )
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    assert_eq!(
        location(&imported),
        format!("/applications/{id}?done=imported")
    );
    assert_eq!(
        app.store.application(&id).await.unwrap().unwrap().draft,
        before
    );
    // Imported into a draft of another name: the draft takes the workbook's, and says so.
    let other = new_application(&mut b, &org, "仮の名前").await;
    let renamed = b
        .post_file(
            &format!("/applications/{other}/import"),
            &[],
            ("workbook", "様式.xlsx", &xlsx.1),
        )
        .await;
    assert_eq!(
        location(&renamed),
        format!("/applications/{other}?done=imported_renamed")
    );
    let page = b.get(location(&renamed)).await;
    assert!(
        page.body.contains("申請書の名前は様式の講習名に合わせて"),
        "{}",
        page.body
    );

    let submitted = b.post(&format!("/applications/{id}/submit"), &[]).await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    assert_eq!(
        location(&submitted),
        format!("/applications/{id}/versions/1")
    );
    let v1 = app
        .store
        .application_version(&id, 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v1.digest.len(), 64);
    let shown = b.get(&format!("/applications/{id}/versions/1")).await;
    assert!(shown.body.contains(&v1.digest));

    // A later edit through the form changes the draft, not version 1; resubmitting makes
    // version 2, and the comparison names the changed field.
    let form = b.get(&path).await;
    assert!(form.body.contains("name=\"curriculum._rows\""));
    let first = &complete.curriculum[0];
    let mut fields: Vec<(String, String)> = vec![
        ("curriculum._rows".into(), "1".into()),
        ("curriculum[0].title".into(), first.title.clone()),
        (
            "curriculum[0].minutes".into(),
            (first.minutes + 30).to_string(),
        ),
        ("curriculum[0].method".into(), "simulated_exercise".into()),
        (
            "curriculum[0].syllabus_items".into(),
            first.syllabus_items.join(", "),
        ),
        (
            "curriculum[0].opportunities.try_in_practice".into(),
            "true".into(),
        ),
    ];
    // Keep the other items as they were.
    let rows = complete.curriculum.len() + 1;
    fields[0].1 = rows.to_string();
    for (i, item) in complete.curriculum.iter().enumerate().skip(1) {
        let method = serde_json::to_value(item.method).unwrap();
        fields.push((format!("curriculum[{i}].title"), item.title.clone()));
        fields.push((format!("curriculum[{i}].minutes"), item.minutes.to_string()));
        fields.push((
            format!("curriculum[{i}].method"),
            method.as_str().unwrap().to_owned(),
        ));
        fields.push((
            format!("curriculum[{i}].syllabus_items"),
            item.syllabus_items.join(", "),
        ));
        for (key, on) in [
            ("learn_from_experts", item.opportunities.learn_from_experts),
            ("think_together", item.opportunities.think_together),
            ("try_in_practice", item.opportunities.try_in_practice),
        ] {
            if on {
                fields.push((
                    format!("curriculum[{i}].opportunities.{key}"),
                    "true".into(),
                ));
            }
        }
    }
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = b.post(&path, &borrowed).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let draft = app.store.application(&id).await.unwrap().unwrap().draft;
    assert_eq!(draft.curriculum[0].minutes, first.minutes + 30);
    assert_eq!(draft.curriculum.len(), complete.curriculum.len());
    // A new statement replaces the old one on the draft; version 1 keeps the old file.
    let replaced = b
        .post_file(
            &docs,
            &[("kind", "financial_statements")],
            (
                "file",
                "直近2期の財務諸表（訂正）.pdf",
                b"%PDF-1.7 corrected",
            ),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::SEE_OTHER);
    let removed = b
        .post(&format!("{docs}/{}/remove", statement.file_id), &[])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        b.get(&format!("{docs}/{}", statement.file_id)).await.status,
        StatusCode::OK,
        "a file a version lists stays readable"
    );
    let again = app
        .store
        .application_version(&id, 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again, v1, "a submitted version never changes");
    // Only a revision request opens the next version (the review itself is another story).
    let refused = b.post(&format!("/applications/{id}/submit"), &[]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("応募済み"), "{}", refused.body);
    for (from, event) in [
        (Status::Submitted, Event::StartReview),
        (Status::UnderReview, Event::RequestRevision),
    ] {
        let m = Move::of(from, &event).unwrap();
        write_unit!(app, unit => unit.move_application(&id, m, "test", app.clock_now()).await)
            .unwrap();
    }
    let resubmitted = b.post(&format!("/applications/{id}/submit"), &[]).await;
    assert_eq!(
        resubmitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        resubmitted.body
    );
    let compare = b
        .get(&format!("/applications/{id}/compare?from=1&to=2"))
        .await;
    assert_eq!(compare.status, StatusCode::OK);
    assert!(
        compare.body.contains("カリキュラム項目 項目1：時間（分）"),
        "the field by its label: {}",
        compare.body
    );
    assert!(
        compare
            .body
            .contains(&format!("<del>{}</del>", first.minutes))
    );
    assert!(!compare.body.contains("項目2：時間（分）"));
    assert!(
        compare.body.contains("直近2期の財務諸表（訂正）.pdf"),
        "documents compared: {}",
        compare.body
    );
    let missing = b
        .get(&format!("/applications/{id}/compare?from=x&to=2"))
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);

    let actions: Vec<String> = app
        .store
        .recent_audit_entries(100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    for action in [
        "application.create",
        "application.edit",
        "application.submit",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} audited");
    }
}

/// Every `name="…"` of the page's main form, with its `value` where the tag has one: what a
/// browser sends back for text inputs, selects and text areas (their content aside).
fn form_names(html: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for tag in html.split('<').skip(1) {
        let Some(rest) = tag.split_once(" name=\"").map(|(_, r)| r) else {
            continue;
        };
        let Some((name, after)) = rest.split_once('"') else {
            continue;
        };
        let is_box = tag.starts_with("input")
            && (tag.contains("type=\"checkbox\"") || tag.contains("type=\"radio\""));
        if is_box || name == "csrf" {
            continue;
        }
        let value = after
            .split_once("value=\"")
            .and_then(|(_, v)| v.split_once('"'))
            .map_or("", |(v, _)| v);
        fields.push((name.to_owned(), value.to_owned()));
    }
    fields
}

/// Issue 12 finding 7: a section's form, sent back as drawn, carries every field the editor
/// requires, so that only a truncated or hand-made post is refused as incomplete.
pub async fn every_section_form_sent_back_as_drawn_is_complete(app: TestApp) {
    let owner = sign_up(&app, "申請 花子", "owner@provider.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, CORPORATE_NUMBER).await;
    let id = new_application(&mut b, &org, "実践インシデント対応演習").await;
    for slug in [
        "course",
        "curriculum",
        "delivery",
        "people",
        "materials",
        "plan",
        "provider",
    ] {
        let path = format!("/applications/{id}/edit/{slug}");
        let page = b.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{slug}");
        let fields = form_names(&page.body);
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let res = b.post(&path, &pairs).await;
        assert!(
            !res.body.contains("欄がありません"),
            "{slug}: the drawn form lacks a field: {}",
            res.body
        );
        let truncated = b.post(&path, &[]).await;
        assert_eq!(truncated.status, StatusCode::BAD_REQUEST, "{slug}");
        assert!(truncated.body.contains("欄がありません"), "{slug}");
    }
    // The declarations start from the registered 法人番号 (issue 13 item 17), which the
    // form sent back as drawn keeps.
    let id = new_application(&mut b, &org, "第二の講習").await;
    let page = b.get(&format!("/applications/{id}/edit/provider")).await;
    assert!(
        page.body.contains(&format!("value=\"{CORPORATE_NUMBER}\"")),
        "{}",
        page.body
    );
}

/// The import page offers a 記入例: the workbook filled for a fictitious course under the
/// draft's title, with the declarations under the organisation's own 法人番号. Imported as it
/// is, with the attachments added, the draft can be submitted (B01–B34 met).
pub async fn the_worked_example_imports_as_a_draft_that_can_be_submitted(app: TestApp) {
    let owner = sign_up(&app, "記入 例子", "owner@provider.example.jp").await;
    let mut b = signed_in(&app, &owner).await;
    let org = register_organisation(&mut b, CORPORATE_NUMBER).await;
    let id = new_application(&mut b, &org, "記入例から始める講習").await;
    let page = b.get(&format!("/applications/{id}/import")).await;
    assert!(
        page.body
            .contains(&format!("/applications/{id}/example.xlsx"))
    );
    let example_path = format!("/applications/{id}/example.xlsx");
    let (status, example) = b.get_bytes(&example_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(example.starts_with(b"PK"), "a zip (xlsx)");
    let head = b.get(&example_path).await;
    let disposition = head.headers[axum::http::header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap();
    // 記入例, percent-encoded in the file name.
    assert!(
        disposition.contains("%E8%A8%98%E5%85%A5%E4%BE%8B"),
        "{disposition}"
    );
    let imported = b
        .post_file(
            &format!("/applications/{id}/import"),
            &[],
            ("workbook", "記入例.xlsx", &example),
        )
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    assert_eq!(
        location(&imported),
        format!("/applications/{id}?done=imported"),
        "the draft keeps its title"
    );
    let draft = app.store.application(&id).await.unwrap().unwrap().draft;
    assert_eq!(draft.course.name, "記入例から始める講習");
    assert_eq!(
        draft.provider.declarations[0].corporate_number,
        CORPORATE_NUMBER
    );
    attach_required_documents(&mut b, &id, &draft).await;
    // The example's first material names its file "slides-v3.pdf": attached under that name, it
    // is linked from the materials of the submitted version (issue 13 item 17).
    let slides = b
        .post_file(
            &format!("/applications/{id}/documents"),
            &[("kind", "materials")],
            ("file", "slides-v3.pdf", &sample_pdf("slides-v3.pdf")),
        )
        .await;
    assert_eq!(slides.status, StatusCode::SEE_OTHER, "{}", slides.body);
    let submitted = b.post(&format!("/applications/{id}/submit"), &[]).await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.body
    );
    let version = b.get(&format!("/applications/{id}/versions/1")).await;
    let materials = &version.body[version.body.find("教材と添付ファイル").unwrap()..];
    let file_id = app
        .store
        .application_documents(&id)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.file_name == "slides-v3.pdf")
        .unwrap()
        .file_id;
    assert!(
        materials.contains(&format!(
            "<a href=\"/applications/{id}/versions/1/documents/{file_id}\">slides-v3.pdf</a>"
        )),
        "{materials}"
    );
    assert!(materials.contains(
        "exercises-v3.pdf<span class=\"status-fail\">（この名前の添付ファイルはありません）"
    ));
    // Another provider's draft has no example for this one.
    let stranger = sign_up(&app, "他社 次郎", "other@provider.example.jp").await;
    let mut other = signed_in(&app, &stranger).await;
    let refused = other
        .get_bytes(&format!("/applications/{id}/example.xlsx"))
        .await;
    assert_eq!(refused.0, StatusCode::FORBIDDEN);
}

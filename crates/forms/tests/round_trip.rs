//! Acceptance (a): what the exporter writes, the importer reads back unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use koshu_domain::designation::{Application, fixtures};
use time::macros::date;

fn round_trip(app: &Application) {
    let bytes = support::export(app);
    match koshu_forms::import::workbook(&bytes) {
        Ok(back) => assert_eq!(&back, app),
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            panic!("{} import errors", errors.len());
        }
    }
}

#[test]
fn complete_application_round_trips() {
    round_trip(&fixtures::complete_application(date!(2026 - 04 - 01)));
}

#[test]
fn empty_application_round_trips() {
    round_trip(&Application::default());
}

/// Optional parts empty or in their other forms: no English name, no phones or e-mails, a
/// privacy policy instead of a certification, two consortium members, a loss, no supervisor,
/// a licensed and an unassigned material, a substitute without a RISS number, no outsourcing.
#[test]
fn variant_with_optional_fields_and_consortium_round_trips() {
    use koshu_domain::access::organisation::{ConsortiumMember, PrivacyAssurance};
    use koshu_domain::designation::application::{
        AssessmentKind, CopyrightBasis, DeliveryFormat, Material, Method, NetIncome,
    };
    use koshu_domain::types::CorporateNumber;

    let mut app = fixtures::complete_application(date!(2026 - 04 - 01));
    let org = app.provider.organisation.as_mut().unwrap();
    org.name_en = None;
    org.responsible.course_manager.email = None;
    org.responsible.inquiry_desk.phone = None;
    org.privacy = PrivacyAssurance::Policy {
        url: "https://example.jp/privacy".to_owned(),
    };
    org.consortium_members.push(ConsortiumMember {
        name: "合同会社ログ解析".to_owned(),
        corporate_number: CorporateNumber::parse("1180301018771").unwrap(),
    });
    app.provider.net_income[0].net_income = NetIncome(-1);
    app.provider.declarations[1].not_applicable.truncate(3);
    app.provider.business_started_on = None;
    app.course.target_persona = None;
    app.course.prerequisites = String::new();
    app.course.itss_fields.clear();
    app.delivery.format = DeliveryFormat::InPerson;
    app.assessment.kind = Some(AssessmentKind::Test);
    app.certificate.form = None;
    app.survey.provider_items.clear();
    app.supervisor = None;
    app.instructors[1].riss_number = None;
    app.instructors[1].equivalence = "CISSP 保有、実務15年".to_owned();
    app.instructors[1].affiliation = None;
    app.curriculum[0].method = Method::DiscussionGroupWork;
    app.curriculum[0].syllabus_items.clear();
    app.materials.push(Material {
        title: "許諾を受けた演習環境".to_owned(),
        document: "lab.pdf".to_owned(),
        copyright: Some(CopyrightBasis::Licensed {
            evidence_document: "license.pdf".to_owned(),
        }),
        is_exercise: true,
        includes_model_answers: false,
    });
    app.materials.push(Material::default());
    app.materials.last_mut().unwrap().title = "未分類".to_owned();
    app.outsourcing.tasks.clear();
    app.emergency.last_reviewed_on = None;
    app.track_record = Default::default();
    app.enrolment.capacity = 0;
    round_trip(&app);
}

/// A registered organisation and nothing else: the importer must not mistake the empty course
/// for missing rows.
#[test]
fn provider_only_round_trips() {
    let full = fixtures::complete_application(date!(2026 - 04 - 01));
    let app = Application {
        provider: full.provider,
        ..Application::default()
    };
    round_trip(&app);
}

/// Issue 13 item 16: a person reads labels and values, never a field path. The keys the
/// importer reads are in column A, which is hidden, and in the hidden `fields:` row of each
/// table; every other cell of every sheet is free of paths such as `course.goals`.
#[test]
fn no_visible_cell_holds_a_field_path() {
    use calamine::{Data, Reader, Xlsx};
    let top: Vec<String> = match serde_json::to_value(Application::default()) {
        Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        _ => panic!("an application is an object"),
    };
    let is_path = |text: &str| {
        top.iter().any(|field| {
            text.match_indices(field.as_str()).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let mut after = text[at + field.len()..].chars();
                let continues = match after.next() {
                    Some('.') => after.next().is_some_and(|c| c.is_ascii_lowercase()),
                    Some('[') => after.next().is_some_and(|c| c.is_ascii_digit() || c == ']'),
                    _ => false,
                };
                !before.is_some_and(|c| c.is_ascii_alphanumeric() || "_.@/".contains(c))
                    && continues
            })
        })
    };
    assert!(is_path("講習：course.goals") && is_path("curriculum[0].minutes"));
    assert!(!is_path("https://example.jp/course.html") && !is_path("the course."));
    let bytes = support::export(&support::complete());
    let mut wb = Xlsx::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut found = Vec::new();
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).unwrap();
        for (row, cells) in range.rows().enumerate() {
            let key = match cells.first() {
                Some(Data::String(s)) => s.as_str(),
                _ => "",
            };
            if key.starts_with("fields:") {
                continue;
            }
            for (col, cell) in cells.iter().enumerate().skip(1) {
                if let Data::String(text) = cell
                    && is_path(text)
                {
                    found.push(format!("{sheet}!R{}C{}: {text}", row + 1, col + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

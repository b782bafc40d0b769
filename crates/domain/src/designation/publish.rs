//! A designated course as the public catalogue shows it (B36): the catalogue's provider for
//! the organisation and the programme built from the designated version of the application,
//! carrying its designation number and period (C01) so that it is found as
//! 情報処理安全確保支援士『特定講習』.

use super::application::{Application, DeliveryFormat};
use crate::ValidationError;
use crate::access::organisation::{Contact, Organisation};
use crate::catalogue::{Designation, Fee, Language, Programme, Provider, ProviderKind, Slug};
use crate::taxonomy::Taxonomy;
use crate::types::text::non_empty_lines;
use crate::types::{Hours, Yen};

/// The catalogue id of an organisation's provider record: its 法人番号, stable and unique.
pub fn provider_slug(org: &Organisation) -> Result<Slug, ValidationError> {
    Slug::parse(&format!("corp-{}", org.corporate_number.as_str()))
}

/// The catalogue id of a designated course: the designation's application, stable across
/// changes of name (the application id is a UUID: hyphens and hex digits).
pub fn programme_slug(application_id: &str) -> Result<Slug, ValidationError> {
    Slug::parse(&format!("tokko-{}", application_id.to_ascii_lowercase()))
}

pub fn provider_of(org: &Organisation) -> Result<Provider, ValidationError> {
    Ok(Provider {
        id: provider_slug(org)?,
        name_ja: org.name_ja.clone(),
        name_en: org.name_en.clone(),
        kind: ProviderKind::Company,
        corporate_number: Some(org.corporate_number.clone()),
        url: None,
        source: Some("Koshu 特定講習の指定（登録された講座提供者）".to_owned()),
        citation: None,
    })
}

/// A contact as a visitor reads it: name, e-mail and phone, where given.
pub fn reach(c: &Contact) -> String {
    let mut parts = vec![c.name.clone()];
    if let Some(email) = &c.email {
        parts.push(email.as_str().to_owned());
    }
    if let Some(phone) = &c.phone {
        parts.push(phone.clone());
    }
    parts.retain(|p| !p.is_empty());
    parts.join("　")
}

/// The catalogue programme of a designated course.
pub fn programme_of(
    application_id: &str,
    app: &Application,
    org: &Organisation,
    designation: Designation,
    taxonomy: &Taxonomy,
) -> Result<Programme, ValidationError> {
    let minutes = app.total_minutes();
    let mut syllabus_items: Vec<String> = Vec::new();
    for item in app.curriculum.iter().flat_map(|i| &i.syllabus_items) {
        if !syllabus_items.contains(item) {
            syllabus_items.push(item.clone());
        }
    }
    syllabus_items.sort();
    let mut layers: Vec<String> = Vec::new();
    for field in &app.course.itss_fields {
        if let Some(f) = taxonomy.itss_field(field)
            && !layers.contains(&f.layer)
        {
            layers.push(f.layer.clone());
        }
    }
    let format = match app.delivery.format {
        DeliveryFormat::InPerson => "in_person",
        DeliveryFormat::Remote => "online",
        DeliveryFormat::Hybrid => "hybrid",
    };
    let goals = non_empty_lines(&app.course.goals);
    let (hours, rest) = (minutes / 60, minutes % 60);
    Ok(Programme {
        id: programme_slug(application_id)?,
        provider: provider_slug(org)?,
        title_ja: app.course.name.clone(),
        title_en: None,
        summary_ja: goals.first().cloned().unwrap_or_default(),
        summary_en: None,
        purpose_ja: app.course.purpose.clone(),
        goals_ja: goals,
        skills_ja: non_empty_lines(&app.course.knowledge_and_skills),
        prerequisites_ja: app.course.prerequisites.clone(),
        layers,
        audiences: vec!["riss".to_owned()],
        itss_fields: app.course.itss_fields.clone(),
        syllabus_items,
        kind: "security_technology".to_owned(),
        // A 特定講習 is ITSS level 4 (3-2(1)-1).
        difficulty: "advanced".to_owned(),
        format: format.to_owned(),
        duration_ja: format!("全{hours}時間{rest:02}分"),
        duration_en: Some(match rest {
            0 => format!("{hours} hours in total"),
            _ => format!("{hours} hours {rest} minutes in total"),
        }),
        total_hours: u32::try_from(minutes - minutes % 30)
            .ok()
            .and_then(|m| Hours::from_minutes(m).ok()),
        frequency_ja: None,
        // 3-2(7) ④ 受講費用, when the application states it.
        fee: match app.enrolment.fee {
            Some(yen) if yen == Yen::ZERO => Fee::Free,
            Some(yen) => Fee::Fixed { yen },
            None => Fee::Undisclosed,
        },
        language: Language::Ja,
        eligibility_ja:
            "情報処理安全確保支援士（登録セキスペ）。事業者の関係者以外も受講できます。".to_owned(),
        // B32: open to people outside the provider.
        eligibility_en: Some(
            "Registered Information Security Specialists (RISS). Open to people outside the provider and its affiliates."
                .to_owned(),
        ),
        url: Some(app.enrolment.schedule_published_at.clone()).filter(|u| !u.is_empty()),
        accessibility_ja: Some(app.accessibility.reasonable_accommodation.clone())
            .filter(|a| !a.is_empty()),
        inquiry_ja: Some(reach(&org.responsible.inquiry_desk)).filter(|r| !r.is_empty()),
        complaint_ja: Some(reach(&org.responsible.complaints_desk)).filter(|r| !r.is_empty()),
        source: Some(format!(
            "経済産業大臣による特定講習の指定（{}）",
            designation.number
        )),
        // The page names the designation and its number; there is no document to cite.
        citation: None,
        designation: Some(designation),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::designation::fixtures::complete_application;
    use time::macros::date;

    #[test]
    fn a_designated_course_is_a_catalogue_programme_with_its_number_and_period() {
        let taxonomy = Taxonomy::embedded().unwrap();
        let app = complete_application(date!(2026 - 04 - 01));
        let org = app.provider.organisation.clone().unwrap();
        let designation = Designation {
            number: "特講2026-001".into(),
            starts_on: date!(2026 - 04 - 01),
            ends_on: date!(2029 - 03 - 31),
        };
        let p = programme_of(
            "01900000-0000-7000-8000-00000000a001",
            &app,
            &org,
            designation.clone(),
            &taxonomy,
        )
        .unwrap();
        assert_eq!(p.id.as_str(), "tokko-01900000-0000-7000-8000-00000000a001");
        assert_eq!(p.title_ja, app.course.name);
        // Its purpose and fee are the application's own (issue 13 item 13).
        assert_eq!(p.purpose_ja, app.course.purpose);
        assert_eq!(
            p.fee,
            Fee::Fixed {
                yen: Yen::new(77_000)
            }
        );
        assert_eq!(p.designation, Some(designation));
        assert_eq!(p.itss_fields, app.course.itss_fields);
        assert!(!p.syllabus_items.is_empty());
        assert!(p.layers.iter().all(|l| taxonomy.layer(l).is_some()));
        // English pages get the generated phrases in English (G03).
        let minutes = app.total_minutes();
        let en = p.duration_en.as_deref().unwrap();
        assert!(
            en.starts_with(&format!("{} hours", minutes / 60)) && en.ends_with("in total"),
            "{en}"
        );
        assert!(
            p.eligibility_en
                .as_deref()
                .unwrap()
                .contains("outside the provider")
        );
        assert_eq!(
            provider_of(&org).unwrap().id.as_str(),
            format!("corp-{}", org.corporate_number.as_str())
        );
    }
}

//! schema.org `Course` with `CourseInstance`s (A06), so search engines and aggregators can read a
//! programme page without scraping it.

use koshu_domain::catalogue::{Fee, Programme, Session};
use koshu_domain::taxonomy::Taxonomy;
use serde_json::{Value, json};

fn course_mode(format: &str, session: &Session) -> &'static str {
    match (format, session.online, session.prefecture.is_some()) {
        ("hybrid", _, _) | (_, true, true) => "blended",
        ("online" | "on_demand", _, _) | (_, true, false) => "online",
        _ => "onsite",
    }
}

fn offer(fee: &Fee) -> Option<Value> {
    let (lo, _) = fee.bounds()?;
    Some(
        json!({ "@type": "Offer", "price": lo.amount(), "priceCurrency": "JPY", "category": if lo.amount() == 0 { "Free" } else { "Paid" } }),
    )
}

pub fn course(
    programme: &Programme,
    provider_name: &str,
    provider_url: Option<&str>,
    sessions: &[Session],
    taxonomy: &Taxonomy,
) -> String {
    let instances: Vec<Value> = sessions
        .iter()
        .map(|s| {
            let mut instance = json!({
                "@type": "CourseInstance",
                "courseMode": course_mode(&programme.format, s),
                "startDate": s.starts_on.to_string(),
                "endDate": s.ends_on.to_string(),
            });
            if let Some(p) = s.prefecture {
                instance["location"] = json!({
                    "@type": "Place",
                    "name": s.venue.clone().or_else(|| s.city.clone()).unwrap_or_else(|| taxonomy.prefecture(p).name.ja.clone()),
                    "address": { "@type": "PostalAddress", "addressRegion": taxonomy.prefecture(p).name.ja, "addressLocality": s.city, "addressCountry": "JP" },
                });
            }
            instance
        })
        .collect();
    let mut course = json!({
        "@context": "https://schema.org",
        "@type": "Course",
        "name": programme.title_ja,
        "alternateName": programme.title_en,
        "description": programme.summary_ja,
        "inLanguage": match programme.language { koshu_domain::catalogue::Language::Ja => "ja", koshu_domain::catalogue::Language::En => "en" },
        "provider": { "@type": "Organization", "name": provider_name, "sameAs": provider_url },
        "educationalLevel": taxonomy.difficulty(&programme.difficulty).map(|d| d.label.ja.clone()),
        "teaches": programme.skills_ja,
        "coursePrerequisites": programme.prerequisites_ja,
        "hasCourseInstance": instances,
    });
    if let Some(url) = &programme.url {
        course["sameAs"] = json!(url);
    }
    if let Some(offer) = offer(&programme.fee) {
        course["offers"] = offer;
    }
    // `</` inside a script element would end it early.
    course.to_string().replace("</", "<\\/")
}

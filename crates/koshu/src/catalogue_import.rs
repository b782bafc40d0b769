//! Loading a catalogue in the exchange format (`koshu import`) and the demo catalogue built
//! from the seed documents (`koshu demo`, `koshu serve --demo`). Both go through the same
//! validation; loading the same data twice changes nothing.

use koshu_domain::ValidationError;
use koshu_domain::catalogue::import::{Catalogue, parse_catalogue};
use koshu_domain::catalogue::{Session, Slug};
use koshu_domain::prefecture::Prefecture;
use koshu_domain::taxonomy::Taxonomy;
use koshu_store::catalogue::Change;
use koshu_store::{Store, StoreError};
use time::{Date, Duration, OffsetDateTime};

pub const DEMO_PROVIDERS: &str = include_str!("../demo/providers.toml");
pub const DEMO_PROGRAMMES: &str = include_str!("../demo/programmes.toml");

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} problem(s) in the catalogue:\n{}", .0.len(), render(.0))]
    Invalid(Vec<ValidationError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn render(errors: &[ValidationError]) -> String {
    errors
        .iter()
        .map(|e| {
            format!(
                "  - {}: {} / {} [{}]",
                e.field.as_deref().unwrap_or("-"),
                e.message_ja,
                e.message_en,
                e.code
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// How many records a load created, updated or left as they were.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl ImportSummary {
    fn count(&mut self, change: Change) {
        match change {
            Change::Created => self.created += 1,
            Change::Updated => self.updated += 1,
            Change::Unchanged => self.unchanged += 1,
        }
    }
}

/// Records written per unit of work.
const IMPORT_BATCH: usize = 200;

pub async fn import_catalogue(
    store: &Store,
    taxonomy: &Taxonomy,
    providers_toml: &str,
    programmes_toml: &str,
    actor: &str,
    now: OffsetDateTime,
) -> Result<ImportSummary, ImportError> {
    let catalogue =
        parse_catalogue(providers_toml, programmes_toml, taxonomy).map_err(ImportError::Invalid)?;
    store_catalogue(store, &catalogue, actor, now).await
}

async fn store_catalogue(
    store: &Store,
    catalogue: &Catalogue,
    actor: &str,
    now: OffsetDateTime,
) -> Result<ImportSummary, ImportError> {
    let mut summary = ImportSummary::default();
    // A unit of work per batch: one commit per record is what made a large import slow, and
    // one for all would hold the write lock for the whole file. Providers go first, so the
    // programmes that refer to them find them committed.
    for batch in catalogue.providers.chunks(IMPORT_BATCH) {
        let mut unit = store.write().await?;
        for provider in batch {
            summary.count(unit.upsert_provider(provider, actor, now).await?);
        }
        unit.commit().await?;
    }
    for batch in catalogue.programmes.chunks(IMPORT_BATCH) {
        let mut unit = store.write().await?;
        for programme in batch {
            summary.count(unit.upsert_programme(programme, actor, now).await?);
        }
        unit.commit().await?;
    }
    Ok(summary)
}

/// The demo catalogue, with the sample sessions of [`with_sample_sessions`] dated from `now`'s
/// day: loading it twice on one day changes nothing.
pub async fn load_demo(
    store: &Store,
    taxonomy: &Taxonomy,
    now: OffsetDateTime,
) -> Result<ImportSummary, ImportError> {
    let catalogue =
        parse_catalogue(DEMO_PROVIDERS, DEMO_PROGRAMMES, taxonomy).map_err(ImportError::Invalid)?;
    let today = now.to_offset(koshu_workflow::JST).date();
    store_catalogue(
        store,
        &with_sample_sessions(catalogue, today),
        "system:demo",
        now,
    )
    .await
}

/// A sample session: days from today, the prefecture's code (`None`: online), seats left of 30.
type Sample = (i64, Option<&'static str>, u32);

/// The programmes that get sample sessions, and their sessions.
const SAMPLE_SESSIONS: &[(&str, &[Sample])] = &[
    (
        "ipa-riss-practical-a",
        &[(21, None, 12), (49, None, 0), (77, None, 30)],
    ),
    ("ipa-riss-practical-b", &[(35, None, 8), (91, None, 30)]),
    (
        "meti-regional-secunity",
        &[(28, Some("27"), 20), (63, Some("40"), 30)],
    ),
];

/// Every demo session comes from the 2021 seeds, so the demo would show a portal where nothing
/// is upcoming. A few programmes get sessions dated from `today`, plainly marked as samples in
/// their note, so that a visitor sees the portal as it looks in use (issue 14 item 7).
pub fn with_sample_sessions(mut catalogue: Catalogue, today: Date) -> Catalogue {
    for item in &mut catalogue.programmes {
        let Some((_, sessions)) = SAMPLE_SESSIONS
            .iter()
            .find(|(id, _)| *id == item.programme.id.as_str())
        else {
            continue;
        };
        for (n, (days, prefecture, seats_left)) in sessions.iter().enumerate() {
            let day = today + Duration::days(*days);
            let (Ok(id), Ok(prefecture)) = (
                Slug::parse(&format!("{}-sample-{}", item.programme.id, n + 1)),
                prefecture.map(Prefecture::from_code).transpose(),
            ) else {
                continue;
            };
            item.sessions.push(Session {
                id,
                programme: item.programme.id.clone(),
                starts_on: day,
                ends_on: day,
                online: prefecture.is_none(),
                prefecture,
                city: None,
                venue: None,
                capacity: Some(30),
                seats_left: Some(*seats_left),
                application_deadline: Some(day - Duration::days(7)),
                note_ja: Some(
                    "（サンプル）デモ用の架空の日程です。実際の開催日程ではありません。".to_owned(),
                ),
                cancelled: false,
            });
        }
    }
    catalogue
}

//! Loading a catalogue in the exchange format (`koshu import`) and the demo catalogue built
//! from the seed documents (`koshu demo`, `koshu serve --demo`). Both go through the same
//! validation; loading the same data twice changes nothing.

use koshu_domain::ValidationError;
use koshu_domain::catalogue::import::parse_catalogue;
use koshu_domain::taxonomy::Taxonomy;
use koshu_store::catalogue::Change;
use koshu_store::{Store, StoreError};
use time::OffsetDateTime;

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

pub async fn load_demo(
    store: &Store,
    taxonomy: &Taxonomy,
    now: OffsetDateTime,
) -> Result<ImportSummary, ImportError> {
    import_catalogue(
        store,
        taxonomy,
        DEMO_PROVIDERS,
        DEMO_PROGRAMMES,
        "system:demo",
        now,
    )
    .await
}

//! The `koshu` command: configuration, the command line, and assembling the application.

pub mod backup;
pub mod catalogue_import;
pub mod cli;
pub mod config;
mod credentials_cli;
pub mod demo_application;
pub mod demo_delivery;
mod logging;
mod retention_cli;

use koshu_domain::taxonomy::Taxonomy;
use koshu_store::{Db, Files, Store, StoreError};
use std::sync::Arc;

/// Opens the configured database and file store and brings the schema up to date.
pub async fn open_store(config: &config::Config) -> Result<Store, StoreError> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| StoreError::Io(config.data_dir.display().to_string(), e))?;
    }
    let db = Db::connect(&config.database_url(), config.database.max_connections).await?;
    let files = Files::open(&config.files_config())?;
    Store::open(db, files).await
}

/// The application state: the store, the reference data, a catalogue index built from the
/// store, and the clock.
pub async fn app_state(
    store: Store,
    clock: Arc<dyn koshu_workflow::clock::Clock>,
    settings: koshu_web::WebSettings,
) -> Result<koshu_web::AppState, AppStateError> {
    let taxonomy = taxonomy()?;
    let index = Arc::new(koshu_search::CatalogueIndex::new(Arc::clone(&taxonomy))?);
    let catalogue = Arc::new(koshu_web::catalogue_sync::CatalogueSync::new(
        store.clone(),
        index,
    ));
    catalogue.rebuild().await?;
    Ok(koshu_web::AppState::new(
        store, taxonomy, clock, catalogue, settings,
    ))
}

#[derive(Debug, thiserror::Error)]
pub enum AppStateError {
    #[error("reference data: {0}")]
    Reference(#[from] koshu_domain::taxonomy::ReferenceDataError),
    #[error("{0}")]
    Search(#[from] koshu_search::SearchError),
    #[error("{0}")]
    Sync(#[from] koshu_web::catalogue_sync::SyncError),
}

/// The reference data, parsed once at start-up.
pub fn taxonomy() -> Result<Arc<Taxonomy>, koshu_domain::taxonomy::ReferenceDataError> {
    Taxonomy::embedded().map(Arc::new)
}

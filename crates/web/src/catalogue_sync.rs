//! Keeps this node's catalogue index in step with the database. The audit log is the change
//! feed: every catalogue write appends an entry, so any node (this one or another behind the
//! same load balancer) learns of it by reading entries after the last one it applied.

use crate::page_cache::PageCache;
use koshu_search::{CatalogueIndex, Listing, SearchError};
use koshu_store::catalogue::{CatalogueChange, CatalogueRecord};
use koshu_store::{Store, StoreError};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("index task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

#[derive(Debug)]
pub struct CatalogueSync {
    store: Store,
    index: Arc<CatalogueIndex>,
    /// The last audit entry applied; the lock also keeps two syncs from interleaving.
    applied: Mutex<i64>,
    /// The same, readable without waiting for a sync in progress (for the metrics).
    applied_seen: AtomicI64,
    /// Rendered public pages, cleared whenever the feed moves (issue 21 item 1).
    pages: PageCache,
}

fn listing(r: CatalogueRecord) -> Listing {
    Listing {
        programme: r.item.programme,
        provider_name_ja: r.provider_name_ja,
        provider_name_en: r.provider_name_en,
        provider_url: r.provider_url,
        sessions: r.item.sessions,
        updated_on: r.updated_at.to_offset(koshu_workflow::JST).date(),
    }
}

impl CatalogueSync {
    pub fn new(store: Store, index: Arc<CatalogueIndex>) -> Self {
        Self {
            store,
            index,
            applied: Mutex::new(0),
            applied_seen: AtomicI64::new(0),
            pages: PageCache::default(),
        }
    }

    /// This node's rendered-page cache, which follows the same feed as the index.
    pub fn pages(&self) -> &PageCache {
        &self.pages
    }

    pub fn index(&self) -> &Arc<CatalogueIndex> {
        &self.index
    }

    /// Builds the index from scratch. The head is read first, so a write that lands during the
    /// rebuild is applied again by the next `catch_up` rather than lost.
    pub async fn rebuild(&self) -> Result<usize, SyncError> {
        let mut applied = self.applied.lock().await;
        self.rebuild_locked(&mut applied).await
    }

    async fn rebuild_locked(&self, applied: &mut i64) -> Result<usize, SyncError> {
        let head = self.store.audit_head().await?;
        let listings: Vec<Listing> = self
            .store
            .catalogue_records()
            .await?
            .into_iter()
            .map(listing)
            .collect();
        let count = listings.len();
        let index = Arc::clone(&self.index);
        tokio::task::spawn_blocking(move || index.replace_all(listings)).await??;
        self.set_applied(applied, head);
        Ok(count)
    }

    /// Records `head` as applied; when it moved, something was written (here or on another
    /// node), so the rendered pages go.
    fn set_applied(&self, applied: &mut i64, head: i64) {
        if *applied != head {
            self.pages.clear();
        }
        *applied = head;
        self.applied_seen.store(head, Ordering::Relaxed);
    }

    /// How many entries of the change feed the index has not read yet (0: up to date).
    pub async fn lag(&self) -> Result<i64, SyncError> {
        let head = self.store.audit_head().await?;
        Ok((head - self.applied_seen.load(Ordering::Relaxed)).max(0))
    }

    /// Applies every catalogue change recorded since the last sync; returns how many programmes
    /// were re-indexed or removed.
    pub async fn catch_up(&self) -> Result<usize, SyncError> {
        let mut applied = self.applied.lock().await;
        let (changes, head) = self.store.catalogue_changes_since(*applied).await?;
        if changes.contains(&CatalogueChange::Reindex) {
            return self.rebuild_locked(&mut applied).await;
        }
        let mut ids = BTreeSet::new();
        for change in changes {
            match change {
                CatalogueChange::Programme(id) => {
                    ids.insert(id);
                }
                CatalogueChange::Provider(id) => {
                    ids.extend(self.store.programme_ids_of(&id).await?)
                }
                CatalogueChange::Reindex => {}
            }
        }
        let mut upserts = Vec::new();
        let mut removed = Vec::new();
        for id in ids {
            match self.store.catalogue_record(&id).await? {
                Some(record) => upserts.push(listing(record)),
                None => removed.push(id),
            }
        }
        let count = upserts.len() + removed.len();
        if count > 0 {
            let index = Arc::clone(&self.index);
            tokio::task::spawn_blocking(move || index.apply(upserts, &removed)).await??;
        }
        self.set_applied(&mut applied, head);
        Ok(count)
    }

    /// Follows the change feed until the process ends; a failed round is logged and retried.
    pub async fn follow(self: Arc<Self>, every: Duration) {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match self.catch_up().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(programmes = n, "catalogue index updated"),
                Err(e) => tracing::warn!(error = %e, "catalogue index update failed; will retry"),
            }
        }
    }
}

//! The unit of work: one write transaction that a use case opens once, writes through, and
//! commits once. Every write method of the store lives on [`UnitOfWork`], so a use case that
//! changes several things (a decision, a designation, its jobs, the catalogue, the audit
//! entries, the mail) changes all of them or none.
//!
//! Writers are serialised per backend (SQLite `BEGIN IMMEDIATE`, PostgreSQL one advisory
//! lock), which keeps the audit chain linear and lets a use case read what it allocates (the
//! next designation number) inside its own transaction without a race.
//!
//! A use case reads what it needs before it opens its unit: a unit holds a connection and the
//! write lock, and a read through the pool while other writers wait could find no connection.
//!
//! A write step that fails poisons the unit: its statements may have run half way, so
//! [`UnitOfWork::commit`] refuses and the transaction is rolled back when the unit is dropped.
//!
//! Fault injection (tests): [`Faults`] makes the n-th write step (commit included) fail, so a
//! story can prove that a use case leaves the data wholly changed or untouched.

use crate::db::BeginWrite;
use crate::{Store, StoreError};
use sqlx::Transaction;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) enum WriteTx {
    Sqlite(Transaction<'static, sqlx::Sqlite>),
    Postgres(Transaction<'static, sqlx::Postgres>),
}

/// An open write transaction; see the module documentation.
pub struct UnitOfWork {
    pub(crate) store: Store,
    pub(crate) tx: WriteTx,
    poisoned: bool,
}

impl std::fmt::Debug for UnitOfWork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnitOfWork")
            .field("backend", &self.store.backend())
            .field("poisoned", &self.poisoned)
            .finish()
    }
}

/// Runs `$body` inside the unit's transaction with `$c` bound to the backend's connection, as
/// one write step named `$step`: the step can be made to fail by [`Faults`], and a failure
/// poisons the unit.
macro_rules! write_step {
    ($uow:expr, $step:expr, $c:ident => $body:expr) => {{
        let uow: &mut $crate::unit::UnitOfWork = $uow;
        uow.step($step)?;
        let result: Result<_, $crate::StoreError> = async {
            match &mut uow.tx {
                $crate::unit::WriteTx::Sqlite(t) => {
                    let $c = &mut **t;
                    $body
                }
                $crate::unit::WriteTx::Postgres(t) => {
                    let $c = &mut **t;
                    $body
                }
            }
        }
        .await;
        if result.is_err() {
            uow.poison();
        }
        result
    }};
}
pub(crate) use write_step;

impl Store {
    /// Opens a unit of work: waits for the write lock, then returns the open transaction.
    pub async fn write(&self) -> Result<UnitOfWork, StoreError> {
        let tx = match &self.db {
            crate::Db::Sqlite(pool) => WriteTx::Sqlite(pool.begin_write().await?),
            crate::Db::Postgres(pool) => WriteTx::Postgres(pool.begin_write().await?),
        };
        Ok(UnitOfWork {
            store: self.clone(),
            tx,
            poisoned: false,
        })
    }

    /// The fault injector shared by every unit of work of this store (and its clones).
    pub fn faults(&self) -> &Faults {
        &self.faults
    }
}

impl UnitOfWork {
    pub(crate) fn step(&self, name: &str) -> Result<(), StoreError> {
        self.store.faults.check(name)
    }

    pub(crate) fn poison(&mut self) {
        self.poisoned = true;
    }

    /// Commits every write of the unit, or none: refused when a step failed.
    pub async fn commit(self) -> Result<(), StoreError> {
        if self.poisoned {
            return Err(StoreError::Poisoned);
        }
        self.step("commit")?;
        match self.tx {
            WriteTx::Sqlite(tx) => tx.commit().await?,
            WriteTx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Makes one chosen write step fail, counting steps across every unit of work of the store.
/// Disarmed (the default), it costs one atomic load per step.
#[derive(Debug, Default, Clone)]
pub struct Faults {
    /// 0: disarmed; n: the n-th step from arming fails.
    fail_at: Arc<AtomicU64>,
    seen: Arc<AtomicU64>,
}

impl Faults {
    #[cfg(feature = "testing")]
    /// The `n`-th write step from now (1 = the next) fails with [`StoreError::Injected`].
    pub fn fail_at_step(&self, n: u64) {
        self.seen.store(0, Ordering::SeqCst);
        self.fail_at.store(n, Ordering::SeqCst);
    }

    #[cfg(feature = "testing")]
    /// Counts steps without failing any (to learn how many steps a use case takes).
    pub fn count_steps(&self) {
        self.fail_at_step(u64::MAX);
    }

    #[cfg(feature = "testing")]
    /// Steps seen since arming.
    pub fn steps_seen(&self) -> u64 {
        self.seen.load(Ordering::SeqCst)
    }

    #[cfg(feature = "testing")]
    pub fn disarm(&self) {
        self.fail_at.store(0, Ordering::SeqCst);
    }

    fn check(&self, step: &str) -> Result<(), StoreError> {
        let fail_at = self.fail_at.load(Ordering::Relaxed);
        if fail_at == 0 {
            return Ok(());
        }
        let n = self.seen.fetch_add(1, Ordering::SeqCst) + 1;
        if n == fail_at {
            self.fail_at.store(0, Ordering::SeqCst);
            return Err(StoreError::Injected(step.to_owned()));
        }
        Ok(())
    }
}

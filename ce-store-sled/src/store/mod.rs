//! [`SledStore`]: the event log, its indexes and projections in one sled
//! database. An append writes its rows with the next position last (its
//! commit point) and flushes before `Ok`; a store reopened after a crash
//! midway drops the rows past the commit point (see `repair_locked`).
//!
//! One concept a file: `open` opens a store (and repairs it or brings its
//! projections in step); `policy` is the policy its projections are ranked
//! by; `append` checks and writes an append; `repair` removes what an
//! append left past its commit point; `import` marks, writes and rolls back
//! a bulk import; `rebuild` folds the projections again from the log;
//! `read_log` reads the committed log and `read_projections` the
//! projections. This file holds the store itself and its `EventStore` impl,
//! which hands each call to one of them.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use commit::GroupCommit;

use ce_core::{
    AppendRequest, Caseload, Envelope, EventId, EventStore, Policy, Snapshots, StoreError,
    StreamId, Upcasters,
};

mod append;
mod commit;
#[cfg(test)]
mod fixtures;
mod import;
mod open;
mod policy;
mod read_log;
mod read_projections;
mod rebuild;
mod repair;
mod views;

/// The on-disk format this build writes and reads.
pub const FORMAT_VERSION_CURRENT: u64 = 1;

/// One raw projection row: tree name, key and value bytes.
pub type ProjectionRow = (String, Vec<u8>, Vec<u8>);

/// A durable event store on sled. `Send + Sync`: share one across threads.
#[derive(Debug)]
pub struct SledStore {
    db: sled::Db,
    /// Who saw which household (see `views.rs`); not part of the log.
    views: sled::Tree,
    /// The trees, by their index in [`TREES`](crate::keys::TREES); the projection trees of the
    /// current generation. A rebuild swaps in the next generation's; an
    /// operation keeps the handles it took at its start.
    trees: RwLock<Arc<[sled::Tree]>>,
    /// Earlier generations' trees, dropped once no operation holds them.
    retired: Mutex<Vec<(u64, Arc<[sled::Tree]>)>>,
    policy: Policy,
    upcasters: Upcasters,
    /// Serializes appends: positions are assigned from one counter.
    writer: Mutex<()>,
    /// `meta/next_position` as last written (the commit point), so that
    /// neither an append nor a reader of the log looks it up in sled. Only
    /// a holder of the writer lock writes either, the row first.
    next: AtomicU64,
    /// Which appends are durable, and the one flush that makes more so.
    commits: GroupCommit,
    /// Set when an append failed midway and its rows could not be removed,
    /// or sled failed in the middle of an import's batch: every later
    /// append, import and snapshot fails until the store is reopened (which
    /// removes the append's rows, or refuses the unfinished import).
    pub(crate) poisoned: AtomicBool,
    /// Failures a test injects into an append's writes and its repair.
    #[cfg(test)]
    faults: Mutex<Faults>,
    /// The private copy a [`SledStore::open_snapshot`] reads, removed when
    /// the store is dropped (after `db`, which is declared first).
    snapshot: Option<tempfile::TempDir>,
}

/// Failures a test injects into a store (see
/// `append::tests::a_failed_write_is_repaired_in_place_or_poisons_the_store`); only
/// the test build's store holds any.
#[derive(Debug, Default)]
struct Faults {
    /// An append's write of its row at this index (0-based) fails.
    write: Option<usize>,
    /// The repair in place fails before it removes anything.
    repair: bool,
    /// Dropping a retired projection generation fails.
    retire: bool,
    /// The import's batch that starts at this position fails after it
    /// wrote its events (before their indexes).
    import: Option<u64>,
}

/// The error of an append on a store whose `poisoned` flag is set.
pub(crate) fn poisoned() -> StoreError {
    StoreError::Backend(
        "an earlier write failed midway and its rows could not be removed: reopen the store".into(),
    )
}

impl SledStore {
    pub(crate) fn lock(&self) -> MutexGuard<'_, ()> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current trees, by their index in [`TREES`](crate::keys::TREES). Hold the handle for
    /// the whole operation: a rebuild may swap in new projection trees
    /// meanwhile, and drops the old ones only when no handle is left.
    fn trees(&self) -> Arc<[sled::Tree]> {
        Arc::clone(&self.trees.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The current handle of the tree named `name` in the layout of
    /// docs/storage.md (`events`, `streams`, `heads`, `event_ids`, `meta`,
    /// `checkpoints`, `p_households`, `p_openings`, `p_referrals`,
    /// `p_enrollments`, `p_lists`; `None` for any other name; the
    /// projection trees' sled names carry their generation), for tools and
    /// tests that inspect the layout, like [`db`](Self::db). Do not keep a
    /// projection tree's handle across a rebuild: the rebuild drops the old
    /// generation once no operation of the store holds it, and in sled 0.34
    /// an operation on a dropped tree's handle can spin forever.
    #[cfg(feature = "raw-sled")]
    pub fn tree(&self, name: &str) -> Option<sled::Tree> {
        let index = crate::keys::TREES.iter().position(|t| *t == name)?;
        self.trees().get(index).cloned()
    }

    /// An error of sled's, if `fails` says so of the faults a test
    /// injected; never outside tests.
    #[cfg(test)]
    fn inject(&self, fails: impl FnOnce(&Faults) -> bool) -> Result<(), sled::Error> {
        if fails(&self.faults.lock().unwrap_or_else(PoisonError::into_inner)) {
            return Err(sled::Error::Unsupported("injected failure".into()));
        }
        Ok(())
    }

    /// See the test build's `inject`.
    #[cfg(not(test))]
    #[inline(always)]
    fn inject(&self, _fails: impl FnOnce(&Faults) -> bool) -> Result<(), sled::Error> {
        Ok(())
    }

    /// Whether this is a private copy of a store that could not be opened
    /// for writing ([`open_snapshot`](Self::open_snapshot)): what is
    /// written to it (a view record) is gone with it.
    pub fn is_private_copy(&self) -> bool {
        self.snapshot.is_some()
    }

    /// Makes every append flush on its own under the writer lock (`true`)
    /// instead of sharing flushes with the appends that arrive with it
    /// (the default): the baseline a group commit benchmark compares
    /// with. Both are equally durable.
    pub fn set_flush_per_append(&self, on: bool) {
        self.commits.set_per_append(on);
    }

    /// The raw sled database, for tools and tests that inspect the layout.
    #[cfg(feature = "raw-sled")]
    pub fn db(&self) -> &sled::Db {
        &self.db
    }
}

/// A workflow opened on a sled store starts from its projections.
impl Snapshots for SledStore {
    fn snapshot(&self) -> Result<Option<Caseload>, StoreError> {
        self.caseload().map(Some)
    }
}

impl EventStore for SledStore {
    fn append(&self, request: AppendRequest) -> Result<Vec<Envelope>, StoreError> {
        self.append_batch(vec![request])
            .map(|mut out| out.pop().unwrap_or_default())
    }

    fn append_unsynced(&self, request: AppendRequest) -> Result<Vec<Envelope>, StoreError> {
        self.append_batch_unsynced(vec![request])
            .map(|mut out| out.pop().unwrap_or_default())
    }

    fn sync(&self, next: u64) -> Result<(), StoreError> {
        self.sync_through(next)
    }

    fn read_stream(&self, stream: &StreamId) -> Result<Vec<Envelope>, StoreError> {
        self.committed_stream(stream)
    }

    fn read_from(&self, from: u64, limit: usize) -> Result<Vec<Envelope>, StoreError> {
        self.committed_from(from, limit)
    }

    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        self.committed_version(stream)
    }

    /// The policy the projections are ranked by: the log's last adoption,
    /// or the one the store started under.
    fn policy_in_force(&self) -> Result<Option<Policy>, StoreError> {
        Ok(Some(self.policy.clone()))
    }

    fn position_of(&self, event_id: EventId) -> Result<Option<u64>, StoreError> {
        self.committed_position(event_id)
    }

    fn next_position(&self) -> Result<u64, StoreError> {
        Ok(self.next.load(Ordering::Acquire))
    }
}

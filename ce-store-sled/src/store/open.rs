//! Opening a store: in place, an existing one only, a private copy of
//! one on a full or read-only disk, a temporary one, or one whose
//! unfinished import is to be rolled back. Every open checks the format,
//! drops projection trees of other generations, repairs an append cut off
//! by a crash and brings the policy and the projections in step with the
//! log.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Mutex, RwLock};

use ce_core::{EventStore, Policy, Upcasters};

use super::commit::GroupCommit;
use super::import::ImportMark;
use super::rebuild::drop_projection_tree;
use super::views::VIEWS_TREE;
#[cfg(test)]
use super::Faults;
use super::{SledStore, FORMAT_VERSION_CURRENT};
use crate::error::SledStoreError;
use crate::keys::*;

/// sled's page cache for [`SledStore::open`] (sled's default is 1 GiB,
/// which a rebuild or an import of a large log fills: the process then
/// holds it all).
const CACHE_BYTES: u64 = 128 << 20;

/// Free bytes [`SledStore::has_room_to_open`] asks for: a few of sled's
/// 512 KiB segments and its snapshot.
const ROOM_TO_OPEN: u64 = 8 << 20;

impl SledStore {
    /// Opens (or creates) the store in `dir`. A new store gets the WI BoS
    /// default policy; an existing one keeps its own. The directory is
    /// created 0700 and the store's files are made 0600: they hold client
    /// data.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, SledStoreError> {
        let dir = dir.as_ref();
        crate::files::create_private_dir(dir)?;
        let store = Self::open_with(sled::Config::new().path(dir).cache_capacity(CACHE_BYTES))?;
        crate::files::make_private(dir)?;
        Ok(store)
    }

    /// Opens the store in `dir`, which must exist: a mistyped path is an
    /// error naming it, never a new empty store that answers every read
    /// with nothing.
    pub fn open_existing(dir: impl AsRef<Path>) -> Result<Self, SledStoreError> {
        let dir = dir.as_ref();
        if !crate::files::holds_store(dir) {
            return Err(SledStoreError::Missing {
                path: dir.to_owned(),
            });
        }
        Self::open(dir)
    }

    /// Opens a private copy of the store in `dir` for reading, for when
    /// the store itself cannot be opened because its disk is full or
    /// read-only (sled writes on every open). The copy goes to a new 0700
    /// directory under `tmp` and is removed when the store is dropped;
    /// anything appended to it is lost with it.
    pub fn open_snapshot(dir: impl AsRef<Path>, tmp: &Path) -> Result<Self, SledStoreError> {
        let dir = dir.as_ref();
        if !crate::files::holds_store(dir) {
            return Err(SledStoreError::Missing {
                path: dir.to_owned(),
            });
        }
        let copy = crate::files::private_copy(dir, tmp)?;
        let mut store = Self::open_with(
            sled::Config::new()
                .path(copy.path())
                .cache_capacity(CACHE_BYTES),
        )?;
        store.snapshot = Some(copy);
        Ok(store)
    }

    /// Whether the disk holding the store in `dir` has room for sled to
    /// open it (sled writes up to a segment as it opens; on a nearly full
    /// disk that write is cut short and leaves a torn segment behind). A
    /// read should then use [`open_snapshot`](Self::open_snapshot).
    pub fn has_room_to_open(dir: impl AsRef<Path>) -> bool {
        fs4::available_space(dir.as_ref()).map_or(true, |free| free >= ROOM_TO_OPEN)
    }

    /// Whether this store reads a copy (see [`open_snapshot`](Self::open_snapshot)).
    pub fn is_snapshot(&self) -> bool {
        self.snapshot.is_some()
    }

    /// A new, empty store in a temporary directory that is removed when
    /// the store is dropped: for tests and examples.
    pub fn temporary() -> Result<Self, SledStoreError> {
        Self::open_with(sled::Config::new().temporary(true))
    }

    /// Opens a store from a sled configuration (cache and segment sizes
    /// for measurements; see the `raw-sled` feature).
    #[cfg(feature = "raw-sled")]
    pub fn open_with_config(config: sled::Config) -> Result<Self, SledStoreError> {
        Self::open_with(config)
    }

    fn open_with(config: sled::Config) -> Result<Self, SledStoreError> {
        Self::open_inner(config, false)
    }

    /// [`open_with`](Self::open_with); with `importing`, a store holding an
    /// unfinished import opens (to roll it back) with its log as it is.
    fn open_inner(config: sled::Config, importing: bool) -> Result<Self, SledStoreError> {
        // sled 0.34 panics on some damaged files (e.g. "tried to serialize
        // Uninitialized" while recovering its snapshot): a damaged store is
        // an error of the open, never a panic across this API.
        let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| config.open()))
            .map_err(|_| SledStoreError::Damaged {
                path: config.path.clone(),
            })?;
        let db = opened.map_err(|e| match e {
            // sled reports a held file lock only through this message.
            sled::Error::Io(io) if io.to_string().starts_with("could not acquire lock") => {
                SledStoreError::InUse {
                    path: config.path.clone(),
                }
            }
            sled::Error::Corruption { .. } => SledStoreError::Damaged {
                path: config.path.clone(),
            },
            other => SledStoreError::open(config.path.clone(), other),
        })?;
        let meta = db.open_tree(TREES[META]).map_err(SledStoreError::storage)?;
        match meta.get(FORMAT_VERSION).map_err(SledStoreError::storage)? {
            Some(bytes) => {
                let found = read_u64(&bytes).unwrap_or(u64::MAX);
                if found != FORMAT_VERSION_CURRENT {
                    return Err(SledStoreError::UnknownFormatVersion {
                        found,
                        supported: FORMAT_VERSION_CURRENT,
                    });
                }
            }
            None => {
                if !db
                    .open_tree(TREES[EVENTS])
                    .map_err(SledStoreError::storage)?
                    .is_empty()
                {
                    return Err(SledStoreError::UnknownFormatVersion {
                        found: 0,
                        supported: FORMAT_VERSION_CURRENT,
                    });
                }
                meta.insert(FORMAT_VERSION, &u64_key(FORMAT_VERSION_CURRENT))
                    .map_err(SledStoreError::storage)?;
                meta.insert(PROJECTION_LAYOUT, &u64_key(PROJECTION_LAYOUT_CURRENT))
                    .map_err(SledStoreError::storage)?;
                meta.insert(NEXT_POSITION, &u64_key(0))
                    .map_err(SledStoreError::storage)?;
                db.open_tree(TREES[CHECKPOINTS])
                    .map_err(SledStoreError::storage)?
                    .insert(PROJECTIONS, &u64_key(FOLLOWS_LOG))
                    .map_err(SledStoreError::storage)?;
                let policy = Policy::wi_bos_default();
                meta.insert(
                    POLICY,
                    serde_json::to_vec(&policy)
                        .map_err(|e| ce_core::PolicyError::Json(e.to_string()))?,
                )
                .map_err(SledStoreError::storage)?;
                db.flush().map_err(SledStoreError::storage)?;
            }
        }
        if let Some(bytes) = meta.get(IMPORTING).map_err(SledStoreError::storage)? {
            if !importing {
                let mark = ImportMark::read(&bytes)?;
                return Err(SledStoreError::IncompleteImport {
                    what: mark.what,
                    position: mark.position,
                });
            }
        }
        let policy = match meta.get(POLICY).map_err(SledStoreError::storage)? {
            Some(bytes) => Policy::from_json(&String::from_utf8_lossy(&bytes))?,
            None => Policy::wi_bos_default(),
        };
        let generation = meta
            .get(PROJECTION_GENERATION)
            .map_err(SledStoreError::storage)?
            .and_then(|b| read_u64(&b))
            .unwrap_or(0);
        let trees = (0..TREES.len())
            .map(|i| db.open_tree(tree_name(i, generation)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(SledStoreError::storage)?;
        let next = meta
            .get(NEXT_POSITION)
            .map_err(SledStoreError::storage)?
            .and_then(|b| read_u64(&b))
            .unwrap_or(0);
        // Projection trees of other generations: left by a rebuild that was
        // cut off, or retired while a reader still held them.
        for name in db.tree_names() {
            let current = (FIRST_PROJECTION..TREES.len())
                .any(|i| name.as_ref() == tree_name(i, generation).as_bytes());
            if is_projection_tree(&name) && !current {
                drop_projection_tree(&db, &name).map_err(SledStoreError::storage)?;
            }
        }
        let views = db.open_tree(VIEWS_TREE).map_err(SledStoreError::storage)?;
        let mut store = Self {
            db,
            views,
            trees: RwLock::new(trees.into()),
            retired: Mutex::new(Vec::new()),
            policy,
            upcasters: Upcasters::current(),
            writer: Mutex::new(()),
            next: AtomicU64::new(next),
            commits: GroupCommit::new(next),
            poisoned: AtomicBool::new(false),
            #[cfg(test)]
            faults: Mutex::new(Faults::default()),
            snapshot: None,
        };
        // An append cut off by a crash leaves rows past its commit point:
        // they go, and the projections are rebuilt. A store from an
        // interrupted rebuild or import has projections behind the log, and
        // one written with an older projection layout is rebuilt in the
        // current one.
        let repaired = store.repair_locked(&store.lock())?;
        // The policy in force is the last one the log adopted: `meta/policy`
        // follows it, also after a restore from a backup or a crash between
        // an adoption and its rebuild, and the lists are ranked again by it.
        let adopted = store.adopted_policy()?;
        let policy_changed = adopted.as_ref().is_some_and(|p| *p != store.policy);
        if let Some(policy) = adopted.filter(|_| policy_changed) {
            store.write_policy(&policy)?;
            store.policy = policy;
        }
        let layout = store.trees()[META]
            .get(PROJECTION_LAYOUT)
            .map_err(SledStoreError::storage)?
            .and_then(|b| read_u64(&b));
        let checkpoint = store.stored_checkpoint()?;
        let next = store.next_position()?;
        // Stores written before appends stopped writing the checkpoint hold
        // the next position there instead of FOLLOWS_LOG.
        let in_step = checkpoint == Some(FOLLOWS_LOG) || (checkpoint == Some(next) && next > 0);
        let layout_current = layout == Some(PROJECTION_LAYOUT_CURRENT);
        if !repaired && (!layout_current || !in_step || policy_changed) {
            store.rebuild()?;
        } else if checkpoint != Some(FOLLOWS_LOG) {
            store.trees()[CHECKPOINTS]
                .insert(PROJECTIONS, &u64_key(FOLLOWS_LOG))
                .map_err(SledStoreError::storage)?;
        }
        if !layout_current {
            store.trees()[META]
                .insert(PROJECTION_LAYOUT, &u64_key(PROJECTION_LAYOUT_CURRENT))
                .map_err(SledStoreError::storage)?;
        }
        if !layout_current || checkpoint != Some(FOLLOWS_LOG) || policy_changed {
            store.db.flush().map_err(SledStoreError::storage)?;
        }
        Ok(store)
    }

    /// Opens the store in `dir` and rolls back the import it holds, if any
    /// (see [`roll_back_import`](Self::roll_back_import)).
    pub fn open_rolling_back_import(
        dir: impl AsRef<Path>,
    ) -> Result<(Self, Option<(String, u64)>), SledStoreError> {
        let dir = dir.as_ref();
        if !crate::files::holds_store(dir) {
            return Err(SledStoreError::Missing {
                path: dir.to_owned(),
            });
        }
        let store = Self::open_inner(
            sled::Config::new().path(dir).cache_capacity(CACHE_BYTES),
            true,
        )?;
        let rolled_back = store.roll_back_import()?;
        Ok((store, rolled_back))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "test")]

    use std::sync::Arc;

    use super::*;
    use crate::store::fixtures::{all_rows, before_a_referral, reopen};

    /// The checkpoint row as sled holds it.
    fn raw_checkpoint(store: &SledStore) -> Option<u64> {
        store.stored_checkpoint().unwrap()
    }

    /// Appends leave the checkpoint at FOLLOWS_LOG. On open, a checkpoint
    /// equal to the next position (what stores wrote before) is taken as
    /// in step and rewritten, without a rebuild; one behind it (an
    /// interrupted rebuild) makes the open rebuild.
    #[test]
    fn the_checkpoint_follows_the_log_and_older_stores_are_taken_as_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(reopen(dir.path()));
        assert_eq!(raw_checkpoint(&store), Some(FOLLOWS_LOG));
        before_a_referral(&store);
        let next = store.next_position().unwrap();
        assert_eq!(raw_checkpoint(&store), Some(FOLLOWS_LOG));
        assert_eq!(store.projection_checkpoint().unwrap(), next);
        let rows = all_rows(&store);
        // A row no fold writes: it survives an open that does not rebuild.
        let stray = [0xAB; 16];
        let planted = |store: &SledStore| store.trees()[P_OPENINGS].get(stray).unwrap().is_some();
        let set = |store: &SledStore, value: u64| {
            store.trees()[CHECKPOINTS]
                .insert(PROJECTIONS, &u64_key(value))
                .unwrap();
            store.trees()[P_OPENINGS]
                .insert(stray, b"{}".to_vec())
                .unwrap();
        };
        set(&store, next);
        drop(store);
        let store = reopen(dir.path());
        assert!(planted(&store), "an older store in step was rebuilt");
        assert_eq!(raw_checkpoint(&store), Some(FOLLOWS_LOG));
        set(&store, 0);
        drop(store);
        let store = reopen(dir.path());
        assert!(!planted(&store), "an interrupted rebuild was not redone");
        assert_eq!(raw_checkpoint(&store), Some(FOLLOWS_LOG));
        assert!(all_rows(&store) == rows);
    }
}

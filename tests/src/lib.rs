//! The store conformance suite: one set of checks that every
//! [`EventStore`](ce_core::EventStore) must pass, run unchanged against the
//! in-memory store and the sled store (see `tests/conformance.rs`); the
//! harness of the CLI end-to-end tests; and what the tests and the crash
//! test's writer share.

use std::path::Path;
use std::time::Duration;

use ce_store_sled::{SledStore, SledStoreError};

pub mod cli;
pub mod conformance;
pub mod cut;
pub mod load;
pub mod postgres;
pub mod sample;
pub mod serve;
pub mod support;

/// Requests per `append_batch` of `crash_writer batch`; the crash test
/// checks that the log only ever holds whole batches of it.
pub const CRASH_WRITER_BATCH: u64 = 100;

/// `SledStore::open`, waiting up to `wait` while a store dropped a moment
/// ago, in this process or the one that spawned it, still holds the
/// directory's file lock: sled 0.34 releases it from its background
/// threads. Any other result, or `InUse` once `wait` is over, is returned.
pub fn open_when_released(
    dir: impl AsRef<Path>,
    wait: Duration,
) -> Result<SledStore, SledStoreError> {
    let step = Duration::from_millis(20);
    for _ in 0..wait.as_millis() / step.as_millis() {
        match SledStore::open(dir.as_ref()) {
            Err(SledStoreError::InUse { .. }) => std::thread::sleep(step),
            other => return other,
        }
    }
    SledStore::open(dir.as_ref())
}

/// Waits (up to 5 s) until nothing holds the sled store in `dir`: sled
/// lets go of a dropped store's file lock from a background thread, so a
/// `ce` started right after a test closed the store in-process could find
/// it "in use". Tries the same `flock` sled takes, on a file handle of its
/// own (which conflicts with sled's even in this process), and lets go.
pub fn wait_until_sled_released(dir: impl AsRef<Path>) {
    use fs4::fs_std::FileExt;
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(dir.as_ref().join("db"))
    else {
        return;
    };
    for _ in 0..500 {
        if let Ok(true) = FileExt::try_lock_exclusive(&file) {
            let _ = FileExt::unlock(&file);
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `sled::open` of a store's directory, for tests that tamper with its raw
/// trees, waiting (up to 5 s) while a `SledStore` dropped a moment ago in
/// this process still holds the directory's file lock.
pub fn raw_sled_when_released(dir: impl AsRef<Path>) -> sled::Result<sled::Db> {
    let step = Duration::from_millis(20);
    for _ in 0..250 {
        match sled::open(dir.as_ref()) {
            Err(sled::Error::Io(e)) if e.to_string().contains("could not acquire lock") => {
                std::thread::sleep(step)
            }
            other => return other,
        }
    }
    sled::open(dir.as_ref())
}

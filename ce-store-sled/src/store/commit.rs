//! Group commit: appends write their rows under the writer lock and then
//! wait for a flush outside it, so one flush makes durable every append
//! that was written while the previous flush ran.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use ce_core::StoreError;

/// What is durable, and whether a flush is running.
#[derive(Debug)]
struct State {
    /// Every event before this position is durable.
    durable: u64,
    /// A caller is flushing now.
    flushing: bool,
    /// The error of the last flush that failed, for the callers who
    /// waited on it.
    failed: Option<(u64, String)>,
}

/// The store's group commit (see `SledStore::sync_through`).
#[derive(Debug)]
pub(crate) struct GroupCommit {
    state: Mutex<State>,
    done: Condvar,
    /// Flush once per append, under the writer lock (the baseline the
    /// group commit is measured against).
    per_append: std::sync::atomic::AtomicBool,
}

impl GroupCommit {
    /// No flush pending: everything before `next` is on disk (the store
    /// just opened).
    pub(crate) fn new(next: u64) -> Self {
        Self {
            state: Mutex::new(State {
                durable: next,
                flushing: false,
                failed: None,
            }),
            done: Condvar::new(),
            per_append: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether each append flushes on its own.
    pub(crate) fn per_append(&self) -> bool {
        self.per_append.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Makes each append flush on its own (or share flushes again).
    pub(crate) fn set_per_append(&self, on: bool) {
        self.per_append
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Records that everything before `next` was flushed.
    pub(crate) fn flushed(&self, next: u64) {
        let mut state = self.lock();
        state.durable = state.durable.max(next);
        drop(state);
        self.done.notify_all();
    }

    /// Returns once everything before `next` is durable: if no flush is
    /// running, this caller runs `flush` (which returns the position it
    /// covers); otherwise it waits for the running one and tries again.
    pub(crate) fn sync_through(
        &self,
        next: u64,
        flush: impl Fn() -> Result<u64, StoreError>,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        loop {
            if state.durable >= next {
                return Ok(());
            }
            if let Some((covering, why)) = &state.failed {
                if *covering >= next {
                    return Err(StoreError::Backend(
                        format!("the flush that would have made this append durable failed: {why}")
                            .into(),
                    ));
                }
            }
            if state.flushing {
                state = self
                    .done
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            state.flushing = true;
            drop(state);
            let result = flush();
            state = self.lock();
            state.flushing = false;
            match result {
                Ok(covered) => {
                    state.durable = state.durable.max(covered);
                    state.failed = None;
                }
                Err(e) => {
                    // Those waiting for this flush learn it failed; a later
                    // append tries a flush of its own.
                    state.failed = Some((next, e.to_string()));
                    drop(state);
                    self.done.notify_all();
                    return Err(e);
                }
            }
            drop(state);
            self.done.notify_all();
            state = self.lock();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    #[test]
    fn concurrent_syncs_share_flushes_and_each_returns_durable() {
        let commits = Arc::new(GroupCommit::new(0));
        let written = Arc::new(AtomicU64::new(0));
        let flushes = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (commits, written, flushes) = (
                    Arc::clone(&commits),
                    Arc::clone(&written),
                    Arc::clone(&flushes),
                );
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        let mine = written.fetch_add(1, Ordering::SeqCst) + 1;
                        commits
                            .sync_through(mine, || {
                                let covered = written.load(Ordering::SeqCst);
                                flushes.fetch_add(1, Ordering::SeqCst);
                                std::thread::sleep(std::time::Duration::from_millis(1));
                                Ok(covered)
                            })
                            .map_err(|e| e.to_string())?;
                        if commits.lock().durable < mine {
                            return Err(format!("returned before {mine} was durable"));
                        }
                    }
                    Ok::<_, String>(())
                })
            })
            .collect();
        for thread in threads {
            assert_eq!(thread.join().map_err(|_| "panicked"), Ok(Ok(())));
        }
        let flushes = flushes.load(Ordering::SeqCst);
        assert!(
            flushes < 400,
            "{flushes} flushes for 400 appends: none shared"
        );
    }

    #[test]
    fn a_failed_flush_fails_its_waiters_and_the_next_append_flushes_again() {
        let commits = GroupCommit::new(0);
        let failed = commits.sync_through(3, || Err(StoreError::Backend("disk full".into())));
        assert!(failed.is_err_and(|e| e.to_string().contains("disk full")));
        assert!(commits.sync_through(4, || Ok(4)).is_ok());
        assert!(commits.sync_through(2, || Ok(0)).is_ok());
    }
}

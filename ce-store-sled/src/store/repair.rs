//! The repair of an append cut off before its commit point: by a crash
//! (on the next open) or by a failed write (in place, at once). The
//! rollback of an import uses it too, once it has moved the commit point
//! back to the import's mark.

use std::sync::MutexGuard;

use ce_core::{EventStore, StoreError};

use super::SledStore;
use crate::error::backend;
use crate::keys::*;

impl SledStore {
    /// Removes the rows an append left past its commit point (see
    /// [`append_batch`](Self::append_batch)) and, if there were any,
    /// rebuilds the projections, which it may have half written. The
    /// caller holds the writer lock. Returns whether anything was removed.
    pub(super) fn repair_locked(&self, _writer: &MutexGuard<'_, ()>) -> Result<bool, StoreError> {
        self.inject(|faults| faults.repair).map_err(backend)?;
        let trees = self.trees();
        let next = self.next_position()?;
        let mut torn = Vec::new();
        for row in trees[EVENTS].range(u64_key(next)..) {
            // Rows a cut-off append left need not follow on one another.
            torn.push(self.decode_row(row, next + torn.len() as u64, false)?);
        }
        if torn.is_empty() {
            return Ok(false);
        }
        let mut streams = std::collections::BTreeSet::new();
        for envelope in &torn {
            for sv in &envelope.streams {
                trees[STREAMS]
                    .remove(stream_key(&sv.stream, sv.version))
                    .map_err(backend)?;
                streams.insert(sv.stream);
            }
            let id = envelope.event_id.as_uuid().as_bytes();
            let indexed = trees[EVENT_IDS].get(id).map_err(backend)?;
            if indexed.and_then(|p| read_u64(&p)) == Some(envelope.position) {
                trees[EVENT_IDS].remove(id).map_err(backend)?;
            }
            trees[EVENTS]
                .remove(u64_key(envelope.position))
                .map_err(backend)?;
        }
        // Each stream's head goes back to its last version in the index.
        for stream in &streams {
            let last = trees[STREAMS]
                .scan_prefix(stream_prefix(stream))
                .next_back()
                .transpose()
                .map_err(backend)?;
            match last.and_then(|(key, _)| version_of_stream_key(&key)) {
                Some(version) => trees[HEADS].insert(head_key(stream), &u64_key(version)),
                None => trees[HEADS].remove(head_key(stream)),
            }
            .map_err(backend)?;
        }
        self.rebuild_locked(|_, _| {})?;
        Ok(true)
    }
}

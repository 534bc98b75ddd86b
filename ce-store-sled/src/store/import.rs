//! A bulk import: the durable mark that makes a store reopened midway
//! refuse to open, the log's batches written under it, and the rollback
//! that returns the log to where the mark found it.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::MutexGuard;

use ce_core::{AppendProblem, Envelope, EventStore, StoreError, StreamId};

use super::SledStore;
use crate::error::SledStoreError;
use crate::keys::*;

/// The mark of an unfinished import: where the log stood before it, and
/// what was being imported.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct ImportMark {
    pub(super) position: u64,
    pub(super) what: String,
}

impl ImportMark {
    /// Reads a mark; the empty mark of older stores is an import into an
    /// empty store (the only kind they had). Any other mark that does not
    /// read is damage: nothing is rolled back by a guess.
    pub(super) fn read(bytes: &[u8]) -> Result<Self, StoreError> {
        if bytes.is_empty() {
            return Ok(ImportMark {
                position: 0,
                what: "a JSON Lines backup".to_owned(),
            });
        }
        serde_json::from_slice(bytes).map_err(|_| StoreError::Corrupt {
            position: 0,
            detail: "the mark of an unfinished import cannot be read".to_owned(),
        })
    }
}

impl SledStore {
    /// Marks the store as holding an unfinished import of `what` (e.g.
    /// "HUD CSV export in /data/march"), durably, with the position the
    /// log has now: until [`end_import`](Self::end_import), a store
    /// reopened (after a kill, a full disk) refuses to open
    /// ([`SledStoreError::IncompleteImport`]) rather than serve part of an
    /// import, and [`roll_back_import`](Self::roll_back_import) returns it
    /// to this position.
    pub fn begin_import(&self, what: &str) -> Result<(), SledStoreError> {
        let mark = ImportMark {
            position: self.next_position()?,
            what: what.to_owned(),
        };
        let bytes = serde_json::to_vec(&mark).map_err(std::io::Error::from)?;
        self.trees()[META]
            .insert(IMPORTING, bytes)
            .map_err(SledStoreError::storage)?;
        self.db.flush().map_err(SledStoreError::storage)?;
        Ok(())
    }

    /// Clears the mark of [`begin_import`](Self::begin_import), durably: the
    /// import is whole.
    pub fn end_import(&self) -> Result<(), SledStoreError> {
        self.trees()[META]
            .remove(IMPORTING)
            .map_err(SledStoreError::storage)?;
        self.db.flush().map_err(SledStoreError::storage)?;
        Ok(())
    }

    /// The unfinished import's mark, if the store holds one.
    fn import_mark(&self) -> Result<Option<ImportMark>, SledStoreError> {
        match self.trees()[META]
            .get(IMPORTING)
            .map_err(SledStoreError::storage)?
        {
            Some(bytes) => Ok(Some(ImportMark::read(&bytes)?)),
            None => Ok(None),
        }
    }

    /// Removes everything an unfinished import wrote: the log goes back to
    /// the position of [`begin_import`](Self::begin_import), the projections
    /// are rebuilt, the mark is cleared. Returns what the import was and
    /// how many events were removed; `None` if no import was unfinished.
    pub fn roll_back_import(&self) -> Result<Option<(String, u64)>, SledStoreError> {
        self.roll_back_import_locked(&self.lock())
    }

    /// [`roll_back_import`](Self::roll_back_import); the caller holds the
    /// writer lock.
    pub(crate) fn roll_back_import_locked(
        &self,
        writer: &MutexGuard<'_, ()>,
    ) -> Result<Option<(String, u64)>, SledStoreError> {
        let Some(mark) = self.import_mark()? else {
            return Ok(None);
        };
        let trees = self.trees();
        let end = trees[EVENTS]
            .last()
            .map_err(SledStoreError::storage)?
            .and_then(|(key, _)| read_u64(&key))
            .map_or(0, |last| last.saturating_add(1))
            .max(self.next_position()?);
        let removed = end.saturating_sub(mark.position);
        if mark.position == 0 {
            // Nothing was stored before: the log and its indexes go whole,
            // including rows a cut-off batch left half written.
            for tree in [EVENTS, STREAMS, HEADS, EVENT_IDS] {
                trees[tree].clear().map_err(SledStoreError::storage)?;
            }
            self.set_next_locked(0)?;
            self.rebuild_locked(|_, _| {})?;
        } else {
            self.set_next_locked(mark.position)?;
            // Removes the rows past the mark and rebuilds the projections
            // if there were any.
            self.repair_locked(writer)?;
        }
        trees[META]
            .remove(IMPORTING)
            .map_err(SledStoreError::storage)?;
        self.db.flush().map_err(SledStoreError::storage)?;
        self.poisoned.store(false, Ordering::Release);
        Ok(Some((mark.what, removed)))
    }

    /// Moves the commit point (the caller holds the writer lock).
    fn set_next_locked(&self, next: u64) -> Result<(), SledStoreError> {
        self.trees()[META]
            .insert(NEXT_POSITION, &u64_key(next))
            .map_err(SledStoreError::storage)?;
        self.next.store(next, Ordering::Release);
        Ok(())
    }

    /// Writes one batch of a backup's envelopes (with their 1-based line
    /// numbers) to the log and its indexes, without a transaction: the
    /// import holds the [`IMPORTING`] mark, so a crash midway is reported
    /// on the next open instead of leaving a log that looks whole. The
    /// caller holds the writer lock for the whole import and has checked
    /// that the positions run on from 0 line by line. Checks the rest of
    /// what an append would: every event names its streams
    /// once and at least one, no event id is stored twice, and every stream
    /// version follows the stream's last. A batch that fails a check writes
    /// nothing; an error of sled itself may leave it half written (the mark
    /// stays).
    pub(crate) fn import_log_batch(&self, batch: &[(u64, Envelope)]) -> Result<(), SledStoreError> {
        let trees = self.trees();
        let Some((_, last)) = batch.last() else {
            return Ok(());
        };
        let mut heads: HashMap<StreamId, u64> = HashMap::new();
        let mut ids = std::collections::HashSet::new();
        let (mut events, mut event_ids, mut streams) = (
            sled::Batch::default(),
            sled::Batch::default(),
            sled::Batch::default(),
        );
        for (line, envelope) in batch {
            let id = envelope.event_id.as_uuid().as_bytes();
            if !ids.insert(envelope.event_id)
                || trees[EVENT_IDS]
                    .contains_key(id)
                    .map_err(SledStoreError::storage)?
            {
                return Err(SledStoreError::ImportDuplicate {
                    line: *line,
                    event_id: envelope.event_id,
                });
            }
            let position = u64_key(envelope.position);
            let invalid = |reason| SledStoreError::ImportInvalid {
                line: *line,
                reason,
            };
            if envelope.streams.is_empty() {
                return Err(invalid("the event belongs to no stream"));
            }
            for (i, sv) in envelope.streams.iter().enumerate() {
                if envelope.streams[..i].iter().any(|o| o.stream == sv.stream) {
                    return Err(invalid("the event names one stream twice"));
                }
            }
            for sv in &envelope.streams {
                let previous = match heads.get(&sv.stream) {
                    Some(v) => *v,
                    None => trees[HEADS]
                        .get(head_key(&sv.stream))
                        .map_err(SledStoreError::storage)?
                        .and_then(|b| read_u64(&b))
                        .unwrap_or(0),
                };
                if Some(sv.version) != previous.checked_add(1) {
                    return Err(SledStoreError::ImportVersion {
                        line: *line,
                        stream: sv.stream,
                        expected_previous: previous,
                        found: sv.version,
                    });
                }
                heads.insert(sv.stream, sv.version);
                streams.insert(stream_key(&sv.stream, sv.version), &position);
            }
            let bytes = envelope
                .to_json()
                .map_err(|_| StoreError::InvalidAppend(AppendProblem::DoesNotSerialize))?;
            events.insert(&position, bytes);
            event_ids.insert(id, &position);
        }
        let mut head_rows = sled::Batch::default();
        for (stream, version) in &heads {
            head_rows.insert(head_key(stream), &u64_key(*version));
        }
        let end = last.position + 1;
        trees[EVENTS]
            .apply_batch(events)
            .map_err(SledStoreError::storage)?;
        let first = batch.first().map(|(_, e)| e.position);
        self.inject(|faults| faults.import.is_some() && faults.import == first)
            .map_err(SledStoreError::storage)?;
        trees[EVENT_IDS]
            .apply_batch(event_ids)
            .map_err(SledStoreError::storage)?;
        trees[STREAMS]
            .apply_batch(streams)
            .map_err(SledStoreError::storage)?;
        trees[HEADS]
            .apply_batch(head_rows)
            .map_err(SledStoreError::storage)?;
        trees[META]
            .insert(NEXT_POSITION, &u64_key(end))
            .map_err(SledStoreError::storage)?;
        self.next.store(end, Ordering::Release);
        self.db.flush().map_err(SledStoreError::storage)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "test")]

    use std::sync::Arc;

    use super::*;
    use crate::store::fixtures::{before_a_referral, reopen};

    /// sled failing in the middle of an import's batch ends the import with
    /// sled's error, and the store then refuses appends and imports (the
    /// batch is half written) until a reopen refuses the unfinished import.
    #[test]
    fn a_failed_import_batch_poisons_the_store_and_its_reopen_refuses_it() {
        let source = tempfile::tempdir().unwrap();
        let store = Arc::new(reopen(source.path()));
        before_a_referral(&store);
        let mut backup = Vec::new();
        store.export_jsonl(&mut backup).unwrap();
        drop(store);

        let dir = tempfile::tempdir().unwrap();
        let store = reopen(dir.path());
        store.faults.lock().unwrap().import = Some(0);
        let err = store.import_jsonl(backup.as_slice()).unwrap_err();
        assert!(err.to_string().contains("injected"), "{err}");
        // Half written: the events, not their indexes.
        assert!(!store.trees()[EVENTS].is_empty());
        assert!(store.trees()[EVENT_IDS].is_empty());
        store.faults.lock().unwrap().import = None;
        let refused = |e: String| e.contains("reopen the store");
        assert!(refused(
            store.append_batch(Vec::new()).unwrap_err().to_string()
        ));
        assert!(refused(store.caseload().unwrap_err().to_string()));
        let again = store.import_jsonl(backup.as_slice()).unwrap_err();
        assert!(refused(again.to_string()), "{again}");
        drop(store);
        // sled's flusher may hold the file lock a moment after the drop.
        let mut tries = 0;
        let err = loop {
            match SledStore::open(dir.path()) {
                Err(SledStoreError::InUse { .. }) if tries < 200 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => break other.unwrap_err(),
            }
        };
        assert!(
            matches!(err, SledStoreError::IncompleteImport { .. }),
            "{err:?}"
        );
    }
}

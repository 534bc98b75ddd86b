//! An append: every request checked and every row staged first, then the
//! rows written in an order whose last row, the next position, is the
//! commit point.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use ce_core::{
    check_expected, validate_request, AppendProblem, AppendRequest, Envelope, EventId, EventStore,
    StoreError, StreamId, StreamVersion,
};

use super::{poisoned, SledStore};
use crate::error::backend;
use crate::keys::*;
use crate::projections::{write_row, Folder, Write};

/// What an append has staged so far: its writes, in order, and what they
/// change, so that later requests of the same batch see earlier ones.
struct Staged {
    writes: Vec<Write>,
    /// Stream versions as of the staged writes.
    heads: HashMap<StreamId, u64>,
    /// Events staged by earlier requests of this batch: the request's and
    /// the event's index in what the batch returns.
    events: HashMap<EventId, (usize, usize)>,
    /// The next position after the staged events.
    next: u64,
}

/// A checked append, ready to be written (see `SledStore::plan`).
struct Plan {
    /// What the append returns: each request's envelopes.
    out: Vec<Vec<Envelope>>,
    /// The rows to write, in order, the commit point last; none for a batch
    /// of idempotent re-sends.
    writes: Vec<Write>,
    /// The next position once the rows are written.
    next: u64,
}

impl SledStore {
    /// Appends several requests with one commit point and one flush: all or
    /// none.
    ///
    /// Every check (idempotency, expected versions, serialization) runs
    /// before anything is written, under the writer lock. The rows are then
    /// written in this order: each event's row, then its index rows; the
    /// projections; and last `next_position`, the commit point (the
    /// checkpoint says `FOLLOWS_LOG` and is not written). sled recovers a
    /// prefix of its log after a crash, so a store whose `next_position`
    /// was not written holds at most some rows of the append past it,
    /// every one of them found from an event row at or past
    /// `next_position`: [`open`](Self::open) removes them and rebuilds the
    /// projections. Readers of the log stop at `next_position` and never
    /// see an append before its commit point.
    ///
    /// Appends that arrive together share their flush (see
    /// [`sync_through`](Self::sync_through)); each returns once its own
    /// rows are flushed.
    pub fn append_batch(
        &self,
        requests: Vec<AppendRequest>,
    ) -> Result<Vec<Vec<Envelope>>, StoreError> {
        let out = self.append_batch_unsynced(requests)?;
        self.sync_through(self.next.load(Ordering::Acquire))?;
        Ok(out)
    }

    /// [`append_batch`](Self::append_batch) without the flush: readers
    /// see the events at once; call [`sync_through`](Self::sync_through)
    /// with the position after the last one before acknowledging them.
    pub fn append_batch_unsynced(
        &self,
        requests: Vec<AppendRequest>,
    ) -> Result<Vec<Vec<Envelope>>, StoreError> {
        for request in &requests {
            validate_request(request)?;
        }
        let writer = self.lock();
        if self.poisoned.load(Ordering::Acquire) {
            return Err(poisoned());
        }
        let Plan { out, writes, next } = self.plan(requests)?;
        if let Err(e) = self.write_rows(writes) {
            // Remove what was written before the failure; if even that
            // fails, refuse further appends until a reopen does it.
            if self.repair_locked(&writer).is_err() {
                self.poisoned.store(true, Ordering::Release);
            }
            return Err(backend(e));
        }
        self.next.store(next, Ordering::Release);
        if self.commits.per_append() {
            // The comparison baseline: one flush per append, under the
            // writer lock.
            self.db.flush().map_err(backend)?;
            self.commits.flushed(next);
        }
        Ok(out)
    }

    /// Returns once every event before position `next` is durable. One
    /// caller at a time flushes, for every append written so far; the
    /// others wait for that flush and return if it covered them, so
    /// appends that arrive while a flush runs share the next one (group
    /// commit). sled recovers a prefix of its log, so a flush that makes
    /// an append durable makes every earlier one durable too.
    pub fn sync_through(&self, next: u64) -> Result<(), StoreError> {
        self.commits.sync_through(next, || {
            // Everything written before this read is in what the flush
            // writes: `next` is stored after an append's rows.
            let written = self.next.load(Ordering::Acquire);
            self.db.flush().map(|_| written).map_err(backend)
        })
    }

    /// Checks `requests` and stages every row their append writes, in the
    /// order of [`append_batch`](Self::append_batch), commit point last;
    /// no rows for a batch of idempotent re-sends. The caller holds the
    /// writer lock.
    fn plan(&self, requests: Vec<AppendRequest>) -> Result<Plan, StoreError> {
        let mut staged = Staged {
            writes: Vec::new(),
            heads: HashMap::new(),
            events: HashMap::new(),
            next: self.next_position()?,
        };
        let mut out = Vec::with_capacity(requests.len());
        // Requests whose events were all stored already (idempotent
        // re-sends) write nothing and are not projected again.
        let mut fresh = Vec::with_capacity(requests.len());
        for request in requests {
            let (envelopes, new) = self.stage(&mut staged, request, &out)?;
            fresh.push(new);
            out.push(envelopes);
        }
        let mut writes = staged.writes;
        if writes.is_empty() {
            return Ok(Plan {
                out,
                writes,
                next: staged.next,
            });
        }
        // One fold for the whole batch: each entity the batch touches is
        // loaded and written once, and the rows equal those of folding
        // request by request.
        let trees = self.trees();
        let mut folder = Folder::staged(&trees, &self.policy);
        for (envelopes, _) in out.iter().zip(&fresh).filter(|(_, new)| **new) {
            for envelope in envelopes {
                folder.fold(envelope)?;
            }
        }
        writes.extend(folder.into_writes()?);
        // The commit point. The checkpoint says FOLLOWS_LOG and stays so.
        let end = u64_key(staged.next).to_vec();
        writes.push((META, NEXT_POSITION.to_vec(), Some(end)));
        Ok(Plan {
            out,
            writes,
            next: staged.next,
        })
    }

    /// Writes staged rows in order.
    fn write_rows(&self, writes: impl IntoIterator<Item = Write>) -> Result<(), sled::Error> {
        let trees = self.trees();
        for (n, (tree, key, value)) in writes.into_iter().enumerate() {
            self.inject(|faults| faults.write == Some(n))?;
            write_row(&trees, tree, &key, value.as_deref())?;
        }
        Ok(())
    }

    /// Checks one request and stages its log rows (not its projections).
    /// Returns the envelopes, and whether they are new (false: an
    /// idempotent re-send, which stages nothing).
    fn stage(
        &self,
        staged: &mut Staged,
        request: AppendRequest,
        earlier: &[Vec<Envelope>],
    ) -> Result<(Vec<Envelope>, bool), StoreError> {
        let staged_envelope = |id: &EventId| {
            let &(r, e) = staged.events.get(id)?;
            earlier.get(r)?.get(e)
        };
        let mut stored = Vec::new();
        for event in &request.events {
            let position = match staged_envelope(&event.event_id) {
                Some(envelope) => Some(envelope.position),
                None => self.indexed_position(event.event_id)?,
            };
            match position {
                Some(p) => stored.push((event.event_id, p)),
                None if stored.is_empty() => {}
                None => return Err(StoreError::PartialDuplicate(request.events[0].event_id)),
            }
        }
        if stored.len() == request.events.len() {
            let out = stored
                .into_iter()
                .map(|(id, position)| match staged_envelope(&id) {
                    Some(envelope) => Ok(envelope.clone()),
                    None => self.event_at(position),
                })
                .collect::<Result<_, _>>()?;
            return Ok((out, false));
        }
        if let Some(event) = request
            .events
            .get(stored.len())
            .filter(|_| !stored.is_empty())
        {
            return Err(StoreError::PartialDuplicate(event.event_id));
        }
        for (stream, expected) in &request.expected {
            let actual = self.staged_head(&mut staged.heads, stream)?;
            check_expected(*stream, *expected, actual)?;
        }
        let mut out = Vec::with_capacity(request.events.len());
        for new in request.events {
            let position = staged.next;
            let mut versions = Vec::with_capacity(new.streams.len());
            for stream in &new.streams {
                let version = self.staged_head(&mut staged.heads, stream)? + 1;
                staged.heads.insert(*stream, version);
                versions.push(StreamVersion {
                    stream: *stream,
                    version,
                });
            }
            let event_id = new.event_id;
            let envelope = Envelope::stored(new, position, versions);
            let bytes = envelope
                .to_json()
                .map_err(|_| StoreError::InvalidAppend(AppendProblem::DoesNotSerialize))?;
            let at = u64_key(position).to_vec();
            // The event's row first: the repair after a crash finds the
            // index rows from it.
            staged.writes.push((EVENTS, at.clone(), Some(bytes)));
            for sv in &envelope.streams {
                let key = stream_key(&sv.stream, sv.version);
                staged.writes.push((STREAMS, key, Some(at.clone())));
                let version = u64_key(sv.version).to_vec();
                staged
                    .writes
                    .push((HEADS, head_key(&sv.stream), Some(version)));
            }
            let id = event_id.as_uuid().as_bytes().to_vec();
            staged.writes.push((EVENT_IDS, id, Some(at)));
            staged.events.insert(event_id, (earlier.len(), out.len()));
            out.push(envelope);
            staged.next += 1;
        }
        Ok((out, true))
    }

    /// A stream's version as of the staged writes: from `heads` if staged,
    /// else from the `heads` tree.
    fn staged_head(
        &self,
        heads: &mut HashMap<StreamId, u64>,
        stream: &StreamId,
    ) -> Result<u64, StoreError> {
        if let Some(v) = heads.get(stream) {
            return Ok(*v);
        }
        // A missing head is a new stream; a malformed one is corruption, never 0.
        let v = match self.trees()[HEADS].get(head_key(stream)).map_err(backend)? {
            None => 0,
            Some(bytes) => read_u64(&bytes).ok_or(StoreError::Corrupt {
                position: 0,
                detail: "stream head is not a version".to_owned(),
            })?,
        };
        heads.insert(*stream, v);
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "test")]

    use std::sync::Arc;

    use super::*;
    use crate::store::fixtures::{
        a_referral, all_rows, before_a_referral, copy_dir, reopen, Referral,
    };
    use crate::store::Faults;

    /// A crash leaves a prefix of an append's rows (sled recovers a prefix
    /// of its log). Cut off after each of its rows in turn, the append is
    /// invisible to readers of the open store, and the next open removes
    /// it: every tree holds, byte for byte, what it held before. So does
    /// the repair in place that follows a failed write. Cut off after its
    /// last row (the commit point), it is whole.
    #[test]
    fn an_append_cut_off_after_any_of_its_rows_is_removed_on_open() {
        let base = tempfile::tempdir().unwrap();
        let refer = before_a_referral(&Arc::new(reopen(base.path())));
        let Referral {
            request,
            streams,
            after,
        } = a_referral(base.path(), &refer);

        let mut cut = 0;
        loop {
            let dir = tempfile::tempdir().unwrap();
            copy_dir(base.path(), dir.path());
            let store = reopen(dir.path());
            let rows = all_rows(&store);
            let log = store.read_from(0, usize::MAX).unwrap();
            let versions: Vec<u64> = streams
                .iter()
                .map(|s| store.stream_version(s).unwrap())
                .collect();
            let writes = store.plan(vec![request.clone()]).unwrap().writes;
            let whole = cut == writes.len();
            store.write_rows(writes.into_iter().take(cut)).unwrap();
            if !whole {
                // Readers of the log stop at the commit point.
                assert_eq!(store.read_from(0, usize::MAX).unwrap(), log, "cut {cut}");
                for (stream, version) in streams.iter().zip(&versions) {
                    assert_eq!(store.stream_version(stream).unwrap(), *version);
                    assert_eq!(store.read_stream(stream).unwrap().len() as u64, *version);
                }
                assert_eq!(store.position_of(request.events[0].event_id).unwrap(), None);
            }
            drop(store);
            let store = reopen(dir.path());
            let expected = if whole { &after } else { &rows };
            assert!(all_rows(&store) == *expected, "cut after {cut} rows");
            if whole {
                break;
            }
            // The same append then goes through as if nothing had happened.
            store.append(request.clone()).unwrap();
            assert!(all_rows(&store) == after, "append after a cut of {cut}");

            // The same cut, repaired in place (what an append does when
            // sled fails midway through its writes).
            let dir = tempfile::tempdir().unwrap();
            copy_dir(base.path(), dir.path());
            let store = reopen(dir.path());
            let writes = store.plan(vec![request.clone()]).unwrap().writes;
            store.write_rows(writes.into_iter().take(cut)).unwrap();
            assert_eq!(store.repair_locked(&store.lock()).unwrap(), cut > 0);
            assert!(
                all_rows(&store) == rows,
                "in-place repair of a cut of {cut}"
            );
            store.append(request.clone()).unwrap();
            assert!(all_rows(&store) == after, "append after repairing {cut}");
            cut += 1;
        }
        assert!(cut >= 10, "the append wrote only {cut} rows");
    }

    /// A sled error midway through an append's writes fails the append,
    /// and the repair in place that follows removes what it wrote: every
    /// tree holds what it held before, and the same append then goes
    /// through. If the repair fails too, the store refuses appends and
    /// snapshots until it is reopened, and the reopen removes the rows.
    #[test]
    fn a_failed_write_is_repaired_in_place_or_poisons_the_store() {
        let base = tempfile::tempdir().unwrap();
        let refer = before_a_referral(&Arc::new(reopen(base.path())));
        let Referral { request, after, .. } = a_referral(base.path(), &refer);
        let fault = |store: &SledStore, write, repair| {
            *store.faults.lock().unwrap() = Faults {
                write,
                repair,
                ..Faults::default()
            };
        };
        let injected = |e: StoreError| matches!(e, StoreError::Backend(m) if m.to_string().contains("injected"));

        // Repaired in place: the row at index 3 fails, after three were written.
        let dir = tempfile::tempdir().unwrap();
        copy_dir(base.path(), dir.path());
        let store = reopen(dir.path());
        let before = all_rows(&store);
        fault(&store, Some(3), false);
        assert!(injected(store.append(request.clone()).unwrap_err()));
        assert!(all_rows(&store) == before, "the repair left rows");
        fault(&store, None, false);
        store.append(request.clone()).unwrap();
        assert!(all_rows(&store) == after);

        // The repair fails too: poisoned until reopened.
        let dir = tempfile::tempdir().unwrap();
        copy_dir(base.path(), dir.path());
        let store = reopen(dir.path());
        fault(&store, Some(3), true);
        assert!(injected(store.append(request.clone()).unwrap_err()));
        fault(&store, None, false);
        let refused =
            |e: StoreError| matches!(e, StoreError::Backend(m) if m.to_string().contains("reopen"));
        assert!(refused(store.append(request.clone()).unwrap_err()));
        assert!(refused(store.caseload().unwrap_err()));
        // Readers of the log stop at the commit point meanwhile.
        assert_eq!(store.position_of(request.events[0].event_id).unwrap(), None);
        drop(store);
        let store = reopen(dir.path());
        assert!(all_rows(&store) == before, "the reopen left rows");
        store.append(request).unwrap();
        assert!(all_rows(&store) == after);
    }
}

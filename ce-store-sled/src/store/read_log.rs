//! Reading the log: events decoded where they should be, and only those
//! before the commit point, which an append writes last.

use ce_core::{Envelope, EventId, EventStore, StoreError, StreamId};

use super::SledStore;
use crate::error::backend;
use crate::keys::*;

impl SledStore {
    fn decode(&self, position: u64, bytes: &[u8]) -> Result<Envelope, StoreError> {
        let envelope = self
            .upcasters
            .decode(bytes)
            .map_err(|source| StoreError::Decode { position, source })?;
        if envelope.position != position {
            return Err(StoreError::Corrupt {
                position,
                detail: "stored envelope names another position".to_owned(),
            });
        }
        Ok(envelope)
    }

    /// Decodes a row of the `events` tree read where the event at
    /// `expected` should be; with `contiguous`, a row of another position
    /// is a gap in the log. Errors name the position.
    pub(super) fn decode_row(
        &self,
        row: sled::Result<(sled::IVec, sled::IVec)>,
        expected: u64,
        contiguous: bool,
    ) -> Result<Envelope, StoreError> {
        let (key, bytes) = row.map_err(backend)?;
        let position = read_u64(&key).ok_or(StoreError::Corrupt {
            position: expected,
            detail: "event key is not a position".to_owned(),
        })?;
        if contiguous && position != expected {
            return Err(StoreError::Corrupt {
                position: expected,
                detail: "gap in the event log".to_owned(),
            });
        }
        self.decode(position, &bytes)
    }

    pub(super) fn event_at(&self, position: u64) -> Result<Envelope, StoreError> {
        let bytes = self.trees()[EVENTS]
            .get(u64_key(position))
            .map_err(backend)?
            .ok_or(StoreError::Corrupt {
                position,
                detail: "index names a missing event".to_owned(),
            })?;
        self.decode(position, &bytes)
    }

    /// The position the `event_ids` index holds for an event, committed or
    /// not.
    pub(super) fn indexed_position(&self, event_id: EventId) -> Result<Option<u64>, StoreError> {
        self.trees()[EVENT_IDS]
            .get(event_id.as_uuid().as_bytes())
            .map_err(backend)?
            .map(|p| {
                read_u64(&p).ok_or(StoreError::Corrupt {
                    position: 0,
                    detail: "event id index row is not a position".to_owned(),
                })
            })
            .transpose()
    }

    /// The committed events of `stream`, in version order (see
    /// [`EventStore::read_stream`]).
    pub(super) fn committed_stream(&self, stream: &StreamId) -> Result<Vec<Envelope>, StoreError> {
        let end = self.next_position()?;
        let mut out = Vec::new();
        for row in self.trees()[STREAMS].scan_prefix(stream_prefix(stream)) {
            let (_, position) = row.map_err(backend)?;
            let position = read_u64(&position).ok_or(StoreError::Corrupt {
                position: 0,
                detail: "stream index row is not a position".to_owned(),
            })?;
            // Versions come in position order: the rest are not committed.
            if position >= end {
                break;
            }
            out.push(self.event_at(position)?);
        }
        Ok(out)
    }

    /// Up to `limit` committed events from position `from` on, in order;
    /// a gap in the log is an error naming its position (see
    /// [`EventStore::read_from`]).
    pub(super) fn committed_from(
        &self,
        from: u64,
        limit: usize,
    ) -> Result<Vec<Envelope>, StoreError> {
        let end = self.next_position()?;
        let mut out = Vec::new();
        if from >= end {
            return Ok(out);
        }
        for row in self.trees()[EVENTS]
            .range(u64_key(from)..u64_key(end))
            .take(limit)
        {
            out.push(self.decode_row(row, from + out.len() as u64, true)?);
        }
        Ok(out)
    }

    /// The version of `stream`'s last committed event; 0 for a stream
    /// with none (see [`EventStore::stream_version`]).
    pub(super) fn committed_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        // The last committed version from the index (`heads` runs ahead
        // while an append is being written).
        let end = self.next_position()?;
        for row in self.trees()[STREAMS]
            .scan_prefix(stream_prefix(stream))
            .rev()
        {
            let (key, position) = row.map_err(backend)?;
            let corrupt = StoreError::Corrupt {
                position: 0,
                detail: "stream index row is not a version and a position".to_owned(),
            };
            let position = read_u64(&position).ok_or(corrupt)?;
            if position < end {
                return version_of_stream_key(&key).ok_or(StoreError::Corrupt {
                    position,
                    detail: "stream index key does not end in a version".to_owned(),
                });
            }
        }
        Ok(0)
    }

    /// The position of an event, if it is committed (see
    /// [`EventStore::position_of`]).
    pub(super) fn committed_position(&self, event_id: EventId) -> Result<Option<u64>, StoreError> {
        let end = self.next_position()?;
        Ok(self.indexed_position(event_id)?.filter(|p| *p < end))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "test")]

    use std::sync::Arc;

    use super::*;
    use crate::store::fixtures::{before_a_referral, reopen};

    /// A missing event row is a gap the log's readers and the rebuild
    /// report at its position; so is a row whose key is not a position.
    #[test]
    fn a_gap_or_a_stray_key_in_the_log_is_an_error_naming_the_position() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(reopen(dir.path()));
        before_a_referral(&store);
        let events = &store.trees()[EVENTS];
        let corrupt = |e: StoreError| match e {
            StoreError::Corrupt { position, detail } => (position, detail),
            other => panic!("not corruption: {other}"),
        };
        let third = events.remove(u64_key(3)).unwrap().unwrap();
        let gap = (3, "gap in the event log".to_owned());
        assert_eq!(corrupt(store.read_from(0, usize::MAX).unwrap_err()), gap);
        assert_eq!(corrupt(store.read_from(2, 5).unwrap_err()), gap);
        assert_eq!(store.read_from(0, 3).unwrap().len(), 3);
        assert_eq!(corrupt(store.rebuild().unwrap_err()), gap);
        events.insert(u64_key(3), third).unwrap();
        store.rebuild().unwrap();

        // Between positions 1 and 2 in sled's key order.
        events
            .insert([&u64_key(1)[..], &[0]].concat(), b"{}".to_vec())
            .unwrap();
        let stray = (2, "event key is not a position".to_owned());
        assert_eq!(corrupt(store.read_from(0, usize::MAX).unwrap_err()), stray);
        assert_eq!(corrupt(store.rebuild().unwrap_err()), stray);
    }
}

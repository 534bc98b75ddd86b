//! An in-memory event store: the reference implementation of [`EventStore`].

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use crate::caseload::Snapshots;
use crate::envelope::{Envelope, StreamId, StreamVersion};
use crate::store::{
    check_expected, validate_request, AppendRequest, EventStore, StoreError, View, ViewLog,
};
use crate::vocab::EventId;

#[derive(Debug, Default)]
struct Log {
    events: Vec<Envelope>,
    streams: HashMap<StreamId, Vec<u64>>,
    ids: HashMap<EventId, u64>,
}

/// Keeps every event in memory behind a mutex; nothing survives the process.
#[derive(Debug, Default)]
pub struct MemoryStore {
    log: Mutex<Log>,
    views: Mutex<Vec<View>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Log> {
        // A panic while holding the lock cannot leave the log half-written:
        // appends validate everything before the first push.
        self.log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl EventStore for MemoryStore {
    fn append(&self, request: AppendRequest) -> Result<Vec<Envelope>, StoreError> {
        validate_request(&request)?;
        let mut log = self.lock();
        let stored: Vec<Option<u64>> = request
            .events
            .iter()
            .map(|e| log.ids.get(&e.event_id).copied())
            .collect();
        if stored.iter().all(Option::is_some) {
            return Ok(stored
                .into_iter()
                .flatten()
                .filter_map(|p| usize::try_from(p).ok())
                .filter_map(|p| log.events.get(p).cloned())
                .collect());
        }
        if let Some(dup) = request
            .events
            .iter()
            .zip(&stored)
            .find_map(|(e, s)| s.map(|_| e.event_id))
        {
            return Err(StoreError::PartialDuplicate(dup));
        }
        for (stream, expected) in &request.expected {
            let actual = log.streams.get(stream).map_or(0, |v| v.len() as u64);
            check_expected(*stream, *expected, actual)?;
        }
        let mut out = Vec::with_capacity(request.events.len());
        for new in request.events {
            let position = log.events.len() as u64;
            let mut versions = Vec::with_capacity(new.streams.len());
            for stream in &new.streams {
                let positions = log.streams.entry(*stream).or_default();
                positions.push(position);
                versions.push(StreamVersion {
                    stream: *stream,
                    version: positions.len() as u64,
                });
            }
            log.ids.insert(new.event_id, position);
            let envelope = Envelope::stored(new, position, versions);
            log.events.push(envelope.clone());
            out.push(envelope);
        }
        Ok(out)
    }

    fn read_stream(&self, stream: &StreamId) -> Result<Vec<Envelope>, StoreError> {
        let log = self.lock();
        let positions = log.streams.get(stream).map(Vec::as_slice).unwrap_or(&[]);
        Ok(positions
            .iter()
            .filter_map(|p| usize::try_from(*p).ok())
            .filter_map(|p| log.events.get(p).cloned())
            .collect())
    }

    fn read_from(&self, from: u64, limit: usize) -> Result<Vec<Envelope>, StoreError> {
        let log = self.lock();
        let start = usize::try_from(from).unwrap_or(usize::MAX);
        Ok(log.events.iter().skip(start).take(limit).cloned().collect())
    }

    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        Ok(self
            .lock()
            .streams
            .get(stream)
            .map_or(0, |v| v.len() as u64))
    }

    fn next_position(&self) -> Result<u64, StoreError> {
        Ok(self.lock().events.len() as u64)
    }

    fn position_of(&self, event_id: EventId) -> Result<Option<u64>, StoreError> {
        Ok(self.lock().ids.get(&event_id).copied())
    }
}

/// Keeps no projections: a workflow on it folds the log.
impl Snapshots for MemoryStore {}

impl ViewLog for MemoryStore {
    fn record_views(&self, views: &[View]) -> Result<(), StoreError> {
        self.views
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .extend_from_slice(views);
        Ok(())
    }

    fn views_of(&self, household: crate::vocab::HouseholdId) -> Result<Vec<View>, StoreError> {
        Ok(self
            .views
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .filter(|v| v.household == household)
            .cloned()
            .collect())
    }

    fn all_views(&self) -> Result<Vec<View>, StoreError> {
        Ok(self
            .views
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone())
    }
}

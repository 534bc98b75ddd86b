//! [`Sealed`]: any store, with every personal field sealed under its
//! subject's key before it is written and opened when it is read back. The
//! store beneath (its log, its projections, its backups) holds only
//! tokens; what the workflow, the CLI and the server see is in clear, or
//! [`ERASED`](crate::privacy::ERASED) for a subject whose key is gone.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use crate::caseload::{Caseload, Snapshots};
use crate::envelope::{Envelope, NewEvent, StreamId};
use crate::event::{ClientErased, Event};
use crate::household::Household;
use crate::policy::Policy;
use crate::privacy::{has_personal, Keyring, SealError, Subject};
use crate::store::{AppendRequest, EventStore, StoreError, View, ViewLog};
use crate::vocab::{EventId, HouseholdId};

/// Subjects erased by the log, read up to a position.
#[derive(Debug, Default)]
struct Erasures {
    scanned: u64,
    subjects: HashSet<Subject>,
}

/// Any store, with every personal field (by the
/// [catalog](crate::privacy::CATALOG)) sealed under its subject's key
/// before it is written, and opened when it is read back: the store
/// beneath (its log, projections and backups) holds only tokens, and what
/// the workflow sees is in clear, or [`ERASED`](crate::privacy::ERASED)
/// once the subject's key is deleted.
#[derive(Debug, Clone)]
pub struct Sealed<S> {
    inner: S,
    keys: Arc<Keyring>,
    erasures: Arc<Mutex<Erasures>>,
}

impl<S> Sealed<S> {
    /// `inner`, sealing with `keys`.
    pub fn new(inner: S, keys: Arc<Keyring>) -> Self {
        Self {
            inner,
            keys,
            erasures: Arc::default(),
        }
    }

    /// The store beneath, which holds the sealed form.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The keys it seals with.
    pub fn keyring(&self) -> &Arc<Keyring> {
        &self.keys
    }

    /// `new` with its personal fields sealed. A field that already holds a
    /// token is refused: sealed data is never taken as input.
    pub fn seal(&self, mut new: NewEvent) -> Result<NewEvent, StoreError> {
        let event = new.event.kind();
        if !has_personal(event) {
            return Ok(new);
        }
        let household = new.streams.iter().find_map(|s| match s {
            StreamId::Household(h) => Some(*h),
            _ => None,
        });
        let mut value = serde_json::to_value(&new.event).map_err(shape)?;
        if let Some(data) = value.get_mut("data") {
            self.keys
                .seal_data(event, new.event_id, household, data)
                .map_err(|e| sealing(None, e))?;
        }
        new.event = serde_json::from_value(value).map_err(shape)?;
        Ok(new)
    }
}

impl<S: EventStore> Sealed<S> {
    /// Whether the log erased `subject` (read on to its end when not yet
    /// known): a key that is gone for any other subject was lost, which
    /// reads as an error, never as an erasure.
    fn was_erased(&self, subject: &Subject) -> bool {
        let mut erasures = self.erasures.lock().unwrap_or_else(PoisonError::into_inner);
        if erasures.subjects.contains(subject) {
            return true;
        }
        while let Ok(batch) = self.inner.read_from(erasures.scanned, 1_000) {
            let Some(last) = batch.last() else { break };
            erasures.scanned = last.position.saturating_add(1);
            for envelope in &batch {
                if let Event::ClientErased(e) = &envelope.event {
                    erasures.subjects.extend(subjects_of(e));
                }
            }
        }
        erasures.subjects.contains(subject)
    }

    /// `envelope` with its tokens opened. A token that does not
    /// authenticate, or sits in another event or field than it was sealed
    /// for, names the event.
    pub fn open(&self, mut envelope: Envelope) -> Result<Envelope, StoreError> {
        if let Event::ClientErased(erased) = &envelope.event {
            // Another process may have erased them: their keys, if this
            // keyring still holds them, are dropped.
            let mut erasures = self.erasures.lock().unwrap_or_else(PoisonError::into_inner);
            for subject in subjects_of(erased) {
                self.keys.forget(&subject);
                erasures.subjects.insert(subject);
            }
        }
        if !has_personal(envelope.event.kind()) {
            return Ok(envelope);
        }
        envelope.event = self.open_event(envelope.event_id, envelope.position, &envelope.event)?;
        Ok(envelope)
    }

    fn open_event(
        &self,
        event_id: EventId,
        position: u64,
        event: &Event,
    ) -> Result<Event, StoreError> {
        let mut value = serde_json::to_value(event).map_err(shape)?;
        if let Some(data) = value.get_mut("data") {
            self.keys
                .open_with(Some(event_id), data, &|s| self.was_erased(s))
                .map_err(|e| sealing(Some(position), e))?;
        }
        serde_json::from_value(value).map_err(shape)
    }

    fn open_all(&self, envelopes: Vec<Envelope>) -> Result<Vec<Envelope>, StoreError> {
        envelopes.into_iter().map(|e| self.open(e)).collect()
    }

    /// Opens every token in `value` (no event to check them against).
    pub fn open_value(&self, value: &mut serde_json::Value) -> Result<(), StoreError> {
        self.keys
            .open_with(None, value, &|s| self.was_erased(s))
            .map_err(StoreError::Sealing)
    }

    /// `household` (a projection's, which holds tokens) opened.
    pub fn open_household(&self, household: Household) -> Result<Household, StoreError> {
        let id = household.id;
        let mut value = serde_json::to_value(&household).map_err(shape)?;
        self.keys
            .open_with(None, &mut value, &|s| self.was_erased(s))
            .map_err(|e| household_error(id, e))?;
        serde_json::from_value(value).map_err(shape)
    }

    /// Deletes the keys an erasure names: the client's and those of their
    /// households. Deleting a key that is gone already is no error, so
    /// this finishes an erasure cut off before its keys went.
    pub fn shred(&self, erased: &ClientErased) -> Result<(), StoreError> {
        for subject in subjects_of(erased) {
            self.keys
                .erase(&subject)
                .map_err(|e| StoreError::Sealing(SealError::Key(e)))?;
            self.erasures
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .subjects
                .insert(subject);
        }
        Ok(())
    }

    /// Deletes the keys of every subject the log erased that still has
    /// one: what is left by erasures cut off between their event and their
    /// keys (a kill, a full disk). Returns how many keys it deleted.
    pub fn shred_erased(&self) -> Result<usize, StoreError> {
        let erased: Vec<Subject> = {
            // Reads the whole log's erasures (ids only, nothing to open).
            let _ = self.was_erased(&Subject::Log);
            let erasures = self.erasures.lock().unwrap_or_else(PoisonError::into_inner);
            erasures.subjects.iter().copied().collect()
        };
        let mut deleted = 0;
        for subject in erased {
            if self
                .keys
                .erase(&subject)
                .map_err(|e| StoreError::Sealing(SealError::Key(e)))?
            {
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    /// A caseload from projections, its households opened.
    pub fn open_caseload(&self, mut caseload: Caseload) -> Result<Caseload, StoreError> {
        let households = caseload
            .households()
            .iter()
            .map(|(id, h)| Ok((*id, self.open_household(h.clone())?)))
            .collect::<Result<BTreeMap<_, _>, StoreError>>()?;
        caseload.set_households(households);
        Ok(caseload)
    }
}

fn shape(e: serde_json::Error) -> StoreError {
    StoreError::Sealing(SealError::Shape(e.to_string()))
}

fn sealing(position: Option<u64>, e: SealError) -> StoreError {
    match (position, e) {
        (Some(position), e @ SealError::Tampered { .. }) => StoreError::Corrupt {
            position,
            detail: e.to_string(),
        },
        (_, e) => StoreError::Sealing(e),
    }
}

fn household_error(id: HouseholdId, e: SealError) -> StoreError {
    match e {
        e @ SealError::Tampered { .. } => StoreError::Sealing(SealError::Shape(format!(
            "the projection of household {id}: {e}"
        ))),
        e => StoreError::Sealing(e),
    }
}

/// The subjects an erasure deletes the keys of.
fn subjects_of(erased: &ClientErased) -> impl Iterator<Item = Subject> + '_ {
    std::iter::once(Subject::Client(erased.client))
        .chain(erased.households.iter().map(|h| Subject::Household(*h)))
}

/// The erasures a request records.
fn erasures(request: &AppendRequest) -> Vec<ClientErased> {
    request
        .events
        .iter()
        .filter_map(|e| match &e.event {
            Event::ClientErased(erased) => Some(erased.clone()),
            _ => None,
        })
        .collect()
}

impl<S: EventStore> EventStore for Sealed<S> {
    /// Appends, sealed. An erasure's keys are deleted once its event is
    /// durable: a crash between the two leaves the event, and erasing the
    /// client again (see [`Sealed::shred`]) finishes the job.
    fn append(&self, request: AppendRequest) -> Result<Vec<Envelope>, StoreError> {
        let erased = erasures(&request);
        let request = self.seal_request(request)?;
        let stored = self.inner.append(request)?;
        for erasure in &erased {
            self.shred(erasure)?;
        }
        self.open_all(stored)
    }

    fn append_unsynced(&self, request: AppendRequest) -> Result<Vec<Envelope>, StoreError> {
        if !erasures(&request).is_empty() {
            return self.append(request);
        }
        let request = self.seal_request(request)?;
        self.open_all(self.inner.append_unsynced(request)?)
    }

    fn sync(&self, next: u64) -> Result<(), StoreError> {
        self.inner.sync(next)
    }

    fn read_stream(&self, stream: &StreamId) -> Result<Vec<Envelope>, StoreError> {
        self.open_all(self.inner.read_stream(stream)?)
    }

    fn read_from(&self, from: u64, limit: usize) -> Result<Vec<Envelope>, StoreError> {
        self.open_all(self.inner.read_from(from, limit)?)
    }

    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        self.inner.stream_version(stream)
    }

    fn next_position(&self) -> Result<u64, StoreError> {
        self.inner.next_position()
    }

    fn position_of(&self, event_id: EventId) -> Result<Option<u64>, StoreError> {
        self.inner.position_of(event_id)
    }

    fn policy_in_force(&self) -> Result<Option<Policy>, StoreError> {
        self.inner.policy_in_force()
    }

    fn policy_before_adoptions(&self) -> Result<Option<Policy>, StoreError> {
        self.inner.policy_before_adoptions()
    }
}

impl<S> Sealed<S> {
    /// `request` with every event's personal fields sealed: for a caller
    /// that appends to the store beneath itself (a bulk import).
    pub fn seal_request(&self, mut request: AppendRequest) -> Result<AppendRequest, StoreError> {
        request.events = request
            .events
            .into_iter()
            .map(|e| self.seal(e))
            .collect::<Result<_, _>>()?;
        Ok(request)
    }
}

impl<S: Snapshots> Snapshots for Sealed<S> {
    fn snapshot(&self) -> Result<Option<Caseload>, StoreError> {
        self.inner
            .snapshot()?
            .map(|caseload| self.open_caseload(caseload))
            .transpose()
    }
}

impl<S: ViewLog> ViewLog for Sealed<S> {
    fn record_views(&self, views: &[View]) -> Result<(), StoreError> {
        self.inner.record_views(views)
    }

    fn views_of(&self, household: HouseholdId) -> Result<Vec<View>, StoreError> {
        self.inner.views_of(household)
    }

    fn all_views(&self) -> Result<Vec<View>, StoreError> {
        self.inner.all_views()
    }
}

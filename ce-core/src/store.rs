//! The storage contract every event store implements.

use std::sync::Arc;

use crate::envelope::{DecodeError, Envelope, NewEvent, StreamId};
use crate::event::Event;
use crate::policy::Policy;
use crate::vocab::{words, EventId};

/// What a writer expects a stream's version to be before its append.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum ExpectedVersion {
    /// No check.
    Any,
    /// Exactly this many events (0: the stream must not exist yet).
    Exact(u64),
}

impl std::fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any"),
            ExpectedVersion::Exact(v) => write!(f, "{v}"),
        }
    }
}

/// One atomic append: all events are stored, or none.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppendRequest {
    /// The expected version of each stream the events touch; a stream not
    /// listed is not checked.
    pub expected: Vec<(StreamId, ExpectedVersion)>,
    /// The events, in order.
    pub events: Vec<NewEvent>,
}

/// Storage failures, shared by every store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A stream was not at the expected version: someone else wrote first.
    /// Nothing was written.
    #[error("conflict on {stream}: expected version {expected}, found {actual}")]
    Conflict {
        /// The stream.
        stream: StreamId,
        /// What the writer expected.
        expected: ExpectedVersion,
        /// What the store holds.
        actual: u64,
    },
    /// Some, but not all, of the request's event ids are already stored.
    #[error("event {0} is already stored, but the rest of its append is not")]
    PartialDuplicate(EventId),
    /// The request itself is malformed (e.g. an event with no stream).
    #[error("invalid append: {0}")]
    InvalidAppend(AppendProblem),
    /// A stored event could not be decoded.
    #[error("event at position {position} cannot be read: {source}")]
    Decode {
        /// Its global position.
        position: u64,
        /// What was wrong.
        #[source]
        source: DecodeError,
    },
    /// The store's data is inconsistent (e.g. an index row with no event).
    #[error("store is corrupt at position {position}: {detail}")]
    Corrupt {
        /// Where.
        position: u64,
        /// What was found.
        detail: String,
    },
    /// Personal data could not be sealed or opened: a key is missing from
    /// its store or the master key is not the store's.
    #[error("personal data: {0}")]
    Sealing(#[source] crate::privacy::SealError),
    /// The storage engine failed.
    #[error("storage engine error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// An append-only, multi-stream event log with optimistic concurrency.
///
/// Implementations are `Send + Sync`: one store is shared across threads and
/// concurrent appends are serialized.
pub trait EventStore: Send + Sync {
    /// Appends `request.events` atomically, checking each expected version.
    /// Returns the stored envelopes. Re-sending event ids that are all
    /// already stored returns the stored envelopes and writes nothing.
    fn append(&self, request: AppendRequest) -> Result<Vec<Envelope>, StoreError>;

    /// Appends like [`append`](Self::append), but may return before the
    /// events are durable: readers see them at once, and the caller must
    /// [`sync`](Self::sync) past them before it tells anyone they are
    /// stored. A store that makes appends durable one flush at a time lets
    /// appends that arrive together share one flush this way (group
    /// commit): a writer that holds a lock while it appends releases it
    /// before it syncs. The default is `append` itself, durable at once.
    fn append_unsynced(&self, request: AppendRequest) -> Result<Vec<Envelope>, StoreError> {
        self.append(request)
    }

    /// Returns once every event before position `next` is durable; an
    /// error means their durability is unknown (the store's disk failed).
    /// The default, for stores whose appends are durable when they
    /// return, does nothing.
    fn sync(&self, next: u64) -> Result<(), StoreError> {
        let _ = next;
        Ok(())
    }

    /// Every event of one stream, in version order.
    fn read_stream(&self, stream: &StreamId) -> Result<Vec<Envelope>, StoreError>;

    /// Up to `limit` events from global position `from` (inclusive), in order.
    fn read_from(&self, from: u64, limit: usize) -> Result<Vec<Envelope>, StoreError>;

    /// The number of events in a stream (its current version).
    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError>;

    /// The position the next event will get (= the number of stored events).
    fn next_position(&self) -> Result<u64, StoreError>;

    /// The position of a stored event id, if it is stored.
    fn position_of(&self, event_id: EventId) -> Result<Option<u64>, StoreError>;

    /// The policy the store's log puts in force: the one its last
    /// `PolicyAdopted` event adopted, or the one a store that keeps its
    /// policy started under; `None` when the store has neither (a new
    /// in-memory store), and a workflow opened on it brings its own.
    fn policy_in_force(&self) -> Result<Option<Policy>, StoreError> {
        let adoptions = self.read_stream(&StreamId::Policy)?;
        Ok(adoptions.into_iter().rev().find_map(|e| match e.event {
            Event::PolicyAdopted(adopted) => Some(*adopted.policy),
            _ => None,
        }))
    }

    /// The policy in force before the log's first `PolicyAdopted` event
    /// (the one it replaced), under which every earlier event was
    /// recorded; `None` when the log adopted none (then every event was
    /// recorded under the store's starting policy).
    fn policy_before_adoptions(&self) -> Result<Option<Policy>, StoreError> {
        let adoptions = self.read_stream(&StreamId::Policy)?;
        Ok(adoptions.into_iter().find_map(|e| match e.event {
            Event::PolicyAdopted(adopted) => Some(*adopted.replaces),
            _ => None,
        }))
    }
}

words! {
    /// What is wrong with an append request itself.
    AppendProblem {
        /// It holds no events.
        NoEvents => "no events",
        /// An event belongs to no stream.
        NoStream => "an event belongs to no stream",
        /// An event cannot be serialized to be stored.
        DoesNotSerialize => "event does not serialize",
    }
}

impl<S: EventStore + ?Sized> EventStore for Arc<S> {
    fn append(&self, request: AppendRequest) -> Result<Vec<Envelope>, StoreError> {
        (**self).append(request)
    }
    fn append_unsynced(&self, request: AppendRequest) -> Result<Vec<Envelope>, StoreError> {
        (**self).append_unsynced(request)
    }
    fn sync(&self, next: u64) -> Result<(), StoreError> {
        (**self).sync(next)
    }
    fn read_stream(&self, stream: &StreamId) -> Result<Vec<Envelope>, StoreError> {
        (**self).read_stream(stream)
    }
    fn read_from(&self, from: u64, limit: usize) -> Result<Vec<Envelope>, StoreError> {
        (**self).read_from(from, limit)
    }
    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        (**self).stream_version(stream)
    }
    fn next_position(&self) -> Result<u64, StoreError> {
        (**self).next_position()
    }
    fn position_of(&self, event_id: EventId) -> Result<Option<u64>, StoreError> {
        (**self).position_of(event_id)
    }
    fn policy_in_force(&self) -> Result<Option<Policy>, StoreError> {
        (**self).policy_in_force()
    }
    fn policy_before_adoptions(&self) -> Result<Option<Policy>, StoreError> {
        (**self).policy_before_adoptions()
    }
}

/// Checks a request's shape; shared by the stores so they reject alike.
pub fn validate_request(request: &AppendRequest) -> Result<(), StoreError> {
    if request.events.is_empty() {
        return Err(StoreError::InvalidAppend(AppendProblem::NoEvents));
    }
    if request.events.iter().any(|e| e.streams.is_empty()) {
        return Err(StoreError::InvalidAppend(AppendProblem::NoStream));
    }
    Ok(())
}

/// Checks one stream's expected version against its actual version.
pub fn check_expected(
    stream: StreamId,
    expected: ExpectedVersion,
    actual: u64,
) -> Result<(), StoreError> {
    match expected {
        ExpectedVersion::Exact(v) if v != actual => Err(StoreError::Conflict {
            stream,
            expected,
            actual,
        }),
        _ => Ok(()),
    }
}

/// One household's data shown to someone: the record of who saw whom that
/// HMIS privacy standards ask for. Ids only: no name, no note.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct View {
    /// When it was shown.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Who saw it: user, agency, role.
    pub actor: crate::vocab::Actor,
    /// The household shown.
    pub household: crate::vocab::HouseholdId,
    /// Why, or what showed it (`household page`, `ce show`, ...).
    pub purpose: String,
}

/// Where a store keeps its [`View`]s, beside its event log (not in it: a
/// backup of the log does not carry them, and reading leaves the log as
/// it is).
pub trait ViewLog: Send + Sync {
    /// Records views; returns once they are durable, so that a caller
    /// shows the data only after the record is kept.
    fn record_views(&self, views: &[View]) -> Result<(), StoreError>;

    /// Every recorded view of `household`, oldest first.
    fn views_of(&self, household: crate::vocab::HouseholdId) -> Result<Vec<View>, StoreError>;

    /// Every recorded view, of every household: what an export of the
    /// view log holds (a backup of the event log does not carry them).
    fn all_views(&self) -> Result<Vec<View>, StoreError>;
}

impl<S: ViewLog + ?Sized> ViewLog for Arc<S> {
    fn record_views(&self, views: &[View]) -> Result<(), StoreError> {
        (**self).record_views(views)
    }
    fn views_of(&self, household: crate::vocab::HouseholdId) -> Result<Vec<View>, StoreError> {
        (**self).views_of(household)
    }
    fn all_views(&self) -> Result<Vec<View>, StoreError> {
        (**self).all_views()
    }
}

//! The envelope every stored event travels in: its position, streams and
//! versions, dates and actor. Stream ids and decoding with upcasters have
//! files of their own.

mod decode;
mod stream;

pub use decode::{DecodeError, Upcast, Upcasters};
pub use stream::{InvalidStreamId, StreamId};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::event::{Event, SCHEMA_VERSION};
use crate::vocab::{Actor, EventId};

/// A stream and the version an event has in it (1 for its first event).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StreamVersion {
    /// The stream.
    pub stream: StreamId,
    /// The event's version in it.
    pub version: u64,
}

/// An event ready to append: the store assigns its position and versions.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// Unique id; re-appending a stored id is idempotent.
    pub event_id: EventId,
    /// The streams the event belongs to (a referral belongs to two).
    pub streams: Vec<StreamId>,
    /// When it happened.
    pub effective: NaiveDate,
    /// When it was entered.
    pub recorded_at: DateTime<Utc>,
    /// Who entered it.
    pub actor: Actor,
    /// The fact.
    pub event: Event,
}

/// A stored event with everything needed to audit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Global position, gapless from 0.
    pub position: u64,
    /// Unique id.
    pub event_id: EventId,
    /// Each stream it belongs to, with its version there.
    pub streams: Vec<StreamVersion>,
    /// When it happened.
    pub effective: NaiveDate,
    /// When it was entered.
    pub recorded_at: DateTime<Utc>,
    /// Who entered it.
    pub actor: Actor,
    /// Schema version of the event payload.
    pub schema_version: u32,
    /// The fact (`type` and `data`).
    #[serde(flatten)]
    pub event: Event,
}

impl Envelope {
    /// Builds the stored form of `new` at `position` with per-stream versions.
    pub fn stored(new: NewEvent, position: u64, streams: Vec<StreamVersion>) -> Self {
        Self {
            position,
            event_id: new.event_id,
            streams,
            effective: new.effective,
            recorded_at: new.recorded_at,
            actor: new.actor,
            schema_version: SCHEMA_VERSION,
            event: new.event,
        }
    }

    /// The event's version in `stream`, if it belongs to it.
    pub fn version_in(&self, stream: &StreamId) -> Option<u64> {
        self.streams
            .iter()
            .find(|s| &s.stream == stream)
            .map(|s| s.version)
    }

    /// Serializes to JSON bytes (the stored and exported form).
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }
}

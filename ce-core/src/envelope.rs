//! The envelope every stored event travels in, stream ids, and decoding with
//! upcasters.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::actor::Actor;
use crate::event::{Event, SCHEMA_VERSION};
use crate::ids::{ClientId, EventId, HouseholdId, OpeningId};

/// A stream: the events of one household (CE enrollment), one client, or one
/// opening. Serialized as `household-<uuid>`, `client-<uuid>`, `opening-<uuid>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StreamId {
    /// One CE enrollment of a household.
    Household(HouseholdId),
    /// One client: guards "one open CE enrollment per client".
    Client(ClientId),
    /// One opening and its referrals.
    Opening(OpeningId),
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamId::Household(id) => write!(f, "household-{id}"),
            StreamId::Client(id) => write!(f, "client-{id}"),
            StreamId::Opening(id) => write!(f, "opening-{id}"),
        }
    }
}

/// A stream id that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid stream id {0:?}: expected household-, client- or opening- followed by a UUID")]
pub struct InvalidStreamId(pub String);

impl FromStr for StreamId {
    type Err = InvalidStreamId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || InvalidStreamId(s.to_owned());
        let (kind, id) = s.split_once('-').ok_or_else(bad)?;
        match kind {
            "household" => id.parse().map(StreamId::Household).map_err(|_| bad()),
            "client" => id.parse().map(StreamId::Client).map_err(|_| bad()),
            "opening" => id.parse().map(StreamId::Opening).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

impl Serialize for StreamId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for StreamId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

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

/// Why a stored event could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// Not JSON, or not an envelope.
    #[error("malformed event: {0}")]
    Malformed(#[source] serde_json::Error),
    /// An event type this build does not know.
    #[error("unknown event type {0:?}")]
    UnknownEventType(String),
    /// A schema version newer than this build, or with no upcaster path.
    #[error("event type {event_type} has schema version {version}, this build reads up to {SCHEMA_VERSION}")]
    UnknownSchemaVersion {
        /// The event type.
        event_type: String,
        /// Its stored schema version.
        version: u32,
    },
}

/// One upcasting step: turns the `data` of an event at one schema version into
/// the `data` of the next version. Pure; runs before typed decoding.
pub type Upcast = fn(Value) -> Value;

/// The upcasters this build knows, keyed by event type and source version.
#[derive(Debug, Clone, Default)]
pub struct Upcasters {
    steps: BTreeMap<(String, u32), Upcast>,
}

impl Upcasters {
    /// The upcasters of this build (none yet: every event is at version 1).
    pub fn current() -> Self {
        Self::default()
    }

    /// Adds a step from `from_version` to `from_version + 1` for `event_type`.
    pub fn with(mut self, event_type: &str, from_version: u32, step: Upcast) -> Self {
        self.steps
            .insert((event_type.to_owned(), from_version), step);
        self
    }

    /// Decodes an envelope from JSON bytes, upcasting its payload first.
    pub fn decode(&self, bytes: &[u8]) -> Result<Envelope, DecodeError> {
        let value: Value = serde_json::from_slice(bytes).map_err(DecodeError::Malformed)?;
        self.decode_value(value)
    }

    /// Decodes an envelope from a JSON value, upcasting its payload first.
    pub fn decode_value(&self, mut value: Value) -> Result<Envelope, DecodeError> {
        let malformed = |what: &str| {
            DecodeError::Malformed(serde::de::Error::custom(format!(
                "missing or invalid {what}"
            )))
        };
        let object = value.as_object_mut().ok_or_else(|| malformed("object"))?;
        let event_type = object
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("type"))?
            .to_owned();
        if !Event::TYPES.contains(&event_type.as_str()) {
            return Err(DecodeError::UnknownEventType(event_type));
        }
        let mut version = object
            .get("schema_version")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| malformed("schema_version"))?;
        while version < SCHEMA_VERSION {
            let step = self
                .steps
                .get(&(event_type.clone(), version))
                .ok_or_else(|| DecodeError::UnknownSchemaVersion {
                    event_type: event_type.clone(),
                    version,
                })?;
            let data = object.remove("data").unwrap_or(Value::Null);
            object.insert("data".to_owned(), step(data));
            version += 1;
        }
        if version != SCHEMA_VERSION {
            return Err(DecodeError::UnknownSchemaVersion {
                event_type,
                version,
            });
        }
        object.insert("schema_version".to_owned(), Value::from(version));
        serde_json::from_value(value).map_err(DecodeError::Malformed)
    }
}

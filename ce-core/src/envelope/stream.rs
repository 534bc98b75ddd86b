//! Stream ids: `household-<uuid>`, `client-<uuid>`, `opening-<uuid>`, and
//! the policy stream.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::vocab::{ClientId, HouseholdId, OpeningId};

/// A stream: the events of one household (CE enrollment), one client, or one
/// opening. Serialized as `household-<uuid>`, `client-<uuid>`, `opening-<uuid>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum StreamId {
    /// One CE enrollment of a household.
    Household(HouseholdId),
    /// One client: guards "one open CE enrollment per client".
    Client(ClientId),
    /// One opening and its referrals.
    Opening(OpeningId),
    /// The CoC's policy: every change of it, in order (one stream per
    /// store, spelled with the nil UUID like the others with theirs).
    Policy,
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamId::Household(id) => write!(f, "household-{id}"),
            StreamId::Client(id) => write!(f, "client-{id}"),
            StreamId::Opening(id) => write!(f, "opening-{id}"),
            StreamId::Policy => write!(f, "policy-{}", uuid::Uuid::nil()),
        }
    }
}

/// A stream id that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid stream id {0:?}: expected household-, client- or opening- followed by a UUID, or the policy stream")]
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
            "policy" if id.parse::<uuid::Uuid>().is_ok_and(|id| id.is_nil()) => {
                Ok(StreamId::Policy)
            }
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

//! Key layout. Every integer key is big-endian so sled's byte order is
//! numeric order.

use ce_core::{ListKey, StreamId};

/// Tree names; a fixed set, never a tree per stream.
pub(crate) const TREES: [&str; 11] = [
    "events",
    "streams",
    "heads",
    "event_ids",
    "meta",
    "checkpoints",
    "p_households",
    "p_openings",
    "p_referrals",
    "p_enrollments",
    "p_lists",
];

/// Index of each tree in [`TREES`].
pub(crate) const EVENTS: usize = 0;
pub(crate) const STREAMS: usize = 1;
pub(crate) const HEADS: usize = 2;
pub(crate) const EVENT_IDS: usize = 3;
pub(crate) const META: usize = 4;
pub(crate) const CHECKPOINTS: usize = 5;
pub(crate) const P_HOUSEHOLDS: usize = 6;
pub(crate) const P_OPENINGS: usize = 7;
pub(crate) const P_REFERRALS: usize = 8;
pub(crate) const P_ENROLLMENTS: usize = 9;
pub(crate) const P_LISTS: usize = 10;

/// The first tree that is a projection: `rebuild` clears these.
pub(crate) const FIRST_PROJECTION: usize = P_HOUSEHOLDS;

/// Meta keys.
pub(crate) const FORMAT_VERSION: &[u8] = b"format_version";
pub(crate) const NEXT_POSITION: &[u8] = b"next_position";
pub(crate) const POLICY: &[u8] = b"policy";
/// Checkpoint key of the projections: the next position they have not folded.
pub(crate) const PROJECTIONS: &[u8] = b"projections";

/// `u64` as an 8-byte big-endian key.
pub(crate) fn u64_key(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

/// Reads an 8-byte big-endian value.
pub(crate) fn read_u64(bytes: &[u8]) -> Option<u64> {
    bytes.try_into().ok().map(u64::from_be_bytes)
}

/// `streams` key: stream id, a 0 byte, then the version.
pub(crate) fn stream_key(stream: &StreamId, version: u64) -> Vec<u8> {
    let mut key = stream_prefix(stream);
    key.extend_from_slice(&version.to_be_bytes());
    key
}

/// Prefix of every `streams` row of one stream.
pub(crate) fn stream_prefix(stream: &StreamId) -> Vec<u8> {
    let mut key = stream.to_string().into_bytes();
    key.push(0);
    key
}

/// `heads` key: the stream id.
pub(crate) fn head_key(stream: &StreamId) -> Vec<u8> {
    stream.to_string().into_bytes()
}

/// Prefix of one priority list's rows in `p_lists`: coalition, program type
/// and household type, each followed by a 0 byte. The household id follows.
pub(crate) fn list_prefix(key: &ListKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.coalition.0.len() + 32);
    for part in [
        key.coalition.0.as_str(),
        key.program.as_str(),
        key.household_type.as_str(),
    ] {
        out.extend_from_slice(part.as_bytes());
        out.push(0);
    }
    out
}

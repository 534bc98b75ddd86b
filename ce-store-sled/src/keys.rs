//! Key layout. Every integer key is big-endian so sled's byte order is
//! numeric order.

use ce_core::priority::rank_key;
use ce_core::{ListKey, OrderKey, RankInputs, StreamId};

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

/// The first tree that is a projection: `rebuild` writes these anew.
pub(crate) const FIRST_PROJECTION: usize = P_HOUSEHOLDS;

/// The sled name of tree `index` (of [`TREES`]) in projection generation
/// `generation`. The log's trees, and the projection trees of generation 0
/// (a store never rebuilt), have the plain name; each rebuild
/// writes the projections into the next generation, named `p_lists.1`,
/// `p_lists.2`, and so on.
pub(crate) fn tree_name(index: usize, generation: u64) -> String {
    if index < FIRST_PROJECTION || generation == 0 {
        TREES[index].to_owned()
    } else {
        format!("{}.{generation}", TREES[index])
    }
}

/// Whether a sled tree name is a projection tree of any generation.
pub(crate) fn is_projection_tree(name: &[u8]) -> bool {
    TREES[FIRST_PROJECTION..].iter().any(|base| {
        name.strip_prefix(base.as_bytes())
            .is_some_and(|rest| rest.is_empty() || rest.first() == Some(&b'.'))
    })
}

/// Meta keys.
pub(crate) const FORMAT_VERSION: &[u8] = b"format_version";
/// The layout of the projection trees (see [`PROJECTION_LAYOUT_CURRENT`]).
pub(crate) const PROJECTION_LAYOUT: &[u8] = b"projection_layout";
/// Layout 3: `p_lists` keys carry the rank key, so a list's rows come back
/// in rank order; an inactive household keeps the days without contact its
/// inactivation applied (a late-entered contact within them brings it
/// back); referrals keep their place on the list. A store with another (or
/// no) layout is rebuilt on open: projections are derived data.
pub(crate) const PROJECTION_LAYOUT_CURRENT: u64 = 3;
pub(crate) const NEXT_POSITION: &[u8] = b"next_position";
pub(crate) const POLICY: &[u8] = b"policy";
/// The generation of the projection trees (see [`tree_name`]); absent: 0.
pub(crate) const PROJECTION_GENERATION: &[u8] = b"projection_generation";
/// Present while an import writes the log without transactions: a store
/// that still has it after a crash holds an unfinished import.
pub(crate) const IMPORTING: &[u8] = b"importing";
/// Checkpoint key of the projections: [`FOLLOWS_LOG`] when they hold every
/// committed event (and every append keeps them so), else the next position
/// they have not folded (0 while a rebuild runs).
pub(crate) const PROJECTIONS: &[u8] = b"projections";
/// The checkpoint of projections that follow the log: written when a
/// rebuild ends, and left alone by appends, which update the projections
/// before their commit point (no checkpoint write per append).
pub(crate) const FOLLOWS_LOG: u64 = u64::MAX;

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

/// The version a `streams` key ends with (see [`stream_key`]).
pub(crate) fn version_of_stream_key(key: &[u8]) -> Option<u64> {
    read_u64(key.get(key.len().checked_sub(8)?..)?)
}

/// The id the policy stream is spelled with.
const NIL: uuid::Uuid = uuid::Uuid::nil();

/// Prefix of every `streams` row of one stream.
pub(crate) fn stream_prefix(stream: &StreamId) -> Vec<u8> {
    let mut key = head_key(stream);
    key.push(0);
    key
}

/// `heads` key: the stream id as text (`StreamId`'s `Display`), with room
/// for the rest of a `streams` key. Written without `format!`, whose
/// machinery was 1.5 % of a durable append's samples.
pub(crate) fn head_key(stream: &StreamId) -> Vec<u8> {
    let (kind, id) = match stream {
        StreamId::Household(id) => ("household-", id.as_uuid()),
        StreamId::Client(id) => ("client-", id.as_uuid()),
        StreamId::Opening(id) => ("opening-", id.as_uuid()),
        StreamId::Policy => ("policy-", &NIL),
        // A stream kind this build does not know: its `Display`, as for
        // the others (slower; none exists yet).
        other => return other.to_string().into_bytes(),
    };
    let mut key = Vec::with_capacity(kind.len() + uuid::fmt::Hyphenated::LENGTH + 9);
    key.extend_from_slice(kind.as_bytes());
    let mut text = uuid::Uuid::encode_buffer();
    key.extend_from_slice(id.hyphenated().encode_lower(&mut text).as_bytes());
    key
}

/// Prefix of one priority list's rows in `p_lists`: coalition, program type
/// and household type, each followed by a 0 byte. The rank key and the
/// household id follow ([`list_row_key`]).
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

/// The key of one list row: the list's prefix, then the household's
/// [`rank_key`] under `order` (which ends with its id). A prefix scan of a
/// list returns its rows in rank order (`ce_core::priority::compare`), so
/// the top of a list is read without reading, decoding or sorting the rest.
pub(crate) fn list_row_key(key: &ListKey, order: &[OrderKey], inputs: &RankInputs) -> Vec<u8> {
    let mut row = list_prefix(key);
    rank_key(order, inputs, &mut row);
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use ce_core::priority::compare;
    use ce_core::HouseholdId;

    /// Stream keys spell the stream id as its `Display` does, which the
    /// stored stores' keys and `caseload`'s parse of `heads` rely on.
    #[test]
    fn stream_keys_spell_the_stream_id_as_display_does() {
        let id = uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210);
        for stream in [
            StreamId::Household(HouseholdId::from_uuid(id)),
            StreamId::Client(ce_core::ClientId::from_uuid(id)),
            StreamId::Opening(ce_core::OpeningId::from_uuid(id)),
        ] {
            let text = stream.to_string();
            assert_eq!(head_key(&stream), text.as_bytes());
            let mut key = text.into_bytes();
            key.push(0);
            key.extend_from_slice(&7u64.to_be_bytes());
            assert_eq!(stream_key(&stream, 7), key);
        }
    }

    /// SplitMix64, for reproducible random rank inputs.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn pick<T: Copy>(&mut self, from: &[T]) -> T {
            from[(self.next() % from.len() as u64) as usize]
        }
    }

    fn inputs(rng: &mut Rng) -> RankInputs {
        // Few distinct values, so that ties on every key are common.
        let day = |n: i32| chrono::NaiveDate::from_num_days_from_ce_opt(n).unwrap_or_default();
        RankInputs {
            chronic: rng.pick(&[true, false]),
            cpd_16_11_tier: rng.pick(&[1, 2, 7, 8]),
            score: rng.pick(&[None, Some(0), Some(4), Some(9), Some(u32::MAX)]),
            months_homeless: rng.pick(&[None, Some(0), Some(1), Some(13), Some(u8::MAX)]),
            episode_days: rng.pick(&[
                None,
                Some(i64::MIN),
                Some(-3),
                Some(0),
                Some(400),
                Some(i64::MAX),
            ]),
            placed_on: day(rng.pick(&[-400_000, 1, 739_000, 739_001])),
            household: HouseholdId::from_uuid(uuid::Uuid::from_u128(
                u128::from(rng.pick(&[1u8, 2, 255])) << 120,
            )),
        }
    }

    #[test]
    fn rank_keys_sort_like_compare() {
        use OrderKey::*;
        let all = [
            Chronic,
            Cpd1611Tier,
            Score,
            MonthsHomeless,
            EpisodeLength,
            PlacedDate,
        ];
        let mut rng = Rng(9);
        let mut orders: Vec<Vec<OrderKey>> = vec![Vec::new(), all.to_vec()];
        orders.extend(
            ce_core::Policy::wi_bos_default()
                .programs
                .iter()
                .map(|p| p.order.clone()),
        );
        for _ in 0..50 {
            let len = (rng.next() % 7) as usize;
            orders.push((0..len).map(|_| rng.pick(&all)).collect());
        }
        let list = ListKey {
            coalition: ce_core::Coalition::new("Coulee"),
            program: ce_core::ProgramType::Psh,
            household_type: ce_core::ListHouseholdType::AdultsOnly,
        };
        for order in &orders {
            for _ in 0..2_000 {
                let (a, b) = (inputs(&mut rng), inputs(&mut rng));
                let by_bytes = list_row_key(&list, order, &a).cmp(&list_row_key(&list, order, &b));
                assert_eq!(by_bytes, compare(order, &a, &b), "{order:?}\n{a:?}\n{b:?}");
            }
        }
    }
}

//! The projections kept beside the log, written by every append before its
//! commit point, and rebuilt from the log by the same code.
//!
//! They are the persisted form of ce-core's [`Caseload`]: households,
//! openings, referrals, open enrollments per client, and the membership rows
//! of every priority list. Updating them loads only the entities the new
//! events touch, applies the events with ce-core's own fold, and writes the
//! entities back, so the result is the fold of the whole log by construction.

use std::collections::{BTreeMap, HashMap, HashSet};

use ce_core::priority::lists_of;
use ce_core::{
    Caseload, ClientId, Envelope, Event, Household, HouseholdId, OpeningId, Policy, RankInputs,
    ReferralId, StoreError, StreamId,
};
use chrono::NaiveDate;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::keys::*;

/// A client's row: the open CE enrollment, and when the latest one closed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ClientRow {
    pub open: Option<HouseholdId>,
    pub closed: Option<NaiveDate>,
}

/// One row of a priority list: the rank inputs and, for a parked household,
/// the date it comes back (filtered at query time, since it depends on the
/// query's date).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ListRow {
    pub inputs: RankInputs,
    pub parked_until: Option<NaiveDate>,
}

/// The rows of the lists a household is on regardless of parking: each
/// row's key (which ranks it, see [`list_row_key`]) and value.
fn list_rows(household: &Household, policy: &Policy) -> Vec<(Vec<u8>, ListRow)> {
    let Some(inputs) = RankInputs::of(household, policy) else {
        return Vec::new();
    };
    lists_of(household, policy, NaiveDate::MAX)
        .into_iter()
        .map(|key| {
            (
                list_row_key(&key, policy.order(key.program), &inputs),
                ListRow {
                    inputs: inputs.clone(),
                    parked_until: household.parked_until,
                },
            )
        })
        .collect()
}

/// Folds envelopes into the projection trees: for an append (which stages
/// the rows and writes them before its commit point, see
/// [`Folder::staged`]), for `rebuild` and for bulk imports (which write
/// straight into the trees, hold the writer lock, and whose crash safety
/// comes from the checkpoint written only once they are done).
///
/// It loads the entities the envelopes name, applies the envelopes with
/// ce-core's own `Caseload::apply`, and writes the entities back, so the
/// rows are the fold of the whole log by construction. It keeps the
/// entities it has loaded or created in memory across envelopes and writes
/// them back only when it holds `limit` entities, and at the end: an entity
/// changed by many events is decoded and encoded once per write-back, not
/// once per event. Memory is bounded by `limit`, not by the log.
pub(crate) struct Folder<'a> {
    trees: &'a [sled::Tree],
    policy: &'a Policy,
    limit: usize,
    caseload: Caseload,
    /// The list rows of each household loaded from the trees.
    stored_lists: HashMap<HouseholdId, Vec<(Vec<u8>, ListRow)>>,
    /// Clients touched since the last write-back.
    clients: HashSet<ClientId>,
    /// False while the projection trees are known to be empty (a rebuild
    /// before its first write-back): nothing needs to be looked up.
    trees_hold_rows: bool,
    /// Where the rows go: `None` writes them into the trees, `Some` stages
    /// them for the caller.
    staged: Option<Vec<Write>>,
    /// Where rows are encoded, reused from row to row: `serde_json::to_vec`
    /// grows a new buffer for every row (its reallocations were a tenth of a
    /// write-back's samples in a profile of the rebuild).
    buf: Vec<u8>,
}

/// One write to a tree: the tree's index in [`TREES`], the key, and the new
/// value (`None` removes the row).
pub(crate) type Write = (usize, Vec<u8>, Option<Vec<u8>>);

/// Carries out one [`Write`] on `trees`.
pub(crate) fn write_row(
    trees: &[sled::Tree],
    tree: usize,
    key: &[u8],
    value: Option<&[u8]>,
) -> sled::Result<()> {
    match value {
        Some(value) => trees[tree].insert(key, value)?,
        None => trees[tree].remove(key)?,
    };
    Ok(())
}

/// Decodes the row at `key` of `tree`, if any; a row that does not decode
/// is corruption, reported with `position` and `detail`.
pub(crate) fn load_row<T: DeserializeOwned>(
    tree: &sled::Tree,
    key: &[u8],
    position: u64,
    detail: &'static str,
) -> Result<Option<T>, StoreError> {
    match tree.get(key).map_err(crate::error::backend)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| StoreError::Corrupt {
                position,
                detail: detail.to_owned(),
            }),
    }
}

/// Loads the row of `id` into `held` from `tree`, unless `held` has it.
fn load_missing<K: Ord, T: DeserializeOwned>(
    tree: &sled::Tree,
    held: &mut BTreeMap<K, T>,
    id: K,
    uuid: &uuid::Uuid,
    position: u64,
    detail: &'static str,
) -> Result<(), StoreError> {
    if let std::collections::btree_map::Entry::Vacant(slot) = held.entry(id) {
        if let Some(row) = load_row(tree, uuid.as_bytes(), position, detail)? {
            slot.insert(row);
        }
    }
    Ok(())
}

impl<'a> Folder<'a> {
    /// A folder over `trees`, whose projection trees are empty: nothing is
    /// looked up until the first write-back.
    pub(crate) fn new(trees: &'a [sled::Tree], policy: &'a Policy, limit: usize) -> Self {
        Self {
            trees,
            policy,
            limit: limit.max(1),
            caseload: Caseload::default(),
            stored_lists: HashMap::new(),
            clients: HashSet::new(),
            trees_hold_rows: false,
            staged: None,
            buf: Vec::new(),
        }
    }

    /// A folder for one append: it looks entities up in the trees as they
    /// are, never writes back before [`Self::into_writes`], and writes
    /// nothing itself.
    pub(crate) fn staged(trees: &'a [sled::Tree], policy: &'a Policy) -> Self {
        Self {
            trees_hold_rows: true,
            staged: Some(Vec::new()),
            ..Self::new(trees, policy, usize::MAX)
        }
    }

    /// Writes back what is held and returns the staged rows, in the order
    /// they are to be written.
    pub(crate) fn into_writes(mut self) -> Result<Vec<Write>, StoreError> {
        self.write_back()?;
        Ok(self.staged.unwrap_or_default())
    }

    /// Writes or stages one row. Rows go in one by one rather than through
    /// `sled::Batch`es: a batch copies every row once more and holds them
    /// all until it is applied (rebuild of 400,000 events: 7 % faster, peak
    /// RSS 255 -> 203 MiB), and its atomicity buys nothing here, where the
    /// checkpoint or the commit point written afterwards is what makes the
    /// rows count.
    fn put(&mut self, tree: usize, key: &[u8], value: Option<&[u8]>) -> Result<(), StoreError> {
        match &mut self.staged {
            Some(staged) => staged.push((tree, key.to_vec(), value.map(<[u8]>::to_vec))),
            None => write_row(self.trees, tree, key, value).map_err(crate::error::backend)?,
        }
        Ok(())
    }

    /// Encodes `value` and [`put`](Self::put)s it.
    fn put_encoded<T: Serialize>(
        &mut self,
        tree: usize,
        key: &[u8],
        value: &T,
        detail: &'static str,
    ) -> Result<(), StoreError> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let encoded = serde_json::to_writer(&mut buf, value).map_err(|_| StoreError::Corrupt {
            position: 0,
            detail: detail.to_owned(),
        });
        let put = encoded.and_then(|()| self.put(tree, key, Some(&buf)));
        self.buf = buf;
        put
    }

    fn held(&self) -> usize {
        self.caseload.households().len()
            + self.caseload.openings.len()
            + self.caseload.referrals.len()
            + self.clients.len()
    }

    /// Folds one envelope (loading the entities it names first).
    pub(crate) fn fold(&mut self, envelope: &Envelope) -> Result<(), StoreError> {
        let at = envelope.position;
        for sv in &envelope.streams {
            match sv.stream {
                StreamId::Household(id)
                    if self.trees_hold_rows && !self.caseload.households().contains_key(&id) =>
                {
                    let key = id.as_uuid().as_bytes();
                    if let Some(h) = load_row::<Household>(
                        &self.trees[P_HOUSEHOLDS],
                        key,
                        at,
                        "household projection",
                    )? {
                        self.stored_lists.insert(id, list_rows(&h, self.policy));
                        self.caseload.insert_household(h);
                    }
                }
                StreamId::Opening(id) if self.trees_hold_rows => {
                    load_missing(
                        &self.trees[P_OPENINGS],
                        &mut self.caseload.openings,
                        id,
                        id.as_uuid(),
                        at,
                        "opening projection",
                    )?;
                }
                StreamId::Client(id) if self.clients.insert(id) && self.trees_hold_rows => {
                    if let Some(row) = load_row::<ClientRow>(
                        &self.trees[P_ENROLLMENTS],
                        id.as_uuid().as_bytes(),
                        at,
                        "client projection",
                    )? {
                        if let Some(household) = row.open {
                            self.caseload.open_enrollments.insert(id, household);
                        }
                        if let Some(closed) = row.closed {
                            self.caseload.closed_enrollments.insert(id, closed);
                        }
                    }
                }
                // A policy change has no projection row: the store keeps
                // the policy in force in `meta`.
                StreamId::Policy => {}
                // A stream kind without projection rows.
                _ => {}
            }
        }
        if let Some(id) = referral_of(&envelope.event).filter(|_| self.trees_hold_rows) {
            load_missing(
                &self.trees[P_REFERRALS],
                &mut self.caseload.referrals,
                id,
                id.as_uuid(),
                at,
                "referral projection",
            )?;
        }
        self.caseload.apply(envelope);
        if self.held() >= self.limit {
            self.write_back()?;
        }
        Ok(())
    }

    /// Writes every held entity (and its list rows) to the trees and
    /// forgets it.
    pub(crate) fn write_back(&mut self) -> Result<(), StoreError> {
        let caseload = std::mem::take(&mut self.caseload);
        let mut stored_lists = std::mem::take(&mut self.stored_lists);
        let policy = self.policy;
        for (id, household) in caseload.households() {
            let key = id.as_uuid().as_bytes();
            self.put_encoded(P_HOUSEHOLDS, key, household, "household projection")?;
            let old = stored_lists.remove(id).unwrap_or_default();
            let new = list_rows(household, policy);
            for (key, _) in old.iter().filter(|(k, _)| !new.iter().any(|(n, _)| n == k)) {
                self.put(P_LISTS, key, None)?;
            }
            // A row whose key and value are unchanged is not written again.
            for (key, row) in new.iter().filter(|row| !old.contains(row)) {
                self.put_encoded(P_LISTS, key, row, "list row")?;
            }
        }
        for (id, opening) in &caseload.openings {
            self.put_encoded(
                P_OPENINGS,
                id.as_uuid().as_bytes(),
                opening,
                "opening projection",
            )?;
        }
        for (id, referral) in &caseload.referrals {
            self.put_encoded(
                P_REFERRALS,
                id.as_uuid().as_bytes(),
                referral,
                "referral projection",
            )?;
        }
        let mut clients: Vec<ClientId> = self.clients.drain().collect();
        clients.sort();
        for id in clients {
            let row = ClientRow {
                open: caseload.open_enrollments.get(&id).copied(),
                closed: caseload.closed_enrollments.get(&id).copied(),
            };
            self.put_encoded(
                P_ENROLLMENTS,
                id.as_uuid().as_bytes(),
                &row,
                "client projection",
            )?;
        }
        self.trees_hold_rows = true;
        Ok(())
    }
}

fn referral_of(event: &Event) -> Option<ReferralId> {
    match event {
        Event::ReferralOffered(e) => Some(e.referral),
        Event::ReferralAcknowledged(e) => Some(e.referral),
        Event::ReferralAccepted(e) => Some(e.referral),
        Event::ReferralDeclined(e) => Some(e.referral),
        Event::ReferralCancelled(e) => Some(e.referral),
        Event::ReferralExpired(e) => Some(e.referral),
        _ => None,
    }
}

/// Decodes every row of a projection tree keyed by a UUID.
pub(crate) fn read_all<K, V>(
    tree: &sled::Tree,
    wrap: impl Fn(uuid::Uuid) -> K,
    detail: &'static str,
) -> Result<BTreeMap<K, V>, StoreError>
where
    K: Ord,
    V: DeserializeOwned,
{
    let mut out = BTreeMap::new();
    for row in tree.iter() {
        let (key, value) = row.map_err(crate::error::backend)?;
        let id = uuid::Uuid::from_slice(&key).map_err(|_| StoreError::Corrupt {
            position: 0,
            detail: detail.to_owned(),
        })?;
        let value = serde_json::from_slice(&value).map_err(|_| StoreError::Corrupt {
            position: 0,
            detail: detail.to_owned(),
        })?;
        out.insert(wrap(id), value);
    }
    Ok(out)
}

/// Typed wrappers for [`read_all`].
pub(crate) fn household_id(u: uuid::Uuid) -> HouseholdId {
    HouseholdId::from_uuid(u)
}
/// See [`household_id`].
pub(crate) fn opening_id(u: uuid::Uuid) -> OpeningId {
    OpeningId::from_uuid(u)
}
/// See [`household_id`].
pub(crate) fn referral_id(u: uuid::Uuid) -> ReferralId {
    ReferralId::from_uuid(u)
}
/// See [`household_id`].
pub(crate) fn client_id(u: uuid::Uuid) -> ClientId {
    ClientId::from_uuid(u)
}

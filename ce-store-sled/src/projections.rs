//! The projections kept beside the log, updated in the same transaction as
//! every append, and rebuilt from the log by the same code.
//!
//! They are the persisted form of ce-core's [`Caseload`]: households,
//! openings, referrals, open enrollments per client, and the membership rows
//! of every priority list. Updating them loads only the entities the new
//! events touch, applies the events with ce-core's own fold, and writes the
//! entities back, so the result is the fold of the whole log by construction.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use ce_core::priority::lists_of;
use ce_core::{
    Caseload, ClientId, Envelope, Event, Household, HouseholdId, OpeningId, Policy, RankInputs,
    ReferralId, StoreError, StreamId,
};
use chrono::NaiveDate;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

use crate::keys::*;

/// A client's row: the open CE enrollment, and when the latest one closed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ClientRow {
    pub open: Option<HouseholdId>,
    pub closed: Option<NaiveDate>,
}

/// An error inside a transaction.
pub(crate) type TxError = ConflictableTransactionError<StoreError>;

/// One row of a priority list: the rank inputs and, for a parked household,
/// the date it comes back (filtered at query time, since it depends on the
/// query's date).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ListRow {
    pub inputs: RankInputs,
    pub parked_until: Option<NaiveDate>,
}

fn corrupt(position: u64, detail: &'static str) -> TxError {
    ConflictableTransactionError::Abort(StoreError::Corrupt { position, detail })
}

fn load<T: DeserializeOwned>(
    tree: &TransactionalTree,
    key: &[u8],
    position: u64,
    detail: &'static str,
) -> Result<Option<T>, TxError> {
    match tree.get(key)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| corrupt(position, detail)),
    }
}

/// Loads the stored entity of every id in `ids` into `into`.
fn load_into<K: Copy + Ord, V: DeserializeOwned>(
    tree: &TransactionalTree,
    ids: &BTreeSet<K>,
    uuid: impl Fn(&K) -> &uuid::Uuid,
    position: u64,
    detail: &'static str,
    into: &mut BTreeMap<K, V>,
) -> Result<(), TxError> {
    for id in ids {
        if let Some(value) = load(tree, uuid(id).as_bytes(), position, detail)? {
            into.insert(*id, value);
        }
    }
    Ok(())
}

fn save<T: Serialize>(
    tree: &TransactionalTree,
    key: &[u8],
    value: &T,
    position: u64,
    detail: &'static str,
) -> Result<(), TxError> {
    let bytes = serde_json::to_vec(value).map_err(|_| corrupt(position, detail))?;
    tree.insert(key, bytes)?;
    Ok(())
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

/// Folds `envelopes` into the projection trees of `tx`.
pub(crate) fn project(
    tx: &[TransactionalTree],
    envelopes: &[&Envelope],
    policy: &Policy,
) -> Result<(), TxError> {
    let Some(first) = envelopes.first() else {
        return Ok(());
    };
    let at = first.position;
    let mut households = BTreeSet::new();
    let mut openings = BTreeSet::new();
    let mut clients = BTreeSet::new();
    let mut referrals = BTreeSet::new();
    for envelope in envelopes {
        for sv in &envelope.streams {
            match sv.stream {
                StreamId::Household(id) => households.insert(id),
                StreamId::Opening(id) => openings.insert(id),
                StreamId::Client(id) => clients.insert(id),
            };
        }
        if let Some(id) = referral_of(&envelope.event) {
            referrals.insert(id);
        }
    }

    let mut caseload = Caseload::default();
    let mut old_rows: BTreeMap<HouseholdId, Vec<(Vec<u8>, ListRow)>> = BTreeMap::new();
    for id in &households {
        let key = id.as_uuid().as_bytes();
        if let Some(h) = load::<Household>(&tx[P_HOUSEHOLDS], key, at, "household projection")? {
            old_rows.insert(*id, list_rows(&h, policy));
            caseload.households.insert(*id, h);
        }
    }
    load_into(
        &tx[P_OPENINGS],
        &openings,
        OpeningId::as_uuid,
        at,
        "opening projection",
        &mut caseload.openings,
    )?;
    load_into(
        &tx[P_REFERRALS],
        &referrals,
        ReferralId::as_uuid,
        at,
        "referral projection",
        &mut caseload.referrals,
    )?;
    for id in &clients {
        let key = id.as_uuid().as_bytes();
        if let Some(row) = load::<ClientRow>(&tx[P_ENROLLMENTS], key, at, "client projection")? {
            if let Some(household) = row.open {
                caseload.open_enrollments.insert(*id, household);
            }
            if let Some(closed) = row.closed {
                caseload.closed_enrollments.insert(*id, closed);
            }
        }
    }

    for envelope in envelopes {
        caseload.apply(envelope);
    }

    for (id, household) in &caseload.households {
        save(
            &tx[P_HOUSEHOLDS],
            id.as_uuid().as_bytes(),
            household,
            at,
            "household projection",
        )?;
        let old = old_rows.remove(id).unwrap_or_default();
        let new = list_rows(household, policy);
        for (key, _) in old.iter().filter(|(k, _)| !new.iter().any(|(n, _)| n == k)) {
            tx[P_LISTS].remove(key.as_slice())?;
        }
        // A row whose key and value are unchanged is not written again.
        for (key, row) in new.iter().filter(|row| !old.contains(row)) {
            save(&tx[P_LISTS], key, row, at, "list row")?;
        }
    }
    for (id, opening) in &caseload.openings {
        save(
            &tx[P_OPENINGS],
            id.as_uuid().as_bytes(),
            opening,
            at,
            "opening projection",
        )?;
    }
    for (id, referral) in &caseload.referrals {
        save(
            &tx[P_REFERRALS],
            id.as_uuid().as_bytes(),
            referral,
            at,
            "referral projection",
        )?;
    }
    for id in &clients {
        let row = ClientRow {
            open: caseload.open_enrollments.get(id).copied(),
            closed: caseload.closed_enrollments.get(id).copied(),
        };
        save(
            &tx[P_ENROLLMENTS],
            id.as_uuid().as_bytes(),
            &row,
            at,
            "client projection",
        )?;
    }
    let checkpoint = envelopes.last().map_or(at, |e| e.position + 1);
    tx[CHECKPOINTS].insert(PROJECTIONS, &u64_key(checkpoint))?;
    Ok(())
}

/// Folds envelopes into the projection trees **outside** a transaction, for
/// `rebuild` and bulk imports, which hold the writer lock and whose crash
/// safety comes from the checkpoint (written only once they are done).
///
/// It produces the same rows as [`project`] (the same `Caseload::apply` on
/// the same entities, written with the same serde), but keeps the entities
/// it has loaded or created in memory across envelopes and writes them back
/// only when it holds `limit` entities, and at the end: an entity changed by
/// many events is decoded and encoded once per write-back, not once per
/// event. Memory is bounded by `limit`, not by the log.
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
}

fn load_row<T: DeserializeOwned>(
    tree: &sled::Tree,
    key: &[u8],
    position: u64,
    detail: &'static str,
) -> Result<Option<T>, StoreError> {
    match tree.get(key).map_err(crate::error::backend)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| StoreError::Corrupt { position, detail }),
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

/// Writes one row outside a transaction. A write-back inserts row by row
/// rather than through `sled::Batch`es: a batch copies every row once more
/// and holds them all until it is applied (rebuild of 400,000 events: 7 %
/// faster, peak RSS 255 -> 203 MiB), and its atomicity buys nothing here,
/// where the checkpoint written at the end is what makes the rows count.
fn put(tree: &sled::Tree, key: &[u8], value: Vec<u8>) -> Result<(), StoreError> {
    tree.insert(key, value).map_err(crate::error::backend)?;
    Ok(())
}

fn encode<T: Serialize>(value: &T, detail: &'static str) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|_| StoreError::Corrupt {
        position: 0,
        detail,
    })
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
        }
    }

    fn held(&self) -> usize {
        self.caseload.households.len()
            + self.caseload.openings.len()
            + self.caseload.referrals.len()
            + self.clients.len()
    }

    /// Folds one envelope (loading the entities it names first).
    pub(crate) fn fold(&mut self, envelope: &Envelope) -> Result<(), StoreError> {
        let at = envelope.position;
        for sv in &envelope.streams {
            match sv.stream {
                StreamId::Household(id) => {
                    if self.trees_hold_rows && !self.caseload.households.contains_key(&id) {
                        let key = id.as_uuid().as_bytes();
                        if let Some(h) = load_row::<Household>(
                            &self.trees[P_HOUSEHOLDS],
                            key,
                            at,
                            "household projection",
                        )? {
                            self.stored_lists.insert(id, list_rows(&h, self.policy));
                            self.caseload.households.insert(id, h);
                        }
                    }
                }
                StreamId::Opening(id) => {
                    if self.trees_hold_rows {
                        load_missing(
                            &self.trees[P_OPENINGS],
                            &mut self.caseload.openings,
                            id,
                            id.as_uuid(),
                            at,
                            "opening projection",
                        )?;
                    }
                }
                StreamId::Client(id) => {
                    if self.clients.insert(id) && self.trees_hold_rows {
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
                }
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
        let lists = &self.trees[P_LISTS];
        for (id, household) in &caseload.households {
            put(
                &self.trees[P_HOUSEHOLDS],
                id.as_uuid().as_bytes(),
                encode(household, "household projection")?,
            )?;
            let old = stored_lists.remove(id).unwrap_or_default();
            let new = list_rows(household, self.policy);
            for (key, _) in old.iter().filter(|(k, _)| !new.iter().any(|(n, _)| n == k)) {
                lists
                    .remove(key.as_slice())
                    .map_err(crate::error::backend)?;
            }
            for (key, row) in new.iter().filter(|row| !old.contains(row)) {
                put(lists, key, encode(row, "list row")?)?;
            }
        }
        for (id, opening) in &caseload.openings {
            put(
                &self.trees[P_OPENINGS],
                id.as_uuid().as_bytes(),
                encode(opening, "opening projection")?,
            )?;
        }
        for (id, referral) in &caseload.referrals {
            put(
                &self.trees[P_REFERRALS],
                id.as_uuid().as_bytes(),
                encode(referral, "referral projection")?,
            )?;
        }
        let mut clients: Vec<ClientId> = self.clients.drain().collect();
        clients.sort();
        for id in clients {
            let row = ClientRow {
                open: caseload.open_enrollments.get(&id).copied(),
                closed: caseload.closed_enrollments.get(&id).copied(),
            };
            put(
                &self.trees[P_ENROLLMENTS],
                id.as_uuid().as_bytes(),
                encode(&row, "client projection")?,
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
            detail,
        })?;
        let value = serde_json::from_slice(&value).map_err(|_| StoreError::Corrupt {
            position: 0,
            detail,
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

//! The projections kept beside the log, updated in the same transaction as
//! every append, and rebuilt from the log by the same code.
//!
//! They are the persisted form of ce-core's [`Caseload`]: households,
//! openings, referrals, open enrollments per client, and the membership rows
//! of every priority list. Updating them loads only the entities the new
//! events touch, applies the events with ce-core's own fold, and writes the
//! entities back, so the result is the fold of the whole log by construction.

use std::collections::{BTreeMap, BTreeSet};

use ce_core::priority::lists_of;
use ce_core::{
    Caseload, ClientId, Envelope, Event, Household, HouseholdId, ListKey, OpeningId, Policy,
    RankInputs, ReferralId, StoreError, StreamId,
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

/// The lists a household is on regardless of parking, with its row.
fn list_rows(household: &Household, policy: &Policy) -> Vec<(ListKey, ListRow)> {
    let Some(inputs) = RankInputs::of(household, policy) else {
        return Vec::new();
    };
    lists_of(household, policy, NaiveDate::MAX)
        .into_iter()
        .map(|key| {
            (
                key,
                ListRow {
                    inputs: inputs.clone(),
                    parked_until: household.parked_until,
                },
            )
        })
        .collect()
}

fn list_row_key(key: &ListKey, household: HouseholdId) -> Vec<u8> {
    let mut row = list_prefix(key);
    row.extend_from_slice(household.as_uuid().as_bytes());
    row
}

/// Folds `envelopes` into the projection trees of `tx`.
pub(crate) fn project(
    tx: &[TransactionalTree],
    envelopes: &[Envelope],
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
    let mut old_rows: BTreeMap<HouseholdId, Vec<(ListKey, ListRow)>> = BTreeMap::new();
    for id in &households {
        let key = id.as_uuid().as_bytes();
        if let Some(h) = load::<Household>(&tx[P_HOUSEHOLDS], key, at, "household projection")? {
            old_rows.insert(*id, list_rows(&h, policy));
            caseload.households.insert(*id, h);
        }
    }
    for id in &openings {
        if let Some(o) = load(
            &tx[P_OPENINGS],
            id.as_uuid().as_bytes(),
            at,
            "opening projection",
        )? {
            caseload.openings.insert(*id, o);
        }
    }
    for id in &referrals {
        if let Some(r) = load(
            &tx[P_REFERRALS],
            id.as_uuid().as_bytes(),
            at,
            "referral projection",
        )? {
            caseload.referrals.insert(*id, r);
        }
    }
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
            tx[P_LISTS].remove(list_row_key(key, *id))?;
        }
        for (key, row) in &new {
            save(&tx[P_LISTS], &list_row_key(key, *id), row, at, "list row")?;
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

//! Reading the projections: households, priority lists and their report,
//! openings, referrals and the whole caseload, never the log.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;

use ce_core::report::{list_report_by_fold, ListReader, PriorityListReport};
use ce_core::{
    Caseload, ClientId, EventStore, Household, HouseholdId, ListEntry, ListKey, Opening, OpeningId,
    Policy, PriorityList, Referral, ReferralId, StoreError, StreamId,
};
use chrono::NaiveDate;

use super::{poisoned, ProjectionRow, SledStore};
use crate::error::backend;
use crate::keys::*;
use crate::projections::{self, ClientRow, ListRow};

impl SledStore {
    /// The next position the projections have not folded.
    pub fn projection_checkpoint(&self) -> Result<u64, StoreError> {
        match self.stored_checkpoint()? {
            Some(FOLLOWS_LOG) => self.next_position(),
            other => Ok(other.unwrap_or(0)),
        }
    }

    /// The checkpoint row as stored (see [`PROJECTIONS`]).
    pub(super) fn stored_checkpoint(&self) -> Result<Option<u64>, StoreError> {
        Ok(self.trees()[CHECKPOINTS]
            .get(PROJECTIONS)
            .map_err(backend)?
            .and_then(|b| read_u64(&b)))
    }

    /// One household's current state, from the projection.
    pub fn household(&self, id: HouseholdId) -> Result<Option<Household>, StoreError> {
        projections::load_row(
            &self.trees()[P_HOUSEHOLDS],
            id.as_uuid().as_bytes(),
            0,
            "household projection does not decode",
        )
    }

    /// One priority list as of `date`, from the projection: the list's rows
    /// only, never the log.
    pub fn list(&self, key: &ListKey, date: NaiveDate) -> Result<PriorityList, StoreError> {
        self.list_top(key, date, usize::MAX)
    }

    /// The first `limit` households of one priority list as of `date`,
    /// ranked as in [`list`](Self::list). The rows are stored in rank order,
    /// so this reads only the rows up to the `limit`-th household that is
    /// neither parked on `date` nor placed after it.
    pub fn list_top(
        &self,
        key: &ListKey,
        date: NaiveDate,
        limit: usize,
    ) -> Result<PriorityList, StoreError> {
        let mut entries = Vec::new();
        let mut rank = 0u32;
        for row in self.trees()[P_LISTS].scan_prefix(list_prefix(key)) {
            if entries.len() >= limit {
                break;
            }
            let (_, value) = row.map_err(backend)?;
            let row: ListRow = serde_json::from_slice(&value).map_err(|_| StoreError::Corrupt {
                position: 0,
                detail: "list row does not decode".to_owned(),
            })?;
            // Parked on `date`, or placed after it: not on the list then.
            if row.parked_until.is_none_or(|until| until <= date) && row.inputs.placed_on <= date {
                rank += 1;
                entries.push(ListEntry {
                    rank,
                    inputs: row.inputs,
                });
            }
        }
        Ok(PriorityList {
            key: key.clone(),
            entries,
        })
    }

    /// The BoS Priority List Report of one list as of `date`, top `limit`
    /// households, from the projections alone: the list's rows in rank
    /// order and the rows of the households on them, never the log nor the
    /// whole caseload (what a nightly report or a screen of today's list
    /// wants at any scale).
    pub fn list_report(
        &self,
        key: &ListKey,
        date: NaiveDate,
        limit: usize,
    ) -> Result<PriorityListReport, StoreError> {
        let list = self.list_top(key, date, limit)?;
        let mut households = BTreeMap::new();
        for entry in &list.entries {
            let id = entry.inputs.household;
            if let Some(household) = self.household(id)? {
                households.insert(id, household);
            }
        }
        Ok(PriorityListReport::of_households(&households, &list, date))
    }

    /// Every list key that has at least one row, in the rows' byte order.
    /// Reads one row of each list: after a list's first row it seeks past
    /// the list's prefix.
    pub fn list_keys(&self) -> Result<Vec<ListKey>, StoreError> {
        let lists = &self.trees()[P_LISTS];
        let mut keys: Vec<ListKey> = Vec::new();
        let mut from: Vec<u8> = Vec::new();
        while let Some(row) = lists.range(from.as_slice()..).next() {
            let (key, _) = row.map_err(backend)?;
            // The list's prefix: coalition, program and household type, each
            // ending with a 0 byte.
            let Some(end) = key
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == 0)
                .nth(2)
                .map(|(at, _)| at + 1)
            else {
                // Not a list row: go on from the key after it.
                from = key.to_vec();
                from.push(0);
                continue;
            };
            // Every row of this list starts with the prefix, whose last byte
            // is 0: the first key past them all ends with 1 there.
            from = key[..end].to_vec();
            if let Some(last) = from.last_mut() {
                *last = 1;
            }
            let mut parts = key[..end - 1].splitn(3, |b| *b == 0);
            let mut parse = || -> Option<ListKey> {
                let mut part = || std::str::from_utf8(parts.next()?).ok();
                Some(ListKey {
                    coalition: ce_core::Coalition::new(part()?),
                    program: part()?.parse().ok()?,
                    household_type: part()?.parse().ok()?,
                })
            };
            keys.extend(parse());
        }
        Ok(keys)
    }

    /// Every opening, from its projection rows (what [`caseload`](Self::caseload)
    /// holds, without loading the households).
    pub fn openings(&self) -> Result<BTreeMap<OpeningId, Opening>, StoreError> {
        read_openings(&self.trees())
    }

    /// Every referral, from its projection rows (see [`openings`](Self::openings)).
    pub fn referrals(&self) -> Result<BTreeMap<ReferralId, Referral>, StoreError> {
        read_referrals(&self.trees())
    }

    /// The whole caseload from the projections, without replaying the log.
    pub fn caseload(&self) -> Result<Caseload, StoreError> {
        // Hold the writer lock: heads, projections and the next position
        // must come from one moment, or a workflow opened from this snapshot
        // would skip the events appended in between.
        let _writer = self.lock();
        if self.poisoned.load(Ordering::Acquire) {
            return Err(poisoned());
        }
        let trees = self.trees();
        let mut versions = HashMap::new();
        for row in trees[HEADS].iter() {
            let (key, value) = row.map_err(backend)?;
            let stream: StreamId = std::str::from_utf8(&key)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or(StoreError::Corrupt {
                    position: 0,
                    detail: "stream head key is not a stream id".to_owned(),
                })?;
            let version = read_u64(&value).ok_or(StoreError::Corrupt {
                position: 0,
                detail: "stream head is not a version".to_owned(),
            })?;
            versions.insert(stream, version);
        }
        let clients: BTreeMap<ClientId, ClientRow> = projections::read_all(
            &trees[P_ENROLLMENTS],
            projections::client_id,
            "client projection does not decode",
        )?;
        let mut caseload = Caseload::default();
        caseload.set_households(projections::read_all(
            &trees[P_HOUSEHOLDS],
            projections::household_id,
            "household projection does not decode",
        )?);
        caseload.openings = read_openings(&trees)?;
        caseload.referrals = read_referrals(&trees)?;
        caseload.open_enrollments = clients
            .iter()
            .filter_map(|(id, row)| row.open.map(|h| (*id, h)))
            .collect();
        caseload.closed_enrollments = clients
            .iter()
            .filter_map(|(id, row)| row.closed.map(|d| (*id, d)))
            .collect();
        caseload.versions = versions;
        caseload.next_position = self.next_position()?;
        Ok(caseload)
    }

    /// Every projection tree's rows, for byte-for-byte comparisons.
    pub fn projection_bytes(&self) -> Result<Vec<ProjectionRow>, StoreError> {
        let mut out = Vec::new();
        for (name, tree) in TREES[FIRST_PROJECTION..]
            .iter()
            .zip(&self.trees()[FIRST_PROJECTION..])
        {
            for row in tree.iter() {
                let (k, v) = row.map_err(backend)?;
                out.push(((*name).to_owned(), k.to_vec(), v.to_vec()));
            }
        }
        Ok(out)
    }
}

/// The openings' projection rows of `trees`.
fn read_openings(trees: &[sled::Tree]) -> Result<BTreeMap<OpeningId, Opening>, StoreError> {
    projections::read_all(
        &trees[P_OPENINGS],
        projections::opening_id,
        "opening projection does not decode",
    )
}

/// The referrals' projection rows of `trees`.
fn read_referrals(trees: &[sled::Tree]) -> Result<BTreeMap<ReferralId, Referral>, StoreError> {
    projections::read_all(
        &trees[P_REFERRALS],
        projections::referral_id,
        "referral projection does not decode",
    )
}

/// Reads the list's top rows and the households on them, never the log,
/// when asked for the policy the store ranks by (a workflow on the store
/// has no other); under another policy, ranks the store's caseload.
impl ListReader for SledStore {
    fn list_report(
        &self,
        policy: &Policy,
        key: &ListKey,
        date: NaiveDate,
        limit: usize,
    ) -> Result<PriorityListReport, StoreError> {
        if policy == self.policy() {
            SledStore::list_report(self, key, date, limit)
        } else {
            list_report_by_fold(self, policy, key, date, limit)
        }
    }
}

//! The policy a store's projections are ranked by: the one it started
//! under, or the last one its log adopted.

use ce_core::{EventStore, Policy, StoreError, StreamId};

use super::SledStore;
use crate::error::SledStoreError;
use crate::keys::*;

impl SledStore {
    /// The policy the projections are ranked by.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Adopts a new policy: appends the `PolicyAdopted` event `meta`'s
    /// actor (a CE lead) records (see [`Policy::adoption`]), stores the
    /// policy and rebuilds the projections under it. Returns whether the
    /// policy changed (the same policy again changes nothing).
    pub fn set_policy(
        &mut self,
        policy: Policy,
        meta: &ce_core::CommandMeta,
    ) -> Result<bool, SledStoreError> {
        let version = EventStore::stream_version(self, &StreamId::Policy)?;
        let Some(request) = policy.clone().adoption(&self.policy, meta, version)? else {
            return Ok(false);
        };
        // The event is the change; `meta/policy` and the lists follow it
        // (and follow it on the next open, should this process stop here).
        self.append(request)?;
        self.write_policy(&policy)?;
        self.policy = policy;
        self.rebuild()?;
        Ok(true)
    }

    /// The policy the last `PolicyAdopted` event of the log adopted.
    pub(super) fn adopted_policy(&self) -> Result<Option<Policy>, StoreError> {
        let adoptions = EventStore::read_stream(self, &StreamId::Policy)?;
        Ok(adoptions.into_iter().rev().find_map(|e| match e.event {
            ce_core::Event::PolicyAdopted(adopted) => Some(*adopted.policy),
            _ => None,
        }))
    }

    /// Writes `policy` to `meta/policy`.
    pub(super) fn write_policy(&self, policy: &Policy) -> Result<(), SledStoreError> {
        let json =
            serde_json::to_vec(policy).map_err(|e| ce_core::PolicyError::Json(e.to_string()))?;
        self.trees()[META]
            .insert(POLICY, json)
            .map_err(SledStoreError::storage)?;
        Ok(())
    }

    /// Gives a new, empty store its starting policy without recording it in
    /// the log (as a store that starts under the WI BoS default does not).
    /// A backup does not carry it: a store that must keep its policy
    /// through a restore adopts it with [`set_policy`](Self::set_policy).
    /// Refused once the store holds an event.
    pub fn set_initial_policy(&mut self, policy: Policy) -> Result<(), SledStoreError> {
        let events = self.next_position()?;
        if events > 0 {
            return Err(SledStoreError::NotEmpty(events));
        }
        policy.validate()?;
        policy.check_hud_rules()?;
        self.write_policy(&policy)?;
        self.db.flush().map_err(SledStoreError::storage)?;
        self.policy = policy;
        Ok(())
    }
}

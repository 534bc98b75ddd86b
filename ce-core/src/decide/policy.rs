//! Adopting a policy: the one decision about the policy stream.

use crate::command::CommandMeta;
use crate::envelope::{NewEvent, StreamId};
use crate::event::{Event, PolicyAdopted};
use crate::policy::{Policy, PolicyError};
use crate::store::{AppendRequest, ExpectedVersion};
use crate::vocab::{EventId, Role};

impl Policy {
    /// The request that adopts this policy in place of `current`, recorded
    /// by `meta`'s actor (a CE lead) on the policy stream, at
    /// `policy_version` (the stream's version now); `None` when the two
    /// are the same policy. A changed policy must be valid and carry a
    /// higher version, or another id.
    pub fn adoption(
        self,
        current: &Policy,
        meta: &CommandMeta,
        policy_version: u64,
    ) -> Result<Option<AppendRequest>, PolicyError> {
        self.validate()?;
        if &self == current {
            return Ok(None);
        }
        self.check_hud_rules()?;
        if meta.actor.role != Role::Lead {
            return Err(PolicyError::NotLead);
        }
        if self.id == current.id && self.version <= current.version {
            return Err(PolicyError::VersionNotRaised {
                id: self.id,
                current: current.version,
                given: self.version,
            });
        }
        Ok(Some(AppendRequest {
            expected: vec![(StreamId::Policy, ExpectedVersion::Exact(policy_version))],
            events: vec![NewEvent {
                event_id: EventId(meta.command_id.derive("event", 0)),
                streams: vec![StreamId::Policy],
                effective: meta.recorded_at.date_naive(),
                recorded_at: meta.recorded_at,
                actor: meta.actor.clone(),
                event: Event::PolicyAdopted(PolicyAdopted {
                    policy: Box::new(self),
                    replaces: Box::new(current.clone()),
                }),
            }],
        }))
    }
}

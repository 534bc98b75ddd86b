//! Running a sequence: [`Created`] notes what each accepted step created,
//! so that later steps' references resolve.

use super::refs::{nth, Ref, UNKNOWN_ID};
use super::step::Step;
use crate::caseload::Snapshots;
use crate::command::{Command, CommandMeta};
use crate::error::Error;
use crate::outcome::Outcome;
use crate::vocab::{HouseholdId, OpeningId, ReferralId};
use crate::workflow::{Executed, Workflow};

/// The households, openings and referrals a sequence created so far, in
/// creation order: what [`Ref::Nth`] counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Created {
    /// Households enrolled.
    pub households: Vec<HouseholdId>,
    /// Openings posted.
    pub openings: Vec<OpeningId>,
    /// Referrals made.
    pub referrals: Vec<ReferralId>,
}

impl Created {
    /// Notes what an accepted command created.
    pub fn record(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Enrolled { household } => self.households.push(*household),
            Outcome::Posted { opening } => self.openings.push(*opening),
            Outcome::Referred { referral, .. } => self.referrals.push(*referral),
            _ => {}
        }
    }

    /// The household a [`Ref`] names.
    pub fn household(&self, r: Ref) -> HouseholdId {
        nth(
            &self.households,
            r,
            HouseholdId::from_uuid(uuid::Uuid::from_u128(UNKNOWN_ID)),
        )
    }

    /// The opening a [`Ref`] names.
    pub fn opening(&self, r: Ref) -> OpeningId {
        nth(
            &self.openings,
            r,
            OpeningId::from_uuid(uuid::Uuid::from_u128(UNKNOWN_ID)),
        )
    }

    /// The referral a [`Ref`] names.
    pub fn referral(&self, r: Ref) -> ReferralId {
        nth(
            &self.referrals,
            r,
            ReferralId::from_uuid(uuid::Uuid::from_u128(UNKNOWN_ID)),
        )
    }

    /// Step number `index` as the metadata and command a workflow executes.
    pub fn prepare<S: Snapshots>(
        &self,
        workflow: &Workflow<S>,
        index: usize,
        step: &Step,
    ) -> Result<(CommandMeta, Command), Error> {
        let caseload = workflow.caught_up()?;
        let command = step.command(self, &caseload, workflow.policy(), workflow.store());
        Ok((step.meta(index), command))
    }

    /// Runs step number `index` on `workflow` and notes what it created.
    pub fn execute<S: Snapshots>(
        &mut self,
        workflow: &Workflow<S>,
        index: usize,
        step: &Step,
    ) -> Result<Executed, Error> {
        let (meta, command) = self.prepare(workflow, index, step)?;
        let executed = workflow.execute(&meta, &command)?;
        self.record(&executed.outcome);
        Ok(executed)
    }
}

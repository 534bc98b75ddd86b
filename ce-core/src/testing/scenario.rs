//! Given/when/then: set up a caseload with commands, run one more, and check
//! the events it produces or the rule it breaks.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::fixtures::HouseholdBuilder;
use crate::caseload::Caseload;
use crate::command::{Command, CommandMeta, FollowUp, PostOpening, Refer};
use crate::decide::{decide, Decision};
use crate::error::{Error, Rejection};
use crate::event::EventType;
use crate::memory::MemoryStore;
use crate::outcome::Outcome;
use crate::policy::Policy;
use crate::store::EventStore;
use crate::vocab::{
    Actor, Coalition, CommandId, HouseholdId, ListHouseholdType, ListKey, OpeningId, ProgramType,
    ReferralId, Role,
};

/// A caseload built by running commands through `decide` and a
/// [`MemoryStore`], exactly as the workflow does.
#[derive(Debug)]
pub struct Scenario {
    store: MemoryStore,
    caseload: Caseload,
    policy: Policy,
    actor: Actor,
    recorded_at: DateTime<Utc>,
    commands: u128,
    /// Households enrolled so far, in order.
    pub households: Vec<HouseholdId>,
    /// Openings posted so far, in order.
    pub openings: Vec<OpeningId>,
    /// Referrals made so far, in order.
    pub referrals: Vec<ReferralId>,
}

impl Default for Scenario {
    fn default() -> Self {
        Self::new()
    }
}

impl Scenario {
    /// An empty caseload under the WI BoS default policy; commands are
    /// entered by a CE lead and recorded at 2026-01-01 12:00 UTC.
    pub fn new() -> Self {
        Self::with_policy(Policy::wi_bos_default())
    }

    /// An empty caseload under `policy`.
    pub fn with_policy(policy: Policy) -> Self {
        Self {
            store: MemoryStore::new(),
            caseload: Caseload::default(),
            policy,
            actor: Actor::new("lead", "BoS CE", Role::Lead),
            recorded_at: Utc
                .with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
                .single()
                .unwrap_or_default(),
            commands: 0,
            households: Vec::new(),
            openings: Vec::new(),
            referrals: Vec::new(),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The caseload so far.
    pub fn caseload(&self) -> &Caseload {
        &self.caseload
    }

    /// The store holding every event so far.
    pub fn store(&self) -> &MemoryStore {
        &self.store
    }

    /// Acts as someone else from now on.
    pub fn acting_as(&mut self, user: &str, agency: &str, role: Role) -> &mut Self {
        self.actor = Actor::new(user, agency, role);
        self
    }

    /// Records later commands at this time.
    pub fn recorded_at(&mut self, at: DateTime<Utc>) -> &mut Self {
        self.recorded_at = at;
        self
    }

    /// The metadata the next command will carry.
    pub fn next_meta(&self) -> CommandMeta {
        CommandMeta {
            command_id: CommandId(uuid::Uuid::from_u128(self.commands + 1)),
            actor: self.actor.clone(),
            recorded_at: self.recorded_at,
        }
    }

    /// Decides and stores a command; on success the caseload moves on.
    pub fn try_execute(&mut self, command: impl Into<Command>) -> Result<Outcome, Error> {
        let command = command.into();
        let meta = self.next_meta();
        self.commands += 1;
        let decision = decide(&self.caseload, &self.policy, &meta, &command)?;
        if !decision.events.is_empty() {
            for envelope in self
                .store
                .append(decision.to_request(&self.caseload, &meta))?
            {
                self.caseload.apply(&envelope);
            }
        }
        match &decision.outcome {
            Outcome::Enrolled { household } => self.households.push(*household),
            Outcome::Posted { opening } => self.openings.push(*opening),
            Outcome::Referred { referral, .. } => self.referrals.push(*referral),
            _ => {}
        }
        Ok(decision.outcome)
    }

    /// A step of the "given" part: the command must succeed.
    ///
    /// # Panics
    /// If the command is rejected: the scenario's set-up is wrong.
    pub fn given(&mut self, command: impl Into<Command>) -> Outcome {
        let command = command.into();
        match self.try_execute(command.clone()) {
            Ok(outcome) => outcome,
            Err(e) => panic!("given step rejected: {e}\ncommand: {command:?}"),
        }
    }

    /// Enrolls (as a lead) and, if the builder says so, assesses a household.
    ///
    /// # Panics
    /// If either command is rejected.
    pub fn enroll(&mut self, builder: HouseholdBuilder) -> HouseholdId {
        let household = match self.given(builder.enroll.clone()) {
            Outcome::Enrolled { household } => household,
            other => panic!("enroll gave {other:?}"),
        };
        if let Some(assess) = builder.assessment(household) {
            self.given(assess);
        }
        household
    }

    /// Posts an opening and returns its id.
    ///
    /// # Panics
    /// If the command is rejected.
    pub fn post(&mut self, opening: PostOpening) -> OpeningId {
        match self.given(opening) {
            Outcome::Posted { opening } => opening,
            other => panic!("post gave {other:?}"),
        }
    }

    /// Refers the top eligible household to `opening`.
    ///
    /// # Panics
    /// If the command is rejected.
    pub fn refer_top(&mut self, opening: OpeningId, on: NaiveDate) -> (ReferralId, HouseholdId) {
        match self.given(Refer {
            opening,
            date: on,
            household: None,
            bypass_reason: None,
        }) {
            Outcome::Referred {
                referral,
                household,
                ..
            } => (referral, household),
            other => panic!("refer gave {other:?}"),
        }
    }

    /// The households on one list as of `on`, in rank order.
    pub fn list(
        &self,
        coalition: &str,
        program: ProgramType,
        household_type: ListHouseholdType,
        on: NaiveDate,
    ) -> Vec<HouseholdId> {
        let key = ListKey {
            coalition: Coalition::new(coalition),
            program,
            household_type,
        };
        self.caseload
            .list(&self.policy, &key, on)
            .entries
            .into_iter()
            .map(|e| e.inputs.household)
            .collect()
    }

    /// The "when" part: decides a command without storing it.
    pub fn when(&self, command: impl Into<Command>) -> Then {
        Then {
            result: decide(
                &self.caseload,
                &self.policy,
                &self.next_meta(),
                &command.into(),
            ),
        }
    }

    /// Shorthand: when a follow-up with contact is recorded with this note.
    pub fn when_follow_up_with_note(
        &self,
        household: HouseholdId,
        on: NaiveDate,
        note: &str,
    ) -> Then {
        let mut command: FollowUp = super::fixtures::follow_up(household, on, 3);
        command.note = note.to_owned();
        self.when(command)
    }
}

/// The "then" part of a scenario.
#[derive(Debug)]
#[must_use = "a Then checks nothing until one of its methods runs"]
pub struct Then {
    /// What `decide` returned.
    pub result: Result<Decision, Rejection>,
}

impl Then {
    /// The command succeeds and emits events of exactly these types, in order.
    ///
    /// # Panics
    /// If it was rejected or emitted other events.
    pub fn then_expect_events(self, types: &[EventType]) -> Decision {
        match self.result {
            Ok(decision) => {
                let got: Vec<EventType> = decision.events.iter().map(|p| p.event.kind()).collect();
                assert_eq!(got, types, "unexpected events");
                decision
            }
            Err(e) => panic!("expected events {types:?}, got error: {e}"),
        }
    }

    /// The command is rejected with an error matching `expected`.
    ///
    /// # Panics
    /// If it succeeded or failed otherwise.
    pub fn then_expect_error(self, expected: impl FnOnce(&Rejection) -> bool) {
        match self.result {
            Ok(decision) => panic!("expected an error, got {:?}", decision.events),
            Err(e) => assert!(expected(&e), "unexpected error: {e:?}"),
        }
    }
}

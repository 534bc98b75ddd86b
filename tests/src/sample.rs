//! Sample events for store tests.

use ce_core::hud::Destination;
use ce_core::testing::{date, follow_up, opening, HouseholdBuilder};
use ce_core::{
    AcceptReferral, Actor, AppendRequest, ClientEnrollmentOpened, Command, CommandId, CommandMeta,
    DeclineReferral, Event, EventId, Exit, ExpectedVersion, HouseholdId, NewEvent, Outcome,
    ProgramType, Refer, Role, Snapshots, StreamId, Sweep, Workflow,
};
use chrono::{NaiveDate, TimeZone, Utc};

/// Client stream event: a client's enrollment opened in `household`.
pub fn new_event(n: u128, streams: &[StreamId]) -> NewEvent {
    NewEvent {
        event_id: EventId::from_uuid(uuid::Uuid::from_u128(n)),
        streams: streams.to_vec(),
        effective: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
        recorded_at: Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap(),
        actor: Actor::new("tester", "BoS CE", Role::Lead),
        event: Event::ClientEnrollmentOpened(ClientEnrollmentOpened {
            household: HouseholdId::from_uuid(uuid::Uuid::from_u128(n)),
        }),
    }
}

/// A client stream id from a number.
pub fn client_stream(n: u128) -> StreamId {
    StreamId::Client(ce_core::ClientId::from_uuid(uuid::Uuid::from_u128(n)))
}

/// A request appending `events` with one expected version per stream.
pub fn request(expected: &[(StreamId, ExpectedVersion)], events: Vec<NewEvent>) -> AppendRequest {
    AppendRequest {
        expected: expected.to_vec(),
        events,
    }
}

/// Runs commands through a workflow as a CE lead, with ids from a counter.
pub struct Driver<S> {
    /// The workflow.
    pub workflow: Workflow<S>,
    next: u128,
}

impl<S: Snapshots> Driver<S> {
    /// A driver over `store` under the default policy.
    pub fn new(store: S) -> Self {
        Self::from_workflow(Workflow::new(store, ce_core::Policy::wi_bos_default()).unwrap())
    }

    /// A driver over an open workflow.
    pub fn from_workflow(workflow: Workflow<S>) -> Self {
        Self {
            workflow,
            next: 1_000_000,
        }
    }

    /// Moves this driver's command ids along, so that several drivers on one
    /// store never reuse an id.
    pub fn skip_ids(&mut self, by: u128) {
        self.next += by;
    }

    /// Executes a command that must succeed.
    pub fn run(&mut self, command: impl Into<Command>) -> Outcome {
        self.try_run(command).unwrap()
    }

    /// Executes a command.
    pub fn try_run(&mut self, command: impl Into<Command>) -> Result<Outcome, ce_core::Error> {
        self.next += 1;
        let meta = CommandMeta {
            command_id: CommandId::from_uuid(uuid::Uuid::from_u128(self.next)),
            actor: Actor::new("lead", "BoS CE", Role::Lead),
            recorded_at: Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap(),
        };
        self.workflow
            .execute(&meta, command)
            .map(|executed| executed.outcome)
    }

    /// Enrolls and assesses a household.
    pub fn enroll(&mut self, builder: HouseholdBuilder) -> HouseholdId {
        let Outcome::Enrolled { household } = self.run(builder.enroll.clone()) else {
            panic!("not enrolled")
        };
        if let Some(assess) = builder.assessment(household) {
            self.run(assess);
        }
        household
    }
}

/// A small caseload touching every event type: enrollments, assessments,
/// follow-ups, an opening with a decline and an acceptance, an exit and a
/// sweep that inactivates a household.
pub fn workload<S: Snapshots>(driver: &mut Driver<S>) {
    let mut households = Vec::new();
    for i in 0..6u32 {
        let mut builder =
            HouseholdBuilder::single_adult(if i % 2 == 0 { "Coulee" } else { "Central" })
                .client(ce_core::testing::client(u128::from(i) + 1))
                .disabled()
                .placed_with_score(8 + i);
        if i % 3 == 0 {
            builder = builder.chronic();
        }
        if i == 4 {
            builder = builder.with_child();
        }
        households.push(driver.enroll(builder));
    }
    for (i, household) in households.iter().enumerate() {
        if i != 5 {
            driver.run(follow_up(*household, date(2025, 2, 1), 3));
        }
    }
    let Outcome::Posted { opening } =
        driver.run(opening(ProgramType::Psh, "Coulee", date(2025, 2, 2)))
    else {
        panic!("not posted")
    };
    let refer = Refer {
        opening,
        date: date(2025, 2, 3),
        household: None,
        bypass_reason: None,
    };
    let Outcome::Referred { referral, .. } = driver.run(refer.clone()) else {
        panic!("not referred")
    };
    driver.run(DeclineReferral {
        referral,
        date: date(2025, 2, 4),
        reason: "client-location".into(),
        text: None,
    });
    let Outcome::Referred { referral, .. } = driver.run(Refer {
        date: date(2025, 2, 5),
        ..refer
    }) else {
        panic!("not referred")
    };
    driver.run(AcceptReferral {
        referral,
        date: date(2025, 2, 6),
    });
    driver.run(Exit {
        member_destinations: Default::default(),
        destination_subsidy: None,
        household: households[2],
        date: date(2025, 2, 7),
        destination: Destination::RENTAL_NO_SUBSIDY,
        reason: "Found an apartment on their own.".into(),
    });
    driver.run(Sweep {
        as_of: date(2025, 4, 15),
    });
}

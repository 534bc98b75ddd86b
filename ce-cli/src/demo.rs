//! `ce demo`: a synthetic but realistic Balance of State caseload, entered
//! day by day through the real commands, then one coalition's PSH lists.
//! Deterministic for a seed: ids, dates and choices all come from it, so a
//! run on a store that holds the beginning of its demo (a `ce demo` killed
//! part way) can tell, and finishes it.

use std::collections::BTreeMap;

use ce_core::hud::{
    AssessmentLevel, AssessmentType, CurrentSituation, Destination, MonthsHomeless, NoYesReasons,
    PriorSituation, PrioritizationStatus, RelationshipToHoH, TimesHomeless,
};
use ce_core::report::PriorityListReport;
use ce_core::{
    AcceptReferral, Actor, Assess, AttemptContact, Caseload, ClientId, Coalition, Command,
    CommandId, CommandMeta, ConsentDecision, ConsentScope, ContactMethod, CurrentLivingSituation,
    DeclineReferral, Enroll, Envelope, Error, EventId, EventStore, Exit, ExpireReferrals, FollowUp,
    HouseholdId, ListHouseholdType, ListKey, Member, MemoryStore, OpeningId, Outcome, PostOpening,
    PriorLivingSituation, ProgramType, RecordConsent, Refer, ReferralId, Rejection, Role,
    StatusUpdate, Sweep, Workflow,
};
use chrono::{Days, NaiveDate, TimeZone, Utc};
use serde_json::json;

use crate::args::DemoArgs;
use crate::context::{CliWorkflow, Ctx};
use crate::error::CliError;

const COALITIONS: [&str; 4] = ["Coulee", "Central", "Fox Cities", "Rock Walworth"];
const SHOWN: &str = "Coulee";
/// Invented names for the demo's clients (no real person's data).
const FIRST_NAMES: [&str; 16] = [
    "Alex", "Blair", "Casey", "Dana", "Eli", "Frankie", "Gale", "Harper", "Indy", "Jordan", "Kai",
    "Lee", "Morgan", "Noel", "Quinn", "Riley",
];
const LAST_NAMES: [&str; 12] = [
    "Example",
    "Sample",
    "Placeholder",
    "Testcase",
    "Demo",
    "Fictional",
    "Madeup",
    "Specimen",
    "Mockup",
    "Pretend",
    "Standin",
    "Dummy",
];

/// Why a store that begins with this seed's demo cannot be shown as one.
const UNFINISHED: &str = "the store holds a demo that did not finish, or one made with \
another --households, or other data entered into an unfinished demo: run the `ce demo` that \
started it (same --seed and --households) to finish it, or remove the store's directory, or \
pass --store with a new directory";

/// SplitMix64: a tiny generator whose output is fixed forever for a seed,
/// which is what a reproducible demo needs (rand's StdRng may change).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `lo..hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }
    /// True with probability `percent`%.
    fn chance(&mut self, percent: u64) -> bool {
        self.range(0, 100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as u64) as usize]
    }
}

/// Something to do on a day of the simulation.
#[derive(Debug, Clone)]
enum Action {
    Enroll(usize),
    Assess(usize),
    Contact(usize),
    Post,
    Refer,
    Resolve(ReferralId, OpeningId, usize),
    Exit(usize, bool),
    Sweep,
    Expire,
}

/// A run on a store that already holds (the beginning of) this demo: a
/// `ce demo` killed part way leaves its first commands stored and not the
/// rest. The demo is decided again on an in-memory store, each event
/// checked against the one stored at its position, up to the end of the
/// store; from there (when `finish`) it goes on on the store itself.
struct Replay {
    workflow: Workflow<MemoryStore>,
    /// Events in the store when the run began.
    stored: u64,
    /// Events the replay has decided so far.
    decided: u64,
    /// Whether to finish the demo on the store where the store ends.
    finish: bool,
    /// The first position where the store differs from the demo.
    differs: Option<u64>,
    /// The demo goes on past the store's end (and `finish` is off, or the
    /// store ends inside one command).
    short: bool,
}

impl Replay {
    fn new(ctx: &Ctx, stored: u64, finish: bool) -> Result<Self, CliError> {
        // The demo ran under the policy in force before any adoption (an
        // adoption after it is data entered since, as verify reads it).
        let policy = ctx
            .store()
            .policy_before_adoptions()?
            .unwrap_or_else(|| ctx.policy().clone());
        Ok(Self {
            workflow: Workflow::new(MemoryStore::new(), policy)?,
            stored,
            decided: 0,
            finish,
            differs: None,
            short: false,
        })
    }

    /// Whether the store is not (a beginning of) this demo.
    fn gave_up(&self) -> bool {
        self.differs.is_some() || self.short
    }

    /// Checks the events the replay decided against the store's.
    fn check(&mut self, store: &impl EventStore, events: &[Envelope]) -> Result<(), Error> {
        for event in events {
            self.decided = event.position + 1;
            if self.gave_up() {
                continue;
            }
            if event.position >= self.stored {
                self.short = true;
            } else if store.read_from(event.position, 1)?.first() != Some(event) {
                self.differs = Some(event.position);
            }
        }
        Ok(())
    }

    /// Whether the replay has reached the store's end and goes on there.
    fn hands_over(&self) -> bool {
        self.finish && !self.gave_up() && self.decided == self.stored
    }
}

/// What a run found in the store and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filled {
    /// The store held the whole demo (and perhaps more entered since).
    Complete,
    /// The store held the beginning of the demo; the run finished it.
    Finished,
    /// The store is not this demo, or not all of it (see [`Replay`]).
    Other,
}

struct Sim<'a> {
    workflow: &'a CliWorkflow,
    /// Set while the run replays what the store already holds.
    replay: Option<Replay>,
    rng: Rng,
    seed: u64,
    commands: u64,
    agenda: BTreeMap<NaiveDate, Vec<Action>>,
    enrolls: Vec<(Enroll, u64)>,
    households: Vec<Option<HouseholdId>>,
    by_household: BTreeMap<HouseholdId, usize>,
    silent: Vec<bool>,
    openings: Vec<(OpeningId, String)>,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(date)
}

fn minus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).unwrap_or(date)
}

impl Sim<'_> {
    fn command_id(&self, n: u64) -> CommandId {
        CommandId::from_uuid(uuid::Uuid::from_u64_pair(self.seed, n))
    }

    fn at(&mut self, date: NaiveDate, action: Action) {
        self.agenda.entry(date).or_default().push(action);
    }

    fn run(
        &mut self,
        date: NaiveDate,
        actor: Actor,
        command: impl Into<Command>,
    ) -> Result<Outcome, Error> {
        let meta = CommandMeta {
            command_id: self.command_id(self.commands),
            actor,
            recorded_at: Utc
                .from_utc_datetime(&plus(date, 1).and_hms_opt(17, 0, 0).unwrap_or_default()),
        };
        self.commands += 1;
        let command = command.into();
        let Some(replay) = self.replay.as_mut() else {
            return self.workflow.execute(&meta, &command).map(|e| e.outcome);
        };
        let executed = replay.workflow.execute(&meta, &command)?;
        replay.check(self.workflow.store(), &executed.events)?;
        if replay.hands_over() {
            self.replay = None;
        }
        Ok(executed.outcome)
    }

    /// Whether `opening` is open with no live referral, in the caseload
    /// the demo is deciding against.
    fn opening_free(&self, opening: OpeningId) -> Result<bool, Error> {
        let free = |caseload: &Caseload| {
            caseload.openings.get(&opening).is_some_and(|o| {
                o.status == ce_core::OpeningStatus::Open && o.live_referral.is_none()
            })
        };
        match &self.replay {
            Some(replay) => Ok(free(&*replay.workflow.caught_up()?)),
            None => Ok(free(&*self.workflow.caught_up()?)),
        }
    }

    fn access(&self, i: usize) -> Actor {
        let coalition = self
            .enrolls
            .get(i)
            .map_or("BoS", |(e, _)| e.coalition.0.as_str());
        Actor::new(
            "access-staff",
            format!("{coalition} access point"),
            Role::Access,
        )
    }

    fn household(&mut self, i: usize, start: NaiveDate) -> Enroll {
        let rng = &mut self.rng;
        let coalition = *rng.pick(&COALITIONS);
        let kind = rng.range(0, 10);
        let head_age = if kind == 9 {
            rng.range(18, 25)
        } else {
            rng.range(25, 70)
        };
        // Most households CE prioritizes for PSH report a disabling condition.
        let disabled = rng.chance(60);
        let last_name = *rng.pick(&LAST_NAMES);
        let client = |n: u64| {
            ClientId::from_uuid(uuid::Uuid::from_u64_pair(
                !0 - self.seed,
                (i as u64) << 8 | n,
            ))
        };
        let mut members = vec![Member {
            client: client(0),
            relationship: RelationshipToHoH::SelfHeadOfHousehold,
            birth_date: Some(minus(start, head_age * 365 + rng.range(0, 300))),
            veteran: if rng.chance(8) {
                NoYesReasons::Yes
            } else {
                NoYesReasons::No
            },
            disabling_condition: if disabled {
                NoYesReasons::Yes
            } else {
                NoYesReasons::No
            },
            first_name: Some((*rng.pick(&FIRST_NAMES)).to_owned()),
            last_name: Some(last_name.to_owned()),
            age_band: None,
            sealed: None,
        }];
        if (6..9).contains(&kind) {
            for n in 1..=rng.range(1, 4) {
                members.push(Member {
                    client: client(n),
                    relationship: RelationshipToHoH::Child,
                    birth_date: Some(minus(start, rng.range(1, 17) * 365)),
                    veteran: NoYesReasons::DataNotCollected,
                    disabling_condition: if rng.chance(10) {
                        NoYesReasons::Yes
                    } else {
                        NoYesReasons::No
                    },
                    first_name: Some((*rng.pick(&FIRST_NAMES)).to_owned()),
                    last_name: Some(last_name.to_owned()),
                    age_band: None,
                    sealed: None,
                });
            }
        }
        let (prior, current) = match rng.range(0, 20) {
            0..=7 => (
                PriorSituation::PLACE_NOT_MEANT_FOR_HABITATION,
                CurrentSituation::PLACE_NOT_MEANT_FOR_HABITATION,
            ),
            8..=16 => (
                PriorSituation::EMERGENCY_SHELTER,
                CurrentSituation::EMERGENCY_SHELTER,
            ),
            17 => (PriorSituation::SAFE_HAVEN, CurrentSituation::SAFE_HAVEN),
            _ => (
                PriorSituation::STAYING_WITH_FAMILY,
                CurrentSituation::STAYING_WITH_FAMILY,
            ),
        };
        let times = *rng.pick(&[
            TimesHomeless::OneTime,
            TimesHomeless::TwoTimes,
            TimesHomeless::ThreeTimes,
            TimesHomeless::FourOrMoreTimes,
        ]);
        let months =
            MonthsHomeless::from_months(rng.range(1, 16) as u8).unwrap_or(MonthsHomeless::OneMonth);
        Enroll {
            coalition: Coalition::new(coalition),
            project_start: start,
            members,
            prior: PriorLivingSituation {
                stay: Default::default(),
                living_situation: prior,
                episode_start: Some(minus(start, rng.range(10, 900))),
                times_homeless: times,
                months_homeless: months,
            },
            current: CurrentLivingSituation::new(current),
            referred_by: None,
            restricted: false,
        }
    }

    fn step(&mut self, date: NaiveDate, action: Action) -> Result<(), CliError> {
        let lead = Actor::new("ce-lead", "BoS CE", Role::Lead);
        match action {
            Action::Enroll(i) => {
                let (mut enroll, _) = self.enrolls[i].clone();
                // A few households are survivors referred by a victim
                // service provider: no personal data, only its reference.
                let referred = self.rng.chance(3);
                if referred {
                    for member in &mut enroll.members {
                        member.age_band = member.band_at(enroll.project_start);
                        member.birth_date = None;
                        member.first_name = None;
                        member.last_name = None;
                    }
                    enroll.current.location_details = None;
                    enroll.referred_by = Some(ce_core::ReferralContact {
                        agency: ce_core::AgencyId("Safe Harbor DV Services".to_owned()),
                        reference: format!("SH-{}", 1000 + i),
                        contact: "advocate line 608-555-0100".to_owned(),
                    });
                }
                enroll.restricted = !referred && self.rng.chance(3);
                let head = enroll.members.first().map(|m| m.client);
                let access = self.access(i);
                if let Outcome::Enrolled { household } = self.run(date, access.clone(), enroll)? {
                    self.households[i] = Some(household);
                    self.by_household.insert(household, i);
                    // Most heads sign the release of information for the
                    // whole CoC; some for referrals only, some decline.
                    if let (false, Some(client)) = (referred, head) {
                        let (decision, scope) = match self.rng.range(0, 10) {
                            0 => (ConsentDecision::Refused, ConsentScope::Coc),
                            1 | 2 => (ConsentDecision::Given, ConsentScope::Referrals),
                            _ => (ConsentDecision::Given, ConsentScope::Coc),
                        };
                        self.run(
                            date,
                            access,
                            RecordConsent {
                                household,
                                client,
                                date,
                                decision,
                                scope,
                                expires: None,
                            },
                        )?;
                    }
                }
            }
            Action::Assess(i) => {
                let Some(household) = self.households[i] else {
                    return Ok(());
                };
                let score = self.enrolls[i].1 as u32;
                let placed = self.rng.chance(85);
                let assessment_type = *self.rng.pick(&[
                    AssessmentType::InPerson,
                    AssessmentType::Phone,
                    AssessmentType::Virtual,
                ]);
                self.run(
                    date,
                    self.access(i),
                    Assess {
                        household,
                        date,
                        location: "Access point".into(),
                        assessment_type,
                        level: AssessmentLevel::HousingNeedsAssessment,
                        answers: vec![],
                        results: vec![ce_core::AssessmentResultEntry {
                            result_type: "Pre-Screen score".into(),
                            result: score.to_string(),
                        }],
                        score: Some(score),
                        prioritization: if placed {
                            PrioritizationStatus::PlacedOnPrioritizationList
                        } else {
                            PrioritizationStatus::NotPlacedOnPrioritizationList
                        },
                    },
                )?;
            }
            Action::Contact(i) => {
                let Some(household) = self.households[i] else {
                    return Ok(());
                };
                let next = plus(date, self.rng.range(20, 45));
                let outcome = if self.silent[i] || self.rng.chance(25) {
                    let method = *self.rng.pick(&[
                        ContactMethod::Phone,
                        ContactMethod::Text,
                        ContactMethod::Email,
                    ]);
                    let left_message = self.rng.chance(50);
                    self.run(
                        date,
                        self.access(i),
                        AttemptContact {
                            household,
                            date,
                            method,
                            left_message,
                            note: "Tried to reach the household about the list; no answer.".into(),
                        },
                    )
                } else {
                    let months = MonthsHomeless::from_months(self.rng.range(2, 14) as u8)
                        .unwrap_or(MonthsHomeless::OneMonth);
                    let (residence, current) = if self.rng.chance(50) {
                        (
                            PriorSituation::EMERGENCY_SHELTER,
                            CurrentSituation::EMERGENCY_SHELTER,
                        )
                    } else {
                        (
                            PriorSituation::PLACE_NOT_MEANT_FOR_HABITATION,
                            CurrentSituation::PLACE_NOT_MEANT_FOR_HABITATION,
                        )
                    };
                    self.run(date, self.access(i), FollowUp {
                        household,
                        date,
                        status: StatusUpdate { residence, months_homeless: months },
                        current: CurrentLivingSituation::new(current),
                        note: "Checked in about housing; still looking and wants to stay on the list.".into(),
                    })
                };
                match outcome {
                    Ok(_) => self.at(next, Action::Contact(i)),
                    Err(Error::Rejected(Rejection::HouseholdExited { .. })) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Action::Post => {
                let coalition = *self.rng.pick(&COALITIONS);
                let program_type = *self.rng.pick(&[
                    ProgramType::Psh,
                    ProgramType::Psh,
                    ProgramType::Rrh,
                    ProgramType::Rrh,
                    ProgramType::Th,
                ]);
                let agency = format!("{coalition} {program_type} provider");
                let units = self.rng.range(1, 3) as u32;
                let outcome = self.run(
                    date,
                    Actor::new("provider-staff", agency.clone(), Role::Provider),
                    PostOpening {
                        date,
                        program: format!(
                            "{coalition} {} program",
                            program_type.as_str().to_uppercase()
                        ),
                        program_type,
                        coalition: Coalition::new(coalition),
                        household_types: ListHouseholdType::ALL.to_vec(),
                        chronic_only: false,
                        veterans_only: false,
                        units,
                    },
                )?;
                if let Outcome::Posted { opening } = outcome {
                    self.openings.push((opening, agency));
                }
            }
            Action::Refer => {
                for (opening, agency) in self.openings.clone() {
                    if !self.opening_free(opening)? {
                        continue;
                    }
                    match self.run(
                        date,
                        lead.clone(),
                        Refer {
                            opening,
                            date,
                            household: None,
                            bypass_reason: None,
                        },
                    ) {
                        Ok(Outcome::Referred {
                            referral,
                            household,
                            ..
                        }) => {
                            let i = self.by_household.get(&household).copied().unwrap_or(0);
                            // About one referral in twenty is never answered and expires.
                            if !self.rng.chance(5) {
                                let when = plus(date, self.rng.range(2, 9));
                                self.at(when, Action::Resolve(referral, opening, i));
                            }
                            let _ = agency;
                        }
                        Ok(_) | Err(Error::Rejected(Rejection::NoEligibleHousehold(_))) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            Action::Resolve(referral, opening, i) => {
                let agency = self
                    .openings
                    .iter()
                    .find(|(o, _)| *o == opening)
                    .map_or_else(String::new, |(_, a)| a.clone());
                let provider = Actor::new("provider-staff", agency, Role::Provider);
                let roll = self.rng.range(0, 100);
                let outcome = if roll < 55 {
                    let accepted = self.run(date, provider, AcceptReferral { referral, date });
                    if accepted.is_ok() {
                        let when = plus(date, self.rng.range(7, 30));
                        self.at(when, Action::Exit(i, true));
                    }
                    accepted
                } else {
                    let reason = if roll < 80 {
                        *self.rng.pick(&[
                            "client-not-interested",
                            "client-location",
                            "client-unreachable",
                        ])
                    } else {
                        *self
                            .rng
                            .pick(&["provider-ineligible", "provider-no-capacity"])
                    };
                    self.run(
                        date,
                        provider,
                        DeclineReferral {
                            referral,
                            date,
                            reason: reason.into(),
                            text: None,
                        },
                    )
                };
                match outcome {
                    Ok(_) | Err(Error::Rejected(Rejection::ReferralResolved { .. })) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Action::Exit(i, housed) => {
                let Some(household) = self.households[i] else {
                    return Ok(());
                };
                let (destination, reason) = if housed {
                    (
                        Destination::RENTAL_NO_SUBSIDY,
                        "Moved into the program's housing.",
                    )
                } else {
                    (
                        Destination::STAYING_WITH_FAMILY_PERMANENT_TENURE,
                        "Moved in with family for good.",
                    )
                };
                match self.run(
                    date,
                    self.access(i),
                    Exit {
                        member_destinations: Default::default(),
                        destination_subsidy: None,
                        household,
                        date,
                        destination,
                        reason: reason.into(),
                    },
                ) {
                    Ok(_)
                    | Err(Error::Rejected(Rejection::HouseholdExited { .. }))
                    | Err(Error::Rejected(Rejection::BeforeLastActivity { .. })) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Action::Sweep => {
                self.run(date, lead, Sweep { as_of: date })?;
            }
            Action::Expire => {
                self.run(date, lead, ExpireReferrals { as_of: date })?;
            }
        }
        Ok(())
    }
}

/// The first day of the demo.
fn first_day() -> NaiveDate {
    day(2025, 1, 6)
}

/// The day the demo stops before, and the lists are printed for.
fn last_day() -> NaiveDate {
    day(2025, 10, 1)
}

/// `ce demo [--households N] [--seed S]`.
pub fn run(ctx: &Ctx, args: &DemoArgs) -> Result<(), CliError> {
    let first = CommandId::from_uuid(uuid::Uuid::from_u64_pair(args.seed, 0));
    let stored = ctx.store().next_position()?;
    let already = ctx
        .store()
        .position_of(EventId::from_uuid(first.derive("event", 0)))?
        == Some(0);
    if stored > 0 && !already {
        return Err(CliError::NotEmpty { events: stored });
    }
    if stored == 0 {
        fill(ctx, args.seed, args.households, None)?;
        return print_lists(ctx, last_day());
    }
    // The store begins with this seed's demo: the whole of it, or what a
    // run killed part way stored. Only the demo decided again can tell.
    let replay = Replay::new(ctx, stored, true)?;
    let mut filled = fill(ctx, args.seed, args.households, Some(replay))?;
    if filled == Filled::Other {
        // A whole demo made with another --households (which enrolls
        // every one of its households) still prints again.
        let made = demo_households(&*ctx.workflow()?.caught_up()?, args.seed);
        if made != args.households {
            let replay = Replay::new(ctx, stored, false)?;
            filled = fill(ctx, args.seed, made, Some(replay))?;
        }
    }
    match filled {
        Filled::Complete => {}
        Filled::Finished => crate::output::to_stderr(&format!(
            "note: finished the demo a previous `ce demo` left unfinished \
             ({stored} of its events were stored)"
        )),
        Filled::Other => return Err(CliError::Usage(UNFINISHED)),
    }
    print_lists(ctx, last_day())
}

/// How many households of the store the demo of `seed` enrolled (their
/// heads' client ids come from the seed, see [`Sim::household`]).
fn demo_households(caseload: &Caseload, seed: u64) -> u32 {
    let head = |m: &Member| {
        let (high, low) = m.client.as_uuid().as_u64_pair();
        high == !0 - seed && low & 0xff == 0
    };
    let count = caseload
        .households()
        .values()
        .filter(|h| h.members.iter().any(head))
        .count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// Runs the demo of `seed` with `size` households: on the store, or first
/// replayed against what the store holds (see [`Replay`]).
fn fill(ctx: &Ctx, seed: u64, size: u32, replay: Option<Replay>) -> Result<Filled, CliError> {
    let (start, end) = (first_day(), last_day());
    let stored = replay.as_ref().map_or(0, |r| r.stored);
    let mut sim = Sim {
        workflow: ctx.workflow()?,
        replay,
        rng: Rng(seed),
        seed,
        commands: 0,
        agenda: BTreeMap::new(),
        enrolls: Vec::new(),
        households: Vec::new(),
        by_household: BTreeMap::new(),
        silent: Vec::new(),
        openings: Vec::new(),
    };
    let n = size as usize;
    let mut starts: Vec<NaiveDate> = (0..n).map(|_| plus(start, sim.rng.range(0, 230))).collect();
    starts.sort();
    for (i, date) in starts.into_iter().enumerate() {
        let enroll = sim.household(i, date);
        let score = sim.rng.range(3, 17);
        sim.enrolls.push((enroll, score));
        sim.households.push(None);
        sim.silent.push(sim.rng.chance(15));
        sim.at(date, Action::Enroll(i));
        let assess_on = plus(date, sim.rng.range(0, 4));
        sim.at(assess_on, Action::Assess(i));
        let contact_on = plus(date, sim.rng.range(20, 40));
        sim.at(contact_on, Action::Contact(i));
        if sim.rng.chance(4) {
            let exit_on = plus(date, sim.rng.range(30, 120));
            sim.at(exit_on, Action::Exit(i, false));
        }
    }
    // About one opening for every seven households, spread over the year.
    let span = (end - start).num_days().max(15) as u64;
    for _ in 0..(n / 7).max(5) {
        let on = plus(start, sim.rng.range(14, span));
        sim.at(on, Action::Post);
    }
    let mut date = plus(start, 15);
    while date < end {
        sim.at(date, Action::Refer);
        date = plus(date, 2);
    }
    // The lead sweeps and expires every week, and on the eve of the day
    // the lists are printed for, as a nightly job would: no listed
    // household is 90 days without contact, no referral past its due day
    // by more than a week.
    let mut date = plus(start, 7);
    while date < end {
        sim.at(date, Action::Sweep);
        sim.at(date, Action::Expire);
        date = plus(date, 7);
    }
    sim.at(minus(end, 1), Action::Sweep);
    sim.at(minus(end, 1), Action::Expire);
    let bar = crate::output::progress(ctx.out, (end - start).num_days().max(0) as u64, "demo");
    'days: while let Some((date, actions)) = sim.agenda.pop_first() {
        if date >= end {
            break;
        }
        for action in actions {
            sim.step(date, action)?;
            if sim.replay.as_ref().is_some_and(Replay::gave_up) {
                break 'days;
            }
        }
        bar.set_position((date - start).num_days().max(0) as u64);
    }
    bar.finish_and_clear();
    Ok(match sim.replay {
        Some(replay) if replay.gave_up() => Filled::Other,
        _ if ctx.store().next_position()? > stored => Filled::Finished,
        _ => Filled::Complete,
    })
}

fn print_lists(ctx: &Ctx, as_of: NaiveDate) -> Result<(), CliError> {
    let caseload = ctx.workflow()?.caught_up()?;
    let reports: Vec<PriorityListReport> = ListHouseholdType::ALL
        .iter()
        .map(|t| {
            let key = ListKey {
                coalition: Coalition::new(SHOWN),
                program: ProgramType::Psh,
                household_type: *t,
            };
            PriorityListReport::new(&caseload, &caseload.list(ctx.policy(), &key, as_of), as_of)
        })
        .collect();
    let text = format!(
        "{} events, {} households, {} openings, {} referrals\n\n{}",
        caseload.next_position,
        caseload.households().len(),
        caseload.openings.len(),
        caseload.referrals.len(),
        reports
            .iter()
            .map(crate::output::report_table)
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    ctx.out.emit(
        text.trim_end(),
        &json!({ "events": caseload.next_position, "lists": reports }),
    );
    Ok(())
}

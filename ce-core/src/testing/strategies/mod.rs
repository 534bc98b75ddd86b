//! Proptest strategies (feature `testing`): households, assessments,
//! policies, and whole command sequences mixing valid and invalid commands.
//! An HMIS tool that embeds ce can reuse them to property-test its own rules
//! on top of ours (see `examples/property_testing.rs`).
//!
//! A sequence is a `Vec<Step>`: who acts, on which date, doing what. Steps
//! name earlier households, openings and referrals counting back from the
//! latest ([`Ref`]); [`Created`] resolves them when the step runs, so a
//! sequence stays meaningful whichever of its commands are rejected, and a
//! failure shrinks to a short list that reads like a case history (with
//! [`policy_variation`], the policy prints as one line too):
//!
//! ```text
//! variation = WI BoS default policy, steps = [
//!     2025-01-06 provider Couleecap: post psh opening in Coulee for [adults-only, with-children, youth], 1 unit,
//!     2025-01-06 access: enroll household in Coulee: head 25 (client 1); prior 116, times 1, months 101,
//!     2025-01-06 access: assess household[latest]: score 8, placed,
//!     2025-01-06 lead: refer the top household to opening[latest],
//!     2025-01-05 (entered 2025-01-06) lead: withdraw opening[latest],
//! ]
//! ```
//!
//! Running a sequence on a workflow:
//!
//! ```
//! use ce_core::testing::proptest::prelude::*;
//! use ce_core::testing::proptest::test_runner::TestRunner;
//! use ce_core::testing::{policy, steps, Created};
//! use ce_core::{MemoryStore, Workflow};
//!
//! let mut runner = TestRunner::default();
//! runner
//!     .run(&(policy(), steps(1..=20)), |(policy, steps)| {
//!         let workflow = Workflow::new(MemoryStore::new(), policy).unwrap();
//!         let mut created = Created::default();
//!         for (i, step) in steps.iter().enumerate() {
//!             // Rejections are expected: the sequence mixes in invalid commands.
//!             let _ = created.execute(&workflow, i, step);
//!         }
//!         prop_assert!(created.households.len() <= steps.len());
//!         Ok(())
//!     })
//!     .unwrap();
//! ```

use std::fmt;

use chrono::{DateTime, Days, Months, NaiveDate, NaiveTime, Utc};
use proptest::prelude::*;
use proptest::sample::select;

/// The proptest this crate's strategies are built with, so that a crate
/// using them needs no proptest dependency of its own (and never a second,
/// incompatible version).
pub use proptest;

use crate::caseload::Caseload;
use crate::caseload::Snapshots;
use crate::command::{
    AcceptReferral, AcknowledgeReferral, AddMember, Assess, AttemptContact, ChangeHead, Command,
    CommandMeta, Correct, DeclineReferral, Enroll, Exit, ExpireReferrals, FollowUp, PostOpening,
    RecordCeEvent, Refer, RemoveMember, Sweep, WithdrawOpening,
};
use crate::envelope::{Envelope, NewEvent, StreamId, StreamVersion};
use crate::error::Error;
use crate::event::ContactAttempted;
use crate::event::Event;
use crate::hud::{
    AssessmentLevel, AssessmentType, CeEventType, CurrentSituation, Destination, LivingSituation,
    MonthsHomeless, NoYesMissing, NoYesReasons, PriorSituation, PrioritizationStatus,
    ReferralResult, RelationshipToHoH, RentalSubsidyType, TimesHomeless,
};
use crate::outcome::Outcome;
use crate::policy::DeclineConsequence;
use crate::policy::{OrderKey, Policy};
use crate::record::{
    AssessmentResultEntry, CeNote, ContactMethod, CurrentLivingSituation, Member,
    PriorLivingSituation, StatusUpdate,
};
use crate::store::EventStore;
use crate::vocab::Coalition;
use crate::vocab::ListHouseholdType;
use crate::vocab::ProgramType;
use crate::vocab::{Actor, Role};
use crate::vocab::{ClientId, CommandId, EventId, HouseholdId, OpeningId, ReferralId};
use crate::workflow::{Executed, Workflow};

/// The coalitions generated households and openings belong to. Two, so that
/// lists are split and an opening sometimes draws from the other coalition.
pub const COALITIONS: &[&str] = &["Coulee", "Central"];

/// A coalition no policy knows: enrollments and openings naming it are
/// rejected.
pub const UNKNOWN_COALITION: &str = "Atlantis";

/// The agencies providers act for. A provider acting on the other agency's
/// opening is rejected.
pub const PROVIDER_AGENCIES: &[&str] = &["Couleecap", "Catholic Charities"];

/// The agency access point staff act for.
pub const ACCESS_AGENCY: &str = "Access point";

/// The CE lead's agency.
pub const LEAD_AGENCY: &str = "BoS CE";

/// Clients are numbered 1 to this ([`crate::testing::client`]); households
/// draw from one pool so that they sometimes share a client, which "one open
/// CE enrollment per client" must then reject.
pub const CLIENT_POOL: u8 = 40;

/// The first day of every generated sequence (a Monday).
pub const SEQUENCE_START: NaiveDate = match NaiveDate::from_ymd_opt(2025, 1, 6) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// Ids that no command ever creates (created ids are UUID v5).
const UNKNOWN_ID: u128 = 0xdead_0000_0000_0000_0000_0000_0000_0000;
/// A client that is in no household.
const UNKNOWN_CLIENT: u128 = 0xdead;
/// Command ids of step `i` are this plus `i`.
const COMMAND_ID_BASE: u128 = 0x5e9_0000;

// ------------------------------------------------------------------ pieces

/// An entity created by an earlier step, counted back from the most
/// recent one, so that "enroll, then assess it" is the simplest sequence.
/// (Coalitions, members and decline reasons are named the same way; their
/// fields say what `n` counts.)
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Ref {
    /// The n-th most recently created (0: the latest), counted modulo how
    /// many exist when the step runs; an unknown id while there are none.
    Nth(u8),
    /// An id that was never created.
    Unknown,
}

impl fmt::Debug for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ref::Nth(0) => f.write_str("[latest]"),
            Ref::Nth(n) => write!(f, "[latest-{n}]"),
            Ref::Unknown => f.write_str("[unknown]"),
        }
    }
}

fn nth<T: Copy>(items: &[T], r: Ref, unknown: T) -> T {
    match r {
        Ref::Nth(n) if !items.is_empty() => items[items.len() - 1 - usize::from(n) % items.len()],
        _ => unknown,
    }
}

/// A free-text field: usually fine, sometimes blank or over every limit.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Text {
    /// A sentence that passes every check.
    Fine,
    /// Only spaces.
    Blank,
    /// 1,001 characters: over every ce text limit.
    TooLong,
}

impl Text {
    /// The text: `fine` when [`Text::Fine`].
    pub fn resolve(self, fine: &str) -> String {
        match self {
            Text::Fine => fine.to_owned(),
            Text::Blank => "   ".to_owned(),
            Text::TooLong => "x".repeat(1_001),
        }
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Text::Fine => "ok",
            Text::Blank => "blank",
            Text::TooLong => "too long",
        })
    }
}

/// Who issues a step.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Who {
    /// Access point staff (enroll, assess, follow up, exit).
    Access,
    /// A housing provider of `PROVIDER_AGENCIES[n % 2]`.
    Provider(u8),
    /// The CE lead (anything).
    Lead,
}

impl Who {
    /// The acting user, agency and role.
    pub fn actor(self) -> Actor {
        match self {
            Who::Access => Actor::new("avery", ACCESS_AGENCY, Role::Access),
            Who::Provider(n) => Actor::new(
                "sam",
                PROVIDER_AGENCIES[usize::from(n) % PROVIDER_AGENCIES.len()],
                Role::Provider,
            ),
            Who::Lead => Actor::new("lee", LEAD_AGENCY, Role::Lead),
        }
    }
}

impl fmt::Debug for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::Access => f.write_str("access"),
            Who::Provider(_) => write!(f, "provider {}", self.actor().agency),
            Who::Lead => f.write_str("lead"),
        }
    }
}

fn relationship_name(r: RelationshipToHoH) -> &'static str {
    match r {
        RelationshipToHoH::SelfHeadOfHousehold => "head",
        RelationshipToHoH::Child => "child",
        RelationshipToHoH::SpouseOrPartner => "partner",
        RelationshipToHoH::OtherRelative => "relative",
        RelationshipToHoH::UnrelatedMember => "unrelated",
        RelationshipToHoH::DataNotCollected => "relationship-99",
    }
}

fn coalition(r: Ref) -> &'static str {
    match r {
        Ref::Nth(n) => COALITIONS[usize::from(n) % COALITIONS.len()],
        Ref::Unknown => UNKNOWN_COALITION,
    }
}

/// A date `years` whole years and 30 days before `on` (the age on `on`).
fn born(on: NaiveDate, years: u8) -> Option<NaiveDate> {
    on.checked_sub_months(Months::new(12 * u32::from(years)))?
        .checked_sub_days(Days::new(30))
}

// -------------------------------------------------------------- households

/// One household member, with an age instead of a birth date so that the
/// same member fits any project start.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MemberSpec {
    /// Client number in the pool ([`crate::testing::client`]).
    pub client: u8,
    /// 3.15 relationship to the head of household.
    pub relationship: RelationshipToHoH,
    /// Age at project start; `None` for an unknown birth date.
    pub age: Option<u8>,
    /// 3.08 disabling condition.
    pub disabled: bool,
    /// 3.07 veteran.
    pub veteran: bool,
}

impl MemberSpec {
    /// The member, with a birth date giving its age on `on`.
    pub fn member(&self, on: NaiveDate) -> Member {
        let yes_no = |yes| {
            if yes {
                NoYesReasons::Yes
            } else {
                NoYesReasons::No
            }
        };
        Member {
            client: crate::testing::client(u128::from(self.client)),
            relationship: self.relationship,
            birth_date: self.age.and_then(|age| born(on, age)),
            veteran: yes_no(self.veteran),
            disabling_condition: yes_no(self.disabled),
            first_name: None,
            last_name: None,
        }
    }
}

impl fmt::Debug for MemberSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(relationship_name(self.relationship))?;
        match self.age {
            Some(age) => write!(f, " {age}")?,
            None => f.write_str(" of unknown age")?,
        }
        write!(f, " (client {}", self.client)?;
        if self.disabled {
            f.write_str(", disabled")?;
        }
        if self.veteran {
            f.write_str(", veteran")?;
        }
        f.write_str(")")
    }
}

/// 3.917 Prior Living Situation, with the episode start as days before
/// project start.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PriorSpec {
    /// Where the head stayed the night before project start.
    pub situation: PriorSituation,
    /// Days from the episode start to project start, if known.
    pub episode_days: Option<u16>,
    /// Times homeless in the past three years.
    pub times: TimesHomeless,
    /// Months homeless in the past three years.
    pub months: MonthsHomeless,
}

impl PriorSpec {
    /// The 3.917 record for a project starting on `on`.
    pub fn prior(&self, on: NaiveDate) -> PriorLivingSituation {
        PriorLivingSituation {
            stay: Default::default(),
            living_situation: self.situation,
            episode_start: self
                .episode_days
                .and_then(|days| on.checked_sub_days(Days::new(u64::from(days)))),
            times_homeless: self.times,
            months_homeless: self.months,
        }
    }
}

impl fmt::Debug for PriorSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "prior {}", self.situation.code())?;
        if let Some(days) = self.episode_days {
            write!(f, ", episode {days} days")?;
        }
        write!(
            f,
            ", times {}, months {}",
            self.times.code(),
            self.months.code()
        )
    }
}

/// A household to enroll: coalition, members (the first is normally the
/// head) and 3.917.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct HouseholdSpec {
    /// An index into [`COALITIONS`], or [`UNKNOWN_COALITION`].
    pub coalition: Ref,
    /// Members.
    pub members: Vec<MemberSpec>,
    /// 3.917 of the head of household.
    pub prior: PriorSpec,
}

impl HouseholdSpec {
    /// The enrollment command for a project start on `on`, from the street.
    pub fn enroll(&self, on: NaiveDate) -> Enroll {
        let street = CurrentSituation::PLACE_NOT_MEANT_FOR_HABITATION;
        let current = match CurrentSituation::try_from(self.prior.situation.situation()) {
            Ok(same) if self.prior.situation.situation().is_homeless() => same,
            _ => street,
        };
        Enroll {
            coalition: Coalition::new(coalition(self.coalition)),
            project_start: on,
            members: self.members.iter().map(|m| m.member(on)).collect(),
            prior: self.prior.prior(on),
            current: CurrentLivingSituation {
                verified_by: Some("BoS Coordinated Entry".to_owned()),
                ..CurrentLivingSituation::new(current)
            },
        }
    }
}

impl fmt::Debug for HouseholdSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "household in {}: ", coalition(self.coalition))?;
        for (i, member) in self.members.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{member:?}")?;
        }
        write!(f, "; {:?}", self.prior)
    }
}

/// Client numbers `first`, `first + 1`, ... wrapping within the pool.
fn client_no(first: u8, offset: u8) -> u8 {
    (first.wrapping_sub(1).wrapping_add(offset)) % CLIENT_POOL + 1
}

fn head(client: u8, age: Option<u8>, disabled: bool, veteran: bool) -> MemberSpec {
    MemberSpec {
        client,
        relationship: RelationshipToHoH::SelfHeadOfHousehold,
        age,
        disabled,
        veteran,
    }
}

fn dependant(client: u8, relationship: RelationshipToHoH, age: u8) -> MemberSpec {
    MemberSpec {
        client,
        relationship,
        age: Some(age),
        disabled: false,
        veteran: false,
    }
}

/// Household compositions producing every list household type: single
/// adults, youth (18–24) alone or with a child, adults with children,
/// couples, unaccompanied minors, and adults of unknown age. The head is
/// first; `disabled` is the head's disabling condition.
fn members(disabled: BoolStrategy) -> impl Strategy<Value = Vec<MemberSpec>> {
    let first = 1..=CLIENT_POOL;
    let veteran = prop::bool::weighted(0.15);
    prop_oneof![
        4 => (first.clone(), 25u8..=70, disabled, veteran)
            .prop_map(|(c, age, d, v)| vec![head(c, Some(age), d, v)]),
        2 => (first.clone(), 18u8..=24, disabled)
            .prop_map(|(c, age, d)| vec![head(c, Some(age), d, false)]),
        2 => (first.clone(), 22u8..=55, disabled, prop::collection::vec(0u8..=17, 1..=3))
            .prop_map(|(c, age, d, kids)| {
                let mut m = vec![head(c, Some(age), d, false)];
                m.extend(kids.into_iter().zip(1u8..).map(|(kid, i)| {
                    dependant(client_no(c, i), RelationshipToHoH::Child, kid)
                }));
                m
            }),
        1 => (first.clone(), 18u8..=24, disabled, 0u8..=5).prop_map(|(c, age, d, kid)| {
            vec![
                head(c, Some(age), d, false),
                dependant(client_no(c, 1), RelationshipToHoH::Child, kid),
            ]
        }),
        1 => (first.clone(), 25u8..=70, 18u8..=70, disabled, veteran).prop_map(
            |(c, age, partner, d, v)| {
                vec![
                    head(c, Some(age), d, v),
                    dependant(client_no(c, 1), RelationshipToHoH::SpouseOrPartner, partner),
                ]
            }
        ),
        1 => (first.clone(), 15u8..=17, disabled, prop::option::of(0u8..=17)).prop_map(
            |(c, age, d, sibling)| {
                let mut m = vec![head(c, Some(age), d, false)];
                m.extend(sibling.map(|s| {
                    dependant(client_no(c, 1), RelationshipToHoH::OtherRelative, s)
                }));
                m
            }
        ),
        1 => (first, disabled).prop_map(|(c, d)| vec![head(c, None, d, false)]),
    ]
}

type BoolStrategy = prop::bool::Weighted;

fn prior_situations(filter: fn(LivingSituation) -> bool) -> Vec<PriorSituation> {
    LivingSituation::ALL
        .iter()
        .filter(|s| filter(**s))
        .filter_map(|s| PriorSituation::try_from(*s).ok())
        .collect()
}

fn current_situations(filter: fn(LivingSituation) -> bool) -> Vec<CurrentSituation> {
    LivingSituation::ALL
        .iter()
        .filter(|s| filter(**s))
        .filter_map(|s| CurrentSituation::try_from(*s).ok())
        .collect()
}

/// Any 3.917 answers, weighted toward the street and shelters.
fn any_prior() -> impl Strategy<Value = PriorSpec> {
    (
        prop_oneof![
            3 => select(prior_situations(LivingSituation::is_literally_homeless)),
            2 => select(prior_situations(|_| true)),
        ],
        prop::option::of(0u16..=700),
        select(TimesHomeless::ALL),
        select(MonthsHomeless::ALL),
    )
        .prop_map(|(situation, episode_days, times, months)| PriorSpec {
            situation,
            episode_days,
            times,
            months,
        })
}

/// 3.917 answers that make a disabled head chronically homeless: from the
/// street, a shelter or a safe haven (or an institution entered from one)
/// with a year-long episode, or four or more times totalling twelve months.
fn chronic_prior() -> impl Strategy<Value = PriorSpec> {
    let homeless = select(prior_situations(LivingSituation::is_literally_homeless));
    let institution = select(prior_situations(LivingSituation::is_institutional));
    prop_oneof![
        (
            homeless.clone(),
            365u16..=1_000,
            select(TimesHomeless::ALL),
            select(MonthsHomeless::ALL)
        )
            .prop_map(|(situation, days, times, months)| PriorSpec {
                situation,
                episode_days: Some(days),
                times,
                months,
            }),
        (
            homeless,
            prop::option::of(0u16..=364),
            select(vec![
                MonthsHomeless::TwelveMonths,
                MonthsHomeless::MoreThanTwelveMonths
            ])
        )
            .prop_map(|(situation, episode_days, months)| PriorSpec {
                situation,
                episode_days,
                times: TimesHomeless::FourOrMoreTimes,
                months,
            }),
        (institution, 365u16..=1_000).prop_map(|(situation, days)| PriorSpec {
            situation,
            episode_days: Some(days),
            times: TimesHomeless::FourOrMoreTimes,
            months: MonthsHomeless::MoreThanTwelveMonths,
        }),
    ]
}

/// Mostly the first coalition, so that households and openings meet.
fn known_coalition() -> impl Strategy<Value = Ref> {
    prop_oneof![6 => Just(Ref::Nth(0)), 1 => Just(Ref::Nth(1))]
}

/// A household whose head is chronically homeless (disabled, with a
/// chronic 3.917), of any composition, in a known coalition.
pub fn chronic_household() -> impl Strategy<Value = HouseholdSpec> {
    (
        known_coalition(),
        members(prop::bool::weighted(1.0)),
        chronic_prior(),
    )
        .prop_map(|(coalition, members, prior)| HouseholdSpec {
            coalition,
            members,
            prior,
        })
}

/// A valid household to enroll: any composition and 3.917 answers, chronic
/// or not, in a known coalition, with one head and distinct clients.
pub fn household() -> impl Strategy<Value = HouseholdSpec> {
    let any = (
        known_coalition(),
        members(prop::bool::weighted(0.4)),
        any_prior(),
    )
        .prop_map(|(coalition, members, prior)| HouseholdSpec {
            coalition,
            members,
            prior,
        });
    prop_oneof![7 => any, 3 => chronic_household()]
}

/// An enrollment command for a valid household with project start `on`.
pub fn enrollment(on: NaiveDate) -> impl Strategy<Value = Enroll> {
    household().prop_map(move |spec| spec.enroll(on))
}

/// What can be wrong with an enrollment, rarely.
#[derive(Debug, Clone, Copy)]
enum Defect {
    None,
    UnknownCoalition,
    NoHead,
    TwoHeads,
    DuplicateClient,
}

/// A household as a step enrolls it: usually valid, sometimes in an
/// unknown coalition, without a head, with two, or listing a client twice.
fn household_with_defects() -> impl Strategy<Value = HouseholdSpec> {
    let defect = prop_oneof![
        24 => Just(Defect::None),
        1 => Just(Defect::UnknownCoalition),
        1 => Just(Defect::NoHead),
        1 => Just(Defect::TwoHeads),
        1 => Just(Defect::DuplicateClient),
    ];
    (household(), defect).prop_map(|(mut spec, defect)| {
        match defect {
            Defect::None => {}
            Defect::UnknownCoalition => spec.coalition = Ref::Unknown,
            Defect::NoHead => {
                for m in &mut spec.members {
                    if m.relationship == RelationshipToHoH::SelfHeadOfHousehold {
                        m.relationship = RelationshipToHoH::UnrelatedMember;
                    }
                }
            }
            Defect::TwoHeads => {
                let second = MemberSpec {
                    client: client_no(spec.members.first().map_or(1, |m| m.client), 7),
                    relationship: RelationshipToHoH::SelfHeadOfHousehold,
                    age: Some(30),
                    disabled: false,
                    veteran: false,
                };
                spec.members.push(second);
            }
            Defect::DuplicateClient => {
                if let Some(first) = spec.members.first().cloned() {
                    spec.members.push(MemberSpec {
                        relationship: RelationshipToHoH::OtherRelative,
                        ..first
                    });
                }
            }
        }
        spec
    })
}

/// A member to add to an existing household: usually a child or another
/// adult, sometimes a second head of household (rejected).
fn added_member() -> impl Strategy<Value = MemberSpec> {
    (
        1..=CLIENT_POOL,
        prop_oneof![
            4 => Just(RelationshipToHoH::Child),
            2 => Just(RelationshipToHoH::SpouseOrPartner),
            1 => Just(RelationshipToHoH::OtherRelative),
            1 => Just(RelationshipToHoH::UnrelatedMember),
            1 => Just(RelationshipToHoH::SelfHeadOfHousehold),
        ],
        prop::option::of(0u8..=70),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(client, relationship, age, disabled)| MemberSpec {
            client,
            relationship,
            age,
            disabled,
            veteran: false,
        })
}

// ------------------------------------------------------------- assessments

/// A 4.19 assessment: score, placed or not, and its location field.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AssessmentSpec {
    /// The prioritization score, if the tool gives one.
    pub score: Option<u32>,
    /// Placed on the prioritization lists.
    pub placed: bool,
    /// Phone, virtual or in person.
    pub assessment_type: AssessmentType,
    /// Crisis or housing needs.
    pub level: AssessmentLevel,
    /// The 4.19 location (required, at most 250 characters).
    pub location: Text,
}

impl AssessmentSpec {
    /// The assessment command for `household` on `on`.
    pub fn assess(&self, household: HouseholdId, on: NaiveDate) -> Assess {
        Assess {
            household,
            date: on,
            location: self.location.resolve("La Crosse access point"),
            assessment_type: self.assessment_type,
            level: self.level,
            answers: Vec::new(),
            results: self
                .score
                .map(|score| AssessmentResultEntry {
                    result_type: "Pre-Screen & Barriers score".to_owned(),
                    result: score.to_string(),
                })
                .into_iter()
                .collect(),
            score: self.score,
            prioritization: if self.placed {
                PrioritizationStatus::PlacedOnPrioritizationList
            } else {
                PrioritizationStatus::NotPlacedOnPrioritizationList
            },
        }
    }
}

impl fmt::Debug for AssessmentSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.score {
            Some(score) => write!(f, "score {score}")?,
            None => f.write_str("no score")?,
        }
        f.write_str(if self.placed {
            ", placed"
        } else {
            ", not placed"
        })?;
        if self.assessment_type != AssessmentType::InPerson
            || self.level != AssessmentLevel::HousingNeedsAssessment
        {
            write!(
                f,
                ", type {} level {}",
                self.assessment_type.code(),
                self.level.code()
            )?;
        }
        if self.location != Text::Fine {
            write!(f, ", location {:?}", self.location)?;
        }
        Ok(())
    }
}

fn text() -> impl Strategy<Value = Text> {
    prop_oneof![18 => Just(Text::Fine), 1 => Just(Text::Blank), 1 => Just(Text::TooLong)]
}

fn assessment_with(location: BoxedStrategy<Text>) -> impl Strategy<Value = AssessmentSpec> {
    (
        prop_oneof![
            3 => (0u32..=7).prop_map(Some),
            6 => (8u32..=20).prop_map(Some),
            1 => Just(None),
        ],
        prop::bool::weighted(0.85),
        prop_oneof![3 => Just(AssessmentType::InPerson), 1 => select(AssessmentType::ALL)],
        prop_oneof![
            3 => Just(AssessmentLevel::HousingNeedsAssessment),
            1 => select(AssessmentLevel::ALL)
        ],
        location,
    )
        .prop_map(
            |(score, placed, assessment_type, level, location)| AssessmentSpec {
                score,
                placed,
                assessment_type,
                level,
                location,
            },
        )
}

/// A valid assessment: a score from 0 to 20, mostly 8 or more (the default
/// PSH floor), sometimes none; usually placing the household on the lists.
pub fn assessment_spec() -> impl Strategy<Value = AssessmentSpec> {
    assessment_with(Just(Text::Fine).boxed())
}

/// A valid assessment command for `household` on `on`.
pub fn assessment(household: HouseholdId, on: NaiveDate) -> impl Strategy<Value = Assess> {
    assessment_spec().prop_map(move |spec| spec.assess(household, on))
}

// ---------------------------------------------------------------- contacts

/// A follow-up with contact: 4.12, months homeless and the CE note.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ContactSpec {
    /// 4.12 Current Living Situation.
    pub situation: CurrentSituation,
    /// Subsidy type (valid only with 435).
    pub subsidy: Option<RentalSubsidyType>,
    /// Months homeless in the Status Update.
    pub months: MonthsHomeless,
    /// The CE note (1 to 1,000 characters).
    pub note: Text,
}

impl ContactSpec {
    /// The follow-up command for `household` on `on`.
    pub fn follow_up(&self, household: HouseholdId, on: NaiveDate) -> FollowUp {
        let residence = PriorSituation::try_from(self.situation.situation())
            .unwrap_or(PriorSituation::PLACE_NOT_MEANT_FOR_HABITATION);
        FollowUp {
            household,
            date: on,
            status: StatusUpdate {
                residence,
                months_homeless: self.months,
            },
            current: CurrentLivingSituation {
                subsidy: self.subsidy,
                verified_by: Some("BoS Coordinated Entry".to_owned()),
                ..CurrentLivingSituation::new(self.situation)
            },
            note: self
                .note
                .resolve("Talked about housing options and next steps."),
        }
    }
}

impl fmt::Debug for ContactSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "living situation {}, months {}",
            self.situation.code(),
            self.months.code()
        )?;
        if let Some(subsidy) = self.subsidy {
            write!(f, ", subsidy {}", subsidy.code())?;
        }
        if self.note != Text::Fine {
            write!(f, ", note {:?}", self.note)?;
        }
        Ok(())
    }
}

fn contact() -> impl Strategy<Value = ContactSpec> {
    (
        prop_oneof![
            3 => select(current_situations(|s| {
                s.is_literally_homeless() || s == LivingSituation::TransitionalHousing
            })),
            2 => select(current_situations(|_| true)),
        ],
        prop_oneof![9 => Just(None), 1 => select(RentalSubsidyType::ALL).prop_map(Some)],
        select(MonthsHomeless::ALL),
        text(),
    )
        .prop_map(|(situation, subsidy, months, note)| ContactSpec {
            situation,
            subsidy,
            months,
            note,
        })
}

// ---------------------------------------------------------------- openings

/// An opening to post.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OpeningSpec {
    /// Program type.
    pub program_type: ProgramType,
    /// An index into [`COALITIONS`], or [`UNKNOWN_COALITION`].
    pub coalition: Ref,
    /// Household types served (empty is rejected).
    pub household_types: Vec<ListHouseholdType>,
    /// Chronic only.
    pub chronic_only: bool,
    /// Veterans only.
    pub veterans_only: bool,
    /// Units (0 is rejected).
    pub units: u32,
    /// The program's name.
    pub program: Text,
}

impl OpeningSpec {
    /// The command posting it on `on`.
    pub fn post(&self, on: NaiveDate) -> PostOpening {
        let coalition = coalition(self.coalition);
        PostOpening {
            date: on,
            program: self
                .program
                .resolve(&format!("{coalition} {} program", self.program_type)),
            program_type: self.program_type,
            coalition: Coalition::new(coalition),
            household_types: self.household_types.clone(),
            chronic_only: self.chronic_only,
            veterans_only: self.veterans_only,
            units: self.units,
        }
    }
}

impl fmt::Debug for OpeningSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let types: Vec<&str> = self.household_types.iter().map(|t| t.as_str()).collect();
        write!(
            f,
            "{} opening in {} for [{}], {} unit{}",
            self.program_type,
            coalition(self.coalition),
            types.join(", "),
            self.units,
            if self.units == 1 { "" } else { "s" }
        )?;
        if self.chronic_only {
            f.write_str(", chronic only")?;
        }
        if self.veterans_only {
            f.write_str(", veterans only")?;
        }
        if self.program != Text::Fine {
            write!(f, ", program name {:?}", self.program)?;
        }
        Ok(())
    }
}

fn opening() -> impl Strategy<Value = OpeningSpec> {
    (
        prop_oneof![
            4 => Just(ProgramType::Psh),
            4 => Just(ProgramType::Rrh),
            2 => Just(ProgramType::Th),
            1 => select(ProgramType::ALL),
        ],
        prop_oneof![20 => known_coalition(), 1 => Just(Ref::Unknown)],
        prop_oneof![
            12 => Just(ListHouseholdType::ALL.to_vec()),
            6 => prop::sample::subsequence(ListHouseholdType::ALL, 1..=3),
            1 => Just(Vec::new()),
        ],
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.05),
        prop_oneof![12 => Just(1u32), 4 => Just(2u32), 1 => Just(0u32)],
        text(),
    )
        .prop_map(
            |(
                program_type,
                coalition,
                household_types,
                chronic_only,
                veterans_only,
                units,
                program,
            )| {
                OpeningSpec {
                    program_type,
                    coalition,
                    household_types,
                    chronic_only,
                    veterans_only,
                    units,
                    program,
                }
            },
        )
}

/// An opening that posts: a known coalition, a household type, a unit.
fn valid_opening() -> impl Strategy<Value = OpeningSpec> {
    opening().prop_map(|mut spec| {
        if spec.coalition == Ref::Unknown {
            spec.coalition = Ref::Nth(0);
        }
        if spec.household_types.is_empty() {
            spec.household_types = ListHouseholdType::ALL.to_vec();
        }
        spec.units = spec.units.max(1);
        spec.program = Text::Fine;
        spec
    })
}

// ---------------------------------------------------------------- policies

/// A variation of [`Policy::wi_bos_default`]: the settings a CoC tunes.
/// Its `Debug` lists only those settings, so a failing case stays short.
#[derive(Clone, PartialEq, Eq)]
pub struct PolicyVariation {
    /// Days without contact before a sweep inactivates a household.
    pub inactivity_days: u32,
    /// Days before a referral without a result is overdue.
    pub referral_overdue_days: u32,
    /// The "most severe service needs" score of the CPD-16-11 tiers.
    pub severe_needs_score: u32,
    /// PSH score floors: without children, with children.
    pub psh_floors: (u32, u32),
    /// TH score floors: without children, with children.
    pub th_floors: (u32, u32),
    /// RRH score floor.
    pub rrh_floor: u32,
    /// Days a "client unreachable" decline parks the household.
    pub parked_days: u32,
    /// PSH ordering keys.
    pub psh_order: Vec<OrderKey>,
    /// TH and RRH ordering keys (one order for both, as in the defaults).
    pub th_rrh_order: Vec<OrderKey>,
}

impl PolicyVariation {
    /// The settings of [`Policy::wi_bos_default`].
    pub fn wi_bos_default() -> Self {
        let policy = Policy::wi_bos_default();
        let floors = |program| {
            policy.program(program).map_or((0, 0), |rule| {
                let e = &rule.eligibility;
                (
                    e.min_score_without_children.unwrap_or(0),
                    e.min_score_with_children.unwrap_or(0),
                )
            })
        };
        let order = |program| policy.order(program).to_vec();
        let parked_days = policy
            .decline_reasons
            .iter()
            .find_map(|reason| match reason.consequence {
                DeclineConsequence::Parked { days } => Some(days),
                DeclineConsequence::StaysOnList => None,
            })
            .unwrap_or(0);
        Self {
            inactivity_days: policy.inactivity_days,
            referral_overdue_days: policy.referral_overdue_days,
            severe_needs_score: policy.severe_needs_score,
            psh_floors: floors(ProgramType::Psh),
            th_floors: floors(ProgramType::Th),
            rrh_floor: floors(ProgramType::Rrh).0,
            parked_days,
            psh_order: order(ProgramType::Psh),
            th_rrh_order: order(ProgramType::Th),
        }
    }

    /// The policy: the WI BoS defaults with these settings.
    pub fn policy(&self) -> Policy {
        let mut policy = Policy::wi_bos_default();
        if *self == Self::wi_bos_default() {
            return policy;
        }
        policy.id = "wi-bos-variant".to_owned();
        policy.inactivity_days = self.inactivity_days;
        policy.referral_overdue_days = self.referral_overdue_days;
        policy.severe_needs_score = self.severe_needs_score;
        for rule in &mut policy.programs {
            let e = &mut rule.eligibility;
            let ((single, family), order) = match rule.program {
                ProgramType::Psh => (self.psh_floors, &self.psh_order),
                ProgramType::Th => (self.th_floors, &self.th_rrh_order),
                _ => ((self.rrh_floor, self.rrh_floor), &self.th_rrh_order),
            };
            e.min_score_without_children = Some(single);
            e.min_score_with_children = Some(family);
            rule.order.clone_from(order);
        }
        for reason in &mut policy.decline_reasons {
            if let DeclineConsequence::Parked { days } = &mut reason.consequence {
                *days = self.parked_days;
            }
        }
        policy
    }
}

impl fmt::Debug for PolicyVariation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Self::wi_bos_default() {
            return f.write_str("WI BoS default policy");
        }
        write!(
            f,
            "policy: inactive after {} days, overdue after {} days, severe needs {}, \
             floors PSH {}/{} TH {}/{} RRH {}, parked {} days, PSH order {:?}, TH/RRH order {:?}",
            self.inactivity_days,
            self.referral_overdue_days,
            self.severe_needs_score,
            self.psh_floors.0,
            self.psh_floors.1,
            self.th_floors.0,
            self.th_floors.1,
            self.rrh_floor,
            self.parked_days,
            self.psh_order,
            self.th_rrh_order
        )
    }
}

/// The default value, or one from `range`; shrinks toward the default.
fn default_or(
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> impl Strategy<Value = u32> + Clone {
    prop_oneof![Just(default), range]
}

fn order(default: Vec<OrderKey>) -> impl Strategy<Value = Vec<OrderKey>> {
    prop_oneof![Just(default.clone()), Just(default).prop_shuffle()]
}

/// Variations of the WI BoS default policy: inactivity days (30–120),
/// overdue days (3–20), score floors (0–12), the severe-needs score, parking
/// days, and shuffled ordering keys. Every variation is a valid policy.
pub fn policy_variation() -> impl Strategy<Value = PolicyVariation> {
    let d = PolicyVariation::wi_bos_default();
    (
        default_or(d.inactivity_days, 30..=120),
        default_or(d.referral_overdue_days, 3..=20),
        default_or(d.severe_needs_score, 6..=16),
        (
            default_or(d.psh_floors.0, 0..=12),
            default_or(d.psh_floors.1, 0..=12),
        ),
        (
            default_or(d.th_floors.0, 0..=12),
            default_or(d.th_floors.1, 0..=12),
        ),
        default_or(d.rrh_floor, 0..=8),
        default_or(d.parked_days, 1..=30),
        order(d.psh_order),
        order(d.th_rrh_order),
    )
        .prop_map(
            |(
                inactivity_days,
                referral_overdue_days,
                severe_needs_score,
                psh_floors,
                th_floors,
                rrh_floor,
                parked_days,
                psh_order,
                th_rrh_order,
            )| PolicyVariation {
                inactivity_days,
                referral_overdue_days,
                severe_needs_score,
                psh_floors,
                th_floors,
                rrh_floor,
                parked_days,
                psh_order,
                th_rrh_order,
            },
        )
}

/// Policies: [`policy_variation`] as a [`Policy`].
pub fn policy() -> impl Strategy<Value = Policy> {
    policy_variation().prop_map(|v| v.policy())
}

// ------------------------------------------------------------- corrections

/// What a correction changes, and so which earlier event it corrects.
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Correction {
    /// The score of the latest assessment.
    Score(u32),
    /// Whether the latest assessment placed the household.
    Placed(bool),
    /// 3.917 months homeless, in the enrollment.
    PriorMonths(MonthsHomeless),
    /// The coalition, in the enrollment (an index into [`COALITIONS`]).
    Coalition(Ref),
    /// The Status Update's months homeless, in the latest contact.
    ContactMonths(MonthsHomeless),
    /// The 4.12 code of the latest contact, valid for 4.12 or not.
    ContactSituation(u16),
    /// The CE note of the latest contact or attempt.
    Note(Text),
    /// An empty patch on the latest event (rejected either way).
    Nothing,
}

impl Correction {
    /// Whether `event` is the kind this correction corrects.
    pub fn fits(&self, event: &Event) -> bool {
        match self {
            Correction::Score(_) | Correction::Placed(_) => {
                matches!(event, Event::AssessmentRecorded(_))
            }
            Correction::PriorMonths(_) | Correction::Coalition(_) => {
                matches!(event, Event::HouseholdEnrolled(_))
            }
            Correction::ContactMonths(_) | Correction::ContactSituation(_) => {
                matches!(event, Event::ContactMade(_))
            }
            Correction::Note(_) => {
                matches!(event, Event::ContactMade(_) | Event::ContactAttempted(_))
            }
            Correction::Nothing => true,
        }
    }

    /// The JSON merge patch of the corrected event's data.
    pub fn patch(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Correction::Score(score) => json!({ "assessment": { "score": score } }),
            Correction::Placed(placed) => {
                json!({ "assessment": { "prioritization": if *placed { 1 } else { 2 } } })
            }
            Correction::PriorMonths(m) => json!({ "prior": { "months_homeless": m.code() } }),
            Correction::Coalition(r) => json!({ "coalition": coalition(*r) }),
            Correction::ContactMonths(m) => json!({ "status": { "months_homeless": m.code() } }),
            Correction::ContactSituation(code) => {
                json!({ "current": { "living_situation": code } })
            }
            Correction::Note(text) => {
                json!({ "note": text.resolve("Talked about a unit in Onalaska.") })
            }
            Correction::Nothing => json!({}),
        }
    }
}

impl fmt::Debug for Correction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Correction::Score(score) => write!(f, "assessment score {score}"),
            Correction::Placed(true) => f.write_str("assessment placed"),
            Correction::Placed(false) => f.write_str("assessment not placed"),
            Correction::PriorMonths(m) => write!(f, "3.917 months {}", m.code()),
            Correction::Coalition(r) => write!(f, "coalition {}", coalition(*r)),
            Correction::ContactMonths(m) => write!(f, "contact months {}", m.code()),
            Correction::ContactSituation(code) => write!(f, "contact living situation {code}"),
            Correction::Note(text) => write!(f, "note {text:?}"),
            Correction::Nothing => f.write_str("nothing"),
        }
    }
}

fn correction() -> impl Strategy<Value = Correction> {
    prop_oneof![
        3 => (0u32..=20).prop_map(Correction::Score),
        2 => any::<bool>().prop_map(Correction::Placed),
        1 => select(MonthsHomeless::ALL).prop_map(Correction::PriorMonths),
        1 => known_coalition().prop_map(Correction::Coalition),
        1 => select(MonthsHomeless::ALL).prop_map(Correction::ContactMonths),
        1 => prop_oneof![
            select(LivingSituation::ALL.iter().map(|s| s.code()).collect::<Vec<_>>()),
            Just(0u16),
        ]
        .prop_map(Correction::ContactSituation),
        1 => text().prop_map(Correction::Note),
        1 => Just(Correction::Nothing),
    ]
}

// ------------------------------------------------------------------- steps

/// What a step does. Households, openings, referrals and members are named
/// by [`Ref`]; text fields by [`Text`].
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// Enroll a household (Part 1).
    Enroll(HouseholdSpec),
    /// Record a 4.19 assessment.
    Assess {
        /// The household.
        household: Ref,
        /// The assessment.
        assessment: AssessmentSpec,
    },
    /// Follow up with contact.
    FollowUp {
        /// The household.
        household: Ref,
        /// What was recorded.
        contact: ContactSpec,
    },
    /// Try to reach a household and fail.
    AttemptContact {
        /// The household.
        household: Ref,
        /// How staff tried.
        method: ContactMethod,
        /// Whether a message was left.
        left_message: bool,
        /// The CE note.
        note: Text,
    },
    /// Record a 4.20 event on a household (not an offer of an opening).
    RecordCeEvent {
        /// The household.
        household: Ref,
        /// 4.20 Event code, 1–18.
        code: u16,
        /// ReferralResult and the days from the event to its result; with
        /// an event that carries no result, the command is rejected.
        result: Option<(ReferralResult, u8)>,
    },
    /// Add a member.
    AddMember {
        /// The household.
        household: Ref,
        /// The new member.
        member: MemberSpec,
    },
    /// Remove a member (counted back from the last member; unknown: a
    /// client in no household).
    RemoveMember {
        /// The household.
        household: Ref,
        /// Which member.
        member: Ref,
    },
    /// Make another member the head of household.
    ChangeHead {
        /// The household.
        household: Ref,
        /// The new head (counted back from the last member).
        member: Ref,
        /// The former head's new relationship.
        former_head: RelationshipToHoH,
    },
    /// Exit a household.
    Exit {
        /// The household.
        household: Ref,
        /// 3.12 destination.
        destination: Destination,
        /// Why.
        reason: Text,
    },
    /// Post an opening (Part 2).
    PostOpening(OpeningSpec),
    /// Withdraw an opening.
    WithdrawOpening {
        /// The opening.
        opening: Ref,
        /// Why.
        reason: Text,
    },
    /// Refer the top household, or a named one, to an opening.
    Refer {
        /// The opening.
        opening: Ref,
        /// A specific household instead of the top one.
        household: Option<Ref>,
        /// A bypass reason.
        bypass: Option<Text>,
    },
    /// The provider acknowledges a referral.
    Acknowledge {
        /// The referral.
        referral: Ref,
    },
    /// The referral succeeds.
    Accept {
        /// The referral.
        referral: Ref,
    },
    /// The client or provider declines.
    Decline {
        /// The referral.
        referral: Ref,
        /// The policy's decline reason number n (counted from the first,
        /// modulo their number); unknown: a code the policy does not list.
        reason: Ref,
        /// Explanation.
        text: Option<Text>,
    },
    /// The inactivity sweep, as of the step's date.
    Sweep,
    /// Expire overdue referrals, as of the step's date.
    ExpireReferrals,
    /// Correct the household's latest event the correction fits (its
    /// latest event if none fits).
    Correct {
        /// The household.
        household: Ref,
        /// What changes.
        correction: Correction,
        /// Why (required).
        reason: Text,
    },
}

impl Action {
    /// The role that may normally issue the action, for provider actions of
    /// `PROVIDER_AGENCIES[agency]` (2: the CE lead).
    fn fitting(&self, agency: u8) -> Who {
        let provider = if agency >= 2 {
            Who::Lead
        } else {
            Who::Provider(agency)
        };
        match self {
            Action::Enroll(_)
            | Action::Assess { .. }
            | Action::FollowUp { .. }
            | Action::AttemptContact { .. }
            | Action::RecordCeEvent { .. }
            | Action::AddMember { .. }
            | Action::RemoveMember { .. }
            | Action::ChangeHead { .. }
            | Action::Exit { .. }
            | Action::Correct { .. } => Who::Access,
            Action::PostOpening(_)
            | Action::WithdrawOpening { .. }
            | Action::Acknowledge { .. }
            | Action::Accept { .. }
            | Action::Decline { .. } => provider,
            Action::Refer { .. } | Action::Sweep | Action::ExpireReferrals => Who::Lead,
        }
    }
}

fn decline_code(r: Ref) -> String {
    match r {
        Ref::Nth(n) => {
            let reasons = Policy::wi_bos_default().decline_reasons;
            match reasons.get(usize::from(n) % reasons.len().max(1)) {
                Some(reason) => format!("reason #{n} ({})", reason.code),
                None => format!("reason #{n}"),
            }
        }
        Ref::Unknown => "an unknown reason".to_owned(),
    }
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Enroll(spec) => write!(f, "enroll {spec:?}"),
            Action::Assess {
                household,
                assessment,
            } => write!(f, "assess household{household:?}: {assessment:?}"),
            Action::FollowUp { household, contact } => {
                write!(f, "follow up with household{household:?}: {contact:?}")
            }
            Action::AttemptContact {
                household,
                method,
                left_message,
                note,
            } => {
                write!(
                    f,
                    "attempt contact with household{household:?} by {method:?}"
                )?;
                if *left_message {
                    f.write_str(", left a message")?;
                }
                if *note != Text::Fine {
                    write!(f, ", note {note:?}")?;
                }
                Ok(())
            }
            Action::RecordCeEvent {
                household,
                code,
                result,
            } => {
                write!(f, "record 4.20 event {code} on household{household:?}")?;
                if let Some((result, days)) = result {
                    write!(f, ", result {result:?} {days} days later")?;
                }
                Ok(())
            }
            Action::AddMember { household, member } => {
                write!(f, "add {member:?} to household{household:?}")
            }
            Action::RemoveMember { household, member } => {
                write!(f, "remove member{member:?} from household{household:?}")
            }
            Action::ChangeHead {
                household,
                member,
                former_head,
            } => write!(
                f,
                "make member{member:?} head of household{household:?}, former head now {}",
                relationship_name(*former_head)
            ),
            Action::Exit {
                household,
                destination,
                reason,
            } => {
                write!(f, "exit household{household:?} to {}", destination.code())?;
                if *reason != Text::Fine {
                    write!(f, ", reason {reason:?}")?;
                }
                Ok(())
            }
            Action::PostOpening(spec) => write!(f, "post {spec:?}"),
            Action::WithdrawOpening { opening, reason } => {
                write!(f, "withdraw opening{opening:?}")?;
                if *reason != Text::Fine {
                    write!(f, ", reason {reason:?}")?;
                }
                Ok(())
            }
            Action::Refer {
                opening,
                household,
                bypass,
            } => {
                match household {
                    None => write!(f, "refer the top household to opening{opening:?}")?,
                    Some(h) => write!(f, "refer household{h:?} to opening{opening:?}")?,
                }
                if let Some(reason) = bypass {
                    write!(f, ", bypass reason {reason:?}")?;
                }
                Ok(())
            }
            Action::Acknowledge { referral } => write!(f, "acknowledge referral{referral:?}"),
            Action::Accept { referral } => write!(f, "accept referral{referral:?}"),
            Action::Decline {
                referral,
                reason,
                text,
            } => {
                write!(f, "decline referral{referral:?}: {}", decline_code(*reason))?;
                if let Some(text) = text {
                    write!(f, ", text {text:?}")?;
                }
                Ok(())
            }
            Action::Sweep => f.write_str("inactivity sweep"),
            Action::ExpireReferrals => f.write_str("expire overdue referrals"),
            Action::Correct {
                household,
                correction,
                reason,
            } => {
                write!(f, "correct household{household:?}: {correction:?}")?;
                if *reason != Text::Fine {
                    write!(f, ", reason {reason:?}")?;
                }
                Ok(())
            }
        }
    }
}

/// One step of a generated sequence: who does what, effective when, and
/// entered when.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Step {
    /// The day the command is entered (its recorded-at date). Sequences
    /// move forward from [`SEQUENCE_START`].
    pub entered: NaiveDate,
    /// The command's effective date: usually `entered`, sometimes
    /// backdated, rarely after `entered` (rejected).
    pub date: NaiveDate,
    /// Who issues it.
    pub who: Who,
    /// What it does.
    pub action: Action,
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date)?;
        if self.entered != self.date {
            write!(f, " (entered {})", self.entered)?;
        }
        write!(f, " {:?}: {:?}", self.who, self.action)
    }
}

impl Step {
    /// The metadata of step number `index` of a sequence: a command id
    /// derived from the index (so two stores fed one sequence create the
    /// same ids), the actor, and noon UTC on the entered date.
    pub fn meta(&self, index: usize) -> CommandMeta {
        let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN);
        CommandMeta {
            command_id: CommandId::from_uuid(uuid::Uuid::from_u128(
                COMMAND_ID_BASE + index as u128,
            )),
            actor: self.who.actor(),
            recorded_at: DateTime::<Utc>::from_naive_utc_and_offset(
                self.entered.and_time(noon),
                Utc,
            ),
        }
    }

    /// The command, with every [`Ref`] resolved against what `created`
    /// holds, members against `caseload`, decline reasons against `policy`.
    /// A correction's original event is read from `store`.
    pub fn command(
        &self,
        created: &Created,
        caseload: &Caseload,
        policy: &Policy,
        store: &dyn EventStore,
    ) -> Command {
        let date = self.date;
        let household = |r| created.household(r);
        let member = |h: Ref, m: Ref| -> ClientId {
            let unknown = ClientId::from_uuid(uuid::Uuid::from_u128(UNKNOWN_CLIENT));
            let members: Vec<ClientId> = caseload
                .households()
                .get(&household(h))
                .map(|hh| hh.members.iter().map(|m| m.client).collect())
                .unwrap_or_default();
            nth(&members, m, unknown)
        };
        match &self.action {
            Action::Enroll(spec) => spec.enroll(date).into(),
            Action::Assess {
                household: h,
                assessment,
            } => assessment.assess(household(*h), date).into(),
            Action::FollowUp {
                household: h,
                contact,
            } => contact.follow_up(household(*h), date).into(),
            Action::AttemptContact {
                household: h,
                method,
                left_message,
                note,
            } => AttemptContact {
                household: household(*h),
                date,
                method: *method,
                left_message: *left_message,
                note: note.resolve("Called, no answer; left a voicemail."),
            }
            .into(),
            Action::RecordCeEvent {
                household: h,
                code,
                result,
            } => {
                let event = CeEventType::try_from(*code)
                    .unwrap_or(CeEventType::ReferralToPreventionAssistance);
                let diversion = event == CeEventType::ProblemSolvingDiversion;
                RecordCeEvent {
                    household: household(*h),
                    date,
                    event,
                    problem_solving_result: diversion.then_some(NoYesMissing::Yes),
                    case_management_after: None,
                    location: event
                        .carries_referral_result()
                        .then(|| "A program in another HMIS".to_owned()),
                    result: result.map(|(r, _)| r),
                    result_date: result.and_then(|(_, days)| {
                        date.checked_add_days(chrono::Days::new(u64::from(days)))
                    }),
                }
                .into()
            }
            Action::AddMember {
                household: h,
                member,
            } => AddMember {
                household: household(*h),
                date,
                member: member.member(date),
            }
            .into(),
            Action::RemoveMember {
                household: h,
                member: m,
            } => RemoveMember {
                destination: None,
                destination_subsidy: None,
                household: household(*h),
                date,
                client: member(*h, *m),
            }
            .into(),
            Action::ChangeHead {
                household: h,
                member: m,
                former_head,
            } => ChangeHead {
                household: household(*h),
                date,
                head: member(*h, *m),
                former_head_relationship: *former_head,
            }
            .into(),
            Action::Exit {
                household: h,
                destination,
                reason,
            } => Exit {
                member_destinations: Vec::new(),
                destination_subsidy: None,
                household: household(*h),
                date,
                destination: *destination,
                reason: reason.resolve("Moved in with family out of state."),
            }
            .into(),
            Action::PostOpening(spec) => spec.post(date).into(),
            Action::WithdrawOpening { opening, reason } => WithdrawOpening {
                opening: created.opening(*opening),
                date,
                reason: reason.resolve("Funding for the unit ended."),
            }
            .into(),
            Action::Refer {
                opening,
                household: h,
                bypass,
            } => Refer {
                opening: created.opening(*opening),
                date,
                household: h.map(household),
                bypass_reason: bypass.map(|t| t.resolve("Top household asked to wait a month.")),
            }
            .into(),
            Action::Acknowledge { referral } => AcknowledgeReferral {
                referral: created.referral(*referral),
                date,
            }
            .into(),
            Action::Accept { referral } => AcceptReferral {
                referral: created.referral(*referral),
                date,
            }
            .into(),
            Action::Decline {
                referral,
                reason,
                text,
            } => {
                let codes: Vec<&str> = policy
                    .decline_reasons
                    .iter()
                    .map(|r| r.code.as_str())
                    .collect();
                let code = match reason {
                    Ref::Nth(n) if !codes.is_empty() => codes[usize::from(*n) % codes.len()],
                    _ => "no-such-reason",
                };
                DeclineReferral {
                    referral: created.referral(*referral),
                    date,
                    reason: code.to_owned(),
                    text: text.map(|t| t.resolve("The unit is too far from the client's job.")),
                }
                .into()
            }
            Action::Sweep => Sweep { as_of: date }.into(),
            Action::ExpireReferrals => ExpireReferrals { as_of: date }.into(),
            Action::Correct {
                household: h,
                correction,
                reason,
            } => {
                let household = household(*h);
                let stream = store
                    .read_stream(&StreamId::Household(household))
                    .unwrap_or_default();
                let original = stream
                    .iter()
                    .rev()
                    .find(|e| correction.fits(&e.event))
                    .or(stream.last())
                    .cloned()
                    .unwrap_or_else(|| placeholder(self, household));
                Correct {
                    household,
                    original: Box::new(original),
                    patch: correction.patch(),
                    reason: reason.resolve("The intake worker entered the wrong value."),
                }
                .into()
            }
        }
    }
}

/// An envelope standing in for the event to correct when the household has
/// none (it does not exist): the command is rejected for that first.
fn placeholder(step: &Step, household: HouseholdId) -> Envelope {
    let new = NewEvent {
        event_id: EventId::from_uuid(uuid::Uuid::from_u128(UNKNOWN_ID)),
        streams: vec![StreamId::Household(household)],
        effective: step.date,
        recorded_at: step.meta(0).recorded_at,
        actor: step.who.actor(),
        event: Event::ContactAttempted(ContactAttempted {
            method: ContactMethod::Phone,
            left_message: false,
            note: CeNote("Called, no answer.".to_owned()),
        }),
    };
    Envelope::stored(
        new,
        0,
        vec![StreamVersion {
            stream: StreamId::Household(household),
            version: 1,
        }],
    )
}

/// The effective date relative to the entered date.
#[derive(Debug, Clone, Copy)]
enum When {
    OnTheDay,
    Backdated(u8),
    Future(u8),
}

/// Mostly the latest entity, sometimes an older one, rarely an unknown id.
fn recent() -> impl Strategy<Value = Ref> + Clone {
    prop_oneof![
        12 => Just(Ref::Nth(0)),
        6 => (1u8..3).prop_map(Ref::Nth),
        3 => (3u8..8).prop_map(Ref::Nth),
        1 => Just(Ref::Unknown),
    ]
}

/// How often each kind of action comes up among a sequence's random steps
/// (relative weights; 0 leaves it out). `Default` is the mix
/// [`steps`] uses; [`steps_with`] takes another, e.g. more referrals and
/// results for a property about them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepWeights {
    /// Enrollments (some with defects).
    pub enroll: u32,
    /// Assessments.
    pub assess: u32,
    /// Follow-ups with contact.
    pub follow_up: u32,
    /// Contact attempts.
    pub attempt_contact: u32,
    /// 4.20 events recorded on a household.
    pub record_ce_event: u32,
    /// Members added.
    pub add_member: u32,
    /// Members removed.
    pub remove_member: u32,
    /// Head of household changes.
    pub change_head: u32,
    /// Exits.
    pub exit: u32,
    /// Openings posted.
    pub post_opening: u32,
    /// Openings withdrawn.
    pub withdraw_opening: u32,
    /// Referrals.
    pub refer: u32,
    /// Acknowledgements.
    pub acknowledge: u32,
    /// Acceptances.
    pub accept: u32,
    /// Declines.
    pub decline: u32,
    /// Inactivity sweeps.
    pub sweep: u32,
    /// Expiries of overdue referrals.
    pub expire_referrals: u32,
    /// Corrections.
    pub correct: u32,
}

impl Default for StepWeights {
    fn default() -> Self {
        Self {
            enroll: 8,
            assess: 20,
            follow_up: 8,
            attempt_contact: 4,
            record_ce_event: 3,
            add_member: 3,
            remove_member: 2,
            change_head: 2,
            exit: 2,
            post_opening: 8,
            withdraw_opening: 2,
            refer: 16,
            acknowledge: 4,
            accept: 6,
            decline: 6,
            sweep: 3,
            expire_referrals: 3,
            correct: 3,
        }
    }
}

fn action(w: &StepWeights) -> impl Strategy<Value = Action> {
    let h = recent();
    let o = recent();
    let r = recent();
    let arms: Vec<(u32, BoxedStrategy<Action>)> = vec![
        (
            w.enroll,
            household_with_defects().prop_map(Action::Enroll).boxed(),
        ),
        (
            w.assess,
            (h.clone(), assessment_with(text().boxed()))
                .prop_map(|(household, assessment)| Action::Assess {
                    household,
                    assessment,
                })
                .boxed(),
        ),
        (
            w.follow_up,
            (h.clone(), contact())
                .prop_map(|(household, contact)| Action::FollowUp { household, contact })
                .boxed(),
        ),
        (
            w.attempt_contact,
            (
                h.clone(),
                select(vec![
                    ContactMethod::Phone,
                    ContactMethod::Email,
                    ContactMethod::Text,
                    ContactMethod::InPerson,
                    ContactMethod::Other,
                ]),
                any::<bool>(),
                text(),
            )
                .prop_map(
                    |(household, method, left_message, note)| Action::AttemptContact {
                        household,
                        method,
                        left_message,
                        note,
                    },
                )
                .boxed(),
        ),
        (
            w.record_ce_event,
            (
                h.clone(),
                1u16..=18,
                proptest::option::weighted(
                    0.3,
                    (
                        select(vec![
                            ReferralResult::SuccessfulClientAccepted,
                            ReferralResult::UnsuccessfulClientRejected,
                            ReferralResult::UnsuccessfulProviderRejected,
                        ]),
                        0u8..5,
                    ),
                ),
            )
                .prop_map(|(household, code, result)| Action::RecordCeEvent {
                    household,
                    code,
                    result,
                })
                .boxed(),
        ),
        (
            w.add_member,
            (h.clone(), added_member())
                .prop_map(|(household, member)| Action::AddMember { household, member })
                .boxed(),
        ),
        (
            w.remove_member,
            (h.clone(), recent())
                .prop_map(|(household, member)| Action::RemoveMember { household, member })
                .boxed(),
        ),
        (
            w.change_head,
            (
                h.clone(),
                recent(),
                prop_oneof![
                    4 => Just(RelationshipToHoH::SpouseOrPartner),
                    2 => Just(RelationshipToHoH::OtherRelative),
                    1 => Just(RelationshipToHoH::SelfHeadOfHousehold),
                ],
            )
                .prop_map(|(household, member, former_head)| Action::ChangeHead {
                    household,
                    member,
                    former_head,
                })
                .boxed(),
        ),
        (
            w.exit,
            (
                h.clone(),
                select(
                    LivingSituation::ALL
                        .iter()
                        .filter_map(|s| Destination::try_from(*s).ok())
                        .collect::<Vec<_>>(),
                ),
                text(),
            )
                .prop_map(|(household, destination, reason)| Action::Exit {
                    household,
                    destination,
                    reason,
                })
                .boxed(),
        ),
        (
            w.post_opening,
            opening().prop_map(Action::PostOpening).boxed(),
        ),
        (
            w.withdraw_opening,
            (o.clone(), text())
                .prop_map(|(opening, reason)| Action::WithdrawOpening { opening, reason })
                .boxed(),
        ),
        (
            w.refer,
            (
                o,
                prop_oneof![7 => Just(None), 3 => h.prop_map(Some)],
                prop_oneof![1 => Just(None), 1 => text().prop_map(Some)],
            )
                .prop_map(|(opening, household, bypass)| Action::Refer {
                    opening,
                    household,
                    bypass,
                })
                .boxed(),
        ),
        (
            w.acknowledge,
            r.clone()
                .prop_map(|referral| Action::Acknowledge { referral })
                .boxed(),
        ),
        (
            w.accept,
            r.clone()
                .prop_map(|referral| Action::Accept { referral })
                .boxed(),
        ),
        (
            w.decline,
            (
                r,
                prop_oneof![12 => (0u8..7).prop_map(Ref::Nth), 1 => Just(Ref::Unknown)],
                prop_oneof![2 => Just(None), 1 => text().prop_map(Some)],
            )
                .prop_map(|(referral, reason, text)| Action::Decline {
                    referral,
                    reason,
                    text,
                })
                .boxed(),
        ),
        (w.sweep, Just(Action::Sweep).boxed()),
        (w.expire_referrals, Just(Action::ExpireReferrals).boxed()),
        (
            w.correct,
            (recent(), correction(), text())
                .prop_map(|(household, correction, reason)| Action::Correct {
                    household,
                    correction,
                    reason,
                })
                .boxed(),
        ),
    ];
    // proptest refuses a weight of 0: a left-out action is no arm at all.
    proptest::strategy::Union::new_weighted(
        arms.into_iter().filter(|(weight, _)| *weight > 0).collect(),
    )
}

fn raw_step(w: &StepWeights) -> impl Strategy<Value = (u64, When, u8, u8, Action)> {
    (
        // Some long gaps, so that one step can carry a sweep's worth of time
        // and a shrunk sequence needs no filler steps for it.
        prop_oneof![8 => Just(0u64), 9 => 1u64..=5, 2 => 6u64..=30, 1 => 31u64..=120],
        prop_oneof![
            40 => Just(When::OnTheDay),
            6 => (1u8..=45).prop_map(When::Backdated),
            1 => (1u8..=3).prop_map(When::Future),
        ],
        0u8..100,
        0u8..3,
        action(w),
    )
}

/// Command sequences mixing valid and invalid commands: on the first day one
/// to three intakes (a valid household enrolled and assessed) and one or
/// two openings, so that lists and referrals start early, and in most
/// sequences a referral of the top household to the first opening that its
/// provider accepts (the first intake and opening are made to fit: an RRH
/// opening in the household's coalition); then `len` random steps. About
/// four in five sequences house a household (a unit test measures it).
///
/// Days pass between steps (0 to 120), so sweeps, expiry and parking come
/// into play. Most steps are issued by the role that may issue them, on the
/// day they are entered; some are issued by another role, backdated (up to
/// before the project start) or dated after they are entered; some name
/// unknown or resolved households, openings and referrals, carry blank or
/// over-long text, unknown coalitions or decline reasons, or break the
/// household composition rules.
pub fn steps(len: impl Into<prop::collection::SizeRange>) -> impl Strategy<Value = Vec<Step>> {
    steps_with(len, StepWeights::default())
}

/// [`steps`] with another mix of random actions.
pub fn steps_with(
    len: impl Into<prop::collection::SizeRange>,
    weights: StepWeights,
) -> impl Strategy<Value = Vec<Step>> {
    let intakes = prop::collection::vec((household(), assessment_spec()), 1..=3);
    let openings = prop::collection::vec(valid_opening(), 1..=2);
    let raw = prop::collection::vec(raw_step(&weights), len);
    // Usually the lead refers the top household to the first opening on
    // day one and its provider accepts: without it few sequences house
    // anyone, and properties about housed households would check nothing.
    let house_first = prop::bool::weighted(0.8);
    (intakes, openings, house_first, raw).prop_map(
        |(mut intakes, mut openings, house_first, raw)| {
            // The household and opening of that referral fit each other: an
            // RRH opening for every household type in the first coalition,
            // and a first household placed there above RRH's floor.
            let house_first = house_first && !intakes.is_empty() && !openings.is_empty();
            if house_first {
                if let Some((household, assessment)) = intakes.first_mut() {
                    household.coalition = Ref::Nth(0);
                    assessment.placed = true;
                    assessment.score = Some(assessment.score.unwrap_or(0).max(8));
                }
                if let Some(opening) = openings.first_mut() {
                    opening.program_type = ProgramType::Rrh;
                    opening.coalition = Ref::Nth(0);
                    opening.household_types = ListHouseholdType::ALL.to_vec();
                    opening.chronic_only = false;
                    opening.veterans_only = false;
                }
            }
            let on_day_one = |action| Step {
                entered: SEQUENCE_START,
                date: SEQUENCE_START,
                who: Who::Access,
                action,
            };
            let intake = intakes.into_iter().flat_map(|(household, assessment)| {
                [
                    on_day_one(Action::Enroll(household)),
                    on_day_one(Action::Assess {
                        household: Ref::Nth(0),
                        assessment,
                    }),
                ]
            });
            let first_opening = openings
                .len()
                .checked_sub(1)
                .and_then(|n| u8::try_from(n).ok());
            let posted = openings.into_iter().map(|spec| Step {
                who: Who::Provider(0),
                ..on_day_one(Action::PostOpening(spec))
            });
            let housing = first_opening.filter(|_| house_first).map(|first| {
                [
                    Step {
                        who: Who::Lead,
                        ..on_day_one(Action::Refer {
                            opening: Ref::Nth(first),
                            household: None,
                            bypass: None,
                        })
                    },
                    Step {
                        who: Who::Provider(0),
                        ..on_day_one(Action::Accept {
                            referral: Ref::Nth(0),
                        })
                    },
                ]
            });
            let mut clock = SEQUENCE_START;
            let random = raw
                .into_iter()
                .map(|(advance, when, roll, agency, action)| {
                    clock = clock + Days::new(advance);
                    let date = match when {
                        When::OnTheDay => clock,
                        When::Backdated(days) => clock - Days::new(u64::from(days)),
                        When::Future(days) => clock + Days::new(u64::from(days)),
                    };
                    let who = if roll < 95 {
                        action.fitting(agency)
                    } else {
                        match roll % 4 {
                            0 => Who::Access,
                            1 => Who::Provider(0),
                            2 => Who::Provider(1),
                            _ => Who::Lead,
                        }
                    };
                    Step {
                        entered: clock,
                        date,
                        who,
                        action,
                    }
                });
            intake
                .chain(posted)
                .chain(housing.into_iter().flatten())
                .chain(random)
                .collect()
        },
    )
}

// ----------------------------------------------------------------- running

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    /// How many of `cases` generated sequences of up to 60 steps house a
    /// household (a referral accepted), on the default policy.
    fn housed_sequences(cases: usize) -> usize {
        let mut runner = TestRunner::deterministic();
        let mut housed = 0;
        for _ in 0..cases {
            let steps = steps(1..=60).new_tree(&mut runner).unwrap().current();
            let workflow =
                Workflow::new(crate::memory::MemoryStore::new(), Policy::wi_bos_default()).unwrap();
            let mut created = Created::default();
            for (i, step) in steps.iter().enumerate() {
                let _ = created.execute(&workflow, i, step);
            }
            let caseload = workflow.caught_up().unwrap();
            if caseload
                .households()
                .values()
                .any(|h| h.housed_by.is_some())
            {
                housed += 1;
            }
        }
        housed
    }

    #[test]
    fn step_weights_choose_the_random_actions() {
        let only_sweeps = StepWeights {
            enroll: 0,
            assess: 0,
            follow_up: 0,
            attempt_contact: 0,
            record_ce_event: 0,
            add_member: 0,
            remove_member: 0,
            change_head: 0,
            exit: 0,
            post_opening: 0,
            withdraw_opening: 0,
            refer: 0,
            acknowledge: 0,
            accept: 0,
            decline: 0,
            sweep: 1,
            expire_referrals: 0,
            correct: 0,
        };
        let mut runner = TestRunner::deterministic();
        for _ in 0..20 {
            let steps = steps_with(30..=30, only_sweeps)
                .new_tree(&mut runner)
                .unwrap()
                .current();
            let random = &steps[steps.len() - 30..];
            assert!(random.iter().all(|s| matches!(s.action, Action::Sweep)));
        }
    }

    #[test]
    fn most_generated_sequences_house_someone() {
        let housed = housed_sequences(128);
        assert!(housed >= 64, "{housed} of 128 sequences housed a household");
    }

    #[test]
    fn generated_policies_are_valid() {
        let mut runner = TestRunner::deterministic();
        for _ in 0..200 {
            let policy = policy().new_tree(&mut runner).unwrap().current();
            policy.validate().unwrap();
        }
        assert_eq!(
            PolicyVariation::wi_bos_default().policy(),
            Policy::wi_bos_default()
        );
    }

    #[test]
    fn valid_households_enroll() {
        let mut runner = TestRunner::deterministic();
        for _ in 0..200 {
            let enroll = enrollment(SEQUENCE_START)
                .new_tree(&mut runner)
                .unwrap()
                .current();
            let mut scenario = crate::testing::Scenario::new();
            scenario.given(enroll);
        }
    }

    #[test]
    fn steps_print_as_one_line_each() {
        let mut runner = TestRunner::deterministic();
        let steps = steps(5).new_tree(&mut runner).unwrap().current();
        let printed = format!("{steps:#?}");
        assert_eq!(printed.lines().count(), steps.len() + 2, "{printed}");
        assert!(printed.contains("2025-"), "{printed}");
    }
}

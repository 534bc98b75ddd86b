//! Households to enroll: members with an age instead of a birth date,
//! 3.917 answers, compositions producing every list household type, and the
//! defects a step's enrollment sometimes has.

use std::fmt;

use chrono::{Days, Months, NaiveDate};
use proptest::prelude::*;
use proptest::sample::select;

use super::refs::{coalition, known_coalition, Ref};
use crate::command::Enroll;
use crate::hud::{
    CurrentSituation, LivingSituation, MonthsHomeless, NoYesReasons, PriorSituation,
    RelationshipToHoH, TimesHomeless,
};
use crate::record::{CurrentLivingSituation, Member, PriorLivingSituation};
use crate::vocab::Coalition;

/// Clients are numbered 1 to this ([`crate::testing::client`]); households
/// draw from one pool so that they sometimes share a client, which "one open
/// CE enrollment per client" must then reject.
pub const CLIENT_POOL: u8 = 40;

pub(super) fn relationship_name(r: RelationshipToHoH) -> &'static str {
    match r {
        RelationshipToHoH::SelfHeadOfHousehold => "head",
        RelationshipToHoH::Child => "child",
        RelationshipToHoH::SpouseOrPartner => "partner",
        RelationshipToHoH::OtherRelative => "relative",
        RelationshipToHoH::UnrelatedMember => "unrelated",
        RelationshipToHoH::DataNotCollected => "relationship-99",
    }
}

/// A date `years` whole years and 30 days before `on` (the age on `on`).
fn born(on: NaiveDate, years: u8) -> Option<NaiveDate> {
    on.checked_sub_months(Months::new(12 * u32::from(years)))?
        .checked_sub_days(Days::new(30))
}

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
            age_band: None,
            sealed: None,
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
    /// An index into [`COALITIONS`](super::COALITIONS), or
    /// [`UNKNOWN_COALITION`](super::UNKNOWN_COALITION).
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
            referred_by: None,
            restricted: false,
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
pub(super) fn household_with_defects() -> impl Strategy<Value = HouseholdSpec> {
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
pub(super) fn added_member() -> impl Strategy<Value = MemberSpec> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::SEQUENCE_START;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

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
}

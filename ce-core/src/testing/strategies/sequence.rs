//! Whole command sequences: a first day of intakes, openings and usually a
//! housing, then random steps drawn by [`StepWeights`], with days passing,
//! backdating and the wrong role now and then.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use proptest::sample::select;

use super::action::Action;
use super::assessment::{assessment_spec, assessment_with};
use super::contact::contact;
use super::correction::correction;
use super::household::{added_member, household, household_with_defects};
use super::opening::{opening, valid_opening};
use super::refs::{recent, text, Ref, Who};
use super::step::Step;
use crate::hud::{Destination, LivingSituation, ReferralResult, RelationshipToHoH};
use crate::record::ContactMethod;
use crate::vocab::{ListHouseholdType, ProgramType};

/// The first day of every generated sequence (a Monday).
pub const SEQUENCE_START: NaiveDate = match NaiveDate::from_ymd_opt(2025, 1, 6) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// The effective date relative to the entered date.
#[derive(Debug, Clone, Copy)]
enum When {
    OnTheDay,
    Backdated(u8),
    Future(u8),
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
    /// Erasures of clients.
    pub erase: u32,
    /// Enrollments without personal data.
    pub enroll_referred: u32,
    /// Releases of information.
    pub consent: u32,
    /// Restrictions set or lifted.
    pub restrict: u32,
    /// Households without personal data identified.
    pub identify: u32,
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
            erase: 1,
            enroll_referred: 1,
            consent: 2,
            restrict: 1,
            identify: 1,
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
        (
            w.erase,
            (recent(), recent())
                .prop_map(|(household, member)| Action::Erase { household, member })
                .boxed(),
        ),
        (w.expire_referrals, Just(Action::ExpireReferrals).boxed()),
        (
            w.enroll_referred,
            household_with_defects()
                .prop_map(Action::EnrollReferred)
                .boxed(),
        ),
        (
            w.consent,
            (
                recent(),
                recent(),
                prop_oneof![6 => Just(0u8), 2 => Just(1u8), 2 => Just(2u8)],
                proptest::bool::ANY,
                prop_oneof![2 => Just(None), 1 => (0u16..400).prop_map(Some)],
            )
                .prop_map(
                    |(household, member, decision, referrals, days)| Action::Consent {
                        household,
                        member,
                        decision,
                        referrals,
                        days,
                    },
                )
                .boxed(),
        ),
        (
            w.restrict,
            (recent(), proptest::bool::ANY)
                .prop_map(|(household, restricted)| Action::Restrict {
                    household,
                    restricted,
                })
                .boxed(),
        ),
        (
            w.identify,
            recent()
                .prop_map(|household| Action::Identify { household })
                .boxed(),
        ),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryStore;
    use crate::policy::Policy;
    use crate::testing::Created;
    use crate::workflow::Workflow;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    /// How many of `cases` generated sequences of up to 60 steps house a
    /// household (a referral accepted), on the default policy.
    fn housed_sequences(cases: usize) -> usize {
        let mut runner = TestRunner::deterministic();
        let mut housed = 0;
        for _ in 0..cases {
            let steps = steps(1..=60).new_tree(&mut runner).unwrap().current();
            let workflow = Workflow::new(MemoryStore::new(), Policy::wi_bos_default()).unwrap();
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
            erase: 0,
            enroll_referred: 0,
            consent: 0,
            restrict: 0,
            identify: 0,
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
}

//! An assessment is contact (a policy setting, on by default).

use ce_core::hud::{Destination, RentalSubsidyType};
use ce_core::priority::{list_status, OffListReason};
use ce_core::testing::{client, date, Scenario};
use ce_core::*;

use crate::common::{
    assess, assessed_on, couple, days_after, exit, household, single, start, sweep,
};

#[test]
fn an_assessment_is_contact_under_the_default_policy() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    assert_eq!(household(&given, h).last_contact, assessed_on());
    // Inactive after 90 days without contact; a reassessment brings it back.
    let as_of = days_after(assessed_on(), 91);
    given.given(sweep(as_of));
    assert_eq!(
        household(&given, h).status,
        HouseholdStatus::Inactive {
            since: as_of,
            inactivity_days: 90
        }
    );
    given.given(assess(h, days_after(as_of, 1), 9, true));
    assert_eq!(household(&given, h).status, HouseholdStatus::Active);
    assert_eq!(household(&given, h).last_contact, days_after(as_of, 1));
}

#[test]
fn an_assessment_is_not_contact_when_the_policy_says_so() {
    let mut policy = Policy::wi_bos_default();
    policy.assessment_is_contact = false;
    let mut given = Scenario::with_policy(policy);
    let h = given.enroll(single(1).placed_with_score(9));
    assert_eq!(household(&given, h).last_contact, start());
    given
        .when(sweep(days_after(start(), 91)))
        .then_expect_events(&[EventType::HouseholdInactivated]);
}

#[test]
fn a_household_placed_without_a_score_is_unscored_and_a_later_assessment_does_not_keep_the_earlier_score(
) {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled().placed_with_score(9));
    assert!(list_status(
        household(&given, h),
        given.policy(),
        ProgramType::Psh,
        assessed_on()
    )
    .is_ok());
    // Reassessed and placed, with no score: the earlier 9 is not carried over.
    let mut unscored = assess(h, days_after(assessed_on(), 10), 9, true);
    unscored.score = None;
    given.given(unscored);
    assert_eq!(household(&given, h).score(), None);
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Psh,
            days_after(assessed_on(), 10)
        ),
        Err(OffListReason::Ineligible {
            rule: "unscored: its assessment has no prioritization score"
        })
    );
}

#[test]
fn an_exit_names_members_with_their_own_destination_and_a_subsidy_only_with_435() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    let mut leaving = exit(h, date(2025, 3, 1));
    leaving.member_destinations = vec![ce_core::household::MemberDestination {
        client: client(9),
        destination: Destination::STAYING_WITH_FAMILY_PERMANENT_TENURE,
        subsidy: None,
    }];
    given
        .when(leaving.clone())
        .then_expect_error(|e| matches!(e, Error::UnknownMember { .. }));
    leaving.member_destinations[0].client = client(2);
    leaving.member_destinations[0].subsidy = Some(RentalSubsidyType::PermanentSupportiveHousing);
    given
        .when(leaving.clone())
        .then_expect_error(|e| matches!(e, Error::DestinationSubsidyMismatch { destination: 422 }));
    leaving.member_destinations[0].subsidy = None;
    let decision = given.when(leaving).then_expect_events(&[
        EventType::HouseholdExited,
        EventType::ClientEnrollmentClosed,
        EventType::ClientEnrollmentClosed,
    ]);
    let Event::HouseholdExited(e) = &decision.events[0].event else {
        panic!("not an exit");
    };
    assert_eq!(e.member_destinations[0].client, client(2));
}

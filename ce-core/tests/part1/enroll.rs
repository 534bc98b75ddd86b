//! Enroll: a household is enrolled in CE with one client enrollment per
//! member, and is on no list until it is assessed.

use ce_core::hud::{LivingSituation, RelationshipToHoH, RentalSubsidyType};
use ce_core::priority::list_status;
use ce_core::testing::{client, date, HouseholdBuilder, Scenario};
use ce_core::{OffListReason, Rejection, *};

use crate::common::{
    child, couple, family, household, lists_with, single, situation, start, utc, COALITION,
};

#[test]
fn enroll_emits_household_enrolled_and_one_client_enrollment_per_member() {
    let given = Scenario::new();
    let decision = given.when(family(1, 2).enroll).then_expect_events(&[
        EventType::HouseholdEnrolled,
        EventType::ClientEnrollmentOpened,
        EventType::ClientEnrollmentOpened,
    ]);
    let Outcome::Enrolled { household } = decision.outcome else {
        panic!("expected Enrolled, got {:?}", decision.outcome);
    };
    assert_eq!(decision.events[0].streams, [StreamId::Household(household)]);
    assert_eq!(decision.events[1].streams, [StreamId::Client(client(1))]);
    assert_eq!(decision.events[2].streams, [StreamId::Client(client(2))]);
    assert!(decision.events.iter().all(|e| e.effective == start()));
}

#[test]
fn an_enrolled_household_is_active_with_project_start_as_its_last_contact() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2));

    let enrolled = household(&given, h);
    assert_eq!(enrolled.status, HouseholdStatus::Active);
    assert_eq!(enrolled.coalition, Coalition::new(COALITION));
    assert_eq!(enrolled.project_start, start());
    assert_eq!(enrolled.last_contact, start());
    assert_eq!(enrolled.current.0, start());
    assert_eq!(enrolled.head().map(|m| m.client), Some(client(1)));
    assert_eq!(enrolled.members.len(), 2);
    let open = &given.caseload().open_enrollments;
    assert_eq!(open.get(&client(1)), Some(&h));
    assert_eq!(open.get(&client(2)), Some(&h));
}

#[test]
fn an_enrolled_household_is_on_no_list_until_assessed() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    assert!(lists_with(&given, h, start()).is_empty());
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Rrh,
            start()
        ),
        Err(OffListReason::NotAssessed)
    );
}

#[test]
fn access_staff_may_enroll_a_household() {
    let mut given = Scenario::new();
    given.acting_as("jdoe", "Coulee CAP", Role::Access);
    given.when(single(1).enroll).then_expect_events(&[
        EventType::HouseholdEnrolled,
        EventType::ClientEnrollmentOpened,
    ]);
}

#[test]
fn enroll_is_forbidden_to_a_provider() {
    let mut given = Scenario::new();
    given.acting_as("pat", "Coulee Housing Authority", Role::Provider);
    given.when(single(1).enroll).then_expect_error(|e| {
        matches!(
            e,
            Rejection::Forbidden {
                role: Role::Provider,
                ..
            }
        )
    });
}

#[test]
fn enroll_rejects_a_household_without_a_head() {
    let mut builder = couple(1, 2);
    builder.enroll.members[0].relationship = RelationshipToHoH::OtherRelative;
    Scenario::new()
        .when(builder.enroll)
        .then_expect_error(|e| matches!(e, Rejection::HeadOfHousehold { count: 0 }));
}

#[test]
fn enroll_rejects_a_household_with_no_members() {
    let mut builder = single(1);
    builder.enroll.members.clear();
    Scenario::new()
        .when(builder.enroll)
        .then_expect_error(|e| matches!(e, Rejection::HeadOfHousehold { count: 0 }));
}

#[test]
fn enroll_rejects_a_household_with_two_heads() {
    let mut builder = couple(1, 2);
    builder.enroll.members[1].relationship = RelationshipToHoH::SelfHeadOfHousehold;
    Scenario::new()
        .when(builder.enroll)
        .then_expect_error(|e| matches!(e, Rejection::HeadOfHousehold { count: 2 }));
}

#[test]
fn enroll_rejects_a_client_listed_twice() {
    let mut builder = family(1, 2);
    builder.enroll.members.push(child(client(2)));
    Scenario::new()
        .when(builder.enroll)
        .then_expect_error(|e| matches!(e, Rejection::DuplicateMember(c) if *c == client(2)));
}

#[test]
fn enroll_rejects_a_client_who_already_has_an_open_ce_enrollment() {
    let mut given = Scenario::new();
    let first = given.enroll(single(1));

    given
        .when(single(1).starting(date(2025, 2, 1)).enroll)
        .then_expect_error(|e| {
            matches!(e, Rejection::ClientAlreadyEnrolled { client: c, household }
                if *c == client(1) && *household == first)
        });
    // Also when the client is a member, not the head, of the new household.
    given
        .when(family(5, 1).starting(date(2025, 2, 1)).enroll)
        .then_expect_error(|e| {
            matches!(e, Rejection::ClientAlreadyEnrolled { client: c, household }
                if *c == client(1) && *household == first)
        });
}

#[test]
fn enroll_rejects_a_coalition_outside_the_balance_of_state() {
    Scenario::new()
        .when(HouseholdBuilder::single_adult("Milwaukee").enroll)
        .then_expect_error(|e| matches!(e, Rejection::UnknownCoalition(c) if c.0 == "Milwaukee"));
}

#[test]
fn enroll_rejects_rental_with_subsidy_without_a_subsidy_type() {
    let mut builder = single(1);
    builder.enroll.current = situation(435);
    Scenario::new().when(builder.enroll).then_expect_error(|e| {
        matches!(
            e,
            Rejection::SubsidyMismatch {
                situation: LivingSituation::RentalWithSubsidy
            }
        )
    });
}

#[test]
fn enroll_rejects_a_subsidy_type_with_a_situation_other_than_435() {
    let mut builder = single(1);
    builder.enroll.current.subsidy = Some(RentalSubsidyType::Vash);
    Scenario::new().when(builder.enroll).then_expect_error(|e| {
        matches!(
            e,
            Rejection::SubsidyMismatch {
                situation: LivingSituation::PlaceNotMeantForHabitation
            }
        )
    });
}

#[test]
fn enroll_accepts_rental_with_subsidy_and_its_subsidy_type() {
    let mut builder = single(1);
    builder.enroll.current = situation(435);
    builder.enroll.current.subsidy = Some(RentalSubsidyType::HousingChoiceVoucher);
    Scenario::new().when(builder.enroll).then_expect_events(&[
        EventType::HouseholdEnrolled,
        EventType::ClientEnrollmentOpened,
    ]);
}

#[test]
fn current_living_situation_location_details_are_limited_to_250_characters() {
    let mut builder = single(1);
    builder.enroll.current.location_details = Some("x".repeat(251));
    Scenario::new().when(builder.enroll).then_expect_error(|e| {
        matches!(
            e,
            Rejection::TooLong {
                chars: 251,
                max: 250,
                ..
            }
        )
    });
}

#[test]
fn enroll_rejects_a_project_start_after_the_time_it_is_recorded() {
    let mut given = Scenario::new();
    given.recorded_at(utc(2025, 1, 5, 23, 59, 59));
    given.when(single(1).enroll).then_expect_error(|e| {
        matches!(e, Rejection::EffectiveAfterRecorded { effective, recorded_at }
            if *effective == start() && *recorded_at == utc(2025, 1, 5, 23, 59, 59))
    });
}

#[test]
fn a_command_effective_on_the_day_it_is_recorded_is_accepted() {
    let mut given = Scenario::new();
    given.recorded_at(utc(2025, 1, 6, 0, 0, 0));
    given.when(single(1).enroll).then_expect_events(&[
        EventType::HouseholdEnrolled,
        EventType::ClientEnrollmentOpened,
    ]);
}

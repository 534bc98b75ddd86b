//! Exit: the household leaves CE and every member's enrollment closes.

use ce_core::hud::{Destination, RentalSubsidyType};
use ce_core::priority::list_status;
use ce_core::testing::{client, date, follow_up, Scenario};
use ce_core::{Field, OffListReason, Rejection, *};

use crate::common::{couple, exit, family, household, lists_with, single};

#[test]
fn exit_emits_household_exited_and_closes_every_members_enrollment() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2).placed_with_score(10));
    let decision = given.when(exit(h, date(2025, 3, 1))).then_expect_events(&[
        EventType::HouseholdExited,
        EventType::ClientEnrollmentClosed,
        EventType::ClientEnrollmentClosed,
    ]);
    assert_eq!(decision.events[1].streams, [StreamId::Client(client(1))]);
    assert_eq!(decision.events[2].streams, [StreamId::Client(client(2))]);
    given.given(exit(h, date(2025, 3, 1)));

    assert_eq!(
        household(&given, h).status,
        HouseholdStatus::Exited {
            date: date(2025, 3, 1),
            destination: Destination::RENTAL_NO_SUBSIDY,
        }
    );
    let open = &given.caseload().open_enrollments;
    assert_eq!(open.get(&client(1)), None);
    assert_eq!(open.get(&client(2)), None);
}

#[test]
fn exit_removes_the_household_from_every_list() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2).disabled().placed_with_score(10));
    assert_eq!(lists_with(&given, h, date(2025, 3, 1)).len(), 3);

    given.given(exit(h, date(2025, 3, 1)));

    assert!(lists_with(&given, h, date(2025, 3, 1)).is_empty());
    assert!(given
        .caseload()
        .lists(given.policy(), date(2025, 3, 1))
        .values()
        .all(|list| list.entries.is_empty()));
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Psh,
            date(2025, 3, 1)
        ),
        Err(OffListReason::Exited {
            date: date(2025, 3, 1)
        })
    );
}

#[test]
fn an_exited_client_can_enroll_again_as_a_new_ce_enrollment() {
    let mut given = Scenario::new();
    let first = given.enroll(single(1));
    given.given(exit(first, date(2025, 3, 1)));

    let again = given.enroll(single(1).starting(date(2025, 6, 1)));

    assert_ne!(again, first);
    assert_eq!(
        given.caseload().open_enrollments.get(&client(1)),
        Some(&again)
    );
    assert_eq!(household(&given, again).status, HouseholdStatus::Active);
    assert!(household(&given, first).is_exited());
}

#[test]
fn a_new_enrollment_cannot_start_before_the_clients_previous_exit() {
    let mut given = Scenario::new();
    let first = given.enroll(single(1));
    given.given(exit(first, date(2025, 3, 1)));
    // A return is a later enrollment: starting on 2025-02-15 would give the
    // client two CE enrollments open at once from 2025-02-15 to 2025-03-01.
    given
        .when(single(1).starting(date(2025, 2, 15)).enroll)
        .then_expect_error(|_| true);
}

#[test]
fn exit_before_the_latest_recorded_activity_is_rejected() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given.given(follow_up(h, date(2025, 3, 1), 3));
    given
        .when(exit(h, date(2025, 2, 15)))
        .then_expect_error(|e| {
            matches!(e, Rejection::BeforeLastActivity { household, date: d, last_activity }
                if *household == h
                    && *d == date(2025, 2, 15)
                    && *last_activity == date(2025, 3, 1))
        });
    // The same day as the latest activity is fine.
    given.when(exit(h, date(2025, 3, 1))).then_expect_events(&[
        EventType::HouseholdExited,
        EventType::ClientEnrollmentClosed,
    ]);
}

#[test]
fn exit_requires_a_reason() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut command = exit(h, date(2025, 3, 1));
    command.reason = "  ".to_owned();
    given
        .when(command)
        .then_expect_error(|e| matches!(e, Rejection::Required(Field::ExitReason)));
}

#[test]
fn an_exit_names_members_with_their_own_destination_and_a_subsidy_only_with_435() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    let mut leaving = exit(h, date(2025, 3, 1));
    leaving.member_destinations = vec![ce_core::MemberDestination {
        client: client(9),
        destination: Destination::STAYING_WITH_FAMILY_PERMANENT_TENURE,
        subsidy: None,
    }];
    given
        .when(leaving.clone())
        .then_expect_error(|e| matches!(e, Rejection::UnknownMember { .. }));
    leaving.member_destinations[0].client = client(2);
    leaving.member_destinations[0].subsidy = Some(RentalSubsidyType::PermanentSupportiveHousing);
    given.when(leaving.clone()).then_expect_error(|e| {
        matches!(
            e,
            Rejection::DestinationSubsidyMismatch { destination: 422 }
        )
    });
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

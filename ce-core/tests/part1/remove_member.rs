//! RemoveMember: a client other than the head leaves the household.

use ce_core::testing::{client, date, Scenario};
use ce_core::{Rejection, *};

use crate::common::{couple, household, single};

#[test]
fn remove_member_emits_member_removed_and_closes_the_clients_enrollment() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    let remove = RemoveMember {
        destination: None,
        destination_subsidy: None,
        household: h,
        date: date(2025, 2, 1),
        client: client(2),
    };
    let decision = given
        .when(remove.clone())
        .then_expect_events(&[EventType::MemberRemoved, EventType::ClientEnrollmentClosed]);
    assert_eq!(decision.events[1].streams, [StreamId::Client(client(2))]);
    given.given(remove);

    let members: Vec<ClientId> = household(&given, h)
        .members
        .iter()
        .map(|m| m.client)
        .collect();
    assert_eq!(members, [client(1)]);
    assert_eq!(given.caseload().open_enrollments.get(&client(2)), None);
}

#[test]
fn a_removed_member_can_enroll_in_a_household_of_their_own() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    given.given(RemoveMember {
        destination: None,
        destination_subsidy: None,
        household: h,
        date: date(2025, 2, 1),
        client: client(2),
    });
    given
        .when(single(2).starting(date(2025, 2, 1)).enroll)
        .then_expect_events(&[
            EventType::HouseholdEnrolled,
            EventType::ClientEnrollmentOpened,
        ]);
}

#[test]
fn removing_the_head_of_household_is_rejected() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    given
        .when(RemoveMember {
            destination: None,
            destination_subsidy: None,
            household: h,
            date: date(2025, 2, 1),
            client: client(1),
        })
        .then_expect_error(|e| {
            matches!(e, Rejection::CannotRemoveHead { household, client: c }
                if *household == h && *c == client(1))
        });
}

#[test]
fn removing_a_client_who_is_not_a_member_is_rejected() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    given
        .when(RemoveMember {
            destination: None,
            destination_subsidy: None,
            household: h,
            date: date(2025, 2, 1),
            client: client(9),
        })
        .then_expect_error(
            |e| matches!(e, Rejection::UnknownMember { client: c, .. } if *c == client(9)),
        );
}

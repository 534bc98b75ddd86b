//! AddMember: a client joins an enrolled household.

use ce_core::hud::RelationshipToHoH;
use ce_core::testing::{client, date, Scenario};
use ce_core::{Rejection, *};

use crate::common::{child, family, household, lists_with, on_lists, partner, single};

#[test]
fn add_member_emits_member_added_and_opens_the_clients_enrollment() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled().placed_with_score(10));
    let add = AddMember {
        household: h,
        date: date(2025, 2, 1),
        member: child(client(2)),
    };
    let decision = given
        .when(add.clone())
        .then_expect_events(&[EventType::MemberAdded, EventType::ClientEnrollmentOpened]);
    assert_eq!(decision.events[0].streams, [StreamId::Household(h)]);
    assert_eq!(decision.events[1].streams, [StreamId::Client(client(2))]);
    given.given(add);

    let grown = household(&given, h);
    assert!(grown.members.iter().any(|m| m.client == client(2)));
    assert_eq!(given.caseload().open_enrollments.get(&client(2)), Some(&h));
    // A child joined: the household moves to the with-children lists.
    assert_eq!(grown.household_type(), HouseholdType::AdultsAndChildren);
    assert_eq!(
        lists_with(&given, h, date(2025, 2, 1)),
        on_lists(&[
            (ProgramType::Psh, ListHouseholdType::WithChildren),
            (ProgramType::Th, ListHouseholdType::WithChildren),
            (ProgramType::Rrh, ListHouseholdType::WithChildren),
        ])
    );
}

#[test]
fn add_member_rejects_a_client_enrolled_in_another_household() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let other = given.enroll(single(2));
    given
        .when(AddMember {
            household: h,
            date: date(2025, 2, 1),
            member: partner(client(2)),
        })
        .then_expect_error(|e| {
            matches!(e, Rejection::ClientAlreadyEnrolled { client: c, household }
                if *c == client(2) && *household == other)
        });
}

#[test]
fn add_member_rejects_a_second_head_of_household() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut head = partner(client(2));
    head.relationship = RelationshipToHoH::SelfHeadOfHousehold;
    given
        .when(AddMember {
            household: h,
            date: date(2025, 2, 1),
            member: head,
        })
        .then_expect_error(|e| matches!(e, Rejection::HeadOfHousehold { count: 2 }));
}

#[test]
fn add_member_rejects_a_client_already_in_the_household() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2));
    given
        .when(AddMember {
            household: h,
            date: date(2025, 2, 1),
            member: child(client(2)),
        })
        .then_expect_error(|e| matches!(e, Rejection::DuplicateMember(c) if *c == client(2)));
}

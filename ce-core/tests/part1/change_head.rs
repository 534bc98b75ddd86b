//! ChangeHead: another member becomes head of household.

use ce_core::hud::RelationshipToHoH;
use ce_core::testing::{client, date, Scenario};
use ce_core::{Rejection, *};

use crate::common::{couple, household};

#[test]
fn change_head_makes_another_member_head_and_relates_the_former_head_to_them() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    let change = ChangeHead {
        household: h,
        date: date(2025, 2, 1),
        head: client(2),
        former_head_relationship: RelationshipToHoH::SpouseOrPartner,
    };
    given
        .when(change.clone())
        .then_expect_events(&[EventType::HeadOfHouseholdChanged]);
    given.given(change);

    let changed = household(&given, h);
    assert_eq!(changed.head().map(|m| m.client), Some(client(2)));
    let former = changed
        .members
        .iter()
        .find(|m| m.client == client(1))
        .unwrap();
    assert_eq!(former.relationship, RelationshipToHoH::SpouseOrPartner);
}

#[test]
fn after_a_change_of_head_the_former_head_can_be_removed() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    given.given(ChangeHead {
        household: h,
        date: date(2025, 2, 1),
        head: client(2),
        former_head_relationship: RelationshipToHoH::SpouseOrPartner,
    });
    given
        .when(RemoveMember {
            destination: None,
            destination_subsidy: None,
            household: h,
            date: date(2025, 2, 2),
            client: client(1),
        })
        .then_expect_events(&[EventType::MemberRemoved, EventType::ClientEnrollmentClosed]);
}

#[test]
fn change_head_rejects_a_client_who_is_not_a_member() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    given
        .when(ChangeHead {
            household: h,
            date: date(2025, 2, 1),
            head: client(9),
            former_head_relationship: RelationshipToHoH::SpouseOrPartner,
        })
        .then_expect_error(
            |e| matches!(e, Rejection::UnknownMember { client: c, .. } if *c == client(9)),
        );
}

#[test]
fn change_head_rejects_leaving_the_former_head_as_a_second_head() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    given
        .when(ChangeHead {
            household: h,
            date: date(2025, 2, 1),
            head: client(2),
            former_head_relationship: RelationshipToHoH::SelfHeadOfHousehold,
        })
        .then_expect_error(|e| matches!(e, Rejection::HeadOfHousehold { count: 2 }));
}

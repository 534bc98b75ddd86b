//! Rules shared by every household command of part 1 (assess, follow-up,
//! attempt contact, add or remove a member, change head, exit): who may
//! send them and which households and dates they may name.

use ce_core::hud::RelationshipToHoH;
use ce_core::testing::{client, date, follow_up, Scenario};
use ce_core::{Field, Rejection, *};
use chrono::NaiveDate;

use crate::common::{assess, attempt, exit, family, partner, single, start};

/// Every household command of Part 1, dated `on`, for a household whose
/// head is `client(1)` and who has a second member `client(2)`.
fn household_commands(household: HouseholdId, on: NaiveDate) -> Vec<(&'static str, Command)> {
    vec![
        ("assess", assess(household, on, 9, true).into()),
        ("follow-up", follow_up(household, on, 3).into()),
        ("attempt contact", attempt(household, on).into()),
        (
            "add member",
            AddMember {
                household,
                date: on,
                member: partner(client(3)),
            }
            .into(),
        ),
        (
            "remove member",
            RemoveMember {
                destination: Default::default(),
                destination_subsidy: None,
                household,
                date: on,
                client: client(2),
            }
            .into(),
        ),
        (
            "change head",
            ChangeHead {
                household,
                date: on,
                head: client(2),
                former_head_relationship: RelationshipToHoH::OtherRelative,
            }
            .into(),
        ),
        ("exit", exit(household, on).into()),
    ]
}

/// Each command is rejected by `decide` with an error matching `rule`.
fn expect_each_rejected(
    given: &Scenario,
    commands: Vec<(&'static str, Command)>,
    rule: impl Fn(&Rejection) -> bool,
) {
    for (name, command) in commands {
        match given.when(command).result {
            Err(e) => assert!(rule(&e), "{name}: unexpected error {e:?}"),
            Ok(decision) => panic!("{name}: expected an error, got {:?}", decision.events),
        }
    }
}

#[test]
fn part_1_household_commands_are_forbidden_to_a_provider() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2));
    given.acting_as("pat", "Coulee Housing Authority", Role::Provider);
    expect_each_rejected(&given, household_commands(h, date(2025, 2, 1)), |e| {
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
fn commands_on_an_unknown_household_are_rejected() {
    let mut given = Scenario::new();
    given.enroll(family(1, 2));
    let unknown = HouseholdId::from_uuid(uuid::Uuid::from_u128(404));
    expect_each_rejected(
        &given,
        household_commands(unknown, date(2025, 2, 1)),
        |e| matches!(e, Rejection::UnknownHousehold(h) if *h == unknown),
    );
}

#[test]
fn commands_on_an_exited_household_are_rejected() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2));
    given.given(exit(h, date(2025, 3, 1)));
    expect_each_rejected(&given, household_commands(h, date(2025, 3, 2)), |e| {
        matches!(e, Rejection::HouseholdExited { household, exit_date }
            if *household == h && *exit_date == date(2025, 3, 1))
    });
}

#[test]
fn commands_dated_before_project_start_are_rejected() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2));
    let day_before = date(2025, 1, 5);
    expect_each_rejected(&given, household_commands(h, day_before), |e| {
        matches!(e, Rejection::BeforeProjectStart { household, date, project_start, .. }
            if *household == h && *date == day_before && *project_start == start())
    });
}

#[test]
fn before_project_start_names_the_date_that_is_wrong() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given
        .when(follow_up(h, date(2025, 1, 5), 3))
        .then_expect_error(|e| {
            matches!(
                e,
                Rejection::BeforeProjectStart {
                    field: Field::FollowUpDate,
                    ..
                }
            )
        });
    given
        .when(assess(h, date(2025, 1, 5), 9, true))
        .then_expect_error(|e| {
            matches!(
                e,
                Rejection::BeforeProjectStart {
                    field: Field::AssessmentDate,
                    ..
                }
            )
        });
}

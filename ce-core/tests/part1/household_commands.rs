//! Rules shared by every household command of part 1 (assess, follow-up,
//! attempt contact, add or remove a member, change head, exit): who may
//! send them and which households and dates they may name.

use ce_core::testing::{date, follow_up, Scenario};
use ce_core::*;

use crate::common::{
    assess, exit, expect_each_rejected, family, household_commands, single, start,
};

#[test]
fn commands_on_an_unknown_household_are_rejected() {
    let mut given = Scenario::new();
    given.enroll(family(1, 2));
    let unknown = HouseholdId::from_uuid(uuid::Uuid::from_u128(404));
    expect_each_rejected(
        &given,
        household_commands(unknown, date(2025, 2, 1)),
        |e| matches!(e, Error::UnknownHousehold(h) if *h == unknown),
    );
}

#[test]
fn commands_on_an_exited_household_are_rejected() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2));
    given.given(exit(h, date(2025, 3, 1)));
    expect_each_rejected(&given, household_commands(h, date(2025, 3, 2)), |e| {
        matches!(e, Error::HouseholdExited { household, exit_date }
            if *household == h && *exit_date == date(2025, 3, 1))
    });
}

#[test]
fn commands_dated_before_project_start_are_rejected() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2));
    let day_before = date(2025, 1, 5);
    expect_each_rejected(&given, household_commands(h, day_before), |e| {
        matches!(e, Error::BeforeProjectStart { household, date, project_start, .. }
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
                Error::BeforeProjectStart {
                    field: "follow-up date",
                    ..
                }
            )
        });
    given
        .when(assess(h, date(2025, 1, 5), 9, true))
        .then_expect_error(|e| {
            matches!(
                e,
                Error::BeforeProjectStart {
                    field: "assessment date",
                    ..
                }
            )
        });
}

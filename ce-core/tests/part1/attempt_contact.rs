//! AttemptContact: an attempt to reach the household that is not
//! contact.

use ce_core::hud::MonthsHomeless;
use ce_core::testing::{date, Scenario};
use ce_core::{Field, Rejection, *};

use crate::common::{attempt, household, single, start};

#[test]
fn attempt_contact_records_the_attempt_but_is_not_contact() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given
        .when(attempt(h, date(2025, 3, 1)))
        .then_expect_events(&[EventType::ContactAttempted]);
    given.given(attempt(h, date(2025, 3, 1)));

    let attempted = household(&given, h);
    assert_eq!(attempted.last_attempt, Some(date(2025, 3, 1)));
    assert_eq!(attempted.last_contact, start());
    assert_eq!(attempted.current.0, start());
    assert_eq!(attempted.months_homeless, MonthsHomeless::TwoMonths);
}

#[test]
fn attempt_contact_rejects_an_empty_note() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut command = attempt(h, date(2025, 3, 1));
    command.note = " ".to_owned();
    given
        .when(command)
        .then_expect_error(|e| matches!(e, Rejection::EmptyNote));
}

#[test]
fn attempt_contact_rejects_a_note_over_1000_characters() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut command = attempt(h, date(2025, 3, 1));
    command.note = "y".repeat(1_001);
    given.when(command).then_expect_error(|e| {
        matches!(
            e,
            Rejection::TooLong {
                field: Field::CeNote,
                ..
            }
        )
    });
}

//! FollowUp: a contact made, with a status update and a current living
//! situation.

use ce_core::hud::{LivingSituation, MonthsHomeless};
use ce_core::testing::{date, follow_up, Scenario};
use ce_core::{Field, Rejection, *};

use crate::common::{household, single, situation, utc};

#[test]
fn a_follow_up_dated_after_the_time_it_is_recorded_is_rejected() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given.recorded_at(utc(2025, 2, 1, 12, 0, 0));
    given
        .when(follow_up(h, date(2025, 2, 2), 3))
        .then_expect_error(|e| {
            matches!(e, Rejection::EffectiveAfterRecorded { effective, .. }
                if *effective == date(2025, 2, 2))
        });
}

#[test]
fn follow_up_records_contact_with_status_update_and_current_living_situation() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    let mut contact = follow_up(h, date(2025, 3, 1), 5);
    contact.current = situation(101);

    given
        .when(contact.clone())
        .then_expect_events(&[EventType::ContactMade]);
    given.given(contact);

    let followed = household(&given, h);
    assert_eq!(followed.last_contact, date(2025, 3, 1));
    assert_eq!(followed.months_homeless, MonthsHomeless::FiveMonths);
    assert_eq!(followed.current, (date(2025, 3, 1), situation(101)));
    assert_eq!(followed.last_attempt, None);
    assert_eq!(followed.status, HouseholdStatus::Active);
}

#[test]
fn follow_up_rejects_an_empty_note() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    for note in ["", "   ", "\n\t "] {
        given
            .when_follow_up_with_note(h, date(2025, 3, 1), note)
            .then_expect_error(|e| matches!(e, Rejection::EmptyNote));
    }
}

#[test]
fn follow_up_rejects_a_note_over_1000_characters() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given
        .when_follow_up_with_note(h, date(2025, 3, 1), &"x".repeat(1_001))
        .then_expect_error(|e| {
            matches!(
                e,
                Rejection::TooLong {
                    field: Field::CeNote,
                    chars: 1_001,
                    max: 1_000
                }
            )
        });
}

#[test]
fn a_note_of_1000_characters_is_accepted_however_many_bytes_they_take() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    // 1,000 characters, 2,000 bytes: the limit counts characters.
    given
        .when_follow_up_with_note(h, date(2025, 3, 1), &"é".repeat(1_000))
        .then_expect_events(&[EventType::ContactMade]);
}

#[test]
fn follow_up_rejects_rental_with_subsidy_without_a_subsidy_type() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut contact = follow_up(h, date(2025, 3, 1), 3);
    contact.current = situation(435);
    given.when(contact).then_expect_error(|e| {
        matches!(
            e,
            Rejection::SubsidyMismatch {
                situation: LivingSituation::RentalWithSubsidy
            }
        )
    });
}

#[test]
fn a_backdated_follow_up_does_not_replace_the_latest_status_update() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut latest = follow_up(h, date(2025, 3, 1), 5);
    latest.current = situation(101);
    given.given(latest);
    // Entered late: a contact that happened before the latest one.
    given.given(follow_up(h, date(2025, 2, 1), 3));

    let followed = household(&given, h);
    assert_eq!(followed.last_contact, date(2025, 3, 1));
    assert_eq!(
        followed.current,
        (date(2025, 3, 1), situation(101)),
        "the latest 4.12 is the one dated 2025-03-01"
    );
    assert_eq!(
        followed.months_homeless,
        MonthsHomeless::FiveMonths,
        "months homeless come from the latest Status Update (2025-03-01)"
    );
}

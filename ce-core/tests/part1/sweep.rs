//! Sweep: households without contact for the policy's inactivity days
//! become inactive and leave the lists until the next contact.

use ce_core::priority::list_status;
use ce_core::testing::{date, follow_up, Scenario};
use ce_core::{OffListReason, Rejection, *};

use crate::common::{
    assessed_on, attempt, days_after, days_before, exit, household, lists_with, single, start,
    sweep, COALITION,
};

#[test]
fn sweep_inactivates_households_past_the_inactivity_days_without_contact() {
    let mut given = Scenario::new();
    let quiet = given.enroll(single(1).placed_with_score(9));
    let in_touch = given.enroll(single(2).placed_with_score(9));
    given.given(follow_up(in_touch, date(2025, 3, 1), 4));
    // The assessment (the day after project start) is the last contact.
    let as_of = days_after(assessed_on(), 91);

    let decision = given
        .when(sweep(as_of))
        .then_expect_events(&[EventType::HouseholdInactivated]);
    assert_eq!(
        decision.outcome,
        Outcome::Swept {
            inactivated: vec![quiet]
        }
    );
    assert_eq!(decision.events[0].streams, [StreamId::Household(quiet)]);
    assert_eq!(decision.events[0].effective, as_of);
    match &decision.events[0].event {
        Event::HouseholdInactivated(e) => {
            assert_eq!(e.last_contact, assessed_on());
            assert_eq!(e.days_without_contact, 91);
            assert_eq!(e.inactivity_days, 90);
        }
        other => panic!("expected HouseholdInactivated, got {other:?}"),
    }

    given.given(sweep(as_of));
    assert_eq!(
        household(&given, quiet).status,
        HouseholdStatus::Inactive {
            since: as_of,
            inactivity_days: 90
        }
    );
    assert_eq!(household(&given, in_touch).status, HouseholdStatus::Active);
}

#[test]
fn sweep_marks_a_household_inactive_on_day_90_after_its_last_contact_not_day_89() {
    // "No contact for 90 days": the last contact is day 0.
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    let decision = given
        .when(sweep(days_after(assessed_on(), 89)))
        .then_expect_events(&[]);
    assert_eq!(
        decision.outcome,
        Outcome::Swept {
            inactivated: vec![]
        }
    );
    let decision = given
        .when(sweep(days_after(assessed_on(), 90)))
        .then_expect_events(&[EventType::HouseholdInactivated]);
    assert_eq!(
        decision.outcome,
        Outcome::Swept {
            inactivated: vec![h]
        }
    );
}

#[test]
fn a_contact_entered_after_the_sweep_but_dated_within_the_window_brings_the_household_back() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled().placed_with_score(9));
    let swept_on = days_after(assessed_on(), 90);
    given.given(sweep(swept_on));
    // Dated 13 days before the sweep, entered after it.
    let late = days_before(swept_on, 13);
    given.given(follow_up(h, late, 5));
    assert_eq!(household(&given, h).status, HouseholdStatus::Active);
    assert_eq!(household(&given, h).last_contact, late);
    assert!(!lists_with(&given, h, swept_on).is_empty());
    let violations =
        ce_core::invariants::check_caseload(given.caseload(), given.policy(), swept_on);
    assert!(violations.is_empty(), "{violations:?}");
}

#[test]
fn the_invariants_catch_an_inactive_household_with_a_contact_in_its_window() {
    // A projection (or a fold by other code) that kept the household
    // inactive after such a contact: `verify`'s caseload check finds it.
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    let swept_on = days_after(assessed_on(), 90);
    given.given(sweep(swept_on));
    let mut caseload = given.caseload().clone();
    assert!(ce_core::invariants::check_caseload(&caseload, given.policy(), swept_on).is_empty());
    let mut stale = household(&given, h).clone();
    stale.last_contact = days_before(swept_on, 13);
    caseload.insert_household(stale);
    let violations = ce_core::invariants::check_caseload(&caseload, given.policy(), swept_on);
    assert_eq!(
        violations,
        [ce_core::invariants::Violation::InactiveDespiteContact {
            household: h,
            since: swept_on,
            last_contact: days_before(swept_on, 13),
            inactivity_days: 90,
        }]
    );
}

#[test]
fn a_contact_entered_late_and_older_than_the_window_leaves_the_household_inactive() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    let swept_on = days_after(assessed_on(), 120);
    given.given(sweep(swept_on));
    // 90 days before the sweep: the sweep would have found it all the same.
    given.given(follow_up(h, days_before(swept_on, 90), 5));
    assert_eq!(
        household(&given, h).status,
        HouseholdStatus::Inactive {
            since: swept_on,
            inactivity_days: 90
        }
    );
}

#[test]
fn sweep_follows_the_policys_inactivity_days() {
    let mut policy = Policy::wi_bos_default();
    policy.inactivity_days = 60;
    let mut given = Scenario::with_policy(policy);
    given.enroll(single(1));
    // "No contact for 60 days": still active on day 59, inactive on day 60.
    given
        .when(sweep(days_after(start(), 59)))
        .then_expect_events(&[]);
    given
        .when(sweep(days_after(start(), 60)))
        .then_expect_events(&[EventType::HouseholdInactivated]);
}

#[test]
fn a_no_contact_attempt_does_not_prevent_inactivity() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    given.given(attempt(h, date(2025, 4, 1)));
    let decision = given
        .when(sweep(days_after(assessed_on(), 91)))
        .then_expect_events(&[EventType::HouseholdInactivated]);
    assert_eq!(
        decision.outcome,
        Outcome::Swept {
            inactivated: vec![h]
        }
    );
}

#[test]
fn an_inactive_household_is_off_every_list() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled().placed_with_score(9));
    let as_of = days_after(assessed_on(), 91);
    assert_eq!(lists_with(&given, h, as_of).len(), 3);

    given.given(sweep(as_of));

    assert!(lists_with(&given, h, as_of).is_empty());
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Rrh,
            as_of
        ),
        Err(OffListReason::Inactive { since: as_of })
    );
}

#[test]
fn a_follow_up_puts_an_inactive_household_back_on_its_lists() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled().placed_with_score(9));
    let as_of = days_after(start(), 91);
    let before = lists_with(&given, h, as_of);
    given.given(sweep(as_of));

    given
        .when(follow_up(h, date(2025, 4, 20), 5))
        .then_expect_events(&[EventType::ContactMade]);
    given.given(follow_up(h, date(2025, 4, 20), 5));

    let back = household(&given, h);
    assert_eq!(back.status, HouseholdStatus::Active);
    assert_eq!(back.last_contact, date(2025, 4, 20));
    assert_eq!(lists_with(&given, h, date(2025, 4, 20)), before);
    assert_eq!(
        given.list(
            COALITION,
            ProgramType::Psh,
            ListHouseholdType::AdultsOnly,
            date(2025, 4, 20)
        ),
        [h]
    );
}

#[test]
fn a_no_contact_attempt_does_not_reactivate_an_inactive_household() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    let as_of = days_after(assessed_on(), 91);
    given.given(sweep(as_of));
    given.given(attempt(h, date(2025, 4, 20)));
    assert_eq!(
        household(&given, h).status,
        HouseholdStatus::Inactive {
            since: as_of,
            inactivity_days: 90
        }
    );
    assert!(lists_with(&given, h, date(2025, 4, 20)).is_empty());
}

#[test]
fn sweep_skips_households_already_inactive_or_exited() {
    let mut given = Scenario::new();
    let inactive = given.enroll(single(1));
    let exited = given.enroll(single(2));
    given.given(exit(exited, date(2025, 2, 1)));
    given.given(sweep(days_after(start(), 91)));
    assert_eq!(
        household(&given, inactive).status,
        HouseholdStatus::Inactive {
            since: days_after(start(), 91),
            inactivity_days: 90
        }
    );

    given.when(sweep(date(2025, 6, 1))).then_expect_events(&[]);
}

#[test]
fn sweep_is_forbidden_to_access_staff_and_providers() {
    let mut given = Scenario::new();
    given.enroll(single(1));
    for role in [Role::Access, Role::Provider] {
        given.acting_as("someone", "Coulee CAP", role);
        given
            .when(sweep(date(2025, 6, 1)))
            .then_expect_error(|e| matches!(e, Rejection::Forbidden { role: r, .. } if *r == role));
    }
}

//! Retention: which clients have had no activity for N years, and erasure.

use ce_core::hud::{CurrentSituation, MonthsHomeless, PriorSituation};
use ce_core::report::retention_due;
use ce_core::testing::{client, date, Scenario};
use ce_core::*;

use crate::common::{family, household, single};

#[test]
fn clients_with_no_activity_in_the_window_are_due_and_erased_ones_are_not() {
    let mut given = Scenario::new();
    // Both enrolled (and assessed) on 2025-01-06 and 2025-01-07.
    let quiet = given.enroll(single(1));
    let busy = given.enroll(family(2, 3));
    given.given(FollowUp::contact(
        busy,
        date(2025, 11, 1),
        StatusUpdate {
            residence: PriorSituation::PLACE_NOT_MEANT_FOR_HABITATION,
            months_homeless: MonthsHomeless::TwoMonths,
        },
        CurrentLivingSituation::new(CurrentSituation::PLACE_NOT_MEANT_FOR_HABITATION),
        "Still at the camp.",
    ));
    // Seven years and a day after the quiet household's last event it is
    // due, the busy one not; seven years to the day, nobody.
    let last = household(&given, quiet).last_activity;
    let seven_years_on = last
        .checked_add_months(chrono::Months::new(7 * 12))
        .unwrap();
    assert!(retention_due(given.caseload(), seven_years_on, 7).is_empty());
    let due = retention_due(given.caseload(), seven_years_on.succ_opt().unwrap(), 7);
    let clients: Vec<ClientId> = due.iter().map(|d| d.client).collect();
    assert_eq!(clients, [client(1)]);
    assert_eq!(due[0].households, [quiet]);
    assert_eq!(due[0].last_activity, last);
    // Ten years on, the family too, each member once.
    let later = retention_due(given.caseload(), date(2035, 1, 1), 7);
    assert_eq!(later.len(), 3);

    // Erased, a client is no longer due.
    given.given(Erase {
        client: client(1),
        reason: ErasureReason::Retention,
        date: date(2025, 12, 1),
    });
    // The erasure is not activity of the household.
    assert_eq!(household(&given, quiet).last_activity, last);
    let due = retention_due(given.caseload(), date(2035, 1, 1), 7);
    assert!(due.iter().all(|d| d.client != client(1)), "{due:?}");
}

#[test]
fn a_policy_holds_its_retention_years_within_bounds() {
    let mut policy = Policy::wi_bos_default();
    assert_eq!(policy.retention_years, None, "off by default");
    policy.retention_years = Some(7);
    assert!(policy.validate().is_ok());
    policy.retention_years = Some(0);
    assert!(policy.validate().is_err());
    policy.retention_years = Some(101);
    assert!(policy.validate().is_err());
}

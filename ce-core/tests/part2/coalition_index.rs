//! The caseload's index of households by coalition.

use ce_core::testing::{HouseholdBuilder, Scenario};
use ce_core::*;

use crate::common::{day, exit, single, COALITION};

#[test]
fn households_in_a_coalition_come_from_the_index_however_the_caseload_was_filled() {
    let mut s = Scenario::new();
    let first = s.enroll(single(3));
    let exited = s.enroll(single(5));
    let elsewhere = s.enroll(
        HouseholdBuilder::single_adult("Central")
            .disabled()
            .placed_with_score(4),
    );
    s.given(exit(exited, day(1, 20)));
    let coulee = Coalition::new(COALITION);
    let ids = |c: &Caseload, coalition: &Coalition| -> Vec<HouseholdId> {
        c.households_in(coalition).map(|h| h.id).collect()
    };
    // Folded through `apply`: the index holds the open households only.
    let folded = s.caseload().clone();
    assert_eq!(ids(&folded, &coulee), vec![first]);
    assert_eq!(ids(&folded, &Coalition::new("Central")), vec![elsewhere]);

    // Loaded as a store loads its projections, all at once or one by one:
    // the same answers.
    let mut loaded = Caseload::default();
    loaded.set_households(folded.households().clone());
    loaded.open_enrollments = folded.open_enrollments.clone();
    loaded.closed_enrollments = folded.closed_enrollments.clone();
    loaded.versions = folded.versions.clone();
    loaded.next_position = folded.next_position;
    assert_eq!(loaded, folded);
    assert_eq!(ids(&loaded, &coulee), vec![first]);
    assert_eq!(ids(&loaded, &Coalition::new("Central")), vec![elsewhere]);
    let mut one_by_one = Caseload::default();
    for household in folded.households().values() {
        one_by_one.insert_household(household.clone());
    }
    assert_eq!(ids(&one_by_one, &coulee), vec![first]);
    assert_eq!(
        ids(&one_by_one, &Coalition::new("Central")),
        vec![elsewhere]
    );
}

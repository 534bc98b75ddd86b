//! Derived values: ranking and eligibility floors.

use ce_core::priority::{compare, list_status};
use ce_core::testing::Scenario;
use ce_core::{OffListReason, *};

use crate::common::{assessed_on, family, household, lists_with, single, COALITION};

#[test]
fn on_the_psh_list_a_chronic_household_ranks_above_a_non_chronic_one_with_a_higher_score() {
    let mut given = Scenario::new();
    let not_chronic = given.enroll(single(1).disabled().placed_with_score(15));
    let chronic = given.enroll(single(2).chronic().placed_with_score(8));
    assert!(household(&given, chronic).is_chronic());
    assert!(!household(&given, not_chronic).is_chronic());

    assert_eq!(
        given.list(
            COALITION,
            ProgramType::Psh,
            ListHouseholdType::AdultsOnly,
            assessed_on()
        ),
        [chronic, not_chronic]
    );
    // RRH has no chronic key: the higher score comes first there.
    assert_eq!(
        given.list(
            COALITION,
            ProgramType::Rrh,
            ListHouseholdType::AdultsOnly,
            assessed_on()
        ),
        [not_chronic, chronic]
    );
}

#[test]
fn households_with_equal_rank_keys_are_ordered_by_household_id() {
    let mut given = Scenario::new();
    let mut households: Vec<HouseholdId> = (1..=4)
        .map(|n| given.enroll(single(n).disabled().placed_with_score(9)))
        .collect();
    households.sort();

    let list = given.list(
        COALITION,
        ProgramType::Psh,
        ListHouseholdType::AdultsOnly,
        assessed_on(),
    );
    assert_eq!(list, households);

    // The order is total: no two households compare equal, so the list does
    // not depend on the order households were enrolled in.
    let psh = &given.policy().program(ProgramType::Psh).unwrap().order;
    let inputs: Vec<RankInputs> = households
        .iter()
        .map(|h| RankInputs::of(household(&given, *h), given.policy()).unwrap())
        .collect();
    for a in &inputs {
        for b in &inputs {
            assert_eq!(compare(psh, a, b), a.household.cmp(&b.household));
        }
    }
}

#[test]
fn the_rrh_list_requires_a_score_of_at_least_4() {
    let mut given = Scenario::new();
    let below = given.enroll(single(1).placed_with_score(3));
    let at_floor = given.enroll(single(2).placed_with_score(4));

    assert_eq!(
        given.list(
            COALITION,
            ProgramType::Rrh,
            ListHouseholdType::AdultsOnly,
            assessed_on()
        ),
        [at_floor]
    );
    assert!(lists_with(&given, below, assessed_on()).is_empty());
    assert!(matches!(
        list_status(
            household(&given, below),
            given.policy(),
            ProgramType::Rrh,
            assessed_on()
        ),
        Err(OffListReason::Ineligible { .. })
    ));
}

#[test]
fn the_psh_floor_is_8_for_a_single_adult_and_9_for_a_family() {
    let mut given = Scenario::new();
    let single_7 = given.enroll(single(1).disabled().placed_with_score(7));
    let single_8 = given.enroll(single(2).disabled().placed_with_score(8));
    let family_8 = given.enroll(family(3, 4).disabled().placed_with_score(8));
    let family_9 = given.enroll(family(5, 6).disabled().placed_with_score(9));

    let psh =
        |household_type| given.list(COALITION, ProgramType::Psh, household_type, assessed_on());
    assert_eq!(psh(ListHouseholdType::AdultsOnly), [single_8]);
    assert_eq!(psh(ListHouseholdType::WithChildren), [family_9]);
    // Below the PSH floor they are still on the RRH list (floor 4).
    for below in [single_7, family_8] {
        assert!(lists_with(&given, below, assessed_on())
            .iter()
            .all(|(program, _)| *program == ProgramType::Rrh));
        assert_eq!(lists_with(&given, below, assessed_on()).len(), 1);
    }
}

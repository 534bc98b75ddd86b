//! Assess: an assessment placed on the prioritization list puts the
//! household on the lists it is eligible for.

use ce_core::hud::NoYesReasons;
use ce_core::priority::list_status;
use ce_core::testing::{date, Scenario};
use ce_core::{IneligibleRule, OffListReason, *};

use crate::common::{
    assess, assessed_on, days_after, family, household, lists_with, on_lists, single, COALITION,
};

#[test]
fn assessment_placed_puts_the_household_on_the_lists_it_is_eligible_for() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled());
    given
        .when(assess(h, assessed_on(), 9, true))
        .then_expect_events(&[EventType::AssessmentRecorded]);
    given.given(assess(h, assessed_on(), 9, true));

    let assessed = household(&given, h);
    assert_eq!(assessed.placed_on, Some(assessed_on()));
    assert_eq!(assessed.score(), Some(9));
    // Literally homeless with a disabled adult: on the TH list too.
    assert_eq!(
        lists_with(&given, h, assessed_on()),
        on_lists(&[
            (ProgramType::Psh, ListHouseholdType::AdultsOnly),
            (ProgramType::Th, ListHouseholdType::AdultsOnly),
            (ProgramType::Rrh, ListHouseholdType::AdultsOnly),
        ])
    );
    assert_eq!(
        given.list(
            COALITION,
            ProgramType::Psh,
            ListHouseholdType::AdultsOnly,
            assessed_on()
        ),
        [h]
    );
}

#[test]
fn a_household_without_a_disabling_condition_is_on_no_psh_list() {
    // HUD CoC PSH serves homeless individuals with a disability and
    // families with an adult or child member with one (24 CFR
    // 578.37(a)(1)(i)); a high score does not make up for it.
    let mut given = Scenario::new();
    let none = given.enroll(single(1).placed_with_score(15));
    assert_eq!(
        lists_with(&given, none, assessed_on()),
        on_lists(&[(ProgramType::Rrh, ListHouseholdType::AdultsOnly)])
    );
    assert_eq!(
        list_status(
            household(&given, none),
            given.policy(),
            ProgramType::Psh,
            assessed_on()
        ),
        Err(OffListReason::Ineligible {
            rule: IneligibleRule::NoDisabledMember
        })
    );
    // A family whose only member with a disability is a child is eligible.
    let mut builder = family(3, 4).placed_with_score(9);
    if let Some(kid) = builder.enroll.members.get_mut(1) {
        kid.disabling_condition = NoYesReasons::Yes;
    }
    let family_with_disabled_child = given.enroll(builder);
    assert_eq!(
        given.list(
            COALITION,
            ProgramType::Psh,
            ListHouseholdType::WithChildren,
            assessed_on()
        ),
        [family_with_disabled_child]
    );
}

#[test]
fn a_literally_homeless_household_with_a_disabled_adult_is_also_on_the_th_list() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled().placed_with_score(9));
    assert_eq!(
        lists_with(&given, h, assessed_on()),
        on_lists(&[
            (ProgramType::Psh, ListHouseholdType::AdultsOnly),
            (ProgramType::Th, ListHouseholdType::AdultsOnly),
            (ProgramType::Rrh, ListHouseholdType::AdultsOnly),
        ])
    );
}

#[test]
fn assessment_not_placed_puts_the_household_on_no_list() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given
        .when(assess(h, assessed_on(), 15, false))
        .then_expect_events(&[EventType::AssessmentRecorded]);
    given.given(assess(h, assessed_on(), 15, false));

    assert_eq!(household(&given, h).placed_on, None);
    assert!(lists_with(&given, h, assessed_on()).is_empty());
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Psh,
            assessed_on()
        ),
        Err(OffListReason::NotPlaced)
    );
}

#[test]
fn a_reassessment_not_placed_takes_the_household_off_the_lists() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    given.given(assess(h, date(2025, 2, 1), 9, false));
    assert!(lists_with(&given, h, date(2025, 2, 1)).is_empty());
}

#[test]
fn a_reassessment_still_placed_keeps_the_original_placement_date() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    given.given(assess(h, date(2025, 2, 1), 11, true));
    let reassessed = household(&given, h);
    assert_eq!(reassessed.placed_on, Some(assessed_on()));
    assert_eq!(reassessed.score(), Some(11));
}

#[test]
fn a_household_placed_without_a_score_is_unscored_and_a_later_assessment_does_not_keep_the_earlier_score(
) {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled().placed_with_score(9));
    assert!(list_status(
        household(&given, h),
        given.policy(),
        ProgramType::Psh,
        assessed_on()
    )
    .is_ok());
    // Reassessed and placed, with no score: the earlier 9 is not carried over.
    let mut unscored = assess(h, days_after(assessed_on(), 10), 9, true);
    unscored.score = None;
    given.given(unscored);
    assert_eq!(household(&given, h).score(), None);
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Psh,
            days_after(assessed_on(), 10)
        ),
        Err(OffListReason::Ineligible {
            rule: IneligibleRule::Unscored
        })
    );
}

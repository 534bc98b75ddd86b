//! An assessment is contact (a policy setting, on by default).

use ce_core::testing::Scenario;
use ce_core::*;

use crate::common::{assess, assessed_on, days_after, household, single, start, sweep};

#[test]
fn an_assessment_is_contact_under_the_default_policy() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    assert_eq!(household(&given, h).last_contact, assessed_on());
    // Inactive after 90 days without contact; a reassessment brings it back.
    let as_of = days_after(assessed_on(), 91);
    given.given(sweep(as_of));
    assert_eq!(
        household(&given, h).status,
        HouseholdStatus::Inactive {
            since: as_of,
            inactivity_days: 90
        }
    );
    given.given(assess(h, days_after(as_of, 1), 9, true));
    assert_eq!(household(&given, h).status, HouseholdStatus::Active);
    assert_eq!(household(&given, h).last_contact, days_after(as_of, 1));
}

#[test]
fn an_assessment_is_not_contact_when_the_policy_says_so() {
    let mut policy = Policy::wi_bos_default();
    policy.assessment_is_contact = false;
    let mut given = Scenario::with_policy(policy);
    let h = given.enroll(single(1).placed_with_score(9));
    assert_eq!(household(&given, h).last_contact, start());
    given
        .when(sweep(days_after(start(), 91)))
        .then_expect_events(&[EventType::HouseholdInactivated]);
}

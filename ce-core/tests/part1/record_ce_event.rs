//! RecordCeEvent: 4.20 events recorded on the household (not offers of
//! ce's own openings).

use ce_core::hud::{CeEventType, ReferralResult};
use ce_core::priority::list_status;
use ce_core::testing::{date, Scenario};
use ce_core::{Field, OffListReason, Rejection, *};
use chrono::NaiveDate;

use crate::common::{assess, assessed_on, exit, household, lists_with, single, start};

fn ce_event(household: HouseholdId, on: NaiveDate, code: u16) -> RecordCeEvent {
    ce_core::testing::ce_event(household, on, CeEventType::try_from(code).unwrap())
}

#[test]
fn every_4_20_event_code_can_be_recorded_on_a_household() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    for code in 1..=18 {
        given
            .when(ce_event(h, date(2025, 2, 1), code))
            .then_expect_events(&[EventType::CeEventRecorded]);
    }
}

#[test]
fn a_household_with_only_access_events_is_on_no_list_until_assessed() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given.given(ce_event(h, date(2025, 1, 8), 3));
    given.given(ce_event(h, date(2025, 1, 9), 4));
    assert!(lists_with(&given, h, date(2025, 1, 10)).is_empty());
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Rrh,
            date(2025, 1, 10)
        ),
        Err(OffListReason::NotAssessed)
    );
}

#[test]
fn an_access_event_is_not_contact() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given.given(ce_event(h, date(2025, 2, 1), 1));
    assert_eq!(household(&given, h).last_contact, start());
}

#[test]
fn a_diversion_result_goes_with_event_2_only() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut diversion = ce_event(h, date(2025, 2, 1), 2);
    diversion.problem_solving_result = Some(ce_core::hud::NoYesMissing::Yes);
    given
        .when(diversion.clone())
        .then_expect_events(&[EventType::CeEventRecorded]);
    diversion.event = CeEventType::ReferralToPreventionAssistance;
    given.when(diversion).then_expect_error(|e| {
        matches!(
            e,
            Rejection::CeEventField {
                field: Field::ProblemSolvingResult,
                ..
            }
        )
    });
}

#[test]
fn aftercare_goes_with_event_5_only() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut aftercare = ce_event(h, date(2025, 2, 1), 6);
    aftercare.case_management_after = Some(ce_core::hud::NoYesMissing::No);
    given.when(aftercare).then_expect_error(|e| {
        matches!(
            e,
            Rejection::CeEventField {
                field: Field::CaseManagementAfter,
                ..
            }
        )
    });
}

#[test]
fn a_referral_result_needs_a_referral_event_and_a_result_date_not_before_it() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut referral = ce_event(h, date(2025, 2, 1), 13);
    referral.location = Some("Couleecap RRH".to_owned());
    referral.result = Some(ReferralResult::UnsuccessfulProviderRejected);
    let field = |name: Field| move |e: &Rejection| matches!(e, Rejection::CeEventField { field, .. } if *field == name);
    given
        .when(referral.clone())
        .then_expect_error(field(Field::ResultDate));
    referral.result_date = Some(date(2025, 1, 31));
    given
        .when(referral.clone())
        .then_expect_error(field(Field::ResultDate));
    referral.result_date = Some(date(2025, 2, 3));
    given
        .when(referral.clone())
        .then_expect_events(&[EventType::CeEventRecorded]);
    let mut access = referral;
    access.event = CeEventType::ProblemSolvingDiversion;
    access.location = None;
    given
        .when(access)
        .then_expect_error(field(Field::ReferralResult));
}

#[test]
fn a_location_goes_with_referral_events_10_to_15_17_and_18_only() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut flex = ce_event(h, date(2025, 2, 1), 16);
    flex.location = Some("Flex fund".to_owned());
    given.when(flex).then_expect_error(|e| {
        matches!(
            e,
            Rejection::CeEventField {
                field: Field::CeEventLocation,
                ..
            }
        )
    });
}

#[test]
fn a_successful_referral_made_in_another_system_takes_the_household_off_the_lists() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given.given(assess(h, assessed_on(), 9, true));
    assert!(!lists_with(&given, h, date(2025, 2, 1)).is_empty());
    let mut referral = ce_event(h, date(2025, 2, 1), 14);
    referral.location = Some("Other county PSH".to_owned());
    referral.result = Some(ReferralResult::SuccessfulClientAccepted);
    referral.result_date = Some(date(2025, 2, 4));
    given.given(referral);
    assert_eq!(
        household(&given, h).housed_elsewhere,
        Some(date(2025, 2, 4))
    );
    assert!(lists_with(&given, h, date(2025, 2, 5)).is_empty());
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Rrh,
            date(2025, 2, 5)
        ),
        Err(OffListReason::Housed)
    );
}

#[test]
fn a_declined_referral_made_in_another_system_keeps_the_household_on_the_lists() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given.given(assess(h, assessed_on(), 9, true));
    let mut referral = ce_event(h, date(2025, 2, 1), 13);
    referral.result = Some(ReferralResult::UnsuccessfulClientRejected);
    referral.result_date = Some(date(2025, 2, 2));
    given.given(referral);
    assert!(!lists_with(&given, h, date(2025, 2, 5)).is_empty());
}

#[test]
fn a_4_20_event_cannot_be_recorded_after_the_exit_or_by_a_provider() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given.acting_as("pat", "Coulee Housing Authority", Role::Provider);
    given
        .when(ce_event(h, date(2025, 2, 1), 1))
        .then_expect_error(|e| matches!(e, Rejection::Forbidden { .. }));
    given.acting_as("jdoe", "Coulee CAP", Role::Access);
    given.given(exit(h, date(2025, 2, 1)));
    given
        .when(ce_event(h, date(2025, 2, 2), 1))
        .then_expect_error(|e| matches!(e, Rejection::HouseholdExited { .. }));
}

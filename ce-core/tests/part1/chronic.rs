//! Derived values: chronic homelessness (HUD, 24 CFR 578.3).

use ce_core::hud::{MonthsHomeless, NoYesReasons, PriorSituation, TimesHomeless};
use ce_core::testing::{date, follow_up, HouseholdBuilder, Scenario};
use ce_core::StatusUpdate;

use crate::common::{days_before, family, household, single, situation, start};

fn is_chronic(builder: HouseholdBuilder) -> bool {
    let mut given = Scenario::new();
    let h = given.enroll(builder);
    household(&given, h).is_chronic()
}

/// Disabled, from the street, one time and two months homeless: only the
/// length of the current episode can make this head of household chronic.
fn disabled_on_the_street_since(days_before_start: u64) -> HouseholdBuilder {
    let mut builder = single(1).disabled();
    builder.enroll.prior.episode_start = Some(days_before(start(), days_before_start));
    builder
}

#[test]
fn chronic_when_disabled_on_the_street_with_a_365_day_episode() {
    assert!(is_chronic(disabled_on_the_street_since(365)));
    assert!(!is_chronic(disabled_on_the_street_since(364)));
}

#[test]
fn chronic_when_disabled_and_homeless_four_times_totalling_twelve_months() {
    let occasions = |times: TimesHomeless, months: MonthsHomeless| {
        let mut builder = disabled_on_the_street_since(60);
        builder.enroll.prior.times_homeless = times;
        builder.enroll.prior.months_homeless = months;
        builder
    };
    assert!(is_chronic(occasions(
        TimesHomeless::FourOrMoreTimes,
        MonthsHomeless::TwelveMonths
    )));
    assert!(is_chronic(occasions(
        TimesHomeless::FourOrMoreTimes,
        MonthsHomeless::MoreThanTwelveMonths
    )));
    assert!(!is_chronic(occasions(
        TimesHomeless::FourOrMoreTimes,
        MonthsHomeless::ElevenMonths
    )));
    assert!(!is_chronic(occasions(
        TimesHomeless::ThreeTimes,
        MonthsHomeless::MoreThanTwelveMonths
    )));
}

#[test]
fn not_chronic_without_a_disabling_condition() {
    for answer in [
        NoYesReasons::No,
        NoYesReasons::ClientDoesntKnow,
        NoYesReasons::ClientPrefersNotToAnswer,
        NoYesReasons::DataNotCollected,
    ] {
        let mut builder = single(1).chronic();
        builder.enroll.members[0].disabling_condition = answer;
        assert!(!is_chronic(builder), "disabling condition {answer}");
    }
}

#[test]
fn chronic_from_the_street_an_emergency_shelter_or_a_safe_haven() {
    for prior in [
        PriorSituation::PLACE_NOT_MEANT_FOR_HABITATION,
        PriorSituation::EMERGENCY_SHELTER,
        PriorSituation::SAFE_HAVEN,
    ] {
        let mut builder = single(1).chronic();
        builder.enroll.prior.living_situation = prior;
        assert!(is_chronic(builder), "prior living situation {prior}");
    }
}

#[test]
fn not_chronic_when_coming_from_a_family_members_home() {
    let mut builder = single(1).chronic();
    builder.enroll.prior.living_situation = PriorSituation::STAYING_WITH_FAMILY;
    assert!(!is_chronic(builder));
}

#[test]
fn a_family_is_chronic_when_its_head_of_household_is() {
    assert!(is_chronic(family(1, 2).chronic()));

    // A disabled child does not make the family chronic.
    let mut builder = family(1, 2).chronic();
    builder.enroll.members[0].disabling_condition = NoYesReasons::No;
    builder.enroll.members[1].disabling_condition = NoYesReasons::Yes;
    assert!(!is_chronic(builder));
}

#[test]
fn a_household_found_housed_at_a_follow_up_does_not_become_chronic() {
    let mut given = Scenario::new();
    // Disabled, on the street 300 days at project start: not yet chronic.
    let h = given.enroll(disabled_on_the_street_since(300));
    assert!(!household(&given, h).is_chronic());

    // At the next contact the household rents its own apartment: the
    // homeless episode ended, it never reached 12 continuous months.
    let mut housed = follow_up(h, date(2025, 4, 1), 10);
    housed.status = StatusUpdate {
        residence: PriorSituation::try_from(410).unwrap(),
        months_homeless: MonthsHomeless::TenMonths,
    };
    housed.current = situation(410);
    given.given(housed);

    assert!(
        !household(&given, h).is_chronic(),
        "a household living in its own rental is not continuously homeless for 12 months"
    );
}

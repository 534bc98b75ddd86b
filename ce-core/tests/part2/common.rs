//! Helpers in the language of the domain, shared by the command files.

use ce_core::hud::Destination;
use ce_core::testing::{date, opening, HouseholdBuilder, Scenario};
use ce_core::{ReferralCancelled, Rejection, *};
use chrono::NaiveDate;

pub const COALITION: &str = "Coulee";

// ---------------------------------------------------------------- dates

pub fn day(month: u32, d: u32) -> NaiveDate {
    date(2025, month, d)
}

/// The opening of most stories is posted on this day.
pub fn posted() -> NaiveDate {
    day(2, 3)
}

/// ... and its first referral is made on this day.
pub fn referred() -> NaiveDate {
    day(2, 4)
}

// ---------------------------------------------------------------- given

/// A single adult in Coulee with a disabling condition (which a PSH list
/// requires), assessed and placed with `score`.
pub fn single(score: u32) -> HouseholdBuilder {
    HouseholdBuilder::single_adult(COALITION)
        .disabled()
        .placed_with_score(score)
}

/// Three single adults on the Coulee PSH list and a one-unit PSH opening.
pub struct Story {
    pub s: Scenario,
    pub opening: OpeningId,
    pub top: HouseholdId,
    pub second: HouseholdId,
    pub third: HouseholdId,
}

/// Given three single adults on the Coulee PSH list scored 11, 10 and 9 (so
/// ranked in that order) and a one-unit PSH opening posted on 2025-02-03.
pub fn three_households_and_a_psh_opening() -> Story {
    let mut s = Scenario::new();
    let top = s.enroll(single(11));
    let second = s.enroll(single(10));
    let third = s.enroll(single(9));
    let opening = s.post(coulee_opening(ProgramType::Psh, posted()));
    assert_eq!(psh_list(&s, posted()), [top, second, third]);
    Story {
        s,
        opening,
        top,
        second,
        third,
    }
}

// ---------------------------------------------------------------- commands

pub fn refer(opening: OpeningId, on: NaiveDate) -> Refer {
    Refer {
        opening,
        date: on,
        household: None,
        bypass_reason: None,
    }
}

pub fn refer_named(opening: OpeningId, on: NaiveDate, household: HouseholdId) -> Refer {
    Refer {
        household: Some(household),
        ..refer(opening, on)
    }
}

pub fn refer_bypassing(
    opening: OpeningId,
    on: NaiveDate,
    household: HouseholdId,
    reason: &str,
) -> Refer {
    Refer {
        bypass_reason: Some(reason.to_owned()),
        ..refer_named(opening, on, household)
    }
}

pub fn acknowledge(referral: ReferralId, on: NaiveDate) -> AcknowledgeReferral {
    AcknowledgeReferral { referral, date: on }
}

pub fn accept(referral: ReferralId, on: NaiveDate) -> AcceptReferral {
    AcceptReferral { referral, date: on }
}

pub fn decline(referral: ReferralId, on: NaiveDate, reason: &str) -> DeclineReferral {
    DeclineReferral {
        referral,
        date: on,
        reason: reason.into(),
        text: None,
    }
}

pub fn withdraw(opening: OpeningId, on: NaiveDate) -> WithdrawOpening {
    WithdrawOpening {
        opening,
        date: on,
        reason: "Unit taken offline for repairs.".to_owned(),
    }
}

pub fn exit(household: HouseholdId, on: NaiveDate) -> Exit {
    Exit {
        member_destinations: Default::default(),
        destination_subsidy: None,
        household,
        date: on,
        destination: Destination::STAYING_WITH_FAMILY_PERMANENT_TENURE,
        reason: "Moved in with family out of state.".to_owned(),
    }
}

/// An opening in Coulee serving every household type.
pub fn coulee_opening(program_type: ProgramType, on: NaiveDate) -> PostOpening {
    opening(program_type, COALITION, on)
}

// ---------------------------------------------------------------- then

/// The Coulee adults-only PSH list as of `on`.
pub fn psh_list(s: &Scenario, on: NaiveDate) -> Vec<HouseholdId> {
    s.list(
        COALITION,
        ProgramType::Psh,
        ListHouseholdType::AdultsOnly,
        on,
    )
}

/// Whether the household is on any list as of `on`.
pub fn on_any_list(s: &Scenario, household: HouseholdId, on: NaiveDate) -> bool {
    s.caseload()
        .lists(s.policy(), on)
        .values()
        .any(|list| list.entries.iter().any(|e| e.inputs.household == household))
}

pub fn cancelled(event: &Event) -> &ReferralCancelled {
    match event {
        Event::ReferralCancelled(e) => e,
        other => panic!("expected ReferralCancelled, got {other:?}"),
    }
}

pub fn referral(s: &Scenario, id: ReferralId) -> &Referral {
    &s.caseload().referrals[&id]
}

pub fn opening_of(s: &Scenario, id: OpeningId) -> &Opening {
    &s.caseload().openings[&id]
}

pub fn household(s: &Scenario, id: HouseholdId) -> &Household {
    &s.caseload().households()[&id]
}

/// `NotReferable` for this household, for this reason.
pub fn not_referable(
    household: HouseholdId,
    reason: NotReferableReason,
) -> impl Fn(&Rejection) -> bool {
    move |e| {
        matches!(e, Rejection::NotReferable { household: h, reason: r, .. }
            if *h == household && *r == reason)
    }
}

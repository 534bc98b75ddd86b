//! Part 2 of the BoS CE workflow as given/when/then: openings, prioritized
//! referrals, results, declines, bypass, expiry, inactivity's effect on
//! referrals, roles, and two writers racing for one opening.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Barrier};

use ce_core::hud::{CeEventType, Destination, ReferralResult};
use ce_core::testing::{date, follow_up, opening, HouseholdBuilder, Scenario};
use ce_core::OffListReason;
use ce_core::*;
use ce_core::{
    Bypass, CancelCause, DeclineConsequence, ReferralCancelled, ReferralDeclined, ReferralOffered,
};
use chrono::{NaiveDate, TimeZone, Utc};

const COALITION: &str = "Coulee";
const PROVIDER_AGENCY: &str = "Catholic Charities La Crosse";
const OTHER_AGENCY: &str = "Lutheran Social Services";

// ---------------------------------------------------------------- dates

fn day(month: u32, d: u32) -> NaiveDate {
    date(2025, month, d)
}

/// The opening of most stories is posted on this day.
fn posted() -> NaiveDate {
    day(2, 3)
}

/// ... and its first referral is made on this day.
fn referred() -> NaiveDate {
    day(2, 4)
}

// ---------------------------------------------------------------- given

/// A single adult in Coulee with a disabling condition (which a PSH list
/// requires), assessed and placed with `score`.
fn single(score: u32) -> HouseholdBuilder {
    HouseholdBuilder::single_adult(COALITION)
        .disabled()
        .placed_with_score(score)
}

/// Three single adults on the Coulee PSH list and a one-unit PSH opening.
struct Story {
    s: Scenario,
    opening: OpeningId,
    top: HouseholdId,
    second: HouseholdId,
    third: HouseholdId,
}

/// Given three single adults on the Coulee PSH list scored 11, 10 and 9 (so
/// ranked in that order) and a one-unit PSH opening posted on 2025-02-03.
fn three_households_and_a_psh_opening() -> Story {
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

fn refer(opening: OpeningId, on: NaiveDate) -> Refer {
    Refer {
        opening,
        date: on,
        household: None,
        bypass_reason: None,
    }
}

fn refer_named(opening: OpeningId, on: NaiveDate, household: HouseholdId) -> Refer {
    Refer {
        household: Some(household),
        ..refer(opening, on)
    }
}

fn refer_bypassing(
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

fn acknowledge(referral: ReferralId, on: NaiveDate) -> AcknowledgeReferral {
    AcknowledgeReferral { referral, date: on }
}

fn accept(referral: ReferralId, on: NaiveDate) -> AcceptReferral {
    AcceptReferral { referral, date: on }
}

fn decline(referral: ReferralId, on: NaiveDate, reason: &str) -> DeclineReferral {
    DeclineReferral {
        referral,
        date: on,
        reason: reason.to_owned(),
        text: None,
    }
}

fn decline_with_text(
    referral: ReferralId,
    on: NaiveDate,
    reason: &str,
    text: &str,
) -> DeclineReferral {
    DeclineReferral {
        text: Some(text.to_owned()),
        ..decline(referral, on, reason)
    }
}

fn withdraw(opening: OpeningId, on: NaiveDate) -> WithdrawOpening {
    WithdrawOpening {
        opening,
        date: on,
        reason: "Unit taken offline for repairs.".to_owned(),
    }
}

fn exit(household: HouseholdId, on: NaiveDate) -> Exit {
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
fn coulee_opening(program_type: ProgramType, on: NaiveDate) -> PostOpening {
    opening(program_type, COALITION, on)
}

fn psh_with_units(units: u32) -> PostOpening {
    PostOpening {
        units,
        ..coulee_opening(ProgramType::Psh, posted())
    }
}

// ---------------------------------------------------------------- then

/// Records a command and returns the envelopes it stored.
fn record(s: &mut Scenario, command: impl Into<Command>) -> Vec<Envelope> {
    let from = s.store().next_position().unwrap();
    s.given(command);
    s.store().read_from(from, usize::MAX).unwrap()
}

/// The Coulee adults-only PSH list as of `on`.
fn psh_list(s: &Scenario, on: NaiveDate) -> Vec<HouseholdId> {
    s.list(
        COALITION,
        ProgramType::Psh,
        ListHouseholdType::AdultsOnly,
        on,
    )
}

/// Whether the household is on any list as of `on`.
fn on_any_list(s: &Scenario, household: HouseholdId, on: NaiveDate) -> bool {
    s.caseload()
        .lists(s.policy(), on)
        .values()
        .any(|list| list.entries.iter().any(|e| e.inputs.household == household))
}

fn offered(event: &Event) -> &ReferralOffered {
    match event {
        Event::ReferralOffered(e) => e,
        other => panic!("expected ReferralOffered, got {other:?}"),
    }
}

fn declined(event: &Event) -> &ReferralDeclined {
    match event {
        Event::ReferralDeclined(e) => e,
        other => panic!("expected ReferralDeclined, got {other:?}"),
    }
}

fn cancelled(event: &Event) -> &ReferralCancelled {
    match event {
        Event::ReferralCancelled(e) => e,
        other => panic!("expected ReferralCancelled, got {other:?}"),
    }
}

fn referral(s: &Scenario, id: ReferralId) -> &Referral {
    &s.caseload().referrals[&id]
}

fn opening_of(s: &Scenario, id: OpeningId) -> &Opening {
    &s.caseload().openings[&id]
}

fn household(s: &Scenario, id: HouseholdId) -> &Household {
    &s.caseload().households()[&id]
}

/// `NotReferable` for this household, for this reason.
fn not_referable(household: HouseholdId, reason: NotReferableReason) -> impl Fn(&Error) -> bool {
    move |e| {
        matches!(e, Error::NotReferable { household: h, reason: r, .. }
            if *h == household && *r == reason)
    }
}

fn forbidden(role: Role) -> impl Fn(&Error) -> bool {
    move |e| matches!(e, Error::Forbidden { role: r, .. } if *r == role)
}

// ================================================================ lifecycle

#[test]
fn post_opening_records_opening_posted_and_the_opening_is_open() {
    let mut s = Scenario::new();
    s.when(coulee_opening(ProgramType::Psh, posted()))
        .then_expect_events(&[EventType::OpeningPosted]);

    let id = s.post(coulee_opening(ProgramType::Psh, posted()));

    let opening = opening_of(&s, id);
    assert_eq!(opening.status, OpeningStatus::Open);
    assert_eq!(opening.remaining(), 1);
    assert_eq!(opening.live_referral, None);
    assert_eq!(opening.agency, AgencyId("BoS CE".to_owned()));
    assert_eq!(opening.posted_on, posted());
}

#[test]
fn refer_offers_the_top_household_on_both_its_stream_and_the_openings() {
    let Story {
        mut s,
        opening,
        top,
        ..
    } = three_households_and_a_psh_opening();
    s.when(refer(opening, referred()))
        .then_expect_events(&[EventType::ReferralOffered]);

    let stored = record(&mut s, refer(opening, referred()));

    let [envelope] = stored.as_slice() else {
        panic!("expected one envelope, got {stored:?}");
    };
    assert_eq!(offered(&envelope.event).household, top);
    assert_eq!(envelope.streams.len(), 2, "{:?}", envelope.streams);
    let household_stream = StreamId::Household(top);
    let opening_stream = StreamId::Opening(opening);
    // Enrolled, assessed, then referred; posted, then referred.
    assert_eq!(envelope.version_in(&household_stream), Some(3));
    assert_eq!(envelope.version_in(&opening_stream), Some(2));
    assert_eq!(s.store().stream_version(&household_stream).unwrap(), 3);
    assert_eq!(s.store().stream_version(&opening_stream).unwrap(), 2);
    let referral_id = s.referrals[0];
    assert_eq!(referral(&s, referral_id).status, ReferralStatus::Offered);
    assert_eq!(opening_of(&s, opening).live_referral, Some(referral_id));
    assert!(household(&s, top)
        .live_referrals
        .iter()
        .any(|r| r.referral == referral_id));
}

#[test]
fn referral_offered_records_hud_event_14_for_psh_the_program_the_policy_the_rank_and_its_inputs() {
    let Story {
        s, opening, top, ..
    } = three_households_and_a_psh_opening();

    let decision = s
        .when(refer(opening, referred()))
        .then_expect_events(&[EventType::ReferralOffered]);

    let e = offered(&decision.events[0].event);
    assert_eq!(e.event, CeEventType::ReferralToPermanentSupportiveHousing);
    assert_eq!(e.event.code(), 14);
    assert_eq!(e.program_type, ProgramType::Psh);
    assert_eq!(e.location, "Coulee psh program");
    assert_eq!(e.policy_id, "wi-bos");
    assert_eq!(e.policy_version, 2);
    let key = ListKey {
        coalition: Coalition::new(COALITION),
        program: ProgramType::Psh,
        household_type: ListHouseholdType::AdultsOnly,
    };
    assert_eq!(e.list, key);
    assert_eq!(e.rank, 1);
    assert_eq!(e.bypass, None);
    let list = s.caseload().list(s.policy(), &key, referred());
    assert_eq!(e.inputs, list.entries[0].inputs);
    assert_eq!(e.inputs.household, top);
    assert_eq!(e.inputs.score, Some(11));
    assert!(!e.inputs.chronic);
    assert_eq!(e.inputs.placed_on, day(1, 7));
}

#[test]
fn acknowledge_records_referral_acknowledged_and_the_referral_stays_live() {
    let Story {
        mut s,
        opening,
        top,
        ..
    } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());

    let decision = s
        .when(acknowledge(referral_id, day(2, 5)))
        .then_expect_events(&[EventType::ReferralAcknowledged]);
    assert_eq!(
        decision.events[0].streams,
        [StreamId::Household(top), StreamId::Opening(opening)]
    );
    s.given(acknowledge(referral_id, day(2, 5)));

    assert_eq!(
        referral(&s, referral_id).status,
        ReferralStatus::Acknowledged
    );
    assert_eq!(opening_of(&s, opening).live_referral, Some(referral_id));
    assert_eq!(household(&s, top).live_referrals.len(), 1);
    s.when(accept(referral_id, day(2, 10)))
        .then_expect_events(&[EventType::ReferralAccepted]);
}

#[test]
fn the_sweep_leaves_a_housed_household_to_its_exit() {
    let Story {
        mut s,
        opening,
        top,
        second,
        ..
    } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());
    s.given(accept(referral_id, day(2, 10)));
    // Months without contact: the others go inactive, the housed one not.
    let decision = s.when(Sweep { as_of: day(9, 1) }).then_expect_events(&[
        EventType::HouseholdInactivated,
        EventType::HouseholdInactivated,
    ]);
    let Outcome::Swept { inactivated } = decision.outcome else {
        panic!("not a sweep")
    };
    assert!(!inactivated.contains(&top) && inactivated.contains(&second));
    s.given(Sweep { as_of: day(9, 1) });
    let rows = ce_core::report::housed_not_exited(
        s.caseload().households().values(),
        |id| s.caseload().referrals.get(&id).cloned(),
        day(9, 1),
        30,
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (
            rows[0].household,
            rows[0].referral,
            rows[0].housed_on,
            rows[0].days
        ),
        (top, Some(referral_id), day(2, 10), 203)
    );
}

#[test]
fn accept_records_referral_accepted_and_the_household_leaves_every_list() {
    let Story {
        mut s,
        opening,
        top,
        ..
    } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());
    assert!(s
        .list(
            COALITION,
            ProgramType::Rrh,
            ListHouseholdType::AdultsOnly,
            referred()
        )
        .contains(&top));

    s.when(accept(referral_id, day(2, 10)))
        .then_expect_events(&[EventType::ReferralAccepted]);
    s.given(accept(referral_id, day(2, 10)));

    assert_eq!(
        referral(&s, referral_id).status,
        ReferralStatus::Accepted { date: day(2, 10) }
    );
    assert_eq!(
        referral(&s, referral_id).status.result(),
        Some((ReferralResult::SuccessfulClientAccepted, day(2, 10)))
    );
    assert_eq!(household(&s, top).housed_by, Some(referral_id));
    assert!(household(&s, top).live_referrals.is_empty());
    assert!(!on_any_list(&s, top, day(2, 11)));
    assert!(!s
        .list(
            COALITION,
            ProgramType::Rrh,
            ListHouseholdType::AdultsOnly,
            day(2, 11)
        )
        .contains(&top));
}

#[test]
fn accept_cancels_the_households_other_live_referrals_as_accepted_elsewhere() {
    let Story {
        mut s,
        opening: psh,
        top,
        second,
        ..
    } = three_households_and_a_psh_opening();
    let rrh = s.post(coulee_opening(ProgramType::Rrh, posted()));
    let (psh_referral, _) = s.refer_top(psh, referred());
    let (rrh_referral, referred_to_rrh) = s.refer_top(rrh, referred());
    assert_eq!(referred_to_rrh, top);
    assert_eq!(household(&s, top).live_referrals.len(), 2);

    let decision = s
        .when(accept(psh_referral, day(2, 10)))
        .then_expect_events(&[EventType::ReferralAccepted, EventType::ReferralCancelled]);
    let cancel = cancelled(&decision.events[1].event);
    assert_eq!(cancel.referral, rrh_referral);
    assert_eq!(cancel.opening, rrh);
    assert_eq!(cancel.household, top);
    assert_eq!(cancel.cause, CancelCause::AcceptedElsewhere);
    assert_eq!(
        decision.events[1].streams,
        [StreamId::Household(top), StreamId::Opening(rrh)]
    );
    s.given(accept(psh_referral, day(2, 10)));

    assert_eq!(
        referral(&s, rrh_referral).status,
        ReferralStatus::Cancelled {
            date: day(2, 10),
            cause: CancelCause::AcceptedElsewhere
        }
    );
    assert!(household(&s, top).live_referrals.is_empty());
    let rrh_opening = opening_of(&s, rrh);
    assert_eq!(rrh_opening.status, OpeningStatus::Open);
    assert_eq!(rrh_opening.live_referral, None);
    assert_eq!(s.refer_top(rrh, day(2, 11)).1, second);
}

#[test]
fn accept_fills_a_one_unit_opening() {
    let Story { mut s, opening, .. } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());

    s.given(accept(referral_id, day(2, 10)));

    let filled = opening_of(&s, opening);
    assert_eq!(filled.status, OpeningStatus::Filled);
    assert_eq!(filled.remaining(), 0);
    assert_eq!(filled.live_referral, None);
    s.when(refer(opening, day(2, 11))).then_expect_error(|e| {
        matches!(e, Error::OpeningClosed { opening: o, status: OpeningStatus::Filled } if *o == opening)
    });
}

#[test]
fn accept_leaves_a_two_unit_opening_open_with_one_unit_remaining() {
    let mut s = Scenario::new();
    let top = s.enroll(single(11));
    let second = s.enroll(single(10));
    let opening = s.post(psh_with_units(2));
    let (referral_id, referred_first) = s.refer_top(opening, referred());
    assert_eq!(referred_first, top);

    s.given(accept(referral_id, day(2, 10)));

    let open = opening_of(&s, opening);
    assert_eq!(open.status, OpeningStatus::Open);
    assert_eq!(open.filled, 1);
    assert_eq!(open.remaining(), 1);
    assert_eq!(open.live_referral, None);
    let (next, referred_next) = s.refer_top(opening, day(2, 11));
    assert_eq!(referred_next, second);
    s.given(accept(next, day(2, 20)));
    assert_eq!(opening_of(&s, opening).status, OpeningStatus::Filled);
}

#[test]
fn client_decline_records_result_2_and_the_household_keeps_its_place() {
    let Story {
        mut s,
        opening,
        top,
        second,
        third,
    } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());

    let decision = s
        .when(decline(referral_id, day(2, 6), "client-not-interested"))
        .then_expect_events(&[EventType::ReferralDeclined]);
    let e = declined(&decision.events[0].event);
    assert_eq!(e.result, ReferralResult::UnsuccessfulClientRejected);
    assert_eq!(e.result.code(), 2);
    assert_eq!(e.reason, "client-not-interested");
    assert_eq!(e.consequence, DeclineConsequence::StaysOnList);
    s.given(decline(referral_id, day(2, 6), "client-not-interested"));

    assert_eq!(
        referral(&s, referral_id).status.result(),
        Some((ReferralResult::UnsuccessfulClientRejected, day(2, 6)))
    );
    assert_eq!(psh_list(&s, day(2, 7)), [top, second, third]);
    assert!(household(&s, top).live_referrals.is_empty());
    assert_eq!(opening_of(&s, opening).live_referral, None);
    assert_eq!(s.refer_top(opening, day(2, 7)).1, second);
}

#[test]
fn provider_decline_records_result_3_and_the_household_keeps_its_place() {
    let Story {
        mut s,
        opening,
        top,
        second,
        third,
    } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());

    let decision = s
        .when(decline(referral_id, day(2, 6), "provider-no-capacity"))
        .then_expect_events(&[EventType::ReferralDeclined]);
    let e = declined(&decision.events[0].event);
    assert_eq!(e.result, ReferralResult::UnsuccessfulProviderRejected);
    assert_eq!(e.result.code(), 3);
    assert_eq!(e.consequence, DeclineConsequence::StaysOnList);
    s.given(decline(referral_id, day(2, 6), "provider-no-capacity"));

    assert_eq!(psh_list(&s, day(2, 7)), [top, second, third]);
    assert_eq!(s.refer_top(opening, day(2, 7)).1, second);
}

#[test]
fn a_declined_opening_is_never_offered_to_that_household_again() {
    let Story {
        mut s,
        opening,
        top,
        second,
        third,
    } = three_households_and_a_psh_opening();
    let (first, _) = s.refer_top(opening, referred());
    s.given(decline(first, day(2, 5), "client-location"));
    let (next, _) = s.refer_top(opening, day(2, 6));
    s.given(decline(next, day(2, 7), "provider-ineligible"));

    let (last, referred_last) = s.refer_top(opening, day(2, 8));
    assert_eq!(referred_last, third);
    assert!(household(&s, top).declined_openings.contains(&opening));
    s.given(decline(last, day(2, 9), "client-not-interested"));
    s.when(refer(opening, day(2, 10)))
        .then_expect_error(|e| matches!(e, Error::NoEligibleHousehold(o) if *o == opening));
    s.when(refer_named(opening, day(2, 10), top))
        .then_expect_error(not_referable(top, NotReferableReason::DeclinedBefore));
    s.when(refer_bypassing(opening, day(2, 10), second, "Asked again"))
        .then_expect_error(not_referable(second, NotReferableReason::DeclinedBefore));

    // The decline is about this opening only: the next one goes to the top.
    let another = s.post(coulee_opening(ProgramType::Psh, day(2, 10)));
    assert_eq!(s.refer_top(another, day(2, 10)).1, top);
}

#[test]
fn client_unreachable_decline_parks_the_household_off_the_lists_for_14_days() {
    let Story {
        mut s,
        opening,
        top,
        second,
        third,
    } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());

    let decision = s
        .when(decline(referral_id, day(2, 5), "client-unreachable"))
        .then_expect_events(&[EventType::ReferralDeclined]);
    let e = declined(&decision.events[0].event);
    assert_eq!(e.result, ReferralResult::UnsuccessfulClientRejected);
    assert_eq!(e.consequence, DeclineConsequence::Parked { days: 14 });
    s.given(decline(referral_id, day(2, 5), "client-unreachable"));

    assert_eq!(household(&s, top).parked_until, Some(day(2, 19)));
    assert_eq!(psh_list(&s, day(2, 5)), [second, third]);
    assert_eq!(psh_list(&s, day(2, 18)), [second, third]);
    assert!(!on_any_list(&s, top, day(2, 18)));
    assert_eq!(psh_list(&s, day(2, 19)), [top, second, third]);

    let while_parked = s.post(coulee_opening(ProgramType::Psh, day(2, 10)));
    s.when(refer_named(while_parked, day(2, 10), top))
        .then_expect_error(not_referable(
            top,
            NotReferableReason::OffList(OffListReason::Parked { until: day(2, 19) }),
        ));
    // The other households are ranked as if the parked one were not there.
    s.when(refer_named(while_parked, day(2, 10), second))
        .then_expect_events(&[EventType::ReferralOffered]);

    // Back on the lists, but still never offered the opening it declined.
    s.when(refer_named(opening, day(2, 19), top))
        .then_expect_error(not_referable(top, NotReferableReason::DeclinedBefore));
    let after = s.post(coulee_opening(ProgramType::Psh, day(2, 19)));
    assert_eq!(s.refer_top(after, day(2, 19)).1, top);
}

#[test]
fn client_other_decline_requires_text() {
    let Story { mut s, opening, .. } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());

    s.when(decline(referral_id, day(2, 5), "client-other"))
        .then_expect_error(|e| matches!(e, Error::DeclineTextRequired(r) if r == "client-other"));
    s.when(decline_with_text(
        referral_id,
        day(2, 5),
        "client-other",
        "   ",
    ))
    .then_expect_error(|e| matches!(e, Error::DeclineTextRequired(r) if r == "client-other"));

    let decision = s
        .when(decline_with_text(
            referral_id,
            day(2, 5),
            "client-other",
            " Wants to stay near her job in Onalaska. ",
        ))
        .then_expect_events(&[EventType::ReferralDeclined]);
    let e = declined(&decision.events[0].event);
    assert_eq!(e.result, ReferralResult::UnsuccessfulClientRejected);
    assert_eq!(
        e.text.as_deref(),
        Some("Wants to stay near her job in Onalaska.")
    );
}

#[test]
fn provider_other_decline_requires_text() {
    let Story { mut s, opening, .. } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());

    s.when(decline(referral_id, day(2, 5), "provider-other"))
        .then_expect_error(|e| matches!(e, Error::DeclineTextRequired(r) if r == "provider-other"));

    let decision = s
        .when(decline_with_text(
            referral_id,
            day(2, 5),
            "provider-other",
            "Unit is not accessible for a wheelchair.",
        ))
        .then_expect_events(&[EventType::ReferralDeclined]);
    let e = declined(&decision.events[0].event);
    assert_eq!(e.result, ReferralResult::UnsuccessfulProviderRejected);
    assert_eq!(
        e.text.as_deref(),
        Some("Unit is not accessible for a wheelchair.")
    );
}

#[test]
fn decline_with_an_unknown_reason_is_rejected() {
    let Story { mut s, opening, .. } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());

    s.when(decline(referral_id, day(2, 5), "moved-away"))
        .then_expect_error(|e| matches!(e, Error::UnknownDeclineReason(r) if r == "moved-away"));
}

#[test]
fn withdrawing_an_opening_cancels_its_live_referral() {
    let Story {
        mut s,
        opening,
        top,
        second,
        third,
    } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());

    let decision = s
        .when(withdraw(opening, day(2, 6)))
        .then_expect_events(&[EventType::ReferralCancelled, EventType::OpeningWithdrawn]);
    let cancel = cancelled(&decision.events[0].event);
    assert_eq!(cancel.referral, referral_id);
    assert_eq!(cancel.household, top);
    assert_eq!(cancel.cause, CancelCause::OpeningWithdrawn);
    s.given(withdraw(opening, day(2, 6)));

    assert_eq!(opening_of(&s, opening).status, OpeningStatus::Withdrawn);
    assert_eq!(opening_of(&s, opening).live_referral, None);
    assert_eq!(
        referral(&s, referral_id).status,
        ReferralStatus::Cancelled {
            date: day(2, 6),
            cause: CancelCause::OpeningWithdrawn
        }
    );
    assert!(household(&s, top).live_referrals.is_empty());
    assert_eq!(psh_list(&s, day(2, 6)), [top, second, third]);
}

#[test]
fn withdrawing_an_opening_without_a_referral_records_only_the_withdrawal() {
    let Story { s, opening, .. } = three_households_and_a_psh_opening();

    s.when(withdraw(opening, day(2, 6)))
        .then_expect_events(&[EventType::OpeningWithdrawn]);
}

#[test]
fn exit_cancels_the_households_live_referrals() {
    let Story {
        mut s,
        opening,
        top,
        second,
        ..
    } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());

    let decision = s.when(exit(top, day(2, 6))).then_expect_events(&[
        EventType::ReferralCancelled,
        EventType::HouseholdExited,
        EventType::ClientEnrollmentClosed,
    ]);
    let cancel = cancelled(&decision.events[0].event);
    assert_eq!(cancel.referral, referral_id);
    assert_eq!(cancel.cause, CancelCause::HouseholdExited);
    s.given(exit(top, day(2, 6)));

    assert_eq!(
        referral(&s, referral_id).status,
        ReferralStatus::Cancelled {
            date: day(2, 6),
            cause: CancelCause::HouseholdExited
        }
    );
    assert_eq!(opening_of(&s, opening).live_referral, None);
    assert_eq!(opening_of(&s, opening).status, OpeningStatus::Open);
    assert!(!on_any_list(&s, top, day(2, 7)));
    assert_eq!(s.refer_top(opening, day(2, 7)).1, second);
}

#[test]
fn inactivity_sweep_cancels_the_inactive_households_live_referrals() {
    let Story {
        mut s,
        opening,
        top,
        second,
        third,
    } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());
    // The others were reached; the top household was last seen at enrollment.
    s.given(follow_up(second, day(3, 1), 3));
    s.given(follow_up(third, day(3, 1), 3));

    // Assessed 2025-01-07 (an assessment is contact); to 2025-04-08 is 91
    // days, more than the policy's 90.
    let decision = s.when(Sweep { as_of: day(4, 8) }).then_expect_events(&[
        EventType::ReferralCancelled,
        EventType::HouseholdInactivated,
    ]);
    let cancel = cancelled(&decision.events[0].event);
    assert_eq!(cancel.referral, referral_id);
    assert_eq!(cancel.cause, CancelCause::HouseholdInactive);
    assert_eq!(
        decision.outcome,
        Outcome::Swept {
            inactivated: vec![top]
        }
    );
    s.given(Sweep { as_of: day(4, 8) });

    assert_eq!(
        referral(&s, referral_id).status,
        ReferralStatus::Cancelled {
            date: day(4, 8),
            cause: CancelCause::HouseholdInactive
        }
    );
    assert_eq!(opening_of(&s, opening).live_referral, None);
    assert_eq!(psh_list(&s, day(4, 8)), [second, third]);
    assert_eq!(s.refer_top(opening, day(4, 9)).1, second);

    // A new contact brings the household back onto the list, in its place.
    s.given(follow_up(top, day(4, 10), 3));
    assert_eq!(psh_list(&s, day(4, 10)), [top, second, third]);
}

#[test]
fn expire_returns_a_referral_with_no_result_on_day_10_after_the_offer() {
    let Story {
        mut s,
        opening,
        top,
        second,
        third,
    } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());
    assert_eq!(s.policy().referral_overdue_days, 10);

    // "A result within 10 days": offered 2025-02-04 (day 0), due and
    // expirable on 2025-02-14 (day 10).
    let decision = s
        .when(ExpireReferrals { as_of: day(2, 14) })
        .then_expect_events(&[EventType::ReferralExpired]);
    let Event::ReferralExpired(e) = &decision.events[0].event else {
        panic!("expected ReferralExpired");
    };
    assert_eq!(e.referral, referral_id);
    assert_eq!(e.household, top);
    assert_eq!(e.opening, opening);
    assert_eq!(e.days_open, 10);
    assert_eq!(
        decision.events[0].streams,
        [StreamId::Household(top), StreamId::Opening(opening)]
    );
    assert_eq!(
        decision.outcome,
        Outcome::Expired {
            referrals: vec![referral_id]
        }
    );
    s.given(ExpireReferrals { as_of: day(2, 14) });

    assert_eq!(
        referral(&s, referral_id).status,
        ReferralStatus::Expired { date: day(2, 14) }
    );
    assert!(household(&s, top).live_referrals.is_empty());
    assert_eq!(psh_list(&s, day(2, 15)), [top, second, third]);
    let open = opening_of(&s, opening);
    assert_eq!(open.status, OpeningStatus::Open);
    assert_eq!(open.live_referral, None);
    // Expiry is no decline: the household keeps its place and may be offered again.
    assert_eq!(s.refer_top(opening, day(2, 16)).1, top);
}

#[test]
fn expire_leaves_a_referral_alone_on_day_9_after_the_offer() {
    let Story { mut s, opening, .. } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());

    let decision = s
        .when(ExpireReferrals { as_of: day(2, 13) })
        .then_expect_events(&[]);
    assert_eq!(
        decision.outcome,
        Outcome::Expired {
            referrals: Vec::new()
        }
    );
    s.given(ExpireReferrals { as_of: day(2, 13) });
    assert_eq!(referral(&s, referral_id).status, ReferralStatus::Offered);
    assert_eq!(opening_of(&s, opening).live_referral, Some(referral_id));
}

#[test]
fn expire_also_expires_an_acknowledged_referral_with_no_result() {
    let Story { mut s, opening, .. } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());
    s.given(acknowledge(referral_id, day(2, 6)));

    s.when(ExpireReferrals { as_of: day(2, 15) })
        .then_expect_events(&[EventType::ReferralExpired]);
}

// ================================================================ rules

#[test]
fn refer_rejects_a_second_live_referral_to_one_opening() {
    let Story {
        mut s,
        opening,
        second,
        ..
    } = three_households_and_a_psh_opening();
    let (live, _) = s.refer_top(opening, referred());

    let is_live_referral_error = |e: &Error| {
        matches!(e, Error::OpeningHasLiveReferral { opening: o, referral: r }
            if *o == opening && *r == live)
    };
    s.when(refer(opening, day(2, 5)))
        .then_expect_error(is_live_referral_error);
    s.when(refer_named(opening, day(2, 5), second))
        .then_expect_error(is_live_referral_error);
}

#[test]
fn refer_rejects_naming_a_household_with_a_live_referral_of_the_same_program_type() {
    let Story {
        mut s,
        opening,
        top,
        ..
    } = three_households_and_a_psh_opening();
    let (live, _) = s.refer_top(opening, referred());
    let another = s.post(coulee_opening(ProgramType::Psh, referred()));

    s.when(refer_named(another, day(2, 5), top))
        .then_expect_error(|e| {
            matches!(e, Error::AlreadyReferred { household, program_type: ProgramType::Psh, referral }
                if *household == top && *referral == live)
        });
}

#[test]
fn refer_skips_a_household_with_a_live_referral_of_the_same_program_type() {
    let Story {
        mut s,
        opening,
        top,
        second,
        ..
    } = three_households_and_a_psh_opening();
    s.refer_top(opening, referred());
    let another = s.post(coulee_opening(ProgramType::Psh, referred()));

    let (_, household_referred) = s.refer_top(another, day(2, 5));

    assert_eq!(household_referred, second);
    assert_eq!(household(&s, top).live_referrals.len(), 1);
}

#[test]
fn a_household_may_hold_live_referrals_of_different_program_types() {
    let Story {
        mut s,
        opening,
        top,
        ..
    } = three_households_and_a_psh_opening();
    s.refer_top(opening, referred());
    let rrh = s.post(coulee_opening(ProgramType::Rrh, referred()));

    s.when(refer_named(rrh, day(2, 5), top))
        .then_expect_events(&[EventType::ReferralOffered]);
    assert_eq!(s.refer_top(rrh, day(2, 5)).1, top);
    assert_eq!(household(&s, top).live_referrals.len(), 2);
}

#[test]
fn refer_rejects_an_inactive_household() {
    let Story {
        mut s,
        opening,
        second,
        ..
    } = three_households_and_a_psh_opening();
    s.given(Sweep { as_of: day(4, 8) });

    s.when(refer_named(opening, day(4, 9), second))
        .then_expect_error(not_referable(
            second,
            NotReferableReason::OffList(OffListReason::Inactive { since: day(4, 8) }),
        ));
    s.when(refer(opening, day(4, 9)))
        .then_expect_error(|e| matches!(e, Error::NoEligibleHousehold(_)));
}

#[test]
fn refer_rejects_an_exited_household() {
    let Story {
        mut s,
        opening,
        second,
        ..
    } = three_households_and_a_psh_opening();
    s.given(exit(second, day(2, 3)));

    s.when(refer_named(opening, referred(), second))
        .then_expect_error(not_referable(
            second,
            NotReferableReason::OffList(OffListReason::Exited { date: day(2, 3) }),
        ));
}

#[test]
fn refer_rejects_a_parked_household() {
    let Story {
        mut s,
        opening,
        top,
        ..
    } = three_households_and_a_psh_opening();
    let rrh = s.post(coulee_opening(ProgramType::Rrh, posted()));
    let (rrh_referral, _) = s.refer_top(rrh, referred());
    s.given(decline(rrh_referral, day(2, 5), "client-unreachable"));

    // Parked off every list, not only the declined program's.
    s.when(refer_named(opening, day(2, 6), top))
        .then_expect_error(not_referable(
            top,
            NotReferableReason::OffList(OffListReason::Parked { until: day(2, 19) }),
        ));
}

#[test]
fn refer_rejects_a_household_not_placed_on_the_lists() {
    let mut s = Scenario::new();
    s.enroll(single(12));
    let not_placed = s.enroll(HouseholdBuilder::single_adult(COALITION).not_placed());
    let not_assessed = s.enroll(HouseholdBuilder::single_adult(COALITION));
    let opening = s.post(coulee_opening(ProgramType::Psh, posted()));

    s.when(refer_bypassing(opening, referred(), not_placed, "Urgent"))
        .then_expect_error(not_referable(
            not_placed,
            NotReferableReason::OffList(OffListReason::NotPlaced),
        ));
    s.when(refer_bypassing(opening, referred(), not_assessed, "Urgent"))
        .then_expect_error(not_referable(
            not_assessed,
            NotReferableReason::OffList(OffListReason::NotAssessed),
        ));
}

#[test]
fn refer_rejects_a_household_scored_below_the_programs_floor() {
    let mut s = Scenario::new();
    // PSH floors: 8 without children, 9 with children; RRH: 4.
    let single_at_7 = s.enroll(single(7));
    let family_at_8 = s.enroll(single(8).with_child());
    let psh = s.post(coulee_opening(ProgramType::Psh, posted()));
    let rrh = s.post(coulee_opening(ProgramType::Rrh, posted()));
    let below_floor = |household| {
        not_referable(
            household,
            NotReferableReason::OffList(OffListReason::Ineligible {
                rule: "score below the program's floor",
            }),
        )
    };

    s.when(refer_named(psh, referred(), single_at_7))
        .then_expect_error(below_floor(single_at_7));
    s.when(refer_named(psh, referred(), family_at_8))
        .then_expect_error(below_floor(family_at_8));
    s.when(refer(psh, referred()))
        .then_expect_error(|e| matches!(e, Error::NoEligibleHousehold(o) if *o == psh));
    // Both are above RRH's floor, ranked by score across household types.
    s.when(refer_named(rrh, referred(), family_at_8))
        .then_expect_events(&[EventType::ReferralOffered]);
    s.when(refer_bypassing(
        rrh,
        referred(),
        single_at_7,
        "Unit has one bedroom.",
    ))
    .then_expect_events(&[EventType::ReferralOffered]);
}

#[test]
fn refer_rejects_a_household_that_already_accepted_a_referral() {
    let Story {
        mut s,
        opening,
        top,
        ..
    } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());
    s.given(accept(referral_id, day(2, 10)));
    let rrh = s.post(coulee_opening(ProgramType::Rrh, day(2, 10)));

    s.when(refer_named(rrh, day(2, 11), top))
        .then_expect_error(not_referable(
            top,
            NotReferableReason::OffList(OffListReason::Housed),
        ));
}

#[test]
fn refer_rejects_a_household_of_another_coalition() {
    let mut s = Scenario::new();
    s.enroll(single(9));
    let brown_county = s.enroll(
        HouseholdBuilder::single_adult("Brown County")
            .disabled()
            .placed_with_score(15),
    );
    let opening = s.post(coulee_opening(ProgramType::Psh, posted()));

    s.when(refer_bypassing(opening, referred(), brown_county, "Moving"))
        .then_expect_error(not_referable(
            brown_county,
            NotReferableReason::OtherCoalition,
        ));
}

#[test]
fn chronic_only_opening_is_referred_only_to_chronically_homeless_households() {
    let mut s = Scenario::new();
    // RRH ranks by score alone, so the non-chronic household is on top.
    let not_chronic = s.enroll(single(15));
    let chronic = s.enroll(
        HouseholdBuilder::single_adult(COALITION)
            .chronic()
            .placed_with_score(9),
    );
    assert!(household(&s, chronic).is_chronic());
    assert!(!household(&s, not_chronic).is_chronic());
    let opening = s.post(PostOpening {
        chronic_only: true,
        ..coulee_opening(ProgramType::Rrh, posted())
    });

    s.when(refer_bypassing(
        opening,
        referred(),
        not_chronic,
        "Highest score",
    ))
    .then_expect_error(not_referable(not_chronic, NotReferableReason::NotChronic));
    s.when(refer_named(opening, referred(), chronic))
        .then_expect_events(&[EventType::ReferralOffered]);
    assert_eq!(s.refer_top(opening, referred()).1, chronic);
}

#[test]
fn chronic_only_opening_with_no_chronic_household_has_no_eligible_household() {
    let Story { mut s, .. } = three_households_and_a_psh_opening();
    let opening = s.post(PostOpening {
        chronic_only: true,
        ..coulee_opening(ProgramType::Psh, posted())
    });

    s.when(refer(opening, referred()))
        .then_expect_error(|e| matches!(e, Error::NoEligibleHousehold(o) if *o == opening));
}

#[test]
fn veterans_only_opening_is_referred_only_to_households_with_a_veteran() {
    let mut s = Scenario::new();
    let civilian = s.enroll(single(11));
    let veteran = s.enroll(
        HouseholdBuilder::single_adult(COALITION)
            .veteran()
            .disabled()
            .placed_with_score(9),
    );
    let opening = s.post(PostOpening {
        veterans_only: true,
        ..coulee_opening(ProgramType::Psh, posted())
    });

    s.when(refer_bypassing(
        opening,
        referred(),
        civilian,
        "Highest score",
    ))
    .then_expect_error(not_referable(civilian, NotReferableReason::NoVeteran));
    assert_eq!(s.refer_top(opening, referred()).1, veteran);
}

#[test]
fn opening_is_referred_only_to_the_household_types_it_serves() {
    let mut s = Scenario::new();
    let single_adult = s.enroll(single(15));
    let family = s.enroll(single(9).with_child());
    let youth = s.enroll(
        HouseholdBuilder::single_adult(COALITION)
            .youth()
            .disabled()
            .placed_with_score(8),
    );
    let families_only = s.post(PostOpening {
        household_types: vec![ListHouseholdType::WithChildren],
        ..coulee_opening(ProgramType::Psh, posted())
    });
    let youth_only = s.post(PostOpening {
        household_types: vec![ListHouseholdType::Youth],
        ..coulee_opening(ProgramType::Psh, posted())
    });

    s.when(refer_bypassing(
        families_only,
        referred(),
        single_adult,
        "Score",
    ))
    .then_expect_error(not_referable(
        single_adult,
        NotReferableReason::HouseholdTypeNotServed,
    ));
    assert_eq!(s.refer_top(families_only, referred()).1, family);
    assert_eq!(s.refer_top(youth_only, referred()).1, youth);
}

#[test]
fn opening_for_a_household_type_nobody_on_the_list_has_finds_no_eligible_household() {
    let Story { mut s, .. } = three_households_and_a_psh_opening();
    let youth_only = s.post(PostOpening {
        household_types: vec![ListHouseholdType::Youth],
        ..coulee_opening(ProgramType::Psh, posted())
    });

    s.when(refer(youth_only, referred()))
        .then_expect_error(|e| matches!(e, Error::NoEligibleHousehold(o) if *o == youth_only));
}

#[test]
fn a_result_on_a_resolved_referral_is_rejected() {
    let Story { mut s, opening, .. } = three_households_and_a_psh_opening();
    let (declined_referral, _) = s.refer_top(opening, referred());
    s.given(decline(declined_referral, day(2, 5), "client-location"));
    let (accepted_referral, _) = s.refer_top(opening, day(2, 6));
    s.given(accept(accepted_referral, day(2, 10)));

    let resolved = |id: ReferralId| move |e: &Error| matches!(e, Error::ReferralResolved { referral, .. } if *referral == id);
    s.when(accept(declined_referral, day(2, 11)))
        .then_expect_error(resolved(declined_referral));
    s.when(decline(
        declined_referral,
        day(2, 11),
        "client-not-interested",
    ))
    .then_expect_error(resolved(declined_referral));
    s.when(acknowledge(declined_referral, day(2, 11)))
        .then_expect_error(resolved(declined_referral));
    s.when(decline(
        accepted_referral,
        day(2, 11),
        "provider-no-capacity",
    ))
    .then_expect_error(|e| {
        matches!(e, Error::ReferralResolved { referral, status: ReferralStatus::Accepted { .. } }
                if *referral == accepted_referral)
    });
    s.when(accept(accepted_referral, day(2, 11)))
        .then_expect_error(resolved(accepted_referral));
}

#[test]
fn a_result_on_an_expired_or_cancelled_referral_is_rejected() {
    let Story { mut s, opening, .. } = three_households_and_a_psh_opening();
    let (expired, _) = s.refer_top(opening, referred());
    s.given(ExpireReferrals { as_of: day(2, 15) });
    let (cancelled_referral, _) = s.refer_top(opening, day(2, 16));
    s.given(withdraw(opening, day(2, 17)));

    s.when(accept(expired, day(2, 18))).then_expect_error(|e| {
        matches!(
            e,
            Error::ReferralResolved {
                status: ReferralStatus::Expired { .. },
                ..
            }
        )
    });
    s.when(accept(cancelled_referral, day(2, 18)))
        .then_expect_error(|e| {
            matches!(
                e,
                Error::ReferralResolved {
                    status: ReferralStatus::Cancelled { .. },
                    ..
                }
            )
        });
}

#[test]
fn a_result_dated_before_the_referral_is_rejected() {
    let Story { mut s, opening, .. } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());
    let before = day(2, 3);
    let before_referral = |e: &Error| {
        matches!(e, Error::ResultBeforeReferral { referral, date, referred_on }
            if *referral == referral_id && *date == before && *referred_on == referred())
    };

    s.when(accept(referral_id, before))
        .then_expect_error(before_referral);
    s.when(decline(referral_id, before, "client-location"))
        .then_expect_error(before_referral);
    s.when(acknowledge(referral_id, before))
        .then_expect_error(before_referral);
    // The same day is fine.
    s.when(accept(referral_id, referred()))
        .then_expect_events(&[EventType::ReferralAccepted]);
}

#[test]
fn naming_a_household_below_the_top_requires_a_bypass_reason() {
    let Story {
        s,
        opening,
        top,
        third,
        ..
    } = three_households_and_a_psh_opening();

    s.when(refer_named(opening, referred(), third))
        .then_expect_error(|e| {
            matches!(e, Error::BypassReasonRequired { household, top: t }
                if *household == third && *t == top)
        });
    s.when(refer_bypassing(opening, referred(), third, "   "))
        .then_expect_error(|e| matches!(e, Error::Required(_)));
}

#[test]
fn bypass_records_the_reason_and_the_passed_over_households_in_rank_order() {
    let Story {
        mut s,
        opening,
        top,
        second,
        third,
    } = three_households_and_a_psh_opening();
    let reason = "Only household that can climb stairs to the third-floor unit.";

    let decision = s
        .when(refer_bypassing(opening, referred(), third, reason))
        .then_expect_events(&[EventType::ReferralOffered]);
    let e = offered(&decision.events[0].event);
    assert_eq!(e.household, third);
    assert_eq!(e.rank, 3);
    assert_eq!(
        e.bypass,
        Some(Bypass {
            reason: reason.to_owned(),
            passed_over: vec![top, second],
        })
    );
    let outcome = s.given(refer_bypassing(opening, referred(), third, reason));

    assert!(matches!(outcome, Outcome::Referred { household, rank: 3, .. } if household == third));
    assert!(referral(&s, s.referrals[0]).bypassed);
}

#[test]
fn bypass_passes_over_only_households_still_eligible_for_the_opening() {
    let Story {
        mut s,
        opening,
        second,
        third,
        ..
    } = three_households_and_a_psh_opening();
    let (first, _) = s.refer_top(opening, referred());
    s.given(decline(first, day(2, 5), "client-location"));

    let decision = s
        .when(refer_bypassing(
            opening,
            day(2, 6),
            third,
            "Needs a ground-floor unit.",
        ))
        .then_expect_events(&[EventType::ReferralOffered]);

    let bypass = offered(&decision.events[0].event).bypass.clone();
    assert_eq!(bypass.map(|b| b.passed_over), Some(vec![second]));
}

/// `ReferralOffered::rank` is "the household's 1-based rank among households
/// eligible for the opening": the households passed over, plus one.
#[test]
fn referral_rank_counts_eligible_households_of_every_type_the_opening_serves() {
    let mut s = Scenario::new();
    let family = s.enroll(single(8).with_child());
    let single_adult = s.enroll(single(7));
    let rrh = s.post(coulee_opening(ProgramType::Rrh, posted()));

    let decision = s
        .when(refer_bypassing(
            rrh,
            referred(),
            single_adult,
            "Unit has one bedroom.",
        ))
        .then_expect_events(&[EventType::ReferralOffered]);

    let e = offered(&decision.events[0].event);
    let passed_over = e.bypass.clone().map(|b| b.passed_over).unwrap_or_default();
    assert_eq!(passed_over, [family]);
    assert_eq!(
        e.rank, 2,
        "one household passed over, so the referred one ranks 2nd"
    );
}

#[test]
fn referral_rank_leaves_out_households_that_declined_the_opening() {
    let Story {
        mut s,
        opening,
        second,
        ..
    } = three_households_and_a_psh_opening();
    let (first, _) = s.refer_top(opening, referred());
    s.given(decline(first, day(2, 5), "client-location"));

    let decision = s
        .when(refer(opening, day(2, 6)))
        .then_expect_events(&[EventType::ReferralOffered]);

    let e = offered(&decision.events[0].event);
    assert_eq!(e.household, second);
    assert_eq!(e.bypass, None);
    assert_eq!(
        e.rank, 1,
        "the top household still eligible, referred without a bypass"
    );
}

#[test]
fn naming_the_top_household_needs_no_bypass_reason() {
    let Story {
        mut s,
        opening,
        top,
        second,
        ..
    } = three_households_and_a_psh_opening();

    let decision = s
        .when(refer_named(opening, referred(), top))
        .then_expect_events(&[EventType::ReferralOffered]);
    assert_eq!(offered(&decision.events[0].event).bypass, None);

    // After the top household declines, the next one is the top eligible.
    let (first, _) = s.refer_top(opening, referred());
    s.given(decline(first, day(2, 5), "client-location"));
    let decision = s
        .when(refer_named(opening, day(2, 6), second))
        .then_expect_events(&[EventType::ReferralOffered]);
    assert_eq!(offered(&decision.events[0].event).bypass, None);
}

#[test]
fn refer_with_no_eligible_household_is_rejected() {
    let mut s = Scenario::new();
    s.enroll(single(11));
    let elsewhere = s.post(opening(ProgramType::Psh, "Brown County", posted()));
    let mut empty = Scenario::new();

    s.when(refer(elsewhere, referred()))
        .then_expect_error(|e| matches!(e, Error::NoEligibleHousehold(o) if *o == elsewhere));
    let nobody = empty.post(coulee_opening(ProgramType::Rrh, posted()));
    empty
        .when(refer(nobody, referred()))
        .then_expect_error(|e| matches!(e, Error::NoEligibleHousehold(o) if *o == nobody));
}

#[test]
fn refer_to_a_withdrawn_opening_is_rejected() {
    let Story {
        mut s,
        opening,
        top,
        ..
    } = three_households_and_a_psh_opening();
    s.given(withdraw(opening, referred()));

    let closed = |e: &Error| {
        matches!(e, Error::OpeningClosed { opening: o, status: OpeningStatus::Withdrawn }
            if *o == opening)
    };
    s.when(refer(opening, day(2, 5))).then_expect_error(closed);
    s.when(refer_named(opening, day(2, 5), top))
        .then_expect_error(closed);
    s.when(withdraw(opening, day(2, 5)))
        .then_expect_error(closed);
}

// ================================================================ roles

#[test]
fn access_staff_may_not_post_openings() {
    let mut s = Scenario::new();
    s.acting_as("avery", "Couleecap", Role::Access);

    s.when(coulee_opening(ProgramType::Psh, posted()))
        .then_expect_error(|e| {
            matches!(e, Error::Forbidden { role: Role::Access, action } if *action == "post openings")
        });
}

#[test]
fn access_staff_may_not_refer() {
    let Story {
        mut s,
        opening,
        top,
        ..
    } = three_households_and_a_psh_opening();
    s.acting_as("avery", "Couleecap", Role::Access);

    s.when(refer(opening, referred()))
        .then_expect_error(forbidden(Role::Access));
    s.when(refer_named(opening, referred(), top))
        .then_expect_error(forbidden(Role::Access));
}

#[test]
fn access_staff_may_not_sweep_or_expire() {
    let Story { mut s, opening, .. } = three_households_and_a_psh_opening();
    s.refer_top(opening, referred());
    s.acting_as("avery", "Couleecap", Role::Access);

    s.when(Sweep { as_of: day(4, 7) })
        .then_expect_error(forbidden(Role::Access));
    s.when(ExpireReferrals { as_of: day(2, 15) })
        .then_expect_error(forbidden(Role::Access));
}

#[test]
fn access_staff_may_not_acknowledge_accept_decline_or_withdraw() {
    let Story { mut s, opening, .. } = three_households_and_a_psh_opening();
    let (referral_id, _) = s.refer_top(opening, referred());
    s.acting_as("avery", "Couleecap", Role::Access);

    s.when(acknowledge(referral_id, day(2, 5)))
        .then_expect_error(forbidden(Role::Access));
    s.when(accept(referral_id, day(2, 5)))
        .then_expect_error(forbidden(Role::Access));
    s.when(decline(referral_id, day(2, 5), "client-location"))
        .then_expect_error(forbidden(Role::Access));
    s.when(withdraw(opening, day(2, 5)))
        .then_expect_error(forbidden(Role::Access));
}

#[test]
fn provider_may_post_withdraw_acknowledge_accept_and_decline_for_its_own_openings() {
    let mut s = Scenario::new();
    let top = s.enroll(single(11));
    let second = s.enroll(single(10));
    s.acting_as("sam", PROVIDER_AGENCY, Role::Provider);
    let opening = s.post(coulee_opening(ProgramType::Psh, posted()));
    assert_eq!(
        opening_of(&s, opening).agency,
        AgencyId(PROVIDER_AGENCY.to_owned())
    );

    s.acting_as("lee", "BoS CE", Role::Lead);
    let (first, referred_first) = s.refer_top(opening, referred());
    assert_eq!(referred_first, top);
    s.acting_as("sam", PROVIDER_AGENCY, Role::Provider);
    s.given(acknowledge(first, day(2, 5)));
    s.given(decline(first, day(2, 6), "provider-no-capacity"));

    s.acting_as("lee", "BoS CE", Role::Lead);
    let (next, referred_next) = s.refer_top(opening, day(2, 7));
    assert_eq!(referred_next, second);
    s.acting_as("sam", PROVIDER_AGENCY, Role::Provider);
    s.given(accept(next, day(2, 10)));
    assert_eq!(opening_of(&s, opening).status, OpeningStatus::Filled);

    let another = s.post(coulee_opening(ProgramType::Rrh, day(2, 10)));
    s.given(withdraw(another, day(2, 11)));
    assert_eq!(opening_of(&s, another).status, OpeningStatus::Withdrawn);
}

#[test]
fn provider_may_not_act_on_another_agencys_opening() {
    let Story { mut s, .. } = three_households_and_a_psh_opening();
    s.acting_as("sam", PROVIDER_AGENCY, Role::Provider);
    let theirs = s.post(coulee_opening(ProgramType::Psh, posted()));
    s.acting_as("lee", "BoS CE", Role::Lead);
    let (referral_id, _) = s.refer_top(theirs, referred());
    s.acting_as("pat", OTHER_AGENCY, Role::Provider);

    let not_yours = |e: &Error| {
        matches!(e, Error::NotYourOpening { agency, opening, owner }
            if agency.0 == OTHER_AGENCY && *opening == theirs && owner.0 == PROVIDER_AGENCY)
    };
    s.when(acknowledge(referral_id, day(2, 5)))
        .then_expect_error(not_yours);
    s.when(accept(referral_id, day(2, 5)))
        .then_expect_error(not_yours);
    s.when(decline(referral_id, day(2, 5), "provider-no-capacity"))
        .then_expect_error(not_yours);
    s.when(withdraw(theirs, day(2, 5)))
        .then_expect_error(not_yours);
}

#[test]
fn provider_may_not_refer_sweep_or_expire() {
    let mut s = Scenario::new();
    s.enroll(single(11));
    s.acting_as("sam", PROVIDER_AGENCY, Role::Provider);
    let own = s.post(coulee_opening(ProgramType::Psh, posted()));

    s.when(refer(own, referred()))
        .then_expect_error(forbidden(Role::Provider));
    s.when(Sweep { as_of: day(4, 7) })
        .then_expect_error(forbidden(Role::Provider));
    s.when(ExpireReferrals { as_of: day(2, 15) })
        .then_expect_error(forbidden(Role::Provider));
}

#[test]
fn lead_may_do_everything_on_any_agencys_opening() {
    let mut s = Scenario::new();
    s.acting_as("lee", "BoS CE", Role::Lead);
    let top = s.enroll(single(11));
    let second = s.enroll(single(10));
    let third = s.enroll(single(9));
    s.acting_as("sam", PROVIDER_AGENCY, Role::Provider);
    let theirs = s.post(coulee_opening(ProgramType::Psh, posted()));
    let to_withdraw = s.post(coulee_opening(ProgramType::Rrh, posted()));
    s.acting_as("lee", "BoS CE", Role::Lead);

    let own = s.post(coulee_opening(ProgramType::Psh, posted()));
    assert_eq!(opening_of(&s, own).agency, AgencyId("BoS CE".to_owned()));
    let (first, _) = s.refer_top(theirs, referred());
    s.given(acknowledge(first, day(2, 5)));
    s.given(decline(first, day(2, 6), "client-location"));
    let bypass = refer_bypassing(theirs, day(2, 7), third, "Needs the accessible unit.");
    let Outcome::Referred {
        referral: bypassed, ..
    } = s.given(bypass)
    else {
        panic!("no referral");
    };
    assert!(referral(&s, bypassed).bypassed);
    assert_ne!(referral(&s, bypassed).household, second);
    s.given(accept(bypassed, day(2, 10)));
    s.given(withdraw(to_withdraw, day(2, 10)));
    let (expiring, _) = s.refer_top(own, day(2, 11));
    s.given(ExpireReferrals { as_of: day(2, 22) });
    assert!(matches!(
        referral(&s, expiring).status,
        ReferralStatus::Expired { .. }
    ));
    s.given(Sweep { as_of: day(6, 1) });
    assert!(matches!(
        household(&s, top).status,
        HouseholdStatus::Inactive { .. }
    ));
}

// ================================================================ races

const RACES: usize = 50;

fn lead() -> Actor {
    Actor::new("lee", "BoS CE", Role::Lead)
}

fn meta(n: u128) -> CommandMeta {
    CommandMeta {
        command_id: CommandId::from_uuid(uuid::Uuid::from_u128(n)),
        actor: lead(),
        recorded_at: Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap(),
    }
}

/// A shared store holding households with these PSH scores and `openings`
/// PSH openings, written through a set-up workflow.
fn shared_store(
    scores: &[u32],
    openings: usize,
) -> (Arc<MemoryStore>, Vec<HouseholdId>, Vec<OpeningId>) {
    let store = Arc::new(MemoryStore::new());
    let setup = Workflow::new(Arc::clone(&store), Policy::wi_bos_default()).unwrap();
    let mut n = 0;
    let mut next = || {
        n += 1;
        meta(n)
    };
    let mut households = Vec::new();
    for &score in scores {
        let builder = single(score);
        let enrolled = setup
            .execute(&next(), Command::from(builder.enroll.clone()))
            .unwrap();
        let Outcome::Enrolled { household } = enrolled.outcome else {
            panic!("enroll gave {:?}", enrolled.outcome);
        };
        let assess = builder.assessment(household).unwrap();
        setup.execute(&next(), Command::from(assess)).unwrap();
        households.push(household);
    }
    let mut posted_openings = Vec::new();
    for _ in 0..openings {
        let post = coulee_opening(ProgramType::Psh, posted());
        let outcome = setup.execute(&next(), Command::from(post)).unwrap().outcome;
        let Outcome::Posted { opening } = outcome else {
            panic!("post gave {outcome:?}");
        };
        posted_openings.push(opening);
    }
    (store, households, posted_openings)
}

/// Two workflows loaded from the same store run one command each at the
/// same moment; returns both results.
fn race(
    store: &Arc<MemoryStore>,
    a: Command,
    b: Command,
) -> (Result<Executed, Error>, Result<Executed, Error>) {
    let left = Workflow::new(Arc::clone(store), Policy::wi_bos_default()).unwrap();
    let right = Workflow::new(Arc::clone(store), Policy::wi_bos_default()).unwrap();
    let barrier = Barrier::new(2);
    std::thread::scope(|scope| {
        let ta = scope.spawn(|| {
            barrier.wait();
            left.execute(&meta(1_001), &a)
        });
        let tb = scope.spawn(|| {
            barrier.wait();
            right.execute(&meta(1_002), &b)
        });
        (ta.join().unwrap(), tb.join().unwrap())
    })
}

/// Exactly one result is a success; the other is the loser's error.
fn one_winner(results: (Result<Executed, Error>, Result<Executed, Error>)) -> (Executed, Error) {
    match results {
        (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
        (Ok(a), Ok(b)) => panic!(
            "both referrals succeeded: {:?} and {:?}",
            a.outcome, b.outcome
        ),
        (Err(a), Err(b)) => panic!("both referrals failed: {a} / {b}"),
    }
}

fn fold(store: &MemoryStore) -> Caseload {
    Caseload::from_events(&store.read_from(0, usize::MAX).unwrap())
}

fn offers_in(store: &MemoryStore) -> Vec<ReferralOffered> {
    store
        .read_from(0, usize::MAX)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.event {
            Event::ReferralOffered(o) => Some(o),
            _ => None,
        })
        .collect()
}

#[test]
fn concurrent_referrals_to_one_opening_leave_exactly_one_live_referral() {
    for _ in 0..RACES {
        let (store, households, openings) = shared_store(&[11, 10], 1);
        let opening = openings[0];
        let top = households[0];

        let (won, lost) = one_winner(race(
            &store,
            refer(opening, referred()).into(),
            refer(opening, referred()).into(),
        ));

        assert!(
            lost.is_conflict()
                || matches!(lost, Error::OpeningHasLiveReferral { opening: o, .. } if o == opening),
            "unexpected loser error: {lost:?}"
        );
        let Outcome::Referred {
            referral,
            household,
            ..
        } = won.outcome
        else {
            panic!("refer gave {:?}", won.outcome);
        };
        assert_eq!(household, top);
        let offers = offers_in(&store);
        assert_eq!(offers.len(), 1, "{offers:?}");
        let caseload = fold(&store);
        assert_eq!(caseload.referrals.len(), 1);
        assert_eq!(caseload.openings[&opening].live_referral, Some(referral));
        let live: usize = caseload
            .households()
            .values()
            .map(|h| h.live_referrals.len())
            .sum();
        assert_eq!(live, 1);
    }
}

#[test]
fn concurrent_referrals_of_one_household_from_two_openings_leave_one_live_referral() {
    for i in 0..RACES {
        let (store, households, openings) = shared_store(&[11], 2);
        let only = households[0];
        // Half the races name the household, half take the top of the list.
        let command = |opening| -> Command {
            if i % 2 == 0 {
                refer(opening, referred()).into()
            } else {
                refer_named(opening, referred(), only).into()
            }
        };

        let (won, lost) = one_winner(race(&store, command(openings[0]), command(openings[1])));

        assert!(
            lost.is_conflict()
                || matches!(lost, Error::NoEligibleHousehold(_))
                || matches!(lost, Error::AlreadyReferred { household, program_type: ProgramType::Psh, .. } if household == only),
            "unexpected loser error: {lost:?}"
        );
        let Outcome::Referred { household, .. } = won.outcome else {
            panic!("refer gave {:?}", won.outcome);
        };
        assert_eq!(household, only);
        assert_eq!(offers_in(&store).len(), 1);
        let caseload = fold(&store);
        assert_eq!(caseload.households()[&only].live_referrals.len(), 1);
        assert_eq!(
            caseload
                .openings
                .values()
                .filter(|o| o.live_referral.is_some())
                .count(),
            1
        );
    }
}

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

//! DeclineReferral: the client or the provider turns the referral down,
//! and what the reason does to the household's place on the lists.

use ce_core::hud::ReferralResult;
use ce_core::{DeclineConsequence, OffListReason, ReferralDeclined, Rejection, *};
use chrono::NaiveDate;

use crate::common::{
    coulee_opening, day, decline, household, not_referable, on_any_list, opening_of, psh_list,
    refer, refer_bypassing, refer_named, referral, referred, three_households_and_a_psh_opening,
    Story,
};

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

fn declined(event: &Event) -> &ReferralDeclined {
    match event {
        Event::ReferralDeclined(e) => e,
        other => panic!("expected ReferralDeclined, got {other:?}"),
    }
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
        .then_expect_error(|e| matches!(e, Rejection::NoEligibleHousehold(o) if *o == opening));
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
        .then_expect_error(
            |e| matches!(e, Rejection::DeclineTextRequired(r) if r == "client-other"),
        );
    s.when(decline_with_text(
        referral_id,
        day(2, 5),
        "client-other",
        "   ",
    ))
    .then_expect_error(|e| matches!(e, Rejection::DeclineTextRequired(r) if r == "client-other"));

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
        .then_expect_error(
            |e| matches!(e, Rejection::DeclineTextRequired(r) if r == "provider-other"),
        );

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
        .then_expect_error(
            |e| matches!(e, Rejection::UnknownDeclineReason(r) if r == "moved-away"),
        );
}

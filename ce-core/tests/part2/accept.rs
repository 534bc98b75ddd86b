//! AcceptReferral: the household is housed by the opening.

use ce_core::hud::ReferralResult;
use ce_core::testing::Scenario;
use ce_core::{CancelCause, Rejection, *};

use crate::common::{
    accept, cancelled, coulee_opening, day, household, on_any_list, opening_of, posted, refer,
    referral, referred, single, three_households_and_a_psh_opening, Story, COALITION,
};

fn psh_with_units(units: u32) -> PostOpening {
    PostOpening {
        units,
        ..coulee_opening(ProgramType::Psh, posted())
    }
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
        matches!(e, Rejection::OpeningClosed { opening: o, status: OpeningStatus::Filled } if *o == opening)
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

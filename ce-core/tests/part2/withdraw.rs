//! WithdrawOpening: the agency takes the opening back.

use ce_core::{CancelCause, *};

use crate::common::{
    cancelled, day, household, opening_of, psh_list, referral, referred,
    three_households_and_a_psh_opening, withdraw, Story,
};

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

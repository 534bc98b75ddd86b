//! Exit: a household that leaves CE loses its live referrals.

use ce_core::{CancelCause, *};

use crate::common::{
    cancelled, day, exit, on_any_list, opening_of, referral, referred,
    three_households_and_a_psh_opening, Story,
};

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

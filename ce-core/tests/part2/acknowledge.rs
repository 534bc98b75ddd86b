//! AcknowledgeReferral: the provider has seen the referral, which stays
//! live.

use ce_core::*;

use crate::common::{
    accept, acknowledge, day, household, opening_of, referral, referred,
    three_households_and_a_psh_opening, Story,
};

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

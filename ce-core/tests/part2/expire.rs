//! ExpireReferrals: a referral with no result within the policy's days
//! returns to the list.

use ce_core::*;

use crate::common::{
    acknowledge, day, household, opening_of, psh_list, referral, referred,
    three_households_and_a_psh_opening, Story,
};

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

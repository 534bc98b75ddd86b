//! Rules shared by the results of a referral (acknowledge, accept,
//! decline): a result needs a live referral and a date on or after it.

use ce_core::{Rejection, *};

use crate::common::{
    accept, acknowledge, day, decline, referred, three_households_and_a_psh_opening, withdraw,
    Story,
};

#[test]
fn a_result_on_a_resolved_referral_is_rejected() {
    let Story { mut s, opening, .. } = three_households_and_a_psh_opening();
    let (declined_referral, _) = s.refer_top(opening, referred());
    s.given(decline(declined_referral, day(2, 5), "client-location"));
    let (accepted_referral, _) = s.refer_top(opening, day(2, 6));
    s.given(accept(accepted_referral, day(2, 10)));

    let resolved = |id: ReferralId| move |e: &Rejection| matches!(e, Rejection::ReferralResolved { referral, .. } if *referral == id);
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
        matches!(e, Rejection::ReferralResolved { referral, status: ReferralStatus::Accepted { .. } }
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
            Rejection::ReferralResolved {
                status: ReferralStatus::Expired { .. },
                ..
            }
        )
    });
    s.when(accept(cancelled_referral, day(2, 18)))
        .then_expect_error(|e| {
            matches!(
                e,
                Rejection::ReferralResolved {
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
    let before_referral = |e: &Rejection| {
        matches!(e, Rejection::ResultBeforeReferral { referral, date, referred_on }
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

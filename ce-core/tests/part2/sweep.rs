//! Sweep: inactivity cancels a household's live referrals, and leaves a
//! housed household alone.

use ce_core::testing::follow_up;
use ce_core::{CancelCause, *};

use crate::common::{
    accept, cancelled, day, opening_of, psh_list, referral, referred,
    three_households_and_a_psh_opening, Story,
};

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

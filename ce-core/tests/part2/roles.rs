//! Roles: what access staff, providers and the CE lead may do to openings
//! and referrals.

use ce_core::testing::Scenario;
use ce_core::{Rejection, *};

use crate::common::{
    accept, acknowledge, coulee_opening, day, decline, household, opening_of, posted, refer,
    refer_bypassing, refer_named, referral, referred, single, three_households_and_a_psh_opening,
    withdraw, Story,
};

const PROVIDER_AGENCY: &str = "Catholic Charities La Crosse";

const OTHER_AGENCY: &str = "Lutheran Social Services";

fn forbidden(role: Role) -> impl Fn(&Rejection) -> bool {
    move |e| matches!(e, Rejection::Forbidden { role: r, .. } if *r == role)
}

#[test]
fn access_staff_may_not_post_openings() {
    let mut s = Scenario::new();
    s.acting_as("avery", "Couleecap", Role::Access);

    s.when(coulee_opening(ProgramType::Psh, posted()))
        .then_expect_error(|e| {
            matches!(
                e,
                Rejection::Forbidden {
                    role: Role::Access,
                    action: Operation::PostOpening
                }
            )
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

    let not_yours = |e: &Rejection| {
        matches!(e, Rejection::NotYourOpening { agency, opening, owner }
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

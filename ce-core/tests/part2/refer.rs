//! Refer: an opening is offered to the top household on its lists, or to
//! a named one, with a bypass reason when others rank above it; who is
//! eligible, and how the offer's rank counts the households passed over.

use ce_core::hud::CeEventType;
use ce_core::testing::{opening, HouseholdBuilder, Scenario};
use ce_core::{Bypass, IneligibleRule, OffListReason, ReferralOffered, Rejection, *};

use crate::common::{
    accept, coulee_opening, day, decline, exit, household, not_referable, opening_of, posted,
    refer, refer_bypassing, refer_named, referral, referred, single,
    three_households_and_a_psh_opening, withdraw, Story, COALITION,
};

/// Records a command and returns the envelopes it stored.
fn record(s: &mut Scenario, command: impl Into<Command>) -> Vec<Envelope> {
    let from = s.store().next_position().unwrap();
    s.given(command);
    s.store().read_from(from, usize::MAX).unwrap()
}

fn offered(event: &Event) -> &ReferralOffered {
    match event {
        Event::ReferralOffered(e) => e,
        other => panic!("expected ReferralOffered, got {other:?}"),
    }
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
fn refer_rejects_a_second_live_referral_to_one_opening() {
    let Story {
        mut s,
        opening,
        second,
        ..
    } = three_households_and_a_psh_opening();
    let (live, _) = s.refer_top(opening, referred());

    let is_live_referral_error = |e: &Rejection| {
        matches!(e, Rejection::OpeningHasLiveReferral { opening: o, referral: r }
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
            matches!(e, Rejection::AlreadyReferred { household, program_type: ProgramType::Psh, referral }
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
        .then_expect_error(|e| matches!(e, Rejection::NoEligibleHousehold(_)));
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
                rule: IneligibleRule::BelowFloor,
            }),
        )
    };

    s.when(refer_named(psh, referred(), single_at_7))
        .then_expect_error(below_floor(single_at_7));
    s.when(refer_named(psh, referred(), family_at_8))
        .then_expect_error(below_floor(family_at_8));
    s.when(refer(psh, referred()))
        .then_expect_error(|e| matches!(e, Rejection::NoEligibleHousehold(o) if *o == psh));
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
        .then_expect_error(|e| matches!(e, Rejection::NoEligibleHousehold(o) if *o == opening));
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
        .then_expect_error(|e| matches!(e, Rejection::NoEligibleHousehold(o) if *o == youth_only));
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
            matches!(e, Rejection::BypassReasonRequired { household, top: t }
                if *household == third && *t == top)
        });
    s.when(refer_bypassing(opening, referred(), third, "   "))
        .then_expect_error(|e| matches!(e, Rejection::Required(_)));
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
        .then_expect_error(|e| matches!(e, Rejection::NoEligibleHousehold(o) if *o == elsewhere));
    let nobody = empty.post(coulee_opening(ProgramType::Rrh, posted()));
    empty
        .when(refer(nobody, referred()))
        .then_expect_error(|e| matches!(e, Rejection::NoEligibleHousehold(o) if *o == nobody));
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

    let closed = |e: &Rejection| {
        matches!(e, Rejection::OpeningClosed { opening: o, status: OpeningStatus::Withdrawn }
            if *o == opening)
    };
    s.when(refer(opening, day(2, 5))).then_expect_error(closed);
    s.when(refer_named(opening, day(2, 5), top))
        .then_expect_error(closed);
    s.when(withdraw(opening, day(2, 5)))
        .then_expect_error(closed);
}

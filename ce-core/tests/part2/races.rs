//! Races: two writers at the same moment referring from one opening, or
//! referring one household from two openings.

use std::sync::{Arc, Barrier};

use ce_core::{ReferralOffered, Rejection, *};
use chrono::{TimeZone, Utc};

use crate::common::{coulee_opening, posted, refer, refer_named, referred, single};

const RACES: usize = 50;

fn lead() -> Actor {
    Actor::new("lee", "BoS CE", Role::Lead)
}

fn meta(n: u128) -> CommandMeta {
    CommandMeta {
        command_id: CommandId::from_uuid(uuid::Uuid::from_u128(n)),
        actor: lead(),
        recorded_at: Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap(),
    }
}

/// A shared store holding households with these PSH scores and `openings`
/// PSH openings, written through a set-up workflow.
fn shared_store(
    scores: &[u32],
    openings: usize,
) -> (Arc<MemoryStore>, Vec<HouseholdId>, Vec<OpeningId>) {
    let store = Arc::new(MemoryStore::new());
    let setup = Workflow::new(Arc::clone(&store), Policy::wi_bos_default()).unwrap();
    let mut n = 0;
    let mut next = || {
        n += 1;
        meta(n)
    };
    let mut households = Vec::new();
    for &score in scores {
        let builder = single(score);
        let enrolled = setup
            .execute(&next(), Command::from(builder.enroll.clone()))
            .unwrap();
        let Outcome::Enrolled { household } = enrolled.outcome else {
            panic!("enroll gave {:?}", enrolled.outcome);
        };
        let assess = builder.assessment(household).unwrap();
        setup.execute(&next(), Command::from(assess)).unwrap();
        households.push(household);
    }
    let mut posted_openings = Vec::new();
    for _ in 0..openings {
        let post = coulee_opening(ProgramType::Psh, posted());
        let outcome = setup.execute(&next(), Command::from(post)).unwrap().outcome;
        let Outcome::Posted { opening } = outcome else {
            panic!("post gave {outcome:?}");
        };
        posted_openings.push(opening);
    }
    (store, households, posted_openings)
}

/// Two workflows loaded from the same store run one command each at the
/// same moment; returns both results.
fn race(
    store: &Arc<MemoryStore>,
    a: Command,
    b: Command,
) -> (Result<Executed, Error>, Result<Executed, Error>) {
    let left = Workflow::new(Arc::clone(store), Policy::wi_bos_default()).unwrap();
    let right = Workflow::new(Arc::clone(store), Policy::wi_bos_default()).unwrap();
    let barrier = Barrier::new(2);
    std::thread::scope(|scope| {
        let ta = scope.spawn(|| {
            barrier.wait();
            left.execute(&meta(1_001), &a)
        });
        let tb = scope.spawn(|| {
            barrier.wait();
            right.execute(&meta(1_002), &b)
        });
        (ta.join().unwrap(), tb.join().unwrap())
    })
}

/// Exactly one result is a success; the other is the loser's error.
fn one_winner(results: (Result<Executed, Error>, Result<Executed, Error>)) -> (Executed, Error) {
    match results {
        (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
        (Ok(a), Ok(b)) => panic!(
            "both referrals succeeded: {:?} and {:?}",
            a.outcome, b.outcome
        ),
        (Err(a), Err(b)) => panic!("both referrals failed: {a} / {b}"),
    }
}

fn fold(store: &MemoryStore) -> Caseload {
    Caseload::from_events(&store.read_from(0, usize::MAX).unwrap())
}

fn offers_in(store: &MemoryStore) -> Vec<ReferralOffered> {
    store
        .read_from(0, usize::MAX)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.event {
            Event::ReferralOffered(o) => Some(o),
            _ => None,
        })
        .collect()
}

#[test]
fn concurrent_referrals_to_one_opening_leave_exactly_one_live_referral() {
    for _ in 0..RACES {
        let (store, households, openings) = shared_store(&[11, 10], 1);
        let opening = openings[0];
        let top = households[0];

        let (won, lost) = one_winner(race(
            &store,
            refer(opening, referred()).into(),
            refer(opening, referred()).into(),
        ));

        assert!(
            lost.is_conflict()
                || matches!(lost, Error::Rejected(Rejection::OpeningHasLiveReferral { opening: o, .. }) if o == opening),
            "unexpected loser error: {lost:?}"
        );
        let Outcome::Referred {
            referral,
            household,
            ..
        } = won.outcome
        else {
            panic!("refer gave {:?}", won.outcome);
        };
        assert_eq!(household, top);
        let offers = offers_in(&store);
        assert_eq!(offers.len(), 1, "{offers:?}");
        let caseload = fold(&store);
        assert_eq!(caseload.referrals.len(), 1);
        assert_eq!(caseload.openings[&opening].live_referral, Some(referral));
        let live: usize = caseload
            .households()
            .values()
            .map(|h| h.live_referrals.len())
            .sum();
        assert_eq!(live, 1);
    }
}

#[test]
fn concurrent_referrals_of_one_household_from_two_openings_leave_one_live_referral() {
    for i in 0..RACES {
        let (store, households, openings) = shared_store(&[11], 2);
        let only = households[0];
        // Half the races name the household, half take the top of the list.
        let command = |opening| -> Command {
            if i % 2 == 0 {
                refer(opening, referred()).into()
            } else {
                refer_named(opening, referred(), only).into()
            }
        };

        let (won, lost) = one_winner(race(&store, command(openings[0]), command(openings[1])));

        assert!(
            lost.is_conflict()
                || matches!(lost, Error::Rejected(Rejection::NoEligibleHousehold(_)))
                || matches!(lost, Error::Rejected(Rejection::AlreadyReferred { household, program_type: ProgramType::Psh, .. }) if household == only),
            "unexpected loser error: {lost:?}"
        );
        let Outcome::Referred { household, .. } = won.outcome else {
            panic!("refer gave {:?}", won.outcome);
        };
        assert_eq!(household, only);
        assert_eq!(offers_in(&store).len(), 1);
        let caseload = fold(&store);
        assert_eq!(caseload.households()[&only].live_referrals.len(), 1);
        assert_eq!(
            caseload
                .openings
                .values()
                .filter(|o| o.live_referral.is_some())
                .count(),
            1
        );
    }
}

//! The hot paths of the sled store on a small caseload (seconds, not a
//! Balance of State's scale: see `benches/scale/` for that): a durable append of one
//! command, top-25 of a priority list, deciding a referral, reading a chunk
//! of the log, rebuilding, and opening.
//!
//! `cargo bench -p ce-store-sled --bench store`; `CE_BENCH_HOUSEHOLDS=N`
//! changes the caseload (default 2,000 households).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "a benchmark aborts on any failure; criterion's macros generate undocumented items"
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use ce_core::testing::{date, follow_up, opening, HouseholdBuilder};
use ce_core::{
    decide, Actor, Command, CommandId, CommandMeta, EventStore, HouseholdId, ListKey, Outcome,
    ProgramType, Refer, Role, Workflow,
};
use ce_store_sled::SledStore;
use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

fn meta(n: u128) -> CommandMeta {
    CommandMeta {
        command_id: CommandId(uuid::Uuid::from_u128(n)),
        actor: Actor::new("bench", "BoS CE", Role::Lead),
        recorded_at: Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap(),
    }
}

/// A store with `n` enrolled and assessed households in three coalitions.
struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    households: Vec<HouseholdId>,
}

fn fixture(n: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ce");
    let store = SledStore::open(&path).unwrap();
    let policy = store.policy().clone();
    let workflow = Workflow::new(store, policy).unwrap();
    let mut households = Vec::with_capacity(n);
    for i in 0..n {
        let coalition = ["Coulee", "Central", "Southwest"][i % 3];
        let mut builder = HouseholdBuilder::single_adult(coalition)
            .starting(date(2025, 1, 6) + chrono::Days::new((i % 300) as u64))
            .months_homeless((i % 13 + 1) as u8)
            .placed_with_score((i % 17) as u32);
        if i % 4 == 0 {
            builder = builder.chronic();
        }
        if i % 5 == 0 {
            builder = builder.with_child();
        }
        let command = (i as u128) << 8;
        let household = match workflow
            .execute(&meta(command), builder.enroll.clone())
            .unwrap()
            .outcome
        {
            Outcome::Enrolled { household } => household,
            other => panic!("enroll gave {other:?}"),
        };
        if let Some(assess) = builder.assessment(household) {
            workflow.execute(&meta(command + 1), assess).unwrap();
        }
        households.push(household);
    }
    Fixture {
        _dir: dir,
        path,
        households,
    }
}

fn households() -> usize {
    std::env::var("CE_BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

fn store_benches(c: &mut Criterion) {
    let fx = fixture(households());
    let store = Arc::new(SledStore::open(&fx.path).unwrap());
    let policy = store.policy().clone();
    let workflow = Workflow::new(Arc::clone(&store), policy.clone()).unwrap();
    let mut group = c.benchmark_group("store");
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);

    // One durable command: a follow-up, decided, appended with its
    // projection rows (plain writes, the next position last), flushed.
    let mut next = 1u128 << 64;
    let mut day = 0u64;
    group.bench_function("execute follow-up (durable append)", |b| {
        b.iter(|| {
            next += 1;
            let household = fx.households[(next as usize) % fx.households.len()];
            day = (day + 1) % 100;
            let on = date(2026, 2, 1) + chrono::Days::new(day);
            workflow
                .execute(&meta(next), follow_up(household, on, 4))
                .unwrap()
        })
    });

    let key = ListKey {
        coalition: ce_core::Coalition::new("Coulee"),
        program: ProgramType::Rrh,
        household_type: ce_core::ListHouseholdType::AdultsOnly,
    };
    group.bench_function("top-25 of a list (SledStore::list_top)", |b| {
        b.iter(|| {
            store
                .list_top(black_box(&key), date(2026, 5, 20), 25)
                .unwrap()
        })
    });
    group.bench_function("a whole list (SledStore::list)", |b| {
        b.iter(|| store.list(black_box(&key), date(2026, 5, 20)).unwrap())
    });

    // Deciding a referral (no append) on the workflow's caseload, which is
    // ranked by its policy: reads the coalition's households best first.
    let posted = workflow
        .execute(
            &meta(2u128 << 64),
            opening(ProgramType::Rrh, "Coulee", date(2026, 5, 1)),
        )
        .unwrap();
    let Outcome::Posted { opening } = posted.outcome else {
        panic!("post gave {:?}", posted.outcome)
    };
    let refer: Command = Refer {
        opening,
        date: date(2026, 5, 20),
        household: None,
        bypass_reason: None,
    }
    .into();
    group.bench_function("decide refer (top eligible household)", |b| {
        let caseload = workflow.caught_up().unwrap();
        b.iter(|| decide(&caseload, &policy, &meta(3u128 << 64), black_box(&refer)).unwrap())
    });

    // A named household further down the list: the households it passes
    // over are read from the rank index too.
    let named = {
        let caseload = workflow.caught_up().unwrap();
        let posted = &caseload.openings[&opening];
        let candidates = ce_core::priority::candidates(
            &policy,
            caseload.households_in(&posted.coalition),
            posted,
            date(2026, 5, 20),
        );
        candidates[candidates.len().min(10) - 1].0.id
    };
    let refer_named: Command = Refer {
        opening,
        date: date(2026, 5, 20),
        household: Some(named),
        bypass_reason: Some("Closest to the client's work.".to_owned()),
    }
    .into();
    group.bench_function("decide refer (the tenth eligible household, named)", |b| {
        let caseload = workflow.caught_up().unwrap();
        b.iter(|| {
            decide(
                &caseload,
                &policy,
                &meta(4u128 << 64),
                black_box(&refer_named),
            )
            .unwrap()
        })
    });

    group.bench_function("read_from 512 events", |b| {
        b.iter(|| store.read_from(black_box(0), 512).unwrap())
    });
    group.finish();
    drop(workflow);
    drop(store);

    let mut slow = c.benchmark_group("store-slow");
    slow.warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_secs(3))
        .sample_size(10);
    slow.bench_function("SledStore::open", |b| {
        b.iter_batched(
            || (),
            |()| SledStore::open(&fx.path).unwrap(),
            BatchSize::PerIteration,
        )
    });
    let store = SledStore::open(&fx.path).unwrap();
    slow.bench_function("rebuild", |b| b.iter(|| store.rebuild().unwrap()));
    slow.finish();
}

criterion_group!(benches, store_benches);
criterion_main!(benches);

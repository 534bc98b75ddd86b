//! What sealing personal data costs: the same workflow on a store and on
//! the same kind of store wrapped in `Sealed`, measured side by side. In
//! memory (the crypto and the JSON walk alone) and on sled (with the
//! store's own encoding and flushes).
//!
//! `cargo bench -p ce-store-sled --bench sealing`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "a benchmark aborts on any failure; criterion's macros generate undocumented items"
)]

use std::sync::Arc;
use std::time::Duration;

use ce_core::privacy::{Keyring, MasterKey, MemoryKeys};
use ce_core::testing::{date, follow_up, HouseholdBuilder};
use ce_core::{
    Actor, CommandId, CommandMeta, EventStore, HouseholdId, MemoryStore, Policy, Role, Sealed,
    Snapshots, Workflow,
};
use ce_store_sled::SledStore;
use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

/// Households each workflow starts with, enrolled (with a child) and
/// placed; their log is what the read benches open.
const HOUSEHOLDS: u128 = 200;

fn meta(n: u128) -> CommandMeta {
    CommandMeta {
        command_id: CommandId(uuid::Uuid::from_u128(n)),
        actor: Actor::new("bench", "BoS CE", Role::Lead),
        recorded_at: Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap(),
    }
}

fn keyring() -> Arc<Keyring> {
    Arc::new(Keyring::new(
        MasterKey::generate().unwrap(),
        Arc::new(MemoryKeys::default()),
    ))
}

/// A workflow on `store` with the caseload enrolled; its households.
fn filled<S: Snapshots>(store: S) -> (Workflow<S>, Vec<HouseholdId>) {
    let workflow = Workflow::new(store, Policy::wi_bos_default()).unwrap();
    let households = (0..HOUSEHOLDS)
        .map(|n| {
            let builder = HouseholdBuilder::single_adult("Coulee").with_child();
            let mut enroll = builder.enroll.clone();
            for (i, member) in enroll.members.iter_mut().enumerate() {
                member.client = ce_core::ClientId(uuid::Uuid::from_u128(n * 10 + i as u128 + 1));
                member.first_name = Some("Dana".to_owned());
                member.last_name = Some("Example".to_owned());
            }
            workflow.run(&meta(1_000_000 + n), enroll).unwrap()
        })
        .collect();
    (workflow, households)
}

fn follow_ups<S: Snapshots>(workflow: &Workflow<S>, households: &[HouseholdId], next: &mut u128) {
    let household = households[(*next as usize) % households.len()];
    *next += 1;
    workflow
        .execute(&meta(*next), follow_up(household, date(2025, 3, 1), 4))
        .unwrap();
}

fn sealing(c: &mut Criterion) {
    let mut group = c.benchmark_group("sealing");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));

    // One follow-up (its note sealed), decided and appended.
    let (plain, households) = filled(MemoryStore::new());
    let mut next = 0;
    group.bench_function("follow-up/memory", |b| {
        b.iter(|| follow_ups(&plain, &households, &mut next))
    });
    let (sealed, households) = filled(Sealed::new(MemoryStore::new(), keyring()));
    let mut next = 0;
    group.bench_function("follow-up/memory, sealed", |b| {
        b.iter(|| follow_ups(&sealed, &households, &mut next))
    });

    // The whole log read back (and opened): what opening a workflow on a
    // store without projections, or `ce verify`, does first.
    let (plain, _) = filled(MemoryStore::new());
    let events = plain.store().next_position().unwrap();
    group.bench_function(format!("read {events} events/memory"), |b| {
        b.iter(|| plain.store().read_from(0, usize::MAX).unwrap())
    });
    let (sealed, _) = filled(Sealed::new(MemoryStore::new(), keyring()));
    group.bench_function(format!("read {events} events/memory, sealed"), |b| {
        b.iter(|| sealed.store().read_from(0, usize::MAX).unwrap())
    });

    // On sled: a follow-up (with its flush), and the snapshot a workflow
    // opens with (every household's projection row, opened).
    let dir = tempfile::tempdir().unwrap();
    let (plain, households) = filled(SledStore::open(dir.path().join("plain")).unwrap());
    let mut next = 0;
    group.bench_function("follow-up/sled", |b| {
        b.iter(|| follow_ups(&plain, &households, &mut next))
    });
    group.bench_function("snapshot/sled", |b| {
        b.iter_batched(
            || (),
            |()| plain.store().snapshot().unwrap(),
            BatchSize::SmallInput,
        )
    });
    let (sealed, households) = filled(Sealed::new(
        SledStore::open(dir.path().join("sealed")).unwrap(),
        keyring(),
    ));
    let mut next = 0;
    group.bench_function("follow-up/sled, sealed", |b| {
        b.iter(|| follow_ups(&sealed, &households, &mut next))
    });
    group.bench_function("snapshot/sled, sealed", |b| {
        b.iter_batched(
            || (),
            |()| sealed.store().snapshot().unwrap(),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, sealing);
criterion_main!(benches);

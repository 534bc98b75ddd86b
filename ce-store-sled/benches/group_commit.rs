//! Group commit: how the throughput of durable follow-ups through one
//! shared `Workflow` grows with concurrent writers, against the baseline
//! measured in the same run, one flush per append under the writer lock.
//!
//! `cargo bench -p ce-store-sled --bench group_commit`; `CE_BENCH_SECONDS=N`
//! changes each run's length (default 3 s). Target: 8 writers reach at
//! least 3× the throughput of one with group commit.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "a benchmark aborts on any failure"
)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ce_core::testing::{date, follow_up, HouseholdBuilder};
use ce_core::{Actor, CommandId, CommandMeta, HouseholdId, Outcome, Role, Workflow};
use ce_store_sled::SledStore;
use chrono::{TimeZone, Utc};

fn meta(n: u128) -> CommandMeta {
    CommandMeta {
        command_id: CommandId(uuid::Uuid::from_u128(n)),
        actor: Actor::new("bench", "BoS CE", Role::Lead),
        recorded_at: Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap(),
    }
}

/// Follow-ups per second with `writers` threads for `seconds`, and the
/// p50 and p99 latency of one.
fn run(writers: usize, per_append: bool, seconds: u64) -> (f64, Duration, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path().join("ce")).unwrap();
    store.set_flush_per_append(per_append);
    let workflow = Arc::new(Workflow::open(store).unwrap());
    let households: Vec<HouseholdId> = (0..writers * 4)
        .map(|i| {
            let builder = HouseholdBuilder::single_adult("Coulee").placed_with_score(3);
            match workflow
                .execute(&meta(1 << 64 | i as u128), builder.enroll.clone())
                .unwrap()
                .outcome
            {
                Outcome::Enrolled { household } => household,
                other => panic!("enroll gave {other:?}"),
            }
        })
        .collect();
    let households = Arc::new(households);
    let counter = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let (workflow, households, counter) = (
                Arc::clone(&workflow),
                Arc::clone(&households),
                Arc::clone(&counter),
            );
            std::thread::spawn(move || {
                let mut latencies = Vec::new();
                let mut i = 0usize;
                while Instant::now() < deadline {
                    let household = households[w * 4 + i % 4];
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let day = date(2025, 2, 1) + chrono::Days::new(n / 1000);
                    let started = Instant::now();
                    workflow
                        .execute(&meta(u128::from(n) + 1), follow_up(household, day, 2))
                        .unwrap();
                    latencies.push(started.elapsed());
                    i += 1;
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    (latencies.len() as f64 / seconds as f64, at(0.5), at(0.99))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let seconds = std::env::var("CE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    println!("| flushes | writers | follow-ups/s | × one writer | p50 | p99 |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, per_append) in [("one per append", true), ("group commit", false)] {
        let mut one = None;
        for writers in [1, 2, 4, 8, 16] {
            let (rate, p50, p99) = run(writers, per_append, seconds);
            let base = *one.get_or_insert(rate);
            println!(
                "| {name} | {writers} | {rate:.0} | {:.2}× | {:.2} ms | {:.2} ms |",
                rate / base,
                p50.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3
            );
        }
    }
}

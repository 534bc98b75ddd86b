//! `ce serve` under load: clients posting follow-ups through the JSON API
//! for `CE_LOAD_SECONDS` (default 30) each, with 1, 8 and 50 clients, once
//! with one flush per append (the baseline, measured in the same run) and
//! once with group commit. Every run must have no failed request, every
//! acknowledged follow-up in the log and a store `ce verify` passes.
//!
//! `cargo bench -p ce-tests --bench serve_load`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Duration;

use ce_tests::cli::{ce, describe};
use ce_tests::load;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let seconds: f64 = std::env::var("CE_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30.0);
    println!("| flushes | clients | follow-ups | per second | × one client | p50 | p99 | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (name, per_append) in [("one per append", true), ("group commit", false)] {
        let mut one = None;
        for clients in [1, 8, 50] {
            let dir = tempfile::tempdir().unwrap();
            let r = load::run(dir.path(), clients, seconds, per_append);
            let base = *one.get_or_insert(r.per_second);
            println!(
                "| {name} | {clients} | {} | {:.0} | {:.2}× | {:.2} ms | {:.2} ms | {} |",
                r.acknowledged,
                r.per_second,
                r.per_second / base,
                r.p50.as_secs_f64() * 1e3,
                r.p99.as_secs_f64() * 1e3,
                r.errors.len()
            );
            assert!(r.errors.is_empty(), "{:?}", r.errors.first());
            let store = dir.path().join("ce-data");
            drop(ce_tests::open_when_released(&store, Duration::from_secs(10)).unwrap());
            let out = ce()
                .arg("--store")
                .arg(&store)
                .arg("verify")
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", describe("verify", &out));
        }
    }
}

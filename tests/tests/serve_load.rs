//! `ce serve` under 50 concurrent clients posting follow-ups for 30 s (the
//! `serve_load` bench runs the same and records latency and throughput):
//! no request fails, every acknowledged follow-up is in the log, and
//! `ce verify` passes on the store afterwards.

use std::time::Duration;

use ce_tests::cli::{ce, describe};
use ce_tests::load;

#[test]
fn fifty_clients_following_up_at_once_lose_nothing_and_the_store_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let result = load::run(dir.path(), 50, 30.0, false);
    assert!(
        result.errors.is_empty(),
        "{:#?}",
        &result.errors[..result.errors.len().min(5)]
    );
    assert!(
        result.acknowledged >= 50,
        "{} follow-ups in 30 s",
        result.acknowledged
    );
    let store = dir.path().join("ce-data");
    drop(ce_tests::open_when_released(&store, Duration::from_secs(10)).expect("store released"));
    let out = ce()
        .arg("--store")
        .arg(&store)
        .arg("verify")
        .output()
        .expect("ce verify");
    assert!(out.status.success(), "{}", describe("verify", &out));
}

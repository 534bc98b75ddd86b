//! Decoding one stored envelope: the untyped `serde_json::Value` floor, the
//! typed decode, and `Upcasters::decode`, which every read goes through.
//!
//! `cargo bench -p ce-store-sled --bench decode`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "a benchmark aborts on any failure; criterion's macros generate undocumented items"
)]

use std::hint::black_box;
use std::time::Duration;

use ce_core::testing::{date, follow_up, HouseholdBuilder};
use ce_core::{
    decide, Actor, Caseload, CommandId, CommandMeta, Envelope, Policy, Role, StreamVersion,
    Upcasters,
};
use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};

/// The stored bytes of an enrollment (the largest common event) and of a
/// follow-up (the most common one).
fn samples() -> Vec<(&'static str, Vec<u8>)> {
    let policy = Policy::wi_bos_default();
    let meta = |n: u128| CommandMeta {
        command_id: CommandId(uuid::Uuid::from_u128(n)),
        actor: Actor::new("bench", "BoS CE", Role::Lead),
        recorded_at: Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap(),
    };
    let mut caseload = Caseload::default();
    let mut out = Vec::new();
    let builder = HouseholdBuilder::single_adult("Coulee").with_child();
    let mut position = 0;
    let mut run = |caseload: &mut Caseload, n: u128, command: ce_core::Command| {
        let m = meta(n);
        let decision = decide(caseload, &policy, &m, &command).unwrap();
        let request = decision.to_request(caseload, &m);
        let mut stored = Vec::new();
        for new in request.events {
            let streams = new
                .streams
                .iter()
                .map(|s| StreamVersion {
                    stream: *s,
                    version: caseload.version(s) + 1,
                })
                .collect();
            let envelope = Envelope::stored(new, position, streams);
            position += 1;
            caseload.apply(&envelope);
            stored.push(envelope);
        }
        stored
    };
    let enrolled = run(&mut caseload, 1, builder.enroll.clone().into());
    let ce_core::Event::HouseholdEnrolled(e) = &enrolled[0].event else {
        unreachable!("an enrollment starts with HouseholdEnrolled")
    };
    let household = e.household;
    out.push(("HouseholdEnrolled", enrolled[0].to_json().unwrap()));
    let contact = run(
        &mut caseload,
        2,
        follow_up(household, date(2025, 2, 1), 3).into(),
    );
    out.push(("ContactMade", contact[0].to_json().unwrap()));
    out
}

fn decode(c: &mut Criterion) {
    let upcasters = Upcasters::current();
    let mut group = c.benchmark_group("decode");
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for (name, bytes) in samples() {
        group.bench_function(format!("{name}/serde_json::Value"), |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&bytes)).unwrap())
        });
        group.bench_function(format!("{name}/typed from_slice"), |b| {
            b.iter(|| serde_json::from_slice::<Envelope>(black_box(&bytes)).unwrap())
        });
        group.bench_function(format!("{name}/Upcasters::decode"), |b| {
            b.iter(|| upcasters.decode(black_box(&bytes)).unwrap())
        });
        // The checked path (and, before the one-pass decoder, the only one):
        // a `Value`, then the typed envelope from it.
        group.bench_function(format!("{name}/Value then decode_value"), |b| {
            b.iter(|| {
                let value = serde_json::from_slice(black_box(&bytes)).unwrap();
                upcasters.decode_value(value).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);

//! The catalog of personal data (`ce_core::privacy`) classifies every text
//! and date field of every event: of the frozen fixture of every event type
//! and schema version (what stores hold), and of every event a few hundred
//! generated command sequences write (the shapes this build writes, with
//! the optional fields they fill). An event that gains such a field fails
//! here until the catalog says how personal it is.

use std::collections::BTreeSet;
use std::path::Path;

use ce_core::privacy::classify;
use ce_core::testing::proptest::strategy::{Strategy, ValueTree};
use ce_core::testing::proptest::test_runner::TestRunner;
use ce_core::testing::{policy_variation, steps};
use ce_core::EventType;
use serde_json::Value;

use crate::run::{memory, STEPS};

fn unclassified(event: EventType, data: &Value, found: &mut BTreeSet<String>) {
    for (path, class) in classify(event, data) {
        if class.is_none() {
            found.insert(format!("{event:?} {path}"));
        }
    }
}

#[test]
fn the_catalog_classifies_every_text_and_date_field_of_every_event() {
    let mut found = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/events");
    for version in std::fs::read_dir(&fixtures).expect("fixtures") {
        for file in std::fs::read_dir(version.expect("entry").path()).expect("version") {
            let path = file.expect("entry").path();
            let envelope: Value =
                serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
            let event: EventType =
                serde_json::from_value(envelope["type"].clone()).expect("event type");
            seen.insert(event);
            unclassified(event, &envelope["data"], &mut found);
        }
    }
    let mut runner = TestRunner::deterministic();
    for _ in 0..200 {
        let variation = policy_variation()
            .new_tree(&mut runner)
            .expect("policy")
            .current();
        let steps = steps(STEPS).new_tree(&mut runner).expect("steps").current();
        let mut run = memory(&variation);
        for (i, step) in steps.iter().enumerate() {
            if let Ok(executed) = run.step(i, step).1 {
                for envelope in &executed.events {
                    let value = serde_json::to_value(&envelope.event).expect("event");
                    let event = envelope.event.kind();
                    seen.insert(event);
                    unclassified(event, &value["data"], &mut found);
                }
            }
        }
    }
    let missing: Vec<_> = EventType::ALL
        .iter()
        .filter(|t| !seen.contains(t))
        .collect();
    assert!(missing.is_empty(), "no sample of {missing:?}");
    assert!(
        found.is_empty(),
        "fields the personal-data catalog (ce-core/src/privacy.rs) does not classify:\n{}",
        found.into_iter().collect::<Vec<_>>().join("\n")
    );
}

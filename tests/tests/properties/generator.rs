//! The generator: the sequences it makes are worth running.

use std::collections::{BTreeMap, BTreeSet};

use ce_core::testing::proptest::prelude::*;
use ce_core::testing::proptest::strategy::ValueTree;
use ce_core::testing::proptest::test_runner::TestRunner;
use ce_core::testing::{policy_variation, steps};
use ce_core::{Event, ListHouseholdType};

use crate::run::{memory, STEPS};

/// The sequences are worth running: across a few hundred of them every
/// event type occurs, most household types reach a list, and steps are
/// both accepted and rejected in good measure.
#[test]
fn generated_sequences_reach_every_event_type_and_mix_accepted_and_rejected_steps() {
    let mut runner = TestRunner::deterministic();
    let mut events: BTreeMap<&str, usize> = BTreeMap::new();
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let mut list_types = BTreeSet::new();
    let (mut accepted, mut rejected) = (0usize, 0usize);
    let mut with_referral = 0;
    for _ in 0..300 {
        let variation = policy_variation().new_tree(&mut runner).unwrap().current();
        let steps = steps(STEPS).new_tree(&mut runner).unwrap().current();
        let mut run = memory(&variation);
        let mut referred = false;
        for (i, step) in steps.iter().enumerate() {
            match run.step(i, step).1 {
                Ok(executed) => {
                    accepted += 1;
                    for e in &executed.events {
                        *events.entry(e.event.event_type()).or_default() += 1;
                        referred |= matches!(e.event, Event::ReferralOffered(_));
                    }
                }
                Err(e) => {
                    rejected += 1;
                    let debug = e
                        .rejection()
                        .map_or_else(|| format!("{e:?}"), |r| format!("{r:?}"));
                    let kind = debug.split(['(', ' ', '{']).next().unwrap_or("").to_owned();
                    *errors.entry(kind).or_default() += 1;
                }
            }
            let caseload = run.caseload();
            for key in caseload.lists(run.policy(), step.entered).keys() {
                list_types.insert((key.program, key.household_type));
            }
        }
        with_referral += usize::from(referred);
    }
    eprintln!(
        "accepted {accepted}, rejected {rejected}, sequences with a referral {with_referral}"
    );
    eprintln!("events: {events:#?}");
    eprintln!("errors: {errors:#?}");
    eprintln!("lists reached: {list_types:?}");
    // Appended by the HUD CSV import only, never by a command: the import
    // tests cover them; a policy change is the store's (`set_policy`), not
    // a workflow command's: the CLI and store tests cover it.
    let import_only = ["HmisRecordsLinked", "HmisRecordDeleted", "PolicyAdopted"];
    let missing: Vec<&&str> = Event::TYPES
        .iter()
        .filter(|t| !events.contains_key(**t) && !import_only.contains(t))
        .collect();
    assert!(missing.is_empty(), "no sequence produced {missing:?}");
    let share = accepted as f64 / (accepted + rejected) as f64;
    assert!((0.3..=0.85).contains(&share), "accepted share {share:.2}");
    assert!(
        errors.len() >= 15,
        "only {} kinds of rejection",
        errors.len()
    );
    for t in ListHouseholdType::ALL {
        assert!(
            list_types.iter().any(|(_, ht)| ht == t),
            "no household reached a {t} list"
        );
    }
}

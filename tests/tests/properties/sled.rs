//! The properties on the sled store (slower: fewer cases), alone and side
//! by side with the in-memory store.

use std::collections::BTreeSet;

use ce_core::invariants::LogChecker;
use ce_core::testing::proptest::prelude::*;
use ce_core::testing::{policy_variation, steps};
use ce_store_sled::SledStore;

use crate::invariants::{check_fresh_fold, check_log_shape, check_sled_projections};
use crate::run::{config, memory, summary, SLED_CASES, STEPS};

proptest! {
    #![proptest_config(config(SLED_CASES))]

    /// A rejected command writes nothing to the sled store: neither its
    /// log and stream heads nor its projection trees.
    #[test]
    fn rejected_commands_write_nothing(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        let (_dir, run) = crate::run::sled(&variation);
        crate::run::rejected_commands_write_nothing(run, &steps, |store: &SledStore| {
            (store.projection_bytes().unwrap(), store.caseload().unwrap())
        })?;
    }

    /// On the sled store, after every step its projections equal a fresh
    /// fold, and at the end `rebuild` writes the same bytes.
    #[test]
    fn projections_equal_a_fresh_fold_and_rebuild_gives_the_same_bytes(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        let (_dir, mut run) = crate::run::sled(&variation);
        for (i, step) in steps.iter().enumerate() {
            run.advance(i, step);
            let caseload = run.caseload();
            run.check("fresh fold", check_fresh_fold(run.store(), &caseload))?;
            run.check("sled projections", check_sled_projections(run.store(), step.entered))?;
        }
        let incremental = run.store().projection_bytes().unwrap();
        run.store().rebuild().unwrap();
        let rebuilt = run.store().projection_bytes().unwrap();
        run.check("rebuild", if rebuilt == incremental { Ok(()) } else {
            Err(format!(
                "rebuild wrote {} projection rows, the appends {}; first difference: {:?}",
                rebuilt.len(),
                incremental.len(),
                rebuilt.iter().zip(&incremental).find(|(a, b)| a != b)
                    .map(|(a, b)| (&a.0, String::from_utf8_lossy(&a.2).into_owned(),
                                   String::from_utf8_lossy(&b.2).into_owned())),
            ))
        })?;
    }

    /// Fed one sequence, both stores accept and reject the same commands
    /// with the same outcomes, events and errors, and end in the same
    /// state; the sled log's positions and stream versions are checked as
    /// on the in-memory store.
    #[test]
    fn memory_and_sled_stores_accept_reject_and_end_alike(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        let mut mem = memory(&variation);
        let (_dir, mut disk) = crate::run::sled(&variation);
        let (mut checker, mut checked, mut ids) = (LogChecker::default(), 0, BTreeSet::new());
        for (i, step) in steps.iter().enumerate() {
            let (_, a) = mem.step(i, step);
            let (_, b) = disk.step(i, step);
            let alike = match (&a, &b) {
                (Ok(a), Ok(b)) => a == b,
                (Err(a), Err(b)) => a.to_string() == b.to_string(),
                _ => false,
            };
            mem.check("the stores disagree", if alike { Ok(()) } else {
                Err(format!("step #{i}: memory {}, sled {}", summary(&a), summary(&b)))
            })?;
            let shape = check_log_shape(disk.store(), &mut checker, &mut checked, &mut ids);
            disk.check("sled log shape", shape)?;
        }
        let same_log = mem.log() == disk.log();
        mem.check("logs", if same_log { Ok(()) } else { Err("the logs differ".into()) })?;
        let (m, d) = (mem.caseload(), disk.caseload());
        let projected = disk.store().caseload().unwrap();
        mem.check("end state", if m == d && d == projected { Ok(()) } else {
            Err(format!("memory {m:#?}\nsled {d:#?}\nsled projections {projected:#?}"))
        })?;
    }
}

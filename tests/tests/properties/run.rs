//! Running a generated sequence through a workflow on either store: how
//! many cases, the run with its trace of steps for a failure's message, and
//! the two ways the properties drive a run (an invariant after every step,
//! nothing written by a rejected step).

use std::ops::RangeInclusive;

use ce_core::testing::proptest::prelude::*;
use ce_core::testing::proptest::test_runner::FileFailurePersistence;
use ce_core::testing::{Created, PolicyVariation, Step};
use ce_core::{
    Caseload, Command, Envelope, Error, Executed, MemoryStore, Policy, Snapshots, Workflow,
};
use ce_store_sled::SledStore;

/// Cases of each in-memory property when `PROPTEST_CASES` is not set.
pub const MEMORY_CASES: u32 = 256;
/// Cases of each sled property: every append is a sled transaction and a
/// flush.
pub const SLED_CASES: u32 = 32;
/// Steps per generated sequence.
pub const STEPS: RangeInclusive<usize> = 1..=60;

pub fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        // Shrinking re-runs whole sequences; enough tries to reach a
        // handful of steps.
        max_shrink_iters: 20_000,
        // One file for every property, properties.proptest-regressions
        // beside this directory: `WithSource` would name one file per
        // module (memory.rs, sled.rs, ...).
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/properties.proptest-regressions"
        )))),
        ..ProptestConfig::with_cases(cases)
    }
}

/// A workflow running one sequence, with a trace of every step for the
/// failure message.
pub struct Run<S: Snapshots> {
    pub workflow: Workflow<S>,
    created: Created,
    trace: Vec<String>,
}

impl<S: Snapshots> Run<S> {
    pub fn new(store: S, policy: Policy) -> Self {
        Self {
            workflow: Workflow::new(store, policy).unwrap(),
            created: Created::default(),
            trace: Vec::new(),
        }
    }

    pub fn store(&self) -> &S {
        self.workflow.store()
    }

    pub fn policy(&self) -> &Policy {
        self.workflow.policy()
    }

    /// Runs step `i`: the command it resolved to, and what came of it.
    pub fn step(&mut self, i: usize, step: &Step) -> (Command, Result<Executed, Error>) {
        let (meta, command) = self.created.prepare(&self.workflow, i, step).unwrap();
        let result = self.workflow.execute(&meta, &command);
        if let Ok(executed) = &result {
            self.created.record(&executed.outcome);
        }
        self.trace
            .push(format!("  #{i} {step:?}\n      => {}", summary(&result)));
        (command, result)
    }

    /// Runs step `i`, whatever comes of it: the sequences mix in invalid
    /// commands, and the invariants hold either way.
    pub fn advance(&mut self, i: usize, step: &Step) {
        let _ = self.step(i, step);
    }

    pub fn caseload(&self) -> Caseload {
        self.workflow.caught_up().unwrap().clone()
    }

    pub fn log(&self) -> Vec<Envelope> {
        self.store().read_from(0, usize::MAX).unwrap()
    }

    /// Turns a broken invariant into a test failure listing the steps run.
    pub fn check(&self, invariant: &str, result: Result<(), String>) -> Result<(), TestCaseError> {
        result.map_err(|why| {
            TestCaseError::fail(format!(
                "{invariant}: {why}\nsteps run:\n{}",
                self.trace.join("\n")
            ))
        })
    }
}

pub fn summary(result: &Result<Executed, Error>) -> String {
    match result {
        Ok(executed) => {
            let types: Vec<&str> = executed
                .events
                .iter()
                .map(|e| e.event.event_type())
                .collect();
            format!("{:?} {types:?}", executed.outcome)
        }
        Err(e) => format!("rejected: {e}"),
    }
}

pub fn memory(variation: &PolicyVariation) -> Run<MemoryStore> {
    Run::new(MemoryStore::new(), variation.policy())
}

/// A sled store in a temporary directory, ranking by `policy`.
pub fn sled_store(policy: &Policy) -> (tempfile::TempDir, SledStore) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SledStore::open(dir.path()).unwrap();
    if store.policy() != policy {
        store.set_initial_policy(policy.clone()).unwrap();
    }
    (dir, store)
}

pub fn sled(variation: &PolicyVariation) -> (tempfile::TempDir, Run<SledStore>) {
    let policy = variation.policy();
    let (dir, store) = sled_store(&policy);
    (dir, Run::new(store, policy))
}

/// Runs a sequence on the in-memory store and checks `invariant` on the
/// caseload after every step (lists as of the day the step was entered).
pub fn after_every_step(
    variation: &PolicyVariation,
    steps: &[Step],
    name: &str,
    invariant: impl Fn(&Run<MemoryStore>, &Caseload, &Step) -> Result<(), String>,
) -> Result<(), TestCaseError> {
    let mut run = memory(variation);
    for (i, step) in steps.iter().enumerate() {
        run.advance(i, step);
        let caseload = run.caseload();
        run.check(name, invariant(&run, &caseload, step))?;
    }
    Ok(())
}

/// Runs a sequence; after every rejected step, the log, the stream
/// heads, the workflow's caseload and `projections(store)` are unchanged.
pub fn rejected_commands_write_nothing<S, P>(
    mut run: Run<S>,
    steps: &[Step],
    projections: impl Fn(&S) -> P,
) -> Result<(), TestCaseError>
where
    S: Snapshots,
    P: PartialEq,
{
    for (i, step) in steps.iter().enumerate() {
        let log = run.log();
        let caseload = run.caseload();
        let projected = projections(run.store());
        let (_, result) = run.step(i, step);
        if result.is_ok() {
            continue;
        }
        let store = run.store();
        let mut broken = Vec::new();
        if run.log() != log {
            broken.push("the log changed".to_owned());
        }
        for (stream, version) in &caseload.versions {
            let head = store.stream_version(stream).unwrap();
            if head != *version {
                broken.push(format!("{stream} moved from version {version} to {head}"));
            }
        }
        if run.caseload() != caseload {
            broken.push("the workflow's caseload changed".to_owned());
        }
        if projections(store) != projected {
            broken.push("the store's projections changed".to_owned());
        }
        let broken = if broken.is_empty() {
            Ok(())
        } else {
            Err(broken.join("; "))
        };
        run.check("a rejected command wrote something", broken)?;
    }
    Ok(())
}

//! An HMIS tool that embeds ce property-tests its own rule on top of ce's,
//! with ce's proptest generators (feature `testing`).
//!
//! The tool's rule: *no household is referred to PSH without an assessment
//! score* (its funders want the score on file). ce does not state that rule;
//! it follows from ce's PSH score floors. The property runs random policies
//! and random command sequences (valid and invalid, by every role) through a
//! `Workflow` and checks every PSH referral ce makes: the household had a
//! score just before, and ce recorded that score in the referral.
//!
//! Run: `cargo run -p ce-core --example property_testing --features testing`
//! (`CASES=2000` for more cases). `-- --without-floors` runs it under
//! policies whose PSH lists have no score floor, to show what a broken rule
//! looks like: proptest shrinks the failure to a few readable steps.

use std::process::ExitCode;

use ce_core::testing::proptest::test_runner::{Config, TestCaseError, TestRunner};
use ce_core::testing::{policy_variation, steps, Action, Created, Step};
use ce_core::{Caseload, Event, MemoryStore, Policy, ProgramType, Workflow};

/// The tool's rule, checked on what one step did: every PSH referral names
/// a household that had an assessment score before the step.
fn psh_referrals_have_a_score(
    before: &Caseload,
    events: &[ce_core::Envelope],
) -> Result<(), String> {
    for envelope in events {
        let Event::ReferralOffered(offer) = &envelope.event else {
            continue;
        };
        if offer.program_type != ProgramType::Psh {
            continue;
        }
        let score_before = before
            .households()
            .get(&offer.household)
            .and_then(|h| h.score());
        if score_before.is_none() || offer.inputs.score.is_none() {
            return Err(format!(
                "household {} was referred to PSH (referral {}) without an assessment score",
                offer.household, offer.referral
            ));
        }
    }
    Ok(())
}

/// Runs one generated sequence and checks the rule after every step.
fn run(policy: Policy, steps: &[Step]) -> Result<(), TestCaseError> {
    let fail = |e: ce_core::Error| TestCaseError::fail(e.to_string());
    let workflow = Workflow::new(MemoryStore::new(), policy).map_err(fail)?;
    let mut created = Created::default();
    for (i, step) in steps.iter().enumerate() {
        // Only a referral can break the rule; keep the state it was made from.
        let before = match step.action {
            Action::Refer { .. } => workflow.caught_up().map_err(fail)?.clone(),
            _ => Caseload::default(),
        };
        // Rejected steps are part of the sequence: ce's own rules at work.
        let Ok(executed) = created.execute(&workflow, i, step) else {
            continue;
        };
        psh_referrals_have_a_score(&before, &executed.events)
            .map_err(|why| TestCaseError::fail(format!("step #{i} ({step:?}): {why}")))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let cases = std::env::var("CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256);
    let without_floors = std::env::args().any(|a| a == "--without-floors");
    let mut runner = TestRunner::new(Config {
        max_shrink_iters: 20_000,
        // An example keeps no regression file.
        failure_persistence: None,
        ..Config::with_cases(cases)
    });
    // The policy variation prints as a one-line summary in a failure report.
    let input = (policy_variation(), steps(5..=60));
    let result = runner.run(&input, |(variation, steps)| {
        let mut policy = variation.policy();
        if without_floors {
            for rule in policy.programs.iter_mut() {
                if rule.program == ProgramType::Psh {
                    rule.eligibility.min_score_with_children = None;
                    rule.eligibility.min_score_without_children = None;
                }
            }
        }
        run(policy, &steps)
    });
    match result {
        Ok(()) => {
            println!("ok: {cases} random caseloads, no household referred to PSH without a score");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("the rule is broken:\n{failure}");
            ExitCode::FAILURE
        }
    }
}

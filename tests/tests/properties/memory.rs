//! The properties on the in-memory store.

use std::collections::BTreeSet;

use ce_core::invariants::{check_event, check_folded, LogChecker, Violation};
use ce_core::testing::proptest::prelude::*;
use ce_core::testing::{policy_variation, steps};
use ce_core::{Caseload, Command, Event, EventStore, Upcasters};
use chrono::{DateTime, Utc};

use crate::invariants::{
    check_fresh_fold, check_list_membership, check_list_order, check_log_shape,
    check_referral_choices, check_referral_end_dates, check_referrals,
    check_referred_after_placement,
};
use crate::run::{after_every_step, config, memory, MEMORY_CASES, STEPS};

proptest! {
    #![proptest_config(config(MEMORY_CASES))]

    /// Nobody off the lists is listed, and every eligible household is on
    /// each list it qualifies for.
    #[test]
    fn off_list_households_are_never_listed_and_eligible_ones_always_are(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        after_every_step(&variation, &steps, "list membership", |run, caseload, step| {
            check_list_membership(caseload, run.policy(), step.entered)
        })?;
    }

    /// Every list is in the reference order, ranked 1, 2, 3, ...
    #[test]
    fn lists_are_ordered_exactly_as_the_policy_says(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        after_every_step(&variation, &steps, "list order", |run, caseload, step| {
            check_list_order(caseload, run.policy(), step.entered)
        })?;
    }

    /// `refer`'s one-pass choice over the coalition index
    /// is the head of the full sort over every household.
    #[test]
    fn refer_takes_the_head_of_the_full_sort_from_the_coalition_index(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        after_every_step(&variation, &steps, "referral choices", |run, caseload, step| {
            check_referral_choices(caseload, run.policy(), step.entered)
        })?;
    }

    /// At most one live referral per opening and per household and program
    /// type, HUD results dated on or after the referral, and the households'
    /// and openings' views of their referrals agree.
    #[test]
    fn one_live_referral_per_opening_and_household_program_and_results_are_hud_codes_dated_after_the_referral(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        after_every_step(&variation, &steps, "referrals", |run, caseload, step| {
            check_referrals(caseload, run.policy(), step.entered)
        })?;
    }

    /// Not only a HUD result: whatever ends a referral (a result, a
    /// cancellation, an expiry) is not dated before the referral.
    #[test]
    fn no_referral_ends_before_it_was_made(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        after_every_step(&variation, &steps, "referral end dates", |_, caseload, _| {
            check_referral_end_dates(caseload)
        })?;
    }

    /// The top eligible household on the referral date: a household is
    /// not referred on a day before it was placed on the lists.
    #[test]
    fn no_household_is_referred_before_it_was_placed_on_the_lists(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        let mut run = memory(&variation);
        for (i, step) in steps.iter().enumerate() {
            let (_, result) = run.step(i, step);
            let events = result.map(|e| e.events).unwrap_or_default();
            run.check("referral dates", check_referred_after_placement(&events))?;
        }
    }

    /// A rejected command writes nothing to the in-memory store: its log,
    /// stream heads and the workflow's caseload are as they were.
    #[test]
    fn rejected_commands_write_nothing(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        crate::run::rejected_commands_write_nothing(memory(&variation), &steps, |_| ())?;
    }

    /// Folding the log from scratch, or one household's or opening's
    /// stream alone, gives the caseload the workflow built step by step.
    #[test]
    fn folding_the_log_from_scratch_equals_the_incremental_caseload(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        after_every_step(&variation, &steps, "fresh fold", |run, caseload, _| {
            check_fresh_fold(run.store(), caseload)
        })?;
    }

    /// The caseload as known at each day's entry time (the
    /// events recorded by then) is the caseload the workflow held after
    /// that day's last step, by `audit::as_known_at` and by
    /// `Workflow::as_known_at`.
    #[test]
    fn the_caseload_as_known_at_a_time_is_the_fold_of_the_events_recorded_by_then(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        let mut run = memory(&variation);
        let mut known: Vec<(DateTime<Utc>, Caseload)> = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            run.advance(i, step);
            let at = step.meta(i).recorded_at;
            if known.last().is_some_and(|(t, _)| *t == at) {
                known.pop();
            }
            known.push((at, run.caseload()));
            let log = run.log();
            for (at, then) in &known {
                let folded = ce_core::audit::as_known_at(&log, *at);
                let by_workflow = run.workflow.as_known_at(*at).unwrap();
                let same = folded == *then && by_workflow == *then;
                run.check("as known at", if same { Ok(()) } else {
                    Err(format!(
                        "as known at {at}:\n{folded:#?}\nthe workflow held then:\n{then:#?}"
                    ))
                })?;
            }
        }
    }

    /// Positions are gapless, event ids unique, and every stream reads back
    /// with versions 1 to its head.
    #[test]
    fn positions_are_gapless_and_stream_versions_contiguous(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        let mut run = memory(&variation);
        let (mut checker, mut checked, mut ids) = (LogChecker::default(), 0, BTreeSet::new());
        for (i, step) in steps.iter().enumerate() {
            run.advance(i, step);
            let shape = check_log_shape(run.store(), &mut checker, &mut checked, &mut ids);
            run.check("log shape", shape)?;
        }
    }

    /// Every event the workflow stores passes `verify`'s check of the
    /// workflow's rules on stored events (role and agency, dates, head
    /// of household, coalition, inactivation after the inactivity days,
    /// a referral's place on its list): the check finds only what the
    /// workflow could not have written.
    #[test]
    fn every_stored_event_passes_the_rules_verify_checks(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        let mut run = memory(&variation);
        for (i, step) in steps.iter().enumerate() {
            run.advance(i, step);
        }
        let policy = variation.policy();
        let mut fold = ce_core::Caseload::default();
        let mut found = Vec::new();
        for envelope in run.store().read_from(0, usize::MAX).unwrap() {
            found.extend(check_event(&fold, &policy, &envelope));
            if let Some(m) = ce_core::audit::list_place_mismatch(&fold, &policy, &envelope) {
                found.push(Violation::Rule {
                    position: envelope.position,
                    event_type: ce_core::EventType::ReferralOffered,
                    rule: format!(
                        "recorded place {} on its list; the list gives {:?}",
                        m.recorded, m.recomputed
                    ),
                });
            }
            fold.apply(&envelope);
            found.extend(check_folded(&fold, &envelope));
        }
        let found: Vec<String> = found.iter().map(ToString::to_string).collect();
        run.check("rules on stored events", if found.is_empty() {
            Ok(())
        } else {
            Err(found.join("; "))
        })?;
    }

    /// Every stored event, and every command, round-trips
    /// through JSON (the event through the stored envelope and
    /// `Upcasters::current`).
    #[test]
    fn every_event_and_command_round_trips_through_json(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        let mut run = memory(&variation);
        for (i, step) in steps.iter().enumerate() {
            let (command, result) = run.step(i, step);
            let json = serde_json::to_string(&command).unwrap();
            let back: Result<Command, _> = serde_json::from_str(&json);
            let same = matches!(&back, Ok(c) if *c == command);
            run.check("command JSON", if same { Ok(()) } else {
                Err(format!("{json}\ndecodes to {back:?}"))
            })?;
            for envelope in result.iter().flat_map(|e| &e.events) {
                let bytes = envelope.to_json().unwrap();
                let decoded = Upcasters::current().decode(&bytes);
                let same = matches!(&decoded, Ok(e) if e == envelope);
                run.check("envelope JSON", if same { Ok(()) } else {
                    Err(format!("{}\ndecodes to {decoded:?}", String::from_utf8_lossy(&bytes)))
                })?;
                let event = serde_json::to_value(&envelope.event).unwrap();
                let back: Result<Event, _> = serde_json::from_value(event.clone());
                let same = matches!(&back, Ok(e) if *e == envelope.event);
                run.check("event JSON", if same { Ok(()) } else {
                    Err(format!("{event}\ndecodes to {back:?}"))
                })?;
            }
        }
    }
}

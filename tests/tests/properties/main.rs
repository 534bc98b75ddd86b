//! Property tests of the workflow rules: random command sequences, valid
//! and invalid (`ce_core::testing::steps`), run through a `Workflow` on the
//! in-memory store and on the sled store, with the invariants checked after
//! every step. The invariants, and the properties that check them:
//!
//! - Nobody exited, inactive, parked or housed is on a list, and every
//!   household eligible for a list is on it:
//!   `memory::off_list_households_are_never_listed_and_eligible_ones_always_are`.
//! - Every list is in exactly the order the policy says, against a
//!   reference sort written here (`reference`):
//!   `memory::lists_are_ordered_exactly_as_the_policy_says`; and `refer`'s
//!   choice is the head of that sort:
//!   `memory::refer_takes_the_head_of_the_full_sort_from_the_coalition_index`.
//! - At most one live referral per opening and per household and program
//!   type, with HUD results dated on or after the referral:
//!   `memory::one_live_referral_per_opening_and_household_program_and_results_are_hud_codes_dated_after_the_referral`;
//!   for the dates of every way a referral ends and of the placement before
//!   it, `memory::no_referral_ends_before_it_was_made` and
//!   `memory::no_household_is_referred_before_it_was_placed_on_the_lists`.
//! - A rejected command writes nothing:
//!   `memory::rejected_commands_write_nothing`,
//!   `sled::rejected_commands_write_nothing`.
//! - Folding the log from scratch gives the caseload built step by step,
//!   and so do sled's projections and `rebuild`:
//!   `memory::folding_the_log_from_scratch_equals_the_incremental_caseload`,
//!   `sled::projections_equal_a_fresh_fold_and_rebuild_gives_the_same_bytes`.
//! - Positions are gapless and stream versions contiguous:
//!   `memory::positions_are_gapless_and_stream_versions_contiguous`, and on
//!   sled within the next property.
//! - Both stores accept, reject and end alike:
//!   `sled::memory_and_sled_stores_accept_reject_and_end_alike`.
//! - The caseload as known at a time is the fold of the events recorded by
//!   then:
//!   `memory::the_caseload_as_known_at_a_time_is_the_fold_of_the_events_recorded_by_then`.
//! - Every stored event passes the rules `ce verify` checks:
//!   `memory::every_stored_event_passes_the_rules_verify_checks`.
//! - Every event, command and HUD code round-trips through JSON:
//!   `memory::every_event_and_command_round_trips_through_json`,
//!   `hud::every_hud_code_round_trips_through_json`; frozen fixtures are in
//!   `event_fixtures.rs`.
//!
//! `memory::*` run on the in-memory store, `sled::*` on sled (slower: fewer
//! cases), `hud::*` need no store; `generator` checks that the generated
//! sequences are worth running. `run` runs a sequence, `reference` builds
//! the lists from scratch and `invariants` holds the checks.
//! `PROPTEST_CASES=n` sets every property's case count; a long run of the
//! in-memory properties:
//!
//! ```text
//! PROPTEST_CASES=10000 cargo test --release -p ce-tests --test properties -- memory:: hud::
//! ```
//!
//! A failure prints the shrunk sequence, one step a line, and the steps it
//! ran with what each did; proptest keeps its seed in
//! `tests/tests/properties.proptest-regressions`, beside this directory
//! (commit it).
//!
//! Steps are entered day by day (never earlier than the step before), so
//! "as known at" a step's entry time is a prefix of the log.

mod invariants;
mod reference;
mod run;

mod generator;
mod hud;
mod memory;
mod privacy;
mod sled;

//! Property tests of the workflow rules (issue 7): random command
//! sequences, valid and invalid (`ce_core::testing::steps`), run through a
//! `Workflow` on the in-memory store and on the sled store, with the
//! invariants checked after every step. One property per invariant of the
//! issue:
//!
//! 1. `memory::off_list_households_are_never_listed_and_eligible_ones_always_are`
//! 2. `memory::lists_are_ordered_exactly_as_the_policy_says` (against a
//!    reference sort written here)
//! 3. `memory::one_live_referral_per_opening_and_household_program_and_results_are_hud_codes_dated_after_the_referral`,
//!    and for dates beyond HUD results `memory::no_referral_ends_before_it_was_made`,
//!    `memory::no_household_is_referred_before_it_was_placed_on_the_lists`
//! 4. `memory::rejected_commands_write_nothing`, `sled::rejected_commands_write_nothing`
//! 5. `memory::folding_the_log_from_scratch_equals_the_incremental_caseload`,
//!    `sled::projections_equal_a_fresh_fold_and_rebuild_gives_the_same_bytes`
//! 6. `memory::positions_are_gapless_and_stream_versions_contiguous` (and on
//!    sled within 7)
//! 7. `sled::memory_and_sled_stores_accept_reject_and_end_alike`
//! 8. `memory::the_caseload_as_known_at_a_time_is_the_fold_of_the_events_recorded_by_then`
//! 9. `memory::every_event_and_command_round_trips_through_json`,
//!    `hud::every_hud_code_round_trips_through_json`; frozen fixtures are
//!    in `event_fixtures.rs`.
//!
//! `memory::*` run on the in-memory store, `sled::*` on sled (slower: fewer
//! cases), `hud::*` need no store. `PROPTEST_CASES=n` sets every
//! property's case count; a long run of the in-memory properties:
//!
//! ```text
//! PROPTEST_CASES=10000 cargo test --release -p ce-tests --test properties -- memory:: hud::
//! ```
//!
//! A failure prints the shrunk sequence, one step a line, and the steps it
//! ran with what each did; proptest keeps its seed in
//! `properties.proptest-regressions` beside this directory (commit it).
//!
//! Steps are entered day by day (never earlier than the step before), so
//! "as known at" a step's entry time is a prefix of the log.

mod invariants;
mod reference;
mod run;

mod generator;
mod hud;
mod memory;
mod sled;

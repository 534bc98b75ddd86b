//! End-to-end tests of the `ce` binary: every command run as a CE lead,
//! access point or provider would run it, on its own temporary store, one
//! module per command or concern. The harness that runs `ce` is
//! `ce_tests::cli`, shared with `cli_demo_errors.rs`; the households and
//! files these tests enter are in `fixtures`.
//!
//! The binary is `target/<profile>/ce`, next to this test; the tests build
//! it with `cargo build -p ce-cli` first when cargo runs them (`cargo test`
//! builds a package's binaries only for that package's own tests). The input
//! files and the nightly script are read from `docs/cli.md`, so the
//! documented examples are the tested ones.

mod fixtures;

mod backup_import;
mod bad_input;
mod consent;
mod demo;
mod docs;
mod enroll_assess;
mod environment;
mod follow_ups;
mod full_disk;
mod history;
mod json_output;
mod lists;
mod output;
mod policy;
mod privacy;
mod postgres;
mod referrals;
mod serve;
mod store;
mod verify;
mod views;
mod walkthrough;
mod workflow_rules;

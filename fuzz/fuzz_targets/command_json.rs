//! Fuzz target `command_json`: see `harness::command_json` in tests/tests/fuzz_regressions.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ce_fuzz::command_json(data));

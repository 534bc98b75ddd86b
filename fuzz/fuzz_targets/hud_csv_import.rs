//! Fuzz target `hud_csv_import`: see `harness::hud_csv_import` in tests/tests/fuzz_regressions.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ce_fuzz::hud_csv_import(data));

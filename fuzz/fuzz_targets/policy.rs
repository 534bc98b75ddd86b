//! Fuzz target `policy`: see `harness::policy` in tests/tests/fuzz_regressions.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ce_fuzz::policy(data));

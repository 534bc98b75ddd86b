//! Fuzz target `envelope`: see `harness::envelope` in tests/tests/fuzz_regressions.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ce_fuzz::envelope(data));

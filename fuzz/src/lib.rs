//! The fuzz targets' logic. It lives in `tests/tests/fuzz_regressions.rs`,
//! which replays every saved crash on stable: the fuzzer and the regression
//! test run the very same code.

#[path = "../../tests/tests/fuzz_regressions.rs"]
mod shared;

pub use shared::harness::*;

//! HUD HMIS CSV hardening: what an export writes that a spreadsheet could
//! run, and what an import does with files that are missing, repeated,
//! out of range, too large or not files at all; one module per such kind of
//! input, each test pinning one defence.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod dates;
mod formula_injection;
mod missing_files;
mod not_files;
mod repeated_keys;
mod size_limits;

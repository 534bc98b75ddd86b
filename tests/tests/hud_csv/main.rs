//! HUD HMIS CSV (FY2024): export of a small hand-built caseload checked row
//! by row, the CE APR and timeliness worked out by hand, import errors by
//! class, another HMIS's exports imported month by month, and the export →
//! import → export round trip; one module per concern, the caseload, HUD's
//! headers and the helpers they share in modules of their own.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod caseload;
mod hud_header;
mod support;

mod ce_apr;
mod cli_files;
mod export;
mod export_rows;
mod import_errors;
mod messy_rows;
mod month_by_month;
mod round_trip;
mod shelter_export;

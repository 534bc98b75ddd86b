//! HUD HMIS CSV (FY2024) for Coordinated Entry: export of the log as the CE
//! files, import of another system's export as events, and the CE APR and
//! timeliness reports.
//!
//! Pure: the caller opens files and hands over writers and readers; the
//! `csv` crate does all quoting. See `docs/hud-csv.md` for which HUD element
//! comes from which event and what an import accepts.

mod apr;
mod export;
mod files;
mod format;
mod import;
mod records;

pub use apr::{
    ActivityRow, ActivityTable, AprRow, AprTable, CeApr, DayStats, HudHouseholdType, PercentRow,
    Timeliness, ACTIVITY_COLUMNS, HOUSEHOLD_TYPE_COLUMNS,
};
pub use export::{ExportOptions, HudCsvExport};
pub use files::{guard_formula, HudFile};
pub use import::{
    FileSummary, ImportIssue, ImportOptions, ImportPlan, ImportReport, ImportStep, IssueKind,
};

/// The CSVVersion written to Export.csv (FY2024 with the v1.4 fixes).
pub const CSV_VERSION: &str = "2024 v1.4";

/// The AssessmentResultType under which an assessment's prioritization score
/// is exported, and from which an import reads it back.
pub const SCORE_RESULT_TYPE: &str = "CE prioritization score";

/// Writing a file failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HudCsvError {
    /// The CSV writer or the underlying writer failed.
    #[error("{file}: {source}")]
    Csv {
        /// The file.
        file: HudFile,
        /// What failed.
        #[source]
        source: csv::Error,
    },
}

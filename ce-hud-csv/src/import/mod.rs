//! Import: another system's HUD CSV export read, checked and planned as
//! workflow commands (and, where HUD data has no command, events), dry-run
//! against the caseload before anything is written.
//!
//! `rows` reads one file, `read` types and checks each file's rows,
//! `plan` maps them to households and orders the writes, `identity`
//! matches them to what earlier imports of the same source recorded, and
//! `fields` holds the findings. The children share this module's imports.

mod fields;
mod identity;
mod plan;
mod read;
mod rows;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Read;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use super::files::*;
use super::format::{cell, derive, parse_date, parse_datetime, two_digit_year};
use ce_core::hud::{
    AssessmentLevel, AssessmentType, CeEventType, CurrentSituation, Destination, InvalidCode,
    LivingSituation, MonthsHomeless, NoYesMissing, NoYesReasons, PriorSituation,
    PrioritizationStatus, ReferralResult, RelationshipToHoH, RentalSubsidyType, TimesHomeless,
};
use ce_core::{
    decide, Actor, AddMember, AgencyId, AppendRequest, Assess, AssessmentAnswer,
    AssessmentResultEntry, Caseload, CeEventRecorded, ClientId, Coalition, Command, CommandId,
    CommandMeta, Correct, CurrentLivingSituation, Enroll, Envelope, Error, Event, EventId,
    EventStore, Exit, ExpectedVersion, FollowUp, HmisLink, HmisRecordDeleted, HmisRecordsLinked,
    HouseholdId, HouseholdStatus, LeavingSituation, Member, MemberDestination, NewEvent, Outcome,
    Policy, PriorLivingSituation, PriorStay, RemoveMember, Role, Snapshots, StatusUpdate,
    StoreError, StreamId, StreamVersion, UserId, Workflow, EARLIEST_BIRTH_DATE, EARLIEST_DATE,
};

use fields::*;
use plan::*;
use read::*;
use rows::*;

/// What an import needs that the files do not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// The coalition whose lists imported households go on when the
    /// coalition map names none for them (HUD files name none).
    pub coalition: Option<Coalition>,
    /// Coalition by the source's ProjectID, a ProjectCoC Geocode or a CoC
    /// code (tried in that order for a household's project).
    pub coalition_map: BTreeMap<String, Coalition>,
    /// Import only enrollments in this CoC (EnrollmentCoC, or the project's
    /// ProjectCoC when that is empty).
    pub coc: Option<String>,
    /// Write the rows that are valid even when others are not.
    pub skip_invalid: bool,
    /// The user recorded on rows that name none.
    pub user: UserId,
    /// Recorded-at time for rows whose DateCreated is missing or earlier
    /// than their own date.
    pub now: DateTime<Utc>,
}

/// How serious an import finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IssueKind {
    /// The row (or file) cannot be imported; nothing is written unless
    /// invalid rows are skipped.
    Error,
    /// The row is valid HUD data that a CE import does not take, or it
    /// cannot be read at all, or it depends on a row that was not imported.
    Skipped,
    /// Imported after a documented repair of a data-quality problem.
    Repaired,
    /// Imported, with a remark.
    Note,
}

/// One finding, by file, line and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportIssue {
    /// Error, skipped or note.
    pub kind: IssueKind,
    /// The file.
    pub file: &'static str,
    /// The line (1 is the header), if the finding is about one row.
    pub line: Option<u64>,
    /// The column, if the finding is about one field.
    pub column: Option<String>,
    /// The value found there, if the finding is about one value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Why.
    pub reason: String,
}

impl std::fmt::Display for ImportIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            IssueKind::Error => "error",
            IssueKind::Skipped => "skipped",
            IssueKind::Repaired => "repaired",
            IssueKind::Note => "note",
        };
        write!(f, "{kind}: {}", self.file)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, " column {column}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// What an import found and what it will write.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ImportReport {
    /// The source export's ExportID.
    pub export_id: Option<String>,
    /// Data rows read per file (deleted rows included).
    pub rows: BTreeMap<&'static str, usize>,
    /// Rows with DateDeleted set, per file: skipped.
    pub deleted: BTreeMap<&'static str, usize>,
    /// Households (CE enrollments) the import's rows belong to.
    pub households: usize,
    /// Rows an earlier import of the same source recorded, unchanged since:
    /// not written again.
    pub unchanged: usize,
    /// Every finding, in file and line order.
    pub issues: Vec<ImportIssue>,
    /// Whether the plan writes anything (false when an error blocks it).
    pub writes: bool,
    /// Required files that are missing or unreadable: nothing is planned.
    pub blocked: Vec<String>,
}

/// What an import did with one file's rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    /// The file.
    pub file: &'static str,
    /// Data rows read, deleted ones included.
    pub read: usize,
    /// Rows imported (repaired ones included).
    pub imported: usize,
    /// Rows imported after a repair.
    pub repaired: usize,
    /// Rows not imported: unreadable, refused, not CE data, or depending on
    /// a row that was not imported.
    pub skipped: usize,
    /// Rows with DateDeleted set: not imported.
    pub deleted: usize,
}

impl ImportReport {
    /// Per file: rows read, imported, repaired, skipped and deleted.
    pub fn files(&self) -> Vec<FileSummary> {
        self.rows
            .iter()
            .map(|(&file, &read)| {
                let lines = |kinds: &[IssueKind]| {
                    self.issues
                        .iter()
                        .filter(|i| i.file == file && kinds.contains(&i.kind))
                        .filter_map(|i| i.line.filter(|l| *l > 1))
                        .collect::<BTreeSet<u64>>()
                };
                let dropped = lines(&[IssueKind::Error, IssueKind::Skipped]);
                let repaired = lines(&[IssueKind::Repaired]).difference(&dropped).count();
                let deleted = self.deleted.get(file).copied().unwrap_or(0);
                let skipped = dropped.len();
                FileSummary {
                    file,
                    read,
                    imported: read.saturating_sub(deleted).saturating_sub(skipped),
                    repaired,
                    skipped,
                    deleted,
                }
            })
            .collect()
    }

    /// The number of findings of one kind.
    pub fn count(&self, kind: IssueKind) -> usize {
        self.issues.iter().filter(|i| i.kind == kind).count()
    }
}

/// One write of an import, in order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ImportStep {
    /// A workflow command, decided again when executed.
    Command {
        /// Its id (derived from the source row), actor and recorded-at time.
        meta: CommandMeta,
        /// The command.
        command: Box<Command>,
    },
    /// Events with no command (imported referrals and their results).
    Append(AppendRequest),
}

/// A checked import: the report, and the steps to write (dry-run against
/// the caseload it was planned on).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    /// Findings.
    pub report: ImportReport,
    /// Writes, in effective-date order.
    pub steps: Vec<ImportStep>,
}

/// The files an import reads, in reading order.
const READ_ORDER: &[&str] = &[
    ExportRow::FILE,
    OrganizationRow::FILE,
    ProjectRow::FILE,
    ProjectCoCRow::FILE,
    CEParticipationRow::FILE,
    ClientRow::FILE,
    EnrollmentRow::FILE,
    ExitRow::FILE,
    AssessmentRow::FILE,
    AssessmentQuestionRow::FILE,
    AssessmentResultRow::FILE,
    EventRow::FILE,
    CurrentLivingSituationRow::FILE,
];

/// Files an import cannot do without, and why. HUD's exports have every
/// file, with only its header when it has no rows.
const REQUIRED_FILES: &[(&str, &str)] = &[
    (
        ExportRow::FILE,
        "ce needs it to know the source system and the export",
    ),
    (ProjectRow::FILE, "ce needs it to place the enrollments"),
    (ClientRow::FILE, "ce needs it to identify the clients"),
    (
        EnrollmentRow::FILE,
        "ce needs it to place every row in a household",
    ),
    (
        ExitRow::FILE,
        "ce needs it to know which households exited, or they would come back on the lists",
    ),
    (
        EventRow::FILE,
        "ce needs it to know which households were referred and housed, or they would come back on the lists",
    ),
];

/// Why an import cannot do without `file`, if it cannot.
fn required(file: &str) -> Option<&'static str> {
    REQUIRED_FILES
        .iter()
        .find(|(f, _)| *f == file)
        .map(|(_, why)| *why)
}

impl ImportPlan {
    /// Reads an export's files (`open` gives a reader for a file name, or
    /// `None` if the file is absent), checks every header and row, maps the
    /// CE data to households, and dry-runs the writes against `caseload`.
    /// Nothing is planned when there is an error, unless
    /// `options.skip_invalid`. Fails only when a file cannot be opened.
    ///
    /// `store` is the store the plan will be executed on, and `caseload` its
    /// caught-up caseload: rows an earlier import of the same source
    /// recorded are matched by their source ids and not written again; rows
    /// that changed since are recorded as corrections, and rows the source
    /// deleted as deletions.
    pub fn read<R: Read>(
        open: impl FnMut(&'static str) -> std::io::Result<Option<R>>,
        store: &dyn EventStore,
        caseload: &Caseload,
        policy: &Policy,
        options: &ImportOptions,
    ) -> std::io::Result<Self> {
        let mut issues = Issues::default();
        let mut report = ImportReport::default();
        let input = Input::read(open, &mut issues, &mut report)?;
        report.export_id = (!input.export_id.is_empty()).then(|| input.export_id.clone());
        let mut planner = Planner {
            input: &input,
            options,
            policy,
            caseload: caseload.clone(),
            issues: &mut issues,
            steps: Vec::new(),
            households: HashMap::new(),
            groups: BTreeMap::new(),
            entry_cls: HashMap::new(),
            head_repairs: HashMap::new(),
            exit_dates: HashMap::new(),
            map_used: BTreeSet::new(),
            store,
            known: HashMap::new(),
            links: BTreeMap::new(),
            deleted_before: BTreeSet::new(),
            corrected: HashMap::new(),
            unchanged: 0,
        };
        planner.load_known();
        let has_file_errors = planner
            .issues
            .0
            .iter()
            .any(|i| i.kind == IssueKind::Error && i.line.is_none_or(|l| l == 1));
        // Without a required file (the Export.csv that names the source, the
        // projects, clients and enrollments, the exits and events that take
        // households off the lists) nothing is planned.
        let missing: Vec<&str> = REQUIRED_FILES
            .iter()
            .map(|(f, _)| *f)
            .filter(|f| {
                input.unread.contains(f) || (*f == ExportRow::FILE && input.export_id.is_empty())
            })
            .collect();
        report.blocked = missing.iter().map(|f| (*f).to_owned()).collect();
        if missing.is_empty() && (!has_file_errors || options.skip_invalid) {
            let actions = planner.map();
            for (_, action) in actions {
                planner.run(action);
            }
            planner.deletions();
            planner.append_links();
            planner.unused_map_entries();
        }
        report.households = planner.households.len();
        report.unchanged = planner.unchanged;
        let steps = std::mem::take(&mut planner.steps);
        let errors = issues.0.iter().any(|i| i.kind == IssueKind::Error);
        let steps = if errors && !options.skip_invalid {
            Vec::new()
        } else {
            steps
        };
        report.writes = !steps.is_empty();
        report.issues = issues.0;
        Ok(Self { report, steps })
    }

    /// Executes the plan: commands through the workflow, events through the
    /// store's append, one request at a time.
    pub fn execute<S: Snapshots>(&self, workflow: &Workflow<S>) -> Result<usize, Error> {
        self.execute_with(workflow, |requests| {
            for request in requests {
                workflow.store().append(request)?;
            }
            Ok(())
        })
    }

    /// Executes the plan, handing each run of consecutive event appends to
    /// `append` as one batch (a store with batched appends checks and
    /// commits it as one). Returns the number of steps executed.
    pub fn execute_with<S: Snapshots>(
        &self,
        workflow: &Workflow<S>,
        mut append: impl FnMut(Vec<AppendRequest>) -> Result<(), StoreError>,
    ) -> Result<usize, Error> {
        let mut batch = Vec::new();
        for step in &self.steps {
            match step {
                ImportStep::Append(request) => batch.push(request.clone()),
                ImportStep::Command { meta, command } => {
                    if !batch.is_empty() {
                        append(std::mem::take(&mut batch))?;
                    }
                    workflow.execute(meta, command.as_ref())?;
                }
            }
        }
        if !batch.is_empty() {
            append(batch)?;
        }
        Ok(self.steps.len())
    }
}

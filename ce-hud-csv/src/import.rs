//! Import: another system's HUD CSV export read, checked and planned as
//! workflow commands (and, where HUD data has no command, events), dry-run
//! against the caseload before anything is written.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Read;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use super::files::*;
use super::format::{cell, derive, parse_date, parse_datetime, two_digit_year};
use ce_core::actor::{Actor, AgencyId, Role, UserId};
use ce_core::caseload::Caseload;
use ce_core::command::{
    AddMember, Assess, Command, CommandMeta, Correct, Enroll, Exit, FollowUp, RemoveMember,
};
use ce_core::decide::{decide, Outcome};
use ce_core::envelope::{Envelope, NewEvent, StreamId, StreamVersion};
use ce_core::error::Error;
use ce_core::event::Event;
use ce_core::household::events::{CeEventRecorded, HmisLink, HmisRecordDeleted, HmisRecordsLinked};
use ce_core::household::{
    AssessmentAnswer, AssessmentResultEntry, Coalition, CurrentLivingSituation, HouseholdStatus,
    LeavingSituation, Member, MemberDestination, PriorLivingSituation, PriorStay, StatusUpdate,
};
use ce_core::hud::{
    AssessmentLevel, AssessmentType, CeEventType, CurrentSituation, Destination, InvalidCode,
    LivingSituation, MonthsHomeless, NoYesMissing, NoYesReasons, PriorSituation,
    PrioritizationStatus, ReferralResult, RelationshipToHoH, RentalSubsidyType, TimesHomeless,
};
use ce_core::ids::{ClientId, CommandId, EventId, HouseholdId};
use ce_core::policy::Policy;
use ce_core::store::{AppendRequest, EventStore, ExpectedVersion, StoreError};
use ce_core::workflow::Workflow;

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

/// Files an import cannot do without.
const REQUIRED_FILES: &[&str] = &[
    ExportRow::FILE,
    ProjectRow::FILE,
    ClientRow::FILE,
    EnrollmentRow::FILE,
];

/// Collects findings.
#[derive(Debug, Default)]
struct Issues(Vec<ImportIssue>);

impl Issues {
    fn push(
        &mut self,
        kind: IssueKind,
        file: &'static str,
        line: Option<u64>,
        column: Option<&str>,
        reason: impl Into<String>,
    ) {
        self.0.push(ImportIssue {
            kind,
            file,
            line,
            column: column.map(str::to_owned),
            value: None,
            reason: reason.into(),
        });
    }

    /// A finding about one value of one row.
    fn push_value(
        &mut self,
        kind: IssueKind,
        (file, line): (&'static str, u64),
        column: &str,
        value: &str,
        reason: impl Into<String>,
    ) {
        self.0.push(ImportIssue {
            kind,
            file,
            line: Some(line),
            column: Some(column.to_owned()),
            value: Some(value.to_owned()),
            reason: reason.into(),
        });
    }
}

/// Parses one row's fields, recording every bad one.
struct Fields<'a> {
    issues: &'a mut Issues,
    file: &'static str,
    line: u64,
    bad: bool,
}

impl Fields<'_> {
    fn skip(&mut self, reason: impl Into<String>) {
        self.bad = true;
        self.issues
            .push(IssueKind::Skipped, self.file, Some(self.line), None, reason);
    }

    /// An error about the value found in `column`.
    fn error_value(&mut self, column: &str, value: &str, reason: impl Into<String>) {
        self.bad = true;
        self.issues.push_value(
            IssueKind::Error,
            (self.file, self.line),
            column,
            value,
            reason,
        );
    }

    fn error(&mut self, column: &str, reason: impl Into<String>) {
        self.bad = true;
        self.issues.push(
            IssueKind::Error,
            self.file,
            Some(self.line),
            Some(column),
            reason,
        );
    }

    fn required<'v>(&mut self, column: &str, v: &'v Option<String>) -> Option<&'v str> {
        let value = cell(v);
        if value.is_none() {
            self.error(column, "required value is empty");
        }
        value
    }

    fn text(&mut self, column: &str, v: &Option<String>) -> Option<String> {
        self.required(column, v).map(str::to_owned)
    }

    fn date(&mut self, column: &str, v: &Option<String>) -> Option<NaiveDate> {
        let value = self.required(column, v)?;
        let parsed = parse_date(value);
        if parsed.is_none() {
            self.error_value(
                column,
                value,
                format!("{value:?} is not a date (YYYY-MM-DD)"),
            );
        }
        parsed
    }

    /// A trailer datetime: when unreadable, the import's time is used.
    fn lenient_datetime(&mut self, column: &str, v: &Option<String>) -> Option<DateTime<Utc>> {
        let value = cell(v)?;
        let parsed = parse_datetime(value);
        if parsed.is_none() {
            self.issues.push_value(
                IssueKind::Repaired,
                (self.file, self.line),
                column,
                value,
                format!(
                    "{value:?} is not a datetime (YYYY-MM-DD hh:mm:ss): the import's time is used"
                ),
            );
        }
        parsed
    }

    fn opt_code<T: TryFrom<u16, Error = InvalidCode>>(
        &mut self,
        column: &str,
        v: &Option<String>,
    ) -> Option<T> {
        let value = cell(v)?;
        let parsed = value
            .parse::<u16>()
            .map_err(|_| format!("{value:?} is not a code"))
            .and_then(|c| T::try_from(c).map_err(|e| e.to_string()));
        match parsed {
            Ok(code) => Some(code),
            Err(reason) => {
                self.error_value(column, value, reason);
                None
            }
        }
    }

    /// An optional code that, when invalid, is dropped with a finding
    /// instead of failing the row.
    fn lenient_code<T: TryFrom<u16, Error = InvalidCode>>(
        &mut self,
        column: &str,
        v: &Option<String>,
        instead: &str,
    ) -> Option<T> {
        let value = cell(v)?;
        let parsed = value
            .parse::<u16>()
            .map_err(|_| format!("{value:?} is not a code"))
            .and_then(|c| T::try_from(c).map_err(|e| e.to_string()));
        match parsed {
            Ok(code) => Some(code),
            Err(reason) => {
                self.issues.push_value(
                    IssueKind::Repaired,
                    (self.file, self.line),
                    column,
                    value,
                    format!("{reason}: {instead}"),
                );
                None
            }
        }
    }

    /// An optional date that, when unreadable, is dropped with a finding.
    fn lenient_date(&mut self, column: &str, v: &Option<String>) -> Option<NaiveDate> {
        let value = cell(v)?;
        let parsed = parse_date(value);
        if parsed.is_none() {
            self.issues.push_value(
                IssueKind::Repaired,
                (self.file, self.line),
                column,
                value,
                format!("{value:?} is not a date (YYYY-MM-DD): left empty"),
            );
        }
        parsed
    }

    fn code<T: TryFrom<u16, Error = InvalidCode>>(
        &mut self,
        column: &str,
        v: &Option<String>,
    ) -> Option<T> {
        self.required(column, v)?;
        self.opt_code(column, v)
    }
}

/// The trailer of a row, as used by the import.
#[derive(Debug, Clone, Default)]
struct Source {
    line: u64,
    created: Option<DateTime<Utc>>,
    updated: Option<DateTime<Utc>>,
    user: Option<String>,
}

fn source(
    f: &mut Fields<'_>,
    created: &Option<String>,
    updated: &Option<String>,
    user: &Option<String>,
) -> Source {
    Source {
        line: f.line,
        created: f.lenient_datetime("DateCreated", created),
        updated: f.lenient_datetime("DateUpdated", updated),
        user: cell(user).map(str::to_owned),
    }
}

#[derive(Debug, Clone)]
struct ProjectIn {
    project_type: Option<u16>,
}

#[derive(Debug, Clone)]
struct ClientIn {
    updated: Option<DateTime<Utc>>,
    first: Option<String>,
    last: Option<String>,
    dob: Option<NaiveDate>,
    veteran: NoYesReasons,
}

#[derive(Debug, Clone)]
struct EnrollmentIn {
    id: String,
    personal: String,
    project: String,
    entry: NaiveDate,
    household: String,
    relationship: RelationshipToHoH,
    /// EnrollmentCoC.
    coc: Option<String>,
    disabling: NoYesReasons,
    living: Option<PriorSituation>,
    stay: PriorStay,
    episode: Option<NaiveDate>,
    times: Option<TimesHomeless>,
    months: Option<MonthsHomeless>,
    src: Source,
}

#[derive(Debug, Clone)]
struct ExitIn {
    id: Option<String>,
    enrollment: String,
    date: NaiveDate,
    destination: Destination,
    subsidy: Option<RentalSubsidyType>,
    src: Source,
}

#[derive(Debug, Clone)]
struct AssessmentIn {
    id: String,
    enrollment: String,
    date: NaiveDate,
    location: Option<String>,
    assessment_type: AssessmentType,
    level: AssessmentLevel,
    prioritization: PrioritizationStatus,
    src: Source,
}

#[derive(Debug, Clone)]
struct EventIn {
    id: String,
    enrollment: String,
    date: NaiveDate,
    event: CeEventRecorded,
    src: Source,
}

#[derive(Debug, Clone)]
struct ClsIn {
    id: String,
    enrollment: String,
    date: NaiveDate,
    current: CurrentLivingSituation,
    src: Source,
}

/// A row the source marked deleted (DateDeleted).
#[derive(Debug, Clone)]
struct DeletedRow {
    file: &'static str,
    line: u64,
    id: String,
    when: Option<String>,
}

/// One CEParticipation.csv period of a project.
#[derive(Debug, Clone)]
struct ParticipationIn {
    from: NaiveDate,
    to: Option<NaiveDate>,
    access_point: bool,
    receives_referrals: bool,
}

/// Everything read, parsed and checked row by row.
#[derive(Debug, Default)]
struct Input {
    /// ProjectID → its ProjectCoC rows: (CoCCode, Geocode).
    project_cocs: HashMap<String, Vec<(String, Option<String>)>>,
    /// ProjectID → its CE participation periods; `None` without the file.
    participation: Option<HashMap<String, Vec<ParticipationIn>>>,
    /// Rows with DateDeleted, by file.
    deleted: Vec<DeletedRow>,
    /// EnrollmentID → its row in `enrollments`.
    enrollment_at: HashMap<String, usize>,
    /// The AssessmentIDs read, for rows that name one.
    assessment_ids: HashSet<String>,
    /// EnrollmentID → its (first) row in `exits`.
    exit_of: HashMap<String, usize>,
    /// The source system: Export.csv's SourceID and ImplementationID.
    source: String,
    /// ExportDirective 2: the export replaces what the source sent before.
    full_refresh: bool,
    /// The export's period (ExportStartDate, ExportEndDate).
    period: Option<(NaiveDate, NaiveDate)>,
    /// Files absent or with a header that could not be used.
    unread: BTreeSet<&'static str>,
    /// Rows with errors, by file and id: rows that name them are skipped.
    rejected: BTreeMap<(&'static str, String), u64>,
    export_id: String,
    hashed: bool,
    organizations: HashMap<String, String>,
    /// ProjectID → (OrganizationID, ProjectName, ProjectType).
    projects: HashMap<String, ProjectIn>,
    clients: HashMap<String, ClientIn>,
    enrollments: Vec<EnrollmentIn>,
    exits: Vec<ExitIn>,
    assessments: Vec<AssessmentIn>,
    answers: HashMap<String, Vec<(u32, u64, AssessmentAnswer)>>,
    results: HashMap<String, Vec<(u64, String, Option<String>)>>,
    /// AssessmentQuestionID by line.
    question_ids: HashMap<u64, String>,
    /// AssessmentResultID by line.
    result_ids: HashMap<u64, String>,
    events: Vec<EventIn>,
    cls: Vec<ClsIn>,
}

/// The closest header name to `name`: the same letters in another case, or
/// one or two letters off.
fn close_to<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut row = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let cost = usize::from(ca != *cb);
                let best = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
                row.push(best);
            }
            prev = row;
        }
        prev.last().copied().unwrap_or(usize::MAX)
    }
    candidates.into_iter().find(|c| {
        c.eq_ignore_ascii_case(name)
            || distance(&c.to_ascii_lowercase(), &name.to_ascii_lowercase()) <= 2
    })
}

/// Line numbers from byte offsets. The csv crate places a record that
/// follows a CRLF at the CRLF's `\n`, so its own line count is one short.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    newlines: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            offset: 0,
            newlines: 0,
        }
    }

    /// The 1-based line of the first character at or after `byte`
    /// (offsets must not decrease).
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut at = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        if self.bytes.get(at) == Some(&b'\n') {
            at += 1;
        }
        let at = at.max(self.offset);
        let slice = self.bytes.get(self.offset..at).unwrap_or_default();
        self.newlines += slice.iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset = at;
        self.newlines + 1
    }
}

/// The columns without which ce cannot read a file's rows; any other
/// missing column is read as empty.
fn key_columns(file: &str) -> &'static [&'static str] {
    match file {
        f if f == ExportRow::FILE => &["ExportID"],
        f if f == OrganizationRow::FILE => &["OrganizationID", "OrganizationName"],
        f if f == ProjectRow::FILE => &["ProjectID", "ProjectType"],
        f if f == ClientRow::FILE => &["PersonalID"],
        f if f == EnrollmentRow::FILE => &["EnrollmentID", "PersonalID", "ProjectID", "EntryDate"],
        f if f == ExitRow::FILE => &["EnrollmentID", "ExitDate", "Destination"],
        f if f == AssessmentRow::FILE => &["AssessmentID", "EnrollmentID", "AssessmentDate"],
        f if f == AssessmentQuestionRow::FILE => &["AssessmentID", "AssessmentQuestion"],
        f if f == AssessmentResultRow::FILE => &["AssessmentID", "AssessmentResultType"],
        f if f == EventRow::FILE => &["EventID", "EnrollmentID", "EventDate", "Event"],
        f if f == CurrentLivingSituationRow::FILE => &[
            "CurrentLivingSitID",
            "EnrollmentID",
            "InformationDate",
            "CurrentLivingSituation",
        ],
        _ => &[],
    }
}

/// Reads one file: checks its header, then deserializes its rows by column
/// name. Returns `None` (after recording why) when the file is unusable.
fn read_rows<T: Row, R: Read>(
    mut reader: R,
    optional: &[&str],
    issues: &mut Issues,
    report: &mut ImportReport,
    deleted_rows: &mut Vec<DeletedRow>,
) -> Option<Vec<(u64, T)>> {
    let file = T::FILE;
    let mut bytes = Vec::new();
    if let Err(e) = reader.read_to_end(&mut bytes) {
        issues.push(
            IssueKind::Error,
            file,
            None,
            None,
            format!("cannot read: {e}"),
        );
        return None;
    }
    let mut lines = LineCounter::new(&bytes);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let headers = match csv.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            issues.push(
                IssueKind::Error,
                file,
                Some(1),
                None,
                format!("cannot read the header: {e}"),
            );
            return None;
        }
    };
    // Names match case-insensitively: a header spelled with other capitals
    // than HUD's is read under HUD's name, with a note.
    let mut renamed = Vec::new();
    let headers: csv::StringRecord = headers
        .iter()
        .map(|h| {
            let h = h.trim_start_matches('\u{feff}').trim();
            match T::HEADER.iter().find(|c| c.eq_ignore_ascii_case(h)) {
                Some(c) if *c != h => {
                    renamed.push((h.to_owned(), *c));
                    *c
                }
                Some(c) => c,
                None => h,
            }
        })
        .collect();
    for (found, column) in &renamed {
        issues.push_value(
            IssueKind::Note,
            (file, 1),
            column,
            found,
            format!("column {found:?} read as {column} (HUD's capitals)"),
        );
    }
    let present: BTreeSet<&str> = headers.iter().collect();
    let missing: Vec<&str> = T::HEADER
        .iter()
        .copied()
        .filter(|c| !present.contains(c))
        .collect();
    let unexpected: Vec<&str> = headers.iter().filter(|h| !T::HEADER.contains(h)).collect();
    let needed = key_columns(file);
    let mut unusable = false;
    for column in &missing {
        let hint = close_to(column, unexpected.iter().copied())
            .map(|found| format!(" (found {found:?})"))
            .unwrap_or_default();
        if needed.contains(column) {
            unusable = true;
            issues.push(
                IssueKind::Error,
                file,
                Some(1),
                Some(column),
                format!("missing column {column}{hint}: ce needs it to read {file}"),
            );
        } else if !optional.contains(column) {
            issues.push(
                IssueKind::Note,
                file,
                Some(1),
                Some(column),
                format!("missing column {column}{hint}: read as empty"),
            );
        }
    }
    for column in &unexpected {
        issues.push(
            IssueKind::Note,
            file,
            Some(1),
            Some(column),
            format!("column {column:?} is not an FY2024 column of {file}: ignored"),
        );
    }
    if unusable {
        return None;
    }
    // The first column is the file's key: a repeated key keeps the first row.
    let key_at = headers.iter().position(|h| Some(&h) == T::HEADER.first());
    let mut keys: HashMap<String, u64> = HashMap::new();
    let width = headers.len();
    let mut rows = Vec::new();
    let mut deleted = 0;
    for record in csv.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line());
                issues.push(
                    IssueKind::Error,
                    file,
                    line,
                    None,
                    format!("unreadable row: {e}"),
                );
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        let mut record = record;
        if record.len() > width {
            issues.push(
                IssueKind::Error,
                file,
                Some(line),
                None,
                format!("{} fields where the header has {width}", record.len()),
            );
            continue;
        }
        if record.len() < width {
            // Trailing empty fields left out: the missing ones read as empty.
            issues.push(
                IssueKind::Repaired,
                file,
                Some(line),
                None,
                format!(
                    "{} fields where the header has {width}: the last {} read as empty",
                    record.len(),
                    width - record.len()
                ),
            );
            while record.len() < width {
                record.push_field("");
            }
        }
        match record.deserialize::<T>(Some(&headers)) {
            Ok(row) if row.deleted() => {
                deleted += 1;
                let key = key_at.and_then(|i| record.get(i)).map(str::trim);
                if let Some(key) = key.filter(|k| !k.is_empty()) {
                    deleted_rows.push(DeletedRow {
                        file,
                        line,
                        id: key.to_owned(),
                        when: row.date_deleted(),
                    });
                }
            }
            Ok(row) => {
                let key = key_at.and_then(|i| record.get(i)).map(str::trim);
                if let Some(key) = key.filter(|k| !k.is_empty()) {
                    if let Some(first) = keys.get(key) {
                        issues.push_value(
                            IssueKind::Skipped,
                            (file, line),
                            T::HEADER.first().copied().unwrap_or_default(),
                            key,
                            format!("{key} repeats the key of line {first}: the first row is kept"),
                        );
                        continue;
                    }
                    keys.insert(key.to_owned(), line);
                }
                rows.push((line, row));
            }
            Err(e) => issues.push(
                IssueKind::Error,
                file,
                Some(line),
                None,
                format!("unreadable row: {e}"),
            ),
        }
    }
    report.rows.insert(file, rows.len() + deleted);
    if deleted > 0 {
        report.deleted.insert(file, deleted);
    }
    Some(rows)
}

impl Input {
    fn read<R: Read>(
        mut open: impl FnMut(&'static str) -> std::io::Result<Option<R>>,
        issues: &mut Issues,
        report: &mut ImportReport,
    ) -> std::io::Result<Self> {
        let mut input = Input::default();
        for &file in READ_ORDER {
            let Some(reader) = open(file)? else {
                let kind = if REQUIRED_FILES.contains(&file) {
                    IssueKind::Error
                } else {
                    IssueKind::Note
                };
                issues.push(kind, file, None, None, "file not found");
                input.unread.insert(file);
                continue;
            };
            let before = issues.0.len();
            match file {
                f if f == ExportRow::FILE => input.export(reader, issues, report),
                f if f == OrganizationRow::FILE => input.organizations(reader, issues, report),
                f if f == ProjectRow::FILE => input.projects(reader, issues, report),
                f if f == ProjectCoCRow::FILE => input.project_cocs(reader, issues, report),
                f if f == CEParticipationRow::FILE => input.participation(reader, issues, report),
                f if f == ClientRow::FILE => input.clients(reader, issues, report),
                f if f == EnrollmentRow::FILE => input.enrollments(reader, issues, report),
                f if f == ExitRow::FILE => input.exits(reader, issues, report),
                f if f == AssessmentRow::FILE => input.assessments(reader, issues, report),
                f if f == AssessmentQuestionRow::FILE => input.questions(reader, issues, report),
                f if f == AssessmentResultRow::FILE => input.results(reader, issues, report),
                f if f == EventRow::FILE => input.events(reader, issues, report),
                _ => input.cls(reader, issues, report),
            }
            let header_error = issues.0[before..]
                .iter()
                .any(|i| i.kind == IssueKind::Error && i.line == Some(1));
            if header_error {
                input.unread.insert(file);
            }
        }
        Ok(input)
    }

    fn export<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        let Some(rows) = read_rows::<ExportRow, _>(r, &[], issues, report, &mut self.deleted)
        else {
            return;
        };
        let file = ExportRow::FILE;
        let Some((line, row)) = rows.first() else {
            issues.push(IssueKind::Error, file, None, None, "no data row");
            return;
        };
        if rows.len() > 1 {
            issues.push(IssueKind::Error, file, None, None, "more than one data row");
        }
        let mut f = Fields {
            issues,
            file,
            line: *line,
            bad: false,
        };
        if let Some(id) = f.text("ExportID", &row.ExportID) {
            self.export_id = id;
        }
        // Ids derive from the source system, never from the ExportID (new in
        // every export), so that a later export of the same source matches.
        let source = [cell(&row.SourceID), cell(&row.ImplementationID)];
        self.source = match source {
            [None, None] => {
                f.issues.push(
                    IssueKind::Note,
                    file,
                    Some(*line),
                    Some("ImplementationID"),
                    "SourceID and ImplementationID are empty: records are identified by the ExportID, so a later export of the same source will not be matched",
                );
                format!("export:{}", self.export_id)
            }
            [a, b] => format!("{}/{}", a.unwrap_or_default(), b.unwrap_or_default()),
        };
        self.full_refresh = cell(&row.ExportDirective) == Some("2");
        self.period = parse_date(cell(&row.ExportStartDate).unwrap_or_default())
            .zip(parse_date(cell(&row.ExportEndDate).unwrap_or_default()));
        match cell(&row.CSVVersion) {
            Some(v) if v.starts_with("2024") => {}
            other => f.issues.push(
                IssueKind::Note,
                file,
                Some(*line),
                Some("CSVVersion"),
                format!("CSVVersion {other:?} does not start with 2024: read as FY2024 anyway"),
            ),
        }
        self.hashed = matches!(cell(&row.HashStatus), Some("2" | "3" | "4"));
    }

    /// A DOB, read leniently: an unreadable one is left empty, and one after
    /// the export's end is a two-digit year of the century before, or else
    /// left empty.
    fn birth_date(&self, f: &mut Fields<'_>, v: &Option<String>) -> Option<NaiveDate> {
        let raw = cell(v)?;
        let dob = f.lenient_date("DOB", v)?;
        let Some((_, end)) = self.period else {
            return Some(dob);
        };
        if dob <= end {
            return Some(dob);
        }
        let earlier = dob
            .with_year(dob.year() - 100)
            .filter(|_| two_digit_year(raw, dob));
        let (kept, what) = match earlier {
            Some(d) => (Some(d), format!("a two-digit year: read as {d}")),
            None => (None, "left empty".to_owned()),
        };
        f.issues.push_value(
            IssueKind::Repaired,
            (f.file, f.line),
            "DOB",
            raw,
            format!("{raw:?} is after the export's end {end}: {what}"),
        );
        kept
    }

    fn project_cocs<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        let rows = read_rows::<ProjectCoCRow, _>(r, &[], issues, report, &mut self.deleted);
        for (_, row) in rows.unwrap_or_default() {
            if let (Some(project), Some(coc)) = (cell(&row.ProjectID), cell(&row.CoCCode)) {
                self.project_cocs
                    .entry(project.to_owned())
                    .or_default()
                    .push((
                        coc.to_ascii_uppercase(),
                        cell(&row.Geocode).map(str::to_owned),
                    ));
            }
        }
    }

    fn participation<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        let Some(rows) =
            read_rows::<CEParticipationRow, _>(r, &[], issues, report, &mut self.deleted)
        else {
            return;
        };
        let mut periods: HashMap<String, Vec<ParticipationIn>> = HashMap::new();
        for (line, row) in rows {
            let mut f = Fields {
                issues,
                file: CEParticipationRow::FILE,
                line,
                bad: false,
            };
            let project = f.text("ProjectID", &row.ProjectID);
            let from = f.date(
                "CEParticipationStatusStartDate",
                &row.CEParticipationStatusStartDate,
            );
            let to = f.lenient_date(
                "CEParticipationStatusEndDate",
                &row.CEParticipationStatusEndDate,
            );
            let yes = |v: &Option<String>| cell(v) == Some("1");
            if let (Some(project), Some(from), false) = (project, from, f.bad) {
                periods.entry(project).or_default().push(ParticipationIn {
                    from,
                    to,
                    access_point: yes(&row.AccessPoint),
                    receives_referrals: yes(&row.ReceivesReferrals),
                });
            }
        }
        self.participation = Some(periods);
    }

    /// Whether a project takes part in CE on a date (an access point or a
    /// project receiving referrals), by CEParticipation.csv; every project
    /// does when the export has no such file.
    fn takes_part_in_ce(&self, project: &str, on: NaiveDate) -> bool {
        let Some(periods) = &self.participation else {
            return true;
        };
        periods.get(project).is_some_and(|ps| {
            ps.iter().any(|p| {
                (p.access_point || p.receives_referrals)
                    && p.from <= on
                    && p.to.is_none_or(|to| on <= to)
            })
        })
    }

    /// Whether an enrollment is in `coc`: its EnrollmentCoC, or when that is
    /// empty, one of its project's ProjectCoC rows.
    fn in_coc(&self, e: &EnrollmentIn, coc: &str) -> bool {
        match &e.coc {
            Some(c) => c.eq_ignore_ascii_case(coc),
            None => self
                .project_cocs
                .get(&e.project)
                .is_some_and(|cs| cs.iter().any(|(c, _)| c.eq_ignore_ascii_case(coc))),
        }
    }

    fn organizations<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (_, row) in read_rows::<OrganizationRow, _>(r, &[], issues, report, &mut self.deleted)
            .unwrap_or_default()
        {
            if let (Some(id), Some(name)) = (cell(&row.OrganizationID), cell(&row.OrganizationName))
            {
                self.organizations.insert(id.to_owned(), name.to_owned());
            }
        }
    }

    fn projects<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in read_rows::<ProjectRow, _>(r, &[], issues, report, &mut self.deleted)
            .unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: ProjectRow::FILE,
                line,
                bad: false,
            };
            let Some(id) = f.text("ProjectID", &row.ProjectID) else {
                continue;
            };
            let project_type = match cell(&row.ProjectType) {
                None => None,
                Some(v) => match v.parse::<u16>() {
                    Ok(t) if t <= 14 && t != 5 => Some(t),
                    _ => {
                        f.error("ProjectType", format!("{v:?} is not a 2.02.6 project type"));
                        continue;
                    }
                },
            };
            self.projects.insert(id, ProjectIn { project_type });
        }
    }

    fn clients<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        let rows = read_rows::<ClientRow, _>(
            r,
            OPTIONAL_CLIENT_COLUMNS,
            issues,
            report,
            &mut self.deleted,
        );
        for (line, row) in rows.unwrap_or_default() {
            let mut f = Fields {
                issues,
                file: ClientRow::FILE,
                line,
                bad: false,
            };
            let id = f.text("PersonalID", &row.PersonalID);
            let dob = self.birth_date(&mut f, &row.DOB);
            let veteran = f.lenient_code("VeteranStatus", &row.VeteranStatus, "read as 99");
            let (Some(id), false) = (id, f.bad) else {
                continue;
            };
            let name =
                |v: &Option<String>| (!self.hashed).then(|| cell(v).map(str::to_owned)).flatten();
            self.clients.insert(
                id,
                ClientIn {
                    updated: cell(&row.DateUpdated).and_then(parse_datetime),
                    first: name(&row.FirstName),
                    last: name(&row.LastName),
                    dob,
                    veteran: veteran.unwrap_or(NoYesReasons::DataNotCollected),
                },
            );
        }
    }

    fn enrollments<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in read_rows::<EnrollmentRow, _>(r, &[], issues, report, &mut self.deleted)
            .unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: EnrollmentRow::FILE,
                line,
                bad: false,
            };
            let id = f.text("EnrollmentID", &row.EnrollmentID);
            let personal = f.text("PersonalID", &row.PersonalID);
            let project = f.text("ProjectID", &row.ProjectID);
            let entry = f.date("EntryDate", &row.EntryDate);
            // A single-person enrollment often comes without HouseholdID and
            // RelationshipToHoH: it is its own household, the person its head.
            let household = match (cell(&row.HouseholdID), &id) {
                (Some(h), _) => Some(h.to_owned()),
                (None, Some(own)) => {
                    f.issues.push(
                        IssueKind::Repaired,
                        EnrollmentRow::FILE,
                        Some(line),
                        Some("HouseholdID"),
                        format!("empty: enrollment {own} is its own household"),
                    );
                    Some(format!("enrollment:{own}"))
                }
                (None, None) => None,
            };
            let relationship = if cell(&row.RelationshipToHoH).is_none() {
                let own = cell(&row.HouseholdID).is_none();
                f.issues.push(
                    IssueKind::Repaired,
                    EnrollmentRow::FILE,
                    Some(line),
                    Some("RelationshipToHoH"),
                    if own {
                        "empty: the only member of its household, read as 1 (head)"
                    } else {
                        "empty: read as 99 (data not collected)"
                    },
                );
                Some(if own {
                    RelationshipToHoH::SelfHeadOfHousehold
                } else {
                    RelationshipToHoH::DataNotCollected
                })
            } else {
                f.lenient_code("RelationshipToHoH", &row.RelationshipToHoH, "read as 99")
                    .or(Some(RelationshipToHoH::DataNotCollected))
            };
            // Codes outside their lists are read as 99 (data not collected).
            let disabling =
                f.lenient_code("DisablingCondition", &row.DisablingCondition, "read as 99");
            let living = f.lenient_code("LivingSituation", &row.LivingSituation, "read as 99");
            let mut yes_no = |column: &str, v: &Option<String>| {
                f.lenient_code::<NoYesMissing>(column, v, "left empty")
            };
            let under_threshold = yes_no("LOSUnderThreshold", &row.LOSUnderThreshold);
            let previous_street_essh = yes_no("PreviousStreetESSH", &row.PreviousStreetESSH);
            let stay = PriorStay {
                rental_subsidy: f.lenient_code(
                    "RentalSubsidyType",
                    &row.RentalSubsidyType,
                    "left empty",
                ),
                length_of_stay: f.lenient_code("LengthOfStay", &row.LengthOfStay, "left empty"),
                under_threshold,
                previous_street_essh,
            };
            let times = f.lenient_code(
                "TimesHomelessPastThreeYears",
                &row.TimesHomelessPastThreeYears,
                "read as 99",
            );
            let months = f.lenient_code(
                "MonthsHomelessPastThreeYears",
                &row.MonthsHomelessPastThreeYears,
                "read as 99",
            );
            let episode = f.lenient_date("DateToStreetESSH", &row.DateToStreetESSH);
            let src = source(&mut f, &row.DateCreated, &row.DateUpdated, &row.UserID);
            if let Some(p) = &personal {
                if !self.clients.contains_key(p) {
                    f.error(
                        "PersonalID",
                        format!("unknown client {p}: not in Client.csv"),
                    );
                }
            }
            if let Some(p) = &project {
                if !self.projects.contains_key(p) {
                    f.error(
                        "ProjectID",
                        format!("unknown project {p}: not in Project.csv"),
                    );
                }
            }
            if f.bad {
                if let Some(id) = id {
                    self.rejected.insert((EnrollmentRow::FILE, id), line);
                }
                continue;
            }
            let (
                Some(id),
                Some(personal),
                Some(project),
                Some(entry),
                Some(household),
                Some(relationship),
            ) = (id, personal, project, entry, household, relationship)
            else {
                continue;
            };
            self.enrollment_at
                .insert(id.clone(), self.enrollments.len());
            self.enrollments.push(EnrollmentIn {
                id,
                personal,
                project,
                entry,
                household,
                relationship,
                coc: cell(&row.EnrollmentCoC).map(|c| c.to_ascii_uppercase()),
                disabling: disabling.unwrap_or(NoYesReasons::DataNotCollected),
                living,
                stay,
                episode,
                times,
                months,
                src,
            });
        }
    }

    /// Whether a referenced row was dropped (its file unread or the row
    /// invalid): the referring row is then skipped, not a second error.
    fn dropped(&self, f: &mut Fields<'_>, file: &'static str, id: &str) -> bool {
        if self.unread.contains(file) {
            f.skip(format!(
                "follows {file}, which was not read (see its error)"
            ));
            return true;
        }
        match self.rejected.get(&(file, id.to_owned())) {
            Some(line) => {
                f.skip(format!(
                    "follows {file} line {line} ({id}), which was not imported"
                ));
                true
            }
            None => false,
        }
    }

    fn known_enrollment(&self, f: &mut Fields<'_>, id: &Option<String>) -> Option<String> {
        let id = f.text("EnrollmentID", id)?;
        if !self.enrollment_at.contains_key(&id) {
            if self.dropped(f, EnrollmentRow::FILE, &id) {
                return None;
            }
            f.error_value(
                "EnrollmentID",
                &id,
                format!("unknown enrollment {id}: not in Enrollment.csv"),
            );
            return None;
        }
        Some(id)
    }

    fn exits<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in
            read_rows::<ExitRow, _>(r, &[], issues, report, &mut self.deleted).unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: ExitRow::FILE,
                line,
                bad: false,
            };
            let enrollment = self.known_enrollment(&mut f, &row.EnrollmentID);
            let date = f.date("ExitDate", &row.ExitDate);
            // An exit stays an exit: a destination missing or outside the
            // list is read as 99 (data not collected).
            let destination: Option<Destination> = match cell(&row.Destination) {
                None => {
                    f.issues.push(
                        IssueKind::Repaired,
                        ExitRow::FILE,
                        Some(line),
                        Some("Destination"),
                        "empty: read as 99 (data not collected)",
                    );
                    None
                }
                Some(_) => f.lenient_code("Destination", &row.Destination, "read as 99"),
            }
            .or_else(|| Destination::try_from(99).ok());
            let mut subsidy = f.lenient_code::<RentalSubsidyType>(
                "DestinationSubsidyType",
                &row.DestinationSubsidyType,
                "left empty",
            );
            let rental = LivingSituation::RentalWithSubsidy;
            if subsidy.is_some() && destination.is_some_and(|d| d.situation() != rental) {
                f.issues.push(
                    IssueKind::Repaired,
                    ExitRow::FILE,
                    Some(line),
                    Some("DestinationSubsidyType"),
                    "given with a destination other than 435: left empty",
                );
                subsidy = None;
            }
            let src = source(&mut f, &row.DateCreated, &row.DateUpdated, &row.UserID);
            if let (Some(enrollment), Some(date), Some(destination), false) =
                (enrollment, date, destination, f.bad)
            {
                self.exit_of
                    .entry(enrollment.clone())
                    .or_insert(self.exits.len());
                self.exits.push(ExitIn {
                    id: cell(&row.ExitID).map(str::to_owned),
                    enrollment,
                    date,
                    destination,
                    subsidy,
                    src,
                });
            }
        }
    }

    fn assessments<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in read_rows::<AssessmentRow, _>(r, &[], issues, report, &mut self.deleted)
            .unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: AssessmentRow::FILE,
                line,
                bad: false,
            };
            let id = f.text("AssessmentID", &row.AssessmentID);
            let enrollment = self.known_enrollment(&mut f, &row.EnrollmentID);
            let date = f.date("AssessmentDate", &row.AssessmentDate);
            // Nullable since v1.4, but the CE workflow needs all three.
            let assessment_type = f.code("AssessmentType", &row.AssessmentType);
            let level = f.code("AssessmentLevel", &row.AssessmentLevel);
            let prioritization = f.code("PrioritizationStatus", &row.PrioritizationStatus);
            let src = source(&mut f, &row.DateCreated, &row.DateUpdated, &row.UserID);
            if f.bad {
                if let Some(id) = &id {
                    self.rejected
                        .insert((AssessmentRow::FILE, id.clone()), line);
                }
            }
            if let (
                Some(id),
                Some(enrollment),
                Some(date),
                Some(assessment_type),
                Some(level),
                Some(prioritization),
                false,
            ) = (
                id,
                enrollment,
                date,
                assessment_type,
                level,
                prioritization,
                f.bad,
            ) {
                self.assessment_ids.insert(id.clone());
                self.assessments.push(AssessmentIn {
                    id,
                    enrollment,
                    date,
                    location: cell(&row.AssessmentLocation).map(str::to_owned),
                    assessment_type,
                    level,
                    prioritization,
                    src,
                });
            }
        }
    }

    fn known_assessment(&self, f: &mut Fields<'_>, id: &Option<String>) -> Option<String> {
        let id = f.text("AssessmentID", id)?;
        if !self.assessment_ids.contains(&id) {
            if self.dropped(f, AssessmentRow::FILE, &id) {
                return None;
            }
            f.error_value(
                "AssessmentID",
                &id,
                format!("unknown assessment {id}: not in Assessment.csv"),
            );
            return None;
        }
        Some(id)
    }

    fn questions<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in
            read_rows::<AssessmentQuestionRow, _>(r, &[], issues, report, &mut self.deleted)
                .unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: AssessmentQuestionRow::FILE,
                line,
                bad: false,
            };
            let assessment = self.known_assessment(&mut f, &row.AssessmentID);
            let question = f.text("AssessmentQuestion", &row.AssessmentQuestion);
            let order = match cell(&row.AssessmentQuestionOrder) {
                None => Some(u32::MAX),
                Some(v) => v.parse::<u32>().ok().or_else(|| {
                    f.error("AssessmentQuestionOrder", format!("{v:?} is not a number"));
                    None
                }),
            };
            if let (Some(assessment), Some(question), Some(order), false) =
                (assessment, question, order, f.bad)
            {
                let answer = cell(&row.AssessmentAnswer).unwrap_or_default().to_owned();
                if let Some(id) = cell(&row.AssessmentQuestionID) {
                    self.question_ids.insert(line, id.to_owned());
                }
                self.answers.entry(assessment).or_default().push((
                    order,
                    line,
                    AssessmentAnswer { question, answer },
                ));
            }
        }
    }

    fn results<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in
            read_rows::<AssessmentResultRow, _>(r, &[], issues, report, &mut self.deleted)
                .unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: AssessmentResultRow::FILE,
                line,
                bad: false,
            };
            let assessment = self.known_assessment(&mut f, &row.AssessmentID);
            let kind = f.text("AssessmentResultType", &row.AssessmentResultType);
            if let (Some(assessment), Some(kind), false) = (assessment, kind, f.bad) {
                if let Some(id) = cell(&row.AssessmentResultID) {
                    self.result_ids.insert(line, id.to_owned());
                }
                self.results.entry(assessment).or_default().push((
                    line,
                    kind,
                    cell(&row.AssessmentResult).map(str::to_owned),
                ));
            }
        }
    }

    fn events<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in
            read_rows::<EventRow, _>(r, &[], issues, report, &mut self.deleted).unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: EventRow::FILE,
                line,
                bad: false,
            };
            let id = f.text("EventID", &row.EventID);
            let enrollment = self.known_enrollment(&mut f, &row.EnrollmentID);
            let date = f.date("EventDate", &row.EventDate);
            let code = f.code::<CeEventType>("Event", &row.Event);
            let src = source(&mut f, &row.DateCreated, &row.DateUpdated, &row.UserID);
            let (Some(id), Some(enrollment), Some(date), Some(code), false) =
                (id, enrollment, date, code, f.bad)
            else {
                continue;
            };
            // The dependent fields are kept as the source recorded them; a
            // code outside its list is dropped, with a finding.
            let problem_solving_result =
                f.lenient_code("ProbSolDivRRResult", &row.ProbSolDivRRResult, "left empty");
            let case_management_after = f.lenient_code(
                "ReferralCaseManageAfter",
                &row.ReferralCaseManageAfter,
                "left empty",
            );
            let result = f.lenient_code::<ReferralResult>(
                "ReferralResult",
                &row.ReferralResult,
                "left empty",
            );
            let result_date = f.lenient_date("ResultDate", &row.ResultDate);
            let mut note = |column: &str, reason: String| {
                f.issues.push(
                    IssueKind::Note,
                    EventRow::FILE,
                    Some(line),
                    Some(column),
                    reason,
                )
            };
            match (result, result_date) {
                (Some(_), None) => note(
                    "ResultDate",
                    "ReferralResult is set but ResultDate is empty: kept without a result date"
                        .to_owned(),
                ),
                (None, Some(_)) if cell(&row.ReferralResult).is_none() => note(
                    "ReferralResult",
                    "ResultDate is set but ReferralResult is empty: kept as recorded".to_owned(),
                ),
                (_, Some(on)) if on < date => note(
                    "ResultDate",
                    format!("result date {on} is before the event date {date}: kept as recorded"),
                ),
                _ => {}
            }
            if result.is_some() && !code.carries_referral_result() {
                note(
                    "ReferralResult",
                    format!("event {code} carries no referral result in HUD's data dictionary: kept as recorded"),
                );
            }
            self.events.push(EventIn {
                id,
                enrollment,
                date,
                event: CeEventRecorded {
                    event: code,
                    problem_solving_result,
                    case_management_after,
                    location: cell(&row.LocationCrisisOrPHHousing).map(str::to_owned),
                    result,
                    result_date,
                },
                src,
            });
        }
    }

    fn cls<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in
            read_rows::<CurrentLivingSituationRow, _>(r, &[], issues, report, &mut self.deleted)
                .unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: CurrentLivingSituationRow::FILE,
                line,
                bad: false,
            };
            let id = f.text("CurrentLivingSitID", &row.CurrentLivingSitID);
            let enrollment = self.known_enrollment(&mut f, &row.EnrollmentID);
            let date = f.date("InformationDate", &row.InformationDate);
            let situation = match f.required("CurrentLivingSituation", &row.CurrentLivingSituation)
            {
                None => None,
                // An invalid code is kept as 99 (data not collected).
                Some(_) => f
                    .lenient_code::<CurrentSituation>(
                        "CurrentLivingSituation",
                        &row.CurrentLivingSituation,
                        "kept as 99 (data not collected)",
                    )
                    .or_else(|| CurrentSituation::try_from(99).ok()),
            };
            let subsidy = f.lenient_code::<RentalSubsidyType>(
                "CLSSubsidyType",
                &row.CLSSubsidyType,
                "left empty",
            );
            let leave = f.lenient_code::<NoYesReasons>(
                "LeaveSituation14Days",
                &row.LeaveSituation14Days,
                "left empty",
            );
            let mut yes_no = |column: &str, v: &Option<String>| {
                f.lenient_code::<NoYesReasons>(column, v, "left empty")
            };
            let leaving = LeavingSituation {
                subsequent_residence: yes_no("SubsequentResidence", &row.SubsequentResidence),
                resources_to_obtain: yes_no("ResourcesToObtain", &row.ResourcesToObtain),
                lease_own_60_day: yes_no("LeaseOwn60Day", &row.LeaseOwn60Day),
                moved_two_or_more: yes_no("MovedTwoOrMore", &row.MovedTwoOrMore),
            };
            let src = source(&mut f, &row.DateCreated, &row.DateUpdated, &row.UserID);
            if let (Some(id), Some(enrollment), Some(date), Some(situation), false) =
                (id, enrollment, date, situation, f.bad)
            {
                self.cls.push(ClsIn {
                    id,
                    enrollment,
                    date,
                    current: CurrentLivingSituation {
                        leaving,
                        living_situation: situation,
                        subsidy,
                        verified_by: cell(&row.VerifiedBy).map(str::to_owned),
                        leave_within_14_days: leave,
                        location_details: cell(&row.LocationDetails).map(str::to_owned),
                    },
                    src,
                });
            }
        }
    }
}

/// A source household: its project and HouseholdID.
type GroupKey = (String, String);

/// One planned write before ids are known, ordered by date then kind.
#[derive(Debug, Clone)]
enum Action {
    Enroll { group: GroupKey },
    AddMember { group: GroupKey, enrollment: usize },
    Assess { group: GroupKey, assessment: usize },
    FollowUp { group: GroupKey, cls: usize },
    Event { group: GroupKey, event: usize },
    RemoveMember { group: GroupKey, exit: usize },
    Exit { group: GroupKey, exit: usize },
}

impl Action {
    /// Order within a day.
    fn phase(&self) -> u8 {
        match self {
            Action::Enroll { .. } => 0,
            Action::AddMember { .. } => 1,
            Action::Assess { .. } => 2,
            Action::FollowUp { .. } => 3,
            Action::Event { .. } => 4,
            Action::RemoveMember { .. } => 6,
            Action::Exit { .. } => 7,
        }
    }
}

/// The plan under construction: the dry-run caseload and what is known.
struct Planner<'a> {
    input: &'a Input,
    options: &'a ImportOptions,
    policy: &'a Policy,
    caseload: Caseload,
    issues: &'a mut Issues,
    steps: Vec<ImportStep>,
    households: HashMap<GroupKey, HouseholdId>,
    groups: BTreeMap<GroupKey, Vec<usize>>,
    entry_cls: HashMap<GroupKey, usize>,
    /// Households whose head was repaired: the enrollment now head.
    head_repairs: HashMap<GroupKey, usize>,
    /// The store, to find what earlier imports of the source recorded.
    store: &'a dyn EventStore,
    /// Rows earlier imports of this source linked: (file, id) → the event
    /// that recorded the row and the row's DateUpdated then.
    known: HashMap<(String, String), Linked>,
    /// New links, per household, with the source's HouseholdID.
    links: BTreeMap<HouseholdId, (Option<String>, Vec<HmisLink>)>,
    /// Events earlier imports recorded as deleted in the source.
    deleted_before: BTreeSet<EventId>,
    /// Rows already imported and unchanged.
    unchanged: usize,
}

/// The event an earlier import recorded a source row as, and the row's
/// DateUpdated then.
type Linked = (EventId, Option<DateTime<Utc>>);

/// What running one source row came to.
enum Ran {
    /// Decided and planned: its outcome and events.
    New(Outcome, Vec<NewEvent>),
    /// An earlier import of the source recorded it: its first stored event.
    Existing(Box<Envelope>),
}

/// Folds an append request into a caseload as a store would.
fn fold(caseload: &mut Caseload, request: &AppendRequest) {
    for new in &request.events {
        let streams = new
            .streams
            .iter()
            .map(|s| StreamVersion {
                stream: *s,
                version: caseload.version(s) + 1,
            })
            .collect();
        let envelope = Envelope::stored(new.clone(), caseload.next_position, streams);
        caseload.apply(&envelope);
    }
}

impl Planner<'_> {
    fn actor(&self, src: &Source) -> Actor {
        Actor {
            user: src
                .user
                .clone()
                .map_or_else(|| self.options.user.clone(), UserId),
            agency: AgencyId(format!("hmis-csv:{}", self.input.export_id)),
            role: Role::Lead,
        }
    }

    /// When the row was recorded: its DateCreated (or DateUpdated), unless
    /// that is missing or before the row's own date.
    fn recorded(&self, at: Option<DateTime<Utc>>, on: NaiveDate) -> DateTime<Utc> {
        at.filter(|t| t.date_naive() >= on)
            .unwrap_or(self.options.now)
    }

    fn id(&self, file: &str, key: &str, purpose: &str) -> uuid::Uuid {
        derive(&[
            b"hud-csv-import",
            self.input.source.as_bytes(),
            file.as_bytes(),
            key.as_bytes(),
            purpose.as_bytes(),
        ])
    }

    /// The stored event with this id, if any.
    fn stored(&mut self, event: EventId) -> Option<Envelope> {
        let found = self
            .store
            .position_of(event)
            .and_then(|p| p.map_or(Ok(Vec::new()), |p| self.store.read_from(p, 1)));
        match found {
            Ok(mut events) => events.pop().filter(|e| e.event_id == event),
            Err(e) => {
                self.issues.push(
                    IssueKind::Error,
                    "store",
                    None,
                    None,
                    format!("cannot read the store: {e}"),
                );
                None
            }
        }
    }

    /// Links a source row to the event that recorded it, unless an earlier
    /// import linked it already with the same DateUpdated.
    #[allow(clippy::too_many_arguments)]
    fn link(
        &mut self,
        household: HouseholdId,
        group: &GroupKey,
        file: &str,
        id: &str,
        event: EventId,
        client: Option<ClientId>,
        updated: Option<DateTime<Utc>>,
    ) {
        let key = (file.to_owned(), id.to_owned());
        if self.known.get(&key) == Some(&(event, updated)) {
            self.unchanged += 1;
            return;
        }
        self.known.insert(key, (event, updated));
        let source_household = (!group.1.starts_with("enrollment:")).then(|| group.1.clone());
        let entry = self
            .links
            .entry(household)
            .or_insert_with(|| (source_household, Vec::new()));
        entry.1.push(HmisLink {
            file: file.to_owned(),
            id: id.to_owned(),
            event,
            client,
            updated,
        });
    }

    /// Whether the row changed since the import that linked it: its
    /// DateUpdated differs, or it has none.
    fn changed_since(&self, file: &str, id: &str, updated: Option<DateTime<Utc>>) -> bool {
        match self.known.get(&(file.to_owned(), id.to_owned())) {
            Some((_, before)) => updated.is_none() || *before != updated,
            None => true,
        }
    }

    /// What earlier imports of this source linked and deleted.
    fn load_known(&mut self) {
        let log = match self.store.read_from(0, usize::MAX) {
            Ok(log) => log,
            Err(e) => {
                self.issues.push(
                    IssueKind::Error,
                    "store",
                    None,
                    None,
                    format!("cannot read the store: {e}"),
                );
                return;
            }
        };
        for envelope in log {
            match envelope.event {
                Event::HmisRecordsLinked(e) if e.source == self.input.source => {
                    for link in e.links {
                        self.known
                            .insert((link.file, link.id), (link.event, link.updated));
                    }
                }
                Event::HmisRecordDeleted(e) => {
                    self.deleted_before.insert(e.deletes);
                }
                _ => {}
            }
        }
    }

    /// Rows the source deleted: a 4.20 event an earlier import recorded is
    /// recorded as deleted; other deleted rows are findings. A full refresh
    /// also deletes the events it no longer has within its period.
    fn deletions(&mut self) {
        let input = self.input;
        let mut gone: Vec<(u64, String, String)> = Vec::new();
        for d in &input.deleted {
            let when = d.when.clone().unwrap_or_default();
            let reason = format!("DateDeleted {when} in export {}", input.export_id);
            if d.file == EventRow::FILE {
                gone.push((d.line, d.id.clone(), reason));
            } else if self.known.contains_key(&(d.file.to_owned(), d.id.clone())) {
                self.issues.push(
                    IssueKind::Note,
                    d.file,
                    Some(d.line),
                    None,
                    format!("{} was deleted in the source, but ce keeps it: only 4.20 events are deleted on import; correct or exit the household by hand if needed", d.id),
                );
            }
        }
        if input.full_refresh && !input.unread.contains(EventRow::FILE) {
            let present: BTreeSet<&str> = input
                .events
                .iter()
                .map(|e| e.id.as_str())
                .chain(
                    input
                        .deleted
                        .iter()
                        .filter(|d| d.file == EventRow::FILE)
                        .map(|d| d.id.as_str()),
                )
                .collect();
            let missing: Vec<String> = self
                .known
                .keys()
                .filter(|(file, id)| file == EventRow::FILE && !present.contains(id.as_str()))
                .map(|(_, id)| id.clone())
                .collect();
            for id in missing {
                gone.push((
                    0,
                    id,
                    format!("not in full-refresh export {}", input.export_id),
                ));
            }
        }
        for (line, id, reason) in gone {
            let event_id = EventId(self.id(EventRow::FILE, &id, "event"));
            if self.deleted_before.contains(&event_id) {
                continue;
            }
            let Some(stored) = self.stored(event_id) else {
                continue;
            };
            if line == 0 {
                // A full refresh covers only its period.
                let inside = input
                    .period
                    .is_some_and(|(from, to)| stored.effective >= from && stored.effective <= to);
                if !inside {
                    continue;
                }
            }
            let Some(household) = stored
                .streams
                .iter()
                .find_map(|sv| ce_core::audit::household_of(&sv.stream))
            else {
                continue;
            };
            let at = self.options.now;
            self.append(vec![NewEvent {
                event_id: EventId(self.id(EventRow::FILE, &id, &format!("deleted {reason}"))),
                streams: vec![StreamId::Household(household)],
                effective: self.latest_date(household).max(stored.effective),
                recorded_at: at,
                actor: Actor {
                    user: self.options.user.clone(),
                    agency: AgencyId(format!("hmis-csv:{}", input.export_id)),
                    role: Role::Lead,
                },
                event: Event::HmisRecordDeleted(HmisRecordDeleted {
                    deletes: event_id,
                    file: EventRow::FILE.to_owned(),
                    id: id.clone(),
                    reason: reason.clone(),
                }),
            }]);
            self.deleted_before.insert(event_id);
            self.issues.push(
                IssueKind::Note,
                EventRow::FILE,
                (line > 0).then_some(line),
                None,
                format!("{id} deleted in the source ({reason}): recorded as a deletion"),
            );
        }
    }

    /// The appends of the links made, one per household.
    fn append_links(&mut self) {
        let links = std::mem::take(&mut self.links);
        for (household, (household_id, links)) in links {
            let event = Event::HmisRecordsLinked(HmisRecordsLinked {
                source: self.input.source.clone(),
                export_id: self.input.export_id.clone(),
                household_id,
                links,
            });
            let id = self.id(
                "links",
                &format!("{household}/{}", self.input.export_id),
                "event",
            );
            self.append(vec![NewEvent {
                event_id: EventId(id),
                streams: vec![StreamId::Household(household)],
                effective: self.latest_date(household),
                recorded_at: self.options.now,
                actor: Actor {
                    user: self.options.user.clone(),
                    agency: AgencyId(format!("hmis-csv:{}", self.input.export_id)),
                    role: Role::Lead,
                },
                event,
            }]);
        }
    }

    /// The household's latest effective date so far (links are dated then,
    /// so they never precede what they link).
    fn latest_date(&self, household: HouseholdId) -> NaiveDate {
        self.caseload.households().get(&household).map_or(
            self.options.now.date_naive(),
            |h| match h.status {
                HouseholdStatus::Exited { date, .. } => date.max(h.last_activity),
                _ => h.last_activity,
            },
        )
    }

    fn meta(&self, file: &str, key: &str, src: &Source, on: NaiveDate) -> CommandMeta {
        CommandMeta {
            command_id: CommandId(self.id(file, key, "command")),
            actor: self.actor(src),
            recorded_at: self.recorded(src.created, on),
        }
    }

    fn error(&mut self, file: &'static str, line: u64, reason: impl Into<String>) {
        self.issues
            .push(IssueKind::Error, file, Some(line), None, reason);
    }

    /// Runs a command against the dry-run caseload; on success keeps it.
    /// A command an earlier import of the source executed is not run again.
    fn command(
        &mut self,
        file: &'static str,
        line: u64,
        meta: CommandMeta,
        command: Command,
    ) -> Option<Ran> {
        if let Some(first) = self.stored(EventId(meta.command_id.derive("event", 0))) {
            return Some(Ran::Existing(Box::new(first)));
        }
        match decide(&self.caseload, self.policy, &meta, &command) {
            Ok(decision) => {
                let mut events = Vec::new();
                if !decision.events.is_empty() {
                    let request = decision.to_request(&self.caseload, &meta);
                    fold(&mut self.caseload, &request);
                    events = request.events;
                }
                self.steps.push(ImportStep::Command {
                    meta,
                    command: Box::new(command),
                });
                Some(Ran::New(decision.outcome, events))
            }
            Err(e) => {
                self.error(file, line, format!("refused by the CE workflow: {e}"));
                None
            }
        }
    }

    /// A source row that changed since it was imported: the correction of
    /// the event that recorded it, when its data differ.
    fn correct_if_changed(
        &mut self,
        file: &'static str,
        line: u64,
        key: &str,
        src: &Source,
        stored: &Envelope,
        now: Event,
    ) {
        let Some(household) = stored
            .streams
            .iter()
            .find_map(|sv| ce_core::audit::household_of(&sv.stream))
        else {
            return;
        };
        let (Ok(before), Ok(after)) = (
            serde_json::to_value(&stored.event),
            serde_json::to_value(&now),
        ) else {
            return;
        };
        let (Some(before), Some(after)) = (before.get("data"), after.get("data")) else {
            return;
        };
        if before == after {
            return;
        }
        // A merge patch that turns the stored data into the row's.
        let mut patch = after.clone();
        if let (Some(patch), Some(before)) = (patch.as_object_mut(), before.as_object()) {
            for k in before.keys() {
                patch.entry(k.clone()).or_insert(serde_json::Value::Null);
            }
        }
        let stamp = src.updated.map_or_else(String::new, |t| t.to_rfc3339());
        let meta = CommandMeta {
            command_id: CommandId(self.id(file, key, &format!("correction {stamp}"))),
            actor: self.actor(src),
            recorded_at: src
                .updated
                .filter(|t| t.date_naive() >= stored.effective)
                .unwrap_or(self.options.now),
        };
        let command = Command::Correct(Correct {
            household,
            original: Box::new(stored.clone()),
            patch,
            reason: format!(
                "Changed in the source system (export {}).",
                self.input.export_id
            ),
        });
        if let Some(Ran::New(..)) = self.command(file, line, meta, command) {
            self.issues.push(
                IssueKind::Note,
                file,
                Some(line),
                None,
                format!("{key} changed in the source: recorded as a correction"),
            );
        }
    }

    fn append(&mut self, events: Vec<NewEvent>) {
        let streams: BTreeSet<StreamId> = events
            .iter()
            .flat_map(|e| e.streams.iter().copied())
            .collect();
        let request = AppendRequest {
            expected: streams
                .into_iter()
                .map(|s| (s, ExpectedVersion::Exact(self.caseload.version(&s))))
                .collect(),
            events,
        };
        fold(&mut self.caseload, &request);
        self.steps.push(ImportStep::Append(request));
    }

    fn household(
        &mut self,
        group: &GroupKey,
        file: &'static str,
        line: u64,
    ) -> Option<HouseholdId> {
        let found = self.households.get(group).copied();
        if found.is_none() {
            self.issues.push(
                IssueKind::Skipped,
                file,
                Some(line),
                None,
                "its household was not imported (see the errors above)",
            );
        }
        found
    }

    /// A household with no head or several: the HUD Reporting Glossary's
    /// rule makes the oldest adult (the oldest member when no age is known)
    /// head; the other former heads' relationship becomes 99.
    fn repair_head(
        &mut self,
        group: &GroupKey,
        members: &[usize],
        heads: &[usize],
    ) -> Option<usize> {
        let input = self.input;
        let candidates: &[usize] = if heads.is_empty() { members } else { heads };
        let born = |i: &usize| {
            input
                .clients
                .get(&input.enrollments[*i].personal)
                .and_then(|c| c.dob)
        };
        // Oldest first; unknown birth dates last, then file order.
        let head = *candidates
            .iter()
            .min_by_key(|i| (born(i).is_none(), born(i), input.enrollments[**i].src.line))?;
        self.head_repairs.insert(group.clone(), head);
        let e = &input.enrollments[head];
        self.issues.push(
            IssueKind::Repaired,
            EnrollmentRow::FILE,
            Some(e.src.line),
            Some("RelationshipToHoH"),
            format!(
                "household {} has {} heads of household: {} ({}) is head as the oldest adult; the others are recorded with relationship 99",
                group.1,
                heads.len(),
                e.personal,
                born(&head).map_or_else(|| "birth date unknown".to_owned(), |d| format!("born {d}")),
            ),
        );
        Some(head)
    }

    /// The client a PersonalID names: the id itself when it is a UUID
    /// (ce's own exports), else one derived from the source and the id.
    fn client_id(&self, personal: &str) -> ClientId {
        ClientId(uuid::Uuid::try_parse(personal).unwrap_or_else(|_| {
            derive(&[b"client", self.input.source.as_bytes(), personal.as_bytes()])
        }))
    }

    fn member(&self, e: &EnrollmentIn) -> Option<Member> {
        let client = self.input.clients.get(&e.personal)?;
        Some(Member {
            client: self.client_id(&e.personal),
            relationship: match self
                .head_repairs
                .get(&(e.project.clone(), e.household.clone()))
            {
                Some(&head) if self.input.enrollments[head].id == e.id => {
                    RelationshipToHoH::SelfHeadOfHousehold
                }
                Some(_) if e.relationship == RelationshipToHoH::SelfHeadOfHousehold => {
                    RelationshipToHoH::DataNotCollected
                }
                _ => e.relationship,
            },
            birth_date: client.dob,
            veteran: client.veteran,
            disabling_condition: e.disabling,
            first_name: client.first.clone(),
            last_name: client.last.clone(),
        })
    }

    fn run(&mut self, action: Action) {
        let input = self.input;
        let export = &input.export_id;
        match action {
            Action::Enroll { group } => {
                let members = self.groups.get(&group).cloned().unwrap_or_default();
                let members = &members;
                let start = members.iter().map(|&i| input.enrollments[i].entry).min();
                let Some(start) = start else { return };
                let heads: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|&i| {
                        input.enrollments[i].relationship == RelationshipToHoH::SelfHeadOfHousehold
                    })
                    .collect();
                let head = match heads[..] {
                    [head] => head,
                    _ => {
                        let Some(head) = self.repair_head(&group, members, &heads) else {
                            return;
                        };
                        head
                    }
                };
                let hoh = &input.enrollments[head];
                if hoh.entry != start {
                    self.error(
                        EnrollmentRow::FILE,
                        hoh.src.line,
                        format!("the head of household entered on {} after other members of household {} ({start})", hoh.entry, group.1),
                    );
                    return;
                }
                let initial: Vec<Member> = members
                    .iter()
                    .filter(|&&i| input.enrollments[i].entry == start)
                    .filter_map(|&i| self.member(&input.enrollments[i]))
                    .collect();
                let current = match self.entry_cls.get(&group) {
                    Some(&i) => input.cls[i].current.clone(),
                    None => {
                        self.issues.push(
                            IssueKind::Note,
                            EnrollmentRow::FILE,
                            Some(hoh.src.line),
                            None,
                            "no 4.12 Current Living Situation on the entry date: recorded as 99 (data not collected)",
                        );
                        CurrentLivingSituation::new(
                            CurrentSituation::try_from(99)
                                .unwrap_or(CurrentSituation::EMERGENCY_SHELTER),
                        )
                    }
                };
                let not_collected =
                    |v: Option<PriorSituation>| v.or_else(|| PriorSituation::try_from(99).ok());
                let Some(living) = not_collected(hoh.living) else {
                    return;
                };
                let Some(coalition) = self.coalition_for(&group, hoh) else {
                    return;
                };
                let command = Command::Enroll(Enroll {
                    coalition,
                    project_start: start,
                    members: initial,
                    prior: PriorLivingSituation {
                        stay: hoh.stay.clone(),
                        living_situation: living,
                        episode_start: hoh.episode,
                        times_homeless: hoh.times.unwrap_or(TimesHomeless::DataNotCollected),
                        months_homeless: hoh.months.unwrap_or(MonthsHomeless::DataNotCollected),
                    },
                    current,
                });
                let meta = self.meta(EnrollmentRow::FILE, &hoh.id, &hoh.src, start);
                let (household, event) =
                    match self.command(EnrollmentRow::FILE, hoh.src.line, meta, command) {
                        Some(Ran::New(Outcome::Enrolled { household }, events)) => {
                            let Some(first) = events.first() else { return };
                            (household, first.event_id)
                        }
                        Some(Ran::Existing(stored)) => match &stored.event {
                            Event::HouseholdEnrolled(e) => (e.household, stored.event_id),
                            _ => return,
                        },
                        _ => return,
                    };
                self.households.insert(group.clone(), household);
                for &i in members
                    .iter()
                    .filter(|&&i| input.enrollments[i].entry == start)
                {
                    self.link_member(household, &group, i, event);
                }
                if let Some(&i) = self.entry_cls.get(&group) {
                    let c = &input.cls[i];
                    self.link(
                        household,
                        &group,
                        CurrentLivingSituationRow::FILE,
                        &c.id,
                        event,
                        None,
                        c.src.updated,
                    );
                }
            }
            Action::AddMember { group, enrollment } => {
                let e = &input.enrollments[enrollment];
                let Some(household) = self.household(&group, EnrollmentRow::FILE, e.src.line)
                else {
                    return;
                };
                let Some(member) = self.member(e) else { return };
                let meta = self.meta(EnrollmentRow::FILE, &e.id, &e.src, e.entry);
                let command = Command::AddMember(AddMember {
                    household,
                    date: e.entry,
                    member,
                });
                let event = match self.command(EnrollmentRow::FILE, e.src.line, meta, command) {
                    Some(Ran::New(_, events)) => events.first().map(|e| e.event_id),
                    Some(Ran::Existing(stored)) => Some(stored.event_id),
                    None => None,
                };
                if let Some(event) = event {
                    self.link_member(household, &group, enrollment, event);
                }
            }
            Action::Assess { group, assessment } => {
                let a = &input.assessments[assessment];
                let file = AssessmentRow::FILE;
                let Some(household) = self.household(&group, file, a.src.line) else {
                    return;
                };
                let mut answers = input.answers.get(&a.id).cloned().unwrap_or_default();
                answers.sort_by_key(|(order, line, _)| (*order, *line));
                let answers_lines: Vec<u64> = answers.iter().map(|(_, line, _)| *line).collect();
                // Every result is kept as recorded; the score is the first
                // whole number under a result type the policy names.
                let mut score = None;
                let mut results = Vec::new();
                let mut result_lines = Vec::new();
                for (line, kind, value) in input.results.get(&a.id).cloned().unwrap_or_default() {
                    if self.policy.is_score_type(&kind) && score.is_none() {
                        match value.as_deref().map(|v| v.trim().parse::<u32>()) {
                            Some(Ok(s)) => score = Some(s),
                            _ => self.issues.push(
                                IssueKind::Note,
                                AssessmentResultRow::FILE,
                                Some(line),
                                Some("AssessmentResult"),
                                format!("{value:?} under {kind:?} is not a whole number: kept as a result, not as the score"),
                            ),
                        }
                    }
                    result_lines.push(line);
                    results.push(AssessmentResultEntry {
                        result_type: kind,
                        result: value.unwrap_or_default(),
                    });
                }
                let location = a.location.clone().unwrap_or_default();
                let command = Command::Assess(Assess {
                    household,
                    date: a.date,
                    location,
                    assessment_type: a.assessment_type,
                    level: a.level,
                    answers: answers.into_iter().map(|(_, _, x)| x).collect(),
                    results,
                    score,
                    prioritization: a.prioritization,
                });
                let meta = self.meta(file, &a.id, &a.src, a.date);
                let assessment_id =
                    ce_core::ids::AssessmentId(meta.command_id.derive("assessment", 0));
                let event = match self.command(file, a.src.line, meta, command.clone()) {
                    Some(Ran::New(_, events)) => events.first().map(|e| e.event_id),
                    Some(Ran::Existing(stored)) => {
                        if self.changed_since(file, &a.id, a.src.updated) {
                            if let (Command::Assess(c), Event::AssessmentRecorded(before)) =
                                (&command, &stored.event)
                            {
                                let mut now = before.assessment.clone();
                                now.assessment_id = assessment_id;
                                now.location = c.location.clone();
                                now.assessment_type = c.assessment_type;
                                now.level = c.level;
                                now.answers = c.answers.clone();
                                now.results = c.results.clone();
                                now.score = c.score;
                                now.prioritization = c.prioritization;
                                let now = Event::AssessmentRecorded(
                                    ce_core::household::events::AssessmentRecorded {
                                        assessment: now,
                                        contact: before.contact,
                                    },
                                );
                                self.correct_if_changed(
                                    file, a.src.line, &a.id, &a.src, &stored, now,
                                );
                            }
                        }
                        Some(stored.event_id)
                    }
                    None => None,
                };
                if let Some(event) = event {
                    self.link(household, &group, file, &a.id, event, None, a.src.updated);
                    // Question and result rows go with their assessment's
                    // DateUpdated: linked once, by id and order.
                    for line in &answers_lines {
                        if let Some(qid) = input.question_ids.get(line) {
                            self.link(
                                household,
                                &group,
                                AssessmentQuestionRow::FILE,
                                qid,
                                event,
                                None,
                                None,
                            );
                        }
                    }
                    for line in &result_lines {
                        if let Some(rid) = input.result_ids.get(line) {
                            self.link(
                                household,
                                &group,
                                AssessmentResultRow::FILE,
                                rid,
                                event,
                                None,
                                None,
                            );
                        }
                    }
                }
            }
            Action::FollowUp { group, cls } => {
                let c = &input.cls[cls];
                let file = CurrentLivingSituationRow::FILE;
                let Some(household) = self.household(&group, file, c.src.line) else {
                    return;
                };
                let months = self
                    .caseload
                    .households()
                    .get(&household)
                    .map_or(MonthsHomeless::DataNotCollected, |h| h.months_homeless);
                let residence = PriorSituation::try_from(c.current.living_situation.situation())
                    .or_else(|_| PriorSituation::try_from(99));
                let Ok(residence) = residence else { return };
                let command = Command::FollowUp(FollowUp {
                    household,
                    date: c.date,
                    status: StatusUpdate {
                        residence,
                        months_homeless: months,
                    },
                    current: c.current.clone(),
                    note: format!(
                        "4.12 Current Living Situation imported from HMIS CSV export {export}."
                    ),
                });
                let meta = self.meta(file, &c.id, &c.src, c.date);
                let event = match self.command(file, c.src.line, meta, command) {
                    Some(Ran::New(_, events)) => events.first().map(|e| e.event_id),
                    Some(Ran::Existing(stored)) => {
                        if self.changed_since(file, &c.id, c.src.updated) {
                            if let Event::ContactMade(before) = &stored.event {
                                let mut now = before.clone();
                                now.current = c.current.clone();
                                let now = Event::ContactMade(now);
                                self.correct_if_changed(
                                    file, c.src.line, &c.id, &c.src, &stored, now,
                                );
                            }
                        }
                        Some(stored.event_id)
                    }
                    None => None,
                };
                if let Some(event) = event {
                    self.link(household, &group, file, &c.id, event, None, c.src.updated);
                }
            }
            Action::Event { group, event } => self.record_event(&group, event),
            Action::RemoveMember { group, exit } => {
                let x = &input.exits[exit];
                let file = ExitRow::FILE;
                let Some(household) = self.household(&group, file, x.src.line) else {
                    return;
                };
                let Some(e) = input
                    .enrollment_at
                    .get(&x.enrollment)
                    .and_then(|&i| input.enrollments.get(i))
                else {
                    return;
                };
                let Some(member) = self.member(e) else { return };
                let meta = self.meta(file, &x.enrollment, &x.src, x.date);
                let client = member.client;
                let command = Command::RemoveMember(RemoveMember {
                    destination: Some(x.destination),
                    destination_subsidy: x.subsidy,
                    household,
                    date: x.date,
                    client,
                });
                let ran = self.command(file, x.src.line, meta, command);
                self.link_exit(household, &group, x, ran, &[client]);
            }
            Action::Exit { group, exit } => {
                let x = &input.exits[exit];
                let file = ExitRow::FILE;
                let Some(household) = self.household(&group, file, x.src.line) else {
                    return;
                };
                let meta = self.meta(file, &x.enrollment, &x.src, x.date);
                let command = Command::Exit(Exit {
                    member_destinations: Default::default(),
                    destination_subsidy: x.subsidy,
                    household,
                    date: x.date,
                    destination: x.destination,
                    reason: format!("Exit imported from HMIS CSV export {export}."),
                });
                let members: Vec<ClientId> = self
                    .caseload
                    .households()
                    .get(&household)
                    .map(|h| h.members.iter().map(|m| m.client).collect())
                    .unwrap_or_default();
                let command = match command {
                    Command::Exit(mut exit) => {
                        exit.member_destinations = self.member_destinations(&group, x, &members);
                        Command::Exit(exit)
                    }
                    other => other,
                };
                let ran = self.command(file, x.src.line, meta, command);
                self.link_exit(household, &group, x, ran, &members);
            }
        }
    }

    /// The exit date of a source household's head of household, if any.
    fn group_exit(&self, group: &GroupKey) -> Option<NaiveDate> {
        let input = self.input;
        let head = match self.head_repairs.get(group) {
            Some(&i) => input.enrollments.get(i),
            None => self.groups.get(group).and_then(|members| {
                members
                    .iter()
                    .map(|&i| &input.enrollments[i])
                    .find(|e| e.relationship == RelationshipToHoH::SelfHeadOfHousehold)
            }),
        }?;
        input
            .exit_of
            .get(&head.id)
            .and_then(|&x| input.exits.get(x))
            .map(|x| x.date)
    }

    /// The coalition of a source household: by the coalition map (its
    /// project, the project's Geocode, its CoC), else the default.
    fn coalition_for(&mut self, group: &GroupKey, hoh: &EnrollmentIn) -> Option<Coalition> {
        let input = self.input;
        let map = &self.options.coalition_map;
        let cocs = input.project_cocs.get(&hoh.project);
        let found = map
            .get(&hoh.project)
            .or_else(|| {
                cocs.into_iter()
                    .flatten()
                    .filter_map(|(_, geocode)| geocode.as_ref())
                    .find_map(|g| map.get(g))
            })
            .or_else(|| hoh.coc.as_ref().and_then(|c| map.get(c)))
            .or_else(|| cocs.into_iter().flatten().find_map(|(c, _)| map.get(c)))
            .or(self.options.coalition.as_ref())
            .cloned();
        if found.is_none() {
            self.issues.push(
                IssueKind::Error,
                EnrollmentRow::FILE,
                Some(hoh.src.line),
                Some("ProjectID"),
                format!(
                    "no coalition for household {} (project {}): add the project, its Geocode or its CoC to the coalition map, or give a default coalition",
                    group.1, hoh.project
                ),
            );
        }
        found
    }

    /// Links a member's Client.csv and Enrollment.csv rows to the event that
    /// added them to the household.
    fn link_member(
        &mut self,
        household: HouseholdId,
        group: &GroupKey,
        enrollment: usize,
        event: EventId,
    ) {
        let e = &self.input.enrollments[enrollment];
        let client = Some(self.client_id(&e.personal));
        let updated = e.src.updated;
        self.link(
            household,
            group,
            EnrollmentRow::FILE,
            &e.id,
            event,
            client,
            updated,
        );
        let client_updated = self.input.clients.get(&e.personal).and_then(|c| c.updated);
        self.link(
            household,
            group,
            ClientRow::FILE,
            &e.personal,
            event,
            client,
            client_updated,
        );
    }

    /// The members leaving with the head whose own Exit.csv row names
    /// another destination than the head's.
    fn member_destinations(
        &self,
        group: &GroupKey,
        head_exit: &ExitIn,
        clients: &[ClientId],
    ) -> Vec<MemberDestination> {
        let input = self.input;
        let members = self.groups.get(group).cloned().unwrap_or_default();
        members
            .iter()
            .map(|&i| &input.enrollments[i])
            .filter(|e| e.id != head_exit.enrollment)
            .filter_map(|e| {
                let client = self.client_id(&e.personal);
                let row = input.exit_of.get(&e.id).and_then(|&x| input.exits.get(x))?;
                let differs =
                    (row.destination, row.subsidy) != (head_exit.destination, head_exit.subsidy);
                (clients.contains(&client) && differs).then_some(MemberDestination {
                    client,
                    destination: row.destination,
                    subsidy: row.subsidy,
                })
            })
            .collect()
    }

    /// Links the Exit.csv rows of an exit (or a member's removal): each
    /// member's exit row, found by their enrollment in the group.
    fn link_exit(
        &mut self,
        household: HouseholdId,
        group: &GroupKey,
        x: &ExitIn,
        ran: Option<Ran>,
        clients: &[ClientId],
    ) {
        let event = match ran {
            Some(Ran::New(_, events)) => events
                .iter()
                .find(|e| matches!(e.event, Event::HouseholdExited(_) | Event::MemberRemoved(_)))
                .map(|e| e.event_id),
            Some(Ran::Existing(stored)) => Some(stored.event_id),
            None => None,
        };
        let Some(event) = event else { return };
        let input = self.input;
        let members = self.groups.get(group).cloned().unwrap_or_default();
        for i in members {
            let e = &input.enrollments[i];
            let client = self.client_id(&e.personal);
            if !clients.contains(&client) {
                continue;
            }
            let row = input
                .exit_of
                .get(&e.id)
                .and_then(|&r| input.exits.get(r))
                .filter(|r| r.date == x.date || r.enrollment == x.enrollment);
            if let Some(id) = row.and_then(|r| r.id.clone()) {
                let updated = row.and_then(|r| r.src.updated);
                self.link(
                    household,
                    group,
                    ExitRow::FILE,
                    &id,
                    event,
                    Some(client),
                    updated,
                );
            }
        }
    }

    /// A 4.20 event, appended as recorded on the household: the source's
    /// events are kept as the source recorded them (referrals made there
    /// included), with a finding where they break HUD's rules.
    fn record_event(&mut self, group: &GroupKey, index: usize) {
        let input = self.input;
        let e = &input.events[index];
        let file = EventRow::FILE;
        let Some(household_id) = self.household(group, file, e.src.line) else {
            return;
        };
        // Dated by the source's exit, not by what the store holds now.
        let exit = self.group_exit(group);
        if let Some(exit) = exit.filter(|x| e.date > *x) {
            self.issues.push(
                IssueKind::Note,
                file,
                Some(e.src.line),
                Some("EventDate"),
                format!(
                    "event dated {} is after the household's exit on {exit}: kept as recorded",
                    e.date
                ),
            );
        } else if let Some(on) = e.event.result_date {
            if let Some(exit) = exit.filter(|x| on > *x) {
                self.issues.push(
                    IssueKind::Note,
                    file,
                    Some(e.src.line),
                    Some("ResultDate"),
                    format!("result dated {on} is after the household's exit on {exit}: kept as recorded"),
                );
            }
        }
        let event_id = EventId(self.id(file, &e.id, "event"));
        if let Some(stored) = self.stored(event_id) {
            if self.changed_since(file, &e.id, e.src.updated) {
                let now = Event::CeEventRecorded(e.event.clone());
                self.correct_if_changed(file, e.src.line, &e.id, &e.src, &stored, now);
            }
        } else {
            let at = e.src.created;
            let event = NewEvent {
                event_id,
                streams: vec![StreamId::Household(household_id)],
                effective: e.date,
                recorded_at: self.recorded(at, e.date),
                actor: self.actor(&e.src),
                event: Event::CeEventRecorded(e.event.clone()),
            };
            self.append(vec![event]);
        }
        self.link(
            household_id,
            group,
            file,
            &e.id,
            event_id,
            None,
            e.src.updated,
        );
    }
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
            store,
            known: HashMap::new(),
            links: BTreeMap::new(),
            deleted_before: BTreeSet::new(),
            unchanged: 0,
        };
        planner.load_known();
        let has_file_errors = planner
            .issues
            .0
            .iter()
            .any(|i| i.kind == IssueKind::Error && i.line.is_none_or(|l| l == 1));
        if !has_file_errors || options.skip_invalid {
            let actions = planner.map();
            for (_, action) in actions {
                planner.run(action);
            }
            planner.deletions();
            planner.append_links();
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
    pub fn execute<S: EventStore>(&self, workflow: &Workflow<S>) -> Result<usize, Error> {
        self.execute_with(workflow, |requests| {
            for request in requests {
                workflow.store().append(request)?;
            }
            Ok(())
        })
    }

    /// Executes the plan, handing each run of consecutive event appends to
    /// `append` as one batch (a store with batched appends writes it in one
    /// transaction). Returns the number of steps executed.
    pub fn execute_with<S: EventStore>(
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
                    workflow.execute(meta, command)?;
                }
            }
        }
        if !batch.is_empty() {
            append(batch)?;
        }
        Ok(self.steps.len())
    }
}

impl Planner<'_> {
    /// Maps the source's rows to CE households and orders the writes.
    fn map(&mut self) -> Vec<((NaiveDate, u8, u64), Action)> {
        let input = self.input;
        let mut groups: BTreeMap<GroupKey, Vec<usize>> = BTreeMap::new();
        for (i, e) in input.enrollments.iter().enumerate() {
            groups
                .entry((e.project.clone(), e.household.clone()))
                .or_default()
                .push(i);
        }
        let by_id: HashMap<&str, usize> = input
            .enrollments
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i))
            .collect();
        let group_of = |i: usize| {
            let e = &input.enrollments[i];
            (e.project.clone(), e.household.clone())
        };
        let is_ce = |g: &GroupKey| {
            input
                .projects
                .get(&g.0)
                .is_some_and(|p| p.project_type == Some(14))
        };
        let exit_of: HashMap<&str, NaiveDate> = input
            .exits
            .iter()
            .map(|x| (x.enrollment.as_str(), x.date))
            .collect();
        let mut chosen: BTreeSet<GroupKey> = groups.keys().filter(|g| is_ce(g)).cloned().collect();
        // The CE household a person's row on `on` belongs to: a chosen
        // household the person is in on that date, CE projects first.
        // Each person's enrollments, so that finding the household a row
        // belongs to does not walk every household.
        let mut by_person: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in input.enrollments.iter().enumerate() {
            by_person.entry(e.personal.as_str()).or_default().push(i);
        }
        let covering = |chosen: &BTreeSet<GroupKey>,
                        personal: &str,
                        on: NaiveDate|
         -> Option<GroupKey> {
            let mut found: Vec<GroupKey> = by_person
                .get(personal)
                .into_iter()
                .flatten()
                .map(|&i| &input.enrollments[i])
                .filter(|e| e.entry <= on && exit_of.get(e.id.as_str()).is_none_or(|x| on <= *x))
                .map(|e| (e.project.clone(), e.household.clone()))
                .filter(|g| chosen.contains(g))
                .collect();
            found.sort();
            found.sort_by_key(|g| !is_ce(g));
            found.into_iter().next()
        };
        let target = |chosen: &mut BTreeSet<GroupKey>,
                      enrollment: &str,
                      on: NaiveDate,
                      adopt: bool|
         -> Option<GroupKey> {
            let i = *by_id.get(enrollment)?;
            let own = group_of(i);
            if is_ce(&own) {
                return Some(own);
            }
            if let Some(g) = covering(chosen, &input.enrollments[i].personal, on) {
                return Some(g);
            }
            adopt.then(|| {
                chosen.insert(own.clone());
                own
            })
        };
        let mut actions: Vec<((NaiveDate, u8, u64), Action)> = Vec::new();
        let mut push = |date: NaiveDate, line: u64, action: Action| {
            let key = (date, action.phase(), line);
            actions.push((key, action));
        };
        // CE rows count when their enrollment is in the CoC imported and
        // their project takes part in CE on their date.
        let mut wanted =
            |enrollment: &str, on: NaiveDate, file: &'static str, line: u64, ce: bool| {
                let Some(e) = by_id.get(enrollment).map(|&i| &input.enrollments[i]) else {
                    return true;
                };
                if let Some(coc) = &self.options.coc {
                    if !input.in_coc(e, coc) {
                        self.issues.push(
                            IssueKind::Skipped,
                            file,
                            Some(line),
                            None,
                            format!("enrollment {} is not in CoC {coc}", e.id),
                        );
                        return false;
                    }
                }
                if ce && !input.takes_part_in_ce(&e.project, on) {
                    self.issues.push(
                        IssueKind::Skipped,
                        file,
                        Some(line),
                        None,
                        format!(
                            "project {} does not take part in CE on {on} (CEParticipation.csv)",
                            e.project
                        ),
                    );
                    return false;
                }
                true
            };
        let assessments: Vec<bool> = input
            .assessments
            .iter()
            .map(|a| wanted(&a.enrollment, a.date, AssessmentRow::FILE, a.src.line, true))
            .collect();
        let events: Vec<bool> = input
            .events
            .iter()
            .map(|e| wanted(&e.enrollment, e.date, EventRow::FILE, e.src.line, true))
            .collect();
        let cls: Vec<bool> = input
            .cls
            .iter()
            .map(|c| {
                wanted(
                    &c.enrollment,
                    c.date,
                    CurrentLivingSituationRow::FILE,
                    c.src.line,
                    false,
                )
            })
            .collect();
        for (i, a) in input.assessments.iter().enumerate() {
            if !assessments[i] {
                let answers = input
                    .answers
                    .get(&a.id)
                    .into_iter()
                    .flatten()
                    .map(|x| (AssessmentQuestionRow::FILE, x.1));
                let results = input
                    .results
                    .get(&a.id)
                    .into_iter()
                    .flatten()
                    .map(|x| (AssessmentResultRow::FILE, x.0));
                for (file, line) in answers.chain(results) {
                    self.issues.push(
                        IssueKind::Skipped,
                        file,
                        Some(line),
                        None,
                        format!(
                            "follows Assessment.csv line {} ({}), which was not imported",
                            a.src.line, a.id
                        ),
                    );
                }
                continue;
            }
            match target(&mut chosen, &a.enrollment, a.date, true) {
                Some(group) => {
                    push(
                        a.date,
                        a.src.line,
                        Action::Assess {
                            group,
                            assessment: i,
                        },
                    );
                }
                None => continue,
            }
        }
        for (i, e) in input.events.iter().enumerate() {
            if !events[i] {
                continue;
            }
            let Some(group) = target(&mut chosen, &e.enrollment, e.date, true) else {
                continue;
            };
            push(e.date, e.src.line, Action::Event { group, event: i });
        }
        for (i, c) in input.cls.iter().enumerate() {
            if !cls[i] {
                continue;
            }
            match target(&mut chosen, &c.enrollment, c.date, false) {
                Some(group) => {
                    let first_entry = groups[&group]
                        .iter()
                        .map(|&m| input.enrollments[m].entry)
                        .min();
                    if first_entry == Some(c.date) && !self.entry_cls.contains_key(&group) {
                        self.entry_cls.insert(group, i);
                    } else {
                        push(c.date, c.src.line, Action::FollowUp { group, cls: i });
                    }
                }
                None => self.issues.push(
                    IssueKind::Skipped,
                    CurrentLivingSituationRow::FILE,
                    Some(c.src.line),
                    None,
                    "not on a CE enrollment (no CE household covers its date)",
                ),
            }
        }
        let mut skipped_enrollments = 0;
        for (group, members) in &groups {
            if !chosen.contains(group) {
                skipped_enrollments += members.len();
                continue;
            }
            let start = members.iter().map(|&i| input.enrollments[i].entry).min();
            let Some(start) = start else { continue };
            let line = members
                .iter()
                .map(|&i| input.enrollments[i].src.line)
                .min()
                .unwrap_or(0);
            push(
                start,
                line,
                Action::Enroll {
                    group: group.clone(),
                },
            );
            let head_exit = members
                .iter()
                .map(|&i| &input.enrollments[i])
                .find(|e| e.relationship == RelationshipToHoH::SelfHeadOfHousehold)
                .and_then(|e| input.exit_of.get(e.id.as_str()).copied());
            for &i in members {
                let e = &input.enrollments[i];
                if e.entry > start {
                    push(
                        e.entry,
                        e.src.line,
                        Action::AddMember {
                            group: group.clone(),
                            enrollment: i,
                        },
                    );
                }
                let Some(x) = input.exit_of.get(e.id.as_str()).copied() else {
                    continue;
                };
                let exit = &input.exits[x];
                if Some(x) == head_exit {
                    push(
                        exit.date,
                        exit.src.line,
                        Action::Exit {
                            group: group.clone(),
                            exit: x,
                        },
                    );
                } else if head_exit.is_none_or(|h| exit.date < input.exits[h].date) {
                    push(
                        exit.date,
                        exit.src.line,
                        Action::RemoveMember {
                            group: group.clone(),
                            exit: x,
                        },
                    );
                }
            }
        }
        if skipped_enrollments > 0 {
            self.issues.push(
                IssueKind::Skipped,
                EnrollmentRow::FILE,
                None,
                None,
                format!("{skipped_enrollments} enrollment(s) of non-CE projects with no CE assessment or event: not CE data"),
            );
        }
        self.groups = groups;
        actions.sort_by_key(|a| a.0);
        actions
    }
}

//! Import: another system's HUD CSV export read, checked and planned as
//! workflow commands (and, where HUD data has no command, events), dry-run
//! against the caseload before anything is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::files::*;
use super::format::{cell, derive, parse_date, parse_datetime};
use super::SCORE_RESULT_TYPE;
use ce_core::actor::{Actor, AgencyId, Role, UserId};
use ce_core::caseload::Caseload;
use ce_core::command::{
    AddMember, Assess, Command, CommandMeta, Enroll, Exit, FollowUp, RemoveMember,
};
use ce_core::decide::{decide, Outcome};
use ce_core::envelope::{Envelope, NewEvent, StreamId, StreamVersion};
use ce_core::error::Error;
use ce_core::event::Event;
use ce_core::household::{
    AssessmentAnswer, AssessmentResultEntry, Coalition, CurrentLivingSituation, Member,
    PriorLivingSituation, StatusUpdate,
};
use ce_core::hud::{
    AssessmentLevel, AssessmentType, CeEventType, CurrentSituation, Destination, InvalidCode,
    MonthsHomeless, NoYesReasons, PriorSituation, PrioritizationStatus, ReferralResult,
    RelationshipToHoH, RentalSubsidyType, TimesHomeless,
};
use ce_core::ids::{ClientId, CommandId, EventId, HouseholdId, OpeningId, ReferralId};
use ce_core::opening::{
    Bypass, DeclineConsequence, OpeningPosted, OpeningWithdrawn, ProgramType, ReferralAccepted,
    ReferralDeclined, ReferralOffered,
};
use ce_core::policy::Policy;
use ce_core::priority::{ListHouseholdType, ListKey, RankInputs};
use ce_core::store::{AppendRequest, EventStore, ExpectedVersion, StoreError};
use ce_core::workflow::Workflow;

/// What an import needs that the files do not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// The coalition whose lists imported households go on (HUD has none).
    pub coalition: Coalition,
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
    /// The row is valid HUD data that a CE import does not take.
    Skipped,
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
    /// Why.
    pub reason: String,
}

impl std::fmt::Display for ImportIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            IssueKind::Error => "error",
            IssueKind::Skipped => "skipped",
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
    /// Households (CE enrollments) the plan enrolls.
    pub households: usize,
    /// Every finding, in file and line order.
    pub issues: Vec<ImportIssue>,
    /// Whether the plan writes anything (false when an error blocks it).
    pub writes: bool,
}

impl ImportReport {
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
            self.error(column, format!("{value:?} is not a date (YYYY-MM-DD)"));
        }
        parsed
    }

    fn opt_date(&mut self, column: &str, v: &Option<String>) -> Option<NaiveDate> {
        let value = cell(v)?;
        let parsed = parse_date(value);
        if parsed.is_none() {
            self.error(column, format!("{value:?} is not a date (YYYY-MM-DD)"));
        }
        parsed
    }

    fn datetime(&mut self, column: &str, v: &Option<String>) -> Option<DateTime<Utc>> {
        let value = cell(v)?;
        let parsed = parse_datetime(value);
        if parsed.is_none() {
            self.error(
                column,
                format!("{value:?} is not a datetime (YYYY-MM-DD hh:mm:ss)"),
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
                self.error(column, reason);
                None
            }
        }
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
        created: f.datetime("DateCreated", created),
        updated: f.datetime("DateUpdated", updated),
        user: cell(user).map(str::to_owned),
    }
}

#[derive(Debug, Clone)]
struct ProjectIn {
    organization: Option<String>,
    name: Option<String>,
    project_type: Option<u16>,
}

#[derive(Debug, Clone)]
struct ClientIn {
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
    disabling: NoYesReasons,
    living: Option<PriorSituation>,
    episode: Option<NaiveDate>,
    times: Option<TimesHomeless>,
    months: Option<MonthsHomeless>,
    src: Source,
}

#[derive(Debug, Clone)]
struct ExitIn {
    enrollment: String,
    date: NaiveDate,
    destination: Destination,
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
    code: CeEventType,
    location: Option<String>,
    result: Option<(ReferralResult, NaiveDate)>,
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

/// Everything read, parsed and checked row by row.
#[derive(Debug, Default)]
struct Input {
    /// Files absent or with a header that could not be used.
    unread: BTreeSet<&'static str>,
    /// Rows with errors, by file and id: rows that name them are skipped.
    rejected: BTreeSet<(&'static str, String)>,
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

/// Reads one file: checks its header, then deserializes its rows by column
/// name. Returns `None` (after recording why) when the file is unusable.
fn read_rows<T: Row, R: Read>(
    mut reader: R,
    optional: &[&str],
    issues: &mut Issues,
    report: &mut ImportReport,
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
    let headers: csv::StringRecord = headers
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim())
        .collect();
    let present: BTreeSet<&str> = headers.iter().collect();
    let missing: Vec<&str> = T::HEADER
        .iter()
        .copied()
        .filter(|c| !present.contains(c) && !optional.contains(c))
        .collect();
    let unexpected: Vec<&str> = headers.iter().filter(|h| !T::HEADER.contains(h)).collect();
    for column in &missing {
        let hint = close_to(column, unexpected.iter().copied())
            .map(|found| format!(" (found {found:?}: names are case-sensitive and exact)"))
            .unwrap_or_default();
        issues.push(
            IssueKind::Error,
            file,
            Some(1),
            Some(column),
            format!("missing column {column}{hint}"),
        );
    }
    for column in &unexpected {
        if close_to(column, missing.iter().copied()).is_none() {
            issues.push(
                IssueKind::Note,
                file,
                Some(1),
                Some(column),
                format!("column {column:?} is not an FY2024 column of {file}: ignored"),
            );
        }
    }
    if !missing.is_empty() {
        return None;
    }
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
        if record.len() != width {
            issues.push(
                IssueKind::Error,
                file,
                Some(line),
                None,
                format!("{} fields where the header has {width}", record.len()),
            );
            continue;
        }
        match record.deserialize::<T>(Some(&headers)) {
            Ok(row) if row.deleted() => deleted += 1,
            Ok(row) => rows.push((line, row)),
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
        let Some(rows) = read_rows::<ExportRow, _>(r, &[], issues, report) else {
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

    fn organizations<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (_, row) in read_rows::<OrganizationRow, _>(r, &[], issues, report).unwrap_or_default()
        {
            if let (Some(id), Some(name)) = (cell(&row.OrganizationID), cell(&row.OrganizationName))
            {
                self.organizations.insert(id.to_owned(), name.to_owned());
            }
        }
    }

    fn projects<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in read_rows::<ProjectRow, _>(r, &[], issues, report).unwrap_or_default() {
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
            self.projects.insert(
                id,
                ProjectIn {
                    organization: cell(&row.OrganizationID).map(str::to_owned),
                    name: cell(&row.ProjectName).map(str::to_owned),
                    project_type,
                },
            );
        }
    }

    fn clients<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        let rows = read_rows::<ClientRow, _>(r, OPTIONAL_CLIENT_COLUMNS, issues, report);
        for (line, row) in rows.unwrap_or_default() {
            let mut f = Fields {
                issues,
                file: ClientRow::FILE,
                line,
                bad: false,
            };
            let id = f.text("PersonalID", &row.PersonalID);
            let dob = f.opt_date("DOB", &row.DOB);
            let veteran = f.opt_code("VeteranStatus", &row.VeteranStatus);
            let (Some(id), false) = (id, f.bad) else {
                continue;
            };
            let name =
                |v: &Option<String>| (!self.hashed).then(|| cell(v).map(str::to_owned)).flatten();
            self.clients.insert(
                id,
                ClientIn {
                    first: name(&row.FirstName),
                    last: name(&row.LastName),
                    dob,
                    veteran: veteran.unwrap_or(NoYesReasons::DataNotCollected),
                },
            );
        }
    }

    fn enrollments<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in read_rows::<EnrollmentRow, _>(r, &[], issues, report).unwrap_or_default()
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
            let household = f.text("HouseholdID", &row.HouseholdID);
            let relationship = f.code("RelationshipToHoH", &row.RelationshipToHoH);
            let disabling = f.opt_code("DisablingCondition", &row.DisablingCondition);
            let living = f.opt_code("LivingSituation", &row.LivingSituation);
            let episode = f.opt_date("DateToStreetESSH", &row.DateToStreetESSH);
            let times = f.opt_code(
                "TimesHomelessPastThreeYears",
                &row.TimesHomelessPastThreeYears,
            );
            let months = f.opt_code(
                "MonthsHomelessPastThreeYears",
                &row.MonthsHomelessPastThreeYears,
            );
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
                    self.rejected.insert((EnrollmentRow::FILE, id));
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
            self.enrollments.push(EnrollmentIn {
                id,
                personal,
                project,
                entry,
                household,
                relationship,
                disabling: disabling.unwrap_or(NoYesReasons::DataNotCollected),
                living,
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
        let dropped = self.unread.contains(file) || self.rejected.contains(&(file, id.to_owned()));
        if dropped {
            f.skip(format!("{file} row {id} was not imported (see its error)"));
        }
        dropped
    }

    fn known_enrollment(&self, f: &mut Fields<'_>, id: &Option<String>) -> Option<String> {
        let id = f.text("EnrollmentID", id)?;
        if !self.enrollments.iter().any(|e| e.id == id) {
            if self.dropped(f, EnrollmentRow::FILE, &id) {
                return None;
            }
            f.error(
                "EnrollmentID",
                format!("unknown enrollment {id}: not in Enrollment.csv"),
            );
            return None;
        }
        Some(id)
    }

    fn exits<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in read_rows::<ExitRow, _>(r, &[], issues, report).unwrap_or_default() {
            let mut f = Fields {
                issues,
                file: ExitRow::FILE,
                line,
                bad: false,
            };
            let enrollment = self.known_enrollment(&mut f, &row.EnrollmentID);
            let date = f.date("ExitDate", &row.ExitDate);
            let destination = f.code("Destination", &row.Destination);
            let src = source(&mut f, &row.DateCreated, &row.DateUpdated, &row.UserID);
            if let (Some(enrollment), Some(date), Some(destination), false) =
                (enrollment, date, destination, f.bad)
            {
                self.exits.push(ExitIn {
                    enrollment,
                    date,
                    destination,
                    src,
                });
            }
        }
    }

    fn assessments<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in read_rows::<AssessmentRow, _>(r, &[], issues, report).unwrap_or_default()
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
                    self.rejected.insert((AssessmentRow::FILE, id.clone()));
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
        if !self.assessments.iter().any(|a| a.id == id) {
            if self.dropped(f, AssessmentRow::FILE, &id) {
                return None;
            }
            f.error(
                "AssessmentID",
                format!("unknown assessment {id}: not in Assessment.csv"),
            );
            return None;
        }
        Some(id)
    }

    fn questions<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in
            read_rows::<AssessmentQuestionRow, _>(r, &[], issues, report).unwrap_or_default()
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
            read_rows::<AssessmentResultRow, _>(r, &[], issues, report).unwrap_or_default()
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
                self.results.entry(assessment).or_default().push((
                    line,
                    kind,
                    cell(&row.AssessmentResult).map(str::to_owned),
                ));
            }
        }
    }

    fn events<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in read_rows::<EventRow, _>(r, &[], issues, report).unwrap_or_default() {
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
            let result = f.opt_code::<ReferralResult>("ReferralResult", &row.ReferralResult);
            let result_date = f.opt_date("ResultDate", &row.ResultDate);
            let src = source(&mut f, &row.DateCreated, &row.DateUpdated, &row.UserID);
            let result = match (result, result_date) {
                (Some(r), Some(d)) => Some((r, d)),
                (None, None) => None,
                (Some(_), None) => {
                    f.error(
                        "ResultDate",
                        "ReferralResult is set but ResultDate is empty",
                    );
                    None
                }
                (None, Some(_)) => {
                    f.error(
                        "ReferralResult",
                        "ResultDate is set but ReferralResult is empty",
                    );
                    None
                }
            };
            if let (Some((_, on)), Some(date)) = (result, date) {
                if on < date {
                    f.error(
                        "ResultDate",
                        format!("result date {on} is before the event date {date}"),
                    );
                }
            }
            if let (Some(id), Some(enrollment), Some(date), Some(code), false) =
                (id, enrollment, date, code, f.bad)
            {
                self.events.push(EventIn {
                    id,
                    enrollment,
                    date,
                    code,
                    location: cell(&row.LocationCrisisOrPHHousing).map(str::to_owned),
                    result,
                    src,
                });
            }
        }
    }

    fn cls<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in
            read_rows::<CurrentLivingSituationRow, _>(r, &[], issues, report).unwrap_or_default()
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
            let situation =
                f.code::<CurrentSituation>("CurrentLivingSituation", &row.CurrentLivingSituation);
            let subsidy = f.opt_code::<RentalSubsidyType>("CLSSubsidyType", &row.CLSSubsidyType);
            let leave =
                f.opt_code::<NoYesReasons>("LeaveSituation14Days", &row.LeaveSituation14Days);
            let src = source(&mut f, &row.DateCreated, &row.DateUpdated, &row.UserID);
            if let (Some(id), Some(enrollment), Some(date), Some(situation), false) =
                (id, enrollment, date, situation, f.bad)
            {
                self.cls.push(ClsIn {
                    id,
                    enrollment,
                    date,
                    current: CurrentLivingSituation {
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
    Refer { group: GroupKey, event: usize },
    Result { event: usize },
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
            Action::Refer { .. } => 4,
            Action::Result { .. } => 5,
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
    referrals: HashMap<usize, (ReferralId, OpeningId, HouseholdId)>,
    groups: BTreeMap<GroupKey, Vec<usize>>,
    entry_cls: HashMap<GroupKey, usize>,
}

fn program_type(code: CeEventType) -> Option<ProgramType> {
    Some(match code.code() {
        10 => ProgramType::Es,
        11 => ProgramType::Th,
        12 => ProgramType::JointThRrh,
        13 => ProgramType::Rrh,
        14 => ProgramType::Psh,
        15 => ProgramType::OtherPh,
        17 => ProgramType::Ehv,
        18 => ProgramType::Hsv,
        _ => return None,
    })
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
            self.input.export_id.as_bytes(),
            file.as_bytes(),
            key.as_bytes(),
            purpose.as_bytes(),
        ])
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
    fn command(
        &mut self,
        file: &'static str,
        line: u64,
        meta: CommandMeta,
        command: Command,
    ) -> Option<Outcome> {
        match decide(&self.caseload, self.policy, &meta, &command) {
            Ok(decision) => {
                if !decision.events.is_empty() {
                    let request = decision.to_request(&self.caseload, &meta);
                    fold(&mut self.caseload, &request);
                }
                self.steps.push(ImportStep::Command {
                    meta,
                    command: Box::new(command),
                });
                Some(decision.outcome)
            }
            Err(e) => {
                self.error(file, line, format!("refused by the CE workflow: {e}"));
                None
            }
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

    fn member(&self, e: &EnrollmentIn) -> Option<Member> {
        let client = self.input.clients.get(&e.personal)?;
        Some(Member {
            client: ClientId(uuid::Uuid::try_parse(&e.personal).unwrap_or_else(|_| {
                derive(&[
                    b"client",
                    self.input.export_id.as_bytes(),
                    e.personal.as_bytes(),
                ])
            })),
            relationship: e.relationship,
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
                let members = &self.groups[&group];
                let start = members.iter().map(|&i| input.enrollments[i].entry).min();
                let Some(start) = start else { return };
                let heads: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|&i| {
                        input.enrollments[i].relationship == RelationshipToHoH::SelfHeadOfHousehold
                    })
                    .collect();
                let first = &input.enrollments[members[0]];
                let [head] = heads[..] else {
                    self.error(
                        EnrollmentRow::FILE,
                        first.src.line,
                        format!("household {} has {} heads of household (RelationshipToHoH 1); it needs exactly one", group.1, heads.len()),
                    );
                    return;
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
                let command = Command::Enroll(Enroll {
                    coalition: self.options.coalition.clone(),
                    project_start: start,
                    members: initial,
                    prior: PriorLivingSituation {
                        living_situation: living,
                        episode_start: hoh.episode,
                        times_homeless: hoh.times.unwrap_or(TimesHomeless::DataNotCollected),
                        months_homeless: hoh.months.unwrap_or(MonthsHomeless::DataNotCollected),
                    },
                    current,
                });
                let meta = self.meta(EnrollmentRow::FILE, &hoh.id, &hoh.src, start);
                if let Some(Outcome::Enrolled { household }) =
                    self.command(EnrollmentRow::FILE, hoh.src.line, meta, command)
                {
                    self.households.insert(group, household);
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
                self.command(EnrollmentRow::FILE, e.src.line, meta, command);
            }
            Action::Assess { group, assessment } => {
                let a = &input.assessments[assessment];
                let file = AssessmentRow::FILE;
                let Some(household) = self.household(&group, file, a.src.line) else {
                    return;
                };
                let mut answers = input.answers.get(&a.id).cloned().unwrap_or_default();
                answers.sort_by_key(|(order, line, _)| (*order, *line));
                let mut score = None;
                let mut results = Vec::new();
                for (line, kind, value) in input.results.get(&a.id).cloned().unwrap_or_default() {
                    match value.as_deref().map(str::parse::<u32>) {
                        Some(Ok(s)) if kind == SCORE_RESULT_TYPE && score.is_none() => {
                            score = Some(s)
                        }
                        _ => {
                            if kind == SCORE_RESULT_TYPE {
                                self.issues.push(
                                    IssueKind::Note,
                                    AssessmentResultRow::FILE,
                                    Some(line),
                                    None,
                                    "score is not a whole number: kept as a result",
                                );
                            }
                            results.push(AssessmentResultEntry {
                                result_type: kind,
                                result: value.unwrap_or_default(),
                            });
                        }
                    }
                }
                let location = a.location.clone().unwrap_or_else(|| {
                    self.issues.push(
                        IssueKind::Note,
                        file,
                        Some(a.src.line),
                        Some("AssessmentLocation"),
                        "empty: recorded as \"Not recorded\"",
                    );
                    "Not recorded".to_owned()
                });
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
                self.command(file, a.src.line, meta, command);
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
                self.command(file, c.src.line, meta, command);
            }
            Action::Refer { group, event } => self.refer(&group, event),
            Action::Result { event } => self.result(event),
            Action::RemoveMember { group, exit } => {
                let x = &input.exits[exit];
                let file = ExitRow::FILE;
                let Some(household) = self.household(&group, file, x.src.line) else {
                    return;
                };
                let Some(e) = input.enrollments.iter().find(|e| e.id == x.enrollment) else {
                    return;
                };
                let Some(member) = self.member(e) else { return };
                let meta = self.meta(file, &x.enrollment, &x.src, x.date);
                let command = Command::RemoveMember(RemoveMember {
                    household,
                    date: x.date,
                    client: member.client,
                });
                self.command(file, x.src.line, meta, command);
            }
            Action::Exit { group, exit } => {
                let x = &input.exits[exit];
                let file = ExitRow::FILE;
                let Some(household) = self.household(&group, file, x.src.line) else {
                    return;
                };
                let meta = self.meta(file, &x.enrollment, &x.src, x.date);
                let command = Command::Exit(Exit {
                    household,
                    date: x.date,
                    destination: x.destination,
                    reason: format!("Exit imported from HMIS CSV export {export}."),
                });
                self.command(file, x.src.line, meta, command);
            }
        }
    }

    fn new_event(
        &self,
        e: &EventIn,
        purpose: &str,
        streams: Vec<StreamId>,
        effective: NaiveDate,
        at: Option<DateTime<Utc>>,
        event: Event,
    ) -> NewEvent {
        NewEvent {
            event_id: EventId(self.id(EventRow::FILE, &e.id, purpose)),
            streams,
            effective,
            recorded_at: self.recorded(at, effective),
            actor: self.actor(&e.src),
            event,
        }
    }

    /// An imported referral: an opening for it and the offer, appended as
    /// events (the workflow's own referrals rank from its lists).
    fn refer(&mut self, group: &GroupKey, index: usize) {
        let input = self.input;
        let e = &input.events[index];
        let file = EventRow::FILE;
        let Some(program) = program_type(e.code) else {
            return;
        };
        let Some(household_id) = self.household(group, file, e.src.line) else {
            return;
        };
        let Some(household) = self.caseload.households().get(&household_id) else {
            return;
        };
        if household.is_exited() || e.date < household.project_start {
            self.error(
                file,
                e.src.line,
                format!(
                    "event dated {} is outside the household's CE enrollment",
                    e.date
                ),
            );
            return;
        }
        if let Some(live) = household
            .live_referrals
            .iter()
            .find(|r| r.program_type == program)
        {
            self.error(
                file,
                e.src.line,
                format!("the household already has a {program} referral ({}) without a result: the CE workflow allows one at a time", live.referral),
            );
            return;
        }
        let location = e
            .location
            .clone()
            .unwrap_or_else(|| "Not recorded".to_owned());
        let agency = input
            .projects
            .values()
            .find(|p| p.name.as_deref() == Some(location.as_str()))
            .and_then(|p| p.organization.as_ref())
            .and_then(|org| input.organizations.get(org))
            .cloned()
            .unwrap_or_else(|| format!("hmis-csv:{}", input.export_id));
        let household_type = ListHouseholdType::of(household, self.policy);
        let opening = OpeningId(self.id(file, &e.id, "opening"));
        let referral = ReferralId(self.id(file, &e.id, "referral"));
        let inputs = RankInputs::of(household, self.policy).unwrap_or(RankInputs {
            chronic: household.is_chronic(),
            cpd_16_11_tier: 8,
            score: household.score(),
            months_homeless: household.months_homeless.months(),
            episode_days: household.episode_days(),
            placed_on: e.date,
            household: household_id,
        });
        let posted = Event::OpeningPosted(OpeningPosted {
            opening,
            agency: AgencyId(agency),
            program: location.clone(),
            program_type: program,
            coalition: household.coalition.clone(),
            household_types: vec![household_type],
            chronic_only: false,
            veterans_only: false,
            units: 1,
        });
        let offered = Event::ReferralOffered(ReferralOffered {
            referral,
            opening,
            household: household_id,
            event: e.code,
            program_type: program,
            location,
            list: ListKey {
                coalition: household.coalition.clone(),
                program,
                household_type,
            },
            policy_id: self.policy.id.clone(),
            policy_version: self.policy.version,
            rank: 0,
            inputs,
            bypass: Some(Bypass {
                reason: format!("Referral imported from HMIS CSV export {}: made in the source system, not ranked here.", input.export_id),
                passed_over: Vec::new(),
            }),
        });
        let events = vec![
            self.new_event(
                e,
                "posted",
                vec![StreamId::Opening(opening)],
                e.date,
                e.src.created,
                posted,
            ),
            self.new_event(
                e,
                "offered",
                vec![
                    StreamId::Household(household_id),
                    StreamId::Opening(opening),
                ],
                e.date,
                e.src.created,
                offered,
            ),
        ];
        self.append(events);
        self.referrals
            .insert(index, (referral, opening, household_id));
    }

    fn result(&mut self, index: usize) {
        let e = &self.input.events[index];
        let file = EventRow::FILE;
        let (Some(&(referral, opening, household)), Some((result, on))) =
            (self.referrals.get(&index), e.result)
        else {
            return;
        };
        let live = self
            .caseload
            .referrals
            .get(&referral)
            .is_some_and(|r| r.status.is_live());
        if !live {
            self.error(file, e.src.line, format!("result dated {on} comes after the referral ended (the household exited or the referral was cancelled)"));
            return;
        }
        let streams = vec![StreamId::Household(household), StreamId::Opening(opening)];
        let at = e.src.updated.or(e.src.created);
        let events = if result == ReferralResult::SuccessfulClientAccepted {
            vec![self.new_event(
                e,
                "result",
                streams,
                on,
                at,
                Event::ReferralAccepted(ReferralAccepted {
                    referral,
                    opening,
                    household,
                }),
            )]
        } else {
            vec![
                self.new_event(
                    e,
                    "result",
                    streams,
                    on,
                    at,
                    Event::ReferralDeclined(ReferralDeclined {
                        referral,
                        opening,
                        household,
                        result,
                        reason: "hmis-csv-import".to_owned(),
                        text: Some(format!(
                            "Result imported from HMIS CSV export {}.",
                            self.input.export_id
                        )),
                        consequence: DeclineConsequence::StaysOnList,
                    }),
                ),
                // The opening existed only for this referral.
                self.new_event(
                    e,
                    "withdrawn",
                    vec![StreamId::Opening(opening)],
                    on,
                    at,
                    Event::OpeningWithdrawn(OpeningWithdrawn {
                        reason: "Opening of an imported referral".to_owned(),
                    }),
                ),
            ]
        };
        self.append(events);
    }
}

impl ImportPlan {
    /// Reads an export's files (`open` gives a reader for a file name, or
    /// `None` if the file is absent), checks every header and row, maps the
    /// CE data to households, and dry-runs the writes against `caseload`.
    /// Nothing is planned when there is an error, unless
    /// `options.skip_invalid`. Fails only when a file cannot be opened.
    pub fn read<R: Read>(
        open: impl FnMut(&'static str) -> std::io::Result<Option<R>>,
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
            referrals: HashMap::new(),
            groups: BTreeMap::new(),
            entry_cls: HashMap::new(),
        };
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
        }
        report.households = planner.households.len();
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
        let covering =
            |chosen: &BTreeSet<GroupKey>, personal: &str, on: NaiveDate| -> Option<GroupKey> {
                let mut found: Vec<&GroupKey> = chosen
                    .iter()
                    .filter(|g| {
                        groups[*g].iter().any(|&i| {
                            let e = &input.enrollments[i];
                            e.personal == personal
                                && e.entry <= on
                                && exit_of.get(e.id.as_str()).is_none_or(|x| on <= *x)
                        })
                    })
                    .collect();
                found.sort_by_key(|g| !is_ce(g));
                found.first().map(|g| (*g).clone())
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
        for (i, a) in input.assessments.iter().enumerate() {
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
            if program_type(e.code).is_none() {
                self.issues.push(
                    IssueKind::Skipped,
                    EventRow::FILE,
                    Some(e.src.line),
                    Some("Event"),
                    format!("4.20 event {} has no counterpart in the CE workflow (only referrals to openings, codes 10–15, 17 and 18, are recorded)", e.code),
                );
                continue;
            }
            let Some(group) = target(&mut chosen, &e.enrollment, e.date, true) else {
                continue;
            };
            push(e.date, e.src.line, Action::Refer { group, event: i });
            if let Some((_, on)) = e.result {
                push(on, e.src.line, Action::Result { event: i });
            }
        }
        for (i, c) in input.cls.iter().enumerate() {
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
                .and_then(|e| input.exits.iter().position(|x| x.enrollment == e.id));
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
                let Some(x) = input.exits.iter().position(|x| x.enrollment == e.id) else {
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

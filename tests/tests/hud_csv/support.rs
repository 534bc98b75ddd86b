//! What several of the HUD CSV test modules use: dates, the export of a log,
//! the ids it writes, import options and plans, the foreign export fixture
//! and its findings, and `ce` run on a store.

use std::collections::{BTreeMap, HashMap};

use ce_core::testing::{date, Scenario};
use ce_core::{Coalition, Envelope, EventStore, MemoryStore, Policy, Workflow};
use ce_hud_csv::{ExportOptions, HudCsvExport, HudFile, ImportOptions, ImportPlan, IssueKind};
use ce_tests::cli::ce_std;
use ce_tests::support::{plan_import, read_csv as read, Table};
use chrono::{DateTime, TimeZone, Utc};

pub fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

pub fn hex(u: &uuid::Uuid) -> String {
    u.simple().to_string()
}

pub fn coulee() -> Coalition {
    Coalition::new("Coulee")
}

pub fn log(s: &Scenario) -> Vec<Envelope> {
    s.store().read_from(0, usize::MAX).unwrap()
}

pub fn options(from: Option<(i32, u32, u32)>, to: Option<(i32, u32, u32)>) -> ExportOptions {
    let mut o = ExportOptions::new("EXP1", at(2025, 4, 1, 12, 0), "ce-test");
    o.from = from.map(|(y, m, d)| date(y, m, d));
    o.to = to.map(|(y, m, d)| date(y, m, d));
    o
}

/// Every file of an export as text.
pub fn export(log: &[Envelope], options: &ExportOptions) -> BTreeMap<HudFile, String> {
    let built = HudCsvExport::build(log, options);
    HudFile::ALL
        .iter()
        .map(|&f| {
            let mut out = Vec::new();
            built.write(f, &mut out).unwrap();
            (f, String::from_utf8(out).unwrap())
        })
        .collect()
}

pub fn by_name(files: &BTreeMap<HudFile, String>) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(f, t)| (f.file_name().to_owned(), t.clone()))
        .collect()
}

/// Id columns, replaced by `Column#n` in order of first appearance (files in
/// writing order), except those in `keep`.
pub const ID_COLUMNS: &[&str] = &[
    "ExportID",
    "OrganizationID",
    "ProjectID",
    "PersonalID",
    "EnrollmentID",
    "HouseholdID",
    "ExitID",
    "AssessmentID",
    "AssessmentQuestionID",
    "AssessmentResultID",
    "EventID",
    "CurrentLivingSitID",
];

pub fn normalize(files: &BTreeMap<HudFile, String>, keep: &[&str]) -> BTreeMap<HudFile, Table> {
    let mut labels: HashMap<String, String> = HashMap::new();
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut out = BTreeMap::new();
    for (&file, text) in files {
        let (header, mut rows) = read(text);
        for row in &mut rows {
            for (column, value) in header.iter().zip(row.iter_mut()) {
                if value.is_empty()
                    || !ID_COLUMNS.contains(&column.as_str())
                    || keep.contains(&column.as_str())
                {
                    continue;
                }
                let label = labels.entry(value.clone()).or_insert_with(|| {
                    let n = counts.entry(column.clone()).or_default();
                    *n += 1;
                    format!("{column}#{n}")
                });
                *value = label.clone();
            }
        }
        out.insert(file, (header, rows));
    }
    out
}

pub fn import_options(skip_invalid: bool) -> ImportOptions {
    ImportOptions {
        coalition: Some(coulee()),
        coalition_map: Default::default(),
        coc: None,
        skip_invalid,
        user: ce_core::UserId("importer".to_owned()),
        now: at(2025, 4, 2, 8, 0),
    }
}

pub fn empty_workflow() -> Workflow<MemoryStore> {
    Workflow::new(MemoryStore::new(), Policy::wi_bos_default()).unwrap()
}

/// Plans an import of `files` (by file name) against `workflow`.
pub fn plan(
    workflow: &Workflow<MemoryStore>,
    files: &BTreeMap<String, String>,
    skip_invalid: bool,
) -> ImportPlan {
    plan_import(workflow, files, &import_options(skip_invalid))
}

/// tests/fixtures/foreign-export/<month>: another HMIS's exports.
pub fn fixture(month: &str) -> BTreeMap<String, String> {
    ce_tests::support::foreign_export(month)
}

pub fn plan_with(
    workflow: &Workflow<MemoryStore>,
    files: &BTreeMap<String, String>,
    options: &ImportOptions,
) -> ImportPlan {
    plan_import(workflow, files, options)
}

pub fn northwoods_options() -> ImportOptions {
    ImportOptions {
        coalition: Some(Coalition::new("Lakeshore")),
        coalition_map: Default::default(),
        coc: Some("WI-500".to_owned()),
        skip_invalid: true,
        user: ce_core::UserId("importer".to_owned()),
        now: at(2025, 8, 1, 8, 0),
    }
}

/// `files` with one cell changed: `file`'s data row `line` (1 is the
/// header), column `column`. The file is rewritten by the csv crate.
pub fn with_cell(
    mut files: BTreeMap<String, String>,
    file: &str,
    line: usize,
    column: &str,
    value: &str,
) -> BTreeMap<String, String> {
    let (header, mut rows) = read(files[file].trim_start_matches('\u{feff}'));
    let at = header
        .iter()
        .position(|c| c.eq_ignore_ascii_case(column))
        .unwrap();
    rows[line - 2][at] = value.to_owned();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).unwrap();
    for row in rows {
        out.write_record(&row).unwrap();
    }
    files.insert(
        file.to_owned(),
        String::from_utf8(out.into_inner().unwrap()).unwrap(),
    );
    files
}

pub fn findings(plan: &ImportPlan, kind: IssueKind, file: &str) -> Vec<(Option<u64>, String)> {
    plan.report
        .issues
        .iter()
        .filter(|i| i.kind == kind && i.file == file)
        .map(|i| (i.line, i.reason.clone()))
        .collect()
}

pub fn ce(store: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::from_std(ce_std());
    cmd.arg("--store").arg(store);
    cmd
}

pub fn stdout_of(assert: assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

//! What the hardening tests share: the foreign export fixture's month1 and
//! edits of its cells and rows, import plans and their findings, the export
//! of an imported log, and `ce` run on a store.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ce_core::{MemoryStore, Policy, Workflow};
use ce_hud_csv::{ImportIssue, ImportOptions, ImportPlan, IssueKind};
use ce_tests::cli::ce_std;
use ce_tests::support::{plan_import, read_csv as table};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

pub fn at(y: i32, mo: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, 0, 0, 0).unwrap()
}

pub fn day(y: i32, mo: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, mo, d).unwrap()
}

pub fn ce(store: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::from_std(ce_std());
    cmd.arg("--store").arg(store);
    // An import that waits on a FIFO must fail the test, not hang it.
    cmd.timeout(std::time::Duration::from_secs(120));
    cmd
}

pub fn stdout_of(assert: assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

pub fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

pub fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|c| c.eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// tests/fixtures/foreign-export/month1: another HMIS's export (see the
/// README beside it).
pub fn month1_dir() -> PathBuf {
    ce_tests::support::foreign_export_dir("month1")
}

pub fn month1() -> BTreeMap<String, String> {
    ce_tests::support::foreign_export("month1")
}

/// `files` with `file` rewritten by the csv crate after `edit` changed
/// its rows (data row `i` is on line `i + 2`).
pub fn edit(
    mut files: BTreeMap<String, String>,
    file: &str,
    edit: impl FnOnce(&[String], &mut Vec<Vec<String>>),
) -> BTreeMap<String, String> {
    let (header, mut rows) = table(&files[file]);
    edit(&header, &mut rows);
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
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

/// `files` with one cell of data row `row` (0 is line 2) changed.
pub fn with_cell(
    files: BTreeMap<String, String>,
    file: &str,
    row: usize,
    column: &str,
    value: &str,
) -> BTreeMap<String, String> {
    edit(files, file, |header, rows| {
        rows[row][col(header, column)] = value.to_owned();
    })
}

pub fn import_options() -> ImportOptions {
    ImportOptions {
        coalition: Some(ce_core::Coalition::new("Lakeshore")),
        coalition_map: Default::default(),
        coc: Some("WI-500".to_owned()),
        skip_invalid: true,
        user: ce_core::UserId("importer".to_owned()),
        now: at(2025, 8, 1),
    }
}

pub fn empty_workflow() -> Workflow<MemoryStore> {
    Workflow::new(MemoryStore::new(), Policy::wi_bos_default()).unwrap()
}

pub fn plan(workflow: &Workflow<MemoryStore>, files: &BTreeMap<String, String>) -> ImportPlan {
    plan_import(workflow, files, &import_options())
}

pub fn issues<'a>(plan: &'a ImportPlan, kind: IssueKind, file: &str) -> Vec<&'a ImportIssue> {
    plan.report
        .issues
        .iter()
        .filter(|i| i.kind == kind && i.file == file)
        .collect()
}

/// The one finding of `kind` on `file` line `line` about `column`.
pub fn finding<'a>(
    plan: &'a ImportPlan,
    kind: IssueKind,
    file: &str,
    line: u64,
    column: &str,
) -> &'a ImportIssue {
    let found: Vec<_> = issues(plan, kind, file)
        .into_iter()
        .filter(|i| i.line == Some(line) && i.column.as_deref() == Some(column))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{kind:?} {file}:{line} {column}: {:#?}",
        plan.report.issues
    );
    found[0]
}

pub fn copy_dir(from: &Path, to: &Path, except: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !except.contains(&name.as_str()) {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

pub fn import_month1(store: &Path, dir: &Path) -> assert_cmd::Command {
    let mut cmd = ce(store);
    cmd.args([
        "import",
        "hud-csv",
        "--coc",
        "WI-500",
        "--coalition",
        "Lakeshore",
    ])
    .arg(dir);
    cmd
}

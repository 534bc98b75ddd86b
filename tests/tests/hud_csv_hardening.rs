//! HUD HMIS CSV hardening: what an export writes that a spreadsheet could
//! run, and what an import does with files that are missing, repeated,
//! out of range, too large or not files at all. Each test pins one item of
//! the hardening issue.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ce_core::{Event, EventStore, MemoryStore, Policy, Workflow};
use ce_hud_csv::{
    ExportOptions, HudCsvExport, HudFile, ImportIssue, ImportOptions, ImportPlan, IssueKind,
};
use ce_tests::support::{ce_binary, plan_import, read_csv as table, rows_without_export_id, Table};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

// ---------------------------------------------------------------- helpers

/// What a spreadsheet takes for the start of a formula (OWASP).
const FORMULA_START: &[char] = &['=', '+', '-', '@', '\t', '\r'];

fn at(y: i32, mo: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, 0, 0, 0).unwrap()
}

fn day(y: i32, mo: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, mo, d).unwrap()
}

fn ce(store: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(ce_binary());
    for var in ["CE_STORE", "CE_USER", "CE_AGENCY", "CE_ROLE"] {
        cmd.env_remove(var);
    }
    cmd.arg("--store").arg(store);
    // An import that waits on a FIFO must fail the test, not hang it.
    cmd.timeout(std::time::Duration::from_secs(120));
    cmd
}

fn stdout_of(assert: assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|c| c.eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// tests/fixtures/foreign-export/month1: another HMIS's export (see the
/// README beside it).
fn month1_dir() -> PathBuf {
    ce_tests::support::foreign_export_dir("month1")
}

fn month1() -> BTreeMap<String, String> {
    ce_tests::support::foreign_export("month1")
}

/// `files` with `file` rewritten by the csv crate after `edit` changed
/// its rows (data row `i` is on line `i + 2`).
fn edit(
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
fn with_cell(
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

/// `files` with a copy of data row `row` appended, `column` set to
/// `value` (or unchanged); returns the new row's line.
fn with_copy(
    files: BTreeMap<String, String>,
    file: &str,
    row: usize,
    change: Option<(&str, &str)>,
) -> (BTreeMap<String, String>, u64) {
    let mut line = 0;
    let files = edit(files, file, |header, rows| {
        let mut copy = rows[row].clone();
        if let Some((column, value)) = change {
            copy[col(header, column)] = value.to_owned();
        }
        rows.push(copy);
        line = rows.len() as u64 + 1;
    });
    (files, line)
}

fn import_options() -> ImportOptions {
    ImportOptions {
        coalition: Some(ce_core::Coalition::new("Lakeshore")),
        coalition_map: Default::default(),
        coc: Some("WI-500".to_owned()),
        skip_invalid: true,
        user: ce_core::UserId("importer".to_owned()),
        now: at(2025, 8, 1),
    }
}

fn empty_workflow() -> Workflow<MemoryStore> {
    Workflow::new(MemoryStore::new(), Policy::wi_bos_default()).unwrap()
}

fn plan(workflow: &Workflow<MemoryStore>, files: &BTreeMap<String, String>) -> ImportPlan {
    plan_import(workflow, files, &import_options())
}

fn issues<'a>(plan: &'a ImportPlan, kind: IssueKind, file: &str) -> Vec<&'a ImportIssue> {
    plan.report
        .issues
        .iter()
        .filter(|i| i.kind == kind && i.file == file)
        .collect()
}

/// The one finding of `kind` on `file` line `line` about `column`.
fn finding<'a>(
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

/// Every file of the imported log's export, by file name.
fn export_of(workflow: &Workflow<MemoryStore>) -> BTreeMap<String, Table> {
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    let mut options = ExportOptions::new("AGAIN", at(2025, 8, 1), "ce-test");
    options.from = Some(day(2025, 1, 1));
    options.to = Some(day(2025, 7, 31));
    let built = HudCsvExport::build(&log, &options);
    HudFile::ALL
        .iter()
        .map(|&f| {
            let mut out = Vec::new();
            built.write(f, &mut out).unwrap();
            (
                f.file_name().to_owned(),
                table(&String::from_utf8(out).unwrap()),
            )
        })
        .collect()
}

/// The value of `column` in the row of `table` whose first cell is `id`.
fn cell_of(table: &Table, id: &str, column: &str) -> String {
    let row = table.1.iter().find(|r| r[0] == id).unwrap();
    row[col(&table.0, column)].clone()
}

fn copy_dir(from: &Path, to: &Path, except: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !except.contains(&name.as_str()) {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

fn import_month1(store: &Path, dir: &Path) -> assert_cmd::Command {
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

// ------------------------------------------------ 1. formula injection

/// Every string value in a JSON document.
fn strings(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::String(s) => {
            out.insert(s.clone());
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Every string value of a store's log.
fn log_strings(store: &Path, dir: &Path) -> BTreeSet<String> {
    let backup = dir.join(format!(
        "{}.jsonl",
        store.file_name().unwrap().to_string_lossy()
    ));
    ce(store)
        .args(["export", "jsonl"])
        .arg(&backup)
        .assert()
        .success();
    let mut out = BTreeSet::new();
    for line in std::fs::read_to_string(&backup).unwrap().lines() {
        strings(&serde_json::from_str(line).unwrap(), &mut out);
    }
    out
}

#[test]
fn no_exported_cell_starts_a_spreadsheet_formula_and_an_import_gets_the_text_back() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let household = dir.path().join("household.json");
    std::fs::write(
        &household,
        serde_json::json!({
            "coalition": "Coulee",
            "project_start": "2025-03-03",
            "members": [
                {
                    "client": "6f1c7a0e-2b8d-4e51-9a53-0c1d2e3f4a01",
                    "relationship": 1,
                    "birth_date": "1984-06-14",
                    "veteran": 0,
                    "disabling_condition": 1,
                    "first_name": "=HYPERLINK(\"x\")",
                    "last_name": "+1"
                },
                {
                    "client": "6f1c7a0e-2b8d-4e51-9a53-0c1d2e3f4a02",
                    "relationship": 2,
                    "birth_date": "2016-09-02",
                    "veteran": 99,
                    "disabling_condition": 0,
                    "first_name": "-1+2",
                    "last_name": "@SUM(A1)"
                }
            ],
            "prior": {
                "living_situation": 116,
                "episode_start": "2023-11-20",
                "times_homeless": 4,
                "months_homeless": 113
            },
            "current": {
                "living_situation": 116,
                "verified_by": "\t=3+3",
                "leave_within_14_days": 0,
                "location_details": "=HYPERLINK(\"x\")"
            }
        })
        .to_string(),
    )
    .unwrap();
    let assessment = dir.path().join("assessment.json");
    std::fs::write(
        &assessment,
        serde_json::json!({
            "date": "2025-03-04",
            "location": "-1+2",
            "assessment_type": 3,
            "level": 2,
            "answers": [
                { "question": "=HYPERLINK(\"x\")", "answer": "@SUM(A1)" },
                { "question": "\t=3+3", "answer": "+1" }
            ],
            "results": [
                { "result_type": "-1+2", "result": "-1" },
                { "result_type": "Pre-Screen & Barriers score", "result": "14" }
            ],
            "score": 14,
            "prioritization": 1
        })
        .to_string(),
    )
    .unwrap();
    let household_id = stdout_of(
        ce(&a)
            .args(["--user=@SUM(A1)", "--role", "access", "enroll", "--file"])
            .arg(&household)
            .assert()
            .success(),
    )
    .trim()
    .to_owned();
    ce(&a)
        .args([
            "--user=-1+2",
            "--role",
            "access",
            "assess",
            &household_id,
            "--file",
        ])
        .arg(&assessment)
        .assert()
        .success();
    let opening = stdout_of(
        ce(&a)
            .args([
                "--user=+1",
                "--agency=@SUM(A1)",
                "--role",
                "provider",
                "opening",
                "post",
                "--program==HYPERLINK(\"x\")",
                "--type",
                "psh",
                "--coalition",
                "Coulee",
                "--date",
                "2025-04-01",
            ])
            .assert()
            .success(),
    )
    .trim()
    .to_owned();
    ce(&a)
        .args(["--user==3+3", "refer", &opening, "--date", "2025-04-02"])
        .assert()
        .success();
    ce(&a)
        .args([
            "--user==HYPERLINK(\"x\")",
            "event",
            &household_id,
            "--date",
            "2025-04-03",
            "--code",
            "13",
            "--location=@SUM(A1)",
        ])
        .assert()
        .success();

    let first = dir.path().join("first");
    ce(&a)
        .args([
            "export",
            "hud-csv",
            "--from",
            "2025-01-01",
            "--to",
            "2025-04-30",
        ])
        .arg(&first)
        .assert()
        .success();
    // No cell of any file starts a formula.
    let mut quoted = BTreeSet::new();
    for file in HudFile::ALL {
        let (header, rows) = table(&std::fs::read_to_string(first.join(file.file_name())).unwrap());
        for row in &rows {
            for (column, value) in header.iter().zip(row) {
                assert!(
                    !value.starts_with(FORMULA_START),
                    "{file} {column}: {value:?} starts a formula"
                );
                if value.starts_with('\'') {
                    quoted.insert((file.file_name(), column.clone(), value.clone()));
                }
            }
        }
    }
    // Every free-text column ce writes was quoted, and nothing else.
    let expected: BTreeSet<(&str, String, String)> = [
        ("Client.csv", "FirstName", "'=HYPERLINK(\"x\")"),
        ("Client.csv", "LastName", "'+1"),
        ("Client.csv", "FirstName", "'-1+2"),
        ("Client.csv", "LastName", "'@SUM(A1)"),
        ("CurrentLivingSituation.csv", "VerifiedBy", "'=3+3"),
        (
            "CurrentLivingSituation.csv",
            "LocationDetails",
            "'=HYPERLINK(\"x\")",
        ),
        ("Assessment.csv", "AssessmentLocation", "'-1+2"),
        (
            "AssessmentQuestions.csv",
            "AssessmentQuestion",
            "'=HYPERLINK(\"x\")",
        ),
        ("AssessmentQuestions.csv", "AssessmentAnswer", "'@SUM(A1)"),
        ("AssessmentQuestions.csv", "AssessmentQuestion", "'=3+3"),
        ("AssessmentQuestions.csv", "AssessmentAnswer", "'+1"),
        ("AssessmentResults.csv", "AssessmentResultType", "'-1+2"),
        ("AssessmentResults.csv", "AssessmentResult", "'-1"),
        (
            "Event.csv",
            "LocationCrisisOrPHHousing",
            "'=HYPERLINK(\"x\")",
        ),
        ("Event.csv", "LocationCrisisOrPHHousing", "'@SUM(A1)"),
        ("Project.csv", "ProjectName", "'=HYPERLINK(\"x\")"),
        ("Organization.csv", "OrganizationName", "'@SUM(A1)"),
    ]
    .into_iter()
    .map(|(f, c, v)| (f, c.to_owned(), v.to_owned()))
    .collect();
    let missing: Vec<_> = expected.difference(&quoted).collect();
    assert!(missing.is_empty(), "not quoted: {missing:#?}");
    let users: BTreeSet<String> = quoted
        .iter()
        .filter(|(_, c, _)| c == "UserID")
        .map(|(_, _, v)| v.clone())
        .collect();
    assert_eq!(
        users,
        BTreeSet::from(
            ["'=HYPERLINK(\"x\")", "'+1", "'-1+2", "'@SUM(A1)", "'=3+3"].map(String::from)
        ),
        "UserID"
    );
    let other: Vec<_> = quoted
        .iter()
        .filter(|q| q.1 != "UserID" && !expected.contains(q))
        .collect();
    assert!(other.is_empty(), "quoted too: {other:#?}");
    // Codes and dates are as they were.
    let (header, clients) = table(&std::fs::read_to_string(first.join("Client.csv")).unwrap());
    assert_eq!(clients[0][col(&header, "DOB")], "1984-06-14");
    assert_eq!(clients[0][col(&header, "NameDataQuality")], "1");

    // An import takes the quote off again: the text comes back as typed
    // (a TAB the export turned into a space, trimmed).
    let b = dir.path().join("b");
    let out = stdout_of(
        ce(&b)
            .args(["import", "hud-csv", "--coalition", "Coulee"])
            .arg(&first)
            .assert()
            .success(),
    );
    assert!(out.contains("0 row(s) with errors"), "{out}");
    let texts = log_strings(&b, dir.path());
    for text in ["=HYPERLINK(\"x\")", "+1", "-1+2", "@SUM(A1)", "=3+3", "-1"] {
        assert!(texts.contains(text), "{text:?} not imported");
    }
    let still_quoted: Vec<_> = texts
        .iter()
        .filter(|t| {
            t.strip_prefix('\'')
                .is_some_and(|r| r.starts_with(FORMULA_START))
        })
        .collect();
    assert!(still_quoted.is_empty(), "{still_quoted:?}");
    // And exported again, the same rows.
    let second = dir.path().join("second");
    ce(&b)
        .args([
            "export",
            "hud-csv",
            "--from",
            "2025-01-01",
            "--to",
            "2025-04-30",
        ])
        .arg(&second)
        .assert()
        .success();
    for file in [
        "Client.csv",
        "Enrollment.csv",
        "Assessment.csv",
        "AssessmentQuestions.csv",
        "AssessmentResults.csv",
        "Event.csv",
        "CurrentLivingSituation.csv",
    ] {
        assert_eq!(
            rows_without_export_id(&first.join(file)),
            rows_without_export_id(&second.join(file)),
            "{file}"
        );
    }
}

// ------------------------------------------ 2. Exit.csv and Event.csv

#[test]
fn an_export_without_exit_csv_or_event_csv_writes_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    for (missing, why) in [("Exit.csv", "exited"), ("Event.csv", "referred")] {
        let source = dir.path().join(format!("without-{missing}"));
        copy_dir(&month1_dir(), &source, &[missing]);
        let store = dir.path().join(format!("store-{missing}"));
        let assert = import_month1(&store, &source).assert().code(2);
        let err = stderr_of(&assert);
        let out = stdout_of(assert);
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("error: {missing}")))
            .unwrap_or_else(|| panic!("no error on {missing}:\n{out}"));
        assert!(
            line.contains("file not found") && line.contains(why),
            "{line}"
        );
        assert!(
            err.contains(missing) && err.contains("wrote nothing"),
            "{err}"
        );
        let out = stdout_of(
            ce(&store)
                .args(["export", "jsonl"])
                .arg(dir.path().join(format!("{missing}.jsonl")))
                .assert()
                .success(),
        );
        assert!(out.contains("exported 0 events"), "{out}");
    }
    // HUD writes every file, header only when it has no rows: that is fine.
    let source = dir.path().join("header-only");
    copy_dir(&month1_dir(), &source, &[]);
    for file in ["Exit.csv", "Event.csv"] {
        let text = std::fs::read_to_string(source.join(file)).unwrap();
        let header = text.lines().next().unwrap();
        std::fs::write(source.join(file), format!("{header}\n")).unwrap();
    }
    import_month1(&dir.path().join("store"), &source)
        .assert()
        .success();
}

// ------------------------------------------------------ 3. repeated keys

#[test]
fn a_repeated_key_keeps_the_first_row_and_the_finding_names_file_line_and_key() {
    let files = month1();
    // P1001 (Client.csv line 2) again, the same; then again with another DOB.
    let (files, same) = with_copy(files, "Client.csv", 0, None);
    let (files, other) = with_copy(files, "Client.csv", 0, Some(("DOB", "1980-01-01")));
    // A4001 (Assessment.csv line 2) and C5001 (4.12 line 2), elsewhere.
    let (files, assessment) = with_copy(
        files,
        "Assessment.csv",
        0,
        Some(("AssessmentLocation", "Somewhere else")),
    );
    let (files, cls) = with_copy(
        files,
        "CurrentLivingSituation.csv",
        0,
        Some(("LocationDetails", "Somewhere else")),
    );
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files);
    let repeat = |kind, file, line, column, key: &str| {
        let issue = finding(&plan, kind, file, line, column);
        assert_eq!(issue.value.as_deref(), Some(key));
        assert!(issue.reason.contains("line 2"), "{issue}");
    };
    repeat(IssueKind::Note, "Client.csv", same, "PersonalID", "P1001");
    repeat(IssueKind::Error, "Client.csv", other, "PersonalID", "P1001");
    repeat(
        IssueKind::Skipped,
        "Assessment.csv",
        assessment,
        "AssessmentID",
        "A4001",
    );
    repeat(
        IssueKind::Skipped,
        "CurrentLivingSituation.csv",
        cls,
        "CurrentLivingSitID",
        "C5001",
    );
    // The first rows are the ones imported.
    plan.execute(&workflow).unwrap();
    let caseload = workflow.caught_up().unwrap().clone();
    let dana: Vec<_> = caseload
        .households()
        .values()
        .flat_map(|h| &h.members)
        .filter(|m| m.first_name.as_deref() == Some("Dana"))
        .map(|m| m.birth_date)
        .collect();
    assert!(!dana.is_empty());
    assert!(
        dana.iter().all(|d| *d == Some(day(1979, 3, 14))),
        "{dana:?}"
    );
    let out = export_of(&workflow);
    assert_eq!(
        cell_of(&out["Assessment.csv"], "A4001", "AssessmentLocation"),
        "Northwoods Emergency Shelter"
    );
    assert_eq!(
        cell_of(
            &out["CurrentLivingSituation.csv"],
            "C5001",
            "LocationDetails"
        ),
        "Slept in car behind hardware store"
    );

    // A repeated key marked deleted does not delete the row kept.
    let (again, deleted) = with_copy(
        month1(),
        "Event.csv",
        0,
        Some(("DateDeleted", "2025-06-20 00:00:00")),
    );
    let plan = self::plan(&workflow, &again);
    let deletions: Vec<_> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.reason.contains("recorded as a deletion"))
        .collect();
    assert!(deletions.is_empty(), "{deletions:#?}");
    let issue = finding(&plan, IssueKind::Skipped, "Event.csv", deleted, "EventID");
    assert_eq!(issue.value.as_deref(), Some("V6001"));
    assert!(plan.steps.is_empty(), "{:#?}", plan.steps);
}

// ---------------------------------------------------- 4. dates in range

#[test]
fn dates_out_of_range_are_repaired_or_refused_and_never_become_the_recorded_time() {
    let mut files = month1();
    // A4001, A4002: a DateCreated far in the future, a DateUpdated before HUD's data.
    files = with_cell(
        files,
        "Assessment.csv",
        0,
        "DateCreated",
        "9999-12-31 00:00:00",
    );
    files = with_cell(
        files,
        "Assessment.csv",
        1,
        "DateUpdated",
        "1970-01-01 00:00:00",
    );
    // P1002 born before 1900; P1003 born the day after her entry (E2003, 2025-02-17).
    files = with_cell(files, "Client.csv", 1, "DOB", "1850-01-01");
    files = with_cell(files, "Client.csv", 2, "DOB", "2025-02-18");
    // Row dates before October 1998 or more than a day after the export's end (2025-06-30).
    files = with_cell(files, "Enrollment.csv", 3, "EntryDate", "1990-01-01");
    files = with_cell(files, "Assessment.csv", 2, "AssessmentDate", "9999-12-31");
    files = with_cell(files, "Event.csv", 1, "EventDate", "1997-12-31");
    files = with_cell(
        files,
        "CurrentLivingSituation.csv",
        2,
        "InformationDate",
        "2030-01-01",
    );
    // The day after the export's end is still read.
    files = with_cell(files, "Event.csv", 2, "EventDate", "2025-07-01");
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files);
    let repaired = |file, line, column, value: &str| {
        let issue = finding(&plan, IssueKind::Repaired, file, line, column);
        assert_eq!(issue.value.as_deref(), Some(value), "{issue}");
    };
    repaired("Assessment.csv", 2, "DateCreated", "9999-12-31 00:00:00");
    repaired("Assessment.csv", 3, "DateUpdated", "1970-01-01 00:00:00");
    repaired("Client.csv", 3, "DOB", "1850-01-01");
    repaired("Client.csv", 4, "DOB", "2025-02-18");
    let refused = |file, line, column, value: &str| {
        let issue = finding(&plan, IssueKind::Error, file, line, column);
        assert_eq!(issue.value.as_deref(), Some(value), "{issue}");
    };
    refused("Enrollment.csv", 5, "EntryDate", "1990-01-01");
    refused("Assessment.csv", 4, "AssessmentDate", "9999-12-31");
    refused("Event.csv", 3, "EventDate", "1997-12-31");
    refused(
        "CurrentLivingSituation.csv",
        4,
        "InformationDate",
        "2030-01-01",
    );
    assert!(
        issues(&plan, IssueKind::Error, "Event.csv")
            .iter()
            .all(|i| i.line != Some(4)),
        "{:#?}",
        plan.report.issues
    );
    plan.execute(&workflow).unwrap();
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    let latest = log.iter().map(|e| e.recorded_at).max().unwrap();
    assert!(latest <= import_options().now, "recorded at {latest}");
    let a4001 = log
        .iter()
        .find(|e| match &e.event {
            Event::AssessmentRecorded(a) => {
                a.assessment.location == "Northwoods Emergency Shelter"
                    && e.effective == day(2025, 1, 7)
            }
            _ => false,
        })
        .unwrap();
    // Its DateUpdated, not 9999.
    assert_eq!(
        a4001.recorded_at,
        Utc.with_ymd_and_hms(2025, 1, 7, 10, 30, 0).unwrap()
    );
    let caseload = workflow.caught_up().unwrap().clone();
    let born = |first: &str| {
        caseload
            .households()
            .values()
            .flat_map(|h| &h.members)
            .find(|m| m.first_name.as_deref() == Some(first))
            .map(|m| m.birth_date)
            .unwrap()
    };
    assert_eq!(born("Roy"), None);
    assert_eq!(born("Kayla"), None);
    assert_eq!(born("Dana"), Some(day(1979, 3, 14)));
}

// ------------------------------------------------------- 5. size limits

#[test]
fn a_field_longer_than_hud_s_length_is_cut_and_a_row_over_1_mib_is_refused() {
    let mut files = month1();
    files = with_cell(files, "Event.csv", 0, "UserID", &"u".repeat(40));
    files = with_cell(
        files,
        "CurrentLivingSituation.csv",
        0,
        "VerifiedBy",
        &"v".repeat(150),
    );
    files = with_cell(
        files,
        "Event.csv",
        1,
        "LocationCrisisOrPHHousing",
        &"y".repeat(1_500_000),
    );
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files);
    let cut = finding(&plan, IssueKind::Repaired, "Event.csv", 2, "UserID");
    assert!(cut.reason.contains("cut to 32"), "{cut}");
    let cut = finding(
        &plan,
        IssueKind::Repaired,
        "CurrentLivingSituation.csv",
        2,
        "VerifiedBy",
    );
    assert!(cut.reason.contains("cut to 100"), "{cut}");
    let long: Vec<_> = issues(&plan, IssueKind::Error, "Event.csv");
    assert_eq!(long.len(), 1, "{long:#?}");
    assert_eq!(long[0].line, Some(3));
    assert!(long[0].reason.contains("1 MiB"), "{}", long[0]);
    // The other rows are read: the orphan of the fixture is the only other error.
    let errors: Vec<_> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Error)
        .map(|i| (i.file, i.line))
        .collect();
    assert_eq!(
        errors,
        [("Assessment.csv", Some(9)), ("Event.csv", Some(3))]
    );
    plan.execute(&workflow).unwrap();
    let users: BTreeSet<usize> = workflow
        .store()
        .read_from(0, usize::MAX)
        .unwrap()
        .iter()
        .filter(|e| e.actor.user.0.starts_with("uuu"))
        .map(|e| e.actor.user.0.len())
        .collect();
    assert_eq!(users, BTreeSet::from([32]));
}

#[test]
fn a_file_of_more_than_two_million_rows_is_not_read_and_blocks_the_import() {
    let mut files = month1();
    let header = files["Event.csv"].lines().next().unwrap().to_owned();
    let mut text = String::with_capacity(header.len() + 2 * 2_000_001 + 1);
    text.push_str(&header);
    text.push('\n');
    for _ in 0..2_000_001 {
        text.push_str("x\n");
    }
    files.insert("Event.csv".to_owned(), text);
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files);
    assert_eq!(plan.report.blocked, ["Event.csv"]);
    assert!(plan.steps.is_empty());
    let found = issues(&plan, IssueKind::Error, "Event.csv");
    assert_eq!(found.len(), 1, "one finding, not one per row");
    assert!(found[0].reason.contains("2000000"), "{}", found[0]);
}

#[test]
fn the_cli_prints_the_first_100_findings_and_writes_them_all_to_the_findings_file() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("in");
    copy_dir(&month1_dir(), &source, &[]);
    let cls = source.join("CurrentLivingSituation.csv");
    let mut text = std::fs::read_to_string(&cls).unwrap();
    for _ in 0..300 {
        text.push_str("x\r\n");
    }
    std::fs::write(&cls, text).unwrap();
    let shown = |out: &str| {
        out.lines()
            .filter(|l| {
                ["error: ", "skipped: ", "repaired: ", "note: "]
                    .iter()
                    .any(|k| l.starts_with(k))
            })
            .count()
    };
    let findings = dir.path().join("findings.csv");
    let out = stdout_of(
        import_month1(&dir.path().join("a"), &source)
            .arg("--findings")
            .arg(&findings)
            .assert()
            .success(),
    );
    assert_eq!(shown(&out), 100, "{out}");
    let (_, rows) = table(&std::fs::read_to_string(&findings).unwrap());
    let more = format!(
        "... and {} more (see --findings {})",
        rows.len() - 100,
        findings.display()
    );
    assert!(out.contains(&more), "{more}\n{out}");
    assert!(rows.len() > 300, "{}", rows.len());
    let out = stdout_of(
        import_month1(&dir.path().join("b"), &source)
            .assert()
            .success(),
    );
    assert_eq!(shown(&out), 100, "{out}");
    assert!(
        out.contains(&format!(
            "... and {} more (write them all with --findings FILE)",
            rows.len() - 100
        )),
        "{out}"
    );
}

// ---------------------------------------- 6. files that are not files

#[cfg(unix)]
#[test]
fn a_fifo_or_a_directory_named_like_a_hud_file_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = |path: &Path| {
        let made = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(made.success());
    };
    // Exit.csv a FIFO; Event.csv a symlink to one.
    let source = dir.path().join("fifo");
    copy_dir(&month1_dir(), &source, &["Exit.csv", "Event.csv"]);
    fifo(&source.join("Exit.csv"));
    fifo(&dir.path().join("elsewhere"));
    std::os::unix::fs::symlink(dir.path().join("elsewhere"), source.join("Event.csv")).unwrap();
    let store = dir.path().join("a");
    let out = stdout_of(import_month1(&store, &source).assert().code(2));
    for file in ["Exit.csv", "Event.csv"] {
        assert!(
            out.lines().any(|l| l.starts_with(&format!("error: {file}"))
                && l.contains("not a regular file (a FIFO)")),
            "{file}:\n{out}"
        );
    }
    // A coalition map that is a FIFO is refused too.
    let assert = ce(&dir.path().join("d"))
        .args(["import", "hud-csv", "--coalition-map"])
        .arg(dir.path().join("elsewhere"))
        .arg(month1_dir())
        .assert()
        .code(2);
    assert!(stderr_of(&assert).contains("not a regular file (a FIFO)"));
    // A directory named like an optional file: its rows are not read, the rest is.
    let source = dir.path().join("directory");
    copy_dir(&month1_dir(), &source, &["Assessment.csv"]);
    std::fs::create_dir(source.join("Assessment.csv")).unwrap();
    let out = stdout_of(
        import_month1(&dir.path().join("b"), &source)
            .assert()
            .success(),
    );
    assert!(
        out.lines().any(|l| l.starts_with("error: Assessment.csv")
            && l.contains("not a regular file (a directory)")),
        "{out}"
    );
    // A symlink to a regular file is read.
    let source = dir.path().join("symlink");
    copy_dir(&month1_dir(), &source, &["Client.csv"]);
    std::os::unix::fs::symlink(month1_dir().join("Client.csv"), source.join("Client.csv")).unwrap();
    let out = stdout_of(
        import_month1(&dir.path().join("c"), &source)
            .assert()
            .success(),
    );
    assert!(out.contains("10 household(s)"), "{out}");
}

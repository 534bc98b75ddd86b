//! A key repeated in a file: the first row is kept, and the finding names
//! the file, the line and the key.

use std::collections::BTreeMap;

use ce_core::{EventStore, MemoryStore, Workflow};
use ce_hud_csv::{ExportOptions, HudCsvExport, HudFile, IssueKind};
use ce_tests::support::{read_csv as table, Table};

use crate::support::{at, col, day, edit, empty_workflow, finding, month1, plan};

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

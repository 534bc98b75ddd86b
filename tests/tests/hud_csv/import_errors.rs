//! What an import finds wrong in an edited export of the small caseload, by
//! class (a missing column, a bad code or date, an unknown enrollment), and
//! what it reads anyway (headers in any case, short rows, two-digit years).

use std::collections::BTreeMap;

use ce_core::testing::date;
use ce_core::{Event, EventStore};
use ce_hud_csv::{HudFile, ImportPlan, IssueKind};
use ce_tests::support::read_csv as read;

use crate::caseload::caseload;
use crate::shelter_export::foreign_export;
use crate::support::{by_name, empty_workflow, export, log, options, plan};

/// The caseload's export with one file's text changed.
fn edited(file: HudFile, edit: impl FnOnce(String) -> String) -> BTreeMap<String, String> {
    let c = caseload();
    let mut files = export(&log(&c.scenario), &options(None, None));
    let text = files.remove(&file).unwrap();
    files.insert(file, edit(text));
    by_name(&files)
}

fn only_error(plan: &ImportPlan) -> &ce_hud_csv::ImportIssue {
    let errors: Vec<_> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors[0]
}

#[test]
fn a_missing_or_misspelled_column_ce_needs_is_an_error_naming_it_and_strict_writes_nothing() {
    let files = edited(HudFile::Assessment, |t| {
        t.replacen("AssessmentDate", "AsessmentDate", 1)
    });
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files, false);
    let error = only_error(&plan);
    assert_eq!(
        (error.file, error.line, error.column.as_deref()),
        ("Assessment.csv", Some(1), Some("AssessmentDate"))
    );
    assert!(
        error.reason.contains("missing column AssessmentDate"),
        "{}",
        error.reason
    );
    assert!(error.reason.contains("AsessmentDate"), "{}", error.reason);
    assert!(plan.steps.is_empty());
    assert!(!plan.report.writes);
    plan.execute(&workflow).unwrap();
    assert_eq!(workflow.store().next_position().unwrap(), 0);
}

#[test]
fn headers_match_whatever_their_capitals_and_a_missing_column_ce_does_not_read_is_a_note() {
    let c = caseload();
    let mut files = by_name(&export(&log(&c.scenario), &options(None, None)));
    let exit = files.get_mut("Exit.csv").unwrap();
    *exit = exit.replacen("WorkplaceViolenceThreats", "WorkPlaceViolenceThreats", 1);
    let events = files.get_mut("Event.csv").unwrap();
    *events = events.replacen("EventDate", "eventdate", 1);
    // A column ce does not read, gone entirely: its values too.
    let assessments = files.get_mut("Assessment.csv").unwrap();
    let table: Vec<Vec<String>> = assessments
        .lines()
        .map(|l| {
            let mut cells: Vec<String> = l.split(',').map(str::to_owned).collect();
            cells.remove(4); // AssessmentLocation
            cells
        })
        .collect();
    *assessments = table
        .iter()
        .map(|r| r.join(","))
        .collect::<Vec<_>>()
        .join("\n");
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files, false);
    assert_eq!(
        plan.report.count(IssueKind::Error),
        0,
        "{:#?}",
        plan.report.issues
    );
    let notes: Vec<(&str, Option<&str>)> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Note && i.line == Some(1))
        .map(|i| (i.file, i.column.as_deref()))
        .collect();
    assert!(
        notes.contains(&("Exit.csv", Some("WorkplaceViolenceThreats"))),
        "{notes:?}"
    );
    assert!(
        notes.contains(&("Event.csv", Some("EventDate"))),
        "{notes:?}"
    );
    assert!(
        notes.contains(&("Assessment.csv", Some("AssessmentLocation"))),
        "{notes:?}"
    );
    plan.execute(&workflow).unwrap();
    let caseload = workflow.caught_up().unwrap().clone();
    // Every household is read, and the exits too.
    assert_eq!(caseload.households().len(), 4);
    assert_eq!(
        caseload
            .households()
            .values()
            .filter(|h| h.is_exited())
            .count(),
        2
    );
}

#[test]
fn a_bad_code_is_reported_by_file_line_and_column_and_blocks_the_import() {
    let files = edited(HudFile::Event, |t| {
        t.replacen(",13,,,Coulee RRH", ",19,,,Coulee RRH", 1)
    });
    let workflow = empty_workflow();
    let blocked = plan(&workflow, &files, false);
    let error = only_error(&blocked);
    assert_eq!(
        (error.file, error.line, error.column.as_deref()),
        ("Event.csv", Some(2), Some("Event"))
    );
    assert!(
        error
            .reason
            .contains("19 is not a valid code for 4.20 Event"),
        "{}",
        error.reason
    );
    assert!(blocked.steps.is_empty());
    // Without --strict the rest is written: four households, one referral.
    let skipped = plan(&workflow, &files, true);
    assert!(skipped.report.writes);
    skipped.execute(&workflow).unwrap();
    let caseload = workflow.caught_up().unwrap().clone();
    assert_eq!(caseload.households().len(), 4);
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    let referrals = log
        .iter()
        .filter(|e| matches!(&e.event, Event::CeEventRecorded(r) if r.event.code() == 13))
        .count();
    assert_eq!(referrals, 1);
}

#[test]
fn a_bad_date_is_reported_by_file_line_and_column() {
    let files = edited(HudFile::Assessment, |t| {
        t.replacen("2025-01-07,", "2025-13-07,", 1)
    });
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files, false);
    let error = only_error(&plan);
    assert_eq!(
        (error.file, error.line, error.column.as_deref()),
        ("Assessment.csv", Some(3), Some("AssessmentDate"))
    );
    assert!(
        error.reason.contains("\"2025-13-07\" is not a date"),
        "{}",
        error.reason
    );
    assert!(plan.steps.is_empty());
}

#[test]
fn a_row_on_an_unknown_enrollment_is_reported() {
    let c = caseload();
    let files = export(&log(&c.scenario), &options(None, None));
    let (header, rows) = read(&files[&HudFile::CurrentLivingSituation]);
    let enrollment = rows[3][1].clone();
    let files = edited(HudFile::CurrentLivingSituation, |t| {
        t.replacen(
            &format!("{},{enrollment},", rows[3][0]),
            &format!("{},nope,", rows[3][0]),
            1,
        )
    });
    assert_eq!(header[1], "EnrollmentID");
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files, false);
    let error = only_error(&plan);
    assert_eq!(
        (error.file, error.line, error.column.as_deref()),
        ("CurrentLivingSituation.csv", Some(5), Some("EnrollmentID"))
    );
    assert!(
        error.reason.contains("unknown enrollment nope"),
        "{}",
        error.reason
    );
    assert!(plan.steps.is_empty());
}

#[test]
fn a_row_with_fewer_fields_than_the_header_reads_the_missing_ones_as_empty() {
    let files = edited(HudFile::Event, |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
        let cut: Vec<&str> = lines[1].split(',').take(10).collect();
        lines[1] = cut.join(",");
        lines.join("\n") + "\n"
    });
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files, false);
    assert_eq!(
        plan.report.count(IssueKind::Error),
        0,
        "{:#?}",
        plan.report.issues
    );
    let repaired: Vec<_> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Repaired)
        .map(|i| (i.file, i.line, i.reason.clone()))
        .collect();
    assert_eq!(
        repaired,
        [(
            "Event.csv",
            Some(2),
            "10 fields where the header has 15: the last 5 read as empty".to_owned()
        )]
    );
    plan.execute(&workflow).unwrap();
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| matches!(e.event, Event::CeEventRecorded(_)))
            .count(),
        2
    );
}

#[test]
fn a_birth_date_with_a_two_digit_year_after_the_export_is_of_the_century_before() {
    let mut files = foreign_export();
    let client = files.get_mut("Client.csv").unwrap();
    *client = client.replacen("\"1975-01-01\"", "\"08-MAY-67\"", 1);
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files, false);
    let repaired: Vec<_> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Repaired)
        .map(|i| (i.file, i.column.as_deref(), i.value.as_deref()))
        .collect();
    assert_eq!(repaired, [("Client.csv", Some("DOB"), Some("08-MAY-67"))]);
    plan.execute(&workflow).unwrap();
    let caseload = workflow.caught_up().unwrap().clone();
    let household = caseload.households().values().next().unwrap();
    assert_eq!(household.members[0].birth_date, Some(date(1967, 5, 8)));
}

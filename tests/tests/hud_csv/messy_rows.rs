//! Regressions found by trying messy exports on the import: rows the
//! workflow refuses or repairs, text in other encodings, far-future dates,
//! long text, the coalition map.

use std::collections::BTreeMap;

use ce_core::testing::date;
use ce_core::Coalition;
use ce_hud_csv::IssueKind;
use ce_tests::support::plan_import;

use crate::support::{empty_workflow, findings, fixture, northwoods_options, plan_with, with_cell};

#[test]
fn the_questions_and_results_of_an_assessment_the_workflow_refuses_are_reported() {
    // A4005 (Assessment.csv line 6) dated before its household's entry.
    let month1 = with_cell(
        fixture("month1"),
        "Assessment.csv",
        6,
        "AssessmentDate",
        "2025-01-01",
    );
    let workflow = empty_workflow();
    let plan = plan_with(&workflow, &month1, &northwoods_options());
    assert!(findings(&plan, IssueKind::Error, "Assessment.csv")
        .iter()
        .any(|(line, r)| *line == Some(6) && r.contains("before household")));
    let follows = |file| {
        findings(&plan, IssueKind::Skipped, file)
            .into_iter()
            .filter(|(_, r)| r.contains("follows Assessment.csv line 6"))
            .map(|(line, _)| line)
            .collect::<Vec<_>>()
    };
    assert_eq!(follows("AssessmentQuestions.csv"), [Some(10), Some(11)]);
    assert_eq!(follows("AssessmentResults.csv"), [Some(6)]);
}

#[test]
fn an_exit_dated_before_the_entry_still_exits_the_household() {
    let month1 = with_cell(fixture("month1"), "Exit.csv", 2, "ExitDate", "2025-01-01");
    let workflow = empty_workflow();
    let plan = plan_with(&workflow, &month1, &northwoods_options());
    assert!(
        findings(&plan, IssueKind::Repaired, "Exit.csv")
            .iter()
            .any(|(line, r)| *line == Some(2)
                && r.contains("recorded on 2025-02-20, its last record"))
    );
    assert!(findings(&plan, IssueKind::Skipped, "Exit.csv").is_empty());
    plan.execute(&workflow).unwrap();
    let caseload = workflow.caught_up().unwrap().clone();
    let exited: Vec<chrono::NaiveDate> = caseload
        .households()
        .values()
        .filter_map(|h| match h.status {
            ce_core::HouseholdStatus::Exited { date, .. } => Some(date),
            _ => None,
        })
        .collect();
    assert!(exited.contains(&date(2025, 2, 20)), "{exited:?}");
    // Its assessments and events after the entry are all kept.
    assert_eq!(plan.report.count(IssueKind::Error), 1, "the orphan only");
}

#[test]
fn a_head_who_entered_after_the_other_members_keeps_the_household() {
    // H3007: the head (Enrollment.csv line 10) entered after spouse and child.
    let month1 = with_cell(
        fixture("month1"),
        "Enrollment.csv",
        10,
        "EntryDate",
        "2025-02-01",
    );
    let workflow = empty_workflow();
    let plan = plan_with(&workflow, &month1, &northwoods_options());
    assert!(findings(&plan, IssueKind::Repaired, "Enrollment.csv")
        .iter()
        .any(|(line, r)| *line == Some(10) && r.contains("the household starts then")));
    assert_eq!(plan.report.households, 10);
}

#[test]
fn an_export_without_export_csv_writes_nothing() {
    let mut month1 = fixture("month1");
    month1.remove("Export.csv");
    let workflow = empty_workflow();
    let plan = plan_with(&workflow, &month1, &northwoods_options());
    assert_eq!(plan.report.blocked, ["Export.csv"]);
    assert!(plan.steps.is_empty());
}

#[test]
fn latin_1_names_far_future_dates_and_long_text_are_kept_with_findings() {
    let mut month1 = fixture("month1");
    month1 = with_cell(month1, "Event.csv", 14, "EventDate", "9999-12-31");
    month1 = with_cell(
        month1,
        "CurrentLivingSituation.csv",
        2,
        "LocationDetails",
        &"x".repeat(300),
    );
    month1 = with_cell(
        month1,
        "Event.csv",
        6,
        "LocationCrisisOrPHHousing",
        &"y".repeat(2_000),
    );
    let workflow = empty_workflow();
    let mut files: BTreeMap<String, Vec<u8>> = month1
        .into_iter()
        .map(|(k, v)| (k, v.into_bytes()))
        .collect();
    // "Jose" with a Latin-1 e-acute, as a system exporting Windows-1252 writes it.
    let client = files.get_mut("Client.csv").unwrap();
    let at = client.windows(4).position(|w| w == b"Dana").unwrap();
    client.splice(at..at + 4, b"Jos\xe9".iter().copied());
    let plan = plan_import(&workflow, &files, &northwoods_options());
    assert!(findings(&plan, IssueKind::Repaired, "Client.csv")
        .iter()
        .any(|(_, r)| r.contains("read as Latin-1")));
    // An EventDate of 9999-12-31 is not a date an event could have had:
    // the row is refused with an error naming it.
    assert!(
        findings(&plan, IssueKind::Error, "Event.csv")
            .iter()
            .any(|(line, r)| *line == Some(14)
                && r.contains("more than a day after the export's end"))
    );
    assert!(
        findings(&plan, IssueKind::Repaired, "CurrentLivingSituation.csv")
            .iter()
            .any(|(line, r)| *line == Some(2) && r.contains("cut to 250"))
    );
    assert!(findings(&plan, IssueKind::Repaired, "Event.csv")
        .iter()
        .any(|(line, r)| *line == Some(6)
            && r.contains("2000 characters")
            && r.contains("cut to 250")));
    assert_eq!(
        plan.report.count(IssueKind::Error),
        2,
        "the orphan and the far-future event"
    );
    plan.execute(&workflow).unwrap();
    let caseload = workflow.caught_up().unwrap().clone();
    assert!(caseload
        .households()
        .values()
        .flat_map(|h| &h.members)
        .any(|m| m.first_name.as_deref() == Some("José")));
}

#[test]
fn the_summary_counts_every_row_read_and_the_coalition_map_matches_coc_codes_in_any_case() {
    let workflow = empty_workflow();
    let mut options = northwoods_options();
    options.coalition = None;
    options.coalition_map = BTreeMap::from([
        ("wi-500".to_owned(), Coalition::new("Central")),
        ("PR99".to_owned(), Coalition::new("Coulee")),
    ]);
    let plan = plan_with(&workflow, &fixture("month1"), &options);
    let cls = plan
        .report
        .files()
        .into_iter()
        .find(|f| f.file == "CurrentLivingSituation.csv")
        .unwrap();
    assert_eq!((cls.read, cls.imported, cls.skipped), (14, 12, 2));
    assert_eq!(plan.report.households, 10);
    assert!(findings(&plan, IssueKind::Note, "coalition map")
        .iter()
        .any(|(_, r)| r.starts_with("PR99 placed no household")));
    options.coc = Some("XX-999".to_owned());
    let none = plan_with(&workflow, &fixture("month1"), &options);
    assert!(findings(&none, IssueKind::Note, "Enrollment.csv")
        .iter()
        .any(|(_, r)| r.contains("no enrollment is in CoC XX-999")));
}

#[test]
fn a_row_recorded_on_another_household_than_its_enrollments_says_so() {
    // P1009 (H3007's head) is also H3009's partner from 2025-05-12: without
    // a CE project, their CE rows go to the CE household they are in then.
    let month1 = with_cell(
        fixture("month1"),
        "Enrollment.csv",
        15,
        "PersonalID",
        "P1009",
    );
    let workflow = empty_workflow();
    let plan = plan_with(&workflow, &month1, &northwoods_options());
    let moved: Vec<Option<u64>> = findings(&plan, IssueKind::Note, "Event.csv")
        .into_iter()
        .filter(|(_, r)| r.contains("recorded on household H3009"))
        .map(|(line, _)| line)
        .collect();
    assert_eq!(moved, [Some(26), Some(27)]);
}

//! The foreign export fixture (tests/fixtures/foreign-export), month by
//! month: month1 imported whole or with its findings, month2's changes, and
//! an export imported again, older or corrected.

use std::collections::{BTreeMap, BTreeSet};

use ce_core::hud::PrioritizationStatus;
use ce_core::testing::date;
use ce_core::{Envelope, Event, EventStore, MemoryStore, Workflow};
use ce_hud_csv::IssueKind;
use ce_tests::support::read_csv as read;

use crate::support::{
    by_name, ce, empty_workflow, export, findings, fixture, northwoods_options, options, plan_with,
    stdout_of, with_cell,
};

/// Data rows of a file (the header aside).
fn data_rows(files: &BTreeMap<String, String>, name: &str) -> usize {
    read(&files[name]).1.len()
}

#[test]
fn a_foreign_export_without_a_ce_project_imports_every_ce_row_or_says_why_not() {
    let month1 = fixture("month1");
    let workflow = empty_workflow();
    let mut policy_scores = workflow.policy().clone();
    policy_scores.score_result_types = vec!["total".into(), "VI-SPDAT score".into()];
    let workflow = Workflow::new(MemoryStore::new(), policy_scores).unwrap();
    let plan = plan_with(&workflow, &month1, &northwoods_options());
    let issues: Vec<String> = plan.report.issues.iter().map(ToString::to_string).collect();
    // The one row that cannot be imported: the orphan assessment.
    let errors: Vec<_> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Error)
        .map(|i| (i.file, i.line))
        .collect();
    assert_eq!(errors, [("Assessment.csv", Some(9))], "{issues:#?}");
    assert_eq!(plan.report.households, 10, "WI-500 households with CE data");
    plan.execute(&workflow).unwrap();

    // Every CE row of the input is imported, or is in the findings with a
    // reason (file and line), or was deleted in the source.
    let named = |file: &str| -> BTreeSet<u64> {
        plan.report
            .issues
            .iter()
            .filter(|i| i.file == file && matches!(i.kind, IssueKind::Error | IssueKind::Skipped))
            .filter_map(|i| i.line.filter(|l| *l > 1))
            .collect()
    };
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    let mut period = options(Some((2025, 1, 1)), Some((2025, 6, 30)));
    period.score_result_types = workflow.policy().score_result_types.clone();
    let out = by_name(&export(&log, &period));
    for (file, deleted) in [
        ("Assessment.csv", 0),
        ("AssessmentQuestions.csv", 0),
        ("AssessmentResults.csv", 0),
        ("Event.csv", 1),
        ("CurrentLivingSituation.csv", 0),
    ] {
        let input = data_rows(&month1, file);
        let not_imported = named(file).len() + deleted;
        assert_eq!(
            data_rows(&out, file),
            input - not_imported,
            "{file}: {input} rows in, {:?} named in the findings",
            named(file)
        );
    }
    // Which rows the findings name, and why.
    assert_eq!(named("Assessment.csv"), BTreeSet::from([9, 10])); // orphan, WI-501
    assert_eq!(named("AssessmentResults.csv"), BTreeSet::from([9, 10]));
    assert_eq!(named("Event.csv"), BTreeSet::from([36, 37])); // WI-501
                                                              // A duplicate key and WI-501.
    assert_eq!(named("CurrentLivingSituation.csv"), BTreeSet::from([8, 15]));
    // No 4.12 is invented: of 14 rows, 12 come back, though three
    // enrollments have none on their entry date; the invalid 999 is kept as 99.
    let (_, cls) = read(&out["CurrentLivingSituation.csv"]);
    assert_eq!(cls.len(), 12);
    assert_eq!(cls.iter().filter(|r| r[4] == "99").count(), 1);
    // The source's ids and dependent fields come back.
    let (_, events) = read(&out["Event.csv"]);
    let row = |id: &str| events.iter().find(|r| r[0] == id).unwrap().clone();
    assert_eq!(
        row("V6011")[1..6],
        ["E2003", "P1003", "2025-02-17", "2", "1"]
    );
    assert_eq!(row("V6024")[6], "1", "ReferralCaseManageAfter");
    assert_eq!(row("V6020")[8..10], ["1", ""], "a result without its date");
    assert_eq!(
        row("V6032")[8..10],
        ["2", "2025-06-06"],
        "a result before its event"
    );
    assert_eq!(
        row("V6014")[1],
        "E2005",
        "on the head of household's enrollment"
    );
    // 3.917, 4.12 and 3.12 fields the workflow does not decide on come back.
    let (_, exits) = read(&out["Exit.csv"]);
    let exit = exits.iter().find(|r| r[0] == "X2001").unwrap();
    assert_eq!(exit[3..6], ["2025-03-10", "435", "431"]);
    let (header, enrollments) = read(&out["Enrollment.csv"]);
    let e2003 = enrollments.iter().find(|r| r[0] == "E2003").unwrap();
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    assert_eq!(
        [
            &e2003[col("LivingSituation")],
            &e2003[col("RentalSubsidyType")],
            &e2003[col("LengthOfStay")],
            &e2003[col("LOSUnderThreshold")],
            &e2003[col("PreviousStreetESSH")],
            &e2003[col("EnrollmentCoC")],
        ],
        ["435", "433", "5", "0", "0", "WI-500"]
    );
    let c5004 = cls.iter().find(|r| r[0] == "C5004").unwrap();
    assert_eq!(c5004[4..12], ["336", "", "", "1", "0", "0", "0", "1"]);
    // Scores under local result names; an assessment placed without one.
    let caseload = workflow.caught_up().unwrap().clone();
    let scores: BTreeSet<Option<u32>> = caseload.households().values().map(|h| h.score()).collect();
    assert!(scores.contains(&Some(9)) && scores.contains(&Some(12)) && scores.contains(&Some(14)));
    let unscored = caseload
        .households()
        .values()
        .filter(|h| {
            h.score().is_none()
                && h.assessment.as_ref().is_some_and(|(_, a)| {
                    a.prioritization == PrioritizationStatus::PlacedOnPrioritizationList
                })
        })
        .count();
    assert_eq!(unscored, 1, "A4004");

    // The same export again writes nothing.
    let again = plan_with(&workflow, &month1, &northwoods_options());
    assert!(again.steps.is_empty(), "{:#?}", again.steps);

    // Next month: exactly the change. A4006 now placed (a correction),
    // V6037 new, V6031 deleted; and the links of the changed rows.
    let before = workflow.store().next_position().unwrap();
    let next = plan_with(&workflow, &fixture("month2"), &northwoods_options());
    next.execute(&workflow).unwrap();
    let written: Vec<Envelope> = workflow.store().read_from(before, usize::MAX).unwrap();
    let mut kinds: Vec<String> = written
        .iter()
        .map(|e| match &e.event {
            Event::EventCorrected(c) => format!("corrected {}", c.fields.join(",")),
            Event::CeEventRecorded(r) => format!("4.20 event {}", r.event.code()),
            Event::HmisRecordDeleted(d) => format!("deleted {}", d.id),
            Event::HmisRecordsLinked(l) => {
                let mut ids: Vec<&str> = l.links.iter().map(|k| k.id.as_str()).collect();
                ids.sort_unstable();
                format!("linked {}", ids.join(","))
            }
            other => other.event_type().to_owned(),
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "4.20 event 4",
            "corrected assessment.prioritization",
            "deleted V6031",
            "linked A4006",
            "linked V6037",
        ]
    );
    let again = plan_with(&workflow, &fixture("month2"), &northwoods_options());
    assert!(again.steps.is_empty(), "{:#?}", again.steps);
}

#[test]
fn the_cli_imports_the_foreign_export_with_exit_0_and_writes_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/foreign-export");
    let map = dir.path().join("coalitions.csv");
    std::fs::write(&map, "source,coalition\nPR10,Lakeshore\nWI-500,Northwest\n").unwrap();
    let findings = dir.path().join("findings.csv");
    let out = stdout_of(
        ce(&store)
            .args(["import", "hud-csv", "--coc", "WI-500", "--coalition-map"])
            .arg(&map)
            .arg("--findings")
            .arg(&findings)
            .arg(fixture.join("month1"))
            .assert()
            .success(),
    );
    assert!(out.contains("10 household(s)"), "{out}");
    let (_, rows) = read(&std::fs::read_to_string(&findings).unwrap());
    assert!(
        rows.iter()
            .any(|r| r[..5] == ["error", "Assessment.csv", "9", "EnrollmentID", "E2098"]),
        "{rows:?}"
    );
    // Shelter households (PR10) are Lakeshore's, the others Northwest's.
    ce(&store)
        .args(["export", "jsonl"])
        .arg(dir.path().join("log.jsonl"))
        .assert()
        .success();
    let log = std::fs::read_to_string(dir.path().join("log.jsonl")).unwrap();
    let coalitions: BTreeSet<String> = log
        .lines()
        .filter(|l| l.contains("\"HouseholdEnrolled\""))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["data"]["coalition"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        coalitions,
        BTreeSet::from(["Lakeshore".to_owned(), "Northwest".to_owned()])
    );
    // A coalition the policy does not know is refused before anything is read.
    std::fs::write(&map, "source,coalition\nPR10,Lakeshor\n").unwrap();
    ce(&dir.path().join("other"))
        .args(["import", "hud-csv", "--coalition-map"])
        .arg(&map)
        .arg(fixture.join("month1"))
        .assert()
        .code(2);
    // The same export again writes nothing.
    let again = stdout_of(
        ce(&store)
            .args([
                "import",
                "hud-csv",
                "--coc",
                "WI-500",
                "--coalition",
                "Central",
            ])
            .arg(fixture.join("month1"))
            .assert()
            .success(),
    );
    assert!(again.contains(", 0 write(s)"), "{again}");
}

#[test]
fn a_full_refresh_does_not_delete_an_event_whose_row_it_has_but_cannot_read() {
    let workflow = empty_workflow();
    plan_with(&workflow, &fixture("month1"), &northwoods_options())
        .execute(&workflow)
        .unwrap();
    let month2 = with_cell(fixture("month2"), "Event.csv", 9, "EventDate", "18-03-2025");
    let plan = plan_with(&workflow, &month2, &northwoods_options());
    let deleted: Vec<String> = findings(&plan, IssueKind::Note, "Event.csv")
        .into_iter()
        .filter(|(_, r)| r.contains("recorded as a deletion"))
        .map(|(_, r)| r)
        .collect();
    assert_eq!(
        deleted.len(),
        1,
        "only V6031, deleted in the source: {deleted:?}"
    );
    assert!(deleted[0].starts_with("V6031"), "{deleted:?}");
}

#[test]
fn an_older_export_imported_after_a_newer_one_changes_nothing() {
    let workflow = empty_workflow();
    plan_with(&workflow, &fixture("month1"), &northwoods_options())
        .execute(&workflow)
        .unwrap();
    plan_with(&workflow, &fixture("month2"), &northwoods_options())
        .execute(&workflow)
        .unwrap();
    let older = plan_with(&workflow, &fixture("month1"), &northwoods_options());
    assert!(older.steps.is_empty(), "{:#?}", older.steps);
    assert!(findings(&older, IssueKind::Note, "Assessment.csv")
        .iter()
        .any(|(line, r)| *line == Some(7) && r.contains("older than the version imported before")));
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    let out = by_name(&export(
        &log,
        &options(Some((2025, 1, 1)), Some((2025, 7, 31))),
    ));
    let (header, rows) = read(&out["Assessment.csv"]);
    let a4006 = rows.iter().find(|r| r[0] == "A4006").unwrap();
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    assert_eq!(a4006[col("PrioritizationStatus")], "1");
    assert_eq!(a4006[col("DateUpdated")], "2025-07-09 10:14:00");
}

#[test]
fn a_client_s_birth_date_fixed_in_the_source_is_a_correction_of_the_enrollment() {
    let workflow = empty_workflow();
    plan_with(&workflow, &fixture("month1"), &northwoods_options())
        .execute(&workflow)
        .unwrap();
    let mut month2 = with_cell(fixture("month2"), "Client.csv", 2, "DOB", "1979-03-15");
    month2 = with_cell(
        month2,
        "Client.csv",
        2,
        "DateUpdated",
        "2025-07-20 10:00:00",
    );
    let before = workflow.store().next_position().unwrap();
    let plan = plan_with(&workflow, &month2, &northwoods_options());
    assert!(findings(&plan, IssueKind::Note, "Enrollment.csv")
        .iter()
        .any(|(line, r)| *line == Some(2) && r.contains("E2001 changed in the source")));
    plan.execute(&workflow).unwrap();
    let written = workflow.store().read_from(before, usize::MAX).unwrap();
    let fixed = written
        .iter()
        .filter_map(|e| match &e.event {
            Event::EventCorrected(c) => Some(c.fields.clone()),
            _ => None,
        })
        .find(|f| f == &["members".to_owned()]);
    assert!(fixed.is_some(), "{written:#?}");
    let caseload = workflow.caught_up().unwrap().clone();
    assert!(caseload
        .households()
        .values()
        .flat_map(|h| &h.members)
        .any(|m| m.birth_date == Some(date(1979, 3, 15))));
}

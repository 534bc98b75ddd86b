//! Dates out of HUD's range: repaired or refused, never the time an event
//! is recorded at.

use ce_core::{Event, EventStore};
use ce_hud_csv::IssueKind;
use chrono::{TimeZone, Utc};

use crate::support::{
    day, empty_workflow, finding, import_options, issues, month1, plan, with_cell,
};

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

//! The export: HUD's headers in HUD's order, row ids that trace back to
//! events, and the reporting period.

use ce_core::Event;
use ce_hud_csv::HudFile;
use ce_tests::support::read_csv as read;

use crate::caseload::caseload;
use crate::hud_header::hud_header;
use crate::support::{export, log, options};

#[test]
fn every_file_has_hud_s_exact_header_in_hud_s_order() {
    let c = caseload();
    let files = export(&log(&c.scenario), &options(None, None));
    let names: Vec<&str> = files.keys().map(|f| f.file_name()).collect();
    assert_eq!(
        names,
        [
            "Export.csv",
            "Organization.csv",
            "Project.csv",
            "ProjectCoC.csv",
            "CEParticipation.csv",
            "Client.csv",
            "Enrollment.csv",
            "Exit.csv",
            "Assessment.csv",
            "AssessmentQuestions.csv",
            "AssessmentResults.csv",
            "Event.csv",
            "CurrentLivingSituation.csv",
        ]
    );
    for (file, text) in &files {
        assert_eq!(read(text).0, hud_header(*file), "{file}");
        assert!(!text.starts_with('\u{feff}'), "{file} starts with a BOM");
        assert!(!text.contains('\r'), "{file} has CRLF line ends");
    }
    let widths: Vec<usize> = files.keys().map(|f| hud_header(*f).len()).collect();
    assert_eq!(widths, [19, 9, 19, 15, 15, 46, 71, 44, 13, 13, 11, 15, 18]);
}

#[test]
fn row_ids_trace_back_to_the_events_that_produced_them() {
    let c = caseload();
    let log = log(&c.scenario);
    let files = export(&log, &options(None, None));
    let (header, rows) = read(&files[&HudFile::CurrentLivingSituation]);
    assert_eq!(header[0], "CurrentLivingSitID");
    let follow_up = log
        .iter()
        .find(|e| matches!(e.event, Event::ContactMade(_)))
        .unwrap();
    assert_eq!(rows[3][0], follow_up.event_id.hmis_id());
    let (_, rows) = read(&files[&HudFile::Assessment]);
    let assessed: Vec<String> = log
        .iter()
        .filter_map(|e| match &e.event {
            Event::AssessmentRecorded(a) => Some(a.assessment.assessment_id.hmis_id()),
            _ => None,
        })
        .collect();
    let exported: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(exported, assessed);
    for text in files.values() {
        let (header, rows) = read(text);
        for row in rows {
            for (column, value) in header.iter().zip(&row) {
                if column.ends_with("ID") && column != "UserID" {
                    assert!(value.len() <= 32, "{column} {value}");
                }
            }
        }
    }
}

#[test]
fn an_export_with_no_data_in_the_range_still_writes_every_file_with_its_header() {
    let c = caseload();
    let files = export(
        &log(&c.scenario),
        &options(Some((2023, 1, 1)), Some((2023, 12, 31))),
    );
    for (file, text) in &files {
        let (header, rows) = read(text);
        assert_eq!(header, hud_header(*file));
        let expected = match file {
            // The CE project: its organization, project, CoC and CE participation.
            HudFile::Export
            | HudFile::Organization
            | HudFile::Project
            | HudFile::ProjectCoC
            | HudFile::CEParticipation => 1,
            _ => 0,
        };
        assert_eq!(rows.len(), expected, "{file}");
    }
    let empty = export(&[], &options(None, None));
    assert_eq!(read(&empty[&HudFile::Enrollment]).1.len(), 0);
    assert_eq!(read(&empty[&HudFile::Export]).1.len(), 1);
}

#[test]
fn a_reporting_period_keeps_enrollments_open_in_it_and_nothing_after_its_end() {
    let c = caseload();
    let log = log(&c.scenario);
    // 2025-03-01..03-02: H1 exited 02-28 (out), H4 out, H3 not yet enrolled;
    // H2's referral of 03-01 is in but its 03-05 result is not.
    let files = export(&log, &options(Some((2025, 3, 1)), Some((2025, 3, 2))));
    let households: Vec<String> = read(&files[&HudFile::Enrollment])
        .1
        .iter()
        .map(|r| r[4].clone())
        .collect();
    let h2 = c.h[1].hmis_id();
    assert_eq!(households, [h2.clone(), h2.clone(), h2]);
    let (_, events) = read(&files[&HudFile::Event]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0][0], c.r[1].hmis_id());
    assert_eq!((events[0][8].as_str(), events[0][9].as_str()), ("", ""));
    assert!(read(&files[&HudFile::Exit]).1.is_empty());
    let (_, export_row) = read(&files[&HudFile::Export]);
    assert_eq!(
        (export_row[0][10].as_str(), export_row[0][11].as_str()),
        ("2025-03-01", "2025-03-02")
    );
    // Both Couleecap programs were posted by the end of the period.
    assert_eq!(read(&files[&HudFile::Project]).1.len(), 3);
}

//! Another HMIS's export written out here: CE data on a shelter enrollment,
//! no CE project, imported into ce as a library and through the CLI.

use std::collections::BTreeMap;

use ce_core::testing::date;
use ce_core::{Actor, EventStore, Role};
use ce_hud_csv::{HudFile, IssueKind};
use ce_tests::support::read_csv as read;

use crate::hud_header::hud_header;
use crate::support::{at, ce, empty_workflow, export, options, plan, stdout_of};

/// A foreign FY2024 export: a shelter project whose enrollment carries the
/// CE assessment and referral (no type-14 project), CRLF line ends, a BOM,
/// every field quoted, a hashed Client.csv without the gender columns, a
/// deleted assessment and a diversion event the workflow has no place for.
pub fn foreign_export() -> BTreeMap<String, String> {
    let trailer = "\"2025-01-05 10:00:00\",\"2025-01-05 10:00:00\",\"u7\",\"\",\"X9\"";
    let mut files = BTreeMap::new();
    let mut put = |name: &str, header: Vec<String>, rows: &[String]| {
        let quoted: Vec<String> = header.iter().map(|h| format!("\"{h}\"")).collect();
        let mut text = format!("\u{feff}{}\r\n", quoted.join(","));
        for row in rows {
            text.push_str(row);
            text.push_str("\r\n");
        }
        files.insert(name.to_owned(), text);
    };
    put(
        "Export.csv",
        hud_header(HudFile::Export),
        &["\"X9\",\"3\",\"\",\"Other HMIS\",\"\",\"\",\"\",\"\",\"\",\"2025-02-01 00:00:00\",\"2025-01-01\",\"2025-01-31\",\"Other\",\"9\",\"2024 v1.3\",\"3\",\"2\",\"4\",\"other-impl\"".to_owned()],
    );
    put(
        "Organization.csv",
        hud_header(HudFile::Organization),
        &[
            format!("\"O1\",\"Shelter Org\",\"0\",\"\",{trailer}"),
            format!("\"O2\",\"Housing Org\",\"0\",\"\",{trailer}"),
        ],
    );
    put(
        "Project.csv",
        hud_header(HudFile::Project),
        &[
            format!("\"P1\",\"O1\",\"Night Shelter\",\"\",\"2020-01-01\",\"\",\"1\",\"1\",\"\",\"\",\"\",\"4\",\"\",\"\",{trailer}"),
            format!("\"P2\",\"O2\",\"Rapid Homes\",\"\",\"2020-01-01\",\"\",\"1\",\"13\",\"\",\"2\",\"\",\"4\",\"\",\"\",{trailer}"),
        ],
    );
    let gender = [
        "Woman",
        "Man",
        "NonBinary",
        "CulturallySpecific",
        "Transgender",
        "Questioning",
        "DifferentIdentity",
        "GenderNone",
        "DifferentIdentityText",
    ];
    let client_header: Vec<String> = hud_header(HudFile::Client)
        .into_iter()
        .filter(|c| !gender.contains(&c.as_str()))
        .collect();
    let mut client = vec![String::new(); client_header.len()];
    for (column, value) in [
        ("PersonalID", "C1"),
        (
            "FirstName",
            "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea",
        ),
        ("NameDataQuality", "1"),
        ("SSNDataQuality", "99"),
        ("DOB", "1975-01-01"),
        ("DOBDataQuality", "1"),
        ("VeteranStatus", "0"),
        ("DateCreated", "2025-01-05 10:00:00"),
        ("DateUpdated", "2025-01-05 10:00:00"),
        ("UserID", "u7"),
        ("ExportID", "X9"),
    ] {
        let i = client_header.iter().position(|c| c == column).unwrap();
        client[i] = value.to_owned();
    }
    let client: Vec<String> = client.iter().map(|v| format!("\"{v}\"")).collect();
    put("Client.csv", client_header, &[client.join(",")]);
    let mut enrollment = vec!["\"\"".to_owned(); 71];
    for (i, v) in [
        (0, "E1"),
        (1, "C1"),
        (2, "P1"),
        (3, "2025-01-05"),
        (4, "HH1"),
        (5, "1"),
        (6, "WI-500"),
        (7, "116"),
        (13, "2"),
        (14, "103"),
        (15, "1"),
        (66, "2025-01-05 10:00:00"),
        (67, "2025-01-05 10:00:00"),
        (68, "u7"),
        (70, "X9"),
    ] {
        enrollment[i] = format!("\"{v}\"");
    }
    put(
        "Enrollment.csv",
        hud_header(HudFile::Enrollment),
        &[enrollment.join(",")],
    );
    put(
        "Assessment.csv",
        hud_header(HudFile::Assessment),
        &[
            format!("\"A1\",\"E1\",\"C1\",\"2025-01-06\",\"Night Shelter\",\"3\",\"2\",\"1\",{trailer}"),
            "\"A2\",\"E1\",\"C1\",\"2025-01-07\",\"Night Shelter\",\"3\",\"2\",\"1\",\"2025-01-07 10:00:00\",\"2025-01-08 10:00:00\",\"u7\",\"2025-01-08 10:00:00\",\"X9\"".to_owned(),
        ],
    );
    put(
        "AssessmentQuestions.csv",
        hud_header(HudFile::AssessmentQuestions),
        &[],
    );
    put(
        "AssessmentResults.csv",
        hud_header(HudFile::AssessmentResults),
        &[format!(
            "\"R1\",\"A1\",\"E1\",\"C1\",\"CE prioritization score\",\"8\",{trailer}"
        )],
    );
    put(
        "Event.csv",
        hud_header(HudFile::Event),
        &[
            "\"V1\",\"E1\",\"C1\",\"2025-01-20\",\"13\",\"\",\"\",\"Rapid Homes\",\"1\",\"2025-01-25\",\"2025-01-20 09:00:00\",\"2025-01-25 09:00:00\",\"u8\",\"\",\"X9\"".to_owned(),
            "\"V2\",\"E1\",\"C1\",\"2025-01-08\",\"2\",\"0\",\"\",\"\",\"\",\"\",\"2025-01-08 09:00:00\",\"2025-01-08 09:00:00\",\"u8\",\"\",\"X9\"".to_owned(),
        ],
    );
    put(
        "CurrentLivingSituation.csv",
        hud_header(HudFile::CurrentLivingSituation),
        &[format!("\"L1\",\"E1\",\"C1\",\"2025-01-05\",\"116\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",{trailer}")],
    );
    put(
        "Exit.csv",
        hud_header(HudFile::Exit),
        &[{
            let mut exit = vec!["\"\"".to_owned(); 44];
            for (i, v) in [
                (0, "X1"),
                (1, "E1"),
                (2, "C1"),
                (3, "2025-01-31"),
                (4, "410"),
                (39, "2025-01-31 12:00:00"),
                (40, "2025-01-31 12:00:00"),
                (41, "u7"),
                (43, "X9"),
            ] {
                exit[i] = format!("\"{v}\"");
            }
            exit.join(",")
        }],
    );
    files
}

#[test]
fn a_foreign_export_with_ce_data_on_a_shelter_enrollment_is_imported_into_ce() {
    let workflow = empty_workflow();
    let plan = plan(&workflow, &foreign_export(), false);
    let issues: Vec<String> = plan.report.issues.iter().map(ToString::to_string).collect();
    assert_eq!(plan.report.count(IssueKind::Error), 0, "{issues:#?}");
    assert_eq!(plan.report.deleted.get("Assessment.csv"), Some(&1));
    let skipped: Vec<_> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Skipped)
        .collect();
    assert!(skipped.is_empty(), "{issues:#?}");
    assert_eq!(plan.report.households, 1);
    plan.execute(&workflow).unwrap();
    let caseload = workflow.caught_up().unwrap().clone();
    let household = caseload.households().values().next().unwrap();
    assert_eq!(household.project_start, date(2025, 1, 5));
    assert_eq!(household.score(), Some(8));
    assert!(household.is_exited());
    // Hashed names are not kept.
    assert_eq!(household.members[0].first_name, None);
    // The referral made in the source system is recorded with its result.
    assert_eq!(household.housed_elsewhere, Some(date(2025, 1, 25)));
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    let files = export(&log, &options(Some((2025, 1, 1)), Some((2025, 1, 31))));
    let (_, events) = read(&files[&HudFile::Event]);
    // Both events, the diversion with its result, as the source has them.
    assert_eq!(events[0][3..10], ["2025-01-08", "2", "0", "", "", "", ""]);
    assert_eq!(
        events[1][3..10],
        ["2025-01-20", "13", "", "", "Rapid Homes", "1", "2025-01-25"]
    );
    // DateCreated and DateUpdated as the source has them.
    assert_eq!(
        events[1][10..13],
        ["2025-01-20 09:00:00", "2025-01-25 09:00:00", "u8"]
    );
    // Importing the same files again writes nothing: every row is matched
    // to what the first import recorded from the same source.
    let again = self::plan(&workflow, &foreign_export(), false);
    let issues: Vec<String> = again
        .report
        .issues
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(again.report.count(IssueKind::Error), 0, "{issues:#?}");
    assert!(again.steps.is_empty(), "{:#?}", again.steps);
    assert!(again.report.unchanged > 0);
}

#[test]
fn imported_events_are_recorded_as_an_import_of_the_source_export() {
    let workflow = empty_workflow();
    plan(&workflow, &foreign_export(), false)
        .execute(&workflow)
        .unwrap();
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    let first = &log[0];
    assert_eq!(first.actor, Actor::new("u7", "hmis-csv:X9", Role::Lead));
    assert_eq!(first.recorded_at, at(2025, 1, 5, 10, 0));
}

#[test]
fn cli_imports_a_directory_exports_it_again_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("in");
    std::fs::create_dir(&source).unwrap();
    for (name, text) in foreign_export() {
        std::fs::write(source.join(name), text).unwrap();
    }
    let store = dir.path().join("store");
    // Without --coalition the import cannot say whose lists households join.
    ce(&store)
        .args(["import", "hud-csv"])
        .arg(&source)
        .assert()
        .code(2);
    let out = stdout_of(
        ce(&store)
            .args(["import", "hud-csv", "--coalition", "Coulee"])
            .arg(&source)
            .assert()
            .success(),
    );
    assert!(out.contains("export X9: 1 household(s)"), "{out}");
    ce(&store).arg("verify").assert().success();
    let out = dir.path().join("out");
    ce(&store)
        .args([
            "export",
            "hud-csv",
            "--from",
            "2025-01-01",
            "--to",
            "2025-01-31",
        ])
        .arg(&out)
        .assert()
        .success();
    for file in HudFile::ALL {
        let text = std::fs::read_to_string(out.join(file.file_name())).unwrap();
        assert_eq!(read(&text).0, hud_header(*file));
    }
    let (_, events) = read(&std::fs::read_to_string(out.join("Event.csv")).unwrap());
    assert_eq!(events[1][7], "Rapid Homes");
    let report = ce(&store)
        .args([
            "--json",
            "report",
            "ce-apr",
            "--from",
            "2025-01-01",
            "--to",
            "2025-01-31",
        ])
        .output()
        .unwrap();
    let apr: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(apr["tables"][0]["rows"][2]["label"], "In person");
    assert_eq!(apr["tables"][0]["rows"][2]["total"], 1);
    let out = stdout_of(
        ce(&store)
            .args([
                "report",
                "timeliness",
                "--from",
                "2025-01-01",
                "--to",
                "2025-01-31",
            ])
            .assert()
            .success(),
    );
    assert!(out.contains("Days from referral to result"), "{out}");
    // A row with an error: with --strict nothing is written (exit code 2);
    // without, the rest is imported, the row is a finding, and exit is 0.
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    for (name, text) in foreign_export() {
        let text = if name == "Event.csv" {
            text.replacen("\"13\"", "\"19\"", 1)
        } else {
            text
        };
        std::fs::write(bad.join(name), text).unwrap();
    }
    let other = dir.path().join("other");
    let out = stdout_of(
        ce(&other)
            .args(["import", "hud-csv", "--strict", "--coalition", "Coulee"])
            .arg(&bad)
            .assert()
            .code(2),
    );
    assert!(
        out.contains("error: Event.csv line 2 column Event"),
        "{out}"
    );
    let out = stdout_of(
        ce(&other)
            .args(["export", "jsonl"])
            .arg(dir.path().join("log.jsonl"))
            .assert()
            .success(),
    );
    assert!(out.contains("exported 0 events"), "{out}");
    let findings = dir.path().join("findings.csv");
    let out = stdout_of(
        ce(&other)
            .args(["import", "hud-csv", "--coalition", "Coulee", "--findings"])
            .arg(&findings)
            .arg(&bad)
            .assert()
            .success(),
    );
    assert!(out.contains("Event.csv"), "{out}");
    let (header, rows) = read(&std::fs::read_to_string(&findings).unwrap());
    assert_eq!(
        header,
        ["kind", "file", "line", "column", "value", "reason"]
    );
    assert!(
        rows.iter()
            .any(|r| r[..5] == ["error", "Event.csv", "2", "Event", "19"]),
        "{rows:?}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&findings).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

//! Formula injection: no cell an export writes starts a spreadsheet
//! formula, and an import gets the text back as it was typed.

use std::collections::BTreeSet;
use std::path::Path;

use ce_hud_csv::HudFile;
use ce_tests::support::{read_csv as table, rows_without_export_id};

use crate::support::{ce, col, stdout_of};

/// What a spreadsheet takes for the start of a formula (OWASP).
const FORMULA_START: &[char] = &['=', '+', '-', '@', '\t', '\r'];

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

/// Every string value of a store's log, its personal data opened.
fn log_strings(store: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for envelope in ce_tests::cli::opened_log(store) {
        strings(&serde_json::to_value(&envelope).unwrap(), &mut out);
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
    let texts = log_strings(&b);
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

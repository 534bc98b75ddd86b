//! Bad input is exit 2, naming what is wrong and where: HUD codes a field
//! does not have, malformed or loosely written input files, a FIFO given as
//! a file.

use ce_tests::cli::{assert_contains, text, Store, EXIT_INPUT, EXIT_REJECTED};
use serde_json::{json, Value};

use crate::fixtures::{assert_recorded, assessment, doc_block, id, with_household, UNKNOWN_ID};

#[test]
fn hud_codes_not_valid_for_their_field_are_refused_by_name() {
    let (s, household) = with_household();
    let contact = |situation: &str, residence: &str, months: &str| {
        s.refused(
            "--role access followup {} --date 2025-04-01 --contact --residence {} \
             --months-homeless {} --living-situation {} --note {}",
            &[
                &household,
                residence,
                months,
                situation,
                "Met at the shelter and talked about housing.",
            ],
            EXIT_INPUT,
        )
    };
    assert_contains(
        &contact("24", "116", "113"),
        &[
            "--living-situation 24",
            "Deceased",
            "4.12 CurrentLivingSituation",
        ],
    );
    assert_contains(&contact("116", "17", "113"), &["--residence 17", "3.917"]);
    assert_contains(
        &contact("116", "116", "114"),
        &["--months-homeless 114", "MonthsHomeless"],
    );
    let err = s.refused(
        "--role access exit {} --date 2025-04-01 --destination 37 --reason {}",
        &[&household, "Lost touch."],
        EXIT_INPUT,
    );
    assert_contains(&err, &["--destination 37", "3.12 Destination"]);
}

#[test]
fn malformed_input_files_are_refused_naming_the_file_and_the_problem() {
    let s = Store::new();
    s.ok("init", &[]);
    let enroll = |name: &str, contents: &str, code: i32| {
        let file = s.write(name, contents);
        let err = s.refused("--role access enroll --file {}", &[&file], code);
        (file, err)
    };
    let household: Value = serde_json::from_str(&doc_block("household.json")).expect("JSON");

    let (file, err) = enroll(
        "truncated.json",
        "{\n  \"coalition\": \"Coulee\",\n",
        EXIT_INPUT,
    );
    assert_contains(&err, &[&file, "line 3"]);

    // The error docs/cli.md shows, from the documented file with one typo.
    let typo = doc_block("household.json").replace("\"relationship\": 2", "\"relationship\": 7");
    let (file, err) = enroll("household.json", &typo, EXIT_INPUT);
    assert_contains(
        &err,
        &[&format!(
            "{file}: 7 is not a valid code for 3.15 RelationshipToHoH at line 16 column 23"
        )],
    );

    let mut bad = household.clone();
    bad["current"]["living_situation"] = json!(24);
    let (file, err) = enroll("current.json", &bad.to_string(), EXIT_INPUT);
    assert_contains(&err, &[&file, "24", "4.12 CurrentLivingSituation"]);

    let mut bad = household.clone();
    if let Some(object) = bad.as_object_mut() {
        object.remove("project_start");
    }
    let (file, err) = enroll("missing.json", &bad.to_string(), EXIT_INPUT);
    assert_contains(&err, &[&file, "missing field `project_start`"]);

    let mut bad = household.clone();
    bad["members"][1]["relationship"] = json!(1);
    let (_, err) = enroll("two-heads.json", &bad.to_string(), EXIT_REJECTED);
    assert!(err.contains("exactly one head of household"), "{err}");

    // A file that is not there is named.
    let missing = s.file("nowhere.json");
    let out = s
        .cmd("--role access enroll --file {}", &[&missing])
        .output()
        .expect("ce runs");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains(&missing),
        "{}",
        text(&out.stderr)
    );

    // An assessment with a code 4.19 does not have.
    let file = s.write("household.json", &doc_block("household.json"));
    let household = id(&s.ok("--role access enroll --file {}", &[&file]));
    let mut bad: Value = serde_json::from_str(&doc_block("assessment.json")).expect("JSON");
    bad["assessment_type"] = json!(4);
    let file = s.write("assessment.json", &bad.to_string());
    let err = s.refused(
        "--role access assess {} --file {}",
        &[&household, &file],
        EXIT_INPUT,
    );
    assert_contains(&err, &[&file, "4.19 AssessmentType"]);
}

#[test]
fn input_files_are_read_strictly_and_errors_are_bad_input() {
    let (s, household) = with_household();
    let assess = "--role access assess {} --file {}";
    // A byte-order mark is skipped.
    let with_bom = format!("\u{feff}{}", assessment("2025-03-08", 12));
    let file = s.write("bom.json", &with_bom);
    assert_recorded(&s.ok(assess, &[&household, &file]));
    // Latin-1 is named as not UTF-8 (exit 2, not a storage error).
    let file = s.file("latin1.json");
    std::fs::write(&file, b"{\"location\": \"Caf\xe9\"}").expect("write");
    let err = s.refused(assess, &[&household, &file], EXIT_INPUT);
    assert!(err.contains("not UTF-8"), "{err}");
    // A misspelt field is named, not dropped.
    let mut typo = assessment("2025-03-09", 12);
    typo["scroe"] = json!(3);
    let file = s.write("typo.json", &typo.to_string());
    let err = s.refused(assess, &[&household, &file], EXIT_INPUT);
    assert!(err.contains("\"scroe\""), "{err}");
    // Deep nesting is refused before parsing.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let file = s.write("deep.json", &deep);
    let err = s.refused(assess, &[&household, &file], EXIT_INPUT);
    assert!(err.contains("nests deeper"), "{err}");
    // A member file naming another household is refused.
    let mut member: Value = serde_json::from_str(&doc_block("member.json")).expect("JSON");
    member["household"] = json!(UNKNOWN_ID);
    let file = s.write("member.json", &member.to_string());
    let err = s.refused(
        "--role access members {} add --file {} --date 2025-03-10",
        &[&household, &file],
        EXIT_INPUT,
    );
    assert!(err.contains("household"), "{err}");
    // An invalid policy file is bad input, and nothing is stored.
    let mut policy: Value = serde_json::from_str(&s.ok("--json policy show", &[])).expect("JSON");
    policy["coalitions"][0] = json!("Brown\u{0}County");
    policy["version"] = json!(9);
    let file = s.write("policy.json", &policy.to_string());
    let err = s.refused("--role lead init --policy {}", &[&file], EXIT_INPUT);
    assert!(
        err.contains("control characters") && !err.contains("stored"),
        "{err}"
    );
    // Options that would be dropped are refused.
    let err = s.refused(
        "--role provider referral ack {} --reason client-location",
        &[UNKNOWN_ID],
        EXIT_INPUT,
    );
    assert!(err.contains("--reason"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_fifo_given_as_an_input_file_is_refused_without_waiting() {
    let (s, _) = with_household();
    let fifo = s.file("input.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|st| st.success());
    if !made {
        eprintln!("skipped: no mkfifo here");
        return;
    }
    let err = s.refused("--role access enroll --file {}", &[&fifo], EXIT_INPUT);
    assert!(err.contains("not a regular file"), "{err}");
}

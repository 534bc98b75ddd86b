//! Size limits: fields longer than HUD's lengths, rows over 1 MiB, files of
//! more than two million rows, and findings past the first 100.

use std::collections::BTreeSet;

use ce_core::EventStore;
use ce_hud_csv::IssueKind;
use ce_tests::support::read_csv as table;

use crate::support::{
    copy_dir, empty_workflow, finding, import_month1, issues, month1, month1_dir, plan, stdout_of,
    with_cell,
};

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

//! `ce-store-sled/examples/embed.rs`, the embedding guide in code: it runs,
//! prints what it promises, stays short and names nothing but ce's crates.

use std::process::Command;

use ce_tests::support::workspace;

const EXAMPLE: &str = "ce-store-sled/examples/embed.rs";

#[test]
fn the_embedding_example_is_short_and_names_only_ces_crates() {
    let source = std::fs::read_to_string(workspace().join(EXAMPLE)).expect("the example");
    let lines = source.lines().count();
    assert!(lines <= 100, "{EXAMPLE} has {lines} lines");
    for path in ["chrono::", "uuid::", "sled::", "serde"] {
        assert!(
            !source.replace("ce_store_sled::", "").contains(path),
            "{EXAMPLE} names {path}"
        );
    }
}

#[test]
fn the_embedding_example_runs_the_workflow_and_prints_history_and_lists() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "run",
            "-q",
            "-p",
            "ce-store-sled",
            "--all-features",
            "--example",
            "embed",
        ])
        .current_dir(workspace())
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the example failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    let expected_starts = [
        "Coulee / psh / adults-only as of 2025-04-16 (1 households)",
        "rank  hh",
        "   1  ",
        "referred ",
        "2025-03-03 household enrolled in CE",
        "2025-03-04 CE assessment: placed on Coulee / th / adults-only; placed on Coulee / rrh / adults-only; placed on Coulee / psh / adults-only",
        "2025-04-01 status update with contact",
        "2025-04-02 contact attempt (CE note)",
        "2025-04-16 referral offered: referral ",
        "2025-04-22 referral accepted: removed from Coulee / th / adults-only",
        "Coulee / psh / adults-only as of 2025-04-23 (0 households)",
    ];
    for (i, start) in expected_starts.iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or_default();
        assert!(
            line.starts_with(start),
            "line {i}: {line:?}, expected {start:?}\n{stdout}"
        );
    }
    assert!(
        lines[2].contains("Dana Example") && lines[2].contains("yes"),
        "{stdout}"
    );
    assert!(lines[3].ends_with("(rank 1)"), "{stdout}");
    assert!(lines[9].ends_with("accepted (result 1)"), "{stdout}");
}

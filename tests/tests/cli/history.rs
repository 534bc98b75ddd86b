//! `ce history`, `ce explain` and `ce correct`.

use ce_tests::cli::{assert_contains, EXIT_INPUT, EXIT_REJECTED};

use crate::fixtures::{with_household, PSH_AGENCY};

#[test]
fn history_explain_and_a_correction() {
    let (s, household) = with_household();
    let history = s.ok("history {}", &[&household]);
    assert_contains(
        &history,
        &[
            "household enrolled in CE",
            "CE assessment",
            "4.19",
            "placed on Coulee / psh / with-children",
        ],
    );
    let entries = s.json("history {}", &[&household]);
    let assessment = entries
        .as_array()
        .and_then(|entries| {
            entries
                .iter()
                .find(|e| e["event_type"] == "AssessmentRecorded")
        })
        .and_then(|e| e["event_id"].as_str())
        .unwrap_or_else(|| panic!("no assessment in the history: {entries}"))
        .to_owned();

    let explained = s.ok("explain {} --program psh --as-of 2025-03-10", &[&household]);
    assert_contains(&explained, &["rank 1", "assessment score", "14"]);

    // Only access staff and leads correct household records.
    let err = s.refused(
        "--role provider --agency {} correct {} {} --patch {} --reason {}",
        &[
            PSH_AGENCY,
            &household,
            &assessment,
            r#"{"assessment":{"score":20}}"#,
            "Bump",
        ],
        EXIT_REJECTED,
    );
    assert!(err.contains("role provider may not correct"), "{err}");

    // The score was typed wrong: 7, below the family PSH floor of 9.
    assert_contains(
        &s.ok(
            "correct {} {} --patch {} --reason {}",
            &[
                &household,
                &assessment,
                r#"{"assessment":{"score":7}}"#,
                "Score typed wrong",
            ],
        ),
        &["corrected", &assessment],
    );
    let shown = s.ok("show {} --as-of 2025-03-10", &[&household]);
    assert_contains(&shown, &["score 7", "off the psh lists"]);
    let history = s.ok("history {}", &[&household]);
    assert_contains(&history, &["CE assessment", "correction"]);
    assert!(s.ok("verify", &[]).starts_with("ok"));
}

/// A HUD code a field does not have is bad input (exit 2) wherever it comes
/// from: a flag, an input file, or a correction's patch.
#[test]
fn a_correction_with_a_bad_hud_code_is_bad_input() {
    let (s, household) = with_household();
    let entries = s.json("history {}", &[&household]);
    let assessment = entries
        .as_array()
        .and_then(|entries| {
            entries
                .iter()
                .find(|e| e["event_type"] == "AssessmentRecorded")
        })
        .and_then(|e| e["event_id"].as_str())
        .unwrap_or_else(|| panic!("no assessment in the history: {entries}"))
        .to_owned();
    let err = s.refused(
        "correct {} {} --patch {} --reason {}",
        &[
            &household,
            &assessment,
            r#"{"assessment":{"assessment_type":4}}"#,
            "Typo",
        ],
        EXIT_INPUT,
    );
    assert!(err.contains("4.19 AssessmentType"), "{err}");
}

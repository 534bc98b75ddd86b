//! Commands the workflow rules refuse: exit 3 with a clear error, and
//! nothing written.

use ce_tests::cli::{assert_contains, describe, EXIT_INPUT, EXIT_REJECTED};

use crate::fixtures::{post_psh, referred, with_household, PSH_AGENCY, RRH_AGENCY, UNKNOWN_ID};

#[test]
fn workflow_rules_refuse_with_a_clear_error_and_write_nothing() {
    let (s, household) = with_household();
    for note in ["", "   "] {
        let err = s.refused(
            "--role access followup {} --date 2025-04-01 --no-contact --method phone --note {}",
            &[&household, note],
            EXIT_REJECTED,
        );
        assert!(err.contains("CE note is empty"), "{err}");
    }

    let opening = post_psh(&s, "2025-04-01");
    let err = s.refused(
        "--role provider --agency {} refer {} --date 2025-04-02",
        &[PSH_AGENCY, &opening],
        EXIT_REJECTED,
    );
    assert!(
        err.contains("role provider may not refer households"),
        "{err}"
    );

    for (template, values) in [
        ("show {}", &[UNKNOWN_ID][..]),
        (
            "--role access followup {} --date 2025-04-01 --no-contact --method email --note {}",
            &[UNKNOWN_ID, "Emailed about the list."],
        ),
        (
            "--role access exit {} --date 2025-04-01 --destination 410 --reason {}",
            &[UNKNOWN_ID, "Found an apartment."],
        ),
        (
            "refer {} --household {} --date 2025-04-02",
            &[&opening, UNKNOWN_ID],
        ),
    ] {
        let err = s.refused(template, values, EXIT_REJECTED);
        assert!(
            err.contains(&format!("unknown household {UNKNOWN_ID}")),
            "{template}: {err}"
        );
    }
    let err = s.refused("refer {}", &[UNKNOWN_ID], EXIT_REJECTED);
    assert!(
        err.contains(&format!("unknown opening {UNKNOWN_ID}")),
        "{err}"
    );
    let err = s.refused("show household-1", &[], EXIT_INPUT);
    assert_contains(&err, &["\"household-1\"", "UUID"]);

    // A future date; a decline without or with an unknown reason, or by
    // another agency; removing the head of household.
    let err = s.refused(
        "--role access followup {} --date 2999-01-01 --no-contact --method phone --note Called.",
        &[&household],
        EXIT_REJECTED,
    );
    assert!(err.contains("2999-01-01"), "{err}");
    let (referral, _) = referred(&s.ok("refer {} --date 2025-04-02", &[&opening]));
    let err = s.refused("referral decline {}", &[&referral], EXIT_INPUT);
    assert!(err.contains("--reason"), "{err}");
    let err = s.refused(
        "referral decline {} --reason too-far",
        &[&referral],
        EXIT_REJECTED,
    );
    assert!(err.contains("unknown decline reason \"too-far\""), "{err}");
    let err = s.refused(
        "--role provider --agency {} referral accept {}",
        &[RRH_AGENCY, &referral],
        EXIT_REJECTED,
    );
    assert_contains(&err, &[PSH_AGENCY, RRH_AGENCY]);
    let err = s.refused(
        "--role access members {} remove 6f1c7a0e-2b8d-4e51-9a53-0c1d2e3f4a01",
        &[&household],
        EXIT_REJECTED,
    );
    assert!(err.contains("head of household"), "{err}");

    // Usage errors the parser catches: exit 2, nothing written.
    for (template, values) in [
        (
            "followup {} --note {}",
            &[household.as_str(), "Neither."][..],
        ),
        (
            "followup {} --contact --note {}",
            &[&household, "Contact without the status update."],
        ),
        ("list --program mansion", &[]),
        ("sweep --as-of 2025-02-30", &[]),
    ] {
        let before = s.events();
        let out = s.cmd(template, values).output().expect("ce runs");
        assert_eq!(
            out.status.code(),
            Some(EXIT_INPUT),
            "{}",
            describe(template, &out)
        );
        assert_eq!(s.events(), before);
    }
}

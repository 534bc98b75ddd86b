//! Enrolling and assessing households, and recording the 4.20 events that
//! are not ce referrals.

use ce_tests::cli::{assert_contains, describe, Store, EXIT_INPUT, EXIT_REJECTED};
use serde_json::{json, Value};

use crate::fixtures::{
    assert_recorded, assessment, doc_block, id, single_adult, with_household, PSH_AGENCY,
};

/// `ce assess HOUSEHOLD --file F` assesses HOUSEHOLD even when the file (a
/// copy of another household's, say) names a household: it either records
/// the assessment on HOUSEHOLD or refuses the mismatch, never the other one.
#[test]
fn assess_records_the_household_named_on_the_command_line() {
    let (s, other) = with_household();
    let file = s.write("single.json", &single_adult("2025-03-05").to_string());
    let household = id(&s.ok("--role access enroll --file {}", &[&file]));
    let mut copied = assessment("2025-03-06", 10);
    copied["household"] = json!(other);
    let file = s.write("copied.json", &copied.to_string());
    let out = s
        .cmd("--role access assess {} --file {}", &[&household, &file])
        .output()
        .expect("ce runs");
    let (other_shown, shown) = (
        s.ok("show {} --as-of 2025-03-07", &[&other]),
        s.ok("show {} --as-of 2025-03-07", &[&household]),
    );
    assert!(
        other_shown.contains("score 14") && (!out.status.success() || shown.contains("score 10")),
        "`ce assess {household} --file copied.json` (the file names household {other}) \
         should assess {household} or be refused; it assessed {other}:\n\
         --- {other}\n{other_shown}--- {household}\n{shown}"
    );
    if !out.status.success() {
        assert_eq!(
            out.status.code(),
            Some(EXIT_INPUT),
            "{}",
            describe("assess", &out)
        );
    }
}

/// An unknown coalition is named as typed, like every other value.
#[test]
fn an_unknown_coalition_is_named_as_typed() {
    let s = Store::new();
    let mut household: Value = serde_json::from_str(&doc_block("household.json")).expect("JSON");
    household["coalition"] = json!("Madison");
    let file = s.write("coalition.json", &household.to_string());
    let err = s.refused("--role access enroll --file {}", &[&file], EXIT_REJECTED);
    assert!(err.contains("unknown coalition \"Madison\""), "{err}");
    let err = s.refused(
        "--role provider --agency {} opening post --program {} --type psh --coalition Madison \
         --date 2025-04-01",
        &[PSH_AGENCY, "Madison PSH"],
        EXIT_REJECTED,
    );
    assert!(err.contains("unknown coalition \"Madison\""), "{err}");
}

/// `ce event` records 4.20 events that are not ce referrals; `show` and
/// `history` list them; a field that does not go with the code is refused
/// by name.
#[test]
fn ce_event_records_access_and_outside_referrals_and_show_and_history_list_them() {
    let (s, household) = with_household();
    assert_recorded(&s.ok(
        "--role access event {} --date 2025-03-20 --code 2 --diversion-result 0",
        &[&household],
    ));
    assert_recorded(&s.ok(
        "--role access event {} --date 2025-03-21 --code 13 --location {} --result 2 --result-date 2025-03-25",
        &[&household, "Monroe County RRH"],
    ));
    let shown = s.ok("show {} --as-of 2025-04-01", &[&household]);
    assert_contains(
        &shown,
        &[
            "4.20 event 2 on 2025-03-20: Problem Solving/Diversion/Rapid Resolution",
            "4.20 event 13 on 2025-03-21: Referral to RRH project resource opening (result 2, 2025-03-25)",
        ],
    );
    let today = s.json("show {}", &[&household]);
    assert_eq!(today["ce_events"].as_array().map(Vec::len), Some(2));
    let history = s.ok("history {}", &[&household]);
    assert_contains(
        &history,
        &["4.20 event 13: Referral to RRH project resource opening; location Monroe County RRH; result 2 on 2025-03-25"],
    );
    let err = s.refused(
        "--role access event {} --date 2025-03-22 --code 2 --aftercare 1",
        &[&household],
        EXIT_REJECTED,
    );
    assert_contains(&err, &["ReferralCaseManageAfter", "event 5 only"]);
    s.refused(
        "--role access event {} --date 2025-03-22 --code 19",
        &[&household],
        EXIT_INPUT,
    );
    s.refused(
        "--role provider event {} --date 2025-03-22 --code 1",
        &[&household],
        EXIT_REJECTED,
    );
}

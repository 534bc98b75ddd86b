//! `ce list` and `ce show`: today's lists from the projections, PSH's
//! disability rule, coalitions as typed, and the columns naming the head of
//! household.

use ce_tests::cli::{assert_contains, describe, first_line, Store, EXIT_INPUT, EXIT_REJECTED};
use ce_tests::support::workspace;
use serde_json::{json, Value};

use crate::fixtures::{
    adult, days_ago, enroll_assessed, listed, post_psh, referred, with_household, UNKNOWN_ID,
};

/// `ce list` and `ce show` for today read the store's projections;
/// `--as-of` today folds the log: the same output, in text and in JSON.
#[test]
fn todays_lists_and_households_from_the_projections_equal_the_folded_ones() {
    let store = Store::new();
    store.ok("demo --households 40 --seed 7", &[]);
    let today = days_ago(0);
    for filter in [
        "",
        " --coalition Coulee",
        " --program rrh --limit 3",
        " --coalition Central --household-type adults-only --limit 1",
        " --coalition coulee --no-names",
    ] {
        let now = format!("list{filter}");
        let folded = format!("list{filter} --as-of {{}}");
        assert_eq!(
            store.ok(&now, &[]),
            store.ok(&folded, &[&today]),
            "ce {now}"
        );
        assert_eq!(
            store.json(&now, &[]),
            store.json(&folded, &[&today]),
            "ce --json {now}"
        );
    }
    let all = store.json("list", &[]);
    assert!(
        all.as_array().is_some_and(|lists| lists.len() > 3),
        "the demo fills several lists: {all}"
    );

    // `ce show` for today reads the household's row and the list rows.
    let households: Vec<String> = all
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|list| list["rows"].as_array().into_iter().flatten())
        .filter_map(|row| row["household"].as_str().map(str::to_owned))
        .take(12)
        .collect();
    assert!(households.len() >= 10, "{all}");
    for household in &households {
        let folded = format!("show {{}} --as-of {today}");
        assert_eq!(
            store.ok("show {}", &[household]),
            store.ok(&folded, &[household]),
            "ce show {household}"
        );
        assert_eq!(
            store.json("show {}", &[household]),
            store.json(&folded, &[household]),
            "ce --json show {household}"
        );
    }
    let err = store.refused("show {}", &[UNKNOWN_ID], EXIT_REJECTED);
    assert!(err.contains(UNKNOWN_ID), "{err}");
}

#[test]
fn psh_lists_take_only_households_with_a_disabling_condition() {
    let s = Store::new();
    let none = enroll_assessed(&s, "none", &adult(2, "2025-03-03", false), "2025-03-04", 15);
    let disabled = enroll_assessed(
        &s,
        "disabled",
        &adult(3, "2025-03-03", true),
        "2025-03-04",
        9,
    );
    let psh = s.json("list --program psh --as-of 2025-03-10", &[]);
    assert_eq!(listed(&psh), std::slice::from_ref(&disabled), "{psh}");
    // Still on the RRH list: only PSH requires a disability.
    assert!(listed(&s.json("list --program rrh --as-of 2025-03-10", &[])).contains(&none));
    let explained = s.ok("explain {} --program psh --as-of 2025-03-10", &[&none]);
    assert_contains(
        &explained,
        &[
            "off the psh lists",
            "no member with a disabling condition",
            "24 CFR 578.37(a)(1)(i)",
        ],
    );
    let opening = post_psh(&s, "2025-03-10");
    let err = s.refused(
        "refer {} --household {} --bypass-reason {} --date 2025-03-11",
        &[&opening, &none, "Highest score"],
        EXIT_REJECTED,
    );
    assert!(
        err.contains("no member with a disabling condition"),
        "{err}"
    );
    let (_, referred_household) = referred(&s.ok("refer {} --date 2025-03-11", &[&opening]));
    assert_eq!(referred_household, disabled);
    // A policy whose PSH lists admit households without one is refused.
    let mut policy: Value = serde_json::from_str(&s.ok("--json policy show", &[])).expect("JSON");
    let raised = policy["version"].as_u64().expect("version") + 1;
    policy["version"] = json!(raised);
    policy["programs"][0]["eligibility"]["disabled_member"] = json!(false);
    let file = s.write("no-disability.json", &policy.to_string());
    let err = s.refused("--role lead init --policy {}", &[&file], EXIT_INPUT);
    assert!(err.contains("24 CFR 578.37(a)(1)(i)"), "{err}");
}

#[test]
fn a_mistyped_coalition_is_an_error_and_case_does_not_matter() {
    let (s, household) = with_household();
    let err = s.refused("list --coalition Keonsha", &[], EXIT_INPUT);
    assert_eq!(
        first_line(&err),
        "error: unknown coalition \"Keonsha\" (did you mean Kenosha?): the policy's coalitions \
         are Brown County, Central, Coulee, Dairyland, East Central, Fox Cities, Jefferson, \
         Kenosha, Lakeshore, North Central, Northeast, Northwest, NWISH, Ozaukee, Rock Walworth, \
         Rural North, Southwest, Washington, Waukesha, West Central, Winnebagoland"
    );
    let err = s.refused(
        "list --coalition Atlantis --as-of 2025-03-10",
        &[],
        EXIT_INPUT,
    );
    assert!(
        err.starts_with("error: unknown coalition \"Atlantis\": "),
        "{err}"
    );
    let lower = s.json("list --coalition coulee --as-of 2025-03-10", &[]);
    assert_eq!(
        lower,
        s.json("list --coalition Coulee --as-of 2025-03-10", &[])
    );
    assert!(listed(&lower).contains(&household));
    // An empty list of a real coalition is still exit 0.
    assert!(s
        .ok("list --coalition Kenosha", &[])
        .contains("no household"));
    // A coalition a later policy dropped still names the households
    // listed under it.
    let mut policy: Value = serde_json::from_str(&s.ok("--json policy show", &[])).expect("JSON");
    policy["version"] = json!(policy["version"].as_u64().expect("version") + 1);
    let coalitions = policy["coalitions"].as_array_mut().expect("coalitions");
    coalitions.retain(|c| c != "Coulee");
    let file = s.write("without-coulee.json", &policy.to_string());
    s.ok("--role lead init --policy {}", &[&file]);
    assert!(listed(&s.json("list --coalition coulee", &[])).contains(&household));
}

#[test]
fn the_list_shows_the_head_of_household_and_client_id_unless_names_stay_out() {
    let (s, household) = with_household();
    let list = s.ok("list --program psh --as-of 2025-03-10", &[]);
    assert_contains(
        &list,
        &[
            "head of household",
            "client id",
            "Dana Example",
            "6f1c7a0e-2b8d-4e51-9a53-0c1d2e3f4a01",
            &household,
        ],
    );
    let without = s.ok("list --program psh --as-of 2025-03-10 --no-names", &[]);
    assert!(!without.contains("Dana"), "{without}");
    assert!(
        without.contains("6f1c7a0e-2b8d-4e51-9a53-0c1d2e3f4a01"),
        "{without}"
    );
    let json = s.json("list --program psh --as-of 2025-03-10 --no-names", &[]);
    assert_eq!(json[0]["rows"][0]["head_name"], Value::Null);
}

/// A household imported from another HMIS is listed with its head's
/// PersonalID there, the one the HUD CSV export writes back.
#[test]
fn an_imported_household_is_listed_with_its_source_personal_id() {
    let s = Store::new();
    // That HMIS names its scores "total" and "VI-SPDAT score".
    s.ok("init", &[]);
    let mut policy: Value = serde_json::from_str(&s.ok("--json policy show", &[])).expect("JSON");
    policy["version"] = json!(policy["version"].as_u64().expect("version") + 1);
    policy["score_result_types"] = json!(["total", "VI-SPDAT score"]);
    let file = s.write("scores.json", &policy.to_string());
    s.ok("--role lead init --policy {}", &[&file]);
    let export = ce_tests::support::foreign_export_dir("month1");
    let export = export.to_str().expect("a UTF-8 path");
    let out = s
        .cmd("import hud-csv {} --coalition Coulee", &[export])
        .output()
        .expect("ce runs");
    assert!(out.status.success(), "{}", describe("import hud-csv", &out));
    let client = std::fs::read_to_string(
        workspace().join("tests/fixtures/foreign-export/month1/Client.csv"),
    )
    .expect("Client.csv");
    let personal_ids: Vec<String> = client
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .map(|id| id.trim_matches('"').to_owned())
        .collect();
    let lists = s.json("list --as-of 2025-03-20", &[]);
    let sources: Vec<String> = lists
        .as_array()
        .expect("reports")
        .iter()
        .flat_map(|l| l["rows"].as_array().cloned().unwrap_or_default())
        .filter_map(|row| row["head_source_id"].as_str().map(str::to_owned))
        .collect();
    assert!(!sources.is_empty(), "no imported household listed: {lists}");
    for id in &sources {
        assert!(
            personal_ids.contains(id),
            "{id} is not a PersonalID of Client.csv"
        );
    }
    let text = s.ok("list --as-of 2025-03-20", &[]);
    assert!(text.contains(&sources[0]), "{text}");
    // Imported households come with no release of information: another
    // agency's staff see neither the names nor the id that leads to the
    // person in the other HMIS.
    let other = s.ok(
        "--role access --agency Elsewhere list --as-of 2025-03-20",
        &[],
    );
    for id in &sources {
        assert!(!other.contains(id.as_str()), "{other}");
    }
    assert!(other.contains("[withheld]"), "{other}");
}

//! `--json`: one JSON document on stdout with the documented fields, and
//! none on an error.

use ce_tests::cli::{refuse, Store, EXIT_REJECTED};
use serde_json::json;

use crate::fixtures::{doc_block, id, listed, PSH_AGENCY, UNKNOWN_ID};

#[test]
fn json_output_is_one_document_with_the_documented_fields() {
    let s = Store::new();
    let init = s.json("init", &[]);
    assert_eq!(init["events"], 0);
    assert_eq!(init["policy"], "wi-bos");
    assert!(
        init["version"].is_u64() && init["store"].is_string(),
        "{init}"
    );
    let policy = s.json("policy show", &[]);
    assert_eq!(policy["id"], "wi-bos");
    assert!(policy["coalitions"]
        .as_array()
        .is_some_and(|c| c.contains(&json!("Coulee"))));

    let file = s.write("household.json", &doc_block("household.json"));
    let enrolled = s.json("--role access enroll --file {}", &[&file]);
    let household = enrolled["household"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        enrolled,
        json!({ "household": id(&format!("{household}\n")) })
    );
    let file = s.write("assessment.json", &doc_block("assessment.json"));
    let assessed = s.json("--role access assess {} --file {}", &[&household, &file]);
    assert_eq!(
        assessed,
        json!({ "outcome": { "outcome": "recorded" }, "positions": [3] }),
        "after the enrollment and its two members"
    );
    let attempted = s.json(
        "--role access followup {} --date 2025-03-20 --no-contact --method text --note {}",
        &[&household, "Texted about the list; no answer yet."],
    );
    assert_eq!(attempted["positions"], json!([4]));

    let lists = s.json("list --coalition Coulee --as-of 2025-04-01", &[]);
    let lists = lists.as_array().expect("an array of reports");
    assert_eq!(lists.len(), 3, "PSH, TH and RRH with children: {lists:?}");
    for list in lists {
        assert_eq!(list["key"]["coalition"], "Coulee");
        assert_eq!(list["key"]["household_type"], "with-children");
        assert_eq!(list["as_of"], "2025-04-01");
        assert_eq!(
            list["rows"],
            json!([{
                "rank": 1,
                "household": household,
                "coalition": "Coulee",
                "household_type": "with-children",
                "chronic": true,
                "score": 14,
                "head": "6f1c7a0e-2b8d-4e51-9a53-0c1d2e3f4a01",
                "head_name": "Dana Example",
                "months_homeless": 113,
                "placed_on": "2025-03-04",
                "days_on_list": 28,
                "last_contact": "2025-03-04",
                "days_since_contact": 28,
                "live_referral": null
            }]),
            "the assessment is contact, a contact attempt is not"
        );
    }
    let limited = s.json("list --program psh --limit 0 --as-of 2025-04-01", &[]);
    assert!(listed(&limited).is_empty(), "{limited}");

    let opening = s.json(
        "--role provider --agency {} opening post --program {} --type psh --coalition Coulee \
         --date 2025-04-01",
        &[PSH_AGENCY, "Coulee PSH"],
    )["opening"]
        .as_str()
        .expect("the opening id")
        .to_owned();
    let referred = s.json("refer {} --date 2025-04-02", &[&opening]);
    assert_eq!(referred["household"], household.as_str());
    assert_eq!(referred["rank"], 1);
    let referral = referred["referral"].as_str().expect("the referral id");
    let openings = s.json("openings", &[]);
    assert_eq!(openings[0]["id"], opening.as_str());
    assert_eq!(openings[0]["status"], "open");
    assert_eq!(openings[0]["live_referral"], referral);
    let referrals = s.json("referrals --open", &[]);
    assert_eq!(referrals[0]["id"], referral);
    assert_eq!(referrals[0]["household"], household.as_str());
    let acknowledged = s.json(
        "--role provider --agency {} referral ack {} --date 2025-04-03",
        &[PSH_AGENCY, referral],
    );
    assert_eq!(acknowledged["outcome"]["outcome"], "recorded");

    let shown = s.json("show {} --as-of 2025-04-05", &[&household]);
    assert_eq!(shown["household"]["id"], household.as_str());
    assert_eq!(shown["chronic"], true);
    assert_eq!(shown["list_household_type"], "with-children");
    assert_eq!(
        shown["days_since_contact"], 32,
        "since the assessment of 2025-03-04"
    );
    assert!(shown["lists"].as_array().is_some_and(|l| !l.is_empty()));

    assert_eq!(
        s.json("expire --as-of 2025-04-05", &[]),
        json!({ "expired": [] })
    );
    assert_eq!(
        s.json("sweep --as-of 2025-04-05", &[]),
        json!({ "inactivated": [] })
    );
    let backup = s.file("backup.jsonl");
    assert_eq!(
        s.json("export jsonl {}", &[&backup]),
        json!({ "events": 8, "file": backup })
    );
    assert_eq!(
        s.json("verify", &[]),
        json!({ "events": 8, "problems": [] })
    );
    assert_eq!(s.json("rebuild", &[]), json!({ "events": 8 }));

    // An error prints no JSON: stdout stays empty, the error goes to stderr.
    let err = refuse(
        &mut s.cmd("--json show {}", &[UNKNOWN_ID]),
        "--json show",
        EXIT_REJECTED,
    );
    assert!(err.contains(UNKNOWN_ID), "{err}");
}

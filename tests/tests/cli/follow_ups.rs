//! Follow-ups with and without contact, and the inactivity sweep that
//! reads the last contact: day 90, a contact entered late, households
//! housed but not exited.

use ce_tests::cli::{assert_contains, describe, first_line, text, Store};
use serde_json::{json, Value};

use crate::fixtures::{
    adult, assert_recorded, enroll_assessed, listed, with_accepted_referral, with_household,
};

#[test]
fn a_follow_up_without_contact_refuses_what_only_a_contact_records() {
    let (s, household) = with_household();
    for extra in [
        "--residence 116",
        "--months-homeless 113",
        "--living-situation 116",
        "--residence 116 --months-homeless 113 --living-situation 116",
    ] {
        let template =
            format!("--role access followup {{}} --no-contact --method phone {extra} --note {{}}");
        let err = s.refused_usage(&template, &[&household, "Called; no answer."]);
        assert!(
            first_line(&err).starts_with("error: the argument '--no-contact' cannot be used with"),
            "{extra}: {err}"
        );
        let flag = extra.split_whitespace().next().expect("a flag");
        assert!(first_line(&err).contains(flag), "{extra}: {err}");
    }
    // And a contact refuses the no-contact method.
    let err = s.refused_usage(
        "--role access followup {} --contact --residence 116 --months-homeless 113 \
         --living-situation 116 --method phone --note {}",
        &[&household, "Met."],
    );
    assert!(first_line(&err).contains("--method"), "{err}");
}

#[test]
fn inactivity_comes_on_day_90_after_the_last_contact() {
    let s = Store::new();
    // Last contacts (assessments) on 2025-03-04 and 2025-03-05.
    let first = enroll_assessed(&s, "first", &adult(2, "2025-03-03", true), "2025-03-04", 9);
    let second = enroll_assessed(&s, "second", &adult(3, "2025-03-03", true), "2025-03-05", 9);
    // Day 89 of the first: both still listed, 89 days since contact.
    let lists = s.json("list --program rrh --as-of 2025-06-01", &[]);
    let rows = lists[0]["rows"].as_array().expect("rows");
    let days = |h: &str| {
        rows.iter()
            .find(|r| r["household"] == h)
            .map(|r| r["days_since_contact"].clone())
    };
    assert_eq!(days(&first), Some(json!(89)));
    assert_eq!(
        s.ok("--role lead sweep --as-of 2025-06-01", &[]),
        "0 household(s) marked inactive as of 2025-06-01\n"
    );
    let note = "no contact for 90 days or more: the next sweep makes it inactive";
    assert!(!s.ok("show {} --as-of 2025-06-01", &[&first]).contains(note));
    assert!(s.ok("show {} --as-of 2025-06-02", &[&first]).contains(note));
    // Day 90 of the first (89 of the second).
    let swept = s.json("--role lead sweep --as-of 2025-06-02", &[]);
    assert_eq!(swept["inactivated"], json!([first]));
    // Day 91 of the first (90 of the second).
    let swept = s.json("--role lead sweep --as-of 2025-06-03", &[]);
    assert_eq!(swept["inactivated"], json!([second]));
    assert!(listed(&s.json("list --as-of 2025-06-03", &[])).is_empty());
    for (household, since) in [(&first, "2025-06-02"), (&second, "2025-06-03")] {
        let explained = s.ok("explain {} --as-of 2025-06-03", &[household]);
        assert!(
            explained.contains(&format!("inactive since {since}")),
            "{explained}"
        );
    }
    assert!(s.ok("verify", &[]).starts_with("ok"));
}

#[test]
fn a_contact_entered_late_brings_an_inactive_household_back_and_its_history_says_why() {
    // Last contact: the assessment of 2025-03-04. Day 90 is 2025-06-02.
    let (s, household) = with_household();
    let swept = s.ok("--role lead sweep --as-of 2025-06-02", &[]);
    assert!(
        swept.starts_with("1 household(s) marked inactive"),
        "{swept}"
    );
    assert!(s
        .ok("show {} --as-of 2025-06-03", &[&household])
        .contains("status inactive since 2025-06-02"));
    // The paper form of a contact on 2025-05-20 arrives after the sweep.
    // Entered today, long after 2025, the household comes back with a
    // contact 90 or more days old: a note says the next sweep takes it off.
    let out = s
        .cmd(
            "--role access followup {} --date 2025-05-20 --contact --residence 116 \
             --months-homeless 113 --living-situation 116 --note {}",
            &[
                &household,
                "Met at the meal site; entered from the paper form.",
            ],
        )
        .output()
        .expect("ce runs");
    assert!(out.status.success(), "{}", describe("followup", &out));
    assert_recorded(&text(&out.stdout));
    assert!(
        text(&out.stderr).starts_with(&format!(
            "note: household {household} is active again, but its latest contact (2025-05-20)"
        )),
        "{}",
        describe("followup", &out)
    );
    let shown = s.ok("show {} --as-of 2025-06-03", &[&household]);
    assert_contains(
        &shown,
        &["status active", "last contact 2025-05-20 (14 days ago)"],
    );
    let lists = s.json("list --coalition Coulee --as-of 2025-06-03", &[]);
    assert!(
        listed(&lists).contains(&household),
        "back on its lists: {lists}"
    );
    let history = s.ok("history {}", &[&household]);
    assert_contains(
        &history,
        &[
            "now active: this contact, entered late, is dated 2025-05-20, within the 90 days \
             before the inactivation on 2025-06-02",
        ],
    );
    assert!(s.ok("verify", &[]).starts_with("ok"));

    // A contact older than the window does not: the sweep would have found
    // the household all the same.
    let (s, household) = with_household();
    s.ok("--role lead sweep --as-of 2025-06-10", &[]);
    s.ok(
        "--role access followup {} --date 2025-03-10 --contact --residence 116 \
         --months-homeless 113 --living-situation 116 --note {}",
        &[&household, "Late entry of an old contact."],
    );
    assert!(s
        .ok("show {} --as-of 2025-06-11", &[&household])
        .contains("status inactive since 2025-06-10"));
    assert!(s.ok("verify", &[]).starts_with("ok"));
}

#[test]
fn the_sweep_leaves_housed_households_to_the_housed_not_exited_report() {
    let (s, household, referral) = with_accepted_referral();
    // Accepted on 2025-04-22; no contact since the assessment of 2025-03-04.
    let swept = s.json("--role lead sweep --as-of 2025-09-01", &[]);
    assert_eq!(
        swept["inactivated"],
        json!([]),
        "the housed household is not swept"
    );
    let report = s.ok("report housed-not-exited --days 30 --as-of 2025-09-01", &[]);
    assert_contains(
        &report,
        &[
            &household,
            &referral,
            "Dana Example",
            "2025-04-22",
            "132",
            "Coulee PSH",
        ],
    );
    let rows = s.json(
        "report housed-not-exited --days 30 --as-of 2025-09-01 --no-names",
        &[],
    );
    assert_eq!(rows[0]["household"], json!(household));
    assert_eq!(rows[0]["days"], json!(132));
    assert_eq!(rows[0]["head_name"], Value::Null);
    // Too recent for --days 200; and gone once exited.
    assert!(s
        .ok(
            "report housed-not-exited --days 200 --as-of 2025-09-01",
            &[]
        )
        .starts_with("no household"));
    assert_recorded(&s.ok(
        "--role access exit {} --date 2025-09-02 --destination 435 --subsidy 439 --reason {}",
        &[&household, "Moved into PSH"],
    ));
    assert!(s
        .ok("report housed-not-exited --days 30 --as-of 2025-09-03", &[])
        .starts_with("no household"));
}

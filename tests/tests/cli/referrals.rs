//! `ce referrals`: due, overdue and expired referrals, and each referral's
//! place on its list.

use ce_tests::cli::{assert_contains, Store};
use serde_json::{json, Value};

use crate::fixtures::{
    adult, assert_recorded, enroll_assessed, id, post_psh, referred, RRH_AGENCY,
};

#[test]
fn a_referral_is_overdue_and_expires_on_day_10_after_the_offer() {
    let s = Store::new();
    let first = enroll_assessed(&s, "first", &adult(2, "2025-03-03", true), "2025-03-04", 12);
    let second = enroll_assessed(
        &s,
        "second",
        &adult(3, "2025-03-03", true),
        "2025-03-04",
        10,
    );
    let one = post_psh(&s, "2025-04-01");
    let two = post_psh(&s, "2025-04-01");
    let (r1, h1) = referred(&s.ok("refer {} --date 2025-04-01", &[&one]));
    let (r2, h2) = referred(&s.ok("refer {} --date 2025-04-02", &[&two]));
    assert_eq!((&h1, &h2), (&first, &second));

    // Day 9 of the first: nothing overdue, nothing expires.
    assert_eq!(
        s.ok("referrals --overdue --as-of 2025-04-10", &[]),
        "no referral matches\n"
    );
    let listed_open = s.ok("referrals --open --as-of 2025-04-10", &[]);
    assert!(listed_open.contains(&r1) && listed_open.contains(&r2));
    assert_eq!(
        s.ok("--role lead expire --as-of 2025-04-10", &[]),
        "0 referral(s) expired as of 2025-04-10\n"
    );
    // Day 10 of the first: overdue (due today) and expired by `expire`.
    let overdue = s.json("referrals --overdue --as-of 2025-04-11", &[]);
    let overdue = overdue.as_array().expect("an array");
    assert_eq!(overdue.len(), 1, "{overdue:?}");
    assert_eq!(overdue[0]["id"], json!(r1));
    assert_eq!(overdue[0]["due_on"], json!("2025-04-11"));
    assert_eq!(overdue[0]["days_open"], json!(10));
    assert_eq!(overdue[0]["days_overdue"], json!(0));
    let text = s.ok("referrals --overdue --as-of 2025-04-12", &[]);
    assert_contains(
        &text,
        &[
            &r1,
            &r2,
            "overdue: due 2025-04-11, 1 day(s) ago",
            "overdue: due today, 2025-04-12",
        ],
    );
    assert!(s
        .ok("show {} --as-of 2025-04-10", &[&first])
        .contains(&format!(
            "referral {r1} to opening {one} since 2025-04-01, due 2025-04-11"
        )));
    assert!(s
        .ok("show {} --as-of 2025-04-11", &[&first])
        .contains("since 2025-04-01, overdue since 2025-04-11"));
    let expired = s.json("--role lead expire --as-of 2025-04-11", &[]);
    assert_eq!(expired["expired"], json!([r1]));
    // Day 11 of the first is day 10 of the second.
    let expired = s.json("--role lead expire --as-of 2025-04-12", &[]);
    assert_eq!(expired["expired"], json!([r2]));
    assert!(s.ok("verify", &[]).starts_with("ok"));
}

#[test]
fn referrals_show_their_place_on_the_list_sorted_by_date_with_filters() {
    let s = Store::new();
    // Two adults on the Coulee RRH list; only the second is a veteran.
    let top = enroll_assessed(&s, "top", &adult(2, "2025-03-03", true), "2025-03-04", 15);
    let mut veteran = adult(3, "2025-03-03", true);
    veteran["members"][0]["veteran"] = json!(1);
    let veteran = enroll_assessed(&s, "veteran", &veteran, "2025-03-04", 10);
    let rrh = |date: &str, veterans_only: bool| {
        let flag = if veterans_only {
            " --veterans-only"
        } else {
            ""
        };
        id(&s.ok(
            &format!(
                "--role provider --agency {{}} opening post --program {{}} --type rrh \
                 --coalition Coulee --date {{}}{flag}"
            ),
            &[RRH_AGENCY, "Couleecap RRH", date],
        ))
    };
    let for_veterans = rrh("2025-04-01", true);
    let out = s.ok("refer {} --date 2025-04-03", &[&for_veterans]);
    let (later, household) = referred(&out);
    assert_eq!(household, veteran);
    // First among the households the opening serves, second on its list.
    assert!(
        out.contains("(rank 1 among the households eligible for the opening, place 2 on Coulee / rrh / adults-only)"),
        "{out}"
    );
    let open = rrh("2025-04-01", false);
    let (earlier, _) = referred(&s.ok("refer {} --date 2025-04-02", &[&open]));

    let all = s.ok("referrals --as-of 2025-04-05", &[]);
    let at = |id: &str| all.find(id).unwrap_or_else(|| panic!("{id} in:\n{all}"));
    assert!(
        at(&earlier) < at(&later),
        "oldest first, newest last:\n{all}"
    );
    assert!(all.contains("place on list"), "{all}");
    let json = s.json("referrals", &[]);
    let places: Vec<(Value, Value)> = json
        .as_array()
        .expect("an array")
        .iter()
        .map(|r| (r["rank"].clone(), r["list_place"].clone()))
        .collect();
    assert_eq!(places, [(json!(1), json!(1)), (json!(1), json!(2))]);

    let only = |filter: &str, values: &[&str]| -> Vec<Value> {
        s.json(&format!("referrals {filter}"), values)
            .as_array()
            .expect("an array")
            .iter()
            .map(|r| r["id"].clone())
            .collect()
    };
    assert_eq!(only("--household {}", &[&top]), [json!(earlier)]);
    assert_eq!(only("--opening {}", &[&for_veterans]), [json!(later)]);
    assert_recorded(&s.ok(
        "--role provider --agency {} referral accept {} --date 2025-04-06",
        &[RRH_AGENCY, &later],
    ));
    assert_eq!(only("--status accepted", &[]), [json!(later)]);
    assert_eq!(only("--status live", &[]), [json!(earlier)]);
    assert_eq!(only("--status expired", &[]), Vec::<Value>::new());
    assert!(s.ok("verify", &[]).starts_with("ok"));
}

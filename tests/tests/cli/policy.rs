//! The policy: a new version adopted by the CE lead, and a store whose
//! policy predates a HUD rule.

use ce_tests::cli::{describe, text, text_of, Store, EXIT_INPUT, EXIT_REJECTED, EXIT_VERIFY};
use serde_json::{json, Value};

use crate::fixtures::{adult, backup_of, enroll_assessed, listed, with_accepted_referral};

#[test]
fn a_policy_change_is_an_event_with_its_own_version_and_verify_keeps_passing() {
    let (s, _household, _referral) = with_accepted_referral();
    let mut policy: Value = serde_json::from_str(&s.ok("--json policy show", &[])).expect("JSON");
    policy["programs"][0]["eligibility"]["min_score_without_children"] = json!(20);
    policy["programs"][0]["eligibility"]["min_score_with_children"] = json!(20);
    let same_version = s.write("same.json", &policy.to_string());
    let err = s.refused("--role lead init --policy {}", &[&same_version], EXIT_INPUT);
    assert!(err.contains("higher version"), "{err}");
    let raised = policy["version"].as_u64().expect("version") + 1;
    policy["version"] = json!(raised);
    let v2 = s.write("v2.json", &policy.to_string());
    let err = s.refused("--role access init --policy {}", &[&v2], EXIT_REJECTED);
    assert!(err.contains("CE lead"), "{err}");
    let out = s.ok("--role lead init --policy {}", &[&v2]);
    assert!(out.contains(&format!("v{raised}")), "{out}");
    // The referral was ranked under the old version: verify checks it so.
    assert!(
        s.ok("verify", &[]).starts_with("ok"),
        "verify after a change"
    );
    let history: Vec<Value> = backup_of(&s);
    assert_eq!(history.last().expect("events")["type"], "PolicyAdopted");
    // The same policy again changes nothing.
    let events = s.events();
    s.ok("--role lead init --policy {}", &[&v2]);
    assert_eq!(s.events(), events);
    // A restore carries the policy and still verifies.
    let file = s.file("backup.jsonl");
    let restored = Store::new();
    restored.ok("import jsonl {}", &[&file]);
    restored.keys_from(&s);
    assert!(restored.ok("verify", &[]).starts_with("ok"));
    let shown: Value = serde_json::from_str(&restored.ok("--json policy show", &[])).expect("JSON");
    assert_eq!(shown["version"], raised);
}

/// A store whose policy was adopted before PSH required a disabling
/// condition (written with the rule's field absent) still opens and lists
/// by its policy; `policy show` and `verify` note the broken HUD rule, and
/// `verify` fails once a household without one is on a PSH list; the CE
/// lead adopting a corrected version clears it.
#[test]
fn a_store_whose_policy_predates_the_psh_rule_opens_and_says_what_to_fix() {
    let s = Store::new();
    s.ok("init", &[]);
    let mut old: Value = serde_json::from_str(&s.ok("--json policy show", &[])).expect("JSON");
    let current_version = old["version"].clone();
    old["version"] = json!(1);
    old["programs"][0]["eligibility"]
        .as_object_mut()
        .expect("PSH eligibility")
        .remove("disabled_member");
    {
        let db = sled::open(&s.path).expect("open the store with sled");
        let meta = db.open_tree("meta").expect("the meta tree");
        meta.insert("policy", old.to_string().as_bytes())
            .expect("write");
        db.flush().expect("flush");
    }
    ce_tests::wait_until_sled_released(&s.path);
    let none = enroll_assessed(&s, "none", &adult(2, "2025-03-03", false), "2025-03-04", 15);
    let out = s.cmd("policy show", &[]).output().expect("ce runs");
    assert!(out.status.success(), "{}", describe("policy show", &out));
    assert!(
        text(&out.stderr).starts_with("note: the policy in force (wi-bos v1) breaks a HUD rule")
    );
    // Listed by its policy, and verify says it must not be.
    assert!(listed(&s.json("list --program psh --as-of 2025-03-10", &[])).contains(&none));
    let out = s.cmd("verify", &[]).output().expect("ce runs");
    assert_eq!(
        out.status.code(),
        Some(EXIT_VERIFY),
        "{}",
        describe("verify", &out)
    );
    assert!(text_of(&out).contains("no member has a disabling condition"));
    // The lead adopts the current default (its version is higher).
    let mut fixed = old.clone();
    fixed["version"] = current_version;
    fixed["programs"][0]["eligibility"]["disabled_member"] = json!(true);
    let file = s.write("fixed.json", &fixed.to_string());
    s.ok("--role lead init --policy {}", &[&file]);
    assert!(listed(&s.json("list --program psh --as-of 2025-03-10", &[])).is_empty());
    let out = s.cmd("verify", &[]).output().expect("ce runs");
    assert!(out.status.success(), "{}", describe("verify", &out));
    assert!(out.stderr.is_empty(), "{}", describe("verify", &out));
}

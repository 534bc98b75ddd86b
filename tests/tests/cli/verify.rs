//! `ce verify` finds what was tampered with in the store and what an edited
//! backup breaks of the workflow rules.

use ce_tests::cli::{assert_contains, describe, text, text_of, Store, EXIT_VERIFY};
use serde_json::{json, Value};

use crate::fixtures::{adult, backup_of, enroll_assessed, with_accepted_referral, with_household};

#[test]
fn verify_reports_a_tampered_event_by_position() {
    let (s, household) = with_household();
    assert!(s.ok("verify", &[]).starts_with("ok"));
    // Served from the projections (an --as-of date would replay the log).
    let show = "show {}";
    let before = s.ok(show, &[&household]);
    {
        let db = sled::open(&s.path).expect("open the store with sled");
        let events = db.open_tree("events").expect("the events tree");
        let key = 2u64.to_be_bytes();
        assert!(events.get(key).expect("read").is_some());
        events
            .insert(key, &b"{\"position\":2,\"tampered\":"[..])
            .expect("write");
        db.flush().expect("flush");
    }
    // The projections still serve the household until something replays.
    assert_eq!(s.ok(show, &[&household]), before);

    let out = s.cmd("verify", &[]).output().expect("ce runs");
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(!out.status.success(), "{}", describe("verify", &out));
    assert!(all.contains("position 2"), "{}", describe("verify", &out));

    // How it fails, all checked before reporting.
    let mut wrong = Vec::new();
    if out.status.code() != Some(EXIT_VERIFY) {
        wrong.push(format!(
            "verify should exit {EXIT_VERIFY} (problems found) and list them: {}",
            describe("verify", &out)
        ));
    }
    let after = s.cmd(show, &[&household]).output().expect("ce runs");
    if text(&after.stdout) != before {
        wrong.push(format!(
            "verify should leave a damaged store no worse (its projections served the \
             household before): {}",
            describe(show, &after)
        ));
    }
    let out = s.cmd("--json verify", &[]).output().expect("ce runs");
    let names_position = serde_json::from_slice::<Value>(&out.stdout)
        .ok()
        .and_then(|report| report["problems"].as_array().cloned())
        .is_some_and(|problems| {
            problems
                .iter()
                .any(|p| p.as_str().is_some_and(|p| p.contains("position 2")))
        });
    if out.status.code() != Some(EXIT_VERIFY) || !names_position {
        wrong.push(format!(
            "--json verify should print {{\"problems\": [...position 2...]}} and exit \
             {EXIT_VERIFY}: {}",
            describe("--json verify", &out)
        ));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn verify_fails_on_a_referral_whose_recorded_rank_was_tampered_with() {
    let s = Store::new();
    s.ok("demo --households 40 --seed 7", &[]);
    assert!(s.ok("verify", &[]).starts_with("ok"));
    let referral = {
        let db = sled::open(&s.path).expect("open the store with sled");
        let events = db.open_tree("events").expect("the events tree");
        let (key, mut envelope) = events
            .iter()
            .map(|row| row.expect("read"))
            .map(|(k, v)| (k, serde_json::from_slice::<Value>(&v).expect("JSON")))
            .find(|(_, e)| e["type"] == "ReferralOffered" && e["data"].get("bypass").is_none())
            .expect("the demo refers households");
        let rank = envelope["data"]["rank"].as_u64().expect("a rank");
        envelope["data"]["rank"] = (rank + 1).into();
        events
            .insert(key, serde_json::to_vec(&envelope).expect("JSON"))
            .expect("write");
        db.flush().expect("flush");
        envelope["data"]["referral"]
            .as_str()
            .expect("an id")
            .to_owned()
    };
    let out = s.cmd("verify", &[]).output().expect("ce runs");
    assert_eq!(
        out.status.code(),
        Some(EXIT_VERIFY),
        "{}",
        describe("verify", &out)
    );
    let report = text(&out.stdout);
    assert!(report.contains(&referral), "names the referral: {report}");
    assert!(report.contains("recorded rank"), "{report}");
}

#[test]
fn verify_catches_backups_edited_to_break_the_workflow_rules() {
    let (s, household, referral) = with_accepted_referral();
    let lines = backup_of(&s);
    let find = |kind: &str| {
        lines
            .iter()
            .position(|l| l["type"] == kind)
            .unwrap_or_else(|| panic!("a {kind} event"))
    };
    type Edit<'a> = Box<dyn Fn(&mut Vec<Value>) + 'a>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "role access",
            Box::new(|l| l[find("ReferralOffered")]["actor"]["role"] = json!("access")),
        ),
        (
            "on an opening of",
            Box::new(|l| l[find("ReferralAccepted")]["actor"]["agency"] = json!("Someone Else")),
        ),
        (
            "head(s)",
            Box::new(|l| l[find("HouseholdEnrolled")]["data"]["members"] = json!([])),
        ),
        (
            "is not one of the policy's",
            Box::new(|l| l[find("HouseholdEnrolled")]["data"]["coalition"] = json!("Atlantis")),
        ),
        (
            "after it was recorded",
            Box::new(|l| l[find("AssessmentRecorded")]["effective"] = json!("9999-12-31")),
        ),
    ];
    for (expected, edit) in cases {
        let mut edited = lines.clone();
        edit(&mut edited);
        let backup: String = edited.iter().map(|l| format!("{l}\n")).collect();
        let file = s.write("edited.jsonl", &backup);
        let target = Store::new();
        target.ok("import jsonl {} --without-checksum", &[&file]);
        target.keys_from(&s);
        let out = target.cmd("verify", &[]).output().expect("ce runs");
        let all = text_of(&out);
        assert_eq!(out.status.code(), Some(EXIT_VERIFY), "{expected}: {all}");
        assert!(all.contains(expected), "{expected}: {all}");
    }
    let _ = (household, referral);
}

/// Exports `s`, edits the first event of `event_type` in the backup,
/// imports it into a new store (without the checksum, which the edit
/// breaks) and runs `verify` there, which must fail; returns what it said.
fn verify_edited_backup(s: &Store, event_type: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut lines = backup_of(s);
    let at = lines
        .iter()
        .position(|l| l["type"] == event_type)
        .unwrap_or_else(|| panic!("a {event_type} event"));
    edit(&mut lines[at]);
    let backup: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let file = s.write("edited.jsonl", &backup);
    let target = Store::new();
    target.ok("import jsonl {} --without-checksum", &[&file]);
    target.keys_from(s);
    let out = target.cmd("verify", &[]).output().expect("ce runs");
    let all = text_of(&out);
    assert_eq!(out.status.code(), Some(EXIT_VERIFY), "{all}");
    all
}

#[test]
fn verify_finds_a_household_made_inactive_within_its_inactivity_days() {
    let (s, household) = with_household();
    s.ok("--role lead sweep --as-of 2025-06-02", &[]);
    assert!(s.ok("verify", &[]).starts_with("ok"));
    // Edit the inactivation to 2025-03-20, 16 days after the last contact.
    let all = verify_edited_backup(&s, "HouseholdInactivated", |event| {
        event["effective"] = json!("2025-03-20");
    });
    assert_contains(
        &all,
        &[
            &format!("makes household {household} inactive on 2025-03-20"),
            "last contact, on 2025-03-04, is 16 day(s) before",
        ],
    );
}

#[test]
fn verify_finds_a_household_without_a_disabling_condition_on_a_psh_list() {
    let s = Store::new();
    let none = enroll_assessed(&s, "none", &adult(2, "2025-03-03", false), "2025-03-04", 15);
    // The lead adopts a new version of the policy (the same rules) ...
    let mut policy: Value = serde_json::from_str(&s.ok("--json policy show", &[])).expect("JSON");
    policy["version"] = json!(policy["version"].as_u64().expect("version") + 1);
    let file = s.write("raised.json", &policy.to_string());
    s.ok("--role lead init --policy {}", &[&file]);
    assert!(s.ok("verify", &[]).starts_with("ok"));
    // ... and the backup is edited so that it drops PSH's disability rule.
    let all = verify_edited_backup(&s, "PolicyAdopted", |event| {
        event["data"]["policy"]["programs"][0]["eligibility"]["disabled_member"] = json!(false);
    });
    assert_contains(
        &all,
        &[
            &format!("household {none} is on the list Coulee / psh / adults-only"),
            "no member has a disabling condition",
        ],
    );
}

//! The households, assessments and openings the tests enter, the documented
//! input files, and reading what `ce` printed back.

use std::time::SystemTime;

use ce_tests::cli::Store;
use ce_tests::support::workspace;
use serde_json::{json, Value};

/// The provider agency posting the PSH opening.
pub const PSH_AGENCY: &str = "Coulee Housing Authority";
/// The provider agency posting the RRH opening.
pub const RRH_AGENCY: &str = "Couleecap";
/// A well-formed id no store knows.
pub const UNKNOWN_ID: &str = "00000000-0000-4000-8000-000000000000";

/// A fenced block of `docs/cli.md` whose info string names `name`
/// (```` ```json household.json ````).
pub fn doc_block(name: &str) -> String {
    let doc = std::fs::read_to_string(workspace().join("docs/cli.md")).expect("docs/cli.md");
    let mut lines = doc.lines();
    lines
        .by_ref()
        .find(|l| l.starts_with("```") && l.split_whitespace().nth(1) == Some(name))
        .unwrap_or_else(|| panic!("docs/cli.md has no ``` block named {name}"));
    let block: Vec<&str> = lines.take_while(|l| l.trim_end() != "```").collect();
    block.join("\n") + "\n"
}

/// A second Coulee household: a single adult with a disabling condition,
/// homeless five months (not chronic).
pub fn single_adult(start: &str) -> Value {
    json!({
        "coalition": "Coulee",
        "project_start": start,
        "members": [{
            "client": "0b5e2f7c-8a41-4c0e-9d1f-5a6b7c8d9e01",
            "relationship": 1,
            "birth_date": "1967-01-30",
            "veteran": 0,
            "disabling_condition": 1
        }],
        "prior": {
            "living_situation": 116,
            "episode_start": "2024-10-01",
            "times_homeless": 2,
            "months_homeless": 105
        },
        "current": { "living_situation": 101 }
    })
}

/// [`single_adult`] with another client id and, unless `disabled`, no
/// disabling condition.
pub fn adult(client_suffix: u8, start: &str, disabled: bool) -> Value {
    let mut household = single_adult(start);
    household["members"][0]["client"] = json!(format!(
        "0b5e2f7c-8a41-4c0e-9d1f-5a6b7c8d9e{client_suffix:02}"
    ));
    household["members"][0]["disabling_condition"] = json!(u8::from(disabled));
    household
}

/// A minimal assessment placing the household on the lists.
pub fn assessment(date: &str, score: u32) -> Value {
    json!({
        "date": date,
        "location": "Coulee CE access point",
        "assessment_type": 1,
        "level": 2,
        "score": score,
        "prioritization": 1
    })
}

/// The id a command printed alone on stdout.
pub fn id(stdout: &str) -> String {
    let id = stdout.trim();
    assert_eq!(stdout, format!("{id}\n"), "one id on one line");
    uuid::Uuid::parse_str(id).unwrap_or_else(|e| panic!("{id:?} is not a UUID: {e}"));
    id.to_owned()
}

/// `ce refer`'s `referral ID` and `household ID (rank N)` lines.
pub fn referred(stdout: &str) -> (String, String) {
    let mut lines = stdout.lines();
    let referral = lines
        .next()
        .and_then(|l| l.strip_prefix("referral "))
        .unwrap_or_else(|| panic!("no `referral ID` line:\n{stdout}"));
    let household = lines
        .next()
        .and_then(|l| l.strip_prefix("household "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no `household ID` line:\n{stdout}"));
    (id(&format!("{referral}\n")), id(&format!("{household}\n")))
}

pub fn assert_recorded(stdout: &str) {
    assert!(stdout.starts_with("recorded"), "{stdout}");
}

/// The households on any row of `ce list --json`.
pub fn listed(lists: &Value) -> Vec<String> {
    lists
        .as_array()
        .expect("list --json is an array of reports")
        .iter()
        .flat_map(|l| l["rows"].as_array().cloned().unwrap_or_default())
        .map(|row| row["household"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A store with the documented household enrolled and assessed (score 14).
pub fn with_household() -> (Store, String) {
    let s = Store::new();
    let file = s.write("household.json", &doc_block("household.json"));
    let household = id(&s.ok("--role access enroll --file {}", &[&file]));
    let file = s.write("assessment.json", &doc_block("assessment.json"));
    assert_recorded(&s.ok("--role access assess {} --file {}", &[&household, &file]));
    (s, household)
}

/// A store with a household referred to a PSH opening and accepted: every
/// kind of event a tampered backup below edits.
pub fn with_accepted_referral() -> (Store, String, String) {
    let (s, household) = with_household();
    let psh = post_psh(&s, "2025-04-15");
    let (referral, _) = referred(&s.ok("refer {} --date 2025-04-16", &[&psh]));
    assert_recorded(&s.ok(
        "--role provider --agency {} referral accept {} --date 2025-04-22",
        &[PSH_AGENCY, &referral],
    ));
    (s, household, referral)
}

/// Posts a PSH opening in Coulee as the PSH provider.
pub fn post_psh(s: &Store, date: &str) -> String {
    id(&s.ok(
        "--role provider --agency {} opening post --program {} --type psh --coalition Coulee --date {}",
        &[PSH_AGENCY, "Coulee PSH", date],
    ))
}

/// Enrolls `household` (JSON) as access staff and assesses it on `date`
/// with `score`; returns its id.
pub fn enroll_assessed(s: &Store, name: &str, household: &Value, date: &str, score: u32) -> String {
    let file = s.write(&format!("{name}.json"), &household.to_string());
    let id = id(&s.ok("--role access enroll --file {}", &[&file]));
    let file = s.write(
        &format!("{name}-assessment.json"),
        &assessment(date, score).to_string(),
    );
    assert_recorded(&s.ok("--role access assess {} --file {}", &[&id, &file]));
    id
}

/// The store's backup as JSON lines, without the checksum line.
pub fn backup_of(s: &Store) -> Vec<Value> {
    let file = s.file("backup.jsonl");
    let _ = std::fs::remove_file(&file);
    s.ok("export jsonl {}", &[&file]);
    std::fs::read_to_string(&file)
        .expect("the backup")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .filter(|v: &Value| v.get("checksum").is_none())
        .collect()
}

/// Today's date (UTC), `days` ago, as YYYY-MM-DD.
pub fn days_ago(days: u64) -> String {
    let since_epoch = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("after 1970");
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    (epoch + chrono::Days::new(since_epoch.as_secs() / 86_400) - chrono::Days::new(days))
        .to_string()
}

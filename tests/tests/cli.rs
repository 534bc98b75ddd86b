//! End-to-end tests of the `ce` binary: every command run as a CE lead,
//! access point or provider would run it, on its own temporary store.
//!
//! The binary is `target/<profile>/ce`, next to this test; the tests build
//! it with `cargo build -p ce-cli` first when cargo runs them (`cargo test`
//! builds a package's binaries only for that package's own tests). The input
//! files and the nightly script are read from `docs/cli.md`, so the
//! documented examples are the tested ones.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, SystemTime};

use ce_tests::cli::{
    argv, assert_contains, ce, ce_std, describe, first_line, refuse, succeed, text, text_of, Store,
    EXIT_INPUT, EXIT_REJECTED, EXIT_STORAGE, EXIT_VERIFY,
};
use ce_tests::support::{ce_binary as ce_path, workspace};
use serde_json::{json, Value};
use tempfile::TempDir;

/// The provider agency posting the PSH opening.
const PSH_AGENCY: &str = "Coulee Housing Authority";
/// The provider agency posting the RRH opening.
const RRH_AGENCY: &str = "Couleecap";
/// A well-formed id no store knows.
const UNKNOWN_ID: &str = "00000000-0000-4000-8000-000000000000";

/// A fenced block of `docs/cli.md` whose info string names `name`
/// (```` ```json household.json ````).
fn doc_block(name: &str) -> String {
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
fn single_adult(start: &str) -> Value {
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

/// A minimal assessment placing the household on the lists.
fn assessment(date: &str, score: u32) -> Value {
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
fn id(stdout: &str) -> String {
    let id = stdout.trim();
    assert_eq!(stdout, format!("{id}\n"), "one id on one line");
    uuid::Uuid::parse_str(id).unwrap_or_else(|e| panic!("{id:?} is not a UUID: {e}"));
    id.to_owned()
}

/// `ce refer`'s `referral ID` and `household ID (rank N)` lines.
fn referred(stdout: &str) -> (String, String) {
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

fn assert_recorded(stdout: &str) {
    assert!(stdout.starts_with("recorded"), "{stdout}");
}

/// The households on any row of `ce list --json`.
fn listed(lists: &Value) -> Vec<String> {
    lists
        .as_array()
        .expect("list --json is an array of reports")
        .iter()
        .flat_map(|l| l["rows"].as_array().cloned().unwrap_or_default())
        .map(|row| row["household"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A store with the documented household enrolled and assessed (score 14).
fn with_household() -> (Store, String) {
    let s = Store::new();
    let file = s.write("household.json", &doc_block("household.json"));
    let household = id(&s.ok("--role access enroll --file {}", &[&file]));
    let file = s.write("assessment.json", &doc_block("assessment.json"));
    assert_recorded(&s.ok("--role access assess {} --file {}", &[&household, &file]));
    (s, household)
}

/// Posts a PSH opening in Coulee as the PSH provider.
fn post_psh(s: &Store, date: &str) -> String {
    id(&s.ok(
        "--role provider --agency {} opening post --program {} --type psh --coalition Coulee --date {}",
        &[PSH_AGENCY, "Coulee PSH", date],
    ))
}

#[test]
fn part_1_part_2_follow_ups_sweep_expiry_exit_and_backup() {
    let s = Store::new();
    assert_contains(&s.ok("init", &[]), &["0 events", "wi-bos"]);

    // Part 1: the documented family and a single adult, enrolled and assessed.
    let file = s.write("household.json", &doc_block("household.json"));
    let a = id(&s.ok("--role access enroll --file {}", &[&file]));
    let file = s.write("single.json", &single_adult("2025-03-05").to_string());
    let b = id(&s.ok("--role access enroll --file {}", &[&file]));
    assert_ne!(a, b);
    let file = s.write("assessment.json", &doc_block("assessment.json"));
    assert_recorded(&s.ok("--role access assess {} --file {}", &[&a, &file]));
    let file = s.write("b.json", &assessment("2025-03-06", 10).to_string());
    assert_recorded(&s.ok("--role access assess {} --file {}", &[&b, &file]));
    let file = s.write("member.json", &doc_block("member.json"));
    assert_recorded(&s.ok(
        "--role access members {} add --file {} --date 2025-03-10",
        &[&a, &file],
    ));

    // Follow-ups with and without contact.
    assert_recorded(&s.ok(
        "--role access followup {} --date 2025-04-01 --contact --residence 116 \
         --months-homeless 113 --living-situation 116 --note {}",
        &[&a, "Talked about PSH openings; still sleeping in the car."],
    ));
    assert_recorded(&s.ok(
        "--role access followup {} --date 2025-04-02 --no-contact --method phone \
         --left-message --note {}",
        &[&b, "Called and left a voicemail asking for a call back."],
    ));

    // The Priority List Report: both households, with the report columns.
    let list = s.ok(
        "list --coalition Coulee --program psh --as-of 2025-04-10",
        &[],
    );
    assert_contains(
        &list,
        &[
            "rank",
            "household",
            "chronic",
            "score",
            "months homeless",
            "placed",
            "days on list",
            "last contact",
            "days since contact",
            "live referral",
        ],
    );
    let row = |id: &str| {
        list.lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("{id} is not listed:\n{list}"))
            .to_owned()
    };
    let cells = [
        "with-children",
        "yes",
        "14",
        "more than 12",
        "2025-03-04",
        "2025-04-01",
    ];
    assert_contains(&row(&a), &cells);
    assert_contains(
        &row(&b),
        // The assessment of 2025-03-06 is its last contact.
        &["adults-only", "no", "10", "2025-03-06", "35"],
    );

    // Part 2: a provider posts an opening, the lead refers the top household.
    let psh = post_psh(&s, "2025-04-15");
    let out = s.ok("refer {} --date 2025-04-16", &[&psh]);
    let (r1, household) = referred(&out);
    assert_eq!(household, a, "the chronic family is the top household");
    assert!(
        out.contains("(rank 1 among the households eligible"),
        "{out}"
    );
    assert_recorded(&s.ok(
        "--role provider --agency {} referral decline {} --date 2025-04-18 --reason client-location",
        &[PSH_AGENCY, &r1],
    ));
    let (r2, household) = referred(&s.ok("refer {} --date 2025-04-19", &[&psh]));
    assert_eq!(household, b, "a declined opening is not offered again");
    assert_recorded(&s.ok(
        "--role provider --agency {} referral accept {} --date 2025-04-22",
        &[PSH_AGENCY, &r2],
    ));

    // The family kept its place after declining: the next opening is its.
    let rrh = id(&s.ok(
        "--role provider --agency {} opening post --program {} --type rrh --coalition Coulee \
         --household-types with-children,adults-only --date 2025-04-20",
        &[RRH_AGENCY, "Couleecap RRH"],
    ));
    let (r3, household) = referred(&s.ok("refer {} --date 2025-04-23", &[&rrh]));
    assert_eq!(household, a);
    let open = s.ok("referrals --open", &[]);
    assert!(open.contains(&r3), "{open}");
    assert!(!open.contains(&r1) && !open.contains(&r2), "{open}");
    assert_contains(&s.ok("referrals", &[]), &[&r1, &r2, &r3]);
    let openings = s.ok("openings", &[]);
    let line = |id: &str| {
        openings
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("{id} missing:\n{openings}"))
            .to_owned()
    };
    assert_contains(&line(&psh), &["filled", PSH_AGENCY]);
    assert_contains(&line(&rrh), &["open", RRH_AGENCY]);

    let show = s.ok("show {} --as-of 2025-04-25", &[&a]);
    assert_contains(&show, &[&a, "Coulee", "2025-03-03", &r3, &rrh]);
    let members = &s.json("show {} --as-of 2025-04-25", &[&a])["household"]["members"];
    assert_eq!(members.as_array().map(Vec::len), Some(3), "with the spouse");

    // No result ten days after the referral: it expires.
    assert_eq!(
        s.json("expire --as-of 2025-05-06", &[]),
        json!({ "expired": [r3] })
    );
    assert!(!s.ok("referrals --open", &[]).contains(&r3));

    // The housed household exits; the other goes inactive and comes back.
    assert_recorded(&s.ok(
        "--role access exit {} --date 2025-05-10 --destination 435 --subsidy 439 --reason {}",
        &[&b, "Moved into Coulee PSH."],
    ));
    let shown = s.json("show {} --as-of 2025-05-10", &[&b]);
    assert_eq!(shown["household"]["status"]["status"], "exited");
    let out = s.ok("sweep --as-of 2025-06-01", &[]);
    assert_contains(&out, &["0 household", "2025-06-01"]);
    assert_eq!(
        s.json("sweep --as-of 2025-07-15", &[]),
        json!({ "inactivated": [a] }),
        "more than 90 days since the last contact"
    );
    assert!(!listed(&s.json("list --as-of 2025-07-15", &[])).contains(&a));
    assert_contains(
        &s.ok("show {} --as-of 2025-07-15", &[&a]),
        &["inactive since 2025-07-15"],
    );
    assert_recorded(&s.ok(
        "--role access followup {} --date 2025-07-20 --contact --residence 101 \
         --months-homeless 113 --living-situation 101 --note {}",
        &[
            &a,
            "Back in touch from the shelter; wants to stay on the list.",
        ],
    ));
    assert!(
        listed(&s.json("list --as-of 2025-07-21", &[])).contains(&a),
        "a contact brings an inactive household back"
    );
    assert_recorded(&s.ok(
        "--role access exit {} --date 2025-08-01 --destination 422 --reason {}",
        &[&a, "Moved in with her sister for good."],
    ));
    assert!(listed(&s.json("list --as-of 2025-08-02", &[])).is_empty());
    assert_contains(
        &s.ok("show {} --as-of 2025-08-02", &[&a]),
        &["exited on 2025-08-01"],
    );

    // Backup, restore into a fresh store, verify both, rebuild.
    let events = s.events();
    let backup = s.file("backup.jsonl");
    assert_contains(&s.ok("export jsonl {}", &[&backup]), &[&events.to_string()]);
    let exported = std::fs::read_to_string(&backup).expect("the backup");
    // One line an event, then the checksum line.
    assert_eq!(exported.lines().count() as u64, events + 1);
    assert!(exported
        .lines()
        .last()
        .is_some_and(|l| l.starts_with("{\"checksum\":\"sha256:")));
    let restored = Store::new();
    assert_contains(
        &restored.ok("import jsonl {}", &[&backup]),
        &[&events.to_string()],
    );
    for store in [&s, &restored] {
        assert!(store.ok("verify", &[]).starts_with("ok"));
    }
    let again = restored.file("again.jsonl");
    restored.ok("export jsonl {}", &[&again]);
    assert_eq!(
        std::fs::read_to_string(&again).expect("the second backup"),
        exported,
        "the restored log is the same log"
    );
    for (template, values) in [
        ("list --as-of 2025-07-21", &[][..]),
        ("show {} --as-of 2025-08-02", &[a.as_str()]),
        ("referrals", &[]),
        ("openings", &[]),
    ] {
        assert_eq!(
            s.json(template, values),
            restored.json(template, values),
            "{template}"
        );
    }
    for store in [&s, &restored] {
        assert_contains(&store.ok("rebuild", &[]), &[&events.to_string()]);
        assert!(store.ok("verify", &[]).starts_with("ok"));
        assert_eq!(store.events(), events, "verify and rebuild write no events");
    }

    // A backup whose third line repeats the first line's event id.
    let mut lines: Vec<Value> = exported
        .lines()
        .map(|l| serde_json::from_str(l).expect("a backup line"))
        .collect();
    lines[2]["event_id"] = lines[0]["event_id"].clone();
    let repeated: Vec<String> = lines.iter().map(Value::to_string).collect();
    let bad = Store::new();
    let file = bad.write("repeated.jsonl", &repeated.join("\n"));
    // The checksum line no longer matches the edited backup...
    assert_contains(
        &bad.refused("import jsonl {}", &[&file], 2),
        &["the checksum does not match"],
    );
    // ...and without it, the repeated id is found.
    let file = bad.write("repeated.jsonl", &repeated[..repeated.len() - 1].join("\n"));
    assert_contains(
        &bad.refused("import jsonl {} --without-checksum", &[&file], 2),
        &["backup line 3 repeats event id"],
    );

    // A store whose import was killed midway keeps the import's mark.
    {
        let store = ce_store_sled::SledStore::open(&restored.path).expect("the restored store");
        let meta = store.db().open_tree("meta").expect("the meta tree");
        meta.insert("importing", &[]).expect("set the mark");
        store.db().flush().expect("flush");
    }
    // sled releases the file lock from its background threads: until it
    // has, the store is reported in use (also exit 5).
    let refused = (0..100)
        .map(|_| refuse(&mut restored.cmd("verify", &[]), "verify", 5))
        .find(|stderr| {
            let in_use = stderr.contains("in use by another process");
            if in_use {
                std::thread::sleep(Duration::from_millis(20));
            }
            !in_use
        })
        .expect("the store is released within 2 s");
    assert_contains(
        &refused,
        &[
            "import of a JSON Lines backup that did not finish",
            "ce rollback-import",
        ],
    );
}

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

#[test]
fn options_fall_back_to_their_environment_variables() {
    let dir = tempfile::tempdir().expect("a temporary directory");

    // No --store and no CE_STORE: ./ce-data in the working directory.
    let out = succeed(ce().current_dir(dir.path()).arg("init"), "init");
    assert!(out.contains("0 events"), "{out}");
    assert!(dir.path().join("ce-data").is_dir(), "./ce-data was created");

    // Store, user, agency and role all from the environment.
    let store = dir.path().join("env-store");
    let env = |args: &[&str]| {
        let mut cmd = ce();
        cmd.env("CE_STORE", &store)
            .env("CE_USER", "pat.jones")
            .env("CE_AGENCY", RRH_AGENCY)
            .env("CE_ROLE", "provider")
            .args(args);
        cmd
    };
    succeed(&mut env(&["init"]), "init (env)");
    let opening = id(&succeed(
        &mut env(&argv(
            "opening post --program {} --type rrh --coalition Coulee --date 2025-05-01",
            &["Couleecap RRH"],
        )),
        "opening post (env)",
    ));
    let backup = dir.path().join("env.jsonl");
    let backup = backup.to_str().expect("a UTF-8 path");
    succeed(&mut env(&["export", "jsonl", backup]), "export (env)");
    let log = std::fs::read_to_string(backup).expect("the backup");
    let event: Value = serde_json::from_str(log.lines().next().expect("one event")).expect("JSON");
    assert_eq!(
        event["actor"],
        json!({ "user": "pat.jones", "agency": RRH_AGENCY, "role": "provider" })
    );
    assert_eq!(event["data"]["opening"], opening.as_str());

    // CE_ROLE is the role unless --role says otherwise.
    let s = Store::new();
    let file = s.write("household.json", &doc_block("household.json"));
    let household = id(&succeed(
        s.cmd("enroll --file {}", &[&file]).env("CE_ROLE", "access"),
        "enroll (CE_ROLE=access)",
    ));
    let file = s.write("assessment.json", &doc_block("assessment.json"));
    succeed(
        s.cmd("assess {} --file {}", &[&household, &file])
            .env("CE_ROLE", "access"),
        "assess (CE_ROLE=access)",
    );
    let opening = id(&succeed(
        s.cmd(
            "opening post --program {} --type psh --coalition Coulee --date 2025-04-01",
            &["Coulee PSH"],
        )
        .env("CE_ROLE", "provider")
        .env("CE_AGENCY", PSH_AGENCY),
        "opening post (CE_ROLE=provider)",
    ));
    let err = refuse(
        s.cmd("refer {} --date 2025-04-02", &[&opening])
            .env("CE_ROLE", "access"),
        "refer (CE_ROLE=access)",
        EXIT_REJECTED,
    );
    assert!(
        err.contains("role access may not refer households"),
        "{err}"
    );
    let (_, referred_household) = referred(&succeed(
        s.cmd("--role lead refer {} --date 2025-04-02", &[&opening])
            .env("CE_ROLE", "access"),
        "refer --role lead (CE_ROLE=access)",
    ));
    assert_eq!(referred_household, household);

    // A role that does not exist is bad usage, named.
    let out = s
        .cmd("openings", &[])
        .env("CE_ROLE", "boss")
        .output()
        .expect("ce runs");
    assert_eq!(out.status.code(), Some(EXIT_INPUT));
    assert!(text(&out.stderr).contains("boss"), "{}", text(&out.stderr));
}

#[test]
fn help_documents_the_environment_and_the_exit_codes() {
    let help = succeed(ce().arg("--help"), "--help");
    assert_contains(
        &help,
        &[
            "CE_STORE",
            "CE_USER",
            "CE_AGENCY",
            "CE_ROLE",
            "--json",
            "Exit codes",
        ],
    );
}

#[test]
fn hud_codes_not_valid_for_their_field_are_refused_by_name() {
    let (s, household) = with_household();
    let contact = |situation: &str, residence: &str, months: &str| {
        s.refused(
            "--role access followup {} --date 2025-04-01 --contact --residence {} \
             --months-homeless {} --living-situation {} --note {}",
            &[
                &household,
                residence,
                months,
                situation,
                "Met at the shelter and talked about housing.",
            ],
            EXIT_INPUT,
        )
    };
    assert_contains(
        &contact("24", "116", "113"),
        &[
            "--living-situation 24",
            "Deceased",
            "4.12 CurrentLivingSituation",
        ],
    );
    assert_contains(&contact("116", "17", "113"), &["--residence 17", "3.917"]);
    assert_contains(
        &contact("116", "116", "114"),
        &["--months-homeless 114", "MonthsHomeless"],
    );
    let err = s.refused(
        "--role access exit {} --date 2025-04-01 --destination 37 --reason {}",
        &[&household, "Lost touch."],
        EXIT_INPUT,
    );
    assert_contains(&err, &["--destination 37", "3.12 Destination"]);
}

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

#[test]
fn malformed_input_files_are_refused_naming_the_file_and_the_problem() {
    let s = Store::new();
    s.ok("init", &[]);
    let enroll = |name: &str, contents: &str, code: i32| {
        let file = s.write(name, contents);
        let err = s.refused("--role access enroll --file {}", &[&file], code);
        (file, err)
    };
    let household: Value = serde_json::from_str(&doc_block("household.json")).expect("JSON");

    let (file, err) = enroll(
        "truncated.json",
        "{\n  \"coalition\": \"Coulee\",\n",
        EXIT_INPUT,
    );
    assert_contains(&err, &[&file, "line 3"]);

    // The error docs/cli.md shows, from the documented file with one typo.
    let typo = doc_block("household.json").replace("\"relationship\": 2", "\"relationship\": 7");
    let (file, err) = enroll("household.json", &typo, EXIT_INPUT);
    assert_contains(
        &err,
        &[&format!(
            "{file}: 7 is not a valid code for 3.15 RelationshipToHoH at line 16 column 23"
        )],
    );

    let mut bad = household.clone();
    bad["current"]["living_situation"] = json!(24);
    let (file, err) = enroll("current.json", &bad.to_string(), EXIT_INPUT);
    assert_contains(&err, &[&file, "24", "4.12 CurrentLivingSituation"]);

    let mut bad = household.clone();
    if let Some(object) = bad.as_object_mut() {
        object.remove("project_start");
    }
    let (file, err) = enroll("missing.json", &bad.to_string(), EXIT_INPUT);
    assert_contains(&err, &[&file, "missing field `project_start`"]);

    let mut bad = household.clone();
    bad["members"][1]["relationship"] = json!(1);
    let (_, err) = enroll("two-heads.json", &bad.to_string(), EXIT_REJECTED);
    assert!(err.contains("exactly one head of household"), "{err}");

    // A file that is not there is named.
    let missing = s.file("nowhere.json");
    let out = s
        .cmd("--role access enroll --file {}", &[&missing])
        .output()
        .expect("ce runs");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains(&missing),
        "{}",
        text(&out.stderr)
    );

    // An assessment with a code 4.19 does not have.
    let file = s.write("household.json", &doc_block("household.json"));
    let household = id(&s.ok("--role access enroll --file {}", &[&file]));
    let mut bad: Value = serde_json::from_str(&doc_block("assessment.json")).expect("JSON");
    bad["assessment_type"] = json!(4);
    let file = s.write("assessment.json", &bad.to_string());
    let err = s.refused(
        "--role access assess {} --file {}",
        &[&household, &file],
        EXIT_INPUT,
    );
    assert_contains(&err, &[&file, "4.19 AssessmentType"]);
}

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
fn a_store_in_use_is_a_clear_error() {
    let (s, _) = with_household();
    let db = sled::open(&s.path).expect("hold the store");
    let err = refuse(&mut s.cmd("openings", &[]), "openings", EXIT_STORAGE);
    assert!(err.contains("in use"), "{err}");
    drop(db);
    s.ok("openings", &[]);
}

#[test]
fn demo_is_deterministic_and_refuses_a_store_it_did_not_fill() {
    let demo = "demo --households 40 --seed 7";
    let (one, two) = (Store::new(), Store::new());
    let printed = one.ok(demo, &[]);
    assert!(printed.contains("Coulee / psh"), "{printed}");
    two.ok(demo, &[]);
    let (a, b) = (one.file("one.jsonl"), two.file("two.jsonl"));
    one.ok("export jsonl {}", &[&a]);
    two.ok("export jsonl {}", &[&b]);
    let (a, b) = (
        std::fs::read(&a).expect("export one"),
        std::fs::read(&b).expect("export two"),
    );
    assert!(!a.is_empty());
    assert!(a == b, "the same seed gives the same log, byte for byte");
    let events = one.events();
    assert!(events > 100, "{events} events");

    // Again on its own store: the same lists, nothing written.
    assert_eq!(one.ok(demo, &[]), printed);
    assert_eq!(one.events(), events);
    let again = one.json(demo, &[]);
    assert_eq!(again["events"], events);
    assert!(again["lists"].is_array(), "{again}");
    assert!(one.ok("verify", &[]).starts_with("ok"));

    // Another seed on it, or the demo on a store with other data: refused.
    let err = one.refused("demo --households 40 --seed 8", &[], EXIT_INPUT);
    assert!(err.contains(&format!("{events} events")), "{err}");
    let (other, _) = with_household();
    let err = other.refused(demo, &[], EXIT_INPUT);
    assert!(err.contains("--store"), "{err}");
}

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

/// Today's date (UTC), `days` ago, as YYYY-MM-DD.
fn days_ago(days: u64) -> String {
    let since_epoch = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("after 1970");
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    (epoch + chrono::Days::new(since_epoch.as_secs() / 86_400) - chrono::Days::new(days))
        .to_string()
}

/// The nightly script of docs/cli.md runs as printed (its /srv/ce moved to
/// a temporary directory) when `jq` is installed.
#[test]
fn the_documented_nightly_script_runs() {
    let has_jq = std::process::Command::new("sh")
        .args(["-c", "command -v jq"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_jq {
        eprintln!("skipped: jq is not installed");
        return;
    }
    let root = tempfile::tempdir().expect("a temporary directory");
    let base = root.path().to_str().expect("a UTF-8 path");
    std::fs::create_dir_all(root.path().join("backups")).expect("the backups directory");
    let script = root.path().join("nightly.sh");
    std::fs::write(&script, doc_block("nightly.sh").replace("/srv/ce", base))
        .expect("write the script");

    // A household enrolled last week and an opening with no referral yet.
    let s = Store {
        path: root.path().join("data"),
        dir: tempfile::tempdir().expect("a temporary directory"),
    };
    let mut household: Value = serde_json::from_str(&doc_block("household.json")).expect("JSON");
    household["project_start"] = json!(days_ago(7));
    let file = s.write("household.json", &household.to_string());
    let household = id(&s.ok("--role access enroll --file {}", &[&file]));
    let file = s.write("assessment.json", &assessment(&days_ago(6), 14).to_string());
    s.ok("--role access assess {} --file {}", &[&household, &file]);
    post_psh(&s, &days_ago(1));

    let bin = ce_path().parent().expect("the binary's directory");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("sh")
        .arg(&script)
        .current_dir(root.path())
        .env("PATH", path)
        .output()
        .expect("sh runs");
    assert!(out.status.success(), "{}", describe("nightly.sh", &out));
    let stdout = text(&out.stdout);
    assert_contains(
        &stdout,
        &[
            &format!("-> household {household} (rank 1)"),
            "with-children\t1\t",
        ],
    );
    let backups = std::fs::read_dir(root.path().join("backups")).expect("the backups");
    assert_eq!(backups.count(), 1);
    assert!(root.path().join("reports").is_dir());
}

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
fn the_example_input_files_are_the_documented_ones() {
    for name in ["household.json", "assessment.json", "member.json"] {
        let file = std::fs::read_to_string(workspace().join("docs/examples").join(name))
            .unwrap_or_else(|e| panic!("docs/examples/{name}: {e}"));
        assert_eq!(
            file,
            doc_block(name),
            "docs/examples/{name} matches docs/cli.md"
        );
    }
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

// ---------------------------------------------------------------------------
// Hardening: output, store paths, permissions, the terminal
// ---------------------------------------------------------------------------

#[test]
fn output_that_cannot_be_written_is_exit_5_and_the_new_id_is_on_stderr() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        return;
    }
    let s = Store::new();
    let file = s.write("household.json", &doc_block("household.json"));
    let stdout = std::fs::OpenOptions::new()
        .write(true)
        .open(full)
        .expect("/dev/full opens");
    let out = s
        .std_cmd("--role access enroll --file {}", &[&file])
        .stdout(stdout)
        .output()
        .expect("ce runs");
    assert_eq!(
        out.status.code(),
        Some(EXIT_STORAGE),
        "{}",
        describe("enroll > /dev/full", &out)
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("cannot write the output"), "{stderr}");
    // The household was stored: its id must not be lost.
    let household = stderr
        .lines()
        .find_map(|l| uuid::Uuid::parse_str(l.trim()).ok())
        .unwrap_or_else(|| panic!("the new household's id on stderr: {stderr}"));
    let shown = s.ok("show {}", &[&household.to_string()]);
    assert!(shown.contains("Coulee"), "{shown}");
    // A read command whose output is lost fails too.
    let stdout = std::fs::OpenOptions::new()
        .write(true)
        .open(full)
        .expect("/dev/full");
    let out = s
        .std_cmd("openings", &[])
        .stdout(stdout)
        .output()
        .expect("ce runs");
    assert_eq!(
        out.status.code(),
        Some(EXIT_STORAGE),
        "{}",
        describe("openings > /dev/full", &out)
    );
}

#[test]
fn a_read_command_on_a_store_that_does_not_exist_is_exit_5_and_creates_nothing() {
    let s = Store::new();
    for command in [
        "list",
        "verify",
        "openings",
        "referrals",
        "export jsonl x.jsonl",
    ] {
        let err = s.refused_without_store(command);
        assert!(
            err.contains("no store at") && err.contains("store"),
            "{command}: {err}"
        );
        assert!(
            !s.path.exists(),
            "`ce {command}` created {}",
            s.path.display()
        );
    }
    // A command that changes a store needs one too; enroll and init create it.
    let err = s.refused_without_store("sweep --as-of 2025-06-01");
    assert!(err.contains("no store at"), "{err}");
    assert!(!s.path.exists());
}

#[cfg(unix)]
#[test]
fn the_store_and_its_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let (s, _) = with_household();
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&s.path), 0o700, "the store directory");
    for entry in std::fs::read_dir(&s.path).expect("the store") {
        let path = entry.expect("an entry").path();
        let expected = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&path), expected, "{}", path.display());
    }
}

#[test]
fn escape_sequences_from_users_are_escaped_on_the_terminal() {
    let (s, household) = with_household();
    // The actor's names come from the command line or the environment:
    // control characters are refused there...
    let user = "pat\u{1b}]0;owned\u{7}\u{1b}[2J";
    let err = s.refused(
        "--role access --user {} followup {} --date 2025-03-20 --no-contact --method phone --note {}",
        &[user, &household, "Left a voicemail."],
        EXIT_REJECTED,
    );
    assert!(err.contains("user contains a control character"), "{err:?}");
    assert!(!err.contains('\u{1b}'), "the error is escaped too: {err:?}");
    // ...and what a log holds from elsewhere (an edited backup, another
    // program) is shown escaped.
    let mut lines = backup_of(&s);
    let last = lines.len() - 1;
    lines[last]["actor"]["user"] = json!(user);
    let backup: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let file = s.write("escapes.jsonl", &backup);
    let target = Store::new();
    target.ok("import jsonl {} --without-checksum", &[&file]);
    let history = target.ok("history {}", &[&household]);
    assert!(!history.contains('\u{1b}'), "{history:?}");
    assert!(!history.contains('\u{7}'), "{history:?}");
    assert!(history.contains("\\u{1b}"), "shown escaped: {history}");
    // Text fields refuse control characters outright.
    let err = s.refused(
        "--role provider --agency {} opening post --program {} --type psh --coalition Coulee --date 2025-04-01",
        &[PSH_AGENCY, "PSH\u{1b}[31m"],
        EXIT_REJECTED,
    );
    assert!(err.contains("control character"), "{err}");
}

/// A small file system of a test's own (a tmpfs, where the test may mount
/// one: as root on Linux), unmounted when dropped.
struct SmallDisk(TempDir);

impl SmallDisk {
    /// Mounts a tmpfs of `size` (e.g. "24m"), or `None` where it cannot.
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success())
            .then_some(Self(dir))
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    /// Runs `ce --store DISK/store ARGS`.
    fn ce(&self, args: &[&str]) -> Output {
        let mut cmd = ce();
        cmd.arg("--store").arg(self.path().join("store")).args(args);
        cmd.output().expect("ce runs")
    }

    /// Makes it `size` large, keeping what it holds.
    fn grow(&self, size: &str) -> bool {
        std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(self.path())
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.path())
            .status();
    }
}

/// A read command on a store whose disk is full reads a private copy (sled
/// writes as it opens). Needs a small file system of its own: runs where
/// the test may mount a tmpfs (as root on Linux), and says so otherwise.
#[test]
fn a_read_command_on_a_full_disk_answers_from_a_copy() {
    let Some(disk) = SmallDisk::mount("24m") else {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    };
    let run = |args: &[&str]| disk.ce(args);
    let out = run(&["demo"]);
    assert!(out.status.success(), "{}", describe("demo", &out));
    // Fill the disk.
    let fill = disk.path().join("fill");
    let _ = std::process::Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", fill.display()))
        .arg("bs=1M")
        .output();
    let out = run(&["--json", "list", "--coalition", "Coulee"]);
    assert!(
        out.status.success(),
        "{}",
        describe("list on a full disk", &out)
    );
    assert!(
        text(&out.stderr).contains("reading a copy"),
        "{}",
        describe("list", &out)
    );
    let out = run(&["verify"]);
    assert!(
        out.status.success(),
        "{}",
        describe("verify on a full disk", &out)
    );
    // A command that writes says what is wrong.
    let out = run(&["sweep", "--as-of", "2025-12-01"]);
    assert_eq!(
        out.status.code(),
        Some(EXIT_STORAGE),
        "{}",
        describe("sweep", &out)
    );
}

/// A store with a household referred to a PSH opening and accepted: every
/// kind of event a tampered backup below edits.
fn with_accepted_referral() -> (Store, String, String) {
    let (s, household) = with_household();
    let psh = post_psh(&s, "2025-04-15");
    let (referral, _) = referred(&s.ok("refer {} --date 2025-04-16", &[&psh]));
    assert_recorded(&s.ok(
        "--role provider --agency {} referral accept {} --date 2025-04-22",
        &[PSH_AGENCY, &referral],
    ));
    (s, household, referral)
}

/// The store's backup as JSON lines, without the checksum line.
fn backup_of(s: &Store) -> Vec<Value> {
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

#[test]
fn a_failed_backup_leaves_the_previous_backup_whole() {
    let (s, _) = with_household();
    let file = s.file("backup.jsonl");
    s.ok("export jsonl {}", &[&file]);
    let good = std::fs::read(&file).expect("the backup");
    // Damage an event: the next export stops at it.
    {
        let db = sled::open(&s.path).expect("open the store with sled");
        let events = db.open_tree("events").expect("the events tree");
        events
            .insert(1u64.to_be_bytes(), &b"{\"position\":1,\"damaged\":"[..])
            .expect("write");
        db.flush().expect("flush");
    }
    let out = s
        .cmd("export jsonl {}", &[&file])
        .output()
        .expect("ce runs");
    assert_eq!(
        out.status.code(),
        Some(EXIT_STORAGE),
        "{}",
        describe("export", &out)
    );
    assert_eq!(
        std::fs::read(&file).expect("the backup"),
        good,
        "the old backup is intact"
    );
    // And it still imports, checksum and all.
    let restored = Store::new();
    restored.ok("import jsonl {}", &[&file]);
}

#[test]
fn an_import_is_all_or_nothing_and_an_interrupted_one_is_rolled_back() {
    let (s, _) = with_household();
    let mut lines = backup_of(&s);
    let bad = lines.len() - 1;
    lines[bad] = json!({ "position": bad, "garbage": true });
    let backup: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let file = s.write("bad.jsonl", &backup);
    let target = Store::new();
    let err = refuse(
        &mut target.cmd("import jsonl {} --without-checksum", &[&file]),
        "import jsonl",
        EXIT_INPUT,
    );
    assert!(err.contains(&format!("line {}", bad + 1)), "{err}");
    // Nothing of it is served: the store is empty and verifies.
    assert!(target.ok("verify", &[]).starts_with("ok: 0 events"));

    // An import cut off midway (a kill, a full disk) leaves its mark: the
    // store refuses to serve, verify fails, rollback-import restores it.
    let before = s.events();
    {
        let store = ce_store_sled::SledStore::open(&s.path).expect("open");
        store
            .begin_import("HUD CSV export in /data/march")
            .expect("mark");
        let mut driver = ce_tests::sample::Driver::new(store);
        driver.enroll(ce_core::testing::HouseholdBuilder::single_adult("Coulee"));
    }
    for command in ["list", "verify"] {
        let out = s.cmd(command, &[]).output().expect("ce runs");
        assert_eq!(
            out.status.code(),
            Some(EXIT_STORAGE),
            "{}",
            describe(command, &out)
        );
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("/data/march") && stderr.contains("ce rollback-import"),
            "{stderr}"
        );
    }
    let out = s.ok("rollback-import", &[]);
    assert!(out.contains("removed"), "{out}");
    assert_eq!(s.events(), before);
    assert!(s.ok("verify", &[]).starts_with("ok"));
    assert!(s
        .ok("rollback-import", &[])
        .contains("no unfinished import"));
}

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
    assert!(restored.ok("verify", &[]).starts_with("ok"));
    let shown: Value = serde_json::from_str(&restored.ok("--json policy show", &[])).expect("JSON");
    assert_eq!(shown["version"], raised);
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
        let out = target.cmd("verify", &[]).output().expect("ce runs");
        let all = text_of(&out);
        assert_eq!(out.status.code(), Some(EXIT_VERIFY), "{expected}: {all}");
        assert!(all.contains(expected), "{expected}: {all}");
    }
    let _ = (household, referral);
}

#[test]
fn input_files_are_read_strictly_and_errors_are_bad_input() {
    let (s, household) = with_household();
    let assess = "--role access assess {} --file {}";
    // A byte-order mark is skipped.
    let with_bom = format!("\u{feff}{}", assessment("2025-03-08", 12));
    let file = s.write("bom.json", &with_bom);
    assert_recorded(&s.ok(assess, &[&household, &file]));
    // Latin-1 is named as not UTF-8 (exit 2, not a storage error).
    let file = s.file("latin1.json");
    std::fs::write(&file, b"{\"location\": \"Caf\xe9\"}").expect("write");
    let err = s.refused(assess, &[&household, &file], EXIT_INPUT);
    assert!(err.contains("not UTF-8"), "{err}");
    // A misspelt field is named, not dropped.
    let mut typo = assessment("2025-03-09", 12);
    typo["scroe"] = json!(3);
    let file = s.write("typo.json", &typo.to_string());
    let err = s.refused(assess, &[&household, &file], EXIT_INPUT);
    assert!(err.contains("\"scroe\""), "{err}");
    // Deep nesting is refused before parsing.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let file = s.write("deep.json", &deep);
    let err = s.refused(assess, &[&household, &file], EXIT_INPUT);
    assert!(err.contains("nests deeper"), "{err}");
    // A member file naming another household is refused.
    let mut member: Value = serde_json::from_str(&doc_block("member.json")).expect("JSON");
    member["household"] = json!(UNKNOWN_ID);
    let file = s.write("member.json", &member.to_string());
    let err = s.refused(
        "--role access members {} add --file {} --date 2025-03-10",
        &[&household, &file],
        EXIT_INPUT,
    );
    assert!(err.contains("household"), "{err}");
    // An invalid policy file is bad input, and nothing is stored.
    let mut policy: Value = serde_json::from_str(&s.ok("--json policy show", &[])).expect("JSON");
    policy["coalitions"][0] = json!("Brown\u{0}County");
    policy["version"] = json!(9);
    let file = s.write("policy.json", &policy.to_string());
    let err = s.refused("--role lead init --policy {}", &[&file], EXIT_INPUT);
    assert!(
        err.contains("control characters") && !err.contains("stored"),
        "{err}"
    );
    // Options that would be dropped are refused.
    let err = s.refused(
        "--role provider referral ack {} --reason client-location",
        &[UNKNOWN_ID],
        EXIT_INPUT,
    );
    assert!(err.contains("--reason"), "{err}");
}

#[test]
fn a_damaged_store_file_is_a_clear_error_naming_the_store_not_a_panic() {
    let (s, _) = with_household();
    let db = s.path.join("db");
    let mut bytes = std::fs::read(&db).expect("the store's db file");
    let mut at = 4096;
    while at + 64 < bytes.len() {
        bytes[at..at + 64].fill(0xff);
        at += 65_536;
    }
    std::fs::write(&db, bytes).expect("damage it");
    let out = s.cmd("list", &[]).output().expect("ce runs");
    assert_eq!(
        out.status.code(),
        Some(EXIT_STORAGE),
        "{}",
        describe("list", &out)
    );
    let stderr = text(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: ") && last.contains(&s.path.display().to_string()),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_given_as_an_input_file_is_refused_without_waiting() {
    let (s, _) = with_household();
    let fifo = s.file("input.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|st| st.success());
    if !made {
        eprintln!("skipped: no mkfifo here");
        return;
    }
    let err = s.refused("--role access enroll --file {}", &[&fifo], EXIT_INPUT);
    assert!(err.contains("not a regular file"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_symlink_planted_where_a_backup_goes_is_replaced_not_written_through() {
    let (s, _) = with_household();
    let victim = s.write("victim.txt", "keep me\n");
    let link = s.file("backup.jsonl");
    std::os::unix::fs::symlink(&victim, &link).expect("plant a link");
    s.ok("export jsonl {}", &[&link]);
    assert_eq!(
        std::fs::read_to_string(&victim).expect("the victim"),
        "keep me\n"
    );
    let meta = std::fs::symlink_metadata(&link).expect("the backup");
    assert!(
        meta.file_type().is_file(),
        "the link was replaced by the backup"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
}

/// A HUD CSV import killed at any moment leaves the store as it was before
/// the import, whole, or refusing to open until `ce rollback-import` puts
/// it back as it was before: never part of an import that serves lists.
#[test]
fn a_killed_hud_csv_import_leaves_the_store_whole_or_rolled_back() {
    let source = Store::new();
    source.ok("demo --households 120 --seed 7", &[]);
    let export = source.file("export");
    source.ok("export hud-csv {}", &[&export]);
    let import = |store: &Path| {
        let mut cmd = ce_std();
        cmd.arg("--store")
            .arg(store)
            .args(["import", "hud-csv", "--coalition", "Coulee"])
            .arg(&export)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        cmd
    };
    // A store with one household already, so "before" is not "empty".
    let prepare = || {
        let (s, _) = with_household();
        let before = s.events();
        (s, before)
    };
    let (whole, before) = prepare();
    let started = std::time::Instant::now();
    assert!(import(&whole.path).status().expect("ce runs").success());
    let took = started.elapsed();
    let after = whole.events();
    assert!(after > before + 100, "the import wrote {after} - {before}");

    let mut cut = 0;
    for k in 1..=5u32 {
        let (s, before) = prepare();
        let mut child = import(&s.path).spawn().expect("ce starts");
        std::thread::sleep(took * k / 6);
        let _ = child.kill();
        let _ = child.wait();
        let out = s.cmd("verify", &[]).output().expect("ce runs");
        match out.status.code() {
            Some(0) => {
                let events = s.events();
                assert!(
                    events == before || events == after,
                    "kill {k}: {events} events"
                );
            }
            Some(EXIT_STORAGE) if text(&out.stderr).contains("ce rollback-import") => {
                cut += 1;
                assert!(s.ok("rollback-import", &[]).contains("removed"));
                assert_eq!(s.events(), before, "kill {k}: rolled back");
                assert!(s.ok("verify", &[]).starts_with("ok"));
            }
            _ => panic!("kill {k}: {}", describe("verify", &out)),
        }
    }
    eprintln!("import took {took:?}; {cut} of 5 kills cut it off");
}

/// A HUD CSV import that fills the disk stops with exit 5 and one clear
/// line; once there is room, `ce rollback-import` returns the store to how
/// it was, and the import runs whole. Needs a tmpfs of its own (root).
#[test]
fn a_hud_csv_import_on_a_full_disk_stops_clearly_and_rolls_back_once_there_is_room() {
    let source = Store::new();
    source.ok("demo --households 300 --seed 3", &[]);
    let export = source.file("export");
    source.ok("export hud-csv {}", &[&export]);
    let Some(disk) = SmallDisk::mount("6m") else {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    };
    let run = |args: &[&str]| disk.ce(args);
    assert!(run(&["init"]).status.success());
    let import = [
        "import",
        "hud-csv",
        "--coalition",
        "Coulee",
        export.as_str(),
    ];
    let out = run(&import);
    if out.status.success() {
        eprintln!("skipped: the import fit in 6 MiB");
        return;
    }
    assert_eq!(
        out.status.code(),
        Some(EXIT_STORAGE),
        "{}",
        describe("import", &out)
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.lines().count() == 1 && stderr.contains("ce rollback-import"),
        "{stderr}"
    );
    assert!(!stderr.contains("Os {"), "in words: {stderr}");
    assert!(disk.grow("256m"), "remount the tmpfs larger");
    let out = run(&["rollback-import"]);
    assert!(
        out.status.success(),
        "{}",
        describe("rollback-import", &out)
    );
    assert!(text(&out.stdout).contains("the store holds 0 events"));
    assert!(run(&import).status.success());
    let out = run(&["verify"]);
    assert!(out.status.success(), "{}", describe("verify", &out));
}

// ------------------------------------------------ the workflow as a CE lead lives it

/// Enrolls `household` (JSON) as access staff and assesses it on `date`
/// with `score`; returns its id.
fn enroll_assessed(s: &Store, name: &str, household: &Value, date: &str, score: u32) -> String {
    let file = s.write(&format!("{name}.json"), &household.to_string());
    let id = id(&s.ok("--role access enroll --file {}", &[&file]));
    let file = s.write(
        &format!("{name}-assessment.json"),
        &assessment(date, score).to_string(),
    );
    assert_recorded(&s.ok("--role access assess {} --file {}", &[&id, &file]));
    id
}

/// [`single_adult`] with another client id and, unless `disabled`, no
/// disabling condition.
fn adult(client_suffix: u8, start: &str, disabled: bool) -> Value {
    let mut household = single_adult(start);
    household["members"][0]["client"] = json!(format!(
        "0b5e2f7c-8a41-4c0e-9d1f-5a6b7c8d9e{client_suffix:02}"
    ));
    household["members"][0]["disabling_condition"] = json!(u8::from(disabled));
    household
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
    let out = target.cmd("verify", &[]).output().expect("ce runs");
    let all = text_of(&out);
    assert_eq!(out.status.code(), Some(EXIT_VERIFY), "{all}");
    all
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

#[test]
fn messages_and_columns_speak_huds_and_the_policys_words() {
    let (s, household) = with_household();
    let psh = post_psh(&s, "2025-04-01");
    let (referral, _) = referred(&s.ok("refer {} --date 2025-04-01", &[&psh]));
    s.ok("--role lead expire --as-of 2025-04-11", &[]);
    let err = s.refused(
        "--role provider --agency {} referral accept {} --date 2025-04-12",
        &[PSH_AGENCY, &referral],
        EXIT_REJECTED,
    );
    assert!(
        err.contains("is already resolved: expired on 2025-04-11"),
        "{err}"
    );
    let explained = s.ok("explain {} --as-of 2025-04-12", &[&household]);
    assert_contains(
        &explained,
        &[
            "HUD CPD-16-11 order of priority (tier 1 first): tier 1",
            "chronically homeless (first): yes",
        ],
    );
    let referrals = s.ok("referrals", &[]);
    assert!(
        referrals.contains("expired on 2025-04-11 without a result"),
        "{referrals}"
    );
    let history = s.ok("history {}", &[&household]);
    let subsidy = s.refused(
        "--role access followup {} --date 2025-04-12 --contact --residence 116 \
         --months-homeless 113 --living-situation 435 --note {}",
        &[&household, "Moved in with a voucher."],
        EXIT_REJECTED,
    );
    assert!(
        subsidy.contains("435 Rental by client, with ongoing housing subsidy"),
        "{subsidy}"
    );
    let outputs = [err, explained, referrals, history, subsidy];
    for (out, internal) in outputs.iter().flat_map(|o| {
        [
            "{ ",
            "Cpd1611Tier",
            "Expired",
            "RentalWithSubsidy",
            "HouseholdInactive",
        ]
        .map(|i| (o, i))
    }) {
        assert!(!out.contains(internal), "{internal:?} in:\n{out}");
    }
    // One encoding of months homeless: HUD's code in JSON, its words in text.
    let shown = s.json("show {} --as-of 2025-04-12", &[&household]);
    assert_eq!(shown["household"]["months_homeless"], json!(113));
    let lists = s.json("list --program rrh --as-of 2025-04-12", &[]);
    assert_eq!(lists[0]["rows"][0]["months_homeless"], json!(113));
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
}

//! The whole workflow in the order of `docs/cli.md` (Part 1: adding
//! households; Part 2: filling openings from the lists): enrollment and
//! assessment, follow-ups, openings and referrals, expiry, the inactivity
//! sweep, exits, and a backup restored into a fresh store.

use std::time::Duration;

use ce_tests::cli::{assert_contains, refuse, Store};
use serde_json::{json, Value};

use crate::fixtures::{
    assert_recorded, assessment, doc_block, id, listed, post_psh, referred, single_adult,
    PSH_AGENCY, RRH_AGENCY,
};

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
    // The names, notes and birth dates are sealed, their keys not in the
    // backup: without them the restored store says so, not "[erased]".
    let error = restored.refused("list --as-of 2025-07-21", &[], 5);
    assert_contains(
        &error,
        &["is missing, and it was not erased", "ce keys restore"],
    );
    let keys = s.file("keys.jsonl");
    s.ok("keys backup {}", &[&keys]);
    restored.ok("keys restore {}", &[&keys]);
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

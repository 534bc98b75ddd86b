//! Personal data never reaches the disk in clear: after a demo, no name or
//! birth date of its clients is in any byte of the store directory, of its
//! JSON Lines backup, or of the findings of importing its HUD CSV export
//! into another store; yet every command shows them to whoever holds the
//! master key, and without the key the store does not open.

use std::collections::BTreeSet;
use std::path::Path;

use ce_tests::cli::{ce_std, Store, EXIT_INPUT};
use ce_tests::support::read_csv;

/// Every file under `dir`, as bytes.
fn files(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).expect("a directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push((
                path.display().to_string(),
                std::fs::read(&path).expect("a file"),
            ));
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn no_name_or_birth_date_of_a_demo_is_in_the_store_its_backup_or_the_findings() {
    let s = Store::new();
    s.ok("demo --households 60 --seed 5", &[]);
    // The clients' names and birth dates, from the HUD CSV export (which
    // is meant to carry them).
    let export = s.dir.path().join("export");
    s.ok("export hud-csv {}", &[export.to_str().expect("utf-8")]);
    let (header, rows) =
        read_csv(&std::fs::read_to_string(export.join("Client.csv")).expect("Client.csv"));
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (first, last, dob) = (column("FirstName"), column("LastName"), column("DOB"));
    let mut secrets = BTreeSet::new();
    for row in &rows {
        secrets.insert(format!("{} {}", row[first], row[last]));
        secrets.insert(row[last].clone());
        // Birth years before any date the demo records in clear (its
        // project starts, episodes and contacts are in 2023-2025).
        if row[dob].get(..4).is_some_and(|year| year < "2015") {
            secrets.insert(row[dob].clone());
        }
    }
    assert!(secrets.len() > 60, "{secrets:?}");
    // And they are shown to whoever opens the store.
    let listed = s.ok("list --coalition Coulee", &[]);
    assert!(
        secrets.iter().any(|name| listed.contains(name.as_str())),
        "{listed}"
    );

    let backup = s.dir.path().join("backup.jsonl");
    s.ok("export jsonl {}", &[backup.to_str().expect("utf-8")]);
    let other = Store::new();
    let findings = other.dir.path().join("findings.csv");
    other.ok(
        "import hud-csv {} --coalition Coulee --findings {}",
        &[
            export.to_str().expect("utf-8"),
            findings.to_str().expect("utf-8"),
        ],
    );
    let mut seen = Vec::new();
    files(&s.path, &mut seen);
    files(&other.path, &mut seen);
    seen.push((
        backup.display().to_string(),
        std::fs::read(&backup).expect("backup"),
    ));
    seen.push((
        findings.display().to_string(),
        std::fs::read(&findings).expect("findings"),
    ));
    assert!(seen.len() > 5);
    for (file, bytes) in &seen {
        assert!(!contains(bytes, "birth_date"), "a birth_date key in {file}");
        for secret in &secrets {
            assert!(!contains(bytes, secret), "{secret:?} in {file}");
        }
    }
}

#[test]
fn a_store_does_not_open_without_its_master_key_nor_with_another() {
    let s = Store::new();
    s.ok("demo --households 10 --seed 2", &[]);
    let mut without = ce_std();
    without
        .env_remove("CE_MASTER_KEY")
        .arg("--store")
        .arg(&s.path)
        .args(["list"]);
    let out = without.output().expect("ce runs");
    assert_eq!(out.status.code(), Some(EXIT_INPUT), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("master key") && stderr.contains("missing"),
        "{stderr}"
    );
    let mut wrong = ce_std();
    wrong
        .env("CE_MASTER_KEY", "42".repeat(32))
        .arg("--store")
        .arg(&s.path)
        .args(["list"]);
    let out = wrong.output().expect("ce runs");
    assert_ne!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("does not open with this master key"),
        "{stderr}"
    );
}

#[test]
fn the_first_store_gets_a_private_master_key_file_beside_it() {
    let dir = tempfile::tempdir().expect("a directory");
    let store = dir.path().join("data");
    let mut demo = ce_std();
    demo.env_remove("CE_MASTER_KEY")
        .arg("--store")
        .arg(&store)
        .args(["demo", "--households", "5"]);
    let out = demo.output().expect("ce runs");
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("created the master key"), "{stderr}");
    let key = dir.path().join("data.master-key");
    let text = std::fs::read_to_string(&key).expect("the key file");
    assert_eq!(text.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The next command finds it, quietly.
    let mut list = ce_std();
    list.env_remove("CE_MASTER_KEY")
        .arg("--store")
        .arg(&store)
        .arg("list");
    let out = list.output().expect("ce runs");
    assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
}

#[test]
fn keys_are_backed_up_restored_and_rotated_by_documented_commands() {
    let s = Store::new();
    s.ok("demo --households 12 --seed 4", &[]);
    let names = s.ok("list", &[]);
    let status = s.json("keys status", &[]);
    let count = status["subject_keys"].as_u64().expect("a count");
    assert!(count > 12, "{status}");

    // Only a CE lead.
    s.refused("--role access keys status", &[], 3);

    // A backup of the log and one of the keys restore into a new store.
    let backup = s.dir.path().join("log.jsonl");
    let keys = s.dir.path().join("keys.jsonl");
    let (backup, keys) = (
        backup.to_str().expect("utf-8"),
        keys.to_str().expect("utf-8"),
    );
    s.ok("export jsonl {}", &[backup]);
    s.ok("keys backup {}", &[keys]);
    let other = Store::new();
    other.ok("init", &[]);
    other.ok("import jsonl {}", &[backup]);
    let restored = other.json("keys restore {}", &[keys]);
    assert_eq!(restored["restored"].as_u64(), Some(count));
    assert_eq!(other.ok("list", &[]), names);
    // Again: nothing new.
    assert_eq!(other.json("keys restore {}", &[keys])["restored"], 0);

    // A rotation: the old master key no longer opens the store, the new one does.
    let next = s.dir.path().join("next.key");
    let rotated = s.json("keys rotate --to {}", &[next.to_str().expect("utf-8")]);
    assert_eq!(rotated["rewrapped"].as_u64(), Some(count));
    let mut old = ce_std();
    old.arg("--store").arg(&s.path).arg("list");
    let out = old.output().expect("ce runs");
    assert_ne!(out.status.code(), Some(0), "{out:?}");
    let mut new = ce_std();
    new.env_remove("CE_MASTER_KEY")
        .arg("--master-key")
        .arg(&next)
        .arg("--store")
        .arg(&s.path)
        .arg("list");
    let out = new.output().expect("ce runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), names);
    // A key backup made under another master key is refused, naming both.
    let rotated_keys = s.dir.path().join("rotated-keys.jsonl");
    let mut backup = ce_std();
    backup
        .env_remove("CE_MASTER_KEY")
        .arg("--master-key")
        .arg(&next)
        .arg("--store")
        .arg(&s.path)
        .args(["keys", "backup"])
        .arg(&rotated_keys);
    assert!(backup.output().expect("ce runs").status.success());
    let error = other.refused(
        "keys restore {}",
        &[rotated_keys.to_str().expect("utf-8")],
        EXIT_INPUT,
    );
    assert!(error.contains("wrapped by master key"), "{error}");
}

/// The PersonalIDs and names of Client.csv in a HUD CSV export of `s`.
fn clients(s: &Store, name: &str) -> Vec<(String, String, String)> {
    let export = s.dir.path().join(name);
    s.ok("export hud-csv {}", &[export.to_str().expect("utf-8")]);
    let (header, rows) =
        read_csv(&std::fs::read_to_string(export.join("Client.csv")).expect("Client.csv"));
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (id, first, quality) = (
        column("PersonalID"),
        column("FirstName"),
        column("NameDataQuality"),
    );
    rows.iter()
        .map(|r| (r[id].clone(), r[first].clone(), r[quality].clone()))
        .collect()
}

#[test]
fn erasing_every_client_keeps_every_rank_verify_and_the_lists() {
    let s = Store::new();
    s.ok("demo --households 25 --seed 9", &[]);
    let before = s.json("list --no-names", &[]);
    let referrals = s.ok("referrals", &[]);
    // What explain says of every listed household (it shows no names).
    let mut listed: Vec<String> = before
        .as_array()
        .expect("lists")
        .iter()
        .flat_map(|l| l["rows"].as_array().expect("rows").clone())
        .map(|r| r["household"].as_str().expect("a household").to_owned())
        .collect();
    listed.sort();
    listed.dedup();
    let explained: Vec<String> = listed.iter().map(|h| s.ok("explain {}", &[h])).collect();
    let everyone = clients(&s, "before");
    assert!(everyone.len() >= 25);
    assert!(everyone.iter().all(|(_, first, _)| !first.is_empty()));

    // Only a CE lead erases; an unknown client is named.
    let (first_id, _, _) = &everyone[0];
    s.refused(
        "--role access erase --client {} --reason client-request",
        &[first_id],
        3,
    );
    let error = s.refused(
        "erase --client {} --reason retention",
        &["00000000000000000000000000000042"],
        3,
    );
    assert!(error.contains("not a member of any household"), "{error}");
    let out = s
        .cmd("erase --client {} --reason forgotten", &[first_id])
        .output()
        .expect("ce runs");
    assert_eq!(out.status.code(), Some(EXIT_INPUT));
    assert!(String::from_utf8_lossy(&out.stderr).contains("client-request"));

    let events = s.events();
    for (id, _, _) in &everyone {
        let erased = s.json("erase --client {} --reason retention", &[id]);
        assert_eq!(erased["already"], false, "{erased}");
    }
    assert_eq!(s.events(), events + everyone.len() as u64);
    // A second erasure says so and writes nothing.
    let again = s.json("erase --client {} --reason retention", &[first_id]);
    assert_eq!(again["already"], true);
    assert_eq!(s.events(), events + everyone.len() as u64);

    // Every recorded rank and list place still checks out, the lists are
    // the same households in the same order, and no name is left.
    assert!(s.ok("verify", &[]).starts_with("ok"));
    assert_eq!(s.json("list --no-names", &[]), before);
    assert_eq!(s.ok("referrals", &[]), referrals);
    for (household, before) in listed.iter().zip(&explained) {
        assert_eq!(
            &s.ok("explain {}", &[household]),
            before,
            "explain {household}"
        );
    }
    let shown = s.ok("list", &[]);
    assert!(shown.contains("[erased]"), "{shown}");
    for (id, first, quality) in clients(&s, "after") {
        assert!(first.is_empty(), "{id} still has a first name");
        assert_eq!(quality, "99", "{id}: names not collected");
    }
    // And the keys directory holds no key of theirs: only the log's, which
    // checks the integrity of what can no longer be read, and those of the
    // households enrolled without personal data (their clients are in no
    // Client.csv row, so nobody erased them; they seal only the referring
    // agency's reference number).
    let mut left: Vec<String> = std::fs::read_dir(s.path.join("keys"))
        .expect("the keys")
        .map(|e| e.expect("a key").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let mut expected: Vec<String> = ce_tests::cli::opened_log(&s.path)
        .iter()
        .filter_map(|e| match &e.event {
            ce_core::Event::HouseholdEnrolled(h) if h.referred_by.is_some() => {
                Some(format!("household-{}", h.household.as_uuid().simple()))
            }
            _ => None,
        })
        .chain(["log".to_owned()])
        .collect();
    expected.sort();
    assert_eq!(left, expected, "keys left after erasing everyone");
}

#[test]
fn a_changed_ciphertext_byte_fails_verify_naming_the_event_even_after_erasure() {
    let s = Store::new();
    s.ok("demo --households 20 --seed 3", &[]);
    let lists = s.json("list", &[]);
    let row = &lists[0]["rows"][0];
    let household = row["household"].as_str().expect("a household").to_owned();
    let head = row["head"].as_str().expect("a head").to_owned();
    // The household's head is erased: its notes' key is gone.
    s.ok("erase --client {} --reason client-request", &[&head]);
    assert!(s.ok("verify", &[]).starts_with("ok"));

    let backup = s.dir.path().join("backup.jsonl");
    s.ok("export jsonl {}", &[backup.to_str().expect("utf-8")]);
    let text = std::fs::read_to_string(&backup).expect("the backup");
    let mut lines: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| !l.starts_with("{\"checksum\""))
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let stream = format!("household-{household}");
    let at = lines
        .iter()
        .position(|l| {
            l["data"]["note"].is_string()
                && l["streams"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|s| s["stream"] == stream.as_str()))
        })
        .expect("a note of the household");
    let token = lines[at]["data"]["note"]
        .as_str()
        .expect("a token")
        .to_owned();
    let cut = token.rfind(':').expect("a tag") - 5;
    let mut chars: Vec<char> = token.chars().collect();
    chars[cut] = if chars[cut] == 'A' { 'B' } else { 'A' };
    lines[at]["data"]["note"] = serde_json::Value::String(chars.into_iter().collect());
    let position = lines[at]["position"].as_u64().expect("a position");
    let edited: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let file = s.write("edited.jsonl", &edited);

    let t = Store::new();
    t.ok("import jsonl {} --without-checksum", &[&file]);
    t.keys_from(&s);
    let out = t.cmd("verify", &[]).output().expect("ce runs");
    let all = ce_tests::cli::text_of(&out);
    assert_eq!(out.status.code(), Some(ce_tests::cli::EXIT_VERIFY), "{all}");
    assert!(
        all.contains(&format!("position {position}")) && all.contains("altered"),
        "{all}"
    );
}

#[test]
fn retention_lists_then_erases_the_clients_without_activity_in_the_window() {
    let s = Store::new();
    s.ok("demo --households 15 --seed 6", &[]);
    // Off unless the policy or the command gives the years.
    let error = s.refused("retention --dry-run", &[], EXIT_INPUT);
    assert!(error.contains("retention is off"), "{error}");
    s.refused("--role access retention --years 1 --dry-run", &[], 3);

    // The demo's caseload is dated 2025.
    let events = s.events();
    let listed = s.json("retention --years 1 --as-of 2027-06-01 --dry-run", &[]);
    let due = listed["due"].as_array().expect("a list").len();
    assert!(due > 15, "{listed}");
    assert_eq!(s.events(), events, "a dry run writes nothing");
    // A window that reaches back into the demo's year: nobody.
    let recent = s.json("retention --years 2 --as-of 2027-06-01 --dry-run", &[]);
    assert_eq!(recent["due"], serde_json::json!([]), "{recent}");

    // Counted back from today (2026 or later), a year clears the demo.
    let erased = s.json("retention --years 1", &[]);
    assert_eq!(erased["erased"].as_u64(), Some(due as u64));
    assert_eq!(s.events(), events + due as u64);
    assert!(s.ok("verify", &[]).starts_with("ok"));
    let again = s.json("retention --years 1 --dry-run", &[]);
    assert_eq!(
        again["due"],
        serde_json::json!([]),
        "the erased are not due again"
    );
}

#[test]
fn key_backups_and_view_exports_are_read_as_strictly_as_other_input_files() {
    let s = Store::new();
    s.ok("init", &[]);
    let junk = s.dir.path().join("junk");
    std::fs::write(&junk, [0xff_u8, 0xfe, 0x00, 0x80]).expect("write junk");
    let junk = junk.to_str().expect("utf-8");
    for command in ["keys restore {}", "audit import {}"] {
        let error = s.refused(command, &[junk], EXIT_INPUT);
        assert!(error.contains("is not UTF-8 text"), "{command}: {error}");
    }
    #[cfg(unix)]
    {
        let fifo = s.dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let fifo = fifo.to_str().expect("utf-8");
            for command in ["keys restore {}", "audit import {}"] {
                let error = s.refused(command, &[fifo], EXIT_INPUT);
                assert!(
                    error.contains("is not a regular file"),
                    "{command}: {error}"
                );
            }
        }
    }
}

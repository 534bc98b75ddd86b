//! Backups and imports: a failed backup leaves the previous one whole, a
//! planted symlink is not written through, and an import is all or nothing,
//! killed or not.

use std::path::Path;

use ce_tests::cli::{ce_std, describe, refuse, text, Store, EXIT_INPUT, EXIT_STORAGE};
use serde_json::json;

use crate::fixtures::{backup_of, with_household};

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
    ce_tests::wait_until_sled_released(&s.path);
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

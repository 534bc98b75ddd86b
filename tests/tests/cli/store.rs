//! The store on disk: in use, missing, damaged, and private.

use std::path::Path;

use ce_tests::cli::{describe, refuse, text, Store, EXIT_STORAGE};

use crate::fixtures::with_household;

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

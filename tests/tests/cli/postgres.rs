//! `ce --store <PostgreSQL connection string>`: the same commands on the
//! same seed give the same output as on the sled store, and so do HUD CSV
//! imports of the same export; a server that cannot be reached is exit 5.

use ce_tests::cli::{without_ciphertexts, Store, EXIT_INPUT};

#[test]
fn the_demo_lists_histories_and_verify_read_the_same_on_postgres_as_on_sled() {
    let Some(pg) = Store::postgres() else {
        return;
    };
    let sled = Store::new();
    let demo = "demo --households 40 --seed 7";
    assert_eq!(pg.ok(demo, &[]), sled.ok(demo, &[]), "ce {demo}");
    let households = sled.json("list", &[]);
    let household = households[0]["rows"][0]["household"]
        .as_str()
        .expect("a listed household")
        .to_owned();
    for command in [
        "list",
        "list --coalition Coulee --limit 2",
        "list --as-of 2025-08-01",
        "referrals",
        "openings",
        "verify",
        "report housed-not-exited --days 30",
    ] {
        assert_eq!(pg.ok(command, &[]), sled.ok(command, &[]), "ce {command}");
    }
    for command in ["show {}", "history {}", "explain {}"] {
        assert_eq!(
            pg.ok(command, &[&household]),
            sled.ok(command, &[&household]),
            "ce {command}"
        );
    }
    assert_eq!(
        pg.json("list", &[]),
        sled.json("list", &[]),
        "ce --json list"
    );
    let pg_backup = pg.dir.path().join("pg.jsonl");
    let sled_backup = sled.dir.path().join("sled.jsonl");
    pg.ok("export jsonl {}", &[&pg_backup.to_string_lossy()]);
    sled.ok("export jsonl {}", &[&sled_backup.to_string_lossy()]);
    // Byte for byte but for the ciphertexts: each run sealed the same
    // fields, for the same subjects, events and paths, under fresh nonces.
    let unsealed = |path: &std::path::Path| {
        let text = std::fs::read_to_string(path).expect("a backup");
        without_ciphertexts(&text)
    };
    let (pg_lines, sled_lines) = (unsealed(&pg_backup), unsealed(&sled_backup));
    assert!(pg_lines.iter().any(|l| l.contains("<sealed v1:client-")));
    assert_eq!(pg_lines, sled_lines, "one backup format");
    assert_eq!(
        pg.json("show {}", &[&household]),
        sled.json("show {}", &[&household]),
        "ce --json show"
    );
}

#[test]
fn what_only_sled_needs_is_a_no_op_on_postgres_and_a_missing_server_is_a_storage_error() {
    let Some(pg) = Store::postgres() else {
        return;
    };
    pg.ok("init", &[]);
    let out = pg.ok("rebuild", &[]);
    assert!(out.contains("nothing to rebuild"), "{out}");
    let out = pg.ok("rollback-import", &[]);
    assert!(out.contains("no unfinished import"), "{out}");

    let nowhere = tempfile::tempdir().expect("a directory");
    let gone = Store {
        path: format!("host={} user=postgres dbname=ce", nowhere.path().display()).into(),
        dir: nowhere,
    };
    let err = gone.refused_without_store("list");
    assert!(err.contains("cannot connect to PostgreSQL"), "{err}");
    let typo = Store {
        path: "host=/tmp dbname='unterminated".into(),
        dir: tempfile::tempdir().expect("a directory"),
    };
    let err = ce_tests::cli::refuse(&mut typo.cmd("list", &[]), "list", EXIT_INPUT);
    assert!(
        err.contains("not a valid PostgreSQL connection string"),
        "{err}"
    );
    // A URL without a server is the user's to fix too (the client has no
    // default socket, as libpq does).
    let hostless = Store {
        path: "postgres:///ce".into(),
        dir: tempfile::tempdir().expect("a directory"),
    };
    let err = ce_tests::cli::refuse(&mut hostless.cmd("list", &[]), "list", EXIT_INPUT);
    assert!(err.contains("names no server"), "{err}");
}

/// The migration path: a sled store's backup imported into PostgreSQL is
/// the same store there (`verify` passes, lists read alike); a second
/// import, or a damaged backup, is refused and leaves the store as it was.
#[test]
fn a_sled_backup_restores_into_postgres() {
    let Some(pg) = Store::postgres() else {
        return;
    };
    let sled = Store::new();
    sled.ok("demo --households 30 --seed 11", &[]);
    let backup = sled.dir.path().join("backup.jsonl");
    let backup = backup.to_string_lossy().into_owned();
    sled.ok("export jsonl {}", &[&backup]);

    let damaged = sled.dir.path().join("damaged.jsonl");
    let text = std::fs::read_to_string(&backup).expect("the backup");
    std::fs::write(&damaged, text.replacen("Coulee", "Kenosha", 1)).expect("a damaged copy");
    let err = pg.refused("import jsonl {}", &[&damaged.to_string_lossy()], EXIT_INPUT);
    assert!(err.contains("checksum"), "{err}");
    assert_eq!(pg.events(), 0, "nothing of a refused import stays");

    pg.ok("import jsonl {}", &[&backup]);
    assert_eq!(pg.events(), sled.events());
    // The backup's personal data is sealed: the keys move on their own.
    let keys = sled.dir.path().join("keys.jsonl");
    let keys = keys.to_string_lossy().into_owned();
    sled.ok("keys backup {}", &[&keys]);
    pg.ok("keys restore {}", &[&keys]);
    for command in ["verify", "list", "referrals", "openings"] {
        assert_eq!(pg.ok(command, &[]), sled.ok(command, &[]), "ce {command}");
    }
    let err = pg.refused("import jsonl {}", &[&backup], EXIT_INPUT);
    assert!(err.contains("empty store"), "{err}");
}

/// A HUD CSV export from another HMIS, imported month after month, gives
/// the same lists on PostgreSQL as on sled, and `verify` passes on both.
#[test]
fn a_hud_csv_import_reads_the_same_on_postgres_as_on_sled() {
    let Some(pg) = Store::postgres() else {
        return;
    };
    let sled = Store::new();
    for month in ["month1", "month2"] {
        let export = ce_tests::support::foreign_export_dir(month);
        let export = export.to_str().expect("a UTF-8 path");
        let command = "import hud-csv {} --coalition Coulee";
        assert_eq!(
            pg.ok(command, &[export]),
            sled.ok(command, &[export]),
            "ce {command} ({month})"
        );
    }
    assert!(pg.events() > 0, "the import wrote");
    assert_eq!(pg.events(), sled.events());
    for command in ["list --as-of 2025-04-20", "verify", "referrals"] {
        assert_eq!(pg.ok(command, &[]), sled.ok(command, &[]), "ce {command}");
    }
    // The same export again: everything already imported, nothing written.
    let export = ce_tests::support::foreign_export_dir("month2");
    let events = pg.events();
    pg.ok(
        "import hud-csv {} --coalition Coulee",
        &[export.to_str().expect("UTF-8")],
    );
    assert_eq!(
        pg.events(),
        events,
        "a second import of one export writes nothing"
    );
}

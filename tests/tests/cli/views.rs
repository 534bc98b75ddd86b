//! Every CLI read of a household's personal data is recorded, one view per
//! household shown, before it is printed; `ce audit views` shows them to a
//! CE lead. On both stores.

use ce_tests::cli::Store;

fn views_are_recorded_on(store: &Store) {
    store.ok("demo --households 30 --seed 3", &[]);
    let lists = store.json("list --coalition Coulee", &[]);
    let household = lists[0]["rows"][0]["household"]
        .as_str()
        .expect("a listed household")
        .to_owned();
    let views = |store: &Store| {
        store
            .json("audit views --household {}", &[&household])
            .as_array()
            .expect("a list of views")
            .iter()
            .map(|v| {
                (
                    v["actor"]["user"].as_str().unwrap_or_default().to_owned(),
                    v["purpose"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect::<Vec<_>>()
    };
    // The list shows the household on several lists: one view.
    assert_eq!(views(store), [("ce-cli".to_owned(), "ce list".to_owned())]);
    store.ok("--user ana --role access show {}", &[&household]);
    store.ok("history {}", &[&household]);
    store.ok("list --no-names", &[]);
    store.ok("explain {}", &[&household]);
    let backup = store.dir.path().join("backup.jsonl");
    store.ok("export jsonl {}", &[backup.to_str().expect("utf-8 path")]);
    assert_eq!(
        views(store),
        [
            ("ce-cli", "ce list"),
            ("ana", "ce show"),
            ("ce-cli", "ce history"),
        ]
        .map(|(u, p)| (u.to_owned(), p.to_owned()))
    );
    // Only a CE lead reads them; the views leave the log as it was.
    let error = store.refused("--role access audit views --household {}", &[&household], 3);
    assert!(
        error.contains("may not read who viewed a household"),
        "{error}"
    );
    store.ok("verify", &[]);
}

#[test]
fn reads_of_personal_data_are_recorded_per_household_on_sled() {
    views_are_recorded_on(&Store::new());
}

#[test]
fn reads_of_personal_data_are_recorded_per_household_on_postgres() {
    if let Some(store) = Store::postgres() {
        views_are_recorded_on(&store);
    }
}

/// The view log moves with a restore: exported whole by a CE lead, and
/// recorded into a store that has none (sled to sled, and to PostgreSQL).
#[test]
fn the_view_log_is_exported_and_imported_beside_a_backup() {
    let s = Store::new();
    s.ok("demo --households 12 --seed 5", &[]);
    s.ok("list --coalition Coulee", &[]);
    let lists = s.json("list --coalition Coulee --no-names", &[]);
    let household = lists[0]["rows"][0]["household"]
        .as_str()
        .expect("a listed household")
        .to_owned();
    s.ok("--user ana --role access show {}", &[&household]);
    let views = s.dir.path().join("views.jsonl");
    let views = views.to_str().expect("utf-8");
    s.refused("--role access audit export {}", &[views], 3);
    let exported = s.json("audit export {}", &[views]);
    let count = exported["views"].as_u64().expect("a count");
    assert!(count > 1, "{exported}");
    let backup = s.dir.path().join("log.jsonl");
    let backup = backup.to_str().expect("utf-8");
    s.ok("export jsonl {}", &[backup]);

    let mut targets = vec![Store::new()];
    targets.extend(Store::postgres());
    for target in &targets {
        target.ok("import jsonl {}", &[backup]);
        target.keys_from(&s);
        let imported = target.json("audit import {}", &[views]);
        assert_eq!(imported["views"].as_u64(), Some(count));
        assert_eq!(
            target.json("audit views --household {}", &[&household]),
            s.json("audit views --household {}", &[&household])
        );
        // Twice would record every view twice: refused, nothing written.
        let error = target.refused("audit import {}", &[views], 2);
        assert!(error.contains("already holds"), "{error}");
    }
}

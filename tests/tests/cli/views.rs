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

//! ce-store-sled beyond the conformance suite: rebuild, reopen, bad data,
//! backup and restore, concurrency.

use std::sync::{Arc, Barrier};

use ce_core::testing::{date, opening, HouseholdBuilder};
use ce_core::{
    DecodeError, Event, EventStore, ExpectedVersion, ListHouseholdType, ListKey, Outcome,
    ProgramType, Refer, StoreError,
};
use ce_store_sled::{Checksum, SledStore, SledStoreError};
use ce_tests::sample::{client_stream, new_event, request, workload, Driver};

/// `SledStore::open`, waiting while a store dropped a moment ago still
/// holds its file lock.
fn try_open(dir: &tempfile::TempDir) -> Result<SledStore, SledStoreError> {
    ce_tests::open_when_released(dir.path(), std::time::Duration::from_secs(2))
}

fn open(dir: &tempfile::TempDir) -> SledStore {
    try_open(dir).unwrap()
}

fn filled(dir: &tempfile::TempDir) -> SledStore {
    let mut driver = Driver::new(open(dir));
    workload(&mut driver);
    let Driver { workflow, .. } = driver;
    drop(workflow);
    open(dir)
}

/// Overwrites the stored bytes of the event at `position` through sled.
fn tamper(dir: &tempfile::TempDir, position: u64, edit: impl FnOnce(Vec<u8>) -> Vec<u8>) {
    let db = ce_tests::raw_sled_when_released(dir.path()).unwrap();
    let events = db.open_tree("events").unwrap();
    let key = position.to_be_bytes();
    let bytes = events.get(key).unwrap().unwrap().to_vec();
    events.insert(key, edit(bytes)).unwrap();
    db.flush().unwrap();
}

/// One batch, three requests: the second expects the version the first
/// writes, the third re-sends the first (idempotent: its envelopes come back,
/// nothing more is written). A batch whose last request conflicts writes
/// nothing at all.
#[test]
fn a_batch_sees_its_own_earlier_requests_and_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let a = client_stream(1);
    let first = request(
        &[(a, ExpectedVersion::Exact(0))],
        vec![new_event(1, &[a]), new_event(2, &[a])],
    );
    let second = request(&[(a, ExpectedVersion::Exact(2))], vec![new_event(3, &[a])]);
    let out = store
        .append_batch(vec![first.clone(), second, first.clone()])
        .unwrap();
    assert_eq!(
        out[2], out[0],
        "the re-send returns the first request's envelopes"
    );
    assert_eq!(
        out.iter()
            .map(|e| e.iter().map(|e| e.position).collect::<Vec<_>>())
            .collect::<Vec<_>>(),
        vec![vec![0, 1], vec![2], vec![0, 1]]
    );
    assert_eq!(store.next_position().unwrap(), 3);
    assert_eq!(store.stream_version(&a).unwrap(), 3);
    assert_eq!(store.read_from(0, usize::MAX).unwrap().len(), 3);

    let b = client_stream(2);
    let fresh = request(&[(b, ExpectedVersion::Exact(0))], vec![new_event(4, &[b])]);
    let stale = request(&[(a, ExpectedVersion::Exact(2))], vec![new_event(5, &[a])]);
    let rows = store.projection_bytes().unwrap();
    assert!(matches!(
        store.append_batch(vec![fresh, stale]),
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(store.next_position().unwrap(), 3);
    assert_eq!(store.stream_version(&b).unwrap(), 0);
    assert_eq!(
        store.position_of(new_event(4, &[b]).event_id).unwrap(),
        None
    );
    assert_eq!(store.projection_bytes().unwrap(), rows);
    drop(store);
    let store = open(&dir);
    assert_eq!(store.read_from(0, usize::MAX).unwrap().len(), 3);
    assert_eq!(store.db().open_tree("events").unwrap().len(), 3);
}

#[test]
fn rebuild_gives_the_incremental_projections_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let store = filled(&dir);
    let incremental = store.projection_bytes().unwrap();
    assert!(!incremental.is_empty());
    store.rebuild().unwrap();
    assert_eq!(store.projection_bytes().unwrap(), incremental);
}

#[test]
fn reopened_store_serves_lists_and_state_without_replaying() {
    let dir = tempfile::tempdir().unwrap();
    let store = filled(&dir);
    let log = store.read_from(0, usize::MAX).unwrap();
    let fresh = ce_core::Caseload::from_events(&log);
    assert_eq!(store.caseload().unwrap(), fresh);
    let key = ListKey {
        coalition: ce_core::Coalition::new("Coulee"),
        program: ProgramType::Psh,
        household_type: ListHouseholdType::AdultsOnly,
    };
    let on = date(2025, 3, 1);
    assert_eq!(
        store.list(&key, on).unwrap(),
        fresh.list(store.policy(), &key, on)
    );
    assert!(store.list_keys().unwrap().contains(&key));
    // On every list and on the day before and of each placement, the
    // stored list is the fold's: a household placed after the date is not
    // on it yet.
    let placed: std::collections::BTreeSet<_> = fresh
        .households()
        .values()
        .filter_map(|h| h.placed_on)
        .collect();
    for key in store.list_keys().unwrap() {
        for day in &placed {
            for on in [day.pred_opt().unwrap(), *day] {
                assert_eq!(
                    store.list(&key, on).unwrap(),
                    fresh.list(store.policy(), &key, on),
                    "{key} on {on}"
                );
            }
        }
    }
    let household = *fresh.households().keys().next().unwrap();
    assert_eq!(
        store.household(household).unwrap().as_ref(),
        fresh.households().get(&household)
    );
}

#[test]
fn a_flipped_byte_in_a_stored_event_is_an_error_naming_its_position() {
    let dir = tempfile::tempdir().unwrap();
    drop(filled(&dir));
    tamper(&dir, 3, |mut bytes| {
        bytes[0] ^= 0x20;
        bytes
    });
    let store = open(&dir);
    let err = store.read_from(0, 100).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Decode {
                position: 3,
                source: DecodeError::Malformed(_)
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("position 3"), "{err}");
}

#[test]
fn a_truncated_event_is_an_error_naming_its_position() {
    let dir = tempfile::tempdir().unwrap();
    drop(filled(&dir));
    tamper(&dir, 5, |bytes| bytes[..bytes.len() / 2].to_vec());
    let err = open(&dir).read_from(0, 100).unwrap_err();
    assert!(
        matches!(err, StoreError::Decode { position: 5, .. }),
        "{err:?}"
    );
}

#[test]
fn an_unknown_event_type_is_an_error_naming_its_position_and_type() {
    let dir = tempfile::tempdir().unwrap();
    drop(filled(&dir));
    tamper(&dir, 2, |bytes| {
        let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        value["type"] = "HouseholdTeleported".into();
        serde_json::to_vec(&value).unwrap()
    });
    let err = open(&dir).read_from(0, 100).unwrap_err();
    match err {
        StoreError::Decode {
            position: 2,
            source: DecodeError::UnknownEventType(t),
        } => {
            assert_eq!(t, "HouseholdTeleported")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unknown_format_version_refuses_to_open() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(&dir));
    {
        let db = ce_tests::raw_sled_when_released(dir.path()).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("format_version", &99u64.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    let err = try_open(&dir).unwrap_err();
    assert!(
        matches!(
            err,
            SledStoreError::UnknownFormatVersion {
                found: 99,
                supported: 1
            }
        ),
        "{err:?}"
    );
}

#[test]
fn backup_then_restore_then_rebuild_gives_the_same_lists() {
    let dir = tempfile::tempdir().unwrap();
    let store = filled(&dir);
    let mut backup = Vec::new();
    let exported = store.export_jsonl(&mut backup).unwrap();
    assert_eq!(exported, store.next_position().unwrap());
    // One line an event, and the checksum line.
    assert_eq!(
        backup.iter().filter(|b| **b == b'\n').count() as u64,
        exported + 1
    );

    let restored_dir = tempfile::tempdir().unwrap();
    let restored = open(&restored_dir);
    assert_eq!(restored.import_jsonl(backup.as_slice()).unwrap(), exported);
    restored.rebuild().unwrap();
    assert_eq!(
        restored.read_from(0, usize::MAX).unwrap(),
        store.read_from(0, usize::MAX).unwrap()
    );
    assert_eq!(
        restored.projection_bytes().unwrap(),
        store.projection_bytes().unwrap()
    );
    // The log and its indexes are the same bytes as the appends wrote.
    for tree in ["events", "event_ids", "streams", "heads"] {
        let rows = |s: &SledStore| -> Vec<(sled::IVec, sled::IVec)> {
            s.db()
                .open_tree(tree)
                .unwrap()
                .iter()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(rows(&restored), rows(&store), "tree {tree}");
    }

    let err = restored.import_jsonl(backup.as_slice()).unwrap_err();
    assert!(
        matches!(err, SledStoreError::NotEmpty(n) if n == exported),
        "{err:?}"
    );
}

#[test]
fn a_backup_with_a_gap_or_a_bad_line_is_rejected_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let store = filled(&dir);
    let mut backup = Vec::new();
    store.export_jsonl(&mut backup).unwrap();
    let text = String::from_utf8(backup).unwrap();
    let lines: Vec<&str> = text.lines().collect();

    let gap = [lines[0], lines[2]].join("\n");
    let err = open(&tempfile::tempdir().unwrap())
        .import_jsonl_with(gap.as_bytes(), Checksum::IfPresent, |_| {})
        .unwrap_err();
    assert!(
        matches!(
            err,
            SledStoreError::ImportGap {
                line: 2,
                expected: 1,
                found: 2
            }
        ),
        "{err:?}"
    );

    let bad = [lines[0], "{not json"].join("\n");
    let err = open(&tempfile::tempdir().unwrap())
        .import_jsonl_with(bad.as_bytes(), Checksum::IfPresent, |_| {})
        .unwrap_err();
    assert!(
        matches!(err, SledStoreError::ImportLine { line: 2, .. }),
        "{err:?}"
    );
}

/// The backup's lines, each as JSON to edit.
fn backup_lines(store: &SledStore) -> Vec<serde_json::Value> {
    let mut backup = Vec::new();
    store.export_jsonl(&mut backup).unwrap();
    String::from_utf8(backup)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("{\"checksum\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn jsonl(lines: &[serde_json::Value]) -> String {
    lines
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_backup_repeating_an_event_id_or_skipping_a_stream_version_is_rejected_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let lines = backup_lines(&filled(&dir));

    let mut repeated = lines[..3].to_vec();
    repeated[2]["event_id"] = lines[0]["event_id"].clone();
    let target = tempfile::tempdir().unwrap();
    let err = open(&target)
        .import_jsonl_with(jsonl(&repeated).as_bytes(), Checksum::IfPresent, |_| {})
        .unwrap_err();
    assert!(
        matches!(&err, SledStoreError::ImportDuplicate { line: 3, event_id }
            if event_id.to_string() == lines[0]["event_id"].as_str().unwrap()),
        "{err:?}"
    );
    assert!(err.to_string().contains("line 3 repeats event id"), "{err}");
    // Nothing of the failed batch is stored, and the store opens again.
    assert_eq!(open(&target).next_position().unwrap(), 0);

    // The second event of a stream recorded as its third.
    let (second, stream) = lines
        .iter()
        .enumerate()
        .find_map(|(i, l)| {
            let sv = &l["streams"][0];
            (sv["version"] == 2).then(|| (i, sv["stream"].as_str().unwrap().to_owned()))
        })
        .unwrap();
    let mut skipped = lines[..=second].to_vec();
    skipped[second]["streams"][0]["version"] = 3.into();
    let err = open(&tempfile::tempdir().unwrap())
        .import_jsonl_with(jsonl(&skipped).as_bytes(), Checksum::IfPresent, |_| {})
        .unwrap_err();
    let line = second as u64 + 1;
    assert!(
        matches!(&err, SledStoreError::ImportVersion { line: l, stream: s, expected_previous: 1, found: 3 }
            if *l == line && s.to_string() == stream),
        "{err:?}"
    );
}

#[test]
fn a_backup_event_with_no_stream_or_one_stream_twice_is_rejected_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let lines = backup_lines(&filled(&dir));
    let mut none = lines[..2].to_vec();
    none[1]["streams"] = serde_json::json!([]);
    let err = open(&tempfile::tempdir().unwrap())
        .import_jsonl_with(jsonl(&none).as_bytes(), Checksum::IfPresent, |_| {})
        .unwrap_err();
    assert!(
        matches!(err, SledStoreError::ImportInvalid { line: 2, reason } if reason.contains("no stream")),
        "{err:?}"
    );
    // The second line's stream named twice, as versions 1 and 2.
    let mut twice = lines[..2].to_vec();
    let first = twice[1]["streams"][0].clone();
    let mut again = first.clone();
    again["version"] = (first["version"].as_u64().unwrap() + 1).into();
    twice[1]["streams"] = serde_json::json!([first, again]);
    let err = open(&tempfile::tempdir().unwrap())
        .import_jsonl_with(jsonl(&twice).as_bytes(), Checksum::IfPresent, |_| {})
        .unwrap_err();
    assert!(
        matches!(err, SledStoreError::ImportInvalid { line: 2, reason } if reason.contains("twice")),
        "{err:?}"
    );
}

#[test]
fn a_store_whose_import_was_cut_off_refuses_to_open_and_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let lines = backup_lines(&filled(&dir));
    let target = tempfile::tempdir().unwrap();
    {
        let store = open(&target);
        store
            .import_jsonl_with(jsonl(&lines).as_bytes(), Checksum::IfPresent, |_| {})
            .unwrap();
        // What a kill between two import batches leaves: the import's mark.
        store
            .db()
            .open_tree("meta")
            .unwrap()
            .insert("importing", &[])
            .unwrap();
        store.db().flush().unwrap();
    }
    let err = try_open(&target).unwrap_err();
    assert!(
        matches!(err, SledStoreError::IncompleteImport { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("run `ce rollback-import` to return the store"),
        "{err}"
    );
}

#[test]
fn eight_threads_racing_to_refer_get_exactly_one_referral_per_opening() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open(&dir));
    let mut setup = Driver::new(Arc::clone(&store));
    for i in 0..16u128 {
        setup.enroll(
            HouseholdBuilder::single_adult("Coulee")
                .client(ce_core::testing::client(i + 1))
                .disabled()
                .placed_with_score(8 + (i % 5) as u32),
        );
    }
    let openings: Vec<_> = (0..4)
        .map(
            |_| match setup.run(opening(ProgramType::Psh, "Coulee", date(2025, 2, 1))) {
                Outcome::Posted { opening } => opening,
                other => panic!("{other:?}"),
            },
        )
        .collect();

    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8u128)
        .map(|t| {
            let store = Arc::clone(&store);
            let barrier = Arc::clone(&barrier);
            let openings = openings.clone();
            std::thread::spawn(move || {
                let mut driver = Driver::new(store);
                driver.skip_ids((t + 1) * 1_000_000);
                barrier.wait();
                openings
                    .iter()
                    .filter(|opening| {
                        driver
                            .try_run(Refer {
                                opening: **opening,
                                date: date(2025, 2, 2),
                                household: None,
                                bypass_reason: None,
                            })
                            .is_ok()
                    })
                    .count()
            })
        })
        .collect();
    let successes: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(successes, openings.len());

    let log = store.read_from(0, usize::MAX).unwrap();
    assert_eq!(
        log.iter().map(|e| e.position).collect::<Vec<_>>(),
        (0..log.len() as u64).collect::<Vec<_>>()
    );
    let mut ids: Vec<_> = log.iter().map(|e| e.event_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), log.len(), "no duplicate events");
    let mut referred: Vec<_> = log
        .iter()
        .filter_map(|e| match &e.event {
            Event::ReferralOffered(r) => Some((r.opening, r.household)),
            _ => None,
        })
        .collect();
    assert_eq!(
        referred.len(),
        openings.len(),
        "exactly one referral per opening"
    );
    referred.sort();
    let households: std::collections::BTreeSet<_> = referred.iter().map(|(_, h)| *h).collect();
    assert_eq!(
        households.len(),
        openings.len(),
        "no household referred twice for PSH"
    );
}

// ---------------------------------------------------------------------------
// Hardening: all-or-nothing imports, checksummed backups, bounded lines,
// opening only what exists, reading a copy
// ---------------------------------------------------------------------------

fn exported(store: &SledStore) -> Vec<u8> {
    let mut backup = Vec::new();
    store.export_jsonl(&mut backup).unwrap();
    backup
}

#[test]
fn a_backup_with_a_bad_line_late_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut driver = Driver::new(filled(&dir));
    driver.skip_ids(1_000);
    for n in 0..600u128 {
        driver.enroll(
            ce_core::testing::HouseholdBuilder::single_adult("Coulee")
                .client(ce_core::testing::client(10_000 + n))
                .placed_with_score(9),
        );
    }
    let Driver { workflow, .. } = driver;
    drop(workflow);
    let source = open(&dir);
    let mut lines = backup_lines(&source);
    assert!(lines.len() > 1_500, "more than one batch: {}", lines.len());
    let bad = lines.len() - 3;
    lines[bad] = serde_json::json!({ "not": "an envelope" });
    let target = tempfile::tempdir().unwrap();
    let store = open(&target);
    let err = store
        .import_jsonl_with(jsonl(&lines).as_bytes(), Checksum::IfPresent, |_| {})
        .unwrap_err();
    assert!(matches!(err, SledStoreError::ImportLine { .. }), "{err:?}");
    // The batches before the bad line went with it: nothing is served.
    assert_eq!(store.next_position().unwrap(), 0);
    assert!(store.read_from(0, usize::MAX).unwrap().is_empty());
    assert!(store.caseload().unwrap().households().is_empty());
    drop(store);
    let store = open(&target);
    assert_eq!(store.next_position().unwrap(), 0);
    // And the whole backup imports into it afterwards.
    let backup = exported(&source);
    store.import_jsonl(backup.as_slice()).unwrap();
    assert_eq!(
        store.read_from(0, usize::MAX).unwrap(),
        source.read_from(0, usize::MAX).unwrap()
    );
}

#[test]
fn a_backup_with_an_event_deleted_and_the_positions_renumbered_fails_its_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let source = filled(&dir);
    let text = String::from_utf8(exported(&source)).unwrap();
    let mut lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let trailer = lines.pop().unwrap();
    assert!(trailer["checksum"].as_str().unwrap().starts_with("sha256:"));
    // Remove the last event and keep the checksum line: the positions
    // still run 0, 1, 2, ...
    lines.pop();
    lines.push(trailer.clone());
    let store = open(&tempfile::tempdir().unwrap());
    let err = store.import_jsonl(jsonl(&lines).as_bytes()).unwrap_err();
    assert!(
        matches!(err, SledStoreError::ImportChecksum { .. }),
        "{err:?}"
    );
    assert_eq!(store.next_position().unwrap(), 0);

    // An edited value fails it too.
    let mut edited: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    edited[0]["effective"] = serde_json::json!("2024-12-31");
    let err = store.import_jsonl(jsonl(&edited).as_bytes()).unwrap_err();
    assert!(
        matches!(err, SledStoreError::ImportChecksum { .. }),
        "{err:?}"
    );

    // Without its checksum line, a backup is refused unless asked for.
    let bare: Vec<serde_json::Value> = backup_lines(&source);
    let err = store.import_jsonl(jsonl(&bare).as_bytes()).unwrap_err();
    assert!(matches!(err, SledStoreError::ImportNoChecksum), "{err:?}");
    assert!(err.to_string().contains("--without-checksum"), "{err}");
    assert_eq!(store.next_position().unwrap(), 0);
}

#[test]
fn a_backup_without_line_breaks_is_an_error_not_an_unbounded_read() {
    let store = open(&tempfile::tempdir().unwrap());
    // What `ce import jsonl /dev/zero` reads: zeros without end (here 3 MiB).
    let zeros = std::io::Read::take(std::io::repeat(0), 3 << 20);
    let err = store
        .import_jsonl(std::io::BufReader::new(zeros))
        .unwrap_err();
    assert!(
        matches!(err, SledStoreError::ImportLineTooLong { line: 1, .. }),
        "{err:?}"
    );
    assert_eq!(store.next_position().unwrap(), 0);
}

#[test]
fn an_unfinished_import_is_refused_then_rolled_back_to_where_it_began() {
    let dir = tempfile::tempdir().unwrap();
    let store = filled(&dir);
    let before = store.read_from(0, usize::MAX).unwrap();
    let lists_before = store.projection_bytes().unwrap();
    // An import that appends, then is cut off (the process killed).
    store.begin_import("HUD CSV export in /data/march").unwrap();
    let mut driver = Driver::new(store);
    driver.skip_ids(1_000);
    driver.enroll(ce_core::testing::HouseholdBuilder::single_adult("Coulee").placed_with_score(12));
    let Driver { workflow, .. } = driver;
    drop(workflow);

    let err = try_open(&dir).unwrap_err();
    assert!(
        matches!(&err, SledStoreError::IncompleteImport { what, position }
            if what == "HUD CSV export in /data/march" && *position == before.len() as u64),
        "{err:?}"
    );
    let (store, rolled_back) = SledStore::open_rolling_back_import(dir.path()).unwrap();
    let (what, removed) = rolled_back.unwrap();
    assert_eq!(what, "HUD CSV export in /data/march");
    assert!(removed > 0);
    assert_eq!(store.read_from(0, usize::MAX).unwrap(), before);
    assert_eq!(store.projection_bytes().unwrap(), lists_before);
    drop(store);
    let store = open(&dir);
    assert_eq!(store.read_from(0, usize::MAX).unwrap(), before);
}

#[test]
fn a_store_opens_only_where_one_exists_and_a_copy_reads_the_same() {
    let missing = tempfile::tempdir().unwrap();
    let path = missing.path().join("typo");
    let err = SledStore::open_existing(&path).unwrap_err();
    assert!(matches!(err, SledStoreError::Missing { .. }), "{err:?}");
    assert!(err.to_string().contains("typo"), "{err}");
    assert!(!path.exists(), "nothing created");

    let dir = tempfile::tempdir().unwrap();
    let store = filled(&dir);
    let log = store.read_from(0, usize::MAX).unwrap();
    drop(store);
    let tmp = tempfile::tempdir().unwrap();
    let copy = SledStore::open_snapshot(dir.path(), tmp.path()).unwrap();
    assert!(copy.is_snapshot());
    assert_eq!(copy.read_from(0, usize::MAX).unwrap(), log);
    drop(copy);
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "the copy is removed with the store"
    );
}

#[test]
fn the_policy_in_force_is_the_last_one_the_log_adopted_also_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = filled(&dir);
    let mut v2 = store.policy().clone();
    v2.version += 1;
    v2.inactivity_days = 120;
    let meta = ce_core::CommandMeta {
        command_id: ce_core::CommandId::random(),
        actor: ce_core::Actor::new("lead", "BoS CE", ce_core::Role::Lead),
        recorded_at: chrono::DateTime::from_timestamp(1_767_000_000, 0).unwrap(),
    };
    assert!(store.set_policy(v2.clone(), &meta).unwrap());
    let lists = store.projection_bytes().unwrap();
    // What a crash right after the adoption's append leaves: the event in
    // the log, the old policy in `meta` and lists ranked by it.
    let old = serde_json::to_vec(&ce_core::Policy::wi_bos_default()).unwrap();
    store
        .db()
        .open_tree("meta")
        .unwrap()
        .insert("policy", old)
        .unwrap();
    store.db().flush().unwrap();
    drop(store);
    let store = open(&dir);
    assert_eq!(store.policy(), &v2);
    assert_eq!(store.projection_bytes().unwrap(), lists);
}

#[test]
fn an_unreadable_import_mark_is_an_error_never_a_rollback_by_guess() {
    let dir = tempfile::tempdir().unwrap();
    let store = filled(&dir);
    let log = store.read_from(0, usize::MAX).unwrap();
    store
        .db()
        .open_tree("meta")
        .unwrap()
        .insert("importing", &b"\x00damaged"[..])
        .unwrap();
    store.db().flush().unwrap();
    drop(store);
    let err = try_open(&dir).unwrap_err();
    assert!(err.to_string().contains("mark"), "{err}");
    let err = SledStore::open_rolling_back_import(dir.path())
        .map(|_| ())
        .unwrap_err();
    assert!(err.to_string().contains("mark"), "{err}");
    // Nothing was removed.
    let db = ce_tests::raw_sled_when_released(dir.path()).unwrap();
    assert_eq!(db.open_tree("events").unwrap().len(), log.len());
}

/// A workflow given other floors than the store's policy would rank one
/// household onto a list the store's projection leaves it off, and refer
/// by its own rules: refused with a clear error. `Workflow::open` takes the
/// store's policy, and lists agree.
#[test]
fn a_workflow_cannot_hold_another_policy_than_its_store() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let mut strict = ce_core::Policy::wi_bos_default();
    strict.id = "strict".to_owned();
    for rule in &mut strict.programs {
        rule.eligibility.min_score_without_children = Some(15);
    }
    store.set_initial_policy(strict.clone()).unwrap();
    let store = Arc::new(store);

    let err =
        ce_core::Workflow::new(Arc::clone(&store), ce_core::Policy::wi_bos_default()).unwrap_err();
    assert!(
        matches!(&err, ce_core::Error::PolicyMismatch { store, given }
            if store == "strict v2" && given == "wi-bos v2"),
        "{err}"
    );
    assert!(err.to_string().contains("Workflow::open"), "{err}");

    let workflow = ce_core::Workflow::open(Arc::clone(&store)).unwrap();
    assert_eq!(workflow.policy(), &strict);
    let mut driver = Driver::from_workflow(workflow);
    let household = driver.enroll(
        HouseholdBuilder::single_adult("Coulee")
            .disabled()
            .placed_with_score(10),
    );
    let key = ListKey {
        coalition: ce_core::Coalition::new("Coulee"),
        program: ProgramType::Rrh,
        household_type: ListHouseholdType::AdultsOnly,
    };
    let on = date(2025, 3, 1);
    let caseload = driver.workflow.caught_up().unwrap().clone();
    let folded = caseload.list(&strict, &key, on);
    let projected = store.list(&key, on).unwrap();
    assert_eq!(folded, projected);
    assert!(folded
        .entries
        .iter()
        .all(|e| e.inputs.household != household));
}

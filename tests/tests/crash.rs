//! Crash safety: a child process appends in a loop and is killed with
//! SIGKILL at varying points, many times over one store. After each kill the
//! store must reopen with every acknowledged event, a gapless log, stream
//! heads that match the index, and projections equal to a rebuild.
//!
//! A kill rarely lands where sled has written part of a one-command append
//! and not the rest (sled mostly writes its buffers out at the flush, after
//! the whole append); the run counts how often it did. Batches of 100
//! requests are long enough for sled to write part of one before the kill:
//! `killed_batch_writers_leave_whole_batches` cuts some off on disk and
//! checks that only whole batches come back. The unit test
//! `an_append_cut_off_after_any_of_its_rows_is_removed_on_open` in
//! `ce-store-sled` cuts an append off after each of its rows.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use ce_core::testing::{client, HouseholdBuilder};
use ce_core::{Caseload, EventStore, MemoryStore};
use ce_store_sled::{SledStore, SledStoreError};
use ce_tests::sample::Driver;

const KILLS: u64 = 20;

fn raw_u64(db: &sled::Db, tree: &str, key: &str) -> Option<u64> {
    let bytes = db.open_tree(tree).unwrap().get(key).unwrap()?;
    Some(u64::from_be_bytes(bytes.as_ref().try_into().unwrap()))
}

/// 0..=`max` ms from a SplitMix64 step.
fn next_delay(state: &mut u64, max: u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) % (max + 1)
}

/// The seed of a test's random kill points, printed so a failure can be
/// replayed with CE_CRASH_SEED.
fn crash_seed() -> u64 {
    let seed = std::env::var("CE_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    eprintln!("crash test seed {seed} (set CE_CRASH_SEED to replay)");
    seed
}

/// Runs `crash_writer ARGS`, waits for its first `ack`, kills it (SIGKILL)
/// `delay` ms later, and returns the highest position it acknowledged.
fn kill_writer(args: &[String], delay: u64) -> Option<u64> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crash_writer"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (first_ack, started) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut max = None;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(p) = line
                .strip_prefix("ack ")
                .and_then(|p| p.parse::<u64>().ok())
            {
                if max.is_none() {
                    let _ = first_ack.send(());
                }
                max = max.max(Some(p));
            }
        }
        max
    });
    let _ = started.recv_timeout(Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(delay));
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap()
}

/// `SledStore::open`, waiting while a sled handle dropped a moment ago (by
/// [`cut_off`]) still holds the file lock.
fn open_when_released(dir: &std::path::Path) -> SledStore {
    ce_tests::open_when_released(dir, Duration::from_secs(2)).unwrap()
}

/// Whether a kill left an append cut off midway (an event row at or past
/// the next position), read with raw sled before anything could repair it.
/// An append's rows are written with the next position last, so a kill may
/// leave some of them past it, never one missing before it.
fn cut_off(dir: &std::path::Path) -> bool {
    let db = sled::open(dir).unwrap();
    let next = raw_u64(&db, "meta", "next_position").unwrap_or(0);
    db.open_tree("events")
        .unwrap()
        .last()
        .unwrap()
        .is_some_and(|(key, _)| u64::from_be_bytes(key.as_ref().try_into().unwrap()) >= next)
}

/// Reopens the store after kill number `kill` and checks it: a gapless log
/// holding every acknowledged position and nothing past the next position,
/// stream heads that match the index, projections equal to a fold of the
/// log and to a rebuild. Returns the log's length.
fn check_reopened(dir: &std::path::Path, kill: u64, acked: Option<u64>) -> u64 {
    let store = open_when_released(dir);
    let log = store.read_from(0, usize::MAX).unwrap();
    let next = store.next_position().unwrap();
    assert_eq!(log.len() as u64, next);
    // The open removed whatever a cut-off append left.
    assert_eq!(store.db().open_tree("events").unwrap().len() as u64, next);
    assert_eq!(
        store.db().open_tree("event_ids").unwrap().len() as u64,
        next
    );
    assert_eq!(store.projection_checkpoint().unwrap(), next);
    if let Some(acked) = acked {
        assert!(
            next > acked,
            "kill {kill}: acknowledged position {acked} lost (log has {next})"
        );
    }
    let caseload = store.caseload().unwrap();
    for (stream, version) in &caseload.versions {
        assert_eq!(
            store.read_stream(stream).unwrap().len() as u64,
            *version,
            "{stream}"
        );
    }
    assert_eq!(
        caseload,
        Caseload::from_events(&log),
        "kill {kill}: projections equal a fold"
    );
    let before = store.projection_bytes().unwrap();
    store.rebuild().unwrap();
    assert_eq!(
        store.projection_bytes().unwrap(),
        before,
        "kill {kill}: rebuild is identical"
    );
    next
}

#[test]
fn killed_writers_never_lose_an_acknowledged_append() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = crash_seed();
    let (mut acked_runs, mut torn) = (0u64, 0u32);
    for kill in 0..KILLS {
        // Once the writer is appending, kill it 0..=100 ms later.
        let args = [dir.path().display().to_string(), (kill + 1).to_string()];
        let acked = kill_writer(&args, next_delay(&mut rng, 100));
        torn += u32::from(cut_off(dir.path()));
        check_reopened(dir.path(), kill, acked);
        acked_runs += u64::from(acked.is_some());
    }
    assert_eq!(
        acked_runs, KILLS,
        "every run acknowledged appends before its kill"
    );
    eprintln!("{torn} of {KILLS} kills cut an append off midway");
}

/// Batches of 100 one-event requests, each batch one `append_batch`: its
/// writes take long enough for sled (its background flusher runs every
/// 500 ms, and a full buffer is written at once) to write part of one out
/// before a kill, so kills spread over most of a second cut batches off on
/// disk (in runs of this test, 2 to 5 of 8 kills did). The log must only
/// ever hold whole batches.
#[test]
fn killed_batch_writers_leave_whole_batches() {
    const BATCH: u64 = ce_tests::CRASH_WRITER_BATCH;
    const BATCH_KILLS: u64 = 8;
    let dir = tempfile::tempdir().unwrap();
    let mut rng = crash_seed();
    let mut torn = 0u32;
    for kill in 0..BATCH_KILLS {
        let args = [
            "batch".to_owned(),
            dir.path().display().to_string(),
            (kill + 1).to_string(),
        ];
        let acked = kill_writer(&args, next_delay(&mut rng, 800));
        assert!(acked.is_some(), "kill {kill}: no batch acknowledged");
        torn += u32::from(cut_off(dir.path()));
        let len = check_reopened(dir.path(), kill, acked);
        assert_eq!(len % BATCH, 0, "kill {kill}: a batch is stored in part");
    }
    eprintln!("{torn} of {BATCH_KILLS} kills cut a batch off midway");
}

/// Starts `crash_writer import DIR FILE`; returns the child once it has
/// opened the store and is about to import.
fn start_import(dir: &std::path::Path, backup: &std::path::Path) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crash_writer"))
        .arg("import")
        .arg(dir)
        .arg(backup)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "started");
    child
}

#[test]
fn a_killed_import_leaves_a_store_that_refuses_to_open_never_a_partial_log() {
    // A backup of a few thousand events: 1,500 enrolled households.
    let mut driver = Driver::new(MemoryStore::new());
    for n in 0..1_500u128 {
        driver.enroll(
            HouseholdBuilder::single_adult("Coulee")
                .client(client(n))
                .placed_with_score((n % 20) as u32),
        );
    }
    let log = driver.workflow.store().read_from(0, usize::MAX).unwrap();
    let mut lines = Vec::new();
    for envelope in &log {
        lines.extend(envelope.to_json().unwrap());
        lines.push(b'\n');
    }
    let work = tempfile::tempdir().unwrap();
    let backup = work.path().join("backup.jsonl");
    std::fs::write(&backup, lines).unwrap();

    // One import to the end, timed, to spread the kills over its duration.
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let mut child = start_import(dir.path(), &backup);
    assert!(child.wait().unwrap().success());
    let whole = started.elapsed();
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(store.read_from(0, usize::MAX).unwrap(), log);
    drop(store);

    let kills = 6u32;
    let mut refused = 0;
    for k in 1..=kills {
        let dir = tempfile::tempdir().unwrap();
        let mut child = start_import(dir.path(), &backup);
        std::thread::sleep(whole * k / (kills + 1));
        child.kill().unwrap();
        child.wait().unwrap();
        match SledStore::open(dir.path()) {
            // Killed before the import began or after it ended: all or
            // nothing.
            Ok(store) => {
                let stored = store.read_from(0, usize::MAX).unwrap();
                assert!(
                    stored.is_empty() || stored == log,
                    "kill {k}: a store that opens holds {} of {} events",
                    stored.len(),
                    log.len()
                );
            }
            Err(SledStoreError::IncompleteImport { .. }) => refused += 1,
            Err(other) => panic!("kill {k}: {other}"),
        }
    }
    eprintln!(
        "import of {} events took {whole:?}; {refused} of {kills} kills cut it off",
        log.len()
    );
    assert!(
        refused > 0,
        "no kill landed inside the import ({whole:?}); the test proved nothing"
    );
}

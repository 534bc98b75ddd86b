//! Faults on the PostgreSQL store: a writer process SIGKILLed in the middle
//! of its appends, and the server stopped with `pg_ctl stop -m immediate`
//! (a crash: no shutdown checkpoint) while a writer appends. Every
//! command the writer was told had succeeded must be in the log, nothing
//! partial may be, the log must pass verify's checks, and the command that
//! was in flight, retried with its command id, must be stored once.
//!
//! A third fault cuts the connection between an append's `COMMIT` and its
//! answer (and, beside it, before the server has the `COMMIT`): the store
//! says which happened, and the retry with the command's id is stored
//! once.
//!
//! The writer is this test binary run again with `fault_writer` as the
//! only test. The two faults run one after the other (the second stops the
//! server every test of this binary uses).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command as Process, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ce_core::testing::{client, date, HouseholdBuilder};
use ce_core::{
    Actor, CommandId, CommandMeta, Event, EventId, EventStore, Role, Timestamp, Workflow,
};
use ce_store_postgres::PgStore;
use ce_tests::cut::{Cut, CutProxy};

const URL: &str = "CE_FAULT_URL";
const SCHEMA: &str = "CE_FAULT_SCHEMA";

/// The faults share one server: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn command_id(n: u64) -> CommandId {
    CommandId::from_uuid(uuid::Uuid::from_u128(0xfa17_0000_0000 + u128::from(n)))
}

fn enroll_meta(n: u64) -> CommandMeta {
    let at: Timestamp = "2025-06-01T12:00:00Z".parse().unwrap();
    CommandMeta::new(Actor::new("writer", "Couleecap", Role::Access), at).with_id(command_id(n))
}

/// The enrollment the writer enters as its `n`th command.
fn enrollment(n: u64) -> ce_core::Enroll {
    HouseholdBuilder::single_adult("Coulee")
        .client(client(u128::from(n) + 1))
        .enroll
}

/// The first event of command `n`, as the workflow derives its id.
fn first_event(n: u64) -> EventId {
    EventId(command_id(n).derive("event", 0))
}

/// Starts the writer on a schema; it prints `ack N` after each command
/// the store acknowledged.
fn writer(url: &str, schema: &str) -> Child {
    Process::new(std::env::current_exe().unwrap())
        .args(["--exact", "fault_writer", "--nocapture", "--test-threads=1"])
        .env(URL, url)
        .env(SCHEMA, schema)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Reads the writer's acknowledgements until `enough` have come (or it
/// ends); returns the reader to read the rest later.
fn acks_until(child: &mut Child, enough: u64) -> (Vec<u64>, BufReader<std::process::ChildStdout>) {
    let mut lines = BufReader::new(child.stdout.take().unwrap());
    let mut acked = Vec::new();
    let mut line = String::new();
    while acked.len() < enough as usize {
        line.clear();
        if lines.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        if let Some(n) = line
            .split_once("ack ")
            .and_then(|(_, n)| n.trim().parse().ok())
        {
            acked.push(n);
        }
    }
    (acked, lines)
}

fn rest_of_acks(lines: BufReader<std::process::ChildStdout>) -> Vec<u64> {
    lines
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| {
            l.split_once("ack ")
                .and_then(|(_, n)| n.trim().parse().ok())
        })
        .collect()
}

/// Every acknowledged command is in the log; the log passes verify's
/// checks; retrying the command after the last acknowledged one stores it
/// once.
fn check_after(url: &str, schema: &str, acked: &[u64]) {
    let store = PgStore::open_in(url, schema).unwrap();
    for n in acked {
        assert!(
            store.position_of(first_event(*n)).unwrap().is_some(),
            "acknowledged command {n} is missing"
        );
    }
    let next = acked.iter().max().map_or(0, |n| n + 1);
    let workflow = Workflow::open(store).unwrap();
    workflow
        .execute(&enroll_meta(next), enrollment(next))
        .unwrap();
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    let caseload = ce_tests::postgres::verified(&log, date(2025, 6, 1));
    // An enrollment is one append of a household event and a client event:
    // never one without the other, and each command at most once.
    let enrolled = log
        .iter()
        .filter(|e| matches!(e.event, Event::HouseholdEnrolled(_)))
        .count();
    let opened = log
        .iter()
        .filter(|e| matches!(e.event, Event::ClientEnrollmentOpened(_)))
        .count();
    assert_eq!(enrolled, opened, "an enrollment is whole or absent");
    assert_eq!(caseload.households().len(), enrolled);
    assert!(enrolled as u64 >= next + 1 - u64::from(acked.is_empty()));
}

#[test]
fn a_writer_killed_in_the_middle_of_its_appends_loses_nothing_acknowledged() {
    let Some(url) = ce_tests::postgres::url() else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let schema = format!("kill_{}", uuid::Uuid::new_v4().simple());
    PgStore::open_in(&url, &schema).unwrap();
    let mut child = writer(&url, &schema);
    let (mut acked, lines) = acks_until(&mut child, 200);
    child.kill().unwrap();
    child.wait().unwrap();
    acked.extend(rest_of_acks(lines));
    assert!(acked.len() >= 200, "the writer wrote before the kill");
    check_after(&url, &schema, &acked);
}

/// The test server's data directory and its pg_ctl, when the server is the
/// one scripts/postgres-dev starts (`host=DIR ...`, data in DIR/data).
fn server_control(url: &str) -> Option<(PathBuf, PathBuf)> {
    let dir = url
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("host="))
        .map(PathBuf::from)?;
    let data = dir.join("data");
    let pg_ctl = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain(
            std::fs::read_dir("/usr/lib/postgresql")
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path().join("bin")),
        )
        .map(|d| d.join("pg_ctl"))
        .find(|p| p.is_file())?;
    data.join("PG_VERSION").is_file().then_some((data, pg_ctl))
}

fn pg_ctl(pg_ctl: &PathBuf, data: &PathBuf, args: &[&str]) {
    let root = std::env::var("USER").is_ok_and(|u| u == "root")
        || Process::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout == b"0\n");
    let mut command = if root {
        let mut c = Process::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(pg_ctl);
        c
    } else {
        Process::new(pg_ctl)
    };
    let status = command
        .arg("-D")
        .arg(data)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "pg_ctl {args:?}");
}

#[test]
fn a_server_stopped_immediately_during_appends_loses_nothing_acknowledged() {
    let Some(url) = ce_tests::postgres::url() else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let Some((data, ctl)) = server_control(&url) else {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI's server is scripts/postgres-dev's: its data directory must be found"
        );
        eprintln!("SKIPPED: the server is not one scripts/postgres-dev started; cannot stop it");
        return;
    };
    let schema = format!("crash_{}", uuid::Uuid::new_v4().simple());
    // A store opened before the crash, as a long-running program holds one.
    let survivor = PgStore::open_in(&url, &schema).unwrap();
    let mut child = writer(&url, &schema);
    let (mut acked, lines) = acks_until(&mut child, 200);
    pg_ctl(&ctl, &data, &["-m", "immediate", "-w", "stop"]);
    let options = format!(
        "-k {} -c listen_addresses=''",
        data.parent().unwrap().display()
    );
    let log = data.parent().unwrap().join("server.log");
    pg_ctl(
        &ctl,
        &data,
        &["-l", log.to_str().unwrap(), "-o", &options, "-w", "start"],
    );
    child.wait().unwrap();
    acked.extend(rest_of_acks(lines));
    assert!(acked.len() >= 200, "the writer wrote before the crash");
    // The server takes connections again once recovered.
    let deadline = Instant::now() + Duration::from_secs(60);
    while PgStore::open_in(&url, &schema).is_err() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    check_after(&url, &schema, &acked);
    // The survivor's connection died with the server: the operation that
    // meets it fails, and the next one connects again.
    let fresh = PgStore::open_in(&url, &schema)
        .unwrap()
        .next_position()
        .unwrap();
    let again = (0..3).find_map(|_| survivor.next_position().ok());
    assert_eq!(
        again,
        Some(fresh),
        "a store reconnects after a server restart"
    );
}

#[test]
fn a_connection_cut_around_a_commit_is_settled_and_its_retry_stored_once() {
    let Some(url) = ce_tests::postgres::url() else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let schema = format!("cut_{}", uuid::Uuid::new_v4().simple());
    PgStore::open_in(&url, &schema).unwrap();
    let proxy = CutProxy::start(&url);
    let workflow = Workflow::open(PgStore::open_in(proxy.url(), &schema).unwrap()).unwrap();
    workflow.execute(&enroll_meta(0), enrollment(0)).unwrap();

    // The server committed; its answer never came. The store finds the
    // append stored and acknowledges it.
    proxy.arm(Cut::AfterCommit);
    let first = workflow.execute(&enroll_meta(1), enrollment(1)).unwrap();
    assert!(proxy.fired(), "the proxy cut the commit's answer");
    let retried = workflow.execute(&enroll_meta(1), enrollment(1)).unwrap();
    assert_eq!(
        retried.events, first.events,
        "the stored outcome, not a new one"
    );

    // The COMMIT never reached the server: nothing was written, and the
    // error says so.
    proxy.arm(Cut::BeforeCommit);
    let err = workflow
        .execute(&enroll_meta(2), enrollment(2))
        .unwrap_err()
        .to_string();
    assert!(proxy.fired(), "the proxy cut the commit");
    assert!(err.contains("before the append committed"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    let direct = PgStore::open_in(&url, &schema).unwrap();
    assert_eq!(direct.position_of(first_event(2)).unwrap(), None);
    workflow.execute(&enroll_meta(2), enrollment(2)).unwrap();

    // Three enrollments, each stored once and whole.
    let log = direct.read_from(0, usize::MAX).unwrap();
    let caseload = ce_tests::postgres::verified(&log, date(2025, 6, 1));
    assert_eq!(caseload.households().len(), 3);
    assert_eq!(log.len(), 6, "two events per enrollment, none twice");
}

/// A batch of appends (how the HUD CSV import writes on PostgreSQL) is one
/// transaction: dropped, nothing of it stays; its COMMIT cut before the
/// server has it, nothing stays and the error says so; cut after, all of
/// it is there and the commit says so.
#[test]
fn a_batch_commits_whole_or_not_at_all_even_when_its_commit_is_cut() {
    let Some(url) = ce_tests::postgres::url() else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let schema = format!("batch_{}", uuid::Uuid::new_v4().simple());
    let direct = PgStore::open_in(&url, &schema).unwrap();
    let proxy = CutProxy::start(&url);
    let store = std::sync::Arc::new(PgStore::open_in(proxy.url(), &schema).unwrap());
    let batch_of = |from: u64| {
        // A workflow per batch: one that folded a rolled-back batch is
        // opened again.
        let workflow = Workflow::open(std::sync::Arc::clone(&store)).unwrap();
        let batch = store.batch().unwrap();
        for n in from..from + 3 {
            workflow.execute(&enroll_meta(n), enrollment(n)).unwrap();
        }
        batch
    };

    drop(batch_of(0));
    assert_eq!(
        direct.next_position().unwrap(),
        0,
        "a dropped batch leaves nothing"
    );

    proxy.arm(Cut::BeforeCommit);
    let err = batch_of(0).commit().unwrap_err().to_string();
    assert!(proxy.fired());
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(
        direct.next_position().unwrap(),
        0,
        "an uncommitted batch leaves nothing"
    );

    proxy.arm(Cut::AfterCommit);
    batch_of(0).commit().unwrap();
    assert!(proxy.fired());
    assert_eq!(
        direct.next_position().unwrap(),
        6,
        "three enrollments, whole"
    );
    ce_tests::postgres::verified(&direct.read_from(0, usize::MAX).unwrap(), date(2025, 6, 1));
}

/// A store whose schema is current opens without writing, so it opens on
/// a read-only connection (as on a streaming-replication standby): reads
/// work, and an append is refused by the server with nothing written.
#[test]
fn a_store_opens_and_reads_on_a_read_only_connection() {
    let Some(url) = ce_tests::postgres::url() else {
        return;
    };
    let schema = format!("ro_{}", uuid::Uuid::new_v4().simple());
    let workflow = Workflow::open(PgStore::open_in(&url, &schema).unwrap()).unwrap();
    workflow.execute(&enroll_meta(0), enrollment(0)).unwrap();
    let read_only = if url.contains("://") {
        let joint = if url.contains('?') { '&' } else { '?' };
        format!("{url}{joint}options=-c%20default_transaction_read_only%3Don")
    } else {
        format!("{url} options='-c default_transaction_read_only=on'")
    };
    let reader = PgStore::open_in(&read_only, &schema).unwrap();
    assert_eq!(reader.read_from(0, 10).unwrap().len(), 2);
    let err = Workflow::open(reader)
        .unwrap()
        .execute(&enroll_meta(1), enrollment(1))
        .unwrap_err()
        .to_string();
    assert!(err.contains("read-only"), "{err}");
    assert_eq!(
        PgStore::open_in(&url, &schema)
            .unwrap()
            .next_position()
            .unwrap(),
        2
    );
}

/// The writer (a no-op test unless a fault test started it): enrolls one
/// household after another and prints `ack N` once the store has
/// acknowledged command N; stops at the first error.
#[test]
fn fault_writer() {
    let (Ok(url), Ok(schema)) = (std::env::var(URL), std::env::var(SCHEMA)) else {
        return;
    };
    let store = PgStore::open_in(&url, &schema).unwrap();
    let workflow = Workflow::open(store).unwrap();
    for n in 0..100_000 {
        if workflow.execute(&enroll_meta(n), enrollment(n)).is_err() {
            return;
        }
        println!("ack {n}");
    }
}

/// Opening names what is wrong in one line: no server, or a schema written
/// by a newer ce (refused, nothing changed).
#[test]
fn opening_says_what_is_wrong_with_the_server_or_its_schema() {
    let Some(url) = ce_tests::postgres::url() else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let nowhere = tempfile::tempdir().unwrap();
    let err = PgStore::open(&format!("host={} user=postgres", nowhere.path().display()))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cannot connect to PostgreSQL"), "{err}");
    assert!(!err.contains('\n'), "{err}");

    let schema = format!("newer_{}", uuid::Uuid::new_v4().simple());
    PgStore::open_in(&url, &schema).unwrap();
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("UPDATE {schema}.ce_schema SET version = 99"))
        .unwrap();
    let err = PgStore::open_in(&url, &schema).unwrap_err();
    assert!(
        matches!(
            err,
            ce_store_postgres::PgStoreError::SchemaTooNew { found: 99, .. }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade ce"), "{err}");
    let version: i32 = admin
        .query_one(&format!("SELECT version FROM {schema}.ce_schema"), &[])
        .unwrap()
        .get(0);
    assert_eq!(version, 99, "a refused open changes nothing");

    let err = PgStore::open_in(&url, "Robert'); DROP TABLE students;--").unwrap_err();
    assert!(
        matches!(err, ce_store_postgres::PgStoreError::BadSchemaName(_)),
        "{err}"
    );
}

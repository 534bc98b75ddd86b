//! The measurements that run in a child process of their own (this binary
//! with `--child MODE PATH`), so that their time and peak memory are theirs
//! alone: opening ce's store or raw sled, a rebuild, and the raw scans.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command as Process;
use std::sync::Arc;
use std::time::Instant;

use ce_core::{EventStore, Workflow};

use crate::measure::{ms, vm_hwm_kib};
use crate::open_ce;

/// Runs the measurement `mode` on the store at `path` and prints what it
/// measured as `key=value` pairs on one line, for [`spawn`] to read.
pub(crate) fn run(mode: &str, path: &Path) {
    let mut out = String::new();
    match mode {
        "open-ce" => {
            let t = Instant::now();
            let store = open_ce(path);
            let open = t.elapsed();
            let policy = store.policy().clone();
            let store = Arc::new(store);
            let t = Instant::now();
            let workflow = Workflow::new(Arc::clone(&store), policy).unwrap();
            let wf = t.elapsed();
            let households = workflow.caught_up().unwrap().households().len();
            write!(
                out,
                "open_ms={} workflow_ms={} households={households} hwm_kib={}",
                ms(open),
                ms(wf),
                vm_hwm_kib()
            )
            .unwrap();
        }
        "open-raw" => {
            let t = Instant::now();
            // sled refuses a segment size other than the one a database was
            // created with: use the one it has.
            let conf = std::fs::read(path.join("conf")).unwrap_or_default();
            let conf = String::from_utf8_lossy(&conf);
            let segment = conf
                .lines()
                .find_map(|l| l.strip_prefix("segment_size: "))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let mut config = sled::Config::new().path(path);
            if let Some(segment) = segment {
                config = config.segment_size(segment);
            }
            let db = config.open().unwrap();
            for name in db.tree_names() {
                db.open_tree(name).unwrap();
            }
            let events = db.open_tree("events").unwrap();
            let open = t.elapsed();
            // Counting is a scan of the whole tree (sled's `len`): after the
            // clock, or it would be most of the baseline's time.
            write!(out, "open_ms={} events={}", ms(open), events.len()).unwrap();
        }
        "rebuild" => {
            let store = open_ce(path);
            let events = store.next_position().unwrap();
            let before = vm_hwm_kib();
            let t = Instant::now();
            store.rebuild().unwrap();
            let secs = t.elapsed().as_secs_f64();
            write!(
                out,
                "events={events} secs={secs} hwm_open_kib={before} hwm_kib={}",
                vm_hwm_kib()
            )
            .unwrap();
        }
        "scan-raw" => {
            let db = sled::open(path).unwrap();
            let tree = db.open_tree("events").unwrap();
            let t = Instant::now();
            let mut n = 0u64;
            for row in tree.iter() {
                let (_, v) = row.unwrap();
                let value: serde_json::Value = serde_json::from_slice(&v).unwrap();
                std::hint::black_box(value);
                n += 1;
            }
            let secs = t.elapsed().as_secs_f64();
            write!(out, "events={n} secs={secs} hwm_kib={}", vm_hwm_kib()).unwrap();
        }
        "scan-sqlite" => {
            let conn = rusqlite::Connection::open(path).unwrap();
            let t = Instant::now();
            let mut stmt = conn
                .prepare("SELECT body FROM events ORDER BY position")
                .unwrap();
            let mut rows = stmt.query([]).unwrap();
            let mut n = 0u64;
            while let Some(row) = rows.next().unwrap() {
                let body = row.get_ref(0).unwrap().as_blob().unwrap();
                let value: serde_json::Value = serde_json::from_slice(body).unwrap();
                std::hint::black_box(value);
                n += 1;
            }
            let secs = t.elapsed().as_secs_f64();
            write!(out, "events={n} secs={secs} hwm_kib={}", vm_hwm_kib()).unwrap();
        }
        other => panic!("unknown child mode {other}"),
    }
    println!("{out}");
}

/// Runs the measurement `mode` on `path` in a child process (this binary
/// with `--child`) and returns the numbers it printed, by name.
pub(crate) fn spawn(mode: &str, path: &Path) -> HashMap<String, f64> {
    let output = Process::new(std::env::current_exe().unwrap())
        .arg("--child")
        .arg(mode)
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "child {mode} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .filter_map(|(k, v)| Some((k.to_owned(), v.parse().ok()?)))
        .collect()
}

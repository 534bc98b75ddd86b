//! The scale benchmark: how ce's sled store does on a large synthetic log
//! (1,000,000 events of 100,000 households by default), measured next to
//! the physical limit of what it stands on. It builds the stores from
//! ce-core's `testing` fixtures and prints one table. Every row measures ce
//! and, in the same run and on the same serialized bytes, a raw baseline:
//! raw sled and, for rows 1–3, an SQLite event table through rusqlite (WAL,
//! `synchronous=FULL`). The rows: 1, a durable append of one command (and
//! 1b, what sled alone charges for the shape of its writes); 2, a bulk
//! import of the JSON Lines backup; 3, a rebuild of every projection and
//! its peak memory; 4, the top 25 of the longest priority list; 5, a
//! referral end to end through a workflow; 6, opening the store in a fresh
//! process (and 6b, opening it with a workflow).
//!
//! ```text
//! cargo bench -p ce-store-sled --features raw-sled --bench scale            # 1,000,000 events
//! cargo bench -p ce-store-sled --features raw-sled --bench scale -- --small # seconds
//! ```
//!
//! It needs the `raw-sled` feature: `cargo bench -p ce-store-sled` alone
//! runs only the criterion benches.
//!
//! Flags (or environment variables `CE_SCALE_<FLAG>`, e.g.
//! `CE_SCALE_EVENTS=200000`): `--events N` (1,000,000), `--households N`
//! (100,000), `--coalitions N` (21, the WI BoS coalitions; 1 puts every
//! household on one coalition's lists), `--appends N` (2,000 durable appends
//! for row 1), `--queries N` (2,000 list queries for row 4), `--refers N`
//! (300 referrals for row 5), `--opens N` (5 opens for row 6), `--dir PATH`
//! (default: a temporary directory), `--rows 1,3,…` (the rows to measure;
//! row 2 always runs), `--small` (20,000 events, 2,000 households and fewer
//! samples). The `--bench` cargo bench passes is ignored.
//!
//! Rows 3 and 6 run in child processes (this binary with `--child`), so that
//! the peak RSS of a rebuild and the time of an open are the store's alone.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark has no caller to hand an error to: any failure aborts the run"
)]

mod baselines;
mod child;
mod config;
mod data;
mod measure;
mod rows;
mod table;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use ce_core::testing::date;
use ce_core::Policy;
use ce_store_sled::SledStore;
use chrono::NaiveDate;

use crate::baselines::RawLog;
use crate::config::Config;
use crate::data::generate;
use crate::measure::dir_size;
use crate::rows::{
    row1_append, row1b_write_shapes, row2_import, row3_rebuild, row4_list, row5_refer, row6_open,
};
use crate::table::print_table;

/// Where the three stores live.
struct Paths {
    ce: PathBuf,
    raw: PathBuf,
    sqlite: PathBuf,
}

/// The date lists are queried and referrals made on.
fn query_date() -> NaiveDate {
    date(2026, 5, 20)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        child::run(&args[2], Path::new(&args[3]));
        return;
    }
    let cfg = Config::parse();
    let tmp;
    let root = match &cfg.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).unwrap();
            dir.clone()
        }
        None => {
            tmp = tempfile::tempdir().unwrap();
            tmp.path().to_owned()
        }
    };
    let paths = Paths {
        ce: root.join("ce"),
        raw: root.join("raw-sled"),
        sqlite: root.join("peer.sqlite"),
    };
    for p in [&paths.ce, &paths.raw] {
        let _ = std::fs::remove_dir_all(p);
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", paths.sqlite.display()));
    }
    let policy = Policy::wi_bos_default();
    eprintln!("{cfg:?}");

    let t = Instant::now();
    let data = generate(&cfg, &policy);
    let n = data.len();
    let avg_bytes = data.spans.iter().map(|(a, b)| b - a).sum::<usize>() as f64 / n as f64;
    eprintln!(
        "generated {n} events ({} households, {avg_bytes:.0} bytes/event) in {:.1} s",
        cfg.households,
        t.elapsed().as_secs_f64()
    );
    let mut rows = Vec::new();
    row2_import(&data, &paths, &mut rows);
    let sizes = format!(
        "on disk after the import: ce {:.0} MiB, raw sled {:.0} MiB, SQLite {:.0} MiB",
        dir_size(&paths.ce) as f64 / 1048576.0,
        dir_size(&paths.raw) as f64 / 1048576.0,
        ["", "-wal"]
            .iter()
            .map(|s| dir_size(Path::new(&format!("{}{s}", paths.sqlite.display()))))
            .sum::<u64>() as f64
            / 1048576.0,
    );
    if cfg.rows.contains(&6) {
        row6_open(&cfg, n, &paths, &mut rows);
    }
    if cfg.rows.contains(&3) {
        row3_rebuild(n, &paths, &mut rows);
    }
    let store = Arc::new(open_ce(&paths.ce));
    let mut raw = RawLog::open(&paths.raw);
    if cfg.rows.contains(&1) {
        row1_append(&data, &store, &mut raw, &paths, &mut rows);
        row1b_write_shapes(&root, cfg.appends, &mut rows);
    }
    // The longest list: rows 4 and 5 query and refer from it.
    let key = store
        .list_keys()
        .unwrap()
        .into_iter()
        .max_by_key(|k| store.list(k, query_date()).unwrap().entries.len())
        .expect("the data set has at least one list");
    if cfg.rows.contains(&4) {
        row4_list(&cfg, &store, &key, &mut rows);
    }
    if cfg.rows.contains(&5) {
        row5_refer(&cfg, &store, &mut raw, &key, &mut rows);
    }

    rows.sort_by(|a, b| a.row.cmp(b.row));
    println!(
        "\n{n} events ({avg_bytes:.0} bytes each on average), {} households in {} coalition(s); {sizes}\n",
        cfg.households, cfg.coalitions,
    );
    print_table(&rows);
}

/// `SledStore::open`, or, for experiments, the same with sled's page cache
/// set to `CE_SCALE_CACHE_MIB` MiB and/or segments of
/// `CE_SCALE_SEGMENT_MIB` MiB (for a new store only).
fn open_ce(path: &Path) -> SledStore {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let (cache, segment) = (env("CE_SCALE_CACHE_MIB"), env("CE_SCALE_SEGMENT_MIB"));
    if cache.is_none() && segment.is_none() {
        return SledStore::open(path).unwrap();
    }
    let mut config = sled::Config::new()
        .path(path)
        .cache_capacity(cache.unwrap_or(128) << 20);
    if let Some(mib) = segment {
        config = config.segment_size((mib << 20) as usize);
    }
    SledStore::open_with_config(config).unwrap()
}

//! Row 2: the bulk import of the JSON Lines backup that builds the stores.

use std::time::{Duration, Instant};

use crate::baselines::{sqlite_open, SQLITE_INSERT};
use crate::data::Dataset;
use crate::table::{fmt_rate, rate, Row};
use crate::{open_ce, Paths};

/// Batch size of row 2, as `import_jsonl` uses.
const BATCH: usize = 1_000;

/// Row 2: bulk import of the JSON Lines backup (`import_jsonl`: batches of
/// 1,000, one transaction and one flush each, projections folded at the
/// end). After each of its batches, the progress callback writes the same
/// lines to raw sled (one `Batch` and one flush) and to SQLite (one
/// transaction): the three take turns, sharing the machine's noise, and the
/// time spent in the callback is not counted as ce's.
pub(crate) fn row2_import(data: &Dataset, paths: &Paths, rows: &mut Vec<Row>) {
    let n = data.len();
    let store = open_ce(&paths.ce);
    let raw_db = sled::open(&paths.raw).unwrap();
    let raw = raw_db.open_tree("events").unwrap();
    let mut sqlite = sqlite_open(&paths.sqlite);
    let (mut t_raw, mut t_sql, mut t_peers) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut done = 0usize;
    let t_all = Instant::now();
    let imported = store
        .import_jsonl_with(
            data.jsonl.as_slice(),
            ce_store_sled::Checksum::IfPresent,
            |imported| {
                let t_callback = Instant::now();
                let end = imported as usize;
                if end > done {
                    let t = Instant::now();
                    let mut batch = sled::Batch::default();
                    for p in done..end {
                        batch.insert(&(p as u64).to_be_bytes(), data.line(p));
                    }
                    raw.apply_batch(batch).unwrap();
                    raw_db.flush().unwrap();
                    t_raw += t.elapsed();

                    let t = Instant::now();
                    let tx = sqlite.transaction().unwrap();
                    {
                        let mut stmt = tx.prepare_cached(SQLITE_INSERT).unwrap();
                        for p in done..end {
                            let (stream, version) = &data.first_stream[p];
                            stmt.execute(rusqlite::params![
                                p as i64,
                                stream,
                                *version as i64,
                                data.line(p)
                            ])
                            .unwrap();
                        }
                    }
                    tx.commit().unwrap();
                    t_sql += t.elapsed();
                    if (end / BATCH) % 100 == 0 {
                        eprintln!(
                            "  imported {end}/{n} ({:.0} s)",
                            t_all.elapsed().as_secs_f64()
                        );
                    }
                }
                done = end;
                t_peers += t_callback.elapsed();
            },
        )
        .unwrap();
    assert_eq!(imported as usize, n);
    let t_ce = t_all.elapsed() - t_peers;
    let (r_ce, r_raw, r_sql) = (rate(n, t_ce), rate(n, t_raw), rate(n, t_sql));
    rows.push(Row {
        row: "2",
        what: format!(
            "bulk import of {n} events (import_jsonl, batches of {BATCH}, incl. decoding and the projections)"
        ),
        ce: fmt_rate(r_ce),
        raw: fmt_rate(r_raw),
        sqlite: fmt_rate(r_sql),
        ratios: format!("{:.2}x raw, {:.2}x SQLite", r_ce / r_raw, r_ce / r_sql),
        target: "≥ 0.5x raw (SQLite: report)".to_owned(),
        met: Some(r_ce >= 0.5 * r_raw),
    });
    eprintln!("row 2: ce {r_ce:.0}/s, raw sled {r_raw:.0}/s, SQLite {r_sql:.0}/s");
}

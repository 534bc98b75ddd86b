//! Row 1, a durable append of one command, and row 1b, what sled alone
//! charges for the shape of an append's writes.

use std::path::Path;
use std::time::{Duration, Instant};

use ce_core::EventStore;
use ce_store_sled::SledStore;
use sled::Transactional;

use crate::baselines::{sqlite_open, RawLog, SQLITE_INSERT};
use crate::data::Dataset;
use crate::measure::{ms, percentile};
use crate::table::{fmt_rate, lat, rate, Row};
use crate::Paths;

/// Row 1: one command's durable append, the three stores taking turns.
pub(crate) fn row1_append(
    data: &Dataset,
    store: &SledStore,
    raw: &mut RawLog,
    paths: &Paths,
    rows: &mut Vec<Row>,
) {
    let sqlite = sqlite_open(&paths.sqlite);
    let (mut l_ce, mut l_raw, mut l_sql) = (Vec::new(), Vec::new(), Vec::new());
    let mut insert = sqlite.prepare_cached(SQLITE_INSERT).unwrap();
    for (sql_next, tail) in (data.len() as i64 + 1_000_000_000..).zip(&data.tails) {
        let t = Instant::now();
        store.append(tail.request.clone()).unwrap();
        l_ce.push(t.elapsed());

        l_raw.push(raw.append(&tail.bytes));

        let t = Instant::now();
        insert
            .execute(rusqlite::params![
                sql_next,
                tail.stream,
                tail.version as i64,
                tail.bytes
            ])
            .unwrap();
        l_sql.push(t.elapsed());
    }
    let total = |l: &[Duration]| l.iter().sum::<Duration>();
    let (r_ce, r_raw, r_sql) = (
        rate(l_ce.len(), total(&l_ce)),
        rate(l_raw.len(), total(&l_raw)),
        rate(l_sql.len(), total(&l_sql)),
    );
    rows.push(Row {
        row: "1",
        what: format!(
            "durable append of one command (a follow-up; flush per command), {} appends",
            l_ce.len()
        ),
        ce: format!("{} ({})", fmt_rate(r_ce), lat(&l_ce)),
        raw: format!("{} ({})", fmt_rate(r_raw), lat(&l_raw)),
        sqlite: format!("{} ({})", fmt_rate(r_sql), lat(&l_sql)),
        ratios: format!("{:.2}x raw, {:.2}x SQLite", r_ce / r_raw, r_ce / r_sql),
        target: "≥ 0.5x raw, ≥ 1x SQLite".to_owned(),
        met: Some(r_ce >= 0.5 * r_raw && r_ce >= r_sql),
    });
    eprintln!("row 1: ce {r_ce:.0}/s, raw {r_raw:.0}/s, SQLite {r_sql:.0}/s");
}

/// Row 1b: what sled itself charges for the shape of an append's writes, on
/// a fresh database (prefilled with 200,000 rows), each flushed: one insert
/// (raw); a follow-up's thirteen writes and four reads in one transaction
/// (the shape of an append when appends went through a sled transaction);
/// and the same as plain inserts (close to how `SledStore::append` writes
/// now, which no longer writes the checkpoint). Dummy bytes of the real
/// sizes.
pub(crate) fn row1b_write_shapes(root: &Path, samples: usize, rows: &mut Vec<Row>) {
    let dir = root.join("write-shapes");
    let _ = std::fs::remove_dir_all(&dir);
    let db = sled::Config::new()
        .path(&dir)
        .cache_capacity(128 << 20)
        .open()
        .unwrap();
    let trees: Vec<sled::Tree> = (0..11).map(|i| db.open_tree([i]).unwrap()).collect();
    let (event, household, list_row) = (vec![7u8; 480], vec![9u8; 1500], vec![3u8; 200]);
    let scatter = |i: u64| i.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_be_bytes();
    for i in 0..200_000u64 {
        trees[0].insert(i.to_be_bytes(), event.clone()).unwrap();
        trees[3].insert(scatter(i), &i.to_be_bytes()).unwrap();
        if i % 2 == 0 {
            trees[6].insert(scatter(i), household.clone()).unwrap();
        }
    }
    db.flush().unwrap();
    let stream = b"household-0000";
    let (mut l_one, mut l_tx, mut l_plain) = (Vec::new(), Vec::new(), Vec::new());
    for k in 0..samples as u64 {
        for shape in 0..3 {
            let i = 1_000_000 + 3 * k + shape;
            let (id, hh) = (scatter(i), scatter(2 * (k % 50_000)));
            let list = |j: u8, flip: u8| [j, (k % 250) as u8 ^ flip];
            let t = Instant::now();
            match shape {
                0 => {
                    trees[0].insert(i.to_be_bytes(), event.clone()).unwrap();
                }
                1 => {
                    trees
                        .as_slice()
                        .transaction(|tx| {
                            tx[3].get(id)?;
                            tx[2].get(stream)?;
                            tx[4].get(b"next")?;
                            tx[6].get(hh)?;
                            tx[0].insert(&i.to_be_bytes(), event.clone())?;
                            tx[3].insert(&id, &i.to_be_bytes())?;
                            tx[1].insert(
                                [&stream[..], &i.to_be_bytes()].concat(),
                                &i.to_be_bytes(),
                            )?;
                            tx[2].insert(stream, &i.to_be_bytes())?;
                            tx[4].insert(b"next", &i.to_be_bytes())?;
                            tx[6].insert(&hh, household.clone())?;
                            for j in 0..3 {
                                tx[10].remove(&list(j, 0))?;
                                tx[10].insert(&list(j, 1), list_row.clone())?;
                            }
                            tx[5].insert(b"projections", &i.to_be_bytes())?;
                            Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
                        })
                        .unwrap();
                }
                _ => {
                    trees[3].get(id).unwrap();
                    trees[2].get(stream).unwrap();
                    trees[4].get(b"next").unwrap();
                    trees[6].get(hh).unwrap();
                    trees[0].insert(i.to_be_bytes(), event.clone()).unwrap();
                    trees[3].insert(id, &i.to_be_bytes()).unwrap();
                    trees[1]
                        .insert([&stream[..], &i.to_be_bytes()].concat(), &i.to_be_bytes())
                        .unwrap();
                    trees[2].insert(stream, &i.to_be_bytes()).unwrap();
                    trees[4].insert(b"next", &i.to_be_bytes()).unwrap();
                    trees[6].insert(hh, household.clone()).unwrap();
                    for j in 0..3 {
                        trees[10].remove(list(j, 0)).unwrap();
                        trees[10].insert(list(j, 1), list_row.clone()).unwrap();
                    }
                    trees[5].insert(b"projections", &i.to_be_bytes()).unwrap();
                }
            }
            db.flush().unwrap();
            [&mut l_one, &mut l_tx, &mut l_plain][shape as usize].push(t.elapsed());
        }
    }
    drop(trees);
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
    rows.push(Row {
        row: "1b",
        what: format!(
            "sled alone, the shape of row 1's writes ({samples} each, dummy bytes): \
             13 writes + 4 reads in one transaction (ce column) vs the same as plain \
             inserts: {} vs one insert (raw column)",
            lat(&l_plain)
        ),
        ce: lat(&l_tx),
        raw: lat(&l_one),
        sqlite: "-".to_owned(),
        ratios: format!(
            "plain inserts {:.2}x the transaction's p50",
            ms(percentile(&l_plain, 0.5)) / ms(percentile(&l_tx, 0.5)).max(1e-9)
        ),
        target: "(no target)".to_owned(),
        met: None,
    });
    eprintln!(
        "row 1b: transaction {}, plain {}, one insert {}",
        lat(&l_tx),
        lat(&l_plain),
        lat(&l_one)
    );
}

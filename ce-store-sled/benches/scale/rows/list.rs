//! Row 4: the top 25 of the longest priority list.

use std::time::Instant;

use ce_core::ListKey;
use ce_store_sled::SledStore;

use crate::baselines::list_prefix;
use crate::config::Config;
use crate::measure::{ms, percentile};
use crate::query_date;
use crate::table::{lat, Row};

/// Row 4: top-25 of the longest list, next to a raw 25-row prefix scan.
pub(crate) fn row4_list(cfg: &Config, store: &SledStore, key: &ListKey, rows: &mut Vec<Row>) {
    let on = query_date();
    let len = store.list(key, on).unwrap().entries.len();
    // The current generation's list tree (a rebuild writes a new one).
    let p_lists = store.tree("p_lists").unwrap();
    let prefix = list_prefix(key);
    let (mut l_ce, mut l_raw) = (Vec::new(), Vec::new());
    let mut l_full = Vec::new();
    for q in 0..cfg.queries {
        let t = Instant::now();
        let list = store.list_top(key, on, 25).unwrap();
        std::hint::black_box(&list);
        l_ce.push(t.elapsed());
        if q % 10 == 0 {
            let t = Instant::now();
            std::hint::black_box(store.list(key, on).unwrap());
            l_full.push(t.elapsed());
        }

        let t = Instant::now();
        let top: Vec<sled::IVec> = p_lists
            .scan_prefix(&prefix)
            .take(25)
            .map(|r| r.unwrap().1)
            .collect();
        std::hint::black_box(&top);
        l_raw.push(t.elapsed());
    }
    rows.push(Row {
        row: "4",
        what: format!(
            "top-25 of the longest list ({key}: {len} households), SledStore::list_top; \
             the whole list (SledStore::list): {}",
            lat(&l_full)
        ),
        ce: lat(&l_ce),
        raw: format!("{} (25-row prefix scan)", lat(&l_raw)),
        sqlite: "-".to_owned(),
        ratios: format!(
            "{:.1}x raw p50",
            ms(percentile(&l_ce, 0.5)) / ms(percentile(&l_raw, 0.5)).max(1e-9)
        ),
        target: "p50 ≤ 1 ms".to_owned(),
        met: Some(ms(percentile(&l_ce, 0.5)) <= 1.0),
    });
    eprintln!("row 4: {}", lat(&l_ce));
}

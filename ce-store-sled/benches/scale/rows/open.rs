//! Row 6: opening the store in a fresh process, next to a raw open of the
//! same directory; and 6b, the open with a workflow.

use std::time::Duration;

use crate::child::spawn;
use crate::config::Config;
use crate::measure::{dir_size, ms, percentile};
use crate::table::Row;
use crate::Paths;

/// Row 6: open the store in fresh processes, next to a raw `sled::open` of
/// the same directory.
pub(crate) fn row6_open(cfg: &Config, n: usize, paths: &Paths, rows: &mut Vec<Row>) {
    let (mut opens, mut workflows, mut raw_opens) = (Vec::new(), Vec::new(), Vec::new());
    let mut households = 0.0;
    let mut hwm = 0.0f64;
    for _ in 0..cfg.opens {
        let ce = spawn("open-ce", &paths.ce);
        opens.push(Duration::from_secs_f64(ce["open_ms"] / 1e3));
        workflows.push(Duration::from_secs_f64(
            (ce["open_ms"] + ce["workflow_ms"]) / 1e3,
        ));
        households = ce["households"];
        hwm = hwm.max(ce["hwm_kib"]);
        let raw = spawn("open-raw", &paths.ce);
        raw_opens.push(Duration::from_secs_f64(raw["open_ms"] / 1e3));
    }
    let (o_ce, o_wf, o_raw) = (
        percentile(&opens, 0.5),
        percentile(&workflows, 0.5),
        percentile(&raw_opens, 0.5),
    );
    rows.push(Row {
        row: "6",
        what: format!(
            "SledStore::open of {n} events ({:.0} MiB), fresh process, median of {}",
            dir_size(&paths.ce) as f64 / 1048576.0,
            cfg.opens
        ),
        ce: format!("{:.1} ms", ms(o_ce)),
        raw: format!("{:.1} ms (sled::open, same dir)", ms(o_raw)),
        sqlite: "-".to_owned(),
        ratios: format!("{:.2}x raw time", ms(o_ce) / ms(o_raw).max(1e-6)),
        target: "≤ 200 ms".to_owned(),
        met: Some(ms(o_ce) <= 200.0),
    });
    rows.push(Row {
        row: "6b",
        what: format!(
            "open + Workflow::new (snapshot of {households:.0} households; peak RSS {:.0} MiB)",
            hwm / 1024.0
        ),
        ce: format!("{:.1} ms", ms(o_wf)),
        raw: "-".to_owned(),
        sqlite: "-".to_owned(),
        ratios: "-".to_owned(),
        target: "(no target)".to_owned(),
        met: None,
    });
    eprintln!("row 6: open {:.1} ms, raw {:.1} ms", ms(o_ce), ms(o_raw));
}

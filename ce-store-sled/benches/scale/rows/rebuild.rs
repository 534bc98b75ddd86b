//! Row 3: a rebuild of every projection, next to raw scans of the log.

use crate::child::spawn;
use crate::table::{fmt_rate, Row};
use crate::Paths;

/// Row 3: rebuild, next to raw scans decoding every event into a
/// `serde_json::Value`; each in its own process, for its peak RSS.
pub(crate) fn row3_rebuild(n: usize, paths: &Paths, rows: &mut Vec<Row>) {
    let rb = spawn("rebuild", &paths.ce);
    let sc = spawn("scan-raw", &paths.raw);
    let sq = spawn("scan-sqlite", &paths.sqlite);
    let r_ce = rb["events"] / rb["secs"];
    let r_raw = sc["events"] / sc["secs"];
    let r_sql = sq["events"] / sq["secs"];
    let rss = rb["hwm_kib"] / 1024.0;
    rows.push(Row {
        row: "3",
        what: format!("rebuild all projections from {n} events"),
        ce: format!("{} (peak RSS {rss:.0} MiB)", fmt_rate(r_ce)),
        raw: format!(
            "{} scan+Value (peak RSS {:.0} MiB)",
            fmt_rate(r_raw),
            sc["hwm_kib"] / 1024.0
        ),
        sqlite: format!(
            "{} scan+Value (peak RSS {:.0} MiB)",
            fmt_rate(r_sql),
            sq["hwm_kib"] / 1024.0
        ),
        ratios: format!("{:.2}x raw, {:.2}x SQLite", r_ce / r_raw, r_ce / r_sql),
        target: "≥ 300k/s, ≥ 0.5x raw, ≥ 1x SQLite, ≤ 300 MiB".to_owned(),
        met: Some(r_ce >= 300_000.0 && r_ce >= 0.5 * r_raw && r_ce >= r_sql && rss <= 300.0),
    });
    eprintln!("row 3: rebuild {r_ce:.0}/s ({rss:.0} MiB), raw {r_raw:.0}/s, SQLite {r_sql:.0}/s");
}

//! The table the benchmark prints: one row per measurement, and how its
//! rates and latencies are written.

use std::fmt::Write as _;
use std::time::Duration;

use crate::measure::{ms, percentile};

pub(crate) struct Row {
    pub(crate) row: &'static str,
    pub(crate) what: String,
    pub(crate) ce: String,
    pub(crate) raw: String,
    pub(crate) sqlite: String,
    pub(crate) ratios: String,
    pub(crate) target: String,
    pub(crate) met: Option<bool>,
}

pub(crate) fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

pub(crate) fn fmt_rate(r: f64) -> String {
    if r >= 10_000.0 {
        format!("{:.0}k/s", r / 1e3)
    } else {
        format!("{r:.0}/s")
    }
}

pub(crate) fn lat(samples: &[Duration]) -> String {
    format!(
        "p50 {:.3} / p99 {:.3} ms",
        ms(percentile(samples, 0.5)),
        ms(percentile(samples, 0.99))
    )
}

pub(crate) fn print_table(rows: &[Row]) {
    let headers = [
        "row", "what", "ce", "raw sled", "SQLite", "ratios", "target", "met",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            [
                r.row.to_owned(),
                r.what.clone(),
                r.ce.clone(),
                r.raw.clone(),
                r.sqlite.clone(),
                r.ratios.clone(),
                r.target.clone(),
                match r.met {
                    Some(true) => "yes".to_owned(),
                    Some(false) => "NO".to_owned(),
                    None => "-".to_owned(),
                },
            ]
        })
        .collect();
    let mut line = String::from("|");
    for h in headers {
        write!(line, " {h} |").unwrap();
    }
    println!("{line}");
    println!("|{}", "---|".repeat(headers.len()));
    for c in cells {
        let mut line = String::from("|");
        for cell in c {
            write!(line, " {cell} |").unwrap();
        }
        println!("{line}");
    }
}

//! The benchmark's sizes: defaults, `--small`, flags and `CE_SCALE_*`
//! environment variables.

use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) events: usize,
    pub(crate) households: usize,
    pub(crate) coalitions: usize,
    pub(crate) appends: usize,
    pub(crate) queries: usize,
    pub(crate) refers: usize,
    pub(crate) opens: usize,
    pub(crate) dir: Option<PathBuf>,
    /// Rows to measure (row 2, the import, always runs: it builds the stores).
    pub(crate) rows: Vec<u32>,
}

impl Config {
    pub(crate) fn parse() -> Self {
        let mut cfg = Config {
            events: 1_000_000,
            households: 100_000,
            coalitions: 21,
            appends: 2_000,
            queries: 2_000,
            refers: 300,
            opens: 5,
            dir: None,
            rows: vec![1, 2, 3, 4, 5, 6],
        };
        let small = std::env::args().any(|a| a == "--small")
            || std::env::var("CE_SCALE_SMALL").is_ok_and(|v| v == "1");
        if small {
            cfg.events = 20_000;
            cfg.households = 2_000;
            cfg.appends = 200;
            cfg.queries = 300;
            cfg.refers = 50;
            cfg.opens = 3;
        }
        let names = [
            "events",
            "households",
            "coalitions",
            "appends",
            "queries",
            "refers",
            "opens",
        ];
        let mut values: HashMap<String, String> = HashMap::new();
        for name in names.iter().chain(&["dir", "rows"]) {
            if let Ok(v) = std::env::var(format!("CE_SCALE_{}", name.to_uppercase())) {
                values.insert((*name).to_owned(), v);
            }
        }
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            // `cargo bench` passes `--bench` to a bench with its own harness.
            if arg == "--small" || arg == "--bench" {
                i += 1;
                continue;
            }
            let Some(name) = arg.strip_prefix("--") else {
                panic!("unexpected argument {arg:?}");
            };
            let (name, value) = match name.split_once('=') {
                Some((n, v)) => (n.to_owned(), v.to_owned()),
                None => {
                    i += 1;
                    let v = args
                        .get(i)
                        .unwrap_or_else(|| panic!("--{name} needs a value"));
                    (name.to_owned(), v.clone())
                }
            };
            values.insert(name, value);
            i += 1;
        }
        for (name, value) in values {
            let n = || -> usize {
                value
                    .replace('_', "")
                    .parse()
                    .unwrap_or_else(|_| panic!("--{name}: not a number: {value:?}"))
            };
            match name.as_str() {
                "events" => cfg.events = n(),
                "households" => cfg.households = n(),
                "coalitions" => cfg.coalitions = n().clamp(1, 21),
                "appends" => cfg.appends = n(),
                "queries" => cfg.queries = n(),
                "refers" => cfg.refers = n(),
                "opens" => cfg.opens = n().max(1),
                "dir" => cfg.dir = Some(PathBuf::from(value)),
                "rows" => {
                    cfg.rows = value
                        .split(',')
                        .map(|r| {
                            r.trim()
                                .parse()
                                .unwrap_or_else(|_| panic!("--rows: {value:?}"))
                        })
                        .collect()
                }
                other => panic!("unknown flag --{other}"),
            }
        }
        cfg.households = cfg.households.clamp(1, cfg.events / 3);
        cfg
    }
}

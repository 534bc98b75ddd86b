//! The raw baselines every row is measured next to: an SQLite event table,
//! a raw sled log, and the raw key prefix of a priority list.

use std::path::Path;
use std::time::{Duration, Instant};

use ce_core::ListKey;

/// The peer: one row per event, unique (stream, version), integer position.
pub(crate) fn sqlite_open(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn.execute_batch(
        "PRAGMA synchronous=FULL;
         CREATE TABLE IF NOT EXISTS events (
             position INTEGER PRIMARY KEY,
             stream TEXT NOT NULL,
             version INTEGER NOT NULL,
             body BLOB NOT NULL,
             UNIQUE (stream, version)
         );",
    )
    .unwrap();
    conn
}

pub(crate) const SQLITE_INSERT: &str =
    "INSERT INTO events (position, stream, version, body) VALUES (?1, ?2, ?3, ?4)";

/// The raw sled log of the baselines, appended to by rows 1 and 5.
pub(crate) struct RawLog {
    db: sled::Db,
    events: sled::Tree,
    next: u64,
}

impl RawLog {
    pub(crate) fn open(path: &Path) -> Self {
        let db = sled::open(path).unwrap();
        let events = db.open_tree("events").unwrap();
        let next = events.len() as u64;
        Self { db, events, next }
    }

    /// One durable insert: the physical limit of one durable append.
    pub(crate) fn append(&mut self, bytes: &[u8]) -> Duration {
        let t = Instant::now();
        self.events.insert(self.next.to_be_bytes(), bytes).unwrap();
        self.db.flush().unwrap();
        self.next += 1;
        t.elapsed()
    }
}

/// The `p_lists` prefix of one list (docs/storage.md, "Key layout").
pub(crate) fn list_prefix(key: &ListKey) -> Vec<u8> {
    let mut out = Vec::new();
    for part in [
        key.coalition.0.as_str(),
        key.program.as_str(),
        key.household_type.as_str(),
    ] {
        out.extend_from_slice(part.as_bytes());
        out.push(0);
    }
    out
}

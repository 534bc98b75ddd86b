//! The log of who saw which household: one line per household shown,
//! with the user, agency, time and what showed it (ids only, no personal
//! data), appended to `views.jsonl` (0600) in the server's state
//! directory before the page or answer is sent.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use ce_core::HouseholdId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// When.
    pub at: DateTime<Utc>,
    /// The account.
    pub user: String,
    /// Its agency.
    pub agency: String,
    /// Its role.
    pub role: String,
    /// The household shown.
    pub household: HouseholdId,
    /// What showed it: a page, an API route, a list download.
    pub what: String,
}

/// The view log.
#[derive(Debug)]
pub struct ViewLog {
    path: PathBuf,
    /// Serializes this process's appends.
    writer: Mutex<()>,
}

impl ViewLog {
    /// The view log in `dir` (created on the first view).
    pub fn open(dir: &Path) -> Self {
        Self {
            path: dir.join("views.jsonl"),
            writer: Mutex::new(()),
        }
    }

    /// Records that `views` were made; returns only once they are on disk.
    pub fn record(&self, views: &[View]) -> std::io::Result<()> {
        if views.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        for view in views {
            text.push_str(&serde_json::to_string(view).map_err(std::io::Error::other)?);
            text.push('\n');
        }
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&self.path)?;
        file.write_all(text.as_bytes())?;
        file.sync_data()
    }

    /// Every recorded view of `household`, oldest first.
    pub fn of(&self, household: HouseholdId) -> std::io::Result<Vec<View>> {
        let file = match std::fs::File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for line in BufReader::new(file).lines() {
            let line = line?;
            // A line cut short by a crash is skipped, not fatal.
            if let Ok(view) = serde_json::from_str::<View>(&line) {
                if view.household == household {
                    out.push(view);
                }
            }
        }
        Ok(out)
    }
}

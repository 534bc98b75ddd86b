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
            .read(true)
            .append(true)
            .mode(0o600)
            .open(&self.path)?;
        // Several server processes may share the log: they take turns, and
        // a line a killed writer left cut short is removed first.
        fs4::fs_std::FileExt::lock_exclusive(&file)?;
        let written = crate::files::repair_torn_tail(&file)
            .and_then(|()| file.write_all(text.as_bytes()))
            .and_then(|()| file.sync_data());
        let _ = fs4::fs_std::FileExt::unlock(&file);
        written
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
            // Only the last line can be cut short (by a crash, until the
            // next view removes it); any other line that is not a view is
            // damage, said in the answer rather than skipped.
            match serde_json::from_str::<View>(&line) {
                Ok(view) if view.household == household => out.push(view),
                Ok(_) => {}
                Err(_) if !line.ends_with('}') => {}
                Err(e) => {
                    return Err(std::io::Error::other(format!(
                        "{}: a line is not a view record ({e}); the file was edited or is damaged",
                        self.path.display()
                    )))
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::Write;

    fn view(household: HouseholdId) -> View {
        View {
            at: Utc::now(),
            user: "ana".to_owned(),
            agency: "Couleecap".to_owned(),
            role: "access".to_owned(),
            household,
            what: "household page".to_owned(),
        }
    }

    #[test]
    fn a_line_cut_short_by_a_crash_costs_no_later_view() {
        let dir = tempfile::tempdir().unwrap();
        let log = ViewLog::open(dir.path());
        let h = HouseholdId::random();
        log.record(&[view(h)]).unwrap();
        // A writer killed mid-line.
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join("views.jsonl"))
            .unwrap()
            .write_all(b"{\"at\":\"2026-12")
            .unwrap();
        assert_eq!(log.of(h).unwrap().len(), 1);
        log.record(&[view(h), view(HouseholdId::random())]).unwrap();
        assert_eq!(log.of(h).unwrap().len(), 2);
        // Damage in the middle is reported, not skipped.
        let path = dir.path().join("views.jsonl");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen("\"ana\"", "\"ana\",}", 1)).unwrap();
        assert!(log.of(h).is_err());
    }
}

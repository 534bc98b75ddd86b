//! Backup and restore: the whole log as JSON Lines, one envelope a line in
//! global order.

use std::io::{BufRead, Write};
use std::sync::atomic::Ordering;

use ce_core::{EventStore, Upcasters};

use crate::error::SledStoreError;
use crate::store::{poisoned, SledStore};

/// Events read per step of an export, and appended per batch of an import.
const BATCH: usize = 1_000;

impl SledStore {
    /// Writes every event, in order, one JSON envelope per line. Returns the
    /// number of events written. Stops at the first event that cannot be
    /// read, naming its position.
    pub fn export_jsonl(&self, mut out: impl Write) -> Result<u64, SledStoreError> {
        let mut from = 0;
        loop {
            let batch = self.read_from(from, BATCH)?;
            let Some(last) = batch.last() else { break };
            from = last.position + 1;
            for envelope in &batch {
                serde_json::to_writer(&mut out, envelope).map_err(std::io::Error::from)?;
                out.write_all(b"\n")?;
            }
        }
        out.flush()?;
        Ok(from)
    }

    /// Appends a JSON Lines backup to this empty store, keeping every event's
    /// id, streams, versions, dates and actor. Each batch is checked as an
    /// append would be (positions continue the log, event ids are new,
    /// stream versions follow on) and flushed; the projections are folded
    /// once at the end. Returns the number of events imported.
    ///
    /// The batches are written without transactions (sled's transactions
    /// read every key they write; see docs/benchmarks.md); the store is marked as importing until
    /// the import ends, so a store whose import was killed midway, or
    /// stopped by an error of sled itself, refuses to open
    /// ([`SledStoreError::IncompleteImport`]) rather than serve a partial
    /// log. An import that stops on a bad line ends normally: the batches
    /// before it are stored and served, and the error names the line. The
    /// import holds the writer lock throughout: appends wait for it.
    pub fn import_jsonl(&self, input: impl BufRead) -> Result<u64, SledStoreError> {
        self.import_jsonl_with(input, |_| {})
    }

    /// [`import_jsonl`](Self::import_jsonl), calling `progress(imported)`
    /// after every batch.
    pub fn import_jsonl_with(
        &self,
        input: impl BufRead,
        mut progress: impl FnMut(u64),
    ) -> Result<u64, SledStoreError> {
        // The whole import holds the writer lock: no append or second
        // import can come between its batches or clear its mark.
        let _writer = self.lock();
        if self.poisoned.load(Ordering::Acquire) {
            return Err(poisoned().into());
        }
        let existing = self.next_position()?;
        if existing != 0 {
            return Err(SledStoreError::NotEmpty(existing));
        }
        self.begin_import()?;
        let mut imported = 0u64;
        let result = self.import_batches(input, &mut progress, &mut imported);
        if let Err(e) = &result {
            if !e.leaves_import_batches_whole() {
                // A batch may be half written: keep the mark, so that the
                // store refuses to open rather than serve it, and refuse
                // appends and imports meanwhile (an append would write its
                // rows among the batch's).
                self.poisoned.store(true, Ordering::Release);
                return result.map(|()| imported);
            }
        }
        // The batches stored only the log and its indexes: fold the
        // projections once, streaming, now (also after a bad line, so that
        // the batches already stored are served at once).
        if imported > 0 {
            self.rebuild_locked(|_, _| {})?;
        }
        self.end_import()?;
        result?;
        progress(imported);
        Ok(imported)
    }

    /// The batches of an import, log and indexes only; `imported` counts the
    /// events stored so far.
    fn import_batches(
        &self,
        input: impl BufRead,
        progress: &mut impl FnMut(u64),
        imported: &mut u64,
    ) -> Result<(), SledStoreError> {
        let upcasters = Upcasters::current();
        let mut batch = Vec::with_capacity(BATCH);
        let mut expected_position = 0u64;
        for (line_no, line) in (1u64..).zip(input.lines()) {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let envelope =
                upcasters
                    .decode(line.as_bytes())
                    .map_err(|source| SledStoreError::ImportLine {
                        line: line_no,
                        source,
                    })?;
            if envelope.position != expected_position {
                return Err(SledStoreError::ImportGap {
                    line: line_no,
                    expected: expected_position,
                    found: envelope.position,
                });
            }
            expected_position += 1;
            batch.push((line_no, envelope));
            if batch.len() == BATCH {
                self.import_log_batch(&batch)?;
                batch.clear();
                *imported = expected_position;
                progress(expected_position);
            }
        }
        self.import_log_batch(&batch)?;
        *imported = expected_position;
        Ok(())
    }
}

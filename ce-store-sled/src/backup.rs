//! Backup and restore: the whole log as JSON Lines, one envelope a line in
//! global order.

use std::io::{BufRead, Write};
use std::sync::atomic::Ordering;

use ce_core::{Envelope, EventStore, Upcasters};

use crate::error::SledStoreError;
use crate::store::{poisoned, SledStore};

/// Events read per step of an export, and appended per batch of an import.
const BATCH: usize = 1_000;

/// The longest line a backup may have (an envelope is a few KiB at most):
/// a longer one, or a file with no line breaks (`/dev/zero`), is an error,
/// not a line read into memory without end.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The last line of a backup: the SHA-256 of every byte before it and the
/// number of events, so that an import notices a backup cut short, damaged
/// or edited by hand (a deleted event with the positions renumbered).
/// It detects accidents and careless edits, not a forger who recomputes it:
/// `ce verify` checks what the events say.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Trailer {
    /// `sha256:` and the hex digest.
    checksum: String,
    /// Events in the backup.
    events: u64,
}

/// How an import treats the checksum line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Checksum {
    /// The backup must end with a checksum line that matches.
    #[default]
    Required,
    /// A backup without one (written before backups had it) is taken; one
    /// that has it must still match.
    IfPresent,
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl SledStore {
    /// Writes every event, in order, one JSON envelope per line, and the
    /// checksum line (see [`write_jsonl`]). Returns the number of events.
    pub fn export_jsonl(&self, out: impl Write) -> Result<u64, SledStoreError> {
        write_jsonl(self, out)
    }

    /// Appends a JSON Lines backup to this empty store, keeping every event's
    /// id, streams, versions, dates and actor. Each batch is checked as an
    /// append would be (positions continue the log, event ids are new,
    /// stream versions follow on) and flushed; the projections are folded
    /// once at the end. Returns the number of events imported.
    ///
    /// The batches are written without transactions (sled's transactions
    /// read every key they write, which costs more than the writes; see
    /// docs/storage.md); the store is
    /// marked as importing until the import ends, so a store whose import
    /// was killed midway, or stopped by an error of sled itself, refuses to
    /// open ([`SledStoreError::IncompleteImport`]) rather than serve a
    /// partial log, until the import is rolled back
    /// ([`SledStore::open_rolling_back_import`]). An import that stops on a
    /// bad line is all or nothing: the batches before it are removed, the
    /// store is empty again, and the error names the line. The import holds
    /// the writer lock throughout: appends wait for it.
    pub fn import_jsonl(&self, input: impl BufRead) -> Result<u64, SledStoreError> {
        self.import_jsonl_with(input, Checksum::Required, |_| {})
    }

    /// [`import_jsonl`](Self::import_jsonl), calling `progress(imported)`
    /// after every batch.
    pub fn import_jsonl_with(
        &self,
        input: impl BufRead,
        checksum: Checksum,
        mut progress: impl FnMut(u64),
    ) -> Result<u64, SledStoreError> {
        // The whole import holds the writer lock: no append or second
        // import can come between its batches or clear its mark.
        let writer = self.lock();
        if self.poisoned.load(Ordering::Acquire) {
            return Err(poisoned().into());
        }
        let existing = self.next_position()?;
        if existing != 0 {
            return Err(SledStoreError::NotEmpty(existing));
        }
        self.begin_import("a JSON Lines backup")?;
        let mut imported = 0u64;
        if let Err(e) = self.import_batches(input, checksum, &mut progress, &mut imported) {
            if e.leaves_import_batches_whole() {
                // A bad line: all or nothing, so the batches before it go
                // (the store was empty) and the error names the line.
                self.roll_back_import_locked(&writer)?;
            } else {
                // A batch may be half written: keep the mark, so that the
                // store refuses to open until the import is rolled back,
                // and refuse appends and imports meanwhile (an append
                // would write its rows among the batch's).
                self.poisoned.store(true, Ordering::Release);
            }
            return Err(e);
        }
        // The batches stored only the log and its indexes: fold the
        // projections once, streaming, now. A backup that adopted another
        // policy is ranked by it from the next open (which adopts the log's
        // policy); this handle keeps the policy it was opened with.
        if imported > 0 {
            self.rebuild_locked(|_, _| {})?;
        }
        self.end_import()?;
        progress(imported);
        Ok(imported)
    }

    /// The batches of an import, log and indexes only; `imported` counts the
    /// events stored so far.
    fn import_batches(
        &self,
        input: impl BufRead,
        checksum: Checksum,
        progress: &mut impl FnMut(u64),
        imported: &mut u64,
    ) -> Result<(), SledStoreError> {
        read_jsonl(input, checksum, |batch| {
            self.import_log_batch(batch)?;
            if let Some((_, last)) = batch.last() {
                *imported = last.position.saturating_add(1);
                progress(*imported);
            }
            Ok(())
        })
        .map(|_| ())
    }
}

/// Writes a store's every event, in order, one JSON envelope per line,
/// then the checksum line: the backup format, the same from every store.
/// Returns the number of events written. Stops at the first event that cannot be
/// read, naming its position.
pub fn write_jsonl<S: EventStore + ?Sized>(
    store: &S,
    mut out: impl Write,
) -> Result<u64, SledStoreError> {
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    let mut from = 0;
    let mut line = Vec::new();
    loop {
        let batch = store.read_from(from, BATCH)?;
        let Some(last) = batch.last() else { break };
        from = last.position + 1;
        for envelope in &batch {
            line.clear();
            serde_json::to_writer(&mut line, envelope).map_err(std::io::Error::from)?;
            line.push(b'\n');
            hash.update(&line);
            out.write_all(&line)?;
        }
    }
    let trailer = Trailer {
        checksum: format!("sha256:{}", hex(&hash.finalize())),
        events: from,
    };
    serde_json::to_writer(&mut out, &trailer).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(from)
}

/// Reads a JSON Lines backup, checking it line by line (each envelope
/// decodes, positions run on from 0, at most [`MAX_LINE_BYTES`] a line, the
/// checksum line last and matching), and hands the envelopes to `batches`
/// in order, up to a thousand at a time with their line numbers, as they
/// are read: any store can restore from it. Returns the number of events.
/// An error names the line; batches handed over before it are the
/// caller's to undo.
pub fn read_jsonl(
    mut input: impl BufRead,
    checksum: Checksum,
    mut batches: impl FnMut(&[(u64, Envelope)]) -> Result<(), SledStoreError>,
) -> Result<u64, SledStoreError> {
    use sha2::Digest;
    let upcasters = Upcasters::current();
    let mut batch = Vec::with_capacity(BATCH);
    let mut expected_position = 0u64;
    let mut hash = sha2::Sha256::new();
    let mut trailer: Option<(u64, Trailer)> = None;
    let mut line = Vec::new();
    for line_no in 1u64.. {
        line.clear();
        let limit = u64::try_from(MAX_LINE_BYTES)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let read = std::io::Read::take(input.by_ref(), limit).read_until(b'\n', &mut line)?;
        if read == 0 {
            break;
        }
        if line.len() > MAX_LINE_BYTES {
            return Err(SledStoreError::ImportLineTooLong {
                line: line_no,
                max: MAX_LINE_BYTES,
            });
        }
        let text = line.trim_ascii();
        if trailer.is_some() {
            if text.is_empty() {
                continue;
            }
            return Err(SledStoreError::ImportInvalid {
                line: line_no,
                reason: "a line follows the checksum line, which must be the last",
            });
        }
        if text.starts_with(b"{\"checksum\"") {
            let parsed = serde_json::from_slice::<Trailer>(text).map_err(|_| {
                SledStoreError::ImportInvalid {
                    line: line_no,
                    reason: "the checksum line is not `{\"checksum\":\"sha256:...\",\"events\":N}`",
                }
            })?;
            trailer = Some((line_no, parsed));
            continue;
        }
        hash.update(&line);
        if text.is_empty() {
            continue;
        }
        let envelope = upcasters
            .decode(text)
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
            batches(&batch)?;
            batch.clear();
        }
    }
    match trailer {
        Some((line, trailer)) => {
            let actual = format!("sha256:{}", hex(&hash.finalize()));
            if trailer.checksum != actual || trailer.events != expected_position {
                return Err(SledStoreError::ImportChecksum { line });
            }
        }
        None if checksum == Checksum::Required => {
            return Err(SledStoreError::ImportNoChecksum);
        }
        None => {}
    }
    if !batch.is_empty() {
        batches(&batch)?;
    }
    Ok(expected_position)
}

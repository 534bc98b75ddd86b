//! Backup and restore: the whole log as JSON Lines, one envelope a line in
//! global order.

use std::io::{BufRead, Write};

use ce_core::{AppendRequest, EventStore, ExpectedVersion, NewEvent, Upcasters};

use crate::error::SledStoreError;
use crate::store::SledStore;

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
    /// id, streams, versions, dates and actor. Each batch is one transaction
    /// checked against the versions the backup records, and one flush.
    /// Returns the number of events imported.
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
        let existing = self.next_position()?;
        if existing != 0 {
            return Err(SledStoreError::NotEmpty(existing));
        }
        let mut imported = 0u64;
        let result = self.import_batches(input, &mut progress, &mut imported);
        // The batches stored only the log and its indexes: fold the
        // projections once, streaming, now (also after a failure, so that the
        // batches already stored are served at once; until then the
        // checkpoint lags the log, so an interrupted import is folded by the
        // next `open`).
        if imported > 0 {
            let folded = self.rebuild();
            result?;
            folded?;
        } else {
            result?;
        }
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
            batch.push(AppendRequest {
                expected: envelope
                    .streams
                    .iter()
                    .map(|sv| {
                        (
                            sv.stream,
                            ExpectedVersion::Exact(sv.version.saturating_sub(1)),
                        )
                    })
                    .collect(),
                events: vec![NewEvent {
                    event_id: envelope.event_id,
                    streams: envelope.streams.iter().map(|sv| sv.stream).collect(),
                    effective: envelope.effective,
                    recorded_at: envelope.recorded_at,
                    actor: envelope.actor,
                    event: envelope.event,
                }],
            });
            if batch.len() == BATCH {
                self.append_batch_with(std::mem::take(&mut batch), false)?;
                *imported = expected_position;
                progress(expected_position);
            }
        }
        if !batch.is_empty() {
            self.append_batch_with(batch, false)?;
            *imported = expected_position;
        }
        Ok(())
    }
}

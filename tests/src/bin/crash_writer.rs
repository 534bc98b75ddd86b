//! Child process of the crash tests: appends enrollments to the sled store in
//! `DIR` forever, printing `ack POSITION` after each `Ok`, until killed; or
//! does the same with batches of 100 one-event requests through
//! `SledStore::append_batch` (long writes, which sled's background flusher
//! can cut); or imports a JSON Lines backup into the empty store in `DIR`,
//! printing `started` before and `imported N` after.
//!
//! Usage: `crash_writer DIR SEED`, `crash_writer batch DIR SEED` or
//! `crash_writer import DIR FILE`

use std::io::Write;

use ce_core::testing::{client, HouseholdBuilder};
use ce_core::{Actor, Command, CommandId, CommandMeta, ExpectedVersion, Role, Workflow};
use ce_store_sled::{SledStore, SledStoreError};
use ce_tests::sample::{client_stream, new_event, request};
use chrono::{TimeZone, Utc};

/// Requests per batch of `crash_writer batch`.
const BATCH: u128 = ce_tests::CRASH_WRITER_BATCH as u128;

/// `SledStore::open`, waiting while the test's own handle, dropped a moment
/// ago, still holds the file lock (on a busy machine its release can
/// outlast the spawn of this process).
fn open(dir: &str) -> Result<SledStore, SledStoreError> {
    ce_tests::open_when_released(dir, std::time::Duration::from_secs(5))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: crash_writer DIR SEED")?;
    if dir == "import" {
        let dir = args.next().ok_or("usage: crash_writer import DIR FILE")?;
        let file = args.next().ok_or("usage: crash_writer import DIR FILE")?;
        let store = open(&dir)?;
        let backup = std::io::BufReader::new(std::fs::File::open(file)?);
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "started")?;
        stdout.flush()?;
        let imported =
            store.import_jsonl_with(backup, ce_store_sled::Checksum::IfPresent, |_| {})?;
        // The test may have stopped reading: the import is what counts.
        let _ = writeln!(stdout, "imported {imported}");
        return Ok(());
    }
    if dir == "batch" {
        let dir = args.next().ok_or("usage: crash_writer batch DIR SEED")?;
        let seed: u128 = args
            .next()
            .ok_or("usage: crash_writer batch DIR SEED")?
            .parse()?;
        let store = open(&dir)?;
        let mut stdout = std::io::stdout().lock();
        for n in 0u128.. {
            let requests = (0..BATCH)
                .map(|i| {
                    let id = (seed << 64) | (n * BATCH + i);
                    let stream = client_stream(id);
                    request(
                        &[(stream, ExpectedVersion::Exact(0))],
                        vec![new_event(id, &[stream])],
                    )
                })
                .collect();
            let out = store.append_batch(requests)?;
            let last = out.last().and_then(|e| e.last()).map_or(0, |e| e.position);
            writeln!(stdout, "ack {last}")?;
            stdout.flush()?;
        }
        return Ok(());
    }
    let seed: u128 = args.next().ok_or("usage: crash_writer DIR SEED")?.parse()?;
    let store = open(&dir)?;
    let policy = store.policy().clone();
    let workflow = Workflow::new(store, policy)?;
    let recorded_at = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .ok_or("bad time")?;
    let mut stdout = std::io::stdout().lock();
    for n in 0u128.. {
        let id = (seed << 32) | n;
        let builder = HouseholdBuilder::single_adult("Coulee")
            .client(client(id))
            .placed_with_score(9);
        let meta = CommandMeta {
            command_id: CommandId::from_uuid(uuid::Uuid::from_u128(id)),
            actor: Actor::new("crash", "test", Role::Lead),
            recorded_at,
        };
        let executed = workflow.execute(&meta, Command::Enroll(builder.enroll))?;
        let last = executed.events.last().map_or(0, |e| e.position);
        writeln!(stdout, "ack {last}")?;
        stdout.flush()?;
    }
    Ok(())
}

//! Appends on PostgreSQL against the server's own baseline, in one run:
//!
//! 1. raw: single-row `INSERT`s of an enrollment's stored bytes into a
//!    plain table with a primary key, autocommit (one commit each, the
//!    server's durability settings);
//! 2. append: `Workflow::execute` of an enrollment on a `PgStore` (the
//!    workflow's catch-up read and command-id lookup, the decision, then
//!    one transaction of two statements: the position lock with the
//!    duplicate and version checks, and every row with the head and a
//!    notify);
//! 3. writers: the same enrollments from 1 process, then from 8 processes
//!    at once, each its share: total commands per second.
//!
//! Needs a server: `CE_TEST_POSTGRES_URL` (`scripts/postgres-dev start`).
//! `CE_BENCH_COMMANDS` sets how many commands each row runs (default 2,000).
//! Run: `cargo bench -p ce-store-postgres --bench append`.

use std::process::Command as Process;
use std::time::Instant;

use ce_core::testing::{client, HouseholdBuilder};
use ce_core::{Actor, CommandId, CommandMeta, EventStore, Role, Timestamp, Workflow};
use ce_store_postgres::PgStore;
use postgres::{Client, NoTls};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const CHILD: &str = "CE_BENCH_CHILD";

fn meta(n: u64) -> Result<CommandMeta> {
    let at: Timestamp = "2025-06-01T12:00:00Z".parse()?;
    Ok(
        CommandMeta::new(Actor::new("bench", "Couleecap", Role::Access), at).with_id(
            CommandId::from_uuid(uuid::Uuid::from_u128(u128::from(n) + 1)),
        ),
    )
}

/// Enrolls households `from..to` (clients of the same numbers).
fn enroll(store: PgStore, from: u64, to: u64) -> Result<()> {
    let workflow = Workflow::open(store)?;
    for n in from..to {
        let household = HouseholdBuilder::single_adult("Coulee").client(client(u128::from(n) + 1));
        workflow.execute(&meta(n)?, household.enroll)?;
    }
    Ok(())
}

fn per_second(count: u64, seconds: f64) -> f64 {
    count as f64 / seconds.max(f64::EPSILON)
}

fn main() -> Result<()> {
    let url = match std::env::var("CE_TEST_POSTGRES_URL") {
        Ok(url) => url,
        Err(_) => {
            eprintln!("skipped: set CE_TEST_POSTGRES_URL (scripts/postgres-dev start)");
            return Ok(());
        }
    };
    if let Ok(child) = std::env::var(CHILD) {
        // A writer process: "<schema> <from> <to>".
        let parts: Vec<&str> = child.split_whitespace().collect();
        let (schema, from, to) = match parts.as_slice() {
            [schema, from, to] => (*schema, from.parse()?, to.parse()?),
            _ => return Err("CE_BENCH_CHILD is <schema> <from> <to>".into()),
        };
        return enroll(PgStore::open_in(&url, schema)?, from, to);
    }
    let commands: u64 = std::env::var("CE_BENCH_COMMANDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let run = uuid::Uuid::new_v4().simple().to_string();

    // 1. The raw baseline: the same bytes an enrollment stores.
    let sample = PgStore::open_in(&url, &format!("bench_sample_{run}"))?;
    enroll(sample, 0, 1)?;
    let bytes = PgStore::open_in(&url, &format!("bench_sample_{run}"))?
        .read_from(0, 1)?
        .first()
        .map(|e| e.to_json())
        .transpose()?
        .unwrap_or_default();
    let mut raw = Client::connect(&url, NoTls)?;
    raw.batch_execute(&format!(
        "CREATE SCHEMA bench_raw_{run}; SET search_path TO bench_raw_{run};
         CREATE TABLE rows (position bigint PRIMARY KEY, envelope bytea NOT NULL)"
    ))?;
    // Prepared once, as the store prepares its statements.
    let insert = raw.prepare("INSERT INTO rows VALUES ($1, $2)")?;
    let start = Instant::now();
    for n in 0..commands {
        let position = i64::try_from(n)?;
        raw.execute(&insert, &[&position, &bytes])?;
    }
    let raw_rate = per_second(commands, start.elapsed().as_secs_f64());

    // 2. Appends through the workflow, one process.
    let one = format!("bench_one_{run}");
    let store = PgStore::open_in(&url, &one)?;
    let start = Instant::now();
    enroll(store, 0, commands)?;
    let one_rate = per_second(commands, start.elapsed().as_secs_f64());

    // 3. Eight writer processes, each its share, at once.
    let eight = format!("bench_eight_{run}");
    PgStore::open_in(&url, &eight)?;
    let exe = std::env::current_exe()?;
    let share = commands / 8;
    let start = Instant::now();
    let children = (0..8u64)
        .map(|w| {
            Process::new(&exe)
                .env(CHILD, format!("{eight} {} {}", w * share, (w + 1) * share))
                .spawn()
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    for mut child in children {
        if !child.wait()?.success() {
            return Err("a writer process failed".into());
        }
    }
    let eight_rate = per_second(share * 8, start.elapsed().as_secs_f64());

    println!("| row | commands | per second | against |");
    println!("|---|---|---|---|");
    println!(
        "| raw INSERT, autocommit ({} bytes) | {commands} | {raw_rate:.0} | – |",
        bytes.len()
    );
    println!(
        "| append (workflow, 1 process) | {commands} | {one_rate:.0} | {:.2}× raw |",
        one_rate / raw_rate
    );
    println!(
        "| append, 8 processes | {} | {eight_rate:.0} | {:.2}× 1 process |",
        share * 8,
        eight_rate / one_rate
    );
    Ok(())
}

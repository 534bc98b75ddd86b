//! init, policy show, export, import, rebuild, verify.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use ce_core::audit::rank_mismatch;
use ce_core::invariants::{check_caseload, check_event, check_folded, LogChecker};
use ce_core::{Caseload, EventStore, Policy};
use ce_store_sled::SledStore;
use serde_json::json;

use crate::args::Cli;
use crate::context::{read_json, today, Ctx};
use crate::error::CliError;
use crate::output::Output;
use crate::private_file::write_private;

/// Problems `verify` prints as text (all of them go into `--json`).
const SHOWN_PROBLEMS: usize = 100;

/// Events read per step of `verify`.
const BATCH: usize = 4_096;

/// `ce init [--policy FILE]`.
pub fn init(cli: &Cli, policy: Option<&Path>) -> Result<(), CliError> {
    let meta = ce_core::CommandMeta {
        command_id: ce_core::CommandId::random(),
        actor: ce_core::Actor::new(cli.user.clone(), cli.agency.clone(), cli.role),
        recorded_at: chrono::Utc::now(),
    };
    if crate::store::is_postgres(&cli.store) {
        return init_postgres(cli, policy, &meta);
    }
    let mut store = SledStore::open(&cli.store)?;
    if let Some(path) = policy {
        let policy: Policy = read_json(path)?;
        // A policy that is not valid is bad input (nothing was stored).
        store.set_policy(policy, &meta).map_err(|e| match e {
            ce_store_sled::SledStoreError::Policy(e) => CliError::Policy(e),
            other => other.into(),
        })?;
    }
    let events = store.next_position()?;
    let policy = store.policy();
    Output { json: cli.json }.emit(
        format!(
            "store {} ready: {events} events, policy {} v{}",
            cli.store.display(),
            policy.id,
            policy.version
        ),
        &json!({ "store": cli.store, "events": events, "policy": policy.id, "version": policy.version }),
    );
    Ok(())
}

/// `ce policy show`.
pub fn policy_show(ctx: &Ctx) -> Result<(), CliError> {
    let policy = ctx.policy();
    let text = serde_json::to_string_pretty(policy).map_err(|source| CliError::Json {
        path: "policy".into(),
        source,
    })?;
    ctx.out.emit(text, policy);
    note_hud_rules(policy);
    Ok(())
}

/// A note on stderr when the policy in force breaks a HUD rule a policy
/// adopted today must follow (a store that adopted it before the rule):
/// the lists follow it until the CE lead adopts one that does not.
fn note_hud_rules(policy: &Policy) {
    if let Err(e) = policy.check_hud_rules() {
        crate::output::to_stderr(&format!(
            "note: the policy in force ({} v{}) breaks a HUD rule: {e}; adopt a corrected \
             version with `ce --role lead init --policy FILE`",
            policy.id, policy.version
        ));
    }
}

/// `ce export jsonl FILE`.
pub fn export(ctx: &Ctx, path: &Path) -> Result<(), CliError> {
    // A backup holds client data: private, and a failed export never
    // destroys the previous backup at `path`.
    // The same format from either store: a sled backup restores into
    // PostgreSQL, and the other way. The events go out as stored, their
    // personal data sealed: a backup shows nobody's data (no view is
    // recorded), and it reads only with the store's keys and master key.
    let store = ctx.raw_store();
    let events = write_private(path, |out| Ok(ce_store_sled::write_jsonl(store, out)?))?;
    ctx.out.emit(
        format!("exported {events} events to {}", path.display()),
        &json!({ "events": events, "file": path }),
    );
    Ok(())
}

/// `ce init` on PostgreSQL: the schema is made on open; a policy is
/// adopted as an event on the log, as on sled.
fn init_postgres(
    cli: &Cli,
    policy: Option<&Path>,
    meta: &ce_core::CommandMeta,
) -> Result<(), CliError> {
    let mut store = crate::store::CliStore::postgres(&cli.store.to_string_lossy())?;
    if let Some(path) = policy {
        let policy: Policy = read_json(path)?;
        let version = store.stream_version(&ce_core::StreamId::Policy)?;
        if let Some(request) = policy
            .clone()
            .adoption(store.policy(), meta, version)
            .map_err(CliError::Policy)?
        {
            store.append(request)?;
            store = crate::store::CliStore::postgres(&cli.store.to_string_lossy())?;
        }
    }
    let events = store.next_position()?;
    let policy = store.policy();
    Output { json: cli.json }.emit(
        format!(
            "store {} ready: {events} events, policy {} v{}",
            crate::store::shown(&cli.store.to_string_lossy()),
            policy.id,
            policy.version
        ),
        &json!({ "store": crate::store::shown(&cli.store.to_string_lossy()), "events": events, "policy": policy.id, "version": policy.version }),
    );
    Ok(())
}

/// `ce rollback-import`: removes what an unfinished import wrote.
pub fn rollback_import(cli: &Cli) -> Result<(), CliError> {
    if let Some(url) = cli
        .store
        .to_str()
        .filter(|_| crate::store::is_postgres(&cli.store))
    {
        // A PostgreSQL import is one transaction: nothing to roll back.
        let events = crate::store::CliStore::postgres(url)?.next_position()?;
        Output { json: cli.json }.emit(
            format!("no unfinished import: an import into PostgreSQL is one transaction, which the server rolls back if it stops midway; the store holds {events} events, unchanged"),
            &json!({ "rolled_back": null, "removed": 0, "events": events }),
        );
        return Ok(());
    }
    let (store, rolled_back) = SledStore::open_rolling_back_import(&cli.store)?;
    let events = store.next_position()?;
    let (text, value) = match rolled_back {
        Some((what, removed)) => (
            format!(
                "rolled back the unfinished import of {what}: removed {removed} events; the store holds {events} events, as before the import"
            ),
            json!({ "rolled_back": what, "removed": removed, "events": events }),
        ),
        None => (
            format!("no unfinished import: the store holds {events} events, unchanged"),
            json!({ "rolled_back": null, "removed": 0, "events": events }),
        ),
    };
    Output { json: cli.json }.emit(text, &value);
    Ok(())
}

/// `ce import jsonl FILE [--without-checksum]` (into an empty store).
pub fn import(ctx: &Ctx, path: &Path, without_checksum: bool) -> Result<(), CliError> {
    let file = File::open(path).map_err(|source| CliError::Io {
        path: path.to_owned(),
        source,
    })?;
    let bar = crate::output::progress(ctx.out, 0, "import");
    let checksum = if without_checksum {
        ce_store_sled::Checksum::IfPresent
    } else {
        ce_store_sled::Checksum::Required
    };
    // A backup holds sealed data as it was stored: it goes in as it is.
    let events = match ctx.raw_store() {
        crate::store::CliStore::Sled(store) => {
            store.import_jsonl_with(BufReader::new(file), checksum, |n| bar.set_position(n))?
        }
        crate::store::CliStore::Postgres { store, .. } => {
            // One transaction: a bad line, or any failure, leaves the
            // store as empty as it was.
            let mut import = store.begin_import()?;
            let mut failed = None;
            let read = ce_store_sled::read_jsonl(BufReader::new(file), checksum, |batch| {
                let envelopes: Vec<ce_core::Envelope> =
                    batch.iter().map(|(_, e)| e.clone()).collect();
                if let Err(e) = import.add(&envelopes) {
                    failed = Some(e);
                    // Stops the reading; the error returned is `failed`.
                    return Err(ce_store_sled::SledStoreError::NotEmpty(0));
                }
                if let Some(last) = envelopes.last() {
                    bar.set_position(last.position.saturating_add(1));
                }
                Ok(())
            });
            if let Some(e) = failed {
                return Err(e.into());
            }
            read?;
            import.commit()?
        }
    };
    bar.finish_and_clear();
    ctx.out.emit(
        format!("imported {events} events from {}", path.display()),
        &json!({ "events": events, "file": path }),
    );
    Ok(())
}

/// `ce rebuild`.
pub fn rebuild(ctx: &Ctx) -> Result<(), CliError> {
    let events = ctx.store().next_position()?;
    let store = match ctx.raw_store() {
        crate::store::CliStore::Sled(store) => store,
        crate::store::CliStore::Postgres { .. } => {
            ctx.out.emit(
                format!("nothing to rebuild: the PostgreSQL store keeps no projections, its reads fold the log ({events} events)"),
                &json!({ "events": events, "rebuilt": false }),
            );
            return Ok(());
        }
    };
    let bar = crate::output::progress(ctx.out, events, "rebuild");
    store.rebuild_with(|done, _| bar.set_position(done))?;
    bar.finish_and_clear();
    ctx.out.emit(
        format!("rebuilt the projections from {events} events"),
        &json!({ "events": events }),
    );
    Ok(())
}

/// `ce verify`: replays the whole log, checks the log's shape and every
/// workflow invariant, and that the projections equal a fresh fold and a
/// rebuild. Exits non-zero on any problem.
pub fn verify(ctx: &Ctx) -> Result<(), CliError> {
    let store = ctx.store();
    let mut problems: Vec<String> = Vec::new();
    let mut readable = true;
    let mut checker = LogChecker::default();
    let mut fold = Caseload::default();
    let mut from = 0;
    // Each event is checked against the policy in force when it was
    // recorded: the one the first adoption replaced, then each adopted.
    let mut policy = store
        .policy_before_adoptions()?
        .unwrap_or_else(|| ctx.policy().clone());
    let bar = crate::output::progress(ctx.out, store.next_position()?, "verify");
    loop {
        bar.set_position(from);
        let batch = match store.read_from(from, BATCH) {
            Ok(batch) => batch,
            Err(e) => {
                problems.push(e.to_string());
                readable = false;
                break;
            }
        };
        let Some(last) = batch.last() else { break };
        from = last.position + 1;
        for envelope in &batch {
            checker.check(envelope);
            problems.extend(
                check_event(&fold, &policy, envelope)
                    .iter()
                    .map(ToString::to_string),
            );
            if let Some(m) = rank_mismatch(&fold, &policy, envelope) {
                problems.push(format!(
                    "referral {} recorded rank {} but the list as known then gives {}",
                    m.referral, m.recorded, m.recomputed
                ));
            }
            if let Some(m) = ce_core::audit::list_place_mismatch(&fold, &policy, envelope) {
                problems.push(format!(
                    "referral {} recorded place {} on its list but the list as known then gives {}",
                    m.referral,
                    m.recorded,
                    m.recomputed
                        .map_or_else(|| "none (not on it)".to_owned(), |p| p.to_string())
                ));
            }
            if let ce_core::Event::PolicyAdopted(adopted) = &envelope.event {
                if *adopted.replaces != policy {
                    problems.push(format!(
                        "event {}: adopts policy {} v{} in place of {} v{}, which was not in force",
                        envelope.position,
                        adopted.policy.id,
                        adopted.policy.version,
                        adopted.replaces.id,
                        adopted.replaces.version
                    ));
                }
                policy = (*adopted.policy).clone();
            }
            fold.apply(envelope);
            problems.extend(
                check_folded(&fold, envelope)
                    .iter()
                    .map(ToString::to_string),
            );
        }
    }
    problems.extend(checker.violations.iter().map(ToString::to_string));
    problems.extend(
        check_caseload(&fold, ctx.policy(), today())
            .iter()
            .map(ToString::to_string),
    );
    // The sled store's projections against the fold (the PostgreSQL store
    // keeps none).
    if let (true, crate::store::CliStore::Sled(raw)) = (readable, ctx.raw_store()) {
        match raw.caseload().and_then(|c| store.open_caseload(c)) {
            Ok(projected) if projected == fold => {}
            Ok(_) => {
                problems.push("the projections differ from a fresh fold of the log".to_owned())
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    bar.finish_and_clear();
    note_hud_rules(ctx.policy());
    // Rebuilding needs a readable log: with an unreadable event it would
    // fail half-way and leave the projections worse than it found them.
    if let (true, crate::store::CliStore::Sled(store)) = (readable, ctx.raw_store()) {
        let before = store.projection_bytes()?;
        store.rebuild()?;
        if store.projection_bytes()? != before {
            problems
                .push("the projections differed from a rebuild (they are rebuilt now)".to_owned());
        }
    }

    let text = if problems.is_empty() {
        format!(
            "ok: {from} events, {} households, every check passed",
            fold.households().len()
        )
    } else if problems.len() > SHOWN_PROBLEMS {
        // A log edited wholesale can break a rule in every event: the
        // first ones say what is wrong, `--json` has them all.
        format!(
            "{}\n... and {} more (`ce --json verify` lists them all)",
            problems[..SHOWN_PROBLEMS].join("\n"),
            problems.len() - SHOWN_PROBLEMS
        )
    } else {
        problems.join("\n")
    };
    ctx.out
        .emit(&text, &json!({ "events": from, "problems": problems }));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::Verify(problems.len()))
    }
}

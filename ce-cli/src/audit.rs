//! history, explain, correct: audit replay from the terminal.

use ce_core::{CommandId, CommandMeta, EventId, HouseholdId, ListKey, ProgramType};
use chrono::Utc;
use serde_json::json;

use crate::args::When;
use crate::context::{caseload_when, parse_id, Ctx};
use crate::error::CliError;
use crate::output::table;

/// `ce history HOUSEHOLD`.
pub fn history(ctx: &Ctx, household: &str) -> Result<(), CliError> {
    let id: HouseholdId = parse_id("household", household)?;
    let mut entries = ctx.workflow()?.history(id)?;
    ctx.record_shown([id], "ce history")?;
    let access = crate::privacy::NameAccess::today(ctx, [id])?;
    for entry in &mut entries {
        access.entry(id, entry);
    }
    let text = table(
        &[
            "position",
            "effective",
            "recorded at",
            "user",
            "agency",
            "role",
            "event",
            "HUD",
            "event id",
            "changes",
        ],
        entries.iter().map(|e| {
            vec![
                e.position.to_string(),
                e.effective.to_string(),
                e.recorded_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                e.actor.user.to_string(),
                e.actor.agency.to_string(),
                e.actor.role.to_string(),
                e.event.label().to_owned(),
                e.hud_element.unwrap_or("-").to_owned(),
                e.event_id.to_string(),
                e.changes_line(),
            ]
        }),
    );
    ctx.out.emit(text, &entries);
    Ok(())
}

/// `ce explain HOUSEHOLD [--program P] [--as-of D | --as-known-at T]`.
pub fn explain(
    ctx: &Ctx,
    household: &str,
    program: Option<ProgramType>,
    when: &When,
) -> Result<(), CliError> {
    let id: HouseholdId = parse_id("household", household)?;
    let (caseload, date) = caseload_when(ctx, when)?;
    let policy = ctx.policy();
    let list = program.and_then(|p| {
        caseload.households().get(&id).map(|h| ListKey {
            coalition: h.coalition.clone(),
            program: p,
            household_type: ce_core::ListHouseholdType::of(h, policy),
        })
    });
    let explanation = ce_core::audit::explain(&caseload, policy, id, date, list.as_ref()).ok_or(
        ce_core::Error::from(ce_core::Rejection::UnknownHousehold(id)),
    )?;
    let mut text = format!("household {id} as of {date}\n");
    for l in &explanation.lists {
        text.push_str(&format!("\n{}: rank {} of {}\n", l.list, l.rank, l.of));
        for (key, value) in &l.keys {
            text.push_str(&format!("  {key}: {value}\n"));
        }
        match (&l.above, &l.separated_by) {
            (Some(above), Some((Some(key), theirs, ours))) => text.push_str(&format!(
                "  directly above: {above}, separated first by {key} ({theirs} vs {ours})\n"
            )),
            (Some(above), Some((None, _, _))) => text.push_str(&format!(
                "  directly above: {above}, equal on every key; the household id breaks the tie\n"
            )),
            _ => text.push_str("  top of the list\n"),
        }
    }
    for (program, reason) in &explanation.off_lists {
        text.push_str(&format!("\noff the {program} lists: {reason}\n"));
    }
    ctx.out.emit(text.trim_end(), &explanation);
    Ok(())
}

/// `ce correct HOUSEHOLD EVENT --patch JSON --reason TEXT`.
pub fn correct(
    ctx: &Ctx,
    household: &str,
    event: &str,
    patch: &str,
    reason: &str,
) -> Result<(), CliError> {
    let household: HouseholdId = parse_id("household", household)?;
    let event: EventId = parse_id("event", event)?;
    let patch: serde_json::Value =
        serde_json::from_str(patch).map_err(|source| CliError::Json {
            path: "--patch".into(),
            source,
        })?;
    let meta = CommandMeta {
        command_id: CommandId::random(),
        actor: ctx.actor.clone(),
        recorded_at: Utc::now(),
    };
    let executed = ctx
        .workflow()?
        .correct(&meta, household, event, patch, reason)?;
    let positions: Vec<u64> = executed.events.iter().map(|e| e.position).collect();
    ctx.out.emit(
        format!("corrected event {event}"),
        &json!({ "corrected": event, "positions": positions }),
    );
    Ok(())
}

/// `ce audit views --household H`: every recorded view of the household,
/// oldest first (a CE lead only).
pub fn views(ctx: &Ctx, household: &str) -> Result<(), CliError> {
    ctx.require_lead(ce_core::Operation::ReadViews)?;
    let id: HouseholdId = parse_id("household", household)?;
    let views = ce_core::ViewLog::views_of(ctx.store(), id)?;
    let text = if views.is_empty() {
        format!("no recorded view of household {id}")
    } else {
        table(
            &["at", "user", "agency", "role", "by"],
            views.iter().map(|v| {
                vec![
                    v.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    v.actor.user.to_string(),
                    v.actor.agency.to_string(),
                    v.actor.role.to_string(),
                    v.purpose.clone(),
                ]
            }),
        )
    };
    ctx.out.emit(text, &views);
    Ok(())
}

/// `ce audit export FILE`: the whole view log, one view a line.
pub fn export_views(ctx: &Ctx, file: &std::path::Path) -> Result<(), CliError> {
    ctx.require_lead(ce_core::Operation::ReadViews)?;
    let views = ce_core::ViewLog::all_views(ctx.store())?;
    crate::private_file::write_private(file, |out| {
        use std::io::Write;
        for view in &views {
            let line = serde_json::to_string(view).map_err(|source| CliError::Json {
                path: file.to_owned(),
                source,
            })?;
            writeln!(out, "{line}").map_err(|source| CliError::Io {
                path: file.to_owned(),
                source,
            })?;
        }
        Ok(())
    })?;
    ctx.out.emit(
        format!("wrote {} views to {}", views.len(), file.display()),
        &json!({ "views": views.len(), "file": file }),
    );
    Ok(())
}

/// `ce audit import FILE`: the views of an export, into a store that has
/// none yet (so that importing twice cannot record a view twice).
pub fn import_views(ctx: &Ctx, file: &std::path::Path) -> Result<(), CliError> {
    ctx.require_lead(ce_core::Operation::ReadViews)?;
    let held = ce_core::ViewLog::all_views(ctx.store())?.len();
    if held > 0 {
        return Err(CliError::Input {
            path: file.to_owned(),
            reason: format!(
                "the store already holds {held} views: views are imported only into a store that has none"
            ),
        });
    }
    let text = crate::context::read_text_file(file, crate::keys::MAX_LINES_FILE_BYTES)?;
    let views = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str::<ce_core::View>(line).map_err(|e| CliError::Input {
                path: file.to_owned(),
                reason: format!("line {}: not a view: {e}", i + 1),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    ce_core::ViewLog::record_views(ctx.store(), &views)?;
    ctx.out.emit(
        format!("recorded {} views from {}", views.len(), file.display()),
        &json!({ "views": views.len(), "file": file }),
    );
    Ok(())
}

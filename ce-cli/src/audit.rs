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
    let entries = ctx.workflow()?.history(id)?;
    ctx.record_shown([id], "ce history")?;
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
    if ctx.actor.role != ce_core::Role::Lead {
        return Err(ce_core::Error::from(ce_core::Rejection::Forbidden {
            role: ctx.actor.role,
            action: ce_core::Operation::ReadViews,
        })
        .into());
    }
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

//! enroll, assess, members, exit, followup, event.

use ce_core::hud::{
    CeEventType, CurrentSituation, Destination, MonthsHomeless, NoYesMissing, PriorSituation,
    ReferralResult, RentalSubsidyType,
};
use ce_core::{
    AddMember, Assess, AttemptContact, ChangeHead, ContactMethod, CurrentLivingSituation, Enroll,
    Exit, FollowUp, HouseholdId, HouseholdStatus, Member, Outcome, RecordCeEvent, RemoveMember,
    StatusUpdate,
};
use serde_json::json;

use crate::args::{EventArgs, FollowupArgs, MembersCommand, Method};
use crate::context::{code, date_or_today, parse_id, read_json, read_json_with, today, Ctx};
use crate::error::CliError;

/// `ce enroll --file F`.
pub fn enroll(ctx: &Ctx, file: &std::path::Path) -> Result<(), CliError> {
    let command: Enroll = read_json(file)?;
    let executed = ctx.execute(command)?;
    if let Outcome::Enrolled { household } = executed.outcome {
        ctx.out.emit(household, &json!({ "household": household }));
    }
    Ok(())
}

/// `ce assess HOUSEHOLD --file F`.
pub fn assess(ctx: &Ctx, household: &str, file: &std::path::Path) -> Result<(), CliError> {
    let household: HouseholdId = parse_id("household", household)?;
    let command: Assess = read_json_with(
        file,
        &[("household", json!(household))],
        &[("date", json!(today()))],
    )?;
    recorded(ctx, command)
}

/// `ce members HOUSEHOLD ...`.
pub fn members(ctx: &Ctx, household: &str, change: &MembersCommand) -> Result<(), CliError> {
    let household: HouseholdId = parse_id("household", household)?;
    match change {
        MembersCommand::Add { file, date } => {
            // A file naming another household is refused, not ignored.
            let member: Member = read_json_with(file, &[("household", json!(household))], &[])?;
            recorded(
                ctx,
                AddMember {
                    household,
                    date: date_or_today(*date),
                    member,
                },
            )
        }
        MembersCommand::Remove { client, date } => recorded(
            ctx,
            RemoveMember {
                destination: Default::default(),
                destination_subsidy: None,
                household,
                date: date_or_today(*date),
                client: parse_id("client", client)?,
            },
        ),
        MembersCommand::Head {
            client,
            former_relationship,
            date,
        } => recorded(
            ctx,
            ChangeHead {
                household,
                date: date_or_today(*date),
                head: parse_id("client", client)?,
                former_head_relationship: code("--former-relationship", *former_relationship)?,
            },
        ),
    }
}

/// `ce exit HOUSEHOLD --date D --destination CODE [--subsidy CODE] --reason TEXT`.
pub fn exit(
    ctx: &Ctx,
    household: &str,
    date: Option<chrono::NaiveDate>,
    (destination, subsidy): (u16, Option<u16>),
    reason: &str,
) -> Result<(), CliError> {
    recorded(
        ctx,
        Exit {
            member_destinations: Default::default(),
            household: parse_id("household", household)?,
            date: date_or_today(date),
            destination: code::<Destination>("--destination", destination)?,
            destination_subsidy: subsidy
                .map(|s| code::<RentalSubsidyType>("--subsidy", s))
                .transpose()?,
            reason: reason.to_owned(),
        },
    )
}

/// `ce followup HOUSEHOLD --contact ...` or `--no-contact ...`.
pub fn followup(ctx: &Ctx, args: &FollowupArgs) -> Result<(), CliError> {
    let household = parse_id("household", &args.household)?;
    let date = date_or_today(args.date);
    if args.contact {
        let (Some(residence), Some(months), Some(situation)) =
            (args.residence, args.months_homeless, args.living_situation)
        else {
            return Err(CliError::Usage(
                "--contact needs --residence, --months-homeless and --living-situation",
            ));
        };
        let mut current =
            CurrentLivingSituation::new(code::<CurrentSituation>("--living-situation", situation)?);
        current.subsidy = args
            .subsidy
            .map(|s| code::<RentalSubsidyType>("--subsidy", s))
            .transpose()?;
        // A contact dated before the household's inactivation: a paper
        // form entered late.
        let late_for_inactivation = ctx.household(household)?.is_some_and(
            |h| matches!(h.status, HouseholdStatus::Inactive { since, .. } if date < since),
        );
        recorded(
            ctx,
            FollowUp {
                household,
                date,
                status: StatusUpdate {
                    residence: code::<PriorSituation>("--residence", residence)?,
                    months_homeless: code::<MonthsHomeless>("--months-homeless", months)?,
                },
                current,
                note: args.note.clone(),
            },
        )?;
        if late_for_inactivation {
            note_due_for_inactivity(ctx, household)?;
        }
        Ok(())
    } else {
        let method = match args.method {
            Some(Method::Phone) => ContactMethod::Phone,
            Some(Method::Email) => ContactMethod::Email,
            Some(Method::Text) => ContactMethod::Text,
            Some(Method::InPerson) => ContactMethod::InPerson,
            Some(Method::Other) => ContactMethod::Other,
            None => return Err(CliError::Usage("--no-contact needs --method")),
        };
        recorded(
            ctx,
            AttemptContact {
                household,
                date,
                method,
                left_message: args.left_message,
                note: args.note.clone(),
            },
        )
    }
}

/// A note on stderr when a contact entered late brought an inactive
/// household back (it was dated within the inactivity days before the
/// inactivation) although its latest contact is the policy's inactivity
/// days or more before today: a later sweep found nobody else to record,
/// so the household stays on the lists until the next sweep makes it
/// inactive again.
fn note_due_for_inactivity(ctx: &Ctx, household: HouseholdId) -> Result<(), CliError> {
    let Some(state) = ctx.household(household)? else {
        return Ok(());
    };
    let (today, limit) = (today(), ctx.policy().inactivity_days);
    if state.is_due_for_inactivity(limit, today) {
        let days = state.days_since_contact(today);
        crate::output::to_stderr(&format!(
            "note: household {household} is active again, but its latest contact ({}) is \
             {days} days ago, {limit} or more: the next sweep makes it inactive again",
            state.last_contact
        ));
    }
    Ok(())
}

/// `ce event HOUSEHOLD --code N ...`: a 4.20 event recorded on the household.
pub fn event(ctx: &Ctx, args: &EventArgs) -> Result<(), CliError> {
    recorded(
        ctx,
        RecordCeEvent {
            household: parse_id("household", &args.household)?,
            date: date_or_today(args.date),
            event: code::<CeEventType>("--code", args.code)?,
            problem_solving_result: args
                .diversion_result
                .map(|c| code::<NoYesMissing>("--diversion-result", c))
                .transpose()?,
            case_management_after: args
                .aftercare
                .map(|c| code::<NoYesMissing>("--aftercare", c))
                .transpose()?,
            location: args.location.clone(),
            result: args
                .result
                .map(|c| code::<ReferralResult>("--result", c))
                .transpose()?,
            result_date: args.result_date,
        },
    )
}

/// Runs a command whose only result is "recorded".
pub fn recorded(ctx: &Ctx, command: impl Into<ce_core::Command>) -> Result<(), CliError> {
    let executed = ctx.execute(command)?;
    let positions: Vec<u64> = executed.events.iter().map(|e| e.position).collect();
    ctx.out.emit(
        format!("recorded ({} event(s))", positions.len()),
        &json!({ "outcome": executed.outcome, "positions": positions }),
    );
    Ok(())
}

/// `ce erase --client C --reason R`.
pub fn erase(
    ctx: &Ctx,
    client: &str,
    reason: ce_core::ErasureReason,
    date: Option<chrono::NaiveDate>,
) -> Result<(), CliError> {
    let client: ce_core::ClientId = parse_id("client", client)?;
    let executed = ctx.execute(ce_core::Erase {
        client,
        reason,
        date: date_or_today(date),
    })?;
    let ce_core::Outcome::Erased {
        households,
        already,
        ..
    } = executed.outcome
    else {
        return Err(CliError::Usage("the erasure gave no erasure outcome"));
    };
    // Again, in case an earlier erasure stopped before its keys went.
    ctx.store().shred(&ce_core::ClientErased {
        client,
        reason,
        households: households.clone(),
    })?;
    let text = if already {
        format!("client {client} was erased already; nothing changed")
    } else {
        format!(
            "erased client {client}: their names, birth date and ids, and the notes of household(s) {}, now read [erased]",
            households
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    ctx.out.emit(
        text,
        &serde_json::json!({ "client": client, "households": households, "already": already }),
    );
    Ok(())
}

/// `ce retention [--years N] [--as-of D] [--dry-run]`.
pub fn retention(
    ctx: &Ctx,
    years: Option<u32>,
    as_of: Option<chrono::NaiveDate>,
    dry_run: bool,
) -> Result<(), CliError> {
    ctx.require_lead(ce_core::Operation::Erase)?;
    let Some(years) = years.or(ctx.policy().retention_years) else {
        return Err(CliError::Usage(
            "retention is off: set retention_years in the policy, or give --years",
        ));
    };
    ce_core::Policy::check_retention_years("--years", years)
        .map_err(|_| CliError::Usage("--years must be 1 to 100"))?;
    let as_of = date_or_today(as_of);
    let caseload = ctx.workflow()?.caught_up()?.clone();
    let due = ce_core::report::retention_due(&caseload, as_of, years);
    let rows = || {
        due.iter().map(|d| {
            vec![
                d.client.to_string(),
                d.last_activity.to_string(),
                d.households
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
    };
    if dry_run {
        let text = if due.is_empty() {
            format!("no client without activity in the {years} years before {as_of}")
        } else {
            format!(
                "{} client(s) without activity in the {years} years before {as_of}, to erase:\n{}",
                due.len(),
                crate::output::table(&["client", "last activity", "households"], rows())
            )
        };
        ctx.out
            .emit(text, &serde_json::json!({ "due": due, "erased": 0 }));
        return Ok(());
    }
    // Erased today, whatever day the window was counted back from.
    let today = date_or_today(None);
    for d in &due {
        ctx.execute(ce_core::Erase {
            client: d.client,
            reason: ce_core::ErasureReason::Retention,
            date: today,
        })?;
    }
    // And the keys an earlier erasure, cut off before they went, left.
    let leftover = ctx.store().shred_erased()?;
    let mut text = format!(
        "erased {} client(s) without activity in the {years} years before {as_of}",
        due.len()
    );
    if leftover > 0 {
        text.push_str(&format!(
            "\ndeleted {leftover} key(s) left by an erasure that was cut off"
        ));
    }
    ctx.out.emit(
        text,
        &serde_json::json!({ "due": due, "erased": due.len(), "leftover_keys_deleted": leftover }),
    );
    Ok(())
}

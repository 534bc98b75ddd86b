//! opening post/withdraw, openings, refer, referral, referrals, sweep, expire.

use ce_core::{
    AcceptReferral, AcknowledgeReferral, Coalition, DeclineReferral, ExpireReferrals, HouseholdId,
    OpeningId, Outcome, PostOpening, Refer, Referral, ReferralId, ReferralStatus, Sweep,
    WithdrawOpening,
};
use chrono::NaiveDate;
use serde_json::json;

use crate::args::{OpeningCommand, ReferralAction, ReferralState, ReferralsArgs};
use crate::context::{date_or_today, parse_id, Ctx};
use crate::error::CliError;
use crate::household::recorded;

/// `ce opening post|withdraw`.
pub fn opening(ctx: &Ctx, command: &OpeningCommand) -> Result<(), CliError> {
    match command {
        OpeningCommand::Post {
            program,
            program_type,
            coalition,
            household_types,
            units,
            chronic_only,
            veterans_only,
            date,
        } => {
            let executed = ctx.execute(PostOpening {
                date: date_or_today(*date),
                program: program.clone(),
                program_type: *program_type,
                // Spelled as the policy spells it (case aside); a name it
                // does not have is the workflow's to refuse.
                coalition: ctx
                    .policy()
                    .coalition_named(coalition)
                    .cloned()
                    .unwrap_or_else(|| Coalition::new(coalition.clone())),
                household_types: household_types.clone(),
                chronic_only: *chronic_only,
                veterans_only: *veterans_only,
                units: *units,
            })?;
            if let Outcome::Posted { opening } = executed.outcome {
                ctx.out.emit(opening, &json!({ "opening": opening }));
            }
            Ok(())
        }
        OpeningCommand::Withdraw {
            opening,
            reason,
            date,
        } => recorded(
            ctx,
            WithdrawOpening {
                opening: parse_id("opening", opening)?,
                date: date_or_today(*date),
                reason: reason.clone(),
            },
        ),
    }
}

/// `ce openings`.
pub fn openings(ctx: &Ctx) -> Result<(), CliError> {
    // From the store's rows: the households are not needed.
    let openings = ctx.openings()?;
    let text = crate::output::table(
        &[
            "opening",
            "status",
            "type",
            "coalition",
            "units left",
            "live referral",
            "agency",
            "program",
        ],
        openings.values().map(|o| {
            vec![
                o.id.to_string(),
                o.status.to_string(),
                o.program_type.to_string(),
                o.coalition.to_string(),
                o.remaining().to_string(),
                o.live_referral
                    .map_or_else(|| "-".to_owned(), |r| r.to_string()),
                o.agency.to_string(),
                o.program.clone(),
            ]
        }),
    );
    let openings: Vec<_> = openings.values().collect();
    ctx.out.emit(text.trim_end(), &openings);
    Ok(())
}

/// `ce refer OPENING [--household H --bypass-reason T]`.
pub fn refer(
    ctx: &Ctx,
    opening: &str,
    household: Option<&str>,
    bypass_reason: Option<&str>,
    date: Option<NaiveDate>,
) -> Result<(), CliError> {
    let opening: OpeningId = parse_id("opening", opening)?;
    let household = household.map(|h| parse_id("household", h)).transpose()?;
    let executed = ctx.execute(Refer {
        opening,
        date: date_or_today(date),
        household,
        bypass_reason: bypass_reason.map(str::to_owned),
    })?;
    if let Outcome::Referred {
        referral,
        household,
        rank,
    } = executed.outcome
    {
        let offered = executed.events.iter().find_map(|e| match &e.event {
            ce_core::Event::ReferralOffered(offered) => Some(offered),
            _ => None,
        });
        let place = offered.and_then(|o| o.list_place.map(|p| (p, &o.list)));
        let place_text =
            place.map_or_else(String::new, |(p, list)| format!(", place {p} on {list}"));
        ctx.out.emit(
            format!(
                "referral {referral}\nhousehold {household} (rank {rank} among the households \
                 eligible for the opening{place_text})"
            ),
            &json!({
                "referral": referral,
                "household": household,
                "rank": rank,
                "list_place": place.map(|(p, _)| p),
            }),
        );
    }
    Ok(())
}

/// `ce referral ack|accept|decline REFERRAL`.
pub fn referral(
    ctx: &Ctx,
    action: ReferralAction,
    referral: &str,
    date: Option<NaiveDate>,
    reason: Option<&str>,
    text: Option<&str>,
) -> Result<(), CliError> {
    let referral: ReferralId = parse_id("referral", referral)?;
    let date = date_or_today(date);
    if action != ReferralAction::Decline && (reason.is_some() || text.is_some()) {
        // What the user typed would be dropped without a word.
        return Err(CliError::Usage(
            "--reason and --text go with `referral decline` only",
        ));
    }
    match action {
        ReferralAction::Ack => recorded(ctx, AcknowledgeReferral { referral, date }),
        ReferralAction::Accept => recorded(ctx, AcceptReferral { referral, date }),
        ReferralAction::Decline => {
            let reason = reason.ok_or(CliError::Usage(
                "decline needs --reason CODE (see `ce policy show` for the codes)",
            ))?;
            recorded(
                ctx,
                DeclineReferral {
                    referral,
                    date,
                    reason: reason.into(),
                    text: text.map(str::to_owned),
                },
            )
        }
    }
}

/// `ce referrals [--open | --overdue | --status S] [--household H]
/// [--opening O] [--as-of D]`: oldest first, newest last.
pub fn referrals(ctx: &Ctx, args: &ReferralsArgs) -> Result<(), CliError> {
    let household: Option<HouseholdId> = args
        .household
        .as_deref()
        .map(|h| parse_id("household", h))
        .transpose()?;
    let opening: Option<OpeningId> = args
        .opening
        .as_deref()
        .map(|o| parse_id("opening", o))
        .transpose()?;
    let as_of = date_or_today(args.as_of);
    let policy = ctx.policy();
    // From the store's rows: the households are not needed.
    let referrals = ctx.referrals()?;
    let mut rows: Vec<&Referral> = referrals
        .values()
        .filter(|r| !args.open || r.status.is_live())
        .filter(|r| !args.overdue || r.is_overdue(policy, as_of))
        .filter(|r| args.status.is_none_or(|s| in_state(&r.status, s)))
        .filter(|r| household.is_none_or(|h| r.household == h))
        .filter(|r| opening.is_none_or(|o| r.opening == o))
        .collect();
    rows.sort_by(|a, b| a.offered_on.cmp(&b.offered_on).then(a.id.cmp(&b.id)));
    // A household enrolled without personal data is reached through the
    // agency that referred it: the referral goes to that agency.
    let mut contacts = std::collections::BTreeMap::new();
    for r in &rows {
        if let std::collections::btree_map::Entry::Vacant(slot) = contacts.entry(r.household) {
            slot.insert(ctx.household(r.household)?.and_then(|h| h.referred_by));
        }
    }
    let contact_of = |r: &Referral| contacts.get(&r.household).cloned().flatten();
    let text = if rows.is_empty() {
        "no referral matches".to_owned()
    } else {
        crate::output::table(
            &[
                "referral",
                "date",
                "event",
                "rank",
                "place on list",
                "household",
                "opening",
                "status",
                "days open",
                "reach through",
            ],
            rows.iter().map(|r| {
                let days_open = if let Some(days) = r.days_open(as_of) {
                    match r.days_overdue(policy, as_of) {
                        Some(0) => format!("{days} (overdue: due today, {})", r.due_on(policy)),
                        Some(late) => format!(
                            "{days} (overdue: due {}, {late} day(s) ago)",
                            r.due_on(policy)
                        ),
                        None => days.to_string(),
                    }
                } else {
                    "-".to_owned()
                };
                vec![
                    r.id.to_string(),
                    r.offered_on.to_string(),
                    r.event.to_string(),
                    r.rank.to_string(),
                    r.list_place
                        .map_or_else(|| "-".to_owned(), |p| p.to_string()),
                    r.household.to_string(),
                    r.opening.to_string(),
                    r.status.to_string(),
                    days_open,
                    contact_of(r).map_or_else(
                        || "-".to_owned(),
                        |c| format!("{} (ref {}): {}", c.agency, c.reference, c.contact),
                    ),
                ]
            }),
        )
    };
    // Each referral as stored, with its due day and, while live, the days
    // it has been open and past due.
    let json: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut row = json!(r);
            if let Some(row) = row.as_object_mut() {
                row.insert("due_on".to_owned(), json!(r.due_on(policy)));
                row.insert("days_open".to_owned(), json!(r.days_open(as_of)));
                row.insert("overdue".to_owned(), json!(r.is_overdue(policy, as_of)));
                row.insert(
                    "days_overdue".to_owned(),
                    json!(r.days_overdue(policy, as_of)),
                );
                if let Some(contact) = contact_of(r) {
                    row.insert("reach_through".to_owned(), json!(contact));
                }
            }
            row
        })
        .collect();
    ctx.out.emit(text.trim_end(), &json);
    Ok(())
}

fn in_state(status: &ReferralStatus, state: ReferralState) -> bool {
    match state {
        ReferralState::Offered => *status == ReferralStatus::Offered,
        ReferralState::Acknowledged => *status == ReferralStatus::Acknowledged,
        ReferralState::Live => status.is_live(),
        ReferralState::Accepted => matches!(status, ReferralStatus::Accepted { .. }),
        ReferralState::Declined => matches!(status, ReferralStatus::Declined { .. }),
        ReferralState::Cancelled => matches!(status, ReferralStatus::Cancelled { .. }),
        ReferralState::Expired => matches!(status, ReferralStatus::Expired { .. }),
    }
}

/// `ce sweep --as-of D`.
pub fn sweep(ctx: &Ctx, as_of: NaiveDate) -> Result<(), CliError> {
    let executed = ctx.execute(Sweep { as_of })?;
    let inactivated = match executed.outcome {
        Outcome::Swept { inactivated } => inactivated,
        _ => Vec::new(),
    };
    ctx.out.emit(
        format!(
            "{} household(s) marked inactive as of {as_of}",
            inactivated.len()
        ),
        &json!({ "inactivated": inactivated }),
    );
    Ok(())
}

/// `ce expire --as-of D`.
pub fn expire(ctx: &Ctx, as_of: NaiveDate) -> Result<(), CliError> {
    let executed = ctx.execute(ExpireReferrals { as_of })?;
    let referrals = match executed.outcome {
        Outcome::Expired { referrals } => referrals,
        _ => Vec::new(),
    };
    ctx.out.emit(
        format!("{} referral(s) expired as of {as_of}", referrals.len()),
        &json!({ "expired": referrals }),
    );
    Ok(())
}

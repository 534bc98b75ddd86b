//! opening post/withdraw, openings, refer, referral, referrals, sweep, expire.

use ce_core::{
    AcceptReferral, AcknowledgeReferral, Coalition, DeclineReferral, ExpireReferrals, OpeningId,
    Outcome, PostOpening, Refer, ReferralId, ReferralStatus, Sweep, WithdrawOpening,
};
use chrono::NaiveDate;
use serde_json::json;

use crate::args::{OpeningCommand, ReferralAction};
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
                coalition: Coalition::new(coalition.clone()),
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
    let openings = ctx.store().openings()?;
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
                format!("{:?}", o.status).to_lowercase(),
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
        ctx.out.emit(
            format!("referral {referral}\nhousehold {household} (rank {rank})"),
            &json!({ "referral": referral, "household": household, "rank": rank }),
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
                    reason: reason.to_owned(),
                    text: text.map(str::to_owned),
                },
            )
        }
    }
}

/// `ce referrals [--open]`.
pub fn referrals(ctx: &Ctx, open: bool) -> Result<(), CliError> {
    // From the store's rows: the households are not needed.
    let referrals = ctx.store().referrals()?;
    let rows: Vec<_> = referrals
        .values()
        .filter(|r| !open || r.status.is_live())
        .collect();
    let text = crate::output::table(
        &[
            "referral",
            "date",
            "event",
            "rank",
            "household",
            "opening",
            "status",
        ],
        rows.iter().map(|r| {
            let status = match (&r.status, r.status.result()) {
                (_, Some((result, date))) => format!("{result} on {date}"),
                (ReferralStatus::Cancelled { date, cause }, None) => {
                    format!("cancelled on {date} ({cause:?})")
                }
                (ReferralStatus::Expired { date }, None) => format!("expired on {date}"),
                (ReferralStatus::Acknowledged, None) => "acknowledged".to_owned(),
                _ => "offered".to_owned(),
            };
            vec![
                r.id.to_string(),
                r.offered_on.to_string(),
                r.event.to_string(),
                r.rank.to_string(),
                r.household.to_string(),
                r.opening.to_string(),
                status,
            ]
        }),
    );
    ctx.out.emit(text.trim_end(), &rows);
    Ok(())
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

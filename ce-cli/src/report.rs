//! `ce report ce-apr` and `ce report timeliness`.

use ce_core::EventStore;
use ce_hud_csv::{CeApr, Timeliness, ACTIVITY_COLUMNS, HOUSEHOLD_TYPE_COLUMNS};
use chrono::NaiveDate;

use crate::args::ReportCommand;
use crate::context::{date_or_today, Ctx};
use crate::error::CliError;
use crate::output::table;

/// Runs one report: the CE APR and timeliness over the whole log, the
/// housed-not-exited list from the projections.
pub fn report(ctx: &Ctx, command: &ReportCommand) -> Result<(), CliError> {
    match command {
        ReportCommand::CeApr { from, to } => {
            let log = period_log(ctx, *from, *to)?;
            let apr = CeApr::build(&log, *from, *to);
            ctx.out.emit(apr_text(&apr, *from, *to), &apr);
        }
        ReportCommand::Timeliness { from, to } => {
            let log = period_log(ctx, *from, *to)?;
            let t = Timeliness::build(&log, *from, *to);
            let rows = [
                &t.assessment_to_first_referral,
                &t.referral_to_result,
                &t.days_on_list_housed,
            ]
            .into_iter()
            .map(|s| {
                vec![
                    s.label.to_owned(),
                    s.count.to_string(),
                    s.median
                        .map_or_else(|| "-".to_owned(), |m| format!("{m:.1}")),
                    s.p90.map_or_else(|| "-".to_owned(), |p| p.to_string()),
                ]
            });
            let text = format!(
                "Timeliness {from} to {to}\n{}",
                table(&["measure", "n", "median days", "90th percentile"], rows)
            );
            ctx.out.emit(text, &t);
        }
        ReportCommand::HousedNotExited {
            days,
            as_of,
            no_names,
        } => housed_not_exited(ctx, *days, date_or_today(*as_of), *no_names)?,
        ReportCommand::Consent { expiring, as_of } => {
            crate::privacy::consent_report(ctx, *expiring, date_or_today(*as_of))?
        }
    }
    Ok(())
}

/// The whole log, for a report of `from` to `to` (checked first).
fn period_log(
    ctx: &Ctx,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ce_core::Envelope>, CliError> {
    if from > to {
        return Err(CliError::Usage("--from must not be after --to"));
    }
    Ok(ctx.store().read_from(0, usize::MAX)?)
}

/// `ce report housed-not-exited`: from the store's projections, without
/// the log.
fn housed_not_exited(
    ctx: &Ctx,
    days: u32,
    as_of: NaiveDate,
    no_names: bool,
) -> Result<(), CliError> {
    let caseload = ctx.caseload()?;
    let mut rows = ce_core::report::housed_not_exited(
        caseload.households().values(),
        |id| caseload.referrals.get(&id).cloned(),
        as_of,
        days,
    );
    let access = crate::privacy::NameAccess::today(ctx, rows.iter().map(|r| r.household))?;
    for row in &mut rows {
        if no_names {
            row.head_name = None;
        } else if row.head_name.is_some() && !access.shows_row(row.household, row.head) {
            row.head_name = Some(ce_core::WITHHELD.to_owned());
            continue;
        }
        if let Some(head) = row.head {
            row.head_source_id =
                crate::lists::source_client_ids(ctx.store(), row.household)?.remove(&head);
        }
    }
    // Before anything is printed: the households whose head's name shows.
    if !no_names {
        ctx.record_shown(
            rows.iter()
                .filter(|r| ce_core::report::shows_name(r.head_name.as_deref()))
                .map(|r| r.household),
            "ce report housed-not-exited",
        )?;
    }
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    let text = if rows.is_empty() {
        format!("no household housed {days} or more days before {as_of} is waiting for its exit")
    } else {
        format!(
            "Housed {days}+ days before {as_of}, not exited ({} households)\n{}",
            rows.len(),
            table(
                &[
                    "household",
                    "head of household",
                    "client id",
                    "coalition",
                    "housed on",
                    "days",
                    "referral",
                    "program",
                ],
                rows.iter().map(|r| {
                    vec![
                        r.household.to_string(),
                        opt(r.head_name.clone()),
                        opt(r
                            .head_source_id
                            .clone()
                            .or_else(|| r.head.map(|c| c.to_string()))),
                        r.coalition.to_string(),
                        r.housed_on.to_string(),
                        r.days.to_string(),
                        r.referral.map_or_else(
                            || "another system's referral (4.20 result 1)".to_owned(),
                            |r| r.to_string(),
                        ),
                        opt(r.program.clone()),
                    ]
                }),
            )
        )
    };
    ctx.out.emit(text, &rows);
    Ok(())
}

fn apr_text(apr: &CeApr, from: NaiveDate, to: NaiveDate) -> String {
    let mut header = vec![""];
    header.extend(HOUSEHOLD_TYPE_COLUMNS);
    let mut out = vec![format!("CE APR {from} to {to}")];
    for t in &apr.tables {
        let counts = t.rows.iter().map(|r| {
            std::iter::once(r.label.clone())
                .chain(r.values().iter().map(ToString::to_string))
                .collect::<Vec<_>>()
        });
        let percents = t.percentages.iter().map(|p| {
            std::iter::once(p.label.clone())
                .chain(
                    p.values
                        .iter()
                        .map(|v| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}%"))),
                )
                .collect::<Vec<_>>()
        });
        out.push(format!(
            "\n{} {}\n{}",
            t.question,
            t.title,
            table(&header, counts.chain(percents))
        ));
    }
    let mut header = vec![""];
    header.extend(ACTIVITY_COLUMNS);
    let cell = |v: Option<u32>| v.map_or_else(String::new, |v| v.to_string());
    let rows = apr.q10.rows.iter().map(|r| {
        vec![
            r.label.clone(),
            r.total.to_string(),
            cell(r.successful),
            cell(r.client_rejected),
            cell(r.provider_rejected),
            cell(r.rehoused),
            cell(r.aftercare),
        ]
    });
    out.push(format!(
        "\n{} {}\n{}",
        apr.q10.question,
        apr.q10.title,
        table(&header, rows)
    ));
    out.join("\n")
}

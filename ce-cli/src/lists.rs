//! list and show.

use std::collections::BTreeMap;

use crate::store::CliStore;
use ce_core::audit::RecordedCeEvent;
use ce_core::priority::list_status;
use ce_core::report::PriorityListReport;
use ce_core::{ClientId, Coalition, EventStore, HouseholdId, ListHouseholdType, ListKey, StreamId};
use ce_store_sled::SledStore;
use serde_json::json;

use crate::args::{ListArgs, When};
use crate::context::{caseload_when, coalition_arg, parse_id, today, Ctx};
use crate::error::CliError;
use crate::privacy::NameAccess;

/// `ce list`: one Priority List Report per matching list.
pub fn list(ctx: &Ctx, args: &ListArgs) -> Result<(), CliError> {
    // A coalition the policy does not have is a typo, not an empty list,
    // unless households are still listed under it (a coalition a later
    // policy dropped).
    let coalition = match args.coalition.as_deref() {
        None => None,
        Some(name) => Some(match coalition_arg(ctx.policy(), name) {
            Ok(coalition) => coalition,
            Err(unknown) => ctx
                .list_keys()?
                .into_iter()
                .map(|key| key.coalition)
                .find(|c| c.0.eq_ignore_ascii_case(name.trim()))
                .ok_or(unknown)?,
        }),
    };
    let filter = Filter {
        coalition: coalition.as_ref(),
        args,
    };
    // Today's lists from the sled store's list rows; the PostgreSQL store
    // keeps none, and its caught-up fold serves as every other date's.
    if let (true, CliStore::Sled(store)) = (args.when.is_now(), ctx.raw_store()) {
        return list_today(ctx, store, &filter);
    }
    let (caseload, as_of) = caseload_when(ctx, &args.when)?;
    let mut reports: Vec<PriorityListReport> = caseload
        .lists(ctx.policy(), as_of)
        .into_values()
        .filter(|l| filter.matches(&l.key))
        .map(|mut l| {
            if let Some(limit) = args.limit {
                l.entries.truncate(limit);
            }
            PriorityListReport::new(&caseload, &l, as_of)
        })
        .collect();
    finish_reports(ctx, &mut reports, args.no_names)?;
    emit_reports(ctx, &reports, args.no_names)
}

/// Which lists `ce list` was asked for.
struct Filter<'a> {
    coalition: Option<&'a Coalition>,
    args: &'a ListArgs,
}

impl Filter<'_> {
    /// Whether a list is one `ce list` was asked for.
    fn matches(&self, key: &ListKey) -> bool {
        self.coalition.is_none_or(|c| &key.coalition == c)
            && self.args.program.is_none_or(|p| key.program == p)
            && self
                .args
                .household_type
                .is_none_or(|t| key.household_type == t)
    }
}

/// Fills each row's source HMIS PersonalID (households imported from HUD
/// CSV), or blanks the names for `--no-names`; withholds the names the
/// user may not see today.
fn finish_reports(
    ctx: &Ctx,
    reports: &mut Vec<PriorityListReport>,
    no_names: bool,
) -> Result<(), CliError> {
    let store = ctx.store();
    for report in reports.iter_mut() {
        let mut failed = None;
        let mut sources: BTreeMap<HouseholdId, BTreeMap<ClientId, String>> = BTreeMap::new();
        report.set_source_ids(|household, client| {
            if let std::collections::btree_map::Entry::Vacant(slot) = sources.entry(household) {
                match source_client_ids(store, household) {
                    Ok(ids) => {
                        slot.insert(ids);
                    }
                    Err(e) => failed = Some(e),
                }
            }
            sources.get(&household)?.get(&client).cloned()
        });
        if let Some(e) = failed {
            return Err(e);
        }
    }
    if no_names {
        let taken = std::mem::take(reports);
        reports.extend(taken.into_iter().map(PriorityListReport::without_names));
        return Ok(());
    }
    let shown: std::collections::BTreeSet<HouseholdId> = reports
        .iter()
        .flat_map(|r| r.rows.iter().map(|row| row.household))
        .collect();
    let access = NameAccess::today(ctx, shown)?;
    for row in reports.iter_mut().flat_map(|r| r.rows.iter_mut()) {
        if !access.shows_row(row.household, row.head) {
            row.withhold_names();
        }
    }
    Ok(())
}

/// The PersonalIDs the household's members have in the HMIS it was
/// imported from (its Client.csv links, the latest import's as the HUD
/// CSV export takes them), by client.
pub fn source_client_ids(
    store: &impl EventStore,
    household: HouseholdId,
) -> Result<BTreeMap<ClientId, String>, CliError> {
    let stream = store.read_stream(&StreamId::Household(household))?;
    let mut ids = BTreeMap::new();
    for envelope in &stream {
        if let ce_core::Event::HmisRecordsLinked(linked) = &envelope.event {
            ids.extend(
                linked
                    .client_ids()
                    .map(|(client, id)| (client, id.to_owned())),
            );
        }
    }
    Ok(ids)
}

/// `ce list` as of today (no `--as-of`, no `--as-known-at`): the same
/// reports, read from the store's list rows, which are kept in rank order,
/// and the households on them, without loading the whole caseload (at
/// 100,000 households that load takes about 1.4 s and 400 MiB; see
/// docs/benchmarks.md, rows 4 and 6b).
fn list_today(ctx: &Ctx, store: &SledStore, filter: &Filter<'_>) -> Result<(), CliError> {
    let args = filter.args;
    let as_of = today();
    let mut keys = store.list_keys()?;
    keys.retain(|key| filter.matches(key));
    keys.sort();
    let mut reports = Vec::with_capacity(keys.len());
    for key in keys {
        let report = ctx.store().open_report(store.list_report(
            &key,
            as_of,
            args.limit.unwrap_or(usize::MAX),
        )?)?;
        // A list whose households are all parked today is not shown, as
        // the caseload's lists leave it out.
        if report.rows.is_empty() {
            continue;
        }
        reports.push(report);
    }
    finish_reports(ctx, &mut reports, args.no_names)?;
    emit_reports(ctx, &reports, args.no_names)
}

/// Prints the reports, once the households they name are recorded as
/// shown (not when `no_names` left the names out).
fn emit_reports(ctx: &Ctx, reports: &[PriorityListReport], no_names: bool) -> Result<(), CliError> {
    if !no_names {
        // Households whose head's name the list shows.
        let shown = reports.iter().flat_map(|r| {
            r.rows
                .iter()
                .filter(|row| ce_core::report::shows_name(row.head_name.as_deref()))
                .map(|row| row.household)
        });
        ctx.record_shown(shown, "ce list")?;
    }
    let out = &ctx.out;
    let text = if reports.is_empty() {
        "no household is on a matching list".to_owned()
    } else {
        reports
            .iter()
            .map(crate::output::report_table)
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    out.emit(text.trim_end(), &reports);
    Ok(())
}

/// `ce show HOUSEHOLD`.
pub fn show(ctx: &Ctx, household: &str, when: &When) -> Result<(), CliError> {
    if let (true, CliStore::Sled(store)) = (when.is_now(), ctx.raw_store()) {
        return show_today(ctx, store, household);
    }
    let id: HouseholdId = parse_id("household", household)?;
    let (caseload, as_of) = caseload_when(ctx, when)?;
    let policy = ctx.policy();
    let household = caseload.households().get(&id).ok_or(ce_core::Error::from(
        ce_core::Rejection::UnknownHousehold(id),
    ))?;
    let events = ce_events(ctx.store(), id, as_of)?;
    print_household(ctx, policy, household, as_of, &events, |key| {
        Ok(caseload.list(policy, key, as_of))
    })
}

/// The household's 4.20 events dated on or before `as_of`, from its stream.
fn ce_events(
    store: &impl EventStore,
    household: HouseholdId,
    as_of: chrono::NaiveDate,
) -> Result<Vec<RecordedCeEvent>, CliError> {
    let stream = store.read_stream(&StreamId::Household(household))?;
    let mut events = ce_core::audit::ce_events(&stream);
    events.retain(|e| e.date <= as_of);
    Ok(events)
}

/// `ce show HOUSEHOLD` as of today: the household's projection row and
/// the store's list rows, without loading the whole caseload (see
/// [`list_today`]).
fn show_today(ctx: &Ctx, store: &SledStore, household: &str) -> Result<(), CliError> {
    let id: HouseholdId = parse_id("household", household)?;
    let household = store
        .household(id)?
        .map(|h| ctx.store().open_household(h))
        .transpose()?
        .ok_or(ce_core::Error::from(ce_core::Rejection::UnknownHousehold(
            id,
        )))?;
    let as_of = today();
    let events = ce_events(ctx.store(), id, as_of)?;
    print_household(ctx, store.policy(), &household, as_of, &events, |key| {
        Ok(store.list(key, as_of)?)
    })
}

/// Prints a household and its rank on each list (`list` reads a list as of
/// `as_of`) or why it is off it.
fn print_household(
    ctx: &Ctx,
    policy: &ce_core::Policy,
    household: &ce_core::Household,
    as_of: chrono::NaiveDate,
    ce_events: &[RecordedCeEvent],
    list: impl Fn(&ListKey) -> Result<ce_core::PriorityList, CliError>,
) -> Result<(), CliError> {
    let id = household.id;
    ctx.record_shown([id], "ce show")?;
    let household = &crate::privacy::NameAccess::today(ctx, [id])?.household(household);
    let out = &ctx.out;
    let list_type = ListHouseholdType::of(household, policy);
    let mut lists = Vec::new();
    let status = household.status;
    let days_since_contact = household.days_since_contact(as_of);
    let mut text = format!(
        "household {id}\ncoalition {}\nproject start {}\nstatus {status}\nmembers {}\n\
         household type {} (list: {list_type})\nchronic {}\nscore {}\n\
         residence {}\nmonths homeless {}\ncurrent living situation {} (on {})\n\
         last contact {} ({} days ago)\n",
        household.coalition,
        household.project_start,
        household.members.len(),
        household.household_type().as_str(),
        household.is_chronic(),
        household
            .score()
            .map_or_else(|| "-".to_owned(), |s| s.to_string()),
        household.residence,
        household.months_homeless,
        household.current.1.living_situation,
        household.current.0,
        household.last_contact,
        days_since_contact,
    );
    if let Some(owner) = household.owner() {
        text.push_str(&format!("owning agency {owner}\n"));
    }
    if let Some(via) = &household.referred_by {
        text.push_str(&format!(
            "without personal data: reach it through {} (ref {}): {}\n",
            via.agency, via.reference, via.contact
        ));
    }
    if household.restricted {
        text.push_str("restricted: names only for the CE lead and the owning agency\n");
    }
    for consent in &household.consents {
        let until = consent
            .expires
            .map(|d| format!(" through {d}"))
            .unwrap_or_default();
        text.push_str(&format!(
            "release of information of client {}: {} on {} for {}{until}\n",
            consent.client, consent.decision, consent.date, consent.scope
        ));
    }
    if household.is_due_for_inactivity(policy.inactivity_days, as_of) {
        text.push_str(&format!(
            "no contact for {} days or more: the next sweep makes it inactive\n",
            policy.inactivity_days
        ));
    }
    for rule in &policy.programs {
        let status = list_status(household, policy, rule.program, as_of);
        let line = match &status {
            Ok(()) => {
                let key = ce_core::ListKey {
                    coalition: household.coalition.clone(),
                    program: rule.program,
                    household_type: list_type,
                };
                let rank = list(&key)?
                    .entries
                    .iter()
                    .find(|e| e.inputs.household == id)
                    .map_or(0, |e| e.rank);
                lists.push(json!({ "list": key, "rank": rank }));
                format!("on {key}: rank {rank}")
            }
            Err(reason) => {
                lists.push(json!({ "program": rule.program, "off_list": reason }));
                format!("off the {} lists: {reason}", rule.program)
            }
        };
        text.push_str(&line);
        text.push('\n');
    }
    for live in &household.live_referrals {
        let due = policy.referral_due_on(live.offered_on);
        let overdue = if as_of >= due {
            format!(", overdue since {due}")
        } else {
            format!(", due {due}")
        };
        text.push_str(&format!(
            "live {} referral {} to opening {} since {}{overdue}\n",
            live.program_type, live.referral, live.opening, live.offered_on
        ));
    }
    for e in ce_events {
        let x = &e.event;
        text.push_str(&format!(
            "4.20 event {} on {}: {}",
            x.event.code(),
            e.date,
            x.event.label()
        ));
        if let Some(result) = x.result {
            let on = x
                .result_date
                .map_or_else(|| "no date".to_owned(), |d| d.to_string());
            text.push_str(&format!(" (result {}, {on})", result.code()));
        }
        text.push('\n');
    }
    out.emit(
        text.trim_end(),
        &json!({
            "ce_events": ce_events,
            "household": household,
            "chronic": household.is_chronic(),
            "household_type": household.household_type(),
            "list_household_type": list_type,
            "lists": lists,
            "days_since_contact": days_since_contact,
        }),
    );
    Ok(())
}

//! consent, restrict, identify, and `report consent`.

use std::path::Path;

use ce_core::{
    ConsentDecision, ConsentScope, HouseholdId, Identify, Member, RecordConsent, Restrict,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::context::{date_or_today, parse_id, read_json, Ctx};
use crate::error::CliError;
use crate::household::recorded;
use crate::output::table;

/// `ce consent HOUSEHOLD --client C --decision D [--scope S] [--expires D]`.
pub fn consent(
    ctx: &Ctx,
    household: &str,
    client: &str,
    decision: ConsentDecision,
    scope: ConsentScope,
    expires: Option<NaiveDate>,
    date: Option<NaiveDate>,
) -> Result<(), CliError> {
    recorded(
        ctx,
        RecordConsent {
            household: parse_id("household", household)?,
            client: parse_id("client", client)?,
            date: date_or_today(date),
            decision,
            scope,
            expires,
        },
    )
}

/// `ce restrict HOUSEHOLD [--lift]`.
pub fn restrict(
    ctx: &Ctx,
    household: &str,
    restricted: bool,
    date: Option<NaiveDate>,
) -> Result<(), CliError> {
    let household: HouseholdId = parse_id("household", household)?;
    let executed = ctx.execute(Restrict {
        household,
        date: date_or_today(date),
        restricted,
    })?;
    let state = if restricted {
        "restricted"
    } else {
        "not restricted"
    };
    let text = if executed.events.is_empty() {
        format!("household {household} was {state} already; nothing changed")
    } else {
        format!("household {household} is {state} from now on")
    };
    ctx.out.emit(
        text,
        &json!({ "household": household, "restricted": restricted, "changed": !executed.events.is_empty() }),
    );
    Ok(())
}

/// The file `ce identify` reads.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Members {
    members: Vec<Member>,
}

/// `ce identify HOUSEHOLD --file F`.
pub fn identify(
    ctx: &Ctx,
    household: &str,
    file: &Path,
    date: Option<NaiveDate>,
) -> Result<(), CliError> {
    let household: HouseholdId = parse_id("household", household)?;
    let Members { members } = read_json(file)?;
    recorded(
        ctx,
        Identify {
            household,
            date: date_or_today(date),
            members,
        },
    )
}

/// `ce report consent --expiring N`: ids and dates only, no names.
pub fn consent_report(ctx: &Ctx, days: u32, as_of: NaiveDate) -> Result<(), CliError> {
    let caseload = ctx.caseload()?;
    let rows = ce_core::report::consent_expiring(&caseload, as_of, days);
    let text = if rows.is_empty() {
        format!("no release of information in force on {as_of} ends within {days} days")
    } else {
        format!(
            "Releases of information ending within {days} days of {as_of} ({})\n{}",
            rows.len(),
            table(
                &["household", "client", "scope", "last day", "days left"],
                rows.iter().map(|r| {
                    vec![
                        r.household.to_string(),
                        r.client.to_string(),
                        r.scope.to_string(),
                        r.expires.to_string(),
                        r.days_left.to_string(),
                    ]
                }),
            )
        )
    };
    ctx.out.emit(text, &rows);
    Ok(())
}

/// Whose names the acting user may see today (see
/// [`ce_core::audit::Names`]): every name for a CE lead, without reading
/// the caseload; for anyone else, by today's caseload.
pub struct NameAccess(Option<ce_core::audit::Names<ce_core::Caseload>>);

impl NameAccess {
    /// The acting user's access today to `households`. Whatever date a
    /// command shows the caseload as of, names are shown under the
    /// releases in force today: a release revoked since does not show them
    /// for an earlier date. Reads only those households (and the
    /// referrals and openings), not the whole caseload.
    pub fn today(
        ctx: &Ctx,
        households: impl IntoIterator<Item = HouseholdId>,
    ) -> Result<Self, CliError> {
        if ctx.actor.role == ce_core::Role::Lead {
            return Ok(Self(None));
        }
        let mut slim = ce_core::Caseload::default();
        for id in households {
            if let Some(household) = ctx.household(id)? {
                slim.insert_household(household);
            }
        }
        slim.referrals = ctx.referrals()?;
        slim.openings = ctx.openings()?;
        Ok(Self(Some(ce_core::audit::Names::new(
            slim,
            Some(ctx.actor.clone()),
            crate::context::today(),
        ))))
    }

    /// Whether the user sees the names of a list row's head.
    pub fn shows_row(&self, household: HouseholdId, head: Option<ce_core::ClientId>) -> bool {
        self.0
            .as_ref()
            .is_none_or(|names| names.shows_row(household, head))
    }

    /// The household, as of any date, as the user may see it today.
    pub fn household(&self, household: &ce_core::Household) -> ce_core::Household {
        match &self.0 {
            None => household.clone(),
            Some(names) => names.household(household),
        }
    }

    /// A history entry of `household` as the user may read it.
    pub fn entry(&self, household: HouseholdId, entry: &mut ce_core::audit::HistoryEntry) {
        if let Some(names) = &self.0 {
            names.entry(household, entry);
        }
    }
}

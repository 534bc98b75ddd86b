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

/// Whose names the acting user may see today: every name for a CE lead;
/// otherwise those of households their agency owns, and of members whose
/// release of information covers them, unless the household is
/// restricted.
pub struct NameAccess {
    actor: ce_core::Actor,
    on: NaiveDate,
    /// The caseload, read only for a user who is not a CE lead.
    caseload: Option<ce_core::Caseload>,
}

impl NameAccess {
    /// The acting user's access today. Whatever date a command shows the
    /// caseload as of, names are shown under the releases in force today:
    /// a release revoked since does not show them for an earlier date.
    pub fn today(ctx: &Ctx) -> Result<Self, CliError> {
        let on = crate::context::today();
        let caseload = if ctx.actor.role == ce_core::Role::Lead {
            None
        } else {
            Some(ctx.caseload()?)
        };
        Ok(Self {
            actor: ctx.actor.clone(),
            on,
            caseload,
        })
    }

    /// Whether the user sees the names of `client` in `household`.
    pub fn shows(&self, household: HouseholdId, client: ce_core::ClientId) -> bool {
        let Some(caseload) = &self.caseload else {
            return true;
        };
        caseload.households().get(&household).is_some_and(|h| {
            let referred = caseload.referred_to(household, &self.actor.agency);
            h.shows_names_of(client, &self.actor, self.on, referred)
        })
    }

    /// Whether the user sees the names of a list row's head (a row without
    /// a head shows none).
    pub fn shows_row(&self, household: HouseholdId, head: Option<ce_core::ClientId>) -> bool {
        self.caseload.is_none() || head.is_some_and(|head| self.shows(household, head))
    }

    /// The household, as of any date, as the user may see it today: each
    /// member's names by today's releases and restriction, and its
    /// locations unless it is restricted now.
    pub fn household(&self, household: &ce_core::Household) -> ce_core::Household {
        let Some(caseload) = &self.caseload else {
            return household.clone();
        };
        let mut seen = household.clone();
        for member in &mut seen.members {
            if !self.shows(household.id, member.client) {
                member.age_band = member.band_at(household.project_start);
                member.withhold();
            }
        }
        if !self.shows_locations(caseload, household.id) {
            let withheld = || ce_core::WITHHELD.to_owned();
            if seen.current.1.location_details.is_some() {
                seen.current.1.location_details = Some(withheld());
            }
            if let Some((_, assessment)) = &mut seen.assessment {
                assessment.location = withheld();
            }
        }
        seen
    }

    fn shows_locations(&self, caseload: &ce_core::Caseload, household: HouseholdId) -> bool {
        caseload
            .households()
            .get(&household)
            .is_some_and(|h| h.shows_locations_to(&self.actor))
    }

    /// A history entry of `household` as the user may read it.
    pub fn entry(&self, household: HouseholdId, entry: &mut ce_core::audit::HistoryEntry) {
        let Some(caseload) = &self.caseload else {
            return;
        };
        let all_names = caseload.households().get(&household).is_some_and(|h| {
            h.members
                .iter()
                .map(|m| m.client)
                .chain(h.former_members.iter().copied())
                .all(|c| self.shows(household, c))
        });
        entry.withhold(
            &|client| self.shows(household, client),
            all_names,
            self.shows_locations(caseload, household),
        );
    }
}

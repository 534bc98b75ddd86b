//! Privacy rules: releases of information, restricted households, and
//! households enrolled without personal data until they are identified.

use crate::command::{Identify, RecordConsent, Restrict};
use crate::decide::household::{
    any_household, check_member, household_event, household_on, not_before_start, ACCESS,
};
use crate::decide::{check_line, Context, Decision};
use crate::error::{DateRule, Field, Operation, Rejection};
use crate::event::{ConsentRecorded, Event, HouseholdIdentified, HouseholdRestricted};
use crate::household::Household;
use crate::outcome::Outcome;
use crate::record::{
    ConsentDecision, CurrentLivingSituation, Member, ReferralContact, MAX_CONTACT_CHARS,
};
use crate::vocab::{HouseholdId, Role};
use chrono::NaiveDate;

/// A referring agency, its reference number and its contact, each given and
/// of a plausible length.
pub(super) fn check_contact(contact: &ReferralContact) -> Result<(), Rejection> {
    for (field, text) in [
        (Field::ReferringAgency, &contact.agency.0),
        (Field::ReferenceNumber, &contact.reference),
        (Field::AgencyContact, &contact.contact),
    ] {
        if text.trim().is_empty() {
            return Err(Rejection::Required(field));
        }
        check_line(field, text, MAX_CONTACT_CHARS)?;
    }
    Ok(())
}

/// An enrollment without personal data: every member's age band at
/// project start is given (what the policy ranks by, and what a birth date
/// must later agree with), and nothing personal.
pub(super) fn check_referred_members(
    members: &[Member],
    current: &CurrentLivingSituation,
) -> Result<(), Rejection> {
    if members.iter().any(|m| m.age_band.is_none()) {
        return Err(Rejection::Required(Field::AgeBand));
    }
    refuse_personal_data(members, Some(current))
}

/// Refuses any name, birth date or location detail for a household enrolled
/// without personal data: its referring agency keeps those.
pub(super) fn refuse_personal_data(
    members: &[Member],
    current: Option<&CurrentLivingSituation>,
) -> Result<(), Rejection> {
    for member in members {
        let given = [
            (member.first_name.is_some(), Field::FirstName),
            (member.last_name.is_some(), Field::LastName),
            (member.birth_date.is_some(), Field::BirthDate),
        ];
        if let Some((_, field)) = given.into_iter().find(|(given, _)| *given) {
            return Err(Rejection::PersonalDataRefused { field });
        }
    }
    if current.is_some_and(|c| c.location_details.is_some()) {
        return Err(Rejection::PersonalDataRefused {
            field: Field::LocationDetails,
        });
    }
    Ok(())
}

/// The CE lead, or staff of the agency that owns the household.
fn require_owner(
    ctx: &Context<'_>,
    household: &Household,
    action: Operation,
) -> Result<(), Rejection> {
    let actor = &ctx.meta.actor;
    if actor.role == Role::Lead || household.owner() == Some(&actor.agency) {
        Ok(())
    } else {
        Err(Rejection::NotOwningAgency {
            household: household.id,
            action,
        })
    }
}

/// A household that exists, exited or not, and `date` not before its
/// project start: a household that exited, or a member who left, can
/// still refuse or revoke what their record shows.
fn any_household_on<'a>(
    ctx: &'a Context<'_>,
    id: HouseholdId,
    field: Field,
    date: NaiveDate,
) -> Result<&'a Household, Rejection> {
    let household = any_household(ctx, id)?;
    not_before_start(household, field, date)?;
    Ok(household)
}

pub(crate) fn record(ctx: &Context<'_>, c: &RecordConsent) -> Result<Decision, Rejection> {
    ctx.require(ACCESS, Operation::RecordConsent)?;
    // A release widens who sees the names: it is given on an open
    // household, to a current member. A refusal or revocation narrows it,
    // and is taken whatever became of the household or the member.
    let household = if c.decision == ConsentDecision::Given {
        household_on(ctx, c.household, Field::ConsentDate, c.date)?
    } else {
        any_household_on(ctx, c.household, Field::ConsentDate, c.date)?
    };
    // The agency that holds the record collects the release.
    require_owner(ctx, household, Operation::RecordConsent)?;
    let member = household.members.iter().any(|m| m.client == c.client);
    let narrows = c.decision != ConsentDecision::Given;
    let former = narrows && household.former_members.contains(&c.client);
    if !(member || former) {
        return Err(Rejection::UnknownMember {
            household: c.household,
            client: c.client,
        });
    }
    if let Some(expires) = c.expires {
        let rule = if c.decision != ConsentDecision::Given {
            Some(DateRule::OnlyWhenGiven)
        } else if expires < c.date {
            Some(DateRule::BeforeConsent)
        } else {
            None
        };
        if let Some(rule) = rule {
            return Err(Rejection::ConsentExpiry {
                field: Field::ConsentExpires,
                expires,
                rule,
            });
        }
    }
    if c.decision == ConsentDecision::Revoked && household.consent_on(c.client, c.date).is_none() {
        return Err(Rejection::NothingToRevoke {
            client: c.client,
            date: c.date,
        });
    }
    Ok(Decision {
        events: vec![household_event(
            c.household,
            c.date,
            Event::ConsentRecorded(ConsentRecorded {
                client: c.client,
                decision: c.decision,
                scope: c.scope,
                expires: c.expires,
            }),
        )],
        outcome: Outcome::Recorded,
    })
}

pub(crate) fn restrict(ctx: &Context<'_>, c: &Restrict) -> Result<Decision, Rejection> {
    ctx.require(ACCESS, Operation::Restrict)?;
    // An exited household's record is shown still: it can be restricted.
    let household = any_household_on(ctx, c.household, Field::EffectiveDate, c.date)?;
    require_owner(ctx, household, Operation::Restrict)?;
    if household.restricted_on.is_some_and(|on| c.date < on) {
        return Err(Rejection::ImplausibleDate {
            field: Field::EffectiveDate,
            date: c.date,
            rule: DateRule::BeforeRestrictionChange,
        });
    }
    let events = if household.restricted == c.restricted {
        // Already so: nothing to record.
        Vec::new()
    } else {
        vec![household_event(
            c.household,
            c.date,
            Event::HouseholdRestricted(HouseholdRestricted {
                restricted: c.restricted,
            }),
        )]
    };
    Ok(Decision {
        events,
        outcome: Outcome::Recorded,
    })
}

pub(crate) fn identify(ctx: &Context<'_>, c: &Identify) -> Result<Decision, Rejection> {
    ctx.require(ACCESS, Operation::Identify)?;
    let household = household_on(ctx, c.household, Field::EffectiveDate, c.date)?;
    require_owner(ctx, household, Operation::Identify)?;
    if !household.is_without_personal_data() {
        return Err(Rejection::AlreadyIdentified(c.household));
    }
    // Every member at once: the household leaves the referring agency's
    // keeping and goes to HMIS whole.
    if let Some(missing) = household
        .members
        .iter()
        .find(|m| !c.members.iter().any(|g| g.client == m.client))
    {
        return Err(Rejection::IdentifyMissing {
            client: missing.client,
        });
    }
    let mut members: Vec<Member> = Vec::with_capacity(c.members.len());
    for given in &c.members {
        if members.iter().any(|m| m.client == given.client) {
            return Err(Rejection::DuplicateMember(given.client));
        }
        let recorded = household
            .members
            .iter()
            .find(|m| m.client == given.client)
            .ok_or(Rejection::UnknownMember {
                household: c.household,
                client: given.client,
            })?;
        let changes = |field| Rejection::IdentifyChanges {
            client: given.client,
            field,
        };
        if given.relationship != recorded.relationship {
            return Err(changes(Field::Relationship));
        }
        if given.veteran != recorded.veteran {
            return Err(changes(Field::VeteranStatus));
        }
        if given.disabling_condition != recorded.disabling_condition {
            return Err(changes(Field::DisablingCondition));
        }
        // The band recorded at enrollment is what the household is ranked
        // by: a birth date must agree with it, and the band stays.
        let band = recorded.age_band;
        let checked = check_member(
            &Member {
                age_band: band.or(given.age_band),
                ..given.clone()
            },
            c.date,
            household.project_start,
        )
        .map_err(|rejection| match rejection {
            Rejection::AgeBandDisagrees { .. } => changes(Field::AgeBand),
            other => other,
        })?;
        if checked.age_band != band {
            return Err(changes(Field::AgeBand));
        }
        members.push(checked);
    }
    Ok(Decision {
        events: vec![household_event(
            c.household,
            c.date,
            Event::HouseholdIdentified(HouseholdIdentified { members }),
        )],
        outcome: Outcome::Recorded,
    })
}

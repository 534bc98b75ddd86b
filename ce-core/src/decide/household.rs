//! Part 1 rules: enrollment, assessment, follow-ups, membership, exit, and
//! the inactivity sweep.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::command::{
    AddMember, Assess, AttemptContact, ChangeHead, Correct, Enroll, Erase, Exit, FollowUp,
    RecordCeEvent, RemoveMember, Sweep,
};
use crate::decide::{check_len, check_line, check_text, Context, Decision, Pending};
use crate::envelope::StreamId;
use crate::error::{CeEventRule, DateRule, Field, NotCorrectableReason, Operation, Rejection};
use crate::event::{CancelCause, Event, ReferralCancelled, *};
use crate::household::Household;
use crate::hud::{CeEventType, Destination, LivingSituation, RelationshipToHoH, RentalSubsidyType};
use crate::outcome::Outcome;
use crate::record::{
    AgeBand, Assessment, CeNote, CurrentLivingSituation, Member, PriorLivingSituation,
    EARLIEST_BIRTH_DATE, MAX_LOCATION_CHARS, MAX_MEMBERS, MAX_NAME_CHARS, MAX_NOTE_CHARS,
    MIN_HEAD_AGE,
};
use crate::vocab::{AssessmentId, ClientId, HouseholdId, Role};

pub(super) const ACCESS: &[Role] = &[Role::Access];

/// A household that exists, exited or not.
pub(super) fn any_household<'a>(
    ctx: &'a Context<'_>,
    id: HouseholdId,
) -> Result<&'a Household, Rejection> {
    ctx.caseload
        .households()
        .get(&id)
        .ok_or(Rejection::UnknownHousehold(id))
}

/// A household that exists and has not exited.
pub(super) fn open_household<'a>(
    ctx: &'a Context<'_>,
    id: HouseholdId,
) -> Result<&'a Household, Rejection> {
    let household = any_household(ctx, id)?;
    if let crate::household::HouseholdStatus::Exited { date, .. } = household.status {
        return Err(Rejection::HouseholdExited {
            household: id,
            exit_date: date,
        });
    }
    Ok(household)
}

/// `date`, of `field`, not before `household`'s project start.
pub(super) fn not_before_start(
    household: &Household,
    field: Field,
    date: NaiveDate,
) -> Result<(), Rejection> {
    if date < household.project_start {
        return Err(Rejection::BeforeProjectStart {
            household: household.id,
            field,
            date,
            project_start: household.project_start,
        });
    }
    Ok(())
}

/// An open household, and `date` not before its project start.
pub(super) fn household_on<'a>(
    ctx: &'a Context<'_>,
    id: HouseholdId,
    field: Field,
    date: NaiveDate,
) -> Result<&'a Household, Rejection> {
    let household = open_household(ctx, id)?;
    not_before_start(household, field, date)?;
    Ok(household)
}

fn check_note(note: &str) -> Result<CeNote, Rejection> {
    if note.trim().is_empty() {
        return Err(Rejection::EmptyNote);
    }
    check_len(Field::CeNote, note, MAX_NOTE_CHARS)?;
    Ok(CeNote(note.trim().to_owned()))
}

pub(super) fn check_current(current: &CurrentLivingSituation) -> Result<(), Rejection> {
    let situation = current.living_situation.situation();
    if (situation == LivingSituation::RentalWithSubsidy) != current.subsidy.is_some() {
        return Err(Rejection::SubsidyMismatch { situation });
    }
    if let Some(details) = &current.location_details {
        check_len(Field::LocationDetails, details, MAX_LOCATION_CHARS)?;
    }
    Ok(())
}

/// A 3.12.A DestinationSubsidyType goes with destination 435 only.
fn check_destination_subsidy(
    destination: Destination,
    subsidy: Option<RentalSubsidyType>,
) -> Result<(), Rejection> {
    if subsidy.is_some() && destination.situation() != LivingSituation::RentalWithSubsidy {
        return Err(Rejection::DestinationSubsidyMismatch {
            destination: destination.code(),
        });
    }
    Ok(())
}

/// A member's own facts: names of a plausible length, a birth date after
/// 1900 and not after `date` (the day they join), an age band that agrees
/// with it, and a head at least [`MIN_HEAD_AGE`] on `project_start`.
/// Returns the member as recorded: with the age band at project start
/// derived from the birth date, so that rankings never need the birth
/// date itself.
pub(super) fn check_member(
    member: &Member,
    date: NaiveDate,
    project_start: NaiveDate,
) -> Result<Member, Rejection> {
    for (field, name) in [
        (Field::FirstName, &member.first_name),
        (Field::LastName, &member.last_name),
    ] {
        if let Some(name) = name {
            check_line(field, name, MAX_NAME_CHARS)?;
        }
    }
    if member.sealed.is_some() {
        return Err(Rejection::SealedInput);
    }
    let mut recorded = member.clone();
    let Some(born) = member.birth_date else {
        if let Some(band) = member.age_band {
            if member.is_head() && band.max_age().is_some_and(|max| max < MIN_HEAD_AGE) {
                return Err(Rejection::HeadTooYoung { band });
            }
        }
        return Ok(recorded);
    };
    let implausible = |rule| Rejection::ImplausibleDate {
        field: Field::BirthDate,
        date: born,
        rule,
    };
    if born < EARLIEST_BIRTH_DATE {
        return Err(implausible(DateRule::BeforeEarliestBirth));
    }
    if born > date {
        return Err(implausible(DateRule::BornAfterJoining));
    }
    if member.is_head() && member.age_on(project_start).unwrap_or(0) < MIN_HEAD_AGE {
        return Err(implausible(DateRule::HeadTooYoung));
    }
    // Born after project start (a baby who joins later): no age at
    // project start, as before bands were recorded.
    let derived = member.age_on(project_start).map(AgeBand::of);
    if let (Some(given), Some(derived)) = (member.age_band, derived) {
        if given != derived {
            return Err(Rejection::AgeBandDisagrees {
                given,
                birth_date: born,
                derived,
            });
        }
    }
    recorded.age_band = derived;
    Ok(recorded)
}

/// The episode start (3.917 DateToStreetESSH) lies between the head's
/// birth and project start.
fn check_episode_start(
    prior: &PriorLivingSituation,
    members: &[Member],
    project_start: NaiveDate,
) -> Result<(), Rejection> {
    let Some(start) = prior.episode_start else {
        return Ok(());
    };
    let implausible = |rule| Rejection::ImplausibleDate {
        field: Field::EpisodeStart,
        date: start,
        rule,
    };
    if start > project_start {
        return Err(implausible(DateRule::AfterProjectStart));
    }
    let head_born = members
        .iter()
        .find(|m| m.is_head())
        .and_then(|m| m.birth_date);
    if start < EARLIEST_BIRTH_DATE || head_born.is_some_and(|born| start < born) {
        return Err(implausible(DateRule::BeforeHeadWasBorn));
    }
    Ok(())
}

fn one_head(members: &[Member]) -> Result<(), Rejection> {
    let count = members.iter().filter(|m| m.is_head()).count();
    if count != 1 {
        return Err(Rejection::HeadOfHousehold { count });
    }
    Ok(())
}

/// A client may join a CE enrollment on `date` only with no enrollment open
/// and none closed after `date`: one CE enrollment per client at a time.
fn not_enrolled(ctx: &Context<'_>, client: ClientId, date: NaiveDate) -> Result<(), Rejection> {
    if let Some(household) = ctx.caseload.open_enrollments.get(&client) {
        return Err(Rejection::ClientAlreadyEnrolled {
            client,
            household: *household,
        });
    }
    match ctx.caseload.closed_enrollments.get(&client) {
        Some(exit_date) if *exit_date > date => Err(Rejection::BeforePreviousExit {
            client,
            date,
            exit_date: *exit_date,
        }),
        _ => Ok(()),
    }
}

pub(super) fn household_event(id: HouseholdId, date: NaiveDate, event: Event) -> Pending {
    Pending {
        streams: vec![StreamId::Household(id)],
        effective: date,
        event,
    }
}

/// Cancels every live referral of a household (exit, inactivity).
fn cancel_live_referrals(
    household: &Household,
    date: NaiveDate,
    cause: CancelCause,
) -> Vec<Pending> {
    household
        .live_referrals
        .iter()
        .map(|live| Pending {
            streams: vec![
                StreamId::Household(household.id),
                StreamId::Opening(live.opening),
            ],
            effective: date,
            event: Event::ReferralCancelled(ReferralCancelled {
                referral: live.referral,
                opening: live.opening,
                household: household.id,
                cause,
            }),
        })
        .collect()
}

pub(crate) fn enroll(ctx: &Context<'_>, c: &Enroll) -> Result<Decision, Rejection> {
    ctx.require(ACCESS, Operation::Enroll)?;
    if !ctx.policy.knows_coalition(&c.coalition) {
        return Err(Rejection::UnknownCoalition(c.coalition.clone()));
    }
    one_head(&c.members)?;
    if c.members.len() > MAX_MEMBERS {
        return Err(Rejection::TooManyMembers {
            count: c.members.len(),
            max: MAX_MEMBERS,
        });
    }
    if let Some(contact) = &c.referred_by {
        super::consent::check_contact(contact)?;
        super::consent::check_referred_members(&c.members, &c.current)?;
    }
    let mut seen = HashSet::new();
    let mut members = Vec::with_capacity(c.members.len());
    for member in &c.members {
        members.push(check_member(member, c.project_start, c.project_start)?);
        if !seen.insert(member.client) {
            return Err(Rejection::DuplicateMember(member.client));
        }
        not_enrolled(ctx, member.client, c.project_start)?;
    }
    check_episode_start(&c.prior, &c.members, c.project_start)?;
    check_current(&c.current)?;
    let household = HouseholdId(ctx.meta.command_id.derive("household", 0));
    let date = c.project_start;
    let mut events = vec![household_event(
        household,
        date,
        Event::HouseholdEnrolled(HouseholdEnrolled {
            household,
            coalition: c.coalition.clone(),
            members,
            prior: c.prior.clone(),
            current: c.current.clone(),
            agency: Some(ctx.meta.actor.agency.clone()),
            referred_by: c.referred_by.clone(),
            restricted: c.restricted,
        }),
    )];
    events.extend(c.members.iter().map(|m| Pending {
        streams: vec![StreamId::Client(m.client)],
        effective: date,
        event: Event::ClientEnrollmentOpened(ClientEnrollmentOpened { household }),
    }));
    Ok(Decision {
        events,
        outcome: Outcome::Enrolled { household },
    })
}

pub(crate) fn assess(ctx: &Context<'_>, c: &Assess) -> Result<Decision, Rejection> {
    ctx.require(ACCESS, Operation::Assess)?;
    household_on(ctx, c.household, Field::AssessmentDate, c.date)?;
    // HUD makes AssessmentLocation nullable (FY2024 v1.4): it may be empty.
    check_len(Field::AssessmentLocation, &c.location, MAX_LOCATION_CHARS)?;
    let assessment = Assessment {
        assessment_id: AssessmentId(ctx.meta.command_id.derive("assessment", 0)),
        location: c.location.clone(),
        assessment_type: c.assessment_type,
        level: c.level,
        answers: c.answers.clone(),
        results: c.results.clone(),
        score: c.score,
        prioritization: c.prioritization,
    };
    Ok(Decision {
        events: vec![household_event(
            c.household,
            c.date,
            Event::AssessmentRecorded(AssessmentRecorded {
                assessment,
                contact: ctx.policy.assessment_is_contact,
            }),
        )],
        outcome: Outcome::Recorded,
    })
}

pub(crate) fn follow_up(ctx: &Context<'_>, c: &FollowUp) -> Result<Decision, Rejection> {
    ctx.require(ACCESS, Operation::FollowUp)?;
    let household = household_on(ctx, c.household, Field::FollowUpDate, c.date)?;
    let note = check_note(&c.note)?;
    check_current(&c.current)?;
    if household.is_without_personal_data() {
        super::consent::refuse_personal_data(&[], Some(&c.current))?;
    }
    Ok(Decision {
        events: vec![household_event(
            c.household,
            c.date,
            Event::ContactMade(ContactMade {
                status: c.status.clone(),
                current: c.current.clone(),
                note,
            }),
        )],
        outcome: Outcome::Recorded,
    })
}

pub(crate) fn attempt_contact(
    ctx: &Context<'_>,
    c: &AttemptContact,
) -> Result<Decision, Rejection> {
    ctx.require(ACCESS, Operation::AttemptContact)?;
    household_on(ctx, c.household, Field::AttemptDate, c.date)?;
    let note = check_note(&c.note)?;
    Ok(Decision {
        events: vec![household_event(
            c.household,
            c.date,
            Event::ContactAttempted(ContactAttempted {
                method: c.method,
                left_message: c.left_message,
                note,
            }),
        )],
        outcome: Outcome::Recorded,
    })
}

pub(crate) fn record_ce_event(ctx: &Context<'_>, c: &RecordCeEvent) -> Result<Decision, Rejection> {
    ctx.require(ACCESS, Operation::RecordCeEvent)?;
    household_on(ctx, c.household, Field::CeEventDate, c.date)?;
    let event = c.event;
    let field = |field, rule| Rejection::CeEventField { event, field, rule };
    if c.problem_solving_result.is_some() && event != CeEventType::ProblemSolvingDiversion {
        return Err(field(
            Field::ProblemSolvingResult,
            CeEventRule::OnlyWithEvent2,
        ));
    }
    if c.case_management_after.is_some()
        && event != CeEventType::ReferralToPostPlacementCaseManagement
    {
        return Err(field(
            Field::CaseManagementAfter,
            CeEventRule::OnlyWithEvent5,
        ));
    }
    let referral = event.carries_referral_result();
    if c.location.is_some() && !referral {
        return Err(field(
            Field::CeEventLocation,
            CeEventRule::OnlyWithReferralEvents,
        ));
    }
    if let Some(location) = &c.location {
        check_text(Field::CeEventLocation, location, MAX_LOCATION_CHARS)?;
    }
    if c.result.is_some() && !referral {
        return Err(field(
            Field::ReferralResult,
            CeEventRule::OnlyWithReferralEvents,
        ));
    }
    match (c.result, c.result_date) {
        (Some(_), None) => return Err(field(Field::ResultDate, CeEventRule::RequiredWithResult)),
        (None, Some(_)) => return Err(field(Field::ResultDate, CeEventRule::NeedsResult)),
        (_, Some(on)) if on < c.date => {
            return Err(field(Field::ResultDate, CeEventRule::BeforeEventDate))
        }
        _ => {}
    }
    Ok(Decision {
        events: vec![household_event(
            c.household,
            c.date,
            Event::CeEventRecorded(CeEventRecorded {
                event,
                problem_solving_result: c.problem_solving_result,
                case_management_after: c.case_management_after,
                location: c.location.as_ref().map(|l| l.trim().to_owned()),
                result: c.result,
                result_date: c.result_date,
            }),
        )],
        outcome: Outcome::Recorded,
    })
}

pub(crate) fn add_member(ctx: &Context<'_>, c: &AddMember) -> Result<Decision, Rejection> {
    ctx.require(ACCESS, Operation::ChangeMembership)?;
    let household = household_on(ctx, c.household, Field::MembershipDate, c.date)?;
    let client = c.member.client;
    if household.members.iter().any(|m| m.client == client) {
        return Err(Rejection::DuplicateMember(client));
    }
    if c.member.is_head() {
        return Err(Rejection::HeadOfHousehold { count: 2 });
    }
    if household.members.len() >= MAX_MEMBERS {
        return Err(Rejection::TooManyMembers {
            count: household.members.len() + 1,
            max: MAX_MEMBERS,
        });
    }
    if household.is_without_personal_data() {
        super::consent::refuse_personal_data(std::slice::from_ref(&c.member), None)?;
    }
    let member = check_member(&c.member, c.date, household.project_start)?;
    not_enrolled(ctx, client, c.date)?;
    Ok(Decision {
        events: vec![
            household_event(
                c.household,
                c.date,
                Event::MemberAdded(MemberAdded { member }),
            ),
            Pending {
                streams: vec![StreamId::Client(client)],
                effective: c.date,
                event: Event::ClientEnrollmentOpened(ClientEnrollmentOpened {
                    household: c.household,
                }),
            },
        ],
        outcome: Outcome::Recorded,
    })
}

pub(crate) fn remove_member(ctx: &Context<'_>, c: &RemoveMember) -> Result<Decision, Rejection> {
    ctx.require(ACCESS, Operation::ChangeMembership)?;
    let household = household_on(ctx, c.household, Field::MembershipDate, c.date)?;
    let member = household
        .members
        .iter()
        .find(|m| m.client == c.client)
        .ok_or(Rejection::UnknownMember {
            household: c.household,
            client: c.client,
        })?;
    if member.is_head() {
        return Err(Rejection::CannotRemoveHead {
            household: c.household,
            client: c.client,
        });
    }
    if let Some(destination) = c.destination {
        check_destination_subsidy(destination, c.destination_subsidy)?;
    } else if c.destination_subsidy.is_some() {
        return Err(Rejection::DestinationSubsidyMismatch { destination: 99 });
    }
    Ok(Decision {
        events: vec![
            household_event(
                c.household,
                c.date,
                Event::MemberRemoved(MemberRemoved {
                    client: c.client,
                    destination: c.destination,
                    destination_subsidy: c.destination_subsidy,
                }),
            ),
            Pending {
                streams: vec![StreamId::Client(c.client)],
                effective: c.date,
                event: Event::ClientEnrollmentClosed(ClientEnrollmentClosed {
                    household: c.household,
                }),
            },
        ],
        outcome: Outcome::Recorded,
    })
}

pub(crate) fn change_head(ctx: &Context<'_>, c: &ChangeHead) -> Result<Decision, Rejection> {
    ctx.require(ACCESS, Operation::ChangeMembership)?;
    let household = household_on(ctx, c.household, Field::MembershipDate, c.date)?;
    if !household.members.iter().any(|m| m.client == c.head) {
        return Err(Rejection::UnknownMember {
            household: c.household,
            client: c.head,
        });
    }
    if c.former_head_relationship == RelationshipToHoH::SelfHeadOfHousehold {
        return Err(Rejection::HeadOfHousehold { count: 2 });
    }
    Ok(Decision {
        events: vec![household_event(
            c.household,
            c.date,
            Event::HeadOfHouseholdChanged(HeadOfHouseholdChanged {
                head: c.head,
                former_head_relationship: c.former_head_relationship,
            }),
        )],
        outcome: Outcome::Recorded,
    })
}

pub(crate) fn exit(ctx: &Context<'_>, c: &Exit) -> Result<Decision, Rejection> {
    ctx.require(ACCESS, Operation::Exit)?;
    let household = household_on(ctx, c.household, Field::ExitDate, c.date)?;
    if c.date < household.last_activity {
        return Err(Rejection::BeforeLastActivity {
            household: c.household,
            date: c.date,
            last_activity: household.last_activity,
        });
    }
    check_text(Field::ExitReason, &c.reason, MAX_NOTE_CHARS)?;
    check_destination_subsidy(c.destination, c.destination_subsidy)?;
    for m in &c.member_destinations {
        if !household.members.iter().any(|x| x.client == m.client) {
            return Err(Rejection::UnknownMember {
                household: c.household,
                client: m.client,
            });
        }
        check_destination_subsidy(m.destination, m.subsidy)?;
    }
    let mut events = cancel_live_referrals(household, c.date, CancelCause::HouseholdExited);
    events.push(household_event(
        c.household,
        c.date,
        Event::HouseholdExited(HouseholdExited {
            destination: c.destination,
            destination_subsidy: c.destination_subsidy,
            member_destinations: c.member_destinations.clone(),
            reason: c.reason.clone(),
        }),
    ));
    events.extend(household.members.iter().map(|m| Pending {
        streams: vec![StreamId::Client(m.client)],
        effective: c.date,
        event: Event::ClientEnrollmentClosed(ClientEnrollmentClosed {
            household: c.household,
        }),
    }));
    Ok(Decision {
        events,
        outcome: Outcome::Recorded,
    })
}

pub(crate) fn sweep(ctx: &Context<'_>, c: &Sweep) -> Result<Decision, Rejection> {
    ctx.require(&[], Operation::Sweep)?;
    let mut events = Vec::new();
    let mut inactivated = Vec::new();
    for household in ctx.caseload.households().values() {
        // A backdated sweep leaves alone a household with records after
        // its date: inactivity cannot precede what was recorded later.
        if !household.is_due_for_inactivity(ctx.policy.inactivity_days, c.as_of)
            || household.last_activity > c.as_of
        {
            continue;
        }
        let days = household.days_since_contact(c.as_of);
        events.extend(cancel_live_referrals(
            household,
            c.as_of,
            CancelCause::HouseholdInactive,
        ));
        events.push(household_event(
            household.id,
            c.as_of,
            Event::HouseholdInactivated(HouseholdInactivated {
                last_contact: household.last_contact,
                days_without_contact: days,
                inactivity_days: ctx.policy.inactivity_days,
            }),
        ));
        inactivated.push(household.id);
    }
    Ok(Decision {
        events,
        outcome: Outcome::Swept { inactivated },
    })
}

/// Applies an RFC 7396 JSON merge patch.
fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    match (target, patch) {
        (serde_json::Value::Object(target), serde_json::Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(key);
                } else {
                    let slot = target.entry(key.clone()).or_insert(serde_json::Value::Null);
                    merge_patch(slot, value);
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

/// The JSON merge patch (RFC 7396) that turns `from` into `to`: what
/// changed, `null` for what `to` no longer has.
pub(crate) fn merge_diff(from: &serde_json::Value, to: &serde_json::Value) -> serde_json::Value {
    match (from, to) {
        (serde_json::Value::Object(from), serde_json::Value::Object(to)) => {
            let mut patch = serde_json::Map::new();
            for (key, value) in to {
                match from.get(key) {
                    Some(old) if old == value => {}
                    Some(old) => {
                        patch.insert(key.clone(), merge_diff(old, value));
                    }
                    None => {
                        patch.insert(key.clone(), value.clone());
                    }
                }
            }
            for key in from.keys().filter(|key| !to.contains_key(*key)) {
                patch.insert(key.clone(), serde_json::Value::Null);
            }
            serde_json::Value::Object(patch)
        }
        (_, to) => to.clone(),
    }
}

/// The paths (a.b.c) at which two JSON values differ.
fn changed_paths(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    match (a, b) {
        (serde_json::Value::Object(x), serde_json::Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            let null = serde_json::Value::Null;
            for key in keys {
                let sub = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                let (x, y) = (x.get(key).unwrap_or(&null), y.get(key).unwrap_or(&null));
                changed_paths(&sub, x, y, out);
            }
        }
        (x, y) if x != y => out.push(path.to_owned()),
        _ => {}
    }
}

pub(crate) fn correct(ctx: &Context<'_>, c: &Correct) -> Result<Decision, Rejection> {
    ctx.require(ACCESS, Operation::Correct)?;
    let event = c.original.event_id;
    let not = |why| Rejection::NotCorrectable { event, why };
    let invalid = |e: serde_json::Error| Rejection::InvalidCorrection {
        event,
        detail: e.to_string(),
    };
    // A data-entry mistake may be corrected after the exit too: the
    // record stays part of the household's history and its reports.
    any_household(ctx, c.household)?;
    if c.original
        .version_in(&StreamId::Household(c.household))
        .is_none()
    {
        return Err(not(NotCorrectableReason::OtherHousehold));
    }
    if !matches!(
        c.original.event,
        Event::HouseholdEnrolled(_)
            | Event::AssessmentRecorded(_)
            | Event::ContactMade(_)
            | Event::ContactAttempted(_)
            | Event::CeEventRecorded(_)
    ) {
        return Err(not(NotCorrectableReason::KindNotCorrectable));
    }
    check_text(Field::CorrectionReason, &c.reason, MAX_NOTE_CHARS)?;
    let original = serde_json::to_value(&c.original.event).map_err(invalid)?;
    let mut patched = original.clone();
    if let Some(data) = patched.get_mut("data") {
        merge_patch(data, &c.patch);
    }
    let mut corrected: Event = serde_json::from_value(patched.clone()).map_err(invalid)?;
    if let Event::HouseholdEnrolled(e) = &mut corrected {
        // A corrected birth date brings its age band with it.
        let start = c.original.effective;
        for member in &mut e.members {
            if member.birth_date.is_some() {
                member.age_band = None;
            }
            *member = check_member(member, start, start)?;
        }
    }
    // What changed is read from the corrected record as stored, not from
    // the patch: a path the record does not have (a misspelt field) would
    // otherwise be reported as corrected while nothing changed.
    let stored = serde_json::to_value(&corrected).map_err(invalid)?;
    let mut fields = Vec::new();
    changed_paths("", &original["data"], &stored["data"], &mut fields);
    let mut asked = Vec::new();
    changed_paths("", &original["data"], &patched["data"], &mut asked);
    if let Some(unknown) = asked.iter().find(|path| !fields.contains(path)) {
        return Err(Rejection::InvalidCorrection {
            event,
            detail: format!(
                "{unknown} is not a field of this {} record (see `ce history` for its fields)",
                c.original.event.event_type()
            ),
        });
    }
    if fields.is_empty() {
        return Err(not(NotCorrectableReason::NothingChanged));
    }
    let keeps_ids = match (&c.original.event, &corrected) {
        (Event::HouseholdEnrolled(a), Event::HouseholdEnrolled(b)) => {
            let who = |e: &HouseholdEnrolled| -> Vec<(ClientId, RelationshipToHoH)> {
                e.members
                    .iter()
                    .map(|m| (m.client, m.relationship))
                    .collect()
            };
            // The owner, the restriction and whether the household holds
            // personal data have commands of their own; a correction may fix
            // the referring agency's reference and contact.
            let owner = |e: &HouseholdEnrolled| {
                (
                    e.agency.clone(),
                    e.restricted,
                    e.referred_by.as_ref().map(|r| r.agency.clone()),
                )
            };
            a.household == b.household && who(a) == who(b) && owner(a) == owner(b)
        }
        (Event::AssessmentRecorded(a), Event::AssessmentRecorded(b)) => {
            a.assessment.assessment_id == b.assessment.assessment_id
        }
        (Event::CeEventRecorded(a), Event::CeEventRecorded(b)) => a.event == b.event,
        _ => true,
    };
    if !keeps_ids {
        return Err(not(NotCorrectableReason::ChangesIdentity));
    }
    match &corrected {
        Event::HouseholdEnrolled(e) => {
            if !ctx.policy.knows_coalition(&e.coalition) {
                return Err(Rejection::UnknownCoalition(e.coalition.clone()));
            }
            check_current(&e.current)?;
            check_episode_start(&e.prior, &e.members, c.original.effective)?;
            // An enrollment made without personal data had none to
            // correct, identified since or not: names come by `Identify`.
            if let Some(contact) = &e.referred_by {
                super::consent::check_contact(contact)?;
                super::consent::refuse_personal_data(&e.members, Some(&e.current))?;
            }
        }
        Event::ContactMade(e) => {
            check_note(&e.note.0)?;
            check_current(&e.current)?;
        }
        Event::ContactAttempted(e) => {
            check_note(&e.note.0)?;
        }
        Event::CeEventRecorded(e) => {
            if let Some(location) = &e.location {
                check_len(Field::CeEventLocation, location, MAX_LOCATION_CHARS)?;
            }
        }
        _ => {}
    }
    Ok(Decision {
        events: vec![household_event(
            c.household,
            c.original.effective,
            Event::EventCorrected(EventCorrected {
                corrects: event,
                fields,
                reason: c.reason.clone(),
                corrected: Box::new(corrected),
            }),
        )],
        outcome: Outcome::Recorded,
    })
}

/// Erases a client (a CE lead's): one event on the client's stream and
/// every household they were ever a member of, naming those households so
/// that their notes' keys go too. A client erased before is told so, and
/// nothing is written.
pub(crate) fn erase(ctx: &Context<'_>, c: &Erase) -> Result<Decision, Rejection> {
    ctx.require(&[], Operation::Erase)?;
    let households: Vec<HouseholdId> = ctx
        .caseload
        .households()
        .values()
        .filter(|h| h.clients().any(|client| client == c.client))
        .map(|h| h.id)
        .collect();
    if households.is_empty() {
        return Err(Rejection::UnknownClient(c.client));
    }
    let erased_before = ctx
        .caseload
        .households()
        .values()
        .any(|h| h.erased.contains(&c.client));
    if erased_before {
        return Ok(Decision {
            events: Vec::new(),
            outcome: Outcome::Erased {
                client: c.client,
                households,
                already: true,
            },
        });
    }
    let mut streams = vec![StreamId::Client(c.client)];
    streams.extend(households.iter().map(|h| StreamId::Household(*h)));
    Ok(Decision {
        events: vec![Pending {
            streams,
            effective: c.date,
            event: Event::ClientErased(ClientErased {
                client: c.client,
                reason: c.reason,
                households: households.clone(),
            }),
        }],
        outcome: Outcome::Erased {
            client: c.client,
            households,
            already: false,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Applying the diff of `from` and `to` to `from` gives `to`.
    #[test]
    fn a_merge_diff_applied_as_a_patch_gives_the_target() {
        let cases = [
            (
                json!({"a": 1, "b": {"c": 2, "d": 3}}),
                json!({"a": 1, "b": {"c": 4, "d": 3}}),
            ),
            (json!({"a": 1, "b": 2}), json!({"a": 1})),
            (json!({"a": [1, 2, 3]}), json!({"a": [1, 3]})),
            (json!({"a": {"b": 1}}), json!({"a": 7})),
            (json!({"a": 7}), json!({"a": {"b": 1}})),
            (
                json!({"a": {"b": {"c": 1, "d": 2}}}),
                json!({"a": {"b": {"c": 1}}, "e": "x"}),
            ),
            (json!({"a": 1}), json!({"a": 1})),
        ];
        for (from, to) in cases {
            let diff = merge_diff(&from, &to);
            let mut patched = from.clone();
            merge_patch(&mut patched, &diff);
            assert_eq!(patched, to, "{from} -> {to} by {diff}");
        }
        assert_eq!(
            merge_diff(&json!({"a": 1, "b": 2}), &json!({"a": 1, "b": 3})),
            json!({"b": 3}),
            "only what changed"
        );
    }
}

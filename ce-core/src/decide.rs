//! `decide`: validates a command against the current caseload and returns the
//! events it produces, or the rule it breaks. Pure: no I/O, no clock.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::actor::Role;
use crate::caseload::Caseload;
use crate::command::{Command, CommandMeta};
use crate::envelope::{Envelope, NewEvent, StreamId};
use crate::error::Error;
use crate::event::Event;
use crate::ids::{EventId, HouseholdId, OpeningId, ReferralId};
use crate::policy::Policy;
use crate::store::{AppendRequest, ExpectedVersion};
use crate::{household, opening};

/// An event a command will append, before the store assigns positions.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// The streams it belongs to.
    pub streams: Vec<StreamId>,
    /// When it happened.
    pub effective: NaiveDate,
    /// The fact.
    pub event: Event,
}

/// What a successful command produced, for the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
#[non_exhaustive]
pub enum Outcome {
    /// A household was enrolled.
    Enrolled {
        /// The new household.
        household: HouseholdId,
    },
    /// The command's facts were recorded.
    Recorded,
    /// An opening was posted.
    Posted {
        /// The new opening.
        opening: OpeningId,
    },
    /// A household was referred.
    Referred {
        /// The new referral.
        referral: ReferralId,
        /// The household referred.
        household: HouseholdId,
        /// Its rank among the households eligible for the opening.
        rank: u32,
    },
    /// A sweep ran.
    Swept {
        /// Households marked inactive.
        inactivated: Vec<HouseholdId>,
    },
    /// Overdue referrals expired.
    Expired {
        /// The referrals.
        referrals: Vec<ReferralId>,
    },
}

impl Outcome {
    /// The outcome a command had, told from the events it stored.
    pub fn of_stored(events: &[Envelope]) -> Self {
        let mut inactivated = Vec::new();
        let mut expired = Vec::new();
        for envelope in events {
            match &envelope.event {
                Event::HouseholdEnrolled(e) => {
                    return Outcome::Enrolled {
                        household: e.household,
                    }
                }
                Event::OpeningPosted(e) => return Outcome::Posted { opening: e.opening },
                Event::ReferralOffered(e) => {
                    return Outcome::Referred {
                        referral: e.referral,
                        household: e.household,
                        rank: e.rank,
                    }
                }
                Event::HouseholdInactivated(_) => {
                    inactivated.extend(envelope.streams.iter().filter_map(|sv| match sv.stream {
                        StreamId::Household(id) => Some(id),
                        _ => None,
                    }))
                }
                Event::ReferralExpired(e) => expired.push(e.referral),
                _ => {}
            }
        }
        if !inactivated.is_empty() {
            Outcome::Swept { inactivated }
        } else if !expired.is_empty() {
            Outcome::Expired { referrals: expired }
        } else {
            Outcome::Recorded
        }
    }
}

/// The events a command produces and what it means for the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Events in order (may be empty, e.g. a sweep with nothing to do).
    pub events: Vec<Pending>,
    /// What to tell the caller.
    pub outcome: Outcome,
}

impl Decision {
    /// Turns the decision into an append request whose expected versions
    /// are the versions the decision was made against, and whose event ids
    /// derive from the command id.
    pub fn to_request(&self, caseload: &Caseload, meta: &CommandMeta) -> AppendRequest {
        let streams: BTreeSet<StreamId> = self
            .events
            .iter()
            .flat_map(|p| p.streams.iter().copied())
            .collect();
        AppendRequest {
            expected: streams
                .into_iter()
                .map(|s| (s, ExpectedVersion::Exact(caseload.version(&s))))
                .collect(),
            events: self
                .events
                .iter()
                .zip(0u64..)
                .map(|(pending, i)| NewEvent {
                    event_id: EventId(meta.command_id.derive("event", i)),
                    streams: pending.streams.clone(),
                    effective: pending.effective,
                    recorded_at: meta.recorded_at,
                    actor: meta.actor.clone(),
                    event: pending.event.clone(),
                })
                .collect(),
        }
    }
}

/// Decides a command against the caseload under a policy.
pub fn decide(
    caseload: &Caseload,
    policy: &Policy,
    meta: &CommandMeta,
    command: &Command,
) -> Result<Decision, Error> {
    let effective = command.date();
    if effective < crate::household::EARLIEST_DATE {
        return Err(Error::ImplausibleDate {
            field: "effective date",
            date: effective,
            rule: "HMIS data start on 1998-10-01",
        });
    }
    if effective > meta.recorded_at.date_naive() {
        return Err(Error::EffectiveAfterRecorded {
            effective,
            recorded_at: meta.recorded_at,
        });
    }
    // Who acts is recorded on every event and shown on every screen.
    check_line("user", &meta.actor.user.0, MAX_ACTOR_CHARS)?;
    check_line("agency", &meta.actor.agency.0, MAX_ACTOR_CHARS)?;
    if meta.actor.user.0.trim().is_empty() {
        return Err(Error::Required("user"));
    }
    let ctx = Context {
        caseload,
        policy,
        meta,
    };
    match command {
        Command::Enroll(c) => household::decide::enroll(&ctx, c),
        Command::Assess(c) => household::decide::assess(&ctx, c),
        Command::FollowUp(c) => household::decide::follow_up(&ctx, c),
        Command::AttemptContact(c) => household::decide::attempt_contact(&ctx, c),
        Command::RecordCeEvent(c) => household::decide::record_ce_event(&ctx, c),
        Command::AddMember(c) => household::decide::add_member(&ctx, c),
        Command::RemoveMember(c) => household::decide::remove_member(&ctx, c),
        Command::ChangeHead(c) => household::decide::change_head(&ctx, c),
        Command::Exit(c) => household::decide::exit(&ctx, c),
        Command::PostOpening(c) => opening::decide::post(&ctx, c),
        Command::WithdrawOpening(c) => opening::decide::withdraw(&ctx, c),
        Command::Refer(c) => opening::decide::refer(&ctx, c),
        Command::AcknowledgeReferral(c) => opening::decide::acknowledge(&ctx, c),
        Command::AcceptReferral(c) => opening::decide::accept(&ctx, c),
        Command::DeclineReferral(c) => opening::decide::decline(&ctx, c),
        Command::Sweep(c) => household::decide::sweep(&ctx, c),
        Command::ExpireReferrals(c) => opening::decide::expire(&ctx, c),
        Command::Correct(c) => household::decide::correct(&ctx, c),
    }
}

/// What every decide function sees.
pub(crate) struct Context<'a> {
    pub caseload: &'a Caseload,
    pub policy: &'a Policy,
    pub meta: &'a CommandMeta,
}

impl Context<'_> {
    /// Rejects the command unless the actor's role is one of `roles`
    /// (a CE lead may do anything).
    pub fn require(&self, roles: &[Role], action: &'static str) -> Result<(), Error> {
        let role = self.meta.actor.role;
        if role == Role::Lead || roles.contains(&role) {
            Ok(())
        } else {
            Err(Error::Forbidden { role, action })
        }
    }
}

/// Longest user or agency name.
pub const MAX_ACTOR_CHARS: usize = 100;

/// Checks a required free-text field and its length.
pub(crate) fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), Error> {
    if text.trim().is_empty() {
        return Err(Error::Required(field));
    }
    check_len(field, text, max)
}

/// Checks a free-text field's length in characters, and that it holds no
/// control character but line breaks and tabs (an escape sequence would
/// rewrite the terminal of whoever reads it; a NUL breaks other systems).
pub(crate) fn check_len(field: &'static str, text: &str, max: usize) -> Result<(), Error> {
    let chars = text.chars().count();
    if chars > max {
        return Err(Error::TooLong { field, chars, max });
    }
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Error::ControlCharacter {
            field,
            code: u32::from(c),
        });
    }
    Ok(())
}

/// Checks a one-line field (a name): its length, and no control character
/// at all.
pub(crate) fn check_line(field: &'static str, text: &str, max: usize) -> Result<(), Error> {
    check_len(field, text, max)?;
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(Error::ControlCharacter {
            field,
            code: u32::from(c),
        });
    }
    Ok(())
}

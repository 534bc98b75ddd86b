//! `decide`: validates a command against the current caseload and returns the
//! events it produces, or the rule it breaks. Pure: no I/O, no clock.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::caseload::Caseload;
use crate::command::{Command, CommandMeta};
use crate::envelope::{NewEvent, StreamId};
use crate::error::{DateRule, Field, Operation, Rejection};
use crate::event::Event;
use crate::outcome::Outcome;
use crate::policy::Policy;
use crate::store::{AppendRequest, ExpectedVersion};
use crate::vocab::{EventId, Role};
mod consent;
mod household;
mod opening;

pub(crate) use household::merge_diff;
pub use opening::{candidates, passed_over, rank_among, ranked_above, referable, top_candidate};
mod policy;

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
) -> Result<Decision, Rejection> {
    let effective = command.date();
    if effective < crate::record::EARLIEST_DATE {
        return Err(Rejection::ImplausibleDate {
            field: Field::EffectiveDate,
            date: effective,
            rule: DateRule::BeforeHmisData,
        });
    }
    if effective > meta.recorded_at.date_naive() {
        return Err(Rejection::EffectiveAfterRecorded {
            effective,
            recorded_at: meta.recorded_at,
        });
    }
    // Who acts is recorded on every event and shown on every screen.
    check_line(Field::User, &meta.actor.user.0, MAX_ACTOR_CHARS)?;
    check_line(Field::Agency, &meta.actor.agency.0, MAX_ACTOR_CHARS)?;
    if meta.actor.user.0.trim().is_empty() {
        return Err(Rejection::Required(Field::User));
    }
    let ctx = Context {
        caseload,
        policy,
        meta,
    };
    match command {
        Command::Enroll(c) => household::enroll(&ctx, c),
        Command::Assess(c) => household::assess(&ctx, c),
        Command::FollowUp(c) => household::follow_up(&ctx, c),
        Command::AttemptContact(c) => household::attempt_contact(&ctx, c),
        Command::RecordCeEvent(c) => household::record_ce_event(&ctx, c),
        Command::AddMember(c) => household::add_member(&ctx, c),
        Command::RemoveMember(c) => household::remove_member(&ctx, c),
        Command::ChangeHead(c) => household::change_head(&ctx, c),
        Command::Exit(c) => household::exit(&ctx, c),
        Command::PostOpening(c) => opening::post(&ctx, c),
        Command::WithdrawOpening(c) => opening::withdraw(&ctx, c),
        Command::Refer(c) => opening::refer(&ctx, c),
        Command::AcknowledgeReferral(c) => opening::acknowledge(&ctx, c),
        Command::AcceptReferral(c) => opening::accept(&ctx, c),
        Command::DeclineReferral(c) => opening::decline(&ctx, c),
        Command::Sweep(c) => household::sweep(&ctx, c),
        Command::ExpireReferrals(c) => opening::expire(&ctx, c),
        Command::Correct(c) => household::correct(&ctx, c),
        Command::Erase(c) => household::erase(&ctx, c),
        Command::RecordConsent(c) => consent::record(&ctx, c),
        Command::Restrict(c) => consent::restrict(&ctx, c),
        Command::Identify(c) => consent::identify(&ctx, c),
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
    pub(crate) fn require(&self, roles: &[Role], action: Operation) -> Result<(), Rejection> {
        let role = self.meta.actor.role;
        if role == Role::Lead || roles.contains(&role) {
            Ok(())
        } else {
            Err(Rejection::Forbidden { role, action })
        }
    }
}

/// Longest user or agency name.
pub const MAX_ACTOR_CHARS: usize = 100;

/// Checks a required free-text field and its length.
pub(crate) fn check_text(field: Field, text: &str, max: usize) -> Result<(), Rejection> {
    if text.trim().is_empty() {
        return Err(Rejection::Required(field));
    }
    check_len(field, text, max)
}

/// Checks a free-text field's length in characters, and that it holds no
/// control character but line breaks and tabs (an escape sequence would
/// rewrite the terminal of whoever reads it; a NUL breaks other systems).
pub(crate) fn check_len(field: Field, text: &str, max: usize) -> Result<(), Rejection> {
    let chars = text.chars().count();
    if chars > max {
        return Err(Rejection::TooLong { field, chars, max });
    }
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Rejection::ControlCharacter {
            field,
            code: u32::from(c),
        });
    }
    Ok(())
}

/// Checks a one-line field (a name): its length, and no control character
/// at all.
pub(crate) fn check_line(field: Field, text: &str, max: usize) -> Result<(), Rejection> {
    check_len(field, text, max)?;
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(Rejection::ControlCharacter {
            field,
            code: u32::from(c),
        });
    }
    Ok(())
}

//! One step of a sequence ([`Step`]): its metadata, and the command it
//! becomes once its references are resolved.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::action::Action;
use super::refs::{nth, Ref, Who, UNKNOWN_ID};
use super::run::Created;
use crate::caseload::Caseload;
use crate::command::{
    AcceptReferral, AcknowledgeReferral, AddMember, AttemptContact, ChangeHead, Command,
    CommandMeta, Correct, DeclineReferral, Exit, ExpireReferrals, RecordCeEvent, Refer,
    RemoveMember, Sweep, WithdrawOpening,
};
use crate::envelope::{Envelope, NewEvent, StreamId, StreamVersion};
use crate::event::{ContactAttempted, Event};
use crate::hud::{CeEventType, NoYesMissing};
use crate::policy::Policy;
use crate::record::{CeNote, ContactMethod};
use crate::store::EventStore;
use crate::vocab::{ClientId, CommandId, DeclineReasonCode, EventId, HouseholdId};

/// A client that is in no household.
const UNKNOWN_CLIENT: u128 = 0xdead;
/// Command ids of step `i` are this plus `i`.
const COMMAND_ID_BASE: u128 = 0x5e9_0000;

/// One step of a generated sequence: who does what, effective when, and
/// entered when.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Step {
    /// The day the command is entered (its recorded-at date). Sequences
    /// move forward from [`SEQUENCE_START`](super::SEQUENCE_START).
    pub entered: NaiveDate,
    /// The command's effective date: usually `entered`, sometimes
    /// backdated, rarely after `entered` (rejected).
    pub date: NaiveDate,
    /// Who issues it.
    pub who: Who,
    /// What it does.
    pub action: Action,
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date)?;
        if self.entered != self.date {
            write!(f, " (entered {})", self.entered)?;
        }
        write!(f, " {:?}: {:?}", self.who, self.action)
    }
}

impl Step {
    /// The metadata of step number `index` of a sequence: a command id
    /// derived from the index (so two stores fed one sequence create the
    /// same ids), the actor, and noon UTC on the entered date.
    pub fn meta(&self, index: usize) -> CommandMeta {
        let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN);
        CommandMeta {
            command_id: CommandId::from_uuid(uuid::Uuid::from_u128(
                COMMAND_ID_BASE + index as u128,
            )),
            actor: self.who.actor(),
            recorded_at: DateTime::<Utc>::from_naive_utc_and_offset(
                self.entered.and_time(noon),
                Utc,
            ),
        }
    }

    /// The command, with every [`Ref`] resolved against what `created`
    /// holds, members against `caseload`, decline reasons against `policy`.
    /// A correction's original event is read from `store`.
    pub fn command(
        &self,
        created: &Created,
        caseload: &Caseload,
        policy: &Policy,
        store: &dyn EventStore,
    ) -> Command {
        let date = self.date;
        let household = |r| created.household(r);
        let member = |h: Ref, m: Ref| -> ClientId {
            let unknown = ClientId::from_uuid(uuid::Uuid::from_u128(UNKNOWN_CLIENT));
            let members: Vec<ClientId> = caseload
                .households()
                .get(&household(h))
                .map(|hh| hh.members.iter().map(|m| m.client).collect())
                .unwrap_or_default();
            nth(&members, m, unknown)
        };
        match &self.action {
            Action::Enroll(spec) => spec.enroll(date).into(),
            Action::EnrollReferred(spec) => {
                let mut enroll = spec.enroll(date);
                for member in &mut enroll.members {
                    member.age_band = member.band_at(date);
                    member.birth_date = None;
                    member.first_name = None;
                    member.last_name = None;
                }
                enroll.current.location_details = None;
                enroll.referred_by = Some(crate::record::ReferralContact {
                    agency: crate::vocab::AgencyId("Safe Harbor VSP".to_owned()),
                    reference: format!("SH-{}", date.format("%Y%m%d")),
                    contact: "advocate line".to_owned(),
                });
                enroll.into()
            }
            Action::Consent {
                household: h,
                member: m,
                decision,
                referrals,
                days,
            } => crate::command::RecordConsent {
                household: household(*h),
                client: member(*h, *m),
                date,
                decision: match decision {
                    0 => crate::record::ConsentDecision::Given,
                    1 => crate::record::ConsentDecision::Refused,
                    _ => crate::record::ConsentDecision::Revoked,
                },
                scope: if *referrals {
                    crate::record::ConsentScope::Referrals
                } else {
                    crate::record::ConsentScope::Coc
                },
                expires: days.and_then(|d| date.checked_add_days(chrono::Days::new(u64::from(d)))),
            }
            .into(),
            Action::Restrict {
                household: h,
                restricted,
            } => crate::command::Restrict {
                household: household(*h),
                date,
                restricted: *restricted,
            }
            .into(),
            Action::Identify { household: h } => crate::command::Identify {
                household: household(*h),
                date,
                members: caseload
                    .households()
                    .get(&household(*h))
                    .map(|hh| {
                        hh.members
                            .iter()
                            .map(|m| crate::record::Member {
                                first_name: Some("Identified".to_owned()),
                                last_name: Some(format!(
                                    "Member {}",
                                    m.client.as_uuid().as_u128() % 1000
                                )),
                                ..m.clone()
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }
            .into(),
            Action::Assess {
                household: h,
                assessment,
            } => assessment.assess(household(*h), date).into(),
            Action::FollowUp {
                household: h,
                contact,
            } => contact.follow_up(household(*h), date).into(),
            Action::AttemptContact {
                household: h,
                method,
                left_message,
                note,
            } => AttemptContact {
                household: household(*h),
                date,
                method: *method,
                left_message: *left_message,
                note: note.resolve("Called, no answer; left a voicemail."),
            }
            .into(),
            Action::RecordCeEvent {
                household: h,
                code,
                result,
            } => {
                let event = CeEventType::try_from(*code)
                    .unwrap_or(CeEventType::ReferralToPreventionAssistance);
                let diversion = event == CeEventType::ProblemSolvingDiversion;
                RecordCeEvent {
                    household: household(*h),
                    date,
                    event,
                    problem_solving_result: diversion.then_some(NoYesMissing::Yes),
                    case_management_after: None,
                    location: event
                        .carries_referral_result()
                        .then(|| "A program in another HMIS".to_owned()),
                    result: result.map(|(r, _)| r),
                    result_date: result.and_then(|(_, days)| {
                        date.checked_add_days(chrono::Days::new(u64::from(days)))
                    }),
                }
                .into()
            }
            Action::AddMember {
                household: h,
                member,
            } => AddMember {
                household: household(*h),
                date,
                member: member.member(date),
            }
            .into(),
            Action::RemoveMember {
                household: h,
                member: m,
            } => RemoveMember {
                destination: None,
                destination_subsidy: None,
                household: household(*h),
                date,
                client: member(*h, *m),
            }
            .into(),
            Action::ChangeHead {
                household: h,
                member: m,
                former_head,
            } => ChangeHead {
                household: household(*h),
                date,
                head: member(*h, *m),
                former_head_relationship: *former_head,
            }
            .into(),
            Action::Exit {
                household: h,
                destination,
                reason,
            } => Exit {
                member_destinations: Vec::new(),
                destination_subsidy: None,
                household: household(*h),
                date,
                destination: *destination,
                reason: reason.resolve("Moved in with family out of state."),
            }
            .into(),
            Action::PostOpening(spec) => spec.post(date).into(),
            Action::WithdrawOpening { opening, reason } => WithdrawOpening {
                opening: created.opening(*opening),
                date,
                reason: reason.resolve("Funding for the unit ended."),
            }
            .into(),
            Action::Refer {
                opening,
                household: h,
                bypass,
            } => Refer {
                opening: created.opening(*opening),
                date,
                household: h.map(household),
                bypass_reason: bypass.map(|t| t.resolve("Top household asked to wait a month.")),
            }
            .into(),
            Action::Acknowledge { referral } => AcknowledgeReferral {
                referral: created.referral(*referral),
                date,
            }
            .into(),
            Action::Accept { referral } => AcceptReferral {
                referral: created.referral(*referral),
                date,
            }
            .into(),
            Action::Decline {
                referral,
                reason,
                text,
            } => {
                let codes: Vec<&str> = policy
                    .decline_reasons
                    .iter()
                    .map(|r| r.code.as_str())
                    .collect();
                let code = match reason {
                    Ref::Nth(n) if !codes.is_empty() => codes[usize::from(*n) % codes.len()],
                    _ => "no-such-reason",
                };
                DeclineReferral {
                    referral: created.referral(*referral),
                    date,
                    reason: DeclineReasonCode::new(code),
                    text: text.map(|t| t.resolve("The unit is too far from the client's job.")),
                }
                .into()
            }
            Action::Sweep => Sweep { as_of: date }.into(),
            Action::Erase {
                household: h,
                member: m,
            } => crate::command::Erase {
                client: member(*h, *m),
                reason: crate::event::ErasureReason::ClientRequest,
                date,
            }
            .into(),
            Action::ExpireReferrals => ExpireReferrals { as_of: date }.into(),
            Action::Correct {
                household: h,
                correction,
                reason,
            } => {
                let household = household(*h);
                let stream = store
                    .read_stream(&StreamId::Household(household))
                    .unwrap_or_default();
                let original = stream
                    .iter()
                    .rev()
                    .find(|e| correction.fits(&e.event))
                    .or(stream.last())
                    .cloned()
                    .unwrap_or_else(|| placeholder(self, household));
                Correct {
                    household,
                    original: Box::new(original),
                    patch: correction.patch(),
                    reason: reason.resolve("The intake worker entered the wrong value."),
                }
                .into()
            }
        }
    }
}

/// An envelope standing in for the event to correct when the household has
/// none (it does not exist): the command is rejected for that first.
fn placeholder(step: &Step, household: HouseholdId) -> Envelope {
    let new = NewEvent {
        event_id: EventId::from_uuid(uuid::Uuid::from_u128(UNKNOWN_ID)),
        streams: vec![StreamId::Household(household)],
        effective: step.date,
        recorded_at: step.meta(0).recorded_at,
        actor: step.who.actor(),
        event: Event::ContactAttempted(ContactAttempted {
            method: ContactMethod::Phone,
            left_message: false,
            note: CeNote("Called, no answer.".to_owned()),
        }),
    };
    Envelope::stored(
        new,
        0,
        vec![StreamVersion {
            stream: StreamId::Household(household),
            version: 1,
        }],
    )
}

#[cfg(test)]
mod tests {
    use crate::testing::steps;
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;

    #[test]
    fn steps_print_as_one_line_each() {
        let mut runner = TestRunner::deterministic();
        let steps = steps(5).new_tree(&mut runner).unwrap().current();
        let printed = format!("{steps:#?}");
        assert_eq!(printed.lines().count(), steps.len() + 2, "{printed}");
        assert!(printed.contains("2025-"), "{printed}");
    }
}

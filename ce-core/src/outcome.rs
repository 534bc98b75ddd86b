//! What a command produced: the outcome every command returns, and the
//! typed result of each command for [`Workflow::run`](crate::workflow::Workflow::run).

use serde::{Deserialize, Serialize};

use crate::command::*;
use crate::envelope::{Envelope, StreamId};
use crate::event::Event;
use crate::vocab::{ClientId, HouseholdId, OpeningId, ReferralId};

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
    /// A client was erased (now, or by an earlier command: `already`).
    Erased {
        /// Who.
        client: ClientId,
        /// Every household they were a member of.
        households: Vec<HouseholdId>,
        /// Whether they had been erased before: nothing was written.
        already: bool,
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
                Event::ClientErased(e) => {
                    return Outcome::Erased {
                        client: e.client,
                        households: e.households.clone(),
                        already: false,
                    }
                }
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

/// A command with a typed result, for [`Workflow::run`](crate::Workflow::run).
pub trait TypedCommand: Into<Command> {
    /// What a success gives the caller.
    type Output;
    /// The result a success of this command has, from its outcome; `None`
    /// for an outcome another kind of command has.
    fn output(outcome: Outcome) -> Option<Self::Output>;
}

/// What a referral gives the caller: see [`Outcome::Referred`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Referred {
    /// The new referral.
    pub referral: ReferralId,
    /// The household referred.
    pub household: HouseholdId,
    /// Its rank among the households eligible for the opening.
    pub rank: u32,
}

macro_rules! typed_command {
    ($($command:ident => $output:ty: |$outcome:ident| $body:expr;)+) => {
        $(
            impl TypedCommand for $command {
                type Output = $output;
                fn output($outcome: Outcome) -> Option<$output> {
                    $body
                }
            }
        )+
    };
}

typed_command! {
    Enroll => HouseholdId: |o| match o {
        Outcome::Enrolled { household } => Some(household),
        _ => None,
    };
    PostOpening => OpeningId: |o| match o {
        Outcome::Posted { opening } => Some(opening),
        _ => None,
    };
    Refer => Referred: |o| match o {
        Outcome::Referred { referral, household, rank } => Some(Referred { referral, household, rank }),
        _ => None,
    };
    Sweep => Vec<HouseholdId>: |o| match o {
        Outcome::Swept { inactivated } => Some(inactivated),
        _ => None,
    };
    ExpireReferrals => Vec<ReferralId>: |o| match o {
        Outcome::Expired { referrals } => Some(referrals),
        _ => None,
    };
    Assess => (): |o| recorded(o);
    FollowUp => (): |o| recorded(o);
    AttemptContact => (): |o| recorded(o);
    RecordCeEvent => (): |o| recorded(o);
    AddMember => (): |o| recorded(o);
    RemoveMember => (): |o| recorded(o);
    ChangeHead => (): |o| recorded(o);
    Exit => (): |o| recorded(o);
    WithdrawOpening => (): |o| recorded(o);
    AcknowledgeReferral => (): |o| recorded(o);
    AcceptReferral => (): |o| recorded(o);
    DeclineReferral => (): |o| recorded(o);
    Correct => (): |o| recorded(o);
    RecordConsent => (): |o| recorded(o);
    Restrict => (): |o| recorded(o);
    Identify => (): |o| recorded(o);
    Erase => Vec<HouseholdId>: |o| match o {
        Outcome::Erased { households, .. } => Some(households),
        _ => None,
    };
}

fn recorded(outcome: Outcome) -> Option<()> {
    (outcome == Outcome::Recorded).then_some(())
}

macro_rules! into_command {
    ($($variant:ident),+) => {
        $(
            impl From<$variant> for Command {
                fn from(command: $variant) -> Self {
                    Command::$variant(command)
                }
            }
        )+
    };
}

into_command!(
    Enroll,
    Assess,
    FollowUp,
    AttemptContact,
    RecordCeEvent,
    AddMember,
    RemoveMember,
    ChangeHead,
    Exit,
    PostOpening,
    WithdrawOpening,
    Refer,
    AcknowledgeReferral,
    AcceptReferral,
    DeclineReferral,
    Sweep,
    ExpireReferrals,
    Correct,
    Erase,
    RecordConsent,
    Restrict,
    Identify
);

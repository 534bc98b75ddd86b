//! What a step does ([`Action`]), the role that normally does it, and how
//! it prints in a failing case.

use std::fmt;

use super::assessment::AssessmentSpec;
use super::contact::ContactSpec;
use super::correction::Correction;
use super::household::{relationship_name, HouseholdSpec, MemberSpec};
use super::opening::OpeningSpec;
use super::refs::{Ref, Text, Who};
use crate::hud::{Destination, ReferralResult, RelationshipToHoH};
use crate::policy::Policy;
use crate::record::ContactMethod;

/// What a step does. Households, openings, referrals and members are named
/// by [`Ref`]; text fields by [`Text`].
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// Enroll a household (Part 1).
    Enroll(HouseholdSpec),
    /// Record a 4.19 assessment.
    Assess {
        /// The household.
        household: Ref,
        /// The assessment.
        assessment: AssessmentSpec,
    },
    /// Follow up with contact.
    FollowUp {
        /// The household.
        household: Ref,
        /// What was recorded.
        contact: ContactSpec,
    },
    /// Try to reach a household and fail.
    AttemptContact {
        /// The household.
        household: Ref,
        /// How staff tried.
        method: ContactMethod,
        /// Whether a message was left.
        left_message: bool,
        /// The CE note.
        note: Text,
    },
    /// Record a 4.20 event on a household (not an offer of an opening).
    RecordCeEvent {
        /// The household.
        household: Ref,
        /// 4.20 Event code, 1–18.
        code: u16,
        /// ReferralResult and the days from the event to its result; with
        /// an event that carries no result, the command is rejected.
        result: Option<(ReferralResult, u8)>,
    },
    /// Add a member.
    AddMember {
        /// The household.
        household: Ref,
        /// The new member.
        member: MemberSpec,
    },
    /// Remove a member (counted back from the last member; unknown: a
    /// client in no household).
    RemoveMember {
        /// The household.
        household: Ref,
        /// Which member.
        member: Ref,
    },
    /// Make another member the head of household.
    ChangeHead {
        /// The household.
        household: Ref,
        /// The new head (counted back from the last member).
        member: Ref,
        /// The former head's new relationship.
        former_head: RelationshipToHoH,
    },
    /// Exit a household.
    Exit {
        /// The household.
        household: Ref,
        /// 3.12 destination.
        destination: Destination,
        /// Why.
        reason: Text,
    },
    /// Post an opening (Part 2).
    PostOpening(OpeningSpec),
    /// Withdraw an opening.
    WithdrawOpening {
        /// The opening.
        opening: Ref,
        /// Why.
        reason: Text,
    },
    /// Refer the top household, or a named one, to an opening.
    Refer {
        /// The opening.
        opening: Ref,
        /// A specific household instead of the top one.
        household: Option<Ref>,
        /// A bypass reason.
        bypass: Option<Text>,
    },
    /// The provider acknowledges a referral.
    Acknowledge {
        /// The referral.
        referral: Ref,
    },
    /// The referral succeeds.
    Accept {
        /// The referral.
        referral: Ref,
    },
    /// The client or provider declines.
    Decline {
        /// The referral.
        referral: Ref,
        /// The policy's decline reason number n (counted from the first,
        /// modulo their number); unknown: a code the policy does not list.
        reason: Ref,
        /// Explanation.
        text: Option<Text>,
    },
    /// The inactivity sweep, as of the step's date.
    Sweep,
    /// Expire overdue referrals, as of the step's date.
    ExpireReferrals,
    /// Erase a member (counted back from the last member; unknown: a
    /// client in no household) of a household.
    Erase {
        /// The household.
        household: Ref,
        /// Which member.
        member: Ref,
    },
    /// Enroll a household without personal data: the spec's members by
    /// their age bands, referred by a victim service provider.
    EnrollReferred(HouseholdSpec),
    /// Record a member's release of information.
    Consent {
        /// The household.
        household: Ref,
        /// Which member.
        member: Ref,
        /// 0: given, 1: refused, 2: revoked.
        decision: u8,
        /// For referrals only (else the whole CoC).
        referrals: bool,
        /// A last day this many days on (given releases).
        days: Option<u16>,
    },
    /// Restrict a household, or lift the restriction.
    Restrict {
        /// The household.
        household: Ref,
        /// Restricted or not.
        restricted: bool,
    },
    /// Identify a household enrolled without personal data: every member
    /// gets a name.
    Identify {
        /// The household.
        household: Ref,
    },
    /// Correct the household's latest event the correction fits (its
    /// latest event if none fits).
    Correct {
        /// The household.
        household: Ref,
        /// What changes.
        correction: Correction,
        /// Why (required).
        reason: Text,
    },
}

impl Action {
    /// The role that may normally issue the action, for provider actions of
    /// `PROVIDER_AGENCIES[agency]` (2: the CE lead).
    pub(super) fn fitting(&self, agency: u8) -> Who {
        let provider = if agency >= 2 {
            Who::Lead
        } else {
            Who::Provider(agency)
        };
        match self {
            Action::Enroll(_)
            | Action::EnrollReferred(_)
            | Action::Consent { .. }
            | Action::Restrict { .. }
            | Action::Assess { .. }
            | Action::FollowUp { .. }
            | Action::AttemptContact { .. }
            | Action::RecordCeEvent { .. }
            | Action::AddMember { .. }
            | Action::RemoveMember { .. }
            | Action::ChangeHead { .. }
            | Action::Exit { .. }
            | Action::Correct { .. } => Who::Access,
            Action::PostOpening(_)
            | Action::WithdrawOpening { .. }
            | Action::Acknowledge { .. }
            | Action::Accept { .. }
            | Action::Decline { .. } => provider,
            Action::Refer { .. }
            | Action::Sweep
            | Action::ExpireReferrals
            | Action::Erase { .. }
            // The referring agency, or the lead, identifies a household.
            | Action::Identify { .. } => Who::Lead,
        }
    }
}

fn decline_code(r: Ref) -> String {
    match r {
        Ref::Nth(n) => {
            let reasons = Policy::wi_bos_default().decline_reasons;
            match reasons.get(usize::from(n) % reasons.len().max(1)) {
                Some(reason) => format!("reason #{n} ({})", reason.code),
                None => format!("reason #{n}"),
            }
        }
        Ref::Unknown => "an unknown reason".to_owned(),
    }
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Enroll(spec) => write!(f, "enroll {spec:?}"),
            Action::EnrollReferred(spec) => write!(f, "enroll without personal data {spec:?}"),
            Action::Consent {
                household,
                member,
                decision,
                referrals,
                days,
            } => {
                let decision = ["given", "refused", "revoked"]
                    .get(usize::from(*decision))
                    .unwrap_or(&"given");
                let scope = if *referrals { "referrals" } else { "the CoC" };
                write!(
                    f,
                    "release of information of member{member:?} of household{household:?}: {decision}, for {scope}"
                )?;
                if let Some(days) = days {
                    write!(f, ", {days} days")?;
                }
                Ok(())
            }
            Action::Restrict {
                household,
                restricted,
            } => write!(f, "restrict household{household:?}: {restricted}"),
            Action::Identify { household } => write!(f, "identify household{household:?}"),
            Action::Assess {
                household,
                assessment,
            } => write!(f, "assess household{household:?}: {assessment:?}"),
            Action::FollowUp { household, contact } => {
                write!(f, "follow up with household{household:?}: {contact:?}")
            }
            Action::AttemptContact {
                household,
                method,
                left_message,
                note,
            } => {
                write!(
                    f,
                    "attempt contact with household{household:?} by {method:?}"
                )?;
                if *left_message {
                    f.write_str(", left a message")?;
                }
                if *note != Text::Fine {
                    write!(f, ", note {note:?}")?;
                }
                Ok(())
            }
            Action::RecordCeEvent {
                household,
                code,
                result,
            } => {
                write!(f, "record 4.20 event {code} on household{household:?}")?;
                if let Some((result, days)) = result {
                    write!(f, ", result {result:?} {days} days later")?;
                }
                Ok(())
            }
            Action::AddMember { household, member } => {
                write!(f, "add {member:?} to household{household:?}")
            }
            Action::RemoveMember { household, member } => {
                write!(f, "remove member{member:?} from household{household:?}")
            }
            Action::ChangeHead {
                household,
                member,
                former_head,
            } => write!(
                f,
                "make member{member:?} head of household{household:?}, former head now {}",
                relationship_name(*former_head)
            ),
            Action::Exit {
                household,
                destination,
                reason,
            } => {
                write!(f, "exit household{household:?} to {}", destination.code())?;
                if *reason != Text::Fine {
                    write!(f, ", reason {reason:?}")?;
                }
                Ok(())
            }
            Action::PostOpening(spec) => write!(f, "post {spec:?}"),
            Action::WithdrawOpening { opening, reason } => {
                write!(f, "withdraw opening{opening:?}")?;
                if *reason != Text::Fine {
                    write!(f, ", reason {reason:?}")?;
                }
                Ok(())
            }
            Action::Refer {
                opening,
                household,
                bypass,
            } => {
                match household {
                    None => write!(f, "refer the top household to opening{opening:?}")?,
                    Some(h) => write!(f, "refer household{h:?} to opening{opening:?}")?,
                }
                if let Some(reason) = bypass {
                    write!(f, ", bypass reason {reason:?}")?;
                }
                Ok(())
            }
            Action::Acknowledge { referral } => write!(f, "acknowledge referral{referral:?}"),
            Action::Accept { referral } => write!(f, "accept referral{referral:?}"),
            Action::Decline {
                referral,
                reason,
                text,
            } => {
                write!(f, "decline referral{referral:?}: {}", decline_code(*reason))?;
                if let Some(text) = text {
                    write!(f, ", text {text:?}")?;
                }
                Ok(())
            }
            Action::Sweep => f.write_str("inactivity sweep"),
            Action::Erase { household, member } => {
                write!(f, "erase member{member:?} of household{household:?}")
            }
            Action::ExpireReferrals => f.write_str("expire overdue referrals"),
            Action::Correct {
                household,
                correction,
                reason,
            } => {
                write!(f, "correct household{household:?}: {correction:?}")?;
                if *reason != Text::Fine {
                    write!(f, ", reason {reason:?}")?;
                }
                Ok(())
            }
        }
    }
}

//! What one event changed for its household, typed: the history's
//! `changes` column. `Display` gives the words the history prints, and
//! JSON carries the same words.

use std::fmt;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use crate::event::{CancelCause, CeEventRecorded, Event};
use crate::household::HouseholdStatus;
use crate::hud::{CeEventType, ReferralResult};
use crate::vocab::{DeclineReasonCode, EventId, ListKey, OpeningId, ReferralId};

/// One thing an event changed, beside the facts it records.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Change {
    /// The household went onto a list.
    PlacedOn(ListKey),
    /// The household left a list.
    RemovedFrom(ListKey),
    /// A contact entered late brought an inactive household back: it is
    /// dated within the inactivity days before the inactivation.
    ActiveAgain {
        /// The contact's date.
        contact: NaiveDate,
        /// The inactivity days the inactivation applied.
        inactivity_days: u32,
        /// The inactivation's date.
        inactivated_on: NaiveDate,
    },
    /// The household's status changed to this one.
    Status(HouseholdStatus),
    /// A step of one of its referrals.
    Referral {
        /// The referral.
        referral: ReferralId,
        /// What happened to it.
        step: ReferralStep,
    },
    /// A 4.20 event recorded on the household.
    CeEvent(CeEventRecorded),
    /// Records of the household in another HMIS were linked to it.
    HmisLinked {
        /// How many records.
        records: usize,
        /// The source system.
        source: String,
        /// The export they came from.
        export_id: String,
    },
    /// A row the source deleted.
    HmisDeleted {
        /// The HUD file.
        file: String,
        /// The source's id of the row.
        id: String,
        /// Why, as the source said.
        reason: String,
    },
    /// An earlier event was corrected.
    Corrected {
        /// The event corrected.
        event: EventId,
        /// The fields that changed.
        fields: Vec<String>,
        /// Why.
        reason: String,
    },
}

/// What happened to a referral.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ReferralStep {
    /// Offered to an opening.
    Offered {
        /// The opening.
        opening: OpeningId,
        /// The opening's program and provider, as the referral names them.
        location: String,
        /// The 4.20 event it is referred as.
        event: CeEventType,
        /// The household's rank among the eligible households.
        rank: u32,
        /// Whether households ranked higher were passed over.
        bypass: bool,
    },
    /// The provider acknowledged it.
    Acknowledged,
    /// Accepted (result 1).
    Accepted,
    /// Declined, with HUD's result and the policy's reason.
    Declined {
        /// HUD's result (2 or 3).
        result: ReferralResult,
        /// The decline reason's code.
        reason: DeclineReasonCode,
    },
    /// Ended without a result.
    Cancelled(CancelCause),
    /// Ended when it was overdue.
    Expired,
}

impl Change {
    /// What an event says about its referral, 4.20 event, HMIS records or
    /// correction; `None` for an event whose changes are only to lists and
    /// status.
    pub(crate) fn of_event(event: &Event) -> Option<Self> {
        let referral = |referral: ReferralId, step| Change::Referral { referral, step };
        Some(match event {
            Event::ReferralOffered(e) => referral(
                e.referral,
                ReferralStep::Offered {
                    opening: e.opening,
                    location: e.location.clone(),
                    event: e.event,
                    rank: e.rank,
                    bypass: e.bypass.is_some(),
                },
            ),
            Event::CeEventRecorded(e) => Change::CeEvent(e.clone()),
            Event::HmisRecordsLinked(e) => Change::HmisLinked {
                records: e.links.len(),
                source: e.source.clone(),
                export_id: e.export_id.clone(),
            },
            Event::HmisRecordDeleted(e) => Change::HmisDeleted {
                file: e.file.clone(),
                id: e.id.clone(),
                reason: e.reason.clone(),
            },
            Event::ReferralAcknowledged(e) => referral(e.referral, ReferralStep::Acknowledged),
            Event::ReferralAccepted(e) => referral(e.referral, ReferralStep::Accepted),
            Event::ReferralDeclined(e) => referral(
                e.referral,
                ReferralStep::Declined {
                    result: e.result,
                    reason: e.reason.clone(),
                },
            ),
            Event::ReferralCancelled(e) => referral(e.referral, ReferralStep::Cancelled(e.cause)),
            Event::ReferralExpired(e) => referral(e.referral, ReferralStep::Expired),
            Event::EventCorrected(e) => Change::Corrected {
                event: e.corrects,
                fields: e.fields.clone(),
                reason: e.reason.clone(),
            },
            _ => return None,
        })
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::PlacedOn(key) => write!(f, "placed on {key}"),
            Change::RemovedFrom(key) => write!(f, "removed from {key}"),
            Change::ActiveAgain {
                contact,
                inactivity_days,
                inactivated_on,
            } => write!(
                f,
                "now active: this contact, entered late, is dated {contact}, within the \
                 {inactivity_days} days before the inactivation on {inactivated_on}, so the \
                 household was never that long without contact"
            ),
            Change::Status(status) => write!(f, "now {status}"),
            Change::Referral { referral, step } => match step {
                ReferralStep::Offered {
                    opening,
                    location,
                    event,
                    rank,
                    bypass,
                } => write!(
                    f,
                    "referral {referral} offered to opening {opening} ({location}, event {}), rank {rank}{}",
                    event.code(),
                    if *bypass { ", bypass" } else { "" }
                ),
                ReferralStep::Acknowledged => write!(f, "referral {referral} acknowledged"),
                ReferralStep::Accepted => write!(f, "referral {referral} accepted (result 1)"),
                ReferralStep::Declined { result, reason } => {
                    write!(f, "referral {referral} declined ({result}), reason {reason}")
                }
                ReferralStep::Cancelled(cause) => write!(f, "referral {referral} cancelled: {cause}"),
                ReferralStep::Expired => write!(f, "referral {referral} expired"),
            },
            Change::CeEvent(e) => {
                write!(f, "4.20 event {}: {}", e.event.code(), e.event.label())?;
                if let Some(r) = e.problem_solving_result {
                    write!(f, "; housed in a safe alternative: {}", r.label())?;
                }
                if let Some(r) = e.case_management_after {
                    write!(f, "; enrolled in aftercare: {}", r.label())?;
                }
                if let Some(location) = &e.location {
                    write!(f, "; location {location}")?;
                }
                match (e.result, e.result_date) {
                    (Some(r), Some(on)) => write!(f, "; result {} on {on}", r.code()),
                    (Some(r), None) => write!(f, "; result {} (no result date)", r.code()),
                    _ => Ok(()),
                }
            }
            Change::HmisLinked {
                records,
                source,
                export_id,
            } => write!(
                f,
                "{records} HMIS record(s) of {source} linked (export {export_id})"
            ),
            Change::HmisDeleted { file, id, reason } => {
                write!(f, "{file} {id} deleted in the source: {reason}")
            }
            Change::Corrected {
                event,
                fields,
                reason,
            } => write!(
                f,
                "corrected event {event}: {} ({reason})",
                fields.join(", ")
            ),
        }
    }
}

/// A change serializes as its words, as the history prints it.
impl Serialize for Change {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{Coalition, ListHouseholdType, ProgramType};

    #[test]
    fn a_change_is_its_words_in_json_too() {
        let key = ListKey::new(
            Coalition::new("Coulee"),
            ProgramType::Psh,
            ListHouseholdType::AdultsOnly,
        );
        let change = Change::PlacedOn(key);
        assert_eq!(change.to_string(), "placed on Coulee / psh / adults-only");
        assert_eq!(
            serde_json::to_value(&change).ok(),
            Some(serde_json::Value::String(change.to_string()))
        );
    }
}

//! Every event the workflow can record, as one enum.
//!
//! Events are immutable facts. Each serializes as `{"type": .., "data": ..}`;
//! the envelope adds the schema version so that old events can be upcast
//! before typed decoding (see [`crate::envelope`]).

use serde::{Deserialize, Serialize};

mod correction;
mod household;
mod opening;

pub use correction::EventCorrected;
pub use household::*;
pub use opening::*;

/// The current schema version of every event type. Bump an event's version
/// only together with an upcaster from the previous one.
pub const SCHEMA_VERSION: u32 = 1;

/// One domain event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
#[non_exhaustive]
pub enum Event {
    /// See [`HouseholdEnrolled`].
    HouseholdEnrolled(HouseholdEnrolled),
    /// See [`AssessmentRecorded`].
    AssessmentRecorded(AssessmentRecorded),
    /// See [`ContactMade`].
    ContactMade(ContactMade),
    /// See [`ContactAttempted`].
    ContactAttempted(ContactAttempted),
    /// See [`CeEventRecorded`].
    CeEventRecorded(CeEventRecorded),
    /// See [`MemberAdded`].
    MemberAdded(MemberAdded),
    /// See [`MemberRemoved`].
    MemberRemoved(MemberRemoved),
    /// See [`HeadOfHouseholdChanged`].
    HeadOfHouseholdChanged(HeadOfHouseholdChanged),
    /// See [`HouseholdExited`].
    HouseholdExited(HouseholdExited),
    /// See [`HouseholdInactivated`].
    HouseholdInactivated(HouseholdInactivated),
    /// See [`ClientEnrollmentOpened`].
    ClientEnrollmentOpened(ClientEnrollmentOpened),
    /// See [`ClientEnrollmentClosed`].
    ClientEnrollmentClosed(ClientEnrollmentClosed),
    /// See [`OpeningPosted`].
    OpeningPosted(OpeningPosted),
    /// See [`OpeningWithdrawn`].
    OpeningWithdrawn(OpeningWithdrawn),
    /// See [`ReferralOffered`].
    ReferralOffered(ReferralOffered),
    /// See [`ReferralAcknowledged`].
    ReferralAcknowledged(ReferralAcknowledged),
    /// See [`ReferralAccepted`].
    ReferralAccepted(ReferralAccepted),
    /// See [`ReferralDeclined`].
    ReferralDeclined(ReferralDeclined),
    /// See [`ReferralCancelled`].
    ReferralCancelled(ReferralCancelled),
    /// See [`ReferralExpired`].
    ReferralExpired(ReferralExpired),
    /// See [`EventCorrected`].
    EventCorrected(EventCorrected),
    /// See [`HmisRecordsLinked`].
    HmisRecordsLinked(HmisRecordsLinked),
    /// See [`HmisRecordDeleted`].
    HmisRecordDeleted(HmisRecordDeleted),
    /// See [`PolicyAdopted`].
    PolicyAdopted(PolicyAdopted),
    /// See [`ClientErased`].
    ClientErased(ClientErased),
    /// See [`ConsentRecorded`].
    ConsentRecorded(ConsentRecorded),
    /// See [`HouseholdRestricted`].
    HouseholdRestricted(HouseholdRestricted),
    /// See [`HouseholdIdentified`].
    HouseholdIdentified(HouseholdIdentified),
}

/// The type of an [`Event`], without its data: what a test expects, a
/// history entry shows, a filter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum EventType {
    /// See [`HouseholdEnrolled`].
    HouseholdEnrolled,
    /// See [`AssessmentRecorded`].
    AssessmentRecorded,
    /// See [`ContactMade`].
    ContactMade,
    /// See [`ContactAttempted`].
    ContactAttempted,
    /// See [`CeEventRecorded`].
    CeEventRecorded,
    /// See [`MemberAdded`].
    MemberAdded,
    /// See [`MemberRemoved`].
    MemberRemoved,
    /// See [`HeadOfHouseholdChanged`].
    HeadOfHouseholdChanged,
    /// See [`HouseholdExited`].
    HouseholdExited,
    /// See [`HouseholdInactivated`].
    HouseholdInactivated,
    /// See [`ClientEnrollmentOpened`].
    ClientEnrollmentOpened,
    /// See [`ClientEnrollmentClosed`].
    ClientEnrollmentClosed,
    /// See [`OpeningPosted`].
    OpeningPosted,
    /// See [`OpeningWithdrawn`].
    OpeningWithdrawn,
    /// See [`ReferralOffered`].
    ReferralOffered,
    /// See [`ReferralAcknowledged`].
    ReferralAcknowledged,
    /// See [`ReferralAccepted`].
    ReferralAccepted,
    /// See [`ReferralDeclined`].
    ReferralDeclined,
    /// See [`ReferralCancelled`].
    ReferralCancelled,
    /// See [`ReferralExpired`].
    ReferralExpired,
    /// See [`EventCorrected`].
    EventCorrected,
    /// See [`HmisRecordsLinked`].
    HmisRecordsLinked,
    /// See [`HmisRecordDeleted`].
    HmisRecordDeleted,
    /// See [`PolicyAdopted`].
    PolicyAdopted,
    /// See [`ClientErased`].
    ClientErased,
    /// See [`ConsentRecorded`].
    ConsentRecorded,
    /// See [`HouseholdRestricted`].
    HouseholdRestricted,
    /// See [`HouseholdIdentified`].
    HouseholdIdentified,
}

impl EventType {
    /// Every event type, in [`Event::TYPES`]' order.
    pub const ALL: &'static [EventType] = &[
        EventType::HouseholdEnrolled,
        EventType::AssessmentRecorded,
        EventType::ContactMade,
        EventType::ContactAttempted,
        EventType::CeEventRecorded,
        EventType::MemberAdded,
        EventType::MemberRemoved,
        EventType::HeadOfHouseholdChanged,
        EventType::HouseholdExited,
        EventType::HouseholdInactivated,
        EventType::ClientEnrollmentOpened,
        EventType::ClientEnrollmentClosed,
        EventType::OpeningPosted,
        EventType::OpeningWithdrawn,
        EventType::ReferralOffered,
        EventType::ReferralAcknowledged,
        EventType::ReferralAccepted,
        EventType::ReferralDeclined,
        EventType::ReferralCancelled,
        EventType::ReferralExpired,
        EventType::EventCorrected,
        EventType::HmisRecordsLinked,
        EventType::HmisRecordDeleted,
        EventType::PolicyAdopted,
        EventType::ClientErased,
        EventType::ConsentRecorded,
        EventType::HouseholdRestricted,
        EventType::HouseholdIdentified,
    ];

    /// The name the log stores.
    pub fn name(self) -> &'static str {
        match self {
            EventType::HouseholdEnrolled => "HouseholdEnrolled",
            EventType::AssessmentRecorded => "AssessmentRecorded",
            EventType::ContactMade => "ContactMade",
            EventType::ContactAttempted => "ContactAttempted",
            EventType::CeEventRecorded => "CeEventRecorded",
            EventType::MemberAdded => "MemberAdded",
            EventType::MemberRemoved => "MemberRemoved",
            EventType::HeadOfHouseholdChanged => "HeadOfHouseholdChanged",
            EventType::HouseholdExited => "HouseholdExited",
            EventType::HouseholdInactivated => "HouseholdInactivated",
            EventType::ClientEnrollmentOpened => "ClientEnrollmentOpened",
            EventType::ClientEnrollmentClosed => "ClientEnrollmentClosed",
            EventType::OpeningPosted => "OpeningPosted",
            EventType::OpeningWithdrawn => "OpeningWithdrawn",
            EventType::ReferralOffered => "ReferralOffered",
            EventType::ReferralAcknowledged => "ReferralAcknowledged",
            EventType::ReferralAccepted => "ReferralAccepted",
            EventType::ReferralDeclined => "ReferralDeclined",
            EventType::ReferralCancelled => "ReferralCancelled",
            EventType::ReferralExpired => "ReferralExpired",
            EventType::EventCorrected => "EventCorrected",
            EventType::HmisRecordsLinked => "HmisRecordsLinked",
            EventType::HmisRecordDeleted => "HmisRecordDeleted",
            EventType::PolicyAdopted => "PolicyAdopted",
            EventType::ClientErased => "ClientErased",
            EventType::ConsentRecorded => "ConsentRecorded",
            EventType::HouseholdRestricted => "HouseholdRestricted",
            EventType::HouseholdIdentified => "HouseholdIdentified",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_has_its_stored_name() {
        let names: Vec<&str> = EventType::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(names, Event::TYPES);
        for t in EventType::ALL {
            let json = serde_json::to_string(t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.name()));
        }
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The CoC adopted a new policy (prioritization, eligibility, decline
/// reasons): from this event on, lists are ranked and referrals made under
/// it. It carries the policy it replaces, so that `verify` checks every
/// earlier referral against the policy in force when it was made, also in
/// a store restored from a backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyAdopted {
    /// The policy in force from now on.
    pub policy: Box<crate::policy::Policy>,
    /// The policy it replaces.
    pub replaces: Box<crate::policy::Policy>,
}

impl Event {
    /// Every event type name this build knows.
    pub const TYPES: &'static [&'static str] = &[
        "HouseholdEnrolled",
        "AssessmentRecorded",
        "ContactMade",
        "ContactAttempted",
        "CeEventRecorded",
        "MemberAdded",
        "MemberRemoved",
        "HeadOfHouseholdChanged",
        "HouseholdExited",
        "HouseholdInactivated",
        "ClientEnrollmentOpened",
        "ClientEnrollmentClosed",
        "OpeningPosted",
        "OpeningWithdrawn",
        "ReferralOffered",
        "ReferralAcknowledged",
        "ReferralAccepted",
        "ReferralDeclined",
        "ReferralCancelled",
        "ReferralExpired",
        "EventCorrected",
        "HmisRecordsLinked",
        "HmisRecordDeleted",
        "PolicyAdopted",
        "ClientErased",
        "ConsentRecorded",
        "HouseholdRestricted",
        "HouseholdIdentified",
    ];

    /// The event's type.
    pub fn kind(&self) -> EventType {
        match self {
            Event::HouseholdEnrolled(_) => EventType::HouseholdEnrolled,
            Event::AssessmentRecorded(_) => EventType::AssessmentRecorded,
            Event::ContactMade(_) => EventType::ContactMade,
            Event::ContactAttempted(_) => EventType::ContactAttempted,
            Event::CeEventRecorded(_) => EventType::CeEventRecorded,
            Event::MemberAdded(_) => EventType::MemberAdded,
            Event::MemberRemoved(_) => EventType::MemberRemoved,
            Event::HeadOfHouseholdChanged(_) => EventType::HeadOfHouseholdChanged,
            Event::HouseholdExited(_) => EventType::HouseholdExited,
            Event::HouseholdInactivated(_) => EventType::HouseholdInactivated,
            Event::ClientEnrollmentOpened(_) => EventType::ClientEnrollmentOpened,
            Event::ClientEnrollmentClosed(_) => EventType::ClientEnrollmentClosed,
            Event::OpeningPosted(_) => EventType::OpeningPosted,
            Event::OpeningWithdrawn(_) => EventType::OpeningWithdrawn,
            Event::ReferralOffered(_) => EventType::ReferralOffered,
            Event::ReferralAcknowledged(_) => EventType::ReferralAcknowledged,
            Event::ReferralAccepted(_) => EventType::ReferralAccepted,
            Event::ReferralDeclined(_) => EventType::ReferralDeclined,
            Event::ReferralCancelled(_) => EventType::ReferralCancelled,
            Event::ReferralExpired(_) => EventType::ReferralExpired,
            Event::EventCorrected(_) => EventType::EventCorrected,
            Event::HmisRecordsLinked(_) => EventType::HmisRecordsLinked,
            Event::HmisRecordDeleted(_) => EventType::HmisRecordDeleted,
            Event::PolicyAdopted(_) => EventType::PolicyAdopted,
            Event::ClientErased(_) => EventType::ClientErased,
            Event::ConsentRecorded(_) => EventType::ConsentRecorded,
            Event::HouseholdRestricted(_) => EventType::HouseholdRestricted,
            Event::HouseholdIdentified(_) => EventType::HouseholdIdentified,
        }
    }

    /// Withholds the names and birth date of every member the event records
    /// whose client `shows` refuses (see [`crate::Household::as_seen_by`]):
    /// what a history shows a viewer without the client's consent.
    /// The ids of records in another HMIS (which lead to the person there)
    /// are withheld with them: a linked row of a withheld client, and the
    /// household's and deleted rows' ids when anyone is withheld.
    pub fn withhold_names(&mut self, shows: &impl Fn(crate::vocab::ClientId) -> bool) {
        let withheld = crate::record::WITHHELD;
        let members: Vec<&mut crate::record::Member> = match self {
            Event::HouseholdEnrolled(e) => e.members.iter_mut().collect(),
            Event::HouseholdIdentified(e) => e.members.iter_mut().collect(),
            Event::MemberAdded(e) => vec![&mut e.member],
            Event::EventCorrected(e) => return e.corrected.withhold_names(shows),
            Event::HmisRecordsLinked(e) => {
                let mut any = false;
                for link in &mut e.links {
                    if link.client.is_some_and(|c| !shows(c)) {
                        link.id = withheld.to_owned();
                        any = true;
                    }
                }
                if any {
                    if let Some(id) = &mut e.household_id {
                        *id = withheld.to_owned();
                    }
                }
                Vec::new()
            }
            _ => Vec::new(),
        };
        for member in members {
            if !shows(member.client) {
                member.withhold();
            }
        }
    }

    /// Withholds where the household stays and was assessed: what a
    /// restricted household's record shows to anyone but the CE lead and
    /// its owning agency.
    pub fn withhold_locations(&mut self) {
        let withheld = || crate::record::WITHHELD.to_owned();
        match self {
            Event::HouseholdEnrolled(e) if e.current.location_details.is_some() => {
                e.current.location_details = Some(withheld());
            }
            Event::ContactMade(e) if e.current.location_details.is_some() => {
                e.current.location_details = Some(withheld());
            }
            Event::AssessmentRecorded(e) => e.assessment.location = withheld(),
            Event::CeEventRecorded(e) if e.location.is_some() => {
                e.location = Some(withheld());
            }
            Event::EventCorrected(e) => e.corrected.withhold_locations(),
            _ => {}
        }
    }

    /// The event's type name, as stored.
    pub fn event_type(&self) -> &'static str {
        self.kind().name()
    }

    /// What the event records, in words, for audit output ("referral
    /// expired"); [`event_type`](Self::event_type) is its stored name.
    pub fn label(&self) -> &'static str {
        match self {
            Event::HouseholdEnrolled(_) => "household enrolled in CE",
            Event::AssessmentRecorded(_) => "CE assessment",
            Event::ContactMade(_) => "status update with contact",
            Event::ContactAttempted(_) => "contact attempt (CE note)",
            Event::CeEventRecorded(_) => "CE event",
            Event::MemberAdded(_) => "member added",
            Event::MemberRemoved(_) => "member removed",
            Event::HeadOfHouseholdChanged(_) => "head of household changed",
            Event::HouseholdExited(_) => "exit from CE",
            Event::HouseholdInactivated(_) => "made inactive by the sweep",
            Event::ClientEnrollmentOpened(_) => "client's CE enrollment opened",
            Event::ClientEnrollmentClosed(_) => "client's CE enrollment closed",
            Event::OpeningPosted(_) => "opening posted",
            Event::OpeningWithdrawn(_) => "opening withdrawn",
            Event::ReferralOffered(_) => "referral offered",
            Event::ReferralAcknowledged(_) => "referral acknowledged",
            Event::ReferralAccepted(_) => "referral accepted",
            Event::ReferralDeclined(_) => "referral declined",
            Event::ReferralCancelled(_) => "referral cancelled",
            Event::ReferralExpired(_) => "referral expired",
            Event::EventCorrected(_) => "correction",
            Event::HmisRecordsLinked(_) => "HMIS records linked",
            Event::HmisRecordDeleted(_) => "HMIS record deleted in the source",
            Event::PolicyAdopted(_) => "policy adopted",
            Event::ClientErased(_) => "client erased",
            Event::ConsentRecorded(_) => "release of information",
            Event::HouseholdRestricted(_) => "restriction changed",
            Event::HouseholdIdentified(_) => "members identified",
        }
    }

    /// The HUD data element the event corresponds to, for audit output.
    pub fn hud_element(&self) -> Option<&'static str> {
        match self {
            Event::HouseholdEnrolled(_) => Some("3.10/3.15/3.917/4.12"),
            Event::AssessmentRecorded(_) => Some("4.19"),
            Event::ContactMade(_) => Some("3.917/4.12"),
            Event::MemberAdded(_) | Event::MemberRemoved(_) => Some("3.15"),
            Event::HouseholdIdentified(_) => Some("3.01/3.03"),
            Event::HeadOfHouseholdChanged(_) => Some("3.15"),
            Event::HouseholdExited(_) => Some("3.11/3.12"),
            Event::EventCorrected(e) => e.corrected.hud_element(),
            Event::ReferralOffered(_)
            | Event::ReferralAccepted(_)
            | Event::ReferralDeclined(_)
            | Event::CeEventRecorded(_) => Some("4.20"),
            _ => None,
        }
    }
}

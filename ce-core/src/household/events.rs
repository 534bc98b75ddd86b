//! Events of the household stream (one CE enrollment) and the client stream.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::{
    Assessment, CeNote, Coalition, ContactMethod, CurrentLivingSituation, Member,
    PriorLivingSituation, StatusUpdate,
};
use crate::hud::{CeEventType, Destination, NoYesMissing, ReferralResult, RelationshipToHoH};
use crate::ids::{ClientId, HouseholdId};

/// A household was enrolled in the BoS Coordinated Entry project, with the
/// same-day Current Living Situation. Its effective date is the project start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdEnrolled {
    /// The new household (CE enrollment).
    pub household: HouseholdId,
    /// Local coalition whose lists the household goes on.
    pub coalition: Coalition,
    /// Members with their relationship to the head of household.
    pub members: Vec<Member>,
    /// 3.917 Prior Living Situation of the head of household.
    pub prior: PriorLivingSituation,
    /// 4.12 Current Living Situation on the project start date.
    pub current: CurrentLivingSituation,
}

/// A 4.19 CE assessment was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentRecorded {
    /// The assessment.
    pub assessment: Assessment,
}

/// A HUD 4.20 Coordinated Entry event recorded on the household that is not
/// an offer of one of ce's openings: an access event (codes 1–4), a referral
/// to services (5–9, 16), or a referral to housing made in another system
/// (10–15, 17, 18). Openings posted and referred in ce are
/// [`ReferralOffered`](crate::opening::ReferralOffered) instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CeEventRecorded {
    /// 4.20 Event: the kind of event.
    pub event: CeEventType,
    /// ProbSolDivRRResult: whether problem solving / diversion housed the
    /// household in a safe alternative (event 2 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem_solving_result: Option<NoYesMissing>,
    /// ReferralCaseManageAfter: whether the client enrolled in aftercare
    /// (event 5 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_management_after: Option<NoYesMissing>,
    /// LocationCrisisOrPHHousing: the project or resource referred to (events
    /// 10–15, 17, 18).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// ReferralResult (events 10–15, 17, 18).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<ReferralResult>,
    /// ResultDate. Commands require it with a result; an imported record may
    /// lack it, as some HMIS exports do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_date: Option<NaiveDate>,
}

/// Staff reached the household: Status Update, Current Living Situation and
/// CE Note, recorded together. This is contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactMade {
    /// Residence and months homeless.
    pub status: StatusUpdate,
    /// 4.12 Current Living Situation.
    pub current: CurrentLivingSituation,
    /// What was discussed.
    pub note: CeNote,
}

/// Staff tried and failed to reach the household. Not contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactAttempted {
    /// How staff tried.
    pub method: ContactMethod,
    /// Whether a message was left.
    pub left_message: bool,
    /// A note about the attempt.
    pub note: CeNote,
}

/// A person joined the household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberAdded {
    /// The new member.
    pub member: Member,
}

/// A person (not the head of household) left the household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberRemoved {
    /// Who left.
    pub client: ClientId,
}

/// Another member became head of household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadOfHouseholdChanged {
    /// The new head of household.
    pub head: ClientId,
    /// The former head's relationship to the new head.
    pub former_head_relationship: RelationshipToHoH,
}

/// The household exited CE. It leaves every list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdExited {
    /// 3.12 destination.
    pub destination: Destination,
    /// Why the household exited.
    pub reason: String,
}

/// A sweep found no contact for longer than the policy allows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdInactivated {
    /// The last contact (or project start when there was none).
    pub last_contact: NaiveDate,
    /// Days from the last contact to the sweep's as-of date.
    pub days_without_contact: i64,
    /// The policy limit that was exceeded.
    pub inactivity_days: u32,
}

/// Client stream: the client now has an open CE enrollment in this household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientEnrollmentOpened {
    /// The household the client is enrolled with.
    pub household: HouseholdId,
}

/// Client stream: the client's CE enrollment closed (exit or removal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientEnrollmentClosed {
    /// The household the client was enrolled with.
    pub household: HouseholdId,
}

/// A data-entry mistake in an earlier event of the household's stream was
/// corrected. The original stays in the log; state uses the corrected
/// values from the original's effective date on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventCorrected {
    /// The event corrected.
    pub corrects: crate::ids::EventId,
    /// The fields that changed (JSON paths of the event's data).
    pub fields: Vec<String>,
    /// Why.
    pub reason: String,
    /// The event as it should have been recorded.
    pub corrected: Box<crate::event::Event>,
}

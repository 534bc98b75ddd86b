//! Events of the household stream (one CE enrollment) and the client stream.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::record::{
    Assessment, CeNote, ContactMethod, CurrentLivingSituation, Member, MemberDestination,
    PriorLivingSituation, StatusUpdate,
};

use crate::hud::{
    CeEventType, Destination, NoYesMissing, ReferralResult, RelationshipToHoH, RentalSubsidyType,
};
use crate::record::{ConsentDecision, ConsentScope, ReferralContact};
use crate::vocab::{AgencyId, ClientId, Coalition, HouseholdId};

/// A household was enrolled in the BoS Coordinated Entry project, with the
/// same-day Current Living Situation. Its effective date is the project start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// The agency that enrolled the household: with the CE lead, it sees
    /// the names whatever the consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<AgencyId>,
    /// For a household enrolled without personal data: the agency that
    /// holds it, and how to reach the household through that agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_by: Option<ReferralContact>,
    /// Restricted (fleeing domestic violence): names are shown to the CE
    /// lead and the owning agency only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub restricted: bool,
}

/// A 4.19 CE assessment was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRecorded {
    /// The assessment.
    pub assessment: Assessment,
    /// Whether it counts as contact with the household (the policy's
    /// `assessment_is_contact` when it was recorded).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub contact: bool,
}

/// A HUD 4.20 Coordinated Entry event recorded on the household that is not
/// an offer of one of ce's openings: an access event (codes 1–4), a referral
/// to services (5–9, 16), or a referral to housing made in another system
/// (10–15, 17, 18). Openings posted and referred in ce are
/// [`ReferralOffered`](crate::event::ReferralOffered) instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct ContactAttempted {
    /// How staff tried.
    pub method: ContactMethod,
    /// Whether a message was left.
    pub left_message: bool,
    /// A note about the attempt.
    pub note: CeNote,
}

/// A member's release of information (ROI) was given, refused or revoked.
/// Its effective date is the day the client answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentRecorded {
    /// The member who answered.
    pub client: ClientId,
    /// Given, refused or revoked.
    pub decision: ConsentDecision,
    /// Whom the release covers.
    pub scope: ConsentScope,
    /// The last day a given release holds, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

/// The household was marked restricted (fleeing domestic violence), or the
/// mark was lifted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdRestricted {
    /// Whether it is restricted from now on.
    pub restricted: bool,
}

/// A household enrolled without personal data was linked to its members'
/// HMIS records: their names and birth dates are recorded, and the
/// household keeps its list date, its age bands and so its rank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdIdentified {
    /// The members as identified, by their ce client ids.
    pub members: Vec<Member>,
}

/// A person joined the household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberAdded {
    /// The new member.
    pub member: Member,
}

/// A person (not the head of household) left the household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberRemoved {
    /// Who left.
    pub client: ClientId,
    /// Where they went (3.12), when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<Destination>,
    /// 3.12.A DestinationSubsidyType, with destination 435.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_subsidy: Option<RentalSubsidyType>,
}

/// Another member became head of household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadOfHouseholdChanged {
    /// The new head of household.
    pub head: ClientId,
    /// The former head's relationship to the new head.
    pub former_head_relationship: RelationshipToHoH,
}

/// The household exited CE. It leaves every list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdExited {
    /// 3.12 destination.
    pub destination: Destination,
    /// 3.12.A DestinationSubsidyType, with destination 435.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_subsidy: Option<RentalSubsidyType>,
    /// Members whose own destination differs from the household's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub member_destinations: Vec<MemberDestination>,
    /// Why the household exited.
    pub reason: String,
}

/// A sweep found no contact for longer than the policy allows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct ClientEnrollmentOpened {
    /// The household the client is enrolled with.
    pub household: HouseholdId,
}

/// Client stream: the client's CE enrollment closed (exit or removal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientEnrollmentClosed {
    /// The household the client was enrolled with.
    pub household: HouseholdId,
}

/// The HMIS records an import took from another system, linked to the
/// events that recorded them: the source's own ids (PersonalID,
/// EnrollmentID, AssessmentID, EventID, ...) and when the source last
/// changed each row. An import appends one per household and export; the
/// HUD CSV export writes the source's ids back from them, and a later
/// export of the same source is matched against them. The household's
/// state does not change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HmisRecordsLinked {
    /// The source system: Export.csv's SourceID and ImplementationID.
    pub source: String,
    /// The ExportID of the export the links come from.
    pub export_id: String,
    /// The source's HouseholdID of the household.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household_id: Option<String>,
    /// One link per source row.
    pub links: Vec<HmisLink>,
}

impl HmisRecordsLinked {
    /// Each client's PersonalID in the source: its Client.csv row's id.
    pub fn client_ids(&self) -> impl Iterator<Item = (ClientId, &str)> + '_ {
        self.links
            .iter()
            .filter(|link| link.file == "Client.csv")
            .filter_map(|link| Some((link.client?, link.id.as_str())))
    }
}

/// One source row and the event that recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HmisLink {
    /// The HUD file, e.g. `Event.csv`.
    pub file: String,
    /// The row's id in the source (the file's first column).
    pub id: String,
    /// The event that recorded the row.
    pub event: crate::vocab::EventId,
    /// The person the row is about (Client.csv and Enrollment.csv rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientId>,
    /// The row's DateUpdated in the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<chrono::DateTime<chrono::Utc>>,
}

/// The source system deleted a record ce imported from it (its row came
/// back with DateDeleted, or a full refresh no longer has it). The record
/// stays in the log; reports and exports leave it out from now on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HmisRecordDeleted {
    /// The event that recorded the deleted row.
    pub deletes: crate::vocab::EventId,
    /// The HUD file and the source's id of the row.
    pub file: String,
    /// The source's id.
    pub id: String,
    /// Why, e.g. "DateDeleted 2025-07-14 09:02:11 in export EXP-2025-07".
    pub reason: String,
}

/// A client was erased: the key that sealed their names, birth date and
/// ids, and the keys of their households' notes, are deleted, so that
/// every copy of that data (the log, its backups, the projections) reads
/// as erased. It records no personal data itself, and changes no rank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientErased {
    /// Who.
    pub client: ClientId,
    /// Why.
    pub reason: ErasureReason,
    /// Every household the client was ever a member of: their notes go
    /// with the client's data.
    pub households: Vec<HouseholdId>,
}

/// Why a client was erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErasureReason {
    /// The client asked to be removed.
    ClientRequest,
    /// The CoC's retention period for the client's data ended.
    Retention,
    /// The client was entered in error (a duplicate or a test record).
    EnteredInError,
}

impl ErasureReason {
    /// Every reason.
    pub const ALL: [ErasureReason; 3] = [
        ErasureReason::ClientRequest,
        ErasureReason::Retention,
        ErasureReason::EnteredInError,
    ];

    /// The reason's code: `client-request`, `retention`, `entered-in-error`.
    pub fn code(self) -> &'static str {
        match self {
            ErasureReason::ClientRequest => "client-request",
            ErasureReason::Retention => "retention",
            ErasureReason::EnteredInError => "entered-in-error",
        }
    }
}

impl std::fmt::Display for ErasureReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for ErasureReason {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.code() == s.trim())
            .ok_or_else(|| {
                format!(
                    "{s:?} is not an erasure reason: client-request, retention or entered-in-error"
                )
            })
    }
}

//! The facts recorded about a household: members, 3.917, 4.12, 4.19, notes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::hud::{
    AssessmentLevel, AssessmentType, CurrentSituation, Destination, LengthOfStay, MonthsHomeless,
    NoYesMissing, NoYesReasons, PriorSituation, PrioritizationStatus, RelationshipToHoH,
    RentalSubsidyType, TimesHomeless,
};
use crate::vocab::{AssessmentId, ClientId};

/// Longest CE note the BoS workflow accepts (it asks for one or two sentences).
pub const MAX_NOTE_CHARS: usize = 1_000;
/// Longest free-text location HUD accepts (4.12 and 4.19 location fields).
pub const MAX_LOCATION_CHARS: usize = 250;
/// Longest first or last name HUD's CSV carries (Client.csv, S50).
pub const MAX_NAME_CHARS: usize = 50;
/// Most members one household may have.
pub const MAX_MEMBERS: usize = 30;
/// The youngest a head of household can plausibly be at project start: a
/// younger head is almost always a birth date entered wrong.
pub const MIN_HEAD_AGE: u32 = 12;
/// The earliest effective date (HUD's HMIS data standards start on
/// 1998-10-01; nothing in a CE enrollment is older).
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1998, 10, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};
/// The earliest birth date taken (HUD's data quality checks flag births
/// before 1915; none before 1900 is possible for a living client).
pub const EARLIEST_BIRTH_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// One person in the household, as enrolled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// HUD PersonalID.
    pub client: ClientId,
    /// 3.15 relationship to the head of household.
    pub relationship: RelationshipToHoH,
    /// 3.03 date of birth, when known; drives household type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// 3.07 veteran status (adults).
    pub veteran: NoYesReasons,
    /// 3.08 disabling condition.
    pub disabling_condition: NoYesReasons,
    /// First name, for reports; optional to keep PII out where not needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name, for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
}

impl Member {
    /// A head of household with the HUD answers not yet collected (99:
    /// veteran status, disabling condition) and no birth date or name; set
    /// the ones collected with struct update syntax.
    pub fn head(client: ClientId) -> Self {
        Self {
            client,
            relationship: RelationshipToHoH::SelfHeadOfHousehold,
            birth_date: None,
            veteran: NoYesReasons::DataNotCollected,
            disabling_condition: NoYesReasons::DataNotCollected,
            first_name: None,
            last_name: None,
        }
    }

    /// True for the head of household.
    pub fn is_head(&self) -> bool {
        self.relationship == RelationshipToHoH::SelfHeadOfHousehold
    }

    /// Age in whole years on `date`, when the birth date is known.
    pub fn age_on(&self, date: NaiveDate) -> Option<u32> {
        self.birth_date.and_then(|born| date.years_since(born))
    }
}

/// 3.917 Prior Living Situation, collected at project start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorLivingSituation {
    /// Where the head of household stayed the night before project start.
    pub living_situation: PriorSituation,
    /// Approximate start of the current episode (DateToStreetESSH).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub episode_start: Option<NaiveDate>,
    /// Times on the street, in ES or SH in the past three years.
    pub times_homeless: TimesHomeless,
    /// Months on the street, in ES or SH in the past three years.
    pub months_homeless: MonthsHomeless,
    /// The rest of 3.917, when recorded (imports keep what the source had).
    #[serde(default, skip_serializing_if = "PriorStay::is_empty")]
    pub stay: PriorStay,
}

impl PriorLivingSituation {
    /// 3.917 with the living situation only: no episode start, times and
    /// months homeless not collected (99); set the ones collected with
    /// struct update syntax.
    pub fn new(living_situation: PriorSituation) -> Self {
        Self {
            living_situation,
            episode_start: None,
            times_homeless: TimesHomeless::DataNotCollected,
            months_homeless: MonthsHomeless::DataNotCollected,
            stay: PriorStay::default(),
        }
    }
}

/// The parts of 3.917 the workflow does not decide on: the subsidy of a
/// prior rental, how long the client stayed, and the questions that follow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorStay {
    /// 3.917.A RentalSubsidyType, with prior living situation 435.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rental_subsidy: Option<RentalSubsidyType>,
    /// 3.917.2 LengthOfStay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length_of_stay: Option<LengthOfStay>,
    /// 3.917.2A/B LOSUnderThreshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub under_threshold: Option<NoYesMissing>,
    /// 3.917.2C PreviousStreetESSH.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_street_essh: Option<NoYesMissing>,
}

impl PriorStay {
    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A member's own 3.12 destination, when it differs from the household's
/// (an exit), or the destination of a member who leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberDestination {
    /// The member.
    pub client: ClientId,
    /// 3.12 destination.
    pub destination: Destination,
    /// 3.12.A DestinationSubsidyType, with destination 435.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsidy: Option<RentalSubsidyType>,
}

/// 4.12's questions after "must leave within 14 days" = yes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeavingSituation {
    /// SubsequentResidence: has a subsequent residence been identified?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsequent_residence: Option<NoYesReasons>,
    /// ResourcesToObtain: does the household have resources to obtain it?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_to_obtain: Option<NoYesReasons>,
    /// LeaseOwn60Day: had a lease or ownership in the last 60 days?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_own_60_day: Option<NoYesReasons>,
    /// MovedTwoOrMore: moved two or more times in the last 60 days?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_two_or_more: Option<NoYesReasons>,
}

impl LeavingSituation {
    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// 4.12 Current Living Situation. Its information date is the effective date
/// of the event that carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrentLivingSituation {
    /// Where the household is staying now.
    pub living_situation: CurrentSituation,
    /// Subsidy type, required with 435 (rental with ongoing subsidy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsidy: Option<RentalSubsidyType>,
    /// Project that verified it (for CE, the CE project or access point).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_by: Option<String>,
    /// Must leave the current situation within 14 days?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leave_within_14_days: Option<NoYesReasons>,
    /// The questions that follow a yes.
    #[serde(default, skip_serializing_if = "LeavingSituation::is_empty")]
    pub leaving: LeavingSituation,
    /// Free-text location details (at most 250 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_details: Option<String>,
}

impl CurrentLivingSituation {
    /// A 4.12 record with only the living situation filled in.
    pub fn new(living_situation: CurrentSituation) -> Self {
        Self {
            living_situation,
            subsidy: None,
            verified_by: None,
            leave_within_14_days: None,
            leaving: LeavingSituation::default(),
            location_details: None,
        }
    }
}

/// The Status Update a follow-up with contact records: residence and months
/// homeless, refreshing 3.917.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusUpdate {
    /// Where the household is residing.
    pub residence: PriorSituation,
    /// Months homeless in the past three years, as of the update.
    pub months_homeless: MonthsHomeless,
}

/// A CE Note: one or two sentences about the housing conversation or attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CeNote(pub String);

/// How staff tried to reach a household they could not reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ContactMethod {
    /// A phone call.
    Phone,
    /// An email.
    Email,
    /// A text message.
    Text,
    /// A visit in person.
    InPerson,
    /// Any other way.
    Other,
}

/// One local assessment question and its answer (AssessmentQuestions.csv).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentAnswer {
    /// The question as the local tool names it.
    pub question: String,
    /// The answer given.
    pub answer: String,
}

/// One assessment result, e.g. a score (AssessmentResults.csv).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentResultEntry {
    /// What the result is, e.g. "Pre-Screen score".
    pub result_type: String,
    /// The result.
    pub result: String,
}

/// 4.19 Coordinated Entry Assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    /// Id of this assessment (AssessmentID).
    pub assessment_id: AssessmentId,
    /// Where it took place (at most 250 characters).
    pub location: String,
    /// Phone, virtual or in person.
    pub assessment_type: AssessmentType,
    /// Crisis needs or housing needs.
    pub level: AssessmentLevel,
    /// Local questions and answers.
    #[serde(default)]
    pub answers: Vec<AssessmentAnswer>,
    /// Local results.
    #[serde(default)]
    pub results: Vec<AssessmentResultEntry>,
    /// The prioritization score the policy ranks by, if the tool gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u32>,
    /// Placed on the prioritization list or not.
    pub prioritization: PrioritizationStatus,
}

//! The facts recorded about a household: members, 3.917, 4.12, 4.19, notes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::hud::{
    AssessmentLevel, AssessmentType, CurrentSituation, Destination, LengthOfStay, MonthsHomeless,
    NoYesMissing, NoYesReasons, PriorSituation, PrioritizationStatus, RelationshipToHoH,
    RentalSubsidyType, TimesHomeless,
};
use crate::vocab::{AssessmentId, ClientId};

/// What a field reads as once its subject was erased.
pub const ERASED: &str = "[erased]";
/// What a name reads as to a viewer the client's consent does not cover.
pub const WITHHELD: &str = "[withheld]";
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
    /// Age at the household's project start in HUD's reporting bands: what
    /// the policy ranks and checks by, kept in clear so that rankings never
    /// need the birth date. Derived from the birth date when there is one;
    /// given alone when the birth date is not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_band: Option<AgeBand>,
    /// The names and birth date, sealed under the client's key, as a
    /// store keeps them; opened, it is gone and they are back. It reads
    /// [`ERASED`] once the client was erased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<String>,
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
            age_band: None,
            sealed: None,
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

    /// Whether the client was erased: their names and birth date are gone
    /// for good.
    pub fn is_erased(&self) -> bool {
        self.sealed.as_deref() == Some(ERASED)
    }

    /// Whether the viewer may not see the names and birth date: they read
    /// [`WITHHELD`].
    pub fn is_withheld(&self) -> bool {
        self.sealed.as_deref() == Some(WITHHELD)
    }

    /// Takes the names and birth date out of this copy for a viewer who may
    /// not see them (an erased client stays erased).
    pub fn withhold(&mut self) {
        if self.is_erased() {
            return;
        }
        self.first_name = None;
        self.last_name = None;
        self.birth_date = None;
        self.sealed = Some(WITHHELD.to_owned());
    }

    /// The age band at `project_start`: the recorded one, or else the
    /// birth date's (a record from before bands were recorded).
    pub fn band_at(&self, project_start: NaiveDate) -> Option<AgeBand> {
        self.age_band
            .or_else(|| self.age_on(project_start).map(AgeBand::of))
    }
}

/// An age in HUD's reporting bands (the APR's and CSV's age groups). The
/// policy asks only whether a member is an adult, a youth (18 to 24) or
/// old enough to head a household, which the bands answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AgeBand {
    /// Under 5.
    #[serde(rename = "0-4")]
    Under5,
    /// 5 to 12.
    #[serde(rename = "5-12")]
    From5To12,
    /// 13 to 17.
    #[serde(rename = "13-17")]
    From13To17,
    /// 18 to 24: HUD's youth.
    #[serde(rename = "18-24")]
    From18To24,
    /// 25 to 34.
    #[serde(rename = "25-34")]
    From25To34,
    /// 35 to 44.
    #[serde(rename = "35-44")]
    From35To44,
    /// 45 to 54.
    #[serde(rename = "45-54")]
    From45To54,
    /// 55 to 64.
    #[serde(rename = "55-64")]
    From55To64,
    /// 65 and over.
    #[serde(rename = "65+")]
    From65,
}

impl AgeBand {
    /// Every band, youngest first.
    pub const ALL: [AgeBand; 9] = [
        AgeBand::Under5,
        AgeBand::From5To12,
        AgeBand::From13To17,
        AgeBand::From18To24,
        AgeBand::From25To34,
        AgeBand::From35To44,
        AgeBand::From45To54,
        AgeBand::From55To64,
        AgeBand::From65,
    ];

    /// The band of an age in whole years.
    pub fn of(age: u32) -> Self {
        Self::ALL
            .into_iter()
            .find(|band| band.max_age().is_none_or(|max| age <= max))
            .unwrap_or(AgeBand::From65)
    }

    /// The youngest age in the band.
    pub fn min_age(self) -> u32 {
        match self {
            AgeBand::Under5 => 0,
            AgeBand::From5To12 => 5,
            AgeBand::From13To17 => 13,
            AgeBand::From18To24 => 18,
            AgeBand::From25To34 => 25,
            AgeBand::From35To44 => 35,
            AgeBand::From45To54 => 45,
            AgeBand::From55To64 => 55,
            AgeBand::From65 => 65,
        }
    }

    /// The oldest age in the band; `None` for 65 and over.
    pub fn max_age(self) -> Option<u32> {
        match self {
            AgeBand::From65 => None,
            band => Self::ALL
                .iter()
                .skip_while(|b| **b != band)
                .nth(1)
                .map(|next| next.min_age().saturating_sub(1)),
        }
    }

    /// 18 or older.
    pub fn is_adult(self) -> bool {
        self.min_age() >= 18
    }

    /// The band's words: `18-24`, `65+`.
    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Under5 => "0-4",
            AgeBand::From5To12 => "5-12",
            AgeBand::From13To17 => "13-17",
            AgeBand::From18To24 => "18-24",
            AgeBand::From25To34 => "25-34",
            AgeBand::From35To44 => "35-44",
            AgeBand::From45To54 => "45-54",
            AgeBand::From55To64 => "55-64",
            AgeBand::From65 => "65+",
        }
    }
}

impl std::fmt::Display for AgeBand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for AgeBand {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|band| band.as_str() == s.trim())
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|b| b.as_str()).collect();
                format!("{s:?} is not an age band; one of {}", all.join(", "))
            })
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

impl std::fmt::Display for ContactMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ContactMethod::Phone => "phone",
            ContactMethod::Email => "email",
            ContactMethod::Text => "text message",
            ContactMethod::InPerson => "in person",
            ContactMethod::Other => "other",
        })
    }
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

#[cfg(test)]
mod tests {
    use super::AgeBand;

    #[test]
    fn each_age_falls_in_the_band_that_holds_it() {
        for age in 0..=120 {
            let band = AgeBand::of(age);
            assert!(band.min_age() <= age, "{age} in {band}");
            assert!(
                band.max_age().is_none_or(|max| age <= max),
                "{age} in {band}"
            );
        }
        assert_eq!(AgeBand::of(17), AgeBand::From13To17);
        assert_eq!(AgeBand::of(18), AgeBand::From18To24);
        assert_eq!(AgeBand::of(24), AgeBand::From18To24);
        assert_eq!(AgeBand::of(25), AgeBand::From25To34);
        assert_eq!(AgeBand::of(u32::MAX), AgeBand::From65);
        assert!(!AgeBand::From13To17.is_adult() && AgeBand::From18To24.is_adult());
    }

    #[test]
    fn a_band_reads_and_writes_as_its_words() {
        for band in AgeBand::ALL {
            assert_eq!(band.as_str().parse::<AgeBand>(), Ok(band));
            assert_eq!(
                serde_json::to_value(band).ok(),
                Some(serde_json::Value::from(band.as_str()))
            );
        }
        assert!("25-30".parse::<AgeBand>().is_err());
    }
}

/// Longest reference number or agency contact a household without personal
/// data is enrolled with.
pub const MAX_CONTACT_CHARS: usize = 200;

/// A client's answer to the release of information (ROI): whether their
/// names may be shown beyond the agency that holds their record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ConsentDecision {
    /// The client signed the release.
    Given,
    /// The client declined to sign it.
    Refused,
    /// The client withdrew a release they had given.
    Revoked,
}

impl std::fmt::Display for ConsentDecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ConsentDecision::Given => "given",
            ConsentDecision::Refused => "refused",
            ConsentDecision::Revoked => "revoked",
        })
    }
}

/// Whom a release of information lets see a client's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ConsentScope {
    /// Every partner agency of the Continuum of Care.
    Coc,
    /// Only the agencies the household is referred to.
    Referrals,
}

impl std::fmt::Display for ConsentScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ConsentScope::Coc => "coc",
            ConsentScope::Referrals => "referrals",
        })
    }
}

/// The agency that holds the personal data of a household enrolled without
/// any (a survivor referred by a victim service provider, a referral from
/// outside HMIS), and how CE reaches the household through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralContact {
    /// The referring agency: the household's owner, and where its referrals go.
    pub agency: crate::vocab::AgencyId,
    /// The referring agency's reference number for the household.
    pub reference: String,
    /// How to reach the agency's staff about it (a phone or an address).
    pub contact: String,
}

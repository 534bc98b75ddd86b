//! Commands: what a user asks the workflow to do. Each carries its effective
//! date; [`CommandMeta`] carries who and when it was entered.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::hud::{
    AssessmentLevel, AssessmentType, CeEventType, Destination, NoYesMissing, PrioritizationStatus,
    ReferralResult, RelationshipToHoH, RentalSubsidyType,
};
use crate::record::{
    AssessmentAnswer, AssessmentResultEntry, ConsentDecision, ConsentScope, ContactMethod,
    CurrentLivingSituation, Member, MemberDestination, PriorLivingSituation, ReferralContact,
    StatusUpdate,
};
use crate::vocab::{
    Actor, ClientId, Coalition, CommandId, DeclineReasonCode, HouseholdId, ListHouseholdType,
    OpeningId, ProgramType, ReferralId,
};

/// Who entered a command, when, and its id (event ids derive from it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandMeta {
    /// Caller-supplied id; re-sending a command with the same id is idempotent.
    pub command_id: CommandId,
    /// Who acts.
    pub actor: Actor,
    /// When the command was entered (supplied by the caller; no clock here).
    pub recorded_at: DateTime<Utc>,
}

impl CommandMeta {
    /// A command entered by `actor` at `recorded_at`, with a fresh random
    /// id (keep it to retry the command safely: see
    /// [`Workflow::execute`](crate::Workflow::execute)).
    pub fn new(actor: Actor, recorded_at: DateTime<Utc>) -> Self {
        Self {
            command_id: CommandId::random(),
            actor,
            recorded_at,
        }
    }

    /// The same command entry with the id `command_id` (a caller's own,
    /// e.g. from a form's hidden field, so that a resubmission is
    /// recognised).
    pub fn with_id(self, command_id: CommandId) -> Self {
        Self { command_id, ..self }
    }
}

/// Enroll a household in the CE project (Part 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enroll {
    /// Local coalition.
    pub coalition: Coalition,
    /// Project start date.
    pub project_start: NaiveDate,
    /// Members; exactly one head of household.
    pub members: Vec<Member>,
    /// 3.917 Prior Living Situation.
    pub prior: PriorLivingSituation,
    /// Same-day 4.12 Current Living Situation.
    pub current: CurrentLivingSituation,
    /// For a household enrolled without personal data (a survivor referred
    /// by a victim service provider, a referral from outside HMIS): the
    /// agency that holds its data. No member may then carry a name or a
    /// birth date, and the living situation no location details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_by: Option<ReferralContact>,
    /// Restricted (fleeing domestic violence): names only for the CE lead
    /// and the owning agency.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub restricted: bool,
}

/// Record a member's answer to the release of information (ROI).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordConsent {
    /// The household.
    pub household: HouseholdId,
    /// The member who answered.
    pub client: ClientId,
    /// The day they answered.
    pub date: NaiveDate,
    /// Given, refused or revoked.
    pub decision: ConsentDecision,
    /// Whom it covers.
    pub scope: ConsentScope,
    /// The last day a given release holds (given releases only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

/// Mark a household restricted (fleeing domestic violence), or lift the
/// mark. The CE lead's or the owning agency's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Restrict {
    /// The household.
    pub household: HouseholdId,
    /// The effective date.
    pub date: NaiveDate,
    /// Restricted from now on, or not.
    pub restricted: bool,
}

/// Link a household enrolled without personal data to its members' HMIS
/// records: their names and birth dates, by their ce client ids. Its list
/// date and age bands, and so its rank, stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identify {
    /// The household.
    pub household: HouseholdId,
    /// The effective date.
    pub date: NaiveDate,
    /// The members' names and birth dates (every other field must be as
    /// recorded).
    pub members: Vec<Member>,
}

/// Record a 4.19 CE assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assess {
    /// The household.
    pub household: HouseholdId,
    /// Assessment date.
    pub date: NaiveDate,
    /// Where (at most 250 characters).
    pub location: String,
    /// Phone, virtual, in person.
    pub assessment_type: AssessmentType,
    /// Crisis or housing needs.
    pub level: AssessmentLevel,
    /// Local questions and answers.
    #[serde(default)]
    pub answers: Vec<AssessmentAnswer>,
    /// Local results.
    #[serde(default)]
    pub results: Vec<AssessmentResultEntry>,
    /// Prioritization score.
    #[serde(default)]
    pub score: Option<u32>,
    /// Placed on the lists or not.
    pub prioritization: PrioritizationStatus,
}

/// Follow-up with contact: Status Update, Current Living Situation and note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// The household.
    pub household: HouseholdId,
    /// Contact date.
    pub date: NaiveDate,
    /// Residence and months homeless.
    pub status: StatusUpdate,
    /// 4.12 Current Living Situation.
    pub current: CurrentLivingSituation,
    /// One or two sentences (1 to 1,000 characters).
    pub note: String,
}

/// Follow-up attempt without contact: a CE note only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptContact {
    /// The household.
    pub household: HouseholdId,
    /// Attempt date.
    pub date: NaiveDate,
    /// How staff tried.
    pub method: ContactMethod,
    /// Whether a message was left.
    pub left_message: bool,
    /// One or two sentences (1 to 1,000 characters).
    pub note: String,
}

/// Record a HUD 4.20 event on the household that is not an offer of one of
/// ce's openings (those are [`Refer`]): an access event (1–4), a referral to
/// services (5–9, 16), or a referral to housing made in another system
/// (10–15, 17, 18) with its result when known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordCeEvent {
    /// The household.
    pub household: HouseholdId,
    /// EventDate.
    pub date: NaiveDate,
    /// 4.20 Event.
    pub event: CeEventType,
    /// ProbSolDivRRResult (event 2 only).
    #[serde(default)]
    pub problem_solving_result: Option<NoYesMissing>,
    /// ReferralCaseManageAfter (event 5 only).
    #[serde(default)]
    pub case_management_after: Option<NoYesMissing>,
    /// LocationCrisisOrPHHousing (events 10–15, 17, 18; at most 250 characters).
    #[serde(default)]
    pub location: Option<String>,
    /// ReferralResult (events 10–15, 17, 18).
    #[serde(default)]
    pub result: Option<ReferralResult>,
    /// ResultDate: required with a result, not before the event date.
    #[serde(default)]
    pub result_date: Option<NaiveDate>,
}

/// Add a member to a household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddMember {
    /// The household.
    pub household: HouseholdId,
    /// Date joined.
    pub date: NaiveDate,
    /// The member (not a second head of household).
    pub member: Member,
}

/// Remove a member (not the head of household).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoveMember {
    /// The household.
    pub household: HouseholdId,
    /// Date left.
    pub date: NaiveDate,
    /// Who left.
    pub client: ClientId,
    /// Where they went (3.12), when known.
    #[serde(default)]
    pub destination: Option<Destination>,
    /// 3.12.A DestinationSubsidyType: only with destination 435.
    #[serde(default)]
    pub destination_subsidy: Option<RentalSubsidyType>,
}

/// Make another member the head of household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeHead {
    /// The household.
    pub household: HouseholdId,
    /// Date of the change.
    pub date: NaiveDate,
    /// The new head.
    pub head: ClientId,
    /// The former head's relationship to the new one.
    pub former_head_relationship: RelationshipToHoH,
}

/// Exit a household from CE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exit {
    /// The household.
    pub household: HouseholdId,
    /// Exit date.
    pub date: NaiveDate,
    /// 3.12 destination.
    pub destination: Destination,
    /// 3.12.A DestinationSubsidyType: only with destination 435, where HUD
    /// asks for it.
    #[serde(default)]
    pub destination_subsidy: Option<RentalSubsidyType>,
    /// Members whose own destination differs from the household's.
    #[serde(default)]
    pub member_destinations: Vec<MemberDestination>,
    /// Why.
    pub reason: String,
}

/// Post an opening (Part 2). The opening belongs to the actor's agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostOpening {
    /// Date posted.
    pub date: NaiveDate,
    /// Receiving program's name.
    pub program: String,
    /// Program type.
    pub program_type: ProgramType,
    /// Coalition.
    pub coalition: Coalition,
    /// Household types served (at least one).
    pub household_types: Vec<ListHouseholdType>,
    /// Chronic only.
    #[serde(default)]
    pub chronic_only: bool,
    /// Veterans only.
    #[serde(default)]
    pub veterans_only: bool,
    /// Units (at least one).
    pub units: u32,
}

/// Withdraw an opening; its live referral is cancelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WithdrawOpening {
    /// The opening.
    pub opening: OpeningId,
    /// Date.
    pub date: NaiveDate,
    /// Why.
    pub reason: String,
}

/// Refer a household to an opening: by default the top eligible household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refer {
    /// The opening.
    pub opening: OpeningId,
    /// Referral date.
    pub date: NaiveDate,
    /// A specific household instead of the top one (needs a bypass reason
    /// unless it is the top one).
    #[serde(default)]
    pub household: Option<HouseholdId>,
    /// Why higher-ranked households are passed over.
    #[serde(default)]
    pub bypass_reason: Option<String>,
}

/// The provider acknowledges a referral.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcknowledgeReferral {
    /// The referral.
    pub referral: ReferralId,
    /// Date.
    pub date: NaiveDate,
}

/// The referral succeeded: the household enrolls in the receiving program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptReferral {
    /// The referral.
    pub referral: ReferralId,
    /// Result date.
    pub date: NaiveDate,
}

/// The client or the provider declined the referral.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclineReferral {
    /// The referral.
    pub referral: ReferralId,
    /// Result date.
    pub date: NaiveDate,
    /// Decline reason code from the policy.
    pub reason: DeclineReasonCode,
    /// Explanation (required by some reasons).
    #[serde(default)]
    pub text: Option<String>,
}

/// Mark households with no contact for too long inactive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// The sweep's as-of date.
    pub as_of: NaiveDate,
}

/// Expire referrals with no result after the policy's overdue days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpireReferrals {
    /// The as-of date.
    pub as_of: NaiveDate,
}

/// Erase a client: their names, birth date and ids, and their households'
/// notes, become unreadable everywhere (the keys that seal them are
/// deleted); ranks, dates and codes stay. A CE lead's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Erase {
    /// Who.
    pub client: ClientId,
    /// Why.
    pub reason: crate::event::ErasureReason,
    /// The effective date.
    pub date: NaiveDate,
}

/// Correct a data-entry mistake in an earlier event of a household's
/// stream. `original` is the stored event (the caller loads it, e.g. with
/// [`crate::Workflow::correct`]); `patch` is a JSON merge patch (RFC 7396)
/// over the event's `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correct {
    /// The household.
    pub household: HouseholdId,
    /// The stored event to correct.
    pub original: Box<crate::envelope::Envelope>,
    /// The corrected fields, as a merge patch of the event's data.
    pub patch: serde_json::Value,
    /// Why (required).
    pub reason: String,
}

/// Any command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Command {
    /// See [`Enroll`].
    Enroll(Enroll),
    /// See [`Assess`].
    Assess(Assess),
    /// See [`FollowUp`].
    FollowUp(FollowUp),
    /// See [`AttemptContact`].
    AttemptContact(AttemptContact),
    /// See [`RecordCeEvent`].
    RecordCeEvent(RecordCeEvent),
    /// See [`AddMember`].
    AddMember(AddMember),
    /// See [`RemoveMember`].
    RemoveMember(RemoveMember),
    /// See [`ChangeHead`].
    ChangeHead(ChangeHead),
    /// See [`Exit`].
    Exit(Exit),
    /// See [`PostOpening`].
    PostOpening(PostOpening),
    /// See [`WithdrawOpening`].
    WithdrawOpening(WithdrawOpening),
    /// See [`Refer`].
    Refer(Refer),
    /// See [`AcknowledgeReferral`].
    AcknowledgeReferral(AcknowledgeReferral),
    /// See [`AcceptReferral`].
    AcceptReferral(AcceptReferral),
    /// See [`DeclineReferral`].
    DeclineReferral(DeclineReferral),
    /// See [`Sweep`].
    Sweep(Sweep),
    /// See [`ExpireReferrals`].
    ExpireReferrals(ExpireReferrals),
    /// See [`Correct`].
    Correct(Correct),
    /// See [`Erase`].
    Erase(Erase),
    /// See [`RecordConsent`].
    RecordConsent(RecordConsent),
    /// See [`Restrict`].
    Restrict(Restrict),
    /// See [`Identify`].
    Identify(Identify),
}

impl Command {
    /// The command's effective date.
    pub fn date(&self) -> NaiveDate {
        match self {
            Command::Enroll(c) => c.project_start,
            Command::Assess(c) => c.date,
            Command::FollowUp(c) => c.date,
            Command::AttemptContact(c) => c.date,
            Command::RecordCeEvent(c) => c.date,
            Command::AddMember(c) => c.date,
            Command::RemoveMember(c) => c.date,
            Command::ChangeHead(c) => c.date,
            Command::Exit(c) => c.date,
            Command::PostOpening(c) => c.date,
            Command::WithdrawOpening(c) => c.date,
            Command::Refer(c) => c.date,
            Command::AcknowledgeReferral(c) => c.date,
            Command::AcceptReferral(c) => c.date,
            Command::DeclineReferral(c) => c.date,
            Command::Sweep(c) => c.as_of,
            Command::ExpireReferrals(c) => c.as_of,
            Command::Correct(c) => c.original.effective,
            Command::Erase(c) => c.date,
            Command::RecordConsent(c) => c.date,
            Command::Restrict(c) => c.date,
            Command::Identify(c) => c.date,
        }
    }
}

impl Assess {
    /// An in-person housing needs assessment (4.19 types 3 and 2) on
    /// `date` with `score`, placing the household on its lists; set
    /// location, answers and results with struct update syntax.
    pub fn placed(household: HouseholdId, date: NaiveDate, score: u32) -> Self {
        Self {
            household,
            date,
            location: String::new(),
            assessment_type: AssessmentType::InPerson,
            level: AssessmentLevel::HousingNeedsAssessment,
            answers: Vec::new(),
            results: Vec::new(),
            score: Some(score),
            prioritization: PrioritizationStatus::PlacedOnPrioritizationList,
        }
    }
}

impl FollowUp {
    /// A follow-up with contact on `date`: the Status Update, the Current
    /// Living Situation and the CE note.
    pub fn contact(
        household: HouseholdId,
        date: NaiveDate,
        status: StatusUpdate,
        current: CurrentLivingSituation,
        note: impl Into<String>,
    ) -> Self {
        Self {
            household,
            date,
            status,
            current,
            note: note.into(),
        }
    }
}

impl AttemptContact {
    /// A contact attempt on `date` by `method`, no message left, with its
    /// CE note.
    pub fn new(
        household: HouseholdId,
        date: NaiveDate,
        method: ContactMethod,
        note: impl Into<String>,
    ) -> Self {
        Self {
            household,
            date,
            method,
            left_message: false,
            note: note.into(),
        }
    }
}

impl PostOpening {
    /// One unit of `program` for every household type, open to all (not
    /// chronic or veterans only); change those with struct update syntax.
    pub fn new(
        program: impl Into<String>,
        program_type: ProgramType,
        coalition: Coalition,
        date: NaiveDate,
    ) -> Self {
        Self {
            date,
            program: program.into(),
            program_type,
            coalition,
            household_types: ListHouseholdType::ALL.to_vec(),
            chronic_only: false,
            veterans_only: false,
            units: 1,
        }
    }
}

impl Refer {
    /// Refers the top eligible household to `opening` on `date`.
    pub fn top(opening: OpeningId, date: NaiveDate) -> Self {
        Self {
            opening,
            date,
            household: None,
            bypass_reason: None,
        }
    }
}

impl RecordCeEvent {
    /// A 4.20 event with none of its dependent fields; set those an event
    /// carries with struct update syntax
    /// (`RecordCeEvent { result: Some(..), ..RecordCeEvent::new(..) }`).
    pub fn new(household: HouseholdId, date: NaiveDate, event: CeEventType) -> Self {
        Self {
            household,
            date,
            event,
            problem_solving_result: None,
            case_management_after: None,
            location: None,
            result: None,
            result_date: None,
        }
    }
}

impl RemoveMember {
    /// A member leaving without a recorded destination.
    pub fn new(household: HouseholdId, date: NaiveDate, client: ClientId) -> Self {
        Self {
            household,
            date,
            client,
            destination: None,
            destination_subsidy: None,
        }
    }
}

impl Exit {
    /// The household's exit to `destination`, every member to the same
    /// one, with no subsidy type.
    pub fn new(
        household: HouseholdId,
        date: NaiveDate,
        destination: Destination,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            household,
            date,
            destination,
            destination_subsidy: None,
            member_destinations: Vec::new(),
            reason: reason.into(),
        }
    }
}

impl From<&Command> for Command {
    fn from(command: &Command) -> Self {
        command.clone()
    }
}

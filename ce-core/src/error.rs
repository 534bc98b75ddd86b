//! What can go wrong with a command: a [`Rejection`] is a workflow rule the
//! command broke, with the data a caseworker needs to fix the input; an
//! [`Error`] is either that rejection or a failure an operator or the
//! embedding program handles (storage, a lost race, a misused API).

use chrono::{DateTime, NaiveDate, Utc};

use crate::hud::{CeEventType, InvalidCode, LivingSituation};
use crate::lists::OffListReason;
use crate::opening::{OpeningStatus, ReferralStatus};
use crate::record::{AgeBand, MIN_HEAD_AGE};
use crate::store::StoreError;
use crate::vocab::{
    words, AgencyId, ClientId, Coalition, CommandId, DeclineReasonCode, HouseholdId, OpeningId,
    ProgramType, ReferralId, Role,
};

/// A workflow rule the command broke. A rejected command writes nothing;
/// the message says what to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// No household with this id.
    #[error("unknown household {0}")]
    UnknownHousehold(HouseholdId),
    /// The household exited CE; a return is a new enrollment.
    #[error("household {household} exited CE on {exit_date}; nothing more can be recorded on this enrollment")]
    HouseholdExited {
        /// The household.
        household: HouseholdId,
        /// Its exit date.
        exit_date: NaiveDate,
    },
    /// A date before the household's project start.
    #[error("{field} {date} is before household {household}'s project start {project_start}")]
    BeforeProjectStart {
        /// The household.
        household: HouseholdId,
        /// Which date.
        field: Field,
        /// The date given.
        date: NaiveDate,
        /// Its project start.
        project_start: NaiveDate,
    },
    /// An exit dated before something already recorded on the enrollment.
    #[error("exit date {date} is before household {household}'s latest recorded activity on {last_activity}")]
    BeforeLastActivity {
        /// The household.
        household: HouseholdId,
        /// The exit date given.
        date: NaiveDate,
        /// Its latest activity.
        last_activity: NaiveDate,
    },
    /// An effective date later than the time it was recorded.
    #[error("effective date {effective} is after the recorded-at time {recorded_at}: facts cannot be recorded before they happen")]
    EffectiveAfterRecorded {
        /// The effective date.
        effective: NaiveDate,
        /// The recorded-at time.
        recorded_at: DateTime<Utc>,
    },
    /// A client already has an open CE enrollment in the CoC.
    #[error("client {client} already has an open CE enrollment (household {household})")]
    ClientAlreadyEnrolled {
        /// The client.
        client: ClientId,
        /// Their open enrollment.
        household: HouseholdId,
    },
    /// A new enrollment starting before the client's previous one closed.
    #[error("client {client}'s previous CE enrollment closed on {exit_date}; a new one cannot start on {date}")]
    BeforePreviousExit {
        /// The client.
        client: ClientId,
        /// The new start date.
        date: NaiveDate,
        /// The previous exit.
        exit_date: NaiveDate,
    },
    /// A referral dated before its opening was posted.
    #[error("referral date {date} is before opening {opening} was posted on {posted_on}")]
    BeforeOpeningPosted {
        /// The opening.
        opening: OpeningId,
        /// The referral date.
        date: NaiveDate,
        /// When it was posted.
        posted_on: NaiveDate,
    },
    /// The provider already acknowledged the referral.
    #[error("referral {0} is already acknowledged")]
    AlreadyAcknowledged(ReferralId),
    /// A correction that cannot be made.
    #[error("event {event} cannot be corrected: {why}")]
    NotCorrectable {
        /// The event.
        event: crate::vocab::EventId,
        /// Why not.
        why: NotCorrectableReason,
    },
    /// A correction whose patched event is not valid.
    #[error("corrected event {event} is not valid: {detail}")]
    InvalidCorrection {
        /// The event.
        event: crate::vocab::EventId,
        /// What serde said (field and problem).
        detail: String,
    },
    /// A CE note with no text.
    #[error("CE note is empty: write one or two sentences")]
    EmptyNote,
    /// A free-text field over its limit.
    #[error("{field} has {chars} characters, at most {max} are allowed")]
    TooLong {
        /// Which field.
        field: Field,
        /// Its length.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// A required free-text field is empty.
    #[error("{0} must not be empty")]
    Required(Field),
    /// A free-text field with a control character (an escape, a NUL, ...)
    /// other than a line break or a tab.
    #[error("{field} contains a control character (U+{code:04X}); remove it")]
    ControlCharacter {
        /// Which field.
        field: Field,
        /// The character's code point.
        code: u32,
    },
    /// A client ce has no record of.
    #[error("client {0} is not a member of any household")]
    UnknownClient(ClientId),
    /// Personal data given for a household enrolled without it.
    #[error("{field}: a household enrolled without personal data takes none; its referring agency keeps it (identify the household to record it)")]
    PersonalDataRefused {
        /// The field that was given.
        field: Field,
    },
    /// An action only the CE lead or the household's owning agency may take.
    #[error("only the CE lead or the agency that owns household {household} may {action}")]
    NotOwningAgency {
        /// The household.
        household: HouseholdId,
        /// What was tried.
        action: Operation,
    },
    /// A release's last day before the day it was given, or a last day on
    /// a release that was not given.
    #[error("{field} {expires}: {rule}")]
    ConsentExpiry {
        /// The consent field.
        field: Field,
        /// The last day given.
        expires: NaiveDate,
        /// The rule it breaks.
        rule: DateRule,
    },
    /// A revocation with no release in force.
    #[error("client {client} has no release of information in force on {date} to revoke")]
    NothingToRevoke {
        /// The member.
        client: ClientId,
        /// The revocation's date.
        date: NaiveDate,
    },
    /// Identifying a household that was enrolled with personal data.
    #[error("household {0} holds its members' names already: there is nothing to identify")]
    AlreadyIdentified(HouseholdId),
    /// Identifying a household without one of its members.
    #[error("identifying a household records every member: client {client} is missing")]
    IdentifyMissing {
        /// The member left out.
        client: ClientId,
    },
    /// Identifying a member with something other than names and a birth
    /// date changed, or a birth date that moves their age band.
    #[error("identifying client {client} records names and a birth date only; {field} must stay as recorded, or the household's rank would change")]
    IdentifyChanges {
        /// The member.
        client: ClientId,
        /// The field that differs.
        field: Field,
    },
    /// A member given with sealed data: names and birth dates are entered
    /// in clear and sealed by the store.
    #[error("a member's sealed data cannot be entered; give the names and birth date in clear")]
    SealedInput,
    /// An age band that the member's birth date contradicts.
    #[error("age band {given} does not match the date of birth {birth_date}, which puts the member in {derived} at project start; give one or make them agree")]
    AgeBandDisagrees {
        /// The band given.
        given: AgeBand,
        /// The birth date given.
        birth_date: NaiveDate,
        /// The birth date's band at project start.
        derived: AgeBand,
    },
    /// A head of household whose age band is wholly under the youngest a
    /// head may be.
    #[error("a head of household must be at least {MIN_HEAD_AGE} at project start; age band {band} is younger")]
    HeadTooYoung {
        /// The head's band.
        band: AgeBand,
    },
    /// A date outside what the field can hold.
    #[error("{field} {date} is not plausible: {rule}")]
    ImplausibleDate {
        /// Which field.
        field: Field,
        /// The date given.
        date: NaiveDate,
        /// The rule it breaks.
        rule: DateRule,
    },
    /// More members than one household can have.
    #[error("a household has at most {max} members; this one would have {count}")]
    TooManyMembers {
        /// Members it would have.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A HUD code not valid for its field.
    #[error(transparent)]
    InvalidCode(#[from] InvalidCode),
    /// 435 (rental with ongoing subsidy) needs a subsidy type, others must not have one.
    #[error("4.12 CLSSubsidyType is required with living situation 435 and only then (got situation {situation})")]
    SubsidyMismatch {
        /// The living situation given.
        situation: LivingSituation,
    },
    /// A household must have exactly one head of household.
    #[error("a household needs exactly one head of household (relationship 1), found {count}")]
    HeadOfHousehold {
        /// How many members had relationship 1.
        count: usize,
    },
    /// A client listed twice, or added while already a member.
    #[error("client {0} is already a member of the household")]
    DuplicateMember(ClientId),
    /// A client who is not a member.
    #[error("client {client} is not a member of household {household}")]
    UnknownMember {
        /// The household.
        household: HouseholdId,
        /// The client.
        client: ClientId,
    },
    /// Removing the head of household: change the head first, or exit the household.
    #[error("client {client} is the head of household {household}: change the head of household first, or exit the household")]
    CannotRemoveHead {
        /// The household.
        household: HouseholdId,
        /// The head.
        client: ClientId,
    },
    /// A coalition the policy does not know.
    #[error("unknown coalition \"{0}\"")]
    UnknownCoalition(Coalition),
    /// The actor's role does not allow the action.
    #[error("role {role} may not {action}")]
    Forbidden {
        /// The actor's role.
        role: Role,
        /// What they tried.
        action: Operation,
    },
    /// A provider acting on another agency's opening.
    #[error("agency {agency} may not act on opening {opening}, which belongs to {owner}")]
    NotYourOpening {
        /// The actor's agency.
        agency: AgencyId,
        /// The opening.
        opening: OpeningId,
        /// The opening's agency.
        owner: AgencyId,
    },
    /// No opening with this id.
    #[error("unknown opening {0}")]
    UnknownOpening(OpeningId),
    /// The opening is filled or withdrawn.
    #[error("opening {opening} is {status}")]
    OpeningClosed {
        /// The opening.
        opening: OpeningId,
        /// Its status.
        status: OpeningStatus,
    },
    /// An opening with zero units or no household type.
    #[error("an opening needs {0}")]
    InvalidOpening(OpeningDefect),
    /// The opening already has a live referral.
    #[error("opening {opening} already has a live referral {referral}")]
    OpeningHasLiveReferral {
        /// The opening.
        opening: OpeningId,
        /// Its live referral.
        referral: ReferralId,
    },
    /// The household already has a live referral for this program type.
    #[error("household {household} already has a live {program_type} referral {referral}")]
    AlreadyReferred {
        /// The household.
        household: HouseholdId,
        /// The program type.
        program_type: ProgramType,
        /// The live referral.
        referral: ReferralId,
    },
    /// The household cannot be referred to this opening.
    #[error("household {household} cannot be referred to opening {opening}: {reason}")]
    NotReferable {
        /// The household.
        household: HouseholdId,
        /// The opening.
        opening: OpeningId,
        /// The rule that keeps it off.
        reason: NotReferableReason,
    },
    /// Nobody on the matching lists is eligible for the opening.
    #[error("no eligible household on the lists for opening {0}")]
    NoEligibleHousehold(OpeningId),
    /// Naming a household other than the top eligible one needs a reason.
    #[error("household {household} is not the top eligible household ({top} is): a bypass reason is required")]
    BypassReasonRequired {
        /// The household named.
        household: HouseholdId,
        /// The top eligible household.
        top: HouseholdId,
    },
    /// No referral with this id.
    #[error("unknown referral {0}")]
    UnknownReferral(ReferralId),
    /// The referral already has a result or ended.
    #[error("referral {referral} is already resolved: {status}")]
    ReferralResolved {
        /// The referral.
        referral: ReferralId,
        /// Its state.
        status: ReferralStatus,
    },
    /// A 3.12.A DestinationSubsidyType given with a destination other than 435.
    #[error("3.12.A DestinationSubsidyType goes with destination 435 (rental with ongoing subsidy) only, not {destination}")]
    DestinationSubsidyMismatch {
        /// The destination given.
        destination: u16,
    },
    /// A 4.20 field given with an event code that does not carry it, or
    /// missing where the event needs it.
    #[error("{field} {rule} (event {event})")]
    CeEventField {
        /// The event code.
        event: CeEventType,
        /// The HUD column.
        field: Field,
        /// What is wrong.
        rule: CeEventRule,
    },
    /// A result dated before the referral.
    #[error("result date {date} is before referral {referral}'s date {referred_on}")]
    ResultBeforeReferral {
        /// The referral.
        referral: ReferralId,
        /// The result date given.
        date: NaiveDate,
        /// The referral date.
        referred_on: NaiveDate,
    },
    /// A decline reason the policy does not list.
    #[error("unknown decline reason {:?}", .0.as_str())]
    UnknownDeclineReason(DeclineReasonCode),
    /// A decline reason that needs text was given none.
    #[error("decline reason {:?} requires a text explanation", .0.as_str())]
    DeclineTextRequired(DeclineReasonCode),
}

/// A command did not take effect: it was rejected by a rule, or something
/// outside the rules failed. Either way nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A workflow rule was broken: tell the user.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// A workflow given another policy than the one its store holds: the
    /// lists it ranks and the store's would differ. Open it with
    /// [`Workflow::open`](crate::Workflow::open), which takes the store's;
    /// a policy changes through the store, as an event.
    #[error("the store's policy is {store} but the workflow was given {given}: open the workflow with the store's policy (Workflow::open), and change a policy by adopting it in the store")]
    PolicyMismatch {
        /// The store's policy, as `id vN`.
        store: String,
        /// The policy given, as `id vN`.
        given: String,
    },
    /// A command id already used by a command of another kind: the store
    /// holds that command's result, not this one's.
    #[error(
        "command id {0} was already used by another kind of command; give each command its own id"
    )]
    CommandIdReused(CommandId),
    /// The store failed or a concurrent writer won (`StoreError::Conflict`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a household cannot be referred to an opening.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
#[non_exhaustive]
pub enum NotReferableReason {
    /// Not on the program's list.
    OffList(OffListReason),
    /// Another coalition.
    OtherCoalition,
    /// A household type the opening does not serve.
    HouseholdTypeNotServed,
    /// The opening is chronic-only.
    NotChronic,
    /// The opening is veterans-only.
    NoVeteran,
    /// The household declined (or was declined for) this opening before.
    DeclinedBefore,
}

impl std::fmt::Display for NotReferableReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotReferableReason::OffList(reason) => write!(f, "off the list: {reason}"),
            NotReferableReason::OtherCoalition => f.write_str("household is in another coalition"),
            NotReferableReason::HouseholdTypeNotServed => {
                f.write_str("the opening does not serve this household type")
            }
            NotReferableReason::NotChronic => {
                f.write_str("the opening is for chronically homeless households only")
            }
            NotReferableReason::NoVeteran => f.write_str("the opening is for veterans only"),
            NotReferableReason::DeclinedBefore => {
                f.write_str("this opening was already declined for this household")
            }
        }
    }
}

impl Error {
    /// True when a concurrent writer got there first: reload and retry.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Error::Store(StoreError::Conflict { .. }))
    }

    /// The rule the command broke, if it was rejected.
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            Error::Rejected(rejection) => Some(rejection),
            _ => None,
        }
    }
}

impl From<InvalidCode> for Error {
    fn from(code: InvalidCode) -> Self {
        Error::Rejected(Rejection::InvalidCode(code))
    }
}

words! {
    /// The input field a rejection is about, as the user knows it (HUD's
    /// data element and column where there is one).
    Field {
        /// A command's effective date.
        EffectiveDate => "effective date",
        /// The user entering the command.
        User => "user",
        /// The user's agency.
        Agency => "agency",
        /// 3.01 first name.
        FirstName => "first name",
        /// 3.01 last name.
        LastName => "last name",
        /// 3.03 date of birth.
        BirthDate => "3.03 date of birth",
        /// The age band at project start.
        AgeBand => "age band at project start",
        /// 3.917 DateToStreetESSH.
        EpisodeStart => "3.917 DateToStreetESSH",
        /// The date of an assessment (4.19).
        AssessmentDate => "assessment date",
        /// 4.19 AssessmentLocation.
        AssessmentLocation => "4.19 AssessmentLocation",
        /// The date of a follow-up with contact.
        FollowUpDate => "follow-up date",
        /// The date of a contact attempt.
        AttemptDate => "attempt date",
        /// A CE note.
        CeNote => "CE note",
        /// 4.12 LocationDetails.
        LocationDetails => "4.12 LocationDetails",
        /// 4.20 EventDate.
        CeEventDate => "4.20 EventDate",
        /// 4.20 ProbSolDivRRResult.
        ProblemSolvingResult => "4.20 ProbSolDivRRResult",
        /// 4.20 ReferralCaseManageAfter.
        CaseManagementAfter => "4.20 ReferralCaseManageAfter",
        /// 4.20 LocationCrisisOrPHHousing.
        CeEventLocation => "4.20 LocationCrisisOrPHHousing",
        /// 4.20 ReferralResult.
        ReferralResult => "4.20 ReferralResult",
        /// 4.20 ResultDate.
        ResultDate => "4.20 ResultDate",
        /// The date a member joins or leaves, or a new head takes over.
        MembershipDate => "membership date",
        /// The CE exit date.
        ExitDate => "exit date",
        /// The reason given for an exit.
        ExitReason => "exit reason",
        /// The reason given for a correction.
        CorrectionReason => "correction reason",
        /// An opening's program name.
        OpeningProgram => "opening program",
        /// The reason given for withdrawing an opening.
        WithdrawalReason => "withdrawal reason",
        /// The date of a referral.
        ReferralDate => "referral date",
        /// The reason for passing over households ranked higher.
        BypassReason => "bypass reason",
        /// The text explaining a decline.
        DeclineText => "decline text",
        /// The date a release of information was answered.
        ConsentDate => "consent date",
        /// The last day a release of information holds.
        ConsentExpires => "consent expiry",
        /// The referring agency of a household without personal data.
        ReferringAgency => "referring agency",
        /// The referring agency's reference number.
        ReferenceNumber => "reference number",
        /// How to reach the referring agency.
        AgencyContact => "agency contact",
        /// 3.15 relationship to the head of household.
        Relationship => "3.15 relationship to head of household",
        /// 3.07 veteran status.
        VeteranStatus => "3.07 veteran status",
        /// 3.08 disabling condition.
        DisablingCondition => "3.08 disabling condition",
    }
}

words! {
    /// Why a date cannot be right.
    DateRule {
        /// Before HMIS data begin.
        BeforeHmisData => "HMIS data start on 1998-10-01",
        /// A birth date before 1900.
        BeforeEarliestBirth => "before 1900-01-01",
        /// A birth date after the client joins the household.
        BornAfterJoining => "after the day the client joins the household",
        /// A head of household younger than 12 at project start.
        HeadTooYoung => "a head of household must be at least 12 at project start; check the birth date",
        /// An episode that starts after project start.
        AfterProjectStart => "after project start",
        /// An episode that starts before the head of household was born.
        BeforeHeadWasBorn => "before the head of household was born",
        /// A last day on a release that was refused or revoked.
        OnlyWhenGiven => "only a release that is given has a last day",
        /// A release's last day before the day it was given.
        BeforeConsent => "before the day the release was given",
        /// A restriction change dated before the household's latest one.
        BeforeRestrictionChange => "before the household's latest restriction change",
    }
}

words! {
    /// What is wrong with a 4.20 field.
    CeEventRule {
        /// Only problem solving / diversion (event 2) carries it.
        OnlyWithEvent2 => "goes with event 2 only",
        /// Only a referral to post-placement case management (event 5)
        /// carries it.
        OnlyWithEvent5 => "goes with event 5 only",
        /// Only the referral events carry it.
        OnlyWithReferralEvents => "goes with events 10-15, 17 and 18 only",
        /// A result needs its date.
        RequiredWithResult => "is required with a result",
        /// A result date needs a result.
        NeedsResult => "needs a ReferralResult",
        /// A result dated before the event.
        BeforeEventDate => "is before the event date",
    }
}

words! {
    /// Why an event cannot be corrected.
    NotCorrectableReason {
        /// The log holds no event with that id.
        NoSuchEvent => "no such event",
        /// The event belongs to another household.
        OtherHousehold => "it is not an event of this household",
        /// Only records a caseworker enters can be corrected.
        KindNotCorrectable => "only enrollment, assessment, follow-up and 4.20 event records can be corrected",
        /// The corrected record equals the original.
        NothingChanged => "the patch changes nothing",
        /// A corrected record of another kind than the original.
        KindChanged => "a correction keeps the kind of the record it corrects",
        /// A correction may not change who or what a record is about.
        ChangesIdentity => "ids, members, relationships and 4.20 event codes cannot be changed by a correction",
        /// The original given is not the record as it stands.
        NotAsStored => "the record given as the original is not the record as it stands (with its latest correction): read it again",
    }
}

words! {
    /// What an opening lacks.
    OpeningDefect {
        /// It has no units.
        NoUnits => "at least one unit",
        /// It serves no household type.
        NoHouseholdTypes => "at least one household type",
    }
}

words! {
    /// What a role may or may not do.
    Operation {
        /// Enroll households.
        Enroll => "enroll households",
        /// Record assessments.
        Assess => "record assessments",
        /// Record follow-ups with contact.
        FollowUp => "record follow-ups",
        /// Record contact attempts.
        AttemptContact => "record follow-up attempts",
        /// Record 4.20 events.
        RecordCeEvent => "record 4.20 events",
        /// Add or remove members, change the head.
        ChangeMembership => "change household membership",
        /// Exit households.
        Exit => "exit households",
        /// Correct household records.
        Correct => "correct household records",
        /// Post openings.
        PostOpening => "post openings",
        /// Withdraw openings.
        WithdrawOpening => "withdraw openings",
        /// Acknowledge referrals.
        Acknowledge => "acknowledge referrals",
        /// Accept referrals.
        Accept => "accept referrals",
        /// Decline referrals.
        Decline => "decline referrals",
        /// Refer households to openings.
        Refer => "refer households",
        /// Run the inactivity sweep.
        Sweep => "run the inactivity sweep",
        /// Expire overdue referrals.
        ExpireReferrals => "expire referrals",
        /// Read who viewed a household.
        ReadViews => "read who viewed a household",
        /// Back up, restore or rotate the keys that seal personal data.
        ManageKeys => "manage the keys that seal personal data",
        /// Erase a client.
        Erase => "erase clients",
        /// Record releases of information.
        RecordConsent => "record releases of information",
        /// Restrict a household or lift its restriction.
        Restrict => "restrict households",
        /// Identify a household enrolled without personal data.
        Identify => "identify households",
        /// Export HUD CSV, which carries every client's names.
        ExportHudCsv => "export HUD CSV (every client's names)",
    }
}

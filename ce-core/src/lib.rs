#![doc = include_str!("../README.md")]
#![warn(unreachable_pub)]

// The modules, bottom layer first: each uses only the modules listed
// before it (a test in tests/layering.rs checks it; docs/architecture.md
// draws the picture).
// HUD's codes: no other module of ce.
pub mod hud;
// The words: ids, actors, coalitions, program and household types, list keys.
mod vocab;
// What events record about a household: members, assessments, situations.
mod record;
// The CoC's policy, and what a household is ranked by under it.
mod policy;
mod rank;
// The facts: events, and the envelope that stores them.
mod event;
mod envelope;
// Which fields of the events are personal data.
pub mod privacy;
// The store trait, free of every read model.
mod store;
// State as folds of the events: a household, an opening, the lists, the
// caseload, and the in-memory store that keeps none of them.
mod household;
mod opening;
mod lists;
mod caseload;
mod memory;
// Any store with its personal data sealed per subject.
mod sealing;
// Commands, their outcomes, the rejections, and the decisions.
mod command;
mod outcome;
mod error;
mod decide;
// Reading the caseload back: explanations, checks and reports.
pub mod audit;
pub mod invariants;
pub mod report;
// The workflow that ties a store to the decisions, and test support.
mod workflow;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

/// The date and time crate ce's dates and times come from, so that an
/// embedding tool uses the very version ce does.
pub use chrono;
/// The UUID crate ce's ids wrap.
pub use uuid;

/// A calendar date: every effective date of a command or event.
pub type Date = chrono::NaiveDate;
/// A moment in UTC: when a command was entered (`recorded_at`).
pub type Timestamp = chrono::DateTime<chrono::Utc>;

pub use caseload::{Caseload, Snapshots};
pub use command::{
    AcceptReferral, AcknowledgeReferral, AddMember, Assess, AttemptContact, ChangeHead, Command,
    CommandMeta, Correct, DeclineReferral, Enroll, Erase, Exit, ExpireReferrals, FollowUp,
    Identify, PostOpening, RecordCeEvent, RecordConsent, Refer, RemoveMember, Restrict, Sweep,
    WithdrawOpening,
};
pub use decide::{decide, Decision, Pending, MAX_ACTOR_CHARS};
pub use envelope::{
    DecodeError, Envelope, InvalidStreamId, NewEvent, StreamId, StreamVersion, Upcast, Upcasters,
};
pub use error::{
    CeEventRule, DateRule, Error, Field, NotCorrectableReason, NotReferableReason, OpeningDefect,
    Operation, Rejection,
};
pub use event::{
    AssessmentRecorded, Bypass, CancelCause, CeEventRecorded, ClientEnrollmentClosed,
    ClientEnrollmentOpened, ClientErased, ConsentRecorded, ContactAttempted, ContactMade,
    ErasureReason, Event, EventCorrected, EventType, HeadOfHouseholdChanged, HmisLink,
    HmisRecordDeleted, HmisRecordsLinked, HouseholdEnrolled, HouseholdExited, HouseholdIdentified,
    HouseholdInactivated, HouseholdRestricted, MemberAdded, MemberRemoved, OpeningPosted,
    OpeningWithdrawn, PolicyAdopted, ReferralAccepted, ReferralAcknowledged, ReferralCancelled,
    ReferralDeclined, ReferralExpired, ReferralOffered, SCHEMA_VERSION,
};
pub use household::{Consent, Household, HouseholdStatus, LiveReferral};
pub use lists::{IneligibleRule, ListEntry, OffListReason, PriorityList};
pub use memory::MemoryStore;
pub use opening::{Opening, OpeningStatus, Referral, ReferralStatus};
pub use outcome::{Outcome, Referred, TypedCommand};
pub use policy::{
    DeclineConsequence, DeclineReason, Eligibility, NameProblem, OrderKey, Policy, PolicyError,
    ProgramRule, DEFAULT_SCORE_RESULT_TYPE, WI_BOS_COALITIONS,
};
pub use rank::RankInputs;
pub use record::{
    AgeBand, Assessment, AssessmentAnswer, AssessmentResultEntry, CeNote, ConsentDecision,
    ConsentScope, ContactMethod, CurrentLivingSituation, LeavingSituation, Member,
    MemberDestination, PriorLivingSituation, PriorStay, ReferralContact, StatusUpdate,
    EARLIEST_BIRTH_DATE, EARLIEST_DATE, MAX_CONTACT_CHARS, MAX_LOCATION_CHARS, MAX_MEMBERS,
    MAX_NAME_CHARS, MAX_NOTE_CHARS, MIN_HEAD_AGE, WITHHELD,
};
pub use sealing::Sealed;
pub use store::{
    check_expected, validate_request, AppendProblem, AppendRequest, EventStore, ExpectedVersion,
    StoreError, View, ViewLog,
};
pub use vocab::*;
pub use workflow::{Executed, Workflow};

/// The priority lists as functions: which lists a household is on, how
/// two households compare, and who an opening may be offered to.
pub mod priority {
    pub use crate::decide::{
        candidates, passed_over, rank_among, ranked_above, referable, top_candidate,
    };
    pub use crate::lists::{build_lists, list_status, lists_of};
    pub use crate::policy::is_score_type;
    pub use crate::rank::{compare, compare_key, rank_key};
}

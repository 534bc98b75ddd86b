//! Events of the opening stream, and the referral events that are appended
//! once to both the opening's and the household's stream.

use serde::{Deserialize, Serialize};

use crate::hud::{CeEventType, ReferralResult};
use crate::policy::DeclineConsequence;
use crate::rank::RankInputs;
use crate::vocab::{
    AgencyId, Coalition, DeclineReasonCode, HouseholdId, ListHouseholdType, ListKey, OpeningId,
    ProgramType, ReferralId,
};

/// A provider posted an opening in one of its programs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningPosted {
    /// The new opening.
    pub opening: OpeningId,
    /// The agency that owns the program.
    pub agency: AgencyId,
    /// The receiving program (the 4.20 location of its referrals).
    pub program: String,
    /// Program type; fixes the 4.20 event code.
    pub program_type: ProgramType,
    /// Coalition whose lists it draws from.
    pub coalition: Coalition,
    /// Household types it serves.
    pub household_types: Vec<ListHouseholdType>,
    /// Serves only chronically homeless households.
    #[serde(default)]
    pub chronic_only: bool,
    /// Serves only households with a veteran.
    #[serde(default)]
    pub veterans_only: bool,
    /// Units available; each accepted referral fills one.
    pub units: u32,
}

/// The provider withdrew an opening; its live referral is cancelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningWithdrawn {
    /// Why.
    pub reason: String,
}

/// A household was referred to an opening (HUD 4.20).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralOffered {
    /// The referral.
    pub referral: ReferralId,
    /// The opening.
    pub opening: OpeningId,
    /// The household referred.
    pub household: HouseholdId,
    /// The 4.20 event code (from the opening's program type).
    pub event: CeEventType,
    /// Program type of the opening.
    pub program_type: ProgramType,
    /// The 4.20 location: the receiving program.
    pub location: String,
    /// The list the household was taken from.
    pub list: ListKey,
    /// Policy id in force.
    pub policy_id: String,
    /// Policy version in force.
    pub policy_version: u32,
    /// The household's 1-based rank among the households eligible for the
    /// opening (every household type it serves, without those that declined
    /// it or hold a live referral of its program type); 1 unless bypassed.
    pub rank: u32,
    /// The household's 1-based place on its priority list (`list`) on the
    /// referral date, counting every household on the list: what a CE lead
    /// sees on the list. Absent from referrals recorded before it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_place: Option<u32>,
    /// The values that ranked it.
    pub inputs: RankInputs,
    /// Present when the household was not the top eligible one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bypass: Option<Bypass>,
}

/// A recorded reason for passing over higher-ranked households.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bypass {
    /// Why the top household(s) were passed over.
    pub reason: String,
    /// The eligible households ranked above the one referred, in rank order.
    pub passed_over: Vec<HouseholdId>,
}

/// The provider acknowledged a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralAcknowledged {
    /// The referral.
    pub referral: ReferralId,
    /// Its opening.
    pub opening: OpeningId,
    /// Its household.
    pub household: HouseholdId,
}

/// The referral succeeded (HUD result 1); result date = effective date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralAccepted {
    /// The referral.
    pub referral: ReferralId,
    /// Its opening.
    pub opening: OpeningId,
    /// Its household.
    pub household: HouseholdId,
}

/// The referral was declined by the client (result 2) or provider (result 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralDeclined {
    /// The referral.
    pub referral: ReferralId,
    /// Its opening.
    pub opening: OpeningId,
    /// Its household.
    pub household: HouseholdId,
    /// HUD result: 2 or 3.
    pub result: ReferralResult,
    /// The policy's decline reason code.
    pub reason: DeclineReasonCode,
    /// Free text (required for reasons that need it, such as "other").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// What follows for the household.
    pub consequence: DeclineConsequence,
}

/// Why a referral was cancelled without a HUD result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CancelCause {
    /// The opening was withdrawn.
    OpeningWithdrawn,
    /// The household exited CE.
    HouseholdExited,
    /// The household accepted another referral.
    AcceptedElsewhere,
    /// The household went inactive.
    HouseholdInactive,
}

impl std::fmt::Display for CancelCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CancelCause::OpeningWithdrawn => "the opening was withdrawn",
            CancelCause::HouseholdExited => "the household exited CE",
            CancelCause::AcceptedElsewhere => "the household accepted another referral",
            CancelCause::HouseholdInactive => "the household went inactive",
        })
    }
}

/// A live referral ended without a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralCancelled {
    /// The referral.
    pub referral: ReferralId,
    /// Its opening.
    pub opening: OpeningId,
    /// Its household.
    pub household: HouseholdId,
    /// Why.
    pub cause: CancelCause,
}

/// A referral had no result within the policy's overdue days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralExpired {
    /// The referral.
    pub referral: ReferralId,
    /// Its opening.
    pub opening: OpeningId,
    /// Its household.
    pub household: HouseholdId,
    /// Days it had been open at the as-of date.
    pub days_open: i64,
}

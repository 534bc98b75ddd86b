//! Openings and referrals as folds of their events.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::event::*;
use crate::hud::{CeEventType, ReferralResult};
use crate::policy::Policy;
use crate::vocab::{
    AgencyId, Coalition, DeclineReasonCode, HouseholdId, ListHouseholdType, OpeningId, ProgramType,
    ReferralId,
};

/// Where an opening stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OpeningStatus {
    /// Taking referrals.
    Open,
    /// Every unit filled by an accepted referral.
    Filled,
    /// Withdrawn by the provider.
    Withdrawn,
}

impl std::fmt::Display for OpeningStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OpeningStatus::Open => "open",
            OpeningStatus::Filled => "filled",
            OpeningStatus::Withdrawn => "withdrawn",
        })
    }
}

/// One opening's current state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opening {
    /// The opening.
    pub id: OpeningId,
    /// Owning agency.
    pub agency: AgencyId,
    /// Receiving program.
    pub program: String,
    /// Program type.
    pub program_type: ProgramType,
    /// Coalition.
    pub coalition: Coalition,
    /// Household types served.
    pub household_types: Vec<ListHouseholdType>,
    /// Chronic only.
    pub chronic_only: bool,
    /// Veterans only.
    pub veterans_only: bool,
    /// Units posted.
    pub units: u32,
    /// Units filled by accepted referrals.
    pub filled: u32,
    /// Open, filled or withdrawn.
    pub status: OpeningStatus,
    /// The referral awaiting a result, if any.
    pub live_referral: Option<ReferralId>,
    /// Date posted.
    pub posted_on: NaiveDate,
    /// Why the provider withdrew it, once withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_reason: Option<String>,
}

impl Opening {
    /// Starts the fold.
    pub fn posted(e: &OpeningPosted, date: NaiveDate) -> Self {
        Self {
            id: e.opening,
            agency: e.agency.clone(),
            program: e.program.clone(),
            program_type: e.program_type,
            coalition: e.coalition.clone(),
            household_types: e.household_types.clone(),
            chronic_only: e.chronic_only,
            veterans_only: e.veterans_only,
            units: e.units,
            filled: 0,
            status: OpeningStatus::Open,
            live_referral: None,
            posted_on: date,
            withdrawn_reason: None,
        }
    }

    /// Units not yet filled.
    pub fn remaining(&self) -> u32 {
        self.units.saturating_sub(self.filled)
    }
}

/// Where a referral stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
#[non_exhaustive]
pub enum ReferralStatus {
    /// Offered, waiting for the provider.
    Offered,
    /// Acknowledged by the provider.
    Acknowledged,
    /// Accepted (HUD result 1).
    Accepted {
        /// Result date.
        date: NaiveDate,
    },
    /// Declined (HUD result 2 or 3).
    Declined {
        /// Result date.
        date: NaiveDate,
        /// HUD result.
        result: ReferralResult,
        /// Policy reason code.
        reason: DeclineReasonCode,
    },
    /// Cancelled without a result.
    Cancelled {
        /// When.
        date: NaiveDate,
        /// Why.
        cause: CancelCause,
    },
    /// No result within the overdue days.
    Expired {
        /// When.
        date: NaiveDate,
    },
}

impl ReferralStatus {
    /// Offered or acknowledged: still waiting for a result.
    pub fn is_live(&self) -> bool {
        matches!(self, ReferralStatus::Offered | ReferralStatus::Acknowledged)
    }

    /// HUD's referral result, once there is one.
    pub fn result(&self) -> Option<(ReferralResult, NaiveDate)> {
        match self {
            ReferralStatus::Accepted { date } => {
                Some((ReferralResult::SuccessfulClientAccepted, *date))
            }
            ReferralStatus::Declined { date, result, .. } => Some((*result, *date)),
            _ => None,
        }
    }
}

impl std::fmt::Display for ReferralStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReferralStatus::Offered => f.write_str("offered"),
            ReferralStatus::Acknowledged => f.write_str("acknowledged"),
            ReferralStatus::Accepted { date } => {
                write!(f, "accepted on {date} (result 1, client accepted)")
            }
            ReferralStatus::Declined {
                date,
                result,
                reason,
            } => write!(f, "declined on {date} (result {result}), reason {reason}"),
            ReferralStatus::Cancelled { date, cause } => {
                write!(f, "cancelled on {date}: {cause}")
            }
            ReferralStatus::Expired { date } => {
                write!(f, "expired on {date} without a result")
            }
        }
    }
}

/// One referral's current state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    /// The referral.
    pub id: ReferralId,
    /// The opening.
    pub opening: OpeningId,
    /// The household.
    pub household: HouseholdId,
    /// 4.20 event code.
    pub event: CeEventType,
    /// Program type.
    pub program_type: ProgramType,
    /// 4.20 location.
    pub location: String,
    /// Date offered (4.20 event date).
    pub offered_on: NaiveDate,
    /// Rank at the time among the households eligible for the opening.
    pub rank: u32,
    /// The household's place on its priority list at the time (see
    /// [`ReferralOffered::list_place`]); `None` for referrals recorded
    /// before it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_place: Option<u32>,
    /// Whether higher-ranked households were bypassed.
    pub bypassed: bool,
    /// Lifecycle state.
    pub status: ReferralStatus,
}

impl Referral {
    /// Starts the fold.
    pub fn offered(e: &ReferralOffered, date: NaiveDate) -> Self {
        Self {
            id: e.referral,
            opening: e.opening,
            household: e.household,
            event: e.event,
            program_type: e.program_type,
            location: e.location.clone(),
            offered_on: date,
            rank: e.rank,
            list_place: e.list_place,
            bypassed: e.bypass.is_some(),
            status: ReferralStatus::Offered,
        }
    }

    /// The day the referral becomes overdue if it still has no result
    /// ([`Policy::referral_due_on`]).
    pub fn due_on(&self, policy: &Policy) -> NaiveDate {
        policy.referral_due_on(self.offered_on)
    }

    /// Days from the offer to `date` while the referral waits for a
    /// result; `None` once resolved, or for a `date` before the offer.
    pub fn days_open(&self, date: NaiveDate) -> Option<i64> {
        (self.status.is_live() && date >= self.offered_on)
            .then(|| (date - self.offered_on).num_days())
    }

    /// Whether the referral is still waiting for a result on `date`, its
    /// due day or later.
    pub fn is_overdue(&self, policy: &Policy, date: NaiveDate) -> bool {
        self.status.is_live() && date >= self.due_on(policy)
    }

    /// Days past the due day on `date` (0 on the due day itself), while
    /// overdue.
    pub fn days_overdue(&self, policy: &Policy, date: NaiveDate) -> Option<i64> {
        self.is_overdue(policy, date)
            .then(|| (date - self.due_on(policy)).num_days())
    }
}

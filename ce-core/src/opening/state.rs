//! Openings and referrals as folds of their events.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::events::*;
use super::model::ProgramType;
use crate::actor::AgencyId;
use crate::household::Coalition;
use crate::hud::{CeEventType, ReferralResult};
use crate::ids::{HouseholdId, OpeningId, ReferralId};
use crate::priority::ListHouseholdType;

/// Where an opening stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpeningStatus {
    /// Taking referrals.
    Open,
    /// Every unit filled by an accepted referral.
    Filled,
    /// Withdrawn by the provider.
    Withdrawn,
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
        reason: String,
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
    /// Rank at the time.
    pub rank: u32,
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
            bypassed: e.bypass.is_some(),
            status: ReferralStatus::Offered,
        }
    }
}

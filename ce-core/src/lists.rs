//! Priority lists: a pure projection of household state, ranked by policy.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::vocab::{words, HouseholdType, ListHouseholdType, ListKey, ProgramType};

use crate::household::{Household, HouseholdStatus};
use crate::policy::{Policy, ProgramRule};
use crate::rank::{compare, RankInputs};

impl ListHouseholdType {
    /// Which list a household belongs on.
    pub fn of(household: &Household, policy: &Policy) -> Self {
        if household.is_youth(policy.youth_max_age) {
            ListHouseholdType::Youth
        } else if household.household_type() == HouseholdType::AdultsAndChildren {
            ListHouseholdType::WithChildren
        } else {
            ListHouseholdType::AdultsOnly
        }
    }
}

impl RankInputs {
    /// The inputs of a placed household; `None` if it is not placed.
    pub fn of(household: &Household, policy: &Policy) -> Option<Self> {
        let placed_on = household.placed_on?;
        let chronic = household.is_chronic();
        let score = household.score();
        let months_homeless = household.months_homeless.months();
        let long_history = months_homeless.is_some_and(|m| m >= 12)
            || household.episode_days().is_some_and(|d| d >= 365);
        let severe = score.is_some_and(|s| s >= policy.severe_needs_score);
        let disabled = household.has_disabled_adult();
        let cpd_16_11_tier = match (chronic, long_history, severe, disabled) {
            (true, true, true, _) => 1,
            (true, true, false, _) => 2,
            (true, false, true, _) => 3,
            (true, false, false, _) => 4,
            (false, _, true, true) => 5,
            (false, true, false, true) => 6,
            (false, false, false, true) if household.literally_homeless() => 7,
            _ => 8,
        };
        Some(Self {
            chronic,
            cpd_16_11_tier,
            score,
            months_homeless,
            episode_days: household.episode_days(),
            placed_on,
            household: household.id,
        })
    }
}

/// Why a household is on no list of a program type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum OffListReason {
    /// Exited CE.
    Exited {
        /// Exit date.
        date: NaiveDate,
    },
    /// Inactive since the sweep.
    Inactive {
        /// Sweep date.
        since: NaiveDate,
    },
    /// Accepted a referral.
    Housed,
    /// Parked after a decline.
    Parked {
        /// Back on the lists on this date.
        until: NaiveDate,
    },
    /// No CE assessment yet.
    NotAssessed,
    /// The latest assessment did not place the household.
    NotPlaced,
    /// The policy keeps no lists for this program type.
    NoListForProgram,
    /// Fails the program's eligibility rule.
    Ineligible {
        /// Which floor or condition.
        rule: IneligibleRule,
    },
}

words! {
    /// Which of a program's eligibility conditions a household fails.
    IneligibleRule {
        /// Unscored: its assessment has no prioritization score.
        Unscored => "unscored: its assessment has no prioritization score",
        /// Score below the program's floor.
        BelowFloor => "score below the program's floor",
        /// Not literally homeless.
        NotLiterallyHomeless => "not literally homeless",
        /// No adult with a disabling condition.
        NoDisabledAdult => "no adult with a disabling condition",
        /// No member with a disabling condition (HUD CoC PSH, 24 CFR 578.37(a)(1)(i)).
        NoDisabledMember => "no member with a disabling condition (HUD CoC PSH, 24 CFR 578.37(a)(1)(i))",
        /// Not chronically homeless.
        NotChronic => "not chronically homeless",
    }
}

impl fmt::Display for OffListReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OffListReason::Exited { date } => write!(f, "exited on {date}"),
            OffListReason::Inactive { since } => write!(f, "inactive since {since}"),
            OffListReason::Housed => f.write_str("accepted a referral"),
            OffListReason::Parked { until } => write!(f, "parked until {until}"),
            OffListReason::NotAssessed => f.write_str("not assessed"),
            OffListReason::NotPlaced => f.write_str("assessed, not placed on the list"),
            OffListReason::NoListForProgram => f.write_str("policy keeps no list for this program"),
            OffListReason::Ineligible { rule } => write!(f, "ineligible: {rule}"),
        }
    }
}

/// Whether the household is on `program`'s list as of `date`, and why not.
pub fn list_status(
    household: &Household,
    policy: &Policy,
    program: ProgramType,
    date: NaiveDate,
) -> Result<(), OffListReason> {
    match household.status {
        HouseholdStatus::Exited { date, .. } => return Err(OffListReason::Exited { date }),
        HouseholdStatus::Inactive { since, .. } => return Err(OffListReason::Inactive { since }),
        HouseholdStatus::Active => {}
    }
    if household.is_housed() {
        return Err(OffListReason::Housed);
    }
    if let Some(until) = household.parked_until.filter(|until| *until > date) {
        return Err(OffListReason::Parked { until });
    }
    if household.assessment.is_none() {
        return Err(OffListReason::NotAssessed);
    }
    // Placed after `date` (a late-entered assessment): not yet on the list then.
    if household.placed_on.is_none_or(|placed| placed > date) {
        return Err(OffListReason::NotPlaced);
    }
    let rule = policy
        .program(program)
        .ok_or(OffListReason::NoListForProgram)?;
    eligible(household, rule).map_err(|rule| OffListReason::Ineligible { rule })
}

fn eligible(household: &Household, rule: &ProgramRule) -> Result<(), IneligibleRule> {
    let e = &rule.eligibility;
    let with_children = household.household_type() == HouseholdType::AdultsAndChildren;
    let floor = if with_children {
        e.min_score_with_children
    } else {
        e.min_score_without_children
    };
    if let Some(floor) = floor {
        match household.score() {
            None => return Err(IneligibleRule::Unscored),
            Some(s) if s < floor => return Err(IneligibleRule::BelowFloor),
            Some(_) => {}
        }
    }
    if e.literally_homeless && !household.literally_homeless() {
        return Err(IneligibleRule::NotLiterallyHomeless);
    }
    if e.disabled_adult && !household.has_disabled_adult() {
        return Err(IneligibleRule::NoDisabledAdult);
    }
    if e.disabled_member && !household.has_disabled_member() {
        return Err(IneligibleRule::NoDisabledMember);
    }
    if e.chronic && !household.is_chronic() {
        return Err(IneligibleRule::NotChronic);
    }
    Ok(())
}

/// One ranked household on a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    /// 1-based rank.
    pub rank: u32,
    /// The values it was ranked by.
    pub inputs: RankInputs,
}

/// A ranked list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityList {
    /// Which list.
    pub key: ListKey,
    /// Households in rank order.
    pub entries: Vec<ListEntry>,
}

/// The lists a household is on as of `date`, with its rank inputs.
pub fn lists_of(household: &Household, policy: &Policy, date: NaiveDate) -> Vec<ListKey> {
    policy
        .programs
        .iter()
        .filter(|rule| list_status(household, policy, rule.program, date).is_ok())
        .map(|rule| ListKey {
            coalition: household.coalition.clone(),
            program: rule.program,
            household_type: ListHouseholdType::of(household, policy),
        })
        .collect()
}

/// Builds every priority list from household state, as of `date`.
pub fn build_lists<'a>(
    households: impl IntoIterator<Item = &'a Household>,
    policy: &Policy,
    date: NaiveDate,
) -> BTreeMap<ListKey, PriorityList> {
    let mut lists: BTreeMap<ListKey, Vec<RankInputs>> = BTreeMap::new();
    for household in households {
        let Some(inputs) = RankInputs::of(household, policy) else {
            continue;
        };
        for key in lists_of(household, policy, date) {
            lists.entry(key).or_default().push(inputs.clone());
        }
    }
    lists
        .into_iter()
        .map(|(key, mut inputs)| {
            let order = policy.order(key.program);
            inputs.sort_by(|a, b| compare(order, a, b));
            let entries = inputs
                .into_iter()
                .zip(1u32..)
                .map(|(inputs, rank)| ListEntry { rank, inputs })
                .collect();
            (key.clone(), PriorityList { key, entries })
        })
        .collect()
}

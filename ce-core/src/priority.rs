//! Priority lists: a pure projection of household state, ranked by policy.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::household::{Coalition, Household, HouseholdStatus, HouseholdType};
use crate::hud::MonthsHomeless;
use crate::ids::HouseholdId;
use crate::opening::ProgramType;
use crate::policy::{OrderKey, Policy, ProgramRule};

/// The household types lists are split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ListHouseholdType {
    /// Adults only, not youth.
    AdultsOnly,
    /// Adults with children, not youth.
    WithChildren,
    /// Youth-headed (every adult 18 to the policy's youth age) or children only.
    Youth,
}

impl ListHouseholdType {
    /// Every list household type.
    pub const ALL: &'static [ListHouseholdType] = &[
        ListHouseholdType::AdultsOnly,
        ListHouseholdType::WithChildren,
        ListHouseholdType::Youth,
    ];

    /// The name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ListHouseholdType::AdultsOnly => "adults-only",
            ListHouseholdType::WithChildren => "with-children",
            ListHouseholdType::Youth => "youth",
        }
    }

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

impl fmt::Display for ListHouseholdType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A household type name that is not one of [`ListHouseholdType::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown household type {0:?}: expected adults-only, with-children or youth")]
pub struct UnknownHouseholdType(pub String);

impl std::str::FromStr for ListHouseholdType {
    type Err = UnknownHouseholdType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ListHouseholdType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownHouseholdType(s.to_owned()))
    }
}

/// Identifies one priority list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ListKey {
    /// Local coalition.
    pub coalition: Coalition,
    /// Program type.
    pub program: ProgramType,
    /// Household type.
    pub household_type: ListHouseholdType,
}

impl ListKey {
    /// The list of `program` for `household_type` in `coalition`.
    pub fn new(
        coalition: Coalition,
        program: ProgramType,
        household_type: ListHouseholdType,
    ) -> Self {
        Self {
            coalition,
            program,
            household_type,
        }
    }
}

impl fmt::Display for ListKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} / {} / {}",
            self.coalition, self.program, self.household_type
        )
    }
}

/// The values a household was ranked by, recorded with every referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankInputs {
    /// Chronically homeless (HUD check).
    pub chronic: bool,
    /// HUD CPD-16-11 tier, 1 (most vulnerable) to 8.
    pub cpd_16_11_tier: u8,
    /// Assessment score.
    pub score: Option<u32>,
    /// Months homeless in the past three years (13 = more than twelve).
    pub months_homeless: Option<u8>,
    /// Days in the current episode at the latest contact.
    pub episode_days: Option<i64>,
    /// When the household was placed on the lists.
    pub placed_on: NaiveDate,
    /// The final tie-breaker.
    pub household: HouseholdId,
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

    /// The value of one ordering key, for explanations.
    pub fn value_of(&self, key: OrderKey) -> String {
        let opt = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
        match key {
            OrderKey::Chronic => if self.chronic { "yes" } else { "no" }.to_owned(),
            OrderKey::Cpd1611Tier => format!("tier {}", self.cpd_16_11_tier),
            OrderKey::Score => opt(self.score.map(|s| s.to_string())),
            OrderKey::MonthsHomeless => self
                .months_homeless
                .and_then(MonthsHomeless::from_months)
                .map_or_else(|| "-".to_owned(), MonthsHomeless::count_text),
            OrderKey::EpisodeLength => opt(self.episode_days.map(|d| d.to_string())),
            OrderKey::PlacedDate => self.placed_on.to_string(),
        }
    }
}

/// Compares two households by one key: `Less` means `a` ranks higher.
pub fn compare_key(key: OrderKey, a: &RankInputs, b: &RankInputs) -> Ordering {
    match key {
        OrderKey::Chronic => b.chronic.cmp(&a.chronic),
        OrderKey::Cpd1611Tier => a.cpd_16_11_tier.cmp(&b.cpd_16_11_tier),
        OrderKey::Score => b.score.cmp(&a.score),
        OrderKey::MonthsHomeless => b.months_homeless.cmp(&a.months_homeless),
        OrderKey::EpisodeLength => b.episode_days.cmp(&a.episode_days),
        OrderKey::PlacedDate => a.placed_on.cmp(&b.placed_on),
    }
}

/// Total order of a list: the policy's keys, then the household id.
pub fn compare(order: &[OrderKey], a: &RankInputs, b: &RankInputs) -> Ordering {
    for key in order {
        let o = compare_key(*key, a, b);
        if o.is_ne() {
            return o;
        }
    }
    // The household id's order (its bytes, big-endian), compared as one
    // integer rather than byte by byte: `compare` runs inside every sort of
    // a list or of a referral's candidates.
    a.household
        .as_uuid()
        .as_u128()
        .cmp(&b.household.as_uuid().as_u128())
}

/// Appends bytes that compare as [`compare`] does: the policy keys, each
/// fixed-width so that comparing the bytes compares key by key ("higher
/// first" keys inverted; `None` after every value, as in [`compare_key`]),
/// then the household id's bytes. The sled store's list rows and the
/// caseload's rank index are keyed so.
pub fn rank_key(order: &[OrderKey], inputs: &RankInputs, out: &mut Vec<u8>) {
    fn descending_option(out: &mut Vec<u8>, value: Option<u64>) {
        match value {
            Some(v) => {
                out.push(0);
                out.extend_from_slice(&(!v).to_be_bytes());
            }
            None => out.extend_from_slice(&[1; 9]),
        }
    }
    for key in order {
        match key {
            OrderKey::Chronic => out.push(u8::from(!inputs.chronic)),
            OrderKey::Cpd1611Tier => out.push(inputs.cpd_16_11_tier),
            OrderKey::Score => descending_option(out, inputs.score.map(u64::from)),
            OrderKey::MonthsHomeless => {
                descending_option(out, inputs.months_homeless.map(u64::from))
            }
            OrderKey::EpisodeLength => descending_option(
                out,
                // i64 to u64 keeping the order: flip the sign bit.
                inputs
                    .episode_days
                    .map(|d| u64::from_be_bytes(d.to_be_bytes()) ^ (1 << 63)),
            ),
            OrderKey::PlacedDate => {
                let days = chrono::Datelike::num_days_from_ce(&inputs.placed_on);
                out.extend_from_slice(
                    &(u32::from_be_bytes(days.to_be_bytes()) ^ (1 << 31)).to_be_bytes(),
                );
            }
        }
    }
    out.extend_from_slice(inputs.household.as_uuid().as_bytes());
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
        rule: &'static str,
    },
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

fn eligible(household: &Household, rule: &ProgramRule) -> Result<(), &'static str> {
    let e = &rule.eligibility;
    let with_children = household.household_type() == HouseholdType::AdultsAndChildren;
    let floor = if with_children {
        e.min_score_with_children
    } else {
        e.min_score_without_children
    };
    if let Some(floor) = floor {
        match household.score() {
            None => return Err("unscored: its assessment has no prioritization score"),
            Some(s) if s < floor => return Err("score below the program's floor"),
            Some(_) => {}
        }
    }
    if e.literally_homeless && !household.literally_homeless() {
        return Err("not literally homeless");
    }
    if e.disabled_adult && !household.has_disabled_adult() {
        return Err("no adult with a disabling condition");
    }
    if e.disabled_member && !household.has_disabled_member() {
        return Err("no member with a disabling condition (HUD CoC PSH, 24 CFR 578.37(a)(1)(i))");
    }
    if e.chronic && !household.is_chronic() {
        return Err("not chronically homeless");
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

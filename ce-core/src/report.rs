//! The BoS Priority List Report (domain reference §7): one row per ranked
//! household, with the columns CE leads work from.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::caseload::Caseload;
use crate::household::{Coalition, Household};
use crate::ids::{HouseholdId, ReferralId};
use crate::priority::{ListHouseholdType, ListKey, PriorityList};

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportRow {
    /// 1-based rank.
    pub rank: u32,
    /// The household.
    pub household: HouseholdId,
    /// Its coalition.
    pub coalition: Coalition,
    /// Its list household type.
    pub household_type: ListHouseholdType,
    /// Chronically homeless.
    pub chronic: bool,
    /// Assessment score.
    pub score: Option<u32>,
    /// Months homeless (13 = more than twelve).
    pub months_homeless: Option<u8>,
    /// Date placed on the list.
    pub placed_on: NaiveDate,
    /// Days on the list as of the report date.
    pub days_on_list: i64,
    /// Latest contact.
    pub last_contact: NaiveDate,
    /// Days since the latest contact.
    pub days_since_contact: i64,
    /// A live referral for this list's program type, if any.
    pub live_referral: Option<ReferralId>,
}

/// A priority list as a report, as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriorityListReport {
    /// Which list.
    pub key: ListKey,
    /// The report date.
    pub as_of: NaiveDate,
    /// Rows in rank order.
    pub rows: Vec<ReportRow>,
}

impl PriorityListReport {
    /// Builds the report of `list` from the caseload it was ranked from.
    pub fn new(caseload: &Caseload, list: &PriorityList, as_of: NaiveDate) -> Self {
        Self::of_households(caseload.households(), list, as_of)
    }

    /// Builds the report of `list` from its households as they were when it
    /// was ranked (at least those on it; a store reading its projections
    /// loads just these). A household missing from `households` has no row.
    pub fn of_households(
        households: &BTreeMap<HouseholdId, Household>,
        list: &PriorityList,
        as_of: NaiveDate,
    ) -> Self {
        let rows = list
            .entries
            .iter()
            .filter_map(|entry| {
                let household = households.get(&entry.inputs.household)?;
                Some(ReportRow {
                    rank: entry.rank,
                    household: household.id,
                    coalition: household.coalition.clone(),
                    household_type: list.key.household_type,
                    chronic: entry.inputs.chronic,
                    score: entry.inputs.score,
                    months_homeless: entry.inputs.months_homeless,
                    placed_on: entry.inputs.placed_on,
                    days_on_list: (as_of - entry.inputs.placed_on).num_days(),
                    last_contact: household.last_contact,
                    days_since_contact: household.days_since_contact(as_of),
                    live_referral: household
                        .live_referrals
                        .iter()
                        .find(|r| r.program_type == list.key.program)
                        .map(|r| r.referral),
                })
            })
            .collect();
        Self {
            key: list.key.clone(),
            as_of,
            rows,
        }
    }
}

impl fmt::Display for PriorityListReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} as of {} ({} households)",
            self.key,
            self.as_of,
            self.rows.len()
        )?;
        writeln!(
            f,
            "{:>4}  {:<8}  {:<13}  {:<7}  {:>5}  {:>6}  {:<10}  {:>7}  {:<10}  {:>7}  live referral",
            "rank",
            "hh",
            "type",
            "chronic",
            "score",
            "months",
            "placed",
            "on list",
            "contact",
            "since",
        )?;
        for row in &self.rows {
            let opt = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
            writeln!(
                f,
                "{:>4}  {:<8}  {:<13}  {:<7}  {:>5}  {:>6}  {:<10}  {:>7}  {:<10}  {:>7}  {}",
                row.rank,
                short(&row.household.to_string()),
                row.household_type.as_str(),
                if row.chronic { "yes" } else { "no" },
                opt(row.score.map(|s| s.to_string())),
                opt(row.months_homeless.map(|m| if m > 12 {
                    ">12".to_owned()
                } else {
                    m.to_string()
                })),
                row.placed_on,
                row.days_on_list,
                row.last_contact,
                row.days_since_contact,
                opt(row.live_referral.map(|r| short(&r.to_string()).to_owned())),
            )?;
        }
        Ok(())
    }
}

/// The first 8 characters of an id, enough to tell households apart on screen.
fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

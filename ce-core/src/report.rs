//! The BoS Priority List Report: one row per ranked
//! household, with the columns CE leads work from.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;

use crate::caseload::{Caseload, Snapshots};
use crate::household::Household;
use crate::hud::MonthsHomeless;
use crate::lists::PriorityList;
use crate::memory::MemoryStore;
use crate::policy::Policy;
use crate::record::Member;
use crate::sealing::Sealed;
use crate::store::StoreError;
use crate::vocab::{ClientId, Coalition, HouseholdId, ListHouseholdType, ListKey, ReferralId};

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
    /// The head of household's client id, when the household has one head.
    pub head: Option<ClientId>,
    /// The head of household's name as recorded (first and last), if any.
    pub head_name: Option<String>,
    /// The head of household's PersonalID in the HMIS the household was
    /// imported from, when it was (see [`PriorityListReport::set_source_ids`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_source_id: Option<String>,
    /// The head's sealed names, when the report was built from a store's
    /// sealed projections: [`Sealed`] opens them into `head_name`.
    #[serde(skip)]
    sealed_head: Option<String>,
    /// 3.917 months homeless in the past three years, as HUD codes it
    /// (101–112 months, 113 more than twelve, 8/9/99 not answered), from
    /// the latest Status Update.
    pub months_homeless: MonthsHomeless,
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

impl ReportRow {
    /// The row as a viewer who may not see the head's names reads it: the
    /// names read [`WITHHELD`](crate::WITHHELD), and the head's id in
    /// another HMIS (which leads to the person there) is left out.
    pub fn withhold_names(&mut self) {
        if self.head_name.is_some() {
            self.head_name = Some(crate::record::WITHHELD.to_owned());
        }
        self.head_source_id = None;
    }
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
                    head: household.head().map(|m| m.client),
                    head_name: household.head().and_then(member_name),
                    head_source_id: None,
                    sealed_head: household
                        .head()
                        .and_then(|m| m.sealed.clone())
                        .filter(|s| crate::privacy::is_sealed(s)),
                    months_homeless: household.months_homeless,
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

impl PriorityListReport {
    /// Fills each row's [`ReportRow::head_source_id`] from `source_id`,
    /// which gives a client's PersonalID in its source HMIS, if known.
    pub fn set_source_ids(
        &mut self,
        mut source_id: impl FnMut(HouseholdId, ClientId) -> Option<String>,
    ) {
        for row in &mut self.rows {
            row.head_source_id = row.head.and_then(|head| source_id(row.household, head));
        }
    }

    /// Blanks every row's head-of-household name: for a list that leaves
    /// the room (client ids stay).
    pub fn without_names(mut self) -> Self {
        for row in &mut self.rows {
            row.head_name = None;
        }
        self
    }
}

/// Whether a report's head-of-household name shows a name: one is
/// recorded and it is not [`WITHHELD`](crate::WITHHELD). A report records
/// a view of the households whose names it shows.
pub fn shows_name(head_name: Option<&str>) -> bool {
    head_name.is_some_and(|name| name != crate::record::WITHHELD)
}

/// A member's recorded name, first then last, if either is recorded.
pub fn member_name(member: &Member) -> Option<String> {
    if member.is_erased() {
        return Some(crate::privacy::ERASED.to_owned());
    }
    if member.is_withheld() {
        return Some(crate::record::WITHHELD.to_owned());
    }
    let parts: Vec<&str> = [&member.first_name, &member.last_name]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
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
            "{:>4}  {:<8}  {:<20}  {:<13}  {:<7}  {:>5}  {:>12}  {:<10}  {:>7}  {:<10}  {:>7}  live referral",
            "rank",
            "hh",
            "head of household",
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
                "{:>4}  {:<8}  {:<20}  {:<13}  {:<7}  {:>5}  {:>12}  {:<10}  {:>7}  {:<10}  {:>7}  {}",
                row.rank,
                short(&row.household.to_string()),
                opt(row.head_name.clone()),
                row.household_type.as_str(),
                if row.chronic { "yes" } else { "no" },
                opt(row.score.map(|s| s.to_string())),
                row.months_homeless.count_text(),
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

/// A household that was housed (accepted a referral, here or in another
/// system) and has not exited CE: a data-quality list CE leads work from,
/// since the CE exit records the move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HousedNotExited {
    /// The household.
    pub household: HouseholdId,
    /// Its coalition.
    pub coalition: Coalition,
    /// The head of household's client id.
    pub head: Option<ClientId>,
    /// The head of household's recorded name, if any.
    pub head_name: Option<String>,
    /// The head of household's PersonalID in the HMIS the household was
    /// imported from, when it was (left for the caller to fill).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_source_id: Option<String>,
    /// The referral it accepted here (`None`: housed through another
    /// system's 4.20 referral, result 1).
    pub referral: Option<ReferralId>,
    /// The receiving program (the referral's 4.20 location), when known.
    pub program: Option<String>,
    /// The result date of the acceptance.
    pub housed_on: NaiveDate,
    /// Days from `housed_on` to the report date.
    pub days: i64,
}

/// The households housed at least `min_days` before `as_of` and not exited,
/// longest first (then by household id). `referral` looks up a referral's
/// state (the store's projection or the caseload's).
pub fn housed_not_exited<'a>(
    households: impl IntoIterator<Item = &'a Household>,
    mut referral: impl FnMut(ReferralId) -> Option<crate::opening::Referral>,
    as_of: NaiveDate,
    min_days: u32,
) -> Vec<HousedNotExited> {
    let mut rows: Vec<HousedNotExited> = households
        .into_iter()
        .filter(|h| !h.is_exited() && h.is_housed())
        .filter_map(|h| {
            let accepted = h.housed_by.and_then(&mut referral);
            let accepted_on = accepted.as_ref().and_then(|r| match r.status {
                crate::opening::ReferralStatus::Accepted { date } => Some(date),
                _ => None,
            });
            let housed_on = match (accepted_on, h.housed_elsewhere) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b)?,
            };
            let days = (as_of - housed_on).num_days();
            (days >= i64::from(min_days)).then(|| HousedNotExited {
                household: h.id,
                coalition: h.coalition.clone(),
                head: h.head().map(|m| m.client),
                head_name: h.head().and_then(member_name),
                head_source_id: None,
                referral: accepted.as_ref().map(|r| r.id),
                program: accepted.map(|r| r.location),
                housed_on,
                days,
            })
        })
        .collect();
    rows.sort_by(|a, b| b.days.cmp(&a.days).then(a.household.cmp(&b.household)));
    rows
}

/// A client due for erasure under a retention period: no event of any of
/// their households is dated after `last_activity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionDue {
    /// The client.
    pub client: ClientId,
    /// Every household they were a member of.
    pub households: Vec<HouseholdId>,
    /// The latest date of any event of those households.
    pub last_activity: NaiveDate,
}

/// The clients with no activity in the `years` before `as_of` (none of
/// their households has an event dated after `as_of` minus `years`), not
/// erased yet, oldest activity first: what `ce retention` erases.
pub fn retention_due(caseload: &Caseload, as_of: NaiveDate, years: u32) -> Vec<RetentionDue> {
    let cutoff = as_of
        .checked_sub_months(chrono::Months::new(years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MIN);
    let mut clients: BTreeMap<ClientId, RetentionDue> = BTreeMap::new();
    let mut erased = std::collections::BTreeSet::new();
    for household in caseload.households().values() {
        erased.extend(household.erased.iter().copied());
        for client in household.clients() {
            let due = clients.entry(client).or_insert_with(|| RetentionDue {
                client,
                households: Vec::new(),
                last_activity: household.last_activity,
            });
            if !due.households.contains(&household.id) {
                due.households.push(household.id);
            }
            due.last_activity = due.last_activity.max(household.last_activity);
        }
    }
    let mut due: Vec<RetentionDue> = clients
        .into_values()
        .filter(|d| d.last_activity < cutoff && !erased.contains(&d.client))
        .collect();
    due.sort_by(|a, b| {
        a.last_activity
            .cmp(&b.last_activity)
            .then(a.client.cmp(&b.client))
    });
    due
}

/// A member's release of information that ends soon: what `ce report
/// consent --expiring` lists, so that staff ask the client to renew it
/// before their names are withheld.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsentExpiring {
    /// The household.
    pub household: HouseholdId,
    /// The member.
    pub client: ClientId,
    /// Whom the release covers.
    pub scope: crate::record::ConsentScope,
    /// Its last day.
    pub expires: NaiveDate,
    /// Days from the report date to the last day (0: it ends today).
    pub days_left: i64,
}

/// Releases of information of current members of households that have not
/// exited, in force on `as_of` and ending within `days` of it, soonest
/// first.
pub fn consent_expiring(caseload: &Caseload, as_of: NaiveDate, days: u32) -> Vec<ConsentExpiring> {
    let mut rows: Vec<ConsentExpiring> = caseload
        .households()
        .values()
        .filter(|h| !h.is_exited())
        .flat_map(|h| {
            h.members.iter().filter_map(move |m| {
                let consent = h.consent_on(m.client, as_of)?;
                let expires = consent.expires?;
                let days_left = (expires - as_of).num_days();
                (days_left <= i64::from(days)).then_some(ConsentExpiring {
                    household: h.id,
                    client: m.client,
                    scope: consent.scope,
                    expires,
                    days_left,
                })
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.expires, a.household, a.client).cmp(&(b.expires, b.household, b.client))
    });
    rows
}

/// A store that reports a priority list: what a screen of today's list or
/// a nightly report reads. The default ranks the store's caseload (its
/// snapshot, or else the whole log folded) under the policy given; a store
/// that keeps its lists ranked reads only the rows it needs when the
/// policy given is the one it ranks by.
pub trait ListReader: Snapshots {
    /// The report of one list as of `date` under `policy` (the workflow's:
    /// [`Workflow::policy`](crate::workflow::Workflow::policy)), its top
    /// `limit` households.
    fn list_report(
        &self,
        policy: &Policy,
        key: &ListKey,
        date: NaiveDate,
        limit: usize,
    ) -> Result<PriorityListReport, StoreError> {
        list_report_by_fold(self, policy, key, date, limit)
    }
}

/// A list report from the store's caseload (its snapshot, or the log
/// folded), ranked under `policy`: [`ListReader`]'s default, for a store
/// that keeps no ranked lists or ranks by another policy.
pub fn list_report_by_fold<S: Snapshots + ?Sized>(
    store: &S,
    policy: &Policy,
    key: &ListKey,
    date: NaiveDate,
    limit: usize,
) -> Result<PriorityListReport, StoreError> {
    let caseload = match store.snapshot()? {
        Some(caseload) => caseload,
        None => Caseload::fold_log(store, |_| true)?,
    };
    let mut list = caseload.list(policy, key, date);
    list.entries.truncate(limit);
    Ok(PriorityListReport::new(&caseload, &list, date))
}

/// Folds its log for every report.
impl ListReader for MemoryStore {}

/// The store's own report, with the heads' names opened.
impl<S: ListReader> ListReader for Sealed<S> {
    fn list_report(
        &self,
        policy: &Policy,
        key: &ListKey,
        date: NaiveDate,
        limit: usize,
    ) -> Result<PriorityListReport, StoreError> {
        self.open_report(self.inner().list_report(policy, key, date, limit)?)
    }
}

impl<S: crate::store::EventStore> Sealed<S> {
    /// A report the store beneath made from its sealed projections, with
    /// the heads' names opened.
    pub fn open_report(
        &self,
        mut report: PriorityListReport,
    ) -> Result<PriorityListReport, StoreError> {
        for row in &mut report.rows {
            let Some(token) = row.sealed_head.take() else {
                continue;
            };
            let mut head = serde_json::json!({ "sealed": token });
            self.open_value(&mut head)?;
            let text = |key: &str| head.get(key).and_then(|v| v.as_str()).map(str::to_owned);
            let member = Member {
                first_name: text("first_name"),
                last_name: text("last_name"),
                sealed: text("sealed"),
                ..Member::head(row.head.unwrap_or(crate::vocab::ClientId::NIL))
            };
            row.head_name = member_name(&member);
        }
        Ok(report)
    }
}

impl<S: ListReader + ?Sized> ListReader for Arc<S> {
    fn list_report(
        &self,
        policy: &Policy,
        key: &ListKey,
        date: NaiveDate,
        limit: usize,
    ) -> Result<PriorityListReport, StoreError> {
        (**self).list_report(policy, key, date, limit)
    }
}

//! The whole caseload as one fold of the log: households, openings,
//! referrals, open enrollments per client, and every stream's version.
//! Stores maintain it incrementally; folding from scratch gives the same.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;

use crate::envelope::{Envelope, StreamId};
use crate::event::Event;
use crate::household::{Household, HouseholdStatus};
use crate::lists::{build_lists, list_status, PriorityList};
use crate::opening::{Opening, OpeningStatus, Referral, ReferralStatus};
use crate::policy::{OrderKey, Policy};
use crate::rank::{rank_key, RankInputs};
use crate::store::{EventStore, StoreError};
use crate::vocab::{
    Actor, AgencyId, ClientId, Coalition, HouseholdId, ListHouseholdType, ListKey, OpeningId,
    ProgramType, ReferralId,
};

/// Everything the workflow knows, folded from the log.
///
/// Change a caseload through [`Caseload::apply`]. The households are read
/// through [`Caseload::households`] and set only through methods that keep
/// the indexes derived from them ([`Caseload::set_households`],
/// [`Caseload::insert_household`], for a store loading its projections):
/// an index that missed a change would make a referral skip the household
/// it should have offered to.
#[derive(Debug, Clone, Default)]
pub struct Caseload {
    /// Every household (CE enrollment), exited ones included.
    households: BTreeMap<HouseholdId, Household>,
    /// Every opening.
    pub openings: BTreeMap<OpeningId, Opening>,
    /// Every referral.
    pub referrals: BTreeMap<ReferralId, Referral>,
    /// Clients with an open CE enrollment, and its household.
    pub open_enrollments: HashMap<ClientId, HouseholdId>,
    /// The date each client's latest CE enrollment closed.
    pub closed_enrollments: HashMap<ClientId, NaiveDate>,
    /// Each stream's version (number of events).
    pub versions: HashMap<StreamId, u64>,
    /// The position the next event will have.
    pub next_position: u64,
    /// Households not exited, by coalition (derived from `households`).
    by_coalition: CoalitionIndex,
    /// Households that may be on a list, best first under one policy
    /// (derived from `households`; see [`Caseload::rank_by`]).
    ranks: Option<RankIndex>,
}

/// Equality of what the log says; the coalition and rank indexes are
/// derived from it.
impl PartialEq for Caseload {
    fn eq(&self, other: &Self) -> bool {
        self.households == other.households
            && self.openings == other.openings
            && self.referrals == other.referrals
            && self.open_enrollments == other.open_enrollments
            && self.closed_enrollments == other.closed_enrollments
            && self.versions == other.versions
            && self.next_position == other.next_position
    }
}

/// The ids of the households of each coalition that have not exited CE, so
/// that a referral looks at one coalition's open households, not at every
/// household the state has ever enrolled.
#[derive(Debug, Clone, Default)]
struct CoalitionIndex {
    open: HashMap<Coalition, BTreeSet<HouseholdId>>,
}

impl CoalitionIndex {
    /// Files the household under `id` (its key in `households`) under its
    /// coalition if it is open, and nowhere else; `was` is the coalition it
    /// was filed under before, if it was known.
    fn refresh(&mut self, id: HouseholdId, was: Option<&Coalition>, household: &Household) {
        if let Some(ids) = was
            .filter(|was| **was != household.coalition)
            .and_then(|was| self.open.get_mut(was))
        {
            ids.remove(&id);
        }
        let ids = self.open.entry(household.coalition.clone()).or_default();
        if household.is_exited() {
            ids.remove(&id);
        } else {
            ids.insert(id);
        }
    }
}

/// The households of each coalition that may be on a list (active, not
/// housed, placed), ordered as each of one policy's program orders ranks
/// them, so that a referral reads them best first and stops at the first
/// eligible one instead of ranking the whole coalition.
#[derive(Debug, Clone)]
struct RankIndex {
    policy: Policy,
    /// The distinct orders of the policy's programs.
    orders: Vec<Vec<OrderKey>>,
    /// For a coalition and an index into `orders`: each household's
    /// [`rank_key`] (which ends with its id), so the bytes sort as
    /// [`crate::rank::compare`] does.
    ranked: HashMap<(Coalition, usize), BTreeSet<Vec<u8>>>,
    /// The coalition and rank inputs each indexed household is filed under.
    filed: HashMap<HouseholdId, (Coalition, RankInputs)>,
}

impl RankIndex {
    fn new(policy: &Policy) -> Self {
        let mut orders: Vec<Vec<OrderKey>> = Vec::new();
        for program in &policy.programs {
            if !orders.contains(&program.order) {
                orders.push(program.order.clone());
            }
        }
        Self {
            policy: policy.clone(),
            orders,
            ranked: HashMap::new(),
            filed: HashMap::new(),
        }
    }

    fn key(order: &[OrderKey], inputs: &RankInputs) -> Vec<u8> {
        let mut key = Vec::with_capacity(48);
        rank_key(order, inputs, &mut key);
        key
    }

    /// Files the household under `id` as it now is: under its coalition
    /// and rank inputs if it may be on a list, nowhere otherwise.
    fn refresh(&mut self, id: HouseholdId, household: &Household) {
        let listed = household.status == HouseholdStatus::Active && !household.is_housed();
        let now = RankInputs::of(household, &self.policy)
            .filter(|_| listed)
            .map(|inputs| (household.coalition.clone(), inputs));
        if self.filed.get(&id) == now.as_ref() {
            return;
        }
        if let Some((coalition, inputs)) = self.filed.remove(&id) {
            for (slot, order) in self.orders.iter().enumerate() {
                if let Some(set) = self.ranked.get_mut(&(coalition.clone(), slot)) {
                    set.remove(&Self::key(order, &inputs));
                }
            }
        }
        if let Some((coalition, inputs)) = now {
            for (slot, order) in self.orders.iter().enumerate() {
                self.ranked
                    .entry((coalition.clone(), slot))
                    .or_default()
                    .insert(Self::key(order, &inputs));
            }
            self.filed.insert(id, (coalition, inputs));
        }
    }
}

impl Caseload {
    /// Folds a sequence of envelopes from an empty caseload.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Envelope>) -> Self {
        let mut caseload = Self::default();
        for envelope in events {
            caseload.apply(envelope);
        }
        caseload
    }

    /// Folds a store's whole log, streaming it in batches, keeping only the
    /// events `keep` accepts.
    pub fn fold_log<S: EventStore + ?Sized>(
        store: &S,
        keep: impl Fn(&Envelope) -> bool,
    ) -> Result<Self, StoreError> {
        /// Events read per batch.
        const BATCH: usize = 4_096;
        let mut caseload = Self::default();
        let mut from = 0;
        loop {
            let batch = store.read_from(from, BATCH)?;
            let Some(last) = batch.last() else {
                return Ok(caseload);
            };
            from = last.position.saturating_add(1);
            for envelope in batch.iter().filter(|e| keep(e)) {
                caseload.apply(envelope);
            }
        }
    }

    /// A stream's current version (0 if it has no events).
    pub fn version(&self, stream: &StreamId) -> u64 {
        self.versions.get(stream).copied().unwrap_or(0)
    }

    /// Applies one stored event. Never fails: events are facts.
    pub fn apply(&mut self, envelope: &Envelope) {
        for sv in &envelope.streams {
            self.versions.insert(sv.stream, sv.version);
        }
        self.next_position = self.next_position.max(envelope.position.saturating_add(1));
        let date = envelope.effective;
        for sv in &envelope.streams {
            match sv.stream {
                StreamId::Household(id) => {
                    self.apply_household(id, &envelope.event, date, &envelope.actor.agency)
                }
                StreamId::Client(id) => self.apply_client(id, &envelope.event, date),
                StreamId::Opening(id) => self.apply_opening(id, &envelope.event, date),
                // The caseload is ranked by the policy the workflow holds;
                // `verify` follows the policy stream itself.
                StreamId::Policy => {}
            }
        }
        self.apply_referral(&envelope.event, date);
    }

    fn apply_household(&mut self, id: HouseholdId, event: &Event, date: NaiveDate, by: &AgencyId) {
        if let Event::HouseholdEnrolled(e) = event {
            let mut household = Household::enrolled(e, date);
            // An enrollment recorded before events named the enrolling
            // agency: the agency that entered it.
            household.agency.get_or_insert_with(|| by.clone());
            self.put_household(id, household);
        } else if let Some(household) = self.households.get_mut(&id) {
            // Only an exit or a correction of the enrollment can change
            // whether and where the household is indexed.
            let refiled = matches!(event, Event::HouseholdExited(_) | Event::EventCorrected(_))
                .then(|| household.coalition.clone());
            household.apply(event, date);
            if let Some(was) = refiled {
                self.by_coalition.refresh(id, Some(&was), household);
            }
            if let Some(ranks) = &mut self.ranks {
                ranks.refresh(id, household);
            }
        }
    }

    /// Ranks the households under `policy` from now on (and keeps them
    /// ranked through [`Caseload::apply`]), so that
    /// [`Caseload::ranked_in`] reads a coalition's households best first:
    /// a referral then looks at the households ranked above the one it
    /// offers to, not at the whole coalition. The workflow ranks its
    /// caseload by its policy.
    pub fn rank_by(&mut self, policy: &Policy) {
        let mut index = RankIndex::new(policy);
        for (id, household) in &self.households {
            index.refresh(*id, household);
        }
        self.ranks = Some(index);
    }

    /// The households of `coalition` that may be on a `program` list (not
    /// exited, active, not housed, placed; none if the policy has no rule
    /// for the program), best first as `policy` ranks that program's list,
    /// ties broken by household id as in
    /// [`crate::rank::compare`]. Whether each one is eligible on a
    /// given date (parked, placed after it, the program's rules) is left
    /// to the caller. `None` unless the caseload is [ranked](Caseload::rank_by)
    /// by this very policy.
    pub fn ranked_in<'a>(
        &'a self,
        coalition: &Coalition,
        policy: &Policy,
        program: ProgramType,
    ) -> Option<impl Iterator<Item = &'a Household> + 'a> {
        let index = self
            .ranks
            .as_ref()
            .filter(|index| index.policy == *policy)?;
        // Every program of the policy has its order among `orders`; a
        // program without a rule has no list, and no households.
        let ranked = policy.program(program).and_then(|rule| {
            let slot = index.orders.iter().position(|o| *o == rule.order)?;
            index.ranked.get(&(coalition.clone(), slot))
        });
        Some(ranked.into_iter().flatten().filter_map(|key| {
            let id = key
                .len()
                .checked_sub(16)
                .and_then(|at| uuid::Uuid::from_slice(&key[at..]).ok())?;
            self.households.get(&HouseholdId::from_uuid(id))
        }))
    }

    /// Every household (CE enrollment), exited ones included.
    pub fn households(&self) -> &BTreeMap<HouseholdId, Household> {
        &self.households
    }

    /// Whether `household` was ever referred to an opening of `agency`:
    /// a release of information for referrals lets that agency see the
    /// names.
    pub fn referred_to(&self, household: HouseholdId, agency: &AgencyId) -> bool {
        self.referrals.values().any(|r| {
            r.household == household
                && self
                    .openings
                    .get(&r.opening)
                    .is_some_and(|o| &o.agency == agency)
        })
    }

    /// The household as `viewer` may see it on `on` (see
    /// [`Household::as_seen_by`]), or `None` when there is no such household.
    pub fn household_as_seen_by(
        &self,
        household: HouseholdId,
        viewer: &Actor,
        on: NaiveDate,
    ) -> Option<Household> {
        let found = self.households.get(&household)?;
        Some(found.as_seen_by(viewer, on, self.referred_to(household, &viewer.agency)))
    }

    /// Replaces every household (a store loading its projections) and
    /// rebuilds the indexes derived from them.
    pub fn set_households(&mut self, households: BTreeMap<HouseholdId, Household>) {
        self.households = households;
        let mut index = CoalitionIndex::default();
        for (id, household) in &self.households {
            index.refresh(*id, None, household);
        }
        self.by_coalition = index;
        if let Some(policy) = self.ranks.take().map(|index| index.policy) {
            self.rank_by(&policy);
        }
    }

    /// Adds or replaces one household under its id (a store loading one
    /// projection row), keeping the indexes.
    pub fn insert_household(&mut self, household: Household) {
        self.put_household(household.id, household);
    }

    fn put_household(&mut self, id: HouseholdId, household: Household) {
        let was = self.households.get(&id).map(|h| &h.coalition);
        self.by_coalition.refresh(id, was, &household);
        if let Some(ranks) = &mut self.ranks {
            ranks.refresh(id, &household);
        }
        self.households.insert(id, household);
    }

    /// The households of `coalition` that have not exited CE, in household
    /// id order.
    pub fn households_in<'a>(
        &'a self,
        coalition: &Coalition,
    ) -> impl Iterator<Item = &'a Household> + 'a {
        self.by_coalition
            .open
            .get(coalition)
            .into_iter()
            .flatten()
            .filter_map(|id| self.households.get(id))
    }

    fn apply_client(&mut self, id: ClientId, event: &Event, date: NaiveDate) {
        match event {
            Event::ClientEnrollmentOpened(e) => {
                self.open_enrollments.insert(id, e.household);
            }
            Event::ClientEnrollmentClosed(e) => {
                if self.open_enrollments.get(&id) == Some(&e.household) {
                    self.open_enrollments.remove(&id);
                }
                let closed = self.closed_enrollments.entry(id).or_insert(date);
                *closed = (*closed).max(date);
            }
            _ => {}
        }
    }

    fn apply_opening(&mut self, id: OpeningId, event: &Event, date: NaiveDate) {
        if let Event::OpeningPosted(e) = event {
            self.openings.insert(id, Opening::posted(e, date));
            return;
        }
        let Some(opening) = self.openings.get_mut(&id) else {
            return;
        };
        match event {
            Event::OpeningWithdrawn(e) => {
                opening.status = OpeningStatus::Withdrawn;
                opening.withdrawn_reason = Some(e.reason.clone());
            }
            Event::ReferralOffered(e) => opening.live_referral = Some(e.referral),
            Event::ReferralAccepted(_) => {
                opening.live_referral = None;
                opening.filled += 1;
                if opening.remaining() == 0 {
                    opening.status = OpeningStatus::Filled;
                }
            }
            Event::ReferralDeclined(_)
            | Event::ReferralCancelled(_)
            | Event::ReferralExpired(_) => {
                opening.live_referral = None;
            }
            _ => {}
        }
    }

    fn apply_referral(&mut self, event: &Event, date: NaiveDate) {
        let (id, status) = match event {
            Event::ReferralOffered(e) => {
                self.referrals
                    .insert(e.referral, Referral::offered(e, date));
                return;
            }
            Event::ReferralAcknowledged(e) => (e.referral, ReferralStatus::Acknowledged),
            Event::ReferralAccepted(e) => (e.referral, ReferralStatus::Accepted { date }),
            Event::ReferralDeclined(e) => (
                e.referral,
                ReferralStatus::Declined {
                    date,
                    result: e.result,
                    reason: e.reason.clone(),
                },
            ),
            Event::ReferralCancelled(e) => (
                e.referral,
                ReferralStatus::Cancelled {
                    date,
                    cause: e.cause,
                },
            ),
            Event::ReferralExpired(e) => (e.referral, ReferralStatus::Expired { date }),
            _ => return,
        };
        if let Some(referral) = self.referrals.get_mut(&id) {
            referral.status = status;
        }
    }

    /// Every priority list as of `date`.
    pub fn lists(
        &self,
        policy: &Policy,
        date: NaiveDate,
    ) -> std::collections::BTreeMap<ListKey, PriorityList> {
        build_lists(self.households.values(), policy, date)
    }

    /// `household`'s 1-based place on the list `key` as of `date`, counting
    /// every household on it; `None` when it is not on that list. Walks the
    /// rank index down to the household when the caseload is ranked by
    /// `policy`, else builds the list.
    pub fn place_on_list(
        &self,
        policy: &Policy,
        key: &ListKey,
        household: HouseholdId,
        date: NaiveDate,
    ) -> Option<u32> {
        let Some(ranked) = self.ranked_in(&key.coalition, policy, key.program) else {
            return self
                .list(policy, key, date)
                .entries
                .iter()
                .find(|e| e.inputs.household == household)
                .map(|e| e.rank);
        };
        let mut place: u32 = 0;
        for h in ranked {
            let on_list = ListHouseholdType::of(h, policy) == key.household_type
                && list_status(h, policy, key.program, date).is_ok();
            if on_list {
                place = place.saturating_add(1);
                if h.id == household {
                    return Some(place);
                }
            }
        }
        None
    }

    /// One priority list as of `date` (empty if nobody is on it).
    pub fn list(&self, policy: &Policy, key: &ListKey, date: NaiveDate) -> PriorityList {
        build_lists(self.households_in(&key.coalition), policy, date)
            .remove(key)
            .unwrap_or_else(|| PriorityList {
                key: key.clone(),
                entries: Vec::new(),
            })
    }
}

/// A store that keeps the caseload's projections itself, so that a
/// workflow opened on it need not replay the log. A store that keeps none
/// implements it with the default, and the workflow folds the log.
pub trait Snapshots: EventStore {
    /// The caseload as the store's own projections hold it, if it keeps
    /// them.
    fn snapshot(&self) -> Result<Option<Caseload>, StoreError> {
        Ok(None)
    }
}

impl<S: Snapshots + ?Sized> Snapshots for Arc<S> {
    fn snapshot(&self) -> Result<Option<Caseload>, StoreError> {
        (**self).snapshot()
    }
}

//! The whole caseload as one fold of the log: households, openings,
//! referrals, open enrollments per client, and every stream's version.
//! Stores maintain it incrementally; folding from scratch gives the same.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use crate::envelope::{Envelope, StreamId};
use crate::event::Event;
use crate::household::{Coalition, Household};
use crate::ids::{ClientId, HouseholdId, OpeningId, ReferralId};
use crate::opening::{Opening, OpeningStatus, Referral, ReferralStatus};
use crate::policy::Policy;
use crate::priority::{build_lists, ListKey, PriorityList};

/// Everything the workflow knows, folded from the log.
///
/// The fields are public for reading. Change a caseload through
/// [`Caseload::apply`]; code that fills `households` itself (a store loading
/// its projections) calls [`Caseload::reindex`] afterwards, or the caseload
/// answers [`Caseload::households_in`] by walking every household.
#[derive(Debug, Clone, Default)]
pub struct Caseload {
    /// Every household (CE enrollment), exited ones included.
    pub households: BTreeMap<HouseholdId, Household>,
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
}

/// Equality of what the log says; the coalition index is derived from it.
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
    /// How many households the index has seen; when it differs from
    /// `households.len()`, households were added around `apply` and the
    /// index is not used.
    seen: usize,
}

impl CoalitionIndex {
    /// Files the household under `id` (its key in `households`) under its
    /// coalition if it is open, and nowhere else.
    fn refresh(&mut self, id: HouseholdId, household: &Household) {
        for (coalition, ids) in &mut self.open {
            if *coalition != household.coalition {
                ids.remove(&id);
            }
        }
        let ids = self.open.entry(household.coalition.clone()).or_default();
        if household.is_exited() {
            ids.remove(&id);
        } else {
            ids.insert(id);
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

    /// A stream's current version (0 if it has no events).
    pub fn version(&self, stream: &StreamId) -> u64 {
        self.versions.get(stream).copied().unwrap_or(0)
    }

    /// Applies one stored event. Never fails: events are facts.
    pub fn apply(&mut self, envelope: &Envelope) {
        for sv in &envelope.streams {
            self.versions.insert(sv.stream, sv.version);
        }
        self.next_position = self.next_position.max(envelope.position + 1);
        let date = envelope.effective;
        for sv in &envelope.streams {
            match sv.stream {
                StreamId::Household(id) => self.apply_household(id, &envelope.event, date),
                StreamId::Client(id) => self.apply_client(id, &envelope.event, date),
                StreamId::Opening(id) => self.apply_opening(id, &envelope.event, date),
            }
        }
        self.apply_referral(&envelope.event, date);
    }

    fn apply_household(&mut self, id: HouseholdId, event: &Event, date: NaiveDate) {
        if let Event::HouseholdEnrolled(e) = event {
            let household = Household::enrolled(e, date);
            self.by_coalition.refresh(id, &household);
            if self.households.insert(id, household).is_none() {
                self.by_coalition.seen += 1;
            }
        } else if let Some(household) = self.households.get_mut(&id) {
            household.apply(event, date);
            // Only an exit or a correction of the enrollment can change
            // whether and where the household is indexed.
            if matches!(event, Event::HouseholdExited(_) | Event::EventCorrected(_)) {
                self.by_coalition.refresh(id, household);
            }
        }
    }

    /// Rebuilds the coalition index from `households`, for code that filled
    /// `households` without [`Caseload::apply`].
    pub fn reindex(&mut self) {
        let mut index = CoalitionIndex::default();
        for (id, household) in &self.households {
            index.refresh(*id, household);
        }
        index.seen = self.households.len();
        self.by_coalition = index;
    }

    /// The households of `coalition` that have not exited CE, in household
    /// id order: from the coalition index, or by walking every household if
    /// `households` was filled without [`Caseload::apply`] and not
    /// [reindexed](Caseload::reindex) since.
    pub fn households_in<'a>(
        &'a self,
        coalition: &'a Coalition,
    ) -> impl Iterator<Item = &'a Household> + 'a {
        let indexed = self.by_coalition.seen == self.households.len();
        let (ids, all) = if indexed {
            (self.by_coalition.open.get(coalition), None)
        } else {
            (None, Some(self.households.values()))
        };
        ids.into_iter()
            .flatten()
            .filter_map(|id| self.households.get(id))
            .chain(all.into_iter().flatten())
            .filter(move |h| h.coalition == *coalition && !h.is_exited())
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
            Event::OpeningWithdrawn(_) => {
                opening.status = OpeningStatus::Withdrawn;
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

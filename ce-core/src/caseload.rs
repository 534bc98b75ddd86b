//! The whole caseload as one fold of the log: households, openings,
//! referrals, open enrollments per client, and every stream's version.
//! Stores maintain it incrementally; folding from scratch gives the same.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::envelope::{Envelope, StreamId};
use crate::event::Event;
use crate::household::Household;
use crate::ids::{ClientId, HouseholdId, OpeningId, ReferralId};
use crate::opening::{Opening, OpeningStatus, Referral, ReferralStatus};
use crate::policy::Policy;
use crate::priority::{build_lists, ListKey, PriorityList};

/// Everything the workflow knows, folded from the log.
#[derive(Debug, Clone, Default, PartialEq)]
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
            self.households.insert(id, Household::enrolled(e, date));
        } else if let Some(household) = self.households.get_mut(&id) {
            household.apply(event, date);
        }
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
        let households = self
            .households
            .values()
            .filter(|h| h.coalition == key.coalition);
        build_lists(households, policy, date)
            .remove(key)
            .unwrap_or_else(|| PriorityList {
                key: key.clone(),
                entries: Vec::new(),
            })
    }
}

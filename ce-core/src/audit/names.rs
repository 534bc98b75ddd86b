//! Whose names a viewer sees, decided once for a whole answer: by today's
//! caseload (its releases and restrictions), whatever date the answer shows
//! the caseload as of. The CLI and `ce serve` read households, list rows
//! and history entries through it.

use std::borrow::Borrow;
use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::caseload::Caseload;
use crate::household::Household;
use crate::vocab::{Actor, ClientId, HouseholdId};

use super::HistoryEntry;

/// The names `viewer` may see on `on`, by `caseload` (today's). A viewer
/// of `None` (an account that takes no part in the workflow) sees none.
#[derive(Debug)]
pub struct Names<C> {
    caseload: C,
    viewer: Option<Actor>,
    on: NaiveDate,
    /// The households referred to the viewer's agency's openings.
    referred: BTreeSet<HouseholdId>,
}

impl<C: Borrow<Caseload>> Names<C> {
    /// The rules for `viewer` on `on`, by `caseload`.
    pub fn new(caseload: C, viewer: Option<Actor>, on: NaiveDate) -> Self {
        let referred = match &viewer {
            None => BTreeSet::new(),
            Some(viewer) => {
                let state: &Caseload = caseload.borrow();
                state
                    .referrals
                    .values()
                    .filter(|r| {
                        state
                            .openings
                            .get(&r.opening)
                            .is_some_and(|o| o.agency == viewer.agency)
                    })
                    .map(|r| r.household)
                    .collect()
            }
        };
        Self {
            caseload,
            viewer,
            on,
            referred,
        }
    }

    fn today(&self, household: HouseholdId) -> Option<&Household> {
        self.caseload.borrow().households().get(&household)
    }

    /// Whether the viewer sees the names of `client` of `household` (none
    /// of a household not in the caseload).
    pub fn shows(&self, household: HouseholdId, client: ClientId) -> bool {
        match (&self.viewer, self.today(household)) {
            (Some(viewer), Some(h)) => {
                h.shows_names_of(client, viewer, self.on, self.referred.contains(&household))
            }
            _ => false,
        }
    }

    /// Whether the viewer sees the names of a list row's head (a row
    /// without a head shows none).
    pub fn shows_row(&self, household: HouseholdId, head: Option<ClientId>) -> bool {
        head.is_some_and(|head| self.shows(household, head))
    }

    /// Whether the viewer sees where `household` stays and was assessed.
    pub fn shows_locations(&self, household: HouseholdId) -> bool {
        match (&self.viewer, self.today(household)) {
            (Some(viewer), Some(h)) => h.shows_locations_to(viewer),
            _ => false,
        }
    }

    /// `household`, as of any date, as the viewer may see it.
    pub fn household(&self, household: &Household) -> Household {
        household.withheld(
            |client| self.shows(household.id, client),
            self.shows_locations(household.id),
        )
    }

    /// An entry of `household`'s history as the viewer may read it.
    pub fn entry(&self, household: HouseholdId, entry: &mut HistoryEntry) {
        let all_names = self
            .today(household)
            .is_some_and(|h| h.clients().all(|c| self.shows(household, c)));
        entry.withhold(
            &|client| self.shows(household, client),
            all_names,
            self.shows_locations(household),
        );
    }
}

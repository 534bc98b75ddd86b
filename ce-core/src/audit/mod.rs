//! Audit replay: state and lists on either time axis, a household's history
//! with what each event changed, "why this rank", and the referral check.
//!
//! Two time axes: an event's *effective* date (when it happened) and its
//! *recorded-at* time (when it was entered). "As of D" folds every event
//! known now whose effective date is on or before D; "as known at T" folds
//! only the events recorded by T, which is what the system showed then.

use std::collections::BTreeSet;

mod change;
mod names;

pub use change::{Change, ReferralStep};
pub use names::Names;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::caseload::Caseload;
use crate::decide::rank_among;
use crate::envelope::{Envelope, StreamId};
use crate::event::Event;
use crate::household::{Household, HouseholdStatus};
use crate::lists::{list_status, lists_of, OffListReason};
use crate::policy::{OrderKey, Policy};
use crate::rank::{compare_key, RankInputs};
use crate::vocab::{EventId, HouseholdId, ListHouseholdType, ListKey, ReferralId};

/// The caseload as it was on `date`, by everything known now.
pub fn as_of<'a>(log: impl IntoIterator<Item = &'a Envelope>, date: NaiveDate) -> Caseload {
    let mut caseload = Caseload::default();
    for envelope in log.into_iter().filter(|e| e.effective <= date) {
        caseload.apply(envelope);
    }
    caseload
}

/// The caseload as the system showed it at `at`: only events recorded by then.
pub fn as_known_at<'a>(log: impl IntoIterator<Item = &'a Envelope>, at: DateTime<Utc>) -> Caseload {
    let mut caseload = Caseload::default();
    for envelope in log.into_iter().filter(|e| e.recorded_at <= at) {
        caseload.apply(envelope);
    }
    caseload
}

/// One event of a household's history and what it changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// Global position.
    pub position: u64,
    /// Event id.
    pub event_id: EventId,
    /// When it happened.
    pub effective: NaiveDate,
    /// When it was entered.
    pub recorded_at: DateTime<Utc>,
    /// Who entered it: user, agency, role.
    pub actor: crate::vocab::Actor,
    /// Event type.
    pub event_type: crate::event::EventType,
    /// The HUD data element it corresponds to.
    pub hud_element: Option<&'static str>,
    /// What it changed: lists, status, a referral's step, ...
    /// (`Display` gives the words).
    pub changes: Vec<Change>,
    /// The event itself.
    pub event: Event,
}

impl HistoryEntry {
    /// The entry as a viewer reads it who sees the names of the clients
    /// `shows` accepts (`all_names`: of every client the household ever
    /// had), and the household's locations if `locations`: what they may
    /// not see, and the ids of records in another HMIS when any name is
    /// withheld, read [`WITHHELD`](crate::WITHHELD).
    pub fn withhold(
        &mut self,
        shows: &impl Fn(crate::vocab::ClientId) -> bool,
        all_names: bool,
        locations: bool,
    ) {
        self.event.withhold_names(shows);
        if !locations {
            self.event.withhold_locations();
        }
        if !all_names {
            if let crate::event::Event::HmisRecordDeleted(e) = &mut self.event {
                e.id = crate::record::WITHHELD.to_owned();
            }
            for change in &mut self.changes {
                if let Change::HmisDeleted { id, .. } = change {
                    *id = crate::record::WITHHELD.to_owned();
                }
            }
        }
    }

    /// What the event changed, in words, on one line (`; ` between).
    pub fn changes_line(&self) -> String {
        let words: Vec<String> = self.changes.iter().map(ToString::to_string).collect();
        words.join("; ")
    }
}

/// The history of one household from the events of its stream, in order,
/// each with the lists it was placed on or removed from, status changes and
/// referral changes.
pub fn household_history(stream: &[Envelope], policy: &Policy) -> Vec<HistoryEntry> {
    let mut state: Option<Household> = None;
    let mut out = Vec::with_capacity(stream.len());
    for envelope in stream {
        let date = envelope.effective;
        let before_lists: BTreeSet<ListKey> = state
            .as_ref()
            .map(|h| lists_of(h, policy, date).into_iter().collect())
            .unwrap_or_default();
        let before_status = state.as_ref().map(|h| h.status);
        match (&mut state, &envelope.event) {
            (None, Event::HouseholdEnrolled(e)) => state = Some(Household::enrolled(e, date)),
            (Some(h), event) => h.apply(event, date),
            (None, _) => {}
        }
        let mut changes = Vec::new();
        if let Some(h) = &state {
            let after: BTreeSet<ListKey> = lists_of(h, policy, date).into_iter().collect();
            changes.extend(
                after
                    .difference(&before_lists)
                    .map(|k| Change::PlacedOn(k.clone())),
            );
            changes.extend(
                before_lists
                    .difference(&after)
                    .map(|k| Change::RemovedFrom(k.clone())),
            );
            match before_status {
                Some(HouseholdStatus::Inactive {
                    since,
                    inactivity_days,
                }) if h.status == HouseholdStatus::Active && date < since => {
                    changes.push(Change::ActiveAgain {
                        contact: date,
                        inactivity_days,
                        inactivated_on: since,
                    });
                }
                Some(before) if before != h.status => {
                    changes.push(Change::Status(h.status));
                }
                _ => {}
            }
        }
        if let Some(change) = Change::of_event(&envelope.event) {
            changes.push(change);
        }
        out.push(HistoryEntry {
            position: envelope.position,
            event_id: envelope.event_id,
            effective: envelope.effective,
            recorded_at: envelope.recorded_at,
            actor: envelope.actor.clone(),
            event_type: envelope.event.kind(),
            hud_element: envelope.event.hud_element(),
            changes,
            event: envelope.event.clone(),
        });
    }
    out
}

/// A 4.20 event recorded on a household (not a ce referral), as corrected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedCeEvent {
    /// The event that recorded it.
    pub event_id: EventId,
    /// EventDate.
    pub date: NaiveDate,
    /// When it was entered.
    pub recorded_at: DateTime<Utc>,
    /// The event with its dependent fields, corrections applied.
    pub event: crate::event::CeEventRecorded,
}

/// The 4.20 events recorded on a household, from its stream (in stream
/// order), with corrections applied and those the source deleted left out.
pub fn ce_events<'a>(stream: impl IntoIterator<Item = &'a Envelope>) -> Vec<RecordedCeEvent> {
    let mut out: Vec<RecordedCeEvent> = Vec::new();
    for envelope in stream {
        match &envelope.event {
            Event::CeEventRecorded(e) => out.push(RecordedCeEvent {
                event_id: envelope.event_id,
                date: envelope.effective,
                recorded_at: envelope.recorded_at,
                event: e.clone(),
            }),
            Event::EventCorrected(c) => {
                if let Event::CeEventRecorded(e) = c.corrected.as_ref() {
                    if let Some(r) = out.iter_mut().find(|r| r.event_id == c.corrects) {
                        r.event = e.clone();
                    }
                }
            }
            Event::HmisRecordDeleted(d) => out.retain(|r| r.event_id != d.deletes),
            _ => {}
        }
    }
    out
}

/// Why a household has the rank it has on one list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListExplanation {
    /// The list.
    pub list: ListKey,
    /// 1-based rank.
    pub rank: u32,
    /// Households on the list.
    pub of: usize,
    /// Each ordering key and the household's value for it.
    pub keys: Vec<(OrderKey, String)>,
    /// The household directly above, if any.
    pub above: Option<HouseholdId>,
    /// The first key that puts the household above first, with both values
    /// (`None` key: only the household-id tie-breaker separates them).
    pub separated_by: Option<(Option<OrderKey>, String, String)>,
}

/// Why a household is where it is (or why it is on no list).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The household.
    pub household: HouseholdId,
    /// The date the lists were taken on.
    pub date: NaiveDate,
    /// Its rank on each list it is on.
    pub lists: Vec<ListExplanation>,
    /// For each program type whose lists it is not on, the rule that keeps it off.
    pub off_lists: Vec<(crate::vocab::ProgramType, OffListReason)>,
}

/// Explains a household's place on every list (or only `list`) as of `date`.
/// `None` if the caseload has no such household.
pub fn explain(
    caseload: &Caseload,
    policy: &Policy,
    household: HouseholdId,
    date: NaiveDate,
    list: Option<&ListKey>,
) -> Option<Explanation> {
    let h = caseload.households().get(&household)?;
    let mut out = Explanation {
        household,
        date,
        lists: Vec::new(),
        off_lists: Vec::new(),
    };
    for rule in &policy.programs {
        if list.is_some_and(|l| l.program != rule.program) {
            continue;
        }
        if let Err(reason) = list_status(h, policy, rule.program, date) {
            out.off_lists.push((rule.program, reason));
            continue;
        }
        let key = ListKey {
            coalition: h.coalition.clone(),
            program: rule.program,
            household_type: ListHouseholdType::of(h, policy),
        };
        let ranked = caseload.list(policy, &key, date);
        let Some(pos) = ranked
            .entries
            .iter()
            .position(|e| e.inputs.household == household)
        else {
            continue;
        };
        let me = &ranked.entries[pos];
        let above = pos.checked_sub(1).and_then(|i| ranked.entries.get(i));
        let separated_by = above.map(|a| separating_key(&rule.order, &a.inputs, &me.inputs));
        out.lists.push(ListExplanation {
            list: key,
            rank: me.rank,
            of: ranked.entries.len(),
            keys: rule
                .order
                .iter()
                .map(|k| (*k, me.inputs.value_of(*k)))
                .collect(),
            above: above.map(|a| a.inputs.household),
            separated_by,
        });
    }
    Some(out)
}

fn separating_key(
    order: &[OrderKey],
    above: &RankInputs,
    me: &RankInputs,
) -> (Option<OrderKey>, String, String) {
    order
        .iter()
        .find(|k| compare_key(**k, above, me).is_ne())
        .map(|k| (Some(*k), above.value_of(*k), me.value_of(*k)))
        .unwrap_or_else(|| (None, above.household.to_string(), me.household.to_string()))
}

/// A referral whose recorded rank the list as known then does not reproduce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankMismatch {
    /// The referral.
    pub referral: ReferralId,
    /// The rank it recorded.
    pub recorded: u32,
    /// The rank recomputed (0: not eligible any more).
    pub recomputed: u32,
}

/// Recomputes every referral's rank from the events before it (as known at
/// its recorded time) and reports referrals whose recorded rank differs and
/// which carry no bypass reason. Streams the log once.
pub fn check_referral_ranks<'a>(
    log: impl IntoIterator<Item = &'a Envelope>,
    policy: &Policy,
) -> Vec<RankMismatch> {
    let mut caseload = Caseload::default();
    let mut mismatches = Vec::new();
    for envelope in log {
        mismatches.extend(rank_mismatch(&caseload, policy, envelope));
        caseload.apply(envelope);
    }
    mismatches
}

/// Checks one event against `before`, the fold of every earlier event: if it
/// is a referral without a bypass, its recorded rank must be its place among
/// the households eligible for the opening then.
pub fn rank_mismatch(
    before: &Caseload,
    policy: &Policy,
    envelope: &Envelope,
) -> Option<RankMismatch> {
    let Event::ReferralOffered(e) = &envelope.event else {
        return None;
    };
    if e.bypass.is_some() {
        return None;
    }
    let recomputed = before
        .openings
        .get(&e.opening)
        .and_then(|opening| {
            let household = before.households().get(&e.household)?;
            let coalition = before.households_in(&opening.coalition);
            rank_among(policy, coalition, opening, envelope.effective, household)
        })
        .map_or(0, |rank| u32::try_from(rank).unwrap_or(u32::MAX));
    (recomputed != e.rank).then_some(RankMismatch {
        referral: e.referral,
        recorded: e.rank,
        recomputed,
    })
}

/// A referral whose recorded place on its list the list as known then does
/// not reproduce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListPlaceMismatch {
    /// The referral.
    pub referral: ReferralId,
    /// The place it recorded.
    pub recorded: u32,
    /// The place recomputed (`None`: the household was not on the list).
    pub recomputed: Option<u32>,
}

/// Checks one event against `before`, the fold of every earlier event: if it
/// is a referral that recorded its household's place on its list, the place
/// must be the household's place on that list then (bypass or not).
pub fn list_place_mismatch(
    before: &Caseload,
    policy: &Policy,
    envelope: &Envelope,
) -> Option<ListPlaceMismatch> {
    let Event::ReferralOffered(e) = &envelope.event else {
        return None;
    };
    let recorded = e.list_place?;
    let recomputed = before.place_on_list(policy, &e.list, e.household, envelope.effective);
    (recomputed != Some(recorded)).then_some(ListPlaceMismatch {
        referral: e.referral,
        recorded,
        recomputed,
    })
}

/// The household a stream belongs to, if it is a household stream.
pub fn household_of(stream: &StreamId) -> Option<HouseholdId> {
    match stream {
        StreamId::Household(id) => Some(*id),
        _ => None,
    }
}

//! The invariants the properties check after every step, each a function
//! returning what broke.

use std::collections::{BTreeMap, BTreeSet};

use ce_core::hud::ReferralResult;
use ce_core::invariants::{check_caseload, LogChecker};
use ce_core::priority::{
    candidates, compare, passed_over, rank_among, ranked_above, top_candidate,
};
use ce_core::{
    Caseload, Envelope, Event, EventStore, Household, HouseholdId, HouseholdStatus, ListKey,
    Policy, RankInputs, ReferralId, ReferralStatus, StreamId,
};
use ce_store_sled::SledStore;
use chrono::NaiveDate;

use crate::reference::{listed, off_list, reference_lists};

/// Nobody exited, inactive, parked or housed is listed; every household
/// the reference finds eligible is on each list it qualifies for, and
/// nobody else is.
pub fn check_list_membership(
    caseload: &Caseload,
    policy: &Policy,
    on: NaiveDate,
) -> Result<(), String> {
    let actual = listed(caseload, policy, on);
    let pairs = |lists: &BTreeMap<ListKey, Vec<HouseholdId>>| -> BTreeSet<(ListKey, HouseholdId)> {
        lists
            .iter()
            .flat_map(|(key, ids)| ids.iter().map(move |id| (key.clone(), *id)))
            .collect()
    };
    let actual_pairs = pairs(&actual);
    for (key, id) in &actual_pairs {
        let h = caseload
            .households()
            .get(id)
            .ok_or_else(|| format!("list {key} names unknown household {id}"))?;
        if let Some(why) = off_list(h, on) {
            return Err(format!(
                "household {id} is on {key} as of {on} but is {why}"
            ));
        }
    }
    let expected_pairs = pairs(&reference_lists(caseload, policy, on));
    if let Some((key, id)) = expected_pairs.difference(&actual_pairs).next() {
        return Err(format!(
            "household {id} is eligible for {key} as of {on} but not on it: {:#?}",
            caseload.households().get(id)
        ));
    }
    if let Some((key, id)) = actual_pairs.difference(&expected_pairs).next() {
        return Err(format!(
            "household {id} is on {key} as of {on} but is not eligible for it: {:#?}",
            caseload.households().get(id)
        ));
    }
    Ok(())
}

/// Each list is in exactly the reference order, ranked 1, 2, 3, ...
pub fn check_list_order(caseload: &Caseload, policy: &Policy, on: NaiveDate) -> Result<(), String> {
    for list in caseload.lists(policy, on).values() {
        let ranks: Vec<u32> = list.entries.iter().map(|e| e.rank).collect();
        if ranks != (1..=ranks.len() as u32).collect::<Vec<_>>() {
            return Err(format!("{} has ranks {ranks:?}", list.key));
        }
    }
    let actual = listed(caseload, policy, on);
    let expected = reference_lists(caseload, policy, on);
    if actual != expected {
        let key = expected
            .keys()
            .chain(actual.keys())
            .find(|k| actual.get(*k) != expected.get(*k));
        return Err(match key {
            Some(key) => format!(
                "{key} as of {on} is\n  {:?}\nbut the policy orders it\n  {:?}",
                actual.get(key),
                expected.get(key)
            ),
            None => "lists differ".to_owned(),
        });
    }
    Ok(())
}

/// At most one live referral per opening and per household and program
/// type, HUD results 1/2/3 dated on or after the referral, and the
/// households' and openings' views of their referrals agree.
pub fn check_referrals(caseload: &Caseload, policy: &Policy, on: NaiveDate) -> Result<(), String> {
    let violations = check_caseload(caseload, policy, on);
    if !violations.is_empty() {
        let v: Vec<String> = violations.iter().map(ToString::to_string).collect();
        return Err(v.join("; "));
    }
    for r in caseload.referrals.values() {
        if let Some((result, date)) = r.status.result() {
            if !(1..=3).contains(&result.code()) {
                return Err(format!("referral {} has result {result}", r.id));
            }
            if date < r.offered_on {
                return Err(format!(
                    "referral {} offered {} has a result dated {date}",
                    r.id, r.offered_on
                ));
            }
        }
        if let ReferralStatus::Declined { result, .. } = &r.status {
            if *result == ReferralResult::SuccessfulClientAccepted {
                return Err(format!("declined referral {} has result 1", r.id));
            }
        }
        if let ReferralStatus::Accepted { .. } = r.status {
            let housed_by = caseload
                .households()
                .get(&r.household)
                .and_then(|h| h.housed_by);
            if housed_by != Some(r.id) {
                return Err(format!(
                    "referral {} was accepted but household {} is housed by {housed_by:?}",
                    r.id, r.household
                ));
            }
        }
    }
    let live = |pred: &dyn Fn(&ce_core::Referral) -> bool| -> BTreeSet<ReferralId> {
        caseload
            .referrals
            .values()
            .filter(|r| r.status.is_live() && pred(r))
            .map(|r| r.id)
            .collect()
    };
    for h in caseload.households().values() {
        let own: BTreeSet<ReferralId> = h.live_referrals.iter().map(|l| l.referral).collect();
        let expected = live(&|r| r.household == h.id);
        if own != expected {
            return Err(format!(
                "household {} lists live referrals {own:?}, the referrals say {expected:?}",
                h.id
            ));
        }
    }
    for o in caseload.openings.values() {
        let own: BTreeSet<ReferralId> = o.live_referral.into_iter().collect();
        let expected = live(&|r| r.opening == o.id);
        if own != expected {
            return Err(format!(
                "opening {} has live referral {own:?}, the referrals say {expected:?}",
                o.id
            ));
        }
        let accepted = caseload
            .referrals
            .values()
            .filter(|r| r.opening == o.id && matches!(r.status, ReferralStatus::Accepted { .. }))
            .count() as u32;
        if accepted != o.filled || o.filled > o.units {
            return Err(format!(
                "opening {} has {} of {} units filled but {accepted} accepted referrals",
                o.id, o.filled, o.units
            ));
        }
    }
    Ok(())
}

/// Every referral that ended (result, cancellation or expiry)
/// ended on or after the day it was made.
pub fn check_referral_end_dates(caseload: &Caseload) -> Result<(), String> {
    for r in caseload.referrals.values() {
        let ended = match &r.status {
            ReferralStatus::Offered | ReferralStatus::Acknowledged => continue,
            ReferralStatus::Accepted { date }
            | ReferralStatus::Declined { date, .. }
            | ReferralStatus::Cancelled { date, .. }
            | ReferralStatus::Expired { date } => *date,
            other => panic!("the reference model does not know referral state {other:?}"),
        };
        if ended < r.offered_on {
            return Err(format!(
                "referral {} was made on {} but ended on {ended}: {:?}",
                r.id, r.offered_on, r.status
            ));
        }
    }
    Ok(())
}

/// A referral is dated on or after the day its household was
/// placed on the lists (the placement date ce recorded in the referral).
pub fn check_referred_after_placement(events: &[Envelope]) -> Result<(), String> {
    for envelope in events {
        if let Event::ReferralOffered(offer) = &envelope.event {
            if offer.inputs.placed_on > envelope.effective {
                return Err(format!(
                    "household {} was referred on {} but placed on the lists on {}",
                    offer.household, envelope.effective, offer.inputs.placed_on
                ));
            }
        }
    }
    Ok(())
}

/// A fresh fold of the log equals the incremental caseload, and each
/// household and opening folded from its own stream alone equals it too.
pub fn check_fresh_fold<S: EventStore>(store: &S, caseload: &Caseload) -> Result<(), String> {
    let log = store.read_from(0, usize::MAX).map_err(|e| e.to_string())?;
    let fresh = Caseload::from_events(&log);
    if &fresh != caseload {
        return Err(format!(
            "the fold of the log differs from the incremental caseload:\nfresh {fresh:#?}\nincremental {caseload:#?}"
        ));
    }
    for (id, household) in caseload.households() {
        let stream = store
            .read_stream(&StreamId::Household(*id))
            .map_err(|e| e.to_string())?;
        let alone = Caseload::from_events(&stream);
        if alone.households().get(id) != Some(household) {
            return Err(format!("household {id} folded from its own stream differs"));
        }
    }
    for (id, opening) in &caseload.openings {
        let stream = store
            .read_stream(&StreamId::Opening(*id))
            .map_err(|e| e.to_string())?;
        let alone = Caseload::from_events(&stream);
        if alone.openings.get(id) != Some(opening) {
            return Err(format!("opening {id} folded from its own stream differs"));
        }
        for (rid, referral) in alone.referrals.iter() {
            if caseload.referrals.get(rid) != Some(referral) {
                return Err(format!(
                    "referral {rid} folded from opening {id}'s stream differs"
                ));
            }
        }
    }
    Ok(())
}

/// Feeds the events appended since `checker` last ran; then every
/// stream they touched reads back with versions 1..=n, n being its head.
pub fn check_log_shape<S: EventStore>(
    store: &S,
    checker: &mut LogChecker,
    checked: &mut u64,
    ids: &mut BTreeSet<ce_core::EventId>,
) -> Result<(), String> {
    let new = store
        .read_from(*checked, usize::MAX)
        .map_err(|e| e.to_string())?;
    let mut touched = BTreeSet::new();
    for envelope in &new {
        checker.check(envelope);
        if !ids.insert(envelope.event_id) {
            return Err(format!("event id {} stored twice", envelope.event_id));
        }
        touched.extend(envelope.streams.iter().map(|sv| sv.stream));
    }
    *checked += new.len() as u64;
    if !checker.violations.is_empty() {
        let v: Vec<String> = checker.violations.iter().map(ToString::to_string).collect();
        return Err(v.join("; "));
    }
    let next = store.next_position().map_err(|e| e.to_string())?;
    if next != *checked {
        return Err(format!("next position {next}, but {checked} events read"));
    }
    for stream in touched {
        let events = store.read_stream(&stream).map_err(|e| e.to_string())?;
        let versions: Vec<Option<u64>> = events.iter().map(|e| e.version_in(&stream)).collect();
        let expected: Vec<Option<u64>> = (1..=events.len() as u64).map(Some).collect();
        if versions != expected {
            return Err(format!("{stream} reads back with versions {versions:?}"));
        }
        let head = store.stream_version(&stream).map_err(|e| e.to_string())?;
        if head != events.len() as u64 {
            return Err(format!(
                "{stream} has head {head} but {} events",
                events.len()
            ));
        }
    }
    Ok(())
}

/// The sled projections equal a fresh fold: the caseload they
/// hold, and every list read from the list rows.
pub fn check_sled_projections(store: &SledStore, on: NaiveDate) -> Result<(), String> {
    let log = store.read_from(0, usize::MAX).map_err(|e| e.to_string())?;
    let fresh = Caseload::from_events(&log);
    let projected = store.caseload().map_err(|e| e.to_string())?;
    if projected != fresh {
        return Err(format!(
            "sled projections differ from a fresh fold:\nprojected {projected:#?}\nfresh {fresh:#?}"
        ));
    }
    let openings = store.openings().map_err(|e| e.to_string())?;
    let referrals = store.referrals().map_err(|e| e.to_string())?;
    if openings != fresh.openings || referrals != fresh.referrals {
        return Err(format!(
            "the stored openings {openings:?} and referrals {referrals:?} differ from a fresh \
             fold's {:?} and {:?}",
            fresh.openings, fresh.referrals
        ));
    }
    let policy = store.policy();
    // `list_keys` names every list with a row, once: the lists each placed
    // household is on regardless of dates (parking is filtered when read).
    let stored = store.list_keys().map_err(|e| e.to_string())?;
    let with_rows: BTreeSet<ListKey> = fresh
        .households()
        .values()
        .filter(|h| RankInputs::of(h, policy).is_some())
        .flat_map(|h| ce_core::priority::lists_of(h, policy, NaiveDate::MAX))
        .collect();
    if stored.len() != with_rows.len() || stored.iter().any(|k| !with_rows.contains(k)) {
        return Err(format!(
            "list_keys gives {stored:?}, the households' rows are on {with_rows:?}"
        ));
    }
    let mut keys: BTreeSet<ListKey> = fresh.lists(policy, on).into_keys().collect();
    keys.extend(stored);
    for key in keys {
        let from_rows = store.list(&key, on).map_err(|e| e.to_string())?;
        let folded = fresh.list(policy, &key, on);
        if from_rows != folded {
            return Err(format!(
                "sled list {key} as of {on} is {from_rows:?}, the fold gives {folded:?}"
            ));
        }
    }
    Ok(())
}

/// The coalition index holds exactly the coalition's open households; the
/// rank index `refer` reads (the workflow's caseload is ranked by its
/// policy) holds exactly the coalition's active, unhoused, placed
/// households in the order of the policy's sort; and the choices equal the
/// full sort: the top candidate, one pass or first eligible of the rank
/// index, is the sort's head, and every candidate's rank is its place in it.
pub fn check_referral_choices(
    caseload: &Caseload,
    policy: &Policy,
    on: NaiveDate,
) -> Result<(), String> {
    let coalitions: BTreeSet<_> = caseload
        .households()
        .values()
        .map(|h| &h.coalition)
        .collect();
    for coalition in coalitions {
        let indexed: Vec<HouseholdId> = caseload.households_in(coalition).map(|h| h.id).collect();
        let walked: Vec<HouseholdId> = caseload
            .households()
            .values()
            .filter(|h| h.coalition == *coalition && !h.is_exited())
            .map(|h| h.id)
            .collect();
        if indexed != walked {
            return Err(format!(
                "coalition {coalition}: index holds {indexed:?}, a walk finds {walked:?}"
            ));
        }
    }
    for opening in caseload.openings.values() {
        let walk = || {
            caseload
                .households()
                .values()
                .filter(|h| h.coalition == opening.coalition)
        };
        let sorted = candidates(policy, walk(), opening, on);
        let Some(ranked) = caseload.ranked_in(&opening.coalition, policy, opening.program_type)
        else {
            return Err(format!(
                "the workflow's caseload has no rank index for opening {}",
                opening.id
            ));
        };
        let ranked: Vec<&Household> = ranked.collect();
        let order = policy.order(opening.program_type);
        let mut expected: Vec<(&Household, RankInputs)> = walk()
            .filter(|_| policy.program(opening.program_type).is_some())
            .filter(|h| {
                h.status == HouseholdStatus::Active
                    && h.housed_by.is_none()
                    && h.housed_elsewhere.is_none()
            })
            .filter_map(|h| RankInputs::of(h, policy).map(|inputs| (h, inputs)))
            .collect();
        expected.sort_by(|a, b| compare(order, &a.1, &b.1));
        let ids = |hs: &mut dyn Iterator<Item = &Household>| hs.map(|h| h.id).collect::<Vec<_>>();
        let (index, walked) = (
            ids(&mut ranked.iter().copied()),
            ids(&mut expected.iter().map(|(h, _)| *h)),
        );
        if index != walked {
            return Err(format!(
                "opening {}: the rank index reads {index:?}, a walk and sort {walked:?}",
                opening.id
            ));
        }
        let first_eligible = ranked
            .iter()
            .find(|h| sorted.iter().any(|(c, _)| c.id == h.id))
            .map(|h| h.id);
        if first_eligible != sorted.first().map(|(h, _)| h.id) {
            return Err(format!(
                "opening {}: the rank index's first eligible is {first_eligible:?}, the sort's \
                 head {:?}",
                opening.id,
                sorted.first().map(|(h, _)| h.id)
            ));
        }
        let top = top_candidate(
            policy,
            caseload.households_in(&opening.coalition),
            opening,
            on,
        )
        .map(|(h, _)| h.id);
        if top != sorted.first().map(|(h, _)| h.id) {
            return Err(format!(
                "opening {}: one pass picks {:?}, the sort {:?}",
                opening.id,
                top,
                sorted.first().map(|(h, _)| h.id)
            ));
        }
        for (place, (household, inputs)) in sorted.iter().enumerate() {
            let above: Vec<HouseholdId> = ranked_above(policy, walk(), opening, on, inputs)
                .iter()
                .map(|(h, _)| h.id)
                .collect();
            let expected: Vec<HouseholdId> = sorted[..place].iter().map(|(h, _)| h.id).collect();
            let rank = rank_among(policy, walk(), opening, on, household);
            // What a named referral records, read from the rank index.
            let indexed = passed_over(caseload, policy, opening, on, household, inputs);
            if above != expected || indexed != expected || rank != Some(place + 1) {
                return Err(format!(
                    "opening {}: household {} is number {} of the sort, but ranked_above gives \
                     {above:?}, passed_over {indexed:?} and rank_among {rank:?}",
                    opening.id,
                    household.id,
                    place + 1
                ));
            }
        }
    }
    Ok(())
}

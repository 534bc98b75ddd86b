//! The reference priority lists: who is eligible for which list and in what
//! order, written out here from the policy's rules and docs/architecture.md,
//! independently of ce_core's ranking, for the properties to compare with.

use std::collections::BTreeMap;

use ce_core::hud::{NoYesReasons, RelationshipToHoH};
use ce_core::{
    Caseload, Household, HouseholdId, HouseholdStatus, ListHouseholdType, ListKey, Member,
    OrderKey, Policy, ProgramRule,
};
use chrono::NaiveDate;

/// A member's age at project start, when the birth date is known.
pub fn age(h: &Household, m: &Member) -> Option<u32> {
    m.birth_date
        .and_then(|born| h.project_start.years_since(born))
}

/// The youngest and oldest age a member can have at project start: the
/// birth date's age, or, once the birth date is gone (an erased client),
/// the HUD age band the enrollment recorded (no oldest for 65+).
fn ages(h: &Household, m: &Member) -> Option<(u32, Option<u32>)> {
    match age(h, m) {
        Some(a) => Some((a, Some(a))),
        None => m.age_band.map(|band| (band.min_age(), band.max_age())),
    }
}

pub fn is_adult(h: &Household, m: &Member) -> bool {
    ages(h, m).map_or(
        m.relationship != RelationshipToHoH::Child,
        |(youngest, _)| youngest >= 18,
    )
}

/// Youth when every adult is 18 to the policy's youth age (or there is no
/// adult), with children when there are adults and children, else adults.
pub fn reference_household_type(h: &Household, policy: &Policy) -> ListHouseholdType {
    let adults: Vec<&Member> = h.members.iter().filter(|m| is_adult(h, m)).collect();
    if adults.iter().all(|m| {
        ages(h, m).is_some_and(|(_, oldest)| oldest.is_some_and(|a| a <= policy.youth_max_age))
    }) {
        ListHouseholdType::Youth
    } else if adults.len() < h.members.len() {
        ListHouseholdType::WithChildren
    } else {
        ListHouseholdType::AdultsOnly
    }
}

/// Why a household must be on no list as of `on`, if it must not.
pub fn off_list(h: &Household, on: NaiveDate) -> Option<String> {
    match h.status {
        HouseholdStatus::Exited { date, .. } => return Some(format!("exited on {date}")),
        HouseholdStatus::Inactive { since, .. } => return Some(format!("inactive since {since}")),
        HouseholdStatus::Active => {}
        other => panic!("the reference model does not know status {other:?}"),
    }
    if let Some(referral) = h.housed_by {
        return Some(format!("housed by referral {referral}"));
    }
    if let Some(on) = h.housed_elsewhere {
        return Some(format!(
            "housed by a referral made elsewhere, result of {on}"
        ));
    }
    match h.parked_until {
        Some(until) if until > on => Some(format!("parked until {until}")),
        _ => None,
    }
}

pub fn score(h: &Household) -> Option<u32> {
    h.assessment.as_ref().and_then(|(_, a)| a.score)
}

/// Street, emergency shelter, safe haven or TH at the latest contact.
pub fn literally_homeless(h: &Household) -> bool {
    matches!(h.current.1.living_situation.code(), 116 | 101 | 118 | 302)
}

pub fn disabled_adult(h: &Household) -> bool {
    h.members
        .iter()
        .any(|m| m.disabling_condition == NoYesReasons::Yes && is_adult(h, m))
}

/// On the program's list: active, not housed or parked, assessed and placed,
/// at or above the score floor, and meeting the program's conditions.
pub fn reference_eligible(h: &Household, rule: &ProgramRule, on: NaiveDate) -> bool {
    if off_list(h, on).is_some() || h.assessment.is_none() || h.placed_on.is_none() {
        return false;
    }
    let e = &rule.eligibility;
    let adults = h.members.iter().filter(|m| is_adult(h, m)).count();
    let with_children = adults > 0 && adults < h.members.len();
    let floor = if with_children {
        e.min_score_with_children
    } else {
        e.min_score_without_children
    };
    floor.is_none_or(|floor| score(h).is_some_and(|s| s >= floor))
        && (!e.literally_homeless || literally_homeless(h))
        && (!e.disabled_adult || disabled_adult(h))
        && (!e.disabled_member
            || h.members
                .iter()
                .any(|m| m.disabling_condition == NoYesReasons::Yes))
        && (!e.chronic || h.is_chronic())
}

/// The CPD-16-11 tier as docs/architecture.md states it.
pub fn reference_tier(h: &Household, policy: &Policy) -> i64 {
    let chronic = h.is_chronic();
    let long = h.months_homeless.months().is_some_and(|m| m >= 12)
        || h.episode_days().is_some_and(|d| d >= 365);
    let severe = score(h).is_some_and(|s| s >= policy.severe_needs_score);
    let disabled = disabled_adult(h);
    match () {
        _ if chronic && long && severe => 1,
        _ if chronic && long => 2,
        _ if chronic && severe => 3,
        _ if chronic => 4,
        _ if disabled && severe => 5,
        _ if disabled && long => 6,
        _ if disabled && literally_homeless(h) => 7,
        _ => 8,
    }
}

/// A sort key: smaller ranks higher; a missing value ranks last.
pub fn reference_rank_key(h: &Household, policy: &Policy, order: &[OrderKey]) -> Vec<i64> {
    let last = i64::MAX;
    order
        .iter()
        .map(|key| match key {
            OrderKey::Chronic => i64::from(!h.is_chronic()),
            OrderKey::Cpd1611Tier => reference_tier(h, policy),
            OrderKey::Score => score(h).map_or(last, |s| -i64::from(s)),
            OrderKey::MonthsHomeless => h.months_homeless.months().map_or(last, |m| -i64::from(m)),
            OrderKey::EpisodeLength => h.episode_days().map_or(last, |d| -d),
            OrderKey::PlacedDate => h
                .placed_on
                .map_or(last, |d| i64::from(chrono::Datelike::num_days_from_ce(&d))),
            other => panic!("the reference model does not know order key {other:?}"),
        })
        .collect()
}

/// Every list as of `on`, built from scratch: eligible households sorted by
/// the policy's keys, then by id.
pub fn reference_lists(
    caseload: &Caseload,
    policy: &Policy,
    on: NaiveDate,
) -> BTreeMap<ListKey, Vec<HouseholdId>> {
    let mut lists: BTreeMap<ListKey, Vec<(Vec<i64>, HouseholdId)>> = BTreeMap::new();
    for h in caseload.households().values() {
        for rule in &policy.programs {
            if reference_eligible(h, rule, on) {
                let key = ListKey {
                    coalition: h.coalition.clone(),
                    program: rule.program,
                    household_type: reference_household_type(h, policy),
                };
                let rank = reference_rank_key(h, policy, &rule.order);
                lists.entry(key).or_default().push((rank, h.id));
            }
        }
    }
    lists
        .into_iter()
        .map(|(key, mut entries)| {
            entries.sort();
            (key, entries.into_iter().map(|(_, id)| id).collect())
        })
        .collect()
}

pub fn listed(
    caseload: &Caseload,
    policy: &Policy,
    on: NaiveDate,
) -> BTreeMap<ListKey, Vec<HouseholdId>> {
    caseload
        .lists(policy, on)
        .into_iter()
        .map(|(key, list)| {
            let ids = list.entries.iter().map(|e| e.inputs.household).collect();
            (key, ids)
        })
        .collect()
}

//! Policies: variations of the WI BoS defaults in the settings a CoC
//! tunes.

use std::fmt;

use proptest::prelude::*;

use crate::policy::{DeclineConsequence, OrderKey, Policy};
use crate::vocab::ProgramType;

/// A variation of [`Policy::wi_bos_default`]: the settings a CoC tunes.
/// Its `Debug` lists only those settings, so a failing case stays short.
#[derive(Clone, PartialEq, Eq)]
pub struct PolicyVariation {
    /// Days without contact before a sweep inactivates a household.
    pub inactivity_days: u32,
    /// Days before a referral without a result is overdue.
    pub referral_overdue_days: u32,
    /// The "most severe service needs" score of the CPD-16-11 tiers.
    pub severe_needs_score: u32,
    /// PSH score floors: without children, with children.
    pub psh_floors: (u32, u32),
    /// TH score floors: without children, with children.
    pub th_floors: (u32, u32),
    /// RRH score floor.
    pub rrh_floor: u32,
    /// Days a "client unreachable" decline parks the household.
    pub parked_days: u32,
    /// PSH ordering keys.
    pub psh_order: Vec<OrderKey>,
    /// TH and RRH ordering keys (one order for both, as in the defaults).
    pub th_rrh_order: Vec<OrderKey>,
}

impl PolicyVariation {
    /// The settings of [`Policy::wi_bos_default`].
    pub fn wi_bos_default() -> Self {
        let policy = Policy::wi_bos_default();
        let floors = |program| {
            policy.program(program).map_or((0, 0), |rule| {
                let e = &rule.eligibility;
                (
                    e.min_score_without_children.unwrap_or(0),
                    e.min_score_with_children.unwrap_or(0),
                )
            })
        };
        let order = |program| policy.order(program).to_vec();
        let parked_days = policy
            .decline_reasons
            .iter()
            .find_map(|reason| match reason.consequence {
                DeclineConsequence::Parked { days } => Some(days),
                DeclineConsequence::StaysOnList => None,
            })
            .unwrap_or(0);
        Self {
            inactivity_days: policy.inactivity_days,
            referral_overdue_days: policy.referral_overdue_days,
            severe_needs_score: policy.severe_needs_score,
            psh_floors: floors(ProgramType::Psh),
            th_floors: floors(ProgramType::Th),
            rrh_floor: floors(ProgramType::Rrh).0,
            parked_days,
            psh_order: order(ProgramType::Psh),
            th_rrh_order: order(ProgramType::Th),
        }
    }

    /// The policy: the WI BoS defaults with these settings.
    pub fn policy(&self) -> Policy {
        let mut policy = Policy::wi_bos_default();
        if *self == Self::wi_bos_default() {
            return policy;
        }
        policy.id = "wi-bos-variant".to_owned();
        policy.inactivity_days = self.inactivity_days;
        policy.referral_overdue_days = self.referral_overdue_days;
        policy.severe_needs_score = self.severe_needs_score;
        for rule in &mut policy.programs {
            let e = &mut rule.eligibility;
            let ((single, family), order) = match rule.program {
                ProgramType::Psh => (self.psh_floors, &self.psh_order),
                ProgramType::Th => (self.th_floors, &self.th_rrh_order),
                _ => ((self.rrh_floor, self.rrh_floor), &self.th_rrh_order),
            };
            e.min_score_without_children = Some(single);
            e.min_score_with_children = Some(family);
            rule.order.clone_from(order);
        }
        for reason in &mut policy.decline_reasons {
            if let DeclineConsequence::Parked { days } = &mut reason.consequence {
                *days = self.parked_days;
            }
        }
        policy
    }
}

impl fmt::Debug for PolicyVariation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Self::wi_bos_default() {
            return f.write_str("WI BoS default policy");
        }
        write!(
            f,
            "policy: inactive after {} days, overdue after {} days, severe needs {}, \
             floors PSH {}/{} TH {}/{} RRH {}, parked {} days, PSH order {:?}, TH/RRH order {:?}",
            self.inactivity_days,
            self.referral_overdue_days,
            self.severe_needs_score,
            self.psh_floors.0,
            self.psh_floors.1,
            self.th_floors.0,
            self.th_floors.1,
            self.rrh_floor,
            self.parked_days,
            self.psh_order,
            self.th_rrh_order
        )
    }
}

/// The default value, or one from `range`; shrinks toward the default.
fn default_or(
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> impl Strategy<Value = u32> + Clone {
    prop_oneof![Just(default), range]
}

fn order(default: Vec<OrderKey>) -> impl Strategy<Value = Vec<OrderKey>> {
    prop_oneof![Just(default.clone()), Just(default).prop_shuffle()]
}

/// Variations of the WI BoS default policy: inactivity days (30–120),
/// overdue days (3–20), score floors (0–12), the severe-needs score, parking
/// days, and shuffled ordering keys. Every variation is a valid policy.
pub fn policy_variation() -> impl Strategy<Value = PolicyVariation> {
    let d = PolicyVariation::wi_bos_default();
    (
        default_or(d.inactivity_days, 30..=120),
        default_or(d.referral_overdue_days, 3..=20),
        default_or(d.severe_needs_score, 6..=16),
        (
            default_or(d.psh_floors.0, 0..=12),
            default_or(d.psh_floors.1, 0..=12),
        ),
        (
            default_or(d.th_floors.0, 0..=12),
            default_or(d.th_floors.1, 0..=12),
        ),
        default_or(d.rrh_floor, 0..=8),
        default_or(d.parked_days, 1..=30),
        order(d.psh_order),
        order(d.th_rrh_order),
    )
        .prop_map(
            |(
                inactivity_days,
                referral_overdue_days,
                severe_needs_score,
                psh_floors,
                th_floors,
                rrh_floor,
                parked_days,
                psh_order,
                th_rrh_order,
            )| PolicyVariation {
                inactivity_days,
                referral_overdue_days,
                severe_needs_score,
                psh_floors,
                th_floors,
                rrh_floor,
                parked_days,
                psh_order,
                th_rrh_order,
            },
        )
}

/// A generated [`Policy`], which it derefs to, with the [`PolicyVariation`]
/// it came from. Its `Debug` names the policy (id and version) and lists
/// the variation on one line instead of printing every rule, so a failing
/// case stays short. `Policy::from` (or `.into()`) takes the policy out,
/// e.g. for [`Workflow::new`](crate::workflow::Workflow::new).
#[derive(Clone, PartialEq)]
pub struct GeneratedPolicy {
    variation: PolicyVariation,
    policy: Policy,
}

impl GeneratedPolicy {
    /// The settings the policy varies.
    pub fn variation(&self) -> &PolicyVariation {
        &self.variation
    }
}

impl std::ops::Deref for GeneratedPolicy {
    type Target = Policy;

    fn deref(&self) -> &Policy {
        &self.policy
    }
}

impl From<GeneratedPolicy> for Policy {
    fn from(generated: GeneratedPolicy) -> Self {
        generated.policy
    }
}

impl fmt::Debug for GeneratedPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} v{} ({:?})",
            self.policy.id, self.policy.version, self.variation
        )
    }
}

/// Policies: [`policy_variation`] as a [`GeneratedPolicy`], a [`Policy`]
/// that prints as its name and variation.
pub fn policy() -> impl Strategy<Value = GeneratedPolicy> {
    policy_variation().prop_map(|variation| GeneratedPolicy {
        policy: variation.policy(),
        variation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    #[test]
    fn generated_policies_are_valid() {
        let mut runner = TestRunner::deterministic();
        for _ in 0..200 {
            let policy = policy().new_tree(&mut runner).unwrap().current();
            policy.validate().unwrap();
        }
        assert_eq!(
            PolicyVariation::wi_bos_default().policy(),
            Policy::wi_bos_default()
        );
    }

    #[test]
    fn generated_policies_print_as_their_name_and_variation() {
        let mut runner = TestRunner::deterministic();
        let mut variants = 0;
        for _ in 0..50 {
            let policy = policy().new_tree(&mut runner).unwrap().current();
            assert_eq!(*policy, policy.variation().policy());
            let printed = format!("{policy:#?}");
            assert!(printed.lines().count() < 10, "{printed}");
            let name = format!("{} v{}", policy.id, policy.version);
            assert!(printed.starts_with(&name), "{printed}");
            if policy.id != Policy::wi_bos_default().id {
                variants += 1;
                assert!(printed.contains("inactive after"), "{printed}");
            }
        }
        assert!(variants > 0, "no generated policy varied the defaults");
    }
}

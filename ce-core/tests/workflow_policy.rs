//! One policy: a workflow ranks and refers by its store's policy, never by
//! another one it was handed.

use std::sync::Arc;

use ce_core::testing::HouseholdBuilder;
use ce_core::{
    Actor, CommandId, CommandMeta, Error, EventStore, MemoryStore, Outcome, Policy, Role, Workflow,
};
use chrono::{TimeZone, Utc};

fn lead(n: u128) -> CommandMeta {
    CommandMeta {
        command_id: CommandId::from_uuid(uuid::Uuid::from_u128(n)),
        actor: Actor::new("lead", "BoS CE", Role::Lead),
        recorded_at: Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap(),
    }
}

fn raised(policy: &Policy) -> Policy {
    let mut next = policy.clone();
    next.version += 1;
    next.inactivity_days = 60;
    next
}

#[test]
fn a_new_memory_store_takes_the_policy_it_is_opened_with_and_open_takes_the_adopted_one() {
    let store = Arc::new(MemoryStore::new());
    assert_eq!(store.policy_in_force().unwrap(), None);
    let workflow = Workflow::new(Arc::clone(&store), Policy::wi_bos_default()).unwrap();
    assert_eq!(workflow.policy(), &Policy::wi_bos_default());

    let next = raised(workflow.policy());
    let adoption = next
        .clone()
        .adoption(workflow.policy(), &lead(1), 0)
        .unwrap()
        .unwrap();
    store.append(adoption).unwrap();
    assert_eq!(store.policy_in_force().unwrap().as_ref(), Some(&next));

    // The running workflow stops before the adoption instead of ranking by
    // the old policy ...
    let enroll = HouseholdBuilder::single_adult("Coulee").enroll;
    let err = workflow.execute(&lead(2), enroll.clone()).unwrap_err();
    assert!(matches!(err, Error::PolicyMismatch { .. }), "{err}");
    // ... a new one under the old policy is refused ...
    let err = Workflow::new(Arc::clone(&store), Policy::wi_bos_default()).unwrap_err();
    assert!(
        matches!(&err, Error::PolicyMismatch { store, given }
            if *store == format!("wi-bos v{}", next.version) && given.starts_with("wi-bos v")),
        "{err}"
    );
    // ... and one opened on the store goes on under the adopted policy.
    let reopened = Workflow::open(Arc::clone(&store)).unwrap();
    assert_eq!(reopened.policy(), &next);
    let executed = reopened.execute(&lead(2), enroll).unwrap();
    assert!(matches!(executed.outcome, Outcome::Enrolled { .. }));

    // A second adoption: a workflow opened now replays both adoptions
    // (a memory store keeps no snapshot) and runs under the last.
    let last = raised(&next);
    let adoption = last.clone().adoption(&next, &lead(3), 1).unwrap().unwrap();
    store.append(adoption).unwrap();
    let latest = Workflow::open(Arc::clone(&store)).unwrap();
    assert_eq!(latest.policy(), &last);
    assert_eq!(latest.caught_up().unwrap().households().len(), 1);
}

//! Workflow over MemoryStore, end to end.

use ce_core::testing::{date, follow_up};
use ce_core::{Rejection, *};

use crate::common::{assess, assessed_on, exit, single, utc, COALITION};

fn access_meta(n: u128) -> CommandMeta {
    CommandMeta {
        command_id: CommandId::from_uuid(uuid::Uuid::from_u128(n)),
        actor: Actor::new("jdoe", "Coulee CAP", Role::Access),
        recorded_at: utc(2025, 6, 30, 9, 0, 0),
    }
}

fn psh_adults_only() -> ListKey {
    ListKey {
        coalition: Coalition::new(COALITION),
        program: ProgramType::Psh,
        household_type: ListHouseholdType::AdultsOnly,
    }
}

fn event_types(executed: &Executed) -> Vec<&'static str> {
    executed
        .events
        .iter()
        .map(|e| e.event.event_type())
        .collect()
}

#[test]
fn workflow_runs_part_1_end_to_end_over_a_memory_store() {
    let workflow = Workflow::new(MemoryStore::new(), Policy::wi_bos_default()).unwrap();
    let builder = single(1).chronic();

    let enrolled = workflow
        .execute(&access_meta(1), builder.enroll.clone())
        .unwrap();
    assert_eq!(
        event_types(&enrolled),
        ["HouseholdEnrolled", "ClientEnrollmentOpened"]
    );
    let Outcome::Enrolled { household: h } = enrolled.outcome else {
        panic!("expected Enrolled, got {:?}", enrolled.outcome);
    };

    let assessed = workflow
        .execute(&access_meta(2), assess(h, assessed_on(), 10, true))
        .unwrap();
    assert_eq!(event_types(&assessed), ["AssessmentRecorded"]);
    let list = workflow.list(&psh_adults_only(), assessed_on()).unwrap();
    assert_eq!(list.entries.len(), 1);
    assert_eq!(list.entries[0].rank, 1);
    assert_eq!(list.entries[0].inputs.household, h);
    assert!(list.entries[0].inputs.chronic);

    let followed = workflow
        .execute(&access_meta(3), follow_up(h, date(2025, 3, 1), 13))
        .unwrap();
    assert_eq!(event_types(&followed), ["ContactMade"]);
    assert_eq!(
        workflow.household(h).unwrap().unwrap().last_contact,
        date(2025, 3, 1)
    );

    let exited = workflow
        .execute(&access_meta(4), exit(h, date(2025, 5, 1)))
        .unwrap();
    assert_eq!(
        event_types(&exited),
        ["HouseholdExited", "ClientEnrollmentClosed"]
    );
    assert!(workflow
        .list(&psh_adults_only(), date(2025, 5, 1))
        .unwrap()
        .entries
        .is_empty());
    // 2 + 1 + 1 + 2 events.
    assert_eq!(workflow.store().next_position().unwrap(), 6);
}

#[test]
fn workflow_a_rejected_command_writes_nothing() {
    let workflow = Workflow::new(MemoryStore::new(), Policy::wi_bos_default()).unwrap();
    let enrolled = workflow.execute(&access_meta(1), single(1).enroll).unwrap();
    let Outcome::Enrolled { household: h } = enrolled.outcome else {
        panic!("expected Enrolled, got {:?}", enrolled.outcome);
    };
    let before = workflow.store().next_position().unwrap();
    let state = workflow.household(h).unwrap();

    let mut empty_note = follow_up(h, date(2025, 3, 1), 3);
    empty_note.note = String::new();
    let rejected = workflow.execute(&access_meta(2), empty_note);
    assert!(
        matches!(rejected, Err(Error::Rejected(Rejection::EmptyNote))),
        "{rejected:?}"
    );

    let twice = workflow.execute(&access_meta(3), single(1).enroll);
    assert!(
        matches!(
            twice,
            Err(Error::Rejected(Rejection::ClientAlreadyEnrolled { .. }))
        ),
        "{twice:?}"
    );

    assert_eq!(workflow.store().next_position().unwrap(), before);
    assert_eq!(workflow.household(h).unwrap(), state);
}

#[test]
fn workflow_retrying_a_command_with_the_same_id_writes_nothing_more() {
    let workflow = Workflow::new(MemoryStore::new(), Policy::wi_bos_default()).unwrap();
    let enroll: Command = single(1).enroll.into();
    let first = workflow.execute(&access_meta(1), &enroll).unwrap();
    let Outcome::Enrolled { household: h } = first.outcome else {
        panic!("expected Enrolled, got {:?}", first.outcome);
    };
    let contact: Command = follow_up(h, date(2025, 3, 1), 3).into();
    workflow.execute(&access_meta(2), &contact).unwrap();
    let stored = workflow.store().next_position().unwrap();

    // A follow-up re-sent after a lost response.
    let retried = workflow.execute(&access_meta(2), &contact);
    assert_eq!(workflow.store().next_position().unwrap(), stored);
    assert!(retried.is_ok(), "{retried:?}");

    // An enrollment re-sent after a lost response: the caller needs the
    // household id it was given the first time.
    let retried = workflow.execute(&access_meta(1), &enroll);
    assert_eq!(workflow.store().next_position().unwrap(), stored);
    assert!(
        matches!(&retried, Ok(Executed { outcome: Outcome::Enrolled { household }, .. }) if *household == h),
        "re-sending command 1 should return its outcome again, got {retried:?}"
    );
}

//! Checks every [`EventStore`] must pass. Each takes a fresh, empty store.

use ce_core::report::{ListReader, PriorityListReport};
use ce_core::{
    Actor, Caseload, EventStore, ExpectedVersion, HouseholdId, Role, Snapshots, StoreError, View,
    ViewLog,
};

use crate::sample::{client_stream, new_event, request, workload, Driver};

/// Appended events read back by stream and by position, with versions.
pub fn append_and_read<S: EventStore>(store: S) {
    let (a, b) = (client_stream(1), client_stream(2));
    store
        .append(request(
            &[(a, ExpectedVersion::Exact(0))],
            vec![new_event(1, &[a]), new_event(2, &[a])],
        ))
        .unwrap();
    store
        .append(request(&[], vec![new_event(3, &[b])]))
        .unwrap();
    let stream = store.read_stream(&a).unwrap();
    assert_eq!(
        stream.iter().map(|e| e.version_in(&a)).collect::<Vec<_>>(),
        [Some(1), Some(2)]
    );
    let all = store.read_from(0, 10).unwrap();
    assert_eq!(
        all.iter().map(|e| e.position).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(store.read_from(2, 10).unwrap().len(), 1);
    assert_eq!(store.read_from(0, 2).unwrap().len(), 2);
    assert_eq!(store.stream_version(&a).unwrap(), 2);
    assert_eq!(store.stream_version(&client_stream(9)).unwrap(), 0);
    assert_eq!(store.next_position().unwrap(), 3);
}

/// An append that may return before it is durable (group commit) is
/// stored, checked and read like any other; `sync` past it succeeds, and
/// a plain append after it follows it.
pub fn unsynced_appends_are_appends<S: EventStore>(store: S) {
    let a = client_stream(1);
    let first = store
        .append_unsynced(request(
            &[(a, ExpectedVersion::Exact(0))],
            vec![new_event(1, &[a]), new_event(2, &[a])],
        ))
        .unwrap();
    assert_eq!(first.iter().map(|e| e.position).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(store.read_from(0, 10).unwrap().len(), 2);
    store.sync(store.next_position().unwrap()).unwrap();
    // Checked like an append: a stale version conflicts, a re-send returns
    // the stored events.
    assert!(matches!(
        store.append_unsynced(request(
            &[(a, ExpectedVersion::Exact(0))],
            vec![new_event(3, &[a])]
        )),
        Err(StoreError::Conflict { .. })
    ));
    let again = store
        .append_unsynced(request(
            &[(a, ExpectedVersion::Exact(0))],
            vec![new_event(1, &[a]), new_event(2, &[a])],
        ))
        .unwrap();
    assert_eq!(again, first);
    store
        .append(request(&[], vec![new_event(4, &[a])]))
        .unwrap();
    store.sync(0).unwrap();
    assert_eq!(store.stream_version(&a).unwrap(), 3);
}

/// Views are kept per household, in the order recorded, ids only, and
/// leave the event log as it was.
pub fn views_are_kept_per_household_beside_the_log<S: EventStore + ViewLog>(store: S) {
    let (a, b) = (HouseholdId::random(), HouseholdId::random());
    let at = chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap();
    let view = |household, purpose: &str| View {
        at,
        actor: Actor::new("ana", "Couleecap", Role::Access),
        household,
        purpose: purpose.to_owned(),
    };
    assert_eq!(store.views_of(a).unwrap(), []);
    store.record_views(&[]).unwrap();
    store
        .record_views(&[view(a, "household page"), view(b, "list download")])
        .unwrap();
    store.record_views(&[view(a, "ce show")]).unwrap();
    assert_eq!(
        store.views_of(a).unwrap(),
        [view(a, "household page"), view(a, "ce show")]
    );
    assert_eq!(store.views_of(b).unwrap(), [view(b, "list download")]);
    // All of them, each household's in the order recorded.
    let mut all = store.all_views().unwrap();
    assert_eq!(all.len(), 3);
    all.retain(|v| v.household == a);
    assert_eq!(all, [view(a, "household page"), view(a, "ce show")]);
    assert_eq!(store.next_position().unwrap(), 0);
}

/// A stale expected version is a typed conflict and writes nothing.
pub fn expected_version_conflict<S: EventStore>(store: S) {
    let a = client_stream(1);
    store
        .append(request(
            &[(a, ExpectedVersion::Exact(0))],
            vec![new_event(1, &[a])],
        ))
        .unwrap();
    let err = store
        .append(request(
            &[(a, ExpectedVersion::Exact(0))],
            vec![new_event(2, &[a])],
        ))
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                actual: 1,
                expected: ExpectedVersion::Exact(0),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(store.next_position().unwrap(), 1);
    assert_eq!(store.stream_version(&a).unwrap(), 1);
}

/// An event on two streams gets a version in each; a conflict on either
/// stream of a request writes none of its events.
pub fn multi_stream_atomicity<S: EventStore>(store: S) {
    let (a, b) = (client_stream(1), client_stream(2));
    store
        .append(request(&[], vec![new_event(1, &[b])]))
        .unwrap();
    let stored = store
        .append(request(
            &[
                (a, ExpectedVersion::Exact(0)),
                (b, ExpectedVersion::Exact(1)),
            ],
            vec![new_event(2, &[a, b])],
        ))
        .unwrap();
    assert_eq!(stored[0].version_in(&a), Some(1));
    assert_eq!(stored[0].version_in(&b), Some(2));
    assert_eq!(store.read_stream(&b).unwrap().len(), 2);

    let err = store
        .append(request(
            &[
                (a, ExpectedVersion::Exact(1)),
                (b, ExpectedVersion::Exact(1)),
            ],
            vec![new_event(3, &[a]), new_event(4, &[b])],
        ))
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(store.next_position().unwrap(), 2);
    assert_eq!(store.stream_version(&a).unwrap(), 1);
    assert_eq!(store.stream_version(&b).unwrap(), 2);
}

/// Positions are gapless from 0 across appends and streams.
pub fn global_order<S: EventStore>(store: S) {
    for n in 0..20u128 {
        let stream = client_stream(n % 3);
        store
            .append(request(&[], vec![new_event(n, &[stream])]))
            .unwrap();
    }
    let all = store.read_from(0, 100).unwrap();
    assert_eq!(
        all.iter().map(|e| e.position).collect::<Vec<_>>(),
        (0..20).collect::<Vec<_>>()
    );
    for n in 0..3 {
        let versions: Vec<_> = store
            .read_stream(&client_stream(n))
            .unwrap()
            .iter()
            .map(|e| e.version_in(&client_stream(n)).unwrap())
            .collect();
        assert_eq!(versions, (1..=versions.len() as u64).collect::<Vec<_>>());
    }
}

/// Re-sending stored event ids returns the stored events and writes nothing;
/// a request mixing stored and new ids is rejected.
pub fn idempotent_resend<S: EventStore>(store: S) {
    let a = client_stream(1);
    let req = request(
        &[(a, ExpectedVersion::Exact(0))],
        vec![new_event(1, &[a]), new_event(2, &[a])],
    );
    let first = store.append(req.clone()).unwrap();
    let again = store.append(req).unwrap();
    assert_eq!(first, again);
    assert_eq!(store.next_position().unwrap(), 2);
    let err = store
        .append(request(&[], vec![new_event(2, &[a]), new_event(3, &[a])]))
        .unwrap_err();
    assert!(matches!(err, StoreError::PartialDuplicate(_)), "{err:?}");
    assert_eq!(store.next_position().unwrap(), 2);
}

/// After a workload, the workflow's caseload and the store's own snapshot
/// (if it keeps one) equal a fresh fold of the log.
pub fn projections_equal_fresh_fold<S: Snapshots>(store: S) {
    let mut driver = Driver::new(store);
    workload(&mut driver);
    let store = driver.workflow.store();
    let log = store.read_from(0, usize::MAX).unwrap();
    let fresh = Caseload::from_events(&log);
    assert_eq!(*driver.workflow.caught_up().unwrap(), fresh);
    if let Some(snapshot) = store.snapshot().unwrap() {
        assert_eq!(snapshot, fresh);
    }
    let date = ce_core::testing::date(2025, 3, 1);
    let policy = driver.workflow.policy();
    assert!(
        !fresh.lists(policy, date).is_empty(),
        "the workload puts households on lists"
    );
}

/// A store's list report equals the report of the workflow's own fold,
/// for every list, in full and cut to its top rows.
pub fn list_report_equals_the_fold<S: ListReader>(store: S) {
    let mut driver = Driver::new(store);
    workload(&mut driver);
    let date = ce_core::testing::date(2025, 3, 1);
    let caseload = driver.workflow.caught_up().unwrap().clone();
    let policy = driver.workflow.policy().clone();
    let lists = caseload.lists(&policy, date);
    assert!(!lists.is_empty(), "the workload puts households on lists");
    for (key, list) in lists {
        let folded = PriorityListReport::new(&caseload, &list, date);
        let store = driver.workflow.store();
        assert_eq!(
            store.list_report(&policy, &key, date, usize::MAX).unwrap(),
            folded
        );
        let top = store.list_report(&policy, &key, date, 1).unwrap();
        assert_eq!(top.rows, folded.rows[..1], "{key}");
    }
}

/// A list report ranks under the policy it is given, whatever the store
/// ranks by: with floors no one meets, every list is empty.
pub fn list_report_follows_the_policy_given<S: ListReader>(store: S) {
    let mut driver = Driver::new(store);
    workload(&mut driver);
    let date = ce_core::testing::date(2025, 3, 1);
    let policy = driver.workflow.policy().clone();
    let mut strict = policy.clone();
    for program in &mut strict.programs {
        program.eligibility.min_score_without_children = Some(1_000);
        program.eligibility.min_score_with_children = Some(1_000);
    }
    let caseload = driver.workflow.caught_up().unwrap().clone();
    let lists = caseload.lists(&policy, date);
    assert!(!lists.is_empty(), "the workload puts households on lists");
    let store = driver.workflow.store();
    for key in lists.keys() {
        let report = store.list_report(&strict, key, date, usize::MAX).unwrap();
        assert!(report.rows.is_empty(), "{key} under floors of 1,000");
        let report = store.list_report(&policy, key, date, usize::MAX).unwrap();
        assert!(!report.rows.is_empty(), "{key} under the workflow's policy");
    }
}

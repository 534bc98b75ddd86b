//! The catalog of personal data (`ce_core::privacy`) classifies every text
//! and date field of every event: of the frozen fixture of every event type
//! and schema version (what stores hold), and of every event a few hundred
//! generated command sequences write (the shapes this build writes, with
//! the optional fields they fill). An event that gains such a field fails
//! here until the catalog says how personal it is.

use std::collections::BTreeSet;
use std::path::Path;

use ce_core::audit::list_place_mismatch;
use std::sync::Arc;

use ce_core::privacy::{classify, is_sealed, Keyring, MasterKey, MemoryKeys, SealError, Subject};
use ce_core::testing::date;
use ce_core::testing::proptest::prelude::*;
use ce_core::testing::proptest::strategy::{Strategy, ValueTree};
use ce_core::testing::proptest::test_runner::TestRunner;
use ce_core::testing::{policy_variation, steps, steps_with, StepWeights};
use ce_core::{
    Actor, Caseload, ClientId, CommandId, CommandMeta, Envelope, Erase, ErasureReason, EventStore,
    EventType, MemoryStore, Role, Sealed, StoreError, Workflow,
};
use serde_json::Value;

use crate::run::{config, memory, Run, MEMORY_CASES, STEPS};

fn unclassified(event: EventType, data: &Value, found: &mut BTreeSet<String>) {
    for (path, class) in classify(event, data) {
        if class.is_none() {
            found.insert(format!("{event:?} {path}"));
        }
    }
}

#[test]
fn the_catalog_classifies_every_text_and_date_field_of_every_event() {
    let mut found = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/events");
    for version in std::fs::read_dir(&fixtures).expect("fixtures") {
        for file in std::fs::read_dir(version.expect("entry").path()).expect("version") {
            let path = file.expect("entry").path();
            let envelope: Value =
                serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
            let event: EventType =
                serde_json::from_value(envelope["type"].clone()).expect("event type");
            seen.insert(event);
            unclassified(event, &envelope["data"], &mut found);
        }
    }
    let mut runner = TestRunner::deterministic();
    for _ in 0..200 {
        let variation = policy_variation()
            .new_tree(&mut runner)
            .expect("policy")
            .current();
        let steps = steps(STEPS).new_tree(&mut runner).expect("steps").current();
        let mut run = memory(&variation);
        for (i, step) in steps.iter().enumerate() {
            if let Ok(executed) = run.step(i, step).1 {
                for envelope in &executed.events {
                    let value = serde_json::to_value(&envelope.event).expect("event");
                    let event = envelope.event.kind();
                    seen.insert(event);
                    unclassified(event, &value["data"], &mut found);
                }
            }
        }
    }
    let missing: Vec<_> = EventType::ALL
        .iter()
        .filter(|t| !seen.contains(t))
        .collect();
    assert!(missing.is_empty(), "no sample of {missing:?}");
    assert!(
        found.is_empty(),
        "fields the personal-data catalog (ce-core/src/privacy.rs) does not classify:\n{}",
        found.into_iter().collect::<Vec<_>>().join("\n")
    );
}

/// `data` with every personal field (by the catalog) gone: dates of birth
/// removed, names and free text replaced, as an erasure leaves them.
fn without_personal_data(event: EventType, data: &mut Value) {
    let personal: BTreeSet<String> = classify(event, data)
        .into_iter()
        .filter(|(_, class)| class.is_some_and(|c| c.is_personal()))
        .map(|(path, _)| path)
        .collect();
    fn walk(value: &mut Value, path: &str, personal: &BTreeSet<String>) {
        match value {
            Value::Array(items) => {
                for item in items {
                    walk(item, &format!("{path}[]"), personal);
                }
            }
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                for key in keys {
                    let sub = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    if personal.contains(&sub) && map[&key].is_string() {
                        if key == "birth_date" {
                            map.remove(&key);
                        } else {
                            map[&key] = Value::from("[erased]");
                        }
                    } else if let Some(item) = map.get_mut(&key) {
                        walk(item, &sub, personal);
                    }
                }
            }
            _ => {}
        }
    }
    walk(data, "", &personal);
}

proptest! {
    #![proptest_config(config(MEMORY_CASES))]

    /// What the policy ranks by is recorded in clear: the log with every
    /// name, birth date and note taken out gives the same lists, in the
    /// same order, as of every day, and every referral's recorded place on
    /// its list is the place the stripped log gives then.
    #[test]
    fn lists_and_recorded_ranks_never_need_personal_data(
        variation in policy_variation(),
        steps in steps(STEPS),
    ) {
        let mut run = memory(&variation);
        for (i, step) in steps.iter().enumerate() {
            let _ = run.step(i, step);
        }
        let log = run.store().read_from(0, usize::MAX).unwrap();
        let stripped: Vec<Envelope> = log
            .iter()
            .map(|e| {
                let mut value = serde_json::to_value(e).unwrap();
                let event = e.event.kind();
                without_personal_data(event, &mut value["data"]);
                serde_json::from_value(value).unwrap()
            })
            .collect();
        let policy = run.policy().clone();
        let (mut full, mut bare) = (Caseload::default(), Caseload::default());
        for (original, envelope) in log.iter().zip(&stripped) {
            prop_assert!(
                list_place_mismatch(&bare, &policy, envelope).is_none(),
                "event {}: the recorded place differs without personal data",
                envelope.position
            );
            full.apply(original);
            bare.apply(envelope);
            let date = envelope.effective;
            prop_assert_eq!(full.lists(&policy, date), bare.lists(&policy, date));
        }
    }
}

proptest! {
    #![proptest_config(config(MEMORY_CASES))]

    /// A sealed store decides exactly as a plain one and gives back the
    /// very same log; beneath it, every personal field is a token. Once
    /// every client is erased, the log still reads, and gives the same
    /// lists and recorded list places as before. (The sequences erase no
    /// one themselves, so that the log read back can equal the plain one.)
    #[test]
    fn a_sealed_store_hides_every_personal_field_and_erasure_keeps_every_rank(
        variation in policy_variation(),
        steps in steps_with(STEPS, StepWeights { erase: 0, ..StepWeights::default() }),
    ) {
        let master = MasterKey::generate().unwrap();
        let keys = Arc::new(Keyring::new(master, Arc::new(MemoryKeys::default())));
        let mut plain = memory(&variation);
        let mut sealed = Run::new(
            Sealed::new(MemoryStore::new(), Arc::clone(&keys)),
            variation.policy(),
        );
        for (i, step) in steps.iter().enumerate() {
            let (_, a) = plain.step(i, step);
            let (_, b) = sealed.step(i, step);
            prop_assert_eq!(
                a.map(|e| e.outcome).map_err(|e| e.to_string()),
                b.map(|e| e.outcome).map_err(|e| e.to_string())
            );
        }
        let log = plain.store().read_from(0, usize::MAX).unwrap();
        prop_assert_eq!(&sealed.store().read_from(0, usize::MAX).unwrap(), &log);
        for envelope in sealed.store().inner().read_from(0, usize::MAX).unwrap() {
            let value = serde_json::to_value(&envelope.event).unwrap();
            let event = envelope.event.kind();
            let texts = ce_core::privacy::text_fields(&value["data"]);
            for (path, class) in classify(event, &value["data"]) {
                if class.is_some_and(|c| c.is_personal()) {
                    let text = texts.iter().find(|(p, _)| *p == path).map(|(_, t)| *t);
                    prop_assert!(
                        text.is_some_and(is_sealed),
                        "{:?} {} is in clear beneath the sealed store", event, path
                    );
                }
            }
        }
        // A key deleted behind the log's back is an error, never an erasure.
        let subjects = keys.store().subjects().unwrap();
        if let Some(subject) = subjects.first() {
            let kept = keys.store().get(subject).unwrap().unwrap();
            keys.erase(subject).unwrap();
            prop_assert!(matches!(
                sealed.store().read_from(0, usize::MAX),
                Err(StoreError::Sealing(SealError::KeyMissing(_)))
            ));
            keys.store().put_new(subject, &kept).unwrap();
        }
        // Every client erased through the workflow, as a CE lead.
        let clients: BTreeSet<ClientId> = sealed
            .workflow
            .caught_up()
            .unwrap()
            .households()
            .values()
            .flat_map(|h| h.members.iter().map(|m| m.client).chain(h.former_members.clone()))
            .collect();
        let last = log.last().map_or(date(2025, 1, 1), |e| e.effective);
        for (i, client) in clients.iter().enumerate() {
            let meta = CommandMeta {
                command_id: CommandId::from_uuid(uuid::Uuid::from_u128(0xE7A5_0000 + i as u128)),
                actor: Actor::new("lead", "BoS CE", Role::Lead),
                recorded_at: last.and_hms_opt(23, 0, 0).unwrap().and_utc(),
            };
            let erase = Erase { client: *client, reason: ErasureReason::Retention, date: last };
            sealed.workflow.execute(&meta, erase).unwrap();
        }
        prop_assert!(keys
            .store()
            .subjects()
            .unwrap()
            .iter()
            .all(|s| !matches!(s, Subject::Client(_) | Subject::Household(_))));
        let erased = sealed.store().read_from(0, usize::MAX).unwrap();
        let policy = plain.policy().clone();
        let (mut full, mut bare) = (Caseload::default(), Caseload::default());
        // The log as it was, read after every erasure.
        for (original, envelope) in log.iter().zip(&erased) {
            prop_assert!(
                list_place_mismatch(&bare, &policy, envelope).is_none(),
                "event {}: the recorded place differs after erasure",
                envelope.position
            );
            full.apply(original);
            bare.apply(envelope);
            let date = envelope.effective;
            prop_assert_eq!(full.lists(&policy, date), bare.lists(&policy, date));
        }
    }
}

/// Two processes on one store, each with its own keyring over the shared
/// keys: when one erases a client, the other, which had read and cached
/// their data, shows it erased once it catches up, and never again in
/// clear.
#[test]
fn an_erasure_by_another_process_reaches_a_running_one() {
    use ce_core::testing::client;

    let store = Arc::new(MemoryStore::new());
    let keys: Arc<MemoryKeys> = Arc::default();
    let hex = MasterKey::generate().unwrap().to_hex();
    let keyring = || {
        let master = MasterKey::from_hex(&hex).unwrap();
        Arc::new(Keyring::new(master, Arc::clone(&keys) as _))
    };
    let policy = ce_core::Policy::wi_bos_default();
    let server = Workflow::new(Sealed::new(Arc::clone(&store), keyring()), policy.clone()).unwrap();
    let cli = Workflow::new(Sealed::new(Arc::clone(&store), keyring()), policy).unwrap();
    let enroll = dana();
    let household = server.run(&meta(1, Role::Access), enroll).unwrap();
    let name = |w: &Workflow<Sealed<Arc<MemoryStore>>>| {
        w.caught_up().unwrap().households()[&household].members[0]
            .first_name
            .clone()
    };
    assert_eq!(name(&server).as_deref(), Some("Dana"));
    assert_eq!(name(&cli).as_deref(), Some("Dana"));
    let erase = Erase {
        client: client(7),
        reason: ErasureReason::ClientRequest,
        date: date(2025, 2, 1),
    };
    cli.execute(&meta(2, Role::Lead), erase).unwrap();
    assert_eq!(name(&cli), None);
    assert_eq!(name(&server), None, "the running process caught up");
    let running = server.caught_up().unwrap().households()[&household].clone();
    assert!(running.members[0].is_erased());
    // And what it reads afresh is erased too, not opened from its cache.
    let log = server.store().read_from(0, usize::MAX).unwrap();
    let ce_core::Event::HouseholdEnrolled(enrolled) = &log[0].event else {
        panic!("the enrollment first")
    };
    assert!(enrolled.members[0].is_erased(), "{enrolled:?}");
    let fresh = Caseload::from_events(&log);
    assert!(fresh.households()[&household].members[0].is_erased());
    assert_eq!(fresh.households()[&household], running);
}

/// An erasure whose event became durable but whose keys were not deleted
/// (the process was killed between the two) leaves keys behind;
/// `Sealed::shred_erased` finds them from the log and deletes them, once.
#[test]
fn keys_left_by_a_cut_off_erasure_are_found_from_the_log_and_deleted() {
    use ce_core::privacy::KeyStore as _;
    use ce_core::testing::client;

    let store = Arc::new(MemoryStore::new());
    let keys: Arc<MemoryKeys> = Arc::default();
    let master = MasterKey::generate().unwrap();
    let sealed = Sealed::new(
        Arc::clone(&store),
        Arc::new(Keyring::new(master, Arc::clone(&keys) as _)),
    );
    let workflow = Workflow::new(sealed, ce_core::Policy::wi_bos_default()).unwrap();
    let mut enroll = dana();
    enroll.current.location_details = Some("Behind the library".into());
    let household = workflow.run(&meta(1, Role::Access), enroll).unwrap();
    let client_key = Subject::Client(client(7));
    assert!(keys.get(&client_key).unwrap().is_some());
    assert!(keys.get(&Subject::Household(household)).unwrap().is_some());
    // The erasure's event goes in beneath the sealing layer, as if the
    // process died before deleting the keys.
    let erase = Erase {
        client: client(7),
        reason: ErasureReason::ClientRequest,
        date: date(2025, 2, 1),
    };
    let request = {
        let caseload = workflow.caught_up().unwrap();
        let decision = ce_core::decide(
            &caseload,
            workflow.policy(),
            &meta(2, Role::Lead),
            &erase.into(),
        )
        .unwrap();
        decision.to_request(&caseload, &meta(2, Role::Lead))
    };
    store.append(request).unwrap();
    assert!(
        keys.get(&client_key).unwrap().is_some(),
        "the keys were left"
    );
    let deleted = workflow.store().shred_erased().unwrap();
    assert_eq!(deleted, 2, "the client's key and the household's");
    assert!(keys.get(&client_key).unwrap().is_none());
    assert!(keys.get(&Subject::Household(household)).unwrap().is_none());
    assert_eq!(workflow.store().shred_erased().unwrap(), 0, "once");
}

/// Command metadata number `n`, entered by `role` on 2025-02-01.
fn meta(n: u128, role: Role) -> CommandMeta {
    CommandMeta {
        command_id: CommandId::from_uuid(uuid::Uuid::from_u128(n)),
        actor: Actor::new("staff", "BoS CE", role),
        recorded_at: date(2025, 2, 1).and_hms_opt(12, 0, 0).unwrap().and_utc(),
    }
}

/// A single adult named Dana, client 7.
fn dana() -> ce_core::Enroll {
    let mut enroll = ce_core::testing::HouseholdBuilder::single_adult("Coulee").enroll;
    enroll.members[0].client = ce_core::testing::client(7);
    enroll.members[0].first_name = Some("Dana".into());
    enroll
}

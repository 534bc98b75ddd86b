//! Processes, not threads, racing on one PostgreSQL store: eight writer
//! processes refer the top household to each of a run of openings at once.
//! Exactly one referral per opening may win, every loser must be told so
//! (a conflict, then the rule that the opening has its referral), and the
//! log must pass the checks `ce verify` runs.
//!
//! The writers are this test binary run again with `race_writer` as the
//! only test and the store named in the environment.

use std::collections::BTreeMap;
use std::process::Command as Process;

use ce_core::testing::{date, HouseholdBuilder};
use ce_core::{
    Actor, CommandId, CommandMeta, Error, Event, EventStore, MemoryStore, OpeningId, PostOpening,
    ProgramType, Refer, Rejection, Role, StoreError, Timestamp, Workflow,
};
use ce_store_postgres::PgStore;

const WRITERS: usize = 8;
const URL: &str = "CE_RACE_URL";
const SCHEMA: &str = "CE_RACE_SCHEMA";
const WRITER: &str = "CE_RACE_WRITER";

/// Openings raced for: `CE_RACE_ROUNDS`, 1,000 by default.
fn rounds() -> usize {
    std::env::var("CE_RACE_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1_000)
}

fn meta(role: Role, agency: &str, id: CommandId) -> CommandMeta {
    let at: Timestamp = "2025-06-01T12:00:00Z".parse().unwrap();
    CommandMeta::new(Actor::new("racer", agency, role), at).with_id(id)
}

/// The openings in the order they were posted.
fn openings(store: &PgStore) -> Vec<OpeningId> {
    store
        .read_from(0, usize::MAX)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.event {
            Event::OpeningPosted(posted) => Some(posted.opening),
            _ => None,
        })
        .collect()
}

#[test]
fn eight_processes_refer_to_each_opening_and_exactly_one_wins() {
    let Some(url) = ce_tests::postgres::url() else {
        return;
    };
    let rounds = rounds();
    let schema = format!("race_{}", uuid::Uuid::new_v4().simple());
    let store = PgStore::open_in(&url, &schema).unwrap();
    // The caseload, built in memory and copied in one append per event:
    // `rounds` placed households and `rounds` openings for them.
    let setup = Workflow::open(MemoryStore::new()).unwrap();
    let access = |n: u128| {
        meta(
            Role::Access,
            "Couleecap",
            CommandId::from_uuid(uuid::Uuid::from_u128(n)),
        )
    };
    for n in 0..rounds {
        let household = HouseholdBuilder::single_adult("Coulee")
            .client(ce_core::testing::client(n as u128 + 1))
            .placed_with_score(9);
        let id = setup
            .run(&access(2 * n as u128 + 1), household.enroll.clone())
            .unwrap();
        if let Some(assess) = household.assessment(id) {
            setup.run(&access(2 * n as u128 + 2), assess).unwrap();
        }
    }
    let provider = meta(
        Role::Provider,
        "Coulee Housing Authority",
        CommandId::random(),
    );
    for n in 0..rounds {
        let post = PostOpening::new(
            format!("Coulee RRH {n}"),
            ProgramType::Rrh,
            ce_core::Coalition::new("Coulee"),
            date(2025, 5, 1),
        );
        setup
            .run(&provider.clone().with_id(CommandId::random()), post)
            .unwrap();
    }
    for envelope in setup.store().read_from(0, usize::MAX).unwrap() {
        let request = ce_core::AppendRequest {
            expected: Vec::new(),
            events: vec![ce_core::NewEvent {
                event_id: envelope.event_id,
                streams: envelope.streams.iter().map(|s| s.stream).collect(),
                effective: envelope.effective,
                recorded_at: envelope.recorded_at,
                actor: envelope.actor.clone(),
                event: envelope.event.clone(),
            }],
        };
        store.append(request).unwrap();
    }
    assert_eq!(openings(&store).len(), rounds);

    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..WRITERS)
        .map(|w| {
            Process::new(&exe)
                .args(["--exact", "race_writer", "--nocapture", "--test-threads=1"])
                .env(URL, &url)
                .env(SCHEMA, &schema)
                .env(WRITER, w.to_string())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let (mut won, mut refused, mut conflicts) = (0, 0, 0);
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "a writer failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let count = |what: &str| -> usize {
            stdout
                .split_whitespace()
                .skip_while(|w| *w != what)
                .nth(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("a writer said nothing of {what}: {stdout}"))
        };
        won += count("won");
        refused += count("refused");
        conflicts += count("conflicts");
    }
    eprintln!("{won} referrals won, {refused} refused, {conflicts} conflicts retried");
    assert_eq!(won, rounds, "the writers' wins add up to one per opening");
    assert_eq!(
        refused,
        (WRITERS - 1) * rounds,
        "every other writer is refused"
    );

    let log = store.read_from(0, usize::MAX).unwrap();
    let mut per_opening: BTreeMap<OpeningId, usize> = BTreeMap::new();
    for envelope in &log {
        if let Event::ReferralOffered(offered) = &envelope.event {
            *per_opening.entry(offered.opening).or_default() += 1;
        }
    }
    assert_eq!(per_opening.len(), rounds, "every opening got a referral");
    assert!(
        per_opening.values().all(|n| *n == 1),
        "one referral per opening"
    );
    // What `ce verify` checks: positions, every event's rules, the ranks.
    ce_tests::postgres::verified(&log, date(2025, 6, 1));
}

/// One writer process of the race (a no-op test when not started by it):
/// refers the top household to every opening, in order, and prints how
/// many of its referrals won.
#[test]
fn race_writer() {
    let (Ok(url), Ok(schema), Ok(writer)) = (
        std::env::var(URL),
        std::env::var(SCHEMA),
        std::env::var(WRITER),
    ) else {
        return;
    };
    let store = PgStore::open_in(&url, &schema).unwrap();
    let openings = openings(&store);
    let workflow = Workflow::open(store).unwrap();
    let (mut won, mut refused, mut conflicts) = (0, 0, 0);
    for (n, opening) in openings.into_iter().enumerate() {
        let lead = meta(Role::Lead, &format!("BoS CE {writer}"), CommandId::random());
        let refer = Refer::top(opening, date(2025, 6, 1));
        let mut tries = 0;
        loop {
            tries += 1;
            match workflow.execute(&lead, refer.clone()) {
                Ok(_) => {
                    won += 1;
                    break;
                }
                // Another writer got there first: the retry reads its
                // referral and is refused by the rule.
                Err(Error::Store(StoreError::Conflict { .. })) if tries < 20 => conflicts += 1,
                Err(Error::Rejected(Rejection::OpeningHasLiveReferral { .. })) => {
                    refused += 1;
                    break;
                }
                Err(other) => panic!("writer {writer}, opening {n}: {other}"),
            }
        }
    }
    println!("won {won} refused {refused} conflicts {conflicts}");
}

/// A long-running program waits for appends instead of polling: a commit
/// by another connection wakes it, and its workflow then catches up by
/// position.
#[test]
fn a_waiting_workflow_wakes_when_another_process_appends() {
    let Some(url) = ce_tests::postgres::url() else {
        return;
    };
    let schema = format!("wake_{}", uuid::Uuid::new_v4().simple());
    let store = PgStore::open_in(&url, &schema).unwrap();
    let mut appends = store.appends().unwrap();
    let workflow = Workflow::open(store).unwrap();
    assert!(
        !appends.wait(std::time::Duration::from_millis(100)).unwrap(),
        "nothing appended, nothing to wake for"
    );
    let (url2, schema2) = (url.clone(), schema.clone());
    let other = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let writer = Workflow::open(PgStore::open_in(&url2, &schema2).unwrap()).unwrap();
        let enroll = HouseholdBuilder::single_adult("Coulee").enroll;
        writer
            .run(
                &meta(Role::Access, "Couleecap", CommandId::random()),
                enroll,
            )
            .unwrap()
    });
    assert!(
        appends.wait(std::time::Duration::from_secs(30)).unwrap(),
        "the other writer's commit wakes the waiter"
    );
    let household = other.join().unwrap();
    assert!(workflow
        .caught_up()
        .unwrap()
        .households()
        .contains_key(&household));
}

/// An import is one transaction: a repeated event id, a gap or a stream
/// version out of turn is refused and leaves the store empty; a whole log
/// is stored as it was.
#[test]
fn an_import_takes_a_log_whole_or_not_at_all() {
    use ce_store_postgres::{Discontinuity, ImportError};
    let Some(store) = ce_tests::postgres::store() else {
        return;
    };
    let source = Workflow::open(MemoryStore::new()).unwrap();
    for n in 0..3u128 {
        let household =
            HouseholdBuilder::single_adult("Coulee").client(ce_core::testing::client(n + 1));
        source
            .run(
                &meta(Role::Access, "Couleecap", CommandId::random()),
                household.enroll,
            )
            .unwrap();
    }
    let log = source.store().read_from(0, usize::MAX).unwrap();

    let mut repeated = log.clone();
    repeated[2].event_id = repeated[0].event_id;
    let mut gap = log.clone();
    gap.remove(1);
    for (bad, why) in [
        (repeated, Discontinuity::RepeatedId),
        (gap, Discontinuity::PositionGap),
    ] {
        let mut import = store.begin_import().unwrap();
        let err = import.add(&bad).unwrap_err();
        assert!(
            matches!(err, ImportError::Discontinuous { why: w, .. } if w == why),
            "{err}"
        );
        drop(import);
        assert_eq!(store.next_position().unwrap(), 0, "nothing of it stays");
    }
    let mut import = store.begin_import().unwrap();
    import.add(&log).unwrap();
    assert_eq!(import.commit().unwrap(), log.len() as u64);
    assert_eq!(store.read_from(0, usize::MAX).unwrap(), log);
    assert!(matches!(
        store.begin_import().unwrap_err(),
        ImportError::NotEmpty(n) if n == log.len() as u64
    ));
}

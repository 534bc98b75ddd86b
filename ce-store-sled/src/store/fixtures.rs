//! What the store's unit tests share: a store holding a few households
//! and an opening, a referral's append run on a copy of it, and the rows
//! of every tree to compare stores by.

#![allow(clippy::unwrap_used, clippy::panic, reason = "test")]

use std::path::Path;
use std::sync::Arc;

use ce_core::testing::{date, follow_up, opening, HouseholdBuilder};
use ce_core::{
    Actor, AppendRequest, Command, CommandId, CommandMeta, EventStore, Outcome, ProgramType, Refer,
    Role, StreamId, Workflow,
};
use chrono::{TimeZone, Utc};

use super::SledStore;
use crate::error::SledStoreError;
use crate::keys::*;

/// Every row of every tree (the projection trees of the current
/// generation), for comparing whole stores; but the generation itself,
/// which every rebuild advances.
pub(super) fn all_rows(store: &SledStore) -> Vec<(usize, Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    for (i, tree) in store.trees().iter().enumerate() {
        for row in tree.iter() {
            let (k, v) = row.unwrap();
            if (i, k.as_ref()) != (META, PROJECTION_GENERATION) {
                out.push((i, k.to_vec(), v.to_vec()));
            }
        }
    }
    out
}

/// Runs commands through a workflow on `store` as a CE lead, with
/// command ids from a counter.
pub(super) fn runner(store: &Arc<SledStore>) -> impl FnMut(Command) -> Outcome {
    let workflow = Workflow::new(Arc::clone(store), store.policy().clone()).unwrap();
    let mut n = 0u128;
    move |command| {
        n += 1;
        let meta = CommandMeta {
            command_id: CommandId::from_uuid(uuid::Uuid::from_u128(n)),
            actor: Actor::new("lead", "BoS CE", Role::Lead),
            recorded_at: Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap(),
        };
        workflow.execute(&meta, &command).unwrap().outcome
    }
}

/// Enrolls and assesses three households, posts an opening, and
/// returns the command that refers the top household to it (its append
/// writes a referral on two streams, and moves a household off its
/// lists).
pub(super) fn before_a_referral(store: &Arc<SledStore>) -> Command {
    let mut run = runner(store);
    for score in [3, 9, 6] {
        let builder = HouseholdBuilder::single_adult("Coulee")
            .disabled()
            .placed_with_score(score);
        let Outcome::Enrolled { household } = run(builder.enroll.clone().into()) else {
            panic!("not enrolled")
        };
        if let Some(assess) = builder.assessment(household) {
            run(assess.into());
        }
        run(follow_up(household, date(2025, 4, 1), 4).into());
    }
    let Outcome::Posted { opening } =
        run(opening(ProgramType::Psh, "Coulee", date(2025, 5, 2)).into())
    else {
        panic!("not posted")
    };
    Refer {
        opening,
        date: date(2025, 5, 3),
        household: None,
        bypass_reason: None,
    }
    .into()
}

/// Opens the store in `dir`, waiting while a store just dropped still
/// holds the directory's lock: sled 0.34's background threads can keep
/// the database a moment after its last handle is gone (a reopen in
/// `the_checkpoint_follows_the_log_...` failed with `InUse` once in CI).
pub(super) fn reopen(dir: &Path) -> SledStore {
    for _ in 0..500 {
        match SledStore::open(dir) {
            Err(SledStoreError::InUse { .. }) => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            other => return other.unwrap(),
        }
    }
    panic!("{} stayed in use for 5 s", dir.display())
}

/// Copies a closed store's directory (sled's files and folders).
pub(super) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A referral's append: the request, the streams it appends to, and
/// every row of the store after it. It runs on a copy of `base`, a
/// closed store [`before_a_referral`] (the fixtures' client ids are
/// random, so every store of a test starts from a copy of one).
pub(super) struct Referral {
    pub(super) request: AppendRequest,
    pub(super) streams: Vec<StreamId>,
    pub(super) after: Vec<(usize, Vec<u8>, Vec<u8>)>,
}

/// Runs `refer` on a copy of `base` and returns its [`Referral`].
pub(super) fn a_referral(base: &Path, refer: &Command) -> Referral {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(base, dir.path());
    let store = Arc::new(reopen(dir.path()));
    let before = store.next_position().unwrap();
    let workflow = Workflow::new(Arc::clone(&store), store.policy().clone()).unwrap();
    let meta = CommandMeta {
        command_id: CommandId::from_uuid(uuid::Uuid::from_u128(1_000)),
        actor: Actor::new("lead", "BoS CE", Role::Lead),
        recorded_at: Utc.with_ymd_and_hms(2026, 1, 2, 12, 0, 0).unwrap(),
    };
    workflow.execute(&meta, refer).unwrap();
    let appended = store.read_from(before, usize::MAX).unwrap();
    let request = AppendRequest {
        expected: Vec::new(),
        events: appended
            .iter()
            .map(|e| ce_core::NewEvent {
                event_id: e.event_id,
                streams: e.streams.iter().map(|sv| sv.stream).collect(),
                effective: e.effective,
                recorded_at: e.recorded_at,
                actor: e.actor.clone(),
                event: e.event.clone(),
            })
            .collect(),
    };
    let streams: Vec<StreamId> = appended
        .iter()
        .flat_map(|e| e.streams.iter().map(|sv| sv.stream))
        .collect();
    let after = all_rows(&store);
    Referral {
        request,
        streams,
        after,
    }
}

//! [`Workflow`]: the one type an embedding tool needs. It keeps the caseload
//! in step with the store, decides commands and appends their events.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use chrono::NaiveDate;

use crate::audit::{household_history, HistoryEntry};
use crate::caseload::{Caseload, Snapshots};
use crate::command::{Command, CommandMeta};
use crate::decide::{decide, merge_diff};
use crate::envelope::{Envelope, StreamId};
use crate::error::{Error, NotCorrectableReason, Rejection};
use crate::event::Event;
use crate::household::Household;
use crate::lists::PriorityList;
use crate::outcome::{Outcome, TypedCommand};
use crate::policy::Policy;
use crate::vocab::{EventId, HouseholdId, ListKey};

/// How many events a catch-up reads at a time.
const CATCH_UP_BATCH: usize = 4_096;

/// The result of a command that was accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Executed {
    /// What it means for the caller (new ids, ranks).
    pub outcome: Outcome,
    /// The events stored.
    pub events: Vec<Envelope>,
}

/// Runs the CE workflow on an event store under a policy.
///
/// Commands on one `Workflow` are decided one at a time (their flushes
/// overlap: see [`execute`](Self::execute)). Several workflows may share
/// one store (e.g. one per process); each command's append carries the
/// stream versions it was decided against, so a stale decision fails with a
/// conflict ([`Error::is_conflict`]) and writes nothing.
#[derive(Debug)]
pub struct Workflow<S> {
    store: S,
    policy: Policy,
    /// The store's next position when the workflow was opened under
    /// `policy`: an adoption from here on is another writer's.
    opened_at: u64,
    caseload: Mutex<Caseload>,
}

impl<S: Snapshots> Workflow<S> {
    /// Opens a workflow on `store` under the policy the store holds
    /// ([`EventStore::policy_in_force`](crate::store::EventStore::policy_in_force); the WI BoS default for a store
    /// that holds none): from the store's snapshot if it keeps one, then
    /// folding whatever is newer.
    pub fn open(store: S) -> Result<Self, Error> {
        let policy = store
            .policy_in_force()?
            .unwrap_or_else(Policy::wi_bos_default);
        Self::new(store, policy)
    }

    /// Opens a workflow on `store` under `policy`, which must be the
    /// store's when it holds one ([`Error::PolicyMismatch`] otherwise: the
    /// workflow would rank and refer by other rules than the store's
    /// lists); a store that holds none (a new in-memory store) takes it.
    pub fn new(store: S, policy: Policy) -> Result<Self, Error> {
        // The position first: an adoption after it is checked on catch-up,
        // one before it is in the store's policy now.
        let opened_at = store.next_position()?;
        if let Some(held) = store.policy_in_force()? {
            check_same_policy(&held, &policy)?;
        }
        let mut caseload = store.snapshot()?.unwrap_or_default();
        caseload.rank_by(&policy);
        let workflow = Self {
            store,
            policy,
            opened_at,
            caseload: Mutex::new(caseload),
        };
        drop(workflow.caught_up()?);
        Ok(workflow)
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    fn lock(&self) -> MutexGuard<'_, Caseload> {
        // The caseload is only replaced wholesale by `apply`, which never
        // panics; a poisoned lock still holds a consistent fold.
        self.caseload
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The caseload, after reading any events appended by other writers.
    pub fn caught_up(&self) -> Result<MutexGuard<'_, Caseload>, Error> {
        let mut caseload = self.lock();
        self.catch_up(&mut caseload)?;
        Ok(caseload)
    }

    fn catch_up(&self, caseload: &mut Caseload) -> Result<(), Error> {
        loop {
            let batch = self
                .store
                .read_from(caseload.next_position, CATCH_UP_BATCH)?;
            if batch.is_empty() {
                return Ok(());
            }
            for envelope in &batch {
                // Another writer adopted a policy: this workflow would go on
                // ranking by the old one. It stops short of the adoption;
                // reopen it ([`Workflow::open`]).
                if let Event::PolicyAdopted(adopted) = &envelope.event {
                    if envelope.position >= self.opened_at {
                        check_same_policy(&adopted.policy, &self.policy)?;
                    }
                }
                caseload.apply(envelope);
            }
        }
    }

    /// Decides and stores one command. A rejected command writes nothing.
    ///
    /// A command whose id was already executed is not decided again: its
    /// stored events and outcome are returned, so a caller that lost the
    /// first response can retry safely.
    ///
    /// Returns once the events are durable. Commands are decided one at a
    /// time, but one waiting for its flush does not hold up the next: on
    /// a store that supports it, commands that arrive together share one
    /// flush ([`EventStore::append_unsynced`](crate::EventStore::append_unsynced)).
    pub fn execute(
        &self,
        meta: &CommandMeta,
        command: impl Into<Command>,
    ) -> Result<Executed, Error> {
        let command = command.into();
        let mut caseload = self.caught_up()?;
        if let Some(executed) = self.replay(meta)? {
            drop(caseload);
            // The first attempt may still be waiting for its flush.
            if let Some(last) = executed.events.last() {
                self.store.sync(last.position.saturating_add(1))?;
            }
            return Ok(executed);
        }
        if let Command::Correct(c) = &command {
            // The original a caller hands in must be the record as it
            // stands: the rules compare the correction against it.
            let stored = self.as_corrected(c.household, c.original.event_id)?;
            if stored.event != c.original.event {
                return Err(Rejection::NotCorrectable {
                    event: c.original.event_id,
                    why: NotCorrectableReason::NotAsStored,
                }
                .into());
            }
        }
        let decision = decide(&caseload, &self.policy, meta, &command)?;
        if decision.events.is_empty() {
            return Ok(Executed {
                outcome: decision.outcome,
                events: Vec::new(),
            });
        }
        let request = decision.to_request(&caseload, meta);
        // Stored but maybe not yet durable: the caseload lock is released
        // before the flush, so that commands arriving meanwhile are decided
        // and share it (group commit); each returns only once durable.
        let appended = self.store.append_unsynced(request);
        match &appended {
            // Ours directly follow what we had folded: fold them as
            // returned, without reading them back. Anything another writer
            // appends after them is folded by the next call's catch-up.
            Ok(events)
                if events
                    .first()
                    .is_some_and(|e| e.position == caseload.next_position) =>
            {
                for envelope in events {
                    caseload.apply(envelope);
                }
            }
            // Fold in order whatever is new, any other writer's and ours.
            _ => self.catch_up(&mut caseload)?,
        }
        drop(caseload);
        let events = appended?;
        if let Some(last) = events.last() {
            self.store.sync(last.position.saturating_add(1))?;
        }
        Ok(Executed {
            outcome: decision.outcome,
            events,
        })
    }

    /// Executes one command and returns its typed result (the new
    /// household of an [`Enroll`](crate::Enroll), the referral of a
    /// [`Refer`](crate::Refer), ...): [`execute`](Self::execute) without
    /// matching an [`Outcome`] of every command. A command id already used
    /// by a command of another kind is [`Error::CommandIdReused`].
    pub fn run<C: TypedCommand>(&self, meta: &CommandMeta, command: C) -> Result<C::Output, Error> {
        let executed = self.execute(meta, command)?;
        C::output(executed.outcome).ok_or(Error::CommandIdReused(meta.command_id))
    }

    /// The stored result of a command executed before, if any.
    fn replay(&self, meta: &CommandMeta) -> Result<Option<Executed>, Error> {
        let event_id = |i: u64| EventId(meta.command_id.derive("event", i));
        let Some(first) = self.store.position_of(event_id(0))? else {
            return Ok(None);
        };
        let mut events = Vec::new();
        loop {
            let batch = self
                .store
                .read_from(first + events.len() as u64, CATCH_UP_BATCH)?;
            let before = events.len();
            for envelope in batch {
                if envelope.event_id != event_id(events.len() as u64) {
                    break;
                }
                events.push(envelope);
            }
            if events.len() == before || events.len() - before < CATCH_UP_BATCH {
                break;
            }
        }
        Ok(Some(Executed {
            outcome: Outcome::of_stored(&events),
            events,
        }))
    }

    /// Corrects an earlier event of a household's stream to `corrected`,
    /// the record as it should have been (same kind, same ids): what
    /// differs from the record as it stands (with earlier corrections) is
    /// recorded as the correction, as [`correct`](Self::correct) records a
    /// patch.
    pub fn correct_to(
        &self,
        meta: &CommandMeta,
        household: HouseholdId,
        event: EventId,
        corrected: &Event,
        reason: &str,
    ) -> Result<Executed, Error> {
        let current = self.as_corrected(household, event)?;
        if current.event.kind() != corrected.kind() {
            return Err(Rejection::NotCorrectable {
                event,
                why: NotCorrectableReason::KindChanged,
            }
            .into());
        }
        let data = |e: &Event| {
            serde_json::to_value(e)
                .map(|v| v.get("data").cloned().unwrap_or_default())
                .map_err(|e| Rejection::InvalidCorrection {
                    event,
                    detail: e.to_string(),
                })
        };
        let patch = merge_diff(&data(&current.event)?, &data(corrected)?);
        self.record_correction(meta, household, current, patch, reason)
    }

    /// Corrects an earlier event of a household's stream: loads the event
    /// as it stands (the stored one with its latest correction, so that a
    /// patch never undoes an earlier correction it does not name), applies
    /// `patch` (a JSON merge patch of its data) and records the correction.
    /// The original stays in the log.
    pub fn correct(
        &self,
        meta: &CommandMeta,
        household: HouseholdId,
        event: EventId,
        patch: serde_json::Value,
        reason: &str,
    ) -> Result<Executed, Error> {
        let current = self.as_corrected(household, event)?;
        self.record_correction(meta, household, current, patch, reason)
    }

    /// The stored event `event`, its data replaced by its latest
    /// correction on the household's stream, if any.
    fn as_corrected(&self, household: HouseholdId, event: EventId) -> Result<Envelope, Error> {
        let missing = Rejection::NotCorrectable {
            event,
            why: NotCorrectableReason::NoSuchEvent,
        };
        let position = self.store.position_of(event)?.ok_or(missing.clone())?;
        let mut stored = self.store.read_from(position, 1)?.pop().ok_or(missing)?;
        let latest = self
            .store
            .read_stream(&StreamId::Household(household))?
            .into_iter()
            .rev()
            .find_map(|e| match e.event {
                Event::EventCorrected(c) if c.corrects == event => Some(*c.corrected),
                _ => None,
            });
        if let Some(latest) = latest {
            stored.event = latest;
        }
        Ok(stored)
    }

    fn record_correction(
        &self,
        meta: &CommandMeta,
        household: HouseholdId,
        original: Envelope,
        patch: serde_json::Value,
        reason: &str,
    ) -> Result<Executed, Error> {
        self.execute(
            meta,
            Command::Correct(crate::command::Correct {
                household,
                original: Box::new(original),
                patch,
                reason: reason.to_owned(),
            }),
        )
    }

    /// Folds the whole log, streaming, keeping only what `keep` accepts.
    fn fold_where(&self, keep: impl Fn(&Envelope) -> bool) -> Result<Caseload, Error> {
        Ok(Caseload::fold_log(&self.store, keep)?)
    }

    /// The caseload as it was on `date`, by everything known now.
    pub fn as_of(&self, date: NaiveDate) -> Result<Caseload, Error> {
        self.fold_where(|e| e.effective <= date)
    }

    /// The caseload as the system showed it at `at` (events recorded by then).
    pub fn as_known_at(&self, at: chrono::DateTime<chrono::Utc>) -> Result<Caseload, Error> {
        self.fold_where(|e| e.recorded_at <= at)
    }

    /// A household's whole history with what each event changed.
    pub fn history(&self, household: HouseholdId) -> Result<Vec<HistoryEntry>, Error> {
        let stream = self.store.read_stream(&StreamId::Household(household))?;
        if stream.is_empty() {
            return Err(Rejection::UnknownHousehold(household).into());
        }
        Ok(household_history(&stream, &self.policy))
    }

    /// One household's current state.
    pub fn household(&self, id: HouseholdId) -> Result<Option<Household>, Error> {
        Ok(self.caught_up()?.households().get(&id).cloned())
    }

    /// Every priority list as of `date`.
    pub fn lists(&self, date: NaiveDate) -> Result<BTreeMap<ListKey, PriorityList>, Error> {
        Ok(self.caught_up()?.lists(&self.policy, date))
    }

    /// One priority list as of `date`.
    pub fn list(&self, key: &ListKey, date: NaiveDate) -> Result<PriorityList, Error> {
        Ok(self.caught_up()?.list(&self.policy, key, date))
    }
}

/// [`Error::PolicyMismatch`] unless `given` is the store's policy `held`.
fn check_same_policy(held: &Policy, given: &Policy) -> Result<(), Error> {
    if held == given {
        return Ok(());
    }
    let label = |p: &Policy| format!("{} v{}", p.id, p.version);
    let (store, mut given_label) = (label(held), label(given));
    if store == given_label {
        given_label.push_str(" with other settings");
    }
    Err(Error::PolicyMismatch {
        store,
        given: given_label,
    })
}

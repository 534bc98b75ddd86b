//! The store `--store` names: a directory is the embedded sled store, a
//! PostgreSQL connection string (`postgres://...`, `postgresql://...`, or
//! `host=... dbname=...`) the PostgreSQL one. What the sled store reads
//! from its projections the PostgreSQL store reads from the workflow's fold
//! of its log (see `Ctx`). The HUD CSV import is all or nothing on both:
//! under sled's import mark, or in one PostgreSQL transaction.

use std::path::Path;
use std::sync::Arc;

use ce_core::{
    AppendRequest, Caseload, Envelope, EventId, EventStore, Policy, Snapshots, StoreError, StreamId,
};
use ce_store_postgres::PgStore;
use ce_store_sled::SledStore;

use crate::error::CliError;

/// Whether `--store` names a PostgreSQL database rather than a directory.
pub fn is_postgres(store: &Path) -> bool {
    store.to_str().is_some_and(|s| {
        let key_value = s.split_whitespace().all(|kv| kv.contains('='))
            && s.split_whitespace()
                .any(|kv| kv.starts_with("host=") || kv.starts_with("dbname="));
        s.starts_with("postgres://") || s.starts_with("postgresql://") || key_value
    })
}

/// A connection string as it may be shown: without its password.
pub fn shown(store: &str) -> String {
    if let Some((scheme, rest)) = store.split_once("://") {
        if let Some((userinfo, host)) = rest.split_once('@') {
            let user = userinfo.split(':').next().unwrap_or("");
            return format!("{scheme}://{user}@{host}");
        }
        return store.to_owned();
    }
    store
        .split_whitespace()
        .filter(|kv| !kv.starts_with("password="))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An open store of either kind.
pub enum CliStore {
    /// The embedded sled store.
    Sled(Box<SledStore>),
    /// A PostgreSQL store and the policy its log puts in force.
    Postgres {
        /// The store.
        store: Arc<PgStore>,
        /// Its policy (the WI BoS default until a lead adopts one).
        policy: Box<Policy>,
    },
}

impl CliStore {
    /// Opens the PostgreSQL store at `url`, creating its schema if needed.
    pub fn postgres(url: &str) -> Result<Self, CliError> {
        // A string the client cannot read is the user's to fix (exit 2);
        // a server that cannot be reached is a storage error (exit 5).
        let config = url.parse::<postgres::Config>().map_err(|e| {
            let why = std::error::Error::source(&e).map_or_else(String::new, |s| format!(": {s}"));
            CliError::BadConnectionString(format!("{e}{why}"))
        })?;
        if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
            return Err(CliError::BadConnectionString(
                "it names no server: write postgres://USER@HOST/DATABASE, or add ?host=/var/run/postgresql for the local socket".to_owned(),
            ));
        }
        let store = PgStore::open(url)?;
        let policy = store
            .policy_in_force()?
            .unwrap_or_else(Policy::wi_bos_default);
        Ok(CliStore::Postgres {
            store: Arc::new(store),
            policy: Box::new(policy),
        })
    }

    /// The policy the store ranks by.
    pub fn policy(&self) -> &Policy {
        match self {
            CliStore::Sled(store) => store.policy(),
            CliStore::Postgres { policy, .. } => policy,
        }
    }
}

impl ce_core::ViewLog for CliStore {
    fn record_views(&self, views: &[ce_core::View]) -> Result<(), StoreError> {
        match self {
            CliStore::Sled(store) => store.record_views(views),
            CliStore::Postgres { store, .. } => store.record_views(views),
        }
    }

    fn views_of(&self, household: ce_core::HouseholdId) -> Result<Vec<ce_core::View>, StoreError> {
        match self {
            CliStore::Sled(store) => store.views_of(household),
            CliStore::Postgres { store, .. } => store.views_of(household),
        }
    }

    fn all_views(&self) -> Result<Vec<ce_core::View>, StoreError> {
        match self {
            CliStore::Sled(store) => store.all_views(),
            CliStore::Postgres { store, .. } => store.all_views(),
        }
    }
}

impl EventStore for CliStore {
    fn append(&self, request: AppendRequest) -> Result<Vec<Envelope>, StoreError> {
        match self {
            CliStore::Sled(store) => store.append(request),
            CliStore::Postgres { store, .. } => store.append(request),
        }
    }

    fn append_unsynced(&self, request: AppendRequest) -> Result<Vec<Envelope>, StoreError> {
        match self {
            CliStore::Sled(store) => store.append_unsynced(request),
            CliStore::Postgres { store, .. } => store.append_unsynced(request),
        }
    }

    fn sync(&self, next: u64) -> Result<(), StoreError> {
        match self {
            CliStore::Sled(store) => store.sync(next),
            CliStore::Postgres { store, .. } => store.sync(next),
        }
    }

    fn read_stream(&self, stream: &StreamId) -> Result<Vec<Envelope>, StoreError> {
        match self {
            CliStore::Sled(store) => store.read_stream(stream),
            CliStore::Postgres { store, .. } => store.read_stream(stream),
        }
    }

    fn read_from(&self, from: u64, limit: usize) -> Result<Vec<Envelope>, StoreError> {
        match self {
            CliStore::Sled(store) => store.read_from(from, limit),
            CliStore::Postgres { store, .. } => store.read_from(from, limit),
        }
    }

    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        match self {
            CliStore::Sled(store) => store.stream_version(stream),
            CliStore::Postgres { store, .. } => store.stream_version(stream),
        }
    }

    fn next_position(&self) -> Result<u64, StoreError> {
        match self {
            CliStore::Sled(store) => store.next_position(),
            CliStore::Postgres { store, .. } => store.next_position(),
        }
    }

    fn position_of(&self, event_id: EventId) -> Result<Option<u64>, StoreError> {
        match self {
            CliStore::Sled(store) => store.position_of(event_id),
            CliStore::Postgres { store, .. } => store.position_of(event_id),
        }
    }

    fn policy_in_force(&self) -> Result<Option<Policy>, StoreError> {
        match self {
            CliStore::Sled(store) => store.policy_in_force(),
            CliStore::Postgres { policy, .. } => Ok(Some(policy.as_ref().clone())),
        }
    }

    fn policy_before_adoptions(&self) -> Result<Option<Policy>, StoreError> {
        match self {
            CliStore::Sled(store) => store.policy_before_adoptions(),
            CliStore::Postgres { store, .. } => store.policy_before_adoptions(),
        }
    }
}

impl Snapshots for CliStore {
    fn snapshot(&self) -> Result<Option<Caseload>, StoreError> {
        match self {
            CliStore::Sled(store) => store.snapshot(),
            CliStore::Postgres { .. } => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_string_is_shown_without_its_password() {
        assert_eq!(
            shown("postgres://ce:secret@db.example/coc"),
            "postgres://ce@db.example/coc"
        );
        assert_eq!(
            shown("host=/run/postgresql user=ce password=secret dbname=coc"),
            "host=/run/postgresql user=ce dbname=coc"
        );
        assert!(is_postgres(Path::new("postgresql:///coc")));
        assert!(is_postgres(Path::new("host=/tmp/x dbname=coc")));
        assert!(!is_postgres(Path::new("./ce-data")));
        assert!(!is_postgres(Path::new("/srv/host=1/ce-data store")));
    }
}

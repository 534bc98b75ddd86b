//! Errors of opening, importing and exporting a sled store. Errors of
//! appending and reading are ce-core's [`StoreError`].

use ce_core::policy::PolicyError;
use ce_core::StoreError;

/// What can go wrong opening or maintaining a sled store.
#[derive(Debug, thiserror::Error)]
pub enum SledStoreError {
    /// sled could not open or write the database.
    #[error("cannot open the store: {0}")]
    Sled(#[from] sled::Error),
    /// Another process has the store open.
    #[error("store {path} is in use by another process")]
    InUse {
        /// The store directory.
        path: std::path::PathBuf,
    },
    /// The store was written by a build with another format.
    #[error(
        "store format version {found} is not supported (this build reads version {supported})"
    )]
    UnknownFormatVersion {
        /// The version found.
        found: u64,
        /// The version this build reads.
        supported: u64,
    },
    /// The stored policy does not parse.
    #[error("stored policy is invalid: {0}")]
    Policy(#[from] PolicyError),
    /// A store-level failure (decoding, corruption, conflict).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading or writing a backup file failed.
    #[error("backup file: {0}")]
    Io(#[from] std::io::Error),
    /// A line of a JSON Lines backup is not an event envelope.
    #[error("backup line {line}: {source}")]
    ImportLine {
        /// 1-based line number.
        line: u64,
        /// What was wrong.
        #[source]
        source: ce_core::DecodeError,
    },
    /// Backup lines must hold positions 0, 1, 2, … in order.
    #[error("backup line {line} holds position {found}, expected {expected}")]
    ImportGap {
        /// 1-based line number.
        line: u64,
        /// The position expected.
        expected: u64,
        /// The position found.
        found: u64,
    },
    /// A backup line repeats the id of an earlier event.
    #[error("backup line {line} repeats event id {event_id} of an earlier line")]
    ImportDuplicate {
        /// 1-based line number.
        line: u64,
        /// The repeated event id.
        event_id: ce_core::EventId,
    },
    /// A backup line's stream version does not follow the stream's last.
    #[error("backup line {line}: stream {stream} is at version {expected_previous}, the line records version {found}")]
    ImportVersion {
        /// 1-based line number.
        line: u64,
        /// The stream.
        stream: ce_core::StreamId,
        /// The stream's version before this line.
        expected_previous: u64,
        /// The version the line records.
        found: u64,
    },
    /// A backup line's envelope is not one an append could have stored.
    #[error("backup line {line}: {reason}")]
    ImportInvalid {
        /// 1-based line number.
        line: u64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The store holds an import that stopped before it finished (the
    /// process was killed, the machine went down, or a storage error
    /// interrupted it): its log may be partial.
    #[error(
        "this store holds an import that did not finish (it was stopped or a storage error \
         interrupted it); delete the store directory and import the backup again"
    )]
    IncompleteImport,
    /// Import only goes into an empty store.
    #[error("import needs an empty store; this one holds {0} events")]
    NotEmpty(u64),
}

impl SledStoreError {
    /// Whether an import that stopped with this error left only whole
    /// batches behind: the errors of reading and checking the backup, which
    /// come before a batch writes anything. Any other error (of sled
    /// itself) may have come between a batch's writes.
    pub(crate) fn leaves_import_batches_whole(&self) -> bool {
        matches!(
            self,
            SledStoreError::Io(_)
                | SledStoreError::ImportLine { .. }
                | SledStoreError::ImportGap { .. }
                | SledStoreError::ImportDuplicate { .. }
                | SledStoreError::ImportVersion { .. }
                | SledStoreError::ImportInvalid { .. }
        )
    }
}

/// Wraps a sled error as ce-core's backend error.
pub(crate) fn backend(e: sled::Error) -> StoreError {
    StoreError::Backend(Box::new(e))
}

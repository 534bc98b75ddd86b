//! Errors of opening, importing and exporting a sled store. Errors of
//! appending and reading are ce-core's [`StoreError`].

use ce_core::{PolicyError, StoreError};

/// What can go wrong opening or maintaining a sled store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SledStoreError {
    /// The database could not be opened at a path.
    #[error("cannot open the store at {path}: {source}")]
    Open {
        /// The store directory.
        path: std::path::PathBuf,
        /// What the database said.
        source: BackendError,
    },
    /// The database could not be read or written.
    #[error("storage error: {0}")]
    Storage(BackendError),
    /// No store at the path a command that only reads or changes an
    /// existing store was given.
    #[error("no store at {path}: check --store (or CE_STORE); `ce init` creates one")]
    Missing {
        /// The path given.
        path: std::path::PathBuf,
    },
    /// sled found its database damaged.
    #[error(
        "the store at {path} is damaged (its database fails its checksums): restore it from a \
         backup with `ce import jsonl` into a new store"
    )]
    Damaged {
        /// The store directory.
        path: std::path::PathBuf,
    },
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
    /// process was killed, the machine went down, the disk filled, or a
    /// storage error interrupted it): its log holds part of the import.
    #[error(
        "this store holds an import of {what} that did not finish (it was stopped, or the disk \
         or a storage error interrupted it), so it would show part of the import; run \
         `ce rollback-import` to return the store to how it was before the import (event \
         {position}), then import again"
    )]
    IncompleteImport {
        /// What was being imported.
        what: String,
        /// The log's length before the import.
        position: u64,
    },
    /// A backup line longer than any envelope (or a file without line
    /// breaks).
    #[error("backup line {line} is longer than {max} bytes: this is not a ce backup")]
    ImportLineTooLong {
        /// 1-based line number.
        line: u64,
        /// The limit.
        max: usize,
    },
    /// The backup's checksum line does not match what precedes it.
    #[error("backup line {line}: the checksum does not match the events before it: the backup was damaged, cut or edited; nothing was imported")]
    ImportChecksum {
        /// The checksum line.
        line: u64,
    },
    /// A backup without the checksum line every backup ends with.
    #[error("the backup has no checksum line at its end: it was cut short, or written by a ce from before backups had one (`ce import jsonl --without-checksum` takes such a backup); nothing was imported")]
    ImportNoChecksum,
    /// Import only goes into an empty store.
    #[error("import needs an empty store; this one holds {0} events")]
    NotEmpty(u64),
}

/// A failure of the embedded database (sled) itself, in words; its
/// operating-system error, if it is one, through
/// [`io_error`](Self::io_error). The database's own error type stays out of
/// this crate's API.
#[derive(Debug)]
pub struct BackendError(sled::Error);

impl BackendError {
    /// The operating system's error behind this one, if it is one.
    pub fn io_error(&self) -> Option<&std::io::Error> {
        match &self.0 {
            sled::Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&sled_message(&self.0))
    }
}

impl std::error::Error for BackendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.io_error()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl SledStoreError {
    /// A failure of the database itself. Not a `From` impl, which would
    /// put sled's error type in this crate's public API.
    pub(crate) fn storage(e: sled::Error) -> Self {
        SledStoreError::Storage(BackendError(e))
    }

    /// A failure to open the database at `path`.
    pub(crate) fn open(path: std::path::PathBuf, e: sled::Error) -> Self {
        SledStoreError::Open {
            path,
            source: BackendError(e),
        }
    }

    /// The operating system's error behind this one, if it is one (a full
    /// disk, a permission, a read-only file system).
    pub fn io_error(&self) -> Option<&std::io::Error> {
        match self {
            SledStoreError::Storage(e) | SledStoreError::Open { source: e, .. } => e.io_error(),
            SledStoreError::Io(e) => Some(e),
            _ => None,
        }
    }

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
                | SledStoreError::ImportLineTooLong { .. }
                | SledStoreError::ImportChecksum { .. }
                | SledStoreError::ImportNoChecksum
        )
    }
}

/// Wraps a sled error as ce-core's backend error.
pub(crate) fn backend(e: sled::Error) -> StoreError {
    match e {
        // The operating system's own words ("No space left on device"),
        // not sled's debug print of them.
        sled::Error::Io(io) => StoreError::Backend(io_message(&io).into()),
        other => StoreError::Backend(Box::new(other)),
    }
}

/// What sled said, in words: an I/O error as the operating system puts it.
fn sled_message(e: &sled::Error) -> String {
    match e {
        sled::Error::Io(io) => io_message(io),
        other => other.to_string(),
    }
}

/// An I/O error in words: sled passes some on as their debug print.
fn io_message(io: &std::io::Error) -> String {
    match io.kind() {
        std::io::ErrorKind::StorageFull => "no space left on the device".to_owned(),
        _ => io.to_string(),
    }
}

//! The CLI's errors and exit codes.

use std::path::PathBuf;

/// Why a `ce` command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// `ce serve` could not start or stopped.
    #[error("{0}")]
    Serve(#[from] ce_server::ServeError),
    /// An account change was refused, or the accounts file failed.
    #[error("{0}")]
    Accounts(#[from] ce_server::accounts::AccountError),
    /// The server's configuration is not usable.
    #[error("{0}")]
    ServeConfig(#[from] ce_server::config::ConfigError),
    /// The workflow rejected the command (nothing was written).
    #[error("{0}")]
    Rejected(#[from] ce_core::Error),
    /// The store could not be opened or maintained.
    #[error("{0}")]
    Store(#[from] ce_store_sled::SledStoreError),
    /// The PostgreSQL store could not be opened: no server, a wrong login
    /// or database, a schema from a newer ce.
    #[error("{0}")]
    Postgres(#[from] ce_store_postgres::PgStoreError),
    /// A PostgreSQL import that could not be made (nothing stays of it).
    #[error("{0}")]
    PostgresImport(#[from] ce_store_postgres::ImportError),
    /// The master key cannot be had.
    #[error("master key {from}: {reason}")]
    MasterKey {
        /// Where it was looked for.
        from: String,
        /// What is wrong.
        reason: String,
    },
    /// Keys could not be read, made or deleted.
    #[error("{0}")]
    Keys(#[from] ce_core::privacy::KeyError),
    /// A `--store` that is not a PostgreSQL connection string the client
    /// can read.
    #[error("--store: not a valid PostgreSQL connection string: {0}")]
    BadConnectionString(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// A JSON input file is not what the command expects.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What was wrong (field and line).
        source: serde_json::Error,
    },
    /// An input file `ce` will not read: too large, not UTF-8, too deep,
    /// with a field it does not have.
    #[error("{path}: {reason}")]
    Input {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A file naming something other than the command line does.
    #[error("{path}: its {field:?} differs from the one on the command line")]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// The field.
        field: &'static str,
    },
    /// An id argument that is not a UUID.
    #[error("{what} {value:?} is not a valid id (expected a UUID)")]
    BadId {
        /// Which argument.
        what: &'static str,
        /// The value given.
        value: String,
    },
    /// A HUD code not valid for its field.
    #[error("{0}")]
    Code(#[from] ce_core::hud::InvalidCode),
    /// A HUD code given on the command line that is not valid for its field.
    #[error("{flag} {code}{label} is not a valid {field} code")]
    BadCode {
        /// The flag.
        flag: &'static str,
        /// The code given.
        code: u16,
        /// HUD's label of the code, if it means something elsewhere, as " (label)".
        label: String,
        /// The HUD field.
        field: &'static str,
    },
    /// A HUD CSV import without a file it cannot do without.
    #[error("the import wrote nothing: {0} missing or unreadable (see the findings)")]
    ImportBlocked(String),
    /// A coalition map file with a bad row.
    #[error("{path} line {line}: {reason}")]
    CoalitionMap {
        /// The file.
        path: PathBuf,
        /// The line (1 is the header).
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// A coalition name on the command line that the policy does not have.
    #[error("unknown coalition {given:?}{hint}: the policy's coalitions are {known}")]
    UnknownCoalition {
        /// The name given.
        given: String,
        /// ", did you mean ...?" when one is close, else empty.
        hint: String,
        /// The policy's coalitions, comma-separated.
        known: String,
    },
    /// A missing or conflicting argument the parser cannot express.
    #[error("{0}")]
    Usage(&'static str),
    /// A policy file that does not parse.
    #[error("{0}")]
    Policy(#[from] ce_core::PolicyError),
    /// The demo only fills an empty store (or re-prints its own).
    #[error("the store already holds {events} events that are not this demo's: run the demo with --store on a new directory")]
    NotEmpty {
        /// Events in the store.
        events: u64,
    },
    /// A read command on a store that cannot be written, whose copy could
    /// not be made either.
    #[error("the store at {path} cannot be opened ({cause}) and a copy to read could not be made ({copy}): free space on its disk, or set TMPDIR to a directory on a disk with room for a copy")]
    StoreUnwritable {
        /// The store.
        path: PathBuf,
        /// Why the store cannot be opened.
        cause: String,
        /// Why the copy failed.
        copy: String,
    },
    /// An import that stopped midway and could not be rolled back at once.
    #[error("the import stopped ({cause}) and could not be undone now ({rollback}); the store refuses to open until `ce rollback-import` has undone it: free space if the disk is full, then run it")]
    ImportInterrupted {
        /// Why the import stopped.
        cause: String,
        /// Why the rollback failed.
        rollback: String,
    },
    /// `ce verify` found problems.
    #[error("verify found {0} problem(s)")]
    Verify(usize),
    /// A store-level failure outside a command.
    #[error("{0}")]
    StoreIo(#[from] ce_core::StoreError),
    /// Writing a HUD CSV file failed.
    #[error("{0}")]
    HudCsv(#[from] ce_hud_csv::HudCsvError),
    /// A HUD CSV import found errors and wrote nothing.
    #[error("the import found {errors} error(s) and wrote nothing (--strict; without it the readable rows are imported)")]
    ImportInvalid {
        /// How many errors.
        errors: usize,
    },
}

impl CliError {
    /// The process exit code (see `ce --help`): 2 bad usage or invalid
    /// input, 3 a workflow rule refused the command, 4 a conflict (retry),
    /// 5 a storage error, 1 a failed `verify`.
    pub fn exit_code(&self) -> u8 {
        use ce_core::StoreError;
        match self {
            CliError::Rejected(ce_core::Error::Store(StoreError::Conflict { .. })) => 4,
            CliError::Rejected(ce_core::Error::Store(_)) => 5,
            CliError::Rejected(ce_core::Error::Rejected(
                ce_core::Rejection::InvalidCode(_) | ce_core::Rejection::InvalidCorrection { .. },
            )) => 2,
            CliError::Rejected(_) => 3,
            CliError::Verify(_) => 1,
            CliError::Accounts(
                ce_server::accounts::AccountError::Invalid(_)
                | ce_server::accounts::AccountError::Unknown(_),
            )
            | CliError::ServeConfig(_) => 2,
            CliError::Accounts(_) | CliError::Serve(_) => 5,
            CliError::Policy(ce_core::PolicyError::NotLead) => 3,
            CliError::BadId { .. }
            | CliError::Code(_)
            | CliError::BadCode { .. }
            | CliError::Usage(_)
            | CliError::UnknownCoalition { .. }
            | CliError::Json { .. }
            | CliError::Input { .. }
            | CliError::Policy(_)
            | CliError::Mismatch { .. }
            | CliError::NotEmpty { .. }
            | CliError::CoalitionMap { .. }
            | CliError::ImportBlocked(_)
            | CliError::ImportInvalid { .. }
            | CliError::BadConnectionString(_)
            | CliError::MasterKey { .. }
            | CliError::Keys(ce_core::privacy::KeyError::BadMasterKey(_))
            | CliError::PostgresImport(
                ce_store_postgres::ImportError::NotEmpty(_)
                | ce_store_postgres::ImportError::Discontinuous { .. },
            ) => 2,
            CliError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => 2,
            CliError::Store(
                ce_store_sled::SledStoreError::NotEmpty(_)
                | ce_store_sled::SledStoreError::ImportLine { .. }
                | ce_store_sled::SledStoreError::ImportGap { .. }
                | ce_store_sled::SledStoreError::ImportDuplicate { .. }
                | ce_store_sled::SledStoreError::ImportVersion { .. }
                | ce_store_sled::SledStoreError::ImportInvalid { .. }
                | ce_store_sled::SledStoreError::ImportLineTooLong { .. }
                | ce_store_sled::SledStoreError::ImportChecksum { .. }
                | ce_store_sled::SledStoreError::ImportNoChecksum,
            ) => 2,
            CliError::StoreIo(StoreError::Conflict { .. }) => 4,
            CliError::Store(_)
            | CliError::Keys(_)
            | CliError::Postgres(_)
            | CliError::PostgresImport(_)
            | CliError::Io { .. }
            | CliError::StoreUnwritable { .. }
            | CliError::ImportInterrupted { .. }
            | CliError::StoreIo(_)
            | CliError::HudCsv(_) => 5,
        }
    }
}

/// The exit codes, for `ce --help`.
pub const EXIT_CODES: &str = "Exit codes: 0 success; 1 `verify` found problems; 2 bad usage or invalid input; \
3 a workflow rule refused the command (nothing written); 4 conflict with a concurrent writer (retry); \
5 storage error (including a store in use by another process).";

//! Accounts: who may sign in, with which role and agency. Kept as an
//! append-only log of changes (`accounts.jsonl` in the server's state
//! directory, 0600), so every change says who made it and when; the
//! accounts as they stand are its fold. `ce user` and the admin page
//! append to the same file, and a running server rereads it when it grows.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use ce_core::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AccountRole {
    /// Access-point staff: enroll, assess, follow up, exit.
    Access,
    /// A housing provider: its agency's openings and referrals.
    Provider,
    /// The CE lead: lists, referrals, sweeps, the audit of views.
    Lead,
    /// Manages accounts; takes no part in the workflow.
    Admin,
}

impl AccountRole {
    /// The workflow role the account acts in (none for an admin).
    pub fn workflow_role(self) -> Option<Role> {
        match self {
            AccountRole::Access => Some(Role::Access),
            AccountRole::Provider => Some(Role::Provider),
            AccountRole::Lead => Some(Role::Lead),
            AccountRole::Admin => None,
        }
    }

    /// The name used on the command line, in files and on pages.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountRole::Access => "access",
            AccountRole::Provider => "provider",
            AccountRole::Lead => "lead",
            AccountRole::Admin => "admin",
        }
    }

    /// Every role.
    pub const ALL: [AccountRole; 4] = [
        AccountRole::Access,
        AccountRole::Provider,
        AccountRole::Lead,
        AccountRole::Admin,
    ];
}

impl std::str::FromStr for AccountRole {
    type Err = AccountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                AccountError::Invalid(format!(
                    "role {s:?} is not one of access, provider, lead, admin"
                ))
            })
    }
}

impl std::fmt::Display for AccountRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One account as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The sign-in name (also the user on every event it records).
    pub name: String,
    /// What it may do.
    pub role: AccountRole,
    /// Its agency (a provider's openings are its agency's).
    pub agency: String,
    /// Disabled accounts cannot sign in; their sessions end.
    pub disabled: bool,
    #[serde(skip)]
    hash: String,
    #[serde(skip)]
    tokens: Vec<String>,
    /// How many times the password was set since the account was made: a
    /// session started under an earlier one has ended.
    #[serde(skip)]
    generation: u64,
}

impl Account {
    /// The password generation a session of this account starts under.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

/// One change to the accounts, as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// An account was created.
    Added {
        /// Its name.
        user: String,
        /// Its role.
        role: AccountRole,
        /// Its agency.
        agency: String,
        /// Its password's argon2 hash (PHC string).
        hash: String,
    },
    /// A new password was set.
    PasswordSet {
        /// The account.
        user: String,
        /// The new hash.
        hash: String,
    },
    /// The account was disabled.
    Disabled {
        /// The account.
        user: String,
    },
    /// The account was enabled again.
    Enabled {
        /// The account.
        user: String,
    },
    /// An API token was issued (its SHA-256 is kept, never the token).
    TokenIssued {
        /// The account.
        user: String,
        /// Hex SHA-256 of the token.
        token_sha256: String,
    },
}

/// One line of the accounts log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// When.
    pub at: DateTime<Utc>,
    /// Who made the change (an admin's name, or `ce user` and the OS user).
    pub by: String,
    /// What changed.
    #[serde(flatten)]
    pub change: Change,
}

/// What went wrong with an account or the accounts file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line of the file is not an account change.
    #[error("{path} line {line}: not an account change ({why}); the file was edited by hand or is damaged")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What serde said.
        why: String,
    },
    /// A request the accounts refuse (a name taken, a short password).
    #[error("{0}")]
    Invalid(String),
    /// No account of that name.
    #[error("no account named {0:?}")]
    Unknown(String),
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The accounts log and its fold.
#[derive(Debug)]
pub struct Accounts {
    path: PathBuf,
    state: Mutex<Folded>,
}

#[derive(Debug, Default)]
struct Folded {
    /// Bytes of the file folded so far.
    read: u64,
    accounts: BTreeMap<String, Account>,
    log: Vec<Record>,
}

impl Accounts {
    /// Opens (or creates, 0600) `accounts.jsonl` in `dir`, which is created
    /// 0700 if missing.
    pub fn open(dir: &Path) -> Result<Self, AccountError> {
        crate::files::private_dir(dir).map_err(|source| AccountError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let path = dir.join("accounts.jsonl");
        let accounts = Self {
            path,
            state: Mutex::new(Folded::default()),
        };
        accounts.refresh()?;
        Ok(accounts)
    }

    fn io(&self, source: std::io::Error) -> AccountError {
        AccountError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Folds what other processes appended since the last read.
    pub fn refresh(&self) -> Result<(), AccountError> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let len = match std::fs::metadata(&self.path) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(self.io(e)),
        };
        if len == state.read {
            return Ok(());
        }
        if len < state.read {
            // Replaced (restored from a backup): fold it again.
            *state = Folded::default();
        }
        let file = File::open(&self.path).map_err(|e| self.io(e))?;
        let mut reader = BufReader::new(file);
        std::io::Seek::seek(&mut reader, std::io::SeekFrom::Start(state.read))
            .map_err(|e| self.io(e))?;
        let mut line_no = state.log.len();
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader.read_line(&mut line).map_err(|e| self.io(e))?;
            if n == 0 || !line.ends_with('\n') {
                // The end, or a line still being written: read it next time.
                break;
            }
            line_no = line_no.saturating_add(1);
            let record: Record =
                serde_json::from_str(line.trim_end()).map_err(|e| AccountError::Damaged {
                    path: self.path.clone(),
                    line: line_no,
                    why: e.to_string(),
                })?;
            apply(&mut state.accounts, &record);
            state.log.push(record);
            state.read = state.read.saturating_add(n as u64);
        }
        Ok(())
    }

    /// Appends one change (checked against the accounts as they stand).
    fn append(&self, by: &str, at: DateTime<Utc>, change: Change) -> Result<(), AccountError> {
        self.refresh()?;
        {
            let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            check(&state.accounts, &change)?;
        }
        let record = Record {
            at,
            by: by.to_owned(),
            change,
        };
        let mut line = serde_json::to_string(&record)
            .map_err(|e| AccountError::Invalid(format!("cannot write the change: {e}")))?;
        line.push('\n');
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .mode(0o600)
            .open(&self.path)
            .map_err(|e| self.io(e))?;
        // Appends from every process (the server, `ce user`) take turns.
        fs4::fs_std::FileExt::lock_exclusive(&file).map_err(|e| self.io(e))?;
        let written = crate::files::repair_torn_tail(&file)
            .and_then(|()| file.write_all(line.as_bytes()))
            .and_then(|()| file.sync_data());
        let _ = fs4::fs_std::FileExt::unlock(&file);
        written.map_err(|e| self.io(e))?;
        self.refresh()
    }

    /// Creates an account.
    pub fn add(
        &self,
        by: &str,
        at: DateTime<Utc>,
        name: &str,
        role: AccountRole,
        agency: &str,
        password: &str,
    ) -> Result<(), AccountError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            return Err(AccountError::Invalid(
                "a user name is 1 to 64 characters without control characters".to_owned(),
            ));
        }
        let agency = agency.trim();
        if agency.is_empty() || agency.chars().count() > 100 || agency.chars().any(char::is_control)
        {
            return Err(AccountError::Invalid(
                "an agency is 1 to 100 characters without control characters".to_owned(),
            ));
        }
        let hash = hash_password(password)?;
        self.append(
            by,
            at,
            Change::Added {
                user: name.to_owned(),
                role,
                agency: agency.to_owned(),
                hash,
            },
        )
    }

    /// Sets a new password.
    pub fn set_password(
        &self,
        by: &str,
        at: DateTime<Utc>,
        name: &str,
        password: &str,
    ) -> Result<(), AccountError> {
        let hash = hash_password(password)?;
        self.append(
            by,
            at,
            Change::PasswordSet {
                user: name.to_owned(),
                hash,
            },
        )
    }

    /// Disables (or enables again) an account.
    pub fn set_disabled(
        &self,
        by: &str,
        at: DateTime<Utc>,
        name: &str,
        disabled: bool,
    ) -> Result<(), AccountError> {
        let user = name.to_owned();
        let change = if disabled {
            Change::Disabled { user }
        } else {
            Change::Enabled { user }
        };
        self.append(by, at, change)
    }

    /// Issues an API token for an account and returns it (shown once).
    pub fn issue_token(
        &self,
        by: &str,
        at: DateTime<Utc>,
        name: &str,
    ) -> Result<String, AccountError> {
        let token = crate::random_token()
            .map_err(|e| AccountError::Invalid(format!("no random source: {e}")))?;
        self.append(
            by,
            at,
            Change::TokenIssued {
                user: name.to_owned(),
                token_sha256: sha256_hex(&token),
            },
        )?;
        Ok(token)
    }

    /// The account `name`, as it stands.
    pub fn get(&self, name: &str) -> Result<Option<Account>, AccountError> {
        self.refresh()?;
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(state.accounts.get(name).cloned())
    }

    /// Every account.
    pub fn all(&self) -> Result<Vec<Account>, AccountError> {
        self.refresh()?;
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(state.accounts.values().cloned().collect())
    }

    /// The log of changes, oldest first (hashes left out).
    pub fn log(&self) -> Result<Vec<Record>, AccountError> {
        self.refresh()?;
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(state.log.clone())
    }

    /// Whether any account exists.
    pub fn is_empty(&self) -> Result<bool, AccountError> {
        self.refresh()?;
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(state.accounts.is_empty())
    }

    /// The enabled account `name` if `password` is its password. The
    /// hash is checked even for an unknown name, so that the time taken
    /// does not say which names exist.
    pub fn verify(&self, name: &str, password: &str) -> Result<Option<Account>, AccountError> {
        let account = self.get(name.trim())?;
        let hash = match &account {
            Some(a) => a.hash.clone(),
            None => dummy_hash(),
        };
        let good = PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        Ok(account.filter(|a| good && !a.disabled))
    }

    /// The enabled account an API token was issued to.
    pub fn by_token(&self, token: &str) -> Result<Option<Account>, AccountError> {
        self.refresh()?;
        let digest = sha256_hex(token);
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(state
            .accounts
            .values()
            .find(|a| !a.disabled && a.tokens.iter().any(|t| t == &digest))
            .cloned())
    }
}

/// An argon2 hash of a random password nobody knows, checked when the
/// name is unknown (made once).
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            crate::random_token()
                .ok()
                .and_then(|p| hash_password(&p).ok())
                .unwrap_or_default()
        })
        .clone()
}

fn hash_password(password: &str) -> Result<String, AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::Invalid(format!(
            "a password has at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| AccountError::Invalid(format!("no random source: {e}")))?;
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| AccountError::Invalid(format!("cannot make a salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Invalid(format!("cannot hash the password: {e}")))
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn check(accounts: &BTreeMap<String, Account>, change: &Change) -> Result<(), AccountError> {
    match change {
        Change::Added { user, .. } if accounts.contains_key(user) => Err(AccountError::Invalid(
            format!("an account named {user:?} exists already"),
        )),
        Change::Added { .. } => Ok(()),
        Change::PasswordSet { user, .. }
        | Change::Disabled { user }
        | Change::Enabled { user }
        | Change::TokenIssued { user, .. } => {
            if accounts.contains_key(user) {
                Ok(())
            } else {
                Err(AccountError::Unknown(user.clone()))
            }
        }
    }
}

fn apply(accounts: &mut BTreeMap<String, Account>, record: &Record) {
    match &record.change {
        Change::Added {
            user,
            role,
            agency,
            hash,
        } => {
            accounts.insert(
                user.clone(),
                Account {
                    name: user.clone(),
                    role: *role,
                    agency: agency.clone(),
                    disabled: false,
                    hash: hash.clone(),
                    tokens: Vec::new(),
                    generation: 0,
                },
            );
        }
        Change::PasswordSet { user, hash } => {
            // A new password ends every session and API token issued
            // under the old one (a server learns of it from the log).
            if let Some(a) = accounts.get_mut(user) {
                a.hash = hash.clone();
                a.tokens.clear();
                a.generation = a.generation.saturating_add(1);
            }
        }
        Change::Disabled { user } => {
            if let Some(a) = accounts.get_mut(user) {
                a.disabled = true;
            }
        }
        Change::Enabled { user } => {
            if let Some(a) = accounts.get_mut(user) {
                a.disabled = false;
            }
        }
        Change::TokenIssued { user, token_sha256 } => {
            if let Some(a) = accounts.get_mut(user) {
                a.tokens.push(token_sha256.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn changes_are_logged_folded_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = Accounts::open(dir.path()).unwrap();
        let at = Utc::now();
        accounts
            .add(
                "admin",
                at,
                "ana",
                AccountRole::Lead,
                "BoS CE",
                "correct horse battery",
            )
            .unwrap();
        assert!(accounts
            .verify("ana", "correct horse battery")
            .unwrap()
            .is_some());
        assert!(accounts
            .verify("ana", "wrong password!!")
            .unwrap()
            .is_none());
        assert!(accounts
            .verify("nobody", "correct horse battery")
            .unwrap()
            .is_none());
        assert!(accounts
            .add(
                "admin",
                at,
                "ana",
                AccountRole::Access,
                "X",
                "correct horse battery"
            )
            .is_err());
        assert!(accounts
            .add("admin", at, "bo", AccountRole::Access, "X", "short")
            .is_err());
        accounts.set_disabled("admin", at, "ana", true).unwrap();
        assert!(accounts
            .verify("ana", "correct horse battery")
            .unwrap()
            .is_none());
        // Another process's view of the same file.
        let other = Accounts::open(dir.path()).unwrap();
        assert!(other.get("ana").unwrap().unwrap().disabled);
        assert_eq!(other.log().unwrap().len(), 2);
        let token = other.issue_token("admin", at, "ana").unwrap();
        accounts.set_disabled("admin", at, "ana", false).unwrap();
        assert_eq!(accounts.by_token(&token).unwrap().unwrap().name, "ana");
        let text = std::fs::read_to_string(dir.path().join("accounts.jsonl")).unwrap();
        assert!(!text.contains(&token) && !text.contains("correct horse"));
        // A line cut short by a crash is skipped by readers and removed by
        // the next change.
        let path = dir.path().join("accounts.jsonl");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"at\":\"2026-")
            .unwrap();
        let reader = Accounts::open(dir.path()).unwrap();
        assert_eq!(reader.all().unwrap().len(), 1);
        accounts.set_disabled("admin", at, "ana", true).unwrap();
        assert!(
            Accounts::open(dir.path())
                .unwrap()
                .get("ana")
                .unwrap()
                .unwrap()
                .disabled
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("accounts.jsonl"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

//! The master key and the subjects' keys of the store `--store` names.
//!
//! The master key comes from `CE_MASTER_KEY` (64 hex digits), else from the
//! file `--master-key` (or `CE_MASTER_KEY_FILE`) names, else from the file
//! beside the store: `<store>.master-key` for a store directory,
//! `ce-master.key` in the working directory for PostgreSQL. A store with
//! no subject keys yet gets a new master key written there (0600); one
//! with keys and no master key is an error, never a new key.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::io::Write as _;

use ce_core::privacy::{KeyStore, Keyring, MasterKey, Subject};
use ce_store_sled::KeyFiles;
use serde_json::{json, Value};

use crate::args::KeysCommand;
use crate::context::Ctx;
use crate::error::CliError;
use crate::store::{is_postgres, CliStore};

/// Where the master key is read from, when not from `CE_MASTER_KEY`.
pub fn master_key_path(store: &Path, flag: Option<&Path>) -> PathBuf {
    if let Some(path) = flag {
        return path.to_owned();
    }
    if is_postgres(store) {
        return PathBuf::from("ce-master.key");
    }
    let mut name = store.as_os_str().to_owned();
    name.push(".master-key");
    PathBuf::from(name)
}

/// The key store beside `opened` (the store `--store` names): files in
/// `<store>/keys`, or the PostgreSQL store's table, on its connection.
fn key_store(store: &Path, opened: &CliStore) -> Arc<dyn KeyStore> {
    match opened {
        CliStore::Postgres { store, .. } => Arc::clone(store) as Arc<dyn KeyStore>,
        CliStore::Sled(_) => Arc::new(KeyFiles::at(&KeyFiles::of_store(store))),
    }
}

/// The keyring of `opened`, the store `--store` names. `create`: a command
/// that writes may create the master key of a store that has no subject
/// keys yet.
pub fn keyring(
    store: &Path,
    opened: &CliStore,
    flag: Option<&Path>,
    create: bool,
) -> Result<Arc<Keyring>, CliError> {
    let keys = key_store(store, opened);
    let master = master_key(store, flag, keys.as_ref(), create)?;
    Ok(Arc::new(Keyring::new(master, keys)))
}

fn master_key(
    store: &Path,
    flag: Option<&Path>,
    keys: &dyn KeyStore,
    create: bool,
) -> Result<MasterKey, CliError> {
    if let Ok(hex) = std::env::var("CE_MASTER_KEY") {
        return MasterKey::from_hex(&hex).map_err(|e| CliError::MasterKey {
            from: "CE_MASTER_KEY".to_owned(),
            reason: e.to_string(),
        });
    }
    let path = master_key_path(store, flag);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            warn_if_shared(&path);
            MasterKey::from_hex(&text).map_err(|e| CliError::MasterKey {
                from: path.display().to_string(),
                reason: e.to_string(),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let sealed_before = !keys.subjects()?.is_empty();
            if sealed_before {
                return Err(CliError::MasterKey {
                    from: path.display().to_string(),
                    reason: "it is missing, and the store holds data sealed under a master key: \
                             give that key with --master-key FILE or CE_MASTER_KEY"
                        .to_owned(),
                });
            }
            let key = MasterKey::generate()?;
            if create {
                crate::private_file::write_private(&path, |out| {
                    use std::io::Write;
                    writeln!(out, "{}", key.to_hex().as_str()).map_err(|source| CliError::Io {
                        path: path.clone(),
                        source,
                    })
                })?;
                crate::output::to_stderr(&format!(
                    "note: created the master key {} ({}); keep it apart from the store and its \
                     backups, and back it up: without it no name in the store can be read",
                    path.display(),
                    key.fingerprint()
                ));
            }
            Ok(key)
        }
        Err(source) => Err(CliError::Io { path, source }),
    }
}

/// A note on stderr when others than the file's owner may read the master
/// key: it opens every name in the store.
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                crate::output::to_stderr(&format!(
                    "note: the master key {} can be read by others than its owner: chmod 600 it",
                    path.display()
                ));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The largest key backup or view log export `ce` reads (a key backup
/// line is about 150 bytes, a view about 200).
pub const MAX_LINES_FILE_BYTES: u64 = 1 << 30;

/// `ce keys ...`: a CE lead's.
pub fn run(ctx: &Ctx, command: &KeysCommand) -> Result<(), CliError> {
    ctx.require_lead(ce_core::Operation::ManageKeys)?;
    let keys = ctx.store().keyring();
    match command {
        KeysCommand::Status => {
            let count = keys.store().subjects()?.len();
            ctx.out.emit(
                format!("master key {}; {count} subject keys", keys.fingerprint()),
                &json!({ "master_key": keys.fingerprint(), "subject_keys": count }),
            );
        }
        KeysCommand::Backup { file } => {
            let wrapped = keys.wrapped_keys()?;
            crate::private_file::write_private(file, |out| {
                let io = |source| CliError::Io {
                    path: file.clone(),
                    source,
                };
                let header = json!({ "ce_keys": 1, "master_key": keys.fingerprint() });
                writeln!(out, "{header}").map_err(io)?;
                for (subject, key) in &wrapped {
                    let line = json!({ "subject": subject.name(), "wrapped": key });
                    writeln!(out, "{line}").map_err(io)?;
                }
                Ok(())
            })?;
            ctx.out.emit(
                format!(
                    "wrote {} subject keys to {} (wrapped by master key {}: keep the two apart)",
                    wrapped.len(),
                    file.display(),
                    keys.fingerprint()
                ),
                &json!({ "subject_keys": wrapped.len(), "file": file, "master_key": keys.fingerprint() }),
            );
        }
        KeysCommand::Restore { file } => {
            let text = crate::context::read_text_file(file, MAX_LINES_FILE_BYTES)?;
            let bad = |line: usize, reason: String| CliError::Input {
                path: file.clone(),
                reason: format!("line {line}: {reason}"),
            };
            let mut lines = text.lines().enumerate();
            let header: Value = lines
                .next()
                .and_then(|(_, l)| serde_json::from_str(l).ok())
                .ok_or_else(|| bad(1, "not a key backup of `ce keys backup`".to_owned()))?;
            let theirs = header["master_key"].as_str().unwrap_or_default();
            if header["ce_keys"] != json!(1) || theirs != keys.fingerprint() {
                return Err(bad(
                    1,
                    format!(
                        "these keys are wrapped by master key {theirs:?}; this store's is {}: \
                         give that master key with --master-key",
                        keys.fingerprint()
                    ),
                ));
            }
            let (mut restored, mut kept) = (0, 0);
            for (i, line) in lines {
                let entry: Value =
                    serde_json::from_str(line).map_err(|e| bad(i + 1, format!("not JSON: {e}")))?;
                let subject = entry["subject"]
                    .as_str()
                    .and_then(Subject::parse)
                    .ok_or_else(|| bad(i + 1, "no subject".to_owned()))?;
                let wrapped = entry["wrapped"]
                    .as_str()
                    .ok_or_else(|| bad(i + 1, "no key".to_owned()))?;
                if keys.restore_key(&subject, wrapped)? {
                    restored += 1;
                } else {
                    kept += 1;
                }
            }
            ctx.out.emit(
                format!("restored {restored} subject keys ({kept} were there already)"),
                &json!({ "restored": restored, "kept": kept }),
            );
        }
        KeysCommand::Rotate { to } => {
            let next = match std::fs::read_to_string(to) {
                Ok(text) => MasterKey::from_hex(&text).map_err(|e| CliError::MasterKey {
                    from: to.display().to_string(),
                    reason: e.to_string(),
                })?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let next = MasterKey::generate()?;
                    // Written before any key is rewrapped: a rotation cut
                    // off part way is finished by running it again.
                    crate::private_file::write_private(to, |out| {
                        writeln!(out, "{}", next.to_hex().as_str()).map_err(|source| CliError::Io {
                            path: to.clone(),
                            source,
                        })
                    })?;
                    next
                }
                Err(source) => {
                    return Err(CliError::Io {
                        path: to.clone(),
                        source,
                    })
                }
            };
            let count = keys.rotate(&next)?;
            ctx.out.emit(
                format!(
                    "rewrapped {count} subject keys with master key {} in {}; use it from now on \
                     (--master-key {}) and destroy the old one once its backups are gone",
                    next.fingerprint(),
                    to.display(),
                    to.display()
                ),
                &json!({ "rewrapped": count, "master_key": next.fingerprint(), "file": to }),
            );
        }
    }
    Ok(())
}

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

use ce_core::privacy::{KeyStore, Keyring, MasterKey};
use ce_store_postgres::PgStore;
use ce_store_sled::KeyFiles;

use crate::error::CliError;
use crate::store::is_postgres;

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

/// The key store of `store`: files in `<store>/keys`, or the PostgreSQL
/// store's table (on its own connection).
pub fn key_store(store: &Path) -> Result<Arc<dyn KeyStore>, CliError> {
    if is_postgres(store) {
        let keys = PgStore::open(&store.to_string_lossy())?;
        return Ok(Arc::new(keys));
    }
    Ok(Arc::new(KeyFiles::at(&KeyFiles::of_store(store))))
}

/// The keyring of `store`. `create`: a command that writes may create the
/// master key of a store that has no subject keys yet.
pub fn keyring(store: &Path, flag: Option<&Path>, create: bool) -> Result<Arc<Keyring>, CliError> {
    let keys = key_store(store)?;
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
        Ok(text) => MasterKey::from_hex(&text).map_err(|e| CliError::MasterKey {
            from: path.display().to_string(),
            reason: e.to_string(),
        }),
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

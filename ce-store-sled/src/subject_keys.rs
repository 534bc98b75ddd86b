//! [`KeyFiles`]: subjects' wrapped keys, one small file each, in a private
//! directory beside the sled database and never in it. Erasing a subject
//! unlinks its file, which no later compaction of the log can bring back,
//! and no JSON Lines backup of the log carries.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use ce_core::privacy::{KeyError, KeyStore, Subject};

use crate::files::create_private_dir;

/// Subjects' wrapped keys as files in one directory (see the module).
#[derive(Debug, Clone)]
pub struct KeyFiles {
    dir: PathBuf,
}

impl KeyFiles {
    /// The key files in `dir`, which is created (0700) with the first key.
    pub fn at(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
        }
    }

    /// The directory of a sled store's key files: `keys` inside it.
    pub fn of_store(store: &Path) -> PathBuf {
        store.join("keys")
    }

    fn path(&self, subject: &Subject) -> PathBuf {
        self.dir.join(subject.name())
    }

    /// Writes `wrapped` to a new private temporary file in the directory,
    /// flushed to disk.
    fn temporary(&self, wrapped: &[u8]) -> Result<tempfile::NamedTempFile, KeyError> {
        create_private_dir(&self.dir).map_err(|e| failed(&self.dir, &e))?;
        let mut file = tempfile::Builder::new()
            .prefix(".new-")
            .tempfile_in(&self.dir)
            .map_err(|e| failed(&self.dir, &e))?;
        file.write_all(wrapped)
            .and_then(|()| file.as_file().sync_all())
            .map_err(|e| failed(file.path(), &e))?;
        Ok(file)
    }

    fn sync_dir(&self) -> Result<(), KeyError> {
        #[cfg(unix)]
        fs::File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| failed(&self.dir, &e))?;
        Ok(())
    }
}

fn failed(path: &Path, e: &io::Error) -> KeyError {
    KeyError::Store(format!("{}: {e}", path.display()))
}

impl KeyStore for KeyFiles {
    fn get(&self, subject: &Subject) -> Result<Option<Vec<u8>>, KeyError> {
        let path = self.path(subject);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(failed(&path, &e)),
        }
    }

    fn put_new(&self, subject: &Subject, wrapped: &[u8]) -> Result<Vec<u8>, KeyError> {
        let path = self.path(subject);
        let file = self.temporary(wrapped)?;
        // Linking fails if the name exists: of two writers racing, the
        // first keeps its key and the second reads it.
        match file.persist_noclobber(&path) {
            Ok(_) => {
                self.sync_dir()?;
                Ok(wrapped.to_vec())
            }
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => self
                .get(subject)?
                .ok_or_else(|| KeyError::Store(format!("{}: vanished", path.display()))),
            Err(e) => Err(failed(&path, &e.error)),
        }
    }

    fn replace(&self, subject: &Subject, wrapped: &[u8]) -> Result<(), KeyError> {
        let path = self.path(subject);
        self.temporary(wrapped)?
            .persist(&path)
            .map_err(|e| failed(&path, &e.error))?;
        self.sync_dir()
    }

    fn delete(&self, subject: &Subject) -> Result<bool, KeyError> {
        let path = self.path(subject);
        match fs::remove_file(&path) {
            Ok(()) => {
                self.sync_dir()?;
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(failed(&path, &e)),
        }
    }

    fn subjects(&self) -> Result<Vec<Subject>, KeyError> {
        let mut subjects = Vec::new();
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(subjects),
            Err(e) => return Err(failed(&self.dir, &e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| failed(&self.dir, &e))?;
            if let Some(subject) = entry.file_name().to_str().and_then(Subject::parse) {
                subjects.push(subject);
            }
        }
        subjects.sort();
        Ok(subjects)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_kept_once_replaced_and_deleted_for_good() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let keys = KeyFiles::at(&dir.path().join("keys"));
        assert_eq!(keys.subjects().ok(), Some(Vec::new()));
        let subject = Subject::Coc;
        assert_eq!(keys.get(&subject).ok(), Some(None));
        assert_eq!(keys.put_new(&subject, b"one").ok(), Some(b"one".to_vec()));
        // A second writer gets the first's key.
        assert_eq!(keys.put_new(&subject, b"two").ok(), Some(b"one".to_vec()));
        keys.replace(&subject, b"three")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keys.get(&subject).ok(), Some(Some(b"three".to_vec())));
        assert_eq!(keys.subjects().ok(), Some(vec![subject]));
        assert_eq!(keys.delete(&subject).ok(), Some(true));
        assert_eq!(keys.delete(&subject).ok(), Some(false));
        assert_eq!(keys.get(&subject).ok(), Some(None));
        // No temporary file is left behind.
        let left: Vec<_> = fs::read_dir(dir.path().join("keys"))
            .unwrap_or_else(|e| panic!("{e}"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            keys.put_new(&subject, b"four")
                .unwrap_or_else(|e| panic!("{e}"));
            let mode = fs::metadata(dir.path().join("keys").join("coc"))
                .map(|m| m.permissions().mode() & 0o777)
                .ok();
            assert_eq!(mode, Some(0o600));
        }
    }
}

//! The store's files: private (a 0700 directory, 0600 files), found or
//! missing, and copied for a read-only open.

use std::fs;
use std::io;
use std::path::Path;

/// Creates `dir` (and missing parents) with mode 0700 if it does not
/// exist: for the store, and for any other directory that will hold client
/// data (an export).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Makes the store directory 0700 and everything in it 0600 (directories
/// 0700): sled creates its files under the process's umask, usually 0644,
/// and they hold client data. A file owned by someone else is left as it
/// is (only its owner can change it).
pub(crate) fn make_private(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let set = |path: &Path, mode: u32| -> io::Result<()> {
            let meta = fs::symlink_metadata(path)?;
            if meta.file_type().is_symlink() || meta.permissions().mode() & 0o777 == mode {
                return Ok(());
            }
            match fs::set_permissions(path, fs::Permissions::from_mode(mode)) {
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Ok(()),
                other => other,
            }
        };
        set(dir, 0o700)?;
        for entry in fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                set(&path, 0o700)?;
                for inner in fs::read_dir(&path)? {
                    set(&inner?.path(), 0o600)?;
                }
            } else {
                set(&path, 0o600)?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Whether `dir` holds a sled store (its `db` file).
pub(crate) fn holds_store(dir: &Path) -> bool {
    dir.join("db").is_file()
}

/// Copies the store in `dir` into a new private directory under `tmp`.
pub(crate) fn private_copy(dir: &Path, tmp: &Path) -> io::Result<tempfile::TempDir> {
    let copy = tempfile::Builder::new()
        .prefix("ce-store-")
        .tempdir_in(tmp)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(copy.path(), fs::Permissions::from_mode(0o700))?;
    }
    copy_dir(dir, copy.path())?;
    Ok(copy)
}

fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            create_private_dir(&target)?;
            copy_dir(&entry.path(), &target)?;
        } else if kind.is_file() {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

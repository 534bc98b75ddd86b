//! Files with client data: created private (0600) and written atomically.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::CliError;

/// Writes `path` through `write`: into a temporary file beside it, created
/// 0600, synced and renamed over `path` once complete, so a failure (a full
/// disk, a kill) leaves the previous file as it was and no partial one. A
/// symbolic link at `path` is replaced, never written through (a link
/// planted in an export folder must not overwrite its target), unless it
/// leads to a device or a pipe (`/dev/stdout`); a `path` that is a device
/// or a pipe is written in place, never replaced; a directory is refused.
pub fn write_private<T>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let io = |source| CliError::Io {
        path: path.to_owned(),
        source,
    };
    let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let existing = std::fs::metadata(path).ok();
    if existing.as_ref().is_some_and(std::fs::Metadata::is_dir) {
        return Err(io(std::io::Error::other("is a directory")));
    }
    let special = existing.is_some_and(|m| !m.is_file());
    if special && (!link || is_device_link(path)) {
        let mut out = BufWriter::new(OpenOptions::new().write(true).open(path).map_err(io)?);
        let value = write(&mut out)?;
        out.flush().map_err(io)?;
        return Ok(value);
    }
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."))
        .join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut out = BufWriter::new(options.open(&tmp).map_err(io)?);
        let value = write(&mut out)?;
        let file = out.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Whether the link at `path` leads to a character device or a pipe (as
/// `/dev/stdout` does), which is written in place.
fn is_device_link(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata(path).is_ok_and(|m| {
            let t = m.file_type();
            t.is_char_device() || t.is_fifo() || t.is_socket()
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Creates `dir` (and missing parents) private (0700) if it does not
/// exist, for exports of client data: the store's own rule.
pub fn create_private_dir(dir: &Path) -> Result<(), CliError> {
    ce_store_sled::create_private_dir(dir).map_err(|source| CliError::Io {
        path: dir.to_owned(),
        source,
    })
}

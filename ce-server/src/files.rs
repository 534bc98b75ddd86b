//! The server's own files: private (0700 directories, 0600 files).

use std::fs::File;
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

/// Creates `dir` 0700 if missing; an existing one is made 0700.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// Cuts a last line without its newline, which only a writer killed
/// mid-line leaves (the caller holds the lock every writer takes), so that
/// the next line does not run into it. A line a reader finds cut short is
/// left for the next read.
pub fn repair_torn_tail(file: &File) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(());
    }
    let mut reader = file;
    let tail = len.saturating_sub(4096);
    reader.seek(SeekFrom::Start(tail))?;
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    if bytes.last() == Some(&b'\n') {
        return Ok(());
    }
    let keep = match bytes.iter().rposition(|b| *b == b'\n') {
        Some(i) => tail + i as u64 + 1,
        None if tail == 0 => 0,
        None => {
            return Err(std::io::Error::other(
                "the last line is over 4096 bytes without an end: not an accounts file",
            ))
        }
    };
    tracing::warn!(cut = len - keep, "removed a line cut short by a crash");
    file.set_len(keep)
}

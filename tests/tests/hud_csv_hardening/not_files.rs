//! Files that are not files: a FIFO or a directory named like a HUD file is
//! refused without waiting.

use std::path::Path;

use crate::support::{ce, copy_dir, import_month1, month1_dir, stderr_of, stdout_of};

#[cfg(unix)]
#[test]
fn a_fifo_or_a_directory_named_like_a_hud_file_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = |path: &Path| {
        let made = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(made.success());
    };
    // Exit.csv a FIFO; Event.csv a symlink to one.
    let source = dir.path().join("fifo");
    copy_dir(&month1_dir(), &source, &["Exit.csv", "Event.csv"]);
    fifo(&source.join("Exit.csv"));
    fifo(&dir.path().join("elsewhere"));
    std::os::unix::fs::symlink(dir.path().join("elsewhere"), source.join("Event.csv")).unwrap();
    let store = dir.path().join("a");
    let out = stdout_of(import_month1(&store, &source).assert().code(2));
    for file in ["Exit.csv", "Event.csv"] {
        assert!(
            out.lines().any(|l| l.starts_with(&format!("error: {file}"))
                && l.contains("not a regular file (a FIFO)")),
            "{file}:\n{out}"
        );
    }
    // A coalition map that is a FIFO is refused too.
    let assert = ce(&dir.path().join("d"))
        .args(["import", "hud-csv", "--coalition-map"])
        .arg(dir.path().join("elsewhere"))
        .arg(month1_dir())
        .assert()
        .code(2);
    assert!(stderr_of(&assert).contains("not a regular file (a FIFO)"));
    // A directory named like an optional file: its rows are not read, the rest is.
    let source = dir.path().join("directory");
    copy_dir(&month1_dir(), &source, &["Assessment.csv"]);
    std::fs::create_dir(source.join("Assessment.csv")).unwrap();
    let out = stdout_of(
        import_month1(&dir.path().join("b"), &source)
            .assert()
            .success(),
    );
    assert!(
        out.lines().any(|l| l.starts_with("error: Assessment.csv")
            && l.contains("not a regular file (a directory)")),
        "{out}"
    );
    // A symlink to a regular file is read.
    let source = dir.path().join("symlink");
    copy_dir(&month1_dir(), &source, &["Client.csv"]);
    std::os::unix::fs::symlink(month1_dir().join("Client.csv"), source.join("Client.csv")).unwrap();
    let out = stdout_of(
        import_month1(&dir.path().join("c"), &source)
            .assert()
            .success(),
    );
    assert!(out.contains("10 household(s)"), "{out}");
}

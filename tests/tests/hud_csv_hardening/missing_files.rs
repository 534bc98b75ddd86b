//! An export without Exit.csv or Event.csv: nothing written, and why.

use crate::support::{ce, copy_dir, import_month1, month1_dir, stderr_of, stdout_of};

#[test]
fn an_export_without_exit_csv_or_event_csv_writes_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    for (missing, why) in [("Exit.csv", "exited"), ("Event.csv", "referred")] {
        let source = dir.path().join(format!("without-{missing}"));
        copy_dir(&month1_dir(), &source, &[missing]);
        let store = dir.path().join(format!("store-{missing}"));
        let assert = import_month1(&store, &source).assert().code(2);
        let err = stderr_of(&assert);
        let out = stdout_of(assert);
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("error: {missing}")))
            .unwrap_or_else(|| panic!("no error on {missing}:\n{out}"));
        assert!(
            line.contains("file not found") && line.contains(why),
            "{line}"
        );
        assert!(
            err.contains(missing) && err.contains("wrote nothing"),
            "{err}"
        );
        let out = stdout_of(
            ce(&store)
                .args(["export", "jsonl"])
                .arg(dir.path().join(format!("{missing}.jsonl")))
                .assert()
                .success(),
        );
        assert!(out.contains("exported 0 events"), "{out}");
    }
    // HUD writes every file, header only when it has no rows: that is fine.
    let source = dir.path().join("header-only");
    copy_dir(&month1_dir(), &source, &[]);
    for file in ["Exit.csv", "Event.csv"] {
        let text = std::fs::read_to_string(source.join(file)).unwrap();
        let header = text.lines().next().unwrap();
        std::fs::write(source.join(file), format!("{header}\n")).unwrap();
    }
    import_month1(&dir.path().join("store"), &source)
        .assert()
        .success();
}

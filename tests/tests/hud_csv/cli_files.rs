//! The files `ce import hud-csv` and `ce export hud-csv` write: findings
//! refused where they cannot be written, exports private and whole.

use ce_hud_csv::HudFile;

use crate::support::{ce, stdout_of};

#[test]
fn findings_that_cannot_be_written_stop_the_import_before_it_writes() {
    let dir = tempfile::tempdir().unwrap();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/foreign-export/month1");
    let store = dir.path().join("store");
    // A directory is refused by name, and nothing is imported.
    ce(&store)
        .args(["import", "hud-csv", "--coalition", "Central", "--findings"])
        .arg(dir.path())
        .arg(&fixture)
        .assert()
        .failure();
    let out = stdout_of(
        ce(&store)
            .args(["export", "jsonl"])
            .arg(dir.path().join("log.jsonl"))
            .assert()
            .success(),
    );
    assert!(out.contains("exported 0 events"), "{out}");
    // A device is written in place, never replaced: a full disk fails.
    #[cfg(target_os = "linux")]
    {
        ce(&store)
            .args([
                "import",
                "hud-csv",
                "--coalition",
                "Central",
                "--findings",
                "/dev/full",
            ])
            .arg(&fixture)
            .assert()
            .code(5);
        let full = std::fs::metadata("/dev/full").unwrap();
        assert!(!full.is_file(), "/dev/full was replaced by a file");
    }
}

#[test]
fn exported_client_data_is_private_and_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/foreign-export/month1");
    let store = dir.path().join("store");
    ce(&store)
        .args(["import", "hud-csv", "--coalition", "Central"])
        .arg(&fixture)
        .assert()
        .success();
    let backup = dir.path().join("backup.jsonl");
    ce(&store)
        .args(["export", "jsonl"])
        .arg(&backup)
        .assert()
        .success();
    let out = dir.path().join("out");
    ce(&store)
        .args(["export", "hud-csv"])
        .arg(&out)
        .assert()
        .success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&backup), 0o600);
        for file in HudFile::ALL {
            assert_eq!(mode(&out.join(file.file_name())), 0o600, "{file}");
        }
    }
    // Only the complete files are left: no temporary file beside them.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

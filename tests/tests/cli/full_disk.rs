//! A store on a full disk, on a small file system of the test's own: reads
//! answer from a copy, and an import stops clearly and rolls back once there
//! is room.

use std::path::Path;
use std::process::Output;

use ce_tests::cli::{ce, describe, text, Store, EXIT_STORAGE};
use tempfile::TempDir;

/// A small file system of a test's own (a tmpfs, where the test may mount
/// one: as root on Linux), unmounted when dropped.
struct SmallDisk(TempDir);

impl SmallDisk {
    /// Mounts a tmpfs of `size` (e.g. "24m"), or `None` where it cannot.
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success())
            .then_some(Self(dir))
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    /// Runs `ce --store DISK/store ARGS`.
    fn ce(&self, args: &[&str]) -> Output {
        let mut cmd = ce();
        cmd.arg("--store").arg(self.path().join("store")).args(args);
        cmd.output().expect("ce runs")
    }

    /// Makes it `size` large, keeping what it holds.
    fn grow(&self, size: &str) -> bool {
        std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(self.path())
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.path())
            .status();
    }
}

/// A read command on a store whose disk is full reads a private copy (sled
/// writes as it opens). Needs a small file system of its own: runs where
/// the test may mount a tmpfs (as root on Linux), and says so otherwise.
#[test]
fn a_read_command_on_a_full_disk_answers_from_a_copy() {
    let Some(disk) = SmallDisk::mount("24m") else {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    };
    let run = |args: &[&str]| disk.ce(args);
    let out = run(&["demo"]);
    assert!(out.status.success(), "{}", describe("demo", &out));
    // Fill the disk.
    let fill = disk.path().join("fill");
    let _ = std::process::Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", fill.display()))
        .arg("bs=1M")
        .output();
    let out = run(&["--json", "list", "--coalition", "Coulee"]);
    assert!(
        out.status.success(),
        "{}",
        describe("list on a full disk", &out)
    );
    assert!(
        text(&out.stderr).contains("reading a copy"),
        "{}",
        describe("list", &out)
    );
    // Its view cannot be recorded: it says so.
    assert!(
        text(&out.stderr).contains("is not in its view log"),
        "{}",
        describe("list", &out)
    );
    let out = run(&["verify"]);
    assert!(
        out.status.success(),
        "{}",
        describe("verify on a full disk", &out)
    );
    // A command that writes says what is wrong.
    let out = run(&["sweep", "--as-of", "2025-12-01"]);
    assert_eq!(
        out.status.code(),
        Some(EXIT_STORAGE),
        "{}",
        describe("sweep", &out)
    );
}

/// A HUD CSV import that fills the disk stops with exit 5 and one clear
/// line; once there is room, `ce rollback-import` returns the store to how
/// it was, and the import runs whole. Needs a tmpfs of its own (root).
#[test]
fn a_hud_csv_import_on_a_full_disk_stops_clearly_and_rolls_back_once_there_is_room() {
    let source = Store::new();
    source.ok("demo --households 300 --seed 3", &[]);
    let export = source.file("export");
    source.ok("export hud-csv {}", &[&export]);
    let Some(disk) = SmallDisk::mount("6m") else {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    };
    let run = |args: &[&str]| disk.ce(args);
    assert!(run(&["init"]).status.success());
    let import = [
        "import",
        "hud-csv",
        "--coalition",
        "Coulee",
        export.as_str(),
    ];
    let out = run(&import);
    if out.status.success() {
        eprintln!("skipped: the import fit in 6 MiB");
        return;
    }
    assert_eq!(
        out.status.code(),
        Some(EXIT_STORAGE),
        "{}",
        describe("import", &out)
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.lines().count() == 1 && stderr.contains("ce rollback-import"),
        "{stderr}"
    );
    assert!(!stderr.contains("Os {"), "in words: {stderr}");
    assert!(disk.grow("256m"), "remount the tmpfs larger");
    let out = run(&["rollback-import"]);
    assert!(
        out.status.success(),
        "{}",
        describe("rollback-import", &out)
    );
    assert!(text(&out.stdout).contains("the store holds 0 events"));
    assert!(run(&import).status.success());
    let out = run(&["verify"]);
    assert!(out.status.success(), "{}", describe("verify", &out));
}

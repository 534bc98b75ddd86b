//! The documented examples are the tested ones: the input files and the
//! nightly script of `docs/cli.md`, and `docs/examples/`.

use ce_tests::cli::{assert_contains, describe, text, Store};
use ce_tests::support::{ce_binary as ce_path, workspace};
use serde_json::{json, Value};

use crate::fixtures::{assessment, days_ago, doc_block, id, post_psh};

#[test]
fn the_example_input_files_are_the_documented_ones() {
    for name in ["household.json", "assessment.json", "member.json"] {
        let file = std::fs::read_to_string(workspace().join("docs/examples").join(name))
            .unwrap_or_else(|e| panic!("docs/examples/{name}: {e}"));
        assert_eq!(
            file,
            doc_block(name),
            "docs/examples/{name} matches docs/cli.md"
        );
    }
}

/// The nightly script of docs/cli.md runs as printed (its /srv/ce moved to
/// a temporary directory) when `jq` is installed.
#[test]
fn the_documented_nightly_script_runs() {
    let has_jq = std::process::Command::new("sh")
        .args(["-c", "command -v jq"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_jq {
        eprintln!("skipped: jq is not installed");
        return;
    }
    let root = tempfile::tempdir().expect("a temporary directory");
    let base = root.path().to_str().expect("a UTF-8 path");
    std::fs::create_dir_all(root.path().join("backups")).expect("the backups directory");
    let script = root.path().join("nightly.sh");
    let key = root.path().join("master.key");
    std::fs::write(&key, ce_tests::cli::TEST_MASTER_KEY).expect("write the master key");
    let source = doc_block("nightly.sh")
        .replace("/srv/ce", base)
        .replace("/etc/ce/master.key", key.to_str().expect("a UTF-8 path"));
    std::fs::write(&script, source).expect("write the script");

    // A household enrolled last week and an opening with no referral yet.
    let s = Store {
        path: root.path().join("data"),
        dir: tempfile::tempdir().expect("a temporary directory"),
    };
    let mut household: Value = serde_json::from_str(&doc_block("household.json")).expect("JSON");
    household["project_start"] = json!(days_ago(7));
    let file = s.write("household.json", &household.to_string());
    let household = id(&s.ok("--role access enroll --file {}", &[&file]));
    let file = s.write("assessment.json", &assessment(&days_ago(6), 14).to_string());
    s.ok("--role access assess {} --file {}", &[&household, &file]);
    post_psh(&s, &days_ago(1));

    let bin = ce_path().parent().expect("the binary's directory");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("sh")
        .arg(&script)
        .current_dir(root.path())
        .env("PATH", path)
        .env_remove("CE_MASTER_KEY")
        .output()
        .expect("sh runs");
    assert!(out.status.success(), "{}", describe("nightly.sh", &out));
    let stdout = text(&out.stdout);
    assert_contains(
        &stdout,
        &[
            &format!("-> household {household} (rank 1)"),
            "with-children\t1\t",
        ],
    );
    let backups = std::fs::read_dir(root.path().join("backups")).expect("the backups");
    assert_eq!(backups.count(), 1);
    assert!(root.path().join("reports").is_dir());
}

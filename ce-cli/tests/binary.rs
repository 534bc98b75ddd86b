//! The `ce` binary answers for itself.
//!
//! The end-to-end tests live in the workspace's `tests` crate and run the
//! binary cargo builds here: a package's binaries are built by `cargo test`
//! only for that package's own integration tests, so this file is also
//! what makes `cargo test --workspace` build `target/<profile>/ce` with the
//! same dependency features as everything else, instead of the tests
//! building it again, and every dependency with it, under other features.

use std::process::Command;

#[test]
fn it_names_itself_and_its_version() {
    let out = Command::new(env!("CARGO_BIN_EXE_ce"))
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("ce runs: {e}"));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("ce {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn an_unknown_command_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_ce"))
        .arg("frobnicate")
        .output()
        .unwrap_or_else(|e| panic!("ce runs: {e}"));
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("frobnicate"));
}

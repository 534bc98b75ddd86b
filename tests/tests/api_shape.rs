//! The shape of the libraries' public API, checked from their sources.

use std::path::Path;

use ce_tests::support::workspace;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every public enum of the library crates is `#[non_exhaustive]`: a new
/// rule, event or HUD code is not a breaking change for an embedder that
/// matches on them.
#[test]
fn every_public_enum_of_the_libraries_is_non_exhaustive() {
    let mut files = Vec::new();
    for krate in [
        "ce-core/src",
        "ce-store-sled/src",
        "ce-store-postgres/src",
        "ce-hud-csv/src",
        "ce-server/src",
    ] {
        rust_files(&workspace().join(krate), &mut files);
    }
    let mut missing = Vec::new();
    let mut enums = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source file");
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !line.trim_start().starts_with("pub enum ") {
                continue;
            }
            enums += 1;
            // The attributes and doc comments right above the enum.
            let marked = lines[..i]
                .iter()
                .rev()
                .take_while(|l| {
                    let l = l.trim_start();
                    l.starts_with("#[") || l.starts_with("///") || l.starts_with("$(#[")
                })
                .any(|l| l.trim() == "#[non_exhaustive]");
            if !marked {
                missing.push(format!("{}:{}", file.display(), i + 1));
            }
        }
    }
    assert!(
        enums > 30,
        "found only {enums} public enums: is the scan right?"
    );
    assert!(
        missing.is_empty(),
        "not #[non_exhaustive]:\n{}",
        missing.join("\n")
    );
}

//! What the end-to-end test files share: the `ce` binary of this build, the
//! foreign HUD CSV export fixture, and reading a CSV file into rows.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The workspace root (the tests crate lives in it).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_owned)
}

/// The workspace sources the binary was built from, per cargo's dep-info
/// file next to it (`target/<profile>/ce.d`), if there is one.
fn sources_of(bin: &Path) -> Vec<PathBuf> {
    let Ok(info) = std::fs::read_to_string(bin.with_extension("d")) else {
        return Vec::new();
    };
    let Some((_, deps)) = info.lines().next().and_then(|l| l.split_once(": ")) else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    let mut current = String::new();
    let mut words = deps.split(' ').peekable();
    while let Some(word) = words.next() {
        // dep-info escapes a space in a path as "\ ".
        match word.strip_suffix('\\') {
            Some(part) if words.peek().is_some() => {
                current.push_str(part);
                current.push(' ');
            }
            _ => {
                current.push_str(word);
                paths.push(PathBuf::from(std::mem::take(&mut current)));
            }
        }
    }
    paths.retain(|p| p.starts_with(workspace()));
    paths
}

/// Builds the `ce` binary into the target directory and profile the
/// calling test was built for. `cargo test` builds the binaries of a
/// package only for that package's own integration tests, so `cargo test
/// --workspace` alone would leave `target/<profile>/ce` missing or stale.
fn build_ce(cargo: &str, profile_dir: &Path) {
    let mut cmd = std::process::Command::new(cargo);
    cmd.current_dir(workspace())
        .args(["build", "--quiet", "-p", "ce-cli", "--bin", "ce"]);
    if let Some(target_dir) = profile_dir.parent() {
        cmd.arg("--target-dir").arg(target_dir);
    }
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            cmd.arg("--release");
        }
        Some(profile) => {
            cmd.args(["--profile", profile]);
        }
    }
    let out = cmd.output().expect("cargo runs");
    assert!(
        out.status.success(),
        "`cargo build -p ce-cli` failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether `bin` exists and is newer than every workspace source it was
/// built from, and than `Cargo.lock`.
fn is_fresh(bin: &Path) -> Result<(), String> {
    let built = std::fs::metadata(bin)
        .and_then(|m| m.modified())
        .map_err(|_| format!("the ce binary is missing at {}", bin.display()))?;
    let mut sources = sources_of(bin);
    if sources.is_empty() {
        return Err(format!("no dep-info beside {}", bin.display()));
    }
    sources.push(workspace().join("Cargo.lock"));
    for source in sources {
        let changed = std::fs::metadata(&source).and_then(|m| m.modified());
        if !changed.is_ok_and(|changed| changed <= built) {
            return Err(format!(
                "the ce binary at {} is older than {}",
                bin.display(),
                source.display()
            ));
        }
    }
    Ok(())
}

/// The `ce` binary of this build: `target/<profile>/deps/NAME-HASH` is the
/// calling test, `target/<profile>/ce` the binary. `cargo test` of the
/// workspace builds it (for ce-cli's own integration test); when it is
/// missing or older than its sources (`cargo test -p ce-tests`, say) and
/// the test runs under cargo (`$CARGO` set), it is built here. Otherwise
/// the test fails rather than test old code.
pub fn ce_binary() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test binary's path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the test runs from target/<profile>/deps");
        let bin = profile_dir.join(format!("ce{}", std::env::consts::EXE_SUFFIX));
        if is_fresh(&bin).is_err() {
            if let Ok(cargo) = std::env::var("CARGO") {
                build_ce(&cargo, profile_dir);
            }
        }
        if let Err(why) = is_fresh(&bin) {
            panic!("{why}: run `cargo build -p ce-cli` first");
        }
        bin
    })
}

/// `tests/fixtures/foreign-export/<month>`: another HMIS's exports (see the
/// README beside them for what each row exercises), file name to text.
pub fn foreign_export(month: &str) -> BTreeMap<String, String> {
    let dir = foreign_export_dir(month);
    std::fs::read_dir(&dir)
        .expect("the fixture folder")
        .map(|e| {
            let path = e.expect("a fixture file").path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (
                name,
                std::fs::read_to_string(&path).expect("a fixture file"),
            )
        })
        .collect()
}

/// The folder of [`foreign_export`].
pub fn foreign_export_dir(month: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/foreign-export")
        .join(month)
}

/// A CSV file's header and rows, as text.
pub type Table = (Vec<String>, Vec<Vec<String>>);

/// Reads CSV text (a byte-order mark skipped; rows may be short) with the
/// csv crate.
pub fn read_csv(text: &str) -> Table {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("a record").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// A CSV file's rows without its ExportID column, sorted: the rows an
/// export holds, whatever their order and whichever export wrote them.
pub fn rows_without_export_id(path: &Path) -> Vec<Vec<String>> {
    let (header, rows) = read_csv(&std::fs::read_to_string(path).expect("a CSV file"));
    let export_id = header
        .iter()
        .position(|c| c.eq_ignore_ascii_case("ExportID"));
    let mut rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|mut r| {
            if let Some(i) = export_id.filter(|i| *i < r.len()) {
                r.remove(i);
            }
            r
        })
        .collect();
    rows.sort();
    rows
}

/// Plans the import of HUD CSV `files` (file name to bytes) into
/// `workflow`'s store, as `ce import hud-csv` does with a folder.
pub fn plan_import<K, V>(
    workflow: &ce_core::Workflow<ce_core::MemoryStore>,
    files: &BTreeMap<K, V>,
    options: &ce_hud_csv::ImportOptions,
) -> ce_hud_csv::ImportPlan
where
    K: std::borrow::Borrow<str> + Ord,
    V: AsRef<[u8]>,
{
    let caseload = workflow.caught_up().expect("the caseload").clone();
    ce_hud_csv::ImportPlan::read(
        |name| Ok(files.get(name).map(|bytes| bytes.as_ref())),
        workflow.store(),
        &caseload,
        workflow.policy(),
        options,
    )
    .expect("reading from memory cannot fail")
}

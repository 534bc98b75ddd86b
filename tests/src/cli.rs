//! What the CLI end-to-end tests share (`tests/cli/` and
//! `tests/cli_demo_errors.rs`): the `ce` binary run as a user would, without
//! the caller's `CE_*` variables, on a temporary store of its own, and the
//! checks of its exit code and of what it printed.

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

use crate::support::ce_binary;

/// `ce verify` found problems.
pub const EXIT_VERIFY: i32 = 1;
/// Bad usage or invalid input.
pub const EXIT_INPUT: i32 = 2;
/// A workflow rule refused the command.
pub const EXIT_REJECTED: i32 = 3;
/// Storage error (including a store in use).
pub const EXIT_STORAGE: i32 = 5;

/// The `CE_*` variables `ce` reads options from.
const CE_VARIABLES: [&str; 6] = [
    "CE_STORE",
    "CE_USER",
    "CE_AGENCY",
    "CE_ROLE",
    "CE_MASTER_KEY",
    "CE_MASTER_KEY_FILE",
];

/// The master key the tests' stores are sealed under (`CE_MASTER_KEY`):
/// given, so that no test writes a key file into the working directory.
pub const TEST_MASTER_KEY: &str =
    "7e57000000000000000000000000000000000000000000000000000000007e57";

/// A `ce` command with none of the `CE_*` variables of the caller's
/// environment but [`TEST_MASTER_KEY`], as a `std::process::Command`: one
/// a test can spawn and kill, or whose stdout can be any file.
pub fn ce_std() -> std::process::Command {
    let mut cmd = std::process::Command::new(ce_binary());
    for var in CE_VARIABLES {
        cmd.env_remove(var);
    }
    cmd.env("CE_MASTER_KEY", TEST_MASTER_KEY);
    cmd
}

/// [`ce_std`] as an `assert_cmd` command that fails after 60 s rather than
/// hang the test.
pub fn ce() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::from_std(ce_std());
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// What `ce` printed, which must be UTF-8.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("ce prints UTF-8")
}

/// Stdout then stderr of a command, as text.
pub fn text_of(out: &Output) -> String {
    text(&out.stdout) + &text(&out.stderr)
}

/// `ce WHAT`'s exit code, stdout and stderr, for a failed check's message.
pub fn describe(what: &str, out: &Output) -> String {
    format!(
        "`ce {what}` exited with {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// The first line of what a refused command printed on stderr.
pub fn first_line(stderr: &str) -> &str {
    stderr.lines().next().unwrap_or_default()
}

/// Checks that `haystack` contains each of `needles`.
pub fn assert_contains(haystack: &str, needles: &[&str]) {
    for needle in needles {
        assert!(haystack.contains(needle), "{needle:?} not in:\n{haystack}");
    }
}

/// Runs `cmd`, expects success and a quiet stderr, returns stdout.
pub fn succeed(cmd: &mut assert_cmd::Command, what: &str) -> String {
    let out = cmd.output().expect("ce runs");
    assert!(out.status.success(), "{}", describe(what, &out));
    assert!(
        out.stderr.is_empty(),
        "nothing on stderr on success: {}",
        describe(what, &out)
    );
    text(&out.stdout)
}

/// Runs `cmd`, expects exit `code`, nothing on stdout and exactly one
/// `error: ...` line on stderr, which it returns.
pub fn refuse(cmd: &mut assert_cmd::Command, what: &str, code: i32) -> String {
    let out = cmd.output().expect("ce runs");
    assert_eq!(out.status.code(), Some(code), "{}", describe(what, &out));
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout: {}",
        describe(what, &out)
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: ") && stderr.ends_with('\n') && stderr.lines().count() == 1,
        "one `error:` line on stderr: {}",
        describe(what, &out)
    );
    stderr
}

/// Command-line words: `template` split on whitespace, each `{}` replaced
/// by the next of `values` (for ids, names and notes with spaces).
pub fn argv<'a>(template: &'a str, values: &[&'a str]) -> Vec<&'a str> {
    let mut values = values.iter();
    let args = template
        .split_whitespace()
        .map(|word| match word {
            "{}" => *values.next().expect("a value for every {}"),
            word => word,
        })
        .collect();
    assert!(values.next().is_none(), "a {{}} for every value");
    args
}

/// A temporary store and a directory for its input and backup files.
pub struct Store {
    /// The directory the store, its input files and its backups are in.
    pub dir: TempDir,
    /// The store's path (no store is there until a command makes one).
    pub path: PathBuf,
}

impl Store {
    /// A store path in a new temporary directory, with no store there yet.
    // No `Default`: every call makes a temporary directory.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("store");
        Self { dir, path }
    }

    /// A store in a new, empty PostgreSQL database on the test server
    /// (`None`, said on stderr, without one; see [`crate::postgres::url`]):
    /// `path` is its connection string.
    pub fn postgres() -> Option<Self> {
        let url = crate::postgres::url()?;
        let database = format!("ce_cli_{}", uuid::Uuid::new_v4().simple());
        let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("the test server");
        admin
            .batch_execute(&format!("CREATE DATABASE {database}"))
            .expect("a database for the test");
        let mut conn: Vec<&str> = url
            .split_whitespace()
            .filter(|kv| !kv.starts_with("dbname="))
            .collect();
        let dbname = format!("dbname={database}");
        conn.push(&dbname);
        let dir = tempfile::tempdir().expect("a temporary directory");
        Some(Self {
            dir,
            path: PathBuf::from(conn.join(" ")),
        })
    }

    /// `ce --store S ARGS`, ARGS as in [`argv`].
    pub fn cmd(&self, template: &str, values: &[&str]) -> assert_cmd::Command {
        let mut cmd = ce();
        cmd.arg("--store")
            .arg(&self.path)
            .args(argv(template, values));
        cmd
    }

    /// `ce --store S ARGS` as a `std::process::Command` (see [`ce_std`]).
    pub fn std_cmd(&self, template: &str, values: &[&str]) -> std::process::Command {
        let mut cmd = ce_std();
        cmd.arg("--store")
            .arg(&self.path)
            .args(argv(template, values));
        cmd
    }

    /// Gives this store the keys of `source` (`ce keys backup` there,
    /// `ce keys restore` here): what a restore of `source`'s JSON Lines
    /// backup needs to read its personal data.
    pub fn keys_from(&self, source: &Store) {
        let file = source.dir.path().join("keys-backup.jsonl");
        let file = file.to_str().expect("a UTF-8 path");
        source.ok("keys backup {}", &[file]);
        self.ok("keys restore {}", &[file]);
    }

    /// Runs a command, expects success, returns stdout.
    pub fn ok(&self, template: &str, values: &[&str]) -> String {
        succeed(&mut self.cmd(template, values), template)
    }

    /// Runs a command with `--json`, expects success and exactly one JSON
    /// document on stdout.
    pub fn json(&self, template: &str, values: &[&str]) -> Value {
        let template = format!("--json {template}");
        let stdout = self.ok(&template, values);
        serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!("`ce {template}` printed no single JSON document ({e}):\n{stdout}")
        })
    }

    /// Runs a command expected to be refused with exit `code`; checks that
    /// nothing was written and returns the error line.
    pub fn refused(&self, template: &str, values: &[&str], code: i32) -> String {
        let before = self.events();
        let stderr = refuse(&mut self.cmd(template, values), template, code);
        assert_eq!(self.events(), before, "`ce {template}` wrote events");
        stderr
    }

    /// Runs a command the argument parser refuses (exit 2): checks that
    /// nothing was written and that stderr starts with an `error: ` line
    /// (clap's usage follows it); returns stderr.
    pub fn refused_usage(&self, template: &str, values: &[&str]) -> String {
        let before = self.events();
        let out = self.cmd(template, values).output().expect("ce runs");
        assert_eq!(
            out.status.code(),
            Some(EXIT_INPUT),
            "{}",
            describe(template, &out)
        );
        assert!(out.stdout.is_empty(), "{}", describe(template, &out));
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with("error: "),
            "{}",
            describe(template, &out)
        );
        assert_eq!(self.events(), before, "`ce {template}` wrote events");
        stderr
    }

    /// Runs a command on a store path where no store exists; expects exit
    /// 5 and returns the error line.
    pub fn refused_without_store(&self, template: &str) -> String {
        refuse(&mut self.cmd(template, &[]), template, EXIT_STORAGE)
    }

    /// Events in the store (`ce init` reports them on an existing store,
    /// and makes one where there is none).
    pub fn events(&self) -> u64 {
        self.json("init", &[])["events"]
            .as_u64()
            .expect("init --json has events")
    }

    /// A path next to the store.
    pub fn file(&self, name: &str) -> String {
        let path = self.dir.path().join(name);
        path.to_str().expect("a UTF-8 temporary path").to_owned()
    }

    /// Writes a file next to the store, returns its path.
    pub fn write(&self, name: &str, contents: &str) -> String {
        let path = self.file(name);
        std::fs::write(&path, contents).expect("write an input file");
        path
    }
}

/// The event lines of a JSON Lines backup (not its checksum line, which
/// covers the ciphertexts) with every sealed token's ciphertext and tag
/// replaced by `<sealed SUBJECT:EVENT:PATH>`: two runs seal the same fields of the same
/// events for the same subjects, under fresh nonces.
pub fn without_ciphertexts(backup: &str) -> Vec<String> {
    backup
        .lines()
        .filter(|line| !line.starts_with("{\"checksum\""))
        .map(|line| {
            line.split("\\u0001sealed:")
                .enumerate()
                .map(|(i, part)| {
                    // SUBJECT:EVENT:PATH:CIPHERTEXT:TAG, then the closing quote.
                    let quote = part.find('"').unwrap_or(part.len());
                    match part[..quote].rsplitn(3, ':').nth(2) {
                        Some(header) if i > 0 => format!("<sealed {header}>{}", &part[quote..]),
                        _ => part.to_owned(),
                    }
                })
                .collect::<String>()
        })
        .collect()
}

/// The log of the sled store at `store` (closed: no `ce` holds it), its
/// personal data opened with [`TEST_MASTER_KEY`] and the store's keys.
pub fn opened_log(store: &std::path::Path) -> Vec<ce_core::Envelope> {
    use ce_core::privacy::{Keyring, MasterKey};
    use ce_core::EventStore as _;
    let master = MasterKey::from_hex(TEST_MASTER_KEY).expect("the test master key");
    let keys = ce_store_sled::KeyFiles::at(&ce_store_sled::KeyFiles::of_store(store));
    let keyring = std::sync::Arc::new(Keyring::new(master, std::sync::Arc::new(keys)));
    let sealed = ce_core::Sealed::new(
        ce_store_sled::SledStore::open_existing(store).expect("the store opens"),
        keyring,
    );
    sealed.read_from(0, usize::MAX).expect("the log reads")
}

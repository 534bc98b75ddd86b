//! `ce demo` on a store a killed demo left unfinished, and the first line
//! of the errors for a command line `ce` cannot parse.
//!
//! A demo killed part way (SIGKILL) leaves the beginning of its caseload in
//! the store; the next `ce demo` with the same options finishes it, to the
//! same log, lists and `ce verify` as a demo run once. One it cannot finish
//! (other options, other data entered since, a store ending inside one
//! command) is refused in one line and writes nothing.

use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use ce_tests::cli::{
    assert_contains, describe, refuse, text, without_ciphertexts, Store, EXIT_INPUT,
};
use ce_tests::support::workspace;
use serde_json::Value;

/// The demo the tests kill and finish.
const DEMO: &[&str] = &["demo", "--households", "300", "--seed", "11"];

/// A smaller demo, for the tests that cut its log short by hand.
const SMALL_DEMO: &[&str] = &["demo", "--households", "60", "--seed", "12"];

/// `ce ARGS` (stdin empty) with none of the `CE_*` variables of the
/// caller's environment.
fn ce(args: &[&str]) -> std::process::Command {
    let mut cmd = ce_tests::cli::ce_std();
    cmd.args(args).stdin(Stdio::null());
    cmd
}

/// `ce --store S ARGS` on `store`.
fn cmd(store: &Store, args: &[&str]) -> std::process::Command {
    let mut cmd = ce(&["--store"]);
    cmd.arg(&store.path).args(args);
    cmd
}

fn run(store: &Store, args: &[&str]) -> Output {
    cmd(store, args).output().expect("ce runs")
}

/// Runs a command on `store`, expects success, returns stdout and stderr
/// (where a demo that finished another notes it).
fn succeeds(store: &Store, args: &[&str]) -> (String, String) {
    let out = run(store, args);
    assert!(out.status.success(), "{}", describe(&args.join(" "), &out));
    (text(&out.stdout), text(&out.stderr))
}

/// Runs a command expected to be refused with exit 2 and one `error:`
/// line, writing nothing; returns the line.
fn refused(store: &Store, args: &[&str]) -> String {
    let before = verified_events(store);
    let what = args.join(" ");
    let mut cmd = ce_tests::cli::ce();
    cmd.arg("--store").arg(&store.path).args(args);
    let stderr = refuse(&mut cmd, &what, EXIT_INPUT);
    assert_eq!(verified_events(store), before, "`ce {what}` wrote events");
    stderr
}

/// Events in `store` (0 when there is none), by `ce verify`, which must
/// pass.
fn verified_events(store: &Store) -> u64 {
    if !store.path.exists() {
        return 0;
    }
    let (stdout, _) = succeeds(store, &["--json", "verify"]);
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(report["problems"], Value::Array(vec![]), "{report}");
    report["events"].as_u64().expect("events")
}

/// The store's log as `ce export jsonl` writes it.
fn export(store: &Store) -> String {
    let file = store.file("export.jsonl");
    succeeds(store, &["export", "jsonl", &file]);
    std::fs::read_to_string(file).expect("the export")
}

/// Imports `lines` (envelopes, no checksum line) of `clean`'s log into
/// `store`, with the keys that open their personal data.
fn import(store: &Store, lines: &[&str], clean: &Clean) {
    let file = store.write("cut.jsonl", &(lines.join("\n") + "\n"));
    succeeds(store, &["import", "jsonl", &file, "--without-checksum"]);
    let keys = store.write("keys.jsonl", &clean.keys);
    succeeds(store, &["keys", "restore", &keys]);
}

/// Two logs of the same demo: the same events, sealed under other nonces.
fn same_log(a: &str, b: &str) -> bool {
    without_ciphertexts(a) == without_ciphertexts(b)
}

/// A demo run once on a new store: what it printed, its events, its log.
struct Clean {
    printed: String,
    events: u64,
    log: String,
    /// Its subject keys (`ce keys backup`).
    keys: String,
    took: Duration,
}

fn clean(demo: &[&str]) -> Clean {
    let store = Store::new();
    let started = Instant::now();
    let (printed, stderr) = succeeds(&store, demo);
    let took = started.elapsed();
    // Nothing on stderr for a demo on a new store.
    assert!(stderr.is_empty(), "{stderr}");
    assert!(printed.contains("Coulee / psh"), "{printed}");
    Clean {
        printed,
        events: verified_events(&store),
        log: export(&store),
        keys: {
            let file = store.file("keys.jsonl");
            succeeds(&store, &["keys", "backup", &file]);
            std::fs::read_to_string(file).expect("the key backup")
        },
        took,
    }
}

/// `demo` with `--households` one more than `demo` has.
fn other_households(demo: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = demo.iter().map(|a| (*a).to_owned()).collect();
    let at = args.iter().position(|a| a == "--households");
    let at = at.expect("the demo names --households") + 1;
    let n: u32 = args[at].parse().expect("a number of households");
    args[at] = (n + 1).to_string();
    args
}

/// Runs `demo` on `store`, which holds the beginning of it, and checks that
/// it finished it: the clean run's lists, log and `ce verify`, a note on
/// stderr; and that the demo once more only prints again.
fn assert_finishes(store: &Store, demo: &[&str], clean: &Clean) {
    let before = verified_events(store);
    let (printed, stderr) = succeeds(store, demo);
    assert_eq!(printed, clean.printed, "the clean demo's lists");
    assert!(
        stderr.starts_with("note: ")
            && stderr.contains("unfinished")
            && stderr.contains(&format!("{before} of its events"))
            && stderr.lines().count() == 1,
        "one note that the demo was finished: {stderr}"
    );
    assert_eq!(verified_events(store), clean.events);
    assert!(
        same_log(&export(store), &clean.log),
        "the finished demo's log is the clean demo's, byte for byte"
    );
    let (verify, _) = succeeds(store, &["verify"]);
    let ok = format!("ok: {} events", clean.events);
    assert!(verify.starts_with(&ok), "{verify}");
    let (again, stderr) = succeeds(store, demo);
    assert_eq!(again, clean.printed);
    assert!(stderr.is_empty(), "only prints again: {stderr}");
    assert_eq!(verified_events(store), clean.events);
}

/// Checks the one-line refusal of a demo the store holds unfinished.
fn assert_unfinished(err: &str) {
    let says = err.contains("did not finish") && err.contains("--store");
    assert!(says, "{err}");
}

/// The demo's log cut short: its first `events` lines (envelopes).
fn cut(log: &str, events: usize) -> Vec<&str> {
    log.lines()
        .filter(|l| l.starts_with('{') && l.contains("\"event_id\""))
        .take(events)
        .collect()
}

/// The position of the first `HouseholdEnrolled` event at or after the
/// middle of the log: an enrollment's first event, so the commands before
/// it are whole.
fn enrollment_after_middle(log: &str) -> usize {
    let lines = cut(log, usize::MAX);
    (lines.len() / 2..lines.len())
        .find(|&i| lines[i].contains("\"type\":\"HouseholdEnrolled\""))
        .expect("the demo enrolls households in its second half")
}

#[test]
fn a_demo_killed_part_way_is_finished_by_the_next_demo() {
    let clean = clean(DEMO);
    let wrong = other_households(DEMO);
    let wrong: Vec<&str> = wrong.iter().map(String::as_str).collect();
    // Kill points as a share of a whole demo's time, narrowed down when a
    // kill comes too early (nothing stored) or too late (all stored).
    let (mut low, mut high, mut share) = (0.0_f64, 1.0_f64, 0.5_f64);
    let mut tried = Vec::new();
    for _ in 0..10 {
        let store = Store::new();
        let mut child = cmd(&store, DEMO)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ce demo starts");
        let delay = clean.took.mul_f64(share);
        std::thread::sleep(delay);
        let exited = child.try_wait().expect("the demo's status").is_some();
        // Child::kill sends SIGKILL on Unix.
        let _ = child.kill();
        let _ = child.wait();
        let stored = verified_events(&store);
        let total = clean.events;
        tried.push(format!(
            "killed after {delay:?}: {stored} of {total} events"
        ));
        if stored > 0 && stored < clean.events {
            eprintln!("{}", tried.join("\n"));
            assert!(!exited, "an exited demo left {stored} of {total}");
            // Other options than the killed demo's cannot finish it.
            let err = refused(&store, &wrong);
            assert_unfinished(&err);
            assert_finishes(&store, DEMO, &clean);
            return;
        }
        // Too early or too late: whatever is in the store, the demo again
        // shows the whole caseload.
        let (printed, _) = succeeds(&store, DEMO);
        assert_eq!(printed, clean.printed, "{}", tried.join("\n"));
        assert_eq!(verified_events(&store), clean.events);
        assert!(
            same_log(&export(&store), &clean.log),
            "{}",
            tried.join("\n")
        );
        if stored == 0 {
            low = share;
        } else {
            high = share;
        }
        share = (low + high) / 2.0;
    }
    panic!("no kill landed inside the demo:\n{}", tried.join("\n"));
}

#[test]
fn a_demo_cut_short_after_a_whole_command_is_finished_to_the_same_log() {
    let clean = clean(SMALL_DEMO);
    let at = enrollment_after_middle(&clean.log);
    let store = Store::new();
    import(&store, &cut(&clean.log, at), &clean);
    assert_eq!(verified_events(&store), at as u64);

    // Another --households, another seed: refused, nothing written.
    let wrong = other_households(SMALL_DEMO);
    let wrong: Vec<&str> = wrong.iter().map(String::as_str).collect();
    let err = refused(&store, &wrong);
    assert_unfinished(&err);
    let err = refused(&store, &["demo", "--households", "60", "--seed", "13"]);
    assert!(err.contains(&format!("{at} events")), "{err}");

    assert_finishes(&store, SMALL_DEMO, &clean);

    // A whole demo made with other --households prints again, as before.
    let (printed, stderr) = succeeds(&store, &["demo", "--seed", "12"]);
    assert_eq!(printed, clean.printed);
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(verified_events(&store), clean.events);
}

#[test]
fn a_demo_it_cannot_finish_is_refused_in_one_line_and_left_alone() {
    let clean = clean(SMALL_DEMO);
    let at = enrollment_after_middle(&clean.log);
    let lines = cut(&clean.log, usize::MAX);
    assert!(
        !lines[at + 1].contains("\"type\":\"HouseholdEnrolled\""),
        "an enrollment stores more than one event"
    );

    // The store ends inside an enrollment: not a store a demo leaves.
    let torn = Store::new();
    import(&torn, &cut(&clean.log, at + 1), &clean);
    let err = refused(&torn, SMALL_DEMO);
    assert_unfinished(&err);

    // Other data entered into an unfinished demo.
    let mixed = Store::new();
    import(&mixed, &cut(&clean.log, at), &clean);
    let household = workspace().join("docs/examples/household.json");
    let household = household.to_str().expect("a UTF-8 path");
    succeeds(&mixed, &["--role", "access", "enroll", "--file", household]);
    let err = refused(&mixed, SMALL_DEMO);
    assert_unfinished(&err);

    // A whole demo with other data entered since only prints again.
    let whole = Store::new();
    import(&whole, &cut(&clean.log, usize::MAX), &clean);
    succeeds(&whole, &["--role", "access", "enroll", "--file", household]);
    let events = verified_events(&whole);
    assert!(events > clean.events);
    let (printed, stderr) = succeeds(&whole, SMALL_DEMO);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(printed.contains("Coulee / psh"), "{printed}");
    assert_eq!(verified_events(&whole), events);

    // So does one whose CE lead adopted a policy since (the demo ran under
    // the one it replaced).
    let (policy, _) = succeeds(&whole, &["--json", "policy", "show"]);
    let mut policy: Value = serde_json::from_str(&policy).expect("JSON");
    policy["version"] = Value::from(policy["version"].as_u64().expect("version") + 1);
    let file = whole.write("policy.json", &policy.to_string());
    succeeds(&whole, &["--role", "lead", "init", "--policy", &file]);
    let events = verified_events(&whole);
    let (printed, stderr) = succeeds(&whole, SMALL_DEMO);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(printed.contains("Coulee / psh"), "{printed}");
    assert_eq!(verified_events(&whole), events);
}

/// Runs `ce ARGS` in an empty directory, expects exit 2, nothing on
/// stdout and no store made, and returns the first stderr line and the
/// rest.
fn usage_error(args: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = ce(args).current_dir(dir.path()).output().expect("ce runs");
    assert_eq!(
        out.status.code(),
        Some(EXIT_INPUT),
        "{}",
        describe(&args.join(" "), &out)
    );
    assert!(out.stdout.is_empty(), "{}", describe(&args.join(" "), &out));
    let made = std::fs::read_dir(dir.path()).expect("the directory");
    assert_eq!(made.count(), 0, "a usage error makes no store");
    let stderr = text(&out.stderr);
    let (first, rest) = stderr.split_once('\n').unwrap_or((&stderr, ""));
    assert!(
        first.starts_with("error: "),
        "{}",
        describe(&args.join(" "), &out)
    );
    (first.to_owned(), rest.to_owned())
}

#[test]
fn usage_errors_name_what_is_wrong_on_their_first_line() {
    const HH: &str = "00000000-0000-4000-8000-000000000000";
    const BAD_DATE: &str = "2025-13-45";
    for (args, named) in [
        (&["sweep"][..], &["required", "--as-of"][..]),
        (&["sweep", "--as-of"], &["--as-of", "value"]),
        (
            &["followup", HH, "--contact", "--note", "Checked in."],
            &["--residence", "--months-homeless", "--living-situation"],
        ),
        (&["followup"], &["--note", "--contact", "<HOUSEHOLD>"]),
        (&["list", "--bogus"], &["--bogus"]),
        (&["sweep", "--as-of", BAD_DATE], &["--as-of", BAD_DATE]),
        (&["list", "--program", "mansion"], &["--program", "mansion"]),
        (&["--role", "boss", "openings"], &["--role", "boss"]),
        (&["lst"], &["lst"]),
    ] {
        let (first, rest) = usage_error(args);
        for name in named {
            assert!(
                first.contains(name),
                "`ce {}`: the first line names {name}: {first}",
                args.join(" ")
            );
        }
        // clap's usage and hint are kept under it.
        assert!(
            rest.contains("Usage: ce") || rest.contains("--help"),
            "`ce {}`: {first}\n{rest}",
            args.join(" ")
        );
    }
    let (first, rest) = usage_error(&["sweep"]);
    assert_contains(&rest, &["Usage: ce sweep --as-of <AS_OF>"]);
    // Named once, on the first line.
    assert!(!rest.contains("  --as-of <AS_OF>\n"), "{first}\n{rest}");

    // A missing command: which one, on the first line, then the help.
    let (first, rest) = usage_error(&[]);
    assert_contains(&first, &["'ce' requires a subcommand", "demo", "verify"]);
    assert_contains(&rest, &["Commands:", "Exit codes"]);
    let (first, rest) = usage_error(&["opening"]);
    assert_contains(&first, &["'ce opening' requires a subcommand"]);
    assert_contains(&first, &["post", "withdraw"]);
    assert_contains(&rest, &["Usage: ce opening"]);
    let (first, _) = usage_error(&["--json", "report"]);
    assert_contains(&first, &["'ce report' requires a subcommand"]);
    let (first, rest) = usage_error(&["--store", "elsewhere"]);
    assert_contains(&first, &["'ce' requires a subcommand"]);
    assert_contains(&rest, &["Usage: ce"]);
}

#[test]
fn help_and_version_print_on_stdout_and_succeed() {
    const SWEEP_USAGE: &str = "Usage: ce sweep [OPTIONS] --as-of <AS_OF>";
    for (args, expected) in [
        (&["--help"][..], "Usage: ce [OPTIONS] <COMMAND>"),
        (&["-h"], "Usage: ce [OPTIONS] <COMMAND>"),
        (&["help"], "Usage: ce [OPTIONS] <COMMAND>"),
        (&["sweep", "--help"], SWEEP_USAGE),
        (&["help", "sweep"], SWEEP_USAGE),
        (&["opening", "post", "--help"], "--coalition"),
        (&["--version"], concat!("ce ", env!("CARGO_PKG_VERSION"))),
        (&["-V"], concat!("ce ", env!("CARGO_PKG_VERSION"))),
    ] {
        let out = ce(args).output().expect("ce runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            describe(&args.join(" "), &out)
        );
        assert!(out.stderr.is_empty(), "{}", describe(&args.join(" "), &out));
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains(expected),
            "{}",
            describe(&args.join(" "), &out)
        );
    }
}

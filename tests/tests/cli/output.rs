//! What `ce` writes: output it cannot write is an error that keeps the new
//! id, what users typed is escaped on the terminal, and messages and
//! columns speak HUD's and the policy's words.

use std::path::Path;

use ce_tests::cli::{assert_contains, describe, text, Store, EXIT_REJECTED, EXIT_STORAGE};
use serde_json::json;

use crate::fixtures::{backup_of, doc_block, post_psh, referred, with_household, PSH_AGENCY};

#[test]
fn output_that_cannot_be_written_is_exit_5_and_the_new_id_is_on_stderr() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        return;
    }
    let s = Store::new();
    let file = s.write("household.json", &doc_block("household.json"));
    let stdout = std::fs::OpenOptions::new()
        .write(true)
        .open(full)
        .expect("/dev/full opens");
    let out = s
        .std_cmd("--role access enroll --file {}", &[&file])
        .stdout(stdout)
        .output()
        .expect("ce runs");
    assert_eq!(
        out.status.code(),
        Some(EXIT_STORAGE),
        "{}",
        describe("enroll > /dev/full", &out)
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("cannot write the output"), "{stderr}");
    // The household was stored: its id must not be lost.
    let household = stderr
        .lines()
        .find_map(|l| uuid::Uuid::parse_str(l.trim()).ok())
        .unwrap_or_else(|| panic!("the new household's id on stderr: {stderr}"));
    let shown = s.ok("show {}", &[&household.to_string()]);
    assert!(shown.contains("Coulee"), "{shown}");
    // A read command whose output is lost fails too.
    let stdout = std::fs::OpenOptions::new()
        .write(true)
        .open(full)
        .expect("/dev/full");
    let out = s
        .std_cmd("openings", &[])
        .stdout(stdout)
        .output()
        .expect("ce runs");
    assert_eq!(
        out.status.code(),
        Some(EXIT_STORAGE),
        "{}",
        describe("openings > /dev/full", &out)
    );
}

#[test]
fn escape_sequences_from_users_are_escaped_on_the_terminal() {
    let (s, household) = with_household();
    // The actor's names come from the command line or the environment:
    // control characters are refused there...
    let user = "pat\u{1b}]0;owned\u{7}\u{1b}[2J";
    let err = s.refused(
        "--role access --user {} followup {} --date 2025-03-20 --no-contact --method phone --note {}",
        &[user, &household, "Left a voicemail."],
        EXIT_REJECTED,
    );
    assert!(err.contains("user contains a control character"), "{err:?}");
    assert!(!err.contains('\u{1b}'), "the error is escaped too: {err:?}");
    // ...and what a log holds from elsewhere (an edited backup, another
    // program) is shown escaped.
    let mut lines = backup_of(&s);
    let last = lines.len() - 1;
    lines[last]["actor"]["user"] = json!(user);
    let backup: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let file = s.write("escapes.jsonl", &backup);
    let target = Store::new();
    target.ok("import jsonl {} --without-checksum", &[&file]);
    target.keys_from(&s);
    let history = target.ok("history {}", &[&household]);
    assert!(!history.contains('\u{1b}'), "{history:?}");
    assert!(!history.contains('\u{7}'), "{history:?}");
    assert!(history.contains("\\u{1b}"), "shown escaped: {history}");
    // Text fields refuse control characters outright.
    let err = s.refused(
        "--role provider --agency {} opening post --program {} --type psh --coalition Coulee --date 2025-04-01",
        &[PSH_AGENCY, "PSH\u{1b}[31m"],
        EXIT_REJECTED,
    );
    assert!(err.contains("control character"), "{err}");
}

#[test]
fn messages_and_columns_speak_huds_and_the_policys_words() {
    let (s, household) = with_household();
    let psh = post_psh(&s, "2025-04-01");
    let (referral, _) = referred(&s.ok("refer {} --date 2025-04-01", &[&psh]));
    s.ok("--role lead expire --as-of 2025-04-11", &[]);
    let err = s.refused(
        "--role provider --agency {} referral accept {} --date 2025-04-12",
        &[PSH_AGENCY, &referral],
        EXIT_REJECTED,
    );
    assert!(
        err.contains("is already resolved: expired on 2025-04-11"),
        "{err}"
    );
    let explained = s.ok("explain {} --as-of 2025-04-12", &[&household]);
    assert_contains(
        &explained,
        &[
            "HUD CPD-16-11 order of priority (tier 1 first): tier 1",
            "chronically homeless (first): yes",
        ],
    );
    let referrals = s.ok("referrals", &[]);
    assert!(
        referrals.contains("expired on 2025-04-11 without a result"),
        "{referrals}"
    );
    let history = s.ok("history {}", &[&household]);
    let subsidy = s.refused(
        "--role access followup {} --date 2025-04-12 --contact --residence 116 \
         --months-homeless 113 --living-situation 435 --note {}",
        &[&household, "Moved in with a voucher."],
        EXIT_REJECTED,
    );
    assert!(
        subsidy.contains("435 Rental by client, with ongoing housing subsidy"),
        "{subsidy}"
    );
    let outputs = [err, explained, referrals, history, subsidy];
    for (out, internal) in outputs.iter().flat_map(|o| {
        [
            "{ ",
            "Cpd1611Tier",
            "Expired",
            "RentalWithSubsidy",
            "HouseholdInactive",
        ]
        .map(|i| (o, i))
    }) {
        assert!(!out.contains(internal), "{internal:?} in:\n{out}");
    }
    // One encoding of months homeless: HUD's code in JSON, its words in text.
    let shown = s.json("show {} --as-of 2025-04-12", &[&household]);
    assert_eq!(shown["household"]["months_homeless"], json!(113));
    let lists = s.json("list --program rrh --as-of 2025-04-12", &[]);
    assert_eq!(lists[0]["rows"][0]["months_homeless"], json!(113));
}

//! Options that fall back to the `CE_*` environment variables, and the help
//! that documents them and the exit codes.

use ce_tests::cli::{
    argv, assert_contains, ce, refuse, succeed, text, Store, EXIT_INPUT, EXIT_REJECTED,
};
use serde_json::{json, Value};

use crate::fixtures::{doc_block, id, referred, PSH_AGENCY, RRH_AGENCY};

#[test]
fn options_fall_back_to_their_environment_variables() {
    let dir = tempfile::tempdir().expect("a temporary directory");

    // No --store and no CE_STORE: ./ce-data in the working directory.
    let out = succeed(ce().current_dir(dir.path()).arg("init"), "init");
    assert!(out.contains("0 events"), "{out}");
    assert!(dir.path().join("ce-data").is_dir(), "./ce-data was created");

    // Store, user, agency and role all from the environment.
    let store = dir.path().join("env-store");
    let env = |args: &[&str]| {
        let mut cmd = ce();
        cmd.env("CE_STORE", &store)
            .env("CE_USER", "pat.jones")
            .env("CE_AGENCY", RRH_AGENCY)
            .env("CE_ROLE", "provider")
            .args(args);
        cmd
    };
    succeed(&mut env(&["init"]), "init (env)");
    let opening = id(&succeed(
        &mut env(&argv(
            "opening post --program {} --type rrh --coalition Coulee --date 2025-05-01",
            &["Couleecap RRH"],
        )),
        "opening post (env)",
    ));
    let backup = dir.path().join("env.jsonl");
    let backup = backup.to_str().expect("a UTF-8 path");
    succeed(&mut env(&["export", "jsonl", backup]), "export (env)");
    let log = std::fs::read_to_string(backup).expect("the backup");
    let event: Value = serde_json::from_str(log.lines().next().expect("one event")).expect("JSON");
    assert_eq!(
        event["actor"],
        json!({ "user": "pat.jones", "agency": RRH_AGENCY, "role": "provider" })
    );
    assert_eq!(event["data"]["opening"], opening.as_str());

    // CE_ROLE is the role unless --role says otherwise.
    let s = Store::new();
    let file = s.write("household.json", &doc_block("household.json"));
    let household = id(&succeed(
        s.cmd("enroll --file {}", &[&file]).env("CE_ROLE", "access"),
        "enroll (CE_ROLE=access)",
    ));
    let file = s.write("assessment.json", &doc_block("assessment.json"));
    succeed(
        s.cmd("assess {} --file {}", &[&household, &file])
            .env("CE_ROLE", "access"),
        "assess (CE_ROLE=access)",
    );
    let opening = id(&succeed(
        s.cmd(
            "opening post --program {} --type psh --coalition Coulee --date 2025-04-01",
            &["Coulee PSH"],
        )
        .env("CE_ROLE", "provider")
        .env("CE_AGENCY", PSH_AGENCY),
        "opening post (CE_ROLE=provider)",
    ));
    let err = refuse(
        s.cmd("refer {} --date 2025-04-02", &[&opening])
            .env("CE_ROLE", "access"),
        "refer (CE_ROLE=access)",
        EXIT_REJECTED,
    );
    assert!(
        err.contains("role access may not refer households"),
        "{err}"
    );
    let (_, referred_household) = referred(&succeed(
        s.cmd("--role lead refer {} --date 2025-04-02", &[&opening])
            .env("CE_ROLE", "access"),
        "refer --role lead (CE_ROLE=access)",
    ));
    assert_eq!(referred_household, household);

    // A role that does not exist is bad usage, named.
    let out = s
        .cmd("openings", &[])
        .env("CE_ROLE", "boss")
        .output()
        .expect("ce runs");
    assert_eq!(out.status.code(), Some(EXIT_INPUT));
    assert!(text(&out.stderr).contains("boss"), "{}", text(&out.stderr));
}

#[test]
fn help_documents_the_environment_and_the_exit_codes() {
    let help = succeed(ce().arg("--help"), "--help");
    assert_contains(
        &help,
        &[
            "CE_STORE",
            "CE_USER",
            "CE_AGENCY",
            "CE_ROLE",
            "--json",
            "Exit codes",
        ],
    );
}

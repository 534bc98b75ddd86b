//! `ce serve` from the command line, as the README runs it: the first run
//! on a state directory creates `admin` and prints its password once, the
//! password signs in, and a second run prints none; `ce user` manages the
//! accounts beside it, each change logged with who made it.

use std::path::Path;
use std::process::Stdio;

use ce_tests::cli::Store;
use ce_tests::serve::Serving;
use serde_json::Value;

fn serve(s: &Store, state: &Path) -> Serving {
    let mut cmd = s.std_cmd(
        "serve --listen 127.0.0.1:0 --state-dir {}",
        &[state.to_str().expect("utf-8")],
    );
    cmd.stderr(Stdio::null());
    Serving::start(cmd)
}

/// Signs in to `base` as `name`: the status of the sign-in POST.
fn sign_in(base: &str, name: &str, password: &str) -> reqwest::StatusCode {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        let page = client
            .get(format!("{base}/login"))
            .send()
            .await
            .expect("the sign-in page");
        // The sign-in form's token is repeated in a cookie.
        let cookies: Vec<String> = page
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .map(str::to_owned)
            .collect();
        let html = page.text().await.expect("text");
        let start = html.find("name=\"login_csrf\" value=\"").expect("a token") + 25;
        let token = &html[start..start + html[start..].find('"').expect("quoted")];
        client
            .post(format!("{base}/login"))
            .header("cookie", cookies.join("; "))
            .form(&[
                ("login_csrf", token),
                ("name", name),
                ("password", password),
            ])
            .send()
            .await
            .expect("sign-in")
            .status()
    })
}

#[test]
fn the_first_serve_creates_admin_once_and_its_password_signs_in() {
    let s = Store::new();
    s.ok("demo --households 12 --seed 4", &[]);
    let state = s.dir.path().join("ce-serve");
    let first = serve(&s, &state);
    let line = first
        .before
        .iter()
        .find(|l| l.starts_with("created the first account: admin, password "))
        .unwrap_or_else(|| panic!("no first-account line in {:?}", first.before));
    let password = line
        .trim_start_matches("created the first account: admin, password ")
        .split_whitespace()
        .next()
        .expect("a password")
        .to_owned();
    assert!(password.len() >= 12, "{password}");
    assert_eq!(
        sign_in(&first.base, "admin", &password),
        reqwest::StatusCode::SEE_OTHER
    );
    assert_eq!(
        sign_in(&first.base, "admin", "not the password"),
        reqwest::StatusCode::UNAUTHORIZED
    );
    first.stop();
    // Never again: the second run prints no password.
    let second = serve(&s, &state);
    assert!(
        second.before.iter().all(|l| !l.contains("password")),
        "{:?}",
        second.before
    );
    assert_eq!(
        sign_in(&second.base, "admin", &password),
        reqwest::StatusCode::SEE_OTHER
    );
    second.stop();
}

#[test]
fn ce_user_adds_sets_passwords_disables_and_issues_tokens_and_logs_who_did_it() {
    let s = Store::new();
    let state = s.file("accounts");
    let added = s.ok("user --state-dir {} add ana access Couleecap", &[&state]);
    assert!(
        added.starts_with("added ana (access, Couleecap); password (shown once): "),
        "{added}"
    );
    let passwd = s.ok("user --state-dir {} passwd ana", &[&state]);
    assert!(
        passwd.starts_with("new password for ana (shown once): "),
        "{passwd}"
    );
    let token = s.ok("user --state-dir {} token ana", &[&state]);
    assert!(
        token.starts_with("API token for ana (shown once): "),
        "{token}"
    );
    s.ok("user --state-dir {} disable ana", &[&state]);
    let listed = s.ok("user --state-dir {} list", &[&state]);
    assert!(
        listed.contains("ana (access, Couleecap) disabled"),
        "{listed}"
    );
    s.ok("user --state-dir {} enable ana", &[&state]);
    let all: Value = s.json("user --state-dir {} list", &[&state]);
    let log = all["log"].as_array().expect("the accounts log");
    let changes: Vec<&str> = log
        .iter()
        .map(|r| r["change"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        changes,
        [
            "added",
            "password_set",
            "token_issued",
            "disabled",
            "enabled"
        ]
    );
    assert!(log
        .iter()
        .all(|r| r["by"].as_str().is_some_and(|by| !by.is_empty())));
    // No password or token is in the log, only their hashes.
    let text = std::fs::read_to_string(Path::new(&state).join("accounts.jsonl")).expect("the log");
    let token = token.trim().rsplit(' ').next().expect("a token");
    assert!(!text.contains(token));
    // An unknown account is refused in one line.
    let out = s
        .cmd("user --state-dir {} disable nobody", &[&state])
        .output()
        .expect("ce runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("nobody"), "{err}");
}

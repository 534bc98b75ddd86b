//! docs/api.md is generated from the API's route table
//! (`ce_server::api::ROUTES`): this test fails when they differ, and
//! `CE_UPDATE_DOCS=1 cargo test -p ce-server --test api_reference` writes
//! the file again.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test")]

use std::path::Path;

fn reference() -> String {
    let mut out = String::from(
        "# ce serve: JSON API reference\n\n\
         Generated from the server's route table by \
         `CE_UPDATE_DOCS=1 cargo test -p ce-server --test api_reference`; \
         do not edit by hand. How to authenticate, what each role sees and \
         the audit of views are in [server.md](server.md).\n\n\
         Every route answers JSON. A request that cannot be served answers \
         `{\"error\": \"what is wrong\", \"field\": \"which field\"}` (`field` is \
         null when the error is not about one field) with the status: 400 a \
         malformed body or parameter, 401 not signed in (or the session \
         ended, or the token is unknown or its account disabled), 403 the \
         role or agency may not, or a session's POST without its \
         `X-CSRF-Token`, 404 no such household (or not one this account may \
         see), 409 a concurrent writer got there first (retry), 413 a body \
         over the limit, 422 a workflow rule refused the command (the \
         message is the rule's), 500 the store failed.\n\n\
         | Method | Path | Who | What |\n|---|---|---|---|\n",
    );
    for route in ce_server::api::ROUTES {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            route.method,
            route.path,
            route.roles,
            route.what.replace('|', "\\|")
        ));
    }
    out.push_str(
        "\n## Example\n\n\
         A follow-up with contact, with an API token from `ce user token NAME`:\n\n\
         ```sh\n\
         curl -s http://127.0.0.1:8080/api/commands \\\n  \
         -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\\n  \
         -d '{\"command\": \"follow_up\", \"command_id\": \"5b0c1f4e-2d1a-4c8e-9a51-0c6f3e7d2a10\",\n       \
         \"household\": \"HOUSEHOLD-ID\", \"date\": \"2026-12-04\",\n       \
         \"status\": {\"residence\": 116, \"months_homeless\": 103},\n       \
         \"current\": {\"living_situation\": 116},\n       \
         \"note\": \"Met at the day shelter.\"}'\n\
         ```\n\n\
         The answer is `{\"outcome\": ..., \"events\": [...]}`; sending the same \
         `command_id` again returns the same answer and records nothing more.\n",
    );
    out
}

#[test]
fn the_api_reference_is_generated_from_the_routes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/api.md");
    let expected = reference();
    if std::env::var_os("CE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/api.md is out of date with ce_server::api::ROUTES: run \
         CE_UPDATE_DOCS=1 cargo test -p ce-server --test api_reference"
    );
}

//! `ce serve` over loopback HTTP: every route with each role's allowed and
//! refused requests, sessions, CSRF, hostile input, and that a refused
//! request writes nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "tests fail loudly"
)]

mod common;

use ce_core::{EventStore, Role};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn follow_up_form<'a>(csrf: &'a str, note: &'a str, today: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("form", "follow-up"),
        ("date", today),
        ("residence", "116"),
        ("months_homeless", "103"),
        ("living_situation", "116"),
        ("note", note),
    ]
}

#[tokio::test]
async fn without_a_session_pages_send_to_sign_in_and_posts_and_the_api_are_refused() {
    let s = start(|_| {}).await;
    let c = client();
    let h = s.households[0];
    for path in [
        "/".to_owned(),
        "/lists".to_owned(),
        format!("/households/{h}"),
        "/enroll".to_owned(),
        "/openings".to_owned(),
        "/referrals".to_owned(),
        "/lead".to_owned(),
        "/admin/users".to_owned(),
        "/lists/download".to_owned(),
        format!("/households/{h}/views"),
    ] {
        let r = c.get(s.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers()["location"], "/login", "{path}");
    }
    // The sign-in page and its stylesheet need no session.
    for path in ["/login", "/style.css"] {
        let r = c.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    let before = s.events();
    for path in [
        format!("/households/{h}"),
        "/enroll".to_owned(),
        "/openings".to_owned(),
        format!("/openings/{}", s.opening_a),
        format!("/referrals/{}", s.referral),
        "/lead".to_owned(),
        "/admin/users".to_owned(),
    ] {
        let r = c
            .post(s.url(&path))
            .form(&[("form", "sweep"), ("as_of", "2026-01-01")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    for path in ["/api/me", "/api/lists", "/api/openings", "/api/referrals"] {
        let r = c.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let r = c
        .post(s.url("/api/commands"))
        .json(&json!({"command": "sweep", "as_of": "2026-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(s.events(), before, "a refused request wrote events");
}

#[tokio::test]
async fn each_role_reaches_its_pages_and_is_refused_the_others() {
    let s = start(|_| {}).await;
    let h = s.households[0];
    let household = format!("/households/{h}");
    let views = format!("/households/{h}/views");
    // (path, roles allowed)
    let table: Vec<(&str, &[&str])> = vec![
        ("/lists", &["lead", "access"]),
        ("/lists/download", &["lead"]),
        (&household, &["lead", "access", "provider-a"]),
        (&views, &["lead"]),
        ("/enroll", &["lead", "access"]),
        ("/openings", &["lead", "provider-a", "provider-b"]),
        ("/referrals", &["lead", "provider-a", "provider-b"]),
        ("/lead", &["lead"]),
        ("/admin/users", &["admin"]),
    ];
    for user in ["admin", "lead", "access", "provider-a", "provider-b"] {
        let (c, _) = s.login(user).await;
        for (path, allowed) in &table {
            let status = s.status(&c, path).await;
            if allowed.contains(&user) {
                assert_eq!(status, StatusCode::OK, "{user} {path}");
            } else {
                assert!(
                    status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                    "{user} {path}: {status}"
                );
            }
        }
    }
}

#[tokio::test]
async fn refused_actions_write_nothing() {
    let s = start(|_| {}).await;
    let today = today();
    let before = s.events();
    let opening = format!("/openings/{}", s.opening_a);
    let referral = format!("/referrals/{}", s.referral);
    // An access user refers; a provider of another agency accepts,
    // declines, withdraws; an access user sweeps; a provider records a
    // follow-up; the admin runs a workflow command.
    type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case> = vec![
        (
            "access",
            opening.clone(),
            vec![("form", "refer"), ("date", &today)],
        ),
        (
            "provider-b",
            referral.clone(),
            vec![("form", "accept"), ("date", &today)],
        ),
        (
            "provider-b",
            referral.clone(),
            vec![
                ("form", "decline"),
                ("date", &today),
                ("reason", "client-unreachable"),
            ],
        ),
        (
            "provider-b",
            opening.clone(),
            vec![("form", "withdraw"), ("date", &today), ("reason", "gone")],
        ),
        (
            "access",
            "/lead".to_owned(),
            vec![("form", "sweep"), ("as_of", &today)],
        ),
        (
            "provider-a",
            format!("/households/{}", s.households[0]),
            follow_up_form("", "note", &today),
        ),
        (
            "admin",
            "/lead".to_owned(),
            vec![("form", "sweep"), ("as_of", &today)],
        ),
    ];
    for (user, path, form) in cases {
        let (c, csrf) = s.login(user).await;
        let mut form: Vec<(&str, &str)> = form.into_iter().filter(|(k, _)| *k != "csrf").collect();
        form.push(("csrf", &csrf));
        let status = c
            .post(s.url(&path))
            .form(&form)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::FORBIDDEN, "{user} {path}");
    }
    // The same through the API.
    let (c, csrf) = s.login("access").await;
    let r = c
        .post(s.url("/api/commands"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"command": "refer", "opening": s.opening_a, "date": today}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.events(), before, "a refused request wrote events");
}

#[tokio::test]
async fn a_missing_or_wrong_csrf_token_is_refused() {
    let s = start(|_| {}).await;
    let (c, csrf) = s.login("lead").await;
    let before = s.events();
    let path = format!("/households/{}", s.households[0]);
    let today = today();
    for token in ["", "0000", &csrf[..csrf.len() - 1]] {
        let form = follow_up_form(token, "Met at the library.", &today);
        let r = c.post(s.url(&path)).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "token {token:?}");
    }
    let r = c
        .post(s.url("/api/commands"))
        .json(&json!({"command": "sweep", "as_of": today}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "API call without X-CSRF-Token"
    );
    assert_eq!(s.events(), before);
    // With the token it goes through.
    let form = follow_up_form(&csrf, "Met at the library.", &today);
    let r = c.post(s.url(&path)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(s.events() > before);
}

#[tokio::test]
async fn an_expired_session_must_sign_in_again() {
    let s = start(|c| c.idle_seconds = 1).await;
    let (c, _) = s.login("lead").await;
    assert_eq!(s.status(&c, "/lists").await, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = c.get(s.url("/lists")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_and_logout_ends_the_session() {
    let s = start(|c| c.max_failures = 3).await;
    let c = client();
    for _ in 0..3 {
        let html = s.text(&c, "/login").await;
        let token = between(&html, "name=\"login_csrf\" value=\"", "\"");
        let r = c
            .post(s.url("/login"))
            .form(&[
                ("login_csrf", token.as_str()),
                ("name", "lead"),
                ("password", "not the password"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let html = s.text(&c, "/login").await;
    let token = between(&html, "name=\"login_csrf\" value=\"", "\"");
    let r = c
        .post(s.url("/login"))
        .form(&[
            ("login_csrf", token.as_str()),
            ("name", "lead"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "locked even with the right password"
    );
    // A sign-in form without its cookie's token is refused.
    let r = client()
        .post(s.url("/login"))
        .form(&[
            ("login_csrf", "x"),
            ("name", "access"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (c, csrf) = s.login("access").await;
    let r = c
        .post(s.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(s.status(&c, "/lists").await, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_actor_comes_from_the_session_and_markup_comes_back_escaped() {
    let s = start(|_| {}).await;
    let (c, csrf) = s.login("access").await;
    let h = s.households[1];
    let path = format!("/households/{h}");
    let today = today();
    let note = "<img src=x onerror=alert(1)> \"quoted\" & more";
    let mut form = follow_up_form(&csrf, note, &today);
    form.extend([
        ("user", "evil"),
        ("agency", "Agency A"),
        ("role", "lead"),
        ("location_details", "<b>under the bridge</b>"),
    ]);
    let r = c.post(s.url(&path)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let events = s.app.workflow.store().read_from(0, 10_000).unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.actor.user.0, "access");
    assert_eq!(last.actor.agency.0, "Couleecap");
    assert_eq!(last.actor.role, Role::Access);
    let html = s.text(&c, &path).await;
    assert!(!html.contains("<img src=x"), "unescaped note");
    assert!(!html.contains("<b>under"), "unescaped location");
    // The first household's name is markup: escaped on the lists and its page.
    let lists = s.text(&c, "/lists").await;
    assert!(
        lists.contains("&lt;script&gt;alert('x')&lt;/script&gt;")
            || lists.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        "{lists}"
    );
    assert!(!lists.contains("<script>"));
    let page = s
        .text(&c, &format!("/households/{}", s.households[0]))
        .await;
    assert!(!page.contains("<script>"));
    // A resubmitted form (same command id) is recorded once.
    let before = s.events();
    let mut again = follow_up_form(&csrf, "Second visit.", &today);
    again.push(("command_id", "7d0f3f0e-7d6b-4a59-9a43-3d1c5c1b0a01"));
    for _ in 0..2 {
        let r = c.post(s.url(&path)).form(&again).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let once = s.events() - before;
    assert!(once > 0);
    let r = c.post(s.url(&path)).form(&again).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        s.events() - before,
        once,
        "a resubmission was recorded twice"
    );
}

#[tokio::test]
async fn a_refused_form_shows_the_rule_beside_its_field_and_keeps_what_was_typed() {
    let s = start(|_| {}).await;
    let (c, csrf) = s.login("access").await;
    let before = s.events();
    let path = format!("/households/{}", s.households[0]);
    let today = today();
    // An empty note: the workflow's rule.
    let mut form = follow_up_form(&csrf, "", &today);
    form.push(("location_details", "Kept <as> typed"));
    let r = c.post(s.url(&path)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"follow-up-note-error\""),
        "no error beside the note"
    );
    assert!(
        html.contains("value=\"Kept &lt;as&gt; typed\""),
        "typed value lost"
    );
    // A date that is not one: named.
    let form = follow_up_form(&csrf, "A note.", "12/01/2026");
    let r = c.post(s.url(&path)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"follow-up-date-error\""));
    assert!(html.contains("value=\"12/01/2026\""));
    // Control characters are refused, and not sent back into the page.
    let form = follow_up_form(&csrf, "bell\u{7} and nul\u{0}", &today);
    let r = c.post(s.url(&path)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("control character"), "{html}");
    assert!(!html.contains('\u{7}') && !html.contains('\u{0}'));
    assert!(html.contains("bell\u{FFFD} and nul\u{FFFD}"));
    // A code the column does not have.
    let mut form = follow_up_form(&csrf, "A note.", &today);
    form[3] = ("residence", "999");
    let r = c.post(s.url(&path)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("id=\"follow-up-residence-error\""));
    assert_eq!(s.events(), before);
}

#[tokio::test]
async fn oversized_bodies_and_malformed_json_are_refused_with_the_field_named() {
    let s = start(|_| {}).await;
    let (c, csrf) = s.login("lead").await;
    let before = s.events();
    let big = "x".repeat(200 * 1024);
    let path = format!("/households/{}", s.households[0]);
    let form = follow_up_form(&csrf, &big, "2026-01-01");
    let r = c.post(s.url(&path)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let post = |body: String| {
        c.post(s.url("/api/commands"))
            .header("x-csrf-token", &csrf)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let r = post(format!("{{\"command\":\"follow_up\",\"note\":\"{big}\"}}"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let r = post("{\"command\": \"sweep\", ".to_owned()).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("line 1"), "{body}");
    let r = post(
        json!({"command": "follow_up", "household": "not-an-id", "date": "2026-01-01"}).to_string(),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["field"], "household", "{body}");
    let r = post(json!({"command": "sweep", "as_of": "yesterday"}).to_string())
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["field"], "as_of", "{body}");
    let r = post(json!({"command": "launch_rockets"}).to_string())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(s.events(), before);
}

#[tokio::test]
async fn a_provider_sees_only_households_referred_to_its_agency() {
    let s = start(|_| {}).await;
    let referred = s.households[0];
    let other = s.households[1];
    let (a, _) = s.login("provider-a").await;
    let (b, _) = s.login("provider-b").await;
    assert_eq!(
        s.status(&a, &format!("/households/{referred}")).await,
        StatusCode::OK
    );
    assert_eq!(
        s.status(&a, &format!("/households/{other}")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.status(&b, &format!("/households/{referred}")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.status(&b, &format!("/api/households/{referred}")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.status(&a, "/lists").await, StatusCode::FORBIDDEN);
    let inbox_a = s.text(&a, "/referrals").await;
    assert!(inbox_a.contains(&s.referral.to_string()));
    let inbox_b = s.text(&b, "/referrals").await;
    assert!(!inbox_b.contains(&s.referral.to_string()));
    let api_b: Value = s.json(&b, "/api/referrals").await;
    assert_eq!(api_b.as_array().unwrap().len(), 0);
    let api_a: Value = s.json(&a, "/api/referrals").await;
    assert_eq!(api_a.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn every_household_view_and_download_is_recorded_and_only_a_lead_sees_them() {
    let s = start(|_| {}).await;
    let h = s.households[0];
    let (access, _) = s.login("access").await;
    assert_eq!(s.status(&access, "/lists").await, StatusCode::OK);
    assert_eq!(
        s.status(&access, &format!("/households/{h}")).await,
        StatusCode::OK
    );
    assert_eq!(
        s.status(&access, &format!("/api/households/{h}")).await,
        StatusCode::OK
    );
    assert_eq!(
        s.status(&access, "/lists/download").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(s.status(&access, "/api/lists").await, StatusCode::FORBIDDEN);
    assert_eq!(
        s.status(&access, &format!("/api/households/{h}/views"))
            .await,
        StatusCode::FORBIDDEN
    );
    let (lead, _) = s.login("lead").await;
    let history: Value = s
        .json(&access, &format!("/api/households/{h}/history"))
        .await;
    assert!(history.as_array().unwrap().len() >= 2, "{history}");
    let csv = lead.get(s.url("/lists/download")).send().await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(csv.lines().count() >= 3, "{csv}");
    let views: Value = s.json(&lead, &format!("/api/households/{h}/views")).await;
    let whats: Vec<(&str, &str)> = views
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["actor"]["user"].as_str().unwrap(),
                v["purpose"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        whats,
        [
            ("access", "priority lists page"),
            ("access", "household page"),
            ("access", "api household"),
            ("access", "api history"),
            ("lead", "list download")
        ]
    );
    let page = s.text(&lead, &format!("/households/{h}/views")).await;
    assert!(page.contains("household page") && page.contains("access"));
}

#[tokio::test]
async fn api_tokens_run_commands_with_the_same_checks() {
    let s = start(|_| {}).await;
    let now = chrono::Utc::now();
    let lead = s.app.accounts.issue_token("test", now, "lead").unwrap();
    let access = s.app.accounts.issue_token("test", now, "access").unwrap();
    let c = client();
    let today = today();
    let r = c
        .post(s.url("/api/commands"))
        .bearer_auth(&access)
        .json(&json!({"command": "expire_referrals", "as_of": today}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .post(s.url("/api/commands"))
        .bearer_auth(&lead)
        .json(&json!({"command": "sweep", "as_of": today}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    let r = c
        .get(s.url("/api/openings"))
        .bearer_auth("not a token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    s.app
        .accounts
        .set_disabled("test", now, "lead", true)
        .unwrap();
    let r = c
        .get(s.url("/api/openings"))
        .bearer_auth(&lead)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "a disabled account's token"
    );
}

#[tokio::test]
async fn the_admin_manages_accounts_and_a_disabled_account_is_signed_out() {
    let s = start(|_| {}).await;
    let (admin, csrf) = s.login("admin").await;
    let (access, _) = s.login("access").await;
    let r = admin
        .post(s.url("/admin/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("form", "add"),
            ("name", "new-lead"),
            ("role", "lead"),
            ("agency", "BoS CE"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    s.login("new-lead").await;
    let r = admin
        .post(s.url("/admin/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("form", "add"),
            ("name", "short"),
            ("role", "lead"),
            ("agency", "BoS CE"),
            ("password", "short"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .post(s.url("/admin/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("form", "disable"),
            ("name", "access"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(s.status(&access, "/lists").await, StatusCode::SEE_OTHER);
    let log = s.app.accounts.log().unwrap();
    assert!(log.iter().any(|r| r.by == "admin" && matches!(&r.change, ce_server::accounts::Change::Disabled { user } if user == "access")));
    // The lead may not manage accounts.
    let (lead, csrf) = s.login("lead").await;
    let r = lead
        .post(s.url("/admin/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("form", "enable"),
            ("name", "access"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_workflow_runs_through_the_pages() {
    let s = start(|_| {}).await;
    let today = today();
    // A provider posts an opening; the lead refers the top household; the
    // provider accepts.
    let (provider, pcsrf) = s.login("provider-a").await;
    let r = provider
        .post(s.url("/openings"))
        .form(&[
            ("csrf", pcsrf.as_str()),
            ("form", "post"),
            ("date", today.as_str()),
            ("program", "Scattered-site RRH"),
            ("program_type", "rrh"),
            ("coalition", "Coulee"),
            ("type_adults-only", "on"),
            ("units", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    let caseload = s.app.workflow.caught_up().unwrap().clone();
    let opening = caseload
        .openings
        .values()
        .find(|o| o.program == "Scattered-site RRH")
        .unwrap()
        .id;
    let (lead, lcsrf) = s.login("lead").await;
    let r = lead
        .post(s.url(&format!("/openings/{opening}")))
        .form(&[
            ("csrf", lcsrf.as_str()),
            ("form", "refer"),
            ("date", today.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    let caseload = s.app.workflow.caught_up().unwrap().clone();
    let referral = caseload
        .referrals
        .values()
        .find(|r| r.opening == opening)
        .unwrap()
        .id;
    let r = provider
        .post(s.url(&format!("/referrals/{referral}")))
        .form(&[
            ("csrf", pcsrf.as_str()),
            ("form", "accept"),
            ("date", today.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    let caseload = s.app.workflow.caught_up().unwrap().clone();
    assert!(matches!(
        caseload.referrals[&referral].status,
        ce_core::ReferralStatus::Accepted { .. }
    ));
}

#[tokio::test]
async fn pages_forbid_framing_scripts_and_caching() {
    let s = start(|_| {}).await;
    let (c, _) = s.login("lead").await;
    for path in ["/login", "/lists", "/api/openings"] {
        let r = c.get(s.url(path)).send().await.unwrap();
        let h = r.headers();
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
    }
    // A notice comes from the server's words, never from the link.
    let html = s
        .text(&c, "/lists?done=Call+555-0100+to+verify+your+password")
        .await;
    assert!(!html.contains("555-0100"));
}

#[tokio::test]
async fn markup_in_every_free_text_field_comes_back_escaped() {
    let s = start(|_| {}).await;
    const X: &str = "<script>alert(1)</script>";
    const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";
    let today = today();
    let top = format!("/households/{}", s.households[0]);
    let h = format!("/households/{}", s.households[1]);
    let second = s.households[1].to_string();
    let opening = format!("/openings/{}", s.opening_a);
    let referral = format!("/referrals/{}", s.referral);
    // Each form, every free-text field markup, each accepted; then the page
    // that shows what was written, as the user who wrote it (the enroll
    // form: the page it sends to).
    type Post<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, Option<String>);
    let posts: Vec<Post> = vec![
        (
            "access",
            "/enroll".to_owned(),
            vec![
                ("form", "enroll"),
                ("coalition", "Coulee"),
                ("project_start", &today),
                ("first_name", X),
                ("last_name", X),
                ("veteran", "0"),
                ("disabling_condition", "0"),
                ("prior_situation", "116"),
                ("times_homeless", "1"),
                ("months_homeless", "101"),
                ("living_situation", "116"),
                ("location_details", X),
            ],
            None,
        ),
        (
            "access",
            h.clone(),
            vec![
                ("form", "follow-up"),
                ("date", &today),
                ("residence", "116"),
                ("months_homeless", "103"),
                ("living_situation", "116"),
                ("location_details", X),
                ("note", X),
            ],
            Some(h.clone()),
        ),
        (
            "access",
            h.clone(),
            vec![
                ("form", "attempt"),
                ("date", &today),
                ("method", "phone"),
                ("note", X),
            ],
            Some(h.clone()),
        ),
        (
            "access",
            h.clone(),
            vec![
                ("form", "assess"),
                ("date", &today),
                ("location", X),
                ("assessment_type", "3"),
                ("level", "2"),
                ("prioritization", "1"),
                ("score", "8"),
            ],
            Some(h.clone()),
        ),
        (
            "access",
            h.clone(),
            vec![
                ("form", "ce-event"),
                ("date", &today),
                ("event", "12"),
                ("location", X),
            ],
            Some(h.clone()),
        ),
        (
            "access",
            h.clone(),
            vec![
                ("form", "add-member"),
                ("date", &today),
                ("first_name", X),
                ("last_name", X),
                ("relationship", "2"),
                ("veteran", "0"),
                ("disabling_condition", "0"),
            ],
            Some(h.clone()),
        ),
        (
            "provider-a",
            "/openings".to_owned(),
            vec![
                ("form", "post"),
                ("date", &today),
                ("program", X),
                ("program_type", "rrh"),
                ("coalition", "Coulee"),
                ("type_adults-only", "on"),
                ("units", "1"),
            ],
            Some("/openings".to_owned()),
        ),
        (
            "provider-a",
            referral.clone(),
            vec![
                ("form", "decline"),
                ("date", &today),
                ("reason", "provider-other"),
                ("text", X),
            ],
            Some(top.clone()),
        ),
        (
            "lead",
            opening.clone(),
            vec![
                ("form", "refer"),
                ("date", &today),
                ("household", &second),
                ("bypass_reason", X),
            ],
            Some(h.clone()),
        ),
        (
            "provider-a",
            opening.clone(),
            vec![("form", "withdraw"), ("date", &today), ("reason", X)],
            Some("/openings".to_owned()),
        ),
        (
            "access",
            h.clone(),
            vec![
                ("form", "exit"),
                ("date", &today),
                ("destination", "116"),
                ("reason", X),
            ],
            Some(h.clone()),
        ),
        (
            "admin",
            "/admin/users".to_owned(),
            vec![
                ("form", "add"),
                ("name", X),
                ("role", "access"),
                ("agency", X),
                ("password", PASSWORD),
            ],
            Some("/admin/users".to_owned()),
        ),
    ];
    for (user, path, mut form, shown_on) in posts {
        let (c, csrf) = s.login(user).await;
        form.push(("csrf", &csrf));
        let r = c.post(s.url(&path)).form(&form).send().await.unwrap();
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(|l| l.split('?').next().unwrap_or(l).to_owned());
        let body = r.text().await.unwrap();
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "{user} {path} {form:?}: {body}"
        );
        let shown_on = shown_on.or(location).unwrap();
        let page = s.text(&c, &shown_on).await;
        assert!(
            !page.contains("<script>alert"),
            "{user} {path}: {shown_on} shows markup unescaped"
        );
        assert!(
            page.contains(ESCAPED),
            "{user} {path}: {shown_on} does not show what was written"
        );
    }
    // No page anyone can reach shows markup unescaped.
    let caseload = s.app.workflow.caught_up().unwrap().clone();
    let mut pages = vec![
        "/lists".to_owned(),
        "/openings".to_owned(),
        "/referrals".to_owned(),
        "/lead".to_owned(),
    ];
    pages.extend(
        caseload
            .households()
            .keys()
            .map(|id| format!("/households/{id}")),
    );
    for user in ["lead", "admin", "access", "provider-a"] {
        let (c, _) = s.login(user).await;
        for path in pages
            .iter()
            .chain(std::iter::once(&"/admin/users".to_owned()))
        {
            let body = s.text(&c, path).await;
            assert!(
                !body.contains("<script>alert"),
                "{user} {path} shows markup unescaped"
            );
        }
    }
}

#[tokio::test]
async fn members_join_lead_and_leave_through_the_household_page() {
    let s = start(|_| {}).await;
    let (c, csrf) = s.login("access").await;
    let h = s.households[1];
    let path = format!("/households/{h}");
    let today = today();
    let post = |form: Vec<(&'static str, String)>| {
        let mut form = form;
        form.push(("csrf", csrf.clone()));
        c.post(s.url(&path)).form(&form).send()
    };
    let r = post(vec![
        ("form", "add-member".into()),
        ("date", today.clone()),
        ("first_name", "Cal".into()),
        ("birth_date", "1985-02-03".into()),
        ("relationship", "3".into()),
        ("veteran", "0".into()),
        ("disabling_condition", "0".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let household = s.app.workflow.caught_up().unwrap().households()[&h].clone();
    let cal = household
        .members
        .iter()
        .find(|m| m.first_name.as_deref() == Some("Cal"))
        .unwrap()
        .client;
    let head = household.head().unwrap().client;
    let r = post(vec![
        ("form", "change-head".into()),
        ("date", today.clone()),
        ("head", cal.to_string()),
        ("former_head_relationship", "3".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    let r = post(vec![
        ("form", "remove-member".into()),
        ("date", today.clone()),
        ("client", head.to_string()),
        ("destination", "116".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
    let household = s.app.workflow.caught_up().unwrap().households()[&h].clone();
    assert_eq!(household.head().unwrap().client, cal);
    assert_eq!(household.members.len(), 1);
    // Not a client of the household: the rule's message beside the field.
    let r = post(vec![
        ("form", "remove-member".into()),
        ("date", today.clone()),
        ("client", "not-a-client".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Not recorded: "), "{html}");
    assert!(html.contains("not-a-client"), "{html}");
}

#[tokio::test]
async fn a_refused_form_on_one_row_shows_its_message_on_that_row_only() {
    let s = start(|_| {}).await;
    let (lead, csrf) = s.login("lead").await;
    // Agency B's opening has no live referral: a refer form on its row and
    // on every other open one. Refer a household id that does not exist.
    let caseload = s.app.workflow.caught_up().unwrap().clone();
    let free = caseload
        .openings
        .values()
        .find(|o| o.live_referral.is_none())
        .unwrap()
        .id;
    let r = lead
        .post(s.url(&format!("/openings/{free}")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("form", "refer"),
            ("row", &free.to_string()),
            ("date", &today()),
            ("household", "not-a-household"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert_eq!(
        page.matches("value=\"not-a-household\"").count(),
        1,
        "what was typed comes back on its own row only"
    );
    assert_eq!(
        page.matches(&format!("id=\"refer-{free}-household\""))
            .count(),
        1,
        "each row's fields have their own ids"
    );
}

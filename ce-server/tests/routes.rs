//! Every route that writes, against every way a request can be refused: no
//! session, an ended session, a missing or wrong CSRF token, a role that
//! may not, a provider of another agency. A refused request writes nothing:
//! no event, no view record, no account change. Then each route's own
//! request is made by a user who may, and succeeds, so that every refusal
//! above is the gate's and not a broken form's.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "tests fail loudly"
)]

mod common;

use ce_core::ViewLog;
use common::*;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// One write: its path, the form (or JSON body for the API), who may send
/// it, and who may not.
struct Route {
    path: String,
    form: Vec<(String, String)>,
    json: Option<Value>,
    allowed: &'static str,
    refused: Vec<&'static str>,
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn routes(s: &Server) -> Vec<Route> {
    let today = today();
    let h = format!("/households/{}", s.households[1]);
    let opening = format!("/openings/{}", s.opening_a);
    let referral = format!("/referrals/{}", s.referral);
    vec![
        Route {
            path: h.clone(),
            form: form(&[
                ("form", "attempt"),
                ("date", &today),
                ("method", "phone"),
                ("note", "Called, no answer."),
            ]),
            json: None,
            allowed: "access",
            // Agency B has no referral of this household; the admin takes
            // no part in the workflow.
            refused: vec!["provider-b", "admin"],
        },
        Route {
            path: "/enroll".to_owned(),
            form: form(&[
                ("form", "enroll"),
                ("coalition", "Coulee"),
                ("project_start", &today),
                ("veteran", "0"),
                ("disabling_condition", "0"),
                ("prior_situation", "116"),
                ("times_homeless", "1"),
                ("months_homeless", "101"),
                ("living_situation", "116"),
            ]),
            json: None,
            allowed: "access",
            refused: vec!["provider-a", "admin"],
        },
        Route {
            path: "/openings".to_owned(),
            form: form(&[
                ("form", "post"),
                ("date", &today),
                ("program", "Scattered-site RRH"),
                ("program_type", "rrh"),
                ("coalition", "Coulee"),
                ("type_adults-only", "on"),
                ("units", "1"),
            ]),
            json: None,
            allowed: "provider-a",
            refused: vec!["access", "admin"],
        },
        Route {
            path: referral.clone(),
            form: form(&[("form", "acknowledge"), ("date", &today)]),
            json: None,
            allowed: "provider-a",
            refused: vec!["provider-b", "access", "admin"],
        },
        Route {
            path: "/lead".to_owned(),
            form: form(&[("form", "expire"), ("as_of", &today)]),
            json: None,
            allowed: "lead",
            refused: vec!["access", "provider-a", "admin"],
        },
        Route {
            path: "/lead".to_owned(),
            form: form(&[("form", "sweep"), ("as_of", &today)]),
            json: None,
            allowed: "lead",
            refused: vec!["access", "provider-a", "admin"],
        },
        Route {
            path: "/admin/users".to_owned(),
            form: form(&[
                ("form", "add"),
                ("name", "new-access"),
                ("role", "access"),
                ("agency", "Couleecap"),
                ("password", PASSWORD),
            ]),
            json: None,
            allowed: "admin",
            refused: vec!["lead", "access", "provider-a"],
        },
        Route {
            path: "/admin/users".to_owned(),
            form: form(&[("form", "disable"), ("name", "provider-b")]),
            json: None,
            allowed: "admin",
            refused: vec!["lead", "access"],
        },
        Route {
            path: "/admin/users".to_owned(),
            form: form(&[("form", "enable"), ("name", "provider-b")]),
            json: None,
            allowed: "admin",
            refused: vec!["lead", "provider-a"],
        },
        Route {
            path: "/admin/users".to_owned(),
            form: form(&[
                ("form", "password"),
                ("name", "provider-b"),
                ("password", PASSWORD),
            ]),
            json: None,
            allowed: "admin",
            refused: vec!["lead", "access"],
        },
        Route {
            path: "/api/commands".to_owned(),
            form: Vec::new(),
            json: Some(json!({
                "command": "attempt_contact",
                "household": s.households[0],
                "date": today,
                "method": "phone",
                "left_message": false,
                "note": "Called, no answer."
            })),
            allowed: "access",
            refused: vec!["provider-b", "admin"],
        },
        // Last: the opening's referral is withdrawn with it.
        Route {
            path: opening.clone(),
            form: form(&[
                ("form", "withdraw"),
                ("date", &today),
                ("reason", "unit sold"),
            ]),
            json: None,
            allowed: "provider-a",
            refused: vec!["provider-b", "access"],
        },
    ]
}

/// What a refused request must leave as it was.
fn written(s: &Server) -> (u64, usize, usize) {
    (
        s.events(),
        s.app.workflow.store().all_views().unwrap().len(),
        s.app.accounts.log().unwrap().len(),
    )
}

/// Sends `route` as `client` with `csrf` (none: no token at all).
async fn send(s: &Server, client: &Client, route: &Route, csrf: Option<&str>) -> StatusCode {
    match &route.json {
        Some(body) => {
            let mut request = client.post(s.url(&route.path)).json(body);
            if let Some(csrf) = csrf {
                request = request.header("x-csrf-token", csrf);
            }
            request.send().await.unwrap().status()
        }
        None => {
            let mut fields = route.form.clone();
            if let Some(csrf) = csrf {
                fields.push(("csrf".to_owned(), csrf.to_owned()));
            }
            client
                .post(s.url(&route.path))
                .form(&fields)
                .send()
                .await
                .unwrap()
                .status()
        }
    }
}

#[tokio::test]
async fn every_write_is_refused_without_a_session_a_token_or_the_right_role_and_writes_nothing() {
    let s = start(|_| {}).await;
    let routes = routes(&s);
    let before = written(&s);
    for route in &routes {
        let what = format!("{} {:?}", route.path, route.form.first());
        // No session at all.
        let status = send(&s, &client(), route, Some("no-session")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "no session: {what}");
        // The right user, without a CSRF token and with a wrong one.
        let (c, csrf) = s.login(route.allowed).await;
        assert_eq!(
            send(&s, &c, route, None).await,
            StatusCode::FORBIDDEN,
            "no CSRF token: {what}"
        );
        let wrong = format!("{csrf}0");
        assert_eq!(
            send(&s, &c, route, Some(&wrong)).await,
            StatusCode::FORBIDDEN,
            "a wrong CSRF token: {what}"
        );
        // Users who may not.
        for user in &route.refused {
            let (c, csrf) = s.login(user).await;
            let status = send(&s, &c, route, Some(&csrf)).await;
            assert!(
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                "{user}: {what}: {status}"
            );
        }
        assert_eq!(written(&s), before, "a refused request wrote: {what}");
    }
    // Each route's own request, by a user who may, succeeds.
    for route in &routes {
        let (c, csrf) = s.login(route.allowed).await;
        let status = send(&s, &c, route, Some(&csrf)).await;
        let ok = if route.json.is_some() {
            StatusCode::OK
        } else {
            StatusCode::SEE_OTHER
        };
        assert_eq!(
            status,
            ok,
            "{} {}: {:?}",
            route.allowed,
            route.path,
            route.form.first()
        );
    }
    assert!(s.events() > before.0);
}

#[tokio::test]
async fn an_ended_session_writes_nothing_on_any_route() {
    let s = start(|c| c.idle_seconds = 1).await;
    let routes = routes(&s);
    let mut signed_in = Vec::new();
    for route in &routes {
        signed_in.push(s.login(route.allowed).await);
    }
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let before = written(&s);
    for (route, (c, csrf)) in routes.iter().zip(&signed_in) {
        let status = send(&s, c, route, Some(csrf)).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{} {:?}",
            route.path,
            route.form.first()
        );
    }
    assert_eq!(written(&s), before);
}

#[tokio::test]
async fn the_lead_page_lists_overdue_referrals_and_households_due_for_inactivity() {
    let s = start(|_| {}).await;
    let (lead, _) = s.login("lead").await;
    let page = s.text(&lead, "/lead").await;
    // The harness's referral was offered on 2025-02-02: long overdue.
    assert!(page.contains(&s.referral.to_string()), "{page}");
    // Both households were last contacted in January 2025: due for the
    // inactivity sweep.
    for household in &s.households {
        assert!(page.contains(&household.to_string()), "{household}: {page}");
    }
    // After the sweep and the expiry, neither list holds them.
    let (lead, csrf) = s.login("lead").await;
    for form in ["sweep", "expire"] {
        let r = lead
            .post(s.url("/lead"))
            .form(&[("csrf", csrf.as_str()), ("form", form), ("as_of", &today())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{form}");
    }
    let page = s.text(&lead, "/lead").await;
    assert!(!page.contains(&s.referral.to_string()), "{page}");
}

#[tokio::test]
async fn the_api_gives_the_lead_the_data_quality_lists_and_nobody_else() {
    let s = start(|_| {}).await;
    let (lead, _) = s.login("lead").await;
    let quality = s.json(&lead, "/api/data-quality").await;
    let overdue = quality["overdue_referrals"].as_array().unwrap();
    assert_eq!(overdue.len(), 1, "{quality}");
    assert_eq!(overdue[0]["id"], json!(s.referral));
    assert_eq!(
        quality["due_for_inactivity"].as_array().unwrap().len(),
        2,
        "{quality}"
    );
    for user in ["access", "provider-a", "admin"] {
        let (c, _) = s.login(user).await;
        assert_eq!(
            s.status(&c, "/api/data-quality").await,
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
}

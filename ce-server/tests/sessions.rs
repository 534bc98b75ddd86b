//! Sessions and accounts over loopback HTTP: the cookie's flags, both
//! expiries for pages, forms and the API, and a password set beside the
//! server (as `ce user passwd` does) ending the sessions and API tokens
//! issued under the old one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "tests fail loudly"
)]

mod common;

use std::time::Duration;

use ce_core::EventStore;
use common::*;
use reqwest::StatusCode;

/// The `Set-Cookie` header of a sign-in as `name`.
async fn sign_in_cookie(s: &Server, name: &str) -> String {
    let r = s.sign_in(&client(), name).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("ce_session="))
        .expect("a session cookie")
}

#[tokio::test]
async fn the_session_cookie_is_http_only_strict_and_secure_when_configured() {
    let plain = start(|_| {}).await;
    let cookie = sign_in_cookie(&plain, "lead").await;
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    let secure = start(|c| c.secure_cookies = true).await;
    let cookie = sign_in_cookie(&secure, "lead").await;
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_expiry_even_in_use_for_pages_forms_and_the_api() {
    let s = start(|c| {
        c.idle_seconds = 60;
        c.absolute_seconds = 2;
    })
    .await;
    let (c, csrf) = s.login("access").await;
    // In use every half second: the idle clock never runs out.
    for _ in 0..3 {
        assert_eq!(s.status(&c, "/lists").await, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(s.status(&c, "/lists").await, StatusCode::SEE_OTHER);
    // A form and an API call of the ended session write nothing.
    let before = s.events();
    let today = today();
    let r = c
        .post(s.url(&format!("/households/{}", s.households[1])))
        .form(&[
            ("csrf", csrf.as_str()),
            ("form", "attempt"),
            ("date", today.as_str()),
            ("method", "phone"),
            ("note", "Called, no answer."),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.status().is_client_error() || r.status().is_redirection());
    let r = c.get(s.url("/api/me")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(s.events(), before);
}

#[tokio::test]
async fn a_password_set_beside_the_server_ends_sessions_and_api_tokens() {
    let s = start(|_| {}).await;
    let (c, _) = s.login("access").await;
    assert_eq!(s.status(&c, "/lists").await, StatusCode::OK);
    let token = s
        .app
        .accounts
        .issue_token("admin", chrono::Utc::now(), "access")
        .unwrap();
    let api = client();
    let me = |client: &reqwest::Client| client.get(s.url("/api/me")).bearer_auth(&token).send();
    assert_eq!(me(&api).await.unwrap().status(), StatusCode::OK);
    // `ce user passwd` writes the same accounts log from another process.
    let beside = ce_server::accounts::Accounts::open(&s.app.config.state_dir).unwrap();
    beside
        .set_password("ce-cli", chrono::Utc::now(), "access", PASSWORD)
        .unwrap();
    assert_eq!(s.status(&c, "/lists").await, StatusCode::SEE_OTHER);
    assert_eq!(me(&api).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    // Signing in again under the new password works, and another
    // account's session was not touched.
    let (again, _) = s.login("access").await;
    assert_eq!(s.status(&again, "/lists").await, StatusCode::OK);
}

#[tokio::test]
async fn a_graceful_shutdown_answers_the_requests_in_flight_and_loses_none_it_acknowledged() {
    let mut s = start(|_| {}).await;
    let (c, csrf) = s.login("access").await;
    let today = today();
    let household = s.households[0];
    // Forty follow-ups at once; the shutdown starts while they are in
    // flight.
    let requests: Vec<_> = (0..40)
        .map(|i| {
            let c = c.clone();
            let url = s.url("/api/commands");
            let csrf = csrf.clone();
            let today = today.clone();
            tokio::spawn(async move {
                c.post(url)
                    .header("x-csrf-token", csrf)
                    .json(&serde_json::json!({
                        "command": "attempt_contact",
                        "household": household,
                        "date": today,
                        "method": "phone",
                        "left_message": false,
                        "note": format!("Attempt {i} during shutdown."),
                    }))
                    .send()
                    .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(5)).await;
    s.stop.take().unwrap().send(()).unwrap();
    let mut acknowledged = Vec::new();
    for request in requests {
        // A request sent after the listener closed never reached the
        // server; one that did is answered in full.
        if let Ok(response) = request.await.unwrap() {
            let status = response.status();
            assert!(!status.is_server_error(), "{status}");
            if status.is_success() {
                let body: serde_json::Value = response.json().await.unwrap();
                for event in body["events"].as_array().unwrap() {
                    acknowledged.push(event["event_id"].clone());
                }
            }
        }
    }
    s.serving.take().unwrap().await.unwrap();
    assert!(!acknowledged.is_empty(), "no request was in flight");
    let log = s.app.workflow.store().read_from(0, usize::MAX).unwrap();
    for id in &acknowledged {
        let id: ce_core::EventId = serde_json::from_value(id.clone()).unwrap();
        assert!(
            log.iter().any(|e| e.event_id == id),
            "acknowledged {id} is not in the log"
        );
    }
}

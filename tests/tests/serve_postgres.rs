//! `ce serve` on the PostgreSQL store: the API enrolls, follows up and
//! reads a household through the server, and the log verifies. Skipped
//! (loudly) without `CE_TEST_POSTGRES_URL`, a failure under `CI=true`.

use std::sync::Arc;

use ce_core::EventStore;
use ce_server::{AccountRole, Config};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_runs_the_workflow_on_postgresql() {
    // The synchronous PostgreSQL client runs its own runtime: it is made,
    // used and dropped on blocking threads, as the server does.
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config {
        state_dir: dir.path().join("state"),
        ..Config::default()
    };
    let opened = tokio::task::spawn_blocking(move || {
        let store = Arc::new(ce_tests::postgres::store()?);
        let shared: ce_server::Store = Arc::clone(&store) as ce_server::Store;
        Some((
            Arc::clone(&store),
            ce_server::app(config, shared).expect("app"),
        ))
    })
    .await
    .expect("joined");
    let Some((store, app)) = opened else {
        return;
    };
    let now = chrono::Utc::now();
    app.accounts
        .add(
            "test",
            now,
            "ana",
            AccountRole::Access,
            "Couleecap",
            "a long enough password",
        )
        .expect("account");
    let token = app.accounts.issue_token("test", now, "ana").expect("token");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(ce_server::serve_on(
        listener,
        Arc::clone(&app),
        std::future::pending(),
    ));
    let client = reqwest::Client::new();
    let today = now.date_naive();
    let post = |body: Value| {
        client
            .post(format!("{base}/api/commands"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let enrolled: Value = post(json!({
        "command": "enroll",
        "coalition": "Coulee",
        "project_start": today,
        "members": [{"client": uuid::Uuid::new_v4(), "relationship": 1, "veteran": 0,
                     "disabling_condition": 0, "first_name": "Ana", "birth_date": "1980-05-01"}],
        "prior": {"living_situation": 116, "times_homeless": 1, "months_homeless": 101},
        "current": {"living_situation": 116},
    }))
    .await
    .expect("enroll")
    .json()
    .await
    .expect("json");
    let household = enrolled["outcome"]["Enrolled"]["household"]
        .as_str()
        .or_else(|| enrolled["outcome"]["household"].as_str())
        .unwrap_or_else(|| panic!("no household in {enrolled}"))
        .to_owned();
    let r = post(json!({
        "command": "follow_up", "household": household, "date": today,
        "status": {"residence": 116, "months_homeless": 102},
        "current": {"living_situation": 116}, "note": "Seen at the library.",
    }))
    .await
    .expect("follow-up");
    assert!(r.status().is_success(), "{:?}", r.text().await);
    let shown: Value = client
        .get(format!("{base}/api/households/{household}"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("read")
        .json()
        .await
        .expect("json");
    assert_eq!(shown["household"]["months_homeless"], 102, "{shown}");
    server.abort();
    let _ = server.await;
    let log = tokio::task::spawn_blocking(move || {
        let log = store.read_from(0, 1000).expect("log");
        drop((app, store));
        log
    })
    .await
    .expect("joined");
    ce_tests::postgres::verified(&log, today);
    assert!(log.iter().all(|e| e.actor.user.0 == "ana"));
}

//! The server under load: clients posting follow-ups through the JSON API
//! of an in-process `ce serve` on a sled store, for a fixed time. Shared by
//! the load test (short, checks correctness) and the `serve_load` bench
//! (30 s runs, prints throughput and latency).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ce_core::testing::{date, HouseholdBuilder};
use ce_core::{Actor, CommandMeta, EventId, EventStore, HouseholdId, Outcome, Role};
use ce_server::{AccountRole, Config};
use ce_store_sled::SledStore;
use serde_json::{json, Value};

/// What a run measured.
#[derive(Debug, Clone)]
pub struct LoadResult {
    /// Follow-ups acknowledged (200 with events).
    pub acknowledged: usize,
    /// Requests that did not succeed, with what they answered.
    pub errors: Vec<String>,
    /// Acknowledged follow-ups per second.
    pub per_second: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Event ids the server acknowledged.
    pub events: Vec<EventId>,
}

/// Enrolls `households` listed households in the store at `dir`.
fn seed(store: &Arc<SledStore>, households: usize) -> Vec<HouseholdId> {
    let workflow = ce_core::Workflow::open(Arc::clone(store)).expect("workflow");
    let meta = || {
        CommandMeta::new(
            Actor::new("seed", "Couleecap", Role::Access),
            chrono::Utc::now(),
        )
    };
    (0..households)
        .map(|i| {
            let builder = HouseholdBuilder::single_adult("Coulee")
                .starting(date(2025, 1, 6))
                .placed_with_score((i % 17) as u32);
            let Outcome::Enrolled { household } = workflow
                .execute(&meta(), builder.enroll.clone())
                .expect("enroll")
                .outcome
            else {
                panic!("enroll gave another outcome")
            };
            if let Some(assess) = builder.assessment(household) {
                workflow.execute(&meta(), assess).expect("assess");
            }
            household
        })
        .collect()
}

/// Runs `clients` clients posting follow-ups for `seconds` against a
/// server on a new sled store in `dir` (flushing once per append when
/// `per_append`), then stops the server and checks every acknowledged
/// event is in the log. The store is closed when this returns.
pub fn run(dir: &Path, clients: usize, seconds: f64, per_append: bool) -> LoadResult {
    let store = Arc::new(SledStore::open(dir.join("ce-data")).expect("store"));
    store.set_flush_per_append(per_append);
    let households = seed(&store, clients.max(1) * 2);
    let config = Config {
        state_dir: dir.join("ce-serve"),
        ..Config::default()
    };
    let app = ce_server::app(config, Arc::clone(&store) as ce_server::Store).expect("app");
    app.accounts
        .add(
            "load",
            chrono::Utc::now(),
            "worker",
            AccountRole::Access,
            "Couleecap",
            "load test password",
        )
        .expect("account");
    let token = app
        .accounts
        .issue_token("load", chrono::Utc::now(), "worker")
        .expect("token");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(ce_server::serve_on(listener, Arc::clone(&app), async {
            let _ = stopped.await;
        }));
        let started = Instant::now();
        let deadline = started + Duration::from_secs_f64(seconds);
        let today = chrono::Utc::now().date_naive();
        let tasks: Vec<_> = (0..clients)
            .map(|c| {
                let (base, token) = (base.clone(), token.clone());
                let mine = [households[2 * c], households[2 * c + 1]];
                tokio::spawn(async move {
                    let client = reqwest::Client::new();
                    let (mut latencies, mut events, mut errors) =
                        (Vec::new(), Vec::new(), Vec::new());
                    let mut i = 0usize;
                    while Instant::now() < deadline {
                        let body = json!({
                            "command": "follow_up",
                            "household": mine[i % 2],
                            "date": today,
                            "status": {"residence": 116, "months_homeless": 103},
                            "current": {"living_situation": 116},
                            "note": format!("Load test contact {i} by client {c}."),
                        });
                        i += 1;
                        let sent = Instant::now();
                        let answer = client
                            .post(format!("{base}/api/commands"))
                            .bearer_auth(&token)
                            .json(&body)
                            .send()
                            .await;
                        match answer {
                            Ok(r) if r.status().is_success() => {
                                latencies.push(sent.elapsed());
                                let v: Value = r.json().await.unwrap_or(Value::Null);
                                let ids: Vec<EventId> = v["events"]
                                    .as_array()
                                    .map(|a| {
                                        a.iter()
                                            .filter_map(|e| {
                                                serde_json::from_value(e["event_id"].clone()).ok()
                                            })
                                            .collect()
                                    })
                                    .unwrap_or_default();
                                if ids.is_empty() {
                                    errors.push(format!("acknowledged without events: {v}"));
                                }
                                events.extend(ids);
                            }
                            Ok(r) => errors.push(format!(
                                "{}: {}",
                                r.status(),
                                r.text().await.unwrap_or_default()
                            )),
                            Err(e) => errors.push(e.to_string()),
                        }
                    }
                    (latencies, events, errors)
                })
            })
            .collect();
        let mut latencies = Vec::new();
        let mut events = Vec::new();
        let mut errors = Vec::new();
        for task in tasks {
            let (l, e, x) = task.await.expect("client task");
            latencies.extend(l);
            events.extend(e);
            errors.extend(x);
        }
        let elapsed = started.elapsed().as_secs_f64();
        let _ = stop.send(());
        server.await.expect("server task").expect("server");
        latencies.sort();
        let at = |q: f64| {
            latencies
                .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        LoadResult {
            acknowledged: latencies.len(),
            errors,
            per_second: latencies.len() as f64 / elapsed,
            p50: at(0.5),
            p99: at(0.99),
            events,
        }
    });
    drop(runtime);
    drop(app);
    for id in &result.events {
        assert!(
            store.position_of(*id).expect("read").is_some(),
            "acknowledged event {id} is not in the log"
        );
    }
    result
}

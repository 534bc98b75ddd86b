//! The harness of the loopback HTTP tests: a server on a memory store
//! with one account per role, two listed households, an opening of each
//! provider agency, and a referral of the top household to Agency A.

#![allow(dead_code, reason = "each test binary uses part of the harness")]

use std::sync::Arc;

use ce_core::testing::{date, opening, HouseholdBuilder};
use ce_core::{
    Actor, CommandMeta, EventStore, HouseholdId, MemoryStore, OpeningId, Outcome, ProgramType,
    ReferralId, Role,
};
use ce_server::{AccountRole, App, Config};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use serde_json::Value;

pub const PASSWORD: &str = "a long enough password";

pub struct Server {
    pub base: String,
    pub app: Arc<App>,
    pub _dir: tempfile::TempDir,
    pub households: Vec<HouseholdId>,
    pub opening_a: OpeningId,
    pub referral: ReferralId,
    /// Starts the graceful shutdown.
    pub stop: Option<tokio::sync::oneshot::Sender<()>>,
    /// The serving task: done once the shutdown finished.
    pub serving: Option<tokio::task::JoinHandle<()>>,
}

pub fn meta(user: &str, agency: &str, role: Role) -> CommandMeta {
    CommandMeta::new(Actor::new(user, agency, role), chrono::Utc::now())
}

pub async fn start(tweak: impl FnOnce(&mut Config)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        state_dir: dir.path().join("state"),
        ..Config::default()
    };
    tweak(&mut config);
    let store: ce_server::Store = Arc::new(MemoryStore::new());
    let app = ce_server::app(config, store).unwrap();
    let now = chrono::Utc::now();
    for (name, role, agency) in [
        ("admin", AccountRole::Admin, "BoS CE"),
        ("lead", AccountRole::Lead, "BoS CE"),
        ("access", AccountRole::Access, "Couleecap"),
        ("access-other", AccountRole::Access, "Western Dairyland"),
        ("provider-a", AccountRole::Provider, "Agency A"),
        ("provider-b", AccountRole::Provider, "Agency B"),
    ] {
        app.accounts
            .add("test", now, name, role, agency, PASSWORD)
            .unwrap();
    }
    // Two listed households (the first with markup in its name), an
    // opening of Agency A, and a referral of the top household to it.
    let w = &app.workflow;
    let mut households = Vec::new();
    for (i, name) in ["<script>alert('x')</script>", "Bea"]
        .into_iter()
        .enumerate()
    {
        let mut builder =
            HouseholdBuilder::single_adult("Coulee").placed_with_score(10 - i as u32 * 5);
        builder.enroll.members[0].first_name = Some(name.to_owned());
        let Outcome::Enrolled { household } = w
            .execute(
                &meta("access", "Couleecap", Role::Access),
                builder.enroll.clone(),
            )
            .unwrap()
            .outcome
        else {
            panic!("not enrolled")
        };
        w.execute(
            &meta("access", "Couleecap", Role::Access),
            builder.assessment(household).unwrap(),
        )
        .unwrap();
        households.push(household);
    }
    let post = |agency: &str| {
        let user = if agency == "Agency A" {
            "provider-a"
        } else {
            "provider-b"
        };
        match w
            .execute(
                &meta(user, agency, Role::Provider),
                opening(ProgramType::Rrh, "Coulee", date(2025, 2, 1)),
            )
            .unwrap()
            .outcome
        {
            Outcome::Posted { opening } => opening,
            other => panic!("{other:?}"),
        }
    };
    let opening_a = post("Agency A");
    post("Agency B");
    let referral = match w
        .execute(
            &meta("lead", "BoS CE", Role::Lead),
            ce_core::Refer {
                opening: opening_a,
                date: date(2025, 2, 2),
                household: None,
                bypass_reason: None,
            },
        )
        .unwrap()
        .outcome
    {
        Outcome::Referred { referral, .. } => referral,
        other => panic!("{other:?}"),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serving = Arc::clone(&app);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(async move {
        ce_server::serve_on(listener, serving, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    Server {
        base,
        app,
        _dir: dir,
        households,
        opening_a,
        referral,
        stop: Some(stop),
        serving: Some(serving),
    }
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET `path` as `client`: the status.
    pub async fn status(&self, client: &Client, path: &str) -> StatusCode {
        client.get(self.url(path)).send().await.unwrap().status()
    }

    /// GET `path` as `client`: the body as text.
    pub async fn text(&self, client: &Client, path: &str) -> String {
        client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// GET `path` as `client`: the body as JSON.
    pub async fn json(&self, client: &Client, path: &str) -> Value {
        client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub fn events(&self) -> u64 {
        self.app.workflow.store().next_position().unwrap()
    }

    /// A client signed in as `name`, and its session's CSRF token.
    pub async fn login(&self, name: &str) -> (Client, String) {
        let client = client();
        let response = self.sign_in(&client, name).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-in as {name}"
        );
        let me: Value = client
            .get(self.url("/api/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let csrf = me["csrf"].as_str().unwrap().to_owned();
        (client, csrf)
    }
}

impl Server {
    /// Sends the sign-in form as `name` through `client`: the answer.
    pub async fn sign_in(&self, client: &Client, name: &str) -> reqwest::Response {
        let page = client.get(self.url("/login")).send().await.unwrap();
        let html = page.text().await.unwrap();
        let token = between(&html, "name=\"login_csrf\" value=\"", "\"");
        client
            .post(self.url("/login"))
            .form(&[
                ("login_csrf", token.as_str()),
                ("name", name),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap()
    }
}

pub fn between(text: &str, start: &str, end: &str) -> String {
    let from = text.find(start).map(|i| i + start.len()).expect(start);
    let to = text[from..].find(end).unwrap() + from;
    text[from..to].to_owned()
}

pub fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

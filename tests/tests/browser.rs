//! `ce serve` in a real browser: headless Chromium (Debian's `chromium`,
//! which `.ci/run` installs) signs in as each role and walks the workflow
//! through the pages: the priority list, a follow-up with contact, an
//! opening posted by a provider, a referral by the lead, its acceptance by
//! the provider, and the household's history. It fails on any console
//! error and on any link of a visited page that does not answer 200, and
//! saves a screenshot of each main page (into `docs/screenshots/` with
//! `CE_UPDATE_SCREENSHOTS=1`, else into `target/screenshots/`).
//!
//! Without a Chromium (`CE_CHROMIUM` names one; else `chromium` or
//! `chromium-browser` on PATH) the test says it was skipped, unless `CI`
//! is set, where that is a failure.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ce_tests::cli::{ce, ce_std, describe};
use ce_tests::serve::Serving;
use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::log::{EnableParams, EventEntryAdded};
use chromiumoxide::cdp::js_protocol::runtime::{
    ConsoleApiCalledType, EventConsoleApiCalled, EventExceptionThrown,
};
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::Page;
use futures_util::StreamExt;

const PASSWORD: &str = "browser test password";

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CE_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// `ce serve` on `store` with its accounts in `state`.
fn serve(store: &Path, state: &Path) -> Serving {
    let mut cmd = ce_std();
    cmd.args(["--store"])
        .arg(store)
        .args(["serve", "--listen", "127.0.0.1:0", "--state-dir"])
        .arg(state)
        .stderr(Stdio::inherit());
    Serving::start(cmd)
}

fn add_user(state: &Path, name: &str, role: &str, agency: &str) {
    let mut child = ce_std()
        .arg("user")
        .arg("--state-dir")
        .arg(state)
        .args(["add", name, role, agency, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("ce user add");
    writeln!(child.stdin.take().expect("stdin"), "{PASSWORD}").expect("write password");
    assert!(child.wait().expect("waits").success(), "ce user add {name}");
}

/// Everything the browser reported as an error.
type Errors = Arc<Mutex<Vec<String>>>;

async fn watch(page: &Page, errors: &Errors) {
    page.execute(EnableParams::default())
        .await
        .expect("log domain");
    let mut console = page
        .event_listener::<EventConsoleApiCalled>()
        .await
        .expect("console events");
    let mut exceptions = page
        .event_listener::<EventExceptionThrown>()
        .await
        .expect("exception events");
    let mut log = page
        .event_listener::<EventEntryAdded>()
        .await
        .expect("log events");
    let e = Arc::clone(errors);
    tokio::spawn(async move {
        while let Some(event) = console.next().await {
            if event.r#type == ConsoleApiCalledType::Error {
                e.lock()
                    .expect("lock")
                    .push(format!("console.error: {:?}", event.args));
            }
        }
    });
    let e = Arc::clone(errors);
    tokio::spawn(async move {
        while let Some(event) = exceptions.next().await {
            e.lock()
                .expect("lock")
                .push(format!("exception: {:?}", event.exception_details.text));
        }
    });
    let e = Arc::clone(errors);
    tokio::spawn(async move {
        while let Some(event) = log.next().await {
            let entry = &event.entry;
            if format!("{:?}", entry.level)
                .to_lowercase()
                .contains("error")
            {
                e.lock()
                    .expect("lock")
                    .push(format!("log: {} {:?}", entry.text, entry.url));
            }
        }
    });
}

struct Walk {
    page: Page,
    base: String,
    shots: PathBuf,
    errors: Errors,
}

impl Walk {
    async fn go(&self, path: &str) {
        self.page
            .goto(format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
        self.loaded().await;
        self.check_links().await;
    }

    async fn url(&self) -> String {
        self.page.url().await.expect("url").unwrap_or_default()
    }

    async fn html(&self) -> String {
        self.page.content().await.expect("content")
    }

    /// Sets a field's value (text, date, select) in the form that carries
    /// `form` in its hidden `form` field.
    async fn set(&self, form: &str, name: &str, value: &str) {
        let js = format!(
            "(() => {{ const f = document.querySelector('form:has(input[name=form][value=\"{form}\"]) [name=\"{name}\"]'); \
             if (!f) return false; f.value = {value:?}; return true; }})()"
        );
        let found: bool = self
            .page
            .evaluate(js)
            .await
            .expect("evaluate")
            .into_value()
            .expect("bool");
        assert!(
            found,
            "no field {name} in form {form} on {}",
            self.url().await
        );
    }

    /// Clicks `selector` and waits for the page it leads to.
    async fn click(&self, selector: &str) {
        let url = self.url().await;
        self.mark().await;
        self.page
            .find_element(selector)
            .await
            .unwrap_or_else(|e| panic!("no {selector} on {url}: {e}"))
            .click()
            .await
            .expect("click");
        self.loaded().await;
        self.check_links().await;
    }

    /// Marks the current document, so that [`loaded`](Self::loaded) can
    /// tell the next one from it.
    async fn mark(&self) {
        self.page
            .evaluate("window.__ce_old = true")
            .await
            .expect("mark the page");
    }

    /// Waits until a new document (without the mark) has loaded: a form's
    /// POST, its redirect and the page after it.
    async fn loaded(&self) {
        for _ in 0..300 {
            let ready = self
                .page
                .evaluate("window.__ce_old === undefined && document.readyState === 'complete'")
                .await
                .ok()
                .and_then(|r| r.into_value::<bool>().ok())
                .unwrap_or(false);
            if ready {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no new page after 30 s on {}", self.url().await);
    }

    /// Submits the form that carries `form` in its hidden `form` field.
    async fn submit(&self, form: &str) {
        self.click(&format!(
            "form:has(input[name=form][value=\"{form}\"]) button[type=submit]"
        ))
        .await;
    }

    async fn sign_in(&self, name: &str) {
        self.go("/login").await;
        let field = self.page.find_element("#name").await.expect("name field");
        field.click().await.expect("focus");
        field.type_str(name).await.expect("type name");
        let field = self.page.find_element("#password").await.expect("password");
        field.click().await.expect("focus");
        field.type_str(PASSWORD).await.expect("type password");
        self.click("main button[type=submit]").await;
        assert!(
            !self.url().await.ends_with("/login"),
            "sign-in as {name} failed: {}",
            self.html().await
        );
    }

    async fn sign_out(&self) {
        self.click("header form button[type=submit]").await;
        assert!(self.url().await.ends_with("/login"));
    }

    /// Saves the visible part of the page (1280×900) as `name`.png; the
    /// docs show every one, so each must be in `docs/screenshots/`.
    async fn shot(&self, name: &str) {
        let documented = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../docs/screenshots")
            .join(format!("{name}.png"));
        assert!(
            documented.is_file() || std::env::var_os("CE_UPDATE_SCREENSHOTS").is_some(),
            "{} is missing: run the test with CE_UPDATE_SCREENSHOTS=1",
            documented.display()
        );
        let path = self.shots.join(format!("{name}.png"));
        self.page
            .save_screenshot(ScreenshotParams::builder().build(), &path)
            .await
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
    }

    /// Scrolls the section headed `heading` to the top of the window, then
    /// saves the screenshot `name`: what the docs mean by that page.
    async fn shot_of_section(&self, name: &str, heading: &str) {
        let js = format!(
            "(() => {{ const h = Array.from(document.querySelectorAll('h2')).find(h => h.textContent.trim() === {heading:?}); \
             if (!h) return false; h.scrollIntoView(); return true; }})()"
        );
        let found: bool = self
            .page
            .evaluate(js)
            .await
            .expect("evaluate")
            .into_value()
            .expect("bool");
        assert!(found, "no section {heading} on {}", self.url().await);
        self.shot(name).await;
    }

    /// Every link of the page answers 200 (fetched by the page itself, so
    /// with its session).
    async fn check_links(&self) {
        let js = "Promise.all(Array.from(document.querySelectorAll('a[href]')).map(a => a.href)\
                  .filter(h => h.startsWith(location.origin))\
                  .map(h => fetch(h).then(r => [h, r.status])))";
        let statuses: Vec<(String, u16)> = self
            .page
            .evaluate(js)
            .await
            .expect("fetch links")
            .into_value()
            .expect("statuses");
        let url = self.url().await;
        for (href, status) in statuses {
            assert_eq!(status, 200, "broken link {href} on {url}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caseworker_provider_and_lead_walk_the_workflow_in_chromium() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but there is no chromium to run the browser test"
        );
        eprintln!("skipped: no chromium (set CE_CHROMIUM or install Debian's chromium)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("ce-data");
    let state = dir.path().join("ce-serve");
    let out = ce()
        .arg("--store")
        .arg(&store)
        .args(["demo", "--households", "60"])
        .output()
        .expect("ce demo");
    assert!(out.status.success(), "{}", describe("demo", &out));
    add_user(&state, "ana", "access", "Couleecap");
    add_user(&state, "pat", "provider", "Coulee Housing Partners");
    add_user(&state, "lee", "lead", "BoS CE");
    let serve = serve(&store, &state);

    let (mut browser, mut handler) = Browser::launch(
        BrowserConfig::builder()
            .chrome_executable(chromium)
            .no_sandbox()
            .arg("--disable-gpu")
            .arg("--disable-dev-shm-usage")
            .user_data_dir(dir.path().join("chromium"))
            .window_size(1280, 900)
            .viewport(None)
            .request_timeout(Duration::from_secs(60))
            .build()
            .expect("browser config"),
    )
    .await
    .expect("chromium starts");
    let driving = tokio::spawn(async move { while handler.next().await.is_some() {} });
    let page = browser.new_page("about:blank").await.expect("a tab");
    let errors: Errors = Arc::default();
    watch(&page, &errors).await;
    let shots = if std::env::var_os("CE_UPDATE_SCREENSHOTS").is_some() {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots")
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots")
    };
    std::fs::create_dir_all(&shots).expect("screenshot directory");
    let w = Walk {
        page,
        base: serve.base.clone(),
        shots,
        errors: Arc::clone(&errors),
    };

    // Access-point staff: the list, a household, a follow-up with contact.
    w.go("/login").await;
    w.shot("login").await;
    w.sign_in("ana").await;
    w.go("/lists?coalition=Coulee").await;
    assert!(w.html().await.contains("Priority lists"));
    w.shot("priority-lists").await;
    w.click("main table tbody tr td a").await;
    assert!(w.url().await.contains("/households/"));
    w.set(
        "follow-up",
        "note",
        "Met at the day shelter; still sleeping outside.",
    )
    .await;
    w.set("follow-up", "location_details", "Riverside park")
        .await;
    w.submit("follow-up").await;
    let html = w.html().await;
    assert!(html.contains("Follow-up recorded"), "{html}");
    w.shot("household").await;
    w.sign_out().await;

    // A provider posts an opening.
    w.sign_in("pat").await;
    w.go("/openings").await;
    w.set("post", "program", "Coulee Rapid Re-Housing").await;
    w.set("post", "program_type", "rrh").await;
    w.set("post", "coalition", "Coulee").await;
    for t in ["adults-only", "with-children", "youth"] {
        w.page
            .find_element(format!("input[name=\"type_{t}\"]"))
            .await
            .expect("type checkbox")
            .click()
            .await
            .expect("check");
    }
    w.submit("post").await;
    let html = w.html().await;
    assert!(html.contains("Opening recorded"), "{html}");
    w.shot("openings").await;
    w.sign_out().await;

    // The lead refers the top eligible household to it.
    w.sign_in("lee").await;
    w.go("/openings").await;
    w.mark().await;
    let clicked: bool = w
        .page
        .evaluate(
            "(() => { const row = Array.from(document.querySelectorAll('main table tbody tr'))\
             .find(r => r.textContent.includes('Coulee Rapid Re-Housing'));\
             const b = row && row.querySelector('form:has(input[name=form][value=\"refer\"]) button');\
             if (!b) return false; b.click(); return true; })()",
        )
        .await
        .expect("refer click")
        .into_value()
        .expect("bool");
    assert!(clicked, "no refer button for the new opening");
    w.loaded().await;
    let html = w.html().await;
    assert!(html.contains("Referral recorded"), "{html}");
    w.go("/lead").await;
    w.shot("lead-tools").await;
    w.sign_out().await;

    // The provider accepts it from its inbox.
    w.sign_in("pat").await;
    w.go("/referrals").await;
    w.shot("referral-inbox").await;
    w.submit("accept").await;
    let html = w.html().await;
    assert!(html.contains("Acceptance recorded"), "{html}");
    let referred = {
        let start = html
            .find("href=\"/households/")
            .expect("a referred household")
            + 6;
        let end = html[start..].find('"').expect("end") + start;
        html[start..end].to_owned()
    };
    w.sign_out().await;

    // The lead reads the household's history.
    w.sign_in("lee").await;
    w.go(&referred).await;
    let html = w.html().await;
    assert!(html.contains("accepted on"), "{html}");
    assert!(html.contains("History"));
    w.shot_of_section("history", "History").await;
    w.go(&format!("{referred}/views")).await;
    assert!(w.html().await.contains("pat"));
    w.sign_out().await;

    browser.close().await.expect("browser closes");
    let _ = driving.await;
    let errors = w.errors.lock().expect("lock").clone();
    assert!(
        errors.is_empty(),
        "the browser reported errors: {errors:#?}"
    );
    serve.stop();
    let out = ce()
        .arg("--store")
        .arg(&store)
        .arg("verify")
        .output()
        .expect("ce verify");
    assert!(out.status.success(), "{}", describe("verify", &out));
}

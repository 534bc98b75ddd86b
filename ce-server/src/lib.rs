//! `ce serve`: the WI BoS Coordinated Entry workflow in a browser and over
//! a JSON API, for many users at once, on either store.
//!
//! Accounts (access, provider, lead, admin) sign in with a password
//! (argon2) and get a session cookie; every event's actor comes from the
//! session. Pages are rendered on the server (maud); the API beside them
//! runs the same operations with the same checks. Every household shown
//! is recorded in a view log. The library's calls run on tokio's blocking
//! pool; on the sled store, commands that arrive together share one flush
//! (see `Workflow::execute`).
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! let store = Arc::new(ce_core::MemoryStore::new());
//! let config = ce_server::Config::default();
//! let runtime = tokio::runtime::Runtime::new()?;
//! runtime.block_on(ce_server::serve(config, store, std::future::pending()))?;
//! # Ok(()) }
//! ```

pub mod accounts;
pub mod api;
mod app;
pub mod config;
mod files;
mod forms;
mod html;
mod pages;
pub mod sessions;

use std::future::Future;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

pub use accounts::{AccountRole, Accounts};
pub use app::{App, ServerStore, Store};
pub use config::Config;

/// What keeps the server from starting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The workflow could not be opened on the store.
    #[error("cannot open the workflow on the store: {0}")]
    Workflow(#[from] ce_core::Error),
    /// The accounts file cannot be read.
    #[error(transparent)]
    Accounts(#[from] accounts::AccountError),
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// A random token: 32 bytes from the OS, hex.
pub fn random_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The server's state on `store` under `config`: the workflow opened on
/// the store, the accounts and view log in `config.state_dir`.
pub fn app(config: Config, store: Store) -> Result<Arc<App>, ServeError> {
    let workflow = ce_core::Workflow::open(store)?;
    let accounts = Accounts::open(&config.state_dir)?;
    let sessions = sessions::Sessions::new(config.limits());
    Ok(Arc::new(App {
        workflow,
        accounts,
        sessions,
        config,
    }))
}

/// Every route, pages and API.
pub fn router(app: Arc<App>) -> Router {
    let limit = app.config.max_body_bytes;
    api::routes(Router::new())
        .route("/", get(pages::home))
        .route("/style.css", get(pages::style))
        .route("/login", get(pages::login_page).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/lists", get(pages::lists))
        .route("/lists/download", get(pages::download_lists))
        .route(
            "/households/{id}",
            get(pages::household).post(pages::household_post),
        )
        .route("/households/{id}/views", get(pages::household_views))
        .route("/enroll", get(pages::enroll_page).post(pages::enroll))
        .route("/openings", get(pages::openings).post(pages::post_opening))
        .route("/openings/{id}", post(pages::opening_action))
        .route("/referrals", get(pages::referrals))
        .route("/referrals/{id}", post(pages::referral_action))
        .route("/lead", get(pages::lead).post(pages::lead_post))
        .route("/admin/users", get(pages::users).post(pages::users_post))
        .fallback(pages::not_found)
        .layer(axum::middleware::map_response(security_headers))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(app)
}

/// Headers on every answer: no framing, no sniffing, nothing but this
/// server's own stylesheet and forms (the pages have no script), and no
/// caching of pages that hold client data.
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::header::{self, HeaderValue};
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Serves `store` until `shutdown` completes, then stops taking requests
/// and lets those in flight (and their appends) finish.
pub async fn serve(
    config: Config,
    store: Store,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let addr = config.listen;
    let app = tokio::task::spawn_blocking(move || app(config, store))
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))??;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Listen { addr, source })?;
    serve_on(listener, app, shutdown).await
}

/// Serves `app` on a bound listener (tests bind port 0).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    tracing::info!(addr = %listener.local_addr()?, "serving");
    axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown)
        .await?;
    tracing::info!("stopped; every request in flight finished");
    Ok(())
}

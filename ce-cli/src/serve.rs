//! `ce serve` and `ce user`: the server on the store `--store` names, and
//! its accounts. The server is the `ce-server` crate; this starts it.

use std::path::Path;

use ce_server::accounts::Accounts;
use ce_server::{AccountRole, Config};
use serde_json::json;

use crate::args::{ServeArgs, UserCommand};
use crate::context::Ctx;
use crate::error::CliError;
use crate::output::{to_stderr, Output};

/// Who `ce user` records as making a change: the OS user.
fn by() -> String {
    let os_user = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
    format!("ce user ({os_user})")
}

/// A password: the first line of stdin, or a new random one (printed).
fn password(from_stdin: bool) -> Result<(String, bool), CliError> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|source| CliError::Io {
                path: "stdin".into(),
                source,
            })?;
        return Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false));
    }
    let token = ce_server::random_token().map_err(|source| CliError::Io {
        path: "the random source".into(),
        source,
    })?;
    // 20 hex characters: 80 bits.
    Ok((token.chars().take(20).collect(), true))
}

/// `ce user ...`.
pub fn user(out: &Output, state_dir: &Path, command: &UserCommand) -> Result<(), CliError> {
    let accounts = Accounts::open(state_dir)?;
    let now = chrono::Utc::now();
    match command {
        UserCommand::Add {
            name,
            account_role: role,
            agency,
            password_stdin,
        } => {
            let (password, generated) = password(*password_stdin)?;
            accounts.add(&by(), now, name, *role, agency, &password)?;
            let text = if generated {
                format!("added {name} ({role}, {agency}); password (shown once): {password}")
            } else {
                format!("added {name} ({role}, {agency})")
            };
            out.emit(
                text,
                &json!({ "user": name, "role": role, "agency": agency,
                         "password": generated.then_some(&password) }),
            );
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            let (password, generated) = password(*password_stdin)?;
            accounts.set_password(&by(), now, name, &password)?;
            let text = if generated {
                format!("new password for {name} (shown once): {password}")
            } else {
                format!("password of {name} set")
            };
            out.emit(
                text,
                &json!({ "user": name, "password": generated.then_some(&password) }),
            );
        }
        UserCommand::Disable { name } => {
            accounts.set_disabled(&by(), now, name, true)?;
            out.emit(
                format!("disabled {name}"),
                &json!({ "user": name, "disabled": true }),
            );
        }
        UserCommand::Enable { name } => {
            accounts.set_disabled(&by(), now, name, false)?;
            out.emit(
                format!("enabled {name}"),
                &json!({ "user": name, "disabled": false }),
            );
        }
        UserCommand::Token { name } => {
            let token = accounts.issue_token(&by(), now, name)?;
            out.emit(
                format!("API token for {name} (shown once): {token}"),
                &json!({ "user": name, "token": token }),
            );
        }
        UserCommand::List => {
            let all = accounts.all()?;
            let text = all
                .iter()
                .map(|a| {
                    format!(
                        "{} ({}, {}){}",
                        a.name,
                        a.role,
                        a.agency,
                        if a.disabled { " disabled" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            out.emit(
                if text.is_empty() {
                    "no accounts".to_owned()
                } else {
                    text
                },
                &json!({ "accounts": all, "log": accounts.log()? }),
            );
        }
    }
    Ok(())
}

/// `ce serve`: creates the first admin account if there is none, then
/// serves until Ctrl-C or SIGTERM, letting requests in flight finish.
pub fn serve(ctx: &Ctx, args: &ServeArgs) -> Result<(), CliError> {
    let mut config = Config::load(args.config.as_deref())?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(dir) = &args.state_dir {
        config.state_dir = dir.clone();
    }
    config.secure_cookies |= args.secure_cookies;
    let accounts = Accounts::open(&config.state_dir)?;
    if accounts.is_empty()? {
        let (password, _) = password(false)?;
        accounts.add(
            &by(),
            chrono::Utc::now(),
            "admin",
            AccountRole::Admin,
            "BoS CE",
            &password,
        )?;
        println!(
            "created the first account: admin, password {password} (shown once; \
             sign in and add the staff accounts, or use `ce user add`)"
        );
    }
    drop(accounts);
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let store: ce_server::Store = ctx.shared_store();
    let listen = config.listen;
    // The workflow opens (and is dropped, below) outside the async
    // runtime: the PostgreSQL store's client runs a runtime of its own.
    let app = ce_server::app(config, store)?;
    let listener = std::net::TcpListener::bind(listen)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|source| ce_server::ServeError::Listen {
            addr: listen,
            source,
        })?;
    let bound = listener.local_addr().map_err(ce_server::ServeError::Io)?;
    let runtime = tokio::runtime::Runtime::new().map_err(|source| CliError::Io {
        path: "the async runtime".into(),
        source,
    })?;
    let serving = std::sync::Arc::clone(&app);
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::from_std(listener).map_err(ce_server::ServeError::Io)?;
        // Printed once the address is bound and the store open: a script
        // (or the browser test) waits for this line.
        println!("serving on http://{bound}/ (Ctrl-C stops)");
        ce_server::serve_on(listener, serving, shutdown_signal()).await
    })?;
    drop(runtime);
    drop(app);
    to_stderr("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        () = terminate => {},
    }
}

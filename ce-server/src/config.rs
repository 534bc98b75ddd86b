//! The server's configuration: defaults, then a TOML file, then
//! `CE_SERVE_*` environment variables, then the command line's flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// How `ce serve` runs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on (default `127.0.0.1:8080`: loopback; put a
    /// TLS reverse proxy in front for anything else).
    pub listen: SocketAddr,
    /// Where accounts and the view log live (default `./ce-serve`).
    pub state_dir: PathBuf,
    /// Mark the session cookie `Secure` (set it behind a TLS proxy).
    pub secure_cookies: bool,
    /// A session unused this many seconds ends (default 30 minutes).
    pub idle_seconds: u64,
    /// A session ends this many seconds after sign-in (default 12 hours).
    pub absolute_seconds: u64,
    /// Failed sign-ins in a row that lock an account name (default 5).
    pub max_failures: u32,
    /// How long the lock lasts, in seconds (default 15 minutes).
    pub lockout_seconds: u64,
    /// The largest request body accepted, in bytes (default 64 KiB).
    pub max_body_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            state_dir: PathBuf::from("ce-serve"),
            secure_cookies: false,
            idle_seconds: 30 * 60,
            absolute_seconds: 12 * 60 * 60,
            max_failures: 5,
            lockout_seconds: 15 * 60,
            max_body_bytes: 64 * 1024,
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a configuration.
    #[error("{path}: {why}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// What is wrong, with its line.
        why: String,
    },
    /// An environment variable's value is not what it should hold.
    #[error("{var}={value:?}: {why}")]
    Env {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// What it should be.
        why: &'static str,
    },
}

impl Config {
    /// The defaults, overridden by `file` if given, then by the
    /// environment (`CE_SERVE_LISTEN`, `CE_SERVE_STATE_DIR`,
    /// `CE_SERVE_SECURE_COOKIES`).
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut config = match file {
            None => Self::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
                    path: path.to_owned(),
                    source,
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::Toml {
                    path: path.to_owned(),
                    why: e.to_string(),
                })?
            }
        };
        if let Ok(value) = std::env::var("CE_SERVE_LISTEN") {
            config.listen = value.parse().map_err(|_| ConfigError::Env {
                var: "CE_SERVE_LISTEN",
                value: value.clone(),
                why: "an address and port, e.g. 127.0.0.1:8080",
            })?;
        }
        if let Ok(value) = std::env::var("CE_SERVE_STATE_DIR") {
            config.state_dir = PathBuf::from(value);
        }
        if let Ok(value) = std::env::var("CE_SERVE_SECURE_COOKIES") {
            config.secure_cookies = match value.as_str() {
                "1" | "true" | "yes" => true,
                "0" | "false" | "no" => false,
                _ => {
                    return Err(ConfigError::Env {
                        var: "CE_SERVE_SECURE_COOKIES",
                        value,
                        why: "true or false",
                    })
                }
            };
        }
        Ok(config)
    }

    /// Session and lockout limits.
    pub fn limits(&self) -> crate::sessions::Limits {
        crate::sessions::Limits {
            idle: Duration::from_secs(self.idle_seconds),
            absolute: Duration::from_secs(self.absolute_seconds),
            max_failures: self.max_failures.max(1),
            lockout: Duration::from_secs(self.lockout_seconds),
        }
    }
}

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
    /// environment: `CE_SERVE_LISTEN`, `CE_SERVE_STATE_DIR`,
    /// `CE_SERVE_SECURE_COOKIES`, `CE_SERVE_IDLE_SECONDS`,
    /// `CE_SERVE_ABSOLUTE_SECONDS`, `CE_SERVE_MAX_FAILURES`,
    /// `CE_SERVE_LOCKOUT_SECONDS`, `CE_SERVE_MAX_BODY_BYTES`.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_with(file, |var| std::env::var(var).ok())
    }

    /// [`load`](Self::load) with the environment read through `env`.
    pub fn load_with(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
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
        if let Some(value) = env("CE_SERVE_LISTEN") {
            config.listen = value.parse().map_err(|_| ConfigError::Env {
                var: "CE_SERVE_LISTEN",
                value: value.clone(),
                why: "an address and port, e.g. 127.0.0.1:8080",
            })?;
        }
        if let Some(value) = env("CE_SERVE_STATE_DIR") {
            config.state_dir = PathBuf::from(value);
        }
        if let Some(value) = env("CE_SERVE_SECURE_COOKIES") {
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
        let number =
            |var: &'static str| -> Result<Option<u64>, ConfigError> {
                env(var)
                    .map(|value| {
                        value.trim().parse::<u64>().ok().filter(|n| *n > 0).ok_or(
                            ConfigError::Env {
                                var,
                                value,
                                why: "a whole number above 0",
                            },
                        )
                    })
                    .transpose()
            };
        if let Some(n) = number("CE_SERVE_IDLE_SECONDS")? {
            config.idle_seconds = n;
        }
        if let Some(n) = number("CE_SERVE_ABSOLUTE_SECONDS")? {
            config.absolute_seconds = n;
        }
        if let Some(n) = number("CE_SERVE_LOCKOUT_SECONDS")? {
            config.lockout_seconds = n;
        }
        if let Some(n) = number("CE_SERVE_MAX_FAILURES")? {
            config.max_failures = u32::try_from(n).unwrap_or(u32::MAX);
        }
        if let Some(n) = number("CE_SERVE_MAX_BODY_BYTES")? {
            config.max_body_bytes = usize::try_from(n).unwrap_or(usize::MAX);
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |var| {
            vars.iter()
                .find(|(name, _)| *name == var)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    #[test]
    fn defaults_then_the_file_then_the_environment() {
        assert_eq!(
            Config::load_with(None, env(&[])).unwrap(),
            Config::default()
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("serve.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\nidle_seconds = 600\nmax_failures = 3\n",
        )
        .unwrap();
        let from_file = Config::load_with(Some(&file), env(&[])).unwrap();
        assert_eq!(from_file.listen.port(), 9000);
        assert_eq!(from_file.idle_seconds, 600);
        assert_eq!(from_file.max_failures, 3);
        let both = Config::load_with(
            Some(&file),
            env(&[
                ("CE_SERVE_IDLE_SECONDS", "120"),
                ("CE_SERVE_ABSOLUTE_SECONDS", "3600"),
                ("CE_SERVE_LOCKOUT_SECONDS", "60"),
                ("CE_SERVE_MAX_FAILURES", "7"),
                ("CE_SERVE_MAX_BODY_BYTES", "4096"),
                ("CE_SERVE_SECURE_COOKIES", "true"),
                ("CE_SERVE_STATE_DIR", "/srv/ce-serve"),
            ]),
        )
        .unwrap();
        assert_eq!(
            both.listen.port(),
            9000,
            "the file's, the environment has none"
        );
        assert_eq!(
            (
                both.idle_seconds,
                both.absolute_seconds,
                both.lockout_seconds
            ),
            (120, 3600, 60)
        );
        assert_eq!((both.max_failures, both.max_body_bytes), (7, 4096));
        assert!(both.secure_cookies);
        assert_eq!(both.state_dir, PathBuf::from("/srv/ce-serve"));
    }

    #[test]
    fn a_bad_setting_names_itself() {
        let err = Config::load_with(None, env(&[("CE_SERVE_IDLE_SECONDS", "ten")])).unwrap_err();
        assert!(
            err.to_string().contains("CE_SERVE_IDLE_SECONDS=\"ten\""),
            "{err}"
        );
        let err = Config::load_with(None, env(&[("CE_SERVE_MAX_FAILURES", "0")])).unwrap_err();
        assert!(err.to_string().contains("above 0"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("serve.toml");
        std::fs::write(&file, "idle_secs = 5\n").unwrap();
        let err = Config::load_with(Some(&file), env(&[])).unwrap_err();
        assert!(err.to_string().contains("idle_secs"), "{err}");
    }
}

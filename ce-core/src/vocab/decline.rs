//! The codes a policy gives its decline reasons.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The code of one of the policy's decline reasons, e.g.
/// `client-unreachable`: what a decline names and its event records. The
/// policy says what each code means (its label, HUD result and what
/// follows for the household); a decline naming a code the policy does not
/// define is rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeclineReasonCode(String);

impl DeclineReasonCode {
    /// Wraps a code.
    pub fn new(code: impl Into<String>) -> Self {
        Self(code.into())
    }

    /// The code as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeclineReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl From<String> for DeclineReasonCode {
    fn from(code: String) -> Self {
        Self(code)
    }
}

impl AsRef<str> for DeclineReasonCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for DeclineReasonCode {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for DeclineReasonCode {
    fn from(code: &str) -> Self {
        Self::new(code)
    }
}

impl PartialEq<str> for DeclineReasonCode {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for DeclineReasonCode {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

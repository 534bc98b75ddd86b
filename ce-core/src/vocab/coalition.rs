//! The local coalitions of the Balance of State.

use serde::{Deserialize, Serialize};

/// A local coalition of the Balance of State; lists are split by coalition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Coalition(pub String);

impl Coalition {
    /// Wraps a coalition name.
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }
}

impl std::fmt::Display for Coalition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

//! Who acts: every command carries a user, an agency and a role.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The HMIS user who entered a command.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub String);

/// The agency a user acts for (openings belong to an agency).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgencyId(pub String);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for AgencyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a user may do in CE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Role {
    /// Access point staff: enroll, assess, follow up and exit households.
    Access,
    /// Housing provider: its own openings and the referrals to them.
    Provider,
    /// CE lead / list manager: refer, bypass, sweep, expire, anything.
    Lead,
}

impl Role {
    /// The name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Access => "access",
            Role::Provider => "provider",
            Role::Lead => "lead",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not `access`, `provider` or `lead`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected access, provider or lead")]
pub struct UnknownRole(pub String);

impl std::str::FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "access" => Ok(Role::Access),
            "provider" => Ok(Role::Provider),
            "lead" => Ok(Role::Lead),
            other => Err(UnknownRole(other.to_owned())),
        }
    }
}

/// The acting user, agency and role, recorded on every event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Who entered the command.
    pub user: UserId,
    /// The agency they acted for.
    pub agency: AgencyId,
    /// The role they acted in.
    pub role: Role,
}

impl Actor {
    /// Builds an actor from plain strings.
    pub fn new(user: impl Into<String>, agency: impl Into<String>, role: Role) -> Self {
        Self {
            user: UserId(user.into()),
            agency: AgencyId(agency.into()),
            role,
        }
    }
}

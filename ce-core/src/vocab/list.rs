//! The priority lists' names: a list is kept per coalition, program type
//! and list household type.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Coalition, ProgramType};

/// The household types lists are split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ListHouseholdType {
    /// Adults only, not youth.
    AdultsOnly,
    /// Adults with children, not youth.
    WithChildren,
    /// Youth-headed (every adult 18 to the policy's youth age) or children only.
    Youth,
}

impl ListHouseholdType {
    /// Every list household type.
    pub const ALL: &'static [ListHouseholdType] = &[
        ListHouseholdType::AdultsOnly,
        ListHouseholdType::WithChildren,
        ListHouseholdType::Youth,
    ];

    /// The name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ListHouseholdType::AdultsOnly => "adults-only",
            ListHouseholdType::WithChildren => "with-children",
            ListHouseholdType::Youth => "youth",
        }
    }
}

impl ListHouseholdType {
    /// The household type in words.
    pub fn label(self) -> &'static str {
        match self {
            ListHouseholdType::AdultsOnly => "Adults only",
            ListHouseholdType::WithChildren => "Households with children",
            ListHouseholdType::Youth => "Youth-headed or children only",
        }
    }
}

impl fmt::Display for ListHouseholdType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A household type name that is not one of [`ListHouseholdType::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown household type {0:?}: expected adults-only, with-children or youth")]
pub struct UnknownHouseholdType(pub String);

impl std::str::FromStr for ListHouseholdType {
    type Err = UnknownHouseholdType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ListHouseholdType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownHouseholdType(s.to_owned()))
    }
}

/// Identifies one priority list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ListKey {
    /// Local coalition.
    pub coalition: Coalition,
    /// Program type.
    pub program: ProgramType,
    /// Household type.
    pub household_type: ListHouseholdType,
}

impl ListKey {
    /// The list of `program` for `household_type` in `coalition`.
    pub fn new(
        coalition: Coalition,
        program: ProgramType,
        household_type: ListHouseholdType,
    ) -> Self {
        Self {
            coalition,
            program,
            household_type,
        }
    }
}

impl fmt::Display for ListKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} / {} / {}",
            self.coalition, self.program, self.household_type
        )
    }
}

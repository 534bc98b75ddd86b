//! HUD's household types.

use serde::{Deserialize, Serialize};

/// HUD's household type (CE APR splits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum HouseholdType {
    /// Adults only (households without children).
    AdultsOnly,
    /// At least one adult and one child.
    AdultsAndChildren,
    /// Only children.
    ChildrenOnly,
}

impl HouseholdType {
    /// The name used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            HouseholdType::AdultsOnly => "adults-only",
            HouseholdType::AdultsAndChildren => "adults-and-children",
            HouseholdType::ChildrenOnly => "children-only",
        }
    }
}

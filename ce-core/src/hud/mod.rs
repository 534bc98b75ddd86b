//! HUD HMIS data-standard code lists (FY2024) used by Coordinated Entry.
//!
//! Every list is an enum that serializes as HUD's integer code and refuses
//! codes that are not valid for its data element.

/// Defines a HUD code list: the enum, its codes and labels, and conversions.
macro_rules! hud_codes {
    (
        $(#[$meta:meta])*
        $name:ident, $field:literal {
            $($variant:ident = $code:literal => $label:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(try_from = "u16", into = "u16")]
        #[repr(u16)]
        #[non_exhaustive]
        pub enum $name {
            $(#[doc = $label] $variant = $code,)+
        }

        impl $name {
            /// Every variant, in HUD's listing order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// HUD's integer code.
            pub const fn code(self) -> u16 {
                self as u16
            }

            /// HUD's text for this code.
            pub fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }
        }

        impl TryFrom<u16> for $name {
            type Error = $crate::hud::InvalidCode;

            fn try_from(code: u16) -> Result<Self, Self::Error> {
                match code {
                    $($code => Ok(Self::$variant),)+
                    _ => Err($crate::hud::InvalidCode { field: $field, code }),
                }
            }
        }

        impl From<$name> for u16 {
            fn from(value: $name) -> u16 {
                value.code()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{} {}", self.code(), self.label())
            }
        }
    };
}

mod assessment;
mod event;
mod living_situation;
mod prior;
mod relationship;
mod responses;
mod subsidy;

pub use assessment::{AssessmentLevel, AssessmentType, PrioritizationStatus};
pub use event::{CeEventType, ReferralResult};
pub use living_situation::{CurrentSituation, Destination, LivingSituation, PriorSituation};
pub use prior::{LengthOfStay, MonthsHomeless, TimesHomeless};
pub use relationship::RelationshipToHoH;
pub use responses::{NoYesMissing, NoYesReasons};
pub use subsidy::RentalSubsidyType;

/// A HUD code that is not valid for the field it was given for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code} is not a valid code for {field}")]
pub struct InvalidCode {
    /// The HUD data element the code was given for.
    pub field: &'static str,
    /// The rejected code.
    pub code: u16,
}

/// Shared checks for the unit tests of every code list.
#[cfg(test)]
pub(crate) mod testing {
    use super::InvalidCode;
    use serde::{de::DeserializeOwned, Serialize};
    use std::collections::HashSet;
    use std::fmt::{Debug, Display};
    use std::hash::Hash;

    /// Checks that `all` holds exactly `expected`, round-trips every code
    /// through `TryFrom`, serde and `Display`, and rejects `rejected` naming `field`.
    pub(crate) fn check_codes<T>(all: &[T], expected: &[u16], field: &'static str, rejected: &[u16])
    where
        T: Copy
            + Eq
            + Hash
            + Debug
            + Display
            + TryFrom<u16, Error = InvalidCode>
            + Into<u16>
            + Serialize
            + DeserializeOwned,
    {
        let codes: Vec<u16> = all.iter().map(|&v| v.into()).collect();
        assert_eq!(codes, expected, "ALL of {field}");
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), all.len());
        assert_eq!(codes.iter().collect::<HashSet<_>>().len(), codes.len());
        for (&value, &code) in all.iter().zip(expected) {
            assert_eq!(T::try_from(code), Ok(value));
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(json, code.to_string());
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), value);
            assert!(value.to_string().starts_with(&format!("{code} ")));
        }
        for &code in rejected {
            let err = InvalidCode { field, code };
            assert_eq!(T::try_from(code), Err(err.clone()));
            let de = serde_json::from_str::<T>(&code.to_string()).unwrap_err();
            assert!(de.to_string().contains(&err.to_string()), "{de}");
        }
    }
}

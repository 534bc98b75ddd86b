//! Newtype identifiers. Every id is a UUID; its 32-hex-digit simple form fits
//! HUD's 32-character id columns.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The nil id, useful only as a placeholder in tests and fixtures.
            pub const NIL: Self = Self(Uuid::nil());

            /// Wraps a UUID.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// A fresh random (version 4) id, for callers that make their
            /// own ids.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            /// The 32-hex-digit form HUD's CSV id columns take.
            pub fn hmis_id(&self) -> String {
                self.0.simple().to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// One CE enrollment of one household: the household stream's id.
    HouseholdId
);
id_type!(
    /// A person (HUD's PersonalID).
    ClientId
);
id_type!(
    /// A program opening posted by a housing provider.
    OpeningId
);
id_type!(
    /// A referral of a household to an opening (one HUD 4.20 event).
    ReferralId
);
id_type!(
    /// One stored event.
    EventId
);
id_type!(
    /// One command, supplied by the caller. Event ids and new entity ids are
    /// derived from it, so re-sending the same command is idempotent.
    CommandId
);
id_type!(
    /// One CE assessment (HUD 4.19).
    AssessmentId
);

impl CommandId {
    /// A deterministic id derived from this command and a purpose, e.g.
    /// `("event", 0)` for the first event the command emits.
    pub fn derive(&self, purpose: &str, index: u64) -> Uuid {
        let mut name = Vec::with_capacity(purpose.len() + 8);
        name.extend_from_slice(purpose.as_bytes());
        name.extend_from_slice(&index.to_be_bytes());
        Uuid::new_v5(&self.0, &name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let command = CommandId(Uuid::from_u128(7));
        assert_eq!(command.derive("event", 0), command.derive("event", 0));
        assert_ne!(command.derive("event", 0), command.derive("event", 1));
        assert_ne!(command.derive("event", 0), command.derive("household", 0));
    }

    #[test]
    fn hmis_id_is_32_characters() {
        assert_eq!(HouseholdId(Uuid::from_u128(1)).hmis_id().len(), 32);
    }

    #[test]
    fn ids_round_trip_through_strings_and_json() {
        let id = ClientId(Uuid::from_u128(42));
        assert_eq!(id.to_string().parse::<ClientId>().unwrap(), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<ClientId>(&json).unwrap(), id);
    }
}

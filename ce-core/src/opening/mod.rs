//! The opening stream and the referral lifecycle.

pub(crate) mod decide;
pub mod events;
mod model;
mod state;

pub use decide::{candidates, referable};
pub use events::{
    Bypass, CancelCause, DeclineConsequence, OpeningPosted, OpeningWithdrawn, ReferralAccepted,
    ReferralAcknowledged, ReferralCancelled, ReferralDeclined, ReferralExpired, ReferralOffered,
};
pub use model::*;
pub use state::*;

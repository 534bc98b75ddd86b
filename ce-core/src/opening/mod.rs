//! The opening stream and the referral lifecycle.

pub(crate) mod decide;
pub mod events;
mod model;
mod state;

pub use decide::{candidates, passed_over, rank_among, ranked_above, referable, top_candidate};
pub use events::{
    Bypass, CancelCause, DeclineConsequence, OpeningPosted, OpeningWithdrawn, ReferralAccepted,
    ReferralAcknowledged, ReferralCancelled, ReferralDeclined, ReferralExpired, ReferralOffered,
};
pub use model::*;
pub use state::*;

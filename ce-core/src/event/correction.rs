//! Corrections: an event that replaces an earlier one's facts.

use serde::{Deserialize, Serialize};

use crate::vocab::EventId;

use super::Event;

/// A data-entry mistake in an earlier event of the household's stream was
/// corrected. The original stays in the log; state uses the corrected
/// values from the original's effective date on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventCorrected {
    /// The event corrected.
    pub corrects: EventId,
    /// The fields that changed (JSON paths of the event's data).
    pub fields: Vec<String>,
    /// Why.
    pub reason: String,
    /// The event as it should have been recorded.
    pub corrected: Box<Event>,
}

//! Corrections: what a correction changes, and so which earlier event of
//! the household it corrects.

use std::fmt;

use proptest::prelude::*;
use proptest::sample::select;

use super::refs::{coalition, known_coalition, text, Ref, Text};
use crate::event::Event;
use crate::hud::{LivingSituation, MonthsHomeless};

/// What a correction changes, and so which earlier event it corrects.
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Correction {
    /// The score of the latest assessment.
    Score(u32),
    /// Whether the latest assessment placed the household.
    Placed(bool),
    /// 3.917 months homeless, in the enrollment.
    PriorMonths(MonthsHomeless),
    /// The coalition, in the enrollment (an index into
    /// [`COALITIONS`](super::COALITIONS)).
    Coalition(Ref),
    /// The Status Update's months homeless, in the latest contact.
    ContactMonths(MonthsHomeless),
    /// The 4.12 code of the latest contact, valid for 4.12 or not.
    ContactSituation(u16),
    /// The CE note of the latest contact or attempt.
    Note(Text),
    /// An empty patch on the latest event (rejected either way).
    Nothing,
}

impl Correction {
    /// Whether `event` is the kind this correction corrects.
    pub fn fits(&self, event: &Event) -> bool {
        match self {
            Correction::Score(_) | Correction::Placed(_) => {
                matches!(event, Event::AssessmentRecorded(_))
            }
            Correction::PriorMonths(_) | Correction::Coalition(_) => {
                matches!(event, Event::HouseholdEnrolled(_))
            }
            Correction::ContactMonths(_) | Correction::ContactSituation(_) => {
                matches!(event, Event::ContactMade(_))
            }
            Correction::Note(_) => {
                matches!(event, Event::ContactMade(_) | Event::ContactAttempted(_))
            }
            Correction::Nothing => true,
        }
    }

    /// The JSON merge patch of the corrected event's data.
    pub fn patch(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Correction::Score(score) => json!({ "assessment": { "score": score } }),
            Correction::Placed(placed) => {
                json!({ "assessment": { "prioritization": if *placed { 1 } else { 2 } } })
            }
            Correction::PriorMonths(m) => json!({ "prior": { "months_homeless": m.code() } }),
            Correction::Coalition(r) => json!({ "coalition": coalition(*r) }),
            Correction::ContactMonths(m) => json!({ "status": { "months_homeless": m.code() } }),
            Correction::ContactSituation(code) => {
                json!({ "current": { "living_situation": code } })
            }
            Correction::Note(text) => {
                json!({ "note": text.resolve("Talked about a unit in Onalaska.") })
            }
            Correction::Nothing => json!({}),
        }
    }
}

impl fmt::Debug for Correction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Correction::Score(score) => write!(f, "assessment score {score}"),
            Correction::Placed(true) => f.write_str("assessment placed"),
            Correction::Placed(false) => f.write_str("assessment not placed"),
            Correction::PriorMonths(m) => write!(f, "3.917 months {}", m.code()),
            Correction::Coalition(r) => write!(f, "coalition {}", coalition(*r)),
            Correction::ContactMonths(m) => write!(f, "contact months {}", m.code()),
            Correction::ContactSituation(code) => write!(f, "contact living situation {code}"),
            Correction::Note(text) => write!(f, "note {text:?}"),
            Correction::Nothing => f.write_str("nothing"),
        }
    }
}

pub(super) fn correction() -> impl Strategy<Value = Correction> {
    prop_oneof![
        3 => (0u32..=20).prop_map(Correction::Score),
        2 => any::<bool>().prop_map(Correction::Placed),
        1 => select(MonthsHomeless::ALL).prop_map(Correction::PriorMonths),
        1 => known_coalition().prop_map(Correction::Coalition),
        1 => select(MonthsHomeless::ALL).prop_map(Correction::ContactMonths),
        1 => prop_oneof![
            select(LivingSituation::ALL.iter().map(|s| s.code()).collect::<Vec<_>>()),
            Just(0u16),
        ]
        .prop_map(Correction::ContactSituation),
        1 => text().prop_map(Correction::Note),
        1 => Just(Correction::Nothing),
    ]
}

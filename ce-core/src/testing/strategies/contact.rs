//! Follow-ups with contact: 4.12, the Status Update's months homeless and
//! the CE note.

use std::fmt;

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::select;

use super::refs::{text, Text};
use crate::command::FollowUp;
use crate::hud::{
    CurrentSituation, LivingSituation, MonthsHomeless, PriorSituation, RentalSubsidyType,
};
use crate::record::{CurrentLivingSituation, StatusUpdate};
use crate::vocab::HouseholdId;

/// A follow-up with contact: 4.12, months homeless and the CE note.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ContactSpec {
    /// 4.12 Current Living Situation.
    pub situation: CurrentSituation,
    /// Subsidy type (valid only with 435).
    pub subsidy: Option<RentalSubsidyType>,
    /// Months homeless in the Status Update.
    pub months: MonthsHomeless,
    /// The CE note (1 to 1,000 characters).
    pub note: Text,
}

impl ContactSpec {
    /// The follow-up command for `household` on `on`.
    pub fn follow_up(&self, household: HouseholdId, on: NaiveDate) -> FollowUp {
        let residence = PriorSituation::try_from(self.situation.situation())
            .unwrap_or(PriorSituation::PLACE_NOT_MEANT_FOR_HABITATION);
        FollowUp {
            household,
            date: on,
            status: StatusUpdate {
                residence,
                months_homeless: self.months,
            },
            current: CurrentLivingSituation {
                subsidy: self.subsidy,
                verified_by: Some("BoS Coordinated Entry".to_owned()),
                ..CurrentLivingSituation::new(self.situation)
            },
            note: self
                .note
                .resolve("Talked about housing options and next steps."),
        }
    }
}

impl fmt::Debug for ContactSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "living situation {}, months {}",
            self.situation.code(),
            self.months.code()
        )?;
        if let Some(subsidy) = self.subsidy {
            write!(f, ", subsidy {}", subsidy.code())?;
        }
        if self.note != Text::Fine {
            write!(f, ", note {:?}", self.note)?;
        }
        Ok(())
    }
}

pub(super) fn contact() -> impl Strategy<Value = ContactSpec> {
    (
        prop_oneof![
            3 => select(current_situations(|s| {
                s.is_literally_homeless() || s == LivingSituation::TransitionalHousing
            })),
            2 => select(current_situations(|_| true)),
        ],
        prop_oneof![9 => Just(None), 1 => select(RentalSubsidyType::ALL).prop_map(Some)],
        select(MonthsHomeless::ALL),
        text(),
    )
        .prop_map(|(situation, subsidy, months, note)| ContactSpec {
            situation,
            subsidy,
            months,
            note,
        })
}

fn current_situations(filter: fn(LivingSituation) -> bool) -> Vec<CurrentSituation> {
    LivingSituation::ALL
        .iter()
        .filter(|s| filter(**s))
        .filter_map(|s| CurrentSituation::try_from(*s).ok())
        .collect()
}

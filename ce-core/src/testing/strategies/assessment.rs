//! 4.19 assessments: a score, placed on the lists or not, and the location
//! field a step sometimes leaves blank.

use std::fmt;

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::select;

use super::refs::Text;
use crate::command::Assess;
use crate::hud::{AssessmentLevel, AssessmentType, PrioritizationStatus};
use crate::record::AssessmentResultEntry;
use crate::vocab::HouseholdId;

/// A 4.19 assessment: score, placed or not, and its location field.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AssessmentSpec {
    /// The prioritization score, if the tool gives one.
    pub score: Option<u32>,
    /// Placed on the prioritization lists.
    pub placed: bool,
    /// Phone, virtual or in person.
    pub assessment_type: AssessmentType,
    /// Crisis or housing needs.
    pub level: AssessmentLevel,
    /// The 4.19 location (required, at most 250 characters).
    pub location: Text,
}

impl AssessmentSpec {
    /// The assessment command for `household` on `on`.
    pub fn assess(&self, household: HouseholdId, on: NaiveDate) -> Assess {
        Assess {
            household,
            date: on,
            location: self.location.resolve("La Crosse access point"),
            assessment_type: self.assessment_type,
            level: self.level,
            answers: Vec::new(),
            results: self
                .score
                .map(|score| AssessmentResultEntry {
                    result_type: "Pre-Screen & Barriers score".to_owned(),
                    result: score.to_string(),
                })
                .into_iter()
                .collect(),
            score: self.score,
            prioritization: if self.placed {
                PrioritizationStatus::PlacedOnPrioritizationList
            } else {
                PrioritizationStatus::NotPlacedOnPrioritizationList
            },
        }
    }
}

impl fmt::Debug for AssessmentSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.score {
            Some(score) => write!(f, "score {score}")?,
            None => f.write_str("no score")?,
        }
        f.write_str(if self.placed {
            ", placed"
        } else {
            ", not placed"
        })?;
        if self.assessment_type != AssessmentType::InPerson
            || self.level != AssessmentLevel::HousingNeedsAssessment
        {
            write!(
                f,
                ", type {} level {}",
                self.assessment_type.code(),
                self.level.code()
            )?;
        }
        if self.location != Text::Fine {
            write!(f, ", location {:?}", self.location)?;
        }
        Ok(())
    }
}

pub(super) fn assessment_with(
    location: BoxedStrategy<Text>,
) -> impl Strategy<Value = AssessmentSpec> {
    (
        prop_oneof![
            3 => (0u32..=7).prop_map(Some),
            6 => (8u32..=20).prop_map(Some),
            1 => Just(None),
        ],
        prop::bool::weighted(0.85),
        prop_oneof![3 => Just(AssessmentType::InPerson), 1 => select(AssessmentType::ALL)],
        prop_oneof![
            3 => Just(AssessmentLevel::HousingNeedsAssessment),
            1 => select(AssessmentLevel::ALL)
        ],
        location,
    )
        .prop_map(
            |(score, placed, assessment_type, level, location)| AssessmentSpec {
                score,
                placed,
                assessment_type,
                level,
                location,
            },
        )
}

/// A valid assessment: a score from 0 to 20, mostly 8 or more (the default
/// PSH floor), sometimes none; usually placing the household on the lists.
pub fn assessment_spec() -> impl Strategy<Value = AssessmentSpec> {
    assessment_with(Just(Text::Fine).boxed())
}

/// A valid assessment command for `household` on `on`.
pub fn assessment(household: HouseholdId, on: NaiveDate) -> impl Strategy<Value = Assess> {
    assessment_spec().prop_map(move |spec| spec.assess(household, on))
}

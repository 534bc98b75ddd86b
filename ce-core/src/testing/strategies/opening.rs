//! Openings to post: program type, coalition, household types and units,
//! some of them rejected.

use std::fmt;

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::select;

use super::refs::{coalition, known_coalition, text, Ref, Text};
use crate::command::PostOpening;
use crate::vocab::{Coalition, ListHouseholdType, ProgramType};

/// An opening to post.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OpeningSpec {
    /// Program type.
    pub program_type: ProgramType,
    /// An index into [`COALITIONS`](super::COALITIONS), or
    /// [`UNKNOWN_COALITION`](super::UNKNOWN_COALITION).
    pub coalition: Ref,
    /// Household types served (empty is rejected).
    pub household_types: Vec<ListHouseholdType>,
    /// Chronic only.
    pub chronic_only: bool,
    /// Veterans only.
    pub veterans_only: bool,
    /// Units (0 is rejected).
    pub units: u32,
    /// The program's name.
    pub program: Text,
}

impl OpeningSpec {
    /// The command posting it on `on`.
    pub fn post(&self, on: NaiveDate) -> PostOpening {
        let coalition = coalition(self.coalition);
        PostOpening {
            date: on,
            program: self
                .program
                .resolve(&format!("{coalition} {} program", self.program_type)),
            program_type: self.program_type,
            coalition: Coalition::new(coalition),
            household_types: self.household_types.clone(),
            chronic_only: self.chronic_only,
            veterans_only: self.veterans_only,
            units: self.units,
        }
    }
}

impl fmt::Debug for OpeningSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let types: Vec<&str> = self.household_types.iter().map(|t| t.as_str()).collect();
        write!(
            f,
            "{} opening in {} for [{}], {} unit{}",
            self.program_type,
            coalition(self.coalition),
            types.join(", "),
            self.units,
            if self.units == 1 { "" } else { "s" }
        )?;
        if self.chronic_only {
            f.write_str(", chronic only")?;
        }
        if self.veterans_only {
            f.write_str(", veterans only")?;
        }
        if self.program != Text::Fine {
            write!(f, ", program name {:?}", self.program)?;
        }
        Ok(())
    }
}

pub(super) fn opening() -> impl Strategy<Value = OpeningSpec> {
    (
        prop_oneof![
            4 => Just(ProgramType::Psh),
            4 => Just(ProgramType::Rrh),
            2 => Just(ProgramType::Th),
            1 => select(ProgramType::ALL),
        ],
        prop_oneof![20 => known_coalition(), 1 => Just(Ref::Unknown)],
        prop_oneof![
            12 => Just(ListHouseholdType::ALL.to_vec()),
            6 => prop::sample::subsequence(ListHouseholdType::ALL, 1..=3),
            1 => Just(Vec::new()),
        ],
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.05),
        prop_oneof![12 => Just(1u32), 4 => Just(2u32), 1 => Just(0u32)],
        text(),
    )
        .prop_map(
            |(
                program_type,
                coalition,
                household_types,
                chronic_only,
                veterans_only,
                units,
                program,
            )| {
                OpeningSpec {
                    program_type,
                    coalition,
                    household_types,
                    chronic_only,
                    veterans_only,
                    units,
                    program,
                }
            },
        )
}

/// An opening that posts: a known coalition, a household type, a unit.
pub(super) fn valid_opening() -> impl Strategy<Value = OpeningSpec> {
    opening().prop_map(|mut spec| {
        if spec.coalition == Ref::Unknown {
            spec.coalition = Ref::Nth(0);
        }
        if spec.household_types.is_empty() {
            spec.household_types = ListHouseholdType::ALL.to_vec();
        }
        spec.units = spec.units.max(1);
        spec.program = Text::Fine;
        spec
    })
}

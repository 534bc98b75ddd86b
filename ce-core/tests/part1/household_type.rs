//! Derived values: household type and the list it goes on.

use ce_core::testing::{date, HouseholdBuilder, Scenario};
use ce_core::*;
use chrono::NaiveDate;

use crate::common::{assessed_on, couple, family, household, lists_with, on_lists, single};

fn list_type(builder: HouseholdBuilder) -> (HouseholdType, ListHouseholdType) {
    let mut given = Scenario::new();
    let h = given.enroll(builder);
    let enrolled = household(&given, h);
    (
        enrolled.household_type(),
        ListHouseholdType::of(enrolled, given.policy()),
    )
}

fn head_born(builder: HouseholdBuilder, born: NaiveDate) -> HouseholdBuilder {
    let mut builder = builder;
    builder.enroll.members[0].birth_date = Some(born);
    builder
}

#[test]
fn a_single_adult_is_on_the_adults_only_list() {
    assert_eq!(
        list_type(single(1)),
        (HouseholdType::AdultsOnly, ListHouseholdType::AdultsOnly)
    );
    assert_eq!(
        list_type(couple(1, 2)),
        (HouseholdType::AdultsOnly, ListHouseholdType::AdultsOnly)
    );
}

#[test]
fn an_adult_with_a_child_is_on_the_with_children_list() {
    assert_eq!(
        list_type(family(1, 2)),
        (
            HouseholdType::AdultsAndChildren,
            ListHouseholdType::WithChildren
        )
    );
}

#[test]
fn a_household_headed_by_an_18_to_24_year_old_is_on_the_youth_list() {
    assert_eq!(
        list_type(single(1).youth()),
        (HouseholdType::AdultsOnly, ListHouseholdType::Youth)
    );
    // A youth-headed family is a youth household too.
    assert_eq!(
        list_type(family(1, 2).youth()),
        (HouseholdType::AdultsAndChildren, ListHouseholdType::Youth)
    );
    // 24 at project start is youth, 25 is not.
    assert_eq!(
        list_type(head_born(single(1), date(2000, 6, 1))).1,
        ListHouseholdType::Youth
    );
    assert_eq!(
        list_type(head_born(single(1), date(1999, 12, 1))).1,
        ListHouseholdType::AdultsOnly
    );
}

#[test]
fn a_youth_with_an_older_adult_is_not_a_youth_household() {
    // Head aged 20, partner born 1981.
    assert_eq!(
        list_type(couple(1, 2).youth()).1,
        ListHouseholdType::AdultsOnly
    );
}

#[test]
fn a_household_of_only_children_is_on_the_youth_list() {
    let builder = head_born(single(1), date(2009, 2, 1));
    assert_eq!(
        list_type(builder),
        (HouseholdType::ChildrenOnly, ListHouseholdType::Youth)
    );
}

#[test]
fn a_placed_youth_household_is_on_the_youth_lists_only() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).youth().placed_with_score(9));
    assert_eq!(
        lists_with(&given, h, assessed_on()),
        on_lists(&[(ProgramType::Rrh, ListHouseholdType::Youth)])
    );
    let disabled = given.enroll(single(2).youth().disabled().placed_with_score(9));
    assert_eq!(
        lists_with(&given, disabled, assessed_on()),
        on_lists(&[
            (ProgramType::Psh, ListHouseholdType::Youth),
            (ProgramType::Th, ListHouseholdType::Youth),
            (ProgramType::Rrh, ListHouseholdType::Youth),
        ])
    );
}

#[test]
fn the_age_band_at_project_start_is_recorded_from_the_birth_date() {
    let mut given = Scenario::new();
    // Head born 2000-06-01 is 24 on 2025-01-06; the child born 2018 is 6.
    let h = given.enroll(head_born(family(1, 2), date(2000, 6, 1)));
    let enrolled = household(&given, h);
    let bands: Vec<Option<AgeBand>> = enrolled.members.iter().map(|m| m.age_band).collect();
    assert_eq!(bands, [Some(AgeBand::From18To24), Some(AgeBand::From5To12)]);
}

#[test]
fn bands_alone_rank_as_birth_dates_do() {
    // The same family twice: once with birth dates, once with only the
    // bands they give (a household entered without personal data).
    let dated = head_born(family(1, 2), date(2000, 6, 1));
    let mut banded = head_born(family(3, 4), date(2000, 6, 1));
    for member in &mut banded.enroll.members {
        member.age_band = member
            .birth_date
            .and_then(|born| crate::common::start().years_since(born).map(AgeBand::of));
        member.birth_date = None;
    }
    assert_eq!(list_type(dated), list_type(banded));
}

#[test]
fn a_band_the_birth_date_contradicts_is_refused() {
    let mut builder = single(1);
    builder.enroll.members[0].age_band = Some(AgeBand::From65);
    Scenario::new().when(builder.enroll).then_expect_error(|e| {
        matches!(
            e,
            Rejection::AgeBandDisagrees {
                given: AgeBand::From65,
                derived: AgeBand::From35To44,
                ..
            }
        )
    });
}

#[test]
fn a_head_in_the_under_5_band_is_refused() {
    let mut builder = single(1);
    builder.enroll.members[0].birth_date = None;
    builder.enroll.members[0].age_band = Some(AgeBand::Under5);
    Scenario::new().when(builder.enroll).then_expect_error(|e| {
        matches!(
            e,
            Rejection::HeadTooYoung {
                band: AgeBand::Under5
            }
        )
    });
}

//! Helpers in the language of the domain, shared by the command files.

use std::collections::BTreeSet;

use ce_core::hud::{
    AssessmentLevel, AssessmentType, CurrentSituation, Destination, NoYesReasons,
    PrioritizationStatus, RelationshipToHoH,
};
use ce_core::priority::lists_of;
use ce_core::testing::{client, date, HouseholdBuilder, Scenario};
use ce_core::{ContactMethod, CurrentLivingSituation, Member, *};
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};

pub const COALITION: &str = "Coulee";

/// The project start of every fixture household (`HouseholdBuilder`).
pub fn start() -> NaiveDate {
    date(2025, 1, 6)
}

/// The day the fixtures assess a household (the day after project start).
pub fn assessed_on() -> NaiveDate {
    date(2025, 1, 7)
}

pub fn days_after(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_add_days(Days::new(n)).unwrap()
}

pub fn days_before(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(n)).unwrap()
}

pub fn utc(year: i32, month: u32, day: u32, hour: u32, min: u32, sec: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, min, sec)
        .single()
        .unwrap()
}

pub fn person(id: ClientId, relationship: RelationshipToHoH, born: NaiveDate) -> Member {
    Member {
        client: id,
        relationship,
        birth_date: Some(born),
        veteran: NoYesReasons::No,
        disabling_condition: NoYesReasons::No,
        first_name: None,
        last_name: None,
        age_band: None,
        sealed: None,
    }
}

pub fn child(id: ClientId) -> Member {
    person(id, RelationshipToHoH::Child, date(2018, 3, 3))
}

pub fn partner(id: ClientId) -> Member {
    person(id, RelationshipToHoH::SpouseOrPartner, date(1981, 7, 9))
}

/// A single adult in Coulee whose head of household is `client(head)`.
pub fn single(head: u128) -> HouseholdBuilder {
    HouseholdBuilder::single_adult(COALITION).client(client(head))
}

/// `client(head)` with their child `client(kid)`.
pub fn family(head: u128, kid: u128) -> HouseholdBuilder {
    let mut builder = single(head);
    builder.enroll.members.push(child(client(kid)));
    builder
}

/// `client(head)` with their partner `client(other)`.
pub fn couple(head: u128, other: u128) -> HouseholdBuilder {
    let mut builder = single(head);
    builder.enroll.members.push(partner(client(other)));
    builder
}

pub fn household(given: &Scenario, id: HouseholdId) -> &Household {
    given
        .caseload()
        .households()
        .get(&id)
        .expect("household is in the caseload")
}

/// The lists (program, household type) a household is on as of `on`.
pub fn lists_with(
    given: &Scenario,
    id: HouseholdId,
    on: NaiveDate,
) -> BTreeSet<(ProgramType, ListHouseholdType)> {
    lists_of(household(given, id), given.policy(), on)
        .into_iter()
        .map(|key| (key.program, key.household_type))
        .collect()
}

pub fn on_lists(
    lists: &[(ProgramType, ListHouseholdType)],
) -> BTreeSet<(ProgramType, ListHouseholdType)> {
    lists.iter().copied().collect()
}

pub fn assess(household: HouseholdId, on: NaiveDate, score: u32, placed: bool) -> Assess {
    Assess {
        household,
        date: on,
        location: "Coulee access point".to_owned(),
        assessment_type: AssessmentType::InPerson,
        level: AssessmentLevel::HousingNeedsAssessment,
        answers: Vec::new(),
        results: Vec::new(),
        score: Some(score),
        prioritization: if placed {
            PrioritizationStatus::PlacedOnPrioritizationList
        } else {
            PrioritizationStatus::NotPlacedOnPrioritizationList
        },
    }
}

pub fn attempt(household: HouseholdId, on: NaiveDate) -> AttemptContact {
    AttemptContact {
        household,
        date: on,
        method: ContactMethod::Phone,
        left_message: true,
        note: "Called the number on file and left a voicemail.".to_owned(),
    }
}

pub fn exit(household: HouseholdId, on: NaiveDate) -> Exit {
    Exit {
        member_destinations: Default::default(),
        destination_subsidy: None,
        household,
        date: on,
        destination: Destination::RENTAL_NO_SUBSIDY,
        reason: "Moved into an apartment.".to_owned(),
    }
}

pub fn sweep(as_of: NaiveDate) -> Sweep {
    Sweep { as_of }
}

/// A 4.12 record in living situation `code`.
pub fn situation(code: u16) -> CurrentLivingSituation {
    CurrentLivingSituation::new(CurrentSituation::try_from(code).unwrap())
}

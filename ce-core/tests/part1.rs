//! Part 1 of the WI Balance of State CE workflow: enrolling households,
//! assessing and placing them on the lists, follow-ups, membership, exit and the inactivity sweep. Each test is one
//! rule, written as given/when/then in the language of the domain.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use ce_core::hud::{
    AssessmentLevel, AssessmentType, CeEventType, CurrentSituation, Destination, InvalidCode,
    LivingSituation, MonthsHomeless, NoYesReasons, PriorSituation, PrioritizationStatus,
    ReferralResult, RelationshipToHoH, RentalSubsidyType, TimesHomeless,
};
use ce_core::priority::{compare, list_status, lists_of};
use ce_core::testing::{client, date, follow_up, HouseholdBuilder, Scenario};
use ce_core::OffListReason;
use ce_core::*;
use ce_core::{ContactMethod, CurrentLivingSituation, Member, StatusUpdate};
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};

// ---------------------------------------------------------------------------
// Helpers in the language of the domain
// ---------------------------------------------------------------------------

const COALITION: &str = "Coulee";

/// The project start of every fixture household (`HouseholdBuilder`).
fn start() -> NaiveDate {
    date(2025, 1, 6)
}

/// The day the fixtures assess a household (the day after project start).
fn assessed_on() -> NaiveDate {
    date(2025, 1, 7)
}

fn days_after(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_add_days(Days::new(n)).unwrap()
}

fn days_before(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(n)).unwrap()
}

fn utc(year: i32, month: u32, day: u32, hour: u32, min: u32, sec: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, min, sec)
        .single()
        .unwrap()
}

fn person(id: ClientId, relationship: RelationshipToHoH, born: NaiveDate) -> Member {
    Member {
        client: id,
        relationship,
        birth_date: Some(born),
        veteran: NoYesReasons::No,
        disabling_condition: NoYesReasons::No,
        first_name: None,
        last_name: None,
    }
}

fn child(id: ClientId) -> Member {
    person(id, RelationshipToHoH::Child, date(2018, 3, 3))
}

fn partner(id: ClientId) -> Member {
    person(id, RelationshipToHoH::SpouseOrPartner, date(1981, 7, 9))
}

/// A single adult in Coulee whose head of household is `client(head)`.
fn single(head: u128) -> HouseholdBuilder {
    HouseholdBuilder::single_adult(COALITION).client(client(head))
}

/// `client(head)` with their child `client(kid)`.
fn family(head: u128, kid: u128) -> HouseholdBuilder {
    let mut builder = single(head);
    builder.enroll.members.push(child(client(kid)));
    builder
}

/// `client(head)` with their partner `client(other)`.
fn couple(head: u128, other: u128) -> HouseholdBuilder {
    let mut builder = single(head);
    builder.enroll.members.push(partner(client(other)));
    builder
}

fn household(given: &Scenario, id: HouseholdId) -> &Household {
    given
        .caseload()
        .households()
        .get(&id)
        .expect("household is in the caseload")
}

/// The lists (program, household type) a household is on as of `on`.
fn lists_with(
    given: &Scenario,
    id: HouseholdId,
    on: NaiveDate,
) -> BTreeSet<(ProgramType, ListHouseholdType)> {
    lists_of(household(given, id), given.policy(), on)
        .into_iter()
        .map(|key| (key.program, key.household_type))
        .collect()
}

fn on_lists(
    lists: &[(ProgramType, ListHouseholdType)],
) -> BTreeSet<(ProgramType, ListHouseholdType)> {
    lists.iter().copied().collect()
}

fn assess(household: HouseholdId, on: NaiveDate, score: u32, placed: bool) -> Assess {
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

fn attempt(household: HouseholdId, on: NaiveDate) -> AttemptContact {
    AttemptContact {
        household,
        date: on,
        method: ContactMethod::Phone,
        left_message: true,
        note: "Called the number on file and left a voicemail.".to_owned(),
    }
}

fn exit(household: HouseholdId, on: NaiveDate) -> Exit {
    Exit {
        member_destinations: Default::default(),
        destination_subsidy: None,
        household,
        date: on,
        destination: Destination::RENTAL_NO_SUBSIDY,
        reason: "Moved into an apartment.".to_owned(),
    }
}

fn sweep(as_of: NaiveDate) -> Sweep {
    Sweep { as_of }
}

/// A 4.12 record in living situation `code`.
fn situation(code: u16) -> CurrentLivingSituation {
    CurrentLivingSituation::new(CurrentSituation::try_from(code).unwrap())
}

/// Every household command of Part 1, dated `on`, for a household whose
/// head is `client(1)` and who has a second member `client(2)`.
fn household_commands(household: HouseholdId, on: NaiveDate) -> Vec<(&'static str, Command)> {
    vec![
        ("assess", assess(household, on, 9, true).into()),
        ("follow-up", follow_up(household, on, 3).into()),
        ("attempt contact", attempt(household, on).into()),
        (
            "add member",
            AddMember {
                household,
                date: on,
                member: partner(client(3)),
            }
            .into(),
        ),
        (
            "remove member",
            RemoveMember {
                destination: Default::default(),
                destination_subsidy: None,
                household,
                date: on,
                client: client(2),
            }
            .into(),
        ),
        (
            "change head",
            ChangeHead {
                household,
                date: on,
                head: client(2),
                former_head_relationship: RelationshipToHoH::OtherRelative,
            }
            .into(),
        ),
        ("exit", exit(household, on).into()),
    ]
}

/// Each command is rejected by `decide` with an error matching `rule`.
fn expect_each_rejected(
    given: &Scenario,
    commands: Vec<(&'static str, Command)>,
    rule: impl Fn(&Error) -> bool,
) {
    for (name, command) in commands {
        match given.when(command).result {
            Err(e) => assert!(rule(&e), "{name}: unexpected error {e:?}"),
            Ok(decision) => panic!("{name}: expected an error, got {:?}", decision.events),
        }
    }
}

// ---------------------------------------------------------------------------
// Enroll
// ---------------------------------------------------------------------------

#[test]
fn enroll_emits_household_enrolled_and_one_client_enrollment_per_member() {
    let given = Scenario::new();
    let decision = given.when(family(1, 2).enroll).then_expect_events(&[
        EventType::HouseholdEnrolled,
        EventType::ClientEnrollmentOpened,
        EventType::ClientEnrollmentOpened,
    ]);
    let Outcome::Enrolled { household } = decision.outcome else {
        panic!("expected Enrolled, got {:?}", decision.outcome);
    };
    assert_eq!(decision.events[0].streams, [StreamId::Household(household)]);
    assert_eq!(decision.events[1].streams, [StreamId::Client(client(1))]);
    assert_eq!(decision.events[2].streams, [StreamId::Client(client(2))]);
    assert!(decision.events.iter().all(|e| e.effective == start()));
}

#[test]
fn an_enrolled_household_is_active_with_project_start_as_its_last_contact() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2));

    let enrolled = household(&given, h);
    assert_eq!(enrolled.status, HouseholdStatus::Active);
    assert_eq!(enrolled.coalition, Coalition::new(COALITION));
    assert_eq!(enrolled.project_start, start());
    assert_eq!(enrolled.last_contact, start());
    assert_eq!(enrolled.current.0, start());
    assert_eq!(enrolled.head().map(|m| m.client), Some(client(1)));
    assert_eq!(enrolled.members.len(), 2);
    let open = &given.caseload().open_enrollments;
    assert_eq!(open.get(&client(1)), Some(&h));
    assert_eq!(open.get(&client(2)), Some(&h));
}

#[test]
fn an_enrolled_household_is_on_no_list_until_assessed() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    assert!(lists_with(&given, h, start()).is_empty());
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Rrh,
            start()
        ),
        Err(OffListReason::NotAssessed)
    );
}

#[test]
fn access_staff_may_enroll_a_household() {
    let mut given = Scenario::new();
    given.acting_as("jdoe", "Coulee CAP", Role::Access);
    given.when(single(1).enroll).then_expect_events(&[
        EventType::HouseholdEnrolled,
        EventType::ClientEnrollmentOpened,
    ]);
}

#[test]
fn enroll_is_forbidden_to_a_provider() {
    let mut given = Scenario::new();
    given.acting_as("pat", "Coulee Housing Authority", Role::Provider);
    given.when(single(1).enroll).then_expect_error(|e| {
        matches!(
            e,
            Error::Forbidden {
                role: Role::Provider,
                ..
            }
        )
    });
}

#[test]
fn part_1_household_commands_are_forbidden_to_a_provider() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2));
    given.acting_as("pat", "Coulee Housing Authority", Role::Provider);
    expect_each_rejected(&given, household_commands(h, date(2025, 2, 1)), |e| {
        matches!(
            e,
            Error::Forbidden {
                role: Role::Provider,
                ..
            }
        )
    });
}

#[test]
fn enroll_rejects_a_household_without_a_head() {
    let mut builder = couple(1, 2);
    builder.enroll.members[0].relationship = RelationshipToHoH::OtherRelative;
    Scenario::new()
        .when(builder.enroll)
        .then_expect_error(|e| matches!(e, Error::HeadOfHousehold { count: 0 }));
}

#[test]
fn enroll_rejects_a_household_with_no_members() {
    let mut builder = single(1);
    builder.enroll.members.clear();
    Scenario::new()
        .when(builder.enroll)
        .then_expect_error(|e| matches!(e, Error::HeadOfHousehold { count: 0 }));
}

#[test]
fn enroll_rejects_a_household_with_two_heads() {
    let mut builder = couple(1, 2);
    builder.enroll.members[1].relationship = RelationshipToHoH::SelfHeadOfHousehold;
    Scenario::new()
        .when(builder.enroll)
        .then_expect_error(|e| matches!(e, Error::HeadOfHousehold { count: 2 }));
}

#[test]
fn enroll_rejects_a_client_listed_twice() {
    let mut builder = family(1, 2);
    builder.enroll.members.push(child(client(2)));
    Scenario::new()
        .when(builder.enroll)
        .then_expect_error(|e| matches!(e, Error::DuplicateMember(c) if *c == client(2)));
}

#[test]
fn enroll_rejects_a_client_who_already_has_an_open_ce_enrollment() {
    let mut given = Scenario::new();
    let first = given.enroll(single(1));

    given
        .when(single(1).starting(date(2025, 2, 1)).enroll)
        .then_expect_error(|e| {
            matches!(e, Error::ClientAlreadyEnrolled { client: c, household }
                if *c == client(1) && *household == first)
        });
    // Also when the client is a member, not the head, of the new household.
    given
        .when(family(5, 1).starting(date(2025, 2, 1)).enroll)
        .then_expect_error(|e| {
            matches!(e, Error::ClientAlreadyEnrolled { client: c, household }
                if *c == client(1) && *household == first)
        });
}

#[test]
fn enroll_rejects_a_coalition_outside_the_balance_of_state() {
    Scenario::new()
        .when(HouseholdBuilder::single_adult("Milwaukee").enroll)
        .then_expect_error(|e| matches!(e, Error::UnknownCoalition(c) if c.0 == "Milwaukee"));
}

#[test]
fn enroll_rejects_rental_with_subsidy_without_a_subsidy_type() {
    let mut builder = single(1);
    builder.enroll.current = situation(435);
    Scenario::new().when(builder.enroll).then_expect_error(|e| {
        matches!(
            e,
            Error::SubsidyMismatch {
                situation: LivingSituation::RentalWithSubsidy
            }
        )
    });
}

#[test]
fn enroll_rejects_a_subsidy_type_with_a_situation_other_than_435() {
    let mut builder = single(1);
    builder.enroll.current.subsidy = Some(RentalSubsidyType::Vash);
    Scenario::new().when(builder.enroll).then_expect_error(|e| {
        matches!(
            e,
            Error::SubsidyMismatch {
                situation: LivingSituation::PlaceNotMeantForHabitation
            }
        )
    });
}

#[test]
fn enroll_accepts_rental_with_subsidy_and_its_subsidy_type() {
    let mut builder = single(1);
    builder.enroll.current = situation(435);
    builder.enroll.current.subsidy = Some(RentalSubsidyType::HousingChoiceVoucher);
    Scenario::new().when(builder.enroll).then_expect_events(&[
        EventType::HouseholdEnrolled,
        EventType::ClientEnrollmentOpened,
    ]);
}

#[test]
fn current_living_situation_location_details_are_limited_to_250_characters() {
    let mut builder = single(1);
    builder.enroll.current.location_details = Some("x".repeat(251));
    Scenario::new().when(builder.enroll).then_expect_error(|e| {
        matches!(
            e,
            Error::TooLong {
                chars: 251,
                max: 250,
                ..
            }
        )
    });
}

#[test]
fn enroll_rejects_a_project_start_after_the_time_it_is_recorded() {
    let mut given = Scenario::new();
    given.recorded_at(utc(2025, 1, 5, 23, 59, 59));
    given.when(single(1).enroll).then_expect_error(|e| {
        matches!(e, Error::EffectiveAfterRecorded { effective, recorded_at }
            if *effective == start() && *recorded_at == utc(2025, 1, 5, 23, 59, 59))
    });
}

#[test]
fn a_command_effective_on_the_day_it_is_recorded_is_accepted() {
    let mut given = Scenario::new();
    given.recorded_at(utc(2025, 1, 6, 0, 0, 0));
    given.when(single(1).enroll).then_expect_events(&[
        EventType::HouseholdEnrolled,
        EventType::ClientEnrollmentOpened,
    ]);
}

#[test]
fn a_follow_up_dated_after_the_time_it_is_recorded_is_rejected() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given.recorded_at(utc(2025, 2, 1, 12, 0, 0));
    given
        .when(follow_up(h, date(2025, 2, 2), 3))
        .then_expect_error(|e| {
            matches!(e, Error::EffectiveAfterRecorded { effective, .. }
                if *effective == date(2025, 2, 2))
        });
}

// ---------------------------------------------------------------------------
// Rules shared by every household command
// ---------------------------------------------------------------------------

#[test]
fn commands_on_an_unknown_household_are_rejected() {
    let mut given = Scenario::new();
    given.enroll(family(1, 2));
    let unknown = HouseholdId::from_uuid(uuid::Uuid::from_u128(404));
    expect_each_rejected(
        &given,
        household_commands(unknown, date(2025, 2, 1)),
        |e| matches!(e, Error::UnknownHousehold(h) if *h == unknown),
    );
}

#[test]
fn commands_on_an_exited_household_are_rejected() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2));
    given.given(exit(h, date(2025, 3, 1)));
    expect_each_rejected(&given, household_commands(h, date(2025, 3, 2)), |e| {
        matches!(e, Error::HouseholdExited { household, exit_date }
            if *household == h && *exit_date == date(2025, 3, 1))
    });
}

#[test]
fn commands_dated_before_project_start_are_rejected() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2));
    let day_before = date(2025, 1, 5);
    expect_each_rejected(&given, household_commands(h, day_before), |e| {
        matches!(e, Error::BeforeProjectStart { household, date, project_start, .. }
            if *household == h && *date == day_before && *project_start == start())
    });
}

#[test]
fn before_project_start_names_the_date_that_is_wrong() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given
        .when(follow_up(h, date(2025, 1, 5), 3))
        .then_expect_error(|e| {
            matches!(
                e,
                Error::BeforeProjectStart {
                    field: "follow-up date",
                    ..
                }
            )
        });
    given
        .when(assess(h, date(2025, 1, 5), 9, true))
        .then_expect_error(|e| {
            matches!(
                e,
                Error::BeforeProjectStart {
                    field: "assessment date",
                    ..
                }
            )
        });
}

// ---------------------------------------------------------------------------
// Assess
// ---------------------------------------------------------------------------

#[test]
fn assessment_placed_puts_the_household_on_the_lists_it_is_eligible_for() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled());
    given
        .when(assess(h, assessed_on(), 9, true))
        .then_expect_events(&[EventType::AssessmentRecorded]);
    given.given(assess(h, assessed_on(), 9, true));

    let assessed = household(&given, h);
    assert_eq!(assessed.placed_on, Some(assessed_on()));
    assert_eq!(assessed.score(), Some(9));
    // Literally homeless with a disabled adult: on the TH list too.
    assert_eq!(
        lists_with(&given, h, assessed_on()),
        on_lists(&[
            (ProgramType::Psh, ListHouseholdType::AdultsOnly),
            (ProgramType::Th, ListHouseholdType::AdultsOnly),
            (ProgramType::Rrh, ListHouseholdType::AdultsOnly),
        ])
    );
    assert_eq!(
        given.list(
            COALITION,
            ProgramType::Psh,
            ListHouseholdType::AdultsOnly,
            assessed_on()
        ),
        [h]
    );
}

#[test]
fn a_household_without_a_disabling_condition_is_on_no_psh_list() {
    // HUD CoC PSH serves homeless individuals with a disability and
    // families with an adult or child member with one (24 CFR
    // 578.37(a)(1)(i)); a high score does not make up for it.
    let mut given = Scenario::new();
    let none = given.enroll(single(1).placed_with_score(15));
    assert_eq!(
        lists_with(&given, none, assessed_on()),
        on_lists(&[(ProgramType::Rrh, ListHouseholdType::AdultsOnly)])
    );
    assert_eq!(
        list_status(
            household(&given, none),
            given.policy(),
            ProgramType::Psh,
            assessed_on()
        ),
        Err(OffListReason::Ineligible {
            rule: "no member with a disabling condition (HUD CoC PSH, 24 CFR 578.37(a)(1)(i))"
        })
    );
    // A family whose only member with a disability is a child is eligible.
    let mut builder = family(3, 4).placed_with_score(9);
    if let Some(kid) = builder.enroll.members.get_mut(1) {
        kid.disabling_condition = NoYesReasons::Yes;
    }
    let family_with_disabled_child = given.enroll(builder);
    assert_eq!(
        given.list(
            COALITION,
            ProgramType::Psh,
            ListHouseholdType::WithChildren,
            assessed_on()
        ),
        [family_with_disabled_child]
    );
}

#[test]
fn a_literally_homeless_household_with_a_disabled_adult_is_also_on_the_th_list() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled().placed_with_score(9));
    assert_eq!(
        lists_with(&given, h, assessed_on()),
        on_lists(&[
            (ProgramType::Psh, ListHouseholdType::AdultsOnly),
            (ProgramType::Th, ListHouseholdType::AdultsOnly),
            (ProgramType::Rrh, ListHouseholdType::AdultsOnly),
        ])
    );
}

#[test]
fn assessment_not_placed_puts_the_household_on_no_list() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given
        .when(assess(h, assessed_on(), 15, false))
        .then_expect_events(&[EventType::AssessmentRecorded]);
    given.given(assess(h, assessed_on(), 15, false));

    assert_eq!(household(&given, h).placed_on, None);
    assert!(lists_with(&given, h, assessed_on()).is_empty());
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Psh,
            assessed_on()
        ),
        Err(OffListReason::NotPlaced)
    );
}

#[test]
fn a_reassessment_not_placed_takes_the_household_off_the_lists() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    given.given(assess(h, date(2025, 2, 1), 9, false));
    assert!(lists_with(&given, h, date(2025, 2, 1)).is_empty());
}

#[test]
fn a_reassessment_still_placed_keeps_the_original_placement_date() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    given.given(assess(h, date(2025, 2, 1), 11, true));
    let reassessed = household(&given, h);
    assert_eq!(reassessed.placed_on, Some(assessed_on()));
    assert_eq!(reassessed.score(), Some(11));
}

// ---------------------------------------------------------------------------
// FollowUp (contact made)
// ---------------------------------------------------------------------------

#[test]
fn follow_up_records_contact_with_status_update_and_current_living_situation() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    let mut contact = follow_up(h, date(2025, 3, 1), 5);
    contact.current = situation(101);

    given
        .when(contact.clone())
        .then_expect_events(&[EventType::ContactMade]);
    given.given(contact);

    let followed = household(&given, h);
    assert_eq!(followed.last_contact, date(2025, 3, 1));
    assert_eq!(followed.months_homeless, MonthsHomeless::FiveMonths);
    assert_eq!(followed.current, (date(2025, 3, 1), situation(101)));
    assert_eq!(followed.last_attempt, None);
    assert_eq!(followed.status, HouseholdStatus::Active);
}

#[test]
fn follow_up_rejects_an_empty_note() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    for note in ["", "   ", "\n\t "] {
        given
            .when_follow_up_with_note(h, date(2025, 3, 1), note)
            .then_expect_error(|e| matches!(e, Error::EmptyNote));
    }
}

#[test]
fn follow_up_rejects_a_note_over_1000_characters() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given
        .when_follow_up_with_note(h, date(2025, 3, 1), &"x".repeat(1_001))
        .then_expect_error(|e| {
            matches!(
                e,
                Error::TooLong {
                    field: "CE note",
                    chars: 1_001,
                    max: 1_000
                }
            )
        });
}

#[test]
fn a_note_of_1000_characters_is_accepted_however_many_bytes_they_take() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    // 1,000 characters, 2,000 bytes: the limit counts characters.
    given
        .when_follow_up_with_note(h, date(2025, 3, 1), &"é".repeat(1_000))
        .then_expect_events(&[EventType::ContactMade]);
}

#[test]
fn follow_up_rejects_rental_with_subsidy_without_a_subsidy_type() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut contact = follow_up(h, date(2025, 3, 1), 3);
    contact.current = situation(435);
    given.when(contact).then_expect_error(|e| {
        matches!(
            e,
            Error::SubsidyMismatch {
                situation: LivingSituation::RentalWithSubsidy
            }
        )
    });
}

#[test]
fn a_backdated_follow_up_does_not_replace_the_latest_status_update() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut latest = follow_up(h, date(2025, 3, 1), 5);
    latest.current = situation(101);
    given.given(latest);
    // Entered late: a contact that happened before the latest one.
    given.given(follow_up(h, date(2025, 2, 1), 3));

    let followed = household(&given, h);
    assert_eq!(followed.last_contact, date(2025, 3, 1));
    assert_eq!(
        followed.current,
        (date(2025, 3, 1), situation(101)),
        "the latest 4.12 is the one dated 2025-03-01"
    );
    assert_eq!(
        followed.months_homeless,
        MonthsHomeless::FiveMonths,
        "months homeless come from the latest Status Update (2025-03-01)"
    );
}

// ---------------------------------------------------------------------------
// AttemptContact (no contact)
// ---------------------------------------------------------------------------

#[test]
fn attempt_contact_records_the_attempt_but_is_not_contact() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given
        .when(attempt(h, date(2025, 3, 1)))
        .then_expect_events(&[EventType::ContactAttempted]);
    given.given(attempt(h, date(2025, 3, 1)));

    let attempted = household(&given, h);
    assert_eq!(attempted.last_attempt, Some(date(2025, 3, 1)));
    assert_eq!(attempted.last_contact, start());
    assert_eq!(attempted.current.0, start());
    assert_eq!(attempted.months_homeless, MonthsHomeless::TwoMonths);
}

#[test]
fn attempt_contact_rejects_an_empty_note() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut command = attempt(h, date(2025, 3, 1));
    command.note = " ".to_owned();
    given
        .when(command)
        .then_expect_error(|e| matches!(e, Error::EmptyNote));
}

#[test]
fn attempt_contact_rejects_a_note_over_1000_characters() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut command = attempt(h, date(2025, 3, 1));
    command.note = "y".repeat(1_001);
    given.when(command).then_expect_error(|e| {
        matches!(
            e,
            Error::TooLong {
                field: "CE note",
                ..
            }
        )
    });
}

// ---------------------------------------------------------------------------
// Membership: AddMember, RemoveMember, ChangeHead
// ---------------------------------------------------------------------------

#[test]
fn add_member_emits_member_added_and_opens_the_clients_enrollment() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled().placed_with_score(10));
    let add = AddMember {
        household: h,
        date: date(2025, 2, 1),
        member: child(client(2)),
    };
    let decision = given
        .when(add.clone())
        .then_expect_events(&[EventType::MemberAdded, EventType::ClientEnrollmentOpened]);
    assert_eq!(decision.events[0].streams, [StreamId::Household(h)]);
    assert_eq!(decision.events[1].streams, [StreamId::Client(client(2))]);
    given.given(add);

    let grown = household(&given, h);
    assert!(grown.members.iter().any(|m| m.client == client(2)));
    assert_eq!(given.caseload().open_enrollments.get(&client(2)), Some(&h));
    // A child joined: the household moves to the with-children lists.
    assert_eq!(grown.household_type(), HouseholdType::AdultsAndChildren);
    assert_eq!(
        lists_with(&given, h, date(2025, 2, 1)),
        on_lists(&[
            (ProgramType::Psh, ListHouseholdType::WithChildren),
            (ProgramType::Th, ListHouseholdType::WithChildren),
            (ProgramType::Rrh, ListHouseholdType::WithChildren),
        ])
    );
}

#[test]
fn add_member_rejects_a_client_enrolled_in_another_household() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let other = given.enroll(single(2));
    given
        .when(AddMember {
            household: h,
            date: date(2025, 2, 1),
            member: partner(client(2)),
        })
        .then_expect_error(|e| {
            matches!(e, Error::ClientAlreadyEnrolled { client: c, household }
                if *c == client(2) && *household == other)
        });
}

#[test]
fn add_member_rejects_a_second_head_of_household() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut head = partner(client(2));
    head.relationship = RelationshipToHoH::SelfHeadOfHousehold;
    given
        .when(AddMember {
            household: h,
            date: date(2025, 2, 1),
            member: head,
        })
        .then_expect_error(|e| matches!(e, Error::HeadOfHousehold { count: 2 }));
}

#[test]
fn add_member_rejects_a_client_already_in_the_household() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2));
    given
        .when(AddMember {
            household: h,
            date: date(2025, 2, 1),
            member: child(client(2)),
        })
        .then_expect_error(|e| matches!(e, Error::DuplicateMember(c) if *c == client(2)));
}

#[test]
fn remove_member_emits_member_removed_and_closes_the_clients_enrollment() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    let remove = RemoveMember {
        destination: None,
        destination_subsidy: None,
        household: h,
        date: date(2025, 2, 1),
        client: client(2),
    };
    let decision = given
        .when(remove.clone())
        .then_expect_events(&[EventType::MemberRemoved, EventType::ClientEnrollmentClosed]);
    assert_eq!(decision.events[1].streams, [StreamId::Client(client(2))]);
    given.given(remove);

    let members: Vec<ClientId> = household(&given, h)
        .members
        .iter()
        .map(|m| m.client)
        .collect();
    assert_eq!(members, [client(1)]);
    assert_eq!(given.caseload().open_enrollments.get(&client(2)), None);
}

#[test]
fn a_removed_member_can_enroll_in_a_household_of_their_own() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    given.given(RemoveMember {
        destination: None,
        destination_subsidy: None,
        household: h,
        date: date(2025, 2, 1),
        client: client(2),
    });
    given
        .when(single(2).starting(date(2025, 2, 1)).enroll)
        .then_expect_events(&[
            EventType::HouseholdEnrolled,
            EventType::ClientEnrollmentOpened,
        ]);
}

#[test]
fn removing_the_head_of_household_is_rejected() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    given
        .when(RemoveMember {
            destination: None,
            destination_subsidy: None,
            household: h,
            date: date(2025, 2, 1),
            client: client(1),
        })
        .then_expect_error(|e| {
            matches!(e, Error::CannotRemoveHead { household, client: c }
                if *household == h && *c == client(1))
        });
}

#[test]
fn removing_a_client_who_is_not_a_member_is_rejected() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    given
        .when(RemoveMember {
            destination: None,
            destination_subsidy: None,
            household: h,
            date: date(2025, 2, 1),
            client: client(9),
        })
        .then_expect_error(
            |e| matches!(e, Error::UnknownMember { client: c, .. } if *c == client(9)),
        );
}

#[test]
fn change_head_makes_another_member_head_and_relates_the_former_head_to_them() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    let change = ChangeHead {
        household: h,
        date: date(2025, 2, 1),
        head: client(2),
        former_head_relationship: RelationshipToHoH::SpouseOrPartner,
    };
    given
        .when(change.clone())
        .then_expect_events(&[EventType::HeadOfHouseholdChanged]);
    given.given(change);

    let changed = household(&given, h);
    assert_eq!(changed.head().map(|m| m.client), Some(client(2)));
    let former = changed
        .members
        .iter()
        .find(|m| m.client == client(1))
        .unwrap();
    assert_eq!(former.relationship, RelationshipToHoH::SpouseOrPartner);
}

#[test]
fn after_a_change_of_head_the_former_head_can_be_removed() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    given.given(ChangeHead {
        household: h,
        date: date(2025, 2, 1),
        head: client(2),
        former_head_relationship: RelationshipToHoH::SpouseOrPartner,
    });
    given
        .when(RemoveMember {
            destination: None,
            destination_subsidy: None,
            household: h,
            date: date(2025, 2, 2),
            client: client(1),
        })
        .then_expect_events(&[EventType::MemberRemoved, EventType::ClientEnrollmentClosed]);
}

#[test]
fn change_head_rejects_a_client_who_is_not_a_member() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    given
        .when(ChangeHead {
            household: h,
            date: date(2025, 2, 1),
            head: client(9),
            former_head_relationship: RelationshipToHoH::SpouseOrPartner,
        })
        .then_expect_error(
            |e| matches!(e, Error::UnknownMember { client: c, .. } if *c == client(9)),
        );
}

#[test]
fn change_head_rejects_leaving_the_former_head_as_a_second_head() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    given
        .when(ChangeHead {
            household: h,
            date: date(2025, 2, 1),
            head: client(2),
            former_head_relationship: RelationshipToHoH::SelfHeadOfHousehold,
        })
        .then_expect_error(|e| matches!(e, Error::HeadOfHousehold { count: 2 }));
}

// ---------------------------------------------------------------------------
// Exit
// ---------------------------------------------------------------------------

#[test]
fn exit_emits_household_exited_and_closes_every_members_enrollment() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2).placed_with_score(10));
    let decision = given.when(exit(h, date(2025, 3, 1))).then_expect_events(&[
        EventType::HouseholdExited,
        EventType::ClientEnrollmentClosed,
        EventType::ClientEnrollmentClosed,
    ]);
    assert_eq!(decision.events[1].streams, [StreamId::Client(client(1))]);
    assert_eq!(decision.events[2].streams, [StreamId::Client(client(2))]);
    given.given(exit(h, date(2025, 3, 1)));

    assert_eq!(
        household(&given, h).status,
        HouseholdStatus::Exited {
            date: date(2025, 3, 1),
            destination: Destination::RENTAL_NO_SUBSIDY,
        }
    );
    let open = &given.caseload().open_enrollments;
    assert_eq!(open.get(&client(1)), None);
    assert_eq!(open.get(&client(2)), None);
}

#[test]
fn exit_removes_the_household_from_every_list() {
    let mut given = Scenario::new();
    let h = given.enroll(family(1, 2).disabled().placed_with_score(10));
    assert_eq!(lists_with(&given, h, date(2025, 3, 1)).len(), 3);

    given.given(exit(h, date(2025, 3, 1)));

    assert!(lists_with(&given, h, date(2025, 3, 1)).is_empty());
    assert!(given
        .caseload()
        .lists(given.policy(), date(2025, 3, 1))
        .values()
        .all(|list| list.entries.is_empty()));
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Psh,
            date(2025, 3, 1)
        ),
        Err(OffListReason::Exited {
            date: date(2025, 3, 1)
        })
    );
}

#[test]
fn an_exited_client_can_enroll_again_as_a_new_ce_enrollment() {
    let mut given = Scenario::new();
    let first = given.enroll(single(1));
    given.given(exit(first, date(2025, 3, 1)));

    let again = given.enroll(single(1).starting(date(2025, 6, 1)));

    assert_ne!(again, first);
    assert_eq!(
        given.caseload().open_enrollments.get(&client(1)),
        Some(&again)
    );
    assert_eq!(household(&given, again).status, HouseholdStatus::Active);
    assert!(household(&given, first).is_exited());
}

#[test]
fn a_new_enrollment_cannot_start_before_the_clients_previous_exit() {
    let mut given = Scenario::new();
    let first = given.enroll(single(1));
    given.given(exit(first, date(2025, 3, 1)));
    // A return is a later enrollment: starting on 2025-02-15 would give the
    // client two CE enrollments open at once from 2025-02-15 to 2025-03-01.
    given
        .when(single(1).starting(date(2025, 2, 15)).enroll)
        .then_expect_error(|_| true);
}

#[test]
fn exit_before_the_latest_recorded_activity_is_rejected() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given.given(follow_up(h, date(2025, 3, 1), 3));
    given
        .when(exit(h, date(2025, 2, 15)))
        .then_expect_error(|e| {
            matches!(e, Error::BeforeLastActivity { household, date: d, last_activity }
                if *household == h
                    && *d == date(2025, 2, 15)
                    && *last_activity == date(2025, 3, 1))
        });
    // The same day as the latest activity is fine.
    given.when(exit(h, date(2025, 3, 1))).then_expect_events(&[
        EventType::HouseholdExited,
        EventType::ClientEnrollmentClosed,
    ]);
}

#[test]
fn exit_requires_a_reason() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut command = exit(h, date(2025, 3, 1));
    command.reason = "  ".to_owned();
    given
        .when(command)
        .then_expect_error(|e| matches!(e, Error::Required("exit reason")));
}

// ---------------------------------------------------------------------------
// Sweep (inactivity)
// ---------------------------------------------------------------------------

#[test]
fn sweep_inactivates_households_past_the_inactivity_days_without_contact() {
    let mut given = Scenario::new();
    let quiet = given.enroll(single(1).placed_with_score(9));
    let in_touch = given.enroll(single(2).placed_with_score(9));
    given.given(follow_up(in_touch, date(2025, 3, 1), 4));
    // The assessment (the day after project start) is the last contact.
    let as_of = days_after(assessed_on(), 91);

    let decision = given
        .when(sweep(as_of))
        .then_expect_events(&[EventType::HouseholdInactivated]);
    assert_eq!(
        decision.outcome,
        Outcome::Swept {
            inactivated: vec![quiet]
        }
    );
    assert_eq!(decision.events[0].streams, [StreamId::Household(quiet)]);
    assert_eq!(decision.events[0].effective, as_of);
    match &decision.events[0].event {
        Event::HouseholdInactivated(e) => {
            assert_eq!(e.last_contact, assessed_on());
            assert_eq!(e.days_without_contact, 91);
            assert_eq!(e.inactivity_days, 90);
        }
        other => panic!("expected HouseholdInactivated, got {other:?}"),
    }

    given.given(sweep(as_of));
    assert_eq!(
        household(&given, quiet).status,
        HouseholdStatus::Inactive {
            since: as_of,
            inactivity_days: 90
        }
    );
    assert_eq!(household(&given, in_touch).status, HouseholdStatus::Active);
}

#[test]
fn sweep_marks_a_household_inactive_on_day_90_after_its_last_contact_not_day_89() {
    // "No contact for 90 days": the last contact is day 0.
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    let decision = given
        .when(sweep(days_after(assessed_on(), 89)))
        .then_expect_events(&[]);
    assert_eq!(
        decision.outcome,
        Outcome::Swept {
            inactivated: vec![]
        }
    );
    let decision = given
        .when(sweep(days_after(assessed_on(), 90)))
        .then_expect_events(&[EventType::HouseholdInactivated]);
    assert_eq!(
        decision.outcome,
        Outcome::Swept {
            inactivated: vec![h]
        }
    );
}

#[test]
fn a_contact_entered_after_the_sweep_but_dated_within_the_window_brings_the_household_back() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled().placed_with_score(9));
    let swept_on = days_after(assessed_on(), 90);
    given.given(sweep(swept_on));
    // Dated 13 days before the sweep, entered after it.
    let late = days_before(swept_on, 13);
    given.given(follow_up(h, late, 5));
    assert_eq!(household(&given, h).status, HouseholdStatus::Active);
    assert_eq!(household(&given, h).last_contact, late);
    assert!(!lists_with(&given, h, swept_on).is_empty());
    let violations =
        ce_core::invariants::check_caseload(given.caseload(), given.policy(), swept_on);
    assert!(violations.is_empty(), "{violations:?}");
}

#[test]
fn the_invariants_catch_an_inactive_household_with_a_contact_in_its_window() {
    // A projection (or a fold by other code) that kept the household
    // inactive after such a contact: `verify`'s caseload check finds it.
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    let swept_on = days_after(assessed_on(), 90);
    given.given(sweep(swept_on));
    let mut caseload = given.caseload().clone();
    assert!(ce_core::invariants::check_caseload(&caseload, given.policy(), swept_on).is_empty());
    let mut stale = household(&given, h).clone();
    stale.last_contact = days_before(swept_on, 13);
    caseload.insert_household(stale);
    let violations = ce_core::invariants::check_caseload(&caseload, given.policy(), swept_on);
    assert_eq!(
        violations,
        [ce_core::invariants::Violation::InactiveDespiteContact {
            household: h,
            since: swept_on,
            last_contact: days_before(swept_on, 13),
            inactivity_days: 90,
        }]
    );
}

#[test]
fn a_contact_entered_late_and_older_than_the_window_leaves_the_household_inactive() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    let swept_on = days_after(assessed_on(), 120);
    given.given(sweep(swept_on));
    // 90 days before the sweep: the sweep would have found it all the same.
    given.given(follow_up(h, days_before(swept_on, 90), 5));
    assert_eq!(
        household(&given, h).status,
        HouseholdStatus::Inactive {
            since: swept_on,
            inactivity_days: 90
        }
    );
}

#[test]
fn sweep_follows_the_policys_inactivity_days() {
    let mut policy = Policy::wi_bos_default();
    policy.inactivity_days = 60;
    let mut given = Scenario::with_policy(policy);
    given.enroll(single(1));
    // "No contact for 60 days": still active on day 59, inactive on day 60.
    given
        .when(sweep(days_after(start(), 59)))
        .then_expect_events(&[]);
    given
        .when(sweep(days_after(start(), 60)))
        .then_expect_events(&[EventType::HouseholdInactivated]);
}

#[test]
fn a_no_contact_attempt_does_not_prevent_inactivity() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    given.given(attempt(h, date(2025, 4, 1)));
    let decision = given
        .when(sweep(days_after(assessed_on(), 91)))
        .then_expect_events(&[EventType::HouseholdInactivated]);
    assert_eq!(
        decision.outcome,
        Outcome::Swept {
            inactivated: vec![h]
        }
    );
}

#[test]
fn an_inactive_household_is_off_every_list() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled().placed_with_score(9));
    let as_of = days_after(assessed_on(), 91);
    assert_eq!(lists_with(&given, h, as_of).len(), 3);

    given.given(sweep(as_of));

    assert!(lists_with(&given, h, as_of).is_empty());
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Rrh,
            as_of
        ),
        Err(OffListReason::Inactive { since: as_of })
    );
}

#[test]
fn a_follow_up_puts_an_inactive_household_back_on_its_lists() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled().placed_with_score(9));
    let as_of = days_after(start(), 91);
    let before = lists_with(&given, h, as_of);
    given.given(sweep(as_of));

    given
        .when(follow_up(h, date(2025, 4, 20), 5))
        .then_expect_events(&[EventType::ContactMade]);
    given.given(follow_up(h, date(2025, 4, 20), 5));

    let back = household(&given, h);
    assert_eq!(back.status, HouseholdStatus::Active);
    assert_eq!(back.last_contact, date(2025, 4, 20));
    assert_eq!(lists_with(&given, h, date(2025, 4, 20)), before);
    assert_eq!(
        given.list(
            COALITION,
            ProgramType::Psh,
            ListHouseholdType::AdultsOnly,
            date(2025, 4, 20)
        ),
        [h]
    );
}

#[test]
fn a_no_contact_attempt_does_not_reactivate_an_inactive_household() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    let as_of = days_after(assessed_on(), 91);
    given.given(sweep(as_of));
    given.given(attempt(h, date(2025, 4, 20)));
    assert_eq!(
        household(&given, h).status,
        HouseholdStatus::Inactive {
            since: as_of,
            inactivity_days: 90
        }
    );
    assert!(lists_with(&given, h, date(2025, 4, 20)).is_empty());
}

#[test]
fn sweep_skips_households_already_inactive_or_exited() {
    let mut given = Scenario::new();
    let inactive = given.enroll(single(1));
    let exited = given.enroll(single(2));
    given.given(exit(exited, date(2025, 2, 1)));
    given.given(sweep(days_after(start(), 91)));
    assert_eq!(
        household(&given, inactive).status,
        HouseholdStatus::Inactive {
            since: days_after(start(), 91),
            inactivity_days: 90
        }
    );

    given.when(sweep(date(2025, 6, 1))).then_expect_events(&[]);
}

#[test]
fn sweep_is_forbidden_to_access_staff_and_providers() {
    let mut given = Scenario::new();
    given.enroll(single(1));
    for role in [Role::Access, Role::Provider] {
        given.acting_as("someone", "Coulee CAP", role);
        given
            .when(sweep(date(2025, 6, 1)))
            .then_expect_error(|e| matches!(e, Error::Forbidden { role: r, .. } if *r == role));
    }
}

// ---------------------------------------------------------------------------
// HUD codes are checked for their field
// ---------------------------------------------------------------------------

#[test]
fn a_destination_only_code_is_not_a_current_living_situation() {
    let invalid = CurrentSituation::try_from(24).unwrap_err();
    assert_eq!(
        invalid,
        InvalidCode {
            field: "4.12 CurrentLivingSituation",
            code: 24
        }
    );
    let error = Error::from(invalid);
    assert!(
        matches!(
            &error,
            Error::InvalidCode(InvalidCode {
                field: "4.12 CurrentLivingSituation",
                code: 24
            })
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("4.12 CurrentLivingSituation"),
        "{error}"
    );
}

#[test]
fn each_living_situation_column_accepts_only_its_own_codes() {
    // 37 "worker unable to determine" is current-only; 17 "other" is not prior.
    assert!(CurrentSituation::try_from(37).is_ok());
    assert_eq!(
        Destination::try_from(37),
        Err(InvalidCode {
            field: "3.12 Destination",
            code: 37
        })
    );
    assert_eq!(
        PriorSituation::try_from(17),
        Err(InvalidCode {
            field: "3.917 LivingSituation",
            code: 17
        })
    );
    assert_eq!(
        RelationshipToHoH::try_from(6),
        Err(InvalidCode {
            field: "3.15 RelationshipToHoH",
            code: 6
        })
    );
}

#[test]
fn an_exit_command_with_destination_37_does_not_deserialize() {
    let exit_json = |destination: u16| {
        format!(
            r#"{{"command": "exit", "household": "{}", "date": "2025-03-01",
                "destination": {destination}, "reason": "Moved away"}}"#,
            uuid::Uuid::from_u128(7)
        )
    };
    let err = serde_json::from_str::<Command>(&exit_json(37)).unwrap_err();
    assert!(
        err.to_string()
            .contains("37 is not a valid code for 3.12 Destination"),
        "{err}"
    );
    // The same command with a destination code is fine.
    let ok = serde_json::from_str::<Command>(&exit_json(410)).unwrap();
    assert!(
        matches!(&ok, Command::Exit(e) if e.destination == Destination::RENTAL_NO_SUBSIDY),
        "{ok:?}"
    );
}

#[test]
fn a_follow_up_command_with_current_situation_24_does_not_deserialize() {
    let json = format!(
        r#"{{"command": "follow_up", "household": "{}", "date": "2025-03-01",
            "status": {{"residence": 116, "months_homeless": 103}},
            "current": {{"living_situation": 24}},
            "note": "Talked about housing."}}"#,
        uuid::Uuid::from_u128(7)
    );
    let err = serde_json::from_str::<Command>(&json).unwrap_err();
    assert!(
        err.to_string()
            .contains("24 is not a valid code for 4.12 CurrentLivingSituation"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// Derived values: chronic homelessness (HUD, 24 CFR 578.3)
// ---------------------------------------------------------------------------

fn is_chronic(builder: HouseholdBuilder) -> bool {
    let mut given = Scenario::new();
    let h = given.enroll(builder);
    household(&given, h).is_chronic()
}

/// Disabled, from the street, one time and two months homeless: only the
/// length of the current episode can make this head of household chronic.
fn disabled_on_the_street_since(days_before_start: u64) -> HouseholdBuilder {
    let mut builder = single(1).disabled();
    builder.enroll.prior.episode_start = Some(days_before(start(), days_before_start));
    builder
}

#[test]
fn chronic_when_disabled_on_the_street_with_a_365_day_episode() {
    assert!(is_chronic(disabled_on_the_street_since(365)));
    assert!(!is_chronic(disabled_on_the_street_since(364)));
}

#[test]
fn chronic_when_disabled_and_homeless_four_times_totalling_twelve_months() {
    let occasions = |times: TimesHomeless, months: MonthsHomeless| {
        let mut builder = disabled_on_the_street_since(60);
        builder.enroll.prior.times_homeless = times;
        builder.enroll.prior.months_homeless = months;
        builder
    };
    assert!(is_chronic(occasions(
        TimesHomeless::FourOrMoreTimes,
        MonthsHomeless::TwelveMonths
    )));
    assert!(is_chronic(occasions(
        TimesHomeless::FourOrMoreTimes,
        MonthsHomeless::MoreThanTwelveMonths
    )));
    assert!(!is_chronic(occasions(
        TimesHomeless::FourOrMoreTimes,
        MonthsHomeless::ElevenMonths
    )));
    assert!(!is_chronic(occasions(
        TimesHomeless::ThreeTimes,
        MonthsHomeless::MoreThanTwelveMonths
    )));
}

#[test]
fn not_chronic_without_a_disabling_condition() {
    for answer in [
        NoYesReasons::No,
        NoYesReasons::ClientDoesntKnow,
        NoYesReasons::ClientPrefersNotToAnswer,
        NoYesReasons::DataNotCollected,
    ] {
        let mut builder = single(1).chronic();
        builder.enroll.members[0].disabling_condition = answer;
        assert!(!is_chronic(builder), "disabling condition {answer}");
    }
}

#[test]
fn chronic_from_the_street_an_emergency_shelter_or_a_safe_haven() {
    for prior in [
        PriorSituation::PLACE_NOT_MEANT_FOR_HABITATION,
        PriorSituation::EMERGENCY_SHELTER,
        PriorSituation::SAFE_HAVEN,
    ] {
        let mut builder = single(1).chronic();
        builder.enroll.prior.living_situation = prior;
        assert!(is_chronic(builder), "prior living situation {prior}");
    }
}

#[test]
fn not_chronic_when_coming_from_a_family_members_home() {
    let mut builder = single(1).chronic();
    builder.enroll.prior.living_situation = PriorSituation::STAYING_WITH_FAMILY;
    assert!(!is_chronic(builder));
}

#[test]
fn a_family_is_chronic_when_its_head_of_household_is() {
    assert!(is_chronic(family(1, 2).chronic()));

    // A disabled child does not make the family chronic.
    let mut builder = family(1, 2).chronic();
    builder.enroll.members[0].disabling_condition = NoYesReasons::No;
    builder.enroll.members[1].disabling_condition = NoYesReasons::Yes;
    assert!(!is_chronic(builder));
}

#[test]
fn a_household_found_housed_at_a_follow_up_does_not_become_chronic() {
    let mut given = Scenario::new();
    // Disabled, on the street 300 days at project start: not yet chronic.
    let h = given.enroll(disabled_on_the_street_since(300));
    assert!(!household(&given, h).is_chronic());

    // At the next contact the household rents its own apartment: the
    // homeless episode ended, it never reached 12 continuous months.
    let mut housed = follow_up(h, date(2025, 4, 1), 10);
    housed.status = StatusUpdate {
        residence: PriorSituation::try_from(410).unwrap(),
        months_homeless: MonthsHomeless::TenMonths,
    };
    housed.current = situation(410);
    given.given(housed);

    assert!(
        !household(&given, h).is_chronic(),
        "a household living in its own rental is not continuously homeless for 12 months"
    );
}

// ---------------------------------------------------------------------------
// Derived values: household type and the list it goes on
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Derived values: ranking and eligibility floors
// ---------------------------------------------------------------------------

#[test]
fn on_the_psh_list_a_chronic_household_ranks_above_a_non_chronic_one_with_a_higher_score() {
    let mut given = Scenario::new();
    let not_chronic = given.enroll(single(1).disabled().placed_with_score(15));
    let chronic = given.enroll(single(2).chronic().placed_with_score(8));
    assert!(household(&given, chronic).is_chronic());
    assert!(!household(&given, not_chronic).is_chronic());

    assert_eq!(
        given.list(
            COALITION,
            ProgramType::Psh,
            ListHouseholdType::AdultsOnly,
            assessed_on()
        ),
        [chronic, not_chronic]
    );
    // RRH has no chronic key: the higher score comes first there.
    assert_eq!(
        given.list(
            COALITION,
            ProgramType::Rrh,
            ListHouseholdType::AdultsOnly,
            assessed_on()
        ),
        [not_chronic, chronic]
    );
}

#[test]
fn households_with_equal_rank_keys_are_ordered_by_household_id() {
    let mut given = Scenario::new();
    let mut households: Vec<HouseholdId> = (1..=4)
        .map(|n| given.enroll(single(n).disabled().placed_with_score(9)))
        .collect();
    households.sort();

    let list = given.list(
        COALITION,
        ProgramType::Psh,
        ListHouseholdType::AdultsOnly,
        assessed_on(),
    );
    assert_eq!(list, households);

    // The order is total: no two households compare equal, so the list does
    // not depend on the order households were enrolled in.
    let psh = &given.policy().program(ProgramType::Psh).unwrap().order;
    let inputs: Vec<RankInputs> = households
        .iter()
        .map(|h| RankInputs::of(household(&given, *h), given.policy()).unwrap())
        .collect();
    for a in &inputs {
        for b in &inputs {
            assert_eq!(compare(psh, a, b), a.household.cmp(&b.household));
        }
    }
}

#[test]
fn the_rrh_list_requires_a_score_of_at_least_4() {
    let mut given = Scenario::new();
    let below = given.enroll(single(1).placed_with_score(3));
    let at_floor = given.enroll(single(2).placed_with_score(4));

    assert_eq!(
        given.list(
            COALITION,
            ProgramType::Rrh,
            ListHouseholdType::AdultsOnly,
            assessed_on()
        ),
        [at_floor]
    );
    assert!(lists_with(&given, below, assessed_on()).is_empty());
    assert!(matches!(
        list_status(
            household(&given, below),
            given.policy(),
            ProgramType::Rrh,
            assessed_on()
        ),
        Err(OffListReason::Ineligible { .. })
    ));
}

#[test]
fn the_psh_floor_is_8_for_a_single_adult_and_9_for_a_family() {
    let mut given = Scenario::new();
    let single_7 = given.enroll(single(1).disabled().placed_with_score(7));
    let single_8 = given.enroll(single(2).disabled().placed_with_score(8));
    let family_8 = given.enroll(family(3, 4).disabled().placed_with_score(8));
    let family_9 = given.enroll(family(5, 6).disabled().placed_with_score(9));

    let psh =
        |household_type| given.list(COALITION, ProgramType::Psh, household_type, assessed_on());
    assert_eq!(psh(ListHouseholdType::AdultsOnly), [single_8]);
    assert_eq!(psh(ListHouseholdType::WithChildren), [family_9]);
    // Below the PSH floor they are still on the RRH list (floor 4).
    for below in [single_7, family_8] {
        assert!(lists_with(&given, below, assessed_on())
            .iter()
            .all(|(program, _)| *program == ProgramType::Rrh));
        assert_eq!(lists_with(&given, below, assessed_on()).len(), 1);
    }
}

// ---------------------------------------------------------------------------
// Workflow over MemoryStore, end to end
// ---------------------------------------------------------------------------

fn access_meta(n: u128) -> CommandMeta {
    CommandMeta {
        command_id: CommandId::from_uuid(uuid::Uuid::from_u128(n)),
        actor: Actor::new("jdoe", "Coulee CAP", Role::Access),
        recorded_at: utc(2025, 6, 30, 9, 0, 0),
    }
}

fn psh_adults_only() -> ListKey {
    ListKey {
        coalition: Coalition::new(COALITION),
        program: ProgramType::Psh,
        household_type: ListHouseholdType::AdultsOnly,
    }
}

fn event_types(executed: &Executed) -> Vec<&'static str> {
    executed
        .events
        .iter()
        .map(|e| e.event.event_type())
        .collect()
}

#[test]
fn workflow_runs_part_1_end_to_end_over_a_memory_store() {
    let workflow = Workflow::new(MemoryStore::new(), Policy::wi_bos_default()).unwrap();
    let builder = single(1).chronic();

    let enrolled = workflow
        .execute(&access_meta(1), builder.enroll.clone())
        .unwrap();
    assert_eq!(
        event_types(&enrolled),
        ["HouseholdEnrolled", "ClientEnrollmentOpened"]
    );
    let Outcome::Enrolled { household: h } = enrolled.outcome else {
        panic!("expected Enrolled, got {:?}", enrolled.outcome);
    };

    let assessed = workflow
        .execute(&access_meta(2), assess(h, assessed_on(), 10, true))
        .unwrap();
    assert_eq!(event_types(&assessed), ["AssessmentRecorded"]);
    let list = workflow.list(&psh_adults_only(), assessed_on()).unwrap();
    assert_eq!(list.entries.len(), 1);
    assert_eq!(list.entries[0].rank, 1);
    assert_eq!(list.entries[0].inputs.household, h);
    assert!(list.entries[0].inputs.chronic);

    let followed = workflow
        .execute(&access_meta(3), follow_up(h, date(2025, 3, 1), 13))
        .unwrap();
    assert_eq!(event_types(&followed), ["ContactMade"]);
    assert_eq!(
        workflow.household(h).unwrap().unwrap().last_contact,
        date(2025, 3, 1)
    );

    let exited = workflow
        .execute(&access_meta(4), exit(h, date(2025, 5, 1)))
        .unwrap();
    assert_eq!(
        event_types(&exited),
        ["HouseholdExited", "ClientEnrollmentClosed"]
    );
    assert!(workflow
        .list(&psh_adults_only(), date(2025, 5, 1))
        .unwrap()
        .entries
        .is_empty());
    // 2 + 1 + 1 + 2 events.
    assert_eq!(workflow.store().next_position().unwrap(), 6);
}

#[test]
fn workflow_a_rejected_command_writes_nothing() {
    let workflow = Workflow::new(MemoryStore::new(), Policy::wi_bos_default()).unwrap();
    let enrolled = workflow.execute(&access_meta(1), single(1).enroll).unwrap();
    let Outcome::Enrolled { household: h } = enrolled.outcome else {
        panic!("expected Enrolled, got {:?}", enrolled.outcome);
    };
    let before = workflow.store().next_position().unwrap();
    let state = workflow.household(h).unwrap();

    let mut empty_note = follow_up(h, date(2025, 3, 1), 3);
    empty_note.note = String::new();
    let rejected = workflow.execute(&access_meta(2), empty_note);
    assert!(matches!(rejected, Err(Error::EmptyNote)), "{rejected:?}");

    let twice = workflow.execute(&access_meta(3), single(1).enroll);
    assert!(
        matches!(twice, Err(Error::ClientAlreadyEnrolled { .. })),
        "{twice:?}"
    );

    assert_eq!(workflow.store().next_position().unwrap(), before);
    assert_eq!(workflow.household(h).unwrap(), state);
}

#[test]
fn workflow_retrying_a_command_with_the_same_id_writes_nothing_more() {
    let workflow = Workflow::new(MemoryStore::new(), Policy::wi_bos_default()).unwrap();
    let enroll: Command = single(1).enroll.into();
    let first = workflow.execute(&access_meta(1), &enroll).unwrap();
    let Outcome::Enrolled { household: h } = first.outcome else {
        panic!("expected Enrolled, got {:?}", first.outcome);
    };
    let contact: Command = follow_up(h, date(2025, 3, 1), 3).into();
    workflow.execute(&access_meta(2), &contact).unwrap();
    let stored = workflow.store().next_position().unwrap();

    // A follow-up re-sent after a lost response.
    let retried = workflow.execute(&access_meta(2), &contact);
    assert_eq!(workflow.store().next_position().unwrap(), stored);
    assert!(retried.is_ok(), "{retried:?}");

    // An enrollment re-sent after a lost response: the caller needs the
    // household id it was given the first time.
    let retried = workflow.execute(&access_meta(1), &enroll);
    assert_eq!(workflow.store().next_position().unwrap(), stored);
    assert!(
        matches!(&retried, Ok(Executed { outcome: Outcome::Enrolled { household }, .. }) if *household == h),
        "re-sending command 1 should return its outcome again, got {retried:?}"
    );
}

// ---------------------------------------------------------------------------
// 4.20 events recorded on the household (not offers of ce's openings)
// ---------------------------------------------------------------------------

fn ce_event(household: HouseholdId, on: NaiveDate, code: u16) -> RecordCeEvent {
    ce_core::testing::ce_event(household, on, CeEventType::try_from(code).unwrap())
}

#[test]
fn every_4_20_event_code_can_be_recorded_on_a_household() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    for code in 1..=18 {
        given
            .when(ce_event(h, date(2025, 2, 1), code))
            .then_expect_events(&[EventType::CeEventRecorded]);
    }
}

#[test]
fn a_household_with_only_access_events_is_on_no_list_until_assessed() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given.given(ce_event(h, date(2025, 1, 8), 3));
    given.given(ce_event(h, date(2025, 1, 9), 4));
    assert!(lists_with(&given, h, date(2025, 1, 10)).is_empty());
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Rrh,
            date(2025, 1, 10)
        ),
        Err(OffListReason::NotAssessed)
    );
}

#[test]
fn an_access_event_is_not_contact() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given.given(ce_event(h, date(2025, 2, 1), 1));
    assert_eq!(household(&given, h).last_contact, start());
}

#[test]
fn a_diversion_result_goes_with_event_2_only() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut diversion = ce_event(h, date(2025, 2, 1), 2);
    diversion.problem_solving_result = Some(ce_core::hud::NoYesMissing::Yes);
    given
        .when(diversion.clone())
        .then_expect_events(&[EventType::CeEventRecorded]);
    diversion.event = CeEventType::ReferralToPreventionAssistance;
    given.when(diversion).then_expect_error(|e| {
        matches!(
            e,
            Error::CeEventField {
                field: "ProbSolDivRRResult",
                ..
            }
        )
    });
}

#[test]
fn aftercare_goes_with_event_5_only() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut aftercare = ce_event(h, date(2025, 2, 1), 6);
    aftercare.case_management_after = Some(ce_core::hud::NoYesMissing::No);
    given.when(aftercare).then_expect_error(|e| {
        matches!(
            e,
            Error::CeEventField {
                field: "ReferralCaseManageAfter",
                ..
            }
        )
    });
}

#[test]
fn a_referral_result_needs_a_referral_event_and_a_result_date_not_before_it() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut referral = ce_event(h, date(2025, 2, 1), 13);
    referral.location = Some("Couleecap RRH".to_owned());
    referral.result = Some(ReferralResult::UnsuccessfulProviderRejected);
    let field = |name: &'static str| move |e: &Error| matches!(e, Error::CeEventField { field, .. } if *field == name);
    given
        .when(referral.clone())
        .then_expect_error(field("ResultDate"));
    referral.result_date = Some(date(2025, 1, 31));
    given
        .when(referral.clone())
        .then_expect_error(field("ResultDate"));
    referral.result_date = Some(date(2025, 2, 3));
    given
        .when(referral.clone())
        .then_expect_events(&[EventType::CeEventRecorded]);
    let mut access = referral;
    access.event = CeEventType::ProblemSolvingDiversion;
    access.location = None;
    given
        .when(access)
        .then_expect_error(field("ReferralResult"));
}

#[test]
fn a_location_goes_with_referral_events_10_to_15_17_and_18_only() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    let mut flex = ce_event(h, date(2025, 2, 1), 16);
    flex.location = Some("Flex fund".to_owned());
    given.when(flex).then_expect_error(|e| {
        matches!(
            e,
            Error::CeEventField {
                field: "LocationCrisisOrPHHousing",
                ..
            }
        )
    });
}

#[test]
fn a_successful_referral_made_in_another_system_takes_the_household_off_the_lists() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given.given(assess(h, assessed_on(), 9, true));
    assert!(!lists_with(&given, h, date(2025, 2, 1)).is_empty());
    let mut referral = ce_event(h, date(2025, 2, 1), 14);
    referral.location = Some("Other county PSH".to_owned());
    referral.result = Some(ReferralResult::SuccessfulClientAccepted);
    referral.result_date = Some(date(2025, 2, 4));
    given.given(referral);
    assert_eq!(
        household(&given, h).housed_elsewhere,
        Some(date(2025, 2, 4))
    );
    assert!(lists_with(&given, h, date(2025, 2, 5)).is_empty());
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Rrh,
            date(2025, 2, 5)
        ),
        Err(OffListReason::Housed)
    );
}

#[test]
fn a_declined_referral_made_in_another_system_keeps_the_household_on_the_lists() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given.given(assess(h, assessed_on(), 9, true));
    let mut referral = ce_event(h, date(2025, 2, 1), 13);
    referral.result = Some(ReferralResult::UnsuccessfulClientRejected);
    referral.result_date = Some(date(2025, 2, 2));
    given.given(referral);
    assert!(!lists_with(&given, h, date(2025, 2, 5)).is_empty());
}

#[test]
fn a_4_20_event_cannot_be_recorded_after_the_exit_or_by_a_provider() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1));
    given.acting_as("pat", "Coulee Housing Authority", Role::Provider);
    given
        .when(ce_event(h, date(2025, 2, 1), 1))
        .then_expect_error(|e| matches!(e, Error::Forbidden { .. }));
    given.acting_as("jdoe", "Coulee CAP", Role::Access);
    given.given(exit(h, date(2025, 2, 1)));
    given
        .when(ce_event(h, date(2025, 2, 2), 1))
        .then_expect_error(|e| matches!(e, Error::HouseholdExited { .. }));
}

// ---------------------------------------------------------------------------
// An assessment is contact (a policy setting, on by default)
// ---------------------------------------------------------------------------

#[test]
fn an_assessment_is_contact_under_the_default_policy() {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).placed_with_score(9));
    assert_eq!(household(&given, h).last_contact, assessed_on());
    // Inactive after 90 days without contact; a reassessment brings it back.
    let as_of = days_after(assessed_on(), 91);
    given.given(sweep(as_of));
    assert_eq!(
        household(&given, h).status,
        HouseholdStatus::Inactive {
            since: as_of,
            inactivity_days: 90
        }
    );
    given.given(assess(h, days_after(as_of, 1), 9, true));
    assert_eq!(household(&given, h).status, HouseholdStatus::Active);
    assert_eq!(household(&given, h).last_contact, days_after(as_of, 1));
}

#[test]
fn an_assessment_is_not_contact_when_the_policy_says_so() {
    let mut policy = Policy::wi_bos_default();
    policy.assessment_is_contact = false;
    let mut given = Scenario::with_policy(policy);
    let h = given.enroll(single(1).placed_with_score(9));
    assert_eq!(household(&given, h).last_contact, start());
    given
        .when(sweep(days_after(start(), 91)))
        .then_expect_events(&[EventType::HouseholdInactivated]);
}

#[test]
fn a_household_placed_without_a_score_is_unscored_and_a_later_assessment_does_not_keep_the_earlier_score(
) {
    let mut given = Scenario::new();
    let h = given.enroll(single(1).disabled().placed_with_score(9));
    assert!(list_status(
        household(&given, h),
        given.policy(),
        ProgramType::Psh,
        assessed_on()
    )
    .is_ok());
    // Reassessed and placed, with no score: the earlier 9 is not carried over.
    let mut unscored = assess(h, days_after(assessed_on(), 10), 9, true);
    unscored.score = None;
    given.given(unscored);
    assert_eq!(household(&given, h).score(), None);
    assert_eq!(
        list_status(
            household(&given, h),
            given.policy(),
            ProgramType::Psh,
            days_after(assessed_on(), 10)
        ),
        Err(OffListReason::Ineligible {
            rule: "unscored: its assessment has no prioritization score"
        })
    );
}

#[test]
fn an_exit_names_members_with_their_own_destination_and_a_subsidy_only_with_435() {
    let mut given = Scenario::new();
    let h = given.enroll(couple(1, 2));
    let mut leaving = exit(h, date(2025, 3, 1));
    leaving.member_destinations = vec![ce_core::MemberDestination {
        client: client(9),
        destination: Destination::STAYING_WITH_FAMILY_PERMANENT_TENURE,
        subsidy: None,
    }];
    given
        .when(leaving.clone())
        .then_expect_error(|e| matches!(e, Error::UnknownMember { .. }));
    leaving.member_destinations[0].client = client(2);
    leaving.member_destinations[0].subsidy = Some(RentalSubsidyType::PermanentSupportiveHousing);
    given
        .when(leaving.clone())
        .then_expect_error(|e| matches!(e, Error::DestinationSubsidyMismatch { destination: 422 }));
    leaving.member_destinations[0].subsidy = None;
    let decision = given.when(leaving).then_expect_events(&[
        EventType::HouseholdExited,
        EventType::ClientEnrollmentClosed,
        EventType::ClientEnrollmentClosed,
    ]);
    let Event::HouseholdExited(e) = &decision.events[0].event else {
        panic!("not an exit");
    };
    assert_eq!(e.member_destinations[0].client, client(2));
}

//! Hostile and implausible input refused with a clear error, never a panic:
//! policy bounds, checked date arithmetic, plausible dates and ages, text
//! limits and control characters.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ce_core::hud::{NoYesReasons, RelationshipToHoH};
use ce_core::testing::{client, date, HouseholdBuilder, Scenario};
use ce_core::{
    DateRule, DeclineConsequence, Field, PolicyError, Rejection, MAX_MEMBERS, MAX_NAME_CHARS, *,
};

fn single() -> HouseholdBuilder {
    HouseholdBuilder::single_adult("Coulee")
}

#[test]
fn a_policy_parking_households_for_a_hundred_million_days_is_refused() {
    let mut policy = Policy::wi_bos_default();
    policy.decline_reasons[2].consequence = DeclineConsequence::Parked { days: 100_000_000 };
    let err = policy.validate().unwrap_err();
    assert!(
        matches!(&err, PolicyError::OutOfRange { setting, value: 100_000_000, .. }
            if setting == "decline_reasons[2].consequence.days"),
        "{err}"
    );
    assert!(err.to_string().contains("1 to 365"), "{err}");
}

#[test]
fn every_number_of_a_policy_is_bounded() {
    type Change = fn(&mut Policy);
    let cases: [(&str, Change); 5] = [
        ("inactivity_days", |p| p.inactivity_days = u32::MAX),
        ("referral_overdue_days", |p| {
            p.referral_overdue_days = 100_000
        }),
        ("youth_max_age", |p| p.youth_max_age = 3),
        ("severe_needs_score", |p| p.severe_needs_score = 4_000_000),
        ("version", |p| p.version = 0),
    ];
    for (setting, change) in cases {
        let mut policy = Policy::wi_bos_default();
        change(&mut policy);
        match policy.validate() {
            Err(PolicyError::OutOfRange { setting: s, .. }) => assert_eq!(s, setting),
            other => panic!("{setting}: {other:?}"),
        }
    }
}

#[test]
fn a_coalition_with_a_nul_byte_or_given_twice_is_refused() {
    for (name, reason) in [
        ("Cou\0lee", "control"),
        ("Coulee\u{1b}[2J", "control"),
        ("", "empty"),
        (" Coulee", "spaces"),
        ("coulee", "twice"),
    ] {
        let mut policy = Policy::wi_bos_default();
        policy.coalitions.push(Coalition::new(name));
        let err = policy.validate().unwrap_err();
        assert!(
            matches!(&err, PolicyError::BadName { setting, .. } if setting.starts_with("coalitions")),
            "{name:?}: {err}"
        );
        assert!(err.to_string().contains(reason), "{name:?}: {err}");
    }
}

#[test]
fn a_stored_decline_parking_past_the_calendar_folds_without_a_panic() {
    // A backup line (or an older policy) may carry any number of days: the
    // fold parks the household for good instead of overflowing.
    let mut household = None;
    let mut s = Scenario::new();
    let id = s.enroll(single().placed_with_score(10));
    let opening = s.post(ce_core::testing::opening(
        ProgramType::Rrh,
        "Coulee",
        date(2025, 2, 1),
    ));
    let (referral, _) = s.refer_top(opening, date(2025, 2, 1));
    let mut caseload = s.caseload().clone();
    let declined = ce_core::ReferralDeclined {
        referral,
        opening,
        household: id,
        result: ce_core::hud::ReferralResult::UnsuccessfulClientRejected,
        reason: "client-unreachable".into(),
        text: None,
        consequence: DeclineConsequence::Parked { days: u32::MAX },
    };
    let last = s.store().read_from(0, usize::MAX).unwrap().len() as u64;
    let envelope = Envelope {
        position: last,
        event_id: EventId(uuid::Uuid::new_v4()),
        streams: vec![StreamVersion {
            stream: StreamId::Household(id),
            version: caseload.version(&StreamId::Household(id)) + 1,
        }],
        effective: date(2025, 2, 3),
        recorded_at: chrono::DateTime::from_timestamp(1_740_000_000, 0).unwrap(),
        actor: Actor::new("lead", "bos", Role::Lead),
        schema_version: ce_core::SCHEMA_VERSION,
        event: Event::ReferralDeclined(declined),
    };
    caseload.apply(&envelope);
    household.replace(caseload.households()[&id].parked_until);
    assert_eq!(household.flatten(), Some(chrono::NaiveDate::MAX));
}

#[test]
fn a_head_born_after_project_start_is_refused() {
    let mut builder = single();
    builder.enroll.members[0].birth_date = Some(date(2025, 2, 1));
    Scenario::new().when(builder.enroll).then_expect_error(|e| {
        matches!(
            e,
            Rejection::ImplausibleDate {
                field: Field::BirthDate,
                ..
            }
        )
    });
}

#[test]
fn a_head_of_five_is_refused_as_a_birth_date_typo() {
    let mut builder = single();
    builder.enroll.members[0].birth_date = Some(date(2020, 1, 1));
    Scenario::new().when(builder.enroll).then_expect_error(|e| {
        matches!(
            e,
            Rejection::ImplausibleDate {
                rule: DateRule::HeadTooYoung,
                ..
            }
        )
    });
}

#[test]
fn a_birth_date_before_1900_is_refused() {
    let mut builder = single();
    builder.enroll.members[0].birth_date = Some(date(1850, 1, 1));
    Scenario::new()
        .when(builder.enroll)
        .then_expect_error(|e| matches!(e, Rejection::ImplausibleDate { .. }));
}

#[test]
fn a_project_start_in_year_zero_is_refused() {
    let builder = single().starting(date(0, 1, 1));
    Scenario::new().when(builder.enroll).then_expect_error(|e| {
        matches!(
            e,
            Rejection::ImplausibleDate {
                field: Field::EffectiveDate,
                ..
            }
        )
    });
}

#[test]
fn an_episode_start_after_project_start_is_refused() {
    let mut builder = single();
    builder.enroll.prior.episode_start = Some(date(2025, 3, 1));
    Scenario::new().when(builder.enroll).then_expect_error(|e| {
        matches!(
            e,
            Rejection::ImplausibleDate {
                field: Field::EpisodeStart,
                ..
            }
        )
    });
}

#[test]
fn a_ten_megabyte_name_is_refused() {
    let mut builder = single();
    builder.enroll.members[0].first_name = Some("x".repeat(10_000_000));
    Scenario::new().when(builder.enroll).then_expect_error(
        |e| matches!(e, Rejection::TooLong { field: Field::FirstName, max, .. } if *max == MAX_NAME_CHARS),
    );
}

#[test]
fn escape_sequences_in_a_name_or_a_note_are_refused() {
    let mut builder = single();
    builder.enroll.members[0].last_name = Some("Doe\u{1b}]0;owned\u{7}".to_owned());
    Scenario::new()
        .when(builder.enroll)
        .then_expect_error(|e| matches!(e, Rejection::ControlCharacter { code: 0x1b, .. }));

    let mut s = Scenario::new();
    let id = s.enroll(single().placed_with_score(10));
    s.when_follow_up_with_note(id, date(2025, 2, 1), "called\u{0}back")
        .then_expect_error(|e| matches!(e, Rejection::ControlCharacter { code: 0, .. }));
    // Line breaks and tabs are text.
    s.when_follow_up_with_note(id, date(2025, 2, 1), "called back.\n\tWill call again.")
        .then_expect_events(&[EventType::ContactMade]);
}

#[test]
fn a_household_of_more_than_thirty_members_is_refused() {
    let mut builder = single();
    for n in 0..MAX_MEMBERS as u128 {
        builder.enroll.members.push(Member {
            client: client(1_000 + n),
            relationship: RelationshipToHoH::Child,
            birth_date: Some(date(2015, 1, 1)),
            veteran: NoYesReasons::DataNotCollected,
            disabling_condition: NoYesReasons::No,
            first_name: None,
            last_name: None,
            age_band: None,
            sealed: None,
        });
    }
    Scenario::new()
        .when(builder.enroll)
        .then_expect_error(|e| matches!(e, Rejection::TooManyMembers { max: 30, .. }));
}

//! Privacy: releases of information decide who sees a household's names;
//! a restricted household's names are the lead's and the owner's only;
//! a household enrolled without personal data is ranked like any other
//! and keeps its place when it is identified.

use ce_core::chrono::NaiveDate;
use ce_core::hud::NoYesReasons;
use ce_core::report::consent_expiring;
use ce_core::testing::{client, date, HouseholdBuilder, Scenario};
use ce_core::*;

use crate::common::{assessed_on, family, household, single, situation};

const OWNER: &str = "BoS CE";

fn access(agency: &str) -> Actor {
    Actor::new("avery", agency, Role::Access)
}

fn provider(agency: &str) -> Actor {
    Actor::new("sam", agency, Role::Provider)
}

fn lead() -> Actor {
    Actor::new("lee", "Couleecap", Role::Lead)
}

fn consent(
    household: HouseholdId,
    who: u128,
    on: NaiveDate,
    decision: ConsentDecision,
    scope: ConsentScope,
    expires: Option<NaiveDate>,
) -> RecordConsent {
    RecordConsent {
        household,
        client: client(who),
        date: on,
        decision,
        scope,
        expires,
    }
}

/// Whether `viewer` sees the head's name on `on`.
fn sees_head(given: &Scenario, h: HouseholdId, viewer: &Actor, on: NaiveDate) -> bool {
    let seen = given
        .caseload()
        .household_as_seen_by(h, viewer, on)
        .unwrap();
    let head = seen.head().unwrap();
    !head.is_withheld() && head.first_name.as_deref() == Some("Dana")
}

fn named(builder: HouseholdBuilder) -> HouseholdBuilder {
    builder.named("Dana", "Rivers")
}

#[test]
fn without_a_release_only_the_lead_and_the_owning_agency_see_names() {
    let mut given = Scenario::new();
    let h = given.enroll(named(single(1)));
    let on = assessed_on();
    assert_eq!(household(&given, h).owner(), Some(&AgencyId(OWNER.into())));
    assert!(sees_head(&given, h, &lead(), on));
    assert!(sees_head(&given, h, &access(OWNER), on));
    assert!(!sees_head(&given, h, &access("Other access point"), on));
    assert!(!sees_head(&given, h, &provider("Some provider"), on));
    // What is withheld is the names and birth date, never what the
    // household is ranked by.
    let seen = given
        .caseload()
        .household_as_seen_by(h, &access("Other access point"), on)
        .unwrap();
    let head = seen.head().unwrap();
    assert_eq!(report::member_name(head).as_deref(), Some(WITHHELD));
    assert_eq!(head.birth_date, None);
    assert_eq!(head.age_band, Some(AgeBand::From35To44));
    assert_eq!(seen.household_type(), household(&given, h).household_type());
}

#[test]
fn a_release_for_the_coc_shows_names_to_every_agency_until_it_ends_or_is_revoked() {
    let mut given = Scenario::new();
    let h = given.enroll(named(single(1)));
    let signed = assessed_on();
    let last_day = date(2025, 6, 30);
    given.given(consent(
        h,
        1,
        signed,
        ConsentDecision::Given,
        ConsentScope::Coc,
        Some(last_day),
    ));
    let other = access("Other access point");
    assert!(sees_head(&given, h, &other, signed));
    assert!(sees_head(&given, h, &provider("Some provider"), last_day));
    // Not before it was signed, nor after its last day.
    assert!(!sees_head(&given, h, &other, signed.pred_opt().unwrap()));
    assert!(!sees_head(&given, h, &other, last_day.succ_opt().unwrap()));
    // Revoked, it no longer holds.
    let revoked = date(2025, 3, 1);
    given.given(consent(
        h,
        1,
        revoked,
        ConsentDecision::Revoked,
        ConsentScope::Coc,
        None,
    ));
    assert!(!sees_head(&given, h, &other, revoked));
    assert!(sees_head(&given, h, &lead(), revoked));
}

#[test]
fn a_release_for_referrals_shows_names_only_to_the_agencies_referred_to() {
    let mut given = Scenario::new();
    let h = given.enroll(named(single(1)).placed_with_score(20));
    let on = assessed_on();
    given.given(consent(
        h,
        1,
        on,
        ConsentDecision::Given,
        ConsentScope::Referrals,
        None,
    ));
    let housing = provider("Catholic Charities");
    assert!(!sees_head(&given, h, &housing, on));
    given.acting_as("sam", "Catholic Charities", Role::Provider);
    let opening = given.post(PostOpening::new(
        "RRH",
        ProgramType::Rrh,
        Coalition::new("Coulee"),
        on,
    ));
    given.acting_as("lead", "BoS CE", Role::Lead);
    let (_, referred) = given.refer_top(opening, on);
    assert_eq!(referred, h);
    assert!(sees_head(&given, h, &housing, on));
    assert!(!sees_head(&given, h, &provider("Another provider"), on));
}

#[test]
fn a_refused_release_withholds_names_and_a_later_one_replaces_it() {
    let mut given = Scenario::new();
    let h = given.enroll(named(single(1)));
    let on = assessed_on();
    given.given(consent(
        h,
        1,
        on,
        ConsentDecision::Refused,
        ConsentScope::Coc,
        None,
    ));
    let other = access("Other access point");
    assert!(!sees_head(&given, h, &other, on));
    let later = date(2025, 2, 1);
    given.given(consent(
        h,
        1,
        later,
        ConsentDecision::Given,
        ConsentScope::Coc,
        None,
    ));
    assert!(sees_head(&given, h, &other, later));
    // A refusal entered late with an earlier date does not undo it.
    given.given(consent(
        h,
        1,
        date(2025, 1, 20),
        ConsentDecision::Refused,
        ConsentScope::Coc,
        None,
    ));
    assert!(sees_head(&given, h, &other, later));
}

#[test]
fn releases_are_checked_before_they_are_recorded() {
    let mut given = Scenario::new();
    let h = given.enroll(named(single(1)));
    let on = assessed_on();
    given
        .when(consent(
            h,
            1,
            on,
            ConsentDecision::Revoked,
            ConsentScope::Coc,
            None,
        ))
        .then_expect_error(|r| matches!(r, Rejection::NothingToRevoke { .. }));
    given
        .when(consent(
            h,
            1,
            on,
            ConsentDecision::Refused,
            ConsentScope::Coc,
            Some(date(2026, 1, 1)),
        ))
        .then_expect_error(|r| matches!(r, Rejection::ConsentExpiry { .. }));
    given
        .when(consent(
            h,
            1,
            on,
            ConsentDecision::Given,
            ConsentScope::Coc,
            on.pred_opt(),
        ))
        .then_expect_error(|r| matches!(r, Rejection::ConsentExpiry { .. }));
    given
        .when(consent(
            h,
            9,
            on,
            ConsentDecision::Given,
            ConsentScope::Coc,
            None,
        ))
        .then_expect_error(|r| matches!(r, Rejection::UnknownMember { .. }));
    given.acting_as("sam", "Some provider", Role::Provider);
    given
        .when(consent(
            h,
            1,
            on,
            ConsentDecision::Given,
            ConsentScope::Coc,
            None,
        ))
        .then_expect_error(|r| matches!(r, Rejection::Forbidden { .. }));
}

#[test]
fn a_restricted_household_shows_names_to_the_lead_and_its_owner_only_whatever_the_release() {
    let mut given = Scenario::new();
    let h = given.enroll(named(single(1)));
    let on = assessed_on();
    given.given(consent(
        h,
        1,
        on,
        ConsentDecision::Given,
        ConsentScope::Coc,
        None,
    ));
    let other = access("Other access point");
    assert!(sees_head(&given, h, &other, on));
    // Another agency may not restrict it; its owner may.
    given.acting_as("avery", "Other access point", Role::Access);
    given
        .when(Restrict {
            household: h,
            date: on,
            restricted: true,
        })
        .then_expect_error(|r| matches!(r, Rejection::NotOwningAgency { .. }));
    given.acting_as("avery", OWNER, Role::Access);
    given.given(Restrict {
        household: h,
        date: on,
        restricted: true,
    });
    assert!(household(&given, h).restricted);
    assert!(!sees_head(&given, h, &other, on));
    assert!(sees_head(&given, h, &access(OWNER), on));
    assert!(sees_head(&given, h, &lead(), on));
    // Restricting again records nothing; lifting it shows names again.
    given
        .when(Restrict {
            household: h,
            date: on,
            restricted: true,
        })
        .then_expect_events(&[]);
    given.given(Restrict {
        household: h,
        date: on,
        restricted: false,
    });
    assert!(sees_head(&given, h, &other, on));
}

#[test]
fn a_household_without_personal_data_takes_no_name_birth_date_or_location() {
    let given = Scenario::new();
    let referred = || single(1).referred_by("New Horizons Shelter", "NH-118");
    let mut with_name = referred();
    with_name.enroll.members[0].first_name = Some("Dana".into());
    given.when(with_name.enroll).then_expect_error(|r| {
        *r == Rejection::PersonalDataRefused {
            field: Field::FirstName,
        }
    });
    let mut with_birth_date = referred();
    with_birth_date.enroll.members[0].birth_date = Some(date(1980, 5, 1));
    given.when(with_birth_date.enroll).then_expect_error(|r| {
        *r == Rejection::PersonalDataRefused {
            field: Field::BirthDate,
        }
    });
    let mut with_location = referred();
    with_location.enroll.current.location_details = Some("Behind the library".into());
    given.when(with_location.enroll).then_expect_error(|r| {
        *r == Rejection::PersonalDataRefused {
            field: Field::LocationDetails,
        }
    });
    let mut no_reference = referred();
    if let Some(contact) = &mut no_reference.enroll.referred_by {
        contact.reference = " ".into();
    }
    given
        .when(no_reference.enroll)
        .then_expect_error(|r| *r == Rejection::Required(Field::ReferenceNumber));
}

#[test]
fn a_household_without_personal_data_ranks_as_its_twin_and_is_owned_by_its_referrer() {
    let mut given = Scenario::new();
    let survivor = given.enroll(
        family(1, 2)
            .placed_with_score(20)
            .referred_by("New Horizons Shelter", "NH-118"),
    );
    let twin = given.enroll(
        family(3, 4)
            .placed_with_score(20)
            .starting(date(2025, 1, 6)),
    );
    let (a, b) = (household(&given, survivor), household(&given, twin));
    assert!(a.is_without_personal_data());
    assert_eq!(a.owner(), Some(&AgencyId("New Horizons Shelter".into())));
    assert_eq!(a.household_type(), b.household_type());
    assert_eq!(
        ce_core::priority::lists_of(a, given.policy(), assessed_on()),
        ce_core::priority::lists_of(b, given.policy(), assessed_on())
    );
    // A member joins without a name too.
    let mut named_child = crate::common::child(client(5));
    named_child.first_name = Some("Sky".into());
    given
        .when(AddMember {
            household: survivor,
            date: assessed_on(),
            member: named_child,
        })
        .then_expect_error(|r| matches!(r, Rejection::PersonalDataRefused { .. }));
    // And a follow-up records no location details.
    let mut follow_up = ce_core::testing::follow_up(survivor, assessed_on(), 3);
    follow_up.current = CurrentLivingSituation {
        location_details: Some("Room 4".into()),
        ..situation(101)
    };
    given
        .when(follow_up)
        .then_expect_error(|r| matches!(r, Rejection::PersonalDataRefused { .. }));
}

#[test]
fn identifying_a_household_records_names_and_keeps_its_list_date_and_rank() {
    let mut given = Scenario::new();
    let survivor = given.enroll(
        single(1)
            .placed_with_score(20)
            .referred_by("New Horizons Shelter", "NH-118"),
    );
    let before = household(&given, survivor).clone();
    let on = date(2025, 3, 1);
    let identified = |born| Member {
        birth_date: Some(born),
        first_name: Some("Dana".into()),
        last_name: Some("Rivers".into()),
        age_band: None,
        ..before.members[0].clone()
    };
    // Every member at once.
    given
        .when(Identify {
            household: survivor,
            date: on,
            members: Vec::new(),
        })
        .then_expect_error(|r| matches!(r, Rejection::IdentifyMissing { .. }));
    // A birth date that moves the age band would move the rank.
    given
        .when(Identify {
            household: survivor,
            date: on,
            members: vec![identified(date(2000, 1, 1))],
        })
        .then_expect_error(|r| {
            matches!(
                r,
                Rejection::IdentifyChanges {
                    field: Field::AgeBand,
                    ..
                }
            )
        });
    given
        .when(Identify {
            household: survivor,
            date: on,
            members: vec![Member {
                veteran: NoYesReasons::Yes,
                ..identified(date(1980, 5, 1))
            }],
        })
        .then_expect_error(|r| {
            matches!(
                r,
                Rejection::IdentifyChanges {
                    field: Field::VeteranStatus,
                    ..
                }
            )
        });
    given.given(Identify {
        household: survivor,
        date: on,
        members: vec![identified(date(1980, 5, 1))],
    });
    let after = household(&given, survivor);
    assert!(!after.is_without_personal_data());
    assert_eq!(after.placed_on, before.placed_on);
    assert_eq!(after.members[0].age_band, before.members[0].age_band);
    assert_eq!(after.members[0].first_name.as_deref(), Some("Dana"));
    assert_eq!(
        RankInputs::of(after, given.policy()),
        RankInputs::of(&before, given.policy())
    );
    assert_eq!(
        ce_core::priority::lists_of(after, given.policy(), on),
        ce_core::priority::lists_of(&before, given.policy(), on)
    );
    // Identified, there is nothing left to identify.
    given
        .when(Identify {
            household: survivor,
            date: on,
            members: vec![identified(date(1980, 5, 1))],
        })
        .then_expect_error(|r| matches!(r, Rejection::AlreadyIdentified(_)));
}

#[test]
fn the_consent_report_lists_releases_ending_within_the_days_asked() {
    let mut given = Scenario::new();
    let soon = given.enroll(single(1));
    let later = given.enroll(single(2));
    let open = given.enroll(single(3));
    let on = assessed_on();
    for (h, who, expires) in [
        (soon, 1, Some(date(2025, 2, 10))),
        (later, 2, Some(date(2025, 9, 1))),
        (open, 3, None),
    ] {
        given.given(consent(
            h,
            who,
            on,
            ConsentDecision::Given,
            ConsentScope::Coc,
            expires,
        ));
    }
    let as_of = date(2025, 2, 1);
    let rows = consent_expiring(given.caseload(), as_of, 30);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].client, client(1));
    assert_eq!(rows[0].days_left, 9);
    // Past its last day it is no longer in force, so no longer expiring.
    assert!(consent_expiring(given.caseload(), date(2025, 2, 11), 30)
        .iter()
        .all(|r| r.client != client(1)));
}

#[test]
fn only_the_lead_and_the_owning_agency_record_releases_and_identify() {
    let mut given = Scenario::new();
    let h = given.enroll(named(single(1)));
    let survivor = given.enroll(single(2).referred_by("New Horizons Shelter", "NH-7"));
    let on = assessed_on();
    // Another agency's access staff may not grant themselves the names.
    given.acting_as("avery", "Other access point", Role::Access);
    given
        .when(consent(
            h,
            1,
            on,
            ConsentDecision::Given,
            ConsentScope::Coc,
            None,
        ))
        .then_expect_error(|r| matches!(r, Rejection::NotOwningAgency { .. }));
    let recorded = household(&given, survivor).members[0].clone();
    given
        .when(Identify {
            household: survivor,
            date: on,
            members: vec![Member {
                first_name: Some("Dana".into()),
                ..recorded.clone()
            }],
        })
        .then_expect_error(|r| matches!(r, Rejection::NotOwningAgency { .. }));
    // The referring agency may.
    given.acting_as("vic", "New Horizons Shelter", Role::Access);
    given.given(Identify {
        household: survivor,
        date: on,
        members: vec![Member {
            first_name: Some("Dana".into()),
            ..recorded
        }],
    });
}

#[test]
fn a_release_is_revoked_and_a_household_restricted_after_it_exited() {
    let mut given = Scenario::new();
    let h = given.enroll(named(single(1)));
    let on = assessed_on();
    given.given(consent(
        h,
        1,
        on,
        ConsentDecision::Given,
        ConsentScope::Coc,
        None,
    ));
    given.given(crate::common::exit(h, date(2025, 2, 1)));
    let other = access("Other access point");
    assert!(sees_head(&given, h, &other, date(2025, 3, 1)));
    // A new release is for an open household; a revocation is not.
    given
        .when(consent(
            h,
            1,
            date(2025, 3, 1),
            ConsentDecision::Given,
            ConsentScope::Coc,
            None,
        ))
        .then_expect_error(|r| matches!(r, Rejection::HouseholdExited { .. }));
    given.given(consent(
        h,
        1,
        date(2025, 3, 1),
        ConsentDecision::Revoked,
        ConsentScope::Coc,
        None,
    ));
    assert!(!sees_head(&given, h, &other, date(2025, 3, 1)));
    given.given(Restrict {
        household: h,
        date: date(2025, 3, 2),
        restricted: true,
    });
    assert!(household(&given, h).restricted);
    // A change dated before the latest one would be undone by the fold's
    // order: it is refused.
    given
        .when(Restrict {
            household: h,
            date: date(2025, 3, 1),
            restricted: false,
        })
        .then_expect_error(|r| matches!(r, Rejection::ImplausibleDate { .. }));
}

#[test]
fn a_household_without_personal_data_gives_every_members_age_band() {
    let given = Scenario::new();
    let mut referred = single(1).referred_by("New Horizons Shelter", "NH-118");
    referred.enroll.members[0].age_band = None;
    given
        .when(referred.enroll)
        .then_expect_error(|r| *r == Rejection::Required(Field::AgeBand));
}

#[test]
fn a_restricted_household_withholds_its_locations_too() {
    let mut given = Scenario::new();
    let mut builder = named(single(1)).restricted();
    builder.enroll.current.location_details = Some("Behind the library".into());
    let h = given.enroll(builder);
    let on = assessed_on();
    let seen = given
        .caseload()
        .household_as_seen_by(h, &access("Other access point"), on)
        .unwrap();
    assert_eq!(seen.current.1.location_details.as_deref(), Some(WITHHELD));
    let own = given
        .caseload()
        .household_as_seen_by(h, &access(OWNER), on)
        .unwrap();
    assert_eq!(
        own.current.1.location_details.as_deref(),
        Some("Behind the library")
    );
}

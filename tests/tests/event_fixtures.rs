//! Frozen event fixtures: one JSON envelope per event type and schema
//! version under `tests/fixtures/events/v<version>/<EventType>.json`. They
//! are never edited or regenerated: an event stored years ago must still
//! decode, through upcasters once its schema moves on.
//!
//! A new event type gets its fixture from the ignored generator below
//! (`cargo test -p ce-tests --test event_fixtures -- --ignored`), which
//! writes only the fixtures that are missing. A new schema version of an
//! event type gets a new `v<n>` directory; the old ones stay.

use std::path::{Path, PathBuf};

use ce_core::hud::{
    AssessmentLevel, AssessmentType, CeEventType, CurrentSituation, Destination, MonthsHomeless,
    NoYesReasons, PriorSituation, PrioritizationStatus, ReferralResult, RelationshipToHoH,
    TimesHomeless,
};
use ce_core::testing::{client, date, opening};
use ce_core::{
    AcceptReferral, AcknowledgeReferral, Actor, AddMember, Assess, AssessmentAnswer,
    AssessmentResultEntry, AttemptContact, ChangeHead, Coalition, Command, CommandId, CommandMeta,
    ContactMethod, CurrentLivingSituation, DeclineReferral, DecodeError, Envelope, Event,
    EventStore, Exit, ExpireReferrals, FollowUp, HouseholdId, Member, MemoryStore, Outcome, Policy,
    PriorLivingSituation, ProgramType, RecordCeEvent, Refer, RemoveMember, Role, StatusUpdate,
    StreamId, Sweep, Upcasters, WithdrawOpening, Workflow,
};
use chrono::NaiveDate;
use serde_json::{json, Value};

fn fixtures(version: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fixtures/events/v{version}"))
}

fn fixture(version: u32, event_type: &str) -> PathBuf {
    fixtures(version).join(format!("{event_type}.json"))
}

fn read(version: u32, event_type: &str) -> Vec<u8> {
    let path = fixture(version, event_type);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_event_type_has_a_v1_fixture() {
    let missing: Vec<&&str> = Event::TYPES
        .iter()
        .filter(|t| !fixture(1, t).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "no v1 fixture for {missing:?}: run the ignored generator in this file"
    );
}

#[test]
fn every_v1_fixture_decodes_as_its_event_type() {
    let mut seen = 0;
    for entry in std::fs::read_dir(fixtures(1)).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let bytes = std::fs::read(&path).unwrap();
        let envelope = Upcasters::current()
            .decode(&bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(envelope.event.event_type(), name, "{}", path.display());
        assert_eq!(envelope.schema_version, 1, "{}", path.display());
        assert!(!envelope.streams.is_empty(), "{}", path.display());
        // What decodes re-encodes to something that decodes to the same.
        let again = Upcasters::current()
            .decode(&envelope.to_json().unwrap())
            .unwrap();
        assert_eq!(again, envelope, "{}", path.display());
        seen += 1;
    }
    assert!(seen >= Event::TYPES.len(), "only {seen} fixtures");
}

// ------------------------------------------------------------ upcasting

/// A hypothetical schema version 0 of `HouseholdExited`, before version 1
/// renamed `destination_code` to `destination` and `exit_reason` to
/// `reason`.
fn household_exited_v0() -> Value {
    let mut v0: Value = serde_json::from_slice(&read(1, "HouseholdExited")).unwrap();
    let data = v0["data"].as_object_mut().unwrap();
    let destination = data.remove("destination").unwrap();
    let reason = data.remove("reason").unwrap();
    data.insert("destination_code".into(), destination);
    data.insert("exit_reason".into(), reason);
    v0["schema_version"] = json!(0);
    v0
}

/// The upcaster of that change: a pure `data -> data` step.
fn household_exited_v0_to_v1(mut data: Value) -> Value {
    if let Some(object) = data.as_object_mut() {
        if let Some(code) = object.remove("destination_code") {
            object.insert("destination".into(), code);
        }
        if let Some(reason) = object.remove("exit_reason") {
            object.insert("reason".into(), reason);
        }
    }
    data
}

#[test]
fn an_old_schema_version_decodes_through_its_registered_upcaster() {
    let v0 = serde_json::to_vec(&household_exited_v0()).unwrap();
    let upcasters = Upcasters::current().with("HouseholdExited", 0, household_exited_v0_to_v1);
    let decoded = upcasters.decode(&v0).unwrap();
    let v1 = Upcasters::current()
        .decode(&read(1, "HouseholdExited"))
        .unwrap();
    assert_eq!(decoded, v1);
    assert_eq!(decoded.schema_version, 1);
}

#[test]
fn an_old_schema_version_without_an_upcaster_is_a_typed_error() {
    let v0 = serde_json::to_vec(&household_exited_v0()).unwrap();
    let err = Upcasters::current().decode(&v0).unwrap_err();
    assert!(
        matches!(&err, DecodeError::UnknownSchemaVersion { event_type, version: 0 }
            if event_type == "HouseholdExited"),
        "{err:?}"
    );
    // An upcaster for another event type does not apply.
    let other = Upcasters::current().with("HouseholdEnrolled", 0, household_exited_v0_to_v1);
    assert!(matches!(
        other.decode(&v0),
        Err(DecodeError::UnknownSchemaVersion { version: 0, .. })
    ));
}

#[test]
fn a_schema_version_newer_than_this_build_is_refused() {
    let mut v2: Value = serde_json::from_slice(&read(1, "HouseholdExited")).unwrap();
    v2["schema_version"] = json!(2);
    let upcasters = Upcasters::current().with("HouseholdExited", 0, household_exited_v0_to_v1);
    let err = upcasters
        .decode(&serde_json::to_vec(&v2).unwrap())
        .unwrap_err();
    assert!(
        matches!(err, DecodeError::UnknownSchemaVersion { version: 2, .. }),
        "{err:?}"
    );
}

// ------------------------------------------------------------ generator

/// Runs commands as one actor or another, recorded at 16:00 UTC on each
/// command's date, with ids from a counter: the same events every run.
struct Desk {
    workflow: Workflow<MemoryStore>,
    next: u128,
}

impl Desk {
    fn meta(&mut self, actor: &Actor, on: NaiveDate) -> CommandMeta {
        self.next += 1;
        CommandMeta {
            command_id: CommandId::from_uuid(uuid::Uuid::from_u128(0xf1_0000 + self.next)),
            actor: actor.clone(),
            recorded_at: on.and_hms_opt(16, 0, 0).unwrap().and_utc(),
        }
    }

    fn run(&mut self, actor: &Actor, command: impl Into<Command>) -> Outcome {
        let command = command.into();
        let meta = self.meta(actor, command.date());
        self.workflow.execute(&meta, &command).unwrap().outcome
    }

    /// Refers the top eligible household to `opening` on `on`.
    fn refer_top(
        &mut self,
        lead: &Actor,
        opening: ce_core::OpeningId,
        on: NaiveDate,
    ) -> ce_core::ReferralId {
        self.refer(
            lead,
            Refer {
                opening,
                date: on,
                household: None,
                bypass_reason: None,
            },
        )
    }

    fn refer(&mut self, lead: &Actor, refer: Refer) -> ce_core::ReferralId {
        match self.run(lead, refer) {
            Outcome::Referred { referral, .. } => referral,
            other => panic!("{other:?}"),
        }
    }
}

fn member(n: u128, relationship: RelationshipToHoH, born: NaiveDate) -> Member {
    Member {
        client: client(n),
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

fn named(member: Member, first: &str, last: &str) -> Member {
    Member {
        first_name: Some(first.to_owned()),
        last_name: Some(last.to_owned()),
        ..member
    }
}

fn single(n: u128, on: NaiveDate) -> ce_core::Enroll {
    ce_core::Enroll {
        coalition: Coalition::new("Coulee"),
        project_start: on,
        // A disabling condition: the household goes on the PSH list.
        members: vec![Member {
            disabling_condition: NoYesReasons::Yes,
            ..member(n, RelationshipToHoH::SelfHeadOfHousehold, date(1979, 2, 14))
        }],
        prior: PriorLivingSituation {
            stay: Default::default(),
            living_situation: PriorSituation::EMERGENCY_SHELTER,
            episode_start: Some(date(2024, 12, 1)),
            times_homeless: TimesHomeless::TwoTimes,
            months_homeless: MonthsHomeless::FourMonths,
        },
        current: CurrentLivingSituation::new(CurrentSituation::EMERGENCY_SHELTER),
        referred_by: None,
        restricted: false,
    }
}

fn assess(household: HouseholdId, on: NaiveDate, score: u32) -> Assess {
    Assess {
        household,
        date: on,
        location: "La Crosse access point".into(),
        assessment_type: AssessmentType::InPerson,
        level: AssessmentLevel::HousingNeedsAssessment,
        answers: vec![AssessmentAnswer {
            question: "Nights spent outside in the past year".into(),
            answer: "about 300".into(),
        }],
        results: vec![AssessmentResultEntry {
            result_type: "Pre-Screen & Barriers score".into(),
            result: score.to_string(),
        }],
        score: Some(score),
        prioritization: PrioritizationStatus::PlacedOnPrioritizationList,
    }
}

/// Every event type, from one small caseload that fills in optional fields
/// (names, 4.12 details, assessment answers, a bypass, decline text).
fn one_of_each_event() -> Vec<Envelope> {
    let access = Actor::new("avery", "Couleecap access point", Role::Access);
    let provider = Actor::new("sam", "Catholic Charities La Crosse", Role::Provider);
    let lead = Actor::new("lee", "BoS CE", Role::Lead);
    let mut desk = Desk {
        workflow: Workflow::new(MemoryStore::new(), Policy::wi_bos_default()).unwrap(),
        next: 0,
    };
    let d = |m, day| date(2025, m, day);

    let family = ce_core::Enroll {
        coalition: Coalition::new("Coulee"),
        project_start: d(3, 3),
        members: vec![
            Member {
                disabling_condition: NoYesReasons::Yes,
                ..named(
                    member(1, RelationshipToHoH::SelfHeadOfHousehold, date(1990, 4, 12)),
                    "Dana",
                    "Rivers",
                )
            },
            named(
                member(2, RelationshipToHoH::SpouseOrPartner, date(1992, 9, 30)),
                "Jo",
                "Rivers",
            ),
            named(
                member(3, RelationshipToHoH::Child, date(2019, 6, 1)),
                "Sky",
                "Rivers",
            ),
        ],
        prior: PriorLivingSituation {
            stay: Default::default(),
            living_situation: PriorSituation::PLACE_NOT_MEANT_FOR_HABITATION,
            episode_start: Some(date(2024, 1, 15)),
            times_homeless: TimesHomeless::FourOrMoreTimes,
            months_homeless: MonthsHomeless::MoreThanTwelveMonths,
        },
        current: CurrentLivingSituation {
            verified_by: Some("BoS Coordinated Entry".into()),
            leave_within_14_days: Some(NoYesReasons::No),
            location_details: Some("Under the Cass Street bridge".into()),
            ..CurrentLivingSituation::new(CurrentSituation::PLACE_NOT_MEANT_FOR_HABITATION)
        },
        referred_by: None,
        restricted: false,
    };
    let Outcome::Enrolled { household: a } = desk.run(&access, family) else {
        panic!("not enrolled")
    };
    desk.run(&access, assess(a, d(3, 4), 14));
    desk.run(
        &access,
        FollowUp {
            household: a,
            date: d(3, 20),
            status: StatusUpdate {
                residence: PriorSituation::EMERGENCY_SHELTER,
                months_homeless: MonthsHomeless::MoreThanTwelveMonths,
            },
            current: CurrentLivingSituation {
                verified_by: Some("BoS Coordinated Entry".into()),
                ..CurrentLivingSituation::new(CurrentSituation::EMERGENCY_SHELTER)
            },
            note: "Family is at the Salvation Army shelter; wants a unit near the school.".into(),
        },
    );
    desk.run(
        &access,
        AttemptContact {
            household: a,
            date: d(4, 1),
            method: ContactMethod::Phone,
            left_message: true,
            note: "Called Dana's cell, no answer; left a voicemail.".into(),
        },
    );
    desk.run(
        &access,
        AddMember {
            household: a,
            date: d(4, 2),
            member: named(
                member(4, RelationshipToHoH::OtherRelative, date(2007, 1, 20)),
                "Ash",
                "Rivers",
            ),
        },
    );
    desk.run(
        &access,
        ChangeHead {
            household: a,
            date: d(4, 3),
            head: client(2),
            former_head_relationship: RelationshipToHoH::SpouseOrPartner,
        },
    );
    desk.run(
        &access,
        RemoveMember {
            destination: Default::default(),
            destination_subsidy: None,
            household: a,
            date: d(4, 4),
            client: client(4),
        },
    );
    let assessment = desk
        .workflow
        .store()
        .read_stream(&StreamId::Household(a))
        .unwrap()
        .into_iter()
        .find(|e| matches!(e.event, Event::AssessmentRecorded(_)))
        .unwrap();
    let meta = desk.meta(&access, d(4, 5));
    desk.workflow
        .correct(
            &meta,
            a,
            assessment.event_id,
            json!({ "assessment": { "score": 15 } }),
            "The score was entered as 14; the assessment sheet says 15.",
        )
        .unwrap();

    let Outcome::Enrolled { household: b } = desk.run(&access, single(5, d(3, 5))) else {
        panic!("not enrolled")
    };
    desk.run(&access, assess(b, d(3, 6), 10));
    let Outcome::Enrolled { household: c } = desk.run(&access, single(6, d(3, 5))) else {
        panic!("not enrolled")
    };
    desk.run(&access, assess(c, d(3, 6), 9));

    let psh = ce_core::PostOpening {
        program: "Catholic Charities PSH".into(),
        units: 2,
        ..opening(ProgramType::Psh, "Coulee", d(4, 7))
    };
    let Outcome::Posted { opening: psh } = desk.run(&provider, psh) else {
        panic!("not posted")
    };
    let bypassed = desk.refer(
        &lead,
        Refer {
            opening: psh,
            date: d(4, 8),
            household: Some(c),
            bypass_reason: Some("The households above are in the hospital until May.".into()),
        },
    );
    desk.run(
        &provider,
        AcknowledgeReferral {
            referral: bypassed,
            date: d(4, 9),
        },
    );
    desk.run(
        &provider,
        DeclineReferral {
            referral: bypassed,
            date: d(4, 10),
            reason: "client-other".into(),
            text: Some("Client wants to stay near family in Sparta.".into()),
        },
    );
    let top = desk.refer_top(&lead, psh, d(4, 11));
    desk.run(
        &provider,
        AcceptReferral {
            referral: top,
            date: d(4, 15),
        },
    );

    let Outcome::Posted { opening: rrh } =
        desk.run(&provider, opening(ProgramType::Rrh, "Coulee", d(4, 16)))
    else {
        panic!("not posted")
    };
    desk.refer_top(&lead, rrh, d(4, 16));
    desk.run(
        &provider,
        WithdrawOpening {
            opening: rrh,
            date: d(4, 17),
            reason: "The landlord sold the building.".into(),
        },
    );
    let Outcome::Posted { opening: rrh } =
        desk.run(&provider, opening(ProgramType::Rrh, "Coulee", d(4, 18)))
    else {
        panic!("not posted")
    };
    desk.refer_top(&lead, rrh, d(4, 18));
    desk.run(&lead, ExpireReferrals { as_of: d(5, 1) });
    desk.run(&lead, Sweep { as_of: d(9, 1) });
    desk.run(
        &access,
        Exit {
            member_destinations: Default::default(),
            destination_subsidy: None,
            household: a,
            date: d(9, 2),
            destination: Destination::RENTAL_WITH_SUBSIDY,
            reason: "Moved into Catholic Charities PSH.".into(),
        },
    );
    desk.run(
        &access,
        RecordCeEvent {
            household: c,
            date: d(9, 3),
            event: CeEventType::ReferralToRapidReHousing,
            problem_solving_result: None,
            case_management_after: None,
            location: Some("Monroe County RRH (other HMIS)".into()),
            result: Some(ReferralResult::UnsuccessfulClientRejected),
            result_date: Some(d(9, 8)),
        },
    );
    // The client of household c signs a release of information for the
    // agencies they are referred to, for a year.
    desk.run(
        &access,
        ce_core::RecordConsent {
            household: c,
            client: client(6),
            date: d(8, 20),
            decision: ce_core::ConsentDecision::Given,
            scope: ce_core::ConsentScope::Referrals,
            expires: Some(date(2026, 8, 19)),
        },
    );
    // A survivor referred by a victim service provider: no name, no birth
    // date, only the agency's reference; restricted from the start, then
    // identified when she chooses to be.
    let survivor = match desk.run(
        &access,
        ce_core::Enroll {
            members: vec![Member {
                birth_date: None,
                age_band: Some(ce_core::AgeBand::From35To44),
                ..single(40, d(8, 21)).members[0].clone()
            }],
            referred_by: Some(ce_core::ReferralContact {
                agency: ce_core::AgencyId("New Horizons Shelter".into()),
                reference: "NH-2025-118".into(),
                contact: "advocate line 608-555-0148".into(),
            }),
            ..single(40, d(8, 21))
        },
    ) {
        Outcome::Enrolled { household } => household,
        other => panic!("{other:?}"),
    };
    desk.run(
        &lead,
        ce_core::Restrict {
            household: survivor,
            date: d(8, 22),
            restricted: true,
        },
    );
    desk.run(
        &lead,
        ce_core::Identify {
            household: survivor,
            date: d(8, 25),
            members: vec![named(
                Member {
                    disabling_condition: NoYesReasons::Yes,
                    age_band: Some(ce_core::AgeBand::From35To44),
                    ..member(40, RelationshipToHoH::SelfHeadOfHousehold, date(1985, 5, 5))
                },
                "Morgan",
                "Lake",
            )],
        },
    );
    // Jo asks to be erased: her names and birth date, and the family's
    // notes, go with her keys.
    desk.run(
        &Actor::new("lee", "BoS CE", Role::Lead),
        ce_core::Erase {
            client: client(2),
            reason: ce_core::ErasureReason::ClientRequest,
            date: d(9, 1),
        },
    );
    // What a HUD CSV import appends beside the records it imports.
    let store = desk.workflow.store();
    let referral_event = store
        .read_from(0, usize::MAX)
        .unwrap()
        .iter()
        .rev()
        .find(|e| matches!(e.event, Event::CeEventRecorded(_)))
        .unwrap()
        .event_id;
    let imported = |n: u128, event: Event| ce_core::NewEvent {
        event_id: ce_core::EventId::from_uuid(uuid::Uuid::from_u128(0xf2_0000 + n)),
        streams: vec![StreamId::Household(c)],
        effective: d(9, 10),
        recorded_at: d(9, 10).and_hms_opt(16, 0, 0).unwrap().and_utc(),
        actor: Actor::new("import", "hmis-csv:EXP-2025-09", Role::Lead),
        event,
    };
    let version = store.stream_version(&StreamId::Household(c)).unwrap();
    store
        .append(ce_core::AppendRequest {
            expected: vec![(
                StreamId::Household(c),
                ce_core::ExpectedVersion::Exact(version),
            )],
            events: vec![
                imported(
                    1,
                    Event::HmisRecordsLinked(ce_core::HmisRecordsLinked {
                        source: "WI-500/monroe-hmis".into(),
                        export_id: "EXP-2025-09".into(),
                        household_id: Some("H3001".into()),
                        links: vec![ce_core::HmisLink {
                            file: "Event.csv".into(),
                            id: "V6001".into(),
                            event: referral_event,
                            client: None,
                            updated: Some(d(9, 8).and_hms_opt(11, 30, 0).unwrap().and_utc()),
                        }],
                    }),
                ),
                imported(
                    2,
                    Event::HmisRecordDeleted(ce_core::HmisRecordDeleted {
                        deletes: referral_event,
                        file: "Event.csv".into(),
                        id: "V6001".into(),
                        reason: "DateDeleted 2025-09-10 09:02:11 in export EXP-2025-09".into(),
                    }),
                ),
            ],
        })
        .unwrap();
    // The CoC lengthens its inactivity period: policy v2.
    let mut v2 = ce_core::Policy::wi_bos_default();
    v2.version += 1;
    v2.inactivity_days = 120;
    let lead = ce_core::CommandMeta {
        command_id: ce_core::CommandId::from_uuid(uuid::Uuid::from_u128(0xADD0)),
        actor: ce_core::Actor::new("ce-lead", "BoS CE", ce_core::Role::Lead),
        recorded_at: d(9, 15).and_hms_opt(9, 0, 0).unwrap().and_utc(),
    };
    let adoption = v2
        .adoption(&ce_core::Policy::wi_bos_default(), &lead, 0)
        .unwrap()
        .unwrap();
    store.append(adoption).unwrap();
    desk.workflow.store().read_from(0, usize::MAX).unwrap()
}

/// Writes the v1 fixture of every event type that has none. Never
/// overwrites one: fixtures are frozen.
#[test]
#[ignore = "writes fixture files; run when an event type is added"]
fn write_missing_v1_fixtures() {
    let events = one_of_each_event();
    std::fs::create_dir_all(fixtures(1)).unwrap();
    for event_type in Event::TYPES {
        let path = fixture(1, event_type);
        if path.exists() {
            continue;
        }
        let envelope = events
            .iter()
            .find(|e| e.event.event_type() == *event_type)
            .unwrap_or_else(|| panic!("the generator produces no {event_type}"));
        let mut json = serde_json::to_string_pretty(envelope).unwrap();
        json.push('\n');
        std::fs::write(&path, json).unwrap();
        eprintln!("wrote {}", path.display());
    }
}

/// The generator still produces every event type, so a new type's fixture
/// can be written from it.
#[test]
fn the_fixture_generator_produces_every_event_type() {
    let events = one_of_each_event();
    for event_type in Event::TYPES {
        assert!(
            events.iter().any(|e| e.event.event_type() == *event_type),
            "no {event_type}"
        );
    }
}

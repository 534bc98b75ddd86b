//! The small caseload the export, APR and round-trip tests work from, built
//! command by command, and the members, living situations and commands it
//! is made of.

use ce_core::hud::{
    AssessmentLevel, AssessmentType, CurrentSituation, Destination, MonthsHomeless, NoYesReasons,
    PriorSituation, PrioritizationStatus, RelationshipToHoH, TimesHomeless,
};
use ce_core::testing::{client, date, Scenario};
use ce_core::{
    AcceptReferral, AddMember, Assess, AssessmentAnswer, AssessmentResultEntry, Correct,
    CurrentLivingSituation, DeclineReferral, Enroll, Event, EventStore, Exit, FollowUp,
    HouseholdId, ListHouseholdType, Member, Outcome, PostOpening, PriorLivingSituation,
    ProgramType, ReferralId, Role, StatusUpdate, StreamId,
};

use crate::support::{at, coulee};

#[allow(clippy::too_many_arguments)]
pub fn member(
    n: u128,
    relationship: RelationshipToHoH,
    born: Option<(i32, u32, u32)>,
    veteran: NoYesReasons,
    disabling: NoYesReasons,
    first: Option<&str>,
    last: Option<&str>,
) -> Member {
    Member {
        client: client(n),
        relationship,
        birth_date: born.map(|(y, m, d)| date(y, m, d)),
        veteran,
        disabling_condition: disabling,
        first_name: first.map(str::to_owned),
        last_name: last.map(str::to_owned),
        age_band: None,
        sealed: None,
    }
}

pub fn prior(
    code: u16,
    episode: Option<(i32, u32, u32)>,
    times: TimesHomeless,
    months: MonthsHomeless,
) -> PriorLivingSituation {
    PriorLivingSituation {
        stay: Default::default(),
        living_situation: PriorSituation::try_from(code).unwrap(),
        episode_start: episode.map(|(y, m, d)| date(y, m, d)),
        times_homeless: times,
        months_homeless: months,
    }
}

pub fn cls(code: u16) -> CurrentLivingSituation {
    CurrentLivingSituation::new(CurrentSituation::try_from(code).unwrap())
}

pub fn enrolled(s: &mut Scenario, enroll: Enroll) -> HouseholdId {
    match s.given(enroll) {
        Outcome::Enrolled { household } => household,
        other => panic!("{other:?}"),
    }
}

pub fn assess(
    household: HouseholdId,
    on: (i32, u32, u32),
    location: &str,
    kind: AssessmentType,
    level: AssessmentLevel,
    score: Option<u32>,
    placed: bool,
) -> Assess {
    Assess {
        household,
        date: date(on.0, on.1, on.2),
        location: location.to_owned(),
        assessment_type: kind,
        level,
        answers: Vec::new(),
        results: Vec::new(),
        score,
        prioritization: if placed {
            PrioritizationStatus::PlacedOnPrioritizationList
        } else {
            PrioritizationStatus::NotPlacedOnPrioritizationList
        },
    }
}

pub fn posting(on: (i32, u32, u32), program: &str, served: ListHouseholdType) -> PostOpening {
    PostOpening {
        date: date(on.0, on.1, on.2),
        program: program.to_owned(),
        program_type: ProgramType::Rrh,
        coalition: coulee(),
        household_types: vec![served],
        chronic_only: false,
        veterans_only: false,
        units: 1,
    }
}

/// The small caseload every test works from.
pub struct Caseload {
    pub scenario: Scenario,
    /// H1 single adult, H2 family, H3 unaccompanied minor, H4 adult of unknown age.
    pub h: [HouseholdId; 4],
    pub r: [ReferralId; 2],
}

/// H4 (adult, no DOB) enrolled 2024-12-01, assessed 12-02 (placed, 5),
/// exited 2025-01-15 to ES. H1 (adult) enrolled 2025-01-06 from the street,
/// assessed 01-07 in person (placed, 9; corrected to 12 on 02-10), follow-up
/// 02-01 in ES, referred 02-15 to "Coulee RRH", accepted 02-20, exited
/// 02-28 to 410. H2 (two adults and a child; the spouse added 02-01)
/// enrolled 01-10 from ES, assessed 01-11 by phone (placed, 6), referred
/// 03-01 to "Family RRH", declined by the client 03-05. H3 (a 15-year-old)
/// enrolled 03-03, assessed 03-04 virtually, not placed.
pub fn caseload() -> Caseload {
    use MonthsHomeless as M;
    use NoYesReasons::{No, Yes};
    use RelationshipToHoH::*;
    const DATA_NOT_COLLECTED: NoYesReasons = NoYesReasons::DataNotCollected;
    use TimesHomeless as T;
    let mut s = Scenario::new();
    s.acting_as("alice", "BoS CE", Role::Lead)
        .recorded_at(at(2024, 12, 1, 9, 0));
    let h4 = enrolled(
        &mut s,
        Enroll {
            coalition: coulee(),
            project_start: date(2024, 12, 1),
            members: vec![member(
                6,
                SelfHeadOfHousehold,
                None,
                DATA_NOT_COLLECTED,
                DATA_NOT_COLLECTED,
                None,
                None,
            )],
            prior: prior(99, None, T::DataNotCollected, M::DataNotCollected),
            current: cls(99),
            referred_by: None,
            restricted: false,
        },
    );
    s.recorded_at(at(2024, 12, 2, 9, 0));
    s.given(assess(
        h4,
        (2024, 12, 2),
        "Access point",
        AssessmentType::InPerson,
        AssessmentLevel::HousingNeedsAssessment,
        Some(5),
        true,
    ));
    s.recorded_at(at(2025, 1, 6, 9, 0));
    let mut street = cls(116);
    street.verified_by = Some("BoS CE".to_owned());
    street.leave_within_14_days = Some(Yes);
    street.location_details = Some("Under the Main St bridge".to_owned());
    let h1 = enrolled(
        &mut s,
        Enroll {
            coalition: coulee(),
            project_start: date(2025, 1, 6),
            members: vec![member(
                1,
                SelfHeadOfHousehold,
                Some((1980, 5, 1)),
                No,
                No,
                Some("Ann"),
                Some("Lee"),
            )],
            prior: prior(116, Some((2024, 11, 1)), T::OneTime, M::TwoMonths),
            current: street,
            referred_by: None,
            restricted: false,
        },
    );
    s.recorded_at(at(2025, 1, 7, 10, 0));
    let mut a1 = assess(
        h1,
        (2025, 1, 7),
        "Coulee access point",
        AssessmentType::InPerson,
        AssessmentLevel::HousingNeedsAssessment,
        Some(9),
        true,
    );
    a1.answers = vec![AssessmentAnswer {
        question: "Where did you sleep last night?".to_owned(),
        answer: "Outside, \"under\" the <bridge>".to_owned(),
    }];
    a1.results = vec![AssessmentResultEntry {
        result_type: "Pre-screen total".to_owned(),
        result: "11".to_owned(),
    }];
    s.given(a1);
    s.recorded_at(at(2025, 1, 10, 9, 30));
    let h2 = enrolled(
        &mut s,
        Enroll {
            coalition: coulee(),
            project_start: date(2025, 1, 10),
            members: vec![
                member(
                    2,
                    SelfHeadOfHousehold,
                    Some((1990, 2, 2)),
                    No,
                    Yes,
                    Some("Bea"),
                    Some("Cruz"),
                ),
                member(
                    3,
                    Child,
                    Some((2018, 3, 3)),
                    DATA_NOT_COLLECTED,
                    No,
                    Some("Cal"),
                    Some("Cruz"),
                ),
            ],
            prior: prior(101, None, T::TwoTimes, M::FourMonths),
            current: cls(101),
            referred_by: None,
            restricted: false,
        },
    );
    s.recorded_at(at(2025, 1, 11, 11, 0));
    s.given(assess(
        h2,
        (2025, 1, 11),
        "Phone line",
        AssessmentType::Phone,
        AssessmentLevel::CrisisNeedsAssessment,
        Some(6),
        true,
    ));
    s.recorded_at(at(2025, 1, 15, 9, 0));
    s.given(Exit {
        member_destinations: Default::default(),
        destination_subsidy: None,
        household: h4,
        date: date(2025, 1, 15),
        destination: Destination::EMERGENCY_SHELTER,
        reason: "Entered shelter".to_owned(),
    });
    s.acting_as("bob", "BoS CE", Role::Lead)
        .recorded_at(at(2025, 2, 1, 9, 0));
    s.given(AddMember {
        household: h2,
        date: date(2025, 2, 1),
        member: member(
            4,
            SpouseOrPartner,
            Some((1989, 7, 7)),
            Yes,
            No,
            Some("Dee"),
            Some("Cruz"),
        ),
    });
    s.recorded_at(at(2025, 2, 1, 12, 0));
    s.given(FollowUp {
        household: h1,
        date: date(2025, 2, 1),
        status: StatusUpdate {
            residence: PriorSituation::EMERGENCY_SHELTER,
            months_homeless: M::ThreeMonths,
        },
        current: cls(101),
        note: "Staying at the shelter; talked about RRH.".to_owned(),
    });
    s.acting_as("carol", "BoS CE", Role::Lead)
        .recorded_at(at(2025, 2, 10, 15, 0));
    let original = s
        .store()
        .read_stream(&StreamId::Household(h1))
        .unwrap()
        .into_iter()
        .find(|e| matches!(e.event, Event::AssessmentRecorded(_)))
        .unwrap();
    s.given(Correct {
        household: h1,
        original: Box::new(original),
        patch: serde_json::json!({"assessment": {"score": 12}}),
        reason: "Score was mistyped".to_owned(),
    });
    s.acting_as("dan", "Couleecap", Role::Lead)
        .recorded_at(at(2025, 2, 15, 8, 0));
    let o1 = s.post(posting(
        (2025, 2, 15),
        "Coulee RRH",
        ListHouseholdType::AdultsOnly,
    ));
    let (r1, referred) = s.refer_top(o1, date(2025, 2, 15));
    assert_eq!(referred, h1);
    s.acting_as("erin", "Couleecap", Role::Lead)
        .recorded_at(at(2025, 2, 20, 16, 0));
    s.given(AcceptReferral {
        referral: r1,
        date: date(2025, 2, 20),
    });
    s.acting_as("alice", "BoS CE", Role::Lead)
        .recorded_at(at(2025, 2, 28, 9, 0));
    s.given(Exit {
        member_destinations: Default::default(),
        destination_subsidy: None,
        household: h1,
        date: date(2025, 2, 28),
        destination: Destination::RENTAL_NO_SUBSIDY,
        reason: "Moved into an RRH unit".to_owned(),
    });
    s.acting_as("dan", "Couleecap", Role::Lead)
        .recorded_at(at(2025, 3, 1, 8, 0));
    let o2 = s.post(posting(
        (2025, 3, 1),
        "Family RRH",
        ListHouseholdType::WithChildren,
    ));
    let (r2, referred) = s.refer_top(o2, date(2025, 3, 1));
    assert_eq!(referred, h2);
    s.acting_as("alice", "BoS CE", Role::Lead)
        .recorded_at(at(2025, 3, 3, 14, 0));
    let h3 = enrolled(
        &mut s,
        Enroll {
            coalition: coulee(),
            project_start: date(2025, 3, 3),
            members: vec![member(
                5,
                SelfHeadOfHousehold,
                Some((2009, 6, 1)),
                DATA_NOT_COLLECTED,
                No,
                Some("Eve"),
                None,
            )],
            prior: prior(116, None, T::OneTime, M::OneMonth),
            current: cls(116),
            referred_by: None,
            restricted: false,
        },
    );
    s.recorded_at(at(2025, 3, 4, 9, 0));
    s.given(assess(
        h3,
        (2025, 3, 4),
        "Youth drop-in",
        AssessmentType::Virtual,
        AssessmentLevel::HousingNeedsAssessment,
        None,
        false,
    ));
    s.acting_as("erin", "Couleecap", Role::Lead)
        .recorded_at(at(2025, 3, 5, 10, 0));
    s.given(DeclineReferral {
        referral: r2,
        date: date(2025, 3, 5),
        reason: "client-location".into(),
        text: None,
    });
    Caseload {
        scenario: s,
        h: [h1, h2, h3, h4],
        r: [r1, r2],
    }
}

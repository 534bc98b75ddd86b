//! HUD HMIS CSV (FY2024): export of a small hand-built caseload checked row
//! by row, the CE APR and timeliness worked out by hand, import errors by
//! class, and the export → import → export round trip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ce_core::hud::{
    AssessmentLevel, AssessmentType, CeEventType, CurrentSituation, Destination, MonthsHomeless,
    NoYesMissing, NoYesReasons, PriorSituation, PrioritizationStatus, RelationshipToHoH,
    TimesHomeless,
};
use ce_core::testing::{client, date, Scenario};
use ce_core::{
    AcceptReferral, Actor, AddMember, Assess, Coalition, Correct, DeclineReferral, Enroll,
    Envelope, Event, EventStore, Exit, FollowUp, HouseholdId, ListHouseholdType, MemoryStore,
    Outcome, Policy, PostOpening, ProgramType, RecordCeEvent, ReferralId, Role, StreamId, Workflow,
};
use ce_core::{
    AssessmentAnswer, AssessmentResultEntry, CurrentLivingSituation, Member, PriorLivingSituation,
    StatusUpdate,
};
use ce_hud_csv::{
    CeApr, ExportOptions, HudCsvExport, HudFile, ImportOptions, ImportPlan, IssueKind, Timeliness,
};
use ce_tests::support::{ce_binary, plan_import, read_csv as read, rows_without_export_id, Table};
use chrono::{DateTime, TimeZone, Utc};

// ---------------------------------------------------------------- helpers

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn hex(u: &uuid::Uuid) -> String {
    u.simple().to_string()
}

fn p(n: u128) -> String {
    hex(client(n).as_uuid())
}

fn coulee() -> Coalition {
    Coalition::new("Coulee")
}

#[allow(clippy::too_many_arguments)]
fn member(
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
    }
}

fn prior(
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

fn cls(code: u16) -> CurrentLivingSituation {
    CurrentLivingSituation::new(CurrentSituation::try_from(code).unwrap())
}

fn enrolled(s: &mut Scenario, enroll: Enroll) -> HouseholdId {
    match s.given(enroll) {
        Outcome::Enrolled { household } => household,
        other => panic!("{other:?}"),
    }
}

fn assess(
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

fn posting(on: (i32, u32, u32), program: &str, served: ListHouseholdType) -> PostOpening {
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
struct Caseload {
    scenario: Scenario,
    /// H1 single adult, H2 family, H3 unaccompanied minor, H4 adult of unknown age.
    h: [HouseholdId; 4],
    r: [ReferralId; 2],
}

/// H4 (adult, no DOB) enrolled 2024-12-01, assessed 12-02 (placed, 5),
/// exited 2025-01-15 to ES. H1 (adult) enrolled 2025-01-06 from the street,
/// assessed 01-07 in person (placed, 9; corrected to 12 on 02-10), follow-up
/// 02-01 in ES, referred 02-15 to "Coulee RRH", accepted 02-20, exited
/// 02-28 to 410. H2 (two adults and a child; the spouse added 02-01)
/// enrolled 01-10 from ES, assessed 01-11 by phone (placed, 6), referred
/// 03-01 to "Family RRH", declined by the client 03-05. H3 (a 15-year-old)
/// enrolled 03-03, assessed 03-04 virtually, not placed.
fn caseload() -> Caseload {
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
        reason: "client-location".to_owned(),
        text: None,
    });
    Caseload {
        scenario: s,
        h: [h1, h2, h3, h4],
        r: [r1, r2],
    }
}

fn log(s: &Scenario) -> Vec<Envelope> {
    s.store().read_from(0, usize::MAX).unwrap()
}

fn options(from: Option<(i32, u32, u32)>, to: Option<(i32, u32, u32)>) -> ExportOptions {
    let mut o = ExportOptions::new("EXP1", at(2025, 4, 1, 12, 0), "ce-test");
    o.from = from.map(|(y, m, d)| date(y, m, d));
    o.to = to.map(|(y, m, d)| date(y, m, d));
    o
}

/// Every file of an export as text.
fn export(log: &[Envelope], options: &ExportOptions) -> BTreeMap<HudFile, String> {
    let built = HudCsvExport::build(log, options);
    HudFile::ALL
        .iter()
        .map(|&f| {
            let mut out = Vec::new();
            built.write(f, &mut out).unwrap();
            (f, String::from_utf8(out).unwrap())
        })
        .collect()
}

/// Id columns, replaced by `Column#n` in order of first appearance (files in
/// writing order), except those in `keep`.
const ID_COLUMNS: &[&str] = &[
    "ExportID",
    "OrganizationID",
    "ProjectID",
    "PersonalID",
    "EnrollmentID",
    "HouseholdID",
    "ExitID",
    "AssessmentID",
    "AssessmentQuestionID",
    "AssessmentResultID",
    "EventID",
    "CurrentLivingSitID",
];

fn normalize(files: &BTreeMap<HudFile, String>, keep: &[&str]) -> BTreeMap<HudFile, Table> {
    let mut labels: HashMap<String, String> = HashMap::new();
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut out = BTreeMap::new();
    for (&file, text) in files {
        let (header, mut rows) = read(text);
        for row in &mut rows {
            for (column, value) in header.iter().zip(row.iter_mut()) {
                if value.is_empty()
                    || !ID_COLUMNS.contains(&column.as_str())
                    || keep.contains(&column.as_str())
                {
                    continue;
                }
                let label = labels.entry(value.clone()).or_insert_with(|| {
                    let n = counts.entry(column.clone()).or_default();
                    *n += 1;
                    format!("{column}#{n}")
                });
                *value = label.clone();
            }
        }
        out.insert(file, (header, rows));
    }
    out
}

/// A row as its non-empty columns.
fn filled(table: &Table) -> Vec<Vec<(String, String)>> {
    table
        .1
        .iter()
        .map(|row| {
            table
                .0
                .iter()
                .zip(row)
                .filter(|(_, v)| !v.is_empty())
                .map(|(c, v)| (c.clone(), v.clone()))
                .collect()
        })
        .collect()
}

/// Expected rows written as `Column=value` pairs.
fn rows(expected: &[&[&str]]) -> Vec<Vec<(String, String)>> {
    expected
        .iter()
        .map(|row| {
            row.iter()
                .map(|pair| {
                    let (c, v) = pair.split_once('=').unwrap();
                    (c.to_owned(), v.to_owned())
                })
                .collect()
        })
        .collect()
}

const TRAILER: [&str; 5] = [
    "DateCreated",
    "DateUpdated",
    "UserID",
    "DateDeleted",
    "ExportID",
];

fn with_trailer(columns: &[&str]) -> Vec<String> {
    columns
        .iter()
        .chain(TRAILER.iter())
        .map(|c| (*c).to_owned())
        .collect()
}

/// HUD's FY2024 headers, written out from docs/hud-csv.md, not from the code.
fn hud_header(file: HudFile) -> Vec<String> {
    match file {
        HudFile::Export => [
            "ExportID",
            "SourceType",
            "SourceID",
            "SourceName",
            "SourceContactFirst",
            "SourceContactLast",
            "SourceContactPhone",
            "SourceContactExtension",
            "SourceContactEmail",
            "ExportDate",
            "ExportStartDate",
            "ExportEndDate",
            "SoftwareName",
            "SoftwareVersion",
            "CSVVersion",
            "ExportPeriodType",
            "ExportDirective",
            "HashStatus",
            "ImplementationID",
        ]
        .iter()
        .map(|c| (*c).to_owned())
        .collect(),
        HudFile::Organization => with_trailer(&[
            "OrganizationID",
            "OrganizationName",
            "VictimServiceProvider",
            "OrganizationCommonName",
        ]),
        HudFile::ProjectCoC => with_trailer(&[
            "ProjectCoCID",
            "ProjectID",
            "CoCCode",
            "Geocode",
            "Address1",
            "Address2",
            "City",
            "State",
            "ZIP",
            "GeographyType",
        ]),
        HudFile::CEParticipation => with_trailer(&[
            "CEParticipationID",
            "ProjectID",
            "AccessPoint",
            "PreventionAssessment",
            "CrisisAssessment",
            "HousingAssessment",
            "DirectServices",
            "ReceivesReferrals",
            "CEParticipationStatusStartDate",
            "CEParticipationStatusEndDate",
        ]),
        HudFile::Project => with_trailer(&[
            "ProjectID",
            "OrganizationID",
            "ProjectName",
            "ProjectCommonName",
            "OperatingStartDate",
            "OperatingEndDate",
            "ContinuumProject",
            "ProjectType",
            "HousingType",
            "RRHSubType",
            "ResidentialAffiliation",
            "TargetPopulation",
            "HOPWAMedAssistedLivingFac",
            "PITCount",
        ]),
        HudFile::Client => with_trailer(&[
            "PersonalID",
            "FirstName",
            "MiddleName",
            "LastName",
            "NameSuffix",
            "NameDataQuality",
            "SSN",
            "SSNDataQuality",
            "DOB",
            "DOBDataQuality",
            "AmIndAKNative",
            "Asian",
            "BlackAfAmerican",
            "HispanicLatinaeo",
            "MidEastNAfrican",
            "NativeHIPacific",
            "White",
            "RaceNone",
            "AdditionalRaceEthnicity",
            "Woman",
            "Man",
            "NonBinary",
            "CulturallySpecific",
            "Transgender",
            "Questioning",
            "DifferentIdentity",
            "GenderNone",
            "DifferentIdentityText",
            "VeteranStatus",
            "YearEnteredService",
            "YearSeparated",
            "WorldWarII",
            "KoreanWar",
            "VietnamWar",
            "DesertStorm",
            "AfghanistanOEF",
            "IraqOIF",
            "IraqOND",
            "OtherTheater",
            "MilitaryBranch",
            "DischargeStatus",
        ]),
        HudFile::Enrollment => with_trailer(&[
            "EnrollmentID",
            "PersonalID",
            "ProjectID",
            "EntryDate",
            "HouseholdID",
            "RelationshipToHoH",
            "EnrollmentCoC",
            "LivingSituation",
            "RentalSubsidyType",
            "LengthOfStay",
            "LOSUnderThreshold",
            "PreviousStreetESSH",
            "DateToStreetESSH",
            "TimesHomelessPastThreeYears",
            "MonthsHomelessPastThreeYears",
            "DisablingCondition",
            "DateOfEngagement",
            "MoveInDate",
            "DateOfPATHStatus",
            "ClientEnrolledInPATH",
            "ReasonNotEnrolled",
            "PercentAMI",
            "ReferralSource",
            "CountOutreachReferralApproaches",
            "DateOfBCPStatus",
            "EligibleForRHY",
            "ReasonNoServices",
            "RunawayYouth",
            "SexualOrientation",
            "SexualOrientationOther",
            "FormerWardChildWelfare",
            "ChildWelfareYears",
            "ChildWelfareMonths",
            "FormerWardJuvenileJustice",
            "JuvenileJusticeYears",
            "JuvenileJusticeMonths",
            "UnemploymentFam",
            "MentalHealthDisorderFam",
            "PhysicalDisabilityFam",
            "AlcoholDrugUseDisorderFam",
            "InsufficientIncome",
            "IncarceratedParent",
            "VAMCStation",
            "TargetScreenReqd",
            "TimeToHousingLoss",
            "AnnualPercentAMI",
            "LiteralHomelessHistory",
            "ClientLeaseholder",
            "HOHLeaseholder",
            "SubsidyAtRisk",
            "EvictionHistory",
            "CriminalRecord",
            "IncarceratedAdult",
            "PrisonDischarge",
            "SexOffender",
            "DisabledHoH",
            "CurrentPregnant",
            "SingleParent",
            "DependentUnder6",
            "HH5Plus",
            "CoCPrioritized",
            "HPScreeningScore",
            "ThresholdScore",
            "TranslationNeeded",
            "PreferredLanguage",
            "PreferredLanguageDifferent",
        ]),
        HudFile::Exit => with_trailer(&[
            "ExitID",
            "EnrollmentID",
            "PersonalID",
            "ExitDate",
            "Destination",
            "DestinationSubsidyType",
            "OtherDestination",
            "HousingAssessment",
            "SubsidyInformation",
            "ProjectCompletionStatus",
            "EarlyExitReason",
            "ExchangeForSex",
            "ExchangeForSexPastThreeMonths",
            "CountOfExchangeForSex",
            "AskedOrForcedToExchangeForSex",
            "AskedOrForcedToExchangeForSexPastThreeMonths",
            "WorkplaceViolenceThreats",
            "WorkplacePromiseDifference",
            "CoercedToContinueWork",
            "LaborExploitPastThreeMonths",
            "CounselingReceived",
            "IndividualCounseling",
            "FamilyCounseling",
            "GroupCounseling",
            "SessionCountAtExit",
            "PostExitCounselingPlan",
            "SessionsInPlan",
            "DestinationSafeClient",
            "DestinationSafeWorker",
            "PosAdultConnections",
            "PosPeerConnections",
            "PosCommunityConnections",
            "AftercareDate",
            "AftercareProvided",
            "EmailSocialMedia",
            "Telephone",
            "InPersonIndividual",
            "InPersonGroup",
            "CMExitReason",
        ]),
        HudFile::Assessment => with_trailer(&[
            "AssessmentID",
            "EnrollmentID",
            "PersonalID",
            "AssessmentDate",
            "AssessmentLocation",
            "AssessmentType",
            "AssessmentLevel",
            "PrioritizationStatus",
        ]),
        HudFile::AssessmentQuestions => with_trailer(&[
            "AssessmentQuestionID",
            "AssessmentID",
            "EnrollmentID",
            "PersonalID",
            "AssessmentQuestionGroup",
            "AssessmentQuestionOrder",
            "AssessmentQuestion",
            "AssessmentAnswer",
        ]),
        HudFile::AssessmentResults => with_trailer(&[
            "AssessmentResultID",
            "AssessmentID",
            "EnrollmentID",
            "PersonalID",
            "AssessmentResultType",
            "AssessmentResult",
        ]),
        HudFile::Event => with_trailer(&[
            "EventID",
            "EnrollmentID",
            "PersonalID",
            "EventDate",
            "Event",
            "ProbSolDivRRResult",
            "ReferralCaseManageAfter",
            "LocationCrisisOrPHHousing",
            "ReferralResult",
            "ResultDate",
        ]),
        HudFile::CurrentLivingSituation => with_trailer(&[
            "CurrentLivingSitID",
            "EnrollmentID",
            "PersonalID",
            "InformationDate",
            "CurrentLivingSituation",
            "CLSSubsidyType",
            "VerifiedBy",
            "LeaveSituation14Days",
            "SubsequentResidence",
            "ResourcesToObtain",
            "LeaseOwn60Day",
            "MovedTwoOrMore",
            "LocationDetails",
        ]),
        other => panic!("no FY2024 header written out for {other:?}"),
    }
}

// ----------------------------------------------------------------- export

#[test]
fn every_file_has_hud_s_exact_header_in_hud_s_order() {
    let c = caseload();
    let files = export(&log(&c.scenario), &options(None, None));
    let names: Vec<&str> = files.keys().map(|f| f.file_name()).collect();
    assert_eq!(
        names,
        [
            "Export.csv",
            "Organization.csv",
            "Project.csv",
            "ProjectCoC.csv",
            "CEParticipation.csv",
            "Client.csv",
            "Enrollment.csv",
            "Exit.csv",
            "Assessment.csv",
            "AssessmentQuestions.csv",
            "AssessmentResults.csv",
            "Event.csv",
            "CurrentLivingSituation.csv",
        ]
    );
    for (file, text) in &files {
        assert_eq!(read(text).0, hud_header(*file), "{file}");
        assert!(!text.starts_with('\u{feff}'), "{file} starts with a BOM");
        assert!(!text.contains('\r'), "{file} has CRLF line ends");
    }
    let widths: Vec<usize> = files.keys().map(|f| hud_header(*f).len()).collect();
    assert_eq!(widths, [19, 9, 19, 15, 15, 46, 71, 44, 13, 13, 11, 15, 18]);
}

#[test]
fn export_rows_are_the_hand_computed_rows_of_the_caseload() {
    let c = caseload();
    let files = export(&log(&c.scenario), &options(None, None));
    let t = normalize(&files, &["PersonalID", "HouseholdID", "EventID"]);
    let [h1, h2, h3, h4] = c.h.map(|h| h.hmis_id());
    let [r1, r2] = c.r.map(|r| r.hmis_id());
    let (p1, p2, p3, p4, p5, p6) = (p(1), p(2), p(3), p(4), p(5), p(6));
    let trailer = |created: &str, updated: &str, user: &str| {
        vec![
            format!("DateCreated={created}"),
            format!("DateUpdated={updated}"),
            format!("UserID={user}"),
            "ExportID=ExportID#1".to_owned(),
        ]
    };
    let check = |file: HudFile, expected: Vec<Vec<String>>| {
        let expected: Vec<Vec<&str>> = expected
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let expected: Vec<&[&str]> = expected.iter().map(Vec::as_slice).collect();
        assert_eq!(filled(&t[&file]), rows(&expected), "{file}");
    };
    let row = |cols: &[String], tr: Vec<String>| -> Vec<String> {
        cols.iter().cloned().chain(tr).collect()
    };
    let s = |v: &[&str]| -> Vec<String> { v.iter().map(|x| (*x).to_owned()).collect() };

    check(
        HudFile::Export,
        vec![s(&[
            "ExportID=ExportID#1",
            "SourceType=1",
            "SourceID=WI-500",
            "SourceName=Wisconsin Balance of State CoC",
            "ExportDate=2025-04-01 12:00:00",
            "ExportStartDate=2024-12-01",
            "ExportEndDate=2025-04-01",
            "SoftwareName=ce",
            "SoftwareVersion=0.1.0",
            "CSVVersion=2024 v1.4",
            "ExportPeriodType=3",
            "ExportDirective=2",
            "HashStatus=1",
            "ImplementationID=ce-test",
        ])],
    );
    let ce = trailer("2024-12-01 09:00:00", "2024-12-01 09:00:00", "ce");
    let couleecap = trailer("2025-02-15 08:00:00", "2025-03-01 08:00:00", "dan");
    check(
        HudFile::Organization,
        vec![
            row(
                &s(&[
                    "OrganizationID=OrganizationID#1",
                    "OrganizationName=Wisconsin Balance of State CoC",
                    "VictimServiceProvider=0",
                ]),
                ce.clone(),
            ),
            row(
                &s(&[
                    "OrganizationID=OrganizationID#2",
                    "OrganizationName=Couleecap",
                    "VictimServiceProvider=0",
                ]),
                couleecap,
            ),
        ],
    );
    let rrh = |n: u32, name: &str, start: &str, stamp: &str| {
        row(
            &[
                format!("ProjectID=ProjectID#{n}"),
                "OrganizationID=OrganizationID#2".to_owned(),
                format!("ProjectName={name}"),
                format!("OperatingStartDate={start}"),
                "ContinuumProject=1".to_owned(),
                "ProjectType=13".to_owned(),
                "RRHSubType=2".to_owned(),
                "TargetPopulation=4".to_owned(),
            ],
            trailer(stamp, stamp, "dan"),
        )
    };
    check(
        HudFile::Project,
        vec![
            row(
                &s(&[
                    "ProjectID=ProjectID#1",
                    "OrganizationID=OrganizationID#1",
                    "ProjectName=Balance of State Coordinated Entry",
                    "OperatingStartDate=2024-12-01",
                    "ContinuumProject=1",
                    "ProjectType=14",
                    "TargetPopulation=4",
                ]),
                ce,
            ),
            rrh(2, "Coulee RRH", "2025-02-15", "2025-02-15 08:00:00"),
            rrh(3, "Family RRH", "2025-03-01", "2025-03-01 08:00:00"),
        ],
    );
    let client_row = |id: &str,
                      first: Option<&str>,
                      last: Option<&str>,
                      quality: u16,
                      dob: Option<&str>,
                      veteran: u16,
                      stamp: &str,
                      user: &str| {
        let mut r = vec![format!("PersonalID={id}")];
        r.extend(first.map(|f| format!("FirstName={f}")));
        r.extend(last.map(|l| format!("LastName={l}")));
        r.push(format!("NameDataQuality={quality}"));
        r.push("SSNDataQuality=99".to_owned());
        r.extend(dob.map(|d| format!("DOB={d}")));
        r.push(format!(
            "DOBDataQuality={}",
            if dob.is_some() { 1 } else { 99 }
        ));
        for race in [
            "AmIndAKNative",
            "Asian",
            "BlackAfAmerican",
            "HispanicLatinaeo",
            "MidEastNAfrican",
            "NativeHIPacific",
            "White",
        ] {
            r.push(format!("{race}=0"));
        }
        r.push("RaceNone=99".to_owned());
        for gender in [
            "Woman",
            "Man",
            "NonBinary",
            "CulturallySpecific",
            "Transgender",
            "Questioning",
            "DifferentIdentity",
        ] {
            r.push(format!("{gender}=0"));
        }
        r.push("GenderNone=99".to_owned());
        r.push(format!("VeteranStatus={veteran}"));
        row(&r, trailer(stamp, stamp, user))
    };
    check(
        HudFile::Client,
        vec![
            client_row(
                &p6,
                None,
                None,
                99,
                None,
                99,
                "2024-12-01 09:00:00",
                "alice",
            ),
            client_row(
                &p1,
                Some("Ann"),
                Some("Lee"),
                1,
                Some("1980-05-01"),
                0,
                "2025-01-06 09:00:00",
                "alice",
            ),
            client_row(
                &p2,
                Some("Bea"),
                Some("Cruz"),
                1,
                Some("1990-02-02"),
                0,
                "2025-01-10 09:30:00",
                "alice",
            ),
            client_row(
                &p3,
                Some("Cal"),
                Some("Cruz"),
                1,
                Some("2018-03-03"),
                99,
                "2025-01-10 09:30:00",
                "alice",
            ),
            client_row(
                &p4,
                Some("Dee"),
                Some("Cruz"),
                1,
                Some("1989-07-07"),
                1,
                "2025-02-01 09:00:00",
                "bob",
            ),
            client_row(
                &p5,
                Some("Eve"),
                None,
                2,
                Some("2009-06-01"),
                99,
                "2025-03-03 14:00:00",
                "alice",
            ),
        ],
    );
    #[allow(clippy::too_many_arguments)]
    let enrollment = |n: u32,
                      personal: &str,
                      entry: &str,
                      household: &str,
                      rel: u16,
                      prior: &[&str],
                      disabling: u16,
                      stamp: &str,
                      user: &str| {
        let mut r = vec![
            format!("EnrollmentID=EnrollmentID#{n}"),
            format!("PersonalID={personal}"),
            "ProjectID=ProjectID#1".to_owned(),
            format!("EntryDate={entry}"),
            format!("HouseholdID={household}"),
            format!("RelationshipToHoH={rel}"),
            "EnrollmentCoC=WI-500".to_owned(),
        ];
        r.extend(prior.iter().map(|x| (*x).to_owned()));
        r.push(format!("DisablingCondition={disabling}"));
        row(&r, trailer(stamp, stamp, user))
    };
    let no_prior: &[&str] = &[];
    check(
        HudFile::Enrollment,
        vec![
            enrollment(
                1,
                &p6,
                "2024-12-01",
                &h4,
                1,
                &[
                    "LivingSituation=99",
                    "TimesHomelessPastThreeYears=99",
                    "MonthsHomelessPastThreeYears=99",
                ],
                99,
                "2024-12-01 09:00:00",
                "alice",
            ),
            enrollment(
                2,
                &p1,
                "2025-01-06",
                &h1,
                1,
                &[
                    "LivingSituation=116",
                    "DateToStreetESSH=2024-11-01",
                    "TimesHomelessPastThreeYears=1",
                    "MonthsHomelessPastThreeYears=102",
                ],
                0,
                "2025-01-06 09:00:00",
                "alice",
            ),
            enrollment(
                3,
                &p2,
                "2025-01-10",
                &h2,
                1,
                &[
                    "LivingSituation=101",
                    "TimesHomelessPastThreeYears=2",
                    "MonthsHomelessPastThreeYears=104",
                ],
                1,
                "2025-01-10 09:30:00",
                "alice",
            ),
            enrollment(
                4,
                &p3,
                "2025-01-10",
                &h2,
                2,
                no_prior,
                0,
                "2025-01-10 09:30:00",
                "alice",
            ),
            enrollment(
                5,
                &p4,
                "2025-02-01",
                &h2,
                3,
                no_prior,
                0,
                "2025-02-01 09:00:00",
                "bob",
            ),
            enrollment(
                6,
                &p5,
                "2025-03-03",
                &h3,
                1,
                &[
                    "LivingSituation=116",
                    "TimesHomelessPastThreeYears=1",
                    "MonthsHomelessPastThreeYears=101",
                ],
                0,
                "2025-03-03 14:00:00",
                "alice",
            ),
        ],
    );
    check(
        HudFile::Exit,
        vec![
            row(
                &[
                    "ExitID=ExitID#1".to_owned(),
                    "EnrollmentID=EnrollmentID#1".to_owned(),
                    format!("PersonalID={p6}"),
                    "ExitDate=2025-01-15".to_owned(),
                    "Destination=101".to_owned(),
                ],
                trailer("2025-01-15 09:00:00", "2025-01-15 09:00:00", "alice"),
            ),
            row(
                &[
                    "ExitID=ExitID#2".to_owned(),
                    "EnrollmentID=EnrollmentID#2".to_owned(),
                    format!("PersonalID={p1}"),
                    "ExitDate=2025-02-28".to_owned(),
                    "Destination=410".to_owned(),
                ],
                trailer("2025-02-28 09:00:00", "2025-02-28 09:00:00", "alice"),
            ),
        ],
    );
    let a1_stamp = || trailer("2025-01-07 10:00:00", "2025-02-10 15:00:00", "carol");
    let assessment = |n: u32, e: u32, personal: &str, rest: &[&str], tr: Vec<String>| {
        let mut r = vec![
            format!("AssessmentID=AssessmentID#{n}"),
            format!("EnrollmentID=EnrollmentID#{e}"),
            format!("PersonalID={personal}"),
        ];
        r.extend(rest.iter().map(|x| (*x).to_owned()));
        row(&r, tr)
    };
    check(
        HudFile::Assessment,
        vec![
            assessment(
                1,
                1,
                &p6,
                &[
                    "AssessmentDate=2024-12-02",
                    "AssessmentLocation=Access point",
                    "AssessmentType=3",
                    "AssessmentLevel=2",
                    "PrioritizationStatus=1",
                ],
                trailer("2024-12-02 09:00:00", "2024-12-02 09:00:00", "alice"),
            ),
            // The correction (score 9 → 12) keeps the row and moves DateUpdated.
            assessment(
                2,
                2,
                &p1,
                &[
                    "AssessmentDate=2025-01-07",
                    "AssessmentLocation=Coulee access point",
                    "AssessmentType=3",
                    "AssessmentLevel=2",
                    "PrioritizationStatus=1",
                ],
                a1_stamp(),
            ),
            assessment(
                3,
                3,
                &p2,
                &[
                    "AssessmentDate=2025-01-11",
                    "AssessmentLocation=Phone line",
                    "AssessmentType=1",
                    "AssessmentLevel=1",
                    "PrioritizationStatus=1",
                ],
                trailer("2025-01-11 11:00:00", "2025-01-11 11:00:00", "alice"),
            ),
            assessment(
                4,
                6,
                &p5,
                &[
                    "AssessmentDate=2025-03-04",
                    "AssessmentLocation=Youth drop-in",
                    "AssessmentType=2",
                    "AssessmentLevel=2",
                    "PrioritizationStatus=2",
                ],
                trailer("2025-03-04 09:00:00", "2025-03-04 09:00:00", "alice"),
            ),
        ],
    );
    check(
        HudFile::AssessmentQuestions,
        vec![row(
            &[
                "AssessmentQuestionID=AssessmentQuestionID#1".to_owned(),
                "AssessmentID=AssessmentID#2".to_owned(),
                "EnrollmentID=EnrollmentID#2".to_owned(),
                format!("PersonalID={p1}"),
                "AssessmentQuestionOrder=1".to_owned(),
                "AssessmentQuestion=Where did you sleep last night?".to_owned(),
                // `<` and `>` are stripped; the quotes are CSV-escaped in the file.
                "AssessmentAnswer=Outside, \"under\" the bridge".to_owned(),
            ],
            a1_stamp(),
        )],
    );
    let result = |n: u32, a: u32, e: u32, personal: &str, kind: &str, value: &str, tr| {
        row(
            &[
                format!("AssessmentResultID=AssessmentResultID#{n}"),
                format!("AssessmentID=AssessmentID#{a}"),
                format!("EnrollmentID=EnrollmentID#{e}"),
                format!("PersonalID={personal}"),
                format!("AssessmentResultType={kind}"),
                format!("AssessmentResult={value}"),
            ],
            tr,
        )
    };
    check(
        HudFile::AssessmentResults,
        vec![
            result(
                1,
                1,
                1,
                &p6,
                "CE prioritization score",
                "5",
                trailer("2024-12-02 09:00:00", "2024-12-02 09:00:00", "alice"),
            ),
            result(2, 2, 2, &p1, "Pre-screen total", "11", a1_stamp()),
            result(3, 2, 2, &p1, "CE prioritization score", "12", a1_stamp()),
            result(
                4,
                3,
                3,
                &p2,
                "CE prioritization score",
                "6",
                trailer("2025-01-11 11:00:00", "2025-01-11 11:00:00", "alice"),
            ),
        ],
    );
    check(
        HudFile::Event,
        vec![
            row(
                &[
                    format!("EventID={r1}"),
                    "EnrollmentID=EnrollmentID#2".to_owned(),
                    format!("PersonalID={p1}"),
                    "EventDate=2025-02-15".to_owned(),
                    "Event=13".to_owned(),
                    "LocationCrisisOrPHHousing=Coulee RRH".to_owned(),
                    "ReferralResult=1".to_owned(),
                    "ResultDate=2025-02-20".to_owned(),
                ],
                trailer("2025-02-15 08:00:00", "2025-02-20 16:00:00", "erin"),
            ),
            row(
                &[
                    format!("EventID={r2}"),
                    "EnrollmentID=EnrollmentID#3".to_owned(),
                    format!("PersonalID={p2}"),
                    "EventDate=2025-03-01".to_owned(),
                    "Event=13".to_owned(),
                    "LocationCrisisOrPHHousing=Family RRH".to_owned(),
                    "ReferralResult=2".to_owned(),
                    "ResultDate=2025-03-05".to_owned(),
                ],
                trailer("2025-03-01 08:00:00", "2025-03-05 10:00:00", "erin"),
            ),
        ],
    );
    let cls_row = |n: u32, e: u32, personal: &str, on: &str, rest: &[&str], tr| {
        let mut r = vec![
            format!("CurrentLivingSitID=CurrentLivingSitID#{n}"),
            format!("EnrollmentID=EnrollmentID#{e}"),
            format!("PersonalID={personal}"),
            format!("InformationDate={on}"),
        ];
        r.extend(rest.iter().map(|x| (*x).to_owned()));
        row(&r, tr)
    };
    check(
        HudFile::CurrentLivingSituation,
        vec![
            cls_row(
                1,
                1,
                &p6,
                "2024-12-01",
                &["CurrentLivingSituation=99"],
                trailer("2024-12-01 09:00:00", "2024-12-01 09:00:00", "alice"),
            ),
            cls_row(
                2,
                2,
                &p1,
                "2025-01-06",
                &[
                    "CurrentLivingSituation=116",
                    "VerifiedBy=BoS CE",
                    "LeaveSituation14Days=1",
                    "LocationDetails=Under the Main St bridge",
                ],
                trailer("2025-01-06 09:00:00", "2025-01-06 09:00:00", "alice"),
            ),
            cls_row(
                3,
                3,
                &p2,
                "2025-01-10",
                &["CurrentLivingSituation=101"],
                trailer("2025-01-10 09:30:00", "2025-01-10 09:30:00", "alice"),
            ),
            cls_row(
                4,
                2,
                &p1,
                "2025-02-01",
                &["CurrentLivingSituation=101"],
                trailer("2025-02-01 12:00:00", "2025-02-01 12:00:00", "bob"),
            ),
            cls_row(
                5,
                6,
                &p5,
                "2025-03-03",
                &["CurrentLivingSituation=116"],
                trailer("2025-03-03 14:00:00", "2025-03-03 14:00:00", "alice"),
            ),
        ],
    );
    // The quotes inside the answer are escaped by the csv writer.
    assert!(files[&HudFile::AssessmentQuestions].contains("\"Outside, \"\"under\"\" the bridge\""));
}

#[test]
fn row_ids_trace_back_to_the_events_that_produced_them() {
    let c = caseload();
    let log = log(&c.scenario);
    let files = export(&log, &options(None, None));
    let (header, rows) = read(&files[&HudFile::CurrentLivingSituation]);
    assert_eq!(header[0], "CurrentLivingSitID");
    let follow_up = log
        .iter()
        .find(|e| matches!(e.event, Event::ContactMade(_)))
        .unwrap();
    assert_eq!(rows[3][0], follow_up.event_id.hmis_id());
    let (_, rows) = read(&files[&HudFile::Assessment]);
    let assessed: Vec<String> = log
        .iter()
        .filter_map(|e| match &e.event {
            Event::AssessmentRecorded(a) => Some(a.assessment.assessment_id.hmis_id()),
            _ => None,
        })
        .collect();
    let exported: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(exported, assessed);
    for text in files.values() {
        let (header, rows) = read(text);
        for row in rows {
            for (column, value) in header.iter().zip(&row) {
                if column.ends_with("ID") && column != "UserID" {
                    assert!(value.len() <= 32, "{column} {value}");
                }
            }
        }
    }
}

#[test]
fn an_export_with_no_data_in_the_range_still_writes_every_file_with_its_header() {
    let c = caseload();
    let files = export(
        &log(&c.scenario),
        &options(Some((2023, 1, 1)), Some((2023, 12, 31))),
    );
    for (file, text) in &files {
        let (header, rows) = read(text);
        assert_eq!(header, hud_header(*file));
        let expected = match file {
            // The CE project: its organization, project, CoC and CE participation.
            HudFile::Export
            | HudFile::Organization
            | HudFile::Project
            | HudFile::ProjectCoC
            | HudFile::CEParticipation => 1,
            _ => 0,
        };
        assert_eq!(rows.len(), expected, "{file}");
    }
    let empty = export(&[], &options(None, None));
    assert_eq!(read(&empty[&HudFile::Enrollment]).1.len(), 0);
    assert_eq!(read(&empty[&HudFile::Export]).1.len(), 1);
}

#[test]
fn a_reporting_period_keeps_enrollments_open_in_it_and_nothing_after_its_end() {
    let c = caseload();
    let log = log(&c.scenario);
    // 2025-03-01..03-02: H1 exited 02-28 (out), H4 out, H3 not yet enrolled;
    // H2's referral of 03-01 is in but its 03-05 result is not.
    let files = export(&log, &options(Some((2025, 3, 1)), Some((2025, 3, 2))));
    let households: Vec<String> = read(&files[&HudFile::Enrollment])
        .1
        .iter()
        .map(|r| r[4].clone())
        .collect();
    let h2 = c.h[1].hmis_id();
    assert_eq!(households, [h2.clone(), h2.clone(), h2]);
    let (_, events) = read(&files[&HudFile::Event]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0][0], c.r[1].hmis_id());
    assert_eq!((events[0][8].as_str(), events[0][9].as_str()), ("", ""));
    assert!(read(&files[&HudFile::Exit]).1.is_empty());
    let (_, export_row) = read(&files[&HudFile::Export]);
    assert_eq!(
        (export_row[0][10].as_str(), export_row[0][11].as_str()),
        ("2025-03-01", "2025-03-02")
    );
    // Both Couleecap programs were posted by the end of the period.
    assert_eq!(read(&files[&HudFile::Project]).1.len(), 3);
}

// ---------------------------------------------------------------- CE APR

/// The values of one row of one table.
fn apr_row(apr: &CeApr, question: &str, label: &str) -> [u32; 5] {
    let table = apr.tables.iter().find(|t| t.question == question).unwrap();
    table
        .rows
        .iter()
        .find(|r| r.label == label)
        .unwrap_or_else(|| panic!("{question} has no row {label:?}"))
        .values()
}

/// A 4.20 event recorded on a household.
fn ce_event(household: HouseholdId, on: (i32, u32, u32), code: u16) -> RecordCeEvent {
    let event = CeEventType::try_from(code).unwrap();
    ce_core::testing::ce_event(household, date(on.0, on.1, on.2), event)
}

#[test]
fn ce_apr_counts_households_by_type_as_worked_out_by_hand() {
    // In 2025-01-01..03-31 the active households are H4 (unknown type: no
    // DOB; exited 01-15), H1 (without children), H2 (with children and
    // adults) and H3 (only children: 15 on entry).
    let mut c = caseload();
    let [_, h2, h3, _] = c.h;
    // Besides ce's referrals (H1 RRH accepted, H2 RRH declined by the
    // client), 4.20 events recorded on the households: H2 a prevention
    // referral, then diversion that re-housed them (its latest access
    // event), and a PSH referral made elsewhere with no result (before its
    // ce referral of 03-01); H3 a crisis-needs assessment referral and a
    // post-placement case management referral, enrolled in aftercare.
    c.scenario.recorded_at(at(2025, 3, 10, 9, 0));
    c.scenario.given(ce_event(h2, (2025, 1, 15), 1));
    let mut diversion = ce_event(h2, (2025, 2, 10), 2);
    diversion.problem_solving_result = Some(NoYesMissing::Yes);
    c.scenario.given(diversion);
    let mut psh = ce_event(h2, (2025, 2, 5), 14);
    psh.location = Some("Other county PSH".to_owned());
    c.scenario.given(psh);
    c.scenario.given(ce_event(h3, (2025, 3, 5), 3));
    let mut aftercare = ce_event(h3, (2025, 3, 6), 5);
    aftercare.case_management_after = Some(NoYesMissing::Yes);
    c.scenario.given(aftercare);

    let apr = CeApr::build(&log(&c.scenario), date(2025, 1, 1), date(2025, 3, 31));
    let questions: Vec<&str> = apr.tables.iter().map(|t| t.question).collect();
    assert_eq!(questions, ["Q9a", "Q9b", "Q9c", "Q9d"]);
    // Q9a: H1 in person, H2 by phone, H3 virtual; H4's assessment (12-02) is
    // before the range.
    assert_eq!(apr_row(&apr, "Q9a", "Phone"), [1, 0, 1, 0, 0]);
    assert_eq!(apr_row(&apr, "Q9a", "Virtual"), [1, 0, 0, 1, 0]);
    assert_eq!(apr_row(&apr, "Q9a", "In person"), [1, 1, 0, 0, 0]);
    assert_eq!(
        apr_row(&apr, "Q9a", "Total households assessed"),
        [3, 1, 1, 1, 0]
    );
    // Q9b: H1 and H2 placed, H3 not.
    assert_eq!(
        apr_row(&apr, "Q9b", "Placed on prioritization list"),
        [2, 1, 1, 0, 0]
    );
    assert_eq!(
        apr_row(&apr, "Q9b", "Not placed on prioritization list"),
        [1, 0, 0, 1, 0]
    );
    let q9b = &apr.tables[1];
    assert_eq!(
        q9b.percentages[0].values,
        [Some(66.7), Some(100.0), Some(100.0), Some(0.0), None]
    );
    // Q9c: each household once, by its latest access event: H2 diversion
    // (re-housed), H3 the crisis-needs assessment referral.
    let q9c = |label| apr_row(&apr, "Q9c", label);
    assert_eq!(q9c("Referral to Prevention Assistance project"), [0; 5]);
    assert_eq!(
        q9c("Problem Solving/Diversion/Rapid Resolution intervention or service"),
        [1, 0, 1, 0, 0]
    );
    assert_eq!(
        q9c("Referral to scheduled Coordinated Entry Crisis Needs Assessment"),
        [1, 0, 0, 1, 0]
    );
    assert_eq!(
        q9c("Referral to scheduled Coordinated Entry Housing Needs Assessment"),
        [0; 5]
    );
    assert_eq!(q9c("Total"), [2, 0, 1, 1, 0]);
    assert_eq!(
        q9c("Result: Client housed/re-housed in a safe alternative"),
        [1, 0, 1, 0, 0]
    );
    assert_eq!(apr.tables[2].rows.len(), 6);
    assert_eq!(
        apr.tables[2].percentages[0].values,
        [Some(100.0), None, Some(100.0), None, None]
    );
    // Q9d: each household once, by its latest referral event: H1 and H2
    // ce's RRH referrals (H2's PSH referral of 02-05 is earlier), H3 the
    // case management referral.
    let q9d = |label| apr_row(&apr, "Q9d", label);
    assert_eq!(
        q9d("Referral to RRH project resource opening"),
        [2, 1, 1, 0, 0]
    );
    assert_eq!(q9d("Referral to PSH project resource opening"), [0; 5]);
    assert_eq!(
        q9d("Referral to post-placement/follow-up case management"),
        [1, 0, 0, 1, 0]
    );
    assert_eq!(q9d("Total"), [3, 1, 1, 1, 0]);
    assert_eq!(
        q9d("Result: Successful referral: client accepted"),
        [1, 1, 0, 0, 0]
    );
    assert_eq!(
        q9d("Result: Unsuccessful referral: client rejected"),
        [1, 0, 1, 0, 0]
    );
    assert_eq!(
        q9d("Result: Unsuccessful referral: provider rejected"),
        [0; 5]
    );
    assert_eq!(q9d("No result recorded"), [0; 5]);
    assert_eq!(
        q9d("Result: Enrolled in Aftercare project"),
        [1, 0, 0, 1, 0]
    );
    assert_eq!(apr.tables[3].rows.len(), 14 + 1 + 5);
    assert_eq!(
        apr.tables[3].percentages[0].values,
        [Some(100.0), Some(100.0), Some(100.0), None, None]
    );
    assert_eq!(
        apr.tables[3].percentages[1].values,
        [Some(50.0), Some(100.0), Some(0.0), None, None]
    );
    // Q10: records, not households, dated in the range.
    let q10 = |label: &str| {
        let r = apr
            .q10
            .row(label)
            .unwrap_or_else(|| panic!("Q10 has no row {label:?}"));
        (
            r.total,
            r.successful,
            r.client_rejected,
            r.provider_rejected,
            r.rehoused,
            r.aftercare,
        )
    };
    assert_eq!(apr.q10.rows.len(), 2 + 18);
    assert_eq!(
        q10("Housing Needs Assessment").0 + q10("Crisis Needs Assessment").0,
        3
    );
    assert_eq!(
        q10("Referral to Prevention Assistance project"),
        (1, None, None, None, None, None)
    );
    assert_eq!(
        q10("Problem Solving/Diversion/Rapid Resolution intervention or service"),
        (1, None, None, None, Some(1), None)
    );
    assert_eq!(
        q10("Referral to post-placement/follow-up case management"),
        (1, None, None, None, None, Some(1))
    );
    assert_eq!(
        q10("Referral to RRH project resource opening"),
        (2, Some(1), Some(1), Some(0), None, None)
    );
    assert_eq!(
        q10("Referral to PSH project resource opening"),
        (1, Some(0), Some(0), Some(0), None, None)
    );
    assert_eq!(
        q10("Referral to scheduled Coordinated Entry Housing Needs Assessment"),
        (0, None, None, None, None, None)
    );
}

#[test]
fn ce_apr_of_december_counts_the_household_of_unknown_type() {
    let c = caseload();
    let apr = CeApr::build(&log(&c.scenario), date(2024, 12, 1), date(2024, 12, 31));
    assert_eq!(apr_row(&apr, "Q9a", "In person"), [1, 0, 0, 0, 1]);
    assert_eq!(
        apr.q10.row("Housing Needs Assessment").map(|r| r.total),
        Some(1)
    );
}

#[test]
fn timeliness_medians_and_90th_percentiles_as_worked_out_by_hand() {
    let c = caseload();
    let t = Timeliness::build(&log(&c.scenario), date(2025, 1, 1), date(2025, 3, 31));
    // H1: assessed 01-07, first referral 02-15 → 39; H2: 01-11 → 03-01 → 49.
    let a = &t.assessment_to_first_referral;
    assert_eq!((a.count, a.median, a.p90), (2, Some(44.0), Some(49)));
    // r1 02-15 → 02-20 = 5; r2 03-01 → 03-05 = 4.
    let r = &t.referral_to_result;
    assert_eq!((r.count, r.median, r.p90), (2, Some(4.5), Some(5)));
    // H1 placed 01-07, housed 02-20 → 44.
    let l = &t.days_on_list_housed;
    assert_eq!((l.count, l.median, l.p90), (1, Some(44.0), Some(44)));
}

// ----------------------------------------------------------------- import

fn import_options(skip_invalid: bool) -> ImportOptions {
    ImportOptions {
        coalition: Some(coulee()),
        coalition_map: Default::default(),
        coc: None,
        skip_invalid,
        user: ce_core::UserId("importer".to_owned()),
        now: at(2025, 4, 2, 8, 0),
    }
}

fn empty_workflow() -> Workflow<MemoryStore> {
    Workflow::new(MemoryStore::new(), Policy::wi_bos_default()).unwrap()
}

/// Plans an import of `files` (by file name) against `workflow`.
fn plan(
    workflow: &Workflow<MemoryStore>,
    files: &BTreeMap<String, String>,
    skip_invalid: bool,
) -> ImportPlan {
    plan_import(workflow, files, &import_options(skip_invalid))
}

fn by_name(files: &BTreeMap<HudFile, String>) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(f, t)| (f.file_name().to_owned(), t.clone()))
        .collect()
}

#[test]
fn export_import_export_gives_the_same_rows() {
    let c = caseload();
    let period = options(Some((2024, 12, 1)), Some((2025, 4, 1)));
    let first = export(&log(&c.scenario), &period);
    let workflow = empty_workflow();
    let plan = plan(&workflow, &by_name(&first), false);
    let errors: Vec<String> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(plan.report.households, 4);
    assert_eq!(plan.report.export_id.as_deref(), Some("EXP1"));
    plan.execute(&workflow).unwrap();
    let imported = workflow.store().read_from(0, usize::MAX).unwrap();
    // Every imported event names the source export.
    assert!(imported.iter().all(|e| e.actor.agency.0 == "hmis-csv:EXP1"));
    let mut again = period.clone();
    again.export_id = "EXP2".to_owned();
    let second = export(&imported, &again);
    // The source's ids come back as they were; only the ExportID differs.
    let ids: Vec<&str> = ID_COLUMNS
        .iter()
        .copied()
        .filter(|c| *c != "ExportID")
        .collect();
    let a = normalize(&first, &ids);
    let b = normalize(&second, &ids);
    // Receiving programs are ce's openings: an imported referral names its
    // program in LocationCrisisOrPHHousing only, so only the CE project and
    // its CoC come back.
    for file in [HudFile::Project, HudFile::Organization] {
        assert_eq!(a[&file].1[0], b[&file].1[0], "{file}");
        assert_eq!(b[&file].1.len(), 1, "{file}");
    }
    for file in HudFile::ALL {
        if matches!(
            file,
            HudFile::Export | HudFile::Project | HudFile::Organization
        ) {
            continue;
        }
        assert_eq!(a[file], b[file], "{file}");
    }
    // Export.csv: only ExportID and ExportDate may differ.
    assert_eq!(
        a[&HudFile::Export].1[0][1..9],
        b[&HudFile::Export].1[0][1..9]
    );
    assert_eq!(
        a[&HudFile::Export].1[0][10..],
        b[&HudFile::Export].1[0][10..]
    );
    // The import is a plain log: every invariant holds.
    let fold = ce_core::Caseload::from_events(&imported);
    assert!(
        ce_core::invariants::check_caseload(&fold, workflow.policy(), date(2025, 4, 1)).is_empty()
    );
    assert!(ce_core::audit::check_referral_ranks(&imported, workflow.policy()).is_empty());
}

/// The caseload's export with one file's text changed.
fn edited(file: HudFile, edit: impl FnOnce(String) -> String) -> BTreeMap<String, String> {
    let c = caseload();
    let mut files = export(&log(&c.scenario), &options(None, None));
    let text = files.remove(&file).unwrap();
    files.insert(file, edit(text));
    by_name(&files)
}

fn only_error(plan: &ImportPlan) -> &ce_hud_csv::ImportIssue {
    let errors: Vec<_> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors[0]
}

#[test]
fn a_missing_or_misspelled_column_ce_needs_is_an_error_naming_it_and_strict_writes_nothing() {
    let files = edited(HudFile::Assessment, |t| {
        t.replacen("AssessmentDate", "AsessmentDate", 1)
    });
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files, false);
    let error = only_error(&plan);
    assert_eq!(
        (error.file, error.line, error.column.as_deref()),
        ("Assessment.csv", Some(1), Some("AssessmentDate"))
    );
    assert!(
        error.reason.contains("missing column AssessmentDate"),
        "{}",
        error.reason
    );
    assert!(error.reason.contains("AsessmentDate"), "{}", error.reason);
    assert!(plan.steps.is_empty());
    assert!(!plan.report.writes);
    plan.execute(&workflow).unwrap();
    assert_eq!(workflow.store().next_position().unwrap(), 0);
}

#[test]
fn headers_match_whatever_their_capitals_and_a_missing_column_ce_does_not_read_is_a_note() {
    let c = caseload();
    let mut files = by_name(&export(&log(&c.scenario), &options(None, None)));
    let exit = files.get_mut("Exit.csv").unwrap();
    *exit = exit.replacen("WorkplaceViolenceThreats", "WorkPlaceViolenceThreats", 1);
    let events = files.get_mut("Event.csv").unwrap();
    *events = events.replacen("EventDate", "eventdate", 1);
    // A column ce does not read, gone entirely: its values too.
    let assessments = files.get_mut("Assessment.csv").unwrap();
    let table: Vec<Vec<String>> = assessments
        .lines()
        .map(|l| {
            let mut cells: Vec<String> = l.split(',').map(str::to_owned).collect();
            cells.remove(4); // AssessmentLocation
            cells
        })
        .collect();
    *assessments = table
        .iter()
        .map(|r| r.join(","))
        .collect::<Vec<_>>()
        .join("\n");
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files, false);
    assert_eq!(
        plan.report.count(IssueKind::Error),
        0,
        "{:#?}",
        plan.report.issues
    );
    let notes: Vec<(&str, Option<&str>)> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Note && i.line == Some(1))
        .map(|i| (i.file, i.column.as_deref()))
        .collect();
    assert!(
        notes.contains(&("Exit.csv", Some("WorkplaceViolenceThreats"))),
        "{notes:?}"
    );
    assert!(
        notes.contains(&("Event.csv", Some("EventDate"))),
        "{notes:?}"
    );
    assert!(
        notes.contains(&("Assessment.csv", Some("AssessmentLocation"))),
        "{notes:?}"
    );
    plan.execute(&workflow).unwrap();
    let caseload = workflow.caught_up().unwrap().clone();
    // Every household is read, and the exits too.
    assert_eq!(caseload.households().len(), 4);
    assert_eq!(
        caseload
            .households()
            .values()
            .filter(|h| h.is_exited())
            .count(),
        2
    );
}

#[test]
fn a_bad_code_is_reported_by_file_line_and_column_and_blocks_the_import() {
    let files = edited(HudFile::Event, |t| {
        t.replacen(",13,,,Coulee RRH", ",19,,,Coulee RRH", 1)
    });
    let workflow = empty_workflow();
    let blocked = plan(&workflow, &files, false);
    let error = only_error(&blocked);
    assert_eq!(
        (error.file, error.line, error.column.as_deref()),
        ("Event.csv", Some(2), Some("Event"))
    );
    assert!(
        error
            .reason
            .contains("19 is not a valid code for 4.20 Event"),
        "{}",
        error.reason
    );
    assert!(blocked.steps.is_empty());
    // Without --strict the rest is written: four households, one referral.
    let skipped = plan(&workflow, &files, true);
    assert!(skipped.report.writes);
    skipped.execute(&workflow).unwrap();
    let caseload = workflow.caught_up().unwrap().clone();
    assert_eq!(caseload.households().len(), 4);
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    let referrals = log
        .iter()
        .filter(|e| matches!(&e.event, Event::CeEventRecorded(r) if r.event.code() == 13))
        .count();
    assert_eq!(referrals, 1);
}

#[test]
fn a_bad_date_is_reported_by_file_line_and_column() {
    let files = edited(HudFile::Assessment, |t| {
        t.replacen("2025-01-07,", "2025-13-07,", 1)
    });
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files, false);
    let error = only_error(&plan);
    assert_eq!(
        (error.file, error.line, error.column.as_deref()),
        ("Assessment.csv", Some(3), Some("AssessmentDate"))
    );
    assert!(
        error.reason.contains("\"2025-13-07\" is not a date"),
        "{}",
        error.reason
    );
    assert!(plan.steps.is_empty());
}

#[test]
fn a_row_on_an_unknown_enrollment_is_reported() {
    let c = caseload();
    let files = export(&log(&c.scenario), &options(None, None));
    let (header, rows) = read(&files[&HudFile::CurrentLivingSituation]);
    let enrollment = rows[3][1].clone();
    let files = edited(HudFile::CurrentLivingSituation, |t| {
        t.replacen(
            &format!("{},{enrollment},", rows[3][0]),
            &format!("{},nope,", rows[3][0]),
            1,
        )
    });
    assert_eq!(header[1], "EnrollmentID");
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files, false);
    let error = only_error(&plan);
    assert_eq!(
        (error.file, error.line, error.column.as_deref()),
        ("CurrentLivingSituation.csv", Some(5), Some("EnrollmentID"))
    );
    assert!(
        error.reason.contains("unknown enrollment nope"),
        "{}",
        error.reason
    );
    assert!(plan.steps.is_empty());
}

/// A foreign FY2024 export: a shelter project whose enrollment carries the
/// CE assessment and referral (no type-14 project), CRLF line ends, a BOM,
/// every field quoted, a hashed Client.csv without the gender columns, a
/// deleted assessment and a diversion event the workflow has no place for.
fn foreign_export() -> BTreeMap<String, String> {
    let trailer = "\"2025-01-05 10:00:00\",\"2025-01-05 10:00:00\",\"u7\",\"\",\"X9\"";
    let mut files = BTreeMap::new();
    let mut put = |name: &str, header: Vec<String>, rows: &[String]| {
        let quoted: Vec<String> = header.iter().map(|h| format!("\"{h}\"")).collect();
        let mut text = format!("\u{feff}{}\r\n", quoted.join(","));
        for row in rows {
            text.push_str(row);
            text.push_str("\r\n");
        }
        files.insert(name.to_owned(), text);
    };
    put(
        "Export.csv",
        hud_header(HudFile::Export),
        &["\"X9\",\"3\",\"\",\"Other HMIS\",\"\",\"\",\"\",\"\",\"\",\"2025-02-01 00:00:00\",\"2025-01-01\",\"2025-01-31\",\"Other\",\"9\",\"2024 v1.3\",\"3\",\"2\",\"4\",\"other-impl\"".to_owned()],
    );
    put(
        "Organization.csv",
        hud_header(HudFile::Organization),
        &[
            format!("\"O1\",\"Shelter Org\",\"0\",\"\",{trailer}"),
            format!("\"O2\",\"Housing Org\",\"0\",\"\",{trailer}"),
        ],
    );
    put(
        "Project.csv",
        hud_header(HudFile::Project),
        &[
            format!("\"P1\",\"O1\",\"Night Shelter\",\"\",\"2020-01-01\",\"\",\"1\",\"1\",\"\",\"\",\"\",\"4\",\"\",\"\",{trailer}"),
            format!("\"P2\",\"O2\",\"Rapid Homes\",\"\",\"2020-01-01\",\"\",\"1\",\"13\",\"\",\"2\",\"\",\"4\",\"\",\"\",{trailer}"),
        ],
    );
    let gender = [
        "Woman",
        "Man",
        "NonBinary",
        "CulturallySpecific",
        "Transgender",
        "Questioning",
        "DifferentIdentity",
        "GenderNone",
        "DifferentIdentityText",
    ];
    let client_header: Vec<String> = hud_header(HudFile::Client)
        .into_iter()
        .filter(|c| !gender.contains(&c.as_str()))
        .collect();
    let mut client = vec![String::new(); client_header.len()];
    for (column, value) in [
        ("PersonalID", "C1"),
        (
            "FirstName",
            "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea",
        ),
        ("NameDataQuality", "1"),
        ("SSNDataQuality", "99"),
        ("DOB", "1975-01-01"),
        ("DOBDataQuality", "1"),
        ("VeteranStatus", "0"),
        ("DateCreated", "2025-01-05 10:00:00"),
        ("DateUpdated", "2025-01-05 10:00:00"),
        ("UserID", "u7"),
        ("ExportID", "X9"),
    ] {
        let i = client_header.iter().position(|c| c == column).unwrap();
        client[i] = value.to_owned();
    }
    let client: Vec<String> = client.iter().map(|v| format!("\"{v}\"")).collect();
    put("Client.csv", client_header, &[client.join(",")]);
    let mut enrollment = vec!["\"\"".to_owned(); 71];
    for (i, v) in [
        (0, "E1"),
        (1, "C1"),
        (2, "P1"),
        (3, "2025-01-05"),
        (4, "HH1"),
        (5, "1"),
        (6, "WI-500"),
        (7, "116"),
        (13, "2"),
        (14, "103"),
        (15, "1"),
        (66, "2025-01-05 10:00:00"),
        (67, "2025-01-05 10:00:00"),
        (68, "u7"),
        (70, "X9"),
    ] {
        enrollment[i] = format!("\"{v}\"");
    }
    put(
        "Enrollment.csv",
        hud_header(HudFile::Enrollment),
        &[enrollment.join(",")],
    );
    put(
        "Assessment.csv",
        hud_header(HudFile::Assessment),
        &[
            format!("\"A1\",\"E1\",\"C1\",\"2025-01-06\",\"Night Shelter\",\"3\",\"2\",\"1\",{trailer}"),
            "\"A2\",\"E1\",\"C1\",\"2025-01-07\",\"Night Shelter\",\"3\",\"2\",\"1\",\"2025-01-07 10:00:00\",\"2025-01-08 10:00:00\",\"u7\",\"2025-01-08 10:00:00\",\"X9\"".to_owned(),
        ],
    );
    put(
        "AssessmentQuestions.csv",
        hud_header(HudFile::AssessmentQuestions),
        &[],
    );
    put(
        "AssessmentResults.csv",
        hud_header(HudFile::AssessmentResults),
        &[format!(
            "\"R1\",\"A1\",\"E1\",\"C1\",\"CE prioritization score\",\"8\",{trailer}"
        )],
    );
    put(
        "Event.csv",
        hud_header(HudFile::Event),
        &[
            "\"V1\",\"E1\",\"C1\",\"2025-01-20\",\"13\",\"\",\"\",\"Rapid Homes\",\"1\",\"2025-01-25\",\"2025-01-20 09:00:00\",\"2025-01-25 09:00:00\",\"u8\",\"\",\"X9\"".to_owned(),
            "\"V2\",\"E1\",\"C1\",\"2025-01-08\",\"2\",\"0\",\"\",\"\",\"\",\"\",\"2025-01-08 09:00:00\",\"2025-01-08 09:00:00\",\"u8\",\"\",\"X9\"".to_owned(),
        ],
    );
    put(
        "CurrentLivingSituation.csv",
        hud_header(HudFile::CurrentLivingSituation),
        &[format!("\"L1\",\"E1\",\"C1\",\"2025-01-05\",\"116\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",{trailer}")],
    );
    put(
        "Exit.csv",
        hud_header(HudFile::Exit),
        &[{
            let mut exit = vec!["\"\"".to_owned(); 44];
            for (i, v) in [
                (0, "X1"),
                (1, "E1"),
                (2, "C1"),
                (3, "2025-01-31"),
                (4, "410"),
                (39, "2025-01-31 12:00:00"),
                (40, "2025-01-31 12:00:00"),
                (41, "u7"),
                (43, "X9"),
            ] {
                exit[i] = format!("\"{v}\"");
            }
            exit.join(",")
        }],
    );
    files
}

#[test]
fn a_foreign_export_with_ce_data_on_a_shelter_enrollment_is_imported_into_ce() {
    let workflow = empty_workflow();
    let plan = plan(&workflow, &foreign_export(), false);
    let issues: Vec<String> = plan.report.issues.iter().map(ToString::to_string).collect();
    assert_eq!(plan.report.count(IssueKind::Error), 0, "{issues:#?}");
    assert_eq!(plan.report.deleted.get("Assessment.csv"), Some(&1));
    let skipped: Vec<_> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Skipped)
        .collect();
    assert!(skipped.is_empty(), "{issues:#?}");
    assert_eq!(plan.report.households, 1);
    plan.execute(&workflow).unwrap();
    let caseload = workflow.caught_up().unwrap().clone();
    let household = caseload.households().values().next().unwrap();
    assert_eq!(household.project_start, date(2025, 1, 5));
    assert_eq!(household.score(), Some(8));
    assert!(household.is_exited());
    // Hashed names are not kept.
    assert_eq!(household.members[0].first_name, None);
    // The referral made in the source system is recorded with its result.
    assert_eq!(household.housed_elsewhere, Some(date(2025, 1, 25)));
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    let files = export(&log, &options(Some((2025, 1, 1)), Some((2025, 1, 31))));
    let (_, events) = read(&files[&HudFile::Event]);
    // Both events, the diversion with its result, as the source has them.
    assert_eq!(events[0][3..10], ["2025-01-08", "2", "0", "", "", "", ""]);
    assert_eq!(
        events[1][3..10],
        ["2025-01-20", "13", "", "", "Rapid Homes", "1", "2025-01-25"]
    );
    // DateCreated and DateUpdated as the source has them.
    assert_eq!(
        events[1][10..13],
        ["2025-01-20 09:00:00", "2025-01-25 09:00:00", "u8"]
    );
    // Importing the same files again writes nothing: every row is matched
    // to what the first import recorded from the same source.
    let again = self::plan(&workflow, &foreign_export(), false);
    let issues: Vec<String> = again
        .report
        .issues
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(again.report.count(IssueKind::Error), 0, "{issues:#?}");
    assert!(again.steps.is_empty(), "{:#?}", again.steps);
    assert!(again.report.unchanged > 0);
}

#[test]
fn imported_events_are_recorded_as_an_import_of_the_source_export() {
    let workflow = empty_workflow();
    plan(&workflow, &foreign_export(), false)
        .execute(&workflow)
        .unwrap();
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    let first = &log[0];
    assert_eq!(first.actor, Actor::new("u7", "hmis-csv:X9", Role::Lead));
    assert_eq!(first.recorded_at, at(2025, 1, 5, 10, 0));
}

// -------------------------------------------------------------------- CLI

fn ce(store: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(ce_binary());
    for var in ["CE_STORE", "CE_USER", "CE_AGENCY", "CE_ROLE"] {
        cmd.env_remove(var);
    }
    cmd.arg("--store").arg(store);
    cmd
}

fn stdout_of(assert: assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

#[test]
fn cli_imports_a_directory_exports_it_again_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("in");
    std::fs::create_dir(&source).unwrap();
    for (name, text) in foreign_export() {
        std::fs::write(source.join(name), text).unwrap();
    }
    let store = dir.path().join("store");
    // Without --coalition the import cannot say whose lists households join.
    ce(&store)
        .args(["import", "hud-csv"])
        .arg(&source)
        .assert()
        .code(2);
    let out = stdout_of(
        ce(&store)
            .args(["import", "hud-csv", "--coalition", "Coulee"])
            .arg(&source)
            .assert()
            .success(),
    );
    assert!(out.contains("export X9: 1 household(s)"), "{out}");
    ce(&store).arg("verify").assert().success();
    let out = dir.path().join("out");
    ce(&store)
        .args([
            "export",
            "hud-csv",
            "--from",
            "2025-01-01",
            "--to",
            "2025-01-31",
        ])
        .arg(&out)
        .assert()
        .success();
    for file in HudFile::ALL {
        let text = std::fs::read_to_string(out.join(file.file_name())).unwrap();
        assert_eq!(read(&text).0, hud_header(*file));
    }
    let (_, events) = read(&std::fs::read_to_string(out.join("Event.csv")).unwrap());
    assert_eq!(events[1][7], "Rapid Homes");
    let report = ce(&store)
        .args([
            "--json",
            "report",
            "ce-apr",
            "--from",
            "2025-01-01",
            "--to",
            "2025-01-31",
        ])
        .output()
        .unwrap();
    let apr: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(apr["tables"][0]["rows"][2]["label"], "In person");
    assert_eq!(apr["tables"][0]["rows"][2]["total"], 1);
    let out = stdout_of(
        ce(&store)
            .args([
                "report",
                "timeliness",
                "--from",
                "2025-01-01",
                "--to",
                "2025-01-31",
            ])
            .assert()
            .success(),
    );
    assert!(out.contains("Days from referral to result"), "{out}");
    // A row with an error: with --strict nothing is written (exit code 2);
    // without, the rest is imported, the row is a finding, and exit is 0.
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    for (name, text) in foreign_export() {
        let text = if name == "Event.csv" {
            text.replacen("\"13\"", "\"19\"", 1)
        } else {
            text
        };
        std::fs::write(bad.join(name), text).unwrap();
    }
    let other = dir.path().join("other");
    let out = stdout_of(
        ce(&other)
            .args(["import", "hud-csv", "--strict", "--coalition", "Coulee"])
            .arg(&bad)
            .assert()
            .code(2),
    );
    assert!(
        out.contains("error: Event.csv line 2 column Event"),
        "{out}"
    );
    let out = stdout_of(
        ce(&other)
            .args(["export", "jsonl"])
            .arg(dir.path().join("log.jsonl"))
            .assert()
            .success(),
    );
    assert!(out.contains("exported 0 events"), "{out}");
    let findings = dir.path().join("findings.csv");
    let out = stdout_of(
        ce(&other)
            .args(["import", "hud-csv", "--coalition", "Coulee", "--findings"])
            .arg(&findings)
            .arg(&bad)
            .assert()
            .success(),
    );
    assert!(out.contains("Event.csv"), "{out}");
    let (header, rows) = read(&std::fs::read_to_string(&findings).unwrap());
    assert_eq!(
        header,
        ["kind", "file", "line", "column", "value", "reason"]
    );
    assert!(
        rows.iter()
            .any(|r| r[..5] == ["error", "Event.csv", "2", "Event", "19"]),
        "{rows:?}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&findings).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn demo_caseloads_export_import_and_export_again_to_the_same_ce_rows() {
    // tests/scripts/roundtrip-demo-seeds.sh runs seeds 1-20 at full size.
    let dir = tempfile::tempdir().unwrap();
    for seed in ["1", "3", "7"] {
        let at = |name: &str| dir.path().join(format!("{seed}-{name}"));
        ce(&at("a"))
            .args(["demo", "--households", "80", "--seed", seed])
            .assert()
            .success();
        ce(&at("a"))
            .args(["export", "hud-csv"])
            .arg(at("first"))
            .assert()
            .success();
        let out = stdout_of(
            ce(&at("b"))
                .args(["import", "hud-csv", "--coalition", "Central"])
                .arg(at("first"))
                .assert()
                .success(),
        );
        assert!(out.contains("0 row(s) with errors"), "seed {seed}: {out}");
        ce(&at("b"))
            .args(["export", "hud-csv"])
            .arg(at("second"))
            .assert()
            .success();
        for file in [
            HudFile::Client,
            HudFile::Enrollment,
            HudFile::Exit,
            HudFile::Assessment,
            HudFile::AssessmentQuestions,
            HudFile::AssessmentResults,
            HudFile::Event,
            HudFile::CurrentLivingSituation,
        ] {
            let first = rows_without_export_id(&at("first").join(file.file_name()));
            let second = rows_without_export_id(&at("second").join(file.file_name()));
            assert_eq!(first, second, "seed {seed}: {file}");
        }
        // The same export again writes nothing, and says so.
        let out = stdout_of(
            ce(&at("b"))
                .args(["import", "hud-csv", "--coalition", "Central"])
                .arg(at("first"))
                .assert()
                .success(),
        );
        assert!(out.contains(", 0 write(s)"), "seed {seed}: {out}");
    }
}

// ------------------------------------------- a foreign export, month by month

/// tests/fixtures/foreign-export/<month>: another HMIS's exports.
fn fixture(month: &str) -> BTreeMap<String, String> {
    ce_tests::support::foreign_export(month)
}

fn plan_with(
    workflow: &Workflow<MemoryStore>,
    files: &BTreeMap<String, String>,
    options: &ImportOptions,
) -> ImportPlan {
    plan_import(workflow, files, options)
}

fn northwoods_options() -> ImportOptions {
    ImportOptions {
        coalition: Some(Coalition::new("Lakeshore")),
        coalition_map: Default::default(),
        coc: Some("WI-500".to_owned()),
        skip_invalid: true,
        user: ce_core::UserId("importer".to_owned()),
        now: at(2025, 8, 1, 8, 0),
    }
}

/// Data rows of a file (the header aside).
fn data_rows(files: &BTreeMap<String, String>, name: &str) -> usize {
    read(&files[name]).1.len()
}

#[test]
fn a_foreign_export_without_a_ce_project_imports_every_ce_row_or_says_why_not() {
    let month1 = fixture("month1");
    let workflow = empty_workflow();
    let mut policy_scores = workflow.policy().clone();
    policy_scores.score_result_types = vec!["total".into(), "VI-SPDAT score".into()];
    let workflow = Workflow::new(MemoryStore::new(), policy_scores).unwrap();
    let plan = plan_with(&workflow, &month1, &northwoods_options());
    let issues: Vec<String> = plan.report.issues.iter().map(ToString::to_string).collect();
    // The one row that cannot be imported: the orphan assessment.
    let errors: Vec<_> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Error)
        .map(|i| (i.file, i.line))
        .collect();
    assert_eq!(errors, [("Assessment.csv", Some(9))], "{issues:#?}");
    assert_eq!(plan.report.households, 10, "WI-500 households with CE data");
    plan.execute(&workflow).unwrap();

    // Every CE row of the input is imported, or is in the findings with a
    // reason (file and line), or was deleted in the source.
    let named = |file: &str| -> BTreeSet<u64> {
        plan.report
            .issues
            .iter()
            .filter(|i| i.file == file && matches!(i.kind, IssueKind::Error | IssueKind::Skipped))
            .filter_map(|i| i.line.filter(|l| *l > 1))
            .collect()
    };
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    let mut period = options(Some((2025, 1, 1)), Some((2025, 6, 30)));
    period.score_result_types = workflow.policy().score_result_types.clone();
    let out = by_name(&export(&log, &period));
    for (file, deleted) in [
        ("Assessment.csv", 0),
        ("AssessmentQuestions.csv", 0),
        ("AssessmentResults.csv", 0),
        ("Event.csv", 1),
        ("CurrentLivingSituation.csv", 0),
    ] {
        let input = data_rows(&month1, file);
        let not_imported = named(file).len() + deleted;
        assert_eq!(
            data_rows(&out, file),
            input - not_imported,
            "{file}: {input} rows in, {:?} named in the findings",
            named(file)
        );
    }
    // Which rows the findings name, and why.
    assert_eq!(named("Assessment.csv"), BTreeSet::from([9, 10])); // orphan, WI-501
    assert_eq!(named("AssessmentResults.csv"), BTreeSet::from([9, 10]));
    assert_eq!(named("Event.csv"), BTreeSet::from([36, 37])); // WI-501
                                                              // A duplicate key and WI-501.
    assert_eq!(named("CurrentLivingSituation.csv"), BTreeSet::from([8, 15]));
    // No 4.12 is invented: of 14 rows, 12 come back, though three
    // enrollments have none on their entry date; the invalid 999 is kept as 99.
    let (_, cls) = read(&out["CurrentLivingSituation.csv"]);
    assert_eq!(cls.len(), 12);
    assert_eq!(cls.iter().filter(|r| r[4] == "99").count(), 1);
    // The source's ids and dependent fields come back.
    let (_, events) = read(&out["Event.csv"]);
    let row = |id: &str| events.iter().find(|r| r[0] == id).unwrap().clone();
    assert_eq!(
        row("V6011")[1..6],
        ["E2003", "P1003", "2025-02-17", "2", "1"]
    );
    assert_eq!(row("V6024")[6], "1", "ReferralCaseManageAfter");
    assert_eq!(row("V6020")[8..10], ["1", ""], "a result without its date");
    assert_eq!(
        row("V6032")[8..10],
        ["2", "2025-06-06"],
        "a result before its event"
    );
    assert_eq!(
        row("V6014")[1],
        "E2005",
        "on the head of household's enrollment"
    );
    // 3.917, 4.12 and 3.12 fields the workflow does not decide on come back.
    let (_, exits) = read(&out["Exit.csv"]);
    let exit = exits.iter().find(|r| r[0] == "X2001").unwrap();
    assert_eq!(exit[3..6], ["2025-03-10", "435", "431"]);
    let (header, enrollments) = read(&out["Enrollment.csv"]);
    let e2003 = enrollments.iter().find(|r| r[0] == "E2003").unwrap();
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    assert_eq!(
        [
            &e2003[col("LivingSituation")],
            &e2003[col("RentalSubsidyType")],
            &e2003[col("LengthOfStay")],
            &e2003[col("LOSUnderThreshold")],
            &e2003[col("PreviousStreetESSH")],
            &e2003[col("EnrollmentCoC")],
        ],
        ["435", "433", "5", "0", "0", "WI-500"]
    );
    let c5004 = cls.iter().find(|r| r[0] == "C5004").unwrap();
    assert_eq!(c5004[4..12], ["336", "", "", "1", "0", "0", "0", "1"]);
    // Scores under local result names; an assessment placed without one.
    let caseload = workflow.caught_up().unwrap().clone();
    let scores: BTreeSet<Option<u32>> = caseload.households().values().map(|h| h.score()).collect();
    assert!(scores.contains(&Some(9)) && scores.contains(&Some(12)) && scores.contains(&Some(14)));
    let unscored = caseload
        .households()
        .values()
        .filter(|h| {
            h.score().is_none()
                && h.assessment.as_ref().is_some_and(|(_, a)| {
                    a.prioritization == PrioritizationStatus::PlacedOnPrioritizationList
                })
        })
        .count();
    assert_eq!(unscored, 1, "A4004");

    // The same export again writes nothing.
    let again = plan_with(&workflow, &month1, &northwoods_options());
    assert!(again.steps.is_empty(), "{:#?}", again.steps);

    // Next month: exactly the change. A4006 now placed (a correction),
    // V6037 new, V6031 deleted; and the links of the changed rows.
    let before = workflow.store().next_position().unwrap();
    let next = plan_with(&workflow, &fixture("month2"), &northwoods_options());
    next.execute(&workflow).unwrap();
    let written: Vec<Envelope> = workflow.store().read_from(before, usize::MAX).unwrap();
    let mut kinds: Vec<String> = written
        .iter()
        .map(|e| match &e.event {
            Event::EventCorrected(c) => format!("corrected {}", c.fields.join(",")),
            Event::CeEventRecorded(r) => format!("4.20 event {}", r.event.code()),
            Event::HmisRecordDeleted(d) => format!("deleted {}", d.id),
            Event::HmisRecordsLinked(l) => {
                let mut ids: Vec<&str> = l.links.iter().map(|k| k.id.as_str()).collect();
                ids.sort_unstable();
                format!("linked {}", ids.join(","))
            }
            other => other.event_type().to_owned(),
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "4.20 event 4",
            "corrected assessment.prioritization",
            "deleted V6031",
            "linked A4006",
            "linked V6037",
        ]
    );
    let again = plan_with(&workflow, &fixture("month2"), &northwoods_options());
    assert!(again.steps.is_empty(), "{:#?}", again.steps);
}

#[test]
fn ce_apr_of_the_foreign_export_as_worked_out_by_hand() {
    let workflow = empty_workflow();
    let plan = plan_with(&workflow, &fixture("month1"), &northwoods_options());
    plan.execute(&workflow).unwrap();
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    let apr = CeApr::build(&log, date(2025, 1, 1), date(2025, 6, 30));
    // Households with children: H3003 and H3007; the other eight have
    // adults only. Each household is counted by its latest access event
    // (Q9c) and its latest referral event (Q9d) in the range; same-day
    // events in file order.
    let q9c = |label| apr_row(&apr, "Q9c", label);
    assert_eq!(q9c("Referral to Prevention Assistance project"), [0; 5]);
    // H3003 (V6011, diverted), H3008 (V6028, diverted), H3009 (V6030).
    assert_eq!(
        q9c("Problem Solving/Diversion/Rapid Resolution intervention or service"),
        [3, 2, 1, 0, 0]
    );
    // H3004 (V6014), H3006 (V6022), H3010 (V6033).
    assert_eq!(
        q9c("Referral to scheduled Coordinated Entry Crisis Needs Assessment"),
        [3, 3, 0, 0, 0]
    );
    // H3001 (V6003), E2002 (V6007), H3005 (V6019).
    assert_eq!(
        q9c("Referral to scheduled Coordinated Entry Housing Needs Assessment"),
        [3, 3, 0, 0, 0]
    );
    assert_eq!(q9c("Total"), [9, 8, 1, 0, 0]);
    assert_eq!(
        q9c("Result: Client housed/re-housed in a safe alternative"),
        [2, 1, 1, 0, 0]
    );
    assert_eq!(
        apr.tables[2].percentages[0].values,
        [Some(66.7), Some(50.0), Some(100.0), None, None]
    );
    let q9d = |label| apr_row(&apr, "Q9d", label);
    assert_eq!(
        q9d("Referral to post-placement/follow-up case management"),
        [1, 1, 0, 0, 0]
    ); // H3006
    assert_eq!(
        q9d("Referral to Street Outreach project or services"),
        [1, 1, 0, 0, 0]
    ); // H3010
    assert_eq!(
        q9d("Referral to RRH project resource opening"),
        [2, 2, 0, 0, 0]
    ); // H3001, H3004
    assert_eq!(
        q9d("Referral to PSH project resource opening"),
        [2, 2, 0, 0, 0]
    ); // E2002, H3005
    assert_eq!(
        q9d("Referral to emergency assistance/flex fund/furniture assistance"),
        [1, 0, 1, 0, 0]
    ); // H3007 (V6026 after V6025 the same day)
    assert_eq!(
        q9d("Referral to a Housing Stability Voucher"),
        [1, 1, 0, 0, 0]
    ); // H3009
    assert_eq!(q9d("Total"), [8, 7, 1, 0, 0]);
    assert_eq!(
        q9d("Result: Successful referral: client accepted"),
        [2, 2, 0, 0, 0]
    );
    assert_eq!(
        q9d("Result: Unsuccessful referral: client rejected"),
        [1, 1, 0, 0, 0]
    );
    assert_eq!(
        q9d("Result: Unsuccessful referral: provider rejected"),
        [1, 1, 0, 0, 0]
    );
    assert_eq!(q9d("No result recorded"), [1, 1, 0, 0, 0]); // E2002's pending PSH referral
    assert_eq!(
        q9d("Result: Enrolled in Aftercare project"),
        [1, 1, 0, 0, 0]
    );
    // Placed (latest assessment): H3001, E2002, H3004, H3005, all referred.
    assert_eq!(
        apr.tables[3].percentages[0].values,
        [Some(100.0), Some(100.0), None, None, None]
    );
    // Successful among H3001, E2002, H3004, H3005, H3009: 2 of 5.
    assert_eq!(
        apr.tables[3].percentages[1].values,
        [Some(40.0), Some(40.0), None, None, None]
    );
    // Q10: every record dated in the range.
    let q10 = |label: &str| {
        let r = apr.q10.row(label).unwrap();
        (
            r.total,
            r.successful,
            r.client_rejected,
            r.provider_rejected,
            r.rehoused,
            r.aftercare,
        )
    };
    assert_eq!(q10("Crisis Needs Assessment").0, 3); // A4001, A4006, A4007
    assert_eq!(q10("Housing Needs Assessment").0, 4); // A4002-A4005
    assert_eq!(q10("Referral to Prevention Assistance project").0, 2);
    assert_eq!(
        q10("Problem Solving/Diversion/Rapid Resolution intervention or service"),
        (7, None, None, None, Some(2), None)
    );
    assert_eq!(
        q10("Referral to scheduled Coordinated Entry Crisis Needs Assessment").0,
        5
    );
    assert_eq!(
        q10("Referral to scheduled Coordinated Entry Housing Needs Assessment").0,
        4
    );
    assert_eq!(
        q10("Referral to post-placement/follow-up case management"),
        (2, None, None, None, None, Some(2))
    );
    assert_eq!(
        q10("Referral to Emergency Shelter bed opening"),
        (1, Some(0), Some(1), Some(0), None, None)
    );
    assert_eq!(
        q10("Referral to RRH project resource opening"),
        (2, Some(1), Some(0), Some(1), None, None)
    );
    assert_eq!(
        q10("Referral to PSH project resource opening"),
        (3, Some(1), Some(1), Some(0), None, None)
    );
    assert_eq!(
        q10("Referral to emergency assistance/flex fund/furniture assistance").0,
        1,
        "V6027 was deleted in the source"
    );
    let events: u32 = apr.q10.rows[2..].iter().map(|r| r.total).sum();
    assert_eq!(events, 33);
}

#[test]
fn each_member_keeps_their_own_destination_through_export_and_import() {
    use NoYesReasons::No;
    let mut s = Scenario::new();
    s.acting_as("alice", "BoS CE", Role::Lead)
        .recorded_at(at(2025, 6, 1, 9, 0));
    let adult = |n, relationship| member(n, relationship, Some((1980, 1, 1)), No, No, None, None);
    let h = enrolled(
        &mut s,
        Enroll {
            coalition: coulee(),
            project_start: date(2025, 1, 6),
            members: vec![
                adult(1, RelationshipToHoH::SelfHeadOfHousehold),
                adult(2, RelationshipToHoH::SpouseOrPartner),
                adult(3, RelationshipToHoH::OtherRelative),
            ],
            prior: prior(116, None, TimesHomeless::OneTime, MonthsHomeless::OneMonth),
            current: cls(116),
        },
    );
    // The relative leaves first, for a friend's place; then the couple moves
    // into PSH, the partner's own destination being with family for good.
    s.given(ce_core::RemoveMember {
        household: h,
        date: date(2025, 3, 1),
        client: client(3),
        destination: Destination::try_from(423).ok(),
        destination_subsidy: None,
    });
    s.given(Exit {
        household: h,
        date: date(2025, 5, 1),
        destination: Destination::RENTAL_WITH_SUBSIDY,
        destination_subsidy: Some(ce_core::hud::RentalSubsidyType::PermanentSupportiveHousing),
        member_destinations: vec![ce_core::MemberDestination {
            client: client(2),
            destination: Destination::STAYING_WITH_FAMILY_PERMANENT_TENURE,
            subsidy: None,
        }],
        reason: "Moved into PSH".to_owned(),
    });
    let exits = |log: &[Envelope]| {
        let files = export(log, &options(Some((2025, 1, 1)), Some((2025, 6, 1))));
        let (_, rows) = read(&files[&HudFile::Exit]);
        let mut rows: Vec<(String, String, String, String)> = rows
            .into_iter()
            .map(|r| (r[2].clone(), r[3].clone(), r[4].clone(), r[5].clone()))
            .collect();
        rows.sort();
        (rows, by_name(&files))
    };
    let (first, files) = exits(&log(&s));
    let who = |n: u128| hex(client(n).as_uuid());
    assert_eq!(
        first,
        [
            (who(1), "2025-05-01".into(), "435".into(), "439".into()),
            (who(2), "2025-05-01".into(), "422".into(), String::new()),
            (who(3), "2025-03-01".into(), "423".into(), String::new()),
        ]
    );
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files, false);
    assert_eq!(
        plan.report.count(IssueKind::Error),
        0,
        "{:#?}",
        plan.report.issues
    );
    plan.execute(&workflow).unwrap();
    let (second, _) = exits(&workflow.store().read_from(0, usize::MAX).unwrap());
    assert_eq!(first, second);
}

#[test]
fn the_cli_imports_the_foreign_export_with_exit_0_and_writes_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/foreign-export");
    let map = dir.path().join("coalitions.csv");
    std::fs::write(&map, "source,coalition\nPR10,Lakeshore\nWI-500,Northwest\n").unwrap();
    let findings = dir.path().join("findings.csv");
    let out = stdout_of(
        ce(&store)
            .args(["import", "hud-csv", "--coc", "WI-500", "--coalition-map"])
            .arg(&map)
            .arg("--findings")
            .arg(&findings)
            .arg(fixture.join("month1"))
            .assert()
            .success(),
    );
    assert!(out.contains("10 household(s)"), "{out}");
    let (_, rows) = read(&std::fs::read_to_string(&findings).unwrap());
    assert!(
        rows.iter()
            .any(|r| r[..5] == ["error", "Assessment.csv", "9", "EnrollmentID", "E2098"]),
        "{rows:?}"
    );
    // Shelter households (PR10) are Lakeshore's, the others Northwest's.
    ce(&store)
        .args(["export", "jsonl"])
        .arg(dir.path().join("log.jsonl"))
        .assert()
        .success();
    let log = std::fs::read_to_string(dir.path().join("log.jsonl")).unwrap();
    let coalitions: BTreeSet<String> = log
        .lines()
        .filter(|l| l.contains("\"HouseholdEnrolled\""))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["data"]["coalition"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        coalitions,
        BTreeSet::from(["Lakeshore".to_owned(), "Northwest".to_owned()])
    );
    // A coalition the policy does not know is refused before anything is read.
    std::fs::write(&map, "source,coalition\nPR10,Lakeshor\n").unwrap();
    ce(&dir.path().join("other"))
        .args(["import", "hud-csv", "--coalition-map"])
        .arg(&map)
        .arg(fixture.join("month1"))
        .assert()
        .code(2);
    // The same export again writes nothing.
    let again = stdout_of(
        ce(&store)
            .args([
                "import",
                "hud-csv",
                "--coc",
                "WI-500",
                "--coalition",
                "Central",
            ])
            .arg(fixture.join("month1"))
            .assert()
            .success(),
    );
    assert!(again.contains(", 0 write(s)"), "{again}");
}

#[test]
fn a_row_with_fewer_fields_than_the_header_reads_the_missing_ones_as_empty() {
    let files = edited(HudFile::Event, |t| {
        let mut lines: Vec<String> = t.lines().map(str::to_owned).collect();
        let cut: Vec<&str> = lines[1].split(',').take(10).collect();
        lines[1] = cut.join(",");
        lines.join("\n") + "\n"
    });
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files, false);
    assert_eq!(
        plan.report.count(IssueKind::Error),
        0,
        "{:#?}",
        plan.report.issues
    );
    let repaired: Vec<_> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Repaired)
        .map(|i| (i.file, i.line, i.reason.clone()))
        .collect();
    assert_eq!(
        repaired,
        [(
            "Event.csv",
            Some(2),
            "10 fields where the header has 15: the last 5 read as empty".to_owned()
        )]
    );
    plan.execute(&workflow).unwrap();
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| matches!(e.event, Event::CeEventRecorded(_)))
            .count(),
        2
    );
}

#[test]
fn a_birth_date_with_a_two_digit_year_after_the_export_is_of_the_century_before() {
    let mut files = foreign_export();
    let client = files.get_mut("Client.csv").unwrap();
    *client = client.replacen("\"1975-01-01\"", "\"08-MAY-67\"", 1);
    let workflow = empty_workflow();
    let plan = plan(&workflow, &files, false);
    let repaired: Vec<_> = plan
        .report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Repaired)
        .map(|i| (i.file, i.column.as_deref(), i.value.as_deref()))
        .collect();
    assert_eq!(repaired, [("Client.csv", Some("DOB"), Some("08-MAY-67"))]);
    plan.execute(&workflow).unwrap();
    let caseload = workflow.caught_up().unwrap().clone();
    let household = caseload.households().values().next().unwrap();
    assert_eq!(household.members[0].birth_date, Some(date(1967, 5, 8)));
}

// ------------------- regressions found by trying messy exports on the import

/// `files` with one cell changed: `file`'s data row `line` (1 is the
/// header), column `column`. The file is rewritten by the csv crate.
fn with_cell(
    mut files: BTreeMap<String, String>,
    file: &str,
    line: usize,
    column: &str,
    value: &str,
) -> BTreeMap<String, String> {
    let (header, mut rows) = read(files[file].trim_start_matches('\u{feff}'));
    let at = header
        .iter()
        .position(|c| c.eq_ignore_ascii_case(column))
        .unwrap();
    rows[line - 2][at] = value.to_owned();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).unwrap();
    for row in rows {
        out.write_record(&row).unwrap();
    }
    files.insert(
        file.to_owned(),
        String::from_utf8(out.into_inner().unwrap()).unwrap(),
    );
    files
}

fn findings(plan: &ImportPlan, kind: IssueKind, file: &str) -> Vec<(Option<u64>, String)> {
    plan.report
        .issues
        .iter()
        .filter(|i| i.kind == kind && i.file == file)
        .map(|i| (i.line, i.reason.clone()))
        .collect()
}

#[test]
fn a_full_refresh_does_not_delete_an_event_whose_row_it_has_but_cannot_read() {
    let workflow = empty_workflow();
    plan_with(&workflow, &fixture("month1"), &northwoods_options())
        .execute(&workflow)
        .unwrap();
    let month2 = with_cell(fixture("month2"), "Event.csv", 9, "EventDate", "18-03-2025");
    let plan = plan_with(&workflow, &month2, &northwoods_options());
    let deleted: Vec<String> = findings(&plan, IssueKind::Note, "Event.csv")
        .into_iter()
        .filter(|(_, r)| r.contains("recorded as a deletion"))
        .map(|(_, r)| r)
        .collect();
    assert_eq!(
        deleted.len(),
        1,
        "only V6031, deleted in the source: {deleted:?}"
    );
    assert!(deleted[0].starts_with("V6031"), "{deleted:?}");
}

#[test]
fn the_questions_and_results_of_an_assessment_the_workflow_refuses_are_reported() {
    // A4005 (Assessment.csv line 6) dated before its household's entry.
    let month1 = with_cell(
        fixture("month1"),
        "Assessment.csv",
        6,
        "AssessmentDate",
        "2025-01-01",
    );
    let workflow = empty_workflow();
    let plan = plan_with(&workflow, &month1, &northwoods_options());
    assert!(findings(&plan, IssueKind::Error, "Assessment.csv")
        .iter()
        .any(|(line, r)| *line == Some(6) && r.contains("before household")));
    let follows = |file| {
        findings(&plan, IssueKind::Skipped, file)
            .into_iter()
            .filter(|(_, r)| r.contains("follows Assessment.csv line 6"))
            .map(|(line, _)| line)
            .collect::<Vec<_>>()
    };
    assert_eq!(follows("AssessmentQuestions.csv"), [Some(10), Some(11)]);
    assert_eq!(follows("AssessmentResults.csv"), [Some(6)]);
}

#[test]
fn an_exit_dated_before_the_entry_still_exits_the_household() {
    let month1 = with_cell(fixture("month1"), "Exit.csv", 2, "ExitDate", "2025-01-01");
    let workflow = empty_workflow();
    let plan = plan_with(&workflow, &month1, &northwoods_options());
    assert!(
        findings(&plan, IssueKind::Repaired, "Exit.csv")
            .iter()
            .any(|(line, r)| *line == Some(2)
                && r.contains("recorded on 2025-02-20, its last record"))
    );
    assert!(findings(&plan, IssueKind::Skipped, "Exit.csv").is_empty());
    plan.execute(&workflow).unwrap();
    let caseload = workflow.caught_up().unwrap().clone();
    let exited: Vec<chrono::NaiveDate> = caseload
        .households()
        .values()
        .filter_map(|h| match h.status {
            ce_core::HouseholdStatus::Exited { date, .. } => Some(date),
            _ => None,
        })
        .collect();
    assert!(exited.contains(&date(2025, 2, 20)), "{exited:?}");
    // Its assessments and events after the entry are all kept.
    assert_eq!(plan.report.count(IssueKind::Error), 1, "the orphan only");
}

#[test]
fn a_head_who_entered_after_the_other_members_keeps_the_household() {
    // H3007: the head (Enrollment.csv line 10) entered after spouse and child.
    let month1 = with_cell(
        fixture("month1"),
        "Enrollment.csv",
        10,
        "EntryDate",
        "2025-02-01",
    );
    let workflow = empty_workflow();
    let plan = plan_with(&workflow, &month1, &northwoods_options());
    assert!(findings(&plan, IssueKind::Repaired, "Enrollment.csv")
        .iter()
        .any(|(line, r)| *line == Some(10) && r.contains("the household starts then")));
    assert_eq!(plan.report.households, 10);
}

#[test]
fn an_export_without_export_csv_writes_nothing() {
    let mut month1 = fixture("month1");
    month1.remove("Export.csv");
    let workflow = empty_workflow();
    let plan = plan_with(&workflow, &month1, &northwoods_options());
    assert_eq!(plan.report.blocked, ["Export.csv"]);
    assert!(plan.steps.is_empty());
}

#[test]
fn latin_1_names_far_future_dates_and_long_text_are_kept_with_findings() {
    let mut month1 = fixture("month1");
    month1 = with_cell(month1, "Event.csv", 14, "EventDate", "9999-12-31");
    month1 = with_cell(
        month1,
        "CurrentLivingSituation.csv",
        2,
        "LocationDetails",
        &"x".repeat(300),
    );
    month1 = with_cell(
        month1,
        "Event.csv",
        6,
        "LocationCrisisOrPHHousing",
        &"y".repeat(2_000),
    );
    let workflow = empty_workflow();
    let mut files: BTreeMap<String, Vec<u8>> = month1
        .into_iter()
        .map(|(k, v)| (k, v.into_bytes()))
        .collect();
    // "Jose" with a Latin-1 e-acute, as a system exporting Windows-1252 writes it.
    let client = files.get_mut("Client.csv").unwrap();
    let at = client.windows(4).position(|w| w == b"Dana").unwrap();
    client.splice(at..at + 4, b"Jos\xe9".iter().copied());
    let plan = plan_import(&workflow, &files, &northwoods_options());
    assert!(findings(&plan, IssueKind::Repaired, "Client.csv")
        .iter()
        .any(|(_, r)| r.contains("read as Latin-1")));
    // An EventDate of 9999-12-31 is not a date an event could have had:
    // the row is refused with an error naming it.
    assert!(
        findings(&plan, IssueKind::Error, "Event.csv")
            .iter()
            .any(|(line, r)| *line == Some(14)
                && r.contains("more than a day after the export's end"))
    );
    assert!(
        findings(&plan, IssueKind::Repaired, "CurrentLivingSituation.csv")
            .iter()
            .any(|(line, r)| *line == Some(2) && r.contains("cut to 250"))
    );
    assert!(findings(&plan, IssueKind::Repaired, "Event.csv")
        .iter()
        .any(|(line, r)| *line == Some(6)
            && r.contains("2000 characters")
            && r.contains("cut to 250")));
    assert_eq!(
        plan.report.count(IssueKind::Error),
        2,
        "the orphan and the far-future event"
    );
    plan.execute(&workflow).unwrap();
    let caseload = workflow.caught_up().unwrap().clone();
    assert!(caseload
        .households()
        .values()
        .flat_map(|h| &h.members)
        .any(|m| m.first_name.as_deref() == Some("José")));
}

#[test]
fn the_summary_counts_every_row_read_and_the_coalition_map_matches_coc_codes_in_any_case() {
    let workflow = empty_workflow();
    let mut options = northwoods_options();
    options.coalition = None;
    options.coalition_map = BTreeMap::from([
        ("wi-500".to_owned(), Coalition::new("Central")),
        ("PR99".to_owned(), Coalition::new("Coulee")),
    ]);
    let plan = plan_with(&workflow, &fixture("month1"), &options);
    let cls = plan
        .report
        .files()
        .into_iter()
        .find(|f| f.file == "CurrentLivingSituation.csv")
        .unwrap();
    assert_eq!((cls.read, cls.imported, cls.skipped), (14, 12, 2));
    assert_eq!(plan.report.households, 10);
    assert!(findings(&plan, IssueKind::Note, "coalition map")
        .iter()
        .any(|(_, r)| r.starts_with("PR99 placed no household")));
    options.coc = Some("XX-999".to_owned());
    let none = plan_with(&workflow, &fixture("month1"), &options);
    assert!(findings(&none, IssueKind::Note, "Enrollment.csv")
        .iter()
        .any(|(_, r)| r.contains("no enrollment is in CoC XX-999")));
}

#[test]
fn a_row_recorded_on_another_household_than_its_enrollments_says_so() {
    // P1009 (H3007's head) is also H3009's partner from 2025-05-12: without
    // a CE project, their CE rows go to the CE household they are in then.
    let month1 = with_cell(
        fixture("month1"),
        "Enrollment.csv",
        15,
        "PersonalID",
        "P1009",
    );
    let workflow = empty_workflow();
    let plan = plan_with(&workflow, &month1, &northwoods_options());
    let moved: Vec<Option<u64>> = findings(&plan, IssueKind::Note, "Event.csv")
        .into_iter()
        .filter(|(_, r)| r.contains("recorded on household H3009"))
        .map(|(line, _)| line)
        .collect();
    assert_eq!(moved, [Some(26), Some(27)]);
}

#[test]
fn an_older_export_imported_after_a_newer_one_changes_nothing() {
    let workflow = empty_workflow();
    plan_with(&workflow, &fixture("month1"), &northwoods_options())
        .execute(&workflow)
        .unwrap();
    plan_with(&workflow, &fixture("month2"), &northwoods_options())
        .execute(&workflow)
        .unwrap();
    let older = plan_with(&workflow, &fixture("month1"), &northwoods_options());
    assert!(older.steps.is_empty(), "{:#?}", older.steps);
    assert!(findings(&older, IssueKind::Note, "Assessment.csv")
        .iter()
        .any(|(line, r)| *line == Some(7) && r.contains("older than the version imported before")));
    let log = workflow.store().read_from(0, usize::MAX).unwrap();
    let out = by_name(&export(
        &log,
        &options(Some((2025, 1, 1)), Some((2025, 7, 31))),
    ));
    let (header, rows) = read(&out["Assessment.csv"]);
    let a4006 = rows.iter().find(|r| r[0] == "A4006").unwrap();
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    assert_eq!(a4006[col("PrioritizationStatus")], "1");
    assert_eq!(a4006[col("DateUpdated")], "2025-07-09 10:14:00");
}

#[test]
fn a_client_s_birth_date_fixed_in_the_source_is_a_correction_of_the_enrollment() {
    let workflow = empty_workflow();
    plan_with(&workflow, &fixture("month1"), &northwoods_options())
        .execute(&workflow)
        .unwrap();
    let mut month2 = with_cell(fixture("month2"), "Client.csv", 2, "DOB", "1979-03-15");
    month2 = with_cell(
        month2,
        "Client.csv",
        2,
        "DateUpdated",
        "2025-07-20 10:00:00",
    );
    let before = workflow.store().next_position().unwrap();
    let plan = plan_with(&workflow, &month2, &northwoods_options());
    assert!(findings(&plan, IssueKind::Note, "Enrollment.csv")
        .iter()
        .any(|(line, r)| *line == Some(2) && r.contains("E2001 changed in the source")));
    plan.execute(&workflow).unwrap();
    let written = workflow.store().read_from(before, usize::MAX).unwrap();
    let fixed = written
        .iter()
        .filter_map(|e| match &e.event {
            Event::EventCorrected(c) => Some(c.fields.clone()),
            _ => None,
        })
        .find(|f| f == &["members".to_owned()]);
    assert!(fixed.is_some(), "{written:#?}");
    let caseload = workflow.caught_up().unwrap().clone();
    assert!(caseload
        .households()
        .values()
        .flat_map(|h| &h.members)
        .any(|m| m.birth_date == Some(date(1979, 3, 15))));
}

#[test]
fn findings_that_cannot_be_written_stop_the_import_before_it_writes() {
    let dir = tempfile::tempdir().unwrap();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/foreign-export/month1");
    let store = dir.path().join("store");
    // A directory is refused by name, and nothing is imported.
    ce(&store)
        .args(["import", "hud-csv", "--coalition", "Central", "--findings"])
        .arg(dir.path())
        .arg(&fixture)
        .assert()
        .failure();
    let out = stdout_of(
        ce(&store)
            .args(["export", "jsonl"])
            .arg(dir.path().join("log.jsonl"))
            .assert()
            .success(),
    );
    assert!(out.contains("exported 0 events"), "{out}");
    // A device is written in place, never replaced: a full disk fails.
    #[cfg(target_os = "linux")]
    {
        ce(&store)
            .args([
                "import",
                "hud-csv",
                "--coalition",
                "Central",
                "--findings",
                "/dev/full",
            ])
            .arg(&fixture)
            .assert()
            .code(5);
        let full = std::fs::metadata("/dev/full").unwrap();
        assert!(!full.is_file(), "/dev/full was replaced by a file");
    }
}

#[test]
fn exported_client_data_is_private_and_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/foreign-export/month1");
    let store = dir.path().join("store");
    ce(&store)
        .args(["import", "hud-csv", "--coalition", "Central"])
        .arg(&fixture)
        .assert()
        .success();
    let backup = dir.path().join("backup.jsonl");
    ce(&store)
        .args(["export", "jsonl"])
        .arg(&backup)
        .assert()
        .success();
    let out = dir.path().join("out");
    ce(&store)
        .args(["export", "hud-csv"])
        .arg(&out)
        .assert()
        .success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&backup), 0o600);
        for file in HudFile::ALL {
            assert_eq!(mode(&out.join(file.file_name())), 0o600, "{file}");
        }
    }
    // Only the complete files are left: no temporary file beside them.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

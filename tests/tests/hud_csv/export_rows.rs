//! Every row the export writes of the small caseload, worked out by hand,
//! file by file.

use ce_core::testing::client;
use ce_hud_csv::HudFile;
use ce_tests::support::Table;

use crate::caseload::caseload;
use crate::support::{export, hex, log, normalize, options};

fn p(n: u128) -> String {
    hex(client(n).as_uuid())
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

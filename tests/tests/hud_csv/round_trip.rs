//! Export, import and export again: the same rows, each member's own
//! destination kept, and `ce demo` caseloads through the CLI.

use ce_core::hud::{Destination, MonthsHomeless, NoYesReasons, RelationshipToHoH, TimesHomeless};
use ce_core::testing::{client, date, Scenario};
use ce_core::{Enroll, Envelope, EventStore, Exit, Role};
use ce_hud_csv::{HudFile, IssueKind};
use ce_tests::support::{read_csv as read, rows_without_export_id};

use crate::caseload::{caseload, cls, enrolled, member, prior};
use crate::support::{
    at, by_name, ce, coulee, empty_workflow, export, hex, log, normalize, options, plan, stdout_of,
    ID_COLUMNS,
};

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
            referred_by: None,
            restricted: false,
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

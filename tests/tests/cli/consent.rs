//! Who sees whose names: releases of information, restricted households,
//! and households enrolled without personal data, through the CLI.

use ce_tests::cli::{assert_contains, Store, EXIT_REJECTED};
use ce_tests::support::read_csv;
use serde_json::{json, Value};

use crate::fixtures::{assert_recorded, assessment, doc_block, id, post_psh, referred, PSH_AGENCY};

/// The agency that enrolls the documented household.
const OWNER: &str = "Coulee CE access point";
const OTHER_ACCESS: &str = "Western Dairyland";
const VSP: &str = "New Horizons Shelter";
/// The documented household's head.
const HEAD: &str = "Dana Example";
const HEAD_CLIENT: &str = "6f1c7a0e-2b8d-4e51-9a53-0c1d2e3f4a01";

/// The documented household, enrolled by [`OWNER`] and assessed.
fn enrolled() -> (Store, String) {
    let s = Store::new();
    let file = s.write("household.json", &doc_block("household.json"));
    let household = id(&s.ok(
        "--role access --agency {} enroll --file {}",
        &[OWNER, &file],
    ));
    let file = s.write("assessment.json", &doc_block("assessment.json"));
    assert_recorded(&s.ok(
        "--role access --agency {} assess {} --file {}",
        &[OWNER, &household, &file],
    ));
    (s, household)
}

/// The viewers of the role test: a CE lead of another agency, the owning
/// agency's access staff, another access point, a housing provider.
fn viewers() -> [(&'static str, &'static str, &'static str); 4] {
    [
        ("lead", "BoS CE", "lead"),
        ("owner", OWNER, "access"),
        ("other access point", OTHER_ACCESS, "access"),
        ("provider", PSH_AGENCY, "provider"),
    ]
}

/// Whether each viewer sees the head's name on the list, on `show --json`
/// and in `history --json`; the three always agree.
fn who_sees(s: &Store, household: &str) -> Vec<(&'static str, bool)> {
    viewers()
        .into_iter()
        .map(|(who, agency, role)| {
            let list = s.ok(
                "--role {} --agency {} list --coalition Coulee --as-of 2025-04-01",
                &[role, agency],
            );
            let on_list = list.contains(HEAD);
            assert!(
                on_list || list.contains("[withheld]"),
                "{who}: the household stays on the list, nameless:\n{list}"
            );
            let shown = s.json("--role {} --agency {} show {}", &[role, agency, household]);
            let head = &shown["household"]["members"][0];
            let in_show = head["first_name"] == json!("Dana");
            if !in_show {
                assert_eq!(head["sealed"], json!("[withheld]"), "{who}: {head}");
                assert_eq!(head.get("birth_date"), None, "{who}: {head}");
                assert_eq!(head["age_band"], json!("35-44"), "{who}: {head}");
            }
            let history = s.json(
                "--role {} --agency {} history {}",
                &[role, agency, household],
            );
            let in_history = history.to_string().contains("\"Dana\"");
            assert_eq!(
                (on_list, in_show, in_history),
                (on_list, on_list, on_list),
                "{who}"
            );
            (who, on_list)
        })
        .collect()
}

#[test]
fn each_role_sees_names_with_a_release_without_one_and_when_restricted() {
    let (s, household) = enrolled();
    // No release of information: the lead and the owning agency only.
    assert_eq!(
        who_sees(&s, &household),
        [
            ("lead", true),
            ("owner", true),
            ("other access point", false),
            ("provider", false)
        ]
    );
    // A release for the whole CoC: everyone.
    assert_recorded(&s.ok(
        "--role access --agency {} consent {} --client {} --decision given --scope coc --date 2025-03-04",
        &[OWNER, &household, HEAD_CLIENT],
    ));
    assert_eq!(
        who_sees(&s, &household),
        [
            ("lead", true),
            ("owner", true),
            ("other access point", true),
            ("provider", true)
        ]
    );
    // Restricted (fleeing domestic violence): the lead and the owner only,
    // whatever the release. Another agency may not restrict it.
    let err = s.refused(
        "--role access --agency {} restrict {} --date 2025-03-05",
        &[OTHER_ACCESS, &household],
        EXIT_REJECTED,
    );
    assert!(
        err.contains("only the CE lead or the agency that owns"),
        "{err}"
    );
    s.ok(
        "--role access --agency {} restrict {} --date 2025-03-05",
        &[OWNER, &household],
    );
    assert_eq!(
        who_sees(&s, &household),
        [
            ("lead", true),
            ("owner", true),
            ("other access point", false),
            ("provider", false)
        ]
    );
    // Lifted, the release holds again; revoked, it no longer does.
    s.ok(
        "--role lead restrict {} --lift --date 2025-03-06",
        &[&household],
    );
    assert_recorded(&s.ok(
        "--role access --agency {} consent {} --client {} --decision revoked --date 2025-03-07",
        &[OWNER, &household, HEAD_CLIENT],
    ));
    assert_eq!(
        who_sees(&s, &household),
        [
            ("lead", true),
            ("owner", true),
            ("other access point", false),
            ("provider", false)
        ]
    );
    // A list that withholds a name records no view of that household for
    // that user; one that shows it does.
    let views = s.json("--role lead audit views --household {}", &[&household]);
    let views = views.as_array().expect("views");
    let purposes = |agency: &str| {
        views
            .iter()
            .filter(|v| v["actor"]["agency"] == json!(agency) && v["purpose"] == json!("ce list"))
            .count()
    };
    assert_eq!(purposes(OTHER_ACCESS), 1, "{views:?}");
    assert_eq!(purposes(OWNER), 4, "{views:?}");
}

#[test]
fn a_release_for_referrals_shows_names_to_the_provider_once_referred() {
    let (s, household) = enrolled();
    assert_recorded(&s.ok(
        "--role access --agency {} consent {} --client {} --decision given --scope referrals --date 2025-03-04",
        &[OWNER, &household, HEAD_CLIENT],
    ));
    let as_provider = || {
        s.ok(
            "--role provider --agency {} list --coalition Coulee --as-of 2025-04-20",
            &[PSH_AGENCY],
        )
    };
    assert!(!as_provider().contains(HEAD));
    let psh = post_psh(&s, "2025-04-15");
    s.ok("refer {} --date 2025-04-16", &[&psh]);
    assert!(as_provider().contains(HEAD));
    // A release refused or with a last day before it was given is refused
    // with the rule.
    let err = s.refused(
        "--role access --agency {} consent {} --client {} --decision refused --expires 2026-01-01",
        &[OWNER, &household, HEAD_CLIENT],
        EXIT_REJECTED,
    );
    assert!(
        err.contains("only a release that is given has a last day"),
        "{err}"
    );
}

#[test]
fn the_consent_report_lists_releases_ending_soon_with_ids_only() {
    let (s, household) = enrolled();
    assert_recorded(&s.ok(
        "--role access --agency {} consent {} --client {} --decision given --date 2025-03-04 --expires 2025-04-10",
        &[OWNER, &household, HEAD_CLIENT],
    ));
    let report = s.ok("report consent --expiring 30 --as-of 2025-04-01", &[]);
    assert_contains(&report, &[&household, HEAD_CLIENT, "2025-04-10", "coc"]);
    assert!(!report.contains(HEAD), "{report}");
    let rows = s.json("report consent --expiring 5 --as-of 2025-04-01", &[]);
    assert_eq!(rows, json!([]));
}

/// A survivor referred by a victim service provider: no name, no birth
/// date, only the agency's reference and contact.
fn survivor() -> Value {
    let mut household: Value = serde_json::from_str(&doc_block("household.json")).expect("JSON");
    for member in household["members"].as_array_mut().expect("members") {
        let member = member.as_object_mut().expect("a member");
        member.remove("first_name");
        member.remove("last_name");
        member.remove("birth_date");
    }
    household["members"][0]["age_band"] = json!("35-44");
    household["members"][1]["age_band"] = json!("5-12");
    household["current"]
        .as_object_mut()
        .expect("current")
        .remove("location_details");
    household["referred_by"] = json!({
        "agency": VSP,
        "reference": "NH-2025-118",
        "contact": "advocate line 608-555-0148"
    });
    household
}

#[test]
fn a_household_without_personal_data_is_ranked_referred_accepted_and_never_in_client_csv() {
    let s = Store::new();
    // Given a name, it is refused, naming the field.
    let mut named = survivor();
    named["members"][0]["first_name"] = json!("Dana");
    let file = s.write("named.json", &named.to_string());
    let err = s.refused("--role access enroll --file {}", &[&file], EXIT_REJECTED);
    assert!(
        err.contains("first name: a household enrolled without personal data takes none"),
        "{err}"
    );
    let file = s.write("survivor.json", &survivor().to_string());
    let household = id(&s.ok("--role access enroll --file {}", &[&file]));
    let file = s.write("assessment.json", &assessment("2025-03-04", 14).to_string());
    assert_recorded(&s.ok("--role access assess {} --file {}", &[&household, &file]));
    // Ranked on the same lists as everyone.
    let lists = s.json("list --coalition Coulee --as-of 2025-04-01", &[]);
    assert!(lists.to_string().contains(&household), "{lists}");
    // Referred: the referral goes through the agency that holds the data.
    let psh = post_psh(&s, "2025-04-15");
    let (referral, referred_household) = referred(&s.ok("refer {} --date 2025-04-16", &[&psh]));
    assert_eq!(referred_household, household);
    let referrals = s.ok("--role provider --agency {} referrals", &[PSH_AGENCY]);
    assert_contains(
        &referrals,
        &[&referral, VSP, "NH-2025-118", "advocate line 608-555-0148"],
    );
    let rows = s.json("referrals --household {}", &[&household]);
    assert_eq!(rows[0]["reach_through"]["agency"], json!(VSP));
    assert_recorded(&s.ok(
        "--role provider --agency {} referral accept {} --date 2025-04-22",
        &[PSH_AGENCY, &referral],
    ));
    // HMIS never gets it: no Client.csv row, no enrollment, and a line
    // says it was left out.
    let export = s.file("export");
    let out = s.ok("export hud-csv {}", &[&export]);
    assert!(
        out.contains("left out 1 household(s) enrolled without personal data"),
        "{out}"
    );
    let client_csv = std::fs::read_to_string(std::path::Path::new(&export).join("Client.csv"))
        .expect("Client.csv");
    let (_, rows) = read_csv(&client_csv);
    assert!(rows.is_empty(), "{rows:?}");
    assert!(!client_csv.contains(HEAD_CLIENT));
}

#[test]
fn identifying_a_household_keeps_its_rank_and_puts_it_in_client_csv() {
    let s = Store::new();
    let file = s.write("survivor.json", &survivor().to_string());
    let household = id(&s.ok("--role access enroll --file {}", &[&file]));
    let file = s.write("assessment.json", &assessment("2025-03-04", 14).to_string());
    assert_recorded(&s.ok("--role access assess {} --file {}", &[&household, &file]));
    let rank = |s: &Store| {
        let shown = s.json("show {} --as-of 2025-04-01", &[&household]);
        shown["lists"].clone()
    };
    let before = rank(&s);
    let members = json!({ "members": [{
        "client": HEAD_CLIENT,
        "relationship": 1,
        "birth_date": "1984-06-14",
        "veteran": 0,
        "disabling_condition": 1,
        "first_name": "Dana",
        "last_name": "Example"
    }, {
        "client": "6f1c7a0e-2b8d-4e51-9a53-0c1d2e3f4a02",
        "relationship": 2,
        "birth_date": "2016-09-02",
        "veteran": 99,
        "disabling_condition": 0,
        "first_name": "Sky",
        "last_name": "Example"
    }]});
    // A birth date that would move the age band, and so the rank, is
    // refused.
    let mut younger = members.clone();
    younger["members"][0]["birth_date"] = json!("2000-01-01");
    let file = s.write("younger.json", &younger.to_string());
    let err = s.refused(
        "--role lead identify {} --file {} --date 2025-03-20",
        &[&household, &file],
        EXIT_REJECTED,
    );
    assert!(
        err.contains("age band at project start must stay as recorded"),
        "{err}"
    );
    let file = s.write("members.json", &members.to_string());
    assert_recorded(&s.ok(
        "--role lead identify {} --file {} --date 2025-03-20",
        &[&household, &file],
    ));
    assert_eq!(rank(&s), before);
    assert!(s
        .ok("list --coalition Coulee --as-of 2025-04-01", &[])
        .contains(HEAD));
    let export = s.file("export");
    s.ok("export hud-csv {}", &[&export]);
    let client_csv = std::fs::read_to_string(std::path::Path::new(&export).join("Client.csv"))
        .expect("Client.csv");
    assert_contains(&client_csv, &["Dana", "Example", "1984-06-14"]);
}

#[test]
fn only_a_ce_lead_exports_hud_csv_which_carries_every_name() {
    let (s, _) = enrolled();
    let export = s.file("export");
    let err = s.refused(
        "--role access --agency {} export hud-csv {}",
        &[OWNER, &export],
        EXIT_REJECTED,
    );
    assert!(err.contains("export HUD CSV"), "{err}");
    assert!(!std::path::Path::new(&export).exists());
    s.ok("export hud-csv {}", &[&export]);
}

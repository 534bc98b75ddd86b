//! `ce serve` and privacy: who sees whose names with and without a release
//! of information, a restricted household, and a household enrolled without
//! personal data, ranked, referred and accepted through the pages.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "tests fail loudly"
)]

mod common;

use ce_core::{ClientId, HouseholdId};
use common::*;
use reqwest::{Client, StatusCode};
use serde_json::json;

/// The second household's head (enrolled by the access account's agency).
const BEA: &str = "Bea";

/// The accounts of the role test, with whether each sees Bea's name.
const VIEWERS: [&str; 4] = ["lead", "access", "access-other", "provider-a"];

fn head_of(s: &Server, household: HouseholdId) -> ClientId {
    let caseload = s.app.workflow.caught_up().unwrap();
    caseload.households()[&household].members[0].client
}

async fn post(s: &Server, client: &Client, path: &str, form: &[(&str, &str)]) {
    let r = client.post(s.url(path)).form(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{:?}", r.text().await);
}

/// Whether each viewer sees Bea's name on the lists, on her household's
/// page and in its JSON; the three always agree.
async fn who_sees(s: &Server, household: HouseholdId) -> Vec<(&'static str, bool)> {
    let mut seen = Vec::new();
    for name in VIEWERS {
        let (client, _) = s.login(name).await;
        let on_list = if name == "provider-a" {
            None
        } else {
            Some(
                s.text(&client, "/lists?coalition=Coulee")
                    .await
                    .contains(BEA),
            )
        };
        let path = format!("/households/{household}");
        let status = s.status(&client, &path).await;
        let on_page = if status == StatusCode::OK {
            Some(s.text(&client, &path).await.contains(BEA))
        } else {
            None
        };
        let api = s
            .json(&client, &format!("/api/households/{household}"))
            .await;
        let in_api = api["household"]["members"][0]["first_name"] == json!(BEA);
        if let Some(on_page) = on_page {
            assert_eq!(on_page, in_api, "{name}");
        }
        if let Some(on_list) = on_list {
            assert_eq!(on_list, in_api, "{name}");
        }
        if !in_api && api.get("household").is_some() {
            assert_eq!(
                api["household"]["members"][0]["sealed"],
                json!("[withheld]"),
                "{name}: {api}"
            );
        }
        seen.push((name, in_api));
    }
    seen
}

#[tokio::test]
async fn each_role_sees_names_with_a_release_without_one_and_when_restricted() {
    let s = start(|_| {}).await;
    let bea = s.households[1];
    let today = today();
    // Without a release: the lead and the owning agency only (the provider
    // of Agency A is not referred Bea, so it does not see her at all).
    let views = who_sees(&s, bea).await;
    assert_eq!(
        views,
        [
            ("lead", true),
            ("access", true),
            ("access-other", false),
            ("provider-a", false)
        ]
    );
    // The owning agency records a release for the whole CoC.
    let (access, acsrf) = s.login("access").await;
    let client = head_of(&s, bea).to_string();
    let path = format!("/households/{bea}");
    post(
        &s,
        &access,
        &path,
        &[
            ("csrf", acsrf.as_str()),
            ("form", "consent"),
            ("client", client.as_str()),
            ("date", today.as_str()),
            ("decision", "given"),
            ("scope", "coc"),
        ],
    )
    .await;
    assert_eq!(
        who_sees(&s, bea).await,
        [
            ("lead", true),
            ("access", true),
            ("access-other", true),
            ("provider-a", false)
        ]
    );
    // Another agency may not restrict it, and writes nothing trying.
    let (other, ocsrf) = s.login("access-other").await;
    let before = s.events();
    let r = other
        .post(s.url(&path))
        .form(&[
            ("csrf", ocsrf.as_str()),
            ("form", "restrict"),
            ("date", today.as_str()),
            ("restricted", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("only the CE lead or the agency that owns"));
    assert_eq!(s.events(), before);
    // The owner restricts it: the lead and the owner only, whatever the
    // release.
    post(
        &s,
        &access,
        &path,
        &[
            ("csrf", acsrf.as_str()),
            ("form", "restrict"),
            ("date", today.as_str()),
            ("restricted", "on"),
        ],
    )
    .await;
    assert_eq!(
        who_sees(&s, bea).await,
        [
            ("lead", true),
            ("access", true),
            ("access-other", false),
            ("provider-a", false)
        ]
    );
    // A page that withholds every name records no view of it from the
    // lists, but the household page (which shows its notes) does.
    let views = s.app.workflow.store().views_of(bea).unwrap();
    let from_lists = |agency: &str| {
        views
            .iter()
            .filter(|v| v.actor.agency.0 == agency && v.purpose == "priority lists page")
            .count()
    };
    assert_eq!(from_lists("Western Dairyland"), 1, "{views:?}");
    assert_eq!(from_lists("Couleecap"), 3, "{views:?}");
}

#[tokio::test]
async fn the_referral_inbox_withholds_names_without_a_release_for_referrals() {
    let s = start(|_| {}).await;
    let (provider, _) = s.login("provider-a").await;
    // The top household (its head's name is markup) was referred to Agency
    // A, without a release: the inbox shows the referral, not the name.
    let inbox = s.text(&provider, "/referrals").await;
    assert!(inbox.contains(&s.referral.to_string()), "{inbox}");
    assert!(inbox.contains("[withheld]"), "{inbox}");
    assert!(!inbox.contains("alert("), "{inbox}");
    // A release for the agencies referred to shows it to Agency A, escaped.
    let top = s.households[0];
    let (access, acsrf) = s.login("access").await;
    let client = head_of(&s, top).to_string();
    post(
        &s,
        &access,
        &format!("/households/{top}"),
        &[
            ("csrf", acsrf.as_str()),
            ("form", "consent"),
            ("client", client.as_str()),
            ("date", today().as_str()),
            ("decision", "given"),
            ("scope", "referrals"),
        ],
    )
    .await;
    let inbox = s.text(&provider, "/referrals").await;
    assert!(inbox.contains("&lt;script&gt;alert("), "{inbox}");
    // Agency B, not referred, still does not see the household.
    let (other, _) = s.login("provider-b").await;
    assert_eq!(
        s.status(&other, &format!("/households/{top}")).await,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_household_without_personal_data_is_enrolled_ranked_referred_and_accepted_through_the_pages(
) {
    let s = start(|_| {}).await;
    let today = today();
    let (access, acsrf) = s.login("access").await;
    let enroll = |first_name: &'static str| {
        vec![
            ("csrf", acsrf.clone()),
            ("form", "enroll".to_owned()),
            ("coalition", "Coulee".to_owned()),
            ("project_start", today.clone()),
            ("first_name", first_name.to_owned()),
            ("age_band", "25-34".to_owned()),
            ("veteran", "0".to_owned()),
            ("disabling_condition", "1".to_owned()),
            ("prior_situation", "116".to_owned()),
            ("times_homeless", "4".to_owned()),
            ("months_homeless", "113".to_owned()),
            ("living_situation", "116".to_owned()),
            ("referring_agency", "New Horizons Shelter".to_owned()),
            ("reference", "NH-2025-118".to_owned()),
            ("agency_contact", "advocate line 608-555-0148".to_owned()),
        ]
    };
    // A name is refused beside its field, and what was typed stays.
    let before = s.events();
    let r = access
        .post(s.url("/enroll"))
        .form(&enroll("Dana"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("a household enrolled without personal data takes none"),
        "{page}"
    );
    assert!(page.contains("NH-2025-118"), "{page}");
    assert_eq!(s.events(), before);
    // Without one it is enrolled, assessed and placed.
    post(
        &s,
        &access,
        "/enroll",
        &enroll("")
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    )
    .await;
    let household = {
        let caseload = s.app.workflow.caught_up().unwrap();
        caseload
            .households()
            .values()
            .find(|h| h.is_without_personal_data())
            .unwrap()
            .id
    };
    post(
        &s,
        &access,
        &format!("/households/{household}"),
        &[
            ("csrf", acsrf.as_str()),
            ("form", "assess"),
            ("date", today.as_str()),
            ("location", "By phone with the advocate"),
            ("assessment_type", "1"),
            ("level", "2"),
            ("score", "30"),
            ("prioritization", "1"),
        ],
    )
    .await;
    // On the lists by its rank, nameless.
    let (lead, lcsrf) = s.login("lead").await;
    let lists = s.text(&lead, "/lists?coalition=Coulee").await;
    assert!(lists.contains(&household.to_string()), "{lists}");
    // Agency B posts an opening; the lead refers the top household: this one.
    let (provider, pcsrf) = s.login("provider-b").await;
    post(
        &s,
        &provider,
        "/openings",
        &[
            ("csrf", pcsrf.as_str()),
            ("form", "post"),
            ("date", today.as_str()),
            ("program", "Scattered-site PSH"),
            ("program_type", "psh"),
            ("coalition", "Coulee"),
            ("type_adults-only", "on"),
            ("units", "1"),
        ],
    )
    .await;
    let opening = {
        let caseload = s.app.workflow.caught_up().unwrap();
        caseload
            .openings
            .values()
            .find(|o| o.program == "Scattered-site PSH")
            .unwrap()
            .id
    };
    post(
        &s,
        &lead,
        &format!("/openings/{opening}"),
        &[
            ("csrf", lcsrf.as_str()),
            ("form", "refer"),
            ("date", today.as_str()),
        ],
    )
    .await;
    let referral = {
        let caseload = s.app.workflow.caught_up().unwrap();
        let r = caseload
            .referrals
            .values()
            .find(|r| r.opening == opening)
            .unwrap();
        assert_eq!(r.household, household);
        r.id
    };
    // The provider's inbox says whom to reach it through.
    let inbox = s.text(&provider, "/referrals").await;
    assert!(
        inbox.contains(
            "Reach through New Horizons Shelter (ref NH-2025-118): advocate line 608-555-0148"
        ),
        "{inbox}"
    );
    post(
        &s,
        &provider,
        &format!("/referrals/{referral}"),
        &[
            ("csrf", pcsrf.as_str()),
            ("form", "accept"),
            ("date", today.as_str()),
        ],
    )
    .await;
    let caseload = s.app.workflow.caught_up().unwrap();
    assert!(matches!(
        caseload.referrals[&referral].status,
        ce_core::ReferralStatus::Accepted { .. }
    ));
}

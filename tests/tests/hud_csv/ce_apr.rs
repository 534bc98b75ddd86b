//! The CE APR (Q9a-Q9d, Q10) and the timeliness report, worked out by hand
//! for the small caseload and for the foreign export fixture.

use ce_core::hud::{CeEventType, NoYesMissing};
use ce_core::testing::date;
use ce_core::{EventStore, HouseholdId, RecordCeEvent};
use ce_hud_csv::{CeApr, Timeliness};

use crate::caseload::caseload;
use crate::support::{at, empty_workflow, fixture, log, northwoods_options, plan_with};

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

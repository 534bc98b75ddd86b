//! Audit replay: the two time axes, history, explain, corrections and the
//! referral rank check.

// Test helpers outside #[test] fns: a failed step is a panic by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ce_core::audit::{as_known_at, as_of, check_referral_ranks, explain};
use ce_core::testing::{date, follow_up, opening, HouseholdBuilder};
use ce_core::{Field, IneligibleRule, NotCorrectableReason, OffListReason, OrderKey, Rejection, *};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

struct Desk {
    workflow: Workflow<MemoryStore>,
    next: u128,
}

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 17, 0, 0).unwrap()
}

impl Desk {
    fn new() -> Self {
        Self {
            workflow: Workflow::new(MemoryStore::new(), Policy::wi_bos_default()).unwrap(),
            next: 0,
        }
    }

    fn meta(&mut self, recorded_at: DateTime<Utc>) -> CommandMeta {
        self.next += 1;
        CommandMeta {
            command_id: CommandId::from_uuid(uuid::Uuid::from_u128(self.next)),
            actor: Actor::new("pat", "Coulee access point", Role::Access),
            recorded_at,
        }
    }

    fn run(&mut self, recorded_at: DateTime<Utc>, command: impl Into<Command>) -> Executed {
        let meta = self.meta(recorded_at);
        self.workflow.execute(&meta, command).unwrap()
    }

    fn lead(&mut self, recorded_at: DateTime<Utc>, command: impl Into<Command>) -> Executed {
        let mut meta = self.meta(recorded_at);
        meta.actor = Actor::new("lee", "BoS CE", Role::Lead);
        self.workflow.execute(&meta, command).unwrap()
    }

    /// Enrolls on 2025-01-06 (recorded the same day) and assesses on the 7th.
    fn enroll(&mut self, builder: HouseholdBuilder) -> HouseholdId {
        let executed = self.run(at(2025, 1, 6), builder.enroll.clone());
        let Outcome::Enrolled { household } = executed.outcome else {
            panic!()
        };
        if let Some(assess) = builder.assessment(household) {
            self.run(at(2025, 1, 7), assess);
        }
        household
    }

    fn log(&self) -> Vec<Envelope> {
        self.workflow.store().read_from(0, usize::MAX).unwrap()
    }
}

fn psh(coalition: &str, household_type: ListHouseholdType) -> ListKey {
    ListKey {
        coalition: Coalition::new(coalition),
        program: ProgramType::Psh,
        household_type,
    }
}

#[test]
fn as_of_includes_late_entered_facts_but_as_known_at_shows_what_the_system_showed() {
    let mut desk = Desk::new();
    let h = desk.enroll(
        HouseholdBuilder::single_adult("Coulee")
            .disabled()
            .placed_with_score(9),
    );
    // A follow-up on 2025-02-01, entered only on 2025-03-10.
    desk.run(at(2025, 3, 10), follow_up(h, date(2025, 2, 1), 7));
    let log = desk.log();

    // Known in February: the assessment of 2025-01-07 (an assessment is
    // contact under the default policy), not yet the follow-up.
    let known_in_february = as_known_at(&log, at(2025, 2, 15));
    assert_eq!(
        known_in_february.households()[&h].last_contact,
        date(2025, 1, 7)
    );
    let true_in_february = as_of(&log, date(2025, 2, 15));
    assert_eq!(
        true_in_february.households()[&h].last_contact,
        date(2025, 2, 1)
    );
    assert_eq!(
        desk.workflow.as_of(date(2025, 2, 15)).unwrap(),
        true_in_february
    );
    assert_eq!(
        desk.workflow.as_known_at(at(2025, 2, 15)).unwrap(),
        known_in_february
    );

    // Before the enrollment nothing is known.
    assert!(as_of(&log, date(2025, 1, 5)).households().is_empty());
}

#[test]
fn a_list_as_known_at_a_time_leaves_out_households_entered_later() {
    let mut desk = Desk::new();
    let first = desk.enroll(
        HouseholdBuilder::single_adult("Coulee")
            .disabled()
            .placed_with_score(9),
    );
    let builder = HouseholdBuilder::single_adult("Coulee")
        .disabled()
        .placed_with_score(15);
    // Entered in March, but enrolled (effective) in January.
    let executed = desk.run(at(2025, 3, 1), builder.enroll.clone());
    let Outcome::Enrolled { household: late } = executed.outcome else {
        panic!()
    };
    desk.run(at(2025, 3, 1), builder.assessment(late).unwrap());
    let log = desk.log();
    let key = psh("Coulee", ListHouseholdType::AdultsOnly);

    let then = as_known_at(&log, at(2025, 2, 1));
    let shown: Vec<_> = then
        .list(desk.workflow.policy(), &key, date(2025, 2, 1))
        .entries
        .iter()
        .map(|e| e.inputs.household)
        .collect();
    assert_eq!(shown, [first]);
    let now = as_of(&log, date(2025, 2, 1));
    let truth: Vec<_> = now
        .list(desk.workflow.policy(), &key, date(2025, 2, 1))
        .entries
        .iter()
        .map(|e| e.inputs.household)
        .collect();
    assert_eq!(
        truth,
        [late, first],
        "the higher score ranks first once known"
    );
}

#[test]
fn history_lists_every_event_with_actor_hud_element_and_list_changes() {
    let mut desk = Desk::new();
    let h = desk.enroll(
        HouseholdBuilder::single_adult("Coulee")
            .disabled()
            .placed_with_score(9),
    );
    desk.lead(
        at(2025, 5, 1),
        Sweep {
            as_of: date(2025, 5, 1),
        },
    );
    desk.run(at(2025, 5, 2), follow_up(h, date(2025, 5, 2), 5));
    let history = desk.workflow.history(h).unwrap();
    let types: Vec<_> = history.iter().map(|e| e.event_type).collect();
    assert_eq!(
        types,
        [
            EventType::HouseholdEnrolled,
            EventType::AssessmentRecorded,
            EventType::HouseholdInactivated,
            EventType::ContactMade
        ]
    );
    assert_eq!(history[1].hud_element, Some("4.19"));
    assert_eq!(history[1].actor.user.0, "pat");
    assert!(
        history[1]
            .changes
            .iter()
            .any(|c| c.to_string() == "placed on Coulee / psh / adults-only"),
        "{:?}",
        history[1].changes
    );
    assert!(history[2]
        .changes
        .iter()
        .any(|c| c.to_string() == "removed from Coulee / rrh / adults-only"));
    assert!(history[2]
        .changes
        .iter()
        .any(|c| c.to_string().starts_with("now inactive since 2025-05-01")));
    assert!(history[3]
        .changes
        .iter()
        .any(|c| c.to_string() == "now active"));
    assert!(history[3]
        .changes
        .iter()
        .any(|c| c.to_string() == "placed on Coulee / psh / adults-only"));
    assert!(matches!(
        desk.workflow.history(HouseholdId::NIL),
        Err(Error::Rejected(Rejection::UnknownHousehold(_)))
    ));
}

#[test]
fn history_shows_referrals_and_their_results() {
    let mut desk = Desk::new();
    let h = desk.enroll(
        HouseholdBuilder::single_adult("Coulee")
            .disabled()
            .placed_with_score(9),
    );
    let Outcome::Posted { opening } = desk
        .lead(
            at(2025, 2, 1),
            opening(ProgramType::Psh, "Coulee", date(2025, 2, 1)),
        )
        .outcome
    else {
        panic!()
    };
    let Outcome::Referred { referral, .. } = desk
        .lead(
            at(2025, 2, 2),
            Refer {
                opening,
                date: date(2025, 2, 2),
                household: None,
                bypass_reason: None,
            },
        )
        .outcome
    else {
        panic!()
    };
    desk.lead(
        at(2025, 2, 3),
        AcceptReferral {
            referral,
            date: date(2025, 2, 3),
        },
    );
    let history = desk.workflow.history(h).unwrap();
    let last = history.last().unwrap();
    assert!(
        last.changes
            .iter()
            .any(|c| c.to_string().contains("accepted (result 1)")),
        "{:?}",
        last.changes
    );
    assert!(last
        .changes
        .iter()
        .any(|c| c.to_string() == "removed from Coulee / psh / adults-only"));
    assert_eq!(history[history.len() - 2].hud_element, Some("4.20"));
}

#[test]
fn explain_names_the_household_above_and_the_first_key_that_separates_them() {
    let mut desk = Desk::new();
    let chronic = desk.enroll(
        HouseholdBuilder::single_adult("Coulee")
            .chronic()
            .placed_with_score(8),
    );
    let scored = desk.enroll(
        HouseholdBuilder::single_adult("Coulee")
            .disabled()
            .placed_with_score(15),
    );
    let caseload = desk.workflow.caught_up().unwrap().clone();
    let policy = desk.workflow.policy();
    let e = explain(&caseload, policy, scored, date(2025, 2, 1), None).unwrap();
    let on_psh = e
        .lists
        .iter()
        .find(|l| l.list.program == ProgramType::Psh)
        .unwrap();
    assert_eq!((on_psh.rank, on_psh.of), (2, 2));
    assert_eq!(on_psh.above, Some(chronic));
    assert_eq!(
        on_psh.separated_by,
        Some((Some(OrderKey::Chronic), "yes".into(), "no".into()))
    );
    let on_rrh = e
        .lists
        .iter()
        .find(|l| l.list.program == ProgramType::Rrh)
        .unwrap();
    assert_eq!(on_rrh.rank, 1);
    assert_eq!(on_rrh.above, None);
    assert!(on_psh.keys.contains(&(OrderKey::Score, "15".into())));
}

#[test]
fn explain_gives_the_rule_that_keeps_a_household_off_the_lists() {
    let mut desk = Desk::new();
    let unassessed = desk.enroll(HouseholdBuilder::single_adult("Coulee"));
    let low = desk.enroll(
        HouseholdBuilder::single_adult("Coulee")
            .disabled()
            .placed_with_score(5),
    );
    let caseload = desk.workflow.caught_up().unwrap().clone();
    let policy = desk.workflow.policy();
    let e = explain(&caseload, policy, unassessed, date(2025, 2, 1), None).unwrap();
    assert!(e.lists.is_empty());
    assert!(e
        .off_lists
        .iter()
        .all(|(_, r)| *r == OffListReason::NotAssessed));
    let e = explain(&caseload, policy, low, date(2025, 2, 1), None).unwrap();
    assert_eq!(e.lists.len(), 1, "RRH only");
    assert!(e.off_lists.iter().any(|(p, r)| *p == ProgramType::Psh
        && matches!(
            r,
            OffListReason::Ineligible {
                rule: IneligibleRule::BelowFloor
            }
        )));
    assert!(explain(&caseload, policy, HouseholdId::NIL, date(2025, 2, 1), None).is_none());
}

fn event_of(desk: &Desk, household: HouseholdId, event_type: EventType) -> EventId {
    desk.workflow
        .history(household)
        .unwrap()
        .iter()
        .find(|e| e.event_type == event_type)
        .unwrap()
        .event_id
}

#[test]
fn a_corrected_score_reranks_the_list_and_history_keeps_both() {
    let mut desk = Desk::new();
    let a = desk.enroll(
        HouseholdBuilder::single_adult("Coulee")
            .disabled()
            .placed_with_score(10),
    );
    let b = desk.enroll(
        HouseholdBuilder::single_adult("Coulee")
            .disabled()
            .placed_with_score(12),
    );
    let key = ListKey {
        program: ProgramType::Rrh,
        ..psh("Coulee", ListHouseholdType::AdultsOnly)
    };
    let order = |desk: &Desk| -> Vec<HouseholdId> {
        desk.workflow
            .list(&key, date(2025, 2, 1))
            .unwrap()
            .entries
            .iter()
            .map(|e| e.inputs.household)
            .collect()
    };
    assert_eq!(order(&desk), [b, a]);

    let assessment = event_of(&desk, a, EventType::AssessmentRecorded);
    let meta = desk.meta(at(2025, 2, 1));
    desk.workflow
        .correct(
            &meta,
            a,
            assessment,
            json!({"assessment": {"score": 14}}),
            "Score was mistyped: the tool says 14.",
        )
        .unwrap();
    assert_eq!(order(&desk), [a, b]);
    assert_eq!(
        desk.workflow.household(a).unwrap().unwrap().score(),
        Some(14)
    );

    let history = desk.workflow.history(a).unwrap();
    let original = history.iter().find(|e| e.event_id == assessment).unwrap();
    let Event::AssessmentRecorded(recorded) = &original.event else {
        panic!()
    };
    assert_eq!(
        recorded.assessment.score,
        Some(10),
        "the original is never rewritten"
    );
    let correction = history.last().unwrap();
    assert_eq!(correction.event_type, EventType::EventCorrected);
    assert_eq!(
        correction.effective, original.effective,
        "re-ranks from the corrected fact's date"
    );
    let Event::EventCorrected(c) = &correction.event else {
        panic!()
    };
    assert_eq!(c.fields, ["assessment.score"]);
    assert!(correction
        .changes
        .iter()
        .any(|c| c.to_string().contains("assessment.score")));

    // Before the correction was recorded, the system showed the old order.
    let then = as_known_at(&desk.log(), at(2025, 1, 31));
    let shown: Vec<_> = then
        .list(desk.workflow.policy(), &key, date(2025, 1, 31))
        .entries
        .iter()
        .map(|e| e.inputs.household)
        .collect();
    assert_eq!(shown, [b, a]);
}

#[test]
fn a_corrected_disabling_condition_makes_the_household_chronic() {
    let mut desk = Desk::new();
    let mut builder = HouseholdBuilder::single_adult("Coulee")
        .chronic()
        .placed_with_score(9);
    builder.enroll.members[0].disabling_condition = ce_core::hud::NoYesReasons::No;
    let h = desk.enroll(builder);
    assert!(!desk.workflow.household(h).unwrap().unwrap().is_chronic());
    let enrolled = event_of(&desk, h, EventType::HouseholdEnrolled);
    let mut members =
        serde_json::to_value(&desk.workflow.household(h).unwrap().unwrap().members).unwrap();
    members[0]["disabling_condition"] = json!(1);
    let meta = desk.meta(at(2025, 2, 1));
    desk.workflow
        .correct(
            &meta,
            h,
            enrolled,
            json!({ "members": members }),
            "Disability documented at intake.",
        )
        .unwrap();
    assert!(desk.workflow.household(h).unwrap().unwrap().is_chronic());
}

#[test]
fn corrections_that_change_ids_or_touch_other_records_are_rejected() {
    let mut desk = Desk::new();
    let h = desk.enroll(
        HouseholdBuilder::single_adult("Coulee")
            .disabled()
            .placed_with_score(9),
    );
    let assessment = event_of(&desk, h, EventType::AssessmentRecorded);
    let before = desk.workflow.store().next_position().unwrap();
    {
        let mut try_correct = |event, patch, reason: &str| {
            let meta = desk.meta(at(2025, 2, 1));
            desk.workflow
                .correct(&meta, h, event, patch, reason)
                .unwrap_err()
        };
        let err = try_correct(
            assessment,
            json!({"assessment": {"assessment_id": uuid::Uuid::nil()}}),
            "typo",
        );
        assert!(
            matches!(err, Error::Rejected(Rejection::NotCorrectable { .. })),
            "{err}"
        );
        let err = try_correct(
            assessment,
            json!({"assessment": {"score": 9}}),
            "nothing changes",
        );
        assert!(
            matches!(
                err,
                Error::Rejected(Rejection::NotCorrectable {
                    why: NotCorrectableReason::NothingChanged,
                    ..
                })
            ),
            "{err}"
        );
        // A field the record does not have is named, not "corrected".
        let err = try_correct(
            assessment,
            json!({"assessment": {"date": "2025-01-01"}}),
            "misspelt field",
        );
        assert!(
            matches!(err, Error::Rejected(Rejection::InvalidCorrection { .. })),
            "{err}"
        );
        assert!(err.to_string().contains("unknown field `date`"), "{err}");
        let err = try_correct(assessment, json!({"assessment": {"score": 12}}), "  ");
        assert!(
            matches!(
                err,
                Error::Rejected(Rejection::Required(Field::CorrectionReason))
            ),
            "{err}"
        );
        let err = try_correct(
            assessment,
            json!({"assessment": {"assessment_type": 7}}),
            "bad code",
        );
        assert!(
            matches!(err, Error::Rejected(Rejection::InvalidCorrection { .. })),
            "{err}"
        );
        assert!(err.to_string().contains("4.19 AssessmentType"), "{err}");
        let err = try_correct(EventId::NIL, json!({}), "no such event");
        assert!(
            matches!(
                err,
                Error::Rejected(Rejection::NotCorrectable {
                    why: NotCorrectableReason::NoSuchEvent,
                    ..
                })
            ),
            "{err}"
        );
    }
    assert_eq!(
        desk.workflow.store().next_position().unwrap(),
        before,
        "nothing written"
    );
}

#[test]
fn a_referral_rank_that_the_log_does_not_reproduce_is_reported() {
    let mut desk = Desk::new();
    desk.enroll(
        HouseholdBuilder::single_adult("Coulee")
            .disabled()
            .placed_with_score(9),
    );
    desk.enroll(
        HouseholdBuilder::single_adult("Coulee")
            .disabled()
            .placed_with_score(13),
    );
    let Outcome::Posted { opening } = desk
        .lead(
            at(2025, 2, 1),
            opening(ProgramType::Rrh, "Coulee", date(2025, 2, 1)),
        )
        .outcome
    else {
        panic!()
    };
    desk.lead(
        at(2025, 2, 2),
        Refer {
            opening,
            date: date(2025, 2, 2),
            household: None,
            bypass_reason: None,
        },
    );
    let mut log = desk.log();
    let policy = desk.workflow.policy();
    assert!(check_referral_ranks(&log, policy).is_empty());

    let last = log.last_mut().unwrap();
    let Event::ReferralOffered(offered) = &mut last.event else {
        panic!()
    };
    offered.rank = 2;
    let mismatches = check_referral_ranks(&log, policy);
    assert_eq!(mismatches.len(), 1);
    assert_eq!((mismatches[0].recorded, mismatches[0].recomputed), (2, 1));
}

/// A `Correct` command built by hand must name the record as it stands: an
/// original edited by the caller (to slip an identity change past the
/// rules, which compare the correction with it) is refused.
#[test]
fn a_correction_whose_original_is_not_the_stored_record_is_refused() {
    let mut desk = Desk::new();
    let h = desk.enroll(HouseholdBuilder::single_adult("Coulee").placed_with_score(9));
    let enrollment = event_of(&desk, h, EventType::HouseholdEnrolled);
    let mut forged = desk
        .log()
        .into_iter()
        .find(|e| e.event_id == enrollment)
        .unwrap();
    let Event::HouseholdEnrolled(e) = &mut forged.event else {
        panic!("an enrollment")
    };
    e.agency = Some(AgencyId("Someone else".into()));
    let before = desk.workflow.store().next_position().unwrap();
    let meta = desk.meta(at(2025, 2, 1));
    let err = desk
        .workflow
        .execute(
            &meta,
            Correct {
                household: h,
                original: Box::new(forged),
                patch: json!({"coalition": "Coulee"}),
                reason: "typo".into(),
            },
        )
        .unwrap_err();
    assert!(
        matches!(
            err.rejection(),
            Some(Rejection::NotCorrectable {
                why: NotCorrectableReason::NotAsStored,
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(desk.workflow.store().next_position().unwrap(), before);
}

//! `Workflow::run`: each command's typed result, and a command id reused by
//! another kind of command.

#![allow(clippy::expect_used)]

use ce_core::testing::{date, HouseholdBuilder};
use ce_core::{
    Actor, Assess, Coalition, CommandMeta, Error, MemoryStore, PostOpening, ProgramType, Refer,
    Role, Timestamp, Workflow,
};

fn entered(role: Role, agency: &str, at: &str) -> CommandMeta {
    let at: Timestamp = at.parse().expect("a time");
    CommandMeta::new(Actor::new("staff", agency, role), at)
}

#[test]
fn run_gives_each_command_its_own_result_and_a_retry_the_same_one() {
    let workflow = Workflow::open(MemoryStore::new()).unwrap();
    let access = entered(Role::Access, "Couleecap", "2025-03-05T12:00:00Z");
    let enroll = HouseholdBuilder::single_adult("Coulee").disabled().enroll;
    let household = workflow.run(&access, enroll.clone()).unwrap();
    // The same command id again: the stored result, nothing written.
    assert_eq!(workflow.run(&access, enroll).unwrap(), household);
    let assess = Assess::placed(household, date(2025, 3, 4), 12);
    let meta = entered(Role::Access, "Couleecap", "2025-03-05T12:00:00Z");
    workflow.run(&meta, assess.clone()).unwrap();

    let provider = entered(
        Role::Provider,
        "Coulee Housing Authority",
        "2025-04-02T12:00:00Z",
    );
    let coulee = Coalition::new("Coulee");
    let post = PostOpening::new("Coulee PSH", ProgramType::Psh, coulee, date(2025, 4, 1));
    let opening = workflow.run(&provider, post).unwrap();
    let lead = entered(Role::Lead, "BoS CE", "2025-04-02T12:00:00Z");
    let referred = workflow
        .run(&lead, Refer::top(opening, date(2025, 4, 2)))
        .unwrap();
    assert_eq!((referred.household, referred.rank), (household, 1));

    // The enrollment's id with an assessment: the store holds an
    // enrollment's result under it.
    let err = workflow.run(&access, assess).unwrap_err();
    assert!(
        matches!(err, Error::CommandIdReused(id) if id == access.command_id),
        "{err}"
    );
    assert_eq!(workflow.caught_up().unwrap().households().len(), 1);
}

#[test]
fn commands_with_optional_fields_start_from_a_constructor() {
    use ce_core::hud::{CeEventType, Destination, ReferralResult};
    use ce_core::{Exit, RecordCeEvent, RemoveMember};

    let workflow = Workflow::open(MemoryStore::new()).unwrap();
    let at = |day: u32| {
        entered(
            Role::Access,
            "Couleecap",
            &format!("2025-03-{day:02}T12:00:00Z"),
        )
    };
    let family = HouseholdBuilder::single_adult("Coulee").with_child();
    let child = family.enroll.members[1].client;
    let household = workflow.run(&at(5), family.enroll).unwrap();

    let referral = RecordCeEvent {
        location: Some("Couleecap RRH".to_owned()),
        result: Some(ReferralResult::SuccessfulClientAccepted),
        result_date: Some(date(2025, 3, 7)),
        ..RecordCeEvent::new(
            household,
            date(2025, 3, 6),
            CeEventType::ReferralToRapidReHousing,
        )
    };
    workflow.run(&at(8), referral).unwrap();
    workflow
        .run(
            &at(9),
            RemoveMember::new(household, date(2025, 3, 9), child),
        )
        .unwrap();
    let exit = Exit::new(
        household,
        date(2025, 3, 10),
        Destination::RENTAL_NO_SUBSIDY,
        "Moved into an apartment.",
    );
    workflow.run(&at(10), exit).unwrap();

    let caseload = workflow.caught_up().unwrap();
    let state = &caseload.households()[&household];
    assert_eq!(state.members.len(), 1);
    assert!(state.is_exited(), "{:?}", state.status);
}

#[test]
fn a_record_is_corrected_to_its_right_value_without_writing_a_patch() {
    use ce_core::{AssessmentRecorded, Event, NotCorrectableReason, Rejection};

    let workflow = Workflow::open(MemoryStore::new()).unwrap();
    let access = |day: u32| {
        entered(
            Role::Access,
            "Couleecap",
            &format!("2025-03-{day:02}T12:00:00Z"),
        )
    };
    let enroll = HouseholdBuilder::single_adult("Coulee").enroll;
    let household = workflow.run(&access(5), enroll).unwrap();
    let assessed = workflow
        .execute(&access(6), Assess::placed(household, date(2025, 3, 6), 9))
        .unwrap();
    let stored = &assessed.events[0];
    let Event::AssessmentRecorded(recorded) = &stored.event else {
        panic!(
            "an assessment records AssessmentRecorded: {:?}",
            stored.event
        );
    };

    // The score was mistyped: 12, not 9.
    let mut right = recorded.assessment.clone();
    right.score = Some(12);
    let corrected = Event::AssessmentRecorded(AssessmentRecorded {
        assessment: right.clone(),
        ..recorded.clone()
    });
    workflow
        .correct_to(
            &access(7),
            household,
            stored.event_id,
            &corrected,
            "Score was mistyped",
        )
        .unwrap();
    let score = |w: &Workflow<MemoryStore>| w.caught_up().unwrap().households()[&household].score();
    assert_eq!(score(&workflow), Some(12));

    // A correction starts from the record as it stands: back to 9 is a
    // change, and a change of the location alone names the location only.
    let mut back = right.clone();
    back.score = Some(9);
    let to_nine = Event::AssessmentRecorded(AssessmentRecorded {
        assessment: back,
        ..recorded.clone()
    });
    workflow
        .correct_to(&access(7), household, stored.event_id, &to_nine, "It was 9")
        .unwrap();
    assert_eq!(score(&workflow), Some(9));
    let mut moved = right.clone();
    moved.score = Some(9);
    moved.location = "Couleecap, La Crosse".to_owned();
    let located = Event::AssessmentRecorded(AssessmentRecorded {
        assessment: moved,
        ..recorded.clone()
    });
    let executed = workflow
        .correct_to(
            &access(7),
            household,
            stored.event_id,
            &located,
            "Where it was done",
        )
        .unwrap();
    let Event::EventCorrected(correction) = &executed.events[0].event else {
        panic!("a correction records EventCorrected");
    };
    assert_eq!(correction.fields, ["assessment.location"]);
    assert_eq!(score(&workflow), Some(9));

    // A field the right record does not have is removed (a null in the
    // patch), not kept.
    right.score = None;
    let unscored = Event::AssessmentRecorded(AssessmentRecorded {
        assessment: right,
        ..recorded.clone()
    });
    workflow
        .correct_to(
            &access(8),
            household,
            stored.event_id,
            &unscored,
            "Not scored after all",
        )
        .unwrap();
    assert_eq!(score(&workflow), None);

    // A record of another kind is no correction.
    let enrolled = workflow.history(household).unwrap()[0].event.clone();
    let err = workflow
        .correct_to(
            &access(9),
            household,
            stored.event_id,
            &enrolled,
            "Wrong record",
        )
        .unwrap_err();
    assert!(
        matches!(
            err.rejection(),
            Some(Rejection::NotCorrectable {
                why: NotCorrectableReason::KindChanged,
                ..
            })
        ),
        "{err}"
    );
}

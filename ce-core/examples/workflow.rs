//! The CE workflow end to end on the in-memory store: enroll three
//! households in one coalition, assess them, follow up, print the ranked PSH
//! and RRH lists; then post a PSH opening, refer the top household, record a
//! client decline, refer the next household and accept.
//!
//! Run: `cargo run -p ce-core --example workflow`

use ce_core::hud::{
    AssessmentLevel, AssessmentType, CurrentSituation, MonthsHomeless, NoYesReasons,
    PriorSituation, PrioritizationStatus, RelationshipToHoH, TimesHomeless,
};
use ce_core::report::PriorityListReport;
use ce_core::{CurrentLivingSituation, PriorLivingSituation, StatusUpdate, *};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

const COALITION: &str = "Coulee";

/// Hands out command ids and stamps every command with who and when.
struct Desk {
    next: u128,
    actor: Actor,
    now: DateTime<Utc>,
}

impl Desk {
    fn meta(&mut self) -> CommandMeta {
        self.next += 1;
        CommandMeta {
            command_id: CommandId::from_uuid(uuid::Uuid::from_u128(self.next)),
            actor: self.actor.clone(),
            recorded_at: self.now,
        }
    }
}

fn day(month: u32, day: u32) -> Result<NaiveDate, Box<dyn std::error::Error>> {
    NaiveDate::from_ymd_opt(2025, month, day).ok_or_else(|| "no such date".into())
}

fn head(client: u128, born: NaiveDate, disabled: bool) -> Member {
    Member {
        client: ClientId::from_uuid(uuid::Uuid::from_u128(client)),
        relationship: RelationshipToHoH::SelfHeadOfHousehold,
        birth_date: Some(born),
        veteran: NoYesReasons::No,
        disabling_condition: if disabled {
            NoYesReasons::Yes
        } else {
            NoYesReasons::No
        },
        first_name: None,
        last_name: None,
        age_band: None,
        sealed: None,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let workflow = Workflow::new(MemoryStore::new(), Policy::wi_bos_default())?;
    let mut desk = Desk {
        next: 0,
        actor: Actor::new("avery", "Couleecap access point", Role::Access),
        now: Utc
            .with_ymd_and_hms(2025, 6, 30, 16, 0, 0)
            .single()
            .ok_or("bad time")?,
    };
    let street = CurrentLivingSituation::new(CurrentSituation::PLACE_NOT_MEANT_FOR_HABITATION);

    // Part 1: three households. (client, born, disabled, episode start, times, months, score)
    let people = [
        (
            1,
            day(3, 14)?.with_year(1971),
            true,
            day(1, 2)?.with_year(2023),
            TimesHomeless::FourOrMoreTimes,
            MonthsHomeless::MoreThanTwelveMonths,
            10,
        ),
        (
            2,
            day(8, 2)?.with_year(1988),
            false,
            Some(day(2, 20)?),
            TimesHomeless::OneTime,
            MonthsHomeless::ThreeMonths,
            13,
        ),
        (
            3,
            day(11, 30)?.with_year(1995),
            true,
            day(9, 1)?.with_year(2024),
            TimesHomeless::TwoTimes,
            MonthsHomeless::NineMonths,
            9,
        ),
    ];
    let mut households = Vec::new();
    for (client, born, disabled, episode, times, months, score) in people {
        let born = born.ok_or("bad birth date")?;
        let enrolled = workflow.execute(
            &desk.meta(),
            Command::Enroll(Enroll {
                coalition: Coalition::new(COALITION),
                project_start: day(4, 1)?,
                members: vec![head(client, born, disabled)],
                prior: PriorLivingSituation {
                    stay: Default::default(),
                    living_situation: PriorSituation::PLACE_NOT_MEANT_FOR_HABITATION,
                    episode_start: episode,
                    times_homeless: times,
                    months_homeless: months,
                },
                current: street.clone(),
                referred_by: None,
                restricted: false,
            }),
        )?;
        let Outcome::Enrolled { household } = enrolled.outcome else {
            return Err("enroll did not enroll".into());
        };
        workflow.execute(
            &desk.meta(),
            Command::Assess(Assess {
                household,
                date: day(4, 2)?,
                location: "La Crosse access point".into(),
                assessment_type: AssessmentType::InPerson,
                level: AssessmentLevel::HousingNeedsAssessment,
                answers: vec![],
                results: vec![],
                score: Some(score),
                prioritization: PrioritizationStatus::PlacedOnPrioritizationList,
            }),
        )?;
        workflow.execute(
            &desk.meta(),
            Command::FollowUp(FollowUp {
                household,
                date: day(5, 15)?,
                status: StatusUpdate {
                    residence: PriorSituation::EMERGENCY_SHELTER,
                    months_homeless: months,
                },
                current: CurrentLivingSituation::new(CurrentSituation::EMERGENCY_SHELTER),
                note: "Staying at the shelter; wants an apartment in La Crosse.".into(),
            }),
        )?;
        households.push(household);
    }

    let key = |program| ListKey {
        coalition: Coalition::new(COALITION),
        program,
        household_type: ListHouseholdType::AdultsOnly,
    };
    let print = |program, title: &str, as_of| -> Result<(), Error> {
        let caseload = workflow.caught_up()?;
        let list = caseload.list(workflow.policy(), &key(program), as_of);
        println!(
            "== {title}\n{}",
            PriorityListReport::new(&caseload, &list, as_of)
        );
        Ok(())
    };
    print(ProgramType::Psh, "PSH list", day(6, 1)?)?;
    print(ProgramType::Rrh, "RRH list", day(6, 1)?)?;

    // Part 2: a provider posts a PSH opening; the CE lead refers the top household.
    desk.actor = Actor::new("sam", "Catholic Charities La Crosse", Role::Provider);
    let posted = workflow.execute(
        &desk.meta(),
        Command::PostOpening(PostOpening {
            date: day(6, 2)?,
            program: "Catholic Charities PSH".into(),
            program_type: ProgramType::Psh,
            coalition: Coalition::new(COALITION),
            household_types: vec![ListHouseholdType::AdultsOnly],
            chronic_only: false,
            veterans_only: false,
            units: 1,
        }),
    )?;
    let Outcome::Posted { opening } = posted.outcome else {
        return Err("post did not post".into());
    };
    let refer = |desk: &mut Desk, date| -> Result<ReferralId, Box<dyn std::error::Error>> {
        desk.actor = Actor::new("lee", "BoS CE", Role::Lead);
        let referred = workflow.execute(
            &desk.meta(),
            Command::Refer(Refer {
                opening,
                date,
                household: None,
                bypass_reason: None,
            }),
        )?;
        let Outcome::Referred {
            referral,
            household,
            rank,
        } = referred.outcome
        else {
            return Err("refer did not refer".into());
        };
        println!("referred household {household} (rank {rank}) as referral {referral}");
        Ok(referral)
    };
    let first = refer(&mut desk, day(6, 3)?)?;
    desk.actor = Actor::new("sam", "Catholic Charities La Crosse", Role::Provider);
    workflow.execute(
        &desk.meta(),
        Command::DeclineReferral(DeclineReferral {
            referral: first,
            date: day(6, 5)?,
            reason: "client-location".into(),
            text: None,
        }),
    )?;
    println!("client declined the location; the household keeps its place");
    let second = refer(&mut desk, day(6, 6)?)?;
    desk.actor = Actor::new("sam", "Catholic Charities La Crosse", Role::Provider);
    workflow.execute(
        &desk.meta(),
        Command::AcceptReferral(AcceptReferral {
            referral: second,
            date: day(6, 20)?,
        }),
    )?;
    println!("accepted; the opening is filled\n");
    print(
        ProgramType::Psh,
        "PSH list after the referral was accepted",
        day(6, 21)?,
    )?;
    Ok(())
}

trait WithYear {
    fn with_year(self, year: i32) -> Option<NaiveDate>;
}

impl WithYear for NaiveDate {
    fn with_year(self, year: i32) -> Option<NaiveDate> {
        chrono::Datelike::with_year(&self, year)
    }
}

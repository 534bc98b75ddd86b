//! ce embedded in another Rust HMIS tool: a sled store, the workflow under
//! the store's policy, seven commands, a household's history and the PSH
//! list read from the store's projections. Nothing but `ce_core` and
//! `ce_store_sled` is named.
//!
//! Run: `cargo run -p ce-store-sled --example embed`

use ce_core::hud::{CurrentSituation, MonthsHomeless, NoYesReasons, PriorSituation, TimesHomeless};
use ce_core::report::PriorityListReport;
use ce_core::{CurrentLivingSituation as Now, *};
use ce_store_sled::SledStore;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;
type Ce = Workflow<SledStore>;

/// Runs `command` as `actor` entered it at `at` (ce reads no clock).
fn run<C: TypedCommand>(ce: &Ce, actor: &Actor, at: &str, command: C) -> Result<C::Output> {
    Ok(ce.run(&CommandMeta::new(actor.clone(), at.parse()?), command)?)
}

fn main() -> Result<()> {
    let on = |date: &str| date.parse::<Date>();
    let access = Actor::new("avery", "Couleecap access point", Role::Access);
    let provider = Actor::new("sam", "Coulee Housing Authority", Role::Provider);
    let lead = Actor::new("lee", "BoS CE", Role::Lead);
    let ce = Workflow::open(SledStore::temporary()?)?;
    let street = Now::new(CurrentSituation::PLACE_NOT_MEANT_FOR_HABITATION);
    let (coulee, psh) = (Coalition::new("Coulee"), ProgramType::Psh);

    // Part 1: a chronically homeless adult enrolled, assessed and placed.
    let enroll = Enroll {
        coalition: coulee.clone(),
        project_start: on("2025-03-03")?,
        members: vec![Member {
            birth_date: Some(on("1984-06-14")?),
            veteran: NoYesReasons::No,
            disabling_condition: NoYesReasons::Yes,
            first_name: Some("Dana".into()),
            last_name: Some("Example".into()),
            ..Member::head(ClientId::random())
        }],
        prior: PriorLivingSituation {
            episode_start: Some(on("2023-11-20")?),
            times_homeless: TimesHomeless::FourOrMoreTimes,
            months_homeless: MonthsHomeless::MoreThanTwelveMonths,
            ..PriorLivingSituation::new(PriorSituation::PLACE_NOT_MEANT_FOR_HABITATION)
        },
        current: street.clone(),
        referred_by: None,
        restricted: false,
    };
    let household = run(&ce, &access, "2025-03-03T16:00:00Z", enroll)?;
    let assess = Assess::placed(household, on("2025-03-04")?, 14);
    run(&ce, &access, "2025-03-04T16:00:00Z", assess)?;

    // Follow-ups: with contact (a Status Update, 4.12 and a CE note) ...
    let status = StatusUpdate {
        residence: PriorSituation::PLACE_NOT_MEANT_FOR_HABITATION,
        months_homeless: MonthsHomeless::MoreThanTwelveMonths,
    };
    let note = "Still in the car; wants PSH.";
    let contact = FollowUp::contact(household, on("2025-04-01")?, status, street, note);
    run(&ce, &access, "2025-04-01T16:00:00Z", contact)?;
    // ... and without (a CE note about the attempt only).
    let phone = ContactMethod::Phone;
    let attempt = AttemptContact::new(household, on("2025-04-02")?, phone, "No answer.");
    run(&ce, &access, "2025-04-02T16:00:00Z", attempt)?;

    // Part 2: a PSH opening and the list it draws from (read from the
    // store's projections); the top household referred and accepted.
    let post = PostOpening::new("Coulee PSH", psh, coulee.clone(), on("2025-04-15")?);
    let opening = run(&ce, &provider, "2025-04-15T10:00:00Z", post)?;
    let key = ListKey::new(coulee, psh, ListHouseholdType::AdultsOnly);
    let list = |day: &str| -> Result<PriorityListReport> {
        Ok(ce.store().list_report(&key, on(day)?, 25)?)
    };
    print!("{}", list("2025-04-16")?);
    let refer = Refer::top(opening, on("2025-04-16")?);
    let referred = run(&ce, &lead, "2025-04-16T10:00:00Z", refer)?;
    println!("referred {} (rank {})", referred.household, referred.rank);
    let (referral, date) = (referred.referral, on("2025-04-22")?);
    run(
        &ce,
        &provider,
        "2025-04-22T10:00:00Z",
        AcceptReferral { referral, date },
    )?;

    // The audit trail: every event and what it changed; the list after.
    for entry in ce.history(household)? {
        let changes = entry.changes_line();
        println!("{} {}: {changes}", entry.effective, entry.event.label());
    }
    print!("{}", list("2025-04-23")?);
    Ok(())
}

//! From a page's form to the workflow command it asks for: each field
//! parsed on its own, so that a wrong one is named beside its input.

use ce_core::hud::{
    AssessmentLevel, AssessmentType, CeEventType, CurrentSituation, Destination, MonthsHomeless,
    NoYesReasons, PriorSituation, PrioritizationStatus, ReferralResult, RelationshipToHoH,
    TimesHomeless,
};
use ce_core::{
    AcceptReferral, AcknowledgeReferral, AddMember, Assess, AttemptContact, ChangeHead, ClientId,
    Command, DeclineReferral, Enroll, Exit, ExpireReferrals, FollowUp, HouseholdId,
    ListHouseholdType, OpeningId, PostOpening, ProgramType, RecordCeEvent, Refer, ReferralId,
    RemoveMember, Sweep, WithdrawOpening,
};
use ce_core::{ContactMethod, CurrentLivingSituation, Member, PriorLivingSituation, StatusUpdate};

use crate::app::Failure;
use crate::html::Fields;

/// The household forms, by their `form` field.
pub fn household_command(
    household: HouseholdId,
    form: &str,
    f: &Fields,
) -> Result<Command, Failure> {
    Ok(match form {
        "follow-up" => Command::FollowUp(FollowUp {
            household,
            date: f.date("date", "Contact date")?,
            status: StatusUpdate {
                residence: f.code::<PriorSituation>("residence", "Residence")?,
                months_homeless: f.code::<MonthsHomeless>("months_homeless", "Months homeless")?,
            },
            current: current(f)?,
            note: f.get("note").to_owned(),
        }),
        "attempt" => Command::AttemptContact(AttemptContact {
            household,
            date: f.date("date", "Attempt date")?,
            method: contact_method(f)?,
            left_message: f.checked("left_message"),
            note: f.get("note").to_owned(),
        }),
        "assess" => Command::Assess(Assess {
            household,
            date: f.date("date", "Assessment date")?,
            location: f.get("location").to_owned(),
            assessment_type: f.code::<AssessmentType>("assessment_type", "Assessment type")?,
            level: f.code::<AssessmentLevel>("level", "Assessment level")?,
            answers: Vec::new(),
            results: Vec::new(),
            score: match f.opt("score") {
                None => None,
                Some(s) => Some(s.parse().map_err(|_| {
                    Failure::field("score", format!("score {s:?} is not a whole number"))
                })?),
            },
            prioritization: f
                .code::<PrioritizationStatus>("prioritization", "Prioritization status")?,
        }),
        "exit" => Command::Exit(Exit {
            household,
            date: f.date("date", "Exit date")?,
            destination: f.code::<Destination>("destination", "3.12 Destination")?,
            destination_subsidy: None,
            member_destinations: Vec::new(),
            reason: f.get("reason").to_owned(),
        }),
        "ce-event" => Command::RecordCeEvent(RecordCeEvent {
            household,
            date: f.date("date", "4.20 EventDate")?,
            event: f.code::<CeEventType>("event", "4.20 Event")?,
            problem_solving_result: None,
            case_management_after: None,
            location: f.opt("location").map(str::to_owned),
            result: f.opt_code::<ReferralResult>("result", "4.20 ReferralResult")?,
            result_date: f.opt_date("result_date", "4.20 ResultDate")?,
        }),
        "add-member" => Command::AddMember(AddMember {
            household,
            date: f.date("date", "Date joined")?,
            member: member(
                f,
                f.code::<RelationshipToHoH>(
                    "relationship",
                    "3.15 Relationship to head of household",
                )?,
            )?,
        }),
        "remove-member" => Command::RemoveMember(RemoveMember {
            household,
            date: f.date("date", "Date left")?,
            client: f.parse::<ClientId>("client", "Member")?,
            destination: f.opt_code::<Destination>("destination", "3.12 Destination")?,
            destination_subsidy: None,
        }),
        "consent" => Command::RecordConsent(ce_core::RecordConsent {
            household,
            client: f.parse::<ClientId>("client", "Member")?,
            date: f.date("date", "Date answered")?,
            decision: match f.required("decision", "Answer")? {
                "given" => ce_core::ConsentDecision::Given,
                "refused" => ce_core::ConsentDecision::Refused,
                "revoked" => ce_core::ConsentDecision::Revoked,
                other => {
                    return Err(Failure::field(
                        "decision",
                        format!("{other:?} is not given, refused or revoked"),
                    ))
                }
            },
            scope: match f.required("scope", "Who may see the names")? {
                "coc" => ce_core::ConsentScope::Coc,
                "referrals" => ce_core::ConsentScope::Referrals,
                other => {
                    return Err(Failure::field(
                        "scope",
                        format!("{other:?} is not coc or referrals"),
                    ))
                }
            },
            expires: f.opt_date("expires", "Last day")?,
        }),
        "restrict" => Command::Restrict(ce_core::Restrict {
            household,
            date: f.date("date", "Date")?,
            restricted: f.checked("restricted"),
        }),
        "change-head" => Command::ChangeHead(ChangeHead {
            household,
            date: f.date("date", "Date")?,
            head: f.parse::<ClientId>("head", "New head of household")?,
            former_head_relationship: f.code::<RelationshipToHoH>(
                "former_head_relationship",
                "3.15 Former head's relationship to the new head",
            )?,
        }),
        other => {
            return Err(Failure::field(
                "form",
                format!("no household form {other:?}"),
            ))
        }
    })
}

fn current(f: &Fields) -> Result<CurrentLivingSituation, Failure> {
    let mut current = CurrentLivingSituation::new(
        f.code::<CurrentSituation>("living_situation", "4.12 Current living situation")?,
    );
    current.location_details = f.opt("location_details").map(str::to_owned);
    Ok(current)
}

fn contact_method(f: &Fields) -> Result<ContactMethod, Failure> {
    Ok(match f.required("method", "How staff tried")? {
        "phone" => ContactMethod::Phone,
        "email" => ContactMethod::Email,
        "text" => ContactMethod::Text,
        "in-person" => ContactMethod::InPerson,
        "other" => ContactMethod::Other,
        other => {
            return Err(Failure::field(
                "method",
                format!("{other:?} is not phone, email, text, in-person or other"),
            ))
        }
    })
}

fn member(f: &Fields, relationship: RelationshipToHoH) -> Result<Member, Failure> {
    let mut member = Member::head(ClientId::random());
    member.relationship = relationship;
    member.first_name = f.opt("first_name").map(str::to_owned);
    member.last_name = f.opt("last_name").map(str::to_owned);
    member.birth_date = f.opt_date("birth_date", "3.03 Date of birth")?;
    member.age_band = match f.opt("age_band") {
        None => None,
        Some(_) => Some(f.parse::<ce_core::AgeBand>("age_band", "Age band at project start")?),
    };
    member.veteran = f.code::<NoYesReasons>("veteran", "3.07 Veteran status")?;
    member.disabling_condition =
        f.code::<NoYesReasons>("disabling_condition", "3.08 Disabling condition")?;
    Ok(member)
}

/// The enroll form: the head of household and the living situations.
pub fn enroll(f: &Fields) -> Result<Command, Failure> {
    let mut prior = PriorLivingSituation::new(
        f.code::<PriorSituation>("prior_situation", "3.917 Prior living situation")?,
    );
    prior.episode_start = f.opt_date("episode_start", "3.917 Date homelessness started")?;
    prior.times_homeless = f.code::<TimesHomeless>("times_homeless", "3.917 Times homeless")?;
    prior.months_homeless = f.code::<MonthsHomeless>("months_homeless", "3.917 Months homeless")?;
    Ok(Command::Enroll(Enroll {
        coalition: ce_core::Coalition(f.required("coalition", "Coalition")?.to_owned()),
        project_start: f.date("project_start", "Project start date")?,
        members: vec![member(f, RelationshipToHoH::SelfHeadOfHousehold)?],
        prior,
        current: current(f)?,
        referred_by: referred_by(f),
        restricted: f.checked("restricted"),
    }))
}

/// The referring agency of a household enrolled without personal data:
/// given when any of its three fields is (the rules name a missing one).
fn referred_by(f: &Fields) -> Option<ce_core::ReferralContact> {
    let given = ["referring_agency", "reference", "agency_contact"]
        .iter()
        .any(|name| f.opt(name).is_some());
    given.then(|| ce_core::ReferralContact {
        agency: ce_core::AgencyId(f.get("referring_agency").to_owned()),
        reference: f.get("reference").to_owned(),
        contact: f.get("agency_contact").to_owned(),
    })
}

/// The post-an-opening form.
pub fn post_opening(f: &Fields) -> Result<Command, Failure> {
    let household_types: Vec<ListHouseholdType> = ListHouseholdType::ALL
        .iter()
        .copied()
        .filter(|t| f.checked(&format!("type_{t}")))
        .collect();
    if household_types.is_empty() {
        return Err(Failure::field(
            "household_types",
            "choose at least one household type the opening serves",
        ));
    }
    Ok(Command::PostOpening(PostOpening {
        date: f.date("date", "Date posted")?,
        program: f.get("program").to_owned(),
        program_type: f.parse::<ProgramType>("program_type", "Program type")?,
        coalition: ce_core::Coalition(f.required("coalition", "Coalition")?.to_owned()),
        household_types,
        chronic_only: f.checked("chronic_only"),
        veterans_only: f.checked("veterans_only"),
        units: f
            .required("units", "Units")?
            .parse()
            .map_err(|_| Failure::field("units", "units is a whole number of at least 1"))?,
    }))
}

/// The opening and referral forms, by their `form` field.
pub fn opening_command(opening: OpeningId, form: &str, f: &Fields) -> Result<Command, Failure> {
    Ok(match form {
        "withdraw" => Command::WithdrawOpening(WithdrawOpening {
            opening,
            date: f.date("date", "Date withdrawn")?,
            reason: f.get("reason").to_owned(),
        }),
        "refer" => Command::Refer(Refer {
            opening,
            date: f.date("date", "Referral date")?,
            household: match f.opt("household") {
                None => None,
                Some(_) => Some(f.parse::<HouseholdId>("household", "Household")?),
            },
            bypass_reason: f.opt("bypass_reason").map(str::to_owned),
        }),
        other => return Err(Failure::field("form", format!("no opening form {other:?}"))),
    })
}

/// The referral forms, by their `form` field.
pub fn referral_command(referral: ReferralId, form: &str, f: &Fields) -> Result<Command, Failure> {
    Ok(match form {
        "acknowledge" => Command::AcknowledgeReferral(AcknowledgeReferral {
            referral,
            date: f.date("date", "Date")?,
        }),
        "accept" => Command::AcceptReferral(AcceptReferral {
            referral,
            date: f.date("date", "Date")?,
        }),
        "decline" => Command::DeclineReferral(DeclineReferral {
            referral,
            date: f.date("date", "Date")?,
            reason: f.required("reason", "Reason")?.into(),
            text: f.opt("text").map(str::to_owned),
        }),
        other => {
            return Err(Failure::field(
                "form",
                format!("no referral form {other:?}"),
            ))
        }
    })
}

/// The lead's sweep and expire forms.
pub fn lead_command(form: &str, f: &Fields) -> Result<Command, Failure> {
    let as_of = f.date("as_of", "As of")?;
    Ok(match form {
        "sweep" => Command::Sweep(Sweep { as_of }),
        "expire" => Command::ExpireReferrals(ExpireReferrals { as_of }),
        other => return Err(Failure::field("form", format!("no lead form {other:?}"))),
    })
}

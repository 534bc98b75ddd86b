//! Ready-made households and commands.

use chrono::NaiveDate;

use crate::command::{Assess, Enroll, FollowUp, PostOpening, RecordCeEvent};
use crate::hud::{
    AssessmentLevel, AssessmentType, CeEventType, CurrentSituation, MonthsHomeless, NoYesReasons,
    PriorSituation, PrioritizationStatus, RelationshipToHoH, TimesHomeless,
};
use crate::record::{CurrentLivingSituation, Member, PriorLivingSituation, StatusUpdate};
use crate::vocab::{ClientId, Coalition, HouseholdId, ListHouseholdType, ProgramType};

/// A calendar date; panics on an impossible date (test helper).
///
/// # Panics
/// If the date does not exist.
pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day)
        .unwrap_or_else(|| panic!("no such date {year}-{month}-{day}"))
}

/// A client id from a number, for readable tests.
pub fn client(n: u128) -> ClientId {
    ClientId(uuid::Uuid::from_u128(n))
}

/// 4.12 on the street.
pub fn on_the_street() -> CurrentLivingSituation {
    CurrentLivingSituation::new(CurrentSituation::PLACE_NOT_MEANT_FOR_HABITATION)
}

/// A follow-up with contact on the street.
pub fn follow_up(household: HouseholdId, on: NaiveDate, months: u8) -> FollowUp {
    FollowUp {
        household,
        date: on,
        status: StatusUpdate {
            residence: PriorSituation::PLACE_NOT_MEANT_FOR_HABITATION,
            months_homeless: MonthsHomeless::from_months(months)
                .unwrap_or(MonthsHomeless::OneMonth),
        },
        current: on_the_street(),
        note: "Talked about housing options; still outside.".to_owned(),
    }
}

/// A 4.20 event of `event` on the household, with no dependent field.
pub fn ce_event(household: HouseholdId, on: NaiveDate, event: CeEventType) -> RecordCeEvent {
    RecordCeEvent::new(household, on, event)
}

/// An opening serving every household type.
pub fn opening(program_type: ProgramType, coalition: &str, on: NaiveDate) -> PostOpening {
    PostOpening {
        date: on,
        program: format!("{coalition} {program_type} program"),
        program_type,
        coalition: Coalition::new(coalition),
        household_types: ListHouseholdType::ALL.to_vec(),
        chronic_only: false,
        veterans_only: false,
        units: 1,
    }
}

/// Builds an enrollment and the assessment that follows it.
#[derive(Debug, Clone)]
pub struct HouseholdBuilder {
    /// The enrollment.
    pub enroll: Enroll,
    /// The assessment recorded after it, if any.
    pub score: Option<u32>,
    /// Whether the assessment places the household on the lists.
    pub placed: bool,
}

impl HouseholdBuilder {
    /// A single adult (born 1980), enrolled 2025-01-06 from the street,
    /// 2 months homeless, no disability; not yet assessed.
    pub fn single_adult(coalition: &str) -> Self {
        Self {
            enroll: Enroll {
                coalition: Coalition::new(coalition),
                project_start: date(2025, 1, 6),
                members: vec![Member {
                    client: ClientId(uuid::Uuid::new_v4()),
                    relationship: RelationshipToHoH::SelfHeadOfHousehold,
                    birth_date: Some(date(1980, 5, 1)),
                    veteran: NoYesReasons::No,
                    disabling_condition: NoYesReasons::No,
                    first_name: None,
                    last_name: None,
                    age_band: None,
                    sealed: None,
                }],
                prior: PriorLivingSituation {
                    stay: Default::default(),
                    living_situation: PriorSituation::PLACE_NOT_MEANT_FOR_HABITATION,
                    episode_start: Some(date(2024, 11, 1)),
                    times_homeless: TimesHomeless::OneTime,
                    months_homeless: MonthsHomeless::TwoMonths,
                },
                current: on_the_street(),
                referred_by: None,
                restricted: false,
            },
            score: None,
            placed: false,
        }
    }

    /// Uses this client id for the head of household.
    pub fn client(mut self, id: ClientId) -> Self {
        if let Some(head) = self.enroll.members.first_mut() {
            head.client = id;
        }
        self
    }

    /// Enrolled without personal data, referred by `agency` under its
    /// reference `reference`: every member's birth date gives way to its
    /// age band at project start, and no name is given.
    pub fn referred_by(mut self, agency: &str, reference: &str) -> Self {
        let start = self.enroll.project_start;
        for member in &mut self.enroll.members {
            member.age_band = member.band_at(start);
            member.birth_date = None;
            member.first_name = None;
            member.last_name = None;
        }
        self.enroll.current.location_details = None;
        self.enroll.referred_by = Some(crate::record::ReferralContact {
            agency: crate::vocab::AgencyId(agency.to_owned()),
            reference: reference.to_owned(),
            contact: format!("{agency} front desk"),
        });
        self
    }

    /// Restricted (fleeing domestic violence) from enrollment.
    pub fn restricted(mut self) -> Self {
        self.enroll.restricted = true;
        self
    }

    /// The head of household is named `first last`.
    pub fn named(mut self, first: &str, last: &str) -> Self {
        if let Some(head) = self.enroll.members.first_mut() {
            head.first_name = Some(first.to_owned());
            head.last_name = Some(last.to_owned());
        }
        self
    }

    /// Enrolled on this date.
    pub fn starting(mut self, on: NaiveDate) -> Self {
        self.enroll.project_start = on;
        self
    }

    /// Chronically homeless: disabled, on the street since over a year
    /// before project start, 4+ times and 12+ months.
    pub fn chronic(mut self) -> Self {
        if let Some(head) = self.enroll.members.first_mut() {
            head.disabling_condition = NoYesReasons::Yes;
        }
        self.enroll.prior.episode_start = self
            .enroll
            .project_start
            .checked_sub_days(chrono::Days::new(400));
        self.enroll.prior.times_homeless = TimesHomeless::FourOrMoreTimes;
        self.enroll.prior.months_homeless = MonthsHomeless::MoreThanTwelveMonths;
        self
    }

    /// A head of household with a disabling condition.
    pub fn disabled(mut self) -> Self {
        if let Some(head) = self.enroll.members.first_mut() {
            head.disabling_condition = NoYesReasons::Yes;
        }
        self
    }

    /// A veteran head of household.
    pub fn veteran(mut self) -> Self {
        if let Some(head) = self.enroll.members.first_mut() {
            head.veteran = NoYesReasons::Yes;
        }
        self
    }

    /// Months homeless in the past three years.
    pub fn months_homeless(mut self, months: u8) -> Self {
        if let Some(m) = MonthsHomeless::from_months(months) {
            self.enroll.prior.months_homeless = m;
        }
        self
    }

    /// Adds a child born in 2018.
    pub fn with_child(mut self) -> Self {
        self.enroll.members.push(Member {
            client: ClientId(uuid::Uuid::new_v4()),
            relationship: RelationshipToHoH::Child,
            birth_date: Some(date(2018, 3, 3)),
            veteran: NoYesReasons::DataNotCollected,
            disabling_condition: NoYesReasons::No,
            first_name: None,
            last_name: None,
            age_band: None,
            sealed: None,
        });
        self
    }

    /// A head of household aged 20 at project start.
    pub fn youth(mut self) -> Self {
        let born = self
            .enroll
            .project_start
            .checked_sub_days(chrono::Days::new(20 * 365 + 10));
        if let Some(head) = self.enroll.members.first_mut() {
            head.birth_date = born;
        }
        self
    }

    /// Assessed the day after enrollment and placed on the lists.
    pub fn placed_with_score(mut self, score: u32) -> Self {
        self.score = Some(score);
        self.placed = true;
        self
    }

    /// Assessed the day after enrollment and not placed.
    pub fn not_placed(mut self) -> Self {
        self.placed = false;
        self.score = Some(0);
        self
    }

    /// The assessment command for `household`, if one is configured.
    pub fn assessment(&self, household: HouseholdId) -> Option<Assess> {
        self.score.map(|score| Assess {
            household,
            date: self.enroll.project_start + chrono::Days::new(1),
            location: "Access point".to_owned(),
            assessment_type: AssessmentType::InPerson,
            level: AssessmentLevel::HousingNeedsAssessment,
            answers: Vec::new(),
            results: Vec::new(),
            score: Some(score),
            prioritization: if self.placed {
                PrioritizationStatus::PlacedOnPrioritizationList
            } else {
                PrioritizationStatus::NotPlacedOnPrioritizationList
            },
        })
    }
}

//! The state of one household: a fold of its stream. `apply` never fails and
//! never decides.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::event::{Event, *};
use crate::hud::{
    Destination, LivingSituation, MonthsHomeless, PriorSituation, PrioritizationStatus,
    ReferralResult, RelationshipToHoH, TimesHomeless,
};
use crate::policy::DeclineConsequence;
use crate::record::{
    AgeBand, Assessment, ConsentDecision, ConsentScope, CurrentLivingSituation, Member,
    PriorLivingSituation, ReferralContact,
};
use crate::vocab::{
    Actor, AgencyId, ClientId, Coalition, HouseholdId, HouseholdType, OpeningId, ProgramType,
    ReferralId, Role,
};

/// Where a household stands in CE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
#[non_exhaustive]
pub enum HouseholdStatus {
    /// Enrolled and in contact.
    Active,
    /// No contact for too long; off every list until a contact within
    /// `inactivity_days` before `since`, or on or after it.
    Inactive {
        /// The sweep's as-of date.
        since: NaiveDate,
        /// The policy's days without contact the sweep applied.
        #[serde(default)]
        inactivity_days: u32,
    },
    /// Exited CE.
    Exited {
        /// Exit date.
        date: NaiveDate,
        /// 3.12 destination.
        destination: Destination,
    },
}

impl std::fmt::Display for HouseholdStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HouseholdStatus::Active => f.write_str("active"),
            HouseholdStatus::Inactive { since, .. } => write!(f, "inactive since {since}"),
            HouseholdStatus::Exited { date, destination } => {
                write!(f, "exited on {date} to {destination}")
            }
        }
    }
}

/// A live referral as the household sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveReferral {
    /// The referral.
    pub referral: ReferralId,
    /// Its opening.
    pub opening: OpeningId,
    /// The opening's program type.
    pub program_type: ProgramType,
    /// When it was offered.
    pub offered_on: NaiveDate,
}

/// One household's current state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Household {
    /// The household (CE enrollment).
    pub id: HouseholdId,
    /// Its coalition.
    pub coalition: Coalition,
    /// CE project start date.
    pub project_start: NaiveDate,
    /// Current members.
    pub members: Vec<Member>,
    /// 3.917 as collected at project start.
    pub prior: PriorLivingSituation,
    /// Residence from the latest Status Update (or 3.917).
    pub residence: PriorSituation,
    /// Months homeless from the latest Status Update (or 3.917).
    pub months_homeless: MonthsHomeless,
    /// Latest 4.12 Current Living Situation and its date.
    pub current: (NaiveDate, CurrentLivingSituation),
    /// Latest contact (project start counts as contact).
    pub last_contact: NaiveDate,
    /// Latest contact at which the household was literally homeless (or the
    /// project start): the current episode's known extent.
    pub last_homeless_contact: NaiveDate,
    /// Latest failed contact attempt.
    pub last_attempt: Option<NaiveDate>,
    /// Latest 4.19 assessment and its date.
    pub assessment: Option<(NaiveDate, Assessment)>,
    /// When the household was placed on the lists, while it is placed.
    pub placed_on: Option<NaiveDate>,
    /// Active, inactive or exited.
    pub status: HouseholdStatus,
    /// Referrals not yet resolved.
    pub live_referrals: Vec<LiveReferral>,
    /// Openings the household declined or was declined for (never re-offered).
    pub declined_openings: BTreeSet<OpeningId>,
    /// Off every list until this date (a decline's consequence).
    pub parked_until: Option<NaiveDate>,
    /// The referral the household accepted, if any.
    pub housed_by: Option<ReferralId>,
    /// The result date of a successful referral made in another system (a
    /// 4.20 event with result 1, or its event date when the result has
    /// none): the household enrolled elsewhere and leaves the lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub housed_elsewhere: Option<NaiveDate>,
    /// Date of the latest event of the household's stream.
    pub last_activity: NaiveDate,
    /// Members (and former members) who were erased: their names, birth
    /// dates and the household's notes read as erased.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub erased: Vec<ClientId>,
    /// Members who left the household.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_members: Vec<ClientId>,
    /// The agency that enrolled the household (unknown for households
    /// enrolled before ce recorded it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<AgencyId>,
    /// For a household enrolled without personal data, until its members
    /// are identified: the agency that holds the data and how to reach it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_by: Option<ReferralContact>,
    /// Restricted (fleeing domestic violence): names only for the CE lead
    /// and the owning agency.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub restricted: bool,
    /// The date of the latest change of the restriction: one entered late
    /// with an earlier date does not undo it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted_on: Option<NaiveDate>,
    /// Each member's latest answer to the release of information.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<Consent>,
}

/// A member's latest answer to the release of information (ROI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// The member.
    pub client: ClientId,
    /// Given, refused or revoked.
    pub decision: ConsentDecision,
    /// Whom it covers.
    pub scope: ConsentScope,
    /// The day the client answered.
    pub date: NaiveDate,
    /// The last day a given release holds, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

impl Consent {
    /// Whether the release is given and holds on `on`.
    pub fn holds_on(&self, on: NaiveDate) -> bool {
        self.decision == ConsentDecision::Given
            && self.date <= on
            && self.expires.is_none_or(|last| on <= last)
    }
}

impl Household {
    /// Starts the fold from the enrollment event.
    pub fn enrolled(event: &HouseholdEnrolled, date: NaiveDate) -> Self {
        Self {
            id: event.household,
            coalition: event.coalition.clone(),
            project_start: date,
            members: event.members.clone(),
            prior: event.prior.clone(),
            residence: event.prior.living_situation,
            months_homeless: event.prior.months_homeless,
            current: (date, event.current.clone()),
            last_contact: date,
            last_homeless_contact: date,
            last_attempt: None,
            assessment: None,
            placed_on: None,
            status: HouseholdStatus::Active,
            live_referrals: Vec::new(),
            declined_openings: BTreeSet::new(),
            parked_until: None,
            housed_by: None,
            housed_elsewhere: None,
            last_activity: date,
            erased: Vec::new(),
            former_members: Vec::new(),
            agency: event.agency.clone(),
            referred_by: event.referred_by.clone(),
            restricted: event.restricted,
            restricted_on: event.restricted.then_some(date),
            consents: Vec::new(),
        }
    }

    /// Applies one event of the household's stream dated `date`.
    pub fn apply(&mut self, event: &Event, date: NaiveDate) {
        // An erasure is about the record, not the household's activity: it
        // moves neither the dates later entries are checked against nor
        // the retention period of the other members.
        if !matches!(event, Event::ClientErased(_)) {
            self.last_activity = self.last_activity.max(date);
        }
        match event {
            // A late-entered, backdated assessment does not replace a newer one.
            Event::AssessmentRecorded(e)
                if self.assessment.as_ref().is_some_and(|(d, _)| date < *d) =>
            {
                if e.contact {
                    self.contact_on(date);
                }
            }
            Event::AssessmentRecorded(e) => {
                if e.contact {
                    self.contact_on(date);
                }
                let placed =
                    e.assessment.prioritization == PrioritizationStatus::PlacedOnPrioritizationList;
                self.placed_on = match (placed, self.placed_on) {
                    (true, Some(since)) => Some(since),
                    (true, None) => Some(date),
                    (false, _) => None,
                };
                self.assessment = Some((date, e.assessment.clone()));
            }
            Event::ContactMade(e) => {
                // A late-entered, backdated contact does not replace a newer one.
                if date >= self.current.0 {
                    self.residence = e.status.residence;
                    self.months_homeless = e.status.months_homeless;
                    self.current = (date, e.current.clone());
                }
                if literally_homeless(e.current.living_situation.situation()) {
                    self.last_homeless_contact = self.last_homeless_contact.max(date);
                }
                self.contact_on(date);
            }
            Event::CeEventRecorded(e) => self.apply_ce_event(e, date),
            Event::ContactAttempted(_) => {
                self.last_attempt = Some(self.last_attempt.map_or(date, |d| d.max(date)));
            }
            Event::MemberAdded(e) => self.members.push(e.member.clone()),
            Event::MemberRemoved(e) => {
                self.members.retain(|m| m.client != e.client);
                if !self.former_members.contains(&e.client) {
                    self.former_members.push(e.client);
                }
            }
            Event::HeadOfHouseholdChanged(e) => {
                for member in &mut self.members {
                    if member.client == e.head {
                        member.relationship = RelationshipToHoH::SelfHeadOfHousehold;
                    } else if member.is_head() {
                        member.relationship = e.former_head_relationship;
                    }
                }
            }
            Event::HouseholdExited(e) => {
                self.status = HouseholdStatus::Exited {
                    date,
                    destination: e.destination,
                };
            }
            Event::HouseholdInactivated(e) => {
                self.status = HouseholdStatus::Inactive {
                    since: date,
                    inactivity_days: e.inactivity_days,
                };
            }
            Event::ReferralOffered(e) => self.live_referrals.push(LiveReferral {
                referral: e.referral,
                opening: e.opening,
                program_type: e.program_type,
                offered_on: date,
            }),
            Event::ReferralAcknowledged(_) => {}
            Event::ReferralAccepted(e) => {
                self.live_referrals.retain(|r| r.referral != e.referral);
                self.housed_by = Some(e.referral);
            }
            Event::ReferralDeclined(e) => {
                self.live_referrals.retain(|r| r.referral != e.referral);
                self.declined_openings.insert(e.opening);
                if let DeclineConsequence::Parked { days } = e.consequence {
                    // A stored event may carry any number of days (a backup
                    // from another policy, an edited line): the end of the
                    // calendar parks for good rather than overflowing.
                    let until = date
                        .checked_add_days(chrono::Days::new(u64::from(days)))
                        .unwrap_or(NaiveDate::MAX);
                    self.parked_until = Some(self.parked_until.map_or(until, |d| d.max(until)));
                }
            }
            Event::ReferralCancelled(e) => self.live_referrals.retain(|r| r.referral != e.referral),
            Event::ReferralExpired(e) => self.live_referrals.retain(|r| r.referral != e.referral),
            Event::EventCorrected(e) => self.apply_correction(&e.corrected, date),
            // Provenance of imported records: reports and exports read it.
            Event::HmisRecordsLinked(_) | Event::HmisRecordDeleted(_) => {}
            Event::PolicyAdopted(_) => {}
            Event::ClientErased(e) => self.erase(e.client),
            Event::ConsentRecorded(e) => self.record_consent(e, date),
            Event::HouseholdRestricted(e) => {
                if self.restricted_on.is_none_or(|on| on <= date) {
                    self.restricted = e.restricted;
                    self.restricted_on = Some(date);
                }
            }
            Event::HouseholdIdentified(e) => self.identify(e),
            Event::HouseholdEnrolled(_)
            | Event::ClientEnrollmentOpened(_)
            | Event::ClientEnrollmentClosed(_)
            | Event::OpeningPosted(_)
            | Event::OpeningWithdrawn(_) => {}
        }
    }

    /// What an erasure leaves of the state: the client's names and birth
    /// date gone, and every text staff wrote about the household (whose
    /// key goes with any member's) erased, exactly as a fresh fold of the
    /// log reads once the keys are deleted.
    fn erase(&mut self, client: ClientId) {
        if !self.erased.contains(&client) {
            self.erased.push(client);
        }
        let erased = || crate::record::ERASED.to_owned();
        for member in self.members.iter_mut().filter(|m| m.client == client) {
            let had_data = member.first_name.is_some()
                || member.last_name.is_some()
                || member.birth_date.is_some();
            if had_data || member.sealed.is_some() {
                member.first_name = None;
                member.last_name = None;
                member.birth_date = None;
                member.sealed = Some(erased());
            }
        }
        if let Some((_, assessment)) = &mut self.assessment {
            assessment.location = erased();
            for answer in &mut assessment.answers {
                answer.answer = erased();
            }
            for result in &mut assessment.results {
                result.result = erased();
            }
        }
        if let Some(details) = &mut self.current.1.location_details {
            *details = erased();
        }
    }

    /// A late-entered, backdated answer does not replace a newer one.
    fn record_consent(&mut self, e: &ConsentRecorded, date: NaiveDate) {
        let consent = Consent {
            client: e.client,
            decision: e.decision,
            scope: e.scope,
            date,
            expires: e.expires,
        };
        match self.consents.iter_mut().find(|c| c.client == e.client) {
            Some(latest) if latest.date <= date => *latest = consent,
            Some(_) => {}
            None => self.consents.push(consent),
        }
    }

    /// The members' names and birth dates are recorded; everything the
    /// policy ranks by (the age bands, the list date) stays as it was.
    fn identify(&mut self, e: &HouseholdIdentified) {
        for known in &e.members {
            if let Some(member) = self.members.iter_mut().find(|m| m.client == known.client) {
                member.first_name = known.first_name.clone();
                member.last_name = known.last_name.clone();
                member.birth_date = known.birth_date;
                member.sealed = known.sealed.clone();
            }
        }
        self.referred_by = None;
    }

    /// Contact with the household on `date`.
    fn contact_on(&mut self, date: NaiveDate) {
        self.last_contact = self.last_contact.max(date);
        if let HouseholdStatus::Inactive {
            since,
            inactivity_days,
        } = self.status
        {
            if contact_undoes_inactivation(date, since, inactivity_days) {
                self.status = HouseholdStatus::Active;
            }
        }
    }

    fn apply_ce_event(&mut self, e: &CeEventRecorded, date: NaiveDate) {
        if e.result == Some(ReferralResult::SuccessfulClientAccepted) {
            let on = e.result_date.unwrap_or(date);
            self.housed_elsewhere = Some(self.housed_elsewhere.map_or(on, |d| d.min(on)));
        }
    }

    /// Replaces what the corrected event had set, where state still shows it.
    fn apply_correction(&mut self, corrected: &Event, date: NaiveDate) {
        match corrected {
            Event::CeEventRecorded(e) => self.apply_ce_event(e, date),
            Event::HouseholdEnrolled(e) => {
                self.coalition = e.coalition.clone();
                // A correction fixes the referring agency's reference and
                // contact; the owner and whether names are held have
                // commands of their own.
                if let (Some(held), Some(fixed)) = (&mut self.referred_by, &e.referred_by) {
                    held.reference = fixed.reference.clone();
                    held.contact = fixed.contact.clone();
                }
                for fixed in &e.members {
                    if let Some(member) = self.members.iter_mut().find(|m| m.client == fixed.client)
                    {
                        // A correction fixes what was entered at enrollment;
                        // who is head now is the membership changes' to say
                        // (a correction cannot change relationships).
                        let identified_since =
                            e.referred_by.is_some() && self.referred_by.is_none();
                        let known = member.clone();
                        *member = Member {
                            relationship: member.relationship,
                            ..fixed.clone()
                        };
                        // The enrollment had no names to correct: those
                        // recorded when the household was identified stay.
                        if identified_since {
                            member.first_name = known.first_name;
                            member.last_name = known.last_name;
                            member.birth_date = known.birth_date;
                            member.sealed = known.sealed;
                        }
                    }
                }
                let from_enrollment = self.current.0 == self.project_start;
                self.prior = e.prior.clone();
                if from_enrollment {
                    self.residence = e.prior.living_situation;
                    self.months_homeless = e.prior.months_homeless;
                    self.current = (date, e.current.clone());
                }
            }
            Event::AssessmentRecorded(e) => {
                let current = self.assessment.as_ref().map(|(_, a)| a.assessment_id);
                if current == Some(e.assessment.assessment_id) {
                    let placed = e.assessment.prioritization
                        == PrioritizationStatus::PlacedOnPrioritizationList;
                    self.placed_on = match (placed, self.placed_on) {
                        (true, since) => since.or(Some(date)),
                        (false, _) => None,
                    };
                    if let Some((_, assessment)) = &mut self.assessment {
                        *assessment = e.assessment.clone();
                    }
                }
            }
            Event::ContactMade(e) if self.current.0 == date => {
                self.residence = e.status.residence;
                self.months_homeless = e.status.months_homeless;
                self.current = (date, e.current.clone());
            }
            Event::HouseholdExited(e) => {
                if let HouseholdStatus::Exited { destination, .. } = &mut self.status {
                    *destination = e.destination;
                }
            }
            _ => {}
        }
    }

    /// The head of household, if there is exactly one.
    pub fn head(&self) -> Option<&Member> {
        let mut heads = self.members.iter().filter(|m| m.is_head());
        match (heads.next(), heads.next()) {
            (Some(head), None) => Some(head),
            _ => None,
        }
    }

    /// True once the household accepted a referral, here or in another
    /// system: it is off every list.
    pub fn is_housed(&self) -> bool {
        self.housed_by.is_some() || self.housed_elsewhere.is_some()
    }

    /// True once the household exited.
    pub fn is_exited(&self) -> bool {
        matches!(self.status, HouseholdStatus::Exited { .. })
    }

    /// The assessment score, if the latest assessment has one.
    pub fn score(&self) -> Option<u32> {
        self.assessment.as_ref().and_then(|(_, a)| a.score)
    }

    /// Days from the start of the current episode to the latest contact at
    /// which the household was still literally homeless (or project start).
    pub fn episode_days(&self) -> Option<i64> {
        self.prior
            .episode_start
            .map(|start| (self.last_homeless_contact - start).num_days().max(0))
    }

    /// Whether the household is literally homeless at its latest contact
    /// (HUD category 1: street, emergency shelter, safe haven or TH).
    pub fn literally_homeless(&self) -> bool {
        literally_homeless(self.current.1.living_situation.situation())
    }

    /// Whether an adult member has a disabling condition.
    pub fn has_disabled_adult(&self) -> bool {
        self.members
            .iter()
            .any(|m| m.disabling_condition.is_yes() && self.is_adult(m))
    }

    /// Whether any member, adult or child, has a disabling condition.
    pub fn has_disabled_member(&self) -> bool {
        self.members.iter().any(|m| m.disabling_condition.is_yes())
    }

    /// Whether a member is a veteran.
    pub fn has_veteran(&self) -> bool {
        self.members.iter().any(|m| m.veteran.is_yes())
    }

    /// HUD's chronic homelessness check (24 CFR 578.3), on the head of
    /// household: disabling condition, homeless prior living situation (or an
    /// institution entered from the street, shown by an episode start), and a
    /// year-long episode or four occasions totalling twelve months. Months
    /// homeless come from the latest Status Update.
    pub fn is_chronic(&self) -> bool {
        let Some(head) = self.head() else {
            return false;
        };
        if !head.disabling_condition.is_yes() {
            return false;
        }
        let prior = self.prior.living_situation.situation();
        let homeless_before = prior.is_literally_homeless()
            || (prior.is_institutional() && self.prior.episode_start.is_some());
        if !homeless_before {
            return false;
        }
        let long_episode = self.episode_days().is_some_and(|days| days >= 365);
        let occasions = self.prior.times_homeless == TimesHomeless::FourOrMoreTimes
            && self.months_homeless.months().is_some_and(|m| m >= 12);
        long_episode || occasions
    }

    /// A member's age at project start, when the birth date is known.
    pub fn age(&self, member: &Member) -> Option<u32> {
        member.age_on(self.project_start)
    }

    /// A member's age band at project start: what the policy ranks by,
    /// recorded in clear (or, for a record from before bands were, the
    /// birth date's).
    pub fn age_band(&self, member: &Member) -> Option<AgeBand> {
        member.band_at(self.project_start)
    }

    /// Adults are 18 or older at project start; a member of unknown age
    /// counts as an adult unless recorded as a child of the head.
    pub fn is_adult(&self, member: &Member) -> bool {
        match self.age_band(member) {
            Some(band) => band.is_adult(),
            None => member.relationship != RelationshipToHoH::Child,
        }
    }

    /// HUD household type, by ages at project start.
    pub fn household_type(&self) -> HouseholdType {
        let adults = self.members.iter().filter(|m| self.is_adult(m)).count();
        let children = self.members.len() - adults;
        match (adults, children) {
            (_, 0) => HouseholdType::AdultsOnly,
            (0, _) => HouseholdType::ChildrenOnly,
            _ => HouseholdType::AdultsAndChildren,
        }
    }

    /// Youth household: every adult's band ends at `max_age` or younger
    /// (HUD's 18–24), or only children. Adults of unknown age are not
    /// youth.
    pub fn is_youth(&self, max_age: u32) -> bool {
        let mut adults = self.members.iter().filter(|m| self.is_adult(m)).peekable();
        if adults.peek().is_none() {
            return true;
        }
        adults.all(|m| {
            self.age_band(m)
                .and_then(AgeBand::max_age)
                .is_some_and(|oldest| oldest <= max_age)
        })
    }

    /// Whether a sweep on `date` finds the household lost to contact: it
    /// is active, not housed (a housed household waits for its exit), and
    /// its latest contact is `inactivity_days` or more before `date` ("no
    /// contact for 90 days": inactive on day 90).
    pub fn is_due_for_inactivity(&self, inactivity_days: u32, date: NaiveDate) -> bool {
        self.status == HouseholdStatus::Active
            && !self.is_housed()
            && self.days_since_contact(date) >= i64::from(inactivity_days)
    }

    /// Days since the latest contact, as of `date`.
    pub fn days_since_contact(&self, date: NaiveDate) -> i64 {
        (date - self.last_contact).num_days()
    }
}

/// Who may see whose names.
impl Household {
    /// The agency that owns the household's record: the referring agency
    /// of a household enrolled without personal data, otherwise the one
    /// that enrolled it.
    pub fn owner(&self) -> Option<&AgencyId> {
        self.referred_by
            .as_ref()
            .map(|contact| &contact.agency)
            .or(self.agency.as_ref())
    }

    /// Whether the household was enrolled without personal data and its
    /// members are not yet identified.
    pub fn is_without_personal_data(&self) -> bool {
        self.referred_by.is_some()
    }

    /// The member's release of information if it is given and holds on `on`.
    pub fn consent_on(&self, client: ClientId, on: NaiveDate) -> Option<&Consent> {
        self.consents
            .iter()
            .find(|c| c.client == client && c.holds_on(on))
    }

    /// Whether `viewer` may see the names and birth date of the member
    /// `client` on `on`. The CE lead and the owning agency always may;
    /// nobody else may see a restricted household's; otherwise the member's
    /// release of information decides: one for the whole CoC lets every
    /// partner agency see them, one for referrals only the agencies whose
    /// openings the household is referred to (`referred`).
    pub fn shows_names_of(
        &self,
        client: ClientId,
        viewer: &Actor,
        on: NaiveDate,
        referred: bool,
    ) -> bool {
        if viewer.role == Role::Lead || self.owner() == Some(&viewer.agency) {
            return true;
        }
        if self.restricted {
            return false;
        }
        match self.consent_on(client, on).map(|c| c.scope) {
            Some(ConsentScope::Coc) => true,
            Some(ConsentScope::Referrals) => referred,
            _ => false,
        }
    }

    /// The household as `viewer` may see it on `on`: the names and birth
    /// date of each member they may not see read [`WITHHELD`](crate::WITHHELD). Everything
    /// the policy ranks by stays, so the household keeps its place on every
    /// list.
    pub fn as_seen_by(&self, viewer: &Actor, on: NaiveDate, referred: bool) -> Household {
        self.withheld(
            |client| self.shows_names_of(client, viewer, on, referred),
            self.shows_locations_to(viewer),
        )
    }

    /// A copy with the names and birth date of every member `shows`
    /// refuses read [`WITHHELD`](crate::WITHHELD) (their age bands kept),
    /// and, unless `locations`, where the household stays and was assessed.
    pub fn withheld(&self, shows: impl Fn(ClientId) -> bool, locations: bool) -> Household {
        let mut seen = self.clone();
        for member in &mut seen.members {
            if !shows(member.client) {
                member.age_band = member.band_at(self.project_start);
                member.withhold();
            }
        }
        if !locations {
            let withheld = || crate::record::WITHHELD.to_owned();
            if seen.current.1.location_details.is_some() {
                seen.current.1.location_details = Some(withheld());
            }
            if let Some((_, assessment)) = &mut seen.assessment {
                assessment.location = withheld();
            }
        }
        seen
    }

    /// Every client the household ever had: its members, then those who
    /// left it.
    pub fn clients(&self) -> impl Iterator<Item = ClientId> + '_ {
        self.members
            .iter()
            .map(|m| m.client)
            .chain(self.former_members.iter().copied())
    }

    /// Whether `viewer` may see where a household stays and was assessed:
    /// anyone who may see the household, except for a restricted one,
    /// whose locations are the CE lead's and the owning agency's only.
    pub fn shows_locations_to(&self, viewer: &Actor) -> bool {
        !self.restricted || viewer.role == Role::Lead || self.owner() == Some(&viewer.agency)
    }
}

/// Whether a contact on `contact` brings back a household a sweep made
/// inactive on `since` for `inactivity_days` without contact: a contact on
/// or after the sweep does, and so does one entered late but dated within
/// the `inactivity_days` before it (the household was never that long
/// without contact, so the sweep would not have found it). An older contact
/// leaves it inactive: the sweep would have found it all the same.
pub(crate) fn contact_undoes_inactivation(
    contact: NaiveDate,
    since: NaiveDate,
    inactivity_days: u32,
) -> bool {
    contact >= since || (since - contact).num_days() < i64::from(inactivity_days)
}

/// HUD homeless category 1 as CE sees it: street, emergency shelter, safe
/// haven or transitional housing for homeless persons.
pub(crate) fn literally_homeless(situation: LivingSituation) -> bool {
    situation.is_literally_homeless() || situation == LivingSituation::TransitionalHousing
}

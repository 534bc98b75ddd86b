//! The log folded into HUD records: one per future CSV row, with corrections
//! applied, the log position that orders it, and when and by whom it was
//! created and last changed.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::format::derive_from;
use ce_core::hud::{
    CeEventType, Destination, NoYesMissing, ReferralResult, RelationshipToHoH, RentalSubsidyType,
};
use ce_core::{
    AgencyId, Assessment, AssessmentId, CeEventRecorded, ClientId, CurrentLivingSituation,
    Envelope, Event, EventId, HmisLink, HmisRecordsLinked, HouseholdId, Member, OpeningId,
    PriorLivingSituation, ProgramType, ReferralId, UserId,
};

/// When a record was created and last changed, and by whom.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stamp {
    /// Recorded-at time of the event that created it.
    pub created: DateTime<Utc>,
    /// Recorded-at time of the latest event that changed it.
    pub updated: DateTime<Utc>,
    /// Who made the latest change.
    pub user: UserId,
}

impl Stamp {
    fn new(envelope: &Envelope) -> Self {
        Self {
            created: envelope.recorded_at,
            updated: envelope.recorded_at,
            user: envelope.actor.user.clone(),
        }
    }

    fn touch(&mut self, envelope: &Envelope) {
        if envelope.recorded_at >= self.updated {
            self.updated = envelope.recorded_at;
            self.user = envelope.actor.user.clone();
        }
    }
}

/// One exit of one person's enrollment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExitRecord {
    /// The event that ended the enrollment.
    pub event: EventId,
    /// ExitID.
    pub id: Uuid,
    /// Exit date.
    pub date: NaiveDate,
    /// 3.12 destination; `None` for a member removed from the household.
    pub destination: Option<Destination>,
    /// 3.12.A DestinationSubsidyType.
    pub destination_subsidy: Option<RentalSubsidyType>,
    /// Log position of the event.
    pub position: u64,
    /// Trailer.
    pub stamp: Stamp,
}

/// One person's enrollment in a household (one Enrollment.csv row).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MemberRecord {
    /// The event that added the member.
    pub event: EventId,
    /// EnrollmentID.
    pub enrollment_id: Uuid,
    /// The member's facts (corrected) and current relationship.
    pub member: Member,
    /// EntryDate.
    pub entry: NaiveDate,
    /// Log position of the event that added the member, and its index there.
    pub order: (u64, usize),
    /// The member's exit, if any.
    pub exit: Option<ExitRecord>,
    /// Trailer.
    pub stamp: Stamp,
}

/// One CE enrollment of one household.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HouseholdRecord {
    /// HouseholdID.
    pub id: HouseholdId,
    /// Project start.
    pub project_start: NaiveDate,
    /// 3.917 (corrected).
    pub prior: PriorLivingSituation,
    /// Everyone who was ever a member, in order.
    pub members: Vec<MemberRecord>,
    /// The household's exit date, if it exited.
    pub exit: Option<NaiveDate>,
    /// Log position of the enrollment.
    pub position: u64,
    /// Enrolled without personal data and not yet identified: its
    /// referring agency holds its records, so HMIS gets none of them.
    pub without_personal_data: bool,
}

impl HouseholdRecord {
    /// The head of household's record (the current head).
    pub fn head(&self) -> Option<&MemberRecord> {
        self.members
            .iter()
            .find(|m| m.member.relationship == RelationshipToHoH::SelfHeadOfHousehold)
            .or_else(|| self.members.first())
    }
}

/// One 4.12 record (CurrentLivingSituation.csv row).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClsRecord {
    /// The event that recorded it (its id is the row id).
    pub event: EventId,
    /// Recorded with the enrollment (the same-day 4.12).
    pub from_enrollment: bool,
    /// The household.
    pub household: HouseholdId,
    /// Information date.
    pub date: NaiveDate,
    /// The situation (corrected).
    pub current: CurrentLivingSituation,
    /// Log position.
    pub position: u64,
    /// Trailer.
    pub stamp: Stamp,
}

/// One 4.19 assessment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AssessmentRecord {
    /// The event that recorded it.
    pub event: EventId,
    /// The household.
    pub household: HouseholdId,
    /// Assessment date.
    pub date: NaiveDate,
    /// The assessment (corrected).
    pub assessment: Assessment,
    /// Log position.
    pub position: u64,
    /// Trailer.
    pub stamp: Stamp,
}

/// One 4.20 referral.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReferralRecord {
    /// The referral.
    pub id: ReferralId,
    /// The household.
    pub household: HouseholdId,
    /// Event date.
    pub date: NaiveDate,
    /// 4.20 code.
    pub event: CeEventType,
    /// The receiving program.
    pub location: String,
    /// Its agency.
    pub agency: AgencyId,
    /// Result and result date, once resolved.
    pub result: Option<(ReferralResult, NaiveDate)>,
    /// Log position of the offer.
    pub position: u64,
    /// Trailer.
    pub stamp: Stamp,
}

/// One 4.20 event that is not an offer of one of ce's openings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CeEventRecord {
    /// The event that recorded it (its id is the row id).
    pub id: EventId,
    /// The household.
    pub household: HouseholdId,
    /// Event date.
    pub date: NaiveDate,
    /// The event (corrected).
    pub event: CeEventRecorded,
    /// Log position.
    pub position: u64,
    /// Trailer.
    pub stamp: Stamp,
}

/// One receiving program (a Project.csv row), from its openings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProgramRecord {
    /// Owning agency.
    pub agency: AgencyId,
    /// Program name.
    pub name: String,
    /// Program type of its first opening.
    pub program_type: ProgramType,
    /// The first opening's posting date.
    pub first_posted: NaiveDate,
    /// Trailer.
    pub stamp: Stamp,
}

/// One Event.csv row as the reports read it: a referral to one of ce's
/// openings or a 4.20 event recorded on the household.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct HudEvent {
    /// The household.
    pub household: HouseholdId,
    /// EventDate.
    pub date: NaiveDate,
    /// Log position (orders events of one day).
    pub position: u64,
    /// 4.20 Event.
    pub event: CeEventType,
    /// ProbSolDivRRResult.
    pub problem_solving_result: Option<NoYesMissing>,
    /// ReferralCaseManageAfter.
    pub case_management_after: Option<NoYesMissing>,
    /// ReferralResult.
    pub result: Option<ReferralResult>,
    /// ResultDate.
    pub result_date: Option<NaiveDate>,
}

/// What an event created, so that its correction finds it.
#[derive(Debug, Clone, Copy)]
enum Created {
    Household(HouseholdId),
    Assessment(AssessmentId),
    Contact,
    CeEvent,
}

/// What imports linked: the source's ids of the rows ce recorded.
#[derive(Debug, Clone, Default)]
pub(crate) struct SourceIds {
    /// Per event, its source rows (several for an assessment's questions).
    rows: HashMap<EventId, Vec<HmisLink>>,
    /// PersonalID per client.
    clients: HashMap<ClientId, String>,
    /// HouseholdID per household.
    households: HashMap<HouseholdId, String>,
}

impl SourceIds {
    fn link(&mut self, household: Option<HouseholdId>, e: &HmisRecordsLinked) {
        if let (Some(h), Some(id)) = (household, &e.household_id) {
            self.households.insert(h, id.clone());
        }
        for (client, id) in e.client_ids() {
            self.clients.insert(client, id.to_owned());
        }
        for link in &e.links {
            let rows = self.rows.entry(link.event).or_default();
            match rows
                .iter_mut()
                .find(|l| l.file == link.file && l.id == link.id)
            {
                Some(known) => *known = link.clone(),
                None => rows.push(link.clone()),
            }
        }
    }

    /// The `n`th source row of `file` recorded by `event` (for `client`,
    /// when given).
    pub fn row(
        &self,
        event: EventId,
        file: &str,
        client: Option<ClientId>,
        n: usize,
    ) -> Option<&HmisLink> {
        self.rows
            .get(&event)?
            .iter()
            .filter(|l| l.file == file && (client.is_none() || l.client == client))
            .nth(n)
    }

    /// The source's id of the `n`th row of `file` recorded by `event`.
    pub fn id(
        &self,
        event: EventId,
        file: &str,
        client: Option<ClientId>,
        n: usize,
    ) -> Option<String> {
        self.row(event, file, client, n).map(|l| l.id.clone())
    }

    /// Whether an import recorded the event (it has source rows).
    pub fn imported(&self, event: EventId) -> bool {
        self.rows.contains_key(&event)
    }

    /// The source's PersonalID of a client.
    pub fn client(&self, client: ClientId) -> Option<&str> {
        self.clients.get(&client).map(String::as_str)
    }

    /// The source's HouseholdID of a household.
    pub fn household(&self, household: HouseholdId) -> Option<&str> {
        self.households.get(&household).map(String::as_str)
    }

    /// The source's DateUpdated of a row, when later than `stamp`'s.
    fn touch(&self, stamp: &mut Stamp, event: EventId, file: &str, client: Option<ClientId>) {
        if let Some(updated) = self.row(event, file, client, 0).and_then(|l| l.updated) {
            if updated > stamp.updated {
                stamp.updated = updated;
            }
        }
    }
}

/// The whole log as HUD records.
#[derive(Debug, Clone, Default)]
pub(crate) struct HudRecords {
    /// The source ids of imported rows.
    pub source: SourceIds,
    pub households: BTreeMap<HouseholdId, HouseholdRecord>,
    pub cls: BTreeMap<EventId, ClsRecord>,
    pub assessments: BTreeMap<AssessmentId, AssessmentRecord>,
    pub referrals: BTreeMap<ReferralId, ReferralRecord>,
    pub ce_events: BTreeMap<EventId, CeEventRecord>,
    pub programs: BTreeMap<(AgencyId, String), ProgramRecord>,
    /// The first enrollment: its project start and recorded-at time.
    pub first_enrollment: Option<(NaiveDate, DateTime<Utc>)>,
    openings: HashMap<OpeningId, (AgencyId, String)>,
    created: HashMap<EventId, Created>,
}

fn member_record(
    envelope: &Envelope,
    member: &Member,
    index: usize,
    entry: NaiveDate,
) -> MemberRecord {
    MemberRecord {
        event: envelope.event_id,
        enrollment_id: derive_from(envelope.event_id.as_uuid(), "enrollment", index as u64),
        member: member.clone(),
        entry,
        order: (envelope.position, index),
        exit: None,
        stamp: Stamp::new(envelope),
    }
}

impl HudRecords {
    /// Folds a log, in log order.
    pub fn fold<'a>(log: impl IntoIterator<Item = &'a Envelope>) -> Self {
        let mut records = Self::default();
        for envelope in log {
            records.apply(envelope);
        }
        records.apply_source_dates();
        records
    }

    fn household_of(envelope: &Envelope) -> Option<HouseholdId> {
        envelope
            .streams
            .iter()
            .find_map(|sv| ce_core::audit::household_of(&sv.stream))
    }

    fn apply(&mut self, envelope: &Envelope) {
        let date = envelope.effective;
        let household = Self::household_of(envelope);
        match &envelope.event {
            Event::HouseholdEnrolled(e) => {
                let members = e
                    .members
                    .iter()
                    .enumerate()
                    .map(|(i, m)| member_record(envelope, m, i, date))
                    .collect();
                self.households.insert(
                    e.household,
                    HouseholdRecord {
                        id: e.household,
                        project_start: date,
                        prior: e.prior.clone(),
                        members,
                        exit: None,
                        position: envelope.position,
                        without_personal_data: e.referred_by.is_some(),
                    },
                );
                self.add_cls(envelope, e.household, &e.current, true);
                self.created
                    .insert(envelope.event_id, Created::Household(e.household));
                let first = (date, envelope.recorded_at);
                self.first_enrollment = Some(self.first_enrollment.map_or(first, |f| f.min(first)));
            }
            Event::AssessmentRecorded(e) => {
                let Some(household) = household else { return };
                self.assessments.insert(
                    e.assessment.assessment_id,
                    AssessmentRecord {
                        event: envelope.event_id,
                        household,
                        date,
                        assessment: e.assessment.clone(),
                        position: envelope.position,
                        stamp: Stamp::new(envelope),
                    },
                );
                self.created.insert(
                    envelope.event_id,
                    Created::Assessment(e.assessment.assessment_id),
                );
            }
            Event::ContactMade(e) => {
                let Some(household) = household else { return };
                self.add_cls(envelope, household, &e.current, false);
                self.created.insert(envelope.event_id, Created::Contact);
            }
            Event::CeEventRecorded(e) => {
                let Some(household) = household else { return };
                self.ce_events.insert(
                    envelope.event_id,
                    CeEventRecord {
                        id: envelope.event_id,
                        household,
                        date,
                        event: e.clone(),
                        position: envelope.position,
                        stamp: Stamp::new(envelope),
                    },
                );
                self.created.insert(envelope.event_id, Created::CeEvent);
            }
            Event::MemberAdded(e) => {
                let Some(h) = household.and_then(|h| self.households.get_mut(&h)) else {
                    return;
                };
                let index = h.members.len();
                h.members
                    .push(member_record(envelope, &e.member, index, date));
            }
            Event::MemberRemoved(e) => {
                let Some(h) = household.and_then(|h| self.households.get_mut(&h)) else {
                    return;
                };
                if let Some(m) = h
                    .members
                    .iter_mut()
                    .rev()
                    .find(|m| m.member.client == e.client && m.exit.is_none())
                {
                    m.exit = Some(exit_record(
                        envelope,
                        e.client,
                        e.destination,
                        e.destination_subsidy,
                    ));
                }
            }
            Event::HeadOfHouseholdChanged(e) => {
                let Some(h) = household.and_then(|h| self.households.get_mut(&h)) else {
                    return;
                };
                for m in h.members.iter_mut().filter(|m| m.exit.is_none()) {
                    let relationship = if m.member.client == e.head {
                        RelationshipToHoH::SelfHeadOfHousehold
                    } else if m.member.is_head() {
                        e.former_head_relationship
                    } else {
                        continue;
                    };
                    if m.member.relationship != relationship {
                        m.member.relationship = relationship;
                        m.stamp.touch(envelope);
                    }
                }
            }
            Event::HouseholdExited(e) => {
                let Some(h) = household.and_then(|h| self.households.get_mut(&h)) else {
                    return;
                };
                h.exit = Some(date);
                for m in h.members.iter_mut().filter(|m| m.exit.is_none()) {
                    let client = m.member.client;
                    let (destination, subsidy) = e
                        .member_destinations
                        .iter()
                        .find(|d| d.client == client)
                        .map_or((e.destination, e.destination_subsidy), |d| {
                            (d.destination, d.subsidy)
                        });
                    m.exit = Some(exit_record(envelope, client, Some(destination), subsidy));
                }
            }
            Event::OpeningPosted(e) => {
                self.openings
                    .insert(e.opening, (e.agency.clone(), e.program.clone()));
                let key = (e.agency.clone(), e.program.clone());
                match self.programs.get_mut(&key) {
                    Some(p) => {
                        p.first_posted = p.first_posted.min(date);
                        p.stamp.touch(envelope);
                    }
                    None => {
                        self.programs.insert(
                            key,
                            ProgramRecord {
                                agency: e.agency.clone(),
                                name: e.program.clone(),
                                program_type: e.program_type,
                                first_posted: date,
                                stamp: Stamp::new(envelope),
                            },
                        );
                    }
                }
            }
            Event::ReferralOffered(e) => {
                let agency = self
                    .openings
                    .get(&e.opening)
                    .map(|(a, _)| a.clone())
                    .unwrap_or_else(|| envelope.actor.agency.clone());
                self.referrals.insert(
                    e.referral,
                    ReferralRecord {
                        id: e.referral,
                        household: e.household,
                        date,
                        event: e.event,
                        location: e.location.clone(),
                        agency,
                        result: None,
                        position: envelope.position,
                        stamp: Stamp::new(envelope),
                    },
                );
            }
            Event::ReferralAccepted(e) => self.resolve(
                envelope,
                e.referral,
                ReferralResult::SuccessfulClientAccepted,
            ),
            Event::ReferralDeclined(e) => self.resolve(envelope, e.referral, e.result),
            Event::EventCorrected(e) => self.correct(envelope, e.corrects, &e.corrected),
            Event::HmisRecordsLinked(e) => self.source.link(household, e),
            Event::HouseholdIdentified(e) => {
                let Some(h) = household.and_then(|h| self.households.get_mut(&h)) else {
                    return;
                };
                h.without_personal_data = false;
                for known in &e.members {
                    for m in h
                        .members
                        .iter_mut()
                        .filter(|m| m.member.client == known.client)
                    {
                        m.member.first_name = known.first_name.clone();
                        m.member.last_name = known.last_name.clone();
                        m.member.birth_date = known.birth_date;
                        m.member.sealed = known.sealed.clone();
                        m.stamp.touch(envelope);
                    }
                }
            }
            Event::HmisRecordDeleted(e) => self.delete(e.deletes),
            Event::ContactAttempted(_)
            | Event::HouseholdInactivated(_)
            | Event::ClientEnrollmentOpened(_)
            | Event::ClientEnrollmentClosed(_)
            | Event::OpeningWithdrawn(_)
            | Event::ReferralAcknowledged(_)
            | Event::ReferralCancelled(_)
            | Event::ReferralExpired(_)
            | Event::PolicyAdopted(_) => {}
            // An event kind this build does not know writes no HUD row.
            _ => {}
        }
    }

    fn add_cls(
        &mut self,
        envelope: &Envelope,
        household: HouseholdId,
        current: &CurrentLivingSituation,
        from_enrollment: bool,
    ) {
        self.cls.insert(
            envelope.event_id,
            ClsRecord {
                event: envelope.event_id,
                from_enrollment,
                household,
                date: envelope.effective,
                current: current.clone(),
                position: envelope.position,
                stamp: Stamp::new(envelope),
            },
        );
    }

    fn resolve(&mut self, envelope: &Envelope, referral: ReferralId, result: ReferralResult) {
        if let Some(r) = self.referrals.get_mut(&referral) {
            r.result = Some((result, envelope.effective));
            r.stamp.touch(envelope);
        }
    }

    /// A record the source deleted leaves every file.
    fn delete(&mut self, event: EventId) {
        match self.created.get(&event).copied() {
            Some(Created::CeEvent) => {
                self.ce_events.remove(&event);
            }
            Some(Created::Assessment(id)) => {
                self.assessments.remove(&id);
            }
            Some(Created::Contact) => {
                self.cls.remove(&event);
            }
            Some(Created::Household(_)) | None => {}
        }
    }

    /// The source's DateUpdated of each imported row, where later than
    /// what the log says (a source row changed before it was imported).
    pub fn apply_source_dates(&mut self) {
        let source = &self.source;
        for r in self.ce_events.values_mut() {
            source.touch(&mut r.stamp, r.id, "Event.csv", None);
        }
        for c in self.cls.values_mut() {
            source.touch(&mut c.stamp, c.event, "CurrentLivingSituation.csv", None);
        }
        for a in self.assessments.values_mut() {
            source.touch(&mut a.stamp, a.event, "Assessment.csv", None);
        }
        for h in self.households.values_mut() {
            for m in &mut h.members {
                let client = Some(m.member.client);
                source.touch(&mut m.stamp, m.event, "Enrollment.csv", client);
                if let Some(x) = &mut m.exit {
                    source.touch(&mut x.stamp, x.event, "Exit.csv", client);
                }
            }
        }
    }

    /// Applies a correction: the record the original created takes the
    /// corrected values, and a later DateUpdated if anything changed.
    fn correct(&mut self, envelope: &Envelope, original: EventId, corrected: &Event) {
        match (self.created.get(&original).copied(), corrected) {
            (Some(Created::Household(id)), Event::HouseholdEnrolled(e)) => {
                if let Some(cls) = self.cls.get_mut(&original) {
                    if cls.current != e.current {
                        cls.current = e.current.clone();
                        cls.stamp.touch(envelope);
                    }
                }
                let Some(h) = self.households.get_mut(&id) else {
                    return;
                };
                let prior_changed = h.prior != e.prior;
                h.prior = e.prior.clone();
                for m in &mut h.members {
                    let fixed = e.members.iter().find(|f| f.client == m.member.client);
                    let mut changed = prior_changed && m.member.is_head();
                    if let Some(f) = fixed.filter(|_| m.order.0 == h.position) {
                        let before = m.member.clone();
                        m.member.veteran = f.veteran;
                        m.member.disabling_condition = f.disabling_condition;
                        // An enrollment made without personal data had no
                        // names to correct: those of its identification stay.
                        if e.referred_by.is_none() {
                            m.member.birth_date = f.birth_date;
                            m.member.first_name = f.first_name.clone();
                            m.member.last_name = f.last_name.clone();
                        }
                        changed |= before != m.member;
                    }
                    if changed {
                        m.stamp.touch(envelope);
                    }
                }
            }
            (Some(Created::Assessment(id)), Event::AssessmentRecorded(e)) => {
                if let Some(a) = self.assessments.get_mut(&id) {
                    if a.assessment != e.assessment {
                        a.assessment = e.assessment.clone();
                        a.stamp.touch(envelope);
                    }
                }
            }
            (Some(Created::CeEvent), Event::CeEventRecorded(e)) => {
                if let Some(record) = self.ce_events.get_mut(&original) {
                    if record.event != *e {
                        record.event = e.clone();
                        record.stamp.touch(envelope);
                    }
                }
            }
            (Some(Created::Contact), Event::ContactMade(e)) => {
                if let Some(cls) = self.cls.get_mut(&original) {
                    if cls.current != e.current {
                        cls.current = e.current.clone();
                        cls.stamp.touch(envelope);
                    }
                }
            }
            _ => {}
        }
    }
}

impl HudRecords {
    /// Every Event.csv row: ce's referrals and the recorded 4.20 events.
    pub fn events(&self) -> impl Iterator<Item = HudEvent> + '_ {
        let referrals = self.referrals.values().map(|r| HudEvent {
            household: r.household,
            date: r.date,
            position: r.position,
            event: r.event,
            problem_solving_result: None,
            case_management_after: None,
            result: r.result.map(|(x, _)| x),
            result_date: r.result.map(|(_, on)| on),
        });
        let recorded = self.ce_events.values().map(|r| HudEvent {
            household: r.household,
            date: r.date,
            position: r.position,
            event: r.event.event,
            problem_solving_result: r.event.problem_solving_result,
            case_management_after: r.event.case_management_after,
            result: r.event.result,
            result_date: r.event.result_date,
        });
        referrals.chain(recorded)
    }
}

fn exit_record(
    envelope: &Envelope,
    client: ClientId,
    destination: Option<Destination>,
    destination_subsidy: Option<RentalSubsidyType>,
) -> ExitRecord {
    ExitRecord {
        event: envelope.event_id,
        id: super::format::derive(&[
            b"exit",
            envelope.event_id.as_uuid().as_bytes(),
            client.as_uuid().as_bytes(),
        ]),
        date: envelope.effective,
        destination,
        destination_subsidy,
        position: envelope.position,
        stamp: Stamp::new(envelope),
    }
}

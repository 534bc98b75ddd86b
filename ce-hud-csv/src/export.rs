//! Export: the log as the HUD CSV files of a CE exchange.

// `row!` fills the trailer and defaults the rest; some rows name every column.
#![allow(clippy::needless_update)]

use std::collections::BTreeMap;
use std::io::Write;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::files::*;
use super::format::{code, date, datetime, derive, derive_from, id, lit, text, user};
use super::records::{HouseholdRecord, HudRecords, MemberRecord, Stamp};
use super::{HudCsvError, CSV_VERSION, SCORE_RESULT_TYPE};
use ce_core::hud::Destination;
use ce_core::priority::is_score_type;
use ce_core::{ClientId, Envelope, EventId, HouseholdId, ProgramType};

/// What an export needs that the log does not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// ExportID: new for every export (at most 32 characters).
    pub export_id: String,
    /// When the export started (ExportDate).
    pub export_date: DateTime<Utc>,
    /// First day of the reporting period; default: the earliest date in the log.
    pub from: Option<NaiveDate>,
    /// Last day of the reporting period; default: the export date.
    pub to: Option<NaiveDate>,
    /// ImplementationID: fixed for the store, never changes between exports.
    pub implementation_id: String,
    /// SoftwareVersion.
    pub software_version: String,
    /// The CoC code (SourceID, EnrollmentCoC).
    pub coc_code: String,
    /// The CoC's name (SourceName and the CE project's organization).
    pub coc_name: String,
    /// The CE project's name.
    pub ce_project_name: String,
    /// The AssessmentResultTypes that carry the score (the policy's): an
    /// assessment whose results hold its score under one of them gets no
    /// extra score row.
    pub score_result_types: Vec<String>,
}

impl ExportOptions {
    /// Options with the WI Balance of State defaults.
    pub fn new(
        export_id: impl Into<String>,
        export_date: DateTime<Utc>,
        implementation_id: impl Into<String>,
    ) -> Self {
        Self {
            export_id: export_id.into(),
            export_date,
            from: None,
            to: None,
            implementation_id: implementation_id.into(),
            software_version: env!("CARGO_PKG_VERSION").to_owned(),
            coc_code: "WI-500".to_owned(),
            coc_name: "Wisconsin Balance of State CoC".to_owned(),
            ce_project_name: "Balance of State Coordinated Entry".to_owned(),
            score_result_types: vec![SCORE_RESULT_TYPE.to_owned()],
        }
    }
}

/// A built export: every file's rows, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct HudCsvExport {
    export: ExportRow,
    organizations: Vec<OrganizationRow>,
    projects: Vec<ProjectRow>,
    project_cocs: Vec<ProjectCoCRow>,
    ce_participation: Vec<CEParticipationRow>,
    clients: Vec<ClientRow>,
    enrollments: Vec<EnrollmentRow>,
    exits: Vec<ExitRow>,
    assessments: Vec<AssessmentRow>,
    questions: Vec<AssessmentQuestionRow>,
    results: Vec<AssessmentResultRow>,
    events: Vec<EventRow>,
    cls: Vec<CurrentLivingSituationRow>,
    left_out: usize,
}

/// The five trailer columns, as values.
struct Trailer {
    created: Option<String>,
    updated: Option<String>,
    user: Option<String>,
    export: Option<String>,
}

impl Trailer {
    fn of(stamp: &Stamp, export_id: &str) -> Self {
        Self {
            created: datetime(stamp.created),
            updated: datetime(stamp.updated),
            user: user(&stamp.user),
            export: lit(export_id),
        }
    }
}

/// Fills a row's trailer columns.
macro_rules! row {
    ($ty:ident, $trailer:expr, { $($field:ident: $value:expr),* $(,)? }) => {{
        let t = $trailer;
        $ty {
            $($field: $value,)*
            DateCreated: t.created,
            DateUpdated: t.updated,
            UserID: t.user,
            DateDeleted: None,
            ExportID: t.export,
            ..Default::default()
        }
    }};
}

/// Project.csv type of a receiving program: `(ContinuumProject, ProjectType, RRHSubType)`.
fn project_type(program: ProgramType) -> (u16, Option<u16>, Option<u16>) {
    match program {
        ProgramType::Es => (1, Some(0), None),
        // A joint TH-RRH referral enters the TH component first.
        ProgramType::Th | ProgramType::JointThRrh => (1, Some(2), None),
        ProgramType::Rrh => (1, Some(13), Some(2)),
        ProgramType::Psh => (1, Some(3), None),
        ProgramType::OtherPh => (1, Some(9), None),
        // Vouchers are not CoC projects, nor is a program type this
        // build does not know.
        ProgramType::Ehv | ProgramType::Hsv => (0, None, None),
        _ => (0, None, None),
    }
}

/// The ProjectID of a receiving program.
pub(crate) fn program_project_id(agency: &str, program: &str) -> Uuid {
    derive(&[b"project", agency.as_bytes(), program.as_bytes()])
}

/// The OrganizationID of an agency.
pub(crate) fn agency_organization_id(agency: &str) -> Uuid {
    derive(&[b"organization", agency.as_bytes()])
}

/// Writes a file: HUD's header, then every row. Every cell goes through
/// its column's [`Kind::write`], so that no string column, now or added
/// later, can start a spreadsheet formula.
fn write_rows<T: Row>(file: HudFile, rows: &[T], out: impl Write) -> Result<(), HudCsvError> {
    let fail = |source| HudCsvError::Csv { file, source };
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    // The header is written on its own so that a file with no rows has one.
    writer.write_record(T::HEADER).map_err(fail)?;
    for row in rows {
        let cells: Vec<_> = (row.cells().into_iter().zip(T::KINDS))
            .map(|(value, kind)| kind.write(value))
            .collect();
        writer
            .write_record(cells.iter().map(|c| c.as_bytes()))
            .map_err(fail)?;
    }
    writer.flush().map_err(|e| fail(csv::Error::from(e)))
}

impl HudCsvExport {
    /// Builds the export of `log` (every event, in log order) for the
    /// reporting period of `options`: the CE enrollments open at some time in
    /// it, with everything dated on or before its last day.
    pub fn build<'a>(log: impl IntoIterator<Item = &'a Envelope>, options: &ExportOptions) -> Self {
        let log: Vec<&Envelope> = log.into_iter().collect();
        let records = HudRecords::fold(log.iter().copied());
        let export_day = options.export_date.date_naive();
        let to = options.to.unwrap_or(export_day);
        let from = options.from.unwrap_or_else(|| {
            log.iter()
                .map(|e| e.effective)
                .min()
                .unwrap_or(export_day)
                .min(to)
        });
        Builder {
            records: &records,
            options,
            from,
            to,
        }
        .build()
    }

    /// Writes one file (header first, even with no rows) to `out`.
    pub fn write(&self, file: HudFile, out: impl Write) -> Result<(), HudCsvError> {
        match file {
            HudFile::Export => write_rows(file, std::slice::from_ref(&self.export), out),
            HudFile::Organization => write_rows(file, &self.organizations, out),
            HudFile::Project => write_rows(file, &self.projects, out),
            HudFile::ProjectCoC => write_rows(file, &self.project_cocs, out),
            HudFile::CEParticipation => write_rows(file, &self.ce_participation, out),
            HudFile::Client => write_rows(file, &self.clients, out),
            HudFile::Enrollment => write_rows(file, &self.enrollments, out),
            HudFile::Exit => write_rows(file, &self.exits, out),
            HudFile::Assessment => write_rows(file, &self.assessments, out),
            HudFile::AssessmentQuestions => write_rows(file, &self.questions, out),
            HudFile::AssessmentResults => write_rows(file, &self.results, out),
            HudFile::Event => write_rows(file, &self.events, out),
            HudFile::CurrentLivingSituation => write_rows(file, &self.cls, out),
        }
    }

    /// Households of the period that were enrolled without personal data
    /// and are not yet identified: none of their rows is exported (their
    /// referring agency holds their records, outside HMIS).
    pub fn left_out(&self) -> usize {
        self.left_out
    }

    /// The number of data rows of one file.
    pub fn rows(&self, file: HudFile) -> usize {
        match file {
            HudFile::Export => 1,
            HudFile::Organization => self.organizations.len(),
            HudFile::Project => self.projects.len(),
            HudFile::ProjectCoC => self.project_cocs.len(),
            HudFile::CEParticipation => self.ce_participation.len(),
            HudFile::Client => self.clients.len(),
            HudFile::Enrollment => self.enrollments.len(),
            HudFile::Exit => self.exits.len(),
            HudFile::Assessment => self.assessments.len(),
            HudFile::AssessmentQuestions => self.questions.len(),
            HudFile::AssessmentResults => self.results.len(),
            HudFile::Event => self.events.len(),
            HudFile::CurrentLivingSituation => self.cls.len(),
        }
    }
}

struct Builder<'a> {
    records: &'a HudRecords,
    options: &'a ExportOptions,
    from: NaiveDate,
    to: NaiveDate,
}

/// The enrollment a household's CE rows are on: the head of household's.
struct HeadRef {
    enrollment: Option<String>,
    personal: Option<String>,
}

impl Builder<'_> {
    fn trailer(&self, stamp: &Stamp) -> Trailer {
        Trailer::of(stamp, &self.options.export_id)
    }

    /// Households in the period, but none enrolled without personal data:
    /// those stay with their referring agency, outside HMIS.
    fn in_period(&self, h: &HouseholdRecord) -> bool {
        self.in_dates(h) && !h.without_personal_data
    }

    fn in_dates(&self, h: &HouseholdRecord) -> bool {
        h.project_start <= self.to && h.exit.is_none_or(|exit| exit >= self.from)
    }

    /// Households of the period left out because they hold no personal data.
    fn left_out(&self) -> usize {
        self.records
            .households
            .values()
            .filter(|h| self.in_dates(h) && h.without_personal_data)
            .count()
    }

    fn member_in_period(&self, m: &MemberRecord) -> bool {
        m.entry <= self.to && m.exit.as_ref().is_none_or(|x| x.date >= self.from)
    }

    fn head(&self, household: &HouseholdId) -> Option<HeadRef> {
        let h = self.records.households.get(household)?;
        if !self.in_period(h) {
            return None;
        }
        let head = h.head()?;
        Some(HeadRef {
            enrollment: self.enrollment_id(head),
            personal: self.personal_id(head.member.client),
        })
    }

    /// The records of households in the period dated by its end, with the
    /// head of household's enrollment, ordered by date and log position.
    fn on_heads<'r, T>(
        &self,
        records: impl Iterator<Item = &'r T>,
        key: impl Fn(&T) -> (HouseholdId, NaiveDate, u64),
    ) -> Vec<(&'r T, HeadRef)> {
        let mut out: Vec<_> = records
            .filter(|r| key(r).1 <= self.to)
            .filter_map(|r| self.head(&key(r).0).map(|head| (r, head)))
            .collect();
        out.sort_by_key(|(r, _)| {
            let (_, on, position) = key(r);
            (on, position)
        });
        out
    }

    /// A client's PersonalID: the source's, for an imported client.
    fn personal_id(&self, client: ClientId) -> Option<String> {
        match self.records.source.client(client) {
            Some(source) => lit(source),
            None => id(*client.as_uuid()),
        }
    }

    /// A member's EnrollmentID: the source's, for an imported enrollment.
    fn enrollment_id(&self, m: &MemberRecord) -> Option<String> {
        let client = Some(m.member.client);
        match self.records.source.id(m.event, "Enrollment.csv", client, 0) {
            Some(source) => lit(&source),
            None => id(m.enrollment_id),
        }
    }

    /// The id of the `n`th row of `file` an event recorded: the source's
    /// for an imported row, else `own`.
    fn row_id(&self, event: EventId, file: &str, n: u64, own: Uuid) -> Option<String> {
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        match self.records.source.id(event, file, None, n) {
            Some(source) => lit(&source),
            None => id(own),
        }
    }

    fn ce_project_id(&self) -> Uuid {
        derive(&[b"project", b"ce", self.options.coc_code.as_bytes()])
    }

    fn build(&self) -> HudCsvExport {
        let o = self.options;
        let export = ExportRow {
            ExportID: lit(&o.export_id),
            SourceType: lit("1"),
            SourceID: text(&o.coc_code, 32),
            SourceName: text(&o.coc_name, 50),
            ExportDate: datetime(o.export_date),
            ExportStartDate: date(self.from),
            ExportEndDate: date(self.to),
            SoftwareName: lit("ce"),
            SoftwareVersion: text(&o.software_version, 50),
            CSVVersion: lit(CSV_VERSION),
            // 3: reporting period; 2: full refresh; 1: unhashed.
            ExportPeriodType: lit("3"),
            ExportDirective: lit("2"),
            HashStatus: lit("1"),
            ImplementationID: text(&o.implementation_id, 200),
            ..Default::default()
        };
        let (organizations, projects) = self.projects();
        let (project_cocs, ce_participation) = self.ce_project_setup();
        let (enrollments, exits, clients) = self.enrollments();
        let (assessments, questions, results) = self.assessments();
        HudCsvExport {
            export,
            organizations,
            projects,
            project_cocs,
            ce_participation,
            clients,
            enrollments,
            exits,
            assessments,
            questions,
            results,
            events: self.events(),
            cls: self.cls(),
            left_out: self.left_out(),
        }
    }

    /// The CE project's ProjectCoC row (its CoC) and CEParticipation row:
    /// an access point (crisis and housing needs assessments) that makes
    /// referrals and receives none, since its project start.
    fn ce_project_setup(&self) -> (Vec<ProjectCoCRow>, Vec<CEParticipationRow>) {
        let o = self.options;
        let stamp = self.ce_stamp();
        let project = id(self.ce_project_id());
        let coc = row!(ProjectCoCRow, self.trailer(&stamp), {
            ProjectCoCID: id(derive(&[b"project-coc", b"ce", o.coc_code.as_bytes()])),
            ProjectID: project.clone(),
            CoCCode: text(&o.coc_code, 6),
            State: lit("WI"),
        });
        let participation = row!(CEParticipationRow, self.trailer(&stamp), {
            CEParticipationID: id(derive(&[b"ce-participation", b"ce", o.coc_code.as_bytes()])),
            ProjectID: project,
            AccessPoint: lit("1"),
            PreventionAssessment: lit("0"),
            CrisisAssessment: lit("1"),
            HousingAssessment: lit("1"),
            DirectServices: lit("0"),
            ReceivesReferrals: lit("0"),
            CEParticipationStatusStartDate: date(
                self.records.first_enrollment.map_or(self.from, |(d, _)| d),
            ),
        });
        (vec![coc], vec![participation])
    }

    /// The CE project's trailer: created with the first enrollment.
    fn ce_stamp(&self) -> Stamp {
        let o = self.options;
        Stamp {
            created: self
                .records
                .first_enrollment
                .map_or(o.export_date, |(_, at)| at),
            updated: self
                .records
                .first_enrollment
                .map_or(o.export_date, |(_, at)| at),
            user: ce_core::UserId("ce".to_owned()),
        }
    }

    fn projects(&self) -> (Vec<OrganizationRow>, Vec<ProjectRow>) {
        let o = self.options;
        let ce_stamp = self.ce_stamp();
        let ce_org = derive(&[b"organization", b"coc", o.coc_code.as_bytes()]);
        let mut organizations = vec![row!(OrganizationRow, self.trailer(&ce_stamp), {
            OrganizationID: id(ce_org),
            OrganizationName: text(&o.coc_name, 200),
            VictimServiceProvider: lit("0"),
        })];
        let mut projects = vec![row!(ProjectRow, self.trailer(&ce_stamp), {
            ProjectID: id(self.ce_project_id()),
            OrganizationID: id(ce_org),
            ProjectName: text(&o.ce_project_name, 200),
            OperatingStartDate: date(
                self.records.first_enrollment.map_or(self.from, |(d, _)| d),
            ),
            ContinuumProject: lit("1"),
            ProjectType: lit("14"),
            TargetPopulation: lit("4"),
        })];
        let mut agencies: BTreeMap<&str, Stamp> = BTreeMap::new();
        for p in self
            .records
            .programs
            .values()
            .filter(|p| p.first_posted <= self.to)
        {
            let (continuum, project_type, rrh) = project_type(p.program_type);
            projects.push(row!(ProjectRow, self.trailer(&p.stamp), {
                ProjectID: id(program_project_id(&p.agency.0, &p.name)),
                OrganizationID: id(agency_organization_id(&p.agency.0)),
                ProjectName: text(&p.name, 200),
                OperatingStartDate: date(p.first_posted),
                ContinuumProject: code(continuum),
                ProjectType: project_type.and_then(code),
                RRHSubType: rrh.and_then(code),
                TargetPopulation: lit("4"),
            }));
            let stamp = agencies
                .entry(&p.agency.0)
                .or_insert_with(|| p.stamp.clone());
            if p.stamp.created < stamp.created {
                stamp.created = p.stamp.created;
            }
            if p.stamp.updated > stamp.updated {
                stamp.updated = p.stamp.updated;
                stamp.user = p.stamp.user.clone();
            }
        }
        for (agency, stamp) in agencies {
            organizations.push(row!(OrganizationRow, self.trailer(&stamp), {
                OrganizationID: id(agency_organization_id(agency)),
                OrganizationName: text(agency, 200),
                VictimServiceProvider: lit("0"),
            }));
        }
        (organizations, projects)
    }

    fn enrollments(&self) -> (Vec<EnrollmentRow>, Vec<ExitRow>, Vec<ClientRow>) {
        let mut members: Vec<(&HouseholdRecord, &MemberRecord)> = self
            .records
            .households
            .values()
            .filter(|h| self.in_period(h))
            .flat_map(|h| h.members.iter().map(move |m| (h, m)))
            .filter(|(_, m)| self.member_in_period(m))
            .collect();
        members.sort_by_key(|(_, m)| (m.entry, m.order));
        let project = id(self.ce_project_id());
        let mut enrollments = Vec::new();
        let mut clients: Vec<ClientId> = Vec::new();
        let mut facts: BTreeMap<ClientId, (NaiveDate, &MemberRecord, Stamp)> = BTreeMap::new();
        for (h, m) in &members {
            let head = h
                .head()
                .is_some_and(|hd| hd.enrollment_id == m.enrollment_id);
            let prior = head.then_some(&h.prior);
            enrollments.push(row!(EnrollmentRow, self.trailer(&m.stamp), {
                EnrollmentID: self.enrollment_id(m),
                PersonalID: self.personal_id(m.member.client),
                ProjectID: project.clone(),
                EntryDate: date(m.entry),
                HouseholdID: match self.records.source.household(h.id) {
                    Some(source) => lit(source),
                    None => id(*h.id.as_uuid()),
                },
                RelationshipToHoH: code(m.member.relationship),
                EnrollmentCoC: text(&self.options.coc_code, 6),
                LivingSituation: prior.and_then(|p| code(p.living_situation)),
                RentalSubsidyType: prior.and_then(|p| p.stay.rental_subsidy).and_then(code),
                LengthOfStay: prior.and_then(|p| p.stay.length_of_stay).and_then(code),
                LOSUnderThreshold: prior.and_then(|p| p.stay.under_threshold).and_then(code),
                PreviousStreetESSH: prior.and_then(|p| p.stay.previous_street_essh).and_then(code),
                DateToStreetESSH: prior.and_then(|p| p.episode_start).and_then(date),
                TimesHomelessPastThreeYears: prior.and_then(|p| code(p.times_homeless)),
                MonthsHomelessPastThreeYears: prior.and_then(|p| code(p.months_homeless)),
                DisablingCondition: code(m.member.disabling_condition),
            }));
            let client = m.member.client;
            match facts.get_mut(&client) {
                None => {
                    clients.push(client);
                    facts.insert(client, (m.entry, m, m.stamp.clone()));
                }
                Some((latest, record, stamp)) => {
                    if m.entry >= *latest {
                        *latest = m.entry;
                        *record = m;
                    }
                    stamp.created = stamp.created.min(m.stamp.created);
                    if m.stamp.updated > stamp.updated {
                        stamp.updated = m.stamp.updated;
                        stamp.user = m.stamp.user.clone();
                    }
                }
            }
        }
        let mut exits: Vec<(&MemberRecord, &super::records::ExitRecord)> = members
            .iter()
            .filter_map(|(_, m)| m.exit.as_ref().map(|x| (*m, x)))
            .filter(|(_, x)| x.date <= self.to)
            .collect();
        exits.sort_by_key(|(m, x)| (x.date, x.position, m.order.1));
        let exits = exits
            .into_iter()
            .map(|(m, x)| {
                row!(ExitRow, self.trailer(&x.stamp), {
                    ExitID: match self.records.source.id(x.event, "Exit.csv", Some(m.member.client), 0) {
                        Some(source) => lit(&source),
                        None => id(x.id),
                    },
                    EnrollmentID: self.enrollment_id(m),
                    PersonalID: self.personal_id(m.member.client),
                    ExitDate: date(x.date),
                    Destination: code(x.destination.map_or(99, Destination::code)),
                    DestinationSubsidyType: x.destination_subsidy.and_then(code),
                })
            })
            .collect();
        let clients = clients
            .into_iter()
            .filter_map(|c| facts.get(&c))
            .map(|(_, m, stamp)| {
                client_row(m, self.personal_id(m.member.client), self.trailer(stamp))
            })
            .collect();
        (enrollments, exits, clients)
    }

    fn assessments(
        &self,
    ) -> (
        Vec<AssessmentRow>,
        Vec<AssessmentQuestionRow>,
        Vec<AssessmentResultRow>,
    ) {
        let records = self.on_heads(self.records.assessments.values(), |a| {
            (a.household, a.date, a.position)
        });
        let (mut assessments, mut questions, mut results) = (Vec::new(), Vec::new(), Vec::new());
        for (a, head) in records {
            let x = &a.assessment;
            let aid = *x.assessment_id.as_uuid();
            let event = a.event;
            let assessment_id = self.row_id(event, "Assessment.csv", 0, aid);
            assessments.push(row!(AssessmentRow, self.trailer(&a.stamp), {
                AssessmentID: assessment_id.clone(),
                EnrollmentID: head.enrollment.clone(),
                PersonalID: head.personal.clone(),
                AssessmentDate: date(a.date),
                AssessmentLocation: text(&x.location, 250),
                AssessmentType: code(x.assessment_type),
                AssessmentLevel: code(x.level),
                PrioritizationStatus: code(x.prioritization),
            }));
            for (i, answer) in (1u64..).zip(&x.answers) {
                questions.push(row!(AssessmentQuestionRow, self.trailer(&a.stamp), {
                    AssessmentQuestionID: self.row_id(
                        event,
                        "AssessmentQuestions.csv",
                        i - 1,
                        derive_from(&aid, "question", i),
                    ),
                    AssessmentID: assessment_id.clone(),
                    EnrollmentID: head.enrollment.clone(),
                    PersonalID: head.personal.clone(),
                    AssessmentQuestionOrder: code(u16::try_from(i).unwrap_or(u16::MAX)),
                    AssessmentQuestion: text(&answer.question, 250),
                    AssessmentAnswer: text(&answer.answer, 500),
                }));
            }
            // The score has a row of its own unless a result already holds it.
            let is_score_type = |t: &str| is_score_type(&self.options.score_result_types, t);
            let score = x
                .score
                .filter(|s| {
                    !x.results
                        .iter()
                        .any(|r| is_score_type(&r.result_type) && r.result.trim() == s.to_string())
                })
                .map(|s| (SCORE_RESULT_TYPE.to_owned(), s.to_string()));
            let entries = x
                .results
                .iter()
                .map(|r| (r.result_type.clone(), r.result.clone()))
                .chain(score);
            for (i, (kind, value)) in (1u64..).zip(entries) {
                results.push(row!(AssessmentResultRow, self.trailer(&a.stamp), {
                    AssessmentResultID: self.row_id(
                        event,
                        "AssessmentResults.csv",
                        i - 1,
                        derive_from(&aid, "result", i),
                    ),
                    AssessmentID: assessment_id.clone(),
                    EnrollmentID: head.enrollment.clone(),
                    PersonalID: head.personal.clone(),
                    AssessmentResultType: text(&kind, 250),
                    AssessmentResult: text(&value, 250),
                }));
            }
        }
        (assessments, questions, results)
    }

    /// Event.csv: ce's referrals and the 4.20 events recorded on
    /// households, in date and log order.
    fn events(&self) -> Vec<EventRow> {
        let referrals = self
            .on_heads(self.records.referrals.values(), |r| {
                (r.household, r.date, r.position)
            })
            .into_iter()
            .map(|(r, head)| {
                let result = r.result.filter(|(_, on)| *on <= self.to);
                let location = r.event.records_location() || r.event.carries_referral_result();
                let row = row!(EventRow, self.trailer(&r.stamp), {
                    EventID: id(*r.id.as_uuid()),
                    EnrollmentID: head.enrollment,
                    PersonalID: head.personal,
                    EventDate: date(r.date),
                    Event: code(r.event),
                    LocationCrisisOrPHHousing: if location { text(&r.location, 250) } else { None },
                    ReferralResult: result.and_then(|(x, _)| code(x)),
                    ResultDate: result.and_then(|(_, on)| date(on)),
                });
                ((r.date, r.position), row)
            });
        let recorded = self
            .on_heads(self.records.ce_events.values(), |r| {
                (r.household, r.date, r.position)
            })
            .into_iter()
            .map(|(r, head)| {
                let e = &r.event;
                // A result dated after the period's end is not known by then;
                // one without a date (imported so) goes with the event.
                let known = e.result_date.is_none_or(|on| on <= self.to);
                let row = row!(EventRow, self.trailer(&r.stamp), {
                    EventID: self.row_id(r.id, "Event.csv", 0, *r.id.as_uuid()),
                    EnrollmentID: head.enrollment,
                    PersonalID: head.personal,
                    EventDate: date(r.date),
                    Event: code(e.event),
                    ProbSolDivRRResult: e.problem_solving_result.and_then(code),
                    ReferralCaseManageAfter: e.case_management_after.and_then(code),
                    LocationCrisisOrPHHousing: e.location.as_deref().and_then(|l| text(l, 250)),
                    ReferralResult: e.result.filter(|_| known).and_then(code),
                    ResultDate: e.result_date.filter(|_| known).and_then(date),
                });
                ((r.date, r.position), row)
            });
        let mut rows: Vec<_> = referrals.chain(recorded).collect();
        rows.sort_by_key(|(order, _)| *order);
        rows.into_iter().map(|(_, row)| row).collect()
    }

    fn cls(&self) -> Vec<CurrentLivingSituationRow> {
        // An imported enrollment without a 4.12 on its entry date holds one
        // recorded as 99 only because the workflow needs it: not exported.
        let source = &self.records.source;
        let invented = |c: &super::records::ClsRecord| {
            c.from_enrollment
                && source.imported(c.event)
                && source
                    .row(c.event, "CurrentLivingSituation.csv", None, 0)
                    .is_none()
        };
        self.on_heads(self.records.cls.values().filter(|c| !invented(c)), |c| {
            (c.household, c.date, c.position)
        })
        .into_iter()
        .map(|(c, head)| {
            let s = &c.current;
            row!(CurrentLivingSituationRow, self.trailer(&c.stamp), {
                CurrentLivingSitID: self.row_id(
                    c.event,
                    "CurrentLivingSituation.csv",
                    0,
                    *c.event.as_uuid(),
                ),
                EnrollmentID: head.enrollment,
                PersonalID: head.personal,
                InformationDate: date(c.date),
                CurrentLivingSituation: code(s.living_situation),
                CLSSubsidyType: s.subsidy.and_then(code),
                VerifiedBy: s.verified_by.as_deref().and_then(|v| text(v, 100)),
                LeaveSituation14Days: s.leave_within_14_days.and_then(code),
                SubsequentResidence: s.leaving.subsequent_residence.and_then(code),
                ResourcesToObtain: s.leaving.resources_to_obtain.and_then(code),
                LeaseOwn60Day: s.leaving.lease_own_60_day.and_then(code),
                MovedTwoOrMore: s.leaving.moved_two_or_more.and_then(code),
                LocationDetails: s.location_details.as_deref().and_then(|v| text(v, 250)),
            })
        })
        .collect()
    }
}

/// Client.csv: the member's latest facts. Race and gender are not collected
/// by CE: every flag 0 and "data not collected" (99) in the None columns.
fn client_row(m: &MemberRecord, personal: Option<String>, t: Trailer) -> ClientRow {
    let member = &m.member;
    let first = member.first_name.as_deref().and_then(|n| text(n, 50));
    let last = member.last_name.as_deref().and_then(|n| text(n, 50));
    let name_quality = match (&first, &last) {
        (Some(_), Some(_)) => 1,
        (None, None) => 99,
        _ => 2,
    };
    let zero = lit("0");
    row!(ClientRow, t, {
        PersonalID: personal,
        FirstName: first,
        LastName: last,
        NameDataQuality: code(name_quality as u16),
        SSNDataQuality: lit("99"),
        DOB: member.birth_date.and_then(date),
        DOBDataQuality: lit(if member.birth_date.is_some() {
            "1"
        } else {
            "99"
        }),
        AmIndAKNative: zero.clone(),
        Asian: zero.clone(),
        BlackAfAmerican: zero.clone(),
        HispanicLatinaeo: zero.clone(),
        MidEastNAfrican: zero.clone(),
        NativeHIPacific: zero.clone(),
        White: zero.clone(),
        RaceNone: lit("99"),
        Woman: zero.clone(),
        Man: zero.clone(),
        NonBinary: zero.clone(),
        CulturallySpecific: zero.clone(),
        Transgender: zero.clone(),
        Questioning: zero.clone(),
        DifferentIdentity: zero,
        GenderNone: lit("99"),
        VeteranStatus: code(member.veteran),
    })
}

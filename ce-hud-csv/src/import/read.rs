//! Reading the files into typed rows, each checked field by field, and the
//! source's setup (projects, their CoCs, CE participation).

use super::*;

#[derive(Debug, Clone)]
pub(super) struct ProjectIn {
    pub(super) project_type: Option<u16>,
}

#[derive(Debug, Clone)]
pub(super) struct ClientIn {
    pub(super) line: u64,
    pub(super) updated: Option<DateTime<Utc>>,
    pub(super) first: Option<String>,
    pub(super) last: Option<String>,
    pub(super) dob: Option<NaiveDate>,
    pub(super) veteran: NoYesReasons,
}

#[derive(Debug, Clone)]
pub(super) struct EnrollmentIn {
    pub(super) id: String,
    pub(super) personal: String,
    pub(super) project: String,
    pub(super) entry: NaiveDate,
    pub(super) household: String,
    pub(super) relationship: RelationshipToHoH,
    /// EnrollmentCoC.
    pub(super) coc: Option<String>,
    pub(super) disabling: NoYesReasons,
    pub(super) living: Option<PriorSituation>,
    pub(super) stay: PriorStay,
    pub(super) episode: Option<NaiveDate>,
    pub(super) times: Option<TimesHomeless>,
    pub(super) months: Option<MonthsHomeless>,
    pub(super) src: Source,
}

#[derive(Debug, Clone)]
pub(super) struct ExitIn {
    pub(super) id: Option<String>,
    pub(super) enrollment: String,
    pub(super) date: NaiveDate,
    pub(super) destination: Destination,
    pub(super) subsidy: Option<RentalSubsidyType>,
    pub(super) src: Source,
}

#[derive(Debug, Clone)]
pub(super) struct AssessmentIn {
    pub(super) id: String,
    pub(super) enrollment: String,
    pub(super) date: NaiveDate,
    pub(super) location: Option<String>,
    pub(super) assessment_type: AssessmentType,
    pub(super) level: AssessmentLevel,
    pub(super) prioritization: PrioritizationStatus,
    pub(super) src: Source,
}

#[derive(Debug, Clone)]
pub(super) struct EventIn {
    pub(super) id: String,
    pub(super) enrollment: String,
    pub(super) date: NaiveDate,
    pub(super) event: CeEventRecorded,
    pub(super) src: Source,
}

#[derive(Debug, Clone)]
pub(super) struct ClsIn {
    pub(super) id: String,
    pub(super) enrollment: String,
    pub(super) date: NaiveDate,
    pub(super) current: CurrentLivingSituation,
    pub(super) src: Source,
}

/// A row the source marked deleted (DateDeleted).
#[derive(Debug, Clone)]
pub(super) struct DeletedRow {
    pub(super) file: &'static str,
    pub(super) line: u64,
    pub(super) id: String,
    pub(super) when: Option<String>,
}

/// One CEParticipation.csv period of a project.
#[derive(Debug, Clone)]
pub(super) struct ParticipationIn {
    pub(super) from: NaiveDate,
    pub(super) to: Option<NaiveDate>,
    pub(super) access_point: bool,
    pub(super) receives_referrals: bool,
}

/// The HouseholdID given to an enrollment that named none (it is its own
/// household), before its EnrollmentID; never written back.
pub(super) const OWN_HOUSEHOLD: &str = "enrollment:";

/// What the files held beyond their readable rows.
#[derive(Debug, Default)]
pub(super) struct Seen {
    /// Rows with DateDeleted, by file.
    pub(super) deleted: Vec<DeletedRow>,
    /// Every key (first column) of every row, readable or not, by file.
    pub(super) keys: HashMap<&'static str, HashSet<String>>,
    /// Files with a row whose key could not be read.
    pub(super) unreadable: BTreeSet<&'static str>,
    /// Files that could not be read at all: unreadable, not a file, a
    /// header ce cannot use, or too many rows.
    pub(super) unusable: BTreeSet<&'static str>,
}

/// Everything read, parsed and checked row by row.
#[derive(Debug, Default)]
pub(super) struct Input {
    /// ProjectID → its ProjectCoC rows: (CoCCode, Geocode).
    pub(super) project_cocs: HashMap<String, Vec<(String, Option<String>)>>,
    /// ProjectID → its CE participation periods; `None` without the file.
    pub(super) participation: Option<HashMap<String, Vec<ParticipationIn>>>,
    /// Deleted rows and every key seen.
    pub(super) seen: Seen,
    /// EnrollmentID → its row in `enrollments`.
    pub(super) enrollment_at: HashMap<String, usize>,
    /// The AssessmentIDs read, for rows that name one.
    pub(super) assessment_ids: HashSet<String>,
    /// EnrollmentID → its (first) row in `exits`.
    pub(super) exit_of: HashMap<String, usize>,
    /// The source system: Export.csv's SourceID and ImplementationID.
    pub(super) source: String,
    /// ExportDirective 2: the export replaces what the source sent before.
    pub(super) full_refresh: bool,
    /// The export's period (ExportStartDate, ExportEndDate).
    pub(super) period: Option<(NaiveDate, NaiveDate)>,
    /// When the export was made (ExportDate).
    pub(super) export_date: Option<DateTime<Utc>>,
    /// Files absent or with a header that could not be used.
    pub(super) unread: BTreeSet<&'static str>,
    /// Rows with errors, by file and id: rows that name them are skipped.
    pub(super) rejected: BTreeMap<(&'static str, String), u64>,
    pub(super) export_id: String,
    pub(super) hashed: bool,
    pub(super) organizations: HashMap<String, String>,
    /// ProjectID → (OrganizationID, ProjectName, ProjectType).
    pub(super) projects: HashMap<String, ProjectIn>,
    pub(super) clients: HashMap<String, ClientIn>,
    pub(super) enrollments: Vec<EnrollmentIn>,
    pub(super) exits: Vec<ExitIn>,
    pub(super) assessments: Vec<AssessmentIn>,
    pub(super) answers: HashMap<String, Vec<(u32, u64, AssessmentAnswer)>>,
    pub(super) results: HashMap<String, Vec<(u64, String, Option<String>)>>,
    /// AssessmentQuestionID by line.
    pub(super) question_ids: HashMap<u64, String>,
    /// AssessmentResultID by line.
    pub(super) result_ids: HashMap<u64, String>,
    pub(super) events: Vec<EventIn>,
    pub(super) cls: Vec<ClsIn>,
}

impl Input {
    pub(super) fn read<R: Read>(
        mut open: impl FnMut(&'static str) -> std::io::Result<Option<R>>,
        issues: &mut Issues,
        report: &mut ImportReport,
    ) -> std::io::Result<Self> {
        let mut input = Input::default();
        for &file in READ_ORDER {
            let Some(reader) = open(file)? else {
                match required(file) {
                    Some(why) => issues.push(
                        IssueKind::Error,
                        file,
                        None,
                        None,
                        format!("file not found: {why}; HUD's exports have every file, with only its header when it has no rows"),
                    ),
                    None => issues.push(IssueKind::Note, file, None, None, "file not found"),
                }
                input.unread.insert(file);
                continue;
            };
            match file {
                f if f == ExportRow::FILE => input.export(reader, issues, report),
                f if f == OrganizationRow::FILE => input.organizations(reader, issues, report),
                f if f == ProjectRow::FILE => input.projects(reader, issues, report),
                f if f == ProjectCoCRow::FILE => input.project_cocs(reader, issues, report),
                f if f == CEParticipationRow::FILE => input.participation(reader, issues, report),
                f if f == ClientRow::FILE => input.clients(reader, issues, report),
                f if f == EnrollmentRow::FILE => {
                    input.enrollments(reader, issues, report);
                    input.births_after_entry(issues);
                }
                f if f == ExitRow::FILE => input.exits(reader, issues, report),
                f if f == AssessmentRow::FILE => input.assessments(reader, issues, report),
                f if f == AssessmentQuestionRow::FILE => input.questions(reader, issues, report),
                f if f == AssessmentResultRow::FILE => input.results(reader, issues, report),
                f if f == EventRow::FILE => input.events(reader, issues, report),
                _ => input.cls(reader, issues, report),
            }
            if input.seen.unusable.contains(file) {
                input.unread.insert(file);
            }
        }
        Ok(input)
    }

    pub(super) fn export<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        let Some(rows) = read_rows::<ExportRow, _>(r, &[], issues, report, &mut self.seen) else {
            return;
        };
        let file = ExportRow::FILE;
        let Some((line, row)) = rows.first() else {
            issues.push(IssueKind::Error, file, None, None, "no data row");
            return;
        };
        if rows.len() > 1 {
            issues.push(IssueKind::Error, file, None, None, "more than one data row");
        }
        let mut f = Fields {
            issues,
            file,
            line: *line,
            bad: false,
        };
        if let Some(id) = f.text("ExportID", &row.ExportID) {
            self.export_id = id;
        }
        // Ids derive from the source system, never from the ExportID (new in
        // every export), so that a later export of the same source matches.
        let source = [cell(&row.SourceID), cell(&row.ImplementationID)];
        self.source = match source {
            [None, None] => {
                f.issues.push(
                    IssueKind::Note,
                    file,
                    Some(*line),
                    Some("ImplementationID"),
                    "SourceID and ImplementationID are empty: records are identified by the ExportID, so a later export of the same source will not be matched",
                );
                format!("export:{}", self.export_id)
            }
            [a, b] => format!("{}/{}", a.unwrap_or_default(), b.unwrap_or_default()),
        };
        self.full_refresh = cell(&row.ExportDirective) == Some("2");
        self.period = parse_date(cell(&row.ExportStartDate).unwrap_or_default())
            .zip(parse_date(cell(&row.ExportEndDate).unwrap_or_default()));
        self.export_date = cell(&row.ExportDate).and_then(parse_datetime);
        match cell(&row.CSVVersion) {
            Some(v) if v.starts_with("2024") => {}
            other => f.issues.push(
                IssueKind::Note,
                file,
                Some(*line),
                Some("CSVVersion"),
                format!("CSVVersion {other:?} does not start with 2024: read as FY2024 anyway"),
            ),
        }
        self.hashed = matches!(cell(&row.HashStatus), Some("2" | "3" | "4"));
    }

    /// A DOB, read leniently: an unreadable one is left empty, and one after
    /// the export's end is a two-digit year of the century before, or else
    /// left empty.
    pub(super) fn birth_date(&self, f: &mut Fields<'_>, v: &Option<String>) -> Option<NaiveDate> {
        let raw = cell(v)?;
        let dob = f.lenient_date("DOB", v)?;
        if dob < EARLIEST_BIRTH_DATE {
            f.issues.push_value(
                IssueKind::Repaired,
                (f.file, f.line),
                "DOB",
                raw,
                format!("{raw:?} is before {EARLIEST_BIRTH_DATE}: left empty (unknown)"),
            );
            return None;
        }
        let Some((_, end)) = self.period else {
            return Some(dob);
        };
        if dob <= end {
            return Some(dob);
        }
        let earlier = dob
            .with_year(dob.year() - 100)
            .filter(|_| two_digit_year(raw, dob));
        let (kept, what) = match earlier {
            Some(d) => (Some(d), format!("a two-digit year: read as {d}")),
            None => (None, "left empty".to_owned()),
        };
        f.issues.push_value(
            IssueKind::Repaired,
            (f.file, f.line),
            "DOB",
            raw,
            format!("{raw:?} is after the export's end {end}: {what}"),
        );
        kept
    }

    /// The DateCreated and DateUpdated this export's rows may have: up to a
    /// day after the later of ExportDate and the end of ExportEndDate.
    pub(super) fn stamps(&self) -> Stamps {
        let end = self
            .period
            .and_then(|(_, end)| end.succ_opt()?.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc());
        let made = self.export_date.max(end);
        Stamps {
            until: made.and_then(|t| t.checked_add_signed(chrono::TimeDelta::days(1))),
            export_date: self.export_date,
        }
    }

    /// A row's trailer, its DateCreated and DateUpdated held to the
    /// export's dates (see [`Input::stamps`]).
    pub(super) fn source(
        &self,
        f: &mut Fields<'_>,
        created: &Option<String>,
        updated: &Option<String>,
        user: &Option<String>,
    ) -> Source {
        source(f, self.stamps(), created, updated, user)
    }

    /// A row's own date (EntryDate, AssessmentDate, ...): required, and
    /// neither before HMIS data start nor more than a day after the
    /// export's end.
    pub(super) fn row_date(
        &self,
        f: &mut Fields<'_>,
        column: &str,
        v: &Option<String>,
    ) -> Option<NaiveDate> {
        let date = f.date(column, v)?;
        let value = cell(v).unwrap_or_default();
        let last = self
            .period
            .map(|(_, end)| end)
            .or_else(|| self.export_date.map(|t| t.date_naive()))
            .and_then(|end| end.succ_opt().map(|next| (end, next)));
        let why = if date < EARLIEST_DATE {
            format!("{value:?} is before {EARLIEST_DATE}, when HMIS data start")
        } else if let Some((end, _)) = last.filter(|(_, next)| date > *next) {
            format!("{value:?} is more than a day after the export's end {end}")
        } else {
            return Some(date);
        };
        f.error_value(column, value, format!("{why}: the row is not imported"));
        None
    }

    /// A birth date after the client's first entry cannot be: it is left
    /// empty (unknown), as HUD's DOBDataQuality 99 would have it.
    pub(super) fn births_after_entry(&mut self, issues: &mut Issues) {
        let mut first_entry: HashMap<&str, NaiveDate> = HashMap::new();
        for e in &self.enrollments {
            let entry = first_entry.entry(&e.personal).or_insert(e.entry);
            *entry = (*entry).min(e.entry);
        }
        let mut late: Vec<(&mut ClientIn, NaiveDate)> = self
            .clients
            .iter_mut()
            .filter_map(|(id, client)| {
                let entry = *first_entry.get(id.as_str())?;
                let late = client.dob.is_some_and(|dob| dob > entry);
                late.then_some((client, entry))
            })
            .collect();
        late.sort_by_key(|(client, _)| client.line);
        for (client, entry) in late {
            let Some(dob) = client.dob.take() else {
                continue;
            };
            issues.push_value(
                IssueKind::Repaired,
                (ClientRow::FILE, client.line),
                "DOB",
                &dob.to_string(),
                format!("{dob} is after the client's entry on {entry}: left empty (unknown)"),
            );
        }
    }

    pub(super) fn project_cocs<R: Read>(
        &mut self,
        r: R,
        issues: &mut Issues,
        report: &mut ImportReport,
    ) {
        let rows = read_rows::<ProjectCoCRow, _>(r, &[], issues, report, &mut self.seen);
        for (_, row) in rows.unwrap_or_default() {
            if let (Some(project), Some(coc)) = (cell(&row.ProjectID), cell(&row.CoCCode)) {
                self.project_cocs
                    .entry(project.to_owned())
                    .or_default()
                    .push((
                        coc.to_ascii_uppercase(),
                        cell(&row.Geocode).map(str::to_owned),
                    ));
            }
        }
    }

    pub(super) fn participation<R: Read>(
        &mut self,
        r: R,
        issues: &mut Issues,
        report: &mut ImportReport,
    ) {
        let Some(rows) = read_rows::<CEParticipationRow, _>(r, &[], issues, report, &mut self.seen)
        else {
            return;
        };
        let mut periods: HashMap<String, Vec<ParticipationIn>> = HashMap::new();
        for (line, row) in rows {
            let mut f = Fields {
                issues,
                file: CEParticipationRow::FILE,
                line,
                bad: false,
            };
            let project = f.text("ProjectID", &row.ProjectID);
            let from = f.date(
                "CEParticipationStatusStartDate",
                &row.CEParticipationStatusStartDate,
            );
            let to = f.lenient_date(
                "CEParticipationStatusEndDate",
                &row.CEParticipationStatusEndDate,
            );
            let yes = |v: &Option<String>| cell(v) == Some("1");
            if let (Some(project), Some(from), false) = (project, from, f.bad) {
                periods.entry(project).or_default().push(ParticipationIn {
                    from,
                    to,
                    access_point: yes(&row.AccessPoint),
                    receives_referrals: yes(&row.ReceivesReferrals),
                });
            }
        }
        self.participation = Some(periods);
    }

    /// Whether a project takes part in CE on a date (an access point or a
    /// project receiving referrals), by CEParticipation.csv; every project
    /// does when the export has no such file.
    pub(super) fn takes_part_in_ce(&self, project: &str, on: NaiveDate) -> bool {
        let Some(periods) = &self.participation else {
            return true;
        };
        periods.get(project).is_some_and(|ps| {
            ps.iter().any(|p| {
                (p.access_point || p.receives_referrals)
                    && p.from <= on
                    && p.to.is_none_or(|to| on <= to)
            })
        })
    }

    /// Whether an enrollment is in `coc`: its EnrollmentCoC, or when that is
    /// empty, one of its project's ProjectCoC rows.
    pub(super) fn in_coc(&self, e: &EnrollmentIn, coc: &str) -> bool {
        match &e.coc {
            Some(c) => c.eq_ignore_ascii_case(coc),
            None => self
                .project_cocs
                .get(&e.project)
                .is_some_and(|cs| cs.iter().any(|(c, _)| c.eq_ignore_ascii_case(coc))),
        }
    }

    pub(super) fn organizations<R: Read>(
        &mut self,
        r: R,
        issues: &mut Issues,
        report: &mut ImportReport,
    ) {
        for (_, row) in read_rows::<OrganizationRow, _>(r, &[], issues, report, &mut self.seen)
            .unwrap_or_default()
        {
            if let (Some(id), Some(name)) = (cell(&row.OrganizationID), cell(&row.OrganizationName))
            {
                self.organizations.insert(id.to_owned(), name.to_owned());
            }
        }
    }

    pub(super) fn projects<R: Read>(
        &mut self,
        r: R,
        issues: &mut Issues,
        report: &mut ImportReport,
    ) {
        for (line, row) in
            read_rows::<ProjectRow, _>(r, &[], issues, report, &mut self.seen).unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: ProjectRow::FILE,
                line,
                bad: false,
            };
            let Some(id) = f.text("ProjectID", &row.ProjectID) else {
                continue;
            };
            let project_type = match cell(&row.ProjectType) {
                None => None,
                Some(v) => match v.parse::<u16>() {
                    Ok(t) if t <= 14 && t != 5 => Some(t),
                    _ => {
                        f.error("ProjectType", format!("{v:?} is not a 2.02.6 project type"));
                        continue;
                    }
                },
            };
            self.projects.insert(id, ProjectIn { project_type });
        }
    }

    pub(super) fn clients<R: Read>(
        &mut self,
        r: R,
        issues: &mut Issues,
        report: &mut ImportReport,
    ) {
        let rows =
            read_rows::<ClientRow, _>(r, OPTIONAL_CLIENT_COLUMNS, issues, report, &mut self.seen);
        for (line, row) in rows.unwrap_or_default() {
            let mut f = Fields {
                issues,
                file: ClientRow::FILE,
                line,
                bad: false,
            };
            let id = f.text("PersonalID", &row.PersonalID);
            let dob = self.birth_date(&mut f, &row.DOB);
            let veteran = f.lenient_code("VeteranStatus", &row.VeteranStatus, "read as 99");
            let src = self.source(&mut f, &row.DateCreated, &row.DateUpdated, &row.UserID);
            let (Some(id), false) = (id, f.bad) else {
                continue;
            };
            // Hashed names are not kept; others at most HUD's 50 characters.
            let (first, last) = if self.hashed {
                (None, None)
            } else {
                (
                    f.text_at_most("FirstName", &row.FirstName),
                    f.text_at_most("LastName", &row.LastName),
                )
            };
            self.clients.insert(
                id,
                ClientIn {
                    line,
                    updated: src.updated,
                    first,
                    last,
                    dob,
                    veteran: veteran.unwrap_or(NoYesReasons::DataNotCollected),
                },
            );
        }
    }

    pub(super) fn enrollments<R: Read>(
        &mut self,
        r: R,
        issues: &mut Issues,
        report: &mut ImportReport,
    ) {
        for (line, row) in read_rows::<EnrollmentRow, _>(r, &[], issues, report, &mut self.seen)
            .unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: EnrollmentRow::FILE,
                line,
                bad: false,
            };
            let id = f.text("EnrollmentID", &row.EnrollmentID);
            let personal = f.text("PersonalID", &row.PersonalID);
            let project = f.text("ProjectID", &row.ProjectID);
            let entry = self.row_date(&mut f, "EntryDate", &row.EntryDate);
            // A single-person enrollment often comes without HouseholdID and
            // RelationshipToHoH: it is its own household, the person its head.
            let household = match (cell(&row.HouseholdID), &id) {
                (Some(h), _) => Some(h.to_owned()),
                (None, Some(own)) => {
                    f.issues.push(
                        IssueKind::Repaired,
                        EnrollmentRow::FILE,
                        Some(line),
                        Some("HouseholdID"),
                        format!("empty: enrollment {own} is its own household"),
                    );
                    Some(format!("{OWN_HOUSEHOLD}{own}"))
                }
                (None, None) => None,
            };
            let relationship = if cell(&row.RelationshipToHoH).is_none() {
                let own = cell(&row.HouseholdID).is_none();
                f.issues.push(
                    IssueKind::Repaired,
                    EnrollmentRow::FILE,
                    Some(line),
                    Some("RelationshipToHoH"),
                    if own {
                        "empty: the only member of its household, read as 1 (head)"
                    } else {
                        "empty: read as 99 (data not collected)"
                    },
                );
                Some(if own {
                    RelationshipToHoH::SelfHeadOfHousehold
                } else {
                    RelationshipToHoH::DataNotCollected
                })
            } else {
                f.lenient_code("RelationshipToHoH", &row.RelationshipToHoH, "read as 99")
                    .or(Some(RelationshipToHoH::DataNotCollected))
            };
            // Codes outside their lists are read as 99 (data not collected).
            let disabling =
                f.lenient_code("DisablingCondition", &row.DisablingCondition, "read as 99");
            let living = f.lenient_code("LivingSituation", &row.LivingSituation, "read as 99");
            let mut yes_no = |column: &str, v: &Option<String>| {
                f.lenient_code::<NoYesMissing>(column, v, "left empty")
            };
            let under_threshold = yes_no("LOSUnderThreshold", &row.LOSUnderThreshold);
            let previous_street_essh = yes_no("PreviousStreetESSH", &row.PreviousStreetESSH);
            let stay = PriorStay {
                rental_subsidy: f.lenient_code(
                    "RentalSubsidyType",
                    &row.RentalSubsidyType,
                    "left empty",
                ),
                length_of_stay: f.lenient_code("LengthOfStay", &row.LengthOfStay, "left empty"),
                under_threshold,
                previous_street_essh,
            };
            let times = f.lenient_code(
                "TimesHomelessPastThreeYears",
                &row.TimesHomelessPastThreeYears,
                "read as 99",
            );
            let months = f.lenient_code(
                "MonthsHomelessPastThreeYears",
                &row.MonthsHomelessPastThreeYears,
                "read as 99",
            );
            let episode = f.lenient_date("DateToStreetESSH", &row.DateToStreetESSH);
            let src = self.source(&mut f, &row.DateCreated, &row.DateUpdated, &row.UserID);
            if let Some(p) = &personal {
                if !self.clients.contains_key(p) {
                    f.error(
                        "PersonalID",
                        format!("unknown client {p}: not in Client.csv"),
                    );
                }
            }
            if let Some(p) = &project {
                if !self.projects.contains_key(p) {
                    f.error(
                        "ProjectID",
                        format!("unknown project {p}: not in Project.csv"),
                    );
                }
            }
            if f.bad {
                if let Some(id) = id {
                    self.rejected.insert((EnrollmentRow::FILE, id), line);
                }
                continue;
            }
            let (
                Some(id),
                Some(personal),
                Some(project),
                Some(entry),
                Some(household),
                Some(relationship),
            ) = (id, personal, project, entry, household, relationship)
            else {
                continue;
            };
            self.enrollment_at
                .insert(id.clone(), self.enrollments.len());
            self.enrollments.push(EnrollmentIn {
                id,
                personal,
                project,
                entry,
                household,
                relationship,
                coc: cell(&row.EnrollmentCoC).map(|c| c.to_ascii_uppercase()),
                disabling: disabling.unwrap_or(NoYesReasons::DataNotCollected),
                living,
                stay,
                episode,
                times,
                months,
                src,
            });
        }
    }

    /// Whether a referenced row was dropped (its file unread or the row
    /// invalid): the referring row is then skipped, not a second error.
    pub(super) fn dropped(&self, f: &mut Fields<'_>, file: &'static str, id: &str) -> bool {
        if self.unread.contains(file) {
            f.skip(format!(
                "follows {file}, which was not read (see its error)"
            ));
            return true;
        }
        match self.rejected.get(&(file, id.to_owned())) {
            Some(line) => {
                f.skip(format!(
                    "follows {file} line {line} ({id}), which was not imported"
                ));
                true
            }
            None => false,
        }
    }

    pub(super) fn known_enrollment(
        &self,
        f: &mut Fields<'_>,
        id: &Option<String>,
    ) -> Option<String> {
        let id = f.text("EnrollmentID", id)?;
        if !self.enrollment_at.contains_key(&id) {
            if self.dropped(f, EnrollmentRow::FILE, &id) {
                return None;
            }
            f.error_value(
                "EnrollmentID",
                &id,
                format!("unknown enrollment {id}: not in Enrollment.csv"),
            );
            return None;
        }
        Some(id)
    }

    pub(super) fn exits<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in
            read_rows::<ExitRow, _>(r, &[], issues, report, &mut self.seen).unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: ExitRow::FILE,
                line,
                bad: false,
            };
            let enrollment = self.known_enrollment(&mut f, &row.EnrollmentID);
            let date = f.date("ExitDate", &row.ExitDate);
            // An exit stays an exit: a destination missing or outside the
            // list is read as 99 (data not collected).
            let destination: Option<Destination> = match cell(&row.Destination) {
                None => {
                    f.issues.push(
                        IssueKind::Repaired,
                        ExitRow::FILE,
                        Some(line),
                        Some("Destination"),
                        "empty: read as 99 (data not collected)",
                    );
                    None
                }
                Some(_) => f.lenient_code("Destination", &row.Destination, "read as 99"),
            }
            .or_else(|| Destination::try_from(99).ok());
            let mut subsidy = f.lenient_code::<RentalSubsidyType>(
                "DestinationSubsidyType",
                &row.DestinationSubsidyType,
                "left empty",
            );
            let rental = LivingSituation::RentalWithSubsidy;
            if subsidy.is_some() && destination.is_some_and(|d| d.situation() != rental) {
                f.issues.push(
                    IssueKind::Repaired,
                    ExitRow::FILE,
                    Some(line),
                    Some("DestinationSubsidyType"),
                    "given with a destination other than 435: left empty",
                );
                subsidy = None;
            }
            let src = self.source(&mut f, &row.DateCreated, &row.DateUpdated, &row.UserID);
            if let (Some(enrollment), Some(date), Some(destination), false) =
                (enrollment, date, destination, f.bad)
            {
                self.exit_of
                    .entry(enrollment.clone())
                    .or_insert(self.exits.len());
                self.exits.push(ExitIn {
                    id: cell(&row.ExitID).map(str::to_owned),
                    enrollment,
                    date,
                    destination,
                    subsidy,
                    src,
                });
            }
        }
    }

    pub(super) fn assessments<R: Read>(
        &mut self,
        r: R,
        issues: &mut Issues,
        report: &mut ImportReport,
    ) {
        for (line, row) in read_rows::<AssessmentRow, _>(r, &[], issues, report, &mut self.seen)
            .unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: AssessmentRow::FILE,
                line,
                bad: false,
            };
            let id = f.text("AssessmentID", &row.AssessmentID);
            let enrollment = self.known_enrollment(&mut f, &row.EnrollmentID);
            let date = self.row_date(&mut f, "AssessmentDate", &row.AssessmentDate);
            // Nullable since v1.4, but the CE workflow needs all three.
            let assessment_type = f.code("AssessmentType", &row.AssessmentType);
            let level = f.code("AssessmentLevel", &row.AssessmentLevel);
            let prioritization = f.code("PrioritizationStatus", &row.PrioritizationStatus);
            let src = self.source(&mut f, &row.DateCreated, &row.DateUpdated, &row.UserID);
            if f.bad {
                if let Some(id) = &id {
                    self.rejected
                        .insert((AssessmentRow::FILE, id.clone()), line);
                }
            }
            if let (
                Some(id),
                Some(enrollment),
                Some(date),
                Some(assessment_type),
                Some(level),
                Some(prioritization),
                false,
            ) = (
                id,
                enrollment,
                date,
                assessment_type,
                level,
                prioritization,
                f.bad,
            ) {
                self.assessment_ids.insert(id.clone());
                self.assessments.push(AssessmentIn {
                    id,
                    enrollment,
                    date,
                    location: f.text_at_most("AssessmentLocation", &row.AssessmentLocation),
                    assessment_type,
                    level,
                    prioritization,
                    src,
                });
            }
        }
    }

    pub(super) fn known_assessment(
        &self,
        f: &mut Fields<'_>,
        id: &Option<String>,
    ) -> Option<String> {
        let id = f.text("AssessmentID", id)?;
        if !self.assessment_ids.contains(&id) {
            if self.dropped(f, AssessmentRow::FILE, &id) {
                return None;
            }
            f.error_value(
                "AssessmentID",
                &id,
                format!("unknown assessment {id}: not in Assessment.csv"),
            );
            return None;
        }
        Some(id)
    }

    pub(super) fn questions<R: Read>(
        &mut self,
        r: R,
        issues: &mut Issues,
        report: &mut ImportReport,
    ) {
        for (line, row) in
            read_rows::<AssessmentQuestionRow, _>(r, &[], issues, report, &mut self.seen)
                .unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: AssessmentQuestionRow::FILE,
                line,
                bad: false,
            };
            let assessment = self.known_assessment(&mut f, &row.AssessmentID);
            let question = f
                .text("AssessmentQuestion", &row.AssessmentQuestion)
                .map(|q| f.cut("AssessmentQuestion", &q));
            let order = match cell(&row.AssessmentQuestionOrder) {
                None => Some(u32::MAX),
                Some(v) => v.parse::<u32>().ok().or_else(|| {
                    f.error("AssessmentQuestionOrder", format!("{v:?} is not a number"));
                    None
                }),
            };
            if let (Some(assessment), Some(question), Some(order), false) =
                (assessment, question, order, f.bad)
            {
                let answer = f
                    .text_at_most("AssessmentAnswer", &row.AssessmentAnswer)
                    .unwrap_or_default();
                if let Some(id) = cell(&row.AssessmentQuestionID) {
                    self.question_ids.insert(line, id.to_owned());
                }
                self.answers.entry(assessment).or_default().push((
                    order,
                    line,
                    AssessmentAnswer { question, answer },
                ));
            }
        }
    }

    pub(super) fn results<R: Read>(
        &mut self,
        r: R,
        issues: &mut Issues,
        report: &mut ImportReport,
    ) {
        for (line, row) in
            read_rows::<AssessmentResultRow, _>(r, &[], issues, report, &mut self.seen)
                .unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: AssessmentResultRow::FILE,
                line,
                bad: false,
            };
            let assessment = self.known_assessment(&mut f, &row.AssessmentID);
            let kind = f
                .text("AssessmentResultType", &row.AssessmentResultType)
                .map(|k| f.cut("AssessmentResultType", &k));
            let value = f.text_at_most("AssessmentResult", &row.AssessmentResult);
            if let (Some(assessment), Some(kind), false) = (assessment, kind, f.bad) {
                if let Some(id) = cell(&row.AssessmentResultID) {
                    self.result_ids.insert(line, id.to_owned());
                }
                self.results
                    .entry(assessment)
                    .or_default()
                    .push((line, kind, value));
            }
        }
    }

    pub(super) fn events<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in
            read_rows::<EventRow, _>(r, &[], issues, report, &mut self.seen).unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: EventRow::FILE,
                line,
                bad: false,
            };
            let id = f.text("EventID", &row.EventID);
            let enrollment = self.known_enrollment(&mut f, &row.EnrollmentID);
            let date = self.row_date(&mut f, "EventDate", &row.EventDate);
            let code = f.code::<CeEventType>("Event", &row.Event);
            let src = self.source(&mut f, &row.DateCreated, &row.DateUpdated, &row.UserID);
            let (Some(id), Some(enrollment), Some(date), Some(code), false) =
                (id, enrollment, date, code, f.bad)
            else {
                continue;
            };
            // The dependent fields are kept as the source recorded them; a
            // code outside its list is dropped, with a finding.
            let problem_solving_result =
                f.lenient_code("ProbSolDivRRResult", &row.ProbSolDivRRResult, "left empty");
            let case_management_after = f.lenient_code(
                "ReferralCaseManageAfter",
                &row.ReferralCaseManageAfter,
                "left empty",
            );
            let result = f.lenient_code::<ReferralResult>(
                "ReferralResult",
                &row.ReferralResult,
                "left empty",
            );
            let result_date = f.lenient_date("ResultDate", &row.ResultDate);
            let mut note = |column: &str, reason: String| {
                f.issues.push(
                    IssueKind::Note,
                    EventRow::FILE,
                    Some(line),
                    Some(column),
                    reason,
                )
            };
            match (result, result_date) {
                (Some(_), None) => note(
                    "ResultDate",
                    "ReferralResult is set but ResultDate is empty: kept without a result date"
                        .to_owned(),
                ),
                (None, Some(_)) if cell(&row.ReferralResult).is_none() => note(
                    "ReferralResult",
                    "ResultDate is set but ReferralResult is empty: kept as recorded".to_owned(),
                ),
                (_, Some(on)) if on < date => note(
                    "ResultDate",
                    format!("result date {on} is before the event date {date}: kept as recorded"),
                ),
                _ => {}
            }
            if result.is_some() && !code.carries_referral_result() {
                note(
                    "ReferralResult",
                    format!("event {code} carries no referral result in HUD's data dictionary: kept as recorded"),
                );
            }
            self.events.push(EventIn {
                id,
                enrollment,
                date,
                event: CeEventRecorded {
                    event: code,
                    problem_solving_result,
                    case_management_after,
                    location: f
                        .text_at_most("LocationCrisisOrPHHousing", &row.LocationCrisisOrPHHousing),
                    result,
                    result_date,
                },
                src,
            });
        }
    }

    pub(super) fn cls<R: Read>(&mut self, r: R, issues: &mut Issues, report: &mut ImportReport) {
        for (line, row) in
            read_rows::<CurrentLivingSituationRow, _>(r, &[], issues, report, &mut self.seen)
                .unwrap_or_default()
        {
            let mut f = Fields {
                issues,
                file: CurrentLivingSituationRow::FILE,
                line,
                bad: false,
            };
            let id = f.text("CurrentLivingSitID", &row.CurrentLivingSitID);
            let enrollment = self.known_enrollment(&mut f, &row.EnrollmentID);
            let date = self.row_date(&mut f, "InformationDate", &row.InformationDate);
            let situation = match f.required("CurrentLivingSituation", &row.CurrentLivingSituation)
            {
                None => None,
                // An invalid code is kept as 99 (data not collected).
                Some(_) => f
                    .lenient_code::<CurrentSituation>(
                        "CurrentLivingSituation",
                        &row.CurrentLivingSituation,
                        "kept as 99 (data not collected)",
                    )
                    .or_else(|| CurrentSituation::try_from(99).ok()),
            };
            let subsidy = f.lenient_code::<RentalSubsidyType>(
                "CLSSubsidyType",
                &row.CLSSubsidyType,
                "left empty",
            );
            let leave = f.lenient_code::<NoYesReasons>(
                "LeaveSituation14Days",
                &row.LeaveSituation14Days,
                "left empty",
            );
            let mut yes_no = |column: &str, v: &Option<String>| {
                f.lenient_code::<NoYesReasons>(column, v, "left empty")
            };
            let leaving = LeavingSituation {
                subsequent_residence: yes_no("SubsequentResidence", &row.SubsequentResidence),
                resources_to_obtain: yes_no("ResourcesToObtain", &row.ResourcesToObtain),
                lease_own_60_day: yes_no("LeaseOwn60Day", &row.LeaseOwn60Day),
                moved_two_or_more: yes_no("MovedTwoOrMore", &row.MovedTwoOrMore),
            };
            let src = self.source(&mut f, &row.DateCreated, &row.DateUpdated, &row.UserID);
            if let (Some(id), Some(enrollment), Some(date), Some(situation), false) =
                (id, enrollment, date, situation, f.bad)
            {
                self.cls.push(ClsIn {
                    id,
                    enrollment,
                    date,
                    current: CurrentLivingSituation {
                        leaving,
                        living_situation: situation,
                        subsidy,
                        verified_by: f.text_at_most("VerifiedBy", &row.VerifiedBy),
                        leave_within_14_days: leave,
                        location_details: f.text_at_most("LocationDetails", &row.LocationDetails),
                    },
                    src,
                });
            }
        }
    }
}

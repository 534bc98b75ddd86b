//! Planning: the source's rows mapped to CE households and ordered as
//! workflow commands and events, dry-run against the caseload.

use super::*;

/// A source household: its project and HouseholdID.
pub(super) type GroupKey = (String, String);

/// One planned write before ids are known, ordered by date then kind.
#[derive(Debug, Clone)]
pub(super) enum Action {
    Enroll { group: GroupKey },
    AddMember { group: GroupKey, enrollment: usize },
    Assess { group: GroupKey, assessment: usize },
    FollowUp { group: GroupKey, cls: usize },
    Event { group: GroupKey, event: usize },
    RemoveMember { group: GroupKey, exit: usize },
    Exit { group: GroupKey, exit: usize },
}

impl Action {
    /// Order within a day.
    pub(super) fn phase(&self) -> u8 {
        match self {
            Action::Enroll { .. } => 0,
            Action::AddMember { .. } => 1,
            Action::Assess { .. } => 2,
            Action::FollowUp { .. } => 3,
            Action::Event { .. } => 4,
            Action::RemoveMember { .. } => 6,
            Action::Exit { .. } => 7,
        }
    }
}

/// The plan under construction: the dry-run caseload and what is known.
pub(super) struct Planner<'a> {
    pub(super) input: &'a Input,
    pub(super) options: &'a ImportOptions,
    pub(super) policy: &'a Policy,
    pub(super) caseload: Caseload,
    pub(super) issues: &'a mut Issues,
    pub(super) steps: Vec<ImportStep>,
    pub(super) households: HashMap<GroupKey, HouseholdId>,
    pub(super) groups: BTreeMap<GroupKey, Vec<usize>>,
    pub(super) entry_cls: HashMap<GroupKey, usize>,
    /// Coalition map entries that placed a household.
    pub(super) map_used: BTreeSet<String>,
    /// Exits dated before their household's start, by exit row: the date
    /// they are recorded on.
    pub(super) exit_dates: HashMap<usize, NaiveDate>,
    /// Households whose head was repaired: the enrollment now head.
    pub(super) head_repairs: HashMap<GroupKey, usize>,
    /// The store, to find what earlier imports of the source recorded.
    pub(super) store: &'a dyn EventStore,
    /// Rows earlier imports of this source linked: (file, id) → the event
    /// that recorded the row and the row's DateUpdated then.
    pub(super) known: HashMap<(String, String), Linked>,
    /// New links, per household, with the source's HouseholdID.
    pub(super) links: BTreeMap<HouseholdId, (Option<String>, Vec<HmisLink>)>,
    /// Events earlier imports recorded as deleted in the source.
    pub(super) deleted_before: BTreeSet<EventId>,
    /// The latest correction of each corrected event, as the store has it.
    pub(super) corrected: HashMap<EventId, Event>,
    /// Rows already imported and unchanged.
    pub(super) unchanged: usize,
}

/// The event an earlier import recorded a source row as, and the row's
/// DateUpdated then.
pub(super) type Linked = (EventId, Option<DateTime<Utc>>);

/// What running one source row came to.
pub(super) enum Ran {
    /// Decided and planned: its outcome and events.
    New(Outcome, Vec<NewEvent>),
    /// An earlier import of the source recorded it: its first stored event.
    Existing(Box<Envelope>),
}

/// Folds an append request into a caseload as a store would.
pub(super) fn fold(caseload: &mut Caseload, request: &AppendRequest) {
    for new in &request.events {
        let streams = new
            .streams
            .iter()
            .map(|s| StreamVersion {
                stream: *s,
                version: caseload.version(s) + 1,
            })
            .collect();
        let envelope = Envelope::stored(new.clone(), caseload.next_position, streams);
        caseload.apply(&envelope);
    }
}

impl Planner<'_> {
    pub(super) fn actor(&self, src: &Source) -> Actor {
        Actor {
            user: src
                .user
                .clone()
                .map_or_else(|| self.options.user.clone(), UserId),
            agency: AgencyId(format!("hmis-csv:{}", self.input.export_id)),
            role: Role::Lead,
        }
    }

    /// When the row was recorded: its DateCreated (or DateUpdated), unless
    /// that is missing or before the row's own date.
    pub(super) fn recorded(&self, at: Option<DateTime<Utc>>, on: NaiveDate) -> DateTime<Utc> {
        at.filter(|t| t.date_naive() >= on)
            .unwrap_or(self.options.now)
    }

    pub(super) fn id(&self, file: &str, key: &str, purpose: &str) -> uuid::Uuid {
        derive(&[
            b"hud-csv-import",
            self.input.source.as_bytes(),
            file.as_bytes(),
            key.as_bytes(),
            purpose.as_bytes(),
        ])
    }

    pub(super) fn meta(&self, file: &str, key: &str, src: &Source, on: NaiveDate) -> CommandMeta {
        CommandMeta {
            command_id: CommandId(self.id(file, key, "command")),
            actor: self.actor(src),
            recorded_at: self.recorded(src.created, on),
        }
    }

    pub(super) fn error(&mut self, file: &'static str, line: u64, reason: impl Into<String>) {
        self.issues
            .push(IssueKind::Error, file, Some(line), None, reason);
    }

    /// Runs a command against the dry-run caseload; on success keeps it.
    /// A command an earlier import of the source executed is not run again.
    pub(super) fn command(
        &mut self,
        file: &'static str,
        line: u64,
        meta: CommandMeta,
        command: Command,
    ) -> Option<Ran> {
        if let Some(first) = self.stored(EventId(meta.command_id.derive("event", 0))) {
            return Some(Ran::Existing(Box::new(first)));
        }
        match decide(&self.caseload, self.policy, &meta, &command) {
            Ok(decision) => {
                let mut events = Vec::new();
                if !decision.events.is_empty() {
                    let request = decision.to_request(&self.caseload, &meta);
                    fold(&mut self.caseload, &request);
                    events = request.events;
                }
                self.steps.push(ImportStep::Command {
                    meta,
                    command: Box::new(command),
                });
                Some(Ran::New(decision.outcome, events))
            }
            Err(e) => {
                self.error(file, line, format!("refused by the CE workflow: {e}"));
                None
            }
        }
    }

    pub(super) fn append(&mut self, events: Vec<NewEvent>) {
        let streams: BTreeSet<StreamId> = events
            .iter()
            .flat_map(|e| e.streams.iter().copied())
            .collect();
        let request = AppendRequest {
            expected: streams
                .into_iter()
                .map(|s| (s, ExpectedVersion::Exact(self.caseload.version(&s))))
                .collect(),
            events,
        };
        fold(&mut self.caseload, &request);
        self.steps.push(ImportStep::Append(request));
    }

    pub(super) fn household(
        &mut self,
        group: &GroupKey,
        file: &'static str,
        line: u64,
    ) -> Option<HouseholdId> {
        let found = self.households.get(group).copied();
        if found.is_none() {
            self.issues.push(
                IssueKind::Skipped,
                file,
                Some(line),
                None,
                "its household was not imported (see the errors above)",
            );
        }
        found
    }

    /// A household with no head or several: the HUD Reporting Glossary's
    /// rule makes the oldest adult (the oldest member when no age is known)
    /// head; the other former heads' relationship becomes 99.
    pub(super) fn repair_head(
        &mut self,
        group: &GroupKey,
        members: &[usize],
        heads: &[usize],
    ) -> Option<usize> {
        let input = self.input;
        let candidates: &[usize] = if heads.is_empty() { members } else { heads };
        let born = |i: &usize| {
            input
                .clients
                .get(&input.enrollments[*i].personal)
                .and_then(|c| c.dob)
        };
        // Oldest first; unknown birth dates last, then file order.
        let head = *candidates
            .iter()
            .min_by_key(|i| (born(i).is_none(), born(i), input.enrollments[**i].src.line))?;
        self.head_repairs.insert(group.clone(), head);
        let e = &input.enrollments[head];
        self.issues.push(
            IssueKind::Repaired,
            EnrollmentRow::FILE,
            Some(e.src.line),
            Some("RelationshipToHoH"),
            format!(
                "household {} has {} heads of household: {} ({}) is head as the oldest adult; the others are recorded with relationship 99",
                group.1,
                heads.len(),
                e.personal,
                born(&head).map_or_else(|| "birth date unknown".to_owned(), |d| format!("born {d}")),
            ),
        );
        Some(head)
    }

    /// The client a PersonalID names: the id itself when it is a UUID
    /// (ce's own exports), else one derived from the source and the id.
    pub(super) fn client_id(&self, personal: &str) -> ClientId {
        ClientId(uuid::Uuid::try_parse(personal).unwrap_or_else(|_| {
            derive(&[b"client", self.input.source.as_bytes(), personal.as_bytes()])
        }))
    }

    pub(super) fn member(&self, e: &EnrollmentIn) -> Option<Member> {
        let client = self.input.clients.get(&e.personal)?;
        Some(Member {
            client: self.client_id(&e.personal),
            relationship: match self
                .head_repairs
                .get(&(e.project.clone(), e.household.clone()))
            {
                Some(&head) if self.input.enrollments[head].id == e.id => {
                    RelationshipToHoH::SelfHeadOfHousehold
                }
                Some(_) if e.relationship == RelationshipToHoH::SelfHeadOfHousehold => {
                    RelationshipToHoH::DataNotCollected
                }
                _ => e.relationship,
            },
            birth_date: client.dob,
            veteran: client.veteran,
            disabling_condition: e.disabling,
            first_name: client.first.clone(),
            last_name: client.last.clone(),
            age_band: None,
            sealed: None,
        })
    }

    pub(super) fn run(&mut self, action: Action) {
        let input = self.input;
        let export = &input.export_id;
        match action {
            Action::Enroll { group } => {
                let members = self.groups.get(&group).cloned().unwrap_or_default();
                let members = &members;
                let start = members.iter().map(|&i| input.enrollments[i].entry).min();
                let Some(start) = start else { return };
                let heads: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|&i| {
                        input.enrollments[i].relationship == RelationshipToHoH::SelfHeadOfHousehold
                    })
                    .collect();
                let head = match heads[..] {
                    [head] => head,
                    _ => {
                        let Some(head) = self.repair_head(&group, members, &heads) else {
                            return;
                        };
                        head
                    }
                };
                let hoh = &input.enrollments[head];
                if hoh.entry != start {
                    self.issues.push_value(
                        IssueKind::Repaired,
                        (EnrollmentRow::FILE, hoh.src.line),
                        "EntryDate",
                        &hoh.entry.to_string(),
                        format!(
                            "the head of household entered after other members of household {} (on {start}): the household starts then, with its head",
                            group.1
                        ),
                    );
                }
                // Heads are enrolled with the household (a household needs
                // one from its start); everyone else on their entry date.
                let initial: Vec<Member> = members
                    .iter()
                    .map(|&i| &input.enrollments[i])
                    .filter(|e| {
                        e.entry == start || e.relationship == RelationshipToHoH::SelfHeadOfHousehold
                    })
                    .filter_map(|e| self.member(e))
                    .collect();
                let current = match self.entry_cls.get(&group) {
                    Some(&i) => input.cls[i].current.clone(),
                    None => {
                        self.issues.push(
                            IssueKind::Note,
                            EnrollmentRow::FILE,
                            Some(hoh.src.line),
                            None,
                            "no 4.12 Current Living Situation on the entry date: recorded as 99 (data not collected)",
                        );
                        CurrentLivingSituation::new(
                            CurrentSituation::try_from(99)
                                .unwrap_or(CurrentSituation::EMERGENCY_SHELTER),
                        )
                    }
                };
                let not_collected =
                    |v: Option<PriorSituation>| v.or_else(|| PriorSituation::try_from(99).ok());
                let Some(living) = not_collected(hoh.living) else {
                    return;
                };
                let Some(coalition) = self.coalition_for(&group, hoh) else {
                    return;
                };
                let command = Command::Enroll(Enroll {
                    coalition,
                    project_start: start,
                    members: initial,
                    prior: PriorLivingSituation {
                        stay: hoh.stay.clone(),
                        living_situation: living,
                        episode_start: hoh.episode,
                        times_homeless: hoh.times.unwrap_or(TimesHomeless::DataNotCollected),
                        months_homeless: hoh.months.unwrap_or(MonthsHomeless::DataNotCollected),
                    },
                    current,
                    referred_by: None,
                    restricted: false,
                });
                let meta = self.meta(EnrollmentRow::FILE, &hoh.id, &hoh.src, start);
                let enroll = command.clone();
                let initial: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let e = &input.enrollments[i];
                        e.entry == start || e.relationship == RelationshipToHoH::SelfHeadOfHousehold
                    })
                    .collect();
                let (household, event) =
                    match self.command(EnrollmentRow::FILE, hoh.src.line, meta, command) {
                        Some(Ran::New(Outcome::Enrolled { household }, events)) => {
                            let Some(first) = events.first() else { return };
                            (household, first.event_id)
                        }
                        Some(Ran::Existing(stored)) => match &stored.event {
                            Event::HouseholdEnrolled(e) => {
                                self.correct_enrollment(&group, hoh, &initial, &stored, enroll);
                                (e.household, stored.event_id)
                            }
                            _ => return,
                        },
                        _ => return,
                    };
                self.households.insert(group.clone(), household);
                for &i in &initial {
                    self.link_member(household, &group, i, event);
                }
                if let Some(&i) = self.entry_cls.get(&group) {
                    let c = &input.cls[i];
                    self.link(
                        household,
                        &group,
                        CurrentLivingSituationRow::FILE,
                        &c.id,
                        event,
                        None,
                        c.src.updated,
                    );
                }
            }
            Action::AddMember { group, enrollment } => {
                let e = &input.enrollments[enrollment];
                let Some(household) = self.household(&group, EnrollmentRow::FILE, e.src.line)
                else {
                    return;
                };
                let Some(member) = self.member(e) else { return };
                let meta = self.meta(EnrollmentRow::FILE, &e.id, &e.src, e.entry);
                let command = Command::AddMember(AddMember {
                    household,
                    date: e.entry,
                    member,
                });
                let event = match self.command(EnrollmentRow::FILE, e.src.line, meta, command) {
                    Some(Ran::New(_, events)) => events.first().map(|e| e.event_id),
                    Some(Ran::Existing(stored)) => Some(stored.event_id),
                    None => None,
                };
                if let Some(event) = event {
                    self.link_member(household, &group, enrollment, event);
                }
            }
            Action::Assess { group, assessment } => {
                let a = &input.assessments[assessment];
                let file = AssessmentRow::FILE;
                let Some(household) = self.household(&group, file, a.src.line) else {
                    self.skip_dependents(a);
                    return;
                };
                let mut answers = input.answers.get(&a.id).cloned().unwrap_or_default();
                answers.sort_by_key(|(order, line, _)| (*order, *line));
                let answers_lines: Vec<u64> = answers.iter().map(|(_, line, _)| *line).collect();
                // Every result is kept as recorded; the score is the first
                // whole number under a result type the policy names.
                let mut score = None;
                let mut results = Vec::new();
                let mut result_lines = Vec::new();
                for (line, kind, value) in input.results.get(&a.id).cloned().unwrap_or_default() {
                    if self.policy.is_score_type(&kind) && score.is_none() {
                        match value.as_deref().map(|v| v.trim().parse::<u32>()) {
                            Some(Ok(s)) => score = Some(s),
                            _ => self.issues.push(
                                IssueKind::Note,
                                AssessmentResultRow::FILE,
                                Some(line),
                                Some("AssessmentResult"),
                                format!("{value:?} under {kind:?} is not a whole number: kept as a result, not as the score"),
                            ),
                        }
                    }
                    result_lines.push(line);
                    results.push(AssessmentResultEntry {
                        result_type: kind,
                        result: value.unwrap_or_default(),
                    });
                }
                let location = a.location.clone().unwrap_or_default();
                let command = Command::Assess(Assess {
                    household,
                    date: a.date,
                    location,
                    assessment_type: a.assessment_type,
                    level: a.level,
                    answers: answers.into_iter().map(|(_, _, x)| x).collect(),
                    results,
                    score,
                    prioritization: a.prioritization,
                });
                let meta = self.meta(file, &a.id, &a.src, a.date);
                let assessment_id = ce_core::AssessmentId(meta.command_id.derive("assessment", 0));
                let event = match self.command(file, a.src.line, meta, command.clone()) {
                    Some(Ran::New(_, events)) => events.first().map(|e| e.event_id),
                    Some(Ran::Existing(stored)) => {
                        if self.changed_since((file, a.src.line), &a.id, a.src.updated) {
                            if let (Command::Assess(c), Event::AssessmentRecorded(before)) =
                                (&command, self.latest(&stored).clone())
                            {
                                let mut now = before.assessment.clone();
                                now.assessment_id = assessment_id;
                                now.location = c.location.clone();
                                now.assessment_type = c.assessment_type;
                                now.level = c.level;
                                now.answers = c.answers.clone();
                                now.results = c.results.clone();
                                now.score = c.score;
                                now.prioritization = c.prioritization;
                                let now = Event::AssessmentRecorded(ce_core::AssessmentRecorded {
                                    assessment: now,
                                    contact: before.contact,
                                });
                                self.correct_if_changed(
                                    file, a.src.line, &a.id, &a.src, &stored, now,
                                );
                            }
                        }
                        Some(stored.event_id)
                    }
                    None => {
                        self.skip_dependents(a);
                        None
                    }
                };
                if let Some(event) = event {
                    self.link(household, &group, file, &a.id, event, None, a.src.updated);
                    // Question and result rows go with their assessment's
                    // DateUpdated: linked once, by id and order.
                    let rows = [
                        (
                            AssessmentQuestionRow::FILE,
                            &answers_lines,
                            &input.question_ids,
                        ),
                        (AssessmentResultRow::FILE, &result_lines, &input.result_ids),
                    ];
                    for (row_file, lines, ids) in rows {
                        for id in lines.iter().filter_map(|line| ids.get(line)) {
                            self.link(household, &group, row_file, id, event, None, None);
                        }
                    }
                }
            }
            Action::FollowUp { group, cls } => {
                let c = &input.cls[cls];
                let file = CurrentLivingSituationRow::FILE;
                let Some(household) = self.household(&group, file, c.src.line) else {
                    return;
                };
                let months = self
                    .caseload
                    .households()
                    .get(&household)
                    .map_or(MonthsHomeless::DataNotCollected, |h| h.months_homeless);
                let residence = PriorSituation::try_from(c.current.living_situation.situation())
                    .or_else(|_| PriorSituation::try_from(99));
                let Ok(residence) = residence else { return };
                let command = Command::FollowUp(FollowUp {
                    household,
                    date: c.date,
                    status: StatusUpdate {
                        residence,
                        months_homeless: months,
                    },
                    current: c.current.clone(),
                    note: format!(
                        "4.12 Current Living Situation imported from HMIS CSV export {export}."
                    ),
                });
                let meta = self.meta(file, &c.id, &c.src, c.date);
                let event = match self.command(file, c.src.line, meta, command) {
                    Some(Ran::New(_, events)) => events.first().map(|e| e.event_id),
                    Some(Ran::Existing(stored)) => {
                        if self.changed_since((file, c.src.line), &c.id, c.src.updated) {
                            if let Event::ContactMade(before) = self.latest(&stored).clone() {
                                let mut now = before;
                                now.current = c.current.clone();
                                let now = Event::ContactMade(now);
                                self.correct_if_changed(
                                    file, c.src.line, &c.id, &c.src, &stored, now,
                                );
                            }
                        }
                        Some(stored.event_id)
                    }
                    None => None,
                };
                if let Some(event) = event {
                    self.link(household, &group, file, &c.id, event, None, c.src.updated);
                }
            }
            Action::Event { group, event } => self.record_event(&group, event),
            Action::RemoveMember { group, exit } => {
                let x = &input.exits[exit];
                let file = ExitRow::FILE;
                let Some(household) = self.household(&group, file, x.src.line) else {
                    return;
                };
                let Some(e) = input
                    .enrollment_at
                    .get(&x.enrollment)
                    .and_then(|&i| input.enrollments.get(i))
                else {
                    return;
                };
                let Some(member) = self.member(e) else { return };
                let on = self.exit_dates.get(&exit).copied().unwrap_or(x.date);
                let meta = self.meta(file, &x.enrollment, &x.src, on);
                let client = member.client;
                let command = Command::RemoveMember(RemoveMember {
                    destination: Some(x.destination),
                    destination_subsidy: x.subsidy,
                    household,
                    date: on,
                    client,
                });
                let ran = self.command(file, x.src.line, meta, command);
                self.link_exit(household, &group, x, ran, &[client]);
            }
            Action::Exit { group, exit } => {
                let x = &input.exits[exit];
                let file = ExitRow::FILE;
                let Some(household) = self.household(&group, file, x.src.line) else {
                    return;
                };
                let on = self.exit_dates.get(&exit).copied().unwrap_or(x.date);
                let meta = self.meta(file, &x.enrollment, &x.src, on);
                let command = Command::Exit(Exit {
                    member_destinations: Default::default(),
                    destination_subsidy: x.subsidy,
                    household,
                    date: on,
                    destination: x.destination,
                    reason: format!("Exit imported from HMIS CSV export {export}."),
                });
                let members: Vec<ClientId> = self
                    .caseload
                    .households()
                    .get(&household)
                    .map(|h| h.members.iter().map(|m| m.client).collect())
                    .unwrap_or_default();
                let command = match command {
                    Command::Exit(mut exit) => {
                        exit.member_destinations = self.member_destinations(&group, x, &members);
                        Command::Exit(exit)
                    }
                    other => other,
                };
                let ran = self.command(file, x.src.line, meta, command);
                self.link_exit(household, &group, x, ran, &members);
            }
        }
    }

    /// An assessment that was not imported: its question and result rows
    /// follow it.
    fn skip_dependents(&mut self, a: &AssessmentIn) {
        let input = self.input;
        let answers = input.answers.get(&a.id).into_iter().flatten();
        let results = input.results.get(&a.id).into_iter().flatten();
        let lines = answers
            .map(|x| (AssessmentQuestionRow::FILE, x.1))
            .chain(results.map(|x| (AssessmentResultRow::FILE, x.0)));
        for (file, line) in lines {
            self.issues.push(
                IssueKind::Skipped,
                file,
                Some(line),
                None,
                format!(
                    "follows Assessment.csv line {} ({}), which was not imported",
                    a.src.line, a.id
                ),
            );
        }
    }

    /// The exit date of a source household's head of household, if any.
    pub(super) fn group_exit(&self, group: &GroupKey) -> Option<NaiveDate> {
        let input = self.input;
        let head = match self.head_repairs.get(group) {
            Some(&i) => input.enrollments.get(i),
            None => self.groups.get(group).and_then(|members| {
                members
                    .iter()
                    .map(|&i| &input.enrollments[i])
                    .find(|e| e.relationship == RelationshipToHoH::SelfHeadOfHousehold)
            }),
        }?;
        input
            .exit_of
            .get(&head.id)
            .and_then(|&x| input.exits.get(x))
            .map(|x| x.date)
    }

    /// The coalition of a source household: by the coalition map (its
    /// project, the project's Geocode, its CoC), else the default.
    pub(super) fn coalition_for(
        &mut self,
        group: &GroupKey,
        hoh: &EnrollmentIn,
    ) -> Option<Coalition> {
        let input = self.input;
        let map = &self.options.coalition_map;
        // Ids match as written; CoC codes whatever their case.
        let coc = |code: &str| {
            map.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(code))
                .map(|(k, c)| (k.clone(), c))
        };
        let exact = |key: &str| map.get_key_value(key).map(|(k, c)| (k.clone(), c));
        let cocs = input.project_cocs.get(&hoh.project);
        let hit = exact(&hoh.project)
            .or_else(|| {
                cocs.into_iter()
                    .flatten()
                    .filter_map(|(_, geocode)| geocode.as_deref())
                    .find_map(exact)
            })
            .or_else(|| hoh.coc.as_deref().and_then(coc))
            .or_else(|| cocs.into_iter().flatten().find_map(|(c, _)| coc(c)));
        let found = match hit {
            Some((key, coalition)) => {
                self.map_used.insert(key);
                Some(coalition.clone())
            }
            None => self.options.coalition.clone(),
        };
        if found.is_none() {
            self.issues.push(
                IssueKind::Error,
                EnrollmentRow::FILE,
                Some(hoh.src.line),
                Some("ProjectID"),
                format!(
                    "no coalition for household {} (project {}): add the project, its Geocode or its CoC to the coalition map, or give a default coalition",
                    group.1, hoh.project
                ),
            );
        }
        found
    }

    /// Notes the coalition map entries that placed no household (a typo, or
    /// a project with no CE data).
    pub(super) fn unused_map_entries(&mut self) {
        let unused: Vec<String> = self
            .options
            .coalition_map
            .keys()
            .filter(|k| !self.map_used.contains(*k))
            .cloned()
            .collect();
        for key in unused {
            self.issues.push(
                IssueKind::Note,
                "coalition map",
                None,
                Some("source"),
                format!(
                    "{key} placed no household: no household's project, Geocode or CoC is {key}"
                ),
            );
        }
    }

    /// The members leaving with the head whose own Exit.csv row names
    /// another destination than the head's.
    pub(super) fn member_destinations(
        &self,
        group: &GroupKey,
        head_exit: &ExitIn,
        clients: &[ClientId],
    ) -> Vec<MemberDestination> {
        let input = self.input;
        let members = self.groups.get(group).cloned().unwrap_or_default();
        members
            .iter()
            .map(|&i| &input.enrollments[i])
            .filter(|e| e.id != head_exit.enrollment)
            .filter_map(|e| {
                let client = self.client_id(&e.personal);
                let row = input.exit_of.get(&e.id).and_then(|&x| input.exits.get(x))?;
                let differs =
                    (row.destination, row.subsidy) != (head_exit.destination, head_exit.subsidy);
                (clients.contains(&client) && differs).then_some(MemberDestination {
                    client,
                    destination: row.destination,
                    subsidy: row.subsidy,
                })
            })
            .collect()
    }

    /// A 4.20 event, appended as recorded on the household: the source's
    /// events are kept as the source recorded them (referrals made there
    /// included), with a finding where they break HUD's rules.
    pub(super) fn record_event(&mut self, group: &GroupKey, index: usize) {
        let input = self.input;
        let e = &input.events[index];
        let file = EventRow::FILE;
        let Some(household_id) = self.household(group, file, e.src.line) else {
            return;
        };
        let start = self
            .caseload
            .households()
            .get(&household_id)
            .map(|h| h.project_start);
        if let Some(start) = start.filter(|s| e.date < *s) {
            self.issues.push(
                IssueKind::Note,
                file,
                Some(e.src.line),
                Some("EventDate"),
                format!("dated before the household's entry on {start}: kept as recorded"),
            );
        }
        if let Some((_, end)) = input.period {
            for (column, date) in [
                ("EventDate", Some(e.date)),
                ("ResultDate", e.event.result_date),
            ] {
                if let Some(date) = date.filter(|d| *d > end) {
                    self.issues.push(
                        IssueKind::Note,
                        file,
                        Some(e.src.line),
                        Some(column),
                        format!("{date} is after the export's end {end}: kept as recorded"),
                    );
                }
            }
        }
        // Dated by the source's exit, not by what the store holds now.
        let exit = self.group_exit(group);
        if let Some(exit) = exit.filter(|x| e.date > *x) {
            self.issues.push(
                IssueKind::Note,
                file,
                Some(e.src.line),
                Some("EventDate"),
                format!(
                    "event dated {} is after the household's exit on {exit}: kept as recorded",
                    e.date
                ),
            );
        } else if let Some(on) = e.event.result_date {
            if let Some(exit) = exit.filter(|x| on > *x) {
                self.issues.push(
                    IssueKind::Note,
                    file,
                    Some(e.src.line),
                    Some("ResultDate"),
                    format!("result dated {on} is after the household's exit on {exit}: kept as recorded"),
                );
            }
        }
        let event_id = EventId(self.id(file, &e.id, "event"));
        if let Some(stored) = self.stored(event_id) {
            if self.changed_since((file, e.src.line), &e.id, e.src.updated) {
                let now = Event::CeEventRecorded(e.event.clone());
                self.correct_if_changed(file, e.src.line, &e.id, &e.src, &stored, now);
            }
        } else {
            let at = e.src.created;
            let event = NewEvent {
                event_id,
                streams: vec![StreamId::Household(household_id)],
                effective: e.date,
                recorded_at: self.recorded(at, e.date),
                actor: self.actor(&e.src),
                event: Event::CeEventRecorded(e.event.clone()),
            };
            self.append(vec![event]);
        }
        self.link(
            household_id,
            group,
            file,
            &e.id,
            event_id,
            None,
            e.src.updated,
        );
    }
}

impl Planner<'_> {
    /// Maps the source's rows to CE households and orders the writes.
    pub(super) fn map(&mut self) -> Vec<((NaiveDate, u8, u64), Action)> {
        let input = self.input;
        let mut groups: BTreeMap<GroupKey, Vec<usize>> = BTreeMap::new();
        for (i, e) in input.enrollments.iter().enumerate() {
            groups
                .entry((e.project.clone(), e.household.clone()))
                .or_default()
                .push(i);
        }
        let by_id: HashMap<&str, usize> = input
            .enrollments
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i))
            .collect();
        let group_of = |i: usize| {
            let e = &input.enrollments[i];
            (e.project.clone(), e.household.clone())
        };
        let is_ce = |g: &GroupKey| {
            input
                .projects
                .get(&g.0)
                .is_some_and(|p| p.project_type == Some(14))
        };
        let exit_of: HashMap<&str, NaiveDate> = input
            .exits
            .iter()
            .map(|x| (x.enrollment.as_str(), x.date))
            .collect();
        let mut chosen: BTreeSet<GroupKey> = groups.keys().filter(|g| is_ce(g)).cloned().collect();
        // The CE household a person's row on `on` belongs to: a chosen
        // household the person is in on that date, CE projects first.
        // Each person's enrollments, so that finding the household a row
        // belongs to does not walk every household.
        let mut by_person: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in input.enrollments.iter().enumerate() {
            by_person.entry(e.personal.as_str()).or_default().push(i);
        }
        let covering = |chosen: &BTreeSet<GroupKey>,
                        personal: &str,
                        on: NaiveDate|
         -> Option<GroupKey> {
            let mut found: Vec<GroupKey> = by_person
                .get(personal)
                .into_iter()
                .flatten()
                .map(|&i| &input.enrollments[i])
                .filter(|e| e.entry <= on && exit_of.get(e.id.as_str()).is_none_or(|x| on <= *x))
                .map(|e| (e.project.clone(), e.household.clone()))
                .filter(|g| chosen.contains(g))
                .collect();
            found.sort();
            found.sort_by_key(|g| !is_ce(g));
            found.into_iter().next()
        };
        let target = |chosen: &mut BTreeSet<GroupKey>,
                      enrollment: &str,
                      on: NaiveDate,
                      adopt: bool|
         -> Option<GroupKey> {
            let i = *by_id.get(enrollment)?;
            let own = group_of(i);
            if is_ce(&own) {
                return Some(own);
            }
            if let Some(g) = covering(chosen, &input.enrollments[i].personal, on) {
                return Some(g);
            }
            adopt.then(|| {
                chosen.insert(own.clone());
                own
            })
        };
        // A household's rows are written once it is enrolled: a row dated
        // before its start is decided (and refused, or noted) after that.
        let starts: HashMap<GroupKey, NaiveDate> = groups
            .iter()
            .filter_map(|(g, ms)| {
                let start = ms.iter().map(|&m| input.enrollments[m].entry).min()?;
                Some((g.clone(), start))
            })
            .collect();
        let after_start = |group: &GroupKey, date: NaiveDate| {
            starts.get(group).map_or(date, |start| date.max(*start))
        };
        // Without a CE project, a row recorded on a household other than its
        // own enrollment's (the person's CE household that date) is told.
        let has_ce_project = groups.keys().any(is_ce);
        let mut moved: Vec<(&'static str, u64, String, GroupKey)> = Vec::new();
        let mut note_move = |file: &'static str, line: u64, enrollment: &str, group: &GroupKey| {
            let own = by_id.get(enrollment).map(|&i| group_of(i));
            if !has_ce_project && own.as_ref().is_some_and(|o| o != group) {
                moved.push((file, line, enrollment.to_owned(), group.clone()));
            }
        };
        // Each household's latest row date (for an exit that must follow them).
        let mut last_of: HashMap<GroupKey, NaiveDate> = HashMap::new();
        let mut seen_on = |group: &GroupKey, date: NaiveDate| {
            let last = last_of.entry(group.clone()).or_insert(date);
            *last = (*last).max(date);
        };
        let mut actions: Vec<((NaiveDate, u8, u64), Action)> = Vec::new();
        let mut push = |date: NaiveDate, line: u64, action: Action| {
            let key = (date, action.phase(), line);
            actions.push((key, action));
        };
        // CE rows count when their enrollment is in the CoC imported and
        // their project takes part in CE on their date.
        let mut wanted =
            |enrollment: &str, on: NaiveDate, file: &'static str, line: u64, ce: bool| {
                let Some(e) = by_id.get(enrollment).map(|&i| &input.enrollments[i]) else {
                    return true;
                };
                if let Some(coc) = &self.options.coc {
                    if !input.in_coc(e, coc) {
                        self.issues.push(
                            IssueKind::Skipped,
                            file,
                            Some(line),
                            None,
                            format!("enrollment {} is not in CoC {coc}", e.id),
                        );
                        return false;
                    }
                }
                if ce && !input.takes_part_in_ce(&e.project, on) {
                    self.issues.push(
                        IssueKind::Skipped,
                        file,
                        Some(line),
                        None,
                        format!(
                            "project {} does not take part in CE on {on} (CEParticipation.csv)",
                            e.project
                        ),
                    );
                    return false;
                }
                true
            };
        let assessments: Vec<bool> = input
            .assessments
            .iter()
            .map(|a| wanted(&a.enrollment, a.date, AssessmentRow::FILE, a.src.line, true))
            .collect();
        let events: Vec<bool> = input
            .events
            .iter()
            .map(|e| wanted(&e.enrollment, e.date, EventRow::FILE, e.src.line, true))
            .collect();
        let cls: Vec<bool> = input
            .cls
            .iter()
            .map(|c| {
                wanted(
                    &c.enrollment,
                    c.date,
                    CurrentLivingSituationRow::FILE,
                    c.src.line,
                    false,
                )
            })
            .collect();
        for (i, a) in input.assessments.iter().enumerate() {
            if !assessments[i] {
                self.skip_dependents(a);
                continue;
            }
            match target(&mut chosen, &a.enrollment, a.date, true) {
                Some(group) => {
                    note_move(AssessmentRow::FILE, a.src.line, &a.enrollment, &group);
                    seen_on(&group, a.date);
                    push(
                        after_start(&group, a.date),
                        a.src.line,
                        Action::Assess {
                            group,
                            assessment: i,
                        },
                    );
                }
                None => continue,
            }
        }
        for (i, e) in input.events.iter().enumerate() {
            if !events[i] {
                continue;
            }
            let Some(group) = target(&mut chosen, &e.enrollment, e.date, true) else {
                continue;
            };
            note_move(EventRow::FILE, e.src.line, &e.enrollment, &group);
            seen_on(&group, e.date);
            push(
                after_start(&group, e.date),
                e.src.line,
                Action::Event { group, event: i },
            );
        }
        for (i, c) in input.cls.iter().enumerate() {
            if !cls[i] {
                continue;
            }
            match target(&mut chosen, &c.enrollment, c.date, false) {
                Some(group) => {
                    let first_entry = groups[&group]
                        .iter()
                        .map(|&m| input.enrollments[m].entry)
                        .min();
                    note_move(
                        CurrentLivingSituationRow::FILE,
                        c.src.line,
                        &c.enrollment,
                        &group,
                    );
                    seen_on(&group, c.date);
                    if first_entry == Some(c.date) && !self.entry_cls.contains_key(&group) {
                        self.entry_cls.insert(group, i);
                    } else {
                        push(
                            after_start(&group, c.date),
                            c.src.line,
                            Action::FollowUp { group, cls: i },
                        );
                    }
                }
                None => self.issues.push(
                    IssueKind::Skipped,
                    CurrentLivingSituationRow::FILE,
                    Some(c.src.line),
                    None,
                    "not on a CE enrollment (no CE household covers its date)",
                ),
            }
        }
        let mut skipped_enrollments = 0;
        for (group, members) in &groups {
            if !chosen.contains(group) {
                skipped_enrollments += members.len();
                continue;
            }
            let start = members.iter().map(|&i| input.enrollments[i].entry).min();
            let Some(start) = start else { continue };
            let line = members
                .iter()
                .map(|&i| input.enrollments[i].src.line)
                .min()
                .unwrap_or(0);
            push(
                start,
                line,
                Action::Enroll {
                    group: group.clone(),
                },
            );
            let head_exit = members
                .iter()
                .map(|&i| &input.enrollments[i])
                .find(|e| e.relationship == RelationshipToHoH::SelfHeadOfHousehold)
                .and_then(|e| input.exit_of.get(e.id.as_str()).copied());
            for &i in members {
                let e = &input.enrollments[i];
                if e.entry > start && e.relationship != RelationshipToHoH::SelfHeadOfHousehold {
                    push(
                        e.entry,
                        e.src.line,
                        Action::AddMember {
                            group: group.clone(),
                            enrollment: i,
                        },
                    );
                }
                let Some(x) = input.exit_of.get(e.id.as_str()).copied() else {
                    continue;
                };
                let exit = &input.exits[x];
                // An exit dated before the household's start cannot be
                // right: it ends the household after its last record rather
                // than leave it open or refuse what it recorded.
                let mut exit_on = exit.date;
                if exit.date < start {
                    let entries = members.iter().map(|&m| input.enrollments[m].entry);
                    let last_entry = entries.max().unwrap_or(start);
                    exit_on = last_of
                        .get(group)
                        .map_or(last_entry, |last| (*last).max(last_entry));
                    self.exit_dates.insert(x, exit_on);
                    self.issues.push_value(
                        IssueKind::Repaired,
                        (ExitRow::FILE, exit.src.line),
                        "ExitDate",
                        &exit.date.to_string(),
                        format!("before the household's entry on {start}: the exit is recorded on {exit_on}, its last record"),
                    );
                }
                if Some(x) == head_exit {
                    push(
                        exit_on,
                        exit.src.line,
                        Action::Exit {
                            group: group.clone(),
                            exit: x,
                        },
                    );
                } else if head_exit.is_none_or(|h| exit.date < input.exits[h].date) {
                    push(
                        exit_on,
                        exit.src.line,
                        Action::RemoveMember {
                            group: group.clone(),
                            exit: x,
                        },
                    );
                }
            }
        }
        if let Some(code) = &self.options.coc {
            if !input.enrollments.iter().any(|e| input.in_coc(e, code)) {
                self.issues.push(
                    IssueKind::Note,
                    EnrollmentRow::FILE,
                    None,
                    Some("EnrollmentCoC"),
                    format!("no enrollment is in CoC {code} (--coc): nothing to import"),
                );
            }
        }
        for (file, line, enrollment, group) in moved {
            self.issues.push_value(
                IssueKind::Note,
                (file, line),
                "EnrollmentID",
                &enrollment,
                format!(
                    "recorded on household {} (project {}): the CE household its client is in on that date, not its own enrollment's",
                    group.1, group.0
                ),
            );
        }
        if skipped_enrollments > 0 {
            self.issues.push(
                IssueKind::Skipped,
                EnrollmentRow::FILE,
                None,
                None,
                format!("{skipped_enrollments} enrollment(s) of non-CE projects with no CE assessment or event: not CE data"),
            );
        }
        self.groups = groups;
        actions.sort_by_key(|a| a.0);
        actions
    }
}

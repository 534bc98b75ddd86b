//! Identity across imports: source ids linked to the events that recorded
//! them, rows already imported matched, changes corrected, deletions recorded.

use super::*;

impl Planner<'_> {
    /// A household imported before whose enrollment rows changed in the
    /// source (the head's 3.917, a member's Client.csv facts, the entry
    /// 4.12): the correction of its enrollment. Ids, members and
    /// relationships stay as first imported.
    pub(super) fn correct_enrollment(
        &mut self,
        group: &GroupKey,
        hoh: &EnrollmentIn,
        initial: &[usize],
        stored: &Envelope,
        enroll: Command,
    ) {
        let input = self.input;
        let Command::Enroll(enroll) = enroll else {
            return;
        };
        let Event::HouseholdEnrolled(mut now) = self.latest(stored).clone() else {
            return;
        };
        let mut changed = self.changed_since(
            (EnrollmentRow::FILE, hoh.src.line),
            &hoh.id,
            hoh.src.updated,
        );
        for &i in initial {
            let e = &input.enrollments[i];
            if let Some(c) = input.clients.get(&e.personal) {
                changed |= self.changed_since((ClientRow::FILE, c.line), &e.personal, c.updated);
            }
        }
        if let Some(&i) = self.entry_cls.get(group) {
            let c = &input.cls[i];
            changed |= self.changed_since(
                (CurrentLivingSituationRow::FILE, c.src.line),
                &c.id,
                c.src.updated,
            );
        }
        if !changed {
            return;
        }
        for member in &mut now.members {
            if let Some(fixed) = enroll.members.iter().find(|m| m.client == member.client) {
                member.birth_date = fixed.birth_date;
                member.veteran = fixed.veteran;
                member.disabling_condition = fixed.disabling_condition;
                member.first_name = fixed.first_name.clone();
                member.last_name = fixed.last_name.clone();
            }
        }
        now.prior = enroll.prior;
        if self.entry_cls.contains_key(group) {
            now.current = enroll.current;
        }
        let now = Event::HouseholdEnrolled(now);
        self.correct_if_changed(
            EnrollmentRow::FILE,
            hoh.src.line,
            &hoh.id,
            &hoh.src,
            stored,
            now,
        );
    }

    /// A store that could not be read: an error, so nothing is written.
    fn store_failed(&mut self, e: &StoreError) {
        self.issues.push(
            IssueKind::Error,
            "store",
            None,
            None,
            format!("cannot read the store: {e}"),
        );
    }

    /// The stored event with this id, if any.
    pub(super) fn stored(&mut self, event: EventId) -> Option<Envelope> {
        let found = self
            .store
            .position_of(event)
            .and_then(|p| p.map_or(Ok(Vec::new()), |p| self.store.read_from(p, 1)));
        match found {
            Ok(mut events) => events.pop().filter(|e| e.event_id == event),
            Err(e) => {
                self.store_failed(&e);
                None
            }
        }
    }

    /// Links a source row to the event that recorded it, unless an earlier
    /// import linked it already with the same DateUpdated.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn link(
        &mut self,
        household: HouseholdId,
        group: &GroupKey,
        file: &str,
        id: &str,
        event: EventId,
        client: Option<ClientId>,
        updated: Option<DateTime<Utc>>,
    ) {
        let key = (file.to_owned(), id.to_owned());
        let older = |known: &Linked| matches!((known.1, updated), (Some(before), Some(now)) if now < before);
        if self
            .known
            .get(&key)
            .is_some_and(|k| *k == (event, updated) || older(k))
        {
            self.unchanged += 1;
            return;
        }
        self.known.insert(key, (event, updated));
        let source_household = (!group.1.starts_with(OWN_HOUSEHOLD)).then(|| group.1.clone());
        let entry = self
            .links
            .entry(household)
            .or_insert_with(|| (source_household, Vec::new()));
        entry.1.push(HmisLink {
            file: file.to_owned(),
            id: id.to_owned(),
            event,
            client,
            updated,
        });
    }

    /// Whether the row changed since the import that linked it: its
    /// DateUpdated differs, or it has none.
    pub(super) fn changed_since(
        &mut self,
        (file, line): (&'static str, u64),
        id: &str,
        updated: Option<DateTime<Utc>>,
    ) -> bool {
        match self.known.get(&(file.to_owned(), id.to_owned())) {
            // An older version than the one imported before (an older
            // export imported again) does not undo the newer one.
            Some((_, Some(before))) if updated.is_some_and(|u| u < *before) => {
                self.issues.push(
                    IssueKind::Note,
                    file,
                    Some(line),
                    Some("DateUpdated"),
                    format!("{id} is older than the version imported before (DateUpdated {before}): not applied"),
                );
                false
            }
            Some((_, before)) => updated.is_none() || *before != updated,
            None => true,
        }
    }

    /// What earlier imports of this source linked and deleted.
    /// A stored event as it now stands: its latest correction, if any.
    pub(super) fn latest<'e>(&'e self, stored: &'e Envelope) -> &'e Event {
        self.corrected
            .get(&stored.event_id)
            .unwrap_or(&stored.event)
    }

    pub(super) fn load_known(&mut self) {
        let log = match self.store.read_from(0, usize::MAX) {
            Ok(log) => log,
            Err(e) => {
                self.store_failed(&e);
                return;
            }
        };
        for envelope in log {
            match envelope.event {
                Event::HmisRecordsLinked(e) if e.source == self.input.source => {
                    for link in e.links {
                        self.known
                            .insert((link.file, link.id), (link.event, link.updated));
                    }
                }
                Event::HmisRecordDeleted(e) => {
                    self.deleted_before.insert(e.deletes);
                }
                Event::EventCorrected(e) => {
                    self.corrected.insert(e.corrects, *e.corrected);
                }
                _ => {}
            }
        }
    }

    /// Rows the source deleted: a 4.20 event an earlier import recorded is
    /// recorded as deleted; other deleted rows are findings. A full refresh
    /// also deletes the events it no longer has within its period.
    pub(super) fn deletions(&mut self) {
        let input = self.input;
        let mut gone: Vec<(u64, String, String)> = Vec::new();
        for d in &input.seen.deleted {
            let when = d.when.clone().unwrap_or_default();
            let reason = format!("DateDeleted {when} in export {}", input.export_id);
            if d.file == EventRow::FILE {
                gone.push((d.line, d.id.clone(), reason));
            } else if self.known.contains_key(&(d.file.to_owned(), d.id.clone())) {
                self.issues.push(
                    IssueKind::Note,
                    d.file,
                    Some(d.line),
                    None,
                    format!("{} was deleted in the source, but ce keeps it: only 4.20 events are deleted on import; correct or exit the household by hand if needed", d.id),
                );
            }
        }
        if input.full_refresh && input.seen.unreadable.contains(EventRow::FILE) {
            self.issues.push(
                IssueKind::Note,
                EventRow::FILE,
                None,
                None,
                "a row's EventID could not be read: no event is deleted for being absent from this full refresh",
            );
        } else if input.full_refresh && !input.unread.contains(EventRow::FILE) {
            // Every EventID the file holds, readable row or not, deleted or not.
            let present = input.seen.keys.get(EventRow::FILE);
            let missing: Vec<String> = self
                .known
                .keys()
                .filter(|(file, id)| {
                    file == EventRow::FILE && !present.is_some_and(|p| p.contains(id))
                })
                .map(|(_, id)| id.clone())
                .collect();
            for id in missing {
                gone.push((
                    0,
                    id,
                    format!("not in full-refresh export {}", input.export_id),
                ));
            }
        }
        for (line, id, reason) in gone {
            let event_id = EventId(self.id(EventRow::FILE, &id, "event"));
            if self.deleted_before.contains(&event_id) {
                continue;
            }
            let Some(stored) = self.stored(event_id) else {
                continue;
            };
            if line == 0 {
                // A full refresh covers only its period.
                let inside = input
                    .period
                    .is_some_and(|(from, to)| stored.effective >= from && stored.effective <= to);
                if !inside {
                    continue;
                }
            }
            let Some(household) = stored
                .streams
                .iter()
                .find_map(|sv| ce_core::audit::household_of(&sv.stream))
            else {
                continue;
            };
            let at = self.options.now;
            self.append(vec![NewEvent {
                event_id: EventId(self.id(EventRow::FILE, &id, &format!("deleted {reason}"))),
                streams: vec![StreamId::Household(household)],
                effective: self.latest_date(household).max(stored.effective),
                recorded_at: at,
                actor: Actor {
                    user: self.options.user.clone(),
                    agency: AgencyId(format!("hmis-csv:{}", input.export_id)),
                    role: Role::Lead,
                },
                event: Event::HmisRecordDeleted(HmisRecordDeleted {
                    deletes: event_id,
                    file: EventRow::FILE.to_owned(),
                    id: id.clone(),
                    reason: reason.clone(),
                }),
            }]);
            self.deleted_before.insert(event_id);
            self.issues.push(
                IssueKind::Note,
                EventRow::FILE,
                (line > 0).then_some(line),
                None,
                format!("{id} deleted in the source ({reason}): recorded as a deletion"),
            );
        }
    }

    /// The appends of the links made, one per household.
    pub(super) fn append_links(&mut self) {
        let links = std::mem::take(&mut self.links);
        for (household, (household_id, links)) in links {
            let event = Event::HmisRecordsLinked(HmisRecordsLinked {
                source: self.input.source.clone(),
                export_id: self.input.export_id.clone(),
                household_id,
                links,
            });
            let id = self.id(
                "links",
                &format!("{household}/{}", self.input.export_id),
                "event",
            );
            // An earlier import of this very export linked them already.
            if self.stored(EventId(id)).is_some() {
                continue;
            }
            self.append(vec![NewEvent {
                event_id: EventId(id),
                streams: vec![StreamId::Household(household)],
                effective: self.latest_date(household),
                recorded_at: self.options.now,
                actor: Actor {
                    user: self.options.user.clone(),
                    agency: AgencyId(format!("hmis-csv:{}", self.input.export_id)),
                    role: Role::Lead,
                },
                event,
            }]);
        }
    }

    /// The household's latest effective date so far (links are dated then,
    /// so they never precede what they link).
    pub(super) fn latest_date(&self, household: HouseholdId) -> NaiveDate {
        self.caseload.households().get(&household).map_or(
            self.options.now.date_naive(),
            |h| match h.status {
                HouseholdStatus::Exited { date, .. } => date.max(h.last_activity),
                _ => h.last_activity,
            },
        )
    }

    /// A source row that changed since it was imported: the correction of
    /// the event that recorded it, when its data differ.
    pub(super) fn correct_if_changed(
        &mut self,
        file: &'static str,
        line: u64,
        key: &str,
        src: &Source,
        stored: &Envelope,
        now: Event,
    ) {
        let Some(household) = stored
            .streams
            .iter()
            .find_map(|sv| ce_core::audit::household_of(&sv.stream))
        else {
            return;
        };
        let (Ok(before), Ok(after)) = (
            serde_json::to_value(self.latest(stored)),
            serde_json::to_value(&now),
        ) else {
            return;
        };
        let (Some(before), Some(after)) = (before.get("data"), after.get("data")) else {
            return;
        };
        if before == after {
            return;
        }
        // A merge patch that turns the stored data into the row's.
        let mut patch = after.clone();
        if let (Some(patch), Some(before)) = (patch.as_object_mut(), before.as_object()) {
            for k in before.keys() {
                patch.entry(k.clone()).or_insert(serde_json::Value::Null);
            }
        }
        let stamp = src.updated.map_or_else(String::new, |t| t.to_rfc3339());
        let meta = CommandMeta {
            command_id: CommandId(self.id(file, key, &format!("correction {stamp}"))),
            actor: self.actor(src),
            recorded_at: src
                .updated
                .filter(|t| t.date_naive() >= stored.effective)
                .unwrap_or(self.options.now),
        };
        let command = Command::Correct(Correct {
            household,
            original: Box::new(stored.clone()),
            patch,
            reason: format!(
                "Changed in the source system (export {}).",
                self.input.export_id
            ),
        });
        if let Some(Ran::New(..)) = self.command(file, line, meta, command) {
            self.issues.push(
                IssueKind::Note,
                file,
                Some(line),
                None,
                format!("{key} changed in the source: recorded as a correction"),
            );
        }
    }

    /// Links a member's Client.csv and Enrollment.csv rows to the event that
    /// added them to the household.
    pub(super) fn link_member(
        &mut self,
        household: HouseholdId,
        group: &GroupKey,
        enrollment: usize,
        event: EventId,
    ) {
        let e = &self.input.enrollments[enrollment];
        let client = Some(self.client_id(&e.personal));
        let updated = e.src.updated;
        self.link(
            household,
            group,
            EnrollmentRow::FILE,
            &e.id,
            event,
            client,
            updated,
        );
        let client_updated = self.input.clients.get(&e.personal).and_then(|c| c.updated);
        self.link(
            household,
            group,
            ClientRow::FILE,
            &e.personal,
            event,
            client,
            client_updated,
        );
    }

    /// Links the Exit.csv rows of an exit (or a member's removal): each
    /// member's exit row, found by their enrollment in the group.
    pub(super) fn link_exit(
        &mut self,
        household: HouseholdId,
        group: &GroupKey,
        x: &ExitIn,
        ran: Option<Ran>,
        clients: &[ClientId],
    ) {
        let event = match ran {
            Some(Ran::New(_, events)) => events
                .iter()
                .find(|e| matches!(e.event, Event::HouseholdExited(_) | Event::MemberRemoved(_)))
                .map(|e| e.event_id),
            Some(Ran::Existing(stored)) => Some(stored.event_id),
            None => None,
        };
        let Some(event) = event else { return };
        let input = self.input;
        let members = self.groups.get(group).cloned().unwrap_or_default();
        for i in members {
            let e = &input.enrollments[i];
            let client = self.client_id(&e.personal);
            if !clients.contains(&client) {
                continue;
            }
            let row = input
                .exit_of
                .get(&e.id)
                .and_then(|&r| input.exits.get(r))
                .filter(|r| r.date == x.date || r.enrollment == x.enrollment);
            if let Some(id) = row.and_then(|r| r.id.clone()) {
                let updated = row.and_then(|r| r.src.updated);
                self.link(
                    household,
                    group,
                    ExitRow::FILE,
                    &id,
                    event,
                    Some(client),
                    updated,
                );
            }
        }
    }
}

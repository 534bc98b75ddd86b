//! Fuzz regressions: every input the fuzzers (`fuzz/`, cargo-fuzz on
//! nightly) ever crashed on, kept under `tests/fuzz-regressions/<target>/`,
//! plus a few hand-picked hostile inputs, replayed on stable.
//!
//! [`harness`] is the one copy of each fuzz target's logic: the fuzz crate
//! includes this file (`fuzz/src/lib.rs`) and its targets only call
//! `harness::<target>(bytes)`, so a crash the fuzzer saved replays here
//! exactly. Each harness returns quietly on input that is refused (any
//! `Err`); a panic, in the library or in a harness assertion, is a crash.
//!
//! Each input runs on its own thread named after it, so a panic names the
//! file and a stack overflow (which aborts the process) at least prints it.

// A harness's assertions are panics by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// The fuzz targets' logic, shared with `fuzz/fuzz_targets/*.rs`.
pub mod harness {
    use std::cell::Cell;
    use std::collections::BTreeMap;
    use std::io::BufReader;

    use ce_core::invariants::check_caseload;
    use ce_core::DeclineConsequence;
    use ce_core::{
        Actor, AddMember, Assess, Caseload, Coalition, Command, CommandId, CommandMeta,
        DeclineReferral, Enroll, EventId, EventStore, ExpireReferrals, HouseholdId,
        ListHouseholdType, Member, MemoryStore, Outcome, Policy, PostOpening, ProgramType, Refer,
        ReferralId, Role, StreamId, Sweep, Upcasters, Workflow,
    };
    use ce_hud_csv::{CeApr, ExportOptions, HudCsvExport, HudFile, ImportOptions, ImportPlan};
    use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
    use serde_json::{json, Value};

    /// The byte that separates the HUD CSV files of a `hud_csv_import`
    /// input (ASCII record separator). Each section is a file name line
    /// (`Client.csv`, or `2/Client.csv` for the second import) and the
    /// file's bytes.
    pub const FILE_SEPARATOR: u8 = 0x1e;

    /// The files a HUD CSV import reads.
    pub const HUD_FILES: &[&str] = &[
        "Export.csv",
        "Organization.csv",
        "Project.csv",
        "ProjectCoC.csv",
        "CEParticipation.csv",
        "Client.csv",
        "Enrollment.csv",
        "Exit.csv",
        "Assessment.csv",
        "AssessmentQuestions.csv",
        "AssessmentResults.csv",
        "Event.csv",
        "CurrentLivingSituation.csv",
    ];

    /// The enrollment every fixture starts with (docs/examples/household.json
    /// with other clients, so that the example itself can enroll too).
    const ENROLL: &str = r#"{
        "coalition": "Coulee", "project_start": "2025-03-03",
        "members": [
            {"client": "6f1c7a0e-2b8d-4e51-9a53-0c1d2e3f5b01", "relationship": 1,
             "birth_date": "1984-06-14", "veteran": 0, "disabling_condition": 1},
            {"client": "6f1c7a0e-2b8d-4e51-9a53-0c1d2e3f5b02", "relationship": 2,
             "birth_date": "2016-09-02", "veteran": 99, "disabling_condition": 0}
        ],
        "prior": {"living_situation": 116, "episode_start": "2023-11-20",
                  "times_homeless": 4, "months_homeless": 113},
        "current": {"living_situation": 116}
    }"#;

    /// The assessment that places it on the lists.
    const ASSESS: &str = r#"{
        "date": "2025-03-04", "location": "Access point", "assessment_type": 3,
        "level": 2, "score": 20, "prioritization": 1
    }"#;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn noon() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
    }

    /// When a command about `on` is entered: 2026-01-01 noon, or the end of
    /// `on` if later (no record is entered before its effective date).
    fn entered(on: NaiveDate) -> DateTime<Utc> {
        on.and_hms_opt(23, 59, 59)
            .map(|at| at.and_utc())
            .map_or(noon(), |at| at.max(noon()))
    }

    /// A workflow over a memory store holding one household (enrolled,
    /// assessed, placed) with a live referral to an opening.
    struct Fixture {
        workflow: Workflow<MemoryStore>,
        household: Option<HouseholdId>,
        referral: Option<ReferralId>,
        commands: Cell<u128>,
    }

    impl Fixture {
        /// Returns `None` when the policy refuses the fixture's household
        /// or opening (fine: the policy is what is fuzzed).
        fn new(policy: Policy, coalition: &Coalition) -> Option<Self> {
            let fx = Self {
                workflow: Workflow::new(MemoryStore::new(), policy).ok()?,
                household: None,
                referral: None,
                commands: Cell::new(0),
            };
            let mut enroll: Enroll = serde_json::from_str(ENROLL).unwrap();
            enroll.coalition = coalition.clone();
            let Ok(Outcome::Enrolled { household }) = fx.run(enroll) else {
                return None;
            };
            let mut assess: Value = serde_json::from_str(ASSESS).unwrap();
            assess["household"] = json!(household);
            fx.run(serde_json::from_value::<Assess>(assess).unwrap())
                .ok()?;
            let fx = Self {
                household: Some(household),
                ..fx
            };
            let opening = fx.post(ProgramType::Rrh, coalition, day(2025, 3, 5))?;
            let referral = fx.refer(opening, day(2025, 3, 6));
            Some(Self { referral, ..fx })
        }

        /// The next command's metadata (ids 1, 2, ...: the fixture's ids
        /// are the same in every run, and the seeds name them).
        fn meta(&self, on: NaiveDate) -> CommandMeta {
            let n = self.commands.get() + 1;
            self.commands.set(n);
            CommandMeta {
                command_id: CommandId(uuid::Uuid::from_u128(n)),
                actor: Actor::new("fuzz", "BoS CE", Role::Lead),
                recorded_at: entered(on),
            }
        }

        fn run(&self, command: impl Into<Command>) -> Result<Outcome, ce_core::Error> {
            let command = command.into();
            let meta = self.meta(command.date());
            self.workflow.execute(&meta, &command).map(|e| e.outcome)
        }

        fn post(
            &self,
            program: ProgramType,
            coalition: &Coalition,
            on: NaiveDate,
        ) -> Option<ce_core::OpeningId> {
            let posted = self.run(PostOpening {
                date: on,
                program: "Fuzz program".to_owned(),
                program_type: program,
                coalition: coalition.clone(),
                household_types: ListHouseholdType::ALL.to_vec(),
                chronic_only: false,
                veterans_only: false,
                units: 1,
            });
            match posted {
                Ok(Outcome::Posted { opening }) => Some(opening),
                _ => None,
            }
        }

        fn refer(&self, opening: ce_core::OpeningId, on: NaiveDate) -> Option<ReferralId> {
            match self.run(Refer {
                opening,
                date: on,
                household: None,
                bypass_reason: None,
            }) {
                Ok(Outcome::Referred { referral, .. }) => Some(referral),
                _ => None,
            }
        }

        /// The events of the fixture's household stream and their dates.
        fn household_events(&self) -> Vec<(EventId, NaiveDate)> {
            let Some(household) = self.household else {
                return Vec::new();
            };
            let stream = StreamId::Household(household);
            let events = self.workflow.store().read_stream(&stream).unwrap();
            events.iter().map(|e| (e.event_id, e.effective)).collect()
        }

        /// Sweeps, expiries, and everything that reads the log.
        fn sweep_and_report(&self, dates: &[NaiveDate]) {
            for &on in dates {
                let _ = self.run(Sweep { as_of: on });
                let _ = self.run(ExpireReferrals { as_of: on });
            }
            reports(&self.workflow, dates);
        }
    }

    /// What reads the log and the caseload: lists, invariants, histories,
    /// the HUD CSV export, the CE APR.
    fn reports(workflow: &Workflow<MemoryStore>, dates: &[NaiveDate]) {
        let policy = workflow.policy();
        let caseload: Caseload = workflow.caught_up().unwrap().clone();
        for &on in dates {
            let _ = caseload.lists(policy, on);
            let _ = check_caseload(&caseload, policy, on);
        }
        for household in caseload.households().keys().take(16) {
            let _ = workflow.history(*household);
        }
        let log = workflow.store().read_from(0, usize::MAX).unwrap();
        let mut options = ExportOptions::new("fuzz", noon(), "ce-fuzz");
        options.score_result_types = policy.score_result_types.clone();
        let export = HudCsvExport::build(&log, &options);
        for &file in HudFile::ALL {
            let _ = export.write(file, std::io::sink());
        }
        let _ = CeApr::build(&log, day(2025, 1, 1), day(2025, 12, 31));
        let _ = ce_hud_csv::Timeliness::build(&log, day(2025, 1, 1), day(2025, 12, 31));
    }

    /// `envelope`: the decoder of stored and backed-up events. An envelope
    /// that decodes must decode the same by the checked path, survive a
    /// JSON round trip, and (as the first line of a backup) fold.
    pub fn envelope(data: &[u8]) {
        let upcasters = Upcasters::current();
        let Ok(envelope) = upcasters.decode(data) else {
            return;
        };
        let value: Value = serde_json::from_slice(data).expect("an envelope that decodes is JSON");
        let checked = upcasters
            .decode_value(value)
            .expect("the fast path accepted what the checked path refuses");
        assert_eq!(checked, envelope, "the fast and checked paths disagree");
        let bytes = envelope.to_json().expect("a decoded envelope encodes");
        let again = upcasters
            .decode(&bytes)
            .unwrap_or_else(|e| panic!("a re-encoded envelope does not decode: {e}"));
        assert_eq!(again, envelope, "the envelope changed in a JSON round trip");
        // `ce import jsonl` accepts it as the first line of a backup, then
        // folds it and serves lists, histories and exports from it.
        if envelope.position == 0 {
            let policy = Policy::wi_bos_default();
            let mut caseload = Caseload::default();
            caseload.apply(&envelope);
            let _ = caseload.lists(&policy, envelope.effective);
            let _ = check_caseload(&caseload, &policy, envelope.effective);
            let _ = ce_core::audit::household_history(std::slice::from_ref(&envelope), &policy);
            let log = [envelope];
            let export = HudCsvExport::build(&log, &ExportOptions::new("fuzz", noon(), "ce"));
            for &file in HudFile::ALL {
                let _ = export.write(file, std::io::sink());
            }
        }
    }

    /// `command_json`: the JSON files and arguments the CLI reads into
    /// commands (`ce enroll --file`, `ce assess --file`, `ce members add
    /// --file`, `ce correct --patch`), run through a workflow, and any
    /// `Command` an embedding tool might deserialize.
    pub fn command_json(data: &[u8]) {
        // The CLI reads the files with read_to_string.
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let Some(fx) = Fixture::new(Policy::wi_bos_default(), &Coalition::new("Coulee")) else {
            panic!("the fixture must build under the default policy");
        };
        let household = fx.household.unwrap();
        if let Ok(enroll) = serde_json::from_str::<Enroll>(text) {
            let _ = fx.run(enroll);
        }
        if let Ok(member) = serde_json::from_str::<Member>(text) {
            let _ = fx.run(AddMember {
                household,
                date: day(2025, 3, 7),
                member,
            });
        }
        if let Ok(command) = serde_json::from_str::<Command>(text) {
            let _ = fx.run(command);
        }
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            // `ce assess HOUSEHOLD --file F`: the household is fixed, the
            // date defaults (read_json_with).
            let mut assess = value.clone();
            if let Some(object) = assess.as_object_mut() {
                let fixed = json!(household);
                if object.get("household").is_none_or(|given| *given == fixed) {
                    object.insert("household".to_owned(), fixed);
                    object.entry("date").or_insert(json!("2025-03-08"));
                    if let Ok(assess) = serde_json::from_value::<Assess>(assess) {
                        let _ = fx.run(assess);
                    }
                }
            }
            // `ce correct HOUSEHOLD EVENT --patch JSON`, on each event.
            for (event, on) in fx.household_events() {
                let meta = fx.meta(on);
                let _ = fx
                    .workflow
                    .correct(&meta, household, event, value.clone(), "fuzz");
            }
        }
        fx.sweep_and_report(&[day(2025, 3, 10), day(2025, 9, 1)]);
    }

    /// `policy`: the policy file (`ce init --policy`, `Policy::from_json`).
    /// A valid policy must survive the JSON round trip the store makes, and
    /// run a household through enrollment, referrals, each decline reason,
    /// sweeps and expiries.
    pub fn policy(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let Ok(policy) = Policy::from_json(text) else {
            return;
        };
        let stored = serde_json::to_string(&policy).expect("a policy encodes");
        assert_eq!(
            Policy::from_json(&stored).as_ref(),
            Ok(&policy),
            "a valid policy does not survive the store's JSON round trip"
        );
        let Some(coalition) = policy.coalitions.first().cloned() else {
            return;
        };
        let programs: Vec<ProgramType> = policy.programs.iter().map(|r| r.program).collect();
        let reasons = policy.decline_reasons.clone();
        let Some(mut fx) = Fixture::new(policy, &coalition) else {
            return;
        };
        // Each decline reason on a referral: the fixture's, then new ones
        // (after the park of a parking reason is over).
        let mut on = day(2025, 3, 10);
        for (i, reason) in reasons.iter().take(8).enumerate() {
            let program = programs.get(i).copied().unwrap_or(ProgramType::Rrh);
            let referral = fx.referral.take().or_else(|| {
                let opening = fx.post(program, &coalition, on)?;
                fx.refer(opening, on)
            });
            if let Some(referral) = referral {
                let _ = fx.run(DeclineReferral {
                    referral,
                    date: on,
                    reason: reason.code.clone(),
                    text: Some("fuzz".to_owned()),
                });
            }
            let parked = match reason.consequence {
                DeclineConsequence::Parked { days } => u64::from(days),
                _ => 0,
            };
            let Some(next) = on.checked_add_days(Days::new(parked.saturating_add(1))) else {
                break;
            };
            on = next;
        }
        if let Some(opening) = fx.post(ProgramType::Psh, &coalition, on) {
            let _ = fx.refer(opening, on);
        }
        fx.sweep_and_report(&[
            day(2025, 4, 1),
            day(2026, 1, 1),
            day(2099, 12, 31),
            day(9999, 12, 31),
        ]);
    }

    /// Splits a `hud_csv_import` input into the files of a first and, when
    /// any section is named `2/...`, a second export.
    pub fn split_hud_files(data: &[u8]) -> [BTreeMap<&'static str, &[u8]>; 2] {
        let mut exports: [BTreeMap<&'static str, &[u8]>; 2] = Default::default();
        for section in data.split(|b| *b == FILE_SEPARATOR) {
            let (name, body) = match section.iter().position(|b| *b == b'\n') {
                Some(at) => (&section[..at], &section[at + 1..]),
                None => (section, &[][..]),
            };
            let name = name.trim_ascii();
            let (which, name) = match name.strip_prefix(b"2/") {
                Some(name) => (1, name),
                None => (0, name),
            };
            if let Some(file) = HUD_FILES.iter().find(|f| f.as_bytes() == name) {
                exports[which].entry(file).or_insert(body);
            }
        }
        exports
    }

    /// `hud_csv_import`: another system's HUD CSV export, planned and
    /// executed as `ce import hud-csv` does, then, if the input has `2/`
    /// files, the next export of the same source (the same files again, or
    /// next month's) imported on top, then reported.
    pub fn hud_csv_import(data: &[u8]) {
        let [first, second] = split_hud_files(data);
        let mut policy = Policy::wi_bos_default();
        policy.score_result_types = vec!["total".into(), "VI-SPDAT score".into()];
        let workflow = Workflow::new(MemoryStore::new(), policy).unwrap();
        let options = ImportOptions {
            coalition: Some(Coalition::new("Lakeshore")),
            coalition_map: [("PR11".to_owned(), Coalition::new("Coulee"))].into(),
            coc: Some("WI-500".to_owned()),
            skip_invalid: true,
            user: ce_core::UserId("importer".to_owned()),
            now: noon(),
        };
        import(&workflow, &first, &options);
        if !second.is_empty() {
            import(&workflow, &second, &options);
        }
        reports(&workflow, &[day(2025, 3, 1), day(2025, 9, 1)]);
    }

    fn import(
        workflow: &Workflow<MemoryStore>,
        files: &BTreeMap<&'static str, &[u8]>,
        options: &ImportOptions,
    ) {
        let caseload = workflow.caught_up().unwrap().clone();
        let plan = ImportPlan::read(
            |name| Ok(files.get(name).map(|bytes| BufReader::new(*bytes))),
            workflow.store(),
            &caseload,
            workflow.policy(),
            options,
        )
        .expect("reading from memory cannot fail");
        let _ = plan.report.files();
        for issue in &plan.report.issues {
            let _ = issue.to_string();
        }
        let _ = serde_json::to_string(&plan.report).expect("a report encodes");
        if plan.report.writes {
            let _ = plan.execute_with(workflow, |batch| {
                for request in batch {
                    workflow.store().append(request)?;
                }
                Ok(())
            });
        }
    }
}

#[cfg(test)]
mod regressions {
    use std::path::{Path, PathBuf};

    use super::harness;

    /// Hostile inputs every target gets, saved crashes or not.
    fn hostile() -> Vec<(String, Vec<u8>)> {
        let deep = |open: &str, close: &str| {
            let mut s = open.repeat(100_000);
            s.push_str(&close.repeat(100_000));
            s.into_bytes()
        };
        let huge = b"{\"position\":18446744073709551616,\"version\":1e999,\"units\":-1,\
            \"inactivity_days\":99999999999999999999,\"days\":4294967295,\"score\":4294967295}";
        vec![
            ("empty".into(), Vec::new()),
            ("bom".into(), b"\xef\xbb\xbf".to_vec()),
            ("bom-object".into(), b"\xef\xbb\xbf{}".to_vec()),
            ("nul-bytes".into(), vec![0; 64]),
            ("nul-in-json-string".into(), b"{\"id\":\"a\x00b\"}".to_vec()),
            ("escaped-nul".into(), b"{\"id\":\"a\\u0000b\"}".to_vec()),
            ("lone-surrogate".into(), b"{\"id\":\"\\ud800\"}".to_vec()),
            ("invalid-utf8".into(), b"{\"id\":\"\xff\xfe\"}".to_vec()),
            ("huge-numbers".into(), huge.to_vec()),
            ("deep-arrays".into(), deep("[", "]")),
            ("deep-objects".into(), deep("{\"a\":", "}")),
            ("separators-only".into(), vec![harness::FILE_SEPARATOR; 32]),
            (
                "just-names".into(),
                harness::HUD_FILES.join("\n\x1e").into_bytes(),
            ),
        ]
    }

    /// The saved crashes of `target`, by path.
    fn saved(target: &str) -> Vec<(String, Vec<u8>)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz-regressions")
            .join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
            .collect();
        paths.sort();
        paths
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).unwrap();
                (p.display().to_string(), bytes)
            })
            .collect()
    }

    /// Runs `run` over every input of `target`, each on a thread named
    /// after it, and fails naming every input that panicked.
    fn replay(target: &str, run: fn(&[u8])) {
        let mut failed = Vec::new();
        for (name, bytes) in hostile().into_iter().chain(saved(target)) {
            let thread = format!("{target}: {name}");
            let outcome = std::thread::Builder::new()
                .name(thread.clone())
                // libFuzzer runs on the main thread's 8 MiB stack.
                .stack_size(8 << 20)
                .spawn(move || std::panic::catch_unwind(|| run(&bytes)))
                .unwrap()
                .join();
            let message = match outcome {
                Ok(Ok(())) => continue,
                Ok(Err(payload)) | Err(payload) => payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default(),
            };
            failed.push(format!("{thread}: {message}"));
        }
        assert!(
            failed.is_empty(),
            "{} input(s) panicked:\n{}",
            failed.len(),
            failed.join("\n")
        );
    }

    #[test]
    fn envelope() {
        replay("envelope", harness::envelope);
    }

    #[test]
    fn command_json() {
        replay("command_json", harness::command_json);
    }

    #[test]
    fn policy() {
        replay("policy", harness::policy);
    }

    #[test]
    fn hud_csv_import() {
        replay("hud_csv_import", harness::hud_csv_import);
    }
}

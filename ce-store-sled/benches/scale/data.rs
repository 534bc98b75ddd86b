//! The synthetic data set: households built from ce-core's `testing`
//! fixtures, varied deterministically, decided one household at a time,
//! interleaved and serialized once as JSON Lines.

use std::collections::HashMap;

use ce_core::testing::{date, follow_up, HouseholdBuilder};
use ce_core::{
    decide, Actor, AppendRequest, Caseload, ClientId, Command, CommandId, CommandMeta, Envelope,
    Policy, Role, StreamVersion,
};
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};

use crate::config::Config;

/// SplitMix64: deterministic data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn recorded_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).single().unwrap()
}

fn lead() -> Actor {
    Actor::new("bench", "BoS CE", Role::Lead)
}

pub(crate) fn meta(command: u128) -> CommandMeta {
    CommandMeta {
        command_id: CommandId(uuid::Uuid::from_u128(command)),
        actor: lead(),
        recorded_at: recorded_at(),
    }
}

/// The synthetic log, serialized once: every store is fed these bytes.
pub(crate) struct Dataset {
    /// The log as JSON Lines (the backup format).
    pub(crate) jsonl: Vec<u8>,
    /// Each event's byte range in `jsonl`.
    pub(crate) spans: Vec<(usize, usize)>,
    /// Each event's first stream and its version there (the SQLite row).
    pub(crate) first_stream: Vec<(String, u64)>,
    /// One more follow-up per household (for row 1), not in the log.
    pub(crate) tails: Vec<Tail>,
}

impl Dataset {
    pub(crate) fn line(&self, position: usize) -> &[u8] {
        let (a, b) = self.spans[position];
        &self.jsonl[a..b]
    }
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }
}

/// A command not yet appended: its request, and its envelope's bytes as the
/// store will hold them (for the raw baselines).
pub(crate) struct Tail {
    pub(crate) request: AppendRequest,
    pub(crate) bytes: Vec<u8>,
    pub(crate) stream: String,
    pub(crate) version: u64,
}

/// Runs commands against one household's own small caseload: the events of
/// one household never depend on another's, so households are generated
/// independently and interleaved afterwards.
struct Mini<'p> {
    policy: &'p Policy,
    caseload: Caseload,
    events: Vec<Envelope>,
}

impl Mini<'_> {
    fn decide(&self, command_id: u128, command: &Command) -> (ce_core::Decision, CommandMeta) {
        let meta = meta(command_id);
        let decision = decide(&self.caseload, self.policy, &meta, command)
            .unwrap_or_else(|e| panic!("generator command rejected: {e}\n{command:?}"));
        (decision, meta)
    }

    fn envelopes(&self, request: AppendRequest, position: u64) -> Vec<Envelope> {
        let mut versions: HashMap<_, u64> = HashMap::new();
        request
            .events
            .into_iter()
            .zip(position..)
            .map(|(new, position)| {
                let streams = new
                    .streams
                    .iter()
                    .map(|s| {
                        let v = versions
                            .entry(*s)
                            .or_insert_with(|| self.caseload.version(s));
                        *v += 1;
                        StreamVersion {
                            stream: *s,
                            version: *v,
                        }
                    })
                    .collect();
                Envelope::stored(new, position, streams)
            })
            .collect()
    }

    fn run(&mut self, command_id: u128, command: Command) -> ce_core::Outcome {
        let (decision, meta) = self.decide(command_id, &command);
        let request = decision.to_request(&self.caseload, &meta);
        for envelope in self.envelopes(request, self.events.len() as u64) {
            self.caseload.apply(&envelope);
            self.events.push(envelope);
        }
        decision.outcome
    }
}

/// One household: enrollment, assessment, follow-ups up to `budget` events,
/// and one more follow-up kept aside for row 1.
fn household_events(
    policy: &Policy,
    index: usize,
    coalitions: usize,
    budget: usize,
) -> (Vec<Envelope>, AppendRequest, Envelope) {
    let mut rng = Rng(0xC0FF_EE00 ^ index as u64);
    let coalition = policy.coalitions[rng.below(coalitions as u64) as usize]
        .0
        .clone();
    let start = date(2025, 1, 6) + Days::new(rng.below(400));
    let mut builder = HouseholdBuilder::single_adult(&coalition).starting(start);
    if rng.chance(25) {
        builder = builder.chronic();
    } else if rng.chance(30) {
        builder = builder.disabled();
    }
    if rng.chance(10) {
        builder = builder.veteran();
    }
    if rng.chance(20) {
        builder = builder.with_child();
    }
    if rng.chance(10) {
        builder = builder.youth();
    }
    builder = builder.months_homeless(1 + rng.below(13) as u8);
    builder = if rng.chance(92) {
        builder.placed_with_score(rng.below(20) as u32)
    } else {
        builder.not_placed()
    };
    // Deterministic client ids (the fixture draws random ones).
    for (m, member) in builder.enroll.members.iter_mut().enumerate() {
        member.client = ClientId(uuid::Uuid::from_u128(
            (1u128 << 100) | ((index as u128) << 8) | m as u128,
        ));
    }
    let command = |n: u128| (2u128 << 100) | ((index as u128) << 16) | n;
    let mut mini = Mini {
        policy,
        caseload: Caseload::default(),
        events: Vec::new(),
    };
    let household = match mini.run(command(0), builder.enroll.clone().into()) {
        ce_core::Outcome::Enrolled { household } => household,
        other => panic!("enroll gave {other:?}"),
    };
    if let Some(assess) = builder.assessment(household) {
        mini.run(command(1), assess.into());
    }
    let mut on = start + Days::new(2);
    let mut n = 2;
    let next_contact = |on: &mut NaiveDate, rng: &mut Rng, n: u128| -> (Command, u128) {
        *on = *on + Days::new(1 + rng.below(9));
        let months = 1 + rng.below(13) as u8;
        (follow_up(household, *on, months).into(), n)
    };
    while mini.events.len() < budget {
        let (c, id) = next_contact(&mut on, &mut rng, n);
        mini.run(command(id), c);
        n += 1;
    }
    // Row 1's command: decided now, appended by the benchmark.
    let (c, id) = next_contact(&mut on, &mut rng, n);
    let (decision, meta) = mini.decide(command(id), &c);
    let request = decision.to_request(&mini.caseload, &meta);
    let tail = mini
        .envelopes(request.clone(), 0)
        .pop()
        .expect("a follow-up has one event");
    (mini.events, request, tail)
}

pub(crate) fn generate(cfg: &Config, policy: &Policy) -> Dataset {
    const BLOCK: usize = 1_000;
    let per = cfg.events / cfg.households;
    let extra = cfg.events % cfg.households;
    let mut data = Dataset {
        jsonl: Vec::with_capacity(cfg.events * 480),
        spans: Vec::with_capacity(cfg.events),
        first_stream: Vec::with_capacity(cfg.events),
        tails: Vec::new(),
    };
    let mut tails = Vec::new();
    let mut position = 0u64;
    for block in (0..cfg.households).step_by(BLOCK) {
        let mut streams: Vec<std::vec::IntoIter<Envelope>> = Vec::new();
        for index in block..(block + BLOCK).min(cfg.households) {
            let budget = per + usize::from(index < extra);
            let (events, request, tail) = household_events(policy, index, cfg.coalitions, budget);
            streams.push(events.into_iter());
            if tails.len() < cfg.appends {
                tails.push((request, tail));
            }
        }
        // Interleave the block's households round-robin, as a month of CE
        // work would: every list row is touched many times across the log.
        let mut live = true;
        while live {
            live = false;
            for stream in &mut streams {
                if let Some(mut envelope) = stream.next() {
                    live = true;
                    envelope.position = position;
                    position += 1;
                    let start = data.jsonl.len();
                    serde_json::to_writer(&mut data.jsonl, &envelope).unwrap();
                    data.spans.push((start, data.jsonl.len()));
                    data.jsonl.push(b'\n');
                    let first = &envelope.streams[0];
                    data.first_stream
                        .push((first.stream.to_string(), first.version));
                }
            }
        }
    }
    for (k, (request, mut tail)) in tails.into_iter().enumerate() {
        tail.position = position + k as u64;
        let first = tail.streams[0];
        data.tails.push(Tail {
            request,
            bytes: tail.to_json().unwrap(),
            stream: first.stream.to_string(),
            version: first.version,
        });
    }
    data
}

//! Workflow invariants that must hold of any caseload folded from any log.
//! `ce verify` and the property tests check them.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::NaiveDate;

use crate::caseload::Caseload;
use crate::envelope::{Envelope, StreamId};
use crate::event::{Event, EventType};
use crate::household::HouseholdStatus;
use crate::hud::ReferralResult;
use crate::policy::Policy;
use crate::vocab::{HouseholdId, ListKey, OpeningId, ProgramType, ReferralId, Role};

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    /// Positions must be 0, 1, 2, … in log order.
    PositionGap {
        /// The position expected.
        expected: u64,
        /// The position found.
        found: u64,
    },
    /// A stream's versions must be 1, 2, 3, … in log order.
    VersionGap {
        /// The stream.
        stream: StreamId,
        /// The version expected.
        expected: u64,
        /// The version found.
        found: u64,
    },
    /// An opening with more than one live referral.
    OpeningLiveReferrals {
        /// The opening.
        opening: OpeningId,
        /// Its live referrals.
        referrals: Vec<ReferralId>,
    },
    /// A household with more than one live referral for one program type.
    HouseholdLiveReferrals {
        /// The household.
        household: HouseholdId,
        /// The program type.
        program_type: ProgramType,
        /// The live referrals.
        referrals: Vec<ReferralId>,
    },
    /// A declined referral must carry HUD result 2 or 3.
    DeclineResult {
        /// The referral.
        referral: ReferralId,
        /// Its result.
        result: ReferralResult,
    },
    /// A result dated before its referral.
    ResultBeforeReferral {
        /// The referral.
        referral: ReferralId,
    },
    /// An exited, inactive, parked or housed household on a list.
    OffListHouseholdListed {
        /// The household.
        household: HouseholdId,
    },
    /// An inactive household with a contact on record within the
    /// inactivity window before its inactivation: it was never without
    /// contact that long.
    InactiveDespiteContact {
        /// The household.
        household: HouseholdId,
        /// The inactivation date.
        since: NaiveDate,
        /// Its latest contact.
        last_contact: NaiveDate,
        /// The days without contact the inactivation applied.
        inactivity_days: u32,
    },
    /// A household with no member with a disabling condition on a PSH
    /// list (HUD CoC PSH eligibility, 24 CFR 578.37(a)(1)(i)).
    PshWithoutDisability {
        /// The household.
        household: HouseholdId,
        /// The list.
        list: ListKey,
    },
    /// A stored event the workflow's rules would not have recorded: by a
    /// role or agency not allowed to, dated outside what is possible, with
    /// a household of no head, a coalition the policy does not know.
    Rule {
        /// The event's position.
        position: u64,
        /// Its type.
        event_type: EventType,
        /// The rule it breaks.
        rule: String,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::PositionGap { expected, found } => {
                write!(f, "log position {found} where {expected} was expected")
            }
            Violation::VersionGap {
                stream,
                expected,
                found,
            } => {
                write!(
                    f,
                    "{stream} has version {found} where {expected} was expected"
                )
            }
            Violation::OpeningLiveReferrals { opening, referrals } => {
                write!(
                    f,
                    "opening {opening} has {} live referrals",
                    referrals.len()
                )
            }
            Violation::HouseholdLiveReferrals {
                household,
                program_type,
                referrals,
            } => write!(
                f,
                "household {household} has {} live {program_type} referrals",
                referrals.len()
            ),
            Violation::DeclineResult { referral, result } => {
                write!(f, "declined referral {referral} has result {result}")
            }
            Violation::ResultBeforeReferral { referral } => {
                write!(f, "referral {referral} has a result dated before it")
            }
            Violation::OffListHouseholdListed { household } => {
                write!(f, "household {household} is on a list it must be off")
            }
            Violation::InactiveDespiteContact {
                household,
                since,
                last_contact,
                inactivity_days,
            } => write!(
                f,
                "household {household} is inactive since {since} although its last contact, on {last_contact}, is within the {inactivity_days} days before"
            ),
            Violation::PshWithoutDisability { household, list } => write!(
                f,
                "household {household} is on the list {list} but no member has a disabling condition (HUD CoC PSH eligibility, 24 CFR 578.37(a)(1)(i))"
            ),
            Violation::Rule {
                position,
                event_type,
                rule,
            } => write!(f, "event {position} ({event_type}): {rule}"),
        }
    }
}

/// Who may record an event of each type, besides a CE lead (who may record
/// any): the roles of the commands that produce it.
fn roles_allowed(event: &Event) -> &'static [Role] {
    match event {
        Event::HouseholdEnrolled(_)
        | Event::AssessmentRecorded(_)
        | Event::ContactMade(_)
        | Event::ContactAttempted(_)
        | Event::CeEventRecorded(_)
        | Event::MemberAdded(_)
        | Event::MemberRemoved(_)
        | Event::HeadOfHouseholdChanged(_)
        | Event::HouseholdExited(_)
        | Event::ClientEnrollmentOpened(_)
        | Event::ClientEnrollmentClosed(_)
        | Event::EventCorrected(_)
        | Event::HmisRecordsLinked(_)
        | Event::HmisRecordDeleted(_)
        | Event::ConsentRecorded(_)
        | Event::HouseholdRestricted(_)
        | Event::HouseholdIdentified(_) => &[Role::Access],
        // An exit (access) or a withdrawn opening (provider) cancels.
        Event::ReferralCancelled(_) => &[Role::Access, Role::Provider],
        Event::OpeningPosted(_)
        | Event::OpeningWithdrawn(_)
        | Event::ReferralAcknowledged(_)
        | Event::ReferralAccepted(_)
        | Event::ReferralDeclined(_) => &[Role::Provider],
        Event::ReferralOffered(_)
        | Event::ReferralExpired(_)
        | Event::HouseholdInactivated(_)
        | Event::ClientErased(_)
        | Event::PolicyAdopted(_) => &[],
    }
}

/// Checks one stored event, before it is folded into `caseload` (the fold
/// of every event before it), against the rules the workflow enforced when
/// it was recorded under `policy` (the policy in force then): the role and
/// agency allowed to record it, its dates, the coalition. A log edited by
/// hand, or written by another program, breaks them.
pub fn check_event(caseload: &Caseload, policy: &Policy, envelope: &Envelope) -> Vec<Violation> {
    let mut found = Vec::new();
    let event_type = envelope.event.kind();
    let mut broken = |rule: String| {
        found.push(Violation::Rule {
            position: envelope.position,
            event_type,
            rule,
        })
    };
    let actor = &envelope.actor;
    if actor.role != Role::Lead && !roles_allowed(&envelope.event).contains(&actor.role) {
        broken(format!("recorded by role {}, which may not", actor.role));
    }
    let provider_event = matches!(
        envelope.event,
        Event::OpeningWithdrawn(_)
            | Event::ReferralAcknowledged(_)
            | Event::ReferralAccepted(_)
            | Event::ReferralDeclined(_)
    );
    if provider_event && actor.role == Role::Provider {
        let opening = envelope.streams.iter().find_map(|sv| match sv.stream {
            StreamId::Opening(id) => caseload.openings.get(&id),
            _ => None,
        });
        match opening {
            Some(opening) if opening.agency != actor.agency => broken(format!(
                "recorded by agency {} on an opening of {}",
                actor.agency, opening.agency
            )),
            None => broken("names no opening that was posted before it".to_owned()),
            Some(_) => {}
        }
    }
    let recorded = envelope.recorded_at.date_naive();
    if envelope.effective < crate::record::EARLIEST_DATE {
        broken(format!(
            "dated {}, before HMIS data start (1998-10-01)",
            envelope.effective
        ));
    }
    if envelope.effective > recorded {
        broken(format!(
            "dated {}, after it was recorded ({recorded})",
            envelope.effective
        ));
    }
    let enrolled = match &envelope.event {
        Event::HouseholdEnrolled(e) => Some(e),
        Event::EventCorrected(e) => match e.corrected.as_ref() {
            Event::HouseholdEnrolled(e) => Some(e),
            _ => None,
        },
        _ => None,
    };
    if let Some(e) = enrolled {
        if !policy.knows_coalition(&e.coalition) {
            broken(format!(
                "coalition {:?} is not one of the policy's ({} v{})",
                e.coalition.0, policy.id, policy.version
            ));
        }
        let heads = e.members.iter().filter(|m| m.is_head()).count();
        if heads != 1 || e.members.len() > crate::record::MAX_MEMBERS {
            broken(format!(
                "a household of {} member(s) with {heads} head(s)",
                e.members.len()
            ));
        }
    }
    if let Event::ReferralDeclined(e) = &envelope.event {
        match policy.decline_reason(&e.reason) {
            None => broken(format!(
                "decline reason {:?} is not one of the policy's ({} v{})",
                e.reason, policy.id, policy.version
            )),
            Some(reason) if reason.result != e.result || reason.consequence != e.consequence => {
                broken(format!(
                    "decline reason {:?} recorded with result {} ({}); the policy ({} v{}) gives result {} ({})",
                    e.reason,
                    e.result,
                    e.consequence,
                    policy.id,
                    policy.version,
                    reason.result,
                    reason.consequence
                ))
            }
            Some(_) => {}
        }
    }
    if let Event::HouseholdInactivated(e) = &envelope.event {
        if e.inactivity_days != policy.inactivity_days {
            broken(format!(
                "applies {} days without contact; the policy ({} v{}) says {}",
                e.inactivity_days, policy.id, policy.version, policy.inactivity_days
            ));
        }
        let household = envelope.streams.iter().find_map(|sv| match sv.stream {
            StreamId::Household(id) => caseload.households().get(&id),
            _ => None,
        });
        if let Some(h) = household {
            let days = h.days_since_contact(envelope.effective);
            if days < i64::from(policy.inactivity_days) {
                broken(format!(
                    "makes household {} inactive on {} although its last contact, on {}, is {days} day(s) before (the policy's limit is {})",
                    h.id, envelope.effective, h.last_contact, policy.inactivity_days
                ));
            }
        }
    }
    if let Event::OpeningPosted(e) = &envelope.event {
        if !policy.knows_coalition(&e.coalition) {
            broken(format!(
                "coalition {:?} is not one of the policy's ({} v{})",
                e.coalition.0, policy.id, policy.version
            ));
        }
    }
    found
}

/// Checks the households an event touched, once it is folded into
/// `caseload`: every household still enrolled has members and exactly one
/// head.
pub fn check_folded(caseload: &Caseload, envelope: &Envelope) -> Vec<Violation> {
    envelope
        .streams
        .iter()
        .filter_map(|sv| match sv.stream {
            StreamId::Household(id) => caseload.households().get(&id),
            _ => None,
        })
        .filter(|h| !matches!(h.status, HouseholdStatus::Exited { .. }))
        .filter_map(|h| {
            let heads = h.members.iter().filter(|m| m.is_head()).count();
            (heads != 1).then(|| Violation::Rule {
                position: envelope.position,
                event_type: envelope.event.kind(),
                rule: format!(
                    "leaves household {} with {} member(s) and {heads} head(s)",
                    h.id,
                    h.members.len()
                ),
            })
        })
        .collect()
}

/// Checks the log's shape: gapless positions and contiguous stream versions.
/// Feed it the log in order, in as many calls as convenient.
#[derive(Debug, Default)]
pub struct LogChecker {
    next: u64,
    versions: HashMap<StreamId, u64>,
    /// What was found so far.
    pub violations: Vec<Violation>,
}

impl LogChecker {
    /// Checks one envelope, in log order.
    pub fn check(&mut self, envelope: &Envelope) {
        if envelope.position != self.next {
            self.violations.push(Violation::PositionGap {
                expected: self.next,
                found: envelope.position,
            });
        }
        self.next = envelope.position.saturating_add(1);
        for sv in &envelope.streams {
            let expected = self
                .versions
                .get(&sv.stream)
                .copied()
                .unwrap_or(0)
                .saturating_add(1);
            if sv.version != expected {
                self.violations.push(Violation::VersionGap {
                    stream: sv.stream,
                    expected,
                    found: sv.version,
                });
            }
            self.versions.insert(sv.stream, sv.version);
        }
    }
}

/// Checks the caseload's invariants under `policy`, with lists as of `date`.
pub fn check_caseload(caseload: &Caseload, policy: &Policy, date: NaiveDate) -> Vec<Violation> {
    let mut violations = Vec::new();
    let mut by_opening: BTreeMap<OpeningId, Vec<ReferralId>> = BTreeMap::new();
    let mut by_household: BTreeMap<(HouseholdId, ProgramType), Vec<ReferralId>> = BTreeMap::new();
    for referral in caseload.referrals.values() {
        if referral.status.is_live() {
            by_opening
                .entry(referral.opening)
                .or_default()
                .push(referral.id);
            by_household
                .entry((referral.household, referral.program_type))
                .or_default()
                .push(referral.id);
        }
        if let Some((result, on)) = referral.status.result() {
            if on < referral.offered_on {
                violations.push(Violation::ResultBeforeReferral {
                    referral: referral.id,
                });
            }
            let declined = matches!(
                referral.status,
                crate::opening::ReferralStatus::Declined { .. }
            );
            if declined && result == ReferralResult::SuccessfulClientAccepted {
                violations.push(Violation::DeclineResult {
                    referral: referral.id,
                    result,
                });
            }
        }
    }
    violations.extend(
        by_opening
            .into_iter()
            .filter(|(_, r)| r.len() > 1)
            .map(|(opening, referrals)| Violation::OpeningLiveReferrals { opening, referrals }),
    );
    violations.extend(by_household.into_iter().filter(|(_, r)| r.len() > 1).map(
        |((household, program_type), referrals)| Violation::HouseholdLiveReferrals {
            household,
            program_type,
            referrals,
        },
    ));
    for h in caseload.households().values() {
        if let HouseholdStatus::Inactive {
            since,
            inactivity_days,
        } = h.status
        {
            if crate::household::contact_undoes_inactivation(h.last_contact, since, inactivity_days)
            {
                violations.push(Violation::InactiveDespiteContact {
                    household: h.id,
                    since,
                    last_contact: h.last_contact,
                    inactivity_days,
                });
            }
        }
    }
    for list in caseload.lists(policy, date).values() {
        for entry in &list.entries {
            let Some(h) = caseload.households().get(&entry.inputs.household) else {
                continue;
            };
            if list.key.program == ProgramType::Psh && !h.has_disabled_member() {
                violations.push(Violation::PshWithoutDisability {
                    household: h.id,
                    list: list.key.clone(),
                });
            }
            let off = h.status != HouseholdStatus::Active
                || h.is_housed()
                || h.parked_until.is_some_and(|until| until > date);
            if off {
                violations.push(Violation::OffListHouseholdListed { household: h.id });
            }
        }
    }
    violations
}

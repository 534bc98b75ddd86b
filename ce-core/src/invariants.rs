//! Workflow invariants that must hold of any caseload folded from any log.
//! `ce verify` and the property tests check them.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::NaiveDate;

use crate::caseload::Caseload;
use crate::envelope::{Envelope, StreamId};
use crate::household::HouseholdStatus;
use crate::hud::ReferralResult;
use crate::ids::{HouseholdId, OpeningId, ReferralId};
use crate::opening::ProgramType;
use crate::policy::Policy;

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
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
        }
    }
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
        self.next = envelope.position + 1;
        for sv in &envelope.streams {
            let expected = self.versions.get(&sv.stream).copied().unwrap_or(0) + 1;
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
    for list in caseload.lists(policy, date).values() {
        for entry in &list.entries {
            let Some(h) = caseload.households().get(&entry.inputs.household) else {
                continue;
            };
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

//! Prioritization and workflow settings as data, with the WI BoS defaults.

use serde::{Deserialize, Serialize};

use crate::household::Coalition;
use crate::hud::ReferralResult;
use crate::opening::{DeclineConsequence, ProgramType};

/// The 21 local coalitions of the WI Balance of State.
pub const WI_BOS_COALITIONS: &[&str] = &[
    "Brown County",
    "Central",
    "Coulee",
    "Dairyland",
    "East Central",
    "Fox Cities",
    "Jefferson",
    "Kenosha",
    "Lakeshore",
    "North Central",
    "Northeast",
    "Northwest",
    "NWISH",
    "Ozaukee",
    "Rock Walworth",
    "Rural North",
    "Southwest",
    "Washington",
    "Waukesha",
    "West Central",
    "Winnebagoland",
];

/// Everything a CoC decides about its CE workflow. Loadable from JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Identifies the policy in every referral it ranked.
    pub id: String,
    /// Bumped on every change; recorded in every referral.
    pub version: u32,
    /// Coalitions households and openings may belong to.
    pub coalitions: Vec<Coalition>,
    /// Days without contact after which a sweep marks a household inactive.
    pub inactivity_days: u32,
    /// Days after which a referral without a result is overdue.
    pub referral_overdue_days: u32,
    /// Oldest age (inclusive) of a youth-headed household (18 to this).
    pub youth_max_age: u32,
    /// Score at or above which a household has "most severe service needs"
    /// for the HUD CPD-16-11 order.
    pub severe_needs_score: u32,
    /// The AssessmentResultType(s) (4.19 results) that carry the
    /// prioritization score, matched without regard to case: an imported
    /// assessment's score is its first whole-number result of one of them.
    #[serde(default = "default_score_result_types")]
    pub score_result_types: Vec<String>,
    /// Whether an assessment counts as contact with the household (it is a
    /// conversation: by phone, virtually or in person) for the last contact
    /// and the inactivity sweep.
    #[serde(default = "default_true")]
    pub assessment_is_contact: bool,
    /// One prioritization list rule per program type.
    pub programs: Vec<ProgramRule>,
    /// Decline reasons and what each means.
    pub decline_reasons: Vec<DeclineReason>,
}

/// How one program type's lists are filled and ordered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramRule {
    /// The program type.
    pub program: ProgramType,
    /// Who may be on its lists.
    pub eligibility: Eligibility,
    /// Ordering keys, most significant first. The household id always breaks
    /// remaining ties, so the order is total and deterministic.
    pub order: Vec<OrderKey>,
}

/// Eligibility floors for a program type's lists.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Eligibility {
    /// Minimum score for households without children.
    #[serde(default)]
    pub min_score_without_children: Option<u32>,
    /// Minimum score for households with children.
    #[serde(default)]
    pub min_score_with_children: Option<u32>,
    /// Must be literally homeless (street, ES, SH, TH) at the latest contact.
    #[serde(default)]
    pub literally_homeless: bool,
    /// Must include an adult with a disabling condition.
    #[serde(default)]
    pub disabled_adult: bool,
    /// Must be chronically homeless.
    #[serde(default)]
    pub chronic: bool,
}

/// One ordering key of a priority list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKey {
    /// Chronically homeless first.
    Chronic,
    /// HUD CPD-16-11 tier, lowest (most vulnerable) first.
    Cpd1611Tier,
    /// Higher assessment score first.
    Score,
    /// More months homeless in the past three years first.
    MonthsHomeless,
    /// Longer current episode first.
    EpisodeLength,
    /// Earlier placement on the list first.
    PlacedDate,
}

/// A decline reason: a code, HUD's result and the consequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclineReason {
    /// The code commands name.
    pub code: String,
    /// What it means.
    pub label: String,
    /// HUD referral result: 2 (client) or 3 (provider).
    pub result: ReferralResult,
    /// What happens to the household.
    pub consequence: DeclineConsequence,
    /// Whether free text is required (as for "other").
    #[serde(default)]
    pub requires_text: bool,
}

/// A policy that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The JSON does not describe a policy.
    #[error("policy is not valid JSON for a Policy: {0}")]
    Json(String),
    /// A decline reason maps to result 1 (accepted).
    #[error("decline reason {0:?} must map to result 2 or 3")]
    DeclineResult(String),
    /// Two rules for one program type.
    #[error("program {0} has more than one list rule")]
    DuplicateProgram(ProgramType),
    /// A required setting is zero or empty.
    #[error("policy setting {0} must not be zero or empty")]
    Empty(&'static str),
}

/// The AssessmentResultType ce writes the score under, and reads by default.
pub const DEFAULT_SCORE_RESULT_TYPE: &str = "CE prioritization score";

/// Whether `result_type` is one of `score_types` (without regard to case
/// and surrounding spaces): the one rule for reading and writing the score.
pub fn is_score_type(score_types: &[String], result_type: &str) -> bool {
    let result_type = result_type.trim();
    score_types
        .iter()
        .any(|t| t.trim().eq_ignore_ascii_case(result_type))
}

fn default_score_result_types() -> Vec<String> {
    vec![DEFAULT_SCORE_RESULT_TYPE.to_owned()]
}

fn default_true() -> bool {
    true
}

impl Policy {
    /// Parses and validates a policy from JSON.
    pub fn from_json(json: &str) -> Result<Self, PolicyError> {
        let policy: Policy =
            serde_json::from_str(json).map_err(|e| PolicyError::Json(e.to_string()))?;
        policy.validate()?;
        Ok(policy)
    }

    /// Checks the policy's internal consistency.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.id.is_empty() {
            return Err(PolicyError::Empty("id"));
        }
        if self.coalitions.is_empty() {
            return Err(PolicyError::Empty("coalitions"));
        }
        if self.score_result_types.iter().all(|t| t.trim().is_empty()) {
            return Err(PolicyError::Empty("score_result_types"));
        }
        if self.inactivity_days == 0 {
            return Err(PolicyError::Empty("inactivity_days"));
        }
        if self.referral_overdue_days == 0 {
            return Err(PolicyError::Empty("referral_overdue_days"));
        }
        for (i, rule) in self.programs.iter().enumerate() {
            if self.programs[..i].iter().any(|r| r.program == rule.program) {
                return Err(PolicyError::DuplicateProgram(rule.program));
            }
        }
        if let Some(bad) = self
            .decline_reasons
            .iter()
            .find(|r| r.result == ReferralResult::SuccessfulClientAccepted)
        {
            return Err(PolicyError::DeclineResult(bad.code.clone()));
        }
        Ok(())
    }

    /// The list rule for a program type, if the policy keeps lists for it.
    pub fn program(&self, program: ProgramType) -> Option<&ProgramRule> {
        self.programs.iter().find(|r| r.program == program)
    }

    /// The keys a program type's lists are ordered by (none if the policy
    /// keeps no list for it: then only the household id orders).
    pub fn order(&self, program: ProgramType) -> &[OrderKey] {
        self.program(program).map_or(&[], |r| r.order.as_slice())
    }

    /// A decline reason by code.
    pub fn decline_reason(&self, code: &str) -> Option<&DeclineReason> {
        self.decline_reasons.iter().find(|r| r.code == code)
    }

    /// Whether `coalition` is one of the policy's.
    pub fn knows_coalition(&self, coalition: &Coalition) -> bool {
        self.coalitions.contains(coalition)
    }

    /// Whether a 4.19 AssessmentResultType carries the prioritization score.
    pub fn is_score_type(&self, result_type: &str) -> bool {
        is_score_type(&self.score_result_types, result_type)
    }

    /// The WI Balance of State defaults (domain reference §3–5).
    pub fn wi_bos_default() -> Self {
        use OrderKey::*;
        let floors = |single, family| Eligibility {
            min_score_without_children: Some(single),
            min_score_with_children: Some(family),
            ..Eligibility::default()
        };
        let reason = |code: &str, label: &str, result, consequence, requires_text| DeclineReason {
            code: code.to_owned(),
            label: label.to_owned(),
            result,
            consequence,
            requires_text,
        };
        let client = ReferralResult::UnsuccessfulClientRejected;
        let provider = ReferralResult::UnsuccessfulProviderRejected;
        let stays = DeclineConsequence::StaysOnList;
        Policy {
            id: "wi-bos".to_owned(),
            version: 1,
            coalitions: WI_BOS_COALITIONS
                .iter()
                .map(|c| Coalition::new(*c))
                .collect(),
            inactivity_days: 90,
            referral_overdue_days: 10,
            youth_max_age: 24,
            severe_needs_score: 12,
            score_result_types: default_score_result_types(),
            assessment_is_contact: true,
            programs: vec![
                ProgramRule {
                    program: ProgramType::Psh,
                    eligibility: floors(8, 9),
                    order: vec![
                        Chronic,
                        Cpd1611Tier,
                        Score,
                        MonthsHomeless,
                        EpisodeLength,
                        PlacedDate,
                    ],
                },
                ProgramRule {
                    program: ProgramType::Th,
                    eligibility: Eligibility {
                        literally_homeless: true,
                        disabled_adult: true,
                        ..floors(8, 9)
                    },
                    order: vec![Score, MonthsHomeless, EpisodeLength, PlacedDate],
                },
                ProgramRule {
                    program: ProgramType::Rrh,
                    eligibility: floors(4, 4),
                    order: vec![Score, MonthsHomeless, EpisodeLength, PlacedDate],
                },
            ],
            decline_reasons: vec![
                reason(
                    "client-not-interested",
                    "Client not interested in this program",
                    client,
                    stays,
                    false,
                ),
                reason(
                    "client-location",
                    "Client declined the location",
                    client,
                    stays,
                    false,
                ),
                reason(
                    "client-unreachable",
                    "Client could not be reached in time",
                    client,
                    DeclineConsequence::Parked { days: 14 },
                    false,
                ),
                reason(
                    "client-other",
                    "Client declined: other",
                    client,
                    stays,
                    true,
                ),
                reason(
                    "provider-ineligible",
                    "Household not eligible for the program",
                    provider,
                    stays,
                    false,
                ),
                reason(
                    "provider-no-capacity",
                    "Program cannot serve the household now",
                    provider,
                    stays,
                    false,
                ),
                reason(
                    "provider-other",
                    "Provider declined: other",
                    provider,
                    stays,
                    true,
                ),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_is_valid_and_round_trips_through_json() {
        let policy = Policy::wi_bos_default();
        policy.validate().unwrap();
        let json = serde_json::to_string_pretty(&policy).unwrap();
        assert_eq!(Policy::from_json(&json).unwrap(), policy);
        assert_eq!(policy.coalitions.len(), 21);
    }

    #[test]
    fn decline_reason_mapped_to_accepted_is_rejected() {
        let mut policy = Policy::wi_bos_default();
        policy.decline_reasons[0].result = ReferralResult::SuccessfulClientAccepted;
        assert_eq!(
            policy.validate(),
            Err(PolicyError::DeclineResult("client-not-interested".into()))
        );
    }

    #[test]
    fn duplicate_program_rule_is_rejected() {
        let mut policy = Policy::wi_bos_default();
        let psh = policy.programs[0].clone();
        policy.programs.push(psh);
        assert_eq!(
            policy.validate(),
            Err(PolicyError::DuplicateProgram(ProgramType::Psh))
        );
    }

    #[test]
    fn malformed_policy_json_is_a_clear_error() {
        let err = Policy::from_json("{\"id\": 3}").unwrap_err();
        assert!(matches!(err, PolicyError::Json(_)), "{err}");
    }
}

//! Prioritization and workflow settings as data, with the WI BoS defaults.

use serde::{Deserialize, Serialize};

use crate::hud::ReferralResult;
use crate::vocab::{words, Coalition, DeclineReasonCode, ProgramType};

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
#[serde(deny_unknown_fields)]
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
    /// Must be 24, the top of HUD's youth age band: ages are recorded in
    /// bands at project start (see [`AgeBand`](crate::AgeBand)).
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
    /// Years without activity after which a client's data is due for
    /// erasure (`ce retention`); none: retention is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_years: Option<u32>,
    /// One prioritization list rule per program type.
    pub programs: Vec<ProgramRule>,
    /// Decline reasons and what each means.
    pub decline_reasons: Vec<DeclineReason>,
}

/// How one program type's lists are filled and ordered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
    /// Must include a member, adult or child, with a disabling condition:
    /// HUD's eligibility rule for CoC permanent supportive housing (24 CFR
    /// 578.37(a)(1)(i)), which [`Policy::check_hud_rules`] requires of
    /// every PSH rule that does not require more.
    #[serde(default)]
    pub disabled_member: bool,
    /// Must be chronically homeless.
    #[serde(default)]
    pub chronic: bool,
}

impl Eligibility {
    /// Whether only households with a member with a disabling condition
    /// pass: a disabled member, a disabled adult, or chronic homelessness
    /// (whose head has a disabling condition).
    pub fn requires_disability(&self) -> bool {
        self.disabled_member || self.disabled_adult || self.chronic
    }
}

/// One ordering key of a priority list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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

impl OrderKey {
    /// What the key orders by, in the policy's words.
    pub fn label(self) -> &'static str {
        match self {
            OrderKey::Chronic => "chronically homeless (first)",
            OrderKey::Cpd1611Tier => "HUD CPD-16-11 order of priority (tier 1 first)",
            OrderKey::Score => "assessment score (highest first)",
            OrderKey::MonthsHomeless => "months homeless in the past three years (most first)",
            OrderKey::EpisodeLength => "days homeless in the current episode (most first)",
            OrderKey::PlacedDate => "date placed on the list (earliest first)",
        }
    }
}

impl std::fmt::Display for OrderKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A decline reason: a code, HUD's result and the consequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclineReason {
    /// The code commands name.
    pub code: DeclineReasonCode,
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
#[non_exhaustive]
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
    /// A changed policy must carry a higher version than the one it
    /// replaces: referrals record the version they were ranked under.
    #[error("the policy {id} v{given} differs from the store's v{current}: give the changed policy a higher version")]
    VersionNotRaised {
        /// The policy id.
        id: String,
        /// The version in force.
        current: u32,
        /// The version given.
        given: u32,
    },
    /// Only a CE lead changes the policy.
    #[error("only a CE lead (--role lead) may change the policy")]
    NotLead,
    /// A required setting is zero or empty.
    #[error("policy setting {0} must not be zero or empty")]
    Empty(String),
    /// A number outside the range the workflow can use.
    #[error("policy setting {setting} is {value}; it must be {min} to {max}")]
    OutOfRange {
        /// The setting (e.g. `decline_reasons[2].consequence.days`).
        setting: String,
        /// The value given.
        value: u64,
        /// The smallest value allowed.
        min: u64,
        /// The largest value allowed.
        max: u64,
    },
    /// A PSH list rule that admits households with no disabling condition:
    /// HUD's CoC PSH serves only homeless individuals with a disability and
    /// families with an adult or child member with a disability (24 CFR
    /// 578.37(a)(1)(i)).
    #[error("programs[psh].eligibility must require a disabling condition (set disabled_member, disabled_adult or chronic): HUD CoC permanent supportive housing serves only households with a member with a disability (24 CFR 578.37(a)(1)(i))")]
    PshWithoutDisability,
    /// A name (policy id, coalition, decline reason code, ...) that cannot
    /// be used: empty, too long, with control characters or spaces around
    /// it, or given twice.
    #[error("policy setting {setting} {value:?}: {reason}")]
    BadName {
        /// The setting.
        setting: String,
        /// The value given (control characters escaped when printed).
        value: String,
        /// What is wrong.
        reason: NameProblem,
    },
}

words! {
    /// What is wrong with a name in a policy.
    NameProblem {
        /// It is empty.
        Empty => "must not be empty",
        /// It starts or ends with spaces.
        SpacesAround => "must not start or end with spaces",
        /// It contains control characters.
        ControlCharacters => "must not contain control characters",
        /// It is longer than 100 characters.
        TooLong => "is longer than 100 characters",
        /// Another name of the same list is the same but for case.
        GivenTwice => "is given twice",
    }
}

/// The bounds [`Policy::validate`] holds every number of a policy to: wide
/// enough for any CoC's written standards, narrow enough that no date
/// arithmetic on them can leave the calendar.
pub(crate) mod bounds {
    /// Days without contact before a household goes inactive (ten years).
    pub(crate) const INACTIVITY_DAYS: (u64, u64) = (1, 3_650);
    /// Days before a referral without a result is overdue (one year).
    pub(crate) const REFERRAL_OVERDUE_DAYS: (u64, u64) = (1, 365);
    /// Days a decline parks a household (one year).
    pub(crate) const PARKED_DAYS: (u64, u64) = (1, 365);
    /// The oldest age of a youth-headed household: HUD's youth are under
    /// 25, and ages at project start are recorded in HUD's bands, whose
    /// youth band ends at 24, so that no ranking needs a birth date.
    pub(crate) const YOUTH_MAX_AGE: (u64, u64) = (24, 24);
    /// Years of retention (a century).
    pub(crate) const RETENTION_YEARS: (u64, u64) = (1, 100);
    /// Scores (the severe-needs threshold and the list floors).
    pub(crate) const SCORE: (u64, u64) = (0, 1_000);
    /// The policy's version.
    pub(crate) const VERSION: (u64, u64) = (1, 1_000_000);
    /// Characters of a name (policy id, coalition, decline code or label,
    /// score result type).
    pub(crate) const NAME_CHARS: usize = 100;
    /// Coalitions, decline reasons or score result types in one policy.
    pub(crate) const ITEMS: usize = 1_000;
}

/// Checks a number against its bounds.
fn in_range(
    setting: impl Into<String>,
    value: u64,
    (min, max): (u64, u64),
) -> Result<(), PolicyError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(PolicyError::OutOfRange {
            setting: setting.into(),
            value,
            min,
            max,
        })
    }
}

/// Checks a name: not empty, no spaces around it, no control characters
/// (a NUL or an escape in a coalition would corrupt list keys or the
/// terminal), not too long.
fn check_name(setting: impl Into<String>, value: &str) -> Result<(), PolicyError> {
    let bad = |reason| PolicyError::BadName {
        setting: setting.into(),
        value: value.to_owned(),
        reason,
    };
    if value.trim().is_empty() {
        return Err(bad(NameProblem::Empty));
    }
    if value.trim() != value {
        return Err(bad(NameProblem::SpacesAround));
    }
    if value.chars().any(char::is_control) {
        return Err(bad(NameProblem::ControlCharacters));
    }
    if value.chars().count() > bounds::NAME_CHARS {
        return Err(bad(NameProblem::TooLong));
    }
    Ok(())
}

/// Checks a list of names: each a name, none twice (case aside: names that
/// differ only in case would be told apart by the store but not by people).
fn check_names<'a>(
    setting: &str,
    values: impl IntoIterator<Item = &'a str>,
) -> Result<(), PolicyError> {
    let mut seen = std::collections::HashSet::new();
    for (i, value) in values.into_iter().enumerate() {
        if i >= bounds::ITEMS {
            return Err(PolicyError::OutOfRange {
                setting: format!("{setting} (count)"),
                value: u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1),
                min: 1,
                max: bounds::ITEMS as u64,
            });
        }
        check_name(format!("{setting}[{i}]"), value)?;
        if !seen.insert(value.to_lowercase()) {
            return Err(PolicyError::BadName {
                setting: format!("{setting}[{i}]"),
                value: value.to_owned(),
                reason: NameProblem::GivenTwice,
            });
        }
    }
    Ok(())
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
    /// Checks the policy's internal consistency and holds every number to
    /// its bounds and every name to the rules of a name.
    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.id.is_empty() {
            return Err(PolicyError::Empty("id".to_owned()));
        }
        check_name("id", &self.id)?;
        in_range("version", self.version.into(), bounds::VERSION)?;
        if self.coalitions.is_empty() {
            return Err(PolicyError::Empty("coalitions".to_owned()));
        }
        check_names("coalitions", self.coalitions.iter().map(|c| c.0.as_str()))?;
        if self.score_result_types.iter().all(|t| t.trim().is_empty()) {
            return Err(PolicyError::Empty("score_result_types".to_owned()));
        }
        check_names(
            "score_result_types",
            self.score_result_types.iter().map(String::as_str),
        )?;
        if self.inactivity_days == 0 {
            return Err(PolicyError::Empty("inactivity_days".to_owned()));
        }
        if self.referral_overdue_days == 0 {
            return Err(PolicyError::Empty("referral_overdue_days".to_owned()));
        }
        in_range(
            "inactivity_days",
            self.inactivity_days.into(),
            bounds::INACTIVITY_DAYS,
        )?;
        in_range(
            "referral_overdue_days",
            self.referral_overdue_days.into(),
            bounds::REFERRAL_OVERDUE_DAYS,
        )?;
        in_range(
            "youth_max_age",
            self.youth_max_age.into(),
            bounds::YOUTH_MAX_AGE,
        )?;
        if let Some(years) = self.retention_years {
            Policy::check_retention_years("retention_years", years)?;
        }
        in_range(
            "severe_needs_score",
            self.severe_needs_score.into(),
            bounds::SCORE,
        )?;
        for rule in &self.programs {
            let floors = [
                (
                    "min_score_without_children",
                    rule.eligibility.min_score_without_children,
                ),
                (
                    "min_score_with_children",
                    rule.eligibility.min_score_with_children,
                ),
            ];
            for (name, floor) in floors {
                if let Some(floor) = floor {
                    in_range(
                        format!("programs[{}].eligibility.{name}", rule.program),
                        floor.into(),
                        bounds::SCORE,
                    )?;
                }
            }
        }
        check_names(
            "decline_reasons",
            self.decline_reasons.iter().map(|r| r.code.as_str()),
        )?;
        for (i, reason) in self.decline_reasons.iter().enumerate() {
            check_name(format!("decline_reasons[{i}].label"), &reason.label)?;
            if let DeclineConsequence::Parked { days } = reason.consequence {
                in_range(
                    format!("decline_reasons[{i}].consequence.days"),
                    days.into(),
                    bounds::PARKED_DAYS,
                )?;
            }
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
            return Err(PolicyError::DeclineResult(bad.code.to_string()));
        }
        Ok(())
    }

    /// Checks the rules HUD sets for the lists, beyond what
    /// [`validate`](Self::validate) needs for the workflow to run: every
    /// PSH list requires a disabling condition (24 CFR 578.37(a)(1)(i)). A
    /// policy must pass it to be adopted or to start a store; a store
    /// whose policy was adopted before the rule still opens (its lists are
    /// what its policy says, and `ce verify` reports the households that
    /// should not be on a PSH list).
    pub fn check_hud_rules(&self) -> Result<(), PolicyError> {
        let psh_without_disability = self.programs.iter().any(|rule| {
            rule.program == ProgramType::Psh && !rule.eligibility.requires_disability()
        });
        if psh_without_disability {
            return Err(PolicyError::PshWithoutDisability);
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
    pub fn decline_reason(&self, code: &DeclineReasonCode) -> Option<&DeclineReason> {
        self.decline_reasons.iter().find(|r| &r.code == code)
    }

    /// Whether `coalition` is one of the policy's.
    pub fn knows_coalition(&self, coalition: &Coalition) -> bool {
        self.coalitions.contains(coalition)
    }

    /// The day a referral offered on `offered_on` becomes overdue if it
    /// still has no result: `referral_overdue_days` after the offer ("a
    /// result within 10 days": offered on day 0, overdue and expirable on
    /// day 10). Saturates at the end of the calendar.
    pub fn referral_due_on(&self, offered_on: chrono::NaiveDate) -> chrono::NaiveDate {
        offered_on
            .checked_add_days(chrono::Days::new(u64::from(self.referral_overdue_days)))
            .unwrap_or(chrono::NaiveDate::MAX)
    }

    /// The policy's coalition named `name`, matched without regard to case
    /// or surrounding spaces (a name typed on a command line); `None` when
    /// no coalition has that name.
    pub fn coalition_named(&self, name: &str) -> Option<&Coalition> {
        let name = name.trim();
        self.coalitions.iter().find(|c| c.0 == name).or_else(|| {
            self.coalitions
                .iter()
                .find(|c| c.0.eq_ignore_ascii_case(name))
        })
    }

    /// Whether a 4.19 AssessmentResultType carries the prioritization score.
    pub fn is_score_type(&self, result_type: &str) -> bool {
        is_score_type(&self.score_result_types, result_type)
    }

    /// Checks a retention period (`setting`: where it was given) against
    /// the bounds a policy's `retention_years` is held to.
    pub fn check_retention_years(setting: &str, years: u32) -> Result<(), PolicyError> {
        in_range(setting, years.into(), bounds::RETENTION_YEARS)
    }

    /// The WI Balance of State defaults (docs/architecture.md describes them).
    pub fn wi_bos_default() -> Self {
        use OrderKey::*;
        let floors = |single, family| Eligibility {
            min_score_without_children: Some(single),
            min_score_with_children: Some(family),
            ..Eligibility::default()
        };
        let reason = |code: &str, label: &str, result, consequence, requires_text| DeclineReason {
            code: DeclineReasonCode::new(code),
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
            version: 2,
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
            retention_years: None,
            programs: vec![
                ProgramRule {
                    program: ProgramType::Psh,
                    eligibility: Eligibility {
                        disabled_member: true,
                        ..floors(8, 9)
                    },
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

/// What a decline does beyond HUD's result. Every decline also remembers the
/// (household, opening) pair so that opening is not offered to it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum DeclineConsequence {
    /// The household keeps its place on every list (HUD's default: no penalty).
    StaysOnList,
    /// The household is off every list for this many days from the decline.
    Parked {
        /// Days parked.
        days: u32,
    },
}

impl std::fmt::Display for DeclineConsequence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeclineConsequence::StaysOnList => f.write_str("stays on the lists"),
            DeclineConsequence::Parked { days } => write!(f, "off the lists for {days} days"),
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
    fn a_psh_rule_without_a_disability_opens_but_cannot_be_adopted() {
        let current = Policy::wi_bos_default();
        assert_eq!(current.check_hud_rules(), Ok(()));
        let mut loose = current.clone();
        loose.version += 1;
        loose.programs[0].eligibility.disabled_member = false;
        // A stored policy from before the rule still loads ...
        assert_eq!(loose.validate(), Ok(()));
        assert_eq!(
            loose.check_hud_rules(),
            Err(PolicyError::PshWithoutDisability)
        );
        // ... but is never adopted; chronic or a disabled adult also does.
        let lead = crate::command::CommandMeta {
            command_id: crate::vocab::CommandId::from_uuid(uuid::Uuid::from_u128(1)),
            actor: crate::vocab::Actor::new("lead", "BoS CE", crate::vocab::Role::Lead),
            recorded_at: chrono::DateTime::UNIX_EPOCH,
        };
        assert_eq!(
            loose.clone().adoption(&current, &lead, 0).err(),
            Some(PolicyError::PshWithoutDisability)
        );
        for require in [
            |e: &mut Eligibility| e.chronic = true,
            |e: &mut Eligibility| e.disabled_adult = true,
        ] {
            let mut strict = loose.clone();
            require(&mut strict.programs[0].eligibility);
            assert!(strict.adoption(&current, &lead, 0).is_ok());
        }
    }

    #[test]
    fn malformed_policy_json_is_a_clear_error() {
        let err = Policy::from_json("{\"id\": 3}").unwrap_err();
        assert!(matches!(err, PolicyError::Json(_)), "{err}");
    }
}

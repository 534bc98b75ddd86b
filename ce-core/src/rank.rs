//! What a household is ranked by, and the order the policy's keys put
//! households in: the comparison a list sorts by and the byte key an index
//! of a list is kept in.

use std::cmp::Ordering;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::hud::MonthsHomeless;
use crate::policy::OrderKey;
use crate::vocab::HouseholdId;

/// The values a household was ranked by, recorded with every referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankInputs {
    /// Chronically homeless (HUD check).
    pub chronic: bool,
    /// HUD CPD-16-11 tier, 1 (most vulnerable) to 8.
    pub cpd_16_11_tier: u8,
    /// Assessment score.
    pub score: Option<u32>,
    /// Months homeless in the past three years (13 = more than twelve).
    pub months_homeless: Option<u8>,
    /// Days in the current episode at the latest contact.
    pub episode_days: Option<i64>,
    /// When the household was placed on the lists.
    pub placed_on: NaiveDate,
    /// The final tie-breaker.
    pub household: HouseholdId,
}

impl RankInputs {
    /// The value of one ordering key, for explanations.
    pub fn value_of(&self, key: OrderKey) -> String {
        let opt = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
        match key {
            OrderKey::Chronic => if self.chronic { "yes" } else { "no" }.to_owned(),
            OrderKey::Cpd1611Tier => format!("tier {}", self.cpd_16_11_tier),
            OrderKey::Score => opt(self.score.map(|s| s.to_string())),
            OrderKey::MonthsHomeless => self
                .months_homeless
                .and_then(MonthsHomeless::from_months)
                .map_or_else(|| "-".to_owned(), MonthsHomeless::count_text),
            OrderKey::EpisodeLength => opt(self.episode_days.map(|d| d.to_string())),
            OrderKey::PlacedDate => self.placed_on.to_string(),
        }
    }
}

/// Compares two households by one key: `Less` means `a` ranks higher.
pub fn compare_key(key: OrderKey, a: &RankInputs, b: &RankInputs) -> Ordering {
    match key {
        OrderKey::Chronic => b.chronic.cmp(&a.chronic),
        OrderKey::Cpd1611Tier => a.cpd_16_11_tier.cmp(&b.cpd_16_11_tier),
        OrderKey::Score => b.score.cmp(&a.score),
        OrderKey::MonthsHomeless => b.months_homeless.cmp(&a.months_homeless),
        OrderKey::EpisodeLength => b.episode_days.cmp(&a.episode_days),
        OrderKey::PlacedDate => a.placed_on.cmp(&b.placed_on),
    }
}

/// Total order of a list: the policy's keys, then the household id.
pub fn compare(order: &[OrderKey], a: &RankInputs, b: &RankInputs) -> Ordering {
    for key in order {
        let o = compare_key(*key, a, b);
        if o.is_ne() {
            return o;
        }
    }
    // The household id's order (its bytes, big-endian), compared as one
    // integer rather than byte by byte: `compare` runs inside every sort of
    // a list or of a referral's candidates.
    a.household
        .as_uuid()
        .as_u128()
        .cmp(&b.household.as_uuid().as_u128())
}

/// Appends bytes that compare as [`compare`] does: the policy keys, each
/// fixed-width so that comparing the bytes compares key by key ("higher
/// first" keys inverted; `None` after every value, as in [`compare_key`]),
/// then the household id's bytes. The sled store's list rows and the
/// caseload's rank index are keyed so.
pub fn rank_key(order: &[OrderKey], inputs: &RankInputs, out: &mut Vec<u8>) {
    fn descending_option(out: &mut Vec<u8>, value: Option<u64>) {
        match value {
            Some(v) => {
                out.push(0);
                out.extend_from_slice(&(!v).to_be_bytes());
            }
            None => out.extend_from_slice(&[1; 9]),
        }
    }
    for key in order {
        match key {
            OrderKey::Chronic => out.push(u8::from(!inputs.chronic)),
            OrderKey::Cpd1611Tier => out.push(inputs.cpd_16_11_tier),
            OrderKey::Score => descending_option(out, inputs.score.map(u64::from)),
            OrderKey::MonthsHomeless => {
                descending_option(out, inputs.months_homeless.map(u64::from))
            }
            OrderKey::EpisodeLength => descending_option(
                out,
                // i64 to u64 keeping the order: flip the sign bit.
                inputs
                    .episode_days
                    .map(|d| u64::from_be_bytes(d.to_be_bytes()) ^ (1 << 63)),
            ),
            OrderKey::PlacedDate => {
                let days = chrono::Datelike::num_days_from_ce(&inputs.placed_on);
                out.extend_from_slice(
                    &(u32::from_be_bytes(days.to_be_bytes()) ^ (1 << 31)).to_be_bytes(),
                );
            }
        }
    }
    out.extend_from_slice(inputs.household.as_uuid().as_bytes());
}

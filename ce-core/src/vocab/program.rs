//! Program openings: what a provider posts and who it can serve.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::hud::CeEventType;

/// The kind of program an opening is in, one-to-one with the HUD 4.20
/// referral event it is referred as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ProgramType {
    /// Emergency shelter bed (event 10).
    Es,
    /// Transitional housing (event 11).
    Th,
    /// Joint TH-RRH (event 12).
    JointThRrh,
    /// Rapid re-housing (event 13).
    Rrh,
    /// Permanent supportive housing (event 14).
    Psh,
    /// Other permanent housing (event 15).
    OtherPh,
    /// Emergency Housing Voucher (event 17).
    Ehv,
    /// Housing Stability Voucher (event 18).
    Hsv,
}

impl ProgramType {
    /// Every program type.
    pub const ALL: &'static [ProgramType] = &[
        ProgramType::Es,
        ProgramType::Th,
        ProgramType::JointThRrh,
        ProgramType::Rrh,
        ProgramType::Psh,
        ProgramType::OtherPh,
        ProgramType::Ehv,
        ProgramType::Hsv,
    ];

    /// The HUD 4.20 event a referral to this program is recorded as.
    pub fn referral_event(self) -> CeEventType {
        match self {
            ProgramType::Es => CeEventType::ReferralToEmergencyShelterBed,
            ProgramType::Th => CeEventType::ReferralToTransitionalHousing,
            ProgramType::JointThRrh => CeEventType::ReferralToJointThRrh,
            ProgramType::Rrh => CeEventType::ReferralToRapidReHousing,
            ProgramType::Psh => CeEventType::ReferralToPermanentSupportiveHousing,
            ProgramType::OtherPh => CeEventType::ReferralToOtherPermanentHousing,
            ProgramType::Ehv => CeEventType::ReferralToEmergencyHousingVoucher,
            ProgramType::Hsv => CeEventType::ReferralToHousingStabilityVoucher,
        }
    }

    /// The name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ProgramType::Es => "es",
            ProgramType::Th => "th",
            ProgramType::JointThRrh => "joint-th-rrh",
            ProgramType::Rrh => "rrh",
            ProgramType::Psh => "psh",
            ProgramType::OtherPh => "other-ph",
            ProgramType::Ehv => "ehv",
            ProgramType::Hsv => "hsv",
        }
    }
}

impl ProgramType {
    /// The program type in words, as HUD's project types name it.
    pub fn label(self) -> &'static str {
        match self {
            ProgramType::Es => "Emergency Shelter",
            ProgramType::Th => "Transitional Housing",
            ProgramType::JointThRrh => "Joint TH and PH-RRH",
            ProgramType::Rrh => "PH - Rapid Re-Housing",
            ProgramType::Psh => "PH - Permanent Supportive Housing",
            ProgramType::OtherPh => "Other permanent housing",
            ProgramType::Ehv => "Emergency Housing Voucher",
            ProgramType::Hsv => "Housing Stability Voucher",
        }
    }
}

impl fmt::Display for ProgramType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A program type name that is not one of [`ProgramType::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown program type {0:?}: expected es, th, joint-th-rrh, rrh, psh, other-ph, ehv or hsv"
)]
pub struct UnknownProgramType(pub String);

impl std::str::FromStr for ProgramType {
    type Err = UnknownProgramType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProgramType::ALL
            .iter()
            .copied()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownProgramType(s.to_owned()))
    }
}

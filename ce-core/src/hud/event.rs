//! 4.20 Coordinated Entry event.

hud_codes! {
    /// 4.20: the kind of Coordinated Entry event (access or referral).
    CeEventType, "4.20 Event" {
        ReferralToPreventionAssistance = 1 => "Referral to Prevention Assistance project",
        ProblemSolvingDiversion = 2 =>
            "Problem Solving/Diversion/Rapid Resolution intervention or service",
        ReferralToCrisisNeedsAssessment = 3 =>
            "Referral to scheduled Coordinated Entry Crisis Needs Assessment",
        ReferralToHousingNeedsAssessment = 4 =>
            "Referral to scheduled Coordinated Entry Housing Needs Assessment",
        ReferralToPostPlacementCaseManagement = 5 =>
            "Referral to post-placement/follow-up case management",
        ReferralToStreetOutreach = 6 => "Referral to Street Outreach project or services",
        ReferralToHousingNavigation = 7 => "Referral to Housing Navigation project or services",
        ReferralToNonContinuumIneligible = 8 =>
            "Referral to Non-continuum services: Ineligible for continuum services",
        ReferralToNonContinuumNoAvailability = 9 =>
            "Referral to Non-continuum services: No availability in continuum services",
        ReferralToEmergencyShelterBed = 10 => "Referral to Emergency Shelter bed opening",
        ReferralToTransitionalHousing = 11 => "Referral to Transitional Housing bed/unit opening",
        ReferralToJointThRrh = 12 => "Referral to Joint TH-RRH project/unit/resource opening",
        ReferralToRapidReHousing = 13 => "Referral to RRH project resource opening",
        ReferralToPermanentSupportiveHousing = 14 => "Referral to PSH project resource opening",
        ReferralToOtherPermanentHousing = 15 =>
            "Referral to Other PH project/unit/resource opening",
        ReferralToEmergencyAssistance = 16 =>
            "Referral to emergency assistance/flex fund/furniture assistance",
        ReferralToEmergencyHousingVoucher = 17 => "Referral to Emergency Housing Voucher (EHV)",
        ReferralToHousingStabilityVoucher = 18 => "Referral to a Housing Stability Voucher",
    }
}

hud_codes! {
    /// 4.20: the outcome of a referral event.
    ReferralResult, "4.20 ReferralResult" {
        SuccessfulClientAccepted = 1 => "Successful referral: client accepted",
        UnsuccessfulClientRejected = 2 => "Unsuccessful referral: client rejected",
        UnsuccessfulProviderRejected = 3 => "Unsuccessful referral: provider rejected",
    }
}

impl CeEventType {
    /// Whether this is an access event (codes 1–4).
    pub const fn is_access_event(self) -> bool {
        matches!(self.code(), 1..=4)
    }

    /// Whether the event records the location (project) of the referral (codes 10–15).
    pub const fn records_location(self) -> bool {
        matches!(self.code(), 10..=15)
    }

    /// Whether the event carries a referral result and its date (codes 10–15, 17, 18).
    pub const fn carries_referral_result(self) -> bool {
        matches!(self.code(), 10..=15 | 17 | 18)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hud::testing::check_codes;

    #[test]
    fn codes() {
        let all: Vec<u16> = (1..=18).collect();
        check_codes(CeEventType::ALL, &all, "4.20 Event", &[0, 19, 99]);
        check_codes(
            ReferralResult::ALL,
            &[1, 2, 3],
            "4.20 ReferralResult",
            &[0, 4, 99],
        );
    }

    #[test]
    fn predicates() {
        let codes = |f: fn(CeEventType) -> bool| -> Vec<u16> {
            CeEventType::ALL
                .iter()
                .filter(|&&e| f(e))
                .map(|e| e.code())
                .collect()
        };
        assert_eq!(codes(CeEventType::is_access_event), [1, 2, 3, 4]);
        assert_eq!(
            codes(CeEventType::records_location),
            [10, 11, 12, 13, 14, 15]
        );
        assert_eq!(
            codes(CeEventType::carries_referral_result),
            [10, 11, 12, 13, 14, 15, 17, 18]
        );
    }
}

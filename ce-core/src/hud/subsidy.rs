//! Rental subsidy type, required with living situation 435.

hud_codes! {
    /// The ongoing subsidy of a rental with subsidy (living situation 435).
    RentalSubsidyType, "RentalSubsidyType" {
        GpdTip = 428 => "GPD TIP housing subsidy",
        Vash = 419 => "VASH housing subsidy",
        RrhOrEquivalent = 431 => "RRH or equivalent subsidy",
        HousingChoiceVoucher = 433 => "HCV voucher (tenant or project based) (not dedicated)",
        PublicHousing = 434 => "Public housing unit",
        OtherOngoing = 420 => "Rental by client, with other ongoing housing subsidy",
        HousingStabilityVoucher = 436 => "Housing Stability Voucher",
        FamilyUnificationProgram = 437 => "Family Unification Program Voucher (FUP)",
        FosterYouthToIndependence = 438 => "Foster Youth to Independence Initiative (FYI)",
        PermanentSupportiveHousing = 439 => "Permanent Supportive Housing",
        OtherPermanentHousingFormerlyHomeless = 440 =>
            "Other permanent housing dedicated for formerly homeless persons",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hud::testing::check_codes;

    #[test]
    fn codes() {
        check_codes(
            RentalSubsidyType::ALL,
            &[428, 419, 431, 433, 434, 420, 436, 437, 438, 439, 440],
            "RentalSubsidyType",
            &[0, 99, 418, 421, 430, 432, 435, 441],
        );
    }
}

//! 4.19 Coordinated Entry assessment.

hud_codes! {
    /// 4.19: how the assessment was conducted.
    AssessmentType, "4.19 AssessmentType" {
        Phone = 1 => "Phone",
        Virtual = 2 => "Virtual",
        InPerson = 3 => "In person",
    }
}

hud_codes! {
    /// 4.19: the level of the assessment.
    AssessmentLevel, "4.19 AssessmentLevel" {
        CrisisNeedsAssessment = 1 => "Crisis needs assessment",
        HousingNeedsAssessment = 2 => "Housing needs assessment",
    }
}

hud_codes! {
    /// 4.19: whether the assessment placed the household on the prioritization list.
    PrioritizationStatus, "4.19 PrioritizationStatus" {
        PlacedOnPrioritizationList = 1 => "Placed on prioritization list",
        NotPlacedOnPrioritizationList = 2 => "Not placed on prioritization list",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hud::testing::check_codes;

    #[test]
    fn codes() {
        check_codes(
            AssessmentType::ALL,
            &[1, 2, 3],
            "4.19 AssessmentType",
            &[0, 4, 99],
        );
        check_codes(
            AssessmentLevel::ALL,
            &[1, 2],
            "4.19 AssessmentLevel",
            &[0, 3, 99],
        );
        check_codes(
            PrioritizationStatus::ALL,
            &[1, 2],
            "4.19 PrioritizationStatus",
            &[0, 3, 99],
        );
    }
}

//! 3.15 Relationship to head of household.

hud_codes! {
    /// 3.15: how a household member is related to the head of household.
    RelationshipToHoH, "3.15 RelationshipToHoH" {
        SelfHeadOfHousehold = 1 => "Self (head of household)",
        Child = 2 => "Head of household's child",
        SpouseOrPartner = 3 => "Head of household's spouse or partner",
        OtherRelative = 4 => "Head of household's other relation member",
        UnrelatedMember = 5 => "Other: non-relation member",
        DataNotCollected = 99 => "Data not collected",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hud::testing::check_codes;

    #[test]
    fn codes() {
        check_codes(
            RelationshipToHoH::ALL,
            &[1, 2, 3, 4, 5, 99],
            "3.15 RelationshipToHoH",
            &[0, 6, 8, 9, 98, 100],
        );
    }

    #[test]
    fn display() {
        assert_eq!(
            RelationshipToHoH::SelfHeadOfHousehold.to_string(),
            "1 Self (head of household)"
        );
    }
}

//! Generic yes/no response lists shared by several data elements.

hud_codes! {
    /// Yes/no with HUD's reasons for a missing answer (3.07, 3.08 and others).
    NoYesReasons, "NoYesReasons" {
        No = 0 => "No",
        Yes = 1 => "Yes",
        ClientDoesntKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

hud_codes! {
    /// Yes/no where the only missing reason is "data not collected".
    NoYesMissing, "NoYesMissing" {
        No = 0 => "No",
        Yes = 1 => "Yes",
        DataNotCollected = 99 => "Data not collected",
    }
}

impl NoYesReasons {
    /// Whether the answer is an explicit yes.
    pub fn is_yes(self) -> bool {
        self == Self::Yes
    }
}

impl NoYesMissing {
    /// Whether the answer is an explicit yes.
    pub fn is_yes(self) -> bool {
        self == Self::Yes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hud::testing::check_codes;

    #[test]
    fn codes() {
        check_codes(
            NoYesReasons::ALL,
            &[0, 1, 8, 9, 99],
            "NoYesReasons",
            &[2, 7, 10, 98, 100],
        );
        check_codes(
            NoYesMissing::ALL,
            &[0, 1, 99],
            "NoYesMissing",
            &[2, 8, 9, 98],
        );
    }

    #[test]
    fn is_yes() {
        let yes: Vec<_> = NoYesReasons::ALL.iter().filter(|v| v.is_yes()).collect();
        assert_eq!(yes, [&NoYesReasons::Yes]);
        let yes: Vec<_> = NoYesMissing::ALL.iter().filter(|v| v.is_yes()).collect();
        assert_eq!(yes, [&NoYesMissing::Yes]);
    }
}

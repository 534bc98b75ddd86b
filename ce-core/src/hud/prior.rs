//! 3.917 Prior living situation: times and months homeless in the past three years.

hud_codes! {
    /// 3.917: times homeless (street, ES or safe haven) in the past three years.
    TimesHomeless, "3.917 TimesHomelessPastThreeYears" {
        OneTime = 1 => "One time",
        TwoTimes = 2 => "Two times",
        ThreeTimes = 3 => "Three times",
        FourOrMoreTimes = 4 => "Four or more times",
        ClientDoesntKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

hud_codes! {
    /// 3.917.2: how long the client stayed in the prior living situation.
    LengthOfStay, "3.917.2 LengthOfStay" {
        OneNightOrLess = 10 => "One night or less",
        TwoToSixNights = 11 => "Two to six nights",
        OneWeekToOneMonth = 2 => "One week or more, but less than one month",
        OneMonthToNinetyDays = 3 => "One month or more, but less than 90 days",
        NinetyDaysToOneYear = 4 => "90 days or more but less than one year",
        OneYearOrLonger = 5 => "One year or longer",
        ClientDoesntKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

hud_codes! {
    /// 3.917: total months homeless in the past three years (codes 101..=113).
    MonthsHomeless, "3.917 MonthsHomelessPastThreeYears" {
        OneMonth = 101 => "1 month (this time is the first month)",
        TwoMonths = 102 => "2 months",
        ThreeMonths = 103 => "3 months",
        FourMonths = 104 => "4 months",
        FiveMonths = 105 => "5 months",
        SixMonths = 106 => "6 months",
        SevenMonths = 107 => "7 months",
        EightMonths = 108 => "8 months",
        NineMonths = 109 => "9 months",
        TenMonths = 110 => "10 months",
        ElevenMonths = 111 => "11 months",
        TwelveMonths = 112 => "12 months",
        MoreThanTwelveMonths = 113 => "More than 12 months",
        ClientDoesntKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

impl MonthsHomeless {
    /// The month count: 1..=12, 13 for more than twelve, `None` when not answered.
    pub fn months(self) -> Option<u8> {
        match self.code() {
            code @ 101..=113 => u8::try_from(code - 100).ok(),
            _ => None,
        }
    }

    /// For a table column: the months, "more than 12", or "-" when not
    /// answered (8, 9, 99).
    pub fn count_text(self) -> String {
        match self.months() {
            Some(13) => "more than 12".to_owned(),
            Some(m) => m.to_string(),
            None => "-".to_owned(),
        }
    }

    /// The code for `n` months: `None` for 0, and 13 or more is more than twelve.
    pub fn from_months(n: u8) -> Option<Self> {
        match n {
            0 => None,
            1..=12 => Self::try_from(100 + u16::from(n)).ok(),
            _ => Some(Self::MoreThanTwelveMonths),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hud::testing::check_codes;

    #[test]
    fn codes() {
        check_codes(
            TimesHomeless::ALL,
            &[1, 2, 3, 4, 8, 9, 99],
            "3.917 TimesHomelessPastThreeYears",
            &[0, 5, 7, 10, 98, 100],
        );
        let mut months: Vec<u16> = (101..=113).collect();
        months.extend([8, 9, 99]);
        check_codes(
            MonthsHomeless::ALL,
            &months,
            "3.917 MonthsHomelessPastThreeYears",
            &[0, 1, 12, 13, 100, 114, 98],
        );
    }

    #[test]
    fn months() {
        for n in 1..=12u8 {
            let m = MonthsHomeless::from_months(n);
            assert_eq!(m.and_then(MonthsHomeless::months), Some(n));
            assert_eq!(m.map(MonthsHomeless::code), Some(100 + u16::from(n)));
        }
        assert_eq!(MonthsHomeless::from_months(0), None);
        for n in [13, 36, u8::MAX] {
            assert_eq!(
                MonthsHomeless::from_months(n),
                Some(MonthsHomeless::MoreThanTwelveMonths)
            );
        }
        assert_eq!(MonthsHomeless::MoreThanTwelveMonths.months(), Some(13));
        assert_eq!(MonthsHomeless::TwelveMonths.months(), Some(12));
        for m in [
            MonthsHomeless::ClientDoesntKnow,
            MonthsHomeless::ClientPrefersNotToAnswer,
            MonthsHomeless::DataNotCollected,
        ] {
            assert_eq!(m.months(), None);
        }
    }
}

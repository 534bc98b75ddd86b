//! Living situation codes (3.917 prior, 4.12 current, 3.12 destination).

use super::InvalidCode;

hud_codes! {
    /// A HUD living situation; which codes a data element accepts varies by column.
    LivingSituation, "LivingSituation" {
        PlaceNotMeantForHabitation = 116 => "Place not meant for habitation",
        EmergencyShelter = 101 =>
            "Emergency shelter, including hotel or motel paid for with emergency shelter voucher",
        SafeHaven = 118 => "Safe Haven",
        FosterCareOrGroupHome = 215 => "Foster care home or foster care group home",
        HospitalNonPsychiatric = 206 =>
            "Hospital or other residential non-psychiatric medical facility",
        JailPrisonOrJuvenileDetention = 207 => "Jail, prison, or juvenile detention facility",
        LongTermCareOrNursingHome = 225 => "Long-term care facility or nursing home",
        PsychiatricFacility = 204 => "Psychiatric hospital or other psychiatric facility",
        SubstanceUseTreatment = 205 => "Substance abuse treatment facility or detox center",
        TransitionalHousing = 302 =>
            "Transitional housing for homeless persons (including homeless youth)",
        ResidentialProjectOrHalfwayHouse = 329 =>
            "Residential project or halfway house with no homeless criteria",
        HotelOrMotelWithoutVoucher = 314 =>
            "Hotel or motel paid for without emergency shelter voucher",
        HostHome = 332 => "Host Home (non-crisis)",
        StayingWithFamily = 335 =>
            "Staying or living in a family member's room, apartment, or house",
        StayingWithFriends = 336 => "Staying or living in a friend's room, apartment, or house",
        StayingWithFamilyTemporaryTenure = 312 =>
            "Staying or living with family, temporary tenure (e.g. room, apartment, or house)",
        StayingWithFriendsTemporaryTenure = 313 =>
            "Staying or living with friends, temporary tenure (e.g. room, apartment, or house)",
        MovedToHopwaTh = 327 => "Moved from one HOPWA funded project to HOPWA TH",
        MovedToHopwaPh = 426 => "Moved from one HOPWA funded project to HOPWA PH",
        RentalNoSubsidy = 410 => "Rental by client, no ongoing housing subsidy",
        OwnedNoSubsidy = 411 => "Owned by client, no ongoing housing subsidy",
        OwnedWithSubsidy = 421 => "Owned by client, with ongoing housing subsidy",
        RentalWithSubsidy = 435 => "Rental by client, with ongoing housing subsidy",
        StayingWithFamilyPermanentTenure = 422 =>
            "Staying or living with family, permanent tenure",
        StayingWithFriendsPermanentTenure = 423 =>
            "Staying or living with friends, permanent tenure",
        Other = 17 => "Other",
        WorkerUnableToDetermine = 37 => "Worker unable to determine",
        Deceased = 24 => "Deceased",
        NoExitInterviewCompleted = 30 => "No exit interview completed",
        ClientDoesntKnow = 8 => "Client doesn't know",
        ClientPrefersNotToAnswer = 9 => "Client prefers not to answer",
        DataNotCollected = 99 => "Data not collected",
    }
}

impl LivingSituation {
    /// Whether the code is in the homeless range (100s).
    pub const fn is_homeless(self) -> bool {
        matches!(self.code(), 100..=199)
    }

    /// Whether the code is in the institutional range (200s).
    pub const fn is_institutional(self) -> bool {
        matches!(self.code(), 200..=299)
    }

    /// Whether the code is in the temporary range (300s).
    pub const fn is_temporary(self) -> bool {
        matches!(self.code(), 300..=399)
    }

    /// Whether the code is in the permanent range (400s).
    pub const fn is_permanent(self) -> bool {
        matches!(self.code(), 400..=499)
    }

    /// Whether this is the street, an emergency shelter or a safe haven.
    pub const fn is_literally_homeless(self) -> bool {
        matches!(
            self,
            Self::PlaceNotMeantForHabitation | Self::EmergencyShelter | Self::SafeHaven
        )
    }

    /// Whether the code is accepted as a 3.917 prior living situation.
    pub const fn valid_as_prior(self) -> bool {
        !matches!(
            self.code(),
            312 | 313 | 327 | 426 | 422 | 423 | 17 | 37 | 24 | 30
        )
    }

    /// Whether the code is accepted as a 4.12 current living situation.
    pub const fn valid_as_current(self) -> bool {
        !matches!(self.code(), 312 | 313 | 327 | 426 | 422 | 423 | 24 | 30)
    }

    /// Whether the code is accepted as a 3.12 destination.
    pub const fn valid_as_destination(self) -> bool {
        !matches!(self.code(), 335 | 336 | 37)
    }
}

/// Defines a newtype over [`LivingSituation`] accepting only one column's codes.
macro_rules! situation_column {
    ($(#[$meta:meta])* $name:ident, $field:literal, $valid:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(try_from = "u16", into = "u16")]
        pub struct $name(LivingSituation);

        impl $name {
            /// The underlying living situation.
            pub const fn situation(self) -> LivingSituation {
                self.0
            }

            /// HUD's integer code.
            pub const fn code(self) -> u16 {
                self.0.code()
            }
        }

        impl TryFrom<LivingSituation> for $name {
            type Error = InvalidCode;

            fn try_from(situation: LivingSituation) -> Result<Self, Self::Error> {
                if situation.$valid() {
                    Ok(Self(situation))
                } else {
                    Err(InvalidCode { field: $field, code: situation.code() })
                }
            }
        }

        impl TryFrom<u16> for $name {
            type Error = InvalidCode;

            fn try_from(code: u16) -> Result<Self, Self::Error> {
                LivingSituation::try_from(code)
                    .map_err(|_| InvalidCode { field: $field, code })
                    .and_then(Self::try_from)
            }
        }

        impl From<$name> for u16 {
            fn from(value: $name) -> u16 {
                value.code()
            }
        }

        impl From<$name> for LivingSituation {
            fn from(value: $name) -> LivingSituation {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

/// One associated constant per code the column accepts, named after the
/// [`LivingSituation`] variant, so that every code of a column is spelled
/// the same way (`Destination::RENTAL_WITH_SUBSIDY`). Each constant is
/// checked at compile time to be valid for its column.
macro_rules! column_codes {
    ($name:ident, $valid:ident: $($const:ident = $variant:ident),+ $(,)?) => {
        impl $name {
            /// Every code the column accepts, in HUD's listing order.
            pub const ALL: &'static [Self] = &[$(Self::$const),+];
        }

        // Evaluates every constant at build time, so that the `assert!` in
        // each one refuses a code the column does not accept in any build,
        // not only in one that uses the constant.
        const _: &[$name] = $name::ALL;

        impl $name {

            $(
                #[doc = concat!("`LivingSituation::", stringify!($variant), "`.")]
                pub const $const: Self = {
                    assert!(LivingSituation::$variant.$valid());
                    Self(LivingSituation::$variant)
                };
            )+
        }
    };
}

situation_column! {
    /// 3.917: the living situation at project start.
    PriorSituation, "3.917 LivingSituation", valid_as_prior
}

situation_column! {
    /// 4.12: the current living situation at a contact.
    CurrentSituation, "4.12 CurrentLivingSituation", valid_as_current
}

situation_column! {
    /// 3.12: the destination at project exit.
    Destination, "3.12 Destination", valid_as_destination
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_a_column_accepts_has_its_constant() {
        for situation in LivingSituation::ALL {
            let code = situation.code();
            assert_eq!(
                PriorSituation::try_from(code).ok(),
                PriorSituation::ALL
                    .iter()
                    .copied()
                    .find(|s| s.code() == code),
                "3.917 {code}"
            );
            assert_eq!(
                CurrentSituation::try_from(code).ok(),
                CurrentSituation::ALL
                    .iter()
                    .copied()
                    .find(|s| s.code() == code),
                "4.12 {code}"
            );
            assert_eq!(
                Destination::try_from(code).ok(),
                Destination::ALL.iter().copied().find(|s| s.code() == code),
                "3.12 {code}"
            );
        }
    }
    use crate::hud::testing::check_codes;

    /// HUD's living situation table: code, and whether it is a valid
    /// prior, current and destination response.
    const TABLE: &[(u16, bool, bool, bool)] = &[
        (116, true, true, true),
        (101, true, true, true),
        (118, true, true, true),
        (215, true, true, true),
        (206, true, true, true),
        (207, true, true, true),
        (225, true, true, true),
        (204, true, true, true),
        (205, true, true, true),
        (302, true, true, true),
        (329, true, true, true),
        (314, true, true, true),
        (332, true, true, true),
        (335, true, true, false),
        (336, true, true, false),
        (312, false, false, true),
        (313, false, false, true),
        (327, false, false, true),
        (426, false, false, true),
        (410, true, true, true),
        (411, true, true, true),
        (421, true, true, true),
        (435, true, true, true),
        (422, false, false, true),
        (423, false, false, true),
        (17, false, true, true),
        (37, false, true, false),
        (24, false, false, true),
        (30, false, false, true),
        (8, true, true, true),
        (9, true, true, true),
        (99, true, true, true),
    ];

    const NOT_CODES: &[u16] = &[0, 1, 100, 117, 200, 300, 400, 420, 436, 999];

    #[test]
    fn codes() {
        let codes: Vec<u16> = TABLE.iter().map(|row| row.0).collect();
        check_codes(LivingSituation::ALL, &codes, "LivingSituation", NOT_CODES);
    }

    #[test]
    fn columns() {
        for &(code, prior, current, dest) in TABLE {
            let s = LivingSituation::try_from(code).unwrap();
            assert_eq!(s.valid_as_prior(), prior, "{s}");
            assert_eq!(s.valid_as_current(), current, "{s}");
            assert_eq!(s.valid_as_destination(), dest, "{s}");
            assert_eq!(PriorSituation::try_from(code).is_ok(), prior, "{s}");
            assert_eq!(CurrentSituation::try_from(code).is_ok(), current, "{s}");
            assert_eq!(Destination::try_from(code).is_ok(), dest, "{s}");
            assert_eq!(PriorSituation::try_from(s).is_ok(), prior, "{s}");
            assert_eq!(CurrentSituation::try_from(s).is_ok(), current, "{s}");
            assert_eq!(Destination::try_from(s).is_ok(), dest, "{s}");
        }
    }

    #[test]
    fn ranges() {
        for &s in LivingSituation::ALL {
            let flags = [
                s.is_homeless(),
                s.is_institutional(),
                s.is_temporary(),
                s.is_permanent(),
            ];
            assert!(flags.iter().filter(|&&f| f).count() <= 1, "{s}");
            assert_eq!(flags.contains(&true), s.code() >= 100, "{s}");
            assert_eq!(s.is_literally_homeless(), s.is_homeless(), "{s}");
        }
        assert!(LivingSituation::JailPrisonOrJuvenileDetention.is_institutional());
        assert!(LivingSituation::HostHome.is_temporary());
        assert!(LivingSituation::RentalWithSubsidy.is_permanent());
        assert!(!LivingSituation::Other.is_permanent());
    }

    #[test]
    fn rejections_name_the_field() {
        let err = CurrentSituation::try_from(24).unwrap_err();
        assert_eq!(err.field, "4.12 CurrentLivingSituation");
        assert_eq!(
            err.to_string(),
            "24 is not a valid code for 4.12 CurrentLivingSituation"
        );
        let err = PriorSituation::try_from(LivingSituation::StayingWithFamilyTemporaryTenure);
        assert_eq!(
            err,
            Err(InvalidCode {
                field: "3.917 LivingSituation",
                code: 312
            })
        );
        assert_eq!(
            Destination::try_from(335),
            Err(InvalidCode {
                field: "3.12 Destination",
                code: 335
            })
        );
        assert_eq!(
            Destination::try_from(117),
            Err(InvalidCode {
                field: "3.12 Destination",
                code: 117
            })
        );
        let de = serde_json::from_str::<CurrentSituation>("24").unwrap_err();
        assert!(
            de.to_string().contains("4.12 CurrentLivingSituation"),
            "{de}"
        );
    }

    #[test]
    fn serde_as_bare_integer() {
        for &(code, prior, current, dest) in TABLE {
            let json = code.to_string();
            let s: LivingSituation = serde_json::from_str(&json).unwrap();
            assert_eq!(serde_json::to_string(&s).unwrap(), json);
            if prior {
                let v: PriorSituation = serde_json::from_str(&json).unwrap();
                assert_eq!(
                    (v.situation(), serde_json::to_string(&v).unwrap()),
                    (s, json.clone())
                );
            }
            if current {
                let v: CurrentSituation = serde_json::from_str(&json).unwrap();
                assert_eq!(
                    (v.code(), serde_json::to_string(&v).unwrap()),
                    (code, json.clone())
                );
            }
            if dest {
                let v: Destination = serde_json::from_str(&json).unwrap();
                assert_eq!(u16::from(v), code);
                assert_eq!(v.to_string(), s.to_string());
                assert_eq!(serde_json::to_string(&v).unwrap(), json);
            }
        }
    }
}

column_codes!(PriorSituation, valid_as_prior:
    PLACE_NOT_MEANT_FOR_HABITATION = PlaceNotMeantForHabitation,
    EMERGENCY_SHELTER = EmergencyShelter,
    SAFE_HAVEN = SafeHaven,
    FOSTER_CARE_OR_GROUP_HOME = FosterCareOrGroupHome,
    HOSPITAL_NON_PSYCHIATRIC = HospitalNonPsychiatric,
    JAIL_PRISON_OR_JUVENILE_DETENTION = JailPrisonOrJuvenileDetention,
    LONG_TERM_CARE_OR_NURSING_HOME = LongTermCareOrNursingHome,
    PSYCHIATRIC_FACILITY = PsychiatricFacility,
    SUBSTANCE_USE_TREATMENT = SubstanceUseTreatment,
    TRANSITIONAL_HOUSING = TransitionalHousing,
    RESIDENTIAL_PROJECT_OR_HALFWAY_HOUSE = ResidentialProjectOrHalfwayHouse,
    HOTEL_OR_MOTEL_WITHOUT_VOUCHER = HotelOrMotelWithoutVoucher,
    HOST_HOME = HostHome,
    STAYING_WITH_FAMILY = StayingWithFamily,
    STAYING_WITH_FRIENDS = StayingWithFriends,
    RENTAL_NO_SUBSIDY = RentalNoSubsidy,
    OWNED_NO_SUBSIDY = OwnedNoSubsidy,
    OWNED_WITH_SUBSIDY = OwnedWithSubsidy,
    RENTAL_WITH_SUBSIDY = RentalWithSubsidy,
    CLIENT_DOESNT_KNOW = ClientDoesntKnow,
    CLIENT_PREFERS_NOT_TO_ANSWER = ClientPrefersNotToAnswer,
    DATA_NOT_COLLECTED = DataNotCollected,
);
column_codes!(CurrentSituation, valid_as_current:
    PLACE_NOT_MEANT_FOR_HABITATION = PlaceNotMeantForHabitation,
    EMERGENCY_SHELTER = EmergencyShelter,
    SAFE_HAVEN = SafeHaven,
    FOSTER_CARE_OR_GROUP_HOME = FosterCareOrGroupHome,
    HOSPITAL_NON_PSYCHIATRIC = HospitalNonPsychiatric,
    JAIL_PRISON_OR_JUVENILE_DETENTION = JailPrisonOrJuvenileDetention,
    LONG_TERM_CARE_OR_NURSING_HOME = LongTermCareOrNursingHome,
    PSYCHIATRIC_FACILITY = PsychiatricFacility,
    SUBSTANCE_USE_TREATMENT = SubstanceUseTreatment,
    TRANSITIONAL_HOUSING = TransitionalHousing,
    RESIDENTIAL_PROJECT_OR_HALFWAY_HOUSE = ResidentialProjectOrHalfwayHouse,
    HOTEL_OR_MOTEL_WITHOUT_VOUCHER = HotelOrMotelWithoutVoucher,
    HOST_HOME = HostHome,
    STAYING_WITH_FAMILY = StayingWithFamily,
    STAYING_WITH_FRIENDS = StayingWithFriends,
    RENTAL_NO_SUBSIDY = RentalNoSubsidy,
    OWNED_NO_SUBSIDY = OwnedNoSubsidy,
    OWNED_WITH_SUBSIDY = OwnedWithSubsidy,
    RENTAL_WITH_SUBSIDY = RentalWithSubsidy,
    OTHER = Other,
    WORKER_UNABLE_TO_DETERMINE = WorkerUnableToDetermine,
    CLIENT_DOESNT_KNOW = ClientDoesntKnow,
    CLIENT_PREFERS_NOT_TO_ANSWER = ClientPrefersNotToAnswer,
    DATA_NOT_COLLECTED = DataNotCollected,
);
column_codes!(Destination, valid_as_destination:
    PLACE_NOT_MEANT_FOR_HABITATION = PlaceNotMeantForHabitation,
    EMERGENCY_SHELTER = EmergencyShelter,
    SAFE_HAVEN = SafeHaven,
    FOSTER_CARE_OR_GROUP_HOME = FosterCareOrGroupHome,
    HOSPITAL_NON_PSYCHIATRIC = HospitalNonPsychiatric,
    JAIL_PRISON_OR_JUVENILE_DETENTION = JailPrisonOrJuvenileDetention,
    LONG_TERM_CARE_OR_NURSING_HOME = LongTermCareOrNursingHome,
    PSYCHIATRIC_FACILITY = PsychiatricFacility,
    SUBSTANCE_USE_TREATMENT = SubstanceUseTreatment,
    TRANSITIONAL_HOUSING = TransitionalHousing,
    RESIDENTIAL_PROJECT_OR_HALFWAY_HOUSE = ResidentialProjectOrHalfwayHouse,
    HOTEL_OR_MOTEL_WITHOUT_VOUCHER = HotelOrMotelWithoutVoucher,
    HOST_HOME = HostHome,
    STAYING_WITH_FAMILY_TEMPORARY_TENURE = StayingWithFamilyTemporaryTenure,
    STAYING_WITH_FRIENDS_TEMPORARY_TENURE = StayingWithFriendsTemporaryTenure,
    MOVED_TO_HOPWA_TH = MovedToHopwaTh,
    MOVED_TO_HOPWA_PH = MovedToHopwaPh,
    RENTAL_NO_SUBSIDY = RentalNoSubsidy,
    OWNED_NO_SUBSIDY = OwnedNoSubsidy,
    OWNED_WITH_SUBSIDY = OwnedWithSubsidy,
    RENTAL_WITH_SUBSIDY = RentalWithSubsidy,
    STAYING_WITH_FAMILY_PERMANENT_TENURE = StayingWithFamilyPermanentTenure,
    STAYING_WITH_FRIENDS_PERMANENT_TENURE = StayingWithFriendsPermanentTenure,
    OTHER = Other,
    DECEASED = Deceased,
    NO_EXIT_INTERVIEW_COMPLETED = NoExitInterviewCompleted,
    CLIENT_DOESNT_KNOW = ClientDoesntKnow,
    CLIENT_PREFERS_NOT_TO_ANSWER = ClientPrefersNotToAnswer,
    DATA_NOT_COLLECTED = DataNotCollected,
);

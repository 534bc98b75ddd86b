//! HUD's code lists: each accepts exactly its codes, and every code
//! round-trips through JSON as HUD's integer.

use std::collections::BTreeSet;

use ce_core::hud::{
    AssessmentLevel, AssessmentType, CeEventType, CurrentSituation, Destination, LivingSituation,
    MonthsHomeless, NoYesMissing, NoYesReasons, PriorSituation, PrioritizationStatus,
    ReferralResult, RelationshipToHoH, RentalSubsidyType, TimesHomeless,
};
use ce_core::testing::proptest::prelude::*;
use ce_core::testing::proptest::sample::select;

use crate::run::{config, MEMORY_CASES};

/// Checks one code of a HUD code list: `TryFrom` accepts it exactly when
/// `ALL` lists it, and an accepted code round-trips through JSON as itself.
macro_rules! check_code_list {
    ($ty:ty, $code:expr) => {{
        let code: u16 = $code;
        let listed = <$ty>::ALL.iter().copied().find(|v| v.code() == code);
        check_code!($ty, code, listed);
    }};
}

/// The same for a living-situation column, whose valid codes are
/// `LivingSituation::ALL` filtered by `$valid`.
macro_rules! check_column {
    ($ty:ty, $code:expr, $valid:ident) => {{
        let code: u16 = $code;
        let listed = LivingSituation::try_from(code)
            .ok()
            .filter(|s| s.$valid())
            .and_then(|s| <$ty>::try_from(s).ok());
        check_code!($ty, code, listed);
    }};
}

macro_rules! check_code {
    ($ty:ty, $code:expr, $listed:expr) => {{
        let (code, listed): (u16, Option<$ty>) = ($code, $listed);
        let name = stringify!($ty);
        match <$ty>::try_from(code) {
            Ok(value) => {
                prop_assert_eq!(Some(value), listed, "{} accepts {}", name, code);
                let json = serde_json::to_string(&value).unwrap();
                prop_assert_eq!(&json, &code.to_string(), "{} as JSON", name);
                let back: $ty = serde_json::from_str(&json).unwrap();
                prop_assert_eq!(back, value, "{} back from JSON", name);
                prop_assert_eq!(u16::from(value), code);
            }
            Err(e) => {
                prop_assert!(listed.is_none(), "{} rejects listed code {}", name, code);
                prop_assert_eq!(e.code, code);
                let from_json = serde_json::from_str::<$ty>(&code.to_string());
                prop_assert!(from_json.is_err(), "{} decodes {} from JSON", name, code);
            }
        }
    }};
}

/// Every code any HUD list of ce knows.
fn hud_codes() -> Vec<u16> {
    let mut codes = BTreeSet::new();
    codes.extend(LivingSituation::ALL.iter().map(|v| v.code()));
    codes.extend(AssessmentType::ALL.iter().map(|v| v.code()));
    codes.extend(AssessmentLevel::ALL.iter().map(|v| v.code()));
    codes.extend(PrioritizationStatus::ALL.iter().map(|v| v.code()));
    codes.extend(CeEventType::ALL.iter().map(|v| v.code()));
    codes.extend(ReferralResult::ALL.iter().map(|v| v.code()));
    codes.extend(TimesHomeless::ALL.iter().map(|v| v.code()));
    codes.extend(MonthsHomeless::ALL.iter().map(|v| v.code()));
    codes.extend(RelationshipToHoH::ALL.iter().map(|v| v.code()));
    codes.extend(NoYesReasons::ALL.iter().map(|v| v.code()));
    codes.extend(NoYesMissing::ALL.iter().map(|v| v.code()));
    codes.extend(RentalSubsidyType::ALL.iter().map(|v| v.code()));
    codes.into_iter().collect()
}

proptest! {
    #![proptest_config(config(MEMORY_CASES * 10))]

    /// Every HUD code list accepts exactly its codes, and
    /// each code round-trips through JSON as HUD's integer.
    #[test]
    fn every_hud_code_round_trips_through_json(
        code in prop_oneof![3 => select(hud_codes()), 1 => 0u16..=1_000, 1 => any::<u16>()],
    ) {
        check_code_list!(LivingSituation, code);
        check_column!(PriorSituation, code, valid_as_prior);
        check_column!(CurrentSituation, code, valid_as_current);
        check_column!(Destination, code, valid_as_destination);
        check_code_list!(AssessmentType, code);
        check_code_list!(AssessmentLevel, code);
        check_code_list!(PrioritizationStatus, code);
        check_code_list!(CeEventType, code);
        check_code_list!(ReferralResult, code);
        check_code_list!(TimesHomeless, code);
        check_code_list!(MonthsHomeless, code);
        check_code_list!(RelationshipToHoH, code);
        check_code_list!(NoYesReasons, code);
        check_code_list!(NoYesMissing, code);
        check_code_list!(RentalSubsidyType, code);
    }
}

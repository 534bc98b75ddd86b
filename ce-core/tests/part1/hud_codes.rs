//! HUD codes are checked for their field: a code valid in one HUD
//! column is rejected in another.

use ce_core::hud::{CurrentSituation, Destination, InvalidCode, PriorSituation, RelationshipToHoH};
use ce_core::{Rejection, *};

#[test]
fn a_destination_only_code_is_not_a_current_living_situation() {
    let invalid = CurrentSituation::try_from(24).unwrap_err();
    assert_eq!(
        invalid,
        InvalidCode {
            field: "4.12 CurrentLivingSituation",
            code: 24
        }
    );
    let error = Error::from(invalid);
    assert!(
        matches!(
            &error,
            Error::Rejected(Rejection::InvalidCode(InvalidCode {
                field: "4.12 CurrentLivingSituation",
                code: 24
            }))
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("4.12 CurrentLivingSituation"),
        "{error}"
    );
}

#[test]
fn each_living_situation_column_accepts_only_its_own_codes() {
    // 37 "worker unable to determine" is current-only; 17 "other" is not prior.
    assert!(CurrentSituation::try_from(37).is_ok());
    assert_eq!(
        Destination::try_from(37),
        Err(InvalidCode {
            field: "3.12 Destination",
            code: 37
        })
    );
    assert_eq!(
        PriorSituation::try_from(17),
        Err(InvalidCode {
            field: "3.917 LivingSituation",
            code: 17
        })
    );
    assert_eq!(
        RelationshipToHoH::try_from(6),
        Err(InvalidCode {
            field: "3.15 RelationshipToHoH",
            code: 6
        })
    );
}

#[test]
fn an_exit_command_with_destination_37_does_not_deserialize() {
    let exit_json = |destination: u16| {
        format!(
            r#"{{"command": "exit", "household": "{}", "date": "2025-03-01",
                "destination": {destination}, "reason": "Moved away"}}"#,
            uuid::Uuid::from_u128(7)
        )
    };
    let err = serde_json::from_str::<Command>(&exit_json(37)).unwrap_err();
    assert!(
        err.to_string()
            .contains("37 is not a valid code for 3.12 Destination"),
        "{err}"
    );
    // The same command with a destination code is fine.
    let ok = serde_json::from_str::<Command>(&exit_json(410)).unwrap();
    assert!(
        matches!(&ok, Command::Exit(e) if e.destination == Destination::RENTAL_NO_SUBSIDY),
        "{ok:?}"
    );
}

#[test]
fn a_follow_up_command_with_current_situation_24_does_not_deserialize() {
    let json = format!(
        r#"{{"command": "follow_up", "household": "{}", "date": "2025-03-01",
            "status": {{"residence": 116, "months_homeless": 103}},
            "current": {{"living_situation": 24}},
            "note": "Talked about housing."}}"#,
        uuid::Uuid::from_u128(7)
    );
    let err = serde_json::from_str::<Command>(&json).unwrap_err();
    assert!(
        err.to_string()
            .contains("24 is not a valid code for 4.12 CurrentLivingSituation"),
        "{err}"
    );
}

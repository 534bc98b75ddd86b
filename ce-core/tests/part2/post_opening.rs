//! PostOpening: an agency posts an opening that CE refers households to.

use ce_core::testing::Scenario;
use ce_core::*;

use crate::common::{coulee_opening, opening_of, posted};

#[test]
fn post_opening_records_opening_posted_and_the_opening_is_open() {
    let mut s = Scenario::new();
    s.when(coulee_opening(ProgramType::Psh, posted()))
        .then_expect_events(&[EventType::OpeningPosted]);

    let id = s.post(coulee_opening(ProgramType::Psh, posted()));

    let opening = opening_of(&s, id);
    assert_eq!(opening.status, OpeningStatus::Open);
    assert_eq!(opening.remaining(), 1);
    assert_eq!(opening.live_referral, None);
    assert_eq!(opening.agency, AgencyId("BoS CE".to_owned()));
    assert_eq!(opening.posted_on, posted());
}

//! Test helpers for ce and for tools that embed it (feature `testing`):
//! household fixtures and a given/when/then [`Scenario`] in the language of
//! the domain.
//!
//! ```
//! use ce_core::testing::{Scenario, HouseholdBuilder, date};
//! use ce_core::Rejection;
//!
//! let mut given = Scenario::new();
//! let household = given.enroll(HouseholdBuilder::single_adult("Coulee").placed_with_score(9));
//! given
//!     .when_follow_up_with_note(household, date(2025, 3, 1), "")
//!     .then_expect_error(|e| matches!(e, Rejection::EmptyNote));
//! ```

// A test helper's job is to fail the test: its panics are its assertions.
#![allow(clippy::panic)]

mod fixtures;
mod scenario;
mod strategies;

pub use fixtures::*;
pub use scenario::*;
pub use strategies::*;

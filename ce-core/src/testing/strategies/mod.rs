//! Proptest strategies (feature `testing`): households, assessments,
//! policies, and whole command sequences mixing valid and invalid commands.
//! An HMIS tool that embeds ce can reuse them to property-test its own rules
//! on top of ours (see `examples/property_testing.rs`).
//!
//! A sequence is a `Vec<Step>`: who acts, on which date, doing what. Steps
//! name earlier households, openings and referrals counting back from the
//! latest ([`Ref`]); [`Created`] resolves them when the step runs, so a
//! sequence stays meaningful whichever of its commands are rejected, and a
//! failure shrinks to a short list that reads like a case history (with
//! [`policy`] or [`policy_variation`], the policy prints as one line too):
//!
//! ```text
//! variation = WI BoS default policy, steps = [
//!     2025-01-06 provider Couleecap: post psh opening in Coulee for [adults-only, with-children, youth], 1 unit,
//!     2025-01-06 access: enroll household in Coulee: head 25 (client 1); prior 116, times 1, months 101,
//!     2025-01-06 access: assess household[latest]: score 8, placed,
//!     2025-01-06 lead: refer the top household to opening[latest],
//!     2025-01-05 (entered 2025-01-06) lead: withdraw opening[latest],
//! ]
//! ```
//!
//! Running a sequence on a workflow:
//!
//! ```
//! use ce_core::testing::proptest::prelude::*;
//! use ce_core::testing::proptest::test_runner::TestRunner;
//! use ce_core::testing::{policy, steps, Created};
//! use ce_core::{MemoryStore, Workflow};
//!
//! let mut runner = TestRunner::default();
//! runner
//!     .run(&(policy(), steps(1..=20)), |(policy, steps)| {
//!         let workflow = Workflow::new(MemoryStore::new(), policy.into()).unwrap();
//!         let mut created = Created::default();
//!         for (i, step) in steps.iter().enumerate() {
//!             // Rejections are expected: the sequence mixes in invalid commands.
//!             let _ = created.execute(&workflow, i, step);
//!         }
//!         prop_assert!(created.households.len() <= steps.len());
//!         Ok(())
//!     })
//!     .unwrap();
//! ```

/// The proptest this crate's strategies are built with, so that a crate
/// using them needs no proptest dependency of its own (and never a second,
/// incompatible version).
pub use proptest;

mod refs;
mod household;
mod assessment;
mod contact;
mod opening;
mod policy;
mod correction;
mod action;
mod step;
mod sequence;
mod run;

pub use action::Action;
pub use assessment::{assessment, assessment_spec, AssessmentSpec};
pub use contact::ContactSpec;
pub use correction::Correction;
pub use household::{
    chronic_household, enrollment, household, HouseholdSpec, MemberSpec, PriorSpec, CLIENT_POOL,
};
pub use opening::OpeningSpec;
pub use policy::{policy, policy_variation, GeneratedPolicy, PolicyVariation};
pub use refs::{
    Ref, Text, Who, ACCESS_AGENCY, COALITIONS, LEAD_AGENCY, PROVIDER_AGENCIES, UNKNOWN_COALITION,
};
pub use run::Created;
pub use sequence::{steps, steps_with, StepWeights, SEQUENCE_START};
pub use step::Step;

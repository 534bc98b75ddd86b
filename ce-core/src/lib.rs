#![doc = include_str!("../README.md")]

pub mod actor;
pub mod audit;
pub mod caseload;
pub mod command;
pub mod decide;
pub mod envelope;
pub mod error;
pub mod event;
pub mod household;
pub mod hud;
pub mod ids;
pub mod invariants;
pub mod memory;
pub mod opening;
pub mod policy;
pub mod priority;
pub mod report;
pub mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod workflow;

/// The date and time crate ce's dates and times come from, so that an
/// embedding tool uses the very version ce does.
pub use chrono;
/// The UUID crate ce's ids wrap.
pub use uuid;

/// A calendar date: every effective date of a command or event.
pub type Date = chrono::NaiveDate;
/// A moment in UTC: when a command was entered (`recorded_at`).
pub type Timestamp = chrono::DateTime<chrono::Utc>;

pub use actor::{Actor, AgencyId, Role, UserId};
pub use caseload::Caseload;
pub use command::*;
pub use decide::{decide, Decision, Outcome, Pending};
pub use envelope::{DecodeError, Envelope, NewEvent, StreamId, StreamVersion, Upcasters};
pub use error::{Error, NotReferableReason};
pub use event::{Event, EventType};
pub use household::{Coalition, Household, HouseholdStatus, HouseholdType, Member};
pub use ids::*;
pub use memory::MemoryStore;
pub use opening::{Opening, OpeningStatus, ProgramType, Referral, ReferralStatus};
pub use policy::Policy;
pub use priority::{ListHouseholdType, ListKey, PriorityList, RankInputs};
pub use report::PriorityListReport;
pub use store::{AppendRequest, EventStore, ExpectedVersion, StoreError};
pub use workflow::{Executed, Workflow};

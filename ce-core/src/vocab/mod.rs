//! The words every other module speaks: ids, actors, coalitions, program
//! types, household types and list keys. Uses nothing of ce but the HUD
//! codes.

mod actor;
mod coalition;
mod decline;
mod household_type;
mod ids;
mod list;
mod program;
mod words;

pub use actor::*;
pub use coalition::*;
pub use decline::*;
pub use household_type::*;
pub use ids::*;
pub use list::*;
pub use program::*;
pub(crate) use words::words;

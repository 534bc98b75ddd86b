//! The household stream: one CE enrollment, its facts, rules and state.

pub(crate) mod decide;
pub mod events;
mod model;
mod state;

pub use model::*;
pub use state::*;

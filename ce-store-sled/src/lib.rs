#![doc = include_str!("../README.md")]

mod backup;
mod error;
mod keys;
mod projections;
mod store;

pub use error::SledStoreError;
pub use store::{ProjectionRow, SledStore, FORMAT_VERSION_CURRENT};

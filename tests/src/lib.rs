//! The store conformance suite: one set of checks that every
//! [`EventStore`](ce_core::EventStore) must pass, run unchanged against the in-memory store and
//! the sled store (see `tests/conformance.rs`).

pub mod conformance;
pub mod sample;

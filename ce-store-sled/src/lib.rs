#![doc = include_str!("../README.md")]

mod backup;
mod error;
mod files;
mod keys;
mod projections;
mod store;
mod subject_keys;

pub use backup::{read_jsonl, write_jsonl, Checksum, MAX_LINE_BYTES};
pub use error::{BackendError, SledStoreError};
pub use files::create_private_dir;
pub use store::{ProjectionRow, SledStore, FORMAT_VERSION_CURRENT};
pub use subject_keys::KeyFiles;

//! The view log: who saw which household, in its own tree beside the log
//! (`views`), keyed by household then by sled's monotonic id, so that one
//! household's views are one prefix scan in the order they were recorded.
//! A view is JSON, ids only.

use ce_core::{HouseholdId, StoreError, View, ViewLog};

use super::SledStore;
use crate::error::backend;

/// The tree's name; not a projection, never rebuilt or dropped.
pub(crate) const VIEWS_TREE: &str = "views";

impl ViewLog for SledStore {
    fn record_views(&self, views: &[View]) -> Result<(), StoreError> {
        if views.is_empty() {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        for view in views {
            let mut key = view.household.as_uuid().as_bytes().to_vec();
            key.extend_from_slice(&self.db.generate_id().map_err(backend)?.to_be_bytes());
            let value = serde_json::to_vec(view).map_err(|e| StoreError::Backend(Box::new(e)))?;
            batch.insert(key, value);
        }
        self.views.apply_batch(batch).map_err(backend)?;
        self.db.flush().map_err(backend)?;
        Ok(())
    }

    fn views_of(&self, household: HouseholdId) -> Result<Vec<View>, StoreError> {
        let what = format!("a view of household {household}");
        decode(
            self.views.scan_prefix(household.as_uuid().as_bytes()),
            &what,
        )
    }

    /// Every view, by household and, within one, in the order recorded.
    fn all_views(&self) -> Result<Vec<View>, StoreError> {
        decode(self.views.iter(), "a view")
    }
}

/// The views of a scan of the tree (`what`: a view of what, for an error).
fn decode(rows: sled::Iter, what: &str) -> Result<Vec<View>, StoreError> {
    rows.map(|row| {
        let (_, value) = row.map_err(backend)?;
        serde_json::from_slice(&value).map_err(|e| StoreError::Corrupt {
            position: 0,
            detail: format!("{what} does not decode: {e}"),
        })
    })
    .collect()
}

//! The conformance suite, run unchanged against every store: in memory,
//! sled and PostgreSQL.

use ce_core::MemoryStore;
use ce_store_sled::SledStore;

fn sled() -> (tempfile::TempDir, SledStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path()).unwrap();
    (dir, store)
}

macro_rules! conformance {
    ($($check:ident),+ $(,)?) => {
        mod memory {
            $(#[test]
            fn $check() {
                ce_tests::conformance::$check(super::MemoryStore::new());
            })+
        }
        mod sled {
            $(#[test]
            fn $check() {
                let (_dir, store) = super::sled();
                ce_tests::conformance::$check(store);
            })+
        }
        mod postgres {
            $(#[test]
            fn $check() {
                if let Some(store) = ce_tests::postgres::store() {
                    ce_tests::conformance::$check(store);
                }
            })+
        }
    };
}

conformance!(
    append_and_read,
    expected_version_conflict,
    multi_stream_atomicity,
    global_order,
    idempotent_resend,
    unsynced_appends_are_appends,
    views_are_kept_per_household_beside_the_log,
    projections_equal_fresh_fold,
    list_report_equals_the_fold,
    list_report_follows_the_policy_given,
);

//! The PostgreSQL server the tests run against: `CE_TEST_POSTGRES_URL`
//! names it (`.ci/run` starts one; `scripts/postgres-dev start` gives a
//! developer the same). Without it a test says loudly that it was skipped,
//! except under `CI=true`, where a missing server is a failure.

use ce_core::audit::check_referral_ranks;
use ce_core::invariants::{check_caseload, check_event};
use ce_core::{Caseload, Envelope, Policy};
use ce_store_postgres::PgStore;

/// The variable that names the server.
pub const URL_VAR: &str = "CE_TEST_POSTGRES_URL";

/// The server's connection string, or `None` (with a line on stderr) when
/// the tests run without one outside CI.
pub fn url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but {URL_VAR} is not set: .ci/run starts the PostgreSQL server the tests need")
        }
        _ => {
            eprintln!(
                "SKIPPED: a PostgreSQL test, {URL_VAR} is not set \
                 (`export {URL_VAR}=\"$(scripts/postgres-dev start)\"` runs them)"
            );
            None
        }
    }
}

/// A new, empty store in a schema of its own on the test server.
pub fn store() -> Option<PgStore> {
    let url = url()?;
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    Some(PgStore::open_in(&url, &schema).unwrap())
}

/// What `ce verify` checks of a log written under the WI BoS default
/// policy: gapless positions, every event's rules, the caseload on `date`,
/// every referral's rank. Returns the fold.
pub fn verified(log: &[Envelope], date: chrono::NaiveDate) -> Caseload {
    let policy = Policy::wi_bos_default();
    let mut caseload = Caseload::default();
    for (i, envelope) in log.iter().enumerate() {
        assert_eq!(envelope.position, i as u64, "gapless positions");
        let broken = check_event(&caseload, &policy, envelope);
        assert!(broken.is_empty(), "{broken:?}");
        caseload.apply(envelope);
    }
    let violations = check_caseload(&caseload, &policy, date);
    assert!(violations.is_empty(), "{violations:?}");
    let ranks = check_referral_ranks(log, &policy);
    assert!(ranks.is_empty(), "{ranks:?}");
    caseload
}

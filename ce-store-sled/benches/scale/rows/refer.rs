//! Row 5: a referral end to end through a workflow, each to a fresh
//! opening.

use std::sync::Arc;
use std::time::Instant;

use ce_core::testing::{date, opening};
use ce_core::{decide, Command, ListKey, Policy, ProgramType, Refer, Workflow};
use ce_store_sled::SledStore;
use chrono::NaiveDate;

use crate::baselines::RawLog;
use crate::config::Config;
use crate::data::meta;
use crate::measure::{ms, percentile};
use crate::query_date;
use crate::table::{lat, Row};

/// Row 5: `refer` end to end through a workflow (decide, append with the
/// projections, flush, fold), each to a fresh opening.
pub(crate) fn row5_refer(
    cfg: &Config,
    store: &Arc<SledStore>,
    raw: &mut RawLog,
    key: &ListKey,
    rows: &mut Vec<Row>,
) {
    let policy = store.policy().clone();
    let t = Instant::now();
    let workflow = Workflow::new(Arc::clone(store), policy.clone()).unwrap();
    let opened = t.elapsed();
    let coalitions = &policy.coalitions[..cfg.coalitions];
    let posted_on = date(2026, 5, 1);
    let mut openings = Vec::new();
    for k in 0..cfg.refers {
        let program = [ProgramType::Psh, ProgramType::Rrh][k % 2];
        // Half to the coalition of the longest list, half spread out.
        let coalition = if k % 4 < 2 {
            key.coalition.0.clone()
        } else {
            coalitions[k % coalitions.len()].0.clone()
        };
        let executed = workflow
            .execute(
                &meta((3u128 << 100) | k as u128),
                opening(program, &coalition, posted_on),
            )
            .unwrap();
        match executed.outcome {
            ce_core::Outcome::Posted { opening } => openings.push(opening),
            other => panic!("post gave {other:?}"),
        }
    }
    let (mut l_ce, mut l_decide, mut l_raw) = (Vec::new(), Vec::new(), Vec::new());
    let mut l_full_sort = Vec::new();
    for (k, opening) in openings.iter().enumerate() {
        let command: Command = Refer {
            opening: *opening,
            date: query_date(),
            household: None,
            bypass_reason: None,
        }
        .into();
        let m = meta((4u128 << 100) | k as u128);
        let expected_top = {
            let caseload = workflow.caught_up().unwrap();
            let t = Instant::now();
            let decision = decide(&caseload, &policy, &m, &command);
            l_decide.push(t.elapsed());
            std::hint::black_box(&decision);
            // The way `refer` chose before the coalition index and the
            // one-pass choice: walk every household, sort the coalition's
            // eligible ones. Timed for docs/benchmarks.md, and checked to
            // pick the same household.
            let t = Instant::now();
            let top = full_sort_top(&caseload, &policy, *opening, query_date());
            l_full_sort.push(t.elapsed());
            top
        };
        let t = Instant::now();
        let executed = workflow.execute(&m, &command).unwrap();
        l_ce.push(t.elapsed());
        if let ce_core::Outcome::Referred { household, .. } = executed.outcome {
            assert_eq!(
                Some(household),
                expected_top,
                "refer's top differs from the full sort"
            );
        }
        l_raw.push(raw.append(&executed.events[0].to_json().unwrap()));
    }
    let active = workflow
        .caught_up()
        .unwrap()
        .households()
        .values()
        .filter(|h| h.status == ce_core::HouseholdStatus::Active)
        .count();
    rows.push(Row {
        row: "5",
        what: format!(
            "refer end to end (Workflow::execute), {} referrals, {active} active households; \
             decide alone {}; walking every household and sorting the coalition's candidates \
             (refer before the coalition index) picks the same households in {}; \
             Workflow::new took {:.0} ms",
            l_ce.len(),
            lat(&l_decide),
            lat(&l_full_sort),
            ms(opened)
        ),
        ce: lat(&l_ce),
        raw: format!("{} (insert+flush of its bytes)", lat(&l_raw)),
        sqlite: "-".to_owned(),
        ratios: format!(
            "{:.1}x raw p50",
            ms(percentile(&l_ce, 0.5)) / ms(percentile(&l_raw, 0.5)).max(1e-9)
        ),
        target: "p50 ≤ 5 ms".to_owned(),
        met: Some(ms(percentile(&l_ce, 0.5)) <= 5.0),
    });
    eprintln!("row 5: {} (decide {})", lat(&l_ce), lat(&l_decide));
}

/// The household `refer` picks for `opening` (with no household named),
/// found the way it was before the coalition index: walk every household,
/// keep the coalition's, sort every eligible one, take the first.
fn full_sort_top(
    caseload: &ce_core::Caseload,
    policy: &Policy,
    opening: ce_core::OpeningId,
    on: NaiveDate,
) -> Option<ce_core::HouseholdId> {
    let opening = caseload.openings.get(&opening)?;
    let coalition = caseload
        .households()
        .values()
        .filter(|h| h.coalition == opening.coalition);
    ce_core::priority::candidates(policy, coalition, opening, on)
        .first()
        .map(|(h, _)| h.id)
}

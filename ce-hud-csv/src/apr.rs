//! The CE APR (questions 9a–9d and 10) and local timeliness measures,
//! computed from the same HUD records the CSV export writes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::records::{AssessmentRecord, HouseholdRecord, HudEvent, HudRecords};
use ce_core::hud::{
    AssessmentLevel, AssessmentType, CeEventType, NoYesMissing, PrioritizationStatus,
    ReferralResult,
};
use ce_core::{Envelope, HouseholdId};

/// HUD's household types, by the ages of the household's members on the
/// later of project start and the report's first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum HudHouseholdType {
    /// At least one adult, no children, no one of unknown age.
    WithoutChildren,
    /// At least one adult and at least one child.
    WithChildrenAndAdults,
    /// Only children.
    OnlyChildren,
    /// Anything else (someone's age is unknown).
    Unknown,
}

/// The APR's column headings: the total, then each household type.
pub const HOUSEHOLD_TYPE_COLUMNS: [&str; 5] = [
    "Total",
    "Without children",
    "With children and adults",
    "With only children",
    "Unknown household type",
];

/// One row of an APR table: a count of households, in total and by type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AprRow {
    /// What is counted.
    pub label: String,
    /// Every household type.
    pub total: u32,
    /// Households without children.
    pub without_children: u32,
    /// Households with children and adults.
    pub with_children_and_adults: u32,
    /// Households with only children.
    pub only_children: u32,
    /// Households of unknown type.
    pub unknown: u32,
}

impl AprRow {
    fn count<'a>(
        label: &str,
        households: impl IntoIterator<Item = &'a HouseholdId>,
        types: &BTreeMap<HouseholdId, HudHouseholdType>,
    ) -> Self {
        let mut row = Self {
            label: label.to_owned(),
            total: 0,
            without_children: 0,
            with_children_and_adults: 0,
            only_children: 0,
            unknown: 0,
        };
        let unique: BTreeSet<&HouseholdId> = households.into_iter().collect();
        for h in unique {
            row.total += 1;
            match types.get(h).copied().unwrap_or(HudHouseholdType::Unknown) {
                HudHouseholdType::WithoutChildren => row.without_children += 1,
                HudHouseholdType::WithChildrenAndAdults => row.with_children_and_adults += 1,
                HudHouseholdType::OnlyChildren => row.only_children += 1,
                HudHouseholdType::Unknown => row.unknown += 1,
            }
        }
        row
    }

    /// The five values in [`HOUSEHOLD_TYPE_COLUMNS`] order.
    pub fn values(&self) -> [u32; 5] {
        [
            self.total,
            self.without_children,
            self.with_children_and_adults,
            self.only_children,
            self.unknown,
        ]
    }

    /// `self / of` per column, in percent; `None` where `of` is zero.
    fn percent_of(&self, of: &AprRow, label: &str) -> PercentRow {
        let values = self.values();
        let base = of.values();
        let mut out = [None; 5];
        for ((slot, n), d) in out.iter_mut().zip(values).zip(base) {
            *slot = (d > 0).then(|| (f64::from(n) * 1000.0 / f64::from(d)).round() / 10.0);
        }
        PercentRow {
            label: label.to_owned(),
            values: out,
        }
    }
}

/// A percentage row, per column of [`HOUSEHOLD_TYPE_COLUMNS`] (one decimal).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PercentRow {
    /// What is measured.
    pub label: String,
    /// Percent per column; `None` where the base is zero.
    pub values: [Option<f64>; 5],
}

/// One APR question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AprTable {
    /// The question number, e.g. "Q9a".
    pub question: &'static str,
    /// Its title.
    pub title: &'static str,
    /// Household counts.
    pub rows: Vec<AprRow>,
    /// Percentages, if the question has any.
    pub percentages: Vec<PercentRow>,
}

/// The CE APR for a date range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CeApr {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Q9a, Q9b, Q9c, Q9d in that order.
    pub tables: Vec<AprTable>,
    /// Q10: every assessment and 4.20 event dated in the range.
    pub q10: ActivityTable,
}

/// One row of Q10: occurrences of one kind of assessment or event, and
/// their results where HUD asks for them (`None` where it does not).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityRow {
    /// The assessment level or 4.20 event.
    pub label: String,
    /// Records dated in the range.
    pub total: u32,
    /// ReferralResult 1 (events 10–15, 17, 18).
    pub successful: Option<u32>,
    /// ReferralResult 2.
    pub client_rejected: Option<u32>,
    /// ReferralResult 3.
    pub provider_rejected: Option<u32>,
    /// ProbSolDivRRResult 1 (event 2).
    pub rehoused: Option<u32>,
    /// ReferralCaseManageAfter 1 (event 5).
    pub aftercare: Option<u32>,
}

/// The column headings of Q10.
pub const ACTIVITY_COLUMNS: [&str; 6] = [
    "Total occurrences",
    "Successful referral",
    "Unsuccessful referral: client rejected",
    "Unsuccessful referral: provider rejected",
    "Re-housed in safe alternative",
    "Enrolled in aftercare",
];

/// Q10, Total Coordinated Entry Activity During the Year: records, not
/// households, by assessment level and 4.20 event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityTable {
    /// "Q10".
    pub question: &'static str,
    /// Its title.
    pub title: &'static str,
    /// Crisis and housing needs assessments, then events 1–18.
    pub rows: Vec<ActivityRow>,
}

impl ActivityTable {
    fn build(records: &HudRecords, events: &[HudEvent], from: NaiveDate, to: NaiveDate) -> Self {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let levels = [
            (
                AssessmentLevel::CrisisNeedsAssessment,
                "Crisis Needs Assessment",
            ),
            (
                AssessmentLevel::HousingNeedsAssessment,
                "Housing Needs Assessment",
            ),
        ];
        let mut rows: Vec<ActivityRow> = levels
            .iter()
            .map(|&(level, label)| ActivityRow {
                label: label.to_owned(),
                total: count(
                    records
                        .assessments
                        .values()
                        .filter(|a| a.date >= from && a.date <= to)
                        .filter(|a| a.assessment.level == level)
                        .count(),
                ),
                successful: None,
                client_rejected: None,
                provider_rejected: None,
                rehoused: None,
                aftercare: None,
            })
            .collect();
        for &code in CeEventType::ALL {
            let of_code: Vec<&HudEvent> = events.iter().filter(|e| e.event == code).collect();
            let results = code.carries_referral_result();
            let with = |r: ReferralResult| {
                results.then(|| count(of_code.iter().filter(|e| e.result == Some(r)).count()))
            };
            rows.push(ActivityRow {
                label: code.label().to_owned(),
                total: count(of_code.len()),
                successful: with(ReferralResult::SuccessfulClientAccepted),
                client_rejected: with(ReferralResult::UnsuccessfulClientRejected),
                provider_rejected: with(ReferralResult::UnsuccessfulProviderRejected),
                rehoused: (code == CeEventType::ProblemSolvingDiversion).then(|| {
                    count(
                        of_code
                            .iter()
                            .filter(|e| e.problem_solving_result == Some(NoYesMissing::Yes))
                            .count(),
                    )
                }),
                aftercare: (code == CeEventType::ReferralToPostPlacementCaseManagement).then(
                    || {
                        count(
                            of_code
                                .iter()
                                .filter(|e| e.case_management_after == Some(NoYesMissing::Yes))
                                .count(),
                        )
                    },
                ),
            });
        }
        Self {
            question: "Q10",
            title: "Total Coordinated Entry Activity During the Year",
            rows,
        }
    }

    /// One row by its label.
    pub fn row(&self, label: &str) -> Option<&ActivityRow> {
        self.rows.iter().find(|r| r.label == label)
    }
}

fn household_type(h: &HouseholdRecord, from: NaiveDate, to: NaiveDate) -> HudHouseholdType {
    let on = h.project_start.max(from);
    let (mut adults, mut children, mut unknown) = (0, 0, 0);
    for m in h
        .members
        .iter()
        .filter(|m| m.entry <= to && m.exit.as_ref().is_none_or(|x| x.date >= from))
    {
        // The birth date when there is one; else the band recorded at
        // project start (a member entered, or erased, without one).
        let adult = match m.member.birth_date.and_then(|born| on.years_since(born)) {
            Some(age) => Some(age >= 18),
            None => m.member.age_band.map(ce_core::AgeBand::is_adult),
        };
        match adult {
            Some(true) => adults += 1,
            Some(false) => children += 1,
            None => unknown += 1,
        }
    }
    match (adults, children, unknown) {
        (a, 0, 0) if a > 0 => HudHouseholdType::WithoutChildren,
        (a, c, _) if a > 0 && c > 0 => HudHouseholdType::WithChildrenAndAdults,
        (0, c, 0) if c > 0 => HudHouseholdType::OnlyChildren,
        _ => HudHouseholdType::Unknown,
    }
}

/// The latest assessment of each household dated in the range.
fn latest_assessments<'r>(
    records: &'r HudRecords,
    active: &BTreeMap<HouseholdId, HudHouseholdType>,
    from: NaiveDate,
    to: NaiveDate,
) -> BTreeMap<HouseholdId, &'r AssessmentRecord> {
    let in_range = records
        .assessments
        .values()
        .filter(|a| a.date >= from && a.date <= to && active.contains_key(&a.household));
    latest_per_household(in_range, |a| (a.household, a.date, a.position))
}

/// Each household's latest record of `records` (by date, then log position).
fn latest_per_household<'r, T>(
    records: impl IntoIterator<Item = &'r T>,
    at: impl Fn(&T) -> (HouseholdId, NaiveDate, u64),
) -> BTreeMap<HouseholdId, &'r T> {
    let mut latest: BTreeMap<HouseholdId, &'r T> = BTreeMap::new();
    for r in records {
        let (household, date, position) = at(r);
        let newer = latest.get(&household).is_none_or(|b| {
            let (_, b_date, b_position) = at(b);
            (date, position) > (b_date, b_position)
        });
        if newer {
            latest.insert(household, r);
        }
    }
    latest
}

impl CeApr {
    /// Builds the CE APR of the CE enrollments open at some time between
    /// `from` and `to` (inclusive), by everything in `log`.
    pub fn build<'a>(
        log: impl IntoIterator<Item = &'a Envelope>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Self {
        let records = HudRecords::fold(log);
        let types: BTreeMap<HouseholdId, HudHouseholdType> = records
            .households
            .values()
            .filter(|h| h.project_start <= to && h.exit.is_none_or(|x| x >= from))
            .map(|h| (h.id, household_type(h, from, to)))
            .collect();
        let latest = latest_assessments(&records, &types, from, to);
        let assessed: Vec<HouseholdId> = latest.keys().copied().collect();
        let by_type = |t: AssessmentType| {
            latest
                .iter()
                .filter(move |(_, a)| a.assessment.assessment_type == t)
                .map(|(h, _)| h)
        };
        let by_status = |s: PrioritizationStatus| {
            latest
                .iter()
                .filter(move |(_, a)| a.assessment.prioritization == s)
                .map(|(h, _)| h)
        };
        let q9a = AprTable {
            question: "Q9a",
            title: "Assessment type: households assessed in the date range",
            rows: vec![
                AprRow::count("Phone", by_type(AssessmentType::Phone), &types),
                AprRow::count("Virtual", by_type(AssessmentType::Virtual), &types),
                AprRow::count("In person", by_type(AssessmentType::InPerson), &types),
                AprRow::count("Total households assessed", &assessed, &types),
            ],
            percentages: Vec::new(),
        };
        let placed = AprRow::count(
            "Placed on prioritization list",
            by_status(PrioritizationStatus::PlacedOnPrioritizationList),
            &types,
        );
        let total_assessed = AprRow::count("Total", &assessed, &types);
        let q9b = AprTable {
            question: "Q9b",
            title: "Prioritization status: households prioritized in the date range",
            percentages: vec![placed.percent_of(&total_assessed, "Percent placed on the list")],
            rows: vec![
                placed.clone(),
                AprRow::count(
                    "Not placed on prioritization list",
                    by_status(PrioritizationStatus::NotPlacedOnPrioritizationList),
                    &types,
                ),
                total_assessed,
            ],
        };
        let events: Vec<HudEvent> = records
            .events()
            .filter(|e| e.date >= from && e.date <= to && types.contains_key(&e.household))
            .collect();
        // Q9c and Q9d each count a household once, by its latest event of
        // the table's kind in the range.
        let latest_of = |access: bool| {
            let of_kind = events
                .iter()
                .filter(|e| e.event.is_access_event() == access);
            latest_per_household(of_kind, |e| (e.household, e.date, e.position))
        };
        let access = latest_of(true);
        let referral = latest_of(false);
        let matching = |latest: &BTreeMap<HouseholdId, &HudEvent>,
                        f: &dyn Fn(&HudEvent) -> bool| {
            latest
                .iter()
                .filter(|(_, e)| f(e))
                .map(|(h, _)| *h)
                .collect::<Vec<_>>()
        };
        // One row per code of the table's kind, in HUD's order, then the total.
        let by_code = |latest: &BTreeMap<HouseholdId, &HudEvent>, access: bool| {
            let mut rows: Vec<AprRow> = CeEventType::ALL
                .iter()
                .filter(|e| e.is_access_event() == access)
                .map(|&code| {
                    let households = matching(latest, &|e| e.event == code);
                    AprRow::count(code.label(), &households, &types)
                })
                .collect();
            rows.push(AprRow::count("Total", latest.keys(), &types));
            rows
        };
        let mut q9c_rows = by_code(&access, true);
        let diversion = AprRow::count(
            "Problem Solving/Diversion/Rapid Resolution intervention or service",
            &matching(&access, &|e| {
                e.event == CeEventType::ProblemSolvingDiversion
            }),
            &types,
        );
        let rehoused = AprRow::count(
            "Result: Client housed/re-housed in a safe alternative",
            &matching(&access, &|e| {
                e.event == CeEventType::ProblemSolvingDiversion
                    && e.problem_solving_result == Some(NoYesMissing::Yes)
            }),
            &types,
        );
        let q9c = AprTable {
            question: "Q9c",
            title: "Access Events",
            percentages: vec![rehoused.percent_of(
                &diversion,
                "Percent of successful referrals to Problem Solving/Diversion/Rapid Resolution",
            )],
            rows: {
                q9c_rows.push(rehoused);
                q9c_rows
            },
        };
        let mut q9d_rows = by_code(&referral, false);
        let with_result = |result: ReferralResult| {
            matching(&referral, &move |e| {
                e.event.carries_referral_result() && e.result == Some(result)
            })
        };
        let successful = AprRow::count(
            "Result: Successful referral: client accepted",
            &with_result(ReferralResult::SuccessfulClientAccepted),
            &types,
        );
        q9d_rows.push(successful.clone());
        q9d_rows.push(AprRow::count(
            "Result: Unsuccessful referral: client rejected",
            &with_result(ReferralResult::UnsuccessfulClientRejected),
            &types,
        ));
        q9d_rows.push(AprRow::count(
            "Result: Unsuccessful referral: provider rejected",
            &with_result(ReferralResult::UnsuccessfulProviderRejected),
            &types,
        ));
        q9d_rows.push(AprRow::count(
            "No result recorded",
            &matching(&referral, &|e| {
                e.event.carries_referral_result() && e.result.is_none()
            }),
            &types,
        ));
        q9d_rows.push(AprRow::count(
            "Result: Enrolled in Aftercare project",
            &matching(&referral, &|e| {
                e.event == CeEventType::ReferralToPostPlacementCaseManagement
                    && e.case_management_after == Some(NoYesMissing::Yes)
            }),
            &types,
        ));
        let residential = AprRow::count(
            "Households referred to a residential project",
            &matching(&referral, &|e| e.event.carries_referral_result()),
            &types,
        );
        let placed_ids: BTreeSet<HouseholdId> = latest
            .iter()
            .filter(|(_, a)| {
                a.assessment.prioritization == PrioritizationStatus::PlacedOnPrioritizationList
            })
            .map(|(h, _)| *h)
            .collect();
        let placed_referred = AprRow::count(
            "Prioritized households referred",
            placed_ids.iter().filter(|h| referral.contains_key(h)),
            &types,
        );
        let q9d = AprTable {
            question: "Q9d",
            title: "Referral Events",
            percentages: vec![
                placed_referred.percent_of(
                    &placed,
                    "Of the total HH prioritized (Q9b row 1) what percentage received a referral",
                ),
                successful.percent_of(
                    &residential,
                    "Percent of successful referrals to residential projects",
                ),
            ],
            rows: q9d_rows,
        };
        let q10 = ActivityTable::build(&records, &events, from, to);
        Self {
            from,
            to,
            tables: vec![q9a, q9b, q9c, q9d],
            q10,
        }
    }
}

/// Median, 90th percentile and count of a list of day counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayStats {
    /// What is measured.
    pub label: &'static str,
    /// How many values.
    pub count: usize,
    /// The median (the mean of the two middle values for an even count).
    pub median: Option<f64>,
    /// The 90th percentile by nearest rank: the smallest value with at least
    /// 90% of the values at or below it.
    pub p90: Option<i64>,
}

impl DayStats {
    fn of(label: &'static str, mut days: Vec<i64>) -> Self {
        days.sort_unstable();
        let n = days.len();
        let median = match n {
            0 => None,
            n if n % 2 == 1 => days.get(n / 2).map(|&d| d as f64),
            n => days
                .get(n / 2 - 1)
                .zip(days.get(n / 2))
                .map(|(&a, &b)| (a + b) as f64 / 2.0),
        };
        let p90 = (n > 0)
            .then(|| (n * 9).div_ceil(10).max(1) - 1)
            .and_then(|i| days.get(i).copied());
        Self {
            label,
            count: n,
            median,
            p90,
        }
    }
}

/// Local timeliness measures for a date range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeliness {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Households whose first referral is in the range: days from their
    /// first assessment to it.
    pub assessment_to_first_referral: DayStats,
    /// Referrals whose result is dated in the range: days from referral to result.
    pub referral_to_result: DayStats,
    /// Households housed (a referral accepted) in the range: days from being
    /// placed on the list to the acceptance.
    pub days_on_list_housed: DayStats,
}

impl Timeliness {
    /// Builds the measures from `log`.
    pub fn build<'a>(
        log: impl IntoIterator<Item = &'a Envelope>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Self {
        let records = HudRecords::fold(log);
        let in_range = |d: NaiveDate| d >= from && d <= to;
        let mut assessments: BTreeMap<HouseholdId, Vec<&AssessmentRecord>> = BTreeMap::new();
        for a in records.assessments.values() {
            assessments.entry(a.household).or_default().push(a);
        }
        for list in assessments.values_mut() {
            list.sort_by_key(|a| (a.date, a.position));
        }
        // Referrals to housing: ce's own and those recorded from other systems.
        let referrals: Vec<HudEvent> = records
            .events()
            .filter(|e| e.event.carries_referral_result())
            .collect();
        let mut first_referral: BTreeMap<HouseholdId, NaiveDate> = BTreeMap::new();
        for r in &referrals {
            let first = first_referral.entry(r.household).or_insert(r.date);
            *first = (*first).min(r.date);
        }
        let to_referral = first_referral
            .iter()
            .filter(|(_, d)| in_range(**d))
            .filter_map(|(h, d)| {
                let first = assessments.get(h)?.first().filter(|a| a.date <= *d)?;
                Some((*d - first.date).num_days())
            })
            .collect();
        let to_result = referrals
            .iter()
            .filter_map(|r| r.result.and(r.result_date).map(|on| (r.date, on)))
            .filter(|(_, on)| in_range(*on))
            .map(|(offered, on)| (on - offered).num_days())
            .collect();
        let on_list = referrals
            .iter()
            .filter_map(|r| match (r.result, r.result_date) {
                (Some(ReferralResult::SuccessfulClientAccepted), Some(on)) if in_range(on) => {
                    Some((r.household, on))
                }
                _ => None,
            })
            .filter_map(|(h, on)| {
                let mut placed_on = None;
                for a in assessments.get(&h)?.iter().filter(|a| a.date <= on) {
                    placed_on = if a.assessment.prioritization
                        == PrioritizationStatus::PlacedOnPrioritizationList
                    {
                        placed_on.or(Some(a.date))
                    } else {
                        None
                    };
                }
                placed_on.map(|p: NaiveDate| (on - p).num_days())
            })
            .collect();
        Self {
            from,
            to,
            assessment_to_first_referral: DayStats::of(
                "Days from first assessment to first referral",
                to_referral,
            ),
            referral_to_result: DayStats::of("Days from referral to result", to_result),
            days_on_list_housed: DayStats::of("Days on the list, households housed", on_list),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p90() {
        let s = DayStats::of("x", vec![5, 1, 3, 2, 4, 6, 7, 8, 9, 10]);
        assert_eq!((s.count, s.median, s.p90), (10, Some(5.5), Some(9)));
        let s = DayStats::of("x", vec![4]);
        assert_eq!((s.median, s.p90), (Some(4.0), Some(4)));
        let s = DayStats::of("x", vec![]);
        assert_eq!((s.median, s.p90), (None, None));
        let s = DayStats::of("x", vec![3, 1, 2]);
        assert_eq!((s.median, s.p90), (Some(2.0), Some(3)));
    }
}

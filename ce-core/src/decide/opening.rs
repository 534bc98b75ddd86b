//! Part 2 rules: openings, prioritized referrals, results, expiry.

use chrono::NaiveDate;

use crate::caseload::Caseload;
use crate::command::{
    AcceptReferral, AcknowledgeReferral, DeclineReferral, ExpireReferrals, PostOpening, Refer,
    WithdrawOpening,
};
use crate::decide::{check_text, Context, Decision, Pending};
use crate::envelope::StreamId;
use crate::error::{Field, NotReferableReason, OpeningDefect, Operation, Rejection};
use crate::event::{Event, *};
use crate::household::Household;
use crate::lists::list_status;
use crate::opening::{Opening, OpeningStatus, Referral};
use crate::outcome::Outcome;
use crate::rank::{compare, RankInputs};
use crate::record::MAX_NOTE_CHARS;
use crate::vocab::{HouseholdId, ListHouseholdType, ListKey, OpeningId, ReferralId, Role};

const PROVIDER: &[Role] = &[Role::Provider];

fn both_streams(referral: &Referral) -> Vec<StreamId> {
    vec![
        StreamId::Household(referral.household),
        StreamId::Opening(referral.opening),
    ]
}

fn find_opening<'a>(ctx: &'a Context<'_>, id: OpeningId) -> Result<&'a Opening, Rejection> {
    ctx.caseload
        .openings
        .get(&id)
        .ok_or(Rejection::UnknownOpening(id))
}

/// Providers act only on their own agency's openings; leads on any.
fn require_owner(ctx: &Context<'_>, opening: &Opening, action: Operation) -> Result<(), Rejection> {
    ctx.require(PROVIDER, action)?;
    let agency = &ctx.meta.actor.agency;
    if ctx.meta.actor.role == Role::Provider && agency != &opening.agency {
        return Err(Rejection::NotYourOpening {
            agency: agency.clone(),
            opening: opening.id,
            owner: opening.agency.clone(),
        });
    }
    Ok(())
}

fn open_opening<'a>(ctx: &'a Context<'_>, id: OpeningId) -> Result<&'a Opening, Rejection> {
    let opening = find_opening(ctx, id)?;
    if opening.status != OpeningStatus::Open {
        return Err(Rejection::OpeningClosed {
            opening: id,
            status: opening.status,
        });
    }
    Ok(opening)
}

/// A live referral, checked for ownership and a result date not before it.
fn live_referral<'a>(
    ctx: &'a Context<'_>,
    id: ReferralId,
    date: NaiveDate,
    action: Operation,
) -> Result<&'a Referral, Rejection> {
    let referral = ctx
        .caseload
        .referrals
        .get(&id)
        .ok_or(Rejection::UnknownReferral(id))?;
    let opening = find_opening(ctx, referral.opening)?;
    require_owner(ctx, opening, action)?;
    if !referral.status.is_live() {
        return Err(Rejection::ReferralResolved {
            referral: id,
            status: referral.status.clone(),
        });
    }
    if date < referral.offered_on {
        return Err(Rejection::ResultBeforeReferral {
            referral: id,
            date,
            referred_on: referral.offered_on,
        });
    }
    Ok(referral)
}

pub(crate) fn post(ctx: &Context<'_>, c: &PostOpening) -> Result<Decision, Rejection> {
    ctx.require(PROVIDER, Operation::PostOpening)?;
    if !ctx.policy.knows_coalition(&c.coalition) {
        return Err(Rejection::UnknownCoalition(c.coalition.clone()));
    }
    check_text(Field::OpeningProgram, &c.program, MAX_NOTE_CHARS)?;
    if c.units == 0 {
        return Err(Rejection::InvalidOpening(OpeningDefect::NoUnits));
    }
    if c.household_types.is_empty() {
        return Err(Rejection::InvalidOpening(OpeningDefect::NoHouseholdTypes));
    }
    let opening = OpeningId(ctx.meta.command_id.derive("opening", 0));
    Ok(Decision {
        events: vec![Pending {
            streams: vec![StreamId::Opening(opening)],
            effective: c.date,
            event: Event::OpeningPosted(OpeningPosted {
                opening,
                agency: ctx.meta.actor.agency.clone(),
                program: c.program.clone(),
                program_type: c.program_type,
                coalition: c.coalition.clone(),
                household_types: c.household_types.clone(),
                chronic_only: c.chronic_only,
                veterans_only: c.veterans_only,
                units: c.units,
            }),
        }],
        outcome: Outcome::Posted { opening },
    })
}

pub(crate) fn withdraw(ctx: &Context<'_>, c: &WithdrawOpening) -> Result<Decision, Rejection> {
    let opening = open_opening(ctx, c.opening)?;
    require_owner(ctx, opening, Operation::WithdrawOpening)?;
    check_text(Field::WithdrawalReason, &c.reason, MAX_NOTE_CHARS)?;
    if c.date < opening.posted_on {
        return Err(Rejection::BeforeOpeningPosted {
            opening: opening.id,
            date: c.date,
            posted_on: opening.posted_on,
        });
    }
    if let Some(live) = opening
        .live_referral
        .and_then(|id| ctx.caseload.referrals.get(&id))
        .filter(|r| c.date < r.offered_on)
    {
        return Err(Rejection::ResultBeforeReferral {
            referral: live.id,
            date: c.date,
            referred_on: live.offered_on,
        });
    }
    let mut events = Vec::new();
    if let Some(referral) = opening
        .live_referral
        .and_then(|id| ctx.caseload.referrals.get(&id))
    {
        events.push(Pending {
            streams: both_streams(referral),
            effective: c.date,
            event: Event::ReferralCancelled(ReferralCancelled {
                referral: referral.id,
                opening: referral.opening,
                household: referral.household,
                cause: CancelCause::OpeningWithdrawn,
            }),
        });
    }
    events.push(Pending {
        streams: vec![StreamId::Opening(c.opening)],
        effective: c.date,
        event: Event::OpeningWithdrawn(OpeningWithdrawn {
            reason: c.reason.clone(),
        }),
    });
    Ok(Decision {
        events,
        outcome: Outcome::Recorded,
    })
}

/// Why `household` cannot be referred to `opening` on `date`, if it cannot.
pub fn referable(
    ctx_policy: &crate::policy::Policy,
    opening: &Opening,
    household: &Household,
    date: NaiveDate,
) -> Result<(), NotReferableReason> {
    list_status(household, ctx_policy, opening.program_type, date)
        .map_err(NotReferableReason::OffList)?;
    if household.coalition != opening.coalition {
        return Err(NotReferableReason::OtherCoalition);
    }
    if !opening
        .household_types
        .contains(&ListHouseholdType::of(household, ctx_policy))
    {
        return Err(NotReferableReason::HouseholdTypeNotServed);
    }
    if opening.chronic_only && !household.is_chronic() {
        return Err(NotReferableReason::NotChronic);
    }
    if opening.veterans_only && !household.has_veteran() {
        return Err(NotReferableReason::NoVeteran);
    }
    if household.declined_openings.contains(&opening.id) {
        return Err(NotReferableReason::DeclinedBefore);
    }
    Ok(())
}

/// Whether `household` may be offered `opening` on `date` (on the matching
/// list, eligible, and without a live referral of the same program type),
/// with the values it is ranked by.
fn eligible(
    policy: &crate::policy::Policy,
    opening: &Opening,
    household: &Household,
    date: NaiveDate,
) -> Option<RankInputs> {
    if household
        .live_referrals
        .iter()
        .any(|r| r.program_type == opening.program_type)
    {
        return None;
    }
    referable(policy, opening, household, date).ok()?;
    RankInputs::of(household, policy)
}

/// The households of `households` eligible for `opening` on `date`, with
/// their rank inputs, in the order given.
fn eligible_in<'a, 'o>(
    policy: &'o crate::policy::Policy,
    households: impl IntoIterator<Item = &'a Household> + 'o,
    opening: &'o Opening,
    date: NaiveDate,
) -> impl Iterator<Item = (&'a Household, RankInputs)> + 'o
where
    'a: 'o,
{
    households
        .into_iter()
        .filter_map(move |h| eligible(policy, opening, h, date).map(|inputs| (h, inputs)))
}

/// Households eligible for an opening, best first: on the matching lists,
/// eligible, and without a live referral of the same program type.
pub fn candidates<'a>(
    ctx_policy: &crate::policy::Policy,
    households: impl IntoIterator<Item = &'a Household>,
    opening: &Opening,
    date: NaiveDate,
) -> Vec<(&'a Household, RankInputs)> {
    let mut eligible: Vec<_> = eligible_in(ctx_policy, households, opening, date).collect();
    let order = ctx_policy.order(opening.program_type);
    eligible.sort_by(|a, b| compare(order, &a.1, &b.1));
    eligible
}

/// The eligible household `refer` offers `opening` to when none is named:
/// the first of [`candidates`], found in one pass without sorting.
pub fn top_candidate<'a>(
    ctx_policy: &crate::policy::Policy,
    households: impl IntoIterator<Item = &'a Household>,
    opening: &Opening,
    date: NaiveDate,
) -> Option<(&'a Household, RankInputs)> {
    let order = ctx_policy.order(opening.program_type);
    eligible_in(ctx_policy, households, opening, date).min_by(|a, b| compare(order, &a.1, &b.1))
}

/// The rank `household` has among the households eligible for `opening`
/// (1 = the one `refer` offers it to), or `None` if it is not eligible.
pub fn rank_among<'a>(
    ctx_policy: &crate::policy::Policy,
    households: impl IntoIterator<Item = &'a Household>,
    opening: &Opening,
    date: NaiveDate,
    household: &Household,
) -> Option<usize> {
    let inputs = eligible(ctx_policy, opening, household, date)?;
    let order = ctx_policy.order(opening.program_type);
    let above = eligible_in(ctx_policy, households, opening, date)
        .filter(|(_, i)| compare(order, i, &inputs).is_lt())
        .count();
    Some(above + 1)
}

/// The eligible households that rank above `inputs` for `opening`, best
/// first: the ones a referral of the household with `inputs` passes over.
pub fn ranked_above<'a>(
    ctx_policy: &crate::policy::Policy,
    households: impl IntoIterator<Item = &'a Household>,
    opening: &Opening,
    date: NaiveDate,
    inputs: &RankInputs,
) -> Vec<(&'a Household, RankInputs)> {
    let order = ctx_policy.order(opening.program_type);
    let mut above: Vec<_> = eligible_in(ctx_policy, households, opening, date)
        .filter(|(_, i)| compare(order, i, inputs).is_lt())
        .collect();
    above.sort_by(|a, b| compare(order, &a.1, &b.1));
    above
}

/// The eligible households a referral of `household` (whose rank inputs
/// are `inputs`) to `opening` passes over, best first: the ones ranked
/// above it. Read from `caseload`'s rank index when it has one for
/// `policy` (the households ranked above this one, not the coalition; see
/// [`Caseload::ranked_in`]), else from a walk of the coalition
/// ([`ranked_above`]); both give the same list.
pub fn passed_over(
    caseload: &Caseload,
    policy: &crate::policy::Policy,
    opening: &Opening,
    date: NaiveDate,
    household: &Household,
    inputs: &RankInputs,
) -> Vec<HouseholdId> {
    if let Some(ranked) = caseload.ranked_in(&opening.coalition, policy, opening.program_type) {
        let mut above = Vec::new();
        for ranked in ranked {
            if ranked.id == household.id {
                return above;
            }
            if eligible(policy, opening, ranked, date).is_some() {
                above.push(ranked.id);
            }
        }
        // Not in the index (it may not be on a list): the walk decides.
    }
    let coalition = caseload.households_in(&opening.coalition);
    ranked_above(policy, coalition, opening, date, inputs)
        .iter()
        .map(|(h, _)| h.id)
        .collect()
}

pub(crate) fn refer(ctx: &Context<'_>, c: &Refer) -> Result<Decision, Rejection> {
    ctx.require(&[], Operation::Refer)?;
    let opening = open_opening(ctx, c.opening)?;
    if let Some(referral) = opening.live_referral {
        return Err(Rejection::OpeningHasLiveReferral {
            opening: opening.id,
            referral,
        });
    }
    if c.date < opening.posted_on {
        return Err(Rejection::BeforeOpeningPosted {
            opening: opening.id,
            date: c.date,
            posted_on: opening.posted_on,
        });
    }
    let (household, inputs, passed_over) = match c.household {
        None => {
            // Best first from the caseload's rank index if it has one for
            // this policy: the first eligible household is the top one.
            let ranked =
                ctx.caseload
                    .ranked_in(&opening.coalition, ctx.policy, opening.program_type);
            let top = match ranked {
                Some(mut ranked) => ranked.find_map(|household| {
                    eligible(ctx.policy, opening, household, c.date)
                        .map(|inputs| (household, inputs))
                }),
                None => top_candidate(
                    ctx.policy,
                    ctx.caseload.households_in(&opening.coalition),
                    opening,
                    c.date,
                ),
            };
            let (top, inputs) = top.ok_or(Rejection::NoEligibleHousehold(opening.id))?;
            (top, inputs, Vec::new())
        }
        Some(id) => {
            let household = ctx
                .caseload
                .households()
                .get(&id)
                .ok_or(Rejection::UnknownHousehold(id))?;
            if let Some(live) = household
                .live_referrals
                .iter()
                .find(|r| r.program_type == opening.program_type)
            {
                return Err(Rejection::AlreadyReferred {
                    household: id,
                    program_type: opening.program_type,
                    referral: live.referral,
                });
            }
            referable(ctx.policy, opening, household, c.date).map_err(|reason| {
                Rejection::NotReferable {
                    household: id,
                    opening: opening.id,
                    reason,
                }
            })?;
            let inputs = RankInputs::of(household, ctx.policy)
                .ok_or(Rejection::NoEligibleHousehold(opening.id))?;
            let above = passed_over(
                ctx.caseload,
                ctx.policy,
                opening,
                c.date,
                household,
                &inputs,
            );
            (household, inputs, above)
        }
    };
    if c.date < household.project_start {
        return Err(Rejection::BeforeProjectStart {
            household: household.id,
            field: Field::ReferralDate,
            date: c.date,
            project_start: household.project_start,
        });
    }
    let passed_over_len = passed_over.len();
    let bypass = match (passed_over.first(), &c.bypass_reason) {
        (None, _) => None,
        (Some(top), None) => {
            return Err(Rejection::BypassReasonRequired {
                household: household.id,
                top: *top,
            })
        }
        (Some(_), Some(reason)) => {
            check_text(Field::BypassReason, reason, MAX_NOTE_CHARS)?;
            Some(Bypass {
                reason: reason.clone(),
                passed_over,
            })
        }
    };
    // The rank is among the households eligible for this opening, the same
    // ordering that decides who was passed over: rank 1 needs no bypass.
    let rank = u32::try_from(passed_over_len + 1).unwrap_or(u32::MAX);
    let key = ListKey {
        coalition: household.coalition.clone(),
        program: opening.program_type,
        household_type: ListHouseholdType::of(household, ctx.policy),
    };
    let list_place = ctx
        .caseload
        .place_on_list(ctx.policy, &key, household.id, c.date);
    let referral = ReferralId(ctx.meta.command_id.derive("referral", 0));
    Ok(Decision {
        events: vec![Pending {
            streams: vec![
                StreamId::Household(household.id),
                StreamId::Opening(opening.id),
            ],
            effective: c.date,
            event: Event::ReferralOffered(ReferralOffered {
                referral,
                opening: opening.id,
                household: household.id,
                event: opening.program_type.referral_event(),
                program_type: opening.program_type,
                location: opening.program.clone(),
                list: key,
                policy_id: ctx.policy.id.clone(),
                policy_version: ctx.policy.version,
                rank,
                list_place,
                inputs,
                bypass,
            }),
        }],
        outcome: Outcome::Referred {
            referral,
            household: household.id,
            rank,
        },
    })
}

pub(crate) fn acknowledge(
    ctx: &Context<'_>,
    c: &AcknowledgeReferral,
) -> Result<Decision, Rejection> {
    let referral = live_referral(ctx, c.referral, c.date, Operation::Acknowledge)?;
    if referral.status == crate::opening::ReferralStatus::Acknowledged {
        return Err(Rejection::AlreadyAcknowledged(referral.id));
    }
    Ok(Decision {
        events: vec![Pending {
            streams: both_streams(referral),
            effective: c.date,
            event: Event::ReferralAcknowledged(ReferralAcknowledged {
                referral: referral.id,
                opening: referral.opening,
                household: referral.household,
            }),
        }],
        outcome: Outcome::Recorded,
    })
}

pub(crate) fn accept(ctx: &Context<'_>, c: &AcceptReferral) -> Result<Decision, Rejection> {
    let referral = live_referral(ctx, c.referral, c.date, Operation::Accept)?;
    let mut events = vec![Pending {
        streams: both_streams(referral),
        effective: c.date,
        event: Event::ReferralAccepted(ReferralAccepted {
            referral: referral.id,
            opening: referral.opening,
            household: referral.household,
        }),
    }];
    if let Some(household) = ctx.caseload.households().get(&referral.household) {
        events.extend(
            household
                .live_referrals
                .iter()
                .filter(|live| live.referral != referral.id)
                .map(|live| Pending {
                    streams: vec![
                        StreamId::Household(household.id),
                        StreamId::Opening(live.opening),
                    ],
                    // A referral offered after a late-entered acceptance's
                    // date ends when it was offered, never before.
                    effective: c.date.max(live.offered_on),
                    event: Event::ReferralCancelled(ReferralCancelled {
                        referral: live.referral,
                        opening: live.opening,
                        household: household.id,
                        cause: CancelCause::AcceptedElsewhere,
                    }),
                }),
        );
    }
    Ok(Decision {
        events,
        outcome: Outcome::Recorded,
    })
}

pub(crate) fn decline(ctx: &Context<'_>, c: &DeclineReferral) -> Result<Decision, Rejection> {
    let referral = live_referral(ctx, c.referral, c.date, Operation::Decline)?;
    let reason = ctx
        .policy
        .decline_reason(&c.reason)
        .ok_or_else(|| Rejection::UnknownDeclineReason(c.reason.clone()))?;
    let text = c.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if reason.requires_text && text.is_none() {
        return Err(Rejection::DeclineTextRequired(c.reason.clone()));
    }
    if let Some(text) = text {
        crate::decide::check_len(Field::DeclineText, text, MAX_NOTE_CHARS)?;
    }
    Ok(Decision {
        events: vec![Pending {
            streams: both_streams(referral),
            effective: c.date,
            event: Event::ReferralDeclined(ReferralDeclined {
                referral: referral.id,
                opening: referral.opening,
                household: referral.household,
                result: reason.result,
                reason: reason.code.clone(),
                text: text.map(str::to_owned),
                consequence: reason.consequence,
            }),
        }],
        outcome: Outcome::Recorded,
    })
}

pub(crate) fn expire(ctx: &Context<'_>, c: &ExpireReferrals) -> Result<Decision, Rejection> {
    ctx.require(&[], Operation::ExpireReferrals)?;
    let expired: Vec<&Referral> = ctx
        .caseload
        .referrals
        .values()
        .filter(|r| r.is_overdue(ctx.policy, c.as_of))
        .collect();
    Ok(Decision {
        events: expired
            .iter()
            .map(|r| Pending {
                streams: both_streams(r),
                effective: c.as_of,
                event: Event::ReferralExpired(ReferralExpired {
                    referral: r.id,
                    opening: r.opening,
                    household: r.household,
                    days_open: (c.as_of - r.offered_on).num_days(),
                }),
            })
            .collect(),
        outcome: Outcome::Expired {
            referrals: expired.iter().map(|r| r.id).collect(),
        },
    })
}

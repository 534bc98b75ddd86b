//! Part 2 of the BoS CE workflow as given/when/then: openings, prioritized
//! referrals, results, declines, bypass, expiry, inactivity's effect on
//! referrals, roles, and two writers racing for one opening. Each file holds
//! the rules of one command or one concern, and `common` the helpers they
//! share.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod accept;
mod acknowledge;
mod coalition_index;
mod decline;
mod exit;
mod expire;
mod post_opening;
mod races;
mod refer;
mod referral_results;
mod roles;
mod sweep;
mod withdraw;

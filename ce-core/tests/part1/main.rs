//! Part 1 of the WI Balance of State CE workflow: enrolling households,
//! assessing and placing them on the lists, follow-ups, membership, exit and
//! the inactivity sweep. Each test is one rule, written as given/when/then in
//! the language of the domain; each file holds the rules of one command or
//! one derived value, and `common` the helpers they share.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod add_member;
mod assess;
mod assessment_is_contact;
mod attempt_contact;
mod change_head;
mod chronic;
mod consent;
mod enroll;
mod exit;
mod follow_up;
mod household_commands;
mod household_type;
mod hud_codes;
mod ranking;
mod record_ce_event;
mod remove_member;
mod retention;
mod sweep;
mod workflow;

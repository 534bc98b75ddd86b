//! What every step is made of: earlier entities named by counting back
//! ([`Ref`]), free text that may be blank or too long ([`Text`]), and who
//! acts ([`Who`]), with the coalitions and agencies they resolve to.

use std::fmt;

use proptest::prelude::*;

use crate::vocab::{Actor, Role};

/// The coalitions generated households and openings belong to. Two, so that
/// lists are split and an opening sometimes draws from the other coalition.
pub const COALITIONS: &[&str] = &["Coulee", "Central"];

/// A coalition no policy knows: enrollments and openings naming it are
/// rejected.
pub const UNKNOWN_COALITION: &str = "Atlantis";

/// The agencies providers act for. A provider acting on the other agency's
/// opening is rejected.
pub const PROVIDER_AGENCIES: &[&str] = &["Couleecap", "Catholic Charities"];

/// The agency access point staff act for.
pub const ACCESS_AGENCY: &str = "Access point";

/// The CE lead's agency.
pub const LEAD_AGENCY: &str = "BoS CE";

/// Ids that no command ever creates (created ids are UUID v5).
pub(super) const UNKNOWN_ID: u128 = 0xdead_0000_0000_0000_0000_0000_0000_0000;

/// An entity created by an earlier step, counted back from the most
/// recent one, so that "enroll, then assess it" is the simplest sequence.
/// (Coalitions, members and decline reasons are named the same way; their
/// fields say what `n` counts.)
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Ref {
    /// The n-th most recently created (0: the latest), counted modulo how
    /// many exist when the step runs; an unknown id while there are none.
    Nth(u8),
    /// An id that was never created.
    Unknown,
}

impl fmt::Debug for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ref::Nth(0) => f.write_str("[latest]"),
            Ref::Nth(n) => write!(f, "[latest-{n}]"),
            Ref::Unknown => f.write_str("[unknown]"),
        }
    }
}

pub(super) fn nth<T: Copy>(items: &[T], r: Ref, unknown: T) -> T {
    match r {
        Ref::Nth(n) if !items.is_empty() => items[items.len() - 1 - usize::from(n) % items.len()],
        _ => unknown,
    }
}

/// A free-text field: usually fine, sometimes blank or over every limit.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Text {
    /// A sentence that passes every check.
    Fine,
    /// Only spaces.
    Blank,
    /// 1,001 characters: over every ce text limit.
    TooLong,
}

impl Text {
    /// The text: `fine` when [`Text::Fine`].
    pub fn resolve(self, fine: &str) -> String {
        match self {
            Text::Fine => fine.to_owned(),
            Text::Blank => "   ".to_owned(),
            Text::TooLong => "x".repeat(1_001),
        }
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Text::Fine => "ok",
            Text::Blank => "blank",
            Text::TooLong => "too long",
        })
    }
}

/// Who issues a step.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Who {
    /// Access point staff (enroll, assess, follow up, exit).
    Access,
    /// A housing provider of `PROVIDER_AGENCIES[n % 2]`.
    Provider(u8),
    /// The CE lead (anything).
    Lead,
}

impl Who {
    /// The acting user, agency and role.
    pub fn actor(self) -> Actor {
        match self {
            Who::Access => Actor::new("avery", ACCESS_AGENCY, Role::Access),
            Who::Provider(n) => Actor::new(
                "sam",
                PROVIDER_AGENCIES[usize::from(n) % PROVIDER_AGENCIES.len()],
                Role::Provider,
            ),
            Who::Lead => Actor::new("lee", LEAD_AGENCY, Role::Lead),
        }
    }
}

impl fmt::Debug for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::Access => f.write_str("access"),
            Who::Provider(_) => write!(f, "provider {}", self.actor().agency),
            Who::Lead => f.write_str("lead"),
        }
    }
}

pub(super) fn coalition(r: Ref) -> &'static str {
    match r {
        Ref::Nth(n) => COALITIONS[usize::from(n) % COALITIONS.len()],
        Ref::Unknown => UNKNOWN_COALITION,
    }
}

/// Mostly the first coalition, so that households and openings meet.
pub(super) fn known_coalition() -> impl Strategy<Value = Ref> {
    prop_oneof![6 => Just(Ref::Nth(0)), 1 => Just(Ref::Nth(1))]
}

/// Mostly the latest entity, sometimes an older one, rarely an unknown id.
pub(super) fn recent() -> impl Strategy<Value = Ref> + Clone {
    prop_oneof![
        12 => Just(Ref::Nth(0)),
        6 => (1u8..3).prop_map(Ref::Nth),
        3 => (3u8..8).prop_map(Ref::Nth),
        1 => Just(Ref::Unknown),
    ]
}

pub(super) fn text() -> impl Strategy<Value = Text> {
    prop_oneof![18 => Just(Text::Fine), 1 => Just(Text::Blank), 1 => Just(Text::TooLong)]
}
